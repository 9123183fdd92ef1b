//! Each store file read and decrypted once per node ([`StoreCache`]), unless it changes.

use std::path::{Path, PathBuf};
use std::sync::Mutex;
use std::time::SystemTime;

use crate::error::Result;
use crate::keystore::{KeyStore, Loader};

/// What is seen of a file to tell whether it changed: its modification time (Cassandra's only
/// test), its size, and the file the path leads to. Kubernetes updates a mounted Secret by
/// writing a new timestamped directory and renaming the `..data` symlink over the old one; the
/// visible names are symlinks through `..data`, so a rotation shows as a new target (and a new
/// inode) even when the times and sizes agree. The store cache and the reloader both use it.
#[derive(Clone, Debug, PartialEq, Eq)]
pub(crate) struct FileStamp {
    modified: Option<SystemTime>,
    len: u64,
    target: Option<PathBuf>,
    #[cfg(unix)]
    inode: (u64, u64),
}

impl FileStamp {
    /// What is seen of `path` now; `None` when it is missing or unreadable (as Java's
    /// `lastModified() == 0`).
    pub(crate) fn of(path: &Path) -> Option<FileStamp> {
        let meta = std::fs::metadata(path).ok()?;
        #[cfg(unix)]
        let inode = {
            use std::os::unix::fs::MetadataExt;
            (meta.dev(), meta.ino())
        };
        Some(FileStamp {
            modified: meta.modified().ok(),
            len: meta.len(),
            target: std::fs::canonicalize(path).ok(),
            #[cfg(unix)]
            inode,
        })
    }
}

/// What identifies one load: the file (as [`FileStamp`] sees it, so a changed file is read
/// again) and everything the loader was told (type, passwords, key decryption).
struct Stamp {
    path: PathBuf,
    file: FileStamp,
    loader: Loader,
}

fn stamp(path: &Path, loader: &Loader) -> Option<Stamp> {
    Some(Stamp {
        path: path.to_path_buf(),
        file: FileStamp::of(path)?,
        loader: loader.clone(),
    })
}

impl Stamp {
    fn same(&self, other: &Stamp) -> bool {
        self.path == other.path && self.file == other.file && self.loader == other.loader
    }
}

/// The stores one node's files gave, by file and load parameters. Errors are kept too, so a
/// failing store is reported the same way by every reader without being read again. Hot
/// reload does not use it: it reads what the file holds at each check.
#[derive(Default)]
pub(crate) struct StoreCache {
    loads: Mutex<Vec<(Stamp, Result<KeyStore>)>>,
}

impl std::fmt::Debug for StoreCache {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        let n = self.loads.lock().map(|l| l.len()).unwrap_or(0);
        f.debug_struct("StoreCache").field("loads", &n).finish()
    }
}

impl StoreCache {
    /// `loader.load_file(path)`, or what an earlier identical load of the unchanged file gave.
    pub(crate) fn load_file(&self, loader: &Loader, path: &Path) -> Result<KeyStore> {
        let Some(key) = stamp(path, loader) else {
            // Missing or unreadable: let the loader say why.
            return loader.load_file(path);
        };
        let mut loads = self
            .loads
            .lock()
            .unwrap_or_else(std::sync::PoisonError::into_inner);
        if let Some((_, done)) = loads.iter().find(|(k, _)| k.same(&key)) {
            return match done {
                Ok(store) => Ok(store.clone()),
                Err(e) => Err(e.duplicate()),
            };
        }
        let result = loader.load_file(path);
        let kept = match &result {
            Ok(store) => Ok(store.clone()),
            Err(e) => Err(e.duplicate()),
        };
        loads.push((key, kept));
        result
    }
}

/// Loads through `cache` when there is one, else straight from the file.
pub(crate) fn load_file(
    cache: Option<&StoreCache>,
    loader: &Loader,
    path: &Path,
) -> Result<KeyStore> {
    match cache {
        Some(c) => c.load_file(loader, path),
        None => loader.load_file(path),
    }
}
