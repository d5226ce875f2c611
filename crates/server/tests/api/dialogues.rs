//! Scripted dialogues with the sales agent, over HTTP, in the five shopper languages.
//!
//! Each test starts its own server and database, loads a fresh shop (a sports & outdoor
//! catalogue in fr, en, de, it and es, imported through `POST /v1/catalogue/imports`) and plays
//! one multi-turn conversation in one language. The assertions are on facts —
//! intents, product cards, the cart, orders, stock, prices formatted for the language — never
//! on the exact wording, which varies by design. A failure names the dialogue, the language
//! and the step, and prints the conversation so far.
//!
//! Tests are `dialogues::{sqlite,postgres}::<dialogue>::<language>`.

use super::*;

/// The shop's catalogue: 25 products, 73 variants, one row-set per language.
const CATALOGUE: &str = include_str!("dialogue_shop.csv");

/// The agent's reply texts, per language: its "I did not understand" answers are no answer.
const REPLY_TEXTS: [(&str, &str); 5] = [
    ("fr", include_str!("../../../../data/replies/fr.toml")),
    ("en", include_str!("../../../../data/replies/en.toml")),
    ("de", include_str!("../../../../data/replies/de.toml")),
    ("it", include_str!("../../../../data/replies/it.toml")),
    ("es", include_str!("../../../../data/replies/es.toml")),
];

// Skus of the fixture the dialogues rely on.
const RED_42: &str = "RUN-AERO-RED-42"; // stock 0; RUN-AERO-BLU-42 is in stock
const LAMP: &str = "LAMP-LUMEN300"; // stock 2, 39.90
const FLASK: &str = "BOTTLE-FLASK"; // 14.50
const BLOCK: &str = "YOGA-BLOCK"; // 12.90
const CITY_43: &str = "RUN-CITY-BLK-43"; // stock 12, 64.90
const PLAN: &str = "PLAN-10K"; // digital, 19.00

/// What a shopper types, in one language.
struct Script {
    lang: &'static str,
    hello: &'static str,
    bye: &'static str,
    shoes_under_100: &'static str,
    add_second: &'static str,
    search_mats: &'static str,
    add_grip_mat: &'static str,
    /// The same, naming the mat by its model only ("the Grip mat").
    grip_short: &'static str,
    make_it_3: &'static str,
    search_bottles: &'static str,
    remove_bottle: &'static str,
    want_red_42: &'static str,
    trail_shoes_42: &'static str,
    add_first: &'static str,
    search_lamps: &'static str,
    take_it: &'static str,
    checkout: &'static str,
    /// Name, email and address in one message, as a shopper types them.
    details: &'static str,
    name: &'static str,
    email: &'static str,
    city: &'static str,
    where_is_my_order: &'static str,
    /// `{id}` is replaced by the order number.
    status_of: &'static str,
    shipping: &'static str,
    /// One of these (lower case) is in any answer about delivery times.
    shipping_words: &'static [&'static str],
    returns: &'static str,
    search_tent: &'static str,
    human: &'static str,
    weather: &'static str,
    joke: &'static str,
    three_lamps: &'static str,
    add_three: &'static str,
    /// The yoga mat's title and its purple colour in this language (catalogue facts).
    mat_title: &'static str,
    purple: &'static str,
}

fn fr() -> &'static Script {
    &Script {
        lang: "fr",
        hello: "Bonjour !",
        bye: "Merci, au revoir !",
        shoes_under_100: "Je cherche des chaussures de running à moins de 100 euros",
        add_second: "Ajoutez la deuxième au panier",
        search_mats: "Vous avez des tapis de yoga ?",
        add_grip_mat: "Ajoutez le tapis de yoga Grip au panier",
        grip_short: "Ajoutez le tapis Grip au panier",
        make_it_3: "En fait, mettez-en 3",
        search_bottles: "Je cherche une gourde",
        remove_bottle: "Finalement, enlevez la gourde de mon panier",
        want_red_42: "Je voudrais les chaussures AeroTrail en rouge, taille 42",
        trail_shoes_42: "Je cherche des chaussures de trail en taille 42",
        add_first: "Ajoutez la première au panier",
        search_lamps: "Vous avez des lampes frontales ?",
        take_it: "Je prends la lampe frontale",
        checkout: "Je voudrais passer commande",
        details: "Marie Dupont, marie.dupont@example.fr, 12 rue des Lilas, 69003 Lyon",
        name: "Marie Dupont",
        email: "marie.dupont@example.fr",
        city: "Lyon",
        where_is_my_order: "Où en est ma commande ?",
        status_of: "Pouvez-vous me donner le statut de la commande {id} ?",
        shipping: "Combien de temps prend la livraison ?",
        shipping_words: &["livr"],
        returns: "Et si je veux retourner un article ?",
        search_tent: "Je cherche une tente pour deux personnes",
        human: "Je voudrais parler à un conseiller",
        weather: "Quel temps fait-il aujourd'hui ?",
        joke: "Raconte-moi une blague",
        three_lamps: "Je voudrais 3 lampes frontales Lumen 300",
        add_three: "Ajoutez-en 3 au panier",
        mat_title: "Tapis de yoga Grip 6 mm",
        purple: "Violet",
    }
}

fn en() -> &'static Script {
    &Script {
        lang: "en",
        hello: "Hello!",
        bye: "Thanks, bye!",
        shoes_under_100: "I'm looking for running shoes under 100 euros",
        add_second: "Add the second one to my cart",
        search_mats: "Do you have yoga mats?",
        add_grip_mat: "Add the Grip yoga mat to my cart",
        grip_short: "Add the Grip mat to my cart",
        make_it_3: "Actually, make it 3",
        search_bottles: "I need a water bottle",
        remove_bottle: "Actually, remove the bottle from my cart",
        want_red_42: "I'd like the AeroTrail shoes in red, size 42",
        trail_shoes_42: "I'm looking for trail shoes in size 42",
        add_first: "Add the first one to my cart",
        search_lamps: "Do you sell headlamps?",
        take_it: "I'll take the headlamp",
        checkout: "I'd like to check out",
        details: "Jane Smith, jane.smith@example.com, 221 Baker Street, London NW1 6XE",
        name: "Jane Smith",
        email: "jane.smith@example.com",
        city: "London",
        where_is_my_order: "Where is my order?",
        status_of: "What's the status of order {id}?",
        shipping: "How long does delivery take?",
        shipping_words: &["deliver"],
        returns: "And what if I want to return something?",
        search_tent: "I'm looking for a two-person tent",
        human: "Can I talk to a real person?",
        weather: "What's the weather like today?",
        joke: "Tell me a joke",
        three_lamps: "I'd like 3 Lumen 300 headlamps",
        add_three: "Add 3 to my cart",
        mat_title: "Grip Yoga Mat 6 mm",
        purple: "Purple",
    }
}

