//! `cassandra-tls pki`: the whole "encrypting Cassandra with SSL" procedure in one step.
//!
//! - `pki init`: a CA, one key store per node (naming its IP and DNS names, server and client
//!   usages), one truststore, each node's `server_encryption_options` and
//!   `client_encryption_options` (mTLS, endpoint verification, internode `all`) as a snippet
//!   and as a complete minimal cassandra.yaml, PEM files and a cqlshrc per client, a
//!   nodetool-ssl.properties, and the passwords file; then `doctor` on every node yaml.
//! - `pki add-node`: one more node signed by the existing CA.
//! - `pki rotate`: a new CA, every node's next key store from it, and the truststores of the
//!   rotation (both CAs, then the new one alone), with the steps in ROTATION.txt.
//!
//! Secrets (the CA key, key stores, client keys, passwords) are written 0600 and never printed.

use std::net::IpAddr;
use std::path::{Path, PathBuf};
use std::process::ExitCode;

use cassandra_tls::doctor::{self, Severity};
use cassandra_tls::keystore::{Certificate, KeyStore};
use cassandra_tls::options::CassandraYaml;
use cassandra_tls::pki::write::{self, PemEncryption, Pkcs12Profile, StoreEntry};
use cassandra_tls::pki::{Ca, Eku, Identity, KeyType, Validity};
use cassandra_tls::{Error, Origin, Password};
use clap::{Args as ClapArgs, Subcommand, ValueEnum};
use rustls::pki_types::UnixTime;
use serde_json::{Value, json};

use crate::convert::{generate_password, write_secret};

/// Arguments of `pki`.
#[derive(ClapArgs)]
pub struct Args {
    #[command(subcommand)]
    command: PkiCommand,
}

#[derive(Subcommand)]
enum PkiCommand {
    /// Make a CA and every node's and client's material, with the yaml, cqlshrc and
    /// nodetool-ssl.properties that use it.
    Init(InitArgs),
    /// Sign one more node with the existing CA.
    AddNode(AddNodeArgs),
    /// Make a new CA, every node's next key store, and the truststores of the rotation.
    Rotate(OutArg),
}

#[derive(Clone, Copy, ValueEnum, PartialEq, Eq)]
enum StoreKind {
    Jks,
    Pkcs12,
    Pem,
}

impl StoreKind {
    fn name(self) -> &'static str {
        match self {
            StoreKind::Jks => "jks",
            StoreKind::Pkcs12 => "pkcs12",
            StoreKind::Pem => "pem",
        }
    }
    fn parse(s: &str) -> Option<StoreKind> {
        [StoreKind::Jks, StoreKind::Pkcs12, StoreKind::Pem]
            .into_iter()
            .find(|k| k.name() == s)
    }
    fn extension(self) -> &'static str {
        match self {
            StoreKind::Jks => "jks",
            StoreKind::Pkcs12 => "p12",
            StoreKind::Pem => "pem",
        }
    }
}

#[derive(Clone, Copy, ValueEnum, PartialEq, Eq)]
enum KeyArg {
    Rsa2048,
    Rsa3072,
    P256,
    P384,
}

impl KeyArg {
    fn name(self) -> &'static str {
        match self {
            KeyArg::Rsa2048 => "rsa2048",
            KeyArg::Rsa3072 => "rsa3072",
            KeyArg::P256 => "p256",
            KeyArg::P384 => "p384",
        }
    }
    fn parse(s: &str) -> Option<KeyArg> {
        [KeyArg::Rsa2048, KeyArg::Rsa3072, KeyArg::P256, KeyArg::P384]
            .into_iter()
            .find(|k| k.name() == s)
    }
    fn key_type(self) -> KeyType {
        match self {
            KeyArg::Rsa2048 => KeyType::Rsa2048,
            KeyArg::Rsa3072 => KeyType::Rsa3072,
            KeyArg::P256 => KeyType::EcdsaP256,
            KeyArg::P384 => KeyType::EcdsaP384,
        }
    }
}

#[derive(ClapArgs)]
struct OutArg {
    /// The directory `pki init` wrote.
    #[arg(long)]
    out: PathBuf,
}

