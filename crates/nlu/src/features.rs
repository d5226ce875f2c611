//! Sparse TF-IDF features over word uni/bigrams and in-word character n-grams.
//!
//! Character n-grams make the model robust to typos, missing accents and inflection in five
//! languages without a stemmer per language; word bigrams keep short-range word order ("not
//! working" vs "working"). Features are 64-bit hashes, so extracting them allocates nothing per
//! n-gram; the vocabulary maps the hashes seen in training to dense column indices.

use std::hash::Hasher;

use rustc_hash::{FxHashMap, FxHasher};
use serde::{Deserialize, Serialize};

use crate::normalize::{fold, tokenize, truncate, TokenKind, MAX_INPUT_BYTES};

/// Which n-grams to extract and how much each group weighs.
#[derive(Debug, Clone, Copy, Serialize, Deserialize, PartialEq)]
pub struct FeatureConfig {
    pub char_min: usize,
    pub char_max: usize,
    pub word_weight: f32,
    pub char_weight: f32,
}

impl Default for FeatureConfig {
    fn default() -> Self {
        Self {
            char_min: 2,
            char_max: 5,
            word_weight: 1.0,
            char_weight: 1.0,
        }
    }
}

/// A sparse vector: sorted column indices and their values, L2-normalised.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct SparseVec {
    pub indices: Vec<u32>,
    pub values: Vec<f32>,
}

/// Training vectors in one compressed-sparse-row block: two big allocations instead of one per
/// example, which trains faster (contiguous) and hands its memory back to the OS when dropped.
#[derive(Debug, Clone, Default)]
pub struct Matrix {
    offsets: Vec<usize>,
    indices: Vec<u32>,
    values: Vec<f32>,
}

/// One row of a [`Matrix`].
#[derive(Debug, Clone, Copy)]
pub struct Row<'a> {
    pub indices: &'a [u32],
    pub values: &'a [f32],
}

impl Matrix {
    fn push(&mut self, v: SparseVec) {
        if self.offsets.is_empty() {
            self.offsets.push(0);
        }
        self.indices.extend_from_slice(&v.indices);
        self.values.extend_from_slice(&v.values);
        self.offsets.push(self.indices.len());
    }

    pub fn rows(&self) -> usize {
        self.offsets.len().saturating_sub(1)
    }

    pub fn row(&self, i: usize) -> Row<'_> {
        let (a, b) = (self.offsets[i], self.offsets[i + 1]);
        Row {
            indices: &self.indices[a..b],
            values: &self.values[a..b],
        }
    }
}

const WORD: u64 = 1;
const BIGRAM: u64 = 2;
const CHAR: u64 = 3;

/// Raw feature hashes of one text with their group, before the vocabulary is applied.
fn raw_features(text: &str, config: &FeatureConfig, out: &mut Vec<(u64, bool)>) {
    out.clear();
    let folded = fold(truncate(text, MAX_INPUT_BYTES));
    let tokens = tokenize(&folded);
    let words: Vec<&str> = tokens
        .iter()
        .map(|t| match t.kind {
            // Numbers generalise by shape: "order 4521" and "order 9987" are one feature.
            TokenKind::Number => "<num>",
            _ => t.text.as_str(),
        })
        .collect();
    let mut prev = "<s>";
    for w in words.iter().chain(std::iter::once(&"</s>")) {
        if *w != "</s>" {
            out.push((hash2(WORD, w, ""), true));
            // German typed without umlauts ("moechte", "groesse") meets its folded spelling
            // ("möchte" → "mochte").
            if w.contains("ae") || w.contains("oe") || w.contains("ue") {
                let plain = w.replace("ae", "a").replace("oe", "o").replace("ue", "u");
                out.push((hash2(WORD, &plain, ""), true));
            }
        }
        out.push((hash2(BIGRAM, prev, w), true));
        prev = w;
    }
    let mut chars: Vec<char> = Vec::with_capacity(32);
    for t in tokens.iter().filter(|t| t.kind == TokenKind::Word) {
        chars.clear();
        chars.push(' ');
        chars.extend(t.text.chars());
        chars.push(' ');
        for n in config.char_min..=config.char_max {
            if n > chars.len() {
                break;
            }
            for window in chars.windows(n) {
                let mut h = FxHasher::default();
                h.write_u64(CHAR);
                for c in window {
                    h.write_u32(*c as u32);
                }
                out.push((h.finish(), false));
            }
        }
    }
}

fn hash2(kind: u64, a: &str, b: &str) -> u64 {
    let mut h = FxHasher::default();
    h.write_u64(kind);
    h.write(a.as_bytes());
    h.write_u8(0xff);
    h.write(b.as_bytes());
    h.finish()
}