fn de() -> &'static Script {
    &Script {
        lang: "de",
        hello: "Guten Tag!",
        bye: "Danke, tschüss!",
        shoes_under_100: "Ich suche Laufschuhe unter 100 Euro",
        add_second: "Den zweiten bitte in den Warenkorb",
        search_mats: "Habt ihr Yogamatten?",
        add_grip_mat: "Leg die Grip Yogamatte in den Warenkorb",
        grip_short: "Leg die Grip-Matte in den Warenkorb",
        make_it_3: "Mach bitte 3 daraus",
        search_bottles: "Ich brauche eine Trinkflasche",
        remove_bottle: "Nimm die Flasche bitte wieder aus dem Warenkorb",
        want_red_42: "Ich hätte gern die AeroTrail-Schuhe in Rot, Größe 42",
        trail_shoes_42: "Ich suche Trailschuhe in Größe 42",
        add_first: "Den ersten bitte in den Warenkorb",
        search_lamps: "Habt ihr Stirnlampen?",
        take_it: "Ich nehme die Stirnlampe",
        checkout: "Ich möchte bestellen",
        details: "Hans Müller, hans.mueller@example.de, Hauptstraße 5, 10115 Berlin",
        name: "Hans Müller",
        email: "hans.mueller@example.de",
        city: "Berlin",
        where_is_my_order: "Wo ist meine Bestellung?",
        status_of: "Wie ist der Status der Bestellung {id}?",
        shipping: "Wie lange dauert die Lieferung?",
        shipping_words: &["liefer"],
        returns: "Und wenn ich etwas zurückschicken möchte?",
        search_tent: "Ich suche ein Zelt für zwei Personen",
        human: "Kann ich mit einem Mitarbeiter sprechen?",
        weather: "Wie wird das Wetter heute?",
        joke: "Erzähl mir einen Witz",
        three_lamps: "Ich möchte 3 Stirnlampen Lumen 300",
        add_three: "Leg 3 in den Warenkorb",
        mat_title: "Grip Yogamatte 6 mm",
        // The lexicon's German colour word: a variant keeps one set of option values, and cards
        // show it translated (the catalogue's own German row says «Lila»).
        purple: "Violett",
    }
}

fn it() -> &'static Script {
    &Script {
        lang: "it",
        hello: "Ciao!",
        bye: "Grazie, arrivederci!",
        shoes_under_100: "Cerco scarpe da corsa sotto i 100 euro",
        add_second: "Aggiungi la seconda al carrello",
        search_mats: "Avete tappetini da yoga?",
        add_grip_mat: "Aggiungi il tappetino yoga Grip al carrello",
        grip_short: "Aggiungi il tappetino Grip al carrello",
        make_it_3: "Anzi, facciamo 3",
        search_bottles: "Mi serve una borraccia",
        remove_bottle: "Togli la borraccia dal carrello",
        want_red_42: "Vorrei le scarpe AeroTrail rosse, taglia 42",
        trail_shoes_42: "Cerco scarpe da trail taglia 42",
        add_first: "Aggiungi la prima al carrello",
        search_lamps: "Avete lampade frontali?",
        take_it: "Prendo la lampada frontale",
        checkout: "Vorrei fare l'ordine",
        details: "Giulia Rossi, giulia.rossi@example.it, Via Roma 10, 20121 Milano",
        name: "Giulia Rossi",
        email: "giulia.rossi@example.it",
        city: "Milano",
        where_is_my_order: "Dov'è il mio ordine?",
        status_of: "Qual è lo stato dell'ordine {id}?",
        shipping: "Quanto tempo ci vuole per la consegna?",
        shipping_words: &["consegn"],
        returns: "E se volessi restituire un articolo?",
        search_tent: "Cerco una tenda per due persone",
        human: "Vorrei parlare con un operatore",
        weather: "Che tempo fa oggi?",
        joke: "Raccontami una barzelletta",
        three_lamps: "Vorrei 3 lampade frontali Lumen 300",
        add_three: "Aggiungine 3 al carrello",
        mat_title: "Tappetino yoga Grip 6 mm",
        purple: "Viola",
    }
}

fn es() -> &'static Script {
    &Script {
        lang: "es",
        hello: "¡Hola!",
        bye: "Gracias, ¡adiós!",
        shoes_under_100: "Busco zapatillas de running por menos de 100 euros",
        add_second: "Añade la segunda al carrito",
        search_mats: "¿Tenéis esterillas de yoga?",
        add_grip_mat: "Añade la esterilla de yoga Grip al carrito",
        grip_short: "Añade la esterilla Grip al carrito",
        make_it_3: "Mejor ponme 3",
        search_bottles: "Necesito una botella de agua",
        remove_bottle: "Quita la botella del carrito",
        want_red_42: "Quiero las zapatillas AeroTrail en rojo, talla 42",
        trail_shoes_42: "Busco zapatillas de trail en la talla 42",
        add_first: "Añade la primera al carrito",
        search_lamps: "¿Tenéis linternas frontales?",
        take_it: "Me llevo la linterna frontal",
        checkout: "Quiero finalizar la compra",
        details: "Lucía García, lucia.garcia@example.es, Calle Mayor 7, 28013 Madrid",
        name: "Lucía García",
        email: "lucia.garcia@example.es",
        city: "Madrid",
        where_is_my_order: "¿Dónde está mi pedido?",
        status_of: "¿Cuál es el estado del pedido {id}?",
        shipping: "¿Cuánto tarda el envío?",
        shipping_words: &["entreg"],
        returns: "¿Y si quiero devolver algo?",
        search_tent: "Busco una tienda de campaña para dos personas",
        human: "Quiero hablar con una persona",
        weather: "¿Qué tiempo hace hoy?",
        joke: "Cuéntame un chiste",
        three_lamps: "Quiero 3 linternas frontales Lumen 300",
        add_three: "Añade 3 al carrito",
        mat_title: "Esterilla de yoga Grip 6 mm",
        purple: "Morado",
    }
}

