//! `cassandra-tls export` and `cassandra-tls convert`: what operators do with
//! `keytool -importkeystore` and `openssl pkcs12`, in one step that checks its own result.
//!
//! - `export`: a key entry of any store to a PEM key file and a PEM chain file (cqlsh's
//!   `userkey`/`usercert`, the Python and Go drivers).
//! - `convert`: a store (or a PEM key with `--certs`) to PKCS#12 (JDK 17 or legacy), JKS or
//!   Cassandra's PEM key store.
//!
//! Secrets go to files written 0600, never to the terminal; generated passwords come from the
//! OS random generator and go to `--password-out`.

use std::io::Write;
use std::path::{Path, PathBuf};
use std::process::ExitCode;

use cassandra_tls::keystore::{Certificate, Entry, KeyStore, PrivateKeyEntry};
use cassandra_tls::pki::Identity;
use cassandra_tls::pki::write::{self, PemEncryption, Pkcs12Profile, StoreEntry};
use cassandra_tls::{Error, Origin, Password};
use clap::{Args as ClapArgs, ValueEnum};

use crate::inspect::{StoreArgs, password_file};

/// Arguments of `export`.
#[derive(ClapArgs)]
pub struct ExportArgs {
    #[command(flatten)]
    store: StoreArgs,
    /// The key entry to export (default: the store's only key entry).
    #[arg(long)]
    alias: Option<String>,
    /// Where the private key goes: PEM PKCS#8, written 0600.
    #[arg(long)]
    key_out: PathBuf,
    /// Where the certificate chain goes: PEM, leaf first.
    #[arg(long)]
    chain_out: PathBuf,
    #[command(flatten)]
    password: OutPassword,
}

/// The password of what is written.
#[derive(ClapArgs)]
pub struct OutPassword {
    /// The password that protects the output (for export: encrypts the key; none by default,
    /// which cqlsh's userkey needs).
    #[arg(long, conflicts_with_all = ["out_password_file", "generate_password"])]
    out_password: Option<String>,
    /// A file whose first line is the output password.
    #[arg(long, conflicts_with = "generate_password")]
    out_password_file: Option<PathBuf>,
    /// Generate the output password (OS random generator) and write it to --password-out.
    #[arg(long, requires = "password_out")]
    generate_password: bool,
    /// Where a generated password is written (0600).
    #[arg(long)]
    password_out: Option<PathBuf>,
}

#[derive(Clone, Copy, ValueEnum)]
pub enum ToArg {
    /// PKCS#12 as JDK 17 writes it (PBES2 AES-256, HMAC-SHA256).
    Pkcs12,
    /// PKCS#12 with the legacy algorithms (3DES, RC2, SHA-1 MAC): JDK 8 and OpenSSL 1.x.
    Pkcs12Legacy,
    /// JKS.
    Jks,
    /// Cassandra's PEM key store (key and chain in one file), or a certificate bundle.
    Pem,
}

/// Arguments of `convert`.
#[derive(ClapArgs)]
pub struct ConvertArgs {
    #[command(flatten)]
    store: StoreArgs,
    /// What to write.
    #[arg(long, value_enum)]
    to: ToArg,
    /// The file to write (0600).
    #[arg(long)]
    out: PathBuf,
    /// Only this key entry (default: every key entry); trusted certificates are always copied.
    #[arg(long)]
    alias: Option<String>,
    #[command(flatten)]
    password: OutPassword,
}

fn bad(what: impl Into<String>) -> Error {
    Error::Config {
        origin: Origin::Bytes("<convert>".into()),
        section: None,
        key: None,
        message: what.into(),
    }
}

/// Writes `bytes` to `path`, readable by the owner only.
pub fn write_secret(path: &Path, bytes: &[u8]) -> Result<(), Error> {
    let io = |source| Error::Io {
        path: path.to_path_buf(),
        source,
    };
    let mut options = std::fs::OpenOptions::new();
    options.write(true).create(true).truncate(true);
    #[cfg(unix)]
    {
        use std::os::unix::fs::OpenOptionsExt;
        options.mode(0o600);
    }
    let mut f = options.open(path).map_err(io)?;
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt;
        f.set_permissions(std::fs::Permissions::from_mode(0o600))
            .map_err(io)?;
    }
    f.write_all(bytes).map_err(io)?;
    f.sync_all().map_err(io)
}

