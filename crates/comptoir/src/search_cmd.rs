//! `comptoir search eval`: load a catalogue file into a throw-away store, index it exactly as
//! the server does, run graded queries and print nDCG@10, recall@10 and the zero-result rate.

use anyhow::{bail, Context, Result};
use clap::{Args, Subcommand};
use comptoir_catalogue::{Format, ImportSource};
use comptoir_domain::{Currency, Lang, NewTenant, Plan};
use comptoir_search::{eval, Analyzer, SearchIndex};
use std::collections::HashMap;
use std::path::PathBuf;
use std::sync::Arc;

#[derive(Subcommand)]
pub enum SearchCommand {
    /// Score search quality on graded judgments (JSONL: query, lang, relevant {product id: 0-2}).
    Eval(EvalArgs),
}

#[derive(Args)]
pub struct EvalArgs {
    /// The catalogue file to search (any import format).
    #[arg(long)]
    catalogue: PathBuf,
    /// Graded judgments, product ids as the catalogue names them.
    #[arg(long)]
    judgments: PathBuf,
    #[arg(long, default_value = "auto")]
    format: String,
    /// Currency of prices the file does not state.
    #[arg(long, default_value = "EUR")]
    currency: String,
    /// Language of texts the file does not state.
    #[arg(long, default_value = "en")]
    lang: String,
    /// Print one JSON object.
    #[arg(long)]
    json: bool,
    /// Instead of scoring, run these queries and print their interpretation and explained hits.
    #[arg(long, value_name = "TEXT")]
    query: Vec<String>,
    /// Also list the N worst queries (to standard error).
    #[arg(long, value_name = "N")]
    errors: Option<usize>,
}

pub async fn run(command: SearchCommand) -> Result<()> {
    match command {
        SearchCommand::Eval(args) => eval_cmd(args).await,
    }
}

async fn eval_cmd(args: EvalArgs) -> Result<()> {
    let judgments_text = std::fs::read_to_string(&args.judgments)
        .with_context(|| format!("cannot read {}", args.judgments.display()))?;
    let judgments = eval::parse_judgments(&judgments_text)
        .with_context(|| format!("in {}", args.judgments.display()))?;
    let format = Format::parse(&args.format).map_err(anyhow::Error::msg)?;
    let file = std::fs::File::open(&args.catalogue)
        .with_context(|| format!("cannot open {}", args.catalogue.display()))?;

    let dir = tempfile::tempdir()?;
    let url = format!("sqlite://{}", dir.path().join("eval.db").display());
    let store = comptoir_store::open(&url).await?;
    let Some(lang) = Lang::parse(&args.lang) else {
        bail!("--lang `{}` is not a language code", args.lang);
    };
    let mut locales = vec![lang.clone()];
    for l in ["fr", "en", "de", "it", "es"] {
        if let Some(l) = Lang::parse(l).filter(|l| *l != lang) {
            locales.push(l);
        }
    }
    let tenant = store
        .create_tenant(&NewTenant::new(
            "eval",
            "Search evaluation",
            Plan::Business,
            Currency::parse(&args.currency)?,
            locales,
        )?)
        .await?;
    let source = ImportSource {
        name: args.catalogue.display().to_string(),
        reader: Box::new(file),
    };
    let (_, imported) = comptoir_catalogue::run(Arc::clone(&store), &tenant, source, format, None)
        .await
        .with_context(|| format!("importing {}", args.catalogue.display()))?;
    let entries = store.catalogue_entries(&tenant.id, None).await?;
    let external: HashMap<String, String> = entries
        .iter()
        .map(|e| (e.id.clone(), e.external_id.clone()))
        .collect();

    let queries = args.query.clone();
    // `None` when the queries were only shown, not scored.
    let report = tokio::task::spawn_blocking(move || {
        let analyzer = Arc::new(Analyzer::new());
        let index = SearchIndex::build(
            analyzer,
            tenant.currency.clone(),
            tenant.default_locale().clone(),
            entries,
            &[],
        );
        if !queries.is_empty() {
            for q in &queries {
                let mut req = comptoir_search::SearchRequest::new(q);
                req.explain = true;
                let res = index.search(&req);
                println!(
                    "{q:?}\n  {}",
                    serde_json::to_string(&res.interpretation).unwrap_or_default()
                );
                for h in &res.hits {
                    let ext = external.get(&h.product_id).cloned().unwrap_or_default();
                    let title = index
                        .entry(&h.product_id)
                        .and_then(|e| e.translations.first())
                        .map(|t| t.title.clone())
                        .unwrap_or_default();
                    println!(
                        "  {:.3} {ext} {title:?} {} {}",
                        h.score,
                        h.sku,
                        serde_json::to_string(&h.explain).unwrap_or_default()
                    );
                }
            }
            return None;
        }
        Some(eval::evaluate(&index, &judgments, &|id| {
            external.get(id).cloned().unwrap_or_else(|| id.to_string())
        }))
    })
    .await?;
    let Some(r) = report else {
        return Ok(());
    };
    if let Some(n) = args.errors {
        let mut worst: Vec<_> = r.outcomes.iter().collect();
        worst.sort_by(|a, b| a.ndcg_at_10.total_cmp(&b.ndcg_at_10));
        for o in worst.iter().take(n) {
            eprintln!(
                "{:.3} [{}] {:?} → {} results, top {:?}",
                o.ndcg_at_10,
                o.lang.as_deref().unwrap_or("?"),
                o.query,
                o.results,
                o.top.iter().take(5).collect::<Vec<_>>()
            );
        }
    }
    if args.json {
        let mut v = serde_json::to_value(&r)?;
        if let Some(obj) = v.as_object_mut() {
            obj.remove("outcomes");
            obj.insert("catalogue_rows".into(), imported.rows_imported.into());
        }
        println!("{v}");
    } else {
        println!(
            "queries {} (with a relevant product: {})\nnDCG@10 {:.4}\nrecall@10 {:.4}\nzero-result rate {:.2}% (of queries with a relevant product)\nqueries without a relevant product that returned results: {:.0}%\nlatency p50 {} µs, p99 {} µs",
            r.queries,
            r.judged,
            r.ndcg_at_10,
            r.recall_at_10,
            r.zero_result_rate * 100.0,
            r.unjudged_with_results * 100.0,
            r.latency_p50_us,
            r.latency_p99_us
        );
        for (l, s) in &r.per_language {
            println!(
                "  {l}: {} queries, nDCG@10 {:.4}, recall@10 {:.4}",
                s.queries, s.ndcg_at_10, s.recall_at_10
            );
        }
    }
    Ok(())
}
