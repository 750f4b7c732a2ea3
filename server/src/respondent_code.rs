//! Respondent codes: what a respondent can quote to a counselor, and nothing more.

use rand::Rng;

/// Crockford's base32 alphabet: no I, L, O or U, so a code read aloud or copied by
/// hand is not misread.
pub const ALPHABET: &[u8; 32] = b"0123456789ABCDEFGHJKMNPQRSTVWXYZ";

/// A fresh random code of 8 characters (40 bits).
pub fn generate() -> String {
    random_code(8)
}

/// A one-time access code of a coded campaign: 10 characters (50 bits), longer than a
/// respondent code so the two can never be confused or collide.
pub fn access_code() -> String {
    random_code(10)
}

fn random_code(len: usize) -> String {
    let mut rng = rand::rng();
    (0..len).map(|_| ALPHABET[rng.random_range(0..32)] as char).collect()
}

/// An access code as a person typed it: case, spaces and dashes ignored, and the
/// letters Crockford reads as digits (I, L → 1; O → 0) mapped. `None` if it cannot be one.
pub fn normalize_access_code(typed: &str) -> Option<String> {
    let code: String = typed
        .chars()
        .filter(|c| !c.is_whitespace() && *c != '-')
        .map(|c| match c.to_ascii_uppercase() {
            'I' | 'L' => '1',
            'O' => '0',
            other => other,
        })
        .collect();
    (code.len() == 10 && code.bytes().all(|b| ALPHABET.contains(&b))).then_some(code)
}

#[cfg(test)]
mod tests {
    #[test]
    fn codes_are_eight_crockford_characters() {
        for _ in 0..100 {
            let code = super::generate();
            assert_eq!(code.len(), 8);
            assert!(code.bytes().all(|b| super::ALPHABET.contains(&b)), "{code}");
        }
    }

    #[test]
    fn typed_access_codes_are_normalized() {
        assert_eq!(super::normalize_access_code("abcde-fghjk").as_deref(), Some("ABCDEFGHJK"));
        assert_eq!(super::normalize_access_code(" 0o1il 23456 ").as_deref(), Some("0011123456"));
        assert_eq!(super::normalize_access_code("ABCDE"), None);
        assert_eq!(super::normalize_access_code("ABCDEFGHJU"), None);
    }
}
