//! The built-in policy: from what was understood and what the conversation remembers, decide
//! which tools to call and what to say. Deterministic: the same conversation replayed gives the
//! same turns.
//!
//! What it does, in order: answer what the agent was waiting for (a checkout field, a
//! guided-selling answer, a yes to an offer); otherwise act on the intent. It resolves
//! references ("the second one", "the red one", "it", "the cheaper one") against the products
//! last shown, carries stated preferences across turns, asks one guided-selling question when a
//! search is too broad, never adds an out-of-stock variant (it offers the closest in-stock one
//! and a back-in-stock notice), upsells once at add-to-cart and cross-sells once at checkout.

use comptoir_domain::LeadKind;
mod cart;
mod feedback;
mod pending;
mod selling;
mod service;

use comptoir_nlu::entities::{Entity, EntityKind};
use comptoir_nlu::normalize::fold;
use comptoir_nlu::{Request, Understanding};
use rust_decimal::Decimal;

use crate::format::{money, money_str};
use crate::reply::{CartView, Form, ProductCard, QuickReply, Reply};
use crate::state::{ConversationState, Pending, Shown, Stage, MAX_LINE_QUANTITY, MAX_SHOWN};
use crate::tools::{ToolCall, ToolResult, Toolbox};
use crate::{Action, Agent, AgentError, Input, Lang, Template, TurnContext, TurnOutcome};

/// Results above which a vague search gets a guided-selling question.
const TOO_MANY: usize = 6;
/// Cards shown for a search.
const SHOWN_CARDS: usize = 4;

/// Intents every shop handles whatever its template says.
const ALWAYS: [&str; 9] = [
    "greet",
    "goodbye",
    "thanks",
    "affirm",
    "deny",
    "feedback",
    "out_of_scope",
    "talk_to_human",
    "privacy_request",
];

pub struct Turn<'t, 'a> {
    agent: &'t Agent,
    ctx: &'t TurnContext<'a>,
    state: &'t mut ConversationState,
    tools: Toolbox<'t, 'a>,
    lang: Lang,
    reply: Reply,
    understanding: Option<Understanding>,
    /// The cart lost lines to stock sold elsewhere at the start of this turn.
    shrunk: bool,
    /// The message, folded (empty for a button).
    folded: String,
    /// The agent was waiting for an answer when the turn began (checkout details, contact,
    /// an appointment time, an offer): the conversation is not over, whatever is said.
    question_open: bool,
}

impl<'t, 'a> Turn<'t, 'a> {
    pub fn new(
        agent: &'t Agent,
        ctx: &'t TurnContext<'a>,
        state: &'t mut ConversationState,
    ) -> Self {
        let lang = state
            .lang
            .as_deref()
            .and_then(Lang::parse)
            .or_else(|| Lang::parse(ctx.tenant.default_locale().as_str()))
            .unwrap_or(Lang::En);
        Turn {
            agent,
            ctx,
            state,
            tools: Toolbox::new(ctx, &agent.replies, lang),
            lang,
            reply: Reply::default(),
            understanding: None,
            shrunk: false,
            folded: String::new(),
            question_open: false,
        }
    }

    pub async fn run(mut self, input: &Input) -> Result<TurnOutcome, AgentError> {
        self.state.turns += 1;
        if self.state.status.is_empty() {
            self.state.status = "open".into();
        }
        // Stock sold meanwhile: the cart follows it, and the shopper is told first.
        let shrunk = self.tools.refresh_cart(self.state);
        for (line, now) in &shrunk {
            if *now == 0 {
                self.say("out_of_stock", &[("title", &line.title)]);
            } else {
                let n = now.to_string();
                self.say(
                    "added_capped",
                    &[("quantity", &n), ("title", &line.title), ("available", &n)],
                );
            }
        }
        self.shrunk = !shrunk.is_empty();
        self.question_open = matches!(
            self.state.pending,
            Some(
                Pending::Checkout { .. }
                    | Pending::Contact { .. }
                    | Pending::AppointmentTime
                    | Pending::Offer { .. }
                    | Pending::BackInStock { .. }
                    | Pending::Handoff
            )
        );
        match input {
            Input::Text(t) => self.text(t).await?,
            Input::Action(a) => self.action(a).await?,
        }
        // Anything beyond greetings and thanks makes a conversation worth rating at its end.
        let small_talk = match input {
            Input::Text(_) => self
                .understanding
                .as_ref()
                .is_none_or(|u| matches!(u.intent.as_str(), "greet" | "goodbye" | "thanks")),
            Input::Action(_) => false,
        };
        if !small_talk {
            self.state.engaged = true;
        }
        self.state.lead_score = self.lead_score();
        Ok(TurnOutcome {
            cart: CartView::of(&self.state.cart, self.ctx.tenant.currency.as_str()),
            reply: self.reply,
            understanding: self.understanding,
            actions: self.tools.trace,
        })
    }

