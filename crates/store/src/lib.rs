//! Storage: one interface ([`Store`]) and two real backends, SQLite (embedded, the default) and
//! PostgreSQL (scale-out). Handlers never know which one they talk to.
//!
//! Both backends share one body of portable SQL (`sql_store!`), instantiated once per sqlx
//! driver, so a behaviour cannot drift between them; the conformance suite in `tests/` runs the
//! same story on both. Money is stored as integer minor units, time as UTC epoch milliseconds.

mod migrate;
mod sql;
#[cfg(feature = "testing")]
pub mod testing;

use async_trait::async_trait;
use comptoir_domain::{
    ApiKey, Appointment, CatalogueEntry, CrossSellRule, Currency, Lang, Lead, NewApiKey,
    NewAppointment, NewLead, NewOrder, NewTenant, NewUser, OrderLineRequest, OrderStatus,
    PlacedOrder, Product, ProductFilter, ProductUpsert, RuleSource, Tenant, TenantSettings, User,
};
use std::sync::Arc;

pub use sql::{PostgresStore, SqliteStore};

#[derive(Debug, thiserror::Error)]
pub enum StoreError {
    #[error("{0}")]
    Conflict(String),
    /// The request is refused as it stands (unknown sku, bad quantity…); the message says why.
    #[error("{0}")]
    Invalid(String),
    /// An order asked for more than is left; nothing of the order was kept.
    #[error("only {available} left of `{sku}`")]
    InsufficientStock { sku: String, available: i64 },
    #[error("database URL `{0}` is not supported: use sqlite://PATH or postgres://…")]
    UnsupportedUrl(String),
    #[error("cannot reach the database at {url}: {source}")]
    Unreachable {
        url: String,
        #[source]
        source: sqlx::Error,
    },
    #[error("migration {version} failed: {source}")]
    Migration {
        version: i64,
        #[source]
        source: sqlx::Error,
    },
    #[error("stored data is corrupt: {0}")]
    Corrupt(String),
    #[error("database error: {0}")]
    Database(#[from] sqlx::Error),
}

impl StoreError {
    /// The database was too busy to take the write now (SQLite lock timeout, PostgreSQL
    /// deadlock or serialization failure): retrying later will work.
    pub fn is_busy(&self) -> bool {
        let StoreError::Database(e) = self else {
            return false;
        };
        let Some(d) = e.as_database_error() else {
            return false;
        };
        matches!(
            d.code().as_deref(),
            Some("5" | "6" | "517" | "40001" | "40P01")
        )
    }
}

pub type Result<T, E = StoreError> = std::result::Result<T, E>;

/// One page of a list, with the cursor of the next page when there is one.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize)]
pub struct Page<T> {
    pub items: Vec<T>,
    pub next_cursor: Option<String>,
}

/// What a batch upsert did.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, serde::Serialize)]
pub struct UpsertOutcome {
    /// Products in the batch (after merging duplicates).
    pub products: u64,
    /// Variants in the batch.
    pub variants: u64,
    /// Product, text and variant rows actually inserted or changed; 0 on a re-import.
    pub rows_changed: u64,
}

/// A finished catalogue import, as kept for the merchant's history.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize)]
pub struct ImportRecord {
    pub id: String,
    pub tenant_id: String,
    pub format: String,
    pub source: String,
    pub rows_total: i64,
    pub rows_imported: i64,
    pub rows_rejected: i64,
    /// The full report as JSON text (rejected rows with line and reason).
    pub report: String,
    pub created_at: i64,
}

/// A conversation as stored. `state` is the agent's state document (JSON, bounded in size);
/// the store keeps it opaque.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize)]
pub struct ConversationRecord {
    pub id: String,
    pub tenant_id: String,
    /// `web`, `api`, later `whatsapp`, `telegram`…
    pub channel: String,
    pub locale: Option<String>,
    /// `open`, `handoff` (a person takes over) or `closed`.
    pub status: String,
    pub state: String,
    /// Bumped by every saved turn: a save names the version it read.
    pub version: i64,
    pub turns: i64,
    pub lead_score: i64,
    pub created_at: i64,
    pub updated_at: i64,
}

/// A conversation's new state after a turn, saved only if nobody saved since `expected_version`.
#[derive(Debug, Clone)]
pub struct ConversationUpdate<'a> {
    pub id: &'a str,
    pub expected_version: i64,
    pub state: &'a str,
    pub status: &'a str,
    pub locale: Option<&'a str>,
    pub lead_score: i64,
}

