//! Scylla's roles built from a scylla.yaml ([`Node::from_scylla`]) against GnuTLS, the TLS stack
//! Scylla runs on: `gnutls-serv` configured from the same scylla.yaml (certificate, key,
//! truststore, priority string, `require_client_auth` mapped to its flags) for our clients,
//! and `gnutls-cli` against our servers and against `cassandra-tls serve` on a scylla.yaml.
//! Each verdict (connects, or refused) is the one the settings give.
#![cfg(feature = "test-pki")]

mod common;

use std::io::{BufRead, BufReader};
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::sync::mpsc;
use std::time::Duration;

use cassandra_tls::handshake::{Handshake, blocking};
use cassandra_tls::options::scylla::{ScyllaClientAuth, ScyllaService, ScyllaVersion, ScyllaYaml};
use cassandra_tls::pki::write::{PemEncryption, pem_certificates, pem_key};
use cassandra_tls::pki::{Ca, Identity};
use cassandra_tls::tls::{ClientRole, Node, ScyllaStartupFailure, ServerRole, TlsSettings};

/// The certificates of every case, as PEM files in one directory.
struct Pki {
    dir: tempfile::TempDir,
}

fn write_identity(dir: &Path, name: &str, id: &Identity) {
    let chain: Vec<_> = id.chain().iter().collect();
    std::fs::write(dir.join(format!("{name}.crt")), pem_certificates(&chain)).unwrap();
    let key = pem_key(id.private_key_pkcs8(), None, PemEncryption::default()).unwrap();
    std::fs::write(dir.join(format!("{name}.key")), key.as_bytes()).unwrap();
}

impl Pki {
    fn new() -> Pki {
        let dir = tempfile::tempdir().unwrap();
        let ip = "127.0.0.1".parse().unwrap();
        let ca = Ca::root("Scylla test CA").unwrap();
        let other = Ca::root("Another CA").unwrap();
        std::fs::write(
            dir.path().join("ca.pem"),
            pem_certificates(&[ca.certificate()]),
        )
        .unwrap();
        std::fs::write(
            dir.path().join("other-ca.pem"),
            pem_certificates(&[other.certificate()]),
        )
        .unwrap();
        std::fs::write(dir.path().join("empty.pem"), b"").unwrap();
        let ca_key = pem_key(&ca.key_pkcs8(), None, PemEncryption::default()).unwrap();
        std::fs::write(dir.path().join("ca.key"), ca_key.as_bytes()).unwrap();
        let node = ca.leaf("node1").ip(ip).issue().unwrap();
        write_identity(dir.path(), "node", &node);
        let no_ip = ca.leaf("node2").dns("node2.example").issue().unwrap();
        write_identity(dir.path(), "noip", &no_ip);
        let client = ca.leaf("alice").issue().unwrap();
        write_identity(dir.path(), "client", &client);
        let bob = ca.leaf("bob").issue().unwrap();
        write_identity(dir.path(), "bob", &bob);
        let stranger = other.leaf("mallory").ip(ip).issue().unwrap();
        write_identity(dir.path(), "stranger", &stranger);
        let encrypted = pem_key(
            node.private_key_pkcs8(),
            Some("secret"),
            PemEncryption::Pbes2Aes256,
        )
        .unwrap();
        std::fs::write(dir.path().join("encrypted.key"), encrypted.as_bytes()).unwrap();
        Pki { dir }
    }

    fn path(&self, name: &str) -> PathBuf {
        self.dir.path().join(name)
    }
}

/// One case's settings, written into both encryption maps of a scylla.yaml.
#[derive(Clone)]
struct Case<'a> {
    cert: &'a str,
    key: &'a str,
    truststore: Option<&'a str>,
    priority: Option<&'a str>,
    client_auth: &'a str,
    crl: Option<&'a str>,
}

impl Default for Case<'_> {
    fn default() -> Self {
        Case {
            cert: "node.crt",
            key: "node.key",
            truststore: Some("ca.pem"),
            priority: None,
            client_auth: "false",
            crl: None,
        }
    }
}

