//! ONE story, run against both backends: whatever differs between SQLite and PostgreSQL fails here.
//!
//! PostgreSQL comes from `COMPTOIR_TEST_POSTGRES_URL` (default
//! `postgres://postgres@127.0.0.1:5432/test`); each run gets a fresh schema, dropped at the end.
//! An unreachable server fails the test with a message saying so: it never passes silently.

use comptoir_domain::{
    CatalogueEntry, Currency, KeyKind, Lang, NewApiKey, NewTenant, OrderLineRequest, Plan,
    ProductFilter, ProductUpsert, RuleSource, Tenant, Translation, Variant,
};
use comptoir_store::{ImportRecord, Store, StoreError};
use rust_decimal::Decimal;
use std::str::FromStr;
use std::sync::Arc;

fn lang(s: &str) -> Lang {
    Lang::parse(s).unwrap()
}
fn dec(s: &str) -> Decimal {
    Decimal::from_str(s).unwrap()
}
fn eur() -> Currency {
    Currency::parse("EUR").unwrap()
}

fn product(
    ext: &str,
    title_fr: &str,
    title_en: &str,
    skus: &[(&str, &str, Option<i64>)],
) -> ProductUpsert {
    let mut p = ProductUpsert::new(ext).unwrap();
    p.brand = Some("Atelier Lune".into());
    p.images = Some(vec![format!("https://img.example/{ext}.jpg")]);
    p.translations.push(
        Translation::new(
            lang("fr"),
            title_fr,
            "<b>not html</b> here",
            Some("Vêtements"),
            vec!["été".into()],
        )
        .unwrap(),
    );
    p.translations.push(
        Translation::new(
            lang("en"),
            title_en,
            "desc",
            Some("Clothing"),
            vec!["summer".into()],
        )
        .unwrap(),
    );
    for (sku, price, stock) in skus {
        p.variants.push(
            Variant::new(
                sku,
                vec![("size".into(), "M".into()), ("color".into(), "Red".into())],
                dec(price),
                Some(dec("99.00")),
                eur(),
                *stock,
                false,
            )
            .unwrap(),
        );
    }
    p
}

async fn tenant(store: &dyn Store, slug: &str) -> Tenant {
    let new = NewTenant::new(
        slug,
        "Shop",
        Plan::Starter,
        eur(),
        vec![lang("fr"), lang("en")],
    )
    .unwrap();
    store.create_tenant(&new).await.unwrap()
}