/// A password of 24 letters and digits from the OS random generator (printable ASCII, as
/// the JDK's PBE keys require).
pub fn generate_password() -> Result<Password, Error> {
    const ALPHABET: &[u8] = b"ABCDEFGHJKLMNPQRSTUVWXYZabcdefghijkmnopqrstuvwxyz23456789";
    let provider = cassandra_tls::provider::default_provider();
    let mut out = String::with_capacity(24);
    while out.len() < 24 {
        let mut b = [0u8; 32];
        provider
            .secure_random
            .fill(&mut b)
            .map_err(|_| bad("the OS random generator failed"))?;
        // Rejection sampling keeps every character equally likely.
        for x in b {
            let limit = 256 - 256 % ALPHABET.len();
            if (x as usize) < limit && out.len() < 24 {
                out.push(ALPHABET[x as usize % ALPHABET.len()] as char);
            }
        }
    }
    Ok(Password::new(out))
}

impl OutPassword {
    /// The output password: given, read, generated (and written to --password-out), or none.
    fn resolve(&self) -> Result<Option<Password>, Error> {
        if let Some(p) = &self.out_password {
            return Ok(Some(Password::new(p.as_str())));
        }
        if let Some(f) = &self.out_password_file {
            return Ok(Some(password_file(f)?));
        }
        if self.generate_password {
            let p = generate_password()?;
            let out = self
                .password_out
                .as_ref()
                .ok_or_else(|| bad("--generate-password needs --password-out"))?;
            write_secret(out, format!("{}\n", p.expose()).as_bytes())?;
            return Ok(Some(p));
        }
        Ok(None)
    }
}

fn identity(entry: &PrivateKeyEntry) -> Result<Identity, Error> {
    let key = entry.key().ok_or_else(|| {
        bad(format!(
            "the key {} is not decrypted: give its password (--keypass, or --storepass when they are the same)",
            entry.alias().unwrap_or("(PEM)")
        ))
    })?;
    let pkcs8 = key.to_pkcs8().ok_or_else(|| {
        bad("this key cannot be written as PKCS#8 (a DSA key in OpenSSL's traditional form)")
    })?;
    if entry.chain().is_empty() {
        return Err(bad(
            "the key has no certificate: give its chain with --certs",
        ));
    }
    Identity::from_parts(entry.chain().to_vec(), pkcs8)
}

fn keys<'a>(store: &'a KeyStore, alias: Option<&str>) -> Vec<&'a PrivateKeyEntry> {
    store
        .private_keys()
        .filter(|k| alias.is_none_or(|a| k.alias().is_some_and(|x| x.eq_ignore_ascii_case(a))))
        .collect()
}

fn report(e: &Error) -> ExitCode {
    eprintln!("error ({}): {e}", e.kind());
    ExitCode::from(1)
}

pub fn export(args: ExportArgs) -> ExitCode {
    let run = || -> Result<(), Error> {
        let store = args.store.load()?;
        let found = keys(&store, args.alias.as_deref());
        let entry = match found.as_slice() {
            [one] => *one,
            [] => {
                return Err(bad(match &args.alias {
                    Some(a) => format!("no key entry named {a}"),
                    None => "the store holds no key entry".into(),
                }));
            }
            _ => {
                return Err(bad(
                    "the store holds several key entries: choose one with --alias",
                ));
            }
        };
        let id = identity(entry)?;
        let password = args.password.resolve()?;
        let key_only = write::pem_key(
            id.private_key_pkcs8(),
            password.as_ref().map(Password::expose),
            PemEncryption::Pbes2Aes256,
        )?;
        write_secret(&args.key_out, key_only.as_bytes())?;
        let chain: Vec<&Certificate> = id.chain().iter().collect();
        write_secret(&args.chain_out, write::pem_certificates(&chain).as_bytes())?;
        println!(
            "wrote {} ({}key of {}) and {} ({} certificate(s))",
            args.key_out.display(),
            if password.is_some() { "encrypted " } else { "" },
            entry.alias().unwrap_or("the PEM key"),
            args.chain_out.display(),
            chain.len()
        );
        Ok(())
    };
    match run() {
        Ok(()) => ExitCode::SUCCESS,
        Err(e) => report(&e),
    }
}

