//! What a notification says. Built from the organization's name, the level's label,
//! the campaign's name and the warning's link only: nothing here can carry an answer,
//! a score, a cohort value or a respondent code, because none of them is an input.

use instruments::definition::{Locale, Text};
use serde_json::{json, Value};

/// The facts a notification names.
#[derive(Debug)]
pub struct Facts<'a> {
    /// `warning_opened` or `warning_raised`.
    pub kind: &'a str,
    /// Organization name.
    pub organization: &'a str,
    /// Level id.
    pub level: &'a str,
    /// Level label per locale (empty when the level is no longer defined).
    pub level_label: &'a Text,
    /// Campaign name per locale.
    pub campaign: &'a Text,
    /// Warning id.
    pub case_id: i64,
    /// Link to the warning page.
    pub link: &'a str,
}

fn pick<'a>(text: &'a Text, tag: &str, fallback: &'a str) -> &'a str {
    Locale::parse(tag).ok().and_then(|l| text.get(&l)).or_else(|| text.values().next()).map_or(fallback, String::as_str)
}

/// Subject and plain text, in Chinese and English.
pub fn text(f: &Facts<'_>) -> (String, String) {
    let level_zh = pick(f.level_label, "zh-Hans", f.level);
    let level_en = pick(f.level_label, "en", f.level);
    let campaign_zh = pick(f.campaign, "zh-Hans", "");
    let campaign_en = pick(f.campaign, "en", "");
    let (what_zh, what_en) = match f.kind {
        "warning_raised" => ("复核后升为", "raised after a re-check to"),
        _ => ("新的", "new"),
    };
    let subject = format!("【心安】{} {what_zh}{level_zh} / Xin'an: {what_en} {level_en} warning", f.organization);
    let body = format!(
        "{org}：{what_zh}{level_zh}（测评：{campaign_zh}）。请尽快处理：\n{link}\n\n\
         {org}: {what_en} {level_en} warning (screening: {campaign_en}). Please follow up:\n{link}\n\n\
         本通知不含作答、分数或任何个人信息。/ This notice holds no answers, scores or personal data.\n",
        org = f.organization,
        link = f.link,
    );
    (subject, body)
}

/// The webhook body: plain JSON, or the WeCom/DingTalk group robot's text message.
pub fn webhook_body(f: &Facts<'_>, robot: bool) -> Value {
    if robot {
        let (subject, body) = text(f);
        return json!({"msgtype": "text", "text": {"content": format!("{subject}\n{body}")}});
    }
    json!({
        "event": f.kind,
        "organization": f.organization,
        "level": f.level,
        "level_label": f.level_label,
        "campaign": f.campaign,
        "case_id": f.case_id,
        "case_url": f.link,
    })
}
