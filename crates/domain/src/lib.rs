//! Comptoir's domain: tenants, keys, money and the catalogue, as plain types and rules.
//!
//! No I/O and no async here; storage, parsing and HTTP live in outer crates and depend on this one.

pub mod account;
pub mod api_key;
pub mod id;
pub mod lang;
pub mod money;
pub mod order;
pub mod product;
pub mod sales;
pub mod tenant;

pub use account::{AccountError, NewUser, Role, User};
pub use api_key::{ApiKey, KeyKind, NewApiKey, Scope};
pub use lang::Lang;
pub use money::{parse_amount, Currency, MoneyError};
pub use order::{
    CrossSellRule, Customer, NewOrder, OrderLine, OrderLineRequest, OrderStatus, PlacedOrder,
    RuleSource,
};
pub use product::{
    pick_translation, CatalogueEntry, Options, Product, ProductFilter, ProductUpsert, Translation,
    ValidationError, Variant, MAX_OPTIONS,
};
pub use sales::{Appointment, Lead, LeadKind, NewAppointment, NewLead};
pub use tenant::{NewTenant, Plan, Tenant, TenantError, TenantSettings, WidgetSettings};

/// Milliseconds since the Unix epoch, UTC: the one timestamp form we store.
pub fn now_ms() -> i64 {
    std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map(|d| d.as_millis() as i64)
        .unwrap_or(0)
}
