//! The SQL behind [`Store`], written once in the dialect SQLite and PostgreSQL share
//! (`$N` parameters, `ON CONFLICT … DO UPDATE … WHERE`, `IS DISTINCT FROM`) and instantiated
//! for each sqlx driver by `sql_store!`.

mod accounts;
mod sales;

use crate::{migrate, ImportRecord, Page, Result, SalesStore, Store, StoreError, UpsertOutcome};
use async_trait::async_trait;
use comptoir_domain::api_key::hash_token;
use comptoir_domain::id::{new_id, new_sortable_id};
use comptoir_domain::product::{clean_text, Options};
use comptoir_domain::{
    now_ms, ApiKey, CatalogueEntry, CrossSellRule, Currency, KeyKind, Lang, NewApiKey, NewOrder,
    NewTenant, OrderLine, OrderLineRequest, PlacedOrder, Plan, Product, ProductFilter,
    ProductUpsert, RuleSource, Tenant, Translation, Variant,
};
use rust_decimal::Decimal;
use sqlx::{QueryBuilder, Row};
use std::collections::HashMap;
use std::str::FromStr;
use std::time::Duration;

/// Rows per multi-row statement: well under SQLite's 32,766 and PostgreSQL's 65,535 parameters.
pub(crate) const CHUNK: usize = 400;

fn is_unique_violation(e: &sqlx::Error) -> bool {
    e.as_database_error()
        .is_some_and(|d| d.is_unique_violation())
}

fn is_foreign_key_violation(e: &sqlx::Error) -> bool {
    e.as_database_error()
        .is_some_and(|d| d.is_foreign_key_violation())
}

fn corrupt(what: &str, e: impl std::fmt::Display) -> StoreError {
    StoreError::Corrupt(format!("{what}: {e}"))
}

/// Lower-case key for case-insensitive filters (SQLite's LOWER only folds ASCII).
fn key(s: &str) -> String {
    s.trim().to_lowercase()
}

fn json<T: serde::Serialize>(v: &T) -> String {
    serde_json::to_string(v).unwrap_or_else(|_| "[]".into())
}

/// Merges a batch so each product and each sku appears once (PostgreSQL refuses to update
/// one row twice in a statement); a later sku wins over an earlier one.
fn normalise_batch(batch: &[ProductUpsert]) -> Vec<ProductUpsert> {
    let mut out: Vec<ProductUpsert> = Vec::with_capacity(batch.len());
    let mut by_ext: HashMap<&str, usize> = HashMap::with_capacity(batch.len());
    for p in batch {
        match by_ext.get(p.external_id.as_str()) {
            Some(&i) => out[i].merge(p.clone()),
            None => {
                by_ext.insert(&p.external_id, out.len());
                out.push(p.clone());
            }
        }
    }
    let mut owner: HashMap<String, usize> = HashMap::new();
    for (i, p) in out.iter().enumerate() {
        for v in &p.variants {
            owner.insert(v.sku.clone(), i);
        }
    }
    for (i, p) in out.iter_mut().enumerate() {
        p.variants.retain(|v| owner.get(&v.sku) == Some(&i));
        // Sources set these fields directly: the last gate before the database cleans them
        // (PostgreSQL refuses NUL bytes) and bounds them.
        p.brand = p
            .brand
            .as_deref()
            .map(|b| clean_text(b).trim().chars().take(200).collect());
        if let Some(images) = &mut p.images {
            images.retain(|u| u.len() <= 2048);
            for u in images.iter_mut() {
                *u = clean_text(u);
            }
        }
    }
    // Rows in key order: two imports touching the same products lock them in the same order,
    // so they queue instead of deadlocking.
    out.sort_by(|a, b| a.external_id.cmp(&b.external_id));
    out
}

/// Units of one sku in one order, at most.
const MAX_QUANTITY: i64 = 10_000;
/// Distinct skus in one order, at most: each is one conditional update under the write lock.
const MAX_ORDER_LINES: usize = 1_000;
/// Longest category name a cross-sell rule accepts (as for a product's category).
const MAX_CATEGORY_LEN: usize = 500;

/// An order's lines with each sku once (quantities summed), in the order first asked for.
fn merge_order_lines(lines: &[OrderLineRequest]) -> Result<Vec<(String, i64)>> {
    let invalid = |m: String| Err(StoreError::Invalid(m));
    if lines.is_empty() {
        return invalid("an order needs at least one line".into());
    }
    let mut out: Vec<(String, i64)> = Vec::with_capacity(lines.len());
    let mut at: HashMap<&str, usize> = HashMap::with_capacity(lines.len());
    for l in lines {
        let sku = l.sku.trim();
        if sku.is_empty() {
            return invalid("sku is empty".into());
        }
        if !(1..=MAX_QUANTITY).contains(&l.quantity) {
            return invalid(format!(
                "quantity of `{sku}` must be between 1 and {MAX_QUANTITY}, got {}",
                l.quantity
            ));
        }
        match at.get(sku) {
            Some(&i) => out[i].1 = out[i].1.saturating_add(l.quantity),
            None => {
                at.insert(sku, out.len());
                out.push((sku.to_string(), l.quantity));
            }
        }
    }
    if out.len() > MAX_ORDER_LINES {
        return invalid(format!("an order has at most {MAX_ORDER_LINES} lines"));
    }
    if let Some((sku, q)) = out.iter().find(|(_, q)| *q > MAX_QUANTITY) {
        return invalid(format!(
            "quantity of `{sku}` must be between 1 and {MAX_QUANTITY}, got {q} in all"
        ));
    }
    Ok(out)
}

/// A stored cross-sell rule's source.
fn rule_source(kind: &str, source: String) -> Result<RuleSource> {
    match kind {
        "product" => Ok(RuleSource::Product(source)),
        "category" => Ok(RuleSource::Category(source)),
        other => Err(corrupt("cross-sell rule kind", other)),
    }
}

/// Inclusive minor-unit bounds for a decimal price filter.
fn minor_bounds(
    c: &Currency,
    min: Option<Decimal>,
    max: Option<Decimal>,
) -> (Option<i64>, Option<i64>) {
    let scale = Decimal::from(10i64.pow(c.exponent()));
    let conv = |d: Decimal, up: bool| -> i64 {
        let Some(s) = d.checked_mul(scale) else {
            return if up { i64::MAX } else { i64::MIN };
        };
        let s = if up { s.ceil() } else { s.floor() };
        i64::try_from(s).unwrap_or(if up { i64::MAX } else { i64::MIN })
    };
    (min.map(|d| conv(d, true)), max.map(|d| conv(d, false)))
}

