//! Searching: the shopper's words become clauses (each a set of alternative terms: the word, its
//! stems, its concept, typo fixes, completions) and structured filters (prices, attributes read
//! by the understanding engine); products are scored per clause, filtered per variant, then
//! ranked by relevance × availability × popularity × merchant boost × session preferences.

use chrono::{DateTime, FixedOffset, Utc};
use comptoir_domain::Lang;
use comptoir_nlu::entities::lexicon::Attribute;
use comptoir_nlu::entities::{self, EntityKind};
use rust_decimal::Decimal;
use rustc_hash::FxHashMap;
use serde::Serialize;

use crate::analysis::Attributes;
use crate::index::{Doc, SearchIndex, TITLE};

/// Hard constraints: a product is a hit only if one of its variants meets all of them.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize)]
pub struct Filters {
    #[serde(skip_serializing_if = "Option::is_none")]
    pub price_min: Option<Decimal>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub price_max: Option<Decimal>,
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub colors: Vec<String>,
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub sizes: Vec<String>,
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub materials: Vec<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub brand: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub category: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub in_stock: Option<bool>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub digital: Option<bool>,
}

/// What a shopper liked or rejected earlier in the conversation.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub enum Trait {
    Color(String),
    Size(String),
    Material(String),
    Brand(String),
    Category(String),
    Product(String),
}

impl Trait {
    /// `color:red`, `brand:Atelier Lune`, `product:<id>`.
    pub fn parse(s: &str) -> Option<Trait> {
        let (kind, value) = s.split_once(':')?;
        let value = value.trim();
        if value.is_empty() {
            return None;
        }
        let folded = comptoir_nlu::entities::lexicon::key(value);
        Some(match kind.trim().to_ascii_lowercase().as_str() {
            "color" | "colour" => Trait::Color(folded),
            "size" => Trait::Size(folded),
            "material" => Trait::Material(folded),
            "brand" => Trait::Brand(folded),
            "category" => Trait::Category(folded),
            "product" => Trait::Product(value.to_string()),
            _ => return None,
        })
    }
}

#[derive(Debug, Clone, Default)]
pub struct Session {
    pub liked: Vec<Trait>,
    pub rejected: Vec<Trait>,
}

/// A search request.
#[derive(Debug, Clone)]
pub struct SearchRequest {
    pub text: String,
    /// The shopper's language, when known (else identified from the text).
    pub lang: Option<Lang>,
    pub filters: Filters,
    pub session: Session,
    pub limit: usize,
    pub offset: usize,
    /// Attach each score's parts to the hits.
    pub explain: bool,
    /// Reference time for the understanding of dates (unused by ranking).
    pub now: DateTime<FixedOffset>,
}

impl SearchRequest {
    pub fn new(text: &str) -> Self {
        SearchRequest {
            text: text.to_string(),
            lang: None,
            filters: Filters::default(),
            session: Session::default(),
            limit: 10,
            offset: 0,
            explain: false,
            now: Utc::now().fixed_offset(),
        }
    }
}

/// The parts of a hit's score; `score` is their product.
#[derive(Debug, Clone, Copy, Serialize)]
pub struct ScoreParts {
    /// Sum over the query's clauses of the best match (quality × idf × field weight).
    pub text: f32,
    /// Share of the query's weight this product matches (0–1), squared in the score.
    pub coverage: f32,
    /// 1 in stock; lower out of stock (less so when the shopper named the product).
    pub availability: f32,
    /// 1 + up to 0.2 for the best sellers (units sold).
    pub popularity: f32,
    /// The merchant's boost.
    pub boost: f32,
    /// How well the chosen variant fits the size asked for.
    pub variant: f32,
    /// Liked and rejected attributes earlier in the conversation.
    pub session: f32,
    pub score: f32,
}

/// A hit's score explained (`debug=true`).
#[derive(Debug, Clone, Serialize)]
pub struct Explain {
    #[serde(flatten)]
    pub parts: ScoreParts,
    /// How each clause matched: `robe → c:dress (2.31)`.
    pub matched: Vec<String>,
}

