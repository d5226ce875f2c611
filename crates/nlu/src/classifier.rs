//! The intent classifier: one-vs-rest linear SVMs (L2-regularised squared hinge, solved in the
//! dual by coordinate descent as liblinear does) over TF-IDF features, with a softmax
//! temperature and an out-of-scope threshold both fitted on a held-out fifth of the training set.
//!
//! Why this and not a neural model: it trains on the CPU in about a second on 15,000 examples,
//! answers in microseconds, needs no pretrained weights (none can be downloaded here), and on
//! CLINC150 it beats the paper's MLP (docs/benchmarks.md has the figures).

use serde::{Deserialize, Serialize};

use crate::features::{FeatureConfig, Matrix, SparseVec, Vectorizer};

/// The label of examples that belong to no intent.
pub const OUT_OF_SCOPE: &str = "out_of_scope";

/// Knobs of training; the defaults are the ones measured in docs/benchmarks.md.
#[derive(Debug, Clone, Copy, Serialize, Deserialize, PartialEq)]
pub struct TrainConfig {
    pub features: FeatureConfig,
    /// SVM cost: higher fits the training set more closely.
    pub c: f32,
    /// Upper bound on coordinate-descent passes per class.
    pub max_passes: usize,
    /// Hold out a fifth of the data to fit confidence temperature and out-of-scope threshold.
    pub calibrate: bool,
    /// Worker threads; 0 means all available cores.
    pub threads: usize,
}

impl Default for TrainConfig {
    fn default() -> Self {
        Self {
            features: FeatureConfig::default(),
            c: 2.0,
            max_passes: 60,
            calibrate: true,
            threads: 0,
        }
    }
}

#[derive(Debug, thiserror::Error, PartialEq)]
pub enum TrainError {
    #[error("no training examples")]
    Empty,
    #[error("at least two intents are needed to train a classifier, got {0}")]
    OneIntent(usize),
    #[error("example {line} has an empty {field}")]
    EmptyField { line: usize, field: &'static str },
}

/// A trained model: vocabulary, weights and calibration.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct IntentModel {
    vectorizer: Vectorizer,
    labels: Vec<String>,
    /// Feature-major: the weights of column `j` for every class are contiguous, so scoring a
    /// message touches one cache line run per feature.
    weights: Vec<f32>,
    bias: Vec<f32>,
    temperature: f32,
    threshold: f32,
    oos: Option<usize>,
}

/// One intent and its calibrated probability.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Scored {
    pub intent: String,
    pub confidence: f32,
}

/// What the classifier says of one message.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Prediction {
    pub intent: String,
    pub confidence: f32,
    /// The best three in-scope candidates, best first (useful when the top one is rejected).
    pub ranking: Vec<Scored>,
}

impl IntentModel {
    /// Trains on `(text, intent)` pairs. Deterministic: the same examples give the same model.
    pub fn train(examples: &[(&str, &str)], config: &TrainConfig) -> Result<Self, TrainError> {
        if examples.is_empty() {
            return Err(TrainError::Empty);
        }
        for (line, (text, intent)) in examples.iter().enumerate() {
            if intent.trim().is_empty() {
                return Err(TrainError::EmptyField {
                    line: line + 1,
                    field: "intent",
                });
            }
            if text.trim().is_empty() {
                return Err(TrainError::EmptyField {
                    line: line + 1,
                    field: "text",
                });
            }
        }
        let mut labels: Vec<String> = examples.iter().map(|(_, i)| i.to_string()).collect();
        labels.sort();
        labels.dedup();
        if labels.len() < 2 {
            return Err(TrainError::OneIntent(labels.len()));
        }
        let y: Vec<usize> = examples
            .iter()
            .map(|(_, i)| {
                labels
                    .binary_search_by(|l| l.as_str().cmp(i))
                    .expect("label listed")
            })
            .collect();
        let oos = labels.iter().position(|l| l == OUT_OF_SCOPE);

        let (temperature, threshold) = if config.calibrate {
            calibrate(examples, &y, labels.len(), oos, config)
        } else {
            (10.0, 0.0)
        };
        let texts: Vec<&str> = examples.iter().map(|(t, _)| *t).collect();
        let (vectorizer, x) = Vectorizer::fit(&texts, config.features);
        let (weights, bias) = fit_ovr(&x, &y, labels.len(), vectorizer.dimensions(), config);
        Ok(Self {
            vectorizer,
            labels,
            weights,
            bias,
            temperature,
            threshold,
            oos,
        })
    }

