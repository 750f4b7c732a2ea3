//! The `xinan` command line, run as a real process.

use std::process::Command;

fn xinan(args: &[&str]) -> std::process::Output {
    Command::new(env!("CARGO_BIN_EXE_xinan")).args(args).env_remove("DATABASE_URL").output().expect("run xinan")
}

fn stderr(output: &std::process::Output) -> String {
    String::from_utf8_lossy(&output.stderr).into_owned()
}

#[test]
fn score_prints_the_score_as_json() {
    let output = xinan(&["score", "phq9", "1,1,1,1,1,1,1,1,1"]);
    assert!(output.status.success(), "{}", stderr(&output));
    let score: serde_json::Value = serde_json::from_slice(&output.stdout).unwrap();
    assert_eq!(score["total"], 9);
    assert_eq!(score["band"], "mild");
    assert_eq!(score["flags"], serde_json::json!(["critical"]));
}

#[test]
fn score_exits_2_naming_the_bad_input() {
    for (args, message) in [
        (["score", "phq9", "1,1,1,1,1,1,1,1,7"], "item phq9_9: answer 7 is not one of [0, 1, 2, 3]"),
        (["score", "phq9", "1,1,1"], "item phq9_4: answer missing"),
        (["score", "phq9", "1,x,1,1,1,1,1,1,1"], "value 2 (`x`) is not a whole number"),
        (["score", "sdq", "1"], "unknown instrument `sdq` (known: phq9, gad7, "),
        (["score", "gad7", "0,0,0,0,0,0,0,0"], "gad7 has 7 items, got 8 values"),
    ] {
        let output = xinan(&args);
        assert_eq!(output.status.code(), Some(2), "{args:?}");
        assert!(stderr(&output).contains(message), "{args:?}: {}", stderr(&output));
    }
}

#[test]
fn instruments_check_accepts_the_bundled_files() {
    let dir = concat!(env!("CARGO_MANIFEST_DIR"), "/../instruments/library/");
    let output = xinan(&["instruments", "check", &format!("{dir}phq9.json"), &format!("{dir}gad7.json")]);
    assert!(output.status.success(), "{}", stderr(&output));
    assert!(String::from_utf8_lossy(&output.stdout).contains("phq9 1.0.0 (10 items, 2 locales)"));
}

#[test]
fn instruments_check_names_file_and_line_of_a_problem() {
    let text =
        std::fs::read_to_string(concat!(env!("CARGO_MANIFEST_DIR"), "/../instruments/library/gad7.json")).unwrap();
    let broken = text.replacen("\"min\": 5", "\"min\": 4", 1);
    let line = broken.lines().position(|l| l.contains("\"min\": 4")).unwrap();
    let path = std::env::temp_dir().join(format!("xinan-broken-{}.json", std::process::id()));
    std::fs::write(&path, broken).unwrap();
    let output = xinan(&["instruments", "check", path.to_str().unwrap()]);
    std::fs::remove_file(&path).ok();
    assert_eq!(output.status.code(), Some(1));
    let message = stderr(&output);
    let reported: usize = message
        .split(&format!("{}:", path.display()))
        .nth(2)
        .and_then(|rest| rest.split(':').next())
        .and_then(|n| n.parse().ok())
        .unwrap_or_else(|| panic!("no file:line in {message}"));
    assert_eq!(reported, line + 1, "{message}");
    assert!(message.contains("bands[1].min: band mild (4–9) overlaps band minimal (0–4)"), "{message}");
}

#[test]
fn demo_is_idempotent_and_honours_database_url() {
    let path = std::env::temp_dir().join(format!("xinan-cli-{}.db", std::process::id()));
    let url = format!("sqlite://{}", path.display());
    let first = xinan(&["--database-url", &url, "demo"]);
    assert!(first.status.success(), "{}", stderr(&first));
    assert_eq!(String::from_utf8_lossy(&first.stdout).trim(), "created campaign DEMO");
    let second = Command::new(env!("CARGO_BIN_EXE_xinan")).arg("demo").env("DATABASE_URL", &url).output().unwrap();
    assert_eq!(String::from_utf8_lossy(&second.stdout).trim(), "campaign DEMO already exists");
    for suffix in ["", "-wal", "-shm"] {
        std::fs::remove_file(format!("{}{suffix}", path.display())).ok();
    }
}