// ---------------------------------------------------------------------------------------------
// The harness: one server per backend for the whole test binary (the built-in model trains
// once per server, about a second), one shop per test, one conversation per dialogue.

/// The sports shop, freshly loaded: a tenant speaking the five languages, on a server of its
/// own, with its own HTTP client.
struct Fixture {
    base: String,
    http: Client,
    sk: String,
    pk: String,
    /// Its own server and database, dropped with the fixture (the built-in model is trained
    /// once per process, so a server per test is cheap).
    _server: Server,
}

impl Fixture {
    async fn open(backend: &str) -> Fixture {
        let server = Server::start(backend, Limits::default()).await;
        let langs = ["fr", "en", "de", "it", "es"]
            .iter()
            .map(|l| Lang::parse(l).unwrap())
            .collect();
        let t = NewTenant::new(
            "sentier",
            "Sentier Sport",
            Plan::Business,
            Currency::parse("EUR").unwrap(),
            langs,
        )
        .unwrap();
        let t = server.store.create_tenant(&t).await.unwrap();
        let sk = NewApiKey::generate(&t.id, KeyKind::Secret, "dialogues");
        let pk = NewApiKey::generate(&t.id, KeyKind::Public, "dialogues");
        server.store.insert_api_key(&sk).await.unwrap();
        server.store.insert_api_key(&pk).await.unwrap();
        let (sk, pk) = (sk.token, pk.token);
        let f = Fixture {
            base: server.base.clone(),
            http: Client::new(),
            sk,
            pk,
            _server: server,
        };
        let res = f
            .http
            .post(format!(
                "{}/v1/catalogue/imports?source=dialogue_shop.csv",
                f.base
            ))
            .bearer_auth(&f.sk)
            .header("content-type", "text/csv")
            .body(CATALOGUE)
            .send()
            .await
            .unwrap();
        let st = res.status();
        let imp: Value = res.json().await.unwrap();
        assert_eq!(st, StatusCode::CREATED, "{imp}");
        assert_eq!(imp["report"]["rows_rejected"], 0, "{imp}");
        assert_eq!(imp["report"]["rows_imported"], 365, "{imp}");
        f
    }

    /// Sends a request; returns the status and the JSON body.
    async fn call(
        &self,
        method: Method,
        path: &str,
        key: &str,
        body: Option<Value>,
    ) -> (StatusCode, Value) {
        let mut req = self
            .http
            .request(method, format!("{}{path}", self.base))
            .bearer_auth(key);
        if let Some(b) = body {
            req = req.json(&b);
        }
        let res = req.send().await.unwrap();
        let status = res.status();
        let text = res.text().await.unwrap();
        (
            status,
            serde_json::from_str(&text).unwrap_or(Value::String(text)),
        )
    }

    /// A secret-key GET that must answer 200.
    async fn get(&self, path: &str) -> Value {
        let (st, body) = self.call(Method::GET, path, &self.sk, None).await;
        assert_eq!(st, StatusCode::OK, "GET {path}: {body}");
        body
    }
}

/// One conversation, with what was said so far for the failure messages.
struct Dialogue<'a> {
    f: &'a Fixture,
    name: &'static str,
    lang: &'static str,
    id: String,
    /// Each turn: what the shopper sent, what came back.
    turns: Vec<(String, Value)>,
}

impl<'a> Dialogue<'a> {
    async fn start(f: &'a Fixture, name: &'static str, script: &Script) -> Dialogue<'a> {
        let (st, body) = f
            .call(
                Method::POST,
                "/v1/conversations",
                &f.pk,
                Some(json!({"locale": script.lang})),
            )
            .await;
        assert_eq!(st, StatusCode::CREATED, "{name} [{}]: {body}", script.lang);
        Dialogue {
            f,
            name,
            lang: script.lang,
            id: body["id"].as_str().unwrap().to_string(),
            turns: Vec::new(),
        }
    }

    /// The shopper types `text`; the reply must be in the conversation's language.
    async fn say(&mut self, text: &str) -> Value {
        let out = self.send(text.to_string(), json!({ "text": text })).await;
        self.check(
            out["understanding"]["language"] == self.lang,
            format!(
                "understood as language {} instead of {}",
                out["understanding"]["language"], self.lang
            ),
        );
        out
    }

    /// The shopper presses a widget button.
    async fn press(&mut self, action: Value) -> Value {
        self.send(format!("[button] {action}"), json!({ "action": action }))
            .await
    }

    async fn send(&mut self, shown: String, body: Value) -> Value {
        let path = format!("/v1/conversations/{}/messages", self.id);
        let (st, out) = self
            .f
            .call(Method::POST, &path, &self.f.pk, Some(body))
            .await;
        self.turns.push((shown, out.clone()));
        self.check(st == StatusCode::OK, format!("HTTP {st}"));
        self.check(
            !text(&out).trim().is_empty(),
            "the reply has no text".into(),
        );
        out
    }

    /// Fails the dialogue, naming it, with the whole conversation so far.
    fn check(&self, ok: bool, what: String) {
        if ok {
            return;
        }
        let mut msg = format!(
            "\ndialogue `{}` [{}], step {}: {what}\n",
            self.name,
            self.lang,
            self.turns.len()
        );
        if let Some((said, out)) = self.turns.last() {
            msg.push_str(&format!(
                "  shopper: «{said}»\n  agent:   «{}»\n",
                text(out)
            ));
        }
        msg.push_str("conversation so far:\n");
        for (i, (said, out)) in self.turns.iter().enumerate() {
            msg.push_str(&format!(
                "  {}. shopper: «{said}»\n     agent: {}\n",
                i + 1,
                summary(out)
            ));
        }
        panic!("{msg}");
    }

    fn check_intent(&self, out: &Value, want: &[&str]) {
        let got = out["understanding"]["intent"].as_str().unwrap_or("");
        self.check(
            want.contains(&got),
            format!("intent `{got}`, expected one of {want:?}"),
        );
    }

    fn check_no_products(&self, out: &Value) {
        self.check(
            products(out).is_empty(),
            format!("shows products {:?}", skus(out)),
        );
    }

    /// The cart is exactly these lines (sku, quantity).
    fn check_cart(&self, out: &Value, want: &[(&str, i64)]) {
        let got = cart(out);
        let mut a: Vec<(String, i64)> = got.clone();
        let mut b: Vec<(String, i64)> = want.iter().map(|(s, q)| (s.to_string(), *q)).collect();
        a.sort();
        b.sort();
        self.check(a == b, format!("cart {got:?}, expected {want:?}"));
    }

    fn check_cart_total(&self, out: &Value, want: f64) {
        let got = num(&out["cart"]["total"]);
        self.check(
            (got - want).abs() < 0.005,
            format!("cart total {got}, expected {want}"),
        );
    }

    /// The reply text states `amount` as a shopper of the language reads it.
    fn check_says_money(&self, out: &Value, amount: f64) {
        let m = money(self.lang, amount);
        self.check(
            text(out).contains(&m),
            format!("the reply text does not state {m}"),
        );
    }

    /// Not the "I did not understand" or "I don't know" answer.
    fn check_not_fallback(&self, out: &Value) {
        let t = text(out);
        let bad = reply_texts(self.lang, "fallback")
            .into_iter()
            .chain(reply_texts(self.lang, "faq_unknown"))
            .find(|f| t.contains(f.as_str()));
        self.check(
            bad.is_none(),
            format!("the fallback answer: {}", bad.unwrap_or_default()),
        );
    }

    async fn transcript(&self) -> Value {
        let (st, body) = self
            .f
            .call(
                Method::GET,
                &format!("/v1/conversations/{}", self.id),
                &self.f.pk,
                None,
            )
            .await;
        self.check(
            st == StatusCode::OK,
            format!("transcript: HTTP {st}: {body}"),
        );
        body
    }
}

