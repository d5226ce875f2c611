//! The dashboard's figures for one period, computed in one pass over the facts. Every
//! definition here is spelled out in `docs/analytics.md`.

use std::collections::{BTreeMap, HashMap};

use chrono_tz::Tz;
use serde::Serialize;

use crate::facts::{Facts, FeedbackKind, OrderFacts, OrderStatus, TurnFacts, TurnInput};
use crate::money::Money;
use crate::period::{local_date, local_time, Period};

/// Rows kept in the top-search lists.
pub const TOP_SEARCHES: usize = 20;
/// Not-understood messages kept for review.
pub const REVIEW_CAP: usize = 100;
/// Days listed in [`Report::days`] at most (three years); longer periods keep their first
/// days there, while every other figure still covers the whole period.
pub const MAX_DAYS: usize = 1100;
/// The intent the agent's policy treats as not understood (the classifier already maps a
/// reading below its fitted confidence threshold to it).
pub const NOT_UNDERSTOOD_INTENT: &str = "out_of_scope";
/// The intent of a greeting, which alone does not make a conversation engaged.
pub const GREETING_INTENT: &str = "greet";
/// Characters of a shopper message kept in the review list.
const TEXT_CAP: usize = 500;
/// Characters of a search query kept.
const QUERY_CAP: usize = 200;

/// `count` out of `of`, and their ratio (0..1; 0 when `of` is 0: check `of`).
#[derive(Debug, Clone, Copy, Default, PartialEq, Serialize)]
pub struct Ratio {
    pub count: u64,
    pub of: u64,
    pub rate: f64,
}

impl Ratio {
    pub fn new(count: u64, of: u64) -> Ratio {
        let rate = if of == 0 {
            0.0
        } else {
            count as f64 / of as f64
        };
        Ratio { count, of, rate }
    }

    /// The rate in percent (0..100).
    pub fn percent(&self) -> f64 {
        self.rate * 100.0
    }
}

/// One local day of the period.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Day {
    /// `YYYY-MM-DD`, in the merchant's time zone.
    pub date: String,
    /// Conversations started that day.
    pub conversations: u64,
    /// Of which engaged.
    pub engaged: u64,
    /// Agent orders placed that day (any status).
    pub orders: u64,
    /// Of which paid.
    pub paid_orders: u64,
    /// Paid agent orders of that day in the report's main currency (`None` when no currency
    /// is known).
    pub revenue: Option<Money>,
}

/// Agent orders of the period by status.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize)]
pub struct OrderCounts {
    /// All of them.
    pub placed: u64,
    pub awaiting_payment: u64,
    pub paid: u64,
    pub cancelled: u64,
    pub expired: u64,
    /// A status this crate does not know.
    pub other: u64,
}

/// Paid agent orders of one currency.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct CurrencyTotals {
    pub currency: String,
    /// Agent orders of the period in this currency, any status.
    pub orders: u64,
    pub paid_orders: u64,
    pub revenue: Money,
    /// `None` without paid orders.
    pub average_basket: Option<Money>,
}

/// A normalised search query and how it fared.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct QueryCount {
    pub query: String,
    /// Times it was searched.
    pub searches: u64,
    /// Of which found nothing.
    pub zero_results: u64,
    /// `searches` out of all searches of the period.
    pub share: f64,
}

/// What shoppers searched for.
#[derive(Debug, Clone, Default, PartialEq, Serialize)]
pub struct Searches {
    /// `search_products` calls with a non-empty query.
    pub total: u64,
    /// Distinct normalised queries.
    pub distinct: u64,
    /// Searches that found nothing, out of all searches.
    pub zero_results: Ratio,
    /// The most searched queries, most first (ties alphabetical), at most [`TOP_SEARCHES`].
    pub top: Vec<QueryCount>,
    /// The queries that most often found nothing, by `zero_results`.
    pub top_zero_results: Vec<QueryCount>,
}

/// How many shopper messages had an intent.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct IntentCount {
    /// The stored intent.
    pub intent: String,
    pub count: u64,
    /// Out of [`Report::text_turns`].
    pub share: f64,
}

