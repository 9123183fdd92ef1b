//! Mounted Kubernetes Secrets in each maker's layout (k8ssandra, cert-manager, cass-operator's
//! legacy one), laid out as the kubelet mounts them (files as symlinks through `..data`): read
//! for a node (its yaml sections) and for a driver (`DriverTls`), handshaking with each other;
//! `doctor --secret` on each; the errors of a wrong layout; expiry and renewal warnings. The
//! stores are the committed fixtures (keytool and OpenSSL made them; their listings are the
//! expected fingerprints).
#![cfg(feature = "cli")]

mod common;

use std::os::unix::fs::symlink;
use std::path::{Path, PathBuf};
use std::process::Command;

use cassandra_tls::Password;
use cassandra_tls::handshake::{self, Handshake};
use cassandra_tls::options::{MountedSecret, SecretLayout};
use cassandra_tls::tls::{self, DriverTls, ServerRole, TlsSettings};

/// A Secret volume: each key a file in `..data/`, visible through a symlink.
fn mount(dir: &Path, files: &[(&str, Vec<u8>)]) -> PathBuf {
    let data = dir.join("..2026_12_03_09_00_00.000000001");
    std::fs::create_dir_all(&data).unwrap();
    for (name, bytes) in files {
        std::fs::write(data.join(name), bytes).unwrap();
    }
    symlink("..2026_12_03_09_00_00.000000001", dir.join("..data")).unwrap();
    for (name, _) in files {
        symlink(Path::new("..data").join(name), dir.join(name)).unwrap();
    }
    dir.to_path_buf()
}

fn store(name: &str) -> Vec<u8> {
    std::fs::read(common::fixtures().join("stores").join(name)).unwrap()
}

/// node1's chain as keytool lists node1.jks.
fn node1_leaf() -> String {
    common::expected_fingerprints("node1.jks.keytool.txt").remove(0)
}

/// The three layouts, each holding node1's key and the fixture CAs; with the password a caller
/// gives where the layout does not hold it.
fn secrets(root: &Path) -> Vec<(SecretLayout, PathBuf, Option<Password>)> {
    let k8ssandra = mount(
        &root.join("k8ssandra"),
        &[
            ("keystore", store("node1.jks")),
            ("keystore-password", b"cassandra".to_vec()),
            ("truststore", store("truststore.jks")),
            ("truststore-password", b"cassandra\n".to_vec()),
        ],
    );
    let cert_manager_pem = mount(
        &root.join("cert-manager-pem"),
        &[
            ("tls.key", store("node1.key.pem")),
            ("tls.crt", store("node1.chain.pem")),
            ("ca.crt", store("ca.pem")),
        ],
    );
    let cert_manager_jks = mount(
        &root.join("cert-manager-jks"),
        &[
            ("tls.key", store("node1.key.pem")),
            ("tls.crt", store("node1.chain.pem")),
            ("ca.crt", store("ca.pem")),
            ("keystore.jks", store("node1.jks")),
            ("truststore.jks", store("truststore.jks")),
        ],
    );
    let combined = [store("node1.key.pem"), store("node1.chain.pem")].concat();
    let cert_manager_combined = mount(
        &root.join("cert-manager-combined"),
        &[
            ("tls.key", store("node1.key.pem")),
            ("tls.crt", store("node1.chain.pem")),
            ("ca.crt", store("ca.pem")),
            ("tls-combined.pem", combined),
        ],
    );
    vec![
        (SecretLayout::K8ssandra, k8ssandra, None),
        (SecretLayout::CertManager, cert_manager_pem, None),
        (
            SecretLayout::CertManager,
            cert_manager_jks,
            Some(Password::new("cassandra")),
        ),
        (SecretLayout::CertManager, cert_manager_combined, None),
    ]
}

