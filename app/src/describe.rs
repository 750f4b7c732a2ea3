//! An instrument definition in words, for the reference page `/instruments`.
//!
//! Pure functions of a definition and the interface language, tested natively; the
//! page only puts their strings into `<dd>`s.

use instruments::definition::{Band, Condition, Definition, Fill, Method, Rounding, Transform};

use crate::i18n::format_total;
use crate::i18n::{fill, text, Lang};

/// Parts joined by `sep`. (One loop instead of `[T]::join`, which is compiled once per
/// element type and costs wasm.)
fn join<'a>(parts: impl IntoIterator<Item = &'a str>, sep: &str) -> String {
    let mut out = String::new();
    for (i, part) in parts.into_iter().enumerate() {
        if i > 0 {
            out.push_str(sep);
        }
        out.push_str(part);
    }
    out
}

/// A number as scores are shown: `10`, `2.5`.
fn number(x: f64) -> String {
    format_total(Some(x))
}

/// An inclusive range: `20–27`, or `5` when it is one value.
pub fn range(min: f64, max: f64) -> String {
    if min == max {
        number(min)
    } else {
        format!("{}–{}", number(min), number(max))
    }
}

/// Inclusive bounds as a cut-off: `≥ 10`, `≤ 50`, `10–14` (empty without bounds).
pub fn bounds(at_least: Option<f64>, at_most: Option<f64>) -> String {
    match (at_least, at_most) {
        (Some(low), Some(high)) => range(low, high),
        (Some(low), None) => format!("≥ {}", number(low)),
        (None, Some(high)) => format!("≤ {}", number(high)),
        (None, None) => String::new(),
    }
}

/// `score × multiply + add` as what is done to the score: `×4`, `+ 3`, `×2 − 1`
/// (empty for the identity).
pub fn transform(t: &Transform) -> String {
    let mut out = String::new();
    if t.multiply != 1.0 {
        out = format!("×{}", number(t.multiply));
    }
    if t.add != 0.0 {
        if !out.is_empty() {
            out.push(' ');
        }
        out.push_str(if t.add < 0.0 { "− " } else { "+ " });
        out.push_str(&number(t.add.abs()));
    }
    out
}

/// Groups, ages and informant: "adolescents, adults; aged 12 and over; self-report".
pub fn population(d: &Definition, lang: Lang) -> String {
    let s = lang.staff();
    let p = &d.population;
    let groups = join(p.groups.iter().map(|g| s.groups[*g as usize]), s.list_sep);
    let ages = match p.max_age {
        Some(max) => fill(s.ages_range, p.min_age.into(), max.into()),
        None => fill(s.ages_from, p.min_age.into(), 0),
    };
    join([&*groups, &ages, s.informant[p.informant as usize]], s.sep)
}

/// Method, reversed items, transform and direction: "Sum of 5 items; then ×4;
/// higher is better".
pub fn scoring(d: &Definition, lang: Lang) -> String {
    let s = lang.staff();
    let sc = &d.scoring;
    let method = match sc.method {
        Method::Sum => s.sum_of,
        Method::Mean => s.mean_of,
    };
    let mut parts = vec![fill(method, sc.items.len(), 0)];
    if !sc.reverse.is_empty() {
        parts.push(fill(s.reversed, sc.reverse.len(), 0));
    }
    if let Some(t) = sc.transform.as_ref().map(transform).filter(|t| !t.is_empty()) {
        parts.push(format!("{}{t}", s.then));
    }
    parts.push(s.direction[sc.direction as usize].to_owned());
    join(parts.iter().map(String::as_str), s.sep)
}

/// A band as "min–max: label" (range first: labels may have colons of their own).
pub fn band(b: &Band, lang: Lang) -> String {
    format!("{}{}{}", range(b.min, b.max), lang.staff().colon, text(&b.label, lang))
}

/// The positive-screen rule: "Total score ≥ 10", "Item 9 ≥ 1", or "Not defined".
pub fn cutoff(d: &Definition, lang: Lang) -> String {
    match &d.positive_screen {
        Some(condition) => self::condition(Some(d), condition, lang),
        None => lang.staff().cut_none.to_owned(),
    }
}

