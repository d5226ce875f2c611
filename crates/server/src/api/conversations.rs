//! The conversation API (PRODUCT.md): start a conversation with the public widget key, send
//! messages (text or widget actions) and get the agent's reply, read the transcript.
//!
//! A message is one turn: admit (rate limit) → lock the conversation → read its state → run
//! the agent (understanding, policy, tools) → save state and turn in one transaction, guarded
//! by the state's version so a second server process cannot interleave. The reply is JSON, or
//! a Server-Sent Events stream when the caller asks for `text/event-stream` (the widget).
//!
//! Human takeover (`crate::takeover`, secret key): `POST …/takeover`, `…/staff-messages`,
//! `…/handback`. While a person has the conversation (status `human`), a shopper's text is
//! recorded for them and the agent does not answer (`"human": true`, empty reply text); widget
//! buttons (add to cart, checkout…) still run the agent, so the shopper can still buy.

use std::time::Instant;

use axum::extract::State;
use axum::http::{header, HeaderMap, HeaderValue, StatusCode};
use axum::response::{IntoResponse, Response};
use axum::Json;
use chrono::Utc;
use comptoir_agent::{AgentError, CartView, ConversationState, Input, Reply, TurnContext};
use comptoir_domain::Scope;
use comptoir_store::{ConversationRecord, ConversationUpdate, NewTurn};
use serde::{Deserialize, Serialize};
use utoipa::{IntoParams, ToSchema};

use crate::api::dto::rfc3339;
use crate::api::nlu::{UnderstandingOut, MAX_TEXT_BYTES};
use crate::auth::Auth;
use crate::error::{ApiError, ApiResult, Problem};
use crate::extract::{ApiJson, ApiPath, ApiQuery};
use crate::state::AppState;
use crate::takeover::{self, HUMAN};

/// Saves retried when another process saved the same conversation in between.
const SAVE_ATTEMPTS: usize = 3;
/// Turns returned by one transcript read.
const TRANSCRIPT_PAGE: u32 = 500;

#[derive(Debug, Default, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct CreateIn {
    /// The page's or shopper's language (`fr`, `de-CH`): replies start in it.
    pub locale: Option<String>,
    /// `web` (default) or `api`.
    pub channel: Option<String>,
}

#[derive(Debug, Serialize, ToSchema)]
pub struct CreatedOut {
    pub id: String,
}

#[utoipa::path(post, path = "/v1/conversations", tag = "conversations", request_body = CreateIn,
    security(("bearer" = [])),
    responses((status = 201, body = CreatedOut), (status = 401, body = Problem), (status = 422, body = Problem)))]
pub async fn create(
    State(st): State<AppState>,
    auth: Auth,
    body: axum::body::Bytes,
) -> ApiResult<Response> {
    auth.require(Scope::Conversations)?;
    // The body is optional: an empty one starts a conversation in the shop's language.
    let body: CreateIn = if body.iter().all(u8::is_ascii_whitespace) {
        CreateIn::default()
    } else {
        serde_json::from_slice(&body).map_err(|e| ApiError::invalid("body", e.to_string()))?
    };
    let locale = match body
        .locale
        .as_deref()
        .map(str::trim)
        .filter(|l| !l.is_empty())
    {
        None => None,
        Some(l) => Some(comptoir_nlu::Lang::parse(l).ok_or_else(|| {
            ApiError::invalid(
                "locale",
                "one of fr, en, de, it, es (a region suffix is fine)",
            )
        })?),
    };
    let channel = match body.channel.as_deref() {
        None | Some("web") => "web",
        Some("api") => "api",
        Some(_) => return Err(ApiError::invalid("channel", "`web` or `api`")),
    };
    let state = ConversationState {
        lang: locale.map(|l| l.code().to_string()),
        status: "open".into(),
        ..Default::default()
    };
    let c = st
        .store
        .create_conversation(
            &auth.tenant.id,
            channel,
            locale.map(|l| l.code()),
            &serde_json::to_string(&state).map_err(ApiError::internal)?,
        )
        .await?;
    metrics::counter!("comptoir_conversations_started_total").increment(1);
    Ok((StatusCode::CREATED, Json(CreatedOut { id: c.id })).into_response())
}

/// A message: words, or a widget button.
#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct MessageIn {
    pub text: Option<String>,
    /// `{"type": "add_to_cart", "sku", "quantity"}`, `{"type": "remove_from_cart", "sku"}`,
    /// `{"type": "update_cart", "sku", "quantity"}`, `{"type": "view_cart"}`,
    /// `{"type": "quick_reply", "payload"}`, `{"type": "checkout", "customer": {"name",
    /// "email", "phone", "address"}, "payment_method": "manual"}`.
    #[schema(value_type = Object)]
    pub action: Option<serde_json::Value>,
}

