//! The catalogue in the admin: the product list with search and stock badges, a product's
//! page (title, description, and each variant's price and stock), and catalogue file uploads
//! streamed into the same import pipeline as `POST /v1/catalogue/imports`.

use super::auth::Admin;
use super::views::url_encode;
use super::{AdminError, Page};
use crate::api::imports::{run_import, ChunkSource};
use crate::error::ApiError;
use crate::state::AppState;
use axum::body::Bytes;
use axum::extract::multipart::{Field, Multipart, MultipartRejection};
use axum::extract::{DefaultBodyLimit, Path, Query, State};
use axum::http::{header, HeaderMap, StatusCode};
use axum::response::{IntoResponse, Redirect};
use axum::routing::post;
use axum::{Form, Router};
use comptoir_catalogue::Format;
use comptoir_domain::{
    parse_amount, CatalogueEntry, Product, ProductFilter, ProductUpsert, Tenant, Translation,
    Variant,
};
use comptoir_search::{Filters, SearchRequest};
use minijinja::{context, Value};
use serde::Deserialize;
use std::collections::HashMap;

/// The largest catalogue file the admin takes (the API and the CLI take bigger ones).
pub const ADMIN_IMPORT_MAX_BYTES: u64 = 50 * 1024 * 1024;
/// Room for the form's other fields and multipart framing around the file.
const FORM_OVERHEAD_BYTES: u64 = 64 * 1024;
/// Longest text field of the upload form (`_csrf`, `format`, `return`).
const MAX_TEXT_FIELD: usize = 2048;
/// Products per page of the list.
const PAGE_SIZE: u32 = 50;
/// Deepest search page (as the API's search).
const MAX_SEARCH_OFFSET: usize = 1_000;
/// At or under this many units in stock (and above 0), a product is "low".
const LOW_STOCK: i64 = 5;
/// Rejected rows shown on the page after an import.
const LISTED_REJECTIONS: usize = 100;
/// Bytes looked at to tell a text catalogue from anything else.
const SNIFF_BYTES: usize = 1024;

/// The upload route: no 1 MiB body limit (the handler counts the file itself, up to
/// [`ADMIN_IMPORT_MAX_BYTES`], and never holds it in memory).
pub fn import_router() -> Router<AppState> {
    Router::new()
        .route("/admin/catalogue/import", post(import))
        .layer(DefaultBodyLimit::disable())
        .layer(axum::middleware::from_fn(super::views::with_lang))
}

#[derive(Debug, Deserialize, Default)]
pub struct ListQuery {
    q: Option<String>,
    cursor: Option<String>,
    /// `in` or `out`: only products that can (cannot) be bought now.
    stock: Option<String>,
    /// An import of this shop to report on.
    import: Option<String>,
}

pub async fn list(State(st): State<AppState>, admin: Admin, Query(q): Query<ListQuery>) -> Page {
    render_list(&st, &admin, &q, None, StatusCode::OK).await
}

/// One product as a row of the list.
fn product_row(p: &Product) -> Value {
    let tracked: Vec<i64> = p.variants.iter().filter_map(|v| v.stock).collect();
    let untracked = p.variants.iter().any(|v| v.stock.is_none());
    let total: i64 = tracked.iter().sum();
    let in_stock = p.variants.iter().any(Variant::in_stock);
    let state = if !in_stock {
        "out"
    } else if !untracked && total <= LOW_STOCK {
        "low"
    } else {
        "ok"
    };
    let cheapest = p.variants.iter().min_by_key(|v| v.price);
    let dearest = p.variants.iter().max_by_key(|v| v.price);
    let minor = |v: Option<&Variant>| v.and_then(|v| v.currency.to_minor(v.price).ok());
    context! {
        id => &p.id,
        external_id => &p.external_id,
        title => &p.title,
        brand => &p.brand,
        category => &p.category,
        variants => p.variants.len(),
        price_min => minor(cheapest),
        price_max => minor(dearest),
        currency => cheapest.map(|v| v.currency.as_str().to_string()),
        stock => (!tracked.is_empty()).then_some(total),
        untracked,
        stock_state => state,
    }
}