/// A rule on answers or scores, as for the cut-off: "Item 9 ≥ 1". Items are named
/// by their number in `d` (which readers know them by), or by id without it.
pub fn condition(d: Option<&Definition>, condition: &Condition, lang: Lang) -> String {
    let s = lang.staff();
    let number = |id: &String| {
        d.and_then(|d| d.items.iter().position(|item| item.id == *id))
            .map_or_else(|| id.clone(), |i| (i + 1).to_string())
    };
    let what = match condition {
        Condition::Total { .. } => s.cut_total.to_owned(),
        Condition::Item { item, .. } => s.cut_item.replace("{n}", &number(item)),
        Condition::AnyItem { items, .. } => {
            let list: Vec<String> = items.iter().map(number).collect();
            s.cut_any.replace("{n}", &join(list.iter().map(String::as_str), s.list_sep))
        }
        Condition::Subscale { subscale, .. } => d
            .and_then(|d| d.scoring.subscales.iter().find(|x| x.id == *subscale))
            .map_or(subscale.as_str(), |x| text(&x.label, lang))
            .to_owned(),
    };
    let (at_least, at_most) = condition.bounds();
    format!("{what} {}", bounds(at_least, at_most))
}

/// What happens to unanswered scored items.
pub fn missing(d: &Definition, lang: Lang) -> String {
    let s = lang.staff();
    match d.scoring.missing {
        Some(rule) if rule.max_missing > 0 => {
            let prorate = rule.fill == Fill::Prorate;
            let mut out = fill(if prorate { s.missing_prorate } else { s.missing_lowest }, rule.max_missing, 0);
            if prorate && rule.rounding == Rounding::Nearest {
                out.push_str(s.missing_rounded);
            }
            out.push_str(s.missing_more);
            out
        }
        _ => s.missing_none.to_owned(),
    }
}

/// "Checked: 2026-11-22".
pub fn checked(d: &Definition, lang: Lang) -> String {
    format!("{}{}", lang.staff().checked, d.licence.checked)
}

/// The locales offered, as tags: "en, zh-Hans".
pub fn languages(d: &Definition) -> String {
    join(d.locales.iter().map(|l| l.as_str()), ", ")
}

#[cfg(test)]
mod tests {
    use super::*;
    use instruments::definition::MissingRule;
    use serde_json::json;

    fn phq9() -> Definition {
        serde_json::from_str(include_str!("../../instruments/library/phq9.json")).unwrap()
    }

    /// PHQ-9 changed into a WHO-5-like instrument: English only, mean, reversed,
    /// transformed, higher is better, a cut-off from above.
    fn variant() -> Definition {
        let mut d = serde_json::to_value(phq9()).unwrap();
        d["population"] = json!({"groups": ["child"], "min_age": 8, "max_age": 11, "informant": "parent"});
        d["scoring"]["method"] = json!("mean");
        d["scoring"]["reverse"] = json!(["phq9_1", "phq9_2", "phq9_3"]);
        d["scoring"]["transform"] = json!({"multiply": 4});
        d["scoring"]["direction"] = json!("higher_is_better");
        d["positive_screen"] = json!({"on": "total", "at_most": 50});
        serde_json::from_value(d).unwrap()
    }

    #[test]
    fn ranges_and_cutoffs_read_as_written_on_paper() {
        assert_eq!(range(20.0, 27.0), "20–27");
        assert_eq!(range(5.0, 5.0), "5");
        assert_eq!(range(0.0, 2.5), "0–2.5");
        assert_eq!(bounds(Some(10.0), None), "≥ 10");
        assert_eq!(bounds(None, Some(50.0)), "≤ 50");
        assert_eq!(bounds(Some(1.0), Some(3.0)), "1–3");
        assert_eq!(bounds(None, None), "");
    }

    #[test]
    fn transforms_read_as_arithmetic() {
        assert_eq!(transform(&Transform { multiply: 4.0, add: 0.0 }), "×4");
        assert_eq!(transform(&Transform { multiply: 1.0, add: 3.0 }), "+ 3");
        assert_eq!(transform(&Transform { multiply: 2.5, add: -1.0 }), "×2.5 − 1");
        assert_eq!(transform(&Transform { multiply: 1.0, add: 0.0 }), "");
    }

