//! The HTTP server: the REST API v1, its OpenAPI document and reference page, health,
//! readiness and metrics. The only crate that knows HTTP.

pub mod admin;
pub mod api;
pub mod auth;
pub mod conversations;
pub mod error;
pub mod extract;
pub mod metrics;
pub mod openapi;
pub mod search;
pub mod state;
pub mod takeover;
pub mod tenant_cache;
pub mod understanding;

use axum::extract::{DefaultBodyLimit, State};
use axum::http::{header, HeaderName, HeaderValue, Request, StatusCode};
use axum::response::{Html, IntoResponse, Response};
use axum::routing::get;
use axum::{Json, Router};
use error::ApiError;
pub use state::{AppState, Limits};
use std::future::Future;
use tower_http::catch_panic::CatchPanicLayer;
use tower_http::request_id::{
    MakeRequestId, PropagateRequestIdLayer, RequestId, SetRequestIdLayer,
};
use tower_http::trace::TraceLayer;

const REQUEST_ID: HeaderName = HeaderName::from_static("x-request-id");

/// Request ids are random (`req_…`) unless the caller sent one.
#[derive(Clone, Copy)]
struct NewRequestId;

impl MakeRequestId for NewRequestId {
    fn make_request_id<B>(&mut self, _: &Request<B>) -> Option<RequestId> {
        HeaderValue::from_str(&comptoir_domain::id::new_id("req"))
            .ok()
            .map(RequestId::new)
    }
}

/// Every route of the server.
pub fn router(state: AppState) -> Router {
    let limits = state.limits.clone();
    let imports = Router::new()
        .route(
            "/v1/catalogue/imports",
            get(api::imports::list).post(api::imports::create),
        )
        .layer(axum::middleware::from_fn(detach))
        .layer(DefaultBodyLimit::disable())
        .layer(axum::middleware::from_fn_with_state(
            limits.import_timeout,
            enforce_timeout,
        ));
    let api = Router::new()
        .route("/v1/tenant", get(api::tenant::get))
        .route(
            "/v1/tenant/settings",
            get(api::settings::get)
                .put(api::settings::put)
                .patch(api::settings::patch),
        )
        .route("/v1/templates", get(api::settings::templates))
        .route("/v1/templates/{id}", get(api::settings::template_source))
        .route("/v1/widget/config", get(api::settings::widget_config))
        .route(
            "/v1/conversations",
            get(api::conversations::list).post(api::conversations::create),
        )
        .route(
            "/v1/conversations/{id}",
            get(api::conversations::transcript),
        )
        .route(
            "/v1/conversations/{id}/messages",
            axum::routing::post(api::conversations::message),
        )
        .route(
            "/v1/conversations/{id}/takeover",
            axum::routing::post(api::conversations::take_over),
        )
        .route(
            "/v1/conversations/{id}/staff-messages",
            axum::routing::post(api::conversations::staff_message),
        )
        .route(
            "/v1/conversations/{id}/handback",
            axum::routing::post(api::conversations::hand_back),
        )
        .route("/v1/orders", get(api::orders::list))
        .route(
            "/v1/orders/{id}",
            get(api::orders::get).patch(api::orders::update),
        )
        .route("/widget.js", get(widget_js))
        .route("/", get(home))
        .route(
            "/v1/products",
            get(api::products::list).post(api::products::create),
        )
        .route("/v1/products/search", get(api::search::search))
        .route(
            "/v1/products/{id}/recommendations",
            get(api::search::recommendations),
        )
        .route(
            "/v1/products/{id}/boost",
            axum::routing::put(api::search::set_boost),
        )
        .route(
            "/v1/recommendation-rules",
            get(api::search::list_rules).post(api::search::create_rule),
        )
        .route(
            "/v1/recommendation-rules/{id}",
            axum::routing::delete(api::search::delete_rule),
        )
        .route(
            "/v1/products/{id}",
            get(api::products::get)
                .patch(api::products::update)
                .delete(api::products::delete),
        )
        .route("/v1/catalogue/imports/{id}", get(api::imports::get))
        .route("/v1/nlu/parse", axum::routing::post(api::nlu::parse))
        .route("/v1/keys", get(api::keys::list).post(api::keys::create))
        .route("/v1/keys/{id}", axum::routing::delete(api::keys::revoke))
        .route("/v1/openapi.json", get(openapi_json))
        .route("/docs", get(docs))
        .route("/healthz", get(healthz))
        .route("/readyz", get(readyz))
        .route("/metrics", get(metrics_text))
        .layer(axum::middleware::from_fn(detach))
        .layer(DefaultBodyLimit::max(limits.json_body_bytes))
        .layer(axum::middleware::from_fn_with_state(
            limits.request_timeout,
            enforce_timeout,
        ));
    let admin = admin::router()
        .layer(axum::middleware::from_fn(detach))
        .layer(DefaultBodyLimit::max(limits.json_body_bytes))
        .layer(axum::middleware::from_fn_with_state(
            limits.request_timeout,
            enforce_timeout,
        ));
    let admin_import = admin::import_router()
        .layer(axum::middleware::from_fn(detach))
        .layer(axum::middleware::from_fn_with_state(
            limits.import_timeout,
            enforce_timeout,
        ));
    // CORS is for the widget calling the API from the merchant's site; the admin is same-origin
    // only and gets none.
    api.merge(imports)
        .merge(admin)
        .merge(admin_import)
        .fallback(not_found)
        .method_not_allowed_fallback(method_not_allowed)
        .route_layer(axum::middleware::from_fn(metrics::track))
        .layer(CatchPanicLayer::custom(|_| {
            ApiError::internal("a request handler panicked").into_response()
        }))
        .layer(
            TraceLayer::new_for_http().make_span_with(|req: &Request<_>| {
                let id = req.headers().get(&REQUEST_ID).and_then(|v| v.to_str().ok()).unwrap_or("-");
                tracing::info_span!("http", method = %req.method(), path = %req.uri().path(), request_id = %id, tenant = tracing::field::Empty)
            }),
        )
        .layer(cors())
        .layer(PropagateRequestIdLayer::new(REQUEST_ID))
        .layer(SetRequestIdLayer::new(REQUEST_ID, NewRequestId))
        .with_state(state)
}

