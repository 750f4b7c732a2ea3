//! The "no names, no numbers" guard of free text: a counselor's note must not carry
//! something that identifies a person. Names cannot be recognised reliably, but the
//! three identifiers that appear in Chinese school records can: a mainland mobile
//! number, an 18-character resident identity number and an e-mail address.
//!
//! The server refuses such text (422 naming the field) and the staff app runs the same
//! check before sending, so the form can say why. Full-width digits and `＠` count as
//! their ASCII forms, and spaces, hyphens and dots between digits are ignored, because
//! `138 1234 5678` and `１３８１２３４５６７８` identify as well as `13812345678`.

/// What kind of identifier a text contains.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Identifier {
    /// An 11-digit mainland mobile number (`1[3-9]…`), with or without `+86`.
    MobileNumber,
    /// An 18-character resident identity number (17 digits, then a digit or `X`).
    ResidentId,
    /// An e-mail address.
    EmailAddress,
}

impl Identifier {
    /// Why the text is refused, in Chinese and English.
    pub fn reason(self) -> &'static str {
        match self {
            Self::MobileNumber => "不得填写手机号码 / must not contain a mobile number",
            Self::ResidentId => "不得填写身份证号码 / must not contain a resident ID number",
            Self::EmailAddress => "不得填写电子邮箱 / must not contain an e-mail address",
        }
    }
}

/// The first identifier found in `text`, if any.
///
/// # Example
/// ```
/// use instruments::identifiers::{find_identifier, Identifier};
/// assert_eq!(find_identifier("家长电话 138 1234 5678"), Some(Identifier::MobileNumber));
/// assert_eq!(find_identifier("约谈 3 次，第 12 周复查"), None);
/// ```
pub fn find_identifier(text: &str) -> Option<Identifier> {
    let chars: Vec<char> = text.chars().map(normalize).collect();
    digit_runs(&chars)
        .into_iter()
        .find_map(classify_run)
        .or_else(|| has_email(&chars).then_some(Identifier::EmailAddress))
}

/// Full-width ASCII (digits, letters, `＠`, `．`) as ASCII; everything else unchanged.
fn normalize(c: char) -> char {
    match c {
        '\u{FF01}'..='\u{FF5E}' => char::from_u32(c as u32 - 0xFEE0).unwrap_or(c),
        '\u{3002}' => '.',
        _ => c,
    }
}

/// Maximal runs of digits (and a trailing `X` when it ends an 18-character run),
/// joined across single spaces, hyphens and dots.
fn digit_runs(chars: &[char]) -> Vec<String> {
    let mut runs = Vec::new();
    let mut run = String::new();
    let mut i = 0;
    while i < chars.len() {
        let c = chars[i];
        if c.is_ascii_digit() {
            run.push(c);
        } else if !run.is_empty()
            && matches!(c, ' ' | '-' | '.' | '\u{2014}' | '\u{2013}')
            && chars.get(i + 1).is_some_and(char::is_ascii_digit)
        {
            // A separator inside a number: skip it.
        } else if !run.is_empty() && matches!(c, 'X' | 'x') && run.len() == 17 {
            run.push('X');
            runs.push(std::mem::take(&mut run));
        } else if !run.is_empty() {
            runs.push(std::mem::take(&mut run));
        }
        i += 1;
    }
    if !run.is_empty() {
        runs.push(run);
    }
    runs
}

fn classify_run(run: String) -> Option<Identifier> {
    let b = run.as_bytes();
    let mobile = |d: &[u8]| d.len() == 11 && d[0] == b'1' && (b'3'..=b'9').contains(&d[1]);
    if mobile(b) || (b.len() == 13 && b.starts_with(b"86") && mobile(&b[2..])) {
        return Some(Identifier::MobileNumber);
    }
    if b.len() == 18 && plausible_birth_date(&b[6..14]) {
        return Some(Identifier::ResidentId);
    }
    None
}

/// `YYYYMMDD` of a resident ID: born 1900–2099, a real month, a day 01–31. A run of
/// 18 digits without a date there (an order number, say) is not refused.
fn plausible_birth_date(d: &[u8]) -> bool {
    let n = |r: std::ops::Range<usize>| {
        d[r].iter().try_fold(0u32, |acc, c| c.is_ascii_digit().then(|| acc * 10 + u32::from(c - b'0')))
    };
    matches!((n(0..4), n(4..6), n(6..8)), (Some(1900..=2099), Some(1..=12), Some(1..=31)))
}

/// `local@domain.tld`: at least one address character before `@`, and a domain with a
/// dot followed by at least two letters.
fn has_email(chars: &[char]) -> bool {
    let local = |c: &char| c.is_ascii_alphanumeric() || matches!(c, '.' | '_' | '%' | '+' | '-');
    let domain = |c: &char| c.is_ascii_alphanumeric() || matches!(c, '.' | '-');
    chars.iter().enumerate().any(|(at, c)| {
        if *c != '@' || at == 0 || !local(&chars[at - 1]) {
            return false;
        }
        let host: String = chars[at + 1..].iter().take_while(|c| domain(c)).collect();
        let mut labels = host.trim_end_matches('.').rsplit('.');
        let tld = labels.next().unwrap_or("");
        labels.next().is_some_and(|l| !l.is_empty()) && tld.len() >= 2 && tld.chars().all(|c| c.is_ascii_alphabetic())
    })
}

#[cfg(test)]
mod tests {
    use super::{find_identifier, Identifier::*};

    #[test]
    fn real_looking_identifiers_are_found() {
        let cases = [
            ("13812345678", MobileNumber),
            ("家长电话：13912345678。", MobileNumber),
            ("tel 138 1234 5678", MobileNumber),
            ("138-1234-5678", MobileNumber),
            ("+86 138 1234 5678", MobileNumber),
            ("+8619912345678", MobileNumber),
            ("手机１３８１２３４５６７８", MobileNumber),
            ("身份证 110105200801012345", ResidentId),
            ("11010520080101234X", ResidentId),
            ("id 11010520080101234x ok", ResidentId),
            ("110105 20080101 2345", ResidentId),
            ("mail li.ming@school.edu.cn please", EmailAddress),
            ("a@b.cn", EmailAddress),
            ("邮箱 wang２００８＠qq．com", EmailAddress),
        ];
        for (text, kind) in cases {
            assert_eq!(find_identifier(text), Some(kind), "{text}");
        }
    }

    #[test]
    fn near_misses_are_not_refused() {
        for text in [
            "",
            "约谈 3 次，第 12 周复查，PHQ-9 总分下降",
            "12345678901",           // 11 digits, but 12… is no mobile prefix
            "1381234567",            // 10 digits
            "138123456789",          // 12 digits
            "2026-12-03 14:30 面谈", // a date and time
            "110105200813012345",    // month 13: not a birth date
            "1101052008010123456",   // 19 digits
            "@班主任 请跟进",        // a mention, not an address
            "user@localhost",        // no domain dot
            "比例 3.5 / 10",
        ] {
            assert_eq!(find_identifier(text), None, "{text}");
        }
    }
}
