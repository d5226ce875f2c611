//! `comptoir`: one binary for the whole product. `serve` runs the API; `tenant create`,
//! `import` and `migrate` manage a store from the shell.

mod admin_cmd;
mod config;
mod demo;
mod nlu_cmd;
mod search_cmd;

use anyhow::{bail, Context, Result};
use clap::{Args, Parser, Subcommand};
use comptoir_catalogue::{Format, ImportSource, Progress};
use comptoir_domain::{Currency, KeyKind, Lang, NewApiKey, NewTenant, Plan};
use comptoir_server::{AppState, Limits};
use config::FileConfig;
use std::path::PathBuf;
use std::sync::Arc;
use std::time::Duration;

#[derive(Parser)]
#[command(
    name = "comptoir",
    version,
    about = "Comptoir: the AI sales agent for online sellers"
)]
struct Cli {
    #[command(flatten)]
    global: Global,
    #[command(subcommand)]
    command: Command,
}

/// Options every subcommand takes.
#[derive(Args)]
struct Global {
    /// Directory for the SQLite database and other state [default: ./data]
    #[arg(long, global = true, env = "COMPTOIR_DATA_DIR")]
    data_dir: Option<PathBuf>,
    /// Database URL: sqlite://PATH or postgres://USER@HOST/DB [default: SQLite in the data dir]
    #[arg(
        long,
        global = true,
        env = "COMPTOIR_DATABASE_URL",
        hide_env_values = true
    )]
    database_url: Option<String>,
    /// Configuration file [default: ./comptoir.toml when present]
    #[arg(long, global = true, env = "COMPTOIR_CONFIG")]
    config: Option<PathBuf>,
    /// Log filter, e.g. `info` or `comptoir_server=debug` [default: info]
    #[arg(long, global = true, env = "COMPTOIR_LOG")]
    log: Option<String>,
}

#[derive(Subcommand)]
enum Command {
    /// Run the server: API, widget and admin.
    Serve(ServeArgs),
    /// Manage tenants (stores).
    #[command(subcommand)]
    Tenant(TenantCommand),
    /// Import a catalogue file into a tenant.
    Import(ImportArgs),
    /// Apply database migrations and exit.
    Migrate,
    /// Accounts of the web admin (operators, shop users).
    #[command(subcommand)]
    Admin(admin_cmd::AdminCommand),
    /// Understanding: evaluate, train, convert benchmark datasets.
    #[command(subcommand)]
    Nlu(nlu_cmd::NluCommand),
    /// Product search: evaluate quality on graded judgments.
    #[command(subcommand)]
    Search(search_cmd::SearchCommand),
}

#[derive(Args)]
struct ServeArgs {
    /// Address to listen on [default: 127.0.0.1:8080]
    #[arg(long, env = "COMPTOIR_LISTEN")]
    listen: Option<String>,
    /// Create the demo store (idempotent) and print its keys.
    #[arg(long, env = "COMPTOIR_DEMO")]
    demo: bool,
    /// Largest JSON request body in bytes [default: 1048576]
    #[arg(long, env = "COMPTOIR_MAX_JSON_BODY_BYTES")]
    max_json_body_bytes: Option<usize>,
    /// Largest catalogue upload in bytes [default: 1073741824]
    #[arg(long, env = "COMPTOIR_MAX_IMPORT_BYTES")]
    max_import_bytes: Option<u64>,
    /// Seconds a request may take [default: 30]
    #[arg(long, env = "COMPTOIR_REQUEST_TIMEOUT_SECS")]
    request_timeout_secs: Option<u64>,
    /// Messages per second one conversation may send, sustained [default: 5]
    #[arg(long, env = "COMPTOIR_CONVERSATION_RATE")]
    conversation_rate: Option<f64>,
    /// Messages one conversation may send at once after a pause [default: 20]
    #[arg(long, env = "COMPTOIR_CONVERSATION_BURST")]
    conversation_burst: Option<f64>,
}

#[derive(Subcommand)]
enum TenantCommand {
    /// Create a tenant and print its secret API key and public widget key.
    Create {
        /// Short name used in URLs and commands (a-z, 0-9, -).
        slug: String,
        /// The store's display name.
        #[arg(long)]
        name: String,
        /// starter, business or enterprise.
        #[arg(long, default_value = "starter")]
        plan: String,
        /// ISO 4217 currency of prices.
        #[arg(long, default_value = "EUR")]
        currency: String,
        /// Comma-separated locales; the first is the default.
        #[arg(long, default_value = "fr,en,de,it,es", value_delimiter = ',')]
        locales: Vec<String>,
        /// Print JSON instead of text.
        #[arg(long)]
        json: bool,
    },
}

#[derive(Args)]
struct ImportArgs {
    /// Slug of the tenant to import into.
    #[arg(long)]
    tenant: String,
    /// The catalogue file.
    file: PathBuf,
    /// auto, generic, shopify, woocommerce, json, dummyjson or saleor.
    #[arg(long, default_value = "auto")]
    format: String,
    /// Print the report as JSON.
    #[arg(long)]
    json: bool,
}

