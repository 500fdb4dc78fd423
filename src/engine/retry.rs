//! Whether a request that failed may go out again on a new connection
//! (SPEC §6): only the keep-alive race qualifies — a connection taken from
//! the idle list that the peer had already closed or reset, noticed before
//! one byte of the answer came. Anything else may already have reached the
//! server, and sending it again could act twice.

/// How an attempt on a connection failed.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Failure {
    /// The peer closed the connection (end of stream).
    Closed,
    /// The connection was reset or aborted under a send or a receive.
    Reset,
    /// A send or a receive waited its whole timeout.
    Timeout,
    /// Anything else: another socket error, the body's own source, memory,
    /// an interrupt.
    Other,
}

/// `reused`: the connection came from the idle list. `response_bytes_seen`:
/// some byte of the answer arrived. `replayable`: the body can be sent
/// again byte for byte (not a generator, and its length checks held).
pub fn may_resend(
    reused: bool,
    response_bytes_seen: bool,
    failure: Failure,
    replayable: bool,
) -> bool {
    reused && !response_bytes_seen && replayable && connection_lost(failure)
}

/// The peer went away without answering: reported as the reference's
/// `OutOfRetries` once no (further) attempt is allowed.
pub fn connection_lost(failure: Failure) -> bool {
    matches!(failure, Failure::Closed | Failure::Reset)
}

#[cfg(test)]
#[path = "retry_tests.rs"]
mod tests;
