//! A rotation reaches every new handshake under continuous load, on both sides (issue 31).
//!
//! Handshakes run without pause from several threads while a Secret is swapped as the kubelet
//! swaps it (a new timestamped directory, `..data_tmp` renamed over `..data`) a hundred times
//! and the reloader is checked after each swap. Every handshake records the generation
//! published before it started (the last swap whose `check()` had returned) and the one
//! published when it ended; a handshake that no swap overlapped must use exactly that
//! generation's material, and none may use material older than the one published when it
//! started. A resumed session skips the certificates, so a session resumed across a swap shows
//! here as an old certificate (client side) or an admitted client of a dropped CA (server
//! side). Certificates come from OpenSSL; expected leaves are OpenSSL's fingerprints.

mod common;

use std::collections::HashMap;
use std::net::IpAddr;
use std::path::Path;
use std::sync::Mutex;
use std::sync::atomic::{AtomicBool, AtomicUsize, Ordering};
use std::time::{Duration, Instant};

use cassandra_tls::handshake::{self, Handshake};
use cassandra_tls::options::{CassandraYaml, MountedSecret};
use cassandra_tls::tls::reload::{self, Outcome, Reloader};
use cassandra_tls::tls::{self, DriverTls, ServerRole, TlsSettings};
use common::kubelet::{SecretVolume, ca_named, leaf_signed, pem};

const SWAPS: usize = 100;

fn addr() -> IpAddr {
    [127, 0, 0, 1].into()
}

/// How a connection takes its config.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
enum Use {
    /// The config handed over once (a driver's `Arc<ClientConfig>`, an acceptor's).
    Live,
    /// A config taken per connection (`Handshake::client`/`server`).
    Bound,
    /// A peer of fixed material (the socket test's client of another CA).
    Fixed,
}

/// The generations published to the workers: `published` is the last swap whose check had
/// returned; `swapping` is set while a swap is being written and checked.
#[derive(Default)]
struct Published {
    generation: AtomicUsize,
    swapping: AtomicBool,
    stop: AtomicBool,
    /// Handshakes that no swap overlapped, per (use, generation).
    clean: Mutex<HashMap<(Use, usize), usize>>,
}

/// What one handshake saw of the generations.
#[derive(Clone, Copy, Debug)]
struct Span {
    start: usize,
    end: usize,
    /// No swap was written or checked while it ran: it used generation `start` alone.
    clean: bool,
}

impl Published {
    fn begin(&self) -> (bool, usize) {
        let quiet = !self.swapping.load(Ordering::SeqCst);
        (quiet, self.generation.load(Ordering::SeqCst))
    }

    fn end(&self, begun: (bool, usize), how: Use) -> Span {
        // `swapping` first: a swap put in use during the handshake is either still flagged,
        // or already published (the swapper publishes before it clears the flag).
        let quiet = !self.swapping.load(Ordering::SeqCst);
        let end = self.generation.load(Ordering::SeqCst);
        let span = Span {
            start: begun.1,
            end,
            clean: begun.0 && quiet && begun.1 == end,
        };
        if span.clean {
            *self
                .clean
                .lock()
                .unwrap()
                .entry((how, span.start))
                .or_default() += 1;
        }
        span
    }

    /// Waits until every use has run `n` handshakes on the current generation that no swap
    /// overlapped.
    fn wait_for_clean(&self, uses: &[Use], n: usize) {
        let generation = self.generation.load(Ordering::SeqCst);
        let deadline = Instant::now() + Duration::from_secs(120);
        loop {
            let enough = {
                let clean = self.clean.lock().unwrap();
                uses.iter()
                    .all(|u| clean.get(&(*u, generation)).copied().unwrap_or(0) >= n)
            };
            if enough {
                return;
            }
            assert!(
                Instant::now() < deadline,
                "handshakes stopped progressing at generation {generation}"
            );
            std::thread::sleep(Duration::from_millis(1));
        }
    }

    /// Writes generation `k` with `write`, then checks the reloader, which must take it.
    fn swap(&self, k: usize, reloader: &Reloader, write: impl FnOnce()) {
        self.swapping.store(true, Ordering::SeqCst);
        write();
        match reloader.check() {
            Outcome::Reloaded { changed, .. } => assert!(!changed.is_empty(), "swap {k}"),
            other => panic!("swap {k}: {other}"),
        }
        self.generation.store(k, Ordering::SeqCst);
        self.swapping.store(false, Ordering::SeqCst);
    }
}

