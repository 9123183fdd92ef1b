//! GnuTLS priority strings: Scylla's `priority_string` (default `SECURE128:-VERS-TLS1.0`), read
//! as GnuTLS 3.7.9's `gnutls_priority_init` reads it (`lib/priority.c`), and what rustls can
//! honour of it.
//!
//! Scylla hands the string to Seastar, which calls `gnutls_priority_init` when the node's
//! credentials are built and refuses to start with `Could not set priority: <rest>`, where
//! `<rest>` is the string from the token GnuTLS stopped at (the whole string when the
//! grammar was fine but nothing usable was left). [`Priority::parse`] gives the same verdict
//! and, for a string GnuTLS accepts, the lists GnuTLS derives from it, in its preference
//! order: what `gnutls-cli --priority S --list` prints.
//!
//! ```
//! use cassandra_tls::options::scylla::{Priority, SCYLLA_DEFAULT_PRIORITY};
//!
//! let p = Priority::parse(SCYLLA_DEFAULT_PRIORITY)?;
//! assert_eq!(p.suites[0].gnutls_name, "TLS_AES_256_GCM_SHA384");
//! let usable = p.rustls_subset()?;
//! assert_eq!(usable.suites.len(), 9);
//! assert!(p.unsupported().iter().any(|u| u.item == "VERS-TLS1.1"));
//!
//! let refused = Priority::parse("SECURE128:+BOGUS").unwrap_err();
//! assert_eq!(refused.to_string(), "Could not set priority: +BOGUS");
//! # Ok::<(), Box<dyn std::error::Error>>(())
//! ```

mod rustls_subset;
mod suites;
mod tables;

use std::fmt;

pub use rustls_subset::{RustlsSubset, Unsupported, Unusable};
use suites::{SUITES, SuiteEntry};
use tables::*;

/// Scylla's default `priority_string` (`db::config::default_tls_priority`, since 3.1).
pub const SCYLLA_DEFAULT_PRIORITY: &str = "SECURE128:-VERS-TLS1.0";

/// `MAX_ELEMENTS` of `lib/priority.c`: GnuTLS reads at most this many tokens.
const MAX_ELEMENTS: usize = 128;

/// A protocol version GnuTLS knows, in GnuTLS's numbering order.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum Protocol {
    /// SSL 3.0 (known to the grammar; Debian's GnuTLS does not implement it).
    Ssl3,
    /// TLS 1.0.
    Tls10,
    /// TLS 1.1.
    Tls11,
    /// TLS 1.2.
    Tls12,
    /// TLS 1.3.
    Tls13,
    /// DTLS 0.9 (Cisco AnyConnect).
    Dtls09,
    /// DTLS 1.0.
    Dtls10,
    /// DTLS 1.2.
    Dtls12,
}

impl Protocol {
    const ALL: [Protocol; 8] = [
        Protocol::Ssl3,
        Protocol::Tls10,
        Protocol::Tls11,
        Protocol::Tls12,
        Protocol::Tls13,
        Protocol::Dtls09,
        Protocol::Dtls10,
        Protocol::Dtls12,
    ];

    /// GnuTLS's name: `TLS1.2`; `VERS-` plus this is the token.
    pub fn gnutls_name(self) -> &'static str {
        match self {
            Protocol::Ssl3 => "SSL3.0",
            Protocol::Tls10 => "TLS1.0",
            Protocol::Tls11 => "TLS1.1",
            Protocol::Tls12 => "TLS1.2",
            Protocol::Tls13 => "TLS1.3",
            Protocol::Dtls09 => "DTLS0.9",
            Protocol::Dtls10 => "DTLS1.0",
            Protocol::Dtls12 => "DTLS1.2",
        }
    }

    fn from_name(name: &str) -> Option<Protocol> {
        Protocol::ALL
            .into_iter()
            .find(|p| p.gnutls_name().eq_ignore_ascii_case(name))
    }

    /// TLS over a stream (not DTLS).
    pub fn is_stream(self) -> bool {
        self <= Protocol::Tls13
    }

    fn sig_sem(self) -> u8 {
        if self == Protocol::Tls13 {
            SEM_TLS13
        } else {
            SEM_PRE_TLS12
        }
    }
}