macro_rules! sql_store {
    ($name:ident, $db:ty, $conn:ty, $row:ty, backend = $backend:literal, migrations = $migs:expr, lock = $lock:expr, begin_write = $begin_write:literal, begin_snapshot = $begin_snapshot:literal, tenant_lock = $tenant_lock:expr, product_ids = $product_ids:ident, push_in = $push_in:ident) => {
        /// A [`Store`] on this backend.
        #[derive(Clone)]
        pub struct $name {
            pool: sqlx::Pool<$db>,
            /// SQLite: one writer at a time inside this process, queued in order. SQLite allows
            /// one writer anyway; without this, writers that find the lock taken poll it with
            /// the busy handler's sleeps (1, 2, 5 … 100 ms), the tail latency under load.
            write_gate: Option<std::sync::Arc<tokio::sync::Mutex<()>>>,
        }

        impl $name {
            /// Held for a write transaction's life (see `write_gate`).
            async fn gate(&self) -> Option<tokio::sync::OwnedMutexGuard<()>> {
                match &self.write_gate {
                    Some(g) => Some(std::sync::Arc::clone(g).lock_owned().await),
                    None => None,
                }
            }

            async fn migrate(&self) -> Result<()> {
                for (version, name, sql) in $migs {
                    let _gate = self.gate().await;
                let mut tx = self.pool.begin_with($begin_write).await?;
                    let lock: Option<&str> = $lock;
                    if let Some(lock) = lock {
                        sqlx::query(lock).execute(&mut *tx).await?;
                    }
                    // Under the lock: two servers starting together must not both create it.
                    sqlx::raw_sql(migrate::CREATE_TABLE).execute(&mut *tx).await?;
                    let done: Option<i64> =
                        sqlx::query_scalar("SELECT version FROM comptoir_migrations WHERE version = $1")
                            .bind(*version)
                            .fetch_optional(&mut *tx)
                            .await?;
                    if done.is_none() {
                        sqlx::raw_sql(sql)
                            .execute(&mut *tx)
                            .await
                            .map_err(|source| StoreError::Migration { version: *version, source })?;
                        sqlx::query(
                            "INSERT INTO comptoir_migrations (version, name, applied_at) VALUES ($1, $2, $3)",
                        )
                        .bind(*version)
                        .bind(*name)
                        .bind(now_ms())
                        .execute(&mut *tx)
                        .await?;
                    }
                    tx.commit().await?;
                }
                Ok(())
            }

            fn tenant_from_row(r: &$row) -> Result<Tenant> {
                let plan: String = r.try_get("plan")?;
                let currency: String = r.try_get("currency")?;
                let locales: String = r.try_get("locales")?;
                let locales: Vec<Lang> = locales.split(',').filter_map(Lang::parse).collect();
                if locales.is_empty() {
                    return Err(corrupt("tenant locales", "empty"));
                }
                Ok(Tenant {
                    id: r.try_get("id")?,
                    slug: r.try_get("slug")?,
                    name: r.try_get("name")?,
                    plan: Plan::parse(&plan).ok_or_else(|| corrupt("tenant plan", &plan))?,
                    currency: Currency::parse(&currency).map_err(|e| corrupt("tenant currency", e))?,
                    locales,
                    created_at: r.try_get("created_at")?,
                    settings: {
                        let raw: String = r.try_get("settings")?;
                        serde_json::from_str(&raw).map_err(|e| corrupt("tenant settings", e))?
                    },
                })
            }

            fn key_from_row(r: &$row) -> Result<ApiKey> {
                let kind: String = r.try_get("kind")?;
                Ok(ApiKey {
                    id: r.try_get("id")?,
                    tenant_id: r.try_get("tenant_id")?,
                    kind: KeyKind::parse(&kind).ok_or_else(|| corrupt("key kind", &kind))?,
                    name: r.try_get("name")?,
                    prefix: r.try_get("prefix")?,
                    created_at: r.try_get("created_at")?,
                    revoked_at: r.try_get("revoked_at")?,
                })
            }

            fn import_from_row(r: &$row) -> Result<ImportRecord> {
                Ok(ImportRecord {
                    id: r.try_get("id")?,
                    tenant_id: r.try_get("tenant_id")?,
                    format: r.try_get("format")?,
                    source: r.try_get("source")?,
                    rows_total: r.try_get("rows_total")?,
                    rows_imported: r.try_get("rows_imported")?,
                    rows_rejected: r.try_get("rows_rejected")?,
                    report: r.try_get("report")?,
                    created_at: r.try_get("created_at")?,
                })
            }

            /// The batch upsert, inside the caller's transaction.
            async fn upsert_in(
                conn: &mut $conn,
                tenant: &Tenant,
                batch: &[ProductUpsert],
            ) -> Result<UpsertOutcome> {
                let batch = normalise_batch(batch);
                let now = now_ms();
                let mut changed = 0u64;

                for chunk in batch.chunks(CHUNK) {
                    let mut qb = QueryBuilder::<$db>::new(
                        "INSERT INTO products (id, tenant_id, external_id, brand, brand_key, images, created_at, updated_at) ",
                    );
                    qb.push_values(chunk, |mut b, p| {
                        b.push_bind(new_sortable_id("prod"))
                            .push_bind(tenant.id.clone())
                            .push_bind(p.external_id.clone())
                            .push_bind(p.brand.clone())
                            .push_bind(p.brand.as_deref().map(key))
                            .push_bind(p.images.as_ref().map(json))
                            .push_bind(now)
                            .push_bind(now);
                    });
                    qb.push(
                        " ON CONFLICT (tenant_id, external_id) DO UPDATE SET \
                         brand = COALESCE(excluded.brand, products.brand), \
                         brand_key = COALESCE(excluded.brand_key, products.brand_key), \
                         images = COALESCE(excluded.images, products.images), \
                         updated_at = excluded.updated_at \
                         WHERE (excluded.brand IS NOT NULL AND excluded.brand IS DISTINCT FROM products.brand) \
                         OR (excluded.images IS NOT NULL AND excluded.images IS DISTINCT FROM products.images)",
                    );
                    changed += qb.build().execute(&mut *conn).await?.rows_affected();
                }

                let exts: Vec<String> = batch.iter().map(|p| p.external_id.clone()).collect();
                let ids = $product_ids(&mut *conn, &tenant.id, &exts).await?;
                let id_of = |p: &ProductUpsert| ids.get(&p.external_id).cloned().unwrap_or_default();

                let texts: Vec<(String, &Translation)> = batch
                    .iter()
                    .flat_map(|p| p.translations.iter().map(move |t| (id_of(p), t)))
                    .collect();
                for chunk in texts.chunks(CHUNK) {
                    let mut qb = QueryBuilder::<$db>::new(
                        "INSERT INTO product_translations (product_id, tenant_id, lang, title, description, category, category_key, tags) ",
                    );
                    qb.push_values(chunk, |mut b, (pid, t)| {
                        b.push_bind(pid.clone())
                            .push_bind(tenant.id.clone())
                            .push_bind(t.lang.as_str().to_string())
                            .push_bind(t.title.clone())
                            .push_bind(t.description.clone())
                            .push_bind(t.category.clone())
                            .push_bind(t.category.as_deref().map(key))
                            .push_bind(json(&t.tags));
                    });
                    qb.push(
                        " ON CONFLICT (product_id, lang) DO UPDATE SET \
                         title = excluded.title, description = excluded.description, \
                         category = excluded.category, category_key = excluded.category_key, tags = excluded.tags \
                         WHERE product_translations.title IS DISTINCT FROM excluded.title \
                         OR product_translations.description IS DISTINCT FROM excluded.description \
                         OR product_translations.category IS DISTINCT FROM excluded.category \
                         OR product_translations.tags IS DISTINCT FROM excluded.tags",
                    );
                    changed += qb.build().execute(&mut *conn).await?.rows_affected();
                }

                let default_lang = tenant.default_locale().as_str().to_string();
                let mut variants: Vec<(String, usize, &Variant, String)> = Vec::new();
                for p in &batch {
                    let pid = id_of(p);
                    let olang = p.options_lang.as_ref().map_or_else(|| default_lang.clone(), |l| l.as_str().to_string());
                    for (pos, v) in p.variants.iter().enumerate() {
                        variants.push((pid.clone(), pos, v, olang.clone()));
                    }
                }
                // Option values in the default language win over translated ones.
                let options_expr = format!(
                    "(CASE WHEN excluded.options_lang = '{0}' OR variants.options_lang IS DISTINCT FROM '{0}' \
                     THEN excluded.options ELSE variants.options END)",
                    default_lang.replace('\'', "")
                );
                let options_lang_expr = format!(
                    "(CASE WHEN excluded.options_lang = '{0}' OR variants.options_lang IS DISTINCT FROM '{0}' \
                     THEN excluded.options_lang ELSE variants.options_lang END)",
                    default_lang.replace('\'', "")
                );
                for chunk in variants.chunks(CHUNK) {
                    let mut rows = Vec::with_capacity(chunk.len());
                    for (pid, pos, v, olang) in chunk {
                        let price = v.currency.to_minor(v.price).map_err(|e| corrupt("price", e))?;
                        let cmp = match v.compare_at_price {
                            Some(c) => Some(v.currency.to_minor(c).map_err(|e| corrupt("price", e))?),
                            None => None,
                        };
                        rows.push((pid.clone(), *pos as i64, *v, price, cmp, olang.clone()));
                    }
                    let mut qb = QueryBuilder::<$db>::new(
                        "INSERT INTO variants (tenant_id, product_id, sku, options, options_lang, price_minor, compare_at_minor, currency, stock, digital, position) ",
                    );
                    qb.push_values(rows, |mut b, (pid, pos, v, price, cmp, olang)| {
                        b.push_bind(tenant.id.clone())
                            .push_bind(pid)
                            .push_bind(v.sku.clone())
                            .push_bind(json(&v.options.0))
                            .push_bind(olang)
                            .push_bind(price)
                            .push_bind(cmp)
                            .push_bind(v.currency.as_str().to_string())
                            .push_bind(v.stock)
                            .push_bind(v.digital)
                            .push_bind(pos);
                    });
                    qb.push(format!(
                        " ON CONFLICT (tenant_id, sku) DO UPDATE SET \
                         product_id = excluded.product_id, options = {options_expr}, options_lang = {options_lang_expr}, \
                         price_minor = excluded.price_minor, compare_at_minor = excluded.compare_at_minor, \
                         currency = excluded.currency, stock = excluded.stock, digital = excluded.digital, \
                         position = excluded.position \
                         WHERE variants.product_id IS DISTINCT FROM excluded.product_id \
                         OR variants.options IS DISTINCT FROM {options_expr} \
                         OR variants.price_minor IS DISTINCT FROM excluded.price_minor \
                         OR variants.compare_at_minor IS DISTINCT FROM excluded.compare_at_minor \
                         OR variants.currency IS DISTINCT FROM excluded.currency \
                         OR variants.stock IS DISTINCT FROM excluded.stock \
                         OR variants.digital IS DISTINCT FROM excluded.digital \
                         OR variants.position IS DISTINCT FROM excluded.position"
                    ));
                    changed += qb.build().execute(&mut *conn).await?.rows_affected();
                }

                Ok(UpsertOutcome {
                    products: batch.len() as u64,
                    variants: variants.len() as u64,
                    rows_changed: changed,
                })
            }

            /// Products of the tenant (all, or those ids) with all their texts and variants, in
            /// id order: three queries whatever the count.
            async fn entries(
                conn: &mut $conn,
                tenant_id: &str,
                ids: Option<&[String]>,
            ) -> Result<Vec<CatalogueEntry>> {
                if ids.is_some_and(|i| i.is_empty()) {
                    return Ok(Vec::new());
                }
                let mut qb = QueryBuilder::<$db>::new(
                    "SELECT id, external_id, brand, images, boost_pct, created_at, updated_at FROM products WHERE tenant_id = ",
                );
                qb.push_bind(tenant_id.to_string());
                if let Some(ids) = ids {
                    $push_in(&mut qb, "id", ids);
                }
                let heads = qb.build().fetch_all(&mut *conn).await?;
                if heads.is_empty() {
                    return Ok(Vec::new());
                }

                let mut qb = QueryBuilder::<$db>::new(
                    "SELECT product_id, lang, title, description, category, tags FROM product_translations WHERE tenant_id = ",
                );
                qb.push_bind(tenant_id.to_string());
                if let Some(ids) = ids {
                    $push_in(&mut qb, "product_id", ids);
                }
                let mut texts: HashMap<String, Vec<Translation>> = HashMap::with_capacity(heads.len());
                for r in qb.build().fetch_all(&mut *conn).await? {
                    let l: String = r.try_get("lang")?;
                    let tags: String = r.try_get("tags")?;
                    texts.entry(r.try_get("product_id")?).or_default().push(Translation {
                        lang: Lang::parse(&l).ok_or_else(|| corrupt("lang", &l))?,
                        title: r.try_get("title")?,
                        description: r.try_get("description")?,
                        category: r.try_get("category")?,
                        tags: serde_json::from_str(&tags).map_err(|e| corrupt("tags", e))?,
                    });
                }

                let mut qb = QueryBuilder::<$db>::new(
                    "SELECT product_id, sku, options, price_minor, compare_at_minor, currency, stock, digital, position FROM variants WHERE tenant_id = ",
                );
                qb.push_bind(tenant_id.to_string());
                if let Some(ids) = ids {
                    $push_in(&mut qb, "product_id", ids);
                }
                let mut vars: HashMap<String, Vec<(i64, Variant)>> = HashMap::with_capacity(heads.len());
                // Most catalogues have one currency: parse each code once.
                let mut currencies: HashMap<String, Currency> = HashMap::new();
                for r in qb.build().fetch_all(&mut *conn).await? {
                    let cur: String = r.try_get("currency")?;
                    let currency = match currencies.get(&cur) {
                        Some(c) => c.clone(),
                        None => {
                            let c = Currency::parse(&cur).map_err(|e| corrupt("currency", e))?;
                            currencies.insert(cur, c.clone());
                            c
                        }
                    };
                    let opts: String = r.try_get("options")?;
                    let options: Vec<(String, String)> =
                        serde_json::from_str(&opts).map_err(|e| corrupt("options", e))?;
                    let cmp: Option<i64> = r.try_get("compare_at_minor")?;
                    let position: i64 = r.try_get("position")?;
                    vars.entry(r.try_get("product_id")?).or_default().push((
                        position,
                        Variant {
                            sku: r.try_get("sku")?,
                            options: Options(options),
                            price: currency.from_minor(r.try_get("price_minor")?),
                            compare_at_price: cmp.map(|c| currency.from_minor(c)),
                            currency,
                            stock: r.try_get("stock")?,
                            digital: r.try_get("digital")?,
                        },
                    ));
                }

                let mut out = Vec::with_capacity(heads.len());
                for r in heads {
                    let id: String = r.try_get("id")?;
                    let images: Option<String> = r.try_get("images")?;
                    let images: Vec<String> = match images {
                        Some(s) => serde_json::from_str(&s).map_err(|e| corrupt("images", e))?,
                        None => Vec::new(),
                    };
                    let mut translations = texts.remove(&id).unwrap_or_default();
                    translations.sort_by(|a, b| a.lang.cmp(&b.lang));
                    // Sorted here, not in SQL: byte order on both backends, whatever the collation.
                    let mut variants = vars.remove(&id).unwrap_or_default();
                    variants.sort_by(|(pa, a), (pb, b)| pa.cmp(pb).then_with(|| a.sku.cmp(&b.sku)));
                    let boost: i64 = r.try_get("boost_pct")?;
                    out.push(CatalogueEntry {
                        external_id: r.try_get("external_id")?,
                        brand: r.try_get("brand")?,
                        images,
                        translations,
                        variants: variants.into_iter().map(|(_, v)| v).collect(),
                        boost_pct: boost.clamp(0, 1000) as u32,
                        created_at: r.try_get("created_at")?,
                        updated_at: r.try_get("updated_at")?,
                        id,
                    });
                }
                out.sort_unstable_by(|a, b| a.id.cmp(&b.id));
                Ok(out)
            }

            /// Loads products by id (of this tenant only), in the order given.
            async fn load(
                conn: &mut $conn,
                tenant: &Tenant,
                ids: &[String],
                lang: Option<&Lang>,
            ) -> Result<Vec<Product>> {
                let mut by_id: HashMap<String, CatalogueEntry> = Self::entries(conn, &tenant.id, Some(ids))
                    .await?
                    .into_iter()
                    .map(|e| (e.id.clone(), e))
                    .collect();
                Ok(ids
                    .iter()
                    .filter_map(|id| by_id.remove(id))
                    .map(|e| e.to_product(lang, tenant.default_locale()))
                    .collect())
            }

            /// A sku of these already used by a product of this tenant (other than `except`), with
            /// that product's id.
            async fn sku_owner(
                conn: &mut $conn,
                tenant_id: &str,
                skus: &[&str],
                except: Option<&str>,
            ) -> Result<Option<(String, String)>> {
                for chunk in skus.chunks(CHUNK) {
                    let mut qb = QueryBuilder::<$db>::new("SELECT sku, product_id FROM variants WHERE tenant_id = ");
                    qb.push_bind(tenant_id.to_string());
                    if let Some(id) = except {
                        qb.push(" AND product_id <> ");
                        qb.push_bind(id.to_string());
                    }
                    qb.push(" AND sku IN (");
                    let mut sep = qb.separated(", ");
                    for s in chunk {
                        sep.push_bind(s.to_string());
                    }
                    qb.push(") LIMIT 1");
                    if let Some(r) = qb.build().fetch_optional(&mut *conn).await? {
                        return Ok(Some((r.try_get("sku")?, r.try_get("product_id")?)));
                    }
                }
                Ok(None)
            }
        }

        #[async_trait]
        impl Store for $name {
            fn backend(&self) -> &'static str {
                $backend
            }

            async fn ping(&self) -> Result<()> {
                sqlx::query("SELECT 1").execute(&self.pool).await?;
                Ok(())
            }

            async fn create_tenant(&self, new: &NewTenant) -> Result<Tenant> {
                let t = Tenant {
                    id: new_id("ten"),
                    slug: new.slug.clone(),
                    name: new.name.clone(),
                    plan: new.plan,
                    currency: new.currency.clone(),
                    locales: new.locales.clone(),
                    created_at: now_ms(),
                    settings: Default::default(),
                };
                let locales: Vec<&str> = t.locales.iter().map(Lang::as_str).collect();
                sqlx::query(
                    "INSERT INTO tenants (id, slug, name, plan, currency, locales, created_at) VALUES ($1, $2, $3, $4, $5, $6, $7)",
                )
                .bind(&t.id)
                .bind(&t.slug)
                .bind(&t.name)
                .bind(t.plan.as_str())
                .bind(t.currency.as_str())
                .bind(locales.join(","))
                .bind(t.created_at)
                .execute(&self.pool)
                .await
                .map_err(|e| {
                    if is_unique_violation(&e) {
                        StoreError::Conflict(format!("a tenant with slug `{}` already exists", t.slug))
                    } else {
                        e.into()
                    }
                })?;
                Ok(t)
            }

            async fn tenant_by_slug(&self, slug: &str) -> Result<Option<Tenant>> {
                let r = sqlx::query("SELECT id, slug, name, plan, currency, locales, created_at, settings FROM tenants WHERE slug = $1")
                    .bind(slug)
                    .fetch_optional(&self.pool)
                    .await?;
                r.as_ref().map(Self::tenant_from_row).transpose()
            }

            async fn tenant_by_id(&self, id: &str) -> Result<Option<Tenant>> {
                let r = sqlx::query("SELECT id, slug, name, plan, currency, locales, created_at, settings FROM tenants WHERE id = $1")
                    .bind(id)
                    .fetch_optional(&self.pool)
                    .await?;
                r.as_ref().map(Self::tenant_from_row).transpose()
            }

            async fn insert_api_key(&self, k: &NewApiKey) -> Result<()> {
                sqlx::query(
                    "INSERT INTO api_keys (id, tenant_id, kind, name, prefix, hash, created_at, revoked_at, public_token) VALUES ($1, $2, $3, $4, $5, $6, $7, NULL, $8)",
                )
                .bind(&k.key.id)
                .bind(&k.key.tenant_id)
                .bind(k.key.kind.as_str())
                .bind(&k.key.name)
                .bind(&k.key.prefix)
                .bind(&k.hash)
                .bind(k.key.created_at)
                // A public key is printed in every page of the shop's site anyway: the admin
                // keeps it to show the snippet again. Secret keys are never kept.
                .bind((k.key.kind == KeyKind::Public).then_some(k.token.as_str()))
                .execute(&self.pool)
                .await?;
                Ok(())
            }

            async fn api_key_by_token(&self, token: &str) -> Result<Option<ApiKey>> {
                let r = sqlx::query("SELECT id, tenant_id, kind, name, prefix, hash, created_at, revoked_at FROM api_keys WHERE hash = $1")
                    .bind(hash_token(token))
                    .fetch_optional(&self.pool)
                    .await?;
                r.as_ref().map(Self::key_from_row).transpose()
            }

            async fn list_api_keys(&self, tenant_id: &str) -> Result<Vec<ApiKey>> {
                let rows = sqlx::query("SELECT id, tenant_id, kind, name, prefix, hash, created_at, revoked_at FROM api_keys WHERE tenant_id = $1 ORDER BY created_at, id")
                    .bind(tenant_id)
                    .fetch_all(&self.pool)
                    .await?;
                rows.iter().map(Self::key_from_row).collect()
            }

            async fn revoke_api_key(&self, tenant_id: &str, key_id: &str) -> Result<bool> {
                let n = sqlx::query(
                    "UPDATE api_keys SET revoked_at = $1 WHERE tenant_id = $2 AND id = $3 AND revoked_at IS NULL",
                )
                .bind(now_ms())
                .bind(tenant_id)
                .bind(key_id)
                .execute(&self.pool)
                .await?
                .rows_affected();
                Ok(n > 0)
            }

            async fn upsert_products(&self, tenant: &Tenant, batch: &[ProductUpsert]) -> Result<UpsertOutcome> {
                let _gate = self.gate().await;
                let mut tx = self.pool.begin_with($begin_write).await?;
                let out = Self::upsert_in(&mut tx, tenant, batch).await?;
                if out.rows_changed > 0 {
                    sqlx::query("UPDATE tenants SET catalogue_version = catalogue_version + 1 WHERE id = $1")
                    .bind(&tenant.id)
                    .execute(&mut *tx)
                    .await?;
                }
                tx.commit().await?;
                Ok(out)
            }

            async fn create_product(&self, tenant: &Tenant, p: &ProductUpsert, lang: Option<&Lang>) -> Result<Product> {
                let _gate = self.gate().await;
                let mut tx = self.pool.begin_with($begin_write).await?;
                let tenant_lock: Option<&str> = $tenant_lock;
                if let Some(l) = tenant_lock {
                    sqlx::query(l).bind(&tenant.id).execute(&mut *tx).await?;
                }
                let exists: Option<String> =
                    sqlx::query_scalar("SELECT id FROM products WHERE tenant_id = $1 AND external_id = $2")
                        .bind(&tenant.id)
                        .bind(&p.external_id)
                        .fetch_optional(&mut *tx)
                        .await?;
                if let Some(id) = exists {
                    return Err(StoreError::Conflict(format!(
                        "product id `{}` is already used by product {id}",
                        p.external_id
                    )));
                }
                let skus: Vec<&str> = p.variants.iter().map(|v| v.sku.as_str()).collect();
                if let Some((sku, owner)) = Self::sku_owner(&mut tx, &tenant.id, &skus, None).await? {
                    return Err(StoreError::Conflict(format!("sku `{sku}` is already used by product {owner}")));
                }
                Self::upsert_in(&mut tx, tenant, std::slice::from_ref(p)).await?;
                let id: String =
                    sqlx::query_scalar("SELECT id FROM products WHERE tenant_id = $1 AND external_id = $2")
                        .bind(&tenant.id)
                        .bind(&p.external_id)
                        .fetch_one(&mut *tx)
                        .await?;
                let product = Self::load(&mut tx, tenant, &[id], lang).await?.pop();
                sqlx::query("UPDATE tenants SET catalogue_version = catalogue_version + 1 WHERE id = $1")
                    .bind(&tenant.id)
                    .execute(&mut *tx)
                    .await?;
                tx.commit().await?;
                product.ok_or_else(|| corrupt("product", "vanished after insert"))
            }

            async fn update_product(
                &self,
                tenant: &Tenant,
                id: &str,
                patch: &ProductUpsert,
                replace_variants: bool,
                lang: Option<&Lang>,
            ) -> Result<Option<Product>> {
                let _gate = self.gate().await;
                let mut tx = self.pool.begin_with($begin_write).await?;
                let tenant_lock: Option<&str> = $tenant_lock;
                if let Some(l) = tenant_lock {
                    sqlx::query(l).bind(&tenant.id).execute(&mut *tx).await?;
                }
                let ext: Option<String> =
                    sqlx::query_scalar("SELECT external_id FROM products WHERE tenant_id = $1 AND id = $2")
                        .bind(&tenant.id)
                        .bind(id)
                        .fetch_optional(&mut *tx)
                        .await?;
                let Some(ext) = ext else { return Ok(None) };
                let skus: Vec<&str> = patch.variants.iter().map(|v| v.sku.as_str()).collect();
                if let Some((sku, owner)) = Self::sku_owner(&mut tx, &tenant.id, &skus, Some(id)).await? {
                    return Err(StoreError::Conflict(format!("sku `{sku}` is already used by product {owner}")));
                }
                let mut p = patch.clone();
                p.external_id = ext;
                Self::upsert_in(&mut tx, tenant, std::slice::from_ref(&p)).await?;
                if replace_variants {
                    let mut qb = QueryBuilder::<$db>::new("DELETE FROM variants WHERE tenant_id = ");
                    qb.push_bind(tenant.id.clone());
                    qb.push(" AND product_id = ");
                    qb.push_bind(id.to_string());
                    if !skus.is_empty() {
                        qb.push(" AND sku NOT IN (");
                        let mut sep = qb.separated(", ");
                        for s in &skus {
                            sep.push_bind(s.to_string());
                        }
                        qb.push(")");
                    }
                    qb.build().execute(&mut *tx).await?;
                }
                sqlx::query("UPDATE products SET updated_at = $1 WHERE tenant_id = $2 AND id = $3")
                    .bind(now_ms())
                    .bind(&tenant.id)
                    .bind(id)
                    .execute(&mut *tx)
                    .await?;
                sqlx::query("UPDATE tenants SET catalogue_version = catalogue_version + 1 WHERE id = $1")
                    .bind(&tenant.id)
                    .execute(&mut *tx)
                    .await?;
                let product = Self::load(&mut tx, tenant, &[id.to_string()], lang).await?.pop();
                tx.commit().await?;
                Ok(product)
            }

            async fn product(&self, tenant: &Tenant, id: &str, lang: Option<&Lang>) -> Result<Option<Product>> {
                let mut conn = self.pool.acquire().await?;
                Ok(Self::load(&mut conn, tenant, &[id.to_string()], lang).await?.pop())
            }

            async fn product_by_external_id(
                &self,
                tenant: &Tenant,
                external_id: &str,
                lang: Option<&Lang>,
            ) -> Result<Option<Product>> {
                let mut conn = self.pool.acquire().await?;
                let id: Option<String> =
                    sqlx::query_scalar("SELECT id FROM products WHERE tenant_id = $1 AND external_id = $2")
                        .bind(&tenant.id)
                        .bind(external_id)
                        .fetch_optional(&mut *conn)
                        .await?;
                match id {
                    Some(id) => Ok(Self::load(&mut conn, tenant, &[id], lang).await?.pop()),
                    None => Ok(None),
                }
            }

            async fn list_products(
                &self,
                tenant: &Tenant,
                f: &ProductFilter,
                lang: Option<&Lang>,
                cursor: Option<&str>,
                limit: u32,
            ) -> Result<Page<Product>> {
                let limit = limit.clamp(1, 200) as usize;
                let mut qb = QueryBuilder::<$db>::new("SELECT p.id FROM products p WHERE p.tenant_id = ");
                qb.push_bind(tenant.id.clone());
                if let Some(c) = cursor {
                    qb.push(" AND p.id > ");
                    qb.push_bind(c.to_string());
                }
                if let Some(b) = &f.brand {
                    qb.push(" AND p.brand_key = ");
                    qb.push_bind(key(b));
                }
                if let Some(c) = &f.category {
                    qb.push(" AND EXISTS (SELECT 1 FROM product_translations t WHERE t.product_id = p.id AND t.category_key = ");
                    qb.push_bind(key(c));
                    qb.push(")");
                }
                match f.in_stock {
                    Some(true) => {
                        qb.push(" AND EXISTS (SELECT 1 FROM variants v WHERE v.product_id = p.id AND (v.stock IS NULL OR v.stock > 0))");
                    }
                    Some(false) => {
                        qb.push(" AND NOT EXISTS (SELECT 1 FROM variants v WHERE v.product_id = p.id AND (v.stock IS NULL OR v.stock > 0))");
                    }
                    None => {}
                }
                let (min, max) = minor_bounds(&tenant.currency, f.price_min, f.price_max);
                if min.is_some() || max.is_some() {
                    // Bounds are in the tenant's currency; variants priced in another are not compared.
                    qb.push(" AND EXISTS (SELECT 1 FROM variants v WHERE v.product_id = p.id AND v.currency = ");
                    qb.push_bind(tenant.currency.as_str().to_string());
                    if let Some(m) = min {
                        qb.push(" AND v.price_minor >= ");
                        qb.push_bind(m);
                    }
                    if let Some(m) = max {
                        qb.push(" AND v.price_minor <= ");
                        qb.push_bind(m);
                    }
                    qb.push(")");
                }
                qb.push(" ORDER BY p.id LIMIT ");
                qb.push_bind((limit + 1) as i64);
                let mut conn = self.pool.acquire().await?;
                let mut ids: Vec<String> = qb
                    .build()
                    .fetch_all(&mut *conn)
                    .await?
                    .iter()
                    .map(|r| r.try_get("id"))
                    .collect::<Result<_, _>>()?;
                let next_cursor = if ids.len() > limit {
                    ids.truncate(limit);
                    ids.last().cloned()
                } else {
                    None
                };
                let items = Self::load(&mut conn, tenant, &ids, lang).await?;
                Ok(Page { items, next_cursor })
            }

            async fn delete_product(&self, tenant: &Tenant, id: &str) -> Result<bool> {
                let _gate = self.gate().await;
                let mut tx = self.pool.begin_with($begin_write).await?;
                let n = sqlx::query("DELETE FROM products WHERE tenant_id = $1 AND id = $2")
                    .bind(&tenant.id)
                    .bind(id)
                    .execute(&mut *tx)
                    .await?
                    .rows_affected();
                if n > 0 {
                    // Rules targeting it go by foreign key; rules triggered by it go here.
                    sqlx::query("DELETE FROM cross_sell_rules WHERE tenant_id = $1 AND source_kind = 'product' AND source = $2")
                        .bind(&tenant.id)
                        .bind(id)
                        .execute(&mut *tx)
                        .await?;
                    sqlx::query("UPDATE tenants SET catalogue_version = catalogue_version + 1 WHERE id = $1")
                    .bind(&tenant.id)
                    .execute(&mut *tx)
                    .await?;
                }
                tx.commit().await?;
                Ok(n > 0)
            }

            async fn count_catalogue(&self, tenant_id: &str) -> Result<(u64, u64)> {
                let p: i64 = sqlx::query_scalar("SELECT COUNT(*) FROM products WHERE tenant_id = $1")
                    .bind(tenant_id)
                    .fetch_one(&self.pool)
                    .await?;
                let v: i64 = sqlx::query_scalar("SELECT COUNT(*) FROM variants WHERE tenant_id = $1")
                    .bind(tenant_id)
                    .fetch_one(&self.pool)
                    .await?;
                Ok((p as u64, v as u64))
            }

            async fn catalogue_version(&self, tenant_id: &str) -> Result<i64> {
                let v: Option<i64> = sqlx::query_scalar("SELECT catalogue_version FROM tenants WHERE id = $1")
                    .bind(tenant_id)
                    .fetch_optional(&self.pool)
                    .await?;
                Ok(v.unwrap_or(0))
            }

            async fn record_import(&self, r: &ImportRecord) -> Result<()> {
                sqlx::query(
                    "INSERT INTO imports (id, tenant_id, format, source, rows_total, rows_imported, rows_rejected, report, created_at) \
                     VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9)",
                )
                .bind(&r.id)
                .bind(&r.tenant_id)
                .bind(&r.format)
                .bind(&r.source)
                .bind(r.rows_total)
                .bind(r.rows_imported)
                .bind(r.rows_rejected)
                .bind(&r.report)
                .bind(r.created_at)
                .execute(&self.pool)
                .await?;
                Ok(())
            }

            async fn list_imports(&self, tenant_id: &str, limit: u32) -> Result<Vec<ImportRecord>> {
                let rows = sqlx::query(
                    "SELECT id, tenant_id, format, source, rows_total, rows_imported, rows_rejected, report, created_at FROM imports WHERE tenant_id = $1 ORDER BY created_at DESC, id DESC LIMIT $2",
                )
                .bind(tenant_id)
                .bind(limit.clamp(1, 200) as i64)
                .fetch_all(&self.pool)
                .await?;
                rows.iter().map(Self::import_from_row).collect()
            }

            async fn import(&self, tenant_id: &str, id: &str) -> Result<Option<ImportRecord>> {
                let r = sqlx::query("SELECT id, tenant_id, format, source, rows_total, rows_imported, rows_rejected, report, created_at FROM imports WHERE tenant_id = $1 AND id = $2")
                    .bind(tenant_id)
                    .bind(id)
                    .fetch_optional(&self.pool)
                    .await?;
                r.as_ref().map(Self::import_from_row).transpose()
            }

            async fn catalogue_entries(&self, tenant_id: &str, ids: Option<&[String]>) -> Result<Vec<CatalogueEntry>> {
                // One snapshot for the three queries: a write landing between them must not
                // pair a product with half of its variants.
                let mut tx = self.pool.begin_with($begin_snapshot).await?;
                let out = match ids {
                    None => Self::entries(&mut tx, tenant_id, None).await?,
                    Some(ids) => {
                        let mut ids = ids.to_vec();
                        ids.sort_unstable();
                        ids.dedup();
                        let mut out = Vec::with_capacity(ids.len());
                        // Chunks in id order, each in id order: the whole is in id order.
                        for chunk in ids.chunks(CHUNK) {
                            out.extend(Self::entries(&mut tx, tenant_id, Some(chunk)).await?);
                        }
                        out
                    }
                };
                tx.commit().await?;
                Ok(out)
            }

            async fn set_search_boost(&self, tenant_id: &str, product_id: &str, boost_pct: u32) -> Result<bool> {
                let _gate = self.gate().await;
                let mut tx = self.pool.begin_with($begin_write).await?;
                let n = sqlx::query("UPDATE products SET boost_pct = $1 WHERE tenant_id = $2 AND id = $3")
                    .bind(i64::from(boost_pct.min(1000)))
                    .bind(tenant_id)
                    .bind(product_id)
                    .execute(&mut *tx)
                    .await?
                    .rows_affected();
                if n > 0 {
                    sqlx::query("UPDATE tenants SET catalogue_version = catalogue_version + 1 WHERE id = $1")
                        .bind(tenant_id)
                        .execute(&mut *tx)
                        .await?;
                }
                tx.commit().await?;
                Ok(n > 0)
            }

            async fn create_order(
                &self,
                tenant: &Tenant,
                lines: &[OrderLineRequest],
                conversation_id: Option<&str>,
            ) -> Result<PlacedOrder> {
                self.place_order(
                    tenant,
                    &NewOrder {
                        lines: lines.to_vec(),
                        payment_method: "manual".into(),
                        conversation_id: conversation_id.map(str::to_string),
                        ..Default::default()
                    },
                )
                .await
            }

            async fn purchase_history(&self, tenant_id: &str, limit: u32) -> Result<Vec<Vec<(String, i64)>>> {
                if limit == 0 {
                    return Ok(Vec::new());
                }
                let rows = sqlx::query(
                    "SELECT o.id AS order_id, l.product_id, l.quantity \
                     FROM (SELECT id, created_at FROM orders WHERE tenant_id = $1 ORDER BY created_at DESC, id DESC LIMIT $2) o \
                     JOIN order_lines l ON l.order_id = o.id AND l.tenant_id = $3 \
                     ORDER BY o.created_at DESC, o.id DESC, l.line",
                )
                .bind(tenant_id)
                .bind(i64::from(limit))
                .bind(tenant_id)
                .fetch_all(&self.pool)
                .await?;
                let mut out: Vec<Vec<(String, i64)>> = Vec::new();
                let mut current: Option<String> = None;
                for r in rows {
                    let order_id: String = r.try_get("order_id")?;
                    let product_id: String = r.try_get("product_id")?;
                    let quantity: i64 = r.try_get("quantity")?;
                    if current.as_deref() != Some(order_id.as_str()) {
                        out.push(Vec::new());
                        current = Some(order_id);
                    }
                    let basket = out.last_mut().expect("pushed above");
                    // Two variants of one product are one product bought.
                    match basket.iter_mut().find(|(p, _)| *p == product_id) {
                        Some((_, q)) => *q += quantity,
                        None => basket.push((product_id, quantity)),
                    }
                }
                Ok(out)
            }

            async fn add_cross_sell_rule(
                &self,
                tenant_id: &str,
                source: &RuleSource,
                target_product_id: &str,
            ) -> Result<CrossSellRule> {
                let unknown = || StoreError::Invalid("unknown product".into());
                let source = match source {
                    RuleSource::Product(id) => {
                        if id == target_product_id {
                            return Err(StoreError::Invalid("a product cannot be cross-sold with itself".into()));
                        }
                        RuleSource::Product(id.clone())
                    }
                    RuleSource::Category(name) => {
                        let name = clean_text(name).trim().to_string();
                        if name.is_empty() {
                            return Err(StoreError::Invalid("category is empty".into()));
                        }
                        if name.chars().count() > MAX_CATEGORY_LEN {
                            return Err(StoreError::Invalid(format!(
                                "category is longer than {MAX_CATEGORY_LEN} characters"
                            )));
                        }
                        RuleSource::Category(name)
                    }
                };
                let _gate = self.gate().await;
                let mut tx = self.pool.begin_with($begin_write).await?;
                let mut products = vec![target_product_id];
                if let RuleSource::Product(id) = &source {
                    products.push(id);
                }
                for id in products {
                    let found: Option<String> =
                        sqlx::query_scalar("SELECT id FROM products WHERE tenant_id = $1 AND id = $2")
                            .bind(tenant_id)
                            .bind(id)
                            .fetch_optional(&mut *tx)
                            .await?;
                    if found.is_none() {
                        return Err(unknown());
                    }
                }
                let rule = CrossSellRule {
                    id: new_sortable_id("xsr"),
                    target_product_id: target_product_id.to_string(),
                    created_at: now_ms(),
                    source,
                };
                sqlx::query(
                    "INSERT INTO cross_sell_rules (id, tenant_id, source_kind, source, source_key, target_product_id, created_at) \
                     VALUES ($1, $2, $3, $4, $5, $6, $7)",
                )
                .bind(&rule.id)
                .bind(tenant_id)
                .bind(rule.source.kind())
                .bind(rule.source.value())
                .bind(key(rule.source.value()))
                .bind(&rule.target_product_id)
                .bind(rule.created_at)
                .execute(&mut *tx)
                .await
                .map_err(|e| {
                    if is_unique_violation(&e) {
                        StoreError::Conflict("this cross-sell rule already exists".into())
                    } else if is_foreign_key_violation(&e) {
                        // The target was deleted since the check above.
                        unknown()
                    } else {
                        e.into()
                    }
                })?;
                tx.commit().await?;
                Ok(rule)
            }

            async fn list_cross_sell_rules(&self, tenant_id: &str) -> Result<Vec<CrossSellRule>> {
                let rows = sqlx::query(
                    "SELECT id, source_kind, source, target_product_id, created_at FROM cross_sell_rules \
                     WHERE tenant_id = $1 ORDER BY created_at, id",
                )
                .bind(tenant_id)
                .fetch_all(&self.pool)
                .await?;
                rows.iter()
                    .map(|r| {
                        let kind: String = r.try_get("source_kind")?;
                        Ok(CrossSellRule {
                            id: r.try_get("id")?,
                            source: rule_source(&kind, r.try_get("source")?)?,
                            target_product_id: r.try_get("target_product_id")?,
                            created_at: r.try_get("created_at")?,
                        })
                    })
                    .collect()
            }

            async fn delete_cross_sell_rule(&self, tenant_id: &str, id: &str) -> Result<bool> {
                let n = sqlx::query("DELETE FROM cross_sell_rules WHERE tenant_id = $1 AND id = $2")
                    .bind(tenant_id)
                    .bind(id)
                    .execute(&self.pool)
                    .await?
                    .rows_affected();
                Ok(n > 0)
            }
        }
    };
}

