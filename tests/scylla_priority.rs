//! Scylla's `priority_string` read as GnuTLS reads it, against GnuTLS itself: for each string
//! of a grid, `gnutls-cli --priority S --list` (Debian's GnuTLS 3.7.9) gives the verdict and
//! the protocols, suites (in order), ciphers, MACs, key exchanges, groups and signature
//! algorithms; `Priority::parse` must give the same. Then live: `gnutls-serv` configured with
//! a priority string, and our rustls client restricted to the same string.

mod common;

use std::io::{Read, Write};
use std::process::Command;
use std::sync::Arc;

use cassandra_tls::options::scylla::{Priority, RefusalKind, SCYLLA_DEFAULT_PRIORITY, Unusable};
use cassandra_tls::tls::restrict_to_priority;

/// What `gnutls-cli --list` says of a priority string.
#[derive(Debug, PartialEq)]
enum Oracle {
    Accepted(Lists),
    Syntax(String),
    NothingLeft,
}

/// The lists, as names GnuTLS prints.
#[derive(Debug, Default, PartialEq)]
struct Lists {
    /// (name, "0xNN, 0xNN", minimum version)
    suites: Vec<(String, u16, String)>,
    protocols: Vec<String>,
    ciphers: Vec<String>,
    macs: Vec<String>,
    kx: Vec<String>,
    groups: Vec<String>,
    signatures: Vec<String>,
}

fn names(line: &str, prefix: &str) -> Vec<String> {
    if line == "none" {
        return Vec::new();
    }
    line.split(", ")
        .map(|s| s.strip_prefix(prefix).unwrap_or(s).to_owned())
        .collect()
}

/// GnuTLS's text for `GNUTLS_E_NO_PRIORITIES_WERE_SET`, as gnutls-cli prints it.
const NOTHING_LEFT: &str = "No or insufficient priorities were set.";

fn gnutls(priority: &str) -> Oracle {
    let out = Command::new("gnutls-cli")
        .arg(format!("--priority={priority}"))
        .arg("--list")
        .output()
        .expect("gnutls-cli runs");
    let stderr = String::from_utf8_lossy(&out.stderr);
    if !out.status.success() {
        let first = stderr.split('\n').next().unwrap_or_default();
        if let Some(at) = first.strip_prefix("Syntax error at: ") {
            return Oracle::Syntax(at.to_owned());
        }
        assert_eq!(
            first.strip_prefix("Error in priorities: "),
            Some(NOTHING_LEFT),
            "{priority:?}"
        );
        return Oracle::NothingLeft;
    }
    let stdout = String::from_utf8_lossy(&out.stdout);
    let mut lists = Lists::default();
    for line in stdout.lines().skip(1) {
        let fields: Vec<&str> = line.split('\t').collect();
        if fields.len() == 3 {
            let code = fields[1]
                .split(", ")
                .map(|b| u16::from_str_radix(b.trim_start_matches("0x"), 16).unwrap())
                .fold(0u16, |acc, b| (acc << 8) | b);
            lists
                .suites
                .push((fields[0].trim().to_owned(), code, fields[2].to_owned()));
        } else if let Some((key, value)) = line.split_once(": ") {
            let value = value.trim_end();
            match key {
                "Protocols" => lists.protocols = names(value, "VERS-"),
                "Ciphers" => lists.ciphers = names(value, ""),
                "MACs" => lists.macs = names(value, ""),
                "Key Exchange Algorithms" => lists.kx = names(value, ""),
                "Groups" => lists.groups = names(value, "GROUP-"),
                "PK-signatures" => lists.signatures = names(value, "SIGN-"),
                _ => {}
            }
        }
    }
    Oracle::Accepted(lists)
}

