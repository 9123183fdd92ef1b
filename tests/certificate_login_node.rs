//! Certificate login against real 5.0 and 6.0 nodes (cassandra-all from Maven Central):
//! `MutualTlsAuthenticator` with `SpiffeCertificateValidator`. `doctor` is asked first, with the
//! client certificates about to be used; then the node: a SPIFFE certificate whose identity is
//! not mapped is refused with Cassandra's message, a certificate without SPIFFE is refused, the
//! `ADD IDENTITY` statement doctor printed is run (the node restarted with
//! `PasswordAuthenticator` on the same data, logged in as the default superuser), and after a
//! restart with `MutualTlsAuthenticator` the certificate logs in and queries. What a driver
//! sends is measured too: 5.0 asks with AUTHENTICATE (any AUTH_RESPONSE token will do), 6.0
//! decides at STARTUP.
#![cfg(feature = "diagnostics")]

mod common;

use std::net::TcpStream;
use std::time::{Duration, Instant};

use cassandra_tls::doctor::{self, Check, ClientCertificate, Severity};
use cassandra_tls::handshake::{Handshake, Session, blocking};
use cassandra_tls::options::{CassandraVersion, CassandraYaml};
use cassandra_tls::probe::{LoginMethod, LoginOutcome};
use cassandra_tls::tls::{self, ClientRole, ClientTls, Node, TlsSettings};
use common::cassandra;
use common::cql::{Login, login, options, run};
use rustls::pki_types::UnixTime;

fn section(auth: &str) -> String {
    format!(
        "{auth}client_encryption_options:
  enabled: true
  keystore: {{stores}}/node1.jks
  keystore_password: cassandra
  truststore: {{stores}}/truststore.jks
  truststore_password: cassandra
  require_client_auth: true
"
    )
}

const MTLS: &str = "authenticator:
  class_name: org.apache.cassandra.auth.MutualTlsAuthenticator
  parameters:
    validator_class_name: org.apache.cassandra.auth.SpiffeCertificateValidator
";

const PASSWORD: &str = "authenticator: PasswordAuthenticator\n";

const FALLBACK: &str = "authenticator:
  class_name: org.apache.cassandra.auth.MutualTlsWithPasswordFallbackAuthenticator
  parameters:
    validator_class_name: org.apache.cassandra.auth.SpiffeCertificateValidator
";

/// Our client without a certificate (the fixtures' truststore only).
fn no_certificate_client() -> ClientTls {
    let y = CassandraYaml::from_str(&format!(
        "client_encryption_options:\n  enabled: true\n  truststore: {}/truststore.jks\n  truststore_password: cassandra\n",
        common::fixtures().join("stores").display()
    ))
    .unwrap();
    tls::client_config(&y, ClientRole::Native, &TlsSettings::default()).unwrap()
}

/// Our client with `keystore` as its certificate.
fn client(keystore: &str) -> ClientTls {
    let stores = common::fixtures().join("stores");
    let y = CassandraYaml::from_str(&format!(
        "client_encryption_options:\n  enabled: true\n  keystore: {s}/{keystore}\n  keystore_password: cassandra\n  truststore: {s}/truststore.jks\n  truststore_password: cassandra\n",
        s = stores.display()
    ))
    .unwrap();
    tls::client_config(&y, ClientRole::Native, &TlsSettings::default()).unwrap()
}

fn session(client: &ClientTls, port: u16) -> Result<(Session, TcpStream), String> {
    let mut sock = TcpStream::connect(("127.0.0.1", port)).map_err(|e| e.to_string())?;
    sock.set_read_timeout(Some(Duration::from_secs(60)))
        .unwrap();
    let hs = Handshake::client(client, "127.0.0.1").map_err(|e| e.to_string())?;
    blocking::handshake(hs, &mut sock)
        .map(|(s, _)| (s, sock))
        .map_err(|e| e.to_string())
}

