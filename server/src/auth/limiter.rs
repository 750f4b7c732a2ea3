//! Sign-in attempt limits, per account and per client, kept in memory only: the
//! client's address is held for the window and never written anywhere.

use std::collections::HashMap;
use std::net::IpAddr;
use std::sync::Mutex;

/// Failures allowed per account within [`WINDOW_SECS`].
pub const PER_ACCOUNT: usize = 5;
/// Failures allowed per client address within [`WINDOW_SECS`].
pub const PER_CLIENT: usize = 20;
/// The sliding window.
pub const WINDOW_SECS: i64 = 15 * 60;

/// Recent failed sign-ins.
#[derive(Debug, Default)]
pub struct LoginLimiter {
    failures: Mutex<Failures>,
}

#[derive(Debug, Default)]
struct Failures {
    by_account: HashMap<String, Vec<i64>>,
    by_client: HashMap<IpAddr, Vec<i64>>,
}

impl LoginLimiter {
    /// `Some(seconds to wait)` when this account or client has failed too often.
    pub fn check(&self, account: &str, client: Option<IpAddr>, now: i64) -> Option<i64> {
        let mut f = self.failures.lock().unwrap_or_else(std::sync::PoisonError::into_inner);
        let account_wait = wait(f.by_account.get_mut(account), PER_ACCOUNT, now);
        let client_wait = client.and_then(|c| wait(f.by_client.get_mut(&c), PER_CLIENT, now));
        account_wait.max(client_wait)
    }

    /// Records a failed attempt.
    pub fn fail(&self, account: &str, client: Option<IpAddr>, now: i64) {
        let mut f = self.failures.lock().unwrap_or_else(std::sync::PoisonError::into_inner);
        // Bound memory: forget everything outside the window once the maps grow.
        if f.by_account.len() + f.by_client.len() > 100_000 {
            f.by_account.retain(|_, times| times.iter().any(|t| now - t < WINDOW_SECS));
            f.by_client.retain(|_, times| times.iter().any(|t| now - t < WINDOW_SECS));
        }
        f.by_account.entry(account.to_owned()).or_default().push(now);
        if let Some(client) = client {
            f.by_client.entry(client).or_default().push(now);
        }
    }

    /// A successful sign-in clears the account's failures (not the client's).
    pub fn succeed(&self, account: &str) {
        let mut f = self.failures.lock().unwrap_or_else(std::sync::PoisonError::into_inner);
        f.by_account.remove(account);
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
    fn an_account_is_held_back_after_five_failures_for_the_rest_of_the_window() {
        let limiter = LoginLimiter::default();
        for i in 0..PER_ACCOUNT as i64 {
            assert_eq!(limiter.check("a@x", None, 1000 + i), None);
            limiter.fail("a@x", None, 1000 + i);
        }
        assert_eq!(limiter.check("a@x", None, 1010), Some(WINDOW_SECS - 10));
        assert_eq!(limiter.check("b@x", None, 1010), None, "other accounts are unaffected");
        assert_eq!(limiter.check("a@x", None, 1000 + WINDOW_SECS + 5), None, "the window slides");
    }

    #[test]
    fn a_client_is_held_back_across_accounts() {
        let limiter = LoginLimiter::default();
        let client = Some(IpAddr::from([10, 0, 0, 1]));
        for i in 0..PER_CLIENT {
            limiter.fail(&format!("user{i}@x"), client, 50);
        }
        assert!(limiter.check("new@x", client, 51).is_some());
        assert_eq!(limiter.check("new@x", Some(IpAddr::from([10, 0, 0, 2])), 51), None);
    }
}
