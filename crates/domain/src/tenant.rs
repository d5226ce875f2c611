//! Tenants: one merchant's store. Every other row in Comptoir belongs to exactly one tenant.

use crate::{Currency, Lang};

#[derive(Debug, Clone, Copy, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Plan {
    Starter,
    Business,
    Enterprise,
}

impl Plan {
    pub fn as_str(self) -> &'static str {
        match self {
            Plan::Starter => "starter",
            Plan::Business => "business",
            Plan::Enterprise => "enterprise",
        }
    }
    pub fn parse(s: &str) -> Option<Plan> {
        match s.trim().to_ascii_lowercase().as_str() {
            "starter" => Some(Plan::Starter),
            "business" => Some(Plan::Business),
            "enterprise" => Some(Plan::Enterprise),
            _ => None,
        }
    }
    /// Conversations a month included in the plan; `None` is unlimited.
    pub fn monthly_conversations(self) -> Option<u32> {
        match self {
            Plan::Starter => Some(100),
            Plan::Business => Some(1000),
            Plan::Enterprise => None,
        }
    }
}

#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize)]
pub struct Tenant {
    pub id: String,
    pub slug: String,
    pub name: String,
    pub plan: Plan,
    pub currency: Currency,
    /// The first locale is the default one, used when a translation is missing.
    pub locales: Vec<Lang>,
    pub created_at: i64,
    pub settings: TenantSettings,
}

/// What the merchant chooses for its agent: the industry template, the widget's look and the
/// checkout's rules. Every field has a default, so `{}` is a valid setting.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct TenantSettings {
    /// The industry template's id (`fashion`, `electronics`, `services`…).
    pub template: String,
    pub widget: WidgetSettings,
    /// How long an unpaid order keeps its stock reserved, in minutes.
    pub reservation_minutes: u32,
    /// What the shopper is told to do to pay a manual order (bank details, pay on delivery).
    /// `None`: a generic sentence naming the order reference.
    pub payment_instructions: Option<String>,
    /// The merchant's own FAQ answers, by topic (`shipping`, `returns`, `payment`, `hours`, or
    /// any topic of the template) and language; they replace the template's defaults.
    pub faq: std::collections::BTreeMap<String, std::collections::BTreeMap<String, String>>,
    /// The merchant's own wording of the agent's replies, by reply key (`greeting`,
    /// `cart_added`…) and language; `{placeholders}` must be those of the built-in text.
    pub replies: std::collections::BTreeMap<String, std::collections::BTreeMap<String, String>>,
    /// Extra training examples for the intent classifier, by intent and language: the shop's
    /// own phrasings. Saving them retrains this shop's model.
    pub intent_examples:
        std::collections::BTreeMap<String, std::collections::BTreeMap<String, Vec<String>>>,
    /// Whether the agent asks for a satisfaction score (CSAT 1–5, then NPS 0–10) when a
    /// conversation ends.
    pub ask_feedback: bool,
}

impl Default for TenantSettings {
    fn default() -> Self {
        TenantSettings {
            template: "general".into(),
            widget: WidgetSettings::default(),
            reservation_minutes: 48 * 60,
            payment_instructions: None,
            faq: Default::default(),
            replies: Default::default(),
            intent_examples: Default::default(),
            ask_feedback: true,
        }
    }
}

/// The white-label look of the chat widget.
#[derive(Debug, Clone, PartialEq, Eq, Default, serde::Serialize, serde::Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct WidgetSettings {
    /// The assistant's name in the widget's header; default the shop's name.
    pub name: Option<String>,
    /// Accent colour, `#rrggbb`.
    pub color: Option<String>,
    pub avatar_url: Option<String>,
    /// Welcome message; default the template's greeting in the shopper's language.
    pub welcome: Option<String>,
}