async fn story(store: Arc<dyn Store>) {
    store.ping().await.unwrap();
    let a = tenant(&*store, "shop-a").await;
    let b = tenant(&*store, "shop-b").await;
    let dup = NewTenant::new("shop-a", "Again", Plan::Business, eur(), vec![lang("en")]).unwrap();
    assert!(matches!(
        store.create_tenant(&dup).await,
        Err(StoreError::Conflict(_))
    ));
    assert_eq!(store.tenant_by_slug("shop-a").await.unwrap().unwrap(), a);
    assert_eq!(
        store.tenant_by_id(&b.id).await.unwrap().unwrap().slug,
        "shop-b"
    );
    assert!(store.tenant_by_slug("nope").await.unwrap().is_none());

    // Keys: stored hashed, found by token, revocable only by their own tenant.
    let sk = NewApiKey::generate(&a.id, KeyKind::Secret, "admin");
    let pk = NewApiKey::generate(&a.id, KeyKind::Public, "widget");
    store.insert_api_key(&sk).await.unwrap();
    store.insert_api_key(&pk).await.unwrap();
    let found = store.api_key_by_token(&sk.token).await.unwrap().unwrap();
    assert_eq!(found.kind, KeyKind::Secret);
    assert_eq!(found.tenant_id, a.id);
    assert!(store.api_key_by_token("sk_0000").await.unwrap().is_none());
    assert!(
        !store.revoke_api_key(&b.id, &pk.key.id).await.unwrap(),
        "other tenant revoked a key"
    );
    assert!(store.revoke_api_key(&a.id, &pk.key.id).await.unwrap());
    assert!(
        !store.revoke_api_key(&a.id, &pk.key.id).await.unwrap(),
        "revoked twice"
    );
    assert!(store
        .api_key_by_token(&pk.token)
        .await
        .unwrap()
        .unwrap()
        .revoked_at
        .is_some());
    assert_eq!(store.list_api_keys(&a.id).await.unwrap().len(), 2);
    assert!(store.list_api_keys(&b.id).await.unwrap().is_empty());

    // Upsert: products by external id, variants by sku; money keeps its exact value.
    let batch = vec![
        product(
            "dress",
            "Robe en lin",
            "Linen dress",
            &[("D-M", "69.90", Some(3)), ("D-L", "12.30", Some(0))],
        ),
        product(
            "scarf",
            "Écharpe en soie",
            "Silk scarf",
            &[("S-1", "49", None)],
        ),
    ];
    let out = store.upsert_products(&a, &batch).await.unwrap();
    assert_eq!((out.products, out.variants), (2, 3));
    assert!(out.rows_changed >= 7);
    assert_eq!(store.count_catalogue(&a.id).await.unwrap(), (2, 3));
    let version = store.catalogue_version(&a.id).await.unwrap();
    assert!(version > 0, "an import that changed rows bumps the version");
    let again = store.upsert_products(&a, &batch).await.unwrap();
    assert_eq!(again.rows_changed, 0, "re-import must change nothing");
    assert_eq!(store.count_catalogue(&a.id).await.unwrap(), (2, 3));
    assert_eq!(
        store.catalogue_version(&a.id).await.unwrap(),
        version,
        "an idle re-import keeps caches valid"
    );
    assert_eq!(store.catalogue_version(&b.id).await.unwrap(), 0);
    assert_eq!(store.count_catalogue(&b.id).await.unwrap(), (0, 0));

    let dress = store
        .product_by_external_id(&a, "dress", Some(&lang("en")))
        .await
        .unwrap()
        .unwrap();
    assert_eq!(dress.title, "Linen dress");
    assert_eq!(dress.languages, vec![lang("en"), lang("fr")]);
    assert_eq!(dress.variants.len(), 2);
    assert_eq!(dress.variants[0].sku, "D-M");
    assert_eq!(dress.variants[0].price.to_string(), "69.9");
    assert_eq!(dress.variants[1].price.to_string(), "12.3");
    assert_eq!(
        dress.variants[0].compare_at_price.unwrap().to_string(),
        "99"
    );
    assert_eq!(
        dress.variants[0].options.0[0],
        ("size".to_string(), "M".to_string())
    );
    let de = store
        .product(&a, &dress.id, Some(&lang("de")))
        .await
        .unwrap()
        .unwrap();
    assert_eq!(
        de.title, "Robe en lin",
        "falls back to the tenant's default locale"
    );
    assert_eq!(de.category.as_deref(), Some("Vêtements"));
    assert!(
        store.product(&b, &dress.id, None).await.unwrap().is_none(),
        "read across tenants"
    );
    assert!(
        !store.delete_product(&b, &dress.id).await.unwrap(),
        "deleted across tenants"
    );

    // A stock change and a moved sku are updates, not new rows.
    let mut changed = product(
        "dress",
        "Robe en lin",
        "Linen dress",
        &[("D-M", "69.90", Some(7))],
    );
    changed
        .variants
        .push(Variant::new("S-1", vec![], dec("10"), None, eur(), Some(1), false).unwrap());
    assert!(
        store
            .upsert_products(&a, &[changed])
            .await
            .unwrap()
            .rows_changed
            >= 2
    );
    let dress = store.product(&a, &dress.id, None).await.unwrap().unwrap();
    assert_eq!(
        dress
            .variants
            .iter()
            .find(|v| v.sku == "D-M")
            .unwrap()
            .stock,
        Some(7)
    );
    assert!(dress.variants.iter().any(|v| v.sku == "S-1"));

    // Option values in the default language (fr) win over a translated row's; price still updates.
    let mut es = ProductUpsert::new("dress").unwrap();
    es.options_lang = Some(lang("es"));
    es.variants.push(
        Variant::new(
            "D-M",
            vec![
                ("talla".into(), "M".into()),
                ("color".into(), "Rojo".into()),
            ],
            dec("70"),
            None,
            eur(),
            Some(7),
            false,
        )
        .unwrap(),
    );
    store.upsert_products(&a, &[es]).await.unwrap();
    let d = store.product(&a, &dress.id, None).await.unwrap().unwrap();
    let dm = d.variants.iter().find(|v| v.sku == "D-M").unwrap();
    assert_eq!(dm.options.0[1].1, "Red");
    assert_eq!(dm.price.to_string(), "70");

    // Lists: cursor pagination and filters.
    let page = store
        .list_products(&a, &ProductFilter::default(), None, None, 1)
        .await
        .unwrap();
    assert_eq!(page.items.len(), 1);
    let cursor = page.next_cursor.clone().expect("a second page");
    let page2 = store
        .list_products(&a, &ProductFilter::default(), None, Some(&cursor), 1)
        .await
        .unwrap();
    assert_eq!(page2.items.len(), 1);
    assert_ne!(page2.items[0].id, page.items[0].id);
    assert!(page2.next_cursor.is_none());
    let f = |cat: Option<&str>,
             brand: Option<&str>,
             in_stock: Option<bool>,
             min: Option<&str>,
             max: Option<&str>| {
        ProductFilter {
            category: cat.map(Into::into),
            brand: brand.map(Into::into),
            in_stock,
            price_min: min.map(dec),
            price_max: max.map(dec),
        }
    };
    let count = |fl: ProductFilter| {
        let store = store.clone();
        let a = a.clone();
        async move {
            store
                .list_products(&a, &fl, None, None, 50)
                .await
                .unwrap()
                .items
                .len()
        }
    };
    assert_eq!(count(f(Some("VÊTEMENTS"), None, None, None, None)).await, 2);
    assert_eq!(count(f(Some("clothing"), None, None, None, None)).await, 2);
    assert_eq!(count(f(Some("shoes"), None, None, None, None)).await, 0);
    assert_eq!(
        count(f(None, Some("atelier lune"), None, None, None)).await,
        2
    );
    assert_eq!(
        count(f(None, None, Some(true), None, None)).await,
        1,
        "scarf lost its only variant"
    );
    assert_eq!(count(f(None, None, Some(false), None, None)).await, 1);
    assert_eq!(count(f(None, None, None, Some("60"), Some("70"))).await, 1);
    assert_eq!(count(f(None, None, None, Some("100"), None)).await, 0);
    // Price bounds are in the tenant's currency: a JPY variant is not compared with them.
    let mut yen = ProductUpsert::new("yen").unwrap();
    yen.translations
        .push(Translation::new(lang("fr"), "Bol", "", None, vec![]).unwrap());
    yen.variants.push(
        Variant::new(
            "JPY-1",
            vec![],
            dec("65"),
            None,
            Currency::parse("JPY").unwrap(),
            None,
            false,
        )
        .unwrap(),
    );
    store.upsert_products(&a, &[yen]).await.unwrap();
    assert_eq!(count(f(None, None, None, Some("60"), Some("70"))).await, 1);
    let yen_id = store
        .product_by_external_id(&a, "yen", None)
        .await
        .unwrap()
        .unwrap()
        .id;
    assert!(store.delete_product(&a, &yen_id).await.unwrap());
    assert!(store
        .list_products(&b, &ProductFilter::default(), None, None, 50)
        .await
        .unwrap()
        .items
        .is_empty());

    // Create refuses taken ids and skus; update can replace the variant set.
    let taken = product("dress", "x", "x", &[("NEW-1", "1", None)]);
    assert!(matches!(
        store.create_product(&a, &taken, None).await,
        Err(StoreError::Conflict(_))
    ));
    let sku_taken = product("other", "x", "x", &[("D-M", "1", None)]);
    assert!(matches!(
        store.create_product(&a, &sku_taken, None).await,
        Err(StoreError::Conflict(_))
    ));
    let created = store
        .create_product(
            &a,
            &product("mug", "Tasse", "Mug", &[("M-1", "15", Some(10))]),
            Some(&lang("en")),
        )
        .await
        .unwrap();
    assert_eq!(created.title, "Mug");
    // The same sku in another tenant is fine.
    store
        .create_product(
            &b,
            &product("mug", "Tasse", "Mug", &[("M-1", "15", Some(10))]),
            None,
        )
        .await
        .unwrap();
    let mut patch = ProductUpsert::new("ignored").unwrap();
    patch
        .variants
        .push(Variant::new("M-2", vec![], dec("16.5"), None, eur(), Some(2), false).unwrap());
    let before_update = store.catalogue_version(&a.id).await.unwrap();
    let updated = store
        .update_product(&a, &created.id, &patch, true, None)
        .await
        .unwrap()
        .unwrap();
    let after_update = store.catalogue_version(&a.id).await.unwrap();
    assert!(
        after_update > before_update,
        "an update bumps the catalogue version"
    );
    assert_eq!(updated.variants.len(), 1);
    assert_eq!(updated.variants[0].sku, "M-2");
    assert_eq!(updated.title, "Tasse", "texts kept when the patch has none");
    assert!(store
        .update_product(&b, &created.id, &patch, true, None)
        .await
        .unwrap()
        .is_none());
    assert!(store.delete_product(&a, &created.id).await.unwrap());
    assert!(
        store.catalogue_version(&a.id).await.unwrap() > after_update,
        "a delete bumps it"
    );
    assert!(store
        .product(&a, &created.id, None)
        .await
        .unwrap()
        .is_none());
    assert_eq!(store.count_catalogue(&b.id).await.unwrap(), (1, 1));

    // Import history is per tenant.
    let rec = ImportRecord {
        id: "imp_1".into(),
        tenant_id: a.id.clone(),
        format: "shopify".into(),
        source: "export.csv".into(),
        rows_total: 3,
        rows_imported: 2,
        rows_rejected: 1,
        report: "{}".into(),
        created_at: 1,
    };
    store.record_import(&rec).await.unwrap();
    assert_eq!(
        store.list_imports(&a.id, 10).await.unwrap(),
        vec![rec.clone()]
    );
    assert!(store.import(&b.id, "imp_1").await.unwrap().is_none());
    assert_eq!(store.import(&a.id, "imp_1").await.unwrap(), Some(rec));
}

