//! Scylla's `CertificateAuthenticator` against its own libraries: the SUBJECT and ALTNAME
//! strings against libgnutls (tests/peers/gnutls_dn.c, which calls `gnutls_x509_crt_get_dn`
//! and replicates Seastar's alt-name list), and the role queries against boost::regex
//! (tests/peers/boost_regex.cpp, which does what the constructor and `authenticate()` do).
//! Certificates come from `openssl req -x509`. No expected value comes from the crate.

mod common;

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};
use std::process::Command;

use cassandra_tls::keystore::Certificate;
use cassandra_tls::options::scylla::auth::{
    QueryRefusal, QuerySource, RoleQueries, gnutls_subject_dn, seastar_altnames,
};

/// Both peers compiled into `dir`, or `None` (skipped; a failure in CI).
fn build_peers(dir: &Path) -> Option<(PathBuf, PathBuf)> {
    if !common::tools_present(&["gcc", "g++", "pkg-config", "openssl"]) {
        return None;
    }
    let peers = common::root().join("tests/peers");
    let flags = Command::new("pkg-config")
        .args(["--cflags", "--libs", "gnutls"])
        .output()
        .ok()?;
    if !flags.status.success() {
        common::skip_or_fail("pkg-config knows no gnutls (libgnutls28-dev)");
        return None;
    }
    let flags = String::from_utf8_lossy(&flags.stdout).to_string();
    let dn = dir.join("gnutls_dn");
    let out = Command::new("gcc")
        .arg("-O1")
        .arg("-o")
        .arg(&dn)
        .arg(peers.join("gnutls_dn.c"))
        .args(flags.split_whitespace())
        .output()
        .expect("gcc runs");
    if !out.status.success() {
        common::skip_or_fail(&format!(
            "gnutls_dn.c does not build: {}",
            String::from_utf8_lossy(&out.stderr)
        ));
        return None;
    }
    let re = dir.join("boost_regex");
    let out = Command::new("g++")
        .arg("-O1")
        .arg("-o")
        .arg(&re)
        .arg(peers.join("boost_regex.cpp"))
        .arg("-lboost_regex")
        .output()
        .expect("g++ runs");
    if !out.status.success() {
        common::skip_or_fail(&format!(
            "boost_regex.cpp does not build (libboost-regex-dev): {}",
            String::from_utf8_lossy(&out.stderr)
        ));
        return None;
    }
    Some((dn, re))
}

/// One certificate of the grid: openssl's `-subj` and an optional subjectAltName.
struct Shape {
    name: &'static str,
    subj: &'static str,
    multivalue: bool,
    san: Option<&'static str>,
}

const fn s(name: &'static str, subj: &'static str) -> Shape {
    Shape {
        name,
        subj,
        multivalue: false,
        san: None,
    }
}

