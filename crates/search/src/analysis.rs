//! Text analysis shared by indexing and querying: folding, tokens, Snowball stems per language,
//! language-neutral concepts ("robe", "dress", "Kleid" → `dress`; "rouge", "red" → `Color:red`)
//! and canonical variant attributes (colour, size, material).
//!
//! Terms are strings in three namespaces, so one posting table serves them all:
//! `w:` a folded word, `s:` a Snowball stem, `c:` a concept.

use comptoir_domain::Lang;
use comptoir_nlu::entities::catalogue::{is_stop_word, Concepts};
use comptoir_nlu::entities::lexicon::{Attribute, Lexicon};
use comptoir_nlu::language::LanguageIdentifier;
use comptoir_nlu::normalize::{fold, tokenize, Token, TokenKind};
use rust_stemmers::{Algorithm, Stemmer};
use rustc_hash::FxHashMap;

use crate::spell::Deletions;

/// The five languages we stem, in a fixed order.
pub const LANGS: [&str; 5] = ["fr", "en", "de", "it", "es"];

/// Everything analysis needs, built once per process and shared by every tenant's index.
pub struct Analyzer {
    pub concepts: Concepts,
    pub lexicon: Lexicon,
    pub languages: LanguageIdentifier,
    stemmers: [Stemmer; 5],
    /// Stem of a one-word concept form (in any language) → its concept, when unambiguous:
    /// "micro onde" and "Motorcycles" reach concepts listed as "micro-ondes", "motorcycle".
    concept_stems: FxHashMap<String, Option<u32>>,
    /// One-word concept forms, sorted, for as-you-type completion across languages.
    concept_words: Vec<(String, u32)>,
    /// Typo candidates among one-word concept forms.
    concept_spelling: Deletions,
}

impl std::fmt::Debug for Analyzer {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("Analyzer")
    }
}

impl Default for Analyzer {
    fn default() -> Self {
        Self::new()
    }
}

/// Canonical attributes of a variant or a query.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Attributes {
    pub colors: Vec<String>,
    pub sizes: Vec<String>,
    pub materials: Vec<String>,
}

/// Option names that hold a size whatever their value ("taille", "Größe", "size").
fn is_size_option(name: &str) -> bool {
    matches!(
        name,
        "size"
            | "taille"
            | "pointure"
            | "grosse"
            | "groesse"
            | "taglia"
            | "misura"
            | "talla"
            | "numero"
            | "shoe size"
            | "length"
            | "longueur"
            | "volume"
            | "contenance"
            | "capacity"
            | "capacite"
    )
}

fn is_color_option(name: &str) -> bool {
    matches!(
        name,
        "color" | "colour" | "couleur" | "farbe" | "colore" | "teinte" | "shade"
    )
}

fn is_material_option(name: &str) -> bool {
    matches!(
        name,
        "material" | "matiere" | "materiau" | "materiale" | "stoff" | "tissu" | "fabric"
    )
}

impl Analyzer {
    pub fn new() -> Self {
        let mut a = Analyzer {
            concepts: Concepts::builtin(),
            lexicon: Lexicon::builtin(),
            languages: LanguageIdentifier::new(),
            stemmers: [
                Stemmer::create(Algorithm::French),
                Stemmer::create(Algorithm::English),
                Stemmer::create(Algorithm::German),
                Stemmer::create(Algorithm::Italian),
                Stemmer::create(Algorithm::Spanish),
            ],
            concept_stems: FxHashMap::default(),
            concept_words: Vec::new(),
            concept_spelling: Deletions::default(),
        };
        let words: Vec<(String, u32)> = a
            .concepts
            .phrases()
            .filter(|(p, _)| !p.contains(' '))
            .map(|(p, c)| (p.to_string(), c))
            .collect();
        let mut stems: FxHashMap<String, Option<u32>> = FxHashMap::default();
        for (w, c) in &words {
            for s in a.stems_any(w) {
                let e = stems.entry(s).or_insert(Some(*c));
                if *e != Some(*c) {
                    *e = None;
                }
            }
            a.concept_spelling.add(w);
        }
        a.concept_stems = stems;
        a.concept_words = words;
        a.concept_words.sort();
        a
    }

