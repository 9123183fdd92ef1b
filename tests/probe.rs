//! `probe` against servers whose answers we chose: JSSE (what Cassandra runs on) and OpenSSL
//! s_server with given protocols, suites and client-auth modes, a plaintext CQL server, a dead
//! port and a port that accepts and never answers. Expected values come from the peers'
//! configuration and from keytool, never from the probe.
#![cfg(feature = "diagnostics")]

mod common;

use std::io::{Read, Write};
use std::net::TcpListener;
use std::process::Command;
use std::time::Duration;

use cassandra_tls::options::CassandraYaml;
use cassandra_tls::probe::{self, ClientAuthMode, PortKind, ProbeOptions, ProbeReport, Target};
use cassandra_tls::tls::{self, ClientRole, TlsSettings};
use common::peer::Peer;

fn target(port: u16) -> Target {
    Target::new("127.0.0.1", port, PortKind::Native)
}

fn options_with_truststore() -> ProbeOptions {
    let yaml = CassandraYaml::from_str(&format!(
        "client_encryption_options:\n  enabled: true\n  require_endpoint_verification: true\n  truststore: {}\n  truststore_password: cassandra\n",
        common::store_path("truststore.jks")
    ))
    .unwrap();
    ProbeOptions {
        native_client: Some(
            tls::client_config(&yaml, ClientRole::Native, &TlsSettings::default()).unwrap(),
        ),
        timeout: Duration::from_secs(60),
        ..ProbeOptions::default()
    }
}

fn accepted(r: &ProbeReport) -> Vec<&'static str> {
    r.protocols
        .iter()
        .filter(|p| p.accepted == Some(true))
        .map(|p| p.name.jsse_name())
        .collect()
}

/// node1.jks's leaf SHA-256, as keytool prints it.
fn keytool_leaf_sha256() -> String {
    let out = Command::new("keytool")
        .args(["-list", "-v", "-storepass", "cassandra", "-keystore"])
        .arg(common::store_path("node1.jks"))
        .output()
        .unwrap();
    let entries = common::tools::parse_keytool_list(&String::from_utf8_lossy(&out.stdout));
    entries
        .iter()
        .find(|e| e.kind == "private_key")
        .unwrap()
        .sha256[0]
        .clone()
}

fn java_server(dir: &std::path::Path, pairs: &[(&str, &str)]) -> Peer {
    let mut all = vec![
        ("keystore".to_owned(), common::store_path("node1.jks")),
        ("storepass".to_owned(), "cassandra".to_owned()),
        (
            "truststore".to_owned(),
            common::store_path("truststore.jks"),
        ),
        ("trustpass".to_owned(), "cassandra".to_owned()),
        ("count".to_owned(), "1000".to_owned()),
    ];
    all.extend(pairs.iter().map(|(k, v)| (k.to_string(), v.to_string())));
    let opts: Vec<String> = all.iter().map(|(k, v)| format!("{k}={v}")).collect();
    common::peer::start(common::java::tls_peer(dir, "server", &opts), "LISTENING ")
}

