//! The conversation API's contract and its bad inputs: unknown and foreign conversations,
//! huge messages, floods, impossible actions, empty and repeated checkouts, and concurrent
//! checkouts that must never oversell.

use super::*;

/// Limits with no per-conversation rate limit, for tests that send many messages quickly.
fn unthrottled() -> Limits {
    Limits {
        conversation_rate: comptoir_server::conversations::RateLimit {
            per_second: 100_000.0,
            burst: 100_000.0,
        },
        ..Limits::default()
    }
}

/// The size of a conversation's stored state, in bytes.
async fn state_size(srv: &Server, slug: &str, id: &str) -> usize {
    let t = srv.store.tenant_by_slug(slug).await.unwrap().unwrap();
    srv.store
        .conversation(&t.id, id)
        .await
        .unwrap()
        .unwrap()
        .state
        .len()
}

on_both_backends!(
    conversation_api_contract_and_bad_input,
    checkout_is_idempotent_and_orders_are_readable_with_the_secret_key,
    concurrent_checkouts_never_oversell,
    a_flood_from_one_conversation_is_rate_limited,
    settings_templates_widget_and_reservation_expiry,
    a_long_conversation_keeps_a_bounded_state,
    appointments_are_booked_once_and_quotes_are_priced_from_the_catalogue,
    clients_that_hang_up_mid_turn_leave_no_transaction_open,
);

async fn new_conversation(srv: &Server, key: &str, locale: &str) -> String {
    let (st, _, b) = srv
        .call(
            Method::POST,
            "/v1/conversations",
            Some(key),
            Some(json!({ "locale": locale })),
        )
        .await;
    assert_eq!(st, StatusCode::CREATED, "{b}");
    let id = b["id"].as_str().unwrap().to_string();
    assert!(id.starts_with("conv_") && id.len() > 20, "{id}");
    id
}

async fn send(srv: &Server, key: &str, conv: &str, body: Value) -> (StatusCode, String, Value) {
    srv.call(
        Method::POST,
        &format!("/v1/conversations/{conv}/messages"),
        Some(key),
        Some(body),
    )
    .await
}

async fn say(srv: &Server, key: &str, conv: &str, body: Value) -> Value {
    let (st, _, b) = send(srv, key, conv, body.clone()).await;
    assert_eq!(st, StatusCode::OK, "{body} → {b}");
    b
}

fn bottle(stock: i64) -> Value {
    product(
        "bottle",
        "en",
        "Steel Water Bottle",
        "Bottles",
        &["hiking"],
        json!([{"sku": "BOT-1", "options": {}, "price": "24.50", "stock": stock}]),
    )
}

fn customer() -> Value {
    json!({"name": "Ada Lovelace", "email": "ada@example.com", "address": "1 Rue de Rivoli, 75001 Paris"})
}