/// What each handshake saw, with how it took its config and when it ran.
type Seen<T> = Mutex<Vec<(Use, Span, T)>>;

/// A PEM server config (PEMBasedSslContextFactory) requiring client certificates.
fn pem_server_yaml(keystore: &Path, truststore: &Path) -> CassandraYaml {
    CassandraYaml::from_str(&format!(
        "client_encryption_options:\n  enabled: true\n  require_client_auth: true\n  ssl_context_factory:\n    class_name: org.apache.cassandra.security.PEMBasedSslContextFactory\n  keystore: {}\n  truststore: {}\n",
        keystore.display(),
        truststore.display()
    ))
    .unwrap()
}

/// cert-manager's Secret files for one client generation: `tls.crt`, `tls.key`, `ca.crt`, and
/// with CombinedPEM `tls-combined.pem`.
fn cert_manager_files(pki: &Path, leaf: &str, combined: bool) -> Vec<(&'static str, Vec<u8>)> {
    let read = |name: String| std::fs::read(pki.join(name)).unwrap();
    let mut files = vec![
        ("tls.crt", read(format!("{leaf}.crt"))),
        ("tls.key", read(format!("{leaf}.key"))),
        ("ca.crt", read("ca.crt".into())),
    ];
    if combined {
        files.push(("tls-combined.pem", pem(pki, leaf)));
    }
    files
}

/// A client rig: an OpenSSL CA, a node of fixed material requiring client certificates, and
/// client pairs `app-0` .. `app-{n-1}` (their SHA-256 in order), `app-0` in a cert-manager
/// Secret that a reloading `DriverTls` reads.
struct ClientRig {
    _tmp: tempfile::TempDir,
    pki: std::path::PathBuf,
    leaves: Vec<String>,
    server: tls::ServerTls,
    volume: SecretVolume,
    client: tls::ClientTls,
    reloader: Reloader,
}

fn client_rig(n: usize, combined: bool) -> ClientRig {
    let tmp = tempfile::tempdir().unwrap();
    let pki = tmp.path().join("pki");
    std::fs::create_dir(&pki).unwrap();
    ca_named(&pki, "ca");
    leaf_signed(&pki, "ca", "node");
    let leaves = (0..n)
        .map(|k| leaf_signed(&pki, "ca", &format!("app-{k}")))
        .collect();
    std::fs::write(pki.join("node.pem"), pem(&pki, "node")).unwrap();
    let server = tls::server_config(
        &pem_server_yaml(&pki.join("node.pem"), &pki.join("ca.crt")),
        ServerRole::Native,
        &TlsSettings::default(),
    )
    .unwrap();
    let mut volume = SecretVolume::new(tmp.path().join("app-secret"));
    volume.write(&cert_manager_files(&pki, "app-0", combined));
    let secret = MountedSecret::open(&volume.dir, None, None).unwrap();
    let (client, reloader) = DriverTls::from_secret(&secret)
        .unwrap()
        .build_reloading()
        .unwrap();
    ClientRig {
        _tmp: tmp,
        pki,
        leaves,
        server,
        volume,
        client,
        reloader,
    }
}

