//! scylla.yaml as yaml-cpp sees it: the node tree `YAML::Load` builds, before Scylla converts
//! any value.
//!
//! Scylla reads its configuration with yaml-cpp (`utils/config_file.cc` `read_from_yaml`), and
//! what survives depends on yaml-cpp's node kinds, not on YAML's schema types:
//! - a plain scalar without a tag whose text is `~`, `null`, `Null`, `NULL` or empty is a
//!   **null** node (yaml-cpp `singledocparser.cpp`: `IsNullString` on a plain, untagged token);
//!   every other scalar keeps its text as written, so `yes` stays the string `yes`;
//! - an alias is the node its anchor names (no copy is made here, so aliases cannot blow up);
//! - a merge key `<<` is an ordinary key (yaml-cpp does not merge);
//! - only the first document is loaded;
//! - a syntax error refuses the whole file (Scylla does not start: `main.cc` `read_config`).
//!
//! The tree is bounded: the text is bounded by the reader, and each event makes at most one
//! node, so nothing here grows beyond the input's size.

use granit_parser::{Event, Parser, ScalarStyle, Span};

/// Where a node starts in the file (1-based line, 1-based column), as yaml-cpp reports marks.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Default)]
#[non_exhaustive]
pub struct Mark {
    /// The line, from 1.
    pub line: usize,
    /// The column, from 1.
    pub column: usize,
}

impl Mark {
    fn of(span: &Span) -> Mark {
        Mark {
            line: span.start.line(),
            column: span.start.col() + 1,
        }
    }
}

/// What yaml-cpp calls a node's type.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
#[non_exhaustive]
pub enum Kind {
    /// A null node (an empty value, `~`, `null`).
    Null,
    /// A scalar (any text, quoted or not).
    Scalar,
    /// A sequence (a list).
    Sequence,
    /// A map.
    Map,
}

impl Kind {
    /// The word a finding uses for the kind.
    pub const fn as_str(self) -> &'static str {
        match self {
            Kind::Null => "null",
            Kind::Scalar => "a string",
            Kind::Sequence => "a list",
            Kind::Map => "a map",
        }
    }
}

pub(crate) type NodeId = usize;

#[derive(Debug)]
pub(crate) enum Node {
    Null(Mark),
    Scalar(String, Mark),
    Sequence(Vec<NodeId>, Mark),
    Map(Vec<(NodeId, NodeId)>, Mark),
}

impl Node {
    pub(crate) fn kind(&self) -> Kind {
        match self {
            Node::Null(_) => Kind::Null,
            Node::Scalar(..) => Kind::Scalar,
            Node::Sequence(..) => Kind::Sequence,
            Node::Map(..) => Kind::Map,
        }
    }

    pub(crate) fn mark(&self) -> Mark {
        match self {
            Node::Null(m) | Node::Scalar(_, m) | Node::Sequence(_, m) | Node::Map(_, m) => *m,
        }
    }
}

/// A YAML syntax error: yaml-cpp throws, and Scylla does not start.
#[derive(Clone, Debug, PartialEq, Eq)]
#[non_exhaustive]
pub struct SyntaxError {
    /// Where the parser stopped.
    pub mark: Mark,
    /// The parser's message.
    pub message: String,
}

/// The first document of a yaml text, as yaml-cpp's node tree.
#[derive(Debug, Default)]
pub(crate) struct Tree {
    nodes: Vec<Node>,
    root: Option<NodeId>,
}

enum Open {
    Sequence(Vec<NodeId>, Mark, usize),
    Map(Vec<(NodeId, NodeId)>, Option<NodeId>, Mark, usize),
}

