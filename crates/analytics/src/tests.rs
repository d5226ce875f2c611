//! The report against a hand-built history whose every figure is worked out below.
//!
//! Time zone Europe/Paris (UTC+1 in these weeks, no DST change). Period: 2026-03-02 to
//! 2026-03-04 inclusive, i.e. [2026-03-02 00:00+01, 2026-03-05 00:00+01). Previous period
//! (`previous_in`): 2026-02-27 to 2026-03-01.
//!
//! Conversations (turns are one minute apart from the conversation's start; `us` = server_us):
//!
//! | id | created (local)  | turns (shopper unless noted)                                            |
//! |----|------------------|-------------------------------------------------------------------------|
//! | c1 | 03-02 10:00      | "Bonjour" greet (1000) · "Robe  Rouge " search, 5 found, 2 cards (3000) · |
//! |    |                  | [add_to_cart] → cart (2000) · [checkout] → order_placed o1 (5000) ·     |
//! |    |                  | [quick_reply] csat 5 + nps 6 (1000)                                     |
//! | c2 | 03-02 15:00      | "hello" greet, no tool (800)                                            |
//! | c7 | 03-02 00:15      | no turn (that is 03-01 23:15 UTC: in the period only by local time)     |
//! | c3 | 03-03 09:00      | "asdfgh" out_of_scope, no tool (1200) · "chaussures running" search, 0  |
//! |    |                  | found (4000) · "=HYPERLINK(\"x\")" out_of_scope, no tool (900) ·          |
//! |    |                  | staff takeover (99999) · staff message (99999)                          |
//! | c4 | 03-03 20:00      | "robe rouge" search, 3 found, 3 items (2500) · "je veux parler à        |
//! |    |                  | quelqu'un" talk_to_human → handoff (1500) · [quick_reply] nps 3 + nps 11 |
//! |    |                  | (invalid) (700) · [quick_reply] nps 9 (600)                              |
//! | c5 | 03-04 11:00      | "<script>alert(1)</script>" out_of_scope → answer_faq + capture_lead    |
//! |    |                  | (600) · "chaussures running" search "CHAUSSURES   running", 0 found, and |
//! |    |                  | a search with a blank query (3500) · "sac cuir" product_info → product  |
//! |    |                  | card (2200) · [add_to_cart] → cart (1800) · [checkout] → need_info      |
//! |    |                  | (2600) · [quick_reply] csat 4 (500) · [quick_reply] csat 2 (400)         |
//! | c8 | 03-04 22:00      | "sac cuir noir" search, 1 found, 1 card (2000) · [add_to_cart] → cart   |
//! |    |                  | (1500) · [checkout] → order_placed o5 (3000) · [quick_reply] nps 10     |
//! |    |                  | (1000)                                                                  |
//! | c6 | 03-05 00:30      | outside (03-04 23:30 UTC): "ignored" out_of_scope, a search             |
//! | c0 | 02-28 12:00      | previous period: "robe" search, 4 found, 2 cards (1000) ·               |
//! |    |                  | [add_to_cart] → cart (1000)                                             |
//!
//! Orders (minor units): o1 c1 paid 5000 EUR 03-02 10:05 · o4 cX awaiting 3000 EUR 03-03 20:30 ·
//! o5 c8 paid 2001 EUR 03-05 00:10 (after the period) · o8 cX paid 1500 USD 03-04 12:00 ·
//! o10 cX cancelled 1000 EUR 03-04 13:00 · o11 cY expired 700 EUR 03-02 18:00 ·
//! o12 cY paid 2001 EUR 03-04 09:00 · o9 no conversation, paid 9999 EUR 03-03 12:00 ·
//! o0 c0 paid 4000 EUR 02-28 12:30.

use std::str::FromStr;

use chrono_tz::Europe::Paris;
use serde_json::{json, Value};

use crate::*;

fn at(date: &str, time: &str) -> i64 {
    chrono::DateTime::parse_from_rfc3339(&format!("{date}T{time}:00+01:00"))
        .unwrap()
        .timestamp_millis()
}

fn d(s: &str) -> Decimal {
    Decimal::from_str(s).unwrap()
}

fn turn(
    input: Value,
    understanding: Option<Value>,
    tools: Value,
    cards: usize,
    us: i64,
) -> TurnFacts {
    let reply =
        json!({"text": "…", "products": vec![json!({"sku": "X"}); cards], "quick_replies": []});
    TurnFacts::from_stored(
        &input.to_string(),
        understanding.map(|u| u.to_string()).as_deref(),
        &tools.to_string(),
        &reply.to_string(),
        us,
        0,
    )
}

fn understood(intent: &str, confidence: f64) -> Value {
    json!({"language": "fr", "intent": intent, "confidence": confidence, "entities": [], "alternatives": []})
}

fn text(s: &str, intent: &str, confidence: f64, tools: Value, cards: usize, us: i64) -> TurnFacts {
    turn(
        json!({ "text": s }),
        Some(understood(intent, confidence)),
        tools,
        cards,
        us,
    )
}

fn action(kind: &str, tools: Value, us: i64) -> TurnFacts {
    turn(
        json!({"action": {"type": kind}}),
        Some(understood(kind, 1.0)),
        tools,
        0,
        us,
    )
}

fn staff(event: &str, us: i64) -> TurnFacts {
    turn(
        json!({"staff": {"by": "Marie", "event": event}}),
        None,
        json!([]),
        0,
        us,
    )
}

