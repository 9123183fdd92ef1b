//! The test-PKI writer (issue 8): every file it writes is read by the JDK. keytool lists each
//! store (aliases and SHA-256 fingerprints compared), the JDK recovers each key with the key
//! password and signs with it (tests/peers/KeyCheck.java), OpenSSL decrypts the PEM keys, and a
//! JSSE server serves a written key store to this crate's client.
#![cfg(feature = "test-pki")]

mod common;

use std::net::TcpStream;
use std::path::Path;
use std::process::Command;
use std::time::Duration;

use cassandra_tls::handshake::{Handshake, blocking};
use cassandra_tls::keystore::KeyStore;
use cassandra_tls::options::CassandraYaml;
use cassandra_tls::test_pki::write::{self, PemEncryption, Pkcs12Profile, StoreEntry};
use cassandra_tls::test_pki::{Ca, Eku, Identity, KeyType, Validity};
use cassandra_tls::tls::{self, ClientRole, ServerRole, TlsSettings};

const STOREPASS: &str = "store-Pass1";
const KEYPASS: &str = "key-Pass2";

struct Pki {
    root: Ca,
    intermediate: Ca,
    node: Identity,
    client: Identity,
    rsa_node: Identity,
    expired: Identity,
}

fn pki() -> Pki {
    let root = Ca::root("Test Root CA").unwrap();
    let intermediate = root.intermediate("Test Intermediate CA").unwrap();
    let node = intermediate
        .leaf("node1")
        .ip("127.0.0.1".parse().unwrap())
        .dns("node1.cassandra.test")
        .issue()
        .unwrap();
    let client = intermediate
        .leaf("app1")
        .uri("spiffe://cassandra.test/client/app1")
        .ekus(&[Eku::ClientAuth])
        .issue()
        .unwrap();
    let rsa_node = intermediate
        .leaf("node-rsa")
        .ip("127.0.0.1".parse().unwrap())
        .key_type(KeyType::Rsa2048)
        .issue()
        .unwrap();
    let expired = intermediate
        .leaf("old-node")
        .validity(Validity::expired(30))
        .issue()
        .unwrap();
    Pki {
        root,
        intermediate,
        node,
        client,
        rsa_node,
        expired,
    }
}

fn fingerprints(id: &Identity) -> Vec<String> {
    id.chain().iter().map(|c| c.sha256_hex()).collect()
}

fn tools_present() -> bool {
    common::tools_present(&["keytool", "java", "openssl"])
}

fn keytool_list(file: &Path, store_type: &str) -> Vec<common::tools::KeytoolEntry> {
    let out = Command::new("keytool")
        .args(["-list", "-v", "-keystore"])
        .arg(file)
        .args(["-storepass", STOREPASS, "-storetype", store_type])
        .output()
        .unwrap();
    let text = String::from_utf8_lossy(&out.stdout);
    assert!(
        out.status.success(),
        "keytool refused {}: {text}{}",
        file.display(),
        String::from_utf8_lossy(&out.stderr)
    );
    common::tools::parse_keytool_list(&text)
}

fn key_check(file: &Path, store_type: &str, keypass: &str) -> Vec<String> {
    let out = Command::new("java")
        .arg(common::root().join("tests/peers/KeyCheck.java"))
        .arg(file)
        .args([store_type, STOREPASS, keypass])
        .output()
        .unwrap();
    String::from_utf8(out.stdout)
        .unwrap()
        .lines()
        .map(str::to_owned)
        .collect()
}