#[test]
fn jsse_servers_with_chosen_protocols_suites_and_client_auth() {
    let Some(dir) = common::java::classes() else {
        return;
    };
    let options = options_with_truststore();
    let leaf = keytool_leaf_sha256();

    // TLSv1.2 only, one suite, a client certificate needed.
    let peer = java_server(
        &dir,
        &[
            ("protocols", "TLSv1.2"),
            ("ciphers", "TLS_ECDHE_RSA_WITH_AES_128_GCM_SHA256"),
            ("clientauth", "need"),
        ],
    );
    let r = probe::probe(&target(peer.port), &options);
    assert!(r.tls, "{r:#?}");
    assert_eq!(accepted(&r), ["TLSv1.2"], "{r:#?}");
    assert_eq!(r.cipher_suites, ["TLS_ECDHE_RSA_WITH_AES_128_GCM_SHA256"]);
    assert_eq!(r.client_auth, Some(ClientAuthMode::Required));
    assert_eq!(r.chain[0].sha256, leaf);
    assert_eq!(r.name_matches, Some(true));
    assert!(r.validation.as_ref().unwrap().trusted, "{r:#?}");
    assert_eq!(r.accepts_no_forward_secrecy, Some(false));
    assert_eq!(r.plaintext, Some(false));
    // The truststore's client offers no certificate where one is needed: that alone is the
    // error (the node refuses it), and it says what was offered.
    let errors: Vec<_> = r
        .findings
        .iter()
        .filter(|f| f.severity == "error")
        .collect();
    assert!(
        errors.len() == 1
            && errors[0].check == "client_auth"
            && errors[0].message.contains("offered no client certificate"),
        "{:#?}",
        r.findings
    );
    drop(peer);

    // TLSv1.3 and TLSv1.2, two suites of each, a certificate wanted but not needed.
    let peer = java_server(
        &dir,
        &[
            ("protocols", "TLSv1.3,TLSv1.2"),
            (
                "ciphers",
                "TLS_AES_256_GCM_SHA384,TLS_CHACHA20_POLY1305_SHA256,TLS_ECDHE_RSA_WITH_AES_256_GCM_SHA384,TLS_ECDHE_RSA_WITH_CHACHA20_POLY1305_SHA256",
            ),
            ("clientauth", "want"),
        ],
    );
    let r = probe::probe(&target(peer.port), &options);
    assert_eq!(accepted(&r), ["TLSv1.2", "TLSv1.3"], "{r:#?}");
    let mut suites = r.cipher_suites.clone();
    suites.sort();
    assert_eq!(
        suites,
        [
            "TLS_AES_256_GCM_SHA384",
            "TLS_CHACHA20_POLY1305_SHA256",
            "TLS_ECDHE_RSA_WITH_AES_256_GCM_SHA384",
            "TLS_ECDHE_RSA_WITH_CHACHA20_POLY1305_SHA256"
        ]
    );
    assert_eq!(r.client_auth, Some(ClientAuthMode::Optional), "{r:#?}");
    drop(peer);

    // TLSv1.3 only, no client certificate asked; a truststore without the server's CA and a
    // name the certificate lacks.
    let peer = java_server(&dir, &[("protocols", "TLSv1.3"), ("clientauth", "none")]);
    let r = probe::probe(&target(peer.port), &options);
    assert_eq!(accepted(&r), ["TLSv1.3"], "{r:#?}");
    assert_eq!(r.client_auth, Some(ClientAuthMode::NotRequested));
    // A truststore holding only a CA that openssl makes here: the chain is refused.
    if common::which("openssl").is_some() {
        let tmp = tempfile::tempdir().unwrap();
        let other = common::openssl_other_ca(tmp.path());
        let y = CassandraYaml::from_str(&format!(
            "client_encryption_options:\n  enabled: true\n  truststore: {}\n  ssl_context_factory:\n    class_name: org.apache.cassandra.security.PEMBasedSslContextFactory\n",
            other.display()
        ))
        .unwrap();
        let options = ProbeOptions {
            native_client: Some(
                tls::client_config(&y, ClientRole::Native, &TlsSettings::default()).unwrap(),
            ),
            ..ProbeOptions::default()
        };
        let r = probe::probe(&target(peer.port), &options);
        assert!(!r.validation.as_ref().unwrap().trusted, "{r:#?}");
        assert!(
            r.findings
                .iter()
                .any(|f| f.check == "trust" && f.severity == "error"),
            "{:#?}",
            r.findings
        );
    }
    let r = probe::probe(
        &Target::new("localhost", peer.port, PortKind::Native),
        &options,
    );
    // node1's certificate names localhost too: by name it matches.
    assert_eq!(r.name_matches, Some(true), "{r:#?}");
}

fn have_openssl() -> bool {
    common::tools_present(&["openssl"])
}

fn s_server(extra: &[&str]) -> Peer {
    common::peer::openssl_node1_server(extra)
}

