//! The catalogue: products, their variants and per-language texts.
//!
//! A product is what a shopper thinks of as one thing ("Linen dress"); a variant is what goes in
//! a cart (sku, up to three options, a price, a stock). Texts exist per language and fall back to
//! the tenant's default locale.

use crate::money::MoneyError;
use crate::{Currency, Lang};
use rust_decimal::Decimal;
use serde::de::{MapAccess, Visitor};
use serde::ser::SerializeMap;
use serde::{Deserialize, Deserializer, Serialize, Serializer};

/// Shopify and WooCommerce both stop at three options per variant; so do we.
pub const MAX_OPTIONS: usize = 3;
const MAX_SKU_LEN: usize = 128;
const MAX_TITLE_LEN: usize = 1_000;
const MAX_TEXT_LEN: usize = 100_000;

#[derive(Debug, thiserror::Error, PartialEq, Eq)]
pub enum ValidationError {
    #[error("sku is empty")]
    EmptySku,
    #[error("sku `{0}…` is longer than 128 characters")]
    SkuTooLong(String),
    #[error("sku `{0}` contains control characters")]
    SkuControlChars(String),
    #[error("a variant has at most 3 options, got {0}")]
    TooManyOptions(usize),
    #[error("option `{0}` has an empty value")]
    EmptyOptionValue(String),
    #[error("title is empty")]
    EmptyTitle,
    #[error("title is longer than 1000 characters")]
    TitleTooLong,
    #[error("description is longer than 100000 characters")]
    DescriptionTooLong,
    #[error("{0}: a value is longer than 500 characters (or there are more than 200 tags)")]
    LabelTooLong(&'static str),
    #[error("product id contains control characters")]
    ProductIdControlChars,
    #[error("product id is empty")]
    EmptyProductId,
    #[error("a product needs at least one variant")]
    NoVariant,
    #[error("price: {0}")]
    Price(MoneyError),
    #[error("compare-at price: {0}")]
    CompareAtPrice(MoneyError),
    #[error("sku `{0}` appears twice in this product")]
    DuplicateSku(String),
}

/// A variant's options in their display order (`size` before `color`), serialised as a JSON object.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Options(pub Vec<(String, String)>);

impl Serialize for Options {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        let mut m = s.serialize_map(Some(self.0.len()))?;
        for (k, v) in &self.0 {
            m.serialize_entry(k, v)?;
        }
        m.end()
    }
}

impl<'de> Deserialize<'de> for Options {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        struct V;
        impl<'de> Visitor<'de> for V {
            type Value = Options;
            fn expecting(&self, f: &mut std::fmt::Formatter) -> std::fmt::Result {
                f.write_str("an object of option name to value")
            }
            fn visit_map<A: MapAccess<'de>>(self, mut a: A) -> Result<Options, A::Error> {
                let mut v = Vec::new();
                while let Some((k, val)) = a.next_entry::<String, String>()? {
                    v.push((k, val));
                }
                Ok(Options(v))
            }
        }
        d.deserialize_map(V)
    }
}

/// A sellable variant, validated.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Variant {
    pub sku: String,
    pub options: Options,
    #[serde(with = "rust_decimal::serde::str")]
    pub price: Decimal,
    #[serde(with = "rust_decimal::serde::str_option")]
    pub compare_at_price: Option<Decimal>,
    pub currency: Currency,
    /// `None` when stock is not tracked (services, digital goods): always available.
    pub stock: Option<i64>,
    pub digital: bool,
}

impl Variant {
    pub fn new(
        sku: &str,
        options: Vec<(String, String)>,
        price: Decimal,
        compare_at_price: Option<Decimal>,
        currency: Currency,
        stock: Option<i64>,
        digital: bool,
    ) -> Result<Variant, ValidationError> {
        let sku = sku.trim();
        if sku.is_empty() {
            return Err(ValidationError::EmptySku);
        }
        if sku.chars().count() > MAX_SKU_LEN {
            return Err(ValidationError::SkuTooLong(sku.chars().take(32).collect()));
        }
        if sku.chars().any(char::is_control) {
            return Err(ValidationError::SkuControlChars(
                sku.escape_debug().to_string(),
            ));
        }
        let options: Vec<(String, String)> = options
            .into_iter()
            .map(|(k, v)| (clean_text(k.trim()), clean_text(v.trim())))
            .filter(|(k, _)| !k.is_empty())
            .collect();
        if options.len() > MAX_OPTIONS {
            return Err(ValidationError::TooManyOptions(options.len()));
        }
        if options
            .iter()
            .any(|(k, v)| k.chars().count() > MAX_LABEL_LEN || v.chars().count() > MAX_LABEL_LEN)
        {
            return Err(ValidationError::LabelTooLong("option"));
        }
        if let Some((k, _)) = options.iter().find(|(_, v)| v.is_empty()) {
            return Err(ValidationError::EmptyOptionValue(crate::money::quote(k)));
        }
        currency.to_minor(price).map_err(ValidationError::Price)?;
        if let Some(c) = compare_at_price {
            currency
                .to_minor(c)
                .map_err(ValidationError::CompareAtPrice)?;
        }
        Ok(Variant {
            sku: sku.to_string(),
            options: Options(options),
            price: price.normalize(),
            compare_at_price: compare_at_price.map(|c| c.normalize()),
            currency,
            stock,
            digital,
        })
    }

