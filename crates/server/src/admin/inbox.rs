//! The conversations inbox: a live list, each conversation's full transcript (what the shopper
//! sent, what the agent understood — intent, confidence, entities — what it did and answered,
//! and how long it took), and the takeover: a person answers in the shopper's widget while the
//! agent pauses, then hands back.

use super::auth::Admin;
use super::{field, AdminError, Fields, Page};
use crate::state::AppState;
use crate::takeover;
use axum::extract::{Path, Query, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Redirect};
use axum::{Form, Json};
use comptoir_agent::state::ConversationState;
use comptoir_store::{ConversationRecord, TurnRecord};
use minijinja::context;
use serde::{Deserialize, Serialize};
use serde_json::Value as Json_;

/// Turns shown per transcript page and per live refresh.
const PAGE: u32 = 500;
/// Conversations per list page.
const LIST_PAGE: u32 = 50;
/// Shown when a person's message finds the conversation handed back meanwhile.
const NO_LONGER_TAKEN_OVER: &str =
    "This conversation is no longer taken over: take it over again to send your message.";

#[derive(Debug, Deserialize, Default)]
pub struct ListQuery {
    status: Option<String>,
    cursor: Option<String>,
}

#[derive(Debug, Serialize)]
pub struct Row {
    id: String,
    status: String,
    channel: String,
    locale: Option<String>,
    turns: i64,
    lead_score: i64,
    created_at: i64,
    updated_at: i64,
    /// The shopper's last typed message, shortened.
    preview: Option<String>,
}

impl From<&ConversationRecord> for Row {
    fn from(c: &ConversationRecord) -> Row {
        Row {
            id: c.id.clone(),
            status: c.status.clone(),
            channel: c.channel.clone(),
            locale: c.locale.clone(),
            turns: c.turns,
            lead_score: c.lead_score,
            created_at: c.created_at,
            updated_at: c.updated_at,
            preview: None,
        }
    }
}

async fn rows(
    st: &AppState,
    admin: &Admin,
    q: &ListQuery,
) -> Result<(Vec<Row>, Option<String>), AdminError> {
    let shop = admin.shop()?;
    // Filtered by the store before paging: a page holds up to LIST_PAGE conversations of
    // that status however many others are newer.
    let page = st
        .store
        .list_conversations(
            &shop.id,
            q.status.as_deref().filter(|s| !s.is_empty()),
            cursor(q),
            LIST_PAGE,
        )
        .await?;
    let mut rows: Vec<Row> = page.items.iter().map(Row::from).collect();
    let ids: Vec<String> = rows.iter().map(|r| r.id.clone()).collect();
    let last: std::collections::HashMap<String, String> = st
        .store
        .last_messages(&shop.id, &ids)
        .await?
        .into_iter()
        .collect();
    for r in &mut rows {
        r.preview = last.get(&r.id).and_then(|input| {
            let v: Json_ = serde_json::from_str(input).ok()?;
            let text = v["text"].as_str()?.trim();
            let mut short: String = text.chars().take(80).collect();
            if text.chars().count() > 80 {
                short.push('…');
            }
            Some(short)
        });
    }
    Ok((rows, page.next_cursor))
}

/// The list's cursor, if it is one (empty or oversized: the first page).
fn cursor(q: &ListQuery) -> Option<&str> {
    q.cursor
        .as_deref()
        .filter(|c| !c.is_empty() && c.len() <= 128)
}

pub async fn list(State(st): State<AppState>, admin: Admin, Query(q): Query<ListQuery>) -> Page {
    let (items, next) = rows(&st, &admin, &q).await?;
    st.admin.views.page(
        "inbox.html",
        Some(&admin),
        // `cursor`: a later page, which the live refresh (the first page) must not replace.
        context! { nav => "inbox", conversations => items, next_cursor => next, cursor => cursor(&q), status => q.status, current => None::<String> },
    )
}

/// The list as JSON, for the page's live refresh.
pub async fn live(
    State(st): State<AppState>,
    admin: Admin,
    Query(q): Query<ListQuery>,
) -> Result<Json<Vec<Row>>, AdminError> {
    Ok(Json(rows(&st, &admin, &q).await?.0))
}

