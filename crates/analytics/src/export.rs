//! CSV exports of the report's tables. Shopper text lands in these files and merchants open
//! them in spreadsheets, so every text cell is guarded against formula injection.

use std::borrow::Cow;

use rust_decimal::{Decimal, RoundingStrategy};
use serde::Serialize;

use crate::compare::{Comparison, Headline};
use crate::report::{QueryCount, Report};

/// The tables a report exports.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Table {
    /// Headline metrics (with the previous period: [`Comparison::csv`]).
    Summary,
    Daily,
    TopSearches,
    ZeroResultSearches,
    Intents,
    NotUnderstood,
    Funnel,
    Feedback,
}

impl Table {
    pub const ALL: [Table; 8] = [
        Table::Summary,
        Table::Daily,
        Table::TopSearches,
        Table::ZeroResultSearches,
        Table::Intents,
        Table::NotUnderstood,
        Table::Funnel,
        Table::Feedback,
    ];

    /// `summary`, `daily`, `top-searches`…: for URLs.
    pub fn slug(self) -> &'static str {
        match self {
            Table::Summary => "summary",
            Table::Daily => "daily",
            Table::TopSearches => "top-searches",
            Table::ZeroResultSearches => "zero-result-searches",
            Table::Intents => "intents",
            Table::NotUnderstood => "not-understood",
            Table::Funnel => "funnel",
            Table::Feedback => "feedback",
        }
    }

    pub fn parse(s: &str) -> Option<Table> {
        let s = s.trim().replace('_', "-");
        Table::ALL.into_iter().find(|t| t.slug() == s)
    }

    /// `comptoir-daily-2026-03-01-2026-03-31.csv`.
    pub fn file_name(self, report: &Report) -> String {
        format!(
            "comptoir-{}-{}-{}.csv",
            self.slug(),
            report.from_date,
            report.to_date
        )
    }
}

/// A text cell as written: a leading `'` when it starts with `=`, `+`, `-`, `@`, tab or CR,
/// so a spreadsheet shows it instead of running it as a formula.
pub fn protect(cell: &str) -> Cow<'_, str> {
    if cell.starts_with(['=', '+', '-', '@', '\t', '\r']) {
        Cow::Owned(format!("'{cell}"))
    } else {
        Cow::Borrowed(cell)
    }
}

/// `count / of` in percent with two decimals; empty when `of` is 0.
fn pct(count: u64, of: u64) -> String {
    if of == 0 {
        return String::new();
    }
    let mut p = (Decimal::from(count) * Decimal::ONE_HUNDRED / Decimal::from(of))
        .round_dp_with_strategy(2, RoundingStrategy::MidpointAwayFromZero);
    p.rescale(2);
    p.to_string()
}

fn opt<T: ToString>(v: Option<T>) -> String {
    v.map(|v| v.to_string()).unwrap_or_default()
}

/// Rows of cells; `text` columns are protected, the others are numbers this crate wrote.
struct Sheet {
    text: Vec<bool>,
    writer: csv::Writer<Vec<u8>>,
}

impl Sheet {
    fn new(header: &[(&str, bool)]) -> Sheet {
        let mut s = Sheet {
            text: header.iter().map(|(_, t)| *t).collect(),
            writer: csv::WriterBuilder::new()
                .terminator(csv::Terminator::CRLF)
                .from_writer(Vec::new()),
        };
        let names: Vec<&str> = header.iter().map(|(n, _)| *n).collect();
        let _ = s.writer.write_record(&names);
        s
    }

    fn row(&mut self, cells: &[String]) {
        let cells: Vec<Cow<'_, str>> = cells
            .iter()
            .zip(self.text.iter().chain(std::iter::repeat(&true)))
            .map(|(c, text)| {
                if *text {
                    protect(c)
                } else {
                    Cow::Borrowed(c.as_str())
                }
            })
            .collect();
        let _ = self.writer.write_record(cells.iter().map(|c| c.as_bytes()));
    }

    fn finish(self) -> String {
        let bytes = self.writer.into_inner().unwrap_or_default();
        String::from_utf8(bytes).unwrap_or_default()
    }
}

fn headline_row(h: &Headline) -> Vec<String> {
    vec![
        h.metric.as_str().to_string(),
        h.label.clone(),
        serde_plain(&h.unit),
        opt(h.currency.as_ref()),
        opt(h.value),
    ]
}

/// A unit enum's serialised name.
fn serde_plain<T: Serialize>(v: &T) -> String {
    match serde_json::to_value(v) {
        Ok(serde_json::Value::String(s)) => s,
        _ => String::new(),
    }
}

fn query_rows(sheet: &mut Sheet, rows: &[QueryCount], total: u64, zero_first: bool) {
    for (i, q) in rows.iter().enumerate() {
        let (a, b) = if zero_first {
            (q.zero_results, q.searches)
        } else {
            (q.searches, q.zero_results)
        };
        sheet.row(&[
            (i + 1).to_string(),
            q.query.clone(),
            a.to_string(),
            b.to_string(),
            pct(q.searches, total),
        ]);
    }
}

