use super::*;

const FAILURES: [Failure; 4] = [
    Failure::Closed,
    Failure::Reset,
    Failure::Timeout,
    Failure::Other,
];

#[test]
fn only_the_keep_alive_race_is_resent() {
    let mut allowed = 0;
    for reused in [false, true] {
        for seen in [false, true] {
            for replayable in [false, true] {
                for f in FAILURES {
                    let got = may_resend(reused, seen, f, replayable);
                    let want = reused
                        && !seen
                        && replayable
                        && (f == Failure::Closed || f == Failure::Reset);
                    assert_eq!(got, want, "{reused} {seen} {replayable} {f:?}");
                    allowed += usize::from(got);
                }
            }
        }
    }
    // Exactly closed-or-reset on a reused connection, nothing seen, replayable.
    assert_eq!(allowed, 2);
}

#[test]
fn never_after_a_timeout() {
    assert!(!may_resend(true, false, Failure::Timeout, true));
}

#[test]
fn never_on_a_fresh_connection() {
    for f in FAILURES {
        assert!(!may_resend(false, false, f, true));
    }
}

#[test]
fn never_once_the_answer_began() {
    assert!(!may_resend(true, true, Failure::Closed, true));
    assert!(!may_resend(true, true, Failure::Reset, true));
}

#[test]
fn never_a_body_that_cannot_be_replayed() {
    assert!(!may_resend(true, false, Failure::Closed, false));
    assert!(!may_resend(true, false, Failure::Reset, false));
}

#[test]
fn lost_connections() {
    assert!(connection_lost(Failure::Closed));
    assert!(connection_lost(Failure::Reset));
    assert!(!connection_lost(Failure::Timeout));
    assert!(!connection_lost(Failure::Other));
}
