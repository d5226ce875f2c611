//! Bearer-key authentication. The key names its tenant; every handler works inside that
//! tenant, so another tenant's ids are simply not found.

use crate::error::ApiError;
use crate::state::AppState;
use axum::extract::FromRequestParts;
use axum::http::header::AUTHORIZATION;
use axum::http::request::Parts;
use comptoir_domain::{ApiKey, KeyKind, Scope, Tenant};

/// The caller: its key and the tenant the key belongs to.
pub struct Auth {
    pub tenant: Tenant,
    pub key: ApiKey,
}

impl Auth {
    /// Refuses with 403 when the key kind may not use this scope (a public key writing).
    pub fn require(&self, scope: Scope) -> Result<(), ApiError> {
        if self.key.kind.allows(scope) {
            Ok(())
        } else {
            Err(ApiError::forbidden(
                "this endpoint needs a secret key (sk_…); public keys (pk_…) may only read the catalogue and converse",
            ))
        }
    }
}

impl FromRequestParts<AppState> for Auth {
    type Rejection = ApiError;
    async fn from_request_parts(parts: &mut Parts, state: &AppState) -> Result<Self, ApiError> {
        let header = parts.headers.get(AUTHORIZATION).ok_or_else(|| {
            ApiError::unauthorized("missing `Authorization: Bearer <key>` header")
        })?;
        let value = header
            .to_str()
            .map_err(|_| ApiError::unauthorized("the Authorization header is not valid text"))?;
        let token = value
            .strip_prefix("Bearer ")
            .or_else(|| value.strip_prefix("bearer "))
            .map(str::trim)
            .ok_or_else(|| ApiError::unauthorized("use `Authorization: Bearer <key>`"))?;
        if KeyKind::of_token(token).is_none() || token.len() > 128 {
            return Err(ApiError::unauthorized(
                "not a Comptoir API key (keys start with sk_ or pk_)",
            ));
        }
        if let Some((key, tenant)) = state.keys.get(token) {
            tracing::Span::current().record("tenant", tenant.slug.as_str());
            return Ok(Auth { tenant, key });
        }
        let key = state
            .store
            .api_key_by_token(token)
            .await?
            .ok_or_else(|| ApiError::unauthorized("unknown API key"))?;
        if key.revoked_at.is_some() {
            return Err(ApiError::unauthorized("this API key has been revoked"));
        }
        let tenant = state
            .store
            .tenant_by_id(&key.tenant_id)
            .await?
            .ok_or_else(|| ApiError::unauthorized("the key's tenant no longer exists"))?;
        state.keys.put(token, &key, &tenant);
        tracing::Span::current().record("tenant", tenant.slug.as_str());
        Ok(Auth { tenant, key })
    }
}

/// Keys seen in the last seconds, with their tenant: a turn would otherwise spend two database
/// reads on the key before doing anything. A revocation or a settings change made through this
/// server clears it at once; one made by another process shows within [`KEY_TTL`].
#[derive(Default)]
pub struct KeyCache {
    entries:
        std::sync::Mutex<std::collections::HashMap<String, (std::time::Instant, ApiKey, Tenant)>>,
}

/// How long a key read stays trusted.
pub const KEY_TTL: std::time::Duration = std::time::Duration::from_secs(2);
/// Most keys cached; beyond, the cache starts over.
const KEY_CACHE_MAX: usize = 10_000;

impl KeyCache {
    fn get(&self, token: &str) -> Option<(ApiKey, Tenant)> {
        let entries = self.entries.lock().unwrap_or_else(|e| e.into_inner());
        let (at, key, tenant) = entries.get(token)?;
        (at.elapsed() < KEY_TTL).then(|| (key.clone(), tenant.clone()))
    }

    fn put(&self, token: &str, key: &ApiKey, tenant: &Tenant) {
        let mut entries = self.entries.lock().unwrap_or_else(|e| e.into_inner());
        if entries.len() >= KEY_CACHE_MAX {
            entries.clear();
        }
        entries.insert(
            token.to_string(),
            (std::time::Instant::now(), key.clone(), tenant.clone()),
        );
    }

    /// Forgets everything (a key revoked, a tenant's settings changed).
    pub fn clear(&self) {
        self.entries
            .lock()
            .unwrap_or_else(|e| e.into_inner())
            .clear();
    }
}
