//! `explain` and `doctor` on scylla.yaml files, hostile ones included: they never panic, and
//! give typed findings whose verdicts follow Scylla's source (scylladb/scylladb `db/config.cc`
//! `configure_tls_creds_builder`, `db/config.hh` `is_true`, `main.cc`, `utils/config_file*`;
//! Seastar `src/net/tls-impl.cc`, `tls_gnutls.cc`), cited per test; the facts are in
//! ../shared/research/scylla-tls.md §1.
#![cfg(feature = "diagnostics")]

use std::path::{Path, PathBuf};
use std::time::Duration;

use cassandra_tls::doctor::{self, Check, ExpiryPolicy, Finding, Severity};
use cassandra_tls::explain::scylla::explain_scylla_node;
use cassandra_tls::options::scylla::{ScyllaVersion, ScyllaYaml};
use rustls::pki_types::UnixTime;

fn fixture(name: &str) -> String {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("fixtures/scylla")
        .join(name)
        .display()
        .to_string()
}

/// 2030-01-01, inside the fixtures' 100 years (made 2026-12-06).
fn now() -> UnixTime {
    UnixTime::since_unix_epoch(Duration::from_secs(1_893_456_000))
}

/// `doctor` on yaml text (relative paths against `base`), as `version` reads it.
fn doctor_at(text: &str, version: &str, base: &Path, at: UnixTime) -> Vec<Finding> {
    let node = ScyllaYaml::from_str(text)
        .expect("the yaml parses")
        .with_version(ScyllaVersion::parse(version).unwrap())
        .with_base_dir(base)
        .resolve();
    // explain on the same node must not panic either, and its findings are doctor's first.
    let explained = explain_scylla_node("t".into(), &node);
    let report = doctor::check_scylla(&node, at, &ExpiryPolicy::default());
    for f in &explained.findings {
        assert!(
            report.findings.contains(f),
            "explain's {f:?} is in doctor's"
        );
    }
    for f in &report.findings {
        assert!(!f.message.is_empty());
        if f.severity != Severity::Ok {
            assert!(f.fix.is_some(), "a warning or error says what to do: {f:?}");
        }
        assert!(
            f.message.len() < 4096,
            "a message stays readable: {} bytes",
            f.message.len()
        );
    }
    report.findings
}

fn doctor(text: &str) -> Vec<Finding> {
    doctor_at(text, "2026.3", Path::new("."), now())
}

fn has(findings: &[Finding], severity: Severity, check: Check, section: &str, text: &str) -> bool {
    findings.iter().any(|f| {
        f.severity == severity
            && f.check == check
            && f.section == section
            && f.message.contains(text)
    })
}

fn errors(findings: &[Finding]) -> usize {
    findings
        .iter()
        .filter(|f| f.severity == Severity::Error)
        .count()
}

const CLIENT: &str = "client_encryption_options";
const SERVER: &str = "server_encryption_options";

/// A CQL section with the fixture's material and `extra` lines.
fn cql(extra: &str) -> String {
    format!(
        "rpc_address: 127.0.0.1\nclient_encryption_options:\n  enabled: true\n  certificate: {}\n  keyfile: {}\n{extra}",
        fixture("node.crt"),
        fixture("node.key")
    )
}

/// An internode section (`all`) with the fixture's material and `extra` lines.
fn internode(extra: &str) -> String {
    format!(
        "server_encryption_options:\n  internode_encryption: all\n  certificate: {}\n  keyfile: {}\n{extra}",
        fixture("node.crt"),
        fixture("node.key")
    )
}

#[test]
fn the_good_fixture_has_no_error_or_warning() {
    let text = std::fs::read_to_string(fixture("scylla.yaml")).unwrap();
    let root = Path::new(env!("CARGO_MANIFEST_DIR"));
    let f = doctor_at(&text, "2026.3", root, now());
    assert!(f.iter().all(|f| f.severity == Severity::Ok), "{f:#?}");
    assert!(has(&f, Severity::Ok, Check::San, CLIENT, "names 127.0.0.1"));
    assert!(has(&f, Severity::Ok, Check::Chain, SERVER, "validates"));
}