fn ours(priority: &str) -> Oracle {
    match Priority::parse(priority) {
        Ok(p) => Oracle::Accepted(Lists {
            suites: p
                .suites
                .iter()
                .map(|s| {
                    let min = s.min_version.map_or("", |v| v.gnutls_name());
                    (s.gnutls_name.to_owned(), s.code, min.to_owned())
                })
                .collect(),
            protocols: p
                .protocols
                .iter()
                .map(|v| v.gnutls_name().to_owned())
                .collect(),
            ciphers: p.ciphers.iter().map(|s| s.to_string()).collect(),
            macs: p.macs.iter().map(|s| s.to_string()).collect(),
            kx: p.key_exchanges.iter().map(|s| s.to_string()).collect(),
            groups: p.groups.iter().map(|g| g.name.to_owned()).collect(),
            signatures: p.signatures.iter().map(|s| s.name.to_owned()).collect(),
        }),
        Err(e) => {
            assert_eq!(e.to_string(), format!("Could not set priority: {}", e.at));
            match e.kind {
                RefusalKind::Syntax => Oracle::Syntax(e.at),
                RefusalKind::NothingLeft => {
                    // GnuTLS points at the whole string when nothing is left.
                    assert_eq!(e.at, priority);
                    assert_eq!(e.gnutls_error().1, NOTHING_LEFT);
                    Oracle::NothingLeft
                }
                other => panic!("unexpected refusal {other:?}"),
            }
        }
    }
}

/// More than `MAX_ELEMENTS` (128) tokens: GnuTLS reads the first 128 and ignores the rest,
/// a bad token included.
fn long_string() -> String {
    let mut s = String::from("NORMAL");
    for _ in 0..130 {
        s.push_str(":+AEAD");
    }
    s.push_str(":-VERS-TLS1.3:BOGUS");
    s
}

/// 127 tokens, then a bad one: the 128th is still read.
fn long_bad_string() -> String {
    let mut s = String::from("NORMAL");
    for _ in 0..126 {
        s.push_str(":+AEAD");
    }
    s.push_str(":BOGUS:+AEAD");
    s
}

