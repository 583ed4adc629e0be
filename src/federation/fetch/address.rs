//! Which IP addresses copse may connect to when it fetches from other servers.
//!
//! The URLs copse fetches come from strangers (an actor id in an activity, a redirect), so
//! without this guard any remote server could make copse request its own admin ports, the
//! cloud metadata service at 169.254.169.254 or a printer on the office network. Only
//! globally routable unicast addresses count as public; everything with a special purpose
//! is refused, including IPv6 forms that embed an IPv4 address (`::ffff:10.0.0.1`, 6to4,
//! NAT64), which are judged by the address they carry.

use std::fmt;
use std::net::{IpAddr, Ipv4Addr, Ipv6Addr};

/// What kind of address an IP address is, as far as fetching is concerned.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum AddressClass {
    /// Globally routable unicast: the only class fetched outside development mode.
    Public,
    /// `0.0.0.0` or `::`, which connect to the local host on most systems.
    Unspecified,
    /// `0.0.0.0/8`, "this network".
    ThisNetwork,
    /// `127.0.0.0/8` and `::1`.
    Loopback,
    /// `10/8`, `172.16/12`, `192.168/16`, the deprecated IPv6 site-local `fec0::/10` and the
    /// local-use NAT64 prefix `64:ff9b:1::/48`.
    Private,
    /// `100.64.0.0/10`, carrier-grade NAT.
    SharedAddressSpace,
    /// `169.254/16` (cloud metadata services live here) and `fe80::/10`.
    LinkLocal,
    /// `fc00::/7`, IPv6 unique-local.
    UniqueLocal,
    /// `224/4` and `ff00::/8`.
    Multicast,
    /// `255.255.255.255`.
    Broadcast,
    /// `192.0.2/24`, `198.51.100/24`, `203.0.113/24`, `2001:db8::/32`, `3fff::/20`.
    Documentation,
    /// `198.18/15` and `2001:2::/48`.
    Benchmarking,
    /// Anything else with a special purpose: `240/4`, `192.0.0/24`, `192.88.99/24`, IPv6
    /// outside global unicast `2000::/3` (IPv4-compatible `::a.b.c.d`, SRv6 `5f00::/16` …),
    /// IETF protocol assignments `2001::/23` (Teredo among them).
    Reserved,
}

impl AddressClass {
    /// The class of `ip`.
    pub fn of(ip: IpAddr) -> AddressClass {
        match ip {
            IpAddr::V4(v4) => classify_v4(v4),
            IpAddr::V6(v6) => classify_v6(v6),
        }
    }

    /// Whether this class may be fetched outside development mode.
    pub fn is_public(self) -> bool {
        self == AddressClass::Public
    }
}

impl fmt::Display for AddressClass {
    /// Completes "10.0.0.5 is …".
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(match self {
            AddressClass::Public => "a public address",
            AddressClass::Unspecified => "the unspecified address",
            AddressClass::ThisNetwork => "a \"this network\" address (0.0.0.0/8)",
            AddressClass::Loopback => "a loopback address",
            AddressClass::Private => "a private address",
            AddressClass::SharedAddressSpace => "a carrier-grade NAT address (100.64.0.0/10)",
            AddressClass::LinkLocal => "a link-local address",
            AddressClass::UniqueLocal => "a unique-local address",
            AddressClass::Multicast => "a multicast address",
            AddressClass::Broadcast => "the broadcast address",
            AddressClass::Documentation => "a documentation address",
            AddressClass::Benchmarking => "a benchmarking address",
            AddressClass::Reserved => "a reserved address",
        })
    }
}

/// Whether `ip` may be fetched outside development mode.
pub fn is_public(ip: IpAddr) -> bool {
    AddressClass::of(ip).is_public()
}

fn classify_v4(ip: Ipv4Addr) -> AddressClass {
    use AddressClass::*;
    let [a, b, c, _] = ip.octets();
    if ip.is_unspecified() {
        Unspecified
    } else if ip.is_broadcast() {
        Broadcast
    } else if a == 0 {
        ThisNetwork
    } else if a == 127 {
        Loopback
    } else if a == 10 || (a == 172 && (b & 0xf0) == 16) || (a == 192 && b == 168) {
        Private
    } else if a == 100 && (b & 0xc0) == 64 {
        SharedAddressSpace
    } else if a == 169 && b == 254 {
        LinkLocal
    } else if (224..=239).contains(&a) {
        Multicast
    } else if a >= 240 {
        Reserved
    } else if matches!((a, b, c), (192, 0, 2) | (198, 51, 100) | (203, 0, 113)) {
        Documentation
    } else if a == 198 && (b & 0xfe) == 18 {
        Benchmarking
    } else if matches!((a, b, c), (192, 0, 0) | (192, 88, 99)) {
        Reserved
    } else {
        Public
    }
}

fn classify_v6(ip: Ipv6Addr) -> AddressClass {
    use AddressClass::*;
    if let Some(v4) = ip.to_ipv4_mapped() {
        return classify_v4(v4);
    }
    let s = ip.segments();
    let embedded_v4 = |hi: u16, lo: u16| Ipv4Addr::from((u32::from(hi) << 16) | u32::from(lo));
    if ip.is_unspecified() {
        Unspecified
    } else if ip.is_loopback() {
        Loopback
    } else if s[..6] == [0x64, 0xff9b, 0, 0, 0, 0] {
        // NAT64 well-known prefix: the gateway connects to the embedded IPv4 address.
        classify_v4(embedded_v4(s[6], s[7]))
    } else if s[..3] == [0x64, 0xff9b, 1] {
        Private
    } else if (s[0] & 0xff00) == 0xff00 {
        Multicast
    } else if (s[0] & 0xfe00) == 0xfc00 {
        UniqueLocal
    } else if (s[0] & 0xffc0) == 0xfe80 {
        LinkLocal
    } else if (s[0] & 0xffc0) == 0xfec0 {
        Private
    } else if (s[0] & 0xe000) != 0x2000 {
        // Outside global unicast: IPv4-compatible ::a.b.c.d, discard-only 100::/64, …
        Reserved
    } else if s[0] == 0x2002 {
        // 6to4: the relay delivers to the embedded IPv4 address.
        classify_v4(embedded_v4(s[1], s[2]))
    } else if (s[0] == 0x2001 && s[1] == 0x0db8) || (s[0] == 0x3fff && s[1] < 0x1000) {
        Documentation
    } else if s[0] == 0x2001 && s[1] == 0x0002 && s[2] == 0 {
        Benchmarking
    } else if s[0] == 0x2001 && s[1] < 0x0200 {
        Reserved
    } else {
        Public
    }
}