async fn conversation_api_contract_and_bad_input(backend: &str) {
    let srv = Server::start(backend, Limits::default()).await;
    let shop = srv.shop("conv-shop").await;
    let other = srv.shop("conv-other").await;
    create(&srv, &shop, bottle(5)).await;
    let conv = new_conversation(&srv, &shop.pk, "en").await;

    // An empty body starts a conversation too; a bad locale or channel is refused.
    let (st, _) = srv
        .raw(
            Method::POST,
            "/v1/conversations",
            &shop.pk,
            "application/json",
            Vec::new(),
        )
        .await;
    assert_eq!(st, StatusCode::CREATED);
    let (st, ct, b) = srv
        .call(
            Method::POST,
            "/v1/conversations",
            Some(&shop.pk),
            Some(json!({"locale": "klingon"})),
        )
        .await;
    assert_problem(
        st,
        &ct,
        &b,
        StatusCode::UNPROCESSABLE_ENTITY,
        "validation_failed",
    );

    // The reply's shape (PRODUCT.md).
    let b = say(
        &srv,
        &shop.pk,
        &conv,
        json!({"text": "Do you have a water bottle?"}),
    )
    .await;
    assert!(b["reply"]["text"].as_str().unwrap().len() > 5, "{b}");
    assert_eq!(b["reply"]["products"][0]["sku"], "BOT-1", "{b}");
    assert_eq!(b["reply"]["products"][0]["price"], "24.5");
    assert_eq!(b["reply"]["products"][0]["currency"], "EUR");
    assert_eq!(b["reply"]["products"][0]["in_stock"], true);
    assert!(b["reply"]["quick_replies"].is_array());
    assert_eq!(b["understanding"]["language"], "en");
    assert_eq!(b["understanding"]["intent"], "product_search");
    assert!(b["understanding"]["confidence"].as_f64().unwrap() > 0.0);
    assert_eq!(b["cart"]["items"], json!([]));
    assert_eq!(b["cart"]["currency"], "EUR");

    // An action: the cart in the reply, with the unit price from the catalogue.
    let b = say(
        &srv,
        &shop.pk,
        &conv,
        json!({"action": {"type": "add_to_cart", "sku": "BOT-1", "quantity": 2}}),
    )
    .await;
    assert_eq!(b["cart"]["items"][0]["sku"], "BOT-1", "{b}");
    assert_eq!(b["cart"]["items"][0]["quantity"], 2);
    assert_eq!(b["cart"]["items"][0]["unit_price"], "24.5");
    assert_eq!(b["cart"]["total"], "49");
    assert_eq!(b["understanding"]["intent"], "add_to_cart");

    // Server-Sent Events on request, the same turn object inside.
    let res = srv
        .http
        .post(format!("{}/v1/conversations/{conv}/messages", srv.base))
        .bearer_auth(&shop.pk)
        .header("accept", "text/event-stream")
        .json(&json!({"action": {"type": "view_cart"}}))
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), StatusCode::OK);
    assert_eq!(res.headers()["content-type"], "text/event-stream");
    let text = res.text().await.unwrap();
    let data = text
        .strip_prefix("event: turn\ndata: ")
        .and_then(|t| t.strip_suffix("\n\n"))
        .unwrap_or_else(|| panic!("not one SSE turn event: {text}"));
    let turn: Value = serde_json::from_str(data).unwrap();
    assert_eq!(turn["cart"]["count"], 2);

    // The transcript: every turn with its understanding, actions, reply and timing.
    let (st, _, t) = srv
        .call(
            Method::GET,
            &format!("/v1/conversations/{conv}"),
            Some(&shop.pk),
            None,
        )
        .await;
    assert_eq!(st, StatusCode::OK, "{t}");
    let turns = t["turns"].as_array().unwrap();
    assert_eq!(turns.len(), 3, "{t}");
    assert_eq!(turns[0]["input"]["text"], "Do you have a water bottle?");
    assert_eq!(turns[0]["understanding"]["intent"], "product_search");
    assert!(
        turns[0]["actions"]
            .as_array()
            .unwrap()
            .iter()
            .any(|a| a["tool"] == "search_products"),
        "{t}"
    );
    assert!(turns[0]["server_us"].as_i64().unwrap() > 0);
    assert_eq!(turns[1]["input"]["action"]["type"], "add_to_cart");
    assert_eq!(t["cart"]["count"], 2);
    assert_eq!(t["status"], "open");

    // Unknown ids and other tenants' conversations do not exist.
    for path in [
        "/v1/conversations/conv_nope",
        "/v1/conversations/conv_nope/messages",
    ] {
        let method = if path.ends_with("messages") {
            Method::POST
        } else {
            Method::GET
        };
        let (st, ct, b) = srv
            .call(method, path, Some(&shop.pk), Some(json!({"text": "hi"})))
            .await;
        assert_problem(st, &ct, &b, StatusCode::NOT_FOUND, "not_found");
    }
    let (st, ct, b) = send(&srv, &other.pk, &conv, json!({"text": "hi"})).await;
    assert_problem(st, &ct, &b, StatusCode::NOT_FOUND, "not_found");
    let (st, ct, b) = srv
        .call(
            Method::GET,
            &format!("/v1/conversations/{conv}"),
            Some(&other.sk),
            None,
        )
        .await;
    assert_problem(st, &ct, &b, StatusCode::NOT_FOUND, "not_found");

    // Huge messages: a 1 MB body, a text over the message limit.
    let huge = "a".repeat(1024 * 1024);
    let (st, ct, b) = send(&srv, &shop.pk, &conv, json!({ "text": huge })).await;
    assert_problem(
        st,
        &ct,
        &b,
        StatusCode::PAYLOAD_TOO_LARGE,
        "payload_too_large",
    );
    let (st, ct, b) = send(&srv, &shop.pk, &conv, json!({ "text": "é".repeat(3000) })).await;
    assert_problem(
        st,
        &ct,
        &b,
        StatusCode::PAYLOAD_TOO_LARGE,
        "payload_too_large",
    );

    // Malformed messages and impossible actions are refused and change nothing.
    for (body, why) in [
        (json!({}), "neither text nor action"),
        (
            json!({"text": "hi", "action": {"type": "view_cart"}}),
            "both",
        ),
        (json!({"action": {"type": "teleport"}}), "unknown action"),
        (
            json!({"action": {"type": "add_to_cart", "sku": "NOPE", "quantity": 1}}),
            "unknown sku",
        ),
        (
            json!({"action": {"type": "add_to_cart", "sku": "BOT-1", "quantity": -3}}),
            "negative quantity",
        ),
        (
            json!({"action": {"type": "add_to_cart", "sku": "BOT-1", "quantity": 0}}),
            "zero quantity",
        ),
        (
            json!({"action": {"type": "add_to_cart", "sku": "BOT-1", "quantity": 1000000}}),
            "huge quantity",
        ),
        (
            json!({"action": {"type": "remove_from_cart", "sku": "NOPE"}}),
            "unknown sku removed",
        ),
        (
            json!({"action": {"type": "update_cart", "sku": "BOT-1", "quantity": -1}}),
            "negative update",
        ),
        (
            json!({"action": {"type": "checkout", "customer": {"email": "not-an-email"}}}),
            "bad email",
        ),
        (
            json!({"action": {"type": "checkout", "payment_method": "bitcoin"}}),
            "unknown payment method",
        ),
        (json!({"text": 42}), "text not a string"),
    ] {
        let (st, ct, b) = send(&srv, &shop.pk, &conv, body).await;
        assert_eq!(ct, "application/problem+json", "{why}: {b}");
        assert_eq!(st, StatusCode::UNPROCESSABLE_ENTITY, "{why}: {b}");
    }
    let (_, _, t) = srv
        .call(
            Method::GET,
            &format!("/v1/conversations/{conv}"),
            Some(&shop.pk),
            None,
        )
        .await;
    assert_eq!(
        t["turns"].as_array().unwrap().len(),
        3,
        "refused messages leave no turn"
    );
    assert_eq!(t["cart"]["count"], 2, "refused actions leave the cart: {t}");

    // Hostile text is just text: no markup interpreted, the reply is still an answer.
    let b = say(
        &srv,
        &shop.pk,
        &conv,
        json!({"text": "<script>alert(1)</script> ' OR 1=1 --"}),
    )
    .await;
    assert!(
        !b["reply"]["text"].as_str().unwrap().contains("<script>"),
        "{b}"
    );

    // An emptied cart cannot be checked out.
    let fresh = new_conversation(&srv, &shop.pk, "fr").await;
    say(
        &srv,
        &shop.pk,
        &fresh,
        json!({"action": {"type": "add_to_cart", "sku": "BOT-1"}}),
    )
    .await;
    say(
        &srv,
        &shop.pk,
        &fresh,
        json!({"action": {"type": "remove_from_cart", "sku": "BOT-1"}}),
    )
    .await;
    let (st, ct, b) = send(
        &srv,
        &shop.pk,
        &fresh,
        json!({"action": {"type": "checkout", "customer": customer()}}),
    )
    .await;
    assert_problem(st, &ct, &b, StatusCode::CONFLICT, "cart_empty");
    srv.stop().await;
}

