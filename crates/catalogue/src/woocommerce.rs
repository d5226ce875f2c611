//! WooCommerce product CSV exports (Products → Export), as WooCommerce writes them.
//!
//! Types: `simple` and `external` are one product with one variant; `variable` is a product
//! whose variants are later `variation` rows pointing at it through `Parent` (`id:44` or the
//! parent's SKU); `grouped` only bundles other products and is skipped; `downloadable` and
//! `virtual` make a variant digital. Variations seen before their parent wait for it.
//!
//! The exporter's own escapes are undone: newlines in descriptions written as a literal `\n`
//! (and a literal `\n` as `\\n`), commas inside list items (categories, tags, images,
//! attribute values) as `\,`, a `'` put before values starting with `=`, `+`, `-` or `@`
//! (spreadsheet formula guard), prices written with the shop's decimal separator (`12,50` in
//! a French shop), and `parent` as the stock of a variation whose parent manages it.

use crate::csvrow::{self, parse_stock, Row};
use crate::report::RowError;
use crate::{derived_sku, html, ImportError, ImportOptions, Parsed, Sink};
use comptoir_domain::{parse_amount, ProductUpsert, Translation, Variant};
use rust_decimal::Decimal;
use std::collections::HashMap;
use std::io::Read;

use crate::stopped as abort;

/// A variation waiting for its parent row.
struct Waiting {
    line: u64,
    variant: Variant,
    /// Its own name, to title the product if the parent never comes.
    name: String,
    /// Its stock is the parent's (`Stock` = `parent`).
    parent_stock: bool,
}

/// A variable product already seen: its external id and its stock (for `parent` stock).
struct Parent {
    ext: String,
    stock: Option<i64>,
    /// Index into `variable` (for the "no variations" check).
    index: usize,
}

/// WooCommerce writes its export headers in the shop admin's language. The French ones
/// (the merchants we serve first), mapped to the English names the parser reads.
pub const FRENCH_HEADERS: &[(&str, &str)] = &[
    ("UGS", "SKU"),
    ("Nom", "Name"),
    ("Publié", "Published"),
    ("Description courte", "Short description"),
    ("En stock ?", "In stock?"),
    ("Tarif promo", "Sale price"),
    ("Tarif régulier", "Regular price"),
    ("Catégories", "Categories"),
    ("Étiquettes", "Tags"),
    ("Date de début de la promo", "Date sale price starts"),
    ("Date de fin de la promo", "Date sale price ends"),
    ("Marques", "Brands"),
];

/// A cell without the exporter's formula guard (`'-2` → `-2`, `'@home` → `@home`).
fn cell<'r>(row: &'r Row<'_>, name: &str) -> &'r str {
    unguard(row.get(name))
}

fn cell_opt<'r>(row: &'r Row<'_>, name: &str) -> Option<&'r str> {
    Some(cell(row, name)).filter(|s| !s.is_empty())
}

fn unguard(s: &str) -> &str {
    match s.strip_prefix('\'') {
        Some(rest) if rest.starts_with(['=', '+', '-', '@', '\t', '\r']) => rest,
        _ => s,
    }
}

/// A description as written by the exporter: literal `\n` are newlines, `\\n` a literal `\n`.
fn unescape_newlines(s: &str) -> String {
    if !s.contains('\\') {
        return s.to_string();
    }
    let mut out = String::with_capacity(s.len());
    let mut rest = s;
    while let Some(i) = rest.find('\\') {
        out.push_str(&rest[..i]);
        let after = &rest[i..];
        if let Some(r) = after.strip_prefix("\\\\n") {
            out.push_str("\\n");
            rest = r;
        } else if let Some(r) = after.strip_prefix("\\n") {
            out.push('\n');
            rest = r;
        } else {
            out.push('\\');
            rest = &after[1..];
        }
    }
    out.push_str(rest);
    out
}

