//! Catalogue import: the generic CSV and JSON of PRODUCT.md, Shopify and WooCommerce product
//! CSV exports as those tools write them, and DummyJSON / Saleor JSON dumps.
//!
//! Every format is parsed by a push parser that hands [`Parsed`] items to a sink, in constant
//! memory; [`collect::Collector`] rejects duplicate skus and groups items into batches, and
//! [`import::run`] feeds the batches to a [`comptoir_store::Store`] while parsing goes on on a
//! blocking thread.

pub mod collect;
pub mod csvrow;
pub mod encoding;
pub mod format;
pub mod generic;
pub mod html;
pub mod import;
pub mod json;
pub mod report;
pub mod shopify;
pub mod woocommerce;

pub use format::Format;
pub use import::{run, ImportSource, Progress};
pub use report::{Report, RowError};

use comptoir_domain::{Currency, Lang, ProductUpsert};

/// What the parsers need from the tenant: the defaults for what a file does not say.
#[derive(Debug, Clone)]
pub struct ImportOptions {
    pub currency: Currency,
    pub lang: Lang,
    /// CSV field separator: `,`, or `;` / tab as spreadsheets in many locales write them
    /// (detected from the header line).
    pub delimiter: u8,
}

/// One thing a parser found.
#[derive(Debug, Clone)]
pub enum Parsed {
    /// A product (possibly partial: a variation row) built from `rows` source rows;
    /// `variant_lines[i]` is the line of `product.variants[i]`. `lang` is the language of the
    /// rows (a sku may appear once per language), even when they carry no texts.
    Product {
        line: u64,
        rows: u64,
        lang: Lang,
        product: ProductUpsert,
        variant_lines: Vec<u64>,
    },
    /// A row that could not be imported, with why.
    Rejected(RowError),
    /// A row deliberately not imported (a WooCommerce grouped product), with why.
    Skipped(RowError),
}

/// Why a whole file cannot be imported (as opposed to a bad row).
#[derive(Debug, thiserror::Error)]
pub enum ImportError {
    #[error("the file is empty")]
    Empty,
    #[error("cannot tell the file's format: {0}. Pass --format generic|shopify|woocommerce|json|dummyjson|saleor")]
    UnknownFormat(String),
    #[error("the {format} header lacks required column(s): {missing}")]
    MissingColumns {
        format: &'static str,
        missing: String,
    },
    #[error("invalid JSON at line {line}, column {column}: {message}")]
    Json {
        line: usize,
        column: usize,
        message: String,
    },
    #[error("read error: {0}")]
    Io(#[from] std::io::Error),
    #[error("CSV error: {0}")]
    Csv(String),
    #[error("storage error while importing: {0}")]
    Store(#[from] comptoir_store::StoreError),
    #[error("import stopped: {0}")]
    Aborted(String),
    #[error("the file is too large: {0}")]
    TooLarge(String),
}

impl From<serde_json::Error> for ImportError {
    fn from(e: serde_json::Error) -> Self {
        if e.is_io() {
            return ImportError::Io(e.into());
        }
        ImportError::Json {
            line: e.line(),
            column: e.column(),
            message: e.to_string(),
        }
    }
}

/// A sink refusing more items (the consumer has gone): the parser stops.
#[derive(Debug)]
pub struct Stop;

pub type Sink<'a> = dyn FnMut(Parsed) -> Result<(), Stop> + 'a;

/// The error a parser returns when its sink refuses more.
pub(crate) fn stopped(_: Stop) -> ImportError {
    ImportError::Aborted("consumer stopped".into())
}

/// The current UTC time as `YYYY-MM-DD HH:MM:SS`, to compare with dates in exports.
pub fn utc_now_stamp() -> String {
    let secs = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map_or(0, |d| d.as_secs() as i64);
    utc_stamp(secs)
}

/// `YYYY-MM-DD HH:MM:SS` of a Unix time (Howard Hinnant's civil-from-days).
pub fn utc_stamp(secs: i64) -> String {
    let (days, rem) = (secs.div_euclid(86_400), secs.rem_euclid(86_400));
    let z = days + 719_468;
    let era = z.div_euclid(146_097);
    let doe = z - era * 146_097;
    let yoe = (doe - doe / 1_460 + doe / 36_524 - doe / 146_096) / 365;
    let doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    let mp = (5 * doy + 2) / 153;
    let d = doy - (153 * mp + 2) / 5 + 1;
    let m = if mp < 10 { mp + 3 } else { mp - 9 };
    let y = yoe + era * 400 + i64::from(m <= 2);
    format!(
        "{y:04}-{m:02}-{d:02} {:02}:{:02}:{:02}",
        rem / 3600,
        rem % 3600 / 60,
        rem % 60
    )
}

/// A stable sku for a variant that has none: the product key and its option values, slugged
/// (`ocean-blue-shirt` + `S`, `Blue` → `ocean-blue-shirt-s-blue`). Re-importing derives the same.
pub fn derived_sku(product_key: &str, option_values: &[&str]) -> String {
    let mut parts = vec![slug(product_key)];
    for v in option_values {
        let s = slug(v);
        if !s.is_empty() && !v.eq_ignore_ascii_case("Default Title") {
            parts.push(s);
        }
    }
    let sku = parts.join("-");
    if sku.chars().count() <= 120 {
        return sku;
    }
    use sha2::Digest;
    let h = hex::encode(&sha2::Sha256::digest(sku.as_bytes())[..4]);
    let head: String = sku.chars().take(110).collect();
    format!("{head}-{h}")
}

/// Lower-case ASCII-ish slug: letters and digits kept (accents too), the rest becomes `-`.
fn slug(s: &str) -> String {
    let mut out = String::new();
    let mut dash = false;
    for c in s.trim().chars().flat_map(char::to_lowercase) {
        if c.is_alphanumeric() {
            out.push(c);
            dash = false;
        } else if !dash && !out.is_empty() {
            out.push('-');
            dash = true;
        }
    }
    out.trim_end_matches('-').to_string()
}

#[cfg(test)]
mod tests {
    use super::derived_sku;

    #[test]
    fn utc_stamps() {
        assert_eq!(super::utc_stamp(0), "1970-01-01 00:00:00");
        assert_eq!(super::utc_stamp(951_782_400), "2000-02-29 00:00:00");
        assert_eq!(
            super::utc_stamp(1_795_608_000 + 3_723),
            "2026-11-25 13:02:03"
        );
    }

    #[test]
    fn derived_skus_are_stable_and_readable() {
        assert_eq!(
            derived_sku("ocean-blue-shirt", &["S", "Blue"]),
            "ocean-blue-shirt-s-blue"
        );
        assert_eq!(derived_sku("floor-lamp", &["Default Title"]), "floor-lamp");
        assert_eq!(
            derived_sku("t", &["Lithograph - Height: 9\" x Width: 12\""]),
            "t-lithograph-height-9-x-width-12"
        );
        let long = "x".repeat(300);
        let a = derived_sku(&long, &[]);
        assert_eq!(a, derived_sku(&long, &[]));
        assert!(a.chars().count() <= 120);
    }
}
