//! Signing in and out, self-service sign-up (a new shop and its owner), and the operator's
//! list of shops.

use super::auth::{self, Admin};
use super::views;
use super::{AdminError, Page};
use crate::state::AppState;
use axum::extract::{Path, Query, State};
use axum::http::{header, HeaderMap, StatusCode};
use axum::response::{IntoResponse, Redirect};
use axum::Form;
use comptoir_domain::account::{check_password, normalise_email};
use comptoir_domain::{Currency, KeyKind, Lang, NewApiKey, NewTenant, NewUser, Plan, Role};
use minijinja::context;
use serde::Deserialize;

#[derive(Debug, Deserialize, Default)]
pub struct NextQuery {
    next: Option<String>,
}

/// Only a path inside the admin may be a `next` (no open redirect).
fn safe_next(next: Option<&str>) -> String {
    match next {
        Some(n)
            if n.starts_with("/admin")
                && n.bytes().all(|b| b.is_ascii_graphic())
                && !n.starts_with("//")
                && !n.contains("://")
                && !n.contains('\\') =>
        {
            n.to_string()
        }
        _ => "/admin".into(),
    }
}

pub async fn login_page(
    State(st): State<AppState>,
    headers: HeaderMap,
    Query(q): Query<NextQuery>,
) -> Page {
    st.admin.views.page(
        "login.html",
        None,
        context! { next => safe_next(q.next.as_deref()), lang => views::lang_of(&headers) },
    )
}

#[derive(Debug, Deserialize)]
pub struct LoginForm {
    email: String,
    password: String,
    next: Option<String>,
}

/// The one answer to every failed sign-in, whoever the account.
const BAD_LOGIN: &str = "Wrong email or password.";

pub async fn login(
    State(st): State<AppState>,
    headers: HeaderMap,
    extensions: axum::http::Extensions,
    Form(f): Form<LoginForm>,
) -> Page {
    auth::check_origin(&headers)?;
    let next = safe_next(f.next.as_deref());
    let email = normalise_email(&f.email).unwrap_or_else(|_| f.email.trim().to_lowercase());
    let client = auth::client_of(&headers, auth::peer_of(&extensions));
    let throttle = st.admin.throttle();
    let again = |status: StatusCode, error: String, retry: Option<u64>| -> Page {
        let mut res = st.admin.views.page(
            "login.html",
            None,
            context! { next => &next, email => &email, error => error, lang => views::lang_of(&headers) },
        )?;
        *res.status_mut() = status;
        if let Some(s) = retry {
            res.headers_mut().insert(header::RETRY_AFTER, s.into());
        }
        Ok(res)
    };
    let attempt = match throttle.attempt(&email, &client) {
        Ok(a) => a,
        Err(wait) => {
            let minutes = wait.as_secs().div_ceil(60).max(1);
            return again(
                StatusCode::TOO_MANY_REQUESTS,
                format!("Too many failed sign-ins. Try again in {minutes} minute(s)."),
                Some(wait.as_secs().max(1)),
            );
        }
    };
    let user = if email.len() <= 254 {
        st.store.user_by_email(&email).await?
    } else {
        None
    };
    let ok = auth::verify_blocking(
        f.password.chars().take(1024).collect(),
        user.as_ref().map(|u| u.password_hash.clone()),
    )
    .await;
    let Some(user) = user.filter(|_| ok) else {
        tracing::info!(client = %client, "admin sign-in failed");
        return again(StatusCode::UNAUTHORIZED, BAD_LOGIN.into(), None);
    };
    throttle.succeeded(&email, &client, attempt);
    let cookie = auth::start_session(&st, &headers, &user).await?;
    let to = if user.role == Role::Operator && next == "/admin" {
        "/admin/shops".to_string()
    } else {
        next
    };
    Ok(([(header::SET_COOKIE, cookie)], Redirect::to(&to)).into_response())
}

#[derive(Debug, Deserialize)]
pub struct CsrfForm {
    #[serde(rename = "_csrf")]
    csrf: Option<String>,
}

