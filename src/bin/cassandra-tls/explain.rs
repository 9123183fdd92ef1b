//! `cassandra-tls explain`: what a node does with its cassandra.yaml at start-up.

use std::path::PathBuf;
use std::process::ExitCode;

use cassandra_tls::explain::scylla::{ScyllaExplanation, explain_scylla};
use cassandra_tls::explain::{self, Explanation, Provider, SectionExplanation};
use cassandra_tls::options::CassandraVersion;
use cassandra_tls::options::scylla::ScyllaVersion;
use cassandra_tls::report::Severity;
use clap::Args as ClapArgs;

/// Arguments of `explain`.
#[derive(ClapArgs)]
pub struct Args {
    /// The node's cassandra.yaml (default: the committed fixtures/conf/cassandra.yaml).
    config: Option<PathBuf>,
    /// Read it as this Cassandra version does: 4.0, 4.1, 5.0 (the default) or 6.0 (trunk is an
    /// alias of 6.0).
    #[arg(long, value_name = "VERSION")]
    cassandra_version: Option<CassandraVersion>,
    /// Read it as a scylla.yaml, as this ScyllaDB line does: 2025.1 to 2026.3, or master
    /// (default: the newest release). Without this flag or --cassandra-version, a file named
    /// scylla.yaml, or one with keys only Scylla has, is read as a scylla.yaml.
    #[arg(long, value_name = "VERSION", num_args = 0..=1, require_equals = true,
          default_missing_value = crate::NEWEST_SCYLLA, conflicts_with = "cassandra_version")]
    scylla: Option<String>,
    /// The TLS provider Netty runs under Cassandra: openssl (netty-tcnative, the default on
    /// Linux) or jdk (-Dcassandra.disable_tcactive_openssl=true).
    #[arg(long, default_value = "openssl")]
    provider: Provider,
    /// Print JSON (keys in the README).
    #[arg(long)]
    json: bool,
}

pub fn run(args: Args) -> ExitCode {
    let path = match crate::yaml_or_example(args.config) {
        Ok(p) => p,
        Err(code) => return code,
    };
    match crate::scylla_mode(
        &path,
        args.scylla.as_deref(),
        args.cassandra_version.is_some(),
    ) {
        Ok(Some(version)) => return run_scylla(&path, version, args.json),
        Ok(None) => {}
        Err(code) => return code,
    }
    let version = args.cassandra_version.unwrap_or_default();
    let e = explain::explain(&path, version, args.provider);
    if args.json {
        match serde_json::to_string_pretty(&e) {
            Ok(text) => println!("{text}"),
            Err(err) => {
                eprintln!("error: {err}");
                return ExitCode::from(2);
            }
        }
    } else {
        print_text(&e);
    }
    if e.accepted {
        ExitCode::SUCCESS
    } else {
        ExitCode::from(1)
    }
}

fn run_scylla(path: &std::path::Path, version: ScyllaVersion, json: bool) -> ExitCode {
    let e = explain_scylla(path, version);
    let errors = e
        .findings
        .iter()
        .filter(|f| f.severity == Severity::Error)
        .count();
    if json {
        match serde_json::to_string_pretty(&e) {
            Ok(text) => println!("{text}"),
            Err(err) => {
                eprintln!("error: {err}");
                return ExitCode::from(2);
            }
        }
    } else {
        print_scylla(&e);
    }
    if errors > 0 {
        ExitCode::from(1)
    } else {
        ExitCode::SUCCESS
    }
}

fn print_scylla(e: &ScyllaExplanation) {
    println!("{}: ScyllaDB {}", e.path, e.version);
    println!(
        "  {}",
        if e.starts {
            "the yaml lets the node start (its certificate and key files: see doctor)"
        } else {
            "the node does not start"
        }
    );
    for s in &e.services {
        println!("{} ({}):", s.service, s.option);
        println!("  TLS {}: {}", if s.tls { "on" } else { "off" }, s.why);
        println!("  map {}", s.map);
        if !s.tls {
            continue;
        }
        let mut head = String::new();
        if let Some(mode) = s.internode_encryption {
            head += &format!("internode_encryption {mode}, ");
        }
        println!(
            "  {head}client auth {}, session tickets {}",
            s.client_auth, s.session_tickets
        );
        println!("  certificate {}, keyfile {}", s.certificate, s.keyfile);
        println!(
            "  truststore {}, certficate_revocation_list {}",
            s.truststore.as_deref().unwrap_or("none (no trust anchors)"),
            s.crl.as_deref().unwrap_or("none")
        );
        println!("  priority_string {}", shorten(&s.priority_string));
        if !s.rustls_can_use.is_empty() {
            println!("  rustls can use: {}", s.rustls_can_use.join(", "));
        }
        if !s.rustls_cannot_use.is_empty() {
            let items: Vec<&str> = s
                .rustls_cannot_use
                .iter()
                .map(|u| u.split(" (").next().unwrap_or(u))
                .collect();
            println!("  rustls cannot use: {}", items.join(", "));
        }
    }
    if !e.listeners.is_empty() {
        println!("ports:");
        for l in &e.listeners {
            let mut what = vec![if l.tls { "TLS" } else { "plain" }];
            if l.shard_aware {
                what.push("shard-aware");
            }
            if l.proxy_protocol {
                what.push("proxy protocol");
            }
            if let Some(a) = l.accepts {
                what.push(a);
            }
            let note = l
                .note
                .as_ref()
                .map(|n| format!(" ({n})"))
                .unwrap_or_default();
            println!(
                "  {:<5} {:<10} {} {}{note}",
                l.port,
                l.service,
                l.option,
                what.join(", ")
            );
        }
        println!("  outgoing internode TLS: {}", e.outgoing_internode_tls);
    }
    crate::doctor::print_findings(&e.findings);
}