#[tokio::main]
async fn main() {
    if let Err(e) = run().await {
        eprintln!("error: {e:#}");
        std::process::exit(1);
    }
}

async fn run() -> Result<()> {
    let cli = Cli::parse();
    let file = FileConfig::load(cli.global.config.as_deref())?;
    let log = cli
        .global
        .log
        .clone()
        .or(file.log.clone())
        .unwrap_or_else(|| "info".into());
    tracing_subscriber::fmt()
        .with_env_filter(
            tracing_subscriber::EnvFilter::try_new(&log).context("invalid log filter")?,
        )
        .with_writer(std::io::stderr)
        .init();
    for var in config::unknown_env() {
        tracing::warn!(%var, "unknown COMPTOIR_* environment variable ignored");
    }
    let data_dir = cli
        .global
        .data_dir
        .clone()
        .or(file.data_dir.clone())
        .unwrap_or_else(|| config::DEFAULT_DATA_DIR.into());
    let url = config::database_url(
        cli.global
            .database_url
            .clone()
            .or(file.database_url.clone()),
        &data_dir,
    );
    match cli.command {
        Command::Admin(cmd) => {
            let store = comptoir_store::open(&url).await?;
            admin_cmd::run(store.as_ref(), cmd).await
        }
        Command::Migrate => {
            let store = comptoir_store::open(&url).await?;
            println!(
                "database {} is up to date ({})",
                comptoir_store::redact(&url),
                store.backend()
            );
            Ok(())
        }
        Command::Serve(args) => serve(args, &file, &url).await,
        Command::Search(command) => search_cmd::run(command).await,
        Command::Nlu(command) => tokio::task::spawn_blocking(move || nlu_cmd::run(command)).await?,
        Command::Tenant(TenantCommand::Create {
            slug,
            name,
            plan,
            currency,
            locales,
            json,
        }) => {
            let plan = Plan::parse(&plan).with_context(|| {
                format!("unknown plan `{plan}` (starter, business, enterprise)")
            })?;
            let currency = Currency::parse(&currency)?;
            let locales = locales
                .iter()
                .map(|l| Lang::parse(l).with_context(|| format!("`{l}` is not a language code")))
                .collect::<Result<Vec<_>>>()?;
            let new = NewTenant::new(&slug, &name, plan, currency, locales)?;
            let store = comptoir_store::open(&url).await?;
            let tenant = store.create_tenant(&new).await?;
            let secret = NewApiKey::generate(&tenant.id, KeyKind::Secret, "default secret");
            let public = NewApiKey::generate(&tenant.id, KeyKind::Public, "default widget");
            store.insert_api_key(&secret).await?;
            store.insert_api_key(&public).await?;
            if json {
                println!(
                    "{}",
                    serde_json::json!({"id": tenant.id, "slug": tenant.slug, "secret_key": secret.token, "public_key": public.token})
                );
            } else {
                println!("created tenant {} ({})", tenant.slug, tenant.id);
                println!("secret API key (shown once):  {}", secret.token);
                println!("public widget key:            {}", public.token);
            }
            Ok(())
        }
        Command::Import(args) => import(args, &url).await,
    }
}

async fn serve(args: ServeArgs, file: &FileConfig, url: &str) -> Result<()> {
    let listen = args
        .listen
        .or(file.listen.clone())
        .unwrap_or_else(|| config::DEFAULT_LISTEN.into());
    let defaults = Limits::default();
    let limits = Limits {
        json_body_bytes: args
            .max_json_body_bytes
            .or(file.max_json_body_bytes)
            .unwrap_or(defaults.json_body_bytes),
        import_body_bytes: args
            .max_import_bytes
            .or(file.max_import_bytes)
            .unwrap_or(defaults.import_body_bytes),
        request_timeout: args
            .request_timeout_secs
            .or(file.request_timeout_secs)
            .map_or(defaults.request_timeout, Duration::from_secs),
        import_timeout: defaults.import_timeout,
        conversation_rate: comptoir_server::conversations::RateLimit {
            per_second: args
                .conversation_rate
                .or(file.conversation_rate)
                .unwrap_or(defaults.conversation_rate.per_second),
            burst: args
                .conversation_burst
                .or(file.conversation_burst)
                .unwrap_or(defaults.conversation_rate.burst),
        },
    };
    anyhow::ensure!(
        limits.conversation_rate.per_second > 0.0 && limits.conversation_rate.burst >= 1.0,
        "conversation rate must be > 0 and burst >= 1"
    );
    let store = comptoir_store::open(url)
        .await
        .context("opening the database")?;
    let listener = tokio::net::TcpListener::bind(&listen)
        .await
        .with_context(|| format!("cannot listen on {listen}"))?;
    let addr = listener.local_addr()?;
    let mut warm_tenant = None;
    let mut demo_key = None;
    if args.demo {
        let keys = demo::ensure(store.clone())
            .await
            .context("creating the demo store")?;
        warm_tenant = Some(keys.tenant.clone());
        demo_key = Some(keys.public.clone());
        println!("demo store `{}` ready", keys.tenant.slug);
        println!("  admin (secret) key: {}", keys.secret);
        println!("  widget (public) key: {}", keys.public);
        println!("  demo shop with the chat widget: http://{addr}/");
        println!(
            "  admin: http://{addr}/admin — sign in as {} with password {}",
            demo::ADMIN_EMAIL,
            keys.admin_password
        );
    }
    println!(
        "comptoir listening on http://{addr} ({} database) — API reference at http://{addr}/docs",
        store.backend()
    );
    tracing::info!(%addr, backend = store.backend(), "listening");
    let mut state = AppState::new(store, limits);
    state.demo_widget_key = demo_key;
    // Unpaid orders give their stock back when their reservation lapses.
    comptoir_server::spawn_reservation_sweeper(state.store.clone(), Duration::from_secs(30));
    // Train the built-in understanding model now rather than on the first shopper's message.
    state.understanding.warm_up();
    // Build the search analyzer (and the demo store's index) before the first search.
    {
        let state = state.clone();
        tokio::spawn(async move {
            let search = std::sync::Arc::clone(&state.search);
            let _ = tokio::task::spawn_blocking(move || search.analyzer()).await;
            if let Some(t) = warm_tenant {
                let started = std::time::Instant::now();
                match state.search.rebuild(state.store.as_ref(), &t).await {
                    Ok(_) => {
                        tracing::info!(tenant = %t.slug, ms = started.elapsed().as_millis() as u64, "search index built")
                    }
                    Err(e) => tracing::warn!(error = %e, "building the search index failed"),
                }
            }
        });
    }
    comptoir_server::serve(listener, state, shutdown_signal()).await?;
    Ok(())
}

