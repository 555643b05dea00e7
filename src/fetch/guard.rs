//! The private-network guard: which addresses a fetched URL must not reach ([`Policy`]: the
//! non-public ranges less `[http] allow_hosts`), the check of a URL's literal host, the
//! resolver that drops forbidden answers after DNS resolution, and the check made before a
//! request goes through a proxy (which resolves names itself).
//! A refusal and a failed lookup are typed errors ([`Refused`], [`DnsFailure`]) so the client's
//! errors are classified by type, never by their message.

use std::net::{IpAddr, SocketAddr};

use crate::config::AllowedHost;

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

/// Where fetched URLs may go: public addresses, and non-public ones only when private
/// networks are allowed or the host or network is in `[http] allow_hosts`.
#[derive(Debug, Clone, Default)]
pub(super) struct Policy {
    pub allow_private: bool,
    names: Vec<String>,
    nets: Vec<ipnet::IpNet>,
}

const HOW_TO_ALLOW: &str =
    "(add it to http.allow_hosts, or set http.allow_private_networks = true, to allow)";

impl Policy {
    pub fn new(allow_private: bool, allow_hosts: &[String]) -> Result<Policy, String> {
        let mut policy = Policy {
            allow_private,
            ..Policy::default()
        };
        for entry in allow_hosts {
            match AllowedHost::parse(entry)? {
                AllowedHost::Name(n) => policy.names.push(n),
                AllowedHost::Net(n) => policy.nets.push(n),
            }
        }
        Ok(policy)
    }

    fn allows_ip(&self, ip: IpAddr) -> bool {
        self.allow_private || !is_non_public(ip) || self.nets.iter().any(|n| n.contains(&ip))
    }

    fn allows_name(&self, name: &str) -> bool {
        let name = name.trim_end_matches('.');
        self.allow_private || self.names.iter().any(|n| n.eq_ignore_ascii_case(name))
    }

    /// Whether `url` may be fetched as far as its text tells (scheme, literal address,
    /// `localhost`); names are checked when they are resolved. The refusal names the URL
    /// with any password redacted.
    pub fn check_url(&self, url: &url::Url) -> Result<(), String> {
        let shown = || crate::config::redact_url(url.as_str());
        if !matches!(url.scheme(), "http" | "https") {
            return Err(format!("{}: only http and https are fetched", shown()));
        }
        let ip = match url.host() {
            Some(url::Host::Ipv4(v4)) => IpAddr::V4(v4),
            Some(url::Host::Ipv6(v6)) => IpAddr::V6(v6),
            Some(url::Host::Domain(d)) if is_localhost(d) && !self.allows_name(d) => {
                return Err(format!(
                    "{}: localhost is a private address {HOW_TO_ALLOW}",
                    shown()
                ));
            }
            _ => return Ok(()),
        };
        if !self.allows_ip(ip) {
            return Err(format!(
                "{}: {ip} is a private address {HOW_TO_ALLOW}",
                shown()
            ));
        }
        Ok(())
    }

    /// The addresses `host` resolves to that may be reached: all of them for an allowed
    /// name, else the allowed ones; refused when it resolves only to forbidden addresses.
    pub async fn resolve(&self, host: &str, port: u16) -> Result<Vec<SocketAddr>, GuardError> {
        let addrs: Vec<SocketAddr> = tokio::net::lookup_host((host, port))
            .await
            .map_err(|source| DnsFailure {
                host: host.to_string(),
                source,
            })?
            .collect();
        if self.allows_name(host) {
            return Ok(addrs);
        }
        let total = addrs.len();
        let kept: Vec<SocketAddr> = addrs
            .into_iter()
            .filter(|a| self.allows_ip(a.ip()))
            .collect();
        if kept.is_empty() && total > 0 {
            return Err(Refused(format!(
                "{host} resolves only to private addresses {HOW_TO_ALLOW}"
            ))
            .into());
        }
        Ok(kept)
    }