/// A shopper message the agent did not understand, for review.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Misunderstood {
    pub conversation_id: String,
    /// UTC milliseconds.
    pub at_ms: i64,
    /// `YYYY-MM-DD HH:MM` in the merchant's time zone.
    pub at: String,
    pub text: String,
    pub intent: String,
    pub confidence: Option<f64>,
}

/// Server time of the shopper turns the agent handled, nearest-rank percentiles,
/// microseconds.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize)]
pub struct ResponseTimes {
    pub turns: u64,
    pub p50_us: Option<i64>,
    pub p95_us: Option<i64>,
}

/// Customer satisfaction, 1–5.
#[derive(Debug, Clone, Default, PartialEq, Serialize)]
pub struct Csat {
    pub responses: u64,
    /// Mean score, `None` without responses.
    pub average: Option<f64>,
    /// Scores 4 and 5, out of responses.
    pub satisfied: Ratio,
    /// Responses per score: `scores[0]` for 1 … `scores[4]` for 5.
    pub scores: Vec<u64>,
}

/// Net promoter score, answers 0–10.
#[derive(Debug, Clone, Default, PartialEq, Serialize)]
pub struct Nps {
    pub responses: u64,
    /// 9–10.
    pub promoters: u64,
    /// 7–8.
    pub passives: u64,
    /// 0–6.
    pub detractors: u64,
    /// % promoters − % detractors (−100..100), `None` without responses.
    pub score: Option<f64>,
    /// Responses per score: `scores[s]` for score `s`.
    pub scores: Vec<u64>,
}

/// The steps of the sales funnel, in order.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum FunnelStage {
    Chat,
    ProductShown,
    AddedToCart,
    CheckoutStarted,
    OrderPlaced,
}

impl FunnelStage {
    pub const ALL: [FunnelStage; 5] = [
        FunnelStage::Chat,
        FunnelStage::ProductShown,
        FunnelStage::AddedToCart,
        FunnelStage::CheckoutStarted,
        FunnelStage::OrderPlaced,
    ];

    pub fn as_str(self) -> &'static str {
        match self {
            FunnelStage::Chat => "chat",
            FunnelStage::ProductShown => "product_shown",
            FunnelStage::AddedToCart => "added_to_cart",
            FunnelStage::CheckoutStarted => "checkout_started",
            FunnelStage::OrderPlaced => "order_placed",
        }
    }

    pub fn label(self) -> &'static str {
        match self {
            FunnelStage::Chat => "Chats",
            FunnelStage::ProductShown => "Product shown",
            FunnelStage::AddedToCart => "Added to cart",
            FunnelStage::CheckoutStarted => "Checkout started",
            FunnelStage::OrderPlaced => "Order placed",
        }
    }
}

/// One step of the funnel: conversations that got at least this far.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct FunnelStep {
    pub stage: FunnelStage,
    pub label: String,
    pub conversations: u64,
    /// Out of the first step's conversations (0..1).
    pub rate: f64,
    /// Out of the previous step's conversations (0..1; for the first step 1, or 0 when
    /// it is empty).
    pub from_previous: f64,
}

/// The dashboard's figures for one period. See `docs/analytics.md` for each definition.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Report {
    pub period: Period,
    /// The IANA time zone days are counted in.
    pub tz: String,
    /// First and last local dates of the period, `YYYY-MM-DD`.
    pub from_date: String,
    pub to_date: String,
    /// Every local day of the period, in order, zeros included.
    pub days: Vec<Day>,
    /// Conversations started in the period.
    pub conversations: u64,
    /// Conversations where the shopper engaged, out of `conversations`.
    pub engaged: Ratio,
    /// Conversations with a paid order, out of `conversations`.
    pub conversion: Ratio,
    /// Agent orders placed in the period, by status.
    pub orders: OrderCounts,
    /// The currency of the headline revenue and basket: that of most paid agent orders (ties:
    /// alphabetical), else of most agent orders, else of most orders given.
    pub currency: Option<String>,
    /// Paid agent orders in `currency`.
    pub revenue: Option<Money>,
    /// Mean paid agent order in `currency`.
    pub average_basket: Option<Money>,
    /// Every currency of the period's agent orders, `currency` first.
    pub by_currency: Vec<CurrencyTotals>,
    pub searches: Searches,
    /// Shopper text turns the agent handled (the base of intents and not-understood): a
    /// message stored without understanding, sent while a person had the conversation, is
    /// not one of them.
    pub text_turns: u64,
    /// Intents of shopper text turns, most first.
    pub intents: Vec<IntentCount>,
    /// Not-understood shopper text turns, out of `text_turns`.
    pub not_understood: Ratio,
    /// Those messages, newest first, at most [`REVIEW_CAP`].
    pub to_review: Vec<Misunderstood>,
    pub response_time: ResponseTimes,
    pub csat: Csat,
    pub nps: Nps,
    /// Chat → product shown → added to cart → checkout started → order placed.
    pub funnel: Vec<FunnelStep>,
    /// Conversations handed to a person by the agent (`handoff_to_human`).
    pub handoffs: u64,
    /// Conversations a person from the shop took over (staff `takeover`).
    pub takeovers: u64,
    /// Leads captured (`capture_lead` calls that created one).
    pub leads: u64,
}

