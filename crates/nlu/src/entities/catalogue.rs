//! Catalogue-aware mentions: which of the tenant's products, categories and brands a message
//! names, in any of the five languages, with typos.
//!
//! Words of titles and messages are mapped to language-neutral concepts through
//! `data/product_terms.toml` ("écharpe", "scarf", "Schal" → `scarf`), so a French catalogue is
//! found from an English message. Remaining words match literally or within one typo (a
//! deletion index: each word and its one-letter deletions, as SymSpell does, so lookups cost a
//! few hash probes whatever the catalogue size). The index is rebuilt when the catalogue changes.

use rustc_hash::{FxHashMap, FxHashSet};

use super::{entity, Entity, EntityKind};
use crate::normalize::{fold, tokenize, Token, TokenKind};

const PRODUCT_TERMS: &str = include_str!("../../data/product_terms.toml");
const MAX_TERM_TOKENS: usize = 4;

/// One product as the index sees it.
#[derive(Debug, Clone, Default)]
pub struct CatalogueItem {
    pub id: String,
    /// Titles in every language the catalogue has.
    pub titles: Vec<String>,
    /// Category names (any language).
    pub categories: Vec<String>,
    pub brand: Option<String>,
}

/// Typo correction against a vocabulary: each word of 5+ letters is indexed with its
/// one-letter deletions (SymSpell), so a lookup is a few hash probes.
#[derive(Debug, Default)]
struct Speller {
    words: FxHashSet<String>,
    deletions: FxHashMap<String, Vec<String>>,
}

impl Speller {
    fn add(&mut self, word: &str) {
        if word.chars().count() < 5 || !self.words.insert(word.to_string()) {
            return;
        }
        for d in deletions(word) {
            self.deletions.entry(d).or_default().push(word.to_string());
        }
    }

    fn knows(&self, word: &str) -> bool {
        self.words.contains(word)
    }

    /// The known word within one edit of `w` (insertion, deletion, substitution or swap), if
    /// exactly one is.
    fn correct(&self, w: &str) -> Option<&str> {
        let mut candidates: FxHashSet<&str> = FxHashSet::default();
        let own = deletions(w);
        for d in &own {
            // `w` has a letter too many.
            if let Some(k) = self.words.get(d) {
                candidates.insert(k);
            }
            // A replaced or swapped letter: both share a deletion.
            for o in self.deletions.get(d).into_iter().flatten() {
                if crate::normalize::within_edits(o, w, 1).is_some() {
                    candidates.insert(o);
                }
            }
        }
        // `w` misses a letter.
        candidates.extend(
            self.deletions
                .get(w)
                .into_iter()
                .flatten()
                .map(String::as_str),
        );
        let mut it = candidates.into_iter();
        match (it.next(), it.next()) {
            (Some(one), None) => Some(one),
            _ => None,
        }
    }
}

/// The multilingual concept dictionary: folded phrase → concept id.
#[derive(Debug, Default)]
pub struct Concepts {
    phrases: FxHashMap<String, u32>,
    names: Vec<String>,
    /// One-word phrases, for typo-tolerant lookups.
    speller: Speller,
}

impl Concepts {
    /// Product words of `data/product_terms.toml`, plus the lexicon's colours and materials
    /// ("lin" and "linen" are one concept), so "linen dress" finds "Robe en lin".
    pub fn builtin() -> Self {
        let mut c = Self::parse(PRODUCT_TERMS).expect("data/product_terms.toml is valid");
        let lexicon = super::lexicon::Lexicon::builtin();
        let mut ids: FxHashMap<String, u32> = FxHashMap::default();
        let mut attributes: Vec<_> = lexicon.attributes.iter().collect();
        attributes.sort();
        for (phrase, (attribute, canonical)) in attributes {
            if *attribute == super::lexicon::Attribute::Size || c.phrases.contains_key(phrase) {
                continue;
            }
            let name = format!("{attribute:?}:{canonical}");
            let next = c.names.len() as u32;
            let id = *ids.entry(name.clone()).or_insert_with(|| {
                c.names.push(name);
                next
            });
            c.phrases.insert(phrase.clone(), id);
        }
        c.index_spelling();
        c
    }

    fn index_spelling(&mut self) {
        let words: Vec<String> = self
            .phrases
            .keys()
            .filter(|p| !p.contains(' '))
            .cloned()
            .collect();
        for w in words {
            self.speller.add(&w);
        }
    }

