//! Templates (compiled into the binary from `web/admin/`), their filters, and the static
//! assets of the admin. minijinja escapes every value in `.html` templates by default.

use super::auth::Admin;
use super::AdminError;
use axum::http::{header, HeaderMap, StatusCode};
use axum::response::{Html, IntoResponse, Response};
use minijinja::{context, Environment, State, Value};
use std::collections::HashMap;
use std::sync::LazyLock;

/// The languages the admin speaks; English is the source text of the templates.
pub const LANGS: &[&str] = &["en", "fr", "de", "it", "es"];

/// The cookie that holds the admin language a user picked on their account page.
pub const LANG_COOKIE: &str = "comptoir_lang";

/// The translations of the templates' English texts, by language (flat TOML files).
const DICTIONARIES: &[(&str, &str)] = &[
    ("fr", include_str!("../../../../data/admin/fr.toml")),
    ("de", include_str!("../../../../data/admin/de.toml")),
    ("it", include_str!("../../../../data/admin/it.toml")),
    ("es", include_str!("../../../../data/admin/es.toml")),
];

type Dictionary = HashMap<String, String>;

static DICTS: LazyLock<HashMap<&'static str, Dictionary>> = LazyLock::new(|| {
    DICTIONARIES
        .iter()
        .map(|(lang, src)| {
            let dict: Dictionary =
                toml::from_str(src).unwrap_or_else(|e| panic!("data/admin/{lang}.toml: {e}"));
            (*lang, dict)
        })
        .collect()
});

/// A supported language from a tag such as `de-DE` or `FR`.
pub fn supported(tag: &str) -> Option<&'static str> {
    let primary = tag.trim().split(['-', '_']).next()?.to_ascii_lowercase();
    LANGS.iter().copied().find(|l| *l == primary)
}

/// The admin's language for a request: the `comptoir_lang` cookie, else the first supported
/// language of `Accept-Language` (by its q-values), else English.
pub fn lang_of(headers: &HeaderMap) -> &'static str {
    let cookie = headers
        .get_all(header::COOKIE)
        .iter()
        .filter_map(|v| v.to_str().ok())
        .flat_map(|v| v.split(';'))
        .filter_map(|kv| kv.trim().split_once('='))
        .find(|(k, _)| *k == LANG_COOKIE)
        .and_then(|(_, v)| supported(v).filter(|_| v.len() == 2));
    if let Some(l) = cookie {
        return l;
    }
    let mut best: Option<(f32, &'static str)> = None;
    for part in headers
        .get_all(header::ACCEPT_LANGUAGE)
        .iter()
        .filter_map(|v| v.to_str().ok())
        .flat_map(|v| v.split(','))
    {
        let mut it = part.split(';');
        let Some(l) = it.next().and_then(supported) else {
            continue;
        };
        let q = it
            .find_map(|p| p.trim().strip_prefix("q="))
            .and_then(|q| q.trim().parse::<f32>().ok())
            .unwrap_or(1.0);
        if q > 0.0 && best.is_none_or(|(bq, _)| q > bq) {
            best = Some((q, l));
        }
    }
    best.map_or("en", |(_, l)| l)
}

tokio::task_local! {
    /// The language of the request being answered (for the error page, which has no session).
    static REQUEST_LANG: &'static str;
}

/// Middleware: remembers the request's language while it is answered.
pub async fn with_lang(req: axum::extract::Request, next: axum::middleware::Next) -> Response {
    let lang = lang_of(req.headers());
    REQUEST_LANG.scope(lang, next.run(req)).await
}

/// The language of the request being answered; English outside one.
pub fn request_lang() -> &'static str {
    REQUEST_LANG.try_with(|l| *l).unwrap_or("en")
}