fn search(q: &str, total: u64, items: usize) -> Value {
    json!({"tool": "search_products", "query": q, "price_min": null, "price_max": null, "liked": [],
           "rejected": [], "limit": null, "result": "products", "items": vec![json!({"sku": "S"}); items],
           "total": total})
}

fn tool(name: &str, result: &str) -> Value {
    json!({"tool": name, "result": result})
}

fn feedback(kind: &str, score: i64) -> Value {
    json!({"tool": "record_feedback", "kind": kind, "score": score, "result": "recorded"})
}

fn placed(order: &str, repeated: bool) -> Value {
    json!({"tool": "start_checkout", "payment_method": null, "result": "order_placed",
           "order": {"id": order, "status": "awaiting_payment"}, "payment": {}, "repeated": repeated})
}

fn conv(id: &str, start: i64, turns: Vec<TurnFacts>) -> ConversationFacts {
    ConversationFacts {
        id: id.into(),
        channel: "web".into(),
        status: "open".into(),
        created_at_ms: start,
        turns: turns
            .into_iter()
            .enumerate()
            .map(|(i, mut t)| {
                t.created_at_ms = start + 60_000 * i as i64;
                t
            })
            .collect(),
    }
}

fn order(id: &str, c: Option<&str>, status: &str, minor: i64, cur: &str, ms: i64) -> OrderFacts {
    OrderFacts::new(id, c.map(str::to_string), status, minor, cur, ms)
}

fn history() -> Facts {
    let conversations = vec![
        conv(
            "c1",
            at("2026-03-02", "10:00"),
            vec![
                text("Bonjour", "greet", 0.98, json!([]), 0, 1000),
                text(
                    "Robe  Rouge ",
                    "product_search",
                    0.9,
                    json!([search("Robe  Rouge ", 5, 2)]),
                    2,
                    3000,
                ),
                action("add_to_cart", json!([tool("add_to_cart", "cart")]), 2000),
                action("checkout", json!([placed("o1", false)]), 5000),
                action(
                    "quick_reply",
                    json!([feedback("csat", 5), feedback("nps", 6)]),
                    1000,
                ),
            ],
        ),
        conv(
            "c2",
            at("2026-03-02", "15:00"),
            vec![text("hello", "greet", 0.97, json!([]), 0, 800)],
        ),
        conv("c7", at("2026-03-02", "00:15"), vec![]),
        conv(
            "c3",
            at("2026-03-03", "09:00"),
            vec![
                text("asdfgh", "out_of_scope", 0.2, json!([]), 0, 1200),
                text(
                    "chaussures running",
                    "product_search",
                    0.85,
                    json!([search("chaussures running", 0, 0)]),
                    0,
                    4000,
                ),
                text("=HYPERLINK(\"x\")", "out_of_scope", 0.6, json!([]), 0, 900),
                staff("takeover", 99_999),
                staff("message", 99_999),
            ],
        ),
        conv(
            "c4",
            at("2026-03-03", "20:00"),
            vec![
                text(
                    "robe rouge",
                    "product_search",
                    0.95,
                    json!([search("robe rouge", 3, 3)]),
                    0,
                    2500,
                ),
                text(
                    "je veux parler à quelqu'un",
                    "talk_to_human",
                    0.9,
                    json!([{"tool": "handoff_to_human", "reason": "asked", "result": "handoff", "lead_id": "l1"}]),
                    0,
                    1500,
                ),
                action(
                    "quick_reply",
                    json!([feedback("nps", 3), feedback("nps", 11)]),
                    700,
                ),
                action("quick_reply", json!([feedback("nps", 9)]), 600),
            ],
        ),
        conv(
            "c5",
            at("2026-03-04", "11:00"),
            vec![
                text(
                    "<script>alert(1)</script>",
                    "out_of_scope",
                    0.1,
                    json!([tool("answer_faq", "faq"), {"tool": "capture_lead", "kind": "lead", "result": "lead", "id": "l2"}]),
                    0,
                    600,
                ),
                text(
                    "chaussures running",
                    "product_search",
                    0.8,
                    json!([search("CHAUSSURES   running", 0, 0), search("  ", 0, 0)]),
                    0,
                    3500,
                ),
                text(
                    "sac cuir",
                    "product_info",
                    0.88,
                    json!([{"tool": "get_product", "product_id": "p", "result": "product", "card": {"sku": "SAC"}, "description": "", "variants": []}]),
                    0,
                    2200,
                ),
                action("add_to_cart", json!([tool("add_to_cart", "cart")]), 1800),
                action(
                    "checkout",
                    json!([tool("start_checkout", "need_info")]),
                    2600,
                ),
                action("quick_reply", json!([feedback("csat", 4)]), 500),
                action("quick_reply", json!([feedback("csat", 2)]), 400),
            ],
        ),
        conv(
            "c8",
            at("2026-03-04", "22:00"),
            vec![
                text(
                    "sac cuir noir",
                    "product_search",
                    0.9,
                    json!([search("sac cuir noir", 1, 1)]),
                    1,
                    2000,
                ),
                action("add_to_cart", json!([tool("add_to_cart", "cart")]), 1500),
                action("checkout", json!([placed("o5", false)]), 3000),
                action("quick_reply", json!([feedback("nps", 10)]), 1000),
            ],
        ),
        conv(
            "c6",
            at("2026-03-05", "00:30"),
            vec![text(
                "ignored",
                "out_of_scope",
                0.1,
                json!([search("ignored query", 0, 0)]),
                0,
                1,
            )],
        ),
        conv(
            "c0",
            at("2026-02-28", "12:00"),
            vec![
                text(
                    "robe",
                    "product_search",
                    0.9,
                    json!([search("robe", 4, 2)]),
                    2,
                    1000,
                ),
                action("add_to_cart", json!([tool("add_to_cart", "cart")]), 1000),
            ],
        ),
    ];
    let orders = vec![
        order(
            "o1",
            Some("c1"),
            "paid",
            5000,
            "EUR",
            at("2026-03-02", "10:05"),
        ),
        order(
            "o4",
            Some("cX"),
            "awaiting_payment",
            3000,
            "EUR",
            at("2026-03-03", "20:30"),
        ),
        order(
            "o5",
            Some("c8"),
            "paid",
            2001,
            "EUR",
            at("2026-03-05", "00:10"),
        ),
        order(
            "o8",
            Some("cX"),
            "paid",
            1500,
            "USD",
            at("2026-03-04", "12:00"),
        ),
        order(
            "o10",
            Some("cX"),
            "cancelled",
            1000,
            "EUR",
            at("2026-03-04", "13:00"),
        ),
        order(
            "o11",
            Some("cY"),
            "expired",
            700,
            "EUR",
            at("2026-03-02", "18:00"),
        ),
        order(
            "o12",
            Some("cY"),
            "paid",
            2001,
            "EUR",
            at("2026-03-04", "09:00"),
        ),
        order("o9", None, "paid", 9999, "EUR", at("2026-03-03", "12:00")),
        order(
            "o0",
            Some("c0"),
            "paid",
            4000,
            "EUR",
            at("2026-02-28", "12:30"),
        ),
    ];
    Facts {
        conversations,
        orders,
    }
}

