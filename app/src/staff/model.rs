//! The staff app's logic as plain types, tested natively: the address, what a role
//! may see, the campaign form, and how times read.

use std::collections::BTreeMap;

use instruments::definition::{Definition, Locale, Text};
use instruments::wire::staff::{Anonymity, CampaignSpec, InstrumentRef, Role, SessionInfo};
use instruments::wire::{CohortAttribute, ResultVisibility};

use crate::i18n::{Lang, StaffPick};

/// What the address bar asks for.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Route {
    /// `/staff`: the organizations (and sign-in).
    Home,
    /// `/staff/org/{id}`.
    Org(i64),
    /// `/staff/org/{id}/new-campaign`.
    NewCampaign(i64),
    /// `/staff/org/{id}/campaign/{code}`.
    Campaign(i64, String),
    /// `/staff/case/{id}`.
    Case(i64),
    /// `/staff/invitation/{token}`: no session needed.
    Invitation(String),
    /// `/staff/audit`: the platform's audit log.
    Audit,
    /// `/staff/org/{id}/reports`: an organization's population reports.
    Reports(i64),
    /// `/staff/district`: the district roll-up (platform admins).
    District,
    /// `/staff/platform`: warning levels and referral destinations.
    Platform,
    /// `/instruments`: every instrument, public.
    Reference,
    /// Anything else.
    NotFound,
}

/// Letters, digits, `-` and `_`, 1–128 of them: safe to put back into an API path.
fn is_token(s: &str) -> bool {
    !s.is_empty() && s.len() <= 128 && s.bytes().all(|b| b.is_ascii_alphanumeric() || b == b'-' || b == b'_')
}

impl Route {
    /// Reads a `location.pathname`.
    pub fn parse(path: &str) -> Self {
        let path = if path.len() > 1 { path.strip_suffix('/').unwrap_or(path) } else { path };
        if path == "/instruments" {
            return Self::Reference;
        }
        let Some(rest) = path.strip_prefix("/staff").filter(|r| r.is_empty() || r.starts_with('/')) else {
            return Self::NotFound;
        };
        let parts: Vec<&str> = rest.split('/').skip(1).collect();
        let id = |s: &str| s.parse::<i64>().ok().filter(|id| *id > 0);
        let route = match parts.as_slice() {
            [] => Some(Self::Home),
            ["audit"] => Some(Self::Audit),
            ["district"] => Some(Self::District),
            ["platform"] => Some(Self::Platform),
            ["org", org, "reports"] => id(org).map(Self::Reports),
            ["org", org] => id(org).map(Self::Org),
            ["org", org, "new-campaign"] => id(org).map(Self::NewCampaign),
            ["org", org, "campaign", code] if is_token(code) => {
                id(org).map(|org| Self::Campaign(org, (*code).to_owned()))
            }
            ["case", case] => id(case).map(Self::Case),
            ["invitation", token] if is_token(token) => Some(Self::Invitation((*token).to_owned())),
            _ => None,
        };
        route.unwrap_or(Self::NotFound)
    }
}

/// The sections of an organization's page a person may see.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct Access {
    /// Campaigns and access codes.
    pub campaigns: bool,
    /// The follow-up queue and cases.
    pub cases: bool,
    /// Members and invitations.
    pub members: bool,
    /// The organization's audit log.
    pub audit: bool,
    /// Follow-up figures.
    pub figures: bool,
    /// Population reports (platform and organization administrators).
    pub reports: bool,
    /// The raw-data export (the organization's own administrators only).
    pub raw_data: bool,
}

impl Access {
    /// What `session` may see of organization `org` (the server checks again).
    pub fn of(session: &SessionInfo, org: i64) -> Self {
        let mut roles: Vec<Role> =
            session.memberships.iter().filter(|m| m.organization.id == org).map(|m| m.role).collect();
        if session.platform_admin {
            roles.push(Role::PlatformAdmin);
        }
        let any = |wanted: &[Role]| roles.iter().any(|r| wanted.contains(r));
        let admin = any(&[Role::PlatformAdmin, Role::OrgAdmin]);
        Self {
            campaigns: admin,
            cases: any(&[Role::PlatformAdmin, Role::Counselor]),
            members: admin,
            audit: admin,
            figures: !roles.is_empty(),
            reports: admin,
            raw_data: any(&[Role::OrgAdmin]),
        }
    }
}

