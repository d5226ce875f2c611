//! The shop's side of the admin over real HTTP: catalogue (upload, search, edit, limits,
//! escaping), orders and leads, with roles and tenant isolation.

use super::*;
use comptoir_domain::{
    Customer, LeadKind, NewAppointment, NewLead, NewOrder, NewUser, OrderLineRequest, OrderStatus,
    Role, Tenant,
};
use tokio::io::{AsyncReadExt, AsyncWriteExt};

on_both_backends!(
    admin_catalogue_import_search_and_edit,
    admin_catalogue_escapes_and_refuses_bad_uploads,
    admin_catalogue_takes_a_large_file_and_pages,
    admin_orders_and_leads_with_roles,
);

const BOUNDARY: &str = "----comptoir-test-boundary-7MA4YWxk";

const SHOP_CSV: &str = "sku,product_id,title,description,category,brand,price,currency,compare_at_price,stock,tags,image_url,option1_name,option1_value,option2_name,option2_value,digital,lang
LAMP-1,lamp,Atlas desk lamp,Brass desk lamp,Lighting,Lumen,49.90,EUR,,12,,,,,,,false,en
MUG-1,mug,Celadon mug,Stoneware mug,Kitchen,Terre,12.00,EUR,,3,,,,,,,false,en
BAD-1,bad,Broken row,,Kitchen,Terre,abc,EUR,,1,,,,,,,false,en
";

/// A multipart form: text fields in order, then (optionally) the file, then more text fields.
fn multipart(
    before: &[(&str, &str)],
    file: Option<(&str, &[u8])>,
    after: &[(&str, &str)],
) -> Vec<u8> {
    let mut b = Vec::new();
    let text = |b: &mut Vec<u8>, k: &str, v: &str| {
        b.extend_from_slice(
            format!("--{BOUNDARY}\r\nContent-Disposition: form-data; name=\"{k}\"\r\n\r\n{v}\r\n")
                .as_bytes(),
        );
    };
    for (k, v) in before {
        text(&mut b, k, v);
    }
    if let Some((name, content)) = file {
        b.extend_from_slice(file_head(name).as_bytes());
        b.extend_from_slice(content);
        b.extend_from_slice(b"\r\n");
    }
    for (k, v) in after {
        text(&mut b, k, v);
    }
    b.extend_from_slice(format!("--{BOUNDARY}--\r\n").as_bytes());
    b
}

fn file_head(name: &str) -> String {
    format!("--{BOUNDARY}\r\nContent-Disposition: form-data; name=\"file\"; filename=\"{name}\"\r\nContent-Type: application/octet-stream\r\n\r\n")
}

/// Posts a multipart body; returns status, page and `Location`.
async fn upload(c: &AdminClient, body: Vec<u8>) -> (StatusCode, String, Option<String>) {
    let res = c
        .http
        .post(format!("{}/admin/catalogue/import", c.base))
        .header("cookie", &c.cookie)
        .header(
            "content-type",
            format!("multipart/form-data; boundary={BOUNDARY}"),
        )
        .body(body)
        .send()
        .await
        .unwrap();
    let location = res
        .headers()
        .get("location")
        .map(|v| v.to_str().unwrap().to_string());
    (res.status(), res.text().await.unwrap(), location)
}

