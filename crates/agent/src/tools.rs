//! The agent's tools: one typed interface to the shop's data. The built-in policy calls them,
//! and a later LLM provider will call the same ones (the enums serialise as tool-call JSON).
//! Every fact a reply states comes from a [`ToolResult`]; every call is traced in the turn.

use chrono::{Duration, NaiveDate, NaiveDateTime, NaiveTime, TimeZone};
use comptoir_domain::{
    CatalogueEntry, Customer, LeadKind, NewAppointment, NewLead, NewOrder, OrderLineRequest,
    PlacedOrder,
};
use comptoir_search::{Filters, RecommendRequest, SearchRequest, Session, Trait};
use comptoir_store::StoreError;
use rust_decimal::Decimal;
use serde::{Deserialize, Serialize};

use crate::payment::PaymentInstructions;
use crate::reply::{decimal, CartView, OrderSummary, ProductCard};
use crate::state::{CartLine, ConversationState, MAX_CART_LINES, MAX_LINE_QUANTITY};
use crate::{AgentError, Lang, Replies, TurnContext};

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(tag = "tool", rename_all = "snake_case")]
pub enum ToolCall {
    SearchProducts {
        query: String,
        #[serde(default)]
        price_min: Option<String>,
        #[serde(default)]
        price_max: Option<String>,
        /// Attributes the shopper likes (`color:red`), ranked up, not filtered.
        #[serde(default)]
        liked: Vec<String>,
        #[serde(default)]
        rejected: Vec<String>,
        #[serde(default)]
        limit: Option<usize>,
    },
    GetProduct {
        product_id: String,
        #[serde(default)]
        sku: Option<String>,
    },
    CheckStock {
        sku: String,
    },
    Recommend {
        product_id: String,
        #[serde(default)]
        budget: Option<String>,
    },
    AddToCart {
        sku: String,
        quantity: i64,
    },
    UpdateCart {
        sku: String,
        quantity: i64,
    },
    RemoveFromCart {
        sku: String,
    },
    ViewCart,
    StartCheckout {
        #[serde(default)]
        payment_method: Option<String>,
    },
    OrderStatus {
        #[serde(default)]
        order_id: Option<String>,
    },
    CaptureLead {
        kind: LeadKind,
        #[serde(default)]
        note: Option<String>,
    },
    BookAppointment {
        /// `YYYY-MM-DD` and `HH:MM` in the shop's time zone; without them, the free slots.
        #[serde(default)]
        date: Option<String>,
        #[serde(default)]
        time: Option<String>,
    },
    /// Gives a booked appointment the shopper's contact details (name, email, phone).
    UpdateAppointment {
        id: String,
    },
    /// The lines to quote; none: the cart, else the product in focus.
    RequestQuote {
        #[serde(default)]
        lines: Vec<OrderLineRequest>,
    },
    HandoffToHuman {
        reason: String,
    },
    AnswerFaq {
        topic: String,
    },
    /// A satisfaction score the shopper gave: `kind` `csat` (1–5) or `nps` (0–10).
    RecordFeedback {
        kind: String,
        score: u8,
    },
}

