//! Trained models, cached by the content of their training set: a template or a merchant that
//! adds intents and examples at run time trains once per distinct set, and every conversation
//! with the same set shares the model.

use std::collections::VecDeque;
use std::sync::{Arc, Mutex};

use sha2::{Digest, Sha256};

use crate::classifier::{IntentModel, TrainConfig, TrainError};
use crate::dataset::Example;

/// A bounded cache of trained models (least recently used out first).
pub struct ModelCache {
    capacity: usize,
    entries: Mutex<VecDeque<([u8; 32], Arc<IntentModel>)>>,
}

impl ModelCache {
    pub fn new(capacity: usize) -> Self {
        Self {
            capacity: capacity.max(1),
            entries: Mutex::new(VecDeque::new()),
        }
    }

    /// The fingerprint of a training set and its configuration: SHA-256 over every text,
    /// intent and language, length-prefixed so no two different sets can collide by
    /// construction (tenants' sets may one day share this cache).
    pub fn fingerprint(examples: &[Example], config: &TrainConfig) -> [u8; 32] {
        let mut h = Sha256::new();
        h.update(format!("{config:?}").as_bytes());
        for e in examples {
            for field in [
                e.text.as_str(),
                e.intent.as_str(),
                e.lang.as_deref().unwrap_or(""),
            ] {
                h.update((field.len() as u64).to_le_bytes());
                h.update(field.as_bytes());
            }
        }
        h.finalize().into()
    }

    /// The model of `examples`, trained now if no cached model has the same training set.
    /// Training runs outside the lock, so two callers may train the same set at once; the
    /// first to finish is kept.
    pub fn get_or_train(
        &self,
        examples: &[Example],
        config: &TrainConfig,
    ) -> Result<Arc<IntentModel>, TrainError> {
        let key = Self::fingerprint(examples, config);
        if let Some(model) = self.get(key) {
            return Ok(model);
        }
        let model = Arc::new(crate::engine::train(examples, config)?);
        let mut entries = self.entries.lock().expect("model cache lock");
        if let Some(p) = entries.iter().position(|(k, _)| *k == key) {
            return Ok(Arc::clone(&entries[p].1));
        }
        if entries.len() == self.capacity {
            entries.pop_front();
        }
        entries.push_back((key, Arc::clone(&model)));
        Ok(model)
    }

    fn get(&self, key: [u8; 32]) -> Option<Arc<IntentModel>> {
        let mut entries = self.entries.lock().expect("model cache lock");
        let p = entries.iter().position(|(k, _)| *k == key)?;
        let hit = entries.remove(p)?;
        let model = Arc::clone(&hit.1);
        entries.push_back(hit);
        Some(model)
    }

    pub fn len(&self) -> usize {
        self.entries.lock().expect("model cache lock").len()
    }

    pub fn is_empty(&self) -> bool {
        self.len() == 0
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn set(extra: &str) -> Vec<Example> {
        let ex = |t: &str, i: &str| Example {
            text: t.into(),
            lang: Some("en".into()),
            intent: i.into(),
            entities: None,
            now: None,
        };
        let mut v = Vec::new();
        for t in ["hello", "hi there", "good morning", "hey", "hiya"] {
            v.push(ex(t, "greet"));
        }
        for t in ["bye", "see you", "goodbye", "later", "ciao"] {
            v.push(ex(t, "goodbye"));
        }
        v.push(ex(extra, "goodbye"));
        v
    }

    #[test]
    fn same_set_trains_once_and_capacity_is_bounded() {
        let cache = ModelCache::new(2);
        let config = TrainConfig::default();
        let a = cache.get_or_train(&set("farewell"), &config).unwrap();
        let again = cache.get_or_train(&set("farewell"), &config).unwrap();
        assert!(Arc::ptr_eq(&a, &again), "the cached model is shared");
        let b = cache.get_or_train(&set("so long"), &config).unwrap();
        assert!(!Arc::ptr_eq(&a, &b));
        cache.get_or_train(&set("take care"), &config).unwrap();
        assert_eq!(cache.len(), 2);
        let retrained = cache.get_or_train(&set("farewell"), &config).unwrap();
        assert!(!Arc::ptr_eq(&a, &retrained), "the oldest set was evicted");
        assert_eq!(retrained.predict("see you later").intent, "goodbye");
    }
}
