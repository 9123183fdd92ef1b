//! `cassandra-tls`: inspect Cassandra's key stores and check a node's SSL setup.
#![forbid(unsafe_code)]

mod convert;
mod doctor;
mod explain;
mod inspect;
mod net;
mod pki;
mod probe;

use std::path::PathBuf;
use std::process::ExitCode;

use cassandra_tls::options::scylla::{ScyllaVersion, ScyllaYaml};
use clap::{Parser, Subcommand};

/// Apache Cassandra's SSL, checked from the command line.
#[derive(Parser)]
#[command(name = "cassandra-tls", version, about)]
struct Cli {
    #[command(subcommand)]
    command: Command,
}

#[derive(Subcommand)]
enum Command {
    /// Check a node's SSL setup end to end (default: the committed fixtures/conf/cassandra.yaml);
    /// a scylla.yaml is checked as ScyllaDB reads it.
    Doctor(doctor::Args),
    /// Say what a node does with its cassandra.yaml at start-up, as Cassandra 4.0, 4.1, 5.0 or
    /// 6.0 does it: accepted or the error, port policies, stores, protocols and cipher suites;
    /// or a scylla.yaml as ScyllaDB 2025.1 to master does it.
    Explain(explain::Args),
    /// List a keystore or truststore (JKS, JCEKS, PKCS#12, PEM) like `keytool -list -v`.
    Inspect(inspect::Args),
    /// Connect to a node's storage or native port as Cassandra or a client would, and report
    /// the handshake: protocol, cipher suite, the node's certificate.
    Connect(net::ConnectArgs),
    /// Accept TLS connections as a node's storage or native port would, and report each
    /// client: its protocol, cipher suite and certificate.
    Serve(net::ServeArgs),
    /// Look at live nodes from the network: the chain served and whether the truststore
    /// accepts it, TLS versions, cipher suites, client certificates, plaintext; `--cluster`
    /// finds every node from one.
    Probe(probe::Args),
    /// Write a key entry of any store as a PEM key file and a PEM chain file (cqlsh's userkey
    /// and usercert, Python and Go drivers), as keytool -importkeystore plus openssl pkcs12 do.
    Export(convert::ExportArgs),
    /// Convert a store (or a PEM key with --certs) to PKCS#12, JKS or Cassandra's PEM key store.
    Convert(convert::ConvertArgs),
    /// Make a cluster's SSL material in one step: CA, node key stores, truststore, yamls,
    /// cqlshrc and nodetool-ssl.properties (init); sign one more node (add-node); stage a
    /// rotation to a new CA (rotate).
    Pki(pki::Args),
}

/// Output piped into a reader that stops early (`| head`): end quietly, as a program killed by
/// SIGPIPE does (status 141), instead of a panic with a backtrace.
fn quiet_on_closed_stdout() {
    let default = std::panic::take_hook();
    std::panic::set_hook(Box::new(move |info| {
        let payload = info.payload();
        let message = payload
            .downcast_ref::<String>()
            .map(String::as_str)
            .or_else(|| payload.downcast_ref::<&str>().copied())
            .unwrap_or("");
        if message.starts_with("failed printing to stdout") && message.contains("Broken pipe") {
            std::process::exit(141);
        }
        default(info)
    }));
}

/// The cassandra.yaml a command reads: the one given, else this repository's example
/// (`fixtures/conf/cassandra.yaml`), which only a checkout has; elsewhere the command says to
/// name one instead of failing to read a path the operator never wrote.
fn yaml_or_example(given: Option<PathBuf>) -> Result<PathBuf, ExitCode> {
    const EXAMPLE: &str = "fixtures/conf/cassandra.yaml";
    if let Some(p) = given {
        return Ok(p);
    }
    let example = PathBuf::from(EXAMPLE);
    if example.is_file() {
        return Ok(example);
    }
    let here = std::env::current_dir()
        .map(|d| d.display().to_string())
        .unwrap_or_else(|_| ".".to_owned());
    eprintln!(
        "error: no cassandra.yaml given, and the repository's example {EXAMPLE} is not under the working directory {here}: name the node's cassandra.yaml (for instance /etc/cassandra/cassandra.yaml), or run from a checkout of cassandra-tls"
    );
    Err(ExitCode::from(2))
}

/// `--scylla` given without a version: the newest release modelled.
pub(crate) const NEWEST_SCYLLA: &str = "newest";

/// Whether a command reads `path` as a scylla.yaml, and as which Scylla line: `--scylla[=V]`
/// when given; else, when `--cassandra-version` is not given either, a file named scylla.yaml
/// or one that looks like one (`ScyllaYaml::looks_like_scylla`) is read as the newest release.
pub(crate) fn scylla_mode(
    path: &std::path::Path,
    scylla: Option<&str>,
    cassandra_version_given: bool,
) -> Result<Option<ScyllaVersion>, ExitCode> {
    match scylla {
        Some(NEWEST_SCYLLA) => Ok(Some(ScyllaVersion::NEWEST_RELEASE)),
        Some(v) => ScyllaVersion::parse(v).map(Some).map_err(|e| {
            eprintln!("error: --scylla={v}: {e}");
            ExitCode::from(2)
        }),
        None if cassandra_version_given => Ok(None),
        None => {
            let named = path.file_name().is_some_and(|n| n == "scylla.yaml");
            // Only a regular file of a yaml's size is looked into (not /dev/zero, not a FIFO).
            let looks = std::fs::metadata(path).is_ok_and(|m| m.is_file() && m.len() <= 4 << 20)
                && std::fs::read_to_string(path)
                    .map(|t| ScyllaYaml::looks_like_scylla(&t))
                    .unwrap_or(false);
            Ok((named || looks).then_some(ScyllaVersion::NEWEST_RELEASE))
        }
    }
}

fn main() -> ExitCode {
    quiet_on_closed_stdout();
    let cli = match Cli::try_parse() {
        Ok(cli) => cli,
        Err(e) => {
            let _ = e.print();
            // clap prints help and version with exit 0; usage errors are 2.
            return ExitCode::from(if e.use_stderr() { 2 } else { 0 });
        }
    };
    match cli.command {
        Command::Doctor(args) => doctor::run(args),
        Command::Explain(args) => explain::run(args),
        Command::Inspect(args) => inspect::run(args),
        Command::Connect(args) => net::connect(args),
        Command::Serve(args) => net::serve(args),
        Command::Probe(args) => probe::run(args),
        Command::Export(args) => convert::export(args),
        Command::Convert(args) => convert::convert(args),
        Command::Pki(args) => pki::run(args),
    }
}
