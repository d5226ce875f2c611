//! What the analytics read: conversations with their turns, and orders, as the store keeps them.
//!
//! A turn is stored as four JSON documents (input, understanding, tool traces, reply).
//! [`TurnFacts::from_stored`] reads them leniently: anything it does not recognise is left out,
//! never an error, so a turn written by an older or newer agent still counts for what it shows.

use serde::Serialize;
use serde_json::{Map, Value};

/// Everything a report is computed from. Conversations and orders outside the period are
/// ignored, except orders linked to a conversation of the period (see [`crate::Report`]).
#[derive(Debug, Clone, Default, Serialize)]
pub struct Facts {
    pub conversations: Vec<ConversationFacts>,
    pub orders: Vec<OrderFacts>,
}

/// A conversation row and its turns, in the order they were taken (by `seq`).
#[derive(Debug, Clone, Default, Serialize)]
pub struct ConversationFacts {
    pub id: String,
    /// `web`, `api`, `whatsapp`…
    pub channel: String,
    /// `open`, `handoff`, `closed`.
    pub status: String,
    /// UTC, milliseconds since the epoch.
    pub created_at_ms: i64,
    pub turns: Vec<TurnFacts>,
}

/// An order row. Orders with a `conversation_id` are the agent's.
#[derive(Debug, Clone, Serialize)]
pub struct OrderFacts {
    pub id: String,
    pub conversation_id: Option<String>,
    pub status: OrderStatus,
    /// Total in minor units of `currency` (cents for EUR, yen for JPY).
    pub total_minor: i64,
    /// ISO 4217 code, upper case.
    pub currency: String,
    /// UTC, milliseconds since the epoch.
    pub created_at_ms: i64,
}

impl OrderFacts {
    /// An order from its stored columns; `status` as the store writes it (`paid`…).
    pub fn new(
        id: impl Into<String>,
        conversation_id: Option<String>,
        status: &str,
        total_minor: i64,
        currency: &str,
        created_at_ms: i64,
    ) -> OrderFacts {
        OrderFacts {
            id: id.into(),
            conversation_id: conversation_id.filter(|c| !c.is_empty()),
            status: OrderStatus::parse(status),
            total_minor,
            currency: currency.trim().to_ascii_uppercase(),
            created_at_ms,
        }
    }
}

/// Where an order is in its life (as `comptoir_domain::OrderStatus`, plus `other` for a status
/// this crate does not know yet).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum OrderStatus {
    AwaitingPayment,
    Paid,
    Cancelled,
    Expired,
    Other,
}

impl OrderStatus {
    pub fn parse(s: &str) -> OrderStatus {
        match s.trim() {
            "awaiting_payment" => OrderStatus::AwaitingPayment,
            "paid" => OrderStatus::Paid,
            "cancelled" => OrderStatus::Cancelled,
            "expired" => OrderStatus::Expired,
            _ => OrderStatus::Other,
        }
    }

    pub fn as_str(self) -> &'static str {
        match self {
            OrderStatus::AwaitingPayment => "awaiting_payment",
            OrderStatus::Paid => "paid",
            OrderStatus::Cancelled => "cancelled",
            OrderStatus::Expired => "expired",
            OrderStatus::Other => "other",
        }
    }
}

/// One turn, reduced to what the analytics need.
#[derive(Debug, Clone, Serialize)]
pub struct TurnFacts {
    pub input: TurnInput,
    /// The understanding stored with the turn (for a button: what the button means).
    pub understanding: Option<Understanding>,
    /// The tools the agent called, in order.
    pub tools: Vec<ToolFact>,
    /// Product cards in the reply.
    pub reply_products: u32,
    /// Server time of the turn, microseconds.
    pub server_us: i64,
    /// UTC, milliseconds since the epoch.
    pub created_at_ms: i64,
}

/// Who spoke in a turn, and how.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(tag = "kind", rename_all = "snake_case")]
pub enum TurnInput {
    /// The shopper typed `text`.
    Text { text: String },
    /// The shopper pressed a widget button (`add_to_cart`, `quick_reply`, `checkout`…).
    Action { action: String },
    /// Someone from the shop (`takeover`, `message`, `handback`): not a shopper turn.
    Staff { by: String, event: String },
    /// Nothing recognised.
    Unknown,
}

impl TurnInput {
    /// A message or a button press from the shopper.
    pub fn is_shopper(&self) -> bool {
        matches!(self, TurnInput::Text { .. } | TurnInput::Action { .. })
    }
}

