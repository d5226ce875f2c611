//! The analytics dashboard (`/admin/analytics`) and its CSV exports
//! (`/admin/analytics/export/{table}`): the figures of `comptoir_analytics` for a period of the
//! shop's local days, each against the period just before.
//!
//! - **Period**: `?period=7d|30d|90d` (today included) or `?from=YYYY-MM-DD&to=YYYY-MM-DD`
//!   (both dates included); `period` wins when both are sent (the picker's preset buttons send
//!   the date fields too); 30 days by default. Dates that do not make a period answer 422.
//! - **Time zone**: a shop has no zone setting of its own; the only zone it names is its
//!   industry template's (`appointment.timezone`), so days are counted there, else in
//!   `Europe/Paris` (the product's home market).
//! - **Reads**: the conversations created in each period, oldest first, at most
//!   [`MAX_CONVERSATIONS`] per period (the page says so when it stops there), read in pages
//!   with their turns so that raw rows never pile up; the orders placed from the previous
//!   period's start to [`ORDER_GRACE_DAYS`] days after the period's end. Revenue counts the
//!   orders placed in the period; conversion looks at every order read that is linked to a
//!   conversation of the period, so an order paid for a late-evening chat the next morning
//!   still converts it.
//! - **Computation** runs off the async runtime (`spawn_blocking`).
//! - Charts are the crate's SVG, which escapes its own labels: it is the only markup the
//!   template inserts unescaped.

use super::auth::Admin;
use super::views::url_encode;
use super::{AdminError, Page};
use crate::state::AppState;
use axum::extract::{Path, Query, State};
use axum::http::{header, StatusCode};
use axum::response::{IntoResponse, Redirect};
use comptoir_analytics::{
    protect, svg, Bar, Comparison, ConversationFacts, DailyMetric, Decimal, Delta, Facts,
    LineChart, Metric, OrderFacts, Period, Preset, Report, Table, TurnFacts, Tz, Unit,
};
use comptoir_domain::{now_ms, PlacedOrder, Tenant};
use comptoir_store::{ConversationRecord, TurnRecord};
use minijinja::context;
use rust_decimal::prelude::ToPrimitive;
use serde::Serialize;
use std::collections::{HashMap, HashSet};

/// Conversations read per period at most.
pub const MAX_CONVERSATIONS: usize = 50_000;
/// Orders placed this many days after the period's end still convert its conversations.
pub const ORDER_GRACE_DAYS: i64 = 7;
/// Conversations read at once (with their turns).
const PAGE_SIZE: usize = 1_000;
/// Days are counted here when the shop's template names no zone.
const DEFAULT_ZONE: Tz = chrono_tz::Europe::Paris;
const DAY_MS: i64 = 24 * 3600 * 1000;

/// `/admin`: the dashboard is the admin's home.
pub async fn home(admin: Admin) -> Page {
    admin.shop()?;
    Ok(Redirect::to("/admin/analytics").into_response())
}

/// The shop's time zone: its template's, else [`DEFAULT_ZONE`].
fn zone_of(st: &AppState, tenant: &Tenant) -> Tz {
    st.conversations
        .template(tenant)
        .appointment
        .as_ref()
        .and_then(|a| a.zone().ok())
        .unwrap_or(DEFAULT_ZONE)
}

/// What the query string asked for (the last value of each parameter counts).
#[derive(Debug, Default, Clone)]
struct Asked {
    period: Option<String>,
    from: Option<String>,
    to: Option<String>,
}

impl Asked {
    fn of(pairs: &[(String, String)]) -> Asked {
        let mut a = Asked::default();
        for (k, v) in pairs {
            let v = Some(v.trim().to_string()).filter(|v| !v.is_empty());
            match k.as_str() {
                "period" => a.period = v,
                "from" => a.from = v,
                "to" => a.to = v,
                _ => {}
            }
        }
        a
    }
}

/// The period a request names, or why it names none.
#[derive(Debug, Clone)]
struct Chosen {
    period: Period,
    preset: Option<Preset>,
}

fn clip(s: &str) -> String {
    s.chars().take(40).collect()
}