#[tokio::test]
async fn sqlite_story() {
    let dir = tempfile::tempdir().unwrap();
    let url = format!("sqlite://{}/comptoir.db", dir.path().display());
    let store = comptoir_store::open(&url).await.unwrap();
    assert_eq!(store.backend(), "sqlite");
    story(store).await;
    // Reopening applies no migration twice.
    let again = comptoir_store::open(&url).await.unwrap();
    assert!(again.tenant_by_slug("shop-a").await.unwrap().is_some());
}

#[tokio::test]
async fn postgres_story() {
    let db = comptoir_store::testing::PgSchema::create().await;
    let store = comptoir_store::open(&db.url).await.unwrap();
    assert_eq!(store.backend(), "postgres");
    story(store).await;
    let again = comptoir_store::open(&db.url).await.unwrap();
    assert!(again.tenant_by_slug("shop-a").await.unwrap().is_some());
    db.drop().await;
}

fn req(sku: &str, quantity: i64) -> OrderLineRequest {
    OrderLineRequest {
        sku: sku.into(),
        quantity,
    }
}

async fn entry(store: &dyn Store, tenant_id: &str, ext: &str) -> CatalogueEntry {
    store
        .catalogue_entries(tenant_id, None)
        .await
        .unwrap()
        .into_iter()
        .find(|e| e.external_id == ext)
        .unwrap_or_else(|| panic!("no product {ext}"))
}

async fn stock(store: &dyn Store, tenant_id: &str, sku: &str) -> Option<i64> {
    let all = store.catalogue_entries(tenant_id, None).await.unwrap();
    all.iter()
        .flat_map(|e| &e.variants)
        .find(|v| v.sku == sku)
        .unwrap_or_else(|| panic!("no sku {sku}"))
        .stock
}

fn invalid<T: std::fmt::Debug>(r: Result<T, StoreError>) -> String {
    match r {
        Err(StoreError::Invalid(m)) => m,
        other => panic!("expected Invalid, got {other:?}"),
    }
}