    /// A seed for the wording: the conversation, the turn and the key, so two replies of one
    /// turn do not pick in lockstep.
    fn seed(&self, key: &str) -> u64 {
        let mut h: u64 = 0xcbf29ce484222325;
        for b in self
            .ctx
            .conversation_id
            .bytes()
            .chain(self.state.turns.to_le_bytes())
            .chain(key.bytes())
        {
            h ^= u64::from(b);
            h = h.wrapping_mul(0x100000001b3);
        }
        h >> 7
    }

    fn text_of(&self, key: &str, vars: &[(&str, &str)]) -> String {
        self.agent.replies.render_for(
            &self.ctx.tenant.settings.replies,
            self.lang,
            key,
            self.seed(key),
            vars,
        )
    }

    fn say(&mut self, key: &str, vars: &[(&str, &str)]) {
        let s = self.text_of(key, vars);
        self.reply.say(s);
    }

    fn quick(&mut self, key: &str, payload: &str) {
        let label = self.text_of(key, &[]);
        if !self
            .reply
            .quick_replies
            .iter()
            .any(|q| q.payload == payload)
        {
            self.reply.quick_replies.push(QuickReply {
                label,
                payload: payload.into(),
            });
        }
    }

    fn price(&self, amount: &str, currency: &str) -> String {
        money_str(amount, currency, self.lang)
    }

    fn shop_money(&self, d: Decimal) -> String {
        money(d, self.ctx.tenant.currency.as_str(), self.lang)
    }

    fn cart_total(&self) -> String {
        let v = CartView::of(&self.state.cart, self.ctx.tenant.currency.as_str());
        self.price(&v.total, &v.currency)
    }

    /// A search of the tenant's index in the conversation's language, for the policy's own
    /// reading of a message (is it a refinement, a product named alone, which one it names).
    pub(super) fn peek(
        &self,
        text: &str,
        limit: usize,
        explain: bool,
    ) -> comptoir_search::SearchResults {
        let index = self.ctx.index.read().unwrap_or_else(|e| e.into_inner());
        let mut req = comptoir_search::SearchRequest::new(text);
        req.lang = comptoir_domain::Lang::parse(self.lang.code());
        req.limit = limit;
        req.explain = explain;
        index.search(&req)
    }

    fn set_lang(&mut self, l: Lang) {
        self.lang = l;
        self.tools.lang = l;
        self.state.lang = Some(l.code().to_string());
    }

    async fn action(&mut self, action: &Action) -> Result<(), AgentError> {
        match action {
            Action::AddToCart { sku, quantity } => {
                let q = quantity.unwrap_or(1);
                check_quantity(q, 1)?;
                if self.tools.card(sku).is_none() {
                    return Err(AgentError::invalid(
                        "sku",
                        format!("no product variant `{sku}` in this shop"),
                    ));
                }
                self.add(sku, q).await
            }
            Action::UpdateCart { sku, quantity } => {
                check_quantity(*quantity, 0)?;
                if self.state.cart.line(sku).is_none() {
                    return Err(AgentError::invalid(
                        "sku",
                        format!("`{sku}` is not in the cart"),
                    ));
                }
                self.update_quantity(sku, *quantity).await
            }
            Action::RemoveFromCart { sku } => {
                if self.state.cart.line(sku).is_none() {
                    if self.tools.card(sku).is_none() {
                        return Err(AgentError::invalid(
                            "sku",
                            format!("no product variant `{sku}` in this shop"),
                        ));
                    }
                    self.say("not_in_cart", &[]);
                    return Ok(());
                }
                self.remove(sku).await
            }
            Action::ViewCart => self.view_cart().await,
            Action::QuickReply { payload } => self.quick_reply(payload).await,
            Action::Checkout {
                customer,
                payment_method,
            } => {
                if let Some(c) = customer {
                    self.absorb_customer(c)?;
                }
                if self.state.cart.is_empty() && self.state.last_order.is_none() {
                    if self.shrunk {
                        // Sold out while in the cart: the shopper was just told; not an error.
                        self.quick("qr_continue", "continue");
                        return Ok(());
                    }
                    return Err(AgentError::Conflict {
                        code: "cart_empty".into(),
                        message: "the cart is empty: add a product before checking out".into(),
                    });
                }
                self.checkout(payment_method.as_deref(), false).await
            }
        }
    }