/// cass-operator's legacy node-keystore.jks: node1's key entry and the root CA as a trusted
/// entry, under the datacenter's name (keytool wants six characters or more), made with
/// keytool.
fn cass_operator_legacy(root: &Path) -> Option<PathBuf> {
    if !common::tools_present(&["keytool"]) {
        return None;
    }
    let work = root.join("keytool");
    std::fs::create_dir_all(&work).unwrap();
    let jks = work.join("node-keystore.jks");
    let keytool = |args: &[&str]| {
        let out = Command::new("keytool").args(args).output().unwrap();
        assert!(
            out.status.success(),
            "{}{}",
            String::from_utf8_lossy(&out.stdout),
            String::from_utf8_lossy(&out.stderr)
        );
    };
    let src = common::store_path("node1.jks");
    let dest = jks.to_string_lossy().into_owned();
    keytool(&[
        "-importkeystore",
        "-noprompt",
        "-srckeystore",
        &src,
        "-srcstorepass",
        "cassandra",
        "-srcstoretype",
        "JKS",
        "-destkeystore",
        &dest,
        "-deststoretype",
        "JKS",
        "-deststorepass",
        "dc1-east",
        "-destkeypass",
        "dc1-east",
    ]);
    keytool(&[
        "-importcert",
        "-noprompt",
        "-alias",
        "ca",
        "-file",
        &common::store_path("ca.pem"),
        "-keystore",
        &dest,
        "-storepass",
        "dc1-east",
    ]);
    Some(mount(
        &root.join("cass-operator"),
        &[("node-keystore.jks", std::fs::read(&jks).unwrap())],
    ))
}

#[test]
fn each_layout_serves_a_node_and_a_driver() {
    let root = tempfile::tempdir().unwrap();
    let mut all = secrets(root.path());
    if let Some(dir) = cass_operator_legacy(root.path()) {
        all.push((
            SecretLayout::CassOperatorLegacy,
            dir,
            Some(Password::new("dc1-east")),
        ));
    }
    for (layout, dir, password) in all {
        // Detected from the files, and the same when named.
        let secret = MountedSecret::open(&dir, None, password.clone())
            .unwrap_or_else(|e| panic!("{layout}: {e}"));
        assert_eq!(secret.layout(), layout);
        MountedSecret::open(&dir, Some(layout), password).unwrap();
        // The node's side: its yaml, the native server config.
        let yaml = secret.node_yaml().unwrap();
        let server = tls::server_config(&yaml, ServerRole::Native, &TlsSettings::default())
            .unwrap_or_else(|e| panic!("{layout} {}: {e}", dir.display()));
        // The driver's side.
        let client = DriverTls::from_secret(&secret)
            .unwrap()
            .build()
            .unwrap_or_else(|e| panic!("{layout} {}: driver: {e}", dir.display()));
        let c = Handshake::client(&client, "127.0.0.1").unwrap();
        let s = Handshake::server(&server, [127, 0, 0, 1].into()).unwrap();
        let ((_, node), (_, app)) = handshake::in_memory(c, s)
            .both()
            .unwrap_or_else(|e| panic!("{layout} {}: {e}", dir.display()));
        assert_eq!(node.chain()[0].sha256_hex(), node1_leaf(), "{layout}");
        assert_eq!(app.chain()[0].sha256_hex(), node1_leaf(), "{layout}");
    }
}

#[test]
fn a_directory_in_no_layout_is_named_with_what_each_layout_expects() {
    let root = tempfile::tempdir().unwrap();
    let dir = mount(
        &root.path().join("odd"),
        &[
            ("server.pem", b"x".to_vec()),
            ("password.txt", b"y".to_vec()),
        ],
    );
    let e = MountedSecret::open(&dir, None, None)
        .unwrap_err()
        .to_string();
    for name in ["password.txt", "server.pem"] {
        assert!(e.contains(name), "found files listed: {e}");
    }
    assert!(
        !e.contains("..data"),
        "the kubelet's entries are not the Secret's: {e}"
    );
    for layout in SecretLayout::ALL {
        assert!(e.contains(layout.name()), "{e}");
        for f in layout.expected_files() {
            assert!(e.contains(f), "{layout} expects {f}: {e}");
        }
    }
    // Named explicitly, the missing files are named.
    let e = MountedSecret::open(&dir, Some(SecretLayout::K8ssandra), None)
        .unwrap_err()
        .to_string();
    assert!(
        e.contains("missing: keystore, keystore-password, truststore, truststore-password"),
        "{e}"
    );
    // cass-operator's store without the datacenter's name.
    let dir = mount(
        &root.path().join("legacy"),
        &[("node-keystore.jks", store("node1.jks"))],
    );
    let e = MountedSecret::open(&dir, None, None)
        .unwrap_err()
        .to_string();
    assert!(e.contains("datacenter"), "{e}");
}

