//! Sans-I/O HTTP/1.1 client engine: no sockets, no Python objects, no `unsafe`.
//!
//! Everything here runs inside firmware where a panic aborts the device: the
//! crate root denies every potential panic site (unwrap, indexing, overflow)
//! outside tests.
#![forbid(unsafe_code)]
pub mod body;
pub mod coding;
pub mod cookie;
pub mod cookie_date;
pub mod cookie_jar;
pub mod encode;
pub mod framing;
pub mod head_out;
pub mod json;
pub mod redirect;
pub mod request;
pub mod response;
pub mod retry;
pub mod reuse;
pub mod text;
pub mod timeout;
pub mod trailer;
pub mod url;
pub mod writer;