/// The client side: a `DriverTls` from a cert-manager Secret rotated under continuous
/// handshakes; every handshake must present a client certificate no older than the one
/// published when it started, and exactly that one when no swap overlapped it.
fn client_rotation(combined: bool) {
    if !common::tools_present(&["openssl"]) {
        return;
    }
    let ClientRig {
        pki,
        leaves,
        server,
        mut volume,
        client,
        reloader,
        _tmp,
    } = client_rig(SWAPS + 1, combined);
    // Generation k presents app-k.
    let leaves: HashMap<String, usize> = leaves.into_iter().zip(0..).collect();
    // What a driver does: take the config once and keep it.
    let live = client.config().clone();

    let published = Published::default();
    let seen: Seen<Result<(usize, bool), String>> = Mutex::new(Vec::new());
    let uses = [Use::Live, Use::Bound, Use::Live];
    std::thread::scope(|scope| {
        for how in uses {
            let (published, seen, client, server, live, leaves) =
                (&published, &seen, &client, &server, &live, &leaves);
            scope.spawn(move || {
                while !published.stop.load(Ordering::SeqCst) {
                    let begun = published.begin();
                    let c = match how {
                        Use::Live => Handshake::client_with_config(live.clone(), "127.0.0.1"),
                        Use::Bound | Use::Fixed => Handshake::client(client, "127.0.0.1"),
                    }
                    .unwrap();
                    let s = Handshake::server(server, addr()).unwrap();
                    let result = handshake::in_memory(c, s).both();
                    let span = published.end(begun, how);
                    let outcome = match result {
                        Ok(((session, _), (_, client_identity))) => {
                            let sha = client_identity.chain()[0].sha256_hex();
                            leaves
                                .get(&sha)
                                .copied()
                                .map(|k| (k, session.resumed()))
                                .ok_or(format!("an unknown client certificate {sha}"))
                        }
                        Err(e) => Err(e.to_string()),
                    };
                    seen.lock().unwrap().push((how, span, outcome));
                }
            });
        }
        for k in 1..=SWAPS {
            published.wait_for_clean(&uses, 2);
            published.swap(k, &reloader, || {
                volume.write(&cert_manager_files(&pki, &format!("app-{k}"), combined))
            });
        }
        published.wait_for_clean(&uses, 2);
        published.stop.store(true, Ordering::SeqCst);
    });

    let seen = seen.into_inner().unwrap();
    let mut wrong = Vec::new();
    let mut resumed: HashMap<Use, usize> = HashMap::new();
    for (how, span, outcome) in &seen {
        match outcome {
            Err(e) => wrong.push(format!("{how:?} {span:?}: failed: {e}")),
            Ok((k, _)) if *k < span.start => wrong.push(format!(
                "{how:?} {span:?}: presented app-{k}, older than the generation published before it started"
            )),
            Ok((k, _)) if span.clean && *k != span.start => wrong.push(format!(
                "{how:?} {span:?}: presented app-{k} though no swap overlapped it"
            )),
            Ok((_, r)) => *resumed.entry(*how).or_default() += usize::from(*r),
        }
    }
    println!("resumed sessions: {resumed:?}");
    println!(
        "{} handshakes over {SWAPS} swaps (combined PEM: {combined}), {} wrong",
        seen.len(),
        wrong.len()
    );
    assert!(
        wrong.is_empty(),
        "{} of {} handshakes used the wrong client certificate or failed; the first:\n{}",
        wrong.len(),
        seen.len(),
        wrong[..wrong.len().min(20)].join("\n")
    );
    assert_eq!(reloader.generation(), SWAPS as u64);
    // The cost, and what is kept: the config handed over once never resumes; a config taken
    // per connection resumes within its generation.
    assert_eq!(resumed.get(&Use::Live).copied().unwrap_or(0), 0);
    assert!(
        resumed.get(&Use::Bound).copied().unwrap_or(0) > 0,
        "{resumed:?}"
    );
}

#[test]
fn a_client_rotation_reaches_every_new_handshake_under_load_cert_manager_pem() {
    client_rotation(false);
}

#[test]
fn a_client_rotation_reaches_every_new_handshake_under_load_cert_manager_combined_pem() {
    client_rotation(true);
}

/// Which CAs the server trusts in generation `k`: A, then A and B, then B alone (A dropped),
/// then A alone again (B dropped), and so on.
fn trusted(k: usize) -> &'static [&'static str] {
    match k % 3 {
        0 => &["a"],
        1 => &["a", "b"],
        _ => &["b"],
    }
}

fn bundle(pki: &Path, cas: &[&str]) -> Vec<u8> {
    cas.iter()
        .flat_map(|ca| std::fs::read(pki.join(format!("{ca}.crt"))).unwrap())
        .collect()
}

