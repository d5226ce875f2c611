//! Catalogue-aware mentions: which of the tenant's products, categories and brands a message
//! names, in any of the five languages, with typos.
//!
//! Words of titles and messages are mapped to language-neutral concepts through
//! `data/product_terms.toml` ("écharpe", "scarf", "Schal" → `scarf`), so a French catalogue is
//! found from an English message. Remaining words match literally or within one typo (a
//! deletion index: each word and its one-letter deletions, as SymSpell does, so lookups cost a
//! few hash probes whatever the catalogue size). The index is rebuilt when the catalogue changes.

use std::sync::Arc;

use rustc_hash::{FxHashMap, FxHashSet};

use super::{entity, Entity, EntityKind};
use crate::normalize::{fold, tokenize, Token, TokenKind};

const PRODUCT_TERMS: &str = include_str!("../../data/product_terms.toml");
const MAX_TERM_TOKENS: usize = 4;
/// Longest word the spellers index or correct.
const MAX_SPELLED: usize = 24;

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
        // Deletions grow with the square of the length: long "words" (codes, junk) are not
        // worth correcting and would let one product title cost megabytes.
        let len = word.chars().count();
        if !(5..=MAX_SPELLED).contains(&len) || !self.words.insert(word.to_string()) {
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
        if w.chars().count() > MAX_SPELLED + 1 {
            return None;
        }
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

    /// Concept phrases in a token sequence, longest first from left to right, as
    /// `(first token, token count, concept id)`; words that name no concept are skipped.
    pub fn spans(&self, tokens: &[Token]) -> Vec<(usize, usize, u32)> {
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
                    out.push((i, len, c));
                    i += len;
                    continue 'outer;
                }
            }
            i += 1;
        }
        out
    }

    /// Every folded phrase with its concept.
    pub fn phrases(&self) -> impl Iterator<Item = (&str, u32)> {
        self.phrases.iter().map(|(p, c)| (p.as_str(), *c))
    }

    /// The concept a folded one-word form names, if any.
    pub fn concept_of(&self, word: &str) -> Option<u32> {
        self.phrases.get(word).copied()
    }

    /// The concept's id name (`dress`, `Color:red`).
    pub fn name(&self, id: u32) -> &str {
        self.names.get(id as usize).map_or("", String::as_str)
    }

    /// The keys of a token sequence: concept ids for phrases the dictionary knows (longest
    /// first), literal words otherwise. Stop words and one-letter words are dropped.
    fn keys(&self, tokens: &[Token]) -> Vec<Key> {
        let mut out = Vec::new();
        let mut i = 0;
        let push_words = |out: &mut Vec<Key>, words: &[Token]| {
            for t in words {
                if t.kind != TokenKind::Symbol
                    && t.text.chars().count() >= 2
                    && !is_stop_word(&t.text)
                {
                    out.push(Key {
                        key: KeyKind::Word(t.text.clone()),
                        start: t.start,
                        end: t.end,
                    });
                }
            }
        };
        for (start, len, c) in self.spans(tokens) {
            push_words(&mut out, &tokens[i..start]);
            out.push(Key {
                key: KeyKind::Concept(c),
                start: tokens[start].start,
                end: tokens[start + len - 1].end,
            });
            i = start + len;
        }
        push_words(&mut out, &tokens[i..]);
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

/// Function words the mention index ignores (shared with product search).
pub fn is_stop_word(w: &str) -> bool {
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
            | "i"
            | "am"
            | "are"
            | "please"
            | "would"
            | "like"
            | "looking"
            | "some"
            | "any"
            | "something"
            | "por"
            | "entre"
            | "sur"
            | "von"
            | "zu"
            | "bei"
            | "auf"
            | "nel"
            | "nella"
            | "sul"
    )
}

/// A category or brand name: every one of its keys must be in the message.
#[derive(Debug)]
struct NamePhrase {
    keys: Vec<KeyKind>,
    /// The folded words of the name, to prefer the translation the shopper wrote.
    words: Vec<String>,
    name: String,
    kind: EntityKind,
    /// Translations of one category (names that label the same products) share a group and
    /// give one entity.
    group: u32,
}