/// Writes the case's scylla.yaml into the PKI's directory and reads it as Scylla does.
fn scylla_yaml(pki: &Pki, case: &Case<'_>) -> (PathBuf, ScyllaYaml) {
    let mut map = format!(
        "    certificate: {}\n    keyfile: {}\n    require_client_auth: {}\n",
        pki.path(case.cert).display(),
        pki.path(case.key).display(),
        case.client_auth
    );
    if let Some(t) = case.truststore {
        map.push_str(&format!("    truststore: {}\n", pki.path(t).display()));
    }
    if let Some(p) = case.priority {
        map.push_str(&format!("    priority_string: {p}\n"));
    }
    if let Some(c) = case.crl {
        // Scylla's spelling.
        map.push_str(&format!(
            "    certficate_revocation_list: {}\n",
            pki.path(c).display()
        ));
    }
    let text = format!(
        "server_encryption_options:\n    internode_encryption: all\n{map}client_encryption_options:\n    enabled: true\n{map}"
    );
    let path = pki.dir.path().join(format!(
        "scylla-{}.yaml",
        std::time::SystemTime::now()
            .duration_since(std::time::UNIX_EPOCH)
            .unwrap()
            .as_nanos()
    ));
    std::fs::write(&path, &text).unwrap();
    // master: `require_client_auth: optional` is REQUEST there only.
    let yaml = ScyllaYaml::load_file(&path)
        .unwrap()
        .with_version(ScyllaVersion::MASTER);
    (path, yaml)
}

/// A spawned GnuTLS program, killed when dropped.
struct Gnutls {
    child: Child,
    port: u16,
    /// What it prints after it listens (kept open so that it can go on printing).
    #[allow(dead_code)]
    lines: mpsc::Receiver<String>,
}