    pub fn labels(&self) -> &[String] {
        &self.labels
    }

    pub fn threshold(&self) -> f32 {
        self.threshold
    }

    /// Approximate heap size of the model in bytes.
    pub fn memory_bytes(&self) -> usize {
        self.weights.len() * 4 + self.vectorizer.dimensions() * (4 + 16)
    }

    /// Raw per-class scores of one message.
    fn scores(&self, v: &SparseVec) -> Vec<f32> {
        let k = self.labels.len();
        let mut s = self.bias.clone();
        for (&j, &x) in v.indices.iter().zip(&v.values) {
            let row = &self.weights[j as usize * k..(j as usize + 1) * k];
            for (acc, w) in s.iter_mut().zip(row) {
                *acc += x * w;
            }
        }
        s
    }

    /// Classifies one message. Below the fitted threshold, or when the out-of-scope class wins,
    /// the answer is `out_of_scope`.
    pub fn predict(&self, text: &str) -> Prediction {
        let v = self.vectorizer.transform(text);
        let probs = softmax(&self.scores(&v), self.temperature);
        let mut order: Vec<usize> = (0..probs.len()).collect();
        order.sort_by(|&a, &b| probs[b].total_cmp(&probs[a]));
        let ranking = order
            .iter()
            .filter(|&&c| Some(c) != self.oos)
            .take(3)
            .map(|&c| Scored {
                intent: self.labels[c].clone(),
                confidence: probs[c],
            })
            .collect();
        let best = order[0];
        let (intent, confidence) = if v.indices.is_empty() {
            // Nothing we have ever seen: not a guess worth making.
            (OUT_OF_SCOPE.to_string(), 1.0 - probs[best])
        } else if Some(best) == self.oos {
            (OUT_OF_SCOPE.to_string(), probs[best])
        } else if probs[best] < self.threshold {
            (OUT_OF_SCOPE.to_string(), 1.0 - probs[best])
        } else {
            (self.labels[best].clone(), probs[best])
        };
        Prediction {
            intent,
            confidence,
            ranking,
        }
    }
}

fn softmax(scores: &[f32], temperature: f32) -> Vec<f32> {
    let max = scores.iter().copied().fold(f32::NEG_INFINITY, f32::max);
    let exps: Vec<f32> = scores
        .iter()
        .map(|s| ((s - max) * temperature).exp())
        .collect();
    let sum: f32 = exps.iter().sum();
    exps.into_iter().map(|e| e / sum).collect()
}

/// Fits the softmax temperature (by likelihood) and the out-of-scope threshold on a held-out
/// fifth of each class.
fn calibrate(
    examples: &[(&str, &str)],
    y: &[usize],
    k: usize,
    oos: Option<usize>,
    config: &TrainConfig,
) -> (f32, f32) {
    let mut seen = vec![0usize; k];
    let mut train = Vec::new();
    let mut held = Vec::new();
    for (i, &c) in y.iter().enumerate() {
        seen[c] += 1;
        if seen[c].is_multiple_of(5) {
            held.push(i);
        } else {
            train.push(i);
        }
    }
    if held.len() < 10 || train.is_empty() {
        return (10.0, 0.0);
    }
    let texts: Vec<&str> = train.iter().map(|&i| examples[i].0).collect();
    let ty: Vec<usize> = train.iter().map(|&i| y[i]).collect();
    let (vectorizer, x) = Vectorizer::fit(&texts, config.features);
    let (weights, bias) = fit_ovr(&x, &ty, k, vectorizer.dimensions(), config);
    let model = IntentModel {
        vectorizer,
        labels: vec![String::new(); k],
        weights,
        bias,
        temperature: 1.0,
        threshold: 0.0,
        oos,
    };
    let scores: Vec<(Vec<f32>, usize)> = held
        .iter()
        .map(|&i| {
            (
                model.scores(&model.vectorizer.transform(examples[i].0)),
                y[i],
            )
        })
        .collect();

    let temperature = [1.0f32, 2.0, 3.0, 5.0, 7.0, 10.0, 14.0, 20.0, 30.0, 45.0]
        .into_iter()
        .min_by(|&a, &b| nll(&scores, a).total_cmp(&nll(&scores, b)))
        .unwrap_or(10.0);

    // (top probability, predicted class, true class) for each held-out example.
    let outcomes: Vec<(f32, usize, usize)> = scores
        .iter()
        .map(|(s, truth)| {
            let p = softmax(s, temperature);
            let best = (0..k).max_by(|&a, &b| p[a].total_cmp(&p[b])).unwrap_or(0);
            (p[best], best, *truth)
        })
        .collect();
    (temperature, fit_threshold(&outcomes, oos))
}

