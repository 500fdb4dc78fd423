//! A cookie jar in one byte buffer (RFC 6265 §5.3 storage, §5.4 the
//! `Cookie` header). The glue keeps the buffer in a GC block and grows it
//! as `capacity_for` asks; the jar itself never allocates.
//!
//! Layout: a 16-byte header (jar clock in ms: u64, last tick seen: u32,
//! record bytes used: u16, record count: u16), then the records oldest
//! first. A record: flags u8, name length u8, value length u16, domain
//! length u8, path length u8, expiry u32 (jar seconds, 0 for a session
//! cookie), then the name, value, domain (lower-case) and path bytes.
//! Integers are little-endian.

use super::cookie::{default_path, domain_match, is_bare_tld, path_match, SetCookie};
use super::encode::eq_ignore_case;
use super::writer::{compact, shift_right};

/// At most this many cookies; the oldest goes first to make room.
pub const MAX_COOKIES: usize = 16;
/// At most this many record bytes (RECORD_HEADER + name, value, domain and
/// path of each cookie).
pub const MAX_BYTES: usize = 2048;
pub const HEADER: usize = 16;
pub const RECORD_HEADER: usize = 10;
/// The largest buffer a jar asks for.
pub const MAX_CAPACITY: usize = HEADER + MAX_BYTES;

/// `Expires` dates are measured against the response's `Date`; a response
/// without one is compared with this (2025-01-01T00:00:00Z): an earlier
/// date deletes the cookie (the usual "Thu, 01 Jan 1970" deletion), a later
/// one keeps it for the session, as the board has no calendar clock.
pub const NO_DATE_FLOOR: i64 = 1_735_689_600;

const HOST_ONLY: u8 = 1;
const SECURE: u8 = 2;
const HTTP_ONLY: u8 = 4;

/// The request a cookie comes from or goes to.
#[derive(Clone, Copy, Debug)]
pub struct Origin<'a> {
    pub host: &'a [u8],
    /// The path of the request target, without the query.
    pub path: &'a [u8],
    pub https: bool,
}

/// A cookie ready to store.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Cookie<'a> {
    pub name: &'a [u8],
    pub value: &'a [u8],
    /// The request host for a host-only cookie; empty: every host (a
    /// cookie the script set without a domain, as `requests` does).
    pub domain: &'a [u8],
    pub path: &'a [u8],
    pub host_only: bool,
    pub secure: bool,
    pub http_only: bool,
    /// Jar seconds when it expires; 0: at the end of the session.
    pub expires: u32,
    /// Already expired: storing it only deletes its namesake.
    pub gone: bool,
}

impl Cookie<'_> {
    pub fn record_len(&self) -> usize {
        RECORD_HEADER
            .saturating_add(self.name.len())
            .saturating_add(self.value.len())
            .saturating_add(self.domain.len())
            .saturating_add(self.path.len())
    }
}

/// §5.3: what the jar keeps of `sc`, received in answer to a request to
/// `o`, or None when it must be ignored. `now_ms` is the jar clock; `date`
/// the response's `Date` (seconds since 1970) if it had one.
pub fn accept<'a>(
    sc: &SetCookie<'a>,
    o: &Origin<'a>,
    now_ms: u64,
    date: Option<i64>,
) -> Option<Cookie<'a>> {
    let (domain, host_only) = match sc.domain {
        Some(d) if !d.is_empty() => {
            if eq_ignore_case(d, o.host) {
                // Naming its own host (even a one-label one) is allowed.
                (o.host, is_bare_tld(d))
            } else if !is_bare_tld(d) && domain_match(o.host, d) {
                (d, false)
            } else {
                return None;
            }
        }
        _ => (o.host, true),
    };
    // A Secure cookie only from a secure origin (RFC 6265bis §5.7 step 14).
    if sc.secure && !o.https {
        return None;
    }
    let path = sc.path.unwrap_or_else(|| default_path(o.path));
    let delta = match (sc.max_age, sc.expires) {
        (Some(n), _) => Some(n),
        (None, Some(e)) => match date {
            Some(d) => Some(e.saturating_sub(d)),
            None if e <= NO_DATE_FLOOR => Some(0),
            None => None,
        },
        (None, None) => None,
    };
    let (expires, gone) = match delta {
        None => (0, false),
        Some(n) if n <= 0 => (0, true),
        Some(n) => (expiry_at(now_ms, n), false),
    };
    let c = Cookie {
        name: sc.name,
        value: sc.value,
        domain,
        path,
        host_only,
        secure: sc.secure,
        http_only: sc.http_only,
        expires,
        gone,
    };
    fits(&c).then_some(c)
}