/// The native port: the one answering OPTIONS with SUPPORTED over our session.
fn native_port(node: &cassandra::Node, c: &ClientTls) -> u16 {
    for &port in &node.ports {
        if let Ok((mut s, mut sock)) = session(c, port)
            && s.send(&options(), &mut sock).is_ok()
            && let Ok(bytes) = s.receive(&mut sock)
            && bytes.len() > 4
            && bytes[4] == 0x06
        {
            return port;
        }
    }
    panic!("no native port among {:?}", node.ports)
}

fn login_as(c: &ClientTls, port: u16, token: &[u8]) -> (Login, Option<(Session, TcpStream)>) {
    let (mut s, mut sock) = session(c, port).expect("mTLS handshake with the node");
    let l = login(&mut s, &mut sock, token);
    (l, Some((s, sock)))
}

/// doctor on a node yaml with the two client certificates the tests log in with: client1
/// (a SPIFFE URI) and node1 (none).
fn doctor_with_clients(yaml: &CassandraYaml) -> doctor::Report {
    let stores = common::fixtures().join("stores");
    let clients = ["client1.jks", "node1.jks"]
        .map(|k| ClientCertificate::load(&stores.join(k), Some("cassandra".into())).unwrap());
    doctor::check_node_with_clients(
        &Node::new(yaml),
        None,
        UnixTime::now(),
        &doctor::ExpiryPolicy::default(),
        &clients,
    )
}

/// probe's login past TLS with `c`.
fn probe(c: &ClientTls, port: u16) -> cassandra_tls::probe::Login {
    use cassandra_tls::probe::{PortKind, ProbeOptions, Target};
    let r = cassandra_tls::probe::probe(
        &Target::new("127.0.0.1", port, PortKind::Native),
        &ProbeOptions {
            native_client: Some(c.clone()),
            ..Default::default()
        },
    );
    r.login
        .unwrap_or_else(|| panic!("probe did not log in: {:#?}", r.findings))
}

fn start(dir: tempfile::TempDir, line: &str, auth: &str) -> Option<cassandra::Node> {
    match cassandra::try_start_in(dir, line, None, &section(auth), true)? {
        Ok(node) => Some(node),
        Err(said) => panic!("Cassandra {line} did not start: {said:#?}"),
    }
}

