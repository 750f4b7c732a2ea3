//! The respondent's answers and everything derived from them, as plain types.
//!
//! Nothing here touches the DOM, the network or storage, so all of it is unit tested
//! natively; the pages only hold these values in signals.

use std::collections::BTreeMap;

use instruments::definition::{Definition, Severity};
use instruments::scoring::is_shown;
use instruments::validity::{ItemTiming, Timings};
use instruments::wire::{Campaign, ClientScore, ConsentGiven, InstrumentAnswers, SubmissionRequest};
use instruments::{Answers, Score, ScoreError};

/// What the address bar asks for.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Route {
    /// `/c/{code}`.
    Campaign(String),
    /// Anything else.
    NotFound,
}

impl Route {
    /// Reads a `location.pathname`. Campaign codes are letters, digits, `-` and `_`,
    /// which also keeps the code safe to put back into an API path.
    pub fn parse(path: &str) -> Self {
        let code = path.strip_prefix("/c/").map(|rest| rest.strip_suffix('/').unwrap_or(rest));
        match code {
            Some(code)
                if !code.is_empty()
                    && code.len() <= 64
                    && code.bytes().all(|b| b.is_ascii_alphanumeric() || b == b'-' || b == b'_') =>
            {
                Self::Campaign(code.to_owned())
            }
            _ => Self::NotFound,
        }
    }
}

/// One question on the page: a cohort attribute or an instrument item.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Question {
    /// The cohort attribute with this id.
    Cohort(String),
    /// The item `item` of the campaign's instrument number `instrument`.
    Item {
        /// Index into `Campaign::instruments`.
        instrument: usize,
        /// Item id.
        item: String,
    },
}

impl Question {
    /// The DOM id of the question's radio group (unique on the page).
    pub fn dom_id(&self, campaign: &Campaign) -> String {
        match self {
            Self::Cohort(id) => cohort_dom_id(id),
            Self::Item { instrument, item } => {
                let instrument = campaign.instruments.get(*instrument).map_or("", |d| d.id.as_str());
                item_dom_id(instrument, item)
            }
        }
    }
}

/// DOM id of a cohort question.
pub fn cohort_dom_id(attribute: &str) -> String {
    format!("c-{attribute}")
}

/// DOM id of an item (item ids are only unique within their instrument).
pub fn item_dom_id(instrument: &str, item: &str) -> String {
    format!("q-{instrument}-{item}")
}

/// Everything the respondent has chosen so far.
#[derive(Clone, Debug, Default, PartialEq)]
pub struct Responses {
    cohort: BTreeMap<String, String>,
    /// Answers per instrument, in campaign order.
    answers: Vec<Answers>,
    /// When each item was last answered (page milliseconds), per instrument: a map of
    /// the answers' own type, whose code the page already holds.
    answered_ms: Vec<Answers>,
    /// When the questions were first shown.
    shown_ms: Option<u64>,
}

impl Responses {
    /// No answers yet.
    pub fn new(campaign: &Campaign) -> Self {
        let n = campaign.instruments.len();
        Self {
            cohort: BTreeMap::new(),
            answers: vec![Answers::new(); n],
            answered_ms: vec![Answers::new(); n],
            shown_ms: None,
        }
    }

    /// The questions are on screen (the first time counts).
    pub fn questions_shown(&mut self, at_ms: u64) {
        self.shown_ms.get_or_insert(at_ms);
    }

    /// Item `item` of instrument number `instrument` was answered at `at_ms`.
    pub fn answered_at(&mut self, instrument: usize, item: &str, at_ms: u64) {
        self.shown_ms.get_or_insert(at_ms);
        if let Some(times) = self.answered_ms.get_mut(instrument) {
            times.insert(item.to_owned(), at_ms as i64);
        }
    }

    /// The chosen value of a cohort attribute.
    pub fn cohort(&self, attribute: &str) -> Option<&str> {
        self.cohort.get(attribute).map(String::as_str)
    }

    /// Chooses a cohort value.
    pub fn set_cohort(&mut self, attribute: &str, value: &str) {
        self.cohort.insert(attribute.to_owned(), value.to_owned());
    }

    /// The answers given to instrument number `instrument`.
    pub fn answers(&self, instrument: usize) -> &Answers {
        static NONE: Answers = Answers::new();
        self.answers.get(instrument).unwrap_or(&NONE)
    }

    /// The answer to one item.
    pub fn answer(&self, instrument: usize, item: &str) -> Option<i64> {
        self.answers(instrument).get(item).copied()
    }