async fn checkout_is_idempotent_and_orders_are_readable_with_the_secret_key(backend: &str) {
    let srv = Server::start(backend, Limits::default()).await;
    let shop = srv.shop("checkout-shop").await;
    let other = srv.shop("checkout-other").await;
    let pid = create(&srv, &shop, bottle(5)).await;
    let conv = new_conversation(&srv, &shop.pk, "en").await;
    say(
        &srv,
        &shop.pk,
        &conv,
        json!({"action": {"type": "add_to_cart", "sku": "BOT-1", "quantity": 2}}),
    )
    .await;

    // Checkout without details: the agent asks for what it lacks, with a form.
    let b = say(
        &srv,
        &shop.pk,
        &conv,
        json!({"action": {"type": "checkout"}}),
    )
    .await;
    let fields = b["reply"]["form"]["fields"]
        .as_array()
        .unwrap_or_else(|| panic!("{b}"));
    for f in ["name", "email", "address"] {
        assert!(fields.iter().any(|x| x == f), "{f} in {b}");
    }
    assert!(b["reply"]["order"].is_null());

    // With them, the order is placed at once; a double click returns the same order.
    let checkout =
        json!({"action": {"type": "checkout", "customer": customer(), "payment_method": "manual"}});
    let (a, b2) = tokio::join!(
        send(&srv, &shop.pk, &conv, checkout.clone()),
        send(&srv, &shop.pk, &conv, checkout.clone())
    );
    assert_eq!(a.0, StatusCode::OK, "{}", a.2);
    assert_eq!(b2.0, StatusCode::OK, "{}", b2.2);
    let id = a.2["reply"]["order"]["id"]
        .as_str()
        .unwrap_or_else(|| panic!("{}", a.2))
        .to_string();
    assert!(id.starts_with("ord_"));
    assert_eq!(b2.2["reply"]["order"]["id"], id.as_str(), "{}", b2.2);
    assert_eq!(a.2["reply"]["order"]["total"], "49");
    assert_eq!(a.2["reply"]["order"]["status"], "awaiting_payment");
    assert!(a.2["reply"]["order"]["payment_instructions"]
        .as_str()
        .unwrap()
        .contains(&id));
    assert_eq!(a.2["cart"]["count"], 0);
    let again = say(&srv, &shop.pk, &conv, checkout.clone()).await;
    assert_eq!(again["reply"]["order"]["id"], id.as_str());

    // One order, one reservation.
    let (st, _, list) = srv
        .call(Method::GET, "/v1/orders", Some(&shop.sk), None)
        .await;
    assert_eq!(st, StatusCode::OK, "{list}");
    assert_eq!(list["items"].as_array().unwrap().len(), 1, "{list}");
    let (_, _, p) = srv
        .call(
            Method::GET,
            &format!("/v1/products/{pid}"),
            Some(&shop.sk),
            None,
        )
        .await;
    assert_eq!(p["variants"][0]["stock"], 3, "{p}");
    let (st, _, o) = srv
        .call(
            Method::GET,
            &format!("/v1/orders/{id}"),
            Some(&shop.sk),
            None,
        )
        .await;
    assert_eq!(st, StatusCode::OK);
    assert_eq!(
        o["lines"],
        json!([{"product_id": pid, "sku": "BOT-1", "quantity": 2, "unit_price": "24.5", "currency": "EUR"}])
    );
    assert_eq!(o["customer"]["email"], "ada@example.com");
    assert_eq!(o["conversation_id"], conv.as_str());
    assert!(o["expires_at"].as_str().is_some());

    // Orders are the merchant's: not with the public key, not for another tenant.
    let (st, ct, b) = srv
        .call(Method::GET, "/v1/orders", Some(&shop.pk), None)
        .await;
    assert_problem(st, &ct, &b, StatusCode::FORBIDDEN, "forbidden");
    let (st, ct, b) = srv
        .call(
            Method::GET,
            &format!("/v1/orders/{id}"),
            Some(&other.sk),
            None,
        )
        .await;
    assert_problem(st, &ct, &b, StatusCode::NOT_FOUND, "not_found");

    // Order status answers from the real order.
    let b = say(&srv, &shop.pk, &conv, json!({"text": "Where is my order?"})).await;
    assert_eq!(b["reply"]["order"]["id"], id.as_str(), "{b}");
    assert!(b["reply"]["text"].as_str().unwrap().contains(&id), "{b}");

    // The merchant marks it paid, then cancels: the stock comes back.
    let (st, _, o) = srv
        .call(
            Method::PATCH,
            &format!("/v1/orders/{id}"),
            Some(&shop.sk),
            Some(json!({"status": "paid"})),
        )
        .await;
    assert_eq!(
        (st, o["status"].as_str()),
        (StatusCode::OK, Some("paid")),
        "{o}"
    );
    let (st, ct, b) = srv
        .call(
            Method::PATCH,
            &format!("/v1/orders/{id}"),
            Some(&shop.sk),
            Some(json!({"status": "expired"})),
        )
        .await;
    assert_problem(
        st,
        &ct,
        &b,
        StatusCode::UNPROCESSABLE_ENTITY,
        "validation_failed",
    );
    srv.call(
        Method::PATCH,
        &format!("/v1/orders/{id}"),
        Some(&shop.sk),
        Some(json!({"status": "cancelled"})),
    )
    .await;
    let (_, _, p) = srv
        .call(
            Method::GET,
            &format!("/v1/products/{pid}"),
            Some(&shop.sk),
            None,
        )
        .await;
    assert_eq!(p["variants"][0]["stock"], 5, "{p}");
    srv.stop().await;
}