#[test]
fn a_spiffe_certificate_logs_in_once_its_identity_is_added() {
    for line in ["5.0", "6.0"] {
        let version: CassandraVersion = line.parse().unwrap();
        let stores = common::fixtures().join("stores");
        // doctor first: the node's yaml as that line reads it, with both client certificates.
        let yaml = CassandraYaml::from_str_for(
            &section(MTLS).replace("{stores}", &stores.to_string_lossy()),
            version,
        )
        .unwrap();
        let report = doctor_with_clients(&yaml);
        assert_eq!(
            report.count(Severity::Error),
            1,
            "{line}: only node1's login is predicted to fail: {:#?}",
            report.findings
        );
        let mapped = report
            .findings
            .iter()
            .find(|f| f.check == Check::Identity && f.severity == Severity::Ok)
            .expect("client1's identity");
        let identity = mapped
            .message
            .split('\'')
            .nth(1)
            .expect("the identity, quoted")
            .to_owned();
        let add = mapped.fix.clone().expect("the ADD IDENTITY fix");
        let refused = report
            .findings
            .iter()
            .find(|f| f.check == Check::Identity && f.severity == Severity::Error)
            .unwrap()
            .message
            .clone();

        // The node, with MutualTlsAuthenticator.
        let Some(node) = start(tempfile::tempdir().unwrap(), line, MTLS) else {
            return;
        };
        let app1 = client("client1.jks");
        let port = native_port(&node, &app1);
        let (l, _) = login_as(&app1, port, b"");
        // 5.0 answers STARTUP with AUTHENTICATE naming the authenticator and takes any
        // AUTH_RESPONSE (we send an empty token); 6.0 authenticates the certificate at STARTUP
        // itself (MutualTlsAuthenticator.supportsEarlyAuthentication): READY or ERROR.
        if version < CassandraVersion::V6_0 {
            assert!(
                l.authenticator
                    .as_deref()
                    .unwrap_or_default()
                    .contains("MutualTlsAuthenticator"),
                "{line}: {l:?}"
            );
        } else {
            assert_eq!(l.authenticator, None, "{line}: early authentication: {l:?}");
        }
        let said = l.outcome.expect_err("an unmapped identity logs in");
        assert!(
            said.contains(&format!("Certificate identity '{identity}' not authorized")),
            "{line}: the node said {said}; doctor predicted {}",
            mapped.message
        );
        // probe, with the same certificate, reports what the node did.
        let probed = probe(&app1, port);
        assert_eq!(probed.outcome, LoginOutcome::Refused, "{line}: {probed:?}");
        assert!(
            probed
                .message
                .as_deref()
                .unwrap_or_default()
                .contains(&format!("Certificate identity '{identity}' not authorized")),
            "{line}: {probed:?}"
        );
        assert_eq!(
            probed.authenticator.is_some(),
            version < CassandraVersion::V6_0
        );
        let (l, _) = login_as(&client("node1.jks"), port, b"");
        let said = l.outcome.expect_err("a certificate without SPIFFE logs in");
        assert!(
            said.contains("Unable to extract Spiffe from the certificate")
                && refused.contains("Unable to extract Spiffe from the certificate"),
            "{line}: the node said {said}; doctor said {refused}"
        );

        // The same data with PasswordAuthenticator: the default superuser runs doctor's fix.
        let dir = node.stop();
        let Some(node) = start(dir, line, PASSWORD) else {
            return;
        };
        let port = native_port(&node, &app1);
        let deadline = Instant::now() + Duration::from_secs(120);
        let (mut s, mut sock) = loop {
            let (l, conn) = login_as(&app1, port, b"\0cassandra\0cassandra");
            match l.outcome {
                Ok(()) => break conn.unwrap(),
                // CassandraRoleManager sets the superuser up just after start-up.
                Err(e) if Instant::now() < deadline => {
                    eprintln!("{line}: login as cassandra not yet: {e}");
                    std::thread::sleep(Duration::from_secs(2));
                }
                Err(e) => panic!("{line}: login as cassandra: {e}"),
            }
        };
        let statement = add.replace("'ROLE'", "'cassandra'");
        run(&mut s, &mut sock, &statement).unwrap_or_else(|e| panic!("{line}: {statement}: {e}"));

        // MutualTlsAuthenticator again: the certificate logs in as cassandra and queries.
        let dir = node.stop();
        let Some(node) = start(dir, line, MTLS) else {
            return;
        };
        let port = native_port(&node, &app1);
        let (l, conn) = login_as(&app1, port, b"");
        l.outcome
            .unwrap_or_else(|e| panic!("{line}: the mapped certificate is refused: {e}"));
        assert_eq!(probe(&app1, port).outcome, LoginOutcome::LoggedIn, "{line}");
        let (mut s, mut sock) = conn.unwrap();
        let rows = run(
            &mut s,
            &mut sock,
            "SELECT release_version FROM system.local",
        )
        .expect("a query as the certificate's role");
        assert_eq!(common::cql::single_text(&rows), node.version, "{line}");
    }
}

/// Client certificates for 6.0's validity limits, made by OpenSSL under a CA of its own:
/// `short` (valid 2 days) and `long` (valid 400 days), each with a SPIFFE URI, as JKS key stores
/// (keytool), and a copy of the fixtures' truststore that also trusts that CA.
struct ValidityCerts {
    _dir: tempfile::TempDir,
    truststore: std::path::PathBuf,
    short: std::path::PathBuf,
    long: std::path::PathBuf,
}

