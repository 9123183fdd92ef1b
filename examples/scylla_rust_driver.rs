//! scylla-rust-driver (scylla 1.9, feature `rustls-023`) connecting to a ScyllaDB node with the
//! rustls config this crate builds, from either entry point:
//!
//! - the node's scylla.yaml (`client_encryption_options`: `truststore`, and `certificate` and
//!   `keyfile` when `require_client_auth` asks for a client certificate):
//!   `cargo run --example scylla_rust_driver -- SCYLLA_YAML HOST:PORT`;
//! - the driver's own files, a CA bundle and an optional client certificate and key (PEM):
//!   `cargo run --example scylla_rust_driver -- --ca CA_PEM [CERT_PEM KEY_PEM] HOST:PORT`.
//!
//! Either way the node's IP address is checked against its certificate, as the driver does
//! (it hands rustls `ServerName::IpAddress` of the node): certificates need IP SANs, which
//! Scylla's internode TLS never asks for.

use std::sync::Arc;

use cassandra_tls::options::scylla::ScyllaYaml;
use cassandra_tls::tls::{ClientRole, ClientTls, DriverTls, Node, TlsSettings};
use scylla::client::session_builder::SessionBuilder;

const USAGE: &str = "SCYLLA_YAML HOST:PORT | --ca CA_PEM [CERT_PEM KEY_PEM] HOST:PORT";

#[tokio::main]
async fn main() -> Result<(), Box<dyn std::error::Error>> {
    let args: Vec<String> = std::env::args().skip(1).collect();
    let (client, node): (ClientTls, String) = match args.as_slice() {
        [flag, ca, node] if flag == "--ca" => {
            (DriverTls::scylla_rust_driver(ca).build()?, node.clone())
        }
        [flag, ca, cert, key, node] if flag == "--ca" => (
            DriverTls::scylla_rust_driver(ca)
                .client_certificate_pem(cert, key)?
                .build()?,
            node.clone(),
        ),
        [yaml, node] => {
            // The CQL section as Scylla reads it (a dropped map, a refused priority string and
            // unreadable files are errors here, as they stop the node).
            let yaml = ScyllaYaml::load_file(yaml)?;
            let client = Node::from_scylla(&yaml)
                .client_config(ClientRole::Native, &TlsSettings::default())?;
            (client, node.clone())
        }
        _ => return Err(USAGE.into()),
    };
    for w in &client.warnings {
        eprintln!("warning: {w}");
    }
    let config: Arc<rustls::ClientConfig> = client.into_config();
    let session = SessionBuilder::new()
        .known_node(&node)
        .tls_context(Some(config))
        .build()
        .await?;
    let result = session
        .query_unpaged(
            "SELECT ssl_protocol, ssl_cipher_suite FROM system.clients LIMIT 1",
            &[],
        )
        .await?;
    let rows = result.into_rows_result()?;
    let (protocol, suite): (Option<String>, Option<String>) = rows.first_row()?;
    println!(
        "connected: {} {}",
        protocol.unwrap_or_default(),
        suite.unwrap_or_default()
    );
    Ok(())
}