/// 200 shoppers check out at once the last 10 units: exactly 10 orders, never more.
async fn concurrent_checkouts_never_oversell(backend: &str) {
    let srv = Arc::new(Server::start(backend, Limits::default()).await);
    let shop = srv.shop("rush-shop").await;
    let pid = create(&srv, &shop, bottle(10)).await;
    let mut convs = Vec::new();
    for _ in 0..200 {
        let c = new_conversation(&srv, &shop.pk, "en").await;
        say(
            &srv,
            &shop.pk,
            &c,
            json!({"action": {"type": "add_to_cart", "sku": "BOT-1"}}),
        )
        .await;
        convs.push(c);
    }
    let mut tasks = Vec::new();
    for c in convs {
        let (srv, pk) = (srv.clone(), shop.pk.clone());
        tasks.push(tokio::spawn(async move {
            send(
                &srv,
                &pk,
                &c,
                json!({"action": {"type": "checkout", "customer": customer()}}),
            )
            .await
        }));
    }
    let mut placed = 0;
    for t in tasks {
        let (st, _, b) = t.await.unwrap();
        assert_eq!(st, StatusCode::OK, "{b}");
        if b["reply"]["order"]["id"]
            .as_str()
            .is_some_and(|i| i.starts_with("ord_"))
        {
            placed += 1;
        } else {
            // Too late: told so, and the cart follows the stock.
            assert_eq!(b["cart"]["count"], 0, "{b}");
        }
    }
    assert_eq!(placed, 10);
    let (_, _, list) = srv
        .call(Method::GET, "/v1/orders?limit=200", Some(&shop.sk), None)
        .await;
    assert_eq!(list["items"].as_array().unwrap().len(), 10);
    let (_, _, p) = srv
        .call(
            Method::GET,
            &format!("/v1/products/{pid}"),
            Some(&shop.sk),
            None,
        )
        .await;
    assert_eq!(p["variants"][0]["stock"], 0, "{p}");
    if let Ok(srv) = Arc::try_unwrap(srv) {
        srv.stop().await;
    }
}

