//! Dates and times in shopper messages, resolved against the shopper's "now".
//!
//! Works on the folded text (lower case, no accents) with its own small lexer rather than
//! `normalize::tokenize`: the shared tokenizer glues "5.12" into one decimal and drops the
//! separators ("/", ":", "-", ".") that tell a date or a clock time from a count or a price.
//!
//! Precision comes first: a number becomes a time only with a clear cue (a suffix "h", "pm",
//! "uhr", a ":" separator, or a preposition "at / à / um / alle / a las" followed by something that
//! cannot be a count), and a number becomes a date only next to a month or in a date layout.
//! Matching is done in three passes so that longer readings win: full numeric dates first, then
//! phone numbers (claimed and dropped, so their digit groups never read as dates or hours), then
//! everything else left to right.

use chrono::{DateTime, Datelike, Days, FixedOffset, NaiveDate, Weekday};

use crate::Lang;

/// A date or time found in folded text.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Found {
    pub kind: Kind,
    /// `YYYY-MM-DD` for a date, `HH:MM` (24 h) for a time.
    pub value: String,
    /// Byte range in the folded text.
    pub start: usize,
    pub end: usize,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Kind {
    Date,
    Time,
}

/// `folded` is the output of normalize::fold (lower case, no accents); spans are byte offsets into it.
/// `lang` is the message language (used for day/month order in "3/12" and for word lists, but match
/// words of all 5 languages regardless, since shoppers mix). `now` is the reference time in the shopper's zone.
pub fn extract(folded: &str, lang: Lang, now: DateTime<FixedOffset>) -> Vec<Found> {
    let text = Text::new(folded);
    let scan = Scan {
        t: &text,
        lang,
        today: now.date_naive(),
    };
    let mut claimed = vec![false; text.toks.len()];
    let mut hits = Vec::new();
    // Full numeric dates first, so that "03.12.2026" is not taken for a phone number.
    scan.run(&mut claimed, &mut hits, |s, i| {
        s.iso_date(i).or_else(|| s.numeric_date(i, true))
    });
    for (first, end) in scan.phone_runs(&claimed) {
        claimed[first..end].fill(true);
    }
    scan.run(&mut claimed, &mut hits, Scan::anything);
    hits.sort_by_key(|h| h.first);
    hits.into_iter()
        .map(|h| Found {
            kind: h.kind,
            value: h.value,
            start: text.toks[h.first].start,
            end: text.toks[h.end - 1].end,
        })
        .collect()
}

// ---------------------------------------------------------------------------------------------
// Word lists. All forms are folded (no accents), and every language is matched whatever the
// message language, since shoppers mix.
// ---------------------------------------------------------------------------------------------

const WEEKDAYS: &[(&str, Weekday)] = &[
    ("lundi", Weekday::Mon),
    ("monday", Weekday::Mon),
    ("montag", Weekday::Mon),
    ("lunedi", Weekday::Mon),
    ("lunes", Weekday::Mon),
    ("mardi", Weekday::Tue),
    ("tuesday", Weekday::Tue),
    ("dienstag", Weekday::Tue),
    ("martedi", Weekday::Tue),
    ("martes", Weekday::Tue),
    ("mercredi", Weekday::Wed),
    ("wednesday", Weekday::Wed),
    ("mittwoch", Weekday::Wed),
    ("mercoledi", Weekday::Wed),
    ("miercoles", Weekday::Wed),
    ("jeudi", Weekday::Thu),
    ("thursday", Weekday::Thu),
    ("donnerstag", Weekday::Thu),
    ("giovedi", Weekday::Thu),
    ("jueves", Weekday::Thu),
    ("vendredi", Weekday::Fri),
    ("friday", Weekday::Fri),
    ("freitag", Weekday::Fri),
    ("venerdi", Weekday::Fri),
    ("viernes", Weekday::Fri),
    ("samedi", Weekday::Sat),
    ("saturday", Weekday::Sat),
    ("samstag", Weekday::Sat),
    ("sonnabend", Weekday::Sat),
    ("sabato", Weekday::Sat),
    ("sabado", Weekday::Sat),
    ("dimanche", Weekday::Sun),
    ("sunday", Weekday::Sun),
    ("sonntag", Weekday::Sun),
    ("domenica", Weekday::Sun),
    ("domingo", Weekday::Sun),
];

const MONTHS: &[(&str, u32)] = &[
    ("janvier", 1),
    ("janv", 1),
    ("january", 1),
    ("jan", 1),
    ("januar", 1),
    ("janner", 1),
    ("gennaio", 1),
    ("gen", 1),
    ("enero", 1),
    ("ene", 1),
    ("fevrier", 2),
    ("fevr", 2),
    ("fev", 2),
    ("february", 2),
    ("feb", 2),
    ("februar", 2),
    ("febbraio", 2),
    ("febrero", 2),
    ("mars", 3),
    ("march", 3),
    ("mar", 3),
    ("marz", 3),
    ("maerz", 3),
    ("marzo", 3),
    ("avril", 4),
    ("avr", 4),
    ("april", 4),
    ("apr", 4),
    ("aprile", 4),
    ("abril", 4),
    ("abr", 4),
    ("mai", 5),
    ("may", 5),
    ("maggio", 5),
    ("mag", 5),
    ("mayo", 5),
    ("juin", 6),
    ("june", 6),
    ("jun", 6),
    ("juni", 6),
    ("giugno", 6),
    ("giu", 6),
    ("junio", 6),
    ("juillet", 7),
    ("juil", 7),
    ("july", 7),
    ("jul", 7),
    ("juli", 7),
    ("luglio", 7),
    ("lug", 7),
    ("julio", 7),
    ("aout", 8),
    ("august", 8),
    ("aug", 8),
    ("agosto", 8),
    ("ago", 8),
    ("septembre", 9),
    ("september", 9),
    ("sept", 9),
    ("sep", 9),
    ("settembre", 9),
    ("set", 9),
    ("septiembre", 9),
    ("setiembre", 9),
    ("octobre", 10),
    ("october", 10),
    ("oct", 10),
    ("oktober", 10),
    ("okt", 10),
    ("ottobre", 10),
    ("ott", 10),
    ("octubre", 10),
    ("novembre", 11),
    ("november", 11),
    ("nov", 11),
    ("noviembre", 11),
    ("decembre", 12),
    ("december", 12),
    ("dec", 12),
    ("dezember", 12),
    ("dez", 12),
    ("dicembre", 12),
    ("dic", 12),
    ("diciembre", 12),
];

/// Month abbreviations that are also everyday words ("mar" = sea, "set", "ago" = "2 days ago",
/// "giu" = down); they count only after a day number ("3 mar"), never before one.
const AMBIGUOUS_MONTHS: &[&str] = &["mar", "set", "ago", "giu", "gen", "sept"];

/// Number words 1–12, used for "in three days" and "a las cinco".
const NUMBER_WORDS: &[(&str, u32)] = &[
    ("un", 1),
    ("une", 1),
    ("uno", 1),
    ("una", 1),
    ("ein", 1),
    ("eine", 1),
    ("einem", 1),
    ("einen", 1),
    ("eins", 1),
    ("one", 1),
    ("deux", 2),
    ("two", 2),
    ("zwei", 2),
    ("due", 2),
    ("dos", 2),
    ("trois", 3),
    ("three", 3),
    ("drei", 3),
    ("tre", 3),
    ("tres", 3),
    ("quatre", 4),
    ("four", 4),
    ("vier", 4),
    ("quattro", 4),
    ("cuatro", 4),
    ("cinq", 5),
    ("five", 5),
    ("funf", 5),
    ("fuenf", 5),
    ("cinque", 5),
    ("cinco", 5),
    ("six", 6),
    ("sechs", 6),
    ("sei", 6),
    ("seis", 6),
    ("sept", 7),
    ("seven", 7),
    ("sieben", 7),
    ("sette", 7),
    ("siete", 7),
    ("huit", 8),
    ("eight", 8),
    ("acht", 8),
    ("otto", 8),
    ("ocho", 8),
    ("neuf", 9),
    ("nine", 9),
    ("neun", 9),
    ("nove", 9),
    ("nueve", 9),
    ("dix", 10),
    ("ten", 10),
    ("zehn", 10),
    ("dieci", 10),
    ("diez", 10),
    ("onze", 11),
    ("eleven", 11),
    ("elf", 11),
    ("undici", 11),
    ("once", 11),
    ("douze", 12),
    ("twelve", 12),
    ("zwolf", 12),
    ("zwoelf", 12),
    ("dodici", 12),
    ("doce", 12),
];

const DAY_UNITS: &[&str] = &[
    "day", "days", "jour", "jours", "tag", "tage", "tagen", "giorno", "giorni", "dia", "dias",
];

/// "dans 3 jours ouvrés" counts business days: not a calendar date we can name.
const BUSINESS_WORDS: &[&str] = &[
    "ouvres",
    "ouvrables",
    "ouvrable",
    "lavorativi",
    "habiles",
    "laborables",
];

/// Before a bare or "h" number these make it a duration ("livraison en 24h", "dans 2h").
const DURATION_WORDS: &[&str] = &[
    "en",
    "in",
    "within",
    "sous",
    "dans",
    "under",
    "entro",
    "innerhalb",
    "binnen",
    "pendant",
    "during",
    "durante",
    "tra",
    "fra",
    "ogni",
    "every",
    "toutes",
];

/// Words before "3/12" or "3-12" that make it a date ("le 3/12", "on 12/5", "bis 5-12").
const DATE_LEADS: &[&str] = &[
    "le", "am", "on", "il", "el", "the", "den", "vom", "bis", "au", "al", "del", "du", "dal",
    "for", "pour", "per", "para", "before", "by", "until", "till", "avant", "vor", "entro",
    "prima", "antes", "hasta", "depuis", "since", "seit", "desde", "from", "ab", "jusqu",
];

/// Before "9.5." these make it a size, not a date.
const SIZE_WORDS: &[&str] = &[
    "size", "taille", "grosse", "groesse", "taglia", "talla", "pointure", "eu", "us", "uk",
];