fn period() -> Period {
    Period::from_dates("2026-03-02", "2026-03-04", Paris).unwrap()
}

fn reports() -> (Report, Report) {
    let facts = history();
    let p = period();
    (
        Report::compute(&facts, &p, Paris),
        Report::compute(&facts, &p.previous_in(Paris), Paris),
    )
}

#[test]
fn conversations_per_local_day() {
    let (r, _) = reports();
    // c1, c2, c7 (00:15 local, still 03-01 in UTC) | c3, c4 | c5, c8. c6 (00:30 on 03-05) is out.
    assert_eq!(r.conversations, 7);
    let days: Vec<(&str, u64, u64)> = r
        .days
        .iter()
        .map(|d| (d.date.as_str(), d.conversations, d.engaged))
        .collect();
    // Engaged: c1 (5 turns), c3 (3), c4 (4), c5 (7), c8 (4); not c2 (a greeting alone), c7.
    assert_eq!(
        days,
        vec![
            ("2026-03-02", 3, 1),
            ("2026-03-03", 2, 2),
            ("2026-03-04", 2, 2)
        ]
    );
    assert_eq!(
        (r.from_date.as_str(), r.to_date.as_str()),
        ("2026-03-02", "2026-03-04")
    );
    assert_eq!(r.tz, "Europe/Paris");
}

#[test]
fn engaged_and_conversion() {
    let (r, _) = reports();
    assert_eq!((r.engaged.count, r.engaged.of), (5, 7));
    // Paid orders linked: c1 (o1) and c8 (o5, paid after the period but linked).
    assert_eq!((r.conversion.count, r.conversion.of), (2, 7));
    assert!((r.conversion.rate - 2.0 / 7.0).abs() < 1e-12);
}

#[test]
fn orders_revenue_and_basket() {
    let (r, _) = reports();
    // Agent orders created in the period: o1, o4, o8, o10, o11, o12 (o5 after, o9 not the
    // agent's, o0 before).
    assert_eq!(
        r.orders,
        OrderCounts {
            placed: 6,
            awaiting_payment: 1,
            paid: 3,
            cancelled: 1,
            expired: 1,
            other: 0
        }
    );
    // EUR has two paid orders (o1, o12), USD one: EUR is the headline currency.
    assert_eq!(r.currency.as_deref(), Some("EUR"));
    // 5000 + 2001 = 7001 cents.
    assert_eq!(r.revenue, Some(Money::from_minor(7001, "EUR")));
    assert_eq!(r.revenue.as_ref().unwrap().amount.to_string(), "70.01");
    // 7001 / 2 = 3500.5 → 3501 (half away from zero).
    assert_eq!(
        r.average_basket.as_ref().unwrap().amount.to_string(),
        "35.01"
    );
    let cur: Vec<(&str, u64, u64, String)> = r
        .by_currency
        .iter()
        .map(|t| {
            (
                t.currency.as_str(),
                t.orders,
                t.paid_orders,
                t.revenue.amount.to_string(),
            )
        })
        .collect();
    assert_eq!(
        cur,
        vec![
            ("EUR", 5, 2, "70.01".to_string()),
            ("USD", 1, 1, "15.00".to_string())
        ]
    );
    assert_eq!(
        r.by_currency[1]
            .average_basket
            .as_ref()
            .unwrap()
            .amount
            .to_string(),
        "15.00"
    );
    // Per day: 03-02 o1 (paid), o11 | 03-03 o4 | 03-04 o8 (paid, USD), o10, o12 (paid).
    let days: Vec<(u64, u64, String)> = r
        .days
        .iter()
        .map(|d| {
            (
                d.orders,
                d.paid_orders,
                d.revenue.as_ref().unwrap().amount.to_string(),
            )
        })
        .collect();
    assert_eq!(
        days,
        vec![
            (2, 1, "50.00".into()),
            (1, 0, "0.00".into()),
            (3, 2, "20.01".into())
        ]
    );
}

