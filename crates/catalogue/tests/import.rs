//! The catalogue import, end to end: a file goes through `comptoir_catalogue::run` into a real
//! store, and what the store then holds is checked through the `Store` API (prices, stock,
//! options, languages), not only the report.
//!
//! Fixtures are written here, with our own products, in the shapes the tools really export:
//! the Shopify and WooCommerce header rows are the ones their exporters write; the DummyJSON
//! and Saleor inputs follow the structure of their public dumps. SQLite runs in a temporary
//! directory; the PostgreSQL test takes a fresh schema (`COMPTOIR_TEST_POSTGRES_URL`, default
//! `postgres://postgres@127.0.0.1:5432/test`) and FAILS when the server is unreachable.

use comptoir_catalogue::{run, Format, ImportError, ImportSource, Report};
use comptoir_domain::{Currency, Lang, NewTenant, Plan, Product, ProductFilter, Tenant, Variant};
use comptoir_store::Store;
use std::io::Read;
use std::sync::Arc;
use std::time::Duration;

// ---------------------------------------------------------------------------------------------
// Harness

struct Db {
    _dir: tempfile::TempDir,
    store: Arc<dyn Store>,
}

async fn sqlite() -> Db {
    let dir = tempfile::tempdir().expect("temp dir");
    let url = format!("sqlite://{}/comptoir.db", dir.path().display());
    let store = comptoir_store::open(&url).await.expect("open sqlite");
    Db { _dir: dir, store }
}

fn lang(s: &str) -> Lang {
    Lang::parse(s).unwrap()
}

/// A tenant selling in EUR; its first locale is the language of files that do not say.
async fn tenant(store: &dyn Store, slug: &str, locales: &[&str]) -> Tenant {
    let new = NewTenant::new(
        slug,
        "Boutique",
        Plan::Business,
        Currency::parse("EUR").unwrap(),
        locales.iter().map(|l| lang(l)).collect(),
    )
    .unwrap();
    store.create_tenant(&new).await.expect("create tenant")
}

/// Runs one import (with a time limit: a parser that loops must fail the test, not hang it).
async fn import_from(
    store: &Arc<dyn Store>,
    t: &Tenant,
    reader: Box<dyn Read + Send>,
    format: Option<Format>,
) -> Result<Report, ImportError> {
    let source = ImportSource {
        name: "test.csv".into(),
        reader,
    };
    let fut = run(store.clone(), t, source, format, None);
    match tokio::time::timeout(Duration::from_secs(120), fut).await {
        Ok(r) => r.map(|(_, report)| report),
        Err(_) => panic!("import did not finish within 120 s"),
    }
}

async fn import(
    store: &Arc<dyn Store>,
    t: &Tenant,
    bytes: impl Into<Vec<u8>>,
    format: Option<Format>,
) -> Result<Report, ImportError> {
    let bytes: Vec<u8> = bytes.into();
    import_from(store, t, Box::new(std::io::Cursor::new(bytes)), format).await
}

async fn import_ok(
    store: &Arc<dyn Store>,
    t: &Tenant,
    bytes: impl Into<Vec<u8>>,
    format: Option<Format>,
) -> Report {
    import(store, t, bytes, format)
        .await
        .unwrap_or_else(|e| panic!("import failed: {e}"))
}

async fn product(store: &Arc<dyn Store>, t: &Tenant, ext: &str, l: Option<&str>) -> Product {
    let l = l.map(lang);
    store
        .product_by_external_id(t, ext, l.as_ref())
        .await
        .expect("read product")
        .unwrap_or_else(|| panic!("product `{ext}` is not in the store"))
}

async fn no_product(store: &Arc<dyn Store>, t: &Tenant, ext: &str) {
    let p = store
        .product_by_external_id(t, ext, None)
        .await
        .expect("read product");
    assert!(p.is_none(), "product `{ext}` should not be stored: {p:?}");
}

async fn all_products(store: &Arc<dyn Store>, t: &Tenant) -> Vec<Product> {
    let mut out = Vec::new();
    let mut cursor: Option<String> = None;
    loop {
        let page = store
            .list_products(t, &ProductFilter::default(), None, cursor.as_deref(), 100)
            .await
            .expect("list products");
        out.extend(page.items);
        match page.next_cursor {
            Some(c) => cursor = Some(c),
            None => return out,
        }
    }
}

async fn counts(store: &Arc<dyn Store>, t: &Tenant) -> (u64, u64) {
    store.count_catalogue(&t.id).await.expect("count")
}

fn variant<'a>(p: &'a Product, sku: &str) -> &'a Variant {
    p.variants.iter().find(|v| v.sku == sku).unwrap_or_else(|| {
        let skus: Vec<&str> = p.variants.iter().map(|v| v.sku.as_str()).collect();
        panic!("no variant `{sku}` in `{}` (has {skus:?})", p.external_id)
    })
}

fn skus(p: &Product) -> Vec<&str> {
    let mut s: Vec<&str> = p.variants.iter().map(|v| v.sku.as_str()).collect();
    s.sort_unstable();
    s
}

fn options(v: &Variant) -> Vec<(&str, &str)> {
    v.options
        .0
        .iter()
        .map(|(k, v)| (k.as_str(), v.as_str()))
        .collect()
}

fn price(v: &Variant) -> String {
    v.price.to_string()
}

fn compare_at(v: &Variant) -> Option<String> {
    v.compare_at_price.map(|c| c.to_string())
}

fn languages(p: &Product) -> Vec<&str> {
    let mut l: Vec<&str> = p.languages.iter().map(Lang::as_str).collect();
    l.sort_unstable();
    l
}

/// The rejected rows as (line, reason), for assertions and failure messages.
fn rejected(r: &Report) -> Vec<(u64, String)> {
    r.rejected
        .iter()
        .map(|e| (e.line, e.reason.clone()))
        .collect()
}

fn reason_at(r: &Report, line: u64) -> String {
    r.rejected
        .iter()
        .find(|e| e.line == line)
        .map(|e| e.reason.clone())
        .unwrap_or_else(|| panic!("no rejected row at line {line}: {:?}", rejected(r)))
}

/// A CSV file with a tool's real header: each row names only the columns it fills, the others
/// stay empty, in the header's order (so fixtures stay readable with 50-column exports).
fn csv_file(header: &str, rows: &[&[(&str, &str)]]) -> String {
    let names: Vec<String> = csv::ReaderBuilder::new()
        .has_headers(false)
        .from_reader(header.as_bytes())
        .records()
        .next()
        .unwrap()
        .unwrap()
        .iter()
        .map(str::to_string)
        .collect();
    let mut w = csv::Writer::from_writer(Vec::new());
    w.write_record(&names).unwrap();
    for row in rows {
        let mut rec = vec![String::new(); names.len()];
        for (k, v) in row.iter() {
            let i = names
                .iter()
                .position(|n| n == k)
                .unwrap_or_else(|| panic!("column `{k}` is not in the header"));
            rec[i] = v.to_string();
        }
        w.write_record(&rec).unwrap();
    }
    String::from_utf8(w.into_inner().unwrap()).unwrap()
}

// ---------------------------------------------------------------------------------------------
// Generic CSV (PRODUCT.md)

const GENERIC_HEADER: &str = "sku,product_id,title,description,category,brand,price,currency,compare_at_price,stock,tags,image_url,option1_name,option1_value,option2_name,option2_value,digital,lang";

/// A linen dress in two sizes, in French and in English (same skus), and a digital e-book.
fn generic_catalogue() -> String {
    format!(
        "{GENERIC_HEADER}\n\
LIN-DRS-S,linen-dress,Robe en lin,\"<p>Robe <b>légère</b> en lin lavé.</p>\",Robes,Atelier Lune,69.90,EUR,89.00,4,été|lin,https://img.example/dress-1.jpg|https://img.example/dress-2.jpg,size,S,color,Sable,false,fr\n\
LIN-DRS-M,linen-dress,Robe en lin,\"<p>Robe <b>légère</b> en lin lavé.</p>\",Robes,Atelier Lune,69.90,EUR,89.00,0,été|lin,https://img.example/dress-1.jpg|https://img.example/dress-2.jpg,size,M,color,Sable,false,fr\n\
LIN-DRS-S,linen-dress,Linen dress,\"<p>A <b>light</b> washed-linen dress.</p>\",Dresses,Atelier Lune,69.90,EUR,89.00,4,summer|linen,https://img.example/dress-1.jpg|https://img.example/dress-2.jpg,size,S,color,Sable,false,en\n\
LIN-DRS-M,linen-dress,Linen dress,\"<p>A <b>light</b> washed-linen dress.</p>\",Dresses,Atelier Lune,69.90,EUR,89.00,0,summer|linen,https://img.example/dress-1.jpg|https://img.example/dress-2.jpg,size,M,color,Sable,false,en\n\
EBOOK-KNIT,ebook-knit,Guide du tricot,Un guide PDF de 80 pages.,Livres,Atelier Lune,12,EUR,,,tricot|pdf,,,,,,true,fr\n"
    )
}

#[tokio::test]
async fn generic_rows_in_two_languages_are_one_product_with_two_languages() {
    let db = sqlite().await;
    let t = tenant(&*db.store, "lune", &["fr", "en"]).await;
    let r = import_ok(&db.store, &t, generic_catalogue(), None).await;

    assert_eq!(r.format, "generic");
    assert_eq!(r.encoding, "UTF-8");
    assert_eq!(
        (r.rows_total, r.rows_imported, r.rows_rejected),
        (5, 5, 0),
        "{:?}",
        rejected(&r)
    );
    assert_eq!((r.products, r.variants), (2, 3));
    assert!(r.warnings.is_empty(), "{:?}", r.warnings);
    assert_eq!(counts(&db.store, &t).await, (2, 3));

    let fr = product(&db.store, &t, "linen-dress", Some("fr")).await;
    assert_eq!(languages(&fr), ["en", "fr"]);
    assert_eq!(fr.lang.as_str(), "fr");
    assert_eq!(fr.title, "Robe en lin");
    assert_eq!(fr.description, "Robe légère en lin lavé.");
    assert_eq!(fr.category.as_deref(), Some("Robes"));
    assert_eq!(fr.tags, ["été", "lin"]);
    assert_eq!(fr.brand.as_deref(), Some("Atelier Lune"));
    assert_eq!(
        fr.images,
        [
            "https://img.example/dress-1.jpg",
            "https://img.example/dress-2.jpg"
        ]
    );
    assert_eq!(skus(&fr), ["LIN-DRS-M", "LIN-DRS-S"]);
    let s = variant(&fr, "LIN-DRS-S");
    assert_eq!(price(s), "69.9");
    assert_eq!(compare_at(s).as_deref(), Some("89"));
    assert_eq!(s.currency.as_str(), "EUR");
    assert_eq!(s.stock, Some(4));
    assert!(!s.digital);
    assert_eq!(options(s), [("size", "S"), ("color", "Sable")]);
    let m = variant(&fr, "LIN-DRS-M");
    assert_eq!(m.stock, Some(0));
    assert!(!m.in_stock());

    let en = product(&db.store, &t, "linen-dress", Some("en")).await;
    assert_eq!(en.lang.as_str(), "en");
    assert_eq!(en.title, "Linen dress");
    assert_eq!(en.description, "A light washed-linen dress.");
    assert_eq!(en.category.as_deref(), Some("Dresses"));
    assert_eq!(en.tags, ["summer", "linen"]);
    assert_eq!(en.id, fr.id);

    // A language the product lacks falls back to the tenant's default.
    let de = product(&db.store, &t, "linen-dress", Some("de")).await;
    assert_eq!(de.title, "Robe en lin");

    let ebook = product(&db.store, &t, "ebook-knit", None).await;
    assert_eq!(languages(&ebook), ["fr"]);
    let e = variant(&ebook, "EBOOK-KNIT");
    assert_eq!(price(e), "12");
    assert_eq!(e.compare_at_price, None);
    assert_eq!(e.stock, None, "empty stock is not tracked");
    assert!(e.in_stock());
    assert!(e.digital);
    assert!(options(e).is_empty());
    assert!(ebook.images.is_empty());
}

#[tokio::test]
async fn generic_semicolon_csv_from_a_french_spreadsheet() {
    let db = sqlite().await;
    let t = tenant(&*db.store, "excel", &["fr"]).await;
    let file = "\u{feff}sku;product_id;title;price;compare_at_price;stock;lang\r\nBOL-1;bol;\"Bol; grès\";12,50;15;3;fr\r\nBOL-2;bol;Bol;1,234.5;;3;fr\r\n";
    let (_, report) = comptoir_catalogue::run(
        db.store.clone(),
        &t,
        ImportSource {
            name: "excel.csv".into(),
            reader: Box::new(std::io::Cursor::new(file.as_bytes().to_vec())),
        },
        None,
        None,
    )
    .await
    .unwrap();
    assert_eq!(report.format, "generic");
    assert_eq!(
        (report.rows_imported, report.rows_rejected),
        (1, 1),
        "{:?}",
        report.rejected
    );
    let bol = product(&db.store, &t, "bol", None).await;
    assert_eq!(bol.title, "Bol; grès");
    assert_eq!(price(variant(&bol, "BOL-1")), "12.5");
    assert_eq!(compare_at(variant(&bol, "BOL-1")).as_deref(), Some("15"));
}

