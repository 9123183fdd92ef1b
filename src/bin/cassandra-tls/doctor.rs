//! `cassandra-tls doctor`: a node's SSL setup checked end to end.

use std::path::PathBuf;
use std::process::ExitCode;

use cassandra_tls::doctor::{self, Severity};
use cassandra_tls::options::{CassandraYaml, Cqlshrc, NodetoolSsl};
use clap::Args as ClapArgs;
use rustls::pki_types::UnixTime;
use serde_json::json;

/// The committed healthy configuration, checked when no path is given.
const DEFAULT_YAML: &str = "fixtures/conf/cassandra.yaml";

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
    /// Read the yaml as this Cassandra version does: 4.0, 4.1, 5.0 (default) or trunk.
    #[arg(long, value_name = "VERSION", default_value = "5.0")]
    cassandra_version: cassandra_tls::options::CassandraVersion,
    /// Resolve the yaml's relative store paths against this directory (Cassandra's working
    /// directory, normally its home) instead of the current one.
    #[arg(long, value_name = "DIR")]
    base_dir: Option<PathBuf>,
    /// Print JSON.
    #[arg(long)]
    json: bool,
}

impl Args {
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

pub fn run(args: Args) -> ExitCode {
    let cluster = args.config.len() > 1 || args.config.iter().any(|p| p.is_dir());
    if cluster {
        return run_cluster(&args);
    }
    let path = args
        .config
        .first()
        .cloned()
        .unwrap_or_else(|| PathBuf::from(DEFAULT_YAML));
    let loaded = CassandraYaml::load_file_for(&path, args.cassandra_version).and_then(|y| {
        let rc = args.cqlshrc.as_ref().map(Cqlshrc::load_file).transpose()?;
        let nodetool = args
            .nodetool_ssl
            .as_ref()
            .map(NodetoolSsl::load_file)
            .transpose()?;
        Ok((args.based(y), rc, nodetool))
    });
    let (yaml, rc, nodetool) = match loaded {
        Ok(v) => v,
        Err(e) => {
            if args.json {
                let v = json!({"findings": [{"severity": "error", "check": "file", "section": "cassandra.yaml", "message": e.to_string(), "fix": "give the paths of a readable, valid cassandra.yaml (and cqlshrc, nodetool-ssl.properties)"}], "summary": {"errors": 1, "warnings": 0}});
                println!("{v}");
            } else {
                eprintln!("error ({}): {e}", e.kind());
            }
            return ExitCode::from(1);
        }
    };
    let at = args.at.unwrap_or_else(UnixTime::now);
    let mut report = doctor::check(&yaml, rc.as_ref(), at);
    if let Some(nodetool) = &nodetool {
        doctor::check_nodetool_ssl(&mut report, &yaml, nodetool, at);
    }
    let errors = report.count(Severity::Error);
    let warnings = report.count(Severity::Warning);
    if args.json {
        let findings: Vec<_> = report.findings.iter().map(finding_json).collect();
        println!(
            "{}",
            json!({"findings": findings, "summary": {"errors": errors, "warnings": warnings}})
        );
    } else {
        println!("cassandra-tls doctor: {}", path.display());
        print_findings(&report.findings);
        println!("\nsummary: {errors} error(s), {warnings} warning(s)");
    }
    exit_code(errors)
}

fn finding_json(f: &doctor::Finding) -> serde_json::Value {
    json!({"severity": f.severity.to_string(), "check": f.check.name(), "section": f.section, "message": f.message, "fix": f.fix})
}

fn print_findings(findings: &[doctor::Finding]) {
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

fn print_matrix(title: &str, m: &doctor::Matrix) {
    println!("\n{title} (row connects to column)");
    let width = m.nodes.iter().map(String::len).max().unwrap_or(4).max(9) + 2;
    print!("  {:<width$}", "");
    for n in &m.nodes {
        print!("{n:<width$}");
    }
    println!();
    for (i, row) in m.links.iter().enumerate() {
        print!("  {:<width$}", m.nodes[i]);
        for l in row {
            let cell = l
                .as_ref()
                .map(|l| l.to_string())
                .unwrap_or_else(|| "-".into());
            print!("{cell:<width$}");
        }
        println!();
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
        match CassandraYaml::load_file_for(p, args.cassandra_version) {
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
    let at = args.at.unwrap_or_else(UnixTime::now);
    let report = doctor::check_cluster(&yamls, at);
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
                    "findings": r.findings.iter().map(finding_json).collect::<Vec<_>>(),
                    "summary": {"errors": r.count(Severity::Error), "warnings": r.count(Severity::Warning)},
                })
            })
            .collect();
        println!(
            "{}",
            json!({
                "nodes": nodes,
                "cluster": {
                    "findings": report.findings.iter().map(finding_json).collect::<Vec<_>>(),
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
        print_matrix("internode", &report.internode);
        print_matrix("client-to-node", &report.client_to_node);
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
