//! `set_ciphersuite_list` (GnuTLS 3.7.9 `lib/priority.c`): the consistency rules, the suites
//! in preference order and the groups and signatures offered; and the listing rule of
//! `gnutls_priority_get_cipher_suite_index` (`lib/algorithms/ciphersuites.c`).

use super::grammar::Lists;
use super::suites::{SUITES, SuiteEntry};
use super::tables::{GROUPS, SIGNS};
use super::{Group, Priority, Protocol, Signature, Suite};

fn is_ecc(kx: &str) -> bool {
    matches!(
        kx,
        "ECDHE-RSA" | "ECDHE-ECDSA" | "ANON-ECDH" | "ECDHE-PSK" | "VKO-GOST-12"
    )
}

fn is_dhe(kx: &str) -> bool {
    matches!(kx, "DHE-RSA" | "DHE-DSS" | "ANON-DH" | "DHE-PSK")
}

fn group(name: &'static str) -> Group {
    let g = GROUPS.iter().find(|g| g.name == name);
    Group {
        name: g.map_or(name, |g| g.name),
        code: g.map_or(0, |g| g.code),
    }
}

fn group_entries(groups: &[&str], curve: bool) -> impl Iterator<Item = Group> {
    groups
        .iter()
        .filter_map(|n| GROUPS.iter().find(|g| g.name == *n && g.implemented))
        .filter(move |g| g.curve == curve)
        .map(|g| group(g.name))
}

fn signature(name: &'static str) -> (Signature, u8) {
    let s = SIGNS.iter().find(|s| s.name == name);
    let sig = Signature {
        name: s.map_or(name, |s| s.name),
        code: s.map_or(0, |s| s.code),
    };
    (sig, s.map_or(0, |s| s.sem))
}

/// The protocol facts `set_ciphersuite_list` works from.
struct Versions {
    sig_sem: u8,
    tls13: bool,
    tls12: bool,
    pre_tls12: bool,
    tls_max: Option<Protocol>,
    tls_min: Option<Protocol>,
    dtls_min: Option<Protocol>,
}

impl Versions {
    fn of(protocols: &[Protocol]) -> Versions {
        let stream = || protocols.iter().copied().filter(|p| p.is_stream());
        let dtls = || protocols.iter().copied().filter(|p| !p.is_stream());
        Versions {
            sig_sem: protocols.iter().fold(0, |acc, p| acc | p.sig_sem()),
            tls13: stream().any(|p| p == Protocol::Tls13),
            tls12: stream().any(|p| p == Protocol::Tls12),
            pre_tls12: stream().any(|p| p < Protocol::Tls12),
            tls_max: stream().max(),
            tls_min: stream().min(),
            dtls_min: dtls().min(),
        }
    }
}

impl Lists {
    /// `set_ciphersuite_list`: the consistency rules and the suites. `None`: nothing left.
    pub(super) fn finish(mut self) -> Option<Priority> {
        let has_kx = |k: &[&str], names: &[&str]| k.iter().any(|x| names.contains(x));
        let have_null = self.ciphers.contains(&"NULL");
        let have_srp = has_kx(&self.kxs, &["SRP", "SRP-RSA", "SRP-DSS"]);
        let have_psk = has_kx(&self.kxs, &["PSK", "DHE-PSK", "ECDHE-PSK"]);
        let have_rsa_psk = has_kx(&self.kxs, &["RSA-PSK"]);
        self.protocols.retain(|p| *p != Protocol::Ssl3);
        if have_null || have_srp || have_rsa_psk || self.no_extensions {
            self.protocols.retain(|p| *p != Protocol::Tls13);
        }
        let v = Versions::of(&self.protocols);
        if v.tls_max.is_none() && v.dtls_min.is_none() {
            return None;
        }
        if v.tls_min == Some(Protocol::Tls13) && !have_psk && v.dtls_min.is_none() {
            self.kxs.clear();
        }
        let (suites, offered_groups) = self.suites_and_groups(v.tls13);
        let (signatures, offered_signatures) = self.signatures(v.sig_sem);
        if offered_signatures.is_empty() {
            self.protocols.retain(|p| {
                *p < Protocol::Tls12 || (Protocol::Dtls09..Protocol::Dtls12).contains(p)
            });
        }
        if self.protocols.is_empty() || suites.is_empty() {
            return None;
        }
        if (!have_psk && v.tls_max == Some(Protocol::Tls13) && offered_groups.is_empty())
            || (!v.tls12 && v.pre_tls12 && v.tls13)
        {
            self.protocols.retain(|p| *p != Protocol::Tls13);
        }
        let suites = listed(&suites, &self.protocols);
        Some(Priority {
            suites,
            groups: self
                .groups
                .iter()
                .filter(|g| GROUPS.iter().any(|e| e.name == **g))
                .map(|g| group(g))
                .collect(),
            offered_groups,
            signatures,
            offered_signatures,
            protocols: self.protocols,
            ciphers: self.ciphers,
            macs: self.macs,
            key_exchanges: self.kxs,
            options: self.options,
        })
    }

