//! `/v1/catalogue/imports`: upload a catalogue file (any supported format) as the request
//! body; it is parsed while it streams in, and the answer is the import report.

use super::dto::*;
use crate::auth::Auth;
use crate::error::{ApiError, ApiResult, Problem};
use crate::extract::{ApiPath, ApiQuery};
use crate::state::AppState;
use axum::body::{Body, Bytes};
use axum::extract::State;
use axum::http::StatusCode;
use axum::Json;
use comptoir_catalogue::{Format, ImportSource};
use comptoir_domain::{Scope, Tenant};
use comptoir_store::ImportRecord;
use http_body_util::BodyExt;
use serde::Deserialize;
use std::future::Future;
use std::io::Read;

#[derive(Debug, Deserialize, utoipa::IntoParams)]
#[into_params(parameter_in = Query)]
pub struct ImportQuery {
    /// auto (default), generic, shopify, woocommerce, json, dummyjson or saleor.
    pub format: Option<String>,
    /// A name for the import history, e.g. the file name.
    pub source: Option<String>,
}

/// A blocking reader over body chunks sent from the async side.
struct ChannelReader {
    rx: tokio::sync::mpsc::Receiver<std::io::Result<Bytes>>,
    cur: Bytes,
}

impl Read for ChannelReader {
    fn read(&mut self, buf: &mut [u8]) -> std::io::Result<usize> {
        while self.cur.is_empty() {
            match self.rx.blocking_recv() {
                Some(Ok(b)) => self.cur = b,
                Some(Err(e)) => return Err(e),
                None => return Ok(0),
            }
        }
        let n = buf.len().min(self.cur.len());
        buf[..n].copy_from_slice(&self.cur[..n]);
        self.cur = self.cur.slice(n..);
        Ok(n)
    }
}

/// Where an import's bytes come from, chunk by chunk as they arrive: a request body, a
/// multipart form's file field.
pub(crate) trait ChunkSource: Send {
    /// The next chunk; `None` at the end.
    fn next_chunk(&mut self) -> impl Future<Output = Option<std::io::Result<Bytes>>> + Send;
}

impl ChunkSource for Body {
    async fn next_chunk(&mut self) -> Option<std::io::Result<Bytes>> {
        loop {
            match self.frame().await? {
                Ok(f) => {
                    if let Ok(d) = f.into_data() {
                        return Some(Ok(d));
                    }
                }
                Err(e) => return Some(Err(std::io::Error::other(e.to_string()))),
            }
        }
    }
}

/// Imports `src` into the tenant's catalogue while it streams in (parsed on a blocking
/// thread, never buffered whole), cutting it off past `limit` bytes (a 413), and returns the
/// import as recorded in the history. `format: None` detects it.
pub(crate) async fn run_import(
    st: &AppState,
    tenant: &Tenant,
    source_name: &str,
    format: Option<Format>,
    limit: u64,
    mut src: impl ChunkSource,
) -> ApiResult<ImportRecord> {
    let (tx, rx) = tokio::sync::mpsc::channel::<std::io::Result<Bytes>>(8);
    // Forward the chunks as they arrive, cutting them off past the size limit.
    let forward = async move {
        let mut seen: u64 = 0;
        while let Some(item) = src.next_chunk().await {
            let item = item.and_then(|d| {
                seen += d.len() as u64;
                if seen > limit {
                    Err(std::io::Error::new(
                        std::io::ErrorKind::FileTooLarge,
                        format!("the file is larger than the {limit} bytes an import accepts"),
                    ))
                } else {
                    Ok(d)
                }
            });
            let stop = item.is_err();
            if tx.send(item).await.is_err() || stop {
                break;
            }
        }
    };
    let source = ImportSource {
        name: source_name.chars().take(200).collect(),
        reader: Box::new(ChannelReader {
            rx,
            cur: Bytes::new(),
        }),
    };
    let import = comptoir_catalogue::run(st.store.clone(), tenant, source, format, None);
    tokio::pin!(forward, import);
    let mut forwarding = true;
    // The import ends when the parser does (end of file, or an error); the forwarding stops
    // with it.
    let outcome = loop {
        tokio::select! {
            r = &mut import => break r,
            () = &mut forward, if forwarding => forwarding = false,
        }
    };
    let (id, _report) = outcome?;
    st.store
        .import(&tenant.id, &id)
        .await?
        .ok_or_else(|| ApiError::internal("import vanished"))
}

fn import_out(r: &ImportRecord) -> ImportOut {
    ImportOut {
        id: r.id.clone(),
        source: r.source.clone(),
        created_at: rfc3339(r.created_at),
        report: serde_json::from_str(&r.report).unwrap_or(serde_json::Value::Null),
    }
}

#[utoipa::path(post, path = "/v1/catalogue/imports", tag = "catalogue", params(ImportQuery),
    request_body(content = String, description = "The catalogue file, as is (CSV or JSON)", content_type = "text/csv"),
    security(("bearer" = [])),
    responses((status = 201, body = ImportOut, description = "Imported; rejected rows are listed in the report"),
        (status = 413, body = Problem), (status = 422, body = Problem, description = "The file as a whole cannot be read"),
        (status = 403, body = Problem)))]
pub async fn create(
    State(st): State<AppState>,
    auth: Auth,
    ApiQuery(q): ApiQuery<ImportQuery>,
    body: Body,
) -> ApiResult<(StatusCode, Json<ImportOut>)> {
    auth.require(Scope::CatalogueWrite)?;
    let format = Format::parse(q.format.as_deref().unwrap_or("auto"))
        .map_err(|e| ApiError::invalid("format", e))?;
    let name: String = q
        .source
        .unwrap_or_else(|| "api".into())
        .chars()
        .take(200)
        .collect();
    let record = run_import(
        &st,
        &auth.tenant,
        &name,
        format,
        st.limits.import_body_bytes,
        body,
    )
    .await?;
    Ok((StatusCode::CREATED, Json(import_out(&record))))
}

#[utoipa::path(get, path = "/v1/catalogue/imports", tag = "catalogue", security(("bearer" = [])),
    responses((status = 200, body = ImportList)))]
pub async fn list(State(st): State<AppState>, auth: Auth) -> ApiResult<Json<ImportList>> {
    auth.require(Scope::CatalogueWrite)?;
    let items = st.store.list_imports(&auth.tenant.id, 50).await?;
    Ok(Json(ImportList {
        items: items.iter().map(import_out).collect(),
        next_cursor: None,
    }))
}

#[utoipa::path(get, path = "/v1/catalogue/imports/{id}", tag = "catalogue", params(("id" = String, Path)),
    security(("bearer" = [])), responses((status = 200, body = ImportOut), (status = 404, body = Problem)))]
pub async fn get(
    State(st): State<AppState>,
    auth: Auth,
    ApiPath(id): ApiPath<String>,
) -> ApiResult<Json<ImportOut>> {
    auth.require(Scope::CatalogueWrite)?;
    let r = st
        .store
        .import(&auth.tenant.id, &id)
        .await?
        .ok_or_else(|| ApiError::not_found("import"))?;
    Ok(Json(import_out(&r)))
}
