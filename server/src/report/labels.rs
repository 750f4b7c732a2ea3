//! The language of a rendered report, and every heading and sentence the renderers
//! (CSV, XLSX, printable HTML) share, in Chinese and English.

use std::collections::BTreeMap;

use instruments::wire::report::{ChiSquareTest, Difference, InstrumentSection, Report, Scope};
use instruments::Text;

/// The language a report is rendered in.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Lang {
    /// Simplified Chinese (`zh-Hans`).
    Zh,
    /// English (`en`).
    En,
}

impl Lang {
    /// `zh`, `zh-Hans`, `zh-CN`, … are Chinese; `en`, `en-GB`, … English; anything
    /// else is `None`.
    pub fn parse(tag: &str) -> Option<Self> {
        let primary = tag.split(['-', '_']).next().unwrap_or_default().to_ascii_lowercase();
        match primary.as_str() {
            "zh" => Some(Self::Zh),
            "en" => Some(Self::En),
            _ => None,
        }
    }

    /// The locale tag of instrument and campaign texts (and of `<html lang>`).
    pub fn locale(self) -> &'static str {
        match self {
            Self::Zh => "zh-Hans",
            Self::En => "en",
        }
    }

    /// The other language.
    pub fn other(self) -> Self {
        match self {
            Self::Zh => Self::En,
            Self::En => Self::Zh,
        }
    }

    fn pick<'a>(self, zh: &'a str, en: &'a str) -> &'a str {
        match self {
            Self::Zh => zh,
            Self::En => en,
        }
    }
}

/// A text in `lang`, else in the other language, else in any locale it has.
pub fn text(text: &Text, lang: Lang) -> Option<&str> {
    let by_tag = |tag: &str| text.iter().find(|(l, _)| l.as_str() == tag).map(|(_, s)| s.as_str());
    by_tag(lang.locale()).or_else(|| by_tag(lang.other().locale())).or_else(|| text.values().next().map(String::as_str))
}

/// The title of a section (its id when it has no title).
pub fn instrument_title(section: &InstrumentSection, lang: Lang) -> String {
    text(&section.title, lang).unwrap_or(&section.instrument).to_owned()
}

/// The title of the report.
pub fn report_title(lang: Lang) -> &'static str {
    lang.pick("心理健康筛查报告", "Mental-health screening report")
}

/// What the report covers, in one line.
pub fn scope(scope: &Scope, lang: Lang) -> String {
    match (scope, lang) {
        (Scope::Campaign { code, name, .. }, Lang::Zh) => {
            format!("测评活动：{}（{code}）", text(name, lang).unwrap_or(code))
        }
        (Scope::Campaign { code, name, .. }, Lang::En) => {
            format!("Campaign: {} ({code})", text(name, lang).unwrap_or(code))
        }
        (Scope::Trend { codes, .. }, Lang::Zh) => format!("多次测评趋势：{}", codes.join(" → ")),
        (Scope::Trend { codes, .. }, Lang::En) => format!("Trend across waves: {}", codes.join(" → ")),
        (Scope::Organization { name, .. }, Lang::Zh) => format!("机构：{name}（各测评活动汇总）"),
        (Scope::Organization { name, .. }, Lang::En) => format!("Organization: {name} (each campaign's totals)"),
        (Scope::Platform, Lang::Zh) => "全平台（各机构最近一次测评活动）".to_owned(),
        (Scope::Platform, Lang::En) => "All organizations (each organization's latest campaign)".to_owned(),
    }
}

/// "Computed on {day} (UTC)".
pub fn generated_on(day: &str, lang: Lang) -> String {
    match lang {
        Lang::Zh => format!("统计日期：{day}（UTC）"),
        Lang::En => format!("Computed on {day} (UTC)"),
    }
}

/// "<k", what a suppressed group shows.
pub fn below(k: u32) -> String {
    format!("<{k}")
}

/// Heading of the instrument column.
pub fn instrument(lang: Lang) -> &'static str {
    lang.pick("量表", "Instrument")
}

/// Heading of a group column: the attribute's label, or the roll-up key's name.
pub fn group_key(report: &Report, key: &str, lang: Lang) -> String {
    if let Some(attribute) = report.grouping.iter().find(|a| a.id == key) {
        return text(&attribute.label, lang).unwrap_or(key).to_owned();
    }
    match key {
        "wave" => lang.pick("波次", "Wave"),
        "campaign" => lang.pick("测评活动", "Campaign"),
        "organization" => lang.pick("机构", "Organization"),
        other => other,
    }
    .to_owned()
}

