//! Human takeover: a person of the shop takes a conversation over, answers in the shopper's
//! widget while the agent pauses, and hands it back; its bad inputs and its races.

use super::*;

on_both_backends!(
    takeover_pauses_the_agent_until_the_hand_back,
    takeover_notices_speak_the_conversations_language,
    takeover_refuses_bad_input_other_keys_and_other_tenants,
    takeover_and_staff_messages_racing_the_shopper_lose_no_turn,
);

/// Limits with no per-conversation rate limit, for races.
fn unthrottled() -> Limits {
    Limits {
        conversation_rate: comptoir_server::conversations::RateLimit {
            per_second: 100_000.0,
            burst: 100_000.0,
        },
        ..Limits::default()
    }
}

async fn start_conversation(srv: &Server, pk: &str, body: Value) -> String {
    let (st, _, b) = srv
        .call(Method::POST, "/v1/conversations", Some(pk), Some(body))
        .await;
    assert_eq!(st, StatusCode::CREATED, "{b}");
    b["id"].as_str().unwrap().to_string()
}

async fn shopper(srv: &Server, pk: &str, conv: &str, body: Value) -> Value {
    let (st, _, b) = srv
        .call(
            Method::POST,
            &format!("/v1/conversations/{conv}/messages"),
            Some(pk),
            Some(body.clone()),
        )
        .await;
    assert_eq!(st, StatusCode::OK, "{body} → {b}");
    b
}

/// A staff call: `takeover`, `staff-messages` or `handback`.
async fn staff(
    srv: &Server,
    key: &str,
    conv: &str,
    what: &str,
    body: Value,
) -> (StatusCode, String, Value) {
    srv.call(
        Method::POST,
        &format!("/v1/conversations/{conv}/{what}"),
        Some(key),
        Some(body),
    )
    .await
}

async fn transcript(srv: &Server, key: &str, conv: &str) -> Value {
    let (st, _, t) = srv
        .call(
            Method::GET,
            &format!("/v1/conversations/{conv}"),
            Some(key),
            None,
        )
        .await;
    assert_eq!(st, StatusCode::OK, "{t}");
    t
}

fn turns(t: &Value) -> &Vec<Value> {
    t["turns"].as_array().unwrap()
}

fn last(t: &Value) -> &Value {
    turns(t).last().unwrap()
}

fn bottle() -> Value {
    product(
        "bottle",
        "en",
        "Steel Water Bottle",
        "Bottles",
        &["hiking"],
        json!([{"sku": "BOT-1", "options": {}, "price": "24.50", "stock": 5}]),
    )
}