const GRID: &[&str] = &[
    // Scylla's default and the strings of its documentation.
    SCYLLA_DEFAULT_PRIORITY,
    "SECURE128:-VERS-TLS1.0:-VERS-TLS1.1",
    "SECURE128:+SECURE192:-VERS-ALL:+VERS-TLS1.2:+VERS-TLS1.3",
    "SECURE128:+SECURE192:-VERS-ALL:+VERS-TLS1.3",
    // Each keyword, and aliases and case.
    "NORMAL",
    "PFS",
    "SECURE128",
    "SECURE",
    "SECURE192",
    "SECURE256",
    "SUITEB128",
    "SUITEB192",
    "LEGACY",
    "PERFORMANCE",
    "normal",
    "PFS:-VERS-TLS1.0:-VERS-TLS1.1",
    // Later keywords add; NONE starts empty.
    "SECURE128:SECURE192",
    "SECURE192:+SECURE128",
    "NONE:SECURE128",
    "NONE:+SECURE128",
    "SUITEB128:+VERS-TLS1.3",
    // Versions.
    "NORMAL:-VERS-TLS-ALL:+VERS-TLS1.2",
    "NORMAL:-VERS-ALL:+VERS-TLS1.3",
    "NORMAL:-VERS-TLS1.2:-VERS-TLS1.1:-VERS-TLS1.0",
    "NORMAL:-VERS-TLS1.2",
    "NORMAL:+VERS-SSL3.0",
    "NORMAL:+VERS-DTLS-ALL",
    "NORMAL:-VERS-DTLS-ALL",
    "NORMAL:-VERS-TLS-ALL",
    "NORMAL:+VERS-TLS-ALLFOO",
    "NORMAL:+VERS-tls1.2:-vers-tls1.0",
    // Key exchanges, ciphers, MACs, and their -ALL forms.
    "NORMAL:-RSA",
    "NORMAL:-DHE-RSA:-RSA",
    "NORMAL:!AES-128-CBC",
    "NORMAL:-CIPHER-ALL:+CHACHA20-POLY1305",
    "NORMAL:-MAC-ALL:+AEAD",
    "NORMAL:-KX-ALL:+ECDHE-RSA",
    "NORMAL:+ARCFOUR-128:+ARCFOUR-40",
    "NORMAL:+3DES-CBC:+CAMELLIA-128-GCM:+CAMELLIA-256-CBC:+SHA256",
    "NORMAL:+PSK:+DHE-PSK:+ECDHE-PSK",
    "NORMAL:+SRP",
    "NORMAL:+NULL",
    "NORMAL:+RSA-PSK",
    "NORMAL:+ANON-DH:+ANON-ECDH",
    "NORMAL:+GOST",
    "NORMAL:-GOST",
    "NORMAL:+RSA-EXPORT",
    "NORMAL:+sha256:+aes-128-ccm-8",
    "NORMAL:+MAC-FOO:+CIPHER-BAR:+KX-BAZ",
    "NORMAL:+SIGN-DSA-SHA1:+DHE-DSS",
    // Groups, curves, signatures.
    "NORMAL:-GROUP-ALL:+GROUP-X25519",
    "NORMAL:-GROUP-DH-ALL",
    "NORMAL:-GROUP-EC-ALL",
    "NORMAL:-CURVE-ALL:+CURVE-SECP384R1",
    "NORMAL:+GROUP-FFDHE2048:-GROUP-SECP256R1",
    "NORMAL:-GROUP-ALL:+GROUP-FFDHE3072:+GROUP-X25519",
    "NORMAL:-VERS-ALL:+VERS-TLS1.3:-GROUP-EC-ALL",
    "NORMAL:-VERS-ALL:+VERS-TLS1.3:-GROUP-ALL",
    "NORMAL:-SIGN-ALL:+SIGN-RSA-SHA256",
    "NORMAL:-SIGN-ALL",
    "NORMAL:-VERS-ALL:+VERS-TLS1.3:-SIGN-ALL:+SIGN-ECDSA-SHA256:+SIGN-RSA-PSS-RSAE-SHA256",
    // Options, compression and certificate types.
    "PERFORMANCE:%SERVER_PRECEDENCE",
    "NORMAL:%COMPAT:%NO_TICKETS",
    "NORMAL:%NO_EXTENSIONS",
    "NORMAL:+COMP-NULL",
    "NORMAL:+CTYPE-X.509:+CTYPE-CLI-RAWPK:+CTYPE-SRV-ALL",
    "NORMAL:+CTYPE-OPENPGP",
    // Hand-built strings.
    "NONE:+VERS-TLS1.2:+AES-128-GCM:+AEAD:+SIGN-ALL",
    "NONE:+VERS-TLS1.3:+AES-128-GCM:+AEAD:+SIGN-ALL",
    "NONE:+VERS-TLS1.3:+AES-128-GCM:+AEAD:+SIGN-ALL:+GROUP-X25519",
    "NONE:+VERS-TLS1.2:+ECDHE-RSA:+AES-128-CBC:+SHA1:+SIGN-ALL:+GROUP-ALL",
    "NONE:+VERS-TLS1.1:+VERS-TLS1.0:+RSA:+AES-128-CBC:+SHA1:+SIGN-ALL",
    "NORMAL: -VERS-TLS1.0",
    // Refusals: syntax, and nothing left.
    "BOGUS",
    "SECURE128:+BOGUS",
    "SECURE128:+VERS-TLS1.4",
    "SECURE128:-GROUP-FOO",
    "SECURE128:+CURVE-FOO",
    "SECURE128:+SIGN-FOO",
    "SECURE128:+SIGN-GOSTR341094",
    "SECURE128:%FOO",
    "SECURE128:%compat",
    "SECURE128:+CTYPE-FOO",
    "-SECURE128",
    "SECURE128:NONE",
    "",
    " ",
    "SECURE128:",
    ":SECURE128",
    "  SECURE128:BOGUS",
    "SECURE128: BOGUS",
    "SECURE128:  +VERS-TLS1.2:BOGUS",
    "%",
    "@SYSTEM",
    "NONE",
    "NONE:+VERS-TLS1.2",
    "NORMAL:-VERS-ALL",
    "NORMAL:-CIPHER-ALL",
    // More combinations: DTLS only, TLS 1.3 beside pre-1.2 without 1.2, GOST, the -ALL forms.
    "NORMAL:+VERS-DTLS-ALL:-VERS-TLS-ALL",
    "NONE:+VERS-DTLS1.2:+AES-128-GCM:+AEAD:+ECDHE-RSA:+SIGN-ALL:+GROUP-ALL",
    "NORMAL:-VERS-TLS-ALL:+VERS-TLS1.1",
    "NONE:+VERS-TLS1.3:+VERS-TLS1.1:+AES-128-GCM:+AEAD:+SIGN-ALL:+GROUP-ALL",
    "NORMAL:+VERS-DTLS0.9",
    "NORMAL:!VERS-TLS1.3:!VERS-TLS1.2",
    "SECURE192:+GROUP-X25519",
    "LEGACY:%PROFILE_LOW:%VERIFY_ALLOW_SIGN_WITH_SHA1",
    "NORMAL:+KX-ALL:+CIPHER-ALL:+MAC-ALL:+SIGN-ALL:+GROUP-ALL:+CURVE-ALL",
    "NORMAL:-KX-ALL:-CIPHER-ALL:-MAC-ALL",
    "NORMAL:+GROUP-GOST-ALL:+SIGN-GOST-ALL:+MAC-GOST-ALL:+CIPHER-GOST-ALL:+KX-GOST-ALL",
    "NORMAL:-GROUP-GOST-ALL:-SIGN-GOST-ALL",
    "NONE:+VERS-TLS1.2:+ECDHE-RSA:+AES-128-GCM:+AEAD",
    "NORMAL:+CURVE-X448:-CURVE-X25519:+CURVE-TC26-256-B",
    "PFS:+RSA",
    "SECURE128:-VERS-TLS1.0:%NO_TICKETS:%SERVER_PRECEDENCE:%DISABLE_TLS13_COMPAT_MODE",
    "NORMAL:+CTYPE-CLI-X509:+CTYPE-SRV-RAWPK",
    "NORMAL:+CTYPE-SRV-CLI-ALL",
    "NORMAL:+CURVE-TC26-256-A",
    // Not ASCII, and white space GnuTLS does not skip.
    "SECURE128:+\u{c9}CDHE-RSA",
    "NORMAL:  \u{e9}:BOGUS",
    "NORMAL:\t-VERS-TLS1.0",
    "\tNORMAL",
];