#[test]
fn an_unsupported_database_url_is_refused() {
    let output = xinan(&["--database-url", "mysql://x", "demo"]);
    assert!(!output.status.success());
    assert!(stderr(&output).contains("database URL must start with sqlite: or postgres://"), "{}", stderr(&output));
}

/// A stored submission exports as FHIR QuestionnaireResponses that name no one.
#[test]
fn results_export_prints_questionnaire_responses_without_identity() {
    let path = std::env::temp_dir().join(format!("xinan-export-{}.db", std::process::id()));
    let url = format!("sqlite://{}", path.display());
    let code = tokio::runtime::Runtime::new().unwrap().block_on(async {
        let store = server::db::Store::connect(&server::config::DatabaseUrl::parse(&url).unwrap()).await.unwrap();
        server::demo::install(&store).await.unwrap();
        let campaign = store.campaign_by_code("DEMO").await.unwrap();
        let results = ["phq9", "gad7"]
            .iter()
            .map(|id| {
                let definition = instruments::library::get(id).unwrap();
                let answers: instruments::Answers =
                    definition.scoring.items.iter().map(|item| (item.clone(), 1)).collect();
                let score = instruments::score(definition, &answers).unwrap();
                instruments::wire::InstrumentAnswers {
                    instrument: definition.id.clone(),
                    version: definition.version.clone(),
                    answers,
                    client_score: instruments::wire::ClientScore::of(&score),
                    timings: Default::default(),
                }
            })
            .collect();
        let request = instruments::wire::SubmissionRequest {
            idempotency_key: "67e55044-10b1-426f-9247-bb680e5fe0c8".into(),
            cohort: [("grade".to_owned(), "8".to_owned())].into(),
            results,
            consent: instruments::wire::ConsentGiven { health: true, guardian: None },
            access_code: None,
        };
        let scores = campaign.check(&request).unwrap();
        // 2026-11-22 12:00 UTC.
        let noon = 20_779 * 86_400 + 12 * 3600;
        let flags = server::screening::raised_flags(&campaign, &scores);
        let warning = server::followup::open_warning(&server::followup::levels::defaults(), flags, noon);
        match store.insert_submission(&campaign, &request, &scores, warning.as_ref(), "digest", noon).await.unwrap() {
            server::db::Inserted::New(receipt) => receipt.respondent_code,
            other => unreachable!("{other:?}"),
        }
    });
    let output = xinan(&["--database-url", &url, "results", "export", &code]);
    let unknown = xinan(&["--database-url", &url, "results", "export", "NOSUCHXX"]);
    for suffix in ["", "-wal", "-shm"] {
        std::fs::remove_file(format!("{}{suffix}", path.display())).ok();
    }
    assert!(output.status.success(), "{}", stderr(&output));
    let bundle: serde_json::Value = serde_json::from_slice(&output.stdout).unwrap();
    let entries = bundle["entry"].as_array().unwrap();
    assert_eq!(entries.len(), 2);
    let response = &entries[0]["resource"];
    assert_eq!(response["resourceType"], "QuestionnaireResponse");
    assert_eq!(response["authored"], "2026-11-22");
    assert!(response.get("subject").is_none(), "no subject: {response}");
    assert_eq!(response["item"].as_array().unwrap().len(), 9, "PHQ-9 items 1-9 (item 10 unanswered)");
    assert!(!unknown.status.success());
    assert!(stderr(&unknown).contains("respondent code NOSUCHXX not found"), "{}", stderr(&unknown));
}

