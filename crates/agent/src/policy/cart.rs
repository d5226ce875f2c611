//! The cart and the order: adding (never beyond stock, an alternative when sold out, one
//! upsell), changing and removing lines, checkout (one cross-sell) and order status.

use super::*;

impl Turn<'_, '_> {
    pub(super) async fn add_from_text(
        &mut self,
        u: &Understanding,
        folded: &str,
    ) -> Result<(), AgentError> {
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
        let quantity = stated_quantity(u, folded);
        if let (Some(q), Some(_)) = (quantity, self.state.cart.line(&sku)) {
            if is_change(folded) {
                return self.update_quantity(&sku, q).await;
            }
        }
        self.add(&sku, quantity.unwrap_or(1)).await
    }

    pub(super) fn understanding_text(&self, u: &Understanding) -> String {
        u.entities
            .iter()
            .map(|e| e.value.clone())
            .collect::<Vec<_>>()
            .join(" ")
    }

    pub(super) fn shown_cards(&self) -> Vec<ProductCard> {
        self.state
            .shown
            .iter()
            .take(SHOWN_CARDS)
            .filter_map(|s| self.tools.card(&s.sku))
            .collect()
    }

    /// Adds to the cart, never beyond stock; out of stock, offers the closest in-stock
    /// variant or product and a back-in-stock notice; upsells once.
    pub(super) async fn add(&mut self, sku: &str, quantity: i64) -> Result<(), AgentError> {
        let had = self.state.cart.line(sku).map_or(0, |l| l.quantity);
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
                // What the cart really gained, capped by stock or the line limit.
                let added = (now - had).max(0);
                let capped = added < requested;
                let total = self.cart_total();
                if capped {
                    let available = card
                        .as_ref()
                        .and_then(|c| c.stock)
                        .unwrap_or(now)
                        .min(MAX_LINE_QUANTITY)
                        .to_string();
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

    pub(super) async fn upsell(&mut self, sku: &str) -> Result<(), AgentError> {
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
            // A step up, not a leap: at most 30% dearer.
            let ceiling = price * Decimal::new(13, 1);
            let better = upsell.into_iter().find(|u| {
                let p = u.price.parse::<Decimal>().unwrap_or_default();
                u.in_stock && u.product_id != card.product_id && p > price && p <= ceiling
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

    pub(super) async fn out_of_stock(&mut self, sku: &str) -> Result<(), AgentError> {
        let Some(card) = self.tools.card(sku) else {
            self.say("fallback", &[]);
            return Ok(());
        };
        // Another variant of the same product first (sharing the most attributes), then a
        // similar product.
        let mut alternative = self.in_stock_sibling(&card).await?;
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

    pub(super) async fn back_in_stock(&mut self, sku: &str) -> Result<(), AgentError> {
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

    pub(super) async fn update_quantity(
        &mut self,
        sku: &str,
        quantity: i64,
    ) -> Result<(), AgentError> {
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

    pub(super) async fn remove(&mut self, sku: &str) -> Result<(), AgentError> {
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

    pub(super) async fn remove_from_text(
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
            let ids: Vec<String> = lines.iter().map(|l| l.product_id.clone()).collect();
            if let Some(id) = self.named_among(folded, &ids) {
                target = lines
                    .iter()
                    .find(|l| l.product_id == id)
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

    pub(super) async fn view_cart(&mut self) -> Result<(), AgentError> {
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

    /// Places the order when the agent has what it needs, else asks for the missing fields
    /// (with one cross-sell suggestion, the first time).
    pub(super) async fn checkout(
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

    pub(super) async fn cross_sell(&mut self) -> Result<(), AgentError> {
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

    pub(super) async fn order_status(&mut self, id: Option<String>) -> Result<(), AgentError> {
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

    /// The cart line a message points at: a named product, the product in focus, or the only
    /// line.
    pub(super) fn cart_target(&self, u: &Understanding, folded: &str) -> Option<String> {
        let lines = &self.state.cart.lines;
        if let Some(id) = entity(u, EntityKind::Product).and_then(|e| e.id.as_ref()) {
            if let Some(l) = lines.iter().find(|l| &l.product_id == id) {
                return Some(l.sku.clone());
            }
        }
        let ids: Vec<String> = lines.iter().map(|l| l.product_id.clone()).collect();
        if let Some(id) = self.named_among(folded, &ids) {
            return lines
                .iter()
                .find(|l| l.product_id == id)
                .map(|l| l.sku.clone());
        }
        if let Some(f) = &self.state.focus {
            if let Some(l) = lines.iter().find(|l| l.sku == f.sku) {
                return Some(l.sku.clone());
            }
        }
        (lines.len() == 1).then(|| lines[0].sku.clone())
    }

    /// What goes with a product: the merchant's rules and what shoppers bought with it, then
    /// similar ones, in stock.
    pub(super) async fn goes_with_product(&mut self, focus: &Shown) -> Result<(), AgentError> {
        let r = self
            .tools
            .call(
                self.state,
                ToolCall::Recommend {
                    product_id: focus.product_id.clone(),
                    budget: None,
                },
            )
            .await?;
        let mut cards = Vec::new();
        if let ToolResult::Recommendations {
            cross_sell,
            similar,
            ..
        } = r
        {
            let in_cart: Vec<String> = self
                .state
                .cart
                .lines
                .iter()
                .map(|l| l.product_id.clone())
                .collect();
            for c in cross_sell.into_iter().chain(similar) {
                if c.in_stock
                    && c.product_id != focus.product_id
                    && !in_cart.contains(&c.product_id)
                    && !cards
                        .iter()
                        .any(|x: &ProductCard| x.product_id == c.product_id)
                {
                    cards.push(c);
                }
            }
        }
        cards.truncate(3);
        match cards.first() {
            Some(first) => {
                let p = self.price(&first.price, &first.currency);
                self.say("cross_sell", &[("title", &first.title), ("price", &p)]);
                self.remember_shown(&cards);
                self.reply.products = cards;
            }
            None => {
                let q = focus.title.clone();
                self.say("results_none", &[("query", &q)]);
            }
        }
        Ok(())
    }
}
