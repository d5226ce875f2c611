//! `/v1/tenant`: the caller's own store.

use super::dto::*;
use crate::auth::Auth;
use crate::error::{ApiResult, Problem};
use crate::state::AppState;
use axum::extract::State;
use axum::Json;
use comptoir_domain::Scope;

#[utoipa::path(get, path = "/v1/tenant", tag = "tenant", security(("bearer" = [])),
    responses((status = 200, body = TenantOut), (status = 401, body = Problem)))]
pub async fn get(State(st): State<AppState>, auth: Auth) -> ApiResult<Json<TenantOut>> {
    auth.require(Scope::TenantRead)?;
    let t = &auth.tenant;
    let (products, variants) = st.store.count_catalogue(&t.id).await?;
    Ok(Json(TenantOut {
        id: t.id.clone(),
        slug: t.slug.clone(),
        name: t.name.clone(),
        plan: t.plan.as_str().into(),
        monthly_conversations: t.plan.monthly_conversations(),
        currency: t.currency.to_string(),
        locales: t.locales.iter().map(ToString::to_string).collect(),
        catalogue: CatalogueCounts { products, variants },
        created_at: rfc3339(t.created_at),
    }))
}