fn nll(scores: &[(Vec<f32>, usize)], temperature: f32) -> f32 {
    scores
        .iter()
        .map(|(s, truth)| -softmax(s, temperature)[*truth].max(1e-9).ln())
        .sum()
}

/// The highest threshold that still answers at least 99% of the held-out in-scope messages the
/// model got right. Rejecting below it costs about a point of in-scope accuracy and catches most
/// messages unlike anything trained on; the out-of-scope class, when trained, catches the rest.
/// (Maximising accuracy + recall instead chased the twenty held-out out-of-scope examples of
/// CLINC150 and gave away seven points of accuracy.)
fn fit_threshold(outcomes: &[(f32, usize, usize)], oos: Option<usize>) -> f32 {
    let mut right: Vec<f32> = outcomes
        .iter()
        .filter(|o| o.1 == o.2 && Some(o.2) != oos)
        .map(|o| o.0)
        .collect();
    right.sort_by(f32::total_cmp);
    right.get(right.len() / 300).copied().unwrap_or(0.0)
}

/// Trains one binary SVM per class, spread over threads.
fn fit_ovr(
    x: &Matrix,
    y: &[usize],
    k: usize,
    dims: usize,
    config: &TrainConfig,
) -> (Vec<f32>, Vec<f32>) {
    let threads = match config.threads {
        0 => std::thread::available_parallelism().map_or(1, |n| n.get()),
        n => n,
    }
    .min(k);
    let per_class: Vec<Vec<f32>> = std::thread::scope(|scope| {
        let handles: Vec<_> = (0..threads)
            .map(|t| {
                scope.spawn(move || {
                    (t..k)
                        .step_by(threads)
                        .map(|c| (c, train_binary(x, y, c, dims, config)))
                        .collect::<Vec<_>>()
                })
            })
            .collect();
        let mut out = vec![Vec::new(); k];
        for h in handles {
            for (c, w) in h.join().expect("training thread panicked") {
                out[c] = w;
            }
        }
        out
    });
    let mut weights = vec![0f32; dims * k];
    let mut bias = vec![0f32; k];
    for (c, w) in per_class.iter().enumerate() {
        for j in 0..dims {
            weights[j * k + c] = w[j];
        }
        bias[c] = w[dims];
    }
    (weights, bias)
}

