//! The checks a client's certificate gets are the ones a server's gets: a leaf asserting
//! keyCertSign is refused, and an unknown issuer is named. Certificates made by OpenSSL, presented
//! by a JSSE client to our server, and checked with `verify_chain` in both directions.

mod common;

use std::net::TcpListener;
use std::path::Path;
use std::process::Command;
use std::time::Duration;

use cassandra_tls::handshake::{Handshake, HandshakeFailure, blocking};
use cassandra_tls::keystore::{Certificate, KeyStore};
use cassandra_tls::options::CassandraYaml;
use cassandra_tls::tls::{self, ExpiredPeer, ServerRole, TlsSettings, Usage, verify_chain};
use rustls::pki_types::UnixTime;

fn openssl(dir: &Path, args: &[&str]) {
    let out = Command::new("openssl")
        .current_dir(dir)
        .args(args)
        .output()
        .unwrap();
    assert!(
        out.status.success(),
        "openssl {args:?}: {}",
        String::from_utf8_lossy(&out.stderr)
    );
}

/// `name`.pem, `name`.key and `name`.p12 (password "changeit"): a client leaf issued by
/// `ca` with the given keyUsage.
fn leaf(dir: &Path, name: &str, ca: &str, key_usage: &str) {
    std::fs::write(
        dir.join(format!("{name}.cnf")),
        format!(
            "[v3]\nbasicConstraints=critical,CA:FALSE\nkeyUsage=critical,{key_usage}\nextendedKeyUsage=clientAuth\n"
        ),
    )
    .unwrap();
    openssl(
        dir,
        &[
            "req",
            "-new",
            "-newkey",
            "ec",
            "-pkeyopt",
            "ec_paramgen_curve:P-256",
            "-nodes",
            "-subj",
            &format!("/CN={name}"),
            "-keyout",
            &format!("{name}.key"),
            "-out",
            &format!("{name}.csr"),
        ],
    );
    openssl(
        dir,
        &[
            "x509",
            "-req",
            "-in",
            &format!("{name}.csr"),
            "-CA",
            &format!("{ca}.pem"),
            "-CAkey",
            &format!("{ca}.key"),
            "-CAcreateserial",
            "-days",
            "30",
            "-extfile",
            &format!("{name}.cnf"),
            "-extensions",
            "v3",
            "-out",
            &format!("{name}.pem"),
        ],
    );
    openssl(
        dir,
        &[
            "pkcs12",
            "-export",
            "-in",
            &format!("{name}.pem"),
            "-inkey",
            &format!("{name}.key"),
            "-name",
            name,
            "-passout",
            "pass:changeit",
            "-out",
            &format!("{name}.p12"),
        ],
    );
}

fn ca(dir: &Path, name: &str, cn: &str) {
    openssl(
        dir,
        &[
            "req",
            "-x509",
            "-newkey",
            "ec",
            "-pkeyopt",
            "ec_paramgen_curve:P-256",
            "-nodes",
            "-days",
            "30",
            "-subj",
            &format!("/CN={cn}"),
            "-keyout",
            &format!("{name}.key"),
            "-out",
            &format!("{name}.pem"),
        ],
    );
}

/// `chain` checked as a client's certificate against `anchors`, now.
fn verify_client(chain: &[Certificate], anchors: &[Certificate]) -> Result<(), HandshakeFailure> {
    verify_chain(
        chain,
        anchors,
        Usage::Client,
        None,
        UnixTime::now(),
        ExpiredPeer::Refuse,
    )
}

fn certs(path: &Path) -> Vec<Certificate> {
    KeyStore::loader().load_file(path).unwrap().trust_anchors()
}