/// A deletion request from the command line: everything under the code goes, once.
#[test]
fn respondents_delete_removes_everything_under_a_code_and_names_a_missing_one() {
    let path = std::env::temp_dir().join(format!("xinan-delete-{}.db", std::process::id()));
    let url = format!("sqlite://{}", path.display());
    let runtime = tokio::runtime::Runtime::new().unwrap();
    let (org, code) = runtime.block_on(async {
        let store = server::db::Store::connect(&server::config::DatabaseUrl::parse(&url).unwrap()).await.unwrap();
        server::demo::install(&store).await.unwrap();
        sqlx::query("UPDATE campaigns SET anonymity = 'panel' WHERE code = 'DEMO'")
            .execute(store.pool())
            .await
            .unwrap();
        let campaign = store.campaign_by_code("DEMO").await.unwrap();
        let code = store.generate_panel_codes(campaign.organization_id, 1, 0).await.unwrap().remove(0);
        let definition = instruments::library::get("phq9").unwrap();
        let answers: instruments::Answers = definition.scoring.items.iter().map(|item| (item.clone(), 1)).collect();
        let score = instruments::score(definition, &answers).unwrap();
        let gad7 = instruments::library::get("gad7").unwrap();
        let calm: instruments::Answers = gad7.scoring.items.iter().map(|item| (item.clone(), 0)).collect();
        let calm_score = instruments::score(gad7, &calm).unwrap();
        let result = |d: &instruments::Definition, answers: instruments::Answers, score: &instruments::Score| {
            instruments::wire::InstrumentAnswers {
                instrument: d.id.clone(),
                version: d.version.clone(),
                answers,
                client_score: instruments::wire::ClientScore::of(score),
                timings: Default::default(),
            }
        };
        let request = instruments::wire::SubmissionRequest {
            idempotency_key: "67e55044-10b1-426f-9247-bb680e5fe0c9".into(),
            cohort: [("grade".to_owned(), "8".to_owned())].into(),
            results: vec![result(definition, answers, &score), result(gad7, calm, &calm_score)],
            consent: instruments::wire::ConsentGiven { health: true, guardian: None },
            access_code: Some(code.clone()),
        };
        let scores = campaign.check(&request).unwrap();
        let flags = server::screening::raised_flags(&campaign, &scores);
        let warning = server::followup::open_warning(&server::followup::levels::defaults(), flags, 1000);
        let inserted = store.insert_submission(&campaign, &request, &scores, warning.as_ref(), "digest", 1000).await;
        assert!(matches!(inserted.unwrap(), server::db::Inserted::New(_)));
        (campaign.organization_id, code)
    });
    let org = org.to_string();
    let first = xinan(&["--database-url", &url, "respondents", "delete", "--org", &org, &code.to_lowercase()]);
    let again = xinan(&["--database-url", &url, "respondents", "delete", "--org", &org, &code]);
    let nowhere = xinan(&["--database-url", &url, "respondents", "delete", "--org", "No such school", &code]);
    let left: Vec<i64> = runtime.block_on(async {
        let store = server::db::Store::connect(&server::config::DatabaseUrl::parse(&url).unwrap()).await.unwrap();
        let mut counts = Vec::new();
        for table in ["submissions", "results", "cases", "case_levels", "panel_codes", "report_cells"] {
            let sql = format!("SELECT COUNT(*) FROM {table}");
            counts.push(sqlx::query_scalar(&sql).fetch_one(store.pool()).await.unwrap());
        }
        counts
    });
    for suffix in ["", "-wal", "-shm"] {
        std::fs::remove_file(format!("{}{suffix}", path.display())).ok();
    }
    assert!(first.status.success(), "{}", stderr(&first));
    let said = String::from_utf8_lossy(&first.stdout).to_string();
    assert!(said.contains("1 submissions, 1 warnings"), "{said}");
    assert_eq!(left, [0, 0, 0, 0, 0, 0], "no row left, no aggregate left");
    assert!(!again.status.success());
    assert!(stderr(&again).contains(&format!("CODE: {code} is not in the code book")), "{}", stderr(&again));
    assert!(stderr(&nowhere).contains("--org: no organization `No such school`"), "{}", stderr(&nowhere));
}