fn bad_cursor() -> AdminError {
    AdminError::new(
        StatusCode::BAD_REQUEST,
        "This page link is not valid (cursor); go back to the first page.",
    )
}

/// The list page, with an upload error or the report of the import named in the query.
async fn render_list(
    st: &AppState,
    admin: &Admin,
    q: &ListQuery,
    error: Option<String>,
    status: StatusCode,
) -> Page {
    let tenant = admin.shop()?;
    let lang = tenant.default_locale().clone();
    let text =
        q.q.as_deref()
            .map(str::trim)
            .unwrap_or_default()
            .to_string();
    let in_stock = match q.stock.as_deref() {
        Some("in") => Some(true),
        Some("out") => Some(false),
        _ => None,
    };
    let (rows, next_cursor, total) = if text.is_empty() {
        if let Some(c) = &q.cursor {
            if c.len() > 64 || !c.chars().all(|ch| ch.is_ascii_alphanumeric() || ch == '_') {
                return Err(bad_cursor());
            }
        }
        let filter = ProductFilter {
            in_stock,
            ..ProductFilter::default()
        };
        let page = st
            .store
            .list_products(
                tenant,
                &filter,
                Some(&lang),
                q.cursor.as_deref().filter(|c| !c.is_empty()),
                PAGE_SIZE,
            )
            .await?;
        let rows: Vec<Value> = page.items.iter().map(product_row).collect();
        (rows, page.next_cursor, None)
    } else {
        if text.len() > 512 {
            return Err(AdminError::new(
                StatusCode::UNPROCESSABLE_ENTITY,
                "The search is too long (512 characters at most).",
            ));
        }
        let offset = match q.cursor.as_deref() {
            None | Some("") => 0,
            Some(c) => c
                .parse::<usize>()
                .ok()
                .filter(|o| *o <= MAX_SEARCH_OFFSET)
                .ok_or_else(bad_cursor)?,
        };
        let tenant_index = st.search.index(st.store.as_ref(), tenant).await?;
        let index = tenant_index.read();
        let mut req = SearchRequest::new(&text);
        req.limit = PAGE_SIZE as usize;
        req.offset = offset;
        req.filters = Filters {
            in_stock,
            ..Filters::default()
        };
        let res = index.search(&req);
        let to_row = |e: &CatalogueEntry| product_row(&e.to_product(Some(&lang), &lang));
        let mut rows = Vec::new();
        // A sku typed as is finds its product first.
        let by_sku = (offset == 0).then(|| index.entry_of_sku(&text)).flatten();
        if let Some(e) = by_sku {
            rows.push(to_row(e));
        }
        for h in &res.hits {
            if by_sku.is_some_and(|e| e.id == h.product_id) {
                continue;
            }
            if let Some(e) = index.entry(&h.product_id) {
                rows.push(to_row(e));
            }
        }
        let next = offset + res.hits.len();
        let next_cursor = (next < res.total && next <= MAX_SEARCH_OFFSET).then(|| next.to_string());
        (rows, next_cursor, Some(res.total))
    };
    let mut params = String::new();
    if !text.is_empty() {
        params.push_str(&format!("&q={}", url_encode(&text)));
    }
    if let Some(s) = q.stock.as_deref().filter(|s| matches!(*s, "in" | "out")) {
        params.push_str(&format!("&stock={s}"));
    }
    let next_url =
        next_cursor.map(|c| format!("/admin/catalogue?cursor={}{params}", url_encode(&c)));
    let first_url = q
        .cursor
        .as_deref()
        .is_some_and(|c| !c.is_empty())
        .then(|| format!("/admin/catalogue?{}", params.trim_start_matches('&')));
    let report = match q
        .import
        .as_deref()
        .filter(|i| !i.is_empty() && i.len() <= 64)
    {
        Some(id) => st
            .store
            .import(&tenant.id, id)
            .await?
            .map(|r| import_report(&r)),
        None => None,
    };
    let recent: Vec<Value> = st
        .store
        .list_imports(&tenant.id, 5)
        .await?
        .iter()
        .map(|r| {
            context! {
                id => &r.id, source => &r.source, format => &r.format, created_at => r.created_at,
                rows_total => r.rows_total, rows_imported => r.rows_imported, rows_rejected => r.rows_rejected,
            }
        })
        .collect();
    let (products, variants) = st.store.count_catalogue(&tenant.id).await?;
    let mut res = st.admin.views.page(
        "catalogue.html",
        Some(admin),
        context! {
            nav => "catalogue",
            q => &text,
            stock => q.stock.as_deref().unwrap_or(""),
            products => rows,
            total,
            next_url,
            first_url,
            counts => context! { products, variants },
            report,
            recent,
            formats => ["auto", "generic", "shopify", "woocommerce", "json"],
            max_mib => ADMIN_IMPORT_MAX_BYTES / (1024 * 1024),
            low_stock => LOW_STOCK,
            error,
        },
    )?;
    *res.status_mut() = status;
    Ok(res)
}

