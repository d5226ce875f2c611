//! `/v1/products/search`, `/v1/products/{id}/recommendations` (any key of the tenant),
//! `/v1/products/{id}/boost` and `/v1/recommendation-rules` (secret key).

use super::dto::{price_filter, reader_lang, ProductOut};
use crate::auth::Auth;
use crate::error::{ApiError, ApiResult, Problem};
use crate::extract::{ApiJson, ApiPath, ApiQuery};
use crate::state::AppState;
use axum::extract::State;
use axum::http::StatusCode;
use axum::Json;
use comptoir_domain::{CatalogueEntry, RuleSource, Scope, Tenant};
use comptoir_search::{
    Explain, Filters, Interpretation, RecommendRequest, Recommendation, SearchRequest, Session,
    Trait,
};
use serde::{Deserialize, Serialize};
use utoipa::{IntoParams, ToSchema};

/// Longest query text, in bytes.
const MAX_QUERY_BYTES: usize = 512;
/// Deepest page: search is for finding, not for exporting the catalogue.
const MAX_OFFSET: usize = 1_000;

#[derive(Debug, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct SearchQuery {
    /// What the shopper typed, in any of fr, en, de, it, es. Empty: browse with the filters.
    pub q: Option<String>,
    /// Language of the returned texts (and a hint for the query's); default Accept-Language,
    /// then the store's default locale.
    pub lang: Option<String>,
    pub price_min: Option<String>,
    pub price_max: Option<String>,
    /// Colours, comma-separated, in any language (`red,rouge`).
    pub color: Option<String>,
    pub size: Option<String>,
    pub material: Option<String>,
    pub brand: Option<String>,
    /// Category name in any language.
    pub category: Option<String>,
    pub in_stock: Option<bool>,
    pub digital: Option<bool>,
    /// 1-50, default 10.
    pub limit: Option<usize>,
    /// From a previous page's `next_cursor`.
    pub cursor: Option<String>,
    /// Attach each hit's score parts (`explain`).
    pub debug: Option<bool>,
    /// Session personalisation: traits the shopper liked, comma-separated
    /// (`color:red,brand:Atelier Lune,material:linen,category:dresses,size:m`).
    pub liked: Option<String>,
    /// Traits or products (`product:<id>`) the shopper rejected.
    pub rejected: Option<String>,
}

/// A search hit: the product (texts in the requested language) and the variant that best
/// matches the query in `sku`.
#[derive(Debug, Serialize, ToSchema)]
pub struct SearchHitOut {
    #[serde(flatten)]
    pub product: ProductOut,
    /// The variant that best matches the query (colour, size, stock).
    pub sku: String,
    pub score: f32,
    #[serde(skip_serializing_if = "Option::is_none")]
    #[schema(value_type = Object)]
    pub explain: Option<Explain>,
}

#[derive(Debug, Serialize, ToSchema)]
pub struct SearchOut {
    pub items: Vec<SearchHitOut>,
    pub next_cursor: Option<String>,
    /// Products matching, over all pages.
    pub total: usize,
    /// What was read in the query: language, words, filters, wanted attributes.
    #[schema(value_type = Object)]
    pub interpretation: Interpretation,
}

fn list(v: Option<&str>) -> Vec<String> {
    v.unwrap_or_default()
        .split(',')
        .map(str::trim)
        .filter(|s| !s.is_empty())
        .map(str::to_string)
        .collect()
}

fn traits(field: &str, v: Option<&str>) -> Result<Vec<Trait>, ApiError> {
    let mut out = Vec::new();
    for part in v
        .unwrap_or_default()
        .split(',')
        .map(str::trim)
        .filter(|s| !s.is_empty())
    {
        out.push(Trait::parse(part).ok_or_else(|| {
            ApiError::invalid(
                field,
                format!("`{part}` is not kind:value with kind color, size, material, brand, category or product"),
            )
        })?);
    }
    if out.len() > 50 {
        return Err(ApiError::invalid(field, "at most 50 traits"));
    }
    Ok(out)
}