async fn a_flood_from_one_conversation_is_rate_limited(backend: &str) {
    let srv = Arc::new(Server::start(backend, Limits::default()).await);
    let shop = srv.shop("flood-shop").await;
    let conv = new_conversation(&srv, &shop.pk, "en").await;
    // 50 messages in well under a second.
    let mut tasks = Vec::new();
    for i in 0..50 {
        let (srv, pk, conv) = (srv.clone(), shop.pk.clone(), conv.clone());
        tasks.push(tokio::spawn(async move {
            srv.http
                .post(format!("{}/v1/conversations/{conv}/messages", srv.base))
                .bearer_auth(&pk)
                .json(&json!({"text": format!("hello {i}")}))
                .send()
                .await
                .unwrap()
        }));
    }
    let (mut ok, mut limited) = (0, 0);
    for t in tasks {
        let res = t.await.unwrap();
        match res.status() {
            StatusCode::OK => ok += 1,
            StatusCode::TOO_MANY_REQUESTS => {
                let wait: u64 = res.headers()["retry-after"]
                    .to_str()
                    .unwrap()
                    .parse()
                    .unwrap();
                assert!((1..=60).contains(&wait));
                let b: Value = res.json().await.unwrap();
                assert_eq!(b["code"], "rate_limited");
                limited += 1;
            }
            other => panic!("unexpected {other}"),
        }
    }
    assert!(ok >= 1 && limited >= 20, "ok {ok}, limited {limited}");
    // Another conversation of the same shop is not held back.
    let other = new_conversation(&srv, &shop.pk, "en").await;
    let (st, _, _) = send(&srv, &shop.pk, &other, json!({"text": "hello"})).await;
    assert_eq!(st, StatusCode::OK);
    // The refused messages left no turn.
    let (_, _, t) = srv
        .call(
            Method::GET,
            &format!("/v1/conversations/{conv}"),
            Some(&shop.pk),
            None,
        )
        .await;
    assert_eq!(t["turns"].as_array().unwrap().len(), ok);
    if let Ok(srv) = Arc::try_unwrap(srv) {
        srv.stop().await;
    }
}

