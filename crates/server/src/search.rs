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
/// Most tenants whose index is kept in memory.
const MAX_CACHED_TENANTS: usize = 256;

/// One tenant's index and the catalogue version it reflects (moved by incremental updates).
pub struct TenantIndex {
    pub index: RwLock<SearchIndex>,
    version: Mutex<i64>,
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

    /// The tenant's index, current with its catalogue version. While one request rebuilds,
    /// the others keep searching the previous index.
    pub async fn index(
        &self,
        store: &dyn Store,
        tenant: &Tenant,
    ) -> Result<Arc<TenantIndex>, StoreError> {
        let version = store.catalogue_version(&tenant.id).await?;
        self.tenants
            .current(&tenant.id, version, || self.build(store, tenant))
            .await
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
        let version = store.catalogue_version(&tenant.id).await?;
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
