//! Whole turns of the built-in agent on a shop without products (FAQ answers only): the
//! satisfaction questions at the end of a conversation, and the merchant's own wordings.

use std::sync::{Arc, OnceLock, RwLock};

use comptoir_agent::state::Pending;
use comptoir_agent::{
    Action, Agent, ConversationState, Input, ManualPayment, Template, ToolCall, ToolResult,
    ToolTrace, TurnContext, TurnOutcome,
};
use comptoir_domain::{Currency, Lang as DomainLang, Plan, Tenant, TenantSettings};
use comptoir_nlu::Engine;
use comptoir_search::{Analyzer, SearchIndex};
use comptoir_store::Store;
use serde_json::json;

fn engine() -> &'static Engine {
    static ENGINE: OnceLock<Engine> = OnceLock::new();
    ENGINE.get_or_init(Engine::builtin)
}

fn agent() -> &'static Agent {
    static AGENT: OnceLock<Agent> = OnceLock::new();
    AGENT.get_or_init(|| Agent::builtin().unwrap())
}

/// A shop, its (empty) catalogue, and one conversation.
struct Shop {
    store: Arc<dyn Store>,
    tenant: Tenant,
    index: RwLock<SearchIndex>,
    template: Template,
    state: ConversationState,
    conversation: String,
    _dir: TempDir,
}

/// A directory removed on drop.
struct TempDir(std::path::PathBuf);

impl Drop for TempDir {
    fn drop(&mut self) {
        let _ = std::fs::remove_dir_all(&self.0);
    }
}

impl Shop {
    async fn open(name: &str, settings: TenantSettings) -> Shop {
        let dir = std::env::temp_dir().join(format!(
            "comptoir-agent-{name}-{}-{}",
            std::process::id(),
            chrono::Utc::now().timestamp_nanos_opt().unwrap_or_default()
        ));
        std::fs::create_dir_all(&dir).unwrap();
        let url = format!("sqlite://{}", dir.join("shop.db").display());
        let store = comptoir_store::open(&url).await.unwrap();
        let eur = Currency::parse("EUR").unwrap();
        let langs: Vec<DomainLang> = ["en", "fr", "de", "it", "es"]
            .iter()
            .map(|l| DomainLang::parse(l).unwrap())
            .collect();
        let new =
            comptoir_domain::NewTenant::new(name, "Sentier Sport", Plan::Business, eur, langs)
                .unwrap();
        let mut tenant = store.create_tenant(&new).await.unwrap();
        tenant.settings = settings;
        let index = SearchIndex::new(
            Arc::new(Analyzer::new()),
            tenant.currency.clone(),
            tenant.default_locale().clone(),
        );
        Shop {
            store,
            tenant,
            index: RwLock::new(index),
            template: Template::builtin("general").unwrap(),
            state: ConversationState::default(),
            conversation: format!("conv_{name}"),
            _dir: TempDir(dir),
        }
    }

    async fn send(&mut self, input: Input) -> TurnOutcome {
        let ctx = TurnContext {
            store: self.store.as_ref(),
            tenant: &self.tenant,
            index: &self.index,
            mentions: None,
            engine: engine(),
            template: &self.template,
            payment: &ManualPayment,
            conversation_id: &self.conversation,
            now: chrono::Utc::now(),
        };
        agent().turn(&ctx, &mut self.state, &input).await.unwrap()
    }

    async fn say(&mut self, text: &str) -> TurnOutcome {
        self.send(Input::Text(text.into())).await
    }

    async fn press(&mut self, payload: &str) -> TurnOutcome {
        self.send(Input::Action(Action::QuickReply {
            payload: payload.into(),
        }))
        .await
    }
}

fn payloads(out: &TurnOutcome) -> Vec<&str> {
    out.reply
        .quick_replies
        .iter()
        .map(|q| q.payload.as_str())
        .collect()
}

fn recorded(out: &TurnOutcome) -> Vec<(String, u8)> {
    out.actions
        .iter()
        .filter_map(|t| match (&t.call, &t.result) {
            (ToolCall::RecordFeedback { kind, score }, ToolResult::Recorded) => {
                Some((kind.clone(), *score))
            }
            _ => None,
        })
        .collect()
}

fn csat_buttons() -> Vec<String> {
    (1..=5).map(|n| format!("csat:{n}")).collect()
}

fn nps_buttons() -> Vec<String> {
    (0..=10).map(|n| format!("nps:{n}")).collect()
}