/// An import's report for the page: counts and the first rejected rows.
fn import_report(r: &comptoir_store::ImportRecord) -> Value {
    let report: serde_json::Value = serde_json::from_str(&r.report).unwrap_or_default();
    let rows = |key: &str| -> Vec<Value> {
        report[key]
            .as_array()
            .map(|a| {
                a.iter()
                    .take(LISTED_REJECTIONS)
                    .map(|e| {
                        context! {
                            line => e["line"].as_u64(),
                            sku => e["sku"].as_str(),
                            reason => e["reason"].as_str().unwrap_or(""),
                        }
                    })
                    .collect()
            })
            .unwrap_or_default()
    };
    let warnings: Vec<String> = report["warnings"]
        .as_array()
        .map(|a| {
            a.iter()
                .filter_map(|w| w.as_str().map(str::to_string))
                .collect()
        })
        .unwrap_or_default();
    context! {
        id => &r.id,
        source => &r.source,
        format => &r.format,
        encoding => report["encoding"].as_str(),
        created_at => r.created_at,
        rows_total => r.rows_total,
        rows_imported => r.rows_imported,
        rows_rejected => r.rows_rejected,
        rows_skipped => report["rows_skipped"].as_u64().unwrap_or(0),
        products => report["products"].as_u64(),
        variants => report["variants"].as_u64(),
        rejected => rows("rejected"),
        skipped => rows("skipped"),
        more_rejected => (r.rows_rejected as usize).saturating_sub(LISTED_REJECTIONS.min(r.rows_rejected as usize)),
        warnings,
    }
}

/// A path inside the admin to go back to after an import (the onboarding wizard's step), or
/// `None`: never another site, never a character that cannot go in a header.
fn safe_return(ret: Option<&str>) -> Option<String> {
    let r = ret?.trim();
    let ok = r.starts_with("/admin/")
        && r.len() <= 200
        && !r.starts_with("//")
        && !r.contains("://")
        && !r.contains("/../")
        && r.bytes()
            .all(|b| b.is_ascii_alphanumeric() || b"/-_.~?=&%+".contains(&b));
    ok.then(|| r.to_string())
}

/// A small text field of the upload form, refused past [`MAX_TEXT_FIELD`] bytes.
async fn small_text(mut field: Field<'_>) -> Result<String, AdminError> {
    let mut buf = Vec::new();
    while let Some(chunk) = field.chunk().await.map_err(form_error)? {
        buf.extend_from_slice(&chunk);
        if buf.len() > MAX_TEXT_FIELD {
            return Err(AdminError::new(
                StatusCode::PAYLOAD_TOO_LARGE,
                "A form field is too long.",
            ));
        }
    }
    String::from_utf8(buf)
        .map_err(|_| AdminError::new(StatusCode::BAD_REQUEST, "A form field is not valid text."))
}