/// A cipher suite GnuTLS enables, as `gnutls-cli --list` prints it.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
#[non_exhaustive]
pub struct Suite {
    /// GnuTLS's name (`TLS_ECDHE_RSA_AES_128_GCM_SHA256`).
    pub gnutls_name: &'static str,
    /// The IANA name (`TLS_ECDHE_RSA_WITH_AES_128_GCM_SHA256`).
    pub iana_name: &'static str,
    /// The IANA code point.
    pub code: u16,
    /// The key exchange (`None` for TLS 1.3 suites).
    pub key_exchange: Option<&'static str>,
    /// The cipher (`AES-128-GCM`).
    pub cipher: &'static str,
    /// The MAC (`AEAD` for AEAD ciphers).
    pub mac: &'static str,
    /// The oldest TLS version it serves (`None`: DTLS only).
    pub min_version: Option<Protocol>,
}

impl Suite {
    fn from_entry(e: &SuiteEntry) -> Suite {
        Suite {
            gnutls_name: e.gnutls_name,
            iana_name: e.iana_name,
            code: e.code,
            key_exchange: e.kx,
            cipher: e.cipher,
            mac: e.mac,
            min_version: e.min_tls,
        }
    }
}

/// A key exchange group: GnuTLS's name and the TLS `NamedGroup` code.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
#[non_exhaustive]
pub struct Group {
    /// GnuTLS's name (`SECP256R1`, `X25519`, `FFDHE2048`); `GROUP-` plus this is the token.
    pub name: &'static str,
    /// The TLS `NamedGroup` code.
    pub code: u16,
}

/// A signature algorithm: GnuTLS's name and the TLS `SignatureScheme` code (0: none).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
#[non_exhaustive]
pub struct Signature {
    /// GnuTLS's name (`RSA-PSS-RSAE-SHA256`); `SIGN-` plus this is the token.
    pub name: &'static str,
    /// The TLS `SignatureScheme` code, 0 when the algorithm has none.
    pub code: u16,
}

/// What a priority string GnuTLS accepts enables, in GnuTLS's preference order.
#[derive(Clone, Debug, PartialEq, Eq)]
#[non_exhaustive]
pub struct Priority {
    /// The protocol versions, DTLS included (`Protocols:` of `gnutls-cli --list`).
    pub protocols: Vec<Protocol>,
    /// The cipher suites, in the order GnuTLS prefers them.
    pub suites: Vec<Suite>,
    /// The bulk ciphers (`Ciphers:`).
    pub ciphers: Vec<&'static str>,
    /// The MACs (`MACs:`).
    pub macs: Vec<&'static str>,
    /// The key exchanges (`Key Exchange Algorithms:`; empty when only TLS 1.3 is left).
    pub key_exchanges: Vec<&'static str>,
    /// The groups as configured (`Groups:`).
    pub groups: Vec<Group>,
    /// The groups GnuTLS offers: those of `groups` an enabled suite or TLS 1.3 can use,
    /// elliptic curves and finite-field groups each in a block where first needed.
    pub offered_groups: Vec<Group>,
    /// The signature algorithms as configured (`PK-signatures:`).
    pub signatures: Vec<Signature>,
    /// The signature algorithms GnuTLS offers: those of `signatures` the enabled
    /// protocols can use.
    pub offered_signatures: Vec<Signature>,
    /// The `%` options given (`SERVER_PRECEDENCE`, `NO_TICKETS`, ...), in order.
    pub options: Vec<&'static str>,
}

/// Why GnuTLS refuses a priority string.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
#[non_exhaustive]
pub enum RefusalKind {
    /// A token GnuTLS does not know (`GNUTLS_E_INVALID_REQUEST`, -50); `gnutls-cli` says
    /// `Syntax error at: <rest>`.
    Syntax,
    /// Well-formed, but no protocol or no cipher suite is left
    /// (`GNUTLS_E_NO_PRIORITIES_WERE_SET`, -326).
    NothingLeft,
}

/// A priority string GnuTLS refuses, so Scylla does not start. Displays as Scylla's
/// message: `Could not set priority: <rest>`.
#[derive(Clone, Debug, PartialEq, Eq)]
#[non_exhaustive]
pub struct PriorityRefusal {
    /// Syntax, or nothing left.
    pub kind: RefusalKind,
    /// The string from the token GnuTLS stopped at, as GnuTLS reports it (the whole
    /// string when nothing was left, or when it started with white space or `@`).
    pub at: String,
}