fn choose(asked: &Asked, tz: Tz, now: i64) -> Result<Chosen, String> {
    if let Some(p) = &asked.period {
        let preset = Preset::parse(p).ok_or_else(|| {
            format!(
                "Unknown period “{}”: choose the last 7, 30 or 90 days (7d, 30d, 90d), or two dates.",
                clip(p)
            )
        })?;
        return Ok(Chosen {
            period: Period::preset(preset, now, tz),
            preset: Some(preset),
        });
    }
    match (&asked.from, &asked.to) {
        (None, None) => {
            let preset = Preset::Last30Days;
            Ok(Chosen {
                period: Period::preset(preset, now, tz),
                preset: Some(preset),
            })
        }
        (Some(from), Some(to)) => Period::from_dates(from, to, tz)
            .map(|period| Chosen {
                period,
                preset: None,
            })
            .map_err(|e| {
                let mut m = format!("These dates do not make a period: {e}.");
                m.push_str(" Use YYYY-MM-DD dates, the first on or before the last, at most ");
                m.push_str(&format!(
                    "{} days apart.",
                    comptoir_analytics::MAX_PERIOD_DAYS
                ));
                m
            }),
        _ => Err("Choose both a first and a last date (YYYY-MM-DD).".into()),
    }
}

/// The facts of one or two periods, and whether a period had more conversations than read.
struct Loaded {
    facts: Facts,
    capped: bool,
    previous_capped: bool,
}

/// Conversation rows as facts, with their turns (in `seq` order, as the store returns them).
fn to_facts(
    rows: Vec<ConversationRecord>,
    turns: Vec<(String, TurnRecord)>,
) -> Vec<ConversationFacts> {
    let mut by_id: HashMap<String, Vec<TurnFacts>> = HashMap::new();
    for (id, t) in turns {
        by_id.entry(id).or_default().push(TurnFacts::from_stored(
            &t.input,
            t.understanding.as_deref(),
            &t.actions,
            &t.reply,
            t.server_us,
            t.created_at,
        ));
    }
    rows.into_iter()
        .map(|c| ConversationFacts {
            turns: by_id.remove(&c.id).unwrap_or_default(),
            id: c.id,
            channel: c.channel,
            status: c.status,
            created_at_ms: c.created_at,
        })
        .collect()
}

/// The conversations created in `period`, at most [`MAX_CONVERSATIONS`], with their turns;
/// `true` when there were more.
async fn conversations_of(
    st: &AppState,
    tenant_id: &str,
    period: Period,
    out: &mut Vec<ConversationFacts>,
) -> Result<bool, AdminError> {
    let mut from = period.from_ms;
    // Ids already read that were created at `from` (pages resume at the last instant read).
    let mut seen_at_from: HashSet<String> = HashSet::new();
    let mut read = 0usize;
    loop {
        let page = st
            .store
            .conversations_between(tenant_id, from, period.to_ms, PAGE_SIZE as u32)
            .await?;
        let full = page.len() == PAGE_SIZE;
        let last_ms = page.last().map(|c| c.created_at);
        let mut fresh: Vec<ConversationRecord> = page
            .into_iter()
            .filter(|c| !(c.created_at == from && seen_at_from.contains(&c.id)))
            .collect();
        let mut capped = false;
        if read + fresh.len() > MAX_CONVERSATIONS {
            fresh.truncate(MAX_CONVERSATIONS - read);
            capped = true;
        }
        read += fresh.len();
        if let Some(last) = last_ms {
            if last != from {
                seen_at_from.clear();
            }
            seen_at_from.extend(
                fresh
                    .iter()
                    .filter(|c| c.created_at == last)
                    .map(|c| c.id.clone()),
            );
        }
        let progressed = !fresh.is_empty();
        if progressed {
            let ids: Vec<String> = fresh.iter().map(|c| c.id.clone()).collect();
            let turns = st.store.turns_of(tenant_id, &ids).await?;
            let facts = tokio::task::spawn_blocking(move || to_facts(fresh, turns))
                .await
                .map_err(AdminError::internal)?;
            out.extend(facts);
        }
        if capped {
            return Ok(true);
        }
        if !full {
            return Ok(false);
        }
        if read == MAX_CONVERSATIONS {
            // A full page ended exactly at the cap: more may follow.
            return Ok(true);
        }
        match last_ms {
            // More than a page of conversations created in the same millisecond: skip past it.
            Some(last) if !progressed || last == from && seen_at_from.len() >= PAGE_SIZE => {
                from = last.saturating_add(1);
                seen_at_from.clear();
            }
            Some(last) => from = last,
            None => return Ok(false),
        }
    }
}

