//! Hot reload as the kubelet rotates a mounted Secret (its atomic writer): the files appear in a
//! new timestamped directory, a `..data_tmp` symlink to it is renamed over `..data`, and the
//! visible names are symlinks through `..data`. Several rotations under live handshakes, of the
//! server's certificate and of a `DriverTls` client's: no handshake fails, the new leaf is
//! served after each swap, and a bad generation (a key with another certificate, a half-written
//! file) leaves the old material in use. Certificates come from OpenSSL; the expected leaf is
//! OpenSSL's fingerprint of each generation's certificate.

mod common;

use std::sync::atomic::{AtomicBool, AtomicUsize, Ordering};
use std::sync::{Arc, Mutex};

use cassandra_tls::handshake::{self, Handshake};
use cassandra_tls::options::CassandraYaml;
use cassandra_tls::tls::reload::{self, Outcome};
use cassandra_tls::tls::{DriverTls, ServerRole, TlsSettings};
use common::kubelet::{SecretVolume, ca, leaf, pem};

#[test]
fn rotations_as_the_kubelet_writes_them_under_live_handshakes() {
    if !common::tools_present(&["openssl"]) {
        return;
    }
    let tmp = tempfile::tempdir().unwrap();
    let pki = tmp.path().join("pki");
    std::fs::create_dir(&pki).unwrap();
    ca(&pki);
    let ca_pem = std::fs::read(pki.join("ca.crt")).unwrap();
    let server_leaves: Vec<String> = (0..5).map(|i| leaf(&pki, &format!("node-{i}"))).collect();
    let client_leaves: Vec<String> = (0..5).map(|i| leaf(&pki, &format!("app-{i}"))).collect();

    let mut node_secret = SecretVolume::new(tmp.path().join("node-secret"));
    let mut app_secret = SecretVolume::new(tmp.path().join("app-secret"));
    node_secret.write(&[
        ("keystore.pem", pem(&pki, "node-0")),
        ("ca.crt", ca_pem.clone()),
    ]);
    app_secret.write(&[("tls.pem", pem(&pki, "app-0")), ("ca.crt", ca_pem.clone())]);

    let yaml = CassandraYaml::from_str(&format!(
        "client_encryption_options:\n  enabled: true\n  require_client_auth: true\n  ssl_context_factory:\n    class_name: org.apache.cassandra.security.PEMBasedSslContextFactory\n  keystore: {}\n  truststore: {}\n",
        node_secret.dir.join("keystore.pem").display(),
        node_secret.dir.join("ca.crt").display()
    ))
    .unwrap();
    let (server, server_reloader) =
        reload::reloading_server_config(&yaml, ServerRole::Native, &TlsSettings::default())
            .unwrap();
    let (client, client_reloader) = DriverTls::new()
        .truststore_path(app_secret.dir.join("ca.crt"))
        .keystore_path(app_secret.dir.join("tls.pem"))
        .build_reloading()
        .unwrap();

    // Live handshakes from another thread for the whole test.
    let stop = Arc::new(AtomicBool::new(false));
    let done = Arc::new(AtomicUsize::new(0));
    let failures = Arc::new(Mutex::new(Vec::new()));
    let worker = {
        let (server, client) = (server.clone(), client.clone());
        let (stop, done, failures) = (stop.clone(), done.clone(), failures.clone());
        std::thread::spawn(move || {
            while !stop.load(Ordering::SeqCst) {
                let c = Handshake::client(&client, "127.0.0.1").unwrap();
                let s = Handshake::server(&server, [127, 0, 0, 1].into()).unwrap();
                match handshake::in_memory(c, s).both() {
                    Ok(_) => {
                        done.fetch_add(1, Ordering::SeqCst);
                    }
                    Err(e) => failures.lock().unwrap().push(e.to_string()),
                }
            }
        })
    };
    // Which leaves new handshakes get, each seen from a fresh peer of fixed material: the
    // server's leaf as a fresh client sees it, the client's as a fresh server sees it. (That no
    // session resumes across a swap under load is tests/rotation_under_load.rs.)
    let fixed_dir = tmp.path().join("fixed");
    std::fs::create_dir(&fixed_dir).unwrap();
    std::fs::write(fixed_dir.join("node.pem"), pem(&pki, "node-0")).unwrap();
    std::fs::write(fixed_dir.join("app.pem"), pem(&pki, "app-0")).unwrap();
    std::fs::write(fixed_dir.join("ca.crt"), &ca_pem).unwrap();
    let fixed_yaml = CassandraYaml::from_str(&format!(
        "client_encryption_options:\n  enabled: true\n  require_client_auth: true\n  ssl_context_factory:\n    class_name: org.apache.cassandra.security.PEMBasedSslContextFactory\n  keystore: {}\n  truststore: {}\n",
        fixed_dir.join("node.pem").display(),
        fixed_dir.join("ca.crt").display()
    ))
    .unwrap();
    let seen = || {
        let fresh_client = DriverTls::new()
            .truststore_path(fixed_dir.join("ca.crt"))
            .keystore_path(fixed_dir.join("app.pem"))
            .build()
            .unwrap();
        let c = Handshake::client(&fresh_client, "127.0.0.1").unwrap();
        let s = Handshake::server(&server, [127, 0, 0, 1].into()).unwrap();
        let ((_, server_id), _) = handshake::in_memory(c, s).both().unwrap();
        let fresh_server = cassandra_tls::tls::server_config(
            &fixed_yaml,
            ServerRole::Native,
            &TlsSettings::default(),
        )
        .unwrap();
        let c = Handshake::client(&client, "127.0.0.1").unwrap();
        let s = Handshake::server(&fresh_server, [127, 0, 0, 1].into()).unwrap();
        let (_, (_, client_id)) = handshake::in_memory(c, s).both().unwrap();
        (
            server_id.chain()[0].sha256_hex(),
            client_id.chain()[0].sha256_hex(),
        )
    };
    let wait_for_handshakes = |at_least: usize| {
        let deadline = std::time::Instant::now() + std::time::Duration::from_secs(120);
        while done.load(Ordering::SeqCst) < at_least && std::time::Instant::now() < deadline {
            std::thread::yield_now();
        }
    };
    assert_eq!(seen(), (server_leaves[0].clone(), client_leaves[0].clone()));

    for generation in 1..5 {
        node_secret.write(&[
            ("keystore.pem", pem(&pki, &format!("node-{generation}"))),
            ("ca.crt", ca_pem.clone()),
        ]);
        app_secret.write(&[
            ("tls.pem", pem(&pki, &format!("app-{generation}"))),
            ("ca.crt", ca_pem.clone()),
        ]);
        for (who, reloader) in [("server", &server_reloader), ("client", &client_reloader)] {
            match reloader.check() {
                Outcome::Reloaded { changed, .. } => {
                    assert!(!changed.is_empty(), "{who} {generation}")
                }
                other => panic!("{who} generation {generation}: {other}"),
            }
        }
        assert_eq!(
            seen(),
            (
                server_leaves[generation].clone(),
                client_leaves[generation].clone()
            ),
            "generation {generation}: the new leaves are served"
        );
        let before = done.load(Ordering::SeqCst);
        wait_for_handshakes(before + 5);
    }

    // A generation whose key is another certificate's: refused, the old material stays.
    node_secret.write(&[
        (
            "keystore.pem",
            [
                std::fs::read(pki.join("node-1.key")).unwrap(),
                std::fs::read(pki.join("node-2.crt")).unwrap(),
            ]
            .concat(),
        ),
        ("ca.crt", ca_pem.clone()),
    ]);
    let outcome = server_reloader.check();
    assert!(
        matches!(outcome, Outcome::Failed { .. }),
        "a mismatched generation is refused: {outcome}"
    );
    assert_eq!(
        seen().0,
        server_leaves[4],
        "the old leaf is still served ({server_leaves:?})"
    );
    // A half-written generation: the key store cut in the middle.
    let whole = pem(&pki, "node-3");
    node_secret.write(&[
        ("keystore.pem", whole[..whole.len() / 2].to_vec()),
        ("ca.crt", ca_pem.clone()),
    ]);
    let outcome = server_reloader.check();
    assert!(
        matches!(outcome, Outcome::Failed { .. }),
        "a half-written generation is refused"
    );
    assert_eq!(seen().0, server_leaves[4], "the old leaf is still served");
    // The next good generation is taken.
    node_secret.write(&[
        ("keystore.pem", pem(&pki, "node-3")),
        ("ca.crt", ca_pem.clone()),
    ]);
    assert!(matches!(server_reloader.check(), Outcome::Reloaded { .. }));
    assert_eq!(seen().0, server_leaves[3]);

    stop.store(true, Ordering::SeqCst);
    worker.join().unwrap();
    let failures = failures.lock().unwrap();
    assert!(
        failures.is_empty(),
        "{} handshakes failed:\n{}",
        failures.len(),
        failures.join("\n")
    );
    assert!(
        done.load(Ordering::SeqCst) >= 20,
        "handshakes ran throughout"
    );
}

