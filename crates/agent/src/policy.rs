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
        match input {
            Input::Text(t) => self.text(t).await?,
            Input::Action(a) => self.action(a).await?,
        }
        self.state.lead_score = self.lead_score();
        Ok(TurnOutcome {
            cart: CartView::of(&self.state.cart, self.ctx.tenant.currency.as_str()),
            reply: self.reply,
            understanding: self.understanding,
            actions: self.tools.trace,
        })
    }

    // ------------------------------------------------------------------ words

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
        self.agent
            .replies
            .render(self.lang, key, self.seed(key), vars)
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

    fn set_lang(&mut self, l: Lang) {
        self.lang = l;
        self.tools.lang = l;
        self.state.lang = Some(l.code().to_string());
    }

    // ------------------------------------------------------------------ actions

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

    // ------------------------------------------------------------------ text

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
                    .greeting(template, &self.ctx.tenant.name, self.lang);
                self.reply.say(g);
                self.quick("qr_order_status", "order_status");
                self.quick("qr_human", "human");
            }
            "goodbye" => self.say("goodbye", &[]),
            "thanks" => self.say("thanks", &[]),
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
            "return_refund" => self.faq_or_handoff("returns").await?,
            "shipping_info" => self.faq_or_handoff("shipping").await?,
            "payment_info" => self.faq_or_handoff("payment").await?,
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

    // ------------------------------------------------------------------ pending

    /// Handles the answer to what the agent asked; false when the message is about something
    /// else (the question is then dropped and the message handled as usual).
    async fn answer_pending(
        &mut self,
        u: &Understanding,
        text: &str,
        folded: &str,
    ) -> Result<bool, AgentError> {
        let Some(pending) = self.state.pending.clone() else {
            return Ok(false);
        };
        let intent = u.intent.as_str();
        let strong_other = |names: &[&str]| u.confidence >= 0.6 && names.contains(&intent);
        match pending {
            Pending::Checkout { fields } => {
                if strong_other(&[
                    "view_cart",
                    "talk_to_human",
                    "remove_from_cart",
                    "order_status",
                    "shipping_info",
                    "payment_info",
                    "return_refund",
                    "add_to_cart",
                ]) {
                    self.state.pending = None;
                    return Ok(false);
                }
                let filled = self.fill_fields(&fields, text, u);
                if filled || intent == "checkout" || intent == "affirm" {
                    self.checkout(None, false).await?;
                    return Ok(true);
                }
                self.state.pending = None;
                Ok(false)
            }
            Pending::Clarify { slot } => {
                if strong_other(&[
                    "view_cart",
                    "checkout",
                    "talk_to_human",
                    "order_status",
                    "add_to_cart",
                    "greet",
                    "goodbye",
                    "thanks",
                ]) {
                    self.state.pending = None;
                    return Ok(false);
                }
                let answered = match slot.as_str() {
                    "budget" => {
                        if entity(u, EntityKind::PriceMax).is_none()
                            && entity(u, EntityKind::PriceMin).is_none()
                        {
                            if let Some(n) = bare_amount(folded) {
                                self.state.prefs.price_max = Some(n);
                            }
                        }
                        self.state.prefs.price_max.is_some() || self.state.prefs.price_min.is_some()
                    }
                    "size" => {
                        entity(u, EntityKind::Size).is_some() || {
                            let t = text.trim();
                            if t.len() <= 6 && !t.contains(' ') {
                                self.state.prefs.size = Some(fold(t));
                                true
                            } else {
                                false
                            }
                        }
                    }
                    "color" => entity(u, EntityKind::Color).is_some(),
                    _ => {
                        if intent == "deny" {
                            false
                        } else {
                            self.state.prefs.usage = Some(clip(text, 100));
                            true
                        }
                    }
                };
                self.state.pending = None;
                if answered
                    || !u.entities.is_empty()
                    || intent == "product_search"
                    || intent == "out_of_scope"
                {
                    let refinement = if slot == "use" || has_product_words(u) {
                        Some(text)
                    } else {
                        None
                    };
                    self.search_and_show(refinement).await?;
                    return Ok(true);
                }
                if intent == "deny" {
                    self.search_and_show(None).await?;
                    return Ok(true);
                }
                Ok(false)
            }
            Pending::Offer { .. } | Pending::BackInStock { .. } | Pending::Handoff => {
                if intent == "affirm" {
                    self.affirm().await?;
                    return Ok(true);
                }
                if let (Pending::BackInStock { sku }, Some(_)) =
                    (&pending, entity(u, EntityKind::Email))
                {
                    self.back_in_stock(sku).await?;
                    return Ok(true);
                }
                if intent == "deny" {
                    self.state.pending = None;
                    self.say("deny_ok", &[]);
                    return Ok(true);
                }
                self.state.pending = None;
                Ok(false)
            }
            Pending::Contact { purpose } => {
                let p = &self.state.profile;
                if p.email.is_some() || p.phone.is_some() {
                    self.state.pending = None;
                    match purpose.split_once(':') {
                        Some(("back_in_stock", sku)) => {
                            let sku = sku.to_string();
                            self.back_in_stock(&sku).await?;
                        }
                        _ if purpose == "appointment" => {
                            self.say("lead_captured", &[]);
                        }
                        _ => {
                            self.tools
                                .call(
                                    self.state,
                                    ToolCall::CaptureLead {
                                        kind: LeadKind::Lead,
                                        note: Some(purpose.clone()),
                                    },
                                )
                                .await?;
                            self.say("lead_captured", &[]);
                        }
                    }
                    return Ok(true);
                }
                if intent == "deny" {
                    self.state.pending = None;
                    self.say("deny_ok", &[]);
                    return Ok(true);
                }
                self.state.pending = None;
                Ok(false)
            }
            Pending::AppointmentTime => {
                let date = entity(u, EntityKind::Date).map(|e| e.value.clone());
                let time = entity(u, EntityKind::Time).map(|e| e.value.clone());
                if date.is_some() || time.is_some() {
                    self.state.pending = None;
                    self.book(date, time).await?;
                    return Ok(true);
                }
                self.state.pending = None;
                Ok(false)
            }
        }
    }

    /// Reads checkout fields from a message ("Ada Lovelace, ada@example.com, 1 rue X");
    /// true when something new was filled.
    fn fill_fields(&mut self, fields: &[String], text: &str, u: &Understanding) -> bool {
        let mut filled = false;
        let p = &self.state.profile;
        let (had_name, had_email, had_address) =
            (p.name.is_some(), p.email.is_some(), p.address.is_some());
        // Entities were absorbed already (email, phone, a name after "my name is").
        if !had_email && self.state.profile.email.is_some() {
            filled = true;
        }
        let parts: Vec<&str> = text
            .split([',', '\n', ';'])
            .map(str::trim)
            .filter(|s| !s.is_empty())
            .collect();
        let mut address_parts = Vec::new();
        for part in &parts {
            if part.contains('@') {
                continue;
            }
            let digits = part.chars().filter(char::is_ascii_digit).count();
            let letters = part.chars().filter(|c| c.is_alphabetic()).count();
            let words = part.split_whitespace().count();
            if digits >= 6 && letters == 0 {
                continue; // a phone number
            }
            if fields.iter().any(|f| f == "name")
                && !had_name
                && self.state.profile.name.is_none()
                && digits == 0
                && (1..=4).contains(&words)
                && letters >= 2
                && part
                    .chars()
                    .all(|c| c.is_alphabetic() || " '-.".contains(c))
                && (words >= 2 || parts.len() > 1 || fields.len() == 1)
            {
                self.state.profile.name = Some(title_case(part));
                filled = true;
                continue;
            }
            if fields.iter().any(|f| f == "address")
                && !had_address
                && letters >= 2
                && (digits > 0 || parts.len() > 1)
            {
                address_parts.push(*part);
            }
        }
        if self.state.profile.name.is_some() && !had_name {
            filled = true;
        }
        if !address_parts.is_empty() {
            let joined = address_parts.join(", ");
            let long_enough =
                joined.chars().count() >= 8 && joined.chars().any(|c| c.is_ascii_digit());
            if long_enough {
                self.state.profile.address = Some(clip(&joined, 500));
                filled = true;
            }
        }
        let _ = u;
        filled
    }

    async fn affirm(&mut self) -> Result<(), AgentError> {
        match self.state.pending.take() {
            Some(Pending::Offer { sku, replaces }) => {
                if let Some(old) = replaces {
                    let q = self.state.cart.line(&old).map_or(1, |l| l.quantity);
                    self.tools
                        .call(self.state, ToolCall::RemoveFromCart { sku: old })
                        .await?;
                    self.add(&sku, q).await
                } else {
                    self.add(&sku, 1).await
                }
            }
            Some(Pending::BackInStock { sku }) => self.back_in_stock(&sku).await,
            Some(Pending::Handoff) => self.handoff("asked").await,
            Some(Pending::Checkout { .. }) => self.checkout(None, false).await,
            Some(other) => {
                self.state.pending = Some(other);
                self.say("affirm_idle", &[]);
                Ok(())
            }
            None => {
                self.say("affirm_idle", &[]);
                Ok(())
            }
        }
    }

    // ------------------------------------------------------------------ search

    /// Searches with the message (or, for a refinement, the last search's words plus the
    /// message), the stated budget as a filter and the other preferences as ranking, shows the
    /// best cards, and asks one guided-selling question when the results are too many.
    async fn search_and_show(&mut self, text: Option<&str>) -> Result<(), AgentError> {
        let query = match (text, self.state.last_query.clone()) {
            (Some(t), Some(last)) => {
                // Only filters or attributes ("in red", "under 50"): it refines the last search.
                if self.is_refinement(t) {
                    format!("{last} {t}")
                } else {
                    self.new_search_chain();
                    t.to_string()
                }
            }
            (Some(t), None) => t.to_string(),
            (None, Some(last)) => last,
            (None, None) => {
                self.say("browse_prompt", &[]);
                return Ok(());
            }
        };
        let query = clip(&query, 300);
        self.state.last_query = Some(query.clone());
        self.state.searches += 1;
        let prefs = self.state.prefs.clone();
        let mut liked = Vec::new();
        for (k, v) in [
            ("color", &prefs.color),
            ("size", &prefs.size),
            ("material", &prefs.material),
            ("brand", &prefs.brand),
        ] {
            if let Some(v) = v {
                liked.push(format!("{k}:{v}"));
            }
        }
        let call = ToolCall::SearchProducts {
            query: query.clone(),
            price_min: prefs.price_min.clone(),
            price_max: prefs.price_max.clone(),
            liked: liked.clone(),
            rejected: prefs.rejected.clone(),
            limit: Some(SHOWN_CARDS.max(MAX_SHOWN)),
        };
        let mut result = self.tools.call(self.state, call).await?;
        let mut relaxed = false;
        if matches!(&result, ToolResult::Products { total: 0, .. })
            && (prefs.price_max.is_some() || prefs.price_min.is_some())
        {
            // Nothing within the budget: show the closest ones, and say so.
            let call = ToolCall::SearchProducts {
                query: query.clone(),
                price_min: None,
                price_max: None,
                liked,
                rejected: prefs.rejected.clone(),
                limit: Some(MAX_SHOWN),
            };
            result = self.tools.call(self.state, call).await?;
            relaxed = matches!(&result, ToolResult::Products { total, .. } if *total > 0);
        }
        let ToolResult::Products { items, total } = result else {
            return Ok(());
        };
        if items.is_empty() {
            let q = clip(text.unwrap_or(&query), 80);
            self.say("results_none", &[("query", &q)]);
            self.state.shown.clear();
            self.quick("qr_human", "human");
            return Ok(());
        }
        self.state.stage = Stage::Considering;
        self.remember_shown(&items);
        let cards: Vec<ProductCard> = items.into_iter().take(SHOWN_CARDS).collect();
        if relaxed {
            self.say("results_relaxed", &[]);
        } else if cards.len() == 1 {
            self.say("results_one", &[("title", &cards[0].title)]);
        } else {
            self.say("results_intro", &[("count", &cards.len().to_string())]);
        }
        let median = median_price(&cards);
        self.reply.products = cards;
        if total > TOO_MANY && !relaxed {
            if let Some(slot) = self.next_question() {
                self.ask(&slot, median);
                return Ok(());
            }
            self.say("results_more", &[("total", &total.to_string())]);
        }
        self.quick("qr_cheaper", "cheaper");
        if !self.state.cart.is_empty() {
            self.quick("qr_view_cart", "view_cart");
        }
        Ok(())
    }

    /// A search for something else: the questions start over, and a budget or use stated for
    /// the previous kind of product (not in this message) no longer applies. Sizes and colours
    /// stay, as ranking hints.
    fn new_search_chain(&mut self) {
        self.state.asked.clear();
        let stated = |k: EntityKind| {
            self.understanding
                .as_ref()
                .is_some_and(|u| u.entities.iter().any(|e| e.kind == k))
        };
        if !stated(EntityKind::PriceMax) {
            self.state.prefs.price_max = None;
        }
        if !stated(EntityKind::PriceMin) {
            self.state.prefs.price_min = None;
        }
        self.state.prefs.usage = None;
    }

    /// Whether a message only narrows the last search (its words are filters and attributes).
    fn is_refinement(&self, text: &str) -> bool {
        let index = self.ctx.index.read().unwrap_or_else(|e| e.into_inner());
        let mut req = comptoir_search::SearchRequest::new(text);
        req.lang = comptoir_domain::Lang::parse(self.lang.code());
        req.limit = 1;
        let r = index.search(&req);
        r.interpretation.terms.is_empty()
            || (r.total == 0
                && r.interpretation.unmatched.len() == r.interpretation.terms.len()
                && text.split_whitespace().count() <= 4)
    }

    /// The first guided question of the template not yet answered or asked in this search.
    fn next_question(&self) -> Option<String> {
        if !self.state.asked.is_empty() {
            return None; // one question per search
        }
        let p = &self.state.prefs;
        let shown_sizes = self.state.shown.len() > 1;
        self.ctx
            .template
            .guided
            .iter()
            .find(|slot| match slot.as_str() {
                "budget" => p.price_max.is_none() && p.price_min.is_none(),
                "size" => p.size.is_none() && shown_sizes && self.shown_have_sizes(),
                "color" => p.color.is_none() && self.shown_colors() > 1,
                "use" => p.usage.is_none(),
                _ => false,
            })
            .cloned()
    }

    fn shown_have_sizes(&self) -> bool {
        let index = self.ctx.index.read().unwrap_or_else(|e| e.into_inner());
        self.state.shown.iter().any(|s| {
            index.entry(&s.product_id).is_some_and(|e| {
                e.variants.iter().any(|v| {
                    !index
                        .analyzer()
                        .variant_attributes(&v.options.0)
                        .sizes
                        .is_empty()
                })
            })
        })
    }

    fn shown_colors(&self) -> usize {
        let mut c: Vec<&String> = self
            .state
            .shown
            .iter()
            .flat_map(|s| s.colors.iter())
            .collect();
        c.sort();
        c.dedup();
        c.len()
    }

    fn ask(&mut self, slot: &str, median: Option<Decimal>) {
        self.state.asked.push(slot.to_string());
        self.state.pending = Some(Pending::Clarify {
            slot: slot.to_string(),
        });
        let own = self
            .ctx
            .template
            .questions
            .get(slot)
            .and_then(|q| Template::text(q, self.lang))
            .map(str::to_string);
        match own {
            Some(q) => self.reply.say(q),
            None => {
                let key = format!("clarify_{slot}");
                self.say(&key, &[]);
            }
        }
        if slot == "budget" {
            if let Some(m) = median {
                let amount = round_budget(m);
                let label = self.text_of("qr_budget_low", &[("amount", &self.shop_money(amount))]);
                self.reply.quick_replies.push(QuickReply {
                    label,
                    payload: format!("budget:{amount}"),
                });
            }
        }
    }

    async fn cheaper(&mut self) -> Result<(), AgentError> {
        let min = self
            .state
            .shown
            .iter()
            .filter_map(|s| s.price.parse::<Decimal>().ok())
            .min();
        match min {
            Some(m) if m > Decimal::ZERO => {
                let below = (m - Decimal::new(1, 2)).max(Decimal::ZERO);
                self.state.prefs.price_max = Some(below.normalize().to_string());
                self.search_and_show(None).await
            }
            _ => self.search_and_show(None).await,
        }
    }

    fn remember_shown(&mut self, items: &[ProductCard]) {
        let index = self.ctx.index.read().unwrap_or_else(|e| e.into_inner());
        self.state.shown = items
            .iter()
            .take(MAX_SHOWN)
            .map(|c| Shown {
                product_id: c.product_id.clone(),
                sku: c.sku.clone(),
                title: c.title.clone(),
                price: c.price.clone(),
                colors: index
                    .entry_of_sku(&c.sku)
                    .and_then(|e| e.variants.iter().find(|v| v.sku == c.sku))
                    .map(|v| index.analyzer().variant_attributes(&v.options.0).colors)
                    .unwrap_or_default(),
            })
            .collect();
        if items.len() == 1 {
            self.state.focus = self.state.shown.first().cloned();
        }
    }

    // ------------------------------------------------------------------ references

    /// The product a message points at: a named product, "the second one", "the red one",
    /// "the cheaper one", "it" (the product in focus), or the only one shown.
    fn resolve(&self, u: &Understanding, folded: &str) -> Option<Shown> {
        let shown = &self.state.shown;
        if let Some(e) = entity(u, EntityKind::Product) {
            if let Some(id) = &e.id {
                if let Some(s) = shown.iter().find(|s| &s.product_id == id) {
                    return Some(s.clone());
                }
                if let Some(s) = self.state.focus.as_ref().filter(|f| &f.product_id == id) {
                    return Some(s.clone());
                }
                return self.shown_of_product(id);
            }
        }
        if let Some(e) = entity(u, EntityKind::Ordinal) {
            if let Ok(n) = e.value.parse::<i64>() {
                let i = if n < 0 { shown.len() as i64 + n } else { n - 1 };
                // "The third one" of a list of two points at nothing: ask, do not guess.
                return usize::try_from(i).ok().and_then(|i| shown.get(i)).cloned();
            }
        }
        if let Some(e) = entity(u, EntityKind::Color) {
            let matching: Vec<&Shown> = shown
                .iter()
                .filter(|s| s.colors.contains(&e.value))
                .collect();
            if matching.len() == 1 {
                return Some(matching[0].clone());
            }
        }
        let price = |s: &Shown| s.price.parse::<Decimal>().unwrap_or_default();
        if is_cheaper(folded) {
            if let Some(s) = shown.iter().min_by_key(|s| price(s)) {
                return Some(s.clone());
            }
        }
        if is_dearer(folded) {
            if let Some(s) = shown.iter().max_by_key(|s| price(s)) {
                return Some(s.clone());
            }
        }
        if let Some(f) = &self.state.focus {
            return Some(f.clone());
        }
        if shown.len() == 1 {
            return shown.first().cloned();
        }
        None
    }

    /// A product not in the list shown, with its best variant for the stated preferences.
    fn shown_of_product(&self, product_id: &str) -> Option<Shown> {
        let index = self.ctx.index.read().unwrap_or_else(|e| e.into_inner());
        let entry = index.entry(product_id)?;
        let lang = comptoir_domain::Lang::parse(self.lang.code())?;
        let v = entry
            .variants
            .iter()
            .find(|v| v.stock.is_none_or(|s| s > 0))
            .or(entry.variants.first())?;
        let card = ProductCard::of(entry, &v.sku, &lang, index.default_lang())?;
        Some(Shown {
            product_id: card.product_id,
            sku: card.sku,
            title: card.title,
            price: card.price,
            colors: index.analyzer().variant_attributes(&v.options.0).colors,
        })
    }

    /// The variant of a product that fits the size, colour and material named in the message
    /// (keeping what the shown variant had for the others), in stock first; `fallback` when
    /// nothing is named. A named value no variant has is an error: the value and the product's
    /// options, for the shopper to choose.
    fn pick_variant(
        &self,
        product_id: &str,
        u: &Understanding,
        fallback: &str,
    ) -> Result<String, (String, Vec<String>)> {
        let index = self.ctx.index.read().unwrap_or_else(|e| e.into_inner());
        let Some(entry) = index.entry(product_id) else {
            return Ok(fallback.to_string());
        };
        let said = |k: EntityKind| entity(u, k).map(|e| e.value.clone());
        let size = said(EntityKind::Size);
        let color = said(EntityKind::Color);
        let material = said(EntityKind::Material);
        if size.is_none() && color.is_none() && material.is_none() {
            return Ok(fallback.to_string());
        }
        let attrs: Vec<_> = entry
            .variants
            .iter()
            .map(|v| index.analyzer().variant_attributes(&v.options.0))
            .collect();
        // Only attributes the product varies in, or describes, can be asked for.
        for (want, has) in [
            (&size, attrs.iter().any(|a| !a.sizes.is_empty())),
            (&color, attrs.iter().any(|a| !a.colors.is_empty())),
        ] {
            if let Some(w) = want {
                let found = attrs.iter().any(|a| {
                    a.sizes.contains(w) || a.colors.contains(w) || a.materials.contains(w)
                });
                if has && !found && entry.variants.len() > 1 {
                    let mut options: Vec<String> = entry
                        .variants
                        .iter()
                        .filter(|v| v.stock.is_none_or(|s| s > 0))
                        .filter_map(|v| crate::reply::variant_label(&v.options.0))
                        .collect();
                    options.dedup();
                    options.truncate(8);
                    return Err((w.clone(), options));
                }
            }
        }
        let fallback_attrs = entry
            .variants
            .iter()
            .position(|v| v.sku == fallback)
            .map(|i| attrs[i].clone())
            .unwrap_or_default();
        let best = entry
            .variants
            .iter()
            .zip(&attrs)
            .map(|(v, a)| {
                let fits = |want: &Option<String>, have: &[String], kept: &[String]| match want {
                    Some(w) => have.contains(w),
                    None => kept.is_empty() || have.iter().any(|h| kept.contains(h)),
                };
                let score = u8::from(fits(&size, &a.sizes, &fallback_attrs.sizes)) * 4
                    + u8::from(fits(&color, &a.colors, &fallback_attrs.colors)) * 4
                    + u8::from(fits(&material, &a.materials, &fallback_attrs.materials)) * 2
                    + u8::from(v.stock.is_none_or(|s| s > 0));
                (score, v.sku.clone())
            })
            .max_by_key(|(s, _)| *s);
        Ok(best.map(|(_, s)| s).unwrap_or_else(|| fallback.to_string()))
    }

    fn say_unavailable(&mut self, title: &str, value: &str, options: &[String]) {
        let list = options.join(", ");
        self.say(
            "variant_unavailable",
            &[("title", title), ("value", value), ("options", &list)],
        );
    }

    // ------------------------------------------------------------------ products

    async fn product_info(
        &mut self,
        u: &Understanding,
        text: &str,
        folded: &str,
    ) -> Result<(), AgentError> {
        let named_now =
            entity(u, EntityKind::Product).is_some() || entity(u, EntityKind::Ordinal).is_some();
        let target = self.resolve(u, folded);
        let Some(target) = target
            .filter(|_| named_now || !self.state.shown.is_empty() || self.state.focus.is_some())
        else {
            return self.search_and_show(Some(text)).await;
        };
        let sku = match self.pick_variant(&target.product_id, u, &target.sku) {
            Ok(s) => s,
            Err((value, options)) => {
                self.say_unavailable(&target.title, &value, &options);
                target.sku.clone()
            }
        };
        let r = self
            .tools
            .call(
                self.state,
                ToolCall::GetProduct {
                    product_id: target.product_id.clone(),
                    sku: Some(sku),
                },
            )
            .await?;
        let ToolResult::Product {
            card, description, ..
        } = r
        else {
            self.say("no_product_shown", &[]);
            return Ok(());
        };
        let availability = self.availability(&card);
        let price = self.price(&card.price, &card.currency);
        self.say(
            "product_info",
            &[
                ("title", &card.title),
                ("price", &price),
                ("availability", &availability),
            ],
        );
        let first_sentence = description
            .split(['.', '!', '\n'])
            .next()
            .unwrap_or("")
            .trim();
        if !first_sentence.is_empty() && first_sentence.chars().count() <= 200 {
            self.reply.say(format!("{first_sentence}."));
        }
        self.focus_on(&card);
        if card.in_stock {
            self.quick("qr_add", &format!("add:{}", card.sku));
        }
        self.reply.products = vec![card];
        Ok(())
    }

    fn availability(&self, card: &ProductCard) -> String {
        match card.stock {
            _ if card.digital && card.in_stock => self.text_of("availability_digital", &[]),
            None => self.text_of("availability_available", &[]),
            Some(0) => self.text_of("availability_out", &[]),
            Some(n) => self.text_of("availability_in_stock", &[("count", &n.to_string())]),
        }
    }

    fn focus_on(&mut self, card: &ProductCard) {
        let colors = self
            .state
            .shown
            .iter()
            .find(|s| s.sku == card.sku)
            .map(|s| s.colors.clone())
            .unwrap_or_default();
        self.state.focus = Some(Shown {
            product_id: card.product_id.clone(),
            sku: card.sku.clone(),
            title: card.title.clone(),
            price: card.price.clone(),
            colors,
        });
    }

    async fn compare(&mut self, u: &Understanding, folded: &str) -> Result<(), AgentError> {
        let ordinals: Vec<usize> = u
            .entities
            .iter()
            .filter(|e| e.kind == EntityKind::Ordinal)
            .filter_map(|e| e.value.parse::<i64>().ok())
            .filter_map(|n| {
                if n < 0 {
                    self.state.shown.len().checked_sub(1)
                } else {
                    (n as usize).checked_sub(1)
                }
            })
            .collect();
        let mut picked: Vec<Shown> = ordinals
            .iter()
            .filter_map(|&i| self.state.shown.get(i).cloned())
            .collect();
        for e in u.entities.iter().filter(|e| e.kind == EntityKind::Product) {
            if let Some(id) = &e.id {
                if !picked.iter().any(|p| &p.product_id == id) {
                    if let Some(s) = self
                        .state
                        .shown
                        .iter()
                        .find(|s| &s.product_id == id)
                        .cloned()
                        .or_else(|| self.shown_of_product(id))
                    {
                        picked.push(s);
                    }
                }
            }
        }
        if picked.len() < 2 {
            picked = self.state.shown.iter().take(2).cloned().collect();
        }
        if picked.len() < 2 {
            let _ = folded;
            self.say("no_product_shown", &[]);
            return Ok(());
        }
        self.say("compare_intro", &[]);
        let mut cards = Vec::new();
        for s in picked.iter().take(3) {
            let r = self
                .tools
                .call(
                    self.state,
                    ToolCall::GetProduct {
                        product_id: s.product_id.clone(),
                        sku: Some(s.sku.clone()),
                    },
                )
                .await?;
            if let ToolResult::Product { card, .. } = r {
                let line = format!(
                    "{}: {} ({}).",
                    card.title,
                    self.price(&card.price, &card.currency),
                    self.availability(&card)
                );
                self.reply.say(line);
                cards.push(card);
            }
        }
        self.reply.products = cards;
        Ok(())
    }

    // ------------------------------------------------------------------ cart

    async fn add_from_text(&mut self, u: &Understanding, folded: &str) -> Result<(), AgentError> {
        let Some(target) = self.resolve(u, folded) else {
            if self.state.shown.is_empty() {
                // "I want a red dress": a search, not an add.
                if has_product_words(u) {
                    let text = self.understanding_text(u);
                    return self.search_and_show(Some(&text)).await;
                }
                self.say("no_product_shown", &[]);
            } else {
                self.say("which_product", &[]);
                self.reply.products = self.shown_cards();
            }
            return Ok(());
        };
        let sku = match self.pick_variant(&target.product_id, u, &target.sku) {
            Ok(s) => s,
            Err((value, options)) => {
                self.say_unavailable(&target.title, &value, &options);
                if let Some(c) = self.tools.card(&target.sku) {
                    self.reply.products = vec![c];
                }
                return Ok(());
            }
        };
        let quantity = entity(u, EntityKind::Quantity)
            .and_then(|e| e.value.parse::<i64>().ok())
            .filter(|q| (1..=MAX_LINE_QUANTITY).contains(q));
        if let (Some(q), Some(_)) = (quantity, self.state.cart.line(&sku)) {
            if is_change(folded) {
                return self.update_quantity(&sku, q).await;
            }
        }
        self.add(&sku, quantity.unwrap_or(1)).await
    }

    fn understanding_text(&self, u: &Understanding) -> String {
        u.entities
            .iter()
            .map(|e| e.value.clone())
            .collect::<Vec<_>>()
            .join(" ")
    }

    fn shown_cards(&self) -> Vec<ProductCard> {
        self.state
            .shown
            .iter()
            .take(SHOWN_CARDS)
            .filter_map(|s| self.tools.card(&s.sku))
            .collect()
    }

    /// Adds to the cart, never beyond stock; out of stock, offers the closest in-stock
    /// variant or product and a back-in-stock notice; upsells once.
    async fn add(&mut self, sku: &str, quantity: i64) -> Result<(), AgentError> {
        let r = self
            .tools
            .call(
                self.state,
                ToolCall::AddToCart {
                    sku: sku.to_string(),
                    quantity,
                },
            )
            .await?;
        match r {
            ToolResult::Cart {
                quantity: now,
                requested,
                ..
            } => {
                let card = self.tools.card(sku);
                let title = card
                    .as_ref()
                    .map(|c| c.title.clone())
                    .unwrap_or_else(|| sku.to_string());
                let line = self.state.cart.line(sku).cloned();
                let before = now - requested;
                let added = (now - before.max(0)).max(0);
                let capped = card
                    .as_ref()
                    .and_then(|c| c.stock)
                    .is_some_and(|s| now >= s)
                    && added < requested;
                let total = self.cart_total();
                if capped {
                    let available = card.as_ref().and_then(|c| c.stock).unwrap_or(0).to_string();
                    self.say(
                        "added_capped",
                        &[
                            ("quantity", &added.to_string()),
                            ("title", &title),
                            ("available", &available),
                        ],
                    );
                } else {
                    self.say(
                        "added",
                        &[
                            ("quantity", &added.to_string()),
                            ("title", &title),
                            ("total", &total),
                        ],
                    );
                }
                if let Some(c) = &card {
                    self.focus_on(c);
                }
                self.state.stage = Stage::Cart;
                let _ = line;
                if !self.state.upsold {
                    self.upsell(sku).await?;
                }
                self.quick("qr_checkout", "checkout");
                self.quick("qr_continue", "continue");
                self.quick("qr_view_cart", "view_cart");
            }
            ToolResult::OutOfStock { sku, .. } => self.out_of_stock(&sku).await?,
            ToolResult::Failed { code, message } => {
                tracing::debug!(code, message, "add to cart refused");
                self.say("fallback", &[]);
            }
            _ => {}
        }
        Ok(())
    }

    async fn upsell(&mut self, sku: &str) -> Result<(), AgentError> {
        let Some(card) = self.tools.card(sku) else {
            return Ok(());
        };
        let price: Decimal = card.price.parse().unwrap_or_default();
        let budget = (price * Decimal::new(13, 1)).normalize().to_string();
        let r = self
            .tools
            .call(
                self.state,
                ToolCall::Recommend {
                    product_id: card.product_id.clone(),
                    budget: Some(budget),
                },
            )
            .await?;
        if let ToolResult::Recommendations { upsell, .. } = r {
            let better = upsell.into_iter().find(|u| {
                u.in_stock
                    && u.product_id != card.product_id
                    && u.price.parse::<Decimal>().unwrap_or_default() > price
            });
            if let Some(u) = better {
                self.state.upsold = true;
                let p = self.price(&u.price, &u.currency);
                self.say("upsell", &[("title", &u.title), ("price", &p)]);
                self.state.pending = Some(Pending::Offer {
                    sku: u.sku.clone(),
                    replaces: Some(sku.to_string()),
                });
                self.quick("qr_yes", "yes");
                self.quick("qr_no", "no");
                self.reply.products = vec![u];
            }
        }
        Ok(())
    }

    async fn out_of_stock(&mut self, sku: &str) -> Result<(), AgentError> {
        let Some(card) = self.tools.card(sku) else {
            self.say("fallback", &[]);
            return Ok(());
        };
        // Another variant of the same product first (same colour or size if possible), then a
        // similar product.
        let r = self
            .tools
            .call(
                self.state,
                ToolCall::GetProduct {
                    product_id: card.product_id.clone(),
                    sku: Some(sku.to_string()),
                },
            )
            .await?;
        let mut alternative = match r {
            ToolResult::Product { variants, .. } => {
                variants.into_iter().find(|v| v.in_stock && v.sku != sku)
            }
            _ => None,
        };
        if alternative.is_none() {
            let r = self
                .tools
                .call(
                    self.state,
                    ToolCall::Recommend {
                        product_id: card.product_id.clone(),
                        budget: None,
                    },
                )
                .await?;
            if let ToolResult::Recommendations { similar, .. } = r {
                alternative = similar.into_iter().find(|c| c.in_stock);
            }
        }
        let title = match &card.variant {
            Some(v) => format!("{} ({v})", card.title),
            None => card.title.clone(),
        };
        match alternative {
            Some(alt) => {
                let alt_title = match &alt.variant {
                    Some(v) if alt.product_id == card.product_id => format!("{} ({v})", alt.title),
                    _ => alt.title.clone(),
                };
                self.say(
                    "out_of_stock_alternative",
                    &[("title", &title), ("alternative", &alt_title)],
                );
                self.quick("qr_add", &format!("add:{}", alt.sku));
                self.reply.products = vec![alt];
            }
            None => self.say("out_of_stock", &[("title", &title)]),
        }
        self.say("back_in_stock_offer", &[]);
        self.state.pending = Some(Pending::BackInStock {
            sku: sku.to_string(),
        });
        self.quick("qr_yes", "yes");
        self.quick("qr_no", "no");
        Ok(())
    }

    async fn back_in_stock(&mut self, sku: &str) -> Result<(), AgentError> {
        match self.state.profile.email.clone() {
            Some(email) => {
                self.tools
                    .call(
                        self.state,
                        ToolCall::CaptureLead {
                            kind: LeadKind::BackInStock,
                            note: Some(sku.to_string()),
                        },
                    )
                    .await?;
                self.state.pending = None;
                self.say("back_in_stock_saved", &[("email", &email)]);
            }
            None => {
                self.state.pending = Some(Pending::Contact {
                    purpose: format!("back_in_stock:{sku}"),
                });
                self.say("lead_ask_contact", &[]);
                self.reply.form = Some(Form {
                    kind: "lead".into(),
                    fields: vec!["email".into()],
                });
            }
        }
        Ok(())
    }

    async fn update_quantity(&mut self, sku: &str, quantity: i64) -> Result<(), AgentError> {
        if quantity == 0 {
            return self.remove(sku).await;
        }
        let r = self
            .tools
            .call(
                self.state,
                ToolCall::UpdateCart {
                    sku: sku.to_string(),
                    quantity,
                },
            )
            .await?;
        match r {
            ToolResult::Cart { quantity: now, .. } => {
                let title = self
                    .state
                    .cart
                    .line(sku)
                    .map(|l| l.title.clone())
                    .unwrap_or_default();
                self.say(
                    "quantity_updated",
                    &[("title", &title), ("quantity", &now.to_string())],
                );
                if now < quantity {
                    let card = self.tools.card(sku);
                    let available = card.and_then(|c| c.stock).unwrap_or(now).to_string();
                    self.say(
                        "added_capped",
                        &[
                            ("quantity", &now.to_string()),
                            ("title", &title),
                            ("available", &available),
                        ],
                    );
                }
                let count = self.state.cart.count().to_string();
                let total = self.cart_total();
                self.say("cart_summary", &[("count", &count), ("total", &total)]);
                self.quick("qr_checkout", "checkout");
            }
            ToolResult::OutOfStock { sku, .. } => self.out_of_stock(&sku).await?,
            _ => self.say("fallback", &[]),
        }
        Ok(())
    }

    async fn remove(&mut self, sku: &str) -> Result<(), AgentError> {
        let title = self
            .state
            .cart
            .line(sku)
            .map(|l| l.title.clone())
            .unwrap_or_default();
        self.tools
            .call(
                self.state,
                ToolCall::RemoveFromCart {
                    sku: sku.to_string(),
                },
            )
            .await?;
        self.say("removed", &[("title", &title)]);
        if self.state.cart.is_empty() {
            self.say("cart_empty", &[]);
        } else {
            let count = self.state.cart.count().to_string();
            let total = self.cart_total();
            self.say("cart_summary", &[("count", &count), ("total", &total)]);
            self.quick("qr_checkout", "checkout");
        }
        Ok(())
    }

    async fn remove_from_text(
        &mut self,
        u: &Understanding,
        folded: &str,
    ) -> Result<(), AgentError> {
        if self.state.cart.is_empty() {
            self.say("cart_empty", &[]);
            return Ok(());
        }
        // References point into the cart here: "remove the second one" is the cart's second line.
        let lines = self.state.cart.lines.clone();
        let mut target: Option<String> = None;
        if let Some(e) = entity(u, EntityKind::Product) {
            target = lines
                .iter()
                .find(|l| Some(&l.product_id) == e.id.as_ref())
                .map(|l| l.sku.clone());
        }
        if target.is_none() {
            if let Some(n) =
                entity(u, EntityKind::Ordinal).and_then(|e| e.value.parse::<i64>().ok())
            {
                let i = if n < 0 { lines.len() as i64 + n } else { n - 1 };
                target = usize::try_from(i)
                    .ok()
                    .and_then(|i| lines.get(i))
                    .map(|l| l.sku.clone());
            }
        }
        if target.is_none() {
            if let Some(c) = entity(u, EntityKind::Color) {
                let index = self.ctx.index.read().unwrap_or_else(|e| e.into_inner());
                let m: Vec<&str> = lines
                    .iter()
                    .filter(|l| {
                        index
                            .entry_of_sku(&l.sku)
                            .and_then(|e| e.variants.iter().find(|v| v.sku == l.sku))
                            .is_some_and(|v| {
                                index
                                    .analyzer()
                                    .variant_attributes(&v.options.0)
                                    .colors
                                    .contains(&c.value)
                            })
                    })
                    .map(|l| l.sku.as_str())
                    .collect();
                if m.len() == 1 {
                    target = Some(m[0].to_string());
                }
            }
        }
        if target.is_none() {
            if lines.len() == 1 {
                target = Some(lines[0].sku.clone());
            } else if let Some(f) = &self.state.focus {
                target = lines.iter().find(|l| l.sku == f.sku).map(|l| l.sku.clone());
            }
        }
        let Some(sku) = target else {
            self.say("which_product", &[]);
            return self.view_cart().await;
        };
        let have = self.state.cart.line(&sku).map_or(0, |l| l.quantity);
        let q = entity(u, EntityKind::Quantity).and_then(|e| e.value.parse::<i64>().ok());
        match q {
            Some(q) if q > 0 && q < have && !is_change(folded) => {
                self.update_quantity(&sku, have - q).await
            }
            _ => self.remove(&sku).await,
        }
    }

    async fn view_cart(&mut self) -> Result<(), AgentError> {
        self.tools.call(self.state, ToolCall::ViewCart).await?;
        if self.state.cart.is_empty() {
            self.say("cart_empty", &[]);
            self.quick("qr_continue", "continue");
            return Ok(());
        }
        let count = self.state.cart.count().to_string();
        let total = self.cart_total();
        self.say("cart_summary", &[("count", &count), ("total", &total)]);
        self.quick("qr_checkout", "checkout");
        self.quick("qr_continue", "continue");
        Ok(())
    }

    // ------------------------------------------------------------------ checkout

    /// Places the order when the agent has what it needs, else asks for the missing fields
    /// (with one cross-sell suggestion, the first time).
    async fn checkout(
        &mut self,
        payment_method: Option<&str>,
        conversational: bool,
    ) -> Result<(), AgentError> {
        let r = self
            .tools
            .call(
                self.state,
                ToolCall::StartCheckout {
                    payment_method: payment_method.map(str::to_string),
                },
            )
            .await?;
        match r {
            ToolResult::NeedInfo { fields } => {
                self.state.stage = Stage::Checkout;
                let names: Vec<String> = fields
                    .iter()
                    .map(|f| self.text_of(&format!("field_{f}"), &[]))
                    .collect();
                self.say("checkout_need", &[("fields", &names.join(", "))]);
                self.reply.form = Some(Form {
                    kind: "checkout".into(),
                    fields: fields.clone(),
                });
                self.state.pending = Some(Pending::Checkout { fields });
                if !self.state.cross_sold && conversational {
                    self.cross_sell().await?;
                }
            }
            ToolResult::OrderPlaced {
                order,
                payment,
                repeated,
            } => {
                self.state.pending = None;
                self.state.stage = Stage::Ordered;
                self.state.cross_sold = false;
                let total = self.price(&order.total, &order.currency);
                self.say("order_placed", &[("order", &order.id), ("total", &total)]);
                self.reply.say(&payment.text);
                if !repeated && order.expires_at.is_some() {
                    let hours =
                        (self.ctx.tenant.settings.reservation_minutes as f64 / 60.0).ceil() as i64;
                    self.say("reservation_note", &[("hours", &hours.max(1).to_string())]);
                }
                self.reply.order = Some(order);
                self.quick("qr_order_status", "order_status");
            }
            ToolResult::OutOfStock { sku, available } => {
                let title = self
                    .tools
                    .card(&sku)
                    .map(|c| c.title)
                    .unwrap_or(sku.clone());
                if available > 0 {
                    self.say(
                        "added_capped",
                        &[
                            ("quantity", &available.to_string()),
                            ("title", &title),
                            ("available", &available.to_string()),
                        ],
                    );
                } else {
                    self.say("out_of_stock", &[("title", &title)]);
                }
                if !self.state.cart.is_empty() {
                    let count = self.state.cart.count().to_string();
                    let total = self.cart_total();
                    self.say("cart_summary", &[("count", &count), ("total", &total)]);
                    self.quick("qr_checkout", "checkout");
                }
            }
            ToolResult::Failed { code, .. } if code == "cart_empty" => {
                self.say("cart_empty", &[]);
                self.quick("qr_continue", "continue");
            }
            _ => self.say("fallback", &[]),
        }
        Ok(())
    }

    async fn cross_sell(&mut self) -> Result<(), AgentError> {
        let Some(first) = self.state.cart.lines.first().cloned() else {
            return Ok(());
        };
        let r = self
            .tools
            .call(
                self.state,
                ToolCall::Recommend {
                    product_id: first.product_id.clone(),
                    budget: None,
                },
            )
            .await?;
        if let ToolResult::Recommendations { cross_sell, .. } = r {
            let in_cart: Vec<String> = self
                .state
                .cart
                .lines
                .iter()
                .map(|l| l.product_id.clone())
                .collect();
            if let Some(c) = cross_sell
                .into_iter()
                .find(|c| c.in_stock && !in_cart.contains(&c.product_id))
            {
                self.state.cross_sold = true;
                let p = self.price(&c.price, &c.currency);
                self.say("cross_sell", &[("title", &c.title), ("price", &p)]);
                self.reply.products = vec![c];
            }
        }
        Ok(())
    }

    async fn order_status(&mut self, id: Option<String>) -> Result<(), AgentError> {
        let asked = id.clone();
        let r = self
            .tools
            .call(self.state, ToolCall::OrderStatus { order_id: id })
            .await?;
        let ToolResult::Orders { orders } = r else {
            return Ok(());
        };
        match (orders.first(), asked) {
            (Some(o), _) => {
                let status = self.text_of(&format!("status_{}", o.status), &[]);
                let total = self.price(&o.total, &o.currency);
                self.say(
                    "order_status",
                    &[("order", &o.id), ("status", &status), ("total", &total)],
                );
                self.reply.order = Some(o.clone());
            }
            (None, Some(id)) => self.say("order_not_found", &[("order", &clip(&id, 60))]),
            (None, None) => self.say("order_status_ask", &[]),
        }
        Ok(())
    }

    // ------------------------------------------------------------------ service

    async fn faq(&mut self, topic: &str) -> Result<(), AgentError> {
        let r = self
            .tools
            .call(
                self.state,
                ToolCall::AnswerFaq {
                    topic: topic.to_string(),
                },
            )
            .await?;
        match r {
            ToolResult::Faq {
                answer: Some(a), ..
            } => self.reply.say(a),
            _ => {
                self.state.pending = Some(Pending::Handoff);
                self.say("faq_unknown", &[]);
                self.quick("qr_human", "human");
            }
        }
        Ok(())
    }

    async fn faq_or_handoff(&mut self, topic: &str) -> Result<(), AgentError> {
        self.faq(topic).await
    }

    async fn handoff(&mut self, reason: &str) -> Result<(), AgentError> {
        self.state.pending = None;
        self.tools
            .call(
                self.state,
                ToolCall::HandoffToHuman {
                    reason: reason.to_string(),
                },
            )
            .await?;
        self.state.stage = Stage::Handoff;
        self.say("handoff", &[]);
        if self.state.profile.email.is_none() && self.state.profile.phone.is_none() {
            self.say("lead_ask_contact", &[]);
            self.state.pending = Some(Pending::Contact {
                purpose: "handoff".into(),
            });
            self.reply.form = Some(Form {
                kind: "lead".into(),
                fields: vec!["email".into(), "phone".into()],
            });
        }
        Ok(())
    }

    async fn quote(&mut self) -> Result<(), AgentError> {
        let r = self.tools.call(self.state, ToolCall::RequestQuote).await?;
        match r {
            ToolResult::Quote {
                reference,
                total,
                currency,
                ..
            } => {
                let t = self.price(&total, &currency);
                self.say("quote_ready", &[("reference", &reference), ("total", &t)]);
                if self.state.profile.email.is_none() {
                    self.say("lead_ask_contact", &[]);
                    self.state.pending = Some(Pending::Contact {
                        purpose: format!("quote {reference}"),
                    });
                    self.reply.form = Some(Form {
                        kind: "lead".into(),
                        fields: vec!["email".into()],
                    });
                }
            }
            _ => self.say("quote_empty", &[]),
        }
        Ok(())
    }

    async fn book(&mut self, date: Option<String>, time: Option<String>) -> Result<(), AgentError> {
        if self.ctx.template.appointment.is_none() {
            self.state.pending = Some(Pending::Handoff);
            self.say("handoff_offer", &[]);
            self.quick("qr_human", "human");
            return Ok(());
        }
        if date.is_some()
            && time.is_some()
            && self.state.profile.name.is_none()
            && self.state.profile.email.is_none()
            && self.state.profile.phone.is_none()
        {
            // Book first, contact after: the slot is what people race for.
        }
        let r = self
            .tools
            .call(
                self.state,
                ToolCall::BookAppointment {
                    date: date.clone(),
                    time: time.clone(),
                },
            )
            .await?;
        match r {
            ToolResult::Appointment { date, time, .. } => {
                self.state.pending = None;
                self.say("appointment_booked", &[("date", &date), ("time", &time)]);
                if self.state.profile.email.is_none() && self.state.profile.phone.is_none() {
                    self.say("appointment_need_contact", &[]);
                    self.state.pending = Some(Pending::Contact {
                        purpose: "appointment".into(),
                    });
                    self.reply.form = Some(Form {
                        kind: "appointment".into(),
                        fields: vec!["name".into(), "email".into(), "phone".into()],
                    });
                }
            }
            ToolResult::SlotUnavailable { reason, free } => {
                match reason.as_str() {
                    "taken" => {
                        let (d, t) = (date.unwrap_or_default(), time.unwrap_or_default());
                        self.say("appointment_taken", &[("date", &d), ("time", &t)]);
                    }
                    _ => self.say("appointment_closed", &[]),
                }
                self.offer_slots(free);
            }
            ToolResult::Slots { free } => {
                self.say("appointment_ask_date", &[]);
                self.offer_slots(free);
            }
            _ => self.say("fallback", &[]),
        }
        Ok(())
    }

    fn offer_slots(&mut self, free: Vec<(String, String)>) {
        self.state.pending = Some(Pending::AppointmentTime);
        if free.is_empty() {
            return;
        }
        let list: Vec<String> = free.iter().map(|(d, t)| format!("{d} {t}")).collect();
        self.say("appointment_slots", &[("slots", &list.join(", "))]);
    }

    fn lead_score(&self) -> i64 {
        let s = &*self.state;
        let mut score = i64::from(s.searches.min(3)) * 5;
        if !s.cart.is_empty() {
            score += 25;
        }
        if s.profile.email.is_some() {
            score += 15;
        }
        if s.profile.phone.is_some() {
            score += 10;
        }
        if matches!(s.stage, Stage::Checkout) {
            score += 20;
        }
        if s.last_order.is_some() {
            score += 35;
        }
        score.min(100)
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
const CHANGE: [&str; 16] = [
    "change",
    "make it",
    "instead",
    "update",
    "set ",
    "plutot",
    "au lieu",
    "mets en",
    "mettez",
    "andere",
    "stattdessen",
    "cambia",
    "invece",
    "cambiar",
    "en vez",
    "en lugar",
];
const NEGATIONS: [&str; 10] = [
    "not", "no", "pas", "sans", "kein", "keine", "nicht", "non", "senza", "sin",
];

fn is_cheaper(folded: &str) -> bool {
    CHEAPER.iter().any(|w| folded.contains(w))
}

fn is_dearer(folded: &str) -> bool {
    DEARER.iter().any(|w| folded.contains(w))
}

fn is_change(folded: &str) -> bool {
    CHANGE.iter().any(|w| folded.contains(w))
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