/// Before a weekday these make it habitual, past, or part of a name ("Black Friday").
const WEEKDAY_BLOCKERS_BEFORE: &[&str] = &[
    "black",
    "cyber",
    "every",
    "chaque",
    "jeden",
    "ogni",
    "cada",
    "los",
    "last",
    "letzten",
    "letzter",
    "letztes",
    "vergangenen",
    "scorso",
    "scorsa",
    "pasado",
    "happy",
    "buon",
    "buona",
    "bon",
    "bonne",
    "feliz",
    "buen",
    "schonen",
    "schoenen",
    "schones",
];
const WEEKDAY_BLOCKERS_AFTER: &[&str] =
    &["dernier", "derniere", "scorso", "scorsa", "pasado", "passe"];

/// Words after which a bare "at 3" is still plainly a time (as opposed to "a 3 paia", "alle 3
/// ragazze", "at 3 shops"). Date words, day parts and punctuation are accepted separately.
const FOLLOWERS: &[&str] = &[
    "on",
    "le",
    "am",
    "il",
    "el",
    "au",
    "al",
    "at",
    "a",
    "for",
    "pour",
    "per",
    "para",
    "bis",
    "ce",
    "cet",
    "cette",
    "this",
    "questo",
    "este",
    "esta",
    "diesen",
    "next",
    "prochain",
    "prossimo",
    "proximo",
    "et",
    "and",
    "und",
    "e",
    "y",
    "o",
    "or",
    "ou",
    "oder",
    "please",
    "pls",
    "bitte",
    "svp",
    "s",
    "por",
    "merci",
    "thanks",
    "grazie",
    "gracias",
    "danke",
    "is",
    "ist",
    "va",
    "geht",
    "passt",
    "works",
    "ok",
    "okay",
    "bene",
    "bien",
    "ca",
    "c",
    "sera",
    "would",
    "could",
    "fine",
    "good",
    "gut",
    "perfetto",
    "perfecto",
    "parfait",
    "perfect",
    "possible",
    "possibile",
    "posible",
    "moglich",
    "dispo",
    "available",
    "libre",
    "libero",
    "frei",
    "then",
    "dann",
    "poi",
    "puis",
    "luego",
    "instead",
    "plutot",
    "invece",
    "lieber",
    "mi",
    "me",
    "ci",
    "te",
    "vi",
    "ti",
    "si",
    "se",
    "je",
    "j",
    "i",
    "we",
    "you",
    "ich",
    "wir",
    "sie",
    "io",
    "yo",
    "tu",
    "pile",
    "sharp",
    "punto",
    "genau",
    "precise",
    "in",
    "en",
    "zum",
    "zur",
    "fur",
    "with",
    "avec",
    "con",
    "mit",
    "noch",
    "rum",
    "herum",
    "del",
];

/// Words allowed between a time and its day part: "5 de la tarde", "3 in the afternoon".
const DAYPART_CONNECTORS: &[&str] = &[
    "du", "de", "di", "del", "della", "dell", "d", "in", "the", "at", "am", "la", "l", "le", "en",
    "por", "nel", "nella", "of", "this",
];

// ---------------------------------------------------------------------------------------------
// Lexer: runs of letters/digits with byte spans; the raw text between them is kept reachable
// because separators carry meaning here.
// ---------------------------------------------------------------------------------------------

#[derive(Debug, Clone, Copy)]
struct Tok<'a> {
    text: &'a str,
    start: usize,
    end: usize,
}

struct Text<'a> {
    src: &'a str,
    toks: Vec<Tok<'a>>,
}

impl<'a> Text<'a> {
    fn new(src: &'a str) -> Self {
        let mut toks = Vec::new();
        let mut start = None;
        for (pos, c) in src.char_indices() {
            match (c.is_alphanumeric(), start) {
                (true, None) => start = Some(pos),
                (false, Some(s)) => {
                    toks.push(Tok {
                        text: &src[s..pos],
                        start: s,
                        end: pos,
                    });
                    start = None;
                }
                _ => {}
            }
        }
        if let Some(s) = start {
            toks.push(Tok {
                text: &src[s..],
                start: s,
                end: src.len(),
            });
        }
        Text { src, toks }
    }

    fn len(&self) -> usize {
        self.toks.len()
    }

    /// The token text, or "" past either end.
    fn word(&self, i: usize) -> &'a str {
        self.toks.get(i).map_or("", |t| t.text)
    }

    /// The token before `i`, or "" at the start.
    fn prev(&self, i: usize) -> &'a str {
        i.checked_sub(1).map_or("", |p| self.word(p))
    }

    /// The raw text between token `i - 1` and token `i` (the start or end of text at the edges).
    fn gap_before(&self, i: usize) -> &'a str {
        let from = i
            .checked_sub(1)
            .and_then(|p| self.toks.get(p))
            .map_or(0, |t| t.end);
        let to = self.toks.get(i).map_or(self.src.len(), |t| t.start);
        self.src.get(from..to).unwrap_or("")
    }

    fn num(&self, i: usize) -> Option<u32> {
        parse_num(self.word(i))
    }

    /// A number of exactly `len` digits ("30" but not "3" for minutes).
    fn num_len(&self, i: usize, len: usize) -> Option<u32> {
        (self.word(i).len() == len).then(|| self.num(i)).flatten()
    }

    fn is_digits(&self, i: usize) -> bool {
        is_digits(self.word(i))
    }

    fn space_before(&self, i: usize) -> bool {
        let g = self.gap_before(i);
        !g.is_empty() && g.chars().all(char::is_whitespace)
    }

    /// Token `i` is stuck to the previous one by a single separator ("cmd-2026", "555-0132"),
    /// so it belongs to a longer code. With `only_after_number`, only a number before counts.
    fn glued_left(&self, i: usize, only_after_number: bool) -> bool {
        if i == 0 || i > self.len() {
            return false;
        }
        let g = self.gap_before(i);
        let single_sep = g.is_empty() || (g.len() == 1 && "/.-:,".contains(g));
        let sign = g.ends_with(['#', '+']);
        (single_sep && (!only_after_number || self.is_digits(i - 1))) || sign
    }

    /// A number follows token `end - 1` after a single separator ("06.12.34" then ".56").
    fn continues_right(&self, end: usize) -> bool {
        let g = self.gap_before(end);
        end < self.len()
            && self.word(end).starts_with(|c: char| c.is_ascii_digit())
            && g.len() == 1
            && "/.-:,".contains(g)
    }

    /// Nothing after token `end - 1` turns the expression into something else: end of text,
    /// punctuation, or a word that commonly follows a date or time.
    fn ends_cleanly(&self, end: usize) -> bool {
        if end >= self.len() {
            return true;
        }
        if self
            .gap_before(end)
            .contains([',', '.', ';', '!', '?', ')', '(', ':'])
        {
            return true;
        }
        let w = self.word(end);
        FOLLOWERS.contains(&w)
            || weekday_of(w).is_some()
            || month_of(w).is_some()
            || relative_word(w)
            || daypart(w, "", 12).is_some()
    }
}

fn is_digits(s: &str) -> bool {
    !s.is_empty() && s.bytes().all(|b| b.is_ascii_digit())
}

/// Parses at most 4 ASCII digits, so no overflow is possible.
fn parse_num(s: &str) -> Option<u32> {
    if s.len() > 4 || !is_digits(s) {
        return None;
    }
    s.parse().ok()
}

/// Leading ASCII digits and the rest: "14h30" → ("14", "h30").
fn split_digits(s: &str) -> (&str, &str) {
    let cut = s.find(|c: char| !c.is_ascii_digit()).unwrap_or(s.len());
    s.split_at(cut)
}

fn weekday_of(w: &str) -> Option<Weekday> {
    WEEKDAYS
        .iter()
        .find(|(name, _)| *name == w)
        .map(|(_, d)| *d)
}

fn month_of(w: &str) -> Option<u32> {
    MONTHS.iter().find(|(name, _)| *name == w).map(|(_, m)| *m)
}

fn number_word(w: &str) -> Option<u32> {
    NUMBER_WORDS
        .iter()
        .find(|(name, _)| *name == w)
        .map(|(_, n)| *n)
}

/// Words that name a day on their own; they may follow a time ("at 3 tomorrow").
fn relative_word(w: &str) -> bool {
    matches!(
        w,
        "today"
            | "heute"
            | "oggi"
            | "hoy"
            | "aujourd"
            | "tomorrow"
            | "demain"
            | "morgen"
            | "domani"
            | "manana"
    )
}

fn format_date(d: NaiveDate) -> String {
    format!("{:04}-{:02}-{:02}", d.year(), d.month(), d.day())
}

/// A day and month without a year: this year, or the next year it exists in when already past
/// (29 February waits for a leap year, up to 8 years ahead).
fn roll_forward(today: NaiveDate, month: u32, day: u32) -> Option<NaiveDate> {
    let year = today.year();
    (0..=8)
        .filter_map(|k| year.checked_add(k))
        .filter_map(|y| NaiveDate::from_ymd_opt(y, month, day))
        .find(|d| *d >= today)
}

/// The first `weekday` strictly after `today` ("friday" said on a Friday means next week's).
fn next_weekday(today: NaiveDate, weekday: Weekday) -> Option<NaiveDate> {
    (1..=7u64)
        .filter_map(|k| today.checked_add_days(Days::new(k)))
        .find(|d| d.weekday() == weekday)
}

/// Afternoon or morning, from a day-part word.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Half {
    Am,
    Pm,
}

/// The half of the day a word names. `before` is the word in front of it: "manana" is a morning
/// only in "la manana" (alone it is "tomorrow"), "morgen" only in "am morgen". Night words mean
/// the evening only for late hours ("10 de la noche" → 22:00, but "2 de la noche" stays 02:00).
fn daypart(w: &str, before: &str, hour: u32) -> Option<Half> {
    match w {
        "soir" | "soiree" | "aprem" | "nachmittag" | "nachmittags" | "abend" | "abends"
        | "pomeriggio" | "sera" | "stasera" | "tarde" | "afternoon" | "evening" | "tonight" => {
            Some(Half::Pm)
        }
        "nuit" | "night" | "notte" | "noche" | "nacht" | "nachts" => {
            Some(if hour >= 6 { Half::Pm } else { Half::Am })
        }
        "midi" if before == "apres" => Some(Half::Pm),
        "matin" | "matinee" | "morning" | "vormittag" | "vormittags" | "morgens" | "fruh"
        | "frueh" | "mattina" | "mattino" | "stamattina" | "madrugada" => Some(Half::Am),
        "manana" if before == "la" || before == "esta" => Some(Half::Am),
        "morgen" if before == "am" => Some(Half::Am),
        _ => None,
    }
}

