//! The admin's own pages over real HTTP: the inbox (escaping, takeover), roles, settings
//! (keys shown once, branding checked), the templates & FAQ editor (reply wordings the agent
//! then uses, intent examples that retrain the shop's model) and the onboarding steps.

use super::*;

// Registered here rather than with the others in `api.rs`: `admin_pages::{sqlite,postgres}::…`.
on_both_backends!(
    admin_inbox_filters_by_status_before_paging,
    admin_message_to_a_conversation_handed_back_keeps_the_text,
    admin_product_save_keeps_stock_moved_meanwhile,
    admin_pages_speak_the_admins_language,
);

/// The signed-up shop's tenant and a fresh public key for it.
async fn shop_keys(s: &Server, slug: &str) -> (comptoir_domain::Tenant, String, String) {
    let t = s.store.tenant_by_slug(slug).await.unwrap().unwrap();
    let pk = NewApiKey::generate(&t.id, KeyKind::Public, "test widget");
    let sk = NewApiKey::generate(&t.id, KeyKind::Secret, "test secret");
    s.store.insert_api_key(&pk).await.unwrap();
    s.store.insert_api_key(&sk).await.unwrap();
    (t, pk.token, sk.token)
}

async fn say(s: &Server, pk: &str, conv: &str, text: &str) -> Value {
    let (status, _, body) = s
        .call(
            Method::POST,
            &format!("/v1/conversations/{conv}/messages"),
            Some(pk),
            Some(json!({ "text": text })),
        )
        .await;
    assert_eq!(status, StatusCode::OK, "{body}");
    body
}

async fn conversation(s: &Server, pk: &str) -> String {
    let (status, _, body) = s
        .call(
            Method::POST,
            "/v1/conversations",
            Some(pk),
            Some(json!({"locale": "en"})),
        )
        .await;
    assert_eq!(status, StatusCode::CREATED, "{body}");
    body["id"].as_str().unwrap().to_string()
}