impl Report {
    /// One table as CSV (header row, CRLF line ends, UTF-8 without BOM).
    pub fn csv(&self, table: Table) -> String {
        let (t, n) = (true, false);
        match table {
            Table::Summary => {
                let mut s = Sheet::new(&[
                    ("metric", t),
                    ("label", t),
                    ("unit", t),
                    ("currency", t),
                    ("value", n),
                ]);
                for h in self.headlines() {
                    s.row(&headline_row(&h));
                }
                s.finish()
            }
            Table::Daily => {
                let mut s = Sheet::new(&[
                    ("date", t),
                    ("conversations", n),
                    ("engaged", n),
                    ("orders", n),
                    ("paid_orders", n),
                    ("revenue", n),
                    ("currency", t),
                ]);
                for d in &self.days {
                    s.row(&[
                        d.date.clone(),
                        d.conversations.to_string(),
                        d.engaged.to_string(),
                        d.orders.to_string(),
                        d.paid_orders.to_string(),
                        opt(d.revenue.as_ref().map(|m| m.amount)),
                        opt(d.revenue.as_ref().map(|m| m.currency.clone())),
                    ]);
                }
                s.finish()
            }
            Table::TopSearches => {
                let mut s = Sheet::new(&[
                    ("rank", n),
                    ("query", t),
                    ("searches", n),
                    ("zero_results", n),
                    ("share_pct", n),
                ]);
                query_rows(&mut s, &self.searches.top, self.searches.total, false);
                s.finish()
            }
            Table::ZeroResultSearches => {
                let mut s = Sheet::new(&[
                    ("rank", n),
                    ("query", t),
                    ("zero_results", n),
                    ("searches", n),
                    ("share_pct", n),
                ]);
                query_rows(
                    &mut s,
                    &self.searches.top_zero_results,
                    self.searches.total,
                    true,
                );
                s.finish()
            }
            Table::Intents => {
                let mut s = Sheet::new(&[("intent", t), ("turns", n), ("share_pct", n)]);
                for i in &self.intents {
                    s.row(&[
                        i.intent.clone(),
                        i.count.to_string(),
                        pct(i.count, self.text_turns),
                    ]);
                }
                s.finish()
            }
            Table::NotUnderstood => {
                let mut s = Sheet::new(&[
                    ("at", t),
                    ("conversation_id", t),
                    ("intent", t),
                    ("confidence", n),
                    ("text", t),
                ]);
                for m in &self.to_review {
                    s.row(&[
                        m.at.clone(),
                        m.conversation_id.clone(),
                        m.intent.clone(),
                        opt(m
                            .confidence
                            .and_then(Decimal::from_f64_retain)
                            .map(|c| c.round_dp(3).normalize())),
                        m.text.clone(),
                    ]);
                }
                s.finish()
            }
            Table::Funnel => {
                let mut s = Sheet::new(&[
                    ("step", t),
                    ("label", t),
                    ("conversations", n),
                    ("pct_of_first", n),
                    ("pct_of_previous", n),
                ]);
                let first = self.funnel.first().map_or(0, |f| f.conversations);
                let mut prev = first;
                for f in &self.funnel {
                    s.row(&[
                        f.stage.as_str().to_string(),
                        f.label.clone(),
                        f.conversations.to_string(),
                        pct(f.conversations, first),
                        pct(f.conversations, prev),
                    ]);
                    prev = f.conversations;
                }
                s.finish()
            }
            Table::Feedback => {
                let mut s = Sheet::new(&[("kind", t), ("score", n), ("responses", n)]);
                for (score, count) in (1..).zip(&self.csat.scores) {
                    s.row(&["csat".into(), score.to_string(), count.to_string()]);
                }
                for (score, count) in (0..).zip(&self.nps.scores) {
                    s.row(&["nps".into(), score.to_string(), count.to_string()]);
                }
                s.finish()
            }
        }
    }
}

impl Comparison {
    /// The headline metrics with the previous period's values (the summary table compared).
    pub fn csv(&self) -> String {
        let (t, n) = (true, false);
        let mut s = Sheet::new(&[
            ("metric", t),
            ("label", t),
            ("unit", t),
            ("currency", t),
            ("current", n),
            ("previous", n),
            ("change", n),
            ("change_pct", n),
        ]);
        for d in &self.deltas {
            s.row(&[
                d.metric.as_str().to_string(),
                d.label.clone(),
                serde_plain(&d.unit),
                opt(d.currency.as_ref()),
                opt(d.current),
                opt(d.previous),
                opt(d.change),
                opt(d.change_pct),
            ]);
        }
        s.finish()
    }
}