/// What a group column shows for a row that does not split by it (everyone).
pub fn all(lang: Lang) -> &'static str {
    lang.pick("全体", "All")
}

/// Title of the service indicators (sheet name, section heading).
pub fn service(lang: Lang) -> &'static str {
    lang.pick("预警服务指标", "Warning service")
}

/// Level column of the service indicators: every level together.
pub fn all_levels(lang: Lang) -> &'static str {
    lang.pick("全部等级", "All levels")
}

/// Headings of the service indicators, after the group column.
pub fn service_headings(lang: Lang) -> [&'static str; 13] {
    [
        lang.pick("预警等级", "Level"),
        lang.pick("筛查人数", "Screened"),
        lang.pick("预警数", "Warnings"),
        lang.pick("每千人预警数", "Warnings per 1,000 screened"),
        lang.pick("应首次联系数", "First contact due"),
        lang.pick("时限内首次联系数", "First contact within deadline"),
        lang.pick("时限内首次联系比例", "Share within deadline"),
        lang.pick("首次联系时间中位数（分钟）", "Median minutes to first contact"),
        lang.pick("转介数", "Referrals"),
        lang.pick("转介已确认接收", "Referrals confirmed"),
        lang.pick("已结案", "Closed"),
        lang.pick("已解除", "Lifted"),
        lang.pick("结案或解除用时中位数（天）", "Median days open"),
    ]
}

/// Heading: results marked careless or invalid.
pub fn marked(lang: Lang) -> &'static str {
    lang.pick("作答不认真或无效", "Marked careless or invalid")
}

/// Heading: prevalence counting the marked results too.
pub fn prevalence_with_marked(lang: Lang) -> &'static str {
    lang.pick("阳性率（含不认真或无效作答）", "Prevalence with marked results")
}

/// Heading: respondents.
pub fn n(lang: Lang) -> &'static str {
    lang.pick("人数", "n")
}

/// Heading: results without a total.
pub fn not_scorable(lang: Lang) -> &'static str {
    lang.pick("无法计分", "Not scorable")
}

/// Heading: a band's count.
pub fn band_count(band: &str, lang: Lang) -> String {
    match lang {
        Lang::Zh => format!("{band}人数"),
        Lang::En => format!("{band} count"),
    }
}

/// Heading: a band's share.
pub fn band_share(band: &str, lang: Lang) -> String {
    match lang {
        Lang::Zh => format!("{band}占比"),
        Lang::En => format!("{band} share"),
    }
}

/// Heading: positive screens.
pub fn positive(lang: Lang) -> &'static str {
    lang.pick("筛查阳性人数", "Positive screens")
}

/// Heading: prevalence of positive screens.
pub fn prevalence(lang: Lang) -> &'static str {
    lang.pick("阳性率", "Positive rate")
}

/// Heading: lower bound of the prevalence interval.
pub fn prevalence_low(lang: Lang) -> &'static str {
    lang.pick("阳性率95%置信区间下限", "Positive rate 95% CI low")
}

/// Heading: upper bound of the prevalence interval.
pub fn prevalence_high(lang: Lang) -> &'static str {
    lang.pick("阳性率95%置信区间上限", "Positive rate 95% CI high")
}

/// Heading: mean total.
pub fn mean(lang: Lang) -> &'static str {
    lang.pick("总分均值", "Mean total")
}

/// Heading: lower bound of the mean's interval.
pub fn mean_low(lang: Lang) -> &'static str {
    lang.pick("均值95%置信区间下限", "Mean 95% CI low")
}

/// Heading: upper bound of the mean's interval.
pub fn mean_high(lang: Lang) -> &'static str {
    lang.pick("均值95%置信区间上限", "Mean 95% CI high")
}

/// Heading: Cronbach's alpha.
pub fn alpha(lang: Lang) -> &'static str {
    lang.pick("克隆巴赫α系数", "Cronbach's alpha")
}

/// Heading: responses alpha is computed on.
pub fn alpha_n(lang: Lang) -> &'static str {
    lang.pick("α系数样本量", "Alpha n")
}

/// Heading: results with a critical flag.
pub fn critical(lang: Lang) -> &'static str {
    lang.pick("危急预警人数", "Critical flags")
}

/// Heading: 95 % interval (HTML tables).
pub fn interval(lang: Lang) -> &'static str {
    lang.pick("95%置信区间", "95% CI")
}

