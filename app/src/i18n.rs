//! The two interface languages and every interface string, in one place.
//!
//! Questionnaire wording (items, options, bands) never lives here: it comes from the
//! definitions, whose translations are validated. These are only the page's own words.

#[cfg(not(feature = "staff"))]
use instruments::Locale;
use instruments::Text;
use leptos::prelude::*;

#[cfg(feature = "staff")]
mod staff;
#[cfg(feature = "staff")]
pub use staff::{ts, StaffPick};

/// An interface language.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Lang {
    /// Simplified Chinese.
    ZhHans,
    /// English.
    En,
}

impl Lang {
    /// The language tag used in definitions and in `<html lang>`.
    pub fn tag(self) -> &'static str {
        match self {
            Self::ZhHans => "zh-Hans",
            Self::En => "en",
        }
    }

    /// The language's name in itself, for the switch.
    pub fn name(self) -> &'static str {
        match self {
            Self::ZhHans => "中文",
            Self::En => "English",
        }
    }

    /// The interface language for a tag such as `zh-CN`, `zh-Hans` or `en-GB`.
    pub fn from_tag(tag: &str) -> Option<Self> {
        let primary = tag.split(['-', '_']).next().unwrap_or("");
        if primary.eq_ignore_ascii_case("zh") {
            Some(Self::ZhHans)
        } else if primary.eq_ignore_ascii_case("en") {
            Some(Self::En)
        } else {
            None
        }
    }

    /// The start language: Chinese when the browser prefers any Chinese, else English,
    /// limited to what the campaign offers (`offered` empty means no limit).
    pub fn choose(navigator: Option<&str>, offered: &[Self]) -> Self {
        let wanted = match navigator.and_then(Self::from_tag) {
            Some(Self::ZhHans) => Self::ZhHans,
            _ => Self::En,
        };
        if offered.is_empty() || offered.contains(&wanted) {
            wanted
        } else {
            offered[0]
        }
    }

    /// The interface strings.
    pub fn strings(self) -> &'static Strings {
        match self {
            Self::ZhHans => &ZH_HANS,
            Self::En => &EN,
        }
    }
}

thread_local! {
    /// The languages the switch offers, as bits of [`Lang::bit`]; all until a campaign
    /// says otherwise.
    static OFFERED: std::cell::Cell<u8> = const { std::cell::Cell::new(u8::MAX) };
}

impl Lang {
    fn bit(self) -> u8 {
        match self {
            Self::ZhHans => 1,
            Self::En => 2,
        }
    }

    /// Whether the language switch offers this language.
    pub fn is_offered(self) -> bool {
        OFFERED.get() & self.bit() != 0
    }
}

/// The interface languages a campaign's locales allow, in the campaign's order.
#[cfg(not(feature = "staff"))]
pub fn offered(locales: &[Locale]) -> Vec<Lang> {
    let mut langs = Vec::new();
    for lang in locales.iter().filter_map(|l| Lang::from_tag(l.as_str())) {
        if !langs.contains(&lang) {
            langs.push(lang);
        }
    }
    langs
}

/// A definition text in `lang`: the exact tag, else any tag of the same language,
/// else English (many instruments are English only), else whatever the text has.
pub fn text(text: &Text, lang: Lang) -> &str {
    let of = |lang: Lang| text.iter().find(move |(locale, _)| Lang::from_tag(locale.as_str()) == Some(lang));
    text.iter()
        .find(|(locale, _)| locale.as_str() == lang.tag())
        .or_else(|| of(lang))
        .or_else(|| of(Lang::En))
        .or_else(|| text.iter().next())
        .map_or("", |(_, s)| s.as_str())
}

/// A text the page owns (not `'static`) that follows the language switch.
#[cfg(feature = "staff")]
pub fn localized_owned(t: Text) -> Signal<String> {
    let ui = use_ui();
    Signal::derive(move || text(&t, ui.lang.get()).to_owned())
}

/// A definition text that follows the language switch.
pub fn localized(t: &'static Text) -> Signal<String> {
    let ui = use_ui();
    Signal::derive(move || text(t, ui.lang.get()).to_owned())
}

/// A total as shown: whole numbers without a fraction, others to two decimals; a
/// dash when the score could not be computed.
pub fn format_total(total: Option<f64>) -> String {
    let Some(total) = total else { return "–".to_owned() };
    if total.fract() == 0.0 && total.abs() < 1e15 {
        (total as i64).to_string()
    } else {
        // serde_json's float printer is linked in anyway; `format!("{:.2}")` would add
        // core's own.
        serde_json::to_string(&((total * 100.0).round() / 100.0)).unwrap_or_default()
    }
}

