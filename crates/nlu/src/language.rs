//! Language identification for chat messages in fr, en, de, it and es, plus `Other`.
//!
//! Shoppers write one to three words as often as full sentences, so the decision rests on a
//! character n-gram naive Bayes model trained at start-up on the built-in training texts
//! (`data/train/*.jsonl`, all in the shop-chat register), restricted to our five languages.
//! Another language is reported as `Other` only when it is clear: another script (Cyrillic, CJK,
//! Arabic…) by its letters; a Latin-script one (Portuguese, Dutch, Polish…) by a few frequent
//! words none of ours uses, or, when our model finds the words unfamiliar, by `whatlang`
//! preferring that language to our best guess. See `examples/langid_compare.rs` for the
//! measurements behind this design (whatlang and lingua alone, on the same data).
//!
//! Conversation stickiness: the caller passes the conversation's language so far (or the
//! tenant/request locale). It acts as a strong prior: cross-language chat words ("ok", "merci",
//! "thx", "super"), numbers, emails, links, emoji carry no evidence, and a message must bring
//! enough evidence (in practice two or more words clearly in another language) to switch.

use rustc_hash::FxHashMap;

use crate::Lang;

/// At most this many bytes of a message are looked at (cut on a char boundary): time stays
/// bounded on hostile input and the first sentence is plenty to tell a language.
pub const MAX_LANGID_BYTES: usize = 256;

/// At most this many bytes are handed to whatlang when a message looks like another language.
const WHATLANG_MAX_BYTES: usize = 128;

/// Longest character n-gram (the padded word boundaries count as characters).
const NGRAM_MAX: usize = 4;
/// Additive smoothing of the naive Bayes counts.
const ALPHA: f64 = 0.05;
/// Naive Bayes sums hundreds of correlated n-gram log-probabilities and is far too sure of
/// itself; scores are divided by this before the softmax so confidences mean something.
const TEMPERATURE: f32 = 4.0;
/// A longer message most of whose words were never seen in the best language's training
/// texts is checked against whatlang for another language.
const OTHER_MAX_KNOWN: f32 = 0.4;
/// Most evidence (nats) one word can bring against a language.
const WORD_CLIP: f32 = 4.0;
/// Prior probability of the conversation's language when `previous` is given.
const STICKY_PRIOR: f32 = 0.97;

/// What a message is written in.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Detected {
    Lang(Lang),
    /// Clearly another language or script than the five the model understands.
    Other,
}

/// A decision and how sure of it we are (0–1; a kept `previous` with no evidence in the message
/// reports the prior).
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct LanguageGuess {
    pub detected: Detected,
    pub confidence: f32,
}

impl LanguageGuess {
    /// The language, if it is one of ours.
    pub fn lang(&self) -> Option<Lang> {
        match self.detected {
            Detected::Lang(l) => Some(l),
            Detected::Other => None,
        }
    }
}

/// Built once (it trains in a few milliseconds), then shared: `Send + Sync`, `identify` takes `&self`.
pub struct LanguageIdentifier {
    /// n-gram key → per-language log P(n-gram | language), in `Lang::ALL` order.
    table: FxHashMap<u64, [f32; 5]>,
    /// Per-language log-probability of an n-gram seen in training, but not in that language.
    floor: [f32; 5],
    /// `OTHER_MARKERS` never seen in our training texts.
    markers: rustc_hash::FxHashSet<&'static str>,
    /// whatlang over our languages and the Latin-script languages shoppers in our markets are
    /// likely to write in, for recognising a clearly different one.
    whatlang: whatlang::Detector,
}

impl Default for LanguageIdentifier {
    fn default() -> Self {
        Self::new()
    }
}

const TRAIN: [(Lang, &str); 5] = [
    (Lang::Fr, include_str!("../data/train/fr.jsonl")),
    (Lang::En, include_str!("../data/train/en.jsonl")),
    (Lang::De, include_str!("../data/train/de.jsonl")),
    (Lang::It, include_str!("../data/train/it.jsonl")),
    (Lang::Es, include_str!("../data/train/es.jsonl")),
];

#[derive(serde::Deserialize)]
struct TrainLine {
    text: String,
}

impl LanguageIdentifier {
    /// Trains on the built-in training texts.
    pub fn new() -> Self {
        let mut corpus: Vec<(Lang, String)> = Vec::with_capacity(10_000);
        for (lang, jsonl) in TRAIN {
            for line in jsonl.lines() {
                // A bad line is skipped rather than fatal: the dataset tests validate the files.
                if let Ok(l) = serde_json::from_str::<TrainLine>(line.trim()) {
                    corpus.push((lang, l.text));
                }
            }
        }
        Self::train(corpus.iter().map(|(l, t)| (*l, t.as_str())))
    }