/// One title of a product (one per language), as keys.
#[derive(Debug)]
struct TitleKeys {
    keys: Vec<KeyKind>,
    /// Sum of the idf of the keys.
    weight: f32,
}

#[derive(Debug)]
struct ItemMeta {
    id: String,
    title: String,
    titles: Vec<TitleKeys>,
}

/// The per-tenant mention index.
#[derive(Debug, Default)]
pub struct CatalogueIndex {
    concepts: Arc<Concepts>,
    /// Title key → the products whose title has it.
    titles: FxHashMap<KeyKind, Vec<u32>>,
    /// Name key → the category and brand names that contain it.
    names: FxHashMap<KeyKind, Vec<u32>>,
    phrases: Vec<NamePhrase>,
    /// The catalogue's own words (titles, categories, brands), for typo tolerance.
    speller: Speller,
    items: Vec<ItemMeta>,
    /// Inverse document frequency of each title key.
    idf: FxHashMap<KeyKind, f32>,
}

impl CatalogueIndex {
    /// Builds the index of a catalogue with the built-in concept dictionary.
    pub fn build(items: &[CatalogueItem]) -> Self {
        static BUILTIN: std::sync::OnceLock<Arc<Concepts>> = std::sync::OnceLock::new();
        // The dictionary is ~20 MB of phrases: one copy for every tenant's index.
        Self::build_with(
            items,
            Arc::clone(BUILTIN.get_or_init(|| Arc::new(Concepts::builtin()))),
        )
    }