    /// The concept term a word reaches through its stem in any language.
    pub fn concept_by_stem(&self, word: &str) -> Option<String> {
        self.stems_any(word)
            .into_iter()
            .find_map(|s| self.concept_stems.get(&s).copied().flatten())
            .map(|c| format!("c:{}", self.concepts.name(c)))
    }

    /// Concept terms of the concept words `prefix` starts (shortest words first).
    pub fn concept_completions(&self, prefix: &str, max: usize) -> Vec<String> {
        let start = self
            .concept_words
            .partition_point(|(w, _)| w.as_str() < prefix);
        let mut found: Vec<(usize, u32)> = self.concept_words[start..]
            .iter()
            .take_while(|(w, _)| w.starts_with(prefix))
            .map(|(w, c)| (w.chars().count(), *c))
            .collect();
        found.sort();
        let mut out: Vec<String> = Vec::new();
        for (_, c) in found {
            let name = format!("c:{}", self.concepts.name(c));
            if !out.contains(&name) {
                out.push(name);
            }
            if out.len() >= max {
                break;
            }
        }
        out
    }

    /// Concept terms within one typo (two for long words) of a word, with the distance.
    pub fn concept_typos(&self, word: &str) -> Vec<(String, usize)> {
        let mut out: Vec<(String, usize)> = Vec::new();
        for (w, d) in self.concept_spelling.near(word) {
            if let Some(c) = self.concepts.concept_of(&w) {
                let name = format!("c:{}", self.concepts.name(c));
                if !out.iter().any(|(n, _)| *n == name) {
                    out.push((name, d));
                }
            }
        }
        out
    }

    /// Folded tokens of a text (words and numbers; symbols dropped).
    pub fn tokens(&self, text: &str) -> Vec<Token> {
        tokenize(&fold(text))
            .into_iter()
            .filter(|t| t.kind != TokenKind::Symbol)
            .collect()
    }

    fn stemmer(&self, lang: &str) -> Option<&Stemmer> {
        LANGS
            .iter()
            .position(|l| *l == lang)
            .map(|i| &self.stemmers[i])
    }

    /// The Snowball stem of a folded word in a language, when it differs from the word.
    pub fn stem(&self, word: &str, lang: &str) -> Option<String> {
        if word.chars().count() < 4 || word.chars().any(|c| c.is_ascii_digit()) {
            return None;
        }
        let s = self.stemmer(lang)?.stem(word);
        (s != word && s.chars().count() >= 3).then(|| s.into_owned())
    }

    /// Stems of a query word in every language (the query's language may be unknown or
    /// differ from the catalogue's), deduplicated.
    pub fn stems_any(&self, word: &str) -> Vec<String> {
        let mut out: Vec<String> = Vec::new();
        for l in LANGS {
            if let Some(s) = self.stem(word, l) {
                if !out.contains(&s) {
                    out.push(s);
                }
            }
        }
        out
    }

    /// A function word no search should hinge on ("the", "une", "ich", "busco").
    pub fn is_filler(&self, word: &str) -> bool {
        is_stop_word(word) || is_query_filler(word)
    }

    /// The shopper's language, from the text (falls back to `fallback`).
    pub fn language(&self, text: &str, fallback: Option<Lang>) -> Option<Lang> {
        let prev = fallback
            .as_ref()
            .and_then(|l| comptoir_nlu::Lang::parse(l.as_str()));
        self.languages
            .identify(text, prev)
            .lang()
            .and_then(|l| Lang::parse(l.code()))
            .or(fallback)
    }

    /// The canonical word of a colour, size or material named in any language ("rouge" →
    /// `red`); an unknown value is only folded.
    pub fn canonical(&self, kind: Attribute, value: &str) -> String {
        let key = comptoir_nlu::entities::lexicon::key(value);
        match self.lexicon.attributes.get(&key) {
            Some((k, c)) if *k == kind => c.clone(),
            _ => key,
        }
    }

