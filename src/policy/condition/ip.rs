//! Address ranges for `IpAddress`/`NotIpAddress`: IPv4 and IPv6 CIDRs, a bare address
//! being /32 or /128 (decision-rules §4.1).

use std::net::IpAddr;

/// A CIDR block: the address with its host bits cleared, and the prefix length.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub struct IpNet {
    v6: bool,
    addr: u128,
    prefix: u8,
}

impl IpNet {
    /// Parses `a.b.c.d/n`, `x:y::z/n` or a bare address. [unconfirmed] host bits set
    /// below the prefix (`10.1.2.3/8`) are cleared, not rejected.
    pub fn parse(text: &str) -> Option<IpNet> {
        let (addr, prefix) = match text.split_once('/') {
            Some((a, p)) => {
                if p.is_empty() || p.len() > 3 || !p.bytes().all(|b| b.is_ascii_digit()) {
                    return None;
                }
                (a, Some(p.parse::<u8>().ok()?))
            }
            None => (text, None),
        };
        let ip: IpAddr = addr.parse().ok()?;
        Self::from_addr(ip, prefix)
    }

    /// Parses a request value: an address, or a CIDR (contained when the whole block
    /// is). [unconfirmed] an IPv4-mapped IPv6 address (`::ffff:10.0.0.1`) is its IPv4
    /// address.
    pub fn parse_request(text: &str) -> Option<IpNet> {
        if !text.contains('/') {
            let ip: IpAddr = text.parse().ok()?;
            return Self::from_addr(ip.to_canonical(), None);
        }
        Self::parse(text)
    }

    fn from_addr(ip: IpAddr, prefix: Option<u8>) -> Option<IpNet> {
        let (v6, addr, bits) = match ip {
            IpAddr::V4(a) => (false, u128::from(u32::from(a)), 32u8),
            IpAddr::V6(a) => (true, u128::from(a), 128u8),
        };
        let prefix = prefix.unwrap_or(bits);
        if prefix > bits {
            return None;
        }
        Some(IpNet {
            v6,
            addr: addr & mask(bits, prefix),
            prefix,
        })
    }

    /// Whether `inner` lies wholly inside this block (same family only).
    pub fn contains(&self, inner: &IpNet) -> bool {
        let bits = if self.v6 { 128 } else { 32 };
        self.v6 == inner.v6
            && inner.prefix >= self.prefix
            && inner.addr & mask(bits, self.prefix) == self.addr
    }
}

/// The network mask of a `prefix` within an address of `bits` bits.
fn mask(bits: u8, prefix: u8) -> u128 {
    let full: u128 = if bits >= 128 {
        u128::MAX
    } else {
        (1u128 << bits) - 1
    };
    let host = u32::from(bits.saturating_sub(prefix));
    let host_mask = 1u128.checked_shl(host).map_or(u128::MAX, |v| v - 1);
    full & !host_mask
}

#[cfg(test)]
mod tests {
    use super::*;

    fn within(cidr: &str, ip: &str) -> bool {
        match (IpNet::parse(cidr), IpNet::parse_request(ip)) {
            (Some(net), Some(addr)) => net.contains(&addr),
            _ => false,
        }
    }

    #[test]
    fn ipv4() {
        assert!(within("10.0.0.0/8", "10.255.255.255"));
        assert!(!within("10.0.0.0/8", "11.0.0.0"));
        assert!(within("203.0.113.7", "203.0.113.7"));
        assert!(!within("203.0.113.7", "203.0.113.8"));
        assert!(within("0.0.0.0/0", "1.2.3.4"));
        assert!(within("10.1.2.3/8", "10.9.9.9"));
        assert!(within("192.168.1.0/24", "192.168.1.128/25"));
        assert!(!within("192.168.1.0/25", "192.168.1.0/24"));
        assert!(within("10.0.0.0/8", "::ffff:10.1.1.1"));
        assert!(!within("10.0.0.0/8", "not an ip"));
    }

    #[test]
    fn ipv6() {
        assert!(within("2001:db8::/32", "2001:db8:ffff::1"));
        assert!(!within("2001:db8::/32", "2001:db9::1"));
        assert!(within("::/0", "::1"));
        assert!(within("2001:db8::1", "2001:db8::1"));
        assert!(within("2001:db8::/128", "2001:db8::"));
        assert!(!within("2001:db8::/127", "2001:db8::2"));
        assert!(!within("::/0", "10.0.0.1"));
        assert!(!within("0.0.0.0/0", "2001:db8::1"));
    }

    #[test]
    fn rejects() {
        for t in [
            "",
            "10.0.0.0/33",
            "10.0.0.0/",
            "10.0.0/8",
            "::/129",
            "10.0.0.0/-1",
            "10.0.0.256",
            "1.2.3.4/+8",
            "a/8",
        ] {
            assert!(IpNet::parse(t).is_none(), "{t:?}");
        }
        assert!(IpNet::parse("::/128").is_some());
    }
}
