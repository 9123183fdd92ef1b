//! Starting external peers (openssl, java, python) for interop tests: port 0, readiness read
//! from the peer's own output, generous timeouts, always stopped.
#![allow(dead_code)]

use std::io::{BufRead, BufReader};
use std::process::{Child, Command, Stdio};
use std::sync::mpsc;
use std::time::Duration;

/// A running peer, killed when dropped.
pub struct Peer {
    pub child: Child,
    pub port: u16,
    /// Lines the peer printed after the readiness line.
    pub lines: mpsc::Receiver<String>,
}

impl Drop for Peer {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

/// Starts `cmd` and waits (up to 60 s) for a stdout line containing `marker` followed by the
/// port, as `ACCEPT 127.0.0.1:45389` or `LISTENING 45389`.
pub fn start(mut cmd: Command, marker: &str) -> Peer {
    cmd.stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .stdin(Stdio::piped());
    let mut child = cmd
        .spawn()
        .unwrap_or_else(|e| panic!("cannot start {cmd:?}: {e}"));
    let stdout = child.stdout.take().unwrap();
    let stderr = child.stderr.take().unwrap();
    let (tx, rx) = mpsc::channel();
    let tx2 = tx.clone();
    std::thread::spawn(move || {
        for line in BufReader::new(stdout).lines().map_while(Result::ok) {
            if tx.send(line).is_err() {
                break;
            }
        }
    });
    std::thread::spawn(move || {
        for line in BufReader::new(stderr).lines().map_while(Result::ok) {
            if tx2.send(format!("stderr: {line}")).is_err() {
                break;
            }
        }
    });
    let mut seen = Vec::new();
    loop {
        match rx.recv_timeout(Duration::from_secs(60)) {
            Ok(line) => {
                if let Some(rest) = line.split(marker).nth(1) {
                    let digits: String = rest
                        .rsplit(':')
                        .next()
                        .unwrap_or(rest)
                        .chars()
                        .filter(|c| c.is_ascii_digit())
                        .collect();
                    if let Ok(port) = digits.parse() {
                        return Peer {
                            child,
                            port,
                            lines: rx,
                        };
                    }
                }
                seen.push(line);
            }
            Err(_) => {
                let _ = child.kill();
                let _ = child.wait();
                panic!("peer {cmd:?} never printed '{marker}'; it said: {seen:#?}");
            }
        }
    }
}