fn text(out: &Value) -> &str {
    out["reply"]["text"].as_str().unwrap_or("")
}

fn products(out: &Value) -> Vec<&Value> {
    out["reply"]["products"]
        .as_array()
        .map(|a| a.iter().collect())
        .unwrap_or_default()
}

fn skus(out: &Value) -> Vec<&str> {
    products(out)
        .iter()
        .map(|p| p["sku"].as_str().unwrap_or(""))
        .collect()
}

fn cart(out: &Value) -> Vec<(String, i64)> {
    out["cart"]["items"]
        .as_array()
        .map(|a| {
            a.iter()
                .map(|i| {
                    (
                        i["sku"].as_str().unwrap_or("").to_string(),
                        i["quantity"].as_i64().unwrap_or(0),
                    )
                })
                .collect()
        })
        .unwrap_or_default()
}

/// An amount from JSON, whether a number or a decimal string.
fn num(v: &Value) -> f64 {
    v.as_f64()
        .or_else(|| v.as_str().and_then(|s| s.parse().ok()))
        .unwrap_or(f64::NAN)
}

/// `104,70` (fr, de, it, es) or `104.70` (en): the digits any formatting of the amount shows.
fn money(lang: &str, amount: f64) -> String {
    let s = format!("{amount:.2}");
    if lang == "en" {
        s
    } else {
        s.replace('.', ",")
    }
}

fn summary(out: &Value) -> String {
    let u = &out["understanding"];
    let ents: Vec<String> = u["entities"]
        .as_array()
        .map(|a| {
            a.iter()
                .map(|e| format!("{}={}", e["type"].as_str().unwrap_or("?"), e["value"]))
                .collect()
        })
        .unwrap_or_default();
    let cards: Vec<String> = products(out)
        .iter()
        .map(|p| {
            format!(
                "{} {} ({}) {} {}",
                p["sku"].as_str().unwrap_or(""),
                p["title"].as_str().unwrap_or(""),
                p["variant"].as_str().unwrap_or("-"),
                p["price"],
                if p["in_stock"] == true {
                    "in stock"
                } else {
                    "OUT"
                }
            )
        })
        .collect();
    let mut s = format!(
        "«{}»\n        [intent {} {:.2}; entities {ents:?}; products {cards:?}; cart {:?} total {}",
        text(out),
        u["intent"].as_str().unwrap_or("?"),
        u["confidence"].as_f64().unwrap_or(0.0),
        cart(out),
        out["cart"]["total"],
    );
    if !out["reply"]["form"].is_null() {
        s.push_str(&format!("; form {}", out["reply"]["form"]));
    }
    if !out["reply"]["order"].is_null() {
        s.push_str(&format!("; order {}", out["reply"]["order"]["id"]));
    }
    if out["reply"].is_null() {
        s.push_str(&format!("; body {out}"));
    }
    s.push(']');
    s
}

/// The strings of one key of a language's reply texts (`key = [ "…", … ]`).
fn reply_texts(lang: &str, key: &str) -> Vec<String> {
    let file = REPLY_TEXTS
        .iter()
        .find(|(l, _)| *l == lang)
        .map(|(_, t)| *t)
        .unwrap_or("");
    let mut out = Vec::new();
    let mut inside = false;
    for line in file.lines() {
        let line = line.trim();
        if !inside {
            inside = line.starts_with(&format!("{key} = ["));
            continue;
        }
        if line.starts_with(']') {
            break;
        }
        if let Some(s) = line
            .strip_prefix('"')
            .and_then(|l| l.trim_end_matches(',').strip_suffix('"'))
        {
            out.push(s.replace("\\\"", "\"").replace("\\\\", "\\"));
        }
    }
    out
}

#[test]
fn the_fallback_texts_are_read_for_every_language() {
    for (lang, _) in REPLY_TEXTS {
        for key in ["fallback", "faq_unknown"] {
            let texts = reply_texts(lang, key);
            assert!(
                texts.len() >= 2 && texts.iter().all(|t| t.len() > 10),
                "{lang} {key}: {texts:?}"
            );
        }
    }
}

fn customer(script: &Script) -> Value {
    json!({
        "name": script.name,
        "email": script.email,
        "phone": "+33 6 12 34 56 78",
        "address": script.details.splitn(3, ", ").nth(2).unwrap_or(script.city),
    })
}

// ---------------------------------------------------------------------------------------------
// The dialogues.

/// Hello and goodbye: the agent greets as the shop, shows nothing, fills no cart.
async fn greeting(backend: &str, l: &Script) {
    let f = Fixture::open(backend).await;
    let mut d = Dialogue::start(&f, "greeting", l).await;
    let out = d.say(l.hello).await;
    d.check_intent(&out, &["greet"]);
    d.check_no_products(&out);
    d.check_cart(&out, &[]);
    d.check(
        text(&out).contains("Sentier Sport"),
        "the greeting does not name the shop".into(),
    );
    let out = d.say(l.bye).await;
    d.check_intent(&out, &["goodbye", "thanks"]);
    d.check_no_products(&out);
    d.check_cart(&out, &[]);
}

