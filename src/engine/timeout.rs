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
///
/// Worked out on the value's IEEE 754 bits, without floating-point
/// arithmetic: on the microcontrollers this runs on, each `f64` operation
/// would pull software floating-point routines into the firmware.
pub fn check(secs: f64) -> Result<Timeout, TimeoutError> {
    const SIGN: u64 = 1 << 63;
    let bits = secs.to_bits();
    let magnitude = bits & !SIGN;
    if magnitude > f64::INFINITY.to_bits() {
        return Err(TimeoutError::NotANumber);
    }
    if bits & SIGN != 0 && magnitude != 0 {
        return Err(TimeoutError::Negative);
    }
    // Non-negative doubles order as their bits do.
    if magnitude > MAX_SECS.to_bits() {
        return Ok(Timeout {
            secs: MAX_SECS,
            ms: MAX_MS,
            capped: true,
        });
    }
    Ok(Timeout {
        // -0.0 becomes 0.0.
        secs: f64::from_bits(magnitude),
        ms: millis(magnitude),
        capped: false,
    })
}

/// `MAX_SECS` in milliseconds.
const MAX_MS: i32 = 2_000_000_000;

/// Whole milliseconds in a finite, non-negative double of at most
/// `MAX_SECS` seconds, given its bits: the exact product with 1000, plus
/// 2^-20 ms, rounded down. The small addition lets a value written in
/// decimal mean what it says (0.3 is stored as 0.29999999999999998890 s:
/// 300 ms, not 299), and is below any decimal step a caller can write,
/// since the storage error of the product is at most 2.2e-7 ms here.
fn millis(magnitude: u64) -> i32 {
    const FRACTION: u64 = (1 << 52) - 1;
    // 11 bits: the cast keeps them all.
    let biased = (magnitude >> 52) as u32;
    let fraction = magnitude & FRACTION;
    // value = m * 2^-shift
    let (m, shift) = if biased == 0 {
        (fraction, 1074u32)
    } else {
        (fraction | (1 << 52), 1075u32.saturating_sub(biased))
    };
    // Up to MAX_SECS the exponent is at least 31 below the mantissa's, and
    // m * 1000 < 2^63: nothing here overflows; a shift of 64 or more leaves
    // less than 2^-11 s, which is 0 ms.
    let scaled = m.saturating_mul(1000);
    let nudge = 1u64.checked_shl(shift.saturating_sub(20)).unwrap_or(0);
    let ms = scaled.saturating_add(nudge).checked_shr(shift).unwrap_or(0);
    i32::try_from(ms).unwrap_or(MAX_MS)
}

/// What is left of `budget_ms` after `elapsed_ms`; `None` once it is spent.
pub fn remaining_ms(elapsed_ms: u32, budget_ms: u32) -> Option<u32> {
    budget_ms.checked_sub(elapsed_ms).filter(|&left| left > 0)
}

/// What is left of a budget that covers several waits (SPEC §6: the
/// connect timeout bounds the connect and the TLS handshake together, so
/// a server that trickles its handshake cannot reset it with each byte).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Left {
    /// No limit (`timeout=None`).
    Unlimited,
    /// This many milliseconds, at least 1.
    Ms(u32),
    /// Spent: the phase it bounds has timed out.
    Spent,
}

impl Left {
    /// The timeout for the next wait in milliseconds (-1: none); `None`
    /// when the budget is spent and no wait may start.
    pub fn wait_ms(self) -> Option<i32> {
        match self {
            Left::Unlimited => Some(-1),
            Left::Ms(ms) => Some(i32::try_from(ms).unwrap_or(MAX_MS)),
            Left::Spent => None,
        }
    }
}

/// What is left at `now` of `budget_ms` (negative: no limit) started at
/// `started`. Both are readings of a millisecond counter that wraps
/// around at 2^32, so only their difference is used: right for any
/// budget up to `MAX_SECS`, however often the counter wrapped.
pub fn left(started: u32, now: u32, budget_ms: i32) -> Left {
    let Ok(budget) = u32::try_from(budget_ms) else {
        return Left::Unlimited;
    };
    match remaining_ms(now.wrapping_sub(started), budget) {
        Some(ms) => Left::Ms(ms),
        None => Left::Spent,
    }
}

/// What is left at `now` until `deadline` (from `deadline`; None: no
/// limit). A deadline is never more than `MAX_SECS` ahead, so a distance of
/// 2^31 ms or more means it has passed (the counter went beyond it).
pub fn until(deadline: Option<u32>, now: u32) -> Left {
    let Some(at) = deadline else {
        return Left::Unlimited;
    };
    let ahead = at.wrapping_sub(now);
    if ahead == 0 || ahead > i32::MAX.unsigned_abs() {
        Left::Spent
    } else {
        Left::Ms(ahead)
    }
}

/// The counter reading at which `budget_ms` (negative: no limit) started
/// at `started` runs out, for waits that are woken by a timer.
pub fn deadline(started: u32, budget_ms: i32) -> Option<u32> {
    u32::try_from(budget_ms)
        .ok()
        .map(|ms| started.wrapping_add(ms))
}

#[cfg(test)]
#[path = "timeout_tests.rs"]
mod tests;
