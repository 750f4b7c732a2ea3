//! The interview record (约谈记录): a form the platform defines (by default the fields
//! of a bureau's interview report: date, mode, who was present by role, risk
//! assessment, protective factors, plan, next follow-up), and the check of a record
//! against it. Who was present is recorded by role, never by name.

use std::collections::{BTreeMap, BTreeSet};

use instruments::definition::Locale;
use instruments::wire::warning::{FieldKind, FieldValue, FormField, FormOption, InterviewForm};

use super::text::{self, FORM_TEXT_LIMIT};
use super::FollowUpError;

/// At most this many fields, and options per field.
pub const MAX_FIELDS: usize = 30;
/// At most this many options per choice field.
pub const MAX_OPTIONS: usize = 20;

fn label(zh: &str, en: &str) -> BTreeMap<Locale, String> {
    BTreeMap::from([
        (Locale::parse("zh-Hans").expect("locale"), zh.to_owned()),
        (Locale::parse("en").expect("locale"), en.to_owned()),
    ])
}

fn field(id: &str, zh: &str, en: &str, kind: FieldKind, required: bool, options: &[(&str, &str, &str)]) -> FormField {
    FormField {
        id: id.to_owned(),
        label: label(zh, en),
        kind,
        options: options.iter().map(|(id, zh, en)| FormOption { id: (*id).to_owned(), label: label(zh, en) }).collect(),
        required,
        schedules_visit: false,
    }
}

/// The form of a platform that has not set its own.
pub fn default_form() -> InterviewForm {
    let mut next = field("next_follow_up", "下次回访日期", "Next follow-up", FieldKind::Date, false, &[]);
    next.schedules_visit = true;
    InterviewForm {
        fields: vec![
            field("date", "约谈日期", "Date", FieldKind::Date, true, &[]),
            field(
                "mode",
                "约谈方式",
                "Mode",
                FieldKind::Choice,
                true,
                &[("face_to_face", "面谈", "Face to face"), ("phone", "电话", "Phone"), ("video", "视频", "Video")],
            ),
            field(
                "present",
                "在场人员（按角色）",
                "Present (by role)",
                FieldKind::Choices,
                true,
                &[
                    ("student", "学生本人", "Student"),
                    ("parent", "家长", "Parent"),
                    ("homeroom_teacher", "班主任", "Homeroom teacher"),
                    ("counselor", "心理教师", "Counselor"),
                    ("other", "其他", "Other"),
                ],
            ),
            field(
                "risk",
                "风险评估",
                "Risk assessment",
                FieldKind::Choice,
                true,
                &[("none", "无", "None"), ("low", "低", "Low"), ("medium", "中", "Medium"), ("high", "高", "High")],
            ),
            field("protective_factors", "保护性因素", "Protective factors", FieldKind::Text, false, &[]),
            field("plan", "干预计划", "Plan", FieldKind::Text, true, &[]),
            next,
        ],
    }
}

/// The platform's interview form: its own, or [`default_form`].
///
/// # Errors
/// On database failure.
pub async fn current(store: &crate::db::Store) -> Result<InterviewForm, crate::db::DbError> {
    Ok(store.platform_document(crate::db::INTERVIEW_FORM).await?.unwrap_or_else(default_form))
}

fn id_ok(id: &str) -> bool {
    (1..=32).contains(&id.len()) && id.bytes().all(|b| b.is_ascii_lowercase() || b.is_ascii_digit() || b == b'_')
}

fn check_label(field: String, label: &BTreeMap<Locale, String>) -> Result<(), FollowUpError> {
    if label.is_empty() {
        return Err(FollowUpError::Required { field });
    }
    for (locale, text) in label {
        let n = text.trim().chars().count();
        if n == 0 || n > 80 {
            return Err(FollowUpError::invalid(format!("{field}.{}", locale.as_str()), "1–80 characters"));
        }
    }
    Ok(())
}

/// Checks a form before it is saved, each error naming its field.
///
/// # Errors
/// [`FollowUpError::InvalidField`] or [`FollowUpError::Required`].
pub fn check_form(form: &InterviewForm) -> Result<(), FollowUpError> {
    if form.fields.is_empty() || form.fields.len() > MAX_FIELDS {
        return Err(FollowUpError::invalid("fields", format!("between 1 and {MAX_FIELDS} fields")));
    }
    let mut ids = BTreeSet::new();
    let mut schedules = 0;
    for (i, f) in form.fields.iter().enumerate() {
        let at = |name: &str| format!("fields[{i}].{name}");
        if !id_ok(&f.id) || !ids.insert(f.id.as_str()) {
            return Err(FollowUpError::invalid(at("id"), "unique, 1–32 lowercase letters, digits or `_`"));
        }
        check_label(at("label"), &f.label)?;
        let choice = matches!(f.kind, FieldKind::Choice | FieldKind::Choices);
        if choice && (f.options.is_empty() || f.options.len() > MAX_OPTIONS) {
            return Err(FollowUpError::invalid(at("options"), format!("a choice has 1 to {MAX_OPTIONS} options")));
        }
        if !choice && !f.options.is_empty() {
            return Err(FollowUpError::invalid(at("options"), "only choice fields have options"));
        }
        let mut option_ids = BTreeSet::new();
        for (j, option) in f.options.iter().enumerate() {
            if !id_ok(&option.id) || !option_ids.insert(option.id.as_str()) {
                return Err(FollowUpError::invalid(
                    format!("fields[{i}].options[{j}].id"),
                    "unique, 1–32 lowercase letters, digits or `_`",
                ));
            }
            check_label(format!("fields[{i}].options[{j}].label"), &option.label)?;
        }
        if f.schedules_visit {
            schedules += 1;
            if f.kind != FieldKind::Date || schedules > 1 {
                return Err(FollowUpError::invalid(
                    at("schedules_visit"),
                    "only one date field schedules the next visit",
                ));
            }
        }
    }
    Ok(())
}

