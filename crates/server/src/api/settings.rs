//! The merchant's agent settings (template, widget look, checkout) and the industry
//! templates to choose from; the widget's public configuration.

use axum::extract::State;
use axum::http::{header, HeaderValue};
use axum::response::{IntoResponse, Response};
use axum::Json;
use comptoir_domain::{Scope, TenantSettings};
use serde::{Deserialize, Serialize};
use utoipa::{IntoParams, ToSchema};

use crate::auth::Auth;
use crate::error::{ApiError, ApiResult, Problem};
use crate::extract::{ApiJson, ApiPath, ApiQuery};
use crate::state::AppState;

#[utoipa::path(get, path = "/v1/tenant/settings", tag = "tenant",
    security(("bearer" = [])),
    responses((status = 200, description = "template, widget {name, color, avatar_url, welcome}, reservation_minutes, payment_instructions"),
        (status = 403, body = Problem)))]
pub async fn get(auth: Auth) -> ApiResult<Json<TenantSettings>> {
    auth.require(Scope::Admin)?;
    Ok(Json(auth.tenant.settings))
}

#[utoipa::path(put, path = "/v1/tenant/settings", tag = "tenant",
    request_body(content = Object, description = "The whole settings object; missing fields take their defaults"),
    security(("bearer" = [])),
    responses((status = 200, description = "The settings saved"), (status = 422, body = Problem)))]
pub async fn put(
    State(st): State<AppState>,
    auth: Auth,
    ApiJson(settings): ApiJson<TenantSettings>,
) -> ApiResult<Json<TenantSettings>> {
    auth.require(Scope::Admin)?;
    save(&st, &auth, settings).await
}

#[utoipa::path(patch, path = "/v1/tenant/settings", tag = "tenant",
    request_body(content = Object, description = "A JSON merge patch (RFC 7396): the fields sent change, `null` resets one, the others stay"),
    security(("bearer" = [])),
    responses((status = 200, description = "The settings saved"), (status = 422, body = Problem)))]
pub async fn patch(
    State(st): State<AppState>,
    auth: Auth,
    ApiJson(patch): ApiJson<serde_json::Value>,
) -> ApiResult<Json<TenantSettings>> {
    auth.require(Scope::Admin)?;
    if !patch.is_object() {
        return Err(ApiError::invalid("body", "a JSON object"));
    }
    let mut current = serde_json::to_value(&auth.tenant.settings).map_err(ApiError::internal)?;
    merge(&mut current, patch);
    let settings: TenantSettings = serde_json::from_value(current)
        .map_err(|e| ApiError::invalid("settings", e.to_string()))?;
    save(&st, &auth, settings).await
}

/// RFC 7396: objects merge key by key, `null` removes, anything else replaces.
fn merge(target: &mut serde_json::Value, patch: serde_json::Value) {
    match (target, patch) {
        (serde_json::Value::Object(t), serde_json::Value::Object(p)) => {
            for (k, v) in p {
                if v.is_null() {
                    t.remove(&k);
                } else {
                    merge(t.entry(k).or_insert(serde_json::Value::Null), v);
                }
            }
        }
        (t, p) => *t = p,
    }
}

async fn save(
    st: &AppState,
    auth: &Auth,
    settings: TenantSettings,
) -> ApiResult<Json<TenantSettings>> {
    store_settings(st, &auth.tenant.id, &settings).await?;
    Ok(Json(settings))
}

/// Checks and saves a shop's settings (the API and the admin both come here).
pub(crate) async fn store_settings(
    st: &AppState,
    tenant_id: &str,
    settings: &TenantSettings,
) -> ApiResult<()> {
    if let Err(m) = settings.validate() {
        let (field, message) = m.split_once(": ").unwrap_or(("settings", m.as_str()));
        return Err(ApiError::invalid(field, message));
    }
    if !st.conversations.template_exists(&settings.template) {
        return Err(ApiError::invalid(
            "template",
            format!("no template `{}`; see GET /v1/templates", settings.template),
        ));
    }
    st.store.update_tenant_settings(tenant_id, settings).await?;
    st.keys.clear();
    Ok(())
}

