//! Password hashing with argon2id (the crate's defaults: 19 MiB, 2 passes, 1 lane,
//! OWASP's minimum), in PHC strings so parameters can be raised later.

use argon2::password_hash::rand_core::OsRng;
use argon2::password_hash::{PasswordHash, PasswordHasher as _, PasswordVerifier as _, SaltString};
use argon2::Argon2;

/// Fewest characters a password may have.
pub const MIN_LENGTH: usize = 10;

/// Why a new password is refused.
#[derive(Debug, PartialEq, Eq, thiserror::Error)]
pub enum PasswordRuleError {
    /// Too short.
    #[error("the password must have at least {MIN_LENGTH} characters")]
    TooShort,
    /// Absurdly long (hashing it would be a denial of service).
    #[error("the password must have at most 256 characters")]
    TooLong,
}

/// Checks a new password against the rules.
///
/// # Errors
/// The rule broken.
pub fn check_new(password: &str) -> Result<(), PasswordRuleError> {
    match password.chars().count() {
        n if n < MIN_LENGTH => Err(PasswordRuleError::TooShort),
        n if n > 256 => Err(PasswordRuleError::TooLong),
        _ => Ok(()),
    }
}

/// The PHC string of a new password.
///
/// # Panics
/// Never in practice: hashing fails only on invalid parameters, and these are fixed.
pub fn hash(password: &str) -> String {
    let salt = SaltString::generate(&mut OsRng);
    Argon2::default().hash_password(password.as_bytes(), &salt).expect("argon2 with default parameters").to_string()
}

/// Whether `password` matches the stored PHC string. With `None` (no such account) a
/// dummy hash is verified all the same, so that the answer takes as long either way
/// and does not tell which e-mail addresses have accounts.
pub fn verify(password: &str, stored: Option<&str>) -> bool {
    static DUMMY: std::sync::OnceLock<String> = std::sync::OnceLock::new();
    let dummy = DUMMY.get_or_init(|| hash("not a password of anyone"));
    let phc = stored.unwrap_or(dummy);
    let Ok(parsed) = PasswordHash::new(phc) else { return false };
    Argon2::default().verify_password(password.as_bytes(), &parsed).is_ok() && stored.is_some()
}

/// Password hashes computed at once: each argon2id hash holds 19 MiB for its run, so
/// this bounds what hashing can take (≈ 40 MiB) however many requests arrive.
pub const CONCURRENT_HASHES: usize = 2;
/// Requests that may wait for a hashing slot; more are turned away at once (503),
/// so a flood costs a queue of this length, not memory or threads.
pub const WAITING_HASHES: usize = 32;

/// The one way to run password hashing or verification: on the blocking pool, at
/// most [`CONCURRENT_HASHES`] at a time, with at most [`WAITING_HASHES`] waiting.
/// Sign-in and invitations share it, so no anonymous request can make the server
/// hold more than a few argon2 buffers.
#[derive(Debug)]
pub struct PasswordWork {
    slots: std::sync::Arc<tokio::sync::Semaphore>,
    queued: std::sync::atomic::AtomicUsize,
}

/// Every hashing slot is taken and the queue is full: try again in a moment.
#[derive(Debug, PartialEq, Eq, thiserror::Error)]
#[error("the server is busy checking passwords; try again in a moment")]
pub struct Busy;

impl Default for PasswordWork {
    fn default() -> Self {
        Self {
            slots: std::sync::Arc::new(tokio::sync::Semaphore::new(CONCURRENT_HASHES)),
            queued: std::sync::atomic::AtomicUsize::new(0),
        }
    }
}

impl PasswordWork {
    /// Runs `work` (a hash or a verification) in a slot.
    ///
    /// # Errors
    /// [`Busy`] when [`WAITING_HASHES`] requests are already waiting.
    ///
    /// # Panics
    /// When `work` panics.
    pub async fn run<T: Send + 'static>(&self, work: impl FnOnce() -> T + Send + 'static) -> Result<T, Busy> {
        use std::sync::atomic::Ordering;
        // Counted until this future ends, however it ends (a client that goes away
        // cancels it): the guard gives the place back.
        struct Place<'a>(&'a std::sync::atomic::AtomicUsize);
        impl Drop for Place<'_> {
            fn drop(&mut self) {
                self.0.fetch_sub(1, Ordering::SeqCst);
            }
        }
        let before = self.queued.fetch_add(1, Ordering::SeqCst);
        let _place = Place(&self.queued);
        if before >= CONCURRENT_HASHES + WAITING_HASHES {
            return Err(Busy);
        }
        let slot = self.slots.clone().acquire_owned().await.map_err(|_| Busy)?;
        // The slot moves into the blocking task: a request cancelled mid-hash (its
        // client went away) still holds it until the hash is done, so hashes never
        // outnumber the slots.
        let done = tokio::task::spawn_blocking(move || {
            let out = work();
            drop(slot);
            out
        });
        Ok(done.await.expect("password hashing panicked"))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn hashes_verify_only_their_password() {
        let phc = hash("correct horse battery");
        assert!(phc.starts_with("$argon2id$"));
        assert!(verify("correct horse battery", Some(&phc)));
        assert!(!verify("correct horse batterY", Some(&phc)));
        assert!(!verify("correct horse battery", None));
        assert_ne!(phc, hash("correct horse battery"), "salted");
    }

    #[test]
    fn new_passwords_follow_the_rules() {
        assert_eq!(check_new("short"), Err(PasswordRuleError::TooShort));
        assert_eq!(check_new("long enough"), Ok(()));
        assert_eq!(check_new(&"x".repeat(300)), Err(PasswordRuleError::TooLong));
    }
}
