//! The understanding service shared by handlers: the built-in sales model (trained once, on
//! first use, off the async runtime) and one catalogue mention index per tenant, rebuilt when
//! the tenant's catalogue version changes.

use std::sync::{Arc, OnceLock};

use comptoir_domain::Tenant;
use comptoir_nlu::entities::catalogue::{CatalogueIndex, CatalogueItem};
use comptoir_nlu::Engine;
use comptoir_store::{Store, StoreError};

use crate::tenant_cache::{TenantCache, Versioned};

/// Most products read into one tenant's mention index; beyond, the index covers the first ones.
const MAX_INDEXED_PRODUCTS: usize = 50_000;

/// Most tenants whose mention index is kept in memory.
const MAX_CACHED_TENANTS: usize = 256;

/// A tenant's mention index and the catalogue version it was built from.
pub struct Mentions {
    version: i64,
    pub index: CatalogueIndex,
}

impl Versioned for Mentions {
    fn version(&self) -> i64 {
        self.version
    }
}

pub struct Understanding {
    catalogues: TenantCache<Mentions>,
}

/// The built-in model is the same for every tenant and every server in the process (it is
/// trained from data compiled in): trained once per process, not per server.
static ENGINE: OnceLock<Engine> = OnceLock::new();

impl Default for Understanding {
    fn default() -> Self {
        Understanding {
            catalogues: TenantCache::new(MAX_CACHED_TENANTS),
        }
    }
}

impl Understanding {
    /// The engine, training it on the first call (about a second; run it off the runtime).
    pub fn engine(&self) -> &'static Engine {
        ENGINE.get_or_init(Engine::builtin)
    }

    /// Trains the built-in model now, so the first shopper does not wait.
    pub fn warm_up(self: &Arc<Self>) {
        let me = Arc::clone(self);
        std::thread::spawn(move || {
            me.engine();
        });
    }

    /// The tenant's mention index, rebuilt when its catalogue version moved. While one
    /// request rebuilds, the others keep using the previous index.
    pub async fn catalogue(
        &self,
        store: &dyn Store,
        tenant: &Tenant,
    ) -> Result<Arc<Mentions>, StoreError> {
        let version = store.catalogue_version(&tenant.id).await?;
        self.catalogue_at(store, tenant, version).await
    }

    /// The same, for a catalogue version the caller just read.
    pub async fn catalogue_at(
        &self,
        store: &dyn Store,
        tenant: &Tenant,
        version: i64,
    ) -> Result<Arc<Mentions>, StoreError> {
        self.catalogues
            .current(&tenant.id, version, || async {
                let items = read_catalogue(store, tenant).await?;
                let index = tokio::task::spawn_blocking(move || CatalogueIndex::build(&items))
                    .await
                    .map_err(|e| {
                        StoreError::Corrupt(format!("catalogue index build failed: {e}"))
                    })?;
                Ok(Mentions { version, index })
            })
            .await
    }
}

/// Every product with its titles and categories in each of its languages.
async fn read_catalogue(
    store: &dyn Store,
    tenant: &Tenant,
) -> Result<Vec<CatalogueItem>, StoreError> {
    let mut entries = store.catalogue_entries(&tenant.id, None).await?;
    entries.truncate(MAX_INDEXED_PRODUCTS);
    Ok(entries
        .into_iter()
        .map(|e| {
            let mut item = CatalogueItem {
                id: e.id,
                brand: e.brand,
                ..Default::default()
            };
            for t in e.translations {
                if !item.titles.contains(&t.title) {
                    item.titles.push(t.title);
                }
                if let Some(c) = t.category.filter(|c| !item.categories.contains(c)) {
                    item.categories.push(c);
                }
            }
            item
        })
        .collect())
}