pub async fn logout(
    State(st): State<AppState>,
    headers: HeaderMap,
    admin: Admin,
    Form(f): Form<CsrfForm>,
) -> Page {
    admin.check_csrf(f.csrf.as_deref())?;
    st.store.delete_session(&admin.token_hash).await?;
    Ok((
        [(header::SET_COOKIE, auth::cookie(&headers, "", 0))],
        Redirect::to("/admin/login"),
    )
        .into_response())
}

/// Ends every session of this user, on every device (this one too).
pub async fn logout_everywhere(
    State(st): State<AppState>,
    headers: HeaderMap,
    admin: Admin,
    Form(f): Form<CsrfForm>,
) -> Page {
    admin.check_csrf(f.csrf.as_deref())?;
    let n = st.store.delete_user_sessions(&admin.user.id).await?;
    tracing::info!(sessions = n, "admin signed out everywhere");
    Ok((
        [(header::SET_COOKIE, auth::cookie(&headers, "", 0))],
        Redirect::to("/admin/login"),
    )
        .into_response())
}

pub async fn account(State(st): State<AppState>, admin: Admin) -> Page {
    st.admin
        .views
        .page("account.html", Some(&admin), context! { nav => "account" })
}

#[derive(Debug, Deserialize)]
pub struct PasswordForm {
    #[serde(rename = "_csrf")]
    csrf: Option<String>,
    current: String,
    new: String,
}

/// Changes one's own password: the current one is checked (throttled like a sign-in), every
/// other session ends, this one starts afresh.
pub async fn change_password(
    State(st): State<AppState>,
    headers: HeaderMap,
    extensions: axum::http::Extensions,
    admin: Admin,
    Form(f): Form<PasswordForm>,
) -> Page {
    admin.check_csrf(f.csrf.as_deref())?;
    let again = |status: StatusCode, error: String| -> Page {
        let mut res = st.admin.views.page(
            "account.html",
            Some(&admin),
            context! { nav => "account", error },
        )?;
        *res.status_mut() = status;
        Ok(res)
    };
    let client = auth::client_of(&headers, auth::peer_of(&extensions));
    let attempt = match st.admin.throttle().attempt(&admin.user.email, &client) {
        Ok(a) => a,
        Err(_) => {
            return again(
                StatusCode::TOO_MANY_REQUESTS,
                "Too many wrong passwords; try again later.".into(),
            )
        }
    };
    if !auth::verify_blocking(
        f.current.chars().take(1024).collect(),
        Some(admin.user.password_hash.clone()),
    )
    .await
    {
        return again(
            StatusCode::UNPROCESSABLE_ENTITY,
            "The current password is not right.".into(),
        );
    }
    st.admin
        .throttle()
        .succeeded(&admin.user.email, &client, attempt);
    if let Err(e) = check_password(&f.new) {
        return again(StatusCode::UNPROCESSABLE_ENTITY, e.to_string());
    }
    let hash = auth::hash_password_blocking(f.new.clone()).await?;
    st.store.set_password(&admin.user.id, &hash).await?;
    st.store.delete_user_sessions(&admin.user.id).await?;
    let cookie = auth::start_session(&st, &headers, &admin.user).await?;
    let mut res = super::views::redirect_with_flash(
        "/admin/account",
        "Password changed; your other sessions ended.",
    );
    res.headers_mut().append(
        header::SET_COOKIE,
        cookie.parse().map_err(AdminError::internal)?,
    );
    Ok(res)
}

#[derive(Debug, Deserialize)]
pub struct LanguageForm {
    #[serde(rename = "_csrf")]
    csrf: Option<String>,
    lang: String,
}

/// Sets the admin's language (a cookie for a year, on this browser).
pub async fn change_language(admin: Admin, Form(f): Form<LanguageForm>) -> Page {
    admin.check_csrf(f.csrf.as_deref())?;
    let Some(lang) = views::supported(&f.lang).filter(|_| f.lang.len() == 2) else {
        return Err(AdminError::new(
            StatusCode::UNPROCESSABLE_ENTITY,
            "Unknown language.",
        ));
    };
    let cookie = format!(
        "{}={lang}; Path=/admin; Max-Age=31536000; SameSite=Lax",
        views::LANG_COOKIE
    );
    Ok((
        [(header::SET_COOKIE, cookie)],
        Redirect::to("/admin/account"),
    )
        .into_response())
}

