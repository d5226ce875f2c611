//! JSON sources.
//!
//! - `json`: the generic catalogue's fields as JSON objects, either a JSON array (streamed
//!   element by element) or JSON Lines. `tags` and `image_url` may be arrays, numbers may be
//!   numbers or strings (a JSON number is read through its shortest decimal form: exact up to 15 significant digits). Rows are
//!   numbered by element (1 = first object).
//! - `dummyjson`: DummyJSON's `products.json` (a list, or `{"products": [...]}`).
//! - `saleor`: Saleor's `populatedb_data.json` fixture dump: products, variants, channel
//!   prices, warehouse stock, variant attributes, categories and media joined back together.
//!
//! The two third-party dumps are read whole (they are fixtures, not streams); see
//! docs/catalogue-formats.md for the field mapping.

use crate::report::RowError;
use crate::{generic, html, ImportError, ImportOptions, Parsed, Sink, Stop};
use comptoir_domain::{parse_amount, Currency, ProductUpsert, Translation, Variant};
use serde::de::{DeserializeSeed, MapAccess, SeqAccess, Visitor};
use serde_json::{Map, Value};
use std::collections::HashMap;
use std::io::{BufRead, Read};

use crate::stopped as abort;

/// A JSON scalar as the text a CSV cell would hold.
fn text(v: &Value) -> String {
    match v {
        Value::Null => String::new(),
        Value::String(s) => s.clone(),
        Value::Bool(b) => b.to_string(),
        Value::Number(n) => n.to_string(),
        Value::Array(a) => a.iter().map(text).collect::<Vec<_>>().join("|"),
        Value::Object(_) => String::new(),
    }
}

/// A JSON value that keeps the order of object keys (`serde_json::Value` sorts them, and the
/// order of `options: {"size": "M", "color": "Red"}` is the order a shopper sees).
#[derive(Debug, Clone)]
enum Ordered {
    Scalar(Value),
    Array(Vec<Ordered>),
    Object(Vec<(String, Ordered)>),
}

impl Ordered {
    /// As the text a CSV cell would hold (arrays joined with `|`).
    fn text(&self) -> String {
        match self {
            Ordered::Scalar(v) => text(v),
            Ordered::Array(a) => a.iter().map(Ordered::text).collect::<Vec<_>>().join("|"),
            Ordered::Object(_) => String::new(),
        }
    }
}

impl<'de> serde::Deserialize<'de> for Ordered {
    fn deserialize<D: serde::Deserializer<'de>>(d: D) -> Result<Ordered, D::Error> {
        struct V;
        impl<'de> Visitor<'de> for V {
            type Value = Ordered;
            fn expecting(&self, f: &mut std::fmt::Formatter) -> std::fmt::Result {
                f.write_str("any JSON value")
            }
            fn visit_bool<E>(self, b: bool) -> Result<Ordered, E> {
                Ok(Ordered::Scalar(Value::Bool(b)))
            }
            fn visit_i64<E>(self, n: i64) -> Result<Ordered, E> {
                Ok(Ordered::Scalar(Value::from(n)))
            }
            fn visit_u64<E>(self, n: u64) -> Result<Ordered, E> {
                Ok(Ordered::Scalar(Value::from(n)))
            }
            fn visit_f64<E>(self, n: f64) -> Result<Ordered, E> {
                Ok(Ordered::Scalar(Value::from(n)))
            }
            fn visit_str<E>(self, s: &str) -> Result<Ordered, E> {
                Ok(Ordered::Scalar(Value::String(s.to_string())))
            }
            fn visit_string<E>(self, s: String) -> Result<Ordered, E> {
                Ok(Ordered::Scalar(Value::String(s)))
            }
            fn visit_unit<E>(self) -> Result<Ordered, E> {
                Ok(Ordered::Scalar(Value::Null))
            }
            fn visit_none<E>(self) -> Result<Ordered, E> {
                Ok(Ordered::Scalar(Value::Null))
            }
            fn visit_some<D: serde::Deserializer<'de>>(self, d: D) -> Result<Ordered, D::Error> {
                serde::Deserialize::deserialize(d)
            }
            fn visit_seq<A: SeqAccess<'de>>(self, mut seq: A) -> Result<Ordered, A::Error> {
                let mut out = Vec::new();
                while let Some(v) = seq.next_element::<Ordered>()? {
                    out.push(v);
                }
                Ok(Ordered::Array(out))
            }
            fn visit_map<A: MapAccess<'de>>(self, mut map: A) -> Result<Ordered, A::Error> {
                let mut out = Vec::new();
                while let Some((k, v)) = map.next_entry::<String, Ordered>()? {
                    out.push((k, v));
                }
                Ok(Ordered::Object(out))
            }
        }
        d.deserialize_any(V)
    }
}

