//! The set-up wizard, live in five minutes: (1 sign-up) → 2 import the catalogue → 3 pick an
//! industry template → 4 brand the widget (live preview) → 5 copy the one-line snippet →
//! 6 test the chat, on this page, with the real widget.

use super::auth::Admin;
use super::{field, AdminError, Fields, Page};
use crate::state::AppState;
use axum::extract::{Query, State};
use axum::http::{header, HeaderMap, StatusCode};
use axum::response::{IntoResponse, Redirect};
use axum::Form;
use comptoir_domain::{KeyKind, NewApiKey};
use minijinja::context;
use serde::Deserialize;

const STEPS: &[(&str, &str)] = &[
    ("import", "Catalogue"),
    ("template", "Template"),
    ("brand", "Widget"),
    ("snippet", "Snippet"),
    ("test", "Test"),
];

#[derive(Debug, Deserialize, Default)]
pub struct StepQuery {
    step: Option<String>,
    import: Option<String>,
}

/// The shop's public widget key, minted when none was kept (keys made before the admin).
async fn widget_key(st: &AppState, tenant_id: &str) -> Result<String, AdminError> {
    if let Some(k) = st.store.widget_token(tenant_id).await? {
        return Ok(k);
    }
    let new = NewApiKey::generate(tenant_id, KeyKind::Public, "widget");
    st.store.insert_api_key(&new).await?;
    Ok(new.token)
}

/// This server's public address as the browser reached it.
fn origin(headers: &HeaderMap) -> String {
    let host = headers
        .get("x-forwarded-host")
        .or_else(|| headers.get(header::HOST))
        .and_then(|v| v.to_str().ok())
        .filter(|h| {
            h.bytes()
                .all(|b| b.is_ascii_alphanumeric() || b".-:[]".contains(&b))
        })
        .unwrap_or("localhost");
    let https = headers
        .get("x-forwarded-proto")
        .and_then(|v| v.to_str().ok())
        .is_some_and(|p| p.eq_ignore_ascii_case("https"));
    format!("{}://{host}", if https { "https" } else { "http" })
}

pub async fn page(
    State(st): State<AppState>,
    admin: Admin,
    headers: HeaderMap,
    Query(q): Query<StepQuery>,
) -> Page {
    admin.require_owner()?;
    render(&st, &admin, &headers, &q, context! {}).await
}

/// A step of the wizard; `overlay` (what a refused form sent, its error) wins over the
/// stored values.
async fn render(
    st: &AppState,
    admin: &Admin,
    headers: &HeaderMap,
    q: &StepQuery,
    overlay: minijinja::Value,
) -> Page {
    let shop = admin.shop()?;
    let step = q
        .step
        .as_deref()
        .filter(|s| STEPS.iter().any(|(k, _)| k == s))
        .unwrap_or("import");
    let at = STEPS.iter().position(|(k, _)| *k == step).unwrap_or(0);
    let steps: Vec<_> = STEPS
        .iter()
        .enumerate()
        .map(|(i, (k, label))| context! { key => k, label => label, done => i < at, current => i == at })
        .collect();
    let (products, variants) = st.store.count_catalogue(&shop.id).await?;
    let report = match q.import.as_deref() {
        Some(id) if id.len() <= 64 => st.store.import(&shop.id, id).await?.map(|r| {
            let report: serde_json::Value = serde_json::from_str(&r.report).unwrap_or_default();
            context! { rows_total => r.rows_total, rows_imported => r.rows_imported, rows_rejected => r.rows_rejected, source => r.source, report => report }
        }),
        _ => None,
    };
    let templates: Vec<_> = comptoir_agent::Template::all_builtin()
        .iter()
        .map(|t| context! { id => &t.id, name => &t.name, appointments => t.appointment.is_some(), faq => t.faq.len() })
        .collect();
    let key = if matches!(step, "snippet" | "test") {
        Some(widget_key(st, &shop.id).await?)
    } else {
        None
    };
    let origin = origin(headers);
    let snippet = key
        .as_ref()
        .map(|k| format!(r#"<script src="{origin}/widget.js" data-key="{k}" async></script>"#));
    st.admin.views.page(
        "onboarding.html",
        Some(admin),
        context! { ..overlay, ..context! {
            nav => "onboarding",
            step => step,
            steps => steps,
            next => STEPS.get(at + 1).map(|(k, _)| *k),
            products => products,
            variants => variants,
            import => report,
            templates => templates,
            template => &shop.settings.template,
            widget => &shop.settings.widget,
            widget_key => key,
            snippet => snippet,
        } },
    )
}

pub async fn template(State(st): State<AppState>, admin: Admin, Form(f): Form<Fields>) -> Page {
    admin.check_csrf(field(&f, "_csrf"))?;
    admin.require_owner()?;
    let shop = admin.shop()?;
    let mut settings = shop.settings.clone();
    settings.template = field(&f, "template").unwrap_or("").to_string();
    if !st.conversations.template_exists(&settings.template) {
        return Err(AdminError::new(
            StatusCode::UNPROCESSABLE_ENTITY,
            "Pick one of the templates.",
        ));
    }
    crate::api::settings::store_settings(&st, &shop.id, &settings).await?;
    Ok(Redirect::to("/admin/onboarding?step=brand").into_response())
}

pub async fn brand(
    State(st): State<AppState>,
    admin: Admin,
    headers: HeaderMap,
    Form(f): Form<Fields>,
) -> Page {
    admin.check_csrf(field(&f, "_csrf"))?;
    admin.require_owner()?;
    let shop = admin.shop()?;
    let mut settings = shop.settings.clone();
    if let Err(m) = super::settings::apply_branding(&mut settings, &f) {
        // The step again, with what was typed and why it was refused.
        let q = StepQuery {
            step: Some("brand".into()),
            import: None,
        };
        let mut res = render(
            &st,
            &admin,
            &headers,
            &q,
            context! { widget => &settings.widget, error => m },
        )
        .await?;
        *res.status_mut() = StatusCode::UNPROCESSABLE_ENTITY;
        return Ok(res);
    }
    crate::api::settings::store_settings(&st, &shop.id, &settings).await?;
    Ok(Redirect::to("/admin/onboarding?step=snippet").into_response())
}