/// Sends `head`, then `zeros` zero bytes, then `tail` over a raw connection, 64 KiB at a time
/// (never holding the body in memory), with a `Content-Length` or chunked; reads the answer
/// while still sending, as a browser does. Returns the status and the page.
async fn stream_upload(
    c: &AdminClient,
    head: Vec<u8>,
    zeros: u64,
    tail: Vec<u8>,
    chunked: bool,
) -> (u16, String) {
    let addr = c.base.trim_start_matches("http://").to_string();
    let stream = tokio::net::TcpStream::connect(&addr).await.unwrap();
    let (mut rd, mut wr) = stream.into_split();
    let len = head.len() as u64 + zeros + tail.len() as u64;
    let framing = if chunked {
        "Transfer-Encoding: chunked".to_string()
    } else {
        format!("Content-Length: {len}")
    };
    let request = format!(
        "POST /admin/catalogue/import HTTP/1.1\r\nHost: {addr}\r\nCookie: {}\r\nContent-Type: multipart/form-data; boundary={BOUNDARY}\r\n{framing}\r\nConnection: close\r\n\r\n",
        c.cookie
    );
    let writer = tokio::spawn(async move {
        wr.write_all(request.as_bytes()).await?;
        let zero = vec![0u8; 64 * 1024];
        let send = |data: Vec<u8>| {
            let mut out = Vec::with_capacity(data.len() + 16);
            if chunked {
                out.extend_from_slice(format!("{:x}\r\n", data.len()).as_bytes());
                out.extend_from_slice(&data);
                out.extend_from_slice(b"\r\n");
            } else {
                out = data;
            }
            out
        };
        wr.write_all(&send(head)).await?;
        let mut left = zeros;
        while left > 0 {
            let n = left.min(zero.len() as u64) as usize;
            wr.write_all(&send(zero[..n].to_vec())).await?;
            left -= n as u64;
        }
        wr.write_all(&send(tail)).await?;
        if chunked {
            wr.write_all(b"0\r\n\r\n").await?;
        }
        Ok::<_, std::io::Error>(())
    });
    let mut buf = Vec::new();
    let mut chunk = vec![0u8; 16 * 1024];
    let read = async {
        loop {
            match rd.read(&mut chunk).await {
                Ok(0) | Err(_) => break,
                Ok(n) => buf.extend_from_slice(&chunk[..n]),
            }
        }
    };
    tokio::time::timeout(std::time::Duration::from_secs(60), read)
        .await
        .expect("an answer within a minute");
    writer.abort();
    let text = String::from_utf8_lossy(&buf).to_string();
    let status = text
        .split(' ')
        .nth(1)
        .and_then(|s| s.parse().ok())
        .unwrap_or(0);
    (status, text)
}

async fn tenant_of(s: &Server, email: &str) -> Tenant {
    let u = s.store.user_by_email(email).await.unwrap().unwrap();
    s.store
        .tenant_by_id(u.tenant_id.as_deref().unwrap())
        .await
        .unwrap()
        .unwrap()
}

async fn secret_key(s: &Server, t: &Tenant) -> String {
    let k = NewApiKey::generate(&t.id, KeyKind::Secret, "test");
    s.store.insert_api_key(&k).await.unwrap();
    k.token
}

async fn agent_of(s: &Server, t: &Tenant, email: &str) -> AdminClient {
    let hash = comptoir_server::admin::auth::hash_password("agent password 1234").unwrap();
    let u = NewUser::new(Some(t.id.clone()), email, "Agent", Role::Agent, hash).unwrap();
    s.store.create_user(&u).await.unwrap();
    AdminClient::login(s, email, "agent password 1234")
        .await
        .expect("agent signs in")
}

async fn imports_of(s: &Server, t: &Tenant) -> usize {
    s.store.list_imports(&t.id, 100).await.unwrap().len()
}