/// Whether a cookie's parts fit the record format and the jar at all.
pub fn fits(c: &Cookie) -> bool {
    c.name.len() <= 255
        && c.domain.len() <= 255
        && c.path.len() <= 255
        && c.value.len() <= usize::from(u16::MAX)
        && c.record_len() <= MAX_BYTES
}

/// The jar second (rounded up) at which a cookie living `secs` from
/// `now_ms` is gone; never 0, saturating at u32::MAX (136 years).
pub fn expiry_at(now_ms: u64, secs: i64) -> u32 {
    let ms = u64::try_from(secs)
        .unwrap_or(0)
        .saturating_mul(1000)
        .saturating_add(now_ms);
    let (q, r) = div_small(ms, 1000);
    let s = q.saturating_add(u64::from(r != 0));
    u32::try_from(s).unwrap_or(u32::MAX).max(1)
}

/// `x / d` and `x % d` for a divisor below 2^16, with 32-bit divisions
/// only: a 64-bit one would link a software divider of about a kilobyte on
/// 32-bit boards.
fn div_small(x: u64, d: u16) -> (u64, u32) {
    let d = u32::from(d.max(1));
    let mut q: u64 = 0;
    let mut r: u32 = 0;
    for shift in [48u32, 32, 16, 0] {
        // r < d < 2^16, so cur < 2^32.
        let cur = (r << 16) | ((x >> shift) as u32 & 0xffff);
        let (qd, rd) = (
            cur.checked_div(d).unwrap_or(0),
            cur.checked_rem(d).unwrap_or(0),
        );
        q = (q << 16) | u64::from(qd);
        r = rd;
    }
    (q, r)
}

/// One stored cookie, borrowing the jar.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Rec<'a> {
    /// Offset of the record in the buffer, and its length.
    pub at: usize,
    pub len: usize,
    pub name: &'a [u8],
    pub value: &'a [u8],
    pub domain: &'a [u8],
    pub path: &'a [u8],
    pub host_only: bool,
    pub secure: bool,
    pub http_only: bool,
    pub expires: u32,
}

impl Rec<'_> {
    fn expired(&self, now_ms: u64) -> bool {
        self.expires != 0 && now_ms >= u64::from(self.expires).saturating_mul(1000)
    }

    /// §5.4 step 1: whether this cookie goes with a request to `o`.
    pub fn matches(&self, o: &Origin) -> bool {
        let host_ok = if self.domain.is_empty() {
            true
        } else if self.host_only {
            eq_ignore_case(o.host, self.domain)
        } else {
            domain_match(o.host, self.domain)
        };
        host_ok && path_match(o.path, self.path) && (o.https || !self.secure)
    }
}

// Out of line: a record's fields are read through it in many places, and
// each inlined copy carried its two bounds checks.
#[inline(never)]
fn u16_at(b: &[u8], at: usize) -> usize {
    match (b.get(at), b.get(at.saturating_add(1))) {
        (Some(&lo), Some(&hi)) => usize::from(u16::from_le_bytes([lo, hi])),
        _ => 0,
    }
}

fn u32_at(b: &[u8], at: usize) -> u32 {
    let mut q = [0u8; 4];
    if let Some(s) = b.get(at..at.saturating_add(4)) {
        q.copy_from_slice(s);
    }
    u32::from_le_bytes(q)
}

fn put(b: &mut [u8], at: usize, v: &[u8]) {
    if let Some(d) = b.get_mut(at..at.saturating_add(v.len())) {
        d.copy_from_slice(v);
    }
}

/// The records of a jar buffer, oldest first.
pub struct Records<'a> {
    buf: &'a [u8],
    at: usize,
    end: usize,
}

impl<'a> Iterator for Records<'a> {
    type Item = Rec<'a>;
    fn next(&mut self) -> Option<Rec<'a>> {
        let b = self.buf;
        let at = self.at;
        if at.saturating_add(RECORD_HEADER) > self.end {
            return None;
        }
        let flags = *b.get(at)?;
        let nl = usize::from(*b.get(at.saturating_add(1))?);
        let vl = u16_at(b, at.saturating_add(2));
        let dl = usize::from(*b.get(at.saturating_add(4))?);
        let pl = usize::from(*b.get(at.saturating_add(5))?);
        let expires = u32_at(b, at.saturating_add(6));
        let n0 = at.saturating_add(RECORD_HEADER);
        let v0 = n0.saturating_add(nl);
        let d0 = v0.saturating_add(vl);
        let p0 = d0.saturating_add(dl);
        let end = p0.saturating_add(pl);
        if end > self.end {
            return None;
        }
        self.at = end;
        Some(Rec {
            at,
            len: end.saturating_sub(at),
            name: b.get(n0..v0)?,
            value: b.get(v0..d0)?,
            domain: b.get(d0..p0)?,
            path: b.get(p0..end)?,
            host_only: flags & HOST_ONLY != 0,
            secure: flags & SECURE != 0,
            http_only: flags & HTTP_ONLY != 0,
            expires,
        })
    }
}

