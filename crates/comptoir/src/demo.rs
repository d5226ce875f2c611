//! The demo store: a tenant with ~60 products in five languages (data/demo/catalogue.csv,
//! compiled into the binary), created once and reused.

use anyhow::Result;
use comptoir_catalogue::{Format, ImportSource};
use comptoir_domain::{Currency, KeyKind, Lang, NewApiKey, NewTenant, Plan, Tenant};
use comptoir_store::Store;
use std::sync::Arc;

pub const SLUG: &str = "demo";
/// The demo shop's owner in the admin; its password is new on every start (printed).
pub const ADMIN_EMAIL: &str = "demo@comptoir.local";
const CATALOGUE: &str = include_str!("../../../data/demo/catalogue.csv");

/// Keys minted for this run of the demo (the previous demo keys are revoked: keys are shown
/// only once, so a restart prints fresh ones).
pub struct DemoKeys {
    pub tenant: Tenant,
    pub secret: String,
    pub public: String,
    pub admin_password: String,
}

pub async fn ensure(store: Arc<dyn Store>) -> Result<DemoKeys> {
    let tenant = match store.tenant_by_slug(SLUG).await? {
        Some(t) => t,
        None => {
            let locales = ["fr", "en", "de", "it", "es"]
                .iter()
                .filter_map(|l| Lang::parse(l))
                .collect();
            let new = NewTenant::new(
                SLUG,
                "Comptoir Demo Store",
                Plan::Business,
                Currency::parse("EUR")?,
                locales,
            )?;
            store.create_tenant(&new).await?
        }
    };
    if tenant.settings == Default::default() {
        // A general shop (its catalogue mixes fashion, home, beauty, electronics and services),
        // with the merchant's own payment words, as a real shop would set them.
        let mut settings = tenant.settings.clone();
        settings.template = "general".into();
        settings.widget.name = Some("Comptoir Demo".into());
        settings.payment_instructions = Some(
            "bank transfer to IBAN FR76 3000 6000 0112 3456 7890 189 (Comptoir Demo), quoting your order number, or pay on delivery".into(),
        );
        store.update_tenant_settings(&tenant.id, &settings).await?;
    }
    let (products, _) = store.count_catalogue(&tenant.id).await?;
    if products == 0 {
        let source = ImportSource {
            name: "demo catalogue".into(),
            reader: Box::new(std::io::Cursor::new(CATALOGUE.as_bytes())),
        };
        let (_, report) =
            comptoir_catalogue::run(store.clone(), &tenant, source, Some(Format::Generic), None)
                .await?;
        anyhow::ensure!(
            report.rows_rejected == 0,
            "demo catalogue has rejected rows: {:?}",
            report.rejected
        );
    }
    for k in store.list_api_keys(&tenant.id).await? {
        if k.revoked_at.is_none() && k.name.starts_with("demo ") {
            store.revoke_api_key(&tenant.id, &k.id).await?;
        }
    }
    let secret = NewApiKey::generate(&tenant.id, KeyKind::Secret, "demo admin");
    let public = NewApiKey::generate(&tenant.id, KeyKind::Public, "demo widget");
    store.insert_api_key(&secret).await?;
    store.insert_api_key(&public).await?;
    // The owner account: created once, given a fresh password on every start (like the keys).
    let admin_password = comptoir_server::admin::auth::random_token()[..20].to_string();
    let hash = comptoir_server::admin::auth::hash_password(&admin_password)
        .map_err(|e| anyhow::anyhow!("{e:?}"))?;
    match store.user_by_email(ADMIN_EMAIL).await? {
        Some(u) => {
            store.set_password(&u.id, &hash).await?;
        }
        None => {
            let new = comptoir_domain::NewUser::new(
                Some(tenant.id.clone()),
                ADMIN_EMAIL,
                "Demo owner",
                comptoir_domain::Role::Owner,
                hash,
            )?;
            store.create_user(&new).await?;
        }
    }
    Ok(DemoKeys {
        tenant,
        secret: secret.token,
        public: public.token,
        admin_password,
    })
}
