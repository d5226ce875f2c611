//! Admin sign-in: argon2id password hashes, sessions in an HttpOnly cookie (only the token's
//! hash is stored), a CSRF token per session, login throttling per account and per client
//! address, logout everywhere.
//!
//! Throttling answers the same way whether the account exists or not, and unknown accounts
//! still pay one argon2 verification, so neither the answer nor its timing tells who has an
//! account.

use super::{AdminError, AdminState};
use crate::state::AppState;
use argon2::password_hash::{rand_core::OsRng, PasswordHash, PasswordHasher, SaltString};
use argon2::{Argon2, PasswordVerifier};
use axum::extract::FromRequestParts;
use axum::http::request::Parts;
use axum::http::{header, HeaderMap, Method, StatusCode};
use comptoir_domain::{now_ms, Role, Tenant, User};
use rand::RngCore;
use sha2::{Digest, Sha256};
use std::collections::HashMap;
use std::sync::{LazyLock, Mutex};
use std::time::{Duration, Instant};

/// The session cookie's name.
pub const COOKIE: &str = "comptoir_admin";
/// How long a session lasts (absolute, not sliding).
pub const SESSION_DAYS: i64 = 7;

/// An argon2id hash (PHC string) of a password, with the crate's default cost
/// (19 MiB, 2 passes: OWASP's minimum recommendation).
pub fn hash_password(password: &str) -> Result<String, AdminError> {
    let salt = SaltString::generate(&mut OsRng);
    Argon2::default()
        .hash_password(password.as_bytes(), &salt)
        .map(|h| h.to_string())
        .map_err(|e| AdminError::internal(format!("hashing a password: {e}")))
}

/// Whether `password` matches the PHC string `hash`; a malformed hash never matches.
pub fn verify_password(password: &str, hash: &str) -> bool {
    PasswordHash::new(hash).is_ok_and(|h| {
        Argon2::default()
            .verify_password(password.as_bytes(), &h)
            .is_ok()
    })
}

/// Verified against when the account does not exist, so that case takes as long.
static DUMMY_HASH: LazyLock<String> =
    LazyLock::new(|| hash_password("not a real password, only a timing twin").unwrap_or_default());

/// Hashes off the async runtime (argon2 is deliberately slow).
pub async fn hash_password_blocking(password: String) -> Result<String, AdminError> {
    tokio::task::spawn_blocking(move || hash_password(&password))
        .await
        .map_err(AdminError::internal)?
}

/// Verifies off the async runtime; `None` hash = unknown account (verified against a dummy).
pub async fn verify_blocking(password: String, hash: Option<String>) -> bool {
    tokio::task::spawn_blocking(move || match hash {
        Some(h) => verify_password(&password, &h),
        None => {
            verify_password(&password, &DUMMY_HASH);
            false
        }
    })
    .await
    .unwrap_or(false)
}

/// Failed sign-ins remembered per account and per client address, in this process.
pub struct LoginThrottle {
    failures: Mutex<HashMap<String, Vec<Instant>>>,
    window: Duration,
    per_account: usize,
    per_client: usize,
}

impl Default for LoginThrottle {
    fn default() -> Self {
        LoginThrottle::new(Duration::from_secs(15 * 60), 5, 30)
    }
}

impl LoginThrottle {
    pub fn new(window: Duration, per_account: usize, per_client: usize) -> Self {
        LoginThrottle {
            failures: Mutex::default(),
            window,
            per_account,
            per_client,
        }
    }

    /// Counts a sign-in attempt before its password is checked: `Err(wait)` when this account
    /// or this client has failed too often lately. Counting first (under the lock) is what
    /// stops a burst of parallel attempts from all passing the check while the slow password
    /// verification runs; a success gives the attempt back ([`LoginThrottle::succeeded`]).
    pub fn attempt(&self, email: &str, client: &str) -> Result<Instant, Duration> {
        let now = Instant::now();
        let mut map = self.failures.lock().unwrap_or_else(|e| e.into_inner());
        let keys = [
            (format!("account:{email}"), self.per_account),
            (format!("client:{client}"), self.per_client),
        ];
        let mut wait: Option<Duration> = None;
        for (key, max) in &keys {
            if let Some(times) = map.get_mut(key) {
                times.retain(|t| now.duration_since(*t) < self.window);
                if times.len() >= *max {
                    let oldest = times[times.len() - max];
                    let left = self.window.saturating_sub(now.duration_since(oldest));
                    wait = Some(wait.map_or(left, |w| w.max(left)));
                }
            }
        }
        if let Some(w) = wait {
            return Err(w.max(Duration::from_secs(1)));
        }
        if map.len() > 100_000 {
            // Bounded memory under a spray of made-up accounts: forget what has aged out.
            map.retain(|_, v| {
                v.last()
                    .is_some_and(|t| now.duration_since(*t) < self.window)
            });
        }
        for (key, _) in keys {
            let v = map.entry(key).or_default();
            v.push(now);
            if v.len() > 64 {
                v.remove(0);
            }
        }
        Ok(now)
    }

