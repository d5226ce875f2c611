//! Industry templates: what the agent does for a kind of shop (which intents it handles, its
//! greeting, FAQ answers, guided-selling questions, lead and appointment forms). They are data
//! files in `data/templates/`, compiled in; a merchant copies one, edits it, and uploads it as
//! its own.

use std::collections::BTreeMap;

use chrono::{NaiveTime, Weekday};
use serde::Deserialize;

use crate::Lang;

const BUILTIN: [(&str, &str); 9] = [
    (
        "general",
        include_str!("../../../data/templates/general.toml"),
    ),
    (
        "fashion",
        include_str!("../../../data/templates/fashion.toml"),
    ),
    (
        "electronics",
        include_str!("../../../data/templates/electronics.toml"),
    ),
    ("home", include_str!("../../../data/templates/home.toml")),
    (
        "beauty",
        include_str!("../../../data/templates/beauty.toml"),
    ),
    (
        "services",
        include_str!("../../../data/templates/services.toml"),
    ),
    ("saas", include_str!("../../../data/templates/saas.toml")),
    ("food", include_str!("../../../data/templates/food.toml")),
    (
        "crafts",
        include_str!("../../../data/templates/crafts.toml"),
    ),
];

/// The template a tenant gets when it picked none (or one that does not exist).
pub const DEFAULT_TEMPLATE: &str = "general";

/// A text in each language.
pub type Texts = BTreeMap<String, String>;

#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Template {
    pub id: String,
    pub name: String,
    pub tone: Tone,
    /// Intents the agent handles; the others get an offer to talk to a person.
    pub intents: Vec<String>,
    /// Guided-selling questions, in the order asked.
    #[serde(default)]
    pub guided: Vec<String>,
    #[serde(default)]
    pub lead_form: Vec<String>,
    pub greeting: Texts,
    #[serde(default)]
    pub questions: BTreeMap<String, Texts>,
    #[serde(default)]
    pub faq: BTreeMap<String, FaqEntry>,
    pub appointment: Option<AppointmentRules>,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Tone {
    Friendly,
    Formal,
}

#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct FaqEntry {
    /// Words and phrases shoppers use for the topic, per language, lower-case.
    #[serde(default)]
    pub keywords: BTreeMap<String, Vec<String>>,
    pub answer: Texts,
}

#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct AppointmentRules {
    pub duration_minutes: u32,
    /// `mon` … `sun`.
    pub days: Vec<String>,
    /// `HH:MM`, in `timezone`.
    pub opens: String,
    pub closes: String,
    /// IANA zone of the shop (`Europe/Paris`).
    pub timezone: String,
    #[serde(default)]
    pub fields: Vec<String>,
}

#[derive(Debug, thiserror::Error)]
#[error("template `{id}`: {message}")]
pub struct TemplateError {
    pub id: String,
    pub message: String,
}

const LANGS: [&str; 5] = ["fr", "en", "de", "it", "es"];
const KNOWN_SLOTS: [&str; 4] = ["budget", "size", "color", "use"];

impl Template {
    /// Reads and checks a template (a merchant's upload or a built-in one).
    pub fn parse(text: &str) -> Result<Template, TemplateError> {
        let t: Template = toml::from_str(text).map_err(|e| TemplateError {
            id: "?".into(),
            message: e.to_string(),
        })?;
        t.check()?;
        Ok(t)
    }

    fn check(&self) -> Result<(), TemplateError> {
        let err = |message: String| TemplateError {
            id: self.id.clone(),
            message,
        };
        for l in LANGS {
            if !self.greeting.contains_key(l) {
                return Err(err(format!("greeting has no `{l}` text")));
            }
        }
        for slot in &self.guided {
            if !KNOWN_SLOTS.contains(&slot.as_str()) {
                return Err(err(format!(
                    "guided question `{slot}`: use budget, size, color or use"
                )));
            }
        }
        for topic in ["shipping", "returns", "payment", "hours"] {
            if !self.faq.contains_key(topic) {
                return Err(err(format!("faq.{topic} is required")));
            }
        }
        if let Some(a) = &self.appointment {
            a.opening().map_err(err)?;
            a.zone().map_err(err)?;
            if !(5..=480).contains(&a.duration_minutes) {
                return Err(err("appointment.duration_minutes: 5 to 480".into()));
            }
        }
        Ok(())
    }

    /// The built-in template with this id.
    pub fn builtin(id: &str) -> Option<Template> {
        BUILTIN
            .iter()
            .find(|(i, _)| *i == id)
            .and_then(|(_, text)| Template::parse(text).ok())
    }

