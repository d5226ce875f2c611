//! The admin over real HTTP: sign-up, sign-in, sessions, CSRF, throttling, tenant isolation.
//! `AdminClient` is shared by the other admin test modules.

use super::*;
use reqwest::redirect::Policy;

/// A browser-like client of the admin: its session cookie and the page's CSRF token.
pub struct AdminClient {
    pub base: String,
    pub http: Client,
    pub cookie: String,
    pub csrf: String,
}

/// The `content` of `<meta name="csrf-token" content="…">` in a page.
pub fn csrf_of(html: &str) -> String {
    let at = html
        .find("name=\"csrf-token\" content=\"")
        .expect("page has a CSRF token");
    let rest = &html[at + 27..];
    rest[..rest.find('"').unwrap()].to_string()
}

fn session_cookie(res: &reqwest::Response) -> Option<String> {
    res.headers()
        .get_all("set-cookie")
        .iter()
        .filter_map(|v| v.to_str().ok())
        .find(|v| v.starts_with("comptoir_admin="))
        .map(|v| v.split(';').next().unwrap().to_string())
}

fn percent_decode(s: &str) -> String {
    let b = s.as_bytes();
    let mut out = Vec::new();
    let mut i = 0;
    while i < b.len() {
        if b[i] == b'%' && i + 2 < b.len() {
            out.push(u8::from_str_radix(&s[i + 1..i + 3], 16).unwrap());
            i += 3;
        } else {
            out.push(b[i]);
            i += 1;
        }
    }
    String::from_utf8(out).unwrap()
}

pub fn no_redirects() -> Client {
    Client::builder().redirect(Policy::none()).build().unwrap()
}

impl AdminClient {
    /// Signs up a new shop with its owner; the client is signed in as that owner.
    pub async fn signup(s: &Server, shop: &str, email: &str) -> AdminClient {
        let http = no_redirects();
        let res = http
            .post(format!("{}/admin/signup", s.base))
            .form(&[
                ("shop", shop),
                ("name", "Owner"),
                ("email", email),
                ("password", "correct horse battery"),
                ("currency", "EUR"),
                ("language", "en"),
            ])
            .send()
            .await
            .unwrap();
        assert_eq!(
            res.status(),
            StatusCode::SEE_OTHER,
            "{}",
            res.text().await.unwrap()
        );
        assert_eq!(res.headers()["location"], "/admin/onboarding");
        let cookie = session_cookie(&res).expect("signed in");
        let mut c = AdminClient {
            base: s.base.clone(),
            http,
            cookie,
            csrf: String::new(),
        };
        c.refresh_csrf().await;
        c
    }

    /// Signs in; `None` when refused.
    pub async fn login(s: &Server, email: &str, password: &str) -> Option<AdminClient> {
        let http = no_redirects();
        let res = http
            .post(format!("{}/admin/login", s.base))
            .form(&[("email", email), ("password", password)])
            .send()
            .await
            .unwrap();
        let cookie = session_cookie(&res)?;
        let mut c = AdminClient {
            base: s.base.clone(),
            http,
            cookie,
            csrf: String::new(),
        };
        c.refresh_csrf().await;
        Some(c)
    }

    pub async fn refresh_csrf(&mut self) {
        // An owner's settings, an agent's inbox, an operator's list of shops.
        for page in ["/admin/settings", "/admin/inbox", "/admin/shops"] {
            let (status, html) = self.get(page).await;
            if status == StatusCode::OK {
                self.csrf = csrf_of(&html);
                return;
            }
        }
        panic!("no admin page answered");
    }

    pub async fn get(&self, path: &str) -> (StatusCode, String) {
        let res = self
            .http
            .get(format!("{}{path}", self.base))
            .header("cookie", &self.cookie)
            .send()
            .await
            .unwrap();
        (res.status(), res.text().await.unwrap())
    }