/// The campaign's crisis resources in `lang`, or the built-in ones when it gives none.
#[cfg(not(feature = "staff"))]
pub fn crisis_resources(resources: &Text, lang: Lang) -> String {
    let given = text(resources, lang).trim();
    if given.is_empty() {
        lang.strings().default_crisis.to_owned()
    } else {
        given.to_owned()
    }
}

/// Fills the `{n}` and `{m}` placeholders of an interface string.
pub fn fill(template: &str, n: usize, m: usize) -> String {
    template.replace("{n}", &n.to_string()).replace("{m}", &m.to_string())
}

/// The language signal shared by every component, installed once by the app shell.
///
/// Held in a thread-local rather than a Leptos context: it is one per page anyway,
/// it is then available in the separately mounted screening too, and each context
/// type costs wasm.
#[derive(Clone, Copy)]
pub struct Ui {
    /// The current language.
    pub lang: RwSignal<Lang>,
}

thread_local! {
    static UI: std::cell::Cell<Option<Ui>> = const { std::cell::Cell::new(None) };
}

impl Ui {
    /// Creates the language signal with the start language (call once, from the
    /// app's root so that the signal lives as long as the page).
    pub fn install(lang: Lang) {
        UI.set(Some(Self { lang: RwSignal::new(lang) }));
    }

    #[cfg(not(feature = "staff"))]
    /// Limits the languages to those of a campaign (none: no limit) and picks the
    /// current one again. Setting the language also re-renders the switch, which
    /// reads the offered set (kept outside the reactive graph: it changes once).
    pub fn offer(self, langs: &[Lang], navigator: Option<&str>) {
        if langs.is_empty() {
            return;
        }
        OFFERED.set(langs.iter().fold(0, |bits, l| bits | l.bit()));
        let current = self.lang.get_untracked();
        let lang = if langs.contains(&current) { current } else { Lang::choose(navigator, langs) };
        self.lang.set(lang);
    }
}

/// The shell's [`Ui`].
///
/// # Panics
/// Before [`Ui::install`].
pub fn use_ui() -> Ui {
    UI.get().expect("Ui::install runs before any component")
}

