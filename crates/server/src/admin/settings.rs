//! Settings (the shop's identity, the widget's look, API keys, users) and the templates & FAQ
//! editor (industry template, FAQ answers, reply wordings, intent examples: saving those
//! retrains the shop's model).

use super::auth::{self, Admin};
use super::{field, AdminError, Fields, Page};
use crate::state::AppState;
use axum::extract::{Path, State};
use axum::http::StatusCode;

use axum::Form;
use comptoir_domain::{Currency, KeyKind, Lang, NewApiKey, NewUser, Role, TenantSettings};
use minijinja::{context, Value};

/// The built-in model's intents (PRODUCT.md): the ones a shop may add phrasings to.
pub const INTENTS: &[&str] = &[
    "greet",
    "goodbye",
    "thanks",
    "affirm",
    "deny",
    "product_search",
    "product_info",
    "compare",
    "add_to_cart",
    "remove_from_cart",
    "view_cart",
    "checkout",
    "order_status",
    "cancel_order",
    "return_refund",
    "shipping_info",
    "payment_info",
    "book_appointment",
    "request_quote",
    "talk_to_human",
    "license_help",
    "tech_support",
    "feedback",
    "privacy_request",
];
const LANGS: &[&str] = &["en", "fr", "de", "it", "es"];

fn back(to: &str, flash: &str) -> Page {
    Ok(super::views::redirect_with_flash(to, flash))
}

/// Renders `name` again with an error, status 422, nothing saved.
fn refused(st: &AppState, admin: &Admin, name: &str, ctx: Value, error: String) -> Page {
    let mut res =
        st.admin
            .views
            .page(name, Some(admin), context! { ..ctx, ..context! { error } })?;
    *res.status_mut() = StatusCode::UNPROCESSABLE_ENTITY;
    Ok(res)
}

async fn settings_context(st: &AppState, admin: &Admin) -> Result<Value, AdminError> {
    let shop = admin.shop()?;
    let keys = st.store.list_api_keys(&shop.id).await?;
    let keys: Vec<Value> = keys
        .iter()
        .map(|k| context! { id => &k.id, name => &k.name, kind => k.kind.as_str(), prefix => &k.prefix, created_at => k.created_at, revoked => k.revoked_at.is_some() })
        .collect();
    let users: Vec<Value> = st
        .store
        .users(&shop.id)
        .await?
        .iter()
        .map(|u| context! { id => &u.id, name => &u.name, email => &u.email, role => u.role.as_str(), me => u.id == admin.user.id })
        .collect();
    let locales: Vec<&str> = shop.locales.iter().map(Lang::as_str).collect();
    Ok(context! {
        nav => "settings",
        name => &shop.name,
        slug => &shop.slug,
        plan => shop.plan.as_str(),
        currency => shop.currency.as_str(),
        locales => locales,
        all_langs => LANGS,
        widget => &shop.settings.widget,
        payment_instructions => &shop.settings.payment_instructions,
        reservation_minutes => shop.settings.reservation_minutes,
        ask_feedback => shop.settings.ask_feedback,
        keys => keys,
        users => users,
    })
}

pub async fn page(State(st): State<AppState>, admin: Admin) -> Page {
    admin.require_owner()?;
    let ctx = settings_context(&st, &admin).await?;
    st.admin.views.page("settings.html", Some(&admin), ctx)
}