#[derive(ClapArgs)]
struct NodeNames {
    /// DNS names for a node, as IP=NAME[,NAME...] (repeatable).
    #[arg(long, value_name = "IP=NAME[,NAME]")]
    dns: Vec<String>,
    /// An address every node certificate names as well: for a cluster on one host, where
    /// every connection between nodes leaves from 127.0.0.1 and Cassandra checks a peer's
    /// certificate against that source address.
    #[arg(long, value_name = "IP")]
    shared_ip: Option<IpAddr>,
}

#[derive(ClapArgs)]
struct InitArgs {
    /// Where to write (created; must be empty or absent).
    #[arg(long)]
    out: PathBuf,
    /// The nodes' addresses (listen_address and rpc_address).
    #[arg(long, value_delimiter = ',', required = true)]
    nodes: Vec<IpAddr>,
    #[command(flatten)]
    names: NodeNames,
    /// Client certificates to make (cqlsh, applications), by name.
    #[arg(long, value_delimiter = ',', default_value = "cqlsh")]
    clients: Vec<String>,
    /// The node key stores' type.
    #[arg(long, value_enum, default_value = "pkcs12")]
    store_type: StoreKind,
    /// The keys' type.
    #[arg(long, value_enum, default_value = "p256")]
    key_type: KeyArg,
    /// How long node and client certificates are valid (the CA: ten times as long).
    #[arg(long, default_value_t = 365)]
    validity_days: u64,
    /// `generate` (the OS random generator), or a file with keystore_password= and
    /// truststore_password= lines.
    #[arg(long, default_value = "generate")]
    passwords: String,
    /// The storage port the yamls name.
    #[arg(long, default_value_t = 7000)]
    storage_port: u16,
    /// The native port the yamls and cqlshrc name.
    #[arg(long, default_value_t = 9042)]
    native_port: u16,
    /// The Cassandra version the complete yamls are written for (4.0 has no duration types).
    #[arg(long, value_name = "VERSION", default_value = "5.0")]
    cassandra_version: cassandra_tls::options::CassandraVersion,
}

#[derive(ClapArgs)]
struct AddNodeArgs {
    /// The directory `pki init` wrote.
    #[arg(long)]
    out: PathBuf,
    /// The new node's address.
    #[arg(long)]
    node: IpAddr,
    #[command(flatten)]
    names: NodeNames,
}

fn bad(what: impl Into<String>) -> Error {
    Error::Config {
        origin: Origin::Bytes("<pki>".into()),
        section: None,
        key: None,
        message: what.into(),
    }
}

fn io(path: &Path) -> impl Fn(std::io::Error) -> Error + '_ {
    move |source| Error::Io {
        path: path.to_path_buf(),
        source,
    }
}

fn write_public(path: &Path, text: &str) -> Result<(), Error> {
    std::fs::write(path, text).map_err(io(path))
}

fn mkdir(path: &Path) -> Result<(), Error> {
    std::fs::create_dir_all(path).map_err(io(path))
}

/// What `pki init` decided, kept in DIR/pki.json for `add-node` and `rotate`.
struct Plan {
    out: PathBuf,
    store: StoreKind,
    key: KeyArg,
    validity_days: u64,
    storage_port: u16,
    native_port: u16,
    cassandra_version: cassandra_tls::options::CassandraVersion,
    nodes: Vec<(IpAddr, Vec<String>)>,
    shared_ip: Option<IpAddr>,
    clients: Vec<String>,
    keystore_password: Password,
    truststore_password: Password,
}

impl Plan {
    fn manifest(&self) -> Value {
        json!({
            "store_type": self.store.name(),
            "key_type": self.key.name(),
            "validity_days": self.validity_days,
            "storage_port": self.storage_port,
            "native_port": self.native_port,
            "cassandra_version": self.cassandra_version.to_string(),
            "nodes": self.nodes.iter().map(|(ip, dns)| json!({"ip": ip.to_string(), "dns": dns})).collect::<Vec<_>>(),
            "shared_ip": self.shared_ip.map(|i| i.to_string()),
            "clients": self.clients,
        })
    }

