//! Hot reload (issue 8), as Cassandra's SSLFactory does it: new material on a changed file, the
//! old kept when the new fails, new handshakes on the new material, established sessions left
//! alone, and handshakes during a swap presenting the old chain or the new, never a mix.
//! Expected certificates come from the conformance manifest (the Java driver's
//! ReloadingKeyManagerFactoryTest stores) and from keytool's listings of the fixtures.

mod common;

use std::fs;
use std::net::IpAddr;
use std::path::Path;
use std::sync::Arc;
use std::sync::atomic::{AtomicBool, AtomicUsize, Ordering};
use std::time::{Duration, Instant, SystemTime};

use cassandra_tls::handshake::{self, Handshake};
use cassandra_tls::keystore::KeyStore;
use cassandra_tls::options::CassandraYaml;
use cassandra_tls::tls::reload::{self, Outcome};
use cassandra_tls::tls::{self, ClientRole, ExpiredPeer, ServerRole, TlsSettings};
use common::inline_yaml as yaml;
use common::sansio::{established, transfer};

fn addr() -> IpAddr {
    "127.0.0.1".parse().unwrap()
}

/// Replaces a file's content atomically (write beside it, rename over it), then moves its
/// modification time forward, as SSLFactoryTest does (+15 s), so that coarse clocks see a change.
fn replace(path: &Path, content: &[u8], step: u32) {
    let tmp = path.with_extension("new");
    fs::write(&tmp, content).unwrap();
    fs::rename(&tmp, path).unwrap();
    bump(path, step);
}

fn bump(path: &Path, step: u32) {
    let t = SystemTime::now() + Duration::from_secs(15 * u64::from(step));
    fs::File::options()
        .write(true)
        .open(path)
        .unwrap()
        .set_modified(t)
        .unwrap();
}

fn reloaded(o: &Outcome) -> bool {
    matches!(o, Outcome::Reloaded { .. })
}

fn failed_kind(o: &Outcome) -> Option<&'static str> {
    match o {
        Outcome::Failed { error, .. } => Some(error.kind().as_str()),
        _ => None,
    }
}

/// The first chain_sha256 of a manifest entry.
fn manifest_sha256(conformance: &Path, id: &str) -> String {
    let text = fs::read_to_string(conformance.join("manifest.json")).unwrap();
    let v: serde_json::Value = serde_json::from_str(&text).unwrap();
    let cases = v
        .as_array()
        .or_else(|| v["cases"].as_array())
        .expect("manifest cases");
    let case = cases.iter().find(|c| c["id"] == id).expect(id);
    case["entries"][0]["chain_sha256"][0]
        .as_str()
        .unwrap()
        .to_owned()
}

/// The client certificate the server sees in one handshake.
fn client_seen(client: &tls::ClientTls, server: &tls::ServerTls) -> String {
    let (_, (_, peer)) = established(client, "127.0.0.1", server, addr());
    peer.sha256_hex().expect("a client certificate")
}