/// An interview record checked against the form: its values, trimmed, and the next
/// visit it schedules.
#[derive(Debug, PartialEq)]
pub struct CheckedInterview {
    /// Values by field id; empty answers left out.
    pub values: BTreeMap<String, FieldValue>,
    /// The day of the field that schedules the next visit, if answered.
    pub next_visit_on: Option<String>,
}

/// Checks a record: no unknown fields, every required field answered, each answer of
/// its kind, free text bounded and identifying nobody.
///
/// # Errors
/// A [`FollowUpError`] naming the field as `values.<id>`.
pub fn check_interview(
    form: &InterviewForm,
    values: &BTreeMap<String, FieldValue>,
) -> Result<CheckedInterview, FollowUpError> {
    if let Some(unknown) = values.keys().find(|k| !form.fields.iter().any(|f| &f.id == *k)) {
        return Err(FollowUpError::invalid(format!("values.{unknown}"), "not a field of the interview form"));
    }
    let mut checked = CheckedInterview { values: BTreeMap::new(), next_visit_on: None };
    for f in &form.fields {
        let name = format!("values.{}", f.id);
        let is_option = |v: &str| f.options.iter().any(|o| o.id == v);
        let value = match (f.kind, values.get(&f.id)) {
            (_, None) => None,
            (FieldKind::Choices, Some(FieldValue::Many(many))) => {
                let set: BTreeSet<&str> = many.iter().map(String::as_str).collect();
                if set.len() != many.len() || !set.iter().all(|v| is_option(v)) {
                    return Err(FollowUpError::invalid(name, "options of this field, each once"));
                }
                (!many.is_empty()).then(|| FieldValue::Many(many.clone()))
            }
            (FieldKind::Choices, Some(FieldValue::One(_))) => {
                return Err(FollowUpError::invalid(name, "a list of options"));
            }
            (_, Some(FieldValue::Many(_))) => return Err(FollowUpError::invalid(name, "one value, not a list")),
            (kind, Some(FieldValue::One(one))) => {
                let one = match kind {
                    FieldKind::Text => text::checked(&name, one, FORM_TEXT_LIMIT)?,
                    _ => one.trim(),
                };
                if !one.is_empty() {
                    match kind {
                        FieldKind::Date => text::day(&name, one)?,
                        FieldKind::Choice if !is_option(one) => {
                            return Err(FollowUpError::invalid(name, format!("`{one}` is not an option of this field")))
                        }
                        _ => {}
                    }
                }
                (!one.is_empty()).then(|| FieldValue::One(one.to_owned()))
            }
        };
        match value {
            None if f.required => return Err(FollowUpError::Required { field: name }),
            None => {}
            Some(value) => {
                if let (true, FieldValue::One(day)) = (f.schedules_visit, &value) {
                    checked.next_visit_on = Some(day.clone());
                }
                checked.values.insert(f.id.clone(), value);
            }
        }
    }
    Ok(checked)
}

#[cfg(test)]
mod tests {
    use super::*;

    type Breaks = fn(&mut BTreeMap<String, FieldValue>);

    fn record(pairs: &[(&str, FieldValue)]) -> BTreeMap<String, FieldValue> {
        pairs.iter().map(|(k, v)| ((*k).to_owned(), v.clone())).collect()
    }

    fn one(s: &str) -> FieldValue {
        FieldValue::One(s.to_owned())
    }

    fn complete() -> BTreeMap<String, FieldValue> {
        record(&[
            ("date", one("2026-12-03")),
            ("mode", one("face_to_face")),
            ("present", FieldValue::Many(vec!["student".into(), "parent".into()])),
            ("risk", one("medium")),
            ("plan", one("每周面谈一次")),
            ("next_follow_up", one("2026-12-10")),
        ])
    }

    #[test]
    fn the_default_form_passes_its_check_and_a_complete_record_schedules_the_visit() {
        check_form(&default_form()).unwrap();
        let checked = check_interview(&default_form(), &complete()).unwrap();
        assert_eq!(checked.next_visit_on.as_deref(), Some("2026-12-10"));
        assert_eq!(checked.values.len(), 6);
    }

    #[test]
    fn a_record_is_refused_naming_the_field() {
        let form = default_form();
        let cases: [(&str, Breaks); 8] = [
            ("values.plan", |r| {
                r.remove("plan");
            }),
            ("values.plan", |r| {
                r.insert("plan".into(), one("   "));
            }),
            ("values.mode", |r| {
                r.insert("mode".into(), one("letter"));
            }),
            ("values.present", |r| {
                r.insert("present".into(), FieldValue::Many(vec!["student".into(), "student".into()]));
            }),
            ("values.date", |r| {
                r.insert("date".into(), one("2026-02-30"));
            }),
            ("values.name", |r| {
                r.insert("name".into(), one("李明"));
            }),
            ("values.protective_factors", |r| {
                r.insert("protective_factors".into(), one("母亲 13912345678 支持"));
            }),
            ("values.risk", |r| {
                r.insert("risk".into(), FieldValue::Many(vec!["low".into()]));
            }),
        ];
        for (field, break_it) in cases {
            let mut r = complete();
            break_it(&mut r);
            let err = check_interview(&form, &r).unwrap_err();
            let named = match &err {
                FollowUpError::InvalidField { field, .. }
                | FollowUpError::Required { field }
                | FollowUpError::Identifying { field, .. } => field.clone(),
                other => panic!("{other:?}"),
            };
            assert_eq!(named, field, "{err}");
        }
    }
}