sql_store!(
    SqliteStore,
    sqlx::Sqlite,
    sqlx::SqliteConnection,
    sqlx::sqlite::SqliteRow,
    backend = "sqlite",
    migrations = migrate::SQLITE,
    lock = None,
    // A deferred transaction that reads then writes fails at once with SQLITE_BUSY when another
    // writer got in between (the busy timeout does not apply to the upgrade): take the write
    // lock up front and let the busy timeout queue writers.
    begin_write = "BEGIN IMMEDIATE",
    // WAL: a deferred read transaction sees one snapshot from its first read, blocking no one.
    begin_snapshot = "BEGIN",
    tenant_lock = None,
    product_ids = sqlite_product_ids,
    push_in = sqlite_push_in
);

sql_store!(
    PostgresStore,
    sqlx::Postgres,
    sqlx::PgConnection,
    sqlx::postgres::PgRow,
    backend = "postgres",
    migrations = migrate::POSTGRES,
    // Two servers starting at once must not both migrate.
    lock = Some("SELECT pg_advisory_xact_lock(7243110)"),
    begin_write = "BEGIN",
    // READ COMMITTED takes a snapshot per statement; the catalogue's three queries need one.
    begin_snapshot = "BEGIN ISOLATION LEVEL REPEATABLE READ, READ ONLY",
    // Check-then-write (a taken product id or sku) must not interleave between two requests
    // of one tenant; SQLite's BEGIN IMMEDIATE already serialises writers.
    tenant_lock = Some("SELECT pg_advisory_xact_lock(hashtextextended($1, 7243110))"),
    product_ids = postgres_product_ids,
    push_in = postgres_push_in
);