/// One turn as the transcript shows it.
#[derive(Debug, Serialize)]
pub struct TurnView {
    seq: i64,
    at: i64,
    /// `shopper`, `staff` or `system` (a takeover or hand-back notice).
    kind: &'static str,
    /// What the shopper or the person wrote, or the button pressed.
    said: String,
    staff: Option<String>,
    reply: String,
    products: Vec<String>,
    language: Option<String>,
    intent: Option<String>,
    confidence: Option<f64>,
    entities: Vec<String>,
    tools: Vec<String>,
    server_us: i64,
    details: String,
}

fn turn_view(t: &TurnRecord) -> TurnView {
    let parse = |s: &str| serde_json::from_str::<Json_>(s).unwrap_or(Json_::Null);
    let input = parse(&t.input);
    let reply = parse(&t.reply);
    let u = t.understanding.as_deref().map(parse).unwrap_or(Json_::Null);
    let actions = parse(&t.actions);
    let (kind, said, staff) = if let Some(s) = input.get("staff") {
        let event = s["event"].as_str().unwrap_or("");
        let by = s["by"].as_str().unwrap_or("").to_string();
        if event == "message" {
            (
                "staff",
                reply["text"].as_str().unwrap_or("").to_string(),
                Some(by),
            )
        } else {
            (
                "system",
                reply["text"].as_str().unwrap_or("").to_string(),
                Some(by),
            )
        }
    } else if let Some(text) = input["text"].as_str() {
        ("shopper", text.to_string(), None)
    } else {
        let a = &input["action"];
        let mut said = format!("[{}]", a["type"].as_str().unwrap_or("action"));
        for k in ["sku", "quantity", "payload"] {
            if let Some(v) = a.get(k).filter(|v| !v.is_null()) {
                said.push_str(&format!(
                    " {k}={}",
                    v.as_str().map_or_else(|| v.to_string(), String::from)
                ));
            }
        }
        ("shopper", said, None)
    };
    let entities = u["entities"]
        .as_array()
        .map(|es| {
            es.iter()
                .map(|e| {
                    format!(
                        "{}={}",
                        e["type"].as_str().unwrap_or("?"),
                        e["value"]
                            .as_str()
                            .map_or_else(|| e["value"].to_string(), String::from)
                    )
                })
                .collect()
        })
        .unwrap_or_default();
    let tools = actions
        .as_array()
        .map(|a| {
            a.iter()
                .map(|t| {
                    format!(
                        "{} → {}",
                        t["tool"].as_str().unwrap_or("?"),
                        t["result"]["result"]
                            .as_str()
                            .or(t["result"].as_str())
                            .unwrap_or("?")
                    )
                })
                .collect()
        })
        .unwrap_or_default();
    TurnView {
        seq: t.seq,
        at: t.created_at,
        kind,
        said,
        staff,
        reply: if kind == "shopper" {
            reply["text"].as_str().unwrap_or("").to_string()
        } else {
            String::new()
        },
        products: reply["products"]
            .as_array()
            .map(|p| {
                p.iter()
                    .filter_map(|c| c["title"].as_str().map(String::from))
                    .collect()
            })
            .unwrap_or_default(),
        language: u["language"].as_str().map(String::from),
        intent: u["intent"].as_str().map(String::from),
        confidence: u["confidence"].as_f64(),
        entities,
        tools,
        server_us: t.server_us,
        details: serde_json::to_string_pretty(
            &serde_json::json!({ "understanding": u, "actions": actions }),
        )
        .unwrap_or_default(),
    }
}

async fn record(st: &AppState, admin: &Admin, id: &str) -> Result<ConversationRecord, AdminError> {
    let shop = admin.shop()?;
    if id.len() > 64 {
        return Err(AdminError::not_found("Conversation"));
    }
    st.store
        .conversation(&shop.id, id)
        .await?
        .ok_or_else(|| AdminError::not_found("Conversation"))
}

pub async fn conversation(
    State(st): State<AppState>,
    admin: Admin,
    Path(id): Path<String>,
) -> Page {
    show(&st, &admin, &id, None, "").await
}