    /// The suites, TLS 1.3's first (cipher by MAC), then key exchange by cipher by MAC; and
    /// the groups offered, each kind added in a block when first needed.
    fn suites_and_groups(&self, have_tls13: bool) -> (Vec<&'static SuiteEntry>, Vec<Group>) {
        let find = |kx: Option<&str>, c: &str, m: &str| {
            SUITES
                .iter()
                .find(|s| s.kx == kx && s.cipher == c && s.mac == m)
        };
        let mut suites = Vec::new();
        for c in &self.ciphers {
            suites.extend(self.macs.iter().filter_map(|m| find(None, c, m)));
        }
        let mut groups = Vec::new();
        let (mut have_ec, mut have_dh) = (false, false);
        for k in &self.kxs {
            for c in &self.ciphers {
                for m in &self.macs {
                    let Some(s) = find(Some(k), c, m) else {
                        continue;
                    };
                    suites.push(s);
                    if !have_ec && is_ecc(k) {
                        have_ec = true;
                        groups.extend(group_entries(&self.groups, true));
                    }
                    if !have_dh && is_dhe(k) {
                        have_dh = true;
                        groups.extend(group_entries(&self.groups, false));
                    }
                }
            }
        }
        if have_tls13 {
            for g in self
                .groups
                .iter()
                .filter_map(|n| GROUPS.iter().find(|g| g.name == *n && g.implemented))
            {
                if have_ec && have_dh {
                    break;
                }
                if g.curve && !have_ec {
                    have_ec = true;
                    groups.extend(group_entries(&self.groups, true));
                } else if !g.curve && !have_dh {
                    have_dh = true;
                    groups.extend(group_entries(&self.groups, false));
                }
            }
        }
        (suites, groups)
    }

    /// The signatures as configured, and those the protocols' semantics can use.
    fn signatures(&self, sig_sem: u8) -> (Vec<Signature>, Vec<Signature>) {
        let all: Vec<(Signature, u8)> = self.signs.iter().map(|s| signature(s)).collect();
        let offered = all
            .iter()
            .filter(|(_, sem)| sem & sig_sem != 0)
            .map(|(s, _)| *s)
            .collect();
        (all.into_iter().map(|(s, _)| s).collect(), offered)
    }
}

/// `gnutls_priority_get_cipher_suite_index`: a suite is listed when the highest TLS (or
/// DTLS) version enabled reaches its minimum.
fn listed(suites: &[&SuiteEntry], protocols: &[Protocol]) -> Vec<Suite> {
    let max_tls = protocols.iter().copied().filter(|p| p.is_stream()).max();
    let max_dtls = protocols.iter().copied().filter(|p| !p.is_stream()).max();
    let reaches = |max: Option<Protocol>, min: Option<Protocol>| matches!((max, min), (Some(a), Some(b)) if a >= b);
    suites
        .iter()
        .filter(|s| reaches(max_tls, s.min_tls) || reaches(max_dtls, s.min_dtls))
        .map(|s| Suite::from_entry(s))
        .collect()
}
