//! `cassandra-tls inspect`: a keystore listed like `keytool -list -v`, or as JSON.

use std::path::PathBuf;
use std::process::ExitCode;

use cassandra_tls::keystore::{Certificate, Entry, KeyStore, StoreType};
use cassandra_tls::{Error, Password};
use clap::{Args as ClapArgs, ValueEnum};
use serde_json::{Value, json};
use time::format_description::well_known::Rfc3339;

#[derive(Clone, Copy, ValueEnum)]
pub enum TypeArg {
    Auto,
    Jks,
    Jceks,
    Pkcs12,
    Pem,
}

/// Arguments of `inspect`.
#[derive(ClapArgs)]
pub struct Args {
    #[command(flatten)]
    store: StoreArgs,
    /// Print JSON instead of text.
    #[arg(long)]
    json: bool,
}

/// A key store to read: the file, its type and passwords (shared by `inspect`, `export` and
/// `convert`).
#[derive(ClapArgs)]
pub struct StoreArgs {
    /// The store type; `auto` (the default) detects it from the bytes.
    #[arg(long, value_enum, default_value = "auto")]
    store_type: TypeArg,
    /// The store password.
    #[arg(long, conflicts_with = "storepass_file")]
    storepass: Option<String>,
    /// A file whose first line is the store password (as Cassandra's keystore_password_file).
    #[arg(long)]
    storepass_file: Option<PathBuf>,
    /// The key password, when it differs from the store password.
    #[arg(long, conflicts_with = "keypass_file")]
    keypass: Option<String>,
    /// A file whose first line is the key password.
    #[arg(long)]
    keypass_file: Option<PathBuf>,
    /// PEM certificates for a PEM private key file that holds none.
    #[arg(long)]
    certs: Option<PathBuf>,
    /// The store file.
    pub file: PathBuf,
}

pub fn run(args: Args) -> ExitCode {
    match args.store.load() {
        Ok(store) => {
            for w in store.warnings() {
                eprintln!("warning: {w}");
            }
            if args.json {
                println!(
                    "{}",
                    serde_json::to_string_pretty(&to_json(&store)).unwrap_or_default()
                );
            } else {
                print!("{}", to_text(&store));
            }
            ExitCode::SUCCESS
        }
        Err(e) => {
            let fix = password_fix(&e);
            if args.json {
                let v = json!({"error": {"kind": e.kind(), "message": e.to_string(), "fix": fix}});
                println!("{}", serde_json::to_string_pretty(&v).unwrap_or_default());
            } else {
                eprintln!("error ({}): {e}", e.kind());
                if let Some(fix) = fix {
                    eprintln!("fix: {fix}");
                }
            }
            ExitCode::from(1)
        }
    }
}

/// For a store or key its password does not open, the flags that give the right one.
fn password_fix(e: &Error) -> Option<&'static str> {
    match e.kind() {
        cassandra_tls::ErrorKind::WrongPasswordOrTampered => Some(
            "give the store's password with --storepass or --storepass-file (or restore the file)",
        ),
        cassandra_tls::ErrorKind::WrongKeyPassword => {
            Some("give the key's password with --keypass or --keypass-file")
        }
        _ => None,
    }
}

/// Reads a password file: its first line, without the line ending.
pub fn password_file(path: &PathBuf) -> Result<Password, Error> {
    let text = std::fs::read_to_string(path).map_err(|source| Error::Io {
        path: path.clone(),
        source,
    })?;
    let line = text.lines().next().unwrap_or("");
    Ok(Password::new(line))
}

impl StoreArgs {
    /// Loads the store with the given type and passwords.
    pub fn load(&self) -> Result<KeyStore, Error> {
        load(self)
    }
}

fn load(args: &StoreArgs) -> Result<KeyStore, Error> {
    let store_type = match args.store_type {
        TypeArg::Auto => None,
        TypeArg::Jks => Some(StoreType::Jks),
        TypeArg::Jceks => Some(StoreType::Jceks),
        TypeArg::Pkcs12 => Some(StoreType::Pkcs12),
        TypeArg::Pem => Some(StoreType::Pem),
    };
    let storepass = match (&args.storepass, &args.storepass_file) {
        (Some(p), _) => Some(Password::new(p.as_str())),
        (None, Some(f)) => Some(password_file(f)?),
        (None, None) => None,
    };
    let keypass = match (&args.keypass, &args.keypass_file) {
        (Some(p), _) => Some(Password::new(p.as_str())),
        (None, Some(f)) => Some(password_file(f)?),
        (None, None) => None,
    };
    let mut loader = KeyStore::loader()
        .store_type(store_type)
        .store_password_opt(storepass)
        .key_password_opt(keypass);
    if let Some(c) = &args.certs {
        loader = loader.certificates_file(c)?;
    }
    let store = loader.load_file(&args.file)?;
    // What loading leaves unchecked (the public key of JDK-written EC keys and Ed25519 keys).
    store.check_keys()?;
    Ok(store)
}