#[test]
fn a_server_trust_rotation_refuses_a_dropped_ca_from_the_next_handshake_under_load() {
    if !common::tools_present(&["openssl"]) {
        return;
    }
    let tmp = tempfile::tempdir().unwrap();
    let pki = tmp.path().join("pki");
    std::fs::create_dir(&pki).unwrap();
    ca_named(&pki, "a");
    ca_named(&pki, "b");
    leaf_signed(&pki, "a", "node");
    leaf_signed(&pki, "a", "client-a");
    leaf_signed(&pki, "b", "client-b");

    let mut volume = SecretVolume::new(tmp.path().join("node-secret"));
    let write = |volume: &mut SecretVolume, k: usize| {
        volume.write(&[
            ("keystore.pem", pem(&pki, "node")),
            ("ca.crt", bundle(&pki, trusted(k))),
        ])
    };
    write(&mut volume, 0);
    let (server, reloader) = reload::reloading_server_config(
        &pem_server_yaml(&volume.dir.join("keystore.pem"), &volume.dir.join("ca.crt")),
        ServerRole::Native,
        &TlsSettings::default(),
    )
    .unwrap();
    // An acceptor's config, taken once.
    let live = server.config_without_client_address_check().clone();
    // Two clients of fixed material that resume whatever the server lets them resume.
    let client = |name: &str, ca: &str| {
        std::fs::write(pki.join(format!("{name}.pem")), pem(&pki, name)).unwrap();
        DriverTls::new()
            .truststore_path(pki.join(format!("{ca}.crt")))
            .keystore_path(pki.join(format!("{name}.pem")))
            .build()
            .unwrap()
    };
    let clients = [
        ("a", client("client-a", "a")),
        ("b", client("client-b", "a")),
    ];

    let published = Published::default();
    let seen: Seen<(&str, Result<bool, String>)> = Mutex::new(Vec::new());
    let uses = [Use::Bound, Use::Live, Use::Bound];
    std::thread::scope(|scope| {
        for (i, how) in uses.into_iter().enumerate() {
            let (published, seen, server, live, clients) =
                (&published, &seen, &server, &live, &clients);
            scope.spawn(move || {
                let mut turn = i;
                while !published.stop.load(Ordering::SeqCst) {
                    turn += 1;
                    let (ca, client) = &clients[turn % 2];
                    let begun = published.begin();
                    let c = Handshake::client(client, "127.0.0.1").unwrap();
                    let s = match how {
                        Use::Bound | Use::Fixed => Handshake::server(server, addr()),
                        Use::Live => Handshake::dangerous_server_with_config(live.clone()),
                    }
                    .unwrap();
                    let result = handshake::in_memory(c, s).both();
                    let span = published.end(begun, how);
                    let result = result
                        .map(|((session, _), _)| session.resumed())
                        .map_err(|e| e.to_string());
                    seen.lock().unwrap().push((how, span, (*ca, result)));
                }
            });
        }
        for k in 1..=SWAPS {
            published.wait_for_clean(&uses, 4);
            published.swap(k, &reloader, || write(&mut volume, k));
        }
        published.wait_for_clean(&uses, 4);
        published.stop.store(true, Ordering::SeqCst);
    });

    let seen = seen.into_inner().unwrap();
    let mut wrong = Vec::new();
    let mut refused_after_a_drop = 0;
    let mut resumed: HashMap<Use, usize> = HashMap::new();
    for (how, span, (ca, result)) in &seen {
        let admitted = result.is_ok();
        *resumed.entry(*how).or_default() += usize::from(result.as_ref().is_ok_and(|r| *r));
        let why = result
            .as_ref()
            .err()
            .map(String::as_str)
            .unwrap_or("admitted");
        // A swap in progress when it ended may already be in use: allow up to end + 1.
        let possible: Vec<bool> = (span.start..=span.end + 1)
            .map(|k| trusted(k).contains(ca))
            .collect();
        if span.clean {
            let expected = trusted(span.start).contains(ca);
            if admitted != expected {
                wrong.push(format!(
                    "{how:?} {span:?}: client of CA {ca} under trust {:?}: {why}",
                    trusted(span.start)
                ));
            }
            if !expected && span.start > 0 {
                refused_after_a_drop += 1;
            }
        } else if !possible.contains(&admitted) {
            wrong.push(format!(
                "{how:?} {span:?}: client of CA {ca}: {why}, which no generation it overlapped decides"
            ));
        }
    }
    println!(
        "{} handshakes over {SWAPS} swaps, {refused_after_a_drop} refusals after a drop, {} wrong",
        seen.len(),
        wrong.len()
    );
    assert!(
        wrong.is_empty(),
        "{} of {} handshakes were decided by a truststore not in use; the first:\n{}",
        wrong.len(),
        seen.len(),
        wrong[..wrong.len().min(20)].join("\n")
    );
    assert!(refused_after_a_drop > 0);
    assert_eq!(reloader.generation(), SWAPS as u64);
    println!("resumed sessions: {resumed:?}");
    assert_eq!(resumed.get(&Use::Live).copied().unwrap_or(0), 0);
    assert!(
        resumed.get(&Use::Bound).copied().unwrap_or(0) > 0,
        "{resumed:?}"
    );
}

