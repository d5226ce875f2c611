//! Charts as SVG, rendered on the server: no script, no chart library, nothing fetched.
//!
//! Each function returns one `<svg>` element with a `viewBox` (it scales to its container),
//! `role="img"`, a `<title>` and an `aria-label` that says what the chart shows. Colours are
//! presentation attributes (a blue accent, `#2563eb`, and a grey, `#6b7280`, both above 4.5:1
//! on white) and text uses `currentColor`, so a page's CSS can restyle the classes
//! (`ca-line`, `ca-area`, `ca-prev`, `ca-dot`, `ca-bar`, `ca-grid`, `ca-axis`, `ca-label`) and
//! no inline `<style>` needs a CSP exception. Every text is escaped: labels come from shoppers.

use std::fmt::Write;

use serde::Serialize;

use crate::report::{Day, FunnelStep, IntentCount, QueryCount, Report};

/// Shown instead of a chart when there is nothing to draw.
pub const NO_DATA: &str = "No data for this period";

const WIDTH: f64 = 640.0;
const ACCENT: &str = "#2563eb";
const MUTED: &str = "#6b7280";
const FONT: &str = "font-family=\"system-ui, sans-serif\" font-size=\"12\"";

/// A daily series, with the previous period's drawn dashed behind it.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct LineChart {
    pub title: String,
    /// One per point: dates as `YYYY-MM-DD` are shown as `MM-DD` under the axis.
    pub labels: Vec<String>,
    pub current: Vec<f64>,
    /// Aligned on `current` by position (day 1 with day 1); extra points are not drawn.
    pub previous: Option<Vec<f64>>,
    pub current_name: String,
    pub previous_name: String,
}

/// What a daily line chart plots.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum DailyMetric {
    Conversations,
    Engaged,
    Orders,
    PaidOrders,
    /// In the report's main currency.
    Revenue,
}

impl DailyMetric {
    pub fn title(self) -> &'static str {
        match self {
            DailyMetric::Conversations => "Conversations per day",
            DailyMetric::Engaged => "Engaged conversations per day",
            DailyMetric::Orders => "Agent orders per day",
            DailyMetric::PaidOrders => "Paid agent orders per day",
            DailyMetric::Revenue => "Revenue per day",
        }
    }

    /// The day's value as a plotting coordinate (money only drawn, never computed, as f64).
    fn of(self, d: &Day) -> f64 {
        match self {
            DailyMetric::Conversations => d.conversations as f64,
            DailyMetric::Engaged => d.engaged as f64,
            DailyMetric::Orders => d.orders as f64,
            DailyMetric::PaidOrders => d.paid_orders as f64,
            DailyMetric::Revenue => d.revenue.as_ref().map_or(0.0, |m| {
                m.minor as f64 / 10f64.powi(crate::money::exponent(&m.currency) as i32)
            }),
        }
    }
}

impl LineChart {
    /// The chart of one daily metric of `current`, with `previous` dashed.
    pub fn daily(metric: DailyMetric, current: &Report, previous: Option<&Report>) -> LineChart {
        let title = match (metric, &current.currency) {
            (DailyMetric::Revenue, Some(c)) => format!("{} ({c})", metric.title()),
            _ => metric.title().to_string(),
        };
        LineChart {
            title,
            labels: current.days.iter().map(|d| d.date.clone()).collect(),
            current: current.days.iter().map(|d| metric.of(d)).collect(),
            previous: previous.map(|p| p.days.iter().map(|d| metric.of(d)).collect()),
            current_name: "This period".into(),
            previous_name: "Previous period".into(),
        }
    }
}

/// One bar: a label, its length and the text shown after it.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Bar {
    pub label: String,
    pub value: f64,
    pub value_label: String,
}

impl Bar {
    pub fn new(label: impl Into<String>, value: u64) -> Bar {
        Bar {
            label: label.into(),
            value: value as f64,
            value_label: value.to_string(),
        }
    }

    /// Top searches by number of searches.
    pub fn searches(rows: &[QueryCount]) -> Vec<Bar> {
        rows.iter()
            .map(|q| Bar::new(&q.query, q.searches))
            .collect()
    }

    /// Searches that found nothing, by their count.
    pub fn zero_results(rows: &[QueryCount]) -> Vec<Bar> {
        rows.iter()
            .map(|q| Bar::new(&q.query, q.zero_results))
            .collect()
    }

    /// Intent mix: count and share.
    pub fn intents(rows: &[IntentCount]) -> Vec<Bar> {
        rows.iter()
            .map(|i| Bar {
                label: i.intent.clone(),
                value: i.count as f64,
                value_label: format!("{} · {}", i.count, percent(i.share)),
            })
            .collect()
    }
}