async fn settings_templates_widget_and_reservation_expiry(backend: &str) {
    let srv = Server::start(backend, Limits::default()).await;
    let shop = srv.shop("settings-shop").await;
    let pid = create(&srv, &shop, bottle(4)).await;

    // The built-in templates, listed and readable as TOML to copy.
    let (st, _, list) = srv
        .call(Method::GET, "/v1/templates", Some(&shop.sk), None)
        .await;
    assert_eq!(st, StatusCode::OK);
    let ids: Vec<&str> = list
        .as_array()
        .unwrap()
        .iter()
        .map(|t| t["id"].as_str().unwrap())
        .collect();
    for id in [
        "general",
        "fashion",
        "electronics",
        "home",
        "beauty",
        "services",
        "saas",
    ] {
        assert!(ids.contains(&id), "{id} in {ids:?}");
    }
    let res = srv
        .http
        .get(format!("{}/v1/templates/services", srv.base))
        .bearer_auth(&shop.sk)
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), StatusCode::OK);
    assert!(res.text().await.unwrap().contains("[appointment]"));

    // Settings: defaults, then the merchant's; bad values refused; public keys may not.
    let (st, _, cur) = srv
        .call(Method::GET, "/v1/tenant/settings", Some(&shop.sk), None)
        .await;
    assert_eq!(st, StatusCode::OK);
    assert_eq!(cur["template"], "general");
    let mine = json!({"template": "fashion", "widget": {"name": "Lou", "color": "#aa3300", "welcome": "Salut !"}, "reservation_minutes": 1, "payment_instructions": "Virement sur FR76 1234", "faq": {"shipping": {"fr": "Livraison par coursier à vélo sous 24 h."}}});
    let (st, _, b) = srv
        .call(
            Method::PUT,
            "/v1/tenant/settings",
            Some(&shop.sk),
            Some(mine.clone()),
        )
        .await;
    assert_eq!(st, StatusCode::OK, "{b}");
    for (bad, field) in [
        (json!({"template": "nope"}), "template"),
        (json!({"widget": {"color": "red"}}), "widget.color"),
        (
            json!({"widget": {"avatar_url": "javascript:alert(1)"}}),
            "widget.avatar_url",
        ),
        (json!({"reservation_minutes": 0}), "reservation_minutes"),
        (json!({"colour": "#fff"}), ""),
    ] {
        let (st, ct, b) = srv
            .call(
                Method::PUT,
                "/v1/tenant/settings",
                Some(&shop.sk),
                Some(bad),
            )
            .await;
        assert_problem(
            st,
            &ct,
            &b,
            StatusCode::UNPROCESSABLE_ENTITY,
            "validation_failed",
        );
        assert!(b["detail"].as_str().unwrap().contains(field), "{b}");
    }
    let (st, ct, b) = srv
        .call(
            Method::PUT,
            "/v1/tenant/settings",
            Some(&shop.pk),
            Some(mine),
        )
        .await;
    assert_problem(st, &ct, &b, StatusCode::FORBIDDEN, "forbidden");

    // PATCH changes only what it names; null resets a field to its default.
    let (st, _, b) = srv
        .call(
            Method::PATCH,
            "/v1/tenant/settings",
            Some(&shop.sk),
            Some(json!({"widget": {"color": "#123456"}, "payment_instructions": null})),
        )
        .await;
    assert_eq!(st, StatusCode::OK, "{b}");
    assert_eq!(
        (
            b["widget"]["color"].as_str(),
            b["widget"]["name"].as_str(),
            b["template"].as_str()
        ),
        (Some("#123456"), Some("Lou"), Some("fashion"))
    );
    assert!(b["payment_instructions"].is_null());
    let (st, ct, b) = srv
        .call(
            Method::PATCH,
            "/v1/tenant/settings",
            Some(&shop.sk),
            Some(json!({"widget": {"color": "blue"}})),
        )
        .await;
    assert_problem(
        st,
        &ct,
        &b,
        StatusCode::UNPROCESSABLE_ENTITY,
        "validation_failed",
    );
    srv.call(
        Method::PATCH,
        "/v1/tenant/settings",
        Some(&shop.sk),
        Some(json!({"widget": {"color": "#aa3300"}, "payment_instructions": "Virement sur FR76 1234"})),
    )
    .await;

    // A key revoked by another process (here: straight in the database) stops working within
    // the key cache's life.
    let (_, _, _) = srv
        .call(Method::GET, "/v1/widget/config", Some(&shop.pk), None)
        .await;
    let extra = NewApiKey::generate(
        &srv.store
            .tenant_by_slug("settings-shop")
            .await
            .unwrap()
            .unwrap()
            .id,
        KeyKind::Public,
        "extra",
    );
    srv.store.insert_api_key(&extra).await.unwrap();
    let (st, _, _) = srv
        .call(Method::GET, "/v1/widget/config", Some(&extra.token), None)
        .await;
    assert_eq!(st, StatusCode::OK);
    srv.store
        .revoke_api_key(&extra.key.tenant_id, &extra.key.id)
        .await
        .unwrap();
    tokio::time::sleep(comptoir_server::auth::KEY_TTL + std::time::Duration::from_millis(100))
        .await;
    let (st, ct, b) = srv
        .call(Method::GET, "/v1/widget/config", Some(&extra.token), None)
        .await;
    assert_problem(st, &ct, &b, StatusCode::UNAUTHORIZED, "unauthorized");

    // The widget reads its look with the public key.
    let (st, _, w) = srv
        .call(
            Method::GET,
            "/v1/widget/config?lang=fr",
            Some(&shop.pk),
            None,
        )
        .await;
    assert_eq!(st, StatusCode::OK, "{w}");
    assert_eq!(
        (
            w["name"].as_str(),
            w["color"].as_str(),
            w["welcome"].as_str()
        ),
        (Some("Lou"), Some("#aa3300"), Some("Salut !"))
    );
    assert_eq!(w["locale"], "fr");

    // An unpaid order holds its stock for the merchant's reservation time, then gives it back.
    let conv = new_conversation(&srv, &shop.pk, "fr").await;
    say(
        &srv,
        &shop.pk,
        &conv,
        json!({"action": {"type": "add_to_cart", "sku": "BOT-1", "quantity": 3}}),
    )
    .await;
    let b = say(
        &srv,
        &shop.pk,
        &conv,
        json!({"action": {"type": "checkout", "customer": customer()}}),
    )
    .await;
    let id = b["reply"]["order"]["id"].as_str().unwrap().to_string();
    assert!(
        b["reply"]["text"].as_str().unwrap().contains("FR76 1234"),
        "the merchant's payment words: {b}"
    );
    let (_, _, p) = srv
        .call(
            Method::GET,
            &format!("/v1/products/{pid}"),
            Some(&shop.sk),
            None,
        )
        .await;
    assert_eq!(p["variants"][0]["stock"], 1);
    let now = comptoir_domain::now_ms();
    assert_eq!(srv.store.expire_orders(now).await.unwrap(), 0, "not yet");
    assert_eq!(srv.store.expire_orders(now + 61_000).await.unwrap(), 1);
    let (_, _, o) = srv
        .call(
            Method::GET,
            &format!("/v1/orders/{id}"),
            Some(&shop.sk),
            None,
        )
        .await;
    assert_eq!(o["status"], "expired");
    let (_, _, p) = srv
        .call(
            Method::GET,
            &format!("/v1/products/{pid}"),
            Some(&shop.sk),
            None,
        )
        .await;
    assert_eq!(p["variants"][0]["stock"], 4);
    let b = say(
        &srv,
        &shop.pk,
        &conv,
        json!({"text": "Où en est ma commande ?"}),
    )
    .await;
    assert_eq!(b["reply"]["order"]["status"], "expired", "{b}");
    // A repeated checkout never re-announces an order that is over.
    let b = say(
        &srv,
        &shop.pk,
        &conv,
        json!({"action": {"type": "checkout"}}),
    )
    .await;
    assert!(b["reply"]["order"].is_null(), "{b}");
    assert_eq!(b["cart"]["count"], 0);
    // The merchant's own FAQ answer replaces the template's default.
    let b = say(
        &srv,
        &shop.pk,
        &conv,
        json!({"text": "Quels sont vos délais de livraison ?"}),
    )
    .await;
    assert!(
        b["reply"]["text"].as_str().unwrap().contains("coursier"),
        "{b}"
    );
    srv.stop().await;
}