    /// An option value ("Rouge", "Noir", "Violet") in another language ("Red" in English),
    /// when it names a colour or material the lexicon knows; capitalised as the merchant wrote
    /// it. Sizes and unknown values stay as they are.
    pub fn localize_value(&self, value: &str, lang: &str) -> String {
        let key = comptoir_nlu::entities::lexicon::key(value);
        let Some((kind, canonical)) = self.lexicon.attributes.get(&key) else {
            return value.to_string();
        };
        if !matches!(kind, Attribute::Color | Attribute::Material) {
            return value.to_string();
        }
        match self
            .lexicon
            .names
            .get(&(canonical.clone(), lang.to_string()))
        {
            Some(name) if value.starts_with(char::is_uppercase) => {
                let mut c = name.chars();
                c.next()
                    .map(|f| f.to_uppercase().chain(c).collect())
                    .unwrap_or_default()
            }
            Some(name) => name.clone(),
            None => value.to_string(),
        }
    }

    /// Canonical attributes of a variant's options: values are read through the lexicon
    /// whatever the option's name, so "Rouge", "Red" and "Rot" are all `red`.
    pub fn variant_attributes(&self, options: &[(String, String)]) -> Attributes {
        let mut a = Attributes::default();
        for (name, value) in options {
            let name = fold(name);
            let value_key = comptoir_nlu::entities::lexicon::key(value);
            if value_key.is_empty() {
                continue;
            }
            let known = self.lexicon.attributes.get(&value_key);
            match known {
                Some((Attribute::Color, c)) if !is_size_option(&name) => push(&mut a.colors, c),
                Some((Attribute::Material, m)) if !is_size_option(&name) => {
                    push(&mut a.materials, m)
                }
                Some((Attribute::Size, s)) => push(&mut a.sizes, s),
                _ if is_size_option(&name) => push(&mut a.sizes, &value_key),
                _ if is_color_option(&name) => {
                    // An unknown colour name ("Nude", "Sable") may still hold a known word.
                    let words = self.tokens(value);
                    let mut found = false;
                    for t in &words {
                        if let Some((Attribute::Color, c)) = self.lexicon.attributes.get(&t.text) {
                            push(&mut a.colors, c);
                            found = true;
                        }
                    }
                    if !found {
                        push(&mut a.colors, &value_key);
                    }
                }
                _ if is_material_option(&name) => push(&mut a.materials, &value_key),
                _ => {
                    if looks_like_size(&value_key) {
                        push(&mut a.sizes, &value_key);
                    }
                }
            }
        }
        a
    }

    /// Colours and materials a text names (title, tags), as canonical words.
    pub fn text_attributes(&self, tokens: &[Token]) -> Attributes {
        let mut a = Attributes::default();
        for len in (1..=2).rev() {
            for w in tokens.windows(len) {
                let key = w
                    .iter()
                    .map(|t| t.text.as_str())
                    .collect::<Vec<_>>()
                    .join(" ");
                match self.lexicon.attributes.get(&key) {
                    Some((Attribute::Color, c)) => push(&mut a.colors, c),
                    Some((Attribute::Material, m)) => push(&mut a.materials, m),
                    _ => {}
                }
            }
        }
        a
    }

    /// Concept term names for a token sequence, with the tokens each covers.
    pub fn concept_spans(&self, tokens: &[Token]) -> Vec<(usize, usize, String)> {
        self.concepts
            .spans(tokens)
            .into_iter()
            .map(|(i, n, c)| (i, n, format!("c:{}", self.concepts.name(c))))
            .collect()
    }
}

fn push(v: &mut Vec<String>, s: &str) {
    if !v.iter().any(|x| x == s) {
        v.push(s.to_string());
    }
}

/// Letter sizes and plain numbers ("M", "XL", "38", "42.5") read as sizes.
fn looks_like_size(v: &str) -> bool {
    matches!(
        v,
        "xxs" | "xs" | "s" | "m" | "l" | "xl" | "xxl" | "2xl" | "3xl" | "xxxl"
    ) || (!v.is_empty() && v.len() <= 5 && v.chars().all(|c| c.is_ascii_digit() || c == '.'))
}

