//! The JSON shapes of the API (PRODUCT.md "Resources"), separate from domain types so the
//! public contract changes only on purpose.

use crate::error::ApiError;
use comptoir_domain::money::quote;
use comptoir_domain::{
    parse_amount, Currency, Lang, Product, ProductUpsert, Tenant, Translation, Variant,
};
use rust_decimal::Decimal;
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;

/// RFC 3339 UTC of epoch milliseconds.
pub fn rfc3339(ms: i64) -> String {
    let t = std::time::UNIX_EPOCH + std::time::Duration::from_millis(ms.max(0) as u64);
    humantime::format_rfc3339_millis(t).to_string()
}

#[derive(Debug, Serialize, ToSchema)]
pub struct VariantOut {
    pub sku: String,
    /// Option name → value, in display order.
    #[schema(value_type = Object, example = json!({"size": "M", "color": "Red"}))]
    pub options: serde_json::Map<String, serde_json::Value>,
    /// Decimal string without trailing zeros, e.g. "69.9".
    #[schema(example = "69.9")]
    pub price: String,
    pub compare_at_price: Option<String>,
    #[schema(example = "EUR")]
    pub currency: String,
    /// `null` when stock is not tracked.
    pub stock: Option<i64>,
    pub in_stock: bool,
    pub digital: bool,
}

impl From<&Variant> for VariantOut {
    fn from(v: &Variant) -> Self {
        VariantOut {
            sku: v.sku.clone(),
            options: v
                .options
                .0
                .iter()
                .map(|(k, val)| (k.clone(), serde_json::Value::String(val.clone())))
                .collect(),
            price: v.price.normalize().to_string(),
            compare_at_price: v.compare_at_price.map(|c| c.normalize().to_string()),
            currency: v.currency.to_string(),
            stock: v.stock,
            in_stock: v.in_stock(),
            digital: v.digital,
        }
    }
}

#[derive(Debug, Serialize, ToSchema)]
pub struct ProductOut {
    pub id: String,
    /// The merchant's own product id (CSV `product_id`, Shopify handle…).
    pub product_id: String,
    /// Language of `title`, `description`, `category` and `tags` (the requested one or the fallback).
    pub lang: String,
    pub title: String,
    pub description: String,
    pub category: Option<String>,
    pub brand: Option<String>,
    pub tags: Vec<String>,
    pub images: Vec<String>,
    pub variants: Vec<VariantOut>,
    /// Languages the product has texts in.
    pub languages: Vec<String>,
    pub created_at: String,
    pub updated_at: String,
}

impl From<&Product> for ProductOut {
    fn from(p: &Product) -> Self {
        ProductOut {
            id: p.id.clone(),
            product_id: p.external_id.clone(),
            lang: p.lang.to_string(),
            title: p.title.clone(),
            description: p.description.clone(),
            category: p.category.clone(),
            brand: p.brand.clone(),
            tags: p.tags.clone(),
            images: p.images.clone(),
            variants: p.variants.iter().map(VariantOut::from).collect(),
            languages: p.languages.iter().map(ToString::to_string).collect(),
            created_at: rfc3339(p.created_at),
            updated_at: rfc3339(p.updated_at),
        }
    }
}

#[derive(Debug, Serialize, ToSchema)]
pub struct ProductList {
    pub items: Vec<ProductOut>,
    /// Pass as `?cursor=` to get the next page; `null` on the last page.
    pub next_cursor: Option<String>,
}

/// A variant as sent by an integrator. Prices may be JSON strings or numbers.
#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct VariantIn {
    pub sku: String,
    #[serde(default)]
    #[schema(value_type = Object)]
    pub options: comptoir_domain::Options,
    #[schema(value_type = String, example = "69.9")]
    pub price: serde_json::Value,
    #[serde(default)]
    #[schema(value_type = Option<String>)]
    pub compare_at_price: serde_json::Value,
    /// Defaults to the tenant's currency.
    pub currency: Option<String>,
    /// Omit or `null` for untracked stock.
    pub stock: Option<i64>,
    #[serde(default)]
    pub digital: bool,
}

/// A new product.
#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct ProductCreate {
    /// The merchant's own id; generated when omitted.
    pub product_id: Option<String>,
    /// Language of the texts; defaults to the tenant's default locale.
    pub lang: Option<String>,
    pub title: String,
    #[serde(default)]
    pub description: String,
    pub category: Option<String>,
    pub brand: Option<String>,
    #[serde(default)]
    pub tags: Vec<String>,
    #[serde(default)]
    pub images: Vec<String>,
    pub variants: Vec<VariantIn>,
}