fn form_error(e: axum::extract::multipart::MultipartError) -> AdminError {
    let status = e.status();
    let status = if status.is_server_error() {
        StatusCode::BAD_REQUEST
    } else {
        status
    };
    AdminError::new(
        status,
        format!("The upload could not be read: {}", e.body_text()),
    )
}

fn too_large() -> String {
    format!(
        "The file is larger than {} MiB, the most the admin takes. Import bigger catalogues with \
         the API (POST /v1/catalogue/imports) or the `comptoir import` command.",
        ADMIN_IMPORT_MAX_BYTES / (1024 * 1024)
    )
}

const NOT_A_CATALOGUE: &str = "This is not a CSV or JSON catalogue file";

/// Why the first bytes (and the name) of a file show it is no text catalogue, if they do.
fn not_a_catalogue(name: &str, head: &[u8]) -> Option<String> {
    let lower = name.to_ascii_lowercase();
    let ext = lower.rsplit_once('.').map(|(_, e)| e).unwrap_or("");
    const BINARY_EXT: &[&str] = &[
        "exe", "dll", "bin", "msi", "dmg", "app", "sh", "bat", "cmd", "com", "scr", "jar", "png",
        "jpg", "jpeg", "gif", "webp", "bmp", "ico", "svg", "pdf", "zip", "gz", "tgz", "rar", "7z",
        "xls", "xlsx", "ods", "numbers", "doc", "docx", "odt", "mp3", "mp4", "mov", "avi", "html",
        "htm",
    ];
    if BINARY_EXT.contains(&ext) {
        let hint = if matches!(ext, "xls" | "xlsx" | "ods" | "numbers") {
            " (a spreadsheet: save it as CSV first)"
        } else {
            ""
        };
        return Some(format!(
            "{NOT_A_CATALOGUE}: `.{ext}` files cannot be imported{hint}."
        ));
    }
    let magic: &[(&[u8], &str)] = &[
        (b"\x89PNG", "a PNG image"),
        (b"\xFF\xD8\xFF", "a JPEG image"),
        (b"GIF8", "a GIF image"),
        (b"%PDF", "a PDF document"),
        (
            b"PK\x03\x04",
            "a ZIP archive or an Excel/OpenDocument spreadsheet (save it as CSV first)",
        ),
        (b"\x1F\x8B", "a gzip archive"),
        (b"MZ", "a Windows program"),
        (b"\x7FELF", "a program"),
        (
            b"\xD0\xCF\x11\xE0",
            "an old Office document (save it as CSV first)",
        ),
        (b"RIFF", "a media file"),
    ];
    if let Some((_, what)) = magic.iter().find(|(m, _)| head.starts_with(m)) {
        return Some(format!("{NOT_A_CATALOGUE}: it looks like {what}."));
    }
    // UTF-16 text (with its BOM) has NUL bytes; anything else with them is binary.
    let utf16 = head.starts_with(b"\xFF\xFE") || head.starts_with(b"\xFE\xFF");
    if !utf16 {
        let controls = head
            .iter()
            .filter(|b| matches!(b, 0x00..=0x08 | 0x0E..=0x1F | 0x7F))
            .count();
        if head.contains(&0) || controls * 20 > head.len() {
            return Some(format!("{NOT_A_CATALOGUE}: it contains binary data."));
        }
    }
    None
}

/// The uploaded file: the bytes already read to sniff it, then the rest as it arrives.
struct Upload<'a> {
    head: Option<Bytes>,
    field: Field<'a>,
}

impl ChunkSource for Upload<'_> {
    async fn next_chunk(&mut self) -> Option<std::io::Result<Bytes>> {
        if let Some(h) = self.head.take().filter(|h| !h.is_empty()) {
            return Some(Ok(h));
        }
        match self.field.chunk().await {
            Ok(Some(b)) => Some(Ok(b)),
            Ok(None) => None,
            Err(e) => Some(Err(std::io::Error::other(e.body_text()))),
        }
    }
}

/// What became of the file field.
enum Outcome {
    Imported(String),
    Refused(StatusCode, String),
}