pub async fn admin_inbox_escapes_and_takes_over(backend: &str) {
    let s = Server::start(backend, Limits::default()).await;
    let owner = AdminClient::signup(&s, "Inbox Shop", "o@inbox.example").await;
    let (_, pk, _) = shop_keys(&s, "inbox-shop").await;
    let conv = conversation(&s, &pk).await;
    say(
        &s,
        &pk,
        &conv,
        "<script>alert('x')</script> hello <img src=x onerror=alert(1)>",
    )
    .await;

    let (status, list) = owner.get("/admin/inbox").await;
    assert_eq!(status, StatusCode::OK);
    assert!(
        list.contains(&conv[conv.len() - 8..]),
        "the conversation is listed"
    );
    assert!(
        list.contains("&lt;script&gt;alert(") && !list.contains("<script>alert"),
        "the shopper's last message previewed, escaped"
    );
    let (status, page) = owner.get(&format!("/admin/inbox/{conv}")).await;
    assert_eq!(status, StatusCode::OK);
    assert!(
        !page.contains("<script>alert"),
        "a shopper's script ran in the admin"
    );
    assert!(!page.contains("<img src=x"), "a shopper's tag was rendered");
    assert!(
        page.contains("&lt;script&gt;alert("),
        "the text is shown, escaped"
    );
    assert!(
        page.contains(" ms<") || page.contains(" s<"),
        "the turn's timing is shown: {page}"
    );

    // Take over, answer, the bot pauses, hand back.
    let (status, _, to) = owner
        .post(&format!("/admin/inbox/{conv}/takeover"), &[])
        .await;
    assert_eq!(status, StatusCode::SEE_OTHER);
    assert!(to.unwrap().starts_with(&format!("/admin/inbox/{conv}")));
    let (status, _, _) = owner
        .post(
            &format!("/admin/inbox/{conv}/message"),
            &[("text", "Hi, Owner here <b>bold</b>")],
        )
        .await;
    assert_eq!(status, StatusCode::SEE_OTHER);
    let reply = say(&s, &pk, &conv, "thanks, do you have it in blue?").await;
    assert_eq!(reply["human"], true, "{reply}");
    assert_eq!(reply["reply"]["text"], "", "the bot stays quiet: {reply}");
    let (_, page) = owner.get(&format!("/admin/inbox/{conv}")).await;
    assert!(
        page.contains("Owner here &lt;b&gt;bold&lt;&#x2f;b&gt;"),
        "the person's message, escaped"
    );
    assert!(page.contains("in blue?"));
    assert!(page.contains("Hand back"));
    let (_, _, body) = s
        .call(
            Method::GET,
            &format!("/v1/conversations/{conv}"),
            Some(&pk),
            None,
        )
        .await;
    assert!(
        body["turns"]
            .as_array()
            .unwrap()
            .iter()
            .any(|t| t["input"]["staff"]["by"] == "Owner"),
        "{body}"
    );
    let (status, _, _) = owner
        .post(&format!("/admin/inbox/{conv}/handback"), &[])
        .await;
    assert_eq!(status, StatusCode::SEE_OTHER);
    let reply = say(&s, &pk, &conv, "hello").await;
    assert_eq!(reply["human"], false, "{reply}");
    assert_ne!(reply["reply"]["text"], "");

    // The live endpoints answer JSON for the page's script.
    let (status, live) = owner.get("/admin/inbox/live").await;
    assert_eq!(status, StatusCode::OK);
    assert!(serde_json::from_str::<Value>(&live)
        .unwrap()
        .as_array()
        .unwrap()
        .iter()
        .any(|c| c["id"] == conv.as_str()));
    let (status, turns) = owner
        .get(&format!("/admin/inbox/{conv}/turns?after=2"))
        .await;
    assert_eq!(status, StatusCode::OK);
    let turns: Value = serde_json::from_str(&turns).unwrap();
    assert!(turns["turns"]
        .as_array()
        .unwrap()
        .iter()
        .all(|t| t["seq"].as_i64().unwrap() > 2));
    // Staff messages without the token change nothing.
    let (status, _, _) = owner
        .post_raw(&format!("/admin/inbox/{conv}/takeover"), &[])
        .await;
    assert_eq!(status, StatusCode::FORBIDDEN);
    s.stop().await;
}

pub async fn admin_agents_answer_but_do_not_administer(backend: &str) {
    let s = Server::start(backend, Limits::default()).await;
    let owner = AdminClient::signup(&s, "Team Shop", "o@team.example").await;
    let (status, _, _) = owner
        .post(
            "/admin/settings/users",
            &[
                ("name", "Alex"),
                ("email", "alex@team.example"),
                ("password", "agent password 1"),
                ("role", "agent"),
            ],
        )
        .await;
    assert_eq!(status, StatusCode::SEE_OTHER);
    let (status, html, _) = owner
        .post(
            "/admin/settings/users",
            &[
                ("name", "Al"),
                ("email", "al@team.example"),
                ("password", "short"),
                ("role", "agent"),
            ],
        )
        .await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(html.contains("password"));
    let agent = AdminClient::login(&s, "alex@team.example", "agent password 1")
        .await
        .expect("agent signs in");
    assert_eq!(agent.get("/admin/inbox").await.0, StatusCode::OK);
    assert_eq!(agent.get("/admin/orders").await.0, StatusCode::OK);
    assert_eq!(agent.get("/admin/settings").await.0, StatusCode::FORBIDDEN);
    assert_eq!(agent.get("/admin/templates").await.0, StatusCode::FORBIDDEN);
    let (status, _, _) = agent
        .post(
            "/admin/settings/keys",
            &[("name", "mine"), ("kind", "secret")],
        )
        .await;
    assert_eq!(status, StatusCode::FORBIDDEN);
    // Removing a teammate ends their sessions.
    let (_, html) = owner.get("/admin/settings").await;
    let id = html
        .split("/admin/settings/users/")
        .nth(1)
        .unwrap()
        .split('/')
        .next()
        .unwrap()
        .to_string();
    let (status, _, _) = owner
        .post(&format!("/admin/settings/users/{id}/remove"), &[])
        .await;
    assert_eq!(status, StatusCode::SEE_OTHER);
    assert_eq!(
        agent.get("/admin/inbox").await.0,
        StatusCode::SEE_OTHER,
        "signed out"
    );
    s.stop().await;
}