    fn load(out: &Path) -> Result<Plan, Error> {
        let path = out.join("pki.json");
        let text = std::fs::read_to_string(&path).map_err(io(&path))?;
        let v: Value =
            serde_json::from_str(&text).map_err(|e| bad(format!("{}: {e}", path.display())))?;
        let (keystore_password, truststore_password) = read_passwords(&out.join("passwords"))?;
        let s = |k: &str| v[k].as_str().unwrap_or_default().to_owned();
        Ok(Plan {
            out: out.to_path_buf(),
            store: StoreKind::parse(&s("store_type")).ok_or_else(|| bad("pki.json: store_type"))?,
            key: KeyArg::parse(&s("key_type")).ok_or_else(|| bad("pki.json: key_type"))?,
            validity_days: v["validity_days"].as_u64().unwrap_or(365),
            storage_port: v["storage_port"]
                .as_u64()
                .and_then(|p| u16::try_from(p).ok())
                .unwrap_or(7000),
            native_port: v["native_port"]
                .as_u64()
                .and_then(|p| u16::try_from(p).ok())
                .unwrap_or(9042),
            cassandra_version: s("cassandra_version").parse().unwrap_or_default(),
            nodes: v["nodes"]
                .as_array()
                .into_iter()
                .flatten()
                .filter_map(|n| {
                    let ip = n["ip"].as_str()?.parse().ok()?;
                    let dns = n["dns"]
                        .as_array()
                        .into_iter()
                        .flatten()
                        .filter_map(|d| d.as_str().map(str::to_owned))
                        .collect();
                    Some((ip, dns))
                })
                .collect(),
            shared_ip: v["shared_ip"].as_str().and_then(|i| i.parse().ok()),
            clients: v["clients"]
                .as_array()
                .into_iter()
                .flatten()
                .filter_map(|c| c.as_str().map(str::to_owned))
                .collect(),
            keystore_password,
            truststore_password,
        })
    }

    fn validity(&self) -> Validity {
        Validity::days(self.validity_days)
    }

    fn truststore_path(&self, name: &str) -> PathBuf {
        self.out.join(format!("{name}.{}", self.store.extension()))
    }

    fn node_dir(&self, ip: IpAddr) -> PathBuf {
        self.out.join("nodes").join(ip.to_string())
    }
}

fn read_passwords(path: &Path) -> Result<(Password, Password), Error> {
    let text = zeroize::Zeroizing::new(std::fs::read_to_string(path).map_err(io(path))?);
    let get = |key: &str| {
        text.lines()
            .filter_map(|l| l.split_once('='))
            .find(|(k, _)| k.trim() == key)
            .map(|(_, v)| Password::new(v.trim()))
            .ok_or_else(|| bad(format!("{}: no {key}= line", path.display())))
    };
    Ok((get("keystore_password")?, get("truststore_password")?))
}

fn node_identity(plan: &Plan, ca: &Ca, ip: IpAddr, dns: &[String]) -> Result<Identity, Error> {
    let mut leaf = ca
        .leaf(&ip.to_string())
        .ip(ip)
        .key_type(plan.key.key_type())
        .validity(plan.validity())
        .ekus(&[Eku::ServerAuth, Eku::ClientAuth]);
    for d in dns {
        leaf = leaf.dns(d);
    }
    if let Some(shared) = plan.shared_ip.filter(|s| *s != ip) {
        leaf = leaf.ip(shared);
    }
    leaf.issue()
}

/// A key store of the plan's type: one password for store and key, as Cassandra uses one.
fn keystore_bytes(plan: &Plan, alias: &str, id: &Identity) -> Result<Vec<u8>, Error> {
    let p = plan.keystore_password.expose();
    let entries = [StoreEntry::key(alias, id)];
    Ok(match plan.store {
        StoreKind::Jks => write::jks(&entries, p, p)?,
        StoreKind::Pkcs12 => write::pkcs12(&entries, p, p, Pkcs12Profile::Jdk17)?,
        StoreKind::Pem => write::pem(id, Some(p))?.into_bytes(),
    })
}

fn truststore_bytes(plan: &Plan, kind: StoreKind, cas: &[&Certificate]) -> Result<Vec<u8>, Error> {
    let p = plan.truststore_password.expose();
    let aliases: Vec<String> = (0..cas.len()).map(|i| format!("ca{i}")).collect();
    let entries: Vec<StoreEntry<'_>> = cas
        .iter()
        .zip(&aliases)
        .map(|(c, a)| StoreEntry::trusted(a, c))
        .collect();
    Ok(match kind {
        StoreKind::Jks => write::jks(&entries, p, p)?,
        StoreKind::Pkcs12 => write::pkcs12(&entries, p, p, Pkcs12Profile::Jdk17)?,
        StoreKind::Pem => write::pem_certificates(cas).into_bytes(),
    })
}