/// Heading of the bands column group (HTML tables) and of the distribution chart.
pub fn distribution(lang: Lang) -> &'static str {
    lang.pick("分级分布（占可计分结果）", "Severity bands (share of scorable results)")
}

/// Caption of the prevalence chart.
pub fn prevalence_chart(lang: Lang) -> &'static str {
    lang.pick("阳性率及95%置信区间", "Positive rate with 95% CI")
}

/// Caption of the trend chart.
pub fn trend_chart(lang: Lang) -> &'static str {
    lang.pick("各波次阳性率及95%置信区间", "Positive rate across waves with 95% CI")
}

/// "Positive screen: {rule}".
pub fn cut_off(rule: &str, lang: Lang) -> String {
    match lang {
        Lang::Zh => format!("筛查阳性标准：{rule}"),
        Lang::En => format!("Positive screen: {rule}"),
    }
}

/// Name of the notes sheet and heading of the notes section.
pub fn notes(lang: Lang) -> &'static str {
    lang.pick("说明", "Notes")
}

/// Heading of the comparisons.
pub fn comparisons(lang: Lang) -> &'static str {
    lang.pick("组间比较", "Comparisons")
}

/// Heading: the row compared.
pub fn compared(lang: Lang) -> &'static str {
    lang.pick("比较组", "Group")
}

/// Heading: what it is compared against.
pub fn against(lang: Lang) -> &'static str {
    lang.pick("对照", "Compared with")
}

/// Heading: difference in prevalence.
pub fn difference(lang: Lang) -> &'static str {
    lang.pick("阳性率差值", "Difference in positive rate")
}

/// Heading: chi-square statistic.
pub fn chi_square(lang: Lang) -> &'static str {
    lang.pick("卡方检验", "Chi-square test")
}

/// Heading: a chi-square statistic's degrees of freedom.
pub fn df(lang: Lang) -> &'static str {
    lang.pick("自由度", "df")
}

/// Heading: p-value.
pub fn p_value(lang: Lang) -> &'static str {
    lang.pick("p值", "p")
}

/// Heading: coverage.
pub fn participation(lang: Lang) -> &'static str {
    lang.pick("参与情况", "Participation")
}

/// "{used} of {issued} access codes used".
pub fn participation_text(used: u64, issued: u64, share: Option<f64>, lang: Lang) -> String {
    let share = share.map(|s| format!(" ({})", percent(s, 1))).unwrap_or_default();
    match lang {
        Lang::Zh => format!("已发放访问码 {issued} 个，已使用 {used} 个{share}"),
        Lang::En => format!("{used} of {issued} access codes used{share}"),
    }
}

/// The report's summary figures as (label, value) lines: participation, follow-up of
/// flagged results, headline indicators; whichever the report has.
pub fn summary(report: &Report, lang: Lang) -> Vec<(String, String)> {
    let mut lines = Vec::new();
    let mut line = |label: &str, value: String| lines.push((label.to_owned(), value));
    let share = |s: Option<f64>| s.map_or_else(|| "–".to_owned(), |s| percent(s, 1));
    if let Some(p) = &report.participation {
        line(participation(lang), participation_text(p.used, p.issued, p.share, lang));
    }
    if let Some(f) = &report.follow_up {
        line(lang.pick("预警个案数", "Flags raised"), f.flags_raised.to_string());
        line(
            lang.pick("24小时内跟进", "Acknowledged within 24 hours"),
            format!("{} ({})", f.acknowledged_within_24h, share(f.acknowledged_within_24h_share)),
        );
        line(
            lang.pick("首次联系时间中位数（小时）", "Median hours to first contact"),
            f.median_hours_to_contact.map_or_else(|| "–".to_owned(), |h| format!("{h:.1}")),
        );
        line(lang.pick("未结个案", "Open cases"), f.open_cases.to_string());
        line(lang.pick("逾期未结个案", "Overdue cases"), f.overdue_cases.to_string());
    }
    if let Some(h) = &report.headline {
        let title = |id: &str| {
            report
                .instruments
                .iter()
                .find(|s| s.instrument == id)
                .map_or_else(|| id.to_owned(), |s| instrument_title(s, lang))
        };
        line(lang.pick("参与人数", "Respondents"), h.respondents.to_string());
        line(lang.pick("筛查覆盖率", "Screening coverage"), share(h.coverage));
        for (id, rate) in &h.positive_rates {
            line(&format!("{}{}", title(id), lang.pick(" 阳性率", ": positive rate")), percent(*rate, 1));
        }
        line(lang.pick("24小时内跟进比例", "Flags acknowledged within 24 hours"), share(h.followed_up_within_24h));
        for (id, change) in &h.trend {
            line(
                &format!(
                    "{}{}",
                    title(id),
                    lang.pick(" 阳性率较上一波次变化", ": change in positive rate since the previous wave")
                ),
                format!("{} {}", points(*change), lang.pick("个百分点", "percentage points")),
            );
        }
    }
    lines
}

