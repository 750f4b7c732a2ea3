//! Instrument interoperability against the real files in `tests/fixtures/interop/`
//! (byte-for-byte copies of `shared/interop/`; provenance and licences in its SOURCES.md): what each import carries and reports, whether imported
//! instruments score like the bundled ones, and whether native → FHIR → native is exact.
//!
//! `XINAN_INTEROP_DIR` may point elsewhere. A missing folder fails loudly, never skips.

use std::path::PathBuf;
use std::process::Command;

use instruments::definition::Condition;
use instruments::{Answers, Definition};
use serde_json::Value;
use server::interop::fhir_export::{self, ExportError};
use server::interop::{fhir_import, reproschema, ImportError, ImportOptions, Imported};

const PHQ_LICENCE: &str =
    "No permission required to reproduce, translate, display or distribute (Pfizer PHQ screeners).";
const LHC_PHQ9: &str = "fhir-PHQ-9_LHNCBC-lforms-fhir-app_phq9.json";
const STANFORD_GAD7: &str = "fhir-GAD-7_StanfordBDHG-MyHeartCounts_GAD7+en-US.json";
const STANFORD_WHO5: &str = "fhir-WHO-5_StanfordBDHG-MyHeartCounts_WHO5+en-US.json";

fn fixture(name: &str) -> PathBuf {
    let dir = std::env::var_os("XINAN_INTEROP_DIR").map_or_else(
        || PathBuf::from(concat!(env!("CARGO_MANIFEST_DIR"), "/../tests/fixtures/interop")),
        PathBuf::from,
    );
    let path = dir.join(name);
    assert!(path.exists(), "{} is missing: set XINAN_INTEROP_DIR to the shared/interop folder", path.display());
    path
}

fn options() -> ImportOptions {
    ImportOptions { licence: Some(PHQ_LICENCE.into()), today: "2026-11-22".into(), ..ImportOptions::default() }
}

fn with_id(id: &str) -> ImportOptions {
    ImportOptions { id: Some(id.into()), ..options() }
}

/// Imports a real FHIR file and checks that the result loads.
fn fhir(name: &str, options: &ImportOptions) -> Imported {
    let path = fixture(name);
    let text = std::fs::read_to_string(&path).unwrap();
    let imported = fhir_import::import(&path.display().to_string(), &text, options).unwrap();
    assert_loads(&imported.definition);
    imported
}

/// Imports a real ReproSchema folder and checks that the result loads.
fn activity(name: &str, options: &ImportOptions) -> Imported {
    let imported = reproschema::import(&fixture(name), options).unwrap();
    assert_loads(&imported.definition);
    imported
}

fn assert_loads(definition: &Definition) {
    let json = serde_json::to_string_pretty(definition).unwrap();
    if let Err(err) = instruments::load("imported.json", &json) {
        panic!("{err}");
    }
}

fn bundled(id: &str) -> &'static Definition {
    instruments::library::get(id).unwrap_or_else(|| panic!("{id} is not bundled"))
}

/// Answer vectors as option positions: every vector when there are at most `limit`,
/// else the lowest, the highest and `limit` drawn by a fixed xorshift, so a failure
/// reproduces exactly.
fn vectors(sizes: &[usize], limit: usize) -> Vec<Vec<usize>> {
    let count = sizes.iter().try_fold(1usize, |n, &s| n.checked_mul(s));
    if let Some(count) = count.filter(|&c| c <= limit) {
        return (0..count)
            .map(|mut n| {
                sizes
                    .iter()
                    .map(|&s| {
                        let k = n % s;
                        n /= s;
                        k
                    })
                    .collect()
            })
            .collect();
    }
    let mut state: u64 = 0x9E37_79B9_7F4A_7C15;
    let mut out = vec![vec![0; sizes.len()], sizes.iter().map(|s| s - 1).collect()];
    for _ in 0..limit {
        out.push(
            sizes
                .iter()
                .map(|&s| {
                    state ^= state << 13;
                    state ^= state >> 7;
                    state ^= state << 17;
                    (state % s as u64) as usize
                })
                .collect(),
        );
    }
    out
}

