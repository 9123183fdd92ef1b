//! Readers for what keytool and OpenSSL print, so tests compare against the tools' own words.
#![allow(dead_code)]

/// One entry as `keytool -list -v` describes it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct KeytoolEntry {
    pub alias: String,
    /// `private_key`, `trusted_cert` or `secret_key`.
    pub kind: String,
    /// SHA-256 fingerprints of the certificates, in keytool's order (leaf first), lowercase hex.
    pub sha256: Vec<String>,
    /// "Subject Public Key Algorithm" of the first certificate, e.g. "2048-bit RSA key".
    pub key_algorithm: Option<String>,
}

/// Parses `keytool -list -v` output.
pub fn parse_keytool_list(text: &str) -> Vec<KeytoolEntry> {
    let mut out = Vec::new();
    for block in text.split("Alias name: ").skip(1) {
        let alias = block.lines().next().unwrap_or("").trim().to_owned();
        let kind = match block
            .lines()
            .find_map(|l| l.strip_prefix("Entry type: "))
            .map(str::trim)
        {
            Some("PrivateKeyEntry") => "private_key",
            Some("trustedCertEntry") => "trusted_cert",
            Some("SecretKeyEntry") => "secret_key",
            other => panic!("unknown keytool entry type {other:?}"),
        }
        .to_owned();
        let sha256 = block
            .lines()
            .filter_map(|l| l.trim().strip_prefix("SHA256: "))
            .map(colon_hex)
            .collect();
        let key_algorithm = block
            .lines()
            .find_map(|l| l.strip_prefix("Subject Public Key Algorithm: "))
            .map(|s| s.trim().to_owned());
        out.push(KeytoolEntry {
            alias,
            kind,
            sha256,
            key_algorithm,
        });
    }
    out
}

/// `AB:CD:..` as `abcd..`.
pub fn colon_hex(s: &str) -> String {
    s.trim().replace(':', "").to_ascii_lowercase()
}

/// The `sha256 Fingerprint=..` lines of `openssl x509 -fingerprint -sha256`, in order.
pub fn parse_openssl_fingerprints(text: &str) -> Vec<String> {
    text.lines()
        .filter_map(|l| l.strip_prefix("sha256 Fingerprint="))
        .map(colon_hex)
        .collect()
}

/// The `public key sha256=` line written by fixtures/generate.sh from `openssl pkey -pubout`.
pub fn parse_openssl_public_key(text: &str) -> Option<String> {
    text.lines()
        .find_map(|l| l.strip_prefix("public key sha256="))
        .map(|s| s.trim().to_owned())
}

/// One row of the table in fixtures/README.md.
#[derive(Debug, Clone)]
pub struct FixtureRow {
    pub file: String,
    pub store_type: String,
    pub storepass: Option<String>,
    pub keypass: Option<String>,
    pub description: String,
}

/// Reads the fixture table that fixtures/generate.sh writes into fixtures/README.md.
pub fn fixture_table(readme: &str) -> Vec<FixtureRow> {
    let pw = |s: &str| {
        let s = s.trim();
        (s != "-" && !s.starts_with('(')).then(|| s.to_owned())
    };
    readme
        .lines()
        .filter(|l| l.starts_with("| `"))
        .map(|l| {
            let cells: Vec<&str> = l.trim_matches('|').split(" | ").collect();
            FixtureRow {
                file: cells[0].trim().trim_matches('`').to_owned(),
                store_type: cells[1].trim().to_owned(),
                storepass: pw(cells[2]),
                keypass: pw(cells[3]),
                description: cells[4].trim().to_owned(),
            }
        })
        .collect()
}
