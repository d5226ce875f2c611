//! Headline metrics as exact decimals, and how they moved since the previous period.

use rust_decimal::{Decimal, RoundingStrategy};
use serde::Serialize;

use crate::period::Period;
use crate::report::{Ratio, Report};

/// The dashboard's headline metrics, in display order.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Metric {
    Conversations,
    EngagedRate,
    ConversionRate,
    AgentOrders,
    PaidOrders,
    Revenue,
    AverageBasket,
    Searches,
    ZeroResultRate,
    NotUnderstoodRate,
    ResponseP50,
    ResponseP95,
    Csat,
    Nps,
    Handoffs,
    Leads,
}

/// How a metric's value reads.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Unit {
    Count,
    /// 0..100, two decimals; changes are in percentage points.
    Percent,
    /// Major units of `currency`.
    Money,
    /// Milliseconds, one decimal.
    Milliseconds,
    /// CSAT mean (1–5, two decimals) or NPS (−100..100, one decimal).
    Score,
}

impl Metric {
    pub const ALL: [Metric; 16] = [
        Metric::Conversations,
        Metric::EngagedRate,
        Metric::ConversionRate,
        Metric::AgentOrders,
        Metric::PaidOrders,
        Metric::Revenue,
        Metric::AverageBasket,
        Metric::Searches,
        Metric::ZeroResultRate,
        Metric::NotUnderstoodRate,
        Metric::ResponseP50,
        Metric::ResponseP95,
        Metric::Csat,
        Metric::Nps,
        Metric::Handoffs,
        Metric::Leads,
    ];

    pub fn as_str(self) -> &'static str {
        match self {
            Metric::Conversations => "conversations",
            Metric::EngagedRate => "engaged_rate",
            Metric::ConversionRate => "conversion_rate",
            Metric::AgentOrders => "agent_orders",
            Metric::PaidOrders => "paid_orders",
            Metric::Revenue => "revenue",
            Metric::AverageBasket => "average_basket",
            Metric::Searches => "searches",
            Metric::ZeroResultRate => "zero_result_rate",
            Metric::NotUnderstoodRate => "not_understood_rate",
            Metric::ResponseP50 => "response_p50",
            Metric::ResponseP95 => "response_p95",
            Metric::Csat => "csat",
            Metric::Nps => "nps",
            Metric::Handoffs => "handoffs",
            Metric::Leads => "leads",
        }
    }

    pub fn label(self) -> &'static str {
        match self {
            Metric::Conversations => "Conversations",
            Metric::EngagedRate => "Engaged rate",
            Metric::ConversionRate => "Conversion rate",
            Metric::AgentOrders => "Orders placed",
            Metric::PaidOrders => "Paid orders",
            Metric::Revenue => "Revenue",
            Metric::AverageBasket => "Average basket",
            Metric::Searches => "Searches",
            Metric::ZeroResultRate => "Zero-result searches",
            Metric::NotUnderstoodRate => "Not understood",
            Metric::ResponseP50 => "Response time p50",
            Metric::ResponseP95 => "Response time p95",
            Metric::Csat => "CSAT",
            Metric::Nps => "NPS",
            Metric::Handoffs => "Handoffs",
            Metric::Leads => "Leads",
        }
    }

    pub fn unit(self) -> Unit {
        match self {
            Metric::EngagedRate
            | Metric::ConversionRate
            | Metric::ZeroResultRate
            | Metric::NotUnderstoodRate => Unit::Percent,
            Metric::Revenue | Metric::AverageBasket => Unit::Money,
            Metric::ResponseP50 | Metric::ResponseP95 => Unit::Milliseconds,
            Metric::Csat | Metric::Nps => Unit::Score,
            _ => Unit::Count,
        }
    }

    /// Whether a rise is good news (false for failure rates and response times; handoffs
    /// are neither, counted as false).
    pub fn higher_is_better(self) -> bool {
        !matches!(
            self,
            Metric::ZeroResultRate
                | Metric::NotUnderstoodRate
                | Metric::ResponseP50
                | Metric::ResponseP95
                | Metric::Handoffs
        )
    }

    /// Whether a relative change means something: not for rates (their change is in points)
    /// nor for NPS (which may be negative or zero).
    fn relative(self) -> bool {
        !matches!(self.unit(), Unit::Percent) && self != Metric::Nps
    }
}

/// A headline metric's value in one report; `None` when undefined (a rate of nothing, a
/// basket without paid orders, a percentile without turns).
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Headline {
    pub metric: Metric,
    pub label: String,
    pub unit: Unit,
    /// For money.
    pub currency: Option<String>,
    /// Serialised as a string (`"42.5"`).
    pub value: Option<Decimal>,
}

/// Rounded half away from zero, and written with exactly `dp` decimals.
fn round(d: Decimal, dp: u32) -> Decimal {
    let mut r = d.round_dp_with_strategy(dp, RoundingStrategy::MidpointAwayFromZero);
    r.rescale(dp);
    r
}

fn percent(r: &Ratio) -> Option<Decimal> {
    (r.of > 0).then(|| {
        round(
            Decimal::from(r.count) * Decimal::ONE_HUNDRED / Decimal::from(r.of),
            2,
        )
    })
}

