//! Cookie dates (RFC 6265 §5.1.1): the lenient algorithm every browser
//! uses for `Expires` (and here for the response's `Date`), which accepts
//! RFC 1123, RFC 850 and asctime dates and their common misspellings.

use super::encode::eq_ignore_case;

/// Seconds since 1970-01-01T00:00:00Z, or None when the text is no date.
// Every field is at most 4 digits once parsed, so the arithmetic is bounded.
#[allow(clippy::arithmetic_side_effects)]
pub fn parse(text: &[u8]) -> Option<i64> {
    let mut time: Option<(u32, u32, u32)> = None;
    let mut day: Option<u32> = None;
    let mut month: Option<u32> = None;
    let mut year: Option<u32> = None;
    for token in text.split(|&b| is_delimiter(b)).filter(|t| !t.is_empty()) {
        if time.is_none() {
            if let Some(t) = time_of(token) {
                time = Some(t);
                continue;
            }
        }
        if day.is_none() {
            if let Some(d) = digits_then_rest(token, 1, 2) {
                day = Some(d);
                continue;
            }
        }
        if month.is_none() {
            if let Some(m) = month_of(token) {
                month = Some(m);
                continue;
            }
        }
        if year.is_none() {
            if let Some(y) = digits_then_rest(token, 2, 4) {
                year = Some(y);
                continue;
            }
        }
    }
    let (hour, minute, second) = time?;
    let (day, month, mut year) = (day?, month?, year?);
    if (70..=99).contains(&year) {
        year = year.saturating_add(1900);
    } else if year <= 69 {
        year = year.saturating_add(2000);
    }
    if year < 1601 || hour > 23 || minute > 59 || second > 59 {
        return None;
    }
    if day < 1 || day > days_in_month(year, month) {
        return None;
    }
    // year <= 9999 (four digits at most), month and day checked above.
    let small = |v: u32| i32::try_from(v).unwrap_or(i32::MAX);
    let days = days_from_civil(small(year), small(month), small(day));
    Some(
        days.saturating_mul(86_400)
            .saturating_add(i64::from(hour) * 3600 + i64::from(minute) * 60 + i64::from(second)),
    )
}

/// %x09 / %x20-2F / %x3B-40 / %x5B-60 / %x7B-7E
fn is_delimiter(b: u8) -> bool {
    matches!(b, 0x09 | 0x20..=0x2F | 0x3B..=0x40 | 0x5B..=0x60 | 0x7B..=0x7E)
}

/// `min..=max` digits, then nothing or a non-digit and anything.
fn digits_then_rest(token: &[u8], min: usize, max: usize) -> Option<u32> {
    let n = token.iter().take_while(|b| b.is_ascii_digit()).count();
    if n < min || n > max {
        return None;
    }
    Some(token.iter().take(n).fold(0u32, |v, &b| {
        v.saturating_mul(10)
            .saturating_add(u32::from(b.wrapping_sub(b'0')))
    }))
}

/// `1*2DIGIT ":" 1*2DIGIT ":" 1*2DIGIT ( non-digit *OCTET )`.
fn time_of(token: &[u8]) -> Option<(u32, u32, u32)> {
    let mut parts = [0u32; 3];
    let mut rest = token;
    for (i, slot) in parts.iter_mut().enumerate() {
        let n = rest.iter().take_while(|b| b.is_ascii_digit()).count();
        if n == 0 || n > 2 {
            return None;
        }
        *slot = digits_then_rest(rest, 1, 2)?;
        rest = rest.get(n..)?;
        if i < 2 {
            if rest.first() != Some(&b':') {
                return None;
            }
            rest = rest.get(1..)?;
        }
    }
    let [h, m, s] = parts;
    Some((h, m, s))
}

fn month_of(token: &[u8]) -> Option<u32> {
    const MONTHS: [&[u8; 3]; 12] = [
        b"jan", b"feb", b"mar", b"apr", b"may", b"jun", b"jul", b"aug", b"sep", b"oct", b"nov",
        b"dec",
    ];
    let head = token.get(..3)?;
    let i = MONTHS.iter().position(|m| eq_ignore_case(head, &m[..]))?;
    u32::try_from(i).ok().map(|i| i.saturating_add(1))
}

fn is_leap(y: u32) -> bool {
    y.is_multiple_of(4) && (!y.is_multiple_of(100) || y.is_multiple_of(400))
}

fn days_in_month(year: u32, month: u32) -> u32 {
    match month {
        2 if is_leap(year) => 29,
        2 => 28,
        4 | 6 | 9 | 11 => 30,
        _ => 31,
    }
}

/// Days since 1970-01-01 of a proleptic Gregorian date (Howard Hinnant's
/// civil-from-days inverse); inputs are small (years of at most four
/// digits), so no overflow. In i32: 64-bit division would link a software
/// divider of about a kilobyte on 32-bit boards.
#[allow(clippy::arithmetic_side_effects)]
fn days_from_civil(y: i32, m: i32, d: i32) -> i64 {
    let y = if m <= 2 { y - 1 } else { y };
    let era = y.div_euclid(400);
    let yoe = y - era * 400;
    let mp = (m + 9) % 12;
    let doy = (153 * mp + 2) / 5 + d - 1;
    let doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
    i64::from(era * 146_097 + doe - 719_468)
}

#[cfg(test)]
#[path = "cookie_date_tests.rs"]
mod tests;