/// Name, currency, languages (the first is the default).
pub async fn save_shop(State(st): State<AppState>, admin: Admin, Form(f): Form<Fields>) -> Page {
    admin.check_csrf(field(&f, "_csrf"))?;
    admin.require_owner()?;
    let shop = admin.shop()?;
    let name = field(&f, "name").unwrap_or("").trim().to_string();
    // A refused form shows what was typed, not what is stored.
    let ctx = settings_context(&st, &admin).await?;
    let ctx = context! { name => &name, currency => field(&f, "currency").unwrap_or(""), ..ctx };
    if name.is_empty() || name.chars().count() > 80 {
        return refused(
            &st,
            &admin,
            "settings.html",
            ctx,
            "Shop name: 1 to 80 characters.".into(),
        );
    }
    let Ok(currency) = Currency::parse(field(&f, "currency").unwrap_or("").trim()) else {
        return refused(
            &st,
            &admin,
            "settings.html",
            ctx,
            "Currency: a three-letter ISO code such as EUR.".into(),
        );
    };
    let default = field(&f, "default_locale").and_then(Lang::parse);
    let mut locales: Vec<Lang> = default.clone().into_iter().collect();
    for (k, v) in &f {
        if let Some(l) = k.strip_prefix("locale_").and_then(Lang::parse) {
            if v == "on" && !locales.contains(&l) {
                locales.push(l);
            }
        }
    }
    if locales.is_empty() {
        return refused(
            &st,
            &admin,
            "settings.html",
            ctx,
            "Languages: pick at least one.".into(),
        );
    }
    st.store
        .update_tenant(&shop.id, &name, &currency, &locales)
        .await?;
    st.keys.clear();
    back("/admin/settings", "Shop saved.")
}

/// Applies the widget look from a form to settings; the message names a bad field.
pub fn apply_branding(settings: &mut TenantSettings, f: &Fields) -> Result<(), String> {
    let opt = |name: &str| {
        field(f, name)
            .map(str::trim)
            .filter(|v| !v.is_empty())
            .map(String::from)
    };
    settings.widget.name = opt("widget_name");
    settings.widget.color = opt("widget_color").map(|c| c.to_lowercase());
    settings.widget.avatar_url = opt("widget_avatar_url");
    settings.widget.welcome = opt("widget_welcome");
    settings.validate()
}

pub async fn save_branding(
    State(st): State<AppState>,
    admin: Admin,
    Form(f): Form<Fields>,
) -> Page {
    admin.check_csrf(field(&f, "_csrf"))?;
    admin.require_owner()?;
    let shop = admin.shop()?;
    let mut settings = shop.settings.clone();
    if let Some(p) = field(&f, "payment_instructions") {
        settings.payment_instructions = Some(p.trim().to_string()).filter(|p| !p.is_empty());
    }
    settings.ask_feedback = field(&f, "ask_feedback") == Some("on");
    if let Err(m) = apply_branding(&mut settings, &f) {
        let ctx = settings_context(&st, &admin).await?;
        let ctx = context! {
            widget => &settings.widget,
            payment_instructions => &settings.payment_instructions,
            ask_feedback => settings.ask_feedback,
            ..ctx
        };
        return refused(&st, &admin, "settings.html", ctx, m);
    }
    crate::api::settings::store_settings(&st, &shop.id, &settings).await?;
    back("/admin/settings", "Widget and checkout saved.")
}

/// Creates a key and shows its text once, on this response only.
pub async fn create_key(State(st): State<AppState>, admin: Admin, Form(f): Form<Fields>) -> Page {
    admin.check_csrf(field(&f, "_csrf"))?;
    admin.require_owner()?;
    let shop = admin.shop()?;
    let kind = match field(&f, "kind") {
        Some("public") => KeyKind::Public,
        _ => KeyKind::Secret,
    };
    let name = field(&f, "name").unwrap_or("").trim();
    let name: String = if name.is_empty() {
        format!("{} key", kind.as_str())
    } else {
        name.chars().take(80).collect()
    };
    let new = NewApiKey::generate(&shop.id, kind, &name);
    st.store.insert_api_key(&new).await?;
    let ctx = settings_context(&st, &admin).await?;
    st.admin.views.page(
        "settings.html",
        Some(&admin),
        context! { ..ctx, ..context! { new_key => &new.token, flash => "Key created: copy it now, it will not be shown again." } },
    )
}

pub async fn revoke_key(
    State(st): State<AppState>,
    admin: Admin,
    Path(id): Path<String>,
    Form(f): Form<Fields>,
) -> Page {
    admin.check_csrf(field(&f, "_csrf"))?;
    admin.require_owner()?;
    let shop = admin.shop()?;
    if !st.store.revoke_api_key(&shop.id, &id).await? {
        return Err(AdminError::not_found("Key"));
    }
    st.keys.clear();
    back("/admin/settings", "Key revoked: it stops working at once.")
}