#[test]
fn the_grid_reads_as_gnutls_reads_it() {
    if !common::tools_present(&["gnutls-cli"]) {
        return;
    }
    let (long, long_bad) = (long_string(), long_bad_string());
    let mut strings: Vec<&str> = GRID.to_vec();
    // GnuTLS orders PERFORMANCE's ciphers by the CPU (AES instructions or not); the tables model
    // a CPU with them, as the machines here have.
    let aes = std::fs::read_to_string("/proc/cpuinfo")
        .map(|c| {
            c.lines()
                .any(|l| l.starts_with("flags") && l.split_whitespace().any(|f| f == "aes"))
        })
        .unwrap_or(false);
    if !aes {
        eprintln!("no AES instructions on this CPU: the PERFORMANCE strings are left out");
        strings.retain(|s| !s.contains("PERFORMANCE"));
    }
    strings.push(&long);
    strings.push(&long_bad);
    assert!(strings.len() >= 50);
    let mut failures = Vec::new();
    for s in &strings {
        let (expected, got) = (gnutls(s), ours(s));
        if expected != got {
            failures.push(format!("{s:?}:\n  gnutls: {expected:?}\n  ours:   {got:?}"));
        }
        if let Oracle::Accepted(lists) = &expected
            && let Err(e) = rustls_split(s, lists)
        {
            failures.push(format!("{s:?}: {e}"));
        }
        if let (Oracle::Accepted(_), Ok(p)) = (&expected, Priority::parse(s)) {
            let offered = (p.offered_signatures.len(), p.offered_groups.len());
            let logged = gnutls_offered(s);
            if logged != offered {
                failures.push(format!(
                    "{s:?}: GnuTLS offers (signatures, groups) {logged:?}, ours {offered:?}"
                ));
            }
        }
    }
    assert!(
        failures.is_empty(),
        "{} of {} differ:\n{}",
        failures.len(),
        strings.len(),
        failures.join("\n")
    );
}

