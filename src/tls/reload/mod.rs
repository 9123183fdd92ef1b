//! Hot reload of key and trust material, as Cassandra does it, without a thread or a clock.
//!
//! Cassandra (`SSLFactory.initHotReloading`, `FileBasedSslContextFactory`) checks the `keystore`,
//! `outbound_keystore` and `truststore` files that existed at start-up every 600 seconds: a file
//! whose modification time differs from the one last seen (a deleted file counts as changed)
//! makes it validate the new material; on success new connections get it, on failure the old
//! material stays and the error is logged. `nodetool reloadssl` forces the validation. Inline PEM
//! is never reloaded. Established connections keep what they started with.
//!
//! Here the caller owns the schedule: [`Reloader::check`] is the periodic check (call it from
//! your own timer, at Cassandra's [`CASSANDRA_RELOAD_INTERVAL`] or any other),
//! [`Reloader::force`] is `nodetool reloadssl`, and [`Reloader::install`] takes material the
//! caller loaded itself (from bytes, a secret store, another path).
//!
//! The rustls config is built once and never changes; its certificate resolver and its
//! verifier delegate to material behind a lock, swapped in one step. A handshake reads the
//! material once when it picks its key, so it presents the old chain or the new one, never a
//! mix; sessions already established are not touched. A swap also empties the caches of
//! resumable sessions, since resuming skips the certificates. One limit remains: a handshake
//! still in flight when the swap happens finishes on the old material and may leave a resumable
//! session made with it (Cassandra keeps such sessions in the old context's cache, which new
//! connections no longer consult); rustls does not say which material a stored session came from.
//!
//! ```
//! use cassandra_tls::options::CassandraYaml;
//! use cassandra_tls::tls::{ServerRole, TlsSettings, reload};
//!
//! let yaml = CassandraYaml::load_file("fixtures/conf/cassandra.yaml")?;
//! let (server, reloader) = reload::reloading_server_config(&yaml, ServerRole::Native, &TlsSettings::default())?;
//! // server serves handshakes (Handshake::server, or server.config_for(peer)); every 10 minutes, from the caller's timer:
//! match reloader.check() {
//!     reload::Outcome::Failed { error, .. } => eprintln!("SSL reload failed, old material kept: {error}"),
//!     outcome => println!("{outcome}"),
//! }
//! # Ok::<(), cassandra_tls::Error>(())
//! ```

mod swap;

use std::fmt;
use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Arc, Mutex};
use std::time::{Duration, SystemTime};

use rustls::client::ResolvesClientCert;
use rustls::server::danger::ClientCertVerifier;

use super::{ClientRole, ClientTls, Plan, Role, ServerRole, ServerTls, TlsSettings, TlsWarning};
use crate::error::{Error, Result};
use crate::keystore::{Certificate, KeyStore};
use crate::options::CassandraYaml;
use swap::{ClientSide, ServerSide};

/// Cassandra's interval between checks of the files (600 seconds, not configurable).
pub const CASSANDRA_RELOAD_INTERVAL: Duration = Duration::from_secs(600);

/// What a check or an install did.
#[derive(Debug)]
#[non_exhaustive]
pub enum Outcome {
    /// No watched file changed: nothing was loaded.
    Unchanged,
    /// New material was validated and is now used by new handshakes.
    Reloaded {
        /// The files whose modification time changed (empty when forced or installed).
        changed: Vec<PathBuf>,
        /// Warnings about the new material.
        warnings: Vec<TlsWarning>,
    },
    /// New material failed validation; the old material is still in use.
    Failed {
        /// The files whose modification time changed (empty when forced or installed).
        changed: Vec<PathBuf>,
        /// Why the new material was refused.
        error: Error,
    },
}

impl fmt::Display for Outcome {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let files = |changed: &[PathBuf]| {
            changed
                .iter()
                .map(|p| p.display().to_string())
                .collect::<Vec<_>>()
                .join(", ")
        };
        match self {
            Outcome::Unchanged => f.write_str("SSL certificates unchanged"),
            Outcome::Reloaded { changed, .. } if changed.is_empty() => {
                f.write_str("SSL certificates have been updated; new connections use them")
            }
            Outcome::Reloaded { changed, .. } => write!(
                f,
                "SSL certificates have been updated ({} changed); new connections use them",
                files(changed)
            ),
            Outcome::Failed { error, .. } => write!(
                f,
                "failed to hot reload the SSL certificates, the old ones stay in use: {error}"
            ),
        }
    }
}

/// A watched file and what was last seen of it (`None`: missing or unreadable, as Java's
/// `lastModified() == 0`).
#[derive(Debug)]
struct Watched {
    path: PathBuf,
    seen: Option<Stamp>,
}