#[derive(Debug, Clone, PartialEq, Serialize)]
#[serde(tag = "result", rename_all = "snake_case")]
pub enum ToolResult {
    Products {
        items: Vec<ProductCard>,
        total: usize,
    },
    Product {
        card: ProductCard,
        description: String,
        /// The product's other variants.
        variants: Vec<ProductCard>,
    },
    Stock {
        sku: String,
        in_stock: bool,
        stock: Option<i64>,
    },
    Recommendations {
        upsell: Vec<ProductCard>,
        cross_sell: Vec<ProductCard>,
        similar: Vec<ProductCard>,
    },
    Cart {
        cart: CartView,
        /// The line's quantity after the call, and how many were asked.
        sku: Option<String>,
        quantity: i64,
        requested: i64,
    },
    OutOfStock {
        sku: String,
        available: i64,
    },
    NeedInfo {
        fields: Vec<String>,
    },
    OrderPlaced {
        order: OrderSummary,
        payment: PaymentInstructions,
        /// True when this checkout had already placed it (a repeated click).
        repeated: bool,
    },
    Orders {
        orders: Vec<OrderSummary>,
    },
    Lead {
        id: String,
    },
    Appointment {
        id: String,
        date: String,
        time: String,
    },
    SlotUnavailable {
        /// `taken`, `closed` or `past`.
        reason: String,
        free: Vec<(String, String)>,
    },
    Slots {
        free: Vec<(String, String)>,
    },
    Quote {
        reference: String,
        total: String,
        currency: String,
        lines: Vec<(String, i64, String)>,
    },
    Handoff {
        lead_id: String,
    },
    Faq {
        topic: String,
        answer: Option<String>,
    },
    Failed {
        code: String,
        message: String,
    },
    /// Kept (a satisfaction score: the turn's record is where analytics read it).
    Recorded,
}

/// A call and its result, as kept in the turn's record.
#[derive(Debug, Clone, Serialize)]
pub struct ToolTrace {
    #[serde(flatten)]
    pub call: ToolCall,
    pub result: ToolResult,
}

/// The scores a kind of satisfaction question takes: CSAT 1–5, NPS 0–10.
pub fn feedback_range(kind: &str) -> Option<std::ops::RangeInclusive<u8>> {
    match kind {
        "csat" => Some(1..=5),
        "nps" => Some(0..=10),
        _ => None,
    }
}

/// Hits read to judge relevance.
const RELEVANT_WINDOW: usize = 20;
/// A hit scoring below this share of the best one is not shown to the shopper.
const RELEVANT_SHARE: f32 = 0.25;

fn failed(code: &str, message: impl Into<String>) -> ToolResult {
    ToolResult::Failed {
        code: code.into(),
        message: message.into(),
    }
}

/// Runs tools for one turn of one conversation.
pub struct Toolbox<'c, 'a> {
    pub ctx: &'c TurnContext<'a>,
    pub replies: &'c Replies,
    pub lang: Lang,
    pub trace: Vec<ToolTrace>,
}

impl<'c, 'a> Toolbox<'c, 'a> {
    pub fn new(ctx: &'c TurnContext<'a>, replies: &'c Replies, lang: Lang) -> Self {
        Toolbox {
            ctx,
            replies,
            lang,
            trace: Vec::new(),
        }
    }

    fn domain_lang(&self) -> comptoir_domain::Lang {
        comptoir_domain::Lang::parse(self.lang.code())
            .unwrap_or_else(|| self.ctx.tenant.default_locale().clone())
    }

    /// The card of a sku, from the live index.
    pub fn card(&self, sku: &str) -> Option<ProductCard> {
        let index = self.ctx.index.read().unwrap_or_else(|e| e.into_inner());
        let entry = index.entry_of_sku(sku)?;
        card_in(&index, entry, sku, &self.domain_lang())
    }

    /// Reads a product entry from the index under its lock.
    pub fn with_entry<R>(
        &self,
        product_id: &str,
        f: impl FnOnce(&CatalogueEntry) -> R,
    ) -> Option<R> {
        let index = self.ctx.index.read().unwrap_or_else(|e| e.into_inner());
        index.entry(product_id).map(f)
    }

    /// Runs a call, records it, and returns its result.
    pub async fn call(
        &mut self,
        state: &mut ConversationState,
        call: ToolCall,
    ) -> Result<ToolResult, AgentError> {
        let result = self.execute(state, &call).await?;
        self.trace.push(ToolTrace {
            call,
            result: result.clone(),
        });
        Ok(result)
    }