// db/config.hh:729 is_true: lower-cased, then only "true" or "1".
#[test]
fn is_true_accepts_true_and_1_in_any_case_only() {
    for on in ["true", "True", "TRUE", "1", "'true'"] {
        let f = doctor(
            &cql(&format!("  truststore: {}\n", fixture("ca.pem")))
                .replace("enabled: true", &format!("enabled: {on}")),
        );
        assert!(
            has(&f, Severity::Ok, Check::Policy, CLIENT, "CQL TLS is on"),
            "{on}: {f:#?}"
        );
    }
    for off in ["yes", "Yes", "on", "y", "Y", "ON"] {
        let f = doctor(&cql("").replace("enabled: true", &format!("enabled: {off}")));
        assert!(
            has(
                &f,
                Severity::Error,
                Check::Policy,
                CLIENT,
                &format!("client encryption is OFF: Scylla reads `{off}` as false; write true")
            ),
            "{off}: {f:#?}"
        );
        // No material is checked for a service that does not run TLS.
        assert!(!f.iter().any(|f| f.check == Check::File), "{off}");
    }
    // Other booleans in a YAML spelling: a warning (the service still runs).
    let f = doctor(&cql(&format!(
        "  truststore: {}\n  require_client_auth: yes\n",
        fixture("ca.pem")
    )));
    assert!(has(
        &f,
        Severity::Warning,
        Check::Policy,
        CLIENT,
        "`require_client_auth: yes` is false"
    ));
    // "0", "false", "no", "off": off, and not a misspelling of true.
    for off in ["0", "false", "no", "off"] {
        let f = doctor(&cql("").replace("enabled: true", &format!("enabled: {off}")));
        assert_eq!(errors(&f), 0, "{off}: {f:#?}");
        assert!(has(
            &f,
            Severity::Ok,
            Check::Policy,
            CLIENT,
            "CQL TLS is off"
        ));
    }
}

// utils/config_file_impl.hh:59-72: a string_map needs scalars; a null, list or map value makes
// the conversion throw, and the handler main.cc passes only logs: the map keeps its default {}.
#[test]
fn a_null_list_or_map_value_drops_the_whole_map() {
    for (value, kind) in [
        ("", "null"),
        ("~", "null"),
        ("null", "null"),
        ("[TLSv1.2]", "a sequence"),
        ("{a: b}", "a map"),
        ("\n    - x\n    - y", "a sequence"),
    ] {
        let f = doctor(&cql(&format!("  protocol: {value}\n")));
        let dropped = f.iter().find(|f| {
            f.severity == Severity::Error
                && f.section == CLIENT
                && f.message.starts_with(
                    "client encryption is OFF: the map was dropped because `protocol` is",
                )
        });
        assert!(dropped.is_some(), "{value:?}: {f:#?}");
        assert!(
            dropped.unwrap().message.contains("bad conversion"),
            "{kind}"
        );
        assert!(
            !f.iter()
                .any(|f| f.check == Check::File && f.section == CLIENT)
        );
    }
    // The internode map too: a dropped server map means no internode TLS.
    let f = doctor(&internode("  truststore:\n"));
    assert!(has(
        &f,
        Severity::Error,
        Check::Policy,
        SERVER,
        "internode encryption is OFF: the map was dropped"
    ));
    // Quoted, the same text is a string: not dropped.
    let f = doctor(&cql("  protocol: '[TLSv1.2]'\n"));
    assert!(!f.iter().any(|f| f.message.contains("dropped")), "{f:#?}");
    assert!(has(
        &f,
        Severity::Warning,
        Check::Policy,
        CLIENT,
        "`protocol` is Cassandra's key"
    ));
}

// A whole-map value of the wrong shape is dropped as well (the option's value itself).
#[test]
fn a_section_that_is_a_list_or_scalar_is_dropped() {
    for v in ["[a, b]", "true", "'text'"] {
        let f = doctor(&format!("client_encryption_options: {v}\n"));
        assert!(
            has(
                &f,
                Severity::Error,
                Check::Policy,
                CLIENT,
                "client encryption is OFF: the map was dropped"
            ),
            "{v}: {f:#?}"
        );
    }
}