/// Dual coordinate descent for the L2-loss SVM of class `class` against the rest
/// (Hsieh et al. 2008, with liblinear's shrinking). The bias is an extra constant feature.
fn train_binary(
    x: &Matrix,
    y: &[usize],
    class: usize,
    dims: usize,
    config: &TrainConfig,
) -> Vec<f32> {
    let n = x.rows();
    let diag = 0.5 / config.c;
    let mut w = vec![0f32; dims + 1];
    let mut alpha = vec![0f32; n];
    let sign: Vec<f32> = y
        .iter()
        .map(|&c| if c == class { 1.0 } else { -1.0 })
        .collect();
    let qd: Vec<f32> = (0..n)
        .map(|i| x.row(i).values.iter().map(|a| a * a).sum::<f32>() + 1.0 + diag)
        .collect();
    let mut index: Vec<usize> = (0..n).collect();
    let mut active = n;
    let mut pg_max_old = f32::INFINITY;
    let mut rng = 0x9E37_79B9_7F4A_7C15u64 ^ class as u64;
    for _ in 0..config.max_passes {
        for s in (1..active).rev() {
            rng ^= rng << 13;
            rng ^= rng >> 7;
            rng ^= rng << 17;
            index.swap(s, (rng % (s as u64 + 1)) as usize);
        }
        let mut pg_max = f32::NEG_INFINITY;
        let mut pg_min = f32::INFINITY;
        let mut s = 0;
        while s < active {
            let i = index[s];
            let v = x.row(i);
            let mut dot = w[dims];
            for (&j, &a) in v.indices.iter().zip(v.values) {
                dot += w[j as usize] * a;
            }
            let g = sign[i] * dot - 1.0 + alpha[i] * diag;
            let pg = if alpha[i] == 0.0 {
                if g > pg_max_old {
                    active -= 1;
                    index.swap(s, active);
                    continue;
                }
                g.min(0.0)
            } else {
                g
            };
            pg_max = pg_max.max(pg);
            pg_min = pg_min.min(pg);
            if pg.abs() > 1e-12 {
                let old = alpha[i];
                alpha[i] = (old - g / qd[i]).max(0.0);
                let d = (alpha[i] - old) * sign[i];
                for (&j, &a) in v.indices.iter().zip(v.values) {
                    w[j as usize] += d * a;
                }
                w[dims] += d;
            }
            s += 1;
        }
        if pg_max - pg_min <= 0.1 {
            if active == n {
                break;
            }
            active = n;
            pg_max_old = f32::INFINITY;
            continue;
        }
        pg_max_old = if pg_max <= 0.0 { f32::INFINITY } else { pg_max };
    }
    w
}

#[cfg(test)]
mod tests {
    use super::*;

    fn toy() -> Vec<(&'static str, &'static str)> {
        let mut v = Vec::new();
        for t in [
            "bonjour", "salut", "hello", "hi there", "coucou", "hey", "bonsoir", "hallo", "ciao",
            "hola",
        ] {
            v.push((t, "greet"));
        }
        for t in [
            "où est ma commande",
            "where is my order",
            "tracking of my parcel",
            "wo ist meine bestellung",
            "dov'è il mio ordine",
            "dónde está mi pedido",
            "my order has not arrived",
            "suivi de colis",
            "order status please",
            "has my order shipped",
        ] {
            v.push((t, "order_status"));
        }
        for t in [
            "what's the weather",
            "tell me a joke",
            "who won the match",
            "capital of peru",
            "solve 2x+3=7",
            "quel temps fait-il",
            "recette de crêpes",
            "wer ist der kanzler",
            "meteo domani",
            "chiste de perros",
        ] {
            v.push((t, OUT_OF_SCOPE));
        }
        v
    }

    #[test]
    fn learns_separable_intents_and_is_deterministic() {
        let m = IntentModel::train(&toy(), &TrainConfig::default()).unwrap();
        assert_eq!(m.predict("hello!").intent, "greet");
        assert_eq!(m.predict("where is my order 1234").intent, "order_status");
        let again = IntentModel::train(&toy(), &TrainConfig::default()).unwrap();
        assert_eq!(m.weights, again.weights);
        let p = m.predict("salut");
        assert!(p.confidence > 0.0 && p.confidence <= 1.0);
        let total: f32 = p.ranking.iter().map(|s| s.confidence).sum();
        assert!(total <= 1.0 + 1e-4);
    }

    #[test]
    fn gibberish_is_out_of_scope() {
        let m = IntentModel::train(&toy(), &TrainConfig::default()).unwrap();
        assert_eq!(m.predict("").intent, OUT_OF_SCOPE);
        assert_eq!(m.predict("ЖЖЖ ЩЩЩ").intent, OUT_OF_SCOPE);
    }

    #[test]
    fn refuses_degenerate_training_sets() {
        assert_eq!(
            IntentModel::train(&[], &TrainConfig::default()).unwrap_err(),
            TrainError::Empty
        );
        assert_eq!(
            IntentModel::train(&[("a", "x"), ("b", "x")], &TrainConfig::default()).unwrap_err(),
            TrainError::OneIntent(1)
        );
        assert!(matches!(
            IntentModel::train(&[("a", "x"), ("", "y")], &TrainConfig::default()),
            Err(TrainError::EmptyField {
                line: 2,
                field: "text"
            })
        ));
    }
}
