//! Password hashing with argon2id (the crate's defaults: 19 MiB, 2 passes, 1 lane,
//! OWASP's minimum), in PHC strings so parameters can be raised later.

use argon2::password_hash::rand_core::OsRng;
use argon2::password_hash::{Output, ParamsString, PasswordHash, Salt, SaltString};
use argon2::{Algorithm, Argon2, Block, Params, Version};

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

thread_local! {
    /// The argon2 working memory of this thread, allocated once and reused. A fresh
    /// 19 MiB buffer per hash is what the allocator kept: glibc raises its mmap
    /// threshold after the first such free, so later buffers come from the heap and
    /// stay resident (a flood of 60 sign-ins left 450 MiB). Reused, each password
    /// thread holds exactly one.
    static MEMORY: std::cell::RefCell<Vec<Block>> = const { std::cell::RefCell::new(Vec::new()) };
}

/// Argon2 of `password` with `salt` into an output of `len` bytes, in this thread's memory.
fn argon2_output(
    argon: &Argon2<'_>,
    params: &Params,
    password: &[u8],
    salt: Salt<'_>,
    len: usize,
) -> Result<Output, argon2::password_hash::Error> {
    let mut salt_bytes = [0u8; 64];
    let salt = salt.decode_b64(&mut salt_bytes)?;
    MEMORY.with_borrow_mut(|blocks| {
        let needed = params.block_count();
        if blocks.len() < needed {
            blocks.resize(needed, Block::default());
        }
        Output::init_with(len, |out| {
            Ok(argon.hash_password_into_with_memory(password, salt, out, &mut blocks[..needed])?)
        })
    })
}

/// The PHC string of a new password.
///
/// # Panics
/// Never in practice: hashing fails only on invalid parameters, and these are fixed.
pub fn hash(password: &str) -> String {
    let salt = SaltString::generate(&mut OsRng);
    let params = Params::default();
    let argon = Argon2::new(Algorithm::Argon2id, Version::V0x13, params.clone());
    let output = argon2_output(&argon, &params, password.as_bytes(), salt.as_salt(), Params::DEFAULT_OUTPUT_LEN)
        .expect("argon2 with default parameters");
    PasswordHash {
        algorithm: Algorithm::Argon2id.ident(),
        version: Some(Version::V0x13.into()),
        params: ParamsString::try_from(&params).expect("default parameters"),
        salt: Some(salt.as_salt()),
        hash: Some(output),
    }
    .to_string()
}

/// Whether `password` matches the stored PHC string. With `None` (no such account) a
/// dummy hash is verified all the same, so that the answer takes as long either way
/// and does not tell which e-mail addresses have accounts.
pub fn verify(password: &str, stored: Option<&str>) -> bool {
    static DUMMY: std::sync::OnceLock<String> = std::sync::OnceLock::new();
    let dummy = DUMMY.get_or_init(|| hash("not a password of anyone"));
    let phc = stored.unwrap_or(dummy);
    let Ok(parsed) = PasswordHash::new(phc) else { return false };
    let (Ok(algorithm), Some(salt), Some(expected)) = (Algorithm::try_from(parsed.algorithm), parsed.salt, parsed.hash)
    else {
        return false;
    };
    let version = parsed.version.map_or(Ok(Version::default()), Version::try_from);
    let (Ok(version), Ok(params)) = (version, Params::try_from(&parsed)) else { return false };
    let argon = Argon2::new(algorithm, version, params.clone());
    // `Output` compares in constant time.
    argon2_output(&argon, &params, password.as_bytes(), salt, expected.len()).is_ok_and(|out| out == expected)
        && stored.is_some()
}

/// Password hashes computed at once: each argon2id hash holds 19 MiB for its run, so
/// this bounds what hashing can take (≈ 40 MiB) however many requests arrive.
pub const CONCURRENT_HASHES: usize = 2;
/// Requests that may wait for a hashing slot; more are turned away at once (503),
/// so a flood costs a queue of this length, not memory or threads.
pub const WAITING_HASHES: usize = 32;

/// The one way to run password hashing or verification: on [`CONCURRENT_HASHES`]
/// threads of its own, with at most [`WAITING_HASHES`] jobs waiting. Sign-in and
/// invitations share it, so no anonymous request can make the server hold more than a
/// few argon2 buffers.
///
/// Dedicated threads rather than tokio's blocking pool: the allocator keeps a freed
/// 19 MiB buffer in the arena of the thread that used it, and the blocking pool grows
/// a thread per waiting task, so 34 hashes on 34 pool threads left 650 MiB resident
/// although only two ever ran at once. Two threads keep at most two such buffers.
#[derive(Debug)]
pub struct PasswordWork {
    jobs: std::sync::mpsc::SyncSender<Job>,
}

type Job = Box<dyn FnOnce() + Send>;

/// Every hashing slot is taken and the queue is full: try again in a moment.
#[derive(Debug, PartialEq, Eq, thiserror::Error)]
#[error("the server is busy checking passwords; try again in a moment")]
pub struct Busy;

impl Default for PasswordWork {
    fn default() -> Self {
        let (jobs, queue) = std::sync::mpsc::sync_channel::<Job>(WAITING_HASHES);
        let queue = std::sync::Arc::new(std::sync::Mutex::new(queue));
        for i in 0..CONCURRENT_HASHES {
            let queue = queue.clone();
            std::thread::Builder::new()
                .name(format!("password-{i}"))
                .spawn(move || loop {
                    // The lock is held only to take the next job, not while it runs.
                    let job = queue.lock().unwrap_or_else(std::sync::PoisonError::into_inner).recv();
                    match job {
                        Ok(job) => job(),
                        Err(_) => return, // every sender is gone: the server stopped
                    }
                })
                .expect("start a password thread");
        }
        Self { jobs }
    }
}

impl PasswordWork {
    /// Runs `work` (a hash or a verification) on a password thread.
    ///
    /// # Errors
    /// [`Busy`] when [`WAITING_HASHES`] jobs are already waiting.
    ///
    /// # Panics
    /// When `work` panics.
    pub async fn run<T: Send + 'static>(&self, work: impl FnOnce() -> T + Send + 'static) -> Result<T, Busy> {
        let (done, result) = tokio::sync::oneshot::channel();
        let job: Job = Box::new(move || {
            let _ = done.send(work());
        });
        self.jobs.try_send(job).map_err(|_| Busy)?;
        Ok(result.await.expect("password hashing panicked"))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn hashes_are_standard_phc_strings_that_the_argon2_crate_verifies() {
        use argon2::password_hash::PasswordVerifier as _;
        let phc = hash("correct horse battery");
        let parsed = PasswordHash::new(&phc).unwrap();
        assert!(Argon2::default().verify_password(b"correct horse battery", &parsed).is_ok());
        assert!(Argon2::default().verify_password(b"wrong", &parsed).is_err());
        // And hashes made by the crate's own API (stored before) verify here.
        use argon2::password_hash::PasswordHasher as _;
        let salt = SaltString::generate(&mut OsRng);
        let theirs = Argon2::default().hash_password(b"older password", &salt).unwrap();
        assert!(verify("older password", Some(&theirs.to_string())));
        assert!(!verify("older passwort", Some(&theirs.to_string())));
    }

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
