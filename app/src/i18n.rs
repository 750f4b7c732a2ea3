//! The two interface languages and every interface string, in one place.
//!
//! Questionnaire wording (items, options, bands) never lives here: it comes from the
//! definitions, whose translations are validated. These are only the page's own words.

use instruments::{Locale, Text};
use leptos::prelude::*;

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

/// The campaign's crisis resources in `lang`, or the built-in ones when it gives none.
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

/// Every interface string. `{n}`/`{m}` are filled by [`fill`].
pub struct Strings {
    pub language: &'static str,
    pub loading: &'static str,
    pub not_found_title: &'static str,
    pub not_found_hint: &'static str,
    pub unknown_campaign: &'static str,
    pub offline: &'static str,
    pub load_failed: &'static str,
    pub retry: &'static str,
    pub privacy_title: &'static str,
    pub privacy: [&'static str; 3],
    pub help_title: &'static str,
    pub start: &'static str,
    pub questions_title: &'static str,
    pub about_you: &'static str,
    pub progress: &'static str,
    pub missing: &'static str,
    pub submit: &'static str,
    pub optional: &'static str,
    pub results_title: &'static str,
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
    // The reference page `/instruments`.
    pub reference_title: &'static str,
    pub reference_intro: &'static str,
    pub contents: &'static str,
    pub f_id: &'static str,
    pub f_population: &'static str,
    pub f_items: &'static str,
    pub f_recall: &'static str,
    pub f_scoring: &'static str,
    pub f_bands: &'static str,
    pub f_cutoff: &'static str,
    pub f_missing: &'static str,
    pub f_licence: &'static str,
    pub f_citations: &'static str,
    pub f_languages: &'static str,
    /// `Group` in declaration order: child, adolescent, adult.
    pub groups: [&'static str; 3],
    pub ages_from: &'static str,
    pub ages_range: &'static str,
    /// `Informant` in declaration order: self-report, parent.
    pub informant: [&'static str; 2],
    pub sum_of: &'static str,
    pub mean_of: &'static str,
    pub reversed: &'static str,
    pub then: &'static str,
    /// `Direction` in declaration order: higher is worse, higher is better.
    pub direction: [&'static str; 2],
    pub cut_total: &'static str,
    pub cut_item: &'static str,
    pub cut_any: &'static str,
    pub cut_none: &'static str,
    pub missing_none: &'static str,
    pub missing_prorate: &'static str,
    pub missing_rounded: &'static str,
    pub missing_lowest: &'static str,
    pub missing_more: &'static str,
    pub checked: &'static str,
    /// Between the parts of a sentence, between list entries, before a value.
    pub sep: &'static str,
    pub list_sep: &'static str,
    pub colon: &'static str,
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
    privacy_title: "你的隐私",
    privacy: [
        "你的回答是匿名的。我们不会保存你的姓名、IP 地址或具体作答时间，只保存分组问题（如年级）的回答、问卷的回答、得分和作答日期。",
        "提交后你会得到一个随机的答题编号。",
        "没有人能根据这份答卷联系到你——所以如果你需要帮助，请主动使用下面的求助资源。",
    ],
    help_title: "需要帮助？",
    start: "开始",
    questions_title: "问卷",
    about_you: "基本信息",
    progress: "已回答 {n}/{m}",
    missing: "还有 {n} 题未回答，回答全部问题后才能提交。",
    submit: "提交",
    optional: "（选答）",
    results_title: "你的结果",
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
    reference_title: "量表一览",
    reference_intro: "本服务提供的全部量表：适用人群、计分方法、分级、授权与参考文献。筛查结果不是诊断。",
    contents: "目录",
    f_id: "标识与版本",
    f_population: "适用人群",
    f_items: "题目数",
    f_recall: "回顾时段",
    f_scoring: "计分方法",
    f_bands: "分数分级",
    f_cutoff: "筛查阳性标准",
    f_missing: "缺答处理",
    f_licence: "授权",
    f_citations: "参考文献",
    f_languages: "语言",
    groups: ["儿童", "青少年", "成人"],
    ages_from: "{n} 岁及以上",
    ages_range: "{n}–{m} 岁",
    informant: ["本人填写", "由家长或照料者填写"],
    sum_of: "{n} 题得分相加",
    mean_of: "{n} 题得分的平均值",
    reversed: "其中 {n} 题反向计分",
    then: "再 ",
    direction: ["分数越高越严重", "分数越高越好"],
    cut_total: "总分",
    cut_item: "第 {n} 题",
    cut_any: "第 {n} 题中任一题",
    cut_none: "未规定",
    missing_none: "所有计分题目都须作答，否则无法计分",
    missing_prorate: "最多可缺 {n} 题，按比例折算",
    missing_rounded: "并四舍五入取整",
    missing_lowest: "最多可缺 {n} 题，缺答按最低选项计分",
    missing_more: "；缺答更多则无法计分",
    checked: "核实日期：",
    sep: "；",
    list_sep: "、",
    colon: "：",
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
    privacy_title: "Your privacy",
    privacy: [
        "Your answers are anonymous. We do not store your name, your IP address or the exact time; we keep only your answers to the group questions (such as grade), your answers to the questionnaires, the scores and the day.",
        "When you submit you get a random respondent code.",
        "Nobody can contact you from these answers, so if you need help, please reach out yourself using these resources.",
    ],
    help_title: "Need help?",
    start: "Start",
    questions_title: "Questions",
    about_you: "About you",
    progress: "{n} of {m} answered",
    missing: "{n} question(s) left: answer every question to submit.",
    submit: "Submit",
    optional: " (optional)",
    results_title: "Your results",
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
    reference_title: "Instruments",
    reference_intro: "Every questionnaire this service offers: who it is for, how it is scored, its bands, licence and references. A screening result is not a diagnosis.",
    contents: "Contents",
    f_id: "ID and version",
    f_population: "Population",
    f_items: "Items",
    f_recall: "Recall period",
    f_scoring: "Scoring",
    f_bands: "Score bands",
    f_cutoff: "Positive screen",
    f_missing: "Missing answers",
    f_licence: "Licence",
    f_citations: "References",
    f_languages: "Languages",
    groups: ["children", "adolescents", "adults"],
    ages_from: "aged {n} and over",
    ages_range: "aged {n}–{m}",
    informant: ["self-report", "filled in by a parent or carer"],
    sum_of: "Sum of {n} items",
    mean_of: "Mean of {n} items",
    reversed: "{n} reverse-scored",
    then: "then ",
    direction: ["higher is worse", "higher is better"],
    cut_total: "Total score",
    cut_item: "Item {n}",
    cut_any: "Any of items {n}",
    cut_none: "Not defined",
    missing_none: "Every scored item must be answered, otherwise not scorable",
    missing_prorate: "At most {n} unanswered: the score is prorated",
    missing_rounded: " and rounded to a whole number",
    missing_lowest: "At most {n} unanswered: each counts as the lowest option",
    missing_more: "; more unanswered: not scorable",
    checked: "Checked: ",
    sep: "; ",
    list_sep: ", ",
    colon: ": ",
};

#[cfg(test)]
mod tests {
    use super::*;

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