#[cfg(test)]
mod tests {
    use super::AddressClass::{self, *};

    fn class(s: &str) -> AddressClass {
        AddressClass::of(s.parse().unwrap_or_else(|e| panic!("{s}: {e}")))
    }

    fn assert_all(expected: AddressClass, addresses: &[&str]) {
        for a in addresses {
            assert_eq!(class(a), expected, "{a}");
        }
    }

    #[test]
    fn ordinary_internet_addresses_are_public() {
        assert_all(
            Public,
            &[
                "1.1.1.1",
                "8.8.8.8",
                "93.184.216.34",
                "9.255.255.255",
                "11.0.0.0",
                "100.63.255.255",
                "100.128.0.0",
                "126.255.255.255",
                "128.0.0.0",
                "169.253.255.255",
                "169.255.0.0",
                "172.15.255.255",
                "172.32.0.0",
                "192.167.255.255",
                "192.169.0.0",
                "192.0.1.255",
                "192.0.3.0",
                "198.17.255.255",
                "198.20.0.0",
                "223.255.255.255",
                "2606:4700:4700::1111",
                "2a01:4f8::1",
                "2001:200::1",
                "2001:db9::1",
                "2002:0808:0808::1",
                "64:ff9b::808:808",
                "::ffff:8.8.8.8",
                "3fff:1000::1",
            ],
        );
    }

    #[test]
    fn loopback_in_every_spelling_is_refused() {
        assert_all(
            Loopback,
            &[
                "127.0.0.1",
                "127.0.0.0",
                "127.255.255.254",
                "127.1.2.3",
                "::1",
                "::ffff:127.0.0.1",
                "::ffff:7f00:1",
                "64:ff9b::127.0.0.1",
                "2002:7f00:0001::",
            ],
        );
    }

    #[test]
    fn private_ranges_are_refused_up_to_their_edges() {
        assert_all(
            Private,
            &[
                "10.0.0.0",
                "10.0.0.5",
                "10.255.255.255",
                "172.16.0.0",
                "172.31.255.255",
                "192.168.0.0",
                "192.168.255.255",
                "::ffff:10.0.0.1",
                "::ffff:192.168.1.1",
                "64:ff9b::10.0.0.1",
                "64:ff9b:1::1",
                "2002:c0a8:0101::1",
                "2002:0a00:0001::",
                "fec0::1",
            ],
        );
    }

    #[test]
    fn link_local_and_metadata_addresses_are_refused() {
        assert_all(
            LinkLocal,
            &[
                "169.254.0.0",
                "169.254.169.254",
                "169.254.255.255",
                "::ffff:169.254.169.254",
                "fe80::1",
                "febf:ffff::1",
            ],
        );
    }

    #[test]
    fn carrier_grade_nat_is_refused() {
        assert_all(
            SharedAddressSpace,
            &[
                "100.64.0.0",
                "100.100.100.200",
                "100.127.255.255",
                "::ffff:100.64.0.1",
            ],
        );
    }

    #[test]
    fn unique_local_ipv6_is_refused() {
        assert_all(UniqueLocal, &["fc00::", "fd00::1", "fdff:ffff::1"]);
    }

    #[test]
    fn unspecified_this_network_broadcast_and_multicast_are_refused() {
        assert_all(Unspecified, &["0.0.0.0", "::", "::ffff:0.0.0.0"]);
        assert_all(ThisNetwork, &["0.0.0.1", "0.255.255.255"]);
        assert_all(Broadcast, &["255.255.255.255", "::ffff:255.255.255.255"]);
        assert_all(
            Multicast,
            &[
                "224.0.0.0",
                "224.0.0.251",
                "239.255.255.255",
                "ff02::1",
                "ff0e::1",
            ],
        );
    }

    #[test]
    fn documentation_and_benchmarking_ranges_are_refused() {
        assert_all(
            Documentation,
            &[
                "192.0.2.0",
                "192.0.2.255",
                "198.51.100.7",
                "203.0.113.255",
                "2001:db8::1",
                "3fff::1",
                "3fff:fff::1",
            ],
        );
        assert_all(Benchmarking, &["198.18.0.0", "198.19.255.255", "2001:2::1"]);
    }

    #[test]
    fn reserved_and_special_purpose_ranges_are_refused() {
        assert_all(
            Reserved,
            &[
                "240.0.0.1",
                "255.255.255.254",
                "192.0.0.8",
                "192.88.99.1",
                // IPv4-compatible and SIIT forms, discard-only, outside 2000::/3.
                "::127.0.0.1",
                "::8.8.8.8",
                "::ffff:0:808:808",
                "100::1",
                "4000::1",
                // Teredo and other IETF protocol assignments.
                "2001::1",
                "2001:0:4136:e378::1",
                "2001:1ff::1",
                "5f00::1",
            ],
        );
    }
}
