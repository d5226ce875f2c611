//! The agent's sentences, per language, from `data/replies/<lang>.toml`: several wordings per
//! reply so the agent does not repeat itself, chosen deterministically from the conversation
//! and the turn (the same conversation replayed gives the same words).
//!
//! A merchant may replace the wordings of any reply in any language with its own text
//! (`settings.replies[key][lang]`, see [`Replies::render_for`]); [`check_reply_override`] says
//! whether such a text fits (a known key, the same placeholders as the built-in text).
//!
//! Placeholders are `{name}` (letters, digits and `_`); a missing value is a bug caught by the
//! tests, and is never shown: the placeholder is dropped rather than left raw.

use std::collections::{BTreeMap, HashMap};
use std::sync::OnceLock;

use crate::Lang;

const FILES: [(&str, &str); 5] = [
    ("en", include_str!("../../../data/replies/en.toml")),
    ("fr", include_str!("../../../data/replies/fr.toml")),
    ("de", include_str!("../../../data/replies/de.toml")),
    ("it", include_str!("../../../data/replies/it.toml")),
    ("es", include_str!("../../../data/replies/es.toml")),
];

/// A merchant's own wordings: reply key → language → text (`TenantSettings::replies`).
pub type Overrides = BTreeMap<String, BTreeMap<String, String>>;

/// Every language's reply texts.
pub struct Replies {
    by_lang: HashMap<&'static str, HashMap<String, Vec<String>>>,
    /// Every key, in the order of the English file (related replies together).
    order: Vec<String>,
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
        // The file's order, read from its `key = [` lines; any key missed that way follows,
        // sorted (the set is the parsed one whatever the layout).
        let en = &by_lang["en"];
        let mut order: Vec<String> = Vec::with_capacity(en.len());
        for line in FILES[0].1.lines() {
            if let Some((k, _)) = line.split_once(" = [") {
                let k = k.trim();
                if en.contains_key(k) && !order.iter().any(|o| o == k) {
                    order.push(k.to_string());
                }
            }
        }
        let mut rest: Vec<String> = en.keys().filter(|k| !order.contains(k)).cloned().collect();
        rest.sort();
        order.extend(rest);
        Ok(Replies { by_lang, order })
    }

    /// The built-in texts, parsed once per process (for the checks of merchants' wordings).
    pub fn shared() -> &'static Replies {
        static SHARED: OnceLock<Replies> = OnceLock::new();
        SHARED.get_or_init(|| Replies::builtin().expect("the built-in reply texts are valid"))
    }

    /// The keys of a language, sorted, for the completeness tests.
    pub fn keys(&self, lang: &str) -> Vec<&str> {
        let mut k: Vec<&str> = self
            .by_lang
            .get(lang)
            .map(|t| t.keys().map(String::as_str).collect())
            .unwrap_or_default();
        k.sort_unstable();
        k
    }

    /// Every reply key, in a stable order (that of `data/replies/en.toml`, related replies
    /// together): what an editor of the merchant's wordings lists.
    pub fn all_keys(&self) -> Vec<&str> {
        self.order.iter().map(String::as_str).collect()
    }

    /// Whether `key` names a reply.
    pub fn has_key(&self, key: &str) -> bool {
        self.by_lang.get("en").is_some_and(|t| t.contains_key(key))
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

    /// The placeholders a key's texts use (those of its first English wording; the tests
    /// check every wording in every language uses the same), sorted.
    pub fn placeholders_of(&self, key: &str) -> Option<Vec<String>> {
        self.by_lang
            .get("en")
            .and_then(|t| t.get(key))
            .and_then(|v| v.first())
            .map(|t| placeholders(t))
    }

    /// One wording of `key`, picked by `seed`, with its placeholders filled.
    pub fn render(&self, lang: Lang, key: &str, seed: u64, vars: &[(&str, &str)]) -> String {
        self.render_for(&Overrides::new(), lang, key, seed, vars)
    }

    /// Like [`Replies::render`], with the merchant's own wording of `key` in `lang` when it
    /// has one: that one text replaces the built-in variants. A wording whose placeholders are
    /// not the built-in ones (saved before a check, or the built-in text changed since) is set
    /// aside for the built-in one, so a reply never loses a price or an order number.
    pub fn render_for(
        &self,
        overrides: &Overrides,
        lang: Lang,
        key: &str,
        seed: u64,
        vars: &[(&str, &str)],
    ) -> String {
        if let Some(own) = overrides
            .get(key)
            .and_then(|by_lang| by_lang.get(lang.code()))
            .filter(|t| !t.trim().is_empty())
        {
            if self.check_override(key, own).is_ok() {
                return fill(own, vars);
            }
            tracing::warn!(key, lang = lang.code(), "merchant's wording set aside");
        }
        let variants = self.variants(lang, key);
        if variants.is_empty() {
            tracing::error!(key, "reply text missing");
            return String::new();
        }
        let template = &variants[(seed % variants.len() as u64) as usize];
        fill(template, vars)
    }

    /// Whether `text` may replace the wordings of `key`: a known key, and exactly the
    /// placeholders of the built-in text. The error names what is wrong, for the merchant.
    pub fn check_override(&self, key: &str, text: &str) -> Result<(), String> {
        let Some(want) = self.placeholders_of(key) else {
            return Err(format!("unknown reply `{key}`"));
        };
        if text.trim().is_empty() {
            return Err(format!("the text of `{key}` is empty"));
        }
        let list = |names: &[String]| -> String {
            if names.is_empty() {
                "none".to_string()
            } else {
                names
                    .iter()
                    .map(|n| format!("{{{n}}}"))
                    .collect::<Vec<_>>()
                    .join(", ")
            }
        };
        if let Some(bad) = stray_brace(text) {
            return Err(format!(
                "`{bad}` in the text of `{key}` is no placeholder: placeholders are names in \
                 braces, and `{key}` has {}",
                list(&want)
            ));
        }
        let got = placeholders(text);
        if let Some(unknown) = got.iter().find(|n| !want.contains(n)) {
            return Err(format!(
                "unknown placeholder {{{unknown}}} in `{key}`: it has {}",
                list(&want)
            ));
        }
        let missing: Vec<String> = want.iter().filter(|n| !got.contains(n)).cloned().collect();
        if !missing.is_empty() {
            return Err(format!(
                "the text of `{key}` must keep the placeholder{} {}",
                if missing.len() > 1 { "s" } else { "" },
                list(&missing)
            ));
        }
        Ok(())
    }
}