#[derive(Debug, Clone, Serialize)]
pub struct Hit {
    pub product_id: String,
    /// The variant that best matches the query.
    pub sku: String,
    pub score: f32,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub explain: Option<Explain>,
}

/// What the engine read in the query, returned with the hits.
#[derive(Debug, Clone, Default, Serialize)]
pub struct Interpretation {
    pub language: Option<String>,
    /// The words searched for, after removing filler and filter phrases.
    pub terms: Vec<String>,
    /// Filters applied (explicit ones and those read in the text).
    pub filters: Filters,
    /// Attributes the text asked for, used to choose variants.
    pub wanted: WantedAttributes,
    /// Words that matched nothing in this catalogue.
    pub unmatched: Vec<String>,
}

#[derive(Debug, Clone, Default, Serialize)]
pub struct WantedAttributes {
    pub colors: Vec<String>,
    pub sizes: Vec<String>,
    pub materials: Vec<String>,
}

#[derive(Debug, Clone, Serialize)]
pub struct SearchResults {
    pub hits: Vec<Hit>,
    /// Products matching, before pagination.
    pub total: usize,
    pub interpretation: Interpretation,
}

/// One part of the query: alternative terms, any of which satisfies it.
#[derive(Debug)]
struct Clause {
    label: String,
    alts: Vec<(u32, f32)>,
    weight: f32,
    /// Words naming a colour or material describe the product the other words name: they
    /// count for less than the product type ("robe rouge" is first a dress).
    factor: f32,
}

const ATTRIBUTE_FACTOR: f32 = 0.5;

/// Qualities of the ways a term can match a shopper's word.
const EXACT: f32 = 1.0;
const STEM: f32 = 0.9;
const CONCEPT: f32 = 0.95;
const TYPO1: f32 = 0.75;
const TYPO2: f32 = 0.6;
const PREFIX: f32 = 0.8;
const SHORT_PREFIX: f32 = 0.55;

/// Entity kinds whose words are filters or noise, not product words.
fn is_filter_entity(k: EntityKind) -> bool {
    matches!(
        k,
        EntityKind::PriceMin
            | EntityKind::PriceMax
            | EntityKind::Quantity
            | EntityKind::Size
            | EntityKind::Date
            | EntityKind::Time
            | EntityKind::Email
            | EntityKind::Phone
            | EntityKind::OrderNumber
            | EntityKind::Ordinal
    )
}

