//! Where a section's keys and trusted certificates come from, checked against Cassandra itself:
//! a grid of `server_encryption_options` key sources (key store files of every `store_type`,
//! outbound key stores, 6.0's password files, the PEM factory's files and inline keys with their
//! passwords) run through cassandra-all 4.0, 4.1, 5.0 and 6.0's own classes
//! (tests/peers/KeySourceOracle.java: applyConfig, then the factory's key and trust managers, then
//! the files its hot reload registers), and through `explain`, the configs' key and trust loads
//! and the reloader's watched files. All must agree with Cassandra: the stage that refuses, the
//! certificate each key presents, the files watched. The one deliberate divergence (FIDELITY.md):
//! a PEM key Cassandra's PEMReader cannot read (here: an unencrypted key given a password) is
//! read, with the warning `NotReadByCassandra`.
#![cfg(feature = "diagnostics")]

mod common;

use std::collections::{BTreeMap, BTreeSet};
use std::path::{Path, PathBuf};

use cassandra_tls::explain::{Provider, explain_yaml};
use cassandra_tls::keystore::{KeyStore, Warning};
use cassandra_tls::options::{CassandraVersion, CassandraYaml};
use cassandra_tls::tls::reload::reloading_server_config;
use cassandra_tls::tls::{Node, Role, ServerRole, TlsSettings};
use serde_json::Value;

const PEM_FACTORY: &str = "  ssl_context_factory:\n    class_name: org.apache.cassandra.security.PEMBasedSslContextFactory\n";

/// The stores directory (`{S}`): the fixtures, client1's PEM key with its chain, password files.
fn stores(dir: &Path) -> PathBuf {
    let s = dir.join("stores");
    std::fs::create_dir_all(&s).unwrap();
    for entry in std::fs::read_dir(common::fixtures().join("stores")).unwrap() {
        let entry = entry.unwrap();
        std::fs::copy(entry.path(), s.join(entry.file_name())).unwrap();
    }
    let mut client = std::fs::read(s.join("client1.key.pem")).unwrap();
    client.extend(std::fs::read(s.join("client1.chain.pem")).unwrap());
    std::fs::write(s.join("client1-keystore-plain.pem"), client).unwrap();
    std::fs::write(s.join("password.txt"), "cassandra\nsecond line\n").unwrap();
    std::fs::write(s.join("wrong-password.txt"), "wrong\n").unwrap();
    std::fs::write(s.join("empty-password.txt"), "").unwrap();
    s
}

/// A PEM file's lines indented as a yaml block scalar's under `parameters`.
fn indented(path: &Path) -> String {
    std::fs::read_to_string(path)
        .unwrap()
        .lines()
        .map(|l| format!("        {l}\n"))
        .collect()
}

fn server(lines: &str) -> String {
    format!("server_encryption_options:\n  internode_encryption: all\n{lines}")
}

/// Key store files of each `store_type`, outbound key stores and passwords.
fn file_cases(c: &mut Vec<(String, String)>) {
    let store_types = [
        "unset",
        "JKS",
        "PKCS12",
        "jceks",
        "CaseExactJKS",
        "DKS",
        "nonsense",
        "PEM",
        "p12",
    ];
    let keystores = ["node1.jks", "node1.p12", "node1.jceks", "absent.jks"];
    let outbounds = [
        ("none", ""),
        ("out", "  outbound_keystore: {S}/client1.jks\n"),
        (
            "out-blankpw",
            "  outbound_keystore: {S}/client1.jks\n  outbound_keystore_password: \"\"\n",
        ),
        ("out-absent", "  outbound_keystore: {S}/absent.jks\n"),
    ];
    for st in store_types {
        for ks in keystores {
            for (on, out) in outbounds {
                let mut l =
                    format!("  keystore: {{S}}/{ks}\n  keystore_password: cassandra\n{out}");
                l += "  truststore: {S}/truststore.jks\n  truststore_password: cassandra\n";
                if st != "unset" {
                    l += &format!("  store_type: {st}\n");
                }
                c.push((format!("file/{st}-{ks}-{on}"), server(&l)));
            }
        }
    }
    // Inline passwords against 6.0's password files (inbound and outbound).
    let inline = [
        ("unset", None),
        ("right", Some("cassandra")),
        ("wrong", Some("wrong")),
        ("empty", Some("\"\"")),
    ];
    let files = [
        ("nofile", None),
        ("file", Some("password.txt")),
        ("wrongfile", Some("wrong-password.txt")),
        ("emptyfile", Some("empty-password.txt")),
        ("missingfile", Some("absent.txt")),
    ];
    for (pn, p) in inline {
        for (fname, f) in files {
            for (on, out) in [
                ("", ""),
                (
                    "-outfile",
                    "  outbound_keystore: {S}/client1.jks\n  outbound_keystore_password_file: {S}/password.txt\n",
                ),
            ] {
                let mut l = "  keystore: {S}/node1.jks\n  truststore: {S}/truststore.jks\n  truststore_password: cassandra\n".to_owned();
                if let Some(p) = p {
                    l += &format!("  keystore_password: {p}\n");
                }
                if let Some(f) = f {
                    l += &format!("  keystore_password_file: {{S}}/{f}\n");
                }
                l += out;
                c.push((format!("password/{pn}-{fname}{on}"), server(&l)));
            }
        }
    }
}