/// A list cell (`a, b\, c, d`): items split on unescaped commas, `\,` made a comma again.
fn split_list(s: &str) -> Vec<String> {
    let mut items = Vec::new();
    let mut cur = String::new();
    let mut chars = s.chars().peekable();
    while let Some(c) = chars.next() {
        match c {
            '\\' if chars.peek() == Some(&',') => {
                cur.push(',');
                chars.next();
            }
            ',' => items.push(std::mem::take(&mut cur)),
            _ => cur.push(c),
        }
    }
    items.push(cur);
    items
        .into_iter()
        .map(|i| i.trim().to_string())
        .filter(|i| !i.is_empty())
        .collect()
}

/// A price as exported: the shop's decimal separator may be a comma (`wc_format_localized_price`
/// never adds thousands separators, so a lone comma is the decimal point).
fn amount(col: &str, v: &str) -> Result<Decimal, String> {
    parse_amount(&csvrow::decimal_point(v.trim())).map_err(|e| format!("{col}: {e}"))
}

/// The external id a `Parent` reference gives a product whose parent row never came.
fn orphan_external_id(parent_ref: &str) -> String {
    match parent_ref.strip_prefix("id:") {
        Some(id) => format!("woo-{}", id.trim()),
        None => parent_ref.to_string(),
    }
}