/// Answers giving the first `positions.len()` items the option at each position,
/// skipping items hidden by earlier answers.
fn answers(d: &Definition, positions: &[usize]) -> Answers {
    let mut answers = Answers::new();
    for (item, &k) in d.items.iter().zip(positions) {
        if instruments::scoring::is_shown(d, &item.id, &answers) {
            answers.insert(item.id.clone(), i64::from(d.options_of(item)[k].value));
        }
    }
    answers
}

fn total(d: &Definition, answers: &Answers) -> f64 {
    instruments::score(d, answers).unwrap_or_else(|e| panic!("{} {answers:?}: {e}", d.id)).total.unwrap()
}

fn option_counts(d: &Definition, items: usize) -> Vec<usize> {
    d.items.iter().take(items).map(|i| d.options_of(i).len()).collect()
}

/// Scores both instruments on the same option positions of their first `items`
/// items (mapped by position) and checks `expected(native total) == imported total`.
fn assert_totals(
    imported: &Definition,
    native: &Definition,
    items: usize,
    limit: usize,
    expected: impl Fn(f64) -> f64,
) {
    assert_eq!(option_counts(imported, items), option_counts(native, items));
    let vectors = vectors(&option_counts(native, items), limit);
    for positions in &vectors {
        let ours = total(imported, &answers(imported, positions));
        let theirs = total(native, &answers(native, positions));
        assert_eq!(ours, expected(theirs), "{} vs {} at positions {positions:?}", imported.id, native.id);
    }
}

fn ids(prefix: &str, n: usize) -> Vec<String> {
    (1..=n).map(|i| format!("{prefix}_{i}")).collect()
}

mod fhir_files {
    use super::*;

    /// NLM's LHC-Forms PHQ-9 brings its LOINC panel, item and answer codes and its
    /// ordinal values; item 10 (no values) stays out of the total; the FHIRPath
    /// scoring (11 variables and the calculatedExpression) is listed with its text.
    #[test]
    fn lhc_phq9_carries_codes_and_values_and_lists_its_fhirpath() {
        let Imported { definition: d, report } = fhir(LHC_PHQ9, &with_id("phq9"));
        assert_eq!(report.items.len(), 10);
        assert_eq!(report.items[0], ("/44250-9".to_owned(), "phq9_1".to_owned()));
        assert_eq!(d.items.iter().map(|i| i.id.clone()).collect::<Vec<_>>(), ids("phq9", 10));
        assert_eq!(d.loinc.as_deref(), Some("44249-1"));
        assert_eq!(d.scoring.loinc.as_deref(), Some("44261-6"));
        let item_codes: Vec<_> = d.items.iter().map(|i| i.loinc.clone().unwrap()).collect();
        let native_codes: Vec<_> = bundled("phq9").items.iter().map(|i| i.loinc.clone().unwrap()).collect();
        assert_eq!(item_codes, native_codes);
        let first = d.options_of(&d.items[0]);
        assert_eq!((first[0].value, first[0].loinc.as_deref()), (0, Some("LA6568-5")));
        assert_eq!(first.iter().map(|o| o.value).collect::<Vec<_>>(), [0, 1, 2, 3]);
        assert_eq!(d.scoring.items, ids("phq9", 9));
        assert!(report.approximates("values from option order") && report.approximates("phq9_10"));
        assert!(report.approximates("made required") && report.approximates("phq9_9"));
        assert_eq!(report.not_carried.iter().filter(|n| n.what.starts_with("variable `")).count(), 11);
        assert!(report.left_behind("sdc-questionnaire-calculatedExpression"));
        assert!(report.left_behind("iif(%any_questions_answered"));
        assert!(report.left_behind("If you checked off any problems"));
        assert_eq!(report.locales, ["en"]);
        assert_eq!((d.licence.id.as_str(), d.licence.statement.as_str()), ("LicenseRef-imported", PHQ_LICENCE));
    }

    /// The LHC PHQ-9's ordinal values give the bundled PHQ-9's totals on a fixed
    /// sample of 400 answer vectors plus the extremes (item ids mapped by position).
    #[test]
    fn lhc_phq9_totals_equal_the_bundled_phq9() {
        let imported = fhir(LHC_PHQ9, &with_id("phq9")).definition;
        assert_totals(&imported, bundled("phq9"), 9, 400, |t| t);
    }

