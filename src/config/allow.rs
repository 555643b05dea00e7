//! `[http] allow_hosts`: the destinations a feed may reach even though they are not public —
//! host names (their every address is allowed) and IP networks in CIDR form or single
//! addresses. Parsed here once, for the check of the file and for the fetch guard.

use std::net::IpAddr;

use ipnet::IpNet;

/// One entry of `allow_hosts`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum AllowedHost {
    /// A host name, lower case, without a trailing dot.
    Name(String),
    /// An IP network; a single address is a network of one.
    Net(IpNet),
}

impl AllowedHost {
    /// Parses `10.0.0.0/8`, `127.0.0.2`, `::1`, `[fd00::1]` or `intranet.example`; the error
    /// says why the entry is none of them.
    pub fn parse(entry: &str) -> Result<AllowedHost, String> {
        let e = entry.trim();
        if let Ok(net) = e.parse::<IpNet>() {
            return Ok(AllowedHost::Net(net.trunc()));
        }
        let bare = e.trim_start_matches('[').trim_end_matches(']');
        if let Ok(ip) = bare.parse::<IpAddr>() {
            return Ok(AllowedHost::Net(IpNet::from(ip)));
        }
        let name = e.trim_end_matches('.').to_ascii_lowercase();
        let label_ok = |l: &str| {
            !l.is_empty()
                && l.len() <= 63
                && l.chars().all(|c| c.is_ascii_alphanumeric() || c == '-')
                && !l.starts_with('-')
                && !l.ends_with('-')
        };
        if name.is_empty() || name.len() > 253 || !name.split('.').all(label_ok) {
            return Err(format!(
                "`{entry}` is neither a host name (like feeds.intranet.example) nor an IP \
                 address or network (like 10.0.0.0/8)"
            ));
        }
        Ok(AllowedHost::Name(name))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn names_addresses_and_networks_are_told_apart() {
        let net = |s: &str| AllowedHost::Net(s.parse().unwrap());
        assert_eq!(
            AllowedHost::parse("10.1.0.0/16").unwrap(),
            net("10.1.0.0/16")
        );
        assert_eq!(
            AllowedHost::parse("10.1.2.3/16").unwrap(),
            net("10.1.0.0/16")
        );
        assert_eq!(
            AllowedHost::parse("127.0.0.2").unwrap(),
            net("127.0.0.2/32")
        );
        assert_eq!(AllowedHost::parse("[::1]").unwrap(), net("::1/128"));
        assert_eq!(
            AllowedHost::parse("Feeds.Intranet.Example.").unwrap(),
            AllowedHost::Name("feeds.intranet.example".into())
        );
        for bad in [
            "",
            "http://x.example",
            "x.example:8080",
            "a..b",
            "10.0.0.0/33",
            "-a.b",
        ] {
            assert!(AllowedHost::parse(bad).is_err(), "{bad}");
        }
    }
}