#[test]
fn searches() {
    let (r, _) = reports();
    // robe rouge ×2 (c1 normalised, c4), chaussures running ×2 (c3, c5, both 0 found),
    // sac cuir noir ×1. The blank query of c5 and c6's are not counted.
    assert_eq!(r.searches.total, 5);
    assert_eq!(r.searches.distinct, 3);
    assert_eq!(
        (r.searches.zero_results.count, r.searches.zero_results.of),
        (2, 5)
    );
    let top: Vec<(&str, u64, u64)> = r
        .searches
        .top
        .iter()
        .map(|q| (q.query.as_str(), q.searches, q.zero_results))
        .collect();
    // Ties in alphabetical order.
    assert_eq!(
        top,
        vec![
            ("chaussures running", 2, 2),
            ("robe rouge", 2, 0),
            ("sac cuir noir", 1, 0)
        ]
    );
    assert!((r.searches.top[0].share - 0.4).abs() < 1e-12);
    let zero: Vec<(&str, u64)> = r
        .searches
        .top_zero_results
        .iter()
        .map(|q| (q.query.as_str(), q.zero_results))
        .collect();
    assert_eq!(zero, vec![("chaussures running", 2)]);
    assert_eq!(normalize_query("  Robe \t ROUGE\n"), "robe rouge");
}

#[test]
fn intents_and_not_understood() {
    let (r, _) = reports();
    // Text turns: c1 2, c2 1, c3 3, c4 2, c5 3, c8 1 = 12 (staff turns and buttons excluded).
    assert_eq!(r.text_turns, 12);
    let mix: Vec<(&str, u64)> = r
        .intents
        .iter()
        .map(|i| (i.intent.as_str(), i.count))
        .collect();
    assert_eq!(
        mix,
        vec![
            ("product_search", 5),
            ("out_of_scope", 3),
            ("greet", 2),
            ("product_info", 1),
            ("talk_to_human", 1)
        ]
    );
    assert!((r.intents[1].share - 0.25).abs() < 1e-12);
    // out_of_scope with no tool: c3's two; c5's was answered from the FAQ.
    assert_eq!((r.not_understood.count, r.not_understood.of), (2, 12));
    let review: Vec<(&str, &str, &str)> = r
        .to_review
        .iter()
        .map(|m| (m.at.as_str(), m.conversation_id.as_str(), m.text.as_str()))
        .collect();
    assert_eq!(
        review,
        vec![
            ("2026-03-03 09:02", "c3", "=HYPERLINK(\"x\")"),
            ("2026-03-03 09:00", "c3", "asdfgh")
        ]
    );
    assert_eq!(r.to_review[1].confidence, Some(0.2));
}

#[test]
fn response_times_are_nearest_rank_over_shopper_turns() {
    let (r, _) = reports();
    // 24 shopper turns, sorted: 400 500 600 600 700 800 900 1000 1000 1000 1200 1500 | 1500
    // 1800 2000 2000 2200 2500 2600 3000 3000 3500 4000 5000. p50: rank ⌈0.5·24⌉ = 12 →
    // 1500; p95: rank ⌈0.95·24⌉ = 23 → 4000. (With the staff turns' 99999 it would be 5000.)
    assert_eq!(
        r.response_time,
        ResponseTimes {
            turns: 24,
            p50_us: Some(1500),
            p95_us: Some(4000)
        }
    );
    let v: Vec<i64> = (1..=10).collect();
    assert_eq!(percentile(&v, 50), Some(5));
    assert_eq!(percentile(&v, 95), Some(10));
    assert_eq!(percentile(&v, 0), Some(1));
    assert_eq!(percentile(&[7], 95), Some(7));
    assert_eq!(percentile(&[], 50), None);
}

/// A shopper's text recorded while a person had the conversation: the agent did not run, so
/// no understanding was stored (`api::conversations::pass_to_person`).
fn for_the_person(s: &str, us: i64) -> TurnFacts {
    turn(json!({ "text": s }), None, json!([]), 0, us)
}