pub async fn admin_catalogue_import_search_and_edit(backend: &str) {
    let s = Server::start(backend, Limits::default()).await;
    let owner = AdminClient::signup(&s, "Shop", "o@shop.example").await;
    let t = tenant_of(&s, "o@shop.example").await;
    let sk = secret_key(&s, &t).await;

    // The page offers the upload form to the owner.
    let (status, html) = owner.get("/admin/catalogue").await;
    assert_eq!(status, StatusCode::OK);
    assert!(html.contains("enctype=\"multipart/form-data\""), "{html}");
    assert!(html.contains("No products yet"));

    // Upload: the report shows on the catalogue page, the bad row by its line.
    let body = multipart(
        &[("_csrf", &owner.csrf), ("format", "auto")],
        Some(("shop.csv", SHOP_CSV.as_bytes())),
        &[],
    );
    let (status, page, to) = upload(&owner, body).await;
    assert_eq!(status, StatusCode::SEE_OTHER, "{page}");
    let to = to.unwrap();
    assert!(to.starts_with("/admin/catalogue?import=imp"), "{to}");
    let (status, html) = owner.get(&to).await;
    assert_eq!(status, StatusCode::OK);
    assert!(html.contains("Import of shop.csv"), "{html}");
    assert!(
        html.contains("<tr class=\"rejected-row\"><td class=\"num\">4</td><td>BAD-1</td>"),
        "{html}"
    );
    assert!(html.contains("Atlas desk lamp") && html.contains("Celadon mug"));
    assert!(html.contains("badge low"), "3 mugs left is low stock");
    assert_eq!(imports_of(&s, &t).await, 1);
    let (products, _) = s.store.count_catalogue(&t.id).await.unwrap();
    assert_eq!(products, 2);

    // A `return` path inside the admin is where the wizard gets the import; anything else is not.
    let body = multipart(
        &[
            ("_csrf", &owner.csrf),
            ("return", "/admin/onboarding?step=template"),
        ],
        Some(("shop.csv", SHOP_CSV.as_bytes())),
        &[],
    );
    let (status, _, to) = upload(&owner, body).await;
    assert_eq!(status, StatusCode::SEE_OTHER);
    assert!(to
        .unwrap()
        .starts_with("/admin/onboarding?step=template&import=imp"));
    let body = multipart(
        &[("_csrf", &owner.csrf)],
        Some(("shop.csv", SHOP_CSV.as_bytes())),
        &[("return", "https://evil.example/")],
    );
    let (status, _, to) = upload(&owner, body).await;
    assert_eq!(status, StatusCode::SEE_OTHER);
    assert!(to.unwrap().starts_with("/admin/catalogue?import="));

    // Search finds a product and leaves the other out.
    let (status, html) = owner.get("/admin/catalogue?q=lamp").await;
    assert_eq!(status, StatusCode::OK);
    assert!(html.contains("Atlas desk lamp"), "{html}");
    assert!(!html.contains("Celadon mug"), "{html}");
    let (_, html) = owner.get("/admin/catalogue?q=MUG-1").await;
    assert!(html.contains("Celadon mug"), "a sku finds its product");
    let (_, html) = owner.get("/admin/catalogue?stock=out").await;
    assert!(html.contains("No product matches"), "{html}");

    // Edit: price and stock saved, seen by the public API.
    let lamp = s
        .store
        .product_by_external_id(&t, "lamp", None)
        .await
        .unwrap()
        .unwrap();
    let path = format!("/admin/catalogue/products/{}", lamp.id);
    let (status, html) = owner.get(&path).await;
    assert_eq!(status, StatusCode::OK);
    assert!(
        html.contains("value=\"49.9\"") && html.contains("value=\"12\""),
        "{html}"
    );
    let (status, page, to) = owner
        .post(
            &path,
            &[
                ("title", "Atlas brass lamp"),
                ("description", "Brass desk lamp, warm light"),
                ("sku.0", "LAMP-1"),
                ("price.0", "39.50"),
                ("price_was.0", "49.9"),
                ("stock.0", "7"),
                ("stock_was.0", "12"),
            ],
        )
        .await;
    assert_eq!(status, StatusCode::SEE_OTHER, "{page}");
    assert!(to.unwrap().starts_with(&path));
    let (st, _, p) = s
        .call(
            Method::GET,
            &format!("/v1/products/{}", lamp.id),
            Some(&sk),
            None,
        )
        .await;
    assert_eq!(st, StatusCode::OK);
    assert_eq!(p["title"], "Atlas brass lamp");
    assert_eq!(p["description"], "Brass desk lamp, warm light");
    assert_eq!(p["variants"][0]["price"], "39.5");
    assert_eq!(p["variants"][0]["stock"], 7);
    let (_, html) = owner.get("/admin/catalogue?q=brass").await;
    assert!(
        html.contains("Atlas brass lamp"),
        "the search sees the edit: {html}"
    );

    // Empty stock = not tracked.
    let (status, _, _) = owner
        .post(
            &path,
            &[
                ("title", "Atlas brass lamp"),
                ("sku.0", "LAMP-1"),
                ("price.0", "39.5"),
                ("price_was.0", "39.5"),
                ("stock.0", ""),
                ("stock_was.0", "7"),
            ],
        )
        .await;
    assert_eq!(status, StatusCode::SEE_OTHER);
    let (_, _, p) = s
        .call(
            Method::GET,
            &format!("/v1/products/{}", lamp.id),
            Some(&sk),
            None,
        )
        .await;
    assert_eq!(p["variants"][0]["stock"], Value::Null);
    assert_eq!(p["variants"][0]["in_stock"], true);

    // Bad input: the form again with what was typed, 422, nothing saved.
    for (price, stock, why) in [
        ("12,50", "4", "Price of LAMP-1"),
        ("-3", "4", "Price of LAMP-1"),
        ("10", "-1", "Stock of LAMP-1"),
        ("10", "lots", "Stock of LAMP-1"),
        ("10.123", "4", "LAMP-1"),
    ] {
        let (status, html, _) = owner
            .post(
                &path,
                &[
                    ("title", "Changed"),
                    ("sku.0", "LAMP-1"),
                    ("price.0", price),
                    ("price_was.0", "39.5"),
                    ("stock.0", stock),
                    ("stock_was.0", ""),
                ],
            )
            .await;
        assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY, "{price} {stock}");
        assert!(
            html.contains("Nothing was saved") && html.contains(why),
            "{why}: {html}"
        );
        assert!(
            html.contains(&format!("value=\"{price}\"")),
            "what was typed stays"
        );
    }
    let (status, html, _) = owner
        .post(
            &path,
            &[
                ("title", "  "),
                ("sku.0", "LAMP-1"),
                ("price.0", "10"),
                ("price_was.0", "39.5"),
            ],
        )
        .await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(html.contains("title is empty"), "{html}");
    let (_, _, p) = s
        .call(
            Method::GET,
            &format!("/v1/products/{}", lamp.id),
            Some(&sk),
            None,
        )
        .await;
    assert_eq!(p["title"], "Atlas brass lamp");
    assert_eq!(p["variants"][0]["price"], "39.5");

    // Without the token: refused, nothing saved.
    let (status, _, _) = owner
        .post_raw(
            &path,
            &[
                ("title", "Hacked"),
                ("sku.0", "LAMP-1"),
                ("price.0", "1"),
                ("price_was.0", "39.5"),
            ],
        )
        .await;
    assert_eq!(status, StatusCode::FORBIDDEN);
    // Another shop's product is not found, to see or to save.
    let other = AdminClient::signup(&s, "Other", "x@other.example").await;
    assert_eq!(other.get(&path).await.0, StatusCode::NOT_FOUND);
    let (status, _, _) = other
        .post(
            &path,
            &[
                ("title", "Hacked"),
                ("sku.0", "LAMP-1"),
                ("price.0", "1"),
                ("price_was.0", "39.5"),
            ],
        )
        .await;
    assert_eq!(status, StatusCode::NOT_FOUND);
    let (_, _, p) = s
        .call(
            Method::GET,
            &format!("/v1/products/{}", lamp.id),
            Some(&sk),
            None,
        )
        .await;
    assert_eq!(p["title"], "Atlas brass lamp");
    s.stop().await;
}

