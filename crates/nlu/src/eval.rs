//! Scoring of an evaluation run: intent accuracy, macro-F1, in-scope accuracy, out-of-scope
//! recall, entity F1 and latency percentiles, plus the most frequent confusions.

use std::collections::BTreeMap;
use std::fmt;

use serde::Serialize;

use crate::classifier::OUT_OF_SCOPE;
use crate::dataset::ExpectedEntity;
use crate::entities::Entity;

/// True/false positives over (type, value, currency) entity triples. Catalogue-relative kinds
/// (product, category, brand) are left out: test files do not annotate them.
#[derive(Debug, Default, Clone, Copy, PartialEq)]
pub struct EntityScore {
    pub tp: usize,
    pub fp: usize,
    pub fn_: usize,
}

impl EntityScore {
    pub fn add(&mut self, expected: &[ExpectedEntity], got: &[Entity]) {
        let mut want: Vec<(String, String, Option<String>)> = expected
            .iter()
            .filter(|e| !matches!(e.kind.as_str(), "product" | "category" | "brand"))
            .map(|e| (e.kind.clone(), e.value.clone(), e.currency.clone()))
            .collect();
        for e in got.iter().filter(|e| !e.kind.is_catalogue()) {
            let key = (
                e.kind.name().to_string(),
                e.value.clone(),
                e.currency.clone(),
            );
            match want.iter().position(|w| *w == key) {
                Some(p) => {
                    want.swap_remove(p);
                    self.tp += 1;
                }
                None => self.fp += 1,
            }
        }
        self.fn_ += want.len();
    }

    pub fn merge(&mut self, other: &EntityScore) {
        self.tp += other.tp;
        self.fp += other.fp;
        self.fn_ += other.fn_;
    }

    pub fn precision(&self) -> f64 {
        ratio(self.tp, self.tp + self.fp)
    }

    pub fn recall(&self) -> f64 {
        ratio(self.tp, self.tp + self.fn_)
    }

    pub fn f1(&self) -> f64 {
        let (p, r) = (self.precision(), self.recall());
        if p + r == 0.0 {
            0.0
        } else {
            2.0 * p * r / (p + r)
        }
    }
}

impl fmt::Display for EntityScore {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(
            f,
            "entity P {:.3} R {:.3} F1 {:.3} (tp {}, fp {}, fn {})",
            self.precision(),
            self.recall(),
            self.f1(),
            self.tp,
            self.fp,
            self.fn_
        )
    }
}

fn ratio(a: usize, b: usize) -> f64 {
    if b == 0 {
        1.0
    } else {
        a as f64 / b as f64
    }
}

/// Everything `comptoir nlu eval` reports. Field names are the contract of `--json`.
#[derive(Debug, Clone, Serialize)]
pub struct Report {
    pub accuracy: f64,
    pub macro_f1: f64,
    pub in_scope_accuracy: f64,
    /// `null` when the data has no out-of-scope example.
    pub oos_recall: Option<f64>,
    /// `null` when no example annotates entities.
    pub entity_f1: Option<f64>,
    pub latency_p50_us: f64,
    pub latency_p99_us: f64,
    pub examples: usize,
    /// Accuracy per language, for files that say it.
    pub per_language: BTreeMap<String, f64>,
    /// Most frequent (expected, predicted, count) mistakes.
    pub confusions: Vec<(String, String, usize)>,
}

/// Accumulates predictions one by one.
#[derive(Debug, Default)]
pub struct Scorer {
    pairs: Vec<(String, String, Option<String>)>,
    entities: EntityScore,
    annotated: bool,
    latencies_us: Vec<f64>,
}

impl Scorer {
    pub fn add(
        &mut self,
        expected_intent: &str,
        predicted: &str,
        lang: Option<&str>,
        latency_us: f64,
    ) {
        self.pairs.push((
            expected_intent.to_string(),
            predicted.to_string(),
            lang.map(str::to_string),
        ));
        self.latencies_us.push(latency_us);
    }

    pub fn add_entities(&mut self, expected: &[ExpectedEntity], got: &[Entity]) {
        self.annotated = true;
        self.entities.add(expected, got);
    }