    /// Trains on labelled texts (used by `new`; exposed for evaluation tools).
    pub fn train<'a>(examples: impl IntoIterator<Item = (Lang, &'a str)>) -> Self {
        let mut counts: FxHashMap<u64, [u32; 5]> = FxHashMap::default();
        let mut totals = [0u64; 5];
        let mut keys = Vec::new();
        for (lang, text) in examples {
            let idx = lang_index(lang);
            let analysis = Analysis::of(text);
            keys.clear();
            for w in &analysis.words {
                push_keys(&w.text, &mut keys);
            }
            for &k in &keys {
                counts.entry(k).or_default()[idx] += 1;
                totals[idx] += 1;
            }
        }
        let vocab = counts.len() as f64;
        let denom: [f64; 5] = std::array::from_fn(|i| totals[i] as f64 + ALPHA * vocab);
        let floor = std::array::from_fn(|i| (ALPHA / denom[i]).ln() as f32);
        let table = counts
            .into_iter()
            .map(|(k, c)| {
                (
                    k,
                    std::array::from_fn(|i| (((c[i] as f64) + ALPHA) / denom[i]).ln() as f32),
                )
            })
            .collect();
        let mut id = Self {
            table,
            floor,
            markers: Default::default(),
            whatlang: whatlang::Detector::with_allowlist(whatlang_langs()),
        };
        id.markers = OTHER_MARKERS
            .iter()
            .copied()
            .filter(|m| !id.seen(m))
            .collect();
        id
    }

    /// Rough heap size of the model, in bytes.
    pub fn memory_bytes(&self) -> usize {
        self.table.capacity() * (std::mem::size_of::<u64>() + std::mem::size_of::<[f32; 5]>() + 1)
    }

    /// Identifies the language of `text`.
    ///
    /// `previous`: the conversation's language so far (or the tenant/request locale); short or
    /// ambiguous messages keep it ("ok", "merci", "thx", "👍", "42", an email, a product name).
    pub fn identify(&self, text: &str, previous: Option<Lang>) -> LanguageGuess {
        let text = cut(text, MAX_LANGID_BYTES);
        let analysis = Analysis::of(text);

        // Another script (Cyrillic, CJK, Arabic…) for most of the letters.
        if analysis.foreign_letters > analysis.latin_letters {
            // Two words, or a few characters of a script written without spaces (Chinese,
            // Japanese, Thai…); a lone "спасибо" or "谢谢" does not end a conversation.
            let clear = analysis.foreign_words >= 2 || analysis.unspaced_letters >= 4;
            return match previous {
                Some(p) if !clear => kept(p),
                _ => LanguageGuess {
                    detected: Detected::Other,
                    confidence: analysis.foreign_letters as f32
                        / (analysis.foreign_letters + analysis.latin_letters) as f32,
                },
            };
        }

        // Evidence: Latin-script words, less (when a conversation language is known) what must
        // not flip it: cross-language chat words ("ok", "merci") and names ("iPhone", "USB", a
        // capitalised word never seen in training: "Adidas Stan Smith", "Le Creuset").
        let evidence: Vec<&Word> = analysis
            .words
            .iter()
            .filter(|w| {
                previous.is_none()
                    || !(w.name_like
                        || is_neutral(&w.text)
                        || (w.capitalized && !self.seen(&w.text)))
            })
            .collect();
        let ev = self.evidence(evidence.iter().map(|w| w.text.as_str()));
        if ev.words == 0 {
            return match previous {
                Some(p) => kept(p),
                // Nothing to go on ("", "42", "👍"): say so with a zero confidence. English is the
                // least surprising default for a caller that ignores the confidence.
                None => LanguageGuess {
                    detected: Detected::Lang(Lang::En),
                    confidence: 0.0,
                },
            };
        }
        let mut logits = ev.total;
        if let Some(p) = previous {
            // Only a few capitalised words, not all of them words of the language they point to
            // ("Nike Air Max"): more likely a product than a change of language. Half weight.
            let lead = argmax(&logits);
            if evidence.len() <= 3
                && evidence.iter().all(|w| w.capitalized)
                && ev.known[lead] < ev.words
            {
                logits.iter_mut().for_each(|l| *l *= 0.5);
            }
            let other = ((1.0 - STICKY_PRIOR) / 4.0).ln();
            for (i, l) in logits.iter_mut().enumerate() {
                *l += if Lang::ALL[i] == p {
                    STICKY_PRIOR.ln()
                } else {
                    other
                };
            }
        }
        let probs = softmax(&logits);
        let best = argmax(&probs);
        if let Some(confidence) =
            self.clearly_other(text, &evidence, &ev, best, analysis.exotic_words, previous)
        {
            return LanguageGuess {
                detected: Detected::Other,
                confidence,
            };
        }
        LanguageGuess {
            detected: Detected::Lang(Lang::ALL[best]),
            confidence: probs[best],
        }
    }

    /// Whether the word occurs as such in the training texts (in any language).
    fn seen(&self, word: &str) -> bool {
        self.table.contains_key(&word_key(word))
    }

    /// Per-word evidence: each word's naive Bayes log-posterior over the five languages (from
    /// its n-grams, tempered), floored at `-WORD_CLIP` so that no single word (a brand, a typo,
    /// a loanword) can outvote the rest or the conversation's language on its own.
    fn evidence<'a>(&self, words: impl Iterator<Item = &'a str>) -> Evidence {
        let mut ev = Evidence {
            total: [0.0; 5],
            words: 0,
            known: [0; 5],
        };
        let mut keys = Vec::with_capacity(32);
        for w in words {
            keys.clear();
            push_keys(w, &mut keys);
            let mut s = [0f32; 5];
            let mut any = false;
            for (j, k) in keys.iter().enumerate() {
                if let Some(lp) = self.table.get(k) {
                    any = true;
                    s.iter_mut().zip(lp).for_each(|(s, lp)| *s += lp);
                    if j + 1 == keys.len() {
                        // The whole-word key: was the word seen in each language's training?
                        for ((known, lp), floor) in ev.known.iter_mut().zip(lp).zip(self.floor) {
                            *known += usize::from(*lp > floor + 1e-3);
                        }
                    }
                }
            }
            ev.words += 1;
            if !any {
                continue;
            }
            let logits: [f32; 5] = std::array::from_fn(|i| s[i] / TEMPERATURE);
            let lp = log_softmax(&logits);
            ev.total
                .iter_mut()
                .zip(lp)
                .for_each(|(t, lp)| *t += lp.max(-WORD_CLIP));
        }
        ev
    }

    /// A Latin-script message in a language other than ours, with whatlang's confidence.
    ///
    /// Two frequent Portuguese or Dutch words that none of our languages uses (one in a message
    /// of one or two words without a conversation language: "obrigado", "bom dia") settle it.
    /// Otherwise whatlang is only asked when our own model is suspicious: a letter none of our
    /// languages writes (ã, ł, ř…), or most words never seen in the best language's training
    /// texts. Then whatlang must name another language and prefer it, head to head, to our best
    /// guess, with a confidence it must reach that is higher the shorter the message.
    fn clearly_other(
        &self,
        text: &str,
        words: &[&Word],
        ev: &Evidence,
        best: usize,
        exotic_words: usize,
        previous: Option<Lang>,
    ) -> Option<f32> {
        let min_words = if previous.is_some() { 3 } else { 2 };
        let markers = words
            .iter()
            .filter(|w| self.markers.contains(w.text.as_str()))
            .count();
        if markers >= 2 && ev.words >= min_words
            || (markers == 1 && ev.words <= 2 && previous.is_none())
        {
            return Some((0.5 + 0.15 * markers as f32).min(0.95));
        }
        let known_rate = ev.known[best] as f32 / ev.words.max(1) as f32;
        let suspicious = exotic_words > 0 || (ev.words >= 3 && known_rate <= OTHER_MAX_KNOWN);
        if ev.words < min_words || !suspicious {
            return None;
        }
        // A sentence is plenty for whatlang.
        let text = cut(text, WHATLANG_MAX_BYTES);
        let info = self.whatlang.detect(text)?;
        if from_whatlang(info.lang()).is_some() {
            return None;
        }
        let pair =
            whatlang::Detector::with_allowlist(vec![info.lang(), to_whatlang(Lang::ALL[best])]);
        let head_to_head = pair.detect(text)?;
        let needed = if exotic_words > 0 {
            0.3
        } else if ev.words >= 4 {
            0.5
        } else {
            0.8
        };
        (head_to_head.lang() == info.lang() && head_to_head.confidence() >= needed)
            .then_some(head_to_head.confidence() as f32)
    }
}