#[test]
fn messages_sent_to_a_person_are_not_the_agents() {
    let (before, _) = reports();
    let mut facts = history();
    facts.conversations.push(conv(
        "cA",
        at("2026-03-03", "10:00"),
        vec![
            text("robe rouge", "product_search", 0.9, json!([]), 0, 1000),
            staff("takeover", 0),
            for_the_person("where is my parcel?", 90_000),
            for_the_person("asdfgh", 90_000),
            staff("message", 0),
            // A button still runs the agent while a person has the conversation.
            action("add_to_cart", json!([tool("add_to_cart", "cart")]), 1500),
            staff("handback", 0),
        ],
    ));
    facts.conversations.push(conv(
        "cB",
        at("2026-03-04", "12:00"),
        vec![staff("takeover", 0), for_the_person("hello?", 90_000)],
    ));
    let r = Report::compute(&facts, &period(), Paris);
    // Text turns: only cA's first; no `unknown` intent.
    assert_eq!(r.text_turns, before.text_turns + 1);
    let mix: Vec<(&str, u64)> = r
        .intents
        .iter()
        .map(|i| (i.intent.as_str(), i.count))
        .collect();
    assert_eq!(
        mix,
        vec![
            ("product_search", 6),
            ("out_of_scope", 3),
            ("greet", 2),
            ("product_info", 1),
            ("talk_to_human", 1)
        ]
    );
    assert!((r.intents[0].share - 6.0 / 13.0).abs() < 1e-12);
    // "asdfgh" to the person is not a message the agent failed to understand.
    assert_eq!((r.not_understood.count, r.not_understood.of), (2, 13));
    assert_eq!(r.to_review, before.to_review);
    // Response times: the 24 turns before, plus cA's text (1000) and button (1500): 26 turns,
    // p50 rank 13 → 1500, p95 rank ⌈24.7⌉ = 25 → 4000. With the three 90000 recordings it
    // would be 29 turns and a p95 of 90000.
    assert_eq!(
        r.response_time,
        ResponseTimes {
            turns: 26,
            p50_us: Some(1500),
            p95_us: Some(4000)
        }
    );
    // Still the shopper's messages: both conversations are engaged chats (cB's one message is
    // not a greeting), and cA reached the cart.
    assert_eq!(r.conversations, before.conversations + 2);
    assert_eq!(r.engaged.count, before.engaged.count + 2);
    let added: Vec<u64> = r
        .funnel
        .iter()
        .zip(&before.funnel)
        .map(|(a, b)| a.conversations - b.conversations)
        .collect();
    assert_eq!(added, vec![2, 1, 1, 0, 0]);
    assert_eq!(r.takeovers, before.takeovers + 2);

    // Alone: a chat, engaged, with nothing the agent did.
    let only = Facts {
        conversations: vec![conv(
            "cB",
            at("2026-03-04", "12:00"),
            vec![staff("takeover", 0), for_the_person("hello?", 90_000)],
        )],
        orders: vec![],
    };
    let r = Report::compute(&only, &period(), Paris);
    assert_eq!((r.engaged.count, r.engaged.of), (1, 1));
    assert_eq!(r.funnel[0].conversations, 1);
    assert_eq!(r.text_turns, 0);
    assert!(r.intents.is_empty());
    assert_eq!((r.not_understood.count, r.not_understood.of), (0, 0));
    assert_eq!(r.response_time, ResponseTimes::default());
}

#[test]
fn satisfaction() {
    let (r, _) = reports();
    // CSAT, the last answer of each conversation: c1 5, c5 2 (after 4).
    assert_eq!(r.csat.responses, 2);
    assert_eq!(r.csat.average, Some(3.5));
    assert_eq!((r.csat.satisfied.count, r.csat.satisfied.of), (1, 2));
    assert_eq!(r.csat.scores, vec![0, 1, 0, 0, 1]);
    // NPS: c1 6 (detractor), c4 9 (after 3; 11 is invalid), c8 10 → (2 − 1) / 3 = 33.3.
    assert_eq!(
        (
            r.nps.responses,
            r.nps.promoters,
            r.nps.passives,
            r.nps.detractors
        ),
        (3, 2, 0, 1)
    );
    assert!((r.nps.score.unwrap() - 100.0 / 3.0).abs() < 1e-9);
}

#[test]
fn funnel_counts_the_furthest_step() {
    let (r, _) = reports();
    // c1: all five steps. c2, c3: chat. c4: product shown. c5: shown, cart, checkout (the
    // button; the order needed info). c8: all five. c7: none.
    let steps: Vec<(FunnelStage, u64)> = r
        .funnel
        .iter()
        .map(|f| (f.stage, f.conversations))
        .collect();
    assert_eq!(
        steps,
        vec![
            (FunnelStage::Chat, 6),
            (FunnelStage::ProductShown, 4),
            (FunnelStage::AddedToCart, 3),
            (FunnelStage::CheckoutStarted, 3),
            (FunnelStage::OrderPlaced, 2)
        ]
    );
    assert!((r.funnel[4].rate - 2.0 / 6.0).abs() < 1e-12);
    assert!((r.funnel[1].from_previous - 4.0 / 6.0).abs() < 1e-12);
    assert_eq!(r.funnel[0].rate, 1.0);
    // c4 handed off; c3 taken over by Marie; one lead captured in c5.
    assert_eq!((r.handoffs, r.takeovers, r.leads), (1, 1, 1));
}

#[test]
fn funnel_is_monotone_and_ignores_repeated_orders() {
    let p = period();
    let start = at("2026-03-02", "12:00");
    let facts = Facts {
        conversations: vec![
            // Only a repeated order_placed: the order was counted where it was placed.
            conv(
                "a",
                start,
                vec![action("checkout", json!([placed("o", true)]), 1)],
            ),
            // No turn at all, but an order row linked to it: counted at every step.
            conv("b", start, vec![]),
        ],
        orders: vec![order(
            "ob",
            Some("b"),
            "awaiting_payment",
            100,
            "EUR",
            start,
        )],
    };
    let r = Report::compute(&facts, &p, Paris);
    let counts: Vec<u64> = r.funnel.iter().map(|f| f.conversations).collect();
    // a: chat and checkout started (the button) → counted at chat, shown, cart, checkout.
    assert_eq!(counts, vec![2, 2, 2, 2, 1]);
    assert!(counts.windows(2).all(|w| w[0] >= w[1]));
}