/// Our native server: node1's key, client certificates required from `trust`.
fn server(trust: &Path) -> tls::ServerTls {
    let yaml = CassandraYaml::from_str(&format!(
        "client_encryption_options:\n  enabled: true\n  ssl_context_factory:\n    class_name: org.apache.cassandra.security.PEMBasedSslContextFactory\n  keystore: fixtures/stores/node1-keystore-plain.pem\n  truststore: {}\n  require_client_auth: true\n",
        trust.display()
    ))
    .unwrap()
    .with_base_dir(common::root());
    tls::server_config(&yaml, ServerRole::Native, &TlsSettings::default()).unwrap()
}

/// One JSSE client connection with `p12` to our server: (what Java printed, our outcome).
fn jsse_against_ours(
    classes: &Path,
    server: tls::ServerTls,
    p12: &Path,
) -> (String, Result<String, cassandra_tls::Error>) {
    let (port, ours) = common::peer::our_server_once(server, |mut session, peer, mut sock| {
        let line = session.receive(&mut sock)?;
        session.send(&line.to_ascii_uppercase(), &mut sock)?;
        session.close();
        session.flush_to(&mut sock)?;
        Ok(peer.subject().unwrap_or("-").to_owned())
    });
    let out = common::java::tls_peer(
        classes,
        "client",
        &[
            format!("port={port}"),
            format!("keystore={}", p12.display()),
            "storetype=PKCS12".into(),
            "storepass=changeit".into(),
            format!("truststore={}", common::store_path("truststore.p12")),
            "trustpass=cassandra".into(),
            "verify=false".into(),
        ],
    )
    .output()
    .unwrap();
    let java = String::from_utf8_lossy(&out.stdout)
        .lines()
        .last()
        .unwrap_or("")
        .to_owned();
    (java, ours.join().unwrap())
}

#[test]
fn client_certificates_get_the_server_certificates_checks() {
    if !common::tools_present(&["openssl", "java", "javac"]) {
        return;
    }
    let Some(classes) = common::java::classes() else {
        return;
    };
    let dir = tempfile::tempdir().unwrap();
    let d = dir.path();
    ca(d, "ca", "client CA");
    ca(d, "third", "third CA");
    leaf(d, "good", "ca", "digitalSignature");
    leaf(d, "kcs", "ca", "digitalSignature,keyCertSign");
    leaf(d, "stranger", "third", "digitalSignature");

    // A proper client certificate is accepted.
    let (java, ours) = jsse_against_ours(&classes, server(&d.join("ca.pem")), &d.join("good.p12"));
    assert!(java.starts_with("RECEIVED PING"), "{java}");
    assert_eq!(ours.unwrap(), "CN=good");

    // A leaf asserting keyCertSign: refused by our server, with an alert JSSE sees.
    let (java, ours) = jsse_against_ours(&classes, server(&d.join("ca.pem")), &d.join("kcs.p12"));
    assert!(java.starts_with("ERROR"), "{java}");
    let err = ours.unwrap_err();
    assert_eq!(err.kind(), "bad_certificate", "{err}");
    assert!(err.to_string().contains("keyCertSign"), "{err}");

    // A client from another CA: JSSE offers no certificate the server's CA list does not
    // name, so OpenSSL presents it. Refused, naming that CA.
    let server = server(&d.join("ca.pem"));
    let (port, ours) = common::peer::our_server_once(server, |_, _, _| Ok(()));
    let out = Command::new("openssl")
        .current_dir(d)
        .args(["s_client", "-connect", &format!("127.0.0.1:{port}")])
        .args(["-cert", "stranger.pem", "-key", "stranger.key", "-tls1_2"])
        .stdin(std::process::Stdio::null())
        .output()
        .unwrap();
    let said = String::from_utf8_lossy(&out.stderr).to_string();
    match ours.join().unwrap().unwrap_err() {
        cassandra_tls::Error::Handshake(HandshakeFailure::UnknownIssuer { issuer }) => {
            assert_eq!(issuer.as_deref(), Some("CN=third CA"));
        }
        other => panic!("{other}"),
    }
    // OpenSSL received our alert, unknown_ca (rustls' alert for an unknown issuer).
    assert!(said.contains("alert unknown ca"), "{said}");

    // verify_chain says the same for clients as for servers.
    let anchors = certs(&d.join("ca.pem"));
    let kcs = certs(&d.join("kcs.pem"));
    let e = verify_client(&kcs, &anchors).unwrap_err();
    assert!(
        matches!(&e, HandshakeFailure::BadCertificate(m) if m.contains("keyCertSign")),
        "{e}"
    );
    let stranger = certs(&d.join("stranger.pem"));
    let e = verify_client(&stranger, &anchors).unwrap_err();
    assert_eq!(
        e,
        HandshakeFailure::UnknownIssuer {
            issuer: Some("CN=third CA".into())
        }
    );
    verify_chain(
        &certs(&d.join("good.pem")),
        &anchors,
        Usage::Client,
        None,
        UnixTime::now(),
        ExpiredPeer::Refuse,
    )
    .unwrap();
}