fn doctor(args: &[&str]) -> serde_json::Value {
    let out = Command::new(env!("CARGO_BIN_EXE_cassandra-tls"))
        .arg("doctor")
        .args(args)
        .arg("--json")
        .output()
        .unwrap();
    serde_json::from_slice(&out.stdout).unwrap_or_else(|e| {
        panic!(
            "{e}: {}{}",
            String::from_utf8_lossy(&out.stdout),
            String::from_utf8_lossy(&out.stderr)
        )
    })
}

fn findings_of(v: &serde_json::Value, check: &str, severity: &str) -> Vec<String> {
    v["findings"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|f| f["check"] == check && f["severity"] == severity)
        .map(|f| f["message"].as_str().unwrap().to_owned())
        .collect()
}

#[test]
fn doctor_reads_each_layout_and_warns_ahead_of_expiry() {
    let root = tempfile::tempdir().unwrap();
    for (layout, dir, password) in secrets(root.path()) {
        let mut args = vec!["--secret".to_owned(), dir.to_string_lossy().into_owned()];
        if let Some(p) = password {
            let file = root.path().join("password");
            std::fs::write(&file, "cassandra\n").unwrap();
            drop(p);
            args.extend([
                "--secret-password-file".to_owned(),
                file.to_string_lossy().into_owned(),
            ]);
        }
        let args: Vec<&str> = args.iter().map(String::as_str).collect();
        let v = doctor(&args);
        assert_eq!(
            v["summary"]["errors"],
            0,
            "{layout} {}: {v:#}",
            dir.display()
        );
        assert!(findings_of(&v, "expiry", "warning").is_empty(), "{v:#}");
    }
    // Whether node1's certificate ends within a window is OpenSSL's to say (`-checkend`); the
    // doctor warns exactly then.
    let (_, dir, _) = secrets(&root.path().join("again")).remove(0);
    let dir = dir.to_string_lossy().into_owned();
    for days in [1u64, 400, 40_000, 100_000] {
        let openssl_says_within = common::tools::openssl_ends_within(
            std::path::Path::new(&common::store_path("node1.chain.pem")),
            days * 86_400,
        );
        let v = doctor(&["--secret", &dir, "--warn-expiry-days", &days.to_string()]);
        let warned = findings_of(&v, "expiry", "warning")
            .iter()
            .any(|m| m.contains("node1") && m.contains("expires in"));
        assert_eq!(warned, openssl_says_within, "{days} days: {v:#}");
    }
    // cert-manager's renewBefore shorter than a renewal takes to reach the node is flagged;
    // a sensible one says when the renewal comes.
    let v = doctor(&["--secret", &dir, "--renew-before", "5m"]);
    assert!(
        findings_of(&v, "expiry", "warning")
            .iter()
            .any(|m| m.contains("cert-manager renews 5 min before the end, less than")),
        "{v:#}"
    );
    // A renewBefore of zero, or not shorter than the life, is ignored by cert-manager
    // (pkg/util/pki/renewaltime.go): it renews two thirds through the life. The date expected
    // comes from OpenSSL's dates of node1's certificate.
    let (not_before, not_after) = openssl_dates(&common::store_path("node1.chain.pem"));
    let expected = not_after - (not_after - not_before) / 3;
    let expected = time::OffsetDateTime::from_unix_timestamp(expected)
        .unwrap()
        .format(&time::format_description::well_known::Rfc3339)
        .unwrap();
    for renew_before in ["0s", "1000000h", "2562047h"] {
        let v = doctor(&["--secret", &dir, "--renew-before", renew_before]);
        let warnings = findings_of(&v, "expiry", "warning");
        assert!(
            warnings
                .iter()
                .any(|m| m.contains("cert-manager ignores it")
                    && m.contains(&format!("on {expected}"))),
            "{renew_before}: {v:#}"
        );
        assert!(
            !warnings.iter().any(|m| m.contains("again and again")),
            "{v:#}"
        );
    }
    // Past Go's largest duration: out of range, not "not a duration".
    let out = Command::new(env!("CARGO_BIN_EXE_cassandra-tls"))
        .args(["doctor", "--secret", &dir, "--renew-before", "100000000h"])
        .output()
        .unwrap();
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(stderr.contains("out of range"), "{stderr}");
    let v = doctor(&["--secret", &dir, "--renew-before", "360h"]);
    assert!(
        findings_of(&v, "expiry", "ok")
            .iter()
            .any(|m| m.contains("cert-manager renews it on")),
        "{v:#}"
    );
    // Across secrets (one per node): the cluster matrix.
    let (_, other, _) = secrets(&root.path().join("third")).remove(0);
    let v = doctor(&["--secret", &dir, "--secret", &other.to_string_lossy()]);
    assert_eq!(v["nodes"].as_array().unwrap().len(), 2, "{v:#}");
    assert_eq!(v["summary"]["errors"], 0, "{v:#}");
}