fn order_facts(o: PlacedOrder) -> OrderFacts {
    let scale = Decimal::from(10i64.pow(o.currency.exponent()));
    let minor = o
        .currency
        .to_minor(o.total)
        .ok()
        .or_else(|| o.total.checked_mul(scale).and_then(|d| d.round().to_i64()))
        .unwrap_or(0);
    OrderFacts::new(
        o.id,
        o.conversation_id,
        o.status.as_str(),
        minor,
        o.currency.as_str(),
        o.created_at,
    )
}

/// Reads what `period` (and `previous`, when given) needs.
async fn load(
    st: &AppState,
    tenant_id: &str,
    period: Period,
    previous: Option<Period>,
) -> Result<Loaded, AdminError> {
    let mut conversations = Vec::new();
    let capped = conversations_of(st, tenant_id, period, &mut conversations).await?;
    let previous_capped = match previous {
        Some(p) => conversations_of(st, tenant_id, p, &mut conversations).await?,
        None => false,
    };
    let from = previous.map_or(period.from_ms, |p| p.from_ms.min(period.from_ms));
    let to = period.to_ms.saturating_add(ORDER_GRACE_DAYS * DAY_MS);
    let orders = st
        .store
        .orders_between(tenant_id, from, to)
        .await?
        .into_iter()
        .map(order_facts)
        .collect();
    Ok(Loaded {
        facts: Facts {
            conversations,
            orders,
        },
        capped,
        previous_capped,
    })
}

/// A decimal with its integer part grouped by thousands: `12,345.60`.
fn grouped(d: Decimal) -> String {
    let s = d.to_string();
    let (sign, digits) = s.strip_prefix('-').map_or(("", s.as_str()), |r| ("-", r));
    let (int, frac) = digits
        .split_once('.')
        .map_or((digits, None), |(i, f)| (i, Some(f)));
    let mut out = String::from(sign);
    for (i, c) in int.chars().enumerate() {
        if i > 0 && (int.len() - i) % 3 == 0 {
            out.push(',');
        }
        out.push(c);
    }
    if let Some(f) = frac {
        out.push('.');
        out.push_str(f);
    }
    out
}

/// Money with exactly its currency's decimals.
fn money(d: Decimal, currency: &str) -> String {
    let mut d = d.round_dp(comptoir_analytics::exponent(currency));
    d.rescale(comptoir_analytics::exponent(currency));
    format!("{} {currency}", grouped(d))
}

/// A headline value as shown: `42.50%`, `49.00 EUR`, `12.3 ms`, `4.50 / 5`.
fn shown(metric: Metric, unit: Unit, currency: Option<&str>, v: Decimal) -> String {
    match unit {
        Unit::Count => grouped(v),
        Unit::Percent => format!("{v}%"),
        Unit::Money => match currency {
            Some(c) => money(v, c),
            None => grouped(v),
        },
        Unit::Milliseconds => format!("{} ms", grouped(v)),
        Unit::Score if metric == Metric::Csat => format!("{v} / 5"),
        Unit::Score => v.to_string(),
    }
}

/// A change as shown: `+2.50 pts`, `-3 (-25.0%)`, `+4.00 EUR (+10.0%)`.
fn change_shown(d: &Delta) -> Option<String> {
    let c = d.change?;
    if c.is_zero() {
        return Some("no change".into());
    }
    let signed = |s: String| {
        if c.is_sign_positive() {
            format!("+{s}")
        } else {
            s
        }
    };
    let mut out = match d.unit {
        Unit::Percent => signed(format!("{c} pts")),
        Unit::Money => signed(match &d.currency {
            Some(cur) => money(c, cur),
            None => grouped(c),
        }),
        Unit::Milliseconds => signed(format!("{} ms", grouped(c))),
        _ => signed(grouped(c)),
    };
    if let Some(p) = d.change_pct {
        let p = if p.is_sign_positive() && !p.is_zero() {
            format!("+{p}")
        } else {
            p.to_string()
        };
        out.push_str(&format!(" ({p}%)"));
    }
    Some(out)
}