fn generic_item(index: u64, v: Ordered, opts: &ImportOptions) -> Parsed {
    let Ordered::Object(obj) = v else {
        return Parsed::Rejected(RowError::new(index, None, "element is not a JSON object"));
    };
    let mut flat: HashMap<String, String> = HashMap::with_capacity(obj.len() + 6);
    for (k, v) in &obj {
        // `options: {"size": "M"}` is accepted as well as option1_name/option1_value.
        if k.eq_ignore_ascii_case("options") {
            if let Ordered::Object(options) = v {
                for (i, (name, value)) in options.iter().enumerate().take(3) {
                    flat.insert(format!("option{}_name", i + 1), name.clone());
                    flat.insert(format!("option{}_value", i + 1), value.text());
                }
            }
            continue;
        }
        flat.insert(k.to_lowercase(), v.text());
    }
    if !flat.contains_key("image_url") {
        if let Some(imgs) = flat.get("images").cloned() {
            flat.insert("image_url".into(), imgs);
        }
    }
    match generic::to_product(&|k| flat.get(k).cloned().unwrap_or_default(), opts) {
        Ok((product, lang)) => Parsed::Product {
            line: index,
            rows: 1,
            lang,
            product,
            variant_lines: vec![index],
        },
        Err((sku, reason)) => Parsed::Rejected(RowError::new(index, sku.as_deref(), reason)),
    }
}

/// Streams the elements of a top-level JSON array to `f`, one at a time.
struct EachElement<'a, F: FnMut(Ordered) -> Result<(), Stop>>(&'a mut F);

impl<'de, F: FnMut(Ordered) -> Result<(), Stop>> DeserializeSeed<'de> for EachElement<'_, F> {
    type Value = ();
    fn deserialize<D: serde::Deserializer<'de>>(self, d: D) -> Result<(), D::Error> {
        d.deserialize_seq(self)
    }
}

impl<'de, F: FnMut(Ordered) -> Result<(), Stop>> Visitor<'de> for EachElement<'_, F> {
    type Value = ();
    fn expecting(&self, f: &mut std::fmt::Formatter) -> std::fmt::Result {
        f.write_str("a JSON array of products")
    }
    fn visit_seq<A: SeqAccess<'de>>(self, mut seq: A) -> Result<(), A::Error> {
        while let Some(v) = seq.next_element::<Ordered>()? {
            (self.0)(v).map_err(|_| serde::de::Error::custom("import stopped"))?;
        }
        Ok(())
    }
}

/// First non-whitespace byte, without consuming it.
fn peek<R: BufRead>(r: &mut R) -> Result<Option<u8>, ImportError> {
    loop {
        let buf = r.fill_buf()?;
        if buf.is_empty() {
            return Ok(None);
        }
        match buf.iter().position(|b| !b.is_ascii_whitespace()) {
            Some(i) => {
                let b = buf[i];
                r.consume(i);
                return Ok(Some(b));
            }
            None => {
                let n = buf.len();
                r.consume(n);
            }
        }
    }
}

/// The generic catalogue as a JSON array or JSON Lines.
pub fn parse_generic<R: BufRead>(
    mut src: R,
    opts: &ImportOptions,
    sink: &mut Sink<'_>,
) -> Result<(), ImportError> {
    let mut index = 0u64;
    match peek(&mut src)? {
        None => Err(ImportError::Empty),
        Some(b'[') => {
            let mut stopped = false;
            let mut each = |v: Ordered| {
                index += 1;
                sink(generic_item(index, v, opts)).inspect_err(|_| stopped = true)
            };
            let mut de = serde_json::Deserializer::from_reader(src);
            let parsed = EachElement(&mut each).deserialize(&mut de);
            if stopped {
                return Err(abort(Stop));
            }
            parsed?;
            de.end()?;
            Ok(())
        }
        Some(b'{') => {
            for v in serde_json::Deserializer::from_reader(src).into_iter::<Ordered>() {
                let v = v?;
                // `{"products": [...]}` wraps the list in an object.
                if let Ordered::Object(fields) = &v {
                    if let Some((_, Ordered::Array(items))) =
                        fields.iter().find(|(k, _)| k == "products")
                    {
                        for item in items {
                            index += 1;
                            sink(generic_item(index, item.clone(), opts)).map_err(abort)?;
                        }
                        continue;
                    }
                }
                index += 1;
                sink(generic_item(index, v, opts)).map_err(abort)?;
            }
            Ok(())
        }
        Some(other) => Err(ImportError::Json {
            line: 1,
            column: 1,
            message: format!("expected `[` or `{{`, found `{}`", other as char),
        }),
    }
}

