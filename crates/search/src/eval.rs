//! Measuring search quality against graded judgments: nDCG@10, recall@10 and the share of
//! queries with a relevant product that return nothing.
//!
//! Judgment file: JSONL, `{"query": "robe rouge", "lang": "fr", "relevant": {"<product id>": 2}}`
//! with grades 2 (exactly what was asked) and 1 (a fair partial answer); unlisted products are 0.

use std::collections::BTreeMap;
use std::time::Instant;

use comptoir_domain::Lang;
use serde::{Deserialize, Serialize};

use crate::{SearchIndex, SearchRequest};

#[derive(Debug, Clone, Deserialize)]
pub struct Judgment {
    pub query: String,
    #[serde(default)]
    pub lang: Option<String>,
    #[serde(default)]
    pub relevant: BTreeMap<String, u8>,
}

#[derive(Debug, thiserror::Error)]
pub enum EvalError {
    #[error("line {line}: {message}")]
    Line { line: usize, message: String },
    #[error("no judgments in the file")]
    Empty,
}

/// Parses a judgment file; a bad line is an error naming it.
pub fn parse_judgments(text: &str) -> Result<Vec<Judgment>, EvalError> {
    let mut out = Vec::new();
    for (i, line) in text.lines().enumerate() {
        let line_no = i + 1;
        if line.trim().is_empty() {
            continue;
        }
        let j: Judgment = serde_json::from_str(line).map_err(|e| EvalError::Line {
            line: line_no,
            message: e.to_string(),
        })?;
        if let Some((id, g)) = j.relevant.iter().find(|(_, g)| **g > 2) {
            return Err(EvalError::Line {
                line: line_no,
                message: format!("grade {g} of `{id}` is not 0, 1 or 2"),
            });
        }
        out.push(j);
    }
    if out.is_empty() {
        return Err(EvalError::Empty);
    }
    Ok(out)
}

#[derive(Debug, Clone, Serialize)]
pub struct QueryOutcome {
    pub query: String,
    pub lang: Option<String>,
    pub ndcg_at_10: f64,
    pub recall_at_10: f64,
    pub results: usize,
    /// Product ids of the first ten hits.
    pub top: Vec<String>,
}

#[derive(Debug, Clone, Serialize)]
pub struct EvalReport {
    pub queries: usize,
    /// Queries with at least one relevant product (the base of every rate below).
    pub judged: usize,
    pub ndcg_at_10: f64,
    pub recall_at_10: f64,
    /// Share of judged queries that returned no product at all.
    pub zero_result_rate: f64,
    /// Share of queries without any relevant product that still returned something.
    pub unjudged_with_results: f64,
    pub per_language: BTreeMap<String, LanguageScore>,
    pub latency_p50_us: u64,
    pub latency_p99_us: u64,
    pub outcomes: Vec<QueryOutcome>,
}

#[derive(Debug, Clone, Serialize)]
pub struct LanguageScore {
    pub queries: usize,
    pub ndcg_at_10: f64,
    pub recall_at_10: f64,
}

fn dcg(grades: impl Iterator<Item = u8>) -> f64 {
    grades
        .enumerate()
        .map(|(i, g)| (2f64.powi(g as i32) - 1.0) / ((i + 2) as f64).log2())
        .sum()
}

/// nDCG@10 of a ranking against graded judgments.
pub fn ndcg_at_10(ranking: &[String], relevant: &BTreeMap<String, u8>) -> f64 {
    let got = dcg(ranking
        .iter()
        .take(10)
        .map(|id| relevant.get(id).copied().unwrap_or(0)));
    let mut ideal: Vec<u8> = relevant.values().copied().filter(|g| *g > 0).collect();
    ideal.sort_unstable_by(|a, b| b.cmp(a));
    let best = dcg(ideal.into_iter().take(10));
    if best == 0.0 {
        0.0
    } else {
        got / best
    }
}

/// Relevant products in the first ten, over the relevant products there could be in ten.
pub fn recall_at_10(ranking: &[String], relevant: &BTreeMap<String, u8>) -> f64 {
    let total = relevant.values().filter(|g| **g > 0).count();
    if total == 0 {
        return 0.0;
    }
    let found = ranking
        .iter()
        .take(10)
        .filter(|id| relevant.get(*id).is_some_and(|g| *g > 0))
        .count();
    found as f64 / total.min(10) as f64
}