    /// A successful sign-in clears the account's failures and gives the client its attempt
    /// back.
    pub fn succeeded(&self, email: &str, client: &str, attempt: Instant) {
        let mut map = self.failures.lock().unwrap_or_else(|e| e.into_inner());
        map.remove(&format!("account:{email}"));
        if let Some(v) = map.get_mut(&format!("client:{client}")) {
            if let Some(i) = v.iter().rposition(|t| *t == attempt) {
                v.remove(i);
            }
        }
    }
}

/// The client's address: the connection's peer, or, when the peer is this machine or a
/// private network (a reverse proxy in front), the right-most address of `X-Forwarded-For`
/// (the one the proxy appended; what a client writes there itself comes before it).
pub fn client_of(headers: &HeaderMap, peer: Option<std::net::IpAddr>) -> String {
    let proxied = peer.is_none_or(|ip| match ip {
        std::net::IpAddr::V4(v4) => v4.is_loopback() || v4.is_private(),
        std::net::IpAddr::V6(v6) => v6.is_loopback() || (v6.segments()[0] & 0xfe00) == 0xfc00,
    });
    let forwarded = proxied
        .then(|| headers.get("x-forwarded-for").and_then(|v| v.to_str().ok()))
        .flatten()
        .and_then(|v| v.rsplit(',').map(str::trim).find(|s| !s.is_empty()))
        .and_then(|s| s.parse::<std::net::IpAddr>().ok());
    match (forwarded, peer) {
        (Some(ip), _) | (None, Some(ip)) => ip.to_string(),
        (None, None) => "unknown".into(),
    }
}

/// The connection's peer address, when the server was started with it.
pub fn peer_of(extensions: &axum::http::Extensions) -> Option<std::net::IpAddr> {
    extensions
        .get::<axum::extract::ConnectInfo<std::net::SocketAddr>>()
        .map(|c| c.0.ip())
}

pub fn random_token() -> String {
    let mut bytes = [0u8; 32];
    rand::thread_rng().fill_bytes(&mut bytes);
    hex::encode(bytes)
}

pub fn token_hash(token: &str) -> String {
    hex::encode(Sha256::digest(token.as_bytes()))
}

/// Constant-time comparison of two tokens.
pub fn same_token(a: &str, b: &str) -> bool {
    a.len() == b.len()
        && a.bytes()
            .zip(b.bytes())
            .fold(0u8, |acc, (x, y)| acc | (x ^ y))
            == 0
}

/// Starts a session; returns the `Set-Cookie` value.
pub async fn start_session(
    st: &AppState,
    headers: &HeaderMap,
    user: &User,
) -> Result<String, AdminError> {
    let token = random_token();
    let expires = now_ms() + SESSION_DAYS * 24 * 3600 * 1000;
    st.store
        .create_session(
            &token_hash(&token),
            &user.id,
            user.tenant_id.as_deref(),
            &random_token(),
            expires,
        )
        .await?;
    Ok(cookie(headers, &token, SESSION_DAYS * 24 * 3600))
}

/// The session cookie: HttpOnly, SameSite=Lax, scoped to /admin, Secure whenever the
/// request came over HTTPS (directly or through a proxy saying so).
pub fn cookie(headers: &HeaderMap, token: &str, max_age_s: i64) -> String {
    let secure = headers
        .get("x-forwarded-proto")
        .and_then(|v| v.to_str().ok())
        .is_some_and(|p| p.eq_ignore_ascii_case("https"));
    format!(
        "{COOKIE}={token}; Path=/admin; HttpOnly; SameSite=Lax; Max-Age={max_age_s}{}",
        if secure { "; Secure" } else { "" }
    )
}

