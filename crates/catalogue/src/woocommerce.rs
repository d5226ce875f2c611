//! WooCommerce product CSV exports (Products → Export), as WooCommerce writes them.
//!
//! Types: `simple` and `external` are one product with one variant; `variable` is a product
//! whose variants are later `variation` rows pointing at it through `Parent` (`id:44` or the
//! parent's SKU); `grouped` only bundles other products and is skipped; `downloadable` and
//! `virtual` make a variant digital. Variations seen before their parent wait for it.

use crate::csvrow::{self, parse_stock, Header, Row};
use crate::report::RowError;
use crate::{derived_sku, html, ImportError, ImportOptions, Parsed, Sink};
use comptoir_domain::{parse_amount, ProductUpsert, Translation, Variant};
use rust_decimal::Decimal;
use std::collections::HashMap;
use std::io::Read;

fn abort(_: crate::Stop) -> ImportError {
    ImportError::Aborted("consumer stopped".into())
}

/// A variation waiting for its parent row: (line, variant, fallback title).
type Waiting = (u64, Variant, String);

pub fn parse<R: Read>(
    src: R,
    opts: &ImportOptions,
    _warnings: &mut Vec<String>,
    sink: &mut Sink<'_>,
) -> Result<(), ImportError> {
    let mut rdr = csvrow::reader(src);
    let mut rec = csv::ByteRecord::new();
    if !rdr
        .read_byte_record(&mut rec)
        .map_err(|e| ImportError::Csv(e.to_string()))?
    {
        return Err(ImportError::Empty);
    }
    let header = Header::new(&rec);
    if let Some(missing) = header.missing(&["Type", "Name", "Regular price"]) {
        return Err(ImportError::MissingColumns {
            format: "woocommerce",
            missing,
        });
    }
    // Parent references (`id:44`, parent SKU) → external id, for parents already seen.
    let mut parents: HashMap<String, String> = HashMap::new();
    let mut waiting: HashMap<String, Vec<Waiting>> = HashMap::new();
    loop {
        match rdr.read_byte_record(&mut rec) {
            Ok(true) => {}
            Ok(false) => break,
            Err(e) => {
                let line = e.position().map_or(0, |p| p.line());
                sink(Parsed::Rejected(RowError::new(
                    line,
                    None,
                    format!("unreadable row: {e}"),
                )))
                .map_err(abort)?;
                continue;
            }
        }
        if rec.iter().all(|f| f.iter().all(u8::is_ascii_whitespace)) {
            continue;
        }
        let row = match Row::new(&header, &rec) {
            Ok(r) => r,
            Err(e) => {
                sink(Parsed::Rejected(e)).map_err(abort)?;
                continue;
            }
        };
        let types: Vec<String> = row
            .get("Type")
            .split(',')
            .map(|t| t.trim().to_ascii_lowercase())
            .collect();
        let has = |t: &str| types.iter().any(|x| x == t);
        let sku = row.opt("SKU");
        if has("grouped") {
            sink(Parsed::Skipped(RowError::new(
                row.line,
                sku,
                "grouped product: its member products import on their own",
            )))
            .map_err(abort)?;
            continue;
        }
        if has("variation") {
            let parent_ref = row.get("Parent");
            if parent_ref.is_empty() {
                sink(Parsed::Rejected(RowError::new(
                    row.line,
                    sku,
                    "variation without a Parent",
                )))
                .map_err(abort)?;
                continue;
            }
            let variant = match variant_of(&row, opts, &types, parent_ref) {
                Ok(v) => v,
                Err(reason) => {
                    sink(Parsed::Rejected(RowError::new(row.line, sku, reason))).map_err(abort)?;
                    continue;
                }
            };
            match parents.get(parent_ref) {
                Some(ext) => {
                    let mut p = ProductUpsert::new(ext).expect("non-empty external id");
                    p.variants.push(variant);
                    sink(Parsed::Product {
                        line: row.line,
                        rows: 1,
                        product: p,
                        variant_lines: vec![row.line],
                    })
                    .map_err(abort)?;
                }
                None => waiting.entry(parent_ref.to_string()).or_default().push((
                    row.line,
                    variant,
                    row.get("Name").to_string(),
                )),
            }
            continue;
        }
        let ext = external_id(&row);
        let mut product = match product_of(&row, opts, &ext) {
            Ok(p) => p,
            Err(reason) => {
                sink(Parsed::Rejected(RowError::new(row.line, sku, reason))).map_err(abort)?;
                continue;
            }
        };
        let mut lines = Vec::new();
        let mut rows = 1;
        if has("variable") {
            let mut refs = Vec::new();
            if let Some(id) = row.opt("ID") {
                refs.push(format!("id:{id}"));
            }
            if let Some(s) = sku {
                refs.push(s.to_string());
            }
            for r in refs {
                parents.insert(r.clone(), ext.clone());
                for (line, v, _) in waiting.remove(&r).unwrap_or_default() {
                    product.variants.push(v);
                    lines.push(line);
                    rows += 1;
                }
            }
        } else {
            match variant_of(&row, opts, &types, &ext) {
                Ok(v) => {
                    product.variants.push(v);
                    lines.push(row.line);
                }
                Err(reason) => {
                    sink(Parsed::Rejected(RowError::new(row.line, sku, reason))).map_err(abort)?;
                    continue;
                }
            }
        }
        sink(Parsed::Product {
            line: row.line,
            rows,
            product,
            variant_lines: lines,
        })
        .map_err(abort)?;
    }
    // Variations whose parent never came: import them under their parent reference, titled
    // from their own name ("V-Neck T-Shirt - Red" → "V-Neck T-Shirt"), rather than lose them.
    let mut orphans: Vec<(String, Vec<Waiting>)> = waiting.into_iter().collect();
    orphans.sort_by_key(|(_, w)| w.first().map_or(0, |x| x.0));
    for (parent_ref, vars) in orphans {
        let first_line = vars.first().map_or(0, |x| x.0);
        let mut p = ProductUpsert::new(&parent_ref).expect("non-empty parent ref");
        let name = vars.first().map(|x| x.2.clone()).unwrap_or_default();
        let title = name.rsplit_once(" - ").map_or(name.as_str(), |(t, _)| t);
        if let Ok(t) = Translation::new(opts.lang.clone(), title, "", None, vec![]) {
            p.translations.push(t);
        }
        let mut lines = Vec::new();
        let rows = vars.len() as u64;
        for (line, v, _) in vars {
            p.variants.push(v);
            lines.push(line);
        }
        sink(Parsed::Product {
            line: first_line,
            rows,
            product: p,
            variant_lines: lines,
        })
        .map_err(abort)?;
    }
    Ok(())
}