/// 500 turns cost no more state than a few: the state is bounded, turns live apart.
async fn a_long_conversation_keeps_a_bounded_state(backend: &str) {
    let limits = unthrottled();
    let srv = Server::start(backend, limits).await;
    let shop = srv.shop("long-shop").await;
    create(&srv, &shop, bottle(1000)).await;
    for i in 0..12 {
        create(&srv, &shop, product(&format!("cap-{i}"), "en", &format!("Cotton Cap model {i}"), "Caps", &["summer"], json!([
            {"sku": format!("CAP-{i}-S"), "options": {"size": "S"}, "price": format!("{}", 10 + i), "stock": 50},
            {"sku": format!("CAP-{i}-L"), "options": {"size": "L"}, "price": format!("{}", 10 + i), "stock": 50}
        ]))).await;
    }
    let conv = new_conversation(&srv, &shop.pk, "en").await;
    let script = [
        json!({"text": "I'm looking for a cap"}),
        json!({"text": "add the third one"}),
        json!({"text": "my email is ada@example.com"}),
        json!({"action": {"type": "add_to_cart", "sku": "BOT-1", "quantity": 1}}),
        json!({"text": "show me the cart"}),
        json!({"text": "something cheaper"}),
        json!({"action": {"type": "remove_from_cart", "sku": "BOT-1"}}),
        json!({"text": "what about shipping?"}),
        json!({"text": "no thanks"}),
        json!({"text": "blue please, size L, under 30 euros"}),
    ];
    let mut sizes = Vec::new();
    for turn in 0..500 {
        say(&srv, &shop.pk, &conv, script[turn % script.len()].clone()).await;
        if turn == 9 || turn == 499 {
            let c = state_size(&srv, "long-shop", &conv).await;
            sizes.push(c);
        }
    }
    let (after_10, after_500) = (sizes[0], sizes[1]);
    assert!(after_500 < 16 * 1024, "state of {after_500} bytes");
    assert!(
        after_500 <= after_10 * 2,
        "state grew from {after_10} to {after_500} bytes"
    );
    let (_, _, t) = srv
        .call(
            Method::GET,
            &format!("/v1/conversations/{conv}"),
            Some(&shop.pk),
            None,
        )
        .await;
    assert_eq!(t["turns"].as_array().unwrap().len(), 500);
    srv.stop().await;
}

