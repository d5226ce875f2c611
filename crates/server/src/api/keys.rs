//! `/v1/keys`: a tenant's API keys. Created keys are shown once; revoked keys stop at once.

use super::dto::*;
use crate::auth::Auth;
use crate::error::{ApiError, ApiResult, Problem};
use crate::extract::{ApiJson, ApiPath};
use crate::state::AppState;
use axum::extract::State;
use axum::http::StatusCode;
use axum::Json;
use comptoir_domain::{KeyKind, NewApiKey, Scope};

#[utoipa::path(get, path = "/v1/keys", tag = "keys", security(("bearer" = [])),
    responses((status = 200, body = KeyList), (status = 403, body = Problem)))]
pub async fn list(State(st): State<AppState>, auth: Auth) -> ApiResult<Json<KeyList>> {
    auth.require(Scope::Admin)?;
    let keys = st.store.list_api_keys(&auth.tenant.id).await?;
    Ok(Json(KeyList {
        items: keys.iter().map(KeyOut::from).collect(),
        next_cursor: None,
    }))
}

#[utoipa::path(post, path = "/v1/keys", tag = "keys", request_body = KeyCreate, security(("bearer" = [])),
    responses((status = 201, body = KeyOut), (status = 403, body = Problem), (status = 422, body = Problem)))]
pub async fn create(
    State(st): State<AppState>,
    auth: Auth,
    ApiJson(body): ApiJson<KeyCreate>,
) -> ApiResult<(StatusCode, Json<KeyOut>)> {
    auth.require(Scope::Admin)?;
    let kind = KeyKind::parse(&body.kind)
        .ok_or_else(|| ApiError::invalid("kind", "must be `secret` or `public`"))?;
    if body.name.len() > 200 {
        return Err(ApiError::invalid("name", "at most 200 characters"));
    }
    let new = NewApiKey::generate(&auth.tenant.id, kind, body.name.trim());
    st.store.insert_api_key(&new).await?;
    let mut out = KeyOut::from(&new.key);
    out.token = Some(new.token);
    Ok((StatusCode::CREATED, Json(out)))
}

#[utoipa::path(delete, path = "/v1/keys/{id}", tag = "keys", params(("id" = String, Path)), security(("bearer" = [])),
    responses((status = 204), (status = 404, body = Problem)))]
pub async fn revoke(
    State(st): State<AppState>,
    auth: Auth,
    ApiPath(id): ApiPath<String>,
) -> ApiResult<StatusCode> {
    auth.require(Scope::Admin)?;
    let revoked = st.store.revoke_api_key(&auth.tenant.id, &id).await?;
    st.keys.clear();
    if revoked {
        Ok(StatusCode::NO_CONTENT)
    } else {
        Err(ApiError::not_found("live API key"))
    }
}
