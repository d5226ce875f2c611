//! `/v1/products`: the catalogue, read with any key, written with a secret key.

use super::dto::*;
use crate::auth::Auth;
use crate::error::{ApiError, ApiResult, Problem};
use crate::extract::{ApiJson, ApiPath, ApiQuery};
use crate::state::AppState;
use axum::extract::State;
use axum::http::StatusCode;
use axum::Json;
use comptoir_domain::{ProductFilter, ProductUpsert, Scope, Translation};

#[utoipa::path(get, path = "/v1/products", tag = "catalogue", params(ListQuery),
    security(("bearer" = [])),
    responses((status = 200, body = ProductList), (status = 400, body = Problem), (status = 401, body = Problem)))]
pub async fn list(
    headers: axum::http::HeaderMap,
    State(st): State<AppState>,
    auth: Auth,
    ApiQuery(q): ApiQuery<ListQuery>,
) -> ApiResult<Json<ProductList>> {
    auth.require(Scope::CatalogueRead)?;
    let lang = reader_lang(&auth.tenant, q.lang.as_deref(), &headers)?;
    let filter = ProductFilter {
        category: q.category.filter(|c| !c.trim().is_empty()),
        brand: q.brand.filter(|b| !b.trim().is_empty()),
        in_stock: q.in_stock,
        price_min: price_filter("price_min", q.price_min.as_deref())?,
        price_max: price_filter("price_max", q.price_max.as_deref())?,
    };
    if let Some(c) = &q.cursor {
        if c.len() > 64 || !c.chars().all(|ch| ch.is_ascii_alphanumeric() || ch == '_') {
            return Err(ApiError::bad_request("invalid cursor"));
        }
    }
    let page = st
        .store
        .list_products(
            &auth.tenant,
            &filter,
            Some(&lang),
            q.cursor.as_deref(),
            q.limit.unwrap_or(50),
        )
        .await?;
    Ok(Json(ProductList {
        items: page.items.iter().map(ProductOut::from).collect(),
        next_cursor: page.next_cursor,
    }))
}

#[utoipa::path(get, path = "/v1/products/{id}", tag = "catalogue", params(("id" = String, Path), LangQuery),
    security(("bearer" = [])),
    responses((status = 200, body = ProductOut), (status = 404, body = Problem)))]
pub async fn get(
    headers: axum::http::HeaderMap,
    State(st): State<AppState>,
    auth: Auth,
    ApiPath(id): ApiPath<String>,
    ApiQuery(q): ApiQuery<LangQuery>,
) -> ApiResult<Json<ProductOut>> {
    auth.require(Scope::CatalogueRead)?;
    let lang = reader_lang(&auth.tenant, q.lang.as_deref(), &headers)?;
    let p = st
        .store
        .product(&auth.tenant, &id, Some(&lang))
        .await?
        .ok_or_else(|| ApiError::not_found("product"))?;
    Ok(Json(ProductOut::from(&p)))
}

#[utoipa::path(post, path = "/v1/products", tag = "catalogue", request_body = ProductCreate,
    security(("bearer" = [])),
    responses((status = 201, body = ProductOut), (status = 409, body = Problem), (status = 422, body = Problem), (status = 403, body = Problem)))]
pub async fn create(
    State(st): State<AppState>,
    auth: Auth,
    ApiJson(body): ApiJson<ProductCreate>,
) -> ApiResult<(StatusCode, Json<ProductOut>)> {
    auth.require(Scope::CatalogueWrite)?;
    let (upsert, lang) = body.into_upsert(&auth.tenant)?;
    let p = st
        .store
        .create_product(&auth.tenant, &upsert, Some(&lang))
        .await?;
    st.search
        .product_changed(st.store.as_ref(), &auth.tenant, &p.id)
        .await?;
    Ok((StatusCode::CREATED, Json(ProductOut::from(&p))))
}

#[utoipa::path(patch, path = "/v1/products/{id}", tag = "catalogue", request_body = ProductPatch,
    params(("id" = String, Path)), security(("bearer" = [])),
    responses((status = 200, body = ProductOut), (status = 404, body = Problem), (status = 409, body = Problem), (status = 422, body = Problem)))]
pub async fn update(
    State(st): State<AppState>,
    auth: Auth,
    ApiPath(id): ApiPath<String>,
    ApiJson(body): ApiJson<ProductPatch>,
) -> ApiResult<Json<ProductOut>> {
    auth.require(Scope::CatalogueWrite)?;
    let tenant = &auth.tenant;
    let lang = lang_param(tenant, body.lang.as_deref())?;
    let current = st
        .store
        .product(tenant, &id, Some(&lang))
        .await?
        .ok_or_else(|| ApiError::not_found("product"))?;
    let mut patch = ProductUpsert::new(&current.external_id).map_err(ApiError::internal)?;
    let touches_text = body.title.is_some()
        || body.description.is_some()
        || body.category.is_some()
        || body.tags.is_some();
    if touches_text {
        // Texts of another language start from nothing but need a title.
        let same = current.lang == lang;
        let title = body
            .title
            .or_else(|| same.then(|| current.title.clone()))
            .ok_or_else(|| {
                ApiError::invalid(
                    "title",
                    format!("the product has no `{lang}` text yet: give its title"),
                )
            })?;
        let description = body
            .description
            .or_else(|| same.then(|| current.description.clone()))
            .unwrap_or_default();
        let category = body
            .category
            .or_else(|| if same { current.category.clone() } else { None });
        let tags = body
            .tags
            .or_else(|| same.then(|| current.tags.clone()))
            .unwrap_or_default();
        patch.translations.push(
            Translation::new(
                lang.clone(),
                &title,
                &description,
                category.as_deref(),
                tags,
            )
            .map_err(|e| ApiError::invalid("title", e.to_string()))?,
        );
    }
    patch.brand = body.brand;
    patch.images = body.images;
    let replace = body.variants.is_some();
    if let Some(vs) = body.variants {
        patch.variants = variants_in(tenant, vs)?;
    }
    let p = st
        .store
        .update_product(tenant, &id, &patch, replace, Some(&lang))
        .await?
        .ok_or_else(|| ApiError::not_found("product"))?;
    st.search
        .product_changed(st.store.as_ref(), tenant, &id)
        .await?;
    Ok(Json(ProductOut::from(&p)))
}

#[utoipa::path(delete, path = "/v1/products/{id}", tag = "catalogue", params(("id" = String, Path)),
    security(("bearer" = [])), responses((status = 204), (status = 404, body = Problem)))]
pub async fn delete(
    State(st): State<AppState>,
    auth: Auth,
    ApiPath(id): ApiPath<String>,
) -> ApiResult<StatusCode> {
    auth.require(Scope::CatalogueWrite)?;
    if st.store.delete_product(&auth.tenant, &id).await? {
        st.search
            .product_changed(st.store.as_ref(), &auth.tenant, &id)
            .await?;
        Ok(StatusCode::NO_CONTENT)
    } else {
        Err(ApiError::not_found("product"))
    }
}
