//! Each store file is read once per `doctor` run (once per node in the cluster form): the
//! resolved node loads a store once and every check reads it from there. Counted from the
//! outside, with strace's record of every `openat` the command makes.
#![cfg(feature = "cli")]

mod common;

use std::collections::BTreeMap;
use std::path::Path;
use std::process::Command;

/// Runs the command under strace; returns how often each file under `watch` was opened.
fn opens(args: &[&str], watch: &Path) -> BTreeMap<String, usize> {
    let dir = tempfile::tempdir().unwrap();
    let log = dir.path().join("strace.log");
    let out = Command::new("strace")
        .args(["-f", "-qq", "-e", "trace=openat", "-o"])
        .arg(&log)
        .arg(env!("CARGO_BIN_EXE_cassandra-tls"))
        .args(args)
        .current_dir(common::root())
        .output()
        .unwrap();
    assert!(
        out.status.code().is_some(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let text = std::fs::read_to_string(&log).unwrap();
    let watch = watch.to_string_lossy().into_owned();
    let mut counts = BTreeMap::new();
    for line in text.lines().filter(|l| !l.contains("ENOENT")) {
        // openat(AT_FDCWD, "path", O_RDONLY|O_CLOEXEC) = 3
        let Some(start) = line.find('"') else {
            continue;
        };
        let Some(len) = line[start + 1..].find('"') else {
            continue;
        };
        let path = &line[start + 1..start + 1 + len];
        // The working directory is the root; "./x" and "x" are the same file.
        let absolute: std::path::PathBuf = common::root()
            .join(path)
            .components()
            .filter(|c| !matches!(c, std::path::Component::CurDir))
            .collect();
        let is_file = absolute.is_file();
        let absolute = absolute.to_string_lossy().into_owned();
        if is_file && absolute.starts_with(&watch) {
            *counts.entry(absolute).or_insert(0) += 1;
        }
    }
    counts
}

#[test]
fn doctor_reads_each_store_of_the_committed_fixture_once() {
    if !common::tools_present(&["strace"]) {
        return;
    }
    let stores = common::fixtures().join("stores");
    let counts = opens(&["doctor"], &stores);
    // fixtures/conf/cassandra.yaml names node1.jks (both key stores) and truststore.jks (both
    // truststores): each is opened once for the whole run.
    let want: BTreeMap<String, usize> = ["node1.jks", "truststore.jks"]
        .iter()
        .map(|f| (stores.join(f).to_string_lossy().into_owned(), 1))
        .collect();
    assert_eq!(counts, want);
}

#[test]
fn doctor_across_three_nodes_reads_each_store_once_per_node() {
    if !common::tools_present(&["strace"]) {
        return;
    }
    let dir = tempfile::tempdir().unwrap();
    let stores = common::fixtures().join("stores");
    let yaml = std::fs::read_to_string(common::fixtures().join("conf/cassandra.yaml")).unwrap();
    let mut want = BTreeMap::new();
    for n in 1..=3 {
        let node = dir.path().join(format!("node{n}"));
        std::fs::create_dir(&node).unwrap();
        for f in ["node1.jks", "truststore.jks"] {
            std::fs::copy(stores.join(f), node.join(f)).unwrap();
            want.insert(node.join(f).to_string_lossy().into_owned(), 1);
        }
        let text = yaml
            .replace(
                "fixtures/stores/node1.jks",
                &node.join("node1.jks").to_string_lossy(),
            )
            .replace(
                "fixtures/stores/truststore.jks",
                &node.join("truststore.jks").to_string_lossy(),
            );
        std::fs::write(dir.path().join(format!("node{n}.yaml")), text).unwrap();
    }
    let counts = opens(&["doctor", &dir.path().to_string_lossy()], dir.path());
    let counts: BTreeMap<String, usize> = counts
        .into_iter()
        .filter(|(p, _)| !p.ends_with(".yaml") && Path::new(p).parent() != Some(dir.path()))
        .collect();
    assert_eq!(counts, want);
}