/// One turn to append; the JSON documents are the server's business.
#[derive(Debug, Clone)]
pub struct NewTurn {
    /// `{"text": …}` or `{"action": …}`.
    pub input: String,
    pub understanding: Option<String>,
    /// The tool calls the agent made, with their results.
    pub actions: String,
    pub reply: String,
    /// Server-side time the turn took, in microseconds.
    pub server_us: i64,
}

#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize)]
pub struct TurnRecord {
    pub seq: i64,
    pub input: String,
    pub understanding: Option<String>,
    pub actions: String,
    pub reply: String,
    pub server_us: i64,
    pub created_at: i64,
}

/// What the sales agent keeps: conversations and their turns, orders with their life cycle,
/// leads, appointments and the merchant's settings. Same rules as [`Store`]: every method
/// takes the tenant and never reads across tenants.
#[async_trait]
pub trait SalesStore: Send + Sync {
    async fn update_tenant_settings(
        &self,
        tenant_id: &str,
        settings: &TenantSettings,
    ) -> Result<bool>;

    /// (catalogue version, stock version) in one read: the catalogue's moves on every
    /// catalogue write, the stock's on every order, cancellation and expiry.
    async fn versions(&self, tenant_id: &str) -> Result<(i64, i64)>;
    /// Every tracked variant's stock, for caches to refresh after the stock version moved.
    async fn stock_levels(&self, tenant_id: &str) -> Result<Vec<(String, i64)>>;
    /// The newest order's id (ids sort by creation time).
    async fn latest_order_id(&self, tenant_id: &str) -> Result<Option<String>>;
    /// Orders with an id after `after_id`, oldest first, at most `limit`, each as its id and
    /// basket (product id, quantity; variants of one product merged), for caches to count
    /// new orders without re-reading the history.
    async fn orders_after(
        &self,
        tenant_id: &str,
        after_id: &str,
        limit: u32,
    ) -> Result<Vec<(String, Vec<(String, i64)>)>>;

    async fn create_conversation(
        &self,
        tenant_id: &str,
        channel: &str,
        locale: Option<&str>,
        state: &str,
    ) -> Result<ConversationRecord>;
    async fn conversation(&self, tenant_id: &str, id: &str) -> Result<Option<ConversationRecord>>;
    /// The conversation with its tenant's (catalogue, stock) versions, in one read: what a turn
    /// needs before it starts.
    async fn conversation_for_turn(
        &self,
        tenant_id: &str,
        id: &str,
    ) -> Result<Option<(ConversationRecord, (i64, i64))>>;
    /// Saves the state and appends the turn in one transaction, if the conversation is still
    /// at `expected_version`; `Ok(false)` when another turn was saved in between (nothing
    /// written) or the conversation does not exist.
    async fn record_turn(
        &self,
        tenant_id: &str,
        update: &ConversationUpdate<'_>,
        turn: &NewTurn,
    ) -> Result<bool>;
    /// Turns with `seq > after_seq`, oldest first.
    async fn turns(
        &self,
        tenant_id: &str,
        conversation_id: &str,
        after_seq: i64,
        limit: u32,
    ) -> Result<Vec<TurnRecord>>;
    /// Newest first (by last update). With `status`, only the conversations in that status
    /// (`open`, `handoff`, `human`…), filtered before paging: a page holds up to `limit` of
    /// them however many others are newer. `None` or `Some("")`: every status.
    async fn list_conversations(
        &self,
        tenant_id: &str,
        status: Option<&str>,
        cursor: Option<&str>,
        limit: u32,
    ) -> Result<Page<ConversationRecord>>;

    /// Places an order atomically: as [`Store::create_order`], plus the customer, the payment
    /// method and the reservation's expiry. With an idempotency key already used by an order
    /// of this tenant, returns that order and changes nothing.
    async fn place_order(&self, tenant: &Tenant, order: &NewOrder) -> Result<PlacedOrder>;
    async fn order(&self, tenant_id: &str, id: &str) -> Result<Option<PlacedOrder>>;
    /// Newest first.
    async fn list_orders(
        &self,
        tenant_id: &str,
        cursor: Option<&str>,
        limit: u32,
    ) -> Result<Page<PlacedOrder>>;
    /// Orders a conversation placed, newest first.
    async fn conversation_orders(
        &self,
        tenant_id: &str,
        conversation_id: &str,
    ) -> Result<Vec<PlacedOrder>>;
    /// Moves an order on (paid, cancelled); cancelling gives its stock back. A move
    /// [`OrderStatus::can_become`] refuses is [`StoreError::Invalid`]. `None`: no such order.
    async fn set_order_status(
        &self,
        tenant_id: &str,
        id: &str,
        to: OrderStatus,
    ) -> Result<Option<PlacedOrder>>;
    /// Expires every unpaid order whose reservation lapsed at `now_ms` (all tenants) and
    /// returns its stock; returns how many orders expired.
    async fn expire_orders(&self, now_ms: i64) -> Result<u64>;