/// A cert-manager Secret with only `tls.crt`, `tls.key` and `ca.crt`, followed as one pair:
/// a swap to nothing, to a half-written certificate, to a key of another certificate keeps
/// the old generation (with an error in the caller's terms); a truststore without the server's
/// CA is valid by itself and applies; nothing in between is ever used.
#[test]
fn bad_swaps_of_a_cert_manager_pem_secret_keep_the_old_generation() {
    if !common::tools_present(&["openssl"]) {
        return;
    }
    let tmp = tempfile::tempdir().unwrap();
    let pki = tmp.path().join("pki");
    std::fs::create_dir(&pki).unwrap();
    ca_named(&pki, "ca");
    ca_named(&pki, "other");
    leaf_signed(&pki, "ca", "node");
    let app0 = leaf_signed(&pki, "ca", "app-0");
    let app1 = leaf_signed(&pki, "ca", "app-1");
    let app2 = leaf_signed(&pki, "ca", "app-2");
    std::fs::write(pki.join("node.pem"), pem(&pki, "node")).unwrap();
    let server = tls::server_config(
        &pem_server_yaml(&pki.join("node.pem"), &pki.join("ca.crt")),
        ServerRole::Native,
        &TlsSettings::default(),
    )
    .unwrap();
    let read = |name: &str| std::fs::read(pki.join(name)).unwrap();

    let mut volume = SecretVolume::new(tmp.path().join("app-secret"));
    volume.write(&cert_manager_files(&pki, "app-0", false));
    let secret = MountedSecret::open(&volume.dir, None, None).unwrap();
    let (client, reloader) = DriverTls::from_secret(&secret)
        .unwrap()
        .build_reloading()
        .unwrap();
    let mut watched = reloader.watched();
    watched.sort();
    let mut expected: Vec<_> = ["ca.crt", "tls.crt", "tls.key"]
        .iter()
        .map(|f| volume.dir.join(f))
        .collect();
    expected.sort();
    assert_eq!(
        watched, expected,
        "tls.key and tls.crt are followed with ca.crt"
    );
    let live = client.config().clone();
    let presented = || {
        [
            Handshake::client_with_config(live.clone(), "127.0.0.1").unwrap(),
            Handshake::client(&client, "127.0.0.1").unwrap(),
        ]
        .map(|c| {
            let s = Handshake::server(&server, addr()).unwrap();
            handshake::in_memory(c, s)
                .both()
                .map(|(_, (_, id))| id.chain()[0].sha256_hex())
                .map_err(|e| e.to_string())
        })
    };
    let failed = |o: Outcome| match o {
        Outcome::Failed { error, .. } => error.to_string(),
        other => panic!("expected a failed reload, got: {other}"),
    };
    assert_eq!(presented(), [Ok(app0.clone()), Ok(app0.clone())]);

    // ..data gone: the Secret's files dangle.
    volume.empty();
    let error = failed(reloader.check());
    assert!(
        error.contains(&volume.dir.display().to_string()) && !error.contains("PEMBased"),
        "names the Secret and the file, not a Java class: {error}"
    );
    assert!(
        ["ca.crt", "tls.crt", "tls.key"]
            .iter()
            .any(|f| error.contains(f)),
        "{error}"
    );
    assert_eq!(presented(), [Ok(app0.clone()), Ok(app0.clone())]);

    // A half-written certificate with its new key.
    let crt = read("app-1.crt");
    volume.write(&[
        ("tls.crt", crt[..crt.len() / 2].to_vec()),
        ("tls.key", read("app-1.key")),
        ("ca.crt", read("ca.crt")),
    ]);
    let error = failed(reloader.check());
    assert!(
        error.contains(&volume.dir.join("tls.crt").display().to_string()),
        "names tls.crt: {error}"
    );
    assert_eq!(presented(), [Ok(app0.clone()), Ok(app0.clone())]);

    // A key of another certificate.
    volume.write(&[
        ("tls.crt", read("app-2.crt")),
        ("tls.key", read("app-1.key")),
        ("ca.crt", read("ca.crt")),
    ]);
    let error = failed(reloader.check());
    assert!(
        error.contains(&volume.dir.join("tls.key").display().to_string())
            && error.contains("does not match"),
        "names the pair: {error}"
    );
    assert_eq!(presented(), [Ok(app0.clone()), Ok(app0.clone())]);

    // A whole new pair applies.
    volume.write(&cert_manager_files(&pki, "app-1", false));
    assert!(matches!(reloader.check(), Outcome::Reloaded { .. }));
    assert_eq!(presented(), [Ok(app1.clone()), Ok(app1.clone())]);

    // A new pair with a truststore without the server's CA: valid by itself, so it applies,
    // and the server is refused from the next handshake on.
    volume.write(&[
        ("tls.crt", read("app-2.crt")),
        ("tls.key", read("app-2.key")),
        ("ca.crt", read("other.crt")),
    ]);
    assert!(matches!(reloader.check(), Outcome::Reloaded { .. }));
    for result in presented() {
        let error = result.expect_err("the server's CA is no longer trusted");
        assert!(
            error.contains("issuer") || error.contains("trust"),
            "{error}"
        );
    }
    let _ = app2;
}

