//! Hot reload as the kubelet rotates a mounted Secret (its atomic writer): the files appear in a
//! new timestamped directory, a `..data_tmp` symlink to it is renamed over `..data`, and the
//! visible names are symlinks through `..data`. Several rotations under live handshakes, of the
//! server's certificate and of a `DriverTls` client's: no handshake fails, the new leaf is
//! served after each swap, and a bad generation (a key with another certificate, a half-written
//! file) leaves the old material in use. Certificates come from OpenSSL; the expected leaf is
//! OpenSSL's fingerprint of each generation's certificate.

mod common;

use std::os::unix::fs::symlink;
use std::path::{Path, PathBuf};
use std::process::Command;
use std::sync::atomic::{AtomicBool, AtomicUsize, Ordering};
use std::sync::{Arc, Mutex};

use cassandra_tls::handshake::{self, Handshake};
use cassandra_tls::options::CassandraYaml;
use cassandra_tls::tls::reload::{self, Outcome};
use cassandra_tls::tls::{DriverTls, ServerRole, TlsSettings};

fn openssl(args: &[&str], paths: &[&Path]) -> String {
    let mut cmd = Command::new("openssl");
    cmd.args(args);
    for p in paths {
        cmd.arg(p);
    }
    let out = cmd.output().expect("openssl runs");
    assert!(
        out.status.success(),
        "openssl {args:?}: {}",
        String::from_utf8_lossy(&out.stderr)
    );
    String::from_utf8_lossy(&out.stdout).into_owned()
}

/// A CA in `dir`: ca.key, ca.crt.
fn ca(dir: &Path) {
    let mut cmd = Command::new("openssl");
    cmd.args(["req", "-x509", "-newkey", "ec", "-pkeyopt"])
        .args(["ec_paramgen_curve:P-256", "-nodes", "-days", "5"])
        .args(["-subj", "/CN=kubelet test CA", "-keyout"])
        .arg(dir.join("ca.key"))
        .arg("-out")
        .arg(dir.join("ca.crt"))
        .args(["-addext", "basicConstraints=critical,CA:TRUE"])
        .args(["-addext", "keyUsage=critical,keyCertSign"]);
    assert!(cmd.status().unwrap().success());
}

/// A leaf for 127.0.0.1 signed by the CA: `name.key`, `name.crt`; returns its SHA-256 as
/// OpenSSL prints it.
fn leaf(dir: &Path, name: &str) -> String {
    let key = dir.join(format!("{name}.key"));
    let csr = dir.join(format!("{name}.csr"));
    let crt = dir.join(format!("{name}.crt"));
    let ext = dir.join("ext.cnf");
    std::fs::write(
        &ext,
        "subjectAltName=IP:127.0.0.1\nextendedKeyUsage=serverAuth,clientAuth\n",
    )
    .unwrap();
    let mut cmd = Command::new("openssl");
    cmd.args(["req", "-new", "-newkey", "ec", "-pkeyopt"])
        .args(["ec_paramgen_curve:P-256", "-nodes", "-subj"])
        .arg(format!("/CN={name}"))
        .arg("-keyout")
        .arg(&key)
        .arg("-out")
        .arg(&csr);
    assert!(cmd.output().unwrap().status.success());
    let mut cmd = Command::new("openssl");
    cmd.args(["x509", "-req", "-days", "2", "-CAcreateserial", "-in"])
        .arg(&csr)
        .arg("-CA")
        .arg(dir.join("ca.crt"))
        .arg("-CAkey")
        .arg(dir.join("ca.key"))
        .arg("-extfile")
        .arg(&ext)
        .arg("-out")
        .arg(&crt);
    let out = cmd.output().unwrap();
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let text = openssl(
        &["x509", "-noout", "-fingerprint", "-sha256", "-in"],
        &[&crt],
    );
    common::tools::parse_openssl_fingerprints(&text).remove(0)
}

/// A Secret volume as the kubelet lays it out, updated as its atomic writer does.
struct SecretVolume {
    dir: PathBuf,
    generation: usize,
}

impl SecretVolume {
    fn new(dir: PathBuf) -> Self {
        std::fs::create_dir_all(&dir).unwrap();
        SecretVolume { dir, generation: 0 }
    }

    /// One update: the files into a new `..<timestamp>` directory, `..data_tmp` pointing at it
    /// renamed over `..data`, the visible symlinks made the first time, the old directory
    /// removed.
    fn write(&mut self, files: &[(&str, Vec<u8>)]) {
        self.generation += 1;
        let stamp = format!("..2026_12_03_08_00_00.{:09}", self.generation);
        let new = self.dir.join(&stamp);
        std::fs::create_dir(&new).unwrap();
        for (name, bytes) in files {
            std::fs::write(new.join(name), bytes).unwrap();
        }
        let old = std::fs::read_link(self.dir.join("..data")).ok();
        let tmp = self.dir.join("..data_tmp");
        symlink(&stamp, &tmp).unwrap();
        std::fs::rename(&tmp, self.dir.join("..data")).unwrap();
        for (name, _) in files {
            let visible = self.dir.join(name);
            if std::fs::symlink_metadata(&visible).is_err() {
                symlink(Path::new("..data").join(name), &visible).unwrap();
            }
        }
        if let Some(old) = old {
            std::fs::remove_dir_all(self.dir.join(old)).unwrap();
        }
    }
}

fn pem(dir: &Path, name: &str) -> Vec<u8> {
    // A PEM key store as Cassandra's PEM factory reads it: the key, then the chain.
    let mut out = std::fs::read(dir.join(format!("{name}.key"))).unwrap();
    out.extend(std::fs::read(dir.join(format!("{name}.crt"))).unwrap());
    out
}

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
    // Which leaves new handshakes get, each seen from a fresh peer of fixed material (no
    // resumable session of its own, so never a session resumed from before a swap: the limit
    // src/tls/reload documents): the server's leaf as a fresh client sees it, the client's as a
    // fresh server sees it.
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