    /// Whether a shopper can buy it now.
    pub fn in_stock(&self) -> bool {
        self.stock.is_none_or(|s| s > 0)
    }
}

/// Text as stored: control characters dropped (PostgreSQL refuses NUL bytes, and none of
/// them belongs in a title), except line breaks and tabs.
pub fn clean_text(s: &str) -> String {
    s.chars()
        .filter(|c| !c.is_control() || *c == '\n' || *c == '\t')
        .collect()
}

const MAX_LABEL_LEN: usize = 500;
const MAX_TAGS: usize = 200;

/// A product's texts in one language.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Translation {
    pub lang: Lang,
    pub title: String,
    pub description: String,
    pub category: Option<String>,
    pub tags: Vec<String>,
}

impl Translation {
    pub fn new(
        lang: Lang,
        title: &str,
        description: &str,
        category: Option<&str>,
        tags: Vec<String>,
    ) -> Result<Translation, ValidationError> {
        let title = clean_text(title);
        let title = title.trim();
        let description = clean_text(description);
        let category = category.map(clean_text);
        if category
            .as_deref()
            .is_some_and(|c| c.chars().count() > MAX_LABEL_LEN)
        {
            return Err(ValidationError::LabelTooLong("category"));
        }
        if tags.len() > MAX_TAGS || tags.iter().any(|t| t.chars().count() > MAX_LABEL_LEN) {
            return Err(ValidationError::LabelTooLong("tags"));
        }
        if title.is_empty() {
            return Err(ValidationError::EmptyTitle);
        }
        if title.chars().count() > MAX_TITLE_LEN {
            return Err(ValidationError::TitleTooLong);
        }
        if description.len() > MAX_TEXT_LEN {
            return Err(ValidationError::DescriptionTooLong);
        }
        let mut seen = Vec::new();
        for t in tags {
            let t = clean_text(t.trim());
            if !t.is_empty() && !seen.contains(&t) {
                seen.push(t);
            }
        }
        Ok(Translation {
            lang,
            title: title.to_string(),
            description: description.trim().to_string(),
            category: category
                .as_deref()
                .map(str::trim)
                .filter(|c| !c.is_empty())
                .map(str::to_string),
            tags: seen,
        })
    }
}

/// An insert-or-update of one product, keyed by the merchant's own product id (`external_id`).
/// `None` fields keep what is stored, so a partial source (a variation row) never blanks a product.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ProductUpsert {
    pub external_id: String,
    pub brand: Option<String>,
    pub images: Option<Vec<String>>,
    pub translations: Vec<Translation>,
    pub variants: Vec<Variant>,
    /// Language the variants' option values are written in (`None`: the tenant's default).
    /// Option values in the default language win over translated ones ("Red" over "Rojo").
    pub options_lang: Option<Lang>,
}

impl ProductUpsert {
    pub fn new(external_id: &str) -> Result<ProductUpsert, ValidationError> {
        let external_id = external_id.trim();
        if external_id.is_empty() {
            return Err(ValidationError::EmptyProductId);
        }
        if external_id.chars().any(char::is_control) {
            return Err(ValidationError::ProductIdControlChars);
        }
        if external_id.chars().count() > MAX_SKU_LEN {
            return Err(ValidationError::LabelTooLong("product id"));
        }
        Ok(ProductUpsert {
            external_id: external_id.to_string(),
            brand: None,
            images: None,
            translations: Vec::new(),
            variants: Vec::new(),
            options_lang: None,
        })
    }