/// One turn's answer.
#[derive(Debug, Serialize, ToSchema)]
pub struct TurnOut {
    /// `text`, `products` (cards: sku, product_id, title, variant, price, currency,
    /// compare_at_price, in_stock, stock, image, digital), `quick_replies` (label, payload),
    /// and when relevant `order` and `form`.
    #[schema(value_type = Object)]
    pub reply: Reply,
    pub understanding: UnderstandingOut,
    /// items (sku, product_id, title, variant, quantity, unit_price, line_total), total,
    /// currency, count.
    #[schema(value_type = Object)]
    pub cart: CartView,
    /// True when a person from the shop has the conversation and the message was passed to
    /// them: the agent did not answer (the reply's text is empty; the person's answer shows in
    /// the transcript). False when the agent answered.
    pub human: bool,
}

#[utoipa::path(post, path = "/v1/conversations/{id}/messages", tag = "conversations", request_body = MessageIn,
    params(("id" = String, Path, description = "Conversation id")),
    security(("bearer" = [])),
    responses((status = 200, body = TurnOut, description = "JSON, or `text/event-stream` with one `turn` event when asked for"),
        (status = 404, body = Problem), (status = 409, body = Problem), (status = 413, body = Problem),
        (status = 422, body = Problem), (status = 429, body = Problem, description = "Too many messages; see Retry-After")))]
pub async fn message(
    State(st): State<AppState>,
    auth: Auth,
    headers: HeaderMap,
    ApiPath(id): ApiPath<String>,
    ApiJson(body): ApiJson<MessageIn>,
) -> ApiResult<Response> {
    auth.require(Scope::Conversations)?;
    let input = match (body.text, body.action) {
        (Some(t), None) => {
            if t.len() > MAX_TEXT_BYTES {
                return Err(ApiError::new(
                    StatusCode::PAYLOAD_TOO_LARGE,
                    "payload_too_large",
                    format!(
                        "`text` is {} bytes; a message may be at most {MAX_TEXT_BYTES}",
                        t.len()
                    ),
                ));
            }
            Input::Text(t)
        }
        (None, Some(a)) => Input::Action(
            serde_json::from_value(a).map_err(|e| ApiError::invalid("action", e.to_string()))?,
        ),
        _ => return Err(ApiError::invalid("text", "send either `text` or `action`")),
    };
    if id.len() > 64 {
        return Err(ApiError::not_found("conversation"));
    }
    // Gates are per tenant and conversation: another tenant's ids share nothing.
    let lock = st
        .conversations
        .admit(&auth.tenant.id, &id)
        .map_err(takeover::rate_limited)?;
    // Held for the whole turn; staff actions (crate::takeover) take the same lock.
    let _held = lock.lock().await;
    let wants_sse = headers
        .get(header::ACCEPT)
        .and_then(|v| v.to_str().ok())
        .is_some_and(|a| a.contains("text/event-stream"));
    let queued = Instant::now();
    let _working = st.conversations.work().await;
    // The turn's own time: from its place among the turns computed at once to its reply. The
    // wait for that place (an overloaded server) is measured apart.
    let started = Instant::now();
    metrics::histogram!("comptoir_turn_queue_seconds").record((started - queued).as_secs_f64());

    let template = st.conversations.template(&auth.tenant);
    // The shop's own model when it taught the agent its phrasings, else the built-in one.
    let engine = st
        .understanding
        .engine_for(&auth.tenant)
        .await
        .map_err(ApiError::internal)?;
    let mut attempt = 0;
    let (outcome, lang) = loop {
        attempt += 1;
        // The conversation and the versions of the shop's caches, in one read.
        let found = if id.len() > 64 {
            None
        } else {
            st.store.conversation_for_turn(&auth.tenant.id, &id).await?
        };
        let Some((record, versions)) = found else {
            st.conversations.forget(&auth.tenant.id, &id);
            return Err(ApiError::not_found("conversation"));
        };
        let human = record.status == HUMAN;
        if human && matches!(input, Input::Text(_)) {
            // A person has the conversation: the words are theirs to answer, not the agent's.
            if let Some(out) = pass_to_person(&st, &auth, &record, &input, started).await? {
                return respond(&out, wants_sse);
            }
            if attempt >= SAVE_ATTEMPTS {
                return Err(busy());
            }
            continue;
        }
        let tenant_index = st
            .search
            .index_at(st.store.as_ref(), &auth.tenant, versions)
            .await?;
        let mentions = st
            .understanding
            .catalogue_at(st.store.as_ref(), &auth.tenant, versions.0)
            .await?;
        let mut state: ConversationState = serde_json::from_str(&record.state)
            .map_err(|e| ApiError::internal(format!("conversation {id} state: {e}")))?;
        let ctx = TurnContext {
            store: st.store.as_ref(),
            tenant: &auth.tenant,
            index: &tenant_index.index,
            mentions: Some(&mentions.index),
            engine: &engine,
            template: &template,
            payment: st.conversations.payment(),
            conversation_id: &id,
            now: Utc::now(),
        };
        let outcome = st
            .conversations
            .agent()
            .turn(&ctx, &mut state, &input)
            .await
            .map_err(agent_error)?;
        let server_us = started.elapsed().as_micros() as i64;
        let understanding = understanding_of(&outcome, &input, &state);
        let turn = NewTurn {
            input: serde_json::to_string(&input_json(&input)).map_err(ApiError::internal)?,
            understanding: Some(serde_json::to_string(&understanding).map_err(ApiError::internal)?),
            actions: serde_json::to_string(&outcome.actions).map_err(ApiError::internal)?,
            reply: serde_json::to_string(&outcome.reply).map_err(ApiError::internal)?,
            server_us,
        };
        let state_json = serde_json::to_string(&state).map_err(ApiError::internal)?;
        let saved = st
            .store
            .record_turn(
                &auth.tenant.id,
                &ConversationUpdate {
                    id: &id,
                    expected_version: record.version,
                    state: &state_json,
                    // A button pressed while a person has the conversation leaves it theirs.
                    status: if human { HUMAN } else { &state.status },
                    locale: state.lang.as_deref(),
                    lead_score: state.lead_score,
                },
                &turn,
            )
            .await?;
        if saved {
            break (outcome, understanding);
        }
        if attempt >= SAVE_ATTEMPTS {
            return Err(busy());
        }
    };
    metrics::histogram!("comptoir_turn_duration_seconds").record(started.elapsed().as_secs_f64());
    for t in &outcome.actions {
        if let comptoir_agent::ToolResult::OrderPlaced {
            repeated: false, ..
        } = &t.result
        {
            metrics::counter!("comptoir_orders_placed_total").increment(1);
        }
    }
    let out = TurnOut {
        reply: outcome.reply,
        understanding: lang,
        cart: outcome.cart,
        human: false,
    };
    respond(&out, wants_sse)
}