impl Drop for Gnutls {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

fn gnutls_present() -> bool {
    common::tools_present(&["gnutls-serv", "gnutls-cli"])
}

/// Reads a child's stdout and stderr into one channel, line by line.
fn lines_of(child: &mut Child) -> mpsc::Receiver<String> {
    let (tx, rx) = mpsc::channel();
    let out = child.stdout.take().unwrap();
    let err = child.stderr.take().unwrap();
    let tx2 = tx.clone();
    std::thread::spawn(move || {
        for line in BufReader::new(out).lines().map_while(Result::ok) {
            if tx.send(line).is_err() {
                break;
            }
        }
    });
    std::thread::spawn(move || {
        for line in BufReader::new(err).lines().map_while(Result::ok) {
            if tx2.send(format!("stderr: {line}")).is_err() {
                break;
            }
        }
    });
    rx
}

/// `gnutls-serv --echo` configured from a scylla.yaml's section, as Scylla configures GnuTLS:
/// its certificate, key, truststore and priority string, and `require_client_auth` mapped
/// (`false` → `--disable-client-cert`; `optional` → asked for and verified; `true` →
/// `--require-client-cert --verify-client-cert`). Ready once it says it listens on IPv4; a
/// port taken in between is retried on another.
fn gnutls_serv(yaml: &ScyllaYaml, service: ScyllaService) -> Gnutls {
    let node = yaml.resolve();
    let section = node.section(service);
    let mut tried = Vec::new();
    for _ in 0..10 {
        let port = std::net::TcpListener::bind(("127.0.0.1", 0))
            .unwrap()
            .local_addr()
            .unwrap()
            .port();
        let mut cmd = Command::new("gnutls-serv");
        cmd.args(["--echo", "-p"])
            .arg(port.to_string())
            .arg(format!("--priority={}", section.priority_string))
            .arg("--x509certfile")
            .arg(&section.certificate.path)
            .arg("--x509keyfile")
            .arg(&section.keyfile.path);
        if let Some(t) = &section.truststore {
            cmd.arg("--x509cafile").arg(&t.path);
        }
        if let Some(c) = &section.crl {
            cmd.arg("--x509crlfile").arg(&c.path);
        }
        match section.client_auth {
            ScyllaClientAuth::None => {
                cmd.arg("--disable-client-cert");
            }
            ScyllaClientAuth::Request => {
                cmd.arg("--verify-client-cert");
            }
            ScyllaClientAuth::Require => {
                cmd.args(["--require-client-cert", "--verify-client-cert"]);
            }
            _ => unreachable!("a client auth mode Scylla does not have"),
        }
        cmd.stdin(Stdio::null())
            .stdout(Stdio::piped())
            .stderr(Stdio::piped());
        let mut child = cmd.spawn().expect("gnutls-serv starts");
        let lines = lines_of(&mut child);
        let mut seen = Vec::new();
        let ready = loop {
            match lines.recv_timeout(Duration::from_secs(60)) {
                Ok(line) if line.contains("listening on IPv4") && line.contains("done") => {
                    break true;
                }
                Ok(line) => seen.push(line),
                // The process ended (a taken port), or said nothing for a minute.
                Err(_) => break false,
            }
        };
        let server = Gnutls { child, port, lines };
        if ready {
            return server;
        }
        tried.push(seen);
    }
    panic!("gnutls-serv never listened: {tried:#?}");
}

/// What our client saw of a GnuTLS server: the protocol negotiated, or why it was refused.
fn connect(client: &cassandra_tls::tls::ClientTls, port: u16) -> Result<String, String> {
    let mut sock = common::peer::connect(port);
    let (mut session, _peer) = blocking::handshake(
        Handshake::client(client, "127.0.0.1").map_err(|e| e.to_string())?,
        &mut sock,
    )
    .map_err(|e| e.to_string())?;
    // In TLS 1.3 the server reads the client's certificate after the client's handshake has
    // ended: the echo (or the server's alert) is the verdict.
    session
        .send(b"scylla\n", &mut sock)
        .map_err(|e| e.to_string())?;
    let mut got = Vec::new();
    while !got.ends_with(b"\n") {
        let more = session.receive(&mut sock).map_err(|e| e.to_string())?;
        if more.is_empty() {
            return Err("the server closed without echoing".into());
        }
        got.extend(more);
    }
    assert_eq!(got, b"scylla\n");
    Ok(session.protocol().to_owned())
}

fn settings() -> TlsSettings {
    TlsSettings::default()
}

#[test]
fn our_clients_against_gnutls_serv_configured_from_the_same_yaml() {
    if !gnutls_present() {
        return;
    }
    let pki = Pki::new();
    // (case, CQL client verdict, internode client verdict)
    let cases: Vec<(&str, Case<'_>, bool, bool)> = vec![
        (
            "right certificates, no client auth",
            Case::default(),
            true,
            true,
        ),
        (
            "require_client_auth: true",
            Case {
                client_auth: "true",
                ..Case::default()
            },
            true,
            true,
        ),
        (
            "require_client_auth: optional",
            Case {
                client_auth: "optional",
                ..Case::default()
            },
            true,
            true,
        ),
        (
            "a certificate without the node's IP: internode checks the chain only",
            Case {
                cert: "noip.crt",
                key: "noip.key",
                ..Case::default()
            },
            false,
            true,
        ),
    ];
    for (what, case, cql_ok, internode_ok) in cases {
        let (_, yaml) = scylla_yaml(&pki, &case);
        let node = Node::from_scylla(&yaml);
        for (role, service, expected) in [
            (ClientRole::Native, ScyllaService::Cql, cql_ok),
            (
                ClientRole::Internode,
                ScyllaService::Internode,
                internode_ok,
            ),
        ] {
            let server = gnutls_serv(&yaml, service);
            let client = node.client_config(role, &settings()).unwrap();
            let got = connect(&client, server.port);
            assert_eq!(got.is_ok(), expected, "{what}, {role:?}: {got:?}");
        }
    }
}

#[test]
fn refusals_as_gnutls_serv_gives_them() {
    if !gnutls_present() {
        return;
    }
    let pki = Pki::new();
    // The server requires a client certificate; a driver with the CA only offers none.
    let (_, yaml) = scylla_yaml(
        &pki,
        &Case {
            client_auth: "true",
            ..Case::default()
        },
    );
    let server = gnutls_serv(&yaml, ScyllaService::Cql);
    let driver = cassandra_tls::tls::DriverTls::scylla_rust_driver(pki.path("ca.pem"))
        .build()
        .unwrap();
    let got = connect(&driver, server.port);
    assert!(got.is_err(), "no client certificate under true: {got:?}");
    // The same driver with a client certificate from the truststore's CA connects.
    let driver = cassandra_tls::tls::DriverTls::scylla_rust_driver(pki.path("ca.pem"))
        .client_certificate_pem(pki.path("client.crt"), pki.path("client.key"))
        .unwrap()
        .build()
        .unwrap();
    connect(&driver, server.port).expect("a client certificate the server trusts");
    drop(server);

    // optional: no certificate is fine, a certificate from another CA is refused.
    let (_, yaml) = scylla_yaml(
        &pki,
        &Case {
            client_auth: "optional",
            ..Case::default()
        },
    );
    let server = gnutls_serv(&yaml, ScyllaService::Cql);
    let driver = cassandra_tls::tls::DriverTls::scylla_rust_driver(pki.path("ca.pem"))
        .build()
        .unwrap();
    connect(&driver, server.port).expect("no certificate under optional");
    let stranger = cassandra_tls::tls::DriverTls::scylla_rust_driver(pki.path("ca.pem"))
        .client_certificate_pem(pki.path("stranger.crt"), pki.path("stranger.key"))
        .unwrap()
        .build()
        .unwrap();
    let got = connect(&stranger, server.port);
    assert!(
        got.is_err(),
        "an untrusted certificate under optional: {got:?}"
    );
    drop(server);

    // Our client trusts another CA than the one that signed the node: refused.
    let (_, served) = scylla_yaml(&pki, &Case::default());
    let server = gnutls_serv(&served, ScyllaService::Internode);
    for truststore in [
        Some("other-ca.pem"),
        Some("empty.pem"),
        Some("node.key"),
        None,
    ] {
        let (_, ours) = scylla_yaml(
            &pki,
            &Case {
                truststore,
                ..Case::default()
            },
        );
        let node = Node::from_scylla(&ours);
        for role in [ClientRole::Internode, ClientRole::Native] {
            let client = node.client_config(role, &settings()).unwrap();
            let got = connect(&client, server.port);
            assert!(
                got.as_ref().is_err_and(|e| e.contains("issuer")),
                "truststore {truststore:?}, {role:?}: {got:?}"
            );
        }
    }
}

#[test]
fn the_priority_string_decides_the_version() {
    if !gnutls_present() {
        return;
    }
    let pki = Pki::new();
    for (priority, version) in [
        ("SECURE128:-VERS-ALL:+VERS-TLS1.3", "TLSv1.3"),
        ("SECURE128:-VERS-ALL:+VERS-TLS1.2", "TLSv1.2"),
        ("SECURE128:-VERS-TLS1.0", "TLSv1.3"),
    ] {
        let (_, yaml) = scylla_yaml(
            &pki,
            &Case {
                priority: Some(priority),
                ..Case::default()
            },
        );
        let server = gnutls_serv(&yaml, ScyllaService::Internode);
        let client = Node::from_scylla(&yaml)
            .client_config(ClientRole::Internode, &settings())
            .unwrap();
        assert_eq!(
            connect(&client, server.port).as_deref(),
            Ok(version),
            "{priority}"
        );
    }
    // A TLS 1.2-only client against a TLS 1.3-only GnuTLS: nothing in common.
    let (_, only13) = scylla_yaml(
        &pki,
        &Case {
            priority: Some("SECURE128:-VERS-ALL:+VERS-TLS1.3"),
            ..Case::default()
        },
    );
    let (_, only12) = scylla_yaml(
        &pki,
        &Case {
            priority: Some("SECURE128:-VERS-ALL:+VERS-TLS1.2"),
            ..Case::default()
        },
    );
    let server = gnutls_serv(&only13, ScyllaService::Internode);
    let client = Node::from_scylla(&only12)
        .client_config(ClientRole::Internode, &settings())
        .unwrap();
    assert!(connect(&client, server.port).is_err());
}

/// `gnutls-cli` against a server on `port`, verifying it with `ca` (the IP SAN checked) and
/// presenting `identity` (certificate, key) when given: whether its handshake completed, and
/// what it printed.
fn gnutls_cli(port: u16, ca: &Path, identity: Option<(&Path, &Path)>) -> (bool, String) {
    let mut cmd = Command::new("gnutls-cli");
    cmd.arg("-p")
        .arg(port.to_string())
        .arg("--x509cafile")
        .arg(ca);
    if let Some((cert, key)) = identity {
        cmd.arg("--x509certfile")
            .arg(cert)
            .arg("--x509keyfile")
            .arg(key);
    }
    cmd.arg("127.0.0.1").stdin(Stdio::null());
    let out = cmd.output().expect("gnutls-cli runs");
    let text = format!(
        "{}{}",
        String::from_utf8_lossy(&out.stdout),
        String::from_utf8_lossy(&out.stderr)
    );
    // Whether the handshake completed: the exit status also reflects how the connection ended
    // afterwards (a server that closes at once may reset it), which is not the verdict.
    (text.contains("Handshake was completed"), text)
}

/// A certificate file and its key file.
type KeyPair = (PathBuf, PathBuf);

/// Our server for one connection: the handshake's outcome on our side.
fn our_server(
    server: cassandra_tls::tls::ServerTls,
) -> (
    u16,
    std::thread::JoinHandle<Result<(), cassandra_tls::Error>>,
) {
    common::peer::our_server_once(server, |mut session, _peer, mut sock| {
        // The client's certificate (TLS 1.3) is read with its Finished: take it in.
        let _ = session.flush_to(&mut sock);
        Ok(())
    })
}

#[test]
fn gnutls_cli_against_our_servers_built_from_the_yaml() {
    if !gnutls_present() {
        return;
    }
    let pki = Pki::new();
    let ca = pki.path("ca.pem");
    let client = (pki.path("client.crt"), pki.path("client.key"));
    let stranger = (pki.path("stranger.crt"), pki.path("stranger.key"));
    let with = |p: &(PathBuf, PathBuf)| Some((p.0.clone(), p.1.clone()));
    // (require_client_auth, what gnutls-cli presents, our server accepts)
    let cases: Vec<(&str, Option<KeyPair>, bool)> = vec![
        ("false", None, true),
        ("false", with(&client), true),
        ("optional", None, true),
        ("optional", with(&client), true),
        ("optional", with(&stranger), false),
        ("true", None, false),
        ("true", with(&client), true),
        ("true", with(&stranger), false),
    ];
    for (auth, presents, accepted) in cases {
        let (_, yaml) = scylla_yaml(
            &pki,
            &Case {
                client_auth: auth,
                ..Case::default()
            },
        );
        let node = Node::from_scylla(&yaml);
        for role in [ServerRole::Native, ServerRole::Internode] {
            let server = node.server_config(role, &settings()).unwrap();
            let (port, ours) = our_server(server);
            let identity = presents.as_ref().map(|(c, k)| (c.as_path(), k.as_path()));
            let (cli_ok, text) = gnutls_cli(port, &ca, identity);
            let ours = ours.join().unwrap();
            assert_eq!(
                ours.is_ok(),
                accepted,
                "{auth}, {role:?}, {presents:?}: ours {ours:?}; gnutls-cli: {text}"
            );
            if accepted {
                assert!(cli_ok, "{auth}, {role:?}: {text}");
            }
        }
    }
    // gnutls-cli trusting another CA refuses our node.
    let (_, yaml) = scylla_yaml(&pki, &Case::default());
    let server = Node::from_scylla(&yaml)
        .server_config(ServerRole::Native, &settings())
        .unwrap();
    let (port, ours) = our_server(server);
    let (cli_ok, text) = gnutls_cli(port, &pki.path("other-ca.pem"), None);
    assert!(!cli_ok, "{text}");
    assert!(ours.join().unwrap().is_err());
}

#[test]
fn start_up_refusals_in_scyllas_words() {
    let pki = Pki::new();
    // The message, the key named, and GnuTLS's code (0 for a file not read).
    let refusal = |case: Case<'_>| -> (String, String, i32) {
        let (_, yaml) = scylla_yaml(&pki, &case);
        let node = Node::from_scylla(&yaml);
        let server = node
            .server_config(ServerRole::Internode, &settings())
            .unwrap_err();
        let client = node
            .client_config(ClientRole::Internode, &settings())
            .unwrap_err();
        assert_eq!(server.to_string(), client.to_string());
        assert_eq!(server.kind(), "scylla_startup");
        let cassandra_tls::Error::ScyllaStartup { key, failure, .. } = &server else {
            panic!("not a start-up refusal: {server:?}");
        };
        let code = match failure.as_ref() {
            ScyllaStartupFailure::Gnutls { code, .. } => *code,
            ScyllaStartupFailure::Priority { code, .. } => *code,
            _ => 0,
        };
        (server.to_string(), key.clone(), code)
    };
    let cases: Vec<(Case<'_>, &str, i32, &str)> = vec![
        (
            Case {
                key: "encrypted.key",
                ..Case::default()
            },
            "keyfile",
            -24,
            "GnuTLS:-24, Decryption has failed.",
        ),
        (
            Case {
                key: "client.key",
                ..Case::default()
            },
            "keyfile",
            -60,
            "GnuTLS:-60, The certificate and the given key do not match.",
        ),
        (
            Case {
                cert: "empty.pem",
                ..Case::default()
            },
            "certificate",
            -34,
            "GnuTLS:-34, Base64 decoding error.",
        ),
        (
            Case {
                cert: "missing.crt",
                ..Case::default()
            },
            "certificate",
            0,
            "Could not read certificate file ",
        ),
        (
            Case {
                key: "missing.key",
                ..Case::default()
            },
            "keyfile",
            0,
            "Could not read key file ",
        ),
        (
            Case {
                truststore: Some("missing.pem"),
                ..Case::default()
            },
            "truststore",
            0,
            "Could not read trust file ",
        ),
        (
            Case {
                crl: Some("missing.pem"),
                ..Case::default()
            },
            "certficate_revocation_list",
            0,
            "Could not read crl file ",
        ),
        (
            Case {
                crl: Some("ca.pem"),
                ..Case::default()
            },
            "certficate_revocation_list",
            -34,
            "GnuTLS:-34, Base64 decoding error.",
        ),
        (
            Case {
                priority: Some("SECURE128:+BOGUS"),
                ..Case::default()
            },
            "priority_string",
            -50,
            "Could not set priority: +BOGUS",
        ),
    ];
    for (case, key, code, text) in cases {
        let got = refusal(case);
        assert_eq!((got.1.as_str(), got.2), (key, code), "{}", got.0);
        assert!(got.0.contains(text), "{}", got.0);
    }
    // GnuTLS refuses the same files, in the same words (gnutls-serv asks for a PIN for an
    // encrypted key, where Seastar, with no password callback, gets -24).
    if gnutls_present() {
        for (cert, key, crl, text) in [
            (
                "node.crt",
                "client.key",
                None,
                "The certificate and the given key do not match.",
            ),
            ("empty.pem", "node.key", None, "Base64 decoding error."),
            (
                "node.crt",
                "node.key",
                Some("ca.pem"),
                "Base64 decoding error.",
            ),
            ("node.crt", "encrypted.key", None, "PIN"),
        ] {
            let mut cmd = Command::new("gnutls-serv");
            cmd.args(["-p", "1", "--x509certfile"])
                .arg(pki.path(cert))
                .arg("--x509keyfile")
                .arg(pki.path(key));
            if let Some(c) = crl {
                cmd.arg("--x509crlfile").arg(pki.path(c));
            }
            cmd.stdin(Stdio::null())
                .stdout(Stdio::piped())
                .stderr(Stdio::piped());
            let mut child = cmd.spawn().unwrap();
            let lines = lines_of(&mut child);
            // Killed when dropped, should it start after all.
            let _guard = Gnutls {
                child,
                port: 1,
                lines: mpsc::channel().1,
            };
            let mut seen = Vec::new();
            while let Ok(line) = lines.recv_timeout(Duration::from_secs(60)) {
                if line.contains(text) || line.contains("listening") {
                    seen.push(line);
                    break;
                }
                seen.push(line);
            }
            assert!(
                seen.last().is_some_and(|l| l.contains(text)),
                "gnutls-serv with {cert}, {key}, {crl:?}: {seen:?}"
            );
        }
    }
}

