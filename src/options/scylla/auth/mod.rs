//! ScyllaDB's `com.scylladb.auth.CertificateAuthenticator`: the role a client certificate logs
//! in as.
//!
//! Scylla (from 5.4) maps a client certificate to a role with `auth_certificate_role_queries`,
//! a list of `{source, query}` maps (`db/config.cc`, default `[{source: SUBJECT, query:
//! "CN=([^,]+)"}]`). The constructor (`auth/certificate_authenticator.cc:35-79` at scylladb
//! `f4a4091c`) validates the list; `authenticate()` (`:107-148`) tries the queries in order
//! with `boost::regex_search` (unanchored) against the subject string or the alt-name string,
//! and group 1 of the first match is the role.
//!
//! * [`RoleQueries::from_maps`] is the constructor's validation, with its messages.
//! * [`gnutls_subject_dn`] and [`seastar_altnames`] are the two strings Scylla matches
//!   against: `gnutls_x509_crt_get_dn` (GnuTLS' compat format, certificate order) and
//!   Seastar's `{type}={value}` list joined with `,` (`transport/server.cc:1485-1492`).
//! * [`RoleQueries::role_for`] is `authenticate()` for a certificate that was presented. A
//!   connection with TLS but no client certificate is the caller's concern: Scylla refuses it
//!   with `No valid certificate found` ([`NO_CERTIFICATE`]) before any query runs.
//!
//! A certificate with an empty subject (scylla-operator's client certificates carry a DNS SAN
//! only) gets no role at all, even from an ALTNAME query: `gnutls_x509_crt_get_dn` fails with
//! `GNUTLS_E_REQUESTED_DATA_NOT_AVAILABLE` and Seastar's `extract_dn_information` throws before
//! any query runs (`tls_gnutls.cc:1344-1348`); [`RoleQueries::role_for`] answers
//! [`NoRole::Certificate`] with [`DnFailure::Empty`] (checked against libgnutls).
//!
//! The regular expressions are boost's Perl syntax run by `fancy-regex`; where the two differ
//! the query is refused with [`QueryRefusal::Unsupported`] or the difference is listed in
//! FIDELITY.md ("ScyllaDB: CertificateAuthenticator").

mod boost;
mod dn;
mod query;
mod refusal;

pub use dn::{DnFailure, gnutls_issuer_dn, gnutls_subject_dn, seastar_altnames};
pub use query::{
    MAX_QUERY_LEN, NO_CERTIFICATE, NoRole, QueryRefusal, QuerySource, RoleMatch, RoleQueries,
    RoleQuery,
};