/// What the words of a message say.
struct Evidence {
    /// Summed clipped per-word log-posteriors, `Lang::ALL` order.
    total: [f32; 5],
    words: usize,
    /// Words seen as such in each language's training texts.
    known: [usize; 5],
}

fn kept(p: Lang) -> LanguageGuess {
    LanguageGuess {
        detected: Detected::Lang(p),
        confidence: STICKY_PRIOR,
    }
}

fn lang_index(l: Lang) -> usize {
    Lang::ALL.iter().position(|x| *x == l).unwrap_or(0)
}

fn from_whatlang(l: whatlang::Lang) -> Option<Lang> {
    match l {
        whatlang::Lang::Fra => Some(Lang::Fr),
        whatlang::Lang::Eng => Some(Lang::En),
        whatlang::Lang::Deu => Some(Lang::De),
        whatlang::Lang::Ita => Some(Lang::It),
        whatlang::Lang::Spa => Some(Lang::Es),
        _ => None,
    }
}

/// Our five languages and the Latin-script languages of the European shoppers most likely to
/// write to a shop of ours. whatlang's cost grows with its profiles: ~20–30 µs for these 17,
/// ~40–65 µs for all 37 Latin-script ones.
fn whatlang_langs() -> Vec<whatlang::Lang> {
    use whatlang::Lang::*;
    vec![
        Fra, Eng, Deu, Ita, Spa, Por, Nld, Pol, Ces, Swe, Dan, Nob, Fin, Hun, Ron, Tur, Cat,
    ]
}

