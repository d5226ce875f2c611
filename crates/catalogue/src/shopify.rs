//! Shopify product CSV exports, as the Shopify admin writes them (2017 to 2023 templates).
//!
//! A product spans consecutive rows with the same `Handle`: the first carries the product's
//! texts and option names, each further row a variant and/or an image. Shopify exports often
//! have no `Variant SKU`; such variants get a stable sku from the handle and option values.

use crate::csvrow::{self, parse_bool, parse_stock, Row};
use crate::report::RowError;
use crate::{derived_sku, html, ImportError, ImportOptions, Parsed, Sink};
use comptoir_domain::{parse_amount, ProductUpsert, Translation, Variant};
use std::collections::HashMap;
use std::io::Read;

/// A product being assembled from its rows.
struct Pending {
    handle: String,
    line: u64,
    /// Lines of the rows folded in without error.
    ok_lines: Vec<u64>,
    option_names: [String; 3],
    product: ProductUpsert,
    variant_lines: Vec<u64>,
    has_title: bool,
    /// A later block of a handle already imported from this file (a file sorted by hand):
    /// it needs no title of its own.
    continued: bool,
    /// `Status` of the product row (`active`, `draft`, `archived`; empty in old exports).
    status: String,
}

use crate::stopped as abort;

pub fn parse<R: Read>(
    src: R,
    opts: &ImportOptions,
    warnings: &mut Vec<String>,
    sink: &mut Sink<'_>,
) -> Result<(), ImportError> {
    let mut rdr = csvrow::reader(src, opts.delimiter);
    let header = csvrow::header(&mut rdr)?;
    header.require("shopify", &["Handle", "Title", "Variant Price"])?;
    if !header.has("Variant Inventory Qty") {
        warnings.push("no `Variant Inventory Qty` column: stock is imported as not tracked".into());
    }
    // Handles already imported, with their option names, for blocks that come back later.
    let mut done: HashMap<String, ([String; 3], String)> = HashMap::new();
    let mut current: Option<Pending> = None;
    let mut rec = csv::ByteRecord::new();
    while csvrow::next_record(&mut rdr, &mut rec, sink)? {
        let Some(row) = csvrow::data_row(&header, &rec, sink)? else {
            continue;
        };
        let handle = row.get("Handle");
        if handle.is_empty() {
            sink(Parsed::Rejected(RowError::new(
                row.line,
                row.opt("Variant SKU"),
                "Handle is empty",
            )))
            .map_err(abort)?;
            continue;
        }
        if current.as_ref().is_none_or(|c| c.handle != handle) {
            if let Some(finished) = current.take() {
                emit(finished, opts, &mut done, sink)?;
            }
            match ProductUpsert::new(handle) {
                Ok(product) => {
                    let earlier = done.get(handle);
                    current = Some(Pending {
                        handle: handle.to_string(),
                        line: row.line,
                        ok_lines: Vec::new(),
                        option_names: earlier.map(|e| e.0.clone()).unwrap_or_default(),
                        product,
                        variant_lines: Vec::new(),
                        has_title: false,
                        continued: earlier.is_some(),
                        // A later block of a draft is a draft too.
                        status: earlier.map(|e| e.1.clone()).unwrap_or_default(),
                    })
                }
                Err(e) => {
                    sink(Parsed::Rejected(RowError::new(
                        row.line,
                        None,
                        e.to_string(),
                    )))
                    .map_err(abort)?;
                    continue;
                }
            }
        }
        let cur = current.as_mut().expect("set above");
        match apply_row(cur, &row, opts) {
            Ok(()) => cur.ok_lines.push(row.line),
            Err(reason) => sink(Parsed::Rejected(RowError::new(
                row.line,
                row.opt("Variant SKU"),
                reason,
            )))
            .map_err(abort)?,
        }
    }
    if let Some(finished) = current.take() {
        emit(finished, opts, &mut done, sink)?;
    }
    Ok(())
}

