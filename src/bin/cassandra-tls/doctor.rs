//! `cassandra-tls doctor`: a node's SSL setup checked end to end.

use std::path::PathBuf;
use std::process::ExitCode;

use cassandra_tls::doctor::{self, Severity};
use cassandra_tls::options::scylla::{OperatorMount, ScyllaVersion, ScyllaYaml};
use cassandra_tls::options::{
    CassandraYaml, Cqlshrc, MountedSecret, NodetoolSsl, SecretLayout, UncheckedReason,
};
use clap::Args as ClapArgs;
use rustls::pki_types::UnixTime;
use serde_json::json;

/// Arguments of `doctor`.
#[derive(ClapArgs)]
pub struct Args {
    /// The node's cassandra.yaml (default: the committed fixtures/conf/cassandra.yaml). Several
    /// yamls, or a directory (its *.yaml files and */cassandra.yaml), check every node alone
    /// and then across nodes: who can talk to whom, and a rotation's staged CAs.
    config: Vec<PathBuf>,
    /// Also check cqlsh's settings from this cqlshrc.
    #[arg(long)]
    cqlshrc: Option<PathBuf>,
    /// Also check nodetool's SSL settings from this nodetool-ssl.properties (JVM options or
    /// Java properties).
    #[arg(long, value_name = "FILE")]
    nodetool_ssl: Option<PathBuf>,
    /// Check certificates at this time (RFC 3339) instead of now.
    #[arg(long, value_parser = parse_time)]
    at: Option<UnixTime>,
    /// Read the yaml as this Cassandra version does: 4.0, 4.1, 5.0 (the default) or 6.0 (trunk
    /// is an alias of 6.0).
    #[arg(long, value_name = "VERSION")]
    cassandra_version: Option<cassandra_tls::options::CassandraVersion>,
    /// Read the yaml as a scylla.yaml, as this ScyllaDB line does: 2025.1 to 2026.3, or master
    /// (default: the newest release). Without this flag or --cassandra-version, a file named
    /// scylla.yaml, or one with keys only Scylla has, is read as a scylla.yaml.
    #[arg(long, value_name = "VERSION", num_args = 0..=1, require_equals = true,
          default_missing_value = crate::NEWEST_SCYLLA, conflicts_with = "cassandra_version")]
    scylla: Option<String>,
    /// Check a mounted Kubernetes Secret instead of a cassandra.yaml: its stores as a node with
    /// mutual TLS on both ports would use them. Several --secret (one per node) are checked
    /// across nodes too: who can talk to whom, and whether a CA rotation is safe now.
    #[arg(long, value_name = "DIR")]
    secret: Vec<PathBuf>,
    /// The Secret's layout: k8ssandra, cert-manager or cass-operator-legacy (default: detected
    /// from its files).
    #[arg(long, value_name = "LAYOUT", value_parser = parse_layout)]
    secret_layout: Option<SecretLayout>,
    /// A file holding the store password the Secret does not hold itself (cert-manager's
    /// keystore password Secret, cass-operator's datacenter name). Given once, it serves every
    /// --secret; given once per --secret, they are matched in order.
    #[arg(long, value_name = "FILE")]
    secret_password_file: Vec<PathBuf>,
    /// With --scylla and one --secret (scylla-operator's serving-certs Secret: tls.crt,
    /// tls.key): the client-ca ConfigMap's directory (ca-bundle.crt). The node is checked as
    /// the scylla.yaml scylla-operator writes for them.
    #[arg(long, value_name = "DIR")]
    client_ca: Option<PathBuf>,
    /// A client certificate to check against the node's authenticator (certificate login): a
    /// PEM chain or a key store; the doctor says which identity it logs in as and prints the
    /// `ADD IDENTITY` statement that maps it. Repeatable.
    #[arg(long, value_name = "FILE")]
    client_cert: Vec<PathBuf>,
    /// The store password of the --client-cert key stores, as the first line of this file.
    #[arg(long, value_name = "FILE")]
    client_cert_password_file: Option<PathBuf>,
    /// Warn when a certificate (leaf or CA) expires within this many days.
    #[arg(long, value_name = "DAYS", default_value_t = 30)]
    warn_expiry_days: u32,
    /// cert-manager's renewBefore for these certificates (Go duration: 360h, 720h0m0s, 15m):
    /// flags a renewal that is overdue or would reach the node after expiry.
    #[arg(long, value_name = "DURATION", value_parser = parse_go_duration)]
    renew_before: Option<std::time::Duration>,
    /// Resolve the yaml's relative store paths against this directory (Cassandra's working
    /// directory, normally its home) instead of the current one.
    #[arg(long, value_name = "DIR")]
    base_dir: Option<PathBuf>,
    /// Print JSON.
    #[arg(long)]
    json: bool,
}