fn to_whatlang(l: Lang) -> whatlang::Lang {
    match l {
        Lang::Fr => whatlang::Lang::Fra,
        Lang::En => whatlang::Lang::Eng,
        Lang::De => whatlang::Lang::Deu,
        Lang::It => whatlang::Lang::Ita,
        Lang::Es => whatlang::Lang::Spa,
    }
}

fn softmax(logits: &[f32; 5]) -> [f32; 5] {
    let max = logits.iter().copied().fold(f32::NEG_INFINITY, f32::max);
    let exps: [f32; 5] = std::array::from_fn(|i| (logits[i] - max).exp());
    let sum: f32 = exps.iter().sum();
    std::array::from_fn(|i| exps[i] / sum)
}

fn log_softmax(logits: &[f32; 5]) -> [f32; 5] {
    let max = logits.iter().copied().fold(f32::NEG_INFINITY, f32::max);
    let lse = max + logits.iter().map(|l| (l - max).exp()).sum::<f32>().ln();
    std::array::from_fn(|i| logits[i] - lse)
}

fn argmax(v: &[f32; 5]) -> usize {
    let mut best = 0;
    for i in 1..5 {
        if v[i] > v[best] {
            best = i;
        }
    }
    best
}

/// Cuts `text` to at most `max` bytes on a char boundary.
fn cut(text: &str, max: usize) -> &str {
    if text.len() <= max {
        return text;
    }
    let mut end = max;
    while !text.is_char_boundary(end) {
        end -= 1;
    }
    &text[..end]
}

/// Frequent words of the two Latin-script languages shoppers of our markets most often write in
/// besides ours, that none of ours uses: Portuguese and Dutch. Words that do occur in our
/// training texts are dropped from these lists when the identifier is built.
const OTHER_MARKERS: &[&str] = &[
    // Portuguese
    "não",
    "nao",
    "você",
    "voce",
    "vocês",
    "voces",
    "obrigado",
    "obrigada",
    "muito",
    "muita",
    "muitos",
    "minha",
    "minhas",
    "meu",
    "meus",
    "uma",
    "umas",
    "também",
    "tambem",
    "encomenda",
    "estou",
    "ela",
    "isso",
    "então",
    "entao",
    "até",
    "ao",
    "aos",
    "são",
    "já",
    "gostaria",
    "faço",
    "bom",
    "olá",
    "tenho",
    "vou",
    "nós",
    "seu",
    "tudo",
    // Dutch
    "ik",
    "een",
    "het",
    "niet",
    "jullie",
    "mijn",
    "bedankt",
    "nee",
    "graag",
    "hebben",
    "voor",
    "wij",
    "zijn",
    "naar",
    "waar",
    "wanneer",
    "welke",
    "kunnen",
    "bestelling",
    "deze",
    "ook",
    "maar",
    "heb",
    "moet",
    "zoek",
    "alstublieft",
    "goedemorgen",
    "goedemiddag",
    "geen",
    "heeft",
    "krijg",
    "betalen",
    "verzending",
    "ruilen",
    "terugsturen",
];