    async fn execute(
        &mut self,
        state: &mut ConversationState,
        call: &ToolCall,
    ) -> Result<ToolResult, AgentError> {
        Ok(match call {
            ToolCall::SearchProducts {
                query,
                price_min,
                price_max,
                liked,
                rejected,
                limit,
            } => self.search(
                query,
                price_min,
                price_max,
                liked,
                rejected,
                limit.unwrap_or(5),
            ),
            ToolCall::GetProduct { product_id, sku } => {
                self.get_product(product_id, sku.as_deref())
            }
            ToolCall::CheckStock { sku } => match self.card(sku) {
                Some(c) => ToolResult::Stock {
                    sku: c.sku,
                    in_stock: c.in_stock,
                    stock: c.stock,
                },
                None => failed("unknown_sku", format!("no variant `{sku}`")),
            },
            ToolCall::Recommend { product_id, budget } => {
                self.recommend(product_id, budget.as_deref())
            }
            ToolCall::AddToCart { sku, quantity } => {
                let have = state.cart.line(sku).map_or(0, |l| l.quantity);
                self.set_quantity(state, sku, have + quantity, *quantity)
            }
            ToolCall::UpdateCart { sku, quantity } => {
                self.set_quantity(state, sku, *quantity, *quantity)
            }
            ToolCall::RemoveFromCart { sku } => {
                if state.cart.line(sku).is_none() {
                    failed("not_in_cart", format!("`{sku}` is not in the cart"))
                } else {
                    self.set_quantity(state, sku, 0, 0)
                }
            }
            ToolCall::ViewCart => {
                self.refresh_cart(state);
                ToolResult::Cart {
                    cart: CartView::of(&state.cart, self.ctx.tenant.currency.as_str()),
                    sku: None,
                    quantity: 0,
                    requested: 0,
                }
            }
            ToolCall::StartCheckout { payment_method } => {
                self.checkout(state, payment_method.as_deref()).await?
            }
            ToolCall::OrderStatus { order_id } => self.order_status(order_id.as_deref()).await?,
            ToolCall::CaptureLead { kind, note } => {
                let lead = self
                    .lead(state, *kind, serde_json::json!({ "note": note }))
                    .await?;
                ToolResult::Lead { id: lead }
            }
            ToolCall::BookAppointment { date, time } => {
                self.book(state, date.as_deref(), time.as_deref()).await?
            }
            ToolCall::RequestQuote { lines } => self.quote(state, lines).await?,
            ToolCall::UpdateAppointment { id } => {
                let p = &state.profile;
                let done = self
                    .ctx
                    .store
                    .set_appointment_contact(
                        &self.ctx.tenant.id,
                        id,
                        p.name.as_deref(),
                        p.email.as_deref(),
                        p.phone.as_deref(),
                    )
                    .await?;
                if done {
                    ToolResult::Lead { id: id.clone() }
                } else {
                    failed("unknown_appointment", format!("no appointment `{id}`"))
                }
            }
            ToolCall::HandoffToHuman { reason } => {
                let id = self
                    .lead(
                        state,
                        LeadKind::Handoff,
                        serde_json::json!({ "reason": reason }),
                    )
                    .await?;
                state.status = "handoff".into();
                ToolResult::Handoff { lead_id: id }
            }
            ToolCall::RecordFeedback { kind, score } => {
                match (kind.as_str(), feedback_range(kind)) {
                    ("csat", Some(r)) if r.contains(score) => {
                        state.csat = Some(*score);
                        ToolResult::Recorded
                    }
                    ("nps", Some(r)) if r.contains(score) => {
                        state.nps = Some(*score);
                        ToolResult::Recorded
                    }
                    (_, Some(r)) => failed(
                        "invalid_score",
                        format!("a {kind} score is {} to {}", r.start(), r.end()),
                    ),
                    _ => failed("invalid_kind", "feedback is `csat` or `nps`"),
                }
            }
            ToolCall::AnswerFaq { topic } => ToolResult::Faq {
                topic: topic.clone(),
                // The merchant's own answer first, then the template's default.
                answer: self
                    .ctx
                    .tenant
                    .settings
                    .faq
                    .get(topic)
                    .and_then(|a| crate::Template::text(a, self.lang))
                    .or_else(|| {
                        self.ctx
                            .template
                            .faq
                            .get(topic)
                            .and_then(|e| crate::Template::text(&e.answer, self.lang))
                    })
                    .map(str::to_string),
            },
        })
    }