pub async fn signup_page(State(st): State<AppState>, headers: HeaderMap) -> Page {
    let lang = views::lang_of(&headers);
    st.admin.views.page(
        "signup.html",
        None,
        context! { currency => "EUR", language => lang, lang },
    )
}

#[derive(Debug, Deserialize)]
pub struct SignupForm {
    shop: String,
    email: String,
    name: String,
    password: String,
    currency: Option<String>,
    language: Option<String>,
}

/// A slug from a shop's name: `Ana's Café` → `anas-cafe` (letters a–z only, `-` between).
fn slug_of(name: &str) -> String {
    let mut out = String::new();
    for c in name.chars().flat_map(|c| c.to_lowercase()) {
        let c = match c {
            'à' | 'á' | 'â' | 'ä' | 'ã' | 'å' => 'a',
            'ç' => 'c',
            'è' | 'é' | 'ê' | 'ë' => 'e',
            'ì' | 'í' | 'î' | 'ï' => 'i',
            'ñ' => 'n',
            'ò' | 'ó' | 'ô' | 'ö' | 'õ' => 'o',
            'ù' | 'ú' | 'û' | 'ü' => 'u',
            'ß' => 's',
            c => c,
        };
        if c.is_ascii_alphanumeric() {
            out.push(c);
        } else if !out.is_empty() && !out.ends_with('-') && c != '\'' && c != '’' {
            out.push('-');
        }
    }
    let mut s: String = out.trim_matches('-').chars().take(40).collect();
    s = s.trim_end_matches('-').to_string();
    if s.is_empty() {
        return "shop".into();
    }
    if !s.starts_with(|c: char| c.is_ascii_lowercase()) {
        s = format!("shop-{s}");
    }
    if s.len() < 2 {
        s = "shop".into();
    }
    s
}

/// Creates the shop, its widget key and its owner, and signs the owner in.
pub async fn signup(
    State(st): State<AppState>,
    headers: HeaderMap,
    extensions: axum::http::Extensions,
    Form(f): Form<SignupForm>,
) -> Page {
    auth::check_origin(&headers)?;
    let currency_text = f.currency.clone().unwrap_or_else(|| "EUR".into());
    let language_text = f.language.clone().unwrap_or_else(|| "en".into());
    let again = |error: String| -> Page {
        let mut res = st.admin.views.page(
            "signup.html",
            None,
            context! { shop => &f.shop, email => &f.email, name => &f.name, currency => &currency_text, language => &language_text, error, lang => views::lang_of(&headers) },
        )?;
        *res.status_mut() = StatusCode::UNPROCESSABLE_ENTITY;
        Ok(res)
    };
    // Every sign-up attempt counts against the client (each costs a password hash and may
    // create a shop; "this email has an account" must not be probed in bulk).
    let client = auth::client_of(&headers, auth::peer_of(&extensions));
    if let Err(wait) = st.admin.signups().attempt(&client, &client) {
        let mut res = again(format!(
            "Too many sign-ups from this address. Try again in {} minute(s).",
            wait.as_secs().div_ceil(60).max(1)
        ))?;
        *res.status_mut() = StatusCode::TOO_MANY_REQUESTS;
        return Ok(res);
    }
    // Everything is checked before anything is written: a refused form leaves no shop behind.
    let shop = f.shop.trim();
    if shop.is_empty() || shop.chars().count() > 80 {
        return again("Shop name: 1 to 80 characters.".into());
    }
    if let Err(e) = NewUser::new(
        Some(String::new()),
        &f.email,
        &f.name,
        Role::Owner,
        String::new(),
    ) {
        return again(e.to_string());
    }
    if let Err(e) = check_password(&f.password) {
        return again(e.to_string());
    }
    let Ok(currency) = Currency::parse(currency_text.trim()) else {
        return again("Currency: a three-letter ISO code such as EUR.".into());
    };
    let Some(lang) = Lang::parse(language_text.trim()) else {
        return again("Language: fr, en, de, it or es.".into());
    };
    if st
        .store
        .user_by_email(&normalise_email(&f.email).unwrap_or_default())
        .await?
        .is_some()
    {
        return again("An account with this email exists: sign in instead.".into());
    }
    let hash = auth::hash_password_blocking(f.password.clone()).await?;
    let base = slug_of(shop);
    let mut tenant = None;
    for n in 0..20 {
        let slug = if n == 0 {
            base.clone()
        } else {
            format!("{}-{}", base.chars().take(36).collect::<String>(), n + 1)
        };
        let locales = {
            let mut l = vec![lang.clone()];
            for other in ["en", "fr", "de", "it", "es"] {
                if other != lang.as_str() {
                    l.extend(Lang::parse(other));
                }
            }
            l
        };
        let new = NewTenant::new(&slug, shop, Plan::Starter, currency.clone(), locales)
            .map_err(|e| AdminError::new(StatusCode::UNPROCESSABLE_ENTITY, e.to_string()))?;
        match st.store.create_tenant(&new).await {
            Ok(t) => {
                tenant = Some(t);
                break;
            }
            Err(comptoir_store::StoreError::Conflict(_)) => continue,
            Err(e) => return Err(e.into()),
        }
    }
    let Some(tenant) = tenant else {
        return again("Could not find a free address for this shop name; try another name.".into());
    };
    st.store
        .insert_api_key(&NewApiKey::generate(&tenant.id, KeyKind::Public, "widget"))
        .await?;
    let new_user = NewUser::new(
        Some(tenant.id.clone()),
        &f.email,
        &f.name,
        Role::Owner,
        hash,
    )
    .map_err(|e| AdminError::new(StatusCode::UNPROCESSABLE_ENTITY, e.to_string()));
    let user = match new_user {
        Ok(u) => st.store.create_user(&u).await?,
        Err(AdminError::Page { message, .. }) => return again(message),
        Err(e) => return Err(e),
    };
    let cookie = auth::start_session(&st, &headers, &user).await?;
    Ok((
        [(header::SET_COOKIE, cookie)],
        Redirect::to("/admin/onboarding"),
    )
        .into_response())
}