#[tokio::test]
async fn generic_reimport_of_the_same_file_changes_nothing() {
    let db = sqlite().await;
    let t = tenant(&*db.store, "lune", &["fr", "en"]).await;
    let first = import_ok(&db.store, &t, generic_catalogue(), None).await;
    assert!(first.rows_changed > 0);
    let before = product(&db.store, &t, "linen-dress", Some("en")).await;

    let again = import_ok(&db.store, &t, generic_catalogue(), None).await;
    assert_eq!(again.rows_changed, 0, "a re-import must change nothing");
    assert_eq!(
        (
            again.rows_total,
            again.rows_imported,
            again.rows_rejected,
            again.products,
            again.variants
        ),
        (
            first.rows_total,
            first.rows_imported,
            first.rows_rejected,
            first.products,
            first.variants
        )
    );
    assert_eq!(counts(&db.store, &t).await, (2, 3));
    let after = product(&db.store, &t, "linen-dress", Some("en")).await;
    assert_eq!(after, before, "the stored product is untouched");

    // The import history keeps both runs with their figures.
    let history = db.store.list_imports(&t.id, 10).await.unwrap();
    assert_eq!(history.len(), 2);
    assert!(history
        .iter()
        .all(|h| h.format == "generic" && h.rows_total == 5 && h.rows_imported == 5));

    // A changed price is one changed row, and only that.
    let edited = generic_catalogue().replace(
        "EBOOK-KNIT,ebook-knit,Guide du tricot,Un guide PDF de 80 pages.,Livres,Atelier Lune,12,",
        "EBOOK-KNIT,ebook-knit,Guide du tricot,Un guide PDF de 80 pages.,Livres,Atelier Lune,14.5,",
    );
    let third = import_ok(&db.store, &t, edited, None).await;
    assert_eq!(third.rows_changed, 1);
    let ebook = product(&db.store, &t, "ebook-knit", None).await;
    assert_eq!(price(variant(&ebook, "EBOOK-KNIT")), "14.5");
}

#[tokio::test]
async fn generic_variant_rows_without_title_in_each_language_are_not_duplicates() {
    // The title and description sit on the first row of each language; the other sizes only
    // say their product_id. The same skus in another language are not duplicates.
    let db = sqlite().await;
    let t = tenant(&*db.store, "lune", &["fr", "en"]).await;
    let file = "sku,product_id,title,description,price,stock,option1_name,option1_value,lang\n\
TEE-S,tee,T-shirt bio,Coton bio.,25,3,size,S,fr\n\
TEE-M,tee,,,25,5,size,M,fr\n\
TEE-S,tee,Organic tee,Organic cotton.,25,3,size,S,en\n\
TEE-M,tee,,,25,5,size,M,en\n";
    let r = import_ok(&db.store, &t, file, None).await;
    assert_eq!(
        (r.rows_total, r.rows_imported, r.rows_rejected),
        (4, 4, 0),
        "{:?}",
        rejected(&r)
    );
    let p = product(&db.store, &t, "tee", Some("en")).await;
    assert_eq!(p.title, "Organic tee");
    assert_eq!(languages(&p), ["en", "fr"]);
    assert_eq!(skus(&p), ["TEE-M", "TEE-S"]);
    assert_eq!(variant(&p, "TEE-M").stock, Some(5));
    assert_eq!(options(variant(&p, "TEE-M")), [("size", "M")]);

    // ...but the same untitled sku twice in one language still is.
    let dup = format!("{file}TEE-M,tee,,,26,5,size,M,en\n");
    let r = import_ok(&db.store, &t, dup, None).await;
    assert_eq!(r.rows_rejected, 1, "{:?}", rejected(&r));
    assert!(reason_at(&r, 6).contains("duplicate"));
}

#[tokio::test]
async fn generic_option_values_in_the_default_language_win() {
    // Each language writes its own option values; the tenant's default language (fr) names
    // the options, whichever row comes first, while price and stock are the same fields.
    let db = sqlite().await;
    let t = tenant(&*db.store, "lune", &["fr", "en"]).await;
    let file = "sku,product_id,title,price,stock,option1_name,option1_value,lang
PULL-R,pull,Red sweater,59,2,color,Red,en
PULL-R,pull,Pull rouge,59,2,couleur,Rouge,fr
BONNET-B,bonnet,Bonnet bleu,19,5,couleur,Bleu,fr
BONNET-B,bonnet,Blue beanie,19,5,color,Blue,en
";
    let r = import_ok(&db.store, &t, file, None).await;
    assert_eq!(
        (r.rows_imported, r.rows_rejected),
        (4, 0),
        "{:?}",
        rejected(&r)
    );
    let pull = product(&db.store, &t, "pull", Some("en")).await;
    assert_eq!(pull.title, "Red sweater");
    assert_eq!(options(variant(&pull, "PULL-R")), [("couleur", "Rouge")]);
    let bonnet = product(&db.store, &t, "bonnet", Some("en")).await;
    assert_eq!(options(variant(&bonnet, "BONNET-B")), [("couleur", "Bleu")]);
    let again = import_ok(&db.store, &t, file, None).await;
    assert_eq!(again.rows_changed, 0);

    // An English-only file later does not overwrite the French option values.
    let en_only = "sku,product_id,title,price,stock,option1_name,option1_value,lang
PULL-R,pull,Red sweater,55,1,color,Red,en
";
    import_ok(&db.store, &t, en_only, None).await;
    let pull = product(&db.store, &t, "pull", Some("fr")).await;
    let v = variant(&pull, "PULL-R");
    assert_eq!(options(v), [("couleur", "Rouge")]);
    assert_eq!((price(v).as_str(), v.stock), ("55", Some(1)));
}

#[tokio::test]
async fn generic_utf8_bom_is_ignored() {
    let db = sqlite().await;
    let t = tenant(&*db.store, "lune", &["fr"]).await;
    let mut bytes = b"\xEF\xBB\xBF".to_vec();
    bytes.extend_from_slice(generic_catalogue().as_bytes());
    let r = import_ok(&db.store, &t, bytes, None).await;
    assert_eq!(r.format, "generic");
    assert_eq!(r.encoding, "UTF-8");
    assert_eq!((r.rows_imported, r.rows_rejected), (5, 0));
    assert!(r.warnings.is_empty(), "{:?}", r.warnings);
    // The first column is `sku`, not `\u{feff}sku`: skus are read.
    let p = product(&db.store, &t, "linen-dress", Some("fr")).await;
    assert_eq!(skus(&p), ["LIN-DRS-M", "LIN-DRS-S"]);
    assert_eq!(p.description, "Robe légère en lin lavé.");
}

#[tokio::test]
async fn generic_unknown_column_is_a_warning_and_rows_still_import() {
    let db = sqlite().await;
    let t = tenant(&*db.store, "lune", &["fr"]).await;
    let file = "sku,title,price,stock,weight_grams,Couleur préférée\n\
BOL-1,Bol en grès,18.5,7,350,bleu\n\
BOL-2,Bol à soupe,22,,420,vert\n";
    let r = import_ok(&db.store, &t, file, None).await;
    assert_eq!((r.rows_imported, r.rows_rejected), (2, 0));
    assert_eq!(r.warnings.len(), 1, "{:?}", r.warnings);
    assert!(r.warnings[0].contains("weight_grams"), "{:?}", r.warnings);
    assert!(
        r.warnings[0].contains("Couleur préférée"),
        "{:?}",
        r.warnings
    );
    // Without product_id, the sku is the product.
    let p = product(&db.store, &t, "BOL-1", None).await;
    assert_eq!(p.title, "Bol en grès");
    assert_eq!(price(variant(&p, "BOL-1")), "18.5");
    assert_eq!(variant(&p, "BOL-1").stock, Some(7));
    let p = product(&db.store, &t, "BOL-2", None).await;
    assert_eq!(variant(&p, "BOL-2").stock, None);
    assert_eq!(counts(&db.store, &t).await, (2, 2));
}

#[tokio::test]
async fn generic_missing_required_column_refuses_the_file() {
    let db = sqlite().await;
    let t = tenant(&*db.store, "lune", &["fr"]).await;

    // Detected as generic (sku + price), but there is no title.
    let err = import(&db.store, &t, "sku,price,stock\nA-1,10,1\n", None)
        .await
        .unwrap_err();
    match err {
        ImportError::MissingColumns { format, missing } => {
            assert_eq!(format, "generic");
            assert_eq!(missing, "title");
        }
        other => panic!("expected MissingColumns, got {other:?}"),
    }

    // Forced generic, no price.
    let err = import(
        &db.store,
        &t,
        "sku,title,stock\nA-1,Bol,1\n",
        Some(Format::Generic),
    )
    .await
    .unwrap_err();
    assert!(
        matches!(&err, ImportError::MissingColumns { missing, .. } if missing == "price"),
        "{err:?}"
    );

    // Neither sku nor product_id.
    let err = import(
        &db.store,
        &t,
        "title,price\nBol,10\n",
        Some(Format::Generic),
    )
    .await
    .unwrap_err();
    assert!(
        matches!(&err, ImportError::MissingColumns { missing, .. } if missing.contains("sku")),
        "{err:?}"
    );
    assert_eq!(counts(&db.store, &t).await, (0, 0));
    assert!(db.store.list_imports(&t.id, 10).await.unwrap().is_empty());
}

#[tokio::test]
async fn generic_bad_prices_are_rejected_with_their_line_and_good_rows_import() {
    let db = sqlite().await;
    let t = tenant(&*db.store, "lune", &["fr"]).await;
    let file = "sku,title,price,stock\n\
BOL-1,Bol,12.50,3\n\
NEG-1,Bol négatif,-4,3\n\
COMMA-1,Bol virgule,\"12,50\",3\n\
ABC-1,Bol texte,abc,3\n\
EMPTY-1,Bol vide,,3\n\
PLAT-1,Assiette,8,\n\
CENT-1,Bol au millième,8.125,1\n";
    let r = import_ok(&db.store, &t, file, None).await;
    assert_eq!(
        (r.rows_total, r.rows_imported, r.rows_rejected),
        (7, 2, 5),
        "{:?}",
        rejected(&r)
    );
    assert_eq!(
        r.rejected.iter().map(|e| e.line).collect::<Vec<_>>(),
        [3, 4, 5, 6, 8]
    );
    assert!(
        reason_at(&r, 3).contains("negative"),
        "{}",
        reason_at(&r, 3)
    );
    assert!(reason_at(&r, 4).contains("12,50"), "{}", reason_at(&r, 4));
    assert!(reason_at(&r, 4).contains("not a decimal"));
    assert!(reason_at(&r, 5).contains("abc"), "{}", reason_at(&r, 5));
    assert!(
        reason_at(&r, 6).contains("price is empty"),
        "{}",
        reason_at(&r, 6)
    );
    assert!(
        reason_at(&r, 8).contains("decimals"),
        "{}",
        reason_at(&r, 8)
    );
    assert_eq!(r.rejected[0].sku.as_deref(), Some("NEG-1"));

    assert_eq!(counts(&db.store, &t).await, (2, 2));
    let bol = product(&db.store, &t, "BOL-1", None).await;
    assert_eq!(price(variant(&bol, "BOL-1")), "12.5");
    let plat = product(&db.store, &t, "PLAT-1", None).await;
    assert_eq!(price(variant(&plat, "PLAT-1")), "8");
    for sku in ["NEG-1", "COMMA-1", "ABC-1", "EMPTY-1", "CENT-1"] {
        no_product(&db.store, &t, sku).await;
    }
}

#[tokio::test]
async fn generic_duplicate_sku_and_lang_in_one_file_rejects_the_second() {
    let db = sqlite().await;
    let t = tenant(&*db.store, "lune", &["fr"]).await;
    let file = "sku,product_id,title,price,stock,lang\n\
VASE-1,vase,Vase bleu,30,2,fr\n\
VASE-2,vase2,Vase vert,32,1,fr\n\
VASE-1,vase,Vase bleu (doublon),35,9,fr\n\
VASE-1,vase,Blue vase,30,2,en\n\
VASE-2,autre,Vase volé,32,1,de\n";
    let r = import_ok(&db.store, &t, file, None).await;
    assert_eq!(
        (r.rows_total, r.rows_imported, r.rows_rejected),
        (5, 3, 2),
        "{:?}",
        rejected(&r)
    );
    let dup = &r.rejected[0];
    assert_eq!(dup.line, 4);
    assert_eq!(dup.sku.as_deref(), Some("VASE-1"));
    assert!(dup.reason.contains("duplicate"), "{}", dup.reason);
    assert!(dup.reason.contains("line 2"), "{}", dup.reason);
    // A sku of one product claimed by another product in the same file.
    assert_eq!(r.rejected[1].line, 6);
    assert!(r.rejected[1].reason.contains("another product"));

    // The first row won.
    let p = product(&db.store, &t, "vase", Some("fr")).await;
    assert_eq!(p.title, "Vase bleu");
    assert_eq!(price(variant(&p, "VASE-1")), "30");
    assert_eq!(variant(&p, "VASE-1").stock, Some(2));
    assert_eq!(languages(&p), ["en", "fr"]);
    no_product(&db.store, &t, "autre").await;
    assert_eq!(counts(&db.store, &t).await, (2, 2));
}

#[tokio::test]
async fn generic_ragged_rows_are_rejected() {
    let db = sqlite().await;
    let t = tenant(&*db.store, "lune", &["fr"]).await;
    let file = "sku,title,price,stock\n\
OK-1,Tasse,9,1\n\
SHORT-1,Tasse courte,9\n\
LONG-1,Tasse longue,9,1,extra\n\
OK-2,\"Tasse \"\"XL\"\", anse large\",11,2\n";
    let r = import_ok(&db.store, &t, file, None).await;
    assert_eq!(
        (r.rows_total, r.rows_imported, r.rows_rejected),
        (4, 2, 2),
        "{:?}",
        rejected(&r)
    );
    assert!(reason_at(&r, 3).contains("3 fields but the header has 4"));
    assert!(reason_at(&r, 4).contains("5 fields but the header has 4"));
    let p = product(&db.store, &t, "OK-2", None).await;
    assert_eq!(p.title, "Tasse \"XL\", anse large");
    no_product(&db.store, &t, "SHORT-1").await;
}