/// The first administrator comes from the command line, with the password on stdin.
#[test]
fn users_create_makes_an_account_from_standard_input_and_refuses_bad_input() {
    use std::io::Write as _;
    let path = std::env::temp_dir().join(format!("xinan-users-{}.db", std::process::id()));
    let url = format!("sqlite://{}", path.display());
    let create = |args: &[&str], password: &str| {
        let mut child = std::process::Command::new(env!("CARGO_BIN_EXE_xinan"))
            .args(["--database-url", &url, "users", "create"])
            .args(args)
            .stdin(std::process::Stdio::piped())
            .stdout(std::process::Stdio::piped())
            .stderr(std::process::Stdio::piped())
            .spawn()
            .unwrap();
        child.stdin.take().unwrap().write_all(password.as_bytes()).unwrap();
        child.wait_with_output().unwrap()
    };
    let admin = ["--email", "Admin@District.example", "--role", "platform-admin", "--password-stdin"];
    let created = create(&admin, "a long enough password\n");
    let again = create(&admin, "a long enough password\n");
    let short = create(&["--email", "b@district.example", "--role", "platform-admin", "--password-stdin"], "short\n");
    let no_org =
        create(&["--email", "c@district.example", "--role", "counselor", "--password-stdin"], "long enough pw\n");
    let bad_org = create(
        &["--email", "c@district.example", "--role", "counselor", "--org", "Nowhere", "--password-stdin"],
        "long enough pw\n",
    );
    for suffix in ["", "-wal", "-shm"] {
        std::fs::remove_file(format!("{}{suffix}", path.display())).ok();
    }
    assert!(created.status.success(), "{}", stderr(&created));
    assert_eq!(String::from_utf8_lossy(&created.stdout).trim(), "created admin@district.example as platform_admin");
    assert!(!again.status.success());
    assert!(stderr(&again).contains("exists already"), "{}", stderr(&again));
    assert!(stderr(&short).contains("at least 10 characters"), "{}", stderr(&short));
    assert!(stderr(&no_org).contains("--org: counselor needs an organization"), "{}", stderr(&no_org));
    assert!(stderr(&bad_org).contains("--org: no organization `Nowhere`"), "{}", stderr(&bad_org));
}

#[test]
fn instruments_check_names_line_and_offset_of_bytes_that_are_not_utf8() {
    let path = std::env::temp_dir().join(format!("xinan-latin1-{}.json", std::process::id()));
    std::fs::write(&path, b"{\n  \"id\": \"caf\xe9\"\n}\n").unwrap();
    let output = xinan(&["instruments", "check", path.to_str().unwrap()]);
    std::fs::remove_file(&path).ok();
    assert_eq!(output.status.code(), Some(1));
    let message = stderr(&output);
    assert!(message.contains(&format!("{}:2:", path.display())), "{message}");
    assert!(message.contains("byte 0xe9 at offset 14"), "{message}");
}

/// Peak resident memory of a process, from `/proc/PID/status` (KiB).
fn peak_rss_kib(pid: u32) -> u64 {
    let status = std::fs::read_to_string(format!("/proc/{pid}/status")).expect("proc status");
    let line = status.lines().find(|l| l.starts_with("VmHWM:")).expect("VmHWM");
    line.split_whitespace().nth(1).unwrap().parse().unwrap()
}

/// One HTTP/1.1 POST from source address `from`; the status code.
async fn post_from(from: std::net::Ipv4Addr, port: u16, path: &str, body: &str) -> u16 {
    use tokio::io::{AsyncReadExt as _, AsyncWriteExt as _};
    let socket = tokio::net::TcpSocket::new_v4().unwrap();
    socket.bind((from, 0).into()).unwrap();
    let mut stream = socket.connect(([127, 0, 0, 1], port).into()).await.expect("connect");
    let request = format!(
        "POST {path} HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\nContent-Length: {}\r\nConnection: close\r\n\r\n{body}",
        body.len()
    );
    stream.write_all(request.as_bytes()).await.unwrap();
    let mut answer = Vec::new();
    stream.read_to_end(&mut answer).await.unwrap();
    let answer = String::from_utf8_lossy(&answer);
    answer.split_whitespace().nth(1).and_then(|s| s.parse().ok()).unwrap_or_else(|| panic!("no status in {answer:?}"))
}

