//! Satisfaction in the chat: when a conversation that did something ends (the shopper says
//! goodbye or thanks), the agent asks once for a CSAT score (1–5), then an NPS score (0–10),
//! and thanks. Scores come from the quick replies (`csat:4`, `nps:9`) or typed ("4", "4/5",
//! "8 out of 10", "cinq"); each is a `record_feedback` tool call in the turn's record. Any
//! other message drops the question and is handled as usual: no trap.

use super::*;
use crate::tools::feedback_range;

/// A score read from an answer.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Score {
    In(u8),
    /// A number, but not on the scale ("7" for a 1–5 question).
    OutOfRange,
}

impl Turn<'_, '_> {
    /// At the end of a conversation: the CSAT question, when the shop wants it, once per
    /// conversation, after the shopper did something, and never over an open question.
    pub(super) fn maybe_ask_feedback(&mut self) {
        if !self.ctx.tenant.settings.ask_feedback
            || self.state.feedback_asked
            || !self.state.engaged
            || self.question_open
            || self.state.pending.is_some()
        {
            return;
        }
        self.state.feedback_asked = true;
        self.ask_score("csat", false);
    }

    /// Asks the question of `kind` with its scale as quick replies.
    fn ask_score(&mut self, kind: &str, reasked: bool) {
        let Some(range) = feedback_range(kind) else {
            return;
        };
        if kind == "csat" {
            self.state.pending = Some(Pending::Csat { reasked });
            if !reasked {
                self.say("feedback_csat_ask", &[]);
            }
        } else {
            self.state.pending = Some(Pending::Nps { reasked });
            if !reasked {
                self.say("feedback_nps_ask", &[]);
            }
        }
        for n in range {
            let label = if kind == "csat" {
                format!("{n} ★")
            } else {
                n.to_string()
            };
            self.reply.quick_replies.push(QuickReply {
                label,
                payload: format!("{kind}:{n}"),
            });
        }
    }

    /// A typed answer to a pending satisfaction question; false when it is no score (the
    /// question is then dropped and the message handled as usual).
    pub(super) async fn answer_feedback(
        &mut self,
        kind: &str,
        reasked: bool,
        u: &Understanding,
        folded: &str,
    ) -> Result<bool, AgentError> {
        let about_else = has_product_words(u)
            || u.entities.iter().any(|e| {
                matches!(
                    e.kind,
                    EntityKind::Email | EntityKind::Phone | EntityKind::OrderNumber
                )
            });
        let max = feedback_range(kind).map_or(10, |r| *r.end());
        let read = if about_else {
            None
        } else {
            read_score(folded, kind, max)
        };
        match read {
            Some(score) => {
                self.acted_as("feedback");
                self.take_score(kind, score, reasked).await?;
                Ok(true)
            }
            None => {
                self.state.pending = None;
                Ok(false)
            }
        }
    }

    /// A quick reply `csat:N` or `nps:N`; false when the payload is none of those.
    pub(super) async fn feedback_button(&mut self, payload: &str) -> Result<bool, AgentError> {
        let Some((kind, value)) = payload
            .split_once(':')
            .filter(|(k, _)| feedback_range(k).is_some())
        else {
            return Ok(false);
        };
        if !self.state.feedback_asked {
            // A button of a question never asked here: not a score.
            return Ok(false);
        }
        let recorded = if kind == "csat" {
            self.state.csat.is_some()
        } else {
            self.state.nps.is_some()
        };
        let reasked = match self.state.pending {
            Some(Pending::Csat { reasked }) if kind == "csat" => reasked,
            Some(Pending::Nps { reasked }) if kind == "nps" => reasked,
            _ => false,
        };
        if recorded {
            // A second press of a question already answered: nothing recorded twice.
            if kind == "csat" && matches!(self.state.pending, Some(Pending::Nps { .. })) {
                self.ask_score("nps", false);
            } else {
                self.say("feedback_done", &[]);
            }
            return Ok(true);
        }
        let range = feedback_range(kind).unwrap_or(0..=10);
        let score = match value.trim().parse::<u8>() {
            Ok(n) if range.contains(&n) => Score::In(n),
            _ => Score::OutOfRange,
        };
        self.take_score(kind, score, reasked).await?;
        Ok(true)
    }