/// How a time was written, which decides the afternoon rule and the follower check.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Form {
    /// "at 3", "a las cinco", "à 3 heures": an hour ≤ 7 means the afternoon.
    Bare,
    /// "3 o'clock": spoken, same afternoon rule, no follower check needed.
    Spoken,
    /// "14h30", "14:30", "15 uhr": a 24 h clock, taken as written.
    Clock,
    /// "3pm", "10 a.m.".
    Meridiem(Half),
}

/// A preposition announcing a time, and where it starts.
#[derive(Debug, Clone, Copy)]
struct Cue {
    start: usize,
    /// Strong cues ("a las", "alle", "um", "at") also take number words ("a las cinco").
    strong: bool,
    /// The French/Italian/Spanish "a", which also introduces prices and ranges ("de 2 à 3").
    bare_a: bool,
}

/// A match over tokens `first..end`.
struct Hit {
    kind: Kind,
    value: String,
    first: usize,
    end: usize,
}

impl Hit {
    fn date(d: NaiveDate, first: usize, end: usize) -> Self {
        Hit {
            kind: Kind::Date,
            value: format_date(d),
            first,
            end,
        }
    }

    fn time(h: u32, m: u32, first: usize, end: usize) -> Option<Self> {
        (h <= 23 && m <= 59).then(|| Hit {
            kind: Kind::Time,
            value: format!("{h:02}:{m:02}"),
            first,
            end,
        })
    }
}

struct Scan<'t, 'a> {
    t: &'t Text<'a>,
    lang: Lang,
    today: NaiveDate,
}

impl Scan<'_, '_> {
    /// Runs `matcher` left to right over unclaimed tokens; a hit claims its tokens.
    fn run(
        &self,
        claimed: &mut [bool],
        hits: &mut Vec<Hit>,
        matcher: impl Fn(&Self, usize) -> Option<Hit>,
    ) {
        let mut i = 0;
        while i < claimed.len() {
            if !claimed[i] {
                if let Some(hit) = matcher(self, i) {
                    let fits = hit.first == i && hit.end > i && hit.end <= claimed.len();
                    if fits && !claimed[hit.first..hit.end].contains(&true) {
                        claimed[hit.first..hit.end].fill(true);
                        i = hit.end;
                        hits.push(hit);
                        continue;
                    }
                }
            }
            i += 1;
        }
    }

    fn anything(&self, i: usize) -> Option<Hit> {
        self.relative_day(i)
            .or_else(|| self.in_days(i))
            .or_else(|| self.day_month(i))
            .or_else(|| self.month_day(i))
            .or_else(|| self.numeric_date(i, false))
            .or_else(|| self.weekday(i))
            .or_else(|| self.noon_or_midnight(i))
            .or_else(|| self.phrase_time(i))
            .or_else(|| self.numeric_time(i))
    }

    /// Digit groups separated by spaces, dots, dashes or brackets adding up to 8 digits or more
    /// ("06 12 34 56 78", "0171 2345678", "(415) 555-0132"): a phone number, not dates or hours.
    fn phone_runs(&self, claimed: &[bool]) -> Vec<(usize, usize)> {
        let t = self.t;
        let mut runs = Vec::new();
        let mut i = 0;
        while i < t.len() {
            if claimed[i] || !t.is_digits(i) {
                i += 1;
                continue;
            }
            let mut j = i + 1;
            let mut digits = t.word(i).len();
            while j < t.len() && !claimed[j] && t.is_digits(j) && is_phone_gap(t.gap_before(j)) {
                digits += t.word(j).len();
                j += 1;
            }
            if digits >= 8 {
                runs.push((i, j));
            }
            i = j;
        }
        runs
    }

    // ----- dates -------------------------------------------------------------------------------

    /// today / tomorrow / the day after tomorrow, in the five languages.
    fn relative_day(&self, i: usize) -> Option<Hit> {
        let t = self.t;
        let (offset, end) = match t.word(i) {
            _ if self.closing_for_today(i) => return None,
            "today" | "heute" | "oggi" | "hoy" | "aujourdhui" => (0, i + 1),
            "aujourd" if t.word(i + 1) == "hui" => (0, i + 2),
            "tomorrow" | "demain" | "domani" | "domattina" => (1, i + 1),
            "morgen" if self.morgen_is_tomorrow(i) => (1, i + 1),
            "manana" if self.manana_is_tomorrow(i) => (1, i + 1),
            "ubermorgen" | "uebermorgen" | "dopodomani" | "overmorrow" => (2, i + 1),
            "apres" if t.word(i + 1) == "demain" => (2, i + 2),
            "pasado" if t.word(i + 1) == "manana" => (2, i + 2),
            "day" if t.word(i + 1) == "after" && t.word(i + 2) == "tomorrow" => (2, i + 3),
            _ => return None,
        };
        let date = self.today.checked_add_days(Days::new(offset))?;
        Some(Hit::date(date, i, end))
    }

    /// "that's all for today", "c'est tout pour aujourd'hui", "genug für heute", "per oggi
    /// basta", "lo dejo por hoy": a way of saying goodbye, not a date.
    fn closing_for_today(&self, i: usize) -> bool {
        let t = self.t;
        let is_today = matches!(
            t.word(i),
            "today" | "heute" | "oggi" | "hoy" | "aujourd" | "aujourdhui"
        );
        if !is_today || !matches!(t.prev(i), "for" | "pour" | "fur" | "per" | "por") {
            return false;
        }
        let closing = [
            "all",
            "everything",
            "enough",
            "it",
            "tout",
            "assez",
            "reste",
            "genug",
            "alles",
            "wars",
            "basta",
            "tutto",
            "todo",
            "dejo",
            "terminado",
            "acabado",
        ];
        let start = i.saturating_sub(5);
        (start..(i + 4).min(t.len())).any(|k| closing.contains(&t.word(k)))
    }

    /// "morgen" is also the noun "Morgen" (morning): "guten Morgen", "am Morgen", "heute Morgen",
    /// "Montag Morgen", or "Morgen!" alone as a greeting. Folding lost the capital, so the
    /// word before decides.
    fn morgen_is_tomorrow(&self, i: usize) -> bool {
        if self.t.len() == 1 {
            return false;
        }
        let before = self.t.prev(i);
        let morning_nouns = [
            "guten", "gute", "am", "den", "dem", "jeden", "diesen", "heute", "gestern", "einen",
            "schonen", "schoenen", "morgen",
        ];
        !morning_nouns.contains(&before) && weekday_of(before).is_none()
    }

    /// "manana" is also "morning": "por la manana", "esta manana", "el lunes por la manana".
    fn manana_is_tomorrow(&self, i: usize) -> bool {
        let before = self.t.prev(i);
        !["la", "esta", "una", "cada", "toda", "las", "pasado"].contains(&before)
            && weekday_of(before).is_none()
    }

    /// "in 3 days", "dans trois jours", "in 3 Tagen", "tra 3 giorni", "en 3 dias", "d'ici 3 jours".
    fn in_days(&self, i: usize) -> Option<Hit> {
        let t = self.t;
        let n_at = match t.word(i) {
            "in" | "dans" | "tra" | "fra" => i + 1,
            // In French "en 3 jours" is how long something takes, not when.
            "en" if self.lang != Lang::Fr => i + 1,
            "d" if t.word(i + 1) == "ici" => i + 2,
            "dentro" if t.word(i + 1) == "de" => i + 2,
            _ => return None,
        };
        let n = t
            .num(n_at)
            .or_else(|| number_word(t.word(n_at)).filter(|n| *n <= 10))?;
        if !(1..=366).contains(&n) || !DAY_UNITS.contains(&t.word(n_at + 1)) {
            return None;
        }
        if BUSINESS_WORDS.contains(&t.word(n_at + 2)) {
            return None;
        }
        let date = self.today.checked_add_days(Days::new(u64::from(n)))?;
        Some(Hit::date(date, i, n_at + 2))
    }

    /// A day of the month: "3", "1er", "3rd", "4th", "1o" (from "1º"), "premier", "first".
    /// The flag says it was written as an ordinal, which makes "May 3rd" safe to read.
    fn day_number(&self, i: usize) -> Option<(u32, bool)> {
        let w = self.t.word(i);
        if matches!(
            w,
            "premier" | "first" | "primo" | "primero" | "erste" | "ersten" | "erster"
        ) {
            return Some((1, true));
        }
        let (digits, suffix) = split_digits(w);
        if digits.is_empty() || digits.len() > 2 {
            return None;
        }
        let ordinal = match suffix {
            "" => false,
            "er" | "re" | "ere" | "e" | "eme" | "st" | "nd" | "rd" | "th" | "o" | "a" => true,
            _ => return None,
        };
        let d = parse_num(digits)?;
        (1..=31).contains(&d).then_some((d, ordinal))
    }

    /// A year right after a date: "3 décembre 2026", "December 3, 2026".
    fn year_at(&self, i: usize) -> Option<i32> {
        let t = self.t;
        let gap = t.gap_before(i).trim();
        if !(gap.is_empty() || gap == ",") || t.word(i).len() != 4 {
            return None;
        }
        let y = t.num(i)?;
        (1900..=2100)
            .contains(&y)
            .then(|| i32::try_from(y).ok())
            .flatten()
    }

    fn resolve(&self, year: Option<i32>, month: u32, day: u32) -> Option<NaiveDate> {
        match year {
            Some(y) => NaiveDate::from_ymd_opt(y, month, day),
            None => roll_forward(self.today, month, day),
        }
    }

    /// "le 3 décembre", "3. Dezember", "il 1° dicembre", "3 de diciembre", "the 4th of December".
    fn day_month(&self, i: usize) -> Option<Hit> {
        let t = self.t;
        if t.glued_left(i, false) {
            return None;
        }
        let (day, _) = self.day_number(i)?;
        // Between day and month only spaces, the German ordinal dot, or a degree sign ("1°").
        if !t
            .gap_before(i + 1)
            .chars()
            .all(|c| c.is_whitespace() || c == '.' || c == '°')
        {
            return None;
        }
        let mut k = i + 1;
        if matches!(t.word(k), "de" | "of" | "di" | "del") && t.space_before(k + 1) {
            k += 1;
        }
        let month = month_of(t.word(k))?;
        let year = self.year_at(k + 1);
        let end = if year.is_some() { k + 2 } else { k + 1 };
        Some(Hit::date(self.resolve(year, month, day)?, i, end))
    }

