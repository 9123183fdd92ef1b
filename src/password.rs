//! [`Password`]: a store or key password that is zeroized on drop and never printed.

use std::fmt;

use zeroize::{Zeroize, Zeroizing};

/// A store or key password.
///
/// The text is wiped from memory when the value is dropped, and `Debug` prints `***`. There is
/// deliberately no `Display`. The derived encodings the key-store formats need (UTF-16BE for
/// JKS, ASCII for JCEKS's PBE, UTF-8 for PKCS#12's PBES2) are produced into zeroizing buffers.
#[derive(Clone, PartialEq, Eq, Default)]
pub struct Password(Zeroizing<String>);

impl Password {
    /// Wraps a password. An empty string is a real (empty) password, distinct from "no password".
    pub fn new(text: impl Into<String>) -> Self {
        Password(Zeroizing::new(text.into()))
    }

    /// The first line of a password file (empty for an empty file), as Cassandra's
    /// `*_password_file` options, Kubernetes Secret keys and `--secret-password-file` are read.
    /// The file's text is wiped once the line is taken.
    /// At most 64 KiB is read (a pipe or device named as the file cannot hang or fill memory);
    /// a longer file is refused.
    pub fn from_file_first_line(path: &std::path::Path) -> std::io::Result<Self> {
        use std::io::Read;
        const MAX: u64 = 64 * 1024;
        // Sized up front so that reading never reallocates (a grown buffer leaves an unwiped copy).
        let mut bytes = Zeroizing::new(Vec::with_capacity(MAX as usize + 2));
        std::fs::File::open(path)?
            .take(MAX + 1)
            .read_to_end(&mut bytes)?;
        if bytes.len() as u64 > MAX {
            return Err(std::io::Error::other(
                "a password file holds at most 64 KiB; this one is longer",
            ));
        }
        let text = std::str::from_utf8(&bytes)
            .map_err(|_| std::io::Error::new(std::io::ErrorKind::InvalidData, "not UTF-8 text"))?;
        Ok(Password::new(text.lines().next().unwrap_or("")))
    }

    /// The password as text. Handle the result with care: do not log or print it.
    pub fn expose(&self) -> &str {
        &self.0
    }

    /// Whether the password is the empty string.
    pub fn is_empty(&self) -> bool {
        self.0.is_empty()
    }

    /// The password as Java's `char[]` written high byte first (UTF-16BE), as the JKS and JCEKS
    /// integrity digest and Sun's key protector consume it.
    pub(crate) fn utf16be(&self) -> Zeroizing<Vec<u8>> {
        // Room for PKCS#12's two-byte terminator too: a buffer that grows leaves an unwiped
        // copy behind.
        let mut out = Zeroizing::new(Vec::with_capacity(self.0.len() * 2 + 2));
        for unit in self.0.encode_utf16() {
            out.extend_from_slice(&unit.to_be_bytes());
        }
        out
    }

    /// The password's bytes, if it is ASCII: the JDK's `PBEKey` (JCEKS key protection) refuses
    /// anything else.
    pub(crate) fn ascii(&self) -> Option<&[u8]> {
        self.0.is_ascii().then(|| self.0.as_bytes())
    }
}

impl From<&str> for Password {
    fn from(s: &str) -> Self {
        Password::new(s)
    }
}

impl From<String> for Password {
    fn from(s: String) -> Self {
        Password::new(s)
    }
}

impl From<&String> for Password {
    fn from(s: &String) -> Self {
        Password::new(s.as_str())
    }
}

impl fmt::Debug for Password {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("***")
    }
}

impl Zeroize for Password {
    fn zeroize(&mut self) {
        self.0.zeroize();
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn debug_never_shows_the_text() {
        let p = Password::new("hunter2");
        assert_eq!(format!("{p:?}"), "***");
        assert!(!format!("{:?}", Some(p)).contains("hunter2"));
    }

    #[test]
    fn utf16be_matches_java_char_order() {
        // Java writes each char high byte first; U+10DA is 0x10 0xDA.
        let p = Password::new("a\u{10DA}");
        assert_eq!(&p.utf16be()[..], &[0x00, 0x61, 0x10, 0xDA]);
        assert!(p.ascii().is_none());
    }
}