/// Words of search requests that say nothing about the product, in the five languages.
fn is_query_filler(w: &str) -> bool {
    matches!(
        w,
        // fr
        "je" | "j" | "cherche" | "recherche" | "voudrais" | "veux" | "besoin" | "avez"
            | "auriez" | "vous" | "montrez" | "montre-moi" | "moi" | "quelque" | "chose"
            | "svp" | "merci" | "bonjour" | "est" | "ce" | "que" | "qui" | "il" | "y" | "a"
            | "avoir" | "acheter" | "trouver" | "offrir" | "sur" | "dans" | "par" | "pas"
            | "cher" | "chere" | "prix" | "euros" | "euro" | "eur"
            // en
            | "i" | "im" | "looking" | "look" | "search" | "searching" | "show" | "find"
            | "buy" | "get" | "some" | "any" | "something" | "please" | "would" | "like"
            | "can" | "could" | "got" | "there" | "are" | "which" | "cheap" | "price"
            | "dollars" | "dollar" | "usd" | "from" | "under" | "below" | "less" | "than"
            | "over" | "above" | "about" | "around" | "good" | "best" | "nice"
            // de
            | "ich" | "suche" | "brauche" | "möchte" | "moechte" | "mochte" | "hätte"
            | "haette" | "hatte" | "gern" | "gerne" | "haben" | "habt" | "ihr" | "sie"
            | "eine" | "einen" | "einem" | "einer" | "ein" | "der" | "die" | "das" | "den"
            | "dem" | "des" | "und" | "oder" | "mit" | "für" | "fur" | "fuer" | "zum"
            | "zur" | "von" | "aus" | "bitte" | "etwas" | "unter" | "bis" | "günstig"
            | "gunstig" | "guenstig" | "billig"
            // it
            | "cerco" | "vorrei" | "voglio" | "bisogno" | "avete" | "un" | "uno" | "una"
            | "lo" | "gli" | "le" | "di" | "da" | "per" | "con" | "qualcosa" | "sotto"
            | "meno" | "economico" | "economica" | "mi" | "serve" | "mostrami"
            // es
            | "busco" | "quiero" | "necesito" | "tienen" | "tenéis" | "teneis" | "el" | "los"
            | "las" | "unos" | "unas" | "del" | "al" | "para" | "algo" | "menos"
            | "barato" | "barata" | "muéstrame" | "muestrame" | "hay"
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn stems_in_each_language() {
        let a = Analyzer::new();
        assert_eq!(a.stem("dresses", "en").as_deref(), Some("dress"));
        assert_eq!(a.stem("chaussures", "fr").as_deref(), Some("chaussur"));
        assert!(a.stems_any("kleider").contains(&"kleid".to_string()));
    }

    #[test]
    fn variant_options_become_canonical_attributes() {
        let a = Analyzer::new();
        let opts = vec![
            ("Taille".to_string(), "M".to_string()),
            ("Couleur".to_string(), "Rouge".to_string()),
        ];
        let got = a.variant_attributes(&opts);
        assert_eq!(got.colors, vec!["red"]);
        assert_eq!(got.sizes, vec!["m"]);
        let got = a.variant_attributes(&[("Farbe".into(), "Salbeigrün".into())]);
        assert_eq!(got.colors, vec!["sage"]);
        let got = a.variant_attributes(&[("size".into(), "38".into())]);
        assert_eq!(got.sizes, vec!["38"]);
    }

    #[test]
    fn concepts_cross_languages() {
        let a = Analyzer::new();
        let fr = a.concept_spans(&a.tokens("robe rouge"));
        let en = a.concept_spans(&a.tokens("Red Dress"));
        let names = |v: &[(usize, usize, String)]| {
            let mut n: Vec<String> = v.iter().map(|x| x.2.clone()).collect();
            n.sort();
            n
        };
        assert_eq!(names(&fr), names(&en));
    }
}