fn is_one_of(text: &str, lang: comptoir_agent::Lang, key: &str) -> bool {
    agent()
        .replies
        .variants(lang, key)
        .iter()
        .any(|v| text.contains(v.as_str()))
}

#[test]
fn a_score_is_traced_as_record_feedback() {
    let t = ToolTrace {
        call: ToolCall::RecordFeedback {
            kind: "csat".into(),
            score: 4,
        },
        result: ToolResult::Recorded,
    };
    assert_eq!(
        serde_json::to_value(&t).unwrap(),
        json!({"tool": "record_feedback", "kind": "csat", "score": 4,
               "result": {"result": "recorded"}})
    );
    assert_eq!(
        serde_json::to_value(ToolResult::Recorded).unwrap(),
        json!({"result": "recorded"})
    );
    let back: ToolCall =
        serde_json::from_value(json!({"tool": "record_feedback", "kind": "nps", "score": 9}))
            .unwrap();
    assert_eq!(
        back,
        ToolCall::RecordFeedback {
            kind: "nps".into(),
            score: 9
        }
    );
}

#[tokio::test]
async fn thanks_at_the_end_asks_csat_then_nps() {
    let mut s = Shop::open("csat-nps", TenantSettings::default()).await;
    let out = s.say("How long does delivery take?").await;
    assert!(payloads(&out).is_empty(), "{:?}", out.reply);
    let out = s.say("Thanks, bye!").await;
    assert_eq!(payloads(&out), csat_buttons(), "{}", out.reply.text);
    assert!(
        is_one_of(
            &out.reply.text,
            comptoir_agent::Lang::En,
            "feedback_csat_ask"
        ),
        "{}",
        out.reply.text
    );
    assert_eq!(out.reply.quick_replies[4].label, "5 ★");
    assert!(recorded(&out).is_empty());

    let out = s.press("csat:5").await;
    assert_eq!(recorded(&out), vec![("csat".to_string(), 5)]);
    assert_eq!(payloads(&out), nps_buttons(), "{}", out.reply.text);
    assert!(is_one_of(
        &out.reply.text,
        comptoir_agent::Lang::En,
        "feedback_nps_ask"
    ));

    let out = s.say("9").await;
    assert_eq!(recorded(&out), vec![("nps".to_string(), 9)]);
    assert!(
        is_one_of(&out.reply.text, comptoir_agent::Lang::En, "feedback_done"),
        "{}",
        out.reply.text
    );
    assert!(payloads(&out).is_empty());
    assert_eq!(out.understanding.as_ref().unwrap().intent, "feedback");
    assert_eq!((s.state.csat, s.state.nps), (Some(5), Some(9)));
    assert_eq!(s.state.pending, None);

    // Asked once per conversation; a stale button records nothing twice.
    let out = s.say("Thank you, goodbye!").await;
    assert!(payloads(&out).is_empty(), "{}", out.reply.text);
    let out = s.press("csat:1").await;
    assert!(recorded(&out).is_empty());
    assert_eq!(s.state.csat, Some(5));
}

#[tokio::test]
async fn typed_scores_in_french() {
    let mut s = Shop::open("typed-fr", TenantSettings::default()).await;
    s.say("Combien de temps prend la livraison ?").await;
    let out = s.say("Merci, au revoir !").await;
    assert_eq!(payloads(&out), csat_buttons(), "{}", out.reply.text);
    assert!(is_one_of(
        &out.reply.text,
        comptoir_agent::Lang::Fr,
        "feedback_csat_ask"
    ));
    let out = s.say("4/5").await;
    assert_eq!(recorded(&out), vec![("csat".to_string(), 4)]);
    let out = s.say("dix").await;
    assert_eq!(recorded(&out), vec![("nps".to_string(), 10)]);
    assert!(is_one_of(
        &out.reply.text,
        comptoir_agent::Lang::Fr,
        "feedback_done"
    ));
}

#[tokio::test]
async fn a_greeting_and_thanks_alone_are_not_rated() {
    let mut s = Shop::open("greet-only", TenantSettings::default()).await;
    s.say("Hello!").await;
    let out = s.say("Thanks, bye!").await;
    assert!(payloads(&out).is_empty(), "{}", out.reply.text);
    assert!(!s.state.feedback_asked);
}