    /// The LHC file has no `copyright`: without `--licence` the import is refused
    /// with a message naming the file and the way out.
    #[test]
    fn a_file_without_licence_is_refused_naming_it() {
        let path = fixture(LHC_PHQ9);
        let text = std::fs::read_to_string(&path).unwrap();
        let name = path.display().to_string();
        let err = fhir_import::import(&name, &text, &ImportOptions { licence: None, ..options() }).unwrap_err();
        assert!(matches!(err, ImportError::NoLicence { .. }));
        assert!(err.to_string().starts_with(&name) && err.to_string().contains("--licence"), "{err}");
    }

    /// Stanford's GAD-7 has no option values: order gives 0–3, which is reported and,
    /// for GAD-7, matches the bundled totals on all 4^7 answer vectors. The group stem
    /// becomes the instructions; the closing text is reported.
    #[test]
    fn stanford_gad7_takes_values_from_order_and_matches_the_bundled_gad7() {
        let Imported { definition: d, report } = fhir(STANFORD_GAD7, &with_id("gad7"));
        assert_eq!(d.items.len(), 7);
        assert_eq!(report.items[0].0, "69f6b657-f886-4270-ae5d-d7650bde5a19");
        assert!(report.approximates("values from option order") && report.approximates("7 item(s)"));
        assert!(report.approximates("made required"));
        assert_eq!(report.locales, ["en-US"]);
        let instructions = d.instructions.values().next().unwrap();
        assert!(instructions.contains("How often have you been bothered"), "{instructions}");
        assert!(report.left_behind("Thank you for completing this survey"));
        assert!(d.items.iter().all(|i| i.loinc.is_none()));
        assert_totals(&d, bundled("gad7"), 7, 20_000, |t| t);
    }

    /// Stanford's WHO-5 lists "All of the time" first and gives no values, so order
    /// values run opposite to the published ones: on all 6^5 vectors the imported raw
    /// total is 25 − the bundled WHO-5's raw total (its ×4 undone). This is why every
    /// order-derived value is reported. Its scoring texts are reported, not shown.
    #[test]
    fn stanford_who5_order_values_run_opposite_to_the_published_ones() {
        let Imported { definition: d, report } = fhir(STANFORD_WHO5, &with_id("who5"));
        assert_eq!((d.items.len(), d.options_of(&d.items[0]).len()), (5, 6));
        assert_eq!(d.options_of(&d.items[0])[0].label.values().next().unwrap(), "All of the Time");
        assert!(report.approximates("values from option order"));
        assert!(report.left_behind("multiplied by four"));
        assert!(report.left_behind("GROUPING TEST"));
        let native = bundled("who5");
        assert_eq!(native.scoring.transform.map(|t| t.multiply), Some(4.0));
        assert_totals(&d, native, 5, 10_000, |t| 25.0 - t / 4.0);
    }
}

mod reproschema_folders {
    use super::*;

    /// ReproSchema PHQ-9: 10 items with values 0–3, item 10's `isVis` becomes exactly
    /// the bundled PHQ-9's condition, only en and es are in every text, and the
    /// JavaScript `compute` and the cut-point-less `phq9_category` are reported.
    #[test]
    fn phq9_carries_item_10_condition_and_reports_compute() {
        let Imported { definition: d, report } = activity("reproschema-PHQ-9", &options());
        assert_eq!(d.id, "phq9");
        assert_eq!(d.items.iter().map(|i| i.id.clone()).collect::<Vec<_>>(), ids("phq9", 10));
        assert_eq!(d.items[9].show_if, bundled("phq9").items[9].show_if);
        assert_eq!(report.conditions.len(), 1);
        assert_eq!(report.locales, ["en", "es"]);
        assert!(report.left_behind("22 language(s)") && report.left_behind("zh-cn: no text for title"));
        assert!(report.left_behind("phq9_1 + phq9_2 + phq9_3"));
        assert!(report.left_behind("adds up exactly the items of the imported total"));
        assert!(report.left_behind("items/phq9_category") && report.left_behind("moderately severe"));
        assert_eq!(d.scoring.items, ids("phq9", 9));
        assert!(report.approximates("shown only under a condition: phq9_10"));
    }

