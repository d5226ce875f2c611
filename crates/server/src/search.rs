//! The search service shared by handlers: one in-memory index per tenant, built from the
//! database on first use (or at start), kept in sync product by product after each write made
//! through this server, and rebuilt when the catalogue version shows a write it did not see
//! (an import, another server process).
//!
//! Readers hold a read lock for the few hundred microseconds a search takes; a write takes the
//! write lock for one product's re-indexing. A rebuild happens off the lock and swaps in whole.

use std::sync::{Arc, Mutex, OnceLock, RwLock};

use comptoir_domain::Tenant;
use comptoir_search::{Analyzer, SearchIndex};
use comptoir_store::{Store, StoreError};

use crate::tenant_cache::{TenantCache, Versioned};

/// Orders read at build time for popularity and bought-together.
const HISTORY_ORDERS: u32 = 20_000;
/// New orders counted per stock refresh (more wait for the next rebuild).
const NEW_ORDERS_READ: u32 = 10_000;
/// Most tenants whose index is kept in memory.
const MAX_CACHED_TENANTS: usize = 256;

/// One tenant's index and the catalogue version it reflects (moved by incremental updates).
pub struct TenantIndex {
    pub index: RwLock<SearchIndex>,
    version: Mutex<i64>,
    /// The stock version whose levels the index holds.
    stock_version: Mutex<i64>,
    /// The newest order the index counted (popularity, bought together).
    last_order: Mutex<String>,
}

impl TenantIndex {
    pub fn read(&self) -> std::sync::RwLockReadGuard<'_, SearchIndex> {
        self.index.read().unwrap_or_else(|e| e.into_inner())
    }
}

impl Versioned for TenantIndex {
    fn version(&self) -> i64 {
        *self.version.lock().unwrap_or_else(|e| e.into_inner())
    }
}

pub struct SearchService {
    analyzer: OnceLock<Arc<Analyzer>>,
    tenants: TenantCache<TenantIndex>,
}

impl Default for SearchService {
    fn default() -> Self {
        SearchService {
            analyzer: OnceLock::new(),
            tenants: TenantCache::new(MAX_CACHED_TENANTS),
        }
    }
}

impl SearchService {
    /// Stemmers, concept dictionary and language model: built once per process.
    pub fn analyzer(&self) -> Arc<Analyzer> {
        Arc::clone(self.analyzer.get_or_init(|| Arc::new(Analyzer::new())))
    }

    /// The tenant's index, current with its catalogue version (rebuilt) and its stock version
    /// (stock levels re-read). While one request rebuilds,
    /// the others keep searching the previous index.
    pub async fn index(
        &self,
        store: &dyn Store,
        tenant: &Tenant,
    ) -> Result<Arc<TenantIndex>, StoreError> {
        let versions = store.versions(&tenant.id).await?;
        self.index_at(store, tenant, versions).await
    }

    /// The same, for (catalogue, stock) versions the caller just read.
    pub async fn index_at(
        &self,
        store: &dyn Store,
        tenant: &Tenant,
        (version, stock_version): (i64, i64),
    ) -> Result<Arc<TenantIndex>, StoreError> {
        let cached = self
            .tenants
            .current(&tenant.id, version, || self.build(store, tenant))
            .await?;
        let seen = *cached
            .stock_version
            .lock()
            .unwrap_or_else(|e| e.into_inner());
        if seen < stock_version {
            // Orders moved stock (here or in another process): one read of the tracked levels,
            // not a rebuild. Two requests may both refresh; the result is the same.
            let levels = store.stock_levels(&tenant.id).await?;
            let after = cached
                .last_order
                .lock()
                .unwrap_or_else(|e| e.into_inner())
                .clone();
            let new_orders = store
                .orders_after(&tenant.id, &after, NEW_ORDERS_READ)
                .await?;
            {
                let mut index = cached.index.write().unwrap_or_else(|e| e.into_inner());
                for (sku, stock) in levels {
                    index.set_stock(&sku, Some(stock));
                }
                let mut last = cached.last_order.lock().unwrap_or_else(|e| e.into_inner());
                for (id, basket) in &new_orders {
                    // Another request may have counted these meanwhile.
                    if *id > *last {
                        index.record_order(basket);
                        *last = id.clone();
                    }
                }
            }
            let mut v = cached
                .stock_version
                .lock()
                .unwrap_or_else(|e| e.into_inner());
            *v = (*v).max(stock_version);
        }
        Ok(cached)
    }

    /// Reads the whole catalogue and builds a fresh index now (the start-up path).
    pub async fn rebuild(
        &self,
        store: &dyn Store,
        tenant: &Tenant,
    ) -> Result<Arc<TenantIndex>, StoreError> {
        let built = Arc::new(self.build(store, tenant).await?);
        self.tenants.insert(&tenant.id, Arc::clone(&built));
        Ok(built)
    }

    async fn build(&self, store: &dyn Store, tenant: &Tenant) -> Result<TenantIndex, StoreError> {
        // The version is read first: a write landing during the read makes the index look
        // older than it is, so the next request rebuilds again rather than missing the write.
        let (version, stock_version) = store.versions(&tenant.id).await?;
        // Read before the history: an order landing in between is counted twice at worst
        // (popularity is a soft signal), never missed.
        let last_order = store.latest_order_id(&tenant.id).await?.unwrap_or_default();
        let entries = store.catalogue_entries(&tenant.id, None).await?;
        let history = store.purchase_history(&tenant.id, HISTORY_ORDERS).await?;
        let analyzer = self.analyzer();
        let currency = tenant.currency.clone();
        let lang = tenant.default_locale().clone();
        let index = tokio::task::spawn_blocking(move || {
            SearchIndex::build(analyzer, currency, lang, entries, &history)
        })
        .await
        .map_err(|e| StoreError::Corrupt(format!("search index build failed: {e}")))?;
        Ok(TenantIndex {
            index: RwLock::new(index),
            version: Mutex::new(version),
            stock_version: Mutex::new(stock_version),
            last_order: Mutex::new(last_order),
        })
    }

    /// Re-indexes one product after a write through this server (create, update, delete,
    /// boost). When the catalogue moved by more than this one write meanwhile, the index is
    /// left stale and the next search rebuilds it.
    pub async fn product_changed(
        &self,
        store: &dyn Store,
        tenant: &Tenant,
        product_id: &str,
    ) -> Result<(), StoreError> {
        let Some(cached) = self.tenants.get(&tenant.id) else {
            return Ok(());
        };
        let version = store.catalogue_version(&tenant.id).await?;
        let entry = store
            .catalogue_entries(&tenant.id, Some(&[product_id.to_string()]))
            .await?
            .pop();
        let mut seen = cached.version.lock().unwrap_or_else(|e| e.into_inner());
        if *seen + 1 != version {
            return Ok(());
        }
        let mut index = cached.index.write().unwrap_or_else(|e| e.into_inner());
        match entry {
            Some(e) => index.upsert(e),
            None => {
                index.remove(product_id);
            }
        }
        *seen = version;
        Ok(())
    }
}