    pub fn report(mut self) -> Report {
        let n = self.pairs.len();
        let correct = self.pairs.iter().filter(|(e, p, _)| e == p).count();
        let in_scope: Vec<_> = self
            .pairs
            .iter()
            .filter(|(e, _, _)| e != OUT_OF_SCOPE)
            .collect();
        let oos: Vec<_> = self
            .pairs
            .iter()
            .filter(|(e, _, _)| e == OUT_OF_SCOPE)
            .collect();
        let mut labels: Vec<&str> = self
            .pairs
            .iter()
            .flat_map(|(e, p, _)| [e.as_str(), p.as_str()])
            .collect();
        labels.sort();
        labels.dedup();
        let f1s: Vec<f64> = labels
            .iter()
            .filter(|l| self.pairs.iter().any(|(e, _, _)| e == *l))
            .map(|l| {
                let tp = self
                    .pairs
                    .iter()
                    .filter(|(e, p, _)| e == l && p == l)
                    .count();
                let fp = self
                    .pairs
                    .iter()
                    .filter(|(e, p, _)| e != l && p == l)
                    .count();
                let fn_ = self
                    .pairs
                    .iter()
                    .filter(|(e, p, _)| e == l && p != l)
                    .count();
                if tp == 0 {
                    0.0
                } else {
                    2.0 * tp as f64 / (2 * tp + fp + fn_) as f64
                }
            })
            .collect();
        let mut per_language: BTreeMap<String, (usize, usize)> = BTreeMap::new();
        for (e, p, l) in &self.pairs {
            if let Some(l) = l {
                let s = per_language.entry(l.clone()).or_default();
                s.0 += usize::from(e == p);
                s.1 += 1;
            }
        }
        let mut confusions: BTreeMap<(String, String), usize> = BTreeMap::new();
        for (e, p, _) in self.pairs.iter().filter(|(e, p, _)| e != p) {
            *confusions.entry((e.clone(), p.clone())).or_default() += 1;
        }
        let mut confusions: Vec<(String, String, usize)> = confusions
            .into_iter()
            .map(|((e, p), c)| (e, p, c))
            .collect();
        confusions.sort_by(|a, b| b.2.cmp(&a.2).then_with(|| a.0.cmp(&b.0)));
        confusions.truncate(10);
        self.latencies_us.sort_by(f64::total_cmp);
        let pct = |q: f64| {
            if self.latencies_us.is_empty() {
                0.0
            } else {
                let i = ((self.latencies_us.len() as f64 - 1.0) * q).round() as usize;
                self.latencies_us[i]
            }
        };
        Report {
            accuracy: ratio(correct, n),
            macro_f1: if f1s.is_empty() {
                0.0
            } else {
                f1s.iter().sum::<f64>() / f1s.len() as f64
            },
            in_scope_accuracy: ratio(
                in_scope.iter().filter(|(e, p, _)| e == p).count(),
                in_scope.len(),
            ),
            oos_recall: (!oos.is_empty()).then(|| {
                ratio(
                    oos.iter().filter(|(_, p, _)| p == OUT_OF_SCOPE).count(),
                    oos.len(),
                )
            }),
            entity_f1: self.annotated.then(|| self.entities.f1()),
            latency_p50_us: pct(0.5),
            latency_p99_us: pct(0.99),
            examples: n,
            per_language: per_language
                .into_iter()
                .map(|(l, (c, t))| (l, ratio(c, t)))
                .collect(),
            confusions,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn scores_intents_and_out_of_scope() {
        let mut s = Scorer::default();
        s.add("greet", "greet", Some("fr"), 10.0);
        s.add("greet", "thanks", Some("fr"), 20.0);
        s.add(OUT_OF_SCOPE, OUT_OF_SCOPE, Some("en"), 30.0);
        s.add(OUT_OF_SCOPE, "greet", Some("en"), 40.0);
        let r = s.report();
        assert_eq!(r.examples, 4);
        assert!((r.accuracy - 0.5).abs() < 1e-9);
        assert!((r.in_scope_accuracy - 0.5).abs() < 1e-9);
        assert_eq!(r.oos_recall, Some(0.5));
        assert_eq!(r.entity_f1, None);
        assert_eq!(r.per_language["fr"], 0.5);
        assert_eq!(r.confusions.len(), 2);
        assert!(r.latency_p99_us >= r.latency_p50_us);
    }
}