    fn search(
        &self,
        query: &str,
        price_min: &Option<String>,
        price_max: &Option<String>,
        liked: &[String],
        rejected: &[String],
        limit: usize,
    ) -> ToolResult {
        let mut req = SearchRequest::new(query);
        req.lang = comptoir_domain::Lang::parse(self.lang.code());
        req.limit = limit.clamp(1, 20);
        req.now = self.ctx.now.fixed_offset();
        req.filters = Filters {
            price_min: price_min.as_deref().and_then(|p| p.parse().ok()),
            price_max: price_max.as_deref().and_then(|p| p.parse().ok()),
            ..Filters::default()
        };
        req.session = Session {
            liked: liked.iter().filter_map(|t| Trait::parse(t)).collect(),
            rejected: rejected.iter().filter_map(|t| Trait::parse(t)).collect(),
        };
        let wanted = req.limit;
        req.limit = wanted.max(RELEVANT_WINDOW);
        let index = self.ctx.index.read().unwrap_or_else(|e| e.into_inner());
        let res = index.search(&req);
        let lang = self.domain_lang();
        // A shopper reads the first few cards: weak matches far below the best one (a word
        // shared by chance) are noise there, though a search page would list them further down.
        // With a budget, "the best one" is the best match at any price: a weak match that
        // happens to be cheap is not what the shopper asked for.
        let mut top = res.hits.first().map_or(0.0, |h| h.score);
        if req.filters.price_min.is_some() || req.filters.price_max.is_some() {
            let mut any_price = req.clone();
            any_price.filters.price_min = None;
            any_price.filters.price_max = None;
            any_price.limit = 1;
            top = top.max(
                index
                    .search(&any_price)
                    .hits
                    .first()
                    .map_or(0.0, |h| h.score),
            );
        }
        let relevant: Vec<_> = res
            .hits
            .iter()
            .filter(|h| h.score >= top * RELEVANT_SHARE)
            .collect();
        let total = if relevant.len() < res.hits.len() {
            relevant.len()
        } else {
            res.total
        };
        let items = relevant
            .iter()
            .take(wanted)
            .filter_map(|h| card_in(&index, index.entry(&h.product_id)?, &h.sku, &lang))
            .collect();
        ToolResult::Products { items, total }
    }

    fn get_product(&self, product_id: &str, sku: Option<&str>) -> ToolResult {
        let index = self.ctx.index.read().unwrap_or_else(|e| e.into_inner());
        let Some(entry) = index.entry(product_id) else {
            return failed("unknown_product", format!("no product `{product_id}`"));
        };
        let lang = self.domain_lang();
        let def = index.default_lang();
        let cards: Vec<ProductCard> = entry
            .variants
            .iter()
            .filter_map(|v| card_in(&index, entry, &v.sku, &lang))
            .collect();
        let chosen = sku
            .and_then(|s| cards.iter().find(|c| c.sku == s))
            .or_else(|| cards.iter().find(|c| c.in_stock))
            .or(cards.first())
            .cloned();
        let Some(card) = chosen else {
            return failed("unknown_product", "the product has no variant");
        };
        let description = comptoir_domain::pick_translation(&entry.translations, Some(&lang), def)
            .map(|t| t.description.clone())
            .unwrap_or_default();
        ToolResult::Product {
            card,
            description,
            variants: cards,
        }
    }

