//! IP addresses and CIDR blocks, as EventBridge reads them (spec §2.3 and §2.12).

/// An IPv4 or IPv6 address as a number; IPv4 addresses keep their own family.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) struct Ip {
    pub(crate) v6: bool,
    pub(crate) bits: u128,
}

/// Parses an address: four decimal groups (leading zeros read as decimal), or IPv6 in full or
/// compressed form. Anything else (spaces, zone ids, embedded IPv4) is not an address.
pub(crate) fn parse_ip(s: &str) -> Option<Ip> {
    if s.contains(':') {
        parse_v6(s).map(|bits| Ip { v6: true, bits })
    } else {
        parse_v4(s).map(|bits| Ip {
            v6: false,
            bits: u128::from(bits),
        })
    }
}

fn parse_v4(s: &str) -> Option<u32> {
    let mut out: u32 = 0;
    let mut groups = 0;
    for part in s.split('.') {
        if part.is_empty() || part.len() > 10 || !part.bytes().all(|b| b.is_ascii_digit()) {
            return None;
        }
        let v: u32 = part.parse().ok()?;
        if v > 255 {
            return None;
        }
        out = (out << 8) | v;
        groups += 1;
    }
    (groups == 4).then_some(out)
}

fn parse_v6(s: &str) -> Option<u128> {
    /// The groups of one side of `::`, into a fixed array (no allocation per value).
    fn groups(part: &str, out: &mut [u16; 8]) -> Option<usize> {
        if part.is_empty() {
            return Some(0);
        }
        let mut n = 0;
        for g in part.split(':') {
            if n == 8 || g.is_empty() || g.len() > 4 || !g.bytes().all(|b| b.is_ascii_hexdigit()) {
                return None;
            }
            out[n] = u16::from_str_radix(g, 16).ok()?;
            n += 1;
        }
        Some(n)
    }
    let (mut head, mut tail) = ([0u16; 8], [0u16; 8]);
    let (h, t, compressed) = match s.split_once("::") {
        Some((a, b)) => {
            if b.contains("::") {
                return None;
            }
            (groups(a, &mut head)?, groups(b, &mut tail)?, true)
        }
        None => (groups(s, &mut head)?, 0, false),
    };
    let count = h + t;
    if (compressed && count > 7) || (!compressed && count != 8) {
        return None;
    }
    let all = head[..h]
        .iter()
        .chain(std::iter::repeat_n(&0, 8 - count))
        .chain(&tail[..t]);
    Some(all.fold(0u128, |acc, &g| (acc << 16) | u128::from(g)))
}

/// A CIDR block.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) struct Cidr {
    v6: bool,
    network: u128,
    mask: u128,
}

impl Cidr {
    /// Parses `address/bits`, with EventBridge's reason texts for each problem.
    pub(crate) fn parse(s: &str) -> Result<Cidr, String> {
        // Split the way Java's String.split does: trailing empty pieces are dropped.
        let mut pieces: Vec<&str> = s.split('/').collect();
        while pieces.len() > 1 && pieces.last() == Some(&"") {
            pieces.pop();
        }
        if pieces.len() != 2 {
            return Err("Malformed CIDR, one '/' required".into());
        }
        let (addr, mask) = (pieces[0], pieces[1]);
        let bits = parse_java_int(mask).ok_or("Malformed CIDR, mask bits must be an integer")?;
        if bits < 0 {
            return Err("Malformed CIDR, mask bits must not be negative".into());
        }
        let looks_v4 = {
            let parts: Vec<&str> = addr.split('.').collect();
            parts.len() == 4
                && parts
                    .iter()
                    .all(|p| !p.is_empty() && p.bytes().all(|b| b.is_ascii_digit()))
        };
        let looks_v6 =
            addr.contains(':') && addr.bytes().all(|b| b.is_ascii_hexdigit() || b == b':');
        if !looks_v4 && !looks_v6 {
            return Err(format!("Nonstandard IP address: {addr}"));
        }
        let ip = parse_ip(addr).ok_or_else(|| format!("Invalid IP address: {addr}"))?;
        let width: i64 = if ip.v6 { 128 } else { 32 };
        if bits >= width {
            return Err(if ip.v6 {
                "IPv6 mask bits must be < 128".into()
            } else {
                "IPv4 mask bits must be < 32".into()
            });
        }
        // Host bits are ignored: the block is the network containing the address.
        let host_bits = (width - bits) as u32;
        let mask = if host_bits >= 128 {
            0
        } else {
            u128::MAX << host_bits
        };
        let mask = if ip.v6 {
            mask
        } else {
            mask & u128::from(u32::MAX)
        };
        Ok(Cidr {
            v6: ip.v6,
            network: ip.bits & mask,
            mask,
        })
    }