/// One cohort question being edited.
#[derive(Clone, Debug, Default, PartialEq)]
pub struct CohortDraft {
    /// Attribute id, e.g. `grade`.
    pub id: String,
    /// Question in Chinese.
    pub label_zh: String,
    /// Question in English.
    pub label_en: String,
    /// Allowed values, comma-separated.
    pub values: String,
}

/// The campaign form as typed: strings and switches, turned into a
/// [`CampaignSpec`] by [`CampaignDraft::to_spec`].
#[derive(Clone, Debug, Default, PartialEq)]
pub struct CampaignDraft {
    pub code: String,
    pub name_zh: String,
    pub name_en: String,
    /// Chosen instrument ids.
    pub instruments: Vec<String>,
    pub cohort: Vec<CohortDraft>,
    pub opens_on: String,
    pub closes_on: String,
    pub zh: bool,
    pub en: bool,
    pub crisis_zh: String,
    pub crisis_en: String,
    pub anonymity: Anonymity,
    /// `full`, `band`, `none`, or empty for the server's default by age.
    pub result_visibility: String,
    pub min_group_size: String,
    pub consent_zh: String,
    pub consent_en: String,
    pub min_age: String,
    pub max_age: String,
    pub guardian_consent: bool,
}

/// A problem with the form found before sending: the field's key and the message.
pub type DraftError = (&'static str, StaffPick);

fn zh() -> Locale {
    Locale::parse("zh-Hans").expect("valid tag")
}

fn en() -> Locale {
    Locale::parse("en").expect("valid tag")
}

/// A text from its Chinese and English versions, leaving out empty ones.
pub fn text_of(zh_text: &str, en_text: &str) -> Text {
    let mut text = Text::new();
    for (locale, value) in [(zh(), zh_text.trim()), (en(), en_text.trim())] {
        if !value.is_empty() {
            text.insert(locale, value.to_owned());
        }
    }
    text
}

fn get(text: &Text, locale: &Locale) -> String {
    text.get(locale).cloned().unwrap_or_default()
}

/// Values separated by commas (ASCII or Chinese), trimmed, without empty ones.
pub fn split_values(values: &str) -> Vec<String> {
    values.split([',', '，', '、']).map(str::trim).filter(|v| !v.is_empty()).map(str::to_owned).collect()
}

impl CampaignDraft {
    /// A new campaign: both languages, open link, groups of at least 10, the default
    /// crisis resources, open from `opens_on` to `closes_on`.
    pub fn new(opens_on: String, closes_on: String) -> Self {
        Self {
            opens_on,
            closes_on,
            zh: true,
            en: true,
            crisis_zh: Lang::ZhHans.strings().default_crisis.to_owned(),
            crisis_en: Lang::En.strings().default_crisis.to_owned(),
            min_group_size: "10".to_owned(),
            cohort: vec![CohortDraft::default()],
            ..Self::default()
        }
    }

    /// The form filled with a stored campaign.
    pub fn from_spec(spec: &CampaignSpec) -> Self {
        let (zh, en) = (zh(), en());
        Self {
            code: spec.code.clone(),
            name_zh: get(&spec.name, &zh),
            name_en: get(&spec.name, &en),
            instruments: spec.instruments.iter().map(|i| i.id.clone()).collect(),
            cohort: spec
                .cohort
                .iter()
                .map(|a| CohortDraft {
                    id: a.id.clone(),
                    label_zh: get(&a.label, &zh),
                    label_en: get(&a.label, &en),
                    values: a.values.join(", "),
                })
                .collect(),
            opens_on: spec.opens_on.clone(),
            closes_on: spec.closes_on.clone(),
            zh: spec.locales.contains(&zh),
            en: spec.locales.contains(&en),
            crisis_zh: get(&spec.crisis_resources, &zh),
            crisis_en: get(&spec.crisis_resources, &en),
            anonymity: spec.anonymity,
            result_visibility: spec.result_visibility.map(|v| v.as_str().to_owned()).unwrap_or_default(),
            min_group_size: spec.min_group_size.to_string(),
            consent_zh: get(&spec.consent, &zh),
            consent_en: get(&spec.consent, &en),
            min_age: spec.min_age.to_string(),
            max_age: spec.max_age.to_string(),
            guardian_consent: spec.guardian_consent,
        }
    }

    /// The request body, or the first field that cannot be sent as typed. Instruments
    /// follow the library's order; their versions come from `library`. Everything
    /// else (dates, ages against instruments, …) the server checks.
    ///
    /// # Errors
    /// The field key and message of the first problem.
    pub fn to_spec(&self, library: &[Definition]) -> Result<CampaignSpec, DraftError> {
        let number = |value: &str, key: &'static str| value.trim().parse::<u32>().map_err(|_| (key, number_pick()));
        let min_age = number(&self.min_age, "min_age")?;
        let max_age = number(&self.max_age, "max_age")?;
        let age = |n: u32, key| u8::try_from(n).map_err(|_| (key, number_pick()));
        let instruments = library
            .iter()
            .filter(|d| self.instruments.contains(&d.id))
            .map(|d| InstrumentRef { id: d.id.clone(), version: d.version.clone() })
            .collect();
        let mut locales = Vec::new();
        if self.zh {
            locales.push(zh());
        }
        if self.en {
            locales.push(en());
        }
        let cohort = self
            .cohort
            .iter()
            .filter(|c| !(c.id.trim().is_empty() && c.values.trim().is_empty()))
            .map(|c| CohortAttribute {
                id: c.id.trim().to_owned(),
                label: text_of(&c.label_zh, &c.label_en),
                values: split_values(&c.values),
            })
            .collect();
        Ok(CampaignSpec {
            code: self.code.trim().to_ascii_uppercase(),
            name: text_of(&self.name_zh, &self.name_en),
            instruments,
            cohort,
            opens_on: self.opens_on.clone(),
            closes_on: self.closes_on.clone(),
            locales,
            crisis_resources: text_of(&self.crisis_zh, &self.crisis_en),
            anonymity: self.anonymity,
            result_visibility: ResultVisibility::parse(&self.result_visibility),
            min_group_size: number(&self.min_group_size, "min_group_size")?,
            consent: text_of(&self.consent_zh, &self.consent_en),
            min_age: age(min_age, "min_age")?,
            max_age: age(max_age, "max_age")?,
            guardian_consent: self.guardian_consent,
        })
    }
}

fn number_pick() -> StaffPick {
    |s| s.not_a_number
}

/// The form field a server error names: `cohort[1].values` → `cohort`,
/// `name.en` → `name`.
pub fn field_key(field: &str) -> &str {
    field.split(['.', '[']).next().unwrap_or(field)
}

/// Validated ages of an instrument: `12+` or `8–11`.
pub fn ages(d: &Definition) -> String {
    match d.population.max_age {
        Some(max) => format!("{}–{max}", d.population.min_age),
        None => format!("{}+", d.population.min_age),
    }
}

/// Days since 1970-01-01 → (year, month, day), proleptic Gregorian (Howard Hinnant's
/// `civil_from_days`).
fn civil(days: i64) -> (i64, u32, u32) {
    let z = days + 719_468;
    let era = z.div_euclid(146_097);
    let doe = z.rem_euclid(146_097);
    let yoe = (doe - doe / 1460 + doe / 36_524 - doe / 146_096) / 365;
    let doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    let mp = (5 * doy + 2) / 153;
    let day = (doy - (153 * mp + 2) / 5 + 1) as u32;
    let month = if mp < 10 { mp + 3 } else { mp - 9 } as u32;
    (yoe + era * 400 + i64::from(month <= 2), month, day)
}

/// A day `YYYY-MM-DD` (UTC) of a time in seconds since the epoch.
pub fn day_of(secs: i64) -> String {
    let (y, m, d) = civil(secs.div_euclid(86_400));
    format!("{y:04}-{m:02}-{d:02}")
}

/// A time as `YYYY-MM-DD HH:MM UTC`.
pub fn format_time(secs: i64) -> String {
    let minutes = secs.rem_euclid(86_400) / 60;
    format!("{} {:02}:{:02} UTC", day_of(secs), minutes / 60, minutes % 60)
}

/// How long ago `then` was at `now` (both in seconds): "12 min ago", "3 h ago",
/// "2 d ago" (hours up to two days, so "30 h" still reads as "more than a day").
pub fn ago(now: i64, then: i64, lang: Lang) -> String {
    let s = lang.staff();
    let secs = (now - then).max(0);
    let (n, unit) = match secs {
        s if s < 3_600 => (s / 60, 0),
        s if s < 48 * 3_600 => (s / 3_600, 1),
        s => (s / 86_400, 2),
    };
    s.ago[unit].replace("{n}", &n.to_string())
}

/// Cohort values as `grade 8, class B`.
pub fn cohort_line(cohort: &BTreeMap<String, String>) -> String {
    let parts: Vec<String> = cohort.iter().map(|(k, v)| format!("{k} {v}")).collect();
    parts.join(", ")
}

/// Which report the dashboard asks for.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum ReportKind {
    /// One campaign, grouped by 0–2 cohort attributes.
    Campaign { code: String, by: Vec<String> },
    /// Several waves, oldest first.
    Trend(Vec<String>),
    /// The district roll-up.
    Platform,
}