/// Escapes text for SVG text and attribute values.
pub fn escape(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    for c in s.chars() {
        match c {
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '"' => out.push_str("&quot;"),
            '\'' => out.push_str("&#39;"),
            // Characters XML 1.0 forbids.
            c if (c as u32) < 0x20 && !matches!(c, '\t' | '\n' | '\r') => out.push(' '),
            '\u{FFFE}' | '\u{FFFF}' => out.push(' '),
            c => out.push(c),
        }
    }
    out
}

/// A coordinate: one decimal, never NaN or infinite.
fn num(x: f64) -> String {
    if !x.is_finite() {
        return "0".into();
    }
    let s = format!("{:.1}", x);
    match s.strip_suffix(".0") {
        Some("-0") => "0".into(),
        Some(t) => t.to_string(),
        None => s,
    }
}

/// A value for people: integers plain, else at most two decimals.
fn value(v: f64) -> String {
    if !v.is_finite() {
        return "0".into();
    }
    let s = format!("{:.2}", v);
    let s = s.trim_end_matches('0').trim_end_matches('.');
    if s == "-0" {
        "0".into()
    } else {
        s.to_string()
    }
}

/// A tick label: `950`, `1.5k`, `12k`, `2.4M`.
fn compact(v: f64) -> String {
    let a = v.abs();
    if a >= 1e6 {
        format!("{}M", value((v / 1e5).round() / 10.0))
    } else if a >= 1e3 {
        format!("{}k", value((v / 1e2).round() / 10.0))
    } else {
        value(v)
    }
}

fn percent(rate: f64) -> String {
    if rate.is_finite() {
        format!("{:.1}%", rate * 100.0)
    } else {
        "0.0%".into()
    }
}

fn truncate(s: &str, max: usize) -> String {
    let mut it = s.chars();
    let head: String = it.by_ref().take(max).collect();
    if it.next().is_some() {
        format!("{}…", head.trim_end())
    } else {
        head
    }
}

/// `MM-DD` for a `YYYY-MM-DD` label, else the label cut short.
fn short_label(s: &str) -> String {
    let b = s.as_bytes();
    if b.len() == 10 && b[4] == b'-' && b[7] == b'-' {
        s[5..].to_string()
    } else {
        truncate(s, 10)
    }
}

fn open(height: f64, title: &str, label: &str) -> String {
    format!(
        "<svg xmlns=\"http://www.w3.org/2000/svg\" class=\"ca-chart\" viewBox=\"0 0 {} {}\" \
         role=\"img\" aria-label=\"{}\" {FONT}><title>{}</title>",
        num(WIDTH),
        num(height),
        escape(label),
        escape(title)
    )
}

/// The chart shown when there is nothing to draw.
pub fn empty(title: &str) -> String {
    let mut s = open(120.0, title, &format!("{title}: {NO_DATA}"));
    let _ = write!(
        s,
        "<text class=\"ca-label\" x=\"{}\" y=\"64\" text-anchor=\"middle\" fill=\"currentColor\">{}</text></svg>",
        num(WIDTH / 2.0),
        escape(NO_DATA)
    );
    s
}

/// A top and a step (1, 2 or 5 times a power of ten) for about five round ticks covering
/// `0..=max`; steps of at least 1 for whole numbers.
fn nice_scale(max: f64, integers: bool) -> (f64, f64) {
    if !max.is_finite() || max <= 0.0 {
        return (1.0, 1.0);
    }
    let raw = max / 5.0;
    let mag = 10f64.powf(raw.log10().floor());
    let norm = raw / mag;
    let unit = if norm <= 1.0 {
        1.0
    } else if norm <= 2.0 {
        2.0
    } else if norm <= 5.0 {
        5.0
    } else {
        10.0
    };
    let mut step = unit * mag;
    if integers && step < 1.0 {
        step = 1.0;
    }
    if !step.is_finite() || step <= 0.0 {
        return (max, max);
    }
    let top = ((max / step).ceil() * step).max(step);
    (top, step)
}

fn clean(values: &[f64]) -> Vec<f64> {
    values
        .iter()
        .map(|v| if v.is_finite() { v.max(0.0) } else { 0.0 })
        .collect()
}