fn millis(us: Option<i64>) -> Option<Decimal> {
    us.map(|us| round(Decimal::new(us, 3), 1))
}

impl Report {
    /// The value of one headline metric; money in `currency` (the report's own when `None`).
    pub fn value(&self, metric: Metric, currency: Option<&str>) -> Option<Decimal> {
        let currency = currency.or(self.currency.as_deref());
        let totals = || {
            self.by_currency
                .iter()
                .find(|t| Some(t.currency.as_str()) == currency)
        };
        match metric {
            Metric::Conversations => Some(Decimal::from(self.conversations)),
            Metric::EngagedRate => percent(&self.engaged),
            Metric::ConversionRate => percent(&self.conversion),
            Metric::AgentOrders => Some(Decimal::from(self.orders.placed)),
            Metric::PaidOrders => Some(Decimal::from(self.orders.paid)),
            // No order of that currency: none earned (when the currency is known at all).
            Metric::Revenue => {
                currency.map(|_| totals().map_or(Decimal::ZERO, |t| t.revenue.amount))
            }
            Metric::AverageBasket => totals()
                .and_then(|t| t.average_basket.as_ref())
                .map(|m| m.amount),
            Metric::Searches => Some(Decimal::from(self.searches.total)),
            Metric::ZeroResultRate => percent(&self.searches.zero_results),
            Metric::NotUnderstoodRate => percent(&self.not_understood),
            Metric::ResponseP50 => millis(self.response_time.p50_us),
            Metric::ResponseP95 => millis(self.response_time.p95_us),
            Metric::Csat => {
                let n = self.csat.responses;
                let sum: u64 = self
                    .csat
                    .scores
                    .iter()
                    .zip(1u64..)
                    .map(|(c, s)| c * s)
                    .sum();
                (n > 0).then(|| round(Decimal::from(sum) / Decimal::from(n), 2))
            }
            Metric::Nps => {
                let n = self.nps.responses;
                (n > 0).then(|| {
                    let net =
                        Decimal::from(self.nps.promoters) - Decimal::from(self.nps.detractors);
                    round(net * Decimal::ONE_HUNDRED / Decimal::from(n), 1)
                })
            }
            Metric::Handoffs => Some(Decimal::from(self.handoffs)),
            Metric::Leads => Some(Decimal::from(self.leads)),
        }
    }

    /// Every headline metric of this report, in [`Metric::ALL`] order.
    pub fn headlines(&self) -> Vec<Headline> {
        Metric::ALL
            .iter()
            .map(|&metric| Headline {
                metric,
                label: metric.label().to_string(),
                unit: metric.unit(),
                currency: (metric.unit() == Unit::Money)
                    .then(|| self.currency.clone())
                    .flatten(),
                value: self.value(metric, None),
            })
            .collect()
    }
}

/// One headline metric now and in the previous period.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Delta {
    pub metric: Metric,
    pub label: String,
    pub unit: Unit,
    pub currency: Option<String>,
    pub current: Option<Decimal>,
    pub previous: Option<Decimal>,
    /// `current − previous` (percentage points for rates); `None` if either is `None`.
    pub change: Option<Decimal>,
    /// Change in percent of `previous` (one decimal); `None` when `previous` is 0 or
    /// undefined, and for rates and NPS.
    pub change_pct: Option<Decimal>,
    /// Whether the change is good news; `None` when there is no change or no direction.
    pub improved: Option<bool>,
}

/// Each headline metric of a report against the previous period's.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Comparison {
    pub period: Period,
    pub previous_period: Period,
    pub deltas: Vec<Delta>,
}

impl Comparison {
    /// Money compares in the current report's main currency.
    pub fn of(current: &Report, previous: &Report) -> Comparison {
        let currency = current.currency.as_deref().or(previous.currency.as_deref());
        let deltas = Metric::ALL
            .iter()
            .map(|&metric| {
                let now = current.value(metric, currency);
                let before = previous.value(metric, currency);
                let change = now.zip(before).map(|(a, b)| a - b);
                let change_pct = match (change, before) {
                    (Some(c), Some(b)) if metric.relative() && !b.is_zero() => {
                        Some(round(c * Decimal::ONE_HUNDRED / b, 1))
                    }
                    _ => None,
                };
                let improved = change
                    .filter(|c| !c.is_zero())
                    .filter(|_| metric != Metric::Handoffs)
                    .map(|c| c.is_sign_positive() == metric.higher_is_better());
                Delta {
                    metric,
                    label: metric.label().to_string(),
                    unit: metric.unit(),
                    currency: (metric.unit() == Unit::Money)
                        .then(|| currency.map(str::to_string))
                        .flatten(),
                    current: now,
                    previous: before,
                    change,
                    change_pct,
                    improved,
                }
            })
            .collect();
        Comparison {
            period: current.period,
            previous_period: previous.period,
            deltas,
        }
    }

    /// The delta of one metric.
    pub fn get(&self, metric: Metric) -> Option<&Delta> {
        self.deltas.iter().find(|d| d.metric == metric)
    }
}