    fn absorb_customer(&mut self, c: &crate::CustomerInput) -> Result<(), AgentError> {
        let clean =
            |field: &str, v: &Option<String>, max: usize| -> Result<Option<String>, AgentError> {
                match v.as_deref().map(str::trim).filter(|s| !s.is_empty()) {
                    None => Ok(None),
                    Some(s) if s.chars().count() > max => Err(AgentError::invalid(
                        field,
                        format!("at most {max} characters"),
                    )),
                    Some(s) if s.chars().any(char::is_control) && field != "customer.address" => {
                        Err(AgentError::invalid(field, "no control characters"))
                    }
                    Some(s) => Ok(Some(s.to_string())),
                }
            };
        let name = clean("customer.name", &c.name, 120)?;
        let email = clean("customer.email", &c.email, 254)?;
        let phone = clean("customer.phone", &c.phone, 40)?;
        let address = clean("customer.address", &c.address, 500)?;
        if let Some(e) = &email {
            if !valid_email(e) {
                return Err(AgentError::invalid(
                    "customer.email",
                    "not an email address",
                ));
            }
        }
        if let Some(p) = &phone {
            let digits = p.chars().filter(char::is_ascii_digit).count();
            if !(6..=15).contains(&digits)
                || p.chars()
                    .any(|c| !(c.is_ascii_digit() || " +-.()/".contains(c)))
            {
                return Err(AgentError::invalid("customer.phone", "not a phone number"));
            }
        }
        let p = &mut self.state.profile;
        p.name = name.or(p.name.take());
        p.email = email.map(|e| e.to_lowercase()).or(p.email.take());
        p.phone = phone.or(p.phone.take());
        p.address = address.or(p.address.take());
        Ok(())
    }

    async fn quick_reply(&mut self, payload: &str) -> Result<(), AgentError> {
        let payload = payload.trim();
        if payload.len() > 200 {
            return Err(AgentError::invalid("payload", "at most 200 bytes"));
        }
        match payload {
            "checkout" => return self.checkout(None, false).await,
            "view_cart" => return self.view_cart().await,
            "continue" => {
                self.state.pending = None;
                self.say("browse_prompt", &[]);
                return Ok(());
            }
            "human" => return self.handoff("asked").await,
            "yes" => return self.affirm().await,
            "no" => {
                self.state.pending = None;
                self.say("deny_ok", &[]);
                return Ok(());
            }
            "cheaper" => return self.cheaper().await,
            "order_status" => return self.order_status(None).await,
            _ => {}
        }
        if self.feedback_button(payload).await? {
            return Ok(());
        }
        if let Some(amount) = payload.strip_prefix("budget:") {
            if amount.parse::<Decimal>().is_ok() {
                self.state.prefs.price_max = Some(amount.to_string());
                self.state.pending = None;
                return self.search_and_show(None).await;
            }
        }
        if let Some(sku) = payload.strip_prefix("add:") {
            if self.tools.card(sku).is_some() {
                return self.add(sku, 1).await;
            }
        }
        if let Some(slot) = payload.strip_prefix("slot:") {
            if let Some((d, t)) = slot.split_once('T') {
                return self.book(Some(d.to_string()), Some(t.to_string())).await;
            }
        }
        // Anything else is read as if typed.
        self.text(payload).await
    }

    async fn text(&mut self, text: &str) -> Result<(), AgentError> {
        let text = text.trim();
        if text.is_empty() {
            self.say("fallback", &[]);
            return Ok(());
        }
        let u = self.ctx.engine.understand(&Request {
            text,
            now: self.ctx.now.fixed_offset(),
            previous: Some(self.lang),
            catalogue: self.ctx.mentions,
        });
        // Names and addresses say nothing of the shopper's language ("1 rue de Rivoli" in an
        // English conversation): while the agent waits for contact details, the language stays.
        let giving_details = matches!(
            self.state.pending,
            Some(Pending::Checkout { .. } | Pending::Contact { .. })
        );
        if let Some(l) =
            Lang::parse(&u.language).filter(|_| !giving_details || self.state.lang.is_none())
        {
            self.set_lang(l);
        }
        let folded = fold(text);
        self.folded = folded.clone();
        self.absorb(&u, &folded);
        self.understanding = Some(u.clone());
        if self.answer_pending(&u, text, &folded).await? {
            return Ok(());
        }
        self.dispatch(&u, text, &folded).await
    }