fn product_out(e: &CatalogueEntry, lang: &comptoir_domain::Lang, tenant: &Tenant) -> ProductOut {
    ProductOut::from(&e.to_product(Some(lang), tenant.default_locale()))
}

#[utoipa::path(get, path = "/v1/products/search", tag = "search", params(SearchQuery),
    security(("bearer" = [])),
    responses((status = 200, body = SearchOut), (status = 400, body = Problem), (status = 401, body = Problem), (status = 422, body = Problem)))]
pub async fn search(
    headers: axum::http::HeaderMap,
    State(st): State<AppState>,
    auth: Auth,
    ApiQuery(q): ApiQuery<SearchQuery>,
) -> ApiResult<Json<SearchOut>> {
    auth.require(Scope::CatalogueRead)?;
    let lang = reader_lang(&auth.tenant, q.lang.as_deref(), &headers)?;
    let text = q.q.unwrap_or_default();
    if text.len() > MAX_QUERY_BYTES {
        return Err(ApiError::invalid(
            "q",
            format!("at most {MAX_QUERY_BYTES} bytes"),
        ));
    }
    let limit = q.limit.unwrap_or(10);
    if !(1..=50).contains(&limit) {
        return Err(ApiError::invalid("limit", "between 1 and 50"));
    }
    let offset = match q.cursor.as_deref() {
        None | Some("") => 0,
        Some(c) => c
            .parse::<usize>()
            .ok()
            .filter(|o| *o <= MAX_OFFSET)
            .ok_or_else(|| ApiError::bad_request("invalid cursor"))?,
    };
    let mut req = SearchRequest::new(&text);
    req.lang = q
        .lang
        .as_deref()
        .filter(|l| !l.is_empty())
        .map(|_| lang.clone());
    req.limit = limit;
    req.offset = offset;
    req.explain = q.debug.unwrap_or(false);
    req.session = Session {
        liked: traits("liked", q.liked.as_deref())?,
        rejected: traits("rejected", q.rejected.as_deref())?,
    };
    req.filters = Filters {
        price_min: price_filter("price_min", q.price_min.as_deref())?,
        price_max: price_filter("price_max", q.price_max.as_deref())?,
        colors: list(q.color.as_deref()),
        sizes: list(q.size.as_deref()),
        materials: list(q.material.as_deref()),
        brand: q.brand.filter(|b| !b.trim().is_empty()),
        category: q.category.filter(|c| !c.trim().is_empty()),
        in_stock: q.in_stock,
        digital: q.digital,
    };
    let tenant_index = st.search.index(st.store.as_ref(), &auth.tenant).await?;
    let index = tenant_index.read();
    let res = index.search(&req);
    let items = res
        .hits
        .into_iter()
        .filter_map(|h| {
            let e = index.entry(&h.product_id)?;
            Some(SearchHitOut {
                product: product_out(e, &lang, &auth.tenant),
                sku: h.sku,
                score: h.score,
                explain: h.explain,
            })
        })
        .collect::<Vec<_>>();
    let next = offset + items.len();
    Ok(Json(SearchOut {
        next_cursor: (next < res.total && next <= MAX_OFFSET).then(|| next.to_string()),
        items,
        total: res.total,
        interpretation: res.interpretation,
    }))
}

#[derive(Debug, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct RecommendQuery {
    pub lang: Option<String>,
    /// The shopper's budget (upsell stays within it + 20%); default the product's price.
    pub budget: Option<String>,
    /// 1-20 per list, default 5.
    pub limit: Option<usize>,
    pub liked: Option<String>,
    pub rejected: Option<String>,
}

#[derive(Debug, Serialize, ToSchema)]
pub struct RecommendationOut {
    #[serde(flatten)]
    pub product: ProductOut,
    /// The variant to offer.
    pub sku: String,
    pub score: f32,
    /// Why: `similar`, `bought together in 3 order(s)`, `recommended by the shop`…
    pub reason: String,
}