    /// Posts a form with the session's CSRF token added.
    pub async fn post(
        &self,
        path: &str,
        form: &[(&str, &str)],
    ) -> (StatusCode, String, Option<String>) {
        let mut fields: Vec<(&str, &str)> = form.to_vec();
        fields.push(("_csrf", &self.csrf));
        self.post_raw(path, &fields).await
    }

    /// Posts a form as is (no CSRF token added); returns status, body and `Location`.
    pub async fn post_raw(
        &self,
        path: &str,
        form: &[(&str, &str)],
    ) -> (StatusCode, String, Option<String>) {
        let res = self
            .http
            .post(format!("{}{path}", self.base))
            .header("cookie", &self.cookie)
            .form(form)
            .send()
            .await
            .unwrap();
        // A one-time message travels in the flash cookie: shown here after the location as
        // ` [flash: …]` so tests can read it.
        let flash = res
            .headers()
            .get_all("set-cookie")
            .iter()
            .filter_map(|v| v.to_str().ok())
            .find_map(|v| v.strip_prefix("comptoir_flash="))
            .map(|v| v.split(';').next().unwrap().to_string())
            .filter(|v| !v.is_empty())
            .map(|v| percent_decode(&v));
        let location = res.headers().get("location").map(|v| {
            let to = v.to_str().unwrap().to_string();
            match &flash {
                Some(f) => format!("{to} [flash: {f}]"),
                None => to,
            }
        });
        (res.status(), res.text().await.unwrap(), location)
    }
}

/// The operator account, made as the CLI does.
pub async fn operator(s: &Server, email: &str, password: &str) {
    let hash = comptoir_server::admin::auth::hash_password(password).unwrap();
    let u = comptoir_domain::NewUser::new(
        None,
        email,
        "Operator",
        comptoir_domain::Role::Operator,
        hash,
    )
    .unwrap();
    s.store.create_user(&u).await.unwrap();
}

pub async fn admin_signup_signin_and_signout(backend: &str) {
    let s = Server::start(backend, Limits::default()).await;
    let owner = AdminClient::signup(&s, "Ana's Café", "ana@cafe.example").await;
    let (status, html) = owner.get("/admin/settings").await;
    assert_eq!(status, StatusCode::OK);
    assert!(
        html.contains("Ana&#x27;s Café") || html.contains("Ana's Café"),
        "shop name shown"
    );
    // The cookie is HttpOnly, SameSite, scoped to the admin.
    let res = no_redirects()
        .post(format!("{}/admin/login", s.base))
        .form(&[
            ("email", "ANA@cafe.example "),
            ("password", "correct horse battery"),
        ])
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), StatusCode::SEE_OTHER);
    let set = res.headers()["set-cookie"].to_str().unwrap().to_string();
    for attr in ["HttpOnly", "SameSite=Lax", "Path=/admin", "Max-Age="] {
        assert!(set.contains(attr), "{set}");
    }
    assert!(
        !set.contains("Secure"),
        "plain HTTP: a Secure cookie would be dropped"
    );
    let res = no_redirects()
        .post(format!("{}/admin/login", s.base))
        .header("x-forwarded-proto", "https")
        .form(&[
            ("email", "ana@cafe.example"),
            ("password", "correct horse battery"),
        ])
        .send()
        .await
        .unwrap();
    assert!(res.headers()["set-cookie"]
        .to_str()
        .unwrap()
        .contains("; Secure"));

    // Signed out pages redirect to the sign-in page, keeping where one was going.
    let (status, _, _) = AdminClient {
        cookie: String::new(),
        ..clone(&owner)
    }
    .post_raw("/admin/logout", &[])
    .await;
    assert_eq!(status, StatusCode::UNAUTHORIZED);
    let res = no_redirects()
        .get(format!("{}/admin/orders", s.base))
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), StatusCode::SEE_OTHER);
    assert_eq!(res.headers()["location"], "/admin/login?next=/admin/orders");

    // Sign out ends this session only; "everywhere" ends them all.
    let second = AdminClient::login(&s, "ana@cafe.example", "correct horse battery")
        .await
        .unwrap();
    let third = AdminClient::login(&s, "ana@cafe.example", "correct horse battery")
        .await
        .unwrap();
    let (status, _, to) = second.post("/admin/logout", &[]).await;
    assert_eq!(
        (status, to.as_deref()),
        (StatusCode::SEE_OTHER, Some("/admin/login"))
    );
    assert_eq!(second.get("/admin/settings").await.0, StatusCode::SEE_OTHER);
    assert_eq!(third.get("/admin/settings").await.0, StatusCode::OK);
    let (status, _, _) = owner.post("/admin/logout-everywhere", &[]).await;
    assert_eq!(status, StatusCode::SEE_OTHER);
    assert_eq!(owner.get("/admin/settings").await.0, StatusCode::SEE_OTHER);
    assert_eq!(
        third.get("/admin/settings").await.0,
        StatusCode::SEE_OTHER,
        "every device"
    );

    // Sign-up refuses what it cannot use, saying why.
    let http = no_redirects();
    for (email, password, shop, why) in [
        ("not-an-email", "correct horse battery", "Shop", "email"),
        ("b@x.example", "short", "Shop", "password"),
        ("c@x.example", "correct horse battery", "", "Shop name"),
        (
            "ana@cafe.example",
            "correct horse battery",
            "Other",
            "exists",
        ),
    ] {
        let res = http
            .post(format!("{}/admin/signup", s.base))
            .form(&[
                ("shop", shop),
                ("name", "N"),
                ("email", email),
                ("password", password),
            ])
            .send()
            .await
            .unwrap();
        assert_eq!(res.status(), StatusCode::UNPROCESSABLE_ENTITY, "{email}");
        assert!(res.text().await.unwrap().contains(why), "{why}");
    }
    s.stop().await;
}