async fn takeover_pauses_the_agent_until_the_hand_back(backend: &str) {
    let srv = Server::start(backend, Limits::default()).await;
    let shop = srv.shop("takeover-shop").await;
    create(&srv, &shop, bottle()).await;
    let conv = start_conversation(&srv, &shop.pk, json!({"locale": "en"})).await;

    // The agent answers, and says so.
    let b = shopper(&srv, &shop.pk, &conv, json!({"text": "hello"})).await;
    assert_eq!(b["human"], false, "{b}");
    assert!(!b["reply"]["text"].as_str().unwrap().is_empty(), "{b}");
    // The shopper asks for a person: the agent marks the conversation for a hand-over.
    shopper(
        &srv,
        &shop.pk,
        &conv,
        json!({"text": "Can I talk to a real person?"}),
    )
    .await;
    assert_eq!(transcript(&srv, &shop.sk, &conv).await["status"], "handoff");

    // Marie takes over: the shopper is told, the status says so.
    let (st, _, b) = staff(&srv, &shop.sk, &conv, "takeover", json!({"by": "Marie"})).await;
    assert_eq!(st, StatusCode::OK, "{b}");
    assert_eq!(b["id"], conv.as_str());
    assert_eq!(b["status"], "human");
    assert_eq!(b["turns"], 3, "{b}");
    let t = transcript(&srv, &shop.pk, &conv).await;
    assert_eq!(t["status"], "human");
    let notice = last(&t);
    assert_eq!(notice["seq"], 3);
    assert_eq!(
        notice["input"],
        json!({"staff": {"by": "Marie", "event": "takeover"}})
    );
    assert_eq!(
        notice["reply"],
        json!({"text": "Marie from the shop has joined the conversation.", "products": [], "quick_replies": []})
    );
    assert_eq!(notice["understanding"], Value::Null);
    assert_eq!(notice["actions"], json!([]));
    assert_eq!(notice["server_us"], 0);
    // A second click changes nothing.
    let (st, _, b) = staff(&srv, &shop.sk, &conv, "takeover", json!({"by": "Marie"})).await;
    assert_eq!(
        (st, &b["status"], &b["turns"]),
        (StatusCode::OK, &json!("human"), &json!(3))
    );

    // The shopper writes: no answer from the agent, the words wait for Marie.
    let b = shopper(
        &srv,
        &shop.pk,
        &conv,
        json!({"text": "Do you have the bottle in blue?"}),
    )
    .await;
    assert_eq!(b["human"], true, "{b}");
    assert_eq!(b["reply"]["text"], "", "{b}");
    assert_eq!(b["reply"]["products"], json!([]), "{b}");
    assert_eq!(b["understanding"]["language"], "en", "{b}");
    assert_eq!(b["cart"]["count"], 0, "{b}");
    let t = transcript(&srv, &shop.sk, &conv).await;
    let turn = last(&t);
    assert_eq!(turn["seq"], 4);
    assert_eq!(
        turn["input"],
        json!({"text": "Do you have the bottle in blue?"})
    );
    assert_eq!(turn["understanding"], Value::Null);
    assert_eq!(turn["actions"], json!([]), "the agent ran: {turn}");
    assert_eq!(turn["reply"]["text"], "");
    assert_eq!(t["status"], "human");
    // The same as a Server-Sent Event, as the widget asks.
    let res = srv
        .http
        .post(format!("{}/v1/conversations/{conv}/messages", srv.base))
        .bearer_auth(&shop.pk)
        .header("accept", "text/event-stream")
        .json(&json!({"text": "Hello?"}))
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), StatusCode::OK);
    let body = res.text().await.unwrap();
    assert!(body.starts_with("event: turn\ndata: "), "{body}");
    let ev: Value = serde_json::from_str(body["event: turn\ndata: ".len()..].trim()).unwrap();
    assert_eq!(
        (&ev["human"], &ev["reply"]["text"]),
        (&json!(true), &json!(""))
    );

    // A button still works (the shopper can buy while talking to Marie); Marie keeps the chat.
    let b = shopper(
        &srv,
        &shop.pk,
        &conv,
        json!({"action": {"type": "add_to_cart", "sku": "BOT-1", "quantity": 1}}),
    )
    .await;
    assert_eq!(b["human"], false, "{b}");
    assert_eq!(b["cart"]["count"], 1, "{b}");
    assert_eq!(transcript(&srv, &shop.sk, &conv).await["status"], "human");
    // A text after it carries the current cart.
    let b = shopper(&srv, &shop.pk, &conv, json!({"text": "Thanks"})).await;
    assert_eq!(
        (&b["human"], &b["cart"]["count"]),
        (&json!(true), &json!(1))
    );

    // Marie answers; the transcript shows who.
    let (st, _, b) = staff(
        &srv,
        &shop.sk,
        &conv,
        "staff-messages",
        json!({"by": "Marie", "text": "Yes, we have it in blue.\nShall I add it?"}),
    )
    .await;
    assert_eq!(st, StatusCode::CREATED, "{b}");
    assert_eq!(b["status"], "human");
    let seq = b["turns"].as_i64().unwrap();
    let (_, _, t) = srv
        .call(
            Method::GET,
            &format!("/v1/conversations/{conv}?after={}", seq - 1),
            Some(&shop.pk),
            None,
        )
        .await;
    assert_eq!(turns(&t).len(), 1, "{t}");
    let said = last(&t);
    assert_eq!(said["seq"], seq);
    assert_eq!(
        said["input"],
        json!({"staff": {"by": "Marie", "event": "message"}})
    );
    assert_eq!(
        said["reply"]["text"],
        "Yes, we have it in blue.\nShall I add it?"
    );
    assert_eq!(said["reply"]["products"], json!([]));
    assert_eq!(said["reply"]["quick_replies"], json!([]));

    // Hand-back: the shopper is told, the agent answers again, the hand-over mark is cleared.
    let (st, _, b) = staff(&srv, &shop.sk, &conv, "handback", json!({"by": "Marie"})).await;
    assert_eq!(st, StatusCode::OK, "{b}");
    assert_eq!(b["status"], "open");
    let t = transcript(&srv, &shop.sk, &conv).await;
    assert_eq!(t["status"], "open");
    assert_eq!(
        last(&t)["input"],
        json!({"staff": {"by": "Marie", "event": "handback"}})
    );
    assert_eq!(
        last(&t)["reply"]["text"],
        "You are back with the shop's assistant."
    );
    assert_eq!(t["cart"]["count"], 1, "the cart survives the takeover");
    let turns_before = b["turns"].clone();
    let (st, _, b) = staff(&srv, &shop.sk, &conv, "handback", json!({"by": "Marie"})).await;
    assert_eq!((st, &b["status"]), (StatusCode::OK, &json!("open")));
    assert_eq!(
        b["turns"], turns_before,
        "a second hand-back records nothing"
    );
    let b = shopper(&srv, &shop.pk, &conv, json!({"text": "show me bottles"})).await;
    assert_eq!(b["human"], false, "{b}");
    assert!(!b["reply"]["text"].as_str().unwrap().is_empty(), "{b}");
    let t = transcript(&srv, &shop.sk, &conv).await;
    assert_ne!(last(&t)["actions"], json!([]), "the agent did not run");
    assert_eq!(t["status"], "open");
    // Every turn, in order, no gap.
    let seqs: Vec<i64> = turns(&t)
        .iter()
        .map(|t| t["seq"].as_i64().unwrap())
        .collect();
    assert_eq!(seqs, (1..=seqs.len() as i64).collect::<Vec<_>>());
    // The conversation list shows the status too.
    let (_, _, list) = srv
        .call(Method::GET, "/v1/conversations", Some(&shop.sk), None)
        .await;
    assert_eq!(list["items"][0]["status"], "open", "{list}");
    srv.stop().await;
}

