//! A response body: `read` moves bytes from the connection through the
//! engine's decoder and closes (with a bounded drain), `content` builds
//! what the caller asks for (`content`, `iter_content`, `iter_lines`), and
//! `exports` holds the entry points cmodule/response_type.c calls.

mod close;
mod content;
mod decoded;
mod exports;
mod read;

pub use close::{close_for_session, close_response, drop_for_finaliser, supersede};
pub use read::{decoder_init, poll_step_raw, read_step, wait_deadline};
