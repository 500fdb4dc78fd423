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
