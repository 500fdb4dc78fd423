//! MicroPython glue: drives the sans-I/O engine with Python objects through
//! the C shims declared in `cmodule/rq_ffi.h`, and exports the entry points
//! the C registration layer calls. No MicroPython exception ever passes
//! through these frames: the shims catch them and return them as values.
#![deny(clippy::undocumented_unsafe_blocks)]

mod adopt;
mod args;
mod async_exchange;
mod body;
mod coding;
mod conn;
mod cookies;
mod error;
mod exchange;
mod head;
mod head_lazy;
mod json_check;
mod json_pairs;
mod json_select;
mod live;
mod multipart;
mod owner;
mod py;
mod req_cache;
mod request;
mod send;
mod session;
mod sessionref;

#[allow(
    non_camel_case_types,
    non_upper_case_globals,
    non_snake_case,
    dead_code,
    clippy::all,
    clippy::undocumented_unsafe_blocks
)]
mod ffi {
    include!(concat!(env!("OUT_DIR"), "/rq_ffi.rs"));
}

/// Last resort of the panic handler: stop here rather than run on with a
/// corrupted state.
pub fn abort() -> ! {
    loop {
        core::hint::spin_loop();
    }
}
