//! A real three-node Cassandra 5.0 cluster (127.0.0.1 to .3) with internode mTLS and endpoint
//! verification, client-to-node mTLS, one node on JKS, one on PKCS#12 and one on PEM, key
//! material written by this crate's test PKI; then a zero-downtime rotation to a new CA with
//! `nodetool reloadssl`, while clients keep querying.
#![cfg(feature = "diagnostics")]
#![cfg(feature = "test-pki")]

mod common;

use std::net::{IpAddr, SocketAddr, TcpStream};
use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicBool, AtomicUsize, Ordering};
use std::sync::{Arc, Mutex};
use std::time::Duration;

use cassandra_tls::doctor::{self, Severity};
use cassandra_tls::handshake::{Handshake, blocking};
use cassandra_tls::keystore::Certificate;
use cassandra_tls::options::CassandraYaml;
use cassandra_tls::probe::{self, ClientAuthMode, PortKind, ProbeOptions, Target};
use cassandra_tls::test_pki::write::{self, Pkcs12Profile, StoreEntry};
use cassandra_tls::test_pki::{Ca, Identity};
use cassandra_tls::tls::{self, ClientRole, ClientTls, TlsSettings, reload};
use common::cluster::{self, Cluster, IPS, Ports};
use rustls::pki_types::UnixTime;

const STORE_PASSWORD: &str = "cluster-store-pass";
const KEY_PASSWORD: &str = "cluster-key-pass";

/// How a node keeps its material.
#[derive(Clone, Copy, Debug, PartialEq)]
enum Kind {
    Jks,
    Pkcs12,
    Pem,
}

const KINDS: [Kind; 3] = [Kind::Jks, Kind::Pkcs12, Kind::Pem];

impl Kind {
    fn keystore(self) -> &'static str {
        match self {
            Kind::Jks => "keystore.jks",
            Kind::Pkcs12 => "keystore.p12",
            Kind::Pem => "keystore.pem",
        }
    }

    fn truststore(self) -> &'static str {
        match self {
            Kind::Jks => "truststore.jks",
            Kind::Pkcs12 => "truststore.p12",
            Kind::Pem => "truststore.pem",
        }
    }

    /// The store settings of one encryption section (indented two spaces).
    fn settings(self, dir: &Path) -> String {
        let d = dir.display();
        let common = format!(
            "  keystore: {d}/{}\n  keystore_password: {}\n  truststore: {d}/{}\n",
            self.keystore(),
            match self {
                Kind::Pem => KEY_PASSWORD,
                _ => STORE_PASSWORD,
            },
            self.truststore(),
        );
        match self {
            Kind::Jks => format!("{common}  truststore_password: {STORE_PASSWORD}\n"),
            Kind::Pkcs12 => {
                format!("{common}  truststore_password: {STORE_PASSWORD}\n  store_type: PKCS12\n")
            }
            Kind::Pem => format!(
                "{common}  ssl_context_factory:\n    class_name: org.apache.cassandra.security.PEMBasedSslContextFactory\n"
            ),
        }
    }

    /// Writes the node's key store (JKS and PKCS#12 with a key password that differs from the
    /// store password only where the type allows it: Cassandra passes one password for both).
    fn write_keystore(self, dir: &Path, identity: &Identity) {
        let bytes = match self {
            Kind::Jks => write::jks(
                &[StoreEntry::key("node", identity)],
                STORE_PASSWORD,
                STORE_PASSWORD,
            )
            .unwrap(),
            Kind::Pkcs12 => write::pkcs12(
                &[StoreEntry::key("node", identity)],
                STORE_PASSWORD,
                STORE_PASSWORD,
                Pkcs12Profile::Jdk17,
            )
            .unwrap(),
            Kind::Pem => write::pem(identity, Some(KEY_PASSWORD))
                .unwrap()
                .into_bytes(),
        };
        replace(&dir.join(self.keystore()), &bytes);
    }

    /// Writes the node's truststore with the CAs given.
    fn write_truststore(self, dir: &Path, cas: &[&Certificate]) {
        let aliases: Vec<String> = (0..cas.len()).map(|i| format!("ca{i}")).collect();
        let entries: Vec<StoreEntry<'_>> = cas
            .iter()
            .zip(&aliases)
            .map(|(c, a)| StoreEntry::trusted(a, c))
            .collect();
        let bytes = match self {
            Kind::Jks => write::jks(&entries, STORE_PASSWORD, STORE_PASSWORD).unwrap(),
            Kind::Pkcs12 => write::pkcs12(
                &entries,
                STORE_PASSWORD,
                STORE_PASSWORD,
                Pkcs12Profile::Jdk17,
            )
            .unwrap(),
            Kind::Pem => write::pem_certificates(cas).into_bytes(),
        };
        replace(&dir.join(self.truststore()), &bytes);
    }
}