    /// Profile and preferences stated in the message.
    fn absorb(&mut self, u: &Understanding, folded: &str) {
        for e in &u.entities {
            let v = e.value.clone();
            match e.kind {
                EntityKind::Email if valid_email(&v) => {
                    self.state.profile.email = Some(v.to_lowercase())
                }
                EntityKind::Phone => self.state.profile.phone = Some(v),
                EntityKind::PersonName => self.state.profile.name = Some(v),
                // "Under 100 dollars" in a euro shop is no euro budget: not applied.
                EntityKind::PriceMax | EntityKind::PriceMin
                    if e.currency
                        .as_deref()
                        .is_some_and(|c| c != self.ctx.tenant.currency.as_str()) => {}
                EntityKind::PriceMax => self.state.prefs.price_max = Some(v),
                EntityKind::PriceMin => self.state.prefs.price_min = Some(v),
                EntityKind::Color => {
                    if negated_before(folded, e) {
                        let t = format!("color:{v}");
                        if !self.state.prefs.rejected.contains(&t) {
                            self.state.prefs.rejected.push(t);
                            self.state.prefs.rejected.truncate(8);
                        }
                        if self.state.prefs.color.as_deref() == Some(v.as_str()) {
                            self.state.prefs.color = None;
                        }
                    } else {
                        self.state.prefs.color = Some(v);
                    }
                }
                EntityKind::Size => self.state.prefs.size = Some(v),
                EntityKind::Material => self.state.prefs.material = Some(v),
                EntityKind::Brand => self.state.prefs.brand = Some(v),
                _ => {}
            }
        }
    }