#[tokio::test]
async fn generic_windows_1252_file_imports_with_accents_and_a_warning() {
    let db = sqlite().await;
    let t = tenant(&*db.store, "lune", &["fr"]).await;
    let text = "sku,title,description,category,price,stock\n\
CREME-1,Crème brûlée à l'ancienne,Délicieux dessert – prix en €,Pâtisserie,6.5,12\n\
CAFE-1,Café façon Œuvre,Torréfié à Nîmes,Épicerie,9,4\n";
    let (bytes, _, unmappable) = encoding_rs::WINDOWS_1252.encode(text);
    assert!(!unmappable);
    assert!(
        std::str::from_utf8(&bytes).is_err(),
        "the fixture is not UTF-8"
    );
    let r = import_ok(&db.store, &t, bytes.into_owned(), None).await;
    assert_eq!(r.encoding, "windows-1252");
    assert_eq!(
        (r.rows_imported, r.rows_rejected),
        (2, 0),
        "{:?}",
        rejected(&r)
    );
    assert!(
        r.warnings.iter().any(|w| w.contains("not UTF-8")),
        "{:?}",
        r.warnings
    );
    let p = product(&db.store, &t, "CREME-1", None).await;
    assert_eq!(p.title, "Crème brûlée à l'ancienne");
    assert_eq!(p.description, "Délicieux dessert – prix en €");
    assert_eq!(p.category.as_deref(), Some("Pâtisserie"));
    let p = product(&db.store, &t, "CAFE-1", None).await;
    assert_eq!(p.title, "Café façon Œuvre");
}

#[tokio::test]
async fn an_empty_file_is_refused() {
    let db = sqlite().await;
    let t = tenant(&*db.store, "lune", &["fr"]).await;
    for bytes in [
        b"".to_vec(),
        b"\xEF\xBB\xBF".to_vec(),
        b"  \r\n\n ".to_vec(),
    ] {
        for format in [
            None,
            Some(Format::Generic),
            Some(Format::Shopify),
            Some(Format::Json),
        ] {
            let err = import(&db.store, &t, bytes.clone(), format)
                .await
                .unwrap_err();
            assert!(
                matches!(err, ImportError::Empty),
                "{bytes:?} as {format:?}: {err:?}"
            );
        }
    }
    // A header and nothing else is a valid, empty catalogue.
    let r = import_ok(&db.store, &t, "sku,title,price\n", None).await;
    assert_eq!((r.rows_total, r.rows_imported), (0, 0));
}

#[tokio::test]
async fn generic_row_with_a_50_mb_description_is_rejected_alone() {
    let db = sqlite().await;
    let t = tenant(&*db.store, "lune", &["fr"]).await;
    let mut file = Vec::with_capacity(51 << 20);
    file.extend_from_slice(b"sku,title,description,price,stock\nSMALL-1,Petit bol,Un bol.,5,1\n");
    file.extend_from_slice(b"HUGE-1,Bol bavard,\"");
    let chunk = "<p>Bla &amp; bla, \"\"encore\"\" bla.</p>\n".repeat(1000);
    while file.len() < 50 << 20 {
        file.extend_from_slice(chunk.as_bytes());
    }
    file.extend_from_slice(b"\",7,1\nSMALL-2,Grand bol,Un grand bol.,9,2\n");
    let r = import_ok(&db.store, &t, file, None).await;
    assert_eq!(
        (r.rows_total, r.rows_imported, r.rows_rejected),
        (3, 2, 1),
        "{:?}",
        rejected(&r)
    );
    assert_eq!(r.rejected[0].line, 3);
    assert_eq!(r.rejected[0].sku.as_deref(), Some("HUGE-1"));
    assert!(
        r.rejected[0].reason.contains("longer than"),
        "{}",
        r.rejected[0].reason
    );
    no_product(&db.store, &t, "HUGE-1").await;
    let p = product(&db.store, &t, "SMALL-2", None).await;
    assert_eq!(p.title, "Grand bol");
    assert_eq!(price(variant(&p, "SMALL-2")), "9");
    assert_eq!(counts(&db.store, &t).await, (2, 2));
}

#[tokio::test]
async fn generic_invalid_digital_and_stock_values_are_rejected() {
    let db = sqlite().await;
    let t = tenant(&*db.store, "lune", &["fr"]).await;
    let file = "sku,title,price,stock,digital\n\
OK-1,Carte,5,2,false\n\
DIG-1,Carte,5,2,peut-être\n\
STK-1,Carte,5,beaucoup,false\n\
STK-2,Carte,5,3.5,false\n\
OK-2,Licence,15,,yes\n\
OK-3,Cahier,4,10.0,0\n";
    let r = import_ok(&db.store, &t, file, None).await;
    assert_eq!(
        (r.rows_total, r.rows_imported, r.rows_rejected),
        (6, 3, 3),
        "{:?}",
        rejected(&r)
    );
    assert!(reason_at(&r, 3).contains("digital"), "{}", reason_at(&r, 3));
    assert!(reason_at(&r, 3).contains("peut-être"));
    assert!(
        reason_at(&r, 4).contains("beaucoup"),
        "{}",
        reason_at(&r, 4)
    );
    assert!(reason_at(&r, 5).contains("3.5"), "{}", reason_at(&r, 5));
    let p = product(&db.store, &t, "OK-2", None).await;
    let v = variant(&p, "OK-2");
    assert!(v.digital);
    assert_eq!(v.stock, None);
    let p = product(&db.store, &t, "OK-3", None).await;
    assert_eq!(
        variant(&p, "OK-3").stock,
        Some(10),
        "spreadsheets write 10.0"
    );
    assert!(!variant(&p, "OK-3").digital);
    for sku in ["DIG-1", "STK-1", "STK-2"] {
        no_product(&db.store, &t, sku).await;
    }
}

#[tokio::test]
async fn generic_html_description_becomes_clean_text() {
    let db = sqlite().await;
    let t = tenant(&*db.store, "lune", &["fr"]).await;
    let html = "<h2>Théière <em>Kyūsu</em></h2><p>Fonte&nbsp;émaillée &amp; bois.<br>Contenance&nbsp;: 0,5&nbsp;L</p>\
<ul><li>Filtre inox</li><li>Poignée <strong>isolée</strong></li></ul>\
<script>alert('x')</script><STYLE>p { color: red }</STYLE><p>Prix &lt; 50 €</p>";
    let file = csv_file(
        "sku,title,description,price",
        &[&[
            ("sku", "THE-1"),
            ("title", "Théière"),
            ("description", html),
            ("price", "45"),
        ]],
    );
    import_ok(&db.store, &t, file, None).await;
    let p = product(&db.store, &t, "THE-1", None).await;
    assert_eq!(
        p.description,
        "Théière Kyūsu\nFonte émaillée & bois.\nContenance : 0,5 L\n- Filtre inox\n- Poignée isolée\nPrix < 50 €"
    );
}

/// A reader that serves `data` and then fails, like a disk or a network stream dying mid-file.
struct Failing {
    data: std::io::Cursor<Vec<u8>>,
}

impl Read for Failing {
    fn read(&mut self, buf: &mut [u8]) -> std::io::Result<usize> {
        match self.data.read(buf)? {
            0 => Err(std::io::Error::other("connection reset while reading")),
            n => Ok(n),
        }
    }
}

#[tokio::test]
async fn a_read_error_mid_file_stops_the_import_with_an_io_error() {
    // Well past the first 64 KiB sniffed for the encoding and the first storage batch: the
    // error strikes in the middle of parsing. A truncated catalogue must not pass for a
    // complete one with "one unreadable row".
    let db = sqlite().await;
    let t = tenant(&*db.store, "lune", &["fr"]).await;
    let names: Vec<String> = (0..6000).map(|i| format!("SKU-{i}")).collect();
    let titles: Vec<String> = (0..6000).map(|i| format!("Produit {i}")).collect();
    let generic: Vec<Vec<(&str, &str)>> = (0..6000)
        .map(|i| {
            vec![
                ("sku", names[i].as_str()),
                ("title", titles[i].as_str()),
                ("price", "1.5"),
            ]
        })
        .collect();
    let shopify: Vec<Vec<(&str, &str)>> = (0..6000)
        .map(|i| {
            vec![
                ("Handle", names[i].as_str()),
                ("Title", titles[i].as_str()),
                ("Variant Price", "1.5"),
            ]
        })
        .collect();
    let woo: Vec<Vec<(&str, &str)>> = (0..6000)
        .map(|i| {
            vec![
                ("Type", "simple"),
                ("SKU", names[i].as_str()),
                ("Name", titles[i].as_str()),
                ("Regular price", "1.5"),
            ]
        })
        .collect();
    let files = [
        (
            "generic",
            csv_file(
                "sku,title,price",
                &generic.iter().map(Vec::as_slice).collect::<Vec<_>>(),
            ),
        ),
        (
            "shopify",
            csv_file(
                SHOPIFY_HEADER,
                &shopify.iter().map(Vec::as_slice).collect::<Vec<_>>(),
            ),
        ),
        (
            "woocommerce",
            csv_file(
                WOO_HEADER,
                &woo.iter().map(Vec::as_slice).collect::<Vec<_>>(),
            ),
        ),
    ];
    for (format, file) in files {
        assert!(file.len() > 100_000, "past the 64 KiB encoding sniff");
        // The whole file imports...
        let r = import_ok(&db.store, &t, file.clone(), None).await;
        assert_eq!((r.format.as_str(), r.rows_imported), (format, 6000));
        // ...and the same bytes from a reader that dies at the end are an error.
        let reader = Box::new(Failing {
            data: std::io::Cursor::new(file.into_bytes()),
        });
        let err = import_from(&db.store, &t, reader, None).await.unwrap_err();
        assert!(matches!(err, ImportError::Io(_)), "{format}: {err:?}");
        assert!(err.to_string().contains("connection reset"), "{err}");
    }
    // Failed imports are not recorded as done.
    assert_eq!(db.store.list_imports(&t.id, 10).await.unwrap().len(), 3);
}

// ---------------------------------------------------------------------------------------------
// Shopify product CSV export

/// The header Shopify's admin writes (2023 template, with `Product Category` and markets).
const SHOPIFY_HEADER: &str = "Handle,Title,Body (HTML),Vendor,Product Category,Type,Tags,Published,Option1 Name,Option1 Value,Option2 Name,Option2 Value,Option3 Name,Option3 Value,Variant SKU,Variant Grams,Variant Inventory Tracker,Variant Inventory Qty,Variant Inventory Policy,Variant Fulfillment Service,Variant Price,Variant Compare At Price,Variant Requires Shipping,Variant Taxable,Variant Barcode,Image Src,Image Position,Image Alt Text,Gift Card,SEO Title,SEO Description,Google Shopping / Google Product Category,Google Shopping / Gender,Google Shopping / Age Group,Google Shopping / MPN,Google Shopping / Condition,Google Shopping / Custom Product,Variant Image,Variant Weight Unit,Variant Tax Code,Cost per item,Included / United States,Price / United States,Compare At Price / United States,Included / International,Price / International,Compare At Price / International,Status";

/// The older header (2017-2021 exports: no Product Category, AdWords columns).
const SHOPIFY_LEGACY_HEADER: &str = "Handle,Title,Body (HTML),Vendor,Type,Tags,Published,Option1 Name,Option1 Value,Option2 Name,Option2 Value,Option3 Name,Option3 Value,Variant SKU,Variant Grams,Variant Inventory Tracker,Variant Inventory Qty,Variant Inventory Policy,Variant Fulfillment Service,Variant Price,Variant Compare At Price,Variant Requires Shipping,Variant Taxable,Variant Barcode,Image Src,Image Position,Image Alt Text,Gift Card,SEO Title,SEO Description,Google Shopping / Google Product Category,Google Shopping / Gender,Google Shopping / Age Group,Google Shopping / MPN,Google Shopping / AdWords Grouping,Google Shopping / AdWords Labels,Google Shopping / Condition,Google Shopping / Custom Product,Google Shopping / Custom Label 0,Google Shopping / Custom Label 1,Google Shopping / Custom Label 2,Google Shopping / Custom Label 3,Google Shopping / Custom Label 4,Variant Image,Variant Weight Unit,Variant Tax Code,Cost per item,Status";

/// An apron in 2 colours x 2 sizes with no Variant SKU (as many shops export), followed by
/// two image-only rows; a single-variant candle ("Default Title"); a gift card.
fn shopify_export() -> String {
    let apron_head: &[(&str, &str)] = &[
        ("Handle", "tablier-lin"),
        ("Title", "Tablier en lin"),
        (
            "Body (HTML)",
            "<p>Tablier <strong>en lin lavé</strong>, poche ventrale.</p>",
        ),
        ("Vendor", "Atelier Lune"),
        (
            "Product Category",
            "Apparel & Accessories > Clothing > Aprons",
        ),
        ("Type", "Tabliers"),
        ("Tags", "cuisine, lin, Cadeau"),
        ("Published", "true"),
        ("Option1 Name", "Couleur"),
        ("Option1 Value", "Sauge"),
        ("Option2 Name", "Taille"),
        ("Option2 Value", "S"),
        ("Variant Grams", "250"),
        ("Variant Inventory Tracker", "shopify"),
        ("Variant Inventory Qty", "5"),
        ("Variant Inventory Policy", "deny"),
        ("Variant Fulfillment Service", "manual"),
        ("Variant Price", "39.00"),
        ("Variant Compare At Price", "49.00"),
        ("Variant Requires Shipping", "true"),
        ("Variant Taxable", "true"),
        ("Image Src", "https://cdn.example/apron-sage.jpg"),
        ("Image Position", "1"),
        ("Gift Card", "false"),
        ("Variant Image", "https://cdn.example/apron-sage.jpg"),
        ("Variant Weight Unit", "kg"),
        ("Status", "active"),
    ];
    let apron_variant = |colour: &'static str,
                         size: &'static str,
                         qty: &'static str,
                         policy: &'static str,
                         image: &'static str|
     -> Vec<(&'static str, &'static str)> {
        vec![
            ("Handle", "tablier-lin"),
            ("Option1 Value", colour),
            ("Option2 Value", size),
            ("Variant Grams", "250"),
            ("Variant Inventory Tracker", "shopify"),
            ("Variant Inventory Qty", qty),
            ("Variant Inventory Policy", policy),
            ("Variant Fulfillment Service", "manual"),
            ("Variant Price", "39.00"),
            ("Variant Compare At Price", "49.00"),
            ("Variant Requires Shipping", "true"),
            ("Variant Taxable", "true"),
            ("Variant Image", image),
            ("Variant Weight Unit", "kg"),
        ]
    };
    let v2 = apron_variant("Sauge", "M", "0", "deny", "");
    let v3 = apron_variant(
        "Terracotta",
        "S",
        "2",
        "deny",
        "https://cdn.example/apron-terracotta.jpg",
    );
    let v4 = apron_variant("Terracotta", "M", "0", "continue", "");
    let img2: &[(&str, &str)] = &[
        ("Handle", "tablier-lin"),
        ("Image Src", "https://cdn.example/apron-pocket.jpg"),
        ("Image Position", "3"),
        ("Image Alt Text", "La poche"),
    ];
    let img3: &[(&str, &str)] = &[
        ("Handle", "tablier-lin"),
        ("Image Src", "https://cdn.example/apron-back.jpg"),
        ("Image Position", "4"),
    ];
    let candle: &[(&str, &str)] = &[
        ("Handle", "bougie-figue"),
        ("Title", "Bougie Figue & Cèdre"),
        ("Body (HTML)", "<p>Cire de colza, 40&nbsp;h.</p>"),
        ("Vendor", "Maison Cire"),
        (
            "Product Category",
            "Home & Garden > Decor > Home Fragrances > Candles",
        ),
        ("Type", "Bougies"),
        ("Tags", "bougie, figue"),
        ("Published", "true"),
        ("Option1 Name", "Title"),
        ("Option1 Value", "Default Title"),
        ("Variant SKU", "'BG-FIG-01"),
        ("Variant Inventory Tracker", "shopify"),
        ("Variant Inventory Qty", "12"),
        ("Variant Inventory Policy", "deny"),
        ("Variant Price", "24.00"),
        ("Variant Compare At Price", "32.00"),
        ("Variant Requires Shipping", "true"),
        ("Image Src", "https://cdn.example/candle.jpg"),
        ("Image Position", "1"),
        ("Gift Card", "false"),
        ("Status", "active"),
    ];
    let gift: &[(&str, &str)] = &[
        ("Handle", "carte-cadeau"),
        ("Title", "Carte cadeau"),
        ("Body (HTML)", "Offrez l'atelier."),
        ("Vendor", "Atelier Lune"),
        ("Type", "Carte cadeau"),
        ("Published", "true"),
        ("Option1 Name", "Montant"),
        ("Option1 Value", "50 €"),
        ("Variant Inventory Qty", "0"),
        ("Variant Inventory Policy", "deny"),
        ("Variant Fulfillment Service", "manual"),
        ("Variant Price", "50.00"),
        ("Variant Requires Shipping", "false"),
        ("Gift Card", "true"),
        ("Status", "active"),
    ];
    csv_file(
        SHOPIFY_HEADER,
        &[apron_head, &v2, &v3, &v4, img2, img3, candle, gift],
    )
}