fn shapes() -> Vec<Shape> {
    vec![
        s("c-o-ou-cn", "/C=US/O=Acme/OU=Eng/CN=alice"),
        s("cn-first", "/CN=alice/OU=Eng/O=Acme/C=US"),
        s("cn-only", "/CN=alice"),
        Shape {
            multivalue: true,
            ..s("multi-valued", "/C=US/O=Acme/OU=Eng+UID=42/CN=bob")
        },
        Shape {
            multivalue: true,
            ..s("multi-valued-cn", "/CN=alice+CN=bob/O=x")
        },
        s("comma", "/C=US/O=Acme\\, Inc./CN=Doe\\, John"),
        s("quote-backslash", "/CN=a\"b\\\\c/O=x<y>z;w"),
        s("plus-equals", "/CN=a\\+b=c/O=x"),
        s("leading-hash", "/CN=#hash/O= lead/OU=trail "),
        s("utf8", "/CN=Jürgen Groß/O=株式会社"),
        s("email", "/CN=alice/emailAddress=alice@example.com"),
        s("uid-dc", "/DC=com/DC=example/UID=alice/CN=Alice"),
        s(
            "serial-title-street",
            "/serialNumber=1234/title=Dr/street=1 Main St/L=Town/ST=State/postalCode=12345/CN=x",
        ),
        s("names", "/GN=Ann/SN=Lee/initials=AL/pseudonym=al/CN=x"),
        s("unknown-oid", "/1.2.3.4=foo/CN=alice"),
        s("description", "/description=a, b/businessCategory=x/CN=y"),
        s("dnq", "/dnQualifier=abc/CN=y"),
        Shape {
            san: Some("DNS:alice.example,DNS:*.example.org"),
            ..s("san-dns", "/CN=alice")
        },
        Shape {
            san: Some("IP:10.1.2.3,IP:::1,IP:2001:db8::1,IP:::ffff:1.2.3.4,IP:1:0:0:2:0:0:0:3"),
            ..s("san-ip", "/CN=alice")
        },
        Shape {
            san: Some("email:alice@example.com,URI:spiffe://cluster/ns/alice"),
            ..s("san-email-uri", "/CN=alice")
        },
        Shape {
            san: Some("otherName:1.2.3.4;UTF8:alice,otherName:1.3.6.1.4.1.311.20.2.3;UTF8:a@b"),
            ..s("san-othername", "/CN=alice")
        },
        Shape {
            san: Some("dirName:dir_sect"),
            ..s("san-dirname", "/CN=alice")
        },
        Shape {
            san: Some("DNS:admin"),
            ..s("operator-like", "/O=scylla")
        },
    ]
}

const DIR_SECT: &str =
    "[req]\ndistinguished_name=dn\n[dn]\n[dir_sect]\nC=US\nO=Acme, Inc.\nCN=alice\n";

fn make_cert(dir: &Path, shape: &Shape) -> Option<PathBuf> {
    let cfg = dir.join("openssl.cnf");
    std::fs::write(&cfg, DIR_SECT).expect("write config");
    let pem = dir.join(format!("{}.pem", shape.name));
    let key = dir.join(format!("{}.key", shape.name));
    let mut cmd = Command::new("openssl");
    cmd.args(["req", "-x509", "-newkey", "ec", "-pkeyopt"])
        .arg("ec_paramgen_curve:P-256")
        .args(["-nodes", "-days", "2", "-utf8", "-config"])
        .arg(&cfg)
        .arg("-keyout")
        .arg(&key)
        .arg("-out")
        .arg(&pem)
        .arg("-subj")
        .arg(shape.subj);
    if shape.multivalue {
        cmd.arg("-multivalue-rdn");
    }
    if let Some(san) = shape.san {
        cmd.arg("-addext").arg(format!("subjectAltName={san}"));
    }
    let out = cmd.output().expect("openssl runs");
    if !out.status.success() {
        eprintln!(
            "openssl could not make {}: {}",
            shape.name,
            String::from_utf8_lossy(&out.stderr)
        );
        return None;
    }
    Some(pem)
}

fn der_of(pem: &Path) -> Vec<u8> {
    let out = Command::new("openssl")
        .args(["x509", "-outform", "DER", "-in"])
        .arg(pem)
        .output()
        .expect("openssl runs");
    assert!(out.status.success());
    out.stdout
}

/// The peer's two lines: (DN or error, ALT or error).
fn gnutls_says(peer: &Path, cert: &Path) -> (Result<String, String>, Result<String, String>) {
    let out = Command::new(peer)
        .arg(cert)
        .output()
        .expect("gnutls_dn runs");
    let text = String::from_utf8_lossy(&out.stdout).to_string();
    let mut dn = Err("no DN line".to_string());
    let mut alt = Err("no ALT line".to_string());
    for line in text.lines() {
        if let Some(v) = line.strip_prefix("DN ") {
            dn = Ok(v.to_string());
        } else if let Some(v) = line.strip_prefix("DNERR ") {
            dn = Err(v.to_string());
        } else if let Some(v) = line.strip_prefix("ALT ") {
            alt = Ok(v.to_string());
        } else if line == "ALT" {
            alt = Ok(String::new());
        } else if let Some(v) = line.strip_prefix("ALTERR ") {
            alt = Err(v.to_string());
        }
    }
    (dn, alt)
}

