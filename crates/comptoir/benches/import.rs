//! Import throughput of a generated 100,000-variant catalogue (generic CSV, 25,000 products ×
//! 4 sizes, with descriptions and tags), on SQLite and PostgreSQL: a fresh import and a
//! re-import of the same file (nothing changes). Prints the median of 3 runs of each.
//!
//! `cargo bench -p comptoir --bench import` (needs PostgreSQL, see the README).

use comptoir_catalogue::{Format, ImportSource};
use comptoir_domain::{Currency, Lang, NewTenant, Plan};
use std::sync::Arc;
use std::time::Instant;

const PRODUCTS: usize = 25_000;
const SIZES: [&str; 4] = ["S", "M", "L", "XL"];

fn catalogue() -> Vec<u8> {
    let mut s = String::with_capacity(PRODUCTS * SIZES.len() * 260);
    s.push_str("sku,product_id,title,description,category,brand,price,currency,compare_at_price,stock,tags,image_url,option1_name,option1_value,option2_name,option2_value,digital,lang\n");
    for p in 0..PRODUCTS {
        for (i, size) in SIZES.iter().enumerate() {
            s.push_str(&format!(
                "SKU-{p:06}-{size},prod-{p:06},Organic cotton tee {p},\"<p>Soft organic cotton tee, model {p}, regular fit.</p>\",Tops,Brand {b},{price}.90,EUR,,{stock},cotton|summer|basics,https://img.example/{p}.jpg,size,{size},color,Blue,false,en\n",
                b = p % 40,
                price = 10 + p % 90,
                stock = (p + i) % 25,
            ));
        }
    }
    s.into_bytes()
}

async fn import_once(
    store: Arc<dyn comptoir_store::Store>,
    tenant: &comptoir_domain::Tenant,
    data: &[u8],
) -> (f64, u64) {
    let source = ImportSource {
        name: "bench.csv".into(),
        reader: Box::new(std::io::Cursor::new(data.to_vec())),
    };
    let t = Instant::now();
    let (_, report) = comptoir_catalogue::run(store, tenant, source, Some(Format::Generic), None)
        .await
        .unwrap();
    assert_eq!(report.rows_rejected, 0);
    assert_eq!(report.variants as usize, PRODUCTS * SIZES.len());
    (t.elapsed().as_secs_f64(), report.rows_changed)
}

fn median(mut v: Vec<f64>) -> f64 {
    v.sort_by(|a, b| a.partial_cmp(b).unwrap());
    v[v.len() / 2]
}

async fn bench(backend: &str, data: &[u8]) {
    let variants = (PRODUCTS * SIZES.len()) as f64;
    let (mut fresh, mut again) = (Vec::new(), Vec::new());
    for run in 0..3 {
        let dir = tempfile::tempdir().unwrap();
        let pg = if backend == "postgres" {
            Some(comptoir_store::testing::PgSchema::create().await)
        } else {
            None
        };
        let url = match &pg {
            Some(pg) => pg.url.clone(),
            None => format!("sqlite://{}/bench.db", dir.path().display()),
        };
        let store = comptoir_store::open(&url).await.unwrap();
        let new = NewTenant::new(
            &format!("bench-{run}"),
            "Bench",
            Plan::Enterprise,
            Currency::parse("EUR").unwrap(),
            vec![Lang::parse("en").unwrap()],
        )
        .unwrap();
        let tenant = store.create_tenant(&new).await.unwrap();
        let (secs, changed) = import_once(store.clone(), &tenant, data).await;
        assert!(changed > 0);
        fresh.push(secs);
        let (secs, changed) = import_once(store.clone(), &tenant, data).await;
        assert_eq!(changed, 0, "re-import changed rows");
        again.push(secs);
        drop(store);
        if let Some(pg) = pg {
            pg.drop().await;
        }
    }
    let (f, a) = (median(fresh.clone()), median(again.clone()));
    println!(
        "{backend:<8} fresh import: median {f:.2} s = {:>7.0} variants/s   (runs: {:?})",
        variants / f,
        fresh.iter().map(|x| format!("{x:.2}")).collect::<Vec<_>>()
    );
    println!(
        "{backend:<8} re-import:    median {a:.2} s = {:>7.0} variants/s   (runs: {:?})",
        variants / a,
        again.iter().map(|x| format!("{x:.2}")).collect::<Vec<_>>()
    );
}

fn main() {
    // `cargo bench` passes `--bench`; `cargo test --benches` would pass nothing we need.
    if std::env::args().any(|a| a == "--list") {
        return;
    }
    let data = catalogue();
    println!(
        "catalogue: {} products, {} variants, {:.1} MB of CSV",
        PRODUCTS,
        PRODUCTS * SIZES.len(),
        data.len() as f64 / 1e6
    );
    let rt = tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .build()
        .unwrap();
    rt.block_on(async {
        bench("sqlite", &data).await;
        bench("postgres", &data).await;
    });
}
