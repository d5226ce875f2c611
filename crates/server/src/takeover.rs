//! Human takeover: a person from the shop answers in the shopper's widget while the agent
//! pauses, then hands the conversation back.
//!
//! No table of its own. The conversation's `status` column gains `human` (a person has the
//! conversation), and what the staff does is stored as ordinary turns of the conversation,
//! through [`SalesStore::record_turn`](comptoir_store::SalesStore::record_turn), so the
//! transcript (`GET /v1/conversations/{id}?after=SEQ`, which the widget polls) shows it in
//! order with the shopper's turns:
//!
//! - input `{"staff": {"by": "Marie", "event": "takeover" | "message" | "handback"}}`,
//! - no understanding, actions `[]`, server time 0,
//! - reply `{"text": …, "products": [], "quick_replies": []}`: the agent's reply shape, with
//!   what the shopper sees — a notice in the conversation's language for `takeover` and
//!   `handback`, the person's own words for `message`.
//!
//! While the status is `human`, a shopper's text message is recorded without running the agent
//! (see `api::conversations::message`); widget buttons (add to cart, checkout) still run it, so
//! the shopper can still buy while talking to a person.
//!
//! Concurrency: every function here takes the conversation's gate from `st.conversations` —
//! the same per-conversation lock a shopper's message holds for its whole turn — so a staff
//! turn and a shopper turn run one after the other, never on the same version. The save is
//! still guarded by the version read (another server process may share the database) and
//! retried like the message handler does. A staff call admitted while the shopper's token
//! bucket is empty waits for a token (at most [`STAFF_WAIT`]) instead of failing at once.

use std::sync::Arc;
use std::time::{Duration, Instant};

use axum::http::StatusCode;
use comptoir_domain::Tenant;
use comptoir_store::{ConversationRecord, ConversationUpdate, NewTurn};

use crate::error::{ApiError, ApiResult};
use crate::state::AppState;

/// The status of a conversation a person has taken over.
pub const HUMAN: &str = "human";
/// The status a hand-back leaves: the agent answers again.
pub const OPEN: &str = "open";
/// Longest staff display name, in characters.
pub const MAX_NAME_CHARS: usize = 80;
/// Longest staff message, in characters.
pub const MAX_TEXT_CHARS: usize = 4000;
/// Longest wait for the conversation's rate limit before a staff call gives up with 429.
pub const STAFF_WAIT: Duration = Duration::from_secs(3);
/// Saves retried when another process saved the same conversation in between.
const SAVE_ATTEMPTS: usize = 3;

/// The notices the shopper sees, by language (`{by}`: the person's name).
const NOTICES: [(&str, &str, &str); 5] = [
    (
        "fr",
        "{by} de la boutique a rejoint la conversation.",
        "Vous êtes de nouveau avec l'assistant de la boutique.",
    ),
    (
        "en",
        "{by} from the shop has joined the conversation.",
        "You are back with the shop's assistant.",
    ),
    (
        "de",
        "{by} vom Shop ist dem Gespräch beigetreten.",
        "Sie sind wieder mit dem Assistenten des Shops verbunden.",
    ),
    (
        "it",
        "{by} del negozio partecipa ora alla conversazione.",
        "Sei di nuovo con l'assistente del negozio.",
    ),
    (
        "es",
        "{by} de la tienda se ha unido a la conversación.",
        "Vuelves a hablar con el asistente de la tienda.",
    ),
];

/// A person takes the conversation over: status `human`, and the shopper is told who joined.
/// Taking over a conversation that is already `human` changes nothing (a repeated click) and
/// returns it as it is.
pub async fn take_over(
    st: &AppState,
    tenant: &Tenant,
    id: &str,
    by: &str,
) -> ApiResult<ConversationRecord> {
    let by = staff_name(by)?;
    staff_turn(st, tenant, id, &by, |record| {
        if record.status == HUMAN {
            return Ok(None);
        }
        let (joined, _) = notices(&language(record, tenant));
        Ok(Some(Step {
            event: "takeover",
            status: HUMAN,
            text: joined.replace("{by}", &by),
            state: None,
        }))
    })
    .await
}