/// The stored understanding: intent and confidence (0..1).
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Understanding {
    pub intent: String,
    pub confidence: Option<f64>,
    pub language: Option<String>,
}

/// One traced tool call, reduced.
#[derive(Debug, Clone, PartialEq, Default, Serialize)]
pub struct ToolFact {
    /// `search_products`, `add_to_cart`, `record_feedback`…
    pub tool: String,
    /// `products`, `cart`, `order_placed`, `failed`… (empty when absent).
    pub result: String,
    /// `search_products`: the query as the agent ran it.
    pub query: Option<String>,
    /// `products` result: how many products matched.
    pub total: Option<u64>,
    /// Product cards the result carries (`items`, the `card`, the recommendations).
    pub products: u32,
    /// `order_placed`: the order's id.
    pub order_id: Option<String>,
    /// `order_placed`: the checkout had already placed it (a repeated click).
    pub repeated: bool,
    /// `record_feedback` with a valid score.
    pub feedback: Option<Feedback>,
}

/// A satisfaction answer: CSAT 1–5 or NPS 0–10.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
pub struct Feedback {
    pub kind: FeedbackKind,
    pub score: u8,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum FeedbackKind {
    Csat,
    Nps,
}

impl FeedbackKind {
    pub fn as_str(self) -> &'static str {
        match self {
            FeedbackKind::Csat => "csat",
            FeedbackKind::Nps => "nps",
        }
    }
}

fn parse(json: &str) -> Value {
    serde_json::from_str(json).unwrap_or(Value::Null)
}

/// A JSON document read for its shape: arrays are counted, not kept (their elements are
/// skipped without being built). Tool results and replies carry whole product cards in arrays
/// of which analytics only needs the length; skipping them is most of a dashboard's time.
enum Shallow {
    Value(Value),
    Array(usize),
    Object(Vec<(String, Shallow)>),
}

impl<'de> serde::Deserialize<'de> for Shallow {
    fn deserialize<D: serde::Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        struct V;
        impl<'de> serde::de::Visitor<'de> for V {
            type Value = Shallow;
            fn expecting(&self, f: &mut std::fmt::Formatter) -> std::fmt::Result {
                f.write_str("any JSON value")
            }
            fn visit_bool<E>(self, v: bool) -> Result<Shallow, E> {
                Ok(Shallow::Value(Value::Bool(v)))
            }
            fn visit_i64<E>(self, v: i64) -> Result<Shallow, E> {
                Ok(Shallow::Value(Value::from(v)))
            }
            fn visit_u64<E>(self, v: u64) -> Result<Shallow, E> {
                Ok(Shallow::Value(Value::from(v)))
            }
            fn visit_f64<E>(self, v: f64) -> Result<Shallow, E> {
                Ok(Shallow::Value(Value::from(v)))
            }
            fn visit_str<E>(self, v: &str) -> Result<Shallow, E> {
                Ok(Shallow::Value(Value::String(v.to_string())))
            }
            fn visit_string<E>(self, v: String) -> Result<Shallow, E> {
                Ok(Shallow::Value(Value::String(v)))
            }
            fn visit_unit<E>(self) -> Result<Shallow, E> {
                Ok(Shallow::Value(Value::Null))
            }
            fn visit_none<E>(self) -> Result<Shallow, E> {
                Ok(Shallow::Value(Value::Null))
            }
            fn visit_seq<A: serde::de::SeqAccess<'de>>(
                self,
                mut seq: A,
            ) -> Result<Shallow, A::Error> {
                let mut n = 0;
                while seq.next_element::<serde::de::IgnoredAny>()?.is_some() {
                    n += 1;
                }
                Ok(Shallow::Array(n))
            }
            fn visit_map<A: serde::de::MapAccess<'de>>(
                self,
                mut map: A,
            ) -> Result<Shallow, A::Error> {
                let mut out = Vec::new();
                while let Some((k, v)) = map.next_entry::<String, Shallow>()? {
                    out.push((k, v));
                }
                Ok(Shallow::Object(out))
            }
        }
        d.deserialize_any(V)
    }
}

impl Shallow {
    /// As a `Value`, arrays standing as that many nulls (only their length is read).
    fn into_value(self) -> Value {
        match self {
            Shallow::Value(v) => v,
            Shallow::Array(n) => Value::Array(vec![Value::Null; n]),
            Shallow::Object(kv) => {
                Value::Object(kv.into_iter().map(|(k, v)| (k, v.into_value())).collect())
            }
        }
    }
}

