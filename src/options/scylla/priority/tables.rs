//! GnuTLS 3.7.9's name tables and keyword lists, as Debian builds it (GOST, PSK, SRP and
//! anonymous key exchange compiled in; no SSL 3.0). Sources: `lib/priority.c` (the keyword
//! lists), `lib/algorithms/{ciphers,mac,kx,groups,ecc,sign,cert_types}.c` and
//! `lib/priority_options.gperf`. Each list keeps GnuTLS's order: it is the preference order.

use super::Protocol::{self, *};

/// Cipher names `cipher_name_to_entry` knows, and whether the library implements them (a
/// known but unimplemented cipher is accepted in a priority string and ignored).
pub(super) const CIPHERS: &[(&str, bool)] = &[
    ("AES-256-CBC", true),
    ("AES-192-CBC", true),
    ("AES-128-CBC", true),
    ("AES-128-GCM", true),
    ("AES-192-GCM", true),
    ("AES-256-GCM", true),
    ("AES-128-CCM", true),
    ("AES-256-CCM", true),
    ("AES-128-CCM-8", true),
    ("AES-256-CCM-8", true),
    ("ARCFOUR-128", true),
    ("ESTREAM-SALSA20-256", true),
    ("SALSA20-256", true),
    ("CHACHA20-32", true),
    ("CHACHA20-64", true),
    ("CAMELLIA-256-CBC", true),
    ("CAMELLIA-192-CBC", true),
    ("CAMELLIA-128-CBC", true),
    ("CHACHA20-POLY1305", true),
    ("CAMELLIA-128-GCM", true),
    ("CAMELLIA-256-GCM", true),
    ("GOST28147-TC26Z-CFB", true),
    ("GOST28147-CPA-CFB", true),
    ("GOST28147-CPB-CFB", true),
    ("GOST28147-CPC-CFB", true),
    ("GOST28147-CPD-CFB", true),
    ("AES-128-CFB8", true),
    ("AES-192-CFB8", true),
    ("AES-256-CFB8", true),
    ("AES-128-XTS", true),
    ("AES-256-XTS", true),
    ("AES-128-SIV", true),
    ("AES-256-SIV", true),
    ("GOST28147-TC26Z-CNT", true),
    ("MAGMA-CTR-ACPKM", true),
    ("KUZNYECHIK-CTR-ACPKM", true),
    ("3DES-CBC", true),
    ("DES-CBC", true),
    ("ARCFOUR-40", false),
    ("RC2-40", true),
    ("NULL", true),
];

/// MAC names `gnutls_mac_get_id` accepts: the implemented ones and the `AEAD` placeholder.
pub(super) const MACS: &[&str] = &[
    "SHA1",
    "SHA256",
    "SHA384",
    "SHA512",
    "SHA224",
    "UMAC-96",
    "UMAC-128",
    "AEAD",
    "MD5",
    "GOSTR341194",
    "STREEBOG-256",
    "STREEBOG-512",
    "AES-CMAC-128",
    "AES-CMAC-256",
    "AES-GMAC-128",
    "AES-GMAC-192",
    "AES-GMAC-256",
    "GOST28147-TC26Z-IMIT",
    "OMAC-MAGMA",
    "OMAC-KUZNYECHIK",
    "MAC-NULL",
];

/// Key exchange names `_gnutls_kx_get_id` knows; `false` marks the retired ones a priority
/// string may still name, to no effect (`RSA-EXPORT`).
pub(super) const KXS: &[(&str, bool)] = &[
    ("ECDHE-RSA", true),
    ("ECDHE-ECDSA", true),
    ("RSA", true),
    ("DHE-RSA", true),
    ("DHE-DSS", true),
    ("PSK", true),
    ("RSA-PSK", true),
    ("DHE-PSK", true),
    ("ECDHE-PSK", true),
    ("SRP-DSS", true),
    ("SRP-RSA", true),
    ("SRP", true),
    ("ANON-DH", true),
    ("ANON-ECDH", true),
    ("VKO-GOST-12", true),
    ("RSA-EXPORT", false),
];

/// A key exchange group: its GnuTLS name, its TLS `NamedGroup` code, and whether it is an
/// elliptic curve (else a finite-field group).
#[derive(Clone, Copy, Debug)]
pub(super) struct GroupEntry {
    pub(super) name: &'static str,
    pub(super) code: u16,
    pub(super) curve: bool,
    /// Whether the library implements it (`_gnutls_id_to_group` finds only those): a group
    /// it lacks may be configured, and is listed, but never offered.
    pub(super) implemented: bool,
}