/// `cassandra-tls serve` on a scylla.yaml: gnutls-cli connects as the yaml says.
#[cfg(feature = "cli")]
#[test]
fn gnutls_cli_against_serve_in_scylla_mode() {
    if !gnutls_present() {
        return;
    }
    let pki = Pki::new();
    // The last two: no --scylla, the file read as a scylla.yaml because it looks like one.
    for (auth, presents, accepted, flag) in [
        ("true", true, true, Some("--scylla=master")),
        ("true", false, false, Some("--scylla=master")),
        ("false", false, true, Some("--scylla")),
        ("true", true, true, None),
        ("true", false, false, None),
    ] {
        let (path, _) = scylla_yaml(
            &pki,
            &Case {
                client_auth: auth,
                ..Case::default()
            },
        );
        for role in ["client-to-node", "internode"] {
            let mut cmd = Command::new(env!("CARGO_BIN_EXE_cassandra-tls"));
            cmd.arg("serve")
                .arg("--config")
                .arg(&path)
                .args(flag)
                .args(["--role", role])
                .args(["--listen", "127.0.0.1:0", "--once", "--json"]);
            let served = common::peer::start(cmd, "listening on ");
            let client = (pki.path("client.crt"), pki.path("client.key"));
            let identity = presents.then_some((client.0.as_path(), client.1.as_path()));
            let (cli_ok, text) = gnutls_cli(served.port, &pki.path("ca.pem"), identity);
            let line = loop {
                let line = served
                    .lines
                    .recv_timeout(Duration::from_secs(60))
                    .expect("serve printed its result");
                if line.starts_with('{') {
                    break line;
                }
            };
            let v: serde_json::Value = serde_json::from_str(&line).unwrap();
            assert_eq!(
                v["ok"] == true,
                accepted,
                "{auth}, {role}, {flag:?}, presents {presents}: {v}; gnutls-cli: {text}"
            );
            if accepted {
                assert!(cli_ok, "{text}");
            }
        }
    }
}

