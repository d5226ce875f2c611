//! One tenant's product index, in memory: an inverted index of analysed terms over products,
//! with each variant's canonical attributes, price and stock, updated product by product.
//!
//! Why not tantivy: a tenant's catalogue is small (hundreds to ~100,000 variants), we keep one
//! index per tenant in memory and rebuild it from the database at start, ranking blends signals
//! a text engine does not hold (stock per variant, sales, merchant boost, the shopper's session),
//! and a hit is a variant. A hand-written index over the same analysis meets the latency and
//! indexing targets with margin (docs/benchmarks.md) and adds no segment files to manage.

use std::collections::BTreeSet;
use std::sync::Arc;

use comptoir_domain::{CatalogueEntry, Currency, Lang};
use rust_decimal::Decimal;
use rustc_hash::FxHashMap;

use crate::analysis::{Analyzer, Attributes};
use crate::spell::Deletions;

/// Field weights: where a word appears says how much it describes the product.
pub(crate) const TITLE: f32 = 3.0;
pub(crate) const BRAND: f32 = 2.5;
pub(crate) const CATEGORY: f32 = 2.0;
pub(crate) const TAGS: f32 = 1.5;
pub(crate) const OPTIONS: f32 = 1.2;
pub(crate) const DESCRIPTION: f32 = 0.5;

#[derive(Debug, Clone, Copy)]
pub(crate) struct Posting {
    pub doc: u32,
    pub weight: f32,
}

/// A product as the index keeps it.
#[derive(Debug)]
pub(crate) struct Doc {
    pub entry: CatalogueEntry,
    /// Every term the product has, once, for removal and similarity.
    pub terms: Vec<(u32, f32)>,
    /// Canonical attributes per variant, aligned with `entry.variants`.
    pub variants: Vec<Attributes>,
    /// Colours and materials the titles and tags name.
    pub text_attrs: Attributes,
    /// Folded category names in every language.
    pub categories: Vec<String>,
    /// Concept terms of the categories (language-neutral).
    pub category_concepts: Vec<String>,
    pub brand: Option<String>,
    /// Folded tags (any language).
    pub tags: Vec<String>,
    /// Lowest price in the tenant's currency.
    pub min_price: Option<Decimal>,
    pub has_sizes: bool,
    /// Hash of the merchant's product id: breaks score ties the same way on every build.
    pub tie: u64,
}

/// One tenant's search index.
#[derive(Debug)]
pub struct SearchIndex {
    pub(crate) analyzer: Arc<Analyzer>,
    pub(crate) currency: Currency,
    pub(crate) default_lang: Lang,
    pub(crate) docs: Vec<Option<Doc>>,
    free: Vec<u32>,
    pub(crate) by_id: FxHashMap<String, u32>,
    pub(crate) by_sku: FxHashMap<String, u32>,
    pub(crate) terms: FxHashMap<String, u32>,
    pub(crate) postings: Vec<Vec<Posting>>,
    /// Words of names, categories, tags and options, sorted, for as-you-type prefixes.
    pub(crate) vocabulary: BTreeSet<String>,
    spelling: Deletions,
    pub(crate) live: usize,
    /// Units sold per product id.
    pub(crate) sales: FxHashMap<String, u64>,
    pub(crate) max_sales: u64,
    /// Orders in which two products were bought together.
    pub(crate) together: FxHashMap<String, FxHashMap<String, u32>>,
}

/// Terms of one product being indexed: term → best field weight.
struct Collector<'a> {
    analyzer: &'a Analyzer,
    weights: FxHashMap<String, f32>,
    vocabulary: Vec<String>,
}

impl Collector<'_> {
    fn add(&mut self, term: String, weight: f32) {
        let w = self.weights.entry(term).or_insert(0.0);
        if weight > *w {
            *w = weight;
        }
    }

    /// Analyses a text of one field in a language; returns its tokens.
    fn text(
        &mut self,
        text: &str,
        lang: &str,
        weight: f32,
        spell: bool,
    ) -> Vec<comptoir_nlu::normalize::Token> {
        let tokens = self.analyzer.tokens(text);
        let spans = self.analyzer.concept_spans(&tokens);
        let mut in_concept = vec![false; tokens.len()];
        for (i, n, concept) in spans {
            for c in in_concept.iter_mut().skip(i).take(n) {
                *c = true;
            }
            self.add(concept, weight);
        }
        for (i, t) in tokens.iter().enumerate() {
            if !in_concept[i] && t.kind == comptoir_nlu::normalize::TokenKind::Word {
                if let Some(concept) = self.analyzer.concept_by_stem(&t.text) {
                    self.add(concept, weight * 0.9);
                }
            }
            let w = &t.text;
            if w.chars().count() < 2 && !w.chars().all(|c| c.is_ascii_digit()) {
                continue;
            }
            self.add(format!("w:{w}"), weight);
            if let Some(s) = self.analyzer.stem(w, lang) {
                self.add(format!("s:{s}"), weight);
            }
            if spell && !w.chars().any(|c| c.is_ascii_digit()) {
                self.vocabulary.push(w.clone());
            }
        }
        tokens
    }
}

