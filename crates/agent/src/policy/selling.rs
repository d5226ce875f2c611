//! Finding and presenting products: search with carried preferences and one guided-selling
//! question, references to the products shown, variants, product details and comparisons.

use super::*;

impl Turn<'_, '_> {
    /// Searches with the message (or, for a refinement, the last search's words plus the
    /// message), the stated budget as a filter and the other preferences as ranking, shows the
    /// best cards, and asks one guided-selling question when the results are too many.
    pub(super) async fn search_and_show(&mut self, text: Option<&str>) -> Result<(), AgentError> {
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
        let mut cards: Vec<ProductCard> = items.into_iter().take(SHOWN_CARDS).collect();
        // The variant asked for is sold out ("the red one in 42"): show the product's closest
        // variant in stock right after it.
        let mut sold_out: Option<(ProductCard, ProductCard)> = None;
        if let Some(first) = cards.first().cloned().filter(|c| !c.in_stock) {
            if let Some(alt) = self.in_stock_sibling(&first).await? {
                cards.retain(|c| c.sku != alt.sku);
                cards.insert(1, alt.clone());
                cards.truncate(SHOWN_CARDS);
                sold_out = Some((first, alt));
            }
        }
        // "The second one" means the second card the shopper sees.
        self.remember_shown(&cards);
        if relaxed {
            self.say("results_relaxed", &[]);
        } else if cards.len() == 1 {
            self.say("results_one", &[("title", &cards[0].title)]);
        } else {
            self.say("results_intro", &[("count", &cards.len().to_string())]);
        }
        let median = median_price(&cards);
        self.reply.products = cards;
        if let Some((first, alt)) = sold_out {
            let title = |c: &ProductCard| match &c.variant {
                Some(v) => format!("{} ({v})", c.title),
                None => c.title.clone(),
            };
            self.say(
                "out_of_stock_alternative",
                &[("title", &title(&first)), ("alternative", &title(&alt))],
            );
            self.quick("qr_add", &format!("add:{}", alt.sku));
            self.state.pending = Some(Pending::BackInStock { sku: first.sku });
            return Ok(());
        }
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

    /// Another variant of a card's product that is in stock, sharing the most attributes
    /// (colour, size…) with it.
    pub(super) async fn in_stock_sibling(
        &mut self,
        card: &ProductCard,
    ) -> Result<Option<ProductCard>, AgentError> {
        let r = self
            .tools
            .call(
                self.state,
                ToolCall::GetProduct {
                    product_id: card.product_id.clone(),
                    sku: Some(card.sku.clone()),
                },
            )
            .await?;
        let ToolResult::Product { variants, .. } = r else {
            return Ok(None);
        };
        let parts = |c: &ProductCard| -> Vec<String> {
            c.variant
                .as_deref()
                .unwrap_or("")
                .split(" / ")
                .map(str::to_string)
                .collect()
        };
        let want = parts(card);
        Ok(variants
            .into_iter()
            .filter(|v| v.in_stock && v.sku != card.sku)
            .max_by_key(|v| parts(v).iter().filter(|p| want.contains(p)).count()))
    }

    /// A search for something else: the questions start over, and a budget or use stated for
    /// the previous kind of product (not in this message) no longer applies. Sizes and colours
    /// stay, as ranking hints.
    pub(super) fn new_search_chain(&mut self) {
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
    pub(super) fn is_refinement(&self, text: &str) -> bool {
        let r = self.peek(text, 1, false);
        r.interpretation.terms.is_empty()
            || (r.total == 0
                && r.interpretation.unmatched.len() == r.interpretation.terms.len()
                && text.split_whitespace().count() <= 4)
    }

    /// The first guided question of the template not yet answered or asked in this search.
    pub(super) fn next_question(&self) -> Option<String> {
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

    pub(super) fn shown_have_sizes(&self) -> bool {
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

    pub(super) fn shown_colors(&self) -> usize {
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

    pub(super) fn ask(&mut self, slot: &str, median: Option<Decimal>) {
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

    pub(super) async fn cheaper(&mut self) -> Result<(), AgentError> {
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

    pub(super) fn remember_shown(&mut self, items: &[ProductCard]) {
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

    /// The product a message points at: a named product, "the second one", "the red one",
    /// "the cheaper one", "it" (the product in focus), or the only one shown.
    pub(super) fn resolve(&self, u: &Understanding, folded: &str) -> Option<Shown> {
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
        // "The Grip mat", "the headlamp": words naming one of the products shown.
        let ids: Vec<String> = shown.iter().map(|s| s.product_id.clone()).collect();
        if let Some(id) = self.named_among(folded, &ids) {
            return shown.iter().find(|s| s.product_id == id).cloned();
        }
        if let Some(f) = &self.state.focus {
            return Some(f.clone());
        }
        if shown.len() == 1 {
            return shown.first().cloned();
        }
        self.named_in_catalogue(folded)
    }

    /// The product among `candidates` the message's words name best, if any does: the shop's
    /// search ranks the whole catalogue and the first candidate in its ranking wins.
    pub(super) fn named_among(&self, text: &str, candidates: &[String]) -> Option<String> {
        if candidates.is_empty() {
            return None;
        }
        self.peek(text, 50, false)
            .hits
            .iter()
            .find(|h| candidates.contains(&h.product_id))
            .map(|h| h.product_id.clone())
    }

    /// The product a message names in the whole catalogue when nothing shown fits ("I'd like
    /// the AeroTrail shoes in red"): the best hit, if it matches every searched word.
    pub(super) fn named_in_catalogue(&self, text: &str) -> Option<Shown> {
        let r = self.peek(text, 1, true);
        let h = r.hits.first()?;
        let id = (h.explain.as_ref()?.parts.coverage >= 0.99).then(|| h.product_id.clone())?;
        self.shown_of_product(&id)
    }

    /// A product not in the list shown, with its best variant for the stated preferences.
    pub(super) fn shown_of_product(&self, product_id: &str) -> Option<Shown> {
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
    pub(super) fn pick_variant(
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
                        .filter_map(|v| {
                            let shown: Vec<(String, String)> = v
                                .options
                                .0
                                .iter()
                                .map(|(k, val)| {
                                    (
                                        k.clone(),
                                        index.analyzer().localize_value(val, self.lang.code()),
                                    )
                                })
                                .collect();
                            crate::reply::variant_label(&shown)
                        })
                        .collect();
                    options.dedup();
                    options.truncate(8);
                    // The value asked for, as a word of the shopper's language ("purple" →
                    // "violet" in French), sizes as they are.
                    let asked = index
                        .analyzer()
                        .lexicon
                        .names
                        .get(&(w.clone(), self.lang.code().to_string()))
                        .cloned()
                        .unwrap_or_else(|| w.to_uppercase());
                    return Err((asked, options));
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

    pub(super) fn say_unavailable(&mut self, title: &str, value: &str, options: &[String]) {
        let list = options.join(", ");
        self.say(
            "variant_unavailable",
            &[("title", title), ("value", value), ("options", &list)],
        );
    }

    pub(super) async fn product_info(
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

    pub(super) fn availability(&self, card: &ProductCard) -> String {
        match card.stock {
            _ if card.digital && card.in_stock => self.text_of("availability_digital", &[]),
            None => self.text_of("availability_available", &[]),
            Some(0) => self.text_of("availability_out", &[]),
            Some(n) => self.text_of("availability_in_stock", &[("count", &n.to_string())]),
        }
    }

    pub(super) fn focus_on(&mut self, card: &ProductCard) {
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

    pub(super) async fn compare(
        &mut self,
        u: &Understanding,
        folded: &str,
    ) -> Result<(), AgentError> {
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
                    self.availability(&card).trim_end_matches(['.', '!'])
                );
                self.reply.say(line);
                cards.push(card);
            }
        }
        self.reply.products = cards;
        Ok(())
    }
}