pub async fn admin_settings_keys_branding_and_shop(backend: &str) {
    let s = Server::start(backend, Limits::default()).await;
    let owner = AdminClient::signup(&s, "Keys Shop", "o@keys.example").await;
    let (status, html, _) = owner
        .post(
            "/admin/settings/keys",
            &[("name", "sync"), ("kind", "secret")],
        )
        .await;
    assert_eq!(status, StatusCode::OK);
    let token = html
        .split("value=\"sk_")
        .nth(1)
        .map(|r| format!("sk_{}", r.split('"').next().unwrap()))
        .expect("the key is shown once");
    let (status, _, _) = s.call(Method::GET, "/v1/orders", Some(&token), None).await;
    assert_eq!(status, StatusCode::OK, "the new key works");
    let (_, html) = owner.get("/admin/settings").await;
    assert!(!html.contains(&token), "never shown again");
    let key_id = html.split("/admin/settings/keys/").find_map(|r| {
        let id = r.split('/').next().unwrap();
        (id.starts_with("key_") && html.contains("sync")).then(|| id.to_string())
    });
    let mut revoked = false;
    for id in html
        .split("/admin/settings/keys/")
        .skip(1)
        .map(|r| r.split('/').next().unwrap().to_string())
    {
        let (status, _, _) = owner
            .post(&format!("/admin/settings/keys/{id}/revoke"), &[])
            .await;
        assert_eq!(status, StatusCode::SEE_OTHER);
        revoked = true;
    }
    assert!(revoked && key_id.is_some());
    let (status, _, _) = s.call(Method::GET, "/v1/orders", Some(&token), None).await;
    assert_eq!(status, StatusCode::UNAUTHORIZED, "revoked at once");

    let (status, html, _) = owner
        .post(
            "/admin/settings/branding",
            &[
                ("widget_color", "red; background:url(x)"),
                ("widget_name", "Bot"),
            ],
        )
        .await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(html.contains("widget.color"));
    let (status, _, _) = owner
        .post(
            "/admin/settings/branding",
            &[
                ("widget_color", "#AA3300"),
                ("widget_name", "<b>Bot</b>"),
                ("widget_welcome", "Hi!"),
            ],
        )
        .await;
    assert_eq!(status, StatusCode::SEE_OTHER);
    let t = s.store.tenant_by_slug("keys-shop").await.unwrap().unwrap();
    assert_eq!(t.settings.widget.color.as_deref(), Some("#aa3300"));
    let (_, html) = owner.get("/admin/settings").await;
    assert!(html.contains("&lt;b&gt;Bot&lt;&#x2f;b&gt;") && !html.contains("<b>Bot</b>"));

    let (status, _, _) = owner
        .post(
            "/admin/settings/shop",
            &[
                ("name", "Keys & Co"),
                ("currency", "CHF"),
                ("default_locale", "de"),
                ("locale_fr", "on"),
            ],
        )
        .await;
    assert_eq!(status, StatusCode::SEE_OTHER);
    let t = s.store.tenant_by_slug("keys-shop").await.unwrap().unwrap();
    assert_eq!((t.name.as_str(), t.currency.as_str()), ("Keys & Co", "CHF"));
    assert_eq!(
        t.locales.iter().map(|l| l.as_str()).collect::<Vec<_>>(),
        ["de", "fr"]
    );
    let (status, _, _) = owner
        .post(
            "/admin/settings/shop",
            &[("name", "X"), ("currency", "EURO")],
        )
        .await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY);
    s.stop().await;
}