    async fn dispatch(
        &mut self,
        u: &Understanding,
        text: &str,
        folded: &str,
    ) -> Result<(), AgentError> {
        let intent = u.intent.as_str();
        let template = self.ctx.template;
        // "Make it 3", "mettez-en 3", "facciamo 3": a quantity for a line of the cart, whatever
        // the classifier read.
        if !self.state.cart.is_empty() && is_change(folded) {
            if let Some(q) = stated_quantity(u, folded) {
                if let Some(sku) = self.cart_target(u, folded) {
                    self.acted_as("add_to_cart");
                    return self.update_quantity(&sku, q).await;
                }
            }
        }
        // "I'll take the earbuds", "je prends la deuxième": taking a product shown is adding it.
        if matches!(
            intent,
            "product_search" | "product_info" | "out_of_scope" | "affirm"
        ) && is_taking(folded)
            && (!self.state.shown.is_empty() || self.state.focus.is_some())
        {
            self.acted_as("add_to_cart");
            return self.add_from_text(u, folded).await;
        }
        // "What goes with it?": what the shop recommends with the product in focus.
        if goes_with(folded) && !matches!(intent, "checkout" | "view_cart" | "talk_to_human") {
            if let Some(focus) = self.state.focus.clone().or_else(|| {
                self.state.cart.lines.last().map(|l| Shown {
                    product_id: l.product_id.clone(),
                    sku: l.sku.clone(),
                    title: l.title.clone(),
                    price: l.unit_price.clone(),
                    colors: Vec::new(),
                })
            }) {
                self.acted_as("product_search");
                return self.goes_with_product(&focus).await;
            }
        }
        // "I want 2" about the product in focus.
        if matches!(intent, "out_of_scope" | "affirm" | "product_search")
            && !has_product_words(u)
            && text.split_whitespace().count() <= 5
            && entity(u, EntityKind::Quantity).is_some()
        {
            if let Some(focus) = self.state.focus.clone() {
                if let Some(q) = stated_quantity(u, folded) {
                    self.acted_as("add_to_cart");
                    return self.add(&focus.sku, q).await;
                }
            }
        }
        if self.is_bare_product_query(u, text) {
            // "phone case", "online course photography": a product named alone reads to the
            // classifier like anything short; the catalogue knows better.
            self.acted_as("product_search");
            return self.search_and_show(Some(text)).await;
        }
        if !ALWAYS.contains(&intent) && !template.handles(intent) {
            // A topic this shop's template leaves to people: the FAQ if it knows, else a person.
            if let Some(topic) = template.faq_topic(folded, self.lang) {
                return self.faq(topic).await;
            }
            self.state.pending = Some(Pending::Handoff);
            self.say("handoff_offer", &[]);
            self.quick("qr_human", "human");
            return Ok(());
        }
        if intent != "out_of_scope" {
            self.state.misunderstood = 0;
        }
        match intent {
            "greet" => {
                if has_product_words(u) {
                    return self.search_and_show(Some(text)).await;
                }
                let g = self
                    .agent
                    .greeting_for(self.ctx.tenant, template, self.lang);
                self.reply.say(g);
                self.quick("qr_order_status", "order_status");
                self.quick("qr_human", "human");
            }
            "goodbye" => {
                self.say("goodbye", &[]);
                self.maybe_ask_feedback();
            }
            "thanks" => {
                self.say("thanks", &[]);
                self.maybe_ask_feedback();
            }
            "affirm" => self.affirm().await?,
            "deny" => {
                self.state.pending = None;
                self.say("deny_ok", &[]);
            }
            "feedback" => {
                self.tools
                    .call(
                        self.state,
                        ToolCall::CaptureLead {
                            kind: LeadKind::Lead,
                            note: Some(format!("feedback: {}", clip(text, 500))),
                        },
                    )
                    .await?;
                self.say("feedback_thanks", &[]);
            }
            "product_search" => {
                if is_cheaper(folded) && !self.state.shown.is_empty() {
                    return self.cheaper().await;
                }
                self.search_and_show(Some(text)).await?;
            }
            "product_info" => self.product_info(u, text, folded).await?,
            "compare" => self.compare(u, folded).await?,
            "add_to_cart" => self.add_from_text(u, folded).await?,
            "remove_from_cart" => self.remove_from_text(u, folded).await?,
            "view_cart" => self.view_cart().await?,
            "checkout" => self.checkout(None, true).await?,
            "order_status" => {
                let id = entity(u, EntityKind::OrderNumber).map(|e| e.value.clone());
                self.order_status(id).await?;
            }
            "cancel_order" => {
                let id = entity(u, EntityKind::OrderNumber)
                    .map(|e| e.value.clone())
                    .or_else(|| self.state.last_order.clone());
                match id {
                    Some(id) => {
                        self.tools
                            .call(
                                self.state,
                                ToolCall::HandoffToHuman {
                                    reason: format!("cancel order {id}"),
                                },
                            )
                            .await?;
                        self.state.stage = Stage::Handoff;
                        self.say("cancel_order_handoff", &[("order", &id)]);
                    }
                    None => {
                        self.say("order_status_ask", &[]);
                    }
                }
            }
            "return_refund" => self.faq("returns").await?,
            "shipping_info" => self.faq("shipping").await?,
            "payment_info" => self.faq("payment").await?,
            "book_appointment" => {
                let date = entity(u, EntityKind::Date).map(|e| e.value.clone());
                let time = entity(u, EntityKind::Time).map(|e| e.value.clone());
                self.book(date, time).await?;
            }
            "request_quote" => self.quote().await?,
            "talk_to_human" => self.handoff("asked").await?,
            "license_help" => {
                if let Some(topic) = template.faq_topic(folded, self.lang) {
                    return self.faq(topic).await;
                }
                self.say("license_help", &[]);
                self.quick("qr_human", "human");
            }
            "tech_support" => {
                if let Some(topic) = template.faq_topic(folded, self.lang) {
                    return self.faq(topic).await;
                }
                self.say("tech_support", &[]);
                self.quick("qr_human", "human");
            }
            "privacy_request" => {
                self.tools
                    .call(
                        self.state,
                        ToolCall::HandoffToHuman {
                            reason: format!("privacy request: {}", clip(text, 300)),
                        },
                    )
                    .await?;
                self.say("privacy_handoff", &[]);
            }
            _ => self.out_of_scope(u, text, folded).await?,
        }
        Ok(())
    }

    /// Reports the intent the agent acted on when it overrode the classifier's reading (which
    /// stays first among the alternatives), so the turn says what was done.
    fn acted_as(&mut self, intent: &str) {
        if let Some(u) = self.understanding.as_mut() {
            if u.intent != intent {
                let read = std::mem::replace(&mut u.intent, intent.to_string());
                u.alternatives
                    .retain(|a| a.intent != intent && a.intent != read);
                u.alternatives.insert(
                    0,
                    comptoir_nlu::classifier::Scored {
                        intent: read,
                        confidence: u.confidence,
                    },
                );
            }
        }
    }