    #[test]
    fn phq9_in_words_in_both_languages() {
        let d = phq9();
        assert_eq!(population(&d, Lang::En), "adolescents, adults; aged 12 and over; self-report");
        assert_eq!(population(&d, Lang::ZhHans), "青少年、成人；12 岁及以上；本人填写");
        assert_eq!(scoring(&d, Lang::En), "Sum of 9 items; higher is worse");
        assert_eq!(scoring(&d, Lang::ZhHans), "9 题得分相加；分数越高越严重");
        assert_eq!(cutoff(&d, Lang::En), "Total score ≥ 10");
        assert_eq!(cutoff(&d, Lang::ZhHans), "总分 ≥ 10");
        assert_eq!(band(d.bands.last().unwrap(), Lang::En), "20–27: Severe depression");
        assert_eq!(band(d.bands.last().unwrap(), Lang::ZhHans), "20–27：重度抑郁");
        assert_eq!(missing(&d, Lang::En), "Every scored item must be answered, otherwise not scorable");
        assert_eq!(checked(&d, Lang::En), "Checked: 2026-11-22");
        assert_eq!(languages(&d), "en, zh-Hans");
    }

    #[test]
    fn other_scoring_rules_in_words() {
        let d = variant();
        assert_eq!(population(&d, Lang::En), "children; aged 8–11; filled in by a parent or carer");
        assert_eq!(population(&d, Lang::ZhHans), "儿童；8–11 岁；由家长或照料者填写");
        assert_eq!(scoring(&d, Lang::En), "Mean of 9 items; 3 reverse-scored; then ×4; higher is better");
        assert_eq!(scoring(&d, Lang::ZhHans), "9 题得分的平均值；其中 3 题反向计分；再 ×4；分数越高越好");
        assert_eq!(cutoff(&d, Lang::En), "Total score ≤ 50");
    }

    #[test]
    fn item_cutoffs_name_items_by_their_number() {
        let mut d = phq9();
        d.positive_screen = Some(Condition::Item { item: "phq9_9".into(), at_least: Some(1.0), at_most: None });
        assert_eq!(cutoff(&d, Lang::En), "Item 9 ≥ 1");
        assert_eq!(cutoff(&d, Lang::ZhHans), "第 9 题 ≥ 1");
        d.positive_screen = Some(Condition::AnyItem {
            items: vec!["phq9_1".into(), "phq9_2".into()],
            at_least: Some(2.0),
            at_most: None,
        });
        assert_eq!(cutoff(&d, Lang::En), "Any of items 1, 2 ≥ 2");
        assert_eq!(cutoff(&d, Lang::ZhHans), "第 1、2 题中任一题 ≥ 2");
        d.positive_screen = None;
        assert_eq!(cutoff(&d, Lang::En), "Not defined");
    }

    #[test]
    fn a_raised_flag_reads_like_a_cutoff() {
        let d = phq9();
        let rule = Condition::Item { item: "phq9_9".into(), at_least: Some(1.0), at_most: None };
        assert_eq!(condition(Some(&d), &rule, Lang::En), "Item 9 ≥ 1");
        assert_eq!(condition(Some(&d), &rule, Lang::ZhHans), "第 9 题 ≥ 1");
        // Without the definition the item keeps its id.
        assert_eq!(condition(None, &rule, Lang::En), "Item phq9_9 ≥ 1");
    }

    #[test]
    fn missing_data_rules_in_words() {
        let mut d = phq9();
        d.scoring.missing = Some(MissingRule { max_missing: 1, fill: Fill::Prorate, rounding: Rounding::Nearest });
        assert_eq!(
            missing(&d, Lang::En),
            "At most 1 unanswered: the score is prorated and rounded to a whole number; more unanswered: not scorable"
        );
        assert_eq!(missing(&d, Lang::ZhHans), "最多可缺 1 题，按比例折算并四舍五入取整；缺答更多则无法计分");
        d.scoring.missing = Some(MissingRule { max_missing: 2, fill: Fill::Lowest, rounding: Rounding::None });
        assert_eq!(
            missing(&d, Lang::En),
            "At most 2 unanswered: each counts as the lowest option; more unanswered: not scorable"
        );
        d.scoring.missing = Some(MissingRule { max_missing: 0, fill: Fill::Lowest, rounding: Rounding::None });
        assert_eq!(missing(&d, Lang::ZhHans), "所有计分题目都须作答，否则无法计分");
    }
}