/// Chat words used across our languages: alone they say nothing about the conversation's
/// language. Compared lower-case; runs of a repeated last letter are squeezed first ("okkk").
fn is_neutral(word: &str) -> bool {
    const NEUTRAL: &[&str] = &[
        "ok", "okay", "oki", "okey", "okk", "k", "kk", "merci", "thx", "thanks", "thank", "ty",
        "tks", "super", "top", "cool", "nice", "perfect", "great", "ciao", "tschau", "tchao",
        "hello", "hi", "hey", "yo", "bye", "sorry", "please", "pls", "plz", "yes", "yep", "yeah",
        "no", "nope", "lol", "mdr", "haha", "hahaha", "xd", "wow", "bravo", "np", "hallo", "salut",
        "info", "online", "shop", "email", "mail", "e-mail", "sms", "wifi", "app", "ah", "oh",
        "eh", "uh", "hm", "hmm", "mh", "euh", "mmh", "x", "xx", "xxx", "xoxo",
    ];
    if NEUTRAL.contains(&word) {
        return true;
    }
    // "okkk", "merciii", "thxxx"
    let mut chars: Vec<char> = word.chars().collect();
    let before = chars.len();
    while chars.len() > 2 && chars[chars.len() - 1] == chars[chars.len() - 2] {
        chars.pop();
    }
    chars.len() != before && NEUTRAL.contains(&chars.iter().collect::<String>().as_str())
}

/// A Latin-script word of the message, lower case, accents kept.
struct Word {
    text: String,
    /// Written with a capital first letter.
    capitalized: bool,
    /// Looks like a name or a product rather than a word of the language: "iPhone", "MacBook",
    /// a short acronym in a message that is not all capitals ("USB", "OLED").
    name_like: bool,
}

/// What the message is made of.
struct Analysis {
    /// Latin-script words (emails, links and tokens with digits left out).
    words: Vec<Word>,
    latin_letters: usize,
    /// Letters of other scripts (Cyrillic, Greek, CJK, Arabic, Hebrew, Indic, Thai…).
    foreign_letters: usize,
    /// Whitespace-separated chunks made mostly of such letters.
    foreign_words: usize,
    /// Letters of scripts written without spaces between words (Han, kana, Thai, Lao, Khmer…).
    unspaced_letters: usize,
    /// Latin-script words with a letter none of our five languages writes (ã, ł, ř, ș, å…).
    exotic_words: usize,
}

impl Analysis {
    fn of(text: &str) -> Analysis {
        let mut a = Analysis {
            words: Vec::new(),
            latin_letters: 0,
            foreign_letters: 0,
            foreign_words: 0,
            unspaced_letters: 0,
            exotic_words: 0,
        };
        let shouting = !text.chars().any(char::is_lowercase);
        for chunk in text.split(|c: char| c.is_whitespace() || c.is_control()) {
            if chunk.is_empty() {
                continue;
            }
            if chunk.contains('@')
                || chunk.contains("://")
                || chunk
                    .get(..4)
                    .is_some_and(|p| p.eq_ignore_ascii_case("www."))
            {
                continue; // an email or a link
            }
            let (mut latin, mut foreign) = (0usize, 0usize);
            for c in chunk.chars() {
                if c.is_alphabetic() {
                    if is_latin(c) {
                        latin += 1;
                    } else {
                        foreign += 1;
                        a.unspaced_letters += usize::from(is_unspaced(c));
                    }
                }
            }
            a.latin_letters += latin;
            a.foreign_letters += foreign;
            if foreign > latin {
                a.foreign_words += 1;
                continue;
            }
            if chunk.chars().any(|c| c.is_ascii_digit()) {
                continue; // order numbers, sizes, times, product codes
            }
            // Split the chunk into words on anything but Latin letters; an apostrophe between
            // letters stays inside ("c'est", "l'ordine", "don't").
            let original: Vec<char> = chunk.chars().collect();
            let mut start = 0;
            let mut i = 0;
            while i <= original.len() {
                let c = original.get(i).copied();
                let in_word = match c {
                    Some(c) if c.is_alphabetic() && is_latin(c) => true,
                    Some('\'' | '’' | '`') => {
                        i > start
                            && original
                                .get(i + 1)
                                .is_some_and(|n| n.is_alphabetic() && is_latin(*n))
                    }
                    _ => false,
                };
                if !in_word {
                    if i > start {
                        a.push_word(&original[start..i], shouting);
                    }
                    start = i + 1;
                }
                i += 1;
            }
        }
        a
    }