/// How many signature algorithms and groups GnuTLS offers: its debug log (level 2) says
/// "added P protocols, C ciphersuites, S sig algos and G groups into priority list".
fn gnutls_offered(priority: &str) -> (usize, usize) {
    let out = Command::new("gnutls-cli")
        .env("GNUTLS_DEBUG_LEVEL", "2")
        .arg(format!("--priority={priority}"))
        .arg("--list")
        .output()
        .expect("gnutls-cli runs");
    let stderr = String::from_utf8_lossy(&out.stderr);
    let line = stderr
        .lines()
        .rfind(|l| l.contains(" sig algos and "))
        .unwrap_or_else(|| panic!("{priority:?}: no 'added' line in {stderr}"));
    let words: Vec<&str> = line.split_whitespace().collect();
    let before = |w: &str| -> usize {
        let i = words.iter().position(|x| *x == w).unwrap();
        words[i - 1].parse().unwrap()
    };
    (before("sig"), before("groups"))
}

/// GnuTLS's suites split by what rustls' own provider implements: those it lacks are exactly
/// the suites `unsupported()` names, and those it has (for a version GnuTLS enables) are
/// `rustls_subset()`'s suites, in GnuTLS's order.
fn rustls_split(s: &str, gnutls: &Lists) -> Result<(), String> {
    let provider = rustls::crypto::aws_lc_rs::default_provider();
    let rustls_has = |code: u16| {
        provider
            .cipher_suites
            .iter()
            .find(|c| u16::from(c.suite()) == code)
    };
    let p = Priority::parse(s).unwrap();
    let lacking: Vec<&str> = gnutls
        .suites
        .iter()
        .filter(|(_, code, _)| rustls_has(*code).is_none())
        .map(|(name, _, _)| name.as_str())
        .collect();
    let named: Vec<String> = p
        .unsupported()
        .into_iter()
        .filter(|u| u.item.starts_with("TLS_"))
        .map(|u| u.item)
        .collect();
    if lacking != named {
        return Err(format!(
            "rustls lacks {lacking:?}; unsupported() names {named:?}"
        ));
    }
    let version_on = |tls13: bool| {
        let v = if tls13 { "TLS1.3" } else { "TLS1.2" };
        gnutls.protocols.iter().any(|p| p == v)
    };
    let usable: Vec<u16> = gnutls
        .suites
        .iter()
        .filter_map(|(_, code, _)| rustls_has(*code))
        .filter(|c| version_on(c.tls13().is_some()))
        .map(|c| u16::from(c.suite()))
        .collect();
    let subset: Vec<u16> = match p.rustls_subset() {
        Ok(subset) => subset.suites.iter().map(|c| c.iana).collect(),
        Err(Unusable::NoSuite { .. } | Unusable::NoVersion { .. }) => Vec::new(),
        Err(_) => return Ok(()),
    };
    if usable != subset {
        return Err(format!(
            "rustls can use {usable:04x?}; rustls_subset() has {subset:04x?}"
        ));
    }
    Ok(())
}

/// A free port: bound on 127.0.0.1 port 0, then released for gnutls-serv (which takes `-p`
/// and prints the port it was given, not the one it got).
fn free_port() -> u16 {
    let l = std::net::TcpListener::bind(("127.0.0.1", 0)).unwrap();
    l.local_addr().unwrap().port()
}