// main.cc:1685,1705-1713: exact, case-sensitive all/dc/rack/transitional; anything else is none.
#[test]
fn an_unknown_internode_mode_is_none() {
    for mode in ["ALL", "All", "true", "yes", "encrypted", "'all '", "DC"] {
        let f = doctor(
            &internode(&format!("  truststore: {}\n", fixture("ca.pem"))).replace(
                "internode_encryption: all",
                &format!("internode_encryption: {mode}"),
            ),
        );
        assert!(
            has(
                &f,
                Severity::Error,
                Check::Policy,
                SERVER,
                "internode encryption is OFF"
            ),
            "{mode}: {f:#?}"
        );
    }
    for mode in ["all", "dc", "rack", "transitional"] {
        let f = doctor(
            &internode(&format!("  truststore: {}\n", fixture("ca.pem"))).replace(
                "internode_encryption: all",
                &format!("internode_encryption: {mode}"),
            ),
        );
        assert_eq!(errors(&f), 0, "{mode}: {f:#?}");
    }
}

// main.cc: require_client_auth with dc/rack logs a warning and continues.
#[test]
fn client_auth_with_dc_or_rack_warns_as_scylla_logs() {
    let f = doctor(
        &internode(&format!(
            "  truststore: {}\n  require_client_auth: true\n",
            fixture("ca.pem")
        ))
        .replace("internode_encryption: all", "internode_encryption: dc"),
    );
    assert!(has(
        &f,
        Severity::Warning,
        Check::Policy,
        SERVER,
        "Setting require_client_auth is incompatible with 'rack' and 'dc'"
    ));
}

// seastar tls_gnutls.cc:409-418: gnutls_priority_init fails -> "Could not set priority: <rest>",
// thrown when the credentials are built (start-up).
#[test]
fn a_bad_priority_string_stops_the_node_even_at_one_mebibyte() {
    let f = doctor(&cql("  priority_string: SECURE128:+BOGUS\n"));
    assert!(
        has(
            &f,
            Severity::Error,
            Check::Startup,
            CLIENT,
            "Could not set priority: +BOGUS"
        ),
        "{f:#?}"
    );
    let huge = format!("SECURE128{}", ":-VERS-TLS1.0".repeat((1 << 20) / 13));
    assert!(huge.len() >= (1 << 20) - 13);
    let f = doctor(&cql(&format!("  priority_string: '{huge}+BOGUS'\n")));
    assert!(
        f.iter()
            .any(|f| f.check == Check::Startup || f.check == Check::Protocols),
        "{}",
        f.len()
    );
    // Not read while the service is off: a warning, not a refusal.
    let f = doctor("client_encryption_options:\n  priority_string: NONE:+BOGUS\n");
    assert!(
        has(
            &f,
            Severity::Warning,
            Check::Protocols,
            CLIENT,
            "Could not set priority"
        ),
        "{f:#?}"
    );
}

// The keys configure_tls_creds_builder never looks up do nothing: Cassandra's are warnings.
#[test]
fn cassandra_keys_are_warnings_naming_each_key() {
    let f = doctor(&cql(&format!(
        "  truststore: {}\n  keystore: k.jks\n  truststore_password: x\n  cipher_suites: TLS_AES_128_GCM_SHA256\n  store_type: JKS\n  certificate_revocation_list: crl.pem\n",
        fixture("ca.pem")
    )));
    for key in [
        "keystore",
        "truststore_password",
        "cipher_suites",
        "store_type",
    ] {
        assert!(
            has(
                &f,
                Severity::Warning,
                Check::Policy,
                CLIENT,
                &format!("`{key}` is Cassandra's key")
            ),
            "{key}"
        );
    }
    assert!(has(
        &f,
        Severity::Warning,
        Check::Policy,
        CLIENT,
        "certficate_revocation_list"
    ));
}

// seastar tls-impl.cc:43 read_fully: "Could not read <what> <name>", a start-up failure.
#[test]
fn an_unreadable_file_stops_the_node_in_seastars_words() {
    let missing = "/nonexistent/scylla.crt";
    let f = doctor(&cql("").replace(&fixture("node.crt"), missing));
    assert!(
        has(
            &f,
            Severity::Error,
            Check::File,
            CLIENT,
            &format!("Could not read certificate file {missing}")
        ),
        "{f:#?}"
    );
    let f = doctor(&cql("  truststore: /nonexistent/ca.pem\n"));
    assert!(has(
        &f,
        Severity::Error,
        Check::File,
        CLIENT,
        "Could not read trust file /nonexistent/ca.pem"
    ));
    // A directory is not a file.
    let dir = tempfile::tempdir().unwrap();
    let f = doctor(&cql("").replace(&fixture("node.key"), &dir.path().display().to_string()));
    assert!(has(
        &f,
        Severity::Error,
        Check::File,
        CLIENT,
        "Could not read key file"
    ));
    // No certificate key: Scylla's default <conf>/scylla.crt (db/config.cc get_conf_sub).
    let f = doctor_at(
        "client_encryption_options:\n  enabled: true\n",
        "2026.3",
        dir.path(),
        now(),
    );
    assert!(
        has(
            &f,
            Severity::Error,
            Check::File,
            CLIENT,
            "Could not read certificate file"
        ),
        "{f:#?}"
    );
    assert!(
        f.iter()
            .any(|f| f.message.contains("scylla.crt") && f.message.contains("default"))
    );
}