/// The two encryption sections of a node's cassandra.yaml.
fn sections(plan: &Plan, keystore: &Path) -> String {
    let truststore = plan.truststore_path("truststore");
    let mut stores = format!(
        "  keystore: {}\n  keystore_password: {}\n  truststore: {}\n",
        keystore.display(),
        plan.keystore_password.expose(),
        truststore.display()
    );
    match plan.store {
        StoreKind::Pem => stores.push_str("  ssl_context_factory:\n    class_name: org.apache.cassandra.security.PEMBasedSslContextFactory\n"),
        StoreKind::Pkcs12 => {
            stores.push_str(&format!("  truststore_password: {}\n  store_type: PKCS12\n", plan.truststore_password.expose()));
        }
        StoreKind::Jks => stores.push_str(&format!("  truststore_password: {}\n", plan.truststore_password.expose())),
    }
    format!(
        "server_encryption_options:\n  internode_encryption: all\n  enabled: true\n  require_client_auth: true\n  require_endpoint_verification: true\n  accepted_protocols: [TLSv1.3, TLSv1.2]\n{stores}client_encryption_options:\n  enabled: true\n  optional: false\n  require_client_auth: true\n  accepted_protocols: [TLSv1.3, TLSv1.2]\n{stores}"
    )
}

fn full_yaml(plan: &Plan, ip: IpAddr, sections: &str) -> String {
    let seeds: Vec<String> = plan
        .nodes
        .iter()
        .map(|(ip, _)| format!("{ip}:{}", plan.storage_port))
        .collect();
    format!(
        "# Written by cassandra-tls pki: a minimal cassandra.yaml that starts this node with its SSL.
# It holds passwords: keep it 0600.
cluster_name: cassandra-tls
num_tokens: 16
partitioner: org.apache.cassandra.dht.Murmur3Partitioner
commitlog_sync: periodic
{}
endpoint_snitch: SimpleSnitch
seed_provider:
  - class_name: org.apache.cassandra.locator.SimpleSeedProvider
    parameters:
      - seeds: \"{}\"
listen_address: {ip}
rpc_address: {ip}
storage_port: {}
native_transport_port: {}
start_native_transport: true
{sections}",
        if plan.cassandra_version == cassandra_tls::options::CassandraVersion::V4_0 {
            "commitlog_sync_period_in_ms: 10000"
        } else {
            "commitlog_sync_period: 10000ms"
        },
        seeds.join(","),
        plan.storage_port,
        plan.native_port,
    )
}

/// One node's key store, snippet and yaml.
fn write_node(plan: &Plan, ca: &Ca, ip: IpAddr, dns: &[String]) -> Result<PathBuf, Error> {
    let dir = plan.node_dir(ip);
    mkdir(&dir)?;
    let keystore = dir.join(format!("keystore.{}", plan.store.extension()));
    write_secret(
        &keystore,
        &keystore_bytes(plan, "node", &node_identity(plan, ca, ip, dns)?)?,
    )?;
    let s = sections(plan, &keystore);
    write_secret(&dir.join("encryption-options.yaml"), s.as_bytes())?;
    let yaml = dir.join("cassandra.yaml");
    write_secret(&yaml, full_yaml(plan, ip, &s).as_bytes())?;
    Ok(yaml)
}

