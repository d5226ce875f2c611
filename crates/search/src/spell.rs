//! Typo candidates by the SymSpell idea: each known word is indexed with its one-letter
//! deletions, so finding the words within an edit of a query word costs hash probes, not a scan.

use rustc_hash::{FxHashMap, FxHashSet};

/// Longest word the typo index holds (longer strings are codes, not words).
const MAX_SPELLED: usize = 24;

/// Typo candidates: every indexed word with its one-letter deletions (SymSpell).
#[derive(Debug, Default)]
pub struct Deletions {
    map: FxHashMap<String, Vec<u32>>,
    words: Vec<String>,
    known: FxHashMap<String, u32>,
}

fn deletions(w: &str) -> Vec<String> {
    let chars: Vec<char> = w.chars().collect();
    (0..chars.len())
        .map(|skip| {
            chars
                .iter()
                .enumerate()
                .filter(|(i, _)| *i != skip)
                .map(|(_, c)| *c)
                .collect()
        })
        .collect()
}

impl Deletions {
    pub fn add(&mut self, word: &str) {
        let len = word.chars().count();
        if !(4..=MAX_SPELLED).contains(&len) || self.known.contains_key(word) {
            return;
        }
        let id = self.words.len() as u32;
        self.words.push(word.to_string());
        self.known.insert(word.to_string(), id);
        for d in deletions(word) {
            self.map.entry(d).or_default().push(id);
        }
    }

    /// Indexed words within one edit of `w` (two for words of 8+ letters, where the second
    /// edit is an extra or missing letter), with their distance.
    pub fn near(&self, w: &str) -> Vec<(String, usize)> {
        let len = w.chars().count();
        if !(4..=MAX_SPELLED + 2).contains(&len) {
            return Vec::new();
        }
        let max = if len >= 8 { 2 } else { 1 };
        let mut cands: FxHashSet<u32> = FxHashSet::default();
        let own = deletions(w);
        if let Some(ids) = self.map.get(w) {
            cands.extend(ids);
        }
        for d in &own {
            if let Some(&id) = self.known.get(d) {
                cands.insert(id);
            }
            if let Some(ids) = self.map.get(d) {
                cands.extend(ids);
            }
            if max == 2 {
                for d2 in deletions(d) {
                    if let Some(&id) = self.known.get(&d2) {
                        cands.insert(id);
                    }
                    if let Some(ids) = self.map.get(&d2) {
                        cands.extend(ids);
                    }
                }
            }
        }
        let mut out: Vec<(String, usize)> = cands
            .into_iter()
            .filter_map(|id| {
                let cand = &self.words[id as usize];
                comptoir_nlu::normalize::within_edits(cand, w, max)
                    .filter(|d| *d > 0)
                    .map(|d| (cand.clone(), d))
            })
            .collect();
        out.sort();
        out
    }
}