    pub fn parse(text: &str) -> Result<Self, toml::de::Error> {
        let raw: FxHashMap<String, FxHashMap<String, Vec<String>>> = toml::from_str(text)?;
        let mut c = Concepts::default();
        let mut names: Vec<&String> = raw.keys().collect();
        names.sort();
        for name in names {
            let id = c.names.len() as u32;
            c.names.push(name.clone());
            for form in raw[name].values().flatten() {
                let key = super::lexicon::key(form);
                if !key.is_empty() && key.split(' ').count() <= MAX_TERM_TOKENS {
                    c.phrases.entry(key).or_insert(id);
                }
            }
        }
        c.index_spelling();
        Ok(c)
    }

    /// The keys of a token sequence: concept ids for phrases the dictionary knows (longest
    /// first), literal words otherwise. Stop words and one-letter words are dropped.
    fn keys(&self, tokens: &[Token]) -> Vec<Key> {
        let mut out = Vec::new();
        let mut i = 0;
        let mut buf = String::new();
        'outer: while i < tokens.len() {
            for len in (1..=MAX_TERM_TOKENS.min(tokens.len() - i)).rev() {
                buf.clear();
                for (n, t) in tokens[i..i + len].iter().enumerate() {
                    if n > 0 {
                        buf.push(' ');
                    }
                    buf.push_str(&t.text);
                }
                if let Some(&c) = self.phrases.get(&buf) {
                    out.push(Key {
                        key: KeyKind::Concept(c),
                        start: tokens[i].start,
                        end: tokens[i + len - 1].end,
                    });
                    i += len;
                    continue 'outer;
                }
            }
            let t = &tokens[i];
            if t.kind != TokenKind::Symbol && t.text.chars().count() >= 2 && !is_stop_word(&t.text)
            {
                out.push(Key {
                    key: KeyKind::Word(t.text.clone()),
                    start: t.start,
                    end: t.end,
                });
            }
            i += 1;
        }
        out
    }
}

#[derive(Debug, Clone, PartialEq, Eq, Hash)]
enum KeyKind {
    Concept(u32),
    Word(String),
}

#[derive(Debug, Clone)]
struct Key {
    key: KeyKind,
    start: usize,
    end: usize,
}

fn is_stop_word(w: &str) -> bool {
    matches!(
        w,
        "the"
            | "a"
            | "an"
            | "and"
            | "or"
            | "of"
            | "for"
            | "with"
            | "in"
            | "on"
            | "to"
            | "my"
            | "your"
            | "le"
            | "la"
            | "les"
            | "un"
            | "une"
            | "des"
            | "de"
            | "du"
            | "et"
            | "ou"
            | "en"
            | "pour"
            | "avec"
            | "au"
            | "aux"
            | "der"
            | "die"
            | "das"
            | "den"
            | "dem"
            | "ein"
            | "eine"
            | "und"
            | "oder"
            | "fur"
            | "mit"
            | "im"
            | "il"
            | "lo"
            | "gli"
            | "di"
            | "da"
            | "per"
            | "con"
            | "el"
            | "los"
            | "las"
            | "y"
            | "o"
            | "para"
            | "del"
            | "al"
            | "je"
            | "ich"
            | "io"
            | "yo"
            | "is"
            | "est"
            | "ist"
            | "es"
            | "do"
            | "you"
            | "have"
            | "vous"
            | "avez"
            | "tu"
            | "need"
            | "want"
            | "cherche"
            | "suche"
            | "cerco"
            | "busco"
            | "what"
            | "how"
            | "much"
            | "this"
            | "that"
            | "it"
            | "me"
            | "moi"
            | "mi"
            | "mir"
            | "mich"
    )
}

/// What one index entry points at.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Field {
    Title(u32),
    Category(u32),
    Brand(u32),
}

/// The per-tenant mention index.
#[derive(Debug, Default)]
pub struct CatalogueIndex {
    concepts: Concepts,
    postings: FxHashMap<KeyKind, Vec<Field>>,
    /// The catalogue's own words (titles, categories, brands), for typo tolerance.
    speller: Speller,
    items: Vec<ItemMeta>,
    categories: Vec<String>,
    brands: Vec<String>,
    /// Inverse document frequency of each title key.
    idf: FxHashMap<KeyKind, f32>,
}

#[derive(Debug)]
struct ItemMeta {
    id: String,
    title: String,
    /// Sum of the idf of the distinct keys of the title.
    weight: f32,
    keys: usize,
}

impl CatalogueIndex {
    /// Builds the index of a catalogue with the built-in concept dictionary.
    pub fn build(items: &[CatalogueItem]) -> Self {
        Self::build_with(items, Concepts::builtin())
    }

