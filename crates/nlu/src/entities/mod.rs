//! Entity extraction. Each extractor reads the folded message and its tokens and proposes
//! entities with a byte span in the folded text; overlapping proposals are then settled by a
//! fixed precedence (an email beats the number inside it, a date beats a quantity, a trap phrase
//! like "rouge à lèvres" beats the colour inside it).

pub mod catalogue;
pub mod datetime;
pub mod lexicon;

use chrono::{DateTime, FixedOffset};
use rust_decimal::Decimal;
use serde::Serialize;

use crate::normalize::{fold, tokenize, truncate, Token, TokenKind, MAX_INPUT_BYTES};
use crate::Lang;
use catalogue::CatalogueIndex;
use lexicon::{Attribute, Lexicon, MAX_PHRASE};

#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum EntityKind {
    Email,
    OrderNumber,
    Phone,
    // A name beats the colour or date inside it ("Lena Braun", "Rosa", "Mercedes").
    PersonName,
    Date,
    Time,
    PriceMin,
    PriceMax,
    Size,
    Quantity,
    Ordinal,
    Color,
    Material,
    Product,
    Category,
    Brand,
}

impl EntityKind {
    pub fn name(self) -> &'static str {
        match self {
            EntityKind::Email => "email",
            EntityKind::OrderNumber => "order_number",
            EntityKind::Phone => "phone",
            EntityKind::Date => "date",
            EntityKind::Time => "time",
            EntityKind::PriceMin => "price_min",
            EntityKind::PriceMax => "price_max",
            EntityKind::Size => "size",
            EntityKind::Quantity => "quantity",
            EntityKind::Ordinal => "ordinal",
            EntityKind::Color => "color",
            EntityKind::Material => "material",
            EntityKind::PersonName => "person_name",
            EntityKind::Product => "product",
            EntityKind::Category => "category",
            EntityKind::Brand => "brand",
        }
    }

    /// Catalogue-relative kinds are matched against the tenant's catalogue, not the lexicon.
    pub fn is_catalogue(self) -> bool {
        matches!(
            self,
            EntityKind::Product | EntityKind::Category | EntityKind::Brand
        )
    }
}

/// One entity in its normal form (PRODUCT.md "Understanding").
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Entity {
    pub kind: EntityKind,
    /// Normal form: decimal string, `YYYY-MM-DD`, `HH:MM`, E.164, canonical English word…
    pub value: String,
    /// ISO 4217, for amounts whose currency was stated.
    pub currency: Option<String>,
    /// For product mentions: the catalogue's product id.
    pub id: Option<String>,
    /// Byte span in the folded message.
    pub start: usize,
    pub end: usize,
}

impl Serialize for Entity {
    fn serialize<S: serde::Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        use serde::ser::SerializeMap;
        let mut m = s.serialize_map(None)?;
        m.serialize_entry("type", self.kind.name())?;
        // Quantities and ordinals are integers in the API, everything else a string.
        match (self.kind, self.value.parse::<i64>()) {
            (EntityKind::Quantity | EntityKind::Ordinal, Ok(n)) => {
                m.serialize_entry("value", &n)?
            }
            _ => m.serialize_entry("value", &self.value)?,
        }
        if let Some(c) = &self.currency {
            m.serialize_entry("currency", c)?;
        }
        if let Some(id) = &self.id {
            m.serialize_entry("id", id)?;
        }
        m.end()
    }
}

/// What extraction needs besides the text.
pub struct Context<'a> {
    pub lang: Lang,
    pub now: DateTime<FixedOffset>,
    pub catalogue: Option<&'a CatalogueIndex>,
}

/// The message prepared once for every extractor.
struct Message<'a> {
    folded: &'a str,
    tokens: &'a [Token],
    /// Tokens of the un-folded text (case and accents kept), aligned with `tokens` when the
    /// counts agree; used for person names.
    original: Option<(&'a str, Vec<Token>)>,
    /// The NFKC text before folding (case and accents kept), for emails.
    nfkc: &'a str,
    /// Whether the original has any lower-case letter (an all-capitals message says nothing
    /// through capitals); computed once, not per token.
    has_lowercase: bool,
    lang: Lang,
}

impl Message<'_> {
    fn word(&self, i: usize) -> &str {
        self.tokens.get(i).map_or("", |t| t.text.as_str())
    }

    /// True when the tokens from `i` spell `phrase` (space-separated folded words).
    fn phrase_at(&self, i: usize, phrase: &str) -> Option<usize> {
        let mut j = i;
        for w in phrase.split(' ') {
            if self.word(j) != w {
                return None;
            }
            j += 1;
        }
        Some(j)
    }

    /// True when the word before token `i` is written like a name or model ("Windows 11",
    /// "iPhone 15", "Galaxy S24") and is not the first word of the message.
    fn capitalised_name_before(&self, i: usize) -> bool {
        let Some((text, toks)) = &self.original else {
            return false;
        };
        if i < 2 || !self.has_lowercase {
            return false;
        }
        let word = &text[toks[i - 1].start..toks[i - 1].end];
        let sentence_start = self.gap(i - 2, i - 1).contains(['.', '!', '?']);
        word.chars()
            .skip(usize::from(sentence_start))
            .any(char::is_uppercase)
            && word.chars().all(char::is_alphanumeric)
    }

    /// An upper-case S, M or L standing alone in a message that is not all capitals, and not an
    /// initial ("M. Dupont", "L'Oréal"): "the M for an L", "von M auf L".
    fn capital_letter_size(&self, i: usize) -> bool {
        let Some((text, toks)) = &self.original else {
            return false;
        };
        let word = &text[toks[i].start..toks[i].end];
        let next_is_name = toks
            .get(i + 1)
            .is_some_and(|n| text[n.start..n.end].starts_with(char::is_uppercase));
        let initial = text[toks[i].end..].starts_with(['.', '\'']);
        matches!(word, "S" | "M" | "L") && self.has_lowercase && !next_is_name && !initial
    }

    /// True when token `i` is a capitalised word inside a run of capitalised words, not at the
    /// start of a sentence: "the Red Sea", "das Weiße Haus".
    fn inside_proper_name(&self, i: usize) -> bool {
        let Some((text, toks)) = &self.original else {
            return false;
        };
        let capital = |k: usize| {
            toks.get(k)
                .is_some_and(|o| text[o.start..o.end].starts_with(char::is_uppercase))
        };
        let tight = |a: usize, b: usize| {
            !self.gap(a, b).contains([',', ';', '.', '!', '?', ':']) && toks.get(b).is_some()
        };
        let sentence_start = i == 0 || self.gap(i - 1, i).contains(['.', '!', '?']);
        // German capitalises every noun: "in Blau Größe L" is a colour; only an inflected
        // adjective written with a capital ("Rotes Meer", "Weißes Haus") starts a name.
        let german_noun = self.lang == Lang::De
            && !["e", "es", "er", "en", "em"]
                .iter()
                .any(|end| self.word(i).ends_with(end));
        capital(i) && !sentence_start && !german_noun && tight(i, i + 1) && capital(i + 1)
    }

    /// Text between two tokens, e.g. to see the `-` of "50-100".
    fn gap(&self, a: usize, b: usize) -> &str {
        match (self.tokens.get(a), self.tokens.get(b)) {
            (Some(x), Some(y)) if x.end <= y.start => &self.folded[x.end..y.start],
            _ => "",
        }
    }
}