    /// Totals and item 10's display equal the bundled PHQ-9's on 400 sampled vectors
    /// plus the extremes.
    #[test]
    fn phq9_totals_and_item_10_display_equal_the_bundled_phq9() {
        let imported = activity("reproschema-PHQ-9", &options()).definition;
        let native = bundled("phq9");
        assert_totals(&imported, native, 9, 400, |t| t);
        for positions in vectors(&[4; 9], 400) {
            let (ours, theirs) = (answers(&imported, &positions), answers(native, &positions));
            assert_eq!(
                instruments::scoring::is_shown(&imported, "phq9_10", &ours),
                instruments::scoring::is_shown(native, "phq9_10", &theirs)
            );
        }
    }

    /// ReproSchema GAD-7 scores like the bundled GAD-7 on all 4^7 answer vectors;
    /// its items carry no `valueRequired`, so they are made required and reported.
    #[test]
    fn gad7_totals_equal_the_bundled_gad7_on_every_vector() {
        let Imported { definition: d, report } = activity("reproschema-GAD7", &options());
        assert_eq!(d.items.len(), 7);
        assert_eq!(report.locales, ["en"]);
        assert!(report.approximates("made required"));
        assert!(report.left_behind("gad7_1 + gad7_2"));
        assert_totals(&d, bundled("gad7"), 7, 20_000, |t| t);
    }

    /// PSC-17-Y: 17 items renamed from `PSC-17-Y_n`, 0–2 each, empty Spanish texts
    /// ignored, one band 0–34; its totals equal the bundled PSC-17 (parent form, same
    /// scoring) on 400 sampled vectors, and its `compute` is the same plain sum.
    #[test]
    fn psc17y_sums_17_items_like_the_bundled_psc17() {
        let Imported { definition: d, report } = activity("reproschema-PSC-17-Y", &with_id("psc17y"));
        assert_eq!(d.items.iter().map(|i| i.id.clone()).collect::<Vec<_>>(), ids("psc17y", 17));
        assert_eq!(report.items[0].0, "PSC-17-Y_1");
        assert_eq!(report.locales, ["en"]);
        assert_eq!((d.bands.len(), d.bands[0].min, d.bands[0].max), (1, 0.0, 34.0));
        assert!(report.left_behind("adds up exactly the items of the imported total"));
        assert_totals(&d, bundled("psc17"), 17, 400, |t| t);
    }
}

mod round_trip {
    use super::*;

    fn strip_definition(mut q: Value) -> Value {
        q.as_object_mut().unwrap().remove("extension");
        q
    }

    fn reimport(q: &Value, options: &ImportOptions) -> Result<Imported, ImportError> {
        fhir_import::import("export.json", &serde_json::to_string_pretty(q).unwrap(), options)
    }

    /// Every bundled instrument comes back from its FHIR export as the identical
    /// definition, and scores identically (whole `Score`) on 200 sampled vectors.
    #[test]
    fn every_bundled_instrument_survives_native_fhir_native() {
        for native in instruments::library::all() {
            let back = reimport(&fhir_export::questionnaire(native), &options()).unwrap().definition;
            assert_eq!(&back, native, "{}", native.id);
            for positions in vectors(&option_counts(native, native.items.len()), 200) {
                let answers = answers(native, &positions);
                assert_eq!(instruments::score(&back, &answers), instruments::score(native, &answers), "{}", native.id);
            }
        }
    }

    /// Without the Xin'an extension the FHIR body alone still carries every bundled
    /// instrument's items, texts in every language, option values and codes, and
    /// display conditions: the export is useful to tools that ignore the extension.
    #[test]
    fn the_fhir_body_alone_carries_items_options_translations_and_conditions() {
        for native in instruments::library::all() {
            let q = strip_definition(fhir_export::questionnaire(native));
            let back = reimport(&q, &with_id(&native.id)).unwrap().definition;
            assert_loads(&back);
            let sorted = |d: &Definition| {
                let mut l: Vec<String> = d.locales.iter().map(|l| l.to_string()).collect();
                l.sort();
                l
            };
            assert_eq!((sorted(&back), &back.locales[0]), (sorted(native), &native.locales[0]), "{}", native.id);
            assert_eq!(
                (&back.title, &back.instructions, &back.loinc),
                (&native.title, &native.instructions, &native.loinc)
            );
            for (ours, theirs) in back.items.iter().zip(&native.items) {
                let context = format!("{} {}", native.id, theirs.id);
                assert_eq!((&ours.id, &ours.text, &ours.loinc), (&theirs.id, &theirs.text, &theirs.loinc), "{context}");
                assert_eq!(back.options_of(ours), native.options_of(theirs), "{context}");
                assert_eq!(ours.show_if, theirs.show_if, "{context}");
            }
            assert_eq!(back.items.len(), native.items.len());
        }
    }

