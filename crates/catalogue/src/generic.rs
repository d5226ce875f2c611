//! The generic catalogue of PRODUCT.md: one row per variant (and per language), as CSV or as
//! JSON objects with the same field names.

use crate::csvrow::{self, parse_bool, parse_stock};
use crate::report::RowError;
use crate::{derived_sku, html, ImportError, ImportOptions, Parsed, Sink};
use comptoir_domain::{parse_amount, Currency, Lang, ProductUpsert, Translation, Variant};
use std::io::Read;

/// The columns of the contract.
pub const COLUMNS: &[&str] = &[
    "sku",
    "product_id",
    "title",
    "description",
    "category",
    "brand",
    "price",
    "currency",
    "compare_at_price",
    "stock",
    "tags",
    "image_url",
    "option1_name",
    "option1_value",
    "option2_name",
    "option2_value",
    "option3_name",
    "option3_value",
    "digital",
    "lang",
];

/// Builds the product of one generic row, with the row's language; the error is the reason
/// the row is refused.
pub fn to_product(
    get: &dyn Fn(&str) -> String,
    opts: &ImportOptions,
) -> Result<(ProductUpsert, Lang), (Option<String>, String)> {
    let sku_in = get("sku");
    let pid_in = get("product_id");
    let sku_ref = Some(sku_in.clone()).filter(|s| !s.is_empty());
    let err = |m: String| (sku_ref.clone(), m);
    if sku_in.is_empty() && pid_in.is_empty() {
        return Err(err("sku and product_id are both empty".into()));
    }
    let mut options = Vec::new();
    for i in 1..=3 {
        let name = get(&format!("option{i}_name"));
        let value = get(&format!("option{i}_value"));
        if !name.is_empty() || !value.is_empty() {
            if name.is_empty() {
                return Err(err(format!(
                    "option{i}_value `{}` has no option{i}_name",
                    comptoir_domain::money::quote(&value)
                )));
            }
            options.push((name, value));
        }
    }
    let product_id = if pid_in.is_empty() {
        sku_in.clone()
    } else {
        pid_in.clone()
    };
    let sku = if sku_in.is_empty() {
        let vals: Vec<&str> = options.iter().map(|(_, v)| v.as_str()).collect();
        derived_sku(&product_id, &vals)
    } else {
        sku_in.clone()
    };
    let lang = match get("lang").as_str() {
        "" => opts.lang.clone(),
        l => Lang::parse(l).ok_or_else(|| {
            err(format!(
                "lang `{}` is not a two-letter language code",
                comptoir_domain::money::quote(l)
            ))
        })?,
    };
    let currency = match get("currency").as_str() {
        "" => opts.currency.clone(),
        c => Currency::parse(c).map_err(|e| err(e.to_string()))?,
    };
    let price_s = get("price");
    if price_s.is_empty() {
        return Err(err("price is empty".into()));
    }
    // A `;`- or tab-separated file comes from a spreadsheet in a locale whose decimal point
    // is a comma (`12,50`); in a comma-separated file a comma in a price stays ambiguous.
    let local = |v: &str| -> String {
        if opts.delimiter == b',' {
            v.to_string()
        } else {
            csvrow::decimal_point(v).into_owned()
        }
    };
    let price = parse_amount(&local(&price_s)).map_err(|e| err(format!("price: {e}")))?;
    let compare_at = match get("compare_at_price").as_str() {
        "" => None,
        c => Some(parse_amount(&local(c)).map_err(|e| err(format!("compare_at_price: {e}")))?),
    }
    .filter(|c| !c.is_zero());
    let stock = parse_stock(&get("stock")).map_err(err)?;
    let digital = parse_bool(&get("digital"))
        .map_err(|e| err(format!("digital: {e}")))?
        .unwrap_or(false);
    let variant = Variant::new(&sku, options, price, compare_at, currency, stock, digital)
        .map_err(|e| err(e.to_string()))?;

    let mut p = ProductUpsert::new(&product_id).map_err(|e| err(e.to_string()))?;
    if lang != opts.lang {
        p.options_lang = Some(lang.clone());
    }
    let title = get("title");
    if title.is_empty() {
        if pid_in.is_empty() {
            return Err(err("title is empty".into()));
        }
        // A variant row of a product titled on another row.
    } else {
        let tags: Vec<String> = get("tags").split('|').map(str::to_string).collect();
        let category = get("category");
        let description = html::to_text_checked(&get("description")).map_err(&err)?;
        let t = Translation::new(
            lang.clone(),
            &title,
            &description,
            Some(category.as_str()),
            tags,
        )
        .map_err(|e| err(e.to_string()))?;
        p.translations.push(t);
    }
    let brand = get("brand");
    if !brand.is_empty() {
        p.brand = Some(brand);
    }
    let images: Vec<String> = get("image_url")
        .split('|')
        .map(str::trim)
        .filter(|s| !s.is_empty())
        .map(str::to_string)
        .collect();
    if !images.is_empty() {
        p.images = Some(images);
    }
    p.variants.push(variant);
    Ok((p, lang))
}

/// Parses a generic CSV.
pub fn parse_csv<R: Read>(
    src: R,
    opts: &ImportOptions,
    warnings: &mut Vec<String>,
    sink: &mut Sink<'_>,
) -> Result<(), ImportError> {
    let mut rdr = csvrow::reader(src, opts.delimiter);
    let header = csvrow::header(&mut rdr)?;
    header.require("generic", &["title", "price"])?;
    if !header.has("sku") && !header.has("product_id") {
        return Err(ImportError::MissingColumns {
            format: "generic",
            missing: "sku or product_id".into(),
        });
    }
    let unknown: Vec<&str> = header
        .names()
        .iter()
        .filter(|n| !COLUMNS.contains(&n.to_lowercase().as_str()))
        .map(String::as_str)
        .collect();
    if !unknown.is_empty() {
        warnings.push(format!("unknown column(s) ignored: {}", unknown.join(", ")));
    }
    let mut rec = csv::ByteRecord::new();
    while csvrow::next_record(&mut rdr, &mut rec, sink)? {
        let Some(row) = csvrow::data_row(&header, &rec, sink)? else {
            continue;
        };
        let item = match to_product(&|k| row.get(k).to_string(), opts) {
            Ok((product, lang)) => Parsed::Product {
                line: row.line,
                rows: 1,
                lang,
                product,
                variant_lines: vec![row.line],
            },
            Err((sku, reason)) => Parsed::Rejected(RowError::new(row.line, sku.as_deref(), reason)),
        };
        sink(item).map_err(crate::stopped)?;
    }
    Ok(())
}