pub fn parse<R: Read>(
    src: R,
    opts: &ImportOptions,
    warnings: &mut Vec<String>,
    sink: &mut Sink<'_>,
) -> Result<(), ImportError> {
    let mut rdr = csvrow::reader(src, opts.delimiter);
    let mut header = csvrow::header(&mut rdr)?;
    for (alias, canonical) in FRENCH_HEADERS {
        header.alias(alias, canonical);
    }
    for i in 1..=3 {
        header.alias(
            &format!("Nom de l'attribut {i}"),
            &format!("Attribute {i} name"),
        );
        header.alias(
            &format!("Valeur(s) de l'attribut {i}"),
            &format!("Attribute {i} value(s)"),
        );
        header.alias(
            &format!("URL de téléchargement {i}"),
            &format!("Download {i} URL"),
        );
    }
    header.require("woocommerce", &["Type", "Name", "Regular price"])?;
    // Parent references (`id:44`, parent SKU) → the variable product, for parents already seen.
    let mut parents: HashMap<String, Parent> = HashMap::new();
    // Variable products in file order: (external id, line, variations attached).
    let mut variable: Vec<(String, u64, u64)> = Vec::new();
    let mut waiting: HashMap<String, Vec<Waiting>> = HashMap::new();
    // References of parents skipped as drafts: their variations are skipped too.
    let mut unpublished: std::collections::HashSet<String> = std::collections::HashSet::new();
    let mut rec = csv::ByteRecord::new();
    while csvrow::next_record(&mut rdr, &mut rec, sink)? {
        let Some(row) = csvrow::data_row(&header, &rec, sink)? else {
            continue;
        };
        let types: Vec<String> = split_list(cell(&row, "Type"))
            .into_iter()
            .map(|t| t.to_ascii_lowercase())
            .collect();
        let has = |t: &str| types.iter().any(|x| x == t);
        let sku = cell_opt(&row, "SKU");
        // Published: 1 live, 0 private (a disabled variation), -1 draft. The agent must not
        // sell what the merchant has not put on sale.
        let published = cell(&row, "Published");
        let parent_unpublished = has("variation") && unpublished.contains(cell(&row, "Parent"));
        if published == "0" || published == "-1" || parent_unpublished {
            let reason = if parent_unpublished {
                "variation of a product that is not published: not for sale".to_string()
            } else {
                format!("not published (Published = {published}): not for sale")
            };
            if !has("variation") {
                let mut refs = vec![format!("id:{}", cell(&row, "ID"))];
                refs.extend(sku.map(str::to_string));
                for r in refs {
                    for w in waiting.remove(&r).unwrap_or_default() {
                        sink(Parsed::Skipped(RowError::new(
                            w.line,
                            Some(&w.variant.sku),
                            "variation of a product that is not published: not for sale",
                        )))
                        .map_err(abort)?;
                    }
                    unpublished.insert(r);
                }
            }
            sink(Parsed::Skipped(RowError::new(row.line, sku, reason))).map_err(abort)?;
            continue;
        }
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
            let parent_ref = cell(&row, "Parent");
            if parent_ref.is_empty() {
                sink(Parsed::Rejected(RowError::new(
                    row.line,
                    sku,
                    "variation without a Parent",
                )))
                .map_err(abort)?;
                continue;
            }
            let (mut variant, parent_stock) = match variant_of(&row, opts, &types, parent_ref) {
                Ok(v) => v,
                Err(reason) => {
                    sink(Parsed::Rejected(RowError::new(row.line, sku, reason))).map_err(abort)?;
                    continue;
                }
            };
            match parents.get(parent_ref) {
                Some(parent) => {
                    if parent_stock && parent.stock.is_some() {
                        variant.stock = parent.stock;
                    }
                    variable[parent.index].2 += 1;
                    let mut p = ProductUpsert::new(&parent.ext).expect("non-empty external id");
                    p.variants.push(variant);
                    sink(Parsed::Product {
                        line: row.line,
                        rows: 1,
                        lang: opts.lang.clone(),
                        product: p,
                        variant_lines: vec![row.line],
                    })
                    .map_err(abort)?;
                }
                None => waiting
                    .entry(parent_ref.to_string())
                    .or_default()
                    .push(Waiting {
                        line: row.line,
                        variant,
                        name: cell(&row, "Name").to_string(),
                        parent_stock,
                    }),
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
            let stock = match parse_stock(cell(&row, "Stock")) {
                Ok(s) => s,
                Err(reason) => {
                    sink(Parsed::Rejected(RowError::new(row.line, sku, reason))).map_err(abort)?;
                    continue;
                }
            };
            let index = variable.len();
            let mut attached = 0;
            let mut refs = Vec::new();
            if let Some(id) = cell_opt(&row, "ID") {
                refs.push(format!("id:{id}"));
            }
            if let Some(s) = sku {
                refs.push(s.to_string());
            }
            for r in refs {
                for mut w in waiting.remove(&r).unwrap_or_default() {
                    if w.parent_stock && stock.is_some() {
                        w.variant.stock = stock;
                    }
                    product.variants.push(w.variant);
                    lines.push(w.line);
                    rows += 1;
                    attached += 1;
                }
                parents.insert(
                    r,
                    Parent {
                        ext: ext.clone(),
                        stock,
                        index,
                    },
                );
            }
            variable.push((ext.clone(), row.line, attached));
        } else {
            match variant_of(&row, opts, &types, &ext) {
                Ok((v, _)) => {
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
            lang: opts.lang.clone(),
            product,
            variant_lines: lines,
        })
        .map_err(abort)?;
    }
    // Variations whose parent never came: import them under their parent reference, titled
    // from their own name ("V-Neck T-Shirt - Red" → "V-Neck T-Shirt"), rather than lose them.
    let mut orphans: Vec<(String, Vec<Waiting>)> = waiting.into_iter().collect();
    orphans.sort_by_key(|(_, w)| w.first().map_or(0, |x| x.line));
    for (parent_ref, vars) in orphans {
        let first_line = vars.first().map_or(0, |x| x.line);
        let mut p =
            ProductUpsert::new(&orphan_external_id(&parent_ref)).expect("non-empty parent ref");
        let name = vars.first().map(|x| x.name.clone()).unwrap_or_default();
        let title = name.rsplit_once(" - ").map_or(name.as_str(), |(t, _)| t);
        if let Ok(t) = Translation::new(opts.lang.clone(), title, "", None, vec![]) {
            p.translations.push(t);
        }
        let mut lines = Vec::new();
        let rows = vars.len() as u64;
        for w in vars {
            p.variants.push(w.variant);
            lines.push(w.line);
        }
        sink(Parsed::Product {
            line: first_line,
            rows,
            lang: opts.lang.clone(),
            product: p,
            variant_lines: lines,
        })
        .map_err(abort)?;
    }
    let bare: Vec<String> = variable
        .iter()
        .filter(|(_, _, n)| *n == 0)
        .map(|(ext, line, _)| format!("{ext} (line {line})"))
        .collect();
    if !bare.is_empty() {
        let shown: Vec<&str> = bare.iter().take(10).map(String::as_str).collect();
        warnings.push(format!(
            "{} variable product(s) have no variation in this file and cannot be bought: {}{}",
            bare.len(),
            shown.join(", "),
            if bare.len() > shown.len() {
                ", …"
            } else {
                ""
            }
        ));
    }
    Ok(())
}

/// `woo-<ID>` when the export has ids (stable across renames), else the SKU or the name.
fn external_id(row: &Row<'_>) -> String {
    match (cell_opt(row, "ID"), cell_opt(row, "SKU")) {
        (Some(id), _) => format!("woo-{id}"),
        (None, Some(sku)) => sku.to_string(),
        (None, None) => derived_sku(cell(row, "Name"), &[]),
    }
}

fn product_of(row: &Row<'_>, opts: &ImportOptions, ext: &str) -> Result<ProductUpsert, String> {
    let mut p = ProductUpsert::new(ext).map_err(|e| e.to_string())?;
    let long = html::to_text_checked(&unescape_newlines(cell(row, "Description")))?;
    let short = html::to_text_checked(&unescape_newlines(cell(row, "Short description")))?;
    let description = match (short.is_empty(), long.is_empty()) {
        (false, false) => format!("{short}\n{long}"),
        (true, _) => long,
        (false, true) => short,
    };
    // `Clothing > Tshirts, Clothing`: the first category, its most specific level.
    let category = split_list(cell(row, "Categories"))
        .into_iter()
        .next()
        .map(|c| c.rsplit('>').next().unwrap_or(&c).trim().to_string());
    let tags = split_list(cell(row, "Tags"));
    p.translations.push(
        Translation::new(
            opts.lang.clone(),
            cell(row, "Name"),
            &description,
            category.as_deref(),
            tags,
        )
        .map_err(|e| e.to_string())?,
    );
    let images = split_list(cell(row, "Images"));
    if !images.is_empty() {
        p.images = Some(images);
    }
    if let Some(b) = cell_opt(row, "Brands").or_else(|| cell_opt(row, "Brand")) {
        if let Some(first) = split_list(b).into_iter().next() {
            p.brand = Some(first);
        }
    }
    Ok(p)
}

/// A date cell as `YYYY-MM-DD HH:MM:SS`, completing a bare date with `time`; `None` when it is
/// not in that form (a date retyped by a spreadsheet, `15/01/2027`): such a bound is ignored.
fn stamp(d: &str, time: &str) -> Option<String> {
    let d = d.trim().replace('T', " ");
    let shape_ok = |s: &str, pattern: &str| {
        s.len() == pattern.len()
            && s.bytes().zip(pattern.bytes()).all(|(c, p)| {
                if p == b'9' {
                    c.is_ascii_digit()
                } else {
                    c == p
                }
            })
    };
    if shape_ok(&d, "9999-99-99") {
        Some(format!("{d} {time}"))
    } else if shape_ok(&d, "9999-99-99 99:99:99") {
        Some(d)
    } else if shape_ok(&d, "9999-99-99 99:99") {
        Some(format!("{d}:00"))
    } else {
        None
    }
}

/// The variant of a row, and whether its stock is its parent's (`Stock` = `parent`).
fn variant_of(
    row: &Row<'_>,
    opts: &ImportOptions,
    types: &[String],
    product_key: &str,
) -> Result<(Variant, bool), String> {
    let regular = cell_opt(row, "Regular price");
    // A scheduled sale counts only between its dates (WooCommerce writes `YYYY-MM-DD HH:MM:SS`).
    let now = crate::utc_now_stamp();
    let started = cell_opt(row, "Date sale price starts")
        .and_then(|d| stamp(d, "00:00:00"))
        .is_none_or(|d| d <= now);
    let not_ended = cell_opt(row, "Date sale price ends")
        .and_then(|d| stamp(d, "23:59:59"))
        .is_none_or(|d| d >= now);
    let sale = cell_opt(row, "Sale price").filter(|_| started && not_ended);
    let (price, compare_at): (Decimal, Option<Decimal>) = match (sale, regular) {
        (Some(s), Some(r)) => (amount("Sale price", s)?, Some(amount("Regular price", r)?)),
        (None, Some(r)) => (amount("Regular price", r)?, None),
        (Some(s), None) => (amount("Sale price", s)?, None),
        (None, None) => return Err("no price (Regular price is empty)".into()),
    };
    // A sale price equal to (or above) the regular one is no reduction.
    let compare_at = compare_at.filter(|c| *c > price);
    let is_variation = types.iter().any(|t| t == "variation");
    let mut options = Vec::new();
    for i in 1..=3 {
        let name = cell(row, &format!("Attribute {i} name"));
        let values = split_list(cell(row, &format!("Attribute {i} value(s)")));
        // On a simple product a multi-value attribute ("Blue, Green") is a description, not a
        // choice; a variation has one value per attribute (none: "any").
        if !name.is_empty() && values.len() == 1 {
            options.push((name.to_string(), values[0].clone()));
        } else if !name.is_empty() && is_variation && values.len() > 1 {
            options.push((name.to_string(), values.join(", ")));
        }
    }
    let sku = match cell_opt(row, "SKU") {
        Some(s) => s.to_string(),
        None => {
            let vals: Vec<&str> = options.iter().map(|(_, v)| v.as_str()).collect();
            let key = cell_opt(row, "ID")
                .map_or_else(|| product_key.to_string(), |id| format!("woo-{id}"));
            derived_sku(&key, &vals)
        }
    };
    let stock_cell = cell(row, "Stock");
    let parent_stock = is_variation && stock_cell.eq_ignore_ascii_case("parent");
    let stock = match if parent_stock {
        None
    } else {
        parse_stock(stock_cell)?
    } {
        Some(n) => Some(n),
        // `In stock?` 0 with no quantity: out of stock; 1 or `backorder`: always available.
        None if cell(row, "In stock?") == "0" => Some(0),
        None => None,
    };
    let digital = types.iter().any(|t| t == "downloadable" || t == "virtual")
        || cell_opt(row, "Download 1 URL").is_some();
    let v = Variant::new(
        &sku,
        options,
        price,
        compare_at,
        opts.currency.clone(),
        stock,
        digital,
    )
    .map_err(|e| e.to_string())?;
    Ok((v, parent_stock))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn exporter_escapes() {
        assert_eq!(unguard("'-2"), "-2");
        assert_eq!(unguard("'@home"), "@home");
        assert_eq!(unguard("'quoted'"), "'quoted'");
        assert_eq!(unescape_newlines("a\\nb\\\\nc"), "a\nb\\nc");
        assert_eq!(unescape_newlines("C:\\temp"), "C:\\temp");
        assert_eq!(split_list("a, b\\, c,, d "), ["a", "b, c", "d"]);
        assert_eq!(amount("p", "12,50").unwrap().to_string(), "12.5");
        assert!(amount("p", "1,234,5").is_err());
        assert_eq!(orphan_external_id("id:44"), "woo-44");
        assert_eq!(orphan_external_id("tee"), "tee");
    }
}