#[test]
fn openssl_servers_with_old_protocols_and_no_forward_secrecy() {
    if !have_openssl() {
        return;
    }
    let options = options_with_truststore();
    // TLSv1 only (OpenSSL 3 needs security level 0 for it): no rustls client can connect.
    let peer = s_server(&["-tls1", "-cipher", "DEFAULT:@SECLEVEL=0"]);
    let r = probe::probe(&target(peer.port), &options);
    assert!(r.tls, "{r:#?}");
    assert_eq!(accepted(&r), ["TLSv1"], "{r:#?}");
    assert!(
        r.findings
            .iter()
            .any(|f| f.check == "protocols" && f.severity == "error"),
        "{:#?}",
        r.findings
    );
    drop(peer);

    // TLSv1.1 and TLSv1.2 with RSA key exchange next to ECDHE.
    let peer = s_server(&[
        "-no_tls1_3",
        "-cipher",
        "ECDHE-RSA-AES128-GCM-SHA256:AES128-GCM-SHA256:AES128-SHA:@SECLEVEL=0",
    ]);
    let r = probe::probe(&target(peer.port), &options);
    assert!(accepted(&r).contains(&"TLSv1.1"), "{r:#?}");
    assert!(accepted(&r).contains(&"TLSv1.2"), "{r:#?}");
    assert!(!accepted(&r).contains(&"TLSv1.3"), "{r:#?}");
    assert_eq!(r.cipher_suites, ["TLS_ECDHE_RSA_WITH_AES_128_GCM_SHA256"]);
    assert_eq!(r.accepts_no_forward_secrecy, Some(true));
    for check in ["protocols", "forward_secrecy"] {
        assert!(
            r.findings
                .iter()
                .any(|f| f.check == check && f.severity == "warning"),
            "{check}: {:#?}",
            r.findings
        );
    }
    drop(peer);

    // A client certificate required, TLSv1.3 only: refused after the handshake.
    let peer = s_server(&[
        "-tls1_3",
        "-Verify",
        "1",
        "-verify_return_error",
        "-CAfile",
        &common::store_path("ca-bundle.pem"),
    ]);
    let r = probe::probe(&target(peer.port), &options);
    assert_eq!(accepted(&r), ["TLSv1.3"], "{r:#?}");
    assert_eq!(r.client_auth, Some(ClientAuthMode::Required), "{r:#?}");
}

#[test]
fn plaintext_dead_and_silent_ports() {
    // A plaintext CQL server: answers OPTIONS with SUPPORTED, never speaks TLS.
    let plain = TcpListener::bind("127.0.0.1:0").unwrap();
    let plain_port = plain.local_addr().unwrap().port();
    std::thread::spawn(move || {
        for conn in plain.incoming() {
            let Ok(mut conn) = conn else { break };
            std::thread::spawn(move || {
                let mut buf = [0u8; 9];
                if conn.read_exact(&mut buf).is_ok() && buf[0] == 0x04 && buf[4] == 0x05 {
                    let _ = conn.write_all(&[0x84, 0, 0, 0, 0x06, 0, 0, 0, 2, 0, 0]);
                }
            });
        }
    });
    // A dead port: bound, then closed.
    let dead_port = {
        let l = TcpListener::bind("127.0.0.1:0").unwrap();
        l.local_addr().unwrap().port()
    };
    // A port that accepts (the kernel's backlog) and never answers.
    let silent = TcpListener::bind("127.0.0.1:0").unwrap();
    let silent_port = silent.local_addr().unwrap().port();

    let options = ProbeOptions {
        timeout: Duration::from_secs(3),
        ..ProbeOptions::default()
    };
    let reports = probe::probe_all(
        &[target(plain_port), target(dead_port), target(silent_port)],
        &options,
    );
    assert_eq!(reports.len(), 3);
    let (plain_r, dead_r, silent_r) = (&reports[0], &reports[1], &reports[2]);
    assert!(
        !plain_r.tls && plain_r.plaintext == Some(true),
        "{plain_r:#?}"
    );
    assert!(
        plain_r
            .findings
            .iter()
            .any(|f| f.check == "tls" && f.severity == "error")
    );
    assert!(!dead_r.reachable, "{dead_r:#?}");
    assert!(
        dead_r
            .findings
            .iter()
            .any(|f| f.check == "connect" && f.severity == "error")
    );
    assert!(silent_r.reachable && !silent_r.tls, "{silent_r:#?}");
    assert!(
        silent_r
            .findings
            .iter()
            .any(|f| f.check == "connect" && f.severity == "error")
    );
    drop(silent);
}