fn write_client(plan: &Plan, ca: &Ca, name: &str) -> Result<(), Error> {
    let dir = plan.out.join("clients").join(name);
    mkdir(&dir)?;
    let id = ca
        .leaf(name)
        .key_type(plan.key.key_type())
        .validity(plan.validity())
        .ekus(&[Eku::ClientAuth])
        .issue()?;
    let key = dir.join(format!("{name}.key.pem"));
    let chain = dir.join(format!("{name}.chain.pem"));
    let pem = write::pem_key(id.private_key_pkcs8(), None, PemEncryption::default())?;
    write_secret(&key, pem.as_bytes())?;
    let certs: Vec<&Certificate> = id.chain().iter().collect();
    write_public(&chain, &write::pem_certificates(&certs))?;
    let ca_pem = plan.out.join("ca").join("ca.crt.pem");
    let host = plan
        .nodes
        .first()
        .map(|(ip, _)| ip.to_string())
        .unwrap_or_else(|| "127.0.0.1".into());
    write_public(
        &dir.join("cqlshrc"),
        &format!(
            "; Written by cassandra-tls pki: cqlsh with {name}'s certificate, validating the node.\n[connection]\nhostname = {host}\nport = {}\nssl = true\n\n[ssl]\ncertfile = {}\nvalidate = true\nuserkey = {}\nusercert = {}\n",
            plan.native_port,
            ca_pem.display(),
            key.display(),
            chain.display()
        ),
    )?;
    // nodetool reads Java stores: a PKCS#12 key store for the first client.
    if plan.clients.first().map(String::as_str) == Some(name) {
        let p = plan.keystore_password.expose();
        let ks = dir.join(format!("{name}.p12"));
        write_secret(
            &ks,
            &write::pkcs12(&[StoreEntry::key(name, &id)], p, p, Pkcs12Profile::Jdk17)?,
        )?;
        let ts = plan.out.join("truststore-nodetool.p12");
        write_secret(
            &ts,
            &truststore_bytes(plan, StoreKind::Pkcs12, &[ca.certificate()])?,
        )?;
        write_secret(
            &plan.out.join("nodetool-ssl.properties"),
            format!(
                "-Djavax.net.ssl.keyStore={}\n-Djavax.net.ssl.keyStorePassword={p}\n-Djavax.net.ssl.keyStoreType=PKCS12\n-Djavax.net.ssl.trustStore={}\n-Djavax.net.ssl.trustStorePassword={}\n-Djavax.net.ssl.trustStoreType=PKCS12\n-Djavax.rmi.ssl.client.enabledProtocols=TLSv1.3,TLSv1.2\n",
                ks.display(),
                ts.display(),
                plan.truststore_password.expose()
            )
            .as_bytes(),
        )?;
    }
    Ok(())
}

fn dns_for(names: &NodeNames, ip: IpAddr) -> Result<Vec<String>, Error> {
    let mut out = Vec::new();
    for d in &names.dns {
        let (i, list) = d
            .split_once('=')
            .ok_or_else(|| bad(format!("--dns {d}: not IP=NAME")))?;
        let i: IpAddr = i
            .trim()
            .parse()
            .map_err(|_| bad(format!("--dns {d}: {i} is not an IP address")))?;
        if i == ip {
            out.extend(
                list.split(',')
                    .map(|n| n.trim().to_owned())
                    .filter(|n| !n.is_empty()),
            );
        }
    }
    Ok(out)
}

fn save_ca(out: &Path, dir: &str, ca: &Ca) -> Result<(), Error> {
    let d = out.join(dir);
    mkdir(&d)?;
    write_public(
        &d.join("ca.crt.pem"),
        &write::pem_certificates(&[ca.certificate()]),
    )?;
    let key = write::pem_key(&ca.key_pkcs8(), None, PemEncryption::default())?;
    write_secret(&d.join("ca.key.pem"), key.as_bytes())?;
    write_public(
        &d.join("KEEP-OFFLINE.txt"),
        "ca.key.pem signs every node and client certificate of this cluster. Keep it offline (off the nodes,\nencrypted at rest); bring it back only for `cassandra-tls pki add-node` and `pki rotate`.\n",
    )
}

fn load_ca(out: &Path, dir: &str) -> Result<Ca, Error> {
    let cert_path = out.join(dir).join("ca.crt.pem");
    let cert = KeyStore::loader().load_file(&cert_path)?;
    let cert = cert
        .trust_anchors()
        .into_iter()
        .next()
        .ok_or_else(|| bad(format!("{}: no certificate", cert_path.display())))?;
    let key_path = out.join(dir).join("ca.key.pem");
    let key = KeyStore::loader().load_file(&key_path)?;
    let pkcs8 = key
        .private_keys()
        .next()
        .and_then(|k| k.key())
        .and_then(|k| k.to_pkcs8())
        .ok_or_else(|| bad(format!("{}: no private key", key_path.display())))?;
    Ca::from_parts(cert, &pkcs8)
}