async fn appointments_are_booked_once_and_quotes_are_priced_from_the_catalogue(backend: &str) {
    use chrono::{Datelike, Duration, Utc, Weekday};
    let srv = Arc::new(Server::start(backend, Limits::default()).await);
    let shop = srv.shop("salon").await;
    create(&srv, &shop, bottle(5)).await;
    let (st, _, b) = srv
        .call(
            Method::PUT,
            "/v1/tenant/settings",
            Some(&shop.sk),
            Some(json!({"template": "services"})),
        )
        .await;
    assert_eq!(st, StatusCode::OK, "{b}");

    // A weekday at least two days ahead, 10:00 in the salon's zone (services: Mon–Fri 9–18).
    let mut day = (Utc::now() + Duration::days(2)).date_naive();
    while matches!(day.weekday(), Weekday::Sat | Weekday::Sun) {
        day += Duration::days(1);
    }
    let slot = format!("slot:{}T10:00", day.format("%Y-%m-%d"));

    // Two shoppers want the same slot at the same moment: one gets it.
    let a = new_conversation(&srv, &shop.pk, "en").await;
    let b = new_conversation(&srv, &shop.pk, "en").await;
    let asks = say(
        &srv,
        &shop.pk,
        &a,
        json!({"text": "I'd like to book an appointment"}),
    )
    .await;
    assert_eq!(
        asks["understanding"]["intent"], "book_appointment",
        "{asks}"
    );
    assert!(
        asks["reply"]["text"].as_str().unwrap().contains(':'),
        "free slots offered: {asks}"
    );
    let pick = json!({"action": {"type": "quick_reply", "payload": slot}});
    let (ra, rb) = tokio::join!(
        send(&srv, &shop.pk, &a, pick.clone()),
        send(&srv, &shop.pk, &b, pick.clone())
    );
    let booked = [&ra.2, &rb.2]
        .iter()
        .filter(|r| r["reply"]["form"]["kind"] == "appointment")
        .count();
    assert_eq!(booked, 1, "{} / {}", ra.2, rb.2);
    let t = srv.store.tenant_by_slug("salon").await.unwrap().unwrap();
    let all = srv.store.appointments(&t.id, 0, i64::MAX).await.unwrap();
    assert_eq!(all.len(), 1);
    // The winner leaves contact details; the appointment gets them.
    let winner = if ra.2["reply"]["form"]["kind"] == "appointment" {
        &a
    } else {
        &b
    };
    say(&srv, &shop.pk, winner, json!({"text": "ada@example.com"})).await;
    let all = srv.store.appointments(&t.id, 0, i64::MAX).await.unwrap();
    assert_eq!(all[0].email.as_deref(), Some("ada@example.com"));

    // A quote for a named product and quantity, priced from the catalogue, kept as a lead.
    let q = new_conversation(&srv, &shop.pk, "en").await;
    let r = say(
        &srv,
        &shop.pk,
        &q,
        json!({"text": "Can I get a quote for 3 steel water bottles?"}),
    )
    .await;
    assert_eq!(r["understanding"]["intent"], "request_quote", "{r}");
    assert!(
        r["reply"]["text"].as_str().unwrap().contains("73.50"),
        "3 × 24.50: {r}"
    );
    let leads = srv.store.list_leads(&t.id, 10).await.unwrap();
    assert!(
        leads
            .iter()
            .any(|l| l.kind == comptoir_domain::LeadKind::Quote
                && l.details.contains("\"total\":\"73.5\"")),
        "{leads:?}"
    );
    if let Ok(srv) = Arc::try_unwrap(srv) {
        srv.stop().await;
    }
}

/// Shoppers who close the page while their message is being handled: their turns finish or
/// not, but no transaction is left open (the write lock held for good was seen under load).
async fn clients_that_hang_up_mid_turn_leave_no_transaction_open(backend: &str) {
    let limits = unthrottled();
    let srv = Arc::new(Server::start(backend, limits).await);
    let shop = srv.shop("hangup-shop").await;
    create(&srv, &shop, bottle(1000)).await;
    let mut convs = Vec::new();
    for _ in 0..20 {
        convs.push(new_conversation(&srv, &shop.pk, "en").await);
    }
    let impatient = reqwest::Client::builder()
        .timeout(std::time::Duration::from_micros(300))
        .build()
        .unwrap();
    let mut tasks = Vec::new();
    for round in 0..10 {
        for c in &convs {
            let (http, url, pk) = (
                impatient.clone(),
                format!("{}/v1/conversations/{c}/messages", srv.base),
                shop.pk.clone(),
            );
            let body = if round % 2 == 0 {
                json!({"action": {"type": "add_to_cart", "sku": "BOT-1"}})
            } else {
                json!({"text": "do you have bottles?"})
            };
            tasks.push(tokio::spawn(async move {
                let _ = http.post(url).bearer_auth(pk).json(&body).send().await;
            }));
        }
    }
    for t in tasks {
        t.await.unwrap();
    }
    // Every conversation still takes a turn at once.
    let started = std::time::Instant::now();
    for c in &convs {
        let b = say(&srv, &shop.pk, c, json!({"action": {"type": "view_cart"}})).await;
        assert!(b["cart"].is_object());
    }
    assert!(
        started.elapsed() < std::time::Duration::from_secs(5),
        "writes are stuck: {:?}",
        started.elapsed()
    );
    if let Ok(srv) = Arc::try_unwrap(srv) {
        srv.stop().await;
    }
}