/// The widget runs on the merchant's site and calls the API from there: any origin may call
/// with a bearer key (no cookies are involved, so this opens nothing to other sites).
fn cors() -> tower_http::cors::CorsLayer {
    use axum::http::Method;
    tower_http::cors::CorsLayer::new()
        // Any site may call the API (the widget runs on the merchant's); the admin is
        // same-origin only and never answers another origin.
        .allow_origin(tower_http::cors::AllowOrigin::predicate(|_, parts| {
            !parts.uri.path().starts_with("/admin")
        }))
        .allow_methods([
            Method::GET,
            Method::POST,
            Method::PUT,
            Method::PATCH,
            Method::DELETE,
        ])
        .allow_headers([header::AUTHORIZATION, header::CONTENT_TYPE, header::ACCEPT])
        .expose_headers([header::RETRY_AFTER, REQUEST_ID])
        .max_age(std::time::Duration::from_secs(3600))
}

/// The chat widget, one dependency-free script (web/widget.js).
async fn widget_js() -> Response {
    (
        [
            (header::CONTENT_TYPE, "text/javascript; charset=utf-8"),
            (header::CACHE_CONTROL, "public, max-age=300"),
        ],
        include_str!("../../../web/widget.js"),
    )
        .into_response()
}

/// With `--demo`, a demo shop with the widget on it; otherwise a pointer to the docs.
async fn home(State(st): State<AppState>) -> Response {
    match &st.demo_widget_key {
        Some(key) => Html(include_str!("../../../web/demo.html").replace("{{WIDGET_KEY}}", key))
            .into_response(),
        None => Html(
            "<!doctype html><meta charset=utf-8><title>Comptoir</title>\
             <p>Comptoir is running. API reference: <a href=/docs>/docs</a>.</p>",
        )
        .into_response(),
    }
}

