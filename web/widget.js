/*!
 * Comptoir chat widget: the shopper-facing chat of Comptoir, an AI sales agent.
 *
 * Embed it on any page with ONE tag (the public key is safe to publish):
 *   <script src="https://YOUR-COMPTOIR-HOST/widget.js" data-key="pk_..." async></script>
 * Optional attribute: data-locale="fr" (fr, en, de, it, es; default: the browser's language).
 *
 * It appends a <comptoir-chat> element to <body>: a chat bubble at the bottom right opening a
 * chat panel, rendered in a shadow DOM so the page's CSS can't reach it and its CSS can't leak
 * out. It talks to the Comptoir API at the origin of this script's src (GET /v1/widget/config,
 * POST /v1/conversations, POST /v1/conversations/{id}/messages as Server-Sent Events) with the
 * public key, and keeps the conversation id in localStorage so history survives reloads.
 * While the panel is open and the page visible it polls the transcript (GET
 * /v1/conversations/{id}?after=SEQ, every 3 s, 2 s while a person of the shop has the chat,
 * backing off on errors) for what a person of the shop writes: their messages show with
 * their name, their joining and leaving as system lines.
 * Plain modern JavaScript, no dependencies, no build step. Text from the server is only ever
 * set with textContent, and image URLs are used only when they are http(s).
 */