fn clone(c: &AdminClient) -> AdminClient {
    AdminClient {
        base: c.base.clone(),
        http: c.http.clone(),
        cookie: c.cookie.clone(),
        csrf: c.csrf.clone(),
    }
}

/// Twenty wrong passwords: throttled after five, the same answer for an account that does not
/// exist, and the right password refused while throttled.
pub async fn admin_login_is_throttled_without_telling_who_exists(backend: &str) {
    let s = Server::start(backend, Limits::default()).await;
    AdminClient::signup(&s, "Shop", "real@shop.example").await;
    let http = no_redirects();
    let attempt = |email: &'static str, password: &'static str, client: &'static str| {
        let http = http.clone();
        let base = s.base.clone();
        async move {
            let res = http
                .post(format!("{base}/admin/login"))
                .header("x-forwarded-for", client)
                .form(&[("email", email), ("password", password)])
                .send()
                .await
                .unwrap();
            let status = res.status();
            let retry = res.headers().get("retry-after").is_some();
            (status, retry, res.text().await.unwrap())
        }
    };
    let mut statuses = Vec::new();
    for _ in 0..20 {
        let real = attempt("real@shop.example", "wrong password!", "10.0.0.1").await;
        let ghost = attempt("ghost@shop.example", "wrong password!", "10.0.0.2").await;
        // Same status, same message: nothing tells the accounts apart.
        assert_eq!(real.0, ghost.0);
        assert_eq!(real.1, ghost.1);
        let msg = |html: &str| {
            html.split("role=\"alert\">")
                .nth(1)
                .map(|r| r.split('<').next().unwrap().to_string())
        };
        assert_eq!(msg(&real.2), msg(&ghost.2));
        statuses.push(real.0);
    }
    assert!(
        statuses[..5].iter().all(|s| *s == StatusCode::UNAUTHORIZED),
        "{statuses:?}"
    );
    assert!(
        statuses[5..]
            .iter()
            .all(|s| *s == StatusCode::TOO_MANY_REQUESTS),
        "{statuses:?}"
    );
    let right = attempt("real@shop.example", "correct horse battery", "10.0.0.9").await;
    assert_eq!(
        right.0,
        StatusCode::TOO_MANY_REQUESTS,
        "the account is locked for a while, whatever the password"
    );
    assert!(right.1, "Retry-After");
    s.stop().await;
}

