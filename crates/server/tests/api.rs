//! The API over real HTTP, on SQLite and on PostgreSQL: every test runs on both backends.
//! (One test binary for the crate, so it links once.)

#[allow(unused_imports)]
use admin::*;
use comptoir_domain::{Currency, KeyKind, Lang, NewApiKey, NewTenant, Plan};
use comptoir_server::{AppState, Limits};
use comptoir_store::Store;
use reqwest::{Client, Method, StatusCode};
use serde_json::{json, Value};
use std::sync::Arc;

struct Server {
    base: String,
    http: Client,
    store: Arc<dyn Store>,
    _dir: Option<tempfile::TempDir>,
    pg: Option<comptoir_store::testing::PgSchema>,
}

struct Shop {
    sk: String,
    pk: String,
}

impl Server {
    async fn start(backend: &str, limits: Limits) -> Server {
        let (store, dir, pg) = match backend {
            "sqlite" => {
                let dir = tempfile::tempdir().unwrap();
                let url = format!("sqlite://{}/t.db", dir.path().display());
                (comptoir_store::open(&url).await.unwrap(), Some(dir), None)
            }
            _ => {
                let pg = comptoir_store::testing::PgSchema::create().await;
                (comptoir_store::open(&pg.url).await.unwrap(), None, Some(pg))
            }
        };
        let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
        let addr = listener.local_addr().unwrap();
        let state = AppState::new(store.clone(), limits);
        tokio::spawn(comptoir_server::serve(
            listener,
            state,
            std::future::pending(),
        ));
        Server {
            base: format!("http://{addr}"),
            http: Client::new(),
            store,
            _dir: dir,
            pg,
        }
    }

    async fn shop(&self, slug: &str) -> Shop {
        let langs = vec![Lang::parse("fr").unwrap(), Lang::parse("en").unwrap()];
        let t = NewTenant::new(
            slug,
            "Shop",
            Plan::Starter,
            Currency::parse("EUR").unwrap(),
            langs,
        )
        .unwrap();
        let t = self.store.create_tenant(&t).await.unwrap();
        let sk = NewApiKey::generate(&t.id, KeyKind::Secret, "test");
        let pk = NewApiKey::generate(&t.id, KeyKind::Public, "test");
        self.store.insert_api_key(&sk).await.unwrap();
        self.store.insert_api_key(&pk).await.unwrap();
        Shop {
            sk: sk.token,
            pk: pk.token,
        }
    }

    /// Sends a request; returns status, content type and body (JSON when it parses).
    async fn call(
        &self,
        method: Method,
        path: &str,
        key: Option<&str>,
        body: Option<Value>,
    ) -> (StatusCode, String, Value) {
        let mut req = self.http.request(method, format!("{}{path}", self.base));
        if let Some(k) = key {
            req = req.bearer_auth(k);
        }
        if let Some(b) = body {
            req = req.json(&b);
        }
        let res = req.send().await.unwrap();
        let status = res.status();
        let ct = res
            .headers()
            .get("content-type")
            .map(|v| v.to_str().unwrap().to_string())
            .unwrap_or_default();
        let text = res.text().await.unwrap();
        (
            status,
            ct,
            serde_json::from_str(&text).unwrap_or(Value::String(text)),
        )
    }

    async fn raw(
        &self,
        method: Method,
        path: &str,
        key: &str,
        ct: &str,
        body: Vec<u8>,
    ) -> (StatusCode, Value) {
        let res = self
            .http
            .request(method, format!("{}{path}", self.base))
            .bearer_auth(key)
            .header("content-type", ct)
            .body(body)
            .send()
            .await
            .unwrap();
        let status = res.status();
        let text = res.text().await.unwrap();
        (
            status,
            serde_json::from_str(&text).unwrap_or(Value::String(text)),
        )
    }

    async fn stop(mut self) {
        if let Some(pg) = self.pg.take() {
            pg.drop().await;
        }
    }
}

/// A test that panics before `stop` still drops its PostgreSQL schema: on a thread of its own,
/// since the test's runtime may be the one unwinding.
impl Drop for Server {
    fn drop(&mut self) {
        if let Some(pg) = self.pg.take() {
            let _ = std::thread::spawn(move || {
                if let Ok(rt) = tokio::runtime::Builder::new_current_thread()
                    .enable_all()
                    .build()
                {
                    rt.block_on(pg.drop());
                }
            })
            .join();
        }
    }
}

fn dress() -> Value {
    json!({
        "product_id": "dress-linen",
        "lang": "fr",
        "title": "Robe en lin",
        "description": "Légère.",
        "category": "Robes",
        "brand": "Atelier Lune",
        "tags": ["été"],
        "images": ["https://img.example/d.jpg"],
        "variants": [
            {"sku": "D-RED-M", "options": {"size": "M", "color": "Red"}, "price": "69.90", "compare_at_price": 89, "stock": 3},
            {"sku": "D-RED-L", "options": {"size": "L", "color": "Red"}, "price": 69.9, "stock": 0}
        ]
    })
}

fn assert_problem(status: StatusCode, ct: &str, body: &Value, want: StatusCode, code: &str) {
    assert_eq!(status, want, "{body}");
    assert_eq!(ct, "application/problem+json", "{body}");
    assert_eq!(body["status"], want.as_u16(), "{body}");
    assert_eq!(body["code"], code, "{body}");
    assert!(
        body["type"].as_str().unwrap().starts_with("https://"),
        "{body}"
    );
    assert!(!body["detail"].as_str().unwrap().is_empty());
}