// GnuTLS at load: an encrypted PKCS#8 key is -24 (Seastar passes no password).
#[test]
fn an_encrypted_key_is_gnutls_minus_24() {
    let f = doctor(&cql("").replace(&fixture("node.key"), &fixture("node-encrypted.key")));
    assert!(
        has(
            &f,
            Severity::Error,
            Check::KeyPassword,
            CLIENT,
            "GnuTLS:-24, Decryption has failed."
        ),
        "{f:#?}"
    );
}

// gnutls_certificate_set_x509_key_mem: a key that is not the certificate's is -60.
#[test]
fn a_key_of_another_certificate_is_gnutls_minus_60() {
    let f = doctor(&cql("").replace(&fixture("node.key"), &fixture("other.key")));
    assert!(
        has(
            &f,
            Severity::Error,
            Check::KeyMatchesCert,
            CLIENT,
            "GnuTLS:-60"
        ),
        "{f:#?}"
    );
}

// A certificate file without a certificate: -34 (Base64 decoding error); a key file without a
// key: -56.
#[test]
fn garbage_material_is_refused() {
    let dir = tempfile::tempdir().unwrap();
    let garbage = dir.path().join("garbage.pem");
    std::fs::write(
        &garbage,
        b"\x00\xffnot pem at all\n-----BEGIN CERTIFICATE-----\n!!!\n",
    )
    .unwrap();
    let g = garbage.display().to_string();
    let f = doctor(&cql("").replace(&fixture("node.crt"), &g));
    assert!(
        has(&f, Severity::Error, Check::File, CLIENT, "GnuTLS:-34"),
        "{f:#?}"
    );
    let f = doctor(&cql("").replace(&fixture("node.key"), &fixture("ca.pem")));
    assert!(
        has(&f, Severity::Error, Check::File, CLIENT, "GnuTLS:-56"),
        "{f:#?}"
    );
    let empty = dir.path().join("empty.pem");
    std::fs::write(&empty, b"").unwrap();
    let f = doctor(&cql("").replace(&fixture("node.key"), &empty.display().to_string()));
    assert!(errors(&f) > 0, "{f:#?}");
}

// gnutls_certificate_set_x509_trust_mem returns 0 for a file with no certificate: accepted at
// start-up, and every verification fails later. Seastar clients always verify (tls_gnutls.cc
// verify()), so internode (`all`) verifies its peers.
#[test]
fn a_truststore_without_certificates_fails_every_verification() {
    let dir = tempfile::tempdir().unwrap();
    let empty = dir.path().join("empty.pem");
    std::fs::write(&empty, b"\n").unwrap();
    let e = empty.display().to_string();
    let f = doctor(&internode(&format!("  truststore: {e}\n")));
    assert!(
        has(
            &f,
            Severity::Error,
            Check::Chain,
            SERVER,
            "holds no certificate"
        ),
        "{f:#?}"
    );
    // A key file as the truststore: no certificate either.
    let f = doctor(&internode(&format!(
        "  truststore: {}\n",
        fixture("node.key")
    )));
    assert!(
        has(
            &f,
            Severity::Error,
            Check::Chain,
            SERVER,
            "holds no certificate"
        ),
        "{f:#?}"
    );
    // CQL without client auth verifies nobody: a warning.
    let f = doctor(&cql(&format!("  truststore: {e}\n")));
    assert!(
        has(
            &f,
            Severity::Warning,
            Check::Chain,
            CLIENT,
            "holds no certificate"
        ),
        "{f:#?}"
    );
    // With client auth: an error.
    let f = doctor(&cql(&format!(
        "  truststore: {e}\n  require_client_auth: true\n"
    )));
    assert!(
        has(
            &f,
            Severity::Error,
            Check::Chain,
            CLIENT,
            "holds no certificate"
        ),
        "{f:#?}"
    );
}