/// Runs every judged query; `name` maps the index's product ids to the judgments' ids.
pub fn evaluate(
    index: &SearchIndex,
    judgments: &[Judgment],
    name: &dyn Fn(&str) -> String,
) -> EvalReport {
    let mut outcomes = Vec::with_capacity(judgments.len());
    let mut latencies = Vec::with_capacity(judgments.len());
    for j in judgments {
        let mut req = SearchRequest::new(&j.query);
        req.lang = j.lang.as_deref().and_then(Lang::parse);
        req.limit = 10;
        let t = Instant::now();
        let res = index.search(&req);
        latencies.push(t.elapsed().as_micros() as u64);
        let top: Vec<String> = res.hits.iter().map(|h| name(&h.product_id)).collect();
        outcomes.push(QueryOutcome {
            query: j.query.clone(),
            lang: j.lang.clone(),
            ndcg_at_10: ndcg_at_10(&top, &j.relevant),
            recall_at_10: recall_at_10(&top, &j.relevant),
            results: res.total,
            top,
        });
    }
    latencies.sort_unstable();
    let pct = |p: f64| {
        latencies
            .get(((latencies.len() as f64 - 1.0) * p).round() as usize)
            .copied()
            .unwrap_or(0)
    };
    let judged: Vec<(&Judgment, &QueryOutcome)> = judgments
        .iter()
        .zip(&outcomes)
        .filter(|(j, _)| j.relevant.values().any(|g| *g > 0))
        .collect();
    let n = judged.len().max(1) as f64;
    let mean = |f: &dyn Fn(&QueryOutcome) -> f64| judged.iter().map(|(_, o)| f(o)).sum::<f64>() / n;
    let mut per_language: BTreeMap<String, LanguageScore> = BTreeMap::new();
    for (j, o) in &judged {
        let l = per_language
            .entry(j.lang.clone().unwrap_or_else(|| "?".into()))
            .or_insert(LanguageScore {
                queries: 0,
                ndcg_at_10: 0.0,
                recall_at_10: 0.0,
            });
        l.queries += 1;
        l.ndcg_at_10 += o.ndcg_at_10;
        l.recall_at_10 += o.recall_at_10;
    }
    for l in per_language.values_mut() {
        l.ndcg_at_10 /= l.queries as f64;
        l.recall_at_10 /= l.queries as f64;
    }
    let unjudged: Vec<&QueryOutcome> = judgments
        .iter()
        .zip(&outcomes)
        .filter(|(j, _)| !j.relevant.values().any(|g| *g > 0))
        .map(|(_, o)| o)
        .collect();
    EvalReport {
        queries: judgments.len(),
        judged: judged.len(),
        ndcg_at_10: mean(&|o| o.ndcg_at_10),
        recall_at_10: mean(&|o| o.recall_at_10),
        zero_result_rate: judged.iter().filter(|(_, o)| o.results == 0).count() as f64 / n,
        unjudged_with_results: if unjudged.is_empty() {
            0.0
        } else {
            unjudged.iter().filter(|o| o.results > 0).count() as f64 / unjudged.len() as f64
        },
        per_language,
        latency_p50_us: pct(0.5),
        latency_p99_us: pct(0.99),
        outcomes,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn rel(pairs: &[(&str, u8)]) -> BTreeMap<String, u8> {
        pairs.iter().map(|(k, v)| (k.to_string(), *v)).collect()
    }

    #[test]
    fn ndcg_is_one_for_the_ideal_order_and_less_otherwise() {
        let r = rel(&[("a", 2), ("b", 1)]);
        assert!((ndcg_at_10(&["a".into(), "b".into()], &r) - 1.0).abs() < 1e-9);
        let swapped = ndcg_at_10(&["b".into(), "a".into()], &r);
        assert!(swapped < 1.0 && swapped > 0.5, "{swapped}");
        assert_eq!(ndcg_at_10(&["x".into()], &r), 0.0);
    }

    #[test]
    fn recall_is_capped_at_ten() {
        let r: BTreeMap<String, u8> = (0..20).map(|i| (format!("p{i}"), 1)).collect();
        let top: Vec<String> = (0..10).map(|i| format!("p{i}")).collect();
        assert_eq!(recall_at_10(&top, &r), 1.0);
    }

    #[test]
    fn bad_lines_are_named() {
        let err = parse_judgments("{\"query\": \"a\"}\nnot json\n").unwrap_err();
        assert!(err.to_string().starts_with("line 2:"), "{err}");
        let err = parse_judgments("{\"query\": \"a\", \"relevant\": {\"x\": 3}}").unwrap_err();
        assert!(err.to_string().contains("grade 3"), "{err}");
    }
}