fn validity_certs() -> ValidityCerts {
    use std::process::Command;
    let dir = tempfile::tempdir().unwrap();
    let d = dir.path();
    let ec = [
        "-newkey",
        "ec",
        "-pkeyopt",
        "ec_paramgen_curve:P-256",
        "-nodes",
    ];
    common::run_ok(
        Command::new("openssl")
            .args(["req", "-x509"])
            .args(ec)
            .args(["-subj", "/CN=validity test CA", "-days", "30"])
            .args(["-addext", "basicConstraints=critical,CA:TRUE"])
            .args(["-addext", "keyUsage=critical,keyCertSign"])
            .arg("-keyout")
            .arg(d.join("ca.key"))
            .arg("-out")
            .arg(d.join("ca.pem")),
    );
    let truststore = d.join("truststore.jks");
    std::fs::copy(
        common::fixtures().join("stores/truststore.jks"),
        &truststore,
    )
    .unwrap();
    common::run_ok(
        Command::new("keytool")
            .args([
                "-importcert",
                "-noprompt",
                "-alias",
                "validity-ca",
                "-storepass",
                "cassandra",
            ])
            .arg("-file")
            .arg(d.join("ca.pem"))
            .arg("-keystore")
            .arg(&truststore),
    );
    let issue = |name: &str, days: &str| {
        std::fs::write(
            d.join(format!("{name}.ext")),
            format!(
                "subjectAltName=URI:spiffe://validity.test/{name}\nextendedKeyUsage=clientAuth\n"
            ),
        )
        .unwrap();
        common::run_ok(
            Command::new("openssl")
                .arg("req")
                .args(ec)
                .args(["-subj", &format!("/CN={name}")])
                .arg("-keyout")
                .arg(d.join(format!("{name}.key")))
                .arg("-out")
                .arg(d.join(format!("{name}.csr"))),
        );
        common::run_ok(
            Command::new("openssl")
                .args(["x509", "-req", "-CAcreateserial", "-days", days])
                .arg("-in")
                .arg(d.join(format!("{name}.csr")))
                .arg("-CA")
                .arg(d.join("ca.pem"))
                .arg("-CAkey")
                .arg(d.join("ca.key"))
                .arg("-extfile")
                .arg(d.join(format!("{name}.ext")))
                .arg("-out")
                .arg(d.join(format!("{name}.pem"))),
        );
        common::run_ok(
            Command::new("openssl")
                .args([
                    "pkcs12",
                    "-export",
                    "-passout",
                    "pass:cassandra",
                    "-name",
                    name,
                ])
                .arg("-inkey")
                .arg(d.join(format!("{name}.key")))
                .arg("-in")
                .arg(d.join(format!("{name}.pem")))
                .arg("-certfile")
                .arg(d.join("ca.pem"))
                .arg("-out")
                .arg(d.join(format!("{name}.p12"))),
        );
        let jks = d.join(format!("{name}.jks"));
        common::run_ok(
            Command::new("keytool")
                .args(["-importkeystore", "-noprompt", "-srcstoretype", "PKCS12"])
                .args(["-srcstorepass", "cassandra", "-deststoretype", "JKS"])
                .args(["-deststorepass", "cassandra", "-destkeypass", "cassandra"])
                .arg("-srckeystore")
                .arg(d.join(format!("{name}.p12")))
                .arg("-destkeystore")
                .arg(&jks),
        );
        jks
    };
    let short = issue("short", "2");
    let long = issue("long", "400");
    ValidityCerts {
        _dir: dir,
        truststore,
        short,
        long,
    }
}

/// Our client with the key store at `path` as its certificate.
fn client_at(path: &std::path::Path) -> ClientTls {
    let stores = common::fixtures().join("stores");
    let y = CassandraYaml::from_str(&format!(
        "client_encryption_options:\n  enabled: true\n  keystore: {}\n  keystore_password: cassandra\n  truststore: {}/truststore.jks\n  truststore_password: cassandra\n",
        path.display(),
        stores.display()
    ))
    .unwrap();
    tls::client_config(&y, ClientRole::Native, &TlsSettings::default()).unwrap()
}