// db/config.cc:2244-2251: every file is read as PEM (x509_crt_format::PEM); Cassandra's stores
// hold no PEM certificate or key.
#[test]
fn java_and_pkcs12_stores_are_not_pem() {
    let stores = Path::new(env!("CARGO_MANIFEST_DIR")).join("fixtures/stores");
    let jks = stores.join("truststore.jks").display().to_string();
    let f = doctor(&internode(&format!("  truststore: {jks}\n")));
    assert!(
        has(
            &f,
            Severity::Error,
            Check::Chain,
            SERVER,
            "holds no certificate"
        ),
        "{f:#?}"
    );
    let p12 = stores.join("node1.p12").display().to_string();
    let f = doctor(&cql("").replace(&fixture("node.crt"), &p12));
    assert!(
        has(&f, Severity::Error, Check::File, CLIENT, "GnuTLS:-34"),
        "{f:#?}"
    );
    let f = doctor(&cql("").replace(&fixture("node.key"), &p12));
    assert!(
        has(&f, Severity::Error, Check::File, CLIENT, "GnuTLS:-56"),
        "{f:#?}"
    );
}

// configure_tls_creds_builder never calls set_system_trust: no truststore, no anchors.
#[test]
fn no_truststore_where_a_peer_must_be_verified() {
    let f = doctor(&internode(""));
    assert!(
        has(&f, Severity::Error, Check::Chain, SERVER, "no truststore"),
        "{f:#?}"
    );
    let f = doctor(&cql("  require_client_auth: true\n"));
    assert!(
        has(&f, Severity::Error, Check::Chain, CLIENT, "no truststore"),
        "{f:#?}"
    );
    // CQL with no client auth verifies nobody: no finding.
    let f = doctor(&cql(""));
    assert!(
        !f.iter().any(|f| f.message.contains("no truststore")),
        "{f:#?}"
    );
    // `optional` is REQUEST on master only (f442f5abb0): a peer is verified there.
    let text = cql("  require_client_auth: optional\n");
    assert!(
        !doctor(&text)
            .iter()
            .any(|f| f.message.contains("no truststore"))
    );
    let f = doctor_at(&text, "master", Path::new("."), now());
    assert!(
        has(&f, Severity::Error, Check::Chain, CLIENT, "no truststore"),
        "{f:#?}"
    );
    // Under none with a certificate (passive 7001), nothing goes out: no finding.
    let f =
        doctor(&internode("").replace("internode_encryption: all", "internode_encryption: none"));
    assert!(
        !f.iter().any(|f| f.message.contains("no truststore")),
        "{f:#?}"
    );
}

// message/rpc_protocol_impl.hh:88-91: internode sockets have no server name (chain only); the
// drivers verify the node's IP (scylla-rust-driver ServerName::IpAddress).
#[test]
fn a_dns_only_certificate_is_refused_by_drivers_but_not_internode() {
    let dns = |t: String| {
        t.replace(&fixture("node.crt"), &fixture("node-dns.crt"))
            .replace(&fixture("node.key"), &fixture("node-dns.key"))
    };
    let f = doctor(&dns(cql("")));
    assert!(
        has(
            &f,
            Severity::Warning,
            Check::San,
            CLIENT,
            "does not name 127.0.0.1 (rpc_address)"
        ),
        "{f:#?}"
    );
    assert!(
        f.iter()
            .any(|f| f.message.contains("ServerName::IpAddress"))
    );
    let f = doctor(&dns(internode(&format!(
        "  truststore: {}\n",
        fixture("ca.pem")
    ))));
    assert_eq!(errors(&f), 0, "{f:#?}");
    assert!(
        !f.iter()
            .any(|f| f.severity == Severity::Warning && f.check == Check::San)
    );
    // No address in the yaml: the certificate names no IP at all.
    let f = doctor(&dns(cql("")).replace("rpc_address: 127.0.0.1\n", ""));
    assert!(
        has(
            &f,
            Severity::Warning,
            Check::San,
            CLIENT,
            "names no IP address"
        ),
        "{f:#?}"
    );
}