const fn g(name: &'static str, code: u16, curve: bool) -> GroupEntry {
    GroupEntry {
        name,
        code,
        curve,
        implemented: true,
    }
}

/// A GOST curve Debian's GnuTLS (nettle) does not implement.
const fn unimplemented(name: &'static str, code: u16) -> GroupEntry {
    GroupEntry {
        implemented: false,
        ..g(name, code, true)
    }
}

/// `supported_groups` of `lib/algorithms/groups.c`.
pub(super) const GROUPS: &[GroupEntry] = &[
    g("SECP192R1", 19, true),
    g("SECP224R1", 21, true),
    g("SECP256R1", 23, true),
    g("SECP384R1", 24, true),
    g("SECP521R1", 25, true),
    g("X25519", 29, true),
    unimplemented("GC256A", 34),
    g("GC256B", 35, true),
    unimplemented("GC256C", 36),
    unimplemented("GC256D", 37),
    g("GC512A", 38, true),
    unimplemented("GC512B", 39),
    unimplemented("GC512C", 40),
    g("X448", 30, true),
    g("FFDHE2048", 0x100, false),
    g("FFDHE3072", 0x101, false),
    g("FFDHE4096", 0x102, false),
    g("FFDHE6144", 0x103, false),
    g("FFDHE8192", 0x104, false),
];

/// The curve names `gnutls_ecc_curve_get_id` accepts (`CURVE-`), with the group each stands
/// for. `None`: a curve with no key exchange group (`Ed25519`, the CryptoPro curves), which
/// GnuTLS 3.7.9 lists as a nameless group `GROUP-(null)`; here it adds nothing.
pub(super) const CURVES: &[(&str, Option<&str>)] = &[
    ("SECP192R1", Some("SECP192R1")),
    ("SECP224R1", Some("SECP224R1")),
    ("SECP256R1", Some("SECP256R1")),
    ("SECP384R1", Some("SECP384R1")),
    ("SECP521R1", Some("SECP521R1")),
    ("X25519", Some("X25519")),
    ("Ed25519", None),
    ("X448", Some("X448")),
    ("Ed448", None),
    ("CryptoPro-A", None),
    ("CryptoPro-XchA", None),
    ("TC26-256-B", Some("GC256B")),
    ("TC26-512-A", Some("GC512A")),
];

/// Signature semantics: usable with TLS 1.0 to 1.2, with TLS 1.3, both, or neither (no TLS
/// code point).
pub(super) const SEM_PRE_TLS12: u8 = 1;
pub(super) const SEM_TLS13: u8 = 2;
const SEM_DEFAULT: u8 = SEM_PRE_TLS12 | SEM_TLS13;

/// A signature algorithm: its GnuTLS name, its TLS `SignatureScheme` code (0: none) and the
/// protocol semantics it serves.
#[derive(Clone, Copy, Debug)]
pub(super) struct SignEntry {
    pub(super) name: &'static str,
    pub(super) code: u16,
    pub(super) sem: u8,
}

const fn s(name: &'static str, code: u16, sem: u8) -> SignEntry {
    SignEntry { name, code, sem }
}