#[tokio::test]
async fn shopify_variants_without_sku_get_stable_derived_skus() {
    let db = sqlite().await;
    let t = tenant(&*db.store, "lune", &["fr", "en"]).await;
    let r = import_ok(&db.store, &t, shopify_export(), None).await;
    assert_eq!(r.format, "shopify");
    assert_eq!(
        (r.rows_total, r.rows_imported, r.rows_rejected),
        (8, 8, 0),
        "{:?}",
        rejected(&r)
    );
    assert_eq!((r.products, r.variants), (3, 6));
    assert_eq!(counts(&db.store, &t).await, (3, 6));

    let apron = product(&db.store, &t, "tablier-lin", None).await;
    assert_eq!(
        skus(&apron),
        [
            "tablier-lin-sauge-m",
            "tablier-lin-sauge-s",
            "tablier-lin-terracotta-m",
            "tablier-lin-terracotta-s"
        ]
    );
    // Variant order is the file's.
    let order: Vec<&str> = apron.variants.iter().map(|v| v.sku.as_str()).collect();
    assert_eq!(order[0], "tablier-lin-sauge-s");
    assert_eq!(order[3], "tablier-lin-terracotta-m");
    let v = variant(&apron, "tablier-lin-terracotta-s");
    assert_eq!(options(v), [("Couleur", "Terracotta"), ("Taille", "S")]);
    assert_eq!(price(v), "39");

    // Re-importing finds the same skus: nothing new, nothing changed.
    let again = import_ok(&db.store, &t, shopify_export(), None).await;
    assert_eq!(again.rows_changed, 0);
    assert_eq!(counts(&db.store, &t).await, (3, 6));
    let apron2 = product(&db.store, &t, "tablier-lin", None).await;
    assert_eq!(apron2, apron);
}

#[tokio::test]
async fn shopify_default_title_means_no_options() {
    let db = sqlite().await;
    let t = tenant(&*db.store, "lune", &["fr"]).await;
    import_ok(&db.store, &t, shopify_export(), None).await;
    let candle = product(&db.store, &t, "bougie-figue", None).await;
    assert_eq!(candle.variants.len(), 1);
    // Excel's leading apostrophe (text marker) is not part of the sku.
    let v = variant(&candle, "BG-FIG-01");
    assert!(options(v).is_empty(), "{:?}", options(v));
    assert_eq!(candle.title, "Bougie Figue & Cèdre");
    assert_eq!(candle.description, "Cire de colza, 40 h.");
}

#[tokio::test]
async fn shopify_image_only_rows_add_images() {
    let db = sqlite().await;
    let t = tenant(&*db.store, "lune", &["fr"]).await;
    import_ok(&db.store, &t, shopify_export(), None).await;
    let apron = product(&db.store, &t, "tablier-lin", None).await;
    assert_eq!(
        apron.images,
        [
            "https://cdn.example/apron-sage.jpg",
            "https://cdn.example/apron-terracotta.jpg",
            "https://cdn.example/apron-pocket.jpg",
            "https://cdn.example/apron-back.jpg",
        ]
    );
    // Image rows are not variants.
    assert_eq!(apron.variants.len(), 4);
}

#[tokio::test]
async fn shopify_inventory_quantity_and_policy() {
    let db = sqlite().await;
    let t = tenant(&*db.store, "lune", &["fr"]).await;
    import_ok(&db.store, &t, shopify_export(), None).await;
    let apron = product(&db.store, &t, "tablier-lin", None).await;
    assert_eq!(variant(&apron, "tablier-lin-sauge-s").stock, Some(5));
    let sold_out = variant(&apron, "tablier-lin-sauge-m");
    assert_eq!(sold_out.stock, Some(0));
    assert!(!sold_out.in_stock());
    assert_eq!(variant(&apron, "tablier-lin-terracotta-s").stock, Some(2));
    // `continue`: Shopify keeps selling past zero, so stock does not limit it.
    let cont = variant(&apron, "tablier-lin-terracotta-m");
    assert_eq!(cont.stock, None);
    assert!(cont.in_stock());

    // A gift card ships nothing: digital, and its quantity is not tracked by a tracker.
    let gift = product(&db.store, &t, "carte-cadeau", None).await;
    let g = &gift.variants[0];
    assert!(g.digital);
    assert_eq!(options(g), [("Montant", "50 €")]);
    assert_eq!(g.sku, "carte-cadeau-50");
    assert_eq!(price(g), "50");

    // A fulfilment service tracks the quantity too; a blank tracker tracks nothing.
    let file = csv_file(
        SHOPIFY_LEGACY_HEADER,
        &[&[
            ("Handle", "pot-miel"),
            ("Title", "Pot de miel"),
            ("Option1 Name", "Title"),
            ("Option1 Value", "Default Title"),
            ("Variant SKU", "MIEL-250"),
            ("Variant Inventory Tracker", "shipwire"),
            ("Variant Inventory Qty", "0"),
            ("Variant Inventory Policy", "deny"),
            ("Variant Price", "8.90"),
        ]],
    );
    import_ok(&db.store, &t, file, None).await;
    let honey = product(&db.store, &t, "pot-miel", None).await;
    assert_eq!(variant(&honey, "MIEL-250").stock, Some(0));
    let file = csv_file(
        SHOPIFY_LEGACY_HEADER,
        &[&[
            ("Handle", "pot-confiture"),
            ("Title", "Pot de confiture"),
            ("Option1 Name", "Title"),
            ("Option1 Value", "Default Title"),
            ("Variant SKU", "CONF-250"),
            ("Variant Inventory Tracker", ""),
            ("Variant Inventory Qty", "0"),
            ("Variant Inventory Policy", "deny"),
            ("Variant Price", "6.90"),
        ]],
    );
    import_ok(&db.store, &t, file, None).await;
    let jam = product(&db.store, &t, "pot-confiture", None).await;
    assert_eq!(
        variant(&jam, "CONF-250").stock,
        None,
        "blank tracker: not tracked"
    );
}

#[tokio::test]
async fn shopify_compare_at_price_vendor_and_type() {
    let db = sqlite().await;
    let t = tenant(&*db.store, "lune", &["fr"]).await;
    import_ok(&db.store, &t, shopify_export(), None).await;
    let candle = product(&db.store, &t, "bougie-figue", None).await;
    let v = variant(&candle, "BG-FIG-01");
    assert_eq!(price(v), "24");
    assert_eq!(compare_at(v).as_deref(), Some("32"));
    assert_eq!(v.currency.as_str(), "EUR", "the tenant's currency");
    assert_eq!(candle.brand.as_deref(), Some("Maison Cire"));
    assert_eq!(candle.category.as_deref(), Some("Bougies"), "Type wins");
    assert_eq!(candle.tags, ["bougie", "figue"]);
    assert_eq!(candle.lang.as_str(), "fr", "the tenant's default language");

    let apron = product(&db.store, &t, "tablier-lin", None).await;
    assert_eq!(apron.brand.as_deref(), Some("Atelier Lune"));
    assert_eq!(apron.category.as_deref(), Some("Tabliers"));
    assert_eq!(apron.tags, ["cuisine", "lin", "Cadeau"]);
    assert_eq!(apron.description, "Tablier en lin lavé, poche ventrale.");
    let gift = product(&db.store, &t, "carte-cadeau", None).await;
    assert_eq!(gift.variants[0].compare_at_price, None);

    // Without Type, the last level of Product Category; a 0.00 compare-at is no compare-at.
    let file = csv_file(
        SHOPIFY_HEADER,
        &[&[
            ("Handle", "plaid"),
            ("Title", "Plaid laine"),
            ("Vendor", "Filature Nord"),
            (
                "Product Category",
                "Home & Garden > Linens & Bedding > Bedding > Blankets",
            ),
            ("Option1 Name", "Title"),
            ("Option1 Value", "Default Title"),
            ("Variant SKU", "PLAID-1"),
            ("Variant Price", "89.90"),
            ("Variant Compare At Price", "0.00"),
        ]],
    );
    import_ok(&db.store, &t, file, None).await;
    let plaid = product(&db.store, &t, "plaid", None).await;
    assert_eq!(plaid.category.as_deref(), Some("Blankets"));
    assert_eq!(plaid.brand.as_deref(), Some("Filature Nord"));
    assert_eq!(compare_at(variant(&plaid, "PLAID-1")), None);
    assert_eq!(price(variant(&plaid, "PLAID-1")), "89.9");
}

#[tokio::test]
async fn shopify_bad_rows_are_rejected_and_a_product_left_without_variant_is_not_stored() {
    let db = sqlite().await;
    let t = tenant(&*db.store, "lune", &["fr"]).await;
    let file = csv_file(
        SHOPIFY_HEADER,
        &[
            // A one-variant product whose only variant has a broken price, plus an image row.
            &[
                ("Handle", "vase-casse"),
                ("Title", "Vase"),
                ("Option1 Name", "Title"),
                ("Option1 Value", "Default Title"),
                ("Variant SKU", "VASE-X"),
                ("Variant Price", "douze"),
            ],
            &[
                ("Handle", "vase-casse"),
                ("Image Src", "https://cdn.example/vase.jpg"),
            ],
            // A product with one good and one bad variant keeps the good one.
            &[
                ("Handle", "coupe"),
                ("Title", "Coupe"),
                ("Option1 Name", "Taille"),
                ("Option1 Value", "S"),
                ("Variant SKU", "COUPE-S"),
                ("Variant Price", "15"),
                ("Variant Inventory Tracker", "shopify"),
                ("Variant Inventory Qty", "3"),
            ],
            &[
                ("Handle", "coupe"),
                ("Option1 Value", "M"),
                ("Variant SKU", "COUPE-M"),
                ("Variant Price", "15"),
                ("Variant Inventory Qty", "trois"),
            ],
            // A row without handle.
            &[("Title", "Orphelin"), ("Variant Price", "3")],
        ],
    );
    let r = import_ok(&db.store, &t, file, None).await;
    assert_eq!(
        (r.rows_total, r.rows_imported, r.rows_rejected),
        (5, 1, 4),
        "{:?}",
        rejected(&r)
    );
    assert!(
        reason_at(&r, 2).contains("Variant Price"),
        "{}",
        reason_at(&r, 2)
    );
    assert!(
        reason_at(&r, 3).contains("vase-casse"),
        "{}",
        reason_at(&r, 3)
    );
    assert!(reason_at(&r, 5).contains("trois"), "{}", reason_at(&r, 5));
    assert!(reason_at(&r, 6).contains("Handle"), "{}", reason_at(&r, 6));
    no_product(&db.store, &t, "vase-casse").await;
    let coupe = product(&db.store, &t, "coupe", None).await;
    assert_eq!(skus(&coupe), ["COUPE-S"]);
    assert_eq!(variant(&coupe, "COUPE-S").stock, Some(3));
    assert_eq!(counts(&db.store, &t).await, (1, 1));
}