fn parse_layout(s: &str) -> Result<SecretLayout, String> {
    SecretLayout::from_name(s).ok_or_else(|| {
        let names: Vec<&str> = SecretLayout::ALL.iter().map(|l| l.name()).collect();
        format!("unknown layout '{s}' (one of: {})", names.join(", "))
    })
}

/// A Go `time.Duration` string as cert-manager's `renewBefore` takes it: numbers with units h,
/// m, s (and ms), such as `360h`, `720h0m0s`, `1h30m`.
fn parse_go_duration(s: &str) -> Result<std::time::Duration, String> {
    let bad = || format!("'{s}' is not a duration like 360h, 720h0m0s or 90m");
    let mut rest = s.trim();
    if rest.is_empty() {
        return Err(bad());
    }
    let mut total = 0f64;
    while !rest.is_empty() {
        let digits = rest
            .find(|c: char| !(c.is_ascii_digit() || c == '.'))
            .ok_or_else(bad)?;
        let value: f64 = rest[..digits].parse().map_err(|_| bad())?;
        rest = &rest[digits..];
        let unit_len = rest
            .find(|c: char| c.is_ascii_digit() || c == '.')
            .unwrap_or(rest.len());
        let factor = match &rest[..unit_len] {
            "h" => 3600.0,
            "m" => 60.0,
            "s" => 1.0,
            "ms" => 0.001,
            _ => return Err(bad()),
        };
        total += value * factor;
        rest = &rest[unit_len..];
    }
    // Go's time.Duration counts nanoseconds in an int64: at most 2562047h47m16.854775807s.
    if total > i64::MAX as f64 / 1e9 {
        return Err(format!(
            "'{s}' is out of range: a Go duration (cert-manager's renewBefore) is at most 2562047h47m16s"
        ));
    }
    Ok(std::time::Duration::from_secs_f64(total))
}

impl Args {
    fn cassandra_version(&self) -> cassandra_tls::options::CassandraVersion {
        self.cassandra_version.unwrap_or_default()
    }

    fn expiry(&self) -> doctor::ExpiryPolicy {
        doctor::ExpiryPolicy {
            warn_within: std::time::Duration::from_secs(u64::from(self.warn_expiry_days) * 86_400),
            renew_before: self.renew_before,
        }
    }

    fn based(&self, yaml: CassandraYaml) -> CassandraYaml {
        match &self.base_dir {
            Some(dir) => yaml.with_base_dir(dir),
            None => yaml,
        }
    }
}

fn parse_time(s: &str) -> Result<UnixTime, String> {
    let t = time::OffsetDateTime::parse(s, &time::format_description::well_known::Rfc3339)
        .map_err(|e| format!("not an RFC 3339 time: {e}"))?;
    let secs = u64::try_from(t.unix_timestamp()).map_err(|_| "a time before 1970".to_owned())?;
    Ok(UnixTime::since_unix_epoch(std::time::Duration::from_secs(
        secs,
    )))
}

/// The yamls a directory holds: its *.yaml and *.yml files and */cassandra.yaml, sorted.
fn yamls_in(dir: &std::path::Path) -> std::io::Result<Vec<PathBuf>> {
    let mut found = Vec::new();
    for entry in std::fs::read_dir(dir)? {
        let p = entry?.path();
        if p.is_dir() {
            let y = p.join("cassandra.yaml");
            if y.is_file() {
                found.push(y);
            }
        } else if p.extension().is_some_and(|e| e == "yaml" || e == "yml") {
            found.push(p);
        }
    }
    found.sort();
    Ok(found)
}

/// A --secret directory read as a node.
struct SecretNode {
    dir: PathBuf,
    yaml: CassandraYaml,
    /// The Secret's material the yaml does not use.
    unchecked: Vec<cassandra_tls::options::Unchecked>,
}