impl SearchIndex {
    /// Runs a search.
    pub fn search(&self, req: &SearchRequest) -> SearchResults {
        let a = &self.analyzer;
        let text = comptoir_nlu::normalize::truncate(&req.text, 512);
        let lang = a.language(text, req.lang.clone());
        let nlu_lang = lang
            .as_ref()
            .and_then(|l| comptoir_nlu::Lang::parse(l.as_str()))
            .unwrap_or(comptoir_nlu::Lang::En);
        let found = entities::extract(
            text,
            &entities::Context {
                lang: nlu_lang,
                now: req.now,
                catalogue: None,
            },
            &a.lexicon,
        );
        let normalised;
        let req = if req.session.liked.is_empty() && req.session.rejected.is_empty() {
            req
        } else {
            normalised = SearchRequest {
                session: self.normalise(&req.session),
                ..req.clone()
            };
            &normalised
        };
        let mut filters = req.filters.clone();
        // Compared per candidate: fold once here, attributes in any language to canonical.
        filters.brand = filters
            .brand
            .as_deref()
            .map(comptoir_nlu::entities::lexicon::key);
        for (values, kind) in [
            (&mut filters.colors, Attribute::Color),
            (&mut filters.sizes, Attribute::Size),
            (&mut filters.materials, Attribute::Material),
        ] {
            for v in values.iter_mut() {
                *v = a.canonical(kind, v);
            }
        }
        let mut wanted = WantedAttributes::default();
        let mut dropped: Vec<(usize, usize)> = Vec::new();
        let mut attribute_spans: Vec<(usize, usize)> = Vec::new();
        for e in &found {
            let same_currency = e
                .currency
                .as_deref()
                .is_none_or(|c| c == self.currency.as_str());
            let amount = || e.value.parse::<Decimal>().ok();
            match e.kind {
                EntityKind::PriceMax if same_currency && filters.price_max.is_none() => {
                    filters.price_max = amount()
                }
                EntityKind::PriceMin if same_currency && filters.price_min.is_none() => {
                    filters.price_min = amount()
                }
                EntityKind::Color => wanted.colors.push(e.value.clone()),
                EntityKind::Size => wanted.sizes.push(e.value.clone()),
                EntityKind::Material => wanted.materials.push(e.value.clone()),
                _ => {}
            }
            if is_filter_entity(e.kind) {
                dropped.push((e.start, e.end));
            }
            if matches!(e.kind, EntityKind::Color | EntityKind::Material) {
                attribute_spans.push((e.start, e.end));
            }
        }
        let all_tokens = a.tokens(text);
        let last_end = all_tokens.last().map(|t| t.end);
        let tokens: Vec<_> = all_tokens
            .into_iter()
            .filter(|t| !dropped.iter().any(|(s, e)| t.start >= *s && t.end <= *e))
            .collect();
        // The last word is completed (as-you-type) unless the shopper typed a space after it,
        // or it is not the message's last word ("… por menos de 100": the filter phrase came
        // after it).
        let typing =
            !text.ends_with(char::is_whitespace) && tokens.last().map(|t| t.end) == last_end;
        let (clauses, unmatched) = self.clauses(&tokens, typing, &attribute_spans);

        let interpretation = Interpretation {
            language: lang.as_ref().map(|l| l.as_str().to_string()),
            terms: clauses.iter().map(|c| c.label.clone()).collect(),
            filters: filters.clone(),
            wanted,
            unmatched,
        };
        // Words that all matched nothing find nothing; no words at all browse the catalogue.
        let (scored, how) = if clauses.is_empty() && !interpretation.unmatched.is_empty() {
            (Vec::new(), How::default())
        } else {
            self.score(&clauses, &filters, &interpretation.wanted, req)
        };
        let total = scored.len();
        let mut ranked = scored;
        let end = (req.offset + req.limit).min(ranked.len());
        if end < ranked.len() && end > 0 {
            ranked.select_nth_unstable_by(end - 1, order);
            ranked.truncate(end);
        }
        ranked.sort_by(order);
        let hits = ranked
            .into_iter()
            .skip(req.offset)
            .take(req.limit)
            .filter_map(|c| {
                let doc = self.docs[c.slot as usize].as_ref()?;
                let p = c.parts;
                let explain = req.explain.then(|| Explain {
                    parts: p,
                    matched: how
                        .get(&c.slot)
                        .into_iter()
                        .flatten()
                        .map(|(ci, term, v)| {
                            format!(
                                "{} → {} ({v:.2})",
                                clauses[*ci].label,
                                self.term_name(*term).unwrap_or("?")
                            )
                        })
                        .collect(),
                });
                Some(Hit {
                    product_id: doc.entry.id.clone(),
                    sku: doc.entry.variants[c.variant as usize].sku.clone(),
                    score: p.score,
                    explain,
                })
            })
            .collect();
        SearchResults {
            hits,
            total,
            interpretation,
        }
    }

