//! Posting to an organization's webhook without letting an organization admin point
//! the server into the district's network: the host must resolve to public addresses
//! only (unless `--allow-private-webhooks`), the request goes to the address checked
//! (no second lookup to rebind), redirects are not followed and the answer is not read.

use std::net::{IpAddr, SocketAddr};
use std::time::Duration;

use super::WebhookError;

/// One delivery may take this long.
pub const TIMEOUT: Duration = Duration::from_secs(10);

/// Checks the shape of a webhook URL (before it is saved).
///
/// # Errors
/// [`WebhookError::NotHttp`] or [`WebhookError::TooLong`].
pub fn parse(url: &str) -> Result<reqwest::Url, WebhookError> {
    if url.len() > 2000 {
        return Err(WebhookError::TooLong);
    }
    let parsed = reqwest::Url::parse(url).map_err(|_| WebhookError::NotHttp)?;
    if !matches!(parsed.scheme(), "http" | "https") || parsed.host_str().is_none_or(str::is_empty) {
        return Err(WebhookError::NotHttp);
    }
    Ok(parsed)
}

/// Whether an address is reachable from the public internet (not loopback, private,
/// link-local, shared, multicast or unspecified).
pub fn is_public(ip: IpAddr) -> bool {
    match ip {
        IpAddr::V4(v4) => {
            let [a, b, ..] = v4.octets();
            !(v4.is_loopback()
                || v4.is_private()
                || v4.is_link_local()
                || v4.is_unspecified()
                || v4.is_broadcast()
                || v4.is_multicast()
                || v4.is_documentation()
                || a == 0
                || (a == 100 && (64..128).contains(&b))
                || (a == 198 && (18..20).contains(&b)))
        }
        IpAddr::V6(v6) => {
            if let Some(v4) = v6.to_ipv4_mapped() {
                return is_public(IpAddr::V4(v4));
            }
            let first = v6.segments()[0];
            !(v6.is_loopback()
                || v6.is_unspecified()
                || v6.is_multicast()
                || (first & 0xfe00) == 0xfc00
                || (first & 0xffc0) == 0xfe80)
        }
    }
}

/// Resolves the URL's host to the address to post to.
///
/// # Errors
/// [`WebhookError::Unresolved`], or [`WebhookError::Private`] unless `allow_private`.
pub async fn resolve(url: &reqwest::Url, allow_private: bool) -> Result<SocketAddr, WebhookError> {
    let host = url.host_str().ok_or(WebhookError::NotHttp)?;
    let port = url.port_or_known_default().ok_or(WebhookError::NotHttp)?;
    let host = host.trim_start_matches('[').trim_end_matches(']');
    let addrs: Vec<SocketAddr> =
        tokio::net::lookup_host((host, port)).await.map_err(|_| WebhookError::Unresolved)?.collect();
    if addrs.is_empty() {
        return Err(WebhookError::Unresolved);
    }
    if !allow_private && addrs.iter().any(|a| !is_public(a.ip())) {
        return Err(WebhookError::Private);
    }
    Ok(addrs[0])
}

/// Posts `body` to the webhook; a 2xx answer is delivery.
///
/// # Errors
/// A short cause (never the body): refused address, connection, timeout or status.
pub async fn post(url: &str, body: &serde_json::Value, allow_private: bool) -> Result<(), String> {
    let url = parse(url).map_err(|e| e.to_string())?;
    let addr = resolve(&url, allow_private).await.map_err(|e| e.to_string())?;
    let host = url.host_str().unwrap_or_default().to_owned();
    let client = reqwest::Client::builder()
        .redirect(reqwest::redirect::Policy::none())
        .timeout(TIMEOUT)
        .resolve(&host, addr)
        .build()
        .map_err(|_| "client".to_owned())?;
    let response = client.post(url).json(body).send().await.map_err(|e| {
        if e.is_timeout() {
            "timeout".to_owned()
        } else {
            "connection".to_owned()
        }
    })?;
    let status = response.status();
    if status.is_success() {
        Ok(())
    } else {
        Err(format!("status {}", status.as_u16()))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn only_public_addresses_are_public() {
        for private in [
            "127.0.0.1",
            "10.1.2.3",
            "172.16.0.1",
            "192.168.1.1",
            "169.254.169.254",
            "100.64.0.1",
            "0.0.0.0",
            "::1",
            "fd00::1",
            "fe80::1",
            "::ffff:10.0.0.1",
        ] {
            assert!(!is_public(private.parse().unwrap()), "{private}");
        }
        for public in ["8.8.8.8", "202.96.128.86", "2400:3200::1"] {
            assert!(is_public(public.parse().unwrap()), "{public}");
        }
    }

    #[test]
    fn webhook_urls_are_http_with_a_host() {
        assert!(parse("https://qyapi.weixin.qq.com/cgi-bin/webhook/send?key=x").is_ok());
        for bad in ["ftp://example.org/", "file:///etc/passwd", "https://", "not a url", "javascript:alert(1)"] {
            assert!(parse(bad).is_err(), "{bad}");
        }
    }
}