/// Vocabulary and IDF weights learnt from a training set.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct Vectorizer {
    pub config: FeatureConfig,
    columns: FxHashMap<u64, u32>,
    /// Per column: idf × group weight.
    weights: Vec<f32>,
}

impl Vectorizer {
    /// Learns the vocabulary of `texts`. Returns the vectorizer and the training matrix.
    pub fn fit(texts: &[&str], config: FeatureConfig) -> (Self, Matrix) {
        let mut columns: FxHashMap<u64, u32> = FxHashMap::default();
        let mut df: Vec<u32> = Vec::new();
        let mut is_word: Vec<bool> = Vec::new();
        let mut raw = Vec::new();
        let mut seen: FxHashMap<u32, ()> = FxHashMap::default();
        for text in texts {
            raw_features(text, &config, &mut raw);
            seen.clear();
            for &(h, word) in &raw {
                let next = columns.len() as u32;
                let col = *columns.entry(h).or_insert_with(|| {
                    df.push(0);
                    is_word.push(word);
                    next
                });
                if seen.insert(col, ()).is_none() {
                    df[col as usize] += 1;
                }
            }
        }
        // On large training sets, character n-grams seen in a single example are mostly
        // noise and half the vocabulary: dropping them halves the model at no accuracy cost
        // (docs/benchmarks.md). Small sets (a merchant's own intents) keep everything.
        let min_df = if texts.len() >= 1000 { 2 } else { 1 };
        let keep: Vec<bool> = df
            .iter()
            .zip(&is_word)
            .map(|(&d, &w)| w || d >= min_df)
            .collect();
        let mut remap = vec![u32::MAX; df.len()];
        let mut next = 0u32;
        for (old, k) in keep.iter().enumerate() {
            if *k {
                remap[old] = next;
                next += 1;
            }
        }
        columns.retain(|_, c| keep[*c as usize]);
        columns.values_mut().for_each(|c| *c = remap[*c as usize]);
        columns.shrink_to_fit();
        let n = texts.len() as f32;
        let weights = df
            .iter()
            .zip(&is_word)
            .zip(&keep)
            .filter(|(_, k)| **k)
            .map(|((&d, &w), _)| {
                let idf = ((1.0 + n) / (1.0 + d as f32)).ln() + 1.0;
                idf * if w {
                    config.word_weight
                } else {
                    config.char_weight
                }
            })
            .collect();
        let vectorizer = Self {
            config,
            columns,
            weights,
        };
        let mut matrix = Matrix::default();
        for t in texts {
            matrix.push(vectorizer.transform(t));
        }
        (vectorizer, matrix)
    }

    pub fn dimensions(&self) -> usize {
        self.weights.len()
    }

    /// The TF-IDF vector of one text, sublinear term frequency, L2-normalised. Unknown n-grams
    /// are ignored.
    pub fn transform(&self, text: &str) -> SparseVec {
        let mut raw = Vec::new();
        raw_features(text, &self.config, &mut raw);
        let mut cols: Vec<u32> = raw
            .iter()
            .filter_map(|(h, _)| self.columns.get(h).copied())
            .collect();
        cols.sort_unstable();
        let mut v = SparseVec::default();
        let mut i = 0;
        while i < cols.len() {
            let c = cols[i];
            let mut tf = 0u32;
            while i < cols.len() && cols[i] == c {
                tf += 1;
                i += 1;
            }
            v.indices.push(c);
            v.values
                .push((1.0 + (tf as f32).ln()) * self.weights[c as usize]);
        }
        let norm = v.values.iter().map(|x| x * x).sum::<f32>().sqrt();
        if norm > 0.0 {
            v.values.iter_mut().for_each(|x| *x /= norm);
        }
        v
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn similar_spellings_share_features() {
        let (v, m) = Vectorizer::fit(
            &["je cherche une écharpe", "où est ma commande"],
            FeatureConfig::default(),
        );
        assert!(v.dimensions() > 20);
        let typo = v.transform("je cherche une echarpe");
        let dot: f32 = typo
            .indices
            .iter()
            .zip(&typo.values)
            .filter_map(|(i, x)| {
                m.row(0)
                    .indices
                    .binary_search(i)
                    .ok()
                    .map(|p| x * m.row(0).values[p])
            })
            .sum();
        assert!(dot > 0.99, "accent folding makes them the same text: {dot}");
        let norm: f32 = typo.values.iter().map(|x| x * x).sum();
        assert!((norm - 1.0).abs() < 1e-4);
    }

    #[test]
    fn unknown_text_is_an_empty_vector() {
        let (v, _) = Vectorizer::fit(&["bonjour"], FeatureConfig::default());
        assert!(v.transform("").indices.is_empty());
        assert!(v.transform("zzzz qqq").values.iter().all(|x| x.is_finite()));
    }
}
