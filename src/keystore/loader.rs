//! [`Loader`]: how a store is loaded (type, passwords, separate certificates), the file read
//! with its size bound, and the context errors are reported in.

use std::fmt;
use std::path::Path;

use super::pbe::DecryptError;
use super::*;
use crate::asn1::DerError;
use crate::error::{Error, Origin, Result};
use crate::password::Password;

/// How to load a store: its type, passwords and, for PEM keys kept apart from their
/// certificates, the certificate file.
#[derive(Clone, Default, PartialEq)]
pub struct Loader {
    store_type: Option<StoreType>,
    store_password: Option<Password>,
    key_password: Option<Password>,
    certificates: Option<(Vec<u8>, Origin)>,
    skip_key_decryption: bool,
}

impl fmt::Debug for Loader {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Loader")
            .field("store_type", &self.store_type)
            .field("store_password", &self.store_password)
            .field("key_password", &self.key_password)
            .field("certificates", &self.certificates.as_ref().map(|c| &c.1))
            .field("skip_key_decryption", &self.skip_key_decryption)
            .finish()
    }
}

impl Loader {
    /// The type the caller expects. Loading still follows the bytes; a difference becomes a
    /// [`Warning::StoreTypeMismatch`]. `None` (the default) detects silently.
    pub fn store_type(mut self, store_type: Option<StoreType>) -> Self {
        self.store_type = store_type;
        self
    }

    /// The store password (`keystore_password`, `truststore_password`). Without one, JKS and
    /// JCEKS load without their integrity check, as Java does for truststores.
    pub fn store_password(mut self, password: impl Into<Password>) -> Self {
        self.store_password = Some(password.into());
        self
    }

    /// Sets or clears the store password.
    pub fn store_password_opt(mut self, password: Option<Password>) -> Self {
        self.store_password = password;
        self
    }

    /// The key password, when it differs from the store password (keytool's `-keypass`; for
    /// PEM, `private_key_password`). Defaults to the store password.
    pub fn key_password(mut self, password: impl Into<Password>) -> Self {
        self.key_password = Some(password.into());
        self
    }

    /// Sets or clears the key password.
    pub fn key_password_opt(mut self, password: Option<Password>) -> Self {
        self.key_password = password;
        self
    }

    /// PEM certificates for a PEM key file that holds no certificate (the two-file layout
    /// drivers use).
    pub fn certificates_pem(mut self, pem: impl Into<Vec<u8>>) -> Self {
        self.certificates = Some((pem.into(), Origin::Bytes("<certificates>".into())));
        self
    }

    /// Reads PEM certificates from a file, as [`Loader::certificates_pem`].
    pub fn certificates_file(mut self, path: impl AsRef<Path>) -> Result<Self> {
        let bytes = read_file(path.as_ref())?;
        self.certificates = Some((bytes, Origin::file(path)));
        Ok(self)
    }

    /// Leaves private keys encrypted: for a store used only as a truststore, whose keys may
    /// have passwords of their own. Key entries then have no [`PrivateKeyEntry::key`].
    pub fn skip_key_decryption(mut self, skip: bool) -> Self {
        self.skip_key_decryption = skip;
        self
    }

    /// Loads a store from bytes.
    pub fn load(&self, bytes: &[u8]) -> Result<KeyStore> {
        self.load_from(bytes, Origin::bytes())
    }

    /// Loads a store from a file.
    pub fn load_file(&self, path: impl AsRef<Path>) -> Result<KeyStore> {
        let path = path.as_ref();
        let bytes = Zeroizing::new(read_file(path)?);
        self.load_from(&bytes, Origin::file(path))
    }

    /// Loads a store from bytes, naming their origin in errors.
    pub fn load_from(&self, bytes: &[u8], origin: Origin) -> Result<KeyStore> {
        let detected = sniff::detect(bytes).ok_or_else(|| {
            if bytes.is_empty() {
                Error::malformed(&origin, "the file is empty")
            } else {
                Error::unsupported(
                    &origin,
                    "an unrecognised store format",
                    "JKS, JCEKS, PKCS#12 and PEM",
                )
            }
        })?;
        let ctx = LoadContext {
            origin: &origin,
            store_password: self.store_password.as_ref(),
            key_password: if self.skip_key_decryption {
                None
            } else {
                self.key_password.as_ref().or(self.store_password.as_ref())
            },
        };
        let mut warnings = Vec::new();
        if let Some(configured) = self.store_type
            && configured != detected
        {
            warnings.push(Warning::StoreTypeMismatch {
                configured,
                detected,
            });
        }
        let entries = match detected {
            StoreType::Jks | StoreType::Jceks => jks::load(bytes, &ctx, detected)?,
            StoreType::Pkcs12 => {
                pkcs12::load(bytes, &ctx, self.skip_key_decryption, &mut warnings)?
            }
            StoreType::Pem => {
                let certs = self.certificates.as_ref().map(|(b, o)| (b.as_slice(), o));
                pem::load(bytes, certs, &ctx, &mut warnings)?
            }
        };
        Ok(KeyStore {
            store_type: detected,
            entries,
            warnings,
            origin,
        })
    }
}