pub fn convert(args: ConvertArgs) -> ExitCode {
    let run = || -> Result<(), Error> {
        let store = args.store.load()?;
        let selected = keys(&store, args.alias.as_deref());
        if args.alias.is_some() && selected.is_empty() {
            return Err(bad(format!(
                "no key entry named {}",
                args.alias.as_deref().unwrap_or("")
            )));
        }
        let identities: Vec<(String, Identity)> = selected
            .iter()
            .enumerate()
            .map(|(i, k)| {
                let alias = k.alias().map(str::to_owned).unwrap_or_else(|| {
                    if i == 0 {
                        "key".into()
                    } else {
                        format!("key{i}")
                    }
                });
                identity(k).map(|id| (alias, id))
            })
            .collect::<Result<_, _>>()?;
        let trusted: Vec<(String, Certificate)> = store
            .entries()
            .iter()
            .enumerate()
            .filter_map(|(i, e)| match e {
                Entry::TrustedCert(t) => Some((
                    t.alias()
                        .map(str::to_owned)
                        .unwrap_or_else(|| format!("ca{i}")),
                    t.certificate().clone(),
                )),
                _ => None,
            })
            .collect();
        if identities.is_empty() && trusted.is_empty() {
            return Err(bad(
                "nothing to convert: the store holds no key and no trusted certificate",
            ));
        }
        let password = args.password.resolve()?;
        let mut entries: Vec<StoreEntry<'_>> = identities
            .iter()
            .map(|(a, id)| StoreEntry::key(a, id))
            .collect();
        entries.extend(trusted.iter().map(|(a, c)| StoreEntry::trusted(a, c)));
        let need = |p: &Option<Password>| -> Result<String, Error> {
            p.as_ref()
                .map(|p| p.expose().to_owned())
                .ok_or_else(|| bad("a key store needs a password: --out-password, --out-password-file or --generate-password"))
        };
        let bytes = match args.to {
            ToArg::Pkcs12 | ToArg::Pkcs12Legacy => {
                let p = zeroize::Zeroizing::new(need(&password)?);
                let profile = if matches!(args.to, ToArg::Pkcs12) {
                    Pkcs12Profile::Jdk17
                } else {
                    Pkcs12Profile::Legacy
                };
                write::pkcs12(&entries, &p, &p, profile)?
            }
            ToArg::Jks => {
                let p = zeroize::Zeroizing::new(need(&password)?);
                write::jks(&entries, &p, &p)?
            }
            ToArg::Pem => match identities.as_slice() {
                [] => {
                    let certs: Vec<&Certificate> = trusted.iter().map(|(_, c)| c).collect();
                    write::pem_certificates(&certs).into_bytes()
                }
                [(_, id)] => write::pem(id, password.as_ref().map(Password::expose))?.into_bytes(),
                _ => {
                    return Err(bad(
                        "Cassandra's PEM key store holds one key: choose it with --alias",
                    ));
                }
            },
        };
        write_secret(&args.out, &zeroize::Zeroizing::new(bytes))?;
        println!(
            "wrote {}: {} key(s), {} trusted certificate(s){}",
            args.out.display(),
            identities.len(),
            trusted.len(),
            match &args.password.password_out {
                Some(p) if args.password.generate_password =>
                    format!("; password in {}", p.display()),
                _ => String::new(),
            }
        );
        Ok(())
    };
    match run() {
        Ok(()) => ExitCode::SUCCESS,
        Err(e) => report(&e),
    }
}
