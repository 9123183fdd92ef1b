//! The README's console examples and the command's help texts, run as transcripts.
//!
//! Every ```` ```console ```` block of README.md is run by trycmd (the tool clap and cargo test
//! their own docs with) from a scratch directory, never the repository root: `fixtures/` there
//! holds copies of the committed `fixtures/conf` and `fixtures/stores` (mode 0644), `mnt/`, `secrets/` and `etc/cassandra-tls` are Kubernetes Secrets
//! laid out as the kubelet lays them (a timestamped directory, `..data`, one symlink per key),
//! and `etc/cassandra/cassandra.yaml` is the README's k8ssandra yaml with its `/mnt/` paths made
//! relative. The commands use relative paths, as an operator types them; `[CWD]` in an output
//! stands for that directory, `[..]` and `...` only for what changes from run to run (days
//! left). An output that changed fails here until the README is updated:
//! `TRYCMD=overwrite cargo test --features cli,test-pki,bundle,system-roots --test readme`
//! writes the new outputs into README.md (review the diff).
//!
//! The one block trycmd cannot run (`serve` in the background, then `probe` against it) is a
//! ```` ```console,ignore ```` block that `serve_and_probe_as_the_readme_shows` runs, its output
//! compared the same way. `every_readme_command_is_tested` fails on a command line of the
//! command outside those blocks, on a `cargo run` line without its transcript, on a synopsis
//! whose flags differ from the subcommand's `--help`, and on a test command CI does not run.
#![cfg(feature = "cli")]

mod common;

use std::os::unix::fs::PermissionsExt;
use std::path::{Path, PathBuf};

use common::kubelet::SecretVolume;

const BIN: &str = env!("CARGO_BIN_EXE_cassandra-tls");

fn store(name: &str) -> Vec<u8> {
    std::fs::read(common::fixtures().join("stores").join(name)).unwrap()
}

/// A Secret volume under `dir`, its files with the kubelet's default mode (0644).
fn secret(dir: PathBuf, files: &[(&str, Vec<u8>)]) {
    let mut volume = SecretVolume::new(dir.clone());
    volume.write(files);
    let data = dir.join(std::fs::read_link(dir.join("..data")).unwrap());
    for (name, _) in files {
        std::fs::set_permissions(data.join(name), std::fs::Permissions::from_mode(0o644)).unwrap();
    }
}

/// One fenced block of the README: its info string, first line number and lines.
struct Block {
    info: String,
    line: usize,
    lines: Vec<String>,
}

fn blocks(text: &str) -> Vec<Block> {
    let mut out = Vec::new();
    let mut open: Option<Block> = None;
    for (i, line) in text.lines().enumerate() {
        match open.take() {
            None => {
                if let Some(info) = line.strip_prefix("```") {
                    open = Some(Block {
                        info: info.trim().to_owned(),
                        line: i + 1,
                        lines: Vec::new(),
                    });
                }
            }
            Some(mut block) => {
                if line.starts_with("```") {
                    out.push(block);
                } else {
                    block.lines.push(line.to_owned());
                    open = Some(block);
                }
            }
        }
    }
    out
}

fn readme() -> String {
    std::fs::read_to_string(common::root().join("README.md")).unwrap()
}

