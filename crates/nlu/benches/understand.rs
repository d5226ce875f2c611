//! Speed and memory of understanding (`cargo bench -p comptoir-nlu --bench understand`):
//! - latency of one full call (language + intent + entities) against a 10,000-product
//!   catalogue index, single thread, p50/p99 over many messages in five languages;
//! - training time of the built-in sales model, and of CLINC150 when ../shared/datasets is there;
//! - resident memory added by the trained sales model.
//!
//! Prints figures; records nothing. Results go to docs/benchmarks.md by hand. After the
//! percentiles, divan times each stage on its own (`understand`, `classify`, `entities`,
//! `language`, `catalogue`) with its own statistics.

use std::time::Instant;

use chrono::{FixedOffset, TimeZone};
use comptoir_nlu::classifier::TrainConfig;
use comptoir_nlu::entities::catalogue::{CatalogueIndex, CatalogueItem};
use comptoir_nlu::{Engine, Request};

const MESSAGES: &[&str] = &[
    "je cherche une robe rouge en lin à moins de 50 €",
    "bonjour",
    "avez-vous l'écharpe en laine mérinos en bleu marine ?",
    "je prends la deuxième, taille M, deux exemplaires",
    "où en est ma commande n° 45821 ? mon email est marie.dupont@example.fr",
    "I'm looking for leather sneakers under $80 in size 42",
    "can I book an appointment next Tuesday at 3pm? my name is John Smith",
    "what payment methods do you accept",
    "thanks a lot, bye",
    "ich suche einen roten Pullover aus Wolle zwischen 20 und 30 Euro",
    "Termin übermorgen um halb zehn bitte, Telefon 0170 1234567",
    "wo bleibt meine Bestellung 100234",
    "cerco scarpe rosse sotto i 50 euro taglia 38",
    "vorrei prenotare domani alle 15",
    "posso pagare con paypal?",
    "quiero unas zapatillas negras entre 20 y 30 euros",
    "el viernes a las 10 me viene bien",
    "¿aceptáis contra reembolso?",
    "ok",
    "what's the weather like in Paris tomorrow",
];

fn catalogue(n: usize) -> Vec<CatalogueItem> {
    let nouns = [
        "Écharpe",
        "T-shirt",
        "Baskets",
        "Robe",
        "Pull",
        "Veste",
        "Sac à dos",
        "Montre",
        "Lampe",
        "Chaise",
        "Casque audio",
        "Chemise",
        "Jean",
        "Bottes",
        "Parfum",
        "Rouge à lèvres",
        "Bougie",
        "Tasse",
        "Coussin",
        "Tapis",
        "Sweat à capuche",
        "Manteau",
        "Sandales",
        "Ceinture",
        "Portefeuille",
        "Lunettes de soleil",
        "Bracelet",
        "Collier",
        "Enceinte",
        "Clavier",
    ];
    let materials = [
        "coton",
        "laine",
        "cuir",
        "lin",
        "soie",
        "bois",
        "acier",
        "verre",
        "céramique",
        "bambou",
    ];
    let styles = [
        "classique",
        "urbain",
        "vintage",
        "sport",
        "élégant",
        "bio",
        "premium",
        "léger",
        "confort",
        "édition limitée",
    ];
    (0..n)
        .map(|i| {
            let noun = nouns[i % nouns.len()];
            let material = materials[(i / nouns.len()) % materials.len()];
            let style = styles[(i / 7) % styles.len()];
            CatalogueItem {
                id: format!("prod_{i}"),
                titles: vec![format!("{noun} {material} {style} {}", 1000 + i)],
                categories: vec![format!("Catégorie {}", i % 40)],
                brand: Some(format!("Marque{}", i % 300)),
            }
        })
        .collect()
}

fn rss_bytes() -> usize {
    std::fs::read_to_string("/proc/self/statm")
        .ok()
        .and_then(|s| {
            s.split_whitespace()
                .nth(1)
                .and_then(|p| p.parse::<usize>().ok())
        })
        .map_or(0, |pages| pages * 4096)
}