    /// The query's clauses, and the words that matched nothing.
    fn clauses(
        &self,
        tokens: &[comptoir_nlu::normalize::Token],
        typing: bool,
        attribute_spans: &[(usize, usize)],
    ) -> (Vec<Clause>, Vec<String>) {
        let factor = |from: usize, to: usize| {
            let only_attributes = tokens[from..to].iter().all(|t| {
                attribute_spans
                    .iter()
                    .any(|(s, e)| t.start >= *s && t.end <= *e)
            });
            if only_attributes && attribute_spans.len() < tokens.len() {
                ATTRIBUTE_FACTOR
            } else {
                1.0
            }
        };
        let a = &self.analyzer;
        let mut clauses = Vec::new();
        let mut unmatched = Vec::new();
        let spans = a.concept_spans(tokens);
        let mut covered = vec![false; tokens.len()];
        for (i, n, concept) in &spans {
            if *n < 2 {
                continue;
            }
            let mut alts = Vec::new();
            self.alt(&mut alts, concept, CONCEPT);
            // A phrase this catalogue never uses is searched word by word instead.
            if alts.is_empty() {
                continue;
            }
            let label: Vec<&str> = tokens[*i..i + n].iter().map(|t| t.text.as_str()).collect();
            for c in covered.iter_mut().skip(*i).take(*n) {
                *c = true;
            }
            clauses.push(Clause {
                label: label.join(" "),
                alts,
                weight: 0.0,
                factor: factor(*i, i + n),
            });
        }
        let last = tokens.len().saturating_sub(1);
        for (i, t) in tokens.iter().enumerate() {
            if covered[i] {
                continue;
            }
            let w = t.text.as_str();
            let is_last = typing && i == last;
            let short = w.chars().count() < 2 && !w.chars().all(|c| c.is_ascii_digit());
            if short || (a.is_filler(w) && !is_last) {
                continue;
            }
            let mut alts = Vec::new();
            self.alt(&mut alts, &format!("w:{w}"), EXACT);
            for s in a.stems_any(w) {
                self.alt(&mut alts, &format!("s:{s}"), STEM);
            }
            if let Some((_, _, concept)) = spans.iter().find(|(s, n, _)| *s == i && *n == 1) {
                self.alt(&mut alts, concept, CONCEPT);
            } else if let Some(concept) = a.concept_by_stem(w) {
                self.alt(&mut alts, &concept, STEM);
            }
            if alts.is_empty() && w.chars().count() >= 4 {
                // A typo: the catalogue's own words first, then the concept dictionary (so a
                // misspelt French word still finds an English catalogue).
                for (cand, d) in self.typo_candidates(w) {
                    let q = if d == 1 { TYPO1 } else { TYPO2 };
                    self.alt(&mut alts, &format!("w:{cand}"), q);
                    if let Some(c) = a.concepts.concept_of(&cand) {
                        self.alt(&mut alts, &format!("c:{}", a.concepts.name(c)), q);
                    }
                }
                for (concept, d) in a.concept_typos(w) {
                    self.alt(&mut alts, &concept, if d == 1 { TYPO1 } else { TYPO2 });
                }
            }
            if is_last && w.chars().count() >= 2 {
                let q = if w.chars().count() >= 4 {
                    PREFIX
                } else {
                    SHORT_PREFIX
                };
                // A complete word that already matched is rarely the start of a longer one
                // ("Handy" is a phone, not a "Handyladegerät").
                let q = if alts.is_empty() { q } else { q * 0.5 };
                for cand in self.completions(w, 24) {
                    self.alt(&mut alts, &format!("w:{cand}"), q);
                    if let Some(c) = a.concepts.concept_of(&cand) {
                        self.alt(&mut alts, &format!("c:{}", a.concepts.name(c)), q);
                    }
                }
                // The shopper may be typing a word of another language than the catalogue's.
                if w.chars().count() >= 3 {
                    for concept in a.concept_completions(w, 8) {
                        self.alt(&mut alts, &concept, q * 0.9);
                    }
                }
            }
            if alts.is_empty() {
                if !a.is_filler(w) {
                    unmatched.push(w.to_string());
                }
                continue;
            }
            clauses.push(Clause {
                label: w.to_string(),
                alts,
                weight: 0.0,
                factor: factor(i, i + 1),
            });
        }
        for c in &mut clauses {
            c.weight = c
                .alts
                .iter()
                .map(|(t, q)| q * self.idf(*t))
                .fold(0.0, f32::max)
                * c.factor;
        }
        clauses.retain(|c| !c.alts.is_empty());
        (clauses, unmatched)
    }