// The Cassandra doctor's expiry check, reused: a certificate past its end is an error.
#[test]
fn an_expired_certificate_is_an_error() {
    let later = UnixTime::since_unix_epoch(Duration::from_secs(7_258_118_400)); // 2200-01-01
    let f = doctor_at(
        &internode(&format!("  truststore: {}\n", fixture("ca.pem"))),
        "2026.3",
        Path::new("."),
        later,
    );
    assert!(
        has(
            &f,
            Severity::Error,
            Check::Expiry,
            SERVER,
            "expired on 2126"
        ),
        "{f:#?}"
    );
}

// transport/controller.cc start_listening_on_tcp_sockets: without native_transport_port_ssl in
// the file (is_set()), the plain port itself turns TLS.
#[test]
fn port_9042_itself_is_tls_without_native_transport_port_ssl() {
    let node = ScyllaYaml::from_str(&cql("")).unwrap().resolve();
    let e = explain_scylla_node("t".into(), &node);
    let p = &e.listeners[0];
    assert_eq!((p.port, p.tls), (9042, true));
    assert_eq!(
        p.note.as_deref(),
        Some("9042 itself is TLS because native_transport_port_ssl is not in the file")
    );
    let node = ScyllaYaml::from_str(&format!("native_transport_port_ssl: 9142\n{}", cql("")))
        .unwrap()
        .resolve();
    let e = explain_scylla_node("t".into(), &node);
    assert!(
        e.listeners
            .iter()
            .any(|l| l.port == 9142 && l.tls && l.note.is_none())
    );
}

// Versions: enable_session_tickets exists from 2025.2 (2f10205714).
#[test]
fn a_key_this_line_does_not_read_is_a_warning() {
    let f = doctor_at(
        &cql("  enable_session_tickets: true\n"),
        "2025.1",
        Path::new("."),
        now(),
    );
    assert!(
        has(
            &f,
            Severity::Warning,
            Check::Policy,
            CLIENT,
            "enable_session_tickets"
        ),
        "{f:#?}"
    );
}

/// Every hostile value in every key of every section: no panic, typed findings.
#[test]
fn hostile_values_never_panic() {
    let values = [
        "",
        "~",
        "null",
        "[]",
        "{}",
        "[a, [b]]",
        "{a: {b: c}}",
        "yes",
        "no",
        "on",
        "off",
        "y",
        "n",
        "True",
        "TRUE",
        "1",
        "0",
        "-1",
        "99999999999",
        "0x10",
        "'  true'",
        "\"\\u0000\"",
        "!!binary aGVsbG8=",
        "&a x",
        "/dev/null",
        "/dev/zero",
        "/",
        ".",
        "..",
        "/proc/self/mem",
        "'\u{202e}evil'",
    ];
    let keys = [
        "enabled",
        "internode_encryption",
        "require_client_auth",
        "certificate",
        "keyfile",
        "truststore",
        "certficate_revocation_list",
        "priority_string",
        "enable_session_tickets",
    ];
    for section in [
        "server_encryption_options",
        "client_encryption_options",
        "alternator_encryption_options",
    ] {
        for key in keys {
            for v in values {
                let text = format!(
                    "alternator_https_port: 8043\nrpc_address: 127.0.0.1\n{section}:\n  enabled: true\n  internode_encryption: all\n  {key}: {v}\n"
                );
                if ScyllaYaml::from_str(&text).is_err() {
                    continue; // a YAML syntax error: Scylla does not start (explain says so)
                }
                let _ = doctor(&text);
            }
        }
    }
    // Scalars at the top level that the report reads.
    for v in values {
        let text = format!(
            "rpc_address: {v}\nlisten_address: {v}\nnative_transport_port_ssl: {v}\nclient_encryption_options:\n  enabled: true\n"
        );
        if ScyllaYaml::from_str(&text).is_ok() {
            let _ = doctor(&text);
        }
    }
}

#[cfg(feature = "cli")]
mod cli {
    use super::*;

    const BIN: &str = env!("CARGO_BIN_EXE_cassandra-tls");

    fn run(args: &[&str]) -> (i32, String) {
        let out = std::process::Command::new(BIN)
            .args(args)
            .current_dir(env!("CARGO_MANIFEST_DIR"))
            .output()
            .unwrap();
        (
            out.status.code().unwrap_or(-1),
            String::from_utf8_lossy(&out.stdout).into_owned(),
        )
    }