/// Extracts every entity of `text`.
pub fn extract(text: &str, ctx: &Context<'_>, lexicon: &Lexicon) -> Vec<Entity> {
    let text = truncate(text, MAX_INPUT_BYTES);
    let folded = fold(text);
    let tokens = tokenize(&folded);
    let nfkc: String = unicode_normalization::UnicodeNormalization::nfkc(text).collect();
    let original_tokens = tokenize(&nfkc);
    let msg = Message {
        folded: &folded,
        tokens: &tokens,
        original: (original_tokens.len() == tokens.len())
            .then_some((nfkc.as_str(), original_tokens)),
        nfkc: &nfkc,
        has_lowercase: nfkc.chars().any(char::is_lowercase),
        lang: ctx.lang,
    };
    let mut found = Vec::new();
    emails(&msg, &mut found);
    order_numbers(&msg, &mut found);
    phones(&msg, &mut found);
    for d in datetime::extract(&folded, ctx.lang, ctx.now) {
        let kind = match d.kind {
            datetime::Kind::Date => EntityKind::Date,
            datetime::Kind::Time => EntityKind::Time,
        };
        found.push(entity(kind, d.value, d.start, d.end));
    }
    prices(&msg, &mut found);
    sizes(&msg, lexicon, &mut found);
    quantities(&msg, lexicon, &mut found);
    ordinals(&msg, lexicon, &mut found);
    attributes(&msg, lexicon, &mut found);
    person_names(&msg, &mut found);
    let mut kept = settle(found);
    if let Some(index) = ctx.catalogue {
        kept.extend(index.find(&tokens));
    }
    kept
}

fn entity(kind: EntityKind, value: String, start: usize, end: usize) -> Entity {
    Entity {
        kind,
        value,
        currency: None,
        id: None,
        start,
        end,
    }
}

/// Keeps the first-ranked of overlapping proposals. A price range's min and max share a span
/// and are kept together.
fn settle(mut found: Vec<Entity>) -> Vec<Entity> {
    let rank = |k: EntityKind| match k {
        EntityKind::PriceMin | EntityKind::PriceMax => EntityKind::PriceMin,
        k => k,
    };
    found.sort_by_key(|e| (rank(e.kind), e.start, std::cmp::Reverse(e.end)));
    let mut kept: Vec<Entity> = Vec::new();
    for e in found {
        let clash = kept.iter().any(|k| {
            let overlap = e.start < k.end && k.start < e.end;
            let same_range = rank(k.kind) == EntityKind::PriceMin
                && rank(e.kind) == EntityKind::PriceMin
                && (k.start, k.end) == (e.start, e.end)
                && k.kind != e.kind;
            overlap && !same_range
        });
        if !clash {
            kept.push(e);
        }
    }
    kept.retain(|e| e.kind != EntityKind::Ordinal || e.value != "0");
    kept.sort_by_key(|e| (e.start, e.kind));
    kept
}

// ---------------------------------------------------------------------------------- contacts

fn emails(msg: &Message<'_>, out: &mut Vec<Entity>) {
    // Found in the folded text for the span, valued from the original: "müller@bücher.de" is
    // not "muller@bucher.de".
    let folded = email_spans(msg.folded);
    let original = email_spans(msg.nfkc);
    let same = folded.len() == original.len();
    for (n, &(start, end)) in folded.iter().enumerate() {
        let value = match original.get(n) {
            Some(&(a, b)) if same => msg.nfkc[a..b].to_lowercase(),
            _ => msg.folded[start..end].to_string(),
        };
        out.push(entity(EntityKind::Email, value, start, end));
    }
}

/// Byte spans of the email addresses of `text` (Unicode letters allowed).
fn email_spans(text: &str) -> Vec<(usize, usize)> {
    let local = |c: char| c.is_alphanumeric() || "._%+-".contains(c);
    let domain = |c: char| c.is_alphanumeric() || c == '.' || c == '-';
    let mut spans = Vec::new();
    let mut searched_to = 0;
    for (at, _) in text.match_indices('@') {
        if at < searched_to {
            continue;
        }
        let start = text[..at]
            .char_indices()
            .rev()
            .take_while(|(_, c)| local(*c))
            .last()
            .map_or(at, |(p, _)| p);
        let mut end = text[at + 1..]
            .find(|c: char| !domain(c))
            .map_or(text.len(), |p| at + 1 + p);
        while end > at + 1 && text[..end].ends_with('.') {
            end -= 1;
        }
        searched_to = end;
        let host = &text[at + 1..end];
        let tld_ok = host
            .rsplit_once('.')
            .is_some_and(|(h, tld)| !h.is_empty() && tld.chars().count() >= 2);
        if start < at && tld_ok {
            spans.push((start, end));
        }
    }
    spans
}