/// Every reply key, in a stable order (see [`Replies::all_keys`]).
pub fn reply_keys() -> Vec<&'static str> {
    Replies::shared().all_keys()
}

/// The built-in wordings of `key` in `lang` (`fr`, `en`…; English when the language has
/// none); empty for an unknown key.
pub fn builtin_wordings(key: &str, lang: &str) -> Vec<String> {
    let r = Replies::shared();
    if !r.has_key(key) {
        return Vec::new();
    }
    r.variants(Lang::parse(lang).unwrap_or(Lang::En), key)
        .to_vec()
}

/// Whether a merchant's text may replace the wordings of reply `key`: the key exists and the
/// text uses exactly the placeholders of the built-in text. `Err` says what is wrong (the
/// unknown key, the unknown or missing placeholder), in words fit for the merchant.
pub fn check_reply_override(key: &str, text: &str) -> Result<(), String> {
    Replies::shared().check_override(key, text)
}

fn is_name(s: &str) -> bool {
    !s.is_empty()
        && s.len() <= 40
        && s.bytes()
            .all(|b| b.is_ascii_lowercase() || b.is_ascii_digit() || b == b'_')
}

/// The first `{…` that is no `{name}` placeholder, as written.
fn stray_brace(text: &str) -> Option<String> {
    let mut rest = text;
    while let Some(open) = rest.find('{') {
        let after = &rest[open + 1..];
        match after.find(['}', '{']) {
            Some(close) if after.as_bytes()[close] == b'}' && is_name(&after[..close]) => {
                rest = &after[close + 1..];
            }
            Some(close) if after.as_bytes()[close] == b'}' => {
                return Some(format!("{{{}}}", &after[..close]));
            }
            _ => {
                return Some(after.chars().take(12).fold("{".to_string(), |mut s, c| {
                    s.push(c);
                    s
                }))
            }
        }
    }
    None
}

/// Replaces `{name}` by its value. A placeholder without a value is dropped (and logged),
/// never shown raw; braces around anything that is no name stay as written.
pub fn fill(template: &str, vars: &[(&str, &str)]) -> String {
    let mut out = String::with_capacity(template.len() + 32);
    let mut rest = template;
    let mut dropped = false;
    while let Some(open) = rest.find('{') {
        out.push_str(&rest[..open]);
        let after = &rest[open + 1..];
        match after.find('}') {
            Some(close) if is_name(&after[..close]) => {
                let name = &after[..close];
                match vars.iter().find(|(k, _)| *k == name) {
                    Some((_, v)) => out.push_str(v),
                    None => {
                        tracing::warn!(placeholder = name, "reply placeholder without a value");
                        dropped = true;
                    }
                }
                rest = &after[close + 1..];
            }
            _ => {
                out.push('{');
                rest = after;
            }
        }
    }
    out.push_str(rest);
    if dropped {
        tidy(&out)
    } else {
        out
    }
}

/// Spaces left by a dropped placeholder: doubled, before punctuation, at the ends.
fn tidy(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    for c in s.chars() {
        if c == ' ' && (out.is_empty() || out.ends_with(' ')) {
            continue;
        }
        if matches!(c, '.' | ',' | ')' | '!' | '?' | ';' | ':') && out.ends_with(' ') {
            // French puts a space before ! ? ; : — keep it there, drop it elsewhere.
            if matches!(c, '.' | ',' | ')') {
                out.pop();
            }
        }
        out.push(c);
    }
    out.trim_end().to_string()
}

