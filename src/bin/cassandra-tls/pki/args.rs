//! The command line of `pki`: its subcommands' arguments.

use std::net::IpAddr;
use std::path::PathBuf;

use cassandra_tls::pki::KeyType;
use clap::{Args as ClapArgs, ValueEnum};

#[derive(Clone, Copy, ValueEnum, PartialEq, Eq)]
pub(super) enum StoreKind {
    Jks,
    Pkcs12,
    Pem,
}

impl StoreKind {
    pub(super) fn name(self) -> &'static str {
        match self {
            StoreKind::Jks => "jks",
            StoreKind::Pkcs12 => "pkcs12",
            StoreKind::Pem => "pem",
        }
    }
    pub(super) fn parse(s: &str) -> Option<StoreKind> {
        [StoreKind::Jks, StoreKind::Pkcs12, StoreKind::Pem]
            .into_iter()
            .find(|k| k.name() == s)
    }
    pub(super) fn extension(self) -> &'static str {
        match self {
            StoreKind::Jks => "jks",
            StoreKind::Pkcs12 => "p12",
            StoreKind::Pem => "pem",
        }
    }
}

#[derive(Clone, Copy, ValueEnum, PartialEq, Eq)]
pub(super) enum KeyArg {
    Rsa2048,
    Rsa3072,
    P256,
    P384,
}

impl KeyArg {
    pub(super) fn name(self) -> &'static str {
        match self {
            KeyArg::Rsa2048 => "rsa2048",
            KeyArg::Rsa3072 => "rsa3072",
            KeyArg::P256 => "p256",
            KeyArg::P384 => "p384",
        }
    }
    pub(super) fn parse(s: &str) -> Option<KeyArg> {
        [KeyArg::Rsa2048, KeyArg::Rsa3072, KeyArg::P256, KeyArg::P384]
            .into_iter()
            .find(|k| k.name() == s)
    }
    pub(super) fn key_type(self) -> KeyType {
        match self {
            KeyArg::Rsa2048 => KeyType::Rsa2048,
            KeyArg::Rsa3072 => KeyType::Rsa3072,
            KeyArg::P256 => KeyType::EcdsaP256,
            KeyArg::P384 => KeyType::EcdsaP384,
        }
    }
}

#[derive(ClapArgs)]
pub(super) struct OutArg {
    /// The directory `pki init` wrote.
    #[arg(long)]
    pub(super) out: PathBuf,
}

#[derive(ClapArgs)]
pub(super) struct NodeNames {
    /// DNS names for a node, as IP=NAME[,NAME...] (repeatable).
    #[arg(long, value_name = "IP=NAME[,NAME]")]
    pub(super) dns: Vec<String>,
    /// An address every node certificate names as well: for a cluster on one host, where
    /// every connection between nodes leaves from 127.0.0.1 and Cassandra checks a peer's
    /// certificate against that source address.
    #[arg(long, value_name = "IP")]
    pub(super) shared_ip: Option<IpAddr>,
}

#[derive(ClapArgs)]
pub(super) struct InitArgs {
    /// Where to write (created; must be empty or absent).
    #[arg(long)]
    pub(super) out: PathBuf,
    /// The nodes' addresses (listen_address and rpc_address).
    #[arg(long, value_delimiter = ',', required = true)]
    pub(super) nodes: Vec<IpAddr>,
    #[command(flatten)]
    pub(super) names: NodeNames,
    /// Client certificates to make (cqlsh, applications), by name.
    #[arg(long, value_delimiter = ',', default_value = "cqlsh")]
    pub(super) clients: Vec<String>,
    /// The node key stores' type.
    #[arg(long, value_enum, default_value = "pkcs12")]
    pub(super) store_type: StoreKind,
    /// The keys' type.
    #[arg(long, value_enum, default_value = "p256")]
    pub(super) key_type: KeyArg,
    /// How long node and client certificates are valid (the CA: ten times as long).
    #[arg(long, default_value_t = 365)]
    pub(super) validity_days: u64,
    /// `generate` (the OS random generator), or a file with keystore_password= and
    /// truststore_password= lines.
    #[arg(long, default_value = "generate")]
    pub(super) passwords: String,
    /// The storage port the yamls name.
    #[arg(long, default_value_t = 7000)]
    pub(super) storage_port: u16,
    /// The native port the yamls and cqlshrc name.
    #[arg(long, default_value_t = 9042)]
    pub(super) native_port: u16,
    /// The Cassandra version the complete yamls are written for (4.0 has no duration types).
    #[arg(long, value_name = "VERSION", default_value = "5.0")]
    pub(super) cassandra_version: cassandra_tls::options::CassandraVersion,
    /// Certificate login (CEP-34, Cassandra 5.0 on): SPIFFE URIs in this trust domain in
    /// every certificate (nodes share spiffe://DOMAIN/cassandra/node, each client gets
    /// spiffe://DOMAIN/cassandra/client/NAME), the authenticator sections in the node yamls,
    /// and identities.cql with the roles and `ADD IDENTITY` statements.
    #[arg(long, value_name = "DOMAIN")]
    pub(super) spiffe_trust_domain: Option<String>,
}

#[derive(ClapArgs)]
pub(super) struct AddNodeArgs {
    /// The directory `pki init` wrote.
    #[arg(long)]
    pub(super) out: PathBuf,
    /// The new node's address.
    #[arg(long)]
    pub(super) node: IpAddr,
    #[command(flatten)]
    pub(super) names: NodeNames,
}