/// The SHA-256 of a DER certificate, as OpenSSL prints it.
fn sha256(der: &[u8]) -> String {
    cassandra_tls::keystore::Certificate::from_der_bytes(der.to_vec())
        .unwrap()
        .sha256_hex()
}

/// Which CAs the socket server trusts in generation `k`: A and B, then A alone (B dropped).
fn socket_trusted(k: usize) -> &'static [&'static str] {
    if k.is_multiple_of(2) {
        &["a", "b"]
    } else {
        &["a"]
    }
}

/// One connection over TCP with tokio-rustls: the server's leaf, and the client leaf the server
/// saw (it writes its SHA-256 back), or why the connection failed.
async fn connect_once(
    connector: tokio_rustls::TlsConnector,
    port: u16,
) -> Result<(String, String), String> {
    use tokio::io::AsyncReadExt;
    let sock = tokio::net::TcpStream::connect(("127.0.0.1", port))
        .await
        .map_err(|e| e.to_string())?;
    let name = rustls::pki_types::ServerName::try_from("127.0.0.1").unwrap();
    let mut tls = connector
        .connect(name, sock)
        .await
        .map_err(|e| e.to_string())?;
    let server_leaf = sha256(&tls.get_ref().1.peer_certificates().unwrap()[0]);
    let mut line = String::new();
    tls.read_to_string(&mut line)
        .await
        .map_err(|e| e.to_string())?;
    match line.trim() {
        "" => Err("the server closed without an answer".into()),
        seen => Ok((server_leaf, seen.to_owned())),
    }
}