    /// Records an answer, then drops the answers of items that this answer hides, so
    /// that what is submitted is exactly what is on screen.
    pub fn set_answer(&mut self, definition: &Definition, instrument: usize, item: &str, value: i64) {
        let Some(answers) = self.answers.get_mut(instrument) else {
            return;
        };
        answers.insert(item.to_owned(), value);
        // Conditions only look at earlier items (the loader checks it), so one pass in
        // display order, checking each item against the answers kept so far, settles
        // every cascade. (Rebuilt rather than `remove`d: map removal would add its
        // rebalancing code to the wasm for this one use.)
        let mut kept = Answers::new();
        for item in &definition.items {
            if let Some(&value) = answers.get(&item.id) {
                if is_shown(definition, &item.id, &kept) {
                    kept.insert(item.id.clone(), value);
                }
            }
        }
        *answers = kept;
    }

    /// The questions shown now, in page order, with whether each is required.
    fn questions<'a>(&'a self, campaign: &'a Campaign) -> impl Iterator<Item = (Question, bool, bool)> + 'a {
        let cohort =
            campaign.cohort.iter().map(|a| (Question::Cohort(a.id.clone()), true, self.cohort.contains_key(&a.id)));
        let items = campaign.instruments.iter().enumerate().flat_map(move |(i, definition)| {
            let answers = self.answers(i);
            definition.items.iter().filter(move |item| is_shown(definition, &item.id, answers)).map(move |item| {
                let question = Question::Item { instrument: i, item: item.id.clone() };
                (question, item.required, answers.contains_key(&item.id))
            })
        });
        cohort.chain(items)
    }

    /// How many required questions are answered, out of how many (hidden items and
    /// optional ones do not count).
    pub fn progress(&self, campaign: &Campaign) -> Progress {
        let mut progress = Progress::default();
        for (_, required, answered) in self.questions(campaign) {
            if required {
                progress.required += 1;
                progress.answered += usize::from(answered);
            }
        }
        progress
    }

    /// The first required question still unanswered.
    pub fn first_missing(&self, campaign: &Campaign) -> Option<Question> {
        self.questions(campaign).find(|(_, required, answered)| *required && !answered).map(|(q, ..)| q)
    }
}

/// Answered and required question counts.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct Progress {
    /// Required questions answered.
    pub answered: usize,
    /// Required questions shown.
    pub required: usize,
}

impl Progress {
    /// Whether every required question is answered.
    pub fn is_complete(self) -> bool {
        self.answered >= self.required
    }

    /// Required questions left.
    pub fn left(self) -> usize {
        self.required.saturating_sub(self.answered)
    }
}

/// Why a submission could not be built.
#[derive(Clone, Debug, PartialEq)]
pub enum BuildError {
    /// A required question is unanswered.
    Incomplete(Question),
    /// The engine refused the answers (cannot happen for answers made on this page).
    Score(ScoreError),
}

/// Scores every instrument in the browser and builds the request to send.
///
/// # Errors
/// [`BuildError`] when a question is unanswered or the engine refuses an answer.
pub fn build_submission(
    campaign: &Campaign,
    responses: &Responses,
    idempotency_key: String,
    consent: ConsentGiven,
    access_code: Option<String>,
) -> Result<(SubmissionRequest, Vec<Score>), BuildError> {
    if let Some(question) = responses.first_missing(campaign) {
        return Err(BuildError::Incomplete(question));
    }
    let mut results = Vec::with_capacity(campaign.instruments.len());
    let mut scores = Vec::with_capacity(campaign.instruments.len());
    for (i, definition) in campaign.instruments.iter().enumerate() {
        let answers = responses.answers(i).clone();
        let score = instruments::score(definition, &answers).map_err(BuildError::Score)?;
        let shown_ms = responses.shown_ms.unwrap_or_default();
        let mut timings = Timings::default();
        for (item, at) in responses.answered_ms.get(i).into_iter().flatten() {
            if answers.contains_key(item) {
                let answered_ms = *at as u64;
                timings.0.push((item.clone(), ItemTiming { shown_ms: shown_ms.min(answered_ms), answered_ms }));
            }
        }
        results.push(InstrumentAnswers {
            instrument: definition.id.clone(),
            version: definition.version.clone(),
            answers,
            client_score: ClientScore::of(&score),
            timings,
        });
        scores.push(score);
    }
    // A loop, not `collect`: collecting into a map sorts first, and the sort code
    // would be compiled in for this one call.
    let mut cohort = BTreeMap::new();
    for attribute in &campaign.cohort {
        if let Some(value) = responses.cohort(&attribute.id) {
            cohort.insert(attribute.id.clone(), value.to_owned());
        }
    }
    Ok((SubmissionRequest { idempotency_key, cohort, results, consent, access_code }, scores))
}