#[derive(Debug, Serialize, ToSchema)]
pub struct TemplateSummary {
    pub id: String,
    pub name: String,
    pub intents: Vec<String>,
    pub faq_topics: Vec<String>,
    pub appointments: bool,
}

#[utoipa::path(get, path = "/v1/templates", tag = "tenant",
    security(("bearer" = [])),
    responses((status = 200, body = [TemplateSummary])))]
pub async fn templates(
    State(st): State<AppState>,
    auth: Auth,
) -> ApiResult<Json<Vec<TemplateSummary>>> {
    auth.require(Scope::TenantRead)?;
    Ok(Json(
        st.conversations
            .templates()
            .iter()
            .map(|t| TemplateSummary {
                id: t.id.clone(),
                name: t.name.clone(),
                intents: t.intents.clone(),
                faq_topics: t.faq.keys().cloned().collect(),
                appointments: t.appointment.is_some(),
            })
            .collect(),
    ))
}

#[utoipa::path(get, path = "/v1/templates/{id}", tag = "tenant",
    params(("id" = String, Path, description = "Template id")),
    security(("bearer" = [])),
    responses((status = 200, description = "The template as TOML, to copy and edit", content_type = "application/toml"),
        (status = 404, body = Problem)))]
pub async fn template_source(auth: Auth, ApiPath(id): ApiPath<String>) -> ApiResult<Response> {
    auth.require(Scope::TenantRead)?;
    let text = comptoir_agent::Template::builtin_source(&id)
        .ok_or_else(|| ApiError::not_found("template"))?;
    let mut res = text.into_response();
    res.headers_mut().insert(
        header::CONTENT_TYPE,
        HeaderValue::from_static("application/toml; charset=utf-8"),
    );
    Ok(res)
}

#[derive(Debug, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct WidgetQuery {
    /// The page's language; default the shop's first locale.
    pub lang: Option<String>,
}

#[derive(Debug, Serialize, ToSchema)]
pub struct QuickReplyOut {
    pub label: String,
    pub payload: String,
}

#[derive(Debug, Serialize, ToSchema)]
pub struct WidgetConfig {
    pub name: String,
    /// `#rrggbb`.
    pub color: String,
    pub avatar_url: Option<String>,
    pub welcome: String,
    pub quick_replies: Vec<QuickReplyOut>,
    pub locale: String,
}

#[utoipa::path(get, path = "/v1/widget/config", tag = "conversations", params(WidgetQuery),
    security(("bearer" = [])),
    responses((status = 200, body = WidgetConfig), (status = 401, body = Problem)))]
pub async fn widget_config(
    State(st): State<AppState>,
    auth: Auth,
    ApiQuery(q): ApiQuery<WidgetQuery>,
) -> ApiResult<Json<WidgetConfig>> {
    auth.require(Scope::Conversations)?;
    let lang = q
        .lang
        .as_deref()
        .and_then(comptoir_nlu::Lang::parse)
        .or_else(|| comptoir_nlu::Lang::parse(auth.tenant.default_locale().as_str()))
        .unwrap_or(comptoir_nlu::Lang::En);
    let w = &auth.tenant.settings.widget;
    let template = st.conversations.template(&auth.tenant);
    let agent = st.conversations.agent();
    let welcome = w
        .welcome
        .clone()
        .unwrap_or_else(|| agent.greeting_for(&auth.tenant, &template, lang));
    let label = |key: &str| agent.replies.render(lang, key, 0, &[]);
    Ok(Json(WidgetConfig {
        name: w.name.clone().unwrap_or_else(|| auth.tenant.name.clone()),
        color: w.color.clone().unwrap_or_else(|| "#1f6feb".into()),
        avatar_url: w.avatar_url.clone(),
        welcome,
        quick_replies: vec![
            QuickReplyOut {
                label: label("qr_order_status"),
                payload: "order_status".into(),
            },
            QuickReplyOut {
                label: label("qr_human"),
                payload: "human".into(),
            },
        ],
        locale: lang.code().into(),
    }))
}
