//! What a reload did: [`Outcome`].

use std::fmt;
use std::path::PathBuf;

use crate::error::Error;
use crate::tls::TlsWarning;

/// What a check or an install did. A failed reload changes nothing and says so only here:
/// look at it.
#[derive(Debug)]
#[non_exhaustive]
#[must_use = "a failed reload keeps the old material and says why only in the Outcome"]
pub enum Outcome {
    /// No watched file changed: nothing was loaded.
    Unchanged,
    /// New material was validated and is now used by new handshakes.
    Reloaded {
        /// The watched files found changed (another file, a new inode or symlink target, a new
        /// size or modification time); empty when forced or installed.
        changed: Vec<PathBuf>,
        /// Warnings about the new material.
        warnings: Vec<TlsWarning>,
    },
    /// New material failed validation; the old material is still in use.
    Failed {
        /// The watched files found changed; empty when forced or installed.
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