/// Whether a score raised a flag that calls for crisis resources: the `critical` flag,
/// or any flag whose rule is of critical severity.
pub fn is_critical(definition: Option<&Definition>, score: &Score) -> bool {
    score.flags.iter().any(|flag| {
        flag == "critical"
            || definition
                .is_some_and(|d| d.flags.iter().any(|rule| &rule.id == flag && rule.severity == Severity::Critical))
    })
}

/// A submission waiting to be accepted by the server.
///
/// The request is kept as the exact JSON body to POST: resending never re-encodes it,
/// and the browser never decodes a `SubmissionRequest`. Each one is its own
/// `localStorage` entry (see [`Pending::storage_key`]), so two tabs never overwrite
/// each other's submissions.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Pending {
    /// Campaign code the submission belongs to.
    pub campaign: String,
    /// The request's idempotency key.
    pub key: String,
    /// The serialized `SubmissionRequest`.
    pub body: String,
}

impl Pending {
    /// Prefix of every outbox entry's `localStorage` key. Bump the version if the
    /// stored shape ever changes.
    pub const PREFIX: &'static str = "xinan.outbox.v1.";

    /// Serializes `request` for `campaign`.
    pub fn new(campaign: String, request: &SubmissionRequest) -> Self {
        Self {
            campaign,
            key: request.idempotency_key.clone(),
            body: serde_json::to_string(request).unwrap_or_default(),
        }
    }

    /// `xinan.outbox.v1.<idempotency key>`.
    pub fn storage_key(&self) -> String {
        format!("{}{}", Self::PREFIX, self.key)
    }

    /// The stored value: the campaign code (never contains a newline, see
    /// [`Route::parse`]), a newline, the body.
    pub fn encode(&self) -> String {
        format!("{}\n{}", self.campaign, self.body)
    }

    /// Reads an entry back; `None` for keys that are not outbox entries or values
    /// that are not ours.
    pub fn decode(storage_key: &str, value: &str) -> Option<Self> {
        let key = storage_key.strip_prefix(Self::PREFIX)?;
        let (campaign, body) = value.split_once('\n')?;
        (!key.is_empty() && !campaign.is_empty() && body.starts_with('{')).then(|| Self {
            campaign: campaign.to_owned(),
            key: key.to_owned(),
            body: body.to_owned(),
        })
    }
}

/// An access code as typed (`abcde-12345`, `ABCDE 12345`) in the form the server
/// issued it, or `None` when it cannot be one: 10 letters or digits once spaces and
/// dashes are dropped. The server decides whether it is valid.
pub fn normalize_access_code(typed: &str) -> Option<String> {
    let code: String =
        typed.chars().filter(|c| !c.is_whitespace() && *c != '-').map(|c| c.to_ascii_uppercase()).collect();
    (code.len() == 10 && code.bytes().all(|b| b.is_ascii_alphanumeric())).then_some(code)
}

/// Milliseconds to wait before retry number `attempt` (1-based): 5 s doubling, at
/// most 5 minutes.
pub fn retry_delay_ms(attempt: u32) -> u32 {
    5_000u32.saturating_mul(1 << attempt.saturating_sub(1).min(6)).min(300_000)
}

