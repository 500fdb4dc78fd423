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
    for replayable in [true, false] {
        assert!(idle_reusable(IdleProbe::Quiet, replayable));
        assert!(idle_reusable(IdleProbe::Unknown, replayable));
        assert!(!idle_reusable(IdleProbe::Readable, replayable));
        assert!(!idle_reusable(IdleProbe::Failed, replayable));
    }
}

#[test]
fn an_empty_read_is_what_the_link_status_says() {
    // ESP32SPI / WIZnet5k: 0 from a non-blocking read while established is
    // "nothing yet", so keep-alive reuse works there.
    for replayable in [true, false] {
        assert!(idle_reusable(
            IdleProbe::EmptyRead(LinkStatus::Up),
            replayable
        ));
        assert!(!idle_reusable(
            IdleProbe::EmptyRead(LinkStatus::Down),
            replayable
        ));
    }
}

#[test]
fn an_unexplained_empty_read_is_risked_only_with_a_replayable_body() {
    assert!(idle_reusable(
        IdleProbe::EmptyRead(LinkStatus::Unknown),
        true
    ));
    assert!(!idle_reusable(
        IdleProbe::EmptyRead(LinkStatus::Unknown),
        false
    ));
}