#[test]
fn every_written_store_is_read_by_the_jdk_and_openssl() {
    if !tools_present() {
        return;
    }
    let p = pki();
    let tmp = tempfile::tempdir().unwrap();
    let entries = [
        StoreEntry::key("Node1", &p.node),
        StoreEntry::key("node-rsa", &p.rsa_node),
        StoreEntry::key("client", &p.client),
        StoreEntry::key("old-node", &p.expired),
        StoreEntry::trusted("root-ca", p.root.certificate()),
        StoreEntry::trusted("intermediate-ca", p.intermediate.certificate()),
    ];
    let stores = [
        (
            "pki.jks",
            "JKS",
            write::jks(&entries, STOREPASS, KEYPASS).unwrap(),
        ),
        (
            "pki.jceks",
            "JCEKS",
            write::jceks(&entries, STOREPASS, KEYPASS).unwrap(),
        ),
        (
            "pki.p12",
            "PKCS12",
            write::pkcs12(&entries, STOREPASS, KEYPASS, Pkcs12Profile::Jdk17).unwrap(),
        ),
        (
            "pki-legacy.p12",
            "PKCS12",
            write::pkcs12(&entries, STOREPASS, KEYPASS, Pkcs12Profile::Legacy).unwrap(),
        ),
    ];
    let expected_keys = [
        ("node1", &p.node),
        ("node-rsa", &p.rsa_node),
        ("client", &p.client),
        ("old-node", &p.expired),
    ];
    for (name, store_type, bytes) in &stores {
        let file = tmp.path().join(name);
        std::fs::write(&file, bytes).unwrap();
        // keytool: aliases, kinds and every certificate's fingerprint.
        let listed = keytool_list(&file, store_type);
        assert_eq!(listed.len(), entries.len(), "{name}: {listed:?}");
        for (alias, id) in expected_keys {
            let e = listed
                .iter()
                .find(|e| e.alias.eq_ignore_ascii_case(alias))
                .unwrap_or_else(|| panic!("{name}: keytool lists no {alias}: {listed:?}"));
            assert_eq!(e.kind, "private_key", "{name} {alias}");
            assert_eq!(e.sha256, fingerprints(id), "{name} {alias}");
        }
        for (alias, cert) in [
            ("root-ca", p.root.certificate()),
            ("intermediate-ca", p.intermediate.certificate()),
        ] {
            let e = listed.iter().find(|e| e.alias == alias).unwrap();
            assert_eq!(e.kind, "trusted_cert", "{name} {alias}");
            assert_eq!(e.sha256, vec![cert.sha256_hex()], "{name} {alias}");
        }
        // The JDK recovers every key with the key password, and it signs for its certificate.
        let checked = key_check(&file, store_type, KEYPASS);
        let signed = checked
            .iter()
            .filter(|l| l.starts_with("KEY ") && l.ends_with("signs=true"))
            .count();
        assert_eq!(signed, 4, "{name}: {checked:?}");
        let rsa = checked.iter().find(|l| l.contains("node-rsa")).unwrap();
        assert!(rsa.contains(" RSA 3 "), "{name}: {rsa}");
        // A wrong key password is refused by the JDK (JKS, JCEKS and PKCS#12 alike).
        let refused = key_check(&file, store_type, "not-the-key-password");
        assert!(
            refused.iter().any(|l| l.starts_with("ERROR")),
            "{name}: {refused:?}"
        );
        // And this crate reads them back.
        let store = KeyStore::loader()
            .store_password(STOREPASS)
            .key_password(KEYPASS)
            .load(bytes)
            .unwrap_or_else(|e| panic!("{name}: {e}"));
        assert_eq!(store.private_keys().count(), 4, "{name}");
        let e = KeyStore::loader()
            .store_password(STOREPASS)
            .key_password("not-the-key-password")
            .load(bytes)
            .err()
            .map(|e| e.kind().as_str());
        assert!(
            matches!(e, Some("wrong_key_password")),
            "{name}: {e:?} for a wrong key password"
        );
    }

    // PEM: OpenSSL decrypts the key (encrypted PKCS#8) and finds the certificate's public key.
    for (name, password, encryption) in [
        ("node1.pem", Some(KEYPASS), PemEncryption::Pkcs12TripleDes),
        ("node1-pbes2.pem", Some(KEYPASS), PemEncryption::Pbes2Aes256),
        ("node1-plain.pem", None, PemEncryption::default()),
    ] {
        let file = tmp.path().join(name);
        std::fs::write(
            &file,
            write::pem_with(&p.node, password, encryption).unwrap(),
        )
        .unwrap();
        let mut cmd = Command::new("openssl");
        cmd.args(["pkey", "-pubout", "-in"]).arg(&file);
        if let Some(pw) = password {
            cmd.args(["-passin", &format!("pass:{pw}")]);
        }
        let key_pub = cmd.output().unwrap();
        assert!(key_pub.status.success(), "{name}: {:?}", key_pub);
        let cert_pub = Command::new("openssl")
            .args(["x509", "-pubkey", "-noout", "-in"])
            .arg(&file)
            .output()
            .unwrap();
        assert_eq!(key_pub.stdout, cert_pub.stdout, "{name}");
        let fp = Command::new("openssl")
            .args(["x509", "-noout", "-fingerprint", "-sha256", "-in"])
            .arg(&file)
            .output()
            .unwrap();
        let fp = common::tools::parse_openssl_fingerprints(&String::from_utf8_lossy(&fp.stdout));
        assert_eq!(fp, vec![p.node.certificate().sha256_hex()], "{name}");
        if let Some(pw) = password {
            // Cassandra's PEMReader, replayed on the JDK: it reads the PKCS#12-PBE key (PBES2
            // fails there on JDK 17, which is why that is not the default).
            let out = Command::new("java")
                .arg(common::root().join("tests/peers/KeyCheck.java"))
                .args(["--pem-key"])
                .arg(&file)
                .arg(pw)
                .output()
                .unwrap();
            let said = String::from_utf8_lossy(&out.stdout).trim().to_owned();
            println!("{name}: Cassandra's PEMReader on this JDK: {said}");
            if encryption == PemEncryption::Pkcs12TripleDes {
                assert_eq!(said, "PEMKEY EC", "{name}");
            }
            let wrong = Command::new("openssl")
                .args(["pkey", "-pubout", "-passin", "pass:wrong", "-in"])
                .arg(&file)
                .output()
                .unwrap();
            assert!(
                !wrong.status.success(),
                "{name}: OpenSSL took a wrong password"
            );
        }
    }
}