    /// A Xin'an export whose FHIR text was edited is refused, naming the item, rather
    /// than silently restoring the embedded text.
    #[test]
    fn an_edited_export_is_refused() {
        let mut q = fhir_export::questionnaire(bundled("gad7"));
        q["item"][3]["text"] = Value::String("Edited".into());
        let err = reimport(&q, &options()).unwrap_err();
        assert!(matches!(err, ImportError::EditedAfterExport { .. }), "{err}");
        assert!(err.to_string().contains("item gad7_3"), "{err}");
    }

    /// The PHQ-9 export carries LOINC 44249-1, the item and answer codes with their
    /// values (ordinalValue and itemWeight), translations, the licence as copyright,
    /// and item 10's condition as 27 `=` enableWhen joined by `any`.
    #[test]
    fn phq9_export_carries_loinc_codes_values_and_condition() {
        let q = fhir_export::questionnaire(bundled("phq9"));
        assert_eq!((q["resourceType"].as_str(), q["status"].as_str()), (Some("Questionnaire"), Some("active")));
        assert_eq!(q["code"][0]["code"], "44249-1");
        assert_eq!(q["code"][0]["system"], "http://loinc.org");
        assert_eq!(q["copyright"].as_str(), Some(bundled("phq9").licence.statement.as_str()));
        assert_eq!(q["language"], "en");
        let items = q["item"].as_array().unwrap();
        assert_eq!(items[0]["type"], "display");
        let codes: Vec<&str> = items[1..].iter().filter_map(|i| i["code"][0]["code"].as_str()).collect();
        assert_eq!(codes[..3], ["44250-9", "44255-8", "44259-0"]);
        assert_eq!(items[1]["linkId"], "phq9_1");
        let option = &items[1]["answerOption"][3];
        assert_eq!(option["valueCoding"]["code"], "LA6571-9");
        let urls: Vec<&str> =
            option["extension"].as_array().unwrap().iter().filter_map(|e| e["url"].as_str()).collect();
        assert!(urls.contains(&"http://hl7.org/fhir/StructureDefinition/ordinalValue"));
        assert!(option["extension"].as_array().unwrap().iter().all(|e| e["valueDecimal"] == 3));
        assert_eq!(items[1]["_text"]["extension"][0]["extension"][0]["valueCode"], "zh-Hans");
        assert_eq!(items[10]["enableWhen"].as_array().unwrap().len(), 27);
        assert_eq!(items[10]["enableBehavior"], "any");
    }

    /// A stored result exports as a completed QuestionnaireResponse with no subject,
    /// `authored` only a day, coded answers and the total; a timestamp is refused.
    #[test]
    fn questionnaire_response_has_no_subject_and_only_the_day() {
        let phq9 = bundled("phq9");
        let mut answers: Answers = (1..=9).map(|i| (format!("phq9_{i}"), 2)).collect();
        answers.insert("phq9_10".into(), 1);
        let score = instruments::score(phq9, &answers).unwrap();
        let qr = fhir_export::questionnaire_response(phq9, &answers, &score, "2026-11-22").unwrap();
        assert_eq!(qr["resourceType"], "QuestionnaireResponse");
        assert!(qr.get("subject").is_none() && qr.get("author").is_none() && qr.get("source").is_none());
        assert_eq!((qr["status"].as_str(), qr["authored"].as_str()), (Some("completed"), Some("2026-11-22")));
        assert_eq!(qr["questionnaire"], "https://xinan.example/fhir/Questionnaire/phq9|1.0.0");
        assert_eq!(qr["item"].as_array().unwrap().len(), 10);
        assert_eq!(qr["item"][0]["answer"][0]["valueCoding"]["code"], "LA6570-1");
        let parts = qr["extension"][0]["extension"].as_array().unwrap();
        assert!(parts.iter().any(|p| p["url"] == "total" && p["valueDecimal"] == 18));
        assert!(parts.iter().any(|p| p["url"] == "band" && p["valueCode"] == "moderately_severe"));
        let err = fhir_export::questionnaire_response(phq9, &answers, &score, "2026-11-22T08:00:00Z").unwrap_err();
        assert_eq!(err, ExportError::NotADay("2026-11-22T08:00:00Z".into()));
    }