/// A group's values as words: "Grade 7", "Wave 2026-spring"; everyone: "All".
pub fn group(report: &Report, group: &BTreeMap<String, String>, lang: Lang) -> String {
    if group.is_empty() {
        return all(lang).to_owned();
    }
    let sep = lang.pick("，", ", ");
    ordered_keys(report, [group])
        .iter()
        .map(|key| format!("{} {}", group_key(report, key, lang), group[key]))
        .collect::<Vec<_>>()
        .join(sep)
}

/// The group keys of some rows: the report's grouping attributes in order, then any
/// other key (wave, campaign, organization) in the order first met.
pub fn ordered_keys<'a>(
    report: &Report,
    groups: impl IntoIterator<Item = &'a BTreeMap<String, String>>,
) -> Vec<String> {
    let mut seen: Vec<String> = Vec::new();
    for group in groups {
        for key in group.keys() {
            if !seen.contains(key) {
                seen.push(key.clone());
            }
        }
    }
    let mut keys: Vec<String> = report.grouping.iter().filter(|a| seen.contains(&a.id)).map(|a| a.id.clone()).collect();
    keys.extend(seen.into_iter().filter(|k| !report.grouping.iter().any(|a| &a.id == k)));
    keys
}

/// One comparison in words: "Grade 7 vs the other shown groups: +3.2 percentage points
/// (95% CI −4.0 to 10.1)".
pub fn difference_text(report: &Report, d: &Difference, lang: Lang) -> String {
    let a = group(report, &d.a, lang);
    let b = if d.b.is_empty() { rest(lang).to_owned() } else { group(report, &d.b, lang) };
    let (diff, low, high) = (points(d.difference), points(d.low), points(d.high));
    match lang {
        Lang::Zh => format!("{a} 与 {b} 相比：阳性率差 {diff} 个百分点（95%置信区间 {low} 至 {high}）"),
        Lang::En => format!("{a} vs {b}: {diff} percentage points (95% CI {low} to {high})"),
    }
}

/// What a difference without `b` is against.
pub fn rest(lang: Lang) -> &'static str {
    lang.pick("其余显示的组合计", "the other shown groups together")
}

/// A chi-square test in words: "χ² = 5.23, df = 2, p = 0.073".
pub fn chi_square_text(test: &ChiSquareTest, lang: Lang) -> String {
    let p = p_text(test.p_value);
    let intro = lang.pick("各行阳性率差异的皮尔逊卡方检验：", "Pearson chi-square test of positive rate across rows: ");
    format!("{intro}χ² = {:.2}, df = {}, {p}", test.statistic, test.df)
}

/// "p = 0.073", or "p < 0.001".
pub fn p_text(p: f64) -> String {
    if p < 0.001 {
        "p < 0.001".to_owned()
    } else {
        format!("p = {p:.3}")
    }
}

/// A share as a percentage with `decimals` decimals: "12.5%".
pub fn percent(share: f64, decimals: usize) -> String {
    format!("{:.*}%", decimals, share * 100.0)
}

/// A difference of shares in signed percentage points: "+3.2", "−4.0" (true minus sign).
pub fn points(difference: f64) -> String {
    let value = format!("{:.1}", (difference * 100.0).abs());
    if value.chars().all(|c| c == '0' || c == '.') {
        value
    } else if difference < 0.0 {
        format!("−{value}")
    } else {
        format!("+{value}")
    }
}

