//! Sans-I/O HTTP/1.1 client engine: no sockets, no Python objects, no `unsafe`.
pub mod body;
pub mod encode;
pub mod request;
pub mod response;
pub mod url;
pub mod writer;