    pub fn build_with(items: &[CatalogueItem], concepts: Concepts) -> Self {
        let mut index = CatalogueIndex {
            concepts,
            ..Default::default()
        };
        let mut df: FxHashMap<KeyKind, u32> = FxHashMap::default();
        let mut category_ids: FxHashMap<String, u32> = FxHashMap::default();
        let mut brand_ids: FxHashMap<String, u32> = FxHashMap::default();
        let mut item_keys: Vec<FxHashSet<KeyKind>> = Vec::with_capacity(items.len());
        for (n, item) in items.iter().enumerate() {
            let mut keys: FxHashSet<KeyKind> = FxHashSet::default();
            for title in &item.titles {
                keys.extend(
                    index
                        .concepts
                        .keys(&tokenize(&fold(title)))
                        .into_iter()
                        .map(|k| k.key),
                );
            }
            for k in &keys {
                *df.entry(k.clone()).or_default() += 1;
                index
                    .postings
                    .entry(k.clone())
                    .or_default()
                    .push(Field::Title(n as u32));
            }
            for cat in &item.categories {
                let next = category_ids.len() as u32;
                let id = *category_ids.entry(fold(cat)).or_insert_with(|| {
                    index.categories.push(cat.clone());
                    next
                });
                index.add_phrase(cat, Field::Category(id));
            }
            if let Some(brand) = item.brand.as_deref().filter(|b| !b.trim().is_empty()) {
                let next = brand_ids.len() as u32;
                let id = *brand_ids.entry(fold(brand)).or_insert_with(|| {
                    index.brands.push(brand.to_string());
                    next
                });
                index.add_phrase(brand, Field::Brand(id));
            }
            item_keys.push(keys);
        }
        let n = items.len().max(1) as f32;
        index.idf = df
            .iter()
            .map(|(k, &d)| (k.clone(), (n / d as f32).ln() + 1.0))
            .collect();
        for (item, keys) in items.iter().zip(&item_keys) {
            let weight = keys.iter().map(|k| index.idf[k]).sum();
            index.items.push(ItemMeta {
                id: item.id.clone(),
                title: item.titles.first().cloned().unwrap_or_default(),
                weight,
                keys: keys.len(),
            });
        }
        for postings in index.postings.values_mut() {
            postings.dedup();
        }
        for item in items {
            let texts = item
                .titles
                .iter()
                .chain(&item.categories)
                .chain(item.brand.as_ref());
            for text in texts {
                for t in tokenize(&fold(text)) {
                    if t.kind == TokenKind::Word {
                        index.speller.add(&t.text);
                    }
                }
            }
        }
        index
    }

    /// Category and brand names are matched as whole phrases (and through their concepts).
    fn add_phrase(&mut self, phrase: &str, field: Field) {
        let keys = self.concepts.keys(&tokenize(&fold(phrase)));
        // A one-key phrase ("Chaussures", "Nike") is indexed by that key; longer ones ("Maison
        // & Jardin") by each of their keys, and a mention needs all of them.
        for k in keys {
            let list = self.postings.entry(k.key).or_default();
            if !list.contains(&field) {
                list.push(field);
            }
        }
    }

    pub fn products(&self) -> usize {
        self.items.len()
    }

    /// The message keys, with misspelt words corrected to a catalogue or dictionary word first.
    fn message_keys(&self, tokens: &[Token]) -> Vec<Key> {
        let mut fixed: Vec<Token> = Vec::new();
        for t in tokens {
            let unknown = t.kind == TokenKind::Word
                && t.text.chars().count() >= 5
                && !self.speller.knows(&t.text)
                && !self.concepts.speller.knows(&t.text)
                && !self.concepts.phrases.contains_key(&t.text);
            let correction = if unknown {
                self.speller
                    .correct(&t.text)
                    .or_else(|| self.concepts.speller.correct(&t.text))
            } else {
                None
            };
            let mut t = t.clone();
            if let Some(c) = correction {
                t.text = c.to_string();
            }
            fixed.push(t);
        }
        self.concepts.keys(&fixed)
    }

