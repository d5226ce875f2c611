//! Service beyond the sale: FAQ answers, handover to a person, quotes, appointments, and the
//! lead score.

use super::*;

impl Turn<'_, '_> {
    pub(super) async fn faq(&mut self, topic: &str) -> Result<(), AgentError> {
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

    pub(super) async fn handoff(&mut self, reason: &str) -> Result<(), AgentError> {
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
            self.reply.form = Some(self.lead_form());
        }
        Ok(())
    }

    pub(super) async fn quote(&mut self) -> Result<(), AgentError> {
        // "A quote for 3 wool sweaters": the product named, in the quantity stated.
        let mut lines = Vec::new();
        if let Some(u) = self.understanding.clone() {
            let named = entity(&u, EntityKind::Product).is_some() || has_product_words(&u);
            if named {
                let folded = self.folded.clone();
                if let Some(target) = self.resolve(&u, &folded) {
                    let sku = self
                        .pick_variant(&target.product_id, &u, &target.sku)
                        .unwrap_or(target.sku);
                    lines.push(comptoir_domain::OrderLineRequest {
                        sku,
                        quantity: stated_quantity(&u, &folded).unwrap_or(1),
                    });
                }
            }
        }
        let r = self
            .tools
            .call(self.state, ToolCall::RequestQuote { lines })
            .await?;
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
                    self.reply.form = Some(self.lead_form());
                }
            }
            _ => self.say("quote_empty", &[]),
        }
        Ok(())
    }

    pub(super) async fn book(
        &mut self,
        date: Option<String>,
        time: Option<String>,
    ) -> Result<(), AgentError> {
        if self.ctx.template.appointment.is_none() {
            self.state.pending = Some(Pending::Handoff);
            self.say("handoff_offer", &[]);
            self.quick("qr_human", "human");
            return Ok(());
        }
        // Book first, contact after: the slot is what people race for.
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
            ToolResult::Appointment { id, date, time } => {
                self.state.pending = None;
                self.state.appointment = Some((id.clone(), date.clone(), time.clone()));
                self.say("appointment_booked", &[("date", &date), ("time", &time)]);
                if self.state.profile.email.is_none() && self.state.profile.phone.is_none() {
                    self.say("appointment_need_contact", &[]);
                    self.state.pending = Some(Pending::Contact {
                        purpose: format!("appointment:{id}"),
                    });
                    let fields = self
                        .ctx
                        .template
                        .appointment
                        .as_ref()
                        .map(|a| a.fields.clone())
                        .filter(|f| !f.is_empty())
                        .unwrap_or_else(|| vec!["name".into(), "email".into(), "phone".into()]);
                    self.reply.form = Some(Form {
                        kind: "appointment".into(),
                        fields,
                    });
                }
            }
            ToolResult::SlotUnavailable { reason, free } => {
                match reason.as_str() {
                    "taken" => {
                        let d = date
                            .as_deref()
                            .and_then(|d| chrono::NaiveDate::parse_from_str(d, "%Y-%m-%d").ok())
                            .map(|d| crate::format::date(d, self.lang))
                            .unwrap_or_default();
                        let t = time
                            .as_deref()
                            .and_then(|t| chrono::NaiveTime::parse_from_str(t, "%H:%M").ok())
                            .map(|t| crate::format::time(t, self.lang))
                            .unwrap_or_default();
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
            ToolResult::Failed { code, .. } if code == "already_booked" => {
                // Moving an appointment is for a person to do.
                if let Some((_, d, t)) = self.state.appointment.clone() {
                    self.say("appointment_booked", &[("date", &d), ("time", &t)]);
                }
                self.state.pending = Some(Pending::Handoff);
                self.say("handoff_offer", &[]);
                self.quick("qr_human", "human");
            }
            _ => self.say("fallback", &[]),
        }
        Ok(())
    }

    pub(super) fn offer_slots(&mut self, free: Vec<(String, String)>) {
        self.state.pending = Some(Pending::AppointmentTime);
        if free.is_empty() {
            return;
        }
        let list: Vec<String> = free.iter().map(|(d, t)| format!("{d} {t}")).collect();
        self.say("appointment_slots", &[("slots", &list.join(", "))]);
    }

    pub(super) fn lead_score(&self) -> i64 {
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

    /// The template's lead form (name, email, phone…); email at least, to answer.
    pub(super) fn lead_form(&self) -> Form {
        let mut fields = self.ctx.template.lead_form.clone();
        if !fields.iter().any(|f| f == "email") {
            fields.push("email".into());
        }
        Form {
            kind: "lead".into(),
            fields,
        }
    }
}