    /// A condition the native schema cannot hold (two thresholds at once) is reported
    /// with its source and the item is kept, always shown.
    #[test]
    fn an_inexpressible_enable_when_is_reported_not_dropped() {
        let mut q = strip_definition(fhir_export::questionnaire(bundled("phq9")));
        let rules = q["item"][10]["enableWhen"].as_array_mut().unwrap();
        rules.retain(|r| r["question"] != "phq9_1" || r["answerCoding"]["code"] != "LA6569-3");
        let imported = reimport(&q, &with_id("phq9")).unwrap();
        assert_eq!(imported.definition.items[9].show_if, None);
        assert!(imported.report.left_behind("display condition of phq9_10"));
        assert!(imported.report.left_behind("enableBehavior any"));
        assert!(matches!(bundled("phq9").items[9].show_if, Some(Condition::AnyItem { .. })));
    }
}

mod cli {
    use super::*;

    fn xinan(args: &[&str]) -> std::process::Output {
        Command::new(env!("CARGO_BIN_EXE_xinan")).args(args).env_remove("DATABASE_URL").output().expect("run xinan")
    }

    fn text(bytes: &[u8]) -> String {
        String::from_utf8_lossy(bytes).into_owned()
    }

    fn temp(name: &str) -> PathBuf {
        std::env::temp_dir().join(format!("xinan-interop-{}-{name}", std::process::id()))
    }

    /// `instruments list` prints one line per bundled instrument with its facts.
    #[test]
    fn list_prints_one_line_per_bundled_instrument() {
        let output = xinan(&["instruments", "list"]);
        assert!(output.status.success());
        let stdout = text(&output.stdout);
        assert_eq!(stdout.lines().count(), instruments::library::all().len());
        let phq9 = stdout.lines().find(|l| l.starts_with("phq9 1.0.0\t")).unwrap();
        for part in ["Patient Health Questionnaire (PHQ-9)", "10 items", "en,zh-Hans", "LicenseRef-PHQ-free-use"] {
            assert!(phq9.contains(part), "{phq9}");
        }
        assert!(phq9.contains("adolescent,adult 12+") && phq9.ends_with("cut-off total ≥ 10"), "{phq9}");
    }

    /// `instruments export` prints the Questionnaire; an unknown id or version exits 2.
    #[test]
    fn export_prints_fhir_and_refuses_unknown_instruments() {
        let output = xinan(&["instruments", "export", "gad7", "--format", "fhir", "--version", "1.0.0"]);
        assert!(output.status.success(), "{}", text(&output.stderr));
        let q: Value = serde_json::from_slice(&output.stdout).unwrap();
        assert_eq!(q["url"], "https://xinan.example/fhir/Questionnaire/gad7");
        for (args, message) in [
            (vec!["instruments", "export", "nope", "--format", "fhir"], "unknown instrument `nope`"),
            (
                vec!["instruments", "export", "gad7", "--format", "fhir", "--version", "9"],
                "no bundled gad7 at version 9",
            ),
        ] {
            let output = xinan(&args);
            assert_eq!(output.status.code(), Some(2));
            assert!(text(&output.stderr).contains(message), "{}", text(&output.stderr));
        }
    }

    /// `instruments import` writes a loadable file to --out and the report to stderr,
    /// honouring --id, --licence, --min-age and --groups.
    #[test]
    fn import_writes_the_definition_and_prints_the_report() {
        let out = temp("lhc.json");
        let path = fixture(LHC_PHQ9);
        let output = xinan(&[
            "instruments",
            "import",
            path.to_str().unwrap(),
            "--from",
            "fhir",
            "--id",
            "phq9_lhc",
            "--licence",
            PHQ_LICENCE,
            "--min-age",
            "12",
            "--groups",
            "adolescent,adult",
            "--out",
            out.to_str().unwrap(),
        ]);
        let written = std::fs::read_to_string(&out);
        std::fs::remove_file(&out).ok();
        let stderr = text(&output.stderr);
        assert!(output.status.success(), "{stderr}");
        let d = instruments::load("lhc.json", &written.unwrap()).unwrap();
        assert_eq!((d.id.as_str(), d.population.min_age), ("phq9_lhc", 12));
        assert!(stderr.contains("carried: 10 items"), "{stderr}");
        assert!(stderr.contains("not carried: sdc-questionnaire-calculatedExpression"), "{stderr}");
        assert!(stderr.contains("approximated: population: adolescent, adult from age 12 (as given)"), "{stderr}");
    }