/// Streams the file field into the import pipeline, after a look at its first bytes.
async fn import_file(
    st: &AppState,
    tenant: &Tenant,
    format: Option<Format>,
    mut field: Field<'_>,
) -> Result<Outcome, AdminError> {
    let name: String = field
        .file_name()
        .map(|n| n.rsplit(['/', '\\']).next().unwrap_or(n))
        .unwrap_or("")
        .chars()
        .filter(|c| !c.is_control())
        .take(200)
        .collect();
    let mut head = Vec::new();
    while head.len() < SNIFF_BYTES {
        match field.chunk().await.map_err(form_error)? {
            Some(c) => head.extend_from_slice(&c),
            None => break,
        }
    }
    if name.is_empty() && head.is_empty() {
        return Ok(Outcome::Refused(
            StatusCode::UNPROCESSABLE_ENTITY,
            "Choose a catalogue file (CSV or JSON) to import.".into(),
        ));
    }
    if head.is_empty() {
        return Ok(Outcome::Refused(
            StatusCode::UNPROCESSABLE_ENTITY,
            format!("`{name}` is empty: there is nothing to import."),
        ));
    }
    if let Some(why) = not_a_catalogue(&name, &head[..head.len().min(SNIFF_BYTES)]) {
        return Ok(Outcome::Refused(StatusCode::UNPROCESSABLE_ENTITY, why));
    }
    let source = if name.is_empty() {
        "admin upload".to_string()
    } else {
        name
    };
    let upload = Upload {
        head: Some(Bytes::from(head)),
        field,
    };
    match run_import(st, tenant, &source, format, ADMIN_IMPORT_MAX_BYTES, upload).await {
        Ok(record) => Ok(Outcome::Imported(record.id)),
        Err(e) if e.status == StatusCode::PAYLOAD_TOO_LARGE => {
            Ok(Outcome::Refused(e.status, too_large()))
        }
        Err(e) if e.status == StatusCode::UNPROCESSABLE_ENTITY => {
            // The parser speaks to the command line; here the format is picked in the form.
            let why = match e.detail.split_once(". Pass --format") {
                Some((head, _)) => format!(
                    "{NOT_A_CATALOGUE} Comptoir recognises ({head}). Pick its format in the list, \
                     or check its header line."
                ),
                None => format!(
                    "The file could not be imported: {}.",
                    e.detail.trim_end_matches('.')
                ),
            };
            Ok(Outcome::Refused(e.status, why))
        }
        Err(e) => Err(e.into()),
    }
}

