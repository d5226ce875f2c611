//! API keys. A secret key (`sk_…`) can do everything for its tenant; a public key (`pk_…`) is
//! embedded in the widget and may only read the catalogue and talk. Keys are random and shown
//! once; only their SHA-256 is stored (they carry 160 bits of entropy, so a slow hash adds nothing).

use rand::Rng;
use sha2::{Digest, Sha256};

#[derive(Debug, Clone, Copy, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum KeyKind {
    Secret,
    Public,
}

impl KeyKind {
    pub fn prefix(self) -> &'static str {
        match self {
            KeyKind::Secret => "sk_",
            KeyKind::Public => "pk_",
        }
    }
    pub fn as_str(self) -> &'static str {
        match self {
            KeyKind::Secret => "secret",
            KeyKind::Public => "public",
        }
    }
    pub fn parse(s: &str) -> Option<KeyKind> {
        match s {
            "secret" => Some(KeyKind::Secret),
            "public" => Some(KeyKind::Public),
            _ => None,
        }
    }
    /// The kind a presented key claims by its prefix.
    pub fn of_token(token: &str) -> Option<KeyKind> {
        if token.starts_with("sk_") {
            Some(KeyKind::Secret)
        } else if token.starts_with("pk_") {
            Some(KeyKind::Public)
        } else {
            None
        }
    }
    pub fn allows(self, scope: Scope) -> bool {
        match self {
            KeyKind::Secret => true,
            KeyKind::Public => matches!(
                scope,
                Scope::CatalogueRead | Scope::Conversations | Scope::Nlu | Scope::TenantRead
            ),
        }
    }
}

/// What an endpoint needs. Checked at the HTTP edge against the caller's key kind.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Scope {
    TenantRead,
    CatalogueRead,
    CatalogueWrite,
    Conversations,
    Nlu,
    OrdersRead,
    Admin,
}

/// A stored key, without its secret.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize)]
pub struct ApiKey {
    pub id: String,
    pub tenant_id: String,
    pub kind: KeyKind,
    pub name: String,
    /// The first characters of the key (`sk_ab12…`), to recognise it in a list.
    pub prefix: String,
    pub created_at: i64,
    pub revoked_at: Option<i64>,
}

/// A freshly generated key: the plaintext `token` is shown once and never stored.
#[derive(Debug, Clone)]
pub struct NewApiKey {
    pub key: ApiKey,
    pub token: String,
    pub hash: String,
}

impl NewApiKey {
    pub fn generate(tenant_id: &str, kind: KeyKind, name: &str) -> NewApiKey {
        let mut bytes = [0u8; 20];
        rand::thread_rng().fill(&mut bytes);
        let token = format!("{}{}", kind.prefix(), hex::encode(bytes));
        let key = ApiKey {
            id: crate::id::new_id("key"),
            tenant_id: tenant_id.to_string(),
            kind,
            name: name.to_string(),
            prefix: token[..11].to_string(),
            created_at: crate::now_ms(),
            revoked_at: None,
        };
        NewApiKey {
            hash: hash_token(&token),
            key,
            token,
        }
    }
}

/// The stored form of a presented token.
pub fn hash_token(token: &str) -> String {
    hex::encode(Sha256::digest(token.as_bytes()))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn keys_are_prefixed_random_and_hashed() {
        let a = NewApiKey::generate("ten_1", KeyKind::Secret, "admin");
        let b = NewApiKey::generate("ten_1", KeyKind::Public, "widget");
        assert!(a.token.starts_with("sk_") && a.token.len() == 43);
        assert!(b.token.starts_with("pk_"));
        assert_eq!(a.hash, hash_token(&a.token));
        assert_ne!(a.hash, a.token);
        assert!(a.token.starts_with(&a.key.prefix));
        assert_eq!(KeyKind::of_token(&b.token), Some(KeyKind::Public));
        assert_eq!(KeyKind::of_token("Bearer x"), None);
    }

    #[test]
    fn public_keys_cannot_write() {
        assert!(KeyKind::Public.allows(Scope::CatalogueRead));
        assert!(!KeyKind::Public.allows(Scope::CatalogueWrite));
        assert!(!KeyKind::Public.allows(Scope::OrdersRead));
        assert!(KeyKind::Secret.allows(Scope::Admin));
    }
}