/// The records of `buf` (a jar buffer; anything shorter than the header
/// is an empty jar).
pub fn records(buf: &[u8]) -> Records<'_> {
    let used = u16_at(buf, 12);
    Records {
        buf,
        at: HEADER,
        end: HEADER.saturating_add(used).min(buf.len()),
    }
}

/// How many cookies a jar buffer holds.
pub fn count(buf: &[u8]) -> usize {
    u16_at(buf, 14)
}

/// Writes the `Cookie` header value's pairs for a request to `o` (§5.4):
/// longer paths first, then older cookies first. `each` gets every name
/// and value.
pub fn for_request(buf: &[u8], o: &Origin, each: &mut dyn FnMut(&[u8], &[u8])) {
    let mut picked: [Option<Rec>; MAX_COOKIES] = [None; MAX_COOKIES];
    let mut n = 0usize;
    for r in records(buf).filter(|r| r.matches(o)) {
        // Insertion keeps equal path lengths in age order.
        let mut i = n;
        while i > 0 {
            let prev = picked.get(i.saturating_sub(1)).copied().flatten();
            match prev {
                Some(p) if p.path.len() < r.path.len() => {
                    if let Some(slot) = picked.get_mut(i) {
                        *slot = Some(p);
                    }
                    i = i.saturating_sub(1);
                }
                _ => break,
            }
        }
        if let Some(slot) = picked.get_mut(i) {
            *slot = Some(r);
            n = n.saturating_add(1);
        }
    }
    for r in picked.iter().flatten() {
        each(r.name, r.value);
    }
}

/// A jar over its whole buffer.
pub struct Jar<'a> {
    buf: &'a mut [u8],
}

impl<'a> Jar<'a> {
    pub fn new(buf: &'a mut [u8]) -> Self {
        Jar { buf }
    }

    /// An empty jar whose clock starts at `tick` (ticks_ms).
    pub fn init(&mut self, tick: u32) {
        if let Some(h) = self.buf.get_mut(..HEADER) {
            h.fill(0);
        }
        put(self.buf, 8, &tick.to_le_bytes());
    }

    pub fn view(&self) -> &[u8] {
        self.buf
    }

    fn used(&self) -> usize {
        u16_at(self.buf, 12)
    }

    fn set_counts(&mut self, used: usize, count: usize) {
        let used = u16::try_from(used).unwrap_or(0);
        let count = u16::try_from(count).unwrap_or(0);
        put(self.buf, 12, &used.to_le_bytes());
        put(self.buf, 14, &count.to_le_bytes());
    }

    /// The jar clock (ms since the jar began) at ticks_ms `tick`. Ticks
    /// wrap: the clock is right as long as the jar is used at least once
    /// per wrap (49 days), and else only runs slow.
    pub fn clock(&self, tick: u32) -> u64 {
        let mut q = [0u8; 8];
        if let Some(s) = self.buf.get(..8) {
            q.copy_from_slice(s);
        }
        let last = u32_at(self.buf, 8);
        u64::from_le_bytes(q).saturating_add(u64::from(tick.wrapping_sub(last)))
    }

    /// Moves the clock to `tick`, drops expired cookies, returns the clock.
    pub fn advance(&mut self, tick: u32) -> u64 {
        let now = self.clock(tick);
        put(self.buf, 0, &now.to_le_bytes());
        put(self.buf, 8, &tick.to_le_bytes());
        while let Some((at, len)) = records(self.buf)
            .find(|r| r.expired(now))
            .map(|r| (r.at, r.len))
        {
            self.cut(at, len);
        }
        now
    }

    /// The buffer size the jar needs before `store(c)` (never more than
    /// MAX_CAPACITY: beyond that, old cookies make room).
    pub fn capacity_for(&self, c: &Cookie) -> usize {
        needed(self.used(), c)
    }