    /// Records a score and asks the next question (NPS after CSAT) or thanks; a score out of
    /// range is asked again once, then the question is dropped.
    async fn take_score(
        &mut self,
        kind: &str,
        score: Score,
        reasked: bool,
    ) -> Result<(), AgentError> {
        let range = feedback_range(kind).unwrap_or(0..=10);
        let n = match score {
            Score::In(n) => n,
            Score::OutOfRange if !reasked => {
                let (min, max) = (range.start().to_string(), range.end().to_string());
                self.say("feedback_score_range", &[("min", &min), ("max", &max)]);
                self.ask_score(kind, true);
                return Ok(());
            }
            Score::OutOfRange => {
                self.state.pending = None;
                self.say("feedback_dropped", &[]);
                return Ok(());
            }
        };
        let r = self
            .tools
            .call(
                self.state,
                ToolCall::RecordFeedback {
                    kind: kind.to_string(),
                    score: n,
                },
            )
            .await?;
        self.state.pending = None;
        if r != ToolResult::Recorded {
            self.say("feedback_dropped", &[]);
            return Ok(());
        }
        if kind == "csat" && self.state.nps.is_none() {
            self.ask_score("nps", false);
        } else {
            self.say("feedback_done", &[]);
        }
        Ok(())
    }
}

/// Number words 0–10 in the five languages, on folded text.
const NUMBER_WORDS: &[(&str, u8)] = &[
    ("zero", 0),
    ("one", 1),
    ("two", 2),
    ("three", 3),
    ("four", 4),
    ("five", 5),
    ("six", 6),
    ("seven", 7),
    ("eight", 8),
    ("nine", 9),
    ("ten", 10),
    ("un", 1),
    ("une", 1),
    ("deux", 2),
    ("trois", 3),
    ("quatre", 4),
    ("cinq", 5),
    ("sept", 7),
    ("huit", 8),
    ("neuf", 9),
    ("dix", 10),
    ("null", 0),
    ("eins", 1),
    ("eine", 1),
    ("zwei", 2),
    ("drei", 3),
    ("vier", 4),
    ("funf", 5),
    ("fuenf", 5),
    ("sechs", 6),
    ("sieben", 7),
    ("acht", 8),
    ("neun", 9),
    ("zehn", 10),
    ("uno", 1),
    ("una", 1),
    ("due", 2),
    ("tre", 3),
    ("quattro", 4),
    ("cinque", 5),
    ("sei", 6),
    ("sette", 7),
    ("otto", 8),
    ("nove", 9),
    ("dieci", 10),
    ("cero", 0),
    ("dos", 2),
    ("tres", 3),
    ("cuatro", 4),
    ("cinco", 5),
    ("seis", 6),
    ("siete", 7),
    ("ocho", 8),
    ("nueve", 9),
    ("diez", 10),
    ("ein", 1),
    ("eleven", 11),
    ("onze", 11),
];

/// Words that may stand around a number word ("cinq sur cinq", "four stars", "dix points").
const SCORE_WORDS: [&str; 22] = [
    "sur",
    "out",
    "of",
    "von",
    "su",
    "de",
    "star",
    "stars",
    "etoile",
    "etoiles",
    "stern",
    "sterne",
    "stella",
    "stelle",
    "estrella",
    "estrellas",
    "point",
    "points",
    "punkte",
    "punti",
    "puntos",
    "i",
];

fn number_word(w: &str) -> Option<u8> {
    NUMBER_WORDS.iter().find(|(n, _)| *n == w).map(|(_, v)| *v)
}

