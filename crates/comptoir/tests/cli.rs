//! The binary as a user runs it: `serve --demo`, `tenant create`, `import`, `migrate`, and the
//! configuration precedence (flags > COMPTOIR_* env > comptoir.toml > defaults).

use std::io::{BufRead, BufReader};
use std::path::Path;
use std::process::{Child, Command, Output, Stdio};
use std::time::{Duration, Instant};

fn bin() -> Command {
    let mut c = Command::new(env!("CARGO_BIN_EXE_comptoir"));
    // A developer's own settings must not leak into the tests.
    for (k, _) in std::env::vars() {
        if k.starts_with("COMPTOIR_") {
            c.env_remove(k);
        }
    }
    c.env("COMPTOIR_LOG", "warn");
    c
}

fn run(cmd: &mut Command) -> Output {
    cmd.output().unwrap()
}

fn stdout(o: &Output) -> String {
    String::from_utf8_lossy(&o.stdout).into_owned()
}

fn stderr(o: &Output) -> String {
    String::from_utf8_lossy(&o.stderr).into_owned()
}

struct Served {
    child: Child,
    base: String,
    secret: String,
    public: String,
}

impl Drop for Served {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

/// Starts `serve --demo` on a free port and reads the keys and address it prints.
fn serve_demo(dir: &Path) -> (Served, Duration) {
    let started = Instant::now();
    let mut child = bin()
        .args(["serve", "--demo", "--listen", "127.0.0.1:0", "--data-dir"])
        .arg(dir)
        .stdout(Stdio::piped())
        .stderr(Stdio::inherit())
        .spawn()
        .unwrap();
    let mut lines = BufReader::new(child.stdout.take().unwrap()).lines();
    let (mut secret, mut public, mut base) = (String::new(), String::new(), String::new());
    while base.is_empty() {
        let line = lines.next().expect("serve exited early").unwrap();
        if line.contains("admin (secret) key:") {
            secret = line.rsplit(' ').next().unwrap().to_string();
        } else if line.contains("widget (public) key:") {
            public = line.rsplit(' ').next().unwrap().to_string();
        } else if let Some(rest) = line.strip_prefix("comptoir listening on ") {
            base = rest.split(' ').next().unwrap().to_string();
        }
    }
    let http = reqwest::blocking::Client::new();
    loop {
        if let Ok(r) = http.get(format!("{base}/healthz")).send() {
            if r.status().is_success() {
                break;
            }
        }
        assert!(
            started.elapsed() < Duration::from_secs(60),
            "server never became healthy"
        );
        std::thread::sleep(Duration::from_millis(20));
    }
    let elapsed = started.elapsed();
    (
        Served {
            child,
            base,
            secret,
            public,
        },
        elapsed,
    )
}

fn get(base: &str, path: &str, key: &str) -> (u16, serde_json::Value) {
    let r = reqwest::blocking::Client::new()
        .get(format!("{base}{path}"))
        .bearer_auth(key)
        .send()
        .unwrap();
    let status = r.status().as_u16();
    (status, r.json().unwrap_or(serde_json::Value::Null))
}

#[test]
fn serve_demo_is_ready_and_idempotent() {
    let dir = tempfile::tempdir().unwrap();
    let (first, took) = serve_demo(dir.path());
    eprintln!("serve --demo answered /healthz after {took:?} (fresh data dir)");
    assert!(first.secret.starts_with("sk_") && first.public.starts_with("pk_"));
    let (st, t) = get(&first.base, "/v1/tenant", &first.secret);
    assert_eq!(st, 200, "{t}");
    assert_eq!(t["slug"], "demo");
    assert_eq!(
        t["locales"],
        serde_json::json!(["fr", "en", "de", "it", "es"])
    );
    let products = t["catalogue"]["products"].as_u64().unwrap();
    assert!((50..=80).contains(&products), "{products} demo products");
    // The widget key reads the catalogue in every language, with some items out of stock.
    let (st, page) = get(&first.base, "/v1/products?lang=it&limit=200", &first.public);
    assert_eq!(st, 200);
    let items = page["items"].as_array().unwrap();
    assert_eq!(items.len() as u64, products);
    assert!(items
        .iter()
        .all(|p| p["lang"] == "it" && !p["title"].as_str().unwrap().is_empty()));
    let (_, all) = get(&first.base, "/v1/products?limit=200", &first.public);
    let variants: Vec<&serde_json::Value> = all["items"]
        .as_array()
        .unwrap()
        .iter()
        .flat_map(|p| p["variants"].as_array().unwrap())
        .collect();
    assert!(variants.iter().any(|v| v["digital"] == true));
    assert!(
        variants.iter().any(|v| v["in_stock"] == false),
        "some demo items are out of stock"
    );
    let old_secret = first.secret.clone();
    drop(first);

    // Again on the same data dir: same store, fresh keys, the old secret key revoked.
    let (second, _) = serve_demo(dir.path());
    let (_, t2) = get(&second.base, "/v1/tenant", &second.secret);
    assert_eq!(t2["catalogue"]["products"].as_u64().unwrap(), products);
    assert_eq!(get(&second.base, "/v1/tenant", &old_secret).0, 401);
}

#[test]
fn tenant_create_then_import_with_a_report() {
    let dir = tempfile::tempdir().unwrap();
    let d = dir.path().to_str().unwrap();
    let o = run(bin().args([
        "tenant",
        "create",
        "maison",
        "--name",
        "Maison Lune",
        "--data-dir",
        d,
        "--json",
    ]));
    assert!(o.status.success(), "{}", stderr(&o));
    let keys: serde_json::Value = serde_json::from_str(stdout(&o).trim()).unwrap();
    assert!(keys["secret_key"].as_str().unwrap().starts_with("sk_"));
    assert!(keys["public_key"].as_str().unwrap().starts_with("pk_"));
    let again = run(bin().args([
        "tenant",
        "create",
        "maison",
        "--name",
        "Again",
        "--data-dir",
        d,
    ]));
    assert!(!again.status.success());
    assert!(
        stderr(&again).contains("already exists"),
        "{}",
        stderr(&again)
    );
    let bad = run(bin().args([
        "tenant",
        "create",
        "Bad Slug",
        "--name",
        "x",
        "--data-dir",
        d,
    ]));
    assert!(!bad.status.success());
    assert!(stderr(&bad).contains("slug"), "{}", stderr(&bad));

    let csv = dir.path().join("cat.csv");
    std::fs::write(
        &csv,
        "sku,product_id,title,price,stock,lang\nA-1,a,Lampe,19.90,3,fr\nA-2,a,Lampe,abc,3,fr\nB-1,b,Bol,-2,,fr\n",
    )
    .unwrap();
    let o = run(bin()
        .args(["import", "--tenant", "maison", "--data-dir", d])
        .arg(&csv));
    assert!(o.status.success(), "{}", stderr(&o));
    let out = stdout(&o);
    assert!(out.contains("3 rows, 1 imported, 2 rejected"), "{out}");
    assert!(out.contains("rejected line 3 (sku A-2)"), "{out}");
    assert!(out.contains("rejected line 4 (sku B-1)"), "{out}");
    let o = run(bin()
        .args([
            "import",
            "--tenant",
            "maison",
            "--json",
            "--format",
            "generic",
            "--data-dir",
            d,
        ])
        .arg(&csv));
    let report: serde_json::Value = serde_json::from_str(stdout(&o).trim()).unwrap();
    assert_eq!(report["rows_changed"], 0, "re-import changes nothing");
    assert!(report["id"].as_str().unwrap().starts_with("imp_"));

    let o = run(bin()
        .args(["import", "--tenant", "nobody", "--data-dir", d])
        .arg(&csv));
    assert!(!o.status.success());
    assert!(stderr(&o).contains("no tenant `nobody`"));
    let o = run(bin().args([
        "import",
        "--tenant",
        "maison",
        "--data-dir",
        d,
        "/no/such/file.csv",
    ]));
    assert!(!o.status.success());
    assert!(stderr(&o).contains("cannot open"));
    let empty = dir.path().join("empty.csv");
    std::fs::write(&empty, "").unwrap();
    let o = run(bin()
        .args(["import", "--tenant", "maison", "--data-dir", d])
        .arg(&empty));
    assert!(!o.status.success());
    assert!(stderr(&o).contains("empty"), "{}", stderr(&o));
}

#[test]
fn configuration_precedence_flags_env_file_defaults() {
    let dir = tempfile::tempdir().unwrap();
    let file_dir = dir.path().join("from-file");
    let env_dir = dir.path().join("from-env");
    let flag_dir = dir.path().join("from-flag");
    std::fs::write(
        dir.path().join("comptoir.toml"),
        format!("data_dir = {:?}\n", file_dir.to_str().unwrap()),
    )
    .unwrap();
    let migrate = |cmd: &mut Command| {
        let o = run(cmd.arg("migrate").current_dir(dir.path()));
        assert!(o.status.success(), "{}", stderr(&o));
        stdout(&o)
    };
    assert!(migrate(&mut bin()).contains("from-file"));
    assert!(migrate(bin().env("COMPTOIR_DATA_DIR", &env_dir)).contains("from-env"));
    assert!(migrate(
        bin()
            .env("COMPTOIR_DATA_DIR", &env_dir)
            .arg("--data-dir")
            .arg(&flag_dir)
    )
    .contains("from-flag"));
    assert!(flag_dir.join("comptoir.db").exists());
    // Without any configuration the data dir is ./data.
    let bare = tempfile::tempdir().unwrap();
    let o = run(bin().arg("migrate").current_dir(bare.path()));
    assert!(o.status.success());
    assert!(bare.path().join("data/comptoir.db").exists());
    // A typo in the file is an error, not silently ignored.
    std::fs::write(dir.path().join("comptoir.toml"), "dta_dir = \"x\"\n").unwrap();
    let o = run(bin().arg("migrate").current_dir(dir.path()));
    assert!(!o.status.success());
    assert!(stderr(&o).contains("comptoir.toml"));
}

#[test]
fn migrate_on_postgres_and_a_clear_error_when_unreachable() {
    let schema = tokio::runtime::Runtime::new()
        .unwrap()
        .block_on(comptoir_store::testing::PgSchema::create());
    let o = run(bin().args(["migrate", "--database-url", &schema.url]));
    assert!(o.status.success(), "{}", stderr(&o));
    assert!(stdout(&o).contains("postgres"));
    tokio::runtime::Runtime::new()
        .unwrap()
        .block_on(schema.drop());
    let o = run(bin().args([
        "migrate",
        "--database-url",
        "postgres://nobody:secret@127.0.0.1:1/none",
    ]));
    assert!(!o.status.success());
    let err = stderr(&o);
    assert!(err.contains("cannot reach the database"), "{err}");
    assert!(!err.contains("secret"), "password leaked: {err}");
    let o = run(bin().args(["migrate", "--database-url", "mysql://x"]));
    assert!(!o.status.success());
    assert!(stderr(&o).contains("not supported"));
}

#[test]
fn nlu_eval_train_and_convert() {
    let dir = tempfile::tempdir().unwrap();
    // A CLINC150-shaped file through the converter, then trained on and scored.
    let mut clinc = serde_json::json!({"train": [], "oos_train": [], "test": [], "oos_test": []});
    let phrasings = [
        (
            "greeting",
            [
                "hello there",
                "hi",
                "good morning",
                "hey you",
                "howdy partner",
                "greetings friend",
            ],
        ),
        (
            "balance",
            [
                "what is my balance",
                "how much money do i have",
                "show my account balance",
                "balance please",
                "tell me my balance",
                "current balance",
            ],
        ),
        (
            "weather",
            [
                "what's the weather",
                "is it raining",
                "forecast for tomorrow",
                "will it snow",
                "weather today",
                "how hot is it",
            ],
        ),
    ];
    for (label, texts) in phrasings {
        for (i, t) in texts.iter().enumerate() {
            let split = if i < 4 { "train" } else { "test" };
            clinc[split]
                .as_array_mut()
                .unwrap()
                .push(serde_json::json!([t, label]));
        }
    }
    clinc["oos_train"]
        .as_array_mut()
        .unwrap()
        .push(serde_json::json!(["who wrote hamlet", "oos"]));
    clinc["oos_test"]
        .as_array_mut()
        .unwrap()
        .push(serde_json::json!(["what is the capital of peru", "oos"]));
    let raw = dir.path().join("data_full.json");
    std::fs::write(&raw, clinc.to_string()).unwrap();
    for split in ["train", "test"] {
        let out = run(bin()
            .args(["nlu", "convert", "clinc150"])
            .arg(&raw)
            .args(["--split", split, "--out"])
            .arg(dir.path().join(format!("{split}.jsonl"))));
        assert!(out.status.success(), "{}", stderr(&out));
    }
    let train_file = std::fs::read_to_string(dir.path().join("train.jsonl")).unwrap();
    assert_eq!(train_file.lines().count(), 13);
    assert!(train_file.contains("\"intent\":\"out_of_scope\""));

    let out = run(bin()
        .args(["nlu", "eval", "--json", "--train"])
        .arg(dir.path().join("train.jsonl"))
        .arg("--data")
        .arg(dir.path().join("test.jsonl")));
    assert!(out.status.success(), "{}", stderr(&out));
    let report: serde_json::Value = serde_json::from_str(&stdout(&out)).unwrap();
    for key in [
        "accuracy",
        "macro_f1",
        "in_scope_accuracy",
        "oos_recall",
        "entity_f1",
        "latency_p50_us",
        "latency_p99_us",
        "examples",
    ] {
        assert!(report.get(key).is_some(), "{key} missing: {report}");
    }
    assert_eq!(report["examples"], 7);
    assert!(report["accuracy"].as_f64().unwrap() >= 0.5, "{report}");

    // The built-in sales model on a file with entities, as text.
    let data = dir.path().join("sales.jsonl");
    std::fs::write(&data, concat!(
        r#"{"text": "je cherche une robe rouge à moins de 50 €", "lang": "fr", "intent": "product_search", "entities": [{"type": "color", "value": "red"}, {"type": "price_max", "value": "50", "currency": "EUR"}], "now": "2026-11-25T10:00:00+01:00"}"#, "\n",
        r#"{"text": "wo ist meine Bestellung 4521?", "lang": "de", "intent": "order_status", "entities": [{"type": "order_number", "value": "4521"}]}"#, "\n",
    )).unwrap();
    let out = run(bin().args(["nlu", "eval", "--data"]).arg(&data));
    assert!(out.status.success(), "{}", stderr(&out));
    let text = stdout(&out);
    assert!(
        text.contains("accuracy") && text.contains("entity F1") && text.contains("p50"),
        "{text}"
    );

    let out = run(bin()
        .args(["nlu", "train", "--json", "--data"])
        .arg(dir.path().join("train.jsonl"))
        .arg("--out")
        .arg(dir.path().join("model.json")));
    assert!(out.status.success(), "{}", stderr(&out));
    let summary: serde_json::Value = serde_json::from_str(&stdout(&out)).unwrap();
    assert_eq!(summary["intents"], 4);
    assert!(dir.path().join("model.json").metadata().unwrap().len() > 100);

    // Bad files are clear errors, not panics.
    std::fs::write(
        dir.path().join("bad.jsonl"),
        "{\"text\": \"hi\", \"intent\": \"greet\"}\nnot json\n",
    )
    .unwrap();
    let out = run(bin()
        .args(["nlu", "eval", "--data"])
        .arg(dir.path().join("bad.jsonl")));
    assert!(!out.status.success());
    assert!(stderr(&out).contains("line 2"), "{}", stderr(&out));
}

/// `admin create-operator` and `admin create-user`: a generated password printed once, or one
/// read from stdin; bad input refused with a message and nothing created.
#[test]
fn admin_accounts_from_the_command_line() {
    let dir = tempfile::tempdir().unwrap();
    let data = ["--data-dir", dir.path().to_str().unwrap()];
    let out = run(bin()
        .args(["admin", "create-operator", "--email", "Op@Platform.example"])
        .args(data));
    assert!(out.status.success(), "{}", stderr(&out));
    let text = stdout(&out);
    assert!(
        text.contains("created operator op@platform.example"),
        "{text}"
    );
    let password = text
        .lines()
        .find_map(|l| l.strip_prefix("password (shown once): "))
        .expect("a generated password");
    assert!(password.len() >= 20);
    // The same email again: refused, nothing printed as created.
    let again = run(bin()
        .args(["admin", "create-operator", "--email", "op@platform.example"])
        .args(data));
    assert!(!again.status.success());
    assert!(
        stderr(&again).contains("already exists"),
        "{}",
        stderr(&again)
    );

    let t = run(bin()
        .args(["tenant", "create", "cli-shop", "--name", "CLI shop"])
        .args(data));
    assert!(t.status.success(), "{}", stderr(&t));
    let mut child = bin()
        .args([
            "admin",
            "create-user",
            "--tenant",
            "cli-shop",
            "--email",
            "agent@cli.example",
            "--role",
            "agent",
            "--password-stdin",
        ])
        .args(data)
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    use std::io::Write;
    child
        .stdin
        .take()
        .unwrap()
        .write_all(b"typed password 123\n")
        .unwrap();
    let out = child.wait_with_output().unwrap();
    assert!(out.status.success(), "{}", stderr(&out));
    assert!(stdout(&out).contains("created agent agent@cli.example"));
    assert!(
        !stdout(&out).contains("typed password"),
        "a typed password is never echoed"
    );
    for (args, why) in [
        (
            vec!["--tenant", "nope", "--email", "a@b.example"],
            "no tenant",
        ),
        (
            vec!["--tenant", "cli-shop", "--email", "not-an-email"],
            "email",
        ),
        (
            vec![
                "--tenant",
                "cli-shop",
                "--email",
                "c@b.example",
                "--role",
                "boss",
            ],
            "role",
        ),
    ] {
        let out = run(bin().args(["admin", "create-user"]).args(&args).args(data));
        assert!(!out.status.success(), "{args:?}");
        assert!(stderr(&out).contains(why), "{why}: {}", stderr(&out));
    }
}
