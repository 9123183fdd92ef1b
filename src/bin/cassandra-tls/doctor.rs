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
    /// The node's cassandra.yaml (default: the committed fixtures/conf/cassandra.yaml).
    config: Option<PathBuf>,
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
    /// Print JSON.
    #[arg(long)]
    json: bool,
}

fn parse_time(s: &str) -> Result<UnixTime, String> {
    let t = time::OffsetDateTime::parse(s, &time::format_description::well_known::Rfc3339)
        .map_err(|e| format!("not an RFC 3339 time: {e}"))?;
    let secs = u64::try_from(t.unix_timestamp()).map_err(|_| "a time before 1970".to_owned())?;
    Ok(UnixTime::since_unix_epoch(std::time::Duration::from_secs(
        secs,
    )))
}

pub fn run(args: Args) -> ExitCode {
    let path = args
        .config
        .clone()
        .unwrap_or_else(|| PathBuf::from(DEFAULT_YAML));
    let loaded = CassandraYaml::load_file_for(&path, args.cassandra_version).and_then(|y| {
        let rc = args.cqlshrc.as_ref().map(Cqlshrc::load_file).transpose()?;
        let nodetool = args
            .nodetool_ssl
            .as_ref()
            .map(NodetoolSsl::load_file)
            .transpose()?;
        Ok((y, rc, nodetool))
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
        let findings: Vec<_> = report
            .findings
            .iter()
            .map(|f| json!({"severity": f.severity.to_string(), "check": f.check, "section": f.section, "message": f.message, "fix": f.fix}))
            .collect();
        println!(
            "{}",
            json!({"findings": findings, "summary": {"errors": errors, "warnings": warnings}})
        );
    } else {
        println!("cassandra-tls doctor: {}", path.display());
        let mut section = "";
        for f in &report.findings {
            if f.section != section {
                section = f.section;
                println!("\n{section}");
            }
            println!("  {:<8} {:<17} {}", f.severity, f.check, f.message);
            if let Some(fix) = &f.fix {
                println!("  {:<8} {:<17} fix: {fix}", "", "");
            }
        }
        println!("\nsummary: {errors} error(s), {warnings} warning(s)");
    }
    if errors > 0 {
        ExitCode::from(1)
    } else {
        ExitCode::SUCCESS
    }
}