/// `sign_algorithms` of `lib/algorithms/sign.c` (names are unique per algorithm here; GnuTLS
/// repeats `RSA-SHA1`, `DSA-SHA1` and `RSA-MD5` under a second OID).
pub(super) const SIGNS: &[SignEntry] = &[
    s("RSA-SHA256", 0x0401, SEM_DEFAULT),
    s("RSA-SHA384", 0x0501, SEM_DEFAULT),
    s("RSA-SHA512", 0x0601, SEM_DEFAULT),
    s("RSA-PSS-SHA256", 0x0809, SEM_DEFAULT),
    s("RSA-PSS-RSAE-SHA256", 0x0804, SEM_DEFAULT),
    s("RSA-PSS-SHA384", 0x080a, SEM_DEFAULT),
    s("RSA-PSS-RSAE-SHA384", 0x0805, SEM_DEFAULT),
    s("RSA-PSS-SHA512", 0x080b, SEM_DEFAULT),
    s("RSA-PSS-RSAE-SHA512", 0x0806, SEM_DEFAULT),
    s("EdDSA-Ed25519", 0x0807, SEM_DEFAULT),
    s("EdDSA-Ed448", 0x0808, SEM_DEFAULT),
    s("ECDSA-SHA256", 0x0403, SEM_PRE_TLS12),
    s("ECDSA-SHA384", 0x0503, SEM_PRE_TLS12),
    s("ECDSA-SHA512", 0x0603, SEM_PRE_TLS12),
    s("ECDSA-SECP256R1-SHA256", 0x0403, SEM_TLS13),
    s("ECDSA-SECP384R1-SHA384", 0x0503, SEM_TLS13),
    s("ECDSA-SECP521R1-SHA512", 0x0603, SEM_TLS13),
    s("ECDSA-SHA3-224", 0, 0),
    s("ECDSA-SHA3-256", 0, 0),
    s("ECDSA-SHA3-384", 0, 0),
    s("ECDSA-SHA3-512", 0, 0),
    s("RSA-SHA3-224", 0, 0),
    s("RSA-SHA3-256", 0, 0),
    s("RSA-SHA3-384", 0, 0),
    s("RSA-SHA3-512", 0, 0),
    s("DSA-SHA3-224", 0, 0),
    s("DSA-SHA3-256", 0, 0),
    s("DSA-SHA3-384", 0, 0),
    s("DSA-SHA3-512", 0, 0),
    s("RSA-RAW", 0, 0),
    s("RSA-SHA1", 0x0201, SEM_DEFAULT),
    s("RSA-SHA224", 0, 0),
    s("RSA-RMD160", 0, 0),
    s("DSA-SHA1", 0x0202, SEM_PRE_TLS12),
    s("DSA-SHA224", 0, 0),
    s("DSA-SHA256", 0, 0),
    s("RSA-MD5", 0, 0),
    s("RSA-MD2", 0, 0),
    s("ECDSA-SHA1", 0x0203, SEM_DEFAULT),
    s("ECDSA-SHA224", 0, 0),
    s("GOSTR341012-512", 0x0841, SEM_PRE_TLS12),
    s("GOSTR341012-256", 0x0840, SEM_PRE_TLS12),
    s("GOSTR341001", 0, 0),
    s("DSA-SHA384", 0, 0),
    s("DSA-SHA512", 0, 0),
];

/// The `%` options (`lib/priority_options.gperf`); matched exactly, case included.
pub(super) const OPTIONS: &[&str] = &[
    "COMPAT",
    "DUMBFW",
    "NO_EXTENSIONS",
    "NO_TICKETS",
    "NO_TICKETS_TLS12",
    "NO_ETM",
    "FORCE_ETM",
    "NO_SESSION_HASH",
    "STATELESS_COMPRESSION",
    "VERIFY_ALLOW_BROKEN",
    "VERIFY_ALLOW_SIGN_RSA_MD5",
    "VERIFY_ALLOW_SIGN_WITH_SHA1",
    "VERIFY_DISABLE_CRL_CHECKS",
    "SSL3_RECORD_VERSION",
    "LATEST_RECORD_VERSION",
    "VERIFY_ALLOW_X509_V1_CA_CRT",
    "UNSAFE_RENEGOTIATION",
    "SAFE_RENEGOTIATION",
    "PARTIAL_RENEGOTIATION",
    "DISABLE_SAFE_RENEGOTIATION",
    "FALLBACK_SCSV",
    "DISABLE_WILDCARDS",
    "SERVER_PRECEDENCE",
    "PROFILE_VERY_WEAK",
    "PROFILE_LOW",
    "PROFILE_LEGACY",
    "PROFILE_MEDIUM",
    "PROFILE_HIGH",
    "PROFILE_ULTRA",
    "PROFILE_FUTURE",
    "PROFILE_SUITEB128",
    "PROFILE_SUITEB192",
    "NEW_PADDING",
    "DEBUG_ALLOW_KEY_USAGE_VIOLATIONS",
    "ALLOW_SMALL_RECORDS",
    "DISABLE_TLS13_COMPAT_MODE",
];

// The lists of lib/priority.c.