#[derive(Debug, Serialize, ToSchema)]
pub struct RecommendationsOut {
    pub product_id: String,
    /// Content-similar products (alternatives).
    pub similar: Vec<RecommendationOut>,
    /// Bought with it in past orders; before there are orders, products sharing its tags in
    /// other categories.
    pub bought_together: Vec<RecommendationOut>,
    /// Same category, a higher tier within the budget + 20%.
    pub upsell: Vec<RecommendationOut>,
    /// The merchant's cross-sell rules for this product or its category.
    pub cross_sell: Vec<RecommendationOut>,
}

#[utoipa::path(get, path = "/v1/products/{id}/recommendations", tag = "search",
    params(("id" = String, Path), RecommendQuery), security(("bearer" = [])),
    responses((status = 200, body = RecommendationsOut), (status = 404, body = Problem), (status = 422, body = Problem)))]
pub async fn recommendations(
    headers: axum::http::HeaderMap,
    State(st): State<AppState>,
    auth: Auth,
    ApiPath(id): ApiPath<String>,
    ApiQuery(q): ApiQuery<RecommendQuery>,
) -> ApiResult<Json<RecommendationsOut>> {
    auth.require(Scope::CatalogueRead)?;
    let lang = reader_lang(&auth.tenant, q.lang.as_deref(), &headers)?;
    let limit = q.limit.unwrap_or(5);
    if !(1..=20).contains(&limit) {
        return Err(ApiError::invalid("limit", "between 1 and 20"));
    }
    let budget = price_filter("budget", q.budget.as_deref())?;
    let session = Session {
        liked: traits("liked", q.liked.as_deref())?,
        rejected: traits("rejected", q.rejected.as_deref())?,
    };
    let rules = st.store.list_cross_sell_rules(&auth.tenant.id).await?;
    let tenant_index = st.search.index(st.store.as_ref(), &auth.tenant).await?;
    let index = tenant_index.read();
    let source = index
        .entry(&id)
        .ok_or_else(|| ApiError::not_found("product"))?;
    let categories: Vec<String> = source
        .translations
        .iter()
        .filter_map(|t| t.category.as_deref())
        .map(|c| c.trim().to_lowercase())
        .collect();
    let rule_targets = rules
        .iter()
        .filter(|r| match &r.source {
            RuleSource::Product(p) => *p == id,
            RuleSource::Category(c) => categories.contains(&c.trim().to_lowercase()),
        })
        .map(|r| r.target_product_id.clone())
        .collect();
    let recs = index
        .recommend(&RecommendRequest {
            product_id: id.clone(),
            budget,
            session,
            rule_targets,
            limit,
        })
        .ok_or_else(|| ApiError::not_found("product"))?;
    let out = |list: Vec<Recommendation>| -> Vec<RecommendationOut> {
        list.into_iter()
            .filter_map(|r| {
                let e = index.entry(&r.product_id)?;
                Some(RecommendationOut {
                    product: product_out(e, &lang, &auth.tenant),
                    sku: r.sku,
                    score: r.score,
                    reason: r.reason,
                })
            })
            .collect()
    };
    Ok(Json(RecommendationsOut {
        product_id: id.clone(),
        similar: out(recs.similar),
        bought_together: out(recs.bought_together),
        upsell: out(recs.upsell),
        cross_sell: out(recs.cross_sell),
    }))
}

#[derive(Debug, Deserialize, Serialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct BoostIn {
    /// Multiplier of the product's search score: 1 neutral, 0 sinks it, up to 10.
    pub boost: f64,
}

#[utoipa::path(put, path = "/v1/products/{id}/boost", tag = "search", request_body = BoostIn,
    params(("id" = String, Path)), security(("bearer" = [])),
    responses((status = 200, body = BoostIn), (status = 404, body = Problem), (status = 422, body = Problem)))]