    /// Session traits with their attributes in canonical form ("color:rouge" is `red`).
    pub(crate) fn normalise(&self, s: &Session) -> Session {
        let a = &self.analyzer;
        let one = |t: &Trait| match t {
            Trait::Color(v) => Trait::Color(a.canonical(Attribute::Color, v)),
            Trait::Size(v) => Trait::Size(a.canonical(Attribute::Size, v)),
            Trait::Material(v) => Trait::Material(a.canonical(Attribute::Material, v)),
            other => other.clone(),
        };
        Session {
            liked: s.liked.iter().map(one).collect(),
            rejected: s.rejected.iter().map(one).collect(),
        }
    }

    fn alt(&self, alts: &mut Vec<(u32, f32)>, term: &str, quality: f32) {
        if let Some(t) = self.term(term) {
            match alts.iter_mut().find(|(x, _)| *x == t) {
                Some(existing) => existing.1 = existing.1.max(quality),
                None => alts.push((t, quality)),
            }
        }
    }

    fn score(
        &self,
        clauses: &[Clause],
        filters: &Filters,
        wanted: &WantedAttributes,
        req: &SearchRequest,
    ) -> (Vec<Scored>, How) {
        let total_weight: f32 = clauses.iter().map(|c| c.weight).sum();
        let category = filters.category.as_deref().map(|c| self.category_filter(c));
        let n = self.docs.len();
        // Dense accumulators indexed by slot: a query touches thousands of products in a
        // large catalogue, and hashing each posting would cost more than the scoring.
        let mut text = vec![0f32; n];
        let mut matched = vec![0f32; n];
        let mut title_clauses = vec![0u16; n];
        let mut touched: Vec<u32> = Vec::new();
        let mut best = vec![0f32; n];
        let mut best_field = vec![0f32; n];
        let mut best_term = vec![0u32; n];
        let mut in_clause: Vec<u32> = Vec::new();
        let mut how: FxHashMap<u32, Vec<(usize, u32, f32)>> = FxHashMap::default();
        for (ci, clause) in clauses.iter().enumerate() {
            for &(term, quality) in &clause.alts {
                let idf = self.idf(term);
                let factor = quality * idf * clause.factor;
                let exact = quality >= STEM;
                for p in &self.postings[term as usize] {
                    let d = p.doc as usize;
                    let v = factor * p.weight;
                    if best[d] == 0.0 {
                        in_clause.push(p.doc);
                    }
                    if v > best[d] {
                        best[d] = v;
                        best_field[d] = if exact { p.weight } else { 0.0 };
                        best_term[d] = term;
                    }
                }
            }
            for &doc in &in_clause {
                let d = doc as usize;
                if matched[d] == 0.0 {
                    touched.push(doc);
                }
                text[d] += best[d];
                matched[d] += clause.weight;
                if best_field[d] >= TITLE {
                    title_clauses[d] += 1;
                }
                if req.explain {
                    how.entry(doc)
                        .or_default()
                        .push((ci, best_term[d], best[d]));
                }
                best[d] = 0.0;
                best_field[d] = 0.0;
            }
            in_clause.clear();
        }
        let browsing = clauses.is_empty();
        if browsing {
            touched = (0..n as u32)
                .filter(|&i| self.docs[i as usize].is_some())
                .collect();
        }
        let best_coverage = touched
            .iter()
            .map(|&d| matched[d as usize])
            .fold(0.0, f32::max);
        let rejected_products: Vec<&str> = req
            .session
            .rejected
            .iter()
            .filter_map(|t| match t {
                Trait::Product(id) => Some(id.as_str()),
                _ => None,
            })
            .collect();
        let mut out = Vec::with_capacity(touched.len());
        for slot in touched {
            let d = slot as usize;
            let Some(doc) = self.docs[d].as_ref() else {
                continue;
            };
            // Products that match much less of the query than the best ones are noise.
            if !browsing && matched[d] < 0.5 * best_coverage {
                continue;
            }
            if !rejected_products.is_empty() && rejected_products.contains(&doc.entry.id.as_str()) {
                continue;
            }
            let Some((variant, variant_fit)) =
                self.choose_variant(doc, filters, category.as_ref(), wanted)
            else {
                continue;
            };
            let (relevance, coverage) = if browsing || total_weight <= 0.0 {
                (1.0, 1.0)
            } else {
                (text[d], matched[d] / total_weight)
            };
            let named = !browsing && title_clauses[d] as usize == clauses.len();
            let availability = match (doc.entry.variants[variant].in_stock(), named) {
                (true, _) => 1.0,
                (false, true) => 0.9,
                (false, false) => 0.35,
            };
            let popularity = self.popularity(&doc.entry.id);
            let boost = (doc.entry.boost_pct as f32 / 100.0).max(0.05);
            let session = if req.session.liked.is_empty() && req.session.rejected.is_empty() {
                1.0
            } else {
                session_factor(doc, &req.session)
            };
            let score = relevance
                * coverage
                * coverage
                * availability
                * popularity
                * boost
                * variant_fit
                * session;
            out.push(Scored {
                slot,
                tie: doc.tie,
                variant: variant as u32,
                parts: ScoreParts {
                    text: relevance,
                    coverage,
                    availability,
                    popularity,
                    boost,
                    variant: variant_fit,
                    session,
                    score,
                },
            });
        }
        (out, how)
    }