/// A form without the session's token is refused and changes nothing; a form posted from
/// another site is refused even with the token.
pub async fn admin_forms_need_the_csrf_token(backend: &str) {
    let s = Server::start(backend, Limits::default()).await;
    let owner = AdminClient::signup(&s, "Shop", "o@shop.example").await;
    let (status, html, _) = owner
        .post_raw(
            "/admin/settings/shop",
            &[("name", "Hacked"), ("currency", "USD"), ("locales", "en")],
        )
        .await;
    assert_eq!(status, StatusCode::FORBIDDEN);
    assert!(html.contains("CSRF"));
    let (status, _, _) = owner
        .post_raw(
            "/admin/settings/shop",
            &[
                ("name", "Hacked"),
                ("currency", "USD"),
                ("locales", "en"),
                ("_csrf", "0000"),
            ],
        )
        .await;
    assert_eq!(status, StatusCode::FORBIDDEN);
    let res = owner
        .http
        .post(format!("{}/admin/logout-everywhere", s.base))
        .header("cookie", &owner.cookie)
        .header("origin", "https://evil.example")
        .form(&[("_csrf", owner.csrf.as_str())])
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), StatusCode::FORBIDDEN);
    let (_, html) = owner.get("/admin/settings").await;
    assert!(!html.contains("Hacked"));
    assert_eq!(
        owner.get("/admin/settings").await.0,
        StatusCode::OK,
        "still signed in"
    );
    s.stop().await;
}

/// A session of one shop sees nothing of another: ids of the other shop are not found, and
/// only an operator can switch shops.
pub async fn admin_sessions_stay_in_their_shop(backend: &str) {
    let s = Server::start(backend, Limits::default()).await;
    let a = AdminClient::signup(&s, "Shop A", "a@a.example").await;
    let _b = AdminClient::signup(&s, "Shop B", "b@b.example").await;
    let b_tenant = s.store.tenant_by_slug("shop-b").await.unwrap().unwrap();
    let conv = s
        .store
        .create_conversation(&b_tenant.id, "web", Some("en"), "{}")
        .await
        .unwrap();
    assert_eq!(
        a.get(&format!("/admin/inbox/{}", conv.id)).await.0,
        StatusCode::NOT_FOUND
    );
    let (status, _, _) = a
        .post(&format!("/admin/shops/{}/switch", b_tenant.id), &[])
        .await;
    assert_eq!(status, StatusCode::FORBIDDEN);
    assert_eq!(
        a.get("/admin/shops").await.0,
        StatusCode::SEE_OTHER,
        "not an operator"
    );

    // The operator sees every shop and acts on the one picked.
    operator(&s, "op@platform.example", "operator password").await;
    let op = AdminClient::login(&s, "op@platform.example", "operator password").await;
    let mut op = op.expect("operator signs in");
    let (status, html) = op.get("/admin/shops").await;
    assert_eq!(status, StatusCode::OK);
    assert!(html.contains("Shop A") && html.contains("Shop B"));
    op.csrf = csrf_of(&html);
    let (status, _, _) = op
        .post(&format!("/admin/shops/{}/switch", b_tenant.id), &[])
        .await;
    assert_eq!(status, StatusCode::SEE_OTHER);
    assert_eq!(
        op.get(&format!("/admin/inbox/{}", conv.id)).await.0,
        StatusCode::OK
    );
    s.stop().await;
}