    fn cut(&mut self, at: usize, len: usize) {
        let end = HEADER.saturating_add(self.used());
        let (Some(from), Some(left)) = (at.checked_add(len), end.checked_sub(len)) else {
            return;
        };
        if from <= end && end <= self.buf.len() {
            // Not copy_within: it would link a 1.5 KB memmove (writer.rs).
            if let Some(part) = self.buf.get_mut(at..end) {
                compact(part, len, end.saturating_sub(at));
            }
        }
        let n = count(self.buf).saturating_sub(1);
        self.set_counts(left.saturating_sub(HEADER), n);
    }

    fn find(&self, name: &[u8], domain: &[u8], path: &[u8]) -> Option<(usize, usize)> {
        records(self.buf)
            .find(|r| r.name == name && eq_ignore_case(r.domain, domain) && r.path == path)
            .map(|r| (r.at, r.len))
    }

    /// §5.3 steps 11-12: replaces the cookie with the same name, domain
    /// and path (keeping its place, so its age), or adds `c` as the newest;
    /// an expired `c` only deletes. The oldest cookies go when the count
    /// or byte limit (or the buffer) is reached. False when it was not
    /// stored.
    pub fn store(&mut self, c: &Cookie) -> bool {
        let mut at = HEADER.saturating_add(self.used());
        if let Some((old, len)) = self.find(c.name, c.domain, c.path) {
            self.cut(old, len);
            at = old;
        }
        if c.gone || !fits(c) {
            return false;
        }
        let len = c.record_len();
        let room = self.buf.len().min(MAX_CAPACITY).saturating_sub(HEADER);
        if len > room {
            return false;
        }
        while count(self.buf) >= MAX_COOKIES || self.used().saturating_add(len) > room {
            let Some((first, first_len)) = records(self.buf).next().map(|r| (r.at, r.len)) else {
                return false;
            };
            self.cut(first, first_len);
            at = if at > first {
                at.saturating_sub(first_len)
            } else {
                HEADER
            };
        }
        let end = HEADER.saturating_add(self.used());
        let new_end = end.saturating_add(len);
        if new_end > self.buf.len() || at > end {
            return false;
        }
        shift_right(self.buf, at, end, len);
        let flags = (if c.host_only { HOST_ONLY } else { 0 })
            | (if c.secure { SECURE } else { 0 })
            | (if c.http_only { HTTP_ONLY } else { 0 });
        let [vl0, vl1] = u16::try_from(c.value.len()).unwrap_or(0).to_le_bytes();
        let lens = [
            flags,
            u8::try_from(c.name.len()).unwrap_or(0),
            vl0,
            vl1,
            u8::try_from(c.domain.len()).unwrap_or(0),
            u8::try_from(c.path.len()).unwrap_or(0),
        ];
        put(self.buf, at, &lens);
        put(self.buf, at.saturating_add(6), &c.expires.to_le_bytes());
        let mut p = at.saturating_add(RECORD_HEADER);
        for part in [c.name, c.value, c.domain, c.path] {
            put(self.buf, p, part);
            p = p.saturating_add(part.len());
        }
        let d0 = at
            .saturating_add(RECORD_HEADER)
            .saturating_add(c.name.len())
            .saturating_add(c.value.len());
        if let Some(d) = self.buf.get_mut(d0..d0.saturating_add(c.domain.len())) {
            d.make_ascii_lowercase();
        }
        let n = count(self.buf).saturating_add(1);
        self.set_counts(new_end.saturating_sub(HEADER), n);
        true
    }

    /// Removes the cookies named `name` (all of them when None) whose
    /// domain and path equal the ones given (any when None); returns how
    /// many went.
    pub fn remove(
        &mut self,
        name: Option<&[u8]>,
        domain: Option<&[u8]>,
        path: Option<&[u8]>,
    ) -> usize {
        let mut gone = 0usize;
        while let Some((at, len)) = records(self.buf)
            .find(|r| select(r, name, domain, path))
            .map(|r| (r.at, r.len))
        {
            self.cut(at, len);
            gone = gone.saturating_add(1);
        }
        gone
    }
}

/// The buffer size a jar using `used` record bytes needs to take `c`.
pub fn needed(used: usize, c: &Cookie) -> usize {
    HEADER.saturating_add(used.saturating_add(c.record_len()).min(MAX_BYTES))
}

/// Whether a record is the one `get`/`remove` look for.
pub fn select(r: &Rec, name: Option<&[u8]>, domain: Option<&[u8]>, path: Option<&[u8]>) -> bool {
    name.is_none_or(|n| r.name == n)
        && domain.is_none_or(|d| {
            let d = d.strip_prefix(b".").unwrap_or(d);
            eq_ignore_case(r.domain, d)
        })
        && path.is_none_or(|p| r.path == p)
}

#[cfg(test)]
#[path = "cookie_jar_tests.rs"]
mod tests;