    /// "December 3rd", "January 12", "Dec. 5, 2026". The day must be an ordinal or be followed by
    /// something a date is followed by, so that "may 3 ..." as a verb does not read as a date.
    fn month_day(&self, i: usize) -> Option<Hit> {
        let t = self.t;
        let w = t.word(i);
        if AMBIGUOUS_MONTHS.contains(&w) {
            return None;
        }
        let month = month_of(w)?;
        // "I may 2 ...", "it may 3 ...": the verb.
        if w == "may"
            && matches!(
                t.prev(i),
                "i" | "you"
                    | "we"
                    | "they"
                    | "it"
                    | "he"
                    | "she"
                    | "that"
                    | "this"
                    | "which"
                    | "who"
            )
        {
            return None;
        }
        if !t
            .gap_before(i + 1)
            .chars()
            .all(|c| c.is_whitespace() || c == '.')
        {
            return None;
        }
        let mut k = i + 1;
        if t.word(k) == "the" {
            k += 1;
        }
        let (day, ordinal) = self.day_number(k)?;
        let year = self.year_at(k + 1);
        let end = if year.is_some() { k + 2 } else { k + 1 };
        if year.is_none() && !ordinal && !t.ends_cleanly(end) {
            return None;
        }
        Some(Hit::date(self.resolve(year, month, day)?, i, end))
    }

    /// ISO "2026-12-03" (also "2026/12/03"), not inside a code such as "CMD-2026-12-03".
    fn iso_date(&self, i: usize) -> Option<Hit> {
        let t = self.t;
        if t.word(i).len() != 4 || t.glued_left(i, false) {
            return None;
        }
        let sep = t.gap_before(i + 1);
        if !(sep == "-" || sep == "/") || t.gap_before(i + 2) != sep {
            return None;
        }
        let (y, m, d) = (t.num(i)?, t.num(i + 1)?, t.num(i + 2)?);
        if t.word(i + 1).len() > 2 || t.word(i + 2).len() > 2 || t.continues_right(i + 3) {
            return None;
        }
        let date = NaiveDate::from_ymd_opt(i32::try_from(y).ok()?, m, d)?;
        Some(Hit::date(date, i, i + 3))
    }

    /// "3/12", "03.12.", "le 3-12", with an optional year ("3/12/2026", "03.12.26"). Day first,
    /// except in English. `with_year` selects which of the two shapes this pass accepts.
    fn numeric_date(&self, i: usize, with_year: bool) -> Option<Hit> {
        let t = self.t;
        let sep = t.gap_before(i + 1);
        if !matches!(sep, "/" | "." | "-") || t.glued_left(i, false) {
            return None;
        }
        let (a, b) = (self.short_num(i)?, self.short_num(i + 1)?);
        let year = (t.gap_before(i + 2) == sep)
            .then(|| self.numeric_year(i + 2))
            .flatten();
        if year.is_some() != with_year {
            return None;
        }
        let end = if year.is_some() { i + 3 } else { i + 2 };
        if t.continues_right(end) || self.money_or_unit_after(end) {
            return None;
        }
        if year.is_none() && !self.plausible_short_date(i, sep, a, b) {
            return None;
        }
        let (month, day) = if self.lang == Lang::En {
            (a, b)
        } else {
            (b, a)
        };
        // A first number above 12 can only be a day, whatever the language's habit.
        let (month, day) = if month > 12 && day <= 12 {
            (day, month)
        } else {
            (month, day)
        };
        Some(Hit::date(self.resolve(year, month, day)?, i, end))
    }

    fn short_num(&self, i: usize) -> Option<u32> {
        (self.t.word(i).len() <= 2).then(|| self.t.num(i)).flatten()
    }

    /// "2026" or "26" (→ 2026) as the third part of a numeric date.
    fn numeric_year(&self, i: usize) -> Option<i32> {
        let y = self.t.num(i)?;
        let y = match self.t.word(i).len() {
            2 => y.checked_add(2000)?,
            4 if (1900..=2100).contains(&y) => y,
            _ => return None,
        };
        i32::try_from(y).ok()
    }

    /// Day–month pairs without a year are easy to confuse with other numbers, so each separator
    /// needs its own evidence: "5.12" must end with the German ordinal dot ("am 5.12."), "3-12"
    /// needs a date article before it ("le 3-12"), and "24/7" is opening hours.
    fn plausible_short_date(&self, i: usize, sep: &str, a: u32, b: u32) -> bool {
        let t = self.t;
        let before = t.prev(i);
        if sep == "." {
            // "um 9.12." is a clock time, "am 9.12." a date.
            let time_cue = matches!(before, "um" | "gegen" | "at" | "alle");
            return t.gap_before(i + 2).starts_with('.')
                && !SIZE_WORDS.contains(&before)
                && !time_cue;
        }
        // "3/4 plus 1/2", "10/10 would shop again", "24/7": fractions, ratings, opening hours.
        // A slash or dash pair is a date only after a date article or preposition or a weekday.
        let date_word = DATE_LEADS.contains(&before) || weekday_of(before).is_some();
        date_word && !matches!((a, b), (24, 7) | (7, 7) | (7, 24) | (24, 24))
    }

    /// A currency or a unit right after a number pair: a price range or a measure, not a date.
    fn money_or_unit_after(&self, end: usize) -> bool {
        let t = self.t;
        t.gap_before(end).contains(['€', '$', '£', '%'])
            || matches!(
                t.word(end),
                "eur"
                    | "euro"
                    | "euros"
                    | "usd"
                    | "gbp"
                    | "chf"
                    | "dollars"
                    | "dollar"
                    | "pounds"
                    | "kg"
                    | "g"
                    | "cm"
                    | "mm"
                    | "ml"
                    | "cl"
                    | "l"
                    | "km"
                    | "m"
                    | "litre"
                    | "litres"
                    | "liter"
                    | "cup"
                    | "cups"
                    | "tasse"
                    | "tasses"
            )
    }

    /// A weekday → its first occurrence strictly after today, with or without "next / prochain /
    /// nächsten / prossimo / próximo / que viene / this". Skipped when an explicit date follows
    /// ("vendredi 4 décembre": the date says it all) or the weekday is habitual, past, or part of
    /// "Black Friday".
    fn weekday(&self, i: usize) -> Option<Hit> {
        let t = self.t;
        let wd = weekday_of(t.word(i))?;
        if WEEKDAY_BLOCKERS_BEFORE.contains(&t.prev(i))
            || WEEKDAY_BLOCKERS_AFTER.contains(&t.word(i + 1))
        {
            return None;
        }
        // "Samstag, den 5. Dezember", "vendredi le 4 décembre", "el viernes, día 4": look past
        // the article and the word "day".
        let mut at = i + 1;
        if matches!(t.word(at), "den" | "le" | "il" | "el" | "the") {
            at += 1;
        }
        if matches!(t.word(at), "dia" | "giorno") {
            at += 1;
        }
        let explicit_date_follows = self.day_month(at).is_some()
            || self.month_day(at).is_some()
            || self.numeric_date(at, false).is_some()
            || self.numeric_date(at, true).is_some()
            || self.iso_date(at).is_some();
        if explicit_date_follows {
            return None;
        }
        if let Some(date) = self.weekday_and_day(i, at, wd) {
            return Some(Hit::date(date, i, at + 1));
        }
        let end = match t.word(i + 1) {
            "prochain" | "prochaine" | "prossimo" | "prossima" | "proximo" => i + 2,
            "que" if t.word(i + 2) == "viene" => i + 3,
            _ => i + 1,
        };
        Some(Hit::date(next_weekday(self.today, wd)?, i, end))
    }

    /// "vendredi 4", "venerdì 4", "el viernes 4", "Friday the 4th", "Freitag, den 4.": a weekday
    /// and a day of the month without the month. The day wins over the weekday only when the two
    /// agree on one of the next two dates with that day number; otherwise the number is left
    /// alone (a count, an hour), and the weekday is read on its own.
    fn weekday_and_day(&self, i: usize, at: usize, wd: Weekday) -> Option<NaiveDate> {
        let t = self.t;
        let plain_gap = |k: usize| {
            t.gap_before(k)
                .chars()
                .all(|c| c.is_whitespace() || c == ',')
        };
        if !(i + 1..=at).all(plain_gap) || t.glued_left(at, false) {
            return None;
        }
        let (day, _) = self.day_number(at)?;
        let end = at + 1;
        // "Friday 4pm" never gets here ("4pm" is no day number); "Friday 4 pm", "Freitag 10
        // Uhr", "Dienstag 9:15", "samedi 2 paires" must stay hours and counts.
        let time_unit = matches!(
            t.word(end),
            "h" | "uhr" | "heure" | "heures" | "hour" | "hours" | "ore" | "hora" | "horas" | "o"
        );
        if time_unit || t.continues_right(end) || self.meridiem_after(end).is_some() {
            return None;
        }
        let time_cue = matches!(
            t.word(end),
            "alle"
                | "all"
                | "dalle"
                | "um"
                | "ab"
                | "vers"
                | "verso"
                | "gegen"
                | "around"
                | "hacia"
        );
        if !(time_cue || t.ends_cleanly(end)) {
            return None;
        }
        // The next two dates with that day number, from today on.
        let mut found = Vec::new();
        let (mut year, mut month) = (self.today.year(), self.today.month());
        for _ in 0..4 {
            if let Some(d) = NaiveDate::from_ymd_opt(year, month, day).filter(|d| *d >= self.today)
            {
                found.push(d);
            }
            if found.len() == 2 {
                break;
            }
            (year, month) = if month == 12 {
                (year.checked_add(1)?, 1)
            } else {
                (year, month + 1)
            };
        }
        found.into_iter().find(|d| d.weekday() == wd)
    }

    // ----- times -------------------------------------------------------------------------------