fn rfc3339(t: time::OffsetDateTime) -> String {
    t.format(&Rfc3339).unwrap_or_default()
}

fn cert_json(c: &Certificate) -> Value {
    match c.info() {
        Ok(i) => json!({
            "sha256": c.sha256_hex(),
            "subject": i.subject,
            "issuer": i.issuer,
            "not_before": rfc3339(i.not_before),
            "not_after": rfc3339(i.not_after),
            "dns_names": i.dns_names,
            "ip_addresses": i.ip_addresses.iter().map(|ip| ip.to_string()).collect::<Vec<_>>(),
            "uris": i.uris,
        }),
        Err(e) => json!({"sha256": c.sha256_hex(), "error": e.to_string()}),
    }
}

fn to_json(store: &KeyStore) -> Value {
    let entries: Vec<Value> = store
        .entries()
        .iter()
        .map(|e| {
            let mut v = json!({
                "alias": e.alias(),
                "kind": e.kind().name(),
                "chain": e.certificates().iter().map(cert_json).collect::<Vec<_>>(),
            });
            if let Entry::PrivateKey(k) = e {
                v["key_algorithm"] = json!(k.key_algorithm().map(|a| a.name().to_owned()));
            }
            v
        })
        .collect();
    json!({"store_type": store.store_type().name(), "entries": entries})
}

fn colon_hex(bytes: &[u8]) -> String {
    bytes
        .iter()
        .map(|b| format!("{b:02X}"))
        .collect::<Vec<_>>()
        .join(":")
}

fn cert_text(out: &mut String, c: &Certificate) {
    use std::fmt::Write;
    match c.info() {
        Ok(i) => {
            let _ = writeln!(out, "Owner: {}", i.subject);
            let _ = writeln!(out, "Issuer: {}", i.issuer);
            let _ = writeln!(out, "Serial number: {}", i.serial_hex);
            let _ = writeln!(
                out,
                "Valid from: {} until: {}",
                rfc3339(i.not_before),
                rfc3339(i.not_after)
            );
            let _ = writeln!(out, "SHA256: {}", colon_hex(&c.sha256()));
            let mut sans: Vec<String> = i.dns_names.iter().map(|d| format!("DNS:{d}")).collect();
            sans.extend(i.ip_addresses.iter().map(|ip| format!("IP:{ip}")));
            sans.extend(i.uris.iter().map(|u| format!("URI:{u}")));
            if !sans.is_empty() {
                let _ = writeln!(out, "Subject alternative names: {}", sans.join(", "));
            }
            if i.is_ca {
                let _ = writeln!(out, "Basic constraints: CA");
            }
        }
        Err(e) => {
            let _ = writeln!(out, "SHA256: {}", colon_hex(&c.sha256()));
            let _ = writeln!(out, "(cannot parse: {e})");
        }
    }
}

fn to_text(store: &KeyStore) -> String {
    use std::fmt::Write;
    let mut out = String::new();
    let _ = writeln!(
        out,
        "Keystore type: {}",
        store.store_type().name().to_uppercase()
    );
    let n = store.entries().len();
    let _ = writeln!(
        out,
        "Your keystore contains {n} entr{}",
        if n == 1 { "y" } else { "ies" }
    );
    for e in store.entries() {
        let _ = writeln!(out);
        let _ = writeln!(out, "Alias name: {}", e.alias().unwrap_or("(none: PEM)"));
        match e {
            Entry::PrivateKey(k) => {
                let _ = writeln!(out, "Entry type: PrivateKeyEntry");
                if let Some(a) = k.key_algorithm() {
                    let _ = writeln!(out, "Key algorithm: {a}");
                }
                if k.key().is_none() {
                    let _ = writeln!(out, "Key: not decrypted (no password given)");
                }
                let _ = writeln!(out, "Certificate chain length: {}", k.chain().len());
                for (i, c) in k.chain().iter().enumerate() {
                    let _ = writeln!(out, "Certificate[{}]:", i + 1);
                    cert_text(&mut out, c);
                }
            }
            Entry::TrustedCert(t) => {
                let _ = writeln!(out, "Entry type: trustedCertEntry");
                cert_text(&mut out, t.certificate());
            }
            Entry::SecretKey(s) => {
                let _ = writeln!(out, "Entry type: SecretKeyEntry");
                let _ = writeln!(
                    out,
                    "Algorithm: {}",
                    s.algorithm()
                        .unwrap_or("unknown (the key password does not open it)")
                );
            }
        }
    }
    out
}