/// A long priority string cut for the terminal.
fn shorten(s: &str) -> String {
    if s.len() <= 100 {
        return s.to_owned();
    }
    let mut end = 100;
    while !s.is_char_boundary(end) {
        end -= 1;
    }
    format!("{}... ({} bytes)", &s[..end], s.len())
}

fn print_text(e: &Explanation) {
    println!(
        "{}: Cassandra {} with the {} provider",
        e.path,
        e.version,
        e.provider.as_str(),
    );
    let jdks: Vec<String> = e.jdks.iter().map(u8::to_string).collect();
    println!(
        "  verdict measured against Cassandra {}'s own classes on Java {}{}",
        e.version,
        jdks.join(", "),
        if e.version.starts_with("4.") {
            " (Java 8, which 4.x also supports, is not measured)"
        } else {
            ""
        }
    );
    if let Some(err) = &e.error {
        println!(
            "  refused at start-up ({} stage): {}",
            serde_json::to_value(err.stage)
                .ok()
                .and_then(|v| v.as_str().map(str::to_owned))
                .unwrap_or_default(),
            err.message
        );
        return;
    }
    println!("  accepted: the node starts");
    for (name, s) in [
        ("server_encryption_options", &e.server_encryption_options),
        ("client_encryption_options", &e.client_encryption_options),
    ] {
        if let Some(s) = s {
            print_section(name, s);
        }
    }
    if let Some(a) = &e.auth {
        println!("authentication:");
        println!(
            "  authenticator {}{} (client certificate login: {})",
            a.authenticator,
            a.authenticator_validator
                .as_ref()
                .map(|v| format!(" with {v}"))
                .unwrap_or_default(),
            a.client_certificate_login
        );
        println!(
            "  internode_authenticator {}{}",
            a.internode_authenticator,
            a.internode_validator
                .as_ref()
                .map(|v| format!(" with {v}"))
                .unwrap_or_default()
        );
        if let (Some(ids), Some(from)) = (&a.trusted_peer_identities, a.trusted_identities_from) {
            println!("  trusted peer identities (from {from}): {ids:?}");
        }
        for (who, limits, section) in [
            (
                "clients",
                a.client_certificate_validity,
                "client_encryption_options",
            ),
            (
                "peers",
                a.internode_certificate_validity,
                "server_encryption_options",
            ),
        ] {
            if let Some(l) = limits {
                println!(
                    "  {who}' certificates valid for at most {} ({section}.max_certificate_validity_period){}",
                    l.max_certificate_validity_period_minutes
                        .map(|m| cassandra_tls::tls::human_readable_minutes(m as i32))
                        .unwrap_or_else(|| "any period".into()),
                    l.certificate_validity_warn_threshold_minutes
                        .map(|m| format!(
                            ", warned of within {}",
                            cassandra_tls::tls::human_readable_minutes(m as i32)
                        ))
                        .unwrap_or_default()
                );
            }
        }
        println!(
            "  role_manager {}, authorizer {}, network_authorizer {}{}",
            a.role_manager,
            a.authorizer,
            a.network_authorizer,
            a.cidr_authorizer
                .as_ref()
                .map(|c| format!(", cidr_authorizer {c}"))
                .unwrap_or_default()
        );
        for n in &a.notes {
            println!("  note: {n}");
        }
    }
}

fn print_section(name: &str, s: &SectionExplanation) {
    println!("{name}:");
    let mut head = format!("  policy {}", s.policy);
    if let Some(ie) = s.internode_encryption {
        head += &format!(", internode_encryption {ie}");
    }
    head += &format!(
        ", client auth {}, endpoint verification {}",
        s.client_auth,
        if s.endpoint_verification { "on" } else { "off" }
    );
    println!("{head}");
    println!(
        "  factory {}, store_type {}, keystore {}, truststore {}",
        s.factory, s.store_type, s.keystore, s.truststore
    );
    if let Some(Some(out)) = &s.outbound_keystore {
        println!("  outbound_keystore {out}");
    }
    for st in &s.stores {
        println!(
            "  {}: {} ({}, {} key(s), {} trusted)",
            st.role, st.origin, st.format, st.keys, st.trusted
        );
    }
    match (&s.protocols, &s.cipher_suites) {
        (Some(p), Some(c)) => {
            println!("  protocols: {}", p.join(", "));
            println!("  cipher suites: {}", c.join(", "));
        }
        _ => println!("  no SSL engine (UNENCRYPTED)"),
    }
    for d in &s.divergences {
        println!("  differs here: {d}");
    }
}
