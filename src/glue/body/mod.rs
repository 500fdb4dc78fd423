//! A response body: `read` moves bytes from the connection through the
//! engine's decoder (`chunks` takes a chunked body in large pieces),
//! `close` closes (with a bounded drain), `decoded` reads through the
//! decompressor, `step` picks between the two, `content` builds what the
//! caller asks for (`content`, `iter_content`, `iter_lines`), and
//! `exports` holds the entry points cmodule/response_type.c calls.

mod chunks;
mod close;
mod content;
mod decoded;
mod exports;
mod read;
mod step;

pub use close::{close_for_session, close_response, drop_for_finaliser, fail_response, supersede};
pub use read::{decoder_init, wait_deadline};
pub use step::{poll_step, read_step};