/// `s` for a query string: unreserved characters as they are, other bytes as `%XX`.
fn query_escape(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    for b in s.bytes() {
        if b.is_ascii_alphanumeric() || matches!(b, b'-' | b'_' | b'.' | b'~') {
            out.push(char::from(b));
        } else {
            out.push_str(&format!("%{b:02X}"));
        }
    }
    out
}

/// The report language's query value.
pub fn report_lang(lang: Lang) -> &'static str {
    match lang {
        Lang::ZhHans => "zh",
        Lang::En => "en",
    }
}

impl ReportKind {
    /// Its address in `format` (`json`, `csv`, `xlsx`, `html`) and `lang`.
    pub fn url(&self, format: &str, lang: Lang) -> String {
        let tail = format!("format={format}&lang={}", report_lang(lang));
        match self {
            Self::Campaign { code, by } => {
                let by: String = by.iter().map(|b| format!("by={}&", query_escape(b))).collect();
                format!("/api/v1/reports/campaigns/{}?{by}{tail}", query_escape(code))
            }
            Self::Trend(codes) => {
                let codes: Vec<String> = codes.iter().map(|c| query_escape(c)).collect();
                format!("/api/v1/reports/trend?campaigns={}&{tail}", codes.join(","))
            }
            Self::Platform => format!("/api/v1/reports/platform?{tail}"),
        }
    }
}