/// `gnutls-serv --echo` with node1's chain and key and the priority string, no client
/// certificate asked; ready once it prints that it listens.
fn gnutls_serv(priority: &str) -> common::peer::Peer {
    let port = free_port();
    let mut cmd = Command::new("gnutls-serv");
    cmd.args(["--echo", "--disable-client-cert", "-p"])
        .arg(port.to_string())
        .arg(format!("--priority={priority}"))
        .arg("--x509certfile")
        .arg(common::store_path("node1.chain.pem"))
        .arg("--x509keyfile")
        .arg(common::store_path("node1.key.pem"));
    let peer = common::peer::start(cmd, "IPv4 0.0.0.0 port ");
    assert_eq!(peer.port, port);
    peer
}

fn roots() -> rustls::RootCertStore {
    use rustls::pki_types::CertificateDer;
    use rustls::pki_types::pem::PemObject;
    let mut roots = rustls::RootCertStore::empty();
    for c in CertificateDer::pem_file_iter(common::store_path("ca.pem")).unwrap() {
        roots.add(c.unwrap()).unwrap();
    }
    roots
}

/// What a handshake settled on; the group as rustls names it (`secp384r1`).
struct Negotiated {
    suite: u16,
    version: rustls::ProtocolVersion,
    group: String,
}

/// Connects, sends a line through the echo server and reads it back; the suite and version
/// negotiated.
fn echo(config: rustls::ClientConfig, port: u16) -> Result<Negotiated, rustls::Error> {
    let name = rustls::pki_types::ServerName::try_from("127.0.0.1").unwrap();
    let conn = rustls::ClientConnection::new(Arc::new(config), name)?;
    let mut tls = rustls::StreamOwned::new(conn, common::peer::connect(port));
    let sent = b"priority\n";
    tls.write_all(sent)
        .map_err(|e| rustls::Error::General(e.to_string()))?;
    let mut back = [0u8; 9];
    tls.read_exact(&mut back)
        .map_err(|e| rustls::Error::General(e.to_string()))?;
    assert_eq!(&back, sent);
    let suite = tls.conn.negotiated_cipher_suite().unwrap();
    let group = tls.conn.negotiated_key_exchange_group().unwrap();
    Ok(Negotiated {
        suite: u16::from(suite.suite()),
        version: tls.conn.protocol_version().unwrap(),
        group: format!("{:?}", group.name()),
    })
}

#[test]
fn a_client_restricted_to_the_string_negotiates_what_gnutls_allows() {
    if !common::tools_present(&["gnutls-cli", "gnutls-serv"]) {
        return;
    }
    for (priority, version) in [
        (SCYLLA_DEFAULT_PRIORITY, rustls::ProtocolVersion::TLSv1_3),
        (
            "SECURE128:-VERS-ALL:+VERS-TLS1.2",
            rustls::ProtocolVersion::TLSv1_2,
        ),
        (
            "NORMAL:-VERS-ALL:+VERS-TLS1.2:-CIPHER-ALL:+CHACHA20-POLY1305:+AES-128-CBC",
            rustls::ProtocolVersion::TLSv1_2,
        ),
        // Our client offers only the group the string leaves (rustls would start with X25519).
        (
            "SECURE128:-GROUP-ALL:+GROUP-SECP384R1",
            rustls::ProtocolVersion::TLSv1_3,
        ),
        (
            "SECURE128:-VERS-ALL:+VERS-TLS1.2:-GROUP-ALL:+GROUP-SECP256R1:+GROUP-FFDHE2048",
            rustls::ProtocolVersion::TLSv1_2,
        ),
    ] {
        let Oracle::Accepted(allowed) = gnutls(priority) else {
            panic!("GnuTLS refuses {priority:?}");
        };
        let server = gnutls_serv(priority);
        let aws_lc = Arc::new(rustls::crypto::aws_lc_rs::default_provider());
        let restricted =
            restrict_to_priority(&Priority::parse(priority).unwrap(), Some(&aws_lc)).unwrap();
        let config = restricted
            .client_builder()
            .unwrap()
            .with_root_certificates(roots())
            .with_no_client_auth();
        // The groups offered: GnuTLS's, in its order, that rustls' provider implements.
        let rustls_groups: Vec<String> = aws_lc
            .kx_groups
            .iter()
            .map(|g| format!("{:?}", g.name()))
            .collect();
        let expected: Vec<&String> = allowed
            .groups
            .iter()
            .filter(|g| rustls_groups.iter().any(|r| r.eq_ignore_ascii_case(g)))
            .collect();
        let offered: Vec<String> = restricted
            .provider
            .kx_groups
            .iter()
            .map(|g| format!("{:?}", g.name()))
            .collect();
        assert_eq!(offered.len(), expected.len(), "{priority:?}: {offered:?}");
        assert!(
            offered
                .iter()
                .zip(&expected)
                .all(|(o, e)| o.eq_ignore_ascii_case(e)),
            "{priority:?}: offered {offered:?}, expected {expected:?}"
        );
        let got = echo(config, server.port).unwrap();
        assert_eq!(got.version, version, "{priority:?}");
        assert!(
            allowed.suites.iter().any(|(_, code, _)| *code == got.suite),
            "{priority:?}: negotiated {:#06x}, GnuTLS allows {:?}",
            got.suite,
            allowed.suites
        );
        assert!(
            allowed
                .groups
                .iter()
                .any(|g| g.eq_ignore_ascii_case(&got.group)),
            "{priority:?}: negotiated {}, GnuTLS allows {:?}",
            got.group,
            allowed.groups
        );
    }
}

