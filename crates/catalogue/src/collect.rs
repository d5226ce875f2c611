//! Between parsers and storage: refuses duplicate skus within one file, counts rows, and cuts
//! the stream into batches for one transaction each.

use crate::report::{Report, RowError};
use crate::Parsed;
use comptoir_domain::ProductUpsert;
use std::collections::hash_map::DefaultHasher;
use std::collections::{HashMap, HashSet};
use std::hash::{Hash, Hasher};

/// Variants per storage transaction: large enough to amortise a commit, small enough that a
/// batch stays a few hundred kilobytes.
pub const BATCH_VARIANTS: usize = 2_000;

fn h<T: Hash + ?Sized>(v: &T) -> u64 {
    let mut s = DefaultHasher::new();
    v.hash(&mut s);
    s.finish()
}

/// Languages told apart for duplicate checks; rows in a 17th language are not checked.
const MAX_LANGS: usize = 16;

/// Memory grows by ~24 bytes per distinct sku (one hash, one word and a line, never the rows), so a
/// 500 MB file of 1.9 million variants needs about 50 MB for it.
pub struct Collector {
    pub report: Report,
    /// hash(sku) → the owning product's external-id hash (high 48 bits) and the set of
    /// languages the sku was seen in (low 16 bits), and the line it was first seen on.
    skus: HashMap<u64, (u64, u32)>,
    langs: Vec<String>,
    products: HashSet<u64>,
    batch: Vec<ProductUpsert>,
    batch_variants: usize,
    batch_size: usize,
}

impl Collector {
    pub fn new(batch_size: usize) -> Collector {
        Collector {
            report: Report::default(),
            skus: HashMap::new(),
            langs: Vec::new(),
            products: HashSet::new(),
            batch: Vec::new(),
            batch_variants: 0,
            batch_size: batch_size.max(1),
        }
    }

    /// Takes one parsed item; returns a full batch when one is ready.
    pub fn accept(&mut self, item: Parsed) -> Option<Vec<ProductUpsert>> {
        match item {
            Parsed::Rejected(e) => {
                self.report.rows_total += 1;
                self.report.reject(e);
                None
            }
            Parsed::Skipped(e) => {
                self.report.rows_total += 1;
                self.report.skip(e);
                None
            }
            Parsed::Product {
                line,
                rows,
                lang,
                mut product,
                variant_lines,
            } => {
                self.report.rows_total += rows;
                let ext = h(&product.external_id);
                let had_variants = !product.variants.is_empty();
                let mut refused = 0u64;
                let mut kept = Vec::with_capacity(product.variants.len());
                for (i, v) in product.variants.drain(..).enumerate() {
                    let vline = variant_lines.get(i).copied().unwrap_or(line);
                    let bit = self.lang_bit(lang.as_str());
                    let sku = h(&v.sku);
                    let owner = ext & !0xFFFF;
                    let entry = self.skus.get(&sku).copied();
                    if let Some((e, first)) = entry {
                        if e & !0xFFFF != owner {
                            refused += 1;
                            self.report.reject(RowError::new(
                                vline,
                                Some(&v.sku),
                                format!(
                                    "sku `{}` already belongs to another product in this file",
                                    v.sku
                                ),
                            ));
                            continue;
                        }
                        if e & bit != 0 {
                            refused += 1;
                            let what = format!(" for language `{lang}`");
                            self.report.reject(RowError::new(
                                vline,
                                Some(&v.sku),
                                format!(
                                    "duplicate sku `{}`{what} in this file (the sku first appears at line {first})",
                                    v.sku
                                ),
                            ));
                            continue;
                        }
                    }
                    let (e, first) =
                        entry.unwrap_or((owner, u32::try_from(vline).unwrap_or(u32::MAX)));
                    self.skus.insert(sku, (e | bit, first));
                    kept.push(v);
                }
                product.variants = kept;
                self.report.rows_imported += rows.saturating_sub(refused);
                if had_variants && product.variants.is_empty() {
                    return None;
                }
                self.products.insert(ext);
                self.batch_variants += product.variants.len();
                self.batch.push(product);
                if self.batch_variants >= self.batch_size || self.batch.len() >= self.batch_size {
                    return Some(self.take());
                }
                None
            }
        }
    }

    /// The bit of a language in the per-sku set (0 past 16 languages: not checked).
    fn lang_bit(&mut self, lang: &str) -> u64 {
        let i = match self.langs.iter().position(|l| l == lang) {
            Some(i) => i,
            None if self.langs.len() < MAX_LANGS => {
                self.langs.push(lang.to_string());
                self.langs.len() - 1
            }
            None => return 0,
        };
        1 << i
    }

    fn take(&mut self) -> Vec<ProductUpsert> {
        self.batch_variants = 0;
        std::mem::take(&mut self.batch)
    }

    /// The last, partial batch; fills the distinct product and variant counts.
    pub fn finish(&mut self) -> Vec<ProductUpsert> {
        self.report.products = self.products.len() as u64;
        self.report.variants = self.skus.len() as u64;
        self.take()
    }
}