/// The conversation page; `error` shown above it, `draft` kept in the message box.
async fn show(st: &AppState, admin: &Admin, id: &str, error: Option<&str>, draft: &str) -> Page {
    let c = record(st, admin, id).await?;
    let shop = admin.shop()?;
    let turns = st.store.turns(&shop.id, id, 0, PAGE).await?;
    let views: Vec<TurnView> = turns.iter().map(turn_view).collect();
    let state: ConversationState = serde_json::from_str(&c.state).unwrap_or_default();
    let cart = comptoir_agent::reply::CartView::of(&state.cart, shop.currency.as_str());
    let orders = st.store.conversation_orders(&shop.id, id).await?;
    let orders: Vec<_> = orders
        .iter()
        .map(|o| context! { id => &o.id, status => o.status.as_str(), total => format!("{} {}", o.total, o.currency.as_str()), created_at => o.created_at })
        .collect();
    let (list, _) = rows(st, admin, &ListQuery::default()).await?;
    st.admin.views.page(
        "conversation.html",
        Some(admin),
        context! {
            nav => "inbox",
            c => Row::from(&c),
            turns => views,
            last_seq => turns.last().map_or(0, |t| t.seq),
            cart => cart,
            orders => orders,
            conversations => list,
            current => &c.id,
            human => c.status == takeover::HUMAN,
            error => error,
            draft => draft,
        },
    )
}

#[derive(Debug, Deserialize)]
pub struct AfterQuery {
    after: Option<i64>,
}

#[derive(Debug, Serialize)]
pub struct TurnsOut {
    status: String,
    turns: Vec<TurnView>,
}

/// New turns after `after`, for the transcript's live refresh.
pub async fn turns(
    State(st): State<AppState>,
    admin: Admin,
    Path(id): Path<String>,
    Query(q): Query<AfterQuery>,
) -> Result<Json<TurnsOut>, AdminError> {
    let c = record(&st, &admin, &id).await?;
    let shop = admin.shop()?;
    let turns = st
        .store
        .turns(&shop.id, &id, q.after.unwrap_or(0), PAGE)
        .await?;
    Ok(Json(TurnsOut {
        status: c.status,
        turns: turns.iter().map(turn_view).collect(),
    }))
}

fn back(id: &str) -> Page {
    Ok(Redirect::to(&format!("/admin/inbox/{id}#reply")).into_response())
}

pub async fn take_over(
    State(st): State<AppState>,
    admin: Admin,
    Path(id): Path<String>,
    Form(f): Form<Fields>,
) -> Page {
    admin.check_csrf(field(&f, "_csrf"))?;
    record(&st, &admin, &id).await?;
    takeover::take_over(&st, admin.shop()?, &id, &admin.user.name).await?;
    // Taken over again with a message that could not be sent: the page, the message kept.
    match field(&f, "text").filter(|t| !t.trim().is_empty()) {
        Some(draft) => show(&st, &admin, &id, None, draft).await,
        None => back(&id),
    }
}

pub async fn message(
    State(st): State<AppState>,
    admin: Admin,
    Path(id): Path<String>,
    Form(f): Form<Fields>,
) -> Page {
    admin.check_csrf(field(&f, "_csrf"))?;
    record(&st, &admin, &id).await?;
    let text = field(&f, "text").unwrap_or("");
    match takeover::staff_message(&st, admin.shop()?, &id, &admin.user.name, text).await {
        Ok(_) => back(&id),
        // Handed back meanwhile (a teammate, the API): the page again, with what was typed.
        Err(e) if e.status == StatusCode::CONFLICT && e.code == "not_taken_over" => {
            let mut res = show(&st, &admin, &id, Some(NO_LONGER_TAKEN_OVER), text).await?;
            *res.status_mut() = StatusCode::CONFLICT;
            Ok(res)
        }
        Err(e) => Err(e.into()),
    }
}

pub async fn hand_back(
    State(st): State<AppState>,
    admin: Admin,
    Path(id): Path<String>,
    Form(f): Form<Fields>,
) -> Page {
    admin.check_csrf(field(&f, "_csrf"))?;
    record(&st, &admin, &id).await?;
    takeover::hand_back(&st, admin.shop()?, &id, &admin.user.name).await?;
    back(&id)
}
