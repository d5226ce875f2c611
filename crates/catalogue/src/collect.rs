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

/// Memory grows by ~40 bytes per distinct sku (hashes only, never the rows), so a 500 MB file
/// stays within tens of megabytes.
pub struct Collector {
    pub report: Report,
    /// hash(sku, lang) → line first seen.
    seen: HashMap<u64, u64>,
    /// hash(sku) → hash(product external id).
    owner: HashMap<u64, u64>,
    products: HashSet<u64>,
    batch: Vec<ProductUpsert>,
    batch_variants: usize,
    batch_size: usize,
}

impl Collector {
    pub fn new(batch_size: usize) -> Collector {
        Collector {
            report: Report::default(),
            seen: HashMap::new(),
            owner: HashMap::new(),
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
                    let key = h(&(v.sku.as_str(), lang.as_str()));
                    if let Some(first) = self.seen.get(&key) {
                        refused += 1;
                        self.report.reject(RowError::new(
                            vline,
                            Some(&v.sku),
                            format!(
                                "duplicate sku `{}` in this file (first at line {first})",
                                v.sku
                            ),
                        ));
                        continue;
                    }
                    let sku = h(&v.sku);
                    if let Some(&o) = self.owner.get(&sku) {
                        if o != ext {
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
                    }
                    self.seen.insert(key, vline);
                    self.owner.insert(sku, ext);
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

    fn take(&mut self) -> Vec<ProductUpsert> {
        self.batch_variants = 0;
        std::mem::take(&mut self.batch)
    }

    /// The last, partial batch; fills the distinct product and variant counts.
    pub fn finish(&mut self) -> Vec<ProductUpsert> {
        self.report.products = self.products.len() as u64;
        self.report.variants = self.owner.len() as u64;
        self.take()
    }
}