/// The `{names}` a text uses, sorted.
pub fn placeholders(text: &str) -> Vec<String> {
    let mut names = Vec::new();
    let mut rest = text;
    while let Some(open) = rest.find('{') {
        let after = &rest[open + 1..];
        let Some(close) = after.find('}') else { break };
        let name = &after[..close];
        if is_name(name) {
            names.push(name.to_string());
            rest = &after[close + 1..];
        } else {
            rest = after;
        }
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
            "1 and 2,"
        );
        assert_eq!(fill("no {brace", &[]), "no {brace");
        assert_eq!(fill("a {not a name} b", &[]), "a {not a name} b");
        assert_eq!(placeholders("{x} {y} {x}"), vec!["x", "y"]);
        assert_eq!(placeholders("{x} {Not one} {}"), vec!["x"]);
    }

    /// A placeholder without a value never shows raw, and leaves no stray space.
    #[test]
    fn a_missing_value_is_dropped_not_shown() {
        assert_eq!(fill("Hello {name}, welcome!", &[]), "Hello, welcome!");
        assert_eq!(
            fill("Votre commande {order} est prête !", &[]),
            "Votre commande est prête !"
        );
        assert_eq!(fill("Total: {total}.", &[]), "Total:.");
        assert_eq!(fill("{x}", &[]), "");
        assert_eq!(fill("{x}{", &[]), "{");
        let r = Replies::builtin().unwrap();
        for key in r.all_keys() {
            for lang in Lang::ALL {
                let t = r.render(lang, key, 3, &[]);
                assert!(!t.contains('{') && !t.contains('}'), "{lang:?}.{key}: {t}");
            }
        }
    }

    #[test]
    fn keys_are_listed_in_file_order() {
        let r = Replies::builtin().unwrap();
        let all = r.all_keys();
        let mut sorted = all.clone();
        sorted.sort_unstable();
        assert_eq!(sorted, r.keys("en"), "all_keys lists every key once");
        assert_eq!(all[0], "greet_fallback");
        assert_eq!(reply_keys(), all);
        assert!(builtin_wordings("thanks", "fr").len() >= 3);
        assert_eq!(
            builtin_wordings("thanks", "xx"),
            builtin_wordings("thanks", "en")
        );
        assert!(builtin_wordings("no_such_reply", "en").is_empty());
    }

    #[test]
    fn checks_a_merchants_wording() {
        assert_eq!(
            check_reply_override("added", "{quantity} × {title} ajouté ({total})."),
            Ok(())
        );
        let e = check_reply_override("no_such_reply", "Hi").unwrap_err();
        assert!(e.contains("unknown reply `no_such_reply`"), "{e}");
        let e = check_reply_override("added", "{quantity} × {title} ajouté.").unwrap_err();
        assert!(e.contains("{total}") && e.contains("must keep"), "{e}");
        let e =
            check_reply_override("added", "{quantity} {title} ({total}) pour {name}").unwrap_err();
        assert!(e.contains("unknown placeholder {name}"), "{e}");
        assert!(e.contains("{quantity}, {title}, {total}"), "{e}");
        let e = check_reply_override("added", "{quantity} {title} ({total}) {Prix}").unwrap_err();
        assert!(e.contains("{Prix}"), "{e}");
        let e = check_reply_override("added", "{quantity} {title} ({total}) {oops").unwrap_err();
        assert!(e.contains("{oops"), "{e}");
        let e = check_reply_override("thanks", "  ").unwrap_err();
        assert!(e.contains("empty"), "{e}");
        assert_eq!(check_reply_override("thanks", "Avec plaisir !"), Ok(()));
    }

    #[test]
    fn a_merchants_wording_replaces_the_builtin_ones() {
        let r = Replies::builtin().unwrap();
        let mut own = Overrides::new();
        own.entry("thanks".into())
            .or_default()
            .insert("fr".into(), "Merci à vous !".into());
        own.entry("added".into()).or_default().insert(
            "fr".into(),
            "C'est noté : {quantity} × {title}, {total}.".into(),
        );
        // Saved without a check: it would lose the price, so the built-in one is used.
        own.entry("added".into()).or_default().insert(
            "de".into(),
            "{quantity} × {title} liegt im Warenkorb.".into(),
        );
        for seed in 0..8 {
            assert_eq!(
                r.render_for(&own, Lang::Fr, "thanks", seed, &[]),
                "Merci à vous !"
            );
            // Other languages keep the built-in wordings.
            assert!(r.variants(Lang::En, "thanks").contains(&r.render_for(
                &own,
                Lang::En,
                "thanks",
                seed,
                &[]
            )));
        }
        let vars = [("quantity", "1"), ("title", "Lampe"), ("total", "39,90 €")];
        assert_eq!(
            r.render_for(&own, Lang::Fr, "added", 1, &vars),
            "C'est noté : 1 × Lampe, 39,90 €."
        );
        let de = r.render_for(&own, Lang::De, "added", 1, &vars);
        assert!(de.contains("39,90 €"), "{de}");
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