pub async fn admin_catalogue_escapes_and_refuses_bad_uploads(backend: &str) {
    let s = Server::start(backend, Limits::default()).await;
    let owner = AdminClient::signup(&s, "Shop", "o@shop.example").await;
    let t = tenant_of(&s, "o@shop.example").await;
    let sk = secret_key(&s, &t).await;

    // Script in a product's name is shown as text.
    let (st, _, p) = s
        .call(
            Method::POST,
            "/v1/products",
            Some(&sk),
            Some(json!({"title": "<script>alert(1)</script>", "brand": "<b>Bold</b>", "variants": [{"sku": "XSS-1", "price": "5"}]})),
        )
        .await;
    assert_eq!(st, StatusCode::CREATED, "{p}");
    let id = p["id"].as_str().unwrap().to_string();
    for path in [
        "/admin/catalogue".to_string(),
        format!("/admin/catalogue/products/{id}"),
        "/admin/catalogue?q=XSS-1".to_string(),
    ] {
        let (status, html) = owner.get(&path).await;
        assert_eq!(status, StatusCode::OK, "{path}");
        assert!(!html.contains("<script>alert(1)"), "{path}: {html}");
        assert!(!html.contains("<b>Bold"), "{path}");
        assert!(html.contains("&lt;script&gt;alert(1)"), "{path}: {html}");
    }

    let before = imports_of(&s, &t).await;
    // A 200 MB upload is refused at once (413), without the server reading it all.
    let head = [
        format!(
            "--{BOUNDARY}\r\nContent-Disposition: form-data; name=\"_csrf\"\r\n\r\n{}\r\n",
            owner.csrf
        ),
        file_head("huge.csv"),
    ]
    .concat()
    .into_bytes();
    let tail = format!("\r\n--{BOUNDARY}--\r\n").into_bytes();
    let started = std::time::Instant::now();
    let (status, page) =
        stream_upload(&owner, head.clone(), 200 * 1024 * 1024, tail.clone(), false).await;
    assert_eq!(status, 413, "{page}");
    assert!(page.contains("larger than 50 MiB"), "{page}");
    assert!(started.elapsed() < std::time::Duration::from_secs(30));
    // Sent without a length, zeros are binary: refused from the first bytes.
    let (status, page) = stream_upload(&owner, head, 60 * 1024 * 1024, tail, true).await;
    assert_eq!(status, 422, "{page}");
    assert!(page.contains("not a CSV or JSON catalogue file"), "{page}");

    // Not a catalogue: an image, binary data, a program's name.
    let png = b"\x89PNG\r\n\x1a\n\0\0\0\rIHDR\0\0\0\x01\0\0\0\x01\x08\x06\0\0\0\x1f\x15\xc4\x89";
    for (name, content) in [
        ("logo.png", png.as_slice()),
        ("catalogue.csv", png.as_slice()),
        ("data.csv", b"sku,title\0\0\0\x01\x02binary".as_slice()),
        ("setup.exe", b"sku,title,price\nA,B,1\n".as_slice()),
    ] {
        let body = multipart(&[("_csrf", &owner.csrf)], Some((name, content)), &[]);
        let (status, html, _) = upload(&owner, body).await;
        assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY, "{name}");
        assert!(
            html.contains("not a CSV or JSON catalogue file"),
            "{name}: {html}"
        );
    }
    // A text file that is no catalogue either.
    let body = multipart(
        &[("_csrf", &owner.csrf)],
        Some(("notes.csv", b"hello there\nnothing here\n")),
        &[],
    );
    let (status, html, _) = upload(&owner, body).await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY, "{html}");
    assert!(html.contains("Pick its format in the list"), "{html}");
    // No file chosen.
    let body = multipart(&[("_csrf", &owner.csrf)], Some(("", b"")), &[]);
    let (status, html, _) = upload(&owner, body).await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(html.contains("Choose a catalogue file"), "{html}");

    // Without the CSRF token, or with it after the file: refused.
    let body = multipart(&[], Some(("shop.csv", SHOP_CSV.as_bytes())), &[]);
    assert_eq!(upload(&owner, body).await.0, StatusCode::FORBIDDEN);
    let body = multipart(
        &[("_csrf", "0000")],
        Some(("shop.csv", SHOP_CSV.as_bytes())),
        &[],
    );
    assert_eq!(upload(&owner, body).await.0, StatusCode::FORBIDDEN);
    let body = multipart(
        &[],
        Some(("shop.csv", SHOP_CSV.as_bytes())),
        &[("_csrf", &owner.csrf)],
    );
    assert_eq!(upload(&owner, body).await.0, StatusCode::FORBIDDEN);

    assert_eq!(imports_of(&s, &t).await, before, "nothing imported");
    assert_eq!(
        s.store.count_catalogue(&t.id).await.unwrap().0,
        1,
        "only the product made over the API"
    );
    s.stop().await;
}