/// Picks one interface string, e.g. `|s| s.submit`.
pub type Pick = fn(&'static Strings) -> &'static str;

/// A reactive interface string: `{tr(|s| s.submit)}`. Every call returns the same
/// closure type, so the view code for it is compiled once, not once per string.
pub fn tr(pick: Pick) -> impl Fn() -> &'static str + Copy + Send + Sync + 'static {
    let ui = use_ui();
    move || pick(ui.lang.get().strings())
}

/// Every interface string of the respondent page (and those both apps share).
/// `{n}`/`{m}` are filled by [`fill`]. The staff app's own strings are
/// `StaffStrings`: kept apart so that they do not weigh on the respondent page.
// The staff app reads only the shared ones.
#[cfg_attr(feature = "staff", allow(dead_code))]
pub struct Strings {
    pub language: &'static str,
    pub loading: &'static str,
    pub not_found_title: &'static str,
    pub not_found_hint: &'static str,
    pub unknown_campaign: &'static str,
    pub offline: &'static str,
    pub load_failed: &'static str,
    pub retry: &'static str,
    pub not_open: &'static str,
    pub closed: &'static str,
    pub code_title: &'static str,
    pub access_hint: &'static str,
    pub code_length: &'static str,
    pub code_next: &'static str,
    pub consent_title: &'static str,
    pub consent_common: &'static str,
    pub consent_anonymous: &'static str,
    pub consent_coded: &'static str,
    pub consent_panel: &'static str,
    pub guardian: &'static str,
    pub agree: &'static str,
    pub decline: &'static str,
    pub declined: &'static str,
    pub help_title: &'static str,
    pub questions_title: &'static str,
    pub about_you: &'static str,
    pub progress: &'static str,
    pub missing: &'static str,
    pub submit: &'static str,
    pub optional: &'static str,
    pub results_title: &'static str,
    pub thanks: &'static str,
    pub total: &'static str,
    pub level: &'static str,
    pub not_scorable: &'static str,
    pub not_diagnosis: &'static str,
    pub sending: &'static str,
    pub code_label: &'static str,
    pub code_hint: &'static str,
    pub queued: &'static str,
    pub rejected: &'static str,
    pub unreadable: &'static str,
    pub crisis_lead: &'static str,
    pub again: &'static str,
    pub default_crisis: &'static str,
}

const ZH_HANS: Strings = Strings {
    language: "语言 / Language",
    loading: "正在加载…",
    not_found_title: "未找到",
    not_found_hint: "这个地址没有问卷。请使用学校或单位发给你的完整链接，格式类似 /c/代码。",
    unknown_campaign: "找不到这项筛查：链接可能有误，或筛查已结束。请核对链接。",
    offline: "无法连接服务器。请检查网络后重试。",
    load_failed: "加载失败：",
    retry: "重试",
    not_open: "这项测评将于 {d} 开始，目前还不能作答。",
    closed: "这项测评已经结束，不再接受作答。",
    code_title: "访问码",
    access_hint: "请输入学校发给你的 10 位访问码（空格、短横线和大小写都没关系）。",
    code_length: "访问码应为 10 位字母或数字。",
    code_next: "继续",
    consent_title: "开始前请阅读",
    consent_common: "你的回答属于健康信息，保存时不包含你的姓名，用于后续关怀和群体统计；统计中绝不显示人数过少的小组。如果你的回答引起关注，系统会记录发现关注的时间，以便心理老师及时回应；其他情况只记录日期，不记录时间。",
    consent_anonymous: "这次测评是匿名的：之后没有人能联系到你。如果你现在就需要帮助，请使用下面的求助资源。",
    consent_coded: "学校保存着每个访问码发给了谁。如果你的回答显示你可能有危险，心理老师可能会请学校联系你。",
    consent_panel: "学校保存着每个码是谁的。你每次测评都用同一个码，回答会按码跨次相连，一直保存到学校为你申请删除为止。如果你的回答显示你可能有危险，心理老师可能会请学校联系你。",
    guardian: "我的父母或监护人已同意我参加本次测评",
    agree: "同意并继续",
    decline: "不同意",
    declined: "你选择了不参加。没有发送或保存任何内容。",
    help_title: "需要帮助？",
    questions_title: "问卷",
    about_you: "基本信息",
    progress: "已回答 {n}/{m}",
    missing: "还有 {n} 题未回答，回答全部问题后才能提交。",
    submit: "提交",
    optional: "（选答）",
    results_title: "你的结果",
    thanks: "谢谢你，你的回答已收到。",
    total: "总分",
    level: "程度",
    not_scorable: "无法计分（未回答的题目过多）",
    not_diagnosis: "这只是筛查，不是诊断。",
    sending: "正在提交…",
    code_label: "你的答题编号：",
    code_hint: "这是一个随机编号，不包含你的任何个人信息。",
    queued: "已保存在本设备上，联网后会自动提交。请不要清除浏览器数据。",
    rejected: "服务器未接受这份答卷：",
    unreadable: "答卷已提交，但无法读取服务器的回复。",
    crisis_lead: "如果你有伤害自己的念头，请立即寻求帮助：",
    again: "为下一位作答者重新开始",
    default_crisis: "全国心理援助热线 12356；如有紧急危险请拨打 110 或 120。",
};

const EN: Strings = Strings {
    language: "Language / 语言",
    loading: "Loading…",
    not_found_title: "Not found",
    not_found_hint: "There is no questionnaire at this address. Use the full link your school or workplace gave you; it looks like /c/CODE.",
    unknown_campaign: "This screening does not exist: the link may be wrong, or the screening has ended. Please check the link.",
    offline: "Cannot reach the server. Check your connection and try again.",
    load_failed: "Loading failed: ",
    retry: "Retry",
    not_open: "This screening opens on {d}; it cannot be answered yet.",
    closed: "This screening has ended; answers are no longer taken.",
    code_title: "Access code",
    access_hint: "Enter the 10-character access code your school gave you (spaces, dashes and case do not matter).",
    code_length: "An access code has 10 letters or digits.",
    code_next: "Continue",
    consent_title: "Before you start",
    consent_common: "Your answers are health information. They are stored without your name and used for follow-up and for group statistics, in which small groups are never shown. If your answers raise a concern, the time it was raised is kept so that counselors can respond promptly; otherwise only the day is kept.",
    consent_anonymous: "This screening is anonymous: nobody can contact you afterwards. If you need help now, use these resources.",
    consent_coded: "Your school keeps a record of which code was given to whom. If your answers suggest you may be at risk, a counselor may ask the school to contact you.",
    consent_panel: "Your school keeps whose code is whose. You use the same code in every screening, so your answers are linked over time; they are kept until your school asks for them to be deleted. If your answers suggest you may be at risk, a counselor may ask the school to contact you.",
    guardian: "A parent or guardian has agreed that I take part",
    agree: "I agree",
    decline: "I do not agree",
    declined: "You chose not to take part. Nothing was sent or stored.",
    help_title: "Need help?",
    questions_title: "Questions",
    about_you: "About you",
    progress: "{n} of {m} answered",
    missing: "{n} question(s) left: answer every question to submit.",
    submit: "Submit",
    optional: " (optional)",
    results_title: "Your results",
    thanks: "Thank you: your answers were received.",
    total: "Score",
    level: "Level",
    not_scorable: "Not scorable (too many questions unanswered)",
    not_diagnosis: "This is a screening, not a diagnosis.",
    sending: "Sending your answers…",
    code_label: "Your respondent code: ",
    code_hint: "It is random and contains nothing about you.",
    queued: "Saved on this device; will be sent when you are back online. Please do not clear the browser's data.",
    rejected: "The server did not accept these answers: ",
    unreadable: "Your answers were sent, but the server's reply could not be read.",
    crisis_lead: "If you are thinking about hurting yourself, please get help now:",
    again: "Start again for the next person",
    default_crisis: "In the US call or text 988 (Suicide & Crisis Lifeline); in immediate danger call your local emergency number.",
};

#[cfg(test)]
mod tests {
    use super::*;
    use instruments::Locale;

    fn locales(tags: &[&str]) -> Vec<Locale> {
        tags.iter().map(|t| Locale::parse(t).unwrap()).collect()
    }

    #[test]
    fn browser_language_chooses_chinese_or_english() {
        assert_eq!(Lang::choose(Some("zh-CN"), &[]), Lang::ZhHans);
        assert_eq!(Lang::choose(Some("zh"), &[]), Lang::ZhHans);
        assert_eq!(Lang::choose(Some("ZH-hans"), &[]), Lang::ZhHans);
        assert_eq!(Lang::choose(Some("en-US"), &[]), Lang::En);
        assert_eq!(Lang::choose(Some("fr"), &[]), Lang::En);
        assert_eq!(Lang::choose(None, &[]), Lang::En);
    }

    #[test]
    fn language_choice_is_limited_to_the_campaign() {
        assert_eq!(Lang::choose(Some("zh-CN"), &[Lang::En]), Lang::En);
        assert_eq!(Lang::choose(Some("de"), &[Lang::ZhHans]), Lang::ZhHans);
        assert_eq!(Lang::choose(Some("en"), &[Lang::ZhHans, Lang::En]), Lang::En);
    }

    #[cfg(not(feature = "staff"))]
    #[test]
    fn offered_languages_follow_campaign_locales() {
        assert_eq!(offered(&locales(&["zh-Hans", "en"])), [Lang::ZhHans, Lang::En]);
        assert_eq!(offered(&locales(&["en", "en-GB", "fr"])), [Lang::En]);
    }

    #[test]
    fn text_falls_back_to_another_locale() {
        let t: Text = locales(&["en", "zh-Hans"]).into_iter().zip(["hi", "你好"].map(String::from)).collect();
        assert_eq!(text(&t, Lang::ZhHans), "你好");
        assert_eq!(text(&t, Lang::En), "hi");
        let only_en: Text = [(Locale::parse("en").unwrap(), "hi".to_owned())].into();
        assert_eq!(text(&only_en, Lang::ZhHans), "hi");
        assert_eq!(text(&Text::new(), Lang::En), "");
        // An instrument without the interface language: English before other languages.
        let de_en: Text = locales(&["de", "en"]).into_iter().zip(["Hallo", "hello"].map(String::from)).collect();
        assert_eq!(text(&de_en, Lang::ZhHans), "hello");
        let zh_hant: Text = [(Locale::parse("zh-Hant").unwrap(), "妳好".to_owned())].into();
        assert_eq!(text(&zh_hant, Lang::ZhHans), "妳好");
    }

    #[cfg(not(feature = "staff"))]
    #[test]
    fn campaign_languages_limit_the_switch_and_the_current_language() {
        Ui::install(Lang::En);
        assert!(Lang::ZhHans.is_offered() && Lang::En.is_offered());
        let ui = use_ui();
        ui.offer(&[Lang::ZhHans], Some("en-US"));
        assert_eq!(ui.lang.get_untracked(), Lang::ZhHans);
        assert!(Lang::ZhHans.is_offered());
        assert!(!Lang::En.is_offered());
    }

    #[test]
    fn totals_print_without_needless_fraction() {
        assert_eq!(format_total(Some(12.0)), "12");
        assert_eq!(format_total(Some(0.0)), "0");
        assert_eq!(format_total(Some(2.5)), "2.5");
        assert_eq!(format_total(Some(1.0 / 3.0)), "0.33");
        assert_eq!(format_total(None), "–");
    }

    #[cfg(not(feature = "staff"))]
    #[test]
    fn empty_crisis_text_uses_the_defaults() {
        assert_eq!(
            crisis_resources(&Text::new(), Lang::ZhHans),
            "全国心理援助热线 12356；如有紧急危险请拨打 110 或 120。"
        );
        assert!(crisis_resources(&Text::new(), Lang::En).contains("988"));
        let given: Text = [(Locale::parse("en").unwrap(), " Call 123 ".to_owned())].into();
        assert_eq!(crisis_resources(&given, Lang::En), "Call 123");
    }

    #[test]
    fn both_languages_name_the_submit_button_as_tests_expect() {
        assert_eq!(Lang::ZhHans.strings().submit, "提交");
        assert_eq!(Lang::En.strings().submit, "Submit");
        assert_eq!(fill(Lang::En.strings().progress, 3, 17), "3 of 17 answered");
    }
}