#[test]
fn targets_parse_and_refuse_garbage() {
    let t: Target = "10.0.0.1:9042".parse().unwrap();
    assert_eq!((t.host.as_str(), t.port), ("10.0.0.1", 9042));
    let t: Target = "[::1]:7001".parse().unwrap();
    assert_eq!((t.host.as_str(), t.port), ("::1", 7001));
    assert_eq!(t.to_string(), "[::1]:7001");
    for bad in [
        "",
        "host",
        "host:",
        ":9042",
        "host:0",
        "host:99999",
        "a b:1",
    ] {
        assert!(bad.parse::<Target>().is_err(), "{bad}");
    }
}

#[test]
fn the_command_prints_a_table_and_json() {
    let bin = env!("CARGO_BIN_EXE_cassandra-tls");
    let yaml = common::fixtures().join("conf/cassandra.yaml");
    let mut serve = Command::new(bin);
    serve
        .args([
            "serve",
            "--role",
            "client-to-node",
            "--listen",
            "127.0.0.1:0",
            "--config",
        ])
        .arg(&yaml)
        .current_dir(common::root());
    let peer = common::peer::start(serve, "listening on ");
    let out = Command::new(bin)
        .args([
            "probe",
            &format!("127.0.0.1:{}", peer.port),
            "--json",
            "--config",
        ])
        .arg(&yaml)
        .current_dir(common::root())
        .output()
        .unwrap();
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let v: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    let t = &v["targets"][0];
    for key in [
        "target",
        "kind",
        "reachable",
        "tls",
        "negotiated",
        "chain",
        "name_matches",
        "validation",
        "protocols",
        "cipher_suites",
        "accepts_no_forward_secrecy",
        "client_auth",
        "plaintext",
        "findings",
        "elapsed_ms",
    ] {
        assert!(t.get(key).is_some(), "{key} missing: {t:#}");
    }
    assert_eq!(t["client_auth"], "required");
    assert_eq!(t["validation"]["trusted"], true);
    assert_eq!(v["summary"]["errors"], 0);
    // A dead target makes the exit code 1, and the text names it.
    let dead = {
        let l = TcpListener::bind("127.0.0.1:0").unwrap();
        l.local_addr().unwrap().port()
    };
    let out = Command::new(bin)
        .args([
            "probe",
            &format!("127.0.0.1:{}", peer.port),
            &format!("127.0.0.1:{dead}"),
        ])
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(1));
    let text = String::from_utf8_lossy(&out.stdout);
    assert!(text.contains("cannot connect"), "{text}");
    assert!(text.contains("TARGET"), "{text}");
}

/// `expiry_warning`: the leaf and every CA the served chain carries are warned about exactly
/// when OpenSSL's `-checkend` says they end within the window.
#[test]
fn expiry_warnings_for_the_leaf_and_the_chains_cas_follow_the_window() {
    if !have_openssl() {
        return;
    }
    let dir = tempfile::tempdir().unwrap();
    // node1.chain.pem split into one file per certificate, by OpenSSL's fingerprint.
    let chain = std::fs::read_to_string(common::store_path("node1.chain.pem")).unwrap();
    let mut by_sha256 = std::collections::BTreeMap::new();
    for (i, block) in chain
        .split_inclusive("-----END CERTIFICATE-----\n")
        .filter(|b| b.contains("BEGIN CERTIFICATE"))
        .enumerate()
    {
        let file = dir.path().join(format!("cert-{i}.pem"));
        std::fs::write(&file, block).unwrap();
        let out = Command::new("openssl")
            .args(["x509", "-noout", "-fingerprint", "-sha256", "-in"])
            .arg(&file)
            .output()
            .unwrap();
        let sha = common::tools::parse_openssl_fingerprints(&String::from_utf8_lossy(&out.stdout))
            .remove(0);
        by_sha256.insert(sha, file);
    }
    // OpenSSL serves the whole chain (the leaf's CAs too) with -cert_chain.
    let chain_path = common::store_path("node1.chain.pem");
    let peer = s_server(&["-cert_chain", &chain_path]);
    for days in [1u64, 5_000, 100_000] {
        let options = ProbeOptions {
            expiry_warning: Duration::from_secs(days * 86_400),
            ..options_with_truststore()
        };
        let r = probe::probe(&target(peer.port), &options);
        assert!(r.chain.len() >= 2, "{r:#?}");
        for (i, served) in r.chain.iter().enumerate() {
            let file = &by_sha256[&served.sha256];
            let within = common::tools::openssl_ends_within(file, days * 86_400);
            let warned = r.findings.iter().any(|f| {
                f.check == "expiry"
                    && f.severity == "warning"
                    && f.message.contains(&served.subject)
                    && f.message.contains("expires in")
            });
            assert_eq!(
                warned, within,
                "chain[{i}] {} within {days} days: {:#?}",
                served.subject, r.findings
            );
        }
    }
}

