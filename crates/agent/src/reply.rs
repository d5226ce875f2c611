//! What the shopper gets back: text, product cards, quick replies, the cart, an order, a form.
//! These are the shapes of the conversation API's `reply` and `cart` objects.

use comptoir_domain::{pick_translation, CatalogueEntry, Lang as DomainLang, PlacedOrder};
use rust_decimal::Decimal;
use serde::{Deserialize, Serialize};

use crate::state::Cart;

#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct Reply {
    pub text: String,
    pub products: Vec<ProductCard>,
    pub quick_replies: Vec<QuickReply>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub order: Option<OrderSummary>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub form: Option<Form>,
}

impl Reply {
    /// Adds a sentence to the text.
    pub fn say(&mut self, sentence: impl AsRef<str>) {
        let s = sentence.as_ref().trim();
        if s.is_empty() {
            return;
        }
        if !self.text.is_empty() {
            // Texts from the merchant may lack the final stop.
            if !self
                .text
                .ends_with(['.', '!', '?', ':', '…', ')', '"', '»'])
            {
                self.text.push('.');
            }
            self.text.push(' ');
        }
        self.text.push_str(s);
    }
}

/// A product as a card: the variant shown, its live price and stock.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct ProductCard {
    pub sku: String,
    pub product_id: String,
    pub title: String,
    /// "Red / M" when the product has options.
    pub variant: Option<String>,
    pub price: String,
    pub currency: String,
    pub compare_at_price: Option<String>,
    pub in_stock: bool,
    /// Units left; `null` when not tracked.
    pub stock: Option<i64>,
    pub image: Option<String>,
    pub digital: bool,
}

impl ProductCard {
    /// The card of `sku` (a variant of `entry`), texts in `lang`.
    pub fn of(
        entry: &CatalogueEntry,
        sku: &str,
        lang: &DomainLang,
        default: &DomainLang,
    ) -> Option<ProductCard> {
        let v = entry.variants.iter().find(|v| v.sku == sku)?;
        let t = pick_translation(&entry.translations, Some(lang), default);
        Some(ProductCard {
            sku: v.sku.clone(),
            product_id: entry.id.clone(),
            title: t
                .map(|t| t.title.clone())
                .unwrap_or_else(|| entry.external_id.clone()),
            variant: variant_label(&v.options.0),
            price: decimal(v.price),
            currency: v.currency.as_str().to_string(),
            compare_at_price: v.compare_at_price.filter(|c| *c > v.price).map(decimal),
            in_stock: v.stock.is_none_or(|s| s > 0),
            stock: v.stock.map(|s| s.max(0)),
            image: entry.images.first().cloned(),
            digital: v.digital,
        })
    }
}

/// "Red / M"; `None` for a product without options.
pub fn variant_label(options: &[(String, String)]) -> Option<String> {
    let parts: Vec<&str> = options
        .iter()
        .map(|(_, v)| v.as_str())
        .filter(|v| !v.is_empty())
        .collect();
    (!parts.is_empty()).then(|| parts.join(" / "))
}

/// A decimal without trailing zeros, as the API writes amounts (`69.9`).
pub fn decimal(d: Decimal) -> String {
    d.normalize().to_string()
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct QuickReply {
    pub label: String,
    /// Sent back as `{"type": "quick_reply", "payload": …}`.
    pub payload: String,
}

#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct CartView {
    pub items: Vec<CartItemView>,
    pub total: String,
    pub currency: String,
    pub count: i64,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct CartItemView {
    pub sku: String,
    pub product_id: String,
    pub title: String,
    pub variant: Option<String>,
    pub quantity: i64,
    pub unit_price: String,
    pub line_total: String,
}

impl CartView {
    pub fn of(cart: &Cart, shop_currency: &str) -> CartView {
        let mut total = Decimal::ZERO;
        let items = cart
            .lines
            .iter()
            .map(|l| {
                let unit: Decimal = l.unit_price.parse().unwrap_or_default();
                let line = unit * Decimal::from(l.quantity);
                total += line;
                CartItemView {
                    sku: l.sku.clone(),
                    product_id: l.product_id.clone(),
                    title: l.title.clone(),
                    variant: l.variant.clone(),
                    quantity: l.quantity,
                    unit_price: decimal(unit),
                    line_total: decimal(line),
                }
            })
            .collect();
        CartView {
            items,
            total: decimal(total),
            currency: cart
                .lines
                .first()
                .map(|l| l.currency.clone())
                .unwrap_or_else(|| shop_currency.to_string()),
            count: cart.count(),
        }
    }
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct OrderSummary {
    pub id: String,
    pub status: String,
    pub total: String,
    pub currency: String,
    pub lines: Vec<OrderLineView>,
    pub payment_method: String,
    pub payment_instructions: Option<String>,
    pub payment_url: Option<String>,
    /// RFC 3339, UTC: when an unpaid reservation lapses.
    pub expires_at: Option<String>,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct OrderLineView {
    pub sku: String,
    pub quantity: i64,
    pub unit_price: String,
}

impl OrderSummary {
    pub fn of(o: &PlacedOrder) -> OrderSummary {
        OrderSummary {
            id: o.id.clone(),
            status: o.status.as_str().to_string(),
            total: decimal(o.total),
            currency: o.currency.as_str().to_string(),
            lines: o
                .lines
                .iter()
                .map(|l| OrderLineView {
                    sku: l.sku.clone(),
                    quantity: l.quantity,
                    unit_price: decimal(l.unit_price),
                })
                .collect(),
            payment_method: o.payment_method.clone(),
            payment_instructions: None,
            payment_url: None,
            expires_at: o
                .expires_at
                .and_then(|ms| chrono::DateTime::from_timestamp_millis(ms).map(|t| t.to_rfc3339())),
        }
    }
}

/// A form the widget shows: the fields the agent still needs.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Form {
    /// `checkout`, `lead`, `appointment`.
    pub kind: String,
    pub fields: Vec<String>,
}