/// The scratch directory the README's commands run in (see the module's docs).
fn workdir(dir: &Path) {
    // The committed fixtures the examples name, as a checkout has them (0644: a checkout's
    // modes follow the umask, the outputs must not).
    for sub in [
        "conf",
        "conf/broken",
        "stores",
        "scylla",
        "scylla/operator/serving-certs",
        "scylla/operator/client-ca",
    ] {
        let to = dir.join("fixtures").join(sub);
        std::fs::create_dir_all(&to).unwrap();
        for entry in std::fs::read_dir(common::fixtures().join(sub)).unwrap() {
            let entry = entry.unwrap();
            if entry.file_type().unwrap().is_file() {
                std::fs::copy(entry.path(), to.join(entry.file_name())).unwrap();
                let mode = std::fs::Permissions::from_mode(0o644);
                std::fs::set_permissions(to.join(entry.file_name()), mode).unwrap();
            }
        }
    }
    // k8ssandra-operator: the key store and the truststore, each its own Secret.
    secret(
        dir.join("mnt/client-keystore"),
        &[
            ("keystore", store("node1.jks")),
            ("keystore-password", b"cassandra".to_vec()),
        ],
    );
    secret(
        dir.join("mnt/client-truststore"),
        &[
            ("truststore", store("truststore.jks")),
            ("truststore-password", b"cassandra".to_vec()),
        ],
    );
    // Three nodes: cert-manager's PEM Secrets (RSA and EC keys), a k8ssandra one (PKCS#12).
    for (node, key, chain) in [
        ("node1", "node1.key.pem", "node1.chain.pem"),
        ("node2", "node-ec.key.pem", "node-ec.chain.pem"),
    ] {
        secret(
            dir.join("secrets").join(node),
            &[
                ("tls.key", store(key)),
                ("tls.crt", store(chain)),
                ("ca.crt", store("ca.pem")),
            ],
        );
    }
    secret(
        dir.join("secrets/node3"),
        &[
            ("keystore", store("node1.p12")),
            ("keystore-password", b"cassandra".to_vec()),
            ("truststore", store("truststore.p12")),
            ("truststore-password", b"cassandra".to_vec()),
        ],
    );
    secret(
        dir.join("etc/cassandra-tls"),
        &[
            ("tls.key", store("node1.key.pem")),
            ("tls.crt", store("node1.chain.pem")),
            ("ca.crt", store("ca.pem")),
        ],
    );
    // The README's k8ssandra yaml, with the mounts relative and the Secrets' passwords.
    let text = readme();
    let yaml = blocks(&text)
        .into_iter()
        .find(|b| b.info == "yaml" && b.lines.iter().any(|l| l.contains("k8ssandra-operator")))
        .expect("the README's k8ssandra yaml block");
    let yaml = yaml
        .lines
        .join("\n")
        .replace(" /mnt/", " mnt/")
        .replace("<keystore-password>", "cassandra")
        .replace("<truststore-password>", "cassandra");
    std::fs::create_dir_all(dir.join("etc/cassandra")).unwrap();
    std::fs::write(dir.join("etc/cassandra/cassandra.yaml"), yaml + "\n").unwrap();
}

/// README.md's console blocks, run by trycmd from the scratch directory.
#[test]
fn readme_console_examples() {
    let scratch = tempfile::tempdir().unwrap();
    let copy = scratch.path().join("README.md");
    std::fs::copy(common::root().join("README.md"), &copy).unwrap();
    // trycmd runs README.md's commands in README.in, beside it.
    let work = scratch.path().join("README.in");
    std::fs::create_dir(&work).unwrap();
    workdir(&work);
    let cases = trycmd::TestCases::new();
    cases
        .register_bin("cassandra-tls", trycmd::cargo::cargo_bin!("cassandra-tls"))
        .case(&copy);
    cases.run();
    if std::env::var("TRYCMD").as_deref() == Ok("overwrite") {
        std::fs::copy(&copy, common::root().join("README.md")).unwrap();
    }
}

/// `cassandra-tls --help` and every subcommand's `--help`, as tests/cmd/help.md shows them.
#[test]
fn help_texts() {
    trycmd::TestCases::new()
        .register_bin("cassandra-tls", trycmd::cargo::cargo_bin!("cassandra-tls"))
        .case("tests/cmd/*.md");
}

/// The README's `serve ... &` then `probe` block, which trycmd cannot run (a background
/// process): run here from the scratch directory, the output compared as trycmd does.
#[test]
fn serve_and_probe_as_the_readme_shows() {
    let text = readme();
    let block = blocks(&text)
        .into_iter()
        .find(|b| b.info == "console,ignore")
        .expect("the README's serve/probe block");
    let serve = block.lines[0]
        .strip_prefix("$ cassandra-tls ")
        .and_then(|l| l.strip_suffix(" --json >/dev/null &"))
        .unwrap_or_else(|| {
            panic!(
                "README.md:{}: `$ cassandra-tls serve ... --json >/dev/null &`",
                block.line
            )
        });
    let probe = block.lines[1]
        .strip_prefix("$ cassandra-tls ")
        .unwrap_or_else(|| panic!("README.md:{}: `$ cassandra-tls probe ...`", block.line + 1));
    let code: i32 = block.lines[2]
        .strip_prefix("? ")
        .expect("the exit status line `? N`")
        .parse()
        .unwrap();
    let expected = block.lines[3..].join("\n") + "\n";

    let scratch = tempfile::tempdir().unwrap();
    workdir(scratch.path());
    let listen = serve
        .split_whitespace()
        .skip_while(|a| *a != "--listen")
        .nth(1)
        .expect("serve --listen HOST:PORT")
        .to_owned();
    let mut server = std::process::Command::new(BIN)
        .args(serve.split_whitespace())
        .arg("--json")
        .current_dir(scratch.path())
        .stdout(std::process::Stdio::null())
        .stderr(std::process::Stdio::null())
        .spawn()
        .unwrap();
    // Until it listens (not a timed assertion: the probe below is the test).
    let mut up = false;
    for _ in 0..200 {
        if std::net::TcpStream::connect(&listen).is_ok() {
            up = true;
            break;
        }
        std::thread::sleep(std::time::Duration::from_millis(50));
    }
    let result = std::panic::catch_unwind(|| {
        assert!(up, "serve never listened on {listen}");
        let mut redactions = snapbox::Redactions::new();
        redactions
            .insert("[CWD]", scratch.path().canonicalize().unwrap())
            .unwrap();
        snapbox::cmd::Command::new(BIN)
            .args(probe.split_whitespace())
            .current_dir(scratch.path())
            .stderr_to_stdout()
            .with_assert(snapbox::Assert::new().redact_with(redactions))
            .assert()
            .code(code)
            .stdout_eq(snapbox::Data::text(expected));
    });
    server.kill().unwrap();
    server.wait().unwrap();
    if let Err(panic) = result {
        std::panic::resume_unwind(panic);
    }
}

