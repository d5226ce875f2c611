//! The word lists of `data/lexicon.toml`: colours, materials and sizes to their canonical English
//! value, number words, ordinals, and trap phrases that contain such words without meaning them.
//! Phrases are stored as folded token sequences so matching is a lookup per token window.

use rustc_hash::FxHashMap;
use serde::Deserialize;

use crate::normalize::{fold, tokenize};
use crate::Lang;

const LEXICON: &str = include_str!("../../data/lexicon.toml");

/// Longest phrase, in tokens, any table holds.
pub const MAX_PHRASE: usize = 5;

#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
pub enum Attribute {
    Color,
    Material,
    Size,
}

#[derive(Debug, Default)]
pub struct Lexicon {
    /// Folded phrase ("bleu marine") → attribute and canonical value.
    pub attributes: FxHashMap<String, (Attribute, String)>,
    /// Words that introduce a size ("taille", "größe").
    pub size_cues: FxHashMap<String, ()>,
    /// Number and ordinal words per language ("neuf" is 9 in French but "new" elsewhere).
    pub numbers: FxHashMap<(Lang, String), i64>,
    pub ordinals: FxHashMap<(Lang, String), i64>,
    /// Folded trap phrases ("rouge a levres").
    pub traps: FxHashMap<String, ()>,
    /// German material stems of compound nouns, longest first ("wildleder" before "leder").
    pub compounds: Vec<(String, String)>,
    /// The usual word for a canonical colour or material in a language ("red", fr) → "rouge",
    /// to show a variant's options in the shopper's language.
    pub names: FxHashMap<(String, String), String>,
}

#[derive(Deserialize)]
struct Raw {
    color: FxHashMap<String, FxHashMap<String, Vec<String>>>,
    material: FxHashMap<String, FxHashMap<String, Vec<String>>>,
    size: RawSize,
    numbers: FxHashMap<String, FxHashMap<String, i64>>,
    ordinals: FxHashMap<String, FxHashMap<String, i64>>,
    traps: RawTraps,
    #[serde(default)]
    compounds: FxHashMap<String, FxHashMap<String, String>>,
}

#[derive(Deserialize)]
struct RawSize {
    cue: FxHashMap<String, Vec<String>>,
    words: FxHashMap<String, FxHashMap<String, Vec<String>>>,
}

#[derive(Deserialize)]
struct RawTraps {
    phrases: Vec<String>,
}

/// Folds a phrase and joins its tokens with single spaces, the key format of every table.
pub fn key(phrase: &str) -> String {
    tokenize(&fold(phrase))
        .into_iter()
        .map(|t| t.text)
        .collect::<Vec<_>>()
        .join(" ")
}

impl Lexicon {
    /// Parses the built-in lexicon. It is part of the binary, so a parse error is a build defect
    /// that the unit tests catch.
    pub fn builtin() -> Self {
        Self::parse(LEXICON).expect("data/lexicon.toml is valid")
    }

    pub fn parse(text: &str) -> Result<Self, toml::de::Error> {
        let raw: Raw = toml::from_str(text)?;
        let mut lex = Lexicon::default();
        for (attribute, table) in [
            (Attribute::Color, &raw.color),
            (Attribute::Material, &raw.material),
        ] {
            for (canonical, langs) in table {
                for form in langs.values().flatten() {
                    lex.attributes
                        .insert(key(form), (attribute, canonical.clone()));
                }
                for (lang, forms) in langs {
                    if let Some(first) = forms.first() {
                        lex.names
                            .insert((canonical.clone(), lang.clone()), first.clone());
                    }
                }
            }
        }
        for (canonical, langs) in &raw.size.words {
            for form in langs.values().flatten() {
                lex.attributes
                    .insert(key(form), (Attribute::Size, canonical.clone()));
            }
        }
        for cue in raw.size.cue.values().flatten() {
            lex.size_cues.insert(key(cue), ());
        }
        for (table, raw) in [
            (&mut lex.numbers, &raw.numbers),
            (&mut lex.ordinals, &raw.ordinals),
        ] {
            for (code, words) in raw {
                let Some(lang) = Lang::parse(code) else {
                    continue;
                };
                for (w, n) in words {
                    table.insert((lang, key(w)), *n);
                }
            }
        }
        for t in &raw.traps.phrases {
            lex.traps.insert(key(t), ());
        }
        for (stem, material) in raw.compounds.get("de").into_iter().flatten() {
            lex.compounds.push((key(stem), material.clone()));
        }
        lex.compounds
            .sort_by(|a, b| b.0.len().cmp(&a.0.len()).then_with(|| a.0.cmp(&b.0)));
        Ok(lex)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn builtin_lexicon_parses_and_maps_across_languages() {
        let lex = Lexicon::builtin();
        for w in ["rouge", "red", "rot", "rosso", "rojo"] {
            assert_eq!(
                lex.attributes.get(w).map(|a| a.1.as_str()),
                Some("red"),
                "{w}"
            );
        }
        assert_eq!(
            lex.attributes.get("bleu marine").map(|a| a.1.as_str()),
            Some("navy")
        );
        assert_eq!(
            lex.attributes.get("cuir").map(|a| (a.0, a.1.as_str())),
            Some((Attribute::Material, "leather"))
        );
        assert!(lex.traps.contains_key("rouge a levres"));
        assert_eq!(lex.numbers.get(&(Lang::Fr, "deux".into())), Some(&2));
        assert_eq!(lex.numbers.get(&(Lang::De, "zwei".into())), Some(&2));
        assert_eq!(lex.numbers.get(&(Lang::En, "neuf".into())), None);
        assert_eq!(lex.ordinals.get(&(Lang::Fr, "deuxieme".into())), Some(&2));
        assert!(lex.size_cues.contains_key("grosse"));
        assert!(lex
            .attributes
            .keys()
            .all(|k| k.split(' ').count() <= MAX_PHRASE));
    }
}