async fn takeover_notices_speak_the_conversations_language(backend: &str) {
    let srv = Server::start(backend, Limits::default()).await;
    // The shop speaks fr, then en.
    let shop = srv.shop("takeover-langs").await;
    for (locale, joined, back) in [
        (
            Some("de"),
            "Jonas vom Shop ist dem Gespräch beigetreten.",
            "Sie sind wieder mit dem Assistenten des Shops verbunden.",
        ),
        (
            Some("es"),
            "Jonas de la tienda se ha unido a la conversación.",
            "Vuelves a hablar con el asistente de la tienda.",
        ),
        (
            Some("it"),
            "Jonas del negozio partecipa ora alla conversazione.",
            "Sei di nuovo con l'assistente del negozio.",
        ),
        // No locale and no message yet: the shop's first language.
        (
            None,
            "Jonas de la boutique a rejoint la conversation.",
            "Vous êtes de nouveau avec l'assistant de la boutique.",
        ),
    ] {
        let body = locale.map_or(json!({}), |l| json!({"locale": l}));
        let conv = start_conversation(&srv, &shop.pk, body).await;
        let (st, _, b) = staff(&srv, &shop.sk, &conv, "takeover", json!({"by": " Jonas "})).await;
        assert_eq!(st, StatusCode::OK, "{b}");
        let t = transcript(&srv, &shop.sk, &conv).await;
        assert_eq!(last(&t)["reply"]["text"], joined, "{locale:?}");
        assert_eq!(
            last(&t)["input"]["staff"]["by"],
            "Jonas",
            "the name is trimmed"
        );
        staff(&srv, &shop.sk, &conv, "handback", json!({"by": "Jonas"})).await;
        let t = transcript(&srv, &shop.sk, &conv).await;
        assert_eq!(last(&t)["reply"]["text"], back, "{locale:?}");
    }
    srv.stop().await;
}

