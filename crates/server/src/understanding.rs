//! The understanding service shared by handlers: the built-in sales model (trained once, on
//! first use, off the async runtime) and one catalogue mention index per tenant, rebuilt when
//! the tenant's catalogue version changes.

use std::collections::HashMap;
use std::sync::{Arc, Mutex, OnceLock};

use comptoir_domain::{ProductFilter, Tenant};
use comptoir_nlu::entities::catalogue::{CatalogueIndex, CatalogueItem};
use comptoir_nlu::Engine;
use comptoir_store::{Store, StoreError};

/// Most products read into one tenant's mention index; beyond, the index covers the first ones.
const MAX_INDEXED_PRODUCTS: usize = 50_000;

/// Most tenants whose mention index is kept in memory; beyond, the least recently used goes
/// (it is rebuilt on its tenant's next message).
const MAX_CACHED_TENANTS: usize = 256;

/// A tenant's index, the catalogue version it was built from, and when it was last used.
struct Cached {
    version: i64,
    index: Arc<CatalogueIndex>,
    used: u64,
}

#[derive(Default)]
pub struct Understanding {
    engine: OnceLock<Engine>,
    catalogues: Mutex<HashMap<String, Cached>>,
    /// One rebuild at a time per tenant: during an import the version moves with every batch,
    /// and concurrent messages must not each read the whole catalogue.
    rebuilding: Mutex<HashMap<String, Arc<tokio::sync::Mutex<()>>>>,
    clock: std::sync::atomic::AtomicU64,
}

impl Understanding {
    /// The engine, training it on the first call (about a second; run it off the runtime).
    pub fn engine(&self) -> &Engine {
        self.engine.get_or_init(Engine::builtin)
    }

    /// Trains the built-in model now, so the first shopper does not wait.
    pub fn warm_up(self: &Arc<Self>) {
        let me = Arc::clone(self);
        std::thread::spawn(move || {
            me.engine();
        });
    }

    fn cached(&self, tenant: &str) -> Option<(i64, Arc<CatalogueIndex>)> {
        let tick = self
            .clock
            .fetch_add(1, std::sync::atomic::Ordering::Relaxed);
        let mut map = self.catalogues.lock().expect("catalogue cache lock");
        let c = map.get_mut(tenant)?;
        c.used = tick;
        Some((c.version, Arc::clone(&c.index)))
    }

    /// The tenant's mention index, rebuilt when its catalogue version moved. While one
    /// request rebuilds, the others keep using the previous index.
    pub async fn catalogue(
        &self,
        store: &dyn Store,
        tenant: &Tenant,
    ) -> Result<Arc<CatalogueIndex>, StoreError> {
        let version = store.catalogue_version(&tenant.id).await?;
        let current = self.cached(&tenant.id);
        if let Some((v, index)) = &current {
            if *v == version {
                return Ok(Arc::clone(index));
            }
        }
        let gate = Arc::clone(
            self.rebuilding
                .lock()
                .expect("rebuild lock")
                .entry(tenant.id.clone())
                .or_default(),
        );
        let _building = match (gate.try_lock(), &current) {
            (Ok(guard), _) => guard,
            (Err(_), Some((_, stale))) => return Ok(Arc::clone(stale)),
            (Err(_), None) => gate.lock().await,
        };
        if let Some((v, index)) = self.cached(&tenant.id) {
            if v >= version {
                return Ok(index);
            }
        }
        let items = read_catalogue(store, tenant).await?;
        let index = Arc::new(
            tokio::task::spawn_blocking(move || CatalogueIndex::build(&items))
                .await
                .map_err(|e| StoreError::Corrupt(format!("catalogue index build failed: {e}")))?,
        );
        let tick = self
            .clock
            .fetch_add(1, std::sync::atomic::Ordering::Relaxed);
        let mut map = self.catalogues.lock().expect("catalogue cache lock");
        if map.len() >= MAX_CACHED_TENANTS && !map.contains_key(&tenant.id) {
            if let Some(oldest) = map
                .iter()
                .min_by_key(|(_, c)| c.used)
                .map(|(k, _)| k.clone())
            {
                map.remove(&oldest);
            }
        }
        map.insert(
            tenant.id.clone(),
            Cached {
                version,
                index: Arc::clone(&index),
                used: tick,
            },
        );
        Ok(index)
    }
}

/// Every product with its titles in each of the tenant's languages.
async fn read_catalogue(
    store: &dyn Store,
    tenant: &Tenant,
) -> Result<Vec<CatalogueItem>, StoreError> {
    let mut items: Vec<CatalogueItem> = Vec::new();
    let mut position: HashMap<String, usize> = HashMap::new();
    for lang in &tenant.locales {
        let mut cursor: Option<String> = None;
        loop {
            let page = store
                .list_products(
                    tenant,
                    &ProductFilter::default(),
                    Some(lang),
                    cursor.as_deref(),
                    500,
                )
                .await?;
            for p in page.items {
                let at = *position.entry(p.id.clone()).or_insert_with(|| {
                    items.push(CatalogueItem {
                        id: p.id.clone(),
                        brand: p.brand.clone(),
                        ..Default::default()
                    });
                    items.len() - 1
                });
                let item = &mut items[at];
                if !item.titles.contains(&p.title) {
                    item.titles.push(p.title);
                }
                if let Some(c) = p.category.filter(|c| !item.categories.contains(c)) {
                    item.categories.push(c);
                }
            }
            match page.next_cursor {
                Some(c) if items.len() < MAX_INDEXED_PRODUCTS => cursor = Some(c),
                _ => break,
            }
        }
    }
    Ok(items)
}