/// `woo-<ID>` when the export has ids (stable across renames), else the SKU or the name.
fn external_id(row: &Row<'_>) -> String {
    match (row.opt("ID"), row.opt("SKU")) {
        (Some(id), _) => format!("woo-{id}"),
        (None, Some(sku)) => sku.to_string(),
        (None, None) => derived_sku(row.get("Name"), &[]),
    }
}

fn product_of(row: &Row<'_>, opts: &ImportOptions, ext: &str) -> Result<ProductUpsert, String> {
    let mut p = ProductUpsert::new(ext).map_err(|e| e.to_string())?;
    let long = html::to_text(row.get("Description"));
    let short = html::to_text(row.get("Short description"));
    let description = match (short.is_empty(), long.is_empty()) {
        (false, false) => format!("{short}\n{long}"),
        (true, _) => long,
        (false, true) => short,
    };
    // `Clothing > Tshirts, Clothing`: the first category, its most specific level.
    let category = row
        .opt("Categories")
        .and_then(|c| c.split(',').next())
        .map(|c| c.rsplit('>').next().unwrap_or(c).trim());
    let tags: Vec<String> = row.get("Tags").split(',').map(str::to_string).collect();
    p.translations.push(
        Translation::new(
            opts.lang.clone(),
            row.get("Name"),
            &description,
            category,
            tags,
        )
        .map_err(|e| e.to_string())?,
    );
    let images: Vec<String> = row
        .get("Images")
        .split(',')
        .map(str::trim)
        .filter(|s| !s.is_empty())
        .map(str::to_string)
        .collect();
    if !images.is_empty() {
        p.images = Some(images);
    }
    if let Some(b) = row.opt("Brands").or_else(|| row.opt("Brand")) {
        p.brand = Some(b.split(',').next().unwrap_or(b).trim().to_string());
    }
    Ok(p)
}

fn variant_of(
    row: &Row<'_>,
    opts: &ImportOptions,
    types: &[String],
    product_key: &str,
) -> Result<Variant, String> {
    let regular = row.opt("Regular price");
    let sale = row.opt("Sale price");
    let parse = |col: &str, v: &str| parse_amount(v).map_err(|e| format!("{col}: {e}"));
    let (price, compare_at): (Decimal, Option<Decimal>) = match (sale, regular) {
        (Some(s), Some(r)) => (parse("Sale price", s)?, Some(parse("Regular price", r)?)),
        (None, Some(r)) => (parse("Regular price", r)?, None),
        (Some(s), None) => (parse("Sale price", s)?, None),
        (None, None) => return Err("no price (Regular price is empty)".into()),
    };
    let mut options = Vec::new();
    for i in 1..=3 {
        let name = row.get(&format!("Attribute {i} name"));
        let value = row.get(&format!("Attribute {i} value(s)"));
        // On a simple product a multi-value attribute ("Blue, Green") is a description, not a choice.
        if !name.is_empty()
            && !value.is_empty()
            && (types.iter().any(|t| t == "variation") || !value.contains(','))
        {
            options.push((name.to_string(), value.to_string()));
        }
    }
    let sku = match row.opt("SKU") {
        Some(s) => s.to_string(),
        None => {
            let vals: Vec<&str> = options.iter().map(|(_, v)| v.as_str()).collect();
            let key = row
                .opt("ID")
                .map_or_else(|| product_key.to_string(), |id| format!("woo-{id}"));
            derived_sku(&key, &vals)
        }
    };
    let stock = match parse_stock(row.get("Stock"))? {
        Some(n) => Some(n),
        // `In stock?` 0 with no quantity: out of stock; 1 or `backorder`: always available.
        None if row.get("In stock?") == "0" => Some(0),
        None => None,
    };
    let digital = types.iter().any(|t| t == "downloadable" || t == "virtual")
        || row.opt("Download 1 URL").is_some();
    Variant::new(
        &sku,
        options,
        price,
        compare_at,
        opts.currency.clone(),
        stock,
        digital,
    )
    .map_err(|e| e.to_string())
}