/// Files past the admin's 1 MiB form limit go through the upload route, and the list pages.
pub async fn admin_catalogue_takes_a_large_file_and_pages(backend: &str) {
    let s = Server::start(backend, Limits::default()).await;
    let owner = AdminClient::signup(&s, "Shop", "o@shop.example").await;
    let t = tenant_of(&s, "o@shop.example").await;
    let mut csv = String::from("sku,product_id,title,description,price,stock\n");
    for i in 0..12_000 {
        csv.push_str(&format!("SKU-{i:05},p{i:05},Product number {i},A plain description of product {i} for the test,{}.50,{}\n", 10 + i % 90, i % 7));
    }
    assert!(csv.len() > 1024 * 1024);
    let body = multipart(
        &[("_csrf", &owner.csrf), ("format", "generic")],
        Some(("big.csv", csv.as_bytes())),
        &[],
    );
    let (status, page, to) = upload(&owner, body).await;
    assert_eq!(status, StatusCode::SEE_OTHER, "{page}");
    let (_, html) = owner.get(&to.unwrap()).await;
    assert!(html.contains("Import of big.csv"), "{html}");
    assert_eq!(s.store.count_catalogue(&t.id).await.unwrap().0, 12_000);
    // Attribute values are escaped (`/` as `&#x2f;`, `&` as `&amp;`), as browsers read them.
    let next = html
        .split("href=\"")
        .map(|h| {
            h[..h.find('"').unwrap_or(0)]
                .replace("&#x2f;", "/")
                .replace("&amp;", "&")
        })
        .find(|h| h.starts_with("/admin/catalogue?cursor="))
        .expect("a next page");
    let (status, html) = owner.get(&next).await;
    assert_eq!(status, StatusCode::OK);
    assert!(html.contains("Product number") && html.contains("First page"));
    assert_eq!(
        owner.get("/admin/catalogue?cursor=../../etc").await.0,
        StatusCode::BAD_REQUEST
    );
    let (_, html) = owner.get("/admin/catalogue?stock=out").await;
    assert!(html.contains("badge out"), "stock 0 is out of stock");
    s.stop().await;
}

