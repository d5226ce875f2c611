//! What the agent earns, computed from what conversations and orders already record: pure
//! functions over plain facts (no I/O), and the SVG charts the admin shows.
//!
//! ```text
//! let facts = Facts { conversations, orders };             // built from stored rows
//! let report = Report::compute(&facts, &period, tz);
//! let previous = Report::compute(&facts_prev, &period.previous_in(tz), tz);
//! let cmp = Comparison::of(&report, &previous);
//! report.csv(Table::Daily);                                 // every table; cmp.csv() for the summary compared
//! svg::line_chart(&LineChart::daily(DailyMetric::Conversations, &report, Some(&previous)));
//! svg::bar_chart("Top searches", &Bar::searches(&report.searches.top));
//! svg::funnel("Funnel", &report.funnel);
//! ```
//!
//! Each metric's definition is in `docs/analytics.md`. Money is integer minor units or
//! `rust_decimal`, never a float; rates are `f64` guarded against division by zero.

mod compare;
mod export;
mod facts;
mod money;
mod period;
mod report;
pub mod svg;

#[cfg(test)]
mod tests;

pub use chrono_tz::Tz;
pub use compare::{Comparison, Delta, Headline, Metric, Unit};
pub use export::{protect, Table};
pub use facts::{
    ConversationFacts, Facts, Feedback, FeedbackKind, OrderFacts, OrderStatus, ToolFact, TurnFacts,
    TurnInput, Understanding,
};
pub use money::{exponent, Money};
pub use period::{start_of_day, Period, PeriodError, Preset, MAX_PERIOD_DAYS};
pub use report::{
    normalize_query, percentile, Csat, CurrencyTotals, Day, FunnelStage, FunnelStep, IntentCount,
    Misunderstood, Nps, OrderCounts, QueryCount, Ratio, Report, ResponseTimes, Searches,
    GREETING_INTENT, MAX_DAYS, NOT_UNDERSTOOD_INTENT, REVIEW_CAP, TOP_SEARCHES,
};
pub use rust_decimal::Decimal;
pub use svg::{Bar, DailyMetric, LineChart};