    /// An address of the block, as text: the network with `host` in its host bits.
    #[cfg(feature = "gen")]
    pub(crate) fn address(&self, host: u128) -> String {
        let bits = self.network
            | (host
                & !self.mask
                & if self.v6 {
                    u128::MAX
                } else {
                    u128::from(u32::MAX)
                });
        if self.v6 {
            (0..8)
                .map(|i| format!("{:x}", (bits >> (112 - 16 * i)) & 0xffff))
                .collect::<Vec<_>>()
                .join(":")
        } else {
            (0..4)
                .map(|i| ((bits >> (24 - 8 * i)) & 0xff).to_string())
                .collect::<Vec<_>>()
                .join(".")
        }
    }

    /// The block as (IPv6, mask, network): an address `a` of the family is in it when
    /// `a & mask == network`.
    pub(crate) fn parts(&self) -> (bool, u128, u128) {
        (self.v6, self.mask, self.network)
    }

    /// The block of one address.
    pub(crate) fn of_address(ip: Ip) -> Cidr {
        let mask = if ip.v6 {
            u128::MAX
        } else {
            u128::from(u32::MAX)
        };
        Cidr {
            v6: ip.v6,
            network: ip.bits,
            mask,
        }
    }

    /// Whether an event string is an address of the same family inside the block.
    pub(crate) fn contains(&self, s: &str) -> bool {
        parse_ip(s).is_some_and(|ip| ip.v6 == self.v6 && ip.bits & self.mask == self.network)
    }
}

/// `Integer.parseInt`: an optional sign and decimal digits that fit in 32 bits.
fn parse_java_int(s: &str) -> Option<i64> {
    let digits = s.strip_prefix(['+', '-']).unwrap_or(s);
    if digits.is_empty() || !digits.bytes().all(|b| b.is_ascii_digit()) {
        return None;
    }
    let v: i64 = s.parse().ok()?;
    (i64::from(i32::MIN)..=i64::from(i32::MAX))
        .contains(&v)
        .then_some(v)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn cidr_membership() {
        // EP-CIDR-1, -2, -4, -5, -6, -14, -15
        let b = Cidr::parse("10.0.0.0/24").unwrap();
        assert!(b.contains("10.0.0.255"));
        assert!(!b.contains("10.0.0.256"));
        assert!(!b.contains(" 10.0.0.1"));
        assert!(Cidr::parse("10.0.0.0/8").unwrap().contains("010.0.0.1"));
        assert!(
            !Cidr::parse("10.0.0.0/8")
                .unwrap()
                .contains("::ffff:10.0.0.1")
        );
        let v6 = Cidr::parse("2001:db8:1234:1a00::/64").unwrap();
        assert!(v6.contains("2001:0db8:1234:1a00:0000:0000:0000:0000"));
        assert!(!v6.contains("2001:0db8:123f:1a01:0000:0000:0000:0000"));
        assert!(
            Cidr::parse("2001:db8::/32")
                .unwrap()
                .contains("2001:db8::1")
        );
        assert!(Cidr::parse("10.0.0.5/24").unwrap().contains("10.0.0.9"));
        assert!(Cidr::parse("0.0.0.0/0").unwrap().contains("1.2.3.4"));
        assert!(!Cidr::parse("0.0.0.0/0").unwrap().contains("fe80::1%eth0"));
    }

    #[test]
    fn cidr_errors() {
        // EP-CIDR-7 .. -13
        let e = |s: &str| Cidr::parse(s).unwrap_err();
        assert_eq!(e("bad-filter"), "Malformed CIDR, one '/' required");
        assert_eq!(
            e("bad-/64filter"),
            "Malformed CIDR, mask bits must be an integer"
        );
        assert_eq!(e("xx.11.xx/8"), "Nonstandard IP address: xx.11.xx");
        assert_eq!(
            e("xxxx:db8:1234:1a00::/64"),
            "Nonstandard IP address: xxxx:db8:1234:1a00::"
        );
        assert_eq!(e("999.1.1.1/8"), "Invalid IP address: 999.1.1.1");
        assert_eq!(e("10.0.0.1/32"), "IPv4 mask bits must be < 32");
        assert_eq!(e("2001:db8::/128"), "IPv6 mask bits must be < 128");
        assert_eq!(
            e("10.0.0.0/-1"),
            "Malformed CIDR, mask bits must not be negative"
        );
        assert!(Cidr::parse("10.0.0.0/8/").is_ok());
    }

    #[test]
    fn ip_normal_forms() {
        assert_eq!(
            parse_ip("2001:db8::1"),
            parse_ip("2001:0db8:0000:0000:0000:0000:0000:0001")
        );
        assert_eq!(parse_ip("::1"), parse_ip("0:0:0:0:0:0:0:1"));
        assert_eq!(parse_ip("10.0.0.1"), parse_ip("10.0.0.01"));
        assert_eq!(parse_ip("12:30"), None);
    }
}
