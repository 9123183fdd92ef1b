//! Why `auth_certificate_role_queries` is refused, and the bounds the crate puts on a query:
//! shared by the constructor's checks (query) and the compiler (boost).

/// The longest query this crate compiles, in bytes (64 KiB). Scylla has no bound; a longer
/// query is refused with [`QueryRefusal::TooLong`] rather than compiled.
pub const MAX_QUERY_LEN: usize = 64 * 1024;

/// fancy-regex's backtracking bound per match (its default, written out). boost throws when a
/// match is too complex; this crate answers [`super::NoRole::TooComplex`].
pub(crate) const BACKTRACK_LIMIT: usize = 1_000_000;

/// Why Scylla's constructor refuses `auth_certificate_role_queries` (a `std::invalid_argument`
/// at start-up), or why this crate does. `Display` gives Scylla's message.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum QueryRefusal {
    /// The list is empty.
    #[error("No role extraction queries specified.")]
    Empty,
    /// An item is not exactly the two keys `source` and `query`. `map` is the item as fmt
    /// prints a map (Scylla's is an `unordered_map`, so its order may differ).
    #[error("Invalid query: {map}")]
    InvalidItem {
        /// Which item (from 0).
        index: usize,
        /// The item, formatted.
        map: String,
    },
    /// The source, upper-cased, is neither `SUBJECT` nor `ALTNAME` (the message shows it as
    /// written).
    #[error("Invalid source: {source_name}")]
    InvalidSource {
        /// Which item.
        index: usize,
        /// The source as written.
        source_name: String,
    },
    /// boost::regex does not compile the query (`reason` is this crate's regex engine's).
    #[error("Invalid query expression: {query}")]
    InvalidExpression {
        /// Which item.
        index: usize,
        /// The query.
        query: String,
        /// Why (fancy-regex's message).
        reason: String,
    },
    /// The query has zero or several capturing groups (boost's `mark_count() != 1`).
    #[error("Role query must have exactly one mark expression")]
    MarkCount {
        /// Which item.
        index: usize,
        /// How many groups it has.
        marks: usize,
    },
    /// Not Scylla's: a boost construct this crate's engine does not run (`\Q..\E` is
    /// translated; branch reset `(?|`, possessive quantifiers, `\h`, `\R`, `\X` and others
    /// are refused). Listed in FIDELITY.md.
    #[error(
        "Invalid query expression: {query} (boost syntax this crate does not run: {construct})"
    )]
    Unsupported {
        /// Which item.
        index: usize,
        /// The query.
        query: String,
        /// The construct.
        construct: &'static str,
    },
    /// Not Scylla's: a query longer than [`MAX_QUERY_LEN`].
    #[error("Invalid query expression: a query of {len} bytes (this crate compiles at most {max})")]
    TooLong {
        /// Which item.
        index: usize,
        /// Its length in bytes.
        len: usize,
        /// [`MAX_QUERY_LEN`].
        max: usize,
    },
}