/// Client options with the test truststore and, when given, client1's key store.
fn client_options(with_certificate: bool) -> ProbeOptions {
    let keystore = if with_certificate {
        format!(
            "  keystore: {}\n  keystore_password: cassandra\n",
            common::store_path("client1.jks")
        )
    } else {
        String::new()
    };
    let yaml = CassandraYaml::from_str(&format!(
        "client_encryption_options:\n  enabled: true\n  truststore: {}\n  truststore_password: cassandra\n{keystore}",
        common::store_path("truststore.jks")
    ))
    .unwrap();
    ProbeOptions {
        native_client: Some(
            tls::client_config(&yaml, ClientRole::Native, &TlsSettings::default()).unwrap(),
        ),
        timeout: Duration::from_secs(60),
        ..ProbeOptions::default()
    }
}

fn client_auth_errors(r: &ProbeReport) -> Vec<String> {
    r.findings
        .iter()
        .filter(|f| f.check == "client_auth" && f.severity == "error")
        .map(|f| f.message.clone())
        .collect()
}

/// OpenSSL s_server requiring a client certificate from `ca` (`-Verify` with
/// `-verify_return_error`): in TLS 1.3 it refuses after the client's side of the handshake is
/// done, so the probe must read its answer before it calls the client accepted. A missing
/// certificate and one from a CA the server does not trust are errors naming what was offered;
/// a certificate it trusts is not.
#[test]
fn a_node_that_refuses_the_clients_certificate_or_its_absence_is_an_error() {
    if !have_openssl() {
        return;
    }
    let tmp = tempfile::tempdir().unwrap();
    let other = common::openssl_other_ca(tmp.path());
    let trusted = common::store_path("ca-bundle.pem");
    let server = |version: &str, ca: &str| {
        s_server(&[
            version,
            "-Verify",
            "1",
            "-verify_return_error",
            "-CAfile",
            ca,
        ])
    };
    for version in ["-tls1_3", "-no_tls1_3"] {
        // No certificate to offer.
        let peer = server(version, &trusted);
        let r = probe::probe(&target(peer.port), &client_options(false));
        assert_eq!(r.client_auth, Some(ClientAuthMode::Required), "{r:#?}");
        let errors = client_auth_errors(&r);
        assert!(
            errors.len() == 1 && errors[0].contains("offered no client certificate"),
            "{version}: {:#?}",
            r.findings
        );
        assert_eq!(r.worst(), "error");
        drop(peer);

        // client1's certificate, from a CA the server does not trust.
        let peer = server(version, other.to_str().unwrap());
        let r = probe::probe(&target(peer.port), &client_options(true));
        let errors = client_auth_errors(&r);
        assert!(
            errors.len() == 1
                && errors[0].contains("refuses this client's certificate")
                && errors[0].contains("CN=client1")
                // What the node expects: s_server lists its -CAfile's subject in its
                // CertificateRequest (made with -subj /CN=another CA).
                && errors[0].contains("asks for a certificate issued by one of: CN=another CA"),
            "{version}: {:#?}",
            r.findings
        );
        // The refusal is the finding: no login is attempted past it.
        assert!(r.login.is_none(), "{r:#?}");
        drop(peer);

        // client1's certificate, from the CA the server trusts.
        let peer = server(version, &trusted);
        let r = probe::probe(&target(peer.port), &client_options(true));
        assert!(
            client_auth_errors(&r).is_empty(),
            "{version}: {:#?}",
            r.findings
        );
        assert!(r.validation.as_ref().unwrap().trusted, "{r:#?}");
        assert!(r.validation.as_ref().unwrap().message.is_none(), "{r:#?}");
        drop(peer);
    }
}

