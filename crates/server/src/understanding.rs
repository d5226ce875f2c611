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

/// A tenant's index and the catalogue version it was built from.
type CachedIndex = ((u64, i64), Arc<CatalogueIndex>);

#[derive(Default)]
pub struct Understanding {
    engine: OnceLock<Engine>,
    catalogues: Mutex<HashMap<String, CachedIndex>>,
}

impl Understanding {
    /// The engine, training it on the first call (about half a second; run it off the runtime).
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

    /// The tenant's mention index, rebuilt when products were added, changed or deleted.
    pub async fn catalogue(
        &self,
        store: &dyn Store,
        tenant: &Tenant,
    ) -> Result<Arc<CatalogueIndex>, StoreError> {
        let version = store.catalogue_version(&tenant.id).await?;
        if let Some((v, index)) = self
            .catalogues
            .lock()
            .expect("catalogue cache lock")
            .get(&tenant.id)
        {
            if *v == version {
                return Ok(Arc::clone(index));
            }
        }
        let items = read_catalogue(store, tenant).await?;
        let index = Arc::new(
            tokio::task::spawn_blocking(move || CatalogueIndex::build(&items))
                .await
                .map_err(|e| StoreError::Corrupt(format!("catalogue index build failed: {e}")))?,
        );
        self.catalogues
            .lock()
            .expect("catalogue cache lock")
            .insert(tenant.id.clone(), (version, Arc::clone(&index)));
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