/// A long-lived `tls::Node` keeps each store it loaded until the file changes: after the kubelet
/// swaps `..data` to a key store of the same size and modification time, the node reads the new
/// one (the cache compares the file the path leads to, as the reloader does).
#[test]
fn a_node_reads_a_store_again_after_a_data_swap_that_keeps_size_and_time() {
    if !common::tools_present(&["openssl"]) {
        return;
    }
    let tmp = tempfile::tempdir().unwrap();
    let pki = tmp.path().join("pki");
    std::fs::create_dir(&pki).unwrap();
    ca(&pki);
    let first = leaf(&pki, "node-a");
    let second = leaf(&pki, "node-b");
    let (mut a, mut b) = (pem(&pki, "node-a"), pem(&pki, "node-b"));
    // The same size: PEM readers skip blank lines after the last block.
    let len = a.len().max(b.len());
    a.resize(len, b'\n');
    b.resize(len, b'\n');
    let mut volume = SecretVolume::new(tmp.path().join("node-secret"));
    let ca_pem = std::fs::read(pki.join("ca.crt")).unwrap();
    let when = std::time::SystemTime::now() - std::time::Duration::from_secs(3600);
    let write = |volume: &mut SecretVolume, keystore: &[u8]| {
        volume.write(&[
            ("keystore.pem", keystore.to_vec()),
            ("ca.crt", ca_pem.clone()),
        ]);
        for name in ["keystore.pem", "ca.crt"] {
            std::fs::File::options()
                .write(true)
                .open(volume.dir.join(name))
                .unwrap()
                .set_modified(when)
                .unwrap();
        }
    };
    write(&mut volume, &a);
    let yaml = CassandraYaml::from_str(&format!(
        "client_encryption_options:\n  enabled: true\n  ssl_context_factory:\n    class_name: org.apache.cassandra.security.PEMBasedSslContextFactory\n  keystore: {}\n  truststore: {}\n",
        volume.dir.join("keystore.pem").display(),
        volume.dir.join("ca.crt").display()
    ))
    .unwrap();
    let node = cassandra_tls::tls::Node::new(&yaml);
    let client = DriverTls::new()
        .truststore_bytes(ca_pem.clone())
        .build()
        .unwrap();
    let served = || {
        let server = node
            .server_config(ServerRole::Native, &TlsSettings::default())
            .unwrap();
        let c = Handshake::client_with_config(client.config().clone(), "127.0.0.1").unwrap();
        let s = Handshake::server(&server, [127, 0, 0, 1].into()).unwrap();
        let ((_, server_id), _) = handshake::in_memory(c, s).both().unwrap();
        server_id.chain()[0].sha256_hex()
    };
    assert_eq!(served(), first);
    write(&mut volume, &b);
    let meta = std::fs::metadata(volume.dir.join("keystore.pem")).unwrap();
    assert_eq!(meta.len() as usize, len);
    assert_eq!(meta.modified().unwrap(), when);
    assert_eq!(
        served(),
        second,
        "the node serves the key store the Secret holds now"
    );
}