/// Across secrets, a CA rotation's order: a next CA staged in one node's truststore but not in
/// another's is named as unsafe to move to; staged in both, it is ready.
#[test]
fn doctor_across_secrets_says_whether_a_ca_rotation_is_safe() {
    if !common::tools_present(&["keytool", "openssl"]) {
        return;
    }
    let root = tempfile::tempdir().unwrap();
    let next_ca = common::openssl_other_ca(root.path());
    // truststore.jks plus the next CA, with keytool.
    let staged = root.path().join("staged-truststore.jks");
    std::fs::copy(common::store_path("truststore.jks"), &staged).unwrap();
    let out = Command::new("keytool")
        .args(["-importcert", "-noprompt", "-alias", "next-ca", "-file"])
        .arg(&next_ca)
        .arg("-keystore")
        .arg(&staged)
        .args(["-storepass", "cassandra"])
        .output()
        .unwrap();
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stdout)
    );
    let node = |name: &str, truststore: Vec<u8>| {
        mount(
            &root.path().join(name),
            &[
                ("keystore", store("node1.jks")),
                ("keystore-password", b"cassandra".to_vec()),
                ("truststore", truststore),
                ("truststore-password", b"cassandra".to_vec()),
            ],
        )
        .to_string_lossy()
        .into_owned()
    };
    let a = node("a", std::fs::read(&staged).unwrap());
    let b = node("b", store("truststore.jks"));
    let c = node("c", std::fs::read(&staged).unwrap());
    let rotation = |v: &serde_json::Value, severity: &str| -> Vec<String> {
        v["cluster"]["findings"]
            .as_array()
            .unwrap()
            .iter()
            .filter(|f| f["check"] == "rotation" && f["severity"] == severity)
            .map(|f| f["message"].as_str().unwrap().to_owned())
            .collect()
    };
    let v = doctor(&["--secret", &a, "--secret", &b]);
    let unsafe_now = rotation(&v, "warning");
    assert!(
        unsafe_now
            .iter()
            .any(|m| m.contains("another CA") && m.contains("but not of")),
        "{v:#}"
    );
    let v = doctor(&["--secret", &a, "--secret", &c]);
    assert!(rotation(&v, "warning").is_empty(), "{v:#}");
    assert!(
        rotation(&v, "ok")
            .iter()
            .any(|m| m.contains("another CA") && m.contains("trusted by every node")),
        "{v:#}"
    );
}