    /// The catalogue mentions of one message (folded text and its tokens).
    pub fn find(&self, _folded: &str, tokens: &[Token]) -> Vec<Entity> {
        if self.items.is_empty() {
            return Vec::new();
        }
        let keys = self.message_keys(tokens);
        let mut out = Vec::new();
        let mut title_hits: FxHashMap<u32, (f32, usize, usize, usize)> = FxHashMap::default();
        let mut seen_cat = FxHashSet::default();
        let mut seen_brand = FxHashSet::default();
        let mut seen_keys = FxHashSet::default();
        for k in &keys {
            if !seen_keys.insert(&k.key) {
                continue;
            }
            let Some(postings) = self.postings.get(&k.key) else {
                continue;
            };
            for field in postings {
                match *field {
                    Field::Title(n) => {
                        let hit = title_hits.entry(n).or_insert((0.0, 0, k.start, k.end));
                        hit.0 += self.idf.get(&k.key).copied().unwrap_or(0.0);
                        hit.1 += 1;
                        hit.2 = hit.2.min(k.start);
                        hit.3 = hit.3.max(k.end);
                    }
                    Field::Category(c) if seen_cat.insert(c) => {
                        out.push(entity(
                            EntityKind::Category,
                            self.categories[c as usize].clone(),
                            k.start,
                            k.end,
                        ));
                    }
                    Field::Brand(b) if seen_brand.insert(b) => {
                        out.push(entity(
                            EntityKind::Brand,
                            self.brands[b as usize].clone(),
                            k.start,
                            k.end,
                        ));
                    }
                    _ => {}
                }
            }
        }
        // A product is named when the message covers most of what makes its title distinctive:
        // "écharpe mérinos" names "Écharpe en laine mérinos"; "écharpe" alone is a category
        // of things, not a product, unless a single product is called just that.
        let mut best: Vec<(f32, u32, usize, usize)> = title_hits
            .into_iter()
            .filter_map(|(n, (score, matched, start, end))| {
                let item = &self.items[n as usize];
                let coverage = score / item.weight.max(1e-6);
                let specific = matched >= 2 || item.keys == 1;
                (specific && coverage >= 0.5).then_some((coverage, n, start, end))
            })
            .collect();
        best.sort_by(|a, b| b.0.total_cmp(&a.0).then(a.1.cmp(&b.1)));
        if let Some(&(top, ..)) = best.first() {
            for &(coverage, n, start, end) in best.iter().take(3) {
                if coverage + 1e-6 < top {
                    break;
                }
                let item = &self.items[n as usize];
                let mut e = entity(EntityKind::Product, item.title.clone(), start, end);
                e.id = Some(item.id.clone());
                out.push(e);
            }
        }
        out
    }
}

/// The word with each one of its characters removed.
fn deletions(w: &str) -> Vec<String> {
    let chars: Vec<char> = w.chars().collect();
    (0..chars.len())
        .map(|skip| {
            chars
                .iter()
                .enumerate()
                .filter(|(i, _)| *i != skip)
                .map(|(_, c)| c)
                .collect()
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn shop() -> CatalogueIndex {
        let item = |id: &str, title: &str, cat: &str, brand: &str| CatalogueItem {
            id: id.into(),
            titles: vec![title.into()],
            categories: vec![cat.into()],
            brand: Some(brand.into()),
        };
        CatalogueIndex::build(&[
            item(
                "p1",
                "Écharpe en laine mérinos",
                "Accessoires",
                "Maison Lune",
            ),
            item("p2", "Baskets cuir blanc", "Chaussures", "Stride"),
            item("p3", "Rouge à lèvres mat", "Beauté", "Velours"),
            item("p4", "T-shirt coton bio", "Vêtements", "Stride"),
        ])
    }

    fn find(index: &CatalogueIndex, text: &str) -> Vec<(EntityKind, String)> {
        let folded = fold(text);
        index
            .find(&folded, &tokenize(&folded))
            .into_iter()
            .map(|e| (e.kind, e.value))
            .collect()
    }

    #[test]
    fn finds_products_across_languages_and_typos() {
        let index = shop();
        assert!(find(&index, "avez-vous l'écharpe mérinos ?")
            .contains(&(EntityKind::Product, "Écharpe en laine mérinos".into())));
        assert!(find(&index, "do you have the merino scarf")
            .contains(&(EntityKind::Product, "Écharpe en laine mérinos".into())));
        assert!(find(&index, "echarpe merinso")
            .contains(&(EntityKind::Product, "Écharpe en laine mérinos".into())));
        assert!(find(&index, "un rouge a levres mat")
            .contains(&(EntityKind::Product, "Rouge à lèvres mat".into())));
    }

    #[test]
    fn finds_categories_and_brands() {
        let index = shop();
        let got = find(&index, "des chaussures de la marque stride");
        assert!(
            got.contains(&(EntityKind::Category, "Chaussures".into())),
            "{got:?}"
        );
        assert!(
            got.contains(&(EntityKind::Brand, "Stride".into())),
            "{got:?}"
        );
        assert!(find(&index, "maison lune").contains(&(EntityKind::Brand, "Maison Lune".into())));
        assert!(find(&index, "what's the weather").is_empty());
    }
}