/// The tool traces of a turn, each read shallowly (see [`Shallow`]).
fn parse_actions(json: &str) -> Vec<Value> {
    serde_json::from_str::<Vec<Shallow>>(json)
        .map(|a| a.into_iter().map(Shallow::into_value).collect())
        .unwrap_or_default()
}

/// A document whose arrays only count (the reply: its `products`).
fn parse_shallow(json: &str) -> Value {
    serde_json::from_str::<Shallow>(json).map_or(Value::Null, Shallow::into_value)
}

fn str_of<'a>(o: &'a Map<String, Value>, key: &str) -> Option<&'a str> {
    o.get(key).and_then(Value::as_str)
}

fn len_of(o: &Map<String, Value>, key: &str) -> u32 {
    o.get(key)
        .and_then(Value::as_array)
        .map_or(0, |a| u32::try_from(a.len()).unwrap_or(u32::MAX))
}

/// An integer from a JSON number (`4`, `4.0`) or a numeric string (`"4"`).
fn int_of(v: &Value) -> Option<i64> {
    match v {
        Value::Number(n) => n.as_i64().or_else(|| {
            n.as_f64()
                .filter(|f| f.fract() == 0.0 && f.abs() < 1e15)
                .map(|f| f as i64)
        }),
        Value::String(s) => s.trim().parse().ok(),
        _ => None,
    }
}

impl TurnFacts {
    /// Reads a stored turn. Never fails: a document that does not parse, or has an unexpected
    /// shape, contributes nothing.
    pub fn from_stored(
        input: &str,
        understanding: Option<&str>,
        actions: &str,
        reply: &str,
        server_us: i64,
        created_at_ms: i64,
    ) -> TurnFacts {
        TurnFacts {
            input: read_input(&parse(input)),
            understanding: understanding.and_then(|u| read_understanding(&parse(u))),
            tools: parse_actions(actions)
                .iter()
                .filter_map(read_tool)
                .collect(),
            reply_products: parse_shallow(reply)
                .as_object()
                .map_or(0, |o| len_of(o, "products")),
            server_us,
            created_at_ms,
        }
    }

    /// A shopper message or button press.
    pub fn is_shopper(&self) -> bool {
        self.input.is_shopper()
    }

    /// The shopper typed it.
    pub fn text(&self) -> Option<&str> {
        match &self.input {
            TurnInput::Text { text } => Some(text),
            _ => None,
        }
    }

    /// The stored intent, if any.
    pub fn intent(&self) -> Option<&str> {
        self.understanding.as_ref().map(|u| u.intent.as_str())
    }

    /// Products were put before the shopper: cards in the reply, or a `products`, `product`
    /// or `recommendations` result with items.
    pub fn shows_product(&self) -> bool {
        self.reply_products > 0
            || self.tools.iter().any(|t| {
                matches!(
                    t.result.as_str(),
                    "products" | "product" | "recommendations"
                ) && t.products > 0
            })
    }
}

fn read_input(v: &Value) -> TurnInput {
    let Some(o) = v.as_object() else {
        return TurnInput::Unknown;
    };
    // Staff first: a message from the shop is never the shopper's, whatever else it carries.
    if let Some(staff) = o.get("staff") {
        let (by, event) = match staff {
            Value::Object(s) => (
                str_of(s, "by").unwrap_or_default(),
                str_of(s, "event").unwrap_or_default(),
            ),
            Value::String(by) => (by.as_str(), ""),
            _ => ("", ""),
        };
        return TurnInput::Staff {
            by: by.to_string(),
            event: event.to_string(),
        };
    }
    if let Some(text) = str_of(o, "text") {
        return TurnInput::Text {
            text: text.to_string(),
        };
    }
    if let Some(action) = o
        .get("action")
        .and_then(Value::as_object)
        .and_then(|a| str_of(a, "type"))
    {
        return TurnInput::Action {
            action: action.to_string(),
        };
    }
    TurnInput::Unknown
}

fn read_understanding(v: &Value) -> Option<Understanding> {
    let o = v.as_object()?;
    let intent = str_of(o, "intent")?.trim();
    if intent.is_empty() {
        return None;
    }
    Some(Understanding {
        intent: intent.to_string(),
        confidence: o
            .get("confidence")
            .and_then(Value::as_f64)
            .filter(|c| c.is_finite()),
        language: str_of(o, "language").map(str::to_string),
    })
}