#[test]
fn a_jsse_server_serves_a_written_key_store() {
    if !tools_present() {
        return;
    }
    let Some(dir) = common::java::classes() else {
        common::skip_or_fail("a JDK is needed for the JSSE peer");
        return;
    };
    let p = pki();
    let tmp = tempfile::tempdir().unwrap();
    // The JSSE peer (as Cassandra's DefaultSslContextFactory) uses one password for the store
    // and its keys.
    let keystore = tmp.path().join("node.p12");
    std::fs::write(
        &keystore,
        write::pkcs12(
            &[StoreEntry::key("node1", &p.rsa_node)],
            STOREPASS,
            STOREPASS,
            Pkcs12Profile::Jdk17,
        )
        .unwrap(),
    )
    .unwrap();
    let truststore = tmp.path().join("truststore.jks");
    std::fs::write(
        &truststore,
        write::jks(
            &[StoreEntry::trusted("root", p.root.certificate())],
            STOREPASS,
            STOREPASS,
        )
        .unwrap(),
    )
    .unwrap();
    let client_store = tmp.path().join("client.jks");
    std::fs::write(
        &client_store,
        write::jks(
            &[StoreEntry::key("client", &p.client)],
            STOREPASS,
            STOREPASS,
        )
        .unwrap(),
    )
    .unwrap();
    let peer = common::peer::start(
        common::java::tls_peer(
            &dir,
            "server",
            &[
                format!("keystore={}", keystore.display()),
                "storetype=PKCS12".into(),
                format!("storepass={STOREPASS}"),
                format!("truststore={}", truststore.display()),
                format!("trustpass={STOREPASS}"),
                "clientauth=need".into(),
            ],
        ),
        "LISTENING ",
    );
    // The JSSE peer reads its truststore as the keystore's type: write the truststore as
    // PKCS#12 too when that matters; JDK 17 reads JKS under PKCS12 (keystore.type.compat).
    let yaml = CassandraYaml::from_str(&format!(
        "client_encryption_options:\n  enabled: true\n  keystore: {}\n  keystore_password: {STOREPASS}\n  truststore: {}\n  truststore_password: {STOREPASS}\n  require_endpoint_verification: true\n",
        client_store.display(),
        truststore.display()
    ))
    .unwrap();
    let client = tls::client_config(&yaml, ClientRole::Native, &TlsSettings::default()).unwrap();
    let mut sock = TcpStream::connect(("127.0.0.1", peer.port)).unwrap();
    sock.set_read_timeout(Some(Duration::from_secs(60)))
        .unwrap();
    let (mut session, server) =
        blocking::handshake(Handshake::client(&client, "127.0.0.1").unwrap(), &mut sock).unwrap();
    assert_eq!(
        server.sha256_hex().unwrap(),
        p.rsa_node.certificate().sha256_hex()
    );
    session.send(b"hello\n", &mut sock).unwrap();
    let mut got = Vec::new();
    while !got.ends_with(b"\n") {
        let part = session.receive(&mut sock).unwrap();
        assert!(!part.is_empty(), "closed early");
        got.extend(part);
    }
    assert_eq!(got, b"HELLO\n");
    let line = loop {
        let l = peer
            .lines
            .recv_timeout(Duration::from_secs(60))
            .expect("the JSSE peer said nothing");
        if l.starts_with("SERVED") || l.starts_with("ERROR") {
            break l;
        }
    };
    assert!(
        line.starts_with("SERVED") && line.contains("CN=app1"),
        "{line}"
    );
}