/// Catalogue entries, search boost, orders and cross-sell rules: the search and
/// recommendation side of the store.
async fn commerce_story(store: Arc<dyn Store>) {
    let a = tenant(&*store, "shop-a").await;
    let b = tenant(&*store, "shop-b").await;
    let s = &*store;
    store
        .upsert_products(
            &a,
            &[
                product(
                    "dress",
                    "Robe en lin",
                    "Linen dress",
                    &[("D-M", "69.90", Some(3)), ("D-L", "12.30", Some(0))],
                ),
                product("scarf", "Écharpe", "Scarf", &[("S-1", "49", None)]),
                product("mug", "Tasse", "Mug", &[("M-1", "15", Some(10))]),
                product(
                    "tee",
                    "T-shirt",
                    "Tee",
                    &[("T-S", "10", None), ("T-M", "10", None)],
                ),
            ],
        )
        .await
        .unwrap();
    store
        .upsert_products(
            &b,
            &[product("hat", "Chapeau", "Hat", &[("H-1", "20", Some(1))])],
        )
        .await
        .unwrap();

    // Catalogue entries: every language, variants in the merchant's order, ids in order.
    let all = store.catalogue_entries(&a.id, None).await.unwrap();
    assert_eq!(all.len(), 4);
    assert!(all.windows(2).all(|w| w[0].id < w[1].id), "in id order");
    let dress = entry(s, &a.id, "dress").await;
    let langs: Vec<&str> = dress.translations.iter().map(|t| t.lang.as_str()).collect();
    assert_eq!(langs, ["en", "fr"]);
    assert_eq!(dress.translations[0].title, "Linen dress");
    assert_eq!(dress.translations[1].title, "Robe en lin");
    assert_eq!(dress.translations[1].category.as_deref(), Some("Vêtements"));
    assert_eq!(dress.translations[1].tags, ["été"]);
    let skus: Vec<&str> = dress.variants.iter().map(|v| v.sku.as_str()).collect();
    assert_eq!(skus, ["D-M", "D-L"]);
    assert_eq!(dress.variants[0].price, dec("69.90"));
    assert_eq!(dress.variants[0].stock, Some(3));
    assert_eq!(dress.brand.as_deref(), Some("Atelier Lune"));
    assert_eq!(dress.images, ["https://img.example/dress.jpg"]);
    assert_eq!(dress.boost_pct, 100);
    for l in [None, Some(lang("en")), Some(lang("de"))] {
        assert_eq!(
            dress.to_product(l.as_ref(), a.default_locale()),
            store
                .product(&a, &dress.id, l.as_ref())
                .await
                .unwrap()
                .unwrap(),
            "an entry shows as the store shows the product"
        );
    }
    let hat = entry(s, &b.id, "hat").await;
    let some = store
        .catalogue_entries(
            &a.id,
            Some(&[
                hat.id.clone(),
                dress.id.clone(),
                "prod_nope".into(),
                dress.id.clone(),
            ]),
        )
        .await
        .unwrap();
    assert_eq!(some, vec![dress.clone()], "only this tenant's, once");
    assert!(store
        .catalogue_entries(&a.id, Some(std::slice::from_ref(&hat.id)))
        .await
        .unwrap()
        .is_empty());
    assert!(store
        .catalogue_entries(&a.id, Some(&[]))
        .await
        .unwrap()
        .is_empty());
    let tee = entry(s, &a.id, "tee").await;
    let two = store
        .catalogue_entries(&a.id, Some(&[tee.id.clone(), dress.id.clone()]))
        .await
        .unwrap();
    assert!(two.len() == 2 && two[0].id < two[1].id);

    // Search boost: clamped, per tenant, bumps the version.
    let v0 = store.catalogue_version(&a.id).await.unwrap();
    assert!(store.set_search_boost(&a.id, &dress.id, 250).await.unwrap());
    let v1 = store.catalogue_version(&a.id).await.unwrap();
    assert!(v1 > v0, "a boost bumps the catalogue version");
    assert_eq!(entry(s, &a.id, "dress").await.boost_pct, 250);
    assert!(store
        .set_search_boost(&a.id, &dress.id, 5000)
        .await
        .unwrap());
    assert_eq!(entry(s, &a.id, "dress").await.boost_pct, 1000);
    assert!(store.set_search_boost(&a.id, &dress.id, 0).await.unwrap());
    assert_eq!(entry(s, &a.id, "dress").await.boost_pct, 0);
    let vb = store.catalogue_version(&b.id).await.unwrap();
    assert!(!store.set_search_boost(&a.id, &hat.id, 10).await.unwrap());
    assert!(!store
        .set_search_boost(&a.id, "prod_nope", 10)
        .await
        .unwrap());
    assert_eq!(entry(s, &b.id, "hat").await.boost_pct, 100);
    assert_eq!(store.catalogue_version(&b.id).await.unwrap(), vb);

    // Orders: lines merged by sku, stock decremented, untracked stock left alone.
    let v = store.catalogue_version(&a.id).await.unwrap();
    let first = store
        .create_order(
            &a,
            &[req("D-M", 1), req(" S-1 ", 2), req("D-M", 1)],
            Some("conv_1"),
        )
        .await
        .unwrap();
    assert!(first.id.starts_with("ord_"));
    assert_eq!(first.lines.len(), 2);
    assert_eq!(
        (first.lines[0].sku.as_str(), first.lines[0].quantity),
        ("D-M", 2)
    );
    assert_eq!(first.lines[0].product_id, dress.id);
    assert_eq!(first.lines[0].unit_price, dec("69.9"));
    assert_eq!(first.lines[1].sku, "S-1");
    assert_eq!(first.lines[1].unit_price, dec("49"));
    assert_eq!(first.total, dec("237.8"));
    assert_eq!(first.currency, eur());
    assert_eq!(first.conversation_id.as_deref(), Some("conv_1"));
    assert_eq!(stock(s, &a.id, "D-M").await, Some(1));
    assert_eq!(stock(s, &a.id, "S-1").await, None);
    assert_eq!(
        store.catalogue_version(&a.id).await.unwrap(),
        v,
        "an order moves the stock, not the catalogue"
    );
    let (_, stock_v) = store.versions(&a.id).await.unwrap();
    assert!(stock_v > 0, "an order bumps the stock version");
    assert!(store
        .stock_levels(&a.id)
        .await
        .unwrap()
        .contains(&("D-M".to_string(), 1)));

    // A line short of stock rolls back the lines already decremented ("D-M" sorts first).
    let v = store.catalogue_version(&a.id).await.unwrap();
    match store
        .create_order(&a, &[req("M-1", 11), req("D-M", 1)], None)
        .await
    {
        Err(StoreError::InsufficientStock { sku, available }) => {
            assert_eq!((sku.as_str(), available), ("M-1", 10));
        }
        other => panic!("expected InsufficientStock, got {other:?}"),
    }
    assert_eq!(stock(s, &a.id, "D-M").await, Some(1), "rolled back");
    assert_eq!(stock(s, &a.id, "M-1").await, Some(10));
    let err = store
        .create_order(&a, &[req("D-L", 1)], None)
        .await
        .unwrap_err();
    assert_eq!(err.to_string(), "only 0 left of `D-L`");
    assert_eq!(
        invalid(
            store
                .create_order(&a, &[req("D-M", 1), req("NOPE", 1)], None)
                .await
        ),
        "unknown sku `NOPE`"
    );
    assert_eq!(
        invalid(store.create_order(&a, &[req("H-1", 1)], None).await),
        "unknown sku `H-1`",
        "another tenant's sku is unknown"
    );
    for q in [0, -1, 10_001] {
        invalid(store.create_order(&a, &[req("S-1", q)], None).await);
    }
    invalid(
        store
            .create_order(&a, &[req("S-1", 6_000), req("S-1", 6_000)], None)
            .await,
    );
    invalid(store.create_order(&a, &[], None).await);
    let mut yen = ProductUpsert::new("bowl").unwrap();
    yen.translations
        .push(Translation::new(lang("fr"), "Bol", "", None, vec![]).unwrap());
    yen.variants.push(
        Variant::new(
            "JPY-1",
            vec![],
            dec("65"),
            None,
            Currency::parse("JPY").unwrap(),
            Some(4),
            false,
        )
        .unwrap(),
    );
    store.upsert_products(&a, &[yen]).await.unwrap();
    invalid(
        store
            .create_order(&a, &[req("S-1", 1), req("JPY-1", 1)], None)
            .await,
    );
    assert_eq!(stock(s, &a.id, "JPY-1").await, Some(4));
    tokio::time::sleep(std::time::Duration::from_millis(3)).await;
    let yen_order = store
        .create_order(&a, &[req("JPY-1", 3)], None)
        .await
        .unwrap();
    assert_eq!(
        (yen_order.total, yen_order.currency.as_str()),
        (dec("195"), "JPY")
    );
    assert_eq!(stock(s, &a.id, "JPY-1").await, Some(1));
    assert!(v < store.catalogue_version(&a.id).await.unwrap());

    // Purchase history: newest first, one basket per order, a product once per basket.
    tokio::time::sleep(std::time::Duration::from_millis(3)).await;
    store
        .create_order(&a, &[req("M-1", 1), req("D-M", 1)], None)
        .await
        .unwrap();
    tokio::time::sleep(std::time::Duration::from_millis(3)).await;
    store
        .create_order(&a, &[req("T-S", 1), req("T-M", 2)], None)
        .await
        .unwrap();
    let mug = entry(s, &a.id, "mug").await;
    let scarf = entry(s, &a.id, "scarf").await;
    let bowl = entry(s, &a.id, "bowl").await;
    let history = store.purchase_history(&a.id, 10).await.unwrap();
    assert_eq!(
        history,
        vec![
            vec![(tee.id.clone(), 3)],
            vec![(mug.id.clone(), 1), (dress.id.clone(), 1)],
            vec![(bowl.id.clone(), 3)],
            vec![(dress.id.clone(), 2), (scarf.id.clone(), 2)],
        ]
    );
    assert_eq!(
        store.purchase_history(&a.id, 1).await.unwrap(),
        history[..1]
    );
    assert!(store.purchase_history(&a.id, 0).await.unwrap().is_empty());
    assert!(store.purchase_history(&b.id, 10).await.unwrap().is_empty());
    // History outlives the product.
    assert!(store.delete_product(&a, &mug.id).await.unwrap());
    assert_eq!(store.purchase_history(&a.id, 10).await.unwrap(), history);

    // Cross-sell rules.
    let r1 = store
        .add_cross_sell_rule(&a.id, &RuleSource::Product(dress.id.clone()), &scarf.id)
        .await
        .unwrap();
    assert_eq!(r1.source, RuleSource::Product(dress.id.clone()));
    assert_eq!(r1.target_product_id, scarf.id);
    // Lists are oldest first; within one millisecond the order is the ids'.
    tokio::time::sleep(std::time::Duration::from_millis(3)).await;
    let r2 = store
        .add_cross_sell_rule(
            &a.id,
            &RuleSource::Category("  Vêtements ".into()),
            &scarf.id,
        )
        .await
        .unwrap();
    assert_eq!(r2.source, RuleSource::Category("Vêtements".into()));
    assert!(matches!(
        store
            .add_cross_sell_rule(&a.id, &RuleSource::Product(dress.id.clone()), &scarf.id)
            .await,
        Err(StoreError::Conflict(_))
    ));
    assert!(
        matches!(
            store
                .add_cross_sell_rule(&a.id, &RuleSource::Category("VÊTEMENTS".into()), &scarf.id)
                .await,
            Err(StoreError::Conflict(_))
        ),
        "categories compare case-insensitively"
    );
    assert_eq!(
        invalid(
            store
                .add_cross_sell_rule(&a.id, &RuleSource::Product(dress.id.clone()), &hat.id)
                .await
        ),
        "unknown product",
        "another tenant's target"
    );
    assert_eq!(
        invalid(
            store
                .add_cross_sell_rule(&a.id, &RuleSource::Product(hat.id.clone()), &scarf.id)
                .await
        ),
        "unknown product",
        "another tenant's source"
    );
    invalid(
        store
            .add_cross_sell_rule(&b.id, &RuleSource::Category("Hats".into()), &scarf.id)
            .await,
    );
    invalid(
        store
            .add_cross_sell_rule(&a.id, &RuleSource::Product(dress.id.clone()), &dress.id)
            .await,
    );
    invalid(
        store
            .add_cross_sell_rule(&a.id, &RuleSource::Category(" ".into()), &scarf.id)
            .await,
    );
    assert_eq!(
        store.list_cross_sell_rules(&a.id).await.unwrap(),
        vec![r1.clone(), r2.clone()]
    );
    assert!(store.list_cross_sell_rules(&b.id).await.unwrap().is_empty());
    assert!(!store.delete_cross_sell_rule(&b.id, &r1.id).await.unwrap());
    assert!(store.delete_cross_sell_rule(&a.id, &r1.id).await.unwrap());
    assert!(!store.delete_cross_sell_rule(&a.id, &r1.id).await.unwrap());
    assert_eq!(
        store.list_cross_sell_rules(&a.id).await.unwrap(),
        vec![r2.clone()]
    );
    // Deleting a product drops the rules it is the source or the target of.
    store
        .add_cross_sell_rule(&a.id, &RuleSource::Product(tee.id.clone()), &dress.id)
        .await
        .unwrap();
    assert_eq!(store.list_cross_sell_rules(&a.id).await.unwrap().len(), 2);
    assert!(store.delete_product(&a, &tee.id).await.unwrap());
    assert!(store.delete_product(&a, &scarf.id).await.unwrap());
    assert!(store.list_cross_sell_rules(&a.id).await.unwrap().is_empty());
}

