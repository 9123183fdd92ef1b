//! The scylla driver (scylla 1.9, feature `rustls-023`) connecting to a Cassandra node with the
//! rustls config this crate builds, from either entry point:
//!
//! - a cassandra.yaml's `client_encryption_options`:
//!   `cargo run --example scylla_driver -- CASSANDRA_YAML HOST:PORT [CLUSTER_NAME]`;
//! - driver settings without a yaml, the Java driver's `advanced.ssl-engine-factory` keys
//!   (`tls::DriverTls`):
//!   `cargo run --example scylla_driver -- --driver TRUSTSTORE TRUSTSTORE_PASSWORD KEYSTORE KEYSTORE_PASSWORD HOST:PORT`.
//!
//! tests/cassandra_node.rs runs both against a real node. With a yaml, the node's identity is
//! checked by a `tls::NodeVerifier`: the address dialled (an IP SAN, as endpoint verification
//! wants), or, with CLUSTER_NAME, one DNS name that every node's certificate carries.

use std::sync::Arc;

use cassandra_tls::options::CassandraYaml;
use cassandra_tls::tls::{
    self, ClientRole, ClientTls, DriverTls, NodeIdentity, NodeVerifier, TlsSettings,
};
use scylla::client::session_builder::SessionBuilder;

#[tokio::main]
async fn main() -> Result<(), Box<dyn std::error::Error>> {
    let args: Vec<String> = std::env::args().skip(1).collect();
    let (client, node): (ClientTls, String) =
        if args.first().map(String::as_str) == Some("--driver") {
            // The Java driver's settings, one call.
            let [_, truststore, trustpass, keystore, keypass, node] = args.as_slice() else {
                return Err(
                    "--driver TRUSTSTORE TRUSTSTORE_PASSWORD KEYSTORE KEYSTORE_PASSWORD HOST:PORT"
                        .into(),
                );
            };
            let client = DriverTls::from_java_driver([
                ("truststore-path", truststore.as_str()),
                ("truststore-password", trustpass.as_str()),
                ("keystore-path", keystore.as_str()),
                ("keystore-password", keypass.as_str()),
                ("hostname-validation", "true"),
            ])?
            .build()?;
            (client, node.clone())
        } else {
            let yaml_path = args
                .first()
                .cloned()
                .unwrap_or_else(|| "fixtures/conf/cassandra.yaml".into());
            let node = args
                .get(1)
                .cloned()
                .unwrap_or_else(|| "127.0.0.1:9042".into());
            let identity = match args.get(2) {
                Some(name) => NodeIdentity::ClusterName(name.clone()),
                None => NodeIdentity::DialledAddress,
            };
            let yaml = CassandraYaml::load_file(&yaml_path)?;
            let settings = TlsSettings::default();
            let verifier = NodeVerifier::for_role(&yaml, ClientRole::Native, identity, &settings)?;
            let client = tls::client_config(&yaml, ClientRole::Native, &settings)?
                .with_verifier(Arc::new(verifier));
            (client, node)
        };
    for w in &client.warnings {
        eprintln!("warning: {w}");
    }
    // scylla verifies the node against its IP address (ServerName::IpAddress): node
    // certificates need an IP SAN, which require_endpoint_verification also demands.
    let config: Arc<rustls::ClientConfig> = client.into_config();
    let session = SessionBuilder::new()
        .known_node(&node)
        .tls_context(Some(config))
        .build()
        .await?;
    let result = session
        .query_unpaged("SELECT release_version FROM system.local", &[])
        .await?;
    let rows = result.into_rows_result()?;
    let (version,): (String,) = rows.single_row()?;
    println!("release_version {version}");
    Ok(())
}