pub async fn admin_templates_editor_changes_what_the_agent_says_and_understands(backend: &str) {
    let s = Server::start(backend, Limits::default()).await;
    let owner = AdminClient::signup(&s, "Words Shop", "o@words.example").await;
    let (_, pk, _) = shop_keys(&s, "words-shop").await;

    // A reply in the merchant's words; a wording that drops a placeholder is refused.
    let (status, html, _) = owner
        .post(
            "/admin/templates",
            &[
                ("section", "reply"),
                ("key", "greet_fallback"),
                ("lang", "en"),
                ("text", "Howdy, partner!"),
            ],
        )
        .await;
    assert_eq!(
        status,
        StatusCode::UNPROCESSABLE_ENTITY,
        "greet_fallback needs {{shop}}"
    );
    assert!(html.contains("shop"));
    let (status, _, _) = owner
        .post(
            "/admin/templates",
            &[
                ("section", "reply"),
                ("key", "thanks"),
                ("lang", "en"),
                ("text", "Cheers from the whole team!"),
            ],
        )
        .await;
    assert_eq!(status, StatusCode::SEE_OTHER);
    let conv = conversation(&s, &pk).await;
    let reply = say(&s, &pk, &conv, "thanks").await;
    assert!(
        reply["reply"]["text"]
            .as_str()
            .unwrap()
            .contains("Cheers from the whole team!"),
        "{reply}"
    );

    // FAQ answers replace the template's.
    let (status, _, _) = owner
        .post(
            "/admin/templates",
            &[
                ("section", "faq"),
                (
                    "faq.shipping.en",
                    "We ship by bike courier within the city.",
                ),
            ],
        )
        .await;
    assert_eq!(status, StatusCode::SEE_OTHER);
    let t = s.store.tenant_by_slug("words-shop").await.unwrap().unwrap();
    assert_eq!(
        t.settings.faq["shipping"]["en"],
        "We ship by bike courier within the city."
    );

    // The shop's own phrasings retrain its model: a made-up phrase becomes a handover.
    let parse = |text: &'static str| {
        let s = &s;
        let pk = pk.clone();
        async move {
            let (_, _, body) = s
                .call(
                    Method::POST,
                    "/v1/nlu/parse",
                    Some(&pk),
                    Some(json!({"text": text, "locale": "en"})),
                )
                .await;
            body["intent"].as_str().unwrap_or("").to_string()
        }
    };
    assert_ne!(parse("fetch me the zorblax keeper").await, "talk_to_human");
    let (status, _, to) = owner
        .post(
            "/admin/templates",
            &[
                ("section", "examples"),
                ("intent", "talk_to_human"),
                ("lang", "en"),
                ("text", "fetch me the zorblax keeper\nI want the zorblax keeper\nzorblax keeper please\ncall the zorblax keeper\nget me the zorblax keeper now"),
            ],
        )
        .await;
    assert_eq!(status, StatusCode::SEE_OTHER);
    assert!(
        to.unwrap().contains("retrained"),
        "the merchant is told the model was retrained"
    );
    assert_eq!(parse("fetch me the zorblax keeper").await, "talk_to_human");
    let (status, html, _) = owner
        .post(
            "/admin/templates",
            &[
                ("section", "examples"),
                ("intent", "make_coffee"),
                ("lang", "en"),
                ("text", "espresso"),
            ],
        )
        .await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(html.contains("make_coffee"));

    let (status, _, _) = owner
        .post(
            "/admin/templates",
            &[("section", "template"), ("template", "fashion")],
        )
        .await;
    assert_eq!(status, StatusCode::SEE_OTHER);
    let (status, _, _) = owner
        .post(
            "/admin/templates",
            &[("section", "template"), ("template", "../../etc")],
        )
        .await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY);
    s.stop().await;
}