/// DummyJSON and Saleor dumps are read whole; bigger than this is not such a dump.
pub const MAX_WHOLE_JSON_BYTES: u64 = 64 * 1024 * 1024;

fn read_all<R: Read>(src: R) -> Result<Value, ImportError> {
    let mut buf = Vec::new();
    src.take(MAX_WHOLE_JSON_BYTES + 1).read_to_end(&mut buf)?;
    if buf.len() as u64 > MAX_WHOLE_JSON_BYTES {
        return Err(ImportError::TooLarge(format!(
            "DummyJSON and Saleor dumps are read whole and may be at most {} MB; use the generic JSON or CSV format for larger catalogues",
            MAX_WHOLE_JSON_BYTES / (1024 * 1024)
        )));
    }
    Ok(serde_json::from_slice(&buf)?)
}

/// DummyJSON products: `id, title, description, category, brand, tags, price, stock, sku, images`.
pub fn parse_dummyjson<R: Read>(
    src: R,
    opts: &ImportOptions,
    sink: &mut Sink<'_>,
) -> Result<(), ImportError> {
    let v = read_all(src)?;
    let items = match v {
        Value::Array(a) => a,
        Value::Object(mut o) => match o.remove("products") {
            Some(Value::Array(a)) => a,
            _ => {
                return Err(ImportError::UnknownFormat(
                    "a DummyJSON file is a list of products or {\"products\": [...]}".into(),
                ))
            }
        },
        _ => {
            return Err(ImportError::UnknownFormat(
                "a DummyJSON file is a list of products".into(),
            ))
        }
    };
    for (i, item) in items.into_iter().enumerate() {
        let index = i as u64 + 1;
        let item = match dummy_product(&item, opts) {
            Ok(product) => Parsed::Product {
                line: index,
                rows: 1,
                lang: opts.lang.clone(),
                product,
                variant_lines: vec![index],
            },
            Err(reason) => Parsed::Rejected(RowError::new(
                index,
                item.get("sku").and_then(Value::as_str),
                reason,
            )),
        };
        sink(item).map_err(abort)?;
    }
    Ok(())
}

fn dummy_product(item: &Value, opts: &ImportOptions) -> Result<ProductUpsert, String> {
    let get = |k: &str| item.get(k).map(text).unwrap_or_default();
    let id = get("id");
    if id.is_empty() {
        return Err("product has no id".into());
    }
    let mut p = ProductUpsert::new(&format!("dummyjson-{id}")).map_err(|e| e.to_string())?;
    let tags: Vec<String> = match item.get("tags") {
        Some(Value::Array(a)) => a.iter().map(text).collect(),
        _ => vec![],
    };
    p.translations.push(
        Translation::new(
            opts.lang.clone(),
            &get("title"),
            &get("description"),
            Some(get("category").as_str()),
            tags,
        )
        .map_err(|e| e.to_string())?,
    );
    if !get("brand").is_empty() {
        p.brand = Some(get("brand"));
    }
    let mut images: Vec<String> = match item.get("images") {
        Some(Value::Array(a)) => a.iter().map(text).collect(),
        _ => vec![],
    };
    let thumb = get("thumbnail");
    if !thumb.is_empty() && !images.contains(&thumb) {
        images.push(thumb);
    }
    if !images.is_empty() {
        p.images = Some(images);
    }
    let sku = if get("sku").is_empty() {
        format!("dummyjson-{id}")
    } else {
        get("sku")
    };
    let price = parse_amount(&get("price")).map_err(|e| format!("price: {e}"))?;
    let stock = item.get("stock").and_then(Value::as_i64);
    let v = Variant::new(
        &sku,
        vec![],
        price,
        None,
        opts.currency.clone(),
        stock,
        false,
    )
    .map_err(|e| e.to_string())?;
    p.variants.push(v);
    Ok(p)
}