#[test]
fn rotating_a_client_keystore_the_java_driver_way() {
    let Some(conf) = common::conformance() else {
        common::skip_or_fail("fixtures/conformance is missing");
        return;
    };
    let stores = conf.join("stores/java-driver/reloading");
    let original = manifest_sha256(&conf, "java-driver/reloading/client-original.keystore");
    let alternate = manifest_sha256(&conf, "java-driver/reloading/client-alternate.keystore");
    let tmp = tempfile::tempdir().unwrap();
    let keystore = tmp.path().join("client.keystore");
    fs::copy(stores.join("client-original.keystore"), &keystore).unwrap();

    let section = |keystore: &Path, truststore: &Path| {
        format!(
            "client_encryption_options:\n  enabled: true\n  keystore: {}\n  keystore_password: changeit\n  truststore: {}\n  truststore_password: changeit\n  store_type: PKCS12\n  require_client_auth: true\n",
            keystore.display(),
            truststore.display()
        )
    };
    let server_yaml = yaml(&section(
        &stores.join("server.keystore"),
        &stores.join("server.truststore"),
    ));
    // These self-signed certificates expired in 2024 and trust themselves: Java (and so the
    // Java driver's test) accepts an expired peer whose own certificate is trusted.
    let java = TlsSettings {
        expired_peer: ExpiredPeer::AcceptWhenPeerIsTrusted,
        ..TlsSettings::default()
    };
    let server = tls::server_config(&server_yaml, ServerRole::Native, &java).unwrap();
    let client_yaml = yaml(&section(&keystore, &stores.join("client.truststore")));
    let (client, reloader) =
        reload::reloading_client_config(&client_yaml, ClientRole::Native, &java).unwrap();
    assert!(
        reloader.watched().contains(&keystore),
        "{:?}",
        reloader.watched()
    );
    assert_eq!(client_seen(&client, &server), original);

    // Nothing changed: nothing is loaded.
    assert!(matches!(reloader.check(), Outcome::Unchanged));

    // A session established before the rotation.
    let ((mut c_old, _), (mut s_old, peer_old)) =
        established(&client, "127.0.0.1", &server, addr());

    // Rotate on disk: the next check puts the alternate key in use.
    replace(
        &keystore,
        &common::read(&stores.join("client-alternate.keystore")),
        1,
    );
    let o = reloader.check();
    assert!(reloaded(&o), "{o}");
    let Outcome::Reloaded { changed, .. } = &o else {
        unreachable!()
    };
    assert_eq!(changed, &vec![keystore.clone()]);
    assert_eq!(reloader.generation(), 1);
    assert_eq!(client_seen(&client, &server), alternate);
    assert!(matches!(reloader.check(), Outcome::Unchanged));

    // The old session is left alone: it still carries data, and is still the original's.
    assert_eq!(
        transfer(&mut c_old, &mut s_old, b"still here"),
        b"still here"
    );
    assert_eq!(transfer(&mut s_old, &mut c_old, b"and back"), b"and back");
    assert_eq!(peer_old.sha256_hex().unwrap(), original);

    // Broken new files keep the old material, and say why.
    let garbage = b"this is not a key store".to_vec();
    let other_password = common::read(&common::fixtures().join("stores/node1.p12"));
    let truncated = {
        let b = common::read(&stores.join("client-original.keystore"));
        b[..b.len() / 2].to_vec()
    };
    for (step, (bytes, kind)) in [
        (garbage, "unsupported"),
        (other_password, "wrong_password_or_tampered"),
        (truncated, "malformed"),
    ]
    .into_iter()
    .enumerate()
    {
        replace(&keystore, &bytes, 2 + step as u32);
        let o = reloader.check();
        assert_eq!(failed_kind(&o), Some(kind), "{o}");
        assert!(o.to_string().contains("old ones stay in use"), "{o}");
        assert_eq!(
            client_seen(&client, &server),
            alternate,
            "after a {kind} file"
        );
        // Stamped: the same broken file is not retried by the periodic check ...
        assert!(matches!(reloader.check(), Outcome::Unchanged));
        // ... but nodetool reloadssl tries again.
        assert_eq!(failed_kind(&reloader.force()), Some(kind));
    }
    assert_eq!(reloader.generation(), 1);

    // A deleted key store counts as changed and fails, naming the file; the old key stays.
    fs::remove_file(&keystore).unwrap();
    let o = reloader.check();
    assert_eq!(failed_kind(&o), Some("io"), "{o}");
    assert!(
        o.to_string().contains(&keystore.display().to_string()),
        "{o}"
    );
    assert_eq!(client_seen(&client, &server), alternate);
    // Still missing: not a change any more (Java's lastModified() stays 0).
    assert!(matches!(reloader.check(), Outcome::Unchanged));

    // Back to the original.
    replace(
        &keystore,
        &common::read(&stores.join("client-original.keystore")),
        9,
    );
    assert!(reloaded(&reloader.check()));
    assert_eq!(client_seen(&client, &server), original);
    assert_eq!(reloader.generation(), 2);
}

/// Every certificate SHA-256 keytool lists for a fixture store, in order.
fn keytool_chain(store: &str) -> Vec<String> {
    let text = fs::read_to_string(
        common::fixtures()
            .join("expected")
            .join(format!("{store}.keytool.txt")),
    )
    .unwrap();
    common::tools::parse_keytool_certs(&text)
        .into_iter()
        .map(|c| common::tools::colon_hex(&c.sha256))
        .collect()
}

