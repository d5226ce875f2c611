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
    /// Shops with their own intent examples: the engine trained on them, with the examples'
    /// fingerprint (a changed set retrains).
    custom: std::sync::Mutex<std::collections::HashMap<String, (u64, Engine)>>,
    models: Arc<comptoir_nlu::cache::ModelCache>,
    /// One training at a time in the process: training is CPU-bound, and two requests needing
    /// the same shop's model must not both train it.
    training: tokio::sync::Mutex<()>,
}

/// Most shops' own models kept in memory.
const MAX_CUSTOM_MODELS: usize = 64;

/// The built-in model is the same for every tenant and every server in the process (it is
/// trained from data compiled in): trained once per process, not per server.
static ENGINE: OnceLock<Engine> = OnceLock::new();

impl Default for Understanding {
    fn default() -> Self {
        Understanding {
            catalogues: TenantCache::new(MAX_CACHED_TENANTS),
            custom: Default::default(),
            models: Arc::new(comptoir_nlu::cache::ModelCache::new(MAX_CUSTOM_MODELS)),
            training: tokio::sync::Mutex::new(()),
        }
    }
}

impl Understanding {
    /// The engine, training it on the first call (about a second; run it off the runtime).
    pub fn engine(&self) -> &'static Engine {
        ENGINE.get_or_init(Engine::builtin)
    }

    /// The engine for this shop: the built-in one, or one retrained with the shop's own intent
    /// examples (`settings.intent_examples`). Training happens when the merchant saves them
    /// ([`Understanding::retrain`]); a process that has not seen them yet trains on first use
    /// (about a second, off the runtime).
    pub async fn engine_for(&self, tenant: &Tenant) -> Result<Engine, TrainFailed> {
        // On every turn: a hash of the settings by reference, no copy of the examples.
        if tenant.settings.intent_examples.is_empty() {
            return Ok(self.engine().clone());
        }
        let fp = fingerprint(tenant);
        if let Some(e) = self.cached(&tenant.id, fp) {
            return Ok(e);
        }
        let _one = self.training.lock().await;
        // Another request may have trained it while this one waited.
        if let Some(e) = self.cached(&tenant.id, fp) {
            return Ok(e);
        }
        self.train(tenant, examples_of(tenant), fp)
            .await
            .map(|(e, _)| e)
    }

    /// Trains this shop's engine from its current settings now; returns it and the number of
    /// the shop's own examples it learnt.
    pub async fn retrain(&self, tenant: &Tenant) -> Result<(Engine, usize), TrainFailed> {
        let extra = examples_of(tenant);
        if extra.is_empty() {
            self.custom
                .lock()
                .unwrap_or_else(|e| e.into_inner())
                .remove(&tenant.id);
            return Ok((self.engine().clone(), 0));
        }
        let fp = fingerprint(tenant);
        let _one = self.training.lock().await;
        self.train(tenant, extra, fp).await
    }

    fn cached(&self, tenant_id: &str, fp: u64) -> Option<Engine> {
        let custom = self.custom.lock().unwrap_or_else(|e| e.into_inner());
        custom
            .get(tenant_id)
            .filter(|(f, _)| *f == fp)
            .map(|(_, e)| e.clone())
    }

    async fn train(
        &self,
        tenant: &Tenant,
        extra: Vec<comptoir_nlu::dataset::Example>,
        fp: u64,
    ) -> Result<(Engine, usize), TrainFailed> {
        let n = extra.len();
        let models = Arc::clone(&self.models);
        let engine = tokio::task::spawn_blocking(move || Engine::with_examples(&extra, &models))
            .await
            .map_err(|e| TrainFailed(e.to_string()))?
            .map_err(|e| TrainFailed(e.to_string()))?;
        let mut custom = self.custom.lock().unwrap_or_else(|e| e.into_inner());
        if custom.len() >= MAX_CUSTOM_MODELS && !custom.contains_key(&tenant.id) {
            // Make room by one: the others keep their models.
            if let Some(k) = custom.keys().next().cloned() {
                custom.remove(&k);
            }
        }
        custom.insert(tenant.id.clone(), (fp, engine.clone()));
        Ok((engine, n))
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

/// Training a shop's own model failed (its examples are checked before saving, so this is a
/// bug or an exhausted machine).
#[derive(Debug, thiserror::Error)]
#[error("training the shop's model failed: {0}")]
pub struct TrainFailed(pub String);

/// The shop's own intent examples as training examples.
fn examples_of(tenant: &Tenant) -> Vec<comptoir_nlu::dataset::Example> {
    let mut out = Vec::new();
    for (intent, by_lang) in &tenant.settings.intent_examples {
        for (lang, texts) in by_lang {
            for t in texts {
                out.push(comptoir_nlu::dataset::Example {
                    text: t.clone(),
                    lang: Some(lang.clone()),
                    intent: intent.clone(),
                    entities: None,
                    now: None,
                });
            }
        }
    }
    out
}

/// Identifies a shop's set of intent examples (a changed set retrains).
fn fingerprint(tenant: &Tenant) -> u64 {
    use std::hash::{Hash, Hasher};
    let mut h = std::collections::hash_map::DefaultHasher::new();
    tenant.settings.intent_examples.hash(&mut h);
    h.finish()
}
