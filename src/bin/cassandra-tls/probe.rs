//! `cassandra-tls probe`: live nodes (or a whole cluster) looked at from the network.

use std::path::PathBuf;
use std::process::ExitCode;
use std::time::Duration;

use cassandra_tls::Error;
use cassandra_tls::options::{CassandraYaml, Cqlshrc, InternodeEncryption};
use cassandra_tls::probe::{self, PortKind, ProbeOptions, ProbeReport, Severity, Target};
use cassandra_tls::tls::{self, ClientRole, DriverTls, TlsSettings};
use clap::Args as ClapArgs;
use serde_json::json;

use crate::net::RoleArg;

/// Arguments of `probe`.
#[derive(ClapArgs)]
pub struct Args {
    /// HOST:PORT of each node to probe.
    targets: Vec<String>,
    /// Read more targets from this file, one HOST:PORT per line (`#` starts a comment).
    #[arg(long = "targets", alias = "targets-file", value_name = "FILE")]
    targets_file: Option<PathBuf>,
    /// Judge the chains with this cassandra.yaml's truststore (and offer its client
    /// certificate), for --role.
    #[arg(long)]
    config: Option<PathBuf>,
    /// With --config: the targets are native ports (client-to-node, the default) or storage
    /// ports (internode).
    #[arg(long, value_enum)]
    role: Option<RoleArg>,
    /// Judge the chains as cqlsh would with this cqlshrc's [ssl] section.
    #[arg(long, conflicts_with = "config")]
    cqlshrc: Option<PathBuf>,
    /// Judge the chains as a driver would with its settings (and offer its client
    /// certificate): `key = value` lines of the Java driver's advanced.ssl-engine-factory
    /// (truststore-path, truststore-password, keystore-path, keystore-password,
    /// hostname-validation, cipher-suites) or of the Python driver's ssl_options (ca_certs,
    /// certfile, keyfile, cert_reqs, check_hostname), with that driver's defaults.
    #[arg(long, value_name = "FILE", conflicts_with_all = ["config", "cqlshrc"])]
    driver_settings: Option<PathBuf>,
    /// Find every node of the cluster from the first target (a native port) through
    /// system.local and system.peers_v2, then probe every node's native port (and storage
    /// port when --config has internode encryption).
    #[arg(long)]
    cluster: bool,
    /// The most one target may take, in seconds.
    #[arg(long, default_value_t = 10.0)]
    timeout: f64,
    /// How many targets are probed at once.
    #[arg(long, default_value_t = 16)]
    workers: usize,
    /// Warn when a served certificate (leaf or CA) expires within this many days.
    #[arg(long, value_name = "DAYS", default_value_t = 30)]
    warn_expiry_days: u32,
    /// Print JSON.
    #[arg(long)]
    json: bool,
}

fn fail(json_out: bool, e: &Error) -> ExitCode {
    if json_out {
        println!(
            "{}",
            json!({"targets": [], "error": {"kind": e.kind(), "message": e.to_string()}, "summary": {"targets": 0, "errors": 1, "warnings": 0}})
        );
    } else {
        eprintln!("error ({}): {e}", e.kind());
    }
    ExitCode::from(1)
}

fn targets(args: &Args) -> Result<Vec<Target>, Error> {
    let mut list = args.targets.clone();
    if let Some(file) = &args.targets_file {
        let text = std::fs::read_to_string(file).map_err(|e| Error::Io {
            path: file.clone(),
            source: e,
        })?;
        list.extend(
            text.lines()
                .map(|l| l.split('#').next().unwrap_or("").trim().to_owned())
                .filter(|l| !l.is_empty()),
        );
    }
    list.iter().map(|t| t.parse::<Target>()).collect()
}

/// The most a driver-settings file may hold.
const MAX_SETTINGS: u64 = 1024 * 1024;