/// The methods, one paragraph each: suppression, complementary suppression, shares,
/// the intervals, the test and alpha.
pub fn methods(k: u32, lang: Lang) -> Vec<String> {
    match lang {
        Lang::Zh => vec![
            format!("最小组人数 k = {k}：人数少于 {k} 的组不予显示，仅标注“<{k}”，不显示任何其他数字。"),
            "互补隐藏：如果某个小组的数字可以通过减法（用总计、其他组或其他报告）推算出来，\
             其他组也会一并隐藏，显示方式相同。"
                .to_owned(),
            "各分级占比和阳性率均以可计分结果为分母；缺答过多而无法计分的结果计入人数，不计入占比。".to_owned(),
            "阳性率的95%置信区间为 Wilson 得分区间。".to_owned(),
            "总分均值的95%置信区间基于 t 分布（结果少于2个时不计算）。".to_owned(),
            "阳性率差值（各组与其余显示的组合计相比，或各波次与上一波次相比）的95%置信区间\
             采用 Newcombe 混合得分法。"
                .to_owned(),
            "各行阳性率是否不同采用皮尔逊卡方检验（筛查阳性 × 行），仅包括显示的行。".to_owned(),
            "克隆巴赫α系数（各题内部一致性，基于完整作答）仅在样本量不少于30时显示。".to_owned(),
            "作答过快（平均每题不足2秒）、在含反向计分题的量表上全部选同一选项，或量表自身效度题提示无效的结果\
             标记为不认真或无效：默认不计入阳性率（人数、分级与均值仍计入），并另列含这些结果的阳性率；\
             标记从不影响预警。"
                .to_owned(),
            "筛查阳性不等于诊断。".to_owned(),
        ],
        Lang::En => vec![
            format!(
                "Minimum group size k = {k}: groups with fewer than {k} respondents are suppressed and shown \
                 as \"<{k}\" with no other figure."
            ),
            "Complementary suppression: where a small group could be worked out by subtraction (from the \
             total, from the other groups, or from another report), further groups are hidden as well and \
             shown the same way."
                .to_owned(),
            "Band shares and positive rates are shares of scorable results; results with too many unanswered \
             items count in n but not in the shares."
                .to_owned(),
            "95% confidence intervals of positive rates are Wilson score intervals.".to_owned(),
            "95% confidence intervals of mean totals use Student's t distribution (none with fewer than 2 \
             results)."
                .to_owned(),
            "Differences in positive rate (each group against the other shown groups together, or each wave \
             against the previous one) have 95% confidence intervals by Newcombe's hybrid score method."
                .to_owned(),
            "Whether the positive rate differs across rows is tested with Pearson's chi-square test \
             (positive screen × row), over the shown rows only."
                .to_owned(),
            "Cronbach's alpha (internal consistency of the items, over complete responses) is shown only \
             when based on at least 30 responses."
                .to_owned(),
            "Results answered too fast (under 2 seconds an item on average), with the same option throughout \
             an instrument that reverses items, or flagged by the instrument's own validity items are marked \
             careless or invalid: left out of the positive rate by default (still counted in n, bands and \
             means), with the rate including them shown beside it. A mark never affects a warning."
                .to_owned(),
            "A positive screen is not a diagnosis.".to_owned(),
        ],
    }
}