#[test]
fn comparison_with_the_previous_period() {
    let (r, prev) = reports();
    // Previous: c0 only (engaged, converted by o0), 1 search, 1 text turn, 2 turns of 1000 µs.
    assert_eq!(prev.conversations, 1);
    assert_eq!(prev.days.len(), 3);
    assert_eq!(prev.revenue.as_ref().unwrap().amount.to_string(), "40.00");
    let cmp = Comparison::of(&r, &prev);
    let row = |m: Metric| {
        let x = cmp.get(m).unwrap();
        (x.current, x.previous, x.change, x.change_pct, x.improved)
    };
    assert_eq!(
        row(Metric::Conversations),
        (
            Some(d("7")),
            Some(d("1")),
            Some(d("6")),
            Some(d("600")),
            Some(true)
        )
    );
    // 5/7 = 71.43 %, 1/1 = 100 %: a fall of 28.57 points; no relative change for a rate.
    assert_eq!(
        row(Metric::EngagedRate),
        (
            Some(d("71.43")),
            Some(d("100")),
            Some(d("-28.57")),
            None,
            Some(false)
        )
    );
    assert_eq!(row(Metric::ConversionRate).0, Some(d("28.57")));
    assert_eq!(row(Metric::AgentOrders).3, Some(d("500")));
    // 70.01 vs 40.00: +30.01, +75.025 % → 75.0.
    assert_eq!(
        row(Metric::Revenue),
        (
            Some(d("70.01")),
            Some(d("40")),
            Some(d("30.01")),
            Some(d("75.0")),
            Some(true)
        )
    );
    // 35.01 vs 40.00: −4.99, −12.475 % → −12.5.
    assert_eq!(
        row(Metric::AverageBasket),
        (
            Some(d("35.01")),
            Some(d("40")),
            Some(d("-4.99")),
            Some(d("-12.5")),
            Some(false)
        )
    );
    assert_eq!(
        cmp.get(Metric::Revenue).unwrap().currency.as_deref(),
        Some("EUR")
    );
    // Rates that rose from 0: a change in points, no relative change, bad news.
    assert_eq!(
        row(Metric::ZeroResultRate),
        (
            Some(d("40")),
            Some(d("0")),
            Some(d("40")),
            None,
            Some(false)
        )
    );
    assert_eq!(row(Metric::NotUnderstoodRate).0, Some(d("16.67")));
    // 1.5 ms vs 1 ms: slower is worse.
    assert_eq!(
        row(Metric::ResponseP50),
        (
            Some(d("1.5")),
            Some(d("1")),
            Some(d("0.5")),
            Some(d("50")),
            Some(false)
        )
    );
    assert_eq!(row(Metric::ResponseP95).0, Some(d("4")));
    // No answers before: no change.
    assert_eq!(row(Metric::Csat), (Some(d("3.5")), None, None, None, None));
    assert_eq!(row(Metric::Nps).0, Some(d("33.3")));
    // Previous 0: absolute change only.
    assert_eq!(
        row(Metric::Leads),
        (Some(d("1")), Some(d("0")), Some(d("1")), None, Some(true))
    );
    assert_eq!(row(Metric::Handoffs).4, None);
    assert_eq!(cmp.deltas.len(), Metric::ALL.len());
}

#[test]
fn daily_csv() {
    let (r, _) = reports();
    assert_eq!(
        r.csv(Table::Daily),
        "date,conversations,engaged,orders,paid_orders,revenue,currency\r\n\
         2026-03-02,3,1,2,1,50.00,EUR\r\n\
         2026-03-03,2,2,1,0,0.00,EUR\r\n\
         2026-03-04,2,2,3,2,20.01,EUR\r\n"
    );
}

#[test]
fn csv_tables() {
    let (r, prev) = reports();
    let top = r.csv(Table::TopSearches);
    assert!(top.starts_with(
        "rank,query,searches,zero_results,share_pct\r\n1,chaussures running,2,2,40.00\r\n"
    ));
    assert!(r
        .csv(Table::ZeroResultSearches)
        .ends_with("1,chaussures running,2,2,40.00\r\n"));
    assert!(r.csv(Table::Intents).contains("out_of_scope,3,25.00\r\n"));
    assert!(r
        .csv(Table::Funnel)
        .contains("order_placed,Order placed,2,33.33,66.67\r\n"));
    let fb = r.csv(Table::Feedback);
    assert!(fb.contains("csat,5,1\r\n") && fb.contains("nps,10,1\r\n"));
    assert_eq!(fb.lines().count(), 1 + 5 + 11);
    assert!(r
        .csv(Table::Summary)
        .contains("revenue,Revenue,money,EUR,70.01\r\n"));
    let cmp = Comparison::of(&r, &prev).csv();
    assert!(cmp.starts_with("metric,label,unit,currency,current,previous,change,change_pct\r\n"));
    // Numbers this crate writes stay numbers, negative ones included.
    assert!(cmp.contains("average_basket,Average basket,money,EUR,35.01,40.00,-4.99,-12.5\r\n"));
    assert!(cmp.contains("csat,CSAT,score,,3.50,,,\r\n"));
    // Every table reads back with the same number of fields on every row.
    for t in Table::ALL {
        let text = r.csv(t);
        let mut reader = csv::Reader::from_reader(text.as_bytes());
        let width = reader.headers().unwrap().len();
        for rec in reader.records() {
            assert_eq!(rec.unwrap().len(), width, "{t:?}");
        }
        assert_eq!(Table::parse(t.slug()), Some(t));
    }
    assert_eq!(
        Table::Daily.file_name(&r),
        "comptoir-daily-2026-03-02-2026-03-04.csv"
    );
}

