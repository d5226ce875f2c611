//! ONE story, run against both backends: whatever differs between SQLite and PostgreSQL fails here.
//!
//! PostgreSQL comes from `COMPTOIR_TEST_POSTGRES_URL` (default
//! `postgres://postgres@127.0.0.1:5432/test`); each run gets a fresh schema, dropped at the end.
//! An unreachable server fails the test with a message saying so: it never passes silently.

use comptoir_domain::{
    Currency, KeyKind, Lang, NewApiKey, NewTenant, Plan, ProductFilter, ProductUpsert, Tenant,
    Translation, Variant,
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