    /// scylla-operator's layout (pkg/naming/names.go; managedconfig.cm.yaml): the serving-certs
    /// Secret and the client-ca ConfigMap, checked as the yaml the operator writes for them.
    #[test]
    fn a_scylla_operator_mount() {
        let root = tempfile::tempdir().unwrap();
        let serving = root.path().join("serving-certs");
        let ca = root.path().join("client-ca");
        std::fs::create_dir_all(&serving).unwrap();
        std::fs::create_dir_all(&ca).unwrap();
        std::fs::copy(fixture("node.crt"), serving.join("tls.crt")).unwrap();
        std::fs::copy(fixture("node.key"), serving.join("tls.key")).unwrap();
        std::fs::copy(fixture("ca.pem"), ca.join("ca-bundle.crt")).unwrap();
        let (s, c) = (serving.to_str().unwrap(), ca.to_str().unwrap());
        let (code, out) = run(&["doctor", "--scylla", "--secret", s, "--client-ca", c]);
        assert_eq!(code, 0, "{out}");
        assert!(out.contains("ca-bundle.crt is readable"), "{out}");
        assert!(out.contains("CQL TLS is on"), "{out}");
        // Without the ConfigMap, the truststore the operator names is not there: the node
        // would not start.
        let (code, out) = run(&["doctor", "--scylla", "--secret", s]);
        assert_eq!(code, 1, "{out}");
        assert!(out.contains("Could not read trust file"), "{out}");
        // A Secret without the operator's keys is named with what it holds.
        std::fs::remove_file(serving.join("tls.key")).unwrap();
        let (code, out) = run(&["doctor", "--secret", s, "--client-ca", c]);
        assert_eq!(code, 1, "{out}");
        assert!(
            out.contains("tls.key") && out.contains("found: tls.crt"),
            "{out}"
        );
        // Several Secrets, or a yaml beside it, are not one operator node.
        let (code, _) = run(&["doctor", "--client-ca", c, "--secret", s, "--secret", s]);
        assert_eq!(code, 2);
    }

    #[test]
    fn exit_codes_and_detection() {
        let (code, out) = run(&["doctor", "fixtures/scylla/scylla.yaml"]);
        assert_eq!(code, 0, "{out}");
        assert!(out.contains("(ScyllaDB 2026.3)"));
        let (code, _) = run(&["doctor", "fixtures/scylla/scylla-truststore-empty.yaml"]);
        assert_eq!(code, 1);
        let (code, _) = run(&["explain", "fixtures/scylla/scylla-internode-ALL.yaml"]);
        assert_eq!(code, 1);
        // --scylla=VERSION, and a version out of range is a usage error.
        let (_, out) = run(&["explain", "--scylla=master", "fixtures/scylla/scylla.yaml"]);
        assert!(out.contains("ScyllaDB master"), "{out}");
        let (code, _) = run(&["explain", "--scylla=4.6", "fixtures/scylla/scylla.yaml"]);
        assert_eq!(code, 2);
        // --cassandra-version reads it as a cassandra.yaml (no Scylla mode).
        let (_, out) = run(&[
            "explain",
            "--cassandra-version",
            "5.0",
            "fixtures/scylla/scylla.yaml",
        ]);
        assert!(!out.contains("ScyllaDB"), "{out}");
        // One scylla.yaml at a time; Cassandra's flags are refused in Scylla mode.
        let (code, _) = run(&["doctor", "--scylla", "fixtures/scylla"]);
        assert_eq!(code, 2);
        let (code, _) = run(&[
            "doctor",
            "--cqlshrc",
            "fixtures/conf/cqlshrc",
            "fixtures/scylla/scylla.yaml",
        ]);
        assert_eq!(code, 2);
        // A Cassandra yaml stays Cassandra's.
        let (_, out) = run(&["explain", "fixtures/conf/cassandra.yaml"]);
        assert!(out.contains("Cassandra 5.0"), "{out}");
    }

    #[test]
    fn json_is_json() {
        let (code, out) = run(&[
            "doctor",
            "--json",
            "fixtures/scylla/scylla-cassandra-keys.yaml",
        ]);
        assert_eq!(code, 1);
        let v: serde_json::Value = serde_json::from_str(&out).unwrap();
        assert_eq!(v["summary"]["errors"], 1);
        assert_eq!(v["summary"]["warnings"], 3);
        let (_, out) = run(&["explain", "--json", "fixtures/scylla/scylla.yaml"]);
        let v: serde_json::Value = serde_json::from_str(&out).unwrap();
        assert_eq!(v["starts"], true);
        assert_eq!(v["services"][1]["option"], "client_encryption_options");
        assert_eq!(v["outgoing_internode_tls"], "always");
    }

