//! Evaluation and training files (PRODUCT.md "NLU evaluation file"), and converters from the
//! public intent benchmarks (CLINC150, Banking77, Bitext) to that format. Pure functions over
//! strings: the caller reads the files.

use serde::{Deserialize, Serialize};

use crate::classifier::OUT_OF_SCOPE;

/// One labelled example.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Example {
    pub text: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub lang: Option<String>,
    pub intent: String,
    /// `None`: entities not annotated (not scored). `Some([])`: annotated, none present.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub entities: Option<Vec<ExpectedEntity>>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub now: Option<String>,
}

/// An annotated entity: type, normal form and currency for amounts.
#[derive(Debug, Clone, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub struct ExpectedEntity {
    #[serde(rename = "type")]
    pub kind: String,
    /// A string, or an integer for quantities and ordinals (as the API writes them).
    #[serde(deserialize_with = "string_or_number")]
    pub value: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub currency: Option<String>,
}

fn string_or_number<'de, D: serde::Deserializer<'de>>(d: D) -> Result<String, D::Error> {
    match serde_json::Value::deserialize(d)? {
        serde_json::Value::String(s) => Ok(s),
        serde_json::Value::Number(n) => Ok(n.to_string()),
        other => Err(serde::de::Error::custom(format!(
            "entity value must be a string or a number, not {other}"
        ))),
    }
}

#[derive(Debug, thiserror::Error)]
pub enum DatasetError {
    #[error("line {line}: {message}")]
    Line { line: usize, message: String },
    #[error("{0}")]
    Format(String),
}

/// Parses a JSONL file. Blank lines are skipped; any other bad line is an error naming it.
pub fn parse_jsonl(text: &str) -> Result<Vec<Example>, DatasetError> {
    let mut out = Vec::new();
    for (i, line) in text.lines().enumerate() {
        let line = line.trim_start_matches('\u{feff}').trim();
        if line.is_empty() {
            continue;
        }
        let ex: Example = serde_json::from_str(line).map_err(|e| DatasetError::Line {
            line: i + 1,
            message: e.to_string(),
        })?;
        if ex.intent.trim().is_empty() {
            return Err(DatasetError::Line {
                line: i + 1,
                message: "empty intent".into(),
            });
        }
        out.push(ex);
    }
    Ok(out)
}

/// Writes examples as JSONL.
pub fn to_jsonl(examples: &[Example]) -> String {
    let mut s = String::new();
    for e in examples {
        s.push_str(&serde_json::to_string(e).expect("examples serialise"));
        s.push('\n');
    }
    s
}

fn example(text: &str, intent: &str) -> Example {
    Example {
        text: text.to_string(),
        lang: Some("en".into()),
        intent: intent.to_string(),
        entities: None,
        now: None,
    }
}

/// CLINC150 `data_full.json`: `splits` are the keys to take (e.g. `["train", "oos_train"]`);
/// the label `oos` becomes `out_of_scope`.
pub fn clinc150(json: &str, splits: &[&str]) -> Result<Vec<Example>, DatasetError> {
    let data: std::collections::HashMap<String, Vec<(String, String)>> = serde_json::from_str(json)
        .map_err(|e| DatasetError::Format(format!("not a CLINC150 file: {e}")))?;
    let mut out = Vec::new();
    for split in splits {
        let rows = data
            .get(*split)
            .ok_or_else(|| DatasetError::Format(format!("no split {split:?}")))?;
        for (text, label) in rows {
            out.push(example(
                text,
                if label == "oos" { OUT_OF_SCOPE } else { label },
            ));
        }
    }
    Ok(out)
}

/// A CSV with a header, reading the text and label columns by name.
fn csv_columns(csv: &str, text_col: &str, label_col: &str) -> Result<Vec<Example>, DatasetError> {
    let mut rows = split_csv(csv.trim_start_matches('\u{feff}'));
    let header = rows
        .next()
        .ok_or_else(|| DatasetError::Format("empty file".into()))?;
    let find = |name: &str| {
        header
            .iter()
            .position(|h| h == name)
            .ok_or_else(|| DatasetError::Format(format!("no column {name:?}")))
    };
    let (t, l) = (find(text_col)?, find(label_col)?);
    let mut out = Vec::new();
    for (i, row) in rows.enumerate() {
        match (row.get(t), row.get(l)) {
            (Some(text), Some(label)) if !text.trim().is_empty() && !label.is_empty() => {
                out.push(example(text.trim(), label))
            }
            _ => {
                return Err(DatasetError::Line {
                    line: i + 2,
                    message: "missing text or label".into(),
                })
            }
        }
    }
    Ok(out)
}