fn busy() -> ApiError {
    ApiError::new(
        StatusCode::CONFLICT,
        "conversation_busy",
        "another message of this conversation was being saved; send it again",
    )
}

/// Records a shopper's text while a person has the conversation: no agent, no understanding,
/// no actions, an empty reply; the state (cart included) is kept as it is. `None` when another
/// process saved the conversation in between (read it again).
async fn pass_to_person(
    st: &AppState,
    auth: &Auth,
    record: &ConversationRecord,
    input: &Input,
    started: Instant,
) -> ApiResult<Option<TurnOut>> {
    let state: ConversationState = serde_json::from_str(&record.state)
        .map_err(|e| ApiError::internal(format!("conversation {} state: {e}", record.id)))?;
    let reply = Reply::default();
    let turn = NewTurn {
        input: serde_json::to_string(&input_json(input)).map_err(ApiError::internal)?,
        understanding: None,
        actions: "[]".into(),
        reply: serde_json::to_string(&reply).map_err(ApiError::internal)?,
        server_us: started.elapsed().as_micros() as i64,
    };
    let saved = st
        .store
        .record_turn(
            &auth.tenant.id,
            &ConversationUpdate {
                id: &record.id,
                expected_version: record.version,
                state: &record.state,
                status: HUMAN,
                locale: record.locale.as_deref(),
                lead_score: record.lead_score,
            },
            &turn,
        )
        .await?;
    if !saved {
        return Ok(None);
    }
    metrics::counter!("comptoir_turns_for_staff_total").increment(1);
    Ok(Some(TurnOut {
        reply,
        // Not read: the language the conversation is in, no intent.
        understanding: UnderstandingOut {
            language: state
                .lang
                .clone()
                .or_else(|| record.locale.clone())
                .unwrap_or_else(|| "en".into()),
            intent: "out_of_scope".into(),
            confidence: 0.0,
            entities: Vec::new(),
            alternatives: Vec::new(),
        },
        cart: CartView::of(&state.cart, auth.tenant.currency.as_str()),
        human: true,
    }))
}