/// Address of a campaign's raw data (one CSV line per submission).
pub fn raw_data_url(code: &str) -> String {
    format!("/api/v1/reports/campaigns/{}/responses.csv", query_escape(code))
}

/// The inside of a printable report page's `<main>` (else of its `<body>`, else the
/// whole text): what the dashboard shows of it.
pub fn report_body(html: &str) -> &str {
    for tag in ["main", "body"] {
        let open = format!("<{tag}");
        let close = format!("</{tag}>");
        if let Some(start) = html.find(&open) {
            let rest = &html[start..];
            if let (Some(gt), Some(end)) = (rest.find('>'), rest.rfind(&close)) {
                if gt < end {
                    return &rest[gt + 1..end];
                }
            }
        }
    }
    html
}

/// A share as a percentage with at most one decimal: `0.2436` → `24.4%`.
pub fn percent(share: f64) -> String {
    format!("{}%", crate::i18n::format_total(Some((share * 1000.0).round() / 10.0)))
}

/// A change of a share in percentage points, signed: `0.031` → `+3.1`.
pub fn points(change: f64) -> String {
    let value = (change * 1000.0).round() / 10.0;
    let sign = if value > 0.0 {
        "+"
    } else if value < 0.0 {
        "−"
    } else {
        "±"
    };
    format!("{sign}{}", crate::i18n::format_total(Some(value.abs())))
}

#[cfg(test)]
mod tests {
    use super::*;
    use instruments::wire::staff::{Membership, Organization, OrganizationKind};