#[tokio::test]
async fn shopify_rows_of_one_handle_split_apart_still_make_one_product() {
    // A file sorted by hand: a later block of the same handle adds its variants.
    let db = sqlite().await;
    let t = tenant(&*db.store, "lune", &["fr"]).await;
    let file = csv_file(
        SHOPIFY_LEGACY_HEADER,
        &[
            &[
                ("Handle", "gant"),
                ("Title", "Gant de toilette"),
                ("Option1 Name", "Couleur"),
                ("Option1 Value", "Blanc"),
                ("Variant Price", "6"),
            ],
            &[
                ("Handle", "serviette"),
                ("Title", "Serviette"),
                ("Option1 Name", "Title"),
                ("Option1 Value", "Default Title"),
                ("Variant Price", "19"),
            ],
            &[
                ("Handle", "gant"),
                ("Option1 Value", "Gris"),
                ("Variant Price", "6.5"),
            ],
        ],
    );
    let r = import_ok(&db.store, &t, file, None).await;
    assert_eq!(
        (r.rows_total, r.rows_imported, r.rows_rejected),
        (3, 3, 0),
        "{:?}",
        rejected(&r)
    );
    let gant = product(&db.store, &t, "gant", None).await;
    assert_eq!(gant.title, "Gant de toilette");
    assert_eq!(skus(&gant), ["gant-blanc", "gant-gris"]);
    assert_eq!(options(variant(&gant, "gant-gris")), [("Couleur", "Gris")]);
    assert_eq!(price(variant(&gant, "gant-gris")), "6.5");
    assert_eq!(counts(&db.store, &t).await, (2, 3));
}

// ---------------------------------------------------------------------------------------------
// WooCommerce product CSV export

/// The header WooCommerce's exporter writes (Products → Export, all columns).
const WOO_HEADER: &str = "ID,Type,SKU,Name,Published,\"Is featured?\",\"Visibility in catalog\",\"Short description\",Description,\"Date sale price starts\",\"Date sale price ends\",\"Tax status\",\"Tax class\",\"In stock?\",Stock,\"Backorders allowed?\",\"Sold individually?\",\"Weight (lbs)\",\"Length (in)\",\"Width (in)\",\"Height (in)\",\"Allow customer reviews?\",\"Purchase note\",\"Sale price\",\"Regular price\",Categories,Tags,\"Shipping class\",Images,\"Download limit\",\"Download expiry days\",Parent,\"Grouped products\",Upsells,Cross-sells,\"External URL\",\"Button text\",Position,\"Attribute 1 name\",\"Attribute 1 value(s)\",\"Attribute 1 visible\",\"Attribute 1 global\",\"Attribute 2 name\",\"Attribute 2 value(s)\",\"Attribute 2 visible\",\"Attribute 2 global\",\"Meta: _wpcom_is_markdown\",\"Download 1 name\",\"Download 1 URL\",\"Download 2 name\",\"Download 2 URL\"";

fn woo_common(id: &'static str, kind: &'static str) -> Vec<(&'static str, &'static str)> {
    vec![
        ("ID", id),
        ("Type", kind),
        ("Published", "1"),
        ("Is featured?", "0"),
        ("Visibility in catalog", "visible"),
        ("Tax status", "taxable"),
        ("Allow customer reviews?", "1"),
        ("Position", "0"),
    ]
}

fn with(
    mut base: Vec<(&'static str, &'static str)>,
    more: &[(&'static str, &'static str)],
) -> Vec<(&'static str, &'static str)> {
    base.extend_from_slice(more);
    base
}

/// A tea shop: a simple product on sale, a variable teapot whose variations name their parent
/// by SKU and by `id:NN`, a variation listed before its variable parent, a grouped box, an
/// e-book (downloadable, virtual), a tasting workshop (virtual) and a sold-out simple product.
fn woo_export() -> String {
    let rows: Vec<Vec<(&str, &str)>> = vec![
        with(
            woo_common("201", "simple"),
            &[
                ("SKU", "THE-SENCHA"),
                ("Name", "Thé vert Sencha"),
                ("Short description", "Un sencha japonais."),
                (
                    "Description",
                    "<p>Feuilles <em>entières</em>, récolte de printemps.</p>",
                ),
                ("In stock?", "1"),
                ("Stock", "40"),
                ("Sale price", "9.90"),
                ("Regular price", "12.50"),
                ("Categories", "Thés > Thés verts, Thés"),
                ("Tags", "bio, japon"),
                (
                    "Images",
                    "https://img.example/sencha.jpg, https://img.example/sencha-2.jpg",
                ),
                ("Attribute 1 name", "Origine"),
                ("Attribute 1 value(s)", "Japon"),
                ("Attribute 1 visible", "1"),
                ("Attribute 1 global", "1"),
                ("Meta: _wpcom_is_markdown", "1"),
            ],
        ),
        with(
            woo_common("202", "variable"),
            &[
                ("SKU", "THEIERE"),
                ("Name", "Théière en fonte"),
                ("Description", "Fonte émaillée, 0,8 L."),
                ("In stock?", "1"),
                ("Categories", "Accessoires > Théières"),
                ("Images", "https://img.example/teapot.jpg"),
                ("Attribute 1 name", "Couleur"),
                ("Attribute 1 value(s)", "Noir, Rouge"),
                ("Attribute 1 visible", "1"),
                ("Attribute 1 global", "1"),
            ],
        ),
        with(
            woo_common("203", "variation"),
            &[
                ("SKU", "THEIERE-NOIR"),
                ("Name", "Théière en fonte - Noir"),
                ("In stock?", "1"),
                ("Stock", "3"),
                ("Regular price", "45"),
                ("Parent", "THEIERE"),
                ("Attribute 1 name", "Couleur"),
                ("Attribute 1 value(s)", "Noir"),
                ("Attribute 1 global", "1"),
            ],
        ),
        with(
            woo_common("204", "variation"),
            &[
                ("Name", "Théière en fonte - Rouge"),
                ("In stock?", "0"),
                ("Regular price", "49"),
                ("Parent", "id:202"),
                ("Attribute 1 name", "Couleur"),
                ("Attribute 1 value(s)", "Rouge"),
                ("Attribute 1 global", "1"),
            ],
        ),
        // The variation comes first; its parent later.
        with(
            woo_common("301", "variation"),
            &[
                ("SKU", "TASSE-CELADON"),
                ("Name", "Tasse - Céladon"),
                ("In stock?", "1"),
                ("Stock", "8"),
                ("Regular price", "14"),
                ("Parent", "id:300"),
                ("Attribute 1 name", "Émail"),
                ("Attribute 1 value(s)", "Céladon"),
            ],
        ),
        with(
            woo_common("300", "variable"),
            &[
                ("SKU", "TASSE"),
                ("Name", "Tasse à thé"),
                ("Description", "Grès tourné main."),
                ("Categories", "Accessoires > Tasses"),
                ("Attribute 1 name", "Émail"),
                ("Attribute 1 value(s)", "Céladon, Tenmoku"),
            ],
        ),
        with(
            woo_common("302", "variation"),
            &[
                ("SKU", "TASSE-TENMOKU"),
                ("Name", "Tasse - Tenmoku"),
                ("In stock?", "1"),
                ("Stock", "1"),
                ("Regular price", "16"),
                ("Parent", "TASSE"),
                ("Attribute 1 name", "Émail"),
                ("Attribute 1 value(s)", "Tenmoku"),
            ],
        ),
        with(
            woo_common("400", "grouped"),
            &[
                ("SKU", "COFFRET"),
                ("Name", "Coffret découverte"),
                ("Grouped products", "THE-SENCHA, TASSE"),
            ],
        ),
        with(
            woo_common("500", "simple, downloadable, virtual"),
            &[
                ("SKU", "EBOOK-THE"),
                ("Name", "Le guide du thé (PDF)"),
                ("In stock?", "1"),
                ("Regular price", "7"),
                ("Categories", "Livres"),
                ("Download limit", "-1"),
                ("Download expiry days", "-1"),
                ("Download 1 name", "guide.pdf"),
                ("Download 1 URL", "https://shop.example/files/guide.pdf"),
            ],
        ),
        with(
            woo_common("501", "simple, virtual"),
            &[
                ("SKU", "ATELIER-DEGUST"),
                ("Name", "Atelier dégustation"),
                ("In stock?", "1"),
                ("Regular price", "35"),
            ],
        ),
        with(
            woo_common("600", "simple"),
            &[
                ("SKU", "MATCHA"),
                ("Name", "Matcha cérémonie"),
                ("In stock?", "0"),
                ("Regular price", "29"),
                ("Categories", "Thés > Thés verts"),
            ],
        ),
    ];
    let refs: Vec<&[(&str, &str)]> = rows.iter().map(Vec::as_slice).collect();
    csv_file(WOO_HEADER, &refs)
}

#[tokio::test]
async fn woocommerce_simple_and_variable_products_with_their_variations() {
    let db = sqlite().await;
    let t = tenant(&*db.store, "the", &["fr"]).await;
    let r = import_ok(&db.store, &t, woo_export(), None).await;
    assert_eq!(r.format, "woocommerce");
    assert_eq!(
        (
            r.rows_total,
            r.rows_imported,
            r.rows_rejected,
            r.rows_skipped
        ),
        (11, 10, 0, 1),
        "{:?}",
        rejected(&r)
    );
    assert_eq!((r.products, r.variants), (6, 8));
    assert_eq!(counts(&db.store, &t).await, (6, 8));

    let sencha = product(&db.store, &t, "woo-201", None).await;
    assert_eq!(sencha.title, "Thé vert Sencha");
    assert_eq!(
        sencha.description,
        "Un sencha japonais.\nFeuilles entières, récolte de printemps."
    );
    assert_eq!(sencha.category.as_deref(), Some("Thés verts"));
    assert_eq!(sencha.tags, ["bio", "japon"]);
    assert_eq!(
        sencha.images,
        [
            "https://img.example/sencha.jpg",
            "https://img.example/sencha-2.jpg"
        ]
    );
    let v = variant(&sencha, "THE-SENCHA");
    assert_eq!(options(v), [("Origine", "Japon")]);
    assert_eq!(v.stock, Some(40));

    // Variations named their parent by SKU (THEIERE) and by id (id:202).
    let teapot = product(&db.store, &t, "woo-202", None).await;
    assert_eq!(teapot.title, "Théière en fonte");
    assert_eq!(teapot.category.as_deref(), Some("Théières"));
    assert_eq!(skus(&teapot), ["THEIERE-NOIR", "woo-204-rouge"]);
    let noir = variant(&teapot, "THEIERE-NOIR");
    assert_eq!(options(noir), [("Couleur", "Noir")]);
    assert_eq!(price(noir), "45");
    assert_eq!(noir.stock, Some(3));
    let rouge = variant(&teapot, "woo-204-rouge");
    assert_eq!(options(rouge), [("Couleur", "Rouge")]);
    assert_eq!(price(rouge), "49");

    // Re-import: same derived skus, nothing changes.
    let again = import_ok(&db.store, &t, woo_export(), None).await;
    assert_eq!(again.rows_changed, 0);
    assert_eq!(counts(&db.store, &t).await, (6, 8));
}

#[tokio::test]
async fn woocommerce_variation_before_its_parent_joins_it() {
    let db = sqlite().await;
    let t = tenant(&*db.store, "the", &["fr"]).await;
    let r = import_ok(&db.store, &t, woo_export(), None).await;
    assert_eq!(r.rows_rejected, 0, "{:?}", rejected(&r));
    let cup = product(&db.store, &t, "woo-300", None).await;
    assert_eq!(cup.title, "Tasse à thé");
    assert_eq!(cup.description, "Grès tourné main.");
    assert_eq!(skus(&cup), ["TASSE-CELADON", "TASSE-TENMOKU"]);
    let c = variant(&cup, "TASSE-CELADON");
    assert_eq!(options(c), [("Émail", "Céladon")]);
    assert_eq!(c.stock, Some(8));
    assert_eq!(price(c), "14");
    assert_eq!(variant(&cup, "TASSE-TENMOKU").stock, Some(1));
}

#[tokio::test]
async fn woocommerce_grouped_products_are_skipped() {
    let db = sqlite().await;
    let t = tenant(&*db.store, "the", &["fr"]).await;
    let r = import_ok(&db.store, &t, woo_export(), None).await;
    assert_eq!(r.rows_skipped, 1);
    let s = &r.skipped[0];
    assert_eq!(s.line, 9);
    assert_eq!(s.sku.as_deref(), Some("COFFRET"));
    assert!(s.reason.contains("grouped"), "{}", s.reason);
    no_product(&db.store, &t, "woo-400").await;
}

#[tokio::test]
async fn woocommerce_downloadable_and_virtual_are_digital() {
    let db = sqlite().await;
    let t = tenant(&*db.store, "the", &["fr"]).await;
    import_ok(&db.store, &t, woo_export(), None).await;
    let ebook = product(&db.store, &t, "woo-500", None).await;
    let e = variant(&ebook, "EBOOK-THE");
    assert!(e.digital);
    assert_eq!(e.stock, None);
    assert_eq!(price(e), "7");
    let workshop = product(&db.store, &t, "woo-501", None).await;
    assert!(variant(&workshop, "ATELIER-DEGUST").digital);
    let sencha = product(&db.store, &t, "woo-201", None).await;
    assert!(!variant(&sencha, "THE-SENCHA").digital);
}

#[tokio::test]
async fn woocommerce_sale_price_is_the_price_and_regular_the_compare_at() {
    let db = sqlite().await;
    let t = tenant(&*db.store, "the", &["fr"]).await;
    import_ok(&db.store, &t, woo_export(), None).await;
    let sencha = product(&db.store, &t, "woo-201", None).await;
    let v = variant(&sencha, "THE-SENCHA");
    assert_eq!(price(v), "9.9");
    assert_eq!(compare_at(v).as_deref(), Some("12.5"));
    let teapot = product(&db.store, &t, "woo-202", None).await;
    assert_eq!(compare_at(variant(&teapot, "THEIERE-NOIR")), None);
}

#[tokio::test]
async fn woocommerce_out_of_stock_without_quantity_is_stock_zero() {
    let db = sqlite().await;
    let t = tenant(&*db.store, "the", &["fr"]).await;
    import_ok(&db.store, &t, woo_export(), None).await;
    let matcha = product(&db.store, &t, "woo-600", None).await;
    let m = variant(&matcha, "MATCHA");
    assert_eq!(m.stock, Some(0));
    assert!(!m.in_stock());
    let teapot = product(&db.store, &t, "woo-202", None).await;
    assert_eq!(variant(&teapot, "woo-204-rouge").stock, Some(0));
    // In stock with no quantity: not tracked.
    let workshop = product(&db.store, &t, "woo-501", None).await;
    assert_eq!(variant(&workshop, "ATELIER-DEGUST").stock, None);
}