impl SearchIndex {
    pub fn new(analyzer: Arc<Analyzer>, currency: Currency, default_lang: Lang) -> Self {
        SearchIndex {
            analyzer,
            currency,
            default_lang,
            docs: Vec::new(),
            free: Vec::new(),
            by_id: FxHashMap::default(),
            by_sku: FxHashMap::default(),
            terms: FxHashMap::default(),
            postings: Vec::new(),
            vocabulary: BTreeSet::new(),
            spelling: Deletions::default(),
            live: 0,
            sales: FxHashMap::default(),
            max_sales: 0,
            together: FxHashMap::default(),
        }
    }

    /// Builds an index from a whole catalogue and its purchase history (newest first).
    pub fn build(
        analyzer: Arc<Analyzer>,
        currency: Currency,
        default_lang: Lang,
        entries: Vec<CatalogueEntry>,
        history: &[Vec<(String, i64)>],
    ) -> Self {
        let mut index = SearchIndex::new(analyzer, currency, default_lang);
        for e in entries {
            index.upsert(e);
        }
        for basket in history {
            index.record_order(basket);
        }
        index
    }

    /// Products in the index.
    pub fn len(&self) -> usize {
        self.live
    }

    pub fn is_empty(&self) -> bool {
        self.live == 0
    }

    /// The indexed product with this id.
    /// The analyzer the index was built with (canonical colours and sizes, stems).
    pub fn analyzer(&self) -> &Analyzer {
        &self.analyzer
    }

    /// The shop's default language (fallback for texts).
    pub fn default_lang(&self) -> &Lang {
        &self.default_lang
    }

    pub fn entry(&self, id: &str) -> Option<&CatalogueEntry> {
        self.doc_by_id(id).map(|d| &d.entry)
    }

    /// The product a variant belongs to.
    pub fn entry_of_sku(&self, sku: &str) -> Option<&CatalogueEntry> {
        self.by_sku
            .get(sku)
            .and_then(|&slot| self.docs[slot as usize].as_ref())
            .map(|d| &d.entry)
    }

    pub(crate) fn doc_by_id(&self, id: &str) -> Option<&Doc> {
        self.by_id
            .get(id)
            .and_then(|&slot| self.docs[slot as usize].as_ref())
    }

    pub(crate) fn idf(&self, term: u32) -> f32 {
        let df = self.postings[term as usize].len() as f32;
        let n = self.live.max(1) as f32;
        (1.0 + (n - df + 0.5) / (df + 0.5)).ln()
    }

    pub(crate) fn term(&self, name: &str) -> Option<u32> {
        self.terms
            .get(name)
            .copied()
            .filter(|&t| !self.postings[t as usize].is_empty())
    }