const ORDER_CUES: &[&str] = &[
    "order",
    "orders",
    "commande",
    "cmd",
    "bestellung",
    "bestellnummer",
    "auftrag",
    "auftragsnummer",
    "ordine",
    "pedido",
    "orden",
    "ordernummer",
    "bestellnr",
    "auftragsnr",
    "ordernr",
    "bestellungsnummer",
    "ordre",
];
const ORDER_FILLERS: &[&str] = &[
    "number",
    "no",
    "nr",
    "n",
    "num",
    "numero",
    "nummer",
    "de",
    "du",
    "ma",
    "mon",
    "my",
    "meine",
    "mein",
    "mia",
    "mio",
    "il",
    "la",
    "el",
    "mi",
    "is",
    "est",
    "ist",
    "e",
    "es",
    "id",
    "ref",
    "reference",
    "#",
    "nº",
    "o",
];

fn order_numbers(msg: &Message<'_>, out: &mut Vec<Entity>) {
    let t = msg.tokens;
    for i in 0..t.len() {
        let start_at = if ORDER_CUES.contains(&t[i].text.as_str()) {
            // Skip "n°", "number", "#", "ma"… between the cue and the identifier.
            let mut j = i + 1;
            while j < t.len() && j <= i + 3 && ORDER_FILLERS.contains(&t[j].text.as_str()) {
                j += 1;
            }
            Some(j)
        } else if t[i].text == "#" && t.get(i + 1).is_some_and(|n| n.start == t[i].end) {
            Some(i + 1)
        } else {
            None
        };
        if let Some(j) = start_at.filter(|&j| j < t.len()) {
            if let Some(e) = order_code(msg, j) {
                out.push(e);
            }
        }
    }
    // Stand-alone codes shaped like "CMD-2026-0042" need no cue.
    for (j, tok) in t.iter().enumerate() {
        let code = code_from(msg, j);
        let letters = code.chars().filter(|c| c.is_ascii_alphabetic()).count();
        let digits = code.chars().filter(|c| c.is_ascii_digit()).count();
        if (2..=5).contains(&letters)
            && digits >= 4
            && code.contains('-')
            && code.starts_with(|c: char| c.is_ascii_alphabetic())
        {
            out.push(entity(
                EntityKind::OrderNumber,
                code.to_uppercase(),
                tok.start,
                tok.start + code.len(),
            ));
        }
    }
}

/// The identifier starting at token `j`: letters, digits and inner `-`, `_`, `/`.
fn code_from<'a>(msg: &Message<'a>, j: usize) -> &'a str {
    let start = msg.tokens[j].start;
    // Order numbers are short; looking further would make "1/1/1/…" quadratic.
    let rest = crate::normalize::truncate(&msg.folded[start..], 40);
    let mut end = rest
        .find(|c: char| !(c.is_ascii_alphanumeric() || "-_/".contains(c)))
        .unwrap_or(rest.len());
    while end > 0 && rest[..end].ends_with(['-', '_', '/']) {
        end -= 1;
    }
    &rest[..end]
}

fn order_code(msg: &Message<'_>, j: usize) -> Option<Entity> {
    let code = code_from(msg, j);
    let digits = code.chars().filter(|c| c.is_ascii_digit()).count();
    if digits < 3 || code.len() > 32 {
        return None;
    }
    let start = msg.tokens[j].start;
    Some(entity(
        EntityKind::OrderNumber,
        code.to_uppercase(),
        start,
        start + code.len(),
    ))
}

fn phones(msg: &Message<'_>, out: &mut Vec<Entity>) {
    let s = msg.folded.as_bytes();
    let mut i = 0;
    while i < s.len() {
        let starts = s[i] == b'+' || s[i].is_ascii_digit() || s[i] == b'(';
        let boundary = i == 0 || !s[i - 1].is_ascii_alphanumeric();
        if !(starts && boundary) {
            i += 1;
            continue;
        }
        let mut end = i + 1;
        while end < s.len() && (s[end].is_ascii_digit() || b" .-()/".contains(&s[end])) {
            end += 1;
        }
        while end > i && !s[end - 1].is_ascii_digit() {
            end -= 1;
        }
        let run = &msg.folded[i..end];
        if end < s.len() && s[end].is_ascii_alphabetic() {
            // "0612345678abc" or "24h": part of a word, not a phone number.
            i = end.max(i + 1);
            continue;
        }
        if let Some(e164) = e164(run, msg.lang) {
            out.push(entity(EntityKind::Phone, e164, i, end));
        }
        i = end.max(i + 1);
    }
}

/// E.164 form of a phone number as typed, inferring the country from the message language
/// when the number is national.
fn e164(run: &str, lang: Lang) -> Option<String> {
    let digits: String = run.chars().filter(|c| c.is_ascii_digit()).collect();
    let separated = run.contains([' ', '.', '-', '(', '/']);
    let (country, national): (&str, &str) = if run.starts_with('+') {
        ("", &digits)
    } else if let Some(rest) = digits.strip_prefix("00") {
        return (8..=15).contains(&rest.len()).then(|| format!("+{rest}"));
    } else {
        match lang {
            Lang::Fr if digits.len() == 10 && digits.starts_with('0') => ("33", &digits[1..]),
            Lang::De if (10..=12).contains(&digits.len()) && digits.starts_with('0') => {
                ("49", &digits[1..])
            }
            // Italian numbers keep their leading 0; mobiles start with 3.
            Lang::It
                if (9..=11).contains(&digits.len())
                    && (digits.starts_with('0') || digits.starts_with('3')) =>
            {
                ("39", &digits)
            }
            Lang::Es if digits.len() == 9 && digits.starts_with(['6', '7', '8', '9']) => {
                ("34", &digits)
            }
            Lang::En if digits.len() == 11 && digits.starts_with('0') => ("44", &digits[1..]),
            Lang::En if digits.len() == 10 && !digits.starts_with(['0', '1']) && separated => {
                ("1", &digits)
            }
            Lang::En if digits.len() == 11 && digits.starts_with('1') && separated => ("", &digits),
            _ => return None,
        }
    };
    let total = country.len() + national.len();
    (8..=15)
        .contains(&total)
        .then(|| format!("+{country}{national}"))
}

// ------------------------------------------------------------------------------------ amounts

