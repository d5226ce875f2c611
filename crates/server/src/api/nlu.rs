//! `POST /v1/nlu/parse`: the understanding of one message, for integrators (like Rasa's
//! `/model/parse`). Any key of the tenant may call it; catalogue mentions use its catalogue.

use crate::auth::Auth;
use crate::error::{ApiError, ApiResult, Problem};
use crate::extract::ApiJson;
use crate::state::AppState;
use axum::extract::State;
use axum::http::StatusCode;
use axum::Json;
use chrono::{DateTime, FixedOffset, Utc};
use comptoir_domain::Scope;
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;

/// Longest message understood, in bytes: a chat line, not a document.
pub const MAX_TEXT_BYTES: usize = 4096;

#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct ParseIn {
    /// The shopper's message.
    pub text: String,
    /// Reference time for relative dates, RFC 3339 with the shopper's offset
    /// (`2026-11-25T10:00:00+01:00`). Default: now, UTC.
    pub now: Option<String>,
    /// The conversation's or page's locale (`de`, `fr-CA`): short messages keep it.
    pub locale: Option<String>,
}

#[derive(Debug, Serialize, ToSchema)]
pub struct EntityOut {
    /// product, category, brand, color, size, material, price_min, price_max, quantity, ordinal,
    /// date, time, email, phone, order_number, person_name.
    #[serde(rename = "type")]
    pub kind: String,
    /// Normal form; an integer for quantity and ordinal.
    #[schema(value_type = Object)]
    pub value: serde_json::Value,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub currency: Option<String>,
    /// For products: the product id.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub id: Option<String>,
}

#[derive(Debug, Serialize, ToSchema)]
pub struct Alternative {
    pub intent: String,
    pub confidence: f32,
}

/// The `understanding` object of PRODUCT.md.
#[derive(Debug, Serialize, ToSchema)]
pub struct UnderstandingOut {
    /// fr, en, de, it, es or other.
    pub language: String,
    pub intent: String,
    /// Calibrated probability of `intent`, 0..1.
    pub confidence: f32,
    pub entities: Vec<EntityOut>,
    /// The next best intents.
    pub alternatives: Vec<Alternative>,
}

impl From<comptoir_nlu::Understanding> for UnderstandingOut {
    fn from(u: comptoir_nlu::Understanding) -> Self {
        let entities = u
            .entities
            .iter()
            .map(|e| {
                let v = serde_json::to_value(e).unwrap_or_default();
                EntityOut {
                    kind: e.kind.name().to_string(),
                    value: v.get("value").cloned().unwrap_or_default(),
                    currency: e.currency.clone(),
                    id: e.id.clone(),
                }
            })
            .collect();
        UnderstandingOut {
            language: u.language,
            intent: u.intent,
            confidence: (u.confidence * 1000.0).round() / 1000.0,
            entities,
            alternatives: u
                .alternatives
                .into_iter()
                .map(|a| Alternative {
                    intent: a.intent,
                    confidence: (a.confidence * 1000.0).round() / 1000.0,
                })
                .collect(),
        }
    }
}

#[utoipa::path(post, path = "/v1/nlu/parse", tag = "understanding", request_body = ParseIn,
    security(("bearer" = [])),
    responses((status = 200, body = UnderstandingOut), (status = 401, body = Problem),
        (status = 403, body = Problem), (status = 413, body = Problem), (status = 422, body = Problem),
        (status = 503, body = Problem)))]
pub async fn parse(
    State(st): State<AppState>,
    auth: Auth,
    ApiJson(body): ApiJson<ParseIn>,
) -> ApiResult<Json<UnderstandingOut>> {
    auth.require(Scope::Nlu)?;
    if body.text.len() > MAX_TEXT_BYTES {
        return Err(ApiError::new(
            StatusCode::PAYLOAD_TOO_LARGE,
            "payload_too_large",
            format!(
                "`text` is {} bytes; a message may be at most {MAX_TEXT_BYTES}",
                body.text.len()
            ),
        ));
    }
    let now: DateTime<FixedOffset> = match body.now.as_deref() {
        None | Some("") => Utc::now().fixed_offset(),
        Some(s) => DateTime::parse_from_rfc3339(s).map_err(|_| {
            ApiError::invalid(
                "now",
                "must be an RFC 3339 time with an offset, e.g. 2026-11-25T10:00:00+01:00",
            )
        })?,
    };
    let previous = match body.locale.as_deref().filter(|l| !l.is_empty()) {
        None => None,
        Some(l) => Some(comptoir_nlu::Lang::parse(l).ok_or_else(|| {
            ApiError::invalid(
                "locale",
                "must be one of fr, en, de, it, es (a region suffix is fine)",
            )
        })?),
    };
    let catalogue = st
        .understanding
        .catalogue(st.store.as_ref(), &auth.tenant)
        .await?;
    let engine = st
        .understanding
        .engine_for(&auth.tenant)
        .await
        .map_err(ApiError::internal)?;
    let understood = tokio::task::spawn_blocking(move || {
        let request = comptoir_nlu::Request {
            text: &body.text,
            now,
            previous,
            catalogue: Some(&catalogue.index),
        };
        engine.understand(&request)
    })
    .await
    .map_err(ApiError::internal)?;
    Ok(Json(understood.into()))
}