/// Our server for `n` connections in turn: whether each resumed a session, or its failure.
fn our_server_times(
    server: cassandra_tls::tls::ServerTls,
    n: usize,
) -> (u16, std::thread::JoinHandle<Vec<Result<bool, String>>>) {
    let listener = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
    let port = listener.local_addr().unwrap().port();
    let handle = std::thread::spawn(move || {
        (0..n)
            .map(|_| {
                let (mut sock, addr) = listener.accept().map_err(|e| e.to_string())?;
                sock.set_read_timeout(Some(Duration::from_secs(60)))
                    .map_err(|e| e.to_string())?;
                let hs = Handshake::server(&server, addr.ip()).map_err(|e| e.to_string())?;
                let (mut session, _) =
                    blocking::handshake(hs, &mut sock).map_err(|e| e.to_string())?;
                let resumed = session.resumed();
                // The tickets go out after the client's Finished; then wait for the client to
                // finish with the connection.
                let _ = session.flush_to(&mut sock);
                let _ = session.receive(&mut sock);
                Ok(resumed)
            })
            .collect()
    });
    (port, handle)
}

#[test]
fn session_tickets_as_enable_session_tickets_says() {
    if !gnutls_present() {
        return;
    }
    let pki = Pki::new();
    for (tickets, resumes) in [("true", true), ("false", false)] {
        let path = pki.path(&format!("tickets-{tickets}.yaml"));
        std::fs::write(
            &path,
            format!(
                "client_encryption_options:\n    enabled: true\n    certificate: {}\n    keyfile: {}\n    enable_session_tickets: {tickets}\n",
                pki.path("node.crt").display(),
                pki.path("node.key").display()
            ),
        )
        .unwrap();
        let yaml = ScyllaYaml::load_file(&path)
            .unwrap()
            .with_version(ScyllaVersion::MASTER);
        let server = Node::from_scylla(&yaml)
            .server_config(ServerRole::Native, &settings())
            .unwrap();
        let (port, ours) = our_server_times(server, 2);
        let out = Command::new("gnutls-cli")
            .args(["-r", "-p"])
            .arg(port.to_string())
            .arg("--x509cafile")
            .arg(pki.path("ca.pem"))
            .arg("127.0.0.1")
            .stdin(Stdio::null())
            .output()
            .unwrap();
        let text = format!(
            "{}{}",
            String::from_utf8_lossy(&out.stdout),
            String::from_utf8_lossy(&out.stderr)
        );
        let ours = ours.join().unwrap();
        assert_eq!(
            ours,
            vec![Ok(false), Ok(resumes)],
            "enable_session_tickets: {tickets}; gnutls-cli: {text}"
        );
        assert_eq!(
            text.contains("This is a resumed session"),
            resumes,
            "{tickets}: {text}"
        );
    }
}