#[test]
fn subject_and_altname_strings_are_gnutls_and_seastars() {
    let dir = tempfile::tempdir().expect("temp dir");
    let Some((dn_peer, re_peer)) = build_peers(dir.path()) else {
        return;
    };
    let mut failures = Vec::new();
    let mut compared = 0;
    let mut alt_query = BTreeMap::new();
    alt_query.insert("source".to_string(), "ALTNAME".to_string());
    alt_query.insert("query".to_string(), "(?:DNS|EMAIL|URI)=([^,]+)".to_string());
    let by_alt = RoleQueries::from_maps(&[alt_query]).expect("valid");
    for shape in shapes() {
        let Some(pem) = make_cert(dir.path(), &shape) else {
            continue;
        };
        let cert = Certificate::from_der_bytes(der_of(&pem)).expect("openssl's certificate loads");
        let (dn, alt) = gnutls_says(&dn_peer, &pem);
        let ours_dn = gnutls_subject_dn(&cert);
        match (&dn, &ours_dn) {
            (Ok(a), Ok(b)) if a == b => {}
            (Err(_), Err(_)) => {}
            _ => failures.push(format!(
                "{}: DN gnutls {dn:?}, ours {ours_dn:?}",
                shape.name
            )),
        }
        let ours_alt = seastar_altnames(&cert);
        match (&alt, &ours_alt) {
            (Ok(a), Ok(b)) if a == b => {}
            (Err(_), Err(_)) => {}
            _ => failures.push(format!(
                "{}: ALT seastar {alt:?}, ours {ours_alt:?}",
                shape.name
            )),
        }
        // End to end: role_for on the certificate against boost on libgnutls' strings.
        if let (Ok(dn), Ok(alt)) = (&dn, &alt) {
            let want = match boost_says(&re_peer, "CN=([^,]+)", dn) {
                Boost::Marks(1, m) => m,
                other => panic!("boost on the default query: {other:?}"),
            };
            let got = RoleQueries::default().role_for(&cert).ok().map(|m| m.role);
            if got != want {
                failures.push(format!(
                    "{}: SUBJECT role boost {want:?}, ours {got:?}",
                    shape.name
                ));
            }
            let want = match boost_says(&re_peer, "(?:DNS|EMAIL|URI)=([^,]+)", alt) {
                Boost::Marks(1, m) => m,
                other => panic!("boost on the ALTNAME query: {other:?}"),
            };
            let got = by_alt.role_for(&cert).ok().map(|m| m.role);
            if got != want {
                failures.push(format!(
                    "{}: ALTNAME role boost {want:?}, ours {got:?}",
                    shape.name
                ));
            }
        }
        compared += 1;
    }
    assert!(compared >= 15, "only {compared} certificates made");
    assert!(failures.is_empty(), "{}", failures.join("\n"));
}

/// boost's verdict on one query and one subject.
#[derive(Debug, PartialEq)]
enum Boost {
    CompileErr,
    Marks(usize, Option<String>),
    RunErr,
}

fn boost_says(peer: &Path, query: &str, subject: &str) -> Boost {
    let out = Command::new(peer)
        .arg(query)
        .arg(subject)
        .output()
        .expect("boost_regex runs");
    let text = String::from_utf8_lossy(&out.stdout).to_string();
    let mut lines = text.lines();
    let first = lines.next().unwrap_or_default();
    if first.starts_with("COMPILEERR") {
        return Boost::CompileErr;
    }
    let marks: usize = first
        .strip_prefix("MARKS ")
        .and_then(|n| n.trim().parse().ok())
        .unwrap_or_else(|| panic!("boost_regex said {text:?}"));
    let rest = text.split_once('\n').map(|x| x.1).unwrap_or_default();
    if rest.starts_with("RUNERR") {
        return Boost::RunErr;
    }
    let m = rest
        .strip_prefix("MATCH ")
        .map(|v| v.strip_suffix('\n').unwrap_or(v).to_string());
    Boost::Marks(marks, m)
}

