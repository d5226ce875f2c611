//! Test support: a fresh PostgreSQL schema per test, so tests run in parallel and leave nothing.

use rand::Rng;
use sqlx::Connection;

/// The server tests use: `COMPTOIR_TEST_POSTGRES_URL`, else the local default.
pub fn postgres_url() -> String {
    std::env::var("COMPTOIR_TEST_POSTGRES_URL")
        .unwrap_or_else(|_| "postgres://postgres@127.0.0.1:5432/test".to_string())
}

/// A schema created for one test; `url` selects it through `options[search_path]`.
pub struct PgSchema {
    pub name: String,
    pub url: String,
    base: String,
}

impl PgSchema {
    /// Creates the schema, or panics with a message naming the server when it can't be reached.
    pub async fn create() -> PgSchema {
        let base = postgres_url();
        let name = format!("ct_{:016x}", rand::thread_rng().gen::<u64>());
        let mut conn = sqlx::PgConnection::connect(&base)
            .await
            .unwrap_or_else(|e| {
                panic!(
                "PostgreSQL is unreachable at {} ({e}). These tests need it: start it, or point \
                 COMPTOIR_TEST_POSTGRES_URL at one.",
                crate::redact(&base)
            )
            });
        sqlx::raw_sql(&format!("CREATE SCHEMA {name}"))
            .execute(&mut conn)
            .await
            .expect("create test schema");
        let sep = if base.contains('?') { '&' } else { '?' };
        let url = format!("{base}{sep}options[search_path]={name}");
        PgSchema { name, url, base }
    }

    pub async fn drop(self) {
        if let Ok(mut conn) = sqlx::PgConnection::connect(&self.base).await {
            let _ = sqlx::raw_sql(&format!("DROP SCHEMA {} CASCADE", self.name))
                .execute(&mut conn)
                .await;
        }
    }
}
