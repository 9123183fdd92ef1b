//! `cassandra-tls explain`: what a node does with its cassandra.yaml at start-up.

use std::path::PathBuf;
use std::process::ExitCode;

use cassandra_tls::explain::{self, Explanation, Provider, SectionExplanation};
use cassandra_tls::options::CassandraVersion;
use clap::Args as ClapArgs;

/// Arguments of `explain`.
#[derive(ClapArgs)]
pub struct Args {
    /// The node's cassandra.yaml (default: the committed fixtures/conf/cassandra.yaml).
    config: Option<PathBuf>,
    /// Read it as this Cassandra version does: 4.0, 4.1, 5.0 (default) or 6.0 (trunk is an alias of 6.0).
    #[arg(long, value_name = "VERSION", default_value = "5.0")]
    cassandra_version: CassandraVersion,
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
    let e = explain::explain(&path, args.cassandra_version, args.provider);
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