fn read_file(path: &Path) -> Result<Vec<u8>> {
    use std::io::Read;
    let io = |source| Error::Io {
        path: path.to_path_buf(),
        source,
    };
    let file = std::fs::File::open(path).map_err(io)?;
    let meta = file.metadata().map_err(io)?;
    if meta.is_dir() {
        return Err(io(std::io::Error::other("is a directory")));
    }
    if meta.len() > MAX_STORE_SIZE {
        return Err(Error::malformed(
            &Origin::file(path),
            format!(
                "{} bytes is larger than any key store ({} MiB at most)",
                meta.len(),
                MAX_STORE_SIZE >> 20
            ),
        ));
    }
    let mut buf = Vec::with_capacity(meta.len() as usize);
    file.take(MAX_STORE_SIZE + 1)
        .read_to_end(&mut buf)
        .map_err(io)?;
    Ok(buf)
}

/// What every format reader needs: where the bytes came from, and the passwords.
pub(crate) struct LoadContext<'a> {
    pub(crate) origin: &'a Origin,
    pub(crate) store_password: Option<&'a Password>,
    pub(crate) key_password: Option<&'a Password>,
}

impl LoadContext<'_> {
    pub(crate) fn key_password(&self) -> Option<&Password> {
        self.key_password
    }

    pub(crate) fn malformed(&self, what: impl Into<String>) -> Error {
        Error::malformed(self.origin, what)
    }

    pub(crate) fn unsupported(
        &self,
        what: impl Into<String>,
        supported: impl Into<String>,
    ) -> Error {
        Error::unsupported(self.origin, what, supported)
    }

    pub(crate) fn tampered(&self, detail: impl Into<String>) -> Error {
        Error::tampered(self.origin, detail)
    }

    pub(crate) fn decrypt_error(&self, e: DecryptError, alias: Option<&str>) -> Error {
        match e {
            DecryptError::WrongPassword => Error::wrong_key_password(self.origin, alias),
            DecryptError::Malformed(what) => {
                self.malformed(format!("{}: {what}", entry_name(alias)))
            }
            DecryptError::Unsupported(what) => Error::Unsupported {
                origin: self.origin.clone(),
                what: format!("{}: {what}", entry_name(alias)),
                supported: "see the message".into(),
            },
        }
    }

    pub(crate) fn cert_error(&self, e: DerError, alias: Option<&str>) -> Error {
        if e.0 == cert::EXPLICIT_EC_PARAMS {
            self.unsupported(
                format!("certificate of {}: {}", entry_name(alias), e.0),
                "EC keys on named curves",
            )
        } else {
            self.malformed(format!("certificate of {}: {}", entry_name(alias), e.0))
        }
    }

    pub(crate) fn certificate(&self, der: Vec<u8>, alias: Option<&str>) -> Result<Certificate> {
        Certificate::from_der(der).map_err(|e| self.cert_error(e, alias))
    }

    /// A decrypted PKCS#8 key. A structure that does not parse after a decryption that has no
    /// integrity check of its own is the mark of a wrong password.
    pub(crate) fn pkcs8_key(
        &self,
        plain: Zeroizing<Vec<u8>>,
        alias: Option<&str>,
    ) -> Result<PrivateKey> {
        self.parse_key(plain, KeyEncoding::Pkcs8, alias, true)
    }

    pub(crate) fn parse_key(
        &self,
        der: Zeroizing<Vec<u8>>,
        encoding: KeyEncoding,
        alias: Option<&str>,
        was_encrypted: bool,
    ) -> Result<PrivateKey> {
        PrivateKey::parse(der, encoding).map_err(|e| {
            if e.0 == cert::EXPLICIT_EC_PARAMS {
                self.unsupported(
                    format!("{}: {}", entry_name(alias), e.0),
                    "EC keys on named curves",
                )
            } else if was_encrypted {
                Error::WrongKeyPassword {
                    origin: self.origin.clone(),
                    alias: alias.map(str::to_owned),
                    hint: Some(
                        "or the key is corrupt: it decrypts to something that is not a key".into(),
                    ),
                }
            } else {
                self.malformed(format!("{}: {}", entry_name(alias), e.0))
            }
        })
    }
}

fn entry_name(alias: Option<&str>) -> String {
    match alias {
        Some(a) => format!("entry '{a}'"),
        None => "the private key".into(),
    }
}