/// The first line the node prints from now on that contains `needle`, within a minute.
fn node_says(node: &cassandra::Node, needle: &str) -> Option<String> {
    let deadline = Instant::now() + Duration::from_secs(60);
    loop {
        let left = deadline.saturating_duration_since(Instant::now());
        match node.lines.recv_timeout(left) {
            Ok(line) if line.contains(needle) => return Some(line),
            Ok(_) => {}
            Err(_) => return None,
        }
    }
}

/// `MutualTlsWithPasswordFallbackAuthenticator` on 6.0 with `require_client_auth: optional`
/// (which only 6.0 has), and 6.0's certificate validity limits on `client_encryption_options`
/// (`max_certificate_validity_period: 30d`, `certificate_validity_warn_threshold: 5d`). A client
/// without a certificate is asked for a password (probe says it falls back) and logs in with
/// the default superuser's, which runs the `ADD IDENTITY` statements doctor printed; then a
/// certificate valid for 2 days logs in by certificate (the node's own `system_views.clients`
/// says `MutualTls`) and the node warns that it expires, and a certificate valid for 400 days is
/// refused with Cassandra's message, both as doctor predicted. A client that presents an unmapped
/// or SPIFFE-less certificate gets no fallback. On 5.0 the same yaml cannot be written (the
/// boolean refuses `optional`) and `false` stops the node
/// (`the_six_refusals_are_startup_errors_on_5_0_and_6_0` in tests/certificate_login.rs, and the
/// oracle's `auth/fallback-*` cases against 5.0.9's classes).
#[test]
fn the_password_fallback_and_validity_limits_on_6_0() {
    let line = "6.0";
    if !common::tools_present(&["openssl", "keytool"]) {
        return;
    }
    let certs = validity_certs();
    let fallback = FALLBACK;
    let sections = section(fallback)
        .replace("require_client_auth: true", "require_client_auth: optional")
        .replace(
            "{stores}/truststore.jks",
            &certs.truststore.to_string_lossy(),
        )
        + "  max_certificate_validity_period: 30d\n  certificate_validity_warn_threshold: 5d\n";
    // doctor's prediction for a client without a certificate: the password fallback.
    let stores = common::fixtures().join("stores");
    let yaml = CassandraYaml::from_str_for(
        &sections.replace("{stores}", &stores.to_string_lossy()),
        CassandraVersion::V6_0,
    )
    .unwrap();
    let e = cassandra_tls::explain::explain_loaded("n".into(), &yaml, Default::default());
    assert_eq!(
        e.auth
            .as_ref()
            .unwrap()
            .client_certificate_login
            .to_string(),
        "fallback",
        "{e:?}"
    );
    // doctor with the two certificates of bounded validity: short logs in once mapped (with a
    // warning that it expires within 5 days), long is refused even once mapped.
    let clients = [&certs.short, &certs.long]
        .map(|k| ClientCertificate::load(k, Some("cassandra".into())).unwrap());
    let predicted = doctor::check_node_with_clients(
        &Node::new(&yaml),
        None,
        UnixTime::now(),
        &doctor::ExpiryPolicy::default(),
        &clients,
    );
    let about = |label: &std::path::Path, severity: Severity| {
        predicted
            .findings
            .iter()
            .find(|f| {
                f.check == Check::Identity
                    && f.severity == severity
                    && f.message.contains(&*label.to_string_lossy())
            })
            .unwrap_or_else(|| panic!("{label:?} {severity:?}: {:#?}", predicted.findings))
            .clone()
    };
    let short_ok = about(&certs.short, Severity::Ok);
    let short_warning = about(&certs.short, Severity::Warning);
    let long_ok = about(&certs.long, Severity::Ok);
    let long_refused = about(&certs.long, Severity::Error);
    assert!(
        !predicted.findings.iter().any(|f| f.check == Check::Identity
            && f.severity == Severity::Error
            && f.message.contains(&*certs.short.to_string_lossy())),
        "{:#?}",
        predicted.findings
    );

    let Some(started) =
        cassandra::try_start_in(tempfile::tempdir().unwrap(), line, None, &sections, true)
    else {
        return;
    };
    let node = started.unwrap_or_else(|said| panic!("{line}: {said:#?}"));
    let app1 = client("client1.jks");
    let port = native_port(&node, &app1);
    // No certificate: asked for a password, and the superuser's logs in (once set up).
    let no_cert = no_certificate_client();
    let deadline = Instant::now() + Duration::from_secs(120);
    let (l, conn) = loop {
        let (l, conn) = login_as(&no_cert, port, b"\0cassandra\0cassandra");
        match &l.outcome {
            Err(e) if Instant::now() < deadline => {
                eprintln!("{line}: password login not yet: {e}");
                std::thread::sleep(Duration::from_secs(2));
            }
            _ => break (l, conn),
        }
    };
    assert_eq!(
        l.authenticator.as_deref(),
        Some("org.apache.cassandra.auth.MutualTlsWithPasswordFallbackAuthenticator"),
        "{line}: asked for a password: {l:?}"
    );
    l.outcome
        .expect("the password fallback logs the superuser in");
    // probe without a certificate: it says the node falls back to a password.
    let probed = probe(&no_cert, port);
    assert_eq!(
        (probed.outcome, probed.method),
        (LoginOutcome::PasswordNeeded, Some(LoginMethod::Password)),
        "{line}: {probed:?}"
    );
    // The superuser maps the two identities, with doctor's statements.
    let (mut s, mut sock) = conn.unwrap();
    for f in [&short_ok, &long_ok] {
        let statement = f
            .fix
            .as_deref()
            .expect("ADD IDENTITY")
            .replace("'ROLE'", "'cassandra'");
        run(&mut s, &mut sock, &statement).unwrap_or_else(|e| panic!("{statement}: {e}"));
    }
    // short logs in by certificate, and the node warns that it expires.
    let short = client_at(&certs.short);
    let (l, _) = login_as(&short, port, b"");
    l.outcome
        .unwrap_or_else(|e| panic!("{line}: the 2-day certificate is refused: {e}"));
    let warned = node_says(
        &node,
        "Certificate with identity 'spiffe://validity.test/short' will expire in",
    )
    .expect("the node warns of the short certificate's expiry");
    let predicted_warning = short_warning
        .message
        .split("will expire in")
        .next()
        .unwrap()
        .rsplit("logs in: ")
        .next()
        .unwrap()
        .to_owned();
    assert!(
        warned.contains(predicted_warning.trim_end()),
        "node: {warned}; doctor: {}",
        short_warning.message
    );
    let probed = probe(&short, port);
    assert_eq!(
        (probed.outcome, probed.method),
        (LoginOutcome::LoggedIn, Some(LoginMethod::Certificate)),
        "{line}: the node's system_views.clients says MutualTls: {probed:?}"
    );
    // long is refused with the message doctor predicted.
    let (l, _) = login_as(&client_at(&certs.long), port, b"");
    let said = l.outcome.expect_err("a 400-day certificate logs in");
    let cassandra_message = long_refused
        .message
        .split("refuses this login: ")
        .nth(1)
        .expect("Cassandra's message in doctor's finding");
    assert!(
        said.contains(cassandra_message),
        "{line}: the node said {said}; doctor predicted {}",
        long_refused.message
    );
    // A client that presents a certificate gets no fallback: an unmapped identity and a
    // certificate without SPIFFE are refused at STARTUP, as doctor predicts.
    let report = doctor_with_clients(&yaml);
    assert!(
        report.findings.iter().any(|f| f.check == Check::Identity
            && f.severity == Severity::Error
            && f.message.contains("node1.jks")
            && f.message.contains("Unable to extract Spiffe")),
        "{:#?}",
        report.findings
    );
    for (keystore, said) in [
        ("client1.jks", "Certificate identity 'spiffe://"),
        ("node1.jks", "Unable to extract Spiffe from the certificate"),
    ] {
        let (l, _) = login_as(&client(keystore), port, b"");
        assert_eq!(l.authenticator, None, "{line} {keystore}: {l:?}");
        let e = l
            .outcome
            .expect_err("no password fallback with a certificate");
        assert!(e.contains(said), "{line} {keystore}: {e}");
    }
    let probed = probe(&app1, port);
    assert_eq!(
        (probed.outcome, probed.method),
        (LoginOutcome::Refused, Some(LoginMethod::Certificate)),
        "{line}: {probed:?}"
    );
}