/// The operator's list of shops.
pub async fn shops(State(st): State<AppState>, admin: Admin) -> Page {
    if !admin.is_operator() {
        return Err(AdminError::Redirect("/admin".into()));
    }
    let shops = st.store.list_tenants(1000).await?;
    let rows: Vec<_> = shops
        .iter()
        .map(|t| context! { id => &t.id, slug => &t.slug, name => &t.name, plan => t.plan.as_str(), created_at => t.created_at })
        .collect();
    st.admin.views.page(
        "shops.html",
        Some(&admin),
        context! { nav => "shops", shops => rows },
    )
}

pub async fn switch_shop(
    State(st): State<AppState>,
    admin: Admin,
    Path(id): Path<String>,
    Form(f): Form<CsrfForm>,
) -> Page {
    admin.check_csrf(f.csrf.as_deref())?;
    if !admin.is_operator() {
        return Err(AdminError::new(
            StatusCode::FORBIDDEN,
            "Only an operator can switch shops.",
        ));
    }
    if st.store.tenant_by_id(&id).await?.is_none() {
        return Err(AdminError::not_found("Shop"));
    }
    st.store.set_session_tenant(&admin.token_hash, &id).await?;
    Ok(Redirect::to("/admin").into_response())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn slugs_from_shop_names() {
        assert_eq!(slug_of("Ana's Café"), "anas-cafe");
        assert_eq!(slug_of("  Über Räder & Co. "), "uber-rader-co");
        assert_eq!(slug_of("42 Shop"), "shop-42-shop");
        assert_eq!(slug_of("!!"), "shop");
    }

    #[test]
    fn next_stays_inside_the_admin() {
        assert_eq!(safe_next(Some("/admin/inbox")), "/admin/inbox");
        for bad in [
            "https://evil.example",
            "//evil.example",
            "/admin/../x://",
            "/elsewhere",
        ] {
            assert_eq!(safe_next(Some(bad)), "/admin", "{bad}");
        }
    }
}
