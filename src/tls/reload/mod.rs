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
//! # No session crosses a reload
//!
//! Each validated load is a *generation*: keys, the check of the peer, and a rustls config of
//! its own with its own cache of resumable sessions. A reload puts a new generation in use in
//! one step; a load that fails, or that saw the files change while it read them, puts nothing
//! in use. A resumed session skips the certificates, so a session must never be resumed under
//! another generation than the one it was made with, or a new key would never reach the wire
//! and a dropped CA would keep admitting its clients. Two ways to connect keep that true under
//! any load and whatever the timing of the swap:
//!
//! - **Bound to a generation**, as Cassandra binds a connection to the SslContext it was created
//!   with: `Handshake::client`, `Handshake::server`, [`ServerTls::config_for`] and
//!   [`ClientTls::current_config`] give the config of the generation in use when they are
//!   called. The connection's key, peer check and session cache all come from it; a handshake in
//!   flight at a swap leaves its session in its own generation's cache, which no later
//!   connection consults. Sessions resume within a generation.
//! - **Live**, for a config handed over once (to a driver that keeps its `Arc<ClientConfig>`, or
//!   an acceptor): [`ClientTls::config`] and [`ServerTls::config_without_client_address_check`]
//!   read the generation in use at each step of each handshake, so every handshake that starts
//!   after a swap presents the new key and checks the peer with the new truststore. rustls asks a
//!   session store for sessions by server name or session id, never by connection, so no store
//!   can tell which generation a session came from: a live config keeps no sessions, and every
//!   connection made with it is a full handshake. That is its cost.
//!
//! A handshake already in flight when a swap happens finishes on the material it started with
//! (bound), or checks the peer with the new truststore (live); established sessions are not
//! touched.
//!
//! ```
//! use cassandra_tls::options::CassandraYaml;
//! use cassandra_tls::tls::{ServerRole, TlsSettings, reload};
//!
//! let yaml = CassandraYaml::load_file("fixtures/conf/cassandra.yaml")?;
//! let (server, reloader) = reload::reloading_server_config(&yaml, ServerRole::Native, &TlsSettings::default())?;
//! // For each connection: Handshake::server(&server, peer), or server.config_for(peer).
//! // Every 10 minutes, from the caller's timer:
//! match reloader.check() {
//!     reload::Outcome::Failed { error, .. } => eprintln!("SSL reload failed, old material kept: {error}"),
//!     outcome => println!("{outcome}"),
//! }
//! # Ok::<(), cassandra_tls::Error>(())
//! ```

mod files;
mod generation;
mod outcome;

use std::path::PathBuf;
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Arc, Mutex};
use std::time::Duration;

use rustls::client::ResolvesClientCert;
use rustls::client::danger::ServerCertVerifier;
use rustls::server::danger::ClientCertVerifier;
use zeroize::Zeroizing;

use super::cache::FileStamp;
use super::{
    ClientRole, ClientTls, Plan, ServerRole, ServerTls, Sessions, TlsSettings, TlsWarning,
};
use crate::error::{Error, Origin, Result};
use crate::keystore::{Certificate, KeyStore};
use crate::options::CassandraYaml;
pub(crate) use files::{KeyPair, Sources};
use files::{Watched, consistent, kept_changing, watched_paths, with_pair};
use generation::Assembly;
pub(crate) use generation::{ClientSide, ServerSide};
pub use outcome::Outcome;

/// Cassandra's interval between checks of the files (600 seconds, not configurable).
pub const CASSANDRA_RELOAD_INTERVAL: Duration = Duration::from_secs(600);

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
    sources: Sources,
    swaps: Swaps,
    watched: Mutex<Vec<Watched>>,
    /// Held while material is loaded and swapped, so that concurrent reloads put their
    /// material in use in the order they loaded it.
    reloading: Mutex<()>,
    generation: AtomicU64,
}

/// The side of the config, and its generations.
#[derive(Debug)]
enum Swaps {
    Server(Arc<ServerSide>),
    Client(Arc<ClientSide>),
}