fn read_tool(v: &Value) -> Option<ToolFact> {
    let o = v.as_object()?;
    let tool = str_of(o, "tool")?.to_string();
    // The turn record nests the result under `result` (`{"tool": …, call fields…, "result":
    // {"result": "products", "items": …}}`); a flat trace is read too.
    let call = o;
    let o = o.get("result").and_then(Value::as_object).unwrap_or(call);
    let result = str_of(o, "result").unwrap_or_default().to_string();
    let products = match result.as_str() {
        "products" => len_of(o, "items"),
        "product" => u32::from(o.get("card").is_some_and(Value::is_object)),
        "recommendations" => len_of(o, "upsell")
            .saturating_add(len_of(o, "cross_sell"))
            .saturating_add(len_of(o, "similar"))
            .saturating_add(len_of(o, "items")),
        _ => 0,
    };
    let order = o.get("order").and_then(Value::as_object);
    let feedback = (tool == "record_feedback" && result != "failed")
        .then(|| {
            let kind = match str_of(call, "kind")?.trim().to_ascii_lowercase().as_str() {
                "csat" => FeedbackKind::Csat,
                "nps" => FeedbackKind::Nps,
                _ => return None,
            };
            let score = int_of(call.get("score")?)?;
            let range = match kind {
                FeedbackKind::Csat => 1..=5,
                FeedbackKind::Nps => 0..=10,
            };
            range.contains(&score).then_some(Feedback {
                kind,
                score: score as u8,
            })
        })
        .flatten();
    Some(ToolFact {
        query: str_of(call, "query").map(str::to_string),
        total: o
            .get("total")
            .and_then(int_of)
            .and_then(|t| u64::try_from(t).ok()),
        products,
        order_id: order.and_then(|ord| str_of(ord, "id")).map(str::to_string),
        repeated: o.get("repeated").and_then(Value::as_bool).unwrap_or(false),
        feedback,
        tool,
        result,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn reads_a_text_turn() {
        let t = TurnFacts::from_stored(
            r#"{"text": "robe rouge"}"#,
            Some(
                r#"{"language":"fr","intent":"product_search","confidence":0.93,"entities":[],"alternatives":[]}"#,
            ),
            r#"[{"tool":"search_products","query":"robe rouge","price_min":null,"liked":[],"rejected":[],"limit":null,"result":"products","items":[{"sku":"A"},{"sku":"B"}],"total":7}]"#,
            r#"{"text":"Voici","products":[{"sku":"A"}],"quick_replies":[]}"#,
            1500,
            42,
        );
        assert_eq!(t.text(), Some("robe rouge"));
        assert_eq!(t.intent(), Some("product_search"));
        assert_eq!(t.understanding.as_ref().unwrap().confidence, Some(0.93));
        assert_eq!(t.tools.len(), 1);
        assert_eq!(t.tools[0].query.as_deref(), Some("robe rouge"));
        assert_eq!(t.tools[0].total, Some(7));
        assert_eq!(t.tools[0].products, 2);
        assert_eq!(t.reply_products, 1);
        assert!(t.shows_product());
        assert!(t.is_shopper());
        assert_eq!((t.server_us, t.created_at_ms), (1500, 42));
    }

    #[test]
    fn reads_actions_staff_orders_and_feedback() {
        let a = TurnFacts::from_stored(
            r#"{"action":{"type":"checkout","customer":null}}"#,
            None,
            r#"[{"tool":"start_checkout","payment_method":null,"result":"order_placed","order":{"id":"ord_1","status":"awaiting_payment"},"payment":{},"repeated":false},
                {"tool":"record_feedback","kind":"csat","score":4,"result":"recorded"},
                {"tool":"record_feedback","kind":"nps","score":"9","result":"recorded"},
                {"tool":"record_feedback","kind":"nps","score":11,"result":"recorded"},
                {"tool":"record_feedback","kind":"csat","score":0,"result":"recorded"},
                {"tool":"get_product","product_id":"p","result":"product","card":{"sku":"A"},"description":"","variants":[]},
                {"tool":"recommend","product_id":"p","result":"recommendations","upsell":[{}],"cross_sell":[],"similar":[{},{}]}]"#,
            r#"{"text":"ok","products":[],"quick_replies":[]}"#,
            10,
            0,
        );
        assert_eq!(
            a.input,
            TurnInput::Action {
                action: "checkout".into()
            }
        );
        assert_eq!(a.tools[0].order_id.as_deref(), Some("ord_1"));
        assert!(!a.tools[0].repeated);
        let fb: Vec<_> = a.tools.iter().filter_map(|t| t.feedback).collect();
        assert_eq!(
            fb,
            vec![
                Feedback {
                    kind: FeedbackKind::Csat,
                    score: 4
                },
                Feedback {
                    kind: FeedbackKind::Nps,
                    score: 9
                }
            ]
        );
        assert_eq!(a.tools[5].products, 1);
        assert_eq!(a.tools[6].products, 3);
        assert!(a.shows_product());

        let s = TurnFacts::from_stored(
            r#"{"staff":{"by":"Marie","event":"takeover"},"text":"Bonjour, Marie ici"}"#,
            None,
            "[]",
            "{}",
            0,
            0,
        );
        assert_eq!(
            s.input,
            TurnInput::Staff {
                by: "Marie".into(),
                event: "takeover".into()
            }
        );
        assert!(!s.is_shopper());
    }

    #[test]
    fn garbage_is_a_turn_with_nothing_recognised() {
        for junk in [
            "",
            "null",
            "[]",
            "{",
            "42",
            "\"text\"",
            r#"{"text": 5}"#,
            "\u{0}\u{ffff}",
            r#"{"action": {"kind": "x"}}"#,
        ] {
            let t = TurnFacts::from_stored(junk, Some(junk), junk, junk, -1, -1);
            assert_eq!(t.input, TurnInput::Unknown, "{junk}");
            assert!(t.understanding.is_none());
            assert!(t.tools.is_empty());
            assert_eq!(t.reply_products, 0);
            assert!(!t.shows_product());
        }
        // Half-good documents keep their good parts.
        let t = TurnFacts::from_stored(
            r#"{"text":"hi"}"#,
            Some(r#"{"intent":"greet","confidence":"high"}"#),
            r#"[1, "x", {"no_tool": true}, {"tool":"view_cart"}]"#,
            r#"{"products":"many"}"#,
            0,
            0,
        );
        assert_eq!(t.intent(), Some("greet"));
        assert_eq!(t.understanding.unwrap().confidence, None);
        assert_eq!(t.tools.len(), 1);
        assert_eq!(t.tools[0].result, "");
    }

    #[test]
    fn orders_parse_their_status() {
        let o = OrderFacts::new("o", Some(String::new()), "paid", 100, " eur ", 0);
        assert_eq!(o.status, OrderStatus::Paid);
        assert_eq!(o.currency, "EUR");
        assert_eq!(o.conversation_id, None);
        assert_eq!(OrderStatus::parse("refunded"), OrderStatus::Other);
        for s in ["awaiting_payment", "paid", "cancelled", "expired"] {
            assert_eq!(OrderStatus::parse(s).as_str(), s);
        }
    }
}

/// The traces as the agent really writes them (serialised `ToolTrace`s), not hand-written
/// JSON: a change of the record's shape fails here.
#[cfg(test)]
mod real_traces {
    use super::*;
    use comptoir_agent::tools::{ToolCall, ToolResult, ToolTrace};

    #[test]
    fn nested_results_of_real_traces_are_read() {
        let traces = vec![
            ToolTrace {
                call: ToolCall::SearchProducts {
                    query: "red dress".into(),
                    price_min: None,
                    price_max: None,
                    liked: vec![],
                    rejected: vec![],
                    limit: None,
                },
                result: ToolResult::Products {
                    items: vec![],
                    total: 0,
                },
            },
            ToolTrace {
                call: ToolCall::RecordFeedback {
                    kind: "csat".into(),
                    score: 4,
                },
                result: ToolResult::Recorded,
            },
        ];
        let actions = serde_json::to_string(&traces).unwrap();
        let t = TurnFacts::from_stored(r#"{"text":"x"}"#, None, &actions, "{}", 10, 0);
        assert_eq!(t.tools.len(), 2, "{actions}");
        assert_eq!(t.tools[0].result, "products");
        assert_eq!(t.tools[0].query.as_deref(), Some("red dress"));
        assert_eq!(t.tools[0].total, Some(0));
        assert_eq!(t.tools[1].result, "recorded");
        assert_eq!(
            t.tools[1].feedback.as_ref().map(|f| f.score),
            Some(4),
            "{actions}"
        );
    }
}
