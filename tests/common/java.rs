//! The JSSE peer (tests/peers/TlsPeer.java), compiled once per test run.
#![allow(dead_code)]

use std::path::PathBuf;
use std::process::Command;
use std::sync::OnceLock;

/// The directory holding TlsPeer.class, or None when no JDK is available (after
/// `skip_or_fail`).
pub fn classes() -> Option<PathBuf> {
    static DIR: OnceLock<Option<PathBuf>> = OnceLock::new();
    DIR.get_or_init(|| {
        if super::which("javac").is_none() || super::which("java").is_none() {
            return None;
        }
        let dir = PathBuf::from(env!("CARGO_TARGET_TMPDIR")).join("jsse-peer");
        std::fs::create_dir_all(&dir).unwrap();
        let out = Command::new("javac")
            .arg("-d")
            .arg(&dir)
            .arg(super::root().join("tests/peers/TlsPeer.java"))
            .output()
            .expect("run javac");
        assert!(
            out.status.success(),
            "javac failed: {}",
            String::from_utf8_lossy(&out.stderr)
        );
        Some(dir)
    })
    .clone()
}

/// A `java` command running TlsPeer in `mode` with `key=value` options.
pub fn tls_peer(dir: &std::path::Path, mode: &str, options: &[String]) -> Command {
    let mut cmd = Command::new("java");
    cmd.arg("-cp")
        .arg(dir)
        .arg("TlsPeer")
        .arg(mode)
        .args(options);
    cmd
}
