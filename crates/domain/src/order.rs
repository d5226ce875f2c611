//! Orders and cross-sell rules: what shoppers bought, and what the merchant wants offered with it.
//!
//! An order line keeps the price paid at the time and the product id it was for; the product may
//! later change or disappear, the history stays.

use crate::Currency;
use rust_decimal::Decimal;
use serde::{Deserialize, Serialize};

/// One line of an order being placed: a variant by sku and how many.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct OrderLineRequest {
    pub sku: String,
    pub quantity: i64,
}

/// One line of a placed order, priced at the variant's price when the order was placed.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct OrderLine {
    pub product_id: String,
    pub sku: String,
    pub quantity: i64,
    #[serde(with = "rust_decimal::serde::str")]
    pub unit_price: Decimal,
    pub currency: Currency,
}

/// An order as stored: its lines (one per sku), their total and where it came from.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct PlacedOrder {
    pub id: String,
    pub lines: Vec<OrderLine>,
    #[serde(with = "rust_decimal::serde::str")]
    pub total: Decimal,
    pub currency: Currency,
    pub status: OrderStatus,
    /// `manual` (bank transfer, pay on delivery) until card providers plug in.
    pub payment_method: String,
    pub customer: Option<Customer>,
    /// The conversation that led to the order, when there was one.
    pub conversation_id: Option<String>,
    /// While awaiting payment: when the reservation lapses and the stock returns (UTC ms).
    pub expires_at: Option<i64>,
    pub created_at: i64,
}

/// Where an order is in its life. Stock is held from placement; `expired` and `cancelled`
/// orders gave it back.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum OrderStatus {
    AwaitingPayment,
    Paid,
    Expired,
    Cancelled,
}

impl OrderStatus {
    pub fn as_str(self) -> &'static str {
        match self {
            OrderStatus::AwaitingPayment => "awaiting_payment",
            OrderStatus::Paid => "paid",
            OrderStatus::Expired => "expired",
            OrderStatus::Cancelled => "cancelled",
        }
    }

    pub fn parse(s: &str) -> Option<OrderStatus> {
        Some(match s {
            "awaiting_payment" => OrderStatus::AwaitingPayment,
            "paid" => OrderStatus::Paid,
            "expired" => OrderStatus::Expired,
            "cancelled" => OrderStatus::Cancelled,
            _ => return None,
        })
    }

    /// Whether a merchant or provider may move an order from `self` to `to`.
    pub fn can_become(self, to: OrderStatus) -> bool {
        use OrderStatus::*;
        matches!(
            (self, to),
            (AwaitingPayment, Paid) | (AwaitingPayment, Cancelled) | (Paid, Cancelled)
        )
    }

    /// Whether the order still holds its stock.
    pub fn holds_stock(self) -> bool {
        matches!(self, OrderStatus::AwaitingPayment | OrderStatus::Paid)
    }
}

/// Who placed an order, as the shopper gave it.
#[derive(Debug, Clone, PartialEq, Eq, Default, Serialize, Deserialize)]
pub struct Customer {
    pub name: Option<String>,
    pub email: Option<String>,
    pub phone: Option<String>,
    pub address: Option<String>,
}

/// An order to place: lines, who, how they pay, how long the stock stays reserved, and the
/// key that makes a repeated request return the first order.
#[derive(Debug, Clone, Default)]
pub struct NewOrder {
    pub lines: Vec<OrderLineRequest>,
    pub customer: Option<Customer>,
    pub payment_method: String,
    pub conversation_id: Option<String>,
    /// When an unpaid order lapses (UTC ms); `None` holds the stock until the merchant acts.
    pub expires_at: Option<i64>,
    pub idempotency_key: Option<String>,
}

/// What triggers a cross-sell rule. Serialised as `{"product": "prod_…"}` or
/// `{"category": "Shoes"}`.
#[derive(Debug, Clone, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum RuleSource {
    /// An internal product id.
    Product(String),
    /// A category name as the merchant typed it (matched case-insensitively).
    Category(String),
}

impl RuleSource {
    /// `product` or `category`, as stored.
    pub fn kind(&self) -> &'static str {
        match self {
            RuleSource::Product(_) => "product",
            RuleSource::Category(_) => "category",
        }
    }

    /// The product id or the category name.
    pub fn value(&self) -> &str {
        match self {
            RuleSource::Product(s) | RuleSource::Category(s) => s,
        }
    }
}

/// "Shoppers looking at `source` should also be offered `target_product_id`."
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct CrossSellRule {
    pub id: String,
    pub source: RuleSource,
    pub target_product_id: String,
    pub created_at: i64,
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::str::FromStr;

    #[test]
    fn serialises_money_as_strings_and_sources_by_kind() {
        let line = OrderLine {
            product_id: "prod_1".into(),
            sku: "A".into(),
            quantity: 2,
            unit_price: Decimal::from_str("12.5").unwrap(),
            currency: Currency::parse("EUR").unwrap(),
        };
        let j = serde_json::to_value(&line).unwrap();
        assert_eq!(j["unit_price"], "12.5");
        assert_eq!(j["currency"], "EUR");
        let s = RuleSource::Category("Shoes".into());
        assert_eq!(
            serde_json::to_string(&s).unwrap(),
            r#"{"category":"Shoes"}"#
        );
        assert_eq!((s.kind(), s.value()), ("category", "Shoes"));
        let back: RuleSource = serde_json::from_str(r#"{"product":"prod_1"}"#).unwrap();
        assert_eq!(back, RuleSource::Product("prod_1".into()));
    }
}