    fn recommend(&self, product_id: &str, budget: Option<&str>) -> ToolResult {
        let index = self.ctx.index.read().unwrap_or_else(|e| e.into_inner());
        let req = RecommendRequest {
            product_id: product_id.to_string(),
            budget: budget.and_then(|b| b.parse().ok()),
            session: Session::default(),
            rule_targets: Vec::new(),
            limit: 3,
        };
        let Some(recs) = index.recommend(&req) else {
            return failed("unknown_product", format!("no product `{product_id}`"));
        };
        let lang = self.domain_lang();
        let cards = |list: &[comptoir_search::Recommendation]| -> Vec<ProductCard> {
            list.iter()
                .filter_map(|r| card_in(&index, index.entry(&r.product_id)?, &r.sku, &lang))
                .filter(|c| c.in_stock)
                .collect()
        };
        let mut cross = cards(&recs.cross_sell);
        cross.extend(cards(&recs.bought_together));
        ToolResult::Recommendations {
            upsell: cards(&recs.upsell),
            cross_sell: cross,
            similar: cards(&recs.similar),
        }
    }

    /// Sets a line to `quantity`, capped by stock and [`MAX_LINE_QUANTITY`]; prices from the
    /// catalogue now.
    fn set_quantity(
        &self,
        state: &mut ConversationState,
        sku: &str,
        quantity: i64,
        requested: i64,
    ) -> ToolResult {
        let Some(card) = self.card(sku) else {
            return failed("unknown_sku", format!("no variant `{sku}`"));
        };
        let view = |state: &ConversationState, q: i64| ToolResult::Cart {
            cart: CartView::of(&state.cart, self.ctx.tenant.currency.as_str()),
            sku: Some(sku.to_string()),
            quantity: q,
            requested,
        };
        if quantity <= 0 {
            state.cart.set(line_of(&card, 0));
            return view(state, 0);
        }
        let available = card
            .stock
            .unwrap_or(MAX_LINE_QUANTITY)
            .min(MAX_LINE_QUANTITY);
        if available <= 0 {
            return ToolResult::OutOfStock {
                sku: sku.to_string(),
                available: 0,
            };
        }
        if state.cart.line(sku).is_none() && state.cart.lines.len() >= MAX_CART_LINES {
            return failed(
                "cart_full",
                format!("a cart holds at most {MAX_CART_LINES} products"),
            );
        }
        if let Some(first) = state.cart.lines.first() {
            if first.currency != card.currency {
                return failed("currency", "a cart is in one currency");
            }
        }
        let q = quantity.min(available);
        state.cart.set(line_of(&card, q));
        view(state, q)
    }

    /// Re-reads every cart line's price and stock: a price change shows at once, a line that
    /// sold out shrinks or leaves, a deleted product leaves. Returns the lines that shrank or
    /// left, with the quantity now, for the shopper to be told.
    pub fn refresh_cart(&self, state: &mut ConversationState) -> Vec<(CartLine, i64)> {
        let lines = std::mem::take(&mut state.cart.lines);
        let before = lines.clone();
        let mut shrunk = Vec::new();
        for l in lines {
            let Some(card) = self.card(&l.sku) else {
                shrunk.push((l, 0));
                continue;
            };
            let cap = card.stock.unwrap_or(i64::MAX).min(MAX_LINE_QUANTITY);
            let q = l.quantity.min(cap).max(0);
            if q < l.quantity {
                shrunk.push((l.clone(), q));
            }
            if q > 0 {
                let mut fresh = line_of(&card, q);
                fresh.title = l.title.clone();
                state.cart.lines.push(fresh);
            }
        }
        if state.cart.lines != before {
            state.cart.revision += 1;
        }
        shrunk
    }