/// A Secret given by a relative path (`vol/node1`, `./vol/node1`, `../x/vol/node1`), as an
/// operator types it: read against the working directory once, in the command and in the
/// library, with the same findings as the absolute path.
#[test]
fn relative_secret_paths_resolve_against_the_working_directory() {
    let root = tempfile::tempdir().unwrap();
    let vol = root.path().join("vol");
    let secrets = secrets(&vol);
    let work = root.path().join("work");
    std::fs::create_dir(&work).unwrap();
    for (layout, dir, password) in secrets.into_iter().filter(|(_, _, p)| p.is_none()) {
        let name = dir.file_name().unwrap().to_string_lossy().into_owned();
        let absolute = doctor(&["--secret", &dir.to_string_lossy()]);
        assert_eq!(absolute["summary"]["errors"], 0, "{layout}: {absolute:#}");
        for (cwd, relative) in [
            (root.path().to_path_buf(), format!("vol/{name}")),
            (root.path().to_path_buf(), format!("./vol/{name}")),
            (work.clone(), format!("../vol/{name}")),
        ] {
            let out = Command::new(env!("CARGO_BIN_EXE_cassandra-tls"))
                .args(["doctor", "--secret", &relative, "--json"])
                .current_dir(&cwd)
                .output()
                .unwrap();
            let v: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
            assert_eq!(
                v["summary"],
                absolute["summary"],
                "{layout} as {relative} from {}: {v:#}",
                cwd.display()
            );
        }
        // The library: a node yaml from a relative directory serves the same leaf.
        let relative = pathdiff(&dir, &std::env::current_dir().unwrap());
        let secret = MountedSecret::open(&relative, None, password).unwrap();
        let server = tls::server_config(
            &secret.node_yaml().unwrap(),
            ServerRole::Native,
            &TlsSettings::default(),
        );
        assert!(
            server.is_ok(),
            "{layout} from {}: {server:?}",
            relative.display()
        );
    }
}

/// `path` relative to `base` (both absolute), with `..` where needed.
fn pathdiff(path: &Path, base: &Path) -> PathBuf {
    let (p, b): (Vec<_>, Vec<_>) = (path.components().collect(), base.components().collect());
    let common = p.iter().zip(&b).take_while(|(x, y)| x == y).count();
    let mut out = PathBuf::new();
    for _ in common..b.len() {
        out.push("..");
    }
    for c in &p[common..] {
        out.push(c);
    }
    out
}

/// A certificate's notBefore and notAfter as OpenSSL prints them (`-dateopt iso_8601`), in Unix
/// seconds.
fn openssl_dates(pem: &str) -> (i64, i64) {
    let out = Command::new("openssl")
        .args([
            "x509", "-noout", "-dates", "-dateopt", "iso_8601", "-in", pem,
        ])
        .output()
        .unwrap();
    let text = String::from_utf8_lossy(&out.stdout).into_owned();
    let date = |key: &str| {
        // 2026-11-27 21:15:57Z
        let line = text
            .lines()
            .find_map(|l| l.strip_prefix(key))
            .unwrap()
            .trim();
        let n: Vec<i64> = line
            .trim_end_matches('Z')
            .split(['-', ' ', ':'])
            .map(|p| p.parse().unwrap())
            .collect();
        let month = time::Month::try_from(n[1] as u8).unwrap();
        let day = time::Date::from_calendar_date(n[0] as i32, month, n[2] as u8).unwrap();
        let at = time::Time::from_hms(n[3] as u8, n[4] as u8, n[5] as u8).unwrap();
        time::PrimitiveDateTime::new(day, at)
            .assume_utc()
            .unix_timestamp()
    };
    (date("notBefore="), date("notAfter="))
}

/// Copies a PKCS#12 store under a new store password with keytool (which changes the key
/// entries' passwords with it, as cert-manager writes one password for both).
fn p12_with_password(from: &str, to: &Path, password: &str) -> Vec<u8> {
    std::fs::write(to, store(from)).unwrap();
    let out = Command::new("keytool")
        .args([
            "-storepasswd",
            "-storetype",
            "PKCS12",
            "-storepass",
            "cassandra",
            "-new",
        ])
        .arg(password)
        .arg("-keystore")
        .arg(to)
        .output()
        .unwrap();
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    std::fs::read(to).unwrap()
}

