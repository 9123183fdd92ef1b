//! An Astra-style secure-connect bundle, made here as the service makes them (Java stores by
//! keytool, PEM files, config.json, zipped by Python's zipfile), read into a client config that
//! fetches the metadata and talks to each node through an SNI proxy (Python's ssl, client
//! certificate required).
#![cfg(all(feature = "bundle", feature = "test-pki"))]

mod common;

use std::net::TcpStream;
use std::path::Path;
use std::process::Command;
use std::time::Duration;

use cassandra_tls::Origin;
use cassandra_tls::handshake::{Handshake, HandshakeFailure, blocking};
use cassandra_tls::pki::Ca;
use cassandra_tls::pki::write::{PemEncryption, pem_certificates, pem_key};
use cassandra_tls::tls::{ClientTls, ProxyMetadata, SecureConnectBundle};

const HOST: &str = "6b7e1f2a-0c3d-4e5f-8a9b-1c2d3e4f5a6b-test-region.db.astra.test";
const HOST_IDS: [&str; 3] = [
    "0e1f2a3b-4c5d-4e6f-8a7b-9c0d1e2f3a4b",
    "1f2a3b4c-5d6e-4f7a-8b9c-0d1e2f3a4b5c",
    "2a3b4c5d-6e7f-4a8b-9c0d-1e2f3a4b5c6d",
];
const KS_PASS: &str = "ks-Q7v9nM2p";
const TS_PASS: &str = "ts-X4c8bL1r";

fn run(cmd: &mut Command) {
    let out = cmd.output().unwrap_or_else(|e| panic!("{cmd:?}: {e}"));
    assert!(
        out.status.success(),
        "{cmd:?}: {}",
        String::from_utf8_lossy(&out.stderr)
    );
}

/// The service's CA, its certificate for HOST, and a client identity ("astra client"), as PEM
/// files in `dir`.
fn material(dir: &Path) {
    let ca = Ca::root("Astra-like test CA").unwrap();
    let server = ca.leaf(HOST).dns(HOST).issue().unwrap();
    let client = ca.leaf("astra client").issue().unwrap();
    let write = |name: &str, text: &str| std::fs::write(dir.join(name), text).unwrap();
    write("ca.crt", &pem_certificates(&[ca.certificate()]));
    write(
        "server.pem",
        &pem_certificates(&server.chain().iter().collect::<Vec<_>>()),
    );
    write(
        "server.key",
        &pem_key(server.private_key_pkcs8(), None, PemEncryption::Pbes2Aes256).unwrap(),
    );
    write(
        "cert",
        &pem_certificates(&client.chain().iter().collect::<Vec<_>>()),
    );
    write(
        "key",
        &pem_key(client.private_key_pkcs8(), None, PemEncryption::Pbes2Aes256).unwrap(),
    );
}

/// identity.jks and trustStore.jks made by the JDK's keytool (via an OpenSSL PKCS#12).
fn java_stores(dir: &Path) {
    run(Command::new("openssl")
        .current_dir(dir)
        .args(["pkcs12", "-export", "-in", "cert", "-inkey", "key"])
        .args(["-name", "client", "-out", "identity.p12"])
        .args(["-passout", &format!("pass:{KS_PASS}")]));
    run(Command::new("keytool")
        .current_dir(dir)
        .args(["-importkeystore", "-noprompt"])
        .args(["-srckeystore", "identity.p12", "-srcstoretype", "PKCS12"])
        .args(["-srcstorepass", KS_PASS])
        .args(["-destkeystore", "identity.jks", "-deststoretype", "JKS"])
        .args(["-deststorepass", KS_PASS, "-destkeypass", KS_PASS]));
    run(Command::new("keytool")
        .current_dir(dir)
        .args([
            "-importcert",
            "-noprompt",
            "-alias",
            "ca",
            "-file",
            "ca.crt",
        ])
        .args(["-keystore", "trustStore.jks", "-storetype", "JKS"])
        .args(["-storepass", TS_PASS]));
}

/// config.json with the fields a real bundle has, and the zip of `entries` (Python's
/// zipfile, deflated).
fn bundle(dir: &Path, name: &str, host: &str, port: u16, entries: &[&str]) -> std::path::PathBuf {
    let config = serde_json::json!({
        "username": "token",
        "host": host,
        "port": port,
        "keyspace": "ks1",
        "localDC": "test-region",
        "caCertLocation": "./ca.crt",
        "keyLocation": "./key",
        "certLocation": "./cert",
        "keyStoreLocation": "./identity.jks",
        "keyStorePassword": KS_PASS,
        "trustStoreLocation": "./trustStore.jks",
        "trustStorePassword": TS_PASS,
        "csvLocation": "./data",
        "pfxCertPassword": "unused",
    });
    std::fs::write(
        dir.join("config.json"),
        serde_json::to_vec_pretty(&config).unwrap(),
    )
    .unwrap();
    let zip = dir.join(name);
    let script = "import sys, zipfile\nwith zipfile.ZipFile(sys.argv[1], 'w', zipfile.ZIP_DEFLATED) as z:\n    for n in sys.argv[2:]:\n        z.write(n, n)\n";
    run(Command::new("python3")
        .current_dir(dir)
        .args(["-c", script])
        .arg(&zip)
        .arg("config.json")
        .args(entries));
    zip
}