/// "Running shoes under 100 euros", then "add the second one".
async fn budget_search(backend: &str, l: &Script) {
    let f = Fixture::open(backend).await;
    let mut d = Dialogue::start(&f, "budget_search", l).await;
    let out = d.say(l.shoes_under_100).await;
    d.check_intent(&out, &["product_search"]);
    let budget = out["understanding"]["entities"]
        .as_array()
        .into_iter()
        .flatten()
        .any(|e| e["type"] == "price_max" && e["value"] == "100");
    d.check(budget, "no price_max 100 understood".into());
    let cards = products(&out);
    for p in &cards {
        d.check(
            num(&p["price"]) <= 100.0,
            format!("{} costs {} (over the budget)", p["sku"], p["price"]),
        );
    }
    // The shop has exactly two models of running shoes under 100 €: both, and nothing else.
    let s = skus(&out);
    d.check(
        s.iter().any(|s| s.starts_with("RUN-AERO-"))
            && s.iter().any(|s| s.starts_with("RUN-CITY-")),
        "both running shoes under 100 € (AeroTrail 89 €, CityPace 64.90 €) should be shown".into(),
    );
    d.check(
        s.iter()
            .all(|s| s.starts_with("RUN-AERO-") || s.starts_with("RUN-CITY-")),
        format!("shows other things than running shoes: {s:?}"),
    );
    let second = cards[1].clone();
    let sku = second["sku"].as_str().unwrap().to_string();
    let price = num(&second["price"]);

    let out = d.say(l.add_second).await;
    d.check_intent(&out, &["add_to_cart"]);
    d.check_cart(&out, &[(&sku, 1)]);
    d.check_cart_total(&out, price);
    let title = second["title"].as_str().unwrap();
    d.check(
        text(&out).contains(title),
        format!("the reply does not name «{title}»"),
    );
    d.check_says_money(&out, price);
}

/// A yoga mat in the cart, then "make it 3": the line becomes 3, not 1 + 1.
async fn quantity_change(backend: &str, l: &Script) {
    let f = Fixture::open(backend).await;
    let mut d = Dialogue::start(&f, "quantity_change", l).await;
    let out = d.say(l.search_mats).await;
    d.check_intent(&out, &["product_search"]);
    d.check(
        skus(&out).iter().any(|s| s.starts_with("YOGA-MAT-")),
        "no yoga mat shown".into(),
    );
    let out = d.say(l.add_grip_mat).await;
    d.check_intent(&out, &["add_to_cart"]);
    let lines = cart(&out);
    d.check(
        lines.len() == 1 && lines[0].0.starts_with("YOGA-MAT-") && lines[0].1 == 1,
        format!("cart {lines:?}, expected one Grip yoga mat"),
    );
    let mat = lines[0].0.clone();
    let out = d.say(l.make_it_3).await;
    d.check_cart(&out, &[(&mat, 3)]);
    d.check_cart_total(&out, 104.70);
    d.check_says_money(&out, 104.70);
}

/// Yoga mats shown, then "add the Grip mat": the model name picks the card.
async fn short_name_reference(backend: &str, l: &Script) {
    let f = Fixture::open(backend).await;
    let mut d = Dialogue::start(&f, "short_name_reference", l).await;
    let out = d.say(l.search_mats).await;
    d.check_intent(&out, &["product_search"]);
    let mat = skus(&out)
        .into_iter()
        .find(|s| s.starts_with("YOGA-MAT-"))
        .map(str::to_string);
    d.check(mat.is_some(), "no yoga mat shown".into());
    let mat = mat.unwrap();
    let out = d.say(l.grip_short).await;
    d.check_intent(&out, &["add_to_cart"]);
    d.check_cart(&out, &[(&mat, 1)]);
    d.check_cart_total(&out, 34.90);
}

/// Two things in the cart, then "remove the bottle": only the other one stays.
async fn remove_from_cart(backend: &str, l: &Script) {
    let f = Fixture::open(backend).await;
    let mut d = Dialogue::start(&f, "remove_from_cart", l).await;
    let out = d.say(l.search_bottles).await;
    d.check_intent(&out, &["product_search"]);
    let bottle = skus(&out)
        .into_iter()
        .find(|s| s.starts_with("BOTTLE-"))
        .map(str::to_string);
    d.check(bottle.is_some(), "no water bottle shown".into());
    let bottle = bottle.unwrap();
    let out = d
        .press(json!({"type": "add_to_cart", "sku": bottle, "quantity": 1}))
        .await;
    d.check_cart(&out, &[(&bottle, 1)]);
    let out = d
        .press(json!({"type": "add_to_cart", "sku": BLOCK, "quantity": 1}))
        .await;
    d.check_cart(&out, &[(&bottle, 1), (BLOCK, 1)]);
    let out = d.say(l.remove_bottle).await;
    d.check_intent(&out, &["remove_from_cart"]);
    d.check_cart(&out, &[(BLOCK, 1)]);
    d.check_cart_total(&out, 12.90);
}

/// The red AeroTrail in 42 is sold out (the blue one in 42 is not): no sold-out line in the
/// cart, an alternative the shopper can wear is offered, and it can be added.
async fn out_of_stock_variant(backend: &str, l: &Script) {
    let f = Fixture::open(backend).await;
    let mut d = Dialogue::start(&f, "out_of_stock_variant", l).await;
    let out = d.say(l.want_red_42).await;
    d.check(
        cart(&out).iter().all(|(s, _)| s != RED_42),
        "the sold-out variant is in the cart".into(),
    );
    for p in products(&out) {
        d.check(
            p["sku"] != RED_42 || p["in_stock"] == false,
            "the sold-out variant is shown as in stock".into(),
        );
    }
    let alternative = products(&out)
        .into_iter()
        .find(|p| {
            let s = p["sku"].as_str().unwrap_or("");
            p["in_stock"] == true && s.starts_with("RUN-") && s.ends_with("-42")
        })
        .and_then(|p| p["sku"].as_str())
        .map(str::to_string);
    d.check(
        alternative.is_some(),
        "no in-stock alternative in size 42 offered (RUN-AERO-BLU-42 is in stock)".into(),
    );
    let alternative = alternative.unwrap();
    let out = d
        .press(json!({"type": "add_to_cart", "sku": alternative, "quantity": 1}))
        .await;
    d.check_cart(&out, &[(&alternative, 1)]);
}

