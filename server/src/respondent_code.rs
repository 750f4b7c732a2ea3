//! Respondent codes: what a respondent can quote to a counselor, and nothing more.

use rand::Rng;

/// Crockford's base32 alphabet: no I, L, O or U, so a code read aloud or copied by
/// hand is not misread.
const ALPHABET: &[u8; 32] = b"0123456789ABCDEFGHJKMNPQRSTVWXYZ";

/// A fresh random code of 8 characters (40 bits).
pub fn generate() -> String {
    let mut rng = rand::rng();
    (0..8).map(|_| ALPHABET[rng.random_range(0..32)] as char).collect()
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
}