    #[test]
    fn a_yaml_syntax_error_is_a_start_up_refusal() {
        let dir = tempfile::tempdir().unwrap();
        let p: PathBuf = dir.path().join("scylla.yaml");
        std::fs::write(
            &p,
            "client_encryption_options:\n  enabled: true\n   bad: [\n",
        )
        .unwrap();
        let p = p.display().to_string();
        let (code, out) = run(&["doctor", &p]);
        assert_eq!(code, 1, "{out}");
        assert!(out.contains("Scylla does not start"), "{out}");
        let (code, out) = run(&["explain", &p]);
        assert_eq!(code, 1);
        assert!(out.contains("does not start"), "{out}");
    }
}

// transport/controller.cc: each CQL pair follows the rule on its own, so a file that gives only
// native_transport_port_ssl keeps 9042 plain and turns 19042 TLS (scylla-operator#1446: the
// shard-aware drivers then fail on 19042 without TLS): a warning; both pairs alike: none.
#[test]
fn a_cql_pair_turned_tls_beside_a_plain_pair_is_a_warning() {
    let split = format!(
        "native_transport_port: 9042\nnative_transport_port_ssl: 9142\n{}",
        cql("")
    );
    assert!(
        has(
            &doctor(&split),
            Severity::Warning,
            Check::Policy,
            CLIENT,
            "port 19042 itself is TLS"
        ),
        "{:#?}",
        doctor(&split)
    );
    let both = format!(
        "native_transport_port: 9042\nnative_transport_port_ssl: 9142\nnative_shard_aware_transport_port: 19042\nnative_shard_aware_transport_port_ssl: 19142\n{}",
        cql("")
    );
    assert!(
        !doctor(&both)
            .iter()
            .any(|f| f.message.contains("itself is TLS")),
    );
    // Neither pair split: both plain ports are TLS, a note only.
    assert!(has(
        &doctor(&cql("")),
        Severity::Ok,
        Check::Policy,
        CLIENT,
        "port 9042 itself is TLS"
    ));
}

// Drivers dial what the node advertises: broadcast_rpc_address, else rpc_address (db/config.cc);
// listen_address is the internode bind address and not checked against the CQL certificate.
#[test]
fn the_cql_certificate_is_checked_against_the_address_drivers_dial() {
    let san_warnings = |text: &str| {
        doctor(text)
            .into_iter()
            .filter(|f| f.check == Check::San && f.severity == Severity::Warning)
            .count()
    };
    // node.crt names 127.0.0.1 (fixtures/scylla/generate.sh).
    assert_eq!(
        san_warnings(&format!("listen_address: 10.9.9.9\n{}", cql(""))),
        0
    );
    assert_eq!(
        san_warnings(&format!("broadcast_rpc_address: 10.1.1.1\n{}", cql(""))),
        1
    );
}

// doctor::check_node on a tls::Node made from a scylla.yaml checks it as Scylla runs it, not as
// the empty cassandra.yaml Node::resolved() answers for.
#[test]
fn check_node_on_a_scylla_node_is_the_scylla_check() {
    let text = "client_encryption_options:\n  enabled: yes\n";
    let node = cassandra_tls::tls::Node::from_scylla(&ScyllaYaml::from_str(text).unwrap());
    let report = doctor::check_node(&node, None, now());
    assert!(
        report
            .findings
            .iter()
            .any(|f| f.severity == Severity::Error && f.message.contains("reads `yes` as false")),
        "{:#?}",
        report.findings
    );
}

// `truststore: ''` is a key Scylla opens with an empty name (db/config.cc): it cannot start, and
// the empty name is shown as such, not as the base directory.
#[test]
fn an_empty_truststore_name_is_named_empty() {
    let f = doctor(&cql("  truststore: ''\n  require_client_auth: true\n"));
    assert!(
        has(
            &f,
            Severity::Error,
            Check::File,
            CLIENT,
            "Could not read trust file \"\" (an empty name): No such file or directory"
        ),
        "{f:#?}"
    );
}