/// Replaces a file as operators do with `mv`: write beside it, then rename over it, so that a
/// reload never reads half a file.
fn replace(path: &Path, bytes: &[u8]) {
    let tmp = path.with_extension("new");
    std::fs::write(&tmp, bytes).unwrap();
    std::fs::rename(&tmp, path).unwrap();
}

/// The address a connection between two loopback addresses leaves from. Linux picks it from
/// the route `local 127.0.0.0/8 dev lo src 127.0.0.1`, whatever the destination, and Cassandra
/// checks an inbound internode client certificate against the connection's source address
/// (InboundConnectionInitiator: `channel.remoteAddress()` when require_endpoint_verification is
/// on). On one host, nodes 2 and 3 therefore arrive from 127.0.0.1.
fn loopback_source() -> IpAddr {
    let listener = std::net::TcpListener::bind((IPS[1], 0)).unwrap();
    let conn = std::net::TcpStream::connect(listener.local_addr().unwrap()).unwrap();
    conn.local_addr().unwrap().ip()
}

/// A node certificate: it names the node's IP, and the loopback source address as well, which
/// only a single-host cluster needs (see [`loopback_source`]).
fn node_identity(ca: &Ca, i: usize) -> Identity {
    let mut leaf = ca.leaf(&format!("node{}", i + 1)).ip(IPS[i]);
    let source = loopback_source();
    if source != IPS[i] {
        leaf = leaf.ip(source);
    }
    leaf.issue().unwrap()
}

fn node_yaml(ip: IpAddr, ports: &Ports, kind: Kind, dir: &Path) -> String {
    let settings = kind.settings(dir);
    format!(
        "{}server_encryption_options:\n  internode_encryption: all\n  require_client_auth: true\n  require_endpoint_verification: true\n{settings}client_encryption_options:\n  enabled: true\n  require_client_auth: true\n{settings}",
        cluster::base_yaml(ip, ports)
    )
}

fn setup(root: &Path, ca: &Ca, ports: &Ports) -> [PathBuf; 3] {
    let dirs: [PathBuf; 3] = std::array::from_fn(|i| root.join(format!("node{}", i + 1)));
    for (i, dir) in dirs.iter().enumerate() {
        std::fs::create_dir_all(dir).unwrap();
        KINDS[i].write_keystore(dir, &node_identity(ca, i));
        KINDS[i].write_truststore(dir, &[ca.certificate()]);
        std::fs::write(
            dir.join("cassandra.yaml"),
            node_yaml(IPS[i], ports, KINDS[i], dir),
        )
        .unwrap();
    }
    dirs
}

/// Our client's directory: a JKS key store with a client certificate and a JKS truststore, and
/// the yaml that names them (with endpoint verification: the node's certificate must name the
/// address dialled).
fn client_setup(dir: &Path, ca: &Ca) -> PathBuf {
    std::fs::create_dir_all(dir).unwrap();
    Kind::Jks.write_keystore(dir, &ca.leaf("client").issue().unwrap());
    Kind::Jks.write_truststore(dir, &[ca.certificate()]);
    let yaml = dir.join("client.yaml");
    std::fs::write(
        &yaml,
        format!(
            "client_encryption_options:\n  enabled: true\n  require_endpoint_verification: true\n{}",
            Kind::Jks.settings(dir)
        ),
    )
    .unwrap();
    yaml
}

fn client_from(yaml: &Path) -> ClientTls {
    let y = CassandraYaml::load_file(yaml).unwrap();
    tls::client_config(&y, ClientRole::Native, &TlsSettings::default()).unwrap()
}