/// A line (and area) chart of a daily series, with the previous period dashed.
pub fn line_chart(chart: &LineChart) -> String {
    let current = clean(&chart.current);
    let n = current.len();
    let previous: Vec<f64> = chart
        .previous
        .as_deref()
        .map(|p| clean(p).into_iter().take(n).collect())
        .unwrap_or_default();
    let max = current
        .iter()
        .chain(&previous)
        .copied()
        .fold(0.0f64, f64::max);
    if n == 0 || max <= 0.0 {
        return empty(&chart.title);
    }
    let label_at = |i: usize| chart.labels.get(i).cloned().unwrap_or_default();
    let integers = current.iter().chain(&previous).all(|v| v.fract() == 0.0);
    let (top, step) = nice_scale(max, integers);

    let (height, left, right, top_m, bottom) = (260.0, 56.0, 28.0, 36.0, 40.0);
    let (pw, ph) = (WIDTH - left - right, height - top_m - bottom);
    let base = top_m + ph;
    let x = |i: usize| {
        if n == 1 {
            left + pw / 2.0
        } else {
            left + pw * i as f64 / (n - 1) as f64
        }
    };
    let y = |v: f64| base - ph * (v / top);

    let total: f64 = current.iter().sum();
    let peak =
        current.iter().enumerate().fold(
            (0, current[0]),
            |best, (i, v)| if *v > best.1 { (i, *v) } else { best },
        );
    let mut aria = format!(
        "{}: {} points from {} to {}; total {}, highest {} on {}",
        chart.title,
        n,
        label_at(0),
        label_at(n - 1),
        value(total),
        value(peak.1),
        label_at(peak.0)
    );
    if !previous.is_empty() {
        let _ = write!(
            aria,
            "; {} total {}",
            chart.previous_name.to_lowercase(),
            value(previous.iter().sum())
        );
    }
    let mut s = open(height, &chart.title, &aria);

    // Legend.
    let _ = write!(
        s,
        "<g class=\"ca-legend\"><line class=\"ca-line\" x1=\"{l}\" y1=\"14\" x2=\"{l2}\" y2=\"14\" \
         stroke=\"{ACCENT}\" stroke-width=\"2\"/><text class=\"ca-label\" x=\"{lt}\" y=\"18\" \
         fill=\"currentColor\">{}</text>",
        escape(&chart.current_name),
        l = num(left),
        l2 = num(left + 20.0),
        lt = num(left + 26.0),
    );
    if !previous.is_empty() {
        let px = left + 26.0 + 7.0 * chart.current_name.chars().count() as f64 + 24.0;
        let _ = write!(
            s,
            "<line class=\"ca-prev\" x1=\"{a}\" y1=\"14\" x2=\"{b}\" y2=\"14\" stroke=\"{MUTED}\" \
             stroke-width=\"1.5\" stroke-dasharray=\"5 4\"/><text class=\"ca-label\" x=\"{c}\" \
             y=\"18\" fill=\"currentColor\">{}</text>",
            escape(&chart.previous_name),
            a = num(px),
            b = num(px + 20.0),
            c = num(px + 26.0),
        );
    }
    s.push_str("</g>");

    // Grid and y ticks.
    let ticks = ((top / step).round() as usize).min(10);
    for k in 0..=ticks {
        let v = step * k as f64;
        let _ = write!(
            s,
            "<line class=\"ca-grid\" x1=\"{}\" y1=\"{yy}\" x2=\"{}\" y2=\"{yy}\" stroke=\"currentColor\" \
             stroke-opacity=\"0.12\"/><text class=\"ca-label\" x=\"{}\" y=\"{}\" text-anchor=\"end\" \
             fill=\"currentColor\">{}</text>",
            num(left),
            num(WIDTH - right),
            num(left - 6.0),
            num(y(v) + 4.0),
            escape(&compact(v)),
            yy = num(y(v)),
        );
    }
    // X labels, at most about eight.
    let every = n.div_ceil(8).max(1);
    for i in (0..n).step_by(every) {
        let _ = write!(
            s,
            "<text class=\"ca-label\" x=\"{}\" y=\"{}\" text-anchor=\"middle\" fill=\"currentColor\">{}</text>",
            num(x(i)),
            num(base + 18.0),
            escape(&short_label(&label_at(i)))
        );
    }
    let _ = write!(
        s,
        "<line class=\"ca-axis\" x1=\"{}\" y1=\"{b}\" x2=\"{}\" y2=\"{b}\" stroke=\"currentColor\" stroke-opacity=\"0.35\"/>",
        num(left),
        num(WIDTH - right),
        b = num(base)
    );

    let points = |values: &[f64]| {
        values
            .iter()
            .enumerate()
            .map(|(i, v)| format!("{},{}", num(x(i)), num(y(*v))))
            .collect::<Vec<_>>()
            .join(" ")
    };
    if !previous.is_empty() {
        let _ = write!(
            s,
            "<polyline class=\"ca-prev\" points=\"{}\" fill=\"none\" stroke=\"{MUTED}\" \
             stroke-width=\"1.5\" stroke-dasharray=\"5 4\"/>",
            points(&previous)
        );
    }
    let _ = write!(
        s,
        "<polygon class=\"ca-area\" points=\"{},{b} {} {},{b}\" fill=\"{ACCENT}\" fill-opacity=\"0.12\"/>\
         <polyline class=\"ca-line\" points=\"{}\" fill=\"none\" stroke=\"{ACCENT}\" stroke-width=\"2\" \
         stroke-linejoin=\"round\"/>",
        num(x(0)),
        points(&current),
        num(x(n - 1)),
        points(&current),
        b = num(base)
    );
    for (i, v) in current.iter().enumerate() {
        let mut tip = format!("{}: {}", label_at(i), value(*v));
        if let Some(p) = previous.get(i) {
            let _ = write!(
                tip,
                " ({} {})",
                chart.previous_name.to_lowercase(),
                value(*p)
            );
        }
        let _ = write!(
            s,
            "<circle class=\"ca-dot\" cx=\"{}\" cy=\"{}\" r=\"2.5\" fill=\"{ACCENT}\"><title>{}</title></circle>",
            num(x(i)),
            num(y(*v)),
            escape(&tip)
        );
    }
    s.push_str("</svg>");
    s
}

