//! Helpers shared by the integration tests.
#![allow(dead_code)]

use std::path::{Path, PathBuf};

/// The repository root.
pub fn root() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
}

/// The committed fixtures.
pub fn fixtures() -> PathBuf {
    root().join("fixtures")
}

/// fixtures/conformance: keystores, PEM files and certificate-path cases made by other
/// projects, with the reference tools' verdicts (committed, kept out of the package).
pub fn conformance() -> Option<PathBuf> {
    let p = fixtures().join("conformance");
    p.join("manifest.json").exists().then_some(p)
}

/// A fixture store's path, as a string for command lines.
pub fn store_path(name: &str) -> String {
    fixtures()
        .join("stores")
        .join(name)
        .to_string_lossy()
        .into_owned()
}

/// Whether the tests run in CI, where nothing may be skipped.
pub fn in_ci() -> bool {
    std::env::var_os("CI").is_some_and(|v| !v.is_empty() && v != "false" && v != "0")
}

/// Skips a test with a printed reason on a developer's machine; fails it in CI.
pub fn skip_or_fail(reason: &str) {
    if in_ci() {
        panic!("CI must not skip: {reason}");
    }
    eprintln!("SKIPPED: {reason}");
}

/// Whether every tool is on PATH; otherwise skip_or_fail names the first one missing.
pub fn tools_present(tools: &[&str]) -> bool {
    for tool in tools {
        if which(tool).is_none() {
            skip_or_fail(&format!("{tool} is not on the PATH"));
            return false;
        }
    }
    true
}

/// `keytool -genkeypair` into a new store `dir/name` of `store_type` (JKS, JCEKS, PKCS12) under
/// the password `cassandra`, with the key algorithm arguments given (`["-keyalg", "EC",
/// "-groupname", "secp384r1"]`): keys exactly as the JDK writes them (EC keys without their
/// public point). The caller checks `tools_present(&["keytool"])` first.
pub fn keytool_keypair(dir: &Path, name: &str, keyalg: &[&str], store_type: &str) -> PathBuf {
    let path = dir.join(name);
    let out = std::process::Command::new("keytool")
        .args(["-genkeypair", "-noprompt", "-alias", "node", "-dname"])
        .arg(format!("O=cassandra-tls test,CN={name}"))
        .args(keyalg)
        .args(["-validity", "3650", "-storetype", store_type, "-keystore"])
        .arg(&path)
        .args(["-storepass", "cassandra", "-keypass", "cassandra"])
        .output()
        .expect("keytool runs");
    assert!(
        out.status.success(),
        "keytool -genkeypair {keyalg:?} {store_type}: {}",
        String::from_utf8_lossy(&out.stderr)
    );
    path
}

/// A self-signed CA that openssl makes in `dir` (`other-ca.pem`): a CA nothing under test
/// issued from.
pub fn openssl_other_ca(dir: &Path) -> PathBuf {
    let cert = dir.join("other-ca.pem");
    let made = std::process::Command::new("openssl")
        .args([
            "req",
            "-x509",
            "-newkey",
            "ec",
            "-pkeyopt",
            "ec_paramgen_curve:P-256",
            "-nodes",
        ])
        .args(["-days", "2", "-subj", "/CN=another CA", "-keyout"])
        .arg(dir.join("other-ca.key"))
        .arg("-out")
        .arg(&cert)
        .output()
        .expect("run openssl");
    assert!(
        made.status.success(),
        "{}",
        String::from_utf8_lossy(&made.stderr)
    );
    cert
}

/// Finds a program on PATH.
pub fn which(program: &str) -> Option<PathBuf> {
    let path = std::env::var_os("PATH")?;
    std::env::split_paths(&path)
        .map(|d| d.join(program))
        .find(|p| p.is_file())
}

/// Reads a file the test needs, failing with its path.
pub fn read(path: &Path) -> Vec<u8> {
    std::fs::read(path).unwrap_or_else(|e| panic!("{}: {e}", path.display()))
}
pub mod cassandra;
pub mod java;
pub mod kubelet;
pub mod mem;
pub mod oracle;
pub mod peer;
pub mod sansio;
pub mod tools;

/// The committed PEM node yaml (fixtures/conf/cassandra-pem-files.yaml) read as 6.0, with
/// 6.0's `require_client_auth: optional` (CASSANDRA-18811) on the native port: 4.0 to 5.0
/// refuse `optional` at start-up.
pub fn pem_files_optional_client_auth() -> cassandra_tls::options::CassandraYaml {
    let text = std::fs::read_to_string(fixtures().join("conf/cassandra-pem-files.yaml"))
        .expect("cassandra-pem-files.yaml");
    let at = text
        .find("client_encryption_options")
        .expect("a client section");
    let (server, client) = text.split_at(at);
    let text = format!(
        "{server}{}",
        client.replace("require_client_auth: true", "require_client_auth: optional")
    );
    cassandra_tls::options::CassandraYaml::from_str_for(
        &text,
        cassandra_tls::options::CassandraVersion::V6_0,
    )
    .expect("the PEM yaml as 6.0")
    .with_base_dir(root())
}
pub mod cluster;
pub mod cql;

/// A committed fixture yaml (fixtures/conf/NAME), its paths resolved from the repository root
/// (Cassandra's working directory in the tests).
pub fn conf_yaml(name: &str) -> cassandra_tls::options::CassandraYaml {
    cassandra_tls::options::CassandraYaml::load_file(fixtures().join("conf").join(name))
        .unwrap_or_else(|e| panic!("{name}: {e}"))
        .with_base_dir(root())
}

/// A yaml written in the test, its paths resolved from the repository root.
pub fn inline_yaml(text: &str) -> cassandra_tls::options::CassandraYaml {
    cassandra_tls::options::CassandraYaml::from_str(text)
        .unwrap_or_else(|e| panic!("{e}: {text}"))
        .with_base_dir(root())
}

/// The SHA-256 fingerprints fixtures/generate.sh recorded for a fixture (fixtures/expected/FILE:
/// `keytool -list -v` or `openssl x509 -fingerprint`), in the tool's order.
pub fn expected_fingerprints(file: &str) -> Vec<String> {
    let text = std::fs::read_to_string(fixtures().join("expected").join(file))
        .unwrap_or_else(|e| panic!("fixtures/expected/{file}: {e}"));
    if file.ends_with(".keytool.txt") {
        tools::parse_keytool_list(&text)
            .into_iter()
            .flat_map(|e| e.sha256)
            .collect()
    } else {
        tools::parse_openssl_fingerprints(&text)
    }
}

/// A field of /proc/self/status in KiB (`VmRSS:`, `VmHWM:`), where there is one.
pub fn status_kib(field: &str) -> Option<u64> {
    let text = std::fs::read_to_string("/proc/self/status").ok()?;
    let line = text.lines().find(|l| l.starts_with(field))?;
    line.split_whitespace().nth(1)?.parse().ok()
}

/// Runs a command that must succeed (a tool making test material); its stdout.
pub fn run_ok(cmd: &mut std::process::Command) -> String {
    let out = cmd.output().unwrap_or_else(|e| panic!("{cmd:?}: {e}"));
    assert!(
        out.status.success(),
        "{cmd:?}: {}",
        String::from_utf8_lossy(&out.stderr)
    );
    String::from_utf8_lossy(&out.stdout).into_owned()
}