/// `{{ "Sign in"|t }}`: the English text in the page's language (`lang` in the context),
/// or the English itself when there is no translation. Translations are trusted text
/// but still escaped on output like any value.
fn t(state: &State, s: String) -> Value {
    let lang = state.lookup("lang");
    let out = lang
        .as_ref()
        .and_then(|l| l.as_str())
        .and_then(|l| DICTS.get(l))
        .and_then(|d| d.get(&s))
        .cloned()
        .unwrap_or(s);
    // Escaped like any value: `|t` may only ever hold text, never markup.
    Value::from(out)
}

/// The admin's templates, by file name.
const TEMPLATES: &[(&str, &str)] = &[
    ("base.html", include_str!("../../../../web/admin/base.html")),
    (
        "login.html",
        include_str!("../../../../web/admin/login.html"),
    ),
    (
        "signup.html",
        include_str!("../../../../web/admin/signup.html"),
    ),
    (
        "shops.html",
        include_str!("../../../../web/admin/shops.html"),
    ),
    (
        "error.html",
        include_str!("../../../../web/admin/error.html"),
    ),
    (
        "onboarding.html",
        include_str!("../../../../web/admin/onboarding.html"),
    ),
    (
        "catalogue.html",
        include_str!("../../../../web/admin/catalogue.html"),
    ),
    (
        "product.html",
        include_str!("../../../../web/admin/product.html"),
    ),
    (
        "inbox.html",
        include_str!("../../../../web/admin/inbox.html"),
    ),
    (
        "inbox_list.html",
        include_str!("../../../../web/admin/inbox_list.html"),
    ),
    (
        "conversation.html",
        include_str!("../../../../web/admin/conversation.html"),
    ),
    (
        "orders.html",
        include_str!("../../../../web/admin/orders.html"),
    ),
    (
        "leads.html",
        include_str!("../../../../web/admin/leads.html"),
    ),
    (
        "templates.html",
        include_str!("../../../../web/admin/templates.html"),
    ),
    (
        "settings.html",
        include_str!("../../../../web/admin/settings.html"),
    ),
    (
        "brand_fields.html",
        include_str!("../../../../web/admin/brand_fields.html"),
    ),
    (
        "analytics.html",
        include_str!("../../../../web/admin/analytics.html"),
    ),
    (
        "account.html",
        include_str!("../../../../web/admin/account.html"),
    ),
];

pub struct Views {
    env: Environment<'static>,
}

impl Default for Views {
    fn default() -> Self {
        Views::new()
    }
}

impl Views {
    pub fn new() -> Self {
        let mut env = Environment::new();
        for (name, source) in TEMPLATES {
            env.add_template(name, source)
                .unwrap_or_else(|e| panic!("admin template {name}: {e:#}"));
        }
        env.add_filter("money", money);
        env.add_filter("datetime", datetime);
        env.add_filter("micros", micros);
        env.add_filter("pct", pct);
        env.add_filter("t", t);
        Views { env }
    }

    /// Renders a page; `admin` adds the layout's fields (who, which shop, the CSRF token).
    pub fn page(
        &self,
        name: &str,
        admin: Option<&Admin>,
        ctx: Value,
    ) -> Result<Response, AdminError> {
        let base = match admin {
            Some(a) => context! {
                lang => a.lang,
                me => context! { name => &a.user.name, email => &a.user.email, role => a.user.role.as_str() },
                shop => a.tenant.as_ref().map(|t| context! { name => &t.name, slug => &t.slug, id => &t.id }),
                csrf => &a.csrf,
                is_operator => a.is_operator(),
                is_owner => a.require_owner().is_ok(),
            },
            None => context! {},
        };
        // A page without a session passes its own `lang` (see `lang_of`); English otherwise.
        let base = context! { ..base, ..context! { lang => "en" } };
        // A message the previous action left (the flash cookie) is shown once, then cleared.
        let flash = admin.and_then(|a| a.flash.as_deref());
        let first = match flash {
            Some(f) => context! { flash => f },
            None => context! {},
        };
        let tmpl = self.env.get_template(name).map_err(AdminError::internal)?;
        let html = tmpl
            .render(context! { ..first, ..ctx, ..base })
            .map_err(|e| AdminError::internal(format!("{e:#}")))?;
        let mut res = no_store(Html(html).into_response());
        if flash.is_some() {
            res.headers_mut().append(
                header::SET_COOKIE,
                header::HeaderValue::from_static(
                    "comptoir_flash=; Path=/admin; Max-Age=0; HttpOnly; SameSite=Lax",
                ),
            );
        }
        Ok(res)
    }
}

