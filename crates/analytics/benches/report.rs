//! What the analytics page costs for a busy shop: a month of 20,000 conversations × 8 turns
//! (the PRODUCT.md merchant's upper end is 5,000 orders a month), stored turns with product
//! cards as the agent writes them. Prints the median of 5 runs of each stage: parsing the
//! stored JSON into facts, computing the report, rendering the charts, and the CSV.
//!
//! `cargo bench -p comptoir-analytics --bench report` (COMPTOIR_BENCH_CONVERSATIONS to resize).

use comptoir_analytics::{
    svg, Bar, ConversationFacts, DailyMetric, Facts, LineChart, OrderFacts, Period, Report, Table,
    TurnFacts, Tz,
};
use std::time::Instant;

const DAY: i64 = 86_400_000;
const START: i64 = 1_790_000_000_000;

fn card(i: usize) -> serde_json::Value {
    serde_json::json!({"sku": format!("SKU-{i}"), "product_id": format!("prd_{i}"), "title": format!("Product number {i} in linen"),
        "price": "49.9", "currency": "EUR", "in_stock": true, "stock": 4, "image": "https://img.example/p.jpg",
        "options": {"color": "Red", "size": "M"}, "compare_at_price": null})
}

fn stored_turn(c: usize, k: usize) -> (String, String, String, String) {
    let queries = [
        "red dress",
        "linen shirt",
        "cheap shoes",
        "gift for dad",
        "zorblax",
        "wool scarf",
    ];
    let q = queries[(c + k) % queries.len()];
    let input = serde_json::json!({"text": format!("{q} please")}).to_string();
    let intent = if k == 7 {
        "goodbye"
    } else if (c + k).is_multiple_of(11) {
        "out_of_scope"
    } else {
        "product_search"
    };
    let understanding = serde_json::json!({"language": "en", "intent": intent, "confidence": 0.8,
        "entities": [{"type": "color", "value": "red"}], "alternatives": []})
    .to_string();
    let total = if q == "zorblax" { 0 } else { 12 };
    let items: Vec<_> = (0..if total == 0 { 0 } else { 3 }).map(card).collect();
    let actions = serde_json::json!([{"tool": "search_products", "query": q, "price_min": null, "price_max": null,
        "liked": [], "rejected": [], "limit": null, "result": {"result": "products", "items": items, "total": total}}]).to_string();
    let reply = serde_json::json!({"text": "Here is what I found.", "products": items, "quick_replies": ["Add to cart"]}).to_string();
    (input, understanding, actions, reply)
}

fn median(mut v: Vec<f64>) -> f64 {
    v.sort_by(|a, b| a.total_cmp(b));
    v[v.len() / 2]
}

fn main() {
    let n: usize = std::env::var("COMPTOIR_BENCH_CONVERSATIONS")
        .ok()
        .and_then(|v| v.parse().ok())
        .unwrap_or(20_000);
    let tz: Tz = "Europe/Paris".parse().unwrap();
    let stored: Vec<Vec<(String, String, String, String)>> = (0..n)
        .map(|c| (0..8).map(|k| stored_turn(c, k)).collect())
        .collect();
    let bytes: usize = stored
        .iter()
        .flatten()
        .map(|(a, b, c, d)| a.len() + b.len() + c.len() + d.len())
        .sum();
    let period = Period {
        from_ms: START,
        to_ms: START + 30 * DAY,
    };
    let mut parse_ms = Vec::new();
    let mut compute_ms = Vec::new();
    let mut svg_ms = Vec::new();
    let mut csv_ms = Vec::new();
    for _ in 0..5 {
        let t = Instant::now();
        let conversations: Vec<ConversationFacts> = stored
            .iter()
            .enumerate()
            .map(|(c, turns)| {
                let at = START + (c as i64 * 30 * DAY) / n as i64;
                ConversationFacts {
                    id: format!("conv_{c}"),
                    channel: "web".into(),
                    status: "open".into(),
                    created_at_ms: at,
                    turns: turns
                        .iter()
                        .enumerate()
                        .map(|(k, (i, u, a, r))| {
                            TurnFacts::from_stored(
                                i,
                                Some(u),
                                a,
                                r,
                                300 + k as i64 * 10,
                                at + k as i64 * 1000,
                            )
                        })
                        .collect(),
                }
            })
            .collect();
        let orders: Vec<OrderFacts> = (0..n / 4)
            .map(|o| {
                OrderFacts::new(
                    format!("ord_{o}"),
                    Some(format!("conv_{}", o * 4)),
                    if o.is_multiple_of(3) {
                        "awaiting_payment"
                    } else {
                        "paid"
                    },
                    4990 + o as i64,
                    "EUR",
                    START + (o as i64 * 4 * 30 * DAY) / n as i64,
                )
            })
            .collect();
        let facts = Facts {
            conversations,
            orders,
        };
        parse_ms.push(t.elapsed().as_secs_f64() * 1e3);
        let t = Instant::now();
        let report = Report::compute(&facts, &period, tz);
        let previous = Report::compute(&facts, &period.previous_in(tz), tz);
        compute_ms.push(t.elapsed().as_secs_f64() * 1e3 / 2.0);
        let t = Instant::now();
        let mut out = svg::line_chart(&LineChart::daily(
            DailyMetric::Conversations,
            &report,
            Some(&previous),
        ));
        out.push_str(&svg::bar_chart(
            "Top searches",
            &Bar::searches(&report.searches.top),
        ));
        out.push_str(&svg::funnel("Funnel", &report.funnel));
        svg_ms.push(t.elapsed().as_secs_f64() * 1e3);
        let t = Instant::now();
        let csv: usize = Table::ALL.iter().map(|tb| report.csv(*tb).len()).sum();
        csv_ms.push(t.elapsed().as_secs_f64() * 1e3);
        assert!(out.contains("<svg") && csv > 0 && report.conversations == n as u64);
    }
    println!("analytics report over {n} conversations × 8 turns ({:.0} MB of stored turn JSON), median of 5:", bytes as f64 / 1e6);
    println!(
        "  parse stored turns into facts: {:8.1} ms ({:.0} turns/ms)",
        median(parse_ms.clone()),
        (n * 8) as f64 / median(parse_ms)
    );
    println!(
        "  compute one report:            {:8.1} ms",
        median(compute_ms)
    );
    println!("  render three charts:           {:8.2} ms", median(svg_ms));
    println!("  every CSV table:               {:8.2} ms", median(csv_ms));
}