fn service(dir: &Path) -> common::peer::Peer {
    let mut cmd = Command::new("python3");
    cmd.arg(common::root().join("tests/peers/sni_https.py"))
        .arg("--cert")
        .arg(dir.join("server.pem"))
        .arg("--key")
        .arg(dir.join("server.key"))
        .arg("--ca")
        .arg(dir.join("ca.crt"))
        .args(["--proxy-host", HOST, "--host-ids", &HOST_IDS.join(",")]);
    common::peer::start(cmd, "LISTENING ")
}

/// One HTTP GET over our handshake, with `server_name` as the SNI name: the body.
fn get(tls: &ClientTls, port: u16, server_name: &str, path: &str) -> Result<String, String> {
    let mut sock = TcpStream::connect(("127.0.0.1", port)).unwrap();
    sock.set_read_timeout(Some(Duration::from_secs(60)))
        .unwrap();
    let hs = Handshake::client(tls, server_name).map_err(|e| e.to_string())?;
    let (mut session, _) = blocking::handshake(hs, &mut sock).map_err(|e| match e {
        cassandra_tls::Error::Handshake(HandshakeFailure::NameMismatch { expected, .. }) => {
            format!("name mismatch: {expected}")
        }
        other => other.to_string(),
    })?;
    session
        .send(
            format!("GET {path} HTTP/1.1\r\nHost: localhost\r\nConnection: close\r\n\r\n")
                .as_bytes(),
            &mut sock,
        )
        .unwrap();
    let mut response = Vec::new();
    loop {
        match session.receive(&mut sock) {
            Ok(data) if data.is_empty() => break,
            Ok(data) => response.extend(data),
            Err(_) => break,
        }
        let text = String::from_utf8_lossy(&response);
        if let Some((head, body)) = text.split_once("\r\n\r\n") {
            let len: usize = head
                .lines()
                .find_map(|l| l.strip_prefix("Content-Length: "))
                .and_then(|n| n.trim().parse().ok())
                .unwrap_or(usize::MAX);
            if body.len() >= len {
                return Ok(body.to_owned());
            }
        }
    }
    Err(format!(
        "incomplete response: {}",
        String::from_utf8_lossy(&response)
    ))
}

fn tools() -> bool {
    common::tools_present(&["python3", "openssl", "keytool"])
}

#[test]
fn a_bundle_with_java_stores_fetches_metadata_and_reaches_each_node_by_sni() {
    if !tools() {
        return;
    }
    let dir = tempfile::tempdir().unwrap();
    material(dir.path());
    java_stores(dir.path());
    let peer = service(dir.path());
    let zip = bundle(
        dir.path(),
        "secure-connect-test.zip",
        HOST,
        peer.port,
        &["ca.crt", "cert", "key", "identity.jks", "trustStore.jks"],
    );
    let b = SecureConnectBundle::open(&zip).unwrap();
    assert_eq!(b.host(), HOST);
    assert_eq!(b.port(), peer.port);
    assert_eq!(b.keyspace(), Some("ks1"));
    assert_eq!(b.local_dc(), Some("test-region"));
    assert_eq!(
        b.metadata_url(),
        format!("https://{HOST}:{}/metadata", peer.port)
    );
    let debug = format!("{b:?}");
    assert!(
        !debug.contains(KS_PASS) && !debug.contains(TS_PASS),
        "{debug}"
    );

    let tls = b.driver_tls().build().unwrap();
    assert!(tls.has_client_certificate());
    let body = get(&tls, peer.port, HOST, "/metadata").unwrap();
    let metadata = ProxyMetadata::parse(body.as_bytes()).unwrap();
    assert_eq!(metadata.sni_proxy_host, HOST);
    assert_eq!(metadata.sni_proxy_port, peer.port);
    assert_eq!(metadata.local_dc, "dc-test");
    assert_eq!(metadata.contact_points, HOST_IDS);
    for host_id in &metadata.contact_points {
        let name = metadata.server_name(host_id).unwrap();
        let seen = get(&tls, peer.port, &name.to_str(), "/sni").unwrap();
        // The proxy saw the host id as SNI and our bundle's client certificate.
        assert_eq!(seen, format!("{host_id} astra client"));
    }
}