    /// Folds `other` (same product, later in a file) into `self`: later values win, lists merge.
    pub fn merge(&mut self, other: ProductUpsert) {
        if other.brand.is_some() {
            self.brand = other.brand;
        }
        if let Some(imgs) = other.images {
            let mine = self.images.get_or_insert_with(Vec::new);
            for i in imgs {
                if !mine.contains(&i) {
                    mine.push(i);
                }
            }
        }
        for t in other.translations {
            match self.translations.iter_mut().find(|x| x.lang == t.lang) {
                Some(x) => *x = t,
                None => self.translations.push(t),
            }
        }
        // A row in another language than ours keeps our option values, but its price and
        // stock still win (they are the same fields in every language).
        let keep_options = self.options_lang.is_none() && other.options_lang.is_some();
        for v in other.variants {
            match self.variants.iter_mut().find(|x| x.sku == v.sku) {
                Some(x) => {
                    let options = std::mem::take(&mut x.options);
                    *x = v;
                    if keep_options {
                        x.options = options;
                    }
                }
                None => self.variants.push(v),
            }
        }
        if !keep_options {
            self.options_lang = other.options_lang;
        }
    }
}

/// A product as served: texts resolved to one language (the asked one, else the default).
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Product {
    pub id: String,
    pub external_id: String,
    /// The language the texts below are in.
    pub lang: Lang,
    pub title: String,
    pub description: String,
    pub category: Option<String>,
    pub brand: Option<String>,
    pub tags: Vec<String>,
    pub images: Vec<String>,
    pub variants: Vec<Variant>,
    /// Every language this product has texts in.
    pub languages: Vec<Lang>,
    pub created_at: i64,
    pub updated_at: i64,
}

/// Picks the translation to show: the asked language, else the tenant's default, else the first.
pub fn pick_translation<'a>(
    translations: &'a [Translation],
    wanted: Option<&Lang>,
    default: &Lang,
) -> Option<&'a Translation> {
    wanted
        .and_then(|w| translations.iter().find(|t| &t.lang == w))
        .or_else(|| translations.iter().find(|t| &t.lang == default))
        .or_else(|| translations.first())
}

/// List filters; all optional, combined with AND.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct ProductFilter {
    /// Matches the category in any language, case-insensitively.
    pub category: Option<String>,
    pub brand: Option<String>,
    /// `true`: at least one variant can be bought now; `false`: none can.
    pub in_stock: Option<bool>,
    /// At least one variant priced within the range (inclusive).
    pub price_min: Option<Decimal>,
    pub price_max: Option<Decimal>,
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::str::FromStr;

    fn eur() -> Currency {
        Currency::parse("EUR").unwrap()
    }
    fn lang(s: &str) -> Lang {
        Lang::parse(s).unwrap()
    }

    #[test]
    fn variant_validation() {
        let p = Decimal::from_str("69.90").unwrap();
        let v = Variant::new(" A-1 ", vec![], p, None, eur(), Some(0), false).unwrap();
        assert_eq!(v.sku, "A-1");
        assert_eq!(v.price.to_string(), "69.9");
        assert!(!v.in_stock());
        assert!(Variant::new("x", vec![], p, None, eur(), None, true)
            .unwrap()
            .in_stock());
        assert_eq!(
            Variant::new("", vec![], p, None, eur(), None, false).unwrap_err(),
            ValidationError::EmptySku
        );
        let four = (0..4).map(|i| (format!("o{i}"), "v".into())).collect();
        assert_eq!(
            Variant::new("x", four, p, None, eur(), None, false).unwrap_err(),
            ValidationError::TooManyOptions(4)
        );
        let neg = Decimal::from_str("-1").unwrap();
        assert!(matches!(
            Variant::new("x", vec![], neg, None, eur(), None, false),
            Err(ValidationError::Price(_))
        ));
    }

    #[test]
    fn control_characters_are_dropped_and_labels_capped() {
        let t = Translation::new(
            lang("fr"),
            "Bol\0 bleu",
            "a\u{1}b\nc",
            Some("Vais\0selle"),
            vec!["x\0".into()],
        )
        .unwrap();
        assert_eq!(t.title, "Bol bleu");
        assert_eq!(t.description, "ab\nc");
        assert_eq!(t.category.as_deref(), Some("Vaisselle"));
        assert_eq!(t.tags, ["x"]);
        assert!(Translation::new(lang("fr"), "x", "", Some(&"c".repeat(501)), vec![]).is_err());
        assert!(ProductUpsert::new("a\0b").is_err());
    }

    #[test]
    fn options_keep_their_order_in_json() {
        let o = Options(vec![
            ("size".into(), "M".into()),
            ("color".into(), "Red".into()),
        ]);
        let j = serde_json::to_string(&o).unwrap();
        assert_eq!(j, r#"{"size":"M","color":"Red"}"#);
        let back: Options = serde_json::from_str(&j).unwrap();
        assert_eq!(back, o);
    }

    #[test]
    fn translation_fallback() {
        let ts = vec![
            Translation::new(lang("en"), "Dress", "", None, vec![]).unwrap(),
            Translation::new(lang("fr"), "Robe", "", None, vec![]).unwrap(),
        ];
        assert_eq!(
            pick_translation(&ts, Some(&lang("fr")), &lang("en"))
                .unwrap()
                .title,
            "Robe"
        );
        assert_eq!(
            pick_translation(&ts, Some(&lang("de")), &lang("fr"))
                .unwrap()
                .title,
            "Robe"
        );
        assert_eq!(
            pick_translation(&ts, None, &lang("it")).unwrap().title,
            "Dress"
        );
    }

    #[test]
    fn merge_keeps_both_languages_and_latest_variant() {
        let p = Decimal::from_str("10").unwrap();
        let mut a = ProductUpsert::new("p1").unwrap();
        a.translations
            .push(Translation::new(lang("fr"), "Robe", "", None, vec![]).unwrap());
        a.variants
            .push(Variant::new("s1", vec![], p, None, eur(), Some(1), false).unwrap());
        let mut b = ProductUpsert::new("p1").unwrap();
        b.translations
            .push(Translation::new(lang("en"), "Dress", "", None, vec![]).unwrap());
        b.variants
            .push(Variant::new("s1", vec![], p, None, eur(), Some(5), false).unwrap());
        a.merge(b);
        assert_eq!(a.translations.len(), 2);
        assert_eq!(a.variants.len(), 1);
        assert_eq!(a.variants[0].stock, Some(5));
    }
}