    /// The TOML text of a built-in template, for a merchant to copy and edit.
    pub fn builtin_source(id: &str) -> Option<&'static str> {
        BUILTIN
            .iter()
            .find(|(i, _)| *i == id)
            .map(|(_, text)| *text)
    }

    /// Every built-in template, parsed (panics on a broken file: they are tested).
    pub fn all_builtin() -> Vec<Template> {
        BUILTIN
            .iter()
            .map(|(id, text)| {
                Template::parse(text).unwrap_or_else(|e| panic!("built-in template {id}: {e}"))
            })
            .collect()
    }

    pub fn handles(&self, intent: &str) -> bool {
        self.intents.iter().any(|i| i == intent)
    }

    /// A text in `lang`, else English, else any.
    pub fn text(texts: &Texts, lang: Lang) -> Option<&str> {
        texts
            .get(lang.code())
            .or_else(|| texts.get("en"))
            .or_else(|| texts.values().next())
            .map(String::as_str)
    }

    /// The FAQ topic a message is about: the topic with the most (and longest) keyword hits in
    /// the shopper's language, then in any language.
    pub fn faq_topic(&self, folded: &str, lang: Lang) -> Option<&str> {
        let words: Vec<&str> = folded.split(|c: char| !c.is_alphanumeric()).collect();
        let hit = |k: &str| {
            let k = comptoir_nlu::normalize::fold(k);
            if k.contains(' ') {
                folded.contains(&k)
            } else {
                // Whole words, or a word starting with a long keyword ("livraisons").
                words
                    .iter()
                    .any(|w| *w == k || (k.len() >= 5 && w.starts_with(&k)))
            }
        };
        let score = |lang_only: Option<&str>| {
            self.faq
                .iter()
                .map(|(topic, e)| {
                    let s: usize = e
                        .keywords
                        .iter()
                        .filter(|(l, _)| lang_only.is_none_or(|x| x == l.as_str()))
                        .flat_map(|(_, ks)| ks.iter())
                        .filter(|k| hit(k))
                        .map(|k| k.len())
                        .sum();
                    (s, topic.as_str())
                })
                .filter(|(s, _)| *s > 0)
                .max_by_key(|(s, _)| *s)
                .map(|(_, t)| t)
        };
        score(Some(lang.code())).or_else(|| score(None))
    }
}

impl AppointmentRules {
    pub fn opening(&self) -> Result<(NaiveTime, NaiveTime), String> {
        let t = |s: &str| {
            NaiveTime::parse_from_str(s, "%H:%M")
                .map_err(|_| format!("appointment time `{s}`: use HH:MM"))
        };
        let (o, c) = (t(&self.opens)?, t(&self.closes)?);
        if o >= c {
            return Err("appointment: opens must be before closes".into());
        }
        Ok((o, c))
    }

    pub fn zone(&self) -> Result<chrono_tz::Tz, String> {
        self.timezone.parse().map_err(|_| {
            format!(
                "appointment.timezone `{}` is not an IANA zone",
                self.timezone
            )
        })
    }

    pub fn open_on(&self, day: Weekday) -> bool {
        let name = match day {
            Weekday::Mon => "mon",
            Weekday::Tue => "tue",
            Weekday::Wed => "wed",
            Weekday::Thu => "thu",
            Weekday::Fri => "fri",
            Weekday::Sat => "sat",
            Weekday::Sun => "sun",
        };
        self.days.iter().any(|d| d.eq_ignore_ascii_case(name))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_builtin_template_parses_and_speaks_five_languages() {
        let all = Template::all_builtin();
        assert!(all.len() >= 6);
        for t in &all {
            for (topic, e) in &t.faq {
                for l in LANGS {
                    assert!(e.answer.contains_key(l), "{}: faq.{topic} lacks {l}", t.id);
                    assert!(
                        e.keywords.get(l).is_some_and(|k| !k.is_empty()),
                        "{}: faq.{topic} has no {l} keywords",
                        t.id
                    );
                }
            }
            for slot in &t.guided {
                let q = t.questions.get(slot);
                assert!(
                    q.is_some_and(|q| LANGS.iter().all(|l| q.contains_key(*l))),
                    "{}: question {slot} incomplete",
                    t.id
                );
            }
        }
        let services = Template::builtin("services").unwrap();
        assert!(services.appointment.is_some() && services.handles("book_appointment"));
    }

    #[test]
    fn finds_faq_topics_by_keywords() {
        let t = Template::builtin("fashion").unwrap();
        let f = |s: &str| comptoir_nlu::normalize::fold(s);
        assert_eq!(
            t.faq_topic(&f("Combien de temps pour la livraison ?"), Lang::Fr),
            Some("shipping")
        );
        assert_eq!(
            t.faq_topic(&f("can I return it?"), Lang::En),
            Some("returns")
        );
        assert_eq!(t.faq_topic(&f("bonjour"), Lang::Fr), None);
    }

    #[test]
    fn refuses_broken_templates() {
        assert!(Template::parse("id = 'x'").is_err());
        let mut text = include_str!("../../../data/templates/fashion.toml").to_string();
        text = text.replace("[faq.hours]", "[faq.hourz]");
        assert!(Template::parse(&text).is_err());
    }
}