/// ` AND col IN ($n, …)`, on SQLite.
fn sqlite_push_in(qb: &mut QueryBuilder<'_, sqlx::Sqlite>, col: &str, values: &[String]) {
    qb.push(" AND ");
    qb.push(col);
    qb.push(" IN (");
    let mut sep = qb.separated(", ");
    for v in values {
        sep.push_bind(v.clone());
    }
    qb.push(")");
}

/// ` AND col = ANY($n)` on PostgreSQL: one array parameter keeps the cached plan on the index
/// whatever the list's length (see [`postgres_product_ids`]).
fn postgres_push_in(qb: &mut QueryBuilder<'_, sqlx::Postgres>, col: &str, values: &[String]) {
    qb.push(" AND ");
    qb.push(col);
    qb.push(" = ANY(");
    qb.push_bind(values.to_vec());
    qb.push(")");
}

/// external id → product id for a batch, on SQLite: `IN (…)` lists of bound values.
async fn sqlite_product_ids(
    conn: &mut sqlx::SqliteConnection,
    tenant_id: &str,
    exts: &[String],
) -> Result<HashMap<String, String>> {
    let mut ids = HashMap::with_capacity(exts.len());
    for chunk in exts.chunks(CHUNK) {
        let mut qb = QueryBuilder::<sqlx::Sqlite>::new(
            "SELECT id, external_id FROM products WHERE tenant_id = ",
        );
        qb.push_bind(tenant_id.to_string());
        qb.push(" AND external_id IN (");
        let mut sep = qb.separated(", ");
        for e in chunk {
            sep.push_bind(e.clone());
        }
        qb.push(")");
        for r in qb.build().fetch_all(&mut *conn).await? {
            ids.insert(r.try_get("external_id")?, r.try_get("id")?);
        }
    }
    Ok(ids)
}