/// A product with every language's texts: what the search index and recommendation caches need.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CatalogueEntry {
    pub id: String,
    pub external_id: String,
    pub brand: Option<String>,
    pub images: Vec<String>,
    /// One per language, sorted by language code.
    pub translations: Vec<Translation>,
    /// In the merchant's order (position, then sku).
    pub variants: Vec<Variant>,
    /// The merchant's search boost in percent (100 = neutral, 0..=1000).
    pub boost_pct: u32,
    pub created_at: i64,
    pub updated_at: i64,
}

impl CatalogueEntry {
    /// The product as the API shows it, texts in `lang` with fallback to `default` (same rule
    /// as the store's `load`, via [`pick_translation`]; `languages` sorted).
    pub fn to_product(&self, lang: Option<&Lang>, default: &Lang) -> Product {
        let picked = pick_translation(&self.translations, lang, default);
        let mut languages: Vec<Lang> = self.translations.iter().map(|t| t.lang.clone()).collect();
        languages.sort();
        languages.dedup();
        Product {
            id: self.id.clone(),
            external_id: self.external_id.clone(),
            lang: picked.map_or_else(|| default.clone(), |t| t.lang.clone()),
            title: picked.map(|t| t.title.clone()).unwrap_or_default(),
            description: picked.map(|t| t.description.clone()).unwrap_or_default(),
            category: picked.and_then(|t| t.category.clone()),
            brand: self.brand.clone(),
            tags: picked.map(|t| t.tags.clone()).unwrap_or_default(),
            images: self.images.clone(),
            variants: self.variants.clone(),
            languages,
            created_at: self.created_at,
            updated_at: self.updated_at,
        }
    }
}

#[cfg(test)]
mod catalogue_entry_tests {
    use super::*;

    fn lang(s: &str) -> Lang {
        Lang::parse(s).unwrap()
    }

    #[test]
    fn to_product_picks_like_the_store() {
        let e = CatalogueEntry {
            id: "prod_1".into(),
            external_id: "p1".into(),
            brand: Some("B".into()),
            images: vec!["i".into()],
            translations: vec![
                Translation::new(lang("en"), "Dress", "d", Some("Clothing"), vec![]).unwrap(),
                Translation::new(
                    lang("fr"),
                    "Robe",
                    "r",
                    Some("Vêtements"),
                    vec!["été".into()],
                )
                .unwrap(),
            ],
            variants: vec![],
            boost_pct: 100,
            created_at: 1,
            updated_at: 2,
        };
        let p = e.to_product(Some(&lang("de")), &lang("fr"));
        assert_eq!(p.title, "Robe");
        assert_eq!(p.lang, lang("fr"));
        assert_eq!(p.tags, ["été"]);
        assert_eq!(p.languages, vec![lang("en"), lang("fr")]);
        let p = e.to_product(Some(&lang("en")), &lang("fr"));
        assert_eq!(p.category.as_deref(), Some("Clothing"));
        let none = CatalogueEntry {
            translations: vec![],
            ..e
        };
        let p = none.to_product(None, &lang("it"));
        assert_eq!((p.title.as_str(), p.lang), ("", lang("it")));
    }
}