/// Both sides reloading over real sockets with tokio-rustls: the server rotates its key and
/// its truststore (B dropped every other generation), a `DriverTls` client rotates its
/// certificate; the server accepts with the live config and with `config_for` per connection,
/// the client connects with the live config and with `current_config` per connection.
#[test]
fn both_sides_reloading_over_sockets_with_tokio_rustls() {
    const SOCKET_SWAPS: usize = 30;
    if !common::tools_present(&["openssl"]) {
        return;
    }
    let tmp = tempfile::tempdir().unwrap();
    let pki = tmp.path().join("pki");
    std::fs::create_dir(&pki).unwrap();
    ca_named(&pki, "a");
    ca_named(&pki, "b");
    std::fs::copy(pki.join("a.crt"), pki.join("ca.crt")).unwrap();
    let mut nodes = HashMap::new();
    let mut apps = HashMap::new();
    for k in 0..=SOCKET_SWAPS {
        nodes.insert(leaf_signed(&pki, "a", &format!("node-{k}")), k);
        apps.insert(leaf_signed(&pki, "a", &format!("app-{k}")), k);
    }
    let other = leaf_signed(&pki, "b", "other");
    std::fs::write(pki.join("other.pem"), pem(&pki, "other")).unwrap();

    let mut node_volume = SecretVolume::new(tmp.path().join("node-secret"));
    let mut app_volume = SecretVolume::new(tmp.path().join("app-secret"));
    let dir = pki.clone();
    let write = move |node_volume: &mut SecretVolume, app_volume: &mut SecretVolume, k: usize| {
        let pki = dir.as_path();
        node_volume.write(&[
            ("keystore.pem", pem(pki, &format!("node-{k}"))),
            ("ca.crt", bundle(pki, socket_trusted(k))),
        ]);
        app_volume.write(&cert_manager_files(pki, &format!("app-{k}"), false));
    };
    write(&mut node_volume, &mut app_volume, 0);
    let (server, server_reloader) = reload::reloading_server_config(
        &pem_server_yaml(
            &node_volume.dir.join("keystore.pem"),
            &node_volume.dir.join("ca.crt"),
        ),
        ServerRole::Native,
        &TlsSettings::default(),
    )
    .unwrap();
    let secret = MountedSecret::open(&app_volume.dir, None, None).unwrap();
    let (client, client_reloader) = DriverTls::from_secret(&secret)
        .unwrap()
        .build_reloading()
        .unwrap();
    // A client of CA B with fixed material, which keeps its sessions.
    let outsider = DriverTls::new()
        .truststore_path(pki.join("a.crt"))
        .keystore_path(pki.join("other.pem"))
        .build()
        .unwrap();

    let published = std::sync::Arc::new(Published::default());
    let runtime = tokio::runtime::Builder::new_multi_thread()
        .worker_threads(2)
        .enable_all()
        .build()
        .unwrap();
    let (app_seen, outsider_seen) = runtime.block_on(async {
        let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
        let port = listener.local_addr().unwrap().port();
        let live_server = server.config_without_client_address_check().clone();
        let server_task = tokio::spawn(async move {
            use tokio::io::AsyncWriteExt;
            for n in 0usize.. {
                let Ok((sock, peer)) = listener.accept().await else {
                    return;
                };
                // Half the connections with the acceptor's config taken once, half bound.
                let config = if n % 2 == 0 {
                    live_server.clone()
                } else {
                    server.config_for(peer.ip())
                };
                tokio::spawn(async move {
                    let acceptor = tokio_rustls::TlsAcceptor::from(config);
                    if let Ok(mut tls) = acceptor.accept(sock).await {
                        let seen = tls.get_ref().1.peer_certificates().map(|c| sha256(&c[0]));
                        let line = format!("{}\n", seen.unwrap_or_default());
                        let _ = tls.write_all(line.as_bytes()).await;
                        let _ = tls.shutdown().await;
                    }
                });
            }
        });

        let live_client = client.config().clone();
        let app = {
            let published = published.clone();
            tokio::spawn(async move {
                let mut seen = Vec::new();
                for n in 0usize.. {
                    if published.stop.load(Ordering::SeqCst) {
                        break;
                    }
                    let how = if n % 2 == 0 { Use::Live } else { Use::Bound };
                    let config = match how {
                        Use::Live => live_client.clone(),
                        Use::Bound | Use::Fixed => client.current_config(),
                    };
                    let begun = published.begin();
                    let result = connect_once(config.into(), port).await;
                    seen.push((how, published.end(begun, how), result));
                }
                seen
            })
        };
        let outsider = {
            let published = published.clone();
            let connector = tokio_rustls::TlsConnector::from(outsider.config().clone());
            tokio::spawn(async move {
                let mut seen = Vec::new();
                while !published.stop.load(Ordering::SeqCst) {
                    let begun = published.begin();
                    let result = connect_once(connector.clone(), port).await;
                    let span = published.end(begun, Use::Fixed);
                    seen.push((span, result.is_ok()));
                    tokio::task::yield_now().await;
                }
                seen
            })
        };
        let swapper = {
            let published = published.clone();
            tokio::task::spawn_blocking(move || {
                for k in 1..=SOCKET_SWAPS {
                    published.wait_for_clean(&[Use::Live, Use::Bound], 2);
                    published.swapping.store(true, Ordering::SeqCst);
                    write(&mut node_volume, &mut app_volume, k);
                    for (who, reloader) in
                        [("server", &server_reloader), ("client", &client_reloader)]
                    {
                        match reloader.check() {
                            Outcome::Reloaded { .. } => {}
                            other => panic!("{who} swap {k}: {other}"),
                        }
                    }
                    published.generation.store(k, Ordering::SeqCst);
                    published.swapping.store(false, Ordering::SeqCst);
                }
                published.wait_for_clean(&[Use::Live, Use::Bound], 2);
                published.stop.store(true, Ordering::SeqCst);
            })
        };
        swapper.await.unwrap();
        let seen = (app.await.unwrap(), outsider.await.unwrap());
        server_task.abort();
        seen
    });

    let mut wrong = Vec::new();
    for (how, span, result) in &app_seen {
        match result {
            Err(e) => wrong.push(format!("{how:?} {span:?}: the app failed: {e}")),
            Ok((node, app)) => {
                let (n, a) = (nodes[node], apps[app]);
                if n < span.start
                    || a < span.start
                    || (span.clean && (n, a) != (span.start, span.start))
                {
                    wrong.push(format!("{how:?} {span:?}: server node-{n}, client app-{a}"));
                }
            }
        }
    }
    let mut refused_after_a_drop = 0;
    for (span, admitted) in &outsider_seen {
        let possible: Vec<bool> = (span.start..=span.end + 1)
            .map(|k| socket_trusted(k).contains(&"b"))
            .collect();
        let expected = socket_trusted(span.start).contains(&"b");
        if (span.clean && *admitted != expected) || !possible.contains(admitted) {
            wrong.push(format!("outsider {span:?}: admitted {admitted}"));
        }
        refused_after_a_drop += usize::from(span.clean && !expected);
    }
    println!(
        "{} app and {} outsider connections over {SOCKET_SWAPS} swaps, {refused_after_a_drop} refusals after a drop, {} wrong",
        app_seen.len(),
        outsider_seen.len(),
        wrong.len()
    );
    assert!(
        wrong.is_empty(),
        "{} connections used material not in use; the first:\n{}",
        wrong.len(),
        wrong[..wrong.len().min(20)].join("\n")
    );
    assert!(refused_after_a_drop > 0);
    assert!(!other.is_empty());
}