/// OPTIONS, STARTUP and a query to one node over a new TLS session.
fn query_node(client: &ClientTls, ip: IpAddr, port: u16) -> Result<String, String> {
    let addr = SocketAddr::new(ip, port);
    let mut sock =
        TcpStream::connect_timeout(&addr, Duration::from_secs(30)).map_err(|e| e.to_string())?;
    sock.set_read_timeout(Some(Duration::from_secs(30)))
        .unwrap();
    sock.set_write_timeout(Some(Duration::from_secs(30)))
        .unwrap();
    let hs = Handshake::client(client, &ip.to_string()).map_err(|e| e.to_string())?;
    let (mut session, peer) =
        blocking::handshake(hs, &mut sock).map_err(|e| format!("{ip}: {e}"))?;
    assert!(
        peer.ip_addresses().contains(&ip),
        "{ip} served {:?}",
        peer.ip_addresses()
    );
    common::cql::try_cql_over_tls(&mut session, &mut sock).map_err(|e| format!("{ip}: {e}"))
}

/// Every node's yaml checked alone and together: no error at any stage of a rotation.
fn doctor_everywhere(cluster: &Cluster, stage: &str) -> doctor::ClusterReport {
    let yamls: Vec<CassandraYaml> = cluster
        .nodes
        .iter()
        .map(|n| CassandraYaml::load_file(&n.yaml).unwrap())
        .collect();
    let report = doctor::check_cluster(&yamls, UnixTime::now());
    let errors: Vec<String> = report
        .nodes
        .iter()
        .flat_map(|(name, r)| r.findings.iter().map(move |f| (name, f)))
        .chain(
            report
                .findings
                .iter()
                .map(|f| (&report.internode.nodes[0], f)),
        )
        .filter(|(_, f)| f.severity == Severity::Error)
        .map(|(n, f)| format!("{n}: {} {}: {}", f.section, f.check, f.message))
        .collect();
    assert!(
        errors.is_empty(),
        "{stage}: doctor finds errors: {errors:#?}"
    );
    assert!(
        report.internode.all_ok(),
        "{stage}: {:#?}",
        report.internode
    );
    assert!(
        report.client_to_node.all_ok(),
        "{stage}: {:#?}",
        report.client_to_node
    );
    // The command too, as an operator runs it on the nodes' directory.
    let dirs: Vec<String> = cluster
        .nodes
        .iter()
        .map(|n| n.yaml.display().to_string())
        .collect();
    let out = std::process::Command::new(env!("CARGO_BIN_EXE_cassandra-tls"))
        .arg("doctor")
        .args(&dirs)
        .arg("--json")
        .output()
        .unwrap();
    let v: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    assert_eq!(v["summary"]["errors"], 0, "{stage}: {v:#}");
    assert!(out.status.success(), "{stage}");
    report
}

/// `nodetool reloadssl` on a node, and its log saying the contexts were rebuilt.
fn reloadssl(cluster: &Cluster, i: usize) {
    let node = &cluster.nodes[i];
    let (ok, said) = node.nodetool(&["reloadssl"]);
    assert!(ok, "nodetool reloadssl on {}: {said}", node.ip);
    assert!(
        node.wait_for(
            "SSL certificates have been updated",
            Duration::from_secs(60)
        )
        .is_some(),
        "{} did not reload: {:#?}",
        node.ip,
        node.errors()
    );
    let failed: Vec<String> = node
        .output
        .lock()
        .unwrap()
        .iter()
        .filter(|l| l.contains("Failed to hot reload"))
        .cloned()
        .collect();
    assert!(failed.is_empty(), "{}: {failed:#?}", node.ip);
}

/// Clients that keep querying until told to stop: our sessions (a new handshake per query, to
/// every node in turn) and the scylla driver (a new session every few queries, so that its
/// handshakes too meet every stage's material).
struct Load {
    stop: Arc<AtomicBool>,
    ok: Arc<AtomicUsize>,
    failures: Arc<Mutex<Vec<String>>>,
    threads: Vec<std::thread::JoinHandle<()>>,
}