/// A person's message to the shopper, shown as they wrote it (1–4000 characters). Only while
/// the conversation is taken over: otherwise 409 `not_taken_over`.
pub async fn staff_message(
    st: &AppState,
    tenant: &Tenant,
    id: &str,
    by: &str,
    text: &str,
) -> ApiResult<ConversationRecord> {
    let by = staff_name(by)?;
    if text.trim().is_empty() {
        return Err(ApiError::invalid("text", "must not be empty"));
    }
    if text.chars().count() > MAX_TEXT_CHARS {
        return Err(ApiError::invalid(
            "text",
            format!("at most {MAX_TEXT_CHARS} characters"),
        ));
    }
    staff_turn(st, tenant, id, &by, |record| {
        if record.status != HUMAN {
            return Err(not_taken_over());
        }
        Ok(Some(Step {
            event: "message",
            status: HUMAN,
            text: text.to_string(),
            state: None,
        }))
    })
    .await
}

/// The person hands the conversation back to the agent: status `open`, the shopper is told,
/// and the agent answers the next message. A conversation that is not taken over is returned
/// as it is. The agent's own `handoff` mark in the state (set when the shopper asked for a
/// person) is cleared — the person has answered — so the next agent turn does not put the
/// conversation back in the hand-over queue; nothing else of the state changes.
pub async fn hand_back(
    st: &AppState,
    tenant: &Tenant,
    id: &str,
    by: &str,
) -> ApiResult<ConversationRecord> {
    let by = staff_name(by)?;
    staff_turn(st, tenant, id, &by, |record| {
        if record.status != HUMAN {
            return Ok(None);
        }
        let (_, back) = notices(&language(record, tenant));
        Ok(Some(Step {
            event: "handback",
            status: OPEN,
            text: back.to_string(),
            state: reopened(&record.state),
        }))
    })
    .await
}

/// The conversation's gate (its lock), waiting up to [`STAFF_WAIT`] for the rate limit.
pub(crate) async fn admit_waiting(
    st: &AppState,
    tenant_id: &str,
    id: &str,
) -> ApiResult<Arc<tokio::sync::Mutex<()>>> {
    let deadline = Instant::now() + STAFF_WAIT;
    loop {
        match st.conversations.admit(tenant_id, id) {
            Ok(lock) => return Ok(lock),
            Err(wait) if Instant::now() + wait <= deadline => tokio::time::sleep(wait).await,
            Err(wait) => return Err(rate_limited(wait)),
        }
    }
}

/// 429 with the wait as `Retry-After`.
pub(crate) fn rate_limited(wait: Duration) -> ApiError {
    let mut e = ApiError::new(
        StatusCode::TOO_MANY_REQUESTS,
        "rate_limited",
        "too many messages in this conversation; wait a moment",
    );
    e.retry_after = Some(wait.as_secs_f64().ceil().max(1.0) as u64);
    e
}

fn not_taken_over() -> ApiError {
    ApiError::new(
        StatusCode::CONFLICT,
        "not_taken_over",
        "nobody has taken this conversation over: POST /v1/conversations/{id}/takeover first",
    )
}

/// What one staff action writes.
struct Step {
    event: &'static str,
    status: &'static str,
    text: String,
    /// A new state document, or `None` to keep it as it is.
    state: Option<String>,
}

/// Under the conversation's lock: reads it, lets `plan` decide (a turn to record, nothing to
/// do, or a refusal), records the turn at the version read (retried when another process
/// saved in between) and returns the conversation as saved.
async fn staff_turn(
    st: &AppState,
    tenant: &Tenant,
    id: &str,
    by: &str,
    plan: impl Fn(&ConversationRecord) -> ApiResult<Option<Step>>,
) -> ApiResult<ConversationRecord> {
    if id.is_empty() || id.len() > 64 {
        return Err(ApiError::not_found("conversation"));
    }
    let lock = admit_waiting(st, &tenant.id, id).await?;
    let _held = lock.lock().await;
    for _ in 0..SAVE_ATTEMPTS {
        let Some(record) = st.store.conversation(&tenant.id, id).await? else {
            st.conversations.forget(&tenant.id, id);
            return Err(ApiError::not_found("conversation"));
        };
        let Some(step) = plan(&record)? else {
            return Ok(record);
        };
        let turn = NewTurn {
            input: serde_json::json!({"staff": {"by": by, "event": step.event}}).to_string(),
            understanding: None,
            actions: "[]".into(),
            reply: serde_json::to_string(&comptoir_agent::Reply {
                text: step.text,
                ..Default::default()
            })
            .map_err(ApiError::internal)?,
            server_us: 0,
        };
        let saved = st
            .store
            .record_turn(
                &tenant.id,
                &ConversationUpdate {
                    id,
                    expected_version: record.version,
                    state: step.state.as_deref().unwrap_or(&record.state),
                    status: step.status,
                    locale: record.locale.as_deref(),
                    lead_score: record.lead_score,
                },
                &turn,
            )
            .await?;
        if saved {
            metrics::counter!("comptoir_staff_turns_total", "event" => step.event).increment(1);
            return st
                .store
                .conversation(&tenant.id, id)
                .await?
                .ok_or_else(|| ApiError::not_found("conversation"));
        }
    }
    Err(ApiError::new(
        StatusCode::CONFLICT,
        "conversation_busy",
        "another turn of this conversation was being saved; send it again",
    ))
}

