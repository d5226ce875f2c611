//! `comptoir nlu eval|train|convert`: measure the understanding engine on a JSONL file, train a
//! classifier from one, and convert the public intent benchmarks to our JSONL.

use anyhow::{bail, Context, Result};
use clap::{Args, Subcommand, ValueEnum};
use comptoir_nlu::classifier::{IntentModel, TrainConfig};
use comptoir_nlu::dataset::{self, Example};
use comptoir_nlu::entities::lexicon::Lexicon;
use comptoir_nlu::entities::{extract, Context as EntityContext};
use comptoir_nlu::eval::Scorer;
use comptoir_nlu::{Engine, Lang, Request};
use std::path::{Path, PathBuf};
use std::sync::Arc;
use std::time::Instant;

#[derive(Subcommand)]
pub enum NluCommand {
    /// Score intents (accuracy, macro-F1, out-of-scope recall), entities (F1) and latency.
    Eval(EvalArgs),
    /// Train a classifier on a JSONL file and report how long it took and how big it is.
    Train(TrainArgs),
    /// Convert CLINC150, Banking77 or Bitext files to our JSONL.
    Convert(ConvertArgs),
}

#[derive(Args)]
pub struct EvalArgs {
    /// Examples to score (JSONL: text, intent, lang?, entities?, now?).
    #[arg(long)]
    data: PathBuf,
    /// Train a fresh classifier on this JSONL first instead of using the built-in sales model.
    #[arg(long)]
    train: Option<PathBuf>,
    /// Print one JSON object.
    #[arg(long)]
    json: bool,
    /// Also list up to N examples whose intent or entities were wrong (to standard error).
    #[arg(long, value_name = "N")]
    errors: Option<usize>,
}

#[derive(Args)]
pub struct TrainArgs {
    /// Training examples (JSONL).
    #[arg(long)]
    data: Option<PathBuf>,
    /// Write the trained model here (JSON).
    #[arg(long)]
    out: Option<PathBuf>,
    #[arg(long)]
    json: bool,
}

#[derive(Clone, Copy, ValueEnum)]
pub enum Benchmark {
    Clinc150,
    Banking77,
    Bitext,
}

#[derive(Args)]
pub struct ConvertArgs {
    /// Which dataset the input is.
    dataset: Benchmark,
    /// CLINC150 data_full.json, Banking77 train.csv/test.csv, or the Bitext CSV.
    input: PathBuf,
    /// CLINC150: train (train + oos_train), val, or test (test + oos_test). Bitext: train (80%)
    /// or test (20%, every fifth example of each intent). Ignored for Banking77 (one file per split).
    #[arg(long, default_value = "train")]
    split: String,
    /// Output JSONL [default: standard output]
    #[arg(long)]
    out: Option<PathBuf>,
}

pub fn run(command: NluCommand) -> Result<()> {
    match command {
        NluCommand::Eval(args) => eval(args),
        NluCommand::Train(args) => train(args),
        NluCommand::Convert(args) => convert(args),
    }
}

fn load(path: &Path) -> Result<Vec<Example>> {
    let text =
        std::fs::read_to_string(path).with_context(|| format!("cannot read {}", path.display()))?;
    let examples = dataset::parse_jsonl(&text)
        .with_context(|| format!("{} is not valid JSONL", path.display()))?;
    if examples.is_empty() {
        bail!("{} has no examples", path.display());
    }
    Ok(examples)
}

