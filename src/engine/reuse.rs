//! Keeping connections for the next request (SPEC §6): how much a closed
//! response's remainder may cost to drain, and whether an idle connection
//! is still fit to carry a request.

/// Most unread body bytes a close reads to keep its connection.
pub const DRAIN_MAX_BYTES: u64 = 4096;

/// Most milliseconds a close may wait for that remainder to arrive. Draining
/// only saves a new connection, so it never holds a caller longer: past this
/// the connection is closed instead.
pub const DRAIN_WAIT_MS: u32 = 100;

/// Whether a closed response's rest is worth draining: the server keeps
/// the connection and the rest is known to be small (`None`: unknown, as in
/// a body that ends when the connection closes).
pub fn worth_draining(keep_alive: bool, remaining: Option<u64>) -> bool {
    keep_alive && remaining.is_some_and(|n| n <= DRAIN_MAX_BYTES)
}

/// What a check of an idle connection without waiting found.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum IdleProbe {
    /// Nothing to read and no error: the connection is as it was left.
    Quiet,
    /// Readable: the peer closed it, or sent bytes nobody asked for (a late
    /// HEAD body, a pushed response).
    Readable,
    /// Reset, or some other error on the socket.
    Failed,
    /// The socket offers no way to check without waiting.
    Unknown,
    /// A Python-level socket's non-blocking read returned 0. The firmware's
    /// sockets (and the WIZnet5k library from 7.4) raise `EAGAIN` when
    /// nothing has arrived, so there 0 is the peer's close; the ESP32SPI
    /// (AirLift) library, and WIZnet5k before 7.4, return 0 for "nothing"
    /// as well. What the socket's own link status says decides.
    EmptyRead(LinkStatus),
}

/// A Python-level socket's own view of its connection, asked only when a
/// non-blocking read returned 0 (the ESP32SPI and WIZnet5k sockets' status
/// check, `_connected`: the coprocessor's or chip's TCP state).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum LinkStatus {
    /// Established: the 0 meant "nothing yet".
    Up,
    /// Closed or closing: the 0 was the peer's close.
    Down,
    /// The socket has no status check: the 0 may mean either.
    Unknown,
}

/// Whether an idle connection may carry the next request. Stale bytes must
/// never be read as the next response, so a readable or failed connection
/// sends the request to a new one. `replayable`: the request's body can be
/// sent again byte for byte.
///
/// A read of 0 that the socket cannot explain is reused only when the body
/// can be replayed: if the connection was in fact dead, the request fails
/// before any answer and the resend rule (engine::retry) sends it once more
/// on a new connection. A body that cannot go twice (a generator) gets a new
/// connection at once, since nothing could recover it there. A socket that
/// offers no non-blocking check at all (`Unknown`) is reused as before: it
/// tells nothing either way, and refusing it would end keep-alive on it.
pub fn idle_reusable(probe: IdleProbe, replayable: bool) -> bool {
    match probe {
        IdleProbe::Quiet | IdleProbe::Unknown => true,
        IdleProbe::Readable | IdleProbe::Failed => false,
        IdleProbe::EmptyRead(LinkStatus::Up) => true,
        IdleProbe::EmptyRead(LinkStatus::Down) => false,
        IdleProbe::EmptyRead(LinkStatus::Unknown) => replayable,
    }
}

#[cfg(test)]
#[path = "reuse_tests.rs"]
mod tests;