/// What a check compares: the modification time (Cassandra's only test), and the file the path
/// leads to. Kubernetes updates a mounted Secret by writing a new timestamped directory and
/// renaming the `..data` symlink over the old one; the visible files are symlinks through
/// `..data`, so a rotation shows as a new target (and a new inode) even when the times agree.
#[derive(Clone, Debug, PartialEq, Eq)]
struct Stamp {
    modified: Option<SystemTime>,
    len: u64,
    target: Option<PathBuf>,
    #[cfg(unix)]
    inode: (u64, u64),
}

fn stamp(path: &Path) -> Option<Stamp> {
    let meta = std::fs::metadata(path).ok()?;
    #[cfg(unix)]
    let inode = {
        use std::os::unix::fs::MetadataExt;
        (meta.dev(), meta.ino())
    };
    Some(Stamp {
        modified: meta.modified().ok(),
        len: meta.len(),
        target: std::fs::canonicalize(path).ok(),
        #[cfg(unix)]
        inode,
    })
}

/// How many times a load is tried again when the files change while they are read.
const CONSISTENT_LOAD_TRIES: usize = 3;

/// Replaces a config's key and trust material on request. Cheap to clone; every clone
/// drives the same config.
#[derive(Clone, Debug)]
pub struct Reloader {
    inner: Arc<Inner>,
}

#[derive(Debug)]
struct Inner {
    yaml: CassandraYaml,
    settings: TlsSettings,
    plan: Plan,
    swaps: Swaps,
    watched: Mutex<Vec<Watched>>,
    /// Held while material is loaded and swapped, so that concurrent reloads put their
    /// material in use in the order they loaded it.
    reloading: Mutex<()>,
    generation: AtomicU64,
}

/// The side of the config, and the material it delegates to.
#[derive(Debug)]
enum Swaps {
    Server(Arc<ServerSide>),
    Client(Arc<ClientSide>),
}

/// The files Cassandra watches for a section: `keystore`, `outbound_keystore` (internode) and
/// `truststore`, those that exist now. Inline PEM is not a file and is never watched.
fn watched_files(node: &super::Node, role: Role) -> Vec<Watched> {
    let resolved = node.resolved();
    let section = role.options(resolved);
    let opts = &section.options;
    let mut paths = Vec::new();
    if section.inline_pem("private_key").is_none() {
        paths.push(resolved.path(opts.keystore_path()));
    }
    if role.section_kind() == crate::options::Section::Server
        && section.inline_pem("outbound_private_key").is_none()
    {
        paths.push(resolved.path(resolved.server_options().outbound_keystore_path()));
    }
    if section.inline_pem("trusted_certificates").is_none() {
        paths.push(resolved.path(opts.truststore_path()));
    }
    let mut watched: Vec<Watched> = Vec::new();
    for path in paths {
        if path.is_file() && !watched.iter().any(|w| w.path == path) {
            let seen = stamp(&path);
            watched.push(Watched { path, seen });
        }
    }
    watched
}

/// A server config for a [`ServerRole`] whose material the returned [`Reloader`] replaces.
/// Otherwise the same as [`super::server_config`].
pub fn reloading_server_config(
    yaml: &CassandraYaml,
    role: ServerRole,
    settings: &TlsSettings,
) -> Result<(ServerTls, Reloader)> {
    // Stamp the files before loading them: a change while loading is seen by the next check.
    let node = super::Node::uncached(yaml);
    let watched = watched_files(&node, role.into());
    let plan = Plan::new(node.resolved(), role.into(), settings)?;
    let material =
        super::load_server_material(node.stores(), &plan, settings, super::Installed::default())?;
    let mandatory = plan.client_auth == crate::options::ClientAuth::Required;
    let (side, warnings) = ServerSide::new(material, mandatory);
    let side = Arc::new(side);
    let verifier = side
        .checks_clients()
        .then(|| side.clone() as Arc<dyn ClientCertVerifier>);
    let kept = plan.clone();
    let tls = super::assemble_server(
        yaml.origin(),
        plan,
        settings,
        warnings,
        side.clone(),
        verifier,
        Some(side.clone()),
    )?;
    let swaps = Swaps::Server(side);
    let reloader = Reloader::new(yaml, settings, kept, swaps, watched);
    Ok((tls, reloader))
}

