//! The sales agent: one turn of conversation is understand → decide → act (tools) → reply.
//!
//! The built-in engine is deterministic and explainable: the understanding comes from
//! `comptoir-nlu`, the decision from [`policy`], every fact the reply states from a [`tools`]
//! result (the catalogue, the cart, the orders), and the words from the reply texts and the
//! tenant's industry [`templates`]. The tools are one typed interface ([`tools::ToolCall`]) that
//! a later LLM provider will call too.
//!
//! No HTTP here and no database backend: the caller passes the store (as the trait), the
//! tenant's search index and the conversation's state, and saves what comes back.

pub mod format;
pub mod payment;
pub mod policy;
pub mod replies;
pub mod reply;
pub mod state;
pub mod templates;
pub mod tools;

use std::sync::RwLock;

use chrono::{DateTime, Utc};
use comptoir_domain::Tenant;
use comptoir_nlu::entities::catalogue::CatalogueIndex;
use comptoir_nlu::Engine;
use comptoir_search::SearchIndex;
use comptoir_store::{Store, StoreError};
use serde::{Deserialize, Serialize};

pub use comptoir_nlu::Lang;
pub use payment::{ManualPayment, PaymentProvider};
pub use replies::{builtin_wordings, check_reply_override, reply_keys, Replies};
pub use reply::{CartView, Form, OrderSummary, ProductCard, QuickReply, Reply};
pub use state::ConversationState;
pub use templates::Template;
pub use tools::{ToolCall, ToolResult, ToolTrace};

/// Everything a turn reads besides the conversation's state.
pub struct TurnContext<'a> {
    pub store: &'a dyn Store,
    pub tenant: &'a Tenant,
    pub index: &'a RwLock<SearchIndex>,
    /// The tenant's catalogue mention index, for product names in messages.
    pub mentions: Option<&'a CatalogueIndex>,
    pub engine: &'a Engine,
    pub template: &'a Template,
    pub payment: &'a dyn PaymentProvider,
    pub conversation_id: &'a str,
    pub now: DateTime<Utc>,
}

/// What the shopper sent: words, or a button of the widget.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Input {
    Text(String),
    Action(Action),
}

/// The widget's buttons, as PRODUCT.md fixes them (plus `update_cart` and `view_cart`).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(tag = "type", rename_all = "snake_case", deny_unknown_fields)]
pub enum Action {
    AddToCart {
        sku: String,
        #[serde(default)]
        quantity: Option<i64>,
    },
    UpdateCart {
        sku: String,
        quantity: i64,
    },
    RemoveFromCart {
        sku: String,
    },
    ViewCart,
    QuickReply {
        payload: String,
    },
    Checkout {
        #[serde(default)]
        customer: Option<CustomerInput>,
        #[serde(default)]
        payment_method: Option<String>,
    },
}

#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct CustomerInput {
    pub name: Option<String>,
    pub email: Option<String>,
    pub phone: Option<String>,
    pub address: Option<String>,
}

/// What a turn produced: the reply, what was understood, the tools called.
#[derive(Debug, Clone, Serialize)]
pub struct TurnOutcome {
    pub reply: Reply,
    pub understanding: Option<comptoir_nlu::Understanding>,
    pub actions: Vec<ToolTrace>,
    pub cart: CartView,
}

#[derive(Debug, thiserror::Error)]
pub enum AgentError {
    /// A button sent something impossible (unknown sku, quantity out of range, bad email):
    /// the field and why.
    #[error("{field}: {message}")]
    Invalid { field: String, message: String },
    /// The request cannot apply to the conversation as it is (checkout of an empty cart).
    #[error("{message}")]
    Conflict { code: String, message: String },
    #[error(transparent)]
    Store(#[from] StoreError),
}

impl AgentError {
    pub fn invalid(field: &str, message: impl Into<String>) -> Self {
        AgentError::Invalid {
            field: field.into(),
            message: message.into(),
        }
    }
}

/// The built-in engine: reply texts loaded once, shared by every turn of every tenant.
pub struct Agent {
    pub replies: Replies,
}

impl Agent {
    pub fn builtin() -> Result<Agent, replies::RepliesError> {
        Ok(Agent {
            replies: Replies::builtin()?,
        })
    }

    /// Runs one turn on `state`, which the caller saves afterwards (with the turn) only if
    /// this returns `Ok`.
    pub async fn turn(
        &self,
        ctx: &TurnContext<'_>,
        state: &mut ConversationState,
        input: &Input,
    ) -> Result<TurnOutcome, AgentError> {
        policy::Turn::new(self, ctx, state).run(input).await
    }

    /// The welcome text of a tenant: the merchant's own wording of `greet_fallback` in that
    /// language when it set one, else its template's greeting.
    pub fn greeting_for(&self, tenant: &Tenant, template: &Template, lang: Lang) -> String {
        let own = tenant
            .settings
            .replies
            .get("greet_fallback")
            .and_then(|by_lang| by_lang.get(lang.code()))
            .filter(|t| self.replies.check_override("greet_fallback", t).is_ok());
        match own {
            Some(text) => replies::fill(text, &[("shop", &tenant.name)]),
            None => self.greeting(template, &tenant.name, lang),
        }
    }

    /// The welcome text of a tenant's template in a language.
    pub fn greeting(&self, template: &Template, shop: &str, lang: Lang) -> String {
        Template::text(&template.greeting, lang)
            .map(|g| replies::fill(g, &[("shop", shop)]))
            .unwrap_or_else(|| {
                self.replies
                    .render(lang, "greet_fallback", 0, &[("shop", shop)])
            })
    }
}
