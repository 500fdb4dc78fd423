//! Streaming JSON selection: a tokenizer that takes the document in pieces
//! of any size (a split may fall inside a string, an escape, a number or a
//! literal) and a matcher that reports where the values selected by paths
//! start and end, so the glue builds Python objects for those values only.
//!
//! Nothing here allocates or buffers document bytes: the state is a few
//! counters, a bit stack of open containers and one small frame per open
//! container. Unselected keys and strings, however long, pass through as a
//! counter moving forward.

mod number;
pub mod pairs;
mod scan;
pub mod select;
pub mod token;
pub mod whole;

#[cfg(test)]
mod pairs_tests;
#[cfg(test)]
mod scan_tests;
#[cfg(test)]
mod select_tests;
#[cfg(test)]
mod token_tests;

/// Deepest nesting of arrays and objects accepted. Deeper documents are
/// refused rather than tracked, so the state has a fixed size.
pub const MAX_DEPTH: usize = 64;

/// Most paths one selection can follow (their sets are `u32` bit masks).
pub const MAX_PATHS: usize = 32;

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum ErrorKind {
    /// A byte that JSON does not allow where it stands.
    Syntax,
    /// The input ended inside the document.
    Truncated,
    /// Containers nested deeper than [`MAX_DEPTH`].
    TooDeep,
}

/// A document the tokenizer refuses, with the offset of the offending byte
/// from the start of the document (for `Truncated`: its length).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct JsonError {
    pub kind: ErrorKind,
    pub offset: u64,
}
