//! The merchant admin under `/admin`: server-rendered HTML from templates compiled into the
//! binary (minijinja, escaped by default), a little hand-written JS where it helps (live inbox,
//! widget preview), no front-end build. Every page works inside the signed-in session's shop:
//! another shop's ids are simply not found.

pub mod auth;
mod views;

mod analytics;
mod catalogue;
mod inbox;
mod onboarding;
mod sales;
mod session;
mod settings;

use crate::error::ApiError;
use crate::state::AppState;
use axum::http::{header, StatusCode};
use axum::response::{IntoResponse, Redirect, Response};
use axum::routing::{get, post};
use axum::Router;
use comptoir_store::StoreError;
pub use views::Views;

/// What the admin keeps in memory: its templates and the sign-in and sign-up throttles.
pub struct AdminState {
    pub views: Views,
    throttle: auth::LoginThrottle,
    signups: auth::LoginThrottle,
}

/// Sign-ups one client address may make per hour.
const SIGNUPS_PER_HOUR: usize = 10;

impl Default for AdminState {
    fn default() -> Self {
        AdminState::with_throttle(auth::LoginThrottle::default())
    }
}

impl AdminState {
    /// With a custom sign-in throttle (tests use a short window).
    pub fn with_throttle(throttle: auth::LoginThrottle) -> Self {
        AdminState {
            views: Views::new(),
            throttle,
            signups: auth::LoginThrottle::new(
                std::time::Duration::from_secs(3600),
                SIGNUPS_PER_HOUR,
                SIGNUPS_PER_HOUR,
            ),
        }
    }

    pub fn signups(&self) -> &auth::LoginThrottle {
        &self.signups
    }
}

/// A page that could not be shown: an HTML error page, or a redirect (signed out, no shop).
#[derive(Debug)]
pub enum AdminError {
    Page {
        status: StatusCode,
        message: String,
        retry_after: Option<u64>,
    },
    Redirect(String),
}

impl AdminError {
    pub fn new(status: StatusCode, message: impl Into<String>) -> Self {
        AdminError::Page {
            status,
            message: message.into(),
            retry_after: None,
        }
    }
    pub fn internal(e: impl std::fmt::Display) -> Self {
        tracing::error!(error = %e, "admin page failed");
        AdminError::new(
            StatusCode::INTERNAL_SERVER_ERROR,
            "Something went wrong on our side; it has been logged.",
        )
    }
    pub fn not_found(what: &str) -> Self {
        AdminError::new(StatusCode::NOT_FOUND, format!("{what} not found."))
    }
}

impl From<StoreError> for AdminError {
    fn from(e: StoreError) -> Self {
        ApiError::from(e).into()
    }
}

impl From<ApiError> for AdminError {
    fn from(e: ApiError) -> Self {
        if e.status.is_server_error() {
            tracing::error!(detail = %e.detail, "admin page failed");
        }
        AdminError::Page {
            status: e.status,
            message: e.detail,
            retry_after: e.retry_after,
        }
    }
}

impl IntoResponse for AdminError {
    fn into_response(self) -> Response {
        match self {
            AdminError::Redirect(to) => Redirect::to(&to).into_response(),
            AdminError::Page {
                status,
                message,
                retry_after,
            } => {
                let html = views::error_page(status, &message, views::request_lang());
                let mut res = (status, axum::response::Html(html)).into_response();
                if let Some(s) = retry_after {
                    if let Ok(v) = s.to_string().parse() {
                        res.headers_mut().insert(header::RETRY_AFTER, v);
                    }
                }
                res
            }
        }
    }
}

pub type Page = Result<Response, AdminError>;

/// A form as (name, value) pairs: the pages' forms have repeated and dynamic fields.
pub(crate) type Fields = Vec<(String, String)>;

/// The first value of a form field.
pub(crate) fn field<'a>(f: &'a Fields, name: &str) -> Option<&'a str> {
    f.iter().find(|(k, _)| k == name).map(|(_, v)| v.as_str())
}

/// The catalogue upload, apart: no 1 MiB body limit, and the import's own time limit.
pub use catalogue::import_router;

/// Every admin route but the upload.
pub fn router() -> Router<AppState> {
    Router::new()
        .route("/admin", get(analytics::home))
        .route("/admin/", get(analytics::home))
        .route("/admin/admin.css", get(views::css))
        .route("/admin/admin.js", get(views::js))
        .route(
            "/admin/login",
            get(session::login_page).post(session::login),
        )
        .route("/admin/logout", post(session::logout))
        .route("/admin/logout-everywhere", post(session::logout_everywhere))
        .route("/admin/account", get(session::account))
        .route("/admin/account/password", post(session::change_password))
        .route("/admin/account/language", post(session::change_language))
        .route(
            "/admin/signup",
            get(session::signup_page).post(session::signup),
        )
        .route("/admin/shops", get(session::shops))
        .route("/admin/shops/{id}/switch", post(session::switch_shop))
        .route("/admin/onboarding", get(onboarding::page))
        .route("/admin/onboarding/template", post(onboarding::template))
        .route("/admin/onboarding/brand", post(onboarding::brand))
        .route("/admin/catalogue", get(catalogue::list))
        .route(
            "/admin/catalogue/products/{id}",
            get(catalogue::edit_page).post(catalogue::save),
        )
        .route("/admin/inbox", get(inbox::list))
        .route("/admin/inbox/live", get(inbox::live))
        .route("/admin/inbox/{id}", get(inbox::conversation))
        .route("/admin/inbox/{id}/turns", get(inbox::turns))
        .route("/admin/inbox/{id}/takeover", post(inbox::take_over))
        .route("/admin/inbox/{id}/message", post(inbox::message))
        .route("/admin/inbox/{id}/handback", post(inbox::hand_back))
        .route("/admin/orders", get(sales::orders))
        .route("/admin/orders/{id}/status", post(sales::order_status))
        .route("/admin/leads", get(sales::leads))
        .route(
            "/admin/templates",
            get(settings::templates_page).post(settings::save_templates),
        )
        .route("/admin/settings", get(settings::page))
        .route("/admin/settings/shop", post(settings::save_shop))
        .route("/admin/settings/branding", post(settings::save_branding))
        .route("/admin/settings/keys", post(settings::create_key))
        .route(
            "/admin/settings/keys/{id}/revoke",
            post(settings::revoke_key),
        )
        .route("/admin/settings/users", post(settings::add_user))
        .route(
            "/admin/settings/users/{id}/remove",
            post(settings::remove_user),
        )
        .route("/admin/analytics", get(analytics::page))
        .route("/admin/analytics/export/{table}", get(analytics::export))
        .layer(axum::middleware::from_fn(views::with_lang))
}