macro_rules! on_both_backends {
    ($($name:ident),* $(,)?) => {
        mod sqlite { $( #[tokio::test] async fn $name() { super::$name("sqlite").await } )* }
        mod postgres { $( #[tokio::test] async fn $name() { super::$name("postgres").await } )* }
    };
}

#[path = "api/admin.rs"]
mod admin;
#[path = "api/admin_pages.rs"]
mod admin_pages;
#[allow(unused_imports)]
use admin_pages::*;
#[path = "api/admin_analytics.rs"]
mod admin_analytics;
#[path = "api/admin_shop.rs"]
mod admin_shop;
#[path = "api/conversations.rs"]
mod conversations;
#[path = "api/dialogues.rs"]
mod dialogues;
#[path = "api/takeover.rs"]
mod takeover;

on_both_backends!(
    admin_signup_signin_and_signout,
    admin_login_is_throttled_without_telling_who_exists,
    admin_forms_need_the_csrf_token,
    admin_sessions_stay_in_their_shop,
    cors_is_for_the_api_not_the_admin,
    admin_password_change,
    admin_flash_messages_come_from_the_server_only,
    admin_parallel_wrong_passwords_are_throttled,
    admin_signup_refusals_leave_nothing_and_bulk_is_throttled,
    admin_inbox_escapes_and_takes_over,
    admin_agents_answer_but_do_not_administer,
    admin_settings_keys_branding_and_shop,
    admin_templates_editor_changes_what_the_agent_says_and_understands,
    admin_onboarding_steps,
    auth_refuses_missing_unknown_revoked_and_public_keys,
    products_crud_with_language_fallback,
    validation_errors_are_problems,
    other_tenants_ids_are_not_found,
    lists_paginate_and_filter,
    imports_over_http_report_rejected_rows,
    oversized_bodies_are_refused,
    health_readiness_metrics_and_docs,
    hostile_values_are_refused_or_cleaned,
    concurrent_writes_and_an_import_all_succeed,
    nlu_parse_understands_with_the_tenant_catalogue,
    nlu_parse_refuses_bad_input,
    search_finds_across_languages_variants_and_filters,
    search_stays_in_sync_with_writes_and_ranks_by_stock_and_boost,
    search_refuses_bad_input,
    recommendations_similar_upsell_rules_and_orders,
);

async fn auth_refuses_missing_unknown_revoked_and_public_keys(backend: &str) {
    let s = Server::start(backend, Limits::default()).await;
    let shop = s.shop("auth-shop").await;
    let (st, ct, b) = s.call(Method::GET, "/v1/products", None, None).await;
    assert_problem(st, &ct, &b, StatusCode::UNAUTHORIZED, "unauthorized");
    let (st, ct, b) = s
        .call(Method::GET, "/v1/products", Some("sk_notakey"), None)
        .await;
    assert_problem(st, &ct, &b, StatusCode::UNAUTHORIZED, "unauthorized");
    let (st, ct, b) = s
        .call(Method::GET, "/v1/products", Some("hello"), None)
        .await;
    assert_problem(st, &ct, &b, StatusCode::UNAUTHORIZED, "unauthorized");

    // A public key reads the catalogue but writes nothing and manages nothing.
    let (st, _, _) = s
        .call(Method::GET, "/v1/products", Some(&shop.pk), None)
        .await;
    assert_eq!(st, StatusCode::OK);
    let (st, ct, b) = s
        .call(Method::POST, "/v1/products", Some(&shop.pk), Some(dress()))
        .await;
    assert_problem(st, &ct, &b, StatusCode::FORBIDDEN, "forbidden");
    let (st, ct, b) = s.call(Method::GET, "/v1/keys", Some(&shop.pk), None).await;
    assert_problem(st, &ct, &b, StatusCode::FORBIDDEN, "forbidden");
    let (st, b) = s
        .raw(
            Method::POST,
            "/v1/catalogue/imports",
            &shop.pk,
            "text/csv",
            b"sku,title,price\n".to_vec(),
        )
        .await;
    assert_eq!(st, StatusCode::FORBIDDEN, "{b}");

    // A key made over the API works until revoked, then is refused at once.
    let (st, _, key) = s
        .call(
            Method::POST,
            "/v1/keys",
            Some(&shop.sk),
            Some(json!({"kind": "public", "name": "site"})),
        )
        .await;
    assert_eq!(st, StatusCode::CREATED, "{key}");
    let token = key["token"].as_str().unwrap().to_string();
    assert!(token.starts_with("pk_"));
    let (st, _, list) = s.call(Method::GET, "/v1/keys", Some(&shop.sk), None).await;
    assert_eq!(st, StatusCode::OK);
    assert!(
        list["items"]
            .as_array()
            .unwrap()
            .iter()
            .all(|k| k.get("token").is_none()),
        "tokens are shown once"
    );
    assert_eq!(
        s.call(Method::GET, "/v1/tenant", Some(&token), None)
            .await
            .0,
        StatusCode::OK
    );
    let (st, _, _) = s
        .call(
            Method::DELETE,
            &format!("/v1/keys/{}", key["id"].as_str().unwrap()),
            Some(&shop.sk),
            None,
        )
        .await;
    assert_eq!(st, StatusCode::NO_CONTENT);
    let (st, ct, b) = s.call(Method::GET, "/v1/tenant", Some(&token), None).await;
    assert_problem(st, &ct, &b, StatusCode::UNAUTHORIZED, "unauthorized");
    assert!(b["detail"].as_str().unwrap().contains("revoked"));
    let (st, _, _) = s
        .call(
            Method::POST,
            "/v1/keys",
            Some(&shop.sk),
            Some(json!({"kind": "root"})),
        )
        .await;
    assert_eq!(st, StatusCode::UNPROCESSABLE_ENTITY);
    s.stop().await;
}

async fn products_crud_with_language_fallback(backend: &str) {
    let s = Server::start(backend, Limits::default()).await;
    let shop = s.shop("crud-shop").await;
    let (st, _, p) = s
        .call(Method::POST, "/v1/products", Some(&shop.sk), Some(dress()))
        .await;
    assert_eq!(st, StatusCode::CREATED, "{p}");
    let id = p["id"].as_str().unwrap().to_string();
    assert_eq!(p["title"], "Robe en lin");
    assert_eq!(p["variants"][0]["price"], "69.9");
    assert_eq!(p["variants"][0]["compare_at_price"], "89");
    assert_eq!(p["variants"][0]["currency"], "EUR");
    assert_eq!(
        p["variants"][0]["options"],
        json!({"size": "M", "color": "Red"})
    );
    assert_eq!(p["variants"][1]["in_stock"], false);

    // English asked, none yet: French (the default) is served.
    let (_, _, en) = s
        .call(
            Method::GET,
            &format!("/v1/products/{id}?lang=en"),
            Some(&shop.pk),
            None,
        )
        .await;
    assert_eq!(en["title"], "Robe en lin");
    assert_eq!(en["lang"], "fr");
    // Adding an English text without its title is refused; with it, accepted.
    let (st, _, b) = s
        .call(
            Method::PATCH,
            &format!("/v1/products/{id}"),
            Some(&shop.sk),
            Some(json!({"lang": "en", "description": "Light."})),
        )
        .await;
    assert_eq!(st, StatusCode::UNPROCESSABLE_ENTITY, "{b}");
    let (st, _, b) = s
        .call(
            Method::PATCH,
            &format!("/v1/products/{id}"),
            Some(&shop.sk),
            Some(json!({"lang": "en", "title": "Linen dress", "category": "Dresses"})),
        )
        .await;
    assert_eq!(st, StatusCode::OK, "{b}");
    assert_eq!(b["title"], "Linen dress");
    assert_eq!(b["languages"], json!(["en", "fr"]));
    let (_, _, fr) = s
        .call(
            Method::GET,
            &format!("/v1/products/{id}"),
            Some(&shop.pk),
            None,
        )
        .await;
    assert_eq!(fr["title"], "Robe en lin", "default language untouched");
    // Without `?lang=`, the reader's Accept-Language chooses; `?lang=` wins over it.
    let res = s
        .http
        .get(format!("{}/v1/products/{id}", s.base))
        .bearer_auth(&shop.pk)
        .header("accept-language", "en-GB,en;q=0.9,fr;q=0.5")
        .send()
        .await
        .unwrap();
    assert_eq!(res.json::<Value>().await.unwrap()["title"], "Linen dress");
    let res = s
        .http
        .get(format!("{}/v1/products?lang=fr", s.base))
        .bearer_auth(&shop.pk)
        .header("accept-language", "en")
        .send()
        .await
        .unwrap();
    assert_eq!(
        res.json::<Value>().await.unwrap()["items"][0]["title"],
        "Robe en lin"
    );

    // Replacing the variant set deletes the skus not listed.
    let (st, _, b) = s
        .call(
            Method::PATCH,
            &format!("/v1/products/{id}"),
            Some(&shop.sk),
            Some(json!({"variants": [{"sku": "D-BLUE-S", "price": "59", "stock": null}]})),
        )
        .await;
    assert_eq!(st, StatusCode::OK, "{b}");
    assert_eq!(b["variants"].as_array().unwrap().len(), 1);
    assert_eq!(b["variants"][0]["stock"], Value::Null);
    assert_eq!(b["variants"][0]["in_stock"], true);
    assert_eq!(b["title"], "Robe en lin");

    let (st, _, _) = s
        .call(
            Method::DELETE,
            &format!("/v1/products/{id}"),
            Some(&shop.sk),
            None,
        )
        .await;
    assert_eq!(st, StatusCode::NO_CONTENT);
    let (st, ct, b) = s
        .call(
            Method::GET,
            &format!("/v1/products/{id}"),
            Some(&shop.sk),
            None,
        )
        .await;
    assert_problem(st, &ct, &b, StatusCode::NOT_FOUND, "not_found");
    let (st, _, _) = s
        .call(
            Method::DELETE,
            &format!("/v1/products/{id}"),
            Some(&shop.sk),
            None,
        )
        .await;
    assert_eq!(st, StatusCode::NOT_FOUND);
    s.stop().await;
}

async fn validation_errors_are_problems(backend: &str) {
    let s = Server::start(backend, Limits::default()).await;
    let shop = s.shop("valid-shop").await;
    let cases = [
        (
            json!({"title": "x", "variants": [{"sku": "A", "price": "-5"}]}),
            "variants[0].price",
        ),
        (
            json!({"title": "x", "variants": [{"sku": "A", "price": "abc"}]}),
            "variants[0].price",
        ),
        (
            json!({"title": "x", "variants": [{"sku": "A", "price": "1", "currency": "EURO"}]}),
            "variants[0].currency",
        ),
        (
            json!({"title": "x", "variants": [{"sku": "A", "price": "1"}, {"sku": "A", "price": "2"}]}),
            "variants[1].sku",
        ),
        (json!({"title": "x", "variants": []}), "variants"),
        (
            json!({"title": " ", "variants": [{"sku": "A", "price": "1"}]}),
            "title",
        ),
        (
            json!({"title": "x", "lang": "french", "variants": [{"sku": "A", "price": "1"}]}),
            "lang",
        ),
    ];
    for (body, field) in cases {
        let (st, ct, b) = s
            .call(
                Method::POST,
                "/v1/products",
                Some(&shop.sk),
                Some(body.clone()),
            )
            .await;
        assert_problem(
            st,
            &ct,
            &b,
            StatusCode::UNPROCESSABLE_ENTITY,
            "validation_failed",
        );
        assert_eq!(b["errors"][0]["field"], field, "{body} → {b}");
    }
    // Unknown fields and wrong types are refused, not ignored.
    let (st, ct, b) = s
        .call(
            Method::POST,
            "/v1/products",
            Some(&shop.sk),
            Some(json!({"title": "x", "colour": 1, "variants": []})),
        )
        .await;
    assert_problem(
        st,
        &ct,
        &b,
        StatusCode::UNPROCESSABLE_ENTITY,
        "validation_failed",
    );
    // Malformed JSON and a missing content type.
    let (st, b) = s
        .raw(
            Method::POST,
            "/v1/products",
            &shop.sk,
            "application/json",
            b"{\"title\": ".to_vec(),
        )
        .await;
    assert_eq!(st, StatusCode::BAD_REQUEST, "{b}");
    assert_eq!(b["code"], "invalid_request");
    let (st, b) = s
        .raw(
            Method::POST,
            "/v1/products",
            &shop.sk,
            "text/plain",
            b"{}".to_vec(),
        )
        .await;
    assert_eq!(st, StatusCode::UNSUPPORTED_MEDIA_TYPE, "{b}");
    // Conflicts: a taken product id, a taken sku.
    assert_eq!(
        s.call(Method::POST, "/v1/products", Some(&shop.sk), Some(dress()))
            .await
            .0,
        StatusCode::CREATED
    );
    let (st, ct, b) = s
        .call(Method::POST, "/v1/products", Some(&shop.sk), Some(dress()))
        .await;
    assert_problem(st, &ct, &b, StatusCode::CONFLICT, "conflict");
    let (st, ct, b) = s
        .call(
            Method::POST,
            "/v1/products",
            Some(&shop.sk),
            Some(json!({"title": "y", "variants": [{"sku": "D-RED-M", "price": "1"}]})),
        )
        .await;
    assert_problem(st, &ct, &b, StatusCode::CONFLICT, "conflict");
    // Bad query parameters.
    let (st, ct, b) = s
        .call(
            Method::GET,
            "/v1/products?in_stock=maybe",
            Some(&shop.sk),
            None,
        )
        .await;
    assert_problem(st, &ct, &b, StatusCode::BAD_REQUEST, "invalid_request");
    let (st, _, _) = s
        .call(
            Method::GET,
            "/v1/products?price_max=lots",
            Some(&shop.sk),
            None,
        )
        .await;
    assert_eq!(st, StatusCode::UNPROCESSABLE_ENTITY);
    let (st, _, _) = s
        .call(
            Method::GET,
            "/v1/products?cursor=../../etc",
            Some(&shop.sk),
            None,
        )
        .await;
    assert_eq!(st, StatusCode::BAD_REQUEST);
    s.stop().await;
}

async fn other_tenants_ids_are_not_found(backend: &str) {
    let s = Server::start(backend, Limits::default()).await;
    let a = s.shop("shop-a").await;
    let b = s.shop("shop-b").await;
    let (_, _, p) = s
        .call(Method::POST, "/v1/products", Some(&a.sk), Some(dress()))
        .await;
    let id = p["id"].as_str().unwrap();
    for (method, body) in [
        (Method::GET, None),
        (Method::PATCH, Some(json!({"title": "pwned"}))),
        (Method::DELETE, None),
    ] {
        let (st, ct, body) = s
            .call(method, &format!("/v1/products/{id}"), Some(&b.sk), body)
            .await;
        assert_problem(st, &ct, &body, StatusCode::NOT_FOUND, "not_found");
        assert!(
            !body.to_string().contains("Robe"),
            "no data of the other tenant"
        );
    }
    let (_, _, list) = s.call(Method::GET, "/v1/products", Some(&b.pk), None).await;
    assert_eq!(list["items"], json!([]));
    // The same sku and product id are free in another tenant.
    assert_eq!(
        s.call(Method::POST, "/v1/products", Some(&b.sk), Some(dress()))
            .await
            .0,
        StatusCode::CREATED
    );
    let (_, _, still) = s
        .call(
            Method::GET,
            &format!("/v1/products/{id}"),
            Some(&a.sk),
            None,
        )
        .await;
    assert_eq!(still["title"], "Robe en lin");
    // Keys of another tenant cannot be revoked.
    let (_, _, keys) = s.call(Method::GET, "/v1/keys", Some(&a.sk), None).await;
    let key_id = keys["items"][0]["id"].as_str().unwrap();
    assert_eq!(
        s.call(
            Method::DELETE,
            &format!("/v1/keys/{key_id}"),
            Some(&b.sk),
            None
        )
        .await
        .0,
        StatusCode::NOT_FOUND
    );
    s.stop().await;
}

async fn lists_paginate_and_filter(backend: &str) {
    let s = Server::start(backend, Limits::default()).await;
    let shop = s.shop("list-shop").await;
    for i in 0..5 {
        let body = json!({
            "product_id": format!("p{i}"), "title": format!("Produit {i}"), "category": if i % 2 == 0 { "Pulls" } else { "Écharpes" },
            "brand": if i < 3 { "Maison Sable" } else { "Voltia" },
            "variants": [{"sku": format!("S{i}"), "price": format!("{}", 10 * (i + 1)), "stock": if i == 4 { 0 } else { 5 }}]
        });
        assert_eq!(
            s.call(Method::POST, "/v1/products", Some(&shop.sk), Some(body))
                .await
                .0,
            StatusCode::CREATED
        );
    }
    let mut seen = Vec::new();
    let mut cursor: Option<String> = None;
    loop {
        let path = match &cursor {
            Some(c) => format!("/v1/products?limit=2&cursor={c}"),
            None => "/v1/products?limit=2".to_string(),
        };
        let (st, _, page) = s.call(Method::GET, &path, Some(&shop.pk), None).await;
        assert_eq!(st, StatusCode::OK);
        for p in page["items"].as_array().unwrap() {
            seen.push(p["product_id"].as_str().unwrap().to_string());
        }
        match page["next_cursor"].as_str() {
            Some(c) => cursor = Some(c.to_string()),
            None => break,
        }
    }
    seen.sort();
    assert_eq!(seen, ["p0", "p1", "p2", "p3", "p4"]);
    let count = |q: &'static str| {
        let s = &s;
        let key = shop.pk.clone();
        async move {
            let (st, _, b) = s
                .call(Method::GET, &format!("/v1/products?{q}"), Some(&key), None)
                .await;
            assert_eq!(st, StatusCode::OK, "{q}: {b}");
            b["items"].as_array().unwrap().len()
        }
    };
    assert_eq!(count("category=pulls").await, 3);
    assert_eq!(count("category=%C3%89CHARPES").await, 2);
    assert_eq!(count("brand=voltia").await, 2);
    assert_eq!(count("in_stock=false").await, 1);
    assert_eq!(count("in_stock=true&brand=Voltia").await, 1);
    assert_eq!(count("price_min=20&price_max=40").await, 3);
    assert_eq!(count("price_max=9.99").await, 0);
    s.stop().await;
}

const IMPORT_CSV: &str = "sku,product_id,title,description,category,brand,price,currency,compare_at_price,stock,tags,image_url,option1_name,option1_value,option2_name,option2_value,digital,lang
TEE-S,tee,T-shirt bio,<p>Coton <b>bio</b></p>,Hauts,Voltia,25.00,EUR,,10,bio|coton,,size,S,,,false,fr
TEE-S,tee,Organic tee,Organic cotton,Tops,Voltia,25.00,EUR,,10,organic,,size,S,,,false,en
TEE-M,tee,T-shirt bio,,Hauts,Voltia,-3,EUR,,10,,,size,M,,,false,fr
TEE-L,tee,T-shirt bio,,Hauts,Voltia,abc,EUR,,10,,,size,L,,,false,fr
TEE-S,tee,T-shirt bio,,Hauts,Voltia,25.00,EUR,,10,,,size,S,,,false,fr
";

async fn imports_over_http_report_rejected_rows(backend: &str) {
    let s = Server::start(backend, Limits::default()).await;
    let a = s.shop("import-a").await;
    let b = s.shop("import-b").await;
    let (st, imp) = s
        .raw(
            Method::POST,
            "/v1/catalogue/imports?source=tee.csv",
            &a.sk,
            "text/csv",
            IMPORT_CSV.as_bytes().to_vec(),
        )
        .await;
    assert_eq!(st, StatusCode::CREATED, "{imp}");
    let r = &imp["report"];
    assert_eq!(r["format"], "generic");
    assert_eq!(r["rows_total"], 5);
    assert_eq!(r["rows_imported"], 2);
    assert_eq!(r["rows_rejected"], 3);
    let lines: Vec<u64> = r["rejected"]
        .as_array()
        .unwrap()
        .iter()
        .map(|e| e["line"].as_u64().unwrap())
        .collect();
    assert_eq!(lines, [4, 5, 6]);
    assert!(
        r["rejected"][0]["reason"]
            .as_str()
            .unwrap()
            .contains("negative"),
        "{r}"
    );
    assert!(
        r["rejected"][2]["reason"]
            .as_str()
            .unwrap()
            .contains("duplicate"),
        "{r}"
    );
    let (_, _, list) = s
        .call(Method::GET, "/v1/products?lang=en", Some(&a.pk), None)
        .await;
    assert_eq!(list["items"][0]["title"], "Organic tee");
    let (_, _, fr) = s.call(Method::GET, "/v1/products", Some(&a.pk), None).await;
    assert_eq!(
        fr["items"][0]["description"], "Coton bio",
        "HTML turned into text"
    );
    // The history keeps it, for its tenant only.
    let id = imp["id"].as_str().unwrap();
    let (st, _, got) = s
        .call(
            Method::GET,
            &format!("/v1/catalogue/imports/{id}"),
            Some(&a.sk),
            None,
        )
        .await;
    assert_eq!(st, StatusCode::OK);
    assert_eq!(got["source"], "tee.csv");
    assert_eq!(
        s.call(
            Method::GET,
            &format!("/v1/catalogue/imports/{id}"),
            Some(&b.sk),
            None
        )
        .await
        .0,
        StatusCode::NOT_FOUND
    );
    let (_, _, hist) = s
        .call(Method::GET, "/v1/catalogue/imports", Some(&a.sk), None)
        .await;
    assert_eq!(hist["items"].as_array().unwrap().len(), 1);
    // Re-import: nothing changes.
    let (_, again) = s
        .raw(
            Method::POST,
            "/v1/catalogue/imports",
            &a.sk,
            "text/csv",
            IMPORT_CSV.as_bytes().to_vec(),
        )
        .await;
    assert_eq!(again["report"]["rows_changed"], 0, "{again}");
    // A file that cannot be read as a whole is a 422 problem, and imports nothing.
    let (st, e) = s
        .raw(
            Method::POST,
            "/v1/catalogue/imports",
            &a.sk,
            "text/csv",
            Vec::new(),
        )
        .await;
    assert_eq!(st, StatusCode::UNPROCESSABLE_ENTITY, "{e}");
    assert_eq!(e["code"], "import_failed");
    let (st, e) = s
        .raw(
            Method::POST,
            "/v1/catalogue/imports",
            &a.sk,
            "text/csv",
            b"name,age\nbob,3\n".to_vec(),
        )
        .await;
    assert_eq!(st, StatusCode::UNPROCESSABLE_ENTITY, "{e}");
    let (st, _) = s
        .raw(
            Method::POST,
            "/v1/catalogue/imports?format=xml",
            &a.sk,
            "text/csv",
            b"x".to_vec(),
        )
        .await;
    assert_eq!(st, StatusCode::UNPROCESSABLE_ENTITY);
    let (st, e) = s
        .raw(
            Method::POST,
            "/v1/catalogue/imports?format=json",
            &a.sk,
            "application/json",
            b"[{\"sku\": ".to_vec(),
        )
        .await;
    assert_eq!(st, StatusCode::UNPROCESSABLE_ENTITY, "{e}");
    assert!(e["detail"].as_str().unwrap().contains("JSON"), "{e}");
    let (_, _, tb) = s.call(Method::GET, "/v1/tenant", Some(&b.sk), None).await;
    assert_eq!(tb["catalogue"]["products"], 0);
    s.stop().await;
}

async fn oversized_bodies_are_refused(backend: &str) {
    let limits = Limits {
        json_body_bytes: 4096,
        import_body_bytes: 64 * 1024,
        ..Limits::default()
    };
    let s = Server::start(backend, limits).await;
    let shop = s.shop("big-shop").await;
    let mut big = dress();
    big["description"] = Value::String("x".repeat(10_000));
    let (st, ct, b) = s
        .call(Method::POST, "/v1/products", Some(&shop.sk), Some(big))
        .await;
    assert_problem(
        st,
        &ct,
        &b,
        StatusCode::PAYLOAD_TOO_LARGE,
        "payload_too_large",
    );
    let mut csv = String::from("sku,title,price\n");
    while csv.len() < 1024 * 1024 {
        csv.push_str(&format!("SKU-{},Thing,1\n", csv.len()));
    }
    let (st, b) = s
        .raw(
            Method::POST,
            "/v1/catalogue/imports",
            &shop.sk,
            "text/csv",
            csv.into_bytes(),
        )
        .await;
    assert_eq!(st, StatusCode::PAYLOAD_TOO_LARGE, "{b}");
    assert_eq!(b["code"], "payload_too_large");
    let (_, _, t) = s
        .call(Method::GET, "/v1/tenant", Some(&shop.sk), None)
        .await;
    assert!(
        t["catalogue"]["products"].as_u64().unwrap() < 5000,
        "a refused upload is not imported whole"
    );
    s.stop().await;
}

async fn health_readiness_metrics_and_docs(backend: &str) {
    let s = Server::start(backend, Limits::default()).await;
    let shop = s.shop("ops-shop").await;
    let (st, _, b) = s.call(Method::GET, "/healthz", None, None).await;
    assert_eq!((st, b["status"].as_str()), (StatusCode::OK, Some("ok")));
    let (st, _, b) = s.call(Method::GET, "/readyz", None, None).await;
    assert_eq!(st, StatusCode::OK);
    assert_eq!(b["database"], backend);
    s.call(Method::GET, "/v1/tenant", Some(&shop.sk), None)
        .await;
    let res = s
        .http
        .get(format!("{}/metrics", s.base))
        .send()
        .await
        .unwrap();
    let text = res.text().await.unwrap();
    assert!(
        text.contains(
            "comptoir_http_requests_total{method=\"GET\",route=\"/v1/tenant\",status=\"200\"}"
        ),
        "{text}"
    );
    assert!(
        text.contains("comptoir_http_request_duration_seconds_bucket"),
        "{text}"
    );
    let (st, _, doc) = s.call(Method::GET, "/v1/openapi.json", None, None).await;
    assert_eq!(st, StatusCode::OK);
    assert!(doc["openapi"].as_str().unwrap().starts_with("3.1"));
    for path in [
        "/v1/products",
        "/v1/products/{id}",
        "/v1/catalogue/imports",
        "/v1/tenant",
        "/v1/keys",
    ] {
        assert!(
            doc["paths"].get(path).is_some(),
            "{path} missing from OpenAPI"
        );
    }
    let html = s
        .http
        .get(format!("{}/docs", s.base))
        .send()
        .await
        .unwrap()
        .text()
        .await
        .unwrap();
    assert!(
        html.contains("/v1/openapi.json") && !html.contains("cdn"),
        "docs page is self-contained"
    );
    let (st, ct, b) = s.call(Method::GET, "/nope", None, None).await;
    assert_problem(st, &ct, &b, StatusCode::NOT_FOUND, "not_found");
    // Request ids: made when absent, echoed when sent.
    let res = s
        .http
        .get(format!("{}/healthz", s.base))
        .send()
        .await
        .unwrap();
    assert!(res.headers()["x-request-id"]
        .to_str()
        .unwrap()
        .starts_with("req_"));
    let res = s
        .http
        .get(format!("{}/healthz", s.base))
        .header("x-request-id", "abc-123")
        .send()
        .await
        .unwrap();
    assert_eq!(res.headers()["x-request-id"], "abc-123");
    s.stop().await;
}

async fn hostile_values_are_refused_or_cleaned(backend: &str) {
    let s = Server::start(backend, Limits::default()).await;
    let shop = s.shop("hostile-shop").await;
    // A price past Decimal's range used to panic in the multiplication to minor units.
    let huge = "10000000000000000000000000000";
    let (st, ct, b) = s
        .call(
            Method::POST,
            "/v1/products",
            Some(&shop.sk),
            Some(json!({"title": "x", "variants": [{"sku": "A", "price": huge}]})),
        )
        .await;
    assert_problem(
        st,
        &ct,
        &b,
        StatusCode::UNPROCESSABLE_ENTITY,
        "validation_failed",
    );
    let (st, _, _) = s
        .call(
            Method::GET,
            &format!("/v1/products?price_max={huge}"),
            Some(&shop.sk),
            None,
        )
        .await;
    assert_eq!(st, StatusCode::UNPROCESSABLE_ENTITY);
    let (st, ct, b) = s
        .call(
            Method::GET,
            "/v1/products?price_max=79228162514264337593543950335",
            Some(&shop.sk),
            None,
        )
        .await;
    assert_problem(
        st,
        &ct,
        &b,
        StatusCode::UNPROCESSABLE_ENTITY,
        "validation_failed",
    );
    // NUL bytes: PostgreSQL refuses them in text, so they are dropped on every backend alike.
    let (st, _, p) = s
        .call(
            Method::POST,
            "/v1/products",
            Some(&shop.sk),
            Some(json!({"title": "Bol\u{0} bleu", "brand": "Ma\u{0}ison", "variants": [{"sku": "B", "price": "3", "options": {"couleur": "bl\u{0}eu"}}]})),
        )
        .await;
    assert_eq!(st, StatusCode::CREATED, "{p}");
    assert_eq!(p["title"], "Bol bleu");
    assert_eq!(p["brand"], "Maison");
    assert_eq!(p["variants"][0]["options"]["couleur"], "bleu");
    let csv = "sku,product_id,title,price\nC-1,c,\"Tasse\u{0}\",4\n";
    let (st, imp) = s
        .raw(
            Method::POST,
            "/v1/catalogue/imports",
            &shop.sk,
            "text/csv",
            csv.as_bytes().to_vec(),
        )
        .await;
    assert_eq!(st, StatusCode::CREATED, "{imp}");
    assert_eq!(imp["report"]["rows_imported"], 1, "{imp}");
    let (_, _, list) = s
        .call(Method::GET, "/v1/products?limit=200", Some(&shop.sk), None)
        .await;
    let titles: Vec<&str> = list["items"]
        .as_array()
        .unwrap()
        .iter()
        .map(|p| p["title"].as_str().unwrap())
        .collect();
    assert!(titles.contains(&"Tasse"), "{titles:?}");
    // A path segment that is not UTF-8 is a problem, not a plain-text 400.
    let (st, ct, b) = s
        .call(Method::GET, "/v1/products/%FF%FE", Some(&shop.sk), None)
        .await;
    assert_problem(st, &ct, &b, StatusCode::BAD_REQUEST, "invalid_request");
    // A very long value is quoted, not echoed whole.
    let long = "9".repeat(100_000);
    let (st, _, b) = s
        .call(
            Method::POST,
            "/v1/products",
            Some(&shop.sk),
            Some(json!({"title": "x", "variants": [{"sku": "L", "price": long}]})),
        )
        .await;
    assert_eq!(st, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(b.to_string().len() < 1000, "error echoed the whole value");
    s.stop().await;
}

async fn concurrent_writes_and_an_import_all_succeed(backend: &str) {
    let s = Arc::new(Server::start(backend, Limits::default()).await);
    let shop = Arc::new(s.shop("busy-shop").await);
    let mut csv = String::from("sku,product_id,title,price,stock\n");
    for i in 0..6000 {
        csv.push_str(&format!(
            "IMP-{i},imp-{},Produit {i},{}.5,3\n",
            i / 3,
            i % 90 + 1
        ));
    }
    let import = {
        let (s, shop) = (s.clone(), shop.clone());
        tokio::spawn(async move {
            s.raw(
                Method::POST,
                "/v1/catalogue/imports",
                &shop.sk,
                "text/csv",
                csv.into_bytes(),
            )
            .await
        })
    };
    let mut writers = Vec::new();
    for i in 0..24 {
        let (s, shop) = (s.clone(), shop.clone());
        writers.push(tokio::spawn(async move {
            let body = json!({"product_id": format!("w{i}"), "title": format!("W {i}"), "variants": [{"sku": format!("W-{i}"), "price": "9", "stock": 1}]});
            let (st, _, b) = s.call(Method::POST, "/v1/products", Some(&shop.sk), Some(body)).await;
            assert_eq!(st, StatusCode::CREATED, "{b}");
            let id = b["id"].as_str().unwrap().to_string();
            let (st, _, b) = s.call(Method::PATCH, &format!("/v1/products/{id}"), Some(&shop.sk), Some(json!({"title": format!("W {i} bis")}))).await;
            assert_eq!(st, StatusCode::OK, "{b}");
        }));
    }
    for w in writers {
        w.await.unwrap();
    }
    // The same new product posted 8 times at once: one is created, the others conflict.
    let mut racers = Vec::new();
    for _ in 0..8 {
        let (s, shop) = (s.clone(), shop.clone());
        racers.push(tokio::spawn(async move {
            let body = json!({"product_id": "same", "title": "Same", "variants": [{"sku": "SAME-1", "price": "5"}]});
            s.call(Method::POST, "/v1/products", Some(&shop.sk), Some(body)).await.0
        }));
    }
    let mut statuses = Vec::new();
    for r in racers {
        statuses.push(r.await.unwrap());
    }
    assert_eq!(
        statuses
            .iter()
            .filter(|st| **st == StatusCode::CREATED)
            .count(),
        1,
        "{statuses:?}"
    );
    assert!(
        statuses
            .iter()
            .all(|st| *st == StatusCode::CREATED || *st == StatusCode::CONFLICT),
        "{statuses:?}"
    );
    let (st, imp) = import.await.unwrap();
    assert_eq!(st, StatusCode::CREATED, "{imp}");
    assert_eq!(imp["report"]["rows_imported"], 6000);
    let (_, _, t) = s
        .call(Method::GET, "/v1/tenant", Some(&shop.sk), None)
        .await;
    assert_eq!(t["catalogue"]["products"], 2000 + 24 + 1);
    assert_eq!(t["catalogue"]["variants"], 6000 + 24 + 1);
    if let Ok(s) = Arc::try_unwrap(s) {
        s.stop().await;
    }
}

async fn nlu_parse_understands_with_the_tenant_catalogue(backend: &str) {
    let srv = Server::start(backend, Limits::default()).await;
    let shop = srv.shop("nlu").await;
    let (st, _, _) = srv
        .call(Method::POST, "/v1/products", Some(&shop.sk), Some(dress()))
        .await;
    assert_eq!(st, StatusCode::CREATED);
    let body = json!({"text": "je cherche une robe rouge à moins de 50 €, pour demain à 14h30", "now": "2026-11-25T10:00:00+01:00"});
    let (st, ct, u) = srv
        .call(Method::POST, "/v1/nlu/parse", Some(&shop.pk), Some(body))
        .await;
    assert_eq!(st, StatusCode::OK, "{u}");
    assert!(ct.starts_with("application/json"));
    assert_eq!(u["language"], "fr");
    assert_eq!(u["intent"], "product_search", "{u}");
    assert!(u["confidence"].as_f64().unwrap() > 0.0);
    let entities = u["entities"].as_array().unwrap();
    let has = |t: &str, v: Value| entities.iter().any(|e| e["type"] == t && e["value"] == v);
    assert!(has("color", json!("red")), "{u}");
    assert!(has("price_max", json!("50")), "{u}");
    assert!(
        entities
            .iter()
            .any(|e| e["type"] == "price_max" && e["currency"] == "EUR"),
        "{u}"
    );
    assert!(has("date", json!("2026-11-26")), "{u}");
    assert!(has("time", json!("14:30")), "{u}");
    // The tenant's own catalogue: the French product is found from an English message.
    let (_, _, u) = srv
        .call(
            Method::POST,
            "/v1/nlu/parse",
            Some(&shop.pk),
            Some(json!({"text": "do you have the linen dress in size M? I'll take 2"})),
        )
        .await;
    let entities = u["entities"].as_array().unwrap();
    assert!(
        entities
            .iter()
            .any(|e| e["type"] == "product" && e["id"].is_string()),
        "{u}"
    );
    assert!(
        entities
            .iter()
            .any(|e| e["type"] == "quantity" && e["value"] == 2),
        "{u}"
    );
    // A short message keeps the conversation's language.
    let (_, _, u) = srv
        .call(
            Method::POST,
            "/v1/nlu/parse",
            Some(&shop.pk),
            Some(json!({"text": "ok", "locale": "de-CH"})),
        )
        .await;
    assert_eq!(u["language"], "de", "{u}");
    // A catalogue change is seen by the next call (the index is rebuilt).
    let mut scarf = dress();
    scarf["product_id"] = json!("scarf-wool");
    scarf["title"] = json!("Écharpe en laine mérinos");
    scarf["variants"][0]["sku"] = json!("SCARF-1");
    scarf["variants"].as_array_mut().unwrap().truncate(1);
    let (st, _, p) = srv
        .call(Method::POST, "/v1/products", Some(&shop.sk), Some(scarf))
        .await;
    assert_eq!(st, StatusCode::CREATED, "{p}");
    let (_, _, u) = srv
        .call(
            Method::POST,
            "/v1/nlu/parse",
            Some(&shop.pk),
            Some(json!({"text": "avez-vous l'écharpe mérinos ?"})),
        )
        .await;
    assert!(
        u["entities"]
            .as_array()
            .unwrap()
            .iter()
            .any(|e| e["type"] == "product" && e["id"] == p["id"]),
        "{u}"
    );
    // An import that only renames a product (no new product, same brand) is seen too.
    let renamed = json!([{"sku": "SCARF-1", "product_id": "scarf-wool", "lang": "fr", "title": "Étole en cachemire",
        "price": "69.90", "currency": "EUR", "stock": 3}]);
    let (st, body) = srv
        .raw(
            Method::POST,
            "/v1/catalogue/imports?format=json",
            &shop.sk,
            "application/json",
            renamed.to_string().into_bytes(),
        )
        .await;
    assert!(
        st.is_success() && body["report"]["rows_changed"].as_u64() > Some(0),
        "{st} {body}"
    );
    let (_, _, u) = srv
        .call(
            Method::POST,
            "/v1/nlu/parse",
            Some(&shop.pk),
            Some(json!({"text": "l'étole en cachemire est dispo ?"})),
        )
        .await;
    assert!(
        u["entities"]
            .as_array()
            .unwrap()
            .iter()
            .any(|e| e["type"] == "product" && e["id"] == p["id"]),
        "{u}"
    );
    srv.stop().await;
}

async fn nlu_parse_refuses_bad_input(backend: &str) {
    let srv = Server::start(backend, Limits::default()).await;
    let shop = srv.shop("nlu-bad").await;
    let call = |body: Value| srv.call(Method::POST, "/v1/nlu/parse", Some(&shop.pk), Some(body));
    let (st, ct, p) = call(json!({"text": "a".repeat(5000)})).await;
    assert_eq!(st, StatusCode::PAYLOAD_TOO_LARGE, "{p}");
    assert!(ct.starts_with("application/problem+json"));
    let (st, _, p) = call(json!({"text": "hi", "now": "tomorrow"})).await;
    assert_eq!(st, StatusCode::UNPROCESSABLE_ENTITY, "{p}");
    let (st, _, _) = call(json!({"text": "hi", "locale": "pt"})).await;
    assert_eq!(st, StatusCode::UNPROCESSABLE_ENTITY);
    let (st, _, _) = call(json!({"txt": "hi"})).await;
    assert_eq!(st, StatusCode::UNPROCESSABLE_ENTITY);
    let (st, _) = srv
        .raw(
            Method::POST,
            "/v1/nlu/parse",
            &shop.pk,
            "application/json",
            vec![b'['; 2 * 1024 * 1024],
        )
        .await;
    assert_eq!(st, StatusCode::PAYLOAD_TOO_LARGE);
    let (st, _, _) = srv
        .call(
            Method::POST,
            "/v1/nlu/parse",
            None,
            Some(json!({"text": "hi"})),
        )
        .await;
    assert_eq!(st, StatusCode::UNAUTHORIZED);
    // Hostile but valid text is understood, not an error.
    let (st, _, u) = call(json!({"text": "\u{202e}\u{0}😀😀😀 \u{202e}مرحبا"})).await;
    assert_eq!(st, StatusCode::OK, "{u}");
    srv.stop().await;
}

fn product(
    id: &str,
    lang: &str,
    title: &str,
    category: &str,
    tags: &[&str],
    variants: Value,
) -> Value {
    json!({
        "product_id": id, "lang": lang, "title": title, "description": "",
        "category": category, "tags": tags, "variants": variants
    })
}

/// Creates a product; returns its id.
async fn create(srv: &Server, shop: &Shop, p: Value) -> String {
    let (st, _, b) = srv
        .call(Method::POST, "/v1/products", Some(&shop.sk), Some(p))
        .await;
    assert_eq!(st, StatusCode::CREATED, "{b}");
    b["id"].as_str().unwrap().to_string()
}

async fn search(srv: &Server, key: &str, query: &str) -> Value {
    let (st, _, b) = srv
        .call(
            Method::GET,
            &format!("/v1/products/search?{query}"),
            Some(key),
            None,
        )
        .await;
    assert_eq!(st, StatusCode::OK, "{query}: {b}");
    b
}

fn first_sku(b: &Value) -> &str {
    b["items"][0]["sku"].as_str().unwrap_or("")
}

async fn search_finds_across_languages_variants_and_filters(backend: &str) {
    let srv = Server::start(backend, Limits::default()).await;
    let shop = srv.shop("search").await;
    create(&srv, &shop, dress()).await;
    create(&srv, &shop, product("dress-blue", "fr", "Robe bleue en coton", "Robes", &["été"], json!([
        {"sku": "DB-M", "options": {"size": "M", "color": "Bleu"}, "price": "39", "stock": 4}
    ]))).await;
    create(&srv, &shop, product("shirt-sage", "en", "Sage Linen Shirt", "Shirts", &["linen"], json!([
        {"sku": "SH-SAGE-M", "options": {"size": "M", "color": "Sage"}, "price": "49", "stock": 2},
        {"sku": "SH-WHITE-M", "options": {"size": "M", "color": "White"}, "price": "49", "stock": 2}
    ]))).await;
    create(
        &srv,
        &shop,
        product(
            "mug",
            "en",
            "Stoneware Mug",
            "Kitchen",
            &[],
            json!([
                {"sku": "MUG-1", "price": "12", "stock": null}
            ]),
        ),
    )
    .await;

    // An English query finds the French catalogue, and the red variant in M, not just the product.
    let b = search(&srv, &shop.pk, "q=a%20red%20dress%20in%20M&lang=en").await;
    assert_eq!(first_sku(&b), "D-RED-M", "{b}");
    assert_eq!(b["items"][0]["product_id"], "dress-linen");
    assert!(b["items"][0]["variants"].is_array(), "{b}");
    // German colour compound to an English option value.
    let b = search(&srv, &shop.pk, "q=Hemd%20salbeigr%C3%BCn").await;
    assert_eq!(first_sku(&b), "SH-SAGE-M", "{b}");
    // A price read in the text is a filter: the 69.90 dress is out, the 39 one stays.
    let b = search(&srv, &shop.pk, "q=robe%20moins%20de%2050%20%E2%82%AC").await;
    assert_eq!(b["total"], 1, "{b}");
    assert_eq!(first_sku(&b), "DB-M");
    assert_eq!(b["interpretation"]["filters"]["price_max"], "50", "{b}");
    // Explicit filters, in any language.
    let b = search(&srv, &shop.pk, "q=robe&color=rouge").await;
    assert_eq!(b["total"], 1, "{b}");
    assert_eq!(b["items"][0]["product_id"], "dress-linen");
    let b = search(&srv, &shop.pk, "q=robe&price_min=50&price_max=80").await;
    assert_eq!(b["total"], 1, "{b}");
    let b = search(&srv, &shop.pk, "category=kitchen").await;
    assert_eq!(b["total"], 1, "{b}");
    assert_eq!(first_sku(&b), "MUG-1");
    // A typo, and a word still being typed.
    let b = search(&srv, &shop.pk, "q=robbe%20bleue").await;
    assert_eq!(first_sku(&b), "DB-M", "{b}");
    let b = search(&srv, &shop.pk, "q=stonew").await;
    assert_eq!(first_sku(&b), "MUG-1", "{b}");
    // Texts come in the requested language.
    let b = search(&srv, &shop.pk, "q=mug&lang=fr").await;
    assert_eq!(b["items"][0]["title"], "Stoneware Mug", "{b}");
    // Nothing sold here: nothing found (not the whole catalogue).
    let b = search(&srv, &shop.pk, "q=tondeuse%20%C3%A0%20gazon").await;
    assert_eq!(b["total"], 0, "{b}");
    // The debug flag explains every score.
    let b = search(&srv, &shop.pk, "q=robe&debug=true").await;
    let e = &b["items"][0]["explain"];
    for part in [
        "text",
        "coverage",
        "availability",
        "popularity",
        "boost",
        "session",
        "score",
    ] {
        assert!(e[part].is_number(), "{part}: {b}");
    }
    assert!(!e["matched"].as_array().unwrap().is_empty(), "{b}");
    // The session: a rejected colour sinks, a liked one lifts.
    let b = search(&srv, &shop.pk, "q=robe&liked=color:blue").await;
    assert_eq!(first_sku(&b), "DB-M", "{b}");
    // Traits and filters in the shopper's language mean the same.
    let b = search(&srv, &shop.pk, "q=robe&liked=color:bleu").await;
    assert_eq!(first_sku(&b), "DB-M", "{b}");
    let b = search(&srv, &shop.pk, "q=robe&rejected=color:blue").await;
    assert_eq!(b["items"][0]["product_id"], "dress-linen", "{b}");
    // Pagination.
    let b = search(&srv, &shop.pk, "q=&limit=2").await;
    assert_eq!(b["items"].as_array().unwrap().len(), 2);
    assert_eq!(b["next_cursor"], "2", "{b}");
    let b2 = search(&srv, &shop.pk, "q=&limit=2&cursor=2").await;
    assert_eq!(b2["items"].as_array().unwrap().len(), 2);
    assert_ne!(b2["items"][0]["id"], b["items"][0]["id"]);
    assert!(b2["next_cursor"].is_null(), "{b2}");
    // Another tenant searches its own (empty) catalogue.
    let other = srv.shop("search-other").await;
    let b = search(&srv, &other.pk, "q=robe").await;
    assert_eq!(b["total"], 0, "{b}");
    srv.stop().await;
}

async fn search_stays_in_sync_with_writes_and_ranks_by_stock_and_boost(backend: &str) {
    let srv = Server::start(backend, Limits::default()).await;
    let shop = srv.shop("sync").await;
    let a = create(
        &srv,
        &shop,
        product(
            "scarf-a",
            "en",
            "Wool Scarf",
            "Scarves",
            &[],
            json!([
                {"sku": "SCARF-A", "price": "30", "stock": 0}
            ]),
        ),
    )
    .await;
    let b_id = create(
        &srv,
        &shop,
        product(
            "scarf-b",
            "en",
            "Cashmere Scarf Deluxe",
            "Scarves",
            &[],
            json!([
                {"sku": "SCARF-B", "price": "90", "stock": 5}
            ]),
        ),
    )
    .await;
    // Out of stock sinks...
    let b = search(&srv, &shop.pk, "q=scarf").await;
    assert_eq!(first_sku(&b), "SCARF-B", "{b}");
    assert_eq!(b["total"], 2);
    // ...but is still found when asked for by name.
    let b = search(&srv, &shop.pk, "q=wool%20scarf").await;
    assert_eq!(first_sku(&b), "SCARF-A", "{b}");
    // A restock through the API shows at once.
    let (st, _, body) = srv
        .call(
            Method::PATCH,
            &format!("/v1/products/{a}"),
            Some(&shop.sk),
            Some(json!({"variants": [{"sku": "SCARF-A", "price": "30", "stock": 8}]})),
        )
        .await;
    assert_eq!(st, StatusCode::OK, "{body}");
    let b = search(&srv, &shop.pk, "q=scarf&in_stock=true").await;
    assert_eq!(b["total"], 2, "{b}");
    // The merchant's boost moves a product up; sinking it to 0 keeps it findable.
    let (st, _, body) = srv
        .call(
            Method::PUT,
            &format!("/v1/products/{b_id}/boost"),
            Some(&shop.sk),
            Some(json!({"boost": 0})),
        )
        .await;
    assert_eq!(st, StatusCode::OK, "{body}");
    let b = search(&srv, &shop.pk, "q=scarf").await;
    assert_eq!(first_sku(&b), "SCARF-A", "{b}");
    assert_eq!(b["total"], 2);
    let (st, _, _) = srv
        .call(
            Method::PUT,
            &format!("/v1/products/{b_id}/boost"),
            Some(&shop.pk),
            Some(json!({"boost": 3})),
        )
        .await;
    assert_eq!(st, StatusCode::FORBIDDEN);
    // Concurrent searches while products are created: every product is found afterwards.
    let base = srv.base.clone();
    let pk = shop.pk.clone();
    let readers: Vec<_> = (0..4)
        .map(|_| {
            let (base, pk) = (base.clone(), pk.clone());
            tokio::spawn(async move {
                let http = Client::new();
                for _ in 0..15 {
                    let r = http
                        .get(format!("{base}/v1/products/search?q=lamp"))
                        .bearer_auth(&pk)
                        .send()
                        .await
                        .unwrap();
                    assert_eq!(r.status(), StatusCode::OK);
                }
            })
        })
        .collect();
    for i in 0..12 {
        create(
            &srv,
            &shop,
            product(
                &format!("lamp-{i}"),
                "en",
                &format!("Desk Lamp {i}"),
                "Lighting",
                &[],
                json!([
                    {"sku": format!("LAMP-{i}"), "price": "25", "stock": 3}
                ]),
            ),
        )
        .await;
    }
    for r in readers {
        r.await.unwrap();
    }
    let b = search(&srv, &shop.pk, "q=lamp&limit=50").await;
    assert_eq!(b["total"], 12, "{b}");
    // A delete leaves the index too; an import (another path) is picked up by version.
    let (st, _, _) = srv
        .call(
            Method::DELETE,
            &format!("/v1/products/{a}"),
            Some(&shop.sk),
            None,
        )
        .await;
    assert_eq!(st, StatusCode::NO_CONTENT);
    let b = search(&srv, &shop.pk, "q=wool%20scarf").await;
    assert!(
        b["items"]
            .as_array()
            .unwrap()
            .iter()
            .all(|i| i["product_id"] != "scarf-a"),
        "{b}"
    );
    let csv = "sku,product_id,title,description,category,brand,price,currency,compare_at_price,stock,tags,image_url,option1_name,option1_value,option2_name,option2_value,digital,lang\nKETTLE-1,kettle,Electric Kettle,,Kitchen,,35,EUR,,4,,,,,,,false,en\n";
    let (st, body) = srv
        .raw(
            Method::POST,
            "/v1/catalogue/imports",
            &shop.sk,
            "text/csv",
            csv.as_bytes().to_vec(),
        )
        .await;
    assert!(st.is_success(), "{body}");
    let b = search(&srv, &shop.pk, "q=kettle").await;
    assert_eq!(first_sku(&b), "KETTLE-1", "{b}");
    srv.stop().await;
}

async fn search_refuses_bad_input(backend: &str) {
    let srv = Server::start(backend, Limits::default()).await;
    let shop = srv.shop("bad-search").await;
    for (q, status, code) in [
        (
            "q=robe&limit=0",
            StatusCode::UNPROCESSABLE_ENTITY,
            "validation_failed",
        ),
        (
            "q=robe&limit=51",
            StatusCode::UNPROCESSABLE_ENTITY,
            "validation_failed",
        ),
        (
            "q=robe&cursor=abc",
            StatusCode::BAD_REQUEST,
            "invalid_request",
        ),
        (
            "q=robe&price_max=cheap",
            StatusCode::UNPROCESSABLE_ENTITY,
            "validation_failed",
        ),
        (
            "q=robe&liked=mood:happy",
            StatusCode::UNPROCESSABLE_ENTITY,
            "validation_failed",
        ),
        (
            "q=robe&lang=klingon",
            StatusCode::UNPROCESSABLE_ENTITY,
            "validation_failed",
        ),
    ] {
        let (st, ct, b) = srv
            .call(
                Method::GET,
                &format!("/v1/products/search?{q}"),
                Some(&shop.pk),
                None,
            )
            .await;
        assert_problem(st, &ct, &b, status, code);
    }
    let long = "a".repeat(600);
    let (st, ct, b) = srv
        .call(
            Method::GET,
            &format!("/v1/products/search?q={long}"),
            Some(&shop.pk),
            None,
        )
        .await;
    assert_problem(
        st,
        &ct,
        &b,
        StatusCode::UNPROCESSABLE_ENTITY,
        "validation_failed",
    );
    // Hostile text is just text.
    let b = search(
        &srv,
        &shop.pk,
        "q=%3Cscript%3E%27%3B%20DROP%20TABLE%20products%3B--%20%F0%9F%98%80",
    )
    .await;
    assert_eq!(b["total"], 0, "{b}");
    let (st, ct, b) = srv
        .call(Method::GET, "/v1/products/search?q=x", None, None)
        .await;
    assert_problem(st, &ct, &b, StatusCode::UNAUTHORIZED, "unauthorized");
    let (st, ct, b) = srv
        .call(
            Method::GET,
            "/v1/products/nope/recommendations",
            Some(&shop.pk),
            None,
        )
        .await;
    assert_problem(st, &ct, &b, StatusCode::NOT_FOUND, "not_found");
    srv.stop().await;
}

async fn recommendations_similar_upsell_rules_and_orders(backend: &str) {
    let srv = Server::start(backend, Limits::default()).await;
    let shop = srv.shop("recs").await;
    let a = create(&srv, &shop, product("dress-a", "en", "Linen Summer Dress", "Dresses", &["summer"], json!([
        {"sku": "DA-M", "options": {"size": "M", "color": "Red"}, "price": "70", "stock": 3},
        {"sku": "DA-L", "options": {"size": "L", "color": "Blue"}, "price": "70", "stock": 3}
    ]))).await;
    let b = create(
        &srv,
        &shop,
        product(
            "dress-b",
            "en",
            "Linen Evening Dress",
            "Dresses",
            &["evening"],
            json!([
                {"sku": "DB-M", "price": "80", "stock": 2}
            ]),
        ),
    )
    .await;
    create(
        &srv,
        &shop,
        product(
            "dress-c",
            "en",
            "Couture Gown Dress",
            "Dresses",
            &[],
            json!([
                {"sku": "DC-M", "price": "400", "stock": 1}
            ]),
        ),
    )
    .await;
    create(
        &srv,
        &shop,
        product(
            "hat",
            "en",
            "Straw Hat",
            "Hats",
            &["summer"],
            json!([
                {"sku": "HAT-1", "price": "25", "stock": 5}
            ]),
        ),
    )
    .await;
    let belt = create(
        &srv,
        &shop,
        product(
            "belt",
            "en",
            "Leather Belt",
            "Belts",
            &[],
            json!([
                {"sku": "BELT-1", "price": "35", "stock": 5}
            ]),
        ),
    )
    .await;
    create(
        &srv,
        &shop,
        product(
            "mug",
            "en",
            "Stoneware Mug",
            "Kitchen",
            &[],
            json!([
                {"sku": "MUG-1", "price": "12", "stock": 9}
            ]),
        ),
    )
    .await;

    let path = format!("/v1/products/{a}/recommendations");
    let (st, _, r) = srv.call(Method::GET, &path, Some(&shop.pk), None).await;
    assert_eq!(st, StatusCode::OK, "{r}");
    let ids = |list: &Value| -> Vec<String> {
        list.as_array()
            .unwrap()
            .iter()
            .map(|i| i["product_id"].as_str().unwrap().to_string())
            .collect()
    };
    assert_eq!(ids(&r["similar"])[0], "dress-b", "{r}");
    // Upsell: same category, dearer, within the price + 20% (400 is out).
    assert_eq!(ids(&r["upsell"]), vec!["dress-b"], "{r}");
    // Before any order, bought-together comes from shared tags in other categories.
    assert_eq!(ids(&r["bought_together"]), vec!["hat"], "{r}");
    assert!(r["cross_sell"].as_array().unwrap().is_empty());
    // A bigger budget opens the gown.
    let (_, _, r) = srv
        .call(
            Method::GET,
            &format!("{path}?budget=400"),
            Some(&shop.pk),
            None,
        )
        .await;
    assert!(ids(&r["upsell"]).contains(&"dress-c".to_string()), "{r}");
    // The merchant's rule; a public key may not write rules.
    let (st, _, _) = srv
        .call(
            Method::POST,
            "/v1/recommendation-rules",
            Some(&shop.pk),
            Some(json!({"category": "Dresses", "target_product_id": belt})),
        )
        .await;
    assert_eq!(st, StatusCode::FORBIDDEN);
    let (st, _, rule) = srv
        .call(
            Method::POST,
            "/v1/recommendation-rules",
            Some(&shop.sk),
            Some(json!({"category": "dresses", "target_product_id": belt})),
        )
        .await;
    assert_eq!(st, StatusCode::CREATED, "{rule}");
    let (st, ct, e) = srv
        .call(
            Method::POST,
            "/v1/recommendation-rules",
            Some(&shop.sk),
            Some(json!({"product_id": a, "target_product_id": "nope"})),
        )
        .await;
    assert_problem(
        st,
        &ct,
        &e,
        StatusCode::UNPROCESSABLE_ENTITY,
        "validation_failed",
    );
    let (_, _, r) = srv.call(Method::GET, &path, Some(&shop.pk), None).await;
    assert_eq!(ids(&r["cross_sell"]), vec!["belt"], "{r}");
    assert_eq!(r["cross_sell"][0]["reason"], "recommended by the shop");
    // Orders teach bought-together and popularity.
    let t = srv.store.tenant_by_slug("recs").await.unwrap().unwrap();
    for _ in 0..2 {
        srv.store
            .create_order(
                &t,
                &[
                    comptoir_domain::OrderLineRequest {
                        sku: "DA-M".into(),
                        quantity: 1,
                    },
                    comptoir_domain::OrderLineRequest {
                        sku: "MUG-1".into(),
                        quantity: 1,
                    },
                ],
                None,
            )
            .await
            .unwrap();
    }
    let (_, _, r) = srv.call(Method::GET, &path, Some(&shop.pk), None).await;
    assert_eq!(ids(&r["bought_together"])[0], "mug", "{r}");
    assert!(
        r["bought_together"][0]["reason"]
            .as_str()
            .unwrap()
            .contains("2 order"),
        "{r}"
    );
    // The session: a rejected product is never offered; a liked colour picks the variant.
    let (_, _, r) = srv
        .call(
            Method::GET,
            &format!("/v1/products/{b}/recommendations?rejected=product:{a}"),
            Some(&shop.pk),
            None,
        )
        .await;
    assert!(!ids(&r["similar"]).contains(&"dress-a".to_string()), "{r}");
    let (_, _, r) = srv
        .call(
            Method::GET,
            &format!("/v1/products/{b}/recommendations?liked=color:blue"),
            Some(&shop.pk),
            None,
        )
        .await;
    let da = r["similar"]
        .as_array()
        .unwrap()
        .iter()
        .find(|i| i["product_id"] == "dress-a")
        .unwrap();
    assert_eq!(da["sku"], "DA-L", "{r}");
    // Rules list and delete.
    let (_, _, list) = srv
        .call(
            Method::GET,
            "/v1/recommendation-rules",
            Some(&shop.sk),
            None,
        )
        .await;
    assert_eq!(list["items"].as_array().unwrap().len(), 1, "{list}");
    let rid = rule["id"].as_str().unwrap();
    let (st, _, _) = srv
        .call(
            Method::DELETE,
            &format!("/v1/recommendation-rules/{rid}"),
            Some(&shop.sk),
            None,
        )
        .await;
    assert_eq!(st, StatusCode::NO_CONTENT);
    srv.stop().await;
}