    /// Whether a message the classifier read as small talk or a cart command is in fact a
    /// product named alone: a short message that is no cart command on an empty cart, whose
    /// words all match a product of this shop.
    fn is_bare_product_query(&self, u: &Understanding, text: &str) -> bool {
        let words = text.split_whitespace().count();
        let folded = fold(text);
        let weak = match u.intent.as_str() {
            // "Hello" must stay a greeting even if a typo of "yellow" matches a product.
            "affirm" | "deny" | "thanks" | "goodbye" | "feedback" | "greet" => {
                words >= 2 && u.confidence < 0.9
            }
            "remove_from_cart" | "view_cart" => self.state.cart.is_empty(),
            // "I'd like the AeroTrail shoes in red" read as a return: no FAQ word, a product.
            "return_refund" | "shipping_info" | "payment_info" | "license_help"
            | "tech_support" => self.ctx.template.faq_topic(&folded, self.lang).is_none(),
            _ => false,
        };
        if !weak || words > 12 {
            return false;
        }
        if has_product_words(u) {
            return true;
        }
        let faq_intent = matches!(
            u.intent.as_str(),
            "return_refund" | "shipping_info" | "payment_info" | "license_help" | "tech_support"
        );
        let r = self.peek(text, 1, true);
        let coverage = r
            .hits
            .first()
            .and_then(|h| h.explain.as_ref())
            .map_or(0.0, |e| e.parts.coverage);
        if faq_intent {
            // No FAQ word in it, and most of its words name a product.
            return coverage >= 0.5;
        }
        coverage >= 0.99
            && !r.interpretation.terms.is_empty()
            && r.interpretation.unmatched.is_empty()
    }

    async fn out_of_scope(
        &mut self,
        u: &Understanding,
        text: &str,
        folded: &str,
    ) -> Result<(), AgentError> {
        if let Some(topic) = self.ctx.template.faq_topic(folded, self.lang) {
            return self.faq(topic).await;
        }
        if has_product_words(u) {
            return self.search_and_show(Some(text)).await;
        }
        self.state.misunderstood += 1;
        if self.state.misunderstood >= 2 {
            self.state.pending = Some(Pending::Handoff);
            self.say("handoff_offer", &[]);
            self.quick("qr_yes", "human");
            self.quick("qr_no", "no");
        } else if u.confidence > 0.5 {
            self.say("small_talk", &[]);
        } else {
            self.say("fallback", &[]);
            self.quick("qr_order_status", "order_status");
            self.quick("qr_human", "human");
        }
        Ok(())
    }
}

// ---------------------------------------------------------------------- helpers

fn check_quantity(q: i64, min: i64) -> Result<(), AgentError> {
    if !(min..=MAX_LINE_QUANTITY).contains(&q) {
        return Err(AgentError::invalid(
            "quantity",
            format!("between {min} and {MAX_LINE_QUANTITY}"),
        ));
    }
    Ok(())
}

fn entity(u: &Understanding, kind: EntityKind) -> Option<&Entity> {
    u.entities.iter().find(|e| e.kind == kind)
}

/// Whether the message names something to search for (a product, a category, a brand).
fn has_product_words(u: &Understanding) -> bool {
    u.entities.iter().any(|e| {
        matches!(
            e.kind,
            EntityKind::Product | EntityKind::Category | EntityKind::Brand
        )
    })
}

pub fn valid_email(s: &str) -> bool {
    let s = s.trim();
    let Some((local, domain)) = s.rsplit_once('@') else {
        return false;
    };
    !local.is_empty()
        && s.len() <= 254
        && domain.contains('.')
        && !domain.starts_with('.')
        && !domain.ends_with('.')
        && !s
            .chars()
            .any(|c| c.is_whitespace() || c.is_control() || "<>()[],;:\"".contains(c))
}

fn clip(s: &str, max: usize) -> String {
    s.chars().take(max).collect()
}

fn title_case(s: &str) -> String {
    s.split_whitespace()
        .map(|w| {
            let mut c = w.chars();
            match c.next() {
                Some(f) if w.chars().all(|x| !x.is_uppercase()) => {
                    f.to_uppercase().chain(c).collect()
                }
                _ => w.to_string(),
            }
        })
        .collect::<Vec<_>>()
        .join(" ")
}