/// The widget's cross-origin calls keep their CORS answers; the admin gets none.
pub async fn cors_is_for_the_api_not_the_admin(backend: &str) {
    let s = Server::start(backend, Limits::default()).await;
    let http = no_redirects();
    let pre = http
        .request(
            Method::OPTIONS,
            format!("{}/v1/conversations/conv_x/messages", s.base),
        )
        .header("origin", "https://shop.example")
        .header("access-control-request-method", "POST")
        .header(
            "access-control-request-headers",
            "authorization, content-type",
        )
        .send()
        .await
        .unwrap();
    assert!(pre.status().is_success(), "{}", pre.status());
    assert_eq!(
        pre.headers()["access-control-allow-origin"],
        "https://shop.example"
    );
    let res = http
        .get(format!("{}/v1/openapi.json", s.base))
        .header("origin", "https://shop.example")
        .send()
        .await
        .unwrap();
    assert_eq!(
        res.headers()["access-control-allow-origin"],
        "https://shop.example"
    );
    for path in ["/admin/login", "/admin/signup"] {
        let res = http
            .get(format!("{}{path}", s.base))
            .header("origin", "https://shop.example")
            .send()
            .await
            .unwrap();
        assert!(
            res.headers().get("access-control-allow-origin").is_none(),
            "{path}"
        );
    }
    let pre = http
        .request(
            Method::OPTIONS,
            format!("{}/admin/logout-everywhere", s.base),
        )
        .header("origin", "https://evil.example")
        .header("access-control-request-method", "POST")
        .send()
        .await
        .unwrap();
    assert!(pre.headers().get("access-control-allow-origin").is_none());
    s.stop().await;
}

/// A burst of parallel wrong passwords is throttled like a slow series: the attempt counts
/// before the password check, not after.
pub async fn admin_parallel_wrong_passwords_are_throttled(backend: &str) {
    let s = Server::start(backend, Limits::default()).await;
    AdminClient::signup(&s, "Burst", "real@burst.example").await;
    let http = no_redirects();
    let tries = (0..20).map(|i| {
        let http = http.clone();
        let base = s.base.clone();
        async move {
            http.post(format!("{base}/admin/login"))
                .header("x-forwarded-for", format!("10.1.0.{i}"))
                .form(&[
                    ("email", "real@burst.example"),
                    ("password", "wrong password!"),
                ])
                .send()
                .await
                .unwrap()
                .status()
        }
    });
    let statuses = futures_join_all(tries).await;
    let checked = statuses
        .iter()
        .filter(|s| **s == StatusCode::UNAUTHORIZED)
        .count();
    assert_eq!(checked, 5, "{statuses:?}");
    assert_eq!(
        statuses
            .iter()
            .filter(|s| **s == StatusCode::TOO_MANY_REQUESTS)
            .count(),
        15
    );
    s.stop().await;
}

/// Joins futures concurrently on the test's runtime (no futures crate needed).
async fn futures_join_all<F: std::future::Future + Send + 'static>(
    fs: impl Iterator<Item = F>,
) -> Vec<F::Output>
where
    F::Output: Send + 'static,
{
    let handles: Vec<_> = fs.map(tokio::spawn).collect();
    let mut out = Vec::new();
    for h in handles {
        out.push(h.await.unwrap());
    }
    out
}

/// Sign-up checks the whole form before it writes: a refused form leaves no shop behind; and
/// one address cannot sign up shops in bulk.
pub async fn admin_signup_refusals_leave_nothing_and_bulk_is_throttled(backend: &str) {
    let s = Server::start(backend, Limits::default()).await;
    let http = no_redirects();
    let res = http
        .post(format!("{}/admin/signup", s.base))
        .form(&[
            ("shop", "Orphan"),
            ("name", " "),
            ("email", "o@orphan.example"),
            ("password", "long enough pass"),
        ])
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), StatusCode::UNPROCESSABLE_ENTITY);
    assert!(
        s.store.tenant_by_slug("orphan").await.unwrap().is_none(),
        "no shop without its owner"
    );
    let mut last = StatusCode::OK;
    for i in 0..12 {
        let email = format!("bulk{i}@bulk.example");
        let shop = format!("Bulk {i}");
        last = http
            .post(format!("{}/admin/signup", s.base))
            .header("x-forwarded-for", "203.0.113.50")
            .form(&[
                ("shop", shop.as_str()),
                ("name", "B"),
                ("email", email.as_str()),
                ("password", "long enough pass"),
            ])
            .send()
            .await
            .unwrap()
            .status();
    }
    assert_eq!(last, StatusCode::TOO_MANY_REQUESTS);
    s.stop().await;
}