/// A driver's client from its settings file, by that driver's rules.
fn driver_client(file: &std::path::Path) -> Result<tls::ClientTls, Error> {
    let io = |e| Error::Io {
        path: file.to_path_buf(),
        source: e,
    };
    // Read at most one byte past the cap (a pipe or /proc file has no length to check first).
    let mut text = String::new();
    std::io::Read::read_to_string(
        &mut std::io::Read::take(std::fs::File::open(file).map_err(io)?, MAX_SETTINGS + 1),
        &mut text,
    )
    .map_err(io)?;
    if text.len() as u64 > MAX_SETTINGS {
        return Err(io(std::io::Error::other(format!(
            "more than {MAX_SETTINGS} bytes: a driver-settings file holds at most {MAX_SETTINGS}"
        ))));
    }
    DriverTls::from_settings_text(&text)?.build()
}

pub fn run(args: Args) -> ExitCode {
    let settings = TlsSettings::default();
    let setup = || -> Result<(ProbeOptions, Vec<Target>, bool), Error> {
        let mut options = ProbeOptions {
            timeout: Duration::from_secs_f64(args.timeout.clamp(0.1, 3600.0)),
            workers: args.workers.max(1),
            expiry_warning: Duration::from_secs(u64::from(args.warn_expiry_days) * 86_400),
            ..ProbeOptions::default()
        };
        let mut list = targets(&args)?;
        let mut kind = PortKind::Unknown;
        let mut internode = false;
        if let Some(path) = &args.config {
            let yaml = CassandraYaml::load_file(path)?;
            let role = args.role.unwrap_or(RoleArg::ClientToNode);
            kind = match role {
                RoleArg::Internode => PortKind::Storage,
                RoleArg::ClientToNode => PortKind::Native,
            };
            internode =
                yaml.server_encryption_options().internode_encryption != InternodeEncryption::None;
            // The role asked for must build; the other role's client is used when it builds
            // (a problem in a section the caller did not ask about does not stop the probe).
            let internode_role = matches!(role, RoleArg::Internode);
            if internode {
                let client = tls::client_config(&yaml, ClientRole::Internode, &settings);
                options.internode_client = if internode_role {
                    Some(client?)
                } else {
                    client.ok()
                };
            }
            if yaml.client_encryption_options().enabled == Some(true) || !internode_role {
                let client = tls::client_config(&yaml, ClientRole::Native, &settings);
                options.native_client = if internode_role {
                    client.ok()
                } else {
                    Some(client?)
                };
            }
        } else if let Some(rc) = &args.cqlshrc {
            // cqlsh's [certfiles] may name a CA file per host: the first target's is used.
            let rc = Cqlshrc::load_file(rc)?;
            let host = list.first().map(|t| t.host.clone()).unwrap_or_default();
            let home = std::env::var_os("HOME").map(PathBuf::from);
            let ssl = rc.ssl_settings(&host, &|k| std::env::var(k).ok(), home.as_deref())?;
            options.native_client = Some(tls::cqlsh_client_config(&ssl, &settings)?);
            kind = PortKind::Native;
        } else if let Some(file) = &args.driver_settings {
            options.native_client = Some(driver_client(file)?);
            kind = PortKind::Native;
        }
        for t in &mut list {
            t.kind = kind;
        }
        Ok((options, list, internode))
    };
    let (options, mut list, internode) = match setup() {
        Ok(v) => v,
        Err(e) => return fail(args.json, &e),
    };
    if list.is_empty() {
        eprintln!("error: give at least one HOST:PORT (or --targets FILE)");
        return ExitCode::from(2);
    }
    let mut nodes = Vec::new();
    if args.cluster {
        let Some(client) = options.native_client.as_ref() else {
            eprintln!(
                "error: --cluster needs --config, --cqlshrc or --driver-settings (a CQL session over TLS)"
            );
            return ExitCode::from(2);
        };
        let mut seed = list[0].clone();
        seed.kind = PortKind::Native;
        nodes = match probe::discover(&seed, client, options.timeout) {
            Ok(n) => n,
            Err(e) => return fail(args.json, &e),
        };
        list = nodes.iter().map(|n| n.native_target()).collect();
        if internode && options.internode_client.is_some() {
            list.extend(nodes.iter().map(|n| n.storage_target()));
        }
    }
    let reports = probe::probe_all(&list, &options);
    let count = |severity| reports.iter().map(|r| r.count(severity)).sum::<usize>();
    let (errors, warnings) = (count(Severity::Error), count(Severity::Warning));
    if args.json {
        println!(
            "{}",
            json!({
                "targets": reports,
                "nodes": if args.cluster { Some(&nodes) } else { None },
                "summary": {"targets": reports.len(), "errors": errors, "warnings": warnings},
            })
        );
    } else {
        print_text(&reports, args.cluster.then_some(nodes.len()));
        println!(
            "\nsummary: {} target(s), {errors} error(s), {warnings} warning(s)",
            reports.len()
        );
    }
    if errors > 0 {
        ExitCode::from(1)
    } else {
        ExitCode::SUCCESS
    }
}

