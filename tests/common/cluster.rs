//! A real three-node Cassandra 5.0 cluster on 127.0.0.1, 127.0.0.2 and 127.0.0.3 (cassandra-all
//! from Maven Central, via scripts/cassandra-node.sh), every node a seed so that the three
//! start together. Ports are picked free on all three addresses (the nodes share the storage
//! and native ports, each on its own address), JMX ports per node (local JMX binds 127.0.0.1
//! only). Readiness comes from each node's own output; the nodes stop when dropped.
#![allow(dead_code)]

use std::net::{IpAddr, Ipv4Addr, TcpListener};
use std::path::PathBuf;
use std::process::{Child, Command, Stdio};
use std::sync::{Arc, Mutex, mpsc};
use std::time::{Duration, Instant};

/// The nodes' addresses.
pub const IPS: [IpAddr; 3] = [
    IpAddr::V4(Ipv4Addr::new(127, 0, 0, 1)),
    IpAddr::V4(Ipv4Addr::new(127, 0, 0, 2)),
    IpAddr::V4(Ipv4Addr::new(127, 0, 0, 3)),
];

/// One running node.
pub struct ClusterNode {
    child: Child,
    /// Its address.
    pub ip: IpAddr,
    /// Its directory: data, and the files the caller wrote (cassandra.yaml, stores).
    pub dir: PathBuf,
    /// Its cassandra.yaml.
    pub yaml: PathBuf,
    /// Its local JMX port.
    pub jmx_port: u16,
    /// Every line the node has printed.
    pub output: Arc<Mutex<Vec<String>>>,
    lines: mpsc::Receiver<String>,
}

impl Drop for ClusterNode {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

impl ClusterNode {
    /// Waits (up to `within`) for a line containing `needle` printed after the last wait;
    /// returns the line, or None at the deadline or when the node exits.
    pub fn wait_for(&self, needle: &str, within: Duration) -> Option<String> {
        let deadline = Instant::now() + within;
        loop {
            let left = deadline.saturating_duration_since(Instant::now());
            match self.lines.recv_timeout(left) {
                Ok(line) if line.contains(needle) => return Some(line),
                Ok(_) => {}
                Err(_) => return None,
            }
        }
    }

    /// The first line printed so far that contains `needle`.
    pub fn said(&self, needle: &str) -> Option<String> {
        self.output
            .lock()
            .unwrap()
            .iter()
            .find(|l| l.contains(needle))
            .cloned()
    }

    /// Lines with ERROR, or an exception, printed so far.
    pub fn errors(&self) -> Vec<String> {
        self.output
            .lock()
            .unwrap()
            .iter()
            .filter(|l| l.starts_with("ERROR") || l.contains("Exception"))
            .cloned()
            .collect()
    }