    fn push_word(&mut self, chars: &[char], shouting: bool) {
        let mut text = String::with_capacity(chars.len() + 2);
        let mut exotic = false;
        for &c in chars {
            if matches!(c, '’' | '`') {
                text.push('\'');
                continue;
            }
            for l in c.to_lowercase() {
                exotic |= l.is_alphabetic() && !is_ours(l);
                text.push(l);
            }
        }
        let capitalized = chars[0].is_uppercase();
        let inner_capital = chars
            .windows(2)
            .any(|w| w[0].is_lowercase() && w[1].is_uppercase());
        let acronym = !shouting
            && chars.len() <= 4
            && chars.len() >= 2
            && chars.iter().all(|c| c.is_uppercase());
        self.exotic_words += usize::from(exotic);
        self.words.push(Word {
            text,
            capitalized,
            name_like: inner_capital || acronym,
        });
    }
}

fn is_unspaced(c: char) -> bool {
    matches!(c as u32,
        0x0E00..=0x0EFF // Thai, Lao
        | 0x1000..=0x109F // Myanmar
        | 0x1780..=0x17FF // Khmer
        | 0x3040..=0x30FF // kana
        | 0x3400..=0x4DBF | 0x4E00..=0x9FFF | 0xF900..=0xFAFF | 0x20000..=0x2FFFF // Han
    )
}

/// Letters our five languages write: a–z and their accented letters.
fn is_ours(c: char) -> bool {
    c.is_ascii_lowercase() || "àâäæçéèêëîïíìôöœòóùûüúÿßñáºª".contains(c)
}

fn is_latin(c: char) -> bool {
    matches!(c as u32, 0x41..=0x5A | 0x61..=0x7A | 0xAA | 0xBA | 0xC0..=0x24F | 0x1E00..=0x1EFF | 0xFF21..=0xFF3A | 0xFF41..=0xFF5A)
        && c != '×'
        && c != '÷'
}

const FNV_PRIME: u64 = 0x0000_0100_0000_01B3;

/// Appends the n-gram keys of one word: every 1..=NGRAM_MAX-gram of " word " and the whole word.
fn push_keys(word: &str, keys: &mut Vec<u64>) {
    let mut chars: Vec<char> = Vec::with_capacity(word.len() + 2);
    chars.push(' ');
    chars.extend(word.chars());
    chars.push(' ');
    for start in 0..chars.len() {
        let mut h: u64 = 0xcbf2_9ce4_8422_2325;
        for n in 1..=NGRAM_MAX {
            let Some(&c) = chars.get(start + n - 1) else {
                break;
            };
            if n == 1 && c == ' ' {
                break; // a lone boundary says nothing
            }
            h = (h ^ c as u64).wrapping_mul(FNV_PRIME);
            keys.push(h ^ ((n as u64) << 58));
        }
    }
    keys.push(word_key_of(&chars));
}

/// The whole-word key of `word` (the last key `push_keys` pushes).
fn word_key(word: &str) -> u64 {
    let mut chars: Vec<char> = Vec::with_capacity(word.len() + 2);
    chars.push(' ');
    chars.extend(word.chars());
    chars.push(' ');
    word_key_of(&chars)
}