/// `protocol_priority`: the default protocols.
pub(super) const PROTOCOLS_DEFAULT: &[Protocol] = &[Tls13, Tls12, Tls11, Tls10, Dtls12, Dtls10];
/// `stream_protocol_priority` (`VERS-TLS-ALL`).
pub(super) const PROTOCOLS_STREAM: &[Protocol] = &[Tls13, Tls12, Tls11, Tls10];
/// `dtls_protocol_priority` (`+VERS-DTLS-ALL`).
pub(super) const PROTOCOLS_DTLS_ADD: &[Protocol] = &[Dtls12, Dtls10];
/// `dgram_protocol_priority` (`-VERS-DTLS-ALL`).
pub(super) const PROTOCOLS_DTLS_REMOVE: &[Protocol] = &[Dtls12, Dtls10, Dtls09];
const PROTOCOLS_SUITEB: &[Protocol] = &[Tls12];

pub(super) const GROUPS_DH: &[&str] = &[
    "FFDHE2048",
    "FFDHE3072",
    "FFDHE4096",
    "FFDHE6144",
    "FFDHE8192",
];
pub(super) const GROUPS_EC: &[&str] = &["SECP256R1", "SECP384R1", "SECP521R1", "X25519", "X448"];
pub(super) const GROUPS_GOST: &[&str] = &[
    "GC256A", "GC256B", "GC256C", "GC256D", "GC512A", "GC512B", "GC512C",
];
pub(super) const GROUPS_NORMAL: &[&str] = &[
    "SECP256R1",
    "SECP384R1",
    "SECP521R1",
    "X25519",
    "X448",
    "FFDHE2048",
    "FFDHE3072",
    "FFDHE4096",
    "FFDHE6144",
    "FFDHE8192",
];
const GROUPS_SUITEB128: &[&str] = &["SECP256R1", "SECP384R1"];
const GROUPS_SUITEB192: &[&str] = &["SECP384R1"];
const GROUPS_SECURE192: &[&str] = &["SECP384R1", "SECP521R1", "FFDHE8192"];

const KX_PERFORMANCE: &[&str] = &["RSA", "ECDHE-ECDSA", "ECDHE-RSA", "DHE-RSA"];
const KX_PFS: &[&str] = &["ECDHE-ECDSA", "ECDHE-RSA", "DHE-RSA"];
const KX_SUITEB: &[&str] = &["ECDHE-ECDSA"];
pub(super) const KX_SECURE: &[&str] = &["ECDHE-ECDSA", "ECDHE-RSA", "RSA", "DHE-RSA"];
pub(super) const KX_GOST: &[&str] = &["VKO-GOST-12"];

/// `_cipher_priority_performance_default` (a CPU with AES instructions, as here; without
/// them GnuTLS puts CHACHA20-POLY1305 first).
const CIPHER_PERFORMANCE: &[&str] = &[
    "AES-128-GCM",
    "AES-256-GCM",
    "CHACHA20-POLY1305",
    "AES-128-CCM",
    "AES-256-CCM",
    "AES-128-CBC",
    "AES-256-CBC",
];
pub(super) const CIPHER_NORMAL: &[&str] = &[
    "AES-256-GCM",
    "CHACHA20-POLY1305",
    "AES-256-CCM",
    "AES-256-CBC",
    "AES-128-GCM",
    "AES-128-CCM",
    "AES-128-CBC",
];
const CIPHER_SUITEB128: &[&str] = &["AES-256-GCM", "AES-128-GCM"];
const CIPHER_SUITEB192: &[&str] = &["AES-256-GCM"];
const CIPHER_SECURE128: &[&str] = &[
    "AES-256-GCM",
    "CHACHA20-POLY1305",
    "AES-256-CBC",
    "AES-256-CCM",
    "AES-128-GCM",
    "AES-128-CBC",
    "AES-128-CCM",
];
const CIPHER_SECURE192: &[&str] = &[
    "AES-256-GCM",
    "CHACHA20-POLY1305",
    "AES-256-CBC",
    "AES-256-CCM",
];
pub(super) const CIPHER_GOST: &[&str] = &["GOST28147-TC26Z-CNT"];

