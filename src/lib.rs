//! Native core of the `adafruit_requests` module.
//!
//! `engine` is a sans-I/O HTTP/1.1 client engine (bytes in, events out) with no
//! Python objects and no `unsafe`; it is what `cargo test` and the fuzzers
//! exercise. `glue` (feature `firmware`) drives the engine from MicroPython
//! objects through nlr-protected C shims and exports the entry points that the
//! C registration layer in `cmodule/` calls.
// The firmware build is no_std (and so proves the engine needs no std);
// host builds for tests, fuzzers and tools keep std for its panic runtime.
#![cfg_attr(feature = "firmware", no_std)]
#![forbid(unsafe_op_in_unsafe_fn)]
// A panic aborts the firmware: none of these may appear outside tests.
#![cfg_attr(
    not(test),
    deny(
        clippy::unwrap_used,
        clippy::expect_used,
        clippy::panic,
        clippy::indexing_slicing,
        clippy::arithmetic_side_effects
    )
)]

pub mod engine;

#[cfg(feature = "firmware")]
mod glue;

/// A panic aborts the firmware; the engine is written so none is reachable
/// (clippy denies unwrap/expect/indexing), this is only the last resort.
#[cfg(all(not(test), feature = "firmware"))]
#[panic_handler]
fn panic(_info: &core::panic::PanicInfo) -> ! {
    glue::abort()
}

/// The prebuilt `compiler_builtins` for hosted targets references this symbol
/// even with `panic = "abort"`; nothing ever unwinds, so it is never called.
#[cfg(all(not(test), feature = "firmware", target_os = "linux"))]
#[no_mangle]
pub extern "C" fn rust_eh_personality() {}