/// Expires unpaid reservations whose time is up, every `every`, returning their stock.
pub fn spawn_reservation_sweeper(
    store: std::sync::Arc<dyn comptoir_store::Store>,
    every: std::time::Duration,
) {
    tokio::spawn(async move {
        let mut tick = tokio::time::interval(every);
        loop {
            tick.tick().await;
            // Expired admin sessions go too (they are refused already; this keeps the table small).
            if let Err(e) = store
                .delete_expired_sessions(comptoir_domain::now_ms())
                .await
            {
                tracing::warn!(error = %e, "deleting expired admin sessions failed");
            }
            match store.expire_orders(comptoir_domain::now_ms()).await {
                Ok(0) => {}
                Ok(n) => tracing::info!(orders = n, "unpaid reservations expired"),
                Err(e) => tracing::warn!(error = %e, "expiring reservations failed"),
            }
        }
    });
}

/// Runs the handler on a task of its own: a client that goes away (or a timeout) stops the
/// waiting, never a handler in the middle of a database transaction (a transaction cancelled
/// between its BEGIN and its first statement could keep SQLite's write lock).
async fn detach(req: axum::extract::Request, next: axum::middleware::Next) -> Response {
    match tokio::spawn(next.run(req)).await {
        Ok(res) => res,
        Err(e) => ApiError::internal(format!("request task failed: {e}")).into_response(),
    }
}

/// A time limit per request, answered with a 503 problem (tower-http's layer sends an empty body).
async fn enforce_timeout(
    State(limit): State<std::time::Duration>,
    req: axum::extract::Request,
    next: axum::middleware::Next,
) -> Response {
    match tokio::time::timeout(limit, next.run(req)).await {
        Ok(res) => res,
        Err(_) => ApiError::new(
            StatusCode::SERVICE_UNAVAILABLE,
            "timeout",
            format!("the request took longer than {} s", limit.as_secs()),
        )
        .into_response(),
    }
}

/// Serves until `shutdown` resolves, then drains in-flight requests.
pub async fn serve(
    listener: tokio::net::TcpListener,
    state: AppState,
    shutdown: impl Future<Output = ()> + Send + 'static,
) -> std::io::Result<()> {
    metrics::handle();
    axum::serve(listener, router(state))
        .with_graceful_shutdown(shutdown)
        .await
}

async fn healthz() -> Json<serde_json::Value> {
    Json(serde_json::json!({"status": "ok"}))
}

async fn readyz(State(st): State<AppState>) -> Response {
    match st.store.ping().await {
        Ok(()) => Json(serde_json::json!({"status": "ready", "database": st.store.backend()}))
            .into_response(),
        Err(e) => {
            tracing::warn!(error = %e, "readiness check failed");
            ApiError::new(
                StatusCode::SERVICE_UNAVAILABLE,
                "database_unreachable",
                "the database does not answer",
            )
            .into_response()
        }
    }
}

async fn metrics_text() -> Response {
    (
        [(header::CONTENT_TYPE, "text/plain; version=0.0.4")],
        metrics::handle().render(),
    )
        .into_response()
}

async fn openapi_json() -> Response {
    (
        [(header::CONTENT_TYPE, "application/json")],
        openapi::json(),
    )
        .into_response()
}

async fn docs() -> Html<&'static str> {
    Html(include_str!("../../../web/docs.html"))
}

async fn not_found() -> ApiError {
    ApiError::new(
        StatusCode::NOT_FOUND,
        "not_found",
        "no such route; see /docs",
    )
}

async fn method_not_allowed() -> ApiError {
    ApiError::new(
        StatusCode::METHOD_NOT_ALLOWED,
        "method_not_allowed",
        "this route does not take that method",
    )
}
