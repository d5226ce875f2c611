//! Amounts in reports: integer minor units plus the exact decimal in the major unit. No float
//! ever holds money here.

use rust_decimal::prelude::ToPrimitive;
use rust_decimal::{Decimal, RoundingStrategy};
use serde::Serialize;

/// An amount of one currency.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Money {
    /// Minor units (cents).
    pub minor: i64,
    /// ISO 4217 code.
    pub currency: String,
    /// The same amount in the major unit, with the currency's decimals (`49.90`); serialised
    /// as a string.
    pub amount: Decimal,
}

/// Decimal places of the minor unit (ISO 4217), as `comptoir_domain::Currency::exponent`.
pub fn exponent(currency: &str) -> u32 {
    match currency {
        "BIF" | "CLP" | "DJF" | "GNF" | "ISK" | "JPY" | "KMF" | "KRW" | "PYG" | "RWF" | "UGX"
        | "UYI" | "VND" | "VUV" | "XAF" | "XOF" | "XPF" => 0,
        "BHD" | "IQD" | "JOD" | "KWD" | "LYD" | "OMR" | "TND" => 3,
        _ => 2,
    }
}

impl Money {
    pub fn from_minor(minor: i64, currency: &str) -> Money {
        Money {
            minor,
            currency: currency.to_string(),
            amount: Decimal::new(minor, exponent(currency)),
        }
    }

    /// `sum / count` rounded half away from zero to the minor unit; `None` when `count` is 0.
    pub fn average(sum_minor: i64, count: u64, currency: &str) -> Option<Money> {
        if count == 0 {
            return None;
        }
        let avg = (Decimal::from(sum_minor) / Decimal::from(count))
            .round_dp_with_strategy(0, RoundingStrategy::MidpointAwayFromZero);
        let minor = avg.to_i64().unwrap_or(i64::MAX);
        Some(Money::from_minor(minor, currency))
    }

    /// `49.90 EUR`.
    pub fn display(&self) -> String {
        format!("{} {}", self.amount, self.currency)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn minor_units_become_decimals_of_the_currency() {
        assert_eq!(Money::from_minor(4990, "EUR").amount.to_string(), "49.90");
        assert_eq!(Money::from_minor(1200, "JPY").amount.to_string(), "1200");
        assert_eq!(Money::from_minor(1500, "KWD").amount.to_string(), "1.500");
        assert_eq!(Money::from_minor(5, "EUR").display(), "0.05 EUR");
        assert_eq!(
            serde_json::to_value(Money::from_minor(4990, "EUR")).unwrap()["amount"],
            "49.90"
        );
    }

    #[test]
    fn averages_round_half_away_from_zero() {
        // (1000 + 1000 + 1001) / 3 = 1000.33 → 1000
        assert_eq!(Money::average(3001, 3, "EUR").unwrap().minor, 1000);
        // 2001 / 2 = 1000.5 → 1001
        assert_eq!(Money::average(2001, 2, "EUR").unwrap().minor, 1001);
        assert_eq!(Money::average(0, 0, "EUR"), None);
    }
}