/// Stock 5, twenty shoppers at once: exactly five orders, never an oversell.
async fn concurrent_orders(store: Arc<dyn Store>) {
    let a = tenant(&*store, "shop-c").await;
    store
        .upsert_products(
            &a,
            &[product("lamp", "Lampe", "Lamp", &[("L-1", "30", Some(5))])],
        )
        .await
        .unwrap();
    let tasks: Vec<_> = (0..20)
        .map(|_| {
            let store = store.clone();
            let a = a.clone();
            tokio::spawn(async move { store.create_order(&a, &[req("L-1", 1)], None).await })
        })
        .collect();
    let mut placed = 0;
    for t in tasks {
        match t.await.unwrap() {
            Ok(_) => placed += 1,
            Err(StoreError::InsufficientStock { sku, available }) => {
                assert_eq!((sku.as_str(), available), ("L-1", 0));
            }
            Err(e) => panic!("unexpected error: {e}"),
        }
    }
    assert_eq!(placed, 5);
    assert_eq!(stock(&*store, &a.id, "L-1").await, Some(0));
    assert_eq!(store.purchase_history(&a.id, 100).await.unwrap().len(), 5);
}

async fn sqlite_store() -> (tempfile::TempDir, Arc<dyn Store>) {
    let dir = tempfile::tempdir().unwrap();
    let url = format!("sqlite://{}/comptoir.db", dir.path().display());
    let store = comptoir_store::open(&url).await.unwrap();
    (dir, store)
}

#[tokio::test]
async fn sqlite_commerce() {
    let (_dir, store) = sqlite_store().await;
    commerce_story(store).await;
}