/// The flags as operators combine them: one password file per Secret (matched in order), a
/// yaml beside --secret refused rather than ignored, and --cassandra-version applied to the
/// Secret (4.0 has no PEM factory, so a Secret of PEM files only cannot configure it).
#[test]
fn doctor_takes_secret_flags_together() {
    if !common::tools_present(&["keytool"]) {
        return;
    }
    let root = tempfile::tempdir().unwrap();
    let work = root.path().join("work");
    std::fs::create_dir_all(&work).unwrap();
    // Two cert-manager Secrets of PKCS#12 stores, each under its own password.
    let mut dirs = Vec::new();
    let mut files = Vec::new();
    for (name, password) in [("a", "first-password"), ("b", "second-password")] {
        let keystore =
            p12_with_password("node1.p12", &work.join(format!("{name}-k.p12")), password);
        let truststore = p12_with_password(
            "truststore.p12",
            &work.join(format!("{name}-t.p12")),
            password,
        );
        let dir = mount(
            &root.path().join(name),
            &[
                ("tls.key", store("node1.key.pem")),
                ("tls.crt", store("node1.chain.pem")),
                ("ca.crt", store("ca.pem")),
                ("keystore.p12", keystore),
                ("truststore.p12", truststore),
            ],
        );
        let file = work.join(format!("{name}.password"));
        std::fs::write(&file, format!("{password}\n")).unwrap();
        dirs.push(dir.to_string_lossy().into_owned());
        files.push(file.to_string_lossy().into_owned());
    }
    let (a, b) = (dirs[0].as_str(), dirs[1].as_str());
    let (pa, pb) = (files[0].as_str(), files[1].as_str());
    let matched = doctor(&[
        "--secret",
        a,
        "--secret",
        b,
        "--secret-password-file",
        pa,
        "--secret-password-file",
        pb,
    ]);
    assert_eq!(matched["summary"]["errors"], 0, "{matched:#}");
    // One file for both: the second Secret's stores do not open with the first's password.
    let one = doctor(&["--secret", a, "--secret", b, "--secret-password-file", pa]);
    assert!(one["summary"]["errors"].as_u64().unwrap() > 0, "{one:#}");
    // Three files for two Secrets: which goes with which cannot be told.
    let three = doctor(&[
        "--secret",
        a,
        "--secret",
        b,
        "--secret-password-file",
        pa,
        "--secret-password-file",
        pb,
        "--secret-password-file",
        pa,
    ]);
    assert_eq!(three["summary"]["errors"], 1, "{three:#}");
    assert!(
        three.to_string().contains("--secret-password-file"),
        "{three:#}"
    );

    // A yaml beside --secret is refused, not ignored.
    let yaml = common::root().join("fixtures/conf/cassandra.yaml");
    let both = doctor(&[
        yaml.to_str().unwrap(),
        "--secret",
        a,
        "--secret-password-file",
        pa,
    ]);
    assert_eq!(both["summary"]["errors"], 1, "{both:#}");
    assert!(both.to_string().contains("--secret"), "{both:#}");

    // --cassandra-version reaches the Secret: PEM files only, on 4.0 and on 4.1.
    let pem = mount(
        &root.path().join("pem"),
        &[
            ("tls.key", store("node1.key.pem")),
            ("tls.crt", store("node1.chain.pem")),
            ("ca.crt", store("ca.pem")),
        ],
    );
    let pem = pem.to_string_lossy().into_owned();
    let v40 = doctor(&["--secret", &pem, "--cassandra-version", "4.0"]);
    assert_eq!(v40["summary"]["errors"], 1, "{v40:#}");
    assert!(v40.to_string().contains("4.1"), "{v40:#}");
    let v41 = doctor(&["--secret", &pem, "--cassandra-version", "4.1"]);
    assert_eq!(v41["summary"]["errors"], 0, "{v41:#}");
}