/// "Trail shoes in size 42": the cards are size-42 variants in stock, and the one added is too.
async fn size_search(backend: &str, l: &Script) {
    let f = Fixture::open(backend).await;
    let mut d = Dialogue::start(&f, "size_search", l).await;
    let out = d.say(l.trail_shoes_42).await;
    d.check_intent(&out, &["product_search"]);
    d.check(
        skus(&out).iter().any(|s| s.starts_with("RUN-AERO-")),
        "the AeroTrail trail shoes are not shown".into(),
    );
    for p in products(&out) {
        let s = p["sku"].as_str().unwrap_or("");
        if s.starts_with("RUN-") || s.starts_with("HIKE-") {
            d.check(
                s.ends_with("-42") && p["in_stock"] == true,
                format!("card {s} is not an in-stock size 42"),
            );
        }
    }
    let first = skus(&out)
        .first()
        .map(|s| s.to_string())
        .unwrap_or_default();
    let out = d.say(l.add_first).await;
    d.check_intent(&out, &["add_to_cart"]);
    d.check_cart(&out, &[(&first, 1)]);
}

/// Headlamp found, taken, checkout by conversation: the agent asks for what it needs with a
/// form, the shopper answers in one message, the order exists with its lines and customer,
/// and the stock went down.
async fn checkout_by_conversation(backend: &str, l: &Script) {
    let f = Fixture::open(backend).await;
    let mut d = Dialogue::start(&f, "checkout_by_conversation", l).await;
    let out = d.say(l.search_lamps).await;
    d.check_intent(&out, &["product_search"]);
    d.check(
        skus(&out).contains(&LAMP),
        "the Lumen 300 headlamp is not shown".into(),
    );
    let out = d.say(l.take_it).await;
    d.check_cart(&out, &[(LAMP, 1)]);
    let out = d.say(l.checkout).await;
    d.check_intent(&out, &["checkout"]);
    d.check(
        out["reply"]["order"].is_null(),
        "an order without customer details".into(),
    );
    let form = &out["reply"]["form"];
    d.check(form["kind"] == "checkout", "no checkout form".into());
    let fields: Vec<&str> = form["fields"]
        .as_array()
        .into_iter()
        .flatten()
        .filter_map(Value::as_str)
        .collect();
    for want in ["name", "email", "address"] {
        d.check(
            fields.contains(&want),
            format!("the form does not ask for {want}"),
        );
    }
    d.check_cart(&out, &[(LAMP, 1)]);

    let out = d.say(l.details).await;
    let order = out["reply"]["order"].clone();
    let id = order["id"].as_str().unwrap_or("").to_string();
    d.check(id.starts_with("ord_"), "no order placed".into());
    d.check_cart(&out, &[]);
    d.check_says_money(&out, 39.90);

    let got = f.get(&format!("/v1/orders/{id}")).await;
    let lines = got["lines"].as_array().cloned().unwrap_or_default();
    d.check(
        lines.len() == 1
            && lines[0]["sku"] == LAMP
            && lines[0]["quantity"] == 1
            && (num(&lines[0]["unit_price"]) - 39.90).abs() < 0.005,
        format!("order lines {}", got["lines"]),
    );
    d.check(
        (num(&got["total"]) - 39.90).abs() < 0.005,
        format!("order total {}", got["total"]),
    );
    let c = &got["customer"];
    d.check(
        c["name"] == l.name
            && c["email"] == l.email
            && c["address"].as_str().unwrap_or("").contains(l.city),
        format!("order customer {c}"),
    );
    d.check(
        got["conversation_id"] == d.id.as_str(),
        format!("order conversation {}", got["conversation_id"]),
    );
    let list = f.get("/v1/orders").await;
    d.check(
        list["items"]
            .as_array()
            .into_iter()
            .flatten()
            .any(|o| o["id"] == id.as_str()),
        "the order is not in /v1/orders".into(),
    );
    let product = f
        .get(&format!(
            "/v1/products/{}",
            lines[0]["product_id"].as_str().unwrap_or("")
        ))
        .await;
    let stock = product["variants"]
        .as_array()
        .into_iter()
        .flatten()
        .find(|v| v["sku"] == LAMP)
        .map(|v| v["stock"].clone());
    d.check(
        stock == Some(json!(1)),
        format!("headlamp stock {stock:?} after the order, expected 1"),
    );
}

/// An order placed with the widget, then "where is my order?" and "status of order …".
async fn order_status(backend: &str, l: &Script) {
    let f = Fixture::open(backend).await;
    let mut d = Dialogue::start(&f, "order_status", l).await;
    d.press(json!({"type": "add_to_cart", "sku": FLASK, "quantity": 2}))
        .await;
    let out = d
        .press(json!({"type": "checkout", "customer": customer(l), "payment_method": "manual"}))
        .await;
    let id = out["reply"]["order"]["id"]
        .as_str()
        .unwrap_or("")
        .to_string();
    d.check(id.starts_with("ord_"), "no order placed".into());

    let out = d.say(l.where_is_my_order).await;
    d.check_intent(&out, &["order_status"]);
    d.check(
        out["reply"]["order"]["id"] == id.as_str(),
        format!("the reply's order is {}", out["reply"]["order"]["id"]),
    );
    let out = d.say(&l.status_of.replace("{id}", &id)).await;
    d.check_intent(&out, &["order_status"]);
    d.check(
        out["reply"]["order"]["id"] == id.as_str(),
        format!("the reply's order is {}", out["reply"]["order"]["id"]),
    );
    d.check_no_products(&out);
}

/// Delivery times, then returns: real answers from the shop's knowledge, no products.
async fn faq(backend: &str, l: &Script) {
    let f = Fixture::open(backend).await;
    let mut d = Dialogue::start(&f, "faq", l).await;
    let out = d.say(l.shipping).await;
    d.check_intent(&out, &["shipping_info"]);
    d.check_no_products(&out);
    d.check_not_fallback(&out);
    let lower = text(&out).to_lowercase();
    d.check(
        l.shipping_words.iter().any(|w| lower.contains(w)),
        format!(
            "the answer does not speak of delivery ({:?})",
            l.shipping_words
        ),
    );
    let out = d.say(l.returns).await;
    d.check_intent(&out, &["return_refund"]);
    d.check_no_products(&out);
    d.check_not_fallback(&out);
    d.check(
        text(&out).contains("30"),
        "the answer does not state the 30-day return period".into(),
    );
    d.check_cart(&out, &[]);
}

