//! The agent's sentences, per language, from `data/replies/<lang>.toml`: several wordings per
//! reply so the agent does not repeat itself, chosen deterministically from the conversation
//! and the turn (the same conversation replayed gives the same words).
//!
//! Placeholders are `{name}`; a missing value is a bug caught by the tests, never shown.

use std::collections::HashMap;

use crate::Lang;

const FILES: [(&str, &str); 5] = [
    ("en", include_str!("../../../data/replies/en.toml")),
    ("fr", include_str!("../../../data/replies/fr.toml")),
    ("de", include_str!("../../../data/replies/de.toml")),
    ("it", include_str!("../../../data/replies/it.toml")),
    ("es", include_str!("../../../data/replies/es.toml")),
];

/// Every language's reply texts.
pub struct Replies {
    by_lang: HashMap<&'static str, HashMap<String, Vec<String>>>,
}

#[derive(Debug, thiserror::Error)]
#[error("reply texts for `{lang}`: {message}")]
pub struct RepliesError {
    pub lang: String,
    pub message: String,
}

impl Replies {
    /// The texts compiled into the binary.
    pub fn builtin() -> Result<Replies, RepliesError> {
        let mut by_lang = HashMap::new();
        for (lang, text) in FILES {
            let table: HashMap<String, Vec<String>> =
                toml::from_str(text).map_err(|e| RepliesError {
                    lang: lang.into(),
                    message: e.to_string(),
                })?;
            if let Some((k, _)) = table.iter().find(|(_, v)| v.is_empty()) {
                return Err(RepliesError {
                    lang: lang.into(),
                    message: format!("`{k}` has no text"),
                });
            }
            by_lang.insert(lang, table);
        }
        Ok(Replies { by_lang })
    }

    /// The keys of a language, for the completeness tests.
    pub fn keys(&self, lang: &str) -> Vec<&str> {
        let mut k: Vec<&str> = self
            .by_lang
            .get(lang)
            .map(|t| t.keys().map(String::as_str).collect())
            .unwrap_or_default();
        k.sort_unstable();
        k
    }

    /// All wordings of a key in a language (English when the language lacks it).
    pub fn variants(&self, lang: Lang, key: &str) -> &[String] {
        self.by_lang
            .get(lang.code())
            .and_then(|t| t.get(key))
            .or_else(|| self.by_lang.get("en").and_then(|t| t.get(key)))
            .map(Vec::as_slice)
            .unwrap_or(&[])
    }

    /// One wording of `key`, picked by `seed`, with its placeholders filled.
    pub fn render(&self, lang: Lang, key: &str, seed: u64, vars: &[(&str, &str)]) -> String {
        let variants = self.variants(lang, key);
        if variants.is_empty() {
            tracing::error!(key, "reply text missing");
            return String::new();
        }
        let template = &variants[(seed % variants.len() as u64) as usize];
        fill(template, vars)
    }
}

/// Replaces `{name}` by its value; unknown names stay as they are.
pub fn fill(template: &str, vars: &[(&str, &str)]) -> String {
    let mut out = String::with_capacity(template.len() + 32);
    let mut rest = template;
    while let Some(open) = rest.find('{') {
        out.push_str(&rest[..open]);
        let after = &rest[open + 1..];
        match after.find('}') {
            Some(close) => {
                let name = &after[..close];
                match vars.iter().find(|(k, _)| *k == name) {
                    Some((_, v)) => out.push_str(v),
                    None => {
                        out.push('{');
                        out.push_str(name);
                        out.push('}');
                    }
                }
                rest = &after[close + 1..];
            }
            None => {
                out.push_str(&rest[open..]);
                rest = "";
            }
        }
    }
    out.push_str(rest);
    out
}

/// The `{names}` a text uses, sorted.
pub fn placeholders(text: &str) -> Vec<String> {
    let mut names = Vec::new();
    let mut rest = text;
    while let Some(open) = rest.find('{') {
        let after = &rest[open + 1..];
        let Some(close) = after.find('}') else { break };
        names.push(after[..close].to_string());
        rest = &after[close + 1..];
    }
    names.sort();
    names.dedup();
    names
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn fills_placeholders() {
        assert_eq!(
            fill("{a} and {b}, {c}", &[("a", "1"), ("b", "2")]),
            "1 and 2, {c}"
        );
        assert_eq!(fill("no {brace", &[]), "no {brace");
        assert_eq!(placeholders("{x} {y} {x}"), vec!["x", "y"]);
    }

    /// Every language has every key, and every wording of a key uses the same placeholders
    /// as English: a sentence can never show `{title}` or lose a price.
    #[test]
    fn every_language_has_every_reply_with_the_same_placeholders() {
        let r = Replies::builtin().unwrap();
        let en = r.keys("en");
        assert!(en.len() > 50);
        for lang in ["fr", "de", "it", "es"] {
            assert_eq!(r.keys(lang), en, "{lang} keys differ from en");
            let l = Lang::parse(lang).unwrap();
            for key in &en {
                let want = placeholders(&r.variants(Lang::En, key)[0]);
                for v in r.variants(l, key) {
                    assert_eq!(placeholders(v), want, "{lang}.{key}: {v}");
                }
            }
        }
        for key in &en {
            let vs = r.variants(Lang::En, key);
            let want = placeholders(&vs[0]);
            for v in vs {
                assert_eq!(placeholders(v), want, "en.{key}: {v}");
            }
        }
    }
}