(() => {
  "use strict";
  const TAG = "comptoir-chat";
  if (!window.customElements || customElements.get(TAG)) return;

  const LANGS = ["en", "fr", "de", "it", "es"];
  const FIELDS = ["name", "email", "phone", "address"];
  // The widget's own texts. {n} is replaced by a number.
  const T = {
    en: {
      ph: "Type your message", send: "Send", msg: "Message", open: "Open chat", close: "Close chat",
      add: "Add to cart", added: "Added to cart", removed: "Removed from cart", out: "Out of stock",
      left: "Only {n} left", cart: "Cart", remove: "Remove", checkout: "Checkout", name: "Name",
      email: "Email", phone: "Phone (optional)", address: "Delivery address", place: "Place order",
      cancel: "Cancel", order: "Order placed", no: "Order", total: "Total", bot: "Assistant",
      err: "Something went wrong. Please try again.", wait: "Too many messages. Please wait {n} s.",
      typing: "Typing…", products: "Products", hi: "Hello! How can I help you?",
      bad: "Please check: {n}", pay: "Pay now",
    },
    fr: {
      ph: "Écrivez votre message", send: "Envoyer", msg: "Message", open: "Ouvrir le chat",
      close: "Fermer le chat", add: "Ajouter au panier", added: "Ajouté au panier",
      removed: "Retiré du panier", out: "Rupture de stock", left: "Plus que {n} en stock",
      cart: "Panier", remove: "Retirer", checkout: "Commander", name: "Nom", email: "E-mail",
      phone: "Téléphone (facultatif)", address: "Adresse de livraison", place: "Valider la commande",
      cancel: "Annuler", order: "Commande enregistrée", no: "Commande", total: "Total",
      bot: "Assistant", err: "Une erreur est survenue. Veuillez réessayer.",
      wait: "Trop de messages. Patientez {n} s.", typing: "En train d'écrire…", products: "Produits",
      hi: "Bonjour ! Comment puis-je vous aider ?", bad: "Veuillez vérifier : {n}", pay: "Payer",
    },
    de: {
      ph: "Nachricht eingeben", send: "Senden", msg: "Nachricht", open: "Chat öffnen",
      close: "Chat schließen", add: "In den Warenkorb", added: "Zum Warenkorb hinzugefügt",
      removed: "Aus dem Warenkorb entfernt", out: "Ausverkauft", left: "Nur noch {n} verfügbar",
      cart: "Warenkorb", remove: "Entfernen", checkout: "Zur Kasse", name: "Name", email: "E-Mail",
      phone: "Telefon (optional)", address: "Lieferadresse", place: "Bestellung aufgeben",
      cancel: "Abbrechen", order: "Bestellung aufgegeben", no: "Bestellung", total: "Summe",
      bot: "Assistent", err: "Etwas ist schiefgelaufen. Bitte erneut versuchen.",
      wait: "Zu viele Nachrichten. Bitte {n} s warten.", typing: "Schreibt…", products: "Produkte",
      hi: "Hallo! Wie kann ich helfen?", bad: "Bitte prüfen: {n}", pay: "Jetzt bezahlen",
    },
    it: {
      ph: "Scrivi il tuo messaggio", send: "Invia", msg: "Messaggio", open: "Apri la chat",
      close: "Chiudi la chat", add: "Aggiungi al carrello", added: "Aggiunto al carrello",
      removed: "Rimosso dal carrello", out: "Esaurito", left: "Solo {n} disponibili",
      cart: "Carrello", remove: "Rimuovi", checkout: "Procedi all'ordine", name: "Nome",
      email: "Email", phone: "Telefono (facoltativo)", address: "Indirizzo di consegna",
      place: "Conferma ordine", cancel: "Annulla", order: "Ordine effettuato", no: "Ordine",
      total: "Totale", bot: "Assistente", err: "Si è verificato un errore. Riprova.",
      wait: "Troppi messaggi. Attendi {n} s.", typing: "Sta scrivendo…", products: "Prodotti",
      hi: "Ciao! Come posso aiutarti?", bad: "Controlla: {n}", pay: "Paga ora",
    },
    es: {
      ph: "Escribe tu mensaje", send: "Enviar", msg: "Mensaje", open: "Abrir el chat",
      close: "Cerrar el chat", add: "Añadir al carrito", added: "Añadido al carrito",
      removed: "Eliminado del carrito", out: "Agotado", left: "Solo quedan {n}", cart: "Carrito",
      remove: "Eliminar", checkout: "Finalizar compra", name: "Nombre", email: "Correo electrónico",
      phone: "Teléfono (opcional)", address: "Dirección de entrega", place: "Realizar pedido",
      cancel: "Cancelar", order: "Pedido realizado", no: "Pedido", total: "Total",
      bot: "Asistente", err: "Algo salió mal. Inténtalo de nuevo.",
      wait: "Demasiados mensajes. Espera {n} s.", typing: "Escribiendo…", products: "Productos",
      hi: "¡Hola! ¿En qué puedo ayudarte?", bad: "Revisa: {n}", pay: "Pagar ahora",
    },
  };

  const STYLE = `
:host{all:initial}
*{box-sizing:border-box}
[hidden]{display:none!important}
.cz{--cz-accent:#1f6feb;--cz-on:#fff;font:15px/1.45 system-ui,-apple-system,"Segoe UI",Roboto,sans-serif;color:#1d2330}
button{font:inherit;cursor:pointer}
:focus-visible{outline:3px solid #1d2330;outline-offset:2px}
.cz-head :focus-visible,.cz-user:focus-visible{outline-color:var(--cz-on);outline-offset:-4px}
.cz-bubble{position:fixed;right:20px;bottom:20px;z-index:2147483000;width:60px;height:60px;border-radius:50%;border:0;background:var(--cz-accent);color:var(--cz-on);box-shadow:0 6px 20px rgba(0,0,0,.25);display:grid;place-items:center;padding:0}
.cz-bubble svg{width:28px;height:28px;fill:currentColor}
.cz-panel{position:fixed;right:20px;bottom:92px;z-index:2147483001;width:380px;max-width:calc(100vw - 40px);height:600px;max-height:calc(100vh - 112px);display:flex;flex-direction:column;background:#fff;border-radius:16px;box-shadow:0 12px 40px rgba(0,0,0,.28);overflow:hidden}
.cz-head{display:flex;align-items:center;gap:10px;padding:12px 14px;background:var(--cz-accent);color:var(--cz-on);flex:none}
.cz-head img{width:34px;height:34px;border-radius:50%;object-fit:cover;background:#fff}
.cz-title{flex:1;font-weight:600;font-size:16px;overflow:hidden;text-overflow:ellipsis;white-space:nowrap}
.cz-close{background:none;border:0;color:inherit;font-size:26px;line-height:1;width:40px;height:40px;border-radius:8px}
.cz-log{flex:1;overflow-y:auto;padding:14px;display:flex;flex-direction:column;gap:8px;background:#f5f6f8}
.cz-log>*{flex:none}
.cz-msg{max-width:85%;padding:9px 12px;border-radius:14px;white-space:pre-wrap;overflow-wrap:anywhere}
.cz-bot{align-self:flex-start;background:#fff;border:1px solid #e3e6ec;border-bottom-left-radius:4px}
.cz-user{align-self:flex-end;background:var(--cz-accent);color:var(--cz-on);border-bottom-right-radius:4px}
.cz-sent::after{content:" ✓";font-size:12px;opacity:.8}
.cz-staff{align-self:flex-start;max-width:85%;display:flex;flex-direction:column;gap:2px}
.cz-by{font-size:12px;font-weight:600;color:#4b5565;padding-left:4px;overflow-wrap:anywhere}
.cz-person{max-width:none;background:#fff8e6;border:1px solid #ecd9a6;border-bottom-left-radius:4px}
.cz-sys,.cz-err{align-self:center;font-size:13px;color:#4b5565;text-align:center}
.cz-err{color:#b42318}
.cz-typing{align-self:flex-start;display:flex;gap:4px;padding:12px 4px}
.cz-typing span{width:7px;height:7px;border-radius:50%;background:#6b7385;animation:cz-b .9s infinite alternate}
.cz-typing span:nth-child(2){animation-delay:.2s}.cz-typing span:nth-child(3){animation-delay:.4s}
@keyframes cz-b{to{opacity:.25;transform:translateY(-3px)}}
.cz-cards{display:flex;gap:10px;overflow-x:auto;padding:2px 2px 8px;scroll-snap-type:x mandatory}
.cz-card{flex:0 0 150px;min-width:0;scroll-snap-align:start;background:#fff;border:1px solid #e3e6ec;border-radius:12px;overflow:hidden;display:flex;flex-direction:column}
.cz-card img,.cz-noimg{width:100%;height:104px;object-fit:cover;background:#eceef2;display:block}
.cz-noimg{display:grid;place-items:center;color:#8a93a3;font-size:30px;font-weight:700}
.cz-body{padding:8px 10px 10px;display:flex;flex-direction:column;gap:3px;flex:1}
.cz-name{font-weight:600;font-size:14px;line-height:1.3;overflow-wrap:anywhere;display:-webkit-box;-webkit-box-orient:vertical;-webkit-line-clamp:3;overflow:hidden}
.cz-variant{font-size:13px;color:#4b5565;overflow-wrap:anywhere}
.cz-stock{font-size:13px;color:#a23b00}
.cz-price{font-weight:700;display:flex;flex-wrap:wrap;align-items:baseline;column-gap:6px}.cz-price s{font-weight:400;color:#4b5565;font-size:13px}
.cz-add,.cz-primary,.cz-send,.cz-checkout{background:var(--cz-accent);color:var(--cz-on);border:0;border-radius:8px;padding:8px 12px;font-weight:600}
.cz-add{margin-top:auto;font-size:14px}
.cz-add:disabled{background:#dfe2e8;color:#4b5565;cursor:not-allowed}
.cz-send:disabled{opacity:.6}
.cz-qrs{display:flex;flex-wrap:wrap;gap:6px;justify-content:flex-end}
.cz-qr{background:#fff;color:#1d2330;border:1.5px solid var(--cz-accent);border-radius:999px;padding:6px 12px;font-size:14px}
.cz-cart{border-top:1px solid #e3e6ec;background:#fff;padding:6px 12px;flex:none}
.cz-bar{display:flex;align-items:center;gap:8px}
.cz-toggle{flex:1;min-width:0;overflow:hidden;text-overflow:ellipsis;white-space:nowrap;text-align:left;background:none;border:0;padding:6px 4px;color:#1d2330;border-radius:6px}
.cz-count{display:inline-block;min-width:22px;padding:0 6px;margin-right:6px;border-radius:11px;background:var(--cz-accent);color:var(--cz-on);text-align:center;font-size:13px;font-weight:700}
.cz-items{list-style:none;margin:4px 0 0;padding:0;max-height:140px;overflow:auto;font-size:14px}
.cz-items li{display:flex;align-items:center;gap:8px;padding:3px 0;border-top:1px solid #eef0f3}
.cz-items li>span:first-child{flex:1;min-width:0;overflow-wrap:anywhere;display:-webkit-box;-webkit-box-orient:vertical;-webkit-line-clamp:2;overflow:hidden}
.cz-items li>span:nth-child(2){white-space:nowrap}
.cz-remove{flex:none;background:none;border:0;font-size:20px;line-height:1;width:32px;height:32px;border-radius:6px;color:#4b5565}
.cz-compose{display:flex;gap:8px;padding:10px 12px;border-top:1px solid #e3e6ec;background:#fff;flex:none}
.cz-input{flex:1;min-width:0;font:inherit;font-size:16px;padding:9px 12px;border:1px solid #9aa1b0;border-radius:10px;color:#1d2330;background:#fff}
.cz-form,.cz-order{flex:none;overflow-wrap:anywhere;background:#fff;border:1px solid #e3e6ec;border-radius:12px;padding:12px;display:flex;flex-direction:column;gap:8px}
.cz-form b,.cz-order b{font-size:15px}
.cz-form label{font-size:13px;color:#344054;display:block;margin-bottom:2px}
.cz-form input,.cz-form textarea{width:100%;font:inherit;font-size:16px;padding:8px 10px;border:1px solid #9aa1b0;border-radius:8px;color:#1d2330;background:#fff;resize:vertical}
.cz-form [aria-invalid=true]{border:2px solid #b42318}
.cz-row{display:flex;gap:8px}
.cz-ghost{background:#fff;border:1px solid #9aa1b0;border-radius:8px;padding:8px 12px;color:#1d2330}
.cz-order{border:2px solid #12b76a}
.cz-order b{color:#067647}
.cz-paylink{align-self:flex-start;background:var(--cz-accent);color:var(--cz-on);border-radius:8px;padding:8px 12px;font-weight:600;text-decoration:none}
.cz-pay{margin:0;white-space:pre-wrap;font-size:14px;background:#f5f6f8;padding:8px;border-radius:8px}
.cz-sr{position:absolute;width:1px;height:1px;overflow:hidden;clip:rect(0 0 0 0);white-space:nowrap}
@media (max-width:480px){.cz-panel{inset:0;width:100%;max-width:none;height:100%;max-height:none;border-radius:0}}
@media (prefers-reduced-motion:reduce){.cz-typing span{animation:none}}
`;

  // h("div", {class: "x", onclick: f, text: "t"}, child...): a DOM element; strings become text nodes.
  const h = (tag, attrs, ...kids) => {
    const e = document.createElement(tag);
    for (const k in attrs || {}) {
      const v = attrs[k];
      if (v == null || v === false) continue;
      if (k.startsWith("on")) e.addEventListener(k.slice(2), v);
      else if (k === "text") e.textContent = v;
      else e.setAttribute(k, v === true ? "" : v);
    }
    for (const c of kids) if (c != null && c !== false && c !== "") e.append(c);
    return e;
  };
  const icon = (d) => {
    const ns = "http://www.w3.org/2000/svg";
    const s = document.createElementNS(ns, "svg");
    s.setAttribute("viewBox", "0 0 24 24");
    s.setAttribute("aria-hidden", "true");
    const p = document.createElementNS(ns, "path");
    p.setAttribute("d", d);
    s.append(p);
    return s;
  };
  // An error whose message is meant for the shopper.
  const uiErr = (m) => Object.assign(new Error(m), { ui: true });
  const safeUrl = (u) => (typeof u === "string" && /^https?:\/\//i.test(u) ? u : null);
  const langOf = (l) => {
    const s = String(l || "").slice(0, 2).toLowerCase();
    return LANGS.includes(s) ? s : null;
  };
  // Text (black or white) that contrasts best with a #rgb / #rrggbb colour.
  const onColor = (c) => {
    let m = /^#([0-9a-f]{3}|[0-9a-f]{6})$/i.exec(c);
    if (!m) return "#fff";
    let x = m[1];
    if (x.length === 3) x = x.replace(/./g, "$&$&");
    const lum = [0, 2, 4]
      .map((i) => parseInt(x.slice(i, i + 2), 16) / 255)
      .map((v) => (v <= 0.03928 ? v / 12.92 : ((v + 0.055) / 1.055) ** 2.4));
    const L = 0.2126 * lum[0] + 0.7152 * lum[1] + 0.0722 * lum[2];
    return 1.05 / (L + 0.05) >= (L + 0.05) / 0.05 ? "#fff" : "#111";
  };

  class ComptoirChat extends HTMLElement {
    connectedCallback() {
      if (this.started) return;
      this.started = true;
      const d = this.dataset;
      this.key = d.key || "";
      this.base = (d.base || location.origin).replace(/\/+$/, "");
      this.locale = d.locale || "";
      this.storeKey = `comptoir:${this.key}:conversation`;
      try {
        this.conv = localStorage.getItem(this.storeKey);
      } catch (_) {}
      this.busy = false;
      this.waitUntil = 0;
      // The last turn seen (polling asks for the ones after it) and polling's error count.
      this.seq = 0;
      this.fails = 0;
      document.addEventListener("visibilitychange", () => this.schedule(0));
      this.fmts = {};
      this.init();
    }

    async init() {
      const q = this.locale ? "?lang=" + encodeURIComponent(this.locale) : "";
      const [cfg, hist] = await Promise.all([
        // No config (error, or no answer in 5 s): the bubble still comes, with defaults.
        this.json("GET", "/v1/widget/config" + q, undefined, 5000).catch(() => ({})),
        this.history(),
      ]);
      this.cfg = cfg || {};
      this.ui = langOf(this.locale) || langOf(this.cfg.locale) || langOf(navigator.language) || "en";
      this.build();
      const welcome = typeof this.cfg.welcome === "string" ? this.cfg.welcome : this.t("hi");
      if (welcome) this.msg("bot", welcome);
      const turns = (hist && hist.turns) || [];
      let prevQr = this.cfg.quick_replies;
      // Product titles by sku, to name the products of past cart actions.
      const titles = {};
      const learn = (list) => (Array.isArray(list) ? list : []).forEach((p) => p && (titles[p.sku] = p.title));
      learn(hist && hist.cart && hist.cart.items);
      this.status = hist && hist.status;
      turns.forEach((tn, i) => {
        const input = tn.input || {};
        const a = input.action;
        this.seq = Math.max(this.seq, +tn.seq || 0);
        if (input.staff) return this.staff(tn);
        if (input.text != null) this.msg("user", input.text);
        else if (a && a.type === "quick_reply") {
          const q = (prevQr || []).find((r) => r.payload === a.payload);
          this.msg(q ? "user" : "sys", q ? q.label : String(a.payload));
        } else if (a) this.msg("sys", this.actionText(a, titles[a.sku]));
        this.reply(tn.reply, i === turns.length - 1, false);
        learn(tn.reply && tn.reply.products);
        prevQr = tn.reply && tn.reply.quick_replies;
      });
      if (!turns.length) this.quick(this.cfg.quick_replies);
      this.renderCart(hist && hist.cart);
      this.down();
    }

    t(k, n) {
      return (T[this.ui][k] || T.en[k]).replace("{n}", n);
    }

    // ---- API --------------------------------------------------------------------------------
    call(method, path, body, accept, ms) {
      const headers = { Authorization: "Bearer " + this.key, Accept: accept || "application/json" };
      if (body !== undefined) headers["Content-Type"] = "application/json";
      return fetch(this.base + path, {
        method,
        headers,
        body: body === undefined ? undefined : JSON.stringify(body),
        signal: ms && AbortSignal.timeout ? AbortSignal.timeout(ms) : undefined,
      });
    }
    async json(method, path, body, ms) {
      const r = await this.call(method, path, body, undefined, ms);
      if (!r.ok) throw await this.problem(r);
      return r.json();
    }
    // An Error carrying a problem+json body's detail (or a generic text), and Retry-After on 429.
    async problem(r) {
      if (r.status === 429) {
        const ra = r.headers.get("Retry-After") || "";
        let s = /^\d+$/.test(ra.trim()) ? +ra : Math.ceil((Date.parse(ra) - Date.now()) / 1000);
        if (!(s > 0)) s = 5;
        this.waitUntil = Date.now() + s * 1000;
        return uiErr(this.t("wait", s));
      }
      let p = {};
      try {
        p = await r.json();
      } catch (_) {}
      const e = uiErr((p && (p.detail || p.title)) || (this.ui ? this.t("err") : "error"));
      e.status = r.status;
      e.code = p && p.code;
      e.fields = p && Array.isArray(p.errors) ? p.errors.map((x) => x && x.field) : [];
      return e;
    }
    async history() {
      if (!this.conv) return null;
      try {
        const r = await this.call("GET", "/v1/conversations/" + encodeURIComponent(this.conv), undefined, null, 5000);
        if (r.status === 404) this.forget();
        return r.ok ? await r.json() : null;
      } catch (_) {
        return null;
      }
    }
    forget() {
      this.conv = null;
      this.seq = 0;
      try {
        localStorage.removeItem(this.storeKey);
      } catch (_) {}
    }
    async conversation() {
      if (this.conv) return this.conv;
      const c = await this.json("POST", "/v1/conversations", this.locale ? { locale: this.locale } : {});
      this.conv = c.id;
      try {
        localStorage.setItem(this.storeKey, c.id);
      } catch (_) {}
      return c.id;
    }
    post(id, body) {
      return this.call("POST", `/v1/conversations/${encodeURIComponent(id)}/messages`, body, "text/event-stream");
    }
    // Polls the transcript in `ms` (default: 2 s while a person has the chat, else 3 s), only
    // while there is a conversation, the panel is open and the page visible.
    schedule(ms) {
      clearTimeout(this.pollT);
      this.pollT = null;
      if (!this.conv || !this.panel || this.panel.hidden || document.visibilityState !== "visible") return;
      this.pollT = setTimeout(() => this.poll(), ms != null ? ms : this.status === "human" ? 2000 : 3000);
    }
    // New turns: a person's ones are shown (the shopper's and the agent's are shown already
    // by send()); every one moves the sequence on, so none is shown twice.
    async poll() {
      if (this.polling) return (this.again = true);
      this.polling = true;
      let wait;
      try {
        const r = await this.call("GET", `/v1/conversations/${encodeURIComponent(this.conv)}?after=${this.seq}`, undefined, null, 8000);
        if (r.status === 404) return this.forget();
        if (!r.ok) {
          // Errors back off (3 s doubling, at most 60 s, at least what Retry-After says).
          const ra = +r.headers.get("Retry-After") * 1000 || 0;
          wait = Math.max(ra, Math.min(60000, 3000 * 2 ** ++this.fails));
          return;
        }
        const b = await r.json();
        this.fails = 0;
        if (typeof b.status === "string") this.status = b.status;
        for (const tn of Array.isArray(b.turns) ? b.turns : []) {
          if (!(tn.seq > this.seq)) continue;
          this.seq = tn.seq;
          if (tn.input && tn.input.staff) this.staff(tn);
        }
        if (b.next_after) wait = 0;
      } catch (_) {
        wait = Math.min(60000, 3000 * 2 ** ++this.fails);
      } finally {
        this.polling = false;
        if (this.again) wait = wait || 0;
        this.again = false;
        this.schedule(wait);
      }
    }

    // Sends one input ({text} or {action}) after showing it in the log; renders the reply.
    async send(body, who, label) {
      if (this.busy) return;
      this.clearErr();
      const left = Math.ceil((this.waitUntil - Date.now()) / 1000);
      if (left > 0) return this.msg("err", this.t("wait", left));
      this.setBusy(true);
      this.quick(null);
      const form = this.form && this.form.isConnected ? this.form : null;
      if (form) form.remove();
      this.sent = this.msg(who, label);
      const typing = this.log.appendChild(
        h("div", { class: "cz-typing", role: "status", "aria-label": this.t("typing") }, h("span"), h("span"), h("span"))
      );
      this.down();
      try {
        let r = await this.post(await this.conversation(), body);
        if (r.status === 404) {
          // The conversation expired or was deleted: start a new one and send again.
          this.forget();
          r = await this.post(await this.conversation(), body);
        }
        if (!r.ok) throw await this.problem(r);
        const ct = r.headers.get("Content-Type") || "";
        let got = false;
        const onTurn = (turn) => {
          got = true;
          typing.remove();
          this.turn(turn);
        };
        if (ct.includes("text/event-stream")) await this.readSse(r, onTurn);
        else onTurn(await r.json());
        if (!got) throw uiErr(this.t("err"));
      } catch (e) {
        let m = e && e.ui ? e.message : this.t("err");
        const code = e && e.code;
        if (code === "cart_empty") this.renderCart({ items: [], count: 0 });
        // A failed checkout keeps its form, with the fields the server refused marked.
        const keep = form && this.form === form && code !== "cart_empty";
        let bad = [];
        if (keep) {
          bad = [...form.querySelectorAll("[name]")].filter((i) => {
            const no = ((e && e.fields) || []).includes("customer." + i.name);
            i.setAttribute("aria-invalid", String(no));
            return no;
          });
          if (bad.length) m = this.t("bad", bad.map((i) => this.t(i.name).replace(/\s*\(.*\)$/, "")).join(", "));
        }
        this.msg("err", m);
        if (body.text && !this.input.value) this.input.value = body.text;
        if (keep) {
          this.log.append(form);
          this.down();
          if (body.action && body.action.type === "checkout") (bad[0] || form.querySelector("[name]")).focus();
        }
      } finally {
        typing.remove();
        this.setBusy(false);
        // Catch up with the transcript's sequence (and anything a person wrote meanwhile).
        this.schedule(0);
      }
    }
    // Reads `event: NAME\ndata: JSON\n\n` frames from the response body; ignores `:` comments.
    async readSse(r, onTurn) {
      const frame = (raw) => {
        let ev = "message";
        const data = [];
        for (const line of raw.split("\n")) {
          if (!line || line[0] === ":") continue;
          const i = line.indexOf(":");
          const f = i < 0 ? line : line.slice(0, i);
          let v = i < 0 ? "" : line.slice(i + 1);
          if (v[0] === " ") v = v.slice(1);
          if (f === "event") ev = v;
          else if (f === "data") data.push(v);
        }
        if (!data.length) return;
        const obj = JSON.parse(data.join("\n"));
        if (ev === "turn" || (ev === "message" && obj && obj.reply)) onTurn(obj);
        else if (ev === "error") throw uiErr((obj && (obj.detail || obj.title)) || this.t("err"));
      };
      if (!r.body || !r.body.getReader) return (await r.text()).split(/\r?\n\r?\n/).forEach(frame);
      const reader = r.body.getReader();
      const dec = new TextDecoder();
      let buf = "";
      for (;;) {
        const { value, done } = await reader.read();
        buf += done ? dec.decode() : dec.decode(value, { stream: true });
        // Normalise line ends; keep a trailing \r back in case its \n is in the next chunk.
        const hold = !done && buf.endsWith("\r");
        buf = (hold ? buf.slice(0, -1) : buf).replace(/\r\n?/g, "\n") + (hold ? "\r" : "");
        let i;
        while ((i = buf.indexOf("\n\n")) >= 0) {
          frame(buf.slice(0, i));
          buf = buf.slice(i + 2);
        }
        if (done) break;
      }
      if (buf.trim()) frame(buf);
    }

    // ---- rendering ----------------------------------------------------------------------------
    build() {
      const root = this.attachShadow({ mode: "open" });
      const cfg = this.cfg;
      const name = typeof cfg.name === "string" && cfg.name ? cfg.name : this.t("bot");
      const color = typeof cfg.color === "string" && CSS.supports("color", cfg.color) ? cfg.color : "#1f6feb";
      const wrap = h("div", { class: "cz", lang: this.ui });
      wrap.style.setProperty("--cz-accent", color);
      wrap.style.setProperty("--cz-on", onColor(color));
      const t = (k) => this.t(k);

      this.bubble = h(
        "button",
        {
          class: "cz-bubble", part: "bubble", type: "button", "aria-label": t("open"),
          "aria-expanded": "false", "aria-controls": "cz-panel", onclick: () => this.toggle(),
        },
        icon("M4 3h16a2 2 0 0 1 2 2v11a2 2 0 0 1-2 2H9l-5 4v-4a2 2 0 0 1-2-2V5a2 2 0 0 1 2-2z")
      );
      const avatar = safeUrl(cfg.avatar_url);
      this.log = h("div", { class: "cz-log", part: "log", role: "log", "aria-live": "polite", "aria-label": name, tabindex: "0" });
      this.cartEl = this.buildCart();
      this.input = h("input", {
        class: "cz-input", part: "input", id: "cz-in", type: "text", autocomplete: "off",
        placeholder: t("ph"), maxlength: "2000", enterkeyhint: "send",
      });
      this.sendBtn = h("button", { class: "cz-send", part: "send", type: "submit" }, t("send"));
      const compose = h(
        "form",
        {
          class: "cz-compose",
          onsubmit: (e) => {
            e.preventDefault();
            const v = this.input.value.trim();
            if (!v || this.busy) return;
            this.input.value = "";
            this.send({ text: v }, "user", v);
          },
        },
        h("label", { for: "cz-in", class: "cz-sr", text: t("msg") }),
        this.input,
        this.sendBtn
      );
      this.panel = h(
        "div",
        {
          class: "cz-panel", part: "panel", id: "cz-panel", role: "dialog", "aria-label": name, hidden: true,
          onkeydown: (e) => {
            if (e.key === "Escape") {
              e.stopPropagation();
              this.toggle(false);
            }
          },
        },
        h(
          "div",
          { class: "cz-head" },
          avatar && h("img", { src: avatar, alt: "", referrerpolicy: "no-referrer", onerror: (e) => e.target.remove() }),
          h("div", { class: "cz-title", text: name }),
          h("button", { class: "cz-close", type: "button", "aria-label": t("close"), onclick: () => this.toggle(false) }, "×")
        ),
        this.log,
        this.cartEl,
        compose
      );
      wrap.append(this.bubble, this.panel);
      root.append(h("style", { text: STYLE }), wrap);
    }

    toggle(open = this.panel.hidden) {
      this.panel.hidden = !open;
      this.bubble.setAttribute("aria-expanded", String(open));
      this.schedule(0);
      if (open) {
        this.down();
        this.input.focus();
      } else this.bubble.focus();
    }
    setBusy(on) {
      this.busy = on;
      this.sendBtn.disabled = on;
    }
    down() {
      this.log.scrollTop = this.log.scrollHeight;
    }
    // who: user | bot | sys | err
    msg(who, text) {
      const el = h("div", { class: who === "user" || who === "bot" ? `cz-msg cz-${who}` : `cz-${who}`, part: who, text });
      this.log.append(el);
      this.down();
      return el;
    }
    // A turn of a person of the shop: a message under their name, or a system line (joined, left).
    staff(tn) {
      const s = tn.input.staff;
      const text = tn.reply && tn.reply.text;
      if (!text) return;
      if (s.event !== "message") return this.msg("sys", String(text));
      this.log.append(
        h("div", { class: "cz-staff", part: "staff" }, h("div", { class: "cz-by", text: String(s.by || "") }), h("div", { class: "cz-msg cz-person", text: String(text) }))
      );
      this.down();
    }
    clearErr() {
      this.log.querySelectorAll(".cz-err").forEach((e) => e.remove());
    }
    actionText(a, title) {
      const k = { add_to_cart: "added", remove_from_cart: "removed", checkout: "checkout" }[a.type];
      return k ? this.t(k) + (title && k !== "checkout" ? ": " + title : "") : String(a.type);
    }
    // Does an action: shows `label` as a system line and sends it.
    act(action, label) {
      return this.send({ action }, "sys", label);
    }

    turn(tn) {
      // Passed to the person of the shop: no answer from the agent, the message marked sent.
      if (tn && tn.human) {
        this.status = "human";
        if (this.sent) this.sent.classList.add("cz-sent");
      } else this.reply(tn && tn.reply, true, true);
      if (tn && tn.cart) this.renderCart(tn.cart);
      this.down();
    }
    reply(rep, last, live) {
      if (!rep) return;
      if (rep.text) this.msg("bot", rep.text);
      const ps = Array.isArray(rep.products) ? rep.products : [];
      if (ps.length)
        this.log.append(h("div", { class: "cz-cards", role: "list", "aria-label": this.t("products") }, ...ps.map((p) => this.card(p))));
      if (rep.order) this.log.append(this.orderCard(rep.order, rep.text));
      if (last) {
        this.quick(rep.quick_replies);
        // The agent asks for the checkout details: show its form (after a reload too, closed).
        if (rep.form && rep.form.kind === "checkout" && !rep.order) this.showForm(rep.form.fields, live);
      }
      this.down();
    }
    money(v, cur) {
      const n = Number(v);
      if (v == null || v === "" || isNaN(n)) return "";
      const loc = this.locale || navigator.language || "en";
      try {
        const k = loc + cur;
        this.fmts[k] = this.fmts[k] || new Intl.NumberFormat(loc, { style: "currency", currency: cur || "EUR" });
        return this.fmts[k].format(n);
      } catch (_) {
        return `${v} ${cur || ""}`.trim();
      }
    }
    card(p) {
      const img = safeUrl(p.image);
      const stock = p.stock;
      // No image, or one that fails to load: a tile with the title's initial, never a broken icon.
      const ph = () => h("div", { class: "cz-noimg", "aria-hidden": "true", text: ([...String(p.title || "").trim()][0] || "").toUpperCase() });
      return h(
        "div",
        { class: "cz-card", part: "card", role: "listitem" },
        img
          ? h("img", { src: img, alt: "", loading: "lazy", referrerpolicy: "no-referrer", onerror: (e) => e.target.replaceWith(ph()) })
          : ph(),
        h(
          "div",
          { class: "cz-body" },
          h("div", { class: "cz-name", title: p.title, text: p.title }),
          p.variant && h("div", { class: "cz-variant", text: p.variant }),
          h(
            "div",
            { class: "cz-price" },
            this.money(p.price, p.currency),
            p.compare_at_price != null && Number(p.compare_at_price) > Number(p.price) && h("s", { text: this.money(p.compare_at_price, p.currency) })
          ),
          !p.in_stock
            ? h("div", { class: "cz-stock", text: this.t("out") })
            : stock != null && stock <= 5 && stock > 0 && h("div", { class: "cz-stock", text: this.t("left", stock) }),
          h(
            "button",
            {
              class: "cz-add", part: "add", type: "button", disabled: !p.in_stock, "aria-label": `${this.t("add")}: ${p.title}`,
              onclick: () => this.act({ type: "add_to_cart", sku: p.sku, quantity: 1 }, `${this.t("added")}: ${p.title}`),
            },
            this.t("add")
          )
        )
      );
    }
    quick(list) {
      if (this.qrs) this.qrs.remove();
      this.qrs = null;
      if (!Array.isArray(list) || !list.length) return;
      this.qrs = h(
        "div",
        { class: "cz-qrs", role: "group" },
        ...list.map((q) =>
          h("button", { class: "cz-qr", part: "quick-reply", type: "button", "data-payload": q.payload, onclick: () => this.send({ action: { type: "quick_reply", payload: q.payload } }, "user", q.label) }, String(q.label))
        )
      );
      this.log.append(this.qrs);
      this.down();
    }
    orderCard(o, said) {
      let pay = o.payment_instructions;
      if (pay && typeof pay === "object") pay = Object.entries(pay).map(([k, v]) => `${k}: ${v}`).join("\n");
      // Not twice: the reply's text usually says how to pay already.
      if (pay && typeof said === "string" && said.includes(String(pay).trim())) pay = null;
      const url = safeUrl(o.payment_url);
      return h(
        "div",
        { class: "cz-order", part: "order" },
        h("b", { text: "✓ " + this.t("order") }),
        h("div", {}, this.t("no") + " ", h("strong", { class: "cz-order-id", text: String(o.id) })),
        o.total != null && h("div", { text: `${this.t("total")}: ${this.money(o.total, o.currency)}` }),
        pay && h("p", { class: "cz-pay", text: String(pay) }),
        url && h("a", { class: "cz-paylink", href: url, target: "_blank", rel: "noopener noreferrer", text: this.t("pay") })
      );
    }

    buildCart() {
      this.count = h("span", { class: "cz-count" });
      this.total = h("span");
      this.cartOpen = false;
      this.toggleBtn = h(
        "button",
        {
          class: "cz-toggle", type: "button", "aria-expanded": "false",
          onclick: () => {
            const l = this.log;
            const end = l.scrollHeight - l.scrollTop - l.clientHeight < 24;
            this.cartOpen = !this.cartOpen;
            this.renderCart(this.cart);
            if (end) this.down();
          },
        },
        this.count,
        this.t("cart") + " · ",
        this.total
      );
      this.items = h("ul", { class: "cz-items", hidden: true });
      return h(
        "div",
        { class: "cz-cart", part: "cart", hidden: true },
        h(
          "div",
          { class: "cz-bar" },
          this.toggleBtn,
          h("button", { class: "cz-checkout", part: "checkout", type: "button", onclick: () => this.showForm() }, this.t("checkout"))
        ),
        this.items
      );
    }
    renderCart(cart) {
      if (!cart) return;
      this.cart = cart;
      const items = Array.isArray(cart.items) ? cart.items : [];
      const n = cart.count != null ? +cart.count : items.reduce((s, i) => s + (+i.quantity || 0), 0);
      this.cartEl.hidden = !(n > 0);
      this.count.textContent = String(n);
      this.total.textContent = this.money(cart.total, cart.currency);
      this.toggleBtn.setAttribute("aria-expanded", String(this.cartOpen));
      this.items.hidden = !this.cartOpen;
      this.items.replaceChildren(
        ...items.map((i) =>
          h(
            "li",
            {},
            h("span", { title: i.title, text: `${i.quantity} × ${i.title}${i.variant ? ` (${i.variant})` : ""}` }),
            h("span", { text: this.money(i.line_total, cart.currency) }),
            h(
              "button",
              {
                class: "cz-remove", type: "button", "aria-label": `${this.t("remove")}: ${i.title}`,
                onclick: () => {
                  this.toggleBtn.focus();
                  this.act({ type: "remove_from_cart", sku: i.sku }, `${this.t("removed")}: ${i.title}`);
                },
              },
              "×"
            )
          )
        )
      );
    }
    // The checkout form; `open` (default) opens the panel and focuses its first field.
    showForm(fields, open = true) {
      if (this.form) this.form.remove();
      fields = Array.isArray(fields) ? FIELDS.filter((f) => fields.includes(f)) : FIELDS;
      if (!fields.length) fields = FIELDS;
      const inputs = {};
      const auto = { name: "name", email: "email", phone: "tel", address: "street-address" };
      const f = (this.form = h(
        "form",
        {
          class: "cz-form", part: "form", "aria-label": this.t("checkout"),
          onsubmit: (e) => {
            e.preventDefault();
            if (this.busy) return;
            const customer = {};
            for (const k in inputs) {
              const v = inputs[k].value.trim();
              if (v) customer[k] = v;
            }
            this.act({ type: "checkout", customer, payment_method: "manual" }, this.t("checkout"));
          },
        },
        h("b", { text: this.t("checkout") }),
        ...fields.map((k) => {
          const id = "cz-f-" + k;
          const el = (inputs[k] = h(k === "address" ? "textarea" : "input", {
            id, name: k, autocomplete: auto[k], required: k !== "phone",
            type: k === "address" ? null : k === "email" ? "email" : k === "phone" ? "tel" : "text",
            rows: k === "address" ? "2" : null,
          }));
          return h("div", {}, h("label", { for: id, text: this.t(k) }), el);
        }),
        h(
          "div",
          { class: "cz-row" },
          h("button", { class: "cz-primary", type: "submit" }, this.t("place")),
          h("button", { class: "cz-ghost", type: "button", onclick: () => (f.remove(), (this.form = null), this.input.focus()) }, this.t("cancel"))
        )
      ));
      this.log.append(f);
      if (!open) return;
      if (this.panel.hidden) this.toggle(true);
      f.scrollIntoView({ block: "nearest" });
      inputs[fields[0]].focus();
    }
  }
  customElements.define(TAG, ComptoirChat);

  // Loader: read this script's attributes and add the element to the page.
  const s = document.currentScript || document.querySelector('script[data-key][src*="widget"]') || document.querySelector("script[data-key]");
  if (!s || !s.dataset.key || document.querySelector(TAG)) return;
  const el = document.createElement(TAG);
  el.dataset.key = s.dataset.key;
  el.dataset.base = s.src ? new URL(s.src, location.href).origin : location.origin;
  const loc = s.dataset.locale || langOf(navigator.language);
  if (loc) el.dataset.locale = loc;
  const add = () => document.body.append(el);
  if (document.body) add();
  else document.addEventListener("DOMContentLoaded", add);
})();