/// A number written in the message: digits with `.`/`,` decimals, or a number word.
fn number_at(msg: &Message<'_>, lexicon: &Lexicon, i: usize) -> Option<Decimal> {
    let t = msg.tokens.get(i)?;
    match t.kind {
        TokenKind::Number => parse_decimal(&t.text),
        TokenKind::Word => lexicon
            .numbers
            .get(&(msg.lang, t.text.clone()))
            .map(|&n| Decimal::from(n)),
        TokenKind::Symbol => None,
    }
}

/// "49,90" → 49.9; "1.299" and "1,299" → 1299 (three digits after one separator read as
/// thousands); "1.299,90" → 1299.9.
pub fn parse_decimal(s: &str) -> Option<Decimal> {
    if s.len() > 24 {
        return None;
    }
    let seps: Vec<(usize, char)> = s
        .char_indices()
        .filter(|(_, c)| *c == '.' || *c == ',')
        .collect();
    let digits_after = |p: usize| s[p + 1..].find(['.', ',']).unwrap_or(s.len() - p - 1);
    let all_thousands = !seps.is_empty()
        && seps.iter().all(|(_, c)| *c == seps[0].1)
        && seps.iter().all(|&(p, _)| digits_after(p) == 3)
        && !s.starts_with('0');
    let cleaned = match seps.as_slice() {
        [] => s.to_string(),
        // "1.299", "1,000,000", "1.234.567": thousands ("0,500" is half, not five hundred).
        _ if all_thousands => s.replace(['.', ','], ""),
        [(_, _)] => s.replace(',', "."),
        // "1.299,90", "1,299.90": the last separator is the decimal point.
        [.., (p, _)] => {
            let (int, frac) = s.split_at(*p);
            let int: String = int.chars().filter(|c| c.is_ascii_digit()).collect();
            format!("{int}.{}", &frac[1..])
        }
    };
    cleaned.parse::<Decimal>().ok().map(|d| d.normalize())
}

fn currency_word(w: &str) -> Option<&'static str> {
    Some(match w {
        "€" | "eur" | "euro" | "euros" | "e" | "balles" | "pavos" | "euritos" => "EUR",
        "$" | "usd" | "dollar" | "dollars" | "bucks" | "dolares" | "dollari" => "USD",
        "£" | "gbp" | "pound" | "pounds" | "livres" | "sterling" | "quid" => "GBP",
        "chf" | "franken" | "francs" | "franchi" => "CHF",
        _ => return None,
    })
}

struct Amount {
    value: Decimal,
    currency: Option<&'static str>,
    start: usize,
    /// Index of the token after the amount.
    next: usize,
    end: usize,
}

/// An amount at token `i`: `50`, `50 €`, `€50`, `$ 50`, `50eur`, `50 euros`.
fn amount_at(msg: &Message<'_>, lexicon: &Lexicon, i: usize) -> Option<Amount> {
    let t = msg.tokens;
    let (prefix, i) = match t
        .get(i)
        .and_then(|x| currency_word(&x.text).filter(|_| x.kind == TokenKind::Symbol))
    {
        Some(c) => (Some(c), i + 1),
        None => (None, i),
    };
    let tok = t.get(i)?;
    let start = t[i.saturating_sub(usize::from(prefix.is_some()))].start;
    // "50eur", "50e", "50€" glued as one word.
    if tok.kind == TokenKind::Word {
        let split = tok
            .text
            .find(|c: char| !(c.is_ascii_digit() || c == '.' || c == ','))?;
        if split > 0 {
            let value = parse_decimal(&tok.text[..split])?;
            let currency = currency_word(&tok.text[split..])?;
            return Some(Amount {
                value,
                currency: Some(currency),
                start,
                next: i + 1,
                end: tok.end,
            });
        }
    }
    let mut value = number_at(msg, lexicon, i)?;
    // "1 000 €", "1 500 euros": French and Swiss write thousands with a space (NFKC turned
    // the no-break spaces into plain ones). Groups of exactly three digits, one space apart.
    let mut i = i;
    if tok.kind == TokenKind::Number
        && tok.text.len() <= 3
        && tok.text.bytes().all(|b| b.is_ascii_digit())
    {
        while let Some(group) = t.get(i + 1).filter(|g| {
            g.kind == TokenKind::Number
                && g.text.len() == 3
                && g.text.bytes().all(|b| b.is_ascii_digit())
                && msg.gap(i, i + 1) == " "
        }) {
            value = value * Decimal::from(1000) + parse_decimal(&group.text)?;
            i += 1;
        }
    }
    let tok = &t[i];
    let suffix = t.get(i + 1).and_then(|x| currency_word(&x.text));
    // A lone "e" only means euro when glued to the number ("50e"), not in "50 e 60".
    let suffix = suffix.filter(|_| t[i + 1].text != "e" || t[i + 1].start == tok.end);
    let (currency, next, end) = match suffix {
        Some(c) => (Some(c), i + 2, t[i + 1].end),
        None => (prefix, i + 1, tok.end),
    };
    Some(Amount {
        value,
        currency,
        start,
        next,
        end,
    })
}

