//! The files a reloading config follows: which ones, what was seen of them, and a load that
//! saw one version of them throughout.

use std::path::{Path, PathBuf};

use zeroize::Zeroizing;

use crate::error::{Error, Origin, Result};
use crate::keystore::{KeyStore, StoreType};
use crate::tls::cache::FileStamp;
use crate::tls::{Installed, Node, Plan, Role};

/// A watched file and what was last seen of it (`None`: missing or unreadable, as Java's
/// `lastModified() == 0`).
#[derive(Debug)]
pub(super) struct Watched {
    pub(super) path: PathBuf,
    pub(super) seen: Option<FileStamp>,
}

/// How many times a load is tried again when the files change while they are read.
const CONSISTENT_LOAD_TRIES: usize = 3;

/// Runs `load` until the files are the same before and after it (at most
/// [`CONSISTENT_LOAD_TRIES`] times) and returns what it loaded with what was seen. A load
/// during which a file changed (a Kubernetes Secret's `..data` swapped mid-read) may mix two
/// generations (a new certificate with an old key, a new key store with an old truststore), so
/// it is thrown away.
pub(super) fn consistent<T>(
    paths: &[PathBuf],
    mut load: impl FnMut() -> Result<T>,
    kept_changing: impl FnOnce() -> Error,
) -> Result<(T, Vec<Option<FileStamp>>)> {
    let stamps = || -> Vec<Option<FileStamp>> { paths.iter().map(|p| FileStamp::of(p)).collect() };
    for _ in 0..CONSISTENT_LOAD_TRIES {
        let before = stamps();
        let loaded = load();
        let after = stamps();
        if before == after {
            return loaded.map(|l| (l, after));
        }
    }
    Err(kept_changing())
}

/// Where a reloading config's material comes from beyond its yaml.
#[derive(Clone, Debug, Default)]
pub(crate) struct Sources {
    /// A key store made of two PEM files read as one pair (cert-manager's `tls.key` and
    /// `tls.crt`): the key, then its chain.
    pub(crate) key_pair: Option<KeyPair>,
    /// The mounted Secret the files come from, to name it when a file is gone.
    pub(crate) secret: Option<PathBuf>,
}

impl Sources {
    /// `error` said of a key pair's files where it was said of the bytes read from them.
    pub(crate) fn name_files(&self, section: &str, error: Error) -> Error {
        match &self.key_pair {
            Some(pair) => pair.name_files(section, error),
            None => error,
        }
    }
}

/// A private key file and its certificate chain file, followed as one key store.
#[derive(Clone, Debug)]
pub(crate) struct KeyPair {
    pub(crate) key: PathBuf,
    pub(crate) cert: PathBuf,
}

impl KeyPair {
    /// The two files as one PEM key store: the key, then the chain. The certificate file is
    /// read on its own first, so that what is wrong with it is said of it, with its own line
    /// numbers.
    pub(crate) fn read(&self) -> Result<Zeroizing<Vec<u8>>> {
        let read = |path: &Path| {
            std::fs::read(path)
                .map(Zeroizing::new)
                .map_err(|source| Error::Io {
                    path: path.to_path_buf(),
                    source,
                })
        };
        let cert = read(&self.cert)?;
        let origin = Origin::file(&self.cert);
        let chain = KeyStore::loader()
            .store_type(Some(StoreType::Pem))
            .load_from(&cert, origin.clone())?;
        if chain.trust_anchors().is_empty() {
            return Err(Error::malformed(
                &origin,
                "holds no certificate (cert-manager writes the leaf and its chain here)",
            ));
        }
        let mut bytes = read(&self.key)?;
        if !bytes.ends_with(b"\n") {
            bytes.push(b'\n');
        }
        bytes.extend_from_slice(&cert);
        Ok(bytes)
    }

    /// What errors about the pair as one key store are said of: both files.
    pub(crate) fn origin(&self) -> Origin {
        Origin::Bytes(format!(
            "{} with {}",
            self.key.display(),
            self.cert.display()
        ))
    }

    /// `error` said of the two files rather than of the bytes handed in for `section`.
    pub(crate) fn name_files(&self, section: &str, error: Error) -> Error {
        error.relabel(
            &crate::tls::factory::installed(section, "keystore"),
            &self.origin(),
        )
    }
}

/// The files Cassandra watches for a section (the resolved sources' `watched`: file-based
/// stores that exist now), a key pair's two files in place of the key store's.
pub(super) fn watched_paths(node: &Node, role: Role, sources: &Sources) -> Vec<PathBuf> {
    let section = role.options(node.resolved());
    let mut watched: Vec<PathBuf> = Vec::new();
    if let Some(pair) = &sources.key_pair {
        for path in [&pair.key, &pair.cert] {
            if path.is_file() && !watched.contains(path) {
                watched.push(path.clone());
            }
        }
    }
    for (option, path) in section.sources().watched() {
        let replaced = option == "keystore" && sources.key_pair.is_some();
        if !replaced && !watched.iter().any(|p| p == path) {
            watched.push(path.to_path_buf());
        }
    }
    watched
}

/// `installed` with the key store read from a key pair, when one was read.
pub(super) fn with_pair<'a>(
    pair: &'a Option<Zeroizing<Vec<u8>>>,
    installed: Installed<'a>,
) -> Installed<'a> {
    Installed {
        keystore: pair.as_deref().map(Vec::as_slice).or(installed.keystore),
        truststore: installed.truststore,
    }
}

pub(super) fn kept_changing(origin: &Origin, plan: &Plan) -> Error {
    Error::config(
        origin,
        Some(plan.section),
        None,
        format!(
            "the store files kept changing while they were read ({CONSISTENT_LOAD_TRIES} tries): the old material stays until they settle"
        ),
    )
}