pub async fn set_boost(
    State(st): State<AppState>,
    auth: Auth,
    ApiPath(id): ApiPath<String>,
    ApiJson(body): ApiJson<BoostIn>,
) -> ApiResult<Json<BoostIn>> {
    auth.require(Scope::CatalogueWrite)?;
    if !body.boost.is_finite() || !(0.0..=10.0).contains(&body.boost) {
        return Err(ApiError::invalid("boost", "a number from 0 to 10"));
    }
    let pct = (body.boost * 100.0).round() as u32;
    if !st.store.set_search_boost(&auth.tenant.id, &id, pct).await? {
        return Err(ApiError::not_found("product"));
    }
    st.search
        .product_changed(st.store.as_ref(), &auth.tenant, &id)
        .await?;
    Ok(Json(BoostIn {
        boost: pct as f64 / 100.0,
    }))
}

#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct RuleIn {
    /// Offer the target with this product (its id)…
    pub product_id: Option<String>,
    /// …or with every product of this category (any of its names).
    pub category: Option<String>,
    /// The product to offer.
    pub target_product_id: String,
}

#[derive(Debug, Serialize, ToSchema)]
pub struct RuleOut {
    pub id: String,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub product_id: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub category: Option<String>,
    pub target_product_id: String,
    pub created_at: i64,
}

#[derive(Debug, Serialize, ToSchema)]
pub struct RuleList {
    pub items: Vec<RuleOut>,
    pub next_cursor: Option<String>,
}

fn rule_out(r: comptoir_domain::CrossSellRule) -> RuleOut {
    let (product_id, category) = match r.source {
        RuleSource::Product(p) => (Some(p), None),
        RuleSource::Category(c) => (None, Some(c)),
    };
    RuleOut {
        id: r.id,
        product_id,
        category,
        target_product_id: r.target_product_id,
        created_at: r.created_at,
    }
}

#[utoipa::path(get, path = "/v1/recommendation-rules", tag = "search", security(("bearer" = [])),
    responses((status = 200, body = RuleList), (status = 403, body = Problem)))]
pub async fn list_rules(State(st): State<AppState>, auth: Auth) -> ApiResult<Json<RuleList>> {
    auth.require(Scope::CatalogueWrite)?;
    let rules = st.store.list_cross_sell_rules(&auth.tenant.id).await?;
    Ok(Json(RuleList {
        items: rules.into_iter().map(rule_out).collect(),
        next_cursor: None,
    }))
}

#[utoipa::path(post, path = "/v1/recommendation-rules", tag = "search", request_body = RuleIn,
    security(("bearer" = [])),
    responses((status = 201, body = RuleOut), (status = 409, body = Problem), (status = 422, body = Problem)))]
pub async fn create_rule(
    State(st): State<AppState>,
    auth: Auth,
    ApiJson(body): ApiJson<RuleIn>,
) -> ApiResult<(StatusCode, Json<RuleOut>)> {
    auth.require(Scope::CatalogueWrite)?;
    let source = match (body.product_id, body.category) {
        (Some(p), None) if !p.trim().is_empty() => RuleSource::Product(p.trim().to_string()),
        (None, Some(c)) if !c.trim().is_empty() && c.len() <= 500 => {
            RuleSource::Category(c.trim().to_string())
        }
        _ => {
            return Err(ApiError::invalid(
                "product_id",
                "give exactly one of product_id or category",
            ))
        }
    };
    let rule = st
        .store
        .add_cross_sell_rule(&auth.tenant.id, &source, body.target_product_id.trim())
        .await?;
    Ok((StatusCode::CREATED, Json(rule_out(rule))))
}

#[utoipa::path(delete, path = "/v1/recommendation-rules/{id}", tag = "search",
    params(("id" = String, Path)), security(("bearer" = [])),
    responses((status = 204), (status = 404, body = Problem)))]
pub async fn delete_rule(
    State(st): State<AppState>,
    auth: Auth,
    ApiPath(id): ApiPath<String>,
) -> ApiResult<StatusCode> {
    auth.require(Scope::CatalogueWrite)?;
    if st
        .store
        .delete_cross_sell_rule(&auth.tenant.id, &id)
        .await?
    {
        Ok(StatusCode::NO_CONTENT)
    } else {
        Err(ApiError::not_found("rule"))
    }
}