pub async fn admin_onboarding_steps(backend: &str) {
    let s = Server::start(backend, Limits::default()).await;
    let owner = AdminClient::signup(&s, "Fresh Shop", "o@fresh.example").await;
    let (status, html) = owner.get("/admin/onboarding").await;
    assert_eq!(status, StatusCode::OK);
    assert!(
        html.contains("enctype=\"multipart/form-data\""),
        "the import step has the upload form"
    );
    let (status, _, to) = owner
        .post("/admin/onboarding/template", &[("template", "services")])
        .await;
    assert_eq!(
        (status, to.as_deref()),
        (StatusCode::SEE_OTHER, Some("/admin/onboarding?step=brand"))
    );
    let (status, _, to) = owner
        .post(
            "/admin/onboarding/brand",
            &[
                ("widget_name", "Ava"),
                ("widget_color", "#112233"),
                ("widget_welcome", "Hello!"),
            ],
        )
        .await;
    assert_eq!(
        (status, to.as_deref()),
        (
            StatusCode::SEE_OTHER,
            Some("/admin/onboarding?step=snippet")
        )
    );
    let (_, html) = owner.get("/admin/onboarding?step=snippet").await;
    let pk = html
        .split("data-key=&quot;")
        .nth(1)
        .map(|r| r.split('&').next().unwrap().to_string())
        .expect("snippet with a key");
    assert!(pk.starts_with("pk_"));
    assert!(html.contains("widget.js"));
    let (status, _, body) = s
        .call(Method::GET, "/v1/widget/config", Some(&pk), None)
        .await;
    assert_eq!(status, StatusCode::OK, "the snippet's key works: {body}");
    assert_eq!(body["name"], "Ava", "{body}");
    let (_, html) = owner.get("/admin/onboarding?step=test").await;
    assert!(
        html.contains(&format!("data-key=\"{pk}\"")),
        "the test step embeds the real widget"
    );
    let (status, _, _) = owner
        .post("/admin/onboarding/template", &[("template", "nope")])
        .await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY);
    s.stop().await;
}

/// The `href` of the first link starting with `prefix`, as the browser reads it.
fn link(html: &str, prefix: &str) -> Option<String> {
    let at = html.find(&format!("href=\"{prefix}"))? + 6;
    let rest = &html[at..];
    Some(rest[..rest.find('"')?].replace("&amp;", "&"))
}

