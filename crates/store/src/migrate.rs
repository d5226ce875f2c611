//! Embedded migrations, one folder per backend, applied in order at start.
//!
//! A tiny runner instead of sqlx's `migrate!` macro: the macro pulls sqlx-macros, which would
//! build libsqlite3 a second time on 2-core CI for no gain.

/// (version, name, SQL) for SQLite.
pub const SQLITE: &[(i64, &str, &str)] = &[
    (
        1,
        "init",
        include_str!("../migrations/sqlite/0001_init.sql"),
    ),
    (
        2,
        "catalogue_version",
        include_str!("../migrations/sqlite/0002_catalogue_version.sql"),
    ),
    (
        3,
        "search_orders",
        include_str!("../migrations/sqlite/0003_search_orders.sql"),
    ),
    (
        4,
        "conversations",
        include_str!("../migrations/sqlite/0004_conversations.sql"),
    ),
    (
        5,
        "accounts",
        include_str!("../migrations/sqlite/0005_accounts.sql"),
    ),
];

/// (version, name, SQL) for PostgreSQL.
pub const POSTGRES: &[(i64, &str, &str)] = &[
    (
        1,
        "init",
        include_str!("../migrations/postgres/0001_init.sql"),
    ),
    (
        2,
        "catalogue_version",
        include_str!("../migrations/postgres/0002_catalogue_version.sql"),
    ),
    (
        3,
        "search_orders",
        include_str!("../migrations/postgres/0003_search_orders.sql"),
    ),
    (
        4,
        "conversations",
        include_str!("../migrations/postgres/0004_conversations.sql"),
    ),
    (
        5,
        "accounts",
        include_str!("../migrations/postgres/0005_accounts.sql"),
    ),
];

pub const CREATE_TABLE: &str = "CREATE TABLE IF NOT EXISTS comptoir_migrations (
    version BIGINT PRIMARY KEY, name TEXT NOT NULL, applied_at BIGINT NOT NULL)";
