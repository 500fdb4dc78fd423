//! The engine, compiled straight from the main crate's sources.
//!
//! Depending on `adafruit_requests_native` itself does not work here: Cargo
//! also builds its `staticlib` crate type, and as a `no_std` crate without a
//! panic handler (that lives in the firmware glue) it fails to link. The
//! engine has no dependency on the rest of the crate, so including its module
//! tree by path fuzzes exactly the same code.
#[path = "../../src/engine/mod.rs"]
mod sources;
pub use sources::*;