#[tokio::test]
async fn the_shop_can_turn_the_questions_off() {
    let settings = TenantSettings {
        ask_feedback: false,
        ..TenantSettings::default()
    };
    let mut s = Shop::open("no-feedback", settings).await;
    s.say("How long does delivery take?").await;
    let out = s.say("Thanks, bye!").await;
    assert!(payloads(&out).is_empty(), "{}", out.reply.text);
    assert_eq!(s.state.pending, None);
}

#[tokio::test]
async fn another_message_drops_the_question() {
    let mut s = Shop::open("drop", TenantSettings::default()).await;
    s.say("How long does delivery take?").await;
    s.say("Thank you!").await;
    assert!(matches!(s.state.pending, Some(Pending::Csat { .. })));
    let out = s.say("Actually, what about returns?").await;
    assert!(recorded(&out).is_empty());
    assert!(
        out.actions
            .iter()
            .any(|t| matches!(&t.call, ToolCall::AnswerFaq { topic } if topic == "returns")),
        "{:?}",
        out.actions
    );
    assert_eq!(s.state.pending, None);
    assert!(out.reply.text.contains("30"), "{}", out.reply.text);
}

#[tokio::test]
async fn a_score_out_of_range_is_asked_again_once() {
    let mut s = Shop::open("range", TenantSettings::default()).await;
    s.say("How long does delivery take?").await;
    s.say("Thanks!").await;
    let out = s.say("7").await;
    assert!(recorded(&out).is_empty());
    assert_eq!(payloads(&out), csat_buttons());
    assert!(matches!(
        s.state.pending,
        Some(Pending::Csat { reasked: true })
    ));
    let out = s.say("8").await;
    assert!(recorded(&out).is_empty());
    assert!(payloads(&out).is_empty());
    assert_eq!(s.state.pending, None);
    assert!(is_one_of(
        &out.reply.text,
        comptoir_agent::Lang::En,
        "feedback_dropped"
    ));
}

#[tokio::test]
async fn never_over_an_open_question() {
    let mut s = Shop::open("open-question", TenantSettings::default()).await;
    s.say("How long does delivery take?").await;
    s.state.pending = Some(Pending::AppointmentTime);
    let out = s.say("Thanks!").await;
    assert!(payloads(&out).is_empty(), "{}", out.reply.text);
    assert!(!s.state.feedback_asked);
    // Once nothing is open any more, the end of the conversation asks.
    let out = s.say("Thanks, bye!").await;
    assert_eq!(payloads(&out), csat_buttons(), "{}", out.reply.text);
}

#[tokio::test]
async fn the_merchants_own_words_replace_the_builtin_ones() {
    let mut settings = TenantSettings::default();
    settings
        .replies
        .entry("thanks".into())
        .or_default()
        .insert("en".into(), "Cheers from all of us at {shop}!".into());
    settings
        .replies
        .entry("feedback_csat_ask".into())
        .or_default()
        .insert("en".into(), "Rate us, 1 to 5?".into());
    let mut s = Shop::open("own-words", settings).await;
    s.say("How long does delivery take?").await;
    let out = s.say("Thank you!").await;
    // `{shop}` is no placeholder of `thanks`: that wording is set aside.
    assert!(!out.reply.text.contains('{'), "{}", out.reply.text);
    assert!(
        is_one_of(&out.reply.text, comptoir_agent::Lang::En, "thanks"),
        "{}",
        out.reply.text
    );
    assert!(
        out.reply.text.ends_with("Rate us, 1 to 5?"),
        "{}",
        out.reply.text
    );

    let mut settings = TenantSettings::default();
    settings
        .replies
        .entry("thanks".into())
        .or_default()
        .insert("en".into(), "Cheers from all of us!".into());
    settings
        .replies
        .entry("greet_fallback".into())
        .or_default()
        .insert("en".into(), "Welcome to {shop}, the trail experts!".into());
    let mut s = Shop::open("own-words-2", settings).await;
    let out = s.say("Hello!").await;
    assert!(
        out.reply
            .text
            .starts_with("Welcome to Sentier Sport, the trail experts!"),
        "{}",
        out.reply.text
    );
    let out = s.say("Thank you!").await;
    assert_eq!(out.reply.text, "Cheers from all of us!");
    // Other languages keep the built-in wordings.
    s.state = ConversationState {
        lang: Some("fr".into()),
        ..ConversationState::default()
    };
    let out = s.say("Merci beaucoup !").await;
    assert!(
        is_one_of(&out.reply.text, comptoir_agent::Lang::Fr, "thanks"),
        "{}",
        out.reply.text
    );
}
