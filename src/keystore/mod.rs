//! Key stores and trust stores as Cassandra reads them: JKS, JCEKS, PKCS#12 and PEM.
//!
//! ```
//! use cassandra_tls::keystore::KeyStore;
//!
//! let store = KeyStore::loader()
//!     .store_password("cassandra")
//!     .load_file("fixtures/stores/node1.jks")?;
//! for entry in store.entries() {
//!     println!("{:?} {}", entry.alias(), entry.kind());
//! }
//! # Ok::<(), cassandra_tls::Error>(())
//! ```
//!
//! The store type is detected from the bytes, never from the file name (Cassandra's own test
//! fixtures include `.jks` files that are PKCS#12). A configured type that differs from the
//! detected one is reported in [`KeyStore::warnings`], not refused: the JDK 17 that Cassandra runs
//! on loads PKCS#12 as JKS and the reverse.

mod cert;
pub(crate) use cert::java_dn_der;
mod javaser;
mod jks;
mod key;
mod loader;
mod md5x2;
pub(crate) mod pbe;
mod pem;
mod pkcs12;
mod sniff;

use std::fmt;

use zeroize::Zeroizing;

pub use cert::{Certificate, CertificateInfo};
pub(crate) use key::SigningKeyError;
pub use key::{KeyAlgorithm, KeyEncoding, PrivateKey};
pub(crate) use loader::LoadContext;
pub use loader::Loader;

use crate::error::{Error, Origin, Result};

/// The largest store file this crate reads (64 MiB). Real stores are kilobytes; the bound keeps
/// a wrong path (a disk image, a log) from being read into memory.
pub const MAX_STORE_SIZE: u64 = 64 << 20;

/// The kinds of store Cassandra accepts.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum StoreType {
    /// The JDK's JKS (magic `FEEDFEED`).
    Jks,
    /// The JDK's JCEKS (magic `CECECECE`).
    Jceks,
    /// PKCS#12 (a DER `PFX` structure).
    Pkcs12,
    /// PEM text: private keys and certificates.
    Pem,
}

impl StoreType {
    /// The store type the bytes are, or `None` when they are none of the four: JKS and JCEKS
    /// by their magic numbers; PKCS#12 by its DER `PFX` header (a SEQUENCE whose first element
    /// is INTEGER 3); PEM by a `-----BEGIN ` line among the first 64 KiB of text. Never from a
    /// file name (Cassandra's own fixtures include `.jks` files that are PKCS#12).
    pub fn sniff(bytes: &[u8]) -> Option<StoreType> {
        sniff::detect(bytes)
    }

    /// The lowercase name used in JSON output: `jks`, `jceks`, `pkcs12`, `pem`.
    pub fn name(self) -> &'static str {
        match self {
            StoreType::Jks => "jks",
            StoreType::Jceks => "jceks",
            StoreType::Pkcs12 => "pkcs12",
            StoreType::Pem => "pem",
        }
    }

    /// Parses a store type as `cassandra.yaml`'s `store_type` or keytool's `-storetype` spell
    /// it, ignoring case: `JKS`, `JCEKS`, `PKCS12` (or `PKCS#12`, `P12`), `PEM`.
    pub fn from_name(name: &str) -> Option<Self> {
        match name.trim().to_ascii_lowercase().as_str() {
            "jks" | "casexactjks" => Some(StoreType::Jks),
            "jceks" => Some(StoreType::Jceks),
            "pkcs12" | "pkcs#12" | "p12" | "pfx" => Some(StoreType::Pkcs12),
            "pem" => Some(StoreType::Pem),
            _ => None,
        }
    }

    /// Whether the JDK's `KeyStore` of this type reads a file that is `file`, with the JDK's
    /// default `keystore.type.compat=true`: a JKS or PKCS12 key store reads both JKS and PKCS#12
    /// files, a JCEKS key store reads JCEKS and JKS. Cassandra fails to start on any other
    /// mismatch (`Invalid keystore format`).
    pub fn java_reads(self, file: StoreType) -> bool {
        self == file
            || matches!(
                (self, file),
                (StoreType::Jks, StoreType::Pkcs12)
                    | (StoreType::Pkcs12, StoreType::Jks)
                    | (StoreType::Jceks, StoreType::Jks)
            )
    }
}