const SUBJECTS: &[&str] = &[
    "C=US,O=Acme,OU=Eng,CN=alice",
    "CN=alice,OU=Eng,O=Acme,C=US",
    "C=US,O=Acme\\, Inc.,OU=Eng+UID=42,CN=Doe\\, John,EMAIL=j@x.org",
    "DNS=alice.example,EMAIL=alice@example.com,URI=spiffe://x/alice",
    "",
    "O=Acme\nCN=alice\r\nOU=x",
];

/// Queries where this crate answers differently from boost on purpose (FIDELITY.md).
const KNOWN_UNSUPPORTED: &[&str] = &[
    r"a*+(CN)",
    r"CN=(\w++)",
    r"(?|(CN)|(OU))",
    r"CN=(\h*\w+)",
    r"(?#comment)CN=(\w+)",
    r"CN=(\u0061\w*)",
    r"CN=(\p{L}+)",
    r"CN=([[:w:]]+)",
];

fn queries() -> Vec<&'static str> {
    vec![
        "CN=([^,]+)",
        "^CN=([^,]+)",
        "^C=([^,]+)",
        "CN=(.*)$",
        "CN=([^,]+)$",
        "CN=([^,]+)",
        "O=(.*?),",
        "(?i)cn=([^,]+)",
        "(?i:CN)=([a-z]+)",
        "CN=(?=a)(\\w+)",
        "CN=(?!alice)(\\w+)",
        "(?<=CN=)(\\w+)",
        "(?<!O=)CN=(\\w+)",
        "(\\w)\\1",
        "CN=(\\w)\\w*\\1",
        "(?<name>CN)=\\w+",
        "(?P<role>[a-z]+)@",
        "CN=(?:[^,]+)",
        "CN=(a)(l)",
        "CN=[^,]+",
        "",
        "(",
        ")",
        "[",
        "CN=([^,]+",
        "*CN=(x)",
        "CN=(x{2,1})",
        "CN=([[:alpha:]]+)",
        "CN=([[:alnum:]_]+)",
        "CN=([[:bogus:]]+)",
        "UID=([[:digit:]]+)",
        "CN=(\\d+)",
        "CN=(\\w+)",
        "CN=(\\S+)",
        "CN=(\\s*)",
        "\\bCN=(\\w+)\\b",
        "EMAIL=([^@]+)@",
        "DNS=([^,]+)",
        "URI=spiffe://[^/]+/(.+)$",
        "spiffe://x/(\\w+)",
        "\\QCN=\\E(\\w+)",
        "CN=(\\x61\\w*)",
        "CN=(\\x{61}\\w*)",
        "(?>CN)=(\\w+)",
        "CN=(a|al|ali)ce",
        "(CN|OU)=\\w+",
        "((CN))=x",
        "(a)|b",
        "Doe\\\\, (John)",
        "Doe\\\\(,) John",
        "C=([A-Z]{2})",
        "CN=(.)",
        "(?s)CN=(.+)",
        "(?m)^(\\w+)",
        "(?x) CN = ( [^,]+ )",
        "\\ACN=(\\w+)",
        "(\\w+)\\z",
        "(\\w+)\\Z",
        "CN=(\\w+",
        "CN=\\(\\w+\\)",
        "a{,3}(x)",
    ]
}