/// The probe's flood: 200 made-up invitation tokens and 200 sign-ins at once took the
/// server from 26 MiB to 4.2 GiB (an argon2 hash of 19 MiB each, before any lookup).
/// Now tokens are looked up first and hashing is bounded: the process stays small.
#[test]
fn a_flood_of_invitation_and_sign_in_attempts_keeps_the_server_under_200_mib() {
    let db = std::env::temp_dir().join(format!("xinan-flood-{}.db", std::process::id()));
    let port = std::net::TcpListener::bind("127.0.0.1:0").unwrap().local_addr().unwrap().port();
    let mut server = Command::new(env!("CARGO_BIN_EXE_xinan"))
        .args(["serve", "--listen", &format!("127.0.0.1:{port}")])
        .arg("--database-url")
        .arg(format!("sqlite://{}", db.display()))
        .env_remove("DATABASE_URL")
        .stdout(std::process::Stdio::null())
        .stderr(std::process::Stdio::null())
        .spawn()
        .expect("start xinan serve");
    let deadline = std::time::Instant::now() + std::time::Duration::from_secs(60);
    while std::net::TcpStream::connect(("127.0.0.1", port)).is_err() {
        assert!(std::time::Instant::now() < deadline, "the server did not start");
        std::thread::sleep(std::time::Duration::from_millis(50));
    }
    let before = peak_rss_kib(server.id());

    let runtime = tokio::runtime::Runtime::new().unwrap();
    let (invitations, sign_ins) = runtime.block_on(async {
        let mut tasks = tokio::task::JoinSet::new();
        for i in 0..200u32 {
            let path = format!("/api/v1/invitations/{:064x}", u128::from(i) * 7919 + 1);
            tasks.spawn(async move {
                post_from([127, 0, 0, 1].into(), port, &path, r#"{"password":"a long enough password"}"#).await
            });
        }
        let invitations = tasks.join_all().await;
        let mut tasks = tokio::task::JoinSet::new();
        for i in 0..200u8 {
            // Ten client addresses, twenty each: all within the per-client limit, so
            // every attempt asks for a password check.
            let from = std::net::Ipv4Addr::new(127, 0, 0, 2 + i % 10);
            let body = format!(r#"{{"email":"nobody{i}@example.org","password":"a wrong password"}}"#);
            tasks.spawn(async move { post_from(from, port, "/api/v1/session", &body).await });
        }
        (invitations, tasks.join_all().await)
    });
    let peak = peak_rss_kib(server.id());
    let _ = server.kill();
    let _ = server.wait();
    for suffix in ["", "-wal", "-shm"] {
        std::fs::remove_file(format!("{}{suffix}", db.display())).ok();
    }

    assert!(invitations.iter().all(|s| *s == 422), "made-up tokens: {invitations:?}");
    let checked = sign_ins.iter().filter(|s| **s == 401).count();
    let busy = sign_ins.iter().filter(|s| **s == 503).count();
    assert_eq!(checked + busy, 200, "only 401 or 503: {sign_ins:?}");
    assert!(checked >= 2, "some passwords were checked: {sign_ins:?}");
    println!(
        "peak RSS {} MiB (at start {} MiB); sign-ins: {checked} checked, {busy} turned away busy",
        peak / 1024,
        before / 1024
    );
    assert!(peak < 200 * 1024, "peak RSS {} MiB", peak / 1024);
}

#[test]
fn instruments_check_accepts_a_file_saved_with_a_byte_order_mark() {
    let text =
        std::fs::read_to_string(concat!(env!("CARGO_MANIFEST_DIR"), "/../instruments/library/gad7.json")).unwrap();
    let path = std::env::temp_dir().join(format!("xinan-bom-{}.json", std::process::id()));
    std::fs::write(&path, format!("\u{feff}{text}")).unwrap();
    let output = xinan(&["instruments", "check", path.to_str().unwrap()]);
    std::fs::remove_file(&path).ok();
    assert!(output.status.success(), "{}", stderr(&output));
}

/// A database for one test: a fresh SQLite file, or a fresh database on
/// `TEST_POSTGRES_URL`'s server (dropped with it).
struct ScratchDb {
    url: String,
    drop_pg: Option<(String, String)>,
}

impl ScratchDb {
    fn sqlite(name: &str) -> Self {
        let path = std::env::temp_dir().join(format!("xinan-{name}-{}.db", std::process::id()));
        Self { url: format!("sqlite://{}", path.display()), drop_pg: None }
    }

    /// `None` (said loudly) only with `XINAN_SKIP_POSTGRES=1`.
    fn postgres(runtime: &tokio::runtime::Runtime, name: &str) -> Option<Self> {
        use sqlx::Connection as _;
        let Ok(admin) = std::env::var("TEST_POSTGRES_URL") else {
            assert_eq!(std::env::var("XINAN_SKIP_POSTGRES").as_deref(), Ok("1"), "TEST_POSTGRES_URL is not set");
            eprintln!("\n*** SKIPPED on PostgreSQL: XINAN_SKIP_POSTGRES=1 ***\n");
            return None;
        };
        let db = format!("xinan_{name}_{}", std::process::id());
        runtime.block_on(async {
            let mut conn = sqlx::PgConnection::connect(&admin).await.expect("reach PostgreSQL");
            sqlx::query(&format!("DROP DATABASE IF EXISTS {db}")).execute(&mut conn).await.unwrap();
            sqlx::query(&format!("CREATE DATABASE {db}")).execute(&mut conn).await.unwrap();
        });
        let base = admin.rsplit_once('/').map_or(admin.as_str(), |(b, _)| b);
        Some(Self { url: format!("{base}/{db}"), drop_pg: Some((admin, db)) })
    }
}

impl Drop for ScratchDb {
    fn drop(&mut self) {
        if let Some((admin, db)) = self.drop_pg.take() {
            let _ = std::thread::spawn(move || {
                use sqlx::Connection as _;
                let runtime = tokio::runtime::Runtime::new().unwrap();
                runtime.block_on(async {
                    if let Ok(mut conn) = sqlx::PgConnection::connect(&admin).await {
                        let _ =
                            sqlx::query(&format!("DROP DATABASE IF EXISTS {db} WITH (FORCE)")).execute(&mut conn).await;
                    }
                });
            })
            .join();
        } else if let Some(path) = self.url.strip_prefix("sqlite://") {
            for suffix in ["", "-wal", "-shm"] {
                std::fs::remove_file(format!("{path}{suffix}")).ok();
            }
        }
    }
}

/// `xinan serve` on a free port against `url`; killed on drop (SIGKILL: no shutdown).
struct Served {
    child: std::process::Child,
    port: u16,
}

impl Served {
    fn start(url: &str, extra: &[&str]) -> Self {
        let port = std::net::TcpListener::bind("127.0.0.1:0").unwrap().local_addr().unwrap().port();
        let child = Command::new(env!("CARGO_BIN_EXE_xinan"))
            .args(["--database-url", url, "serve", "--listen", &format!("127.0.0.1:{port}")])
            .args(extra)
            .env_remove("DATABASE_URL")
            .stdout(std::process::Stdio::null())
            .stderr(std::process::Stdio::null())
            .spawn()
            .expect("start xinan serve");
        let deadline = std::time::Instant::now() + std::time::Duration::from_secs(60);
        while std::net::TcpStream::connect(("127.0.0.1", port)).is_err() {
            assert!(std::time::Instant::now() < deadline, "the server did not start");
            std::thread::sleep(std::time::Duration::from_millis(50));
        }
        Self { child, port }
    }

    fn kill_9(mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

impl Drop for Served {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

/// A PHQ-9 + GAD-7 submission to DEMO whose item 9 answer opens a level-1 warning.
fn urgent_submission(key: &str) -> String {
    let phq9: Vec<String> = (1..=9).map(|i| format!("\"phq9_{i}\": 1")).collect();
    let gad7: Vec<String> = (1..=7).map(|i| format!("\"gad7_{i}\": 0")).collect();
    format!(
        r#"{{"idempotency_key": "{key}", "cohort": {{"grade": "8"}}, "consent": {{"health": true}}, "results": [
            {{"instrument": "phq9", "version": "1.0.0", "answers": {{{}}},
              "client_score": {{"total": 9, "band": "mild", "flags": ["critical"]}}}},
            {{"instrument": "gad7", "version": "1.0.0", "answers": {{{}}},
              "client_score": {{"total": 0, "band": "minimal", "flags": []}}}}]}}"#,
        phq9.join(","),
        gad7.join(",")
    )
}

/// A server is killed (-9) while it is delivering an urgent warning's webhook: the
/// receiver took the connection but never answered. The restarted server takes the
/// notification once the dead process's lease ran out, and the receiver gets it
/// exactly once.
fn a_kill_9_mid_delivery_still_delivers_exactly_once(db: &ScratchDb, runtime: &tokio::runtime::Runtime) {
    use std::sync::atomic::{AtomicUsize, Ordering};
    use std::sync::Arc;
    use std::time::{Duration, Instant};
    let url = db.url.as_str();
    let demo = xinan(&["--database-url", url, "demo"]);
    assert!(demo.status.success(), "{}", stderr(&demo));
    // A receiver that accepts and never reads or answers: delivery hangs in flight.
    let hanging = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
    let hook_port = hanging.local_addr().unwrap().port();
    hanging.set_nonblocking(true).unwrap();
    runtime.block_on(async {
        use sqlx::Connection as _;
        let mut conn = sqlx::AnyConnection::connect(url).await.unwrap();
        sqlx::query(
            "INSERT INTO organization_notifications (organization_id, webhook_url, webhook_format, updated_at)
             SELECT id, $1, 'json', 0 FROM organizations WHERE name = 'Demo'",
        )
        .bind(format!("http://127.0.0.1:{hook_port}/hook"))
        .execute(&mut conn)
        .await
        .unwrap();
    });
    let flags = ["--allow-private-webhooks", "--notify-lease-secs", "2", "--notify-retry-secs", "1"];
    let server = Served::start(url, &flags);
    let body = urgent_submission("a1b2c3d4-0000-4000-8000-000000000001");
    let submitted = post_from([127, 0, 0, 1].into(), server.port, "/api/v1/campaigns/DEMO/submissions", &body);
    assert_eq!(runtime.block_on(submitted), 201);
    let deadline = Instant::now() + Duration::from_secs(20);
    let held = loop {
        if let Ok((stream, _)) = hanging.accept() {
            break stream;
        }
        assert!(Instant::now() < deadline, "the worker never tried to deliver");
        std::thread::sleep(Duration::from_millis(10));
    };
    server.kill_9();
    drop((held, hanging));

    // The receiver is back, and so is the server.
    let received = Arc::new(AtomicUsize::new(0));
    let counter = received.clone();
    let receiver = runtime.spawn(async move {
        let listener = tokio::net::TcpListener::bind(("127.0.0.1", hook_port)).await.unwrap();
        let app = axum::Router::new().route(
            "/hook",
            axum::routing::post(move || {
                counter.fetch_add(1, Ordering::SeqCst);
                async { "ok" }
            }),
        );
        axum::serve(listener, app).await.unwrap();
    });
    let restarted = Served::start(url, &flags);
    let deadline = Instant::now() + Duration::from_secs(30);
    while received.load(Ordering::SeqCst) == 0 {
        assert!(Instant::now() < deadline, "the notification was not delivered after the restart");
        std::thread::sleep(Duration::from_millis(50));
    }
    // Long enough for a second lease to run out: nothing more arrives.
    std::thread::sleep(Duration::from_secs(3));
    let states: Vec<(String, i64)> = runtime.block_on(async {
        use sqlx::Connection as _;
        let mut conn = sqlx::AnyConnection::connect(url).await.unwrap();
        sqlx::query_as("SELECT state, attempts FROM notifications").fetch_all(&mut conn).await.unwrap()
    });
    restarted.kill_9();
    receiver.abort();
    assert_eq!(received.load(Ordering::SeqCst), 1, "delivered exactly once");
    assert_eq!(states, [("sent".to_owned(), 0)], "sent, and the killed attempt was never recorded");
}

#[test]
fn a_kill_9_mid_delivery_still_delivers_exactly_once_on_sqlite() {
    sqlx::any::install_default_drivers();
    let runtime = tokio::runtime::Runtime::new().unwrap();
    a_kill_9_mid_delivery_still_delivers_exactly_once(&ScratchDb::sqlite("kill9"), &runtime);
}

#[test]
fn a_kill_9_mid_delivery_still_delivers_exactly_once_on_postgres() {
    sqlx::any::install_default_drivers();
    let runtime = tokio::runtime::Runtime::new().unwrap();
    if let Some(db) = ScratchDb::postgres(&runtime, "kill9") {
        a_kill_9_mid_delivery_still_delivers_exactly_once(&db, &runtime);
    }
}