/// Changing one's password needs the current one, ends the other sessions and keeps this one.
pub async fn admin_password_change(backend: &str) {
    let s = Server::start(backend, Limits::default()).await;
    let owner = AdminClient::signup(&s, "Pw Shop", "o@pw.example").await;
    let other = AdminClient::login(&s, "o@pw.example", "correct horse battery")
        .await
        .unwrap();
    let (status, html, _) = owner
        .post(
            "/admin/account/password",
            &[
                ("current", "not it at all"),
                ("new", "a brand new password"),
            ],
        )
        .await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(html.contains("current password"));
    let (status, _, _) = owner
        .post(
            "/admin/account/password",
            &[("current", "correct horse battery"), ("new", "short")],
        )
        .await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY);
    let res = owner
        .http
        .post(format!("{}/admin/account/password", s.base))
        .header("cookie", &owner.cookie)
        .form(&[
            ("current", "correct horse battery"),
            ("new", "a brand new password"),
            ("_csrf", owner.csrf.as_str()),
        ])
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), StatusCode::SEE_OTHER);
    let fresh = res
        .headers()
        .get_all("set-cookie")
        .iter()
        .filter_map(|v| v.to_str().ok())
        .find(|v| v.starts_with("comptoir_admin="))
        .map(|v| v.split(';').next().unwrap().to_string())
        .expect("a new session for this device");
    assert_eq!(
        other.get("/admin/settings").await.0,
        StatusCode::SEE_OTHER,
        "other devices signed out"
    );
    let me = AdminClient {
        cookie: fresh,
        ..clone(&owner)
    };
    assert_eq!(me.get("/admin/account").await.0, StatusCode::OK);
    assert!(
        AdminClient::login(&s, "o@pw.example", "correct horse battery")
            .await
            .is_none()
    );
    assert!(
        AdminClient::login(&s, "o@pw.example", "a brand new password")
            .await
            .is_some()
    );
    s.stop().await;
}

/// A message from the previous action shows once, from a cookie; a `flash` in the URL shows
/// nothing (a link from elsewhere cannot put words in the admin's mouth).
pub async fn admin_flash_messages_come_from_the_server_only(backend: &str) {
    let s = Server::start(backend, Limits::default()).await;
    let owner = AdminClient::signup(&s, "Flash Shop", "o@flash.example").await;
    let (_, html) = owner
        .get("/admin/settings?flash=Re-enter+your+password+at+evil.example")
        .await;
    assert!(!html.contains("evil.example"));
    let (status, _, to) = owner
        .post("/admin/settings/branding", &[("widget_name", "Ava")])
        .await;
    assert_eq!(status, StatusCode::SEE_OTHER);
    assert_eq!(
        to.as_deref(),
        Some("/admin/settings [flash: Widget and checkout saved.]")
    );
    let res = owner
        .http
        .get(format!("{}/admin/settings", s.base))
        .header(
            "cookie",
            format!(
                "{}; comptoir_flash=Widget%20and%20checkout%20saved.",
                owner.cookie
            ),
        )
        .send()
        .await
        .unwrap();
    let cleared = res
        .headers()
        .get_all("set-cookie")
        .iter()
        .any(|v| v.to_str().unwrap().starts_with("comptoir_flash=;"));
    assert!(cleared, "shown once");
    assert!(res
        .text()
        .await
        .unwrap()
        .contains("Widget and checkout saved."));
    s.stop().await;
}