/// Admin pages hold a shop's private data: never cached, never framed.
fn no_store(mut res: Response) -> Response {
    let h = res.headers_mut();
    h.insert(
        header::CACHE_CONTROL,
        header::HeaderValue::from_static("no-store"),
    );
    h.insert("x-frame-options", header::HeaderValue::from_static("DENY"));
    h.insert(
        "x-content-type-options",
        header::HeaderValue::from_static("nosniff"),
    );
    h.insert(
        "referrer-policy",
        header::HeaderValue::from_static("same-origin"),
    );
    res
}

/// The error page, rendered without the layout's session fields.
pub fn error_page(status: StatusCode, message: &str, lang: &str) -> String {
    let env = ERROR_ENV.get_or_init(|| {
        let mut env = Environment::new();
        env.add_filter("t", t);
        env.add_template(
            "error.html",
            include_str!("../../../../web/admin/error.html"),
        )
        .expect("error template");
        env
    });
    env.get_template("error.html")
        .and_then(|t| {
            t.render(context! { status => status.as_u16(), reason => status.canonical_reason().unwrap_or(""), message, lang })
        })
        .unwrap_or_else(|_| format!("<!doctype html><title>Error</title><p>{}</p>", status.as_u16()))
}

static ERROR_ENV: std::sync::OnceLock<Environment<'static>> = std::sync::OnceLock::new();

pub async fn css() -> Response {
    (
        [
            (header::CONTENT_TYPE, "text/css; charset=utf-8"),
            (header::CACHE_CONTROL, "public, max-age=300"),
        ],
        include_str!("../../../../web/admin/admin.css"),
    )
        .into_response()
}

pub async fn js() -> Response {
    (
        [
            (header::CONTENT_TYPE, "text/javascript; charset=utf-8"),
            (header::CACHE_CONTROL, "public, max-age=300"),
        ],
        include_str!("../../../../web/admin/admin.js"),
    )
        .into_response()
}

/// Minor units and a currency code → `1,234.50 EUR` (the merchant's numbers, not a locale's).
fn money(minor: i64, currency: Option<String>) -> String {
    let exp = currency
        .as_deref()
        .and_then(|c| comptoir_domain::Currency::parse(c).ok())
        .map_or(2, |c| c.exponent());
    let d = rust_decimal::Decimal::new(minor, exp);
    let s = format!("{:.*}", exp as usize, d);
    let (int, frac) = s.split_once('.').map_or((s.as_str(), ""), |(i, f)| (i, f));
    let (sign, digits) = int.strip_prefix('-').map_or(("", int), |d| ("-", d));
    let mut grouped = String::new();
    for (i, c) in digits.chars().enumerate() {
        if i > 0 && (digits.len() - i) % 3 == 0 {
            grouped.push(',');
        }
        grouped.push(c);
    }
    let num = if frac.is_empty() {
        format!("{sign}{grouped}")
    } else {
        format!("{sign}{grouped}.{frac}")
    };
    match currency {
        Some(c) => format!("{num} {c}"),
        None => num,
    }
}

/// Epoch milliseconds → an RFC 3339 UTC text; `admin.js` shows it in the viewer's zone.
fn datetime(ms: i64) -> String {
    crate::api::dto::rfc3339(ms)
}

/// Microseconds → `0.42 ms`.
fn micros(us: i64) -> String {
    if us >= 1_000_000 {
        format!("{:.2} s", us as f64 / 1e6)
    } else {
        format!("{:.2} ms", us as f64 / 1e3)
    }
}