    async fn checkout(
        &mut self,
        state: &mut ConversationState,
        payment_method: Option<&str>,
    ) -> Result<ToolResult, AgentError> {
        self.refresh_cart(state);
        if state.cart.is_empty() {
            if let Some(id) = state.last_order.clone() {
                if let Some(o) = self.ctx.store.order(&self.ctx.tenant.id, &id).await? {
                    // A repeated checkout answers with its order, unless that order is over.
                    if o.status.holds_stock() {
                        return Ok(self.placed(&o, true));
                    }
                }
            }
            return Ok(failed("cart_empty", "the cart is empty"));
        }
        let method = payment_method.unwrap_or("manual");
        if method != self.ctx.payment.method() {
            return Err(AgentError::invalid(
                "payment_method",
                format!("this shop takes `{}`", self.ctx.payment.method()),
            ));
        }
        let p = &state.profile;
        let mut missing = Vec::new();
        if p.name.is_none() {
            missing.push("name".to_string());
        }
        if p.email.is_none() {
            missing.push("email".to_string());
        }
        if p.address.is_none() && state.cart.needs_shipping() {
            missing.push("address".to_string());
        }
        if !missing.is_empty() {
            return Ok(ToolResult::NeedInfo { fields: missing });
        }
        let minutes = i64::from(self.ctx.tenant.settings.reservation_minutes);
        let new = NewOrder {
            lines: state
                .cart
                .lines
                .iter()
                .map(|l| OrderLineRequest {
                    sku: l.sku.clone(),
                    quantity: l.quantity,
                })
                .collect(),
            customer: Some(Customer {
                name: p.name.clone(),
                email: p.email.clone(),
                phone: p.phone.clone(),
                address: p.address.clone(),
            }),
            payment_method: method.to_string(),
            conversation_id: Some(self.ctx.conversation_id.to_string()),
            expires_at: Some((self.ctx.now + Duration::minutes(minutes)).timestamp_millis()),
            // One order per cart revision, however many times the checkout is sent.
            idempotency_key: Some(format!(
                "{}:{}",
                self.ctx.conversation_id, state.cart.revision
            )),
        };
        match self.ctx.store.place_order(self.ctx.tenant, &new).await {
            Ok(order) => {
                state.cart.clear();
                state.last_order = Some(order.id.clone());
                Ok(self.placed(&order, false))
            }
            Err(StoreError::InsufficientStock { sku, available }) => {
                // Someone bought it meanwhile: the cart follows the stock, the shopper is told.
                if let Some(card) = self.card(&sku) {
                    state.cart.set(line_of(&card, available.max(0)));
                }
                Ok(ToolResult::OutOfStock { sku, available })
            }
            Err(StoreError::Invalid(m)) => Ok(failed("invalid_order", m)),
            Err(e) => Err(e.into()),
        }
    }

    fn placed(&self, order: &PlacedOrder, repeated: bool) -> ToolResult {
        let payment =
            self.ctx
                .payment
                .instructions(self.ctx.tenant, order, self.lang, self.replies);
        let mut summary = OrderSummary::of(order);
        summary.payment_instructions = Some(payment.text.clone());
        summary.payment_url = payment.url.clone();
        ToolResult::OrderPlaced {
            order: summary,
            payment,
            repeated,
        }
    }

    async fn order_status(&self, order_id: Option<&str>) -> Result<ToolResult, AgentError> {
        let store = self.ctx.store;
        let tenant = &self.ctx.tenant.id;
        let orders = match order_id {
            Some(id) => {
                // Shoppers type references in any case and with spaces; ids are lower-case.
                let id: String = id
                    .trim()
                    .to_lowercase()
                    .chars()
                    .filter(|c| !c.is_whitespace())
                    .collect();
                store
                    .order(tenant, &id)
                    .await?
                    .into_iter()
                    .collect::<Vec<_>>()
            }
            None => {
                store
                    .conversation_orders(tenant, self.ctx.conversation_id)
                    .await?
            }
        };
        Ok(ToolResult::Orders {
            orders: orders.iter().map(OrderSummary::of).collect(),
        })
    }

    async fn lead(
        &self,
        state: &ConversationState,
        kind: LeadKind,
        details: serde_json::Value,
    ) -> Result<String, AgentError> {
        let p = &state.profile;
        let lead = self
            .ctx
            .store
            .add_lead(
                &self.ctx.tenant.id,
                &NewLead {
                    kind,
                    conversation_id: Some(self.ctx.conversation_id.to_string()),
                    name: p.name.clone(),
                    email: p.email.clone(),
                    phone: p.phone.clone(),
                    details: details.to_string(),
                    score: state.lead_score,
                },
            )
            .await?;
        Ok(lead.id)
    }

