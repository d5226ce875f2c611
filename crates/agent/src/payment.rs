//! How shoppers pay. One interface, so card providers (Stripe, PayPal) plug in later without the
//! agent changing: a provider turns a placed order into instructions or a payment link.

use comptoir_domain::{PlacedOrder, Tenant};
use serde::Serialize;

use crate::{Lang, Replies};

/// What the shopper is told to do to pay.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct PaymentInstructions {
    /// `manual`, later `stripe`, `paypal`.
    pub method: String,
    pub text: String,
    /// A hosted payment page, for card providers.
    pub url: Option<String>,
}

pub trait PaymentProvider: Send + Sync {
    /// The method's id as orders store it.
    fn method(&self) -> &'static str;
    fn instructions(
        &self,
        tenant: &Tenant,
        order: &PlacedOrder,
        lang: Lang,
        replies: &Replies,
    ) -> PaymentInstructions;
}

/// Bank transfer or payment on delivery: the merchant's own words from its settings, or a
/// generic sentence that names the order reference.
pub struct ManualPayment;

impl PaymentProvider for ManualPayment {
    fn method(&self) -> &'static str {
        "manual"
    }

    fn instructions(
        &self,
        tenant: &Tenant,
        order: &PlacedOrder,
        lang: Lang,
        replies: &Replies,
    ) -> PaymentInstructions {
        let seed = order.created_at as u64;
        let words = &tenant.settings.replies;
        let text = match &tenant.settings.payment_instructions {
            Some(own) => replies.render_for(
                words,
                lang,
                "payment_manual",
                seed,
                &[("instructions", own)],
            ),
            None => replies.render_for(
                words,
                lang,
                "payment_manual_default",
                seed,
                &[("order", &order.id)],
            ),
        };
        PaymentInstructions {
            method: "manual".into(),
            text,
            url: None,
        }
    }
}