pub(super) const SIGN_DEFAULT: &[&str] = &[
    "RSA-SHA256",
    "RSA-PSS-SHA256",
    "RSA-PSS-RSAE-SHA256",
    "ECDSA-SHA256",
    "ECDSA-SECP256R1-SHA256",
    "EdDSA-Ed25519",
    "RSA-SHA384",
    "RSA-PSS-SHA384",
    "RSA-PSS-RSAE-SHA384",
    "ECDSA-SHA384",
    "ECDSA-SECP384R1-SHA384",
    "EdDSA-Ed448",
    "RSA-SHA512",
    "RSA-PSS-SHA512",
    "RSA-PSS-RSAE-SHA512",
    "ECDSA-SHA512",
    "ECDSA-SECP521R1-SHA512",
    "RSA-SHA1",
    "ECDSA-SHA1",
];
const SIGN_SUITEB128: &[&str] = &[
    "ECDSA-SHA256",
    "ECDSA-SECP256R1-SHA256",
    "ECDSA-SHA384",
    "ECDSA-SECP384R1-SHA384",
];
const SIGN_SUITEB192: &[&str] = &["ECDSA-SHA384", "ECDSA-SECP384R1-SHA384"];
/// GnuTLS's SECURE128 signatures: the default's without SHA-1 (its last two).
const SIGN_SECURE128: &[&str] = SIGN_DEFAULT.split_at(SIGN_DEFAULT.len() - 2).0;
/// GnuTLS's SECURE192 signatures: SECURE128's from SHA-384 on (without its six SHA-256 ones).
const SIGN_SECURE192: &[&str] = SIGN_SECURE128.split_at(6).1;
pub(super) const SIGN_GOST: &[&str] = &["GOSTR341012-256", "GOSTR341012-512"];

pub(super) const MAC_NORMAL: &[&str] = &["SHA1", "AEAD"];
const MAC_SECURE128: &[&str] = &["SHA1", "AEAD"];
const MAC_SECURE192: &[&str] = &["AEAD"];
const MAC_SUITEB: &[&str] = &["AEAD"];
pub(super) const MAC_GOST: &[&str] = &["GOST28147-TC26Z-IMIT"];

/// A keyword of `pgroups`: the lists it sets (or, after the first keyword, adds).
pub(super) struct Level {
    pub(super) name: &'static str,
    pub(super) alias: Option<&'static str>,
    pub(super) protocols: Option<&'static [Protocol]>,
    pub(super) ciphers: &'static [&'static str],
    pub(super) macs: &'static [&'static str],
    pub(super) kxs: &'static [&'static str],
    pub(super) signs: &'static [&'static str],
    pub(super) groups: &'static [&'static str],
}

const fn level(
    name: &'static str,
    alias: Option<&'static str>,
    lists: (
        &'static [&'static str],
        &'static [&'static str],
        &'static [&'static str],
    ),
    signs: &'static [&'static str],
    groups: &'static [&'static str],
) -> Level {
    Level {
        name,
        alias,
        protocols: None,
        ciphers: lists.0,
        macs: lists.1,
        kxs: lists.2,
        signs,
        groups,
    }
}

/// `pgroups`, in its order.
pub(super) const LEVELS: &[Level] = &[
    level(
        "NORMAL",
        None,
        (CIPHER_NORMAL, MAC_NORMAL, KX_SECURE),
        SIGN_DEFAULT,
        GROUPS_NORMAL,
    ),
    level(
        "PFS",
        None,
        (CIPHER_NORMAL, MAC_SECURE128, KX_PFS),
        SIGN_DEFAULT,
        GROUPS_NORMAL,
    ),
    level(
        "SECURE128",
        Some("SECURE"),
        (CIPHER_SECURE128, MAC_SECURE128, KX_SECURE),
        SIGN_SECURE128,
        GROUPS_NORMAL,
    ),
    level(
        "SECURE192",
        Some("SECURE256"),
        (CIPHER_SECURE192, MAC_SECURE192, KX_SECURE),
        SIGN_SECURE192,
        GROUPS_SECURE192,
    ),
    Level {
        protocols: Some(PROTOCOLS_SUITEB),
        ..level(
            "SUITEB128",
            None,
            (CIPHER_SUITEB128, MAC_SUITEB, KX_SUITEB),
            SIGN_SUITEB128,
            GROUPS_SUITEB128,
        )
    },
    Level {
        protocols: Some(PROTOCOLS_SUITEB),
        ..level(
            "SUITEB192",
            None,
            (CIPHER_SUITEB192, MAC_SUITEB, KX_SUITEB),
            SIGN_SUITEB192,
            GROUPS_SUITEB192,
        )
    },
    level(
        "LEGACY",
        None,
        (CIPHER_NORMAL, MAC_NORMAL, KX_SECURE),
        SIGN_DEFAULT,
        GROUPS_NORMAL,
    ),
    level(
        "PERFORMANCE",
        None,
        (CIPHER_PERFORMANCE, MAC_NORMAL, KX_PERFORMANCE),
        SIGN_DEFAULT,
        GROUPS_NORMAL,
    ),
];