    async fn quote(
        &self,
        state: &mut ConversationState,
        asked: &[OrderLineRequest],
    ) -> Result<ToolResult, AgentError> {
        self.refresh_cart(state);
        let mut lines: Vec<(String, i64, String)> = Vec::new();
        for l in asked {
            if !(1..=10_000).contains(&l.quantity) {
                return Ok(failed("invalid_quantity", "a quantity from 1 to 10,000"));
            }
            match self.card(&l.sku) {
                Some(c) => lines.push((c.sku, l.quantity, c.price)),
                None => return Ok(failed("unknown_sku", format!("no variant `{}`", l.sku))),
            }
        }
        if lines.is_empty() {
            lines = state
                .cart
                .lines
                .iter()
                .map(|l| (l.sku.clone(), l.quantity, l.unit_price.clone()))
                .collect();
        }
        if lines.is_empty() {
            if let Some(f) = &state.focus {
                if let Some(c) = self.card(&f.sku) {
                    lines.push((c.sku, 1, c.price));
                }
            }
        }
        if lines.is_empty() {
            return Ok(failed("quote_empty", "nothing to quote"));
        }
        let total: Decimal = lines
            .iter()
            .map(|(_, q, p)| p.parse::<Decimal>().unwrap_or_default() * Decimal::from(*q))
            .sum();
        let currency = self.ctx.tenant.currency.as_str().to_string();
        let details = serde_json::json!({
            "lines": lines.iter().map(|(s, q, p)| serde_json::json!({"sku": s, "quantity": q, "unit_price": p})).collect::<Vec<_>>(),
            "total": decimal(total),
            "currency": currency,
            "valid_days": 30,
        });
        let id = self.lead(state, LeadKind::Quote, details).await?;
        Ok(ToolResult::Quote {
            reference: id,
            total: decimal(total),
            currency,
            lines,
        })
    }

    async fn book(
        &self,
        state: &ConversationState,
        date: Option<&str>,
        time: Option<&str>,
    ) -> Result<ToolResult, AgentError> {
        let Some(rules) = &self.ctx.template.appointment else {
            return Ok(failed("no_appointments", "this shop takes no appointments"));
        };
        let zone = rules
            .zone()
            .map_err(|m| AgentError::invalid("template", m))?;
        let (opens, closes) = rules
            .opening()
            .map_err(|m| AgentError::invalid("template", m))?;
        let duration = i64::from(rules.duration_minutes);
        let now_local = self.ctx.now.with_timezone(&zone).naive_local();
        let free = self.free_slots(rules, zone, now_local, 3).await?;
        let (Some(date), Some(time)) = (date, time) else {
            return Ok(ToolResult::Slots { free });
        };
        // One booking per conversation: a widget key must not be able to fill the calendar.
        if state.appointment.is_some() {
            return Ok(failed(
                "already_booked",
                "this conversation already has an appointment",
            ));
        }
        let (Ok(d), Ok(t)) = (
            NaiveDate::parse_from_str(date, "%Y-%m-%d"),
            NaiveTime::parse_from_str(time, "%H:%M"),
        ) else {
            return Ok(ToolResult::Slots { free });
        };
        let start = NaiveDateTime::new(d, t);
        use chrono::Datelike;
        let end_time = t + Duration::minutes(duration);
        // Starts fall on the grid of the day (opening + k × duration): bookings never overlap.
        let on_grid = (t - opens).num_minutes() >= 0 && (t - opens).num_minutes() % duration == 0;
        let reason = if start <= now_local {
            Some("past")
        } else if !rules.open_on(d.weekday())
            || t < opens
            || end_time > closes
            || end_time < t
            || !on_grid
        {
            Some("closed")
        } else {
            None
        };
        if let Some(reason) = reason {
            return Ok(ToolResult::SlotUnavailable {
                reason: reason.into(),
                free,
            });
        }
        let Some(starts_at) = zone.from_local_datetime(&start).earliest() else {
            return Ok(ToolResult::SlotUnavailable {
                reason: "closed".into(),
                free,
            });
        };
        let p = &state.profile;
        match self
            .ctx
            .store
            .book_appointment(
                &self.ctx.tenant.id,
                &NewAppointment {
                    conversation_id: Some(self.ctx.conversation_id.to_string()),
                    starts_at: starts_at.timestamp_millis(),
                    duration_minutes: duration,
                    name: p.name.clone(),
                    email: p.email.clone(),
                    phone: p.phone.clone(),
                },
            )
            .await
        {
            Ok(a) => Ok(ToolResult::Appointment {
                id: a.id,
                date: crate::format::date(d, self.lang),
                time: crate::format::time(t, self.lang),
            }),
            Err(StoreError::Conflict(_)) => Ok(ToolResult::SlotUnavailable {
                reason: "taken".into(),
                free,
            }),
            Err(e) => Err(e.into()),
        }
    }