fn yes_no(v: Option<bool>, yes: &str, no: &str) -> String {
    match v {
        Some(true) => yes.to_owned(),
        Some(false) => no.to_owned(),
        None => "-".to_owned(),
    }
}

fn print_text(reports: &[ProbeReport], cluster: Option<usize>) {
    match cluster {
        Some(n) => println!(
            "cassandra-tls probe: a cluster of {n} node(s), {} port(s)\n",
            reports.len()
        ),
        None => println!("cassandra-tls probe: {} target(s)\n", reports.len()),
    }
    println!(
        "{:<24} {:<8} {:<16} {:<14} {:<10} {:<8} {:<10} RESULT",
        "TARGET", "KIND", "TLS", "CLIENT CERT", "PLAINTEXT", "EXPIRES", "TRUST"
    );
    for r in reports {
        let versions: Vec<&str> = r
            .protocols
            .iter()
            .filter(|p| p.accepted == Some(true))
            .map(|p| p.name.jsse_name().trim_start_matches("TLSv"))
            .collect();
        println!(
            "{:<24} {:<8} {:<16} {:<14} {:<10} {:<8} {:<10} {}",
            r.target,
            r.kind.to_string(),
            match (r.reachable, r.tls) {
                (false, _) => "-".to_owned(),
                (true, true) => versions.join(" "),
                (true, false) => "no".to_owned(),
            },
            r.client_auth
                .map(|c| c.to_string())
                .unwrap_or_else(|| "-".into()),
            yes_no(r.plaintext, "accepted", "refused"),
            r.chain
                .first()
                .map(|c| format!("{} d", c.expires_in_days))
                .unwrap_or_else(|| "-".into()),
            r.validation
                .as_ref()
                .map(|v| if v.trusted { "trusted" } else { "REFUSED" })
                .unwrap_or("-"),
            r.worst(),
        );
    }
    for r in reports {
        println!("\n{} ({})", r.target, r.kind);
        for (i, c) in r.chain.iter().enumerate() {
            let mut sans: Vec<String> = c.dns_names.clone();
            sans.extend(c.ip_addresses.iter().map(|i| i.to_string()));
            println!(
                "  chain[{i}]  {}  issuer {}  SANs [{}]  expires {} ({} d)  sha256 {}",
                c.subject,
                c.issuer,
                sans.join(", "),
                c.not_after,
                c.expires_in_days,
                c.sha256
            );
        }
        if let Some((v, s)) = &r.negotiated {
            println!(
                "  negotiated {v} {s}; suites accepted: {}",
                r.cipher_suites.join(", ")
            );
        }
        for f in &r.findings {
            println!("  {:<8} {:<16} {}", f.severity, f.check, f.message);
            if let Some(fix) = &f.fix {
                println!("  {:<8} {:<16} fix: {fix}", "", "");
            }
        }
    }
}