/// One KPI card.
#[derive(Debug, Serialize)]
struct Kpi {
    key: &'static str,
    label: &'static str,
    hint: String,
    value: Option<String>,
    previous: Option<String>,
    change: Option<String>,
    /// `up` (good news), `down` (bad news) or empty.
    trend: &'static str,
    /// `▲`, `▼` or empty: the direction of the change.
    arrow: &'static str,
    /// `better`, `worse` or empty, for screen readers.
    verdict: &'static str,
}

const HEADLINES: [Metric; 10] = [
    Metric::Conversations,
    Metric::EngagedRate,
    Metric::ConversionRate,
    Metric::Revenue,
    Metric::AverageBasket,
    Metric::NotUnderstoodRate,
    Metric::ResponseP50,
    Metric::ResponseP95,
    Metric::Csat,
    Metric::Nps,
];

const SECONDARY: [Metric; 6] = [
    Metric::AgentOrders,
    Metric::PaidOrders,
    Metric::Searches,
    Metric::ZeroResultRate,
    Metric::Handoffs,
    Metric::Leads,
];

fn hint(metric: Metric, r: &Report) -> String {
    match metric {
        Metric::Conversations => "started in the period".into(),
        Metric::EngagedRate => "shopper did more than say hello".into(),
        Metric::ConversionRate => "conversations with a paid order".into(),
        Metric::Revenue => "paid orders placed through the agent".into(),
        Metric::AverageBasket => "per paid agent order".into(),
        Metric::NotUnderstoodRate => "messages the agent could not answer".into(),
        Metric::ResponseP50 => "half of the replies took less".into(),
        Metric::ResponseP95 => "95% of the replies took less".into(),
        Metric::Csat => format!("mean of {} answer(s), 1 to 5", r.csat.responses),
        Metric::Nps => format!("from {} answer(s), −100 to 100", r.nps.responses),
        Metric::AgentOrders => "orders placed in a conversation".into(),
        Metric::PaidOrders => "of those, paid".into(),
        Metric::Searches => "product searches".into(),
        Metric::ZeroResultRate => "searches that found nothing".into(),
        Metric::Handoffs => "conversations handed to a person".into(),
        Metric::Leads => "contacts captured".into(),
    }
}

fn kpi(d: &Delta, r: &Report, tenant_currency: &str) -> Kpi {
    let cur = d.currency.as_deref();
    let show = |v: Option<Decimal>| match (v, d.metric) {
        (Some(v), m) => Some(shown(m, d.unit, cur, v)),
        // No order in any currency yet: nothing earned, in the shop's currency.
        (None, Metric::Revenue) if cur.is_none() => Some(money(Decimal::ZERO, tenant_currency)),
        (None, _) => None,
    };
    let sign = d.change.filter(|c| !c.is_zero());
    Kpi {
        key: d.metric.as_str(),
        label: d.metric.label(),
        hint: hint(d.metric, r),
        value: show(d.current),
        previous: show(d.previous),
        change: change_shown(d),
        trend: match d.improved {
            Some(true) => "up",
            Some(false) => "down",
            None => "",
        },
        arrow: match sign {
            Some(c) if c.is_sign_positive() => "▲",
            Some(_) => "▼",
            None => "",
        },
        verdict: match d.improved {
            Some(true) => "better",
            Some(false) => "worse",
            None => "",
        },
    }
}

/// The charts, as the crate's escaped SVG.
#[derive(Debug, Serialize)]
struct Charts {
    conversations: String,
    revenue: String,
    funnel: String,
    searches: String,
    zero_results: String,
    intents: String,
}

struct Computed {
    report: Report,
    previous: Report,
    cmp: Comparison,
}

fn compute(facts: &Facts, period: Period, tz: Tz) -> Computed {
    let report = Report::compute(facts, &period, tz);
    let previous = Report::compute(facts, &period.previous_in(tz), tz);
    let cmp = Comparison::of(&report, &previous);
    Computed {
        report,
        previous,
        cmp,
    }
}

