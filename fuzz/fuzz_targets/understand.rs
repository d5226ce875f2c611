//! Any bytes, as text, through language id, classifier and every entity extractor, with and
//! without a conversation language and a catalogue: no panic, and bounded time (libFuzzer's
//! -timeout flags a slow input).
#![no_main]

use std::sync::OnceLock;

use chrono::{FixedOffset, TimeZone};
use comptoir_nlu::entities::catalogue::{CatalogueIndex, CatalogueItem};
use comptoir_nlu::{Engine, Lang, Request};
use libfuzzer_sys::fuzz_target;

fn fixtures() -> &'static (Engine, CatalogueIndex) {
    static F: OnceLock<(Engine, CatalogueIndex)> = OnceLock::new();
    F.get_or_init(|| {
        let items = vec![
            CatalogueItem { id: "p1".into(), titles: vec!["Écharpe en laine mérinos".into()], categories: vec!["Accessoires".into()], brand: Some("Lune".into()) },
            CatalogueItem { id: "p2".into(), titles: vec!["Baskets cuir blanc".into()], categories: vec!["Chaussures".into()], brand: None },
        ];
        (Engine::builtin(), CatalogueIndex::build(&items))
    })
}

fuzz_target!(init: {
    // Training the built-in model takes longer than the per-input timeout under sanitizers.
    fixtures();
}, |data: &[u8]| {
    let (engine, index) = fixtures();
    let text = String::from_utf8_lossy(data);
    let now = FixedOffset::east_opt(3600).unwrap().with_ymd_and_hms(2026, 11, 25, 10, 0, 0).unwrap();
    let previous = data.first().map(|b| Lang::ALL[(*b as usize) % 5]);
    let _ = engine.understand(&Request { text: &text, now, previous, catalogue: Some(index) });
    let _ = engine.understand(&Request { text: &text, now, previous: None, catalogue: None });
});