fn cookie_value(headers: &HeaderMap, name: &str) -> Option<String> {
    headers
        .get_all(header::COOKIE)
        .iter()
        .filter_map(|v| v.to_str().ok())
        .flat_map(|v| v.split(';'))
        .filter_map(|kv| kv.trim().split_once('='))
        .find(|(k, _)| *k == name)
        .map(|(_, v)| v.to_string())
}

fn session_token(headers: &HeaderMap) -> Option<String> {
    cookie_value(headers, COOKIE)
        .filter(|v| v.len() == 64 && v.bytes().all(|b| b.is_ascii_hexdigit()))
}

/// A signed-in admin: the user, the shop the session acts on, the session's CSRF token.
pub struct Admin {
    pub user: User,
    pub tenant: Option<Tenant>,
    pub csrf: String,
    pub token_hash: String,
    /// A one-time message left by the previous action (see `views::redirect_with_flash`).
    pub flash: Option<String>,
    /// The admin's language: the `comptoir_lang` cookie, else `Accept-Language`, else `en`.
    pub lang: &'static str,
}

impl Admin {
    /// The shop this page works on; an operator who has not picked one is sent to the list.
    pub fn shop(&self) -> Result<&Tenant, AdminError> {
        self.tenant
            .as_ref()
            .ok_or_else(|| AdminError::Redirect("/admin/shops".into()))
    }

    pub fn is_operator(&self) -> bool {
        self.user.role == Role::Operator
    }

    /// Owners (and operators acting on a shop) manage settings, keys, users and the catalogue.
    pub fn require_owner(&self) -> Result<(), AdminError> {
        if matches!(self.user.role, Role::Owner | Role::Operator) {
            Ok(())
        } else {
            Err(AdminError::new(
                StatusCode::FORBIDDEN,
                "Only the shop's owner can do this.",
            ))
        }
    }

    /// Checks the CSRF token a form or a script sent back.
    pub fn check_csrf(&self, sent: Option<&str>) -> Result<(), AdminError> {
        match sent {
            Some(t) if same_token(t, &self.csrf) => Ok(()),
            _ => Err(AdminError::new(
                StatusCode::FORBIDDEN,
                "This form has expired or did not come from this admin (CSRF check). Reload the page and try again.",
            )),
        }
    }
}

impl FromRequestParts<AppState> for Admin {
    type Rejection = AdminError;
    async fn from_request_parts(parts: &mut Parts, st: &AppState) -> Result<Self, AdminError> {
        let signed_out = || {
            if parts.method == Method::GET {
                let next = parts
                    .uri
                    .path_and_query()
                    .map(|p| p.as_str())
                    .unwrap_or("/admin");
                AdminError::Redirect(format!(
                    "/admin/login?next={}",
                    super::views::url_encode(next)
                ))
            } else {
                AdminError::new(
                    StatusCode::UNAUTHORIZED,
                    "You are signed out. Sign in again.",
                )
            }
        };
        let Some(token) = session_token(&parts.headers) else {
            return Err(signed_out());
        };
        let hash = token_hash(&token);
        let Some(s) = st.store.session(&hash, now_ms()).await? else {
            return Err(signed_out());
        };
        // A script's POST must also come from this origin (defence in depth beside the token).
        if parts.method != Method::GET {
            check_origin(&parts.headers)?;
        }
        let tenant = match &s.tenant_id {
            Some(id) => st.store.tenant_by_id(id).await?,
            None => None,
        };
        // A shop user's session always acts on their own shop, whatever the row says.
        if s.user.role != Role::Operator
            && tenant.as_ref().map(|t| &t.id) != s.user.tenant_id.as_ref()
        {
            return Err(signed_out());
        }
        tracing::Span::current().record("tenant", tenant.as_ref().map_or("-", |t| t.slug.as_str()));
        let flash = cookie_value(&parts.headers, super::views::FLASH_COOKIE)
            .and_then(|v| super::views::url_decode(&v))
            .map(|v| v.chars().take(300).collect::<String>())
            .filter(|v| !v.trim().is_empty());
        Ok(Admin {
            user: s.user,
            tenant,
            csrf: s.csrf,
            token_hash: hash,
            flash,
            lang: super::views::lang_of(&parts.headers),
        })
    }
}

/// Refuses a request whose `Origin` names another site.
pub fn check_origin(headers: &HeaderMap) -> Result<(), AdminError> {
    if same_origin(headers) {
        Ok(())
    } else {
        Err(AdminError::new(
            StatusCode::FORBIDDEN,
            "This request came from another site (origin check).",
        ))
    }
}