#[test]
fn handshakes_during_swaps_see_the_old_chain_or_the_new_never_a_mix() {
    let rsa_chain = keytool_chain("node1.jks");
    let ec_chain = keytool_chain("node-ec.jks");
    assert_eq!(rsa_chain.len(), 3, "{rsa_chain:?}");
    assert_eq!(ec_chain.len(), 3, "{ec_chain:?}");
    let rsa = common::read(&common::fixtures().join("stores/node1.jks"));
    let ec = common::read(&common::fixtures().join("stores/node-ec.jks"));
    let tmp = tempfile::tempdir().unwrap();
    let keystore = tmp.path().join("keystore.jks");
    fs::write(&keystore, &rsa).unwrap();
    let server_yaml = yaml(&format!(
        "client_encryption_options:\n  enabled: true\n  keystore: {}\n  keystore_password: cassandra\n",
        keystore.display()
    ));
    let (server, reloader) =
        reload::reloading_server_config(&server_yaml, ServerRole::Native, &TlsSettings::default())
            .unwrap();
    let client_yaml = CassandraYaml::load_file(common::fixtures().join("conf/cassandra.yaml"))
        .unwrap()
        .with_base_dir(common::root());
    let client =
        tls::client_config(&client_yaml, ClientRole::Native, &TlsSettings::default()).unwrap();
    // Every handshake a full one, so that each picks the server's key afresh.
    let mut no_resumption = (**client.config()).clone();
    no_resumption.resumption = rustls::client::Resumption::disabled();
    let no_resumption = Arc::new(no_resumption);

    let stop = AtomicBool::new(false);
    let done = AtomicUsize::new(0);
    let seen: std::sync::Mutex<Vec<Vec<String>>> = std::sync::Mutex::new(Vec::new());
    const SWAPS: u32 = 20;
    std::thread::scope(|scope| {
        for _ in 0..2 {
            scope.spawn(|| {
                while !stop.load(Ordering::SeqCst) {
                    let c =
                        Handshake::client_with_config(no_resumption.clone(), "127.0.0.1").unwrap();
                    let s = Handshake::server(&server, addr()).unwrap();
                    let ((_, identity), _) = handshake::in_memory(c, s).both().unwrap();
                    let chain: Vec<String> =
                        identity.chain().iter().map(|c| c.sha256_hex()).collect();
                    seen.lock().unwrap().push(chain);
                    done.fetch_add(1, Ordering::SeqCst);
                }
            });
        }
        let wait_for_handshakes = |n: usize| {
            let target = done.load(Ordering::SeqCst) + n;
            let deadline = Instant::now() + Duration::from_secs(120);
            while done.load(Ordering::SeqCst) < target {
                assert!(Instant::now() < deadline, "handshakes stopped progressing");
                std::thread::yield_now();
            }
        };
        for step in 1..=SWAPS {
            wait_for_handshakes(3);
            replace(&keystore, if step % 2 == 1 { &ec } else { &rsa }, step);
            let o = if step % 4 == 0 {
                reloader.force()
            } else {
                reloader.check()
            };
            assert!(reloaded(&o), "swap {step}: {o}");
        }
        wait_for_handshakes(3);
        stop.store(true, Ordering::SeqCst);
    });
    let seen = seen.into_inner().unwrap();
    let rsa_count = seen.iter().filter(|c| **c == rsa_chain).count();
    let ec_count = seen.iter().filter(|c| **c == ec_chain).count();
    let mixed: Vec<_> = seen
        .iter()
        .filter(|c| **c != rsa_chain && **c != ec_chain)
        .collect();
    println!(
        "{} handshakes over {SWAPS} swaps: {rsa_count} RSA chains, {ec_count} EC chains",
        seen.len()
    );
    assert!(mixed.is_empty(), "chains that are neither: {mixed:?}");
    assert!(rsa_count > 0 && ec_count > 0);
    assert_eq!(reloader.generation(), u64::from(SWAPS));
}

#[test]
fn a_new_truststore_changes_who_is_trusted_for_new_handshakes() {
    // The server's verifier is swapped like its keys: a truststore holding only the expired CA
    // refuses client1 (issued by the fixtures' intermediate), the original accepts it again.
    let tmp = tempfile::tempdir().unwrap();
    let truststore = tmp.path().join("truststore.jks");
    let good = common::read(&common::fixtures().join("stores/truststore.jks"));
    let other = common::read(&common::fixtures().join("stores/expired-truststore.jks"));
    fs::write(&truststore, &good).unwrap();
    let server_yaml = yaml(&format!(
        "client_encryption_options:\n  enabled: true\n  keystore: fixtures/stores/node1.jks\n  keystore_password: cassandra\n  truststore: {}\n  truststore_password: cassandra\n  require_client_auth: true\n",
        truststore.display()
    ));
    let (server, reloader) =
        reload::reloading_server_config(&server_yaml, ServerRole::Native, &TlsSettings::default())
            .unwrap();
    let client_yaml = yaml(
        "client_encryption_options:\n  enabled: true\n  keystore: fixtures/stores/client1.jks\n  keystore_password: cassandra\n  truststore: fixtures/stores/truststore.jks\n  truststore_password: cassandra\n",
    );
    let client =
        tls::client_config(&client_yaml, ClientRole::Native, &TlsSettings::default()).unwrap();
    let outcome = |server: &tls::ServerTls| {
        let c = Handshake::client(&client, "127.0.0.1").unwrap();
        let s = Handshake::server(server, addr()).unwrap();
        handshake::in_memory(c, s).server.map(|_| ())
    };
    outcome(&server).unwrap();
    replace(&truststore, &other, 1);
    assert!(reloaded(&reloader.check()));
    let Err(f) = outcome(&server) else {
        panic!("client1 accepted by a truststore without its CA")
    };
    assert_eq!(f.kind(), "unknown_issuer", "{f}");
    replace(&truststore, &good, 2);
    assert!(reloaded(&reloader.check()));
    outcome(&server).unwrap();
}