    fn term_name(&self, term: u32) -> Option<&str> {
        // Only for explanations: a linear scan is fine.
        self.terms
            .iter()
            .find(|(_, &t)| t == term)
            .map(|(n, _)| n.as_str())
    }

    pub(crate) fn popularity(&self, id: &str) -> f32 {
        // Most shops have no orders yet: skip hashing every candidate's id.
        if self.max_sales == 0 {
            return 1.0;
        }
        let sold = self.sales.get(id).copied().unwrap_or(0);
        if sold == 0 {
            return 1.0;
        }
        1.0 + 0.2 * ((1 + sold) as f32).ln() / ((1 + self.max_sales) as f32).ln()
    }

    /// The variant meeting the filters that best fits the wanted attributes, and how well the
    /// product fits a wanted size; `None` when no variant meets the filters.
    pub(crate) fn choose_variant(
        &self,
        doc: &Doc,
        f: &Filters,
        category: Option<&CategoryFilter>,
        wanted: &WantedAttributes,
    ) -> Option<(usize, f32)> {
        if let Some(b) = &f.brand {
            if doc.brand.as_deref() != Some(b.as_str()) {
                return None;
            }
        }
        if let Some(c) = category {
            if !self.in_category(doc, c) {
                return None;
            }
        }
        let mut best: Option<(usize, i32)> = None;
        for (i, v) in doc.entry.variants.iter().enumerate() {
            let attrs = &doc.variants[i];
            if !variant_passes(v, attrs, doc, f, &self.currency) {
                continue;
            }
            let fit = fit_score(attrs, v.in_stock(), wanted);
            if best.is_none_or(|(_, b)| fit > b) {
                best = Some((i, fit));
            }
        }
        let (i, _) = best?;
        let size_fits = wanted.sizes.is_empty()
            || wanted
                .sizes
                .iter()
                .any(|s| doc.variants[i].sizes.contains(s));
        let size_fit = if size_fits {
            1.0
        } else if doc.has_sizes {
            0.7
        } else {
            0.9
        };
        Some((i, size_fit))
    }

    /// Whether a product is in a category named in any language ("Robes", "dresses").
    pub(crate) fn category_filter(&self, name: &str) -> CategoryFilter {
        let a = &self.analyzer;
        CategoryFilter {
            key: comptoir_nlu::entities::lexicon::key(name),
            concepts: a
                .concept_spans(&a.tokens(name))
                .into_iter()
                .map(|x| x.2)
                .collect(),
        }
    }