/// What 5.0.9 does with `MutualTlsWithPasswordFallbackAuthenticator`, on a real node: with
/// `require_client_auth: false` (5.0 has no `optional`) it refuses to start with
/// `MutualTlsAuthenticator`'s message, as doctor predicts; with `true` it starts, so a client
/// without a certificate never gets past TLS and there is no password to fall back to, while a
/// certificate is checked as by `MutualTlsAuthenticator` (an unmapped identity refused).
#[test]
fn the_password_fallback_on_5_0_needs_client_auth_required() {
    let line = "5.0";
    let fallback = FALLBACK;
    let stores = common::fixtures().join("stores");
    let off = section(fallback).replace("require_client_auth: true", "require_client_auth: false");
    let yaml = CassandraYaml::from_str_for(
        &off.replace("{stores}", &stores.to_string_lossy()),
        CassandraVersion::V5_0,
    )
    .unwrap();
    let predicted: Vec<String> = doctor::check(&yaml, None, UnixTime::now())
        .findings
        .into_iter()
        .filter(|f| f.severity == Severity::Error && f.check == Check::Startup)
        .map(|f| f.message)
        .collect();
    let reason = "MutualTlsAuthenticator requires client_encryption_options.enabled to be true & client_encryption_options.require_client_auth to be true";
    assert!(
        predicted.iter().any(|m| m.contains(reason)),
        "{predicted:#?}"
    );
    match cassandra::try_start_in(tempfile::tempdir().unwrap(), line, None, &off, true) {
        None => return,
        Some(Ok(node)) => panic!(
            "{line} started with the fallback and client auth off: {:?}",
            node.ports
        ),
        Some(Err(said)) => assert!(
            said.iter().any(|l| l.contains(reason)),
            "{line}: the node said {said:#?}; doctor predicted {predicted:#?}"
        ),
    }
    // Client auth required: the node starts.
    let Some(node) = start(tempfile::tempdir().unwrap(), line, fallback) else {
        return;
    };
    let app1 = client("client1.jks");
    let port = native_port(&node, &app1);
    // No certificate: refused in TLS (or at the first read, TLSv1.3's alert after the
    // handshake), never asked for a password.
    let no_cert = no_certificate_client();
    match session(&no_cert, port) {
        Err(_) => {}
        Ok((mut s, mut sock)) => {
            let l = login(&mut s, &mut sock, b"\0cassandra\0cassandra");
            assert!(
                l.authenticator.is_none() && l.outcome.is_err(),
                "{line}: a client without a certificate got {l:?}"
            );
        }
    }
    // A certificate: checked by the mTLS side (unmapped here).
    let (l, _) = login_as(&app1, port, b"");
    assert_eq!(
        l.authenticator.as_deref(),
        Some("org.apache.cassandra.auth.MutualTlsWithPasswordFallbackAuthenticator"),
        "{line}: {l:?}"
    );
    let said = l.outcome.expect_err("an unmapped identity logs in");
    assert!(said.contains("not authorized"), "{line}: {said}");
    let probed = probe(&app1, port);
    assert_eq!(
        (probed.outcome, probed.method),
        (LoginOutcome::Refused, Some(LoginMethod::Certificate)),
        "{line}: {probed:?}"
    );
}
