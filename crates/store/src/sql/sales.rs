//! The sales half of the store ([`SalesStore`]): conversations and turns, orders and their
//! life cycle, leads, appointments, tenant settings. Same portable SQL as the catalogue half.

use super::*;
use crate::{ConversationRecord, ConversationUpdate, NewTurn, SalesStore, TurnRecord};
use comptoir_domain::{
    Appointment, Customer, Lead, LeadKind, NewAppointment, NewLead, NewOrder, OrderStatus,
    TenantSettings,
};

pub(super) const CONVERSATION_COLUMNS: &str = "id, tenant_id, channel, locale, status, state, version, turns, lead_score, created_at, updated_at";
pub(super) const ORDER_COLUMNS: &str = "id, currency, total_minor, conversation_id, created_at, status, customer, payment_method, expires_at";
const LEAD_COLUMNS: &str =
    "id, kind, conversation_id, name, email, phone, details, score, created_at";
const APPOINTMENT_COLUMNS: &str =
    "id, conversation_id, starts_at, duration_minutes, name, email, phone, status, created_at";

macro_rules! sql_sales_store {
    ($name:ident, $db:ty, $conn:ty, $row:ty, begin_write = $begin_write:literal, tenant_lock = $tenant_lock:expr, push_in = $push_in:ident) => {
        impl $name {
            pub(crate) fn conversation_from_row(r: &$row) -> Result<ConversationRecord> {
                Ok(ConversationRecord {
                    id: r.try_get("id")?,
                    tenant_id: r.try_get("tenant_id")?,
                    channel: r.try_get("channel")?,
                    locale: r.try_get("locale")?,
                    status: r.try_get("status")?,
                    state: r.try_get("state")?,
                    version: r.try_get("version")?,
                    turns: r.try_get("turns")?,
                    lead_score: r.try_get("lead_score")?,
                    created_at: r.try_get("created_at")?,
                    updated_at: r.try_get("updated_at")?,
                })
            }

            fn lead_from_row(r: &$row) -> Result<Lead> {
                let kind: String = r.try_get("kind")?;
                Ok(Lead {
                    id: r.try_get("id")?,
                    kind: LeadKind::parse(&kind).ok_or_else(|| corrupt("lead kind", &kind))?,
                    conversation_id: r.try_get("conversation_id")?,
                    name: r.try_get("name")?,
                    email: r.try_get("email")?,
                    phone: r.try_get("phone")?,
                    details: r.try_get("details")?,
                    score: r.try_get("score")?,
                    created_at: r.try_get("created_at")?,
                })
            }

            fn appointment_from_row(r: &$row) -> Result<Appointment> {
                Ok(Appointment {
                    id: r.try_get("id")?,
                    conversation_id: r.try_get("conversation_id")?,
                    starts_at: r.try_get("starts_at")?,
                    duration_minutes: r.try_get("duration_minutes")?,
                    name: r.try_get("name")?,
                    email: r.try_get("email")?,
                    phone: r.try_get("phone")?,
                    status: r.try_get("status")?,
                    created_at: r.try_get("created_at")?,
                })
            }

            /// Orders with their lines, in the rows' order: two queries for any number of orders.
            pub(crate) async fn orders_with_lines(conn: &mut $conn, tenant_id: &str, rows: Vec<$row>) -> Result<Vec<PlacedOrder>> {
                let ids: Vec<String> = rows.iter().map(|r| r.try_get("id")).collect::<Result<_, _>>()?;
                let mut lines: HashMap<String, Vec<(i64, String, String, i64, i64)>> = HashMap::new();
                for chunk in ids.chunks(CHUNK) {
                    let mut qb = QueryBuilder::<$db>::new(
                        "SELECT order_id, line, product_id, sku, quantity, unit_minor FROM order_lines WHERE tenant_id = ",
                    );
                    qb.push_bind(tenant_id.to_string());
                    $push_in(&mut qb, "order_id", chunk);
                    for r in qb.build().fetch_all(&mut *conn).await? {
                        lines.entry(r.try_get("order_id")?).or_default().push((
                            r.try_get("line")?,
                            r.try_get("product_id")?,
                            r.try_get("sku")?,
                            r.try_get("quantity")?,
                            r.try_get("unit_minor")?,
                        ));
                    }
                }
                let mut out = Vec::with_capacity(rows.len());
                for r in rows {
                    let id: String = r.try_get("id")?;
                    let cur: String = r.try_get("currency")?;
                    let currency = Currency::parse(&cur).map_err(|e| corrupt("order currency", e))?;
                    let status: String = r.try_get("status")?;
                    let customer: Option<String> = r.try_get("customer")?;
                    let mut ls = lines.remove(&id).unwrap_or_default();
                    ls.sort_by_key(|l| l.0);
                    out.push(PlacedOrder {
                        lines: ls
                            .into_iter()
                            .map(|(_, product_id, sku, quantity, unit)| OrderLine {
                                product_id,
                                sku,
                                quantity,
                                unit_price: currency.from_minor(unit),
                                currency: currency.clone(),
                            })
                            .collect(),
                        total: currency.from_minor(r.try_get("total_minor")?),
                        currency,
                        status: OrderStatus::parse(&status).ok_or_else(|| corrupt("order status", &status))?,
                        payment_method: r.try_get("payment_method")?,
                        customer: customer
                            .map(|c| serde_json::from_str::<Customer>(&c))
                            .transpose()
                            .map_err(|e| corrupt("order customer", e))?,
                        conversation_id: r.try_get("conversation_id")?,
                        expires_at: r.try_get("expires_at")?,
                        created_at: r.try_get("created_at")?,
                        id,
                    });
                }
                Ok(out)
            }

            /// Gives an order's tracked stock back, inside the caller's transaction.
            async fn restock(conn: &mut $conn, tenant_id: &str, order_id: &str) -> Result<()> {
                let lines: Vec<(String, i64)> = sqlx::query_as(
                    "SELECT sku, quantity FROM order_lines WHERE order_id = $1 AND tenant_id = $2 ORDER BY sku",
                )
                .bind(order_id)
                .bind(tenant_id)
                .fetch_all(&mut *conn)
                .await?;
                for (sku, q) in lines {
                    sqlx::query("UPDATE variants SET stock = stock + $1 WHERE tenant_id = $2 AND sku = $3 AND stock IS NOT NULL")
                        .bind(q)
                        .bind(tenant_id)
                        .bind(&sku)
                        .execute(&mut *conn)
                        .await?;
                }
                sqlx::query("UPDATE tenants SET stock_version = stock_version + 1 WHERE id = $1")
                    .bind(tenant_id)
                    .execute(&mut *conn)
                    .await?;
                Ok(())
            }
        }

        #[async_trait]
        impl SalesStore for $name {
            async fn update_tenant_settings(&self, tenant_id: &str, settings: &TenantSettings) -> Result<bool> {
                let n = sqlx::query("UPDATE tenants SET settings = $1 WHERE id = $2")
                    .bind(json(settings))
                    .bind(tenant_id)
                    .execute(&self.pool)
                    .await?
                    .rows_affected();
                Ok(n == 1)
            }

            async fn versions(&self, tenant_id: &str) -> Result<(i64, i64)> {
                let v: Option<(i64, i64)> =
                    sqlx::query_as("SELECT catalogue_version, stock_version FROM tenants WHERE id = $1")
                        .bind(tenant_id)
                        .fetch_optional(&self.pool)
                        .await?;
                Ok(v.unwrap_or((0, 0)))
            }

            async fn stock_levels(&self, tenant_id: &str) -> Result<Vec<(String, i64)>> {
                Ok(sqlx::query_as("SELECT sku, stock FROM variants WHERE tenant_id = $1 AND stock IS NOT NULL")
                    .bind(tenant_id)
                    .fetch_all(&self.pool)
                    .await?)
            }

            async fn latest_order_id(&self, tenant_id: &str) -> Result<Option<String>> {
                Ok(sqlx::query_scalar("SELECT MAX(id) FROM orders WHERE tenant_id = $1")
                    .bind(tenant_id)
                    .fetch_one(&self.pool)
                    .await?)
            }

            async fn orders_after(
                &self,
                tenant_id: &str,
                after_id: &str,
                limit: u32,
            ) -> Result<Vec<(String, Vec<(String, i64)>)>> {
                let rows: Vec<(String, String, i64)> = sqlx::query_as(
                    "SELECT o.id, l.product_id, l.quantity \
                     FROM (SELECT id FROM orders WHERE tenant_id = $1 AND id > $2 ORDER BY id LIMIT $3) o \
                     JOIN order_lines l ON l.order_id = o.id AND l.tenant_id = $4 \
                     ORDER BY o.id, l.line",
                )
                .bind(tenant_id)
                .bind(after_id)
                .bind(i64::from(limit))
                .bind(tenant_id)
                .fetch_all(&self.pool)
                .await?;
                let mut out: Vec<(String, Vec<(String, i64)>)> = Vec::new();
                for (order_id, product_id, quantity) in rows {
                    if out.last().is_none_or(|(id, _)| *id != order_id) {
                        out.push((order_id, Vec::new()));
                    }
                    let basket = &mut out.last_mut().expect("pushed above").1;
                    match basket.iter_mut().find(|(p, _)| *p == product_id) {
                        Some((_, q)) => *q += quantity,
                        None => basket.push((product_id, quantity)),
                    }
                }
                Ok(out)
            }

            async fn create_conversation(
                &self,
                tenant_id: &str,
                channel: &str,
                locale: Option<&str>,
                state: &str,
            ) -> Result<ConversationRecord> {
                let now = now_ms();
                let c = ConversationRecord {
                    id: new_id("conv"),
                    tenant_id: tenant_id.to_string(),
                    channel: channel.to_string(),
                    locale: locale.map(str::to_string),
                    status: "open".into(),
                    state: state.to_string(),
                    version: 0,
                    turns: 0,
                    lead_score: 0,
                    created_at: now,
                    updated_at: now,
                };
                sqlx::query(
                    "INSERT INTO conversations (id, tenant_id, channel, locale, status, state, version, turns, lead_score, created_at, updated_at) \
                     VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11)",
                )
                .bind(&c.id)
                .bind(&c.tenant_id)
                .bind(&c.channel)
                .bind(&c.locale)
                .bind(&c.status)
                .bind(&c.state)
                .bind(c.version)
                .bind(c.turns)
                .bind(c.lead_score)
                .bind(c.created_at)
                .bind(c.updated_at)
                .execute(&self.pool)
                .await?;
                Ok(c)
            }

            async fn conversation(&self, tenant_id: &str, id: &str) -> Result<Option<ConversationRecord>> {
                let r = sqlx::query(&format!(
                    "SELECT {CONVERSATION_COLUMNS} FROM conversations WHERE id = $1 AND tenant_id = $2"
                ))
                .bind(id)
                .bind(tenant_id)
                .fetch_optional(&self.pool)
                .await?;
                r.as_ref().map(Self::conversation_from_row).transpose()
            }

            async fn conversation_for_turn(
                &self,
                tenant_id: &str,
                id: &str,
            ) -> Result<Option<(ConversationRecord, (i64, i64))>> {
                let r = sqlx::query(
                    "SELECT c.id, c.tenant_id, c.channel, c.locale, c.status, c.state, c.version, c.turns, \
                     c.lead_score, c.created_at, c.updated_at, t.catalogue_version, t.stock_version \
                     FROM conversations c JOIN tenants t ON t.id = c.tenant_id \
                     WHERE c.id = $1 AND c.tenant_id = $2",
                )
                .bind(id)
                .bind(tenant_id)
                .fetch_optional(&self.pool)
                .await?;
                match r {
                    None => Ok(None),
                    Some(r) => Ok(Some((
                        Self::conversation_from_row(&r)?,
                        (r.try_get("catalogue_version")?, r.try_get("stock_version")?),
                    ))),
                }
            }

            async fn record_turn(&self, tenant_id: &str, u: &ConversationUpdate<'_>, turn: &NewTurn) -> Result<bool> {
                let now = now_ms();
                let _gate = self.gate().await;
                let mut tx = self.pool.begin_with($begin_write).await?;
                let seq: Option<i64> = sqlx::query_scalar(
                    "UPDATE conversations SET state = $1, status = $2, locale = COALESCE($3, locale), lead_score = $4, \
                     version = version + 1, turns = turns + 1, updated_at = $5 \
                     WHERE id = $6 AND tenant_id = $7 AND version = $8 RETURNING turns",
                )
                .bind(u.state)
                .bind(u.status)
                .bind(u.locale)
                .bind(u.lead_score)
                .bind(now)
                .bind(u.id)
                .bind(tenant_id)
                .bind(u.expected_version)
                .fetch_optional(&mut *tx)
                .await?;
                let Some(seq) = seq else {
                    tx.rollback().await?;
                    return Ok(false);
                };
                sqlx::query(
                    "INSERT INTO turns (conversation_id, tenant_id, seq, input, understanding, actions, reply, server_us, created_at) \
                     VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9)",
                )
                .bind(u.id)
                .bind(tenant_id)
                .bind(seq)
                .bind(&turn.input)
                .bind(&turn.understanding)
                .bind(&turn.actions)
                .bind(&turn.reply)
                .bind(turn.server_us)
                .bind(now)
                .execute(&mut *tx)
                .await?;
                tx.commit().await?;
                Ok(true)
            }

            async fn turns(&self, tenant_id: &str, conversation_id: &str, after_seq: i64, limit: u32) -> Result<Vec<TurnRecord>> {
                let rows = sqlx::query(
                    "SELECT seq, input, understanding, actions, reply, server_us, created_at FROM turns \
                     WHERE conversation_id = $1 AND tenant_id = $2 AND seq > $3 ORDER BY seq LIMIT $4",
                )
                .bind(conversation_id)
                .bind(tenant_id)
                .bind(after_seq)
                .bind(i64::from(limit))
                .fetch_all(&self.pool)
                .await?;
                rows.iter()
                    .map(|r| {
                        Ok(TurnRecord {
                            seq: r.try_get("seq")?,
                            input: r.try_get("input")?,
                            understanding: r.try_get("understanding")?,
                            actions: r.try_get("actions")?,
                            reply: r.try_get("reply")?,
                            server_us: r.try_get("server_us")?,
                            created_at: r.try_get("created_at")?,
                        })
                    })
                    .collect()
            }

            async fn list_conversations(&self, tenant_id: &str, status: Option<&str>, cursor: Option<&str>, limit: u32) -> Result<Page<ConversationRecord>> {
                let limit = limit.clamp(1, 200);
                // (updated_at, id) descending; the cursor is the last row's pair.
                let (after_t, after_id) = match cursor.and_then(|c| c.split_once('.')) {
                    Some((t, id)) => (t.parse::<i64>().unwrap_or(i64::MAX), id.to_string()),
                    None => (i64::MAX, String::new()),
                };
                // The status filter is in the query, before the limit: '' for every status.
                let rows = sqlx::query(&format!(
                    "SELECT {CONVERSATION_COLUMNS} FROM conversations WHERE tenant_id = $1 \
                     AND ($5 = '' OR status = $5) \
                     AND (updated_at < $2 OR (updated_at = $2 AND ($3 = '' OR id < $3))) \
                     ORDER BY updated_at DESC, id DESC LIMIT $4"
                ))
                .bind(tenant_id)
                .bind(after_t)
                .bind(&after_id)
                .bind(i64::from(limit) + 1)
                .bind(status.unwrap_or(""))
                .fetch_all(&self.pool)
                .await?;
                let mut items = rows.iter().map(Self::conversation_from_row).collect::<Result<Vec<_>>>()?;
                let next_cursor = if items.len() > limit as usize {
                    items.truncate(limit as usize);
                    items.last().map(|c| format!("{}.{}", c.updated_at, c.id))
                } else {
                    None
                };
                Ok(Page { items, next_cursor })
            }

            async fn place_order(&self, tenant: &Tenant, new: &NewOrder) -> Result<PlacedOrder> {
                let merged = merge_order_lines(&new.lines)?;
                let _gate = self.gate().await;
                let mut tx = self.pool.begin_with($begin_write).await?;
                let tenant_lock: Option<&str> = $tenant_lock;
                if let Some(l) = tenant_lock {
                    sqlx::query(l).bind(&tenant.id).execute(&mut *tx).await?;
                }
                // Under the write lock: a repeated checkout finds the first one's order.
                if let Some(key) = &new.idempotency_key {
                    let existing: Option<String> = sqlx::query_scalar(
                        "SELECT id FROM orders WHERE tenant_id = $1 AND idempotency_key = $2",
                    )
                    .bind(&tenant.id)
                    .bind(key)
                    .fetch_optional(&mut *tx)
                    .await?;
                    if let Some(id) = existing {
                        tx.rollback().await?;
                        return self
                            .order(&tenant.id, &id)
                            .await?
                            .ok_or_else(|| corrupt("order", "vanished"));
                    }
                }

                // Unknown skus and mixed currencies first, in the shopper's order, before any write.
                let skus: Vec<String> = merged.iter().map(|(s, _)| s.clone()).collect();
                let mut currency_of: HashMap<String, String> = HashMap::with_capacity(skus.len());
                for chunk in skus.chunks(CHUNK) {
                    let mut qb = QueryBuilder::<$db>::new("SELECT sku, currency FROM variants WHERE tenant_id = ");
                    qb.push_bind(tenant.id.clone());
                    $push_in(&mut qb, "sku", chunk);
                    for r in qb.build().fetch_all(&mut *tx).await? {
                        currency_of.insert(r.try_get("sku")?, r.try_get("currency")?);
                    }
                }
                let mut first: Option<(&str, &str)> = None;
                for sku in &skus {
                    let Some(cur) = currency_of.get(sku) else {
                        return Err(StoreError::Invalid(format!("unknown sku `{sku}`")));
                    };
                    match first {
                        None => first = Some((sku, cur)),
                        Some((s0, c0)) if c0 != cur => {
                            return Err(StoreError::Invalid(format!(
                                "an order is in one currency: `{s0}` is in {c0}, `{sku}` in {cur}"
                            )));
                        }
                        Some(_) => {}
                    }
                }

                // Stock: one conditional decrement per sku, in sku order (two orders lock rows in
                // the same order, so they queue rather than deadlock). The condition is the
                // guarantee against overselling, whatever runs concurrently; RETURNING gives the
                // price as of the decrement.
                let mut order: Vec<usize> = (0..merged.len()).collect();
                order.sort_by(|&a, &b| merged[a].0.cmp(&merged[b].0));
                let mut priced: Vec<Option<(String, i64, String)>> = vec![None; merged.len()];
                for i in order {
                    let (sku, q) = &merged[i];
                    let r = sqlx::query(
                        "UPDATE variants SET stock = stock - $1 WHERE tenant_id = $2 AND sku = $3 \
                         AND (stock IS NULL OR stock >= $4) RETURNING product_id, price_minor, currency",
                    )
                    .bind(*q)
                    .bind(&tenant.id)
                    .bind(sku)
                    .bind(*q)
                    .fetch_optional(&mut *tx)
                    .await?;
                    match r {
                        Some(r) => {
                            priced[i] = Some((r.try_get("product_id")?, r.try_get("price_minor")?, r.try_get("currency")?));
                        }
                        None => {
                            let stock: Option<Option<i64>> =
                                sqlx::query_scalar("SELECT stock FROM variants WHERE tenant_id = $1 AND sku = $2")
                                    .bind(&tenant.id)
                                    .bind(sku)
                                    .fetch_optional(&mut *tx)
                                    .await?;
                            tx.rollback().await?;
                            return Err(match stock {
                                // Deleted since the check above.
                                None => StoreError::Invalid(format!("unknown sku `{sku}`")),
                                Some(s) => StoreError::InsufficientStock {
                                    sku: sku.clone(),
                                    available: s.unwrap_or(0).max(0),
                                },
                            });
                        }
                    }
                }

                let mut out_lines = Vec::with_capacity(merged.len());
                let mut rows: Vec<(i64, String, String, i64, i64)> = Vec::with_capacity(merged.len());
                let mut total: i64 = 0;
                let mut currency: Option<Currency> = None;
                for (n, ((sku, q), p)) in merged.iter().zip(priced).enumerate() {
                    let (product_id, unit_minor, cur) = p.ok_or_else(|| corrupt("order line", "not priced"))?;
                    let cur = match &currency {
                        Some(c) if c.as_str() == cur => c.clone(),
                        Some(c) => {
                            return Err(StoreError::Invalid(format!(
                                "an order is in one currency: `{sku}` is in {cur}, not {}",
                                c.as_str()
                            )));
                        }
                        None => {
                            let c = Currency::parse(&cur).map_err(|e| corrupt("currency", e))?;
                            currency = Some(c.clone());
                            c
                        }
                    };
                    total = unit_minor
                        .checked_mul(*q)
                        .and_then(|l| total.checked_add(l))
                        .ok_or_else(|| StoreError::Invalid("the order's total is too large".into()))?;
                    out_lines.push(OrderLine {
                        product_id: product_id.clone(),
                        sku: sku.clone(),
                        quantity: *q,
                        unit_price: cur.from_minor(unit_minor),
                        currency: cur,
                    });
                    rows.push((n as i64 + 1, product_id, sku.clone(), *q, unit_minor));
                }
                let currency = currency.ok_or_else(|| corrupt("order", "no line"))?;

                let order = PlacedOrder {
                    id: new_sortable_id("ord"),
                    lines: out_lines,
                    total: currency.from_minor(total),
                    currency,
                    status: OrderStatus::AwaitingPayment,
                    payment_method: new.payment_method.clone(),
                    customer: new.customer.clone(),
                    conversation_id: new.conversation_id.clone(),
                    expires_at: new.expires_at,
                    created_at: now_ms(),
                };
                sqlx::query(
                    "INSERT INTO orders (id, tenant_id, currency, total_minor, conversation_id, created_at, \
                     status, customer, payment_method, expires_at, idempotency_key, updated_at) \
                     VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12)",
                )
                .bind(&order.id)
                .bind(&tenant.id)
                .bind(order.currency.as_str())
                .bind(total)
                .bind(&order.conversation_id)
                .bind(order.created_at)
                .bind(order.status.as_str())
                .bind(order.customer.as_ref().map(json))
                .bind(&order.payment_method)
                .bind(order.expires_at)
                .bind(&new.idempotency_key)
                .bind(order.created_at)
                .execute(&mut *tx)
                .await?;
                for chunk in rows.chunks(CHUNK) {
                    let mut qb = QueryBuilder::<$db>::new(
                        "INSERT INTO order_lines (order_id, tenant_id, line, product_id, sku, quantity, unit_minor) ",
                    );
                    qb.push_values(chunk, |mut b, (line, pid, sku, q, unit)| {
                        b.push_bind(order.id.clone())
                            .push_bind(tenant.id.clone())
                            .push_bind(*line)
                            .push_bind(pid.clone())
                            .push_bind(sku.clone())
                            .push_bind(*q)
                            .push_bind(*unit);
                    });
                    qb.build().execute(&mut *tx).await?;
                }
                // Stock moved, the catalogue did not: caches refresh stock levels only.
                sqlx::query("UPDATE tenants SET stock_version = stock_version + 1 WHERE id = $1")
                    .bind(&tenant.id)
                    .execute(&mut *tx)
                    .await?;
                tx.commit().await?;
                Ok(order)
            }

            async fn order(&self, tenant_id: &str, id: &str) -> Result<Option<PlacedOrder>> {
                let mut conn = self.pool.acquire().await?;
                let rows = sqlx::query(&format!("SELECT {ORDER_COLUMNS} FROM orders WHERE id = $1 AND tenant_id = $2"))
                    .bind(id)
                    .bind(tenant_id)
                    .fetch_all(&mut *conn)
                    .await?;
                Ok(Self::orders_with_lines(&mut conn, tenant_id, rows).await?.pop())
            }

            async fn list_orders(&self, tenant_id: &str, cursor: Option<&str>, limit: u32) -> Result<Page<PlacedOrder>> {
                let limit = limit.clamp(1, 200);
                let mut conn = self.pool.acquire().await?;
                // Order ids sort by creation time: the cursor is the last id seen.
                let rows = sqlx::query(&format!(
                    "SELECT {ORDER_COLUMNS} FROM orders WHERE tenant_id = $1 AND ($2 = '' OR id < $2) ORDER BY id DESC LIMIT $3"
                ))
                .bind(tenant_id)
                .bind(cursor.unwrap_or(""))
                .bind(i64::from(limit) + 1)
                .fetch_all(&mut *conn)
                .await?;
                let mut items = Self::orders_with_lines(&mut conn, tenant_id, rows).await?;
                let next_cursor = if items.len() > limit as usize {
                    items.truncate(limit as usize);
                    items.last().map(|o| o.id.clone())
                } else {
                    None
                };
                Ok(Page { items, next_cursor })
            }

            async fn conversation_orders(&self, tenant_id: &str, conversation_id: &str) -> Result<Vec<PlacedOrder>> {
                let mut conn = self.pool.acquire().await?;
                let rows = sqlx::query(&format!(
                    "SELECT {ORDER_COLUMNS} FROM orders WHERE tenant_id = $1 AND conversation_id = $2 ORDER BY id DESC LIMIT 50"
                ))
                .bind(tenant_id)
                .bind(conversation_id)
                .fetch_all(&mut *conn)
                .await?;
                Self::orders_with_lines(&mut conn, tenant_id, rows).await
            }

            async fn set_order_status(&self, tenant_id: &str, id: &str, to: OrderStatus) -> Result<Option<PlacedOrder>> {
                let _gate = self.gate().await;
                let mut tx = self.pool.begin_with($begin_write).await?;
                let from: Option<String> = sqlx::query_scalar("SELECT status FROM orders WHERE id = $1 AND tenant_id = $2")
                    .bind(id)
                    .bind(tenant_id)
                    .fetch_optional(&mut *tx)
                    .await?;
                let Some(from) = from else {
                    return Ok(None);
                };
                let from = OrderStatus::parse(&from).ok_or_else(|| corrupt("order status", &from))?;
                if from == to {
                    tx.rollback().await?;
                    return self.order(tenant_id, id).await;
                }
                if !from.can_become(to) {
                    return Err(StoreError::Invalid(format!(
                        "an order that is {} cannot become {}",
                        from.as_str(),
                        to.as_str()
                    )));
                }
                // Conditional on the status read: a concurrent move (an expiry) wins or loses whole.
                let n = sqlx::query("UPDATE orders SET status = $1, updated_at = $2 WHERE id = $3 AND tenant_id = $4 AND status = $5")
                    .bind(to.as_str())
                    .bind(now_ms())
                    .bind(id)
                    .bind(tenant_id)
                    .bind(from.as_str())
                    .execute(&mut *tx)
                    .await?
                    .rows_affected();
                if n != 1 {
                    return Err(StoreError::Conflict("the order changed meanwhile; try again".into()));
                }
                if from.holds_stock() && !to.holds_stock() {
                    Self::restock(&mut tx, tenant_id, id).await?;
                }
                tx.commit().await?;
                self.order(tenant_id, id).await
            }

            async fn expire_orders(&self, now: i64) -> Result<u64> {
                let due: Vec<(String, String)> = sqlx::query_as(
                    "SELECT id, tenant_id FROM orders WHERE status = 'awaiting_payment' AND expires_at IS NOT NULL \
                     AND expires_at <= $1 ORDER BY expires_at LIMIT 1000",
                )
                .bind(now)
                .fetch_all(&self.pool)
                .await?;
                let mut expired = 0;
                for (id, tenant_id) in due {
                    let _gate = self.gate().await;
                let mut tx = self.pool.begin_with($begin_write).await?;
                    let n = sqlx::query(
                        "UPDATE orders SET status = 'expired', updated_at = $1 WHERE id = $2 AND status = 'awaiting_payment'",
                    )
                    .bind(now_ms())
                    .bind(&id)
                    .execute(&mut *tx)
                    .await?
                    .rows_affected();
                    if n == 1 {
                        Self::restock(&mut tx, &tenant_id, &id).await?;
                        expired += 1;
                    }
                    tx.commit().await?;
                }
                Ok(expired)
            }

            async fn add_lead(&self, tenant_id: &str, new: &NewLead) -> Result<Lead> {
                let lead = Lead {
                    id: new_sortable_id("lead"),
                    kind: new.kind,
                    conversation_id: new.conversation_id.clone(),
                    name: new.name.clone(),
                    email: new.email.clone(),
                    phone: new.phone.clone(),
                    details: new.details.clone(),
                    score: new.score.clamp(0, 100),
                    created_at: now_ms(),
                };
                sqlx::query(&format!("INSERT INTO leads ({LEAD_COLUMNS}, tenant_id) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10)"))
                    .bind(&lead.id)
                    .bind(lead.kind.as_str())
                    .bind(&lead.conversation_id)
                    .bind(&lead.name)
                    .bind(&lead.email)
                    .bind(&lead.phone)
                    .bind(&lead.details)
                    .bind(lead.score)
                    .bind(lead.created_at)
                    .bind(tenant_id)
                    .execute(&self.pool)
                    .await?;
                Ok(lead)
            }

            async fn list_leads(&self, tenant_id: &str, limit: u32) -> Result<Vec<Lead>> {
                let rows = sqlx::query(&format!("SELECT {LEAD_COLUMNS} FROM leads WHERE tenant_id = $1 ORDER BY id DESC LIMIT $2"))
                    .bind(tenant_id)
                    .bind(i64::from(limit.clamp(1, 1000)))
                    .fetch_all(&self.pool)
                    .await?;
                rows.iter().map(Self::lead_from_row).collect()
            }

            async fn book_appointment(&self, tenant_id: &str, new: &NewAppointment) -> Result<Appointment> {
                if !(5..=24 * 60).contains(&new.duration_minutes) {
                    return Err(StoreError::Invalid("an appointment lasts 5 minutes to a day".into()));
                }
                let a = Appointment {
                    id: new_sortable_id("apt"),
                    conversation_id: new.conversation_id.clone(),
                    starts_at: new.starts_at,
                    duration_minutes: new.duration_minutes,
                    name: new.name.clone(),
                    email: new.email.clone(),
                    phone: new.phone.clone(),
                    status: "booked".into(),
                    created_at: now_ms(),
                };
                sqlx::query(&format!(
                    "INSERT INTO appointments ({APPOINTMENT_COLUMNS}, tenant_id) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10)"
                ))
                .bind(&a.id)
                .bind(&a.conversation_id)
                .bind(a.starts_at)
                .bind(a.duration_minutes)
                .bind(&a.name)
                .bind(&a.email)
                .bind(&a.phone)
                .bind(&a.status)
                .bind(a.created_at)
                .bind(tenant_id)
                .execute(&self.pool)
                .await
                .map_err(|e| {
                    if is_unique_violation(&e) {
                        StoreError::Conflict("that slot is already booked".into())
                    } else {
                        e.into()
                    }
                })?;
                Ok(a)
            }

            async fn set_appointment_contact(
                &self,
                tenant_id: &str,
                id: &str,
                name: Option<&str>,
                email: Option<&str>,
                phone: Option<&str>,
            ) -> Result<bool> {
                let n = sqlx::query(
                    "UPDATE appointments SET name = COALESCE($1, name), email = COALESCE($2, email), \
                     phone = COALESCE($3, phone) WHERE id = $4 AND tenant_id = $5",
                )
                .bind(name)
                .bind(email)
                .bind(phone)
                .bind(id)
                .bind(tenant_id)
                .execute(&self.pool)
                .await?
                .rows_affected();
                Ok(n == 1)
            }

            async fn appointments(&self, tenant_id: &str, from_ms: i64, to_ms: i64) -> Result<Vec<Appointment>> {
                let rows = sqlx::query(&format!(
                    "SELECT {APPOINTMENT_COLUMNS} FROM appointments WHERE tenant_id = $1 AND status = 'booked' \
                     AND starts_at >= $2 AND starts_at < $3 ORDER BY starts_at LIMIT 1000"
                ))
                .bind(tenant_id)
                .bind(from_ms)
                .bind(to_ms)
                .fetch_all(&self.pool)
                .await?;
                rows.iter().map(Self::appointment_from_row).collect()
            }
        }
    };
}

sql_sales_store!(
    SqliteStore,
    sqlx::Sqlite,
    sqlx::SqliteConnection,
    sqlx::sqlite::SqliteRow,
    begin_write = "BEGIN IMMEDIATE",
    tenant_lock = None,
    push_in = sqlite_push_in
);

sql_sales_store!(
    PostgresStore,
    sqlx::Postgres,
    sqlx::PgConnection,
    sqlx::postgres::PgRow,
    begin_write = "BEGIN",
    tenant_lock = Some("SELECT pg_advisory_xact_lock(hashtextextended($1, 7243110))"),
    push_in = postgres_push_in
);