pub async fn admin_orders_and_leads_with_roles(backend: &str) {
    let s = Server::start(backend, Limits::default()).await;
    let owner = AdminClient::signup(&s, "Shop", "o@shop.example").await;
    let t = tenant_of(&s, "o@shop.example").await;
    let body = multipart(
        &[("_csrf", &owner.csrf)],
        Some(("shop.csv", SHOP_CSV.as_bytes())),
        &[],
    );
    assert_eq!(upload(&owner, body).await.0, StatusCode::SEE_OTHER);

    let (status, html) = owner.get("/admin/orders").await;
    assert_eq!(status, StatusCode::OK);
    assert!(html.contains("No orders yet"), "{html}");

    let order = |name: &str, qty: i64| NewOrder {
        lines: vec![OrderLineRequest {
            sku: "LAMP-1".into(),
            quantity: qty,
        }],
        customer: Some(Customer {
            name: Some(name.into()),
            email: Some("zoe@example.com".into()),
            phone: None,
            address: None,
        }),
        payment_method: "manual".into(),
        conversation_id: None,
        expires_at: None,
        idempotency_key: None,
    };
    let o = s
        .store
        .place_order(&t, &order("Zoé <i>Martin</i>", 2))
        .await
        .unwrap();
    let (status, html) = owner.get("/admin/orders").await;
    assert_eq!(status, StatusCode::OK);
    assert!(html.contains(&o.id), "{html}");
    assert!(
        html.contains("Zoé &lt;i&gt;Martin") && !html.contains("<i>Martin"),
        "{html}"
    );
    assert!(html.contains("2 × LAMP-1"));
    assert!(html.contains("99.80 EUR"), "{html}");
    assert!(html.contains("awaiting payment") && html.contains("Mark paid"));
    assert!(
        html.contains("<time datetime=\"20"),
        "dates are RFC 3339 for the viewer's zone"
    );

    // An agent sees and manages orders, but does not change the catalogue.
    let agent = agent_of(&s, &t, "agent@shop.example").await;
    let (status, html) = agent.get("/admin/orders").await;
    assert_eq!(status, StatusCode::OK);
    assert!(html.contains(&o.id));
    let (status, html) = agent.get("/admin/catalogue").await;
    assert_eq!(status, StatusCode::OK, "agents may look at the catalogue");
    assert!(
        !html.contains("enctype=\"multipart/form-data\""),
        "no upload form for an agent"
    );
    let body = multipart(
        &[("_csrf", &agent.csrf)],
        Some(("shop.csv", SHOP_CSV.as_bytes())),
        &[],
    );
    assert_eq!(upload(&agent, body).await.0, StatusCode::FORBIDDEN);
    let lamp = s
        .store
        .product_by_external_id(&t, "lamp", None)
        .await
        .unwrap()
        .unwrap();
    let path = format!("/admin/catalogue/products/{}", lamp.id);
    let (status, html) = agent.get(&path).await;
    assert_eq!(status, StatusCode::OK);
    assert!(html.contains("Only the shop&#x27;s owner"));
    let (status, _, _) = agent
        .post(
            &path,
            &[
                ("title", "Agent was here"),
                ("sku.0", "LAMP-1"),
                ("price.0", "1"),
                ("price_was.0", "49.9"),
            ],
        )
        .await;
    assert_eq!(status, StatusCode::FORBIDDEN);
    assert_eq!(
        s.store
            .product(&t, &lamp.id, None)
            .await
            .unwrap()
            .unwrap()
            .title,
        "Atlas desk lamp"
    );

    // Mark paid (by the agent), then filters by status.
    let (status, _, to) = agent
        .post(
            &format!("/admin/orders/{}/status", o.id),
            &[("status", "paid")],
        )
        .await;
    assert_eq!(status, StatusCode::SEE_OTHER);
    let to = to.unwrap();
    assert!(
        to.starts_with("/admin/orders") && to.contains("[flash: Order "),
        "{to}"
    );
    assert_eq!(
        s.store.order(&t.id, &o.id).await.unwrap().unwrap().status,
        OrderStatus::Paid
    );
    let (_, html) = owner.get("/admin/orders?status=paid").await;
    assert!(html.contains(&o.id) && html.contains("badge paid"));
    let (_, html) = owner.get("/admin/orders?status=cancelled").await;
    assert!(!html.contains(&o.id));
    assert_eq!(
        owner.get("/admin/orders?status=shipped").await.0,
        StatusCode::BAD_REQUEST
    );
    // Paid cannot be paid again; what the API refuses the admin refuses.
    let (status, html, _) = owner
        .post(
            &format!("/admin/orders/{}/status", o.id),
            &[("status", "paid")],
        )
        .await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY, "{html}");
    let (status, _, _) = owner
        .post(
            &format!("/admin/orders/{}/status", o.id),
            &[("status", "expired")],
        )
        .await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY);
    // Without the token: refused.
    let (status, _, _) = owner
        .post_raw(
            &format!("/admin/orders/{}/status", o.id),
            &[("status", "cancelled")],
        )
        .await;
    assert_eq!(status, StatusCode::FORBIDDEN);
    // Cancelling gives the stock back.
    let (status, _, to) = owner
        .post(
            &format!("/admin/orders/{}/status", o.id),
            &[("status", "cancelled"), ("filter", "paid")],
        )
        .await;
    assert_eq!(status, StatusCode::SEE_OTHER);
    assert!(to.unwrap().contains("?status=paid"));
    assert_eq!(
        s.store.order(&t.id, &o.id).await.unwrap().unwrap().status,
        OrderStatus::Cancelled
    );
    let lamp = s.store.product(&t, &lamp.id, None).await.unwrap().unwrap();
    assert_eq!(lamp.variants[0].stock, Some(12));

    // Another shop's order: not found, unchanged.
    let other = AdminClient::signup(&s, "Other", "x@other.example").await;
    let ot = tenant_of(&s, "x@other.example").await;
    let body = multipart(
        &[("_csrf", &other.csrf)],
        Some(("shop.csv", SHOP_CSV.as_bytes())),
        &[],
    );
    assert_eq!(upload(&other, body).await.0, StatusCode::SEE_OTHER);
    let foreign = s
        .store
        .place_order(&ot, &order("Other customer", 1))
        .await
        .unwrap();
    let (status, _, _) = owner
        .post(
            &format!("/admin/orders/{}/status", foreign.id),
            &[("status", "paid")],
        )
        .await;
    assert_eq!(status, StatusCode::NOT_FOUND);
    assert_eq!(
        s.store
            .order(&ot.id, &foreign.id)
            .await
            .unwrap()
            .unwrap()
            .status,
        OrderStatus::AwaitingPayment
    );
    let (_, html) = owner.get("/admin/orders").await;
    assert!(!html.contains(&foreign.id));

    // Leads, escaped, and the coming appointments.
    s.store
        .add_lead(
            &t.id,
            &NewLead {
                kind: LeadKind::Quote,
                conversation_id: Some("conv_abc".into()),
                name: Some("<script>alert(1)</script>".into()),
                email: Some("lead@example.com".into()),
                phone: Some("+33 6 12 34 56 78".into()),
                details: "2 × LAMP-1 <img src=x onerror=alert(2)>".into(),
                score: 70,
            },
        )
        .await
        .unwrap();
    s.store
        .book_appointment(
            &t.id,
            &NewAppointment {
                conversation_id: None,
                starts_at: comptoir_domain::now_ms() + 24 * 3600 * 1000,
                duration_minutes: 30,
                name: Some("Visit <u>Léa</u>".into()),
                email: None,
                phone: None,
            },
        )
        .await
        .unwrap();
    for c in [&owner, &agent] {
        let (status, html) = c.get("/admin/leads").await;
        assert_eq!(status, StatusCode::OK);
        assert!(
            html.contains("&lt;script&gt;alert(1)") && !html.contains("<script>alert(1)"),
            "{html}"
        );
        assert!(!html.contains("<img src=x"), "{html}");
        assert!(html.contains("lead@example.com") && html.contains("/admin/inbox/conv_abc"));
        assert!(html.contains("Visit &lt;u&gt;Léa"), "{html}");
    }
    let (_, html) = other.get("/admin/leads").await;
    assert!(
        !html.contains("lead@example.com"),
        "leads stay in their shop"
    );
    s.stop().await;
}