/// A warning for the Secret's material that was not checked: nothing is skipped silently.
fn unchecked_findings(unchecked: &[cassandra_tls::options::Unchecked]) -> Vec<doctor::Finding> {
    unchecked
        .iter()
        .map(|u| {
            let files: Vec<String> = u.files.iter().map(|f| f.display().to_string()).collect();
            // The PEM files beside the Java stores carry the same key and certificate.
            let severity = match u.reason {
                UncheckedReason::PemBesideJavaStores => Severity::Ok,
                _ => Severity::Warning,
            };
            doctor::Finding {
                severity,
                check: doctor::Check::File,
                section: "secret",
                message: format!("not checked: {}: {}", files.join(", "), u.why),
                fix: (severity == Severity::Warning).then(|| {
                    "give the Java stores' password with --secret-password-file to check them, or make sure the node is configured with the material that was checked".into()
                }),
            }
        })
        .collect()
}

/// The node yamls of the --secret directories, each with its directory, read as
/// --cassandra-version runs them.
fn secret_yamls(args: &Args) -> Result<Vec<SecretNode>, cassandra_tls::Error> {
    let refuse = |message: String| cassandra_tls::Error::Config {
        origin: cassandra_tls::Origin::Bytes("<command line>".into()),
        section: None,
        key: Some("--secret".into()),
        message,
    };
    if let Some(yaml) = args.config.first() {
        return Err(refuse(format!(
            "{} and --secret are two ways to name a node's material: give the cassandra.yaml (it names the mounted files itself: `doctor {}`), or the Secret's directories alone",
            yaml.display(),
            yaml.display()
        )));
    }
    let files = &args.secret_password_file;
    if files.len() > 1 && files.len() != args.secret.len() {
        return Err(refuse(format!(
            "{} --secret-password-file for {} --secret: give one for every Secret (matched in order), or one for all",
            files.len(),
            args.secret.len()
        )));
    }
    let passwords = files
        .iter()
        .map(|f| {
            cassandra_tls::Password::from_file_first_line(f).map_err(|e| cassandra_tls::Error::Io {
                path: f.clone(),
                source: e,
            })
        })
        .collect::<Result<Vec<_>, _>>()?;
    args.secret
        .iter()
        .enumerate()
        .map(|(i, dir)| {
            let password = passwords.get(i).or(passwords.first()).cloned();
            let secret = MountedSecret::open(dir, args.secret_layout, password)?;
            Ok(SecretNode {
                dir: dir.clone(),
                yaml: secret.node_yaml_for(args.cassandra_version())?,
                unchecked: secret.unchecked().to_vec(),
            })
        })
        .collect()
}

