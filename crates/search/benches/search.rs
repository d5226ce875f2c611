//! Search speed on a synthetic catalogue of 100,000 variants (20,000 products × 5), texts in
//! the five languages: indexing throughput, then latency percentiles over a query mix (plain
//! words, attributes, prices, typos, prefixes, other-language words, browsing).
//!
//! `cargo bench -p comptoir-search --bench search` (COMPTOIR_BENCH_PRODUCTS to resize).

use std::sync::Arc;
use std::time::Instant;

use comptoir_domain::{CatalogueEntry, Currency, Lang, Translation, Variant};
use comptoir_search::{Analyzer, SearchIndex, SearchRequest};
use rust_decimal::Decimal;

const NOUNS: &[(&str, &str, &str, &str, &str)] = &[
    ("dress", "robe", "Kleid", "vestito", "vestido"),
    ("shirt", "chemise", "Hemd", "camicia", "camisa"),
    ("jacket", "veste", "Jacke", "giacca", "chaqueta"),
    ("scarf", "écharpe", "Schal", "sciarpa", "bufanda"),
    ("shoes", "chaussures", "Schuhe", "scarpe", "zapatos"),
    ("bag", "sac", "Tasche", "borsa", "bolso"),
    ("lamp", "lampe", "Lampe", "lampada", "lámpara"),
    ("mug", "tasse", "Tasse", "tazza", "taza"),
    ("headphones", "casque", "Kopfhörer", "cuffie", "auriculares"),
    ("watch", "montre", "Uhr", "orologio", "reloj"),
    ("sweater", "pull", "Pullover", "maglione", "jersey"),
    ("blanket", "plaid", "Decke", "coperta", "manta"),
];
const ADJ: &[&str] = &[
    "classic", "premium", "organic", "vintage", "compact", "soft", "light", "urban", "wild",
    "studio", "nordic", "royal", "daily", "travel", "summer", "winter", "pro", "eco",
];
const COLORS: &[&str] = &[
    "Red", "Blue", "Black", "White", "Green", "Sage", "Navy", "Beige",
];
const SIZES: &[&str] = &["XS", "S", "M", "L", "XL"];
const MATERIALS: &[&str] = &["linen", "wool", "cotton", "leather", "silk", "ceramic"];
const LANGS: &[&str] = &["en", "fr", "de", "it", "es"];

fn catalogue(products: usize) -> Vec<CatalogueEntry> {
    let eur = Currency::parse("EUR").unwrap();
    (0..products)
        .map(|i| {
            let n = NOUNS[i % NOUNS.len()];
            let lang = LANGS[i % LANGS.len()];
            let noun = match lang {
                "en" => n.0,
                "fr" => n.1,
                "de" => n.2,
                "it" => n.3,
                _ => n.4,
            };
            let adj = ADJ[(i / 7) % ADJ.len()];
            let mat = MATERIALS[(i / 3) % MATERIALS.len()];
            let brand = format!("Brand{}", i % 400);
            let title = format!("{adj} {noun} {mat} {}", i % 997);
            let t = Translation::new(
                Lang::parse(lang).unwrap(),
                &title,
                &format!("A {adj} {noun} in {mat}, made to last. Reference {i}."),
                Some(noun),
                vec![adj.to_string(), mat.to_string()],
            )
            .unwrap();
            let variants = (0..5)
                .map(|v| {
                    Variant::new(
                        &format!("SKU-{i}-{v}"),
                        vec![
                            ("color".into(), COLORS[(i + v) % COLORS.len()].into()),
                            ("size".into(), SIZES[v % SIZES.len()].into()),
                        ],
                        Decimal::new(1000 + ((i * 37 + v * 11) % 20000) as i64, 2),
                        None,
                        eur.clone(),
                        Some(((i + v) % 9) as i64),
                        false,
                    )
                    .unwrap()
                })
                .collect();
            CatalogueEntry {
                id: format!("p{i}"),
                external_id: format!("ext-{i}"),
                brand: Some(brand),
                images: vec![],
                translations: vec![t],
                variants,
                boost_pct: 100,
                created_at: 0,
                updated_at: 0,
            }
        })
        .collect()
}

fn percentile(sorted: &[u128], p: f64) -> u128 {
    sorted[((sorted.len() as f64 - 1.0) * p).round() as usize]
}

fn main() {
    let products: usize = std::env::var("COMPTOIR_BENCH_PRODUCTS")
        .ok()
        .and_then(|v| v.parse().ok())
        .unwrap_or(20_000);
    let analyzer = Arc::new(Analyzer::new());
    let entries = catalogue(products);
    let variants: usize = entries.iter().map(|e| e.variants.len()).sum();
    let t = Instant::now();
    let index = SearchIndex::build(
        analyzer,
        Currency::parse("EUR").unwrap(),
        Lang::parse("en").unwrap(),
        entries,
        &[],
    );
    let build = t.elapsed();
    println!(
        "index build: {products} products, {variants} variants in {:.0} ms = {:.0} variants/s",
        build.as_secs_f64() * 1000.0,
        variants as f64 / build.as_secs_f64()
    );
    let queries = [
        "red dress",
        "robe rouge en lin",
        "Kleid aus Wolle unter 50 Euro",
        "vestito blu taglia M",
        "zapatos de cuero negro",
        "chausures",
        "headphnes",
        "lamp",
        "casq",
        "Schal",
        "premium leather bag",
        "nordic wool blanket under 80",
        "mug",
        "orologio",
        "Salbeigrün Hemd",
        "",
        "eco cotton sweater xl",
        "brand17",
        "travel",
        "something for my coffee",
    ];
    for q in queries {
        index.search(&SearchRequest::new(q));
    }
    let rounds = 50;
    let mut all = Vec::with_capacity(rounds * queries.len());
    let mut per_query: Vec<(String, Vec<u128>)> = queries
        .iter()
        .map(|q| (q.to_string(), Vec::new()))
        .collect();
    for _ in 0..rounds {
        for (i, q) in queries.iter().enumerate() {
            let req = SearchRequest::new(q);
            let t = Instant::now();
            let r = index.search(&req);
            let us = t.elapsed().as_micros();
            std::hint::black_box(r);
            all.push(us);
            per_query[i].1.push(us);
        }
    }
    all.sort_unstable();
    println!(
        "search over {} runs: p50 {} µs, p90 {} µs, p99 {} µs, max {} µs",
        all.len(),
        percentile(&all, 0.5),
        percentile(&all, 0.9),
        percentile(&all, 0.99),
        all[all.len() - 1]
    );
    for (q, mut v) in per_query {
        v.sort_unstable();
        println!(
            "  {:>8} µs p50  {:>8} µs p99  {q:?}",
            percentile(&v, 0.5),
            percentile(&v, 0.99)
        );
    }
}
