//! `Set-Cookie` as a client reads it (RFC 6265 §5.2) and the matching rules
//! of §5.1.3-§5.1.4: domain-match, default-path and path-match. The jar that
//! keeps accepted cookies is `cookie_jar`.

use super::cookie_date;
use super::encode::{eq_ignore_case, fields, has_byte};
use super::writer::Writer;

/// One `Set-Cookie` line, split; slices borrow the line. Unknown
/// attributes are dropped; of a repeated attribute the last one counts.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct SetCookie<'a> {
    pub name: &'a [u8],
    pub value: &'a [u8],
    /// Without a leading '.', as written (compare ignoring case).
    pub domain: Option<&'a [u8]>,
    /// Only a value starting with '/'; anything else means the default path.
    pub path: Option<&'a [u8]>,
    /// Seconds; zero or less means "already expired".
    pub max_age: Option<i64>,
    /// Seconds since 1970 (cookie_date).
    pub expires: Option<i64>,
    pub secure: bool,
    pub http_only: bool,
}

/// SP and HTAB.
fn trim(mut s: &[u8]) -> &[u8] {
    while let [b' ' | b'\t', rest @ ..] = s {
        s = rest;
    }
    while let [rest @ .., b' ' | b'\t'] = s {
        s = rest;
    }
    s
}

/// Bytes a cookie name or value may not hold: controls other than HTAB
/// (RFC 6265bis §5.6 step 2), and ';' which would end the pair.
fn bad_byte(b: u8) -> bool {
    (b < 0x20 && b != b'\t') || b == 0x7f || b == b';'
}

/// A cookie name or value the jar can keep and send back in `Cookie`.
pub fn valid_pair(name: &[u8], value: &[u8]) -> bool {
    !name.is_empty()
        && !name
            .iter()
            .any(|&b| bad_byte(b) || b == b'=' || b == b' ' || b == b'\t')
        && !value.iter().any(|&b| bad_byte(b))
        && trim(value) == value
}

/// §5.2: None when the line must be ignored (no '=', empty name, or a
/// byte no `Cookie` header could carry back).
pub fn parse(line: &[u8]) -> Option<SetCookie<'_>> {
    let mut parts = fields(line, b';');
    let pair = parts.next()?;
    let eq = pair.iter().position(|&b| b == b'=')?;
    let name = trim(pair.get(..eq)?);
    let value = trim(pair.get(eq.saturating_add(1)..)?);
    if !valid_pair(name, value) {
        return None;
    }
    let mut c = SetCookie {
        name,
        value,
        ..SetCookie::default()
    };
    for av in parts {
        let (key, val) = match av.iter().position(|&b| b == b'=') {
            Some(i) => (
                trim(av.get(..i).unwrap_or(&[])),
                trim(av.get(i.saturating_add(1)..).unwrap_or(&[])),
            ),
            None => (trim(av), &[][..]),
        };
        if eq_ignore_case(key, b"expires") {
            if let Some(t) = cookie_date::parse(val) {
                c.expires = Some(t);
            }
        } else if eq_ignore_case(key, b"max-age") {
            if let Some(n) = max_age(val) {
                c.max_age = Some(n);
            }
        } else if eq_ignore_case(key, b"domain") {
            // An empty Domain is ignored (§5.2.3); one leading dot goes.
            let d = val.strip_prefix(b".").unwrap_or(val);
            if !val.is_empty() {
                c.domain = Some(d);
            }
        } else if eq_ignore_case(key, b"path") {
            c.path = val.starts_with(b"/").then_some(val);
        } else if eq_ignore_case(key, b"secure") {
            c.secure = true;
        } else if eq_ignore_case(key, b"httponly") {
            c.http_only = true;
        }
    }
    Some(c)
}

/// §5.2.2: an optional '-' then digits only; huge values saturate.
fn max_age(v: &[u8]) -> Option<i64> {
    let (neg, digits) = match v.strip_prefix(b"-") {
        Some(d) => (true, d),
        None => (false, v),
    };
    if digits.is_empty() || !digits.iter().all(u8::is_ascii_digit) {
        return None;
    }
    let n = digits.iter().fold(0i64, |n, &b| {
        n.saturating_mul(10)
            .saturating_add(i64::from(b.wrapping_sub(b'0')))
    });
    Some(if neg { n.saturating_neg() } else { n })
}

impl SetCookie<'_> {
    /// The line again, in a canonical form that `parse` reads back as the
    /// same value (Expires as a number of seconds is not a date, so it is
    /// written as an RFC 1123 date).
    pub fn write(&self, w: &mut Writer) {
        w.put(self.name);
        w.put_byte(b'=');
        w.put(self.value);
        if let Some(d) = self.domain {
            // The parser takes one leading dot away, so one goes back.
            w.put(b"; Domain=.");
            w.put(d);
        }
        if let Some(p) = self.path {
            w.put(b"; Path=");
            w.put(p);
        }
        if let Some(n) = self.max_age {
            w.put(b"; Max-Age=");
            if n < 0 {
                w.put_byte(b'-');
            }
            put_u64(w, n.unsigned_abs());
        }
        if let Some(t) = self.expires {
            w.put(b"; Expires=");
            write_date(w, t);
        }
        if self.secure {
            w.put(b"; Secure");
        }
        if self.http_only {
            w.put(b"; HttpOnly");
        }
    }
}