    /// With a proxy, which resolves names itself, every name is resolved and checked here
    /// first: a name with any forbidden address is refused.
    pub async fn check_through_proxy(&self, url: &url::Url) -> Result<(), GuardError> {
        let Some(url::Host::Domain(host)) = url.host() else {
            return Ok(());
        };
        if self.allows_name(host) {
            return Ok(());
        }
        let port = url.port_or_known_default().unwrap_or(80);
        let addrs = self.resolve(host, port).await?;
        if let Some(bad) = addrs.iter().find(|a| !self.allows_ip(a.ip())) {
            return Err(Refused(format!(
                "{host} resolves to the private address {} {HOW_TO_ALLOW}",
                bad.ip()
            ))
            .into());
        }
        Ok(())
    }
}

fn is_localhost(name: &str) -> bool {
    let name = name.trim_end_matches('.').to_ascii_lowercase();
    name == "localhost" || name.ends_with(".localhost")
}

/// Why the guard stopped a request: a refusal, or a name that did not resolve.
#[derive(Debug, thiserror::Error)]
pub(super) enum GuardError {
    #[error(transparent)]
    Refused(#[from] Refused),
    #[error(transparent)]
    Dns(#[from] DnsFailure),
}

/// The system resolver, with forbidden answers removed.
pub(super) struct GuardedResolver {
    pub policy: std::sync::Arc<Policy>,
}

impl reqwest::dns::Resolve for GuardedResolver {
    fn resolve(&self, name: reqwest::dns::Name) -> reqwest::dns::Resolving {
        let policy = self.policy.clone();
        let host = name.as_str().to_string();
        Box::pin(async move {
            let kept = policy.resolve(&host, 0).await.map_err(|e| match e {
                GuardError::Refused(r) => Box::new(r) as Box<dyn std::error::Error + Send + Sync>,
                GuardError::Dns(d) => Box::new(d),
            })?;
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

    fn check(policy: &Policy, url: &str) -> Result<(), String> {
        policy.check_url(&url::Url::parse(url).unwrap())
    }

    #[test]
    fn literal_private_hosts_are_refused_unless_allowed() {
        let closed = Policy::new(false, &[]).unwrap();
        let open = Policy::new(true, &[]).unwrap();
        let url = "http://127.0.0.1:8080/feed";
        assert!(check(&closed, url).unwrap_err().contains("private"));
        assert!(check(&open, url).is_ok());
        assert!(check(&closed, "http://localhost/feed").is_err());
        assert!(check(&closed, "http://app.localhost./feed").is_err());
        let why = check(&closed, "http://u:pw123@10.0.0.1/feed").unwrap_err();
        assert!(!why.contains("pw123") && why.contains("u:***@"), "{why}");
    }

    #[test]
    fn allowed_hosts_and_networks_open_only_themselves() {
        let hosts = [
            "127.0.0.2".to_string(),
            "10.9.0.0/16".into(),
            "localhost".into(),
        ];
        let p = Policy::new(false, &hosts).unwrap();
        assert!(check(&p, "http://127.0.0.2:8080/feed").is_ok());
        assert!(check(&p, "http://10.9.200.1/feed").is_ok());
        assert!(check(&p, "http://localhost/feed").is_ok());
        assert!(check(&p, "http://127.0.0.1:8080/feed").is_err());
        assert!(check(&p, "http://10.8.0.1/feed").is_err());
    }

    #[tokio::test]
    async fn names_are_checked_after_resolution() {
        let closed = Policy::new(false, &[]).unwrap();
        assert!(matches!(
            closed.resolve("localhost", 80).await,
            Err(GuardError::Refused(_))
        ));
        let proxy_check = |u: &str| url::Url::parse(u).unwrap();
        assert!(
            closed
                .check_through_proxy(&proxy_check("http://localhost:9/"))
                .await
                .is_err()
        );
        let named = Policy::new(false, &["localhost".to_string()]).unwrap();
        assert!(!named.resolve("localhost", 80).await.unwrap().is_empty());
        assert!(
            named
                .check_through_proxy(&proxy_check("http://localhost:9/"))
                .await
                .is_ok()
        );
    }
}