/// A CRL from the test CA revoking `revoked` (certificate files of the PKI), made with
/// `openssl ca`; false when openssl is missing (skipped, or failed in CI).
fn openssl_crl(pki: &Pki, revoked: &[&str], out: &str) -> bool {
    if !common::tools_present(&["openssl"]) {
        return false;
    }
    let d = pki.dir.path();
    std::fs::write(d.join("index.txt"), b"").unwrap();
    std::fs::write(d.join("crlnumber"), b"01\n").unwrap();
    std::fs::write(
        d.join("ca.cnf"),
        format!(
            "[ca]\ndefault_ca = dflt\n[dflt]\ndatabase = {}\ncrlnumber = {}\ndefault_md = sha256\ndefault_crl_days = 30\n",
            d.join("index.txt").display(),
            d.join("crlnumber").display()
        ),
    )
    .unwrap();
    let ca = |args: &[&str]| {
        let out = Command::new("openssl")
            .arg("ca")
            .args(args)
            .arg("-config")
            .arg(d.join("ca.cnf"))
            .arg("-keyfile")
            .arg(d.join("ca.key"))
            .arg("-cert")
            .arg(d.join("ca.pem"))
            .output()
            .unwrap();
        assert!(out.status.success(), "openssl ca {args:?}: {out:?}");
    };
    for r in revoked {
        ca(&["-revoke", pki.path(r).to_str().unwrap()]);
    }
    ca(&["-gencrl", "-out", pki.path(out).to_str().unwrap()]);
    true
}