pub fn run(args: Args) -> ExitCode {
    let many = args.config.len() > 1 || args.config.iter().any(|p| p.is_dir());
    // scylla-operator's mounted Secret (and client-ca ConfigMap): one node.
    let operator = args.client_ca.is_some() || (args.scylla.is_some() && !args.secret.is_empty());
    if operator {
        if args.secret.len() != 1 || !args.config.is_empty() {
            eprintln!(
                "error: a scylla-operator node is one --secret (its serving-certs Secret) with --client-ca (its client-ca ConfigMap), and no yaml"
            );
            return ExitCode::from(2);
        }
        let version = match crate::scylla_mode(&args.secret[0], args.scylla.as_deref(), false) {
            Ok(v) => v.unwrap_or(ScyllaVersion::NEWEST_RELEASE),
            Err(code) => return code,
        };
        let label = args.secret[0].clone();
        let load =
            || OperatorMount::open(&args.secret[0], args.client_ca.as_deref(), None)?.scylla_yaml();
        return run_scylla(&args, &label, load, version, true);
    }
    if args.scylla.is_some() && many {
        eprintln!(
            "error: --scylla checks one scylla.yaml (or one scylla-operator --secret); several yamls (across nodes) are for Cassandra only"
        );
        return ExitCode::from(2);
    }
    // Several Secrets, or a Secret beside a yaml (refused by secret_yamls).
    if args.secret.len() > 1 || (!args.secret.is_empty() && !args.config.is_empty()) {
        return match secret_yamls(&args) {
            Ok(found) => {
                let (paths, yamls) = found.into_iter().map(|n| (n.dir, n.yaml)).unzip();
                report_cluster(&args, paths, yamls)
            }
            Err(e) => load_failure(&args, &e),
        };
    }
    let cluster = args.config.len() > 1 || args.config.iter().any(|p| p.is_dir());
    if cluster {
        return run_cluster(&args);
    }
    let given = args.secret.first().or(args.config.first()).cloned();
    let path = match crate::yaml_or_example(given) {
        Ok(p) => p,
        Err(code) => return code,
    };
    if args.secret.is_empty() {
        match crate::scylla_mode(
            &path,
            args.scylla.as_deref(),
            args.cassandra_version.is_some(),
        ) {
            Ok(Some(version)) => {
                return run_scylla(
                    &args,
                    &path,
                    || ScyllaYaml::load_file(&path),
                    version,
                    false,
                );
            }
            Ok(None) => {}
            Err(code) => return code,
        }
    }
    let mut unchecked = Vec::new();
    let yaml = if args.secret.is_empty() {
        CassandraYaml::load_file_for(&path, args.cassandra_version())
    } else {
        secret_yamls(&args).map(|mut found| {
            let node = found.remove(0);
            unchecked = node.unchecked;
            node.yaml
        })
    };
    let loaded = yaml.and_then(|y| {
        let rc = args.cqlshrc.as_ref().map(Cqlshrc::load_file).transpose()?;
        let nodetool = args
            .nodetool_ssl
            .as_ref()
            .map(NodetoolSsl::load_file)
            .transpose()?;
        let clients = client_certificates(&args)?;
        Ok((args.based(y), rc, nodetool, clients))
    });
    let (yaml, rc, nodetool, clients) = match loaded {
        Ok(v) => v,
        Err(e) => return load_failure(&args, &e),
    };
    let at = args.at.unwrap_or_else(UnixTime::now);
    let mut report = doctor::check_node_with_clients(
        &cassandra_tls::tls::Node::new(&yaml),
        rc.as_ref(),
        at,
        &args.expiry(),
        &clients,
    );
    if let Some(nodetool) = &nodetool {
        doctor::check_nodetool_ssl(&mut report, &yaml, nodetool, at);
    }
    report.findings.extend(unchecked_findings(&unchecked));
    print_report(&args, &path.display().to_string(), &report)
}

/// `doctor` on one scylla.yaml, read as Scylla `version` reads it.
fn run_scylla(
    args: &Args,
    path: &std::path::Path,
    load: impl FnOnce() -> cassandra_tls::Result<ScyllaYaml>,
    version: ScyllaVersion,
    operator: bool,
) -> ExitCode {
    let not_scylla: Vec<&str> = [
        (args.cqlshrc.is_some(), "--cqlshrc"),
        (args.nodetool_ssl.is_some(), "--nodetool-ssl"),
        (
            !args.secret_password_file.is_empty(),
            "--secret-password-file",
        ),
        (args.secret_layout.is_some(), "--secret-layout"),
    ]
    .into_iter()
    .filter_map(|(given, flag)| given.then_some(flag))
    .collect();
    if !not_scylla.is_empty() {
        eprintln!(
            "error: {} apply to Cassandra only; {} is read as a scylla.yaml (give --cassandra-version to read it as a cassandra.yaml)",
            not_scylla.join(", "),
            path.display()
        );
        return ExitCode::from(2);
    }
    let loaded = load().map(|y| {
        let y = y.with_version(version);
        match &args.base_dir {
            Some(dir) => y.with_base_dir(dir),
            None => y,
        }
    });
    let at = args.at.unwrap_or_else(UnixTime::now);
    let report = match loaded {
        // A --client-cert that does not load is a finding of its own; the node is still checked.
        Ok(yaml) => match client_certificates(args) {
            Ok(clients) => {
                doctor::check_scylla_with_clients(&yaml.resolve(), at, &args.expiry(), &clients)
            }
            Err(e) => {
                let mut report = doctor::check_scylla(&yaml.resolve(), at, &args.expiry());
                report.findings.push(doctor::Finding {
                    severity: Severity::Error,
                    check: doctor::Check::Identity,
                    section: "authenticator",
                    message: format!("--client-cert: {e}; no certificate was checked"),
                    fix: Some("give a readable client certificate: a PEM chain, or a key store with --client-cert-password-file".into()),
                });
                report
            }
        },
        // A yaml Scylla cannot read (a syntax error) is its refusal to start; a file that is
        // not there is named as such.
        Err(e) if operator => doctor::Report {
            findings: vec![doctor::Finding {
                severity: Severity::Error,
                check: doctor::Check::File,
                section: "scylla-operator",
                message: e.to_string(),
                fix: Some("give scylla-operator's mounted serving-certs Secret (tls.crt, tls.key) with --secret and its client-ca ConfigMap (ca-bundle.crt) with --client-ca".into()),
            }],
        },
        Err(e) => {
            let (check, message) = match &e {
                cassandra_tls::Error::Config { .. } => (
                    doctor::Check::Startup,
                    format!("Scylla does not start: {e}"),
                ),
                _ => (doctor::Check::File, e.to_string()),
            };
            doctor::Report {
                findings: vec![doctor::Finding {
                    severity: Severity::Error,
                    check,
                    section: "scylla.yaml",
                    message,
                    fix: Some("give a readable scylla.yaml in valid YAML".into()),
                }],
            }
        }
    };
    print_report(
        args,
        &format!("{} (ScyllaDB {version})", path.display()),
        &report,
    )
}