    /// noon and midnight words, with "midi et demi" style halves.
    fn noon_or_midnight(&self, i: usize) -> Option<Hit> {
        let t = self.t;
        let hour = match t.word(i) {
            // "apres-midi" is the afternoon, not noon; "nel Mezzogiorno" is southern Italy.
            // "une robe midi" is a midi dress: noon needs a word that sets a time before it.
            "midi"
                if matches!(
                    t.prev(i),
                    "a" | "vers"
                        | "ce"
                        | "avant"
                        | "jusqu"
                        | "entre"
                        | "de"
                        | "et"
                        | "des"
                        | "pour"
                        | "le"
                        | "demain"
                        | "aujourd"
                        | "lundi"
                        | "mardi"
                        | "mercredi"
                        | "jeudi"
                        | "vendredi"
                        | "samedi"
                        | "dimanche"
                        | ""
                ) =>
            {
                12
            }
            "mezzogiorno" if !["nel", "del", "dal"].contains(&t.prev(i)) => 12,
            "noon" | "midday" | "mittag" | "mittags" | "mediodia" | "mezzodi" => 12,
            "minuit" | "midnight" | "mitternacht" | "mezzanotte" | "medianoche" => 0,
            _ => return None,
        };
        match self.minute_words(i + 1) {
            Some((0, m, end)) => Hit::time(hour, m, i, end),
            _ => Hit::time(hour, 0, i, i + 1),
        }
    }

    /// German "halb zehn" (09:30), "Viertel nach drei" (03:15), "Viertel vor vier",
    /// "dreiviertel vier" (03:45), English "half past 3", "quarter to 4". A day part after or
    /// before ("nachmittags", "abends") moves them to the afternoon.
    fn phrase_time(&self, i: usize) -> Option<Hit> {
        let t = self.t;
        let (hour_at, minutes, hour_before) = match (t.word(i), t.word(i + 1)) {
            ("halb", _) => (i + 1, 30, true),
            ("viertel", "nach") | ("quarter", "past") => (i + 2, 15, false),
            ("viertel", "vor") | ("quarter", "to") => (i + 2, 45, true),
            ("dreiviertel", _) => (i + 1, 45, true),
            ("half", "past") => (i + 2, 30, false),
            _ => return None,
        };
        let named = self
            .hour_value(hour_at, true)
            .filter(|h| (1..=12).contains(h))?;
        // "halb zehn" is half way to ten; "halb eins" is 12:30.
        let hour = if hour_before {
            if named == 1 {
                12
            } else {
                named - 1
            }
        } else {
            named
        };
        let (half, end) = self
            .daypart_after(hour_at + 1, hour)
            .map_or((None, hour_at + 1), |(h, e)| (Some(h), e));
        let half = half.or_else(|| self.daypart_before(i, hour));
        let hour = if half == Some(Half::Pm) && hour < 12 {
            hour + 12
        } else {
            hour
        };
        Hit::time(hour, minutes, i, end)
    }

    /// An hour as digits (0–24) or, after a strong cue, as a word ("a las cinco", "um drei").
    fn hour_value(&self, i: usize, words: bool) -> Option<u32> {
        let w = self.t.word(i);
        if is_digits(w) {
            return (w.len() <= 2).then(|| parse_num(w)).flatten();
        }
        if words {
            return number_word(w)
                .filter(|_| !matches!(w, "eine" | "einem" | "einen" | "un" | "une"));
        }
        None
    }

    /// Clock times built on a number: "14h30", "14:30", "3pm", "3 p.m.", "15 uhr 30", "14.30 uhr",
    /// "3 o'clock", "à 14 heures", and bare hours after a cue ("at 3", "alle 15", "a las 10 y
    /// media", "a las 5 de la tarde").
    fn numeric_time(&self, i: usize) -> Option<Hit> {
        let t = self.t;
        if t.glued_left(i, true) {
            return None;
        }
        let cue = self.cue_before(i);
        if (cue.is_none() && DURATION_WORDS.contains(&t.prev(i))) || self.after_less_or_more(i) {
            return None;
        }
        let (hour, mut minutes, form, mut end) = self.clock_core(i, cue)?;
        if form == Form::Clock && self.short_duration(i, end, hour) {
            return None;
        }
        let mut hour = i64::from(hour);
        if matches!(form, Form::Bare | Form::Spoken) {
            if let Some((dh, m, e)) = self.minute_words(end) {
                hour += dh;
                minutes = m;
                end = e;
            }
        }
        let hour = u32::try_from(hour).ok()?;
        let mut half = None;
        if let Some((h, e)) = self.daypart_after(end, hour) {
            half = Some(h);
            end = e;
        }
        let half = half.or_else(|| self.daypart_before(cue.map_or(i, |c| c.start), hour));
        if form == Form::Bare && !t.ends_cleanly(end) {
            return None;
        }
        // "de 2 à 3 heures", "10 a 12": a range of counts, prices or durations.
        let range = cue.is_some_and(|c| c.bare_a && c.start > 0 && t.is_digits(c.start - 1));
        if form == Form::Bare && range {
            return None;
        }
        // English writes a 12 h clock: "at 5:30" is 17:30, like "at 5".
        let english_at = cue.is_some_and(|c| t.word(c.start) == "at");
        let form = if form == Form::Clock && english_at && matches!(t.gap_before(i + 1), ":" | ".")
        {
            Form::Spoken
        } else {
            form
        };
        let hour = self.final_hour(hour, form, half)?;
        Hit::time(hour, minutes, i, end)
    }

    /// "une consultation de 1h", "un retard di 2h": a small hour after "de / di" is a length
    /// unless a range follows ("de 2h à 4h"); nobody books a fitting at 2 in the night.
    fn short_duration(&self, i: usize, end: usize, hour: u32) -> bool {
        let t = self.t;
        let range_follows = matches!(t.word(end), "a" | "au" | "jusqu" | "alle" | "et")
            || t.gap_before(end).trim() == "-";
        matches!(t.prev(i), "de" | "di") && hour <= 5 && !range_follows
    }

    /// "en moins de 2h", "plus de 2h", "less than 2h": durations.
    fn after_less_or_more(&self, i: usize) -> bool {
        let t = self.t;
        let before = t.prev(i);
        let before2 = i.checked_sub(1).map_or("", |p| t.prev(p));
        (before == "de" && matches!(before2, "moins" | "plus"))
            || (before == "than" && matches!(before2, "less" | "more"))
    }

    /// Applies a.m./p.m. and day parts, then the house rule that a bare hour up to 7 said after
    /// "at / à / um / alle / a las" is in the afternoon (shops are not open at 3 in the night).
    fn final_hour(&self, hour: u32, form: Form, half: Option<Half>) -> Option<u32> {
        match (form, half) {
            (Form::Meridiem(m), _) => {
                if !(1..=12).contains(&hour) {
                    return None;
                }
                Some(match m {
                    Half::Am => hour % 12,
                    Half::Pm => hour % 12 + 12,
                })
            }
            (_, Some(Half::Pm)) if hour < 12 => Some(hour + 12),
            (_, Some(_)) => Some(hour),
            (Form::Bare | Form::Spoken, None) if (1..=7).contains(&hour) => Some(hour + 12),
            _ => Some(hour),
        }
    }

    /// The hour and minutes written at token `i`, how they were written, and where they end.
    fn clock_core(&self, i: usize, cue: Option<Cue>) -> Option<(u32, u32, Form, usize)> {
        let t = self.t;
        let (digits, suffix) = split_digits(t.word(i));
        if digits.is_empty() {
            let hour = self.hour_value(i, cue.is_some_and(|c| c.strong))?;
            return Some((hour, 0, Form::Bare, i + 1));
        }
        if digits.len() > 2 {
            return None;
        }
        let hour = parse_num(digits)?;
        if let Some(rest) = suffix.strip_prefix('h') {
            // "14h", "14h30"
            let minutes = if rest.is_empty() {
                0
            } else {
                parse_num(rest).filter(|_| rest.len() == 2)?
            };
            return Some((hour, minutes, Form::Clock, i + 1));
        }
        if let Some((half, end)) = self.glued_meridiem(suffix, i + 1) {
            return Some((hour, 0, Form::Meridiem(half), end));
        }
        match suffix {
            "uhr" => return Some(self.uhr_minutes(hour, i + 1)),
            "" => {}
            _ => return None,
        }
        self.separate_clock(hour, i, cue)
    }

    /// A.m./p.m. glued to the number before it, the token ending at `next`: "6pm", "6.30am",
    /// "6p.m.", "6.30a.m."; or standing after it ("6.30 pm", "6.30 p.m.") when there is no suffix.
    fn glued_meridiem(&self, suffix: &str, next: usize) -> Option<(Half, usize)> {
        let t = self.t;
        let dotted_m = t.gap_before(next) == "." && t.word(next) == "m";
        match suffix {
            "pm" => Some((Half::Pm, next)),
            "am" => Some((Half::Am, next)),
            "p" if dotted_m => Some((Half::Pm, next + 1)),
            "a" if dotted_m => Some((Half::Am, next + 1)),
            _ => None,
        }
    }

    /// Hour and minutes joined by a dot: "6.30pm", "6.30 p.m.", "14.30 Uhr", "9.45h", "um 14.30",
    /// "alle 9.45", "a las 9.30", "at 6.30". Prices and decimals look the same ("6.30 €",
    /// "size 9.5", "priced at 6.30"), so the dot form needs a.m./p.m., "uhr", "h", or a time
    /// preposition with nothing money-like around it.
    fn dotted_clock(
        &self,
        hour: u32,
        i: usize,
        cue: Option<Cue>,
    ) -> Option<(u32, u32, Form, usize)> {
        let t = self.t;
        let (mdigits, msuffix) = split_digits(t.word(i + 1));
        let minutes = parse_num(mdigits).filter(|m| mdigits.len() == 2 && *m <= 59)?;
        if let Some((half, end)) = self.glued_meridiem(msuffix, i + 2) {
            return Some((hour, minutes, Form::Meridiem(half), end));
        }
        match msuffix {
            "h" | "uhr" => return Some((hour, minutes, Form::Clock, i + 2)),
            "" => {}
            _ => return None,
        }
        if let Some((half, end)) = self.meridiem_after(i + 2) {
            return Some((hour, minutes, Form::Meridiem(half), end));
        }
        if matches!(t.word(i + 2), "uhr" | "h") && t.space_before(i + 2) {
            return Some((hour, minutes, Form::Clock, i + 3));
        }
        let cue = cue?;
        let end = i + 2;
        if t.continues_right(end) || self.money_or_unit_after(end) {
            return None;
        }
        let daypart_follows = self.daypart_after(end, hour).is_some();
        if t.word(cue.start) == "um" || daypart_follows {
            return Some((hour, minutes, Form::Clock, end));
        }
        // "à 6.30" and "a 6.30" introduce prices as often as times.
        if cue.bare_a || !t.ends_cleanly(end) {
            return None;
        }
        if t.word(cue.start) == "at" {
            // "priced at 6.30", "sold at 4.50 each": English prices.
            let price_before = matches!(
                t.prev(cue.start),
                "price"
                    | "priced"
                    | "prices"
                    | "sold"
                    | "sell"
                    | "sells"
                    | "selling"
                    | "cost"
                    | "costs"
                    | "costing"
                    | "listed"
                    | "offered"
                    | "valued"
                    | "rated"
                    | "reduced"
                    | "discounted"
                    | "marked"
                    | "retails"
                    | "retailing"
                    | "starting"
                    | "starts"
                    | "quoted"
            );
            let price_after = matches!(t.word(end), "per" | "a" | "each" | "apiece" | "plus");
            if price_before || price_after {
                return None;
            }
        }
        Some((hour, minutes, Form::Clock, end))
    }