/// JSSE (what Cassandra runs on) needing a client certificate in TLS 1.3: without one the
/// probe's client is refused after its side of the handshake, an error; with client1's
/// certificate, which the server's truststore holds the CA of, it is accepted.
#[test]
fn jsse_in_tls13_refuses_a_client_without_a_certificate_after_the_handshake() {
    let Some(dir) = common::java::classes() else {
        common::skip_or_fail("java or javac is not on the PATH");
        return;
    };
    let peer = java_server(&dir, &[("protocols", "TLSv1.3"), ("clientauth", "need")]);
    let r = probe::probe(&target(peer.port), &client_options(false));
    assert_eq!(accepted(&r), ["TLSv1.3"], "{r:#?}");
    let errors = client_auth_errors(&r);
    assert!(
        errors.len() == 1 && errors[0].contains("offered no client certificate"),
        "{:#?}",
        r.findings
    );
    let r = probe::probe(&target(peer.port), &client_options(true));
    assert!(client_auth_errors(&r).is_empty(), "{:#?}", r.findings);
    assert!(r.validation.as_ref().unwrap().trusted, "{r:#?}");
}

/// JSSE serving node-nosan.jks (a certificate that names no address), asking no client
/// certificate.
fn nosan_server(dir: &std::path::Path) -> Peer {
    java_server(
        dir,
        &[
            ("keystore", &common::store_path("node-nosan.jks")),
            ("clientauth", "none"),
        ],
    )
}

/// With `require_endpoint_verification: true`, a chain the truststore holds but whose leaf does
/// not name the address is refused for the name: the fix says so, and does not send the
/// operator to the truststore.
#[test]
fn a_name_refusal_is_fixed_with_a_san_not_with_the_truststore() {
    let Some(dir) = common::java::classes() else {
        common::skip_or_fail("java or javac is not on the PATH");
        return;
    };
    let peer = nosan_server(&dir);
    let r = probe::probe(&target(peer.port), &options_with_truststore());
    let trust = r
        .findings
        .iter()
        .find(|f| f.check == "trust")
        .unwrap_or_else(|| panic!("{:#?}", r.findings));
    assert_eq!(trust.severity, "error", "{trust:#?}");
    let fix = trust.fix.as_deref().unwrap();
    assert!(fix.contains("SAN") && !fix.contains("truststore"), "{fix}");
}

/// `probe --driver-settings`: a driver's stores without a hand-written yaml, judged by that
/// driver's rules. The Java driver validates the node's address by default, so a certificate
/// that does not name it (node-nosan, served by JSSE) is an error and the command exits 1; the
/// Python driver checks it only with `check_hostname = True`, so there it is a warning.
#[test]
fn driver_settings_are_judged_by_the_drivers_rules() {
    let Some(dir) = common::java::classes() else {
        common::skip_or_fail("java or javac is not on the PATH");
        return;
    };
    let peer = nosan_server(&dir);
    let tmp = tempfile::tempdir().unwrap();
    let java = tmp.path().join("application.conf");
    std::fs::write(
        &java,
        format!(
            "datastax-java-driver {{\n  advanced.ssl-engine-factory {{\n    class = DefaultSslEngineFactory\n    truststore-path = \"{}\"\n    truststore-password = cassandra\n  }}\n}}\n",
            common::store_path("truststore.jks")
        ),
    )
    .unwrap();
    let python = tmp.path().join("ssl_options");
    std::fs::write(
        &python,
        format!(
            "ca_certs = {}\ncert_reqs = CERT_REQUIRED\n",
            common::store_path("ca.pem")
        ),
    )
    .unwrap();
    let name_finding = |settings: &std::path::Path| {
        let out = Command::new(env!("CARGO_BIN_EXE_cassandra-tls"))
            .args(["probe", &format!("127.0.0.1:{}", peer.port), "--json"])
            .arg("--driver-settings")
            .arg(settings)
            .output()
            .unwrap();
        let v: serde_json::Value = serde_json::from_slice(&out.stdout)
            .unwrap_or_else(|e| panic!("{e}: {}", String::from_utf8_lossy(&out.stderr)));
        let t = &v["targets"][0];
        assert_eq!(t["kind"], "native", "{t:#}");
        let name = t["findings"]
            .as_array()
            .unwrap()
            .iter()
            .find(|f| f["check"] == "name")
            .cloned()
            .unwrap_or_else(|| panic!("{t:#}"));
        (
            out.status.code(),
            name["severity"].as_str().unwrap().to_owned(),
            t.clone(),
        )
    };
    let (code, severity, t) = name_finding(&java);
    assert_eq!((code, severity.as_str()), (Some(1), "error"), "{t:#}");
    assert_eq!(t["validation"]["name_checked"], true, "{t:#}");
    let (_, severity, t) = name_finding(&python);
    assert_eq!(severity, "warning", "{t:#}");
    assert_eq!(t["validation"]["name_checked"], false, "{t:#}");
    assert_eq!(t["validation"]["trusted"], true, "{t:#}");

    // Bad input: a line that is not a setting, and a key neither driver has, are refused by
    // name (exit 1, a typed error), before any target is probed.
    for (text, named) in [
        ("keystore-password s3cret\n", "keystore-password"),
        ("trust-store = /x\n", "trust-store"),
    ] {
        let bad = tmp.path().join("bad");
        std::fs::write(&bad, text).unwrap();
        let out = Command::new(env!("CARGO_BIN_EXE_cassandra-tls"))
            .args(["probe", &format!("127.0.0.1:{}", peer.port), "--json"])
            .arg("--driver-settings")
            .arg(&bad)
            .output()
            .unwrap();
        let v: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
        assert_eq!(out.status.code(), Some(1), "{v:#}");
        assert_eq!(v["error"]["kind"], "config", "{v:#}");
        assert!(
            v["error"]["message"].as_str().unwrap().contains(named),
            "{v:#}"
        );
        // A line that is not a setting may hold a password: it is not echoed.
        assert!(!v.to_string().contains("s3cret"), "{v:#}");
    }
}