fn charts(c: &Computed) -> Charts {
    let r = &c.report;
    Charts {
        conversations: svg::line_chart(&LineChart::daily(
            DailyMetric::Conversations,
            r,
            Some(&c.previous),
        )),
        revenue: svg::line_chart(&LineChart::daily(
            DailyMetric::Revenue,
            r,
            Some(&c.previous),
        )),
        funnel: svg::funnel("Sales funnel", &r.funnel),
        searches: svg::bar_chart("Top searches", &Bar::searches(&r.searches.top)),
        zero_results: svg::bar_chart(
            "Searches that found nothing",
            &Bar::zero_results(&r.searches.top_zero_results),
        ),
        intents: svg::bar_chart("What shoppers asked for", &Bar::intents(&r.intents)),
    }
}

/// The query string that names a period, for links (`period=30d`, `from=…&to=…`).
fn query_of(chosen: &Chosen, r: &Report) -> String {
    match chosen.preset {
        Some(p) => format!("period={}", p.slug()),
        None => format!(
            "from={}&to={}",
            url_encode(&r.from_date),
            url_encode(&r.to_date)
        ),
    }
}

fn presets(current: Option<Preset>) -> Vec<minijinja::Value> {
    Preset::ALL
        .iter()
        .map(|p| {
            context! {
                slug => p.slug(),
                label => format!("Last {} days", p.days()),
                current => current == Some(*p),
            }
        })
        .collect()
}

/// `GET /admin/analytics`.
pub async fn page(
    State(st): State<AppState>,
    admin: Admin,
    Query(q): Query<Vec<(String, String)>>,
) -> Page {
    let tenant = admin.shop()?.clone();
    let tz = zone_of(&st, &tenant);
    let asked = Asked::of(&q);
    let chosen = match choose(&asked, tz, now_ms()) {
        Ok(c) => c,
        Err(message) => {
            let mut res = st.admin.views.page(
                "analytics.html",
                Some(&admin),
                context! {
                    nav => "analytics",
                    error => message,
                    presets => presets(None),
                    from => asked.from.as_deref().map(clip),
                    to => asked.to.as_deref().map(clip),
                    tz => tz.name(),
                    max_conversations => grouped(Decimal::from(MAX_CONVERSATIONS as u64)),
                },
            )?;
            *res.status_mut() = StatusCode::UNPROCESSABLE_ENTITY;
            return Ok(res);
        }
    };
    let period = chosen.period;
    let loaded = load(&st, &tenant.id, period, Some(period.previous_in(tz))).await?;
    let Loaded {
        facts,
        capped,
        previous_capped,
    } = loaded;
    let (computed, charts) = tokio::task::spawn_blocking(move || {
        let c = compute(&facts, period, tz);
        let charts = charts(&c);
        (c, charts)
    })
    .await
    .map_err(AdminError::internal)?;
    let r = &computed.report;
    let kpis: Vec<Kpi> = HEADLINES
        .iter()
        .filter_map(|m| computed.cmp.get(*m))
        .map(|d| kpi(d, r, tenant.currency.as_str()))
        .collect();
    let more: Vec<Kpi> = SECONDARY
        .iter()
        .filter_map(|m| computed.cmp.get(*m))
        .map(|d| kpi(d, r, tenant.currency.as_str()))
        .collect();
    let review: Vec<_> = r
        .to_review
        .iter()
        .map(|m| {
            context! {
                at => &m.at,
                text => &m.text,
                intent => &m.intent,
                confidence => m.confidence.map(|c| format!("{c:.2}")),
                conversation => url_encode(&m.conversation_id),
            }
        })
        .collect();
    let currencies: Vec<_> = r
        .by_currency
        .iter()
        .map(|t| {
            context! {
                currency => &t.currency,
                orders => t.orders,
                paid_orders => t.paid_orders,
                revenue => money(t.revenue.amount, &t.currency),
                average_basket => t.average_basket.as_ref().map(|m| money(m.amount, &m.currency)),
            }
        })
        .collect();
    let csat_average = r
        .csat
        .average
        .filter(|a| a.is_finite())
        .map(|a| format!("{a:.2}"));
    let nps_score = r
        .nps
        .score
        .filter(|s| s.is_finite())
        .map(|s| format!("{s:.1}"));
    st.admin.views.page(
        "analytics.html",
        Some(&admin),
        context! {
            nav => "analytics",
            presets => presets(chosen.preset),
            custom => chosen.preset.is_none(),
            from => &r.from_date,
            to => &r.to_date,
            previous_from => &computed.previous.from_date,
            previous_to => &computed.previous.to_date,
            tz => tz.name(),
            qs => query_of(&chosen, r),
            capped,
            previous_capped,
            max_conversations => grouped(Decimal::from(MAX_CONVERSATIONS as u64)),
            order_grace_days => ORDER_GRACE_DAYS,
            review_cap => comptoir_analytics::REVIEW_CAP,
            kpis,
            more,
            charts,
            report => r,
            review,
            currencies,
            csat_average,
            nps_score,
        },
    )
}