    async fn add_lead(&self, tenant_id: &str, lead: &NewLead) -> Result<Lead>;
    /// Newest first.
    async fn list_leads(&self, tenant_id: &str, limit: u32) -> Result<Vec<Lead>>;
    /// Books a slot; a start time already booked is a [`StoreError::Conflict`], whatever
    /// runs concurrently.
    async fn book_appointment(
        &self,
        tenant_id: &str,
        appointment: &NewAppointment,
    ) -> Result<Appointment>;
    /// Sets the contact of a booked appointment of this tenant; false if there is none.
    async fn set_appointment_contact(
        &self,
        tenant_id: &str,
        id: &str,
        name: Option<&str>,
        email: Option<&str>,
        phone: Option<&str>,
    ) -> Result<bool>;
    /// Booked appointments starting in `[from_ms, to_ms)`, by start time.
    async fn appointments(
        &self,
        tenant_id: &str,
        from_ms: i64,
        to_ms: i64,
    ) -> Result<Vec<Appointment>>;
}

/// A signed-in admin session: who, acting on which shop, and the form token it must send back.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SessionRecord {
    pub user: User,
    /// The shop the session acts on: the user's own, or the one an operator switched to.
    pub tenant_id: Option<String>,
    pub csrf: String,
    pub created_at: i64,
    pub expires_at: i64,
}

/// What the admin keeps and reads: users, sessions, the shop's identity, the operator's list
/// of shops, and the period reads analytics make.
#[async_trait]
pub trait AdminStore: Send + Sync {
    /// `Conflict` when the email has an account already.
    async fn create_user(&self, new: &NewUser) -> Result<User>;
    /// `email` in normal form (see `comptoir_domain::account::normalise_email`).
    async fn user_by_email(&self, email: &str) -> Result<Option<User>>;
    async fn users(&self, tenant_id: &str) -> Result<Vec<User>>;
    async fn delete_user(&self, tenant_id: &str, id: &str) -> Result<bool>;
    async fn set_password(&self, user_id: &str, hash: &str) -> Result<bool>;

    async fn create_session(
        &self,
        id_hash: &str,
        user_id: &str,
        tenant_id: Option<&str>,
        csrf: &str,
        expires_at: i64,
    ) -> Result<()>;
    /// The unexpired session whose token hashes to `id_hash`.
    async fn session(&self, id_hash: &str, now_ms: i64) -> Result<Option<SessionRecord>>;
    async fn set_session_tenant(&self, id_hash: &str, tenant_id: &str) -> Result<bool>;
    async fn delete_session(&self, id_hash: &str) -> Result<()>;
    /// Logout everywhere: every session of the user.
    async fn delete_user_sessions(&self, user_id: &str) -> Result<u64>;
    async fn delete_expired_sessions(&self, now_ms: i64) -> Result<u64>;

    async fn update_tenant(
        &self,
        tenant_id: &str,
        name: &str,
        currency: &Currency,
        locales: &[Lang],
    ) -> Result<bool>;
    /// The newest live public key's text, for the widget snippet (keys made before version 5
    /// of the schema were not kept: `None`).
    async fn widget_token(&self, tenant_id: &str) -> Result<Option<String>>;
    /// Every shop, by slug (the operator's list).
    async fn list_tenants(&self, limit: u32) -> Result<Vec<Tenant>>;