/// The PEM factory: key files and inline keys, their passwords, outbound keys, trust.
fn pem_cases(c: &mut Vec<(String, String)>) {
    let keys = [
        ("file-enc", "  keystore: {S}/node1-keystore.pem\n", ""),
        (
            "file-plain",
            "  keystore: {S}/node1-keystore-plain.pem\n",
            "",
        ),
        ("file-absent", "  keystore: {S}/absent.pem\n", ""),
        (
            "inline",
            "  keystore: {S}/absent.pem\n",
            "      private_key: |\n{KEY}",
        ),
        (
            "inline-and-file",
            "  keystore: {S}/node1-keystore-plain.pem\n",
            "      private_key: |\n{KEY}",
        ),
        (
            "inline-blank",
            "  keystore: {S}/node1-keystore-plain.pem\n",
            "      private_key: \"  \"\n",
        ),
        (
            "inline-empty",
            "  keystore: {S}/node1-keystore-plain.pem\n",
            "      private_key: \"\"\n",
        ),
    ];
    let passwords = [
        ("nopw", "", ""),
        ("kspw", "  keystore_password: cassandra\n", ""),
        ("pkpw", "", "      private_key_password: cassandra\n"),
        (
            "mismatch",
            "  keystore_password: cassandra\n",
            "      private_key_password: other\n",
        ),
        (
            "ks-emptypk",
            "  keystore_password: cassandra\n",
            "      private_key_password: \"\"\n",
        ),
        (
            "emptyks-pkpw",
            "  keystore_password: \"\"\n",
            "      private_key_password: cassandra\n",
        ),
    ];
    let outbounds = [
        ("none", "", ""),
        ("out-inline", "", "      outbound_private_key: |\n{CLIENT}"),
        ("out-inline-empty", "", "      outbound_private_key: \"\"\n"),
        (
            "out-file",
            "  outbound_keystore: {S}/client1-keystore-plain.pem\n",
            "",
        ),
        ("out-pw", "", "      outbound_private_key_password: other\n"),
    ];
    for (kn, kfile, kparam) in keys {
        for (pn, pfile, pparam) in passwords {
            for (on, ofile, oparam) in outbounds {
                let params = format!("{kparam}{pparam}{oparam}");
                let mut l = format!(
                    "{kfile}{pfile}{ofile}  truststore: {{S}}/ca-bundle.pem\n{PEM_FACTORY}"
                );
                if !params.is_empty() {
                    l += &format!("    parameters:\n{params}");
                }
                c.push((format!("pem/{kn}-{pn}-{on}"), server(&l)));
            }
        }
    }
    let trusts = [
        ("file", "  truststore: {S}/ca-bundle.pem\n", ""),
        (
            "inline",
            "  truststore: {S}/absent.pem\n",
            "      trusted_certificates: |\n{CA}",
        ),
        (
            "both",
            "  truststore: {S}/ca-bundle.pem\n",
            "      trusted_certificates: |\n{CA}",
        ),
        ("neither", "  truststore: {S}/absent.pem\n", ""),
        (
            "blank",
            "  truststore: {S}/ca-bundle.pem\n",
            "      trusted_certificates: \"\"\n",
        ),
    ];
    for (tn, tfile, tparam) in trusts {
        for (sn, st) in [("", ""), ("-st", "  store_type: nonsense\n")] {
            let mut l =
                format!("  keystore: {{S}}/node1-keystore-plain.pem\n{tfile}{st}{PEM_FACTORY}");
            if !tparam.is_empty() {
                l += &format!("    parameters:\n{tparam}");
            }
            c.push((format!("pem-trust/{tn}{sn}"), server(&l)));
        }
    }
}

