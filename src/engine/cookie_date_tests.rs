use super::parse;

const SUN_06_NOV_1994: i64 = 784_111_777;

#[test]
fn rfc1123() {
    assert_eq!(
        parse(b"Sun, 06 Nov 1994 08:49:37 GMT"),
        Some(SUN_06_NOV_1994)
    );
}

#[test]
fn rfc850_two_digit_year() {
    assert_eq!(
        parse(b"Sunday, 06-Nov-94 08:49:37 GMT"),
        Some(SUN_06_NOV_1994)
    );
}

#[test]
fn asctime() {
    assert_eq!(parse(b"Sun Nov  6 08:49:37 1994"), Some(SUN_06_NOV_1994));
}

#[test]
fn lenient_forms_browsers_accept() {
    // Month spelled out, no weekday, no zone, odd delimiters.
    assert_eq!(parse(b"6 November 1994 08:49:37"), Some(SUN_06_NOV_1994));
    assert_eq!(parse(b"06-nov-1994 8:49:37"), Some(SUN_06_NOV_1994));
}

#[test]
fn epoch_and_years_below_70() {
    assert_eq!(parse(b"Thu, 01 Jan 1970 00:00:00 GMT"), Some(0));
    // 0-69 are 2000-2069.
    assert_eq!(
        parse(b"Fri, 01 Jan 38 00:00:00 GMT"),
        parse(b"01 Jan 2038 00:00:00")
    );
}

#[test]
fn leap_day() {
    assert_eq!(parse(b"29 Feb 2024 00:00:00"), Some(1_709_164_800));
    assert_eq!(parse(b"29 Feb 2023 00:00:00"), None);
}

#[test]
fn refused() {
    for bad in [
        &b""[..],
        b"Sun, 06 Nov 1994",          // no time
        b"06 Nov 08:49:37",           // no year
        b"Sun, 32 Nov 1994 08:49:37", // no such day
        b"Sun, 06 Nov 1600 08:49:37", // before 1601
        b"Sun, 06 Nov 1994 24:00:00",
        b"Sun, 06 Nov 1994 08:60:00",
        b"Sun, 06 Xyz 1994 08:49:37",
        b"tomorrow",
    ] {
        assert_eq!(parse(bad), None, "{}", String::from_utf8_lossy(bad));
    }
}