/// Collapses whitespace, trims and lower-cases a query.
pub fn normalize_query(q: &str) -> String {
    let joined = q.split_whitespace().collect::<Vec<_>>().join(" ");
    joined.to_lowercase().chars().take(QUERY_CAP).collect()
}

/// Nearest-rank percentile of sorted values: the value at rank ⌈p/100 · n⌉ (1-based).
pub fn percentile(sorted: &[i64], p: u32) -> Option<i64> {
    if sorted.is_empty() {
        return None;
    }
    let n = sorted.len() as u64;
    let rank = (u64::from(p.min(100)) * n).div_ceil(100).max(1);
    sorted.get(rank as usize - 1).copied()
}

/// A shopper turn that is only a greeting: text read as `greet` on which the agent used no
/// tool ("hello, red dress?" is read as a greeting but searched: not only a greeting).
fn is_greeting(t: &TurnFacts) -> bool {
    t.text().is_some() && t.intent() == Some(GREETING_INTENT) && t.tools.is_empty()
}

/// A shopper turn the agent ran on. Not a text stored without understanding: the message was
/// for the person who had taken the conversation over, and the agent did not run (no intent,
/// no reply; its server time is only the recording). Such a turn is still the shopper's (it
/// counts for engaged and the funnel), but not for intents, not-understood or response times.
fn handled_by_agent(t: &TurnFacts) -> bool {
    t.is_shopper() && !(t.text().is_some() && t.understanding.is_none())
}

/// A shopper text turn the agent did not understand: read as [`NOT_UNDERSTOOD_INTENT`] and
/// acted on with no tool (no FAQ answer, no search): the policy's fallback reply.
fn is_not_understood(t: &TurnFacts) -> bool {
    t.text().is_some() && t.intent() == Some(NOT_UNDERSTOOD_INTENT) && t.tools.is_empty()
}

/// What one conversation reached.
struct Reached {
    engaged: bool,
    /// How many funnel steps it reached (0..=5): counted at steps `0..depth`.
    depth: usize,
    paid: bool,
    handoff: bool,
    takeover: bool,
}

fn reached(turns: &[TurnFacts], orders: &[&OrderFacts]) -> Reached {
    let shopper: Vec<&TurnFacts> = turns.iter().filter(|t| t.is_shopper()).collect();
    let engaged = shopper.len() >= 2 || shopper.first().is_some_and(|t| !is_greeting(t));
    let tools = || turns.iter().flat_map(|t| t.tools.iter());
    let steps = [
        !shopper.is_empty(),
        turns.iter().any(TurnFacts::shows_product),
        tools().any(|t| t.tool == "add_to_cart" && t.result == "cart"),
        tools().any(|t| t.tool == "start_checkout")
            || turns
                .iter()
                .any(|t| matches!(&t.input, TurnInput::Action { action } if action == "checkout")),
        tools().any(|t| t.result == "order_placed" && !t.repeated) || !orders.is_empty(),
    ];
    Reached {
        engaged,
        depth: steps.iter().rposition(|s| *s).map_or(0, |i| i + 1),
        paid: orders.iter().any(|o| o.status == OrderStatus::Paid),
        handoff: tools().any(|t| t.tool == "handoff_to_human" && t.result != "failed"),
        takeover: turns
            .iter()
            .any(|t| matches!(&t.input, TurnInput::Staff { event, .. } if event == "takeover")),
    }
}