#[test]
fn a_bundle_with_only_pem_files_works_and_the_service_name_is_checked() {
    if !tools() {
        return;
    }
    let dir = tempfile::tempdir().unwrap();
    material(dir.path());
    let peer = service(dir.path());
    let zip = bundle(
        dir.path(),
        "pem-only.zip",
        HOST,
        peer.port,
        &["ca.crt", "cert", "key"],
    );
    let tls = SecureConnectBundle::open(&zip)
        .unwrap()
        .driver_tls()
        .build()
        .unwrap();
    let seen = get(&tls, peer.port, HOST_IDS[0], "/sni").unwrap();
    assert_eq!(seen, format!("{} astra client", HOST_IDS[0]));

    // A bundle naming another service: the certificate (for HOST) does not name it.
    let zip = bundle(
        dir.path(),
        "elsewhere.zip",
        "elsewhere.db.astra.test",
        peer.port,
        &["ca.crt", "cert", "key"],
    );
    let tls = SecureConnectBundle::open(&zip)
        .unwrap()
        .driver_tls()
        .build()
        .unwrap();
    let err = get(&tls, peer.port, HOST_IDS[0], "/sni").unwrap_err();
    assert!(
        err.starts_with("name mismatch") && err.contains("elsewhere.db.astra.test"),
        "{err}"
    );
}

#[test]
fn broken_bundles_are_typed_errors() {
    if !common::tools_present(&["python3"]) {
        return;
    }
    let dir = tempfile::tempdir().unwrap();
    material(dir.path());
    let kind_and_message = |bytes: &[u8]| {
        let e = SecureConnectBundle::from_bytes(Origin::bytes(), bytes).unwrap_err();
        (e.kind(), e.to_string())
    };
    let (kind, msg) = kind_and_message(b"PK\x03\x04 not really a zip");
    assert_eq!(kind, "malformed");
    assert!(msg.contains("not a zip"), "{msg}");

    // No config.json.
    let zip = dir.path().join("a.zip");
    let script = "import sys, zipfile\nwith zipfile.ZipFile(sys.argv[1], 'w') as z:\n    z.writestr('ca.crt', 'x')\n";
    run(Command::new("python3").args(["-c", script]).arg(&zip));
    let (kind, msg) = kind_and_message(&std::fs::read(&zip).unwrap());
    assert_eq!(kind, "malformed");
    assert!(msg.contains("config.json"), "{msg}");

    // Neither the Java stores nor the PEM files.
    let zip = bundle(dir.path(), "b.zip", HOST, 443, &["ca.crt"]);
    let (kind, msg) = kind_and_message(&std::fs::read(&zip).unwrap());
    assert_eq!(kind, "malformed");
    assert!(msg.contains("identity.jks"), "{msg}");

    // A config.json that expands to 4 MiB (a few KiB compressed): refused, not read whole.
    let script = "import sys, zipfile\nwith zipfile.ZipFile(sys.argv[1], 'w', zipfile.ZIP_DEFLATED) as z:\n    z.writestr('config.json', '{' + ' ' * (4 << 20) + '}')\n";
    let bomb = dir.path().join("bomb.zip");
    run(Command::new("python3").args(["-c", script]).arg(&bomb));
    let bomb = std::fs::read(&bomb).unwrap();
    assert!(bomb.len() < 64 << 10);
    let (kind, msg) = kind_and_message(&bomb);
    assert_eq!(kind, "malformed");
    assert!(msg.contains("config.json expands"), "{msg}");

    // config.json without a port, as the Java driver refuses it.
    let script = "import sys, zipfile\nwith zipfile.ZipFile(sys.argv[1], 'w') as z:\n    z.writestr('config.json', '{\"host\": \"h.example\"}')\n    z.write('ca.crt', 'ca.crt'); z.write('cert', 'cert'); z.write('key', 'key')\n";
    let noport = dir.path().join("noport.zip");
    run(Command::new("python3")
        .current_dir(dir.path())
        .args(["-c", script])
        .arg(&noport));
    let (kind, msg) = kind_and_message(&std::fs::read(&noport).unwrap());
    assert_eq!(kind, "malformed");
    assert!(msg.contains("port"), "{msg}");

    // Metadata answers the Java driver refuses.
    for (json, word) in [
        (
            r#"{"contact_info": {"sni_proxy_address": "h.example", "contact_points": [], "local_dc": "d"}}"#,
            "port",
        ),
        (
            r#"{"contact_info": {"sni_proxy_address": "h.example:9042", "local_dc": "d"}}"#,
            "contact_points",
        ),
        (r#"{"version": 1}"#, "contact_info"),
        ("not json", "JSON"),
    ] {
        let e = ProxyMetadata::parse(json.as_bytes()).unwrap_err();
        assert_eq!(e.kind(), "malformed");
        assert!(e.to_string().contains(word), "{e}");
    }
}