/// An owner adds a teammate (agent or owner) with a first password.
pub async fn add_user(State(st): State<AppState>, admin: Admin, Form(f): Form<Fields>) -> Page {
    admin.check_csrf(field(&f, "_csrf"))?;
    admin.require_owner()?;
    let shop = admin.shop()?;
    let role = match field(&f, "role") {
        Some("owner") => Role::Owner,
        _ => Role::Agent,
    };
    let password = field(&f, "password").unwrap_or("");
    let ctx = settings_context(&st, &admin).await?;
    if let Err(e) = comptoir_domain::account::check_password(password) {
        return refused(&st, &admin, "settings.html", ctx, e.to_string());
    }
    let hash = auth::hash_password_blocking(password.to_string()).await?;
    let new = match NewUser::new(
        Some(shop.id.clone()),
        field(&f, "email").unwrap_or(""),
        field(&f, "name").unwrap_or(""),
        role,
        hash,
    ) {
        Ok(n) => n,
        Err(e) => return refused(&st, &admin, "settings.html", ctx, e.to_string()),
    };
    match st.store.create_user(&new).await {
        Ok(_) => back("/admin/settings", "Teammate added."),
        Err(comptoir_store::StoreError::Conflict(m)) => {
            refused(&st, &admin, "settings.html", ctx, m)
        }
        Err(e) => Err(e.into()),
    }
}

pub async fn remove_user(
    State(st): State<AppState>,
    admin: Admin,
    Path(id): Path<String>,
    Form(f): Form<Fields>,
) -> Page {
    admin.check_csrf(field(&f, "_csrf"))?;
    admin.require_owner()?;
    let shop = admin.shop()?;
    if id == admin.user.id {
        return Err(AdminError::new(
            StatusCode::CONFLICT,
            "You cannot remove yourself.",
        ));
    }
    if !st.store.delete_user(&shop.id, &id).await? {
        return Err(AdminError::not_found("User"));
    }
    back("/admin/settings", "Teammate removed; their sessions ended.")
}

// ---- Templates & FAQ -------------------------------------------------------------------

async fn templates_context(st: &AppState, admin: &Admin) -> Result<Value, AdminError> {
    let shop = admin.shop()?;
    let templates: Vec<Value> = comptoir_agent::Template::all_builtin()
        .iter()
        .map(|t| context! { id => &t.id, name => &t.name, intents => t.intents.len(), faq => t.faq.keys().collect::<Vec<_>>(), appointments => t.appointment.is_some() })
        .collect();
    let current = st.conversations.template(shop);
    let faq: Vec<Value> = current
        .faq
        .iter()
        .map(|(topic, entry)| {
            let langs: Vec<Value> = LANGS
                .iter()
                .map(|l| {
                    let own = shop.settings.faq.get(topic).and_then(|m| m.get(*l));
                    context! { lang => l, own => own, default => entry.answer.get(*l) }
                })
                .collect();
            context! { topic => topic, langs => langs }
        })
        .collect();
    let replies: Vec<Value> = shop
        .settings
        .replies
        .iter()
        .flat_map(|(k, m)| {
            m.iter()
                .map(move |(l, t)| context! { key => k, lang => l, text => t })
        })
        .collect();
    let examples: Vec<Value> = shop
        .settings
        .intent_examples
        .iter()
        .flat_map(|(i, m)| m.iter().map(move |(l, t)| context! { intent => i, lang => l, count => t.len(), text => t.join("\n") }))
        .collect();
    Ok(context! {
        nav => "templates",
        templates => templates,
        template => &shop.settings.template,
        faq => faq,
        replies => replies,
        reply_keys => comptoir_agent::replies::reply_keys()
            .into_iter()
            .map(|k| context! { key => k, builtin => comptoir_agent::replies::builtin_wordings(k, shop.default_locale().as_str()) })
            .collect::<Vec<_>>(),
        examples => examples,
        intents => INTENTS,
        langs => LANGS,
    })
}