const CHEAPER: [&str; 16] = [
    "cheaper",
    "cheapest",
    "less expensive",
    "moins cher",
    "moins chere",
    "le moins",
    "gunstiger",
    "billiger",
    "preiswerter",
    "piu economic",
    "meno car",
    "piu conveniente",
    "mas barat",
    "menos car",
    "mas economic",
    "budget friendly",
];
const DEARER: [&str; 10] = [
    "more expensive",
    "most expensive",
    "plus cher",
    "plus chere",
    "teurer",
    "teuerste",
    "piu caro",
    "piu cara",
    "mas caro",
    "mas cara",
];
/// Words that set a quantity rather than add to it ("make it 2", "mettez-en 2", "metti 2").
/// Matched on folded text, whole words or phrases.
const CHANGE: [&str; 34] = [
    "faites",
    "fais",
    "daraus",
    "facciamo",
    "change",
    "make it",
    "make that",
    "instead",
    "update",
    "set it",
    "only",
    "mets",
    "mettez",
    "plutot",
    "au lieu",
    "seulement",
    "mach",
    "mache",
    "andere",
    "aendere",
    "stattdessen",
    "nur",
    "metti",
    "mettine",
    "fanne",
    "cambia",
    "invece",
    "solo",
    "pon",
    "ponme",
    "pongame",
    "cambiar",
    "en vez",
    "en lugar",
];
const NEGATIONS: [&str; 10] = [
    "not", "no", "pas", "sans", "kein", "keine", "nicht", "non", "senza", "sin",
];

/// "What goes with it?" in five languages, on folded text.
const GOES_WITH: [&str; 16] = [
    "go with",
    "goes with",
    "go well with",
    "match it",
    "pair with",
    "va avec",
    "aller avec",
    "associer",
    "passt dazu",
    "dazu passt",
    "kombinieren",
    "abbinare",
    "abbinato",
    "sta bene con",
    "combina con",
    "combinar",
];

fn goes_with(folded: &str) -> bool {
    has_phrase(folded, &GOES_WITH)
}

/// Words of taking a product ("I'll take it", "je prends", "ich nehme"), on folded text.
const TAKING: [&str; 22] = [
    "i ll take",
    "i will take",
    "i take",
    "i ll buy",
    "i want to buy",
    "je prends",
    "je le prends",
    "je la prends",
    "je vais prendre",
    "ich nehme",
    "nehme ich",
    "ich kaufe",
    "prendo",
    "lo prendo",
    "la prendo",
    "compro",
    "me llevo",
    "me lo llevo",
    "me la llevo",
    "lo compro",
    "la compro",
    "i ll have",
];

fn is_taking(folded: &str) -> bool {
    has_phrase(folded, &TAKING)
}

fn is_cheaper(folded: &str) -> bool {
    CHEAPER.iter().any(|w| folded.contains(w))
}

fn is_dearer(folded: &str) -> bool {
    DEARER.iter().any(|w| folded.contains(w))
}

fn is_change(folded: &str) -> bool {
    has_phrase(folded, &CHANGE)
}

/// Whether a folded message holds one of `phrases` as whole words ("set it" in "set it to 3",
/// never in "sunset items").
fn has_phrase(folded: &str, phrases: &[&str]) -> bool {
    let words = folded.replace(|c: char| !c.is_alphanumeric(), " ");
    let padded = format!(
        " {} ",
        words.split_whitespace().collect::<Vec<_>>().join(" ")
    );
    phrases.iter().any(|p| padded.contains(&format!(" {p} ")))
}

/// How many the shopper asked for: the quantity entity, or a bare number 1–99 that is no
/// other entity (a size, a price), such as the "3" of "make it 3".
fn stated_quantity(u: &Understanding, folded: &str) -> Option<i64> {
    if let Some(q) = entity(u, EntityKind::Quantity).and_then(|e| e.value.parse::<i64>().ok()) {
        return (1..=MAX_LINE_QUANTITY).contains(&q).then_some(q);
    }
    let taken = |start: usize, end: usize| {
        u.entities.iter().any(|e| {
            !matches!(e.kind, EntityKind::Ordinal | EntityKind::Quantity)
                && e.start < end
                && start < e.end
        })
    };
    let mut pos = 0;
    for word in folded.split(|c: char| !c.is_alphanumeric()) {
        let start = pos;
        pos += word.len() + 1;
        if word.is_empty()
            || !word.bytes().all(|b| b.is_ascii_digit())
            || taken(start, start + word.len())
        {
            continue;
        }
        if let Ok(n) = word.parse::<i64>() {
            if (1..=MAX_LINE_QUANTITY).contains(&n) {
                return Some(n);
            }
        }
    }
    None
}