#[test]
fn csv_cells_cannot_be_formulas() {
    for (cell, out) in [
        ("=1+1", "'=1+1"),
        ("+33 6 12", "'+33 6 12"),
        ("-2", "'-2"),
        ("@SUM(A1)", "'@SUM(A1)"),
        ("\tx", "'\tx"),
        ("\rx", "'\rx"),
        ("robe = jolie", "robe = jolie"),
        ("", ""),
    ] {
        assert_eq!(protect(cell), out);
    }
    let (r, _) = reports();
    let csv = r.csv(Table::NotUnderstood);
    assert_eq!(
        csv,
        "at,conversation_id,intent,confidence,text\r\n\
         2026-03-03 09:02,c3,out_of_scope,0.6,\"'=HYPERLINK(\"\"x\"\")\"\r\n\
         2026-03-03 09:00,c3,out_of_scope,0.2,asdfgh\r\n"
    );
    // The query a shopper typed is a text cell too.
    let facts = Facts {
        conversations: vec![conv(
            "z",
            at("2026-03-02", "12:00"),
            vec![text(
                "x",
                "product_search",
                0.9,
                json!([search("=cmd|' /C calc'!A0", 0, 0), search("@x", 0, 0)]),
                0,
                1,
            )],
        )],
        orders: vec![],
    };
    let r = Report::compute(&facts, &period(), Paris);
    let csv = r.csv(Table::TopSearches);
    assert!(
        csv.contains("'=cmd|' /c calc'!a0") && csv.contains(",'@x,"),
        "{csv}"
    );
}

#[test]
fn an_empty_history_has_zeros_not_nan() {
    let r = Report::compute(&Facts::default(), &period(), Paris);
    assert_eq!(r.days.len(), 3);
    assert_eq!(r.conversations, 0);
    assert_eq!(r.engaged.rate, 0.0);
    assert_eq!(r.currency, None);
    assert_eq!(r.revenue, None);
    assert_eq!(r.response_time.p50_us, None);
    assert_eq!(r.csat.average, None);
    assert_eq!(r.nps.score, None);
    assert!(r
        .funnel
        .iter()
        .all(|f| f.conversations == 0 && f.rate == 0.0));
    let json = serde_json::to_string(&r).unwrap();
    assert!(!json.contains("NaN") && !json.contains("inf"), "{json}");
    let cmp = Comparison::of(&r, &r);
    assert!(cmp.deltas.iter().all(|d| d.change_pct.is_none()));
    for t in Table::ALL {
        assert!(!r.csv(t).contains("NaN"));
    }
    // An inverted period is empty, not a panic.
    let r = Report::compute(&history(), &Period::new(10, 0), Paris);
    assert!(r.days.is_empty() && r.conversations == 0);
}

// ------------------------------------------------------------------------------------ svg

/// Checks tags nest and close, and text holds no raw `<` or stray `&`.
fn well_formed(svg: &str) {
    let mut stack: Vec<String> = Vec::new();
    let mut rest = svg;
    while let Some(i) = rest.find('<') {
        let text = &rest[..i];
        for (j, _) in text.match_indices('&') {
            let ent = &text[j..];
            assert!(
                ["&amp;", "&lt;", "&gt;", "&quot;", "&#39;"]
                    .iter()
                    .any(|e| ent.starts_with(e)),
                "bare & in {svg}"
            );
        }
        let end = rest[i..].find('>').expect("unclosed tag") + i;
        let tag = &rest[i + 1..end];
        assert!(!tag.contains('<'), "< inside a tag: {tag}");
        if let Some(name) = tag.strip_prefix('/') {
            assert_eq!(stack.pop().as_deref(), Some(name), "in {svg}");
        } else if !tag.ends_with('/') {
            stack.push(
                tag.split_whitespace()
                    .next()
                    .unwrap_or_default()
                    .to_string(),
            );
        }
        rest = &rest[end + 1..];
    }
    assert!(stack.is_empty(), "unclosed {stack:?}");
}

/// No number came out as NaN or infinite.
fn finite(svg: &str) {
    for token in svg.split(|c: char| !(c.is_alphanumeric() || c == '.' || c == '-')) {
        let t = token.to_ascii_lowercase();
        assert!(
            !matches!(
                t.as_str(),
                "nan" | "inf" | "-inf" | "infinity" | "-infinity"
            ),
            "{token} in {svg}"
        );
    }
}

fn accessible(svg: &str) {
    assert!(svg.starts_with("<svg "));
    assert!(svg.ends_with("</svg>"));
    for part in ["viewBox=\"0 0 ", "role=\"img\"", "aria-label=\"", "<title>"] {
        assert!(svg.contains(part), "{part} missing in {svg}");
    }
    well_formed(svg);
    finite(svg);
}

