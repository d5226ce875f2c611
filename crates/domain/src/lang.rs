//! Languages as lower-case ISO 639-1 codes. The agent speaks five; a catalogue may hold others.

use std::fmt;

/// The languages the agent speaks, in the order we fall back through.
pub const SUPPORTED: [&str; 5] = ["fr", "en", "de", "it", "es"];

/// A validated two-letter language code (`fr`, `en`…), lower case.
#[derive(
    Debug, Clone, PartialEq, Eq, Hash, PartialOrd, Ord, serde::Serialize, serde::Deserialize,
)]
#[serde(try_from = "String", into = "String")]
pub struct Lang(String);

impl Lang {
    /// Accepts `fr`, `FR`, `fr-FR`, `fr_CA` (the region is dropped).
    pub fn parse(s: &str) -> Option<Lang> {
        let s = s.trim();
        let primary = s.split(['-', '_']).next().unwrap_or("");
        if primary.len() == 2 && primary.chars().all(|c| c.is_ascii_alphabetic()) {
            Some(Lang(primary.to_ascii_lowercase()))
        } else {
            None
        }
    }
    pub fn as_str(&self) -> &str {
        &self.0
    }
}

impl TryFrom<String> for Lang {
    type Error = String;
    fn try_from(s: String) -> Result<Self, String> {
        Lang::parse(&s).ok_or_else(|| {
            format!(
                "`{}` is not a two-letter language code",
                crate::money::quote(&s)
            )
        })
    }
}

impl From<Lang> for String {
    fn from(l: Lang) -> String {
        l.0
    }
}

impl fmt::Display for Lang {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

#[cfg(test)]
mod tests {
    use super::Lang;
    #[test]
    fn parses_codes_and_regions() {
        assert_eq!(Lang::parse("FR").unwrap().as_str(), "fr");
        assert_eq!(Lang::parse("de-CH").unwrap().as_str(), "de");
        assert_eq!(Lang::parse("pt_BR").unwrap().as_str(), "pt");
        assert!(Lang::parse("french").is_none());
        assert!(Lang::parse("").is_none());
        assert!(Lang::parse("f1").is_none());
    }
}