    /// Conversations started in `[from, to)`, oldest first, at most `limit`.
    async fn conversations_between(
        &self,
        tenant_id: &str,
        from_ms: i64,
        to_ms: i64,
        limit: u32,
    ) -> Result<Vec<ConversationRecord>>;
    /// The turns of these conversations, by conversation then sequence.
    async fn turns_of(
        &self,
        tenant_id: &str,
        conversation_ids: &[String],
    ) -> Result<Vec<(String, TurnRecord)>>;
    /// The last message each of these conversations' shoppers typed, as stored (`{"text": …}`
    /// JSON): the inbox's preview. Conversations without one are absent.
    async fn last_messages(
        &self,
        tenant_id: &str,
        conversation_ids: &[String],
    ) -> Result<Vec<(String, String)>>;
    /// Orders placed in `[from, to)`, with their lines.
    async fn orders_between(
        &self,
        tenant_id: &str,
        from_ms: i64,
        to_ms: i64,
    ) -> Result<Vec<PlacedOrder>>;
}

/// Everything Comptoir keeps. Every method that touches tenant data takes the tenant, and no
/// query reads across tenants: an id of another tenant behaves as an id that does not exist.
#[async_trait]
pub trait Store: SalesStore + AdminStore + Send + Sync + 'static {
    /// `sqlite` or `postgres`.
    fn backend(&self) -> &'static str;
    /// Answers when the database does (readiness).
    async fn ping(&self) -> Result<()>;

    async fn create_tenant(&self, new: &NewTenant) -> Result<Tenant>;
    async fn tenant_by_slug(&self, slug: &str) -> Result<Option<Tenant>>;
    async fn tenant_by_id(&self, id: &str) -> Result<Option<Tenant>>;

    async fn insert_api_key(&self, key: &NewApiKey) -> Result<()>;
    /// The key a presented token hashes to, revoked or not.
    async fn api_key_by_token(&self, token: &str) -> Result<Option<ApiKey>>;
    async fn list_api_keys(&self, tenant_id: &str) -> Result<Vec<ApiKey>>;
    /// Revokes a key of this tenant; false if there is no such live key.
    async fn revoke_api_key(&self, tenant_id: &str, key_id: &str) -> Result<bool>;

    /// Inserts or updates products by external id and variants by sku, in one transaction.
    /// A sku that belonged to another product of the tenant moves to this one.
    async fn upsert_products(
        &self,
        tenant: &Tenant,
        batch: &[ProductUpsert],
    ) -> Result<UpsertOutcome>;
    /// Creates a product; a taken external id or sku is a [`StoreError::Conflict`].
    async fn create_product(
        &self,
        tenant: &Tenant,
        product: &ProductUpsert,
        lang: Option<&Lang>,
    ) -> Result<Product>;
    /// Updates a product; with `replace_variants`, variants not listed are deleted.
    async fn update_product(
        &self,
        tenant: &Tenant,
        id: &str,
        patch: &ProductUpsert,
        replace_variants: bool,
        lang: Option<&Lang>,
    ) -> Result<Option<Product>>;
    async fn product(
        &self,
        tenant: &Tenant,
        id: &str,
        lang: Option<&Lang>,
    ) -> Result<Option<Product>>;
    async fn product_by_external_id(
        &self,
        tenant: &Tenant,
        external_id: &str,
        lang: Option<&Lang>,
    ) -> Result<Option<Product>>;
    async fn list_products(
        &self,
        tenant: &Tenant,
        filter: &ProductFilter,
        lang: Option<&Lang>,
        cursor: Option<&str>,
        limit: u32,
    ) -> Result<Page<Product>>;
    async fn delete_product(&self, tenant: &Tenant, id: &str) -> Result<bool>;
    /// (products, variants) of the tenant.
    async fn count_catalogue(&self, tenant_id: &str) -> Result<(u64, u64)>;
    /// A counter bumped by every write that changes the tenant's catalogue (import, create,
    /// update, delete; an idle re-import leaves it). Caches derived from the catalogue key on it.
    async fn catalogue_version(&self, tenant_id: &str) -> Result<i64>;

    async fn record_import(&self, record: &ImportRecord) -> Result<()>;
    async fn list_imports(&self, tenant_id: &str, limit: u32) -> Result<Vec<ImportRecord>>;
    async fn import(&self, tenant_id: &str, id: &str) -> Result<Option<ImportRecord>>;

    /// Every product of the tenant (or only those ids, of this tenant), with all translations
    /// and variants, in id order. Three queries, not one per product: this is the search
    /// index's rebuild at start (100,000 variants must read in well under 5 s).
    async fn catalogue_entries(
        &self,
        tenant_id: &str,
        ids: Option<&[String]>,
    ) -> Result<Vec<CatalogueEntry>>;
    /// Sets the merchant's search boost (0..=1000 percent, clamped); false if no such product
    /// of the tenant. Bumps the catalogue version.
    async fn set_search_boost(
        &self,
        tenant_id: &str,
        product_id: &str,
        boost_pct: u32,
    ) -> Result<bool>;
    /// Places an order atomically. Lines with the same sku are merged; a quantity outside
    /// 1..=10,000, an unknown sku or variants in different currencies are
    /// [`StoreError::Invalid`]. Tracked stock is decremented with a conditional update, so
    /// concurrent orders never oversell: a line short of stock rolls the whole order back with
    /// [`StoreError::InsufficientStock`]. Unit prices are the variants' current prices.
    /// Bumps the stock version (not the catalogue's).
    async fn create_order(
        &self,
        tenant: &Tenant,
        lines: &[OrderLineRequest],
        conversation_id: Option<&str>,
    ) -> Result<PlacedOrder>;
    /// The product ids and quantities of the tenant's most recent `limit` orders, newest
    /// first, one basket per order (a product bought in several variants appears once, with
    /// the quantities summed), for popularity and bought-together.
    async fn purchase_history(
        &self,
        tenant_id: &str,
        limit: u32,
    ) -> Result<Vec<Vec<(String, i64)>>>;
    /// The target must be a product of this tenant (else `Invalid("unknown product")`), and
    /// so must a source product; a duplicate rule is a [`StoreError::Conflict`].
    async fn add_cross_sell_rule(
        &self,
        tenant_id: &str,
        source: &RuleSource,
        target_product_id: &str,
    ) -> Result<CrossSellRule>;
    /// The tenant's rules, oldest first (by creation time, then id).
    async fn list_cross_sell_rules(&self, tenant_id: &str) -> Result<Vec<CrossSellRule>>;
    /// Deletes a rule of this tenant; false if there is no such rule.
    async fn delete_cross_sell_rule(&self, tenant_id: &str, id: &str) -> Result<bool>;
}