impl fmt::Display for StoreType {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.name())
    }
}

/// Something worth telling the user that did not stop the load.
#[derive(Clone, Debug, PartialEq, Eq)]
#[non_exhaustive]
pub enum Warning {
    /// The configured store type is not what the bytes are.
    StoreTypeMismatch {
        /// The type the caller named.
        configured: StoreType,
        /// The type the bytes are.
        detected: StoreType,
    },
    /// A PEM section that is neither a key nor a certificate was skipped.
    IgnoredPemSection {
        /// Its label, such as `X509 CRL`.
        label: String,
    },
    /// PKCS#12 certificates that belong to no key and lack Oracle's trust attribute. They are
    /// listed as trusted certificates here, but the JDK (and so Cassandra) ignores them: a
    /// truststore made with `openssl pkcs12 -nokeys` is empty to Java.
    CertificatesWithoutJavaTrust {
        /// How many.
        count: usize,
    },
    /// A PKCS#12 key did not open with the key password given but did with the store password
    /// (PKCS#12 tools protect everything with one password).
    KeyPasswordIgnored,
    /// A PEM key this crate reads but Cassandra's `PEMBasedSslContextFactory` (its `PEMReader`)
    /// does not: PKCS#1, SEC1 or traditional-encryption keys, PBES2 encryption on JDK 17, or an
    /// unencrypted key given with a password.
    NotReadByCassandra {
        /// Why, and how to convert the key.
        reason: String,
    },
}

impl fmt::Display for Warning {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Warning::StoreTypeMismatch {
                configured,
                detected,
            } => write!(
                f,
                "store type is configured as {configured} but the file is {detected}"
            ),
            Warning::NotReadByCassandra { reason } => {
                write!(f, "Cassandra's PEM factory cannot read this key: {reason}")
            }
            Warning::IgnoredPemSection { label } => {
                write!(f, "ignored a PEM section labelled '{label}'")
            }
            Warning::CertificatesWithoutJavaTrust { count } => write!(
                f,
                "{count} PKCS#12 certificate(s) lack Oracle's trust attribute: Java, and so Cassandra, ignores them"
            ),
            Warning::KeyPasswordIgnored => f.write_str(
                "the PKCS#12 key opened with the store password, not with the key password given",
            ),
        }
    }
}

/// What kind of entry this is.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum EntryKind {
    /// A private key with its certificate chain.
    PrivateKey,
    /// A trusted certificate.
    TrustedCert,
    /// A secret (symmetric) key, as JCEKS and PKCS#12 can hold.
    SecretKey,
}

impl EntryKind {
    /// `private_key`, `trusted_cert` or `secret_key`.
    pub fn name(self) -> &'static str {
        match self {
            EntryKind::PrivateKey => "private_key",
            EntryKind::TrustedCert => "trusted_cert",
            EntryKind::SecretKey => "secret_key",
        }
    }
}

impl fmt::Display for EntryKind {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.name())
    }
}

/// One entry of a store.
#[derive(Clone, Debug)]
pub enum Entry {
    /// A private key and its chain.
    PrivateKey(PrivateKeyEntry),
    /// A trusted certificate.
    TrustedCert(TrustedCertEntry),
    /// A secret key: listed, never exposed.
    SecretKey(SecretKeyEntry),
}

impl Entry {
    /// The alias; `None` for PEM, which has no aliases.
    pub fn alias(&self) -> Option<&str> {
        match self {
            Entry::PrivateKey(e) => e.alias.as_deref(),
            Entry::TrustedCert(e) => e.alias.as_deref(),
            Entry::SecretKey(e) => e.alias.as_deref(),
        }
    }