/// The turn as JSON, or as one Server-Sent Events `turn` event when the caller asked for it.
fn respond(out: &TurnOut, wants_sse: bool) -> ApiResult<Response> {
    let body = serde_json::to_string(out).map_err(ApiError::internal)?;
    if wants_sse {
        // One event per turn; the stream ends with it.
        let sse = format!("event: turn\ndata: {body}\n\n");
        let mut res = (StatusCode::OK, sse).into_response();
        res.headers_mut().insert(
            header::CONTENT_TYPE,
            HeaderValue::from_static("text/event-stream"),
        );
        res.headers_mut()
            .insert(header::CACHE_CONTROL, HeaderValue::from_static("no-cache"));
        return Ok(res);
    }
    let mut res = (StatusCode::OK, body).into_response();
    res.headers_mut().insert(
        header::CONTENT_TYPE,
        HeaderValue::from_static("application/json"),
    );
    Ok(res)
}

async fn conversation(st: &AppState, auth: &Auth, id: &str) -> ApiResult<ConversationRecord> {
    if id.len() > 64 {
        return Err(ApiError::not_found("conversation"));
    }
    st.store
        .conversation(&auth.tenant.id, id)
        .await?
        .ok_or_else(|| ApiError::not_found("conversation"))
}

fn agent_error(e: AgentError) -> ApiError {
    match e {
        AgentError::Invalid { field, message } => ApiError::invalid(&field, message),
        AgentError::Conflict { code, message } => {
            let code = match code.as_str() {
                "cart_empty" => "cart_empty",
                _ => "conflict",
            };
            ApiError::new(StatusCode::CONFLICT, code, message)
        }
        AgentError::Store(s) => s.into(),
    }
}

fn input_json(input: &Input) -> serde_json::Value {
    match input {
        Input::Text(t) => serde_json::json!({ "text": t }),
        Input::Action(a) => serde_json::json!({ "action": a }),
    }
}

/// The NLU's reading for text; for a button, what the button means, with confidence 1.
fn understanding_of(
    outcome: &comptoir_agent::TurnOutcome,
    input: &Input,
    state: &ConversationState,
) -> UnderstandingOut {
    match (&outcome.understanding, input) {
        (Some(u), _) => u.clone().into(),
        (None, Input::Action(a)) => {
            let intent = match a {
                comptoir_agent::Action::AddToCart { .. }
                | comptoir_agent::Action::UpdateCart { .. } => "add_to_cart",
                comptoir_agent::Action::RemoveFromCart { .. } => "remove_from_cart",
                comptoir_agent::Action::ViewCart => "view_cart",
                comptoir_agent::Action::Checkout { .. } => "checkout",
                comptoir_agent::Action::QuickReply { .. } => "quick_reply",
            };
            UnderstandingOut {
                language: state.lang.clone().unwrap_or_else(|| "en".into()),
                intent: intent.into(),
                confidence: 1.0,
                entities: Vec::new(),
                alternatives: Vec::new(),
            }
        }
        (None, Input::Text(_)) => UnderstandingOut {
            language: state.lang.clone().unwrap_or_else(|| "en".into()),
            intent: "out_of_scope".into(),
            confidence: 0.0,
            entities: Vec::new(),
            alternatives: Vec::new(),
        },
    }
}

#[derive(Debug, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct TranscriptQuery {
    /// Turns after this sequence number (default 0: from the start).
    pub after: Option<i64>,
}

#[derive(Debug, Serialize, ToSchema)]
pub struct TurnRecordOut {
    pub seq: i64,
    /// `{"text": …}` or `{"action": …}` from the shopper, or `{"staff": {"by", "event"}}` from
    /// a person of the shop (`event`: `takeover`, `message` or `handback`; the reply's text is
    /// what the shopper sees: a notice, or the person's words).
    #[schema(value_type = Object)]
    pub input: serde_json::Value,
    #[schema(value_type = Object)]
    pub understanding: Option<serde_json::Value>,
    /// The tools the agent called, with their results.
    #[schema(value_type = Object)]
    pub actions: serde_json::Value,
    #[schema(value_type = Object)]
    pub reply: serde_json::Value,
    /// Server-side time of the turn, microseconds.
    pub server_us: i64,
    /// RFC 3339, UTC.
    pub at: String,
}