impl Tree {
    pub(crate) fn parse(text: &str) -> Result<Tree, SyntaxError> {
        // yaml-cpp skips a byte-order mark; so does the scanner.
        let mut tree = Tree::default();
        let mut anchors: Vec<(usize, NodeId)> = Vec::new();
        let mut stack: Vec<Open> = Vec::new();
        let mut documents = 0usize;
        for item in Parser::new_from_str(text) {
            let (event, span) = item.map_err(|e| SyntaxError {
                mark: Mark {
                    line: e.marker().line(),
                    column: e.marker().col() + 1,
                },
                message: e.info(),
            })?;
            let mark = Mark::of(&span);
            let made = match event {
                Event::DocumentStart(..) => {
                    documents += 1;
                    None
                }
                // yaml-cpp's `Load` reads the first document only; later ones are not even
                // parsed, so their errors do not matter.
                Event::DocumentEnd if documents >= 1 => break,
                Event::Scalar(text, style, anchor, tag) => {
                    let node = if style == ScalarStyle::Plain
                        && tag.is_none()
                        && matches!(text.as_ref(), "" | "~" | "null" | "Null" | "NULL")
                    {
                        Node::Null(mark)
                    } else {
                        Node::Scalar(text.into_owned(), mark)
                    };
                    Some((tree.push(node), anchor))
                }
                Event::Alias(id) => {
                    let target = anchors.iter().rev().find(|(a, _)| *a == id).map(|p| p.1);
                    match target {
                        Some(t) => Some((t, 0)),
                        None => {
                            return Err(SyntaxError {
                                mark,
                                message: "the alias names no anchor".into(),
                            });
                        }
                    }
                }
                Event::SequenceStart(_, anchor, _) => {
                    stack.push(Open::Sequence(Vec::new(), mark, anchor));
                    None
                }
                Event::MappingStart(_, anchor, _) => {
                    stack.push(Open::Map(Vec::new(), None, mark, anchor));
                    None
                }
                Event::SequenceEnd | Event::MappingEnd => match stack.pop() {
                    Some(Open::Sequence(items, m, anchor)) => {
                        Some((tree.push(Node::Sequence(items, m)), anchor))
                    }
                    Some(Open::Map(entries, _, m, anchor)) => {
                        Some((tree.push(Node::Map(entries, m)), anchor))
                    }
                    None => None,
                },
                _ => None,
            };
            let Some((id, anchor)) = made else { continue };
            if anchor != 0 {
                anchors.push((anchor, id));
            }
            match stack.last_mut() {
                Some(Open::Sequence(items, ..)) => items.push(id),
                Some(Open::Map(entries, pending, ..)) => match pending.take() {
                    Some(key) => entries.push((key, id)),
                    None => *pending = Some(id),
                },
                None => tree.root = Some(id),
            }
        }
        Ok(tree)
    }

    fn push(&mut self, node: Node) -> NodeId {
        self.nodes.push(node);
        self.nodes.len() - 1
    }

    pub(crate) fn node(&self, id: NodeId) -> &Node {
        &self.nodes[id]
    }

    /// The top-level entries, in file order (none when the document is not a map: yaml-cpp
    /// iterates nothing then).
    pub(crate) fn top_level(&self) -> &[(NodeId, NodeId)] {
        match self.root.map(|r| self.node(r)) {
            Some(Node::Map(entries, _)) => entries,
            _ => &[],
        }
    }

    /// The first item when the document is a non-empty sequence.
    pub(crate) fn top_level_sequence_item(&self) -> Option<NodeId> {
        match self.root.map(|r| self.node(r)) {
            Some(Node::Sequence(items, _)) => items.first().copied(),
            _ => None,
        }
    }

    /// `node.as<std::string>()` as `convert<std::string>::decode` does it: scalars only.
    pub(crate) fn as_string(&self, id: NodeId) -> Option<&str> {
        match self.node(id) {
            Node::Scalar(s, _) => Some(s),
            _ => None,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn kinds(text: &str) -> Vec<(String, Kind)> {
        let t = Tree::parse(text).unwrap();
        t.top_level()
            .iter()
            .map(|(k, v)| {
                (
                    t.as_string(*k).unwrap_or("?").to_string(),
                    t.node(*v).kind(),
                )
            })
            .collect()
    }

    #[test]
    fn null_spellings_are_plain_untagged_only() {
        let k = kinds("a:\nb: ~\nc: null\nd: Null\ne: NULL\nf: 'null'\ng: !!str null\nh: nul\n");
        let got: Vec<Kind> = k.iter().map(|p| p.1).collect();
        use Kind::*;
        assert_eq!(got, [Null, Null, Null, Null, Null, Scalar, Scalar, Scalar]);
    }

    #[test]
    fn aliases_share_their_anchor_and_merge_is_a_key() {
        let t = Tree::parse("a: &x {k: v}\nb: *x\nc:\n  <<: *x\n").unwrap();
        let top = t.top_level();
        assert_eq!(top[0].1, top[1].1);
        match t.node(top[2].1) {
            Node::Map(entries, _) => {
                assert_eq!(t.as_string(entries[0].0), Some("<<"));
                assert_eq!(t.node(entries[0].1).kind(), Kind::Map);
            }
            other => panic!("{other:?}"),
        }
    }

    #[test]
    fn first_document_only_and_syntax_errors_refuse() {
        assert_eq!(kinds("a: 1\n---\nb: [\n").len(), 1);
        assert!(Tree::parse("a: [1, 2\n").is_err());
        assert!(Tree::parse("").unwrap().top_level().is_empty());
        assert!(Tree::parse("just text").unwrap().top_level().is_empty());
    }
}