    /// The entry's kind.
    pub fn kind(&self) -> EntryKind {
        match self {
            Entry::PrivateKey(_) => EntryKind::PrivateKey,
            Entry::TrustedCert(_) => EntryKind::TrustedCert,
            Entry::SecretKey(_) => EntryKind::SecretKey,
        }
    }

    /// The certificates of the entry: the chain (leaf first) of a key, the one certificate of a
    /// trusted entry, nothing for a secret key.
    pub fn certificates(&self) -> &[Certificate] {
        match self {
            Entry::PrivateKey(e) => &e.chain,
            Entry::TrustedCert(e) => std::slice::from_ref(&e.cert),
            Entry::SecretKey(_) => &[],
        }
    }
}

/// The error for a key that is not its leaf certificate's.
pub(crate) fn mismatch(origin: &Origin, alias: Option<String>, leaf: &Certificate) -> Error {
    Error::KeyCertMismatch {
        origin: origin.clone(),
        alias,
        subject: leaf
            .info()
            .map(|i| i.subject)
            .unwrap_or_else(|_| "unparsable certificate".into()),
    }
}

/// A private key and its certificate chain.
#[derive(Clone, Debug)]
pub struct PrivateKeyEntry {
    alias: Option<String>,
    key: Option<PrivateKey>,
    chain: Vec<Certificate>,
}

impl PrivateKeyEntry {
    /// Checks what loading can check cheaply of the key against its leaf certificate:
    /// algorithm and curve, the RSA modulus and exponent, an EC point stored with the key.
    /// Keys that carry no public key (EC keys written by the JDK, Ed25519) are checked where
    /// their signing key is built ([`crate::tls`] configs) or by [`KeyStore::check_keys`].
    fn checked(
        alias: Option<String>,
        key: Option<PrivateKey>,
        chain: Vec<Certificate>,
        ctx: &LoadContext<'_>,
    ) -> Result<Entry> {
        if let (Some(k), Some(leaf)) = (&key, chain.first()) {
            let spki = leaf
                .spki()
                .map_err(|e| ctx.cert_error(e, alias.as_deref()))?;
            if k.cheap_match(&spki) == Some(false) {
                return Err(mismatch(ctx.origin, alias, leaf));
            }
        }
        Ok(Entry::PrivateKey(PrivateKeyEntry { alias, key, chain }))
    }

    /// Whether the key belongs to the leaf certificate, deriving the public key when the key
    /// does not carry it. `None` when there is no decrypted key or no certificate, or the
    /// crate cannot tell (DSA in PKCS#8, a curve the crypto provider cannot load).
    pub fn key_matches_certificate(&self) -> Option<bool> {
        let (key, leaf) = (self.key.as_ref()?, self.chain.first()?);
        match leaf.spki() {
            Ok(spki) => key.matches(&spki),
            Err(_) => Some(false),
        }
    }

    /// The alias; `None` for PEM.
    pub fn alias(&self) -> Option<&str> {
        self.alias.as_deref()
    }

    /// The decrypted key; `None` when the store was loaded without any password (as Java
    /// loads truststores) or with key decryption turned off.
    pub fn key(&self) -> Option<&PrivateKey> {
        self.key.as_ref()
    }

    /// The certificate chain, leaf first. Empty for a PEM key with no certificate.
    pub fn chain(&self) -> &[Certificate] {
        &self.chain
    }

    /// The key's algorithm: from the key when decrypted, else from the leaf certificate.
    pub fn key_algorithm(&self) -> Option<KeyAlgorithm> {
        if let Some(k) = &self.key {
            return Some(k.algorithm().clone());
        }
        let leaf = self.chain.first()?;
        let spki = leaf.spki().ok()?;
        Some(KeyAlgorithm::from_oid(spki.algorithm, spki.curve))
    }
}

/// A trusted certificate.
#[derive(Clone, Debug)]
pub struct TrustedCertEntry {
    alias: Option<String>,
    cert: Certificate,
}

impl TrustedCertEntry {
    /// The alias; `None` for PEM.
    pub fn alias(&self) -> Option<&str> {
        self.alias.as_deref()
    }