/// Chains made by the test PKI, checked by this crate's verifier in memory: the validity
/// windows and names chosen are the ones the handshake sees.
#[test]
fn validity_windows_and_names_reach_the_handshake() {
    let p = pki();
    let not_yet = p
        .intermediate
        .leaf("future-node")
        .ip("127.0.0.1".parse().unwrap())
        .validity(Validity::not_yet_valid(10))
        .issue()
        .unwrap();
    // The server asks for a client certificate; the client checks the server's address.
    let yaml_for = |id: &Identity, server: bool| {
        let key = write::pem(id, Some(KEYPASS)).unwrap();
        let trust = write::pem_certificates(&[p.root.certificate()]);
        let indent = |t: &str| -> String { t.lines().map(|l| format!("        {l}\n")).collect() };
        CassandraYaml::from_str(&format!(
            "client_encryption_options:\n  enabled: true\n  require_client_auth: {server}\n  require_endpoint_verification: {}\n  ssl_context_factory:\n    class_name: PEMBasedSslContextFactory\n    parameters:\n      private_key_password: {KEYPASS}\n      private_key: |\n{}      trusted_certificates: |\n{}",
            !server,
            indent(&key),
            indent(&trust)
        ))
        .unwrap()
    };
    let run = |server_id: &Identity, client_id: &Identity| {
        let server = tls::server_config(
            &yaml_for(server_id, true),
            ServerRole::Native,
            &TlsSettings::default(),
        )
        .unwrap();
        let client = tls::client_config(
            &yaml_for(client_id, false),
            ClientRole::Native,
            &TlsSettings::default(),
        )
        .unwrap();
        let c = Handshake::client(&client, "127.0.0.1").unwrap();
        let s = Handshake::server(&server, "127.0.0.1".parse().unwrap()).unwrap();
        let done = cassandra_tls::handshake::in_memory(c, s);
        (done.client, done.server)
    };
    // The node serves, the SPIFFE client authenticates with its URI.
    let (c, s) = run(&p.node, &p.client);
    let (_, client_identity) = s.unwrap();
    assert_eq!(
        client_identity.spiffe_id(),
        Some("spiffe://cassandra.test/client/app1")
    );
    assert!(c.is_ok());
    // An expired or not-yet-valid server is refused for that reason.
    for (id, kind) in [(&p.expired, "expired"), (&not_yet, "not_yet_valid")] {
        let (c, _) = run(id, &p.client);
        let Err(cassandra_tls::Error::Handshake(f)) = c else {
            panic!("{kind}: accepted");
        };
        // The expired leaf has no IP SAN either; the validity is checked first.
        assert_eq!(f.kind(), kind, "{f}");
    }
    // A server certificate without the address connected to fails endpoint verification.
    let (c, _) = run(&p.client, &p.client);
    let Err(cassandra_tls::Error::Handshake(f)) = c else {
        panic!("a certificate without the IP was accepted");
    };
    assert!(
        matches!(f.kind().as_str(), "name_mismatch" | "bad_certificate"),
        "{f}"
    );
}

/// The JDK cannot read a PKCS#12 file under a non-ASCII password (its PBE keys refuse one:
/// "Password is not ASCII"), so the writer refuses such passwords, store and key alike, as it
/// refuses them for JCEKS keys. The JDK's side: keytool refuses to write such a store, and does
/// not open the one OpenSSL wrote under a non-ASCII password.
#[test]
fn pkcs12_passwords_the_jdk_cannot_read_are_refused() {
    let pki = pki();
    let entries = [StoreEntry::key("node1", &pki.node)];
    for (store, key) in [
        ("pässwörd-ლ", KEYPASS),
        (STOREPASS, "pässwörd-ლ"),
        ("tab\there", KEYPASS),
    ] {
        for profile in [Pkcs12Profile::Jdk17, Pkcs12Profile::Legacy] {
            let err = write::pkcs12(&entries, store, key, profile).unwrap_err();
            assert!(err.to_string().contains("printable ASCII"), "{err}");
        }
    }
    assert!(write::jceks(&entries, STOREPASS, "pässwörd").is_err());
    // JKS has no PBE: Sun's key protector takes any password, and so does the writer.
    assert!(write::jks(&entries, "pässwörd-ლ", "pässwörd-ლ").is_ok());
    if !tools_present() {
        return;
    }
    let dir = tempfile::tempdir().unwrap();
    let out = Command::new("keytool")
        .args([
            "-genkeypair",
            "-storetype",
            "PKCS12",
            "-alias",
            "a",
            "-dname",
            "CN=a",
        ])
        .args(["-keyalg", "EC", "-storepass", "pässwörd-ლ", "-keystore"])
        .arg(dir.path().join("a.p12"))
        .output()
        .unwrap();
    let said =
        String::from_utf8_lossy(&out.stdout).to_string() + &String::from_utf8_lossy(&out.stderr);
    assert!(
        !out.status.success() && said.contains("Password is not ASCII"),
        "{said}"
    );
    let out = Command::new("keytool")
        .args([
            "-list",
            "-storetype",
            "PKCS12",
            "-storepass",
            "pässwörd-ლ",
            "-keystore",
        ])
        .arg(common::store_path("node1-nonascii.p12"))
        .output()
        .unwrap();
    assert!(!out.status.success(), "the JDK opened a non-ASCII PKCS#12");
}