/// `check()` racing the kubelet's writer: a writer thread swaps a cert-manager Secret to the
/// next client pair as fast as it can while another thread checks every millisecond and
/// handshakes run without pause. A load that saw the files change while it read them is thrown
/// away, so a key never meets another write's certificate: no handshake fails, every
/// certificate presented is one a write held, and once the writer stops the last one is used.
#[test]
fn checks_racing_the_kubelet_writer_never_put_a_mixed_pair_in_use() {
    if !common::tools_present(&["openssl"]) {
        return;
    }
    const PAIRS: usize = 6;
    let ClientRig {
        pki,
        leaves,
        server,
        mut volume,
        client,
        reloader,
        _tmp,
    } = client_rig(PAIRS, false);
    let live = client.config().clone();

    let stop = AtomicBool::new(false);
    let writes = AtomicUsize::new(0);
    let outcomes = Mutex::new((0usize, 0usize));
    let seen = Mutex::new(Vec::new());
    let last = std::thread::scope(|scope| {
        scope.spawn(|| {
            while !stop.load(Ordering::SeqCst) {
                let o = reloader.check();
                let mut counts = outcomes.lock().unwrap();
                match o {
                    Outcome::Reloaded { .. } => counts.0 += 1,
                    Outcome::Failed { .. } => counts.1 += 1,
                    _ => {}
                }
                drop(counts);
                std::thread::sleep(Duration::from_millis(1));
            }
        });
        for how in [Use::Live, Use::Bound] {
            let (stop, seen, client, server, live) = (&stop, &seen, &client, &server, &live);
            scope.spawn(move || {
                while !stop.load(Ordering::SeqCst) {
                    let c = match how {
                        Use::Live => Handshake::client_with_config(live.clone(), "127.0.0.1"),
                        _ => Handshake::client(client, "127.0.0.1"),
                    }
                    .unwrap();
                    let s = Handshake::server(server, addr()).unwrap();
                    let result = handshake::in_memory(c, s)
                        .both()
                        .map(|(_, (_, id))| id.chain()[0].sha256_hex())
                        .map_err(|e| e.to_string());
                    seen.lock().unwrap().push(result);
                }
            });
        }
        let started = Instant::now();
        let mut k = 0;
        while started.elapsed() < Duration::from_secs(3) || writes.load(Ordering::SeqCst) < 50 {
            k += 1;
            volume.write(&cert_manager_files(
                &pki,
                &format!("app-{}", k % PAIRS),
                false,
            ));
            writes.fetch_add(1, Ordering::SeqCst);
            assert!(
                started.elapsed() < Duration::from_secs(120),
                "the writer stopped progressing"
            );
        }
        stop.store(true, Ordering::SeqCst);
        k % PAIRS
    });
    // The writer has stopped: the next check takes its last write.
    let _ = reloader.check();
    let c = Handshake::client(&client, "127.0.0.1").unwrap();
    let s = Handshake::server(&server, addr()).unwrap();
    let (_, (_, id)) = handshake::in_memory(c, s).both().unwrap();
    assert_eq!(id.chain()[0].sha256_hex(), leaves[last]);

    let seen = seen.into_inner().unwrap();
    let (reloaded, failed) = outcomes.into_inner().unwrap();
    println!(
        "{} writes, {reloaded} reloads, {failed} refused loads, {} handshakes",
        writes.load(Ordering::SeqCst),
        seen.len()
    );
    let wrong: Vec<_> = seen
        .iter()
        .filter(|r| !r.as_ref().is_ok_and(|sha| leaves.contains(sha)))
        .collect();
    assert!(
        wrong.is_empty(),
        "{} of {}: {:?}",
        wrong.len(),
        seen.len(),
        &wrong[..wrong.len().min(10)]
    );
    assert!(reloaded > 0);
}