#[test]
fn role_queries_are_validated_and_searched_as_boost_does() {
    let dir = tempfile::tempdir().expect("temp dir");
    let Some((_, re_peer)) = build_peers(dir.path()) else {
        return;
    };
    let mut failures = Vec::new();
    let mut all = queries();
    all.extend(KNOWN_UNSUPPORTED);
    for q in all {
        let mut item = BTreeMap::new();
        item.insert("source".to_string(), "SUBJECT".to_string());
        item.insert("query".to_string(), q.to_string());
        let ours = RoleQueries::from_maps(&[item]);
        for subject in SUBJECTS {
            let boost = boost_says(&re_peer, q, subject);
            let known = KNOWN_UNSUPPORTED.contains(&q);
            match (&boost, &ours) {
                (_, Err(QueryRefusal::Unsupported { .. })) if known => {}
                (Boost::CompileErr, Err(QueryRefusal::InvalidExpression { .. })) => {}
                (Boost::Marks(n, _), Err(QueryRefusal::MarkCount { marks, .. })) if n == marks => {}
                (Boost::Marks(1, m), Ok(rq)) => {
                    let got = rq.role_for_strings(subject, "").ok().map(|r| r.role);
                    if &got != m {
                        failures.push(format!("{q:?} on {subject:?}: boost {m:?}, ours {got:?}"));
                    }
                }
                _ => failures.push(format!(
                    "{q:?} on {subject:?}: boost {boost:?}, ours {ours:?}"
                )),
            }
        }
    }
    assert!(failures.is_empty(), "{}", failures.join("\n"));
}

#[test]
fn hostile_query_lists_are_refused_as_the_constructor_refuses_them() {
    let item = |pairs: &[(&str, &str)]| -> BTreeMap<String, String> {
        pairs
            .iter()
            .map(|(k, v)| (k.to_string(), v.to_string()))
            .collect()
    };
    let msg = |items: &[BTreeMap<String, String>]| match RoleQueries::from_maps(items) {
        Ok(_) => "ok".to_string(),
        Err(e) => e.to_string(),
    };
    assert_eq!(msg(&[]), "No role extraction queries specified.");
    assert_eq!(
        msg(&[item(&[
            ("source", "SUBJECT"),
            ("query", "CN=(x)"),
            ("x", "y")
        ])]),
        r#"Invalid query: {"query": "CN=(x)", "source": "SUBJECT", "x": "y"}"#
    );
    assert_eq!(
        msg(&[item(&[("Source", "SUBJECT"), ("query", "CN=(x)")])]),
        r#"Invalid query: {"Source": "SUBJECT", "query": "CN=(x)"}"#
    );
    assert_eq!(
        msg(&[item(&[("source", "SUBJECT")])]),
        r#"Invalid query: {"source": "SUBJECT"}"#
    );
    let ok = RoleQueries::from_maps(&[item(&[("source", "subject"), ("query", "CN=(x)")])])
        .expect("lower-case source upper-cased");
    assert_eq!(ok.queries()[0].source(), QuerySource::Subject);
    let ok = RoleQueries::from_maps(&[item(&[("source", "AltName"), ("query", "DNS=(x)")])])
        .expect("mixed case");
    assert_eq!(ok.queries()[0].source(), QuerySource::Altname);
    assert_eq!(
        msg(&[item(&[("source", "ISSUER"), ("query", "CN=(x)")])]),
        "Invalid source: ISSUER"
    );
    // The query is compiled before the source is checked (certificate_authenticator.cc:55-66).
    assert_eq!(
        msg(&[item(&[("source", "ISSUER"), ("query", "CN=(x")])]),
        "Invalid query expression: CN=(x"
    );
    assert_eq!(
        msg(&[item(&[("source", "ISSUER"), ("query", "CN=x")])]),
        "Role query must have exactly one mark expression"
    );
    // A later bad item refuses the whole list.
    assert_eq!(
        msg(&[
            item(&[("source", "SUBJECT"), ("query", "CN=(x)")]),
            item(&[("source", "SUBJECT"), ("query", "CN=x")]),
        ]),
        "Role query must have exactly one mark expression"
    );
    let huge = format!("({})", "a".repeat(70 * 1024));
    assert!(matches!(
        RoleQueries::from_maps(&[item(&[("source", "SUBJECT"), ("query", &huge)])]),
        Err(QueryRefusal::TooLong { .. })
    ));
}