    /// Runs `nodetool ARGS` against this node's JMX port with cassandra-all's own NodeTool
    /// class (scripts/cassandra-node.sh nodetool); returns (success, stdout and stderr).
    pub fn nodetool(&self, args: &[&str]) -> (bool, String) {
        let out = Command::new(super::root().join("scripts/cassandra-node.sh"))
            .args(["nodetool", "5.0"])
            .args(["-h", "127.0.0.1", "-p", &self.jmx_port.to_string()])
            .args(args)
            .stdin(Stdio::null())
            .output()
            .expect("run NodeTool");
        let text = format!(
            "{}{}",
            String::from_utf8_lossy(&out.stdout),
            String::from_utf8_lossy(&out.stderr)
        );
        (out.status.success(), text)
    }
}

/// A port that is free on every address (bound, then released).
pub fn free_port_on(ips: &[IpAddr]) -> u16 {
    for _ in 0..100 {
        let first = TcpListener::bind((ips[0], 0)).unwrap();
        let port = first.local_addr().unwrap().port();
        let rest: Vec<_> = ips[1..]
            .iter()
            .map(|ip| TcpListener::bind((*ip, port)))
            .collect();
        if rest.iter().all(Result::is_ok) {
            return port;
        }
    }
    panic!("no port free on all of {ips:?}");
}

/// The ports a cluster uses.
#[derive(Clone, Copy, Debug)]
pub struct Ports {
    /// The storage (internode) port of every node.
    pub storage: u16,
    /// The native (CQL) port of every node.
    pub native: u16,
    /// The local JMX port of each node.
    pub jmx: [u16; 3],
}

impl Ports {
    /// Picks ports free on all three addresses, all distinct.
    pub fn pick() -> Ports {
        let mut taken = Vec::new();
        let mut next = || loop {
            let p = free_port_on(&IPS);
            if !taken.contains(&p) {
                taken.push(p);
                return p;
            }
        };
        Ports {
            storage: next(),
            native: next(),
            jmx: [next(), next(), next()],
        }
    }
}

/// The part of a node's cassandra.yaml that is not encryption: every node a seed.
pub fn base_yaml(ip: IpAddr, ports: &Ports) -> String {
    let seeds: Vec<String> = IPS
        .iter()
        .map(|i| format!("{i}:{}", ports.storage))
        .collect();
    format!(
        "cluster_name: cassandra-tls-cluster
num_tokens: 4
partitioner: org.apache.cassandra.dht.Murmur3Partitioner
commitlog_sync: periodic
commitlog_sync_period: 10000ms
endpoint_snitch: SimpleSnitch
seed_provider:
  - class_name: org.apache.cassandra.locator.SimpleSeedProvider
    parameters:
      - seeds: \"{}\"
listen_address: {ip}
rpc_address: {ip}
storage_port: {}
native_transport_port: {}
start_native_transport: true
authenticator: AllowAllAuthenticator
",
        seeds.join(","),
        ports.storage,
        ports.native
    )
}

/// The three nodes.
pub struct Cluster {
    /// The nodes, in the order of [`IPS`].
    pub nodes: Vec<ClusterNode>,
    /// The ports.
    pub ports: Ports,
    /// cassandra-all's directory (lib/, version).
    pub home: PathBuf,
    /// The version that runs.
    pub version: String,
}

/// Starts three 5.0 nodes whose directories `dirs` already hold a cassandra.yaml each (written
/// by the caller with [`base_yaml`] and its encryption sections). Waits for "Startup complete"
/// on every node, for every node to see the two others UP through gossip, and for every node's
/// `nodetool status` to list all three Up and Normal. `None` after
/// skip_or_fail when the jars cannot be had; `Err` with what the nodes said when they fail.
pub fn start(dirs: &[PathBuf; 3], ports: Ports) -> Option<Result<Cluster, Vec<String>>> {
    start_with(dirs, ports, &[0, 1, 2])
}

/// [`start`] for a cluster expected to form only among the nodes `healthy` (indices into
/// [`IPS`]): every node starts, and the healthy ones see each other UP and Normal. What the
/// others see is the caller's to check.
pub fn start_with(
    dirs: &[PathBuf; 3],
    ports: Ports,
    healthy: &[usize],
) -> Option<Result<Cluster, Vec<String>>> {
    let Some(home) = super::cassandra::resolve_line("5.0") else {
        super::skip_or_fail(
            "a Cassandra cluster needs java and mvn (cassandra-all from Maven Central)",
        );
        return None;
    };
    let version = std::fs::read_to_string(home.join("version"))
        .unwrap()
        .trim()
        .to_owned();
    let mut nodes = Vec::new();
    for (i, dir) in dirs.iter().enumerate() {
        let yaml = dir.join("cassandra.yaml");
        let output = Arc::new(Mutex::new(Vec::new()));
        let (child, rx) = super::cassandra::spawn(
            &dir.join("data"),
            &yaml,
            "5.0",
            Some(format!("-Dcassandra.jmx.local.port={}", ports.jmx[i])),
            Some(output.clone()),
        );
        nodes.push(ClusterNode {
            child,
            ip: IPS[i],
            dir: dir.clone(),
            yaml,
            jmx_port: ports.jmx[i],
            output,
            lines: rx,
        });
    }
    let failed = |nodes: &[ClusterNode], what: &str| {
        let mut said = vec![what.to_owned()];
        for n in nodes {
            said.extend(n.errors().into_iter().map(|l| format!("{}: {l}", n.ip)));
        }
        Some(Err(said))
    };
    // Each node's own readiness line, then gossip: each node marks the two others UP.
    let deadline = Instant::now() + Duration::from_secs(300);
    for n in &nodes {
        let left = deadline.saturating_duration_since(Instant::now());
        if n.wait_for("Startup complete", left).is_none() {
            return failed(&nodes, &format!("{} did not start", n.ip));
        }
    }
    let healthy_ips: Vec<IpAddr> = healthy.iter().map(|&i| IPS[i]).collect();
    for n in nodes.iter().filter(|n| healthy_ips.contains(&n.ip)) {
        for other in healthy_ips.iter().filter(|o| **o != n.ip) {
            let up = format!("{other}:{} is now UP", ports.storage);
            let seen = n.output.lock().unwrap().iter().any(|l| l.contains(&up));
            let left = deadline.saturating_duration_since(Instant::now());
            if !seen && n.wait_for(&up, left).is_none() {
                return failed(&nodes, &format!("{} never saw {other} UP", n.ip));
            }
        }
    }
    // Gossip marks a peer UP before the peer is NORMAL in the ring (nodes started together
    // still settle their tokens): ask each node's own `nodetool status` until it lists all
    // healthy ones Up and Normal.
    for n in nodes.iter().filter(|n| healthy_ips.contains(&n.ip)) {
        loop {
            let (ok, status) = n.nodetool(&["status"]);
            let all = ok
                && healthy_ips.iter().all(|ip| {
                    status.lines().any(|l| {
                        l.starts_with("UN") && l.split_whitespace().nth(1) == Some(&ip.to_string())
                    })
                });
            if all {
                break;
            }
            if Instant::now() >= deadline {
                return failed(
                    &nodes,
                    &format!("{} never listed {healthy_ips:?} UN: {status}", n.ip),
                );
            }
            std::thread::sleep(Duration::from_secs(2));
        }
    }
    Some(Ok(Cluster {
        nodes,
        ports,
        home,
        version,
    }))
}