/// Every yaml through the oracle, in one JVM of the JDK on PATH (the JDK provider: no engine
/// is built). The oracle uses CassandraOracle's helpers: both are compiled.
fn oracle(home: &Path, dir: &Path, paths: &[PathBuf], line: &str) -> BTreeMap<String, Value> {
    let sources = ["KeySourceOracle.java", "CassandraOracle.java"];
    let classes = common::oracle::compiled(line, home, &sources);
    let run = common::oracle::Run {
        java: Path::new("java"),
        home,
        classes: &classes,
        main: "KeySourceOracle",
        properties: vec!["-Dcassandra.disable_tcactive_openssl=true".to_owned()],
        prefix: "KEYSOURCE ",
    };
    let verdicts = common::oracle::verdicts(&run, dir, paths);
    for v in verdicts.values() {
        assert!(v.get("oracle_failure").is_none(), "the oracle broke: {v}");
    }
    verdicts
}

/// What this crate makes of one key: the leaf's fingerprint, or that loading refused; and
/// whether the store carries `NotReadByCassandra`.
#[derive(Debug)]
struct Loaded {
    fingerprint: Option<String>,
    not_read_by_cassandra: bool,
}

fn key(store: cassandra_tls::Result<Option<KeyStore>>) -> Loaded {
    let store = store.ok().flatten();
    Loaded {
        fingerprint: store
            .as_ref()
            .and_then(|s| s.private_keys().next().map(|k| k.chain()[0].sha256_hex())),
        not_read_by_cassandra: store.is_some_and(|s| {
            s.warnings()
                .iter()
                .any(|w| matches!(w, Warning::NotReadByCassandra { .. }))
        }),
    }
}

/// The differences between Cassandra's verdict on one yaml and this crate's.
fn compare(java: &Value, path: &Path, version: CassandraVersion, base: &Path) -> Vec<String> {
    let mut out = Vec::new();
    let load = || CassandraYaml::load_file_for(path, version).map(|y| y.with_base_dir(base));
    let explained = serde_json::to_value(explain_yaml(
        path.display().to_string(),
        load(),
        version,
        Provider::Jdk,
    ))
    .unwrap();
    let loaded = load();
    let stage = java["stage"].as_str();
    let ours_stage = explained["error"]["stage"].as_str();
    let Ok(yaml) = loaded else {
        if stage != Some("load") {
            out.push(format!("Cassandra {stage:?}, ours refused loading"));
        }
        return out;
    };
    let node = Node::new(&yaml);
    let settings = TlsSettings::default();
    let inbound = key(node.checked_key_store(Role::InternodeServer, &settings));
    let outbound = key(node.checked_key_store(Role::InternodeClient, &settings));
    let trust = node.trust_anchors(Role::InternodeServer).is_ok();
    // The deliberate divergence: a key PEMReader cannot read is read, with NotReadByCassandra.
    let diverges = |k: &Loaded| k.not_read_by_cassandra && k.fingerprint.is_some();
    let java_key = |k: &str| java[k].as_str().map(str::to_owned);
    // After a divergent key Cassandra's later steps were not run: explain may then accept or
    // refuse on what follows.
    let after_divergence = match stage {
        Some("inbound") => diverges(&inbound),
        Some("outbound") => diverges(&outbound),
        _ => false,
    };
    let want_explain = match stage {
        None => None,
        Some("load") => Some("load"),
        Some("apply") => Some("apply"),
        Some(_) => Some("ssl"),
    };
    let explain_agrees = ours_stage == want_explain
        || (after_divergence && matches!(ours_stage, None | Some("ssl")));
    if !explain_agrees {
        out.push(format!(
            "explain: Cassandra stage {stage:?}, explain {ours_stage:?} ({})",
            explained["error"]
        ));
    }
    match stage {
        Some("load") => out.push("Cassandra refused loading, ours loaded".into()),
        Some("apply") => {
            for (what, ok) in [
                ("inbound", inbound.fingerprint.is_some()),
                ("outbound", outbound.fingerprint.is_some()),
                ("trust", trust),
            ] {
                if ok {
                    out.push(format!("{what}: Cassandra refused at apply, ours loaded"));
                }
            }
        }
        _ => {
            let reached = |s: &str| {
                let order = ["inbound", "trust", "outbound"];
                let at = stage.and_then(|st| order.iter().position(|o| *o == st));
                let i = order.iter().position(|o| *o == s).unwrap();
                at.is_none_or(|at| i < at)
            };
            if stage == Some("inbound") && inbound.fingerprint.is_some() && !diverges(&inbound) {
                out.push("inbound: Cassandra refused, ours loaded".into());
            }
            if reached("inbound") && inbound.fingerprint != java_key("inbound") {
                out.push(format!(
                    "inbound: Cassandra {:?}, ours {:?}",
                    java_key("inbound"),
                    inbound.fingerprint
                ));
            }
            if reached("trust") && !trust {
                out.push("trust: Cassandra built it, ours refused".into());
            }
            if stage == Some("trust") && trust {
                out.push("trust: Cassandra refused, ours loaded".into());
            }
            if stage == Some("outbound") && outbound.fingerprint.is_some() && !diverges(&outbound) {
                out.push("outbound: Cassandra refused, ours loaded".into());
            }
            if reached("outbound") && outbound.fingerprint != java_key("outbound") {
                out.push(format!(
                    "outbound: Cassandra {:?}, ours {:?}",
                    java_key("outbound"),
                    outbound.fingerprint
                ));
            }
            if stage.is_none() {
                out.extend(watched(java, &yaml, &settings));
            }
        }
    }
    out
}