/// A client config for a [`ClientRole`] whose material the returned [`Reloader`] replaces.
/// Otherwise the same as [`super::client_config`]. A client without a key store at start-up
/// stays without one.
pub fn reloading_client_config(
    yaml: &CassandraYaml,
    role: ClientRole,
    settings: &TlsSettings,
) -> Result<(ClientTls, Reloader)> {
    let node = super::Node::uncached(yaml);
    let watched = watched_files(&node, role.into());
    let plan = Plan::new(node.resolved(), role.into(), settings)?;
    let material =
        super::load_client_material(node.stores(), &plan, settings, super::Installed::default())?;
    let Some((side, warnings)) = ClientSide::new(material) else {
        return Err(Error::config(
            yaml.origin(),
            Some(plan.section),
            Some("truststore"),
            "a reloadable client needs a truststore to check the server with",
        ));
    };
    let side = Arc::new(side);
    let keys = side
        .presents_certificate()
        .then(|| side.clone() as Arc<dyn ResolvesClientCert>);
    let kept = plan.clone();
    let tls = super::assemble_client(
        yaml.origin(),
        plan,
        settings,
        warnings,
        keys,
        side.clone(),
        Some(side.clone()),
    )?;
    let swaps = Swaps::Client(side);
    let reloader = Reloader::new(yaml, settings, kept, swaps, watched);
    Ok((tls, reloader))
}

impl Reloader {
    fn new(
        yaml: &CassandraYaml,
        settings: &TlsSettings,
        plan: Plan,
        swaps: Swaps,
        watched: Vec<Watched>,
    ) -> Self {
        Reloader {
            inner: Arc::new(Inner {
                yaml: yaml.clone(),
                settings: settings.clone(),
                plan,
                swaps,
                watched: Mutex::new(watched),
                reloading: Mutex::new(()),
                generation: AtomicU64::new(0),
            }),
        }
    }

    /// The files watched: the section's key store, outbound key store (internode) and
    /// truststore that existed when the config was built.
    pub fn watched(&self) -> Vec<PathBuf> {
        self.lock_watched().iter().map(|w| w.path.clone()).collect()
    }

    /// How many times new material was put in use (0 for the material built first).
    pub fn generation(&self) -> u64 {
        self.inner.generation.load(Ordering::SeqCst)
    }

