//! Sans-I/O HTTP/1.1 client engine: no sockets, no Python objects, no `unsafe`.
//!
//! Everything here runs inside firmware where a panic aborts the device, so the
//! lints below make every potential panic site (unwrap, indexing, overflow) a
//! compile error outside tests; test modules opt out locally.
#![forbid(unsafe_code)]
#![deny(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::panic,
    clippy::indexing_slicing,
    clippy::arithmetic_side_effects
)]
pub mod body;
pub mod encode;
pub mod request;
pub mod response;
pub mod url;
pub mod writer;
