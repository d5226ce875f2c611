//! Running an import: parse on a blocking thread, store batches on the async side, record the
//! report. Parsing and writing overlap; a bounded channel keeps memory flat.

use crate::collect::{Collector, BATCH_VARIANTS};
use crate::encoding::Utf8Reader;
use crate::{
    generic, json, shopify, woocommerce, Format, ImportError, ImportOptions, Parsed, Report, Stop,
};
use comptoir_domain::id::new_id;
use comptoir_domain::{now_ms, ProductUpsert, Tenant};
use comptoir_store::{ImportRecord, Store};
use std::io::{BufRead, BufReader, Read};
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::Arc;

/// Where an import reads from, with a name for the history (`export.csv`, `api`).
pub struct ImportSource {
    pub name: String,
    pub reader: Box<dyn Read + Send>,
}

/// Progress so far: source bytes read and rows parsed.
#[derive(Debug, Clone, Copy, Default)]
pub struct Progress {
    pub bytes: u64,
    pub rows: u64,
}

pub type OnProgress = Arc<dyn Fn(Progress) + Send + Sync>;

struct Counting<R> {
    inner: R,
    count: Arc<AtomicU64>,
}

impl<R: Read> Read for Counting<R> {
    fn read(&mut self, buf: &mut [u8]) -> std::io::Result<usize> {
        let n = self.inner.read(buf)?;
        self.count.fetch_add(n as u64, Ordering::Relaxed);
        Ok(n)
    }
}

/// Parses a whole source, sending batches to `send`; returns the report (without storage figures).
pub fn parse_source(
    reader: Box<dyn Read + Send>,
    format: Option<Format>,
    opts: &ImportOptions,
    batch_size: usize,
    bytes: Arc<AtomicU64>,
    on_progress: Option<OnProgress>,
    send: &mut dyn FnMut(Vec<ProductUpsert>) -> Result<(), Stop>,
) -> Result<Report, ImportError> {
    let utf8 = Utf8Reader::new(Counting {
        inner: reader,
        count: bytes.clone(),
    })?;
    let encoding = utf8.encoding;
    let transcoding = utf8.transcoding();
    let mut src = BufReader::with_capacity(256 * 1024, utf8);
    let head = String::from_utf8_lossy(src.fill_buf()?).into_owned();
    if head.trim().is_empty() {
        return Err(ImportError::Empty);
    }
    let format = match format {
        Some(f) => f,
        None => Format::detect(&head).map_err(ImportError::UnknownFormat)?,
    };
    let mut opts = opts.clone();
    opts.delimiter = crate::csvrow::sniff_delimiter(&head);
    let opts = &opts;
    let mut collector = Collector::new(batch_size);
    let mut warnings = Vec::new();
    if transcoding {
        warnings.push(format!("the file is not UTF-8: it was read as {encoding}"));
    }
    let mut rows = 0u64;
    let mut sink = |item: Parsed| -> Result<(), Stop> {
        rows += 1;
        if rows.is_multiple_of(1000) {
            if let Some(p) = &on_progress {
                p(Progress {
                    bytes: bytes.load(Ordering::Relaxed),
                    rows,
                });
            }
        }
        match collector.accept(item) {
            Some(batch) => send(batch),
            None => Ok(()),
        }
    };
    match format {
        Format::Generic => generic::parse_csv(&mut src, opts, &mut warnings, &mut sink)?,
        Format::Shopify => shopify::parse(&mut src, opts, &mut warnings, &mut sink)?,
        Format::Woocommerce => woocommerce::parse(&mut src, opts, &mut warnings, &mut sink)?,
        Format::Json => json::parse_generic(&mut src, opts, &mut sink)?,
        Format::Dummyjson => json::parse_dummyjson(&mut src, opts, &mut sink)?,
        Format::Saleor => json::parse_saleor(&mut src, opts, &mut warnings, &mut sink)?,
    }
    let last = collector.finish();
    if !last.is_empty() {
        send(last).map_err(|_| ImportError::Aborted("storage stopped".into()))?;
    }
    if let Some(p) = &on_progress {
        p(Progress {
            bytes: bytes.load(Ordering::Relaxed),
            rows,
        });
    }
    let mut report = collector.report;
    report.format = format.as_str().to_string();
    report.encoding = encoding.to_string();
    for w in warnings {
        report.warn(w);
    }
    Ok(report)
}

/// Imports a source into a tenant's catalogue and records it in the import history.
/// `format: None` detects it. Bad rows are reported, good rows are stored.
pub async fn run(
    store: Arc<dyn Store>,
    tenant: &Tenant,
    source: ImportSource,
    format: Option<Format>,
    on_progress: Option<OnProgress>,
) -> Result<(String, Report), ImportError> {
    let opts = ImportOptions {
        currency: tenant.currency.clone(),
        lang: tenant.default_locale().clone(),
        delimiter: b',',
    };
    let (tx, mut rx) = tokio::sync::mpsc::channel::<Vec<ProductUpsert>>(2);
    let bytes = Arc::new(AtomicU64::new(0));
    let source_name = source.name.clone();
    let parser = tokio::task::spawn_blocking(move || {
        let mut send = |batch: Vec<ProductUpsert>| tx.blocking_send(batch).map_err(|_| Stop);
        parse_source(
            source.reader,
            format,
            &opts,
            BATCH_VARIANTS,
            bytes,
            on_progress,
            &mut send,
        )
    });
    let mut changed = 0u64;
    let mut store_error = None;
    while let Some(batch) = rx.recv().await {
        match store.upsert_products(tenant, &batch).await {
            Ok(out) => changed += out.rows_changed,
            Err(e) => {
                store_error = Some(e);
                break;
            }
        }
    }
    drop(rx);
    let parsed = parser
        .await
        .map_err(|e| ImportError::Aborted(format!("parser crashed: {e}")))?;
    if let Some(e) = store_error {
        return Err(e.into());
    }
    let mut report = parsed?;
    report.rows_changed = changed;
    let id = new_id("imp");
    let record = ImportRecord {
        id: id.clone(),
        tenant_id: tenant.id.clone(),
        format: report.format.clone(),
        source: source_name,
        rows_total: report.rows_total as i64,
        rows_imported: report.rows_imported as i64,
        rows_rejected: report.rows_rejected as i64,
        report: serde_json::to_string(&report).unwrap_or_default(),
        created_at: now_ms(),
    };
    store.record_import(&record).await?;
    Ok((id, report))
}