    /// "15 uhr" was read up to `next`; "15 uhr 30" adds minutes.
    fn uhr_minutes(&self, hour: u32, next: usize) -> (u32, u32, Form, usize) {
        match self.t.num_len(next, 2) {
            Some(m) if self.t.space_before(next) => (hour, m, Form::Clock, next + 1),
            _ => (hour, 0, Form::Clock, next),
        }
    }

    /// Forms where the hour is its own token: "14:30", "3:30pm", "14.30 uhr", "14 h 30",
    /// "15 uhr", "3 pm", "3 p.m.", "3 o'clock", "à 14 heures", bare "at 3".
    fn separate_clock(
        &self,
        hour: u32,
        i: usize,
        cue: Option<Cue>,
    ) -> Option<(u32, u32, Form, usize)> {
        let t = self.t;
        let gap = t.gap_before(i + 1);
        let next = t.word(i + 1);
        if gap == ":" {
            let (mdigits, msuffix) = split_digits(next);
            let minutes = parse_num(mdigits).filter(|_| mdigits.len() == 2)?;
            let form = match msuffix {
                "" | "h" => self
                    .meridiem_after(i + 2)
                    .map_or(Form::Clock, |(h, _)| Form::Meridiem(h)),
                "pm" => Form::Meridiem(Half::Pm),
                "am" => Form::Meridiem(Half::Am),
                _ => return None,
            };
            let mut end = if msuffix.is_empty() {
                self.meridiem_after(i + 2).map_or(i + 2, |(_, e)| e)
            } else {
                i + 2
            };
            if t.word(end) == "uhr" && form == Form::Clock {
                end += 1;
            }
            return Some((hour, minutes, form, end));
        }
        if gap == "." {
            return self.dotted_clock(hour, i, cue);
        }
        if !t.space_before(i + 1) && i + 1 < t.len() {
            // Any other glue ("3/4", "2-3", "1,5") is not a time.
            return self.bare(hour, i, gap, cue);
        }
        if next == "h" {
            return match t.num_len(i + 2, 2) {
                Some(m) if t.space_before(i + 2) => Some((hour, m, Form::Clock, i + 3)),
                _ => Some((hour, 0, Form::Clock, i + 2)),
            };
        }
        if next == "uhr" {
            return Some(self.uhr_minutes(hour, i + 2));
        }
        if let Some((h, end)) = self.meridiem_after(i + 1) {
            return Some((hour, 0, Form::Meridiem(h), end));
        }
        if next == "o" && t.word(i + 2) == "clock" {
            return Some((hour, 0, Form::Spoken, i + 3));
        }
        if matches!(next, "heures" | "heure") && cue.is_some() {
            return match t.num_len(i + 2, 2) {
                Some(m) if t.space_before(i + 2) => Some((hour, m, Form::Clock, i + 3)),
                _ => Some((hour, 0, Form::Bare, i + 2)),
            };
        }
        self.bare(hour, i, gap, cue)
    }

    /// A bare hour after a cue, when nothing glues it to what follows. A lone "a / à" is not
    /// enough ("réduis la quantité à 1", "sube la cantidad a 4"): it needs "heures", "h" or "las".
    fn bare(
        &self,
        hour: u32,
        i: usize,
        gap_after: &str,
        cue: Option<Cue>,
    ) -> Option<(u32, u32, Form, usize)> {
        if cue.is_none_or(|c| c.bare_a) {
            return None;
        }
        let glued = i + 1 < self.t.len() && gap_after.len() == 1 && "/-,.".contains(gap_after);
        (!glued && hour <= 23).then_some((hour, 0, Form::Bare, i + 1))
    }

    /// "pm", "am", "p.m.", "a.m." starting at token `j`. "am" is also German ("um 10 am
    /// Freitag"): it counts as a.m. only when nothing that could be its object follows.
    fn meridiem_after(&self, j: usize) -> Option<(Half, usize)> {
        let t = self.t;
        if !t.space_before(j) {
            return None;
        }
        match (t.word(j), t.gap_before(j + 1), t.word(j + 1)) {
            ("pm", ..) => Some((Half::Pm, j + 1)),
            ("p", ".", "m") => Some((Half::Pm, j + 2)),
            ("a", ".", "m") => Some((Half::Am, j + 2)),
            ("am", gap, after) => {
                let object_follows = !after.is_empty()
                    && gap.chars().all(char::is_whitespace)
                    && (self.lang == Lang::De
                        || weekday_of(after).is_some()
                        || after.starts_with(|c: char| c.is_ascii_digit())
                        || daypart(after, "am", 12).is_some()
                        || matches!(
                            after,
                            "mittag" | "wochenende" | "ersten" | "zweiten" | "dritten"
                        ));
                (!object_follows).then_some((Half::Am, j + 1))
            }
            _ => None,
        }
    }

    /// Spoken minutes after an hour: "y media", "e mezza", "et demie" (:30), "y cuarto", "e un
    /// quarto", "et quart" (:15), "menos cuarto", "meno un quarto", "moins le quart" (hour − 1,
    /// :45), "y 20", "e 20". Returns the hour change, the minutes and the end.
    fn minute_words(&self, j: usize) -> Option<(i64, u32, usize)> {
        let t = self.t;
        let w = |k: usize| t.word(j + k);
        match (w(0), w(1), w(2)) {
            ("y" | "e" | "et", "media" | "mezza" | "mezzo" | "demie" | "demi", _) => {
                Some((0, 30, j + 2))
            }
            ("y" | "e" | "et", "cuarto" | "quarto" | "quart", _) => Some((0, 15, j + 2)),
            ("e", "un", "quarto") => Some((0, 15, j + 3)),
            ("menos" | "meno", "cuarto" | "quarto", _) => Some((-1, 45, j + 2)),
            ("meno", "un", "quarto") | ("moins", "le", "quart") => Some((-1, 45, j + 3)),
            ("y" | "e", m, _) if is_digits(m) && m.len() == 2 => {
                let m = parse_num(m).filter(|m| *m <= 59)?;
                Some((0, m, j + 2))
            }
            _ => None,
        }
    }

    /// A day part right after a time, through a few connectors: "de la tarde", "du soir",
    /// "in the afternoon", "di sera", "abends", "am Abend".
    fn daypart_after(&self, j: usize, hour: u32) -> Option<(Half, usize)> {
        let t = self.t;
        for k in j..j + 4 {
            let w = t.word(k);
            if w == "apres" {
                // "de l'apres-midi" is the afternoon, "9h apres-demain" is not.
                return (t.word(k + 1) == "midi").then_some((Half::Pm, k + 2));
            }
            if let Some(half) = daypart(w, t.prev(k), hour) {
                return Some((half, k + 1));
            }
            if !DAYPART_CONNECTORS.contains(&w) {
                return None;
            }
        }
        None
    }

    /// A day part just before the cue or the time: "ce soir à 8h", "heute Abend um 8",
    /// "stasera alle 8", "esta tarde a las 5", "tonight at 8".
    fn daypart_before(&self, start: usize, hour: u32) -> Option<Half> {
        let before = start.checked_sub(1)?;
        daypart(self.t.word(before), self.t.prev(before), hour)
    }

    /// The preposition announcing a time before token `i`, if any.
    fn cue_before(&self, i: usize) -> Option<Cue> {
        let t = self.t;
        if i == 0 || !(t.space_before(i) || t.gap_before(i) == "'") {
            return None;
        }
        let w1 = t.prev(i);
        let w2 = i.checked_sub(1).map_or("", |p| t.prev(p));
        let cue = |start: usize, strong: bool| {
            Some(Cue {
                start,
                strong,
                bare_a: !strong && t.word(start) == "a",
            })
        };
        match (w2, w1) {
            ("alle" | "dalle", "ore") => cue(i - 2, true),
            ("a" | "sobre" | "hacia" | "para" | "desde" | "hasta" | "de", "las" | "la") => {
                cue(i - 2, true)
            }
            ("verso" | "per" | "dopo" | "entro", "le") => cue(i - 2, false),
            (_, "alle" | "all" | "dalle" | "um" | "at") => cue(i - 1, true),
            (_, "a" | "vers" | "gegen" | "around") => cue(i - 1, false),
            _ => None,
        }
    }
}

