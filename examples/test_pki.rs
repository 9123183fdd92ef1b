//! A three-node cluster's internode TLS, built entirely in memory with the test PKI: a root and
//! an intermediate CA, one certificate per node naming its IP address, each node's
//! `server_encryption_options` written as inline PEM (PEMBasedSslContextFactory), and a
//! handshake for every ordered pair of nodes with mutual TLS and endpoint verification, as
//! Cassandra's internode connections make them. A node whose certificate comes from another CA
//! is refused.
//!
//! Run: `cargo run --example test_pki --features test-pki`

use std::net::IpAddr;

use cassandra_tls::handshake::{self, Handshake, InMemory};
use cassandra_tls::options::CassandraYaml;
use cassandra_tls::test_pki::{Ca, Identity, write};
use cassandra_tls::tls::{self, ClientRole, ClientTls, ServerRole, ServerTls, TlsSettings};

/// A YAML block scalar: every line indented.
fn block(text: &str, indent: usize) -> String {
    text.lines()
        .map(|l| format!("{}{l}\n", " ".repeat(indent)))
        .collect()
}

/// One node's cassandra.yaml, its key and trust inline.
fn node_yaml(identity: &Identity, root: &Ca, ip: IpAddr) -> String {
    let key_password = "node-key-pass";
    format!(
        "listen_address: {ip}\nserver_encryption_options:\n  internode_encryption: all\n  require_client_auth: true\n  require_endpoint_verification: true\n  ssl_context_factory:\n    class_name: org.apache.cassandra.security.PEMBasedSslContextFactory\n    parameters:\n      private_key_password: {key_password}\n      private_key: |\n{}      trusted_certificates: |\n{}",
        block(
            &write::pem(identity, Some(key_password)).expect("a node key encodes"),
            8
        ),
        block(&write::pem_certificates(&[root.certificate()]), 8),
    )
}

struct Node {
    ip: IpAddr,
    server: ServerTls,
    client: ClientTls,
}

fn node(identity: &Identity, root: &Ca, ip: IpAddr) -> Result<Node, cassandra_tls::Error> {
    let yaml = CassandraYaml::from_str(&node_yaml(identity, root, ip))?;
    let settings = TlsSettings::default();
    Ok(Node {
        ip,
        server: tls::server_config(&yaml, ServerRole::Internode, &settings)?,
        client: tls::client_config(&yaml, ClientRole::Internode, &settings)?,
    })
}

/// Node `from` connects to node `to`'s storage port: both sides in memory.
fn connect(from: &Node, to: &Node) -> Result<InMemory, cassandra_tls::Error> {
    let c = Handshake::client(&from.client, &to.ip.to_string())?;
    let s = Handshake::server(&to.server, from.ip)?;
    Ok(handshake::in_memory(c, s))
}

fn main() -> Result<(), cassandra_tls::Error> {
    let root = Ca::root("Cluster Root CA")?;
    let intermediate = root.intermediate("Cluster Intermediate CA")?;
    let mut nodes = Vec::new();
    for i in 1..=3u8 {
        let ip: IpAddr = format!("127.0.0.{i}").parse().unwrap();
        let identity = intermediate
            .leaf(&format!("node{i}"))
            .ip(ip)
            .dns(&format!("node{i}.cluster.test"))
            .uri(&format!("spiffe://cluster.test/cassandra/node{i}"))
            .issue()?;
        nodes.push(node(&identity, &root, ip)?);
    }
    for from in &nodes {
        for to in &nodes {
            if from.ip == to.ip {
                continue;
            }
            let (client, _) = connect(from, to)?.both()?;
            println!(
                "{} -> {}: established over {}",
                from.ip,
                to.ip,
                client.0.protocol()
            );
        }
    }
    // A node whose certificate comes from another CA cannot join, even trusting the cluster's.
    let other_root = Ca::root("Another Root CA")?;
    let ip: IpAddr = "127.0.0.4".parse().unwrap();
    let outsider_id = other_root.leaf("node4").ip(ip).issue()?;
    let outsider = node(&outsider_id, &root, ip)?;
    let result = connect(&outsider, &nodes[0])?;
    let Err(cassandra_tls::Error::Handshake(refusal)) = result.server else {
        panic!("the outsider was let in");
    };
    println!("{} -> {}: refused: {refusal}", outsider.ip, nodes[0].ip);
    assert_eq!(refusal.kind(), "unknown_issuer", "{refusal}");
    println!("6 internode handshakes established; the outsider refused");
    Ok(())
}