/// Banking77 `train.csv` / `test.csv` (`text,category`).
pub fn banking77(csv: &str) -> Result<Vec<Example>, DatasetError> {
    csv_columns(csv, "text", "category")
}

/// The Bitext customer-service sample (`flags,utterance,category,intent`), split 80/20 by a fixed
/// rule: within each intent, every fifth example goes to the test side. `test` picks the side.
pub fn bitext(csv: &str, test: bool) -> Result<Vec<Example>, DatasetError> {
    let all = csv_columns(csv, "utterance", "intent")?;
    let mut seen: std::collections::HashMap<String, usize> = std::collections::HashMap::new();
    Ok(all
        .into_iter()
        .filter(|e| {
            let n = seen.entry(e.intent.clone()).or_default();
            *n += 1;
            n.is_multiple_of(5) == test
        })
        .collect())
}

/// Minimal RFC 4180 reader (quoted fields, doubled quotes, CRLF). The datasets are small and
/// this keeps the crate free of I/O-oriented dependencies.
fn split_csv(text: &str) -> impl Iterator<Item = Vec<String>> + '_ {
    let mut chars = text.chars().peekable();
    std::iter::from_fn(move || {
        chars.peek()?;
        let mut row = Vec::new();
        let mut field = String::new();
        let mut quoted = false;
        while let Some(c) = chars.next() {
            match c {
                '"' if quoted && chars.peek() == Some(&'"') => {
                    chars.next();
                    field.push('"');
                }
                '"' if quoted => quoted = false,
                '"' if field.is_empty() => quoted = true,
                ',' if !quoted => row.push(std::mem::take(&mut field)),
                '\r' if !quoted => {}
                '\n' if !quoted => break,
                _ => field.push(c),
            }
        }
        row.push(field);
        Some(row)
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn jsonl_round_trip_and_errors_name_the_line() {
        let text = r#"{"text": "moins de 50 €", "lang": "fr", "intent": "product_search", "entities": [{"type": "price_max", "value": "50", "currency": "EUR"}], "now": "2026-11-25T10:00:00+01:00"}

{"text": "hi", "intent": "greet"}"#;
        let ex = parse_jsonl(text).unwrap();
        assert_eq!(ex.len(), 2);
        let numeric = parse_jsonl(r#"{"text": "2 please", "intent": "add_to_cart", "entities": [{"type": "quantity", "value": 2}]}"#).unwrap();
        assert_eq!(numeric[0].entities.as_ref().unwrap()[0].value, "2");
        assert_eq!(
            ex[0].entities.as_ref().unwrap()[0].currency.as_deref(),
            Some("EUR")
        );
        assert_eq!(ex[1].entities, None);
        assert_eq!(parse_jsonl(&to_jsonl(&ex)).unwrap(), ex);
        let err = parse_jsonl("{\"text\": \"a\", \"intent\": \"x\"}\n{oops").unwrap_err();
        assert!(err.to_string().starts_with("line 2:"), "{err}");
    }

    #[test]
    fn converts_clinc_banking_and_bitext() {
        let clinc = r#"{"train": [["hi", "greeting"]], "oos_train": [["meh", "oos"]], "test": []}"#;
        let ex = clinc150(clinc, &["train", "oos_train"]).unwrap();
        assert_eq!(ex[1].intent, OUT_OF_SCOPE);
        assert!(clinc150(clinc, &["val"]).is_err());

        let bank = "text,category\n\"Hi, \"\"card\"\" late?\",card_arrival\r\nok,other\n";
        let ex = banking77(bank).unwrap();
        assert_eq!(ex[0].text, "Hi, \"card\" late?");
        assert_eq!(ex[1].intent, "other");

        let mut bitext_csv = String::from("\u{feff}flags,utterance,category,intent\n");
        for i in 0..10 {
            bitext_csv.push_str(&format!("B,text {i},ORDER,cancel_order\n"));
        }
        assert_eq!(bitext(&bitext_csv, false).unwrap().len(), 8);
        assert_eq!(bitext(&bitext_csv, true).unwrap().len(), 2);
        assert!(banking77("a,b\n1,2\n").is_err());
    }
}