impl TenantSettings {
    /// Checks what a merchant sent; the message names the field.
    pub fn validate(&self) -> Result<(), String> {
        if self.template.is_empty()
            || self.template.len() > 64
            || !self
                .template
                .bytes()
                .all(|b| b.is_ascii_lowercase() || b.is_ascii_digit() || b == b'-' || b == b'_')
        {
            return Err("template: a template id (a-z, 0-9, - and _)".into());
        }
        if let Some(c) = &self.widget.color {
            let ok =
                c.len() == 7 && c.starts_with('#') && c[1..].bytes().all(|b| b.is_ascii_hexdigit());
            if !ok {
                return Err("widget.color: a colour as #rrggbb".into());
            }
        }
        if let Some(u) = &self.widget.avatar_url {
            if !(u.starts_with("https://") || u.starts_with("http://")) || u.len() > 2048 {
                return Err("widget.avatar_url: an http(s) URL".into());
            }
        }
        for (field, v, max) in [
            ("widget.name", &self.widget.name, 80),
            ("widget.welcome", &self.widget.welcome, 500),
            ("payment_instructions", &self.payment_instructions, 1000),
        ] {
            if v.as_ref().is_some_and(|v| v.chars().count() > max) {
                return Err(format!("{field}: at most {max} characters"));
            }
        }
        if self.faq.len() > 50 {
            return Err("faq: at most 50 topics".into());
        }
        for (topic, answers) in &self.faq {
            if topic.is_empty() || topic.len() > 40 {
                return Err("faq: topics are 1 to 40 characters".into());
            }
            for (lang, text) in answers {
                if !is_shop_lang(lang) {
                    return Err(format!("faq.{topic}: languages are fr, en, de, it, es"));
                }
                if text.trim().is_empty() || text.chars().count() > 1000 {
                    return Err(format!("faq.{topic}.{lang}: 1 to 1000 characters"));
                }
            }
        }
        if self.replies.len() > 200 {
            return Err("replies: at most 200 keys".into());
        }
        for (key, texts) in &self.replies {
            if key.is_empty() || key.len() > 60 {
                return Err("replies: keys are 1 to 60 characters".into());
            }
            for (lang, text) in texts {
                if !is_shop_lang(lang) {
                    return Err(format!("replies.{key}: languages are fr, en, de, it, es"));
                }
                if text.trim().is_empty() || text.chars().count() > 1000 {
                    return Err(format!("replies.{key}.{lang}: 1 to 1000 characters"));
                }
            }
        }
        let mut examples = 0;
        for (intent, by_lang) in &self.intent_examples {
            if intent.is_empty()
                || intent.len() > 40
                || !intent.bytes().all(|b| b.is_ascii_lowercase() || b == b'_')
            {
                return Err("intent_examples: intents are names like product_search".into());
            }
            for (lang, texts) in by_lang {
                if !is_shop_lang(lang) {
                    return Err(format!(
                        "intent_examples.{intent}: languages are fr, en, de, it, es"
                    ));
                }
                for t in texts {
                    if t.trim().is_empty() || t.chars().count() > 200 {
                        return Err(format!(
                            "intent_examples.{intent}.{lang}: examples are 1 to 200 characters"
                        ));
                    }
                }
                examples += texts.len();
            }
        }
        if examples > 2000 {
            return Err("intent_examples: at most 2000 examples in all".into());
        }
        if !(1..=60 * 24 * 30).contains(&self.reservation_minutes) {
            return Err("reservation_minutes: between 1 and 43200 (30 days)".into());
        }
        Ok(())
    }
}

fn is_shop_lang(lang: &str) -> bool {
    matches!(lang, "fr" | "en" | "de" | "it" | "es")
}

impl Tenant {
    pub fn default_locale(&self) -> &Lang {
        &self.locales[0]
    }
}

#[derive(Debug, thiserror::Error, PartialEq, Eq)]
pub enum TenantError {
    #[error("slug `{0}` must be 2-63 characters of a-z, 0-9 and `-`, starting with a letter")]
    BadSlug(String),
    #[error("name must not be empty")]
    EmptyName,
    #[error("a tenant needs at least one locale")]
    NoLocale,
}

/// What it takes to create a tenant, validated by [`NewTenant::new`].
#[derive(Debug, Clone)]
pub struct NewTenant {
    pub slug: String,
    pub name: String,
    pub plan: Plan,
    pub currency: Currency,
    pub locales: Vec<Lang>,
}

impl NewTenant {
    pub fn new(
        slug: &str,
        name: &str,
        plan: Plan,
        currency: Currency,
        locales: Vec<Lang>,
    ) -> Result<NewTenant, TenantError> {
        let slug = slug.trim().to_string();
        let ok = (2..=63).contains(&slug.len())
            && slug.starts_with(|c: char| c.is_ascii_lowercase())
            && slug
                .chars()
                .all(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || c == '-');
        if !ok {
            return Err(TenantError::BadSlug(slug));
        }
        let name = name.trim().to_string();
        if name.is_empty() {
            return Err(TenantError::EmptyName);
        }
        let mut uniq: Vec<Lang> = Vec::new();
        for l in locales {
            if !uniq.contains(&l) {
                uniq.push(l);
            }
        }
        if uniq.is_empty() {
            return Err(TenantError::NoLocale);
        }
        Ok(NewTenant {
            slug,
            name,
            plan,
            currency,
            locales: uniq,
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn eur() -> Currency {
        Currency::parse("EUR").unwrap()
    }

    #[test]
    fn validates_slugs() {
        let fr = || vec![Lang::parse("fr").unwrap()];
        assert!(NewTenant::new("maison-lune", "Maison", Plan::Starter, eur(), fr()).is_ok());
        for bad in ["", "a", "Maison", "1shop", "shop_x", "shop/../x"] {
            assert!(
                NewTenant::new(bad, "x", Plan::Starter, eur(), fr()).is_err(),
                "{bad}"
            );
        }
        assert_eq!(
            NewTenant::new("shop", " ", Plan::Starter, eur(), fr()).unwrap_err(),
            TenantError::EmptyName
        );
        assert_eq!(
            NewTenant::new("shop", "x", Plan::Starter, eur(), vec![]).unwrap_err(),
            TenantError::NoLocale
        );
    }

    #[test]
    fn plans_parse_and_meter() {
        assert_eq!(Plan::parse("Business"), Some(Plan::Business));
        assert_eq!(Plan::Starter.monthly_conversations(), Some(100));
        assert_eq!(Plan::Enterprise.monthly_conversations(), None);
    }
}
