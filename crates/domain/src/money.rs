//! Money: a decimal amount with an ISO 4217 currency, stored as integer minor units.
//!
//! Floats never touch an amount. Storage keeps minor units (cents) because SQLite's NUMERIC
//! affinity would silently turn "12.30" into a float.

use rust_decimal::Decimal;
use std::fmt;

#[derive(Debug, thiserror::Error, PartialEq, Eq)]
pub enum MoneyError {
    #[error("`{0}` is not an ISO 4217 currency code (three letters, e.g. EUR)")]
    BadCurrency(String),
    #[error("`{0}` is not a decimal amount (use digits and `.`, e.g. 49.90)")]
    NotANumber(String),
    #[error("amount `{0}` is above the largest price accepted (1,000,000,000,000)")]
    AboveMaximum(String),
    #[error("amount {0} is negative")]
    Negative(Decimal),
    #[error("amount {amount} has more decimals than {currency} allows ({exponent})")]
    TooPrecise {
        amount: Decimal,
        currency: String,
        exponent: u32,
    },
    #[error("amount {0} is too large")]
    TooLarge(Decimal),
}

/// An upper-case three-letter ISO 4217 code.
#[derive(Debug, Clone, PartialEq, Eq, Hash, serde::Serialize, serde::Deserialize)]
#[serde(try_from = "String", into = "String")]
pub struct Currency(String);

impl Currency {
    pub fn parse(s: &str) -> Result<Currency, MoneyError> {
        let t = s.trim();
        if t.len() == 3 && t.chars().all(|c| c.is_ascii_alphabetic()) {
            Ok(Currency(t.to_ascii_uppercase()))
        } else {
            Err(MoneyError::BadCurrency(quote(s)))
        }
    }

    pub fn as_str(&self) -> &str {
        &self.0
    }

    /// Decimal places of the minor unit (ISO 4217): 0 for JPY, 3 for KWD, 2 for most.
    pub fn exponent(&self) -> u32 {
        match self.0.as_str() {
            "BIF" | "CLP" | "DJF" | "GNF" | "ISK" | "JPY" | "KMF" | "KRW" | "PYG" | "RWF"
            | "UGX" | "UYI" | "VND" | "VUV" | "XAF" | "XOF" | "XPF" => 0,
            "BHD" | "IQD" | "JOD" | "KWD" | "LYD" | "OMR" | "TND" => 3,
            _ => 2,
        }
    }

    /// Converts a non-negative amount to minor units, refusing sub-minor precision.
    pub fn to_minor(&self, amount: Decimal) -> Result<i64, MoneyError> {
        if amount.is_sign_negative() && !amount.is_zero() {
            return Err(MoneyError::Negative(amount));
        }
        let exp = self.exponent();
        let scaled = amount
            .checked_mul(Decimal::from(10i64.pow(exp)))
            .ok_or(MoneyError::TooLarge(amount))?;
        if scaled.fract() != Decimal::ZERO {
            return Err(MoneyError::TooPrecise {
                amount,
                currency: self.0.clone(),
                exponent: exp,
            });
        }
        i64::try_from(scaled.trunc()).map_err(|_| MoneyError::TooLarge(amount))
    }

    /// The decimal amount of `minor` units, without trailing zeros (`4990` EUR → `49.9`).
    pub fn from_minor(&self, minor: i64) -> Decimal {
        Decimal::new(minor, self.exponent()).normalize()
    }
}

impl TryFrom<String> for Currency {
    type Error = MoneyError;
    fn try_from(s: String) -> Result<Self, MoneyError> {
        Currency::parse(&s)
    }
}

impl From<Currency> for String {
    fn from(c: Currency) -> String {
        c.0
    }
}

impl fmt::Display for Currency {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

/// The largest amount we accept: far above any price, far below `Decimal`'s overflow.
pub const MAX_AMOUNT: i64 = 1_000_000_000_000;

/// An input quoted in an error message, cut so a 50 MB cell never becomes a 50 MB message.
pub fn quote(s: &str) -> String {
    const MAX: usize = 60;
    if s.chars().count() <= MAX {
        s.to_string()
    } else {
        format!("{}…", s.chars().take(MAX).collect::<String>())
    }
}

/// Parses a price as written in catalogues: `49.90`, `49`, ` 1234.5 `. Commas are refused
/// because `1,234` and `12,34` mean different things in different shops.
pub fn parse_amount(s: &str) -> Result<Decimal, MoneyError> {
    let t = s.trim();
    if t.len() > 40 {
        return Err(MoneyError::NotANumber(quote(t)));
    }
    if t.is_empty()
        || !t
            .chars()
            .all(|c| c.is_ascii_digit() || c == '.' || c == '-' || c == '+')
    {
        return Err(MoneyError::NotANumber(quote(s)));
    }
    let d: Decimal = t.parse().map_err(|_| MoneyError::NotANumber(quote(s)))?;
    if d.is_sign_negative() && !d.is_zero() {
        return Err(MoneyError::Negative(d));
    }
    if d > Decimal::from(MAX_AMOUNT) {
        return Err(MoneyError::AboveMaximum(quote(t)));
    }
    Ok(d.normalize())
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::str::FromStr;

    fn d(s: &str) -> Decimal {
        Decimal::from_str(s).unwrap()
    }

    #[test]
    fn round_trips_minor_units() {
        let eur = Currency::parse("eur").unwrap();
        assert_eq!(eur.as_str(), "EUR");
        assert_eq!(eur.to_minor(d("49.90")).unwrap(), 4990);
        assert_eq!(eur.from_minor(4990).to_string(), "49.9");
        assert_eq!(eur.from_minor(5000).to_string(), "50");
        let jpy = Currency::parse("JPY").unwrap();
        assert_eq!(jpy.to_minor(d("1200")).unwrap(), 1200);
        assert!(matches!(
            jpy.to_minor(d("12.5")),
            Err(MoneyError::TooPrecise { .. })
        ));
    }

    #[test]
    fn refuses_bad_amounts() {
        assert!(matches!(parse_amount("-3"), Err(MoneyError::Negative(_))));
        assert!(matches!(
            parse_amount("abc"),
            Err(MoneyError::NotANumber(_))
        ));
        assert!(matches!(
            parse_amount("12,50"),
            Err(MoneyError::NotANumber(_))
        ));
        assert!(matches!(parse_amount(""), Err(MoneyError::NotANumber(_))));
        assert_eq!(parse_amount(" 12.50 ").unwrap().to_string(), "12.5");
        assert!(Currency::parse("EURO").is_err());
        assert!(Currency::parse("€").is_err());
    }

    #[test]
    fn huge_amounts_are_refused_not_wrapped() {
        let eur = Currency::parse("EUR").unwrap();
        assert!(eur.to_minor(d("99999999999999999999")).is_err());
        // Overflowed rust_decimal's multiplication (a panic) before it was checked.
        assert!(matches!(
            eur.to_minor(d("79228162514264337593543950335")),
            Err(MoneyError::TooLarge(_))
        ));
        assert!(matches!(
            parse_amount("10000000000000000000000000000"),
            Err(MoneyError::AboveMaximum(_))
        ));
        assert!(parse_amount("1000000000000").is_ok());
        let long = "9".repeat(5000);
        assert!(parse_amount(&long).unwrap_err().to_string().len() < 200);
    }
}