/// `Thu, 01 Jan 1970 00:00:00 GMT` style (the weekday is left out: the
/// parser ignores it). Years before 1601 never come out of the parser.
pub fn write_date(w: &mut Writer, t: i64) {
    const MONTHS: [&[u8; 3]; 12] = [
        b"Jan", b"Feb", b"Mar", b"Apr", b"May", b"Jun", b"Jul", b"Aug", b"Sep", b"Oct", b"Nov",
        b"Dec",
    ];
    let (y, m, d) = civil_from_days(t.div_euclid(86_400));
    let secs = t.rem_euclid(86_400);
    two(w, d);
    w.put_byte(b' ');
    let mi = usize::try_from(m.saturating_sub(1)).unwrap_or(0);
    w.put(MONTHS.get(mi).map_or(&b"Jan"[..], |m| &m[..]));
    w.put_byte(b' ');
    w.put_decimal(usize::try_from(y).unwrap_or(0));
    w.put_byte(b' ');
    two(w, secs / 3600);
    w.put_byte(b':');
    two(w, secs % 3600 / 60);
    w.put_byte(b':');
    two(w, secs % 60);
    w.put(b" GMT");
}

fn put_u64(w: &mut Writer, n: u64) {
    let mut digits = [0u8; 20];
    let mut start = digits.len();
    let mut v = n;
    loop {
        start = start.saturating_sub(1);
        if let Some(d) = digits.get_mut(start) {
            *d = b'0'.saturating_add(u8::try_from(v % 10).unwrap_or(0));
        }
        v /= 10;
        if v == 0 {
            break;
        }
    }
    w.put(digits.get(start..).unwrap_or(&[]));
}

fn two(w: &mut Writer, n: i64) {
    let n = u8::try_from(n.rem_euclid(100)).unwrap_or(0);
    w.put(&[b'0'.saturating_add(n / 10), b'0'.saturating_add(n % 10)]);
}

/// The inverse of `cookie_date`'s days_from_civil.
#[allow(clippy::arithmetic_side_effects)] // |days| < 2^40 from any parsed date
fn civil_from_days(z: i64) -> (i64, i64, i64) {
    let z = z.clamp(-(1 << 40), 1 << 40) + 719_468;
    let era = z.div_euclid(146_097);
    let doe = z - era * 146_097;
    let yoe = (doe - doe / 1460 + doe / 36_524 - doe / 146_096) / 365;
    let doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    let mp = (5 * doy + 2) / 153;
    let d = doy - (153 * mp + 2) / 5 + 1;
    let m = if mp < 10 { mp + 3 } else { mp - 9 };
    let y = yoe + era * 400 + i64::from(m <= 2);
    (y, m, d)
}

/// The `Cookie` request header, written one pair at a time: nothing at all
/// when no pair comes.
#[derive(Default)]
pub struct CookieLine {
    started: bool,
}

impl CookieLine {
    pub fn pair(&mut self, w: &mut Writer, name: &[u8], value: &[u8]) {
        w.put(if self.started {
            &b"; "[..]
        } else {
            b"Cookie: "
        });
        self.started = true;
        w.put(name);
        w.put_byte(b'=');
        w.put(value);
    }

    pub fn finish(self, w: &mut Writer) {
        if self.started {
            w.put(b"\r\n");
        }
    }
}

/// An IPv4 or IPv6 literal: never matched by a suffix (§5.1.3).
pub fn is_ip_literal(host: &[u8]) -> bool {
    has_byte(host, b':')
        || (!host.is_empty() && host.iter().all(|&b| b.is_ascii_digit() || b == b'.'))
}

/// §5.1.3 domain-match, ignoring ASCII case: the same name, or `host` ends
/// with "." + `domain` and is a name rather than an address.
pub fn domain_match(host: &[u8], domain: &[u8]) -> bool {
    if eq_ignore_case(host, domain) {
        return true;
    }
    let Some(cut) = host.len().checked_sub(domain.len()) else {
        return false;
    };
    cut > 0
        && host.get(cut..).is_some_and(|t| eq_ignore_case(t, domain))
        && host.get(cut.saturating_sub(1)) == Some(&b'.')
        && !is_ip_literal(host)
}

/// A `Domain=` that names a whole top-level domain ("com", "local"): one
/// label, which no registrable site is. A cookie may name it only when it
/// is the request's own host (then it stays host-only, §5.3 step 5).
pub fn is_bare_tld(domain: &[u8]) -> bool {
    !has_byte(domain, b'.')
}

/// §5.1.4 default-path of a request path (its query already cut off).
pub fn default_path(path: &[u8]) -> &[u8] {
    if !path.starts_with(b"/") {
        return b"/";
    }
    match path.iter().rposition(|&b| b == b'/') {
        Some(0) | None => b"/",
        Some(i) => path.get(..i).unwrap_or(b"/"),
    }
}

/// §5.1.4 path-match: the same path, or `cookie_path` is a prefix that ends
/// at a '/' of the request path.
pub fn path_match(request_path: &[u8], cookie_path: &[u8]) -> bool {
    let req = if request_path.is_empty() {
        &b"/"[..]
    } else {
        request_path
    };
    if !req.starts_with(cookie_path) {
        return false;
    }
    req.len() == cookie_path.len()
        || cookie_path.ends_with(b"/")
        || req.get(cookie_path.len()) == Some(&b'/')
}

#[cfg(test)]
#[path = "cookie_tests.rs"]
mod tests;
