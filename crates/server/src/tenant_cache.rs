//! Per-tenant values derived from the catalogue (the understanding engine's mention index, the
//! search index), kept in memory and rebuilt when the tenant's catalogue version moves.
//!
//! One rebuild at a time per tenant: during an import the version moves with every batch, and
//! concurrent requests must not each read the whole catalogue. While one request rebuilds, the
//! others keep using the previous value. Beyond `capacity` tenants, the least recently used
//! value goes (it is rebuilt on its tenant's next request).

use std::collections::HashMap;
use std::future::Future;
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Arc, Mutex};

/// A derived value that knows which catalogue version it reflects.
pub trait Versioned {
    fn version(&self) -> i64;
}

struct Slot<T> {
    value: Arc<T>,
    used: u64,
}

pub struct TenantCache<T> {
    slots: Mutex<HashMap<String, Slot<T>>>,
    rebuilding: Mutex<HashMap<String, Arc<tokio::sync::Mutex<()>>>>,
    clock: AtomicU64,
    capacity: usize,
}

impl<T: Versioned> TenantCache<T> {
    pub fn new(capacity: usize) -> Self {
        TenantCache {
            slots: Mutex::default(),
            rebuilding: Mutex::default(),
            clock: AtomicU64::new(0),
            capacity,
        }
    }

    /// The tenant's value, whatever its version.
    pub fn get(&self, tenant: &str) -> Option<Arc<T>> {
        let tick = self.clock.fetch_add(1, Ordering::Relaxed);
        let mut slots = self.slots.lock().unwrap_or_else(|e| e.into_inner());
        let slot = slots.get_mut(tenant)?;
        slot.used = tick;
        Some(Arc::clone(&slot.value))
    }

    /// Stores a freshly built value, evicting the least recently used tenant when full.
    pub fn insert(&self, tenant: &str, value: Arc<T>) {
        let tick = self.clock.fetch_add(1, Ordering::Relaxed);
        let mut slots = self.slots.lock().unwrap_or_else(|e| e.into_inner());
        if slots.len() >= self.capacity && !slots.contains_key(tenant) {
            if let Some(oldest) = slots
                .iter()
                .min_by_key(|(_, s)| s.used)
                .map(|(k, _)| k.clone())
            {
                slots.remove(&oldest);
            }
        }
        slots.insert(tenant.to_string(), Slot { value, used: tick });
    }

    /// The tenant's value current with `version`, built by `build` when it is older.
    pub async fn current<E, Fut>(
        &self,
        tenant: &str,
        version: i64,
        build: impl FnOnce() -> Fut,
    ) -> Result<Arc<T>, E>
    where
        Fut: Future<Output = Result<T, E>>,
    {
        let current = self.get(tenant);
        if let Some(c) = &current {
            if c.version() == version {
                return Ok(Arc::clone(c));
            }
        }
        let gate = Arc::clone(
            self.rebuilding
                .lock()
                .unwrap_or_else(|e| e.into_inner())
                .entry(tenant.to_string())
                .or_default(),
        );
        let _building = match (gate.try_lock(), &current) {
            (Ok(guard), _) => guard,
            (Err(_), Some(stale)) => return Ok(Arc::clone(stale)),
            (Err(_), None) => gate.lock().await,
        };
        // Someone may have rebuilt while this request waited for the gate.
        if let Some(c) = self.get(tenant) {
            if c.version() >= version {
                return Ok(c);
            }
        }
        let built = Arc::new(build().await?);
        self.insert(tenant, Arc::clone(&built));
        Ok(built)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    struct V(i64);
    impl Versioned for V {
        fn version(&self) -> i64 {
            self.0
        }
    }

    #[tokio::test]
    async fn rebuilds_only_when_the_version_moves_and_evicts_the_least_recent() {
        let cache: TenantCache<V> = TenantCache::new(2);
        let built = std::sync::atomic::AtomicU32::new(0);
        let build = |v| {
            built.fetch_add(1, Ordering::SeqCst);
            async move { Ok::<_, ()>(V(v)) }
        };
        assert_eq!(cache.current("a", 1, || build(1)).await.unwrap().0, 1);
        assert_eq!(cache.current("a", 1, || build(1)).await.unwrap().0, 1);
        assert_eq!(built.load(Ordering::SeqCst), 1);
        assert_eq!(cache.current("a", 2, || build(2)).await.unwrap().0, 2);
        assert_eq!(built.load(Ordering::SeqCst), 2);
        cache.current("b", 1, || build(1)).await.unwrap();
        cache.get("a");
        cache.current("c", 1, || build(1)).await.unwrap();
        assert!(cache.get("b").is_none(), "b was the least recently used");
        assert!(cache.get("a").is_some() && cache.get("c").is_some());
    }
}