    fn lock_reloading(&self) -> std::sync::MutexGuard<'_, ()> {
        self.inner
            .reloading
            .lock()
            .unwrap_or_else(|e| e.into_inner())
    }

    fn lock_watched(&self) -> std::sync::MutexGuard<'_, Vec<Watched>> {
        self.inner.watched.lock().unwrap_or_else(|e| e.into_inner())
    }

    /// Cassandra's periodic check: when a watched file's modification time differs from the
    /// one last seen (a deleted file counts as changed), load and validate the section's
    /// material again and put it in use, or keep the old material and say why. The times are
    /// recorded either way, so a broken file is not retried until it changes again (or
    /// [`Reloader::force`] is called). Unlike Cassandra, which stops at the first changed file,
    /// every file is re-stamped in one pass.
    pub fn check(&self) -> Outcome {
        let _one_at_a_time = self.lock_reloading();
        let changed: Vec<PathBuf> = {
            let mut watched = self.lock_watched();
            watched
                .iter_mut()
                .filter_map(|w| {
                    let now = stamp(&w.path);
                    (now != w.seen).then(|| {
                        w.seen = now;
                        w.path.clone()
                    })
                })
                .collect()
        };
        if changed.is_empty() {
            return Outcome::Unchanged;
        }
        self.reload_files(changed)
    }

    /// `nodetool reloadssl`: load and validate the section's material from its files now,
    /// whatever their modification times, and put it in use (or keep the old and say why).
    pub fn force(&self) -> Outcome {
        let _one_at_a_time = self.lock_reloading();
        {
            let mut watched = self.lock_watched();
            for w in watched.iter_mut() {
                w.seen = stamp(&w.path);
            }
        }
        self.reload_files(Vec::new())
    }

    fn reload_files(&self, changed: Vec<PathBuf>) -> Outcome {
        self.reload_from(changed, super::Installed::default())
    }

    /// New bytes for the key store and/or the truststore, handed in by the caller (from a
    /// secret store, say) in place of the section's files, read by the section's own rules: its
    /// `store_type`, passwords (or password files) and factory (PEM or key stores). What is not
    /// handed in is read from the section's files again. Validated like a reload from files;
    /// on failure nothing changes.
    pub fn install_bytes(&self, keystore: Option<&[u8]>, truststore: Option<&[u8]>) -> Outcome {
        let _one_at_a_time = self.lock_reloading();
        self.reload_from(
            Vec::new(),
            super::Installed {
                keystore,
                truststore,
            },
        )
    }

    fn reload_from(&self, changed: Vec<PathBuf>, installed: super::Installed<'_>) -> Outcome {
        let plan = &self.inner.plan;
        let (yaml, settings) = (&self.inner.yaml, &self.inner.settings);
        // Read what the files hold now: no store is kept between reloads. The files are stamped
        // before and after the load; when a file changed meanwhile (a Kubernetes Secret's
        // `..data` swapped mid-read), the load may mix two generations (a new certificate with
        // an old key, a new key store with an old truststore), so it is thrown away and tried
        // again. Nothing is put in use until one load saw one generation throughout.
        let node = super::Node::uncached(yaml);
        let swapped = match &self.inner.swaps {
            Swaps::Server(side) => self
                .consistent_load(|| super::load_server_material(node.stores(), plan, settings, installed))
                .map(|m| side.put(m)),
            Swaps::Client(side) => self
                .consistent_load(|| {
                    match super::load_client_material(node.stores(), plan, settings, installed) {
                        // A client's key store that is gone is a failure, not "no client
                        // certificate".
                        Ok(m) if m.keys.is_none() && side.presents_certificate() => Err(Error::config(
                            yaml.origin(),
                            Some(plan.section),
                            Some("keystore"),
                            "the key store no longer exists: failed to build key manager store for secure connections",
                        )),
                        other => other,
                    }
                })
                .map(|m| side.put(m)),
        };
        self.outcome(swapped, changed)
    }

    /// Material the caller loaded itself (new bytes from a secret store, say): the key store
    /// to present and, when `trust` is given, the certificates to trust from now on. Both are
    /// validated as a reload from files would be; on failure nothing changes. A `None` key
    /// store is allowed only for a client built without one.
    pub fn install(&self, keystore: Option<&KeyStore>, trust: Option<&[Certificate]>) -> Outcome {
        let _one_at_a_time = self.lock_reloading();
        let plan = &self.inner.plan;
        let origin = self.inner.yaml.origin();
        let refuse = |key: &str, message: &str| Outcome::Failed {
            changed: Vec::new(),
            error: Error::config(origin, Some(plan.section), Some(key), message.to_owned()),
        };
        if let Some(trust) = trust
            && trust.is_empty()
        {
            return refuse("truststore", "the truststore holds no certificate to trust");
        }
        let settings = &self.inner.settings;
        let built = match (&self.inner.swaps, keystore) {
            (Swaps::Server(_), None) => {
                return refuse(
                    "keystore",
                    "this config presents a certificate: install needs a key store",
                );
            }
            (Swaps::Server(side), Some(store)) => {
                let trust = trust.filter(|_| side.checks_clients());
                super::build_server_material(origin, plan, settings, store, trust)
                    .map(|m| side.put(m))
            }
            (Swaps::Client(side), store) => match (side.presents_certificate(), store) {
                (false, Some(_)) => {
                    return refuse(
                        "keystore",
                        "this client was built without a key store and presents no certificate; build it with one",
                    );
                }
                (true, None) => {
                    return refuse(
                        "keystore",
                        "this config presents a certificate: install needs a key store",
                    );
                }
                _ => super::build_client_material(origin, plan, settings, store, trust)
                    .map(|m| side.put(m)),
            },
        };
        self.outcome(built, Vec::new())
    }

    /// The outcome of a reload: new material was put in use (with its warnings), or the old
    /// stays.
    /// Runs `load` until the watched files are the same before and after it (at most
    /// [`CONSISTENT_LOAD_TRIES`] times), and records what was seen.
    fn consistent_load<T>(&self, mut load: impl FnMut() -> Result<T>) -> Result<T> {
        let stamps = || -> Vec<Option<Stamp>> {
            self.lock_watched().iter().map(|w| stamp(&w.path)).collect()
        };
        for _ in 0..CONSISTENT_LOAD_TRIES {
            let before = stamps();
            let loaded = load();
            let after = stamps();
            if before == after {
                let mut watched = self.lock_watched();
                for (w, seen) in watched.iter_mut().zip(after) {
                    w.seen = seen;
                }
                return loaded;
            }
        }
        Err(Error::config(
            self.inner.yaml.origin(),
            Some(self.inner.plan.section),
            None,
            format!(
                "the store files kept changing while they were read ({CONSISTENT_LOAD_TRIES} tries): the old material stays until they settle"
            ),
        ))
    }

    fn outcome(&self, swapped: Result<Vec<TlsWarning>>, changed: Vec<PathBuf>) -> Outcome {
        match swapped {
            Ok(warnings) => {
                self.inner.generation.fetch_add(1, Ordering::SeqCst);
                Outcome::Reloaded { changed, warnings }
            }
            Err(error) => Outcome::Failed { changed, error },
        }
    }
}