#[test]
fn the_default_query_maps_a_real_certificate() {
    let dir = tempfile::tempdir().expect("temp dir");
    if !common::tools_present(&["openssl"]) {
        return;
    }
    let Some(pem) = make_cert(dir.path(), &s("default", "/C=US/O=Acme/OU=Eng/CN=alice")) else {
        panic!("openssl makes a plain certificate");
    };
    let cert = Certificate::from_der_bytes(der_of(&pem)).expect("loads");
    let m = RoleQueries::default().role_for(&cert).expect("a role");
    assert_eq!(m.role, "alice");
    assert_eq!(m.index, 0);
    assert_eq!(m.searched, "C=US,O=Acme,OU=Eng,CN=alice");
}

/// String types openssl's `req` does not write (BMP, Teletex, Universal, IA5 in a CN, a UTF-8
/// country, an empty CN, a NUL), made with rcgen and compared with libgnutls the same way.
// rcgen (a dependency under the feature `pki`) writes the string types openssl does not.
#[cfg(feature = "pki")]
#[test]
fn string_types_are_decoded_as_gnutls_decodes_them() {
    use rcgen::string::{BmpString, Ia5String, PrintableString, TeletexString, UniversalString};
    use rcgen::{CertificateParams, DistinguishedName, DnType, DnValue, KeyPair};

    let dir = tempfile::tempdir().expect("temp dir");
    let Some((dn_peer, _)) = build_peers(dir.path()) else {
        return;
    };
    let custom = |oid: &[u64]| DnType::CustomDnType(oid.to_vec());
    let grid: Vec<(&str, Vec<(DnType, DnValue)>)> = vec![
        (
            "bmp",
            vec![(
                DnType::CommonName,
                DnValue::BmpString(BmpString::try_from("Jürgen").unwrap()),
            )],
        ),
        (
            "teletex-ascii",
            vec![(
                DnType::CommonName,
                DnValue::TeletexString(TeletexString::try_from("alice").unwrap()),
            )],
        ),
        (
            "universal",
            vec![(
                DnType::CommonName,
                DnValue::UniversalString(UniversalString::try_from("alice").unwrap()),
            )],
        ),
        (
            "ia5-cn",
            vec![(
                DnType::CommonName,
                DnValue::Ia5String(Ia5String::try_from("alice").unwrap()),
            )],
        ),
        (
            "utf8-country",
            vec![
                (DnType::CountryName, DnValue::Utf8String("US".into())),
                (DnType::CommonName, "alice".into()),
            ],
        ),
        (
            "printable-org",
            vec![
                (
                    DnType::OrganizationName,
                    DnValue::PrintableString(PrintableString::try_from("Acme").unwrap()),
                ),
                (DnType::CommonName, "a+b".into()),
            ],
        ),
        ("empty-cn", vec![(DnType::CommonName, "".into())]),
        ("nul-cn", vec![(DnType::CommonName, "al\0ice".into())]),
        (
            "email-utf8",
            vec![(custom(&[1, 2, 840, 113549, 1, 9, 1]), "a@b".into())],
        ),
        (
            "email-ia5-nul",
            vec![(
                custom(&[1, 2, 840, 113549, 1, 9, 1]),
                DnValue::Ia5String(Ia5String::try_from("a\0b").unwrap()),
            )],
        ),
        ("serial-utf8", vec![(custom(&[2, 5, 4, 5]), "12 34".into())]),
        (
            "spaces",
            vec![
                (DnType::CommonName, "  two  ".into()),
                (custom(&[2, 5, 4, 11]), "#x".into()),
            ],
        ),
        (
            "custom-oids",
            vec![
                (custom(&[1, 3, 6, 1, 4, 1, 99999, 1]), "x".into()),
                (
                    custom(&[0, 9, 2342, 19200300, 100, 1, 25]),
                    DnValue::Ia5String(Ia5String::try_from("com").unwrap()),
                ),
                (custom(&[1, 2, 643, 100, 1]), "123".into()),
            ],
        ),
        ("empty-subject", vec![]),
    ];
    let mut failures = Vec::new();
    for (name, attrs) in grid {
        let mut params = CertificateParams::new(Vec::<String>::new()).expect("params");
        let mut dn = DistinguishedName::new();
        for (t, v) in attrs {
            dn.push(t, v);
        }
        params.distinguished_name = dn;
        let key = KeyPair::generate().expect("key");
        let der = params
            .self_signed(&key)
            .expect("certificate")
            .der()
            .to_vec();
        let path = dir.path().join(format!("{name}.der"));
        std::fs::write(&path, &der).expect("write");
        let cert = Certificate::from_der_bytes(der).expect("rcgen's certificate loads");
        let (gnutls, _) = gnutls_says(&dn_peer, &path);
        let ours = gnutls_subject_dn(&cert);
        match (&gnutls, &ours) {
            (Ok(a), Ok(b)) if a == b => {}
            (Err(_), Err(_)) => {}
            _ => failures.push(format!("{name}: gnutls {gnutls:?}, ours {ours:?}")),
        }
    }
    assert!(failures.is_empty(), "{}", failures.join("\n"));
}