    fn in_category(&self, doc: &Doc, c: &CategoryFilter) -> bool {
        doc.categories.contains(&c.key)
            || (!c.concepts.is_empty()
                && c.concepts.iter().all(|w| doc.category_concepts.contains(w)))
    }
}

/// A category filter, folded and mapped to concepts once per query.
pub(crate) struct CategoryFilter {
    key: String,
    concepts: Vec<String>,
}

/// How well a variant's attributes fit what the shopper asked for (higher is better).
fn fit_score(attrs: &Attributes, in_stock: bool, wanted: &WantedAttributes) -> i32 {
    let mut s = 0;
    for c in &wanted.colors {
        if attrs.colors.contains(c) {
            s += 4;
        }
    }
    for z in &wanted.sizes {
        if attrs.sizes.contains(z) {
            s += 4;
        }
    }
    for m in &wanted.materials {
        if attrs.materials.contains(m) {
            s += 2;
        }
    }
    if in_stock {
        s += 1;
    }
    s
}

fn variant_passes(
    v: &comptoir_domain::Variant,
    attrs: &Attributes,
    doc: &Doc,
    f: &Filters,
    currency: &comptoir_domain::Currency,
) -> bool {
    if f.price_min.is_some() || f.price_max.is_some() {
        // Bounds are in the tenant's currency; a variant priced in another is not compared.
        if &v.currency != currency {
            return false;
        }
        if f.price_min.is_some_and(|m| v.price < m) || f.price_max.is_some_and(|m| v.price > m) {
            return false;
        }
    }
    if f.in_stock.is_some_and(|want| v.in_stock() != want) {
        return false;
    }
    if f.digital.is_some_and(|want| v.digital != want) {
        return false;
    }
    let attr_ok = |wanted: &[String], own: &[String], text: &[String]| {
        wanted.is_empty()
            || wanted
                .iter()
                .any(|w| own.contains(w) || (own.is_empty() && text.contains(w)))
    };
    attr_ok(&f.colors, &attrs.colors, &doc.text_attrs.colors)
        && attr_ok(&f.materials, &attrs.materials, &doc.text_attrs.materials)
        && (f.sizes.is_empty() || f.sizes.iter().any(|s| attrs.sizes.contains(s)))
}

/// Liked attributes lift a product, rejected ones sink it.
pub(crate) fn session_factor(doc: &Doc, s: &Session) -> f32 {
    let mut f = 1.0;
    for (traits, factor) in [(&s.liked, 1.2f32), (&s.rejected, 0.5)] {
        for t in traits {
            if trait_matches(doc, t) {
                f *= factor;
            }
        }
    }
    f
}

fn trait_matches(doc: &Doc, t: &Trait) -> bool {
    match t {
        Trait::Color(c) => {
            doc.variants.iter().any(|v| v.colors.contains(c)) || doc.text_attrs.colors.contains(c)
        }
        Trait::Material(m) => {
            doc.variants.iter().any(|v| v.materials.contains(m))
                || doc.text_attrs.materials.contains(m)
        }
        Trait::Size(z) => doc.variants.iter().any(|v| v.sizes.contains(z)),
        Trait::Brand(b) => doc.brand.as_deref() == Some(b.as_str()),
        Trait::Category(c) => doc.categories.contains(c),
        // Liking a product is about its attributes; the recommender expands those.
        Trait::Product(_) => false,
    }
}

/// How each clause matched a product: (clause, term, contribution), for explanations.
type How = FxHashMap<u32, Vec<(usize, u32, f32)>>;

/// A candidate: its slot, chosen variant and score parts (strings only for the final hits).
pub(crate) struct Scored {
    pub slot: u32,
    pub tie: u64,
    pub variant: u32,
    pub parts: ScoreParts,
}

/// Best first; ties by a hash of the merchant's product id, so results depend neither on
/// generated ids nor on insertion order (and browsing, where every score ties, stays cheap).
fn order(a: &Scored, b: &Scored) -> std::cmp::Ordering {
    b.parts
        .score
        .total_cmp(&a.parts.score)
        .then_with(|| a.tie.cmp(&b.tie))
}
