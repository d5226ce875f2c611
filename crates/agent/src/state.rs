//! A conversation's state: what the agent must remember between turns, and nothing more.
//!
//! It is one JSON document stored with the conversation and bounded in size whatever the number
//! of turns: the last shown products (at most [`MAX_SHOWN`]), the cart (at most [`MAX_CART_LINES`]
//! lines), the shopper's profile and preferences, and what the agent is waiting for. Turns
//! themselves are stored apart and never read back on the hot path.

use serde::{Deserialize, Serialize};

/// Products remembered from the last list shown ("the second one", "the red one").
pub const MAX_SHOWN: usize = 8;
/// Lines a cart may hold.
pub const MAX_CART_LINES: usize = 50;
/// Most units of one sku in a cart.
pub const MAX_LINE_QUANTITY: i64 = 99;

#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(default)]
pub struct ConversationState {
    /// The shopper's language (`fr`, `en`…), from the locale or the first messages.
    pub lang: Option<String>,
    pub stage: Stage,
    /// The products of the last list shown, in the order shown.
    pub shown: Vec<Shown>,
    /// The product last talked about ("it", "add it").
    pub focus: Option<Shown>,
    /// The words of the last product search, refined by later answers.
    pub last_query: Option<String>,
    pub cart: Cart,
    pub profile: Profile,
    pub prefs: Preferences,
    /// What the agent asked and awaits an answer to.
    pub pending: Option<Pending>,
    /// Guided-selling questions already asked in this search (budget, size, color, use).
    pub asked: Vec<String>,
    /// An upsell is offered once per conversation, a cross-sell once per checkout.
    pub upsold: bool,
    pub cross_sold: bool,
    /// Turns in a row the agent did not understand: the second offers a person.
    pub misunderstood: u32,
    /// The last order placed here, so a repeated checkout answers with it.
    pub last_order: Option<String>,
    pub lead_score: i64,
    /// `open`, or `handoff` once a person was asked for.
    pub status: String,
    /// The appointment booked here (id, date, time as shown): one per conversation.
    pub appointment: Option<(String, String, String)>,
    /// Turns so far (the reply wording's seed).
    pub turns: u64,
    /// Product searches so far (lead score).
    pub searches: u32,
    /// The shopper did something beyond greetings and thanks (a search, a question, a
    /// button): a goodbye then ends a conversation worth rating.
    pub engaged: bool,
    /// The satisfaction questions were asked (once per conversation).
    pub feedback_asked: bool,
    /// The scores given here: CSAT 1–5, NPS 0–10.
    pub csat: Option<u8>,
    pub nps: Option<u8>,
}

#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Stage {
    #[default]
    Browsing,
    Considering,
    Cart,
    Checkout,
    Ordered,
    Handoff,
}

/// A product as shown to the shopper: enough to resolve a reference without reading the
/// catalogue again.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Shown {
    pub product_id: String,
    pub sku: String,
    pub title: String,
    /// Decimal string, in the shop's currency.
    pub price: String,
    /// Canonical colours of the variant shown (`red`).
    #[serde(default)]
    pub colors: Vec<String>,
}

#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(default)]
pub struct Cart {
    pub lines: Vec<CartLine>,
    /// Bumped by every change: a checkout of one revision places one order, however often
    /// it is sent.
    pub revision: u64,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct CartLine {
    pub sku: String,
    pub product_id: String,
    pub title: String,
    /// "Red / M", when the product has options.
    pub variant: Option<String>,
    pub quantity: i64,
    /// Decimal string, refreshed from the catalogue at every turn.
    pub unit_price: String,
    pub currency: String,
    pub digital: bool,
}

impl Cart {
    pub fn is_empty(&self) -> bool {
        self.lines.is_empty()
    }

    pub fn line(&self, sku: &str) -> Option<&CartLine> {
        self.lines.iter().find(|l| l.sku == sku)
    }

    /// Units in the cart.
    pub fn count(&self) -> i64 {
        self.lines.iter().map(|l| l.quantity).sum()
    }

    /// Whether anything must be shipped (a postal address is then needed).
    pub fn needs_shipping(&self) -> bool {
        self.lines.iter().any(|l| !l.digital)
    }

    /// Sets a line's quantity (0 removes it); returns whether anything changed.
    pub fn set(&mut self, line: CartLine) -> bool {
        let changed = match self.lines.iter_mut().position(|l| l.sku == line.sku) {
            Some(i) if line.quantity <= 0 => {
                self.lines.remove(i);
                true
            }
            Some(i) => {
                let same = self.lines[i].quantity == line.quantity;
                self.lines[i] = line;
                !same
            }
            None if line.quantity > 0 => {
                self.lines.push(line);
                true
            }
            None => false,
        };
        if changed {
            self.revision += 1;
        }
        changed
    }

    pub fn clear(&mut self) {
        if !self.lines.is_empty() {
            self.lines.clear();
            self.revision += 1;
        }
    }
}

/// What the shopper told about themself.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(default)]
pub struct Profile {
    pub name: Option<String>,
    pub email: Option<String>,
    pub phone: Option<String>,
    pub address: Option<String>,
}

/// Preferences stated along the conversation; each new statement replaces the old one.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(default)]
pub struct Preferences {
    pub price_min: Option<String>,
    pub price_max: Option<String>,
    pub color: Option<String>,
    pub size: Option<String>,
    pub material: Option<String>,
    pub brand: Option<String>,
    /// What the product is for ("running", "a gift"), as the shopper said it.
    pub usage: Option<String>,
    /// Attributes the shopper turned down ("not red"), for ranking.
    pub rejected: Vec<String>,
}

/// What the agent is waiting for.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(tag = "kind", rename_all = "snake_case")]
pub enum Pending {
    /// The answer to a guided-selling question (`budget`, `size`, `color`, `use`).
    Clarify { slot: String },
    /// Checkout fields the shopper still has to give.
    Checkout { fields: Vec<String> },
    /// "Shall I add this one?" after an upsell (replacing `replaces`) or an alternative.
    Offer {
        sku: String,
        #[serde(default)]
        replaces: Option<String>,
    },
    /// An email to tell when this sku is back.
    BackInStock { sku: String },
    /// Contact details for a lead, a quote or an appointment.
    Contact { purpose: String },
    /// A date and time for an appointment.
    AppointmentTime,
    /// The offer to talk to a person.
    Handoff,
    /// "How would you rate this conversation, 1 to 5?"; `reasked` once a score out of range
    /// was given.
    Csat {
        #[serde(default)]
        reasked: bool,
    },
    /// "How likely are you to recommend us, 0 to 10?"
    Nps {
        #[serde(default)]
        reasked: bool,
    },
}