#[test]
fn a_string_rustls_cannot_serve_is_refused_up_front() {
    if !common::tools_present(&["gnutls-cli", "gnutls-serv"]) {
        return;
    }
    let cases = [
        ("NORMAL:-VERS-ALL:+VERS-TLS1.1:+VERS-TLS1.0", "no version"),
        (
            "NONE:+VERS-TLS1.2:+ECDHE-RSA:+RSA:+AES-128-CBC:+AES-256-CBC:+SHA1:+SIGN-ALL:+GROUP-ALL",
            "no suite",
        ),
        ("NORMAL:-VERS-ALL:+VERS-TLS1.2:-KX-ALL:+DHE-RSA", "no suite"),
    ];
    for (priority, expected) in cases {
        // GnuTLS accepts the string, and serves it.
        assert!(
            matches!(gnutls(priority), Oracle::Accepted(_)),
            "{priority:?}"
        );
        let server = gnutls_serv(priority);
        let refusal = restrict_to_priority(&Priority::parse(priority).unwrap(), None).unwrap_err();
        let kind = match refusal {
            Unusable::NoVersion { .. } => "no version",
            Unusable::NoSuite { .. } => "no suite",
            Unusable::NoGroup { .. } => "no group",
            _ => "other",
        };
        assert_eq!(kind, expected, "{priority:?}: {refusal:?}");
        assert!(refusal.to_string().contains("rustls has"), "{refusal}");
        // An unrestricted rustls client indeed cannot talk to it.
        let config = rustls::ClientConfig::builder()
            .with_root_certificates(roots())
            .with_no_client_auth();
        assert!(echo(config, server.port).is_err(), "{priority:?}");
    }
}

#[test]
fn hostile_strings_get_a_verdict() {
    // 700,000 tokens (4 MB): the first 128 are read, the rest dropped, as GnuTLS does (the grid
    // checks the cap against gnutls-cli); a bad token at the end is never reached.
    let huge = format!("NORMAL{}:BOGUS", ":+AEAD".repeat(700_000));
    assert_eq!(
        Priority::parse(&huge).unwrap(),
        Priority::parse("NORMAL").unwrap()
    );
    // One token of 1 MiB: refused, naming all of it (no more than was given).
    let token = "X".repeat(1 << 20);
    let refusal = Priority::parse(&token).unwrap_err();
    assert_eq!(refusal.kind, RefusalKind::Syntax);
    assert_eq!(refusal.at, token);
    // A NUL ends the string: Seastar hands GnuTLS a C string.
    assert_eq!(
        Priority::parse("SECURE128\0:BOGUS").unwrap(),
        Priority::parse("SECURE128").unwrap()
    );
}