    #[test]
    fn routes_read_staff_addresses() {
        assert_eq!(Route::parse("/staff"), Route::Home);
        assert_eq!(Route::parse("/staff/"), Route::Home);
        assert_eq!(Route::parse("/staff/org/3"), Route::Org(3));
        assert_eq!(Route::parse("/staff/org/3/new-campaign"), Route::NewCampaign(3));
        assert_eq!(Route::parse("/staff/org/3/campaign/SPRING-7"), Route::Campaign(3, "SPRING-7".into()));
        assert_eq!(Route::parse("/staff/case/12"), Route::Case(12));
        assert_eq!(Route::parse("/staff/invitation/abc_DEF-1"), Route::Invitation("abc_DEF-1".into()));
        assert_eq!(Route::parse("/staff/audit"), Route::Audit);
        assert_eq!(Route::parse("/staff/district"), Route::District);
        assert_eq!(Route::parse("/staff/platform"), Route::Platform);
        assert_eq!(Route::parse("/staff/org/3/reports/"), Route::Reports(3));
        assert_eq!(Route::parse("/instruments"), Route::Reference);
        assert_eq!(Route::parse("/instruments/"), Route::Reference);
        for path in ["/", "/staffx", "/staff/org/x", "/staff/org/-1", "/staff/case/", "/staff/org/1/campaign/a%20b"] {
            assert_eq!(Route::parse(path), Route::NotFound, "{path}");
        }
    }

    fn session(platform_admin: bool, roles: &[(i64, Role)]) -> SessionInfo {
        SessionInfo {
            email: "a@example.org".into(),
            platform_admin,
            memberships: roles
                .iter()
                .map(|(id, role)| Membership {
                    organization: Organization { id: *id, name: "S".into(), kind: OrganizationKind::School },
                    role: *role,
                })
                .collect(),
            csrf_token: "t".into(),
        }
    }

    #[test]
    fn each_role_sees_its_sections() {
        let counselor = Access::of(&session(false, &[(1, Role::Counselor)]), 1);
        let counselor_sees = Access { cases: true, figures: true, ..Access::default() };
        assert_eq!(counselor, counselor_sees);
        let admin = Access::of(&session(false, &[(1, Role::OrgAdmin)]), 1);
        let admin_sees = Access {
            campaigns: true,
            members: true,
            audit: true,
            figures: true,
            reports: true,
            raw_data: true,
            ..Access::default()
        };
        assert_eq!(admin, admin_sees);
        let platform = Access::of(&session(true, &[]), 7);
        assert_eq!(platform, Access { raw_data: false, cases: true, ..admin_sees });
        assert_eq!(Access::of(&session(false, &[(1, Role::OrgAdmin)]), 2), Access::default());
        let both = Access::of(&session(false, &[(1, Role::OrgAdmin), (1, Role::Counselor)]), 1);
        assert!(both.cases && both.campaigns);
    }

    fn library() -> Vec<Definition> {
        ["phq9", "gad7"].map(|id| instruments::library::get(id).unwrap().clone()).to_vec()
    }

    #[test]
    fn a_new_campaign_draft_becomes_the_spec_the_server_expects() {
        let mut draft = CampaignDraft::new("2026-05-01".into(), "2026-05-31".into());
        draft.code = " spring-7 ".into();
        draft.name_zh = "春季测评".into();
        draft.name_en = "Spring screening".into();
        draft.instruments = vec!["gad7".into(), "phq9".into()];
        draft.cohort = vec![CohortDraft {
            id: "grade".into(),
            label_zh: "年级".into(),
            label_en: "Grade".into(),
            values: "7, 8，9,".into(),
        }];
        draft.anonymity = Anonymity::Coded;
        draft.result_visibility = "band".into();
        draft.min_age = "13".into();
        draft.max_age = "15".into();
        let spec = draft.to_spec(&library()).unwrap();
        assert_eq!(spec.code, "SPRING-7");
        assert_eq!(spec.instruments.iter().map(|i| i.id.as_str()).collect::<Vec<_>>(), ["phq9", "gad7"]);
        assert_eq!(spec.cohort[0].values, ["7", "8", "9"]);
        assert_eq!(spec.cohort[0].label.get(&en()).map(String::as_str), Some("Grade"));
        assert_eq!(spec.locales, [zh(), en()]);
        assert_eq!(spec.anonymity, Anonymity::Coded);
        assert_eq!(spec.result_visibility, Some(ResultVisibility::Band));
        assert_eq!((spec.min_age, spec.max_age, spec.min_group_size), (13, 15, 10));
        assert!(spec.consent.is_empty(), "no empty texts are sent");
        assert!(get(&spec.crisis_resources, &zh()).contains("12356"));
        // And back: editing shows what was stored.
        let again = CampaignDraft::from_spec(&spec);
        assert_eq!(again.to_spec(&library()).unwrap(), spec);
    }