#[tokio::test]
async fn woocommerce_exporter_escapes_are_undone() {
    // What WooCommerce really writes: newlines in descriptions as a literal `\n`, commas
    // inside list items as `\,`, a `'` before values starting with - + = @ (formula guard),
    // prices with the shop's decimal separator, and `parent` as a variation's stock when the
    // variable product manages it.
    let db = sqlite().await;
    let t = tenant(&*db.store, "the", &["fr"]).await;
    let rows: Vec<Vec<(&str, &str)>> = vec![
        with(
            woo_common("700", "simple"),
            &[
                ("SKU", "'-20-OOLONG"),
                ("Name", "'@home : Oolong"),
                ("Short description", "Ligne 1\\nLigne 2"),
                (
                    "Description",
                    "<p>Torréfié.</p>\\n<p>Notes : miel, fleurs.</p>\\nchemin C:\\\\new",
                ),
                ("In stock?", "1"),
                ("Stock", "'-2"),
                ("Sale price", "8,90"),
                ("Regular price", "12,50"),
                ("Categories", "Thés\\, tisanes > Oolongs"),
                ("Tags", "fleuri\\, miellé, Taïwan"),
            ],
        ),
        with(
            woo_common("710", "variable"),
            &[
                ("SKU", "GENMAICHA"),
                ("Name", "Genmaicha"),
                ("In stock?", "1"),
                ("Stock", "7"),
                ("Attribute 1 name", "Poids"),
                ("Attribute 1 value(s)", "100 g, 250 g"),
            ],
        ),
        with(
            woo_common("711", "variation"),
            &[
                ("SKU", "GENMAICHA-100"),
                ("Name", "Genmaicha - 100 g"),
                ("In stock?", "1"),
                ("Stock", "parent"),
                ("Regular price", "6,5"),
                ("Parent", "GENMAICHA"),
                ("Attribute 1 name", "Poids"),
                ("Attribute 1 value(s)", "100 g"),
            ],
        ),
    ];
    let refs: Vec<&[(&str, &str)]> = rows.iter().map(Vec::as_slice).collect();
    let r = import_ok(&db.store, &t, csv_file(WOO_HEADER, &refs), None).await;
    assert_eq!(
        (r.rows_total, r.rows_imported, r.rows_rejected),
        (3, 3, 0),
        "{:?}",
        rejected(&r)
    );
    let p = product(&db.store, &t, "woo-700", None).await;
    assert_eq!(p.title, "@home : Oolong");
    assert_eq!(
        p.description,
        "Ligne 1\nLigne 2\nTorréfié.\nNotes : miel, fleurs.\nchemin C:\\new"
    );
    assert_eq!(p.category.as_deref(), Some("Oolongs"));
    assert_eq!(p.tags, ["fleuri, miellé", "Taïwan"]);
    let v = variant(&p, "-20-OOLONG");
    assert_eq!(v.stock, Some(-2));
    assert_eq!(price(v), "8.9");
    assert_eq!(compare_at(v).as_deref(), Some("12.5"));

    let g = product(&db.store, &t, "woo-710", None).await;
    let v = variant(&g, "GENMAICHA-100");
    assert_eq!(price(v), "6.5");
    assert_eq!(v.stock, Some(7), "the parent's stock");
}

#[tokio::test]
async fn woocommerce_orphan_variations_and_variable_products_without_variations() {
    // A partial export: the variations of product 900 without their parent row, and a
    // variable product whose variations were left out.
    let db = sqlite().await;
    let t = tenant(&*db.store, "the", &["fr"]).await;
    let rows: Vec<Vec<(&str, &str)>> = vec![
        with(
            woo_common("901", "variation"),
            &[
                ("SKU", "BOL-MATCHA-NOIR"),
                ("Name", "Bol à matcha - Noir"),
                ("Regular price", "32"),
                ("Parent", "id:900"),
                ("Attribute 1 name", "Couleur"),
                ("Attribute 1 value(s)", "Noir"),
            ],
        ),
        with(
            woo_common("910", "variable"),
            &[
                ("SKU", "FOUET"),
                ("Name", "Fouet en bambou"),
                ("Attribute 1 name", "Brins"),
                ("Attribute 1 value(s)", "80, 100"),
            ],
        ),
    ];
    let refs: Vec<&[(&str, &str)]> = rows.iter().map(Vec::as_slice).collect();
    let file = csv_file(WOO_HEADER, &refs);
    let r = import_ok(&db.store, &t, file.clone(), None).await;
    assert_eq!(
        (r.rows_imported, r.rows_rejected),
        (2, 0),
        "{:?}",
        rejected(&r)
    );
    assert!(
        r.warnings
            .iter()
            .any(|w| w.contains("no variation") && w.contains("woo-910")),
        "{:?}",
        r.warnings
    );
    // The orphan gets the id its parent would have had, titled from its own name.
    let bowl = product(&db.store, &t, "woo-900", None).await;
    assert_eq!(bowl.title, "Bol à matcha");
    assert_eq!(
        options(variant(&bowl, "BOL-MATCHA-NOIR")),
        [("Couleur", "Noir")]
    );

    // When the parent comes in a later file, the variation is already its own.
    let parent = csv_file(
        WOO_HEADER,
        &[&with(
            woo_common("900", "variable"),
            &[
                ("SKU", "BOL-MATCHA"),
                ("Name", "Bol à matcha (chawan)"),
                ("Description", "Grès noir."),
            ],
        )],
    );
    import_ok(&db.store, &t, parent, None).await;
    let bowl = product(&db.store, &t, "woo-900", None).await;
    assert_eq!(bowl.title, "Bol à matcha (chawan)");
    assert_eq!(skus(&bowl), ["BOL-MATCHA-NOIR"]);
}

// ---------------------------------------------------------------------------------------------
// JSON

const JSON_ARRAY: &str = r#"[
  {"sku": "SAV-LAV", "product_id": "savon-lavande", "title": "Savon lavande",
   "description": "<p>Saponifié <b>à froid</b>.</p>", "category": "Hygiène", "brand": "Savonnerie Douce",
   "price": 6.5, "currency": "EUR", "compare_at_price": "8", "stock": 25,
   "tags": ["savon", "lavande"], "image_url": ["https://img.example/savon-1.jpg", "https://img.example/savon-2.jpg"],
   "digital": false, "lang": "fr"},
  {"sku": "SAV-LAV", "product_id": "savon-lavande", "title": "Lavender soap",
   "description": "Cold-process soap.", "category": "Bath", "brand": "Savonnerie Douce",
   "price": "6.50", "compare_at_price": 8, "stock": 25, "tags": "soap|lavender", "lang": "en"},
  {"sku": "TEE-BLUE-M", "product_id": "tee", "title": "T-shirt coton", "price": 19.9,
   "options": {"size": "M", "color": "Bleu"}, "stock": null},
  {"sku": "NEG", "title": "Prix négatif", "price": -1},
  "not an object"
]"#;

const JSON_LINES: &str = r#"{"sku": "SAV-LAV", "product_id": "savon-lavande", "title": "Savon lavande", "price": 6.5, "stock": 25, "tags": ["savon"], "lang": "fr"}
{"sku": "SAV-LAV", "product_id": "savon-lavande", "title": "Lavender soap", "price": 6.5, "stock": 25, "tags": ["soap"], "lang": "en"}

{"sku": "LIC-PRO", "title": "Licence Pro (1 an)", "price": "99", "digital": true}
"#;

#[tokio::test]
async fn json_array_of_generic_objects() {
    let db = sqlite().await;
    let t = tenant(&*db.store, "savon", &["fr"]).await;
    let r = import_ok(&db.store, &t, JSON_ARRAY, None).await;
    assert_eq!(r.format, "json");
    assert_eq!(
        (r.rows_total, r.rows_imported, r.rows_rejected),
        (5, 3, 2),
        "{:?}",
        rejected(&r)
    );
    // JSON rows are numbered by element.
    assert!(
        reason_at(&r, 4).contains("negative"),
        "{}",
        reason_at(&r, 4)
    );
    assert!(reason_at(&r, 5).contains("not a JSON object"));
    assert_eq!(counts(&db.store, &t).await, (2, 2));

    let fr = product(&db.store, &t, "savon-lavande", Some("fr")).await;
    assert_eq!(languages(&fr), ["en", "fr"]);
    assert_eq!(fr.title, "Savon lavande");
    assert_eq!(fr.description, "Saponifié à froid.");
    assert_eq!(fr.brand.as_deref(), Some("Savonnerie Douce"));
    assert_eq!(
        fr.images,
        [
            "https://img.example/savon-1.jpg",
            "https://img.example/savon-2.jpg"
        ]
    );
    let v = variant(&fr, "SAV-LAV");
    assert_eq!(
        price(v),
        "6.5",
        "a JSON number is read from its decimal text"
    );
    assert_eq!(compare_at(v).as_deref(), Some("8"));
    assert_eq!(v.stock, Some(25));
    let en = product(&db.store, &t, "savon-lavande", Some("en")).await;
    assert_eq!(en.title, "Lavender soap");
    assert_eq!(en.category.as_deref(), Some("Bath"));
    assert_eq!(en.tags, ["soap", "lavender"], "tags as a `|` string");
}

#[tokio::test]
async fn json_tags_as_array_and_options_as_object() {
    let db = sqlite().await;
    let t = tenant(&*db.store, "savon", &["fr"]).await;
    import_ok(&db.store, &t, JSON_ARRAY, Some(Format::Json)).await;
    let fr = product(&db.store, &t, "savon-lavande", Some("fr")).await;
    assert_eq!(fr.tags, ["savon", "lavande"]);
    let tee = product(&db.store, &t, "tee", None).await;
    let v = variant(&tee, "TEE-BLUE-M");
    assert_eq!(options(v), [("size", "M"), ("color", "Bleu")]);
    assert_eq!(price(v), "19.9");
    assert_eq!(v.stock, None, "null stock is not tracked");
    assert_eq!(tee.lang.as_str(), "fr");
}

#[tokio::test]
async fn json_lines() {
    let db = sqlite().await;
    let t = tenant(&*db.store, "savon", &["fr"]).await;
    let r = import_ok(&db.store, &t, JSON_LINES, None).await;
    assert_eq!(r.format, "json");
    assert_eq!(
        (r.rows_total, r.rows_imported, r.rows_rejected),
        (3, 3, 0),
        "{:?}",
        rejected(&r)
    );
    assert_eq!(counts(&db.store, &t).await, (2, 2));
    let p = product(&db.store, &t, "savon-lavande", Some("en")).await;
    assert_eq!(languages(&p), ["en", "fr"]);
    assert_eq!(p.title, "Lavender soap");
    let lic = product(&db.store, &t, "LIC-PRO", None).await;
    let v = variant(&lic, "LIC-PRO");
    assert!(v.digital);
    assert_eq!(price(v), "99");
    let again = import_ok(&db.store, &t, JSON_LINES, None).await;
    assert_eq!(again.rows_changed, 0);
}

#[tokio::test]
async fn invalid_json_is_refused_with_line_and_column() {
    let db = sqlite().await;
    let t = tenant(&*db.store, "savon", &["fr"]).await;
    let broken_array = "[\n  {\"sku\": \"A\", \"title\": \"Bol\", \"price\": 5},\n  {\"sku\": \"B\", \"title\": , \"price\": 6}\n]";
    match import(&db.store, &t, broken_array, None).await.unwrap_err() {
        ImportError::Json { line, column, .. } => {
            assert_eq!(line, 3);
            assert_eq!(column, 25, "the comma after `\"title\": `");
        }
        other => panic!("expected ImportError::Json, got {other:?}"),
    }
    let broken_lines = "{\"sku\": \"A\", \"title\": \"Bol\", \"price\": 5}\n{\"sku\": \"B\" \"title\": \"Tasse\"}\n";
    match import(&db.store, &t, broken_lines, None).await.unwrap_err() {
        ImportError::Json { line, column, .. } => {
            assert_eq!(line, 2);
            assert_eq!(column, 13, "the `\"` where a comma was expected");
        }
        other => panic!("expected ImportError::Json, got {other:?}"),
    }
    // Forced JSON on something else.
    let err = import(&db.store, &t, "sku,title,price\n", Some(Format::Json))
        .await
        .unwrap_err();
    assert!(
        matches!(
            err,
            ImportError::Json {
                line: 1,
                column: 1,
                ..
            }
        ),
        "{err:?}"
    );
    let err = import(&db.store, &t, "[1, 2", None).await.unwrap_err();
    assert!(matches!(err, ImportError::Json { .. }), "{err:?}");
}

/// DummyJSON's `products.json` shape (the API's `{"products": [...], "total", "skip", "limit"}`).
const DUMMYJSON: &str = r#"{"products": [
  {"id": 501, "title": "Carnet en papier recyclé", "description": "Un carnet A5 de 96 pages.",
   "category": "stationery", "price": 7.49, "discountPercentage": 12.5, "rating": 4.4, "stock": 58,
   "tags": ["paper", "notebook"], "brand": "Papeterie Ouest", "sku": "STA-PAP-CAR-501", "weight": 2,
   "dimensions": {"width": 14.8, "height": 21, "depth": 1.2}, "warrantyInformation": "No warranty",
   "shippingInformation": "Ships in 1 week", "availabilityStatus": "In Stock",
   "reviews": [{"rating": 5, "comment": "Parfait", "date": "2025-01-02T10:00:00.000Z",
                "reviewerName": "Inès", "reviewerEmail": "ines@example.com"}],
   "returnPolicy": "30 days return policy", "minimumOrderQuantity": 1,
   "meta": {"createdAt": "2025-01-01T00:00:00.000Z", "updatedAt": "2025-01-01T00:00:00.000Z",
            "barcode": "1234567890123", "qrCode": "https://img.example/qr.png"},
   "images": ["https://img.example/carnet-1.webp", "https://img.example/carnet-2.webp"],
   "thumbnail": "https://img.example/carnet-thumb.webp"},
  {"id": 502, "title": "Stylo plume", "description": "Plume acier.", "category": "stationery",
   "price": 24, "discountPercentage": 0, "stock": 0, "tags": [], "sku": "STA-BRD-STY-502",
   "availabilityStatus": "Out of Stock", "images": [], "thumbnail": "https://img.example/stylo.webp"}
], "total": 2, "skip": 0, "limit": 30}"#;