/// A horizontal bar chart: label, bar, value.
pub fn bar_chart(title: &str, bars: &[Bar]) -> String {
    let values: Vec<f64> = clean(&bars.iter().map(|b| b.value).collect::<Vec<_>>());
    let max = values.iter().copied().fold(0.0f64, f64::max);
    if bars.is_empty() || max <= 0.0 {
        return empty(title);
    }
    let (row, top, label_w, bar_x, bar_w) = (28.0, 8.0, 192.0, 200.0, 340.0);
    let height = top * 2.0 + row * bars.len() as f64;
    let aria = format!(
        "{title}: {}",
        bars.iter()
            .take(5)
            .map(|b| format!("{} {}", b.label, b.value_label))
            .collect::<Vec<_>>()
            .join(", ")
    );
    let mut s = open(height, title, &aria);
    for (i, (b, v)) in bars.iter().zip(&values).enumerate() {
        let y0 = top + row * i as f64;
        let w = if *v > 0.0 {
            (bar_w * v / max).max(2.0)
        } else {
            0.0
        };
        let _ = write!(
            s,
            "<g><title>{}</title><text class=\"ca-label\" x=\"{}\" y=\"{}\" text-anchor=\"end\" \
             fill=\"currentColor\">{}</text><rect class=\"ca-bar\" x=\"{}\" y=\"{}\" width=\"{}\" \
             height=\"18\" rx=\"2\" fill=\"{ACCENT}\"/><text class=\"ca-label\" x=\"{}\" y=\"{}\" \
             fill=\"currentColor\">{}</text></g>",
            escape(&format!("{}: {}", b.label, b.value_label)),
            num(label_w),
            num(y0 + 18.0),
            escape(&truncate(&b.label, 28)),
            num(bar_x),
            num(y0 + 5.0),
            num(w),
            num(bar_x + w + 6.0),
            num(y0 + 18.0),
            escape(&b.value_label)
        );
    }
    s.push_str("</svg>");
    s
}

/// The funnel: one centred bar per step, narrowing, with its count and share of the first.
pub fn funnel(title: &str, steps: &[FunnelStep]) -> String {
    let first = steps.first().map_or(0, |f| f.conversations);
    if first == 0 {
        return empty(title);
    }
    let (row, top, centre, bar_w) = (44.0, 8.0, 350.0, 320.0);
    let height = top * 2.0 + row * steps.len() as f64;
    let describe = |f: &FunnelStep| {
        let rate = f.conversations as f64 / first as f64;
        format!("{} {} ({})", f.label, f.conversations, percent(rate))
    };
    let aria = format!(
        "{title}: {}",
        steps.iter().map(describe).collect::<Vec<_>>().join(", ")
    );
    let mut s = open(height, title, &aria);
    for (i, f) in steps.iter().enumerate() {
        let y0 = top + row * i as f64;
        let rate = (f.conversations as f64 / first as f64).clamp(0.0, 1.0);
        let w = if f.conversations > 0 {
            (bar_w * rate).max(2.0)
        } else {
            0.0
        };
        let _ = write!(
            s,
            "<g><title>{}</title><text class=\"ca-label\" x=\"0\" y=\"{}\" fill=\"currentColor\">{}</text>\
             <rect class=\"ca-bar\" x=\"{}\" y=\"{}\" width=\"{}\" height=\"30\" rx=\"3\" fill=\"{ACCENT}\" \
             fill-opacity=\"{}\"/><text class=\"ca-label\" x=\"{}\" y=\"{}\" text-anchor=\"end\" \
             fill=\"currentColor\">{} · {}</text></g>",
            escape(&describe(f)),
            num(y0 + 26.0),
            escape(&truncate(&f.label, 24)),
            num(centre - w / 2.0),
            num(y0 + 6.0),
            num(w),
            num(1.0 - 0.12 * i.min(4) as f64),
            num(WIDTH - 4.0),
            num(y0 + 26.0),
            f.conversations,
            percent(rate)
        );
    }
    s.push_str("</svg>");
    s
}
