//! Answers to what the agent asked: checkout fields, a guided-selling answer, a yes to an
//! offer, contact details, an appointment time.

use super::*;

impl Turn<'_, '_> {
    /// Handles the answer to what the agent asked; false when the message is about something
    /// else (the question is then dropped and the message handled as usual).
    pub(super) async fn answer_pending(
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
                        Some(("appointment", id)) => {
                            let id = id.to_string();
                            self.tools
                                .call(self.state, ToolCall::UpdateAppointment { id })
                                .await?;
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
                // A name alone ("My name is Ada Lovelace"): kept, and the question stays.
                if entity(u, EntityKind::PersonName).is_some() {
                    if let Some(("appointment", id)) = purpose.split_once(':') {
                        let id = id.to_string();
                        self.tools
                            .call(self.state, ToolCall::UpdateAppointment { id })
                            .await?;
                    }
                    self.say("lead_ask_contact", &[]);
                    return Ok(true);
                }
                self.state.pending = None;
                Ok(false)
            }
            Pending::Csat { reasked } => self.answer_feedback("csat", reasked, u, folded).await,
            Pending::Nps { reasked } => self.answer_feedback("nps", reasked, u, folded).await,
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
    pub(super) fn fill_fields(&mut self, fields: &[String], text: &str, u: &Understanding) -> bool {
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

    pub(super) async fn affirm(&mut self) -> Result<(), AgentError> {
        match self.state.pending.take() {
            Some(Pending::Offer { sku, replaces }) => {
                if let Some(old) = replaces {
                    // The better one first; the old line goes only once it is in the cart.
                    let q = self.state.cart.line(&old).map_or(1, |l| l.quantity);
                    self.add(&sku, q).await?;
                    if self.state.cart.line(&sku).is_some() && self.state.cart.line(&old).is_some()
                    {
                        self.tools
                            .call(self.state, ToolCall::RemoveFromCart { sku: old })
                            .await?;
                    }
                    Ok(())
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
}