fn eval(args: EvalArgs) -> Result<()> {
    let data = load(&args.data)?;
    let engine = match &args.train {
        Some(path) => {
            let train = load(path)?;
            let started = Instant::now();
            let model = comptoir_nlu::engine::train(&train, &TrainConfig::default())?;
            tracing::info!(
                examples = train.len(),
                seconds = started.elapsed().as_secs_f64(),
                "trained"
            );
            Engine::with_model(Arc::new(model))
        }
        None => Engine::builtin(),
    };
    let lexicon = Lexicon::builtin();
    let default_now = chrono::Utc::now().fixed_offset();
    let mut scorer = Scorer::default();
    let mut shown = 0usize;
    for ex in &data {
        let now = match ex.now.as_deref() {
            Some(n) => chrono::DateTime::parse_from_rfc3339(n)
                .with_context(|| format!("bad `now` {n:?}"))?,
            None => default_now,
        };
        let started = Instant::now();
        let understood = engine.understand(&Request {
            text: &ex.text,
            now,
            previous: None,
            catalogue: None,
        });
        let micros = started.elapsed().as_secs_f64() * 1e6;
        scorer.add(&ex.intent, &understood.intent, ex.lang.as_deref(), micros);
        if let Some(expected) = &ex.entities {
            // Score entities in the example's stated language, so a misdetected language
            // shows in the language figures, not twice.
            let lang = ex.lang.as_deref().and_then(Lang::parse).unwrap_or(Lang::En);
            let got = extract(
                &ex.text,
                &EntityContext {
                    lang,
                    now,
                    catalogue: None,
                },
                &lexicon,
            );
            scorer.add_entities(expected, &got);
            let mut one = comptoir_nlu::eval::EntityScore::default();
            one.add(expected, &got);
            if (one.fp > 0 || one.fn_ > 0) && shown < args.errors.unwrap_or(0) {
                shown += 1;
                let show = |kind: &str, value: &str, currency: Option<&str>| match currency {
                    Some(c) => format!("{kind}={value} {c}"),
                    None => format!("{kind}={value}"),
                };
                let got: Vec<String> = got
                    .iter()
                    .filter(|e| !e.kind.is_catalogue())
                    .map(|e| show(e.kind.name(), &e.value, e.currency.as_deref()))
                    .collect();
                let want: Vec<String> = expected
                    .iter()
                    .map(|e| show(&e.kind, &e.value, e.currency.as_deref()))
                    .collect();
                eprintln!(
                    "entities {:?}\n    want {want:?}\n    got  {got:?}",
                    ex.text
                );
            }
        }
        if understood.intent != ex.intent && shown < args.errors.unwrap_or(0) {
            shown += 1;
            eprintln!(
                "intent   {:?}: want {}, got {} ({:.2})",
                ex.text, ex.intent, understood.intent, understood.confidence
            );
        }
    }
    let report = scorer.report();
    if args.json {
        println!("{}", serde_json::to_string_pretty(&report)?);
        return Ok(());
    }
    let pct = |x: f64| format!("{:.2}%", x * 100.0);
    println!("examples            {}", report.examples);
    println!("accuracy            {}", pct(report.accuracy));
    println!("macro-F1            {}", pct(report.macro_f1));
    println!("in-scope accuracy   {}", pct(report.in_scope_accuracy));
    println!(
        "out-of-scope recall {}",
        report
            .oos_recall
            .map_or("n/a (no out_of_scope examples)".into(), pct)
    );
    println!(
        "entity F1           {}",
        report
            .entity_f1
            .map_or("n/a (no annotated entities)".into(), pct)
    );
    println!(
        "latency p50 / p99   {:.1} µs / {:.1} µs",
        report.latency_p50_us, report.latency_p99_us
    );
    for (lang, acc) in &report.per_language {
        println!("  {lang}: {}", pct(*acc));
    }
    if !report.confusions.is_empty() {
        println!("most frequent confusions (expected → predicted):");
        for (e, p, n) in &report.confusions {
            println!("  {n:4}  {e} → {p}");
        }
    }
    Ok(())
}

fn train(args: TrainArgs) -> Result<()> {
    let examples = match &args.data {
        Some(p) => load(p)?,
        None => comptoir_nlu::engine::builtin_examples(),
    };
    let started = Instant::now();
    let model: IntentModel = comptoir_nlu::engine::train(&examples, &TrainConfig::default())?;
    let seconds = started.elapsed().as_secs_f64();
    if let Some(out) = &args.out {
        let file = std::fs::File::create(out)
            .with_context(|| format!("cannot write {}", out.display()))?;
        serde_json::to_writer(std::io::BufWriter::new(file), &model)?;
    }
    let summary = serde_json::json!({
        "examples": examples.len(),
        "intents": model.labels().len(),
        "seconds": (seconds * 1000.0).round() / 1000.0,
        "model_bytes": model.memory_bytes(),
        "oos_threshold": model.threshold(),
    });
    if args.json {
        println!("{summary}");
    } else {
        println!(
            "trained {} intents on {} examples in {:.2} s; model ≈ {:.1} MB; out-of-scope below p = {:.2}",
            model.labels().len(),
            examples.len(),
            seconds,
            model.memory_bytes() as f64 / 1e6,
            model.threshold()
        );
    }
    Ok(())
}

fn convert(args: ConvertArgs) -> Result<()> {
    let input = std::fs::read_to_string(&args.input)
        .with_context(|| format!("cannot read {}", args.input.display()))?;
    let examples = match (args.dataset, args.split.as_str()) {
        (Benchmark::Clinc150, "train") => dataset::clinc150(&input, &["train", "oos_train"])?,
        (Benchmark::Clinc150, "val") => dataset::clinc150(&input, &["val", "oos_val"])?,
        (Benchmark::Clinc150, "test") => dataset::clinc150(&input, &["test", "oos_test"])?,
        (Benchmark::Banking77, _) => dataset::banking77(&input)?,
        (Benchmark::Bitext, "train") => dataset::bitext(&input, false)?,
        (Benchmark::Bitext, "test") => dataset::bitext(&input, true)?,
        (_, other) => bail!("unknown split {other:?}: use train, test (or val for CLINC150)"),
    };
    let jsonl = dataset::to_jsonl(&examples);
    match &args.out {
        Some(out) => {
            std::fs::write(out, jsonl).with_context(|| format!("cannot write {}", out.display()))?
        }
        None => print!("{jsonl}"),
    }
    eprintln!("{} examples", examples.len());
    Ok(())
}
