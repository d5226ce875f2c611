//! The OpenAPI 3.1 document, generated from the handlers' annotations.

use crate::api;
use std::sync::OnceLock;
use utoipa::openapi::security::{HttpAuthScheme, HttpBuilder, SecurityScheme};
use utoipa::{Modify, OpenApi};

#[derive(OpenApi)]
#[openapi(
    info(
        title = "Comptoir API",
        description = "Catalogue, conversations, orders, tenant, key management and understanding for Comptoir, the AI sales agent. \
            Authenticate with `Authorization: Bearer sk_…` (secret: everything of its tenant) or \
            `pk_…` (public: read the catalogue, converse). Errors are RFC 9457 problem+json."
    ),
    paths(
        api::tenant::get,
        api::products::list,
        api::products::get,
        api::products::create,
        api::products::update,
        api::products::delete,
        api::imports::create,
        api::imports::list,
        api::imports::get,
        api::keys::list,
        api::keys::create,
        api::keys::revoke,
        api::nlu::parse,
        api::search::search,
        api::search::recommendations,
        api::search::set_boost,
        api::search::list_rules,
        api::search::create_rule,
        api::search::delete_rule,
        api::conversations::create,
        api::conversations::message,
        api::conversations::transcript,
        api::conversations::list,
        api::conversations::take_over,
        api::conversations::staff_message,
        api::conversations::hand_back,
        api::orders::list,
        api::orders::get,
        api::orders::update,
        api::settings::get,
        api::settings::put,
        api::settings::patch,
        api::settings::templates,
        api::settings::template_source,
        api::settings::widget_config,
    ),
    components(schemas(crate::error::Problem, crate::error::FieldError)),
    modifiers(&Bearer),
    tags(
        (name = "catalogue", description = "Products, variants and imports"),
        (name = "tenant", description = "The caller's store"),
        (name = "keys", description = "API keys (secret key only)"),
        (name = "understanding", description = "Language, intent and entities of a message"),
        (name = "search", description = "Product search, recommendations, search boosts and cross-sell rules"),
        (name = "conversations", description = "The sales agent: conversations, messages, transcripts, the widget's configuration"),
        (name = "orders", description = "Orders placed through the agent (secret key)")
    )
)]
struct ApiDoc;

struct Bearer;

impl Modify for Bearer {
    fn modify(&self, doc: &mut utoipa::openapi::OpenApi) {
        let components = doc.components.get_or_insert_with(Default::default);
        components.add_security_scheme(
            "bearer",
            SecurityScheme::Http(
                HttpBuilder::new()
                    .scheme(HttpAuthScheme::Bearer)
                    .bearer_format("sk_… or pk_…")
                    .build(),
            ),
        );
    }
}

/// The document as JSON, built once.
pub fn json() -> &'static str {
    static DOC: OnceLock<String> = OnceLock::new();
    DOC.get_or_init(|| {
        ApiDoc::openapi()
            .to_pretty_json()
            .unwrap_or_else(|_| "{}".into())
    })
}