/// Nothing a Secret holds is skipped silently: cert-manager's Java stores checked without
/// their password are named in a warning (the PEM files were checked instead), and a
/// k8ssandra truststore mounted as a Secret of its own is read for what it holds.
#[test]
fn what_a_secret_holds_is_read_or_named() {
    let root = tempfile::tempdir().unwrap();
    let mut layouts = secrets(root.path());
    let (_, jks, _) = layouts.remove(2);
    let jks = jks.to_string_lossy().into_owned();
    let v = doctor(&["--secret", &jks]);
    let skipped = findings_of(&v, "file", "warning");
    assert!(
        skipped
            .iter()
            .any(|m| m.contains("keystore.jks") && m.contains("truststore.jks")),
        "{v:#}"
    );
    // With the password the Java stores are read, and the PEM files beside them are named.
    let file = root.path().join("password");
    std::fs::write(&file, "cassandra\n").unwrap();
    let v = doctor(&[
        "--secret",
        &jks,
        "--secret-password-file",
        &file.to_string_lossy(),
    ]);
    assert!(
        !findings_of(&v, "file", "warning")
            .iter()
            .any(|m| m.starts_with("not checked")),
        "{v:#}"
    );
    assert!(
        findings_of(&v, "file", "ok")
            .iter()
            .any(|m| m.contains("tls.key")),
        "{v:#}"
    );

    // k8ssandra-operator's truststore Secret alone.
    let trust = mount(
        &root.path().join("client-truststore"),
        &[
            ("truststore", store("truststore.jks")),
            ("truststore-password", b"cassandra".to_vec()),
        ],
    );
    let secret = MountedSecret::open(&trust, None, None).unwrap();
    assert_eq!(secret.layout(), SecretLayout::K8ssandra);
    assert!(secret.keystore().is_none());
    assert_eq!(
        secret.truststore(),
        Some(trust.join("truststore").as_path())
    );
    // ... and its key store Secret alone.
    let keys = mount(
        &root.path().join("client-keystore"),
        &[
            ("keystore", store("node1.jks")),
            ("keystore-password", b"cassandra".to_vec()),
        ],
    );
    let secret = MountedSecret::open(&keys, None, None).unwrap();
    assert!(secret.truststore().is_none());
    assert!(secret.keystore().is_some());
    // A key store without its password file is still refused, naming it.
    let lone = mount(
        &root.path().join("lone"),
        &[("keystore", store("node1.jks"))],
    );
    let e = MountedSecret::open(&lone, None, None)
        .unwrap_err()
        .to_string();
    assert!(e.contains("keystore-password"), "{e}");
}

/// The findings of a Secret speak the Secret's terms, not a hand-written cassandra.yaml's: a
/// `tls.key` other users can read is named by its key with the volume's `defaultMode` as the
/// fix (as `keystore` is), a Secret without `ca.crt` says so (not Cassandra's default
/// `conf/.truststore`), a wrong password names the Secret key or the flag that holds it, and
/// no fix sends the operator to `explain` (which takes no Secret) or to a yaml option.
#[test]
fn a_secrets_findings_name_its_keys_and_flags() {
    use std::os::unix::fs::PermissionsExt;
    let root = tempfile::tempdir().unwrap();
    let fixes = |v: &serde_json::Value| -> Vec<(String, String)> {
        v["findings"]
            .as_array()
            .unwrap()
            .iter()
            .map(|f| {
                (
                    f["message"].as_str().unwrap().to_owned(),
                    f["fix"].as_str().unwrap_or("").to_owned(),
                )
            })
            .collect()
    };
    let no_yaml_words = |v: &serde_json::Value| {
        for (message, fix) in fixes(v) {
            for word in [
                "chmod 600",
                "explain",
                "keystore_password",
                "truststore_password",
                "--base-dir",
            ] {
                assert!(!fix.contains(word), "fix names {word}: {fix}");
            }
            for word in ["parameters.private_key opens", "conf/.truststore"] {
                assert!(!message.contains(word), "{word}: {message}");
            }
        }
    };
    // cert-manager, PEM files only, no ca.crt, tls.key as the default defaultMode (0644)
    // leaves it.
    let cm = mount(
        &root.path().join("cm"),
        &[
            ("tls.key", store("node1.key.pem")),
            ("tls.crt", store("node1.chain.pem")),
        ],
    );
    let key = std::fs::canonicalize(cm.join("tls.key")).unwrap();
    std::fs::set_permissions(&key, std::fs::Permissions::from_mode(0o644)).unwrap();
    let v = doctor(&["--secret", &cm.to_string_lossy()]);
    no_yaml_words(&v);
    let all = fixes(&v);
    assert!(
        all.iter().any(|(m, f)| m.contains("tls.key")
            && m.contains("readable by every user")
            && f.contains("defaultMode")),
        "{v:#}"
    );
    assert!(
        all.iter()
            .any(|(m, _)| m.contains("has no ca.crt") && m.contains(&*cm.to_string_lossy())),
        "{v:#}"
    );
    // Readable by its owner only: no warning for tls.key.
    std::fs::set_permissions(&key, std::fs::Permissions::from_mode(0o600)).unwrap();
    let v = doctor(&["--secret", &cm.to_string_lossy()]);
    assert!(
        !fixes(&v)
            .iter()
            .any(|(m, _)| m.contains("tls.key") && m.contains("readable by every user")),
        "{v:#}"
    );

    // k8ssandra, a keystore-password that does not open the keystore.
    let k8 = mount(
        &root.path().join("k8"),
        &[
            ("keystore", store("node1.jks")),
            ("keystore-password", b"not-the-password".to_vec()),
            ("truststore", store("truststore.jks")),
            ("truststore-password", b"cassandra".to_vec()),
        ],
    );
    let v = doctor(&["--secret", &k8.to_string_lossy()]);
    no_yaml_words(&v);
    let wrong = |v: &serde_json::Value| -> Vec<String> {
        v["findings"]
            .as_array()
            .unwrap()
            .iter()
            .filter(|f| f["check"] == "password" && f["severity"] == "error")
            .map(|f| f["fix"].as_str().unwrap().to_owned())
            .collect()
    };
    assert!(
        wrong(&v).iter().any(|f| f.contains("keystore-password")),
        "{v:#}"
    );

    // cert-manager's JKS with a --secret-password-file that does not open them.
    let (_, jks, _) = secrets(&root.path().join("jks")).remove(2);
    let file = root.path().join("wrong-password");
    std::fs::write(&file, "not-the-password\n").unwrap();
    let v = doctor(&[
        "--secret",
        &jks.to_string_lossy(),
        "--secret-password-file",
        &file.to_string_lossy(),
    ]);
    no_yaml_words(&v);
    assert!(
        wrong(&v)
            .iter()
            .any(|f| f.contains("passwordSecretRef") && f.contains("--secret-password-file")),
        "{v:#}"
    );
}