/// `doctor` on every node yaml written, alone and together; prints the summary.
fn check(plan: &Plan) -> Result<usize, Error> {
    let yamls: Vec<CassandraYaml> = plan
        .nodes
        .iter()
        .map(|(ip, _)| {
            CassandraYaml::load_file_for(
                plan.node_dir(*ip).join("cassandra.yaml"),
                plan.cassandra_version,
            )
        })
        .collect::<Result<_, _>>()?;
    let at = UnixTime::now();
    let (errors, warnings) = if yamls.len() == 1 {
        let r = doctor::check(&yamls[0], None, at);
        (r.count(Severity::Error), r.count(Severity::Warning))
    } else {
        let r = doctor::check_cluster(&yamls, at);
        if !r.internode.all_ok() || !r.client_to_node.all_ok() {
            for f in r.findings.iter().filter(|f| f.severity == Severity::Error) {
                println!("  error: {}", f.message);
            }
        }
        (r.count(Severity::Error), r.count(Severity::Warning))
    };
    println!(
        "doctor on {} node yaml(s): {errors} error(s), {warnings} warning(s)",
        yamls.len()
    );
    Ok(errors)
}

fn init(args: InitArgs) -> Result<usize, Error> {
    if args.out.exists()
        && std::fs::read_dir(&args.out)
            .map_err(io(&args.out))?
            .next()
            .is_some()
    {
        return Err(bad(format!(
            "{} is not empty: pki init writes a new PKI",
            args.out.display()
        )));
    }
    mkdir(&args.out)?;
    let out = std::fs::canonicalize(&args.out).map_err(io(&args.out))?;
    let (keystore_password, truststore_password) = if args.passwords == "generate" {
        (generate_password()?, generate_password()?)
    } else {
        read_passwords(Path::new(&args.passwords))?
    };
    for p in [&keystore_password, &truststore_password] {
        if !p.expose().chars().all(|c| (' '..='~').contains(&c)) || p.is_empty() {
            return Err(bad(
                "passwords must be printable ASCII and not empty (the JDK's PBE keys refuse others)",
            ));
        }
    }
    let nodes = args
        .nodes
        .iter()
        .map(|ip| Ok((*ip, dns_for(&args.names, *ip)?)))
        .collect::<Result<Vec<_>, Error>>()?;
    let plan = Plan {
        out: out.clone(),
        store: args.store_type,
        key: args.key_type,
        validity_days: args.validity_days.max(1),
        storage_port: args.storage_port,
        native_port: args.native_port,
        cassandra_version: args.cassandra_version,
        nodes,
        shared_ip: args.names.shared_ip,
        clients: args
            .clients
            .iter()
            .map(|c| c.trim().to_owned())
            .filter(|c| !c.is_empty())
            .collect(),
        keystore_password,
        truststore_password,
    };
    for c in &plan.clients {
        if !c
            .chars()
            .all(|ch| ch.is_ascii_alphanumeric() || ch == '-' || ch == '_')
        {
            return Err(bad(format!(
                "client name {c}: letters, digits, - and _ only"
            )));
        }
    }
    let ca = Ca::root_with(
        "cassandra-tls cluster CA",
        plan.key.key_type(),
        Validity::days(plan.validity_days.saturating_mul(10)),
    )?;
    save_ca(&out, "ca", &ca)?;
    write_secret(
        &out.join("passwords"),
        format!(
            "# cassandra-tls pki: the stores' passwords. Keep this file secret.\nkeystore_password={}\ntruststore_password={}\n",
            plan.keystore_password.expose(),
            plan.truststore_password.expose()
        )
        .as_bytes(),
    )?;
    write_secret(
        &plan.truststore_path("truststore"),
        &truststore_bytes(&plan, plan.store, &[ca.certificate()])?,
    )?;
    for (ip, dns) in &plan.nodes {
        write_node(&plan, &ca, *ip, dns)?;
    }
    for c in &plan.clients {
        write_client(&plan, &ca, c)?;
    }
    write_public(
        &out.join("pki.json"),
        &serde_json::to_string_pretty(&plan.manifest()).unwrap_or_default(),
    )?;
    println!(
        "wrote {}: a CA (ca/, keep ca.key.pem offline), {} node(s) (nodes/IP/cassandra.yaml and encryption-options.yaml), {} client(s) (clients/NAME/cqlshrc), nodetool-ssl.properties, passwords (0600)",
        out.display(),
        plan.nodes.len(),
        plan.clients.len()
    );
    check(&plan)
}