/// Hands a finished product on, or refuses its remaining rows when it cannot stand: no title
/// (and not the continuation of an earlier block), or no variant left to sell.
fn emit(
    p: Pending,
    opts: &ImportOptions,
    done: &mut HashMap<String, ([String; 3], String)>,
    sink: &mut Sink<'_>,
) -> Result<(), ImportError> {
    let refusal = if !p.has_title && !p.continued {
        Some(format!("product `{}` has no row with a Title", p.handle))
    } else if p.product.variants.is_empty() && !p.continued {
        Some(format!(
            "product `{}` has no importable variant (see the rows refused above)",
            p.handle
        ))
    } else {
        None
    };
    // The agent must not sell what the merchant has not put on sale.
    if matches!(p.status.as_str(), "draft" | "archived") {
        let reason = format!(
            "product `{}` is {} in Shopify: not for sale",
            p.handle, p.status
        );
        done.insert(p.handle.clone(), (p.option_names.clone(), p.status.clone()));
        for line in p.ok_lines {
            sink(Parsed::Skipped(RowError::new(line, None, reason.clone()))).map_err(abort)?;
        }
        return Ok(());
    }
    if let Some(reason) = refusal {
        // Rows already refused one by one are not counted twice.
        for line in p.ok_lines {
            sink(Parsed::Rejected(RowError::new(line, None, reason.clone()))).map_err(abort)?;
        }
        return Ok(());
    }
    done.insert(p.handle, (p.option_names, p.status));
    sink(Parsed::Product {
        line: p.line,
        rows: p.ok_lines.len() as u64,
        lang: opts.lang.clone(),
        product: p.product,
        variant_lines: p.variant_lines,
    })
    .map_err(abort)
}

/// Folds one row into the product; an error refuses the row (the rest of the product stays).
fn apply_row(cur: &mut Pending, row: &Row<'_>, opts: &ImportOptions) -> Result<(), String> {
    for (i, name) in cur.option_names.iter_mut().enumerate() {
        if let Some(n) = row.opt(&format!("Option{} Name", i + 1)) {
            *name = n.to_string();
        }
    }
    if let Some(status) = row.opt("Status") {
        cur.status = status.to_ascii_lowercase();
    }
    if let Some(title) = row.opt("Title") {
        let category = row.opt("Type").or_else(|| {
            row.opt("Product Category")
                .map(|c| c.rsplit('>').next().unwrap_or(c).trim())
        });
        let tags: Vec<String> = row.get("Tags").split(',').map(str::to_string).collect();
        let t = Translation::new(
            opts.lang.clone(),
            title,
            &html::to_text_checked(row.get("Body (HTML)"))?,
            category,
            tags,
        )
        .map_err(|e| e.to_string())?;
        cur.product.translations = vec![t];
        cur.has_title = true;
        if let Some(v) = row.opt("Vendor") {
            cur.product.brand = Some(v.to_string());
        }
    }
    for col in ["Image Src", "Variant Image"] {
        if let Some(src) = row.opt(col) {
            let imgs = cur.product.images.get_or_insert_with(Vec::new);
            if !imgs.iter().any(|i| i == src) {
                imgs.push(src.to_string());
            }
        }
    }
    let is_variant = row.opt("Variant Price").is_some()
        || row.opt("Option1 Value").is_some()
        || row.opt("Variant SKU").is_some();
    if !is_variant {
        return Ok(());
    }
    let mut options = Vec::new();
    for i in 0..3 {
        let value = row.get(&format!("Option{} Value", i + 1));
        let name = &cur.option_names[i];
        // Shopify's single-variant products say `Title: Default Title`: no real option.
        if value.is_empty() || (name == "Title" && value == "Default Title") {
            continue;
        }
        let name = if name.is_empty() {
            format!("option{}", i + 1)
        } else {
            name.clone()
        };
        options.push((name, value.to_string()));
    }
    let sku = match row.opt("Variant SKU") {
        Some(s) => s.trim_start_matches('\'').to_string(),
        None => {
            let vals: Vec<&str> = options.iter().map(|(_, v)| v.as_str()).collect();
            derived_sku(&cur.handle, &vals)
        }
    };
    let price =
        parse_amount(row.get("Variant Price")).map_err(|e| format!("Variant Price: {e}"))?;
    let compare_at = match row.opt("Variant Compare At Price") {
        Some(c) => Some(parse_amount(c).map_err(|e| format!("Variant Compare At Price: {e}"))?),
        None => None,
    }
    .filter(|c| !c.is_zero());
    // Shopify's CSV docs: a blank tracker means inventory is not tracked (the quantity is then
    // meaningless); `shopify` or a fulfilment service tracks it. The `continue` policy sells
    // past zero, so the quantity does not limit sales either.
    let tracker = row.get("Variant Inventory Tracker");
    let qty = parse_stock(row.get("Variant Inventory Qty"))?;
    let sells_past_zero = row
        .get("Variant Inventory Policy")
        .eq_ignore_ascii_case("continue");
    let stock = if sells_past_zero || tracker.is_empty() {
        None
    } else {
        qty
    };
    let gift = parse_bool(row.get("Gift Card"))?.unwrap_or(false);
    let ships = parse_bool(row.get("Variant Requires Shipping"))?.unwrap_or(true);
    let v = Variant::new(
        &sku,
        options,
        price,
        compare_at,
        opts.currency.clone(),
        stock,
        gift || !ships,
    )
    .map_err(|e| e.to_string())?;
    cur.product.variants.push(v);
    cur.variant_lines.push(row.line);
    Ok(())
}