/// A certificate with an empty subject (what scylla-operator issues for its clients: a DNS
/// SAN only) gets no role, even from an ALTNAME query: `gnutls_x509_crt_get_dn` fails with
/// GNUTLS_E_REQUESTED_DATA_NOT_AVAILABLE and Seastar's `extract_dn_information` throws before
/// any query runs (`tls_gnutls.cc:1344-1348`).
// rcgen (a dependency under the feature `pki`) writes the string types openssl does not.
#[cfg(feature = "pki")]
#[test]
fn an_empty_subject_gets_no_role_even_by_altname() {
    use rcgen::{CertificateParams, DistinguishedName, KeyPair};

    let dir = tempfile::tempdir().expect("temp dir");
    let Some((dn_peer, _)) = build_peers(dir.path()) else {
        return;
    };
    let mut params = CertificateParams::new(vec!["admin".to_string()]).expect("params");
    params.distinguished_name = DistinguishedName::new();
    let key = KeyPair::generate().expect("key");
    let der = params
        .self_signed(&key)
        .expect("certificate")
        .der()
        .to_vec();
    let path = dir.path().join("operator.der");
    std::fs::write(&path, &der).expect("write");
    let (dn, alt) = gnutls_says(&dn_peer, &path);
    assert_eq!(dn, Err("-56".to_string()), "libgnutls: no DN");
    assert_eq!(alt, Ok("DNS=admin".to_string()));
    let cert = Certificate::from_der_bytes(der).expect("loads");
    assert_eq!(seastar_altnames(&cert).as_deref(), Ok("DNS=admin"));
    let mut item = BTreeMap::new();
    item.insert("source".to_string(), "ALTNAME".to_string());
    item.insert("query".to_string(), "DNS=([^,]+)".to_string());
    let queries = RoleQueries::from_maps(&[item]).expect("valid");
    assert!(matches!(
        queries.role_for(&cert),
        Err(cassandra_tls::options::scylla::auth::NoRole::Certificate(_))
    ));
    // Given the strings (as a caller with a subject would), the ALTNAME query maps it.
    assert_eq!(
        queries
            .role_for_strings("", "DNS=admin")
            .expect("role")
            .role,
        "admin"
    );
}