/// A server config for a [`ServerRole`] whose material the returned [`Reloader`] replaces.
/// Otherwise the same as [`super::server_config`]. Connections take the material in use when
/// they are created ([`ServerTls::config_for`], `Handshake::server`); see the module's docs for
/// the config handed over once.
pub fn reloading_server_config(
    yaml: &CassandraYaml,
    role: ServerRole,
    settings: &TlsSettings,
) -> Result<(ServerTls, Reloader)> {
    let node = super::Node::uncached(yaml);
    let sources = Sources::default();
    let paths = watched_paths(&node, role.into(), &sources);
    let plan = Plan::new(node.resolved(), role.into(), settings)?;
    let load =
        || super::load_server_material(node.stores(), &plan, settings, super::Installed::default());
    let (material, seen) = consistent(&paths, load, || kept_changing(yaml.origin(), &plan))?;
    let assembly = Assembly {
        origin: yaml.origin(),
        plan: &plan,
        settings,
    };
    let (first, warnings) = assembly.server(material, None)?;
    let mandatory = plan.client_auth == crate::options::ClientAuth::Required;
    let side = Arc::new(ServerSide::new(first, mandatory));
    let verifier = side
        .checks_clients()
        .then(|| side.clone() as Arc<dyn ClientCertVerifier>);
    let mut tls = super::assemble_server(
        yaml.origin(),
        plan.clone(),
        settings,
        warnings,
        side.clone(),
        verifier,
        Sessions::NotKept,
    )?;
    tls.generations = Some(side.clone());
    let reloader = Reloader::new(
        yaml,
        settings,
        plan,
        sources,
        Swaps::Server(side),
        paths,
        seen,
    );
    Ok((tls, reloader))
}

/// A client config for a [`ClientRole`] whose material the returned [`Reloader`] replaces.
/// Otherwise the same as [`super::client_config`]. A client without a key store at start-up
/// stays without one. [`ClientTls::config`] follows every reload and keeps no sessions;
/// [`ClientTls::current_config`] (and `Handshake::client`) binds one connection to the
/// material in use; see the module's docs.
pub fn reloading_client_config(
    yaml: &CassandraYaml,
    role: ClientRole,
    settings: &TlsSettings,
) -> Result<(ClientTls, Reloader)> {
    reloading_client(yaml, role, settings, Sources::default())
}

pub(crate) fn reloading_client(
    yaml: &CassandraYaml,
    role: ClientRole,
    settings: &TlsSettings,
    sources: Sources,
) -> Result<(ClientTls, Reloader)> {
    let node = super::Node::uncached(yaml);
    let paths = watched_paths(&node, role.into(), &sources);
    let plan = Plan::new(node.resolved(), role.into(), settings)?;
    let load = || {
        let pair = sources.key_pair.as_ref().map(KeyPair::read).transpose()?;
        let installed = super::Installed {
            keystore: pair.as_deref().map(Vec::as_slice),
            truststore: None,
        };
        super::load_client_material(node.stores(), &plan, settings, installed)
            .map_err(|e| sources.name_files(plan.section, e))
    };
    let (material, seen) = consistent(&paths, load, || kept_changing(yaml.origin(), &plan))?;
    let assembly = Assembly {
        origin: yaml.origin(),
        plan: &plan,
        settings,
    };
    let (first, warnings) = assembly.client(material, None)?;
    let side = Arc::new(ClientSide::new(first));
    let keys = side
        .presents_certificate()
        .then(|| side.clone() as Arc<dyn ResolvesClientCert>);
    let mut tls = super::assemble_client(
        yaml.origin(),
        plan.clone(),
        settings,
        warnings,
        keys,
        side.clone() as Arc<dyn ServerCertVerifier>,
        Sessions::NotKept,
    )?;
    tls.generations = Some(side.clone());
    let reloader = Reloader::new(
        yaml,
        settings,
        plan,
        sources,
        Swaps::Client(side),
        paths,
        seen,
    );
    Ok((tls, reloader))
}

impl Reloader {
    fn new(
        yaml: &CassandraYaml,
        settings: &TlsSettings,
        plan: Plan,
        sources: Sources,
        swaps: Swaps,
        paths: Vec<PathBuf>,
        seen: Vec<Option<FileStamp>>,
    ) -> Self {
        let watched = paths
            .into_iter()
            .zip(seen)
            .map(|(path, seen)| Watched { path, seen })
            .collect();
        Reloader {
            inner: Arc::new(Inner {
                yaml: yaml.clone(),
                settings: settings.clone(),
                plan,
                sources,
                swaps,
                watched: Mutex::new(watched),
                reloading: Mutex::new(()),
                generation: AtomicU64::new(0),
            }),
        }
    }

    /// The files watched: the section's key store (or a Secret's `tls.key` and `tls.crt`),
    /// outbound key store (internode) and truststore that existed when the config was built.
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