impl PriorityRefusal {
    /// GnuTLS's error code and message, which Scylla's log nests under the refusal.
    pub fn gnutls_error(&self) -> (i32, &'static str) {
        match self.kind {
            RefusalKind::Syntax => (-50, "The request is invalid."),
            RefusalKind::NothingLeft => (-326, "No or insufficient priorities were set."),
        }
    }
}

impl fmt::Display for PriorityRefusal {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "Could not set priority: {}", self.at)
    }
}

impl std::error::Error for PriorityRefusal {}

/// The working lists of a `gnutls_priority_st`, by name.
#[derive(Default)]
struct Lists {
    protocols: Vec<Protocol>,
    ciphers: Vec<&'static str>,
    macs: Vec<&'static str>,
    kxs: Vec<&'static str>,
    signs: Vec<&'static str>,
    groups: Vec<&'static str>,
    options: Vec<&'static str>,
    no_extensions: bool,
}

/// `_add_priority` (append what the list did not hold) or `_set_priority` (replace).
fn bulk_set<T: Copy + PartialEq>(list: &mut Vec<T>, items: &[T], add: bool) {
    if add {
        let initial = list.len();
        for &item in items {
            if !list[..initial].contains(&item) {
                list.push(item);
            }
        }
    } else {
        list.clear();
        list.extend_from_slice(items);
    }
}

/// `+`: `_add_priority`; `-`/`!`: `_clear_priorities` (empty the list).
fn bulk_all<T: Copy + PartialEq>(list: &mut Vec<T>, items: &[T], add: bool) {
    if add {
        bulk_set(list, items, true);
    } else {
        list.clear();
    }
}

/// `+`: `_add_priority`; `-`/`!`: `_clear_given_priorities` (remove each).
fn bulk_given<T: Copy + PartialEq>(list: &mut Vec<T>, items: &[T], add: bool) {
    if add {
        bulk_set(list, items, true);
    } else {
        for item in items {
            one(list, *item, false);
        }
    }
}

/// `prio_add` (append when absent) or `prio_remove` (remove the first).
fn one<T: Copy + PartialEq>(list: &mut Vec<T>, item: T, add: bool) {
    let at = list.iter().position(|x| *x == item);
    match (add, at) {
        (true, None) => list.push(item),
        (false, Some(i)) => {
            list.remove(i);
        }
        _ => {}
    }
}

/// `PRIO_MATCH`: a case-insensitive prefix.
fn prefix(s: &str, p: &str) -> bool {
    s.len() >= p.len() && s.as_bytes()[..p.len()].eq_ignore_ascii_case(p.as_bytes())
}

fn find_name<T: Copy>(table: &[T], name: &str, key: impl Fn(&T) -> &'static str) -> Option<T> {
    table
        .iter()
        .copied()
        .find(|e| key(e).eq_ignore_ascii_case(name))
}

fn find_level(name: &str) -> Option<&'static Level> {
    LEVELS.iter().find(|l| {
        l.name.eq_ignore_ascii_case(name) || l.alias.is_some_and(|a| a.eq_ignore_ascii_case(name))
    })
}

impl Lists {
    /// `check_level`: a keyword sets the lists (the first keyword) or adds to them.
    fn level(&mut self, l: &Level, add: bool) {
        if let Some(p) = l.protocols {
            bulk_set(&mut self.protocols, p, add);
        }
        bulk_set(&mut self.ciphers, l.ciphers, add);
        bulk_set(&mut self.kxs, l.kxs, add);
        bulk_set(&mut self.macs, l.macs, add);
        bulk_set(&mut self.signs, l.signs, add);
        bulk_set(&mut self.groups, l.groups, add);
    }

