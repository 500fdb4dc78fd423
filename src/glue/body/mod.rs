//! A response body: `read` moves bytes from the connection through the
//! engine's decoder and closes (with a bounded drain), `content` builds
//! what the caller asks for (`content`, `iter_content`, `iter_lines`), and
//! `exports` holds the entry points cmodule/response_type.c calls.

mod content;
mod exports;
mod read;

pub use read::{
    abandon, close_for_session, close_response, decoder_init, drop_for_finaliser, end_of_body,
    poll_step_raw, read_step, readable_error, supersede, wait_deadline,
};