impl Load {
    fn start(client: &ClientTls, port: u16) -> Load {
        let stop = Arc::new(AtomicBool::new(false));
        let ok = Arc::new(AtomicUsize::new(0));
        let failures = Arc::new(Mutex::new(Vec::new()));
        let mut threads = Vec::new();
        {
            let (stop, ok, failures, client) =
                (stop.clone(), ok.clone(), failures.clone(), client.clone());
            threads.push(std::thread::spawn(move || {
                let mut i = 0;
                while !stop.load(Ordering::SeqCst) {
                    match query_node(&client, IPS[i % 3], port) {
                        Ok(_) => {
                            ok.fetch_add(1, Ordering::SeqCst);
                        }
                        Err(e) => failures.lock().unwrap().push(format!("ours: {e}")),
                    }
                    i += 1;
                }
            }));
        }
        {
            let (stop, ok, failures, config) = (
                stop.clone(),
                ok.clone(),
                failures.clone(),
                client.config().clone(),
            );
            threads.push(std::thread::spawn(move || {
                let rt = tokio::runtime::Builder::new_current_thread()
                    .enable_all()
                    .build()
                    .unwrap();
                rt.block_on(async move {
                    while !stop.load(Ordering::SeqCst) {
                        let session = scylla::client::session_builder::SessionBuilder::new()
                            .known_nodes(IPS.iter().map(|ip| format!("{ip}:{port}")))
                            .tls_context(Some(config.clone()))
                            .connection_timeout(Duration::from_secs(30))
                            .build()
                            .await;
                        let session = match session {
                            Ok(s) => s,
                            Err(e) => {
                                failures
                                    .lock()
                                    .unwrap()
                                    .push(format!("scylla session: {e}"));
                                continue;
                            }
                        };
                        for _ in 0..5 {
                            match session
                                .query_unpaged("SELECT release_version FROM system.local", &[])
                                .await
                            {
                                Ok(_) => {
                                    ok.fetch_add(1, Ordering::SeqCst);
                                }
                                Err(e) => {
                                    failures.lock().unwrap().push(format!("scylla query: {e}"))
                                }
                            }
                        }
                    }
                });
            }));
        }
        Load {
            stop,
            ok,
            failures,
            threads,
        }
    }

    /// Waits until `more` further queries succeeded (the load runs through the stage).
    fn wait_for_queries(&self, more: usize) {
        let target = self.ok.load(Ordering::SeqCst) + more;
        let deadline = std::time::Instant::now() + Duration::from_secs(120);
        while self.ok.load(Ordering::SeqCst) < target {
            assert!(
                std::time::Instant::now() < deadline,
                "the load stalled: {:#?}",
                self.failures.lock().unwrap()
            );
            std::thread::sleep(Duration::from_millis(50));
        }
    }

    fn finish(self) -> (usize, Vec<String>) {
        self.stop.store(true, Ordering::SeqCst);
        for t in self.threads {
            t.join().unwrap();
        }
        let failures = self.failures.lock().unwrap().clone();
        (self.ok.load(Ordering::SeqCst), failures)
    }
}