/// One node's report, as JSON or text under its header; the exit code by its errors.
fn print_report(args: &Args, header: &str, report: &doctor::Report) -> ExitCode {
    let errors = report.count(Severity::Error);
    let warnings = report.count(Severity::Warning);
    if args.json {
        let findings = &report.findings;
        println!(
            "{}",
            json!({"findings": findings, "summary": {"errors": errors, "warnings": warnings}})
        );
    } else {
        println!("cassandra-tls doctor: {header}");
        print_findings(&report.findings);
        println!("\nsummary: {errors} error(s), {warnings} warning(s)");
    }
    exit_code(errors)
}

/// The --client-cert files, with the --client-cert-password-file password.
fn client_certificates(args: &Args) -> cassandra_tls::Result<Vec<doctor::ClientCertificate>> {
    let password = args
        .client_cert_password_file
        .as_ref()
        .map(|f| {
            cassandra_tls::Password::from_file_first_line(f).map_err(|e| cassandra_tls::Error::Io {
                path: f.clone(),
                source: e,
            })
        })
        .transpose()?;
    args.client_cert
        .iter()
        .map(|p| doctor::ClientCertificate::load(p, password.clone()))
        .collect()
}

fn load_failure(args: &Args, e: &cassandra_tls::Error) -> ExitCode {
    if args.json {
        let v = json!({"findings": [{"severity": "error", "check": "file", "section": "cassandra.yaml", "message": e.to_string(), "fix": "give the paths of a readable, valid cassandra.yaml (and cqlshrc, nodetool-ssl.properties), or a mounted secret in a known layout"}], "summary": {"errors": 1, "warnings": 0}});
        println!("{v}");
    } else {
        eprintln!("error ({}): {e}", e.kind());
    }
    ExitCode::from(1)
}

pub(crate) fn print_findings(findings: &[doctor::Finding]) {
    let mut section = "";
    for f in findings {
        if f.section != section {
            section = f.section;
            println!("\n{section}");
        }
        println!("  {:<8} {:<17} {}", f.severity, f.check, f.message);
        if let Some(fix) = &f.fix {
            println!("  {:<8} {:<17} fix: {fix}", "", "");
        }
    }
}

/// The longest node name a matrix shows as it is; longer ones get short labels and a legend,
/// so that three nodes fit an 80-column terminal.
const LONGEST_NAME: usize = 16;

/// Short labels for the nodes when a name is too long for a matrix: each node's file or
/// directory name (a `cassandra.yaml`'s directory), else `n1`, `n2`, ...
fn short_labels(names: &[String], paths: &[PathBuf]) -> Option<Vec<String>> {
    if names.iter().all(|n| n.len() <= LONGEST_NAME) {
        return None;
    }
    let from_path = |p: &PathBuf| {
        let stem = p.file_stem()?.to_string_lossy().into_owned();
        let name = if stem == "cassandra" {
            p.parent()?.file_name()?.to_string_lossy().into_owned()
        } else {
            stem
        };
        (!name.is_empty() && name.len() <= 12).then_some(name)
    };
    let labels: Option<Vec<String>> = paths.iter().map(from_path).collect();
    let unique = |l: &Vec<String>| {
        l.len() == names.len() && l.iter().enumerate().all(|(i, a)| !l[..i].contains(a))
    };
    Some(match labels {
        Some(l) if unique(&l) => l,
        _ => (1..=names.len()).map(|i| format!("n{i}")).collect(),
    })
}