const MAX_CUES: &[&str] = &[
    "under",
    "below",
    "less than",
    "max",
    "maximum",
    "up to",
    "no more than",
    "not more than",
    "at most",
    "cheaper than",
    "within",
    "budget",
    "budget of",
    "budget is",
    "moins de",
    "jusqu a",
    "pas plus de",
    "inferieur a",
    "en dessous de",
    "maxi",
    "moins cher que",
    "budget de",
    "budget max",
    "unter",
    "bis",
    "hochstens",
    "nicht teurer als",
    "budget s",
    "budget is",
    "hoechstens",
    "maximal",
    "weniger als",
    "nicht mehr als",
    "billiger als",
    "bis zu",
    "sotto",
    "sotto i",
    "sotto gli",
    "meno di",
    "massimo",
    "fino a",
    "non piu di",
    "entro i",
    "menos de",
    "maximo",
    "hasta",
    "por debajo de",
    "no mas de",
    "mas barato que",
    "presupuesto de",
    "budget di",
];
const MIN_CUES: &[&str] = &[
    "over",
    "above",
    "more than",
    "at least",
    "from",
    "starting at",
    "plus de",
    "au moins",
    "a partir de",
    "minimum",
    "superieur a",
    "uber",
    "ueber",
    "mehr als",
    "ab",
    "mindestens",
    "sopra",
    "sopra i",
    "piu di",
    "almeno",
    "a partire da",
    "mas de",
    "desde",
    "minimo",
    "por encima de",
];
const POST_MAX_CUES: &[&str] = &[
    "or less",
    "or under",
    "max",
    "maximum",
    "tops",
    "at most",
    "or below",
    "ou moins",
    "maxi",
    "au maximum",
    "au plus",
    "oder weniger",
    "hochstens",
    "maximal",
    "o meno",
    "al massimo",
    "massimo",
    "o menos",
    "como maximo",
    "maximo",
    "como mucho",
];
const POST_MIN_CUES: &[&str] = &[
    "or more",
    "and up",
    "and above",
    "or above",
    "ou plus",
    "et plus",
    "minimum",
    "oder mehr",
    "und mehr",
    "o piu",
    "e piu",
    "o mas",
    "y mas",
    "como minimo",
    "minimo",
];
/// Words that introduce a size, for telling "Gr. 38" from an amount (the lexicon has the full
/// list; these are the ones that also precede numbers).
const SIZE_CUE_WORDS: &[&str] = &[
    "size", "sz", "taille", "pointure", "gr", "grosse", "groesse", "taglia", "misura", "talla",
    "numero", "t", "eu",
];
const RANGE_CUES: &[&str] = &[
    "between", "entre", "zwischen", "tra", "fra", "from", "de", "von", "da", "desde",
];
const RANGE_JOINS: &[&str] = &["and", "to", "et", "a", "und", "bis", "e", "y", "al", "-"];

/// Units that make a number not a price (nor a quantity).
fn is_unit(w: &str) -> bool {
    matches!(
        w,
        "h" | "uhr"
            | "heure"
            | "heures"
            | "hour"
            | "hours"
            | "hr"
            | "hrs"
            | "min"
            | "mins"
            | "minute"
            | "minutes"
            | "minuten"
            | "minuti"
            | "minutos"
            | "jour"
            | "jours"
            | "day"
            | "days"
            | "tag"
            | "tage"
            | "tagen"
            | "giorno"
            | "giorni"
            | "dia"
            | "dias"
            | "semaine"
            | "semaines"
            | "week"
            | "weeks"
            | "woche"
            | "wochen"
            | "settimana"
            | "settimane"
            | "semana"
            | "semanas"
            | "mois"
            | "month"
            | "months"
            | "monat"
            | "monate"
            | "mese"
            | "mesi"
            | "mes"
            | "meses"
            | "an"
            | "ans"
            | "year"
            | "years"
            | "jahr"
            | "jahre"
            | "anno"
            | "anni"
            | "ano"
            | "anos"
            | "%"
            | "km"
            | "kg"
            | "g"
            | "cm"
            | "mm"
            | "ml"
            | "cl"
            | "gb"
            | "go"
            | "tb"
            | "mb"
            | "mo"
            | "mah"
            | "w"
            | "v"
            | "pm"
            | "am"
            | "fois"
            | "times"
            | "mal"
            | "volte"
            | "veces"
            | "x"
            | "stars"
            | "etoiles"
            | "sterne"
            | "stelle"
            | "estrellas"
            | "raten"
            | "rate"
            | "cuotas"
            | "mensualites"
            | "instalments"
            | "installments"
            | "plazos"
            | "pouces"
            | "inch"
            | "inches"
            | "zoll"
            | "pollici"
            | "pulgadas"
            | "personnes"
            | "people"
            | "persons"
            | "personen"
            | "persone"
            | "personas"
            | "ans."
            | "seconds"
            | "secondes"
            | "sekunden"
            | "secondi"
            | "segundos"
            | "points"
            | "punkte"
            | "punti"
            | "puntos"
    )
}

fn cue_before(msg: &Message<'_>, i: usize, cues: &[&str]) -> Option<usize> {
    // The cue may end one filler word before the number: "sotto i 50", "budget de 50".
    for back in 1..=4usize {
        let Some(s) = i.checked_sub(back) else { break };
        for cue in cues {
            if msg.phrase_at(s, cue) == Some(i) {
                return Some(s);
            }
        }
    }
    None
}

fn prices(msg: &Message<'_>, out: &mut Vec<Entity>) {
    let lexicon_free = Lexicon::default();
    let t = msg.tokens;
    let mut i = 0;
    while i < t.len() {
        let Some(a) = amount_at(msg, &lexicon_free, i) else {
            i += 1;
            continue;
        };
        if t.get(a.next).is_some_and(|x| is_unit(&x.text)) || a.value <= Decimal::ZERO {
            i = a.next;
            continue;
        }
        // A range: "20-30 €", "between 20 and 30", "de 20 à 30 euros".
        // The join must be tight: in "Gr. 38, bis 120 €" the 38 is a size, not a bound.
        let join = t.get(a.next).map(|x| x.text.as_str());
        let gap = msg.gap(a.next - 1, a.next);
        let after_size_cue = i > 0 && SIZE_CUE_WORDS.contains(&t[i - 1].text.as_str());
        let range_end = if gap.contains([',', ';']) || after_size_cue {
            None
        } else if gap.contains(['-', '–']) {
            Some(a.next)
        } else if join.is_some_and(|j| RANGE_JOINS.contains(&j)) {
            Some(a.next + 1)
        } else {
            None
        };
        if let Some(b) = range_end.and_then(|j| amount_at(msg, &lexicon_free, j)) {
            let cue = cue_before(msg, i, RANGE_CUES).is_some();
            let unit_after = t.get(b.next).is_some_and(|x| is_unit(&x.text));
            let currency = a.currency.or(b.currency);
            if (currency.is_some() || cue) && !unit_after && b.value > a.value {
                let start = cue_before(msg, i, RANGE_CUES).map_or(a.start, |s| t[s].start);
                for (kind, v) in [
                    (EntityKind::PriceMin, a.value),
                    (EntityKind::PriceMax, b.value),
                ] {
                    let mut e = entity(kind, v.to_string(), start, b.end);
                    e.currency = currency.map(str::to_string);
                    out.push(e);
                }
                i = b.next;
                continue;
            }
        }
        let kind = if let Some(s) = cue_before(msg, i, MAX_CUES) {
            Some((EntityKind::PriceMax, s))
        } else if let Some(s) = cue_before(msg, i, MIN_CUES) {
            Some((EntityKind::PriceMin, s))
        } else if a.currency.is_some() {
            // "$35 or less", "60 dollars max", "50 € ou plus": the cue comes after.
            let after = |cues: &[&str]| cues.iter().any(|c| msg.phrase_at(a.next, c).is_some());
            if after(POST_MAX_CUES) {
                Some((EntityKind::PriceMax, i))
            } else if after(POST_MIN_CUES) {
                Some((EntityKind::PriceMin, i))
            } else {
                None
            }
        } else {
            None
        };
        if let Some((kind, s)) = kind {
            // "bis 15 Uhr", "ab 3 Stück": the cue words double as time and quantity words,
            // so without a currency they need a price-like number.
            let ambiguous_cue = matches!(
                t[s].text.as_str(),
                "bis" | "ab" | "from" | "da" | "within" | "over"
            );
            if a.currency.is_some() || !ambiguous_cue {
                let mut e = entity(kind, a.value.to_string(), t[s].start, a.end);
                e.currency = a.currency.map(str::to_string);
                out.push(e);
            }
        }
        i = a.next;
    }
}

