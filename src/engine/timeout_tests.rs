use super::*;

#[test]
fn ordinary_values_pass() {
    assert_eq!(
        check(2.5),
        Ok(Timeout {
            secs: 2.5,
            ms: 2500,
            capped: false
        })
    );
    assert_eq!(check(0.0).map(|t| t.ms), Ok(0));
    assert_eq!(check(0.0005).map(|t| t.ms), Ok(0));
    assert_eq!(check(60.0).map(|t| t.ms), Ok(60_000));
    assert_eq!(check(MAX_SECS).map(|t| t.capped), Ok(false));
}

#[test]
fn negative_and_nan_are_refused() {
    assert_eq!(check(-1.0), Err(TimeoutError::Negative));
    assert_eq!(check(-0.5), Err(TimeoutError::Negative));
    assert_eq!(check(f64::NEG_INFINITY), Err(TimeoutError::Negative));
    assert_eq!(check(f64::NAN), Err(TimeoutError::NotANumber));
    assert_eq!(check(-f64::NAN), Err(TimeoutError::NotANumber));
}

#[test]
fn negative_zero_is_zero() {
    assert_eq!(check(-0.0).map(|t| t.ms), Ok(0));
}

#[test]
fn huge_values_are_capped() {
    for v in [f64::INFINITY, 1e20, 1e300, MAX_SECS + 1.0] {
        let t = check(v).unwrap();
        assert!(t.capped);
        assert_eq!(t.secs, MAX_SECS);
        assert_eq!(t.ms, 2_000_000_000);
    }
}

#[test]
fn remaining_budget() {
    assert_eq!(remaining_ms(0, 100), Some(100));
    assert_eq!(remaining_ms(40, 100), Some(60));
    assert_eq!(remaining_ms(100, 100), None);
    assert_eq!(remaining_ms(u32::MAX, 100), None);
}

#[test]
fn milliseconds_of_decimal_values_are_what_they_say() {
    // Values a caller writes, including those stored a hair below their
    // decimal meaning (0.3, 0.7, 1.1, 4.35 ...).
    for (secs, ms) in [
        (0.001, 1),
        (0.0015, 1),
        (0.3, 300),
        (0.7, 700),
        (1.1, 1100),
        (4.35, 4350),
        (0.2999, 299),
        (0.1 + 0.2, 300),
        (59.999, 59_999),
        (123.4567, 123_456),
        (1e-9, 0),
        (f64::MIN_POSITIVE, 0),
        (5e-324, 0),
        (2.5e-4, 0),
        (0.000999, 0),
        (1_999_999.999, 1_999_999_999),
        (MAX_SECS, 2_000_000_000),
    ] {
        assert_eq!(check(secs).map(|t| t.ms), Ok(ms), "{secs}");
    }
}

#[test]
fn milliseconds_agree_with_float_arithmetic() {
    // Over a spread of values, the bit arithmetic gives what multiplying
    // in f64 and truncating gives, except where that product rounds up to
    // a whole number the exact one is below by less than the nudge.
    let mut x = 1e-6f64;
    while x < MAX_SECS {
        let want = (x * 1000.0) as i32;
        let got = check(x).unwrap().ms;
        assert!(
            got == want || (got == want + 1 && (x * 1000.0).fract() > 0.999_999),
            "{x}: {got} vs {want}"
        );
        x *= 1.000_37;
    }
}

#[test]
fn one_budget_over_several_waits() {
    // Each trickled byte is progress for a single wait, never for the
    // budget: it only shrinks.
    assert_eq!(left(1000, 1000, 1000), Left::Ms(1000));
    assert_eq!(left(1000, 1300, 1000), Left::Ms(700));
    assert_eq!(left(1000, 1999, 1000), Left::Ms(1));
    assert_eq!(left(1000, 2000, 1000), Left::Spent);
    assert_eq!(left(1000, 18_000, 1000), Left::Spent);
    assert_eq!(left(1000, 1000, 0), Left::Spent);
}

#[test]
fn no_limit_never_runs_out() {
    assert_eq!(left(0, u32::MAX, -1), Left::Unlimited);
    assert_eq!(left(5, 4, i32::MIN), Left::Unlimited);
    assert_eq!(deadline(7, -1), None);
}

#[test]
fn the_counter_wrapping_is_no_timeout() {
    let started = u32::MAX - 100;
    assert_eq!(
        left(started, started.wrapping_add(300), 1000),
        Left::Ms(700)
    );
    assert_eq!(left(started, started.wrapping_add(1000), 1000), Left::Spent);
    assert_eq!(deadline(started, 1000), Some(899));
    // The longest budget still counts down across the wrap.
    let big = 2_000_000_000;
    assert_eq!(
        left(started, started.wrapping_add(1), big),
        Left::Ms(1_999_999_999)
    );
}

#[test]
fn a_reading_before_the_start_is_not_time_left() {
    // A counter that went backwards (another thread's reading taken just
    // before) looks like a wrap: far past any budget, so spent rather than
    // waiting almost 50 days.
    assert_eq!(left(1000, 999, 1000), Left::Spent);
}

#[test]
fn the_next_wait_gets_what_is_left() {
    assert_eq!(Left::Ms(250).wait_ms(), Some(250));
    assert_eq!(Left::Unlimited.wait_ms(), Some(-1));
    assert_eq!(Left::Spent.wait_ms(), None);
    assert_eq!(Left::Ms(u32::MAX).wait_ms(), Some(2_000_000_000));
}

#[test]
fn time_until_a_deadline() {
    assert_eq!(until(None, 5), Left::Unlimited);
    assert_eq!(until(Some(1000), 400), Left::Ms(600));
    assert_eq!(until(Some(1000), 1000), Left::Spent);
    assert_eq!(until(Some(1000), 1001), Left::Spent);
    // Across the counter's wrap, both ways.
    assert_eq!(
        until(deadline(u32::MAX - 9, 100), u32::MAX - 9),
        Left::Ms(100)
    );
    assert_eq!(until(deadline(u32::MAX - 9, 100), 95), Left::Spent);
    assert_eq!(until(deadline(u32::MAX - 9, 100), 80), Left::Ms(10));
}

#[test]
fn until_agrees_with_left() {
    for (started, now, budget) in [(0u32, 0u32, 1000i32), (10, 500, 1000), (u32::MAX, 3, 50)] {
        assert_eq!(
            until(deadline(started, budget), now),
            left(started, now, budget)
        );
    }
}