/// The score a short answer gives on a `kind` scale of at most `max`: one number ("4",
/// "4/5", "I'd say 8", "8 out of 10", "cinq", "★★★★"); `None` when the message holds no
/// score or several numbers.
pub(crate) fn read_score(folded: &str, kind: &str, max: u8) -> Option<Score> {
    let range = feedback_range(kind)?;
    let text = folded.trim();
    let judge = |n: u32| -> Score {
        match u8::try_from(n) {
            Ok(n) if range.contains(&n) => Score::In(n),
            _ => Score::OutOfRange,
        }
    };
    // Stars ("★★★★", "⭐⭐⭐").
    let stars = text.chars().filter(|c| matches!(c, '★' | '⭐')).count();
    if stars > 0
        && text
            .chars()
            .all(|c| matches!(c, '★' | '⭐' | '☆' | '\u{fe0f}') || c.is_whitespace())
    {
        return Some(judge(stars as u32));
    }
    let words: Vec<&str> = text
        .split(|c: char| !c.is_alphanumeric())
        .filter(|w| !w.is_empty())
        .collect();
    if words.is_empty() || words.len() > 6 {
        return None;
    }
    let digits: Vec<(usize, u32)> = words
        .iter()
        .enumerate()
        .filter(|(_, w)| w.bytes().all(|b| b.is_ascii_digit()))
        .map(|(i, w)| (i, w.parse::<u32>().unwrap_or(u32::MAX)))
        .collect();
    let numbers = if !digits.is_empty() {
        // "4,5" or "4.5": no whole score.
        if let [(i, _), (j, _)] = digits.as_slice() {
            let (a, b) = (words[*i], words[*j]);
            if text.contains(&format!("{a},{b}")) || text.contains(&format!("{a}.{b}")) {
                return None;
            }
        }
        digits
    } else {
        // Number words only in a message of a few score words ("cinq sur cinq", "four stars"):
        // "un peu" or "due giorni" is no score.
        if words.len() > 4
            || words
                .iter()
                .any(|w| number_word(w).is_none() && !SCORE_WORDS.contains(w))
        {
            return None;
        }
        words
            .iter()
            .enumerate()
            .filter_map(|(i, w)| number_word(w).map(|n| (i, u32::from(n))))
            .collect()
    };
    match numbers.as_slice() {
        [(_, n)] => Some(judge(*n)),
        // "4/5", "8 out of 10", "cinq sur cinq": the second is the scale.
        [(i, n), (j, d)] if j > i && *d == u32::from(max) => Some(judge(*n)),
        _ => None,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn csat(t: &str) -> Option<Score> {
        read_score(&fold(t), "csat", 5)
    }

    fn nps(t: &str) -> Option<Score> {
        read_score(&fold(t), "nps", 10)
    }

    #[test]
    fn reads_scores_typed_in_five_languages() {
        for (t, want) in [
            ("4", 4),
            ("4/5", 4),
            ("4 / 5", 4),
            ("5 !", 5),
            ("I'd say 4", 4),
            ("4 stars", 4),
            ("cinq", 5),
            ("Cinq sur cinq", 5),
            ("quatre étoiles", 4),
            ("fünf", 5),
            ("drei Sterne", 3),
            ("tre", 3),
            ("cuatro estrellas", 4),
            ("★★★★", 4),
            ("⭐⭐⭐", 3),
            ("one", 1),
        ] {
            assert_eq!(csat(t), Some(Score::In(want)), "{t}");
        }
        for (t, want) in [
            ("9", 9),
            ("0", 0),
            ("10/10", 10),
            ("8 out of 10", 8),
            ("Je mets 9", 9),
            ("dix", 10),
            ("nove", 9),
        ] {
            assert_eq!(nps(t), Some(Score::In(want)), "{t}");
        }
    }

    #[test]
    fn tells_scores_out_of_range_and_messages_that_are_no_score() {
        assert_eq!(csat("7"), Some(Score::OutOfRange));
        assert_eq!(csat("0"), Some(Score::OutOfRange));
        assert_eq!(nps("11"), Some(Score::OutOfRange));
        assert_eq!(nps("100000000000"), Some(Score::OutOfRange));
        for t in [
            "",
            "great",
            "un peu",
            "due giorni di consegna",
            "4,5",
            "between 3 and 4",
            "Do you have yoga mats in 2 colours for my 3 kids?",
            "thanks",
        ] {
            assert_eq!(csat(t), None, "{t}");
        }
    }
}