    /// The certificate.
    pub fn certificate(&self) -> &Certificate {
        &self.cert
    }
}

/// A secret key entry. Its key material is never read into memory longer than it takes to
/// learn its algorithm, and never exposed.
#[derive(Clone, Debug)]
pub struct SecretKeyEntry {
    alias: Option<String>,
    algorithm: Option<String>,
}

impl SecretKeyEntry {
    /// The alias.
    pub fn alias(&self) -> Option<&str> {
        self.alias.as_deref()
    }

    /// The key's algorithm (`AES`, `DESede`, ...), when the key password opens the entry.
    pub fn algorithm(&self) -> Option<&str> {
        self.algorithm.as_deref()
    }
}

/// A loaded store.
#[derive(Clone, Debug)]
pub struct KeyStore {
    store_type: StoreType,
    entries: Vec<Entry>,
    warnings: Vec<Warning>,
    origin: Origin,
}

impl KeyStore {
    /// A [`Loader`] with defaults: detect the type, no passwords.
    pub fn loader() -> Loader {
        Loader::default()
    }

    /// The type the bytes are.
    pub fn store_type(&self) -> StoreType {
        self.store_type
    }

    /// The configured type and the file's type when the JDK's key store of the configured type
    /// could not read this file ([`StoreType::java_reads`]); `None` when it could (or no type
    /// was named).
    pub fn java_type_mismatch(&self) -> Option<(StoreType, StoreType)> {
        self.warnings.iter().find_map(|w| match w {
            Warning::StoreTypeMismatch {
                configured,
                detected,
            } if !configured.java_reads(*detected) => Some((*configured, *detected)),
            _ => None,
        })
    }

    /// The entries: sorted by alias for JKS, JCEKS and PKCS#12; in file order for PEM (the key
    /// first, then trusted certificates).
    pub fn entries(&self) -> &[Entry] {
        &self.entries
    }

    /// What the load noticed but did not refuse.
    pub fn warnings(&self) -> &[Warning] {
        &self.warnings
    }

    /// Where the store came from.
    pub fn origin(&self) -> &Origin {
        &self.origin
    }

    /// The entry with this alias (compared ignoring ASCII case, as Java's stores do).
    pub fn entry(&self, alias: &str) -> Option<&Entry> {
        self.entries
            .iter()
            .find(|e| e.alias().is_some_and(|a| a.eq_ignore_ascii_case(alias)))
    }

    /// Checks that every decrypted key belongs to its leaf certificate, deriving the public key
    /// of keys stored without it (EC keys written by the JDK, Ed25519): the part of the check
    /// that loading leaves to whoever builds the signing key, since it costs a scalar
    /// multiplication. Building a TLS config from the store checks the same; `inspect` and
    /// `doctor` call this.
    pub fn check_keys(&self) -> Result<()> {
        for entry in self.private_keys() {
            if entry.key_matches_certificate() == Some(false) {
                let leaf = &entry.chain[0];
                return Err(mismatch(&self.origin, entry.alias.clone(), leaf));
            }
        }
        Ok(())
    }

    /// The private-key entries.
    pub fn private_keys(&self) -> impl Iterator<Item = &PrivateKeyEntry> {
        self.entries.iter().filter_map(|e| match e {
            Entry::PrivateKey(k) => Some(k),
            _ => None,
        })
    }

    /// The certificates this store trusts when used as a truststore, following Java's
    /// `TrustManagerFactory`: every trusted-certificate entry, plus the leaf certificate of every
    /// private-key entry. Duplicates are removed; the order is the entries' order.
    pub fn trust_anchors(&self) -> Vec<Certificate> {
        let mut out: Vec<Certificate> = Vec::new();
        for e in &self.entries {
            let cert = match e {
                Entry::TrustedCert(t) => Some(&t.cert),
                Entry::PrivateKey(k) => k.chain.first(),
                Entry::SecretKey(_) => None,
            };
            if let Some(c) = cert
                && !out.contains(c)
            {
                out.push(c.clone());
            }
        }
        out
    }
}