fn print_matrix(title: &str, m: &doctor::Matrix, labels: Option<&[String]>) {
    println!("\n{title} (row connects to column)");
    let names: &[String] = labels.unwrap_or(&m.nodes);
    let width = names.iter().map(String::len).max().unwrap_or(4).max(9) + 2;
    let mut header = format!("  {:<width$}", "");
    for n in names {
        header.push_str(&format!("{n:<width$}"));
    }
    println!("{}", header.trim_end());
    for (i, row) in m.links.iter().enumerate() {
        let mut line = format!("  {:<width$}", names[i]);
        for l in row {
            let cell = l
                .as_ref()
                .map(|l| l.to_string())
                .unwrap_or_else(|| "-".into());
            line.push_str(&format!("{cell:<width$}"));
        }
        println!("{}", line.trim_end());
    }
}

fn run_cluster(args: &Args) -> ExitCode {
    let mut paths = Vec::new();
    for p in &args.config {
        if p.is_dir() {
            match yamls_in(p) {
                Ok(found) => paths.extend(found),
                Err(e) => {
                    eprintln!("error (io): {}: {e}", p.display());
                    return ExitCode::from(1);
                }
            }
        } else {
            paths.push(p.clone());
        }
    }
    let mut yamls = Vec::new();
    for p in &paths {
        match CassandraYaml::load_file_for(p, args.cassandra_version()) {
            Ok(y) => yamls.push(args.based(y)),
            Err(e) => {
                if args.json {
                    let v = json!({"nodes": [], "cluster": null, "error": {"path": p.display().to_string(), "kind": e.kind(), "message": e.to_string()}, "summary": {"errors": 1, "warnings": 0}});
                    println!("{v}");
                } else {
                    eprintln!("error ({}): {e}", e.kind());
                }
                return ExitCode::from(1);
            }
        }
    }
    if yamls.is_empty() {
        eprintln!("error: no cassandra.yaml found in {:?}", args.config);
        return ExitCode::from(2);
    }
    report_cluster(args, paths, yamls)
}

/// Checks `yamls` alone and across nodes, and prints the report.
fn report_cluster(args: &Args, paths: Vec<PathBuf>, yamls: Vec<CassandraYaml>) -> ExitCode {
    let at = args.at.unwrap_or_else(UnixTime::now);
    let report = doctor::check_cluster_with(&yamls, at, &args.expiry());
    let errors = report.count(Severity::Error);
    let warnings = report.count(Severity::Warning);
    if args.json {
        let nodes: Vec<_> = report
            .nodes
            .iter()
            .zip(&paths)
            .map(|((name, r), p)| {
                json!({
                    "node": name,
                    "path": p.display().to_string(),
                    "findings": r.findings,
                    "summary": {"errors": r.count(Severity::Error), "warnings": r.count(Severity::Warning)},
                })
            })
            .collect();
        println!(
            "{}",
            json!({
                "nodes": nodes,
                "cluster": {
                    "findings": report.findings,
                    "internode": report.internode,
                    "client_to_node": report.client_to_node,
                },
                "summary": {"errors": errors, "warnings": warnings},
            })
        );
    } else {
        for ((name, r), p) in report.nodes.iter().zip(&paths) {
            println!("cassandra-tls doctor: {name} ({})", p.display());
            print_findings(&r.findings);
            println!();
        }
        println!("cassandra-tls doctor: across {} nodes", report.nodes.len());
        let labels = short_labels(&report.internode.nodes, &paths);
        if let Some(labels) = &labels {
            for (label, name) in labels.iter().zip(&report.internode.nodes) {
                println!("  {label:<12} {name}");
            }
        }
        print_matrix("internode", &report.internode, labels.as_deref());
        print_matrix("client-to-node", &report.client_to_node, labels.as_deref());
        print_findings(&report.findings);
        println!("\nsummary: {errors} error(s), {warnings} warning(s)");
    }
    exit_code(errors)
}

/// 1 when any finding is an error.
fn exit_code(errors: usize) -> ExitCode {
    if errors > 0 {
        ExitCode::from(1)
    } else {
        ExitCode::SUCCESS
    }
}