/// A share in [0, 1] → `42.0%`.
fn pct(share: f64) -> String {
    if share.is_finite() {
        format!("{:.1}%", share * 100.0)
    } else {
        "–".into()
    }
}

/// The cookie that carries a one-time message to the next page. A cookie, not a query
/// parameter: a link from elsewhere cannot put words in the admin's mouth.
pub const FLASH_COOKIE: &str = "comptoir_flash";

/// Redirects (303) to `to` with a message shown once on the page it lands on.
pub fn redirect_with_flash(to: &str, message: &str) -> Response {
    let message: String = message.chars().take(300).collect();
    let cookie = format!(
        "{FLASH_COOKIE}={}; Path=/admin; Max-Age=60; HttpOnly; SameSite=Lax",
        url_encode(&message)
    );
    (
        [(header::SET_COOKIE, cookie)],
        axum::response::Redirect::to(to),
    )
        .into_response()
}

/// The inverse of [`url_encode`]; `None` when the result is not UTF-8.
pub fn url_decode(s: &str) -> Option<String> {
    let b = s.as_bytes();
    let mut out = Vec::with_capacity(b.len());
    let mut i = 0;
    while i < b.len() {
        if b[i] == b'%' && i + 2 < b.len() {
            let hex = std::str::from_utf8(&b[i + 1..i + 3]).ok()?;
            out.push(u8::from_str_radix(hex, 16).ok()?);
            i += 3;
        } else {
            out.push(b[i]);
            i += 1;
        }
    }
    String::from_utf8(out).ok()
}