// ------------------------------------------------------------------- sizes, counts, positions

fn letter_size(w: &str) -> Option<&'static str> {
    Some(match w {
        "xxs" => "xxs",
        "xs" => "xs",
        "s" => "s",
        "m" => "m",
        "l" => "l",
        "xl" => "xl",
        "xxl" | "2xl" => "xxl",
        "xxxl" | "3xl" => "3xl",
        _ => return None,
    })
}

fn sizes(msg: &Message<'_>, lexicon: &Lexicon, out: &mut Vec<Entity>) {
    let t = msg.tokens;
    for i in 0..t.len() {
        let w = t[i].text.as_str();
        // Multi-letter sizes are unambiguous anywhere; S, M and L need a cue ("taille M", "in L").
        if let Some(size) = letter_size(w) {
            let cued = i > 0
                && (lexicon.size_cues.contains_key(&t[i - 1].text)
                    || matches!(t[i - 1].text.as_str(), "in" | "en" | "im"));
            if w.len() > 1 || cued || msg.capital_letter_size(i) {
                out.push(entity(
                    EntityKind::Size,
                    size.to_string(),
                    t[i].start,
                    t[i].end,
                ));
            }
            continue;
        }
        if !lexicon.size_cues.contains_key(w) {
            continue;
        }
        let mut j = i + 1;
        while j < t.len()
            && matches!(
                t[j].text.as_str(),
                "de" | "en" | "eu" | "us" | "uk" | "fr" | "it" | "n" | "numero" | "nr" | ":"
            )
        {
            j += 1;
        }
        let Some(next) = t.get(j) else { continue };
        let value = match next.kind {
            TokenKind::Number => parse_decimal(&next.text)
                .filter(|d| *d > Decimal::ZERO && *d < Decimal::from(200))
                .map(|d| d.to_string()),
            _ => letter_size(&next.text).map(str::to_string),
        };
        if let Some(v) = value {
            out.push(entity(EntityKind::Size, v, t[i].start, next.end));
        }
    }
}

const NOT_COUNTED_AFTER: &[&str] = &[
    "error",
    "erreur",
    "fehler",
    "errore",
    "code",
    "codice",
    "codigo",
    "version",
    "windows",
    "ios",
    "android",
    "seite",
    "page",
    "pagina",
    "chapitre",
    "chapter",
    "kapitel",
    "capitolo",
    "capitulo",
    "number",
    "numero",
    "nummer",
    "no",
    "nr",
    "n",
    "room",
    "zimmer",
    "chambre",
    "stanza",
    "habitacion",
    "level",
    "niveau",
    "stufe",
    "livello",
    "nivel",
    "model",
    "modell",
    "modele",
    "modello",
    "modelo",
    "series",
    "serie",
    "gen",
    "iphone",
    "galaxy",
    "pixel",
    "ps",
    "xbox",
    "table",
    "tisch",
    "tavolo",
    "mesa",
    "quai",
    "gate",
    "terminal",
    "bus",
    "line",
    "ligne",
    "linie",
    "linea",
    "top",
    "v",
    "covid",
    "windows",
    "office",
    "macos",
    "gate",
];

fn is_month(w: &str) -> bool {
    matches!(
        w,
        "janvier"
            | "fevrier"
            | "mars"
            | "avril"
            | "mai"
            | "juin"
            | "juillet"
            | "aout"
            | "septembre"
            | "octobre"
            | "novembre"
            | "decembre"
            | "january"
            | "february"
            | "march"
            | "april"
            | "may"
            | "june"
            | "july"
            | "august"
            | "september"
            | "october"
            | "november"
            | "december"
            | "jan"
            | "feb"
            | "mar"
            | "apr"
            | "jun"
            | "jul"
            | "aug"
            | "sep"
            | "sept"
            | "oct"
            | "nov"
            | "dec"
            | "januar"
            | "februar"
            | "marz"
            | "juni"
            | "juli"
            | "oktober"
            | "dezember"
            | "jaenner"
            | "janner"
            | "gennaio"
            | "febbraio"
            | "marzo"
            | "aprile"
            | "maggio"
            | "giugno"
            | "luglio"
            | "agosto"
            | "settembre"
            | "ottobre"
            | "dicembre"
            | "enero"
            | "febrero"
            | "abril"
            | "mayo"
            | "junio"
            | "julio"
            | "septiembre"
            | "setiembre"
            | "octubre"
            | "noviembre"
            | "diciembre"
    )
}

fn multiplier(w: &str) -> Option<u32> {
    match w {
        "hundred" | "cent" | "cents" | "hundert" | "cento" | "cien" | "cientos" => Some(100),
        "thousand" | "mille" | "tausend" | "mila" | "mil" => Some(1000),
        _ => None,
    }
}