    pub fn build_with(items: &[CatalogueItem], concepts: Arc<Concepts>) -> Self {
        let mut index = CatalogueIndex {
            concepts,
            ..Default::default()
        };
        let keys_of = |c: &Concepts, text: &str| -> Vec<KeyKind> {
            let mut keys: Vec<KeyKind> = c
                .keys(&tokenize(&fold(text)))
                .into_iter()
                .map(|k| k.key)
                .collect();
            let mut seen = FxHashSet::default();
            keys.retain(|k| seen.insert(k.clone()));
            keys
        };
        let mut df: FxHashMap<KeyKind, u32> = FxHashMap::default();
        let mut raw_titles: Vec<Vec<Vec<KeyKind>>> = Vec::with_capacity(items.len());
        for (n, item) in items.iter().enumerate() {
            let titles: Vec<Vec<KeyKind>> = item
                .titles
                .iter()
                .map(|t| keys_of(&index.concepts, t))
                .filter(|k| !k.is_empty())
                .collect();
            let mut distinct: FxHashSet<&KeyKind> = FxHashSet::default();
            distinct.extend(titles.iter().flatten());
            for k in distinct {
                *df.entry(k.clone()).or_default() += 1;
                index.titles.entry(k.clone()).or_default().push(n as u32);
            }
            raw_titles.push(titles);
        }
        let total = items.len().max(1) as f32;
        index.idf = df
            .iter()
            .map(|(k, &d)| (k.clone(), (total / d as f32).ln() + 1.0))
            .collect();
        for (item, titles) in items.iter().zip(raw_titles) {
            let titles = titles
                .into_iter()
                .map(|keys| TitleKeys {
                    weight: keys.iter().map(|k| index.idf[k]).sum(),
                    keys,
                })
                .collect();
            index.items.push(ItemMeta {
                id: item.id.clone(),
                title: item.titles.first().cloned().unwrap_or_default(),
                titles,
            });
        }

        // Category names of one product are translations of each other: one group.
        let mut group_of: FxHashMap<String, u32> = FxHashMap::default();
        let mut parent: Vec<u32> = Vec::new();
        let mut phrase_names: Vec<(String, EntityKind, u32)> = Vec::new();
        for item in items {
            let mut first: Option<u32> = None;
            for cat in &item.categories {
                let folded = fold(cat);
                let id = *group_of.entry(folded).or_insert_with(|| {
                    new_group(&mut parent, &mut phrase_names, cat, EntityKind::Category)
                });
                match first {
                    None => first = Some(id),
                    Some(f) => union(&mut parent, f, id),
                }
            }
        }
        let mut brands: FxHashMap<String, u32> = FxHashMap::default();
        for brand in items
            .iter()
            .filter_map(|i| i.brand.as_deref())
            .filter(|b| !b.trim().is_empty())
        {
            brands.entry(fold(brand)).or_insert_with(|| {
                new_group(&mut parent, &mut phrase_names, brand, EntityKind::Brand)
            });
        }
        for (name, kind, id) in phrase_names {
            let keys = keys_of(&index.concepts, &name);
            if keys.is_empty() {
                continue;
            }
            let at = index.phrases.len() as u32;
            for k in &keys {
                index.names.entry(k.clone()).or_default().push(at);
            }
            let words = tokenize(&fold(&name)).into_iter().map(|t| t.text).collect();
            index.phrases.push(NamePhrase {
                keys,
                words,
                name,
                kind,
                group: find(&mut parent, id),
            });
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

    pub fn products(&self) -> usize {
        self.items.len()
    }

    /// The message keys, with misspelt words corrected to a catalogue or dictionary word first.
    fn message_keys(&self, tokens: &[Token]) -> Vec<Key> {
        let mut fixed: Vec<Token> = Vec::new();
        for t in tokens {
            // Five-letter words are too often one edit from another word ("suche" → "küche").
            let unknown = t.kind == TokenKind::Word
                && t.text.chars().count() >= 6
                && !is_stop_word(&t.text)
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

    /// The catalogue mentions of one message (its folded tokens).
    pub fn find(&self, tokens: &[Token]) -> Vec<Entity> {
        if self.items.is_empty() && self.phrases.is_empty() {
            return Vec::new();
        }
        let keys = self.message_keys(tokens);
        let span: FxHashMap<&KeyKind, (usize, usize)> =
            keys.iter().map(|k| (&k.key, (k.start, k.end))).collect();
        let mut out = Vec::new();

        // Categories and brands: whole names, one entity per group, the longest name first.
        let mut candidates: Vec<u32> = keys
            .iter()
            .flat_map(|k| self.names.get(&k.key).into_iter().flatten().copied())
            .collect();
        candidates.sort_unstable();
        candidates.dedup();
        let words: FxHashSet<&str> = tokens.iter().map(|t| t.text.as_str()).collect();
        let mut matched: Vec<(usize, bool, u32, &NamePhrase)> = candidates
            .into_iter()
            .map(|p| (p, &self.phrases[p as usize]))
            .filter(|(_, p)| p.keys.iter().all(|k| span.contains_key(k)))
            .map(|(at, p)| {
                // Prefer the translation the shopper actually wrote, then the catalogue's first.
                let literal = p.words.iter().all(|w| words.contains(w.as_str()));
                (p.keys.len(), literal, at, p)
            })
            .collect();
        matched.sort_by(|a, b| b.0.cmp(&a.0).then(b.1.cmp(&a.1)).then(a.2.cmp(&b.2)));
        let matched: Vec<&NamePhrase> = matched.into_iter().map(|m| m.3).collect();
        let mut groups = FxHashSet::default();
        for p in matched {
            if groups.insert(p.group) {
                let start = p.keys.iter().map(|k| span[k].0).min().unwrap_or(0);
                let end = p.keys.iter().map(|k| span[k].1).max().unwrap_or(0);
                out.push(entity(p.kind, p.name.clone(), start, end));
            }
        }

        // Products: the message must cover at least half the distinctive weight of one of the
        // product's titles, with two keys or more (or the title's only key): "écharpe mérinos"
        // names "Écharpe en laine mérinos"; "écharpe" alone is a kind of thing, not a product.
        // Candidates come from the message's distinctive keys only: a word shared by 5% of
        // the catalogue ("laine", "rouge") cannot name one product by itself, and scanning its
        // postings would make a 10,000-product shop slow. Common keys still count in coverage.
        let limit = (self.items.len() / 20).max(100);
        let mut candidates: Vec<u32> = keys
            .iter()
            .filter_map(|k| self.titles.get(&k.key))
            .filter(|postings| postings.len() <= limit)
            .flatten()
            .copied()
            .collect();
        candidates.sort_unstable();
        candidates.dedup();
        let mut best: Vec<(f32, u32, usize, usize)> = Vec::new();
        for n in candidates {
            let item = &self.items[n as usize];
            let mut top: Option<(f32, usize, usize)> = None;
            for title in &item.titles {
                let hits: Vec<&KeyKind> =
                    title.keys.iter().filter(|k| span.contains_key(k)).collect();
                if hits.is_empty() || (hits.len() < 2 && title.keys.len() > 1) {
                    continue;
                }
                let score: f32 = hits.iter().map(|k| self.idf[*k]).sum();
                let coverage = score / title.weight.max(1e-6);
                if coverage >= 0.5 && top.is_none_or(|t| coverage > t.0) {
                    let start = hits.iter().map(|k| span[*k].0).min().unwrap_or(0);
                    let end = hits.iter().map(|k| span[*k].1).max().unwrap_or(0);
                    top = Some((coverage, start, end));
                }
            }
            if let Some((coverage, start, end)) = top {
                best.push((coverage, n, start, end));
            }
        }
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

/// A new union-find group holding one category or brand name.
fn new_group(
    parent: &mut Vec<u32>,
    names: &mut Vec<(String, EntityKind, u32)>,
    name: &str,
    kind: EntityKind,
) -> u32 {
    let id = parent.len() as u32;
    parent.push(id);
    names.push((name.to_string(), kind, id));
    id
}

fn find(parent: &mut [u32], x: u32) -> u32 {
    let mut root = x;
    while parent[root as usize] != root {
        root = parent[root as usize];
    }
    let mut x = x;
    while parent[x as usize] != root {
        let next = parent[x as usize];
        parent[x as usize] = root;
        x = next;
    }
    root
}

fn union(parent: &mut [u32], a: u32, b: u32) {
    let (ra, rb) = (find(parent, a), find(parent, b));
    if ra != rb {
        parent[rb as usize] = ra;
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
            .find(&tokenize(&folded))
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
    fn translated_titles_do_not_dilute_and_names_match_whole() {
        let item = |id: &str, titles: &[&str], cats: &[&str], brand: &str| CatalogueItem {
            id: id.into(),
            titles: titles.iter().map(|t| t.to_string()).collect(),
            categories: cats.iter().map(|t| t.to_string()).collect(),
            brand: Some(brand.into()),
        };
        let index = CatalogueIndex::build(&[
            item(
                "silk",
                &[
                    "Foulard en soie imprimé",
                    "Printed Silk Scarf",
                    "Bedrucktes Seidentuch",
                ],
                &["Accessoires", "Accessories", "Accessori"],
                "Maison Sable",
            ),
            item(
                "iris",
                &["Vase en grès", "Stoneware vase"],
                &["Décoration", "Home decor"],
                "Maison Iris",
            ),
            item(
                "towel",
                &["Serviette de bain", "Bath towel"],
                &["Linge de bain", "Bath linen"],
                "Foyer Lin",
            ),
        ]);
        for text in [
            "avez-vous le foulard en soie ?",
            "do you have the silk scarf",
            "das bedruckte Seidentuch bitte",
        ] {
            let got = find(&index, text);
            assert!(
                got.contains(&(EntityKind::Product, "Foulard en soie imprimé".into())),
                "{text}: {got:?}"
            );
        }
        let got = find(&index, "quelque chose de Maison Sable");
        assert_eq!(
            got,
            vec![(EntityKind::Brand, "Maison Sable".into())],
            "a brand needs all its words"
        );
        let got = find(&index, "des accessoires en lin");
        let categories: Vec<_> = got
            .iter()
            .filter(|(k, _)| *k == EntityKind::Category)
            .collect();
        assert_eq!(
            categories,
            [&(EntityKind::Category, "Accessoires".into())],
            "one entity per translated category: {got:?}"
        );
        assert!(
            !got.iter().any(|(k, _)| *k == EntityKind::Brand),
            "'lin' alone is not the brand Foyer Lin: {got:?}"
        );
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