#[test]
fn certficate_revocation_list_as_gnutls_applies_it() {
    if !gnutls_present() {
        return;
    }
    let pki = Pki::new();
    if !openssl_crl(&pki, &["client.crt"], "crl.pem") {
        return;
    }
    let (_, yaml) = scylla_yaml(
        &pki,
        &Case {
            client_auth: "true",
            crl: Some("crl.pem"),
            ..Case::default()
        },
    );
    let ca = pki.path("ca.pem");
    // Our server: alice (revoked) refused, bob accepted; gnutls-serv with the same CRL agrees.
    let gnutls = gnutls_serv(&yaml, ScyllaService::Cql);
    for (who, accepted) in [("client", false), ("bob", true)] {
        let server = Node::from_scylla(&yaml)
            .server_config(ServerRole::Native, &settings())
            .unwrap();
        let (port, ours) = our_server(server);
        let (cert, key) = (
            pki.path(&format!("{who}.crt")),
            pki.path(&format!("{who}.key")),
        );
        let (_, text) = gnutls_cli(port, &ca, Some((&cert, &key)));
        let ours = ours.join().unwrap();
        assert_eq!(
            ours.is_ok(),
            accepted,
            "{who}: {ours:?}; gnutls-cli: {text}"
        );
        let driver = cassandra_tls::tls::DriverTls::scylla_rust_driver(&ca)
            .client_certificate_pem(&cert, &key)
            .unwrap()
            .build()
            .unwrap();
        let theirs = connect(&driver, gnutls.port);
        assert_eq!(theirs.is_ok(), accepted, "gnutls-serv, {who}: {theirs:?}");
    }
    // Our internode client refuses a peer whose certificate the CRL revokes.
    let pki2 = &pki;
    assert!(openssl_crl(pki2, &["node.crt"], "crl-node.pem"));
    let (_, revoking) = scylla_yaml(
        &pki,
        &Case {
            crl: Some("crl-node.pem"),
            ..Case::default()
        },
    );
    let (_, plain) = scylla_yaml(&pki, &Case::default());
    let server = gnutls_serv(&plain, ScyllaService::Internode);
    let client = Node::from_scylla(&revoking)
        .client_config(ClientRole::Internode, &settings())
        .unwrap();
    let got = connect(&client, server.port);
    assert!(
        got.as_ref()
            .is_err_and(|e| e.to_lowercase().contains("revoked")),
        "{got:?}"
    );
}

