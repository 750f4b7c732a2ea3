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
        match store.insert_submission(&campaign, &request, &scores, "digest", noon).await.unwrap() {
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