/// `require_endpoint_verification` on the server side is checked in the handshake, by the
/// per-connection verifier of `ServerTls::config_for`: a client whose certificate does not name
/// its address gets a bad_certificate alert (JSSE reports it), whatever drives the config.
#[test]
fn the_client_address_is_refused_in_the_handshake_with_an_alert() {
    if !common::tools_present(&["java", "javac"]) {
        return;
    }
    let Some(classes) = common::java::classes() else {
        return;
    };
    let yaml = CassandraYaml::load_file(common::fixtures().join("conf/cassandra.yaml"))
        .unwrap()
        .with_base_dir(common::root());
    let server = tls::server_config(&yaml, ServerRole::Internode, &TlsSettings::default()).unwrap();
    assert!(server.verifies_client_address());
    for (keystore, names_its_address) in [("node1.jks", true), ("node-nosan.jks", false)] {
        let listener = TcpListener::bind("127.0.0.1:0").unwrap();
        let port = listener.local_addr().unwrap().port();
        let config = server.config_for("127.0.0.1".parse().unwrap());
        let ours = std::thread::spawn(move || {
            let (mut sock, _) = listener.accept().unwrap();
            sock.set_read_timeout(Some(Duration::from_secs(60)))
                .unwrap();
            // A bare rustls config, as a proxy would hand to another TLS stack.
            let (mut session, _) = match blocking::handshake(
                Handshake::dangerous_server_with_config(config)?,
                &mut sock,
            ) {
                Ok(done) => done,
                Err(e) => {
                    // The alert is sent; read until the client hangs up, so that it reads
                    // the alert rather than a reset.
                    let mut sink = [0u8; 4096];
                    while matches!(std::io::Read::read(&mut sock, &mut sink), Ok(n) if n > 0) {}
                    return Err(e);
                }
            };
            let line = session.receive(&mut sock)?;
            session.send(&line.to_ascii_uppercase(), &mut sock)?;
            session.close();
            session.flush_to(&mut sock)
        });
        let out = common::java::tls_peer(
            &classes,
            "client",
            &[
                format!("port={port}"),
                format!("keystore={}", common::store_path(keystore)),
                "storepass=cassandra".into(),
                format!("truststore={}", common::store_path("truststore.jks")),
                "trustpass=cassandra".into(),
                // In TLS 1.2 the client waits for the server's Finished, so it reads the alert
                // (in TLS 1.3 it may already be writing when the alert comes).
                "protocols=TLSv1.2".into(),
            ],
        )
        .output()
        .unwrap();
        let java = String::from_utf8_lossy(&out.stdout).to_string();
        let result = ours.join().unwrap();
        if names_its_address {
            assert!(java.contains("RECEIVED PING"), "{java}");
            result.unwrap();
        } else {
            assert!(java.contains("bad_certificate"), "{java}");
            let err = result.unwrap_err();
            assert_eq!(err.kind(), "name_mismatch", "{err}");
        }
    }
}

