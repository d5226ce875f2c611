//! Text normalisation shared by the classifier, the entity extractors and the catalogue index:
//! NFKC, lower case, accent folding, punctuation and emoji as separators, elisions split.
//!
//! Everything downstream compares folded forms, so "Écharpe", "echarpe" and "ÉCHARPE" are one word.

use unicode_normalization::char::is_combining_mark;
use unicode_normalization::UnicodeNormalization;

/// Longest input we look at, in bytes. Messages are chat lines; anything longer is cut (on a char
/// boundary) so that understanding stays bounded in time on hostile input.
pub const MAX_INPUT_BYTES: usize = 4096;

/// Cuts `text` to at most `max` bytes on a char boundary.
pub fn truncate(text: &str, max: usize) -> &str {
    if text.len() <= max {
        return text;
    }
    let mut end = max;
    while !text.is_char_boundary(end) {
        end -= 1;
    }
    &text[..end]
}

/// Lower-cases and strips accents from one string: "Größe Écharpe" → "grosse echarpe".
/// Keeps every other character (punctuation included) so offsets stay meaningful to callers that
/// tokenise afterwards.
pub fn fold(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    for c in text.nfkc() {
        push_folded(c, &mut out);
    }
    out
}

fn push_folded(c: char, out: &mut String) {
    match c {
        'ß' | 'ẞ' => out.push_str("ss"),
        'æ' | 'Æ' => out.push_str("ae"),
        'œ' | 'Œ' => out.push_str("oe"),
        'ø' | 'Ø' => out.push('o'),
        'ł' | 'Ł' => out.push('l'),
        // Typographic apostrophes and quotes collapse to ASCII so elisions split the same way.
        '\u{2019}' | '\u{2018}' | '\u{02BC}' | '`' | '´' => out.push('\''),
        _ if c.is_ascii() => out.push(c.to_ascii_lowercase()),
        _ => {
            for l in c.to_lowercase() {
                for d in l.nfd() {
                    if !is_combining_mark(d) {
                        out.push(d);
                    }
                }
            }
        }
    }
}

/// One token of a normalised message.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Token {
    /// Folded text: lower case, no accents.
    pub text: String,
    /// Byte range in the folded string the token came from.
    pub start: usize,
    pub end: usize,
    pub kind: TokenKind,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum TokenKind {
    Word,
    Number,
    /// A symbol worth keeping as a feature: `?`, `!`, `€`, `$`, `£`, `%`, `#`, `@`, an emoji.
    Symbol,
}

/// Splits folded text into words, numbers and meaningful symbols. Letters and digits glued
/// together ("xl", "h2o", "14h30") stay one token; apostrophes split elisions ("l'echarpe" →
/// "l", "echarpe"); a decimal point or comma between digits stays inside the number.
pub fn tokenize(folded: &str) -> Vec<Token> {
    let mut tokens = Vec::new();
    let bytes: Vec<(usize, char)> = folded.char_indices().collect();
    let mut i = 0;
    while i < bytes.len() {
        let (start, c) = bytes[i];
        if c.is_alphanumeric() {
            let mut j = i + 1;
            while j < bytes.len() {
                let (_, d) = bytes[j];
                let glued_decimal = (d == '.' || d == ',')
                    && bytes[j - 1].1.is_ascii_digit()
                    && bytes.get(j + 1).is_some_and(|(_, n)| n.is_ascii_digit());
                if d.is_alphanumeric() || glued_decimal {
                    j += 1;
                } else {
                    break;
                }
            }
            let end = bytes.get(j).map_or(folded.len(), |(p, _)| *p);
            let text = &folded[start..end];
            let kind = if text
                .chars()
                .all(|c| c.is_ascii_digit() || c == '.' || c == ',')
            {
                TokenKind::Number
            } else {
                TokenKind::Word
            };
            tokens.push(Token {
                text: text.to_string(),
                start,
                end,
                kind,
            });
            i = j;
            continue;
        }
        if is_kept_symbol(c) {
            tokens.push(Token {
                text: c.to_string(),
                start,
                end: start + c.len_utf8(),
                kind: TokenKind::Symbol,
            });
        }
        i += 1;
    }
    tokens
}

fn is_kept_symbol(c: char) -> bool {
    matches!(c, '?' | '!' | '€' | '$' | '£' | '%' | '#' | '@' | '+')
        || matches!(c as u32, 0x1F300..=0x1FAFF | 0x2600..=0x27BF)
}

/// Damerau–Levenshtein distance (optimal string alignment) with an early exit: returns `None`
/// when the distance is above `max`. Used for typo-tolerant lexicon and catalogue lookups.
pub fn within_edits(a: &str, b: &str, max: usize) -> Option<usize> {
    let a: Vec<char> = a.chars().collect();
    let b: Vec<char> = b.chars().collect();
    if a.len().abs_diff(b.len()) > max {
        return None;
    }
    let width = b.len() + 1;
    let mut prev2 = vec![0usize; width];
    let mut prev: Vec<usize> = (0..width).collect();
    let mut cur = vec![0usize; width];
    for i in 1..=a.len() {
        cur[0] = i;
        let mut row_min = cur[0];
        for j in 1..=b.len() {
            let cost = usize::from(a[i - 1] != b[j - 1]);
            let mut v = (prev[j] + 1).min(cur[j - 1] + 1).min(prev[j - 1] + cost);
            if i > 1 && j > 1 && a[i - 1] == b[j - 2] && a[i - 2] == b[j - 1] {
                v = v.min(prev2[j - 2] + 1);
            }
            cur[j] = v;
            row_min = row_min.min(v);
        }
        if row_min > max {
            return None;
        }
        std::mem::swap(&mut prev2, &mut prev);
        std::mem::swap(&mut prev, &mut cur);
    }
    let d = prev[b.len()];
    (d <= max).then_some(d)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn words(s: &str) -> Vec<String> {
        tokenize(&fold(s)).into_iter().map(|t| t.text).collect()
    }

    #[test]
    fn folds_case_accents_and_ligatures() {
        assert_eq!(fold("Größe ÉCHARPE œuvre"), "grosse echarpe oeuvre");
        assert_eq!(fold("ＡＢＣ"), "abc", "NFKC folds full-width letters");
        assert_eq!(fold("perché più"), "perche piu");
    }

    #[test]
    fn splits_elisions_and_keeps_decimals() {
        assert_eq!(
            words("l’écharpe à 12,50 € ?"),
            ["l", "echarpe", "a", "12,50", "€", "?"]
        );
        assert_eq!(
            words("dell'ordine #A-12"),
            ["dell", "ordine", "#", "a", "12"]
        );
        assert_eq!(words("14h30, XL!"), ["14h30", "xl", "!"]);
    }

    #[test]
    fn drops_control_characters_and_keeps_emoji() {
        assert_eq!(words("ok\u{0}\u{202E}👍"), ["ok", "👍"]);
    }

    #[test]
    fn edit_distance_with_cutoff() {
        assert_eq!(within_edits("chaussure", "chausure", 1), Some(1));
        assert_eq!(
            within_edits("ab", "ba", 1),
            Some(1),
            "a transposition is one edit"
        );
        assert_eq!(within_edits("robe", "table", 1), None);
        assert_eq!(within_edits("", "", 0), Some(0));
    }

    #[test]
    fn truncates_on_char_boundary() {
        assert_eq!(truncate("ééé", 3), "é");
        assert_eq!(truncate("abc", 10), "abc");
    }
}