/// `Origin` (when the browser sends one) names this host.
pub fn same_origin(headers: &HeaderMap) -> bool {
    let Some(origin) = headers.get(header::ORIGIN).and_then(|v| v.to_str().ok()) else {
        return true;
    };
    let host = headers
        .get("x-forwarded-host")
        .or_else(|| headers.get(header::HOST))
        .and_then(|v| v.to_str().ok())
        .unwrap_or("");
    origin
        .split_once("://")
        .is_some_and(|(_, rest)| rest.trim_end_matches('/') == host)
}

impl AdminState {
    pub fn throttle(&self) -> &LoginThrottle {
        &self.throttle
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn passwords_hash_and_verify() {
        let h = hash_password("correct horse battery").unwrap();
        assert!(h.starts_with("$argon2id$"));
        assert!(verify_password("correct horse battery", &h));
        assert!(!verify_password("correct horse batterY", &h));
        assert!(!verify_password("x", "not a hash"));
    }

    #[test]
    fn throttle_blocks_an_account_after_its_attempts_and_clears_on_success() {
        let t = LoginThrottle::new(Duration::from_secs(60), 3, 100);
        for _ in 0..3 {
            assert!(t.attempt("a@x.io", "1.2.3.4").is_ok());
        }
        assert!(
            t.attempt("a@x.io", "5.6.7.8").is_err(),
            "per account, any client"
        );
        let ok = t.attempt("b@x.io", "1.2.3.4").unwrap();
        t.succeeded("b@x.io", "1.2.3.4", ok);
        let t = LoginThrottle::new(Duration::from_secs(60), 3, 100);
        let first = t.attempt("a@x.io", "1.2.3.4").unwrap();
        t.succeeded("a@x.io", "1.2.3.4", first);
        for _ in 0..3 {
            assert!(
                t.attempt("a@x.io", "1.2.3.4").is_ok(),
                "a success cleared the account"
            );
        }
    }

    #[test]
    fn parallel_attempts_cannot_all_pass_the_check() {
        let t = std::sync::Arc::new(LoginThrottle::new(Duration::from_secs(60), 5, 1000));
        let passed: usize = (0..50)
            .map(|i| {
                let t = t.clone();
                std::thread::spawn(move || t.attempt("a@x.io", &format!("10.0.0.{i}")).is_ok())
            })
            .collect::<Vec<_>>()
            .into_iter()
            .map(|h| usize::from(h.join().unwrap()))
            .sum();
        assert_eq!(passed, 5);
    }

    #[test]
    fn throttle_blocks_a_client_spraying_accounts() {
        let t = LoginThrottle::new(Duration::from_secs(60), 5, 4);
        for i in 0..4 {
            assert!(t.attempt(&format!("u{i}@x.io"), "9.9.9.9").is_ok());
        }
        assert!(t.attempt("fresh@x.io", "9.9.9.9").is_err());
        assert!(t.attempt("fresh@x.io", "8.8.8.8").is_ok());
    }

    #[test]
    fn the_client_is_the_peer_unless_a_local_proxy_forwards() {
        let mut h = HeaderMap::new();
        h.insert("x-forwarded-for", "6.6.6.6, 203.0.113.9".parse().unwrap());
        let public: std::net::IpAddr = "198.51.100.7".parse().unwrap();
        let proxy: std::net::IpAddr = "127.0.0.1".parse().unwrap();
        assert_eq!(
            client_of(&h, Some(public)),
            "198.51.100.7",
            "a public peer's header is ignored"
        );
        assert_eq!(
            client_of(&h, Some(proxy)),
            "203.0.113.9",
            "the proxy's own entry, not the client's"
        );
        assert_eq!(client_of(&HeaderMap::new(), Some(proxy)), "127.0.0.1");
    }

    #[test]
    fn tokens_compare_in_constant_time() {
        assert!(same_token("abc", "abc"));
        assert!(!same_token("abc", "abd"));
        assert!(!same_token("abc", "ab"));
    }

    #[test]
    fn origin_must_be_this_host() {
        let mut h = HeaderMap::new();
        h.insert(header::HOST, "shop.example:8080".parse().unwrap());
        assert!(same_origin(&h));
        h.insert(header::ORIGIN, "http://shop.example:8080".parse().unwrap());
        assert!(same_origin(&h));
        h.insert(header::ORIGIN, "https://evil.example".parse().unwrap());
        assert!(!same_origin(&h));
    }
}