/// Opens the database a URL names, applying pending migrations.
/// `sqlite://path/to/file.db` (created if missing) or `postgres://user@host/db`.
pub async fn open(url: &str) -> Result<Arc<dyn Store>> {
    if url.starts_with("sqlite:") {
        Ok(Arc::new(SqliteStore::open(url).await?))
    } else if url.starts_with("postgres://") || url.starts_with("postgresql://") {
        Ok(Arc::new(PostgresStore::open(url).await?))
    } else {
        Err(StoreError::UnsupportedUrl(redact(url)))
    }
}

/// A URL fit for logs and errors: any password (in the authority or as a `password=`
/// parameter) is replaced by `***`.
pub fn redact(url: &str) -> String {
    // The query starts at the first `?` after the credentials (a password may hold `?`).
    let after_at = url.rfind('@').map_or(0, |i| i + 1);
    let (head, query) = match url[after_at..].find('?') {
        Some(q) => (&url[..after_at + q], Some(&url[after_at + q + 1..])),
        None => (url, None),
    };
    let mut out = match head.split_once("://") {
        // The last `@` ends the credentials: a password may itself contain `@`.
        Some((scheme, rest)) => match rest.rsplit_once('@') {
            Some((creds, host)) => match creds.split_once(':') {
                Some((user, _)) => format!("{scheme}://{user}:***@{host}"),
                None => head.to_string(),
            },
            None => head.to_string(),
        },
        None => head.to_string(),
    };
    if let Some(q) = query {
        let params: Vec<String> = q
            .split('&')
            .map(|p| match p.split_once('=') {
                Some((k, _)) if k.eq_ignore_ascii_case("password") => format!("{k}=***"),
                _ => p.to_string(),
            })
            .collect();
        out.push('?');
        out.push_str(&params.join("&"));
    }
    out
}

#[cfg(test)]
mod tests {
    #[test]
    fn redacts_passwords() {
        assert_eq!(
            super::redact("postgres://u:secret@h/db"),
            "postgres://u:***@h/db"
        );
        assert_eq!(super::redact("postgres://u@h/db"), "postgres://u@h/db");
        assert_eq!(
            super::redact("postgres://u:p@ss@h/db"),
            "postgres://u:***@h/db"
        );
        assert_eq!(
            super::redact("postgres://u@h/db?password=s3cret&sslmode=disable"),
            "postgres://u@h/db?password=***&sslmode=disable"
        );
    }
}