/// Browsing tents, then asking for a person: the conversation is handed over.
async fn handoff(backend: &str, l: &Script) {
    let f = Fixture::open(backend).await;
    let mut d = Dialogue::start(&f, "handoff", l).await;
    let out = d.say(l.search_tent).await;
    d.check_intent(&out, &["product_search"]);
    d.check(
        skus(&out).contains(&"TENT-DUO"),
        "the two-person tent is not shown".into(),
    );
    let out = d.say(l.human).await;
    d.check_intent(&out, &["talk_to_human"]);
    d.check_no_products(&out);
    let t = d.transcript().await;
    d.check(
        t["status"] == "handoff",
        format!(
            "conversation status {} after asking for a person",
            t["status"]
        ),
    );
}

/// Weather and jokes: out of scope, no products, the cart untouched.
async fn small_talk(backend: &str, l: &Script) {
    let f = Fixture::open(backend).await;
    let mut d = Dialogue::start(&f, "small_talk", l).await;
    let out = d
        .press(json!({"type": "add_to_cart", "sku": BLOCK, "quantity": 1}))
        .await;
    d.check_cart(&out, &[(BLOCK, 1)]);
    let out = d.say(l.weather).await;
    d.check_intent(&out, &["out_of_scope"]);
    d.check_no_products(&out);
    d.check_cart(&out, &[(BLOCK, 1)]);
    let out = d.say(l.joke).await;
    d.check_no_products(&out);
    d.check_cart(&out, &[(BLOCK, 1)]);
    let t = d.transcript().await;
    d.check(
        t["status"] == "open",
        format!("conversation status {} after small talk", t["status"]),
    );
}

/// Widget buttons only: two adds (one digital), a checkout with the full customer: the order
/// is placed at once, listed, and the physical stock goes down.
async fn action_checkout(backend: &str, l: &Script) {
    let f = Fixture::open(backend).await;
    let mut d = Dialogue::start(&f, "action_checkout", l).await;
    let out = d
        .press(json!({"type": "add_to_cart", "sku": CITY_43, "quantity": 1}))
        .await;
    d.check_cart(&out, &[(CITY_43, 1)]);
    let out = d
        .press(json!({"type": "add_to_cart", "sku": PLAN, "quantity": 1}))
        .await;
    d.check_cart(&out, &[(CITY_43, 1), (PLAN, 1)]);
    d.check_cart_total(&out, 83.90);
    let out = d
        .press(json!({"type": "checkout", "customer": customer(l), "payment_method": "manual"}))
        .await;
    let order = out["reply"]["order"].clone();
    let id = order["id"].as_str().unwrap_or("").to_string();
    d.check(id.starts_with("ord_"), "no order placed at once".into());
    d.check(
        (num(&order["total"]) - 83.90).abs() < 0.005,
        format!("order total {}", order["total"]),
    );
    d.check_cart(&out, &[]);
    d.check_says_money(&out, 83.90);

    let list = f.get("/v1/orders").await;
    let listed = list["items"]
        .as_array()
        .into_iter()
        .flatten()
        .find(|o| o["id"] == id.as_str())
        .cloned()
        .unwrap_or(Value::Null);
    d.check(!listed.is_null(), "the order is not in /v1/orders".into());
    let mut lines: Vec<(String, i64)> = listed["lines"]
        .as_array()
        .into_iter()
        .flatten()
        .map(|x| {
            (
                x["sku"].as_str().unwrap_or("").to_string(),
                x["quantity"].as_i64().unwrap_or(0),
            )
        })
        .collect();
    lines.sort();
    d.check(
        lines == [(PLAN.to_string(), 1), (CITY_43.to_string(), 1)],
        format!("order lines {lines:?}"),
    );
    d.check(
        listed["customer"]["email"] == l.email && listed["customer"]["name"] == l.name,
        format!("order customer {}", listed["customer"]),
    );
    d.check(
        listed["conversation_id"] == d.id.as_str(),
        format!("order conversation {}", listed["conversation_id"]),
    );
    let shoe = listed["lines"]
        .as_array()
        .into_iter()
        .flatten()
        .find(|x| x["sku"] == CITY_43)
        .map(|x| x["product_id"].as_str().unwrap_or("").to_string())
        .unwrap_or_default();
    let product = f.get(&format!("/v1/products/{shoe}")).await;
    let stock = product["variants"]
        .as_array()
        .into_iter()
        .flatten()
        .find(|v| v["sku"] == CITY_43)
        .map(|v| v["stock"].clone());
    d.check(
        stock == Some(json!(11)),
        format!("CityPace 43 stock {stock:?} after the order, expected 11"),
    );
}

/// Widget buttons and quick replies only: add, "view cart", "checkout" (the form asks for
/// the customer), then the checkout button with the customer places the order.
async fn quick_reply_checkout(backend: &str, l: &Script) {
    let f = Fixture::open(backend).await;
    let mut d = Dialogue::start(&f, "quick_reply_checkout", l).await;
    let out = d
        .press(json!({"type": "add_to_cart", "sku": BLOCK, "quantity": 2}))
        .await;
    d.check_cart(&out, &[(BLOCK, 2)]);
    let payloads: Vec<&str> = out["reply"]["quick_replies"]
        .as_array()
        .into_iter()
        .flatten()
        .filter_map(|q| q["payload"].as_str())
        .collect();
    for want in ["checkout", "view_cart"] {
        d.check(
            payloads.contains(&want),
            format!("no `{want}` quick reply after an add: {payloads:?}"),
        );
    }
    let out = d
        .press(json!({"type": "quick_reply", "payload": "view_cart"}))
        .await;
    d.check_cart(&out, &[(BLOCK, 2)]);
    d.check_cart_total(&out, 25.80);
    d.check_says_money(&out, 25.80);
    let out = d
        .press(json!({"type": "quick_reply", "payload": "checkout"}))
        .await;
    d.check(
        out["reply"]["order"].is_null(),
        "an order without customer details".into(),
    );
    d.check(
        out["reply"]["form"]["kind"] == "checkout",
        "no checkout form".into(),
    );
    let out = d
        .press(json!({"type": "checkout", "customer": customer(l), "payment_method": "manual"}))
        .await;
    let order = &out["reply"]["order"];
    d.check(
        order["id"].as_str().unwrap_or("").starts_with("ord_"),
        "no order placed".into(),
    );
    d.check(
        (num(&order["total"]) - 25.80).abs() < 0.005,
        format!("order total {}", order["total"]),
    );
    d.check_cart(&out, &[]);
}