#[test]
fn no_truststore_means_no_client_is_trusted() {
    if !gnutls_present() {
        return;
    }
    let pki = Pki::new();
    let ca = pki.path("ca.pem");
    let (cert, key) = (pki.path("client.crt"), pki.path("client.key"));
    for (auth, truststore) in [
        ("optional", None),
        ("true", None),
        ("optional", Some("empty.pem")),
        ("true", Some("empty.pem")),
    ] {
        let (_, yaml) = scylla_yaml(
            &pki,
            &Case {
                client_auth: auth,
                truststore,
                ..Case::default()
            },
        );
        // GnuTLS with the same settings, and our server: a client certificate is refused
        // (its issuer is unknown); none at all is fine under optional only.
        let gnutls = gnutls_serv(&yaml, ScyllaService::Cql);
        for presents in [false, true] {
            let mut driver = cassandra_tls::tls::DriverTls::scylla_rust_driver(&ca);
            if presents {
                driver = driver.client_certificate_pem(&cert, &key).unwrap();
            }
            let driver = driver.build().unwrap();
            let expected = auth == "optional" && !presents;
            let theirs = connect(&driver, gnutls.port);
            assert_eq!(
                theirs.is_ok(),
                expected,
                "gnutls-serv, {auth}, {truststore:?}, presents {presents}: {theirs:?}"
            );
            let server = Node::from_scylla(&yaml)
                .server_config(ServerRole::Native, &settings())
                .unwrap();
            let (port, ours) = our_server(server);
            let identity = presents.then_some((cert.as_path(), key.as_path()));
            let (_, text) = gnutls_cli(port, &ca, identity);
            let ours = ours.join().unwrap();
            assert_eq!(
                ours.is_ok(),
                expected,
                "ours, {auth}, {truststore:?}, presents {presents}: {ours:?}; {text}"
            );
        }
    }
}

#[test]
fn hostile_yamls_give_errors_not_panics() {
    let pki = Pki::new();
    let node = pki.path("node.crt").display().to_string();
    let key = pki.path("node.key").display().to_string();
    let long = "SECURE128:".repeat(100_000);
    let texts = [
        String::new(),
        "client_encryption_options:\n  truststore:\n".into(),
        "client_encryption_options: [a, b]\nserver_encryption_options: 7\n".into(),
        format!("server_encryption_options:\n  certificate: /\n  keyfile: {key}\n"),
        format!("server_encryption_options:\n  certificate: {node}\n  keyfile: /dev/null\n"),
        format!("server_encryption_options:\n  certificate: {key}\n  keyfile: {node}\n"),
        format!(
            "server_encryption_options:\n  certificate: {node}\n  keyfile: {key}\n  truststore: /\n"
        ),
        format!(
            "server_encryption_options:\n  certificate: {node}\n  keyfile: {key}\n  priority_string: \"{long}\"\n"
        ),
        format!(
            "server_encryption_options:\n  certificate: {node}\n  keyfile: {key}\n  priority_string: NONE:+VERS-TLS1.2:+AES-128-CBC:+SHA1:+ECDHE-RSA:+SIGN-ALL:+GROUP-ALL\n"
        ),
        format!(
            "client_encryption_options:\n  enabled: yes\n  certificate: {node}\n  keyfile: {key}\n  require_client_auth: optional\n  enable_session_tickets: maybe\n"
        ),
    ];
    for text in &texts {
        let Ok(yaml) = ScyllaYaml::from_str(text) else {
            continue;
        };
        for version in [ScyllaVersion::OLDEST, ScyllaVersion::MASTER] {
            let node = Node::from_scylla(&yaml.clone().with_version(version));
            for role in [ServerRole::Internode, ServerRole::Native] {
                let _ = node.server_config(role, &settings());
            }
            for role in [ClientRole::Internode, ClientRole::Native] {
                let _ = node.client_config(role, &settings());
            }
        }
    }
}