#[test]
fn installing_material_handed_in_as_bytes() {
    let y = CassandraYaml::load_file(common::fixtures().join("conf/cassandra.yaml"))
        .unwrap()
        .with_base_dir(common::root());
    let (server, reloader) =
        reload::reloading_server_config(&y, ServerRole::Internode, &TlsSettings::default())
            .unwrap();
    let client = tls::client_config(&y, ClientRole::Internode, &TlsSettings::default()).unwrap();
    let ec_chain = keytool_chain("node-ec.jks");
    let rsa_chain = keytool_chain("node1.jks");
    let served = || {
        let ((_, server_identity), _) = established(&client, "127.0.0.1", &server, addr());
        server_identity
            .chain()
            .iter()
            .map(|c| c.sha256_hex())
            .collect::<Vec<_>>()
    };
    assert_eq!(served(), rsa_chain);
    // Bytes from anywhere (a secret store, say), loaded by the caller.
    let bytes = common::read(&common::fixtures().join("stores/node-ec.jks"));
    let ec = KeyStore::loader()
        .store_password("cassandra")
        .load(&bytes)
        .unwrap();
    assert!(reloaded(&reloader.install(Some(&ec), None)));
    assert_eq!(served(), ec_chain);
    // Refused material changes nothing: a store with no usable key, an empty trust list.
    let trust_only = KeyStore::loader()
        .store_password("cassandra")
        .load(&common::read(
            &common::fixtures().join("stores/truststore.jks"),
        ))
        .unwrap();
    assert_eq!(
        failed_kind(&reloader.install(Some(&trust_only), None)),
        Some("config")
    );
    assert_eq!(
        failed_kind(&reloader.install(Some(&ec), Some(&[]))),
        Some("config")
    );
    assert_eq!(failed_kind(&reloader.install(None, None)), Some("config"));
    assert_eq!(served(), ec_chain);
    assert_eq!(reloader.generation(), 1);
    // Bytes handed in, read by the section's own rules (JKS, keystore_password).
    let rsa = common::read(&common::fixtures().join("stores/node1.jks"));
    assert!(reloaded(&reloader.install_bytes(Some(&rsa), None)));
    assert_eq!(served(), rsa_chain);
    let o = reloader.install_bytes(Some(b"not a key store"), None);
    assert_eq!(failed_kind(&o), Some("unsupported"), "{o}");
    let p12 = common::read(&common::fixtures().join("stores/node1.p12"));
    // A PKCS#12 file where the section says JKS: Java's JKS key store reads it (compat mode).
    assert!(reloaded(&reloader.install_bytes(Some(&p12), None)));
    let jceks = common::read(&common::fixtures().join("stores/node1.jceks"));
    // A JCEKS file where the section says JKS: Java could not read it; nothing changes.
    let o = reloader.install_bytes(Some(&jceks), None);
    assert_eq!(failed_kind(&o), Some("config"), "{o}");
    let wrong_trust = common::read(&common::fixtures().join("stores/expired-truststore.jks"));
    assert!(reloaded(&reloader.install_bytes(None, Some(&wrong_trust))));
    // The internode server now trusts only the expired CA: this client is refused.
    let c = Handshake::client(&client, "127.0.0.1").unwrap();
    let s = Handshake::server(&server, addr()).unwrap();
    let ss = handshake::in_memory(c, s).server;
    assert!(ss.is_err(), "{ss:?}");
    assert_eq!(reloader.generation(), 4);
}

/// A truststore handed in as bytes is read as the section's JDK store type reads its file: with
/// `store_type: CaseExactJKS` (JKS only, no PKCS#12 compatibility mode; the JDK's rule, measured
/// in tests/key_sources.rs) a PKCS#12 truststore is refused at a reload as at start-up.
#[test]
fn a_truststore_installed_as_bytes_gets_the_store_types_check() {
    let y = CassandraYaml::from_str(
        "server_encryption_options:\n  internode_encryption: all\n  keystore: fixtures/stores/node1.jks\n  keystore_password: cassandra\n  truststore: fixtures/stores/truststore.jks\n  truststore_password: cassandra\n  store_type: CaseExactJKS\n  require_client_auth: true\n",
    )
    .unwrap()
    .with_base_dir(common::root());
    let (_server, reloader) =
        reload::reloading_server_config(&y, ServerRole::Internode, &TlsSettings::default())
            .unwrap();
    let jks = common::read(&common::fixtures().join("stores/truststore.jks"));
    assert!(reloaded(&reloader.install_bytes(None, Some(&jks))));
    let p12 = common::read(&common::fixtures().join("stores/truststore.p12"));
    let o = reloader.install_bytes(None, Some(&p12));
    assert_eq!(failed_kind(&o), Some("config"), "{o}");
    assert_eq!(reloader.generation(), 1);
}