async fn takeover_refuses_bad_input_other_keys_and_other_tenants(backend: &str) {
    let srv = Server::start(backend, Limits::default()).await;
    let shop = srv.shop("takeover-bad").await;
    let other = srv.shop("takeover-other").await;
    let conv = start_conversation(&srv, &shop.pk, json!({"locale": "en"})).await;
    let hi = json!({"by": "Marie", "text": "Hi"});

    // Nobody took it over yet.
    let (st, ct, b) = staff(&srv, &shop.sk, &conv, "staff-messages", hi.clone()).await;
    assert_problem(st, &ct, &b, StatusCode::CONFLICT, "not_taken_over");

    // The widget's public key cannot act for the shop.
    for (what, body) in [
        ("takeover", json!({"by": "Marie"})),
        ("staff-messages", hi.clone()),
        ("handback", json!({"by": "Marie"})),
    ] {
        let (st, ct, b) = staff(&srv, &shop.pk, &conv, what, body.clone()).await;
        assert_problem(st, &ct, &b, StatusCode::FORBIDDEN, "forbidden");
        // Another shop's key does not find the conversation; an unknown id is not found.
        let (st, ct, b) = staff(&srv, &other.sk, &conv, what, body.clone()).await;
        assert_problem(st, &ct, &b, StatusCode::NOT_FOUND, "not_found");
        let (st, ct, b) = staff(&srv, &shop.sk, "conv_nope", what, body.clone()).await;
        assert_problem(st, &ct, &b, StatusCode::NOT_FOUND, "not_found");
        let long = "c".repeat(300);
        let (st, ct, b) = staff(&srv, &shop.sk, &long, what, body).await;
        assert_problem(st, &ct, &b, StatusCode::NOT_FOUND, "not_found");
    }
    let (st, _, b) = staff(&srv, &shop.sk, &conv, "takeover", json!({})).await;
    assert_eq!(st, StatusCode::UNPROCESSABLE_ENTITY, "{b}");
    for by in [
        json!(""),
        json!("   "),
        json!("x".repeat(81)),
        json!("Ma\u{7}rie"),
    ] {
        let (st, ct, b) = staff(&srv, &shop.sk, &conv, "takeover", json!({"by": by})).await;
        assert_problem(
            st,
            &ct,
            &b,
            StatusCode::UNPROCESSABLE_ENTITY,
            "validation_failed",
        );
        assert_eq!(b["errors"][0]["field"], "by", "{b}");
    }
    let (st, _, b) = staff(
        &srv,
        &shop.sk,
        &conv,
        "takeover",
        json!({"by": "Marie", "role": "admin"}),
    )
    .await;
    assert_eq!(st, StatusCode::UNPROCESSABLE_ENTITY, "unknown fields: {b}");
    let t = transcript(&srv, &shop.sk, &conv).await;
    assert_eq!((&t["status"], turns(&t).len()), (&json!("open"), 0));

    let (st, _, b) = staff(&srv, &shop.sk, &conv, "takeover", json!({"by": "Marie"})).await;
    assert_eq!(st, StatusCode::OK, "{b}");
    for text in [String::new(), " \n ".into(), "é".repeat(4001)] {
        let (st, ct, b) = staff(
            &srv,
            &shop.sk,
            &conv,
            "staff-messages",
            json!({"by": "Marie", "text": text}),
        )
        .await;
        assert_problem(
            st,
            &ct,
            &b,
            StatusCode::UNPROCESSABLE_ENTITY,
            "validation_failed",
        );
        assert_eq!(b["errors"][0]["field"], "text", "{b}");
    }
    let (st, _, b) = staff(
        &srv,
        &shop.sk,
        &conv,
        "staff-messages",
        json!({"by": "Marie", "text": "é".repeat(4000)}),
    )
    .await;
    assert_eq!(st, StatusCode::CREATED, "4000 characters are fine: {b}");

    // Markup is stored as written: rendering it as text is the widget's business.
    let script = "<script>alert(1)</script> & <img src=x onerror=alert(1)>";
    let (st, _, b) = staff(
        &srv,
        &shop.sk,
        &conv,
        "staff-messages",
        json!({"by": "<b>Marie</b>", "text": script}),
    )
    .await;
    assert_eq!(st, StatusCode::CREATED, "{b}");
    let t = transcript(&srv, &shop.pk, &conv).await;
    assert_eq!(last(&t)["reply"]["text"], script);
    assert_eq!(last(&t)["input"]["staff"]["by"], "<b>Marie</b>");
    // Nothing of it leaks to another shop.
    let (st, _, _) = srv
        .call(
            Method::GET,
            &format!("/v1/conversations/{conv}"),
            Some(&other.pk),
            None,
        )
        .await;
    assert_eq!(st, StatusCode::NOT_FOUND);

    // The OpenAPI document names the three routes.
    let (_, _, doc) = srv.call(Method::GET, "/v1/openapi.json", None, None).await;
    for p in ["takeover", "staff-messages", "handback"] {
        assert!(
            doc["paths"][format!("/v1/conversations/{{id}}/{p}")]["post"].is_object(),
            "{p} is not in the OpenAPI document"
        );
    }
    srv.stop().await;
}