/// `POST /admin/catalogue/import`: a multipart form with `_csrf` (before the file), `format`,
/// `return` and `file`. Redirects to the report (`?import=<id>`) on the catalogue page, or to
/// the `return` path inside the admin.
pub async fn import(
    State(st): State<AppState>,
    admin: Admin,
    headers: HeaderMap,
    multipart: Result<Multipart, MultipartRejection>,
) -> Page {
    let (st, admin) = (&st, &admin);
    let refused = |status: StatusCode, message: String| async move {
        render_list(st, admin, &ListQuery::default(), Some(message), status).await
    };
    // Announced as too large: refused before a byte of it is read.
    let announced = headers
        .get(header::CONTENT_LENGTH)
        .and_then(|v| v.to_str().ok())
        .and_then(|v| v.parse::<u64>().ok());
    if announced.is_some_and(|n| n > ADMIN_IMPORT_MAX_BYTES + FORM_OVERHEAD_BYTES) {
        return Err(AdminError::new(StatusCode::PAYLOAD_TOO_LARGE, too_large()));
    }
    let mut form = multipart.map_err(|e| {
        AdminError::new(
            StatusCode::BAD_REQUEST,
            format!(
                "Send the catalogue with the upload form ({}).",
                e.body_text()
            ),
        )
    })?;
    let mut csrf_checked = false;
    let mut format_text = String::from("auto");
    let mut ret = None;
    let mut outcome = None;
    let mut fields = 0;
    while let Some(field) = form.next_field().await.map_err(form_error)? {
        fields += 1;
        if fields > 20 {
            return Err(AdminError::new(
                StatusCode::BAD_REQUEST,
                "The upload form has too many fields.",
            ));
        }
        match field.name().unwrap_or("") {
            "_csrf" if !csrf_checked => {
                let token = small_text(field).await?;
                admin.check_csrf(Some(&token))?;
                csrf_checked = true;
                admin.require_owner()?;
            }
            "format" => format_text = small_text(field).await?,
            "return" => ret = Some(small_text(field).await?),
            "file" if outcome.is_none() => {
                // The token comes before the file: nothing is read from an unchecked form.
                if !csrf_checked {
                    admin.check_csrf(None)?;
                }
                let tenant = admin.shop()?;
                let format = match Format::parse(&format_text) {
                    Ok(f) => f,
                    Err(e) => {
                        return refused(StatusCode::UNPROCESSABLE_ENTITY, format!("Format: {e}"))
                            .await
                    }
                };
                match import_file(st, tenant, format, field).await? {
                    Outcome::Imported(id) => outcome = Some(id),
                    Outcome::Refused(status, why) => {
                        tracing::info!(status = status.as_u16(), "admin import refused");
                        return refused(status, why).await;
                    }
                }
            }
            _ => {}
        }
    }
    if !csrf_checked {
        admin.check_csrf(None)?;
    }
    let Some(id) = outcome else {
        return refused(
            StatusCode::UNPROCESSABLE_ENTITY,
            "Choose a catalogue file (CSV or JSON) to import.".into(),
        )
        .await;
    };
    let to = match safe_return(ret.as_deref()) {
        Some(r) => format!("{r}{}import={id}", if r.contains('?') { '&' } else { '?' }),
        None => format!("/admin/catalogue?import={id}"),
    };
    Ok(Redirect::to(&to).into_response())
}

/// A variant as the form shows it (the values typed, after a refused save).
struct VariantForm {
    price: String,
    stock: String,
    price_was: String,
    stock_was: String,
}

fn variant_rows(p: &Product, typed: Option<&[VariantForm]>) -> Vec<Value> {
    p.variants
        .iter()
        .enumerate()
        .map(|(i, v)| {
            let shown = VariantForm {
                price: v.price.normalize().to_string(),
                stock: v.stock.map(|s| s.to_string()).unwrap_or_default(),
                price_was: v.price.normalize().to_string(),
                stock_was: v.stock.map(|s| s.to_string()).unwrap_or_default(),
            };
            let f = typed.and_then(|t| t.get(i)).unwrap_or(&shown);
            let options: Vec<String> = v
                .options
                .0
                .iter()
                .map(|(k, val)| format!("{k}: {val}"))
                .collect();
            context! {
                i,
                sku => &v.sku,
                options => options.join(", "),
                currency => v.currency.as_str(),
                compare_at => v.compare_at_price.map(|c| c.normalize().to_string()),
                digital => v.digital,
                price => &f.price,
                stock => &f.stock,
                price_was => &f.price_was,
                stock_was => &f.stock_was,
                in_stock => v.in_stock(),
            }
        })
        .collect()
}

struct Typed<'a> {
    title: &'a str,
    description: &'a str,
    variants: &'a [VariantForm],
}

fn render_product(
    st: &AppState,
    admin: &Admin,
    p: &Product,
    typed: Option<Typed<'_>>,
    errors: Vec<String>,
    flash: Option<&str>,
) -> Page {
    let tenant = admin.shop()?;
    let lang = tenant.default_locale();
    let other_lang = p.lang != *lang;
    let status = if errors.is_empty() {
        StatusCode::OK
    } else {
        StatusCode::UNPROCESSABLE_ENTITY
    };
    let mut res = st.admin.views.page(
        "product.html",
        Some(admin),
        context! {
            nav => "catalogue",
            p => context! {
                id => &p.id,
                external_id => &p.external_id,
                brand => &p.brand,
                category => &p.category,
                languages => p.languages.iter().map(|l| l.to_string()).collect::<Vec<_>>(),
                updated_at => p.updated_at,
            },
            text_lang => lang.as_str(),
            other_lang,
            title => typed.as_ref().map_or(if other_lang { "" } else { p.title.as_str() }, |t| t.title),
            description => typed.as_ref().map_or(if other_lang { "" } else { p.description.as_str() }, |t| t.description),
            shown_title => &p.title,
            variants => variant_rows(p, typed.as_ref().map(|t| t.variants)),
            can_edit => admin.require_owner().is_ok(),
            errors,
            flash => flash.filter(|f| !f.is_empty()),
        },
    )?;
    *res.status_mut() = status;
    Ok(res)
}

