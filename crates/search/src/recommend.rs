//! Recommendations around one product: similar items (content), bought together (orders, then
//! shared tags before there are orders), upsell (same category, a better tier within the budget
//! + 20%), the merchant's cross-sell rules, all shaped by the shopper's session.

use rust_decimal::Decimal;
use rustc_hash::FxHashMap;
use serde::Serialize;

use crate::index::{Doc, SearchIndex};
use crate::search::{session_factor, Filters, Session, Trait, WantedAttributes};

#[derive(Debug, Clone, Default)]
pub struct RecommendRequest {
    pub product_id: String,
    /// The shopper's budget; without one, the product's own price.
    pub budget: Option<Decimal>,
    pub session: Session,
    /// Products the merchant's cross-sell rules name for this product, in rule order.
    pub rule_targets: Vec<String>,
    pub limit: usize,
}

#[derive(Debug, Clone, Serialize)]
pub struct Recommendation {
    pub product_id: String,
    pub sku: String,
    pub score: f32,
    /// Why it is recommended, for the merchant and the agent's wording.
    pub reason: String,
}

#[derive(Debug, Clone, Default, Serialize)]
pub struct Recommendations {
    pub similar: Vec<Recommendation>,
    pub bought_together: Vec<Recommendation>,
    pub upsell: Vec<Recommendation>,
    pub cross_sell: Vec<Recommendation>,
}

impl SearchIndex {
    /// Recommendations for a product; `None` if it is not indexed.
    pub fn recommend(&self, req: &RecommendRequest) -> Option<Recommendations> {
        let &source_slot = self.by_id.get(&req.product_id)?;
        let source = self.docs[source_slot as usize].as_ref()?;
        let sims = self.similarities(source_slot, source);
        let session = self.normalise(&req.session);
        let limit = req.limit.clamp(1, 50);

        let mut similar: Vec<(u32, f32, String)> = sims
            .iter()
            .map(|(&slot, &s)| (slot, s, "similar".to_string()))
            .collect();
        similar.retain(|(_, s, _)| *s > 0.05);

        // Bought together: order co-occurrence first, then shared tags in other categories.
        let mut together: Vec<(u32, f32, String)> = Vec::new();
        if let Some(pairs) = self.together.get(&source.entry.id) {
            for (id, n) in pairs {
                if let Some(&slot) = self.by_id.get(id) {
                    together.push((
                        slot,
                        100.0 + *n as f32,
                        format!("bought together in {n} order(s)"),
                    ));
                }
            }
        }
        if together.len() < limit {
            for (slot, doc) in self.live_docs() {
                if slot == source_slot || together.iter().any(|(s, _, _)| *s == slot) {
                    continue;
                }
                let shared: Vec<&String> = doc
                    .tags
                    .iter()
                    .filter(|t| source.tags.contains(t))
                    .collect();
                let other_category = !doc.categories.iter().any(|c| source.categories.contains(c));
                if !shared.is_empty() && other_category {
                    let sim = sims.get(&slot).copied().unwrap_or(0.0);
                    together.push((
                        slot,
                        shared.len() as f32 + sim,
                        format!(
                            "goes with it (tags: {})",
                            shared
                                .iter()
                                .map(|s| s.as_str())
                                .collect::<Vec<_>>()
                                .join(", ")
                        ),
                    ));
                }
            }
        }

        // Upsell: same category, pricier than this product, within the budget + 20%.
        let mut upsell = Vec::new();
        if let Some(price) = source.min_price {
            let cap = req.budget.unwrap_or(price) * Decimal::new(12, 1);
            for (slot, doc) in self.live_docs() {
                if slot == source_slot || !self.same_category(source, doc) {
                    continue;
                }
                let Some(p) = doc.min_price else { continue };
                if p > price && p <= cap {
                    let sim = sims.get(&slot).copied().unwrap_or(0.0);
                    upsell.push((
                        slot,
                        1.0 + sim,
                        format!(
                            "a step up in {}: {p} {}",
                            category_label(doc),
                            self.currency
                        ),
                    ));
                }
            }
        }

        let cross: Vec<(u32, f32, String)> = req
            .rule_targets
            .iter()
            .enumerate()
            .filter_map(|(i, id)| {
                let &slot = self.by_id.get(id)?;
                (slot != source_slot).then(|| {
                    (
                        slot,
                        1000.0 - i as f32,
                        "recommended by the shop".to_string(),
                    )
                })
            })
            .collect();

        Some(Recommendations {
            similar: self.finish(similar, &session, limit),
            bought_together: self.finish(together, &session, limit),
            upsell: self.finish(upsell, &session, limit),
            cross_sell: self.finish(cross, &session, limit),
        })
    }

