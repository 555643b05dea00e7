//! The private-network guard: which addresses a fetched URL must not reach, the check of a
//! URL's literal host, and the resolver that drops non-public answers after DNS resolution.
//! A refusal and a failed lookup are typed errors ([`Refused`], [`DnsFailure`]) so the client's
//! errors are classified by type, never by their message.

use std::net::{IpAddr, SocketAddr};

/// A request refused by the guard, with the reason (the URL in it redacted).
#[derive(Debug, Clone, thiserror::Error)]
#[error("refused: {0}")]
pub struct Refused(pub String);

/// A name that did not resolve.
#[derive(Debug, thiserror::Error)]
#[error("DNS lookup of {host} failed: {source}")]
pub struct DnsFailure {
    pub host: String,
    pub source: std::io::Error,
}

/// True for addresses a fetched URL must not reach unless private networks are allowed:
/// loopback, RFC 1918, link-local, CGNAT, unique-local, multicast, unspecified, broadcast,
/// documentation ranges, and IPv4 addresses hidden in IPv6.
pub fn is_non_public(ip: IpAddr) -> bool {
    match ip {
        IpAddr::V4(v4) => {
            let o = v4.octets();
            v4.is_loopback()
                || v4.is_private()
                || v4.is_link_local()
                || v4.is_unspecified()
                || v4.is_broadcast()
                || v4.is_multicast()
                || v4.is_documentation()
                || (o[0] == 100 && (o[1] & 0xc0) == 64) // 100.64.0.0/10, RFC 6598
                || o[0] == 0
                || o[0] >= 240
        }
        IpAddr::V6(v6) => {
            if let Some(v4) = v6.to_ipv4_mapped() {
                return is_non_public(IpAddr::V4(v4));
            }
            let s = v6.segments();
            v6.is_loopback()
                || v6.is_unspecified()
                || v6.is_multicast()
                || (s[0] & 0xfe00) == 0xfc00 // fc00::/7 unique local, RFC 4193
                || (s[0] & 0xffc0) == 0xfe80 // fe80::/10 link-local
                || (s[0] == 0x2001 && s[1] == 0x0db8) // documentation, RFC 3849
                || (s[0] == 0 && s[1] == 0 && s[2] == 0 && s[3] == 0 && s[4] == 0 && s[5] == 0) // IPv4-compatible
        }
    }
}

/// Whether `url` may be fetched; the refusal names the URL with any password redacted.
pub(super) fn check_url_host(url: &url::Url, allow_private: bool) -> Result<(), String> {
    let shown = || crate::config::redact_url(url.as_str());
    if !matches!(url.scheme(), "http" | "https") {
        return Err(format!("{}: only http and https are fetched", shown()));
    }
    if allow_private {
        return Ok(());
    }
    let ip = match url.host() {
        Some(url::Host::Ipv4(v4)) => IpAddr::V4(v4),
        Some(url::Host::Ipv6(v6)) => IpAddr::V6(v6),
        Some(url::Host::Domain(d)) if d.eq_ignore_ascii_case("localhost") => {
            return Err(format!(
                "{}: localhost is a private address (set http.allow_private_networks = true to allow)",
                shown()
            ));
        }
        _ => return Ok(()),
    };
    if is_non_public(ip) {
        return Err(format!(
            "{}: {ip} is a private address (set http.allow_private_networks = true to allow)",
            shown()
        ));
    }
    Ok(())
}

/// The system resolver, with non-public answers removed unless allowed.
pub(super) struct GuardedResolver {
    pub allow_private: bool,
}

impl reqwest::dns::Resolve for GuardedResolver {
    fn resolve(&self, name: reqwest::dns::Name) -> reqwest::dns::Resolving {
        let allow_private = self.allow_private;
        let host = name.as_str().to_string();
        Box::pin(async move {
            let addrs: Vec<SocketAddr> = tokio::net::lookup_host((host.as_str(), 0))
                .await
                .map_err(|source| DnsFailure {
                    host: host.clone(),
                    source,
                })?
                .collect();
            let total = addrs.len();
            let kept: Vec<SocketAddr> = addrs
                .into_iter()
                .filter(|a| allow_private || !is_non_public(a.ip()))
                .collect();
            if kept.is_empty() && total > 0 {
                return Err(Refused(format!(
                    "{host} resolves only to private addresses (set http.allow_private_networks = true to allow)"
                ))
                .into());
            }
            Ok(Box::new(kept.into_iter()) as reqwest::dns::Addrs)
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn private_ranges_are_recognised() {
        for ip in [
            "127.0.0.1",
            "10.1.2.3",
            "172.16.0.1",
            "192.168.1.1",
            "169.254.169.254",
            "100.64.0.1",
            "0.0.0.0",
            "::1",
            "fe80::1",
            "fd00::1",
            "::ffff:127.0.0.1",
        ] {
            assert!(is_non_public(ip.parse().unwrap()), "{ip}");
        }
        for ip in ["93.184.216.34", "1.1.1.1", "2606:4700:4700::1111"] {
            assert!(!is_non_public(ip.parse().unwrap()), "{ip}");
        }
    }

    #[test]
    fn literal_private_hosts_are_refused_unless_allowed() {
        let url = url::Url::parse("http://127.0.0.1:8080/feed").unwrap();
        assert!(check_url_host(&url, false).unwrap_err().contains("private"));
        assert!(check_url_host(&url, true).is_ok());
        let local = url::Url::parse("http://localhost/feed").unwrap();
        assert!(check_url_host(&local, false).is_err());
        let secret = url::Url::parse("http://u:pw123@10.0.0.1/feed").unwrap();
        let why = check_url_host(&secret, false).unwrap_err();
        assert!(!why.contains("pw123") && why.contains("u:***@"), "{why}");
    }
}
