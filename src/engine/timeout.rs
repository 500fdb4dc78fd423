//! Timeout values (SPEC §6): `None` waits without limit, a negative or NaN
//! value is refused, and a value beyond what sockets accept is capped.

/// Longest timeout handed to a socket, in seconds (about 23 days): its
/// milliseconds still fit an `i32`, and POSIX `timeval`s, lwIP's `u32`
/// milliseconds and CircuitPython's sockets take it. `inf` and `1e20`
/// become this.
pub const MAX_SECS: f64 = 2_000_000.0;

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum TimeoutError {
    Negative,
    NotANumber,
}

#[derive(Clone, Copy, Debug, PartialEq)]
pub struct Timeout {
    /// Seconds to give the socket.
    pub secs: f64,
    /// The same in whole milliseconds, rounded down.
    pub ms: i32,
    /// `secs` differs from the caller's value.
    pub capped: bool,
}

/// Checks a timeout in seconds (`None` is handled by the caller).
pub fn check(secs: f64) -> Result<Timeout, TimeoutError> {
    if secs.is_nan() {
        return Err(TimeoutError::NotANumber);
    }
    if secs < 0.0 {
        return Err(TimeoutError::Negative);
    }
    let capped = secs > MAX_SECS;
    let secs = if capped { MAX_SECS } else { secs };
    // In range by the cap above; `as` saturates in any case.
    let ms = (secs * 1000.0) as i32;
    Ok(Timeout { secs, ms, capped })
}

/// What is left of `budget_ms` after `elapsed_ms`; `None` once it is spent.
pub fn remaining_ms(elapsed_ms: u32, budget_ms: u32) -> Option<u32> {
    budget_ms.checked_sub(elapsed_ms).filter(|&left| left > 0)
}

#[cfg(test)]
#[path = "timeout_tests.rs"]
mod tests;