    pub(crate) fn live_docs(&self) -> impl Iterator<Item = (u32, &Doc)> {
        self.docs
            .iter()
            .enumerate()
            .filter_map(|(i, d)| d.as_ref().map(|d| (i as u32, d)))
    }

    fn same_category(&self, a: &Doc, b: &Doc) -> bool {
        a.categories.iter().any(|c| b.categories.contains(c))
            || (!a.category_concepts.is_empty()
                && a.category_concepts
                    .iter()
                    .any(|c| b.category_concepts.contains(c)))
    }

    /// Cosine-like content similarity of every product sharing a distinctive term with the
    /// source (terms on more than a fifth of a large catalogue say nothing).
    fn similarities(&self, source_slot: u32, source: &Doc) -> FxHashMap<u32, f32> {
        let mut sims: FxHashMap<u32, f32> = FxHashMap::default();
        let cutoff = (self.live / 5).max(50);
        let mut norm_s = 0.0f32;
        for &(term, w) in &source.terms {
            let postings = &self.postings[term as usize];
            let idf = self.idf(term);
            norm_s += (idf * w).powi(2);
            if postings.len() > cutoff {
                continue;
            }
            for p in postings {
                if p.doc != source_slot {
                    *sims.entry(p.doc).or_default() += idf * idf * w * p.weight;
                }
            }
        }
        let norm_s = norm_s.sqrt().max(1e-6);
        for (slot, s) in sims.iter_mut() {
            let norm_c = self.docs[*slot as usize]
                .as_ref()
                .map_or(1.0, |d| self.norm(d));
            *s /= norm_s * norm_c;
        }
        sims
    }

    fn norm(&self, d: &Doc) -> f32 {
        d.terms
            .iter()
            .map(|&(t, w)| (self.idf(t) * w).powi(2))
            .sum::<f32>()
            .sqrt()
            .max(1e-6)
    }

    /// Drops what cannot be sold or was rejected, applies the session, keeps the best.
    fn finish(
        &self,
        mut cands: Vec<(u32, f32, String)>,
        session: &Session,
        limit: usize,
    ) -> Vec<Recommendation> {
        let wanted = WantedAttributes {
            colors: liked(session, |t| match t {
                Trait::Color(c) => Some(c),
                _ => None,
            }),
            sizes: liked(session, |t| match t {
                Trait::Size(s) => Some(s),
                _ => None,
            }),
            materials: liked(session, |t| match t {
                Trait::Material(m) => Some(m),
                _ => None,
            }),
        };
        let in_stock = Filters {
            in_stock: Some(true),
            ..Filters::default()
        };
        let mut out: Vec<Recommendation> = Vec::new();
        for (slot, score, reason) in cands.drain(..) {
            let Some(doc) = self.docs[slot as usize].as_ref() else {
                continue;
            };
            let rejected = session
                .rejected
                .iter()
                .any(|t| matches!(t, Trait::Product(id) if *id == doc.entry.id));
            if rejected {
                continue;
            }
            let Some((variant, _)) = self.choose_variant(doc, &in_stock, None, &wanted) else {
                continue;
            };
            let score = score
                * session_factor(doc, session)
                * self.popularity(&doc.entry.id)
                * (doc.entry.boost_pct as f32 / 100.0).max(0.05);
            out.push(Recommendation {
                product_id: doc.entry.id.clone(),
                sku: doc.entry.variants[variant].sku.clone(),
                score,
                reason,
            });
        }
        out.sort_by(|a, b| {
            b.score
                .total_cmp(&a.score)
                .then_with(|| a.product_id.cmp(&b.product_id))
        });
        out.truncate(limit);
        out
    }
}

fn liked(session: &Session, pick: impl Fn(&Trait) -> Option<&String>) -> Vec<String> {
    session.liked.iter().filter_map(pick).cloned().collect()
}

fn category_label(doc: &Doc) -> String {
    doc.entry
        .translations
        .iter()
        .find_map(|t| t.category.clone())
        .unwrap_or_else(|| "this category".to_string())
}