#[test]
fn charts_of_the_history() {
    let (r, prev) = reports();
    let line = svg::line_chart(&LineChart::daily(
        DailyMetric::Conversations,
        &r,
        Some(&prev),
    ));
    accessible(&line);
    assert!(line.contains("stroke-dasharray"));
    assert!(line.contains(">03-02<") && line.contains(">03-04<"));
    assert!(line.contains("aria-label=\"Conversations per day: 3 points from 2026-03-02 to 2026-03-04; total 7, highest 3 on 2026-03-02; previous period total 1\""));
    // Max 3 → ticks 0, 1, 2, 3.
    assert!(line.contains(">3</text>") && !line.contains(">4</text>"));
    let revenue = svg::line_chart(&LineChart::daily(DailyMetric::Revenue, &r, Some(&prev)));
    accessible(&revenue);
    assert!(revenue.contains("Revenue per day (EUR)") && revenue.contains("2026-03-04: 20.01"));
    let bars = svg::bar_chart("Top searches", &Bar::searches(&r.searches.top));
    accessible(&bars);
    assert!(bars.contains(">chaussures running<"));
    let intents = svg::bar_chart("Intents", &Bar::intents(&r.intents));
    accessible(&intents);
    assert!(intents.contains("5 · 41.7%"));
    let funnel = svg::funnel("Funnel", &r.funnel);
    accessible(&funnel);
    assert!(funnel.contains("2 · 33.3%"));
    assert!(funnel.contains("aria-label=\"Funnel: Chats 6 (100.0%), Product shown 4 (66.7%)"));
}

#[test]
fn chart_text_is_escaped() {
    let evil = "<script>alert('x') & \"y\"</script>";
    let bars = svg::bar_chart(evil, &[Bar::new(evil, 3), Bar::new("ok", 1)]);
    accessible(&bars);
    assert!(!bars.contains("<script>"));
    assert!(bars.contains("&lt;script&gt;alert(&#39;x&#39;) &amp; &quot;y&quot;&lt;/script&gt;"));
    let line = svg::line_chart(&LineChart {
        title: evil.into(),
        labels: vec![evil.into(), "2026-01-01".into()],
        current: vec![1.0, 2.0],
        previous: None,
        current_name: evil.into(),
        previous_name: evil.into(),
    });
    accessible(&line);
    assert!(!line.contains("<script>"));
    let steps = vec![FunnelStep {
        stage: FunnelStage::Chat,
        label: evil.into(),
        conversations: 1,
        rate: 1.0,
        from_previous: 1.0,
    }];
    let f = svg::funnel(evil, &steps);
    accessible(&f);
    assert!(!f.contains("<script>"));
    // A search query from a shopper, all the way through.
    let facts = Facts {
        conversations: vec![conv(
            "z",
            at("2026-03-02", "12:00"),
            vec![text(
                "x",
                "product_search",
                0.9,
                json!([search("<script>alert(1)</script>", 2, 2)]),
                0,
                1,
            )],
        )],
        orders: vec![],
    };
    let r = Report::compute(&facts, &period(), Paris);
    let bars = svg::bar_chart("Top searches", &Bar::searches(&r.searches.top));
    assert!(bars.contains("&lt;script&gt;alert(1)&lt;/script&gt;") && !bars.contains("<script>"));
}

#[test]
fn empty_and_odd_data_make_no_nan() {
    let empty = Report::compute(&Facts::default(), &period(), Paris);
    let charts = [
        svg::line_chart(&LineChart::daily(
            DailyMetric::Conversations,
            &empty,
            Some(&empty),
        )),
        svg::line_chart(&LineChart::daily(DailyMetric::Revenue, &empty, None)),
        svg::bar_chart("Top searches", &Bar::searches(&empty.searches.top)),
        svg::bar_chart("Intents", &Bar::intents(&empty.intents)),
        svg::funnel("Funnel", &empty.funnel),
        svg::funnel("Funnel", &[]),
        svg::bar_chart("Zeros", &[Bar::new("a", 0)]),
    ];
    for c in &charts {
        accessible(c);
        assert!(c.contains(svg::NO_DATA), "{c}");
    }
    let odd = [
        svg::line_chart(&LineChart {
            title: "Odd".into(),
            labels: vec![],
            current: vec![f64::NAN, f64::INFINITY, 3.0, -2.0],
            previous: Some(vec![f64::NEG_INFINITY, 1.0]),
            current_name: "now".into(),
            previous_name: "before".into(),
        }),
        svg::line_chart(&LineChart {
            title: "One".into(),
            labels: vec!["2026-03-02".into()],
            current: vec![0.25],
            previous: None,
            current_name: "now".into(),
            previous_name: "before".into(),
        }),
        svg::line_chart(&LineChart {
            title: "Big".into(),
            labels: vec![],
            current: vec![1e300, 2.5e6, 12_345.0],
            previous: Some(vec![1.0; 10]),
            current_name: "now".into(),
            previous_name: "before".into(),
        }),
        svg::bar_chart(
            "Odd bars",
            &[
                Bar {
                    label: "a".into(),
                    value: f64::NAN,
                    value_label: "?".into(),
                },
                Bar {
                    label: "x".into(),
                    value: 2.0,
                    value_label: "2".into(),
                },
                Bar {
                    label: "y".into(),
                    value: f64::INFINITY,
                    value_label: "?".into(),
                },
            ],
        ),
    ];
    for c in &odd {
        accessible(c);
        assert!(!c.contains(svg::NO_DATA));
    }
    // 90 days of zeros but a previous period with data: the chart is drawn.
    let mut r = empty.clone();
    r.days = (0..90)
        .map(|i| Day {
            date: format!("2026-01-{:02}", i % 28 + 1),
            conversations: 0,
            engaged: 0,
            orders: 0,
            paid_orders: 0,
            revenue: None,
        })
        .collect();
    let mut p = r.clone();
    p.days[10].conversations = 4;
    let c = svg::line_chart(&LineChart::daily(DailyMetric::Conversations, &r, Some(&p)));
    accessible(&c);
    assert!(!c.contains(svg::NO_DATA));
}
