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

/// OpenSSL's verdict: whether the certificate in `pem` ends within `secs` seconds from now
/// (`openssl x509 -checkend` fails exactly then).
pub fn openssl_ends_within(pem: &std::path::Path, secs: u64) -> bool {
    !std::process::Command::new("openssl")
        .args(["x509", "-noout", "-checkend", &secs.to_string(), "-in"])
        .arg(pem)
        .output()
        .expect("run openssl")
        .status
        .success()
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

/// Per-certificate facts from `keytool -list -v`, in order of appearance.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct KeytoolCert {
    pub owner: String,
    pub issuer: String,
    /// "Fri Nov 27 19:56:10 UTC 2026"
    pub valid_from: String,
    pub valid_until: String,
    pub sha256: String,
    pub dns: Vec<String>,
    pub ips: Vec<String>,
    pub uris: Vec<String>,
}

/// Every certificate keytool printed, in order.
pub fn parse_keytool_certs(text: &str) -> Vec<KeytoolCert> {
    let mut out: Vec<KeytoolCert> = Vec::new();
    let mut in_san = false;
    for line in text.lines() {
        let t = line.trim();
        if let Some(o) = line.strip_prefix("Owner: ") {
            out.push(KeytoolCert {
                owner: o.to_owned(),
                ..Default::default()
            });
            continue;
        }
        let Some(cur) = out.last_mut() else { continue };
        if let Some(i) = line.strip_prefix("Issuer: ") {
            cur.issuer = i.to_owned();
        } else if let Some(v) = line.strip_prefix("Valid from: ") {
            let (from, until) = v.split_once(" until: ").unwrap();
            cur.valid_from = from.to_owned();
            cur.valid_until = until.to_owned();
        } else if let Some(h) = t.strip_prefix("SHA256: ") {
            cur.sha256 = colon_hex(h);
        } else if t == "SubjectAlternativeName [" {
            in_san = true;
        } else if in_san && t == "]" {
            in_san = false;
        } else if in_san {
            if let Some(d) = t.strip_prefix("DNSName: ") {
                cur.dns.push(d.to_owned());
            } else if let Some(i) = t.strip_prefix("IPAddress: ") {
                cur.ips.push(i.to_owned());
            } else if let Some(u) = t.strip_prefix("URIName: ") {
                cur.uris.push(u.to_owned());
            }
        }
    }
    out
}

/// keytool's `Date.toString()` ("Fri Nov 27 19:56:10 UTC 2026") as RFC 3339 ("2026-11-27T19:56:10Z").
pub fn java_date_to_rfc3339(s: &str) -> String {
    let parts: Vec<&str> = s.split_whitespace().collect();
    assert_eq!(parts.len(), 6, "unexpected date {s}");
    assert_eq!(parts[4], "UTC", "keytool must run in UTC: {s}");
    let month = [
        "Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec",
    ]
    .iter()
    .position(|m| *m == parts[1])
    .unwrap()
        + 1;
    format!(
        "{}-{:02}-{:02}T{}Z",
        parts[5],
        month,
        parts[2].parse::<u32>().unwrap(),
        parts[3]
    )
}