fn word_key_of(padded: &[char]) -> u64 {
    let mut h: u64 = 0x8422_2325_cbf2_9ce4;
    for &c in padded {
        h = (h ^ c as u64).wrapping_mul(FNV_PRIME);
    }
    h ^ (63u64 << 58)
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::sync::OnceLock;

    fn id() -> &'static LanguageIdentifier {
        static ID: OnceLock<LanguageIdentifier> = OnceLock::new();
        ID.get_or_init(LanguageIdentifier::new)
    }

    fn detect(text: &str, previous: Option<Lang>) -> Detected {
        id().identify(text, previous).detected
    }

    #[test]
    fn is_send_sync() {
        fn check<T: Send + Sync>() {}
        check::<LanguageIdentifier>();
    }

    #[test]
    fn short_messages_without_context() {
        let cases: &[(&str, Lang)] = &[
            ("merci", Lang::Fr),
            ("Merci beaucoup !", Lang::Fr),
            ("bonjour", Lang::Fr),
            ("je cherche une robe", Lang::Fr),
            ("ou est ma commande", Lang::Fr),
            ("thanks", Lang::En),
            ("where is my order", Lang::En),
            ("I'm looking for a red dress", Lang::En),
            ("danke", Lang::De),
            ("Danke schön", Lang::De),
            ("wo ist meine Bestellung", Lang::De),
            ("ich suche ein rotes kleid", Lang::De),
            ("grazie", Lang::It),
            ("buongiorno", Lang::It),
            ("dov'è il mio ordine", Lang::It),
            ("cerco un vestito rosso", Lang::It),
            ("gracias", Lang::Es),
            ("hola quiero unos zapatos", Lang::Es),
            ("donde esta mi pedido", Lang::Es),
            ("¿Cuánto cuesta el envío?", Lang::Es),
        ];
        for (text, lang) in cases {
            assert_eq!(detect(text, None), Detected::Lang(*lang), "{text:?}");
        }
    }

    #[test]
    fn typos_and_missing_accents() {
        assert_eq!(
            detect("je voudrai retourner mon colis svp", None),
            Detected::Lang(Lang::Fr)
        );
        assert_eq!(
            detect("wann kommt mein packet", None),
            Detected::Lang(Lang::De)
        );
        assert_eq!(
            detect("perche non arriva il mio pacco", None),
            Detected::Lang(Lang::It)
        );
        assert_eq!(
            detect("cuanto tarda el envio", None),
            Detected::Lang(Lang::Es)
        );
        assert_eq!(
            detect("can u help me wiht my ordr", None),
            Detected::Lang(Lang::En)
        );
    }

    #[test]
    fn a_german_conversation_survives_short_neutral_messages() {
        let de = Some(Lang::De);
        for text in [
            "ok",
            "OK!",
            "okkk",
            "merci",
            "Merci !",
            "super",
            "thx",
            "thanks",
            "top",
            "👍",
            "👍👍",
            "42",
            "ok 42",
            "ciao",
            "hello",
            "",
            "   ",
            "?!",
            "max.mustermann@example.de",
            "https://example.com/p/42",
            "XL",
            "CMD-2026-0042",
            "iPhone 15 Pro",
            "MacBook Air",
            "Nike Air Max 90",
            "Adidas Stan Smith",
            "Le Creuset",
            "ok merci",
            "super merci",
            "gracias",
            "Salut",
        ] {
            let g = id().identify(text, de);
            assert_eq!(
                g.detected,
                Detected::Lang(Lang::De),
                "{text:?} flipped a German conversation"
            );
            assert!(g.confidence > 0.5, "{text:?}: {g:?}");
        }
    }

    #[test]
    fn a_real_sentence_switches_the_conversation() {
        let cases: &[(&str, Lang, Lang)] = &[
            (
                "je voudrais annuler ma commande s'il vous plaît",
                Lang::De,
                Lang::Fr,
            ),
            ("est-ce que vous livrez en Belgique ?", Lang::De, Lang::Fr),
            ("can you tell me where my parcel is", Lang::Fr, Lang::En),
            ("ich möchte meine Bestellung stornieren", Lang::Fr, Lang::De),
            ("vorrei restituire le scarpe", Lang::Es, Lang::It),
            ("quiero devolver los zapatos", Lang::It, Lang::Es),
        ];
        for (text, previous, expected) in cases {
            assert_eq!(
                detect(text, Some(*previous)),
                Detected::Lang(*expected),
                "{text:?} in a {previous} conversation"
            );
        }
    }

    #[test]
    fn same_language_context_is_confident() {
        let g = id().identify("je cherche une robe", Some(Lang::Fr));
        assert_eq!(g.detected, Detected::Lang(Lang::Fr));
        assert!(g.confidence > 0.99, "{g:?}");
        assert!(
            id().identify("ok", None).confidence < 0.9,
            "a lone ok is ambiguous without context"
        );
    }

    #[test]
    fn other_languages_and_scripts() {
        for text in [
            "здравствуйте, я ищу красное платье",
            "спасибо",
            "你好，我想买一件红色的连衣裙",
            "谢谢",
            "مرحبا، أبحث عن فستان أحمر",
            "こんにちは、赤いドレスを探しています",
            "γεια σας, ψάχνω ένα κόκκινο φόρεμα",
            "olá, estou à procura de um vestido vermelho",
            "não consigo fazer login na minha conta",
            "obrigado",
            "waar is mijn bestelling? ik wacht al twee weken",
            "ik wil deze schoenen terugsturen want ze zijn te klein",
            "dzień dobry, szukam czerwonej sukienki",
        ] {
            let g = id().identify(text, None);
            assert_eq!(g.detected, Detected::Other, "{text:?}");
            assert!(g.confidence > 0.0 && g.confidence <= 1.0, "{text:?}: {g:?}");
        }
        // A long message in another language is reported even inside a conversation…
        assert_eq!(
            detect("здравствуйте, я ищу красное платье", Some(Lang::De)),
            Detected::Other
        );
        assert_eq!(
            detect(
                "waar is mijn bestelling? ik wacht al twee weken",
                Some(Lang::De)
            ),
            Detected::Other
        );
        // …but a lone foreign word does not end it.
        assert_eq!(detect("спасибо", Some(Lang::De)), Detected::Lang(Lang::De));
        assert_eq!(detect("obrigado", Some(Lang::Es)), Detected::Lang(Lang::Es));
    }

    #[test]
    fn nothing_to_go_on_without_context() {
        for text in ["", "42", "👍", "...", "\u{0}\u{7}"] {
            let g = id().identify(text, None);
            assert!(matches!(g.detected, Detected::Lang(_)), "{text:?}");
            assert_eq!(g.confidence, 0.0, "{text:?}");
        }
    }

    #[test]
    fn hostile_input_never_panics() {
        let long = "je cherche une robe rouge ".repeat(40_000);
        let emoji = "👍🎉🇫🇷".repeat(50_000);
        let controls: String = (0u32..0x20)
            .filter_map(char::from_u32)
            .cycle()
            .take(100_000)
            .collect();
        let mixed =
            "Ẻẻ ẺẺẺ a\u{301}\u{301}\u{301} ’’’ ' `x` l'' ÀÉÎ ǅ ß ẞ ﬃ İ ı ＡＢＣ".repeat(1000);
        for text in [
            long.as_str(),
            &emoji,
            &controls,
            &mixed,
            "'",
            "’a",
            "a’",
            "\u{FEFF}",
            "\u{10FFFF}",
        ] {
            for previous in [None, Some(Lang::It)] {
                let g = id().identify(text, previous);
                assert!(
                    g.confidence.is_finite() && (0.0..=1.0).contains(&g.confidence),
                    "{g:?}"
                );
            }
        }
        assert_eq!(detect(&long, None), Detected::Lang(Lang::Fr));
        // Pseudo-random strings over a palette of awkward characters.
        let palette: Vec<char> = "aé ßx'’-@.:/0😀Я中ا\u{0}\u{301}\u{200B}ẺǅİÆ!?"
            .chars()
            .collect();
        let mut seed: u64 = 0x9E37_79B9_7F4A_7C15;
        for _ in 0..2000 {
            let len = (seed % 40) as usize;
            let text: String = (0..len)
                .map(|_| {
                    seed ^= seed << 13;
                    seed ^= seed >> 7;
                    seed ^= seed << 17;
                    palette[(seed % palette.len() as u64) as usize]
                })
                .collect();
            let g = id().identify(&text, if seed & 1 == 0 { None } else { Some(Lang::Fr) });
            assert!((0.0..=1.0).contains(&g.confidence), "{text:?}: {g:?}");
        }
    }

    /// Accuracy on the held-out test files (another writer, never trained on), without any
    /// conversation language.
    #[test]
    fn accuracy_on_held_out_test_files() {
        const TEST: [(Lang, &str); 5] = [
            (Lang::Fr, include_str!("../data/test/fr.jsonl")),
            (Lang::En, include_str!("../data/test/en.jsonl")),
            (Lang::De, include_str!("../data/test/de.jsonl")),
            (Lang::It, include_str!("../data/test/it.jsonl")),
            (Lang::Es, include_str!("../data/test/es.jsonl")),
        ];
        let mut total = 0usize;
        let mut correct = 0usize;
        for (lang, jsonl) in TEST {
            let (mut n, mut ok) = (0usize, 0usize);
            for line in jsonl.lines().filter(|l| !l.trim().is_empty()) {
                let line: TrainLine = serde_json::from_str(line).expect("valid test line");
                n += 1;
                ok += usize::from(detect(&line.text, None) == Detected::Lang(lang));
            }
            let acc = ok as f64 / n.max(1) as f64;
            assert!(acc >= 0.93, "{lang}: {acc:.3}");
            total += n;
            correct += ok;
        }
        assert!(total >= 2000, "test files missing ({total} lines)");
        let acc = correct as f64 / total as f64;
        assert!(acc >= 0.95, "overall accuracy {acc:.4} on {total} lines");
    }
}