/// The report used by the renderers' tests: one campaign grouped by grade; everyone,
/// grade 7 shown, grades 8 and 9 suppressed (k = 10); PHQ-9.
#[cfg(test)]
pub(crate) fn sample_report() -> Report {
    use instruments::wire::report::{
        Alpha, Attribute, BandHeading, Cell, Comparison, Figures, Mean, Prevalence, Row, Share,
    };
    use instruments::Locale;

    fn t(en: &str, zh: &str) -> Text {
        [(Locale::parse("en").unwrap(), en.to_owned()), (Locale::parse("zh-Hans").unwrap(), zh.to_owned())].into()
    }
    fn g(grade: &str) -> BTreeMap<String, String> {
        [("grade".to_owned(), grade.to_owned())].into()
    }
    let bands = [
        ("minimal", "Minimal", "无或极轻微"),
        ("mild", "Mild", "轻度"),
        ("moderate", "Moderate", "中度"),
        ("moderately_severe", "Moderately severe", "中重度"),
        ("severe", "Severe", "重度"),
    ]
    .into_iter()
    .map(|(id, en, zh)| BandHeading { id: id.to_owned(), label: t(en, zh) })
    .collect();
    let share = |count: u64, of: u64| Share { count, share: Some(count as f64 / of as f64) };
    let everyone = Figures {
        n: 120,
        not_scorable: 2,
        bands: vec![share(59, 118), share(30, 118), share(17, 118), share(8, 118), share(4, 118)],
        positive: Some(Prevalence { count: 29, of: 116, share: 0.25, low: 0.18, high: 0.33 }),
        mean: Some(Mean { n: 118, mean: 6.5, low: Some(5.75), high: Some(7.25) }),
        subscales: vec![],
        alpha: Some(Alpha { value: 0.875, n: 110 }),
        critical: None,
        marked: 0,
        positive_with_marked: None,
    };
    let grade7 = Figures {
        n: 45,
        not_scorable: 0,
        bands: vec![share(27, 45), share(9, 45), share(6, 45), share(2, 45), share(1, 45)],
        positive: Some(Prevalence { count: 9, of: 45, share: 0.2, low: 0.1125, high: 0.3375 }),
        mean: Some(Mean { n: 45, mean: 5.25, low: Some(4.5), high: Some(6.0) }),
        subscales: vec![],
        alpha: Some(Alpha { value: 0.8132, n: 44 }),
        critical: None,
        marked: 0,
        positive_with_marked: None,
    };
    Report {
        scope: Scope::Campaign {
            code: "spring26".to_owned(),
            name: t("Spring <2026> screening", "2026年春季<筛查>"),
            organization_id: 1,
        },
        generated_on: "2026-04-01".to_owned(),
        min_group_size: 10,
        grouping: vec![Attribute { id: "grade".to_owned(), label: t("Grade", "年级") }],
        participation: None,
        follow_up: None,
        headline: None,
        instruments: vec![InstrumentSection {
            instrument: "phq9".to_owned(),
            version: "1.0.0".to_owned(),
            title: t("PHQ-9", "PHQ-9"),
            bands,
            cut_off: Some(t("total ≥ 10", "总分 ≥ 10")),
            subscales: vec![],
            rows: vec![
                Row { group: BTreeMap::new(), cell: Cell::Shown(Box::new(everyone)) },
                Row { group: g("7"), cell: Cell::Shown(Box::new(grade7)) },
                Row { group: g("8"), cell: Cell::Suppressed { below: 10 } },
                Row { group: g("9"), cell: Cell::Suppressed { below: 10 } },
            ],
            comparison: Some(Comparison {
                chi_square: Some(ChiSquareTest { statistic: 1.25, df: 1, p_value: 0.2636 }),
                differences: vec![Difference {
                    a: g("7"),
                    b: BTreeMap::new(),
                    difference: -0.05,
                    low: -0.21,
                    high: 0.09,
                }],
            }),
        }],
        service: None,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn lang_parses_tags() {
        assert_eq!(Lang::parse("zh-Hans"), Some(Lang::Zh));
        assert_eq!(Lang::parse("zh_CN"), Some(Lang::Zh));
        assert_eq!(Lang::parse("EN-gb"), Some(Lang::En));
        assert_eq!(Lang::parse("fr"), None);
        assert_eq!(Lang::Zh.locale(), "zh-Hans");
    }

    #[test]
    fn text_falls_back_to_the_other_language() {
        let mut t = Text::new();
        t.insert(instruments::Locale::parse("en").unwrap(), "Mild".to_owned());
        assert_eq!(text(&t, Lang::Zh), Some("Mild"));
        t.insert(instruments::Locale::parse("zh-Hans").unwrap(), "轻度".to_owned());
        assert_eq!(text(&t, Lang::Zh), Some("轻度"));
        assert_eq!(text(&t, Lang::En), Some("Mild"));
        assert_eq!(text(&Text::new(), Lang::En), None);
    }

    #[test]
    fn groups_and_comparisons_in_words() {
        let report = sample_report();
        let section = &report.instruments[0];
        assert_eq!(group(&report, &section.rows[1].group, Lang::En), "Grade 7");
        assert_eq!(group(&report, &section.rows[0].group, Lang::Zh), "全体");
        let comparison = section.comparison.as_ref().unwrap();
        assert_eq!(
            difference_text(&report, &comparison.differences[0], Lang::En),
            "Grade 7 vs the other shown groups together: −5.0 percentage points (95% CI −21.0 to +9.0)"
        );
        assert_eq!(
            chi_square_text(comparison.chi_square.as_ref().unwrap(), Lang::En),
            "Pearson chi-square test of positive rate across rows: χ² = 1.25, df = 1, p = 0.264"
        );
        assert_eq!(p_text(0.0004), "p < 0.001");
        assert_eq!(points(0.0), "0.0");
        assert_eq!(points(-0.0001), "0.0");
        assert_eq!(group_key(&report, "wave", Lang::Zh), "波次");
    }

    #[test]
    fn keys_follow_the_grouping_then_first_seen() {
        let report = sample_report();
        let a: BTreeMap<String, String> = [("wave".to_owned(), "x".to_owned())].into();
        let b: BTreeMap<String, String> = [("grade".to_owned(), "7".to_owned())].into();
        assert_eq!(ordered_keys(&report, [&a, &b]), ["grade", "wave"]);
    }
}
