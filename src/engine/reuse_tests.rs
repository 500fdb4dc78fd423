use super::*;

#[test]
fn drain_only_a_small_known_rest_of_a_kept_connection() {
    assert!(worth_draining(true, Some(0)));
    assert!(worth_draining(true, Some(DRAIN_MAX_BYTES)));
    assert!(!worth_draining(true, Some(DRAIN_MAX_BYTES + 1)));
    assert!(!worth_draining(true, None));
    assert!(!worth_draining(false, Some(0)));
    assert!(!worth_draining(false, None));
}

#[test]
fn idle_connection_verdicts() {
    assert!(idle_reusable(IdleProbe::Quiet));
    assert!(idle_reusable(IdleProbe::Unknown));
    assert!(!idle_reusable(IdleProbe::Readable));
    assert!(!idle_reusable(IdleProbe::Failed));
}