/// Rows of one Saleor model: (primary key, fields).
type Fixtures = Vec<(String, Map<String, Value>)>;

/// Saleor's fixture dump, joined back into products.
pub fn parse_saleor<R: Read>(
    src: R,
    opts: &ImportOptions,
    warnings: &mut Vec<String>,
    sink: &mut Sink<'_>,
) -> Result<(), ImportError> {
    let Value::Array(fixtures) = read_all(src)? else {
        return Err(ImportError::UnknownFormat(
            "a Saleor dump is a list of {model, pk, fields}".into(),
        ));
    };
    let mut by_model: HashMap<String, Fixtures> = HashMap::new();
    for f in fixtures {
        let model = f
            .get("model")
            .and_then(Value::as_str)
            .unwrap_or("")
            .to_string();
        let pk = f.get("pk").map(text).unwrap_or_default();
        if let Some(Value::Object(fields)) = f.get("fields") {
            by_model
                .entry(model)
                .or_default()
                .push((pk, fields.clone()));
        }
    }
    let table = |m: &str| by_model.get(m).cloned().unwrap_or_default();
    let index = |m: &str| -> HashMap<String, Map<String, Value>> { table(m).into_iter().collect() };
    let field = |o: &Map<String, Value>, k: &str| o.get(k).map(text).unwrap_or_default();

    let categories = index("product.category");
    let types = index("product.producttype");
    let attributes = index("attribute.attribute");
    let values = index("attribute.attributevalue");
    let attr_variant = index("attribute.attributevariant");
    // variant pk → (attribute name, value name)
    let assigned = index("attribute.assignedvariantattribute");
    let mut options: HashMap<String, Vec<(String, String)>> = HashMap::new();
    for (_, av) in table("attribute.assignedvariantattributevalue") {
        let Some(assignment) = assigned.get(&field(&av, "assignment")) else {
            continue;
        };
        let variant = field(assignment, "variant");
        let attr_name = attr_variant
            .get(&field(assignment, "assignment"))
            .and_then(|a| attributes.get(&field(a, "attribute")))
            .map(|a| field(a, "name"))
            .unwrap_or_default();
        let value = values
            .get(&field(&av, "value"))
            .map(|v| field(v, "name"))
            .unwrap_or_default();
        if !attr_name.is_empty() && !value.is_empty() {
            options.entry(variant).or_default().push((attr_name, value));
        }
    }
    // variant pk → listings (currency, price); prefer the tenant's currency.
    let mut prices: HashMap<String, Vec<(String, String)>> = HashMap::new();
    for (_, l) in table("product.productvariantchannellisting") {
        prices
            .entry(field(&l, "variant"))
            .or_default()
            .push((field(&l, "currency"), field(&l, "price_amount")));
    }
    let mut stock: HashMap<String, i64> = HashMap::new();
    for (_, s) in table("warehouse.stock") {
        *stock.entry(field(&s, "product_variant")).or_default() +=
            s.get("quantity").and_then(Value::as_i64).unwrap_or(0);
    }
    let mut media: HashMap<String, Vec<(i64, String)>> = HashMap::new();
    for (_, m) in table("product.productmedia") {
        let url = match field(&m, "external_url") {
            u if !u.is_empty() => u,
            _ => field(&m, "image"),
        };
        media.entry(field(&m, "product")).or_default().push((
            m.get("sort_order").and_then(Value::as_i64).unwrap_or(0),
            url,
        ));
    }
    let mut variants: HashMap<String, Fixtures> = HashMap::new();
    for (pk, v) in table("product.productvariant") {
        variants
            .entry(field(&v, "product"))
            .or_default()
            .push((pk, v));
    }
    let mut no_price = 0;
    // Variants priced only in another currency than the shop's: currency → count.
    let mut other_currency: std::collections::BTreeMap<String, u64> = Default::default();
    for (n, (pk, prod)) in table("product.product").into_iter().enumerate() {
        let line = n as u64 + 1;
        let ext = match field(&prod, "slug") {
            s if !s.is_empty() => s,
            _ => format!("saleor-{pk}"),
        };
        let Ok(mut p) = ProductUpsert::new(&ext) else {
            continue;
        };
        let description = match field(&prod, "description_plaintext") {
            d if !d.is_empty() => d,
            _ => editorjs_text(prod.get("description")),
        };
        let category = categories
            .get(&field(&prod, "category"))
            .map(|c| field(c, "name"));
        match Translation::new(
            opts.lang.clone(),
            &field(&prod, "name"),
            &description,
            category.as_deref(),
            vec![],
        ) {
            Ok(t) => p.translations.push(t),
            Err(e) => {
                sink(Parsed::Rejected(RowError::new(line, None, e.to_string()))).map_err(abort)?;
                continue;
            }
        }
        let digital = types
            .get(&field(&prod, "product_type"))
            .and_then(|t| t.get("is_shipping_required"))
            .and_then(Value::as_bool)
            .is_some_and(|req| !req);
        let mut imgs = media.remove(&pk).unwrap_or_default();
        imgs.sort();
        if !imgs.is_empty() {
            p.images = Some(imgs.into_iter().map(|(_, u)| u).collect());
        }
        let mut vs = variants.remove(&pk).unwrap_or_default();
        vs.sort_by_key(|(_, v)| v.get("sort_order").and_then(Value::as_i64).unwrap_or(0));
        let mut lines = Vec::new();
        for (vpk, v) in vs {
            let sku = match field(&v, "sku") {
                s if !s.is_empty() => s,
                _ => format!("saleor-{vpk}"),
            };
            let listings = prices.get(&vpk).cloned().unwrap_or_default();
            let chosen = listings
                .iter()
                .find(|(c, _)| c.eq_ignore_ascii_case(opts.currency.as_str()))
                .or_else(|| listings.first());
            let Some((cur, amount)) = chosen else {
                no_price += 1;
                continue;
            };
            if !cur.eq_ignore_ascii_case(opts.currency.as_str()) {
                *other_currency.entry(cur.to_ascii_uppercase()).or_default() += 1;
            }
            let tracked = v
                .get("track_inventory")
                .and_then(Value::as_bool)
                .unwrap_or(true);
            let built = Currency::parse(cur)
                .map_err(|e| e.to_string())
                .and_then(|c| {
                    let price = parse_amount(amount).map_err(|e| e.to_string())?;
                    // Saleor keeps 3 decimals ("40.000"); normalising drops the zeros.
                    Variant::new(
                        &sku,
                        options.remove(&vpk).unwrap_or_default(),
                        price,
                        None,
                        c,
                        if tracked {
                            Some(*stock.get(&vpk).unwrap_or(&0))
                        } else {
                            None
                        },
                        digital,
                    )
                    .map_err(|e| e.to_string())
                });
            match built {
                Ok(var) => {
                    p.variants.push(var);
                    lines.push(line);
                }
                Err(reason) => sink(Parsed::Rejected(RowError::new(line, Some(&sku), reason)))
                    .map_err(abort)?,
            }
        }
        if p.variants.is_empty() {
            sink(Parsed::Rejected(RowError::new(
                line,
                None,
                format!("product `{ext}` has no priced variant"),
            )))
            .map_err(abort)?;
            continue;
        }
        sink(Parsed::Product {
            line,
            rows: 1,
            lang: opts.lang.clone(),
            product: p,
            variant_lines: lines,
        })
        .map_err(abort)?;
    }
    for (cur, n) in other_currency {
        warnings.push(format!(
            "{n} Saleor variant(s) have no {} price and were imported in {cur}",
            opts.currency.as_str()
        ));
    }
    if no_price > 0 {
        warnings.push(format!(
            "{no_price} Saleor variant(s) have no channel price and were left out"
        ));
    }
    Ok(())
}

/// Text of an Editor.js document (`{"blocks": [{"data": {"text": "..."}}]}`), as Saleor stores.
fn editorjs_text(v: Option<&Value>) -> String {
    let Some(blocks) = v.and_then(|d| d.get("blocks")).and_then(Value::as_array) else {
        return String::new();
    };
    blocks
        .iter()
        .filter_map(|b| {
            b.get("data")
                .and_then(|d| d.get("text"))
                .and_then(Value::as_str)
        })
        .map(html::to_text)
        .collect::<Vec<_>>()
        .join("\n")
}