/// "not red", "pas en rouge", "kein Rot": a negation word among the two words before.
fn negated_before(folded: &str, e: &Entity) -> bool {
    let start = e.start.min(folded.len());
    let before = folded.get(..start).unwrap_or("");
    before
        .split_whitespace()
        .rev()
        .take(3)
        .any(|w| NEGATIONS.contains(&w))
}

/// A bare amount ("50", "50 €", "about 80 euros") as a decimal string.
fn bare_amount(folded: &str) -> Option<String> {
    let digits: String = folded
        .split_whitespace()
        .find(|w| w.chars().next().is_some_and(|c| c.is_ascii_digit()))?
        .chars()
        .take_while(|c| c.is_ascii_digit() || *c == '.' || *c == ',')
        .collect();
    let d: Decimal = digits
        .replace(',', ".")
        .trim_end_matches('.')
        .parse()
        .ok()?;
    (d > Decimal::ZERO).then(|| d.normalize().to_string())
}

fn median_price(cards: &[ProductCard]) -> Option<Decimal> {
    let mut p: Vec<Decimal> = cards.iter().filter_map(|c| c.price.parse().ok()).collect();
    if p.is_empty() {
        return None;
    }
    p.sort();
    Some(p[p.len() / 2])
}

/// A round budget near a price: 47 → 50, 180 → 200, 1234 → 1250.
fn round_budget(d: Decimal) -> Decimal {
    let step = if d < Decimal::from(20) {
        Decimal::from(5)
    } else if d < Decimal::from(100) {
        Decimal::from(10)
    } else if d < Decimal::from(1000) {
        Decimal::from(50)
    } else {
        Decimal::from(250)
    };
    ((d / step).ceil() * step).normalize()
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::str::FromStr;

    #[test]
    fn reads_emails_amounts_and_budgets() {
        assert!(valid_email("ada@example.com"));
        assert!(!valid_email("ada@example"));
        assert!(!valid_email("a da@example.com"));
        assert!(!valid_email("<script>@x.com"));
        assert_eq!(bare_amount("50").as_deref(), Some("50"));
        assert_eq!(bare_amount("environ 79,90 euros").as_deref(), Some("79.9"));
        assert_eq!(bare_amount("no idea"), None);
        let d = |s: &str| Decimal::from_str(s).unwrap();
        assert_eq!(round_budget(d("47")), d("50"));
        assert_eq!(round_budget(d("180")), d("200"));
        assert_eq!(title_case("ada lovelace"), "Ada Lovelace");
        assert_eq!(title_case("Jean-Luc de LA Tour"), "Jean-Luc De LA Tour");
    }

    #[test]
    fn spots_quantity_changes_in_five_languages() {
        for t in [
            "make it 2",
            "Mettez-en 3",
            "mach 2 daraus",
            "metti 2",
            "ponme 2",
            "solo 1",
        ] {
            assert!(is_change(&fold(t)), "{t}");
        }
        for t in [
            "add 2",
            "ajoutez-en 2",
            "2 mehr",
            "aggiungine 2",
            "añade 2",
            "pondering",
        ] {
            assert!(!is_change(&fold(t)), "{t}");
        }
    }

    #[test]
    fn spots_what_goes_with_a_product() {
        for t in [
            "What else would go with it?",
            "Qu'est-ce qui va avec ?",
            "Was passt dazu?",
            "Con cosa lo posso abbinare?",
            "¿Con qué lo puedo combinar?",
        ] {
            assert!(goes_with(&fold(t)), "{t}");
        }
        assert!(!goes_with(&fold("I want to go to the shop")));
    }

    #[test]
    fn spots_taking_a_product() {
        for t in [
            "I'll take the earbuds",
            "Je prends la deuxième",
            "Ich nehme die Jacke",
            "Me lo llevo",
            "prendo quella rossa",
        ] {
            assert!(is_taking(&fold(t)), "{t}");
        }
        for t in ["take a look", "can you take it back?", "pendolo"] {
            assert!(!is_taking(&fold(t)), "{t}");
        }
    }

    #[test]
    fn spots_cheaper_and_negations() {
        assert!(is_cheaper(&fold("Vous avez moins cher ?")));
        assert!(is_cheaper(&fold("etwas Günstigeres?")) || is_cheaper(&fold("günstiger bitte")));
        assert!(is_dearer(&fold("the more expensive one")));
        let folded = fold("not red please");
        let e = Entity {
            kind: EntityKind::Color,
            value: "red".into(),
            currency: None,
            id: None,
            start: 4,
            end: 7,
        };
        assert!(negated_before(&folded, &e));
    }
}