fn add_node(args: AddNodeArgs) -> Result<usize, Error> {
    let out = std::fs::canonicalize(&args.out).map_err(io(&args.out))?;
    let mut plan = Plan::load(&out)?;
    if plan.nodes.iter().any(|(ip, _)| *ip == args.node) {
        return Err(bad(format!("{} is already a node of this PKI", args.node)));
    }
    if args.names.shared_ip.is_some() {
        plan.shared_ip = args.names.shared_ip;
    }
    let ca = load_ca(&out, "ca")?;
    let dns = dns_for(&args.names, args.node)?;
    plan.nodes.push((args.node, dns.clone()));
    let yaml = write_node(&plan, &ca, args.node, &dns)?;
    write_public(
        &out.join("pki.json"),
        &serde_json::to_string_pretty(&plan.manifest()).unwrap_or_default(),
    )?;
    println!(
        "wrote {} (signed by the existing CA); add {} to the other nodes' seeds when it should be one",
        yaml.display(),
        args.node
    );
    check(&plan)
}

fn rotate(args: OutArg) -> Result<usize, Error> {
    let out = std::fs::canonicalize(&args.out).map_err(io(&args.out))?;
    let plan = Plan::load(&out)?;
    let old = load_ca(&out, "ca")?;
    if out.join("ca-next").exists() {
        return Err(bad("ca-next/ exists: a rotation is already staged"));
    }
    let next = Ca::root_with(
        "cassandra-tls cluster CA (next)",
        plan.key.key_type(),
        Validity::days(plan.validity_days.saturating_mul(10)),
    )?;
    save_ca(&out, "ca-next", &next)?;
    write_secret(
        &plan.truststore_path("truststore-both"),
        &truststore_bytes(&plan, plan.store, &[old.certificate(), next.certificate()])?,
    )?;
    write_secret(
        &plan.truststore_path("truststore-next"),
        &truststore_bytes(&plan, plan.store, &[next.certificate()])?,
    )?;
    for (ip, dns) in &plan.nodes {
        let dir = plan.node_dir(*ip).join("next");
        mkdir(&dir)?;
        let ks = dir.join(format!("keystore.{}", plan.store.extension()));
        write_secret(
            &ks,
            &keystore_bytes(&plan, "node", &node_identity(&plan, &next, *ip, dns)?)?,
        )?;
    }
    let ext = plan.store.extension();
    write_public(
        &out.join("ROTATION.txt"),
        &format!(
            "A rotation to ca-next/ without downtime (cassandra-tls pki rotate). After each step, run\n`nodetool reloadssl` on every node (Cassandra 4.1+ also reloads within 10 minutes by itself)\nand `cassandra-tls doctor nodes/` to see who can talk to whom.\n\n1. On every node: copy truststore-both.{ext} over truststore.{ext} (both CAs trusted). Clients too.\n2. On every node, one at a time: copy nodes/IP/next/keystore.{ext} over nodes/IP/keystore.{ext}.\n   Move the clients to certificates from ca-next/ as well.\n3. On every node: copy truststore-next.{ext} over truststore.{ext} (the old CA is gone), then clients.\n4. Move ca-next/ to ca/, and keep the new ca.key.pem offline.\n"
        ),
    )?;
    println!(
        "wrote ca-next/, truststore-both.{ext} (old and new CA), truststore-next.{ext}, nodes/IP/next/keystore.{ext}, and the steps in ROTATION.txt"
    );
    check(&plan)
}

pub fn run(args: Args) -> ExitCode {
    let result = match args.command {
        PkiCommand::Init(a) => init(a),
        PkiCommand::AddNode(a) => add_node(a),
        PkiCommand::Rotate(a) => rotate(a),
    };
    match result {
        Ok(0) => ExitCode::SUCCESS,
        Ok(_) => ExitCode::from(1),
        Err(e) => {
            eprintln!("error ({}): {e}", e.kind());
            ExitCode::from(1)
        }
    }
}