/// The most common currency of `orders` (ties: the first alphabetically).
fn most_common<'a>(orders: impl Iterator<Item = &'a OrderFacts>) -> Option<String> {
    let mut counts: BTreeMap<&str, u64> = BTreeMap::new();
    for o in orders.filter(|o| !o.currency.is_empty()) {
        *counts.entry(o.currency.as_str()).or_default() += 1;
    }
    // max_by_key keeps the last maximum: iterate in reverse for the first alphabetically.
    counts
        .into_iter()
        .rev()
        .max_by_key(|(_, n)| *n)
        .map(|(c, _)| c.to_string())
}

impl Report {
    /// The figures of `period` from `facts`, days counted in `tz`.
    ///
    /// Conversations count when created in the period; agent orders (those with a
    /// conversation) when created in the period. Whether a conversation converted or placed an
    /// order looks at every order of `facts` linked to it, whatever its date, so pass orders
    /// up to a little after the period's end for late-evening conversations.
    pub fn compute(facts: &Facts, period: &Period, tz: Tz) -> Report {
        let dates = period.local_days(tz, MAX_DAYS);
        let day_of: HashMap<chrono::NaiveDate, usize> =
            dates.iter().enumerate().map(|(i, d)| (*d, i)).collect();
        let day_index = |ms: i64| local_date(ms, tz).and_then(|d| day_of.get(&d).copied());
        let mut days: Vec<Day> = dates
            .iter()
            .map(|d| Day {
                date: d.format("%Y-%m-%d").to_string(),
                conversations: 0,
                engaged: 0,
                orders: 0,
                paid_orders: 0,
                revenue: None,
            })
            .collect();

        // Orders.
        let mut linked: HashMap<&str, Vec<&OrderFacts>> = HashMap::new();
        for o in &facts.orders {
            if let Some(c) = &o.conversation_id {
                linked.entry(c.as_str()).or_default().push(o);
            }
        }
        let agent_orders: Vec<&OrderFacts> = facts
            .orders
            .iter()
            .filter(|o| o.conversation_id.is_some() && period.contains(o.created_at_ms))
            .collect();
        let paid = || {
            agent_orders
                .iter()
                .copied()
                .filter(|o| o.status == OrderStatus::Paid)
        };
        // The headline currency: that of most paid agent orders, else of most agent orders,
        // else of most orders given.
        let currency = most_common(paid())
            .or_else(|| most_common(agent_orders.iter().copied()))
            .or_else(|| most_common(facts.orders.iter()));
        let mut orders = OrderCounts::default();
        let mut per_currency: BTreeMap<&str, (u64, u64, i64)> = BTreeMap::new();
        let mut day_revenue = vec![0i64; days.len()];
        for o in &agent_orders {
            orders.placed += 1;
            match o.status {
                OrderStatus::AwaitingPayment => orders.awaiting_payment += 1,
                OrderStatus::Paid => orders.paid += 1,
                OrderStatus::Cancelled => orders.cancelled += 1,
                OrderStatus::Expired => orders.expired += 1,
                OrderStatus::Other => orders.other += 1,
            }
            let entry = per_currency.entry(o.currency.as_str()).or_default();
            entry.0 += 1;
            let day = day_index(o.created_at_ms);
            if let Some(i) = day {
                days[i].orders += 1;
            }
            if o.status == OrderStatus::Paid {
                entry.1 += 1;
                entry.2 = entry.2.saturating_add(o.total_minor);
                if let Some(i) = day {
                    days[i].paid_orders += 1;
                    if currency.as_deref() == Some(o.currency.as_str()) {
                        day_revenue[i] = day_revenue[i].saturating_add(o.total_minor);
                    }
                }
            }
        }
        if let Some(c) = &currency {
            for (day, minor) in days.iter_mut().zip(&day_revenue) {
                day.revenue = Some(Money::from_minor(*minor, c));
            }
        }
        let mut by_currency: Vec<CurrencyTotals> = per_currency
            .into_iter()
            .map(|(c, (n, paid, sum))| CurrencyTotals {
                currency: c.to_string(),
                orders: n,
                paid_orders: paid,
                revenue: Money::from_minor(sum, c),
                average_basket: Money::average(sum, paid, c),
            })
            .collect();
        by_currency.sort_by(|a, b| {
            let main = |t: &CurrencyTotals| currency.as_deref() != Some(t.currency.as_str());
            (main(a), std::cmp::Reverse(a.paid_orders), &a.currency).cmp(&(
                main(b),
                std::cmp::Reverse(b.paid_orders),
                &b.currency,
            ))
        });
        let headline = by_currency
            .iter()
            .find(|t| currency.as_deref() == Some(t.currency.as_str()));
        let revenue = currency
            .as_deref()
            .map(|c| headline.map_or_else(|| Money::from_minor(0, c), |t| t.revenue.clone()));
        let average_basket = headline.and_then(|t| t.average_basket.clone());

        // Conversations and their turns.
        let mut conversations = 0u64;
        let mut engaged = 0u64;
        let mut converted = 0u64;
        let mut depths = [0u64; 5];
        let (mut handoffs, mut takeovers, mut leads) = (0u64, 0u64, 0u64);
        let mut queries: HashMap<String, (u64, u64)> = HashMap::new();
        let (mut searches, mut zero) = (0u64, 0u64);
        let mut intents: HashMap<String, u64> = HashMap::new();
        let mut text_turns = 0u64;
        let mut not_understood = 0u64;
        let mut review: Vec<(i64, &str, usize, &TurnFacts)> = Vec::new();
        let mut times: Vec<i64> = Vec::new();
        let mut csat = [0u64; 5];
        let mut nps = [0u64; 11];

        for c in facts
            .conversations
            .iter()
            .filter(|c| period.contains(c.created_at_ms))
        {
            conversations += 1;
            let orders_of = linked.get(c.id.as_str()).map_or(&[][..], |v| &v[..]);
            let r = reached(&c.turns, orders_of);
            engaged += u64::from(r.engaged);
            converted += u64::from(r.paid);
            handoffs += u64::from(r.handoff);
            takeovers += u64::from(r.takeover);
            for d in depths.iter_mut().take(r.depth) {
                *d += 1;
            }
            if let Some(i) = day_index(c.created_at_ms) {
                days[i].conversations += 1;
                days[i].engaged += u64::from(r.engaged);
            }
            let (mut last_csat, mut last_nps) = (None, None);
            for (n, t) in c.turns.iter().enumerate() {
                // Staff turns and messages a person was answering: nothing the agent did.
                let agent_ran = handled_by_agent(t);
                if agent_ran && t.server_us >= 0 {
                    times.push(t.server_us);
                }
                // A text the agent handled, which always has its understanding.
                if let Some(intent) = t.intent().filter(|_| agent_ran && t.text().is_some()) {
                    text_turns += 1;
                    *intents.entry(intent.to_string()).or_default() += 1;
                    if is_not_understood(t) {
                        not_understood += 1;
                        review.push((t.created_at_ms, c.id.as_str(), n, t));
                    }
                }
                for tool in &t.tools {
                    match tool.tool.as_str() {
                        "search_products" => {
                            let q = normalize_query(tool.query.as_deref().unwrap_or_default());
                            if q.is_empty() {
                                continue;
                            }
                            let found_nothing = tool.result == "products"
                                && tool.total.unwrap_or(u64::from(tool.products)) == 0;
                            searches += 1;
                            zero += u64::from(found_nothing);
                            let e = queries.entry(q).or_default();
                            e.0 += 1;
                            e.1 += u64::from(found_nothing);
                        }
                        "capture_lead" if tool.result == "lead" => leads += 1,
                        _ => {}
                    }
                    if let Some(f) = tool.feedback {
                        match f.kind {
                            FeedbackKind::Csat => last_csat = Some(f.score),
                            FeedbackKind::Nps => last_nps = Some(f.score),
                        }
                    }
                }
            }
            if let Some(s) = last_csat {
                csat[usize::from(s.clamp(1, 5)) - 1] += 1;
            }
            if let Some(s) = last_nps {
                nps[usize::from(s.min(10))] += 1;
            }
        }

        // Searches.
        let share = |n: u64| Ratio::new(n, searches).rate;
        let mut counted: Vec<QueryCount> = queries
            .into_iter()
            .map(|(query, (n, z))| QueryCount {
                share: share(n),
                query,
                searches: n,
                zero_results: z,
            })
            .collect();
        let distinct = counted.len() as u64;
        counted.sort_by(|a, b| b.searches.cmp(&a.searches).then(a.query.cmp(&b.query)));
        let top: Vec<QueryCount> = counted.iter().take(TOP_SEARCHES).cloned().collect();
        counted.retain(|q| q.zero_results > 0);
        counted.sort_by(|a, b| {
            b.zero_results
                .cmp(&a.zero_results)
                .then(a.query.cmp(&b.query))
        });
        counted.truncate(TOP_SEARCHES);

        // Intents.
        let mut intents: Vec<IntentCount> = intents
            .into_iter()
            .map(|(intent, count)| IntentCount {
                share: Ratio::new(count, text_turns).rate,
                intent,
                count,
            })
            .collect();
        intents.sort_by(|a, b| b.count.cmp(&a.count).then(a.intent.cmp(&b.intent)));

        // Review list: newest first; same instant: by conversation, later turn first.
        review.sort_by(|a, b| b.0.cmp(&a.0).then(a.1.cmp(b.1)).then(b.2.cmp(&a.2)));
        let to_review = review
            .into_iter()
            .take(REVIEW_CAP)
            .map(|(at_ms, conversation_id, _, t)| Misunderstood {
                conversation_id: conversation_id.to_string(),
                at_ms,
                at: local_time(at_ms, tz),
                text: t
                    .text()
                    .unwrap_or_default()
                    .chars()
                    .take(TEXT_CAP)
                    .collect(),
                intent: t.intent().unwrap_or_default().to_string(),
                confidence: t.understanding.as_ref().and_then(|u| u.confidence),
            })
            .collect();

        times.sort_unstable();
        let response_time = ResponseTimes {
            turns: times.len() as u64,
            p50_us: percentile(&times, 50),
            p95_us: percentile(&times, 95),
        };

        let (from_date, to_date) = period.dates(tz);
        let first = depths[0];
        let funnel = FunnelStage::ALL
            .iter()
            .zip(depths)
            .enumerate()
            .map(|(i, (stage, n))| FunnelStep {
                stage: *stage,
                label: stage.label().to_string(),
                conversations: n,
                rate: Ratio::new(n, first).rate,
                from_previous: if i == 0 {
                    Ratio::new(n, n).rate
                } else {
                    Ratio::new(n, depths[i - 1]).rate
                },
            })
            .collect();

        Report {
            period: *period,
            tz: tz.name().to_string(),
            from_date,
            to_date,
            days,
            conversations,
            engaged: Ratio::new(engaged, conversations),
            conversion: Ratio::new(converted, conversations),
            orders,
            currency,
            revenue,
            average_basket,
            by_currency,
            searches: Searches {
                total: searches,
                distinct,
                zero_results: Ratio::new(zero, searches),
                top,
                top_zero_results: counted,
            },
            text_turns,
            intents,
            not_understood: Ratio::new(not_understood, text_turns),
            to_review,
            response_time,
            csat: csat_of(&csat),
            nps: nps_of(&nps),
            funnel,
            handoffs,
            takeovers,
            leads,
        }
    }
}

fn csat_of(scores: &[u64; 5]) -> Csat {
    let responses: u64 = scores.iter().sum();
    let sum: u64 = scores.iter().zip(1u64..).map(|(n, s)| n * s).sum();
    Csat {
        responses,
        average: (responses > 0).then(|| sum as f64 / responses as f64),
        satisfied: Ratio::new(scores[3] + scores[4], responses),
        scores: scores.to_vec(),
    }
}

fn nps_of(scores: &[u64; 11]) -> Nps {
    let responses: u64 = scores.iter().sum();
    let promoters = scores[9] + scores[10];
    let passives = scores[7] + scores[8];
    let detractors: u64 = scores[..7].iter().sum();
    Nps {
        responses,
        promoters,
        passives,
        detractors,
        score: (responses > 0)
            .then(|| (promoters as f64 - detractors as f64) * 100.0 / responses as f64),
        scores: scores.to_vec(),
    }
}