/// The reloader's watched files against the files Cassandra's hot reload registers.
fn watched(java: &Value, yaml: &CassandraYaml, settings: &TlsSettings) -> Option<String> {
    let want: BTreeSet<String> = java["watched"]
        .as_array()
        .unwrap()
        .iter()
        .map(|v| v.as_str().unwrap().to_owned())
        .collect();
    match reloading_server_config(yaml, ServerRole::Internode, settings) {
        Ok((_, reloader)) => {
            let ours: BTreeSet<String> = reloader
                .watched()
                .iter()
                .map(|p| p.display().to_string())
                .collect();
            (ours != want).then(|| format!("watched: Cassandra {want:?}, ours {ours:?}"))
        }
        Err(e) => Some(format!("watched: the reloading config failed: {e}")),
    }
}

#[test]
fn key_sources_agree_with_cassandra() {
    if common::which("java").is_none() || common::which("javac").is_none() {
        common::skip_or_fail(
            "the key-source oracle needs java and javac (and mvn for cassandra-all)",
        );
        return;
    }
    let dir = tempfile::tempdir().unwrap();
    let s = stores(dir.path());
    let mut cases = Vec::new();
    file_cases(&mut cases);
    pem_cases(&mut cases);
    assert!(cases.len() >= 300, "{} cases", cases.len());
    let mut paths = Vec::new();
    let mut names = BTreeMap::new();
    for (i, (name, yaml)) in cases.iter().enumerate() {
        let path = dir.path().join(format!("case-{i:03}.yaml"));
        let text = yaml
            .replace("{KEY}", &indented(&s.join("node1-keystore-plain.pem")))
            .replace("{CLIENT}", &indented(&s.join("client1-keystore-plain.pem")))
            .replace("{CA}", &indented(&s.join("ca-bundle.pem")))
            .replace("{S}", &s.to_string_lossy());
        std::fs::write(&path, format!("cluster_name: key-sources\n{text}")).unwrap();
        names.insert(path.display().to_string(), name.clone());
        paths.push(path);
    }
    let mut failures = Vec::new();
    let mut compared = 0;
    for version in CassandraVersion::ALL {
        let line = version.as_str();
        let Some(home) = common::cassandra::resolve_line(line) else {
            common::skip_or_fail(&format!(
                "cassandra-all {line} did not resolve from Maven Central"
            ));
            continue;
        };
        let verdicts = oracle(&home, dir.path(), &paths, line);
        for path in &paths {
            let key = path.display().to_string();
            compared += 1;
            for d in compare(&verdicts[&key], path, version, dir.path()) {
                failures.push(format!("{line} {}: {d}", names[&key]));
            }
        }
    }
    eprintln!(
        "compared {compared} key-source verdicts ({} cases per line)",
        cases.len()
    );
    assert!(
        failures.is_empty(),
        "{} differences from Cassandra:\n{}",
        failures.len(),
        failures.join("\n")
    );
}