#[tokio::test]
async fn dummyjson_products() {
    let db = sqlite().await;
    let t = tenant(&*db.store, "papier", &["en"]).await;
    let r = import_ok(&db.store, &t, DUMMYJSON, None).await;
    assert_eq!(r.format, "dummyjson");
    assert_eq!(
        (r.rows_total, r.rows_imported, r.rows_rejected),
        (2, 2, 0),
        "{:?}",
        rejected(&r)
    );
    let p = product(&db.store, &t, "dummyjson-501", None).await;
    assert_eq!(p.title, "Carnet en papier recyclé");
    assert_eq!(p.description, "Un carnet A5 de 96 pages.");
    assert_eq!(p.category.as_deref(), Some("stationery"));
    assert_eq!(p.brand.as_deref(), Some("Papeterie Ouest"));
    assert_eq!(p.tags, ["paper", "notebook"]);
    assert_eq!(
        p.images,
        [
            "https://img.example/carnet-1.webp",
            "https://img.example/carnet-2.webp",
            "https://img.example/carnet-thumb.webp"
        ]
    );
    let v = variant(&p, "STA-PAP-CAR-501");
    assert_eq!(price(v), "7.49");
    assert_eq!(v.stock, Some(58));
    assert_eq!(v.currency.as_str(), "EUR");
    let pen = product(&db.store, &t, "dummyjson-502", None).await;
    assert_eq!(pen.brand, None);
    let v = variant(&pen, "STA-BRD-STY-502");
    assert_eq!(v.stock, Some(0));
    assert_eq!(price(v), "24");

    // The bare list form imports the same.
    let list = DUMMYJSON
        .trim_start_matches("{\"products\": ")
        .trim_end_matches(", \"total\": 2, \"skip\": 0, \"limit\": 30}");
    let again = import_ok(&db.store, &t, list, None).await;
    assert_eq!(again.format, "dummyjson");
    assert_eq!(again.rows_changed, 0);
}

/// Saleor's `populatedb_data.json` shape: Django fixtures, one object per database row.
const SALEOR: &str = r#"[
  {"model": "channel.channel", "pk": 1, "fields": {"name": "Channel-USD", "slug": "default-channel", "currency_code": "USD", "is_active": true}},
  {"model": "channel.channel", "pk": 2, "fields": {"name": "Channel-EUR", "slug": "channel-eur", "currency_code": "EUR", "is_active": true}},
  {"model": "product.category", "pk": 10, "fields": {"name": "Sweats", "slug": "sweats", "description": null, "description_plaintext": "", "parent": null}},
  {"model": "product.category", "pk": 11, "fields": {"name": "Livres audio", "slug": "livres-audio", "parent": null}},
  {"model": "product.producttype", "pk": 20, "fields": {"name": "Sweat", "slug": "sweat", "kind": "normal", "has_variants": true, "is_shipping_required": true, "weight": "0.5:kg"}},
  {"model": "product.producttype", "pk": 21, "fields": {"name": "Audio", "slug": "audio", "kind": "normal", "has_variants": true, "is_shipping_required": false, "weight": "0.0:g"}},
  {"model": "product.product", "pk": 100, "fields": {"product_type": 20, "name": "Sweat Marinière", "slug": "sweat-mariniere", "category": 10,
     "description": {"time": 1652952009724, "blocks": [{"id": "a1", "data": {"text": "Coton <b>épais</b>, col rond."}, "type": "paragraph"}], "version": "2.22.2"},
     "description_plaintext": "", "seo_title": "", "seo_description": ""}},
  {"model": "product.product", "pk": 101, "fields": {"product_type": 21, "name": "Contes de la mer", "slug": "contes-de-la-mer", "category": 11,
     "description": null, "description_plaintext": "Trois contes lus."}},
  {"model": "product.product", "pk": 102, "fields": {"product_type": 20, "name": "Sans prix", "slug": "sans-prix", "category": 10, "description_plaintext": ""}},
  {"model": "product.productvariant", "pk": 300, "fields": {"sort_order": 1, "sku": "SWEAT-MAR-M", "name": "M", "product": 100, "track_inventory": true}},
  {"model": "product.productvariant", "pk": 301, "fields": {"sort_order": 0, "sku": "SWEAT-MAR-S", "name": "S", "product": 100, "track_inventory": true}},
  {"model": "product.productvariant", "pk": 302, "fields": {"sort_order": 0, "sku": null, "name": "MP3", "product": 101, "track_inventory": false}},
  {"model": "product.productvariant", "pk": 303, "fields": {"sort_order": 0, "sku": "NOPRICE", "name": "", "product": 102, "track_inventory": true}},
  {"model": "product.productvariantchannellisting", "pk": 1, "fields": {"variant": 300, "channel": 1, "currency": "USD", "price_amount": "60.000", "cost_price_amount": null}},
  {"model": "product.productvariantchannellisting", "pk": 2, "fields": {"variant": 300, "channel": 2, "currency": "EUR", "price_amount": "55.000", "cost_price_amount": null}},
  {"model": "product.productvariantchannellisting", "pk": 3, "fields": {"variant": 301, "channel": 2, "currency": "EUR", "price_amount": "52.500", "cost_price_amount": null}},
  {"model": "product.productvariantchannellisting", "pk": 4, "fields": {"variant": 302, "channel": 2, "currency": "EUR", "price_amount": "9.990", "cost_price_amount": null}},
  {"model": "warehouse.stock", "pk": 1, "fields": {"warehouse": "0b1e6a8c-0000-4000-8000-000000000001", "product_variant": 300, "quantity": 4, "quantity_allocated": 0}},
  {"model": "warehouse.stock", "pk": 2, "fields": {"warehouse": "0b1e6a8c-0000-4000-8000-000000000002", "product_variant": 300, "quantity": 3, "quantity_allocated": 1}},
  {"model": "attribute.attribute", "pk": 40, "fields": {"slug": "taille", "name": "Taille", "type": "product-type", "input_type": "dropdown"}},
  {"model": "attribute.attribute", "pk": 41, "fields": {"slug": "format", "name": "Format", "type": "product-type", "input_type": "dropdown"}},
  {"model": "attribute.attributevalue", "pk": 50, "fields": {"sort_order": 0, "name": "S", "slug": "s", "attribute": 40}},
  {"model": "attribute.attributevalue", "pk": 51, "fields": {"sort_order": 1, "name": "M", "slug": "m", "attribute": 40}},
  {"model": "attribute.attributevalue", "pk": 52, "fields": {"sort_order": 0, "name": "MP3", "slug": "mp3", "attribute": 41}},
  {"model": "attribute.attributevariant", "pk": 60, "fields": {"sort_order": 0, "attribute": 40, "product_type": 20, "variant_selection": true}},
  {"model": "attribute.attributevariant", "pk": 61, "fields": {"sort_order": 0, "attribute": 41, "product_type": 21, "variant_selection": true}},
  {"model": "attribute.assignedvariantattribute", "pk": 70, "fields": {"variant": 300, "assignment": 60}},
  {"model": "attribute.assignedvariantattribute", "pk": 71, "fields": {"variant": 301, "assignment": 60}},
  {"model": "attribute.assignedvariantattribute", "pk": 72, "fields": {"variant": 302, "assignment": 61}},
  {"model": "attribute.assignedvariantattributevalue", "pk": 80, "fields": {"sort_order": 0, "value": 51, "assignment": 70}},
  {"model": "attribute.assignedvariantattributevalue", "pk": 81, "fields": {"sort_order": 0, "value": 50, "assignment": 71}},
  {"model": "attribute.assignedvariantattributevalue", "pk": 82, "fields": {"sort_order": 0, "value": 52, "assignment": 72}},
  {"model": "product.productmedia", "pk": 90, "fields": {"sort_order": 1, "product": 100, "image": "products/sweat-back.png", "alt": "", "type": "IMAGE", "external_url": null}},
  {"model": "product.productmedia", "pk": 91, "fields": {"sort_order": 0, "product": 100, "image": "products/sweat-front.png", "alt": "", "type": "IMAGE", "external_url": null}}
]"#;

#[tokio::test]
async fn saleor_dump_is_joined_back_into_products() {
    let db = sqlite().await;
    let t = tenant(&*db.store, "mer", &["fr"]).await;
    let r = import_ok(&db.store, &t, SALEOR, None).await;
    assert_eq!(r.format, "saleor");
    assert_eq!(
        (r.rows_total, r.rows_imported, r.rows_rejected),
        (3, 2, 1),
        "{:?}",
        rejected(&r)
    );
    assert!(
        r.rejected[0].reason.contains("sans-prix"),
        "{:?}",
        rejected(&r)
    );
    assert!(
        r.warnings.iter().any(|w| w.contains("no channel price")),
        "{:?}",
        r.warnings
    );
    assert_eq!(counts(&db.store, &t).await, (2, 3));

    let sweat = product(&db.store, &t, "sweat-mariniere", None).await;
    assert_eq!(sweat.title, "Sweat Marinière");
    assert_eq!(sweat.description, "Coton épais, col rond.");
    assert_eq!(sweat.category.as_deref(), Some("Sweats"));
    assert_eq!(
        sweat.images,
        ["products/sweat-front.png", "products/sweat-back.png"]
    );
    // Variants in their sort order; the tenant's currency chosen among channel listings.
    let order: Vec<&str> = sweat.variants.iter().map(|v| v.sku.as_str()).collect();
    assert_eq!(order, ["SWEAT-MAR-S", "SWEAT-MAR-M"]);
    let m = variant(&sweat, "SWEAT-MAR-M");
    assert_eq!(price(m), "55");
    assert_eq!(m.currency.as_str(), "EUR");
    assert_eq!(m.stock, Some(7), "stock summed over warehouses");
    assert_eq!(options(m), [("Taille", "M")]);
    assert!(!m.digital);
    let s = variant(&sweat, "SWEAT-MAR-S");
    assert_eq!(price(s), "52.5");
    assert_eq!(s.stock, Some(0), "tracked, no stock row");

    let tales = product(&db.store, &t, "contes-de-la-mer", None).await;
    assert_eq!(tales.description, "Trois contes lus.");
    let a = variant(&tales, "saleor-302");
    assert_eq!(price(a), "9.99");
    assert_eq!(a.stock, None, "track_inventory false");
    assert!(a.digital, "its product type ships nothing");
    assert_eq!(options(a), [("Format", "MP3")]);
}

// ---------------------------------------------------------------------------------------------
// Detection, PostgreSQL, tenants

#[tokio::test]
async fn auto_detection_picks_the_right_format() {
    let db = sqlite().await;
    let mut legacy_shopify = csv_file(
        SHOPIFY_LEGACY_HEADER,
        &[&[("Handle", "x"), ("Title", "X"), ("Variant Price", "1")]],
    )
    .into_bytes();
    legacy_shopify.splice(0..0, b"\xEF\xBB\xBF".iter().copied());
    let mut woo_bom = b"\xEF\xBB\xBF".to_vec();
    woo_bom.extend_from_slice(woo_export().as_bytes());
    let cases: Vec<(&str, Vec<u8>)> = vec![
        ("generic", generic_catalogue().into_bytes()),
        ("generic", b"product_id,title,price\np1,Bol,3\n".to_vec()),
        ("shopify", shopify_export().into_bytes()),
        ("shopify", legacy_shopify),
        ("woocommerce", woo_export().into_bytes()),
        ("woocommerce", woo_bom),
        ("json", JSON_ARRAY.as_bytes().to_vec()),
        ("json", JSON_LINES.as_bytes().to_vec()),
        ("dummyjson", DUMMYJSON.as_bytes().to_vec()),
        ("saleor", SALEOR.as_bytes().to_vec()),
    ];
    for (i, (expected, bytes)) in cases.into_iter().enumerate() {
        let t = tenant(&*db.store, &format!("t{i}"), &["fr"]).await;
        let r = import_ok(&db.store, &t, bytes, None).await;
        assert_eq!(r.format, expected, "case {i}");
        assert!(r.rows_imported > 0, "case {i}: {:?}", rejected(&r));
        let (products, _) = counts(&db.store, &t).await;
        assert!(products > 0, "case {i}");
    }
    let t = tenant(&*db.store, "unknown", &["fr"]).await;
    let err = import(&db.store, &t, "name,age\nBob,3\n", None)
        .await
        .unwrap_err();
    assert!(matches!(err, ImportError::UnknownFormat(_)), "{err:?}");
}

/// The generic story, on PostgreSQL. Fails (never skips) when the server is unreachable.
#[tokio::test]
async fn generic_import_on_postgres() {
    let schema = comptoir_store::testing::PgSchema::create().await;
    let store = comptoir_store::open(&schema.url)
        .await
        .expect("open PostgreSQL store");
    assert_eq!(store.backend(), "postgres");
    let t = tenant(&*store, "lune", &["fr", "en"]).await;
    let other = tenant(&*store, "voisin", &["fr"]).await;

    let r = import_ok(&store, &t, generic_catalogue(), None).await;
    assert_eq!((r.rows_total, r.rows_imported, r.rows_rejected), (5, 5, 0));
    assert_eq!((r.products, r.variants), (2, 3));
    assert_eq!(counts(&store, &t).await, (2, 3));
    let fr = product(&store, &t, "linen-dress", Some("fr")).await;
    assert_eq!(fr.title, "Robe en lin");
    assert_eq!(languages(&fr), ["en", "fr"]);
    let s = variant(&fr, "LIN-DRS-S");
    assert_eq!(price(s), "69.9");
    assert_eq!(compare_at(s).as_deref(), Some("89"));
    assert_eq!(s.stock, Some(4));
    assert_eq!(options(s), [("size", "S"), ("color", "Sable")]);
    let en = product(&store, &t, "linen-dress", Some("en")).await;
    assert_eq!(en.title, "Linen dress");
    assert!(variant(&product(&store, &t, "ebook-knit", None).await, "EBOOK-KNIT").digital);

    let again = import_ok(&store, &t, generic_catalogue(), None).await;
    assert_eq!(again.rows_changed, 0);
    assert_eq!(counts(&store, &t).await, (2, 3));

    // Bad rows behave the same.
    let bad = "sku,title,price\nOK-1,Bol,3\nBAD-1,Bol,\"3,5\"\nOK-1,Bol,4\n";
    let r = import_ok(&store, &t, bad, None).await;
    assert_eq!(
        r.rejected.iter().map(|e| e.line).collect::<Vec<_>>(),
        [3, 4]
    );
    assert_eq!(counts(&store, &t).await, (3, 4));

    // Shopify and WooCommerce exports too (batches merge variation rows).
    let r = import_ok(&store, &t, woo_export(), None).await;
    assert_eq!(r.rows_rejected, 0, "{:?}", rejected(&r));
    let teapot = product(&store, &t, "woo-202", None).await;
    assert_eq!(skus(&teapot), ["THEIERE-NOIR", "woo-204-rouge"]);
    let r = import_ok(&store, &t, shopify_export(), None).await;
    assert_eq!(r.rows_rejected, 0, "{:?}", rejected(&r));
    let again = import_ok(&store, &t, shopify_export(), None).await;
    assert_eq!(again.rows_changed, 0);

    assert_eq!(counts(&store, &other).await, (0, 0));
    assert!(all_products(&store, &other).await.is_empty());
    schema.drop().await;
}