/// Percent-encodes a path for a `next=` parameter.
pub fn url_encode(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    for b in s.bytes() {
        if b.is_ascii_alphanumeric() || b"-_.~/".contains(&b) {
            out.push(b as char);
        } else {
            out.push_str(&format!("%{b:02X}"));
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn flash_messages_survive_the_cookie() {
        let m = "Order ord_1 is now paid; 3 × \"é\"";
        assert_eq!(url_decode(&url_encode(m)).as_deref(), Some(m));
        assert_eq!(url_decode("%zz"), None);
        assert_eq!(url_decode("%4"), Some("%4".into()));
    }

    #[test]
    fn the_first_context_wins() {
        let mut env = Environment::new();
        env.add_template("t.html", "{{ flash }}").unwrap();
        let out = env
            .get_template("t.html")
            .unwrap()
            .render(context! { ..context! { flash => "a" }, ..context! { flash => "b" } })
            .unwrap();
        assert_eq!(out, "a");
    }

    /// Every `"…"|t` text of a template source.
    fn translated_texts(src: &str) -> Vec<&str> {
        let mut out = Vec::new();
        let mut from = 0;
        while let Some(i) = src[from..].find("\"|t") {
            let end = from + i;
            from = end + 3;
            let next = src[from..].chars().next();
            if next.is_some_and(|c| c.is_alphanumeric() || c == '_') {
                continue;
            }
            let start = src[..end].rfind('"').expect("an opening quote") + 1;
            out.push(&src[start..end]);
        }
        out
    }

    #[test]
    fn every_translated_text_is_in_every_dictionary_and_nothing_else() {
        let mut used = std::collections::BTreeSet::new();
        for (name, src) in TEMPLATES {
            for text in translated_texts(src) {
                assert!(!text.is_empty() && !text.contains('\\'), "{name}: {text:?}");
                used.insert(text);
            }
        }
        assert!(
            used.contains("Sign in") && used.len() > 300,
            "{}",
            used.len()
        );
        for (lang, _) in DICTIONARIES {
            let dict = &DICTS[lang];
            let missing: Vec<_> = used.iter().filter(|t| !dict.contains_key(**t)).collect();
            assert!(
                missing.is_empty(),
                "data/admin/{lang}.toml lacks {missing:?}"
            );
            let dead: Vec<_> = dict.keys().filter(|k| !used.contains(k.as_str())).collect();
            assert!(
                dead.is_empty(),
                "data/admin/{lang}.toml: no template uses {dead:?}"
            );
            for (k, v) in dict {
                assert!(!v.trim().is_empty(), "{lang}: {k:?} is empty");
                assert!(!v.contains('<'), "{lang}: {k:?} holds markup");
            }
        }
    }

    #[test]
    fn pages_speak_the_page_language() {
        let views = Views::new();
        let render = |lang: &str| {
            views
                .env
                .get_template("login.html")
                .unwrap()
                .render(context! { lang, next => "/admin" })
                .unwrap()
        };
        let fr = render("fr");
        assert!(fr.contains("<html lang=\"fr\">"), "{fr}");
        assert!(fr.contains("Se connecter"), "{fr}");
        assert!(!fr.contains(">Sign in<"), "{fr}");
        let en = render("en");
        assert!(en.contains(">Sign in</button>"), "{en}");
        // An unknown language falls back to English.
        assert!(render("xx").contains(">Sign in</button>"));
        // In a macro too; escaped like any value (an apostrophe is an entity in the HTML).
        let mut env = Environment::new();
        env.add_filter("t", t);
        env.add_template(
            "m.html",
            "{% macro m() %}{{ \"Assistant's name\"|t }}{% endmacro %}{{ m() }}",
        )
        .unwrap();
        let tmpl = env.get_template("m.html").unwrap();
        assert_eq!(
            tmpl.render(context! { lang => "en" }).unwrap(),
            "Assistant&#x27;s name"
        );
        assert_eq!(
            tmpl.render(context! { lang => "it" }).unwrap(),
            "Nome dell&#x27;assistente"
        );
    }

    #[test]
    fn the_language_comes_from_the_cookie_then_accept_language() {
        let mut h = HeaderMap::new();
        assert_eq!(lang_of(&h), "en");
        h.insert(
            header::ACCEPT_LANGUAGE,
            "ja, de-DE;q=0.8, fr;q=0.9, en;q=0.1".parse().unwrap(),
        );
        assert_eq!(lang_of(&h), "fr");
        h.insert(header::ACCEPT_LANGUAGE, "de-DE,de;q=0.9".parse().unwrap());
        assert_eq!(lang_of(&h), "de");
        h.insert(header::COOKIE, "a=b; comptoir_lang=es".parse().unwrap());
        assert_eq!(lang_of(&h), "es");
        h.insert(header::COOKIE, "comptoir_lang=xx".parse().unwrap());
        assert_eq!(lang_of(&h), "de", "an unknown cookie value is ignored");
    }

    #[test]
    fn every_template_compiles() {
        Views::new();
    }

    #[test]
    fn every_template_file_is_compiled_in() {
        let dir = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("../../web/admin");
        for entry in std::fs::read_dir(dir).unwrap() {
            let name = entry.unwrap().file_name().into_string().unwrap();
            if name.ends_with(".html") && name != "error.html" {
                assert!(
                    TEMPLATES.iter().any(|(n, _)| *n == name),
                    "web/admin/{name} is not in TEMPLATES"
                );
            }
        }
    }

    #[test]
    fn money_groups_and_keeps_the_currency_exponent() {
        assert_eq!(money(123456, Some("EUR".into())), "1,234.56 EUR");
        assert_eq!(money(-5, Some("EUR".into())), "-0.05 EUR");
        assert_eq!(money(1500, Some("JPY".into())), "1,500 JPY");
        assert_eq!(money(100, None), "1.00");
    }

    #[test]
    fn values_are_escaped_in_html_templates() {
        let mut env = Environment::new();
        env.add_template("t.html", "<p>{{ x }}</p>").unwrap();
        let out = env
            .get_template("t.html")
            .unwrap()
            .render(context! { x => "<script>alert(1)</script>" })
            .unwrap();
        assert_eq!(out, "<p>&lt;script&gt;alert(1)&lt;&#x2f;script&gt;</p>");
    }
}
