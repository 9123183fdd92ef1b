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

mod args;
mod files;

use std::net::IpAddr;
use std::path::{Path, PathBuf};
use std::process::ExitCode;

use cassandra_tls::doctor::{self, Severity};
use cassandra_tls::keystore::{Certificate, KeyStore};
use cassandra_tls::options::CassandraYaml;
use cassandra_tls::pki::write::{self, PemEncryption, Pkcs12Profile, StoreEntry};
use cassandra_tls::pki::{Ca, Eku, Identity, Validity};
use cassandra_tls::{Error, Origin, Password};
use clap::{Args as ClapArgs, Subcommand};
use rustls::pki_types::UnixTime;
use serde_json::{Value, json};

use crate::convert::{generate_password, write_secret};
use args::*;
use files::*;

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
        spiffe_trust_domain: args.spiffe_trust_domain.clone(),
    };
    if let Some(d) = &plan.spiffe_trust_domain {
        if plan.cassandra_version < cassandra_tls::options::CassandraVersion::V5_0 {
            return Err(bad(format!(
                "--spiffe-trust-domain: certificate login needs Cassandra 5.0 or later (--cassandra-version {})",
                plan.cassandra_version
            )));
        }
        if d.is_empty()
            || !d.chars().all(|c| {
                c.is_ascii_lowercase() || c.is_ascii_digit() || c == '.' || c == '-' || c == '_'
            })
        {
            return Err(bad(format!(
                "--spiffe-trust-domain {d}: a SPIFFE trust domain is lower-case letters, digits, '.', '-' and '_'"
            )));
        }
    }
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
        &ca_name("cassandra-tls cluster CA"),
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
    if let Some(cql) = identities_cql(&plan) {
        write_public(&out.join("identities.cql"), &cql)?;
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
        &ca_name("cassandra-tls cluster CA (next)"),
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

/// A CA's name with the time it was made: two PKIs made separately get CAs of different names,
/// so a truststore holding one is never mistaken for holding the other (chains are matched to
/// CAs by name first).
fn ca_name(base: &str) -> String {
    let now = time::OffsetDateTime::now_utc();
    format!(
        "{base} {:04}{:02}{:02}T{:02}{:02}{:02}Z",
        now.year(),
        u8::from(now.month()),
        now.day(),
        now.hour(),
        now.minute(),
        now.second()
    )
}