async fn takeover_and_staff_messages_racing_the_shopper_lose_no_turn(backend: &str) {
    let srv = Arc::new(Server::start(backend, unthrottled()).await);
    let shop = srv.shop("takeover-race").await;
    let conv = start_conversation(&srv, &shop.pk, json!({"locale": "en"})).await;

    // Round 1: the takeover lands somewhere among 20 shopper messages. Before it the agent
    // answers; after it nobody does.
    // Round 2: a staff message among 20 more.
    for round in ["takeover", "staff-messages"] {
        let mut tasks = Vec::new();
        for i in 0..20 {
            let (s, pk, c) = (srv.clone(), shop.pk.clone(), conv.clone());
            tasks.push(tokio::spawn(async move {
                let (st, _, b) = s
                    .call(
                        Method::POST,
                        &format!("/v1/conversations/{c}/messages"),
                        Some(&pk),
                        Some(json!({"text": format!("{round} message {i}")})),
                    )
                    .await;
                (st, b)
            }));
            if i == 10 {
                let (srv, sk, conv) = (srv.clone(), shop.sk.clone(), conv.clone());
                tasks.push(tokio::spawn(async move {
                    let (st, _, b) = staff(
                        &srv,
                        &sk,
                        &conv,
                        round,
                        if round == "takeover" {
                            json!({"by": "Marie"})
                        } else {
                            json!({"by": "Marie", "text": "One moment please"})
                        },
                    )
                    .await;
                    (st, b)
                }));
            }
        }
        for t in tasks {
            let (st, b) = t.await.unwrap();
            assert!(st.is_success(), "{round}: {st} {b}");
        }
    }
    let t = transcript(&srv, &shop.sk, &conv).await;
    let all = turns(&t);
    assert_eq!(all.len(), 42, "a turn was lost");
    let seqs: Vec<i64> = all.iter().map(|t| t["seq"].as_i64().unwrap()).collect();
    assert_eq!(
        seqs,
        (1..=42).collect::<Vec<_>>(),
        "seqs are not contiguous"
    );
    let staff_events: Vec<&Value> = all
        .iter()
        .filter_map(|t| t["input"]["staff"]["event"].as_str().map(|_| t))
        .collect();
    assert_eq!(staff_events.len(), 2);
    assert_eq!(staff_events[0]["input"]["staff"]["event"], "takeover");
    assert_eq!(staff_events[1]["input"]["staff"]["event"], "message");
    let taken = staff_events[0]["seq"].as_i64().unwrap();
    for turn in all.iter().filter(|t| t["input"]["text"].is_string()) {
        let by_agent = turn["actions"] != json!([]) || turn["understanding"].is_object();
        assert_eq!(
            by_agent,
            turn["seq"].as_i64().unwrap() < taken,
            "turn {} (takeover at {taken}): {turn}",
            turn["seq"]
        );
    }
    assert_eq!(t["status"], "human");
    if let Ok(srv) = Arc::try_unwrap(srv) {
        srv.stop().await;
    }
}