/// Separators inside a phone number: spaces, dots, dashes, brackets ("(415) 555-0132").
fn is_phone_gap(g: &str) -> bool {
    !g.is_empty() && g.len() <= 3 && g.chars().all(|c| matches!(c, ' ' | '-' | '.' | '(' | ')'))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::normalize::fold;

    /// Wednesday 25 November 2026, 10:00 in Paris — the reference of the test files.
    fn now() -> DateTime<FixedOffset> {
        DateTime::parse_from_rfc3339("2026-11-25T10:00:00+01:00").expect("valid reference time")
    }

    fn values(text: &str, lang: Lang) -> Vec<String> {
        extract(&fold(text), lang, now())
            .into_iter()
            .map(|f| match f.kind {
                Kind::Date => format!("d:{}", f.value),
                Kind::Time => format!("t:{}", f.value),
            })
            .collect()
    }

    fn check(text: &str, lang: Lang, want: &[&str]) {
        assert_eq!(values(text, lang), want, "for {text:?}");
    }

    #[test]
    fn relative_days_in_every_language() {
        check("Je commande aujourd'hui", Lang::Fr, &["d:2026-11-25"]);
        check("livré demain ?", Lang::Fr, &["d:2026-11-26"]);
        check("possible après-demain", Lang::Fr, &["d:2026-11-27"]);
        check("what about tomorrow", Lang::En, &["d:2026-11-26"]);
        check("the day after tomorrow", Lang::En, &["d:2026-11-27"]);
        check(
            "heute oder morgen",
            Lang::De,
            &["d:2026-11-25", "d:2026-11-26"],
        );
        check("übermorgen passt", Lang::De, &["d:2026-11-27"]);
        check(
            "oggi o domani o dopodomani",
            Lang::It,
            &["d:2026-11-25", "d:2026-11-26", "d:2026-11-27"],
        );
        check(
            "hoy no, mañana sí",
            Lang::Es,
            &["d:2026-11-25", "d:2026-11-26"],
        );
        check("pasado mañana", Lang::Es, &["d:2026-11-27"]);
    }

    #[test]
    fn morning_is_not_tomorrow() {
        check("Guten Morgen", Lang::De, &[]);
        check("am Morgen geht es nicht", Lang::De, &[]);
        check("morgens bin ich da", Lang::De, &[]);
        check("heute Morgen", Lang::De, &["d:2026-11-25"]);
        check("Montag Morgen", Lang::De, &["d:2026-11-30"]);
        check("por la mañana", Lang::Es, &[]);
        check("mañana por la mañana", Lang::Es, &["d:2026-11-26"]);
        check("el lunes por la mañana", Lang::Es, &["d:2026-11-30"]);
    }

    #[test]
    fn weekdays_resolve_to_first_occurrence_after_today() {
        check("vendredi", Lang::Fr, &["d:2026-11-27"]);
        check("lundi prochain", Lang::Fr, &["d:2026-11-30"]);
        check("next Tuesday", Lang::En, &["d:2026-12-01"]);
        check("this Friday", Lang::En, &["d:2026-11-27"]);
        check("on Wednesday", Lang::En, &["d:2026-12-02"]);
        check("am nächsten Sonntag", Lang::De, &["d:2026-11-29"]);
        check("martedì prossimo", Lang::It, &["d:2026-12-01"]);
        check("el jueves que viene", Lang::Es, &["d:2026-11-26"]);
        check("el próximo sábado", Lang::Es, &["d:2026-11-28"]);
    }

    #[test]
    fn weekday_traps() {
        check("Black Friday deals", Lang::En, &[]);
        check("every Monday", Lang::En, &[]);
        check("last Friday", Lang::En, &[]);
        check("vendredi dernier", Lang::Fr, &[]);
        check("todos los lunes", Lang::Es, &[]);
        check("vendredi 4 décembre", Lang::Fr, &["d:2026-12-04"]);
    }

    #[test]
    fn in_n_days() {
        check("in 3 days", Lang::En, &["d:2026-11-28"]);
        check("dans trois jours", Lang::Fr, &["d:2026-11-28"]);
        check("in 3 Tagen", Lang::De, &["d:2026-11-28"]);
        check("tra 3 giorni", Lang::It, &["d:2026-11-28"]);
        check("en 10 días", Lang::Es, &["d:2026-12-05"]);
        check("livraison en 3 jours", Lang::Fr, &[]);
        check("dans 3 jours ouvrés", Lang::Fr, &[]);
    }

    #[test]
    fn day_and_month_names() {
        check("le 1er décembre", Lang::Fr, &["d:2026-12-01"]);
        check("le 3 déc.", Lang::Fr, &["d:2026-12-03"]);
        check("December 3rd", Lang::En, &["d:2026-12-03"]);
        check("on the 4th of December", Lang::En, &["d:2026-12-04"]);
        check(
            "January 12 at 10:30",
            Lang::En,
            &["d:2027-01-12", "t:10:30"],
        );
        check("am 3. Dezember", Lang::De, &["d:2026-12-03"]);
        check("am 3. Dez", Lang::De, &["d:2026-12-03"]);
        check("il 1° dicembre", Lang::It, &["d:2026-12-01"]);
        check("12 gennaio", Lang::It, &["d:2027-01-12"]);
        check("el 3 de diciembre", Lang::Es, &["d:2026-12-03"]);
        check("5 dic", Lang::Es, &["d:2026-12-05"]);
        check("le 25 novembre", Lang::Fr, &["d:2026-11-25"]);
        check("le 24 novembre", Lang::Fr, &["d:2027-11-24"]);
        check("le 3 décembre 2027", Lang::Fr, &["d:2027-12-03"]);
    }

    #[test]
    fn invalid_dates_are_dropped() {
        check("le 30 février", Lang::Fr, &[]);
        check("31/11", Lang::Fr, &[]);
        check("le 32 mars", Lang::Fr, &[]);
        check("2026-02-30", Lang::En, &[]);
    }

    #[test]
    fn numeric_dates() {
        check("le 3/12", Lang::Fr, &["d:2026-12-03"]);
        check("on 12/3", Lang::En, &["d:2026-12-03"]);
        check("am 03.12.", Lang::De, &["d:2026-12-03"]);
        check("am 03.12.2026", Lang::De, &["d:2026-12-03"]);
        check("il 3-12", Lang::It, &["d:2026-12-03"]);
        check("3/12/2026", Lang::Es, &["d:2026-12-03"]);
        check("2026-12-03", Lang::Fr, &["d:2026-12-03"]);
        check("on 25/12", Lang::En, &["d:2026-12-25"]);
    }

    #[test]
    fn numeric_traps() {
        check("commande CMD-2026-0042", Lang::Fr, &[]);
        check("order ORD-2026-12-03", Lang::En, &[]);
        check("entre 10-12 €", Lang::Fr, &[]);
        check("taille 42", Lang::Fr, &[]);
        check("2 t-shirts", Lang::Fr, &[]);
        check("15 €", Lang::Fr, &[]);
        check("order 1500", Lang::En, &[]);
        check("en 2026", Lang::Fr, &[]);
        check("3 fois", Lang::Fr, &[]);
        check("size 9.5", Lang::En, &[]);
        check("ouvert 24/7", Lang::Fr, &[]);
        check("appelez le 06 12 34 56 78", Lang::Fr, &[]);
        check("call (415) 555-0132", Lang::En, &[]);
        check("06.12.34.56.78", Lang::Fr, &[]);
        check("riduci i calzini a 2 paia", Lang::It, &[]);
        check("regalo alle 3 ragazze", Lang::It, &[]);
        check("de 2 à 3", Lang::Fr, &[]);
        check("at 3 shops", Lang::En, &[]);
    }

    #[test]
    fn clock_times() {
        check("14h30", Lang::Fr, &["t:14:30"]);
        check("à 14h", Lang::Fr, &["t:14:00"]);
        check("vers 15h", Lang::Fr, &["t:15:00"]);
        check("14:30", Lang::En, &["t:14:30"]);
        check("3pm", Lang::En, &["t:15:00"]);
        check("3 pm", Lang::En, &["t:15:00"]);
        check("3:30pm", Lang::En, &["t:15:30"]);
        check("10 a.m.", Lang::En, &["t:10:00"]);
        check("12am", Lang::En, &["t:00:00"]);
        check("15 Uhr", Lang::De, &["t:15:00"]);
        check("um 15 Uhr 30", Lang::De, &["t:15:30"]);
        check("um 14.30 Uhr", Lang::De, &["t:14:30"]);
        check("à 14 heures", Lang::Fr, &["t:14:00"]);
        check("at 3 o'clock", Lang::En, &["t:15:00"]);
    }

    #[test]
    fn bare_hours_need_a_cue() {
        check("at 3", Lang::En, &["t:15:00"]);
        check("at 9", Lang::En, &["t:09:00"]);
        check("um 3", Lang::De, &["t:15:00"]);
        check("alle 15", Lang::It, &["t:15:00"]);
        check("a las 10", Lang::Es, &["t:10:00"]);
        check("a la una", Lang::Es, &["t:13:00"]);
        check("a las 10 y media", Lang::Es, &["t:10:30"]);
        check("a las 5 de la tarde", Lang::Es, &["t:17:00"]);
        check("a las 9 de la mañana", Lang::Es, &["t:09:00"]);
        check("a las 10 de la noche", Lang::Es, &["t:22:00"]);
        check("alle 3 del pomeriggio", Lang::It, &["t:15:00"]);
        check("alle 10 e mezza", Lang::It, &["t:10:30"]);
        check("alle 8 di sera", Lang::It, &["t:20:00"]);
        check("à 8h du soir", Lang::Fr, &["t:20:00"]);
        check("ce soir à 8h", Lang::Fr, &["t:20:00"]);
        check("antes de las 12", Lang::Es, &["t:12:00"]);
    }

    #[test]
    fn german_phrases() {
        check("halb zehn", Lang::De, &["t:09:30"]);
        check("um halb elf", Lang::De, &["t:10:30"]);
        check("Viertel nach drei", Lang::De, &["t:03:15"]);
        check("Viertel nach drei nachmittags", Lang::De, &["t:15:15"]);
        check("Viertel vor vier", Lang::De, &["t:03:45"]);
        check("um 8 abends", Lang::De, &["t:20:00"]);
        check("um 10 am Freitag", Lang::De, &["t:10:00", "d:2026-11-27"]);
    }

    #[test]
    fn noon_and_midnight() {
        check("à midi", Lang::Fr, &["t:12:00"]);
        check("cet après-midi", Lang::Fr, &[]);
        check("at noon", Lang::En, &["t:12:00"]);
        check("Mittwoch mittags", Lang::De, &["d:2026-12-02", "t:12:00"]);
        check("a mezzogiorno", Lang::It, &["t:12:00"]);
        check("al mediodía", Lang::Es, &["t:12:00"]);
        check("minuit", Lang::Fr, &["t:00:00"]);
        check("midnight", Lang::En, &["t:00:00"]);
        check("Mitternacht", Lang::De, &["t:00:00"]);
        check("mezzanotte", Lang::It, &["t:00:00"]);
        check("medianoche", Lang::Es, &["t:00:00"]);
    }

    #[test]
    fn durations_are_not_times() {
        check("livraison en 24h", Lang::Fr, &[]);
        check("livré en 48h", Lang::Fr, &[]);
        check("dans 2h", Lang::Fr, &[]);
        check("2 heures", Lang::Fr, &[]);
        check("30 minutes", Lang::En, &[]);
        check("within 24h", Lang::En, &[]);
        check("en moins de 2h", Lang::Fr, &[]);
        check("ouvert de 9h à 19h", Lang::Fr, &["t:09:00", "t:19:00"]);
    }

    #[test]
    fn vague_words_are_not_reported() {
        check("in the morning", Lang::En, &[]);
        check("soon, next week", Lang::En, &[]);
        check("la semaine prochaine", Lang::Fr, &[]);
        check("later", Lang::En, &[]);
    }

    #[test]
    fn combined_date_and_time() {
        check("demain à 14h30", Lang::Fr, &["d:2026-11-26", "t:14:30"]);
        check("tomorrow at 3pm", Lang::En, &["d:2026-11-26", "t:15:00"]);
        check("morgen um 10 Uhr", Lang::De, &["d:2026-11-26", "t:10:00"]);
        check("domani alle 19", Lang::It, &["d:2026-11-26", "t:19:00"]);
        check(
            "mañana a las 10 me va bien",
            Lang::Es,
            &["d:2026-11-26", "t:10:00"],
        );
        check("Dienstag 9:15", Lang::De, &["d:2026-12-01", "t:09:15"]);
    }

    #[test]
    fn traps_seen_in_training_messages() {
        check("hi there :) happy friday", Lang::En, &[]);
        check("buongiorno e buon lunedì", Lang::It, &[]);
        check("réduis la quantité à 1", Lang::Fr, &[]);
        check("sube la cantidad a 4", Lang::Es, &[]);
        check("mathe aufgabe 3/4 plus 1/2", Lang::De, &[]);
        check("10/10 would shop again", Lang::En, &[]);
        check("une consultation de 1h avec un consultant", Lang::Fr, &[]);
        check("c'est tout pour aujourd'hui, au revoir", Lang::Fr, &[]);
        check("Genug für heute, bis bald", Lang::De, &[]);
        check("that'll be all for today, see you", Lang::En, &[]);
        check("livraison pour aujourd'hui ?", Lang::Fr, &["d:2026-11-25"]);
        check("Morgen!", Lang::De, &[]);
        check("I may 2", Lang::En, &[]);
        check(
            "un rdv à 9h après-demain",
            Lang::Fr,
            &["t:09:00", "d:2026-11-27"],
        );
        check("à 3h de l'après-midi", Lang::Fr, &["t:15:00"]);
        check("Samstag, den 5. Dezember", Lang::De, &["d:2026-12-05"]);
        check(
            "va bene alle 10 e mezza del 3 dicembre?",
            Lang::It,
            &["t:10:30", "d:2026-12-03"],
        );
        check(
            "Hast du am Mittwoch um 9 noch was?",
            Lang::De,
            &["d:2026-12-02", "t:09:00"],
        );
        check("at 5:30", Lang::En, &["t:17:30"]);
        check(
            "book me a table for two tonight at 8",
            Lang::En,
            &["t:20:00"],
        );
    }

    #[test]
    fn dotted_times_with_am_pm() {
        check(
            "the day after tomorrow at 6.30pm",
            Lang::En,
            &["d:2026-11-27", "t:18:30"],
        );
        check("6.30 pm", Lang::En, &["t:18:30"]);
        check("at 6.30 p.m.", Lang::En, &["t:18:30"]);
        check("6.30am", Lang::En, &["t:06:30"]);
        check("10.15a.m.", Lang::En, &["t:10:15"]);
        check("12.30pm", Lang::En, &["t:12:30"]);
        check("6p.m.", Lang::En, &["t:18:00"]);
        check("à 6.30pm", Lang::Fr, &["t:18:30"]);
        check("alle 6.30pm", Lang::It, &["t:18:30"]);
        check("um 6.30pm", Lang::De, &["t:18:30"]);
        check("a las 6.30 p.m.", Lang::Es, &["t:18:30"]);
        check("13.30pm", Lang::En, &[]);
    }

    #[test]
    fn dotted_times_after_a_time_preposition() {
        check(
            "appuntamento il 2 gennaio alle 9.45?",
            Lang::It,
            &["d:2027-01-02", "t:09:45"],
        );
        check("alle ore 18.30", Lang::It, &["t:18:30"]);
        check("alle 9.30 di sera", Lang::It, &["t:21:30"]);
        check("a las 9.30", Lang::Es, &["t:09:30"]);
        check("a las 9.30 de la noche", Lang::Es, &["t:21:30"]);
        check("at 6.30", Lang::En, &["t:18:30"]);
        check("at 10.15 tomorrow", Lang::En, &["t:10:15", "d:2026-11-26"]);
        check("gegen 9.30", Lang::De, &["t:09:30"]);
        check("um 9.12.", Lang::De, &["t:09:12"]);
        check("9.45h", Lang::Fr, &["t:09:45"]);
        check("à 9.30 du soir", Lang::Fr, &["t:21:30"]);
        check("14.30Uhr", Lang::De, &["t:14:30"]);
    }

    #[test]
    fn dotted_prices_are_not_times() {
        check("priced at 6.30", Lang::En, &[]);
        check("at 6.30 €", Lang::En, &[]);
        check("sold at 4.50 each", Lang::En, &[]);
        check("at 6.30 a piece", Lang::En, &[]);
        check("réduit à 6.30", Lang::Fr, &[]);
        check("a 9.30", Lang::Es, &[]);
        check("alle 9.75", Lang::It, &[]);
        check("um 14.30 €", Lang::De, &[]);
        check("size 9.5", Lang::En, &[]);
    }

    #[test]
    fn weekday_with_a_day_number() {
        check(
            "une démo vendredi 4 à 16h",
            Lang::Fr,
            &["d:2026-12-04", "t:16:00"],
        );
        check(
            "una demo venerdì 4 alle 16",
            Lang::It,
            &["d:2026-12-04", "t:16:00"],
        );
        check(
            "una demo el viernes 4 a las 16h",
            Lang::Es,
            &["d:2026-12-04", "t:16:00"],
        );
        check("el viernes, día 4", Lang::Es, &["d:2026-12-04"]);
        check("Friday the 4th", Lang::En, &["d:2026-12-04"]);
        check(
            "Freitag, den 4. um 10 Uhr",
            Lang::De,
            &["d:2026-12-04", "t:10:00"],
        );
        check("lundi 30 ?", Lang::Fr, &["d:2026-11-30"]);
        check("mercredi 25", Lang::Fr, &["d:2026-11-25"]);
        // Weekday and day disagree, or the number is an hour or a count: the weekday alone.
        check("vendredi 2", Lang::Fr, &["d:2026-11-27"]);
        check("samedi 5 paires", Lang::Fr, &["d:2026-11-28"]);
        check("Friday 4 pm", Lang::En, &["d:2026-11-27", "t:16:00"]);
        check("Freitag 4 Uhr", Lang::De, &["d:2026-11-27", "t:04:00"]);
        check("Friday 4:30", Lang::En, &["d:2026-11-27", "t:04:30"]);
    }

    #[test]
    fn spans_point_into_the_folded_text() {
        let folded = fold("Réservez à 14h30 demain");
        let found = extract(&folded, Lang::Fr, now());
        let parts: Vec<&str> = found.iter().map(|f| &folded[f.start..f.end]).collect();
        assert_eq!(parts, ["14h30", "demain"]);
    }

    #[test]
    fn never_panics_on_odd_input() {
        let odd = [
            "",
            " ",
            "€€€",
            "99999999999999999999:99999",
            "1/",
            "/1",
            "12/",
            "31.",
            "at",
            "um 99 uhr",
            "à 9999h9999",
            "halb",
            "viertel vor",
            "a las",
            "2026-",
            "2026-12-",
            "éàü 3/12 ☃ 14h",
            "\u{0}3\u{0}:\u{0}30",
            "le 1er",
            "december",
            "in 99999 days",
            "a las 0 menos cuarto",
        ];
        for text in odd {
            let folded = fold(text);
            for f in extract(&folded, Lang::En, now()) {
                assert!(folded.is_char_boundary(f.start) && folded.is_char_boundary(f.end));
            }
        }
    }

    /// Precision and recall on the annotated test files, over (kind, value) pairs.
    #[test]
    fn test_files_precision_and_recall() {
        let files = [
            include_str!("../../data/test/en.jsonl"),
            include_str!("../../data/test/fr.jsonl"),
            include_str!("../../data/test/de.jsonl"),
            include_str!("../../data/test/it.jsonl"),
            include_str!("../../data/test/es.jsonl"),
        ];
        let (mut tp, mut predicted, mut gold) = (0usize, 0usize, 0usize);
        for line in files
            .iter()
            .flat_map(|f| f.lines())
            .filter(|l| !l.trim().is_empty())
        {
            let v: serde_json::Value = serde_json::from_str(line).expect("valid JSON line");
            let text = v["text"].as_str().expect("text");
            let lang = Lang::parse(v["lang"].as_str().expect("lang")).expect("known lang");
            let now =
                DateTime::parse_from_rfc3339(v["now"].as_str().expect("now")).expect("rfc3339 now");
            let mut want: Vec<(Kind, String)> = v["entities"]
                .as_array()
                .expect("entities")
                .iter()
                .filter_map(|e| {
                    let kind = match e["type"].as_str()? {
                        "date" => Kind::Date,
                        "time" => Kind::Time,
                        _ => return None,
                    };
                    Some((kind, e["value"].as_str()?.to_string()))
                })
                .collect();
            let got: Vec<(Kind, String)> = extract(&fold(text), lang, now)
                .into_iter()
                .map(|f| (f.kind, f.value))
                .collect();
            gold += want.len();
            predicted += got.len();
            let mut missed = Vec::new();
            let mut extra = Vec::new();
            for g in got {
                match want.iter().position(|w| *w == g) {
                    Some(p) => {
                        want.swap_remove(p);
                        tp += 1;
                    }
                    None => extra.push(g),
                }
            }
            missed.extend(want);
            if !missed.is_empty() || !extra.is_empty() {
                println!("{text:?}: missed {missed:?}, extra {extra:?}");
            }
        }
        let precision = tp as f64 / predicted.max(1) as f64;
        let recall = tp as f64 / gold.max(1) as f64;
        println!("date/time: precision {precision:.3}, recall {recall:.3} ({tp} of {gold} gold, {predicted} predicted)");
        assert!(precision >= 0.9, "precision {precision:.3}");
        assert!(recall >= 0.9, "recall {recall:.3}");
    }
}