/// Our client refusing a server whose CA it does not trust sends unknown_ca, which JSSE reports,
/// and still names the issuer it lacks.
#[test]
fn an_unknown_issuer_is_answered_with_unknown_ca() {
    if !common::tools_present(&["java", "javac", "openssl"]) {
        return;
    }
    let Some(classes) = common::java::classes() else {
        return;
    };
    let dir = tempfile::tempdir().unwrap();
    let other_ca = common::openssl_other_ca(dir.path());
    let client = tls::DriverTls::new()
        .truststore_path(&other_ca)
        .build()
        .unwrap();
    let peer = common::peer::start(
        common::java::tls_peer(
            &classes,
            "server",
            &[
                format!("keystore={}", common::store_path("node1.jks")),
                "storepass=cassandra".into(),
                "protocols=TLSv1.2".into(),
            ],
        ),
        "LISTENING ",
    );
    let mut sock = std::net::TcpStream::connect(("127.0.0.1", peer.port)).unwrap();
    sock.set_read_timeout(Some(Duration::from_secs(60)))
        .unwrap();
    let err = blocking::handshake(Handshake::client(&client, "127.0.0.1").unwrap(), &mut sock)
        .unwrap_err();
    match &err {
        cassandra_tls::Error::Handshake(HandshakeFailure::UnknownIssuer { issuer }) => {
            let expected = certs(&common::fixtures().join("stores/ca.pem"))[0]
                .info()
                .unwrap()
                .subject;
            assert_eq!(issuer.as_deref(), Some(expected.as_str()));
        }
        other => panic!("{other}"),
    }
    drop(sock);
    let said = loop {
        match peer.lines.recv_timeout(Duration::from_secs(60)) {
            Ok(line) if line.starts_with("ERROR") || line.starts_with("SERVED") => break line,
            Ok(_) => continue,
            Err(e) => panic!("the JSSE server said nothing: {e}"),
        }
    };
    assert!(said.contains("unknown_ca"), "{said}");
}

/// Two CAs made separately under one name: the truststore holds the first, the peer's chain was
/// signed by the second. OpenSSL refuses it for its signature (not for an unknown issuer); the
/// refusal says that a CA of that name is trusted, but not the one that signed the chain.
#[test]
fn a_different_ca_with_the_trusted_name_is_named_as_such() {
    if !common::tools_present(&["openssl"]) {
        return;
    }
    let dir = tempfile::tempdir().unwrap();
    let d = dir.path();
    ca(d, "ca-a", "one name CA");
    ca(d, "ca-b", "one name CA");
    leaf(d, "client1", "ca-b", "digitalSignature");
    // The oracle: OpenSSL refuses it (as a signature failure, or, matching the authority key
    // identifier too, as an issuer it lacks), and accepts it under the CA that signed it.
    let out = Command::new("openssl")
        .current_dir(d)
        .args(["verify", "-CAfile", "ca-a.pem", "client1.pem"])
        .output()
        .unwrap();
    let said =
        String::from_utf8_lossy(&out.stdout).to_string() + &String::from_utf8_lossy(&out.stderr);
    assert!(!out.status.success(), "{said}");
    assert!(
        said.contains("signature failure") || said.contains("unable to get local issuer"),
        "{said}"
    );
    openssl(d, &["verify", "-CAfile", "ca-b.pem", "client1.pem"]);
    let anchors = certs(&d.join("ca-a.pem"));
    let chain = certs(&d.join("client1.pem"));
    let err = verify_client(&chain, &anchors).unwrap_err();
    let text = err.to_string();
    assert!(
        text.contains("holds a CA of that name, but not the one that signed it")
            && text.contains("one name CA"),
        "{text}"
    );
    // The same chain under its own CA passes: the refusal is the other key, not the chain.
    let own = certs(&d.join("ca-b.pem"));
    verify_client(&chain, &own).unwrap();
}