/// The same on PostgreSQL with one array parameter: its cached generic plan for a long
/// `IN ($2, …)` list scans the whole table (380 ms a batch at 100k products), `= ANY($2)`
/// keeps to the index.
async fn postgres_product_ids(
    conn: &mut sqlx::PgConnection,
    tenant_id: &str,
    exts: &[String],
) -> Result<HashMap<String, String>> {
    let rows = sqlx::query(
        "SELECT id, external_id FROM products WHERE tenant_id = $1 AND external_id = ANY($2)",
    )
    .bind(tenant_id)
    .bind(exts)
    .fetch_all(&mut *conn)
    .await?;
    let mut ids = HashMap::with_capacity(rows.len());
    for r in rows {
        ids.insert(r.try_get("external_id")?, r.try_get("id")?);
    }
    Ok(ids)
}

impl SqliteStore {
    /// Opens (creating if needed) the SQLite file a `sqlite://PATH` URL names, in WAL mode with
    /// foreign keys on, and applies migrations.
    pub async fn open(url: &str) -> Result<SqliteStore> {
        use sqlx::sqlite::{
            SqliteConnectOptions, SqliteJournalMode, SqlitePoolOptions, SqliteSynchronous,
        };
        let path = url
            .trim_start_matches("sqlite://")
            .trim_start_matches("sqlite:");
        let path = path.split('?').next().unwrap_or(path);
        if let Some(dir) = std::path::Path::new(path).parent() {
            if !dir.as_os_str().is_empty() {
                std::fs::create_dir_all(dir).map_err(|e| StoreError::Unreachable {
                    url: url.to_string(),
                    source: sqlx::Error::Io(e),
                })?;
            }
        }
        let opts = SqliteConnectOptions::from_str(url)
            .map_err(|source| StoreError::Unreachable {
                url: url.to_string(),
                source,
            })?
            .create_if_missing(true)
            .journal_mode(SqliteJournalMode::Wal)
            .synchronous(SqliteSynchronous::Normal)
            .foreign_keys(true)
            .busy_timeout(Duration::from_secs(10))
            // 4 MB of page cache per connection (the default is 2 MB); with 8 pooled connections
            // that bounds the caches at 32 MB, so a long import's memory stays flat.
            .pragma("cache_size", "-4000")
            .pragma("temp_store", "memory");
        let pool = SqlitePoolOptions::new()
            .max_connections(8)
            .connect_with(opts)
            .await
            .map_err(|source| StoreError::Unreachable {
                url: url.to_string(),
                source,
            })?;
        let s = SqliteStore {
            pool,
            write_gate: Some(std::sync::Arc::new(tokio::sync::Mutex::new(()))),
        };
        s.migrate().await?;
        Ok(s)
    }
}