/// What `/admin/analytics/export/{table}` can write.
#[derive(Debug, Clone, Copy)]
enum Export {
    /// The headline metrics with the previous period's.
    Summary,
    Table(Table),
    /// Agent orders by status.
    Orders,
    /// Agent orders and revenue by currency.
    Currencies,
}

impl Export {
    fn parse(slug: &str) -> Option<Export> {
        match slug {
            "orders" => Some(Export::Orders),
            "currencies" => Some(Export::Currencies),
            _ => Table::parse(slug).map(|t| match t {
                Table::Summary => Export::Summary,
                t => Export::Table(t),
            }),
        }
    }

    fn slug(self) -> &'static str {
        match self {
            Export::Summary => Table::Summary.slug(),
            Export::Table(t) => t.slug(),
            Export::Orders => "orders",
            Export::Currencies => "currencies",
        }
    }
}

/// A small CSV as the analytics crate writes them: CRLF line ends, text cells protected
/// against formula injection, quoted when needed.
fn csv(header: &[&str], rows: &[Vec<String>]) -> String {
    let cell = |c: &str| {
        let c = protect(c);
        if c.contains([',', '"', '\r', '\n']) {
            format!("\"{}\"", c.replace('"', "\"\""))
        } else {
            c.into_owned()
        }
    };
    let mut out = String::new();
    for row in std::iter::once(header.iter().map(|h| h.to_string()).collect::<Vec<_>>())
        .chain(rows.iter().cloned())
    {
        let line: Vec<String> = row.iter().map(|c| cell(c)).collect();
        out.push_str(&line.join(","));
        out.push_str("\r\n");
    }
    out
}

fn orders_csv(r: &Report) -> String {
    let o = &r.orders;
    let rows: Vec<Vec<String>> = [
        ("placed", o.placed),
        ("awaiting_payment", o.awaiting_payment),
        ("paid", o.paid),
        ("cancelled", o.cancelled),
        ("expired", o.expired),
        ("other", o.other),
    ]
    .iter()
    .map(|(s, n)| vec![s.to_string(), n.to_string()])
    .collect();
    csv(&["status", "orders"], &rows)
}

fn currencies_csv(r: &Report) -> String {
    let rows: Vec<Vec<String>> = r
        .by_currency
        .iter()
        .map(|t| {
            vec![
                t.currency.clone(),
                t.orders.to_string(),
                t.paid_orders.to_string(),
                t.revenue.amount.to_string(),
                t.average_basket
                    .as_ref()
                    .map(|m| m.amount.to_string())
                    .unwrap_or_default(),
            ]
        })
        .collect();
    csv(
        &[
            "currency",
            "orders",
            "paid_orders",
            "revenue",
            "average_basket",
        ],
        &rows,
    )
}