/// A partial update: absent fields are kept. Texts apply to `lang`; `variants`, when given,
/// replace the whole variant set (skus not listed are deleted).
#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct ProductPatch {
    pub lang: Option<String>,
    pub title: Option<String>,
    pub description: Option<String>,
    pub category: Option<String>,
    pub brand: Option<String>,
    pub tags: Option<Vec<String>>,
    pub images: Option<Vec<String>>,
    pub variants: Option<Vec<VariantIn>>,
}

fn amount(field: &str, v: &serde_json::Value) -> Result<Option<Decimal>, ApiError> {
    let text = match v {
        serde_json::Value::Null => return Ok(None),
        serde_json::Value::String(s) => s.clone(),
        serde_json::Value::Number(n) => n.to_string(),
        _ => {
            return Err(ApiError::invalid(
                field,
                "must be a decimal string such as \"49.90\"",
            ))
        }
    };
    parse_amount(&text)
        .map(Some)
        .map_err(|e| ApiError::invalid(field, e.to_string()))
}

/// The language a reader asked for: `?lang=` first, else the best `Accept-Language` tag
/// (by q-value) that names a language, else the tenant's default.
pub fn reader_lang(
    tenant: &Tenant,
    lang: Option<&str>,
    headers: &axum::http::HeaderMap,
) -> Result<Lang, ApiError> {
    if lang.is_some_and(|l| !l.is_empty()) {
        return lang_param(tenant, lang);
    }
    let header = headers
        .get(axum::http::header::ACCEPT_LANGUAGE)
        .and_then(|v| v.to_str().ok())
        .unwrap_or("");
    Ok(accept_language(header).unwrap_or_else(|| tenant.default_locale().clone()))
}

/// The preferred language of an `Accept-Language` header (`de-CH, fr;q=0.8` → `de`).
pub fn accept_language(header: &str) -> Option<Lang> {
    let mut tags: Vec<(f32, usize, Lang)> = header
        .split(',')
        .take(20)
        .enumerate()
        .filter_map(|(i, part)| {
            let mut it = part.split(';');
            let lang = Lang::parse(it.next()?.trim())?;
            let q = it
                .find_map(|p| p.trim().strip_prefix("q="))
                .map_or(Some(1.0), |q| q.trim().parse::<f32>().ok())?;
            (q > 0.0).then_some((q, i, lang))
        })
        .collect();
    tags.sort_by(|a, b| b.0.total_cmp(&a.0).then(a.1.cmp(&b.1)));
    tags.into_iter().next().map(|(_, _, l)| l)
}

pub fn lang_param(tenant: &Tenant, lang: Option<&str>) -> Result<Lang, ApiError> {
    match lang {
        None | Some("") => Ok(tenant.default_locale().clone()),
        Some(l) => Lang::parse(l).ok_or_else(|| {
            ApiError::invalid(
                "lang",
                format!("`{}` is not a two-letter language code", quote(l)),
            )
        }),
    }
}

pub fn variants_in(tenant: &Tenant, vs: Vec<VariantIn>) -> Result<Vec<Variant>, ApiError> {
    if vs.is_empty() {
        return Err(ApiError::invalid(
            "variants",
            "a product needs at least one variant",
        ));
    }
    let mut out: Vec<Variant> = Vec::with_capacity(vs.len());
    for (i, v) in vs.into_iter().enumerate() {
        let f = |name: &str| format!("variants[{i}].{name}");
        let currency = match v.currency.as_deref() {
            None => tenant.currency.clone(),
            Some(c) => {
                Currency::parse(c).map_err(|e| ApiError::invalid(&f("currency"), e.to_string()))?
            }
        };
        let price = amount(&f("price"), &v.price)?
            .ok_or_else(|| ApiError::invalid(&f("price"), "is required"))?;
        let cmp = amount(&f("compare_at_price"), &v.compare_at_price)?;
        let var = Variant::new(
            &v.sku,
            v.options.0,
            price,
            cmp,
            currency,
            v.stock,
            v.digital,
        )
        .map_err(|e| ApiError::invalid(&f("sku"), e.to_string()))?;
        if out.iter().any(|o| o.sku == var.sku) {
            return Err(ApiError::invalid(
                &f("sku"),
                format!("sku `{}` appears twice", var.sku),
            ));
        }
        out.push(var);
    }
    Ok(out)
}

impl ProductCreate {
    pub fn into_upsert(self, tenant: &Tenant) -> Result<(ProductUpsert, Lang), ApiError> {
        let lang = lang_param(tenant, self.lang.as_deref())?;
        let ext = self
            .product_id
            .unwrap_or_else(|| comptoir_domain::id::new_id("p"));
        let mut p =
            ProductUpsert::new(&ext).map_err(|e| ApiError::invalid("product_id", e.to_string()))?;
        let t = Translation::new(
            lang.clone(),
            &self.title,
            &self.description,
            self.category.as_deref(),
            self.tags,
        )
        .map_err(|e| ApiError::invalid("title", e.to_string()))?;
        p.translations.push(t);
        p.brand = self.brand.filter(|b| !b.trim().is_empty());
        p.images = Some(self.images);
        p.variants = variants_in(tenant, self.variants)?;
        Ok((p, lang))
    }
}

