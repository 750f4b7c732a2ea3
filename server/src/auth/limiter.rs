//! Sign-in attempt limits, per account and per client, kept in memory only: the
//! client's address is held for the window and never written anywhere.
//!
//! An attempt is counted *before* its password is checked ([`LoginLimiter::reserve`])
//! and given back only when it succeeds ([`LoginLimiter::succeed`]). Counting after
//! the check let 200 parallel guesses all pass the "fewer than 5 failures?" test
//! before any of them had failed; with the reservation taken under one lock, N
//! parallel attempts can never exceed the limit.

use std::collections::HashMap;
use std::net::IpAddr;
use std::sync::Mutex;

/// Attempts allowed per account within [`WINDOW_SECS`] (successes are given back).
pub const PER_ACCOUNT: usize = 5;
/// Attempts allowed per client address within [`WINDOW_SECS`].
pub const PER_CLIENT: usize = 20;
/// The sliding window.
pub const WINDOW_SECS: i64 = 15 * 60;

/// Recent sign-in attempts that have not succeeded.
#[derive(Debug, Default)]
pub struct LoginLimiter {
    attempts: Mutex<Attempts>,
}

#[derive(Debug, Default)]
struct Attempts {
    by_account: HashMap<String, Vec<i64>>,
    by_client: HashMap<IpAddr, Vec<i64>>,
}

/// One counted attempt; hand it back to [`LoginLimiter::succeed`] when the password
/// was right. Dropping it leaves it counted as a failure.
#[derive(Debug)]
#[must_use = "a successful sign-in gives its reservation back"]
pub struct Reservation {
    account: String,
    client: Option<IpAddr>,
    at: i64,
}

impl LoginLimiter {
    /// Counts an attempt, or `Err(seconds to wait)` when this account or client has
    /// used up its attempts. The check and the count happen under one lock.
    ///
    /// # Errors
    /// The seconds until the oldest counted attempt leaves the window.
    pub fn reserve(&self, account: &str, client: Option<IpAddr>, now: i64) -> Result<Reservation, i64> {
        let mut a = self.attempts.lock().unwrap_or_else(std::sync::PoisonError::into_inner);
        let account_wait = wait(a.by_account.get_mut(account), PER_ACCOUNT, now);
        let client_wait = client.and_then(|c| wait(a.by_client.get_mut(&c), PER_CLIENT, now));
        if let Some(wait) = account_wait.max(client_wait) {
            return Err(wait);
        }
        // Bound memory: forget everything outside the window once the maps grow.
        if a.by_account.len() + a.by_client.len() > 100_000 {
            a.by_account.retain(|_, times| times.iter().any(|t| now - t < WINDOW_SECS));
            a.by_client.retain(|_, times| times.iter().any(|t| now - t < WINDOW_SECS));
        }
        a.by_account.entry(account.to_owned()).or_default().push(now);
        if let Some(client) = client {
            a.by_client.entry(client).or_default().push(now);
        }
        Ok(Reservation { account: account.to_owned(), client, at: now })
    }

    /// A successful sign-in: its own attempt is given back to the client, and the
    /// account's failures are forgotten.
    pub fn succeed(&self, reservation: Reservation) {
        let mut a = self.attempts.lock().unwrap_or_else(std::sync::PoisonError::into_inner);
        a.by_account.remove(&reservation.account);
        if let Some(times) = reservation.client.and_then(|c| a.by_client.get_mut(&c)) {
            if let Some(i) = times.iter().position(|t| *t == reservation.at) {
                times.swap_remove(i);
            }
        }
    }
}

fn wait(times: Option<&mut Vec<i64>>, limit: usize, now: i64) -> Option<i64> {
    let times = times?;
    times.retain(|t| now - t < WINDOW_SECS);
    (times.len() >= limit).then(|| times.iter().min().map_or(WINDOW_SECS, |oldest| WINDOW_SECS - (now - oldest)).max(1))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn an_account_is_held_back_after_five_attempts_for_the_rest_of_the_window() {
        let limiter = LoginLimiter::default();
        for i in 0..PER_ACCOUNT as i64 {
            assert!(limiter.reserve("a@x", None, 1000 + i).is_ok());
        }
        assert_eq!(limiter.reserve("a@x", None, 1010).unwrap_err(), WINDOW_SECS - 10);
        assert!(limiter.reserve("b@x", None, 1010).is_ok(), "other accounts are unaffected");
        assert!(limiter.reserve("a@x", None, 1000 + WINDOW_SECS + 5).is_ok(), "the window slides");
    }

    #[test]
    fn a_client_is_held_back_across_accounts() {
        let limiter = LoginLimiter::default();
        let client = Some(IpAddr::from([10, 0, 0, 1]));
        for i in 0..PER_CLIENT {
            assert!(limiter.reserve(&format!("user{i}@x"), client, 50).is_ok());
        }
        assert!(limiter.reserve("new@x", client, 51).is_err());
        assert!(limiter.reserve("new@x", Some(IpAddr::from([10, 0, 0, 2])), 51).is_ok());
    }

    #[test]
    fn a_success_gives_its_attempt_back_and_clears_the_account() {
        let limiter = LoginLimiter::default();
        let client = Some(IpAddr::from([10, 0, 0, 1]));
        for _ in 0..PER_ACCOUNT - 1 {
            drop(limiter.reserve("a@x", client, 7).unwrap());
        }
        let right = limiter.reserve("a@x", client, 8).unwrap();
        limiter.succeed(right);
        for _ in 0..PER_ACCOUNT {
            drop(limiter.reserve("a@x", client, 9).expect("the account starts afresh"));
        }
        // 4 failures + 5 more counted against the client; the success is not.
        let used = PER_ACCOUNT - 1 + PER_ACCOUNT;
        for i in used..PER_CLIENT {
            drop(limiter.reserve(&format!("u{i}@x"), client, 9).unwrap());
        }
        assert!(limiter.reserve("z@x", client, 9).is_err());
    }

    #[test]
    fn parallel_attempts_never_exceed_the_limit() {
        let limiter = std::sync::Arc::new(LoginLimiter::default());
        let admitted: usize = std::thread::scope(|s| {
            let handles: Vec<_> = (0..200)
                .map(|_| {
                    let limiter = limiter.clone();
                    s.spawn(move || limiter.reserve("a@x", None, 1).map(drop).is_ok())
                })
                .collect();
            handles.into_iter().map(|h| usize::from(h.join().unwrap())).sum()
        });
        assert_eq!(admitted, PER_ACCOUNT);
    }
}