/// The flags a synopsis or a help text names (`--flag`), in order of appearance.
fn flags(text: &str) -> std::collections::BTreeSet<String> {
    text.split(|c: char| !(c.is_ascii_alphanumeric() || c == '-'))
        .filter(|w| w.starts_with("--") && w.len() > 2)
        .map(str::to_owned)
        .collect()
}

/// No command of the README goes untested: its command lines are in console blocks (run
/// above), each `cargo run` line has the transcript of the same command beside it, each
/// synopsis names the flags its subcommand's `--help` names, and the test command is what CI
/// runs.
#[test]
fn every_readme_command_is_tested() {
    let text = readme();
    let blocks = blocks(&text);
    let ci = std::fs::read_to_string(common::root().join(".ci/run")).unwrap();
    let transcripts: Vec<String> = blocks
        .iter()
        .filter(|b| b.info.starts_with("console"))
        .flat_map(|b| b.lines.iter().filter_map(|l| l.strip_prefix("$ ")))
        .map(str::to_owned)
        .collect();
    let mut synopses = 0;
    for block in &blocks {
        if block.info.starts_with("console") {
            for l in &block.lines {
                if let Some(cmd) = l.strip_prefix("$ ") {
                    assert!(
                        cmd.starts_with("cassandra-tls "),
                        "README.md:{}: a console block runs only the command: {l}",
                        block.line
                    );
                }
            }
            continue;
        }
        if block.info.starts_with("rust")
            || block.info.starts_with("toml")
            || block.info == "yaml"
            || block.info == "sql"
        {
            continue;
        }
        let mut synopsis: Option<(String, String)> = None;
        let mut check = |s: Option<(String, String)>| {
            if let Some((sub, text)) = s {
                let help = std::process::Command::new(BIN)
                    .args(sub.split_whitespace())
                    .arg("--help")
                    .output()
                    .unwrap();
                let help = String::from_utf8(help.stdout).unwrap();
                let mut documented = flags(&help);
                documented.remove("--help");
                assert_eq!(
                    flags(&text),
                    documented,
                    "README.md:{}: the synopsis of `cassandra-tls {sub}` and its --help name different flags",
                    block.line
                );
                synopses += 1;
            }
        };
        for l in &block.lines {
            assert!(
                !l.starts_with("$ "),
                "README.md:{}: a transcript outside a console block: {l}",
                block.line
            );
            if let Some(rest) = l.strip_prefix("cassandra-tls ") {
                assert_eq!(
                    block.info, "text",
                    "README.md:{}: a command line outside a console block: {l}",
                    block.line
                );
                check(synopsis.take());
                let sub: Vec<&str> = rest
                    .split_whitespace()
                    .take_while(|w| {
                        !w.starts_with('-') && w.chars().all(|c| c.is_ascii_lowercase() || c == '-')
                    })
                    .collect();
                synopsis = Some((sub.join(" "), rest.to_owned()));
            } else if let Some((_, text)) = synopsis.as_mut() {
                text.push(' ');
                text.push_str(l);
            }
            if let Some(args) = l.strip_prefix("cargo run --release --features cli -- ") {
                assert!(
                    transcripts
                        .iter()
                        .any(|t| t == &format!("cassandra-tls {args}")),
                    "README.md:{}: `{l}` needs the transcript `$ cassandra-tls {args}` beside it",
                    block.line
                );
            } else if l.starts_with("cargo run") && !l.contains("--example") {
                panic!(
                    "README.md:{}: a `cargo run` line the tests do not know: {l}",
                    block.line
                );
            }
            // The suite's command (a single target, `--test NAME`, is a part of it).
            if l.starts_with("cargo test") && !l.contains("--test ") {
                assert!(
                    ci.lines().any(|c| c.trim() == l.trim()),
                    "README.md:{}: CI (.ci/run) does not run the README's test command `{l}`",
                    block.line
                );
            }
        }
        check(synopsis.take());
    }
    assert!(synopses >= 9, "the README's synopses: {synopses}");
}
