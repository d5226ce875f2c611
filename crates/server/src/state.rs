//! What every handler shares.

use crate::conversations::{Conversations, RateLimit};
use crate::search::SearchService;
use crate::understanding::Understanding;
use comptoir_store::Store;
use std::sync::Arc;
use std::time::Duration;

/// Limits and timeouts of the HTTP server.
#[derive(Debug, Clone)]
pub struct Limits {
    /// Largest JSON body accepted (product create/update).
    pub json_body_bytes: usize,
    /// Largest catalogue file accepted by `POST /v1/catalogue/imports` (streamed, not buffered).
    pub import_body_bytes: u64,
    /// Time a request may take (imports excepted).
    pub request_timeout: Duration,
    /// Time an import request may take.
    pub import_timeout: Duration,
    /// How fast one conversation may send messages.
    pub conversation_rate: RateLimit,
}

impl Default for Limits {
    fn default() -> Self {
        Limits {
            json_body_bytes: 1024 * 1024,
            import_body_bytes: 1024 * 1024 * 1024,
            request_timeout: Duration::from_secs(30),
            import_timeout: Duration::from_secs(30 * 60),
            conversation_rate: RateLimit::default(),
        }
    }
}

#[derive(Clone)]
pub struct AppState {
    pub store: Arc<dyn Store>,
    pub limits: Limits,
    pub understanding: Arc<Understanding>,
    pub search: Arc<SearchService>,
    pub conversations: Arc<Conversations>,
    pub keys: Arc<crate::auth::KeyCache>,
    /// The demo store's public key, when serving `--demo`: the demo shop page at `/` embeds it.
    pub demo_widget_key: Option<String>,
    /// The admin's templates and login throttle.
    pub admin: Arc<crate::admin::AdminState>,
}

impl AppState {
    pub fn new(store: Arc<dyn Store>, limits: Limits) -> Self {
        AppState {
            store,
            limits: limits.clone(),
            understanding: Arc::new(Understanding::default()),
            search: Arc::new(SearchService::default()),
            conversations: Arc::new(Conversations::new(limits.conversation_rate)),
            keys: Arc::default(),
            demo_widget_key: None,
            admin: Arc::default(),
        }
    }
}