    /// Cassandra's periodic check: when a watched file changed since it was last seen (its
    /// modification time, as Cassandra compares, or its size, inode or symlink target, as a
    /// Kubernetes Secret's `..data` swap shows; a deleted file counts as changed), load and
    /// validate the section's material again and put it in use, or keep the old material and
    /// say why. What was seen is recorded either way, so a broken file is not retried until it
    /// changes again (or [`Reloader::force`] is called). Unlike Cassandra, which stops at the
    /// first changed file, every file is re-stamped in one pass.
    pub fn check(&self) -> Outcome {
        let _one_at_a_time = self.lock_reloading();
        let changed: Vec<PathBuf> = {
            let mut watched = self.lock_watched();
            watched
                .iter_mut()
                .filter_map(|w| {
                    let now = FileStamp::of(&w.path);
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
        self.reload_from(changed, super::Installed::default())
    }

    /// `nodetool reloadssl`: load and validate the section's material from its files now,
    /// whatever was seen of them, and put it in use (or keep the old and say why).
    pub fn force(&self) -> Outcome {
        let _one_at_a_time = self.lock_reloading();
        {
            let mut watched = self.lock_watched();
            for w in watched.iter_mut() {
                w.seen = FileStamp::of(&w.path);
            }
        }
        self.reload_from(Vec::new(), super::Installed::default())
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

    /// A watched file that is gone, in the caller's terms: the file, and the Secret it belonged
    /// to when the config was built from one.
    fn missing_file(&self) -> Option<Error> {
        let (path, source) = self.lock_watched().iter().find_map(|w| {
            std::fs::metadata(&w.path)
                .err()
                .map(|e| (w.path.clone(), e))
        })?;
        Some(match &self.inner.sources.secret {
            Some(secret) => {
                let name = path
                    .file_name()
                    .map(|n| n.to_string_lossy().into_owned())
                    .unwrap_or_else(|| path.display().to_string());
                Error::config(
                    &Origin::file(secret),
                    Some("secret"),
                    Some(&name),
                    format!(
                        "{} is gone ({source}): the Secret mounted at {} no longer holds it (removed, or being replaced)",
                        path.display(),
                        secret.display()
                    ),
                )
            }
            None => Error::Io { path, source },
        })
    }

    fn reload_from(&self, changed: Vec<PathBuf>, installed: super::Installed<'_>) -> Outcome {
        let handed_in = installed.keystore.is_some() && installed.truststore.is_some();
        if !handed_in && let Some(error) = self.missing_file() {
            return Outcome::Failed { changed, error };
        }
        let plan = &self.inner.plan;
        let (yaml, settings) = (&self.inner.yaml, &self.inner.settings);
        let assembly = Assembly {
            origin: yaml.origin(),
            plan,
            settings,
        };
        // Read what the files hold now: no store is kept between reloads. Nothing is put in
        // use until one load saw one version of the files throughout.
        let node = super::Node::uncached(yaml);
        let pair = |installed: super::Installed<'_>| -> Result<Option<Zeroizing<Vec<u8>>>> {
            match (&self.inner.sources.key_pair, installed.keystore) {
                (Some(pair), None) => pair.read().map(Some),
                _ => Ok(None),
            }
        };
        let swapped = match &self.inner.swaps {
            Swaps::Server(side) => self
                .consistent_load(|| {
                    let bytes = pair(installed)?;
                    super::load_server_material(node.stores(), plan, settings, with_pair(&bytes, installed))
                })
                .and_then(|m| assembly.server(m, Some(&side.current())))
                .map(|(g, warnings)| {
                    side.put(g);
                    warnings
                }),
            Swaps::Client(side) => self
                .consistent_load(|| {
                    let bytes = pair(installed)?;
                    let loaded = super::load_client_material(node.stores(), plan, settings, with_pair(&bytes, installed))
                        .map_err(|e| self.inner.sources.name_files(plan.section, e));
                    match loaded {
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
                .and_then(|m| assembly.client(m, Some(&side.current())))
                .map(|(g, warnings)| {
                    side.put(g);
                    warnings
                }),
        };
        // A file that vanished while it was read: say so in the caller's terms rather than in
        // the factory's.
        let swapped = match handed_in {
            true => swapped,
            false => swapped.map_err(|e| self.missing_file().unwrap_or(e)),
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
        let assembly = Assembly {
            origin,
            plan,
            settings,
        };
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
                    .and_then(|m| assembly.server(m, Some(&side.current())))
                    .map(|(g, warnings)| {
                        side.put(g);
                        warnings
                    })
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
                    .and_then(|m| assembly.client(m, Some(&side.current())))
                    .map(|(g, warnings)| {
                        side.put(g);
                        warnings
                    }),
            },
        };
        self.outcome(built, Vec::new())
    }

    /// Runs `load` over one unchanged version of the watched files ([`consistent`]) and records
    /// what was seen.
    fn consistent_load<T>(&self, load: impl FnMut() -> Result<T>) -> Result<T> {
        let paths = self.watched();
        let (loaded, seen) = consistent(&paths, load, || {
            kept_changing(self.inner.yaml.origin(), &self.inner.plan)
        })?;
        let mut watched = self.lock_watched();
        for (w, seen) in watched.iter_mut().zip(seen) {
            w.seen = seen;
        }
        Ok(loaded)
    }

    /// The outcome of a reload: new material was put in use (with its warnings), or the old
    /// stays.
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