#[derive(Debug, Serialize, ToSchema)]
pub struct CatalogueCounts {
    pub products: u64,
    pub variants: u64,
}

#[derive(Debug, Serialize, ToSchema)]
pub struct TenantOut {
    pub id: String,
    pub slug: String,
    pub name: String,
    #[schema(example = "starter")]
    pub plan: String,
    /// Conversations a month included in the plan; `null` = unlimited.
    pub monthly_conversations: Option<u32>,
    pub currency: String,
    /// The first is the default locale, used when a text is missing.
    pub locales: Vec<String>,
    pub catalogue: CatalogueCounts,
    pub created_at: String,
}

#[derive(Debug, Serialize, ToSchema)]
pub struct KeyOut {
    pub id: String,
    #[schema(example = "secret")]
    pub kind: String,
    pub name: String,
    /// The first characters of the key, to recognise it.
    pub prefix: String,
    pub created_at: String,
    pub revoked_at: Option<String>,
    /// The key itself: present only in the response that created it.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub token: Option<String>,
}

impl From<&comptoir_domain::ApiKey> for KeyOut {
    fn from(k: &comptoir_domain::ApiKey) -> Self {
        KeyOut {
            id: k.id.clone(),
            kind: k.kind.as_str().into(),
            name: k.name.clone(),
            prefix: k.prefix.clone(),
            created_at: rfc3339(k.created_at),
            revoked_at: k.revoked_at.map(rfc3339),
            token: None,
        }
    }
}

#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct KeyCreate {
    /// `secret` or `public`.
    pub kind: String,
    #[serde(default)]
    pub name: String,
}

/// All keys of the tenant (one page: `next_cursor` is always null, kept for the list shape).
#[derive(Debug, Serialize, ToSchema)]
pub struct KeyList {
    pub items: Vec<KeyOut>,
    pub next_cursor: Option<String>,
}

#[derive(Debug, Serialize, ToSchema)]
pub struct RowErrorOut {
    pub line: u64,
    pub sku: Option<String>,
    pub reason: String,
}

/// The outcome of an import (see `comptoir_catalogue::Report`).
#[derive(Debug, Serialize, ToSchema)]
pub struct ImportOut {
    pub id: String,
    pub source: String,
    pub created_at: String,
    #[schema(value_type = Object)]
    pub report: serde_json::Value,
}

/// The 50 most recent imports, newest first (`next_cursor` is null: older ones are not paged yet).
#[derive(Debug, Serialize, ToSchema)]
pub struct ImportList {
    pub items: Vec<ImportOut>,
    pub next_cursor: Option<String>,
}

/// Query of `GET /v1/products`.
#[derive(Debug, Deserialize, utoipa::IntoParams)]
#[into_params(parameter_in = Query)]
#[serde(deny_unknown_fields)]
pub struct ListQuery {
    pub cursor: Option<String>,
    /// 1-200, default 50.
    pub limit: Option<u32>,
    /// Category in any language, case-insensitive.
    pub category: Option<String>,
    pub brand: Option<String>,
    pub in_stock: Option<bool>,
    pub price_min: Option<String>,
    pub price_max: Option<String>,
    /// Language of the texts; without it, the request's Accept-Language; missing texts fall back to the tenant's default locale.
    pub lang: Option<String>,
}

#[derive(Debug, Deserialize, utoipa::IntoParams)]
#[into_params(parameter_in = Query)]
pub struct LangQuery {
    pub lang: Option<String>,
}

pub fn price_filter(field: &str, v: Option<&str>) -> Result<Option<Decimal>, ApiError> {
    v.map(|s| parse_amount(s).map_err(|e| ApiError::invalid(field, e.to_string())))
        .transpose()
}

#[cfg(test)]
mod tests {
    use super::accept_language;

    #[test]
    fn accept_language_picks_the_preferred_tag() {
        let l = |h: &str| accept_language(h).map(|l| l.to_string());
        assert_eq!(l("de-CH, fr;q=0.8, en;q=0.5").as_deref(), Some("de"));
        assert_eq!(l("en;q=0.3, it;q=0.9").as_deref(), Some("it"));
        assert_eq!(l("*, es;q=0.5").as_deref(), Some("es"));
        assert_eq!(l("fr;q=0").as_deref(), None);
        assert_eq!(l("").as_deref(), None);
        assert_eq!(l("garbage;;;q=x").as_deref(), None);
    }
}