    /// One `+`, `-` or `!` token (without its sign). `Err` is GnuTLS's syntax error.
    fn edit(&mut self, name: &str, add: bool) -> Result<(), ()> {
        if add && let Some(l) = find_level(name) {
            self.level(l, true);
        } else if let Some(m) = find_name(MACS, name, |m| m) {
            one(&mut self.macs, m, add);
        } else if let Some((c, implemented)) = find_name(CIPHERS, name, |c| c.0) {
            if implemented {
                one(&mut self.ciphers, c, add);
            }
        } else if let Some((k, valid)) = find_name(KXS, name, |k| k.0) {
            if valid {
                one(&mut self.kxs, k, add);
            }
        } else if prefix(name, "VERS-") {
            self.edit_versions(name, add)?;
        } else if prefix(name, "COMP-") {
            // Compression methods are all ignored.
        } else if prefix(name, "CURVE-") {
            if prefix(name, "CURVE-ALL") {
                bulk_all(&mut self.groups, GROUPS_NORMAL, add);
            } else {
                let (_, group) = find_name(CURVES, &name[6..], |c| c.0).ok_or(())?;
                if let Some(g) = group {
                    one(&mut self.groups, g, add);
                }
            }
        } else if prefix(name, "GROUP-") {
            self.edit_groups(name, add)?;
        } else if prefix(name, "CTYPE-") {
            check_ctype(name)?;
        } else if prefix(name, "SIGN-") {
            if prefix(name, "SIGN-ALL") {
                bulk_all(&mut self.signs, SIGN_DEFAULT, add);
            } else if prefix(name, "SIGN-GOST-ALL") {
                bulk_all(&mut self.signs, SIGN_GOST, add);
            } else {
                let s = find_name(SIGNS, &name[5..], |s| s.name).ok_or(())?;
                one(&mut self.signs, s.name, add);
            }
        } else {
            self.edit_families(name, add)?;
        }
        Ok(())
    }

    fn edit_versions(&mut self, name: &str, add: bool) -> Result<(), ()> {
        if prefix(name, "VERS-TLS-ALL") {
            bulk_given(&mut self.protocols, PROTOCOLS_STREAM, add);
        } else if prefix(name, "VERS-DTLS-ALL") {
            let dtls = if add {
                PROTOCOLS_DTLS_ADD
            } else {
                PROTOCOLS_DTLS_REMOVE
            };
            bulk_given(&mut self.protocols, dtls, add);
        } else if prefix(name, "VERS-ALL") {
            bulk_all(&mut self.protocols, PROTOCOLS_DEFAULT, add);
        } else {
            let p = Protocol::from_name(&name[5..]).ok_or(())?;
            one(&mut self.protocols, p, add);
        }
        Ok(())
    }

    fn edit_groups(&mut self, name: &str, add: bool) -> Result<(), ()> {
        if prefix(name, "GROUP-ALL") {
            bulk_all(&mut self.groups, GROUPS_NORMAL, add);
        } else if prefix(name, "GROUP-DH-ALL") {
            bulk_given(&mut self.groups, GROUPS_DH, add);
        } else if prefix(name, "GROUP-EC-ALL") {
            bulk_given(&mut self.groups, GROUPS_EC, add);
        } else if prefix(name, "GROUP-GOST-ALL") {
            bulk_given(&mut self.groups, GROUPS_GOST, add);
        } else {
            let g = find_name(GROUPS, &name[6..], |g| g.name).ok_or(())?;
            one(&mut self.groups, g.name, add);
        }
        Ok(())
    }

    /// `MAC-`, `CIPHER-`, `KX-` (only their `-ALL` and `-GOST-ALL` forms do anything; other
    /// names under these prefixes are accepted and ignored) and `GOST`.
    fn edit_families(&mut self, name: &str, add: bool) -> Result<(), ()> {
        if prefix(name, "MAC-") {
            if prefix(name, "MAC-ALL") {
                bulk_all(&mut self.macs, MAC_NORMAL, add);
            } else if prefix(name, "MAC-GOST-ALL") {
                bulk_all(&mut self.macs, MAC_GOST, add);
            }
        } else if prefix(name, "CIPHER-") {
            if prefix(name, "CIPHER-ALL") {
                bulk_all(&mut self.ciphers, CIPHER_NORMAL, add);
            } else if prefix(name, "CIPHER-GOST-ALL") {
                bulk_all(&mut self.ciphers, CIPHER_GOST, add);
            }
        } else if prefix(name, "KX-") {
            if prefix(name, "KX-ALL") {
                bulk_all(&mut self.kxs, KX_SECURE, add);
            } else if prefix(name, "KX-GOST-ALL") {
                bulk_all(&mut self.kxs, KX_GOST, add);
            }
        } else if prefix(name, "GOST") {
            bulk_given(&mut self.groups, GROUPS_GOST, add);
            bulk_all(&mut self.signs, SIGN_GOST, add);
            bulk_all(&mut self.macs, MAC_GOST, add);
            bulk_all(&mut self.ciphers, CIPHER_GOST, add);
            bulk_all(&mut self.kxs, KX_GOST, add);
        } else {
            return Err(());
        }
        Ok(())
    }

