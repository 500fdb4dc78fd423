//! The engine under fuzzing: the main crate's sans-I/O engine, re-exported
//! under a short name for the targets.
pub use adafruit_requests_native::engine::*;