const QUANTITY_CUES: &[&str] = &[
    "quantite", "quantity", "qty", "menge", "anzahl", "quantita", "cantidad", "qte", "take", "add",
    "want", "need", "buy", "prends", "prend", "ajoute", "ajouter", "veux", "voudrais", "achete",
    "nehme", "nehmen", "hatte", "mochte", "brauche", "kaufe", "prendo", "aggiungi", "voglio",
    "vorrei", "compro", "llevo", "quiero", "anade", "agrega", "ponme", "mets", "metti",
];

fn quantities(msg: &Message<'_>, lexicon: &Lexicon, out: &mut Vec<Entity>) {
    let t = msg.tokens;
    for i in 0..t.len() {
        let w = t[i].text.as_str();
        // "x3", "3x"
        let times = w
            .strip_prefix('x')
            .or_else(|| w.strip_suffix('x'))
            .filter(|d| !d.is_empty() && d.bytes().all(|b| b.is_ascii_digit()));
        if let Some(n) = times
            .and_then(|d| d.parse::<u32>().ok())
            .filter(|n| (1..=999).contains(n))
        {
            out.push(entity(
                EntityKind::Quantity,
                n.to_string(),
                t[i].start,
                t[i].end,
            ));
            continue;
        }
        let Some(n) = number_at(msg, lexicon, i) else {
            continue;
        };
        let is_word = t[i].kind == TokenKind::Word;
        // Words for "one" are articles far more often than counts ("une robe", "a dress").
        if n.fract() != Decimal::ZERO
            || n < Decimal::ONE
            || n > Decimal::from(999)
            || (is_word && n == Decimal::ONE)
        {
            continue;
        }
        let next = t.get(i + 1).map_or("", |x| x.text.as_str());
        if is_unit(next) || currency_word(next).is_some() || next == "?" && t.len() == 2 {
            continue;
        }
        // "le 31 février" (impossible, so no date was found): still a date, not a count.
        if is_month(next) {
            continue;
        }
        // "Windows 11", "iPhone 15", "Fehler 403", "page 12": a name or a reference, not a count.
        let prev = if i > 0 { t[i - 1].text.as_str() } else { "" };
        if NOT_COUNTED_AFTER.contains(&prev) || msg.capitalised_name_before(i) {
            continue;
        }
        // "14 oder 30 Tage", "2 or 3": alternatives of a count are rarely the order itself.
        if matches!(
            next,
            "oder" | "or" | "ou" | "o" | "y" | "und" | "and" | "et" | "e" | "bis" | "to"
        ) && t.get(i + 2).is_some_and(|x| {
            x.kind == TokenKind::Number || number_at(msg, lexicon, i + 2).is_some()
        }) {
            continue;
        }
        // "five hundred", "cinq cents", "due mila": a multiplier word scales the count.
        let (n, end) = match t.get(i + 1).and_then(|x| multiplier(&x.text)) {
            Some(m) if is_word => (n * Decimal::from(m), t[i + 1].end),
            _ => (n, t[i].end),
        };
        // "quantité 4", "I'll take 2", "ne prendo 3": a count right after a taking verb.
        let cued =
            i > 0 && QUANTITY_CUES.contains(&t[i - 1].text.as_str()) && n <= Decimal::from(99);
        // A bare number closing a message is more often a size, a price or a reference; a
        // number word needs its noun too ("table for two" is a party size).
        let tight = !msg.gap(i, i + 1).contains([',', ';', '.', ':']);
        let followed = tight && t.get(i + 1).is_some_and(|x| x.kind == TokenKind::Word);
        if cued || followed {
            out.push(entity(EntityKind::Quantity, n.to_string(), t[i].start, end));
        }
    }
}

const DETERMINERS: &[&str] = &[
    "le", "la", "les", "l", "the", "der", "die", "das", "den", "dem", "des", "il", "lo", "i",
    "gli", "el", "los", "las", "this", "that", "ce", "cette", "dieser", "diese", "dieses",
    "questo", "questa", "quello", "quella", "este", "esta", "ese", "esa", "my", "mon", "ma",
    "mein", "meine", "mio", "mia", "mi", "du", "al", "del", "della", "dello", "vom", "zum", "zur",
    "au",
];

fn ordinals(msg: &Message<'_>, lexicon: &Lexicon, out: &mut Vec<Entity>) {
    let t = msg.tokens;
    for i in 0..t.len() {
        let w = t[i].text.as_str();
        let Some(&n) = lexicon.ordinals.get(&(msg.lang, w.to_string())) else {
            continue;
        };
        let after_determiner = i > 0 && DETERMINERS.contains(&t[i - 1].text.as_str());
        let numeric = w.starts_with(|c: char| c.is_ascii_digit());
        let alone = t.len() <= 3 && i == 0;
        if after_determiner || numeric || alone {
            out.push(entity(
                EntityKind::Ordinal,
                n.to_string(),
                t[i].start,
                t[i].end,
            ));
        }
    }
}

/// Colours, materials and size words, longest phrase first; a trap phrase hides its words.
fn attributes(msg: &Message<'_>, lexicon: &Lexicon, out: &mut Vec<Entity>) {
    let t = msg.tokens;
    let mut i = 0;
    let mut key = String::new();
    'outer: while i < t.len() {
        for len in (1..=MAX_PHRASE.min(t.len() - i)).rev() {
            key.clear();
            for (n, tok) in t[i..i + len].iter().enumerate() {
                if n > 0 {
                    key.push(' ');
                }
                key.push_str(&tok.text);
            }
            if lexicon.traps.contains_key(&key) {
                i += len;
                continue 'outer;
            }
            if let Some((attribute, canonical)) = lexicon.attributes.get(&key) {
                let kind = match attribute {
                    // "the Red Sea", "Black Friday", "Casa Blanca": part of a proper name.
                    Attribute::Color if len == 1 && msg.inside_proper_name(i) => continue,
                    Attribute::Color => EntityKind::Color,
                    Attribute::Material => EntityKind::Material,
                    // Size words ("small", "medium") are adjectives too; only take them after a cue.
                    Attribute::Size => {
                        // "in medium", "taille moyenne", "the medium": a size; "a small bag": not.
                        let cued = len > 1
                            || (i > 0
                                && (lexicon.size_cues.contains_key(&t[i - 1].text)
                                    || matches!(
                                        t[i - 1].text.as_str(),
                                        "in" | "en"
                                            | "im"
                                            | "the"
                                            | "le"
                                            | "la"
                                            | "el"
                                            | "il"
                                            | "die"
                                            | "der"
                                            | "das"
                                    )));
                        if !cued {
                            continue;
                        }
                        EntityKind::Size
                    }
                };
                out.push(entity(
                    kind,
                    canonical.clone(),
                    t[i].start,
                    t[i + len - 1].end,
                ));
                i += len;
                continue 'outer;
            }
        }
        // "Lederjacken", "Wollpullover": a German compound that starts with a material.
        if msg.lang == Lang::De {
            let w = t[i].text.as_str();
            let stem = lexicon
                .compounds
                .iter()
                .find(|(stem, _)| w.len() >= stem.len() + 3 && w.starts_with(stem.as_str()));
            if let Some((_, material)) = stem {
                out.push(entity(
                    EntityKind::Material,
                    material.clone(),
                    t[i].start,
                    t[i].end,
                ));
            }
        }
        i += 1;
    }
}