/// A refused Secret is named as given and as resolved, with what each layout expects and the
/// flag that fixes it; nothing about it is skipped silently.
#[test]
fn refusals_name_the_path_given_and_resolved_and_the_flag() {
    let root = tempfile::tempdir().unwrap();
    let refusal = |dir: &str| -> String {
        let out = Command::new(env!("CARGO_BIN_EXE_cassandra-tls"))
            .args(["doctor", "--secret", dir, "--json"])
            .current_dir(root.path())
            .output()
            .unwrap();
        assert_eq!(out.status.code(), Some(1), "{dir}");
        let v: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
        v["findings"][0]["message"].as_str().unwrap().to_owned()
    };
    let resolved = |name: &str| format!("{name} (resolved: {})", root.path().join(name).display());
    // A directory in no layout.
    mount(&root.path().join("odd"), &[("server.pem", b"x".to_vec())]);
    let e = refusal("odd");
    assert!(e.contains(&resolved("odd")), "{e}");
    assert!(e.contains("--secret-layout"), "{e}");
    for layout in SecretLayout::ALL {
        for f in layout.expected_files() {
            assert!(e.contains(f), "{layout} expects {f}: {e}");
        }
    }
    // A directory that is not there.
    let e = refusal("nowhere");
    assert!(e.contains(&resolved("nowhere")), "{e}");
    // cass-operator's store without the datacenter's name: the flag that gives it.
    mount(
        &root.path().join("legacy"),
        &[("node-keystore.jks", store("node1.jks"))],
    );
    let e = refusal("legacy");
    assert!(e.contains(&resolved("legacy")), "{e}");
    assert!(e.contains("--secret-password-file"), "{e}");
    // A k8ssandra key store without its password key.
    mount(
        &root.path().join("lone"),
        &[("keystore", store("node1.jks"))],
    );
    let e = refusal("lone");
    assert!(
        e.contains("keystore-password") && e.contains("--secret-layout"),
        "{e}"
    );
}