    /// A ReproSchema folder imports to stdout.
    #[test]
    fn import_of_a_folder_prints_json_to_stdout() {
        let path = fixture("reproschema-GAD7");
        let output =
            xinan(&["instruments", "import", path.to_str().unwrap(), "--from", "reproschema", "--licence", "x"]);
        assert!(output.status.success(), "{}", text(&output.stderr));
        let d: Value = serde_json::from_slice(&output.stdout).unwrap();
        assert_eq!(d["id"], "gad7");
        assert!(text(&output.stderr).contains("not carried: compute gad7_total_score"));
    }

    /// Bad input exits 2 with a message naming the file: missing file, no licence,
    /// a folder given as FHIR, a resource that is not a Questionnaire, broken JSON.
    #[test]
    fn import_exits_2_on_bad_input_naming_the_file() {
        let patient = temp("patient.json");
        std::fs::write(&patient, r#"{"resourceType": "Patient"}"#).unwrap();
        let broken = temp("broken.json");
        std::fs::write(&broken, "{\n  \"resourceType\": \"Questionnaire\",\n  oops\n}").unwrap();
        let (lhc, folder) = (fixture(LHC_PHQ9), fixture("reproschema-GAD7"));
        let cases: Vec<(Vec<&str>, String)> = vec![
            (vec!["/nonexistent.json", "--from", "fhir"], "/nonexistent.json: cannot read".into()),
            (
                vec![lhc.to_str().unwrap(), "--from", "fhir"],
                format!("{}: the FHIR Questionnaire states no licence", lhc.display()),
            ),
            (vec![folder.to_str().unwrap(), "--from", "fhir"], format!("{}: cannot read", folder.display())),
            (vec![patient.to_str().unwrap(), "--from", "fhir"], "resourceType is Patient".into()),
            (vec![broken.to_str().unwrap(), "--from", "fhir"], format!("{}:3: not JSON", broken.display())),
            (vec![lhc.to_str().unwrap(), "--from", "reproschema", "--licence", "x"], "cannot read".into()),
        ];
        for (args, message) in cases {
            let output = xinan(&[&["instruments", "import"][..], &args].concat());
            assert_eq!(output.status.code(), Some(2), "{args:?}");
            assert!(text(&output.stderr).contains(&message), "{args:?}: {}", text(&output.stderr));
        }
        std::fs::remove_file(patient).ok();
        std::fs::remove_file(broken).ok();
    }

    /// An import whose result breaks a loader rule (two options with one value)
    /// exits 1 with the loader's problem, after writing the file for hand repair.
    #[test]
    fn import_exits_1_when_the_result_does_not_load() {
        let source = temp("dup.json");
        let out = temp("dup-out.json");
        let option = |code: &str| {
            serde_json::json!({
                "extension": [{ "url": "http://hl7.org/fhir/StructureDefinition/ordinalValue", "valueDecimal": 1 }],
                "valueCoding": { "system": "urn:x", "code": code, "display": code }
            })
        };
        let q = serde_json::json!({
            "resourceType": "Questionnaire", "title": "Dup", "copyright": "free",
            "item": [{ "linkId": "q1", "type": "choice", "text": "Q?", "answerOption": [option("a"), option("b")] }]
        });
        std::fs::write(&source, q.to_string()).unwrap();
        let output = xinan(&[
            "instruments",
            "import",
            source.to_str().unwrap(),
            "--from",
            "fhir",
            "--out",
            out.to_str().unwrap(),
        ]);
        let written = out.exists();
        std::fs::remove_file(&source).ok();
        std::fs::remove_file(&out).ok();
        assert_eq!(output.status.code(), Some(1));
        let stderr = text(&output.stderr);
        assert!(stderr.contains("does not load") && stderr.contains("duplicate option value 1"), "{stderr}");
        assert!(written);
    }
}
