//! The admin half of the store ([`AdminStore`]): users and sessions, the shop's identity
//! (name, currency, locales), the operator's list of shops, and the reads analytics make.
//! Same portable SQL as the rest.

use super::sales::{CONVERSATION_COLUMNS, ORDER_COLUMNS};
use super::*;
use crate::{AdminStore, ConversationRecord, SessionRecord, TurnRecord};
use comptoir_domain::{NewUser, Role, User};

const USER_COLUMNS: &str = "id, tenant_id, email, name, role, password_hash, created_at";
const TENANT_COLUMNS: &str = "id, slug, name, plan, currency, locales, created_at, settings";

macro_rules! sql_admin_store {
    ($name:ident, $db:ty, $row:ty, push_in = $push_in:ident) => {
        impl $name {
            fn user_from_row(r: &$row, prefix: &str) -> Result<User> {
                let col = |c: &str| format!("{prefix}{c}");
                let role: String = r.try_get(col("role").as_str())?;
                Ok(User {
                    id: r.try_get(col("id").as_str())?,
                    tenant_id: r.try_get(col("tenant_id").as_str())?,
                    email: r.try_get(col("email").as_str())?,
                    name: r.try_get(col("name").as_str())?,
                    role: Role::parse(&role).ok_or_else(|| corrupt("user role", &role))?,
                    password_hash: r.try_get(col("password_hash").as_str())?,
                    created_at: r.try_get(col("created_at").as_str())?,
                })
            }
        }

        #[async_trait]
        impl AdminStore for $name {
            async fn create_user(&self, new: &NewUser) -> Result<User> {
                let user = User {
                    id: new_id("usr"),
                    tenant_id: new.tenant_id.clone(),
                    email: new.email.clone(),
                    name: new.name.clone(),
                    role: new.role,
                    password_hash: new.password_hash.clone(),
                    created_at: now_ms(),
                };
                sqlx::query(&format!("INSERT INTO users ({USER_COLUMNS}) VALUES ($1, $2, $3, $4, $5, $6, $7)"))
                    .bind(&user.id)
                    .bind(&user.tenant_id)
                    .bind(&user.email)
                    .bind(&user.name)
                    .bind(user.role.as_str())
                    .bind(&user.password_hash)
                    .bind(user.created_at)
                    .execute(&self.pool)
                    .await
                    .map_err(|e| {
                        if is_unique_violation(&e) {
                            StoreError::Conflict("an account with this email already exists".into())
                        } else if is_foreign_key_violation(&e) {
                            StoreError::Invalid("no such shop".into())
                        } else {
                            e.into()
                        }
                    })?;
                Ok(user)
            }

            async fn user_by_email(&self, email: &str) -> Result<Option<User>> {
                let r = sqlx::query(&format!("SELECT {USER_COLUMNS} FROM users WHERE email = $1"))
                    .bind(email)
                    .fetch_optional(&self.pool)
                    .await?;
                r.as_ref().map(|r| Self::user_from_row(r, "")).transpose()
            }

            async fn users(&self, tenant_id: &str) -> Result<Vec<User>> {
                let rows = sqlx::query(&format!(
                    "SELECT {USER_COLUMNS} FROM users WHERE tenant_id = $1 ORDER BY created_at, id"
                ))
                .bind(tenant_id)
                .fetch_all(&self.pool)
                .await?;
                rows.iter().map(|r| Self::user_from_row(r, "")).collect()
            }

            async fn delete_user(&self, tenant_id: &str, id: &str) -> Result<bool> {
                let n = sqlx::query("DELETE FROM users WHERE id = $1 AND tenant_id = $2")
                    .bind(id)
                    .bind(tenant_id)
                    .execute(&self.pool)
                    .await?
                    .rows_affected();
                Ok(n == 1)
            }

            async fn set_password(&self, user_id: &str, hash: &str) -> Result<bool> {
                let n = sqlx::query("UPDATE users SET password_hash = $1 WHERE id = $2")
                    .bind(hash)
                    .bind(user_id)
                    .execute(&self.pool)
                    .await?
                    .rows_affected();
                Ok(n == 1)
            }

            async fn create_session(
                &self,
                id_hash: &str,
                user_id: &str,
                tenant_id: Option<&str>,
                csrf: &str,
                expires_at: i64,
            ) -> Result<()> {
                sqlx::query(
                    "INSERT INTO sessions (id_hash, user_id, tenant_id, csrf, created_at, expires_at) VALUES ($1, $2, $3, $4, $5, $6)",
                )
                .bind(id_hash)
                .bind(user_id)
                .bind(tenant_id)
                .bind(csrf)
                .bind(now_ms())
                .bind(expires_at)
                .execute(&self.pool)
                .await?;
                Ok(())
            }

            async fn session(&self, id_hash: &str, now: i64) -> Result<Option<SessionRecord>> {
                let r = sqlx::query(
                    "SELECT s.tenant_id AS s_tenant_id, s.csrf, s.created_at AS s_created_at, s.expires_at, \
                     u.id AS u_id, u.tenant_id AS u_tenant_id, u.email AS u_email, u.name AS u_name, \
                     u.role AS u_role, u.password_hash AS u_password_hash, u.created_at AS u_created_at \
                     FROM sessions s JOIN users u ON u.id = s.user_id WHERE s.id_hash = $1 AND s.expires_at > $2",
                )
                .bind(id_hash)
                .bind(now)
                .fetch_optional(&self.pool)
                .await?;
                let Some(r) = r else { return Ok(None) };
                Ok(Some(SessionRecord {
                    user: Self::user_from_row(&r, "u_")?,
                    tenant_id: r.try_get("s_tenant_id")?,
                    csrf: r.try_get("csrf")?,
                    created_at: r.try_get("s_created_at")?,
                    expires_at: r.try_get("expires_at")?,
                }))
            }

            async fn set_session_tenant(&self, id_hash: &str, tenant_id: &str) -> Result<bool> {
                let n = sqlx::query("UPDATE sessions SET tenant_id = $1 WHERE id_hash = $2")
                    .bind(tenant_id)
                    .bind(id_hash)
                    .execute(&self.pool)
                    .await?
                    .rows_affected();
                Ok(n == 1)
            }

            async fn delete_session(&self, id_hash: &str) -> Result<()> {
                sqlx::query("DELETE FROM sessions WHERE id_hash = $1")
                    .bind(id_hash)
                    .execute(&self.pool)
                    .await?;
                Ok(())
            }

            async fn delete_user_sessions(&self, user_id: &str) -> Result<u64> {
                Ok(sqlx::query("DELETE FROM sessions WHERE user_id = $1")
                    .bind(user_id)
                    .execute(&self.pool)
                    .await?
                    .rows_affected())
            }

            async fn delete_expired_sessions(&self, now: i64) -> Result<u64> {
                Ok(sqlx::query("DELETE FROM sessions WHERE expires_at <= $1")
                    .bind(now)
                    .execute(&self.pool)
                    .await?
                    .rows_affected())
            }

            async fn update_tenant(
                &self,
                tenant_id: &str,
                name: &str,
                currency: &Currency,
                locales: &[Lang],
            ) -> Result<bool> {
                if name.trim().is_empty() || locales.is_empty() {
                    return Err(StoreError::Invalid("a shop needs a name and a locale".into()));
                }
                let locales: Vec<&str> = locales.iter().map(Lang::as_str).collect();
                let n = sqlx::query("UPDATE tenants SET name = $1, currency = $2, locales = $3 WHERE id = $4")
                    .bind(name.trim())
                    .bind(currency.as_str())
                    .bind(locales.join(","))
                    .bind(tenant_id)
                    .execute(&self.pool)
                    .await?
                    .rows_affected();
                Ok(n == 1)
            }

            async fn widget_token(&self, tenant_id: &str) -> Result<Option<String>> {
                Ok(sqlx::query_scalar(
                    "SELECT public_token FROM api_keys WHERE tenant_id = $1 AND kind = 'public' \
                     AND revoked_at IS NULL AND public_token IS NOT NULL ORDER BY created_at DESC, id DESC LIMIT 1",
                )
                .bind(tenant_id)
                .fetch_optional(&self.pool)
                .await?)
            }

            async fn list_tenants(&self, limit: u32) -> Result<Vec<Tenant>> {
                let rows = sqlx::query(&format!("SELECT {TENANT_COLUMNS} FROM tenants ORDER BY slug LIMIT $1"))
                    .bind(i64::from(limit.clamp(1, 10_000)))
                    .fetch_all(&self.pool)
                    .await?;
                rows.iter().map(Self::tenant_from_row).collect()
            }

            async fn conversations_between(
                &self,
                tenant_id: &str,
                from_ms: i64,
                to_ms: i64,
                limit: u32,
            ) -> Result<Vec<ConversationRecord>> {
                let rows = sqlx::query(&format!(
                    "SELECT {CONVERSATION_COLUMNS} FROM conversations WHERE tenant_id = $1 \
                     AND created_at >= $2 AND created_at < $3 ORDER BY created_at, id LIMIT $4"
                ))
                .bind(tenant_id)
                .bind(from_ms)
                .bind(to_ms)
                .bind(i64::from(limit))
                .fetch_all(&self.pool)
                .await?;
                rows.iter().map(Self::conversation_from_row).collect()
            }

            async fn turns_of(&self, tenant_id: &str, conversation_ids: &[String]) -> Result<Vec<(String, TurnRecord)>> {
                let mut out = Vec::new();
                for chunk in conversation_ids.chunks(CHUNK) {
                    let mut qb = QueryBuilder::<$db>::new(
                        "SELECT conversation_id, seq, input, understanding, actions, reply, server_us, created_at FROM turns WHERE tenant_id = ",
                    );
                    qb.push_bind(tenant_id.to_string());
                    $push_in(&mut qb, "conversation_id", chunk);
                    qb.push(" ORDER BY conversation_id, seq");
                    for r in qb.build().fetch_all(&self.pool).await? {
                        out.push((
                            r.try_get("conversation_id")?,
                            TurnRecord {
                                seq: r.try_get("seq")?,
                                input: r.try_get("input")?,
                                understanding: r.try_get("understanding")?,
                                actions: r.try_get("actions")?,
                                reply: r.try_get("reply")?,
                                server_us: r.try_get("server_us")?,
                                created_at: r.try_get("created_at")?,
                            },
                        ));
                    }
                }
                Ok(out)
            }

            async fn last_messages(&self, tenant_id: &str, conversation_ids: &[String]) -> Result<Vec<(String, String)>> {
                let mut out = Vec::new();
                for chunk in conversation_ids.chunks(CHUNK) {
                    // The newest turn the shopper typed (`{"text": …}` inputs), per conversation.
                    let mut qb = QueryBuilder::<$db>::new(
                        "SELECT t.conversation_id, t.input FROM turns t WHERE t.tenant_id = ",
                    );
                    qb.push_bind(tenant_id.to_string());
                    $push_in(&mut qb, "t.conversation_id", chunk);
                    qb.push(
                        " AND t.seq = (SELECT MAX(u.seq) FROM turns u WHERE u.conversation_id = t.conversation_id \
                         AND u.input LIKE '{\"text\":%')",
                    );
                    for r in qb.build().fetch_all(&self.pool).await? {
                        out.push((r.try_get("conversation_id")?, r.try_get("input")?));
                    }
                }
                Ok(out)
            }

            async fn orders_between(&self, tenant_id: &str, from_ms: i64, to_ms: i64) -> Result<Vec<PlacedOrder>> {
                let mut conn = self.pool.acquire().await?;
                let rows = sqlx::query(&format!(
                    "SELECT {ORDER_COLUMNS} FROM orders WHERE tenant_id = $1 AND created_at >= $2 AND created_at < $3 ORDER BY id"
                ))
                .bind(tenant_id)
                .bind(from_ms)
                .bind(to_ms)
                .fetch_all(&mut *conn)
                .await?;
                Self::orders_with_lines(&mut conn, tenant_id, rows).await
            }
        }
    };
}

sql_admin_store!(
    SqliteStore,
    sqlx::Sqlite,
    sqlx::sqlite::SqliteRow,
    push_in = sqlite_push_in
);
sql_admin_store!(
    PostgresStore,
    sqlx::Postgres,
    sqlx::postgres::PgRow,
    push_in = postgres_push_in
);