#[tokio::test]
async fn postgres_commerce() {
    let db = comptoir_store::testing::PgSchema::create().await;
    commerce_story(comptoir_store::open(&db.url).await.unwrap()).await;
    db.drop().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn sqlite_concurrent_orders() {
    // A file, not memory: the pool holds several connections that really race.
    let (_dir, store) = sqlite_store().await;
    concurrent_orders(store).await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn postgres_concurrent_orders() {
    let db = comptoir_store::testing::PgSchema::create().await;
    concurrent_orders(comptoir_store::open(&db.url).await.unwrap()).await;
    db.drop().await;
}

/// The search index's rebuild at start: 100,000 variants must read in well under 5 s.
/// `cargo test -p comptoir-store --release --test conformance -- --ignored --nocapture`
async fn big_catalogue(store: Arc<dyn Store>) {
    let a = tenant(&*store, "shop-big").await;
    let batch: Vec<ProductUpsert> = (0..25_000)
        .map(|i| {
            let skus: Vec<(String, &str, Option<i64>)> = (0..4)
                .map(|v| (format!("B{i}-{v}"), "19.90", Some(5)))
                .collect();
            let skus: Vec<(&str, &str, Option<i64>)> =
                skus.iter().map(|(s, p, q)| (s.as_str(), *p, *q)).collect();
            product(&format!("big-{i}"), "Robe", "Dress", &skus)
        })
        .collect();
    for chunk in batch.chunks(500) {
        store.upsert_products(&a, chunk).await.unwrap();
    }
    let t = std::time::Instant::now();
    let all = store.catalogue_entries(&a.id, None).await.unwrap();
    let took = t.elapsed();
    eprintln!("{}: {} entries in {took:?}", store.backend(), all.len());
    assert_eq!(all.len(), 25_000);
    assert_eq!(all.iter().map(|e| e.variants.len()).sum::<usize>(), 100_000);
    assert!(took < std::time::Duration::from_secs(5), "{took:?}");
}

#[tokio::test]
#[ignore = "slow: run explicitly, in release"]
async fn sqlite_big_catalogue() {
    let (_dir, store) = sqlite_store().await;
    big_catalogue(store).await;
}

#[tokio::test]
#[ignore = "slow: run explicitly, in release"]
async fn postgres_big_catalogue() {
    let db = comptoir_store::testing::PgSchema::create().await;
    big_catalogue(comptoir_store::open(&db.url).await.unwrap()).await;
    db.drop().await;
}

/// Conversations, orders' life cycle, leads, appointments and settings: the sales half.
async fn sales_story(store: Arc<dyn Store>) {
    use comptoir_domain::{
        Customer, LeadKind, NewAppointment, NewLead, NewOrder, OrderStatus, TenantSettings,
    };
    use comptoir_store::{ConversationUpdate, NewTurn};
    let a = tenant(&*store, "sales-a").await;
    let b = tenant(&*store, "sales-b").await;
    store
        .upsert_products(
            &a,
            &[product("P", "Robe", "Dress", &[("S-1", "10.00", Some(3))])],
        )
        .await
        .unwrap();

    // Settings round-trip through the tenant row.
    let mut settings = TenantSettings {
        template: "fashion".into(),
        ..Default::default()
    };
    settings.widget.color = Some("#112233".into());
    assert!(store
        .update_tenant_settings(&a.id, &settings)
        .await
        .unwrap());
    assert_eq!(
        store.tenant_by_id(&a.id).await.unwrap().unwrap().settings,
        settings
    );
    assert_eq!(
        store.tenant_by_id(&b.id).await.unwrap().unwrap().settings,
        TenantSettings::default()
    );

    // Conversations: a save names the version it read; a stale save writes nothing.
    let c = store
        .create_conversation(&a.id, "web", Some("fr"), "{}")
        .await
        .unwrap();
    assert!(c.id.starts_with("conv_"));
    assert!(store.conversation(&b.id, &c.id).await.unwrap().is_none());
    let turn = |n: i64| NewTurn {
        input: format!(r#"{{"text":"t{n}"}}"#),
        understanding: None,
        actions: "[]".into(),
        reply: "{}".into(),
        server_us: n,
    };
    let update = |v: i64, state: &'static str| ConversationUpdate {
        id: &c.id,
        expected_version: v,
        state,
        status: "open",
        locale: None,
        lead_score: 10,
    };
    assert!(store
        .record_turn(&a.id, &update(0, r#"{"n":1}"#), &turn(1))
        .await
        .unwrap());
    assert!(!store
        .record_turn(&a.id, &update(0, r#"{"n":9}"#), &turn(9))
        .await
        .unwrap());
    assert!(!store
        .record_turn(&b.id, &update(1, r#"{"n":9}"#), &turn(9))
        .await
        .unwrap());
    assert!(store
        .record_turn(&a.id, &update(1, r#"{"n":2}"#), &turn(2))
        .await
        .unwrap());
    let got = store.conversation(&a.id, &c.id).await.unwrap().unwrap();
    assert_eq!(
        (got.version, got.turns, got.state.as_str(), got.lead_score),
        (2, 2, r#"{"n":2}"#, 10)
    );
    assert_eq!(got.locale.as_deref(), Some("fr"));
    let (with, versions) = store
        .conversation_for_turn(&a.id, &c.id)
        .await
        .unwrap()
        .unwrap();
    assert_eq!(with, got);
    assert_eq!(versions, store.versions(&a.id).await.unwrap());
    assert!(store
        .conversation_for_turn(&b.id, &c.id)
        .await
        .unwrap()
        .is_none());
    let turns = store.turns(&a.id, &c.id, 0, 100).await.unwrap();
    assert_eq!(turns.iter().map(|t| t.seq).collect::<Vec<_>>(), vec![1, 2]);
    assert_eq!(turns[1].server_us, 2);
    assert_eq!(store.turns(&a.id, &c.id, 1, 100).await.unwrap().len(), 1);
    assert!(store.turns(&b.id, &c.id, 0, 100).await.unwrap().is_empty());
    let page = store
        .list_conversations(&a.id, None, None, 10)
        .await
        .unwrap();
    assert_eq!(page.items.len(), 1);
    assert!(store
        .list_conversations(&b.id, None, None, 10)
        .await
        .unwrap()
        .items
        .is_empty());

    // The status filter applies before paging: `human` conversations older than a full page
    // of open ones are still on the filtered list's first page, and the cursor pages within
    // that status.
    let c3 = tenant(&*store, "sales-c").await;
    let mut humans = Vec::new();
    for _ in 0..2 {
        let h = store
            .create_conversation(&c3.id, "web", None, "{}")
            .await
            .unwrap();
        let to_human = ConversationUpdate {
            id: &h.id,
            expected_version: 0,
            state: "{}",
            status: "human",
            locale: None,
            lead_score: 0,
        };
        assert!(store
            .record_turn(&c3.id, &to_human, &turn(1))
            .await
            .unwrap());
        humans.push(h.id);
    }
    // Updated before any of the open ones below.
    tokio::time::sleep(std::time::Duration::from_millis(5)).await;
    for _ in 0..5 {
        store
            .create_conversation(&c3.id, "web", None, "{}")
            .await
            .unwrap();
    }
    let newest = store
        .list_conversations(&c3.id, None, None, 3)
        .await
        .unwrap();
    assert!(newest.items.iter().all(|c| c.status == "open"));
    let first = store
        .list_conversations(&c3.id, Some("human"), None, 1)
        .await
        .unwrap();
    let second = store
        .list_conversations(&c3.id, Some("human"), first.next_cursor.as_deref(), 1)
        .await
        .unwrap();
    assert!(second.next_cursor.is_none());
    let mut listed: Vec<String> = first
        .items
        .iter()
        .chain(&second.items)
        .inspect(|c| assert_eq!(c.status, "human"))
        .map(|c| c.id.clone())
        .collect();
    listed.sort();
    humans.sort();
    assert_eq!(listed, humans);
    let open = store
        .list_conversations(&c3.id, Some("open"), None, 50)
        .await
        .unwrap();
    assert_eq!(open.items.len(), 5);
    assert!(open.next_cursor.is_none());
    // `Some("")` is every status; a status nobody has lists nothing; other tenants' never.
    let every = store
        .list_conversations(&c3.id, Some(""), None, 50)
        .await
        .unwrap();
    assert_eq!(every.items.len(), 7);
    assert!(store
        .list_conversations(&c3.id, Some("handoff"), None, 50)
        .await
        .unwrap()
        .items
        .is_empty());
    assert!(store
        .list_conversations(&a.id, Some("human"), None, 50)
        .await
        .unwrap()
        .items
        .is_empty());

    // Orders: customer and expiry kept; the idempotency key returns the first order.
    let customer = Customer {
        name: Some("Ada".into()),
        email: Some("ada@example.com".into()),
        phone: None,
        address: Some("1 rue X".into()),
    };
    let new = NewOrder {
        lines: vec![OrderLineRequest {
            sku: "S-1".into(),
            quantity: 2,
        }],
        customer: Some(customer.clone()),
        payment_method: "manual".into(),
        conversation_id: Some(c.id.clone()),
        expires_at: Some(1_000),
        idempotency_key: Some(format!("{}:1", c.id)),
    };
    let o = store.place_order(&a, &new).await.unwrap();
    assert_eq!(o.status, OrderStatus::AwaitingPayment);
    assert_eq!(o.customer.as_ref(), Some(&customer));
    assert_eq!(stock(&*store, &a.id, "S-1").await, Some(1));
    let again = store.place_order(&a, &new).await.unwrap();
    assert_eq!(again.id, o.id);
    assert_eq!(
        stock(&*store, &a.id, "S-1").await,
        Some(1),
        "no second reservation"
    );
    let read = store.order(&a.id, &o.id).await.unwrap().unwrap();
    assert_eq!(read, o);
    assert!(store.order(&b.id, &o.id).await.unwrap().is_none());
    assert_eq!(
        store.conversation_orders(&a.id, &c.id).await.unwrap(),
        vec![o.clone()]
    );

    // Expiry returns the stock once; an expired order cannot be paid.
    assert_eq!(store.expire_orders(999).await.unwrap(), 0);
    assert_eq!(store.expire_orders(1_000).await.unwrap(), 1);
    assert_eq!(store.expire_orders(5_000).await.unwrap(), 0);
    assert_eq!(stock(&*store, &a.id, "S-1").await, Some(3));
    assert_eq!(
        store.order(&a.id, &o.id).await.unwrap().unwrap().status,
        OrderStatus::Expired
    );
    assert!(matches!(
        store
            .set_order_status(&a.id, &o.id, OrderStatus::Paid)
            .await,
        Err(StoreError::Invalid(_))
    ));

    // Paid, then cancelled: the stock comes back; another tenant cannot touch it.
    let o2 = store
        .place_order(
            &a,
            &NewOrder {
                lines: vec![OrderLineRequest {
                    sku: "S-1".into(),
                    quantity: 1,
                }],
                payment_method: "manual".into(),
                ..Default::default()
            },
        )
        .await
        .unwrap();
    assert_eq!(o2.expires_at, None);
    assert!(store
        .set_order_status(&b.id, &o2.id, OrderStatus::Paid)
        .await
        .unwrap()
        .is_none());
    let paid = store
        .set_order_status(&a.id, &o2.id, OrderStatus::Paid)
        .await
        .unwrap()
        .unwrap();
    assert_eq!(paid.status, OrderStatus::Paid);
    assert_eq!(stock(&*store, &a.id, "S-1").await, Some(2));
    store
        .set_order_status(&a.id, &o2.id, OrderStatus::Cancelled)
        .await
        .unwrap();
    assert_eq!(stock(&*store, &a.id, "S-1").await, Some(3));
    let orders = store.list_orders(&a.id, None, 1).await.unwrap();
    assert_eq!(orders.items[0].id, o2.id, "newest first");
    let rest = store
        .list_orders(&a.id, orders.next_cursor.as_deref(), 10)
        .await
        .unwrap();
    assert_eq!(rest.items.len(), 1);
    assert_eq!(rest.items[0].id, o.id);
    assert!(rest.next_cursor.is_none());
    assert!(store
        .list_orders(&b.id, None, 10)
        .await
        .unwrap()
        .items
        .is_empty());

    // New orders since one seen, oldest first, for caches.
    let latest = store.latest_order_id(&a.id).await.unwrap().unwrap();
    assert_eq!(latest, o2.id);
    assert!(store.latest_order_id(&b.id).await.unwrap().is_none());
    let after = store.orders_after(&a.id, "", 10).await.unwrap();
    assert_eq!(
        after.iter().map(|(id, _)| id.clone()).collect::<Vec<_>>(),
        vec![o.id.clone(), o2.id.clone()]
    );
    assert_eq!(after[0].1, vec![(o.lines[0].product_id.clone(), 2)]);
    assert_eq!(store.orders_after(&a.id, &o.id, 10).await.unwrap().len(), 1);
    assert!(store
        .orders_after(&a.id, &o2.id, 10)
        .await
        .unwrap()
        .is_empty());

    // Leads.
    let lead = store
        .add_lead(
            &a.id,
            &NewLead {
                kind: LeadKind::Quote,
                conversation_id: Some(c.id.clone()),
                name: Some("Ada".into()),
                email: Some("ada@example.com".into()),
                phone: None,
                details: r#"{"total":"20"}"#.into(),
                score: 250,
            },
        )
        .await
        .unwrap();
    assert_eq!(lead.score, 100);
    assert_eq!(store.list_leads(&a.id, 10).await.unwrap(), vec![lead]);
    assert!(store.list_leads(&b.id, 10).await.unwrap().is_empty());

    // Appointments: a slot is booked once, even by concurrent requests; per tenant.
    let slot = NewAppointment {
        conversation_id: None,
        starts_at: 1_800_000_000_000,
        duration_minutes: 30,
        name: Some("Ada".into()),
        email: None,
        phone: None,
    };
    let mut tasks = Vec::new();
    for _ in 0..10 {
        let (s, t, slot) = (store.clone(), a.id.clone(), slot.clone());
        tasks.push(tokio::spawn(
            async move { s.book_appointment(&t, &slot).await },
        ));
    }
    let mut booked = 0;
    for t in tasks {
        match t.await.unwrap() {
            Ok(_) => booked += 1,
            Err(StoreError::Conflict(_)) => {}
            Err(e) => panic!("{e}"),
        }
    }
    assert_eq!(booked, 1);
    let booked_a = store
        .appointments(&a.id, slot.starts_at, slot.starts_at + 1)
        .await
        .unwrap()
        .remove(0);
    assert!(store
        .set_appointment_contact(&a.id, &booked_a.id, None, Some("ada@example.com"), None)
        .await
        .unwrap());
    assert!(!store
        .set_appointment_contact(&b.id, &booked_a.id, None, Some("x@example.com"), None)
        .await
        .unwrap());
    store.book_appointment(&b.id, &slot).await.unwrap();
    let list = store
        .appointments(&a.id, slot.starts_at, slot.starts_at + 1)
        .await
        .unwrap();
    assert_eq!(list.len(), 1);
    assert_eq!(list[0].email.as_deref(), Some("ada@example.com"));
    assert_eq!(list[0].name.as_deref(), Some("Ada"), "kept when not given");
    assert!(matches!(
        store
            .book_appointment(
                &a.id,
                &NewAppointment {
                    duration_minutes: 0,
                    ..slot.clone()
                }
            )
            .await,
        Err(StoreError::Invalid(_))
    ));
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn sqlite_sales() {
    let (_dir, store) = sqlite_store().await;
    sales_story(store).await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn postgres_sales() {
    let db = comptoir_store::testing::PgSchema::create().await;
    sales_story(comptoir_store::open(&db.url).await.unwrap()).await;
    db.drop().await;
}

/// Users, sessions (logout everywhere, expiry, tenant switch), the shop's identity and the
/// period reads of analytics.
async fn admin_story(store: Arc<dyn Store>) {
    use comptoir_domain::{NewUser, Role};
    let shop = tenant(store.as_ref(), "admin-shop").await;
    let other = tenant(store.as_ref(), "admin-other").await;

    let owner = store
        .create_user(
            &NewUser::new(
                Some(shop.id.clone()),
                "Owner@Shop.eu",
                "Ana",
                Role::Owner,
                "h1".into(),
            )
            .unwrap(),
        )
        .await
        .unwrap();
    assert_eq!(owner.email, "owner@shop.eu");
    let dup = NewUser::new(
        Some(other.id.clone()),
        "owner@shop.eu",
        "X",
        Role::Agent,
        "h".into(),
    );
    assert!(matches!(
        store.create_user(&dup.unwrap()).await,
        Err(StoreError::Conflict(_))
    ));
    let op = store
        .create_user(
            &NewUser::new(None, "op@platform.io", "Op", Role::Operator, "h2".into()).unwrap(),
        )
        .await
        .unwrap();
    assert_eq!(
        store
            .user_by_email("owner@shop.eu")
            .await
            .unwrap()
            .unwrap()
            .id,
        owner.id
    );
    assert!(store
        .user_by_email("nobody@shop.eu")
        .await
        .unwrap()
        .is_none());
    assert_eq!(store.users(&shop.id).await.unwrap().len(), 1);
    assert!(store.users(&other.id).await.unwrap().is_empty());
    assert!(
        !store.delete_user(&other.id, &owner.id).await.unwrap(),
        "another shop's user"
    );
    assert!(store.set_password(&owner.id, "h3").await.unwrap());

    let now = comptoir_domain::now_ms();
    for token in ["a", "b"] {
        store
            .create_session(token, &owner.id, Some(&shop.id), "csrf", now + 60_000)
            .await
            .unwrap();
    }
    store
        .create_session("old", &owner.id, Some(&shop.id), "c", now - 1)
        .await
        .unwrap();
    store
        .create_session("op", &op.id, None, "c", now + 60_000)
        .await
        .unwrap();
    let s = store.session("a", now).await.unwrap().unwrap();
    assert_eq!(
        (s.user.id.as_str(), s.tenant_id.as_deref()),
        (owner.id.as_str(), Some(shop.id.as_str()))
    );
    assert_eq!(s.user.password_hash, "h3");
    assert!(
        store.session("old", now).await.unwrap().is_none(),
        "expired"
    );
    assert_eq!(store.delete_expired_sessions(now).await.unwrap(), 1);
    assert!(store.set_session_tenant("op", &other.id).await.unwrap());
    assert_eq!(
        store
            .session("op", now)
            .await
            .unwrap()
            .unwrap()
            .tenant_id
            .as_deref(),
        Some(other.id.as_str())
    );
    store.delete_session("a").await.unwrap();
    assert!(store.session("a", now).await.unwrap().is_none());
    assert_eq!(
        store.delete_user_sessions(&owner.id).await.unwrap(),
        1,
        "b left"
    );
    assert!(store.session("b", now).await.unwrap().is_none());

    assert!(store
        .update_tenant(
            &shop.id,
            "Ana's shop",
            &Currency::parse("CHF").unwrap(),
            &[lang("de"), lang("fr")]
        )
        .await
        .unwrap());
    let t = store.tenant_by_id(&shop.id).await.unwrap().unwrap();
    assert_eq!(
        (t.name.as_str(), t.currency.as_str(), t.locales.len()),
        ("Ana's shop", "CHF", 2)
    );
    let slugs: Vec<String> = store
        .list_tenants(100)
        .await
        .unwrap()
        .into_iter()
        .map(|t| t.slug)
        .collect();
    assert!(
        slugs.contains(&"admin-shop".to_string()) && slugs.contains(&"admin-other".to_string())
    );

    let c = store
        .create_conversation(&shop.id, "web", Some("fr"), "{}")
        .await
        .unwrap();
    let later = comptoir_domain::now_ms() + 1;
    let found = store
        .conversations_between(&shop.id, now - 1000, later + 1000, 10)
        .await
        .unwrap();
    assert_eq!(found.len(), 1);
    assert!(store
        .conversations_between(&other.id, 0, i64::MAX, 10)
        .await
        .unwrap()
        .is_empty());
    assert!(store
        .conversations_between(&shop.id, later + 1000, i64::MAX, 10)
        .await
        .unwrap()
        .is_empty());
    let turn = comptoir_store::NewTurn {
        input: r#"{"text":"bonjour"}"#.into(),
        understanding: None,
        actions: "[]".into(),
        reply: r#"{"text":"Bonjour !"}"#.into(),
        server_us: 250,
    };
    assert!(store
        .record_turn(
            &shop.id,
            &comptoir_store::ConversationUpdate {
                id: &c.id,
                expected_version: c.version,
                state: &c.state,
                status: "open",
                locale: Some("fr"),
                lead_score: 0,
            },
            &turn,
        )
        .await
        .unwrap());
    let turns = store
        .turns_of(&shop.id, std::slice::from_ref(&c.id))
        .await
        .unwrap();
    let last = store
        .last_messages(&shop.id, std::slice::from_ref(&c.id))
        .await
        .unwrap();
    assert_eq!(
        last,
        vec![(c.id.clone(), r#"{"text":"bonjour"}"#.to_string())]
    );
    assert!(store
        .last_messages(&other.id, std::slice::from_ref(&c.id))
        .await
        .unwrap()
        .is_empty());
    assert_eq!(turns.len(), 1);
    assert_eq!(turns[0].0, c.id);
    assert_eq!(turns[0].1.server_us, 250);
    assert!(store
        .turns_of(&other.id, std::slice::from_ref(&c.id))
        .await
        .unwrap()
        .is_empty());
    assert!(store
        .orders_between(&shop.id, 0, i64::MAX)
        .await
        .unwrap()
        .is_empty());
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn sqlite_admin() {
    let (_dir, store) = sqlite_store().await;
    admin_story(store).await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn postgres_admin() {
    let db = comptoir_store::testing::PgSchema::create().await;
    admin_story(comptoir_store::open(&db.url).await.unwrap()).await;
    db.drop().await;
}