pub async fn admin_inbox_filters_by_status_before_paging(backend: &str) {
    let s = Server::start(backend, Limits::default()).await;
    let owner = AdminClient::signup(&s, "Filter Shop", "o@filter.example").await;
    let (t, pk, sk) = shop_keys(&s, "filter-shop").await;
    let conv = conversation(&s, &pk).await;
    say(&s, &pk, &conv, "I would like to talk to someone").await;
    let (status, _, _) = owner
        .post(&format!("/admin/inbox/{conv}/takeover"), &[])
        .await;
    assert_eq!(status, StatusCode::SEE_OTHER);
    // 55 open conversations, all newer than the one taken over: more than a page (50).
    tokio::time::sleep(std::time::Duration::from_millis(5)).await;
    for _ in 0..55 {
        s.store
            .create_conversation(&t.id, "web", Some("en"), "{}")
            .await
            .unwrap();
    }
    let short = &conv[conv.len() - 8..];
    let (status, all) = owner.get("/admin/inbox").await;
    assert_eq!(status, StatusCode::OK);
    assert!(!all.contains(short), "the newest 50 are all open");
    let (status, human) = owner.get("/admin/inbox?status=human").await;
    assert_eq!(status, StatusCode::OK);
    assert!(
        human.contains(short) && human.contains("badge human"),
        "the taken-over conversation is on the filtered list's first page: {human}"
    );
    assert!(!human.contains("badge open"), "only taken-over ones");
    assert!(link(&human, "/admin/inbox?cursor=").is_none(), "one page");
    // The live refresh of that page keeps the filter, and finds it too.
    assert!(human.contains(r#"data-live="/admin/inbox/live?status=human""#));
    let (status, live) = owner.get("/admin/inbox/live?status=human").await;
    assert_eq!(status, StatusCode::OK);
    let live: Value = serde_json::from_str(&live).unwrap();
    assert_eq!(live.as_array().unwrap().len(), 1, "{live}");
    assert_eq!(live[0]["id"], conv.as_str());

    // The API filters the same way; an unknown status is refused.
    let (status, _, list) = s
        .call(
            Method::GET,
            "/v1/conversations?status=human&limit=10",
            Some(&sk),
            None,
        )
        .await;
    assert_eq!(status, StatusCode::OK, "{list}");
    let items = list["items"].as_array().unwrap();
    assert_eq!(items.len(), 1, "{list}");
    assert_eq!(items[0]["id"], conv.as_str());
    assert_eq!(items[0]["status"], "human");
    assert!(list["next_cursor"].is_null());
    let (_, _, open) = s
        .call(
            Method::GET,
            "/v1/conversations?status=open&limit=50",
            Some(&sk),
            None,
        )
        .await;
    assert_eq!(open["items"].as_array().unwrap().len(), 50);
    let cursor = open["next_cursor"].as_str().unwrap();
    let (_, _, rest) = s
        .call(
            Method::GET,
            &format!("/v1/conversations?status=open&limit=50&cursor={cursor}"),
            Some(&sk),
            None,
        )
        .await;
    assert_eq!(rest["items"].as_array().unwrap().len(), 5, "{rest}");
    let (_, _, every) = s
        .call(Method::GET, "/v1/conversations?status=", Some(&sk), None)
        .await;
    assert_eq!(every["items"].as_array().unwrap().len(), 50, "{every}");
    let (st, ct, b) = s
        .call(
            Method::GET,
            "/v1/conversations?status=nonsense",
            Some(&sk),
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

    // Only the first page refreshes live: the live list (the newest) must not replace a
    // later page. The filter follows the pages.
    let (_, first) = owner.get("/admin/inbox?status=open").await;
    assert!(first.contains(r#"data-live="/admin/inbox/live?status=open""#));
    let older = link(&first, "/admin/inbox?cursor=").expect("a second page");
    assert!(older.ends_with("&status=open"), "{older}");
    let (status, second) = owner.get(&older).await;
    assert_eq!(status, StatusCode::OK);
    assert!(!second.contains("data-live"), "a later page is not live");
    assert!(!second.contains(short), "open ones only");
    assert_eq!(second.matches("badge open").count(), 5, "{second}");
    assert_eq!(
        link(&second, "/admin/inbox?status=").as_deref(),
        Some("/admin/inbox?status=open"),
        "a way back to the newest"
    );
    let (_, unfiltered) = owner.get("/admin/inbox").await;
    assert!(unfiltered.contains(r#"data-live="/admin/inbox/live""#));
    s.stop().await;
}

pub async fn admin_message_to_a_conversation_handed_back_keeps_the_text(backend: &str) {
    let s = Server::start(backend, Limits::default()).await;
    let owner = AdminClient::signup(&s, "Draft Shop", "o@draft.example").await;
    let (_, pk, sk) = shop_keys(&s, "draft-shop").await;
    let conv = conversation(&s, &pk).await;
    say(&s, &pk, &conv, "hello, is anyone there?").await;
    let (status, _, _) = owner
        .post(&format!("/admin/inbox/{conv}/takeover"), &[])
        .await;
    assert_eq!(status, StatusCode::SEE_OTHER);
    let (_, page) = owner.get(&format!("/admin/inbox/{conv}")).await;
    assert!(
        page.contains(r#"id="conv-changed" role="status""#),
        "the live transcript's notice has its place"
    );
    // A teammate hands it back while the owner types.
    let (status, _, _) = s
        .call(
            Method::POST,
            &format!("/v1/conversations/{conv}/handback"),
            Some(&sk),
            Some(json!({"by": "Marie"})),
        )
        .await;
    assert_eq!(status, StatusCode::OK);
    let typed = "Yes, <b>I am</b> here";
    let kept = "Yes, &lt;b&gt;I am&lt;&#x2f;b&gt; here";
    let (status, html, _) = owner
        .post(&format!("/admin/inbox/{conv}/message"), &[("text", typed)])
        .await;
    assert_eq!(status, StatusCode::CONFLICT);
    assert!(
        html.contains(
            "This conversation is no longer taken over: take it over again to send your message."
        ),
        "an admin-worded error: {html}"
    );
    assert!(
        !html.contains("not_taken_over") && !html.contains("/v1/conversations"),
        "not the API's problem detail: {html}"
    );
    assert!(html.contains(r#"role="alert""#));
    let area = &html[html.find(r#"id="staff-text""#).expect("a message box")..];
    assert!(
        area[..area.find("</textarea>").unwrap()].contains(kept),
        "the typed text is kept, escaped: {area}"
    );
    assert!(!html.contains("<b>I am</b>"));
    let (_, _, t) = s
        .call(
            Method::GET,
            &format!("/v1/conversations/{conv}"),
            Some(&pk),
            None,
        )
        .await;
    assert_eq!(t["status"], "open");
    assert!(
        !t["turns"]
            .as_array()
            .unwrap()
            .iter()
            .any(|t| t["reply"]["text"] == typed),
        "nothing was sent: {t}"
    );
    // Taking it over again from that page keeps the text, ready to send.
    let (status, html, _) = owner
        .post(&format!("/admin/inbox/{conv}/takeover"), &[("text", typed)])
        .await;
    assert_eq!(status, StatusCode::OK);
    let form = &html[html
        .find(&format!(r#"action="/admin/inbox/{conv}/message""#))
        .expect("the send form")..];
    assert!(
        form[..form.find("</form>").unwrap()].contains(kept),
        "{form}"
    );
    let (status, _, _) = owner
        .post(&format!("/admin/inbox/{conv}/message"), &[("text", typed)])
        .await;
    assert_eq!(status, StatusCode::SEE_OTHER);
    let (_, _, t) = s
        .call(
            Method::GET,
            &format!("/v1/conversations/{conv}"),
            Some(&pk),
            None,
        )
        .await;
    assert_eq!(t["status"], "human");
    assert!(
        t["turns"]
            .as_array()
            .unwrap()
            .iter()
            .any(|t| t["input"]["staff"]["event"] == "message" && t["reply"]["text"] == typed),
        "{t}"
    );
    // Other failures are still error pages: an empty message.
    let (status, _, _) = owner
        .post(&format!("/admin/inbox/{conv}/message"), &[("text", " ")])
        .await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY);
    s.stop().await;
}

/// Saving a product's text with its stock field untouched never writes back the stock the
/// page showed: an order placed after the page was opened keeps its decrement.
pub async fn admin_product_save_keeps_stock_moved_meanwhile(backend: &str) {
    let s = Server::start(backend, Limits::default()).await;
    let owner = AdminClient::signup(&s, "Stock Shop", "o@stock.example").await;
    let (t, _, sk) = shop_keys(&s, "stock-shop").await;
    let (status, _, p) = s
        .call(Method::POST, "/v1/products", Some(&sk), Some(dress()))
        .await;
    assert_eq!(status, StatusCode::CREATED, "{p}");
    let id = p["id"].as_str().unwrap().to_string();
    let (status, _) = owner.get(&format!("/admin/catalogue/products/{id}")).await;
    assert_eq!(status, StatusCode::OK);
    // The page showed stock 3 for D-RED-M; an order takes one before the merchant saves.
    let lines = [comptoir_domain::OrderLineRequest {
        sku: "D-RED-M".into(),
        quantity: 1,
    }];
    s.store.create_order(&t, &lines, None).await.unwrap();
    let (status, html, _) = owner
        .post(
            &format!("/admin/catalogue/products/{id}"),
            &[
                ("title", "Robe en lin lavé"),
                ("description", "Légère."),
                ("sku.0", "D-RED-M"),
                ("price.0", "69.90"),
                ("price_was.0", "69.90"),
                ("stock.0", "3"),
                ("stock_was.0", "3"),
                ("sku.1", "D-RED-L"),
                ("price.1", "69.90"),
                ("price_was.1", "69.90"),
                ("stock.1", "5"),
                ("stock_was.1", "0"),
            ],
        )
        .await;
    assert_eq!(status, StatusCode::SEE_OTHER, "{html}");
    let (_, _, p) = s
        .call(Method::GET, &format!("/v1/products/{id}"), Some(&sk), None)
        .await;
    let stock = |sku: &str| {
        p["variants"]
            .as_array()
            .unwrap()
            .iter()
            .find(|v| v["sku"] == sku)
            .unwrap()["stock"]
            .clone()
    };
    assert_eq!(p["title"], "Robe en lin lavé", "{p}");
    assert_eq!(stock("D-RED-M"), 2, "the order's decrement kept: {p}");
    assert_eq!(stock("D-RED-L"), 5, "the edited stock saved: {p}");
    s.stop().await;
}

pub async fn admin_pages_speak_the_admins_language(backend: &str) {
    let s = Server::start(backend, Limits::default()).await;
    let http = no_redirects();
    // Signed out: the browser's languages decide.
    let res = http
        .get(format!("{}/admin/login", s.base))
        .header("accept-language", "de-DE,de;q=0.9")
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), StatusCode::OK);
    let html = res.text().await.unwrap();
    assert!(html.contains("<html lang=\"de\">"), "{html}");
    assert!(html.contains(">Anmelden</button>"), "{html}");
    assert!(!html.contains("Sign in"), "{html}");
    // No preference: English, as before.
    let html = http
        .get(format!("{}/admin/login", s.base))
        .send()
        .await
        .unwrap()
        .text()
        .await
        .unwrap();
    assert!(html.contains("<html lang=\"en\">") && html.contains(">Sign in</button>"));

    // Signed in: the language picked on the account page, kept in a cookie.
    let owner = AdminClient::signup(&s, "Lingua Shop", "o@lingua.example").await;
    let (status, html) = owner.get("/admin/account").await;
    assert_eq!(status, StatusCode::OK);
    assert!(
        html.contains("action=\"/admin/account/language\""),
        "{html}"
    );
    let res = owner
        .http
        .post(format!("{}/admin/account/language", s.base))
        .header("cookie", &owner.cookie)
        .form(&[("lang", "it"), ("_csrf", owner.csrf.as_str())])
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), StatusCode::SEE_OTHER);
    assert_eq!(res.headers()["location"], "/admin/account");
    let set = res
        .headers()
        .get_all("set-cookie")
        .iter()
        .filter_map(|v| v.to_str().ok())
        .find(|v| v.starts_with("comptoir_lang="))
        .expect("the language cookie")
        .to_string();
    assert!(
        set.contains("Path=/admin") && set.contains("Max-Age=31536000"),
        "{set}"
    );
    let lang_cookie = set.split(';').next().unwrap();
    assert_eq!(lang_cookie, "comptoir_lang=it");
    let get = |path: &str| {
        owner
            .http
            .get(format!("{}{path}", s.base))
            .header("cookie", format!("{}; {lang_cookie}", owner.cookie))
            // The cookie wins over the browser's languages.
            .header("accept-language", "fr")
            .send()
    };
    let html = get("/admin/account").await.unwrap().text().await.unwrap();
    assert!(html.contains("<html lang=\"it\">"), "{html}");
    assert!(html.contains("Il Suo account"), "{html}");
    assert!(html.contains(">Esci</button>"), "{html}");
    let html = get("/admin/onboarding")
        .await
        .unwrap()
        .text()
        .await
        .unwrap();
    assert!(html.contains("Importi il Suo catalogo"), "{html}");
    let html = get("/admin/settings").await.unwrap().text().await.unwrap();
    assert!(
        html.contains("Nome del negozio") && html.contains("Impostazioni"),
        "{html}"
    );
    // Without the cookie, the same session is in English (or the browser's language).
    let (_, html) = owner.get("/admin/account").await;
    assert!(html.contains("Your account") && html.contains("<html lang=\"en\">"));

    // An unknown language is refused, and a forged form changes nothing.
    let (status, _, _) = owner
        .post("/admin/account/language", &[("lang", "xx")])
        .await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY);
    let (status, _, _) = owner
        .post_raw("/admin/account/language", &[("lang", "fr")])
        .await;
    assert_eq!(status, StatusCode::FORBIDDEN);
}
