//! The search index's rebuild at start: read 100,000 variants (20,000 products × 5) from the
//! database and index them. `cargo bench -p comptoir --bench search_rebuild`
//! (COMPTOIR_BENCH_DATABASE_URL=postgres://… for PostgreSQL; SQLite in a temp dir otherwise).

use std::sync::Arc;
use std::time::Instant;

use comptoir_domain::{Currency, Lang, NewTenant, Plan, ProductUpsert, Translation, Variant};
use comptoir_search::{Analyzer, SearchIndex};
use rust_decimal::Decimal;

const NOUNS: &[&str] = &[
    "dress", "robe", "Kleid", "vestito", "vestido", "lamp", "Schal", "mug",
];
const COLORS: &[&str] = &["Red", "Blue", "Black", "White", "Sage"];

fn batch(from: usize, to: usize) -> Vec<ProductUpsert> {
    let eur = Currency::parse("EUR").unwrap();
    (from..to)
        .map(|i| {
            let mut p = ProductUpsert::new(&format!("p-{i}")).unwrap();
            p.brand = Some(format!("Brand{}", i % 300));
            let noun = NOUNS[i % NOUNS.len()];
            p.translations.push(
                Translation::new(
                    Lang::parse("en").unwrap(),
                    &format!("Classic {noun} {}", i % 991),
                    &format!("A classic {noun} in linen, made to last. Reference {i}."),
                    Some(noun),
                    vec!["classic".into(), "linen".into()],
                )
                .unwrap(),
            );
            for v in 0..5 {
                p.variants.push(
                    Variant::new(
                        &format!("S-{i}-{v}"),
                        vec![("color".into(), COLORS[(i + v) % COLORS.len()].into())],
                        Decimal::new(1000 + (i % 5000) as i64, 2),
                        None,
                        eur.clone(),
                        Some((v % 4) as i64),
                        false,
                    )
                    .unwrap(),
                );
            }
            p
        })
        .collect()
}

#[tokio::main]
async fn main() {
    let dir = tempfile::tempdir().unwrap();
    let url = std::env::var("COMPTOIR_BENCH_DATABASE_URL")
        .unwrap_or_else(|_| format!("sqlite://{}/bench.db", dir.path().display()));
    let store = comptoir_store::open(&url).await.unwrap();
    let slug = format!("rebuild-{}", std::process::id());
    let tenant = store
        .create_tenant(
            &NewTenant::new(
                &slug,
                "Bench",
                Plan::Business,
                Currency::parse("EUR").unwrap(),
                vec![Lang::parse("en").unwrap()],
            )
            .unwrap(),
        )
        .await
        .unwrap();
    let products = 20_000;
    for from in (0..products).step_by(1000) {
        store
            .upsert_products(&tenant, &batch(from, from + 1000))
            .await
            .unwrap();
    }
    let analyzer = Arc::new(Analyzer::new());
    let mut runs = Vec::new();
    for _ in 0..3 {
        let t = Instant::now();
        let entries = store.catalogue_entries(&tenant.id, None).await.unwrap();
        let read = t.elapsed();
        let history = store.purchase_history(&tenant.id, 20_000).await.unwrap();
        let index = SearchIndex::build(
            Arc::clone(&analyzer),
            tenant.currency.clone(),
            tenant.default_locale().clone(),
            entries,
            &history,
        );
        let total = t.elapsed();
        assert_eq!(index.len(), products);
        runs.push((read, total));
    }
    runs.sort_by_key(|r| r.1);
    let (read, total) = runs[1];
    println!(
        "rebuild from {}: {products} products / {} variants, median of 3: read {:.0} ms, read + index {:.0} ms",
        store.backend(),
        products * 5,
        read.as_secs_f64() * 1000.0,
        total.as_secs_f64() * 1000.0
    );
}