    #[test]
    fn numbers_that_are_not_numbers_are_pointed_at() {
        let mut draft = CampaignDraft::new(String::new(), String::new());
        draft.min_age = "13".into();
        draft.max_age = "fifteen".into();
        assert_eq!(draft.to_spec(&[]).unwrap_err().0, "max_age");
        draft.max_age = "300".into();
        assert_eq!(draft.to_spec(&[]).unwrap_err().0, "max_age");
        draft.max_age = "15".into();
        draft.min_group_size = "".into();
        assert_eq!(draft.to_spec(&[]).unwrap_err().0, "min_group_size");
    }

    #[test]
    fn server_fields_map_to_form_fields() {
        assert_eq!(field_key("cohort[1].values"), "cohort");
        assert_eq!(field_key("name.en"), "name");
        assert_eq!(field_key("instruments"), "instruments");
    }

    #[test]
    fn times_read_in_utc_and_relative() {
        assert_eq!(format_time(0), "1970-01-01 00:00 UTC");
        assert_eq!(format_time(1_777_777_777), "2026-05-03 03:09 UTC");
        assert_eq!(day_of(951_782_400), "2000-02-29");
        assert_eq!(ago(1_000_000, 1_000_000 - 720, Lang::En), "12 min ago");
        assert_eq!(ago(1_000_000, 1_000_000 - 3 * 3_600 - 5, Lang::En), "3 h ago");
        assert_eq!(ago(1_000_000, 1_000_000 - 3 * 86_400, Lang::ZhHans), "3 天前");
        assert_eq!(ago(1_000_000, 1_000_010, Lang::En), "0 min ago");
    }

    #[test]
    fn report_addresses_carry_the_choices() {
        let campaign = ReportKind::Campaign { code: "DEMO".into(), by: vec!["grade".into(), "a b".into()] };
        assert_eq!(
            campaign.url("csv", Lang::En),
            "/api/v1/reports/campaigns/DEMO?by=grade&by=a%20b&format=csv&lang=en"
        );
        let everyone = ReportKind::Campaign { code: "DEMO".into(), by: vec![] };
        assert_eq!(everyone.url("json", Lang::ZhHans), "/api/v1/reports/campaigns/DEMO?format=json&lang=zh");
        let trend = ReportKind::Trend(vec!["SPRING".into(), "AUTUMN".into()]);
        assert_eq!(trend.url("html", Lang::En), "/api/v1/reports/trend?campaigns=SPRING,AUTUMN&format=html&lang=en");
        assert_eq!(ReportKind::Platform.url("xlsx", Lang::ZhHans), "/api/v1/reports/platform?format=xlsx&lang=zh");
        assert_eq!(raw_data_url("DEMO"), "/api/v1/reports/campaigns/DEMO/responses.csv");
    }

    #[test]
    fn the_report_page_is_cut_to_its_main() {
        let page = "<!doctype html><html><head><title>t</title></head>\n<body><main class=\"report\">\n<h1>R</h1><svg class=\"chart\"></svg></main></body></html>\n";
        assert_eq!(report_body(page), "\n<h1>R</h1><svg class=\"chart\"></svg>");
        assert_eq!(report_body("<body class=\"x\"><p>a</p></body>"), "<p>a</p>");
        assert_eq!(report_body("<p>plain</p>"), "<p>plain</p>");
    }

    #[test]
    fn shares_read_as_percentages_and_points() {
        assert_eq!(percent(0.24), "24%");
        assert_eq!(percent(0.24361), "24.4%");
        assert_eq!(percent(1.0), "100%");
        assert_eq!(points(0.031), "+3.1");
        assert_eq!(points(-0.05), "−5");
        assert_eq!(points(0.0), "±0");
    }

    #[test]
    fn instrument_ages_read_as_ranges() {
        let phq9 = instruments::library::get("phq9").unwrap();
        assert_eq!(ages(phq9), "12+");
    }
}