impl PostgresStore {
    /// Connects to PostgreSQL and applies migrations. A schema can be chosen with the URL
    /// parameter `options[search_path]=NAME`.
    pub async fn open(url: &str) -> Result<PostgresStore> {
        use sqlx::postgres::{PgConnectOptions, PgPoolOptions};
        let unreachable = |source| StoreError::Unreachable {
            url: crate::redact(url),
            source,
        };
        let opts = PgConnectOptions::from_str(url).map_err(unreachable)?;
        // One direct connection first: an unreachable server fails now, not after the pool's
        // acquire timeout.
        use sqlx::Connection;
        sqlx::PgConnection::connect_with(&opts)
            .await
            .map_err(unreachable)?
            .close()
            .await
            .ok();
        let pool = PgPoolOptions::new()
            .max_connections(16)
            .acquire_timeout(Duration::from_secs(10))
            .connect_with(opts)
            .await
            .map_err(unreachable)?;
        let s = PostgresStore {
            pool,
            write_gate: None,
        };
        s.migrate().await?;
        Ok(s)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn price_bounds_round_inwards() {
        let eur = Currency::parse("EUR").unwrap();
        let d = |s: &str| Decimal::from_str(s).unwrap();
        assert_eq!(
            minor_bounds(&eur, Some(d("10.005")), Some(d("20.009"))),
            (Some(1001), Some(2000))
        );
        assert_eq!(minor_bounds(&eur, None, None), (None, None));
    }
}