pub async fn templates_page(State(st): State<AppState>, admin: Admin) -> Page {
    admin.require_owner()?;
    let ctx = templates_context(&st, &admin).await?;
    st.admin.views.page("templates.html", Some(&admin), ctx)
}

/// One form per section, told apart by `section`.
pub async fn save_templates(
    State(st): State<AppState>,
    admin: Admin,
    Form(f): Form<Fields>,
) -> Page {
    admin.check_csrf(field(&f, "_csrf"))?;
    admin.require_owner()?;
    let shop = admin.shop()?;
    let mut settings = shop.settings.clone();
    let mut retrain = false;
    let outcome: Result<&str, String> = match field(&f, "section") {
        Some("template") => {
            settings.template = field(&f, "template").unwrap_or("").to_string();
            Ok("Template saved.")
        }
        Some("faq") => {
            for (k, v) in &f {
                let Some((topic, lang)) = k.strip_prefix("faq.").and_then(|r| r.rsplit_once('.'))
                else {
                    continue;
                };
                let entry = settings.faq.entry(topic.to_string()).or_default();
                if v.trim().is_empty() {
                    entry.remove(lang);
                } else {
                    entry.insert(lang.to_string(), v.trim().to_string());
                }
            }
            settings.faq.retain(|_, m| !m.is_empty());
            Ok("FAQ answers saved.")
        }
        Some("reply") => {
            let key = field(&f, "key").unwrap_or("").to_string();
            let lang = field(&f, "lang").unwrap_or("").to_string();
            let text = field(&f, "text").unwrap_or("").trim().to_string();
            if text.is_empty() {
                if let Some(m) = settings.replies.get_mut(&key) {
                    m.remove(&lang);
                }
                settings.replies.retain(|_, m| !m.is_empty());
                Ok("Reply back to the built-in wording.")
            } else {
                match comptoir_agent::replies::check_reply_override(&key, &text) {
                    Ok(()) => {
                        settings.replies.entry(key).or_default().insert(lang, text);
                        Ok("Reply saved.")
                    }
                    Err(m) => Err(m),
                }
            }
        }
        Some(section @ ("examples" | "examples_remove")) => {
            let intent = field(&f, "intent").unwrap_or("").to_string();
            let lang = field(&f, "lang").unwrap_or("").to_string();
            if !INTENTS.contains(&intent.as_str()) {
                Err(format!(
                    "Intent: one of the built-in intents, not `{intent}`."
                ))
            } else {
                let entry = settings.intent_examples.entry(intent).or_default();
                if section == "examples_remove" {
                    entry.remove(&lang);
                } else {
                    // Added to the ones saved (an empty form adds nothing; "Remove" removes).
                    let saved = entry.entry(lang).or_default();
                    for line in field(&f, "text").unwrap_or("").lines().map(str::trim) {
                        if !line.is_empty() && !saved.iter().any(|s| s == line) {
                            saved.push(line.to_string());
                        }
                    }
                }
                for by_lang in settings.intent_examples.values_mut() {
                    by_lang.retain(|_, texts| !texts.is_empty());
                }
                settings.intent_examples.retain(|_, m| !m.is_empty());
                retrain = true;
                Ok(if section == "examples_remove" {
                    "Examples removed"
                } else {
                    "Examples saved"
                })
            }
        }
        _ => Err("Unknown section.".into()),
    };
    let message = match outcome.and_then(|m| settings.validate().map(|()| m)) {
        Ok(m) => m,
        Err(e) => {
            let ctx = templates_context(&st, &admin).await?;
            return refused(&st, &admin, "templates.html", ctx, e);
        }
    };
    crate::api::settings::store_settings(&st, &shop.id, &settings).await?;
    if retrain {
        let mut tenant = shop.clone();
        tenant.settings = settings;
        let started = std::time::Instant::now();
        let (_, n) = st
            .understanding
            .retrain(&tenant)
            .await
            .map_err(AdminError::internal)?;
        let ms = started.elapsed().as_millis();
        return back(
            "/admin/templates",
            &format!("{message}; the model was retrained with {n} example(s) of yours in {ms} ms."),
        );
    }
    back("/admin/templates", message)
}