pub async fn edit_page(State(st): State<AppState>, admin: Admin, Path(id): Path<String>) -> Page {
    let tenant = admin.shop()?;
    let p = st
        .store
        .product(tenant, &id, Some(tenant.default_locale()))
        .await?
        .ok_or_else(|| AdminError::not_found("Product"))?;
    render_product(&st, &admin, &p, None, Vec::new(), None)
}

/// A stock as typed: empty = not tracked.
fn parse_stock(s: &str) -> Result<Option<i64>, String> {
    let t = s.trim();
    if t.is_empty() {
        return Ok(None);
    }
    match t.parse::<i64>() {
        Ok(n) if (0..=1_000_000_000).contains(&n) => Ok(Some(n)),
        Ok(_) => {
            Err("a whole number from 0 to 1,000,000,000, or empty when stock is not tracked".into())
        }
        Err(_) => Err(format!(
            "`{}` is not a whole number (leave it empty when stock is not tracked)",
            comptoir_domain::money::quote(t)
        )),
    }
}

/// `POST /admin/catalogue/products/{id}`: the title and description in the shop's default
/// language, and each variant's price and stock. Anything invalid: the form again (422), with
/// what was typed, and nothing saved. A field left as shown keeps the stored value (an order
/// placed meanwhile keeps its stock move).
pub async fn save(
    State(st): State<AppState>,
    admin: Admin,
    Path(id): Path<String>,
    Form(fields): Form<Vec<(String, String)>>,
) -> Page {
    let form: HashMap<String, String> = fields.into_iter().collect();
    admin.check_csrf(form.get("_csrf").map(String::as_str))?;
    admin.require_owner()?;
    let tenant = admin.shop()?;
    let lang = tenant.default_locale().clone();
    let current = st
        .store
        .product(tenant, &id, Some(&lang))
        .await?
        .ok_or_else(|| AdminError::not_found("Product"))?;
    let get = |k: &str| form.get(k).map(String::as_str).unwrap_or("");
    let title = get("title");
    let description = get("description");
    let mut errors = Vec::new();
    let same_lang = current.lang == lang;
    let translation = Translation::new(
        lang.clone(),
        title,
        description,
        if same_lang {
            current.category.as_deref()
        } else {
            None
        },
        if same_lang {
            current.tags.clone()
        } else {
            Vec::new()
        },
    );
    let translation = match translation {
        Ok(t) => Some(t),
        Err(e) => {
            errors.push(format!("Title and description: {e}."));
            None
        }
    };
    let mut typed = Vec::with_capacity(current.variants.len());
    let mut variants = Vec::with_capacity(current.variants.len());
    for (i, v) in current.variants.iter().enumerate() {
        let f = VariantForm {
            price: get(&format!("price.{i}")).trim().to_string(),
            stock: get(&format!("stock.{i}")).trim().to_string(),
            price_was: get(&format!("price_was.{i}")).to_string(),
            stock_was: get(&format!("stock_was.{i}")).to_string(),
        };
        if form.get(&format!("sku.{i}")) != Some(&v.sku) {
            errors.push("The product's variants changed since this page was opened: reload it and try again.".into());
            break;
        }
        let price = if f.price == f.price_was {
            Ok(v.price)
        } else {
            parse_amount(&f.price).map_err(|e| format!("Price of {}: {e}.", v.sku))
        };
        let stock = if f.stock == f.stock_was {
            Ok(v.stock)
        } else {
            parse_stock(&f.stock).map_err(|e| format!("Stock of {}: {e}.", v.sku))
        };
        match (price, stock) {
            (Ok(price), Ok(stock)) => {
                match Variant::new(
                    &v.sku,
                    v.options.0.clone(),
                    price,
                    v.compare_at_price,
                    v.currency.clone(),
                    stock,
                    v.digital,
                ) {
                    // Only variants the merchant changed are written: an untouched variant's
                    // stock is never written back over an order placed meanwhile.
                    Ok(nv) if f.price != f.price_was || f.stock != f.stock_was => variants.push(nv),
                    Ok(_) => {}
                    Err(e) => errors.push(format!("{}: {e}.", v.sku)),
                }
            }
            (p, s) => errors.extend(p.err().into_iter().chain(s.err())),
        }
        typed.push(f);
    }
    let Some(translation) = translation.filter(|_| errors.is_empty()) else {
        let t = Typed {
            title,
            description,
            variants: &typed,
        };
        return render_product(&st, &admin, &current, Some(t), errors, None);
    };
    let mut patch = ProductUpsert::new(&current.external_id).map_err(AdminError::internal)?;
    patch.translations.push(translation);
    patch.variants = variants;
    let saved = match st
        .store
        .update_product(tenant, &id, &patch, false, Some(&lang))
        .await
    {
        Ok(Some(p)) => p,
        Ok(None) => return Err(AdminError::not_found("Product")),
        Err(e) => {
            let e = ApiError::from(e);
            if e.status.is_server_error() {
                return Err(e.into());
            }
            let t = Typed {
                title,
                description,
                variants: &typed,
            };
            return render_product(&st, &admin, &current, Some(t), vec![e.detail], None);
        }
    };
    st.search
        .product_changed(st.store.as_ref(), tenant, &saved.id)
        .await?;
    let to = format!("/admin/catalogue/products/{}", url_encode(&saved.id));
    Ok(super::views::redirect_with_flash(&to, "Saved."))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn return_paths_stay_inside_the_admin() {
        assert_eq!(
            safe_return(Some("/admin/onboarding?step=template")).as_deref(),
            Some("/admin/onboarding?step=template")
        );
        for bad in [
            "https://evil.example/admin/",
            "//evil.example",
            "/admin/x\r\nSet-Cookie: a=b",
            "/elsewhere",
            "/admin/../x",
            "/admin/<x>",
        ] {
            assert_eq!(safe_return(Some(bad)), None, "{bad}");
        }
        assert_eq!(safe_return(None), None);
    }

    #[test]
    fn binary_files_are_told_from_catalogues() {
        assert!(not_a_catalogue("a.csv", b"sku,title,price\nA,B,1\n").is_none());
        assert!(not_a_catalogue("a.json", b"[{\"sku\":\"A\"}]").is_none());
        assert!(
            not_a_catalogue("a.csv", b"\xFF\xFEs\0k\0u\0").is_none(),
            "UTF-16 with a BOM"
        );
        assert!(not_a_catalogue("a.csv", "sku;titre;prix\nA;Été;1\n".as_bytes()).is_none());
        assert!(not_a_catalogue("a.csv", b"\x89PNG\r\n\x1a\n\0\0")
            .unwrap()
            .contains("PNG"));
        assert!(not_a_catalogue("a.csv", b"abc\0def")
            .unwrap()
            .contains("binary"));
        assert!(not_a_catalogue("setup.exe", b"sku,title")
            .unwrap()
            .contains("CSV or JSON"));
        assert!(not_a_catalogue("book.xlsx", b"PK\x03\x04")
            .unwrap()
            .contains("save it as CSV"));
    }

    #[test]
    fn stock_is_a_count_or_untracked() {
        assert_eq!(parse_stock(" 12 "), Ok(Some(12)));
        assert_eq!(parse_stock(""), Ok(None));
        assert!(parse_stock("-1").is_err());
        assert!(parse_stock("1.5").is_err());
    }
}