/// A staff display name: trimmed, 1–80 characters, no control characters. Kept as text; the
/// widget renders it with `textContent`.
fn staff_name(by: &str) -> ApiResult<String> {
    let by = by.trim();
    if by.is_empty() {
        return Err(ApiError::invalid(
            "by",
            "the staff member's name is required",
        ));
    }
    if by.chars().count() > MAX_NAME_CHARS {
        return Err(ApiError::invalid(
            "by",
            format!("at most {MAX_NAME_CHARS} characters"),
        ));
    }
    if by.chars().any(char::is_control) {
        return Err(ApiError::invalid(
            "by",
            "must not contain control characters",
        ));
    }
    Ok(by.to_string())
}

/// The conversation's language, else the shop's first, else English.
fn language(record: &ConversationRecord, tenant: &Tenant) -> String {
    record
        .locale
        .as_deref()
        .and_then(comptoir_domain::Lang::parse)
        .or_else(|| tenant.locales.first().cloned())
        .map_or_else(|| "en".to_string(), |l| l.as_str().to_string())
}

/// (joined, back) notices in `lang`, English when it has none.
fn notices(lang: &str) -> (&'static str, &'static str) {
    let (_, joined, back) = NOTICES
        .iter()
        .find(|(l, _, _)| *l == lang)
        .unwrap_or(&NOTICES[1]);
    (joined, back)
}

/// The state with the agent's `handoff` mark set back to `open`; `None` when there is none.
fn reopened(state: &str) -> Option<String> {
    let mut doc: serde_json::Value = serde_json::from_str(state).ok()?;
    let status = doc.get_mut("status")?;
    if status.as_str() != Some("handoff") {
        return None;
    }
    *status = OPEN.into();
    serde_json::to_string(&doc).ok()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_language_has_its_notices() {
        for lang in ["fr", "en", "de", "it", "es"] {
            let (joined, back) = notices(lang);
            assert!(joined.contains("{by}"), "{lang}");
            assert!(!back.contains("{by}") && !back.is_empty(), "{lang}");
        }
        assert_eq!(notices("xx"), notices("en"));
    }

    #[test]
    fn names_are_checked_and_trimmed() {
        assert_eq!(staff_name("  Marie ").unwrap(), "Marie");
        assert!(staff_name(" ").is_err());
        assert!(staff_name(&"é".repeat(81)).is_err());
        assert!(staff_name(&"é".repeat(80)).is_ok());
        assert!(staff_name("Ma\nrie").is_err());
        // Markup is only text: it is stored as is and rendered as text.
        assert_eq!(staff_name("<b>Marie</b>").unwrap(), "<b>Marie</b>");
    }

    #[test]
    fn a_hand_back_clears_only_the_handoff_mark() {
        let s = r#"{"status":"handoff","lang":"fr","lead_score":3}"#;
        let v: serde_json::Value = serde_json::from_str(&reopened(s).unwrap()).unwrap();
        assert_eq!(v["status"], "open");
        assert_eq!(v["lang"], "fr");
        assert_eq!(v["lead_score"], 3);
        assert_eq!(reopened(r#"{"status":"open"}"#), None);
        assert_eq!(reopened("not json"), None);
    }
}