#[derive(Debug, Serialize, ToSchema)]
pub struct TranscriptOut {
    pub id: String,
    pub channel: String,
    pub locale: Option<String>,
    /// `open`, `handoff` (the shopper asked for a person), `human` (a person from the shop
    /// has taken over: the agent does not answer text) or `closed`.
    pub status: String,
    pub lead_score: i64,
    pub created_at: String,
    pub updated_at: String,
    #[schema(value_type = Object)]
    pub cart: CartView,
    pub turns: Vec<TurnRecordOut>,
    /// Set when more turns follow: pass it as `after`.
    pub next_after: Option<i64>,
}

#[utoipa::path(get, path = "/v1/conversations/{id}", tag = "conversations",
    params(("id" = String, Path, description = "Conversation id"), TranscriptQuery),
    security(("bearer" = [])),
    responses((status = 200, body = TranscriptOut), (status = 404, body = Problem)))]
pub async fn transcript(
    State(st): State<AppState>,
    auth: Auth,
    ApiPath(id): ApiPath<String>,
    ApiQuery(q): ApiQuery<TranscriptQuery>,
) -> ApiResult<Json<TranscriptOut>> {
    auth.require(Scope::Conversations)?;
    let record = conversation(&st, &auth, &id).await?;
    let state: ConversationState = serde_json::from_str(&record.state).unwrap_or_default();
    let turns = st
        .store
        .turns(&auth.tenant.id, &id, q.after.unwrap_or(0), TRANSCRIPT_PAGE)
        .await?;
    let parse =
        |s: &str| serde_json::from_str::<serde_json::Value>(s).unwrap_or(serde_json::Value::Null);
    let next_after =
        (turns.len() as u32 == TRANSCRIPT_PAGE).then(|| turns.last().map_or(0, |t| t.seq));
    Ok(Json(TranscriptOut {
        cart: CartView::of(&state.cart, auth.tenant.currency.as_str()),
        turns: turns
            .iter()
            .map(|t| TurnRecordOut {
                seq: t.seq,
                input: parse(&t.input),
                understanding: t.understanding.as_deref().map(parse),
                actions: parse(&t.actions),
                reply: parse(&t.reply),
                server_us: t.server_us,
                at: rfc3339(t.created_at),
            })
            .collect(),
        id: record.id,
        channel: record.channel,
        locale: record.locale,
        status: record.status,
        lead_score: record.lead_score,
        created_at: rfc3339(record.created_at),
        updated_at: rfc3339(record.updated_at),
        next_after,
    }))
}

#[derive(Debug, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct ListQuery {
    pub cursor: Option<String>,
    /// 1–200, default 50.
    pub limit: Option<u32>,
    /// Only the conversations in this status: `open`, `handoff` (the shopper asked for a
    /// person), `human` (a person from the shop has taken over) or `closed`. Filtered before
    /// paging, so a page is full whatever the other conversations are; pass it again with
    /// `cursor`. Empty or absent: every status.
    pub status: Option<String>,
}

/// The statuses `GET /v1/conversations?status=` accepts.
const STATUSES: [&str; 4] = ["open", "handoff", HUMAN, "closed"];

#[derive(Debug, Serialize, ToSchema)]
pub struct ConversationSummary {
    pub id: String,
    pub channel: String,
    pub locale: Option<String>,
    pub status: String,
    pub turns: i64,
    pub lead_score: i64,
    pub created_at: String,
    pub updated_at: String,
}

#[derive(Debug, Serialize, ToSchema)]
pub struct ConversationList {
    pub items: Vec<ConversationSummary>,
    pub next_cursor: Option<String>,
}

#[utoipa::path(get, path = "/v1/conversations", tag = "conversations", params(ListQuery),
    security(("bearer" = [])),
    responses((status = 200, body = ConversationList), (status = 403, body = Problem),
        (status = 422, body = Problem, description = "An unknown `status`")))]