/// Random queries from a regex-heavy alphabet: where boost compiles one with one group and
/// this crate runs it, both find the same group 1; where boost refuses it, so does this crate
/// (this crate may refuse more: `Unsupported`, FIDELITY.md).
#[test]
fn random_queries_agree_with_boost() {
    let dir = tempfile::tempdir().expect("temp dir");
    let Some((_, re_peer)) = build_peers(dir.path()) else {
        return;
    };
    let alphabet: Vec<char> = r"()[]{}?*+|^$\.:=!<>,#&0158dsbkgxPRnEQ-aC"
        .chars()
        .collect();
    let mut seed: u64 = 0x0bad_cafe_1234_5678;
    let mut next = || {
        seed ^= seed << 13;
        seed ^= seed >> 7;
        seed ^= seed << 17;
        seed
    };
    let subject = "C=US,O=Acme\\, Inc.,OU=Eng+UID=42,CN=alice,EMAIL=j@x.org";
    let mut failures = Vec::new();
    let mut agreed = 0;
    for _ in 0..2000 {
        let len = 3 + (next() % 10) as usize;
        let q: String = (0..len)
            .map(|_| alphabet[(next() % alphabet.len() as u64) as usize])
            .collect();
        let mut item = BTreeMap::new();
        item.insert("source".to_string(), "SUBJECT".to_string());
        item.insert("query".to_string(), q.clone());
        let ours = RoleQueries::from_maps(&[item]);
        let boost = boost_says(&re_peer, &q, subject);
        match (&boost, &ours) {
            (_, Err(QueryRefusal::Unsupported { .. })) => {}
            (Boost::CompileErr, Err(QueryRefusal::InvalidExpression { .. })) => agreed += 1,
            (Boost::Marks(n, _), Err(QueryRefusal::MarkCount { marks, .. })) if n == marks => {
                agreed += 1
            }
            (Boost::Marks(1, m), Ok(rq)) => {
                let got = rq.role_for_strings(subject, "").ok().map(|r| r.role);
                if &got == m {
                    agreed += 1;
                } else {
                    failures.push(format!("{q:?}: boost {m:?}, ours {got:?}"));
                }
            }
            _ => failures.push(format!("{q:?}: boost {boost:?}, ours {:?}", ours.err())),
        }
    }
    assert!(agreed > 1400, "only {agreed} agreed");
    assert!(failures.is_empty(), "{}", failures.join("\n"));
}

/// A large query (a 24 KiB alternation) compiles and matches as in boost; one over 64 KiB is
/// this crate's refusal (boost compiles it: FIDELITY.md).
#[test]
fn a_large_query_is_read_as_boost_reads_it() {
    let dir = tempfile::tempdir().expect("temp dir");
    let Some((_, re_peer)) = build_peers(dir.path()) else {
        return;
    };
    let words: Vec<String> = (0..4000).map(|i| format!("w{i:04}")).collect();
    let q = format!("CN=({}|alice)", words.join("|"));
    assert!(q.len() > 20_000);
    let subject = "C=US,CN=alice";
    let mut item = BTreeMap::new();
    item.insert("source".to_string(), "SUBJECT".to_string());
    item.insert("query".to_string(), q.clone());
    let ours = RoleQueries::from_maps(&[item.clone()]).expect("compiles");
    assert_eq!(
        boost_says(&re_peer, &q, subject),
        Boost::Marks(1, Some("alice".to_string()))
    );
    assert_eq!(
        ours.role_for_strings(subject, "").expect("role").role,
        "alice"
    );
    let huge = format!("CN=({}|alice)", "x".repeat(70 * 1024));
    assert_eq!(
        boost_says(&re_peer, &huge, subject),
        Boost::Marks(1, Some("alice".to_string()))
    );
    item.insert("query".to_string(), huge);
    assert!(matches!(
        RoleQueries::from_maps(&[item]),
        Err(QueryRefusal::TooLong { .. })
    ));
}