#[test]
fn a_three_node_cluster_rotates_to_a_new_ca_without_a_failed_query() {
    let root = tempfile::tempdir().unwrap();
    let old_ca = Ca::root("cluster CA 2026").unwrap();
    let new_ca = Ca::root("cluster CA 2027").unwrap();
    let ports = Ports::pick();
    let dirs = setup(root.path(), &old_ca, &ports);
    let client_yaml = client_setup(&root.path().join("client"), &old_ca);
    let Some(started) = cluster::start(&dirs, ports) else {
        return;
    };
    let cluster = started.unwrap_or_else(|said| panic!("the cluster did not form: {said:#?}"));

    // Gossip over internode mTLS: every node reports all three Up and Normal.
    for n in &cluster.nodes {
        let (ok, status) = n.nodetool(&["status"]);
        assert!(ok, "{status}");
        for ip in IPS {
            assert!(
                status
                    .lines()
                    .any(|l| l.starts_with("UN")
                        && l.split_whitespace().nth(1) == Some(&ip.to_string())),
                "{} does not see {ip} up: {status}",
                n.ip
            );
        }
    }
    // The nodes' internode connections are TLS with client certificates: each node's log has
    // no handshake error.
    for n in &cluster.nodes {
        let handshake_errors: Vec<String> = n
            .errors()
            .into_iter()
            .filter(|l| l.contains("handshake"))
            .collect();
        assert!(
            handshake_errors.is_empty(),
            "{}: {handshake_errors:#?}",
            n.ip
        );
    }

    // Our client runs CQL against every node.
    let (client, client_reloader) = reload::reloading_client_config(
        &CassandraYaml::load_file(&client_yaml).unwrap(),
        ClientRole::Native,
        &TlsSettings::default(),
    )
    .unwrap();
    for ip in IPS {
        let version = query_node(&client, ip, ports.native).unwrap();
        assert_eq!(version, cluster.version);
    }

    // probe --cluster: found from one node, every node's native and storage ports probed.
    let nodes = probe::discover(
        &Target::new("127.0.0.1", ports.native, PortKind::Native),
        &client,
        Duration::from_secs(30),
    )
    .unwrap();
    let mut found: Vec<IpAddr> = nodes.iter().map(|n| n.native_address).collect();
    found.sort();
    assert_eq!(found, IPS.to_vec(), "{nodes:#?}");
    assert!(
        nodes
            .iter()
            .all(|n| n.native_port == ports.native && n.storage_port == ports.storage),
        "{nodes:#?}"
    );
    let node_yaml = CassandraYaml::load_file(&cluster.nodes[0].yaml).unwrap();
    let options = ProbeOptions {
        native_client: Some(client.clone()),
        internode_client: Some(
            tls::client_config(&node_yaml, ClientRole::Internode, &TlsSettings::default()).unwrap(),
        ),
        timeout: Duration::from_secs(60),
        ..ProbeOptions::default()
    };
    let mut targets: Vec<Target> = nodes.iter().map(|n| n.native_target()).collect();
    targets.extend(nodes.iter().map(|n| n.storage_target()));
    let reports = probe::probe_all(&targets, &options);
    for r in &reports {
        let ip: IpAddr = r.target.rsplit_once(':').unwrap().0.parse().unwrap();
        let i = IPS.iter().position(|x| *x == ip).unwrap();
        assert!(r.tls, "{r:#?}");
        assert!(r.chain[0].issuer.contains("CN=cluster CA 2026"), "{r:#?}");
        assert!(r.chain[0].ip_addresses.contains(&ip), "{r:#?}");
        assert!(
            r.chain[0].subject.contains(&format!("CN=node{}", i + 1)),
            "{r:#?}"
        );
        assert_eq!(r.name_matches, Some(true));
        assert!(r.validation.as_ref().unwrap().trusted, "{r:#?}");
        assert_eq!(r.client_auth, Some(ClientAuthMode::Required), "{r:#?}");
        assert_eq!(r.worst(), "ok", "{:#?}", r.findings);
        if r.kind == PortKind::Native {
            assert_eq!(r.plaintext, Some(false), "ENCRYPTED native port: {r:#?}");
        }
    }

    // The rotation, under load.
    doctor_everywhere(&cluster, "before");
    let load = Load::start(&client, ports.native);
    load.wait_for_queries(20);

    // 1. The new CA joins every truststore (ours too), and every node reloads.
    for (i, n) in cluster.nodes.iter().enumerate() {
        KINDS[i].write_truststore(&n.dir, &[old_ca.certificate(), new_ca.certificate()]);
        reloadssl(&cluster, i);
    }
    Kind::Jks.write_truststore(
        &root.path().join("client"),
        &[old_ca.certificate(), new_ca.certificate()],
    );
    let outcome = client_reloader.force();
    assert!(
        matches!(outcome, reload::Outcome::Reloaded { .. }),
        "{}: {outcome}",
        "our client's trust reload"
    );
    let report = doctor_everywhere(&cluster, "both CAs trusted");
    let stores = report
        .findings
        .iter()
        .find(|f| f.check == "stores")
        .unwrap();
    for t in ["jks", "pkcs12", "pem"] {
        assert!(stores.message.contains(t), "{}", stores.message);
    }
    assert!(
        report.findings.iter().any(|f| f.check == "rotation"
            && f.severity == Severity::Ok
            && f.message.contains("cluster CA 2027")),
        "the doctor sees the next CA staged everywhere: {:#?}",
        report.findings
    );
    load.wait_for_queries(20);

    // 2. Each node, one at a time, moves to a key store from the new CA; then our client.
    let mut new_leaves = Vec::new();
    for (i, n) in cluster.nodes.iter().enumerate() {
        let identity = node_identity(&new_ca, i);
        new_leaves.push(identity.certificate().sha256_hex());
        KINDS[i].write_keystore(&n.dir, &identity);
        reloadssl(&cluster, i);
        doctor_everywhere(&cluster, &format!("node{} moved", i + 1));
        load.wait_for_queries(10);
    }
    Kind::Jks.write_keystore(
        &root.path().join("client"),
        &new_ca.leaf("client").issue().unwrap(),
    );
    let outcome = client_reloader.force();
    assert!(
        matches!(outcome, reload::Outcome::Reloaded { .. }),
        "{}: {outcome}",
        "our client's key reload"
    );
    load.wait_for_queries(20);

    // 3. The old CA leaves every truststore.
    for (i, n) in cluster.nodes.iter().enumerate() {
        KINDS[i].write_truststore(&n.dir, &[new_ca.certificate()]);
        reloadssl(&cluster, i);
    }
    Kind::Jks.write_truststore(&root.path().join("client"), &[new_ca.certificate()]);
    let outcome = client_reloader.force();
    assert!(
        matches!(outcome, reload::Outcome::Reloaded { .. }),
        "{}: {outcome}",
        "our client's trust reload"
    );
    doctor_everywhere(&cluster, "after");
    load.wait_for_queries(20);

    let (queries, failures) = load.finish();
    assert!(
        failures.is_empty(),
        "{} failed queries of {}: {failures:#?}",
        failures.len(),
        queries + failures.len()
    );
    eprintln!("{queries} queries, none failed, through the rotation");

    // Every node serves its new chain, to our sessions and to probe.
    let reports = probe::probe_all(
        &nodes.iter().map(|n| n.native_target()).collect::<Vec<_>>(),
        &options,
    );
    for r in &reports {
        let ip: IpAddr = r.target.rsplit_once(':').unwrap().0.parse().unwrap();
        let i = IPS.iter().position(|x| *x == ip).unwrap();
        assert_eq!(r.chain[0].sha256, new_leaves[i], "{r:#?}");
        assert!(r.chain[0].issuer.contains("CN=cluster CA 2027"), "{r:#?}");
    }
    // A client that trusts only the old CA is refused: it cannot trust the new chains.
    let old_only = root.path().join("old-client");
    let old_client = client_from(&client_setup(&old_only, &old_ca));
    for ip in IPS {
        let err = query_node(&old_client, ip, ports.native).unwrap_err();
        assert!(
            err.contains("CA") || err.contains("issuer") || err.contains("trust"),
            "{err}"
        );
    }
    // And a client certificate from the old CA is refused by the nodes (mutual TLS).
    Kind::Jks.write_truststore(&old_only, &[new_ca.certificate()]);
    let old_cert_client = client_from(&old_only.join("client.yaml"));
    for ip in IPS {
        assert!(
            query_node(&old_cert_client, ip, ports.native).is_err(),
            "{ip} accepted a client certificate from the old CA"
        );
    }
    // The command, as an operator runs it on the live cluster with a node's yaml.
    let out = std::process::Command::new(env!("CARGO_BIN_EXE_cassandra-tls"))
        .args([
            "probe",
            &format!("127.0.0.1:{}", ports.native),
            "--cluster",
            "--json",
            "--config",
        ])
        .arg(&cluster.nodes[0].yaml)
        .output()
        .unwrap();
    let v: serde_json::Value = serde_json::from_slice(&out.stdout)
        .unwrap_or_else(|e| panic!("{e}: {}", String::from_utf8_lossy(&out.stderr)));
    assert!(out.status.success(), "{v:#}");
    assert_eq!(v["nodes"].as_array().unwrap().len(), 3, "{v:#}");
    let targets = v["targets"].as_array().unwrap();
    assert_eq!(
        targets.len(),
        6,
        "native and storage port of each node: {v:#}"
    );
    for t in targets {
        assert_eq!(
            t["chain"][0]["issuer"]
                .as_str()
                .map(|i| i.contains("cluster CA 2027")),
            Some(true),
            "{t:#}"
        );
        assert_eq!(t["validation"]["trusted"], true, "{t:#}");
    }
    // Gossip still holds.
    for n in &cluster.nodes {
        let (ok, status) = n.nodetool(&["status"]);
        assert!(
            ok && status.lines().filter(|l| l.starts_with("UN")).count() == 3,
            "{status}"
        );
    }
}