    /// Adds or replaces a product.
    pub fn upsert(&mut self, entry: CatalogueEntry) {
        self.remove(&entry.id);
        let analyzer = Arc::clone(&self.analyzer);
        let mut c = Collector {
            analyzer: &analyzer,
            weights: FxHashMap::default(),
            vocabulary: Vec::new(),
        };
        let fallback = entry
            .translations
            .first()
            .map(|t| t.lang.as_str().to_string())
            .unwrap_or_else(|| self.default_lang.as_str().to_string());
        let mut categories = Vec::new();
        let mut category_concepts = Vec::new();
        let mut tags = Vec::new();
        let mut title_tokens = Vec::new();
        for t in &entry.translations {
            let lang = t.lang.as_str();
            title_tokens.extend(c.text(&t.title, lang, TITLE, true));
            if let Some(cat) = &t.category {
                c.text(cat, lang, CATEGORY, true);
                let folded = comptoir_nlu::entities::lexicon::key(cat);
                if !categories.contains(&folded) {
                    categories.push(folded);
                }
                for (_, _, concept) in analyzer.concept_spans(&analyzer.tokens(cat)) {
                    if !category_concepts.contains(&concept) {
                        category_concepts.push(concept);
                    }
                }
            }
            for tag in &t.tags {
                title_tokens.extend(c.text(tag, lang, TAGS, true));
                let folded = comptoir_nlu::entities::lexicon::key(tag);
                if !tags.contains(&folded) {
                    tags.push(folded);
                }
            }
            c.text(&t.description, lang, DESCRIPTION, false);
        }
        if let Some(b) = &entry.brand {
            c.text(b, &fallback, BRAND, true);
        }
        let mut variants = Vec::with_capacity(entry.variants.len());
        let mut has_sizes = false;
        for v in &entry.variants {
            for (_, value) in &v.options.0 {
                c.text(value, &fallback, OPTIONS, true);
            }
            let a = analyzer.variant_attributes(&v.options.0);
            // Canonical attribute values are terms too, so a colour named in any language
            // finds the variant ("rouge" → `c:Color:red`).
            for col in &a.colors {
                c.add(format!("c:Color:{col}"), OPTIONS);
            }
            for m in &a.materials {
                c.add(format!("c:Material:{m}"), OPTIONS);
            }
            has_sizes |= !a.sizes.is_empty();
            variants.push(a);
        }
        let text_attrs = analyzer.text_attributes(&title_tokens);
        let min_price = entry
            .variants
            .iter()
            .filter(|v| v.currency == self.currency)
            .map(|v| v.price)
            .min();
        let vocabulary = std::mem::take(&mut c.vocabulary);
        let weights = std::mem::take(&mut c.weights);

        let slot = match self.free.pop() {
            Some(s) => s,
            None => {
                self.docs.push(None);
                (self.docs.len() - 1) as u32
            }
        };
        let mut terms = Vec::with_capacity(weights.len());
        for (name, w) in weights {
            let next = self.postings.len() as u32;
            let id = *self.terms.entry(name).or_insert(next);
            if id == next {
                self.postings.push(Vec::new());
            }
            self.postings[id as usize].push(Posting {
                doc: slot,
                weight: w,
            });
            terms.push((id, w));
        }
        for w in vocabulary {
            self.spelling.add(&w);
            self.vocabulary.insert(w);
        }
        for v in &entry.variants {
            self.by_sku.insert(v.sku.clone(), slot);
        }
        self.by_id.insert(entry.id.clone(), slot);
        let brand = entry
            .brand
            .as_deref()
            .map(comptoir_nlu::entities::lexicon::key);
        let tie = {
            use std::hash::{Hash, Hasher};
            let mut h = rustc_hash::FxHasher::default();
            entry.external_id.hash(&mut h);
            h.finish()
        };
        self.docs[slot as usize] = Some(Doc {
            tie,
            entry,
            terms,
            variants,
            text_attrs,
            categories,
            category_concepts,
            brand,
            tags,
            min_price,
            has_sizes,
        });
        self.live += 1;
    }

    /// Removes a product; false if it was not indexed.
    pub fn remove(&mut self, id: &str) -> bool {
        let Some(slot) = self.by_id.remove(id) else {
            return false;
        };
        let Some(doc) = self.docs[slot as usize].take() else {
            return false;
        };
        for (t, _) in &doc.terms {
            self.postings[*t as usize].retain(|p| p.doc != slot);
        }
        for v in &doc.entry.variants {
            if self.by_sku.get(&v.sku) == Some(&slot) {
                self.by_sku.remove(&v.sku);
            }
        }
        self.free.push(slot);
        self.live -= 1;
        true
    }

    /// Sets one variant's stock (an order, a restock); false if the sku is not indexed.
    pub fn set_stock(&mut self, sku: &str, stock: Option<i64>) -> bool {
        let Some(&slot) = self.by_sku.get(sku) else {
            return false;
        };
        let Some(doc) = self.docs[slot as usize].as_mut() else {
            return false;
        };
        match doc.entry.variants.iter_mut().find(|v| v.sku == sku) {
            Some(v) => {
                v.stock = stock;
                true
            }
            None => false,
        }
    }

    /// Counts one order: units sold per product (popularity) and pairs bought together.
    pub fn record_order(&mut self, basket: &[(String, i64)]) {
        for (id, qty) in basket {
            let s = self.sales.entry(id.clone()).or_default();
            *s += (*qty).max(0) as u64;
            self.max_sales = self.max_sales.max(*s);
        }
        let mut ids: Vec<&String> = basket.iter().map(|(id, _)| id).collect();
        ids.sort();
        ids.dedup();
        // Large baskets (wholesale) would add quadratic pairs and say little.
        if ids.len() > 50 {
            return;
        }
        for a in &ids {
            for b in &ids {
                if a != b {
                    *self
                        .together
                        .entry((*a).clone())
                        .or_default()
                        .entry((*b).clone())
                        .or_default() += 1;
                }
            }
        }
    }

    /// Words starting with `prefix` (shortest first), for as-you-type.
    pub(crate) fn completions(&self, prefix: &str, max: usize) -> Vec<String> {
        let mut out: Vec<String> = self
            .vocabulary
            .range(prefix.to_string()..)
            .take_while(|w| w.starts_with(prefix))
            .filter(|w| w.as_str() != prefix)
            .take(max * 4)
            .cloned()
            .collect();
        out.sort_by_key(|w| (w.chars().count(), w.clone()));
        out.truncate(max);
        out
    }

    pub(crate) fn typo_candidates(&self, word: &str) -> Vec<(String, usize)> {
        self.spelling.near(word)
    }
}