/// Formats 16 random bytes as a version 4 UUID.
pub fn uuid_v4(mut bytes: [u8; 16]) -> String {
    bytes[6] = (bytes[6] & 0x0f) | 0x40;
    bytes[8] = (bytes[8] & 0x3f) | 0x80;
    const HEX: &[u8; 16] = b"0123456789abcdef";
    let mut out = String::with_capacity(36);
    for (i, b) in bytes.iter().enumerate() {
        if matches!(i, 4 | 6 | 8 | 10) {
            out.push('-');
        }
        out.push(char::from(HEX[usize::from(b >> 4)]));
        out.push(char::from(HEX[usize::from(b & 0x0f)]));
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    /// The DEMO campaign as the server sends it, with the bundled PHQ-9 and GAD-7.
    fn campaign() -> Campaign {
        let mut campaign: Campaign = serde_json::from_value(serde_json::json!({
            "code": "DEMO",
            "name": {"en": "Demo screening", "zh-Hans": "演示筛查"},
            "locales": ["zh-Hans", "en"],
            "cohort": [{"id": "grade", "label": {"en": "Grade", "zh-Hans": "年级"}, "values": ["7", "8", "9"]}],
            "crisis_resources": {"en": "Call 988.", "zh-Hans": "全国心理援助热线 12356。"},
            "instruments": [],
            "anonymity": "anonymous",
            "consent": {},
            "guardian_consent": false,
            "state": "open",
            "opens_on": "2026-01-01",
            "closes_on": "2026-12-31"
        }))
        .expect("campaign parses");
        campaign.instruments = ["phq9", "gad7"].map(|id| instruments::library::get(id).unwrap().clone()).to_vec();
        campaign
    }

    /// Health consent given, no guardian asked.
    const CONSENT: ConsentGiven = ConsentGiven { health: true, guardian: None };

    fn phq(campaign: &Campaign) -> &Definition {
        &campaign.instruments[0]
    }

    fn answer_all(campaign: &Campaign, responses: &mut Responses, value: i64) {
        responses.set_cohort("grade", "8");
        for (i, d) in campaign.instruments.iter().enumerate() {
            for item in d.items.iter().filter(|item| item.show_if.is_none()) {
                responses.set_answer(d, i, &item.id, value);
            }
        }
    }

    #[test]
    fn route_reads_campaign_code_and_rejects_everything_else() {
        assert_eq!(Route::parse("/c/DEMO"), Route::Campaign("DEMO".into()));
        assert_eq!(Route::parse("/c/DEMO/"), Route::Campaign("DEMO".into()));
        // `/instruments` and `/staff/…` belong to the staff app (another page shell).
        for path in ["/", "/c/", "/c", "/c/a/b", "/x/DEMO", "/c/a%20b", "/c/../api", "/instruments", "/staff"] {
            assert_eq!(Route::parse(path), Route::NotFound, "{path}");
        }
    }

    #[test]
    fn progress_counts_cohort_and_shown_required_items() {
        let c = campaign();
        let mut r = Responses::new(&c);
        assert_eq!(r.progress(&c), Progress { answered: 0, required: 1 + 9 + 7 });
        r.set_cohort("grade", "7");
        r.set_answer(phq(&c), 0, "phq9_1", 0);
        assert_eq!(r.progress(&c), Progress { answered: 2, required: 17 });
        assert_eq!(r.progress(&c).left(), 15);
    }

    #[test]
    fn optional_conditional_item_is_not_required() {
        let c = campaign();
        let mut r = Responses::new(&c);
        answer_all(&c, &mut r, 1);
        // phq9_10 is now shown, but optional: the screening is complete without it.
        assert!(is_shown(phq(&c), "phq9_10", r.answers(0)));
        assert!(r.progress(&c).is_complete());
        assert_eq!(r.first_missing(&c), None);
    }

    #[test]
    fn hidden_item_answer_is_dropped_when_its_condition_turns_false() {
        let c = campaign();
        let d = phq(&c);
        let mut r = Responses::new(&c);
        answer_all(&c, &mut r, 0);
        r.set_answer(d, 0, "phq9_1", 2);
        r.set_answer(d, 0, "phq9_10", 1);
        assert_eq!(r.answer(0, "phq9_10"), Some(1));
        r.set_answer(d, 0, "phq9_1", 0);
        assert_eq!(r.answer(0, "phq9_10"), None);
    }

    #[test]
    fn first_missing_follows_page_order() {
        let c = campaign();
        let mut r = Responses::new(&c);
        assert_eq!(r.first_missing(&c), Some(Question::Cohort("grade".into())));
        r.set_cohort("grade", "9");
        let missing = r.first_missing(&c).unwrap();
        assert_eq!(missing, Question::Item { instrument: 0, item: "phq9_1".into() });
        assert_eq!(missing.dom_id(&c), "q-phq9-phq9_1");
    }

    #[test]
    fn build_submission_refuses_incomplete_answers() {
        let c = campaign();
        let r = Responses::new(&c);
        assert!(matches!(build_submission(&c, &r, "k".into(), CONSENT, None), Err(BuildError::Incomplete(_))));
    }

    #[test]
    fn build_submission_scores_every_instrument_with_the_engine() {
        let c = campaign();
        let mut r = Responses::new(&c);
        answer_all(&c, &mut r, 1);
        r.set_answer(phq(&c), 0, "phq9_10", 3);
        let (request, scores) = build_submission(&c, &r, "key-1".into(), CONSENT, None).unwrap();
        assert_eq!(request.idempotency_key, "key-1");
        assert_eq!(request.consent, CONSENT);
        assert_eq!(request.access_code, None);
        assert_eq!(request.cohort, BTreeMap::from([("grade".to_owned(), "8".to_owned())]));
        assert_eq!(request.results.len(), 2);
        assert_eq!(request.results[0].answers.len(), 10);
        assert_eq!((scores[0].total, scores[0].band.as_deref()), (Some(9.0), Some("mild")));
        assert_eq!(scores[1].total, Some(7.0));
        assert_eq!(request.results[0].client_score, ClientScore::of(&scores[0]));
        assert!(is_critical(Some(phq(&c)), &scores[0]));
        assert!(!is_critical(Some(&c.instruments[1]), &scores[1]));
    }

    #[test]
    fn a_coded_submission_carries_its_access_code_and_guardian_consent() {
        let c = campaign();
        let mut r = Responses::new(&c);
        answer_all(&c, &mut r, 0);
        let consent = ConsentGiven { health: true, guardian: Some(true) };
        let (request, _) = build_submission(&c, &r, "k".into(), consent, Some("ABCDE12345".into())).unwrap();
        let json = serde_json::to_value(&request).unwrap();
        assert_eq!(json["consent"], serde_json::json!({"health": true, "guardian": true}));
        assert_eq!(json["access_code"], "ABCDE12345");
        let (request, _) = build_submission(&c, &r, "k".into(), CONSENT, None).unwrap();
        let json = serde_json::to_value(&request).unwrap();
        assert_eq!(json["consent"], serde_json::json!({"health": true, "guardian": null}));
        assert!(json.get("access_code").is_none(), "anonymous: no access_code field");
    }

    #[test]
    fn access_codes_are_read_as_typed_without_spaces_dashes_or_case() {
        assert_eq!(normalize_access_code("abcde-12345").as_deref(), Some("ABCDE12345"));
        assert_eq!(normalize_access_code(" ABCDE 12345 ").as_deref(), Some("ABCDE12345"));
        assert_eq!(normalize_access_code("ab-cd-e1-23-45").as_deref(), Some("ABCDE12345"));
        for bad in ["", "ABCDE1234", "ABCDE123456", "ABCDE_1234", "ABCDE1234é"] {
            assert_eq!(normalize_access_code(bad), None, "{bad}");
        }
    }

    #[test]
    fn pending_submission_round_trips_through_storage_text() {
        let c = campaign();
        let mut r = Responses::new(&c);
        answer_all(&c, &mut r, 0);
        let (request, _) = build_submission(&c, &r, "k1".into(), CONSENT, None).unwrap();
        let pending = Pending::new("DEMO".into(), &request);
        assert_eq!(pending.storage_key(), "xinan.outbox.v1.k1");
        let restored = Pending::decode(&pending.storage_key(), &pending.encode()).unwrap();
        assert_eq!(restored, pending);
        let body: SubmissionRequest = serde_json::from_str(&restored.body).unwrap();
        assert_eq!(body, request);
    }

    #[test]
    fn foreign_storage_entries_are_not_pending_submissions() {
        assert_eq!(Pending::decode("other.key", "DEMO\n{}"), None);
        assert_eq!(Pending::decode("xinan.outbox.v1.k", "no newline"), None);
        assert_eq!(Pending::decode("xinan.outbox.v1.", "DEMO\n{}"), None);
        assert_eq!(Pending::decode("xinan.outbox.v1.k", "DEMO\nnot json"), None);
    }

    #[test]
    fn retry_delay_doubles_up_to_five_minutes() {
        let delays: Vec<u32> = (1..=9).map(retry_delay_ms).collect();
        assert_eq!(delays, [5_000, 10_000, 20_000, 40_000, 80_000, 160_000, 300_000, 300_000, 300_000]);
    }

    #[test]
    fn uuid_has_version_4_and_rfc_variant() {
        let id = uuid_v4([0xff; 16]);
        assert_eq!(id, "ffffffff-ffff-4fff-bfff-ffffffffffff");
        let id = uuid_v4([0; 16]);
        assert_eq!(id, "00000000-0000-4000-8000-000000000000");
    }
}