async fn shutdown_signal() {
    let ctrl_c = async {
        let _ = tokio::signal::ctrl_c().await;
    };
    #[cfg(unix)]
    let term = async {
        if let Ok(mut s) = tokio::signal::unix::signal(tokio::signal::unix::SignalKind::terminate())
        {
            s.recv().await;
        }
    };
    #[cfg(not(unix))]
    let term = std::future::pending::<()>();
    tokio::select! { _ = ctrl_c => {}, _ = term => {} }
    tracing::info!("shutting down");
}

async fn import(args: ImportArgs, url: &str) -> Result<()> {
    let format = Format::parse(&args.format).map_err(anyhow::Error::msg)?;
    let f = std::fs::File::open(&args.file)
        .with_context(|| format!("cannot open {}", args.file.display()))?;
    let size = f.metadata().map(|m| m.len()).unwrap_or(0);
    let store = comptoir_store::open(url).await?;
    let Some(tenant) = store.tenant_by_slug(&args.tenant).await? else {
        bail!(
            "no tenant `{}` (create it with `comptoir tenant create {} --name …`)",
            args.tenant,
            args.tenant
        );
    };
    let bar = indicatif::ProgressBar::new(size);
    bar.set_style(
        indicatif::ProgressStyle::with_template(
            "{spinner} [{bar:40}] {bytes}/{total_bytes} {msg} ({eta})",
        )
        .unwrap_or_else(|_| indicatif::ProgressStyle::default_bar())
        .progress_chars("=> "),
    );
    let b = bar.clone();
    let progress = Arc::new(move |p: Progress| {
        b.set_position(p.bytes);
        b.set_message(format!("{} rows", p.rows));
    });
    let source = ImportSource {
        name: args
            .file
            .file_name()
            .map_or_else(|| "file".into(), |n| n.to_string_lossy().into_owned()),
        reader: Box::new(f),
    };
    let started = std::time::Instant::now();
    let result = comptoir_catalogue::run(store, &tenant, source, format, Some(progress)).await;
    bar.finish_and_clear();
    let (id, report) = result.with_context(|| format!("importing {}", args.file.display()))?;
    if args.json {
        let mut v = serde_json::to_value(&report)?;
        v["id"] = serde_json::Value::String(id);
        println!("{v}");
        return Ok(());
    }
    let secs = started.elapsed().as_secs_f64();
    println!(
        "imported {} ({}, {}): {} rows, {} imported, {} rejected, {} skipped; {} products, {} variants; {} rows changed; {:.2}s",
        args.file.display(),
        report.format,
        report.encoding,
        report.rows_total,
        report.rows_imported,
        report.rows_rejected,
        report.rows_skipped,
        report.products,
        report.variants,
        report.rows_changed,
        secs
    );
    for w in &report.warnings {
        println!("warning: {w}");
    }
    for r in report.rejected.iter().take(50) {
        match &r.sku {
            Some(s) => println!("rejected line {} (sku {s}): {}", r.line, r.reason),
            None => println!("rejected line {}: {}", r.line, r.reason),
        }
    }
    if report.rows_rejected > 50 {
        println!(
            "… and {} more rejected rows (use --json for the list)",
            report.rows_rejected - 50
        );
    }
    for s in report.skipped.iter().take(20) {
        println!("skipped line {}: {}", s.line, s.reason);
    }
    Ok(())
}