/// Three headlamps when two are left: never more than the stock in the cart, and the reply
/// says how many there are.
async fn stock_limit(backend: &str, l: &Script) {
    let f = Fixture::open(backend).await;
    let mut d = Dialogue::start(&f, "stock_limit", l).await;
    let lamps = |out: &Value| -> i64 {
        cart(out)
            .iter()
            .filter(|(s, _)| s == LAMP)
            .map(|(_, q)| q)
            .sum()
    };
    let out = d.say(l.three_lamps).await;
    d.check(
        lamps(&out) <= 2,
        format!("{} headlamps in the cart, only 2 in stock", lamps(&out)),
    );
    let card = products(&out)
        .into_iter()
        .find(|p| p["sku"] == LAMP)
        .cloned();
    d.check(
        card.is_some() || lamps(&out) == 2,
        "neither the headlamp nor 2 of them in the cart".into(),
    );
    if let Some(card) = card {
        d.check(
            card["stock"] == 2,
            format!("the card says stock {}", card["stock"]),
        );
    }
    let out = d.say(l.add_three).await;
    d.check_intent(&out, &["add_to_cart"]);
    d.check_cart(&out, &[(LAMP, 2)]);
    d.check(
        text(&out).contains('2'),
        "the reply does not say that only 2 are left".into(),
    );
}

/// The cards of a search speak the conversation's language: title and variant.
async fn cards_in_language(backend: &str, l: &Script) {
    let f = Fixture::open(backend).await;
    let mut d = Dialogue::start(&f, "cards_in_language", l).await;
    let out = d.say(l.search_mats).await;
    let mat = products(&out)
        .into_iter()
        .find(|p| p["sku"] == "YOGA-MAT-PUR")
        .cloned()
        .unwrap_or(Value::Null);
    d.check(!mat.is_null(), "the purple yoga mat is not shown".into());
    d.check(
        mat["title"] == l.mat_title,
        format!("card title {}, expected «{}»", mat["title"], l.mat_title),
    );
    d.check(
        mat["variant"].as_str().unwrap_or("").contains(l.purple),
        format!("card variant {}, expected «{}»", mat["variant"], l.purple),
    );
}

/// A search, then goodbye: the agent asks to rate the conversation (1–5, quick replies), then
/// how likely the shopper is to recommend the shop (0–10, typed here), and thanks; both
/// scores are in the turns' records as `record_feedback` tool calls.
async fn satisfaction(backend: &str, l: &Script) {
    let f = Fixture::open(backend).await;
    let mut d = Dialogue::start(&f, "satisfaction", l).await;
    let payloads = |out: &Value| -> Vec<String> {
        out["reply"]["quick_replies"]
            .as_array()
            .into_iter()
            .flatten()
            .filter_map(|q| q["payload"].as_str().map(str::to_string))
            .collect()
    };
    let out = d.say(l.search_lamps).await;
    d.check_intent(&out, &["product_search"]);
    let out = d.say(l.bye).await;
    d.check_intent(&out, &["goodbye", "thanks"]);
    let want: Vec<String> = (1..=5).map(|n| format!("csat:{n}")).collect();
    d.check(
        payloads(&out) == want,
        format!("no 1–5 rating after goodbye: {:?}", payloads(&out)),
    );
    d.check(
        reply_texts(l.lang, "feedback_csat_ask")
            .iter()
            .any(|q| text(&out).contains(q.as_str())),
        "the goodbye does not ask to rate the conversation".into(),
    );
    let out = d
        .press(json!({"type": "quick_reply", "payload": "csat:5"}))
        .await;
    let want: Vec<String> = (0..=10).map(|n| format!("nps:{n}")).collect();
    d.check(
        payloads(&out) == want,
        format!("no 0–10 recommendation question: {:?}", payloads(&out)),
    );
    let out = d.say("9").await;
    d.check(
        reply_texts(l.lang, "feedback_done")
            .iter()
            .any(|q| text(&out).contains(q.as_str())),
        "no thanks for the scores".into(),
    );
    d.check(
        payloads(&out).is_empty(),
        format!("still asking: {:?}", payloads(&out)),
    );
    let t = d.transcript().await;
    let scores: Vec<(String, i64)> = t["turns"]
        .as_array()
        .into_iter()
        .flatten()
        .flat_map(|turn| turn["actions"].as_array().cloned().unwrap_or_default())
        .filter(|a| a["tool"] == "record_feedback")
        .map(|a| {
            (
                a["kind"].as_str().unwrap_or("").to_string(),
                a["score"].as_i64().unwrap_or(-1),
            )
        })
        .collect();
    d.check(
        scores == [("csat".to_string(), 5), ("nps".to_string(), 9)],
        format!("recorded scores {scores:?}"),
    );
}

// ---------------------------------------------------------------------------------------------
// The tests: every dialogue in every language, on both backends.

macro_rules! dialogues {
    ($( $dialogue:ident { $( $(#[$attr:meta])* $lang:ident ),* $(,)? } )*) => {
        mod sqlite {
            $( mod $dialogue { $(
                $(#[$attr])*
                #[tokio::test]
                async fn $lang() { super::super::$dialogue("sqlite", super::super::$lang()).await }
            )* } )*
        }
        mod postgres {
            $( mod $dialogue { $(
                $(#[$attr])*
                #[tokio::test]
                async fn $lang() { super::super::$dialogue("postgres", super::super::$lang()).await }
            )* } )*
        }
    };
}

dialogues! {
    greeting {
        fr,
        en,
        de,
        it,
        es,
    }
    budget_search {
        fr,
        en,
        de,
        it,
        es,
    }
    quantity_change {
        fr,
        en,
        de,
        it,
        es,
    }
    short_name_reference {
        fr,
        en,
        de,
        it,
        es,
    }
    remove_from_cart {
        fr,
        en,
        de,
        it,
        es,
    }
    out_of_stock_variant {
        fr,
        en,
        de,
        it,
        es,
    }
    size_search { fr, en, de, it, es }
    checkout_by_conversation {
        fr,
        en,
        de,
        it,
        es,
    }
    order_status { fr, en, de, it, es }
    faq { fr, en, de, it, es }
    handoff { fr, en, de, it, es }
    small_talk { fr, en, de, it, es }
    action_checkout { fr, en, de, it, es }
    quick_reply_checkout { fr, en, de, it, es }
    stock_limit { fr, en, de, it, es }
    cards_in_language {
        fr,
        en,
        de,
        it,
        es,
    }
    satisfaction { fr, en, de, it, es }
}