/// `GET /admin/analytics/export/{table}`: one table of the period as CSV.
pub async fn export(
    State(st): State<AppState>,
    admin: Admin,
    Path(table): Path<String>,
    Query(q): Query<Vec<(String, String)>>,
) -> Page {
    let tenant = admin.shop()?.clone();
    let what = Export::parse(&table).ok_or_else(|| AdminError::not_found("Table"))?;
    let tz = zone_of(&st, &tenant);
    let chosen = choose(&Asked::of(&q), tz, now_ms())
        .map_err(|m| AdminError::new(StatusCode::UNPROCESSABLE_ENTITY, m))?;
    let period = chosen.period;
    let previous = matches!(what, Export::Summary).then(|| period.previous_in(tz));
    let loaded = load(&st, &tenant.id, period, previous).await?;
    let (name, body) = tokio::task::spawn_blocking(move || {
        let facts = loaded.facts;
        let report = Report::compute(&facts, &period, tz);
        let name = format!(
            "comptoir-{}-{}-{}.csv",
            what.slug(),
            report.from_date,
            report.to_date
        );
        let body = match what {
            Export::Summary => {
                let previous = Report::compute(&facts, &period.previous_in(tz), tz);
                Comparison::of(&report, &previous).csv()
            }
            Export::Table(t) => report.csv(t),
            Export::Orders => orders_csv(&report),
            Export::Currencies => currencies_csv(&report),
        };
        (name, body)
    })
    .await
    .map_err(AdminError::internal)?;
    Ok((
        [
            (header::CONTENT_TYPE, "text/csv; charset=utf-8".to_string()),
            (
                header::CONTENT_DISPOSITION,
                format!("attachment; filename=\"{name}\""),
            ),
            (header::CACHE_CONTROL, "no-store".to_string()),
            (header::X_CONTENT_TYPE_OPTIONS, "nosniff".to_string()),
        ],
        body,
    )
        .into_response())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn asked(period: Option<&str>, from: Option<&str>, to: Option<&str>) -> Asked {
        Asked {
            period: period.map(str::to_string),
            from: from.map(str::to_string),
            to: to.map(str::to_string),
        }
    }

    #[test]
    fn periods_from_the_query() {
        let now = 1_775_000_000_000; // 2026-03-31
        let tz = DEFAULT_ZONE;
        let c = choose(&asked(None, None, None), tz, now).unwrap();
        assert_eq!(c.preset, Some(Preset::Last30Days));
        let c = choose(&asked(Some("7d"), Some("garbage"), None), tz, now).unwrap();
        assert_eq!(
            c.preset,
            Some(Preset::Last7Days),
            "a preset wins over the date fields"
        );
        let c = choose(
            &asked(None, Some("2026-03-01"), Some("2026-03-31")),
            tz,
            now,
        )
        .unwrap();
        assert_eq!(c.preset, None);
        assert_eq!(
            c.period,
            Period::from_dates("2026-03-01", "2026-03-31", tz).unwrap()
        );
        for bad in [
            asked(Some("1y"), None, None),
            asked(None, Some("2026-02-30"), Some("2026-03-01")),
            asked(None, Some("2026-03-02"), Some("2026-03-01")),
            asked(None, Some("2020-01-01"), Some("2026-03-01")),
            asked(None, Some("2026-03-01"), None),
        ] {
            let e = choose(&bad, tz, now).unwrap_err();
            assert!(!e.is_empty());
        }
        let pairs = vec![
            ("from".to_string(), " 2026-03-01 ".to_string()),
            ("period".into(), "".into()),
        ];
        let a = Asked::of(&pairs);
        assert_eq!((a.from.as_deref(), a.period), (Some("2026-03-01"), None));
    }

    #[test]
    fn numbers_are_shown_grouped_with_their_unit() {
        assert_eq!(grouped(Decimal::new(123456789, 2)), "1,234,567.89");
        assert_eq!(grouped(Decimal::new(-1234, 0)), "-1,234");
        assert_eq!(money(Decimal::ZERO, "EUR"), "0.00 EUR");
        assert_eq!(money(Decimal::new(1500, 0), "JPY"), "1,500 JPY");
        assert_eq!(
            shown(
                Metric::EngagedRate,
                Unit::Percent,
                None,
                Decimal::new(6667, 2)
            ),
            "66.67%"
        );
        assert_eq!(
            shown(Metric::Csat, Unit::Score, None, Decimal::new(450, 2)),
            "4.50 / 5"
        );
        assert_eq!(
            shown(
                Metric::ResponseP50,
                Unit::Milliseconds,
                None,
                Decimal::new(12, 1)
            ),
            "1.2 ms"
        );
    }

    #[test]
    fn small_csv_is_protected_and_quoted() {
        let out = csv(&["a", "b"], &[vec!["=1+1".into(), "x,\"y\"".into()]]);
        assert_eq!(out, "a,b\r\n'=1+1,\"x,\"\"y\"\"\"\r\n");
    }
}