    /// The next `n` free slots from now, over the next two weeks, as (date, time) in the
    /// shop's zone, formatted for the shopper.
    async fn free_slots(
        &self,
        rules: &crate::templates::AppointmentRules,
        zone: chrono_tz::Tz,
        now_local: NaiveDateTime,
        n: usize,
    ) -> Result<Vec<(String, String)>, AgentError> {
        let (opens, closes) = rules
            .opening()
            .map_err(|m| AgentError::invalid("template", m))?;
        let step = Duration::minutes(i64::from(rules.duration_minutes));
        let from = self.ctx.now.timestamp_millis();
        let to = from + 15 * 24 * 3600 * 1000;
        let booked: std::collections::HashSet<i64> = self
            .ctx
            .store
            .appointments(&self.ctx.tenant.id, from, to)
            .await?
            .into_iter()
            .map(|a| a.starts_at)
            .collect();
        let mut out = Vec::new();
        use chrono::Datelike;
        for day in 0..15 {
            let d = now_local.date() + Duration::days(day);
            if !rules.open_on(d.weekday()) {
                continue;
            }
            let mut t = opens;
            while t + step <= closes && t + step > t {
                let local = NaiveDateTime::new(d, t);
                if local > now_local {
                    if let Some(at) = zone.from_local_datetime(&local).earliest() {
                        if !booked.contains(&at.timestamp_millis()) {
                            out.push((
                                crate::format::date(d, self.lang),
                                crate::format::time(t, self.lang),
                            ));
                            if out.len() == n {
                                return Ok(out);
                            }
                        }
                    }
                }
                t += step;
            }
        }
        Ok(out)
    }
}

/// The card of `sku` with its option values in the shopper's language ("Rouge" → "Red").
fn card_in(
    index: &comptoir_search::SearchIndex,
    entry: &CatalogueEntry,
    sku: &str,
    lang: &comptoir_domain::Lang,
) -> Option<ProductCard> {
    let mut card = ProductCard::of(entry, sku, lang, index.default_lang())?;
    let v = entry.variants.iter().find(|v| v.sku == sku)?;
    let localized: Vec<(String, String)> = v
        .options
        .0
        .iter()
        .map(|(k, val)| {
            (
                k.clone(),
                index.analyzer().localize_value(val, lang.as_str()),
            )
        })
        .collect();
    card.variant = crate::reply::variant_label(&localized);
    Some(card)
}

fn line_of(card: &ProductCard, quantity: i64) -> CartLine {
    CartLine {
        sku: card.sku.clone(),
        product_id: card.product_id.clone(),
        title: card.title.clone(),
        variant: card.variant.clone(),
        quantity,
        unit_price: card.price.clone(),
        currency: card.currency.clone(),
        digital: card.digital,
    }
}