/// A caller whose client speaks only TLS 1.3, against an OpenSSL server without it (and which
/// asks for no client certificate): no chain reaches the caller's truststore, so the chain is not
/// called trusted, and the failure is not the node refusing the client's certificate.
#[test]
fn a_handshake_that_fails_for_its_version_is_not_a_refused_client() {
    if !have_openssl() {
        return;
    }
    let peer = s_server(&["-no_tls1_3"]);
    let yaml = CassandraYaml::from_str(&format!(
        "client_encryption_options:\n  enabled: true\n  accepted_protocols: [TLSv1.3]\n  truststore: {}\n  truststore_password: cassandra\n  keystore: {}\n  keystore_password: cassandra\n",
        common::store_path("truststore.jks"),
        common::store_path("client1.jks")
    ))
    .unwrap();
    let options = ProbeOptions {
        native_client: Some(
            tls::client_config(&yaml, ClientRole::Native, &TlsSettings::default()).unwrap(),
        ),
        timeout: Duration::from_secs(60),
        ..ProbeOptions::default()
    };
    let r = probe::probe(&target(peer.port), &options);
    assert!(client_auth_errors(&r).is_empty(), "{:#?}", r.findings);
    let v = r.validation.as_ref().expect("a validation verdict");
    assert!(!v.trusted, "{r:#?}");
}

/// `probe --config Y --role client-to-node` builds the client-to-node client; a broken internode
/// section of the same yaml (a key store that is not there) does not stop it.
#[test]
fn a_broken_section_the_role_does_not_use_does_not_stop_the_probe() {
    if !have_openssl() {
        return;
    }
    let peer = s_server(&[]);
    let tmp = tempfile::tempdir().unwrap();
    let yaml = tmp.path().join("cassandra.yaml");
    std::fs::write(
        &yaml,
        format!(
            "server_encryption_options:\n  internode_encryption: all\n  keystore: {}\n  keystore_password: cassandra\n  truststore: {}\n  truststore_password: cassandra\nclient_encryption_options:\n  enabled: true\n  truststore: {}\n  truststore_password: cassandra\n",
            tmp.path().join("missing.jks").display(),
            common::store_path("truststore.jks"),
            common::store_path("truststore.jks")
        ),
    )
    .unwrap();
    let out = Command::new(env!("CARGO_BIN_EXE_cassandra-tls"))
        .args(["probe", &format!("127.0.0.1:{}", peer.port), "--json"])
        .arg("--config")
        .arg(&yaml)
        .args(["--role", "client-to-node"])
        .output()
        .unwrap();
    let v: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    assert!(v.get("error").is_none(), "{v:#}");
    assert!(!v.to_string().contains("missing.jks"), "{v:#}");
}