pub async fn list(
    State(st): State<AppState>,
    auth: Auth,
    ApiQuery(q): ApiQuery<ListQuery>,
) -> ApiResult<Json<ConversationList>> {
    // The list shows every shopper's conversation: the merchant's secret key only.
    auth.require(Scope::OrdersRead)?;
    let status = q.status.as_deref().filter(|s| !s.is_empty());
    if status.is_some_and(|s| !STATUSES.contains(&s)) {
        return Err(ApiError::invalid(
            "status",
            "one of open, handoff, human, closed",
        ));
    }
    let page = st
        .store
        .list_conversations(
            &auth.tenant.id,
            status,
            q.cursor.as_deref(),
            q.limit.unwrap_or(50).clamp(1, 200),
        )
        .await?;
    Ok(Json(ConversationList {
        items: page
            .items
            .into_iter()
            .map(|c| ConversationSummary {
                id: c.id,
                channel: c.channel,
                locale: c.locale,
                status: c.status,
                turns: c.turns,
                lead_score: c.lead_score,
                created_at: rfc3339(c.created_at),
                updated_at: rfc3339(c.updated_at),
            })
            .collect(),
        next_cursor: page.next_cursor,
    }))
}

/// Who from the shop acts.
#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct StaffIn {
    /// The person's display name, shown to the shopper (1–80 characters, plain text).
    pub by: String,
}

/// A person's message to the shopper.
#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct StaffMessageIn {
    /// The person's display name, shown above the message (1–80 characters, plain text).
    pub by: String,
    /// 1–4000 characters, shown as written (plain text).
    pub text: String,
}

/// The conversation after a staff action.
#[derive(Debug, Serialize, ToSchema)]
pub struct StaffOut {
    pub id: String,
    /// `human` after a takeover or a message, `open` after a hand-back.
    pub status: String,
    /// Turns in the conversation; the sequence number of the last one (after a staff action
    /// that recorded one: that action's turn).
    pub turns: i64,
    pub updated_at: String,
}

impl From<ConversationRecord> for StaffOut {
    fn from(r: ConversationRecord) -> Self {
        StaffOut {
            id: r.id,
            status: r.status,
            turns: r.turns,
            updated_at: rfc3339(r.updated_at),
        }
    }
}

#[utoipa::path(post, path = "/v1/conversations/{id}/takeover", tag = "conversations", request_body = StaffIn,
    params(("id" = String, Path, description = "Conversation id")),
    security(("bearer" = [])),
    responses((status = 200, body = StaffOut, description = "Taken over (status `human`): the shopper sees who joined, the agent no longer answers text. Taking over again changes nothing."),
        (status = 403, body = Problem), (status = 404, body = Problem), (status = 422, body = Problem),
        (status = 429, body = Problem)))]
pub async fn take_over(
    State(st): State<AppState>,
    auth: Auth,
    ApiPath(id): ApiPath<String>,
    ApiJson(body): ApiJson<StaffIn>,
) -> ApiResult<Json<StaffOut>> {
    auth.require(Scope::Admin)?;
    let record = takeover::take_over(&st, &auth.tenant, &id, &body.by).await?;
    Ok(Json(record.into()))
}

#[utoipa::path(post, path = "/v1/conversations/{id}/staff-messages", tag = "conversations", request_body = StaffMessageIn,
    params(("id" = String, Path, description = "Conversation id")),
    security(("bearer" = [])),
    responses((status = 201, body = StaffOut, description = "Recorded as a turn; the widget shows it with the name"),
        (status = 403, body = Problem), (status = 404, body = Problem),
        (status = 409, body = Problem, description = "`not_taken_over`: take the conversation over first"),
        (status = 422, body = Problem), (status = 429, body = Problem)))]
pub async fn staff_message(
    State(st): State<AppState>,
    auth: Auth,
    ApiPath(id): ApiPath<String>,
    ApiJson(body): ApiJson<StaffMessageIn>,
) -> ApiResult<Response> {
    auth.require(Scope::Admin)?;
    let record = takeover::staff_message(&st, &auth.tenant, &id, &body.by, &body.text).await?;
    Ok((StatusCode::CREATED, Json(StaffOut::from(record))).into_response())
}

#[utoipa::path(post, path = "/v1/conversations/{id}/handback", tag = "conversations", request_body = StaffIn,
    params(("id" = String, Path, description = "Conversation id")),
    security(("bearer" = [])),
    responses((status = 200, body = StaffOut, description = "Handed back (status `open`): the agent answers the next message. A conversation not taken over is left as it is."),
        (status = 403, body = Problem), (status = 404, body = Problem), (status = 422, body = Problem),
        (status = 429, body = Problem)))]
pub async fn hand_back(
    State(st): State<AppState>,
    auth: Auth,
    ApiPath(id): ApiPath<String>,
    ApiJson(body): ApiJson<StaffIn>,
) -> ApiResult<Json<StaffOut>> {
    auth.require(Scope::Admin)?;
    let record = takeover::hand_back(&st, &auth.tenant, &id, &body.by).await?;
    Ok(Json(record.into()))
}