    /// One token of the string. `Ok(true)`: a keyword, after which keywords add.
    fn token(&mut self, token: &str, keyword_set: bool) -> Result<bool, ()> {
        if let Some(l) = find_level(token) {
            self.level(l, keyword_set);
            return Ok(true);
        }
        match token.as_bytes().first() {
            Some(b'+') => self.edit(&token[1..], true).map(|()| false),
            Some(b'-' | b'!') => self.edit(&token[1..], false).map(|()| false),
            Some(b'%') => {
                let o = OPTIONS.iter().find(|o| **o == &token[1..]).ok_or(())?;
                self.no_extensions |= *o == "NO_EXTENSIONS";
                self.options.push(o);
                Ok(false)
            }
            _ => Err(()),
        }
    }
}

/// `CTYPE-`: certificate types only need to be known (they change none of the lists).
fn check_ctype(name: &str) -> Result<(), ()> {
    let known = |t: &str| {
        ["X.509", "X509", "RAWPK"]
            .iter()
            .any(|k| k.eq_ignore_ascii_case(t))
    };
    let ok = if prefix(name, "CTYPE-ALL") {
        true
    } else if prefix(name, "CTYPE-CLI-") || prefix(name, "CTYPE-SRV-") {
        prefix(&name[6..], "CLI-ALL") || prefix(&name[6..], "SRV-ALL") || known(&name[10..])
    } else {
        known(&name[6..]) || prefix(name, "CTYPE-OPENPGP")
    };
    if ok { Ok(()) } else { Err(()) }
}

/// `c_isspace`.
fn c_space(c: char) -> bool {
    matches!(c, ' ' | '\t' | '\n' | '\x0b' | '\x0c' | '\r')
}

/// `break_list`: split at `:`, skipping spaces after each colon. GnuTLS keeps the first
/// [`MAX_ELEMENTS`] tokens and silently drops the rest of the string.
fn break_list(s: &str) -> Vec<&str> {
    let mut out = Vec::new();
    let mut rest = Some(s);
    while let Some(r) = rest
        && out.len() < MAX_ELEMENTS
    {
        match r.find(':') {
            Some(i) => {
                out.push(&r[..i]);
                rest = Some(r[i + 1..].trim_start_matches(' '));
            }
            None => {
                out.push(r);
                rest = None;
            }
        }
    }
    out
}

impl Priority {
    /// Reads a priority string as GnuTLS 3.7.9 does; a refusal is Scylla's start-up error.
    pub fn parse(string: &str) -> Result<Priority, PriorityRefusal> {
        // Seastar passes a C string: it ends at the first NUL.
        let string = string.split('\0').next().unwrap_or_default();
        let trimmed = string.trim_start_matches(c_space);
        let whole = |kind| PriorityRefusal {
            kind,
            at: string.to_owned(),
        };
        // `@KEYWORD` names an entry of the system priority file, which Debian does not have.
        if trimmed.starts_with('@') {
            return Err(whole(RefusalKind::Syntax));
        }
        let tokens = break_list(trimmed);
        let mut lists = Lists::default();
        let mut keyword_set = false;
        let first = if tokens[0].eq_ignore_ascii_case("NONE") {
            keyword_set = true;
            1
        } else {
            lists.protocols = PROTOCOLS_DEFAULT.to_vec();
            lists.signs = SIGN_DEFAULT.to_vec();
            lists.groups = GROUPS_NORMAL.to_vec();
            0
        };
        for (i, token) in tokens.iter().enumerate().skip(first) {
            match lists.token(token, keyword_set) {
                Ok(keyword) => keyword_set |= keyword,
                Err(()) if trimmed.len() != string.len() => {
                    return Err(whole(RefusalKind::Syntax));
                }
                Err(()) => {
                    // GnuTLS counts each earlier token plus one colon, not the spaces it
                    // skipped, so after `: ` the position lags (as Scylla reports it).
                    let offset: usize = tokens[..i].iter().map(|t| t.len() + 1).sum();
                    let bytes = string.as_bytes();
                    let at = String::from_utf8_lossy(&bytes[offset.min(bytes.len())..]);
                    return Err(PriorityRefusal {
                        kind: RefusalKind::Syntax,
                        at: at.into_owned(),
                    });
                }
            }
        }
        lists
            .finish()
            .ok_or_else(|| whole(RefusalKind::NothingLeft))
    }
}

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
        .filter_map(|n| GROUPS.iter().find(|g| g.name == *n))
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
    fn finish(mut self) -> Option<Priority> {
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
                .filter_map(|n| GROUPS.iter().find(|g| g.name == *n))
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