fn percentile(sorted: &[f64], q: f64) -> f64 {
    sorted[((sorted.len() - 1) as f64 * q).round() as usize]
}

struct Fixture {
    engine: Engine,
    index: CatalogueIndex,
    now: chrono::DateTime<FixedOffset>,
}

fn fixture() -> &'static Fixture {
    static F: std::sync::OnceLock<Fixture> = std::sync::OnceLock::new();
    F.get_or_init(|| Fixture {
        engine: Engine::builtin(),
        index: CatalogueIndex::build(&catalogue(10_000)),
        now: FixedOffset::east_opt(3600)
            .unwrap()
            .with_ymd_and_hms(2026, 11, 25, 10, 0, 0)
            .unwrap(),
    })
}

#[divan::bench(args = MESSAGES)]
fn understand(text: &str) -> comptoir_nlu::Understanding {
    let f = fixture();
    f.engine.understand(&Request {
        text,
        now: f.now,
        previous: None,
        catalogue: Some(&f.index),
    })
}

#[divan::bench(args = MESSAGES)]
fn classify(text: &str) -> comptoir_nlu::classifier::Prediction {
    fixture().engine.model().predict(text)
}

#[divan::bench(args = MESSAGES)]
fn catalogue_mentions(text: &str) -> usize {
    let folded = comptoir_nlu::normalize::fold(text);
    let tokens = comptoir_nlu::normalize::tokenize(&folded);
    fixture().index.find(&tokens).len()
}

fn main() {
    percentiles();
    divan::main();
}

fn percentiles() {
    let before = rss_bytes();
    let started = Instant::now();
    let engine = Engine::builtin();
    let train_s = started.elapsed().as_secs_f64();
    let after = rss_bytes();
    println!(
        "built-in sales model: trained in {train_s:.2} s, {} intents, model ≈ {:.1} MB, RSS +{:.1} MB (total RSS {:.1} MB)",
        engine.model().labels().len(),
        engine.model().memory_bytes() as f64 / 1e6,
        after.saturating_sub(before) as f64 / 1e6,
        after as f64 / 1e6
    );

    let items = catalogue(10_000);
    let started = Instant::now();
    let index = CatalogueIndex::build(&items);
    println!(
        "catalogue index: {} products built in {:.0} ms",
        index.products(),
        started.elapsed().as_secs_f64() * 1e3
    );

    let now = FixedOffset::east_opt(3600)
        .unwrap()
        .with_ymd_and_hms(2026, 11, 25, 10, 0, 0)
        .unwrap();
    let mut samples = Vec::new();
    for round in 0..500 {
        for text in MESSAGES {
            let t = Instant::now();
            let u = engine.understand(&Request {
                text,
                now,
                previous: None,
                catalogue: Some(&index),
            });
            let us = t.elapsed().as_secs_f64() * 1e6;
            std::hint::black_box(u);
            if round > 0 {
                samples.push(us);
            }
        }
    }
    samples.sort_by(f64::total_cmp);
    println!(
        "understand (10,000-product index, 1 thread): {} calls, p50 {:.1} µs, p99 {:.1} µs, max {:.1} µs",
        samples.len(),
        percentile(&samples, 0.5),
        percentile(&samples, 0.99),
        samples[samples.len() - 1]
    );

    let clinc = std::path::Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("../../../shared/datasets/clinc150/data_full.json");
    match std::fs::read_to_string(&clinc) {
        Ok(json) => {
            let train = comptoir_nlu::dataset::clinc150(&json, &["train", "oos_train"])
                .expect("CLINC150 parses");
            let started = Instant::now();
            let model =
                comptoir_nlu::engine::train(&train, &TrainConfig::default()).expect("trains");
            println!(
                "CLINC150 training: {} examples, {} intents in {:.2} s ({} threads)",
                train.len(),
                model.labels().len(),
                started.elapsed().as_secs_f64(),
                std::thread::available_parallelism().map_or(1, |n| n.get())
            );
        }
        Err(_) => println!("CLINC150 training: skipped ({} not found)", clinc.display()),
    }
}