#[tokio::test]
async fn importing_into_one_tenant_leaves_another_empty() {
    let db = sqlite().await;
    let a = tenant(&*db.store, "alpha", &["fr", "en"]).await;
    let b = tenant(&*db.store, "beta", &["fr"]).await;
    import_ok(&db.store, &a, generic_catalogue(), None).await;
    import_ok(&db.store, &a, shopify_export(), None).await;
    assert_eq!(counts(&db.store, &a).await, (5, 9));
    assert_eq!(all_products(&db.store, &a).await.len(), 5);

    assert_eq!(counts(&db.store, &b).await, (0, 0));
    assert!(all_products(&db.store, &b).await.is_empty());
    assert!(db
        .store
        .product_by_external_id(&b, "linen-dress", None)
        .await
        .unwrap()
        .is_none());
    assert!(db.store.list_imports(&b.id, 10).await.unwrap().is_empty());

    // The same skus in B are B's own: importing there does not touch A.
    let edited = generic_catalogue().replace("69.90", "59.90");
    let r = import_ok(&db.store, &b, edited, None).await;
    assert_eq!(r.rows_rejected, 0);
    let in_b = product(&db.store, &b, "linen-dress", None).await;
    assert_eq!(price(variant(&in_b, "LIN-DRS-S")), "59.9");
    let in_a = product(&db.store, &a, "linen-dress", None).await;
    assert_eq!(price(variant(&in_a, "LIN-DRS-S")), "69.9");
    assert_ne!(in_a.id, in_b.id);
    assert_eq!(counts(&db.store, &a).await, (5, 9));
    assert_eq!(counts(&db.store, &b).await, (2, 3));
}

/// A catalogue of many products goes through several storage batches and stays exact.
#[tokio::test]
async fn a_large_generic_file_spans_batches() {
    let db = sqlite().await;
    let t = tenant(&*db.store, "gros", &["fr"]).await;
    let mut file = String::from("sku,product_id,title,price,stock,option1_name,option1_value\n");
    for i in 0..3000 {
        for size in ["S", "M"] {
            file.push_str(&format!(
                "P{i}-{size},p{i},Produit {i},{}.{:02},{},size,{size}\n",
                i % 90 + 1,
                i % 100,
                i % 7
            ));
        }
    }
    let r = import_ok(&db.store, &t, file.clone(), None).await;
    assert_eq!(
        (r.rows_total, r.rows_imported, r.rows_rejected),
        (6000, 6000, 0)
    );
    assert_eq!((r.products, r.variants), (3000, 6000));
    assert_eq!(counts(&db.store, &t).await, (3000, 6000));
    let p = product(&db.store, &t, "p1234", None).await;
    assert_eq!(skus(&p), ["P1234-M", "P1234-S"]);
    assert_eq!(price(variant(&p, "P1234-M")), "65.34");
    assert_eq!(variant(&p, "P1234-M").stock, Some(1234 % 7));
    let again = import_ok(&db.store, &t, file, None).await;
    assert_eq!(again.rows_changed, 0);
}

#[tokio::test]
async fn latin1_accents_after_the_sniffed_block_still_import() {
    // The encoding is sniffed from the first 64 KiB: a legacy file whose first accent comes
    // later used to have those rows rejected as "not valid UTF-8".
    let db = sqlite().await;
    let t = tenant(&*db.store, "latin-late", &["fr"]).await;
    let mut file: Vec<u8> = b"sku,product_id,title,price\n".to_vec();
    let mut i = 0;
    while file.len() < 100 * 1024 {
        file.extend_from_slice(format!("A-{i},a-{i},Plain,1\n").as_bytes());
        i += 1;
    }
    file.extend_from_slice(b"CAFE,cafe,Caf\xe9 cr\xe8me,2\n");
    let r = import_ok(&db.store, &t, file, None).await;
    assert_eq!(r.rows_rejected, 0, "{:?}", r.rejected);
    assert_eq!(
        product(&db.store, &t, "cafe", None).await.title,
        "Café crème"
    );
}

#[tokio::test]
async fn unpublished_products_are_skipped_not_sold() {
    let db = sqlite().await;
    let t = tenant(&*db.store, "drafts", &["fr"]).await;
    // WooCommerce: a draft variable product whose variations come before and after it, a
    // private simple product, a disabled variation of a live product.
    let woo = csv_file(
        WOO_HEADER,
        &[
            &[
                ("ID", "11"),
                ("Type", "variation"),
                ("SKU", "D-RED"),
                ("Name", "Draft - Red"),
                ("Published", "1"),
                ("Regular price", "10"),
                ("Parent", "id:10"),
                ("Attribute 1 name", "Color"),
                ("Attribute 1 value(s)", "Red"),
            ],
            &[
                ("ID", "10"),
                ("Type", "variable"),
                ("SKU", "DRAFT"),
                ("Name", "Draft"),
                ("Published", "-1"),
                ("Attribute 1 name", "Color"),
                ("Attribute 1 value(s)", "Red, Blue"),
            ],
            &[
                ("ID", "12"),
                ("Type", "variation"),
                ("SKU", "D-BLUE"),
                ("Name", "Draft - Blue"),
                ("Published", "1"),
                ("Regular price", "10"),
                ("Parent", "DRAFT"),
                ("Attribute 1 name", "Color"),
                ("Attribute 1 value(s)", "Blue"),
            ],
            &[
                ("ID", "20"),
                ("Type", "simple"),
                ("SKU", "PRIV"),
                ("Name", "Private"),
                ("Published", "0"),
                ("Regular price", "5"),
            ],
            &[
                ("ID", "30"),
                ("Type", "variable"),
                ("SKU", "LIVE"),
                ("Name", "Live"),
                ("Published", "1"),
                ("Attribute 1 name", "Size"),
                ("Attribute 1 value(s)", "S, M"),
            ],
            &[
                ("ID", "31"),
                ("Type", "variation"),
                ("SKU", "LIVE-S"),
                ("Name", "Live - S"),
                ("Published", "1"),
                ("Regular price", "7"),
                ("Parent", "id:30"),
                ("Attribute 1 name", "Size"),
                ("Attribute 1 value(s)", "S"),
            ],
            &[
                ("ID", "32"),
                ("Type", "variation"),
                ("SKU", "LIVE-M"),
                ("Name", "Live - M"),
                ("Published", "0"),
                ("Regular price", "7"),
                ("Parent", "id:30"),
                ("Attribute 1 name", "Size"),
                ("Attribute 1 value(s)", "M"),
            ],
        ],
    );
    let r = import_ok(&db.store, &t, woo, None).await;
    assert_eq!(
        (
            r.rows_total,
            r.rows_imported,
            r.rows_rejected,
            r.rows_skipped
        ),
        (7, 2, 0, 5),
        "{:?}",
        r.skipped
    );
    no_product(&db.store, &t, "woo-10").await;
    no_product(&db.store, &t, "woo-20").await;
    let live = product(&db.store, &t, "woo-30", None).await;
    assert_eq!(
        live.variants
            .iter()
            .map(|v| v.sku.as_str())
            .collect::<Vec<_>>(),
        ["LIVE-S"]
    );

    // Shopify: draft and archived products are skipped, active ones imported.
    let shop = csv_file(
        SHOPIFY_HEADER,
        &[
            &[
                ("Handle", "brouillon"),
                ("Title", "Brouillon"),
                ("Option1 Name", "Title"),
                ("Option1 Value", "Default Title"),
                ("Variant Price", "9"),
                ("Status", "draft"),
            ],
            &[
                ("Handle", "ancien"),
                ("Title", "Ancien"),
                ("Option1 Name", "Taille"),
                ("Option1 Value", "S"),
                ("Variant Price", "9"),
                ("Status", "archived"),
            ],
            &[
                ("Handle", "ancien"),
                ("Option1 Value", "M"),
                ("Variant Price", "9"),
            ],
            &[
                ("Handle", "actif"),
                ("Title", "Actif"),
                ("Option1 Name", "Title"),
                ("Option1 Value", "Default Title"),
                ("Variant Price", "9"),
                ("Status", "active"),
            ],
            // A later block of the draft (a hand-sorted file) is skipped too, not rejected.
            &[
                ("Handle", "brouillon"),
                ("Option1 Value", "M"),
                ("Variant Price", "9"),
            ],
        ],
    );
    let r = import_ok(&db.store, &t, shop, None).await;
    assert_eq!(
        (r.rows_imported, r.rows_rejected, r.rows_skipped),
        (1, 0, 4),
        "{:?} {:?}",
        r.rejected,
        r.skipped
    );
    assert!(r.skipped[0].reason.contains("draft"));
    no_product(&db.store, &t, "brouillon").await;
    no_product(&db.store, &t, "ancien").await;
    product(&db.store, &t, "actif", None).await;
}

#[tokio::test]
async fn woocommerce_sale_prices_count_only_within_their_dates() {
    let db = sqlite().await;
    let t = tenant(&*db.store, "sales", &["fr"]).await;
    let row = |id: &'static str,
               starts: &'static str,
               ends: &'static str|
     -> Vec<(&'static str, &'static str)> {
        vec![
            ("ID", id),
            ("Type", "simple"),
            ("SKU", id),
            ("Name", "Article"),
            ("Published", "1"),
            ("Regular price", "20"),
            ("Sale price", "15"),
            ("Date sale price starts", starts),
            ("Date sale price ends", ends),
        ]
    };
    let (past, now, future, open) = (
        row("P", "2020-01-01 00:00:00", "2020-02-01 23:59:59"),
        row("N", "2020-01-01", "2999-12-31"),
        row("F", "2999-01-01 00:00:00", ""),
        row("O", "", ""),
    );
    // A date retyped by a spreadsheet is not understood: that bound is ignored.
    let retyped = row("R", "", "15/01/2020");
    let file = csv_file(WOO_HEADER, &[&past, &now, &future, &open, &retyped]);
    import_ok(&db.store, &t, file, None).await;
    let price_of = |ext: &'static str| {
        let store = db.store.clone();
        let t = t.clone();
        async move {
            let p = product(&store, &t, ext, None).await;
            (price(&p.variants[0]), compare_at(&p.variants[0]))
        }
    };
    assert_eq!(
        price_of("woo-P").await,
        ("20".to_string(), None),
        "sale ended"
    );
    assert_eq!(
        price_of("woo-N").await,
        ("15".to_string(), Some("20".to_string())),
        "sale running"
    );
    assert_eq!(
        price_of("woo-F").await,
        ("20".to_string(), None),
        "sale not started"
    );
    assert_eq!(
        price_of("woo-O").await,
        ("15".to_string(), Some("20".to_string())),
        "no dates: always on sale"
    );
    assert_eq!(
        price_of("woo-R").await,
        ("15".to_string(), Some("20".to_string())),
        "unreadable end date ignored"
    );
}

#[tokio::test]
async fn woocommerce_export_from_a_french_admin() {
    let db = sqlite().await;
    let t = tenant(&*db.store, "boutique-fr", &["fr"]).await;
    let file = "ID,Type,UGS,Nom,Publié,\"Mis en avant ?\",\"Description courte\",Description,\"En stock ?\",Stock,\"Tarif promo\",\"Tarif régulier\",Catégories,Étiquettes,Images,Parent,\"Nom de l’attribut 1\",\"Valeur(s) de l’attribut 1\"\n\
        1,variable,PULL,\"Pull en laine\",1,0,Chaud,\"Laine mérinos.\",1,,,,\"Vêtements > Pulls\",\"laine, hiver\",,,Taille,\"S, M\"\n\
        2,variation,PULL-S,\"Pull en laine - S\",1,0,,,1,4,\"49,90\",\"59,90\",,,,id:1,Taille,S\n\
        3,variation,PULL-M,\"Pull en laine - M\",1,0,,,0,,,\"59,90\",,,,PULL,Taille,M\n";
    let r = import_ok(&db.store, &t, file, None).await;
    assert_eq!(r.format, "woocommerce");
    assert_eq!(
        (r.rows_imported, r.rows_rejected),
        (3, 0),
        "{:?}",
        r.rejected
    );
    let pull = product(&db.store, &t, "woo-1", None).await;
    assert_eq!(pull.title, "Pull en laine");
    assert_eq!(pull.category.as_deref(), Some("Pulls"));
    assert_eq!(pull.tags, ["laine", "hiver"]);
    let s = variant(&pull, "PULL-S");
    assert_eq!(
        (price(s), compare_at(s)),
        ("49.9".to_string(), Some("59.9".to_string()))
    );
    assert_eq!(options(s), [("Taille", "S")]);
    assert_eq!(s.stock, Some(4));
    assert_eq!(variant(&pull, "PULL-M").stock, Some(0));
}
