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
}

/// Whether an idle connection may carry the next request. Stale bytes must
/// never be read as the next response, so anything but quiet (or a socket
/// that cannot tell) sends the request to a new connection.
pub fn idle_reusable(probe: IdleProbe) -> bool {
    matches!(probe, IdleProbe::Quiet | IdleProbe::Unknown)
}

#[cfg(test)]
#[path = "reuse_tests.rs"]
mod tests;