// ------------------------------------------------------------------------------------- names

/// Cues after which the next words are the shopper's name, whatever their case.
const NAME_CUES: &[&str] = &[
    "je m appelle",
    "mon nom est",
    "mon nom c est",
    "moi c est",
    "my name is",
    "my name s",
    "name is",
    "ich heisse",
    "mein name ist",
    "ich bin der",
    "ich bin die",
    "mi chiamo",
    "il mio nome e",
    "me llamo",
    "mi nombre es",
    "au nom de",
    "a nom di",
    "a nome di",
    "a nome",
    "under the name",
    "under the name of",
    "auf den namen",
    "a nombre de",
];
/// Weaker cues ("this is", "je suis"): only a capitalised word after them is a name.
const WEAK_NAME_CUES: &[&str] = &[
    "this is",
    "c est",
    "je suis",
    "i am",
    "i m",
    "soy",
    "sono",
    "ich bin",
    "hier ist",
    "hier spricht",
    "it s",
    "it is",
    "ici",
    "qui e",
    "aqui",
    "habla",
    "parla",
];
const NAME_STOP: &[&str] = &[
    "et",
    "and",
    "und",
    "e",
    "y",
    "je",
    "i",
    "ich",
    "io",
    "yo",
    "from",
    "de",
    "von",
    "da",
    "mais",
    "but",
    "aber",
    "ma",
    "pero",
    "et",
    "my",
    "mon",
    "ma",
    "mi",
    "mio",
    "mein",
    "meine",
    "please",
    "stp",
    "svp",
    "bitte",
    "per",
    "por",
    "favor",
    "favore",
    "merci",
    "thanks",
    "danke",
    "grazie",
    "gracias",
    "the",
    "le",
    "la",
    "el",
    "il",
    "looking",
    "searching",
    "interested",
    "here",
    "ici",
    "hier",
    "qui",
    "aqui",
    "not",
    "pas",
    "nicht",
    "no",
    "a",
    "an",
    "un",
    "une",
    "ein",
    "eine",
    "very",
    "tres",
    "sehr",
    "molto",
    "muy",
    "calling",
    "writing",
];

fn person_names(msg: &Message<'_>, out: &mut Vec<Entity>) {
    let Some((original, otoks)) = &msg.original else {
        return;
    };
    let t = msg.tokens;
    for i in 0..t.len() {
        let cues = NAME_CUES
            .iter()
            .map(|c| (c, false))
            .chain(WEAK_NAME_CUES.iter().map(|c| (c, true)));
        for (cue, weak) in cues {
            let Some(j) = msg.phrase_at(i, cue) else {
                continue;
            };
            let mut k = j;
            while k < t.len() && k < j + 3 {
                let o = &otoks[k];
                let word = &original[o.start..o.end];
                let capital = word.starts_with(char::is_uppercase);
                let plausible = t[k].kind == TokenKind::Word
                    && word.chars().all(|c| c.is_alphabetic() || c == '-')
                    && !NAME_STOP.contains(&t[k].text.as_str());
                if !plausible || (weak && !capital) || (k > j && !capital && has_capitals(original))
                {
                    break;
                }
                k += 1;
            }
            if k > j {
                // The original slice keeps "O'Connor" and "Jean-Luc" whole.
                let name = original[otoks[j].start..otoks[k - 1].end]
                    .split_whitespace()
                    .map(capitalise)
                    .collect::<Vec<_>>()
                    .join(" ");
                out.push(entity(
                    EntityKind::PersonName,
                    name,
                    t[j].start,
                    t[k - 1].end,
                ));
                return;
            }
        }
    }
    // "Jessica here", "hello, Sven hier": a capitalised word right before "here" near the start.
    for i in 0..t.len().min(5) {
        let here = matches!(msg.word(i + 1), "here" | "ici" | "hier" | "qui" | "aqui");
        let word = &original[otoks[i].start..otoks[i].end];
        let names_self = i + 2 >= t.len() || msg.gap(i + 1, i + 2).contains([',', '.', '!', '?']);
        if here
            && names_self
            && word.starts_with(char::is_uppercase)
            && word.chars().all(char::is_alphabetic)
            && !NAME_STOP.contains(&t[i].text.as_str())
            && !GREETINGS.contains(&t[i].text.as_str())
        {
            out.push(entity(
                EntityKind::PersonName,
                word.to_string(),
                t[i].start,
                t[i].end,
            ));
            return;
        }
    }
}

const GREETINGS: &[&str] = &[
    "hello", "hi", "hey", "bonjour", "salut", "hallo", "moin", "servus", "ciao", "salve", "hola",
    "buenas", "coucou",
];

fn has_capitals(s: &str) -> bool {
    s.chars().any(char::is_uppercase)
}

fn capitalise(word: &str) -> String {
    let mut c = word.chars();
    match c.next() {
        Some(f) if word.chars().all(|x| !x.is_uppercase()) => f.to_uppercase().chain(c).collect(),
        _ => word.to_string(),
    }
}

#[cfg(test)]
mod tests;
