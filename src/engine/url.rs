//! URL parsing and redirect resolution for `http`/`https` only.
//!
//! Only the parts an HTTP/1.1 client needs are extracted (host, port,
//! request target); everything is borrowed from the input so parsing never
//! allocates. Control bytes are rejected up front because every component
//! ends up verbatim in the request head.

use super::encode::{before_byte, eq_ignore_case, fields, has_control, split_at_byte};
use super::writer::Writer;

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Scheme {
    Http,
    Https,
}

impl Scheme {
    pub fn default_port(self) -> u16 {
        match self {
            Scheme::Http => 80,
            Scheme::Https => 443,
        }
    }

    /// The protocol string the Python reference reports (with the colon).
    pub fn as_str(self) -> &'static str {
        match self {
            Scheme::Http => "http:",
            Scheme::Https => "https:",
        }
    }

    fn from_bytes(s: &[u8]) -> Option<Scheme> {
        if eq_ignore_case(s, b"http") {
            Some(Scheme::Http)
        } else if eq_ignore_case(s, b"https") {
            Some(Scheme::Https)
        } else {
            None
        }
    }
}

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Url<'a> {
    pub scheme: Scheme,
    /// As written; an IPv6 literal without its brackets. Never empty.
    pub host: &'a [u8],
    pub is_ipv6: bool,
    /// Explicit port or the scheme default.
    pub port: u16,
    /// Path and query as written, fragment removed; empty means "/".
    pub target: &'a [u8],
    /// What came before the last '@' of the authority, still percent-encoded.
    /// Never written into the request line or Host: see [`Url::credentials`].
    pub userinfo: Option<&'a [u8]>,
}

/// Where a slice lies within the text it was cut from.
fn span_in(text: &[u8], part: &[u8]) -> (u32, u32) {
    let start = (part.as_ptr() as usize).wrapping_sub(text.as_ptr() as usize);
    let start = u32::try_from(start).unwrap_or(u32::MAX);
    let len = u32::try_from(part.len()).unwrap_or(0);
    (start, len)
}

fn cut(text: &[u8], (start, len): (u32, u32)) -> &[u8] {
    let start = start as usize;
    text.get(start..start.saturating_add(len as usize))
        .unwrap_or(&[])
}

/// A parsed URL as positions in its text, to keep beside that text (a
/// request parses its URL once and reads the parts again where needed).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct UrlSpans {
    scheme: Scheme,
    host: (u32, u32),
    is_ipv6: bool,
    port: u16,
    target: (u32, u32),
    userinfo: Option<(u32, u32)>,
}

impl UrlSpans {
    /// The parts again, over the same text the spans were taken from.
    pub fn of<'a>(&self, text: &'a [u8]) -> Url<'a> {
        Url {
            scheme: self.scheme,
            host: cut(text, self.host),
            is_ipv6: self.is_ipv6,
            port: self.port,
            target: cut(text, self.target),
            userinfo: self.userinfo.map(|u| cut(text, u)),
        }
    }
}

impl Url<'_> {
    /// Positions of the parts in `text`, the bytes this URL was parsed from.
    pub fn spans(&self, text: &[u8]) -> UrlSpans {
        UrlSpans {
            scheme: self.scheme,
            host: span_in(text, self.host),
            is_ipv6: self.is_ipv6,
            port: self.port,
            target: span_in(text, self.target),
            userinfo: self.userinfo.map(|u| span_in(text, u)),
        }
    }
}

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum UrlError {
    UnsupportedProtocol,
    MissingHost,
    BadPort,
    ControlCharacter,
}

/// Parses an absolute `http://` or `https://` URL (scheme case-insensitive).
pub fn parse(url: &[u8]) -> Result<Url<'_>, UrlError> {
    if has_control(url) {
        return Err(UrlError::ControlCharacter);
    }
    let (scheme, rest) = split_scheme(url).ok_or(UrlError::UnsupportedProtocol)?;
    let scheme = Scheme::from_bytes(scheme).ok_or(UrlError::UnsupportedProtocol)?;
    let rest = rest
        .strip_prefix(b"//")
        .ok_or(UrlError::UnsupportedProtocol)?;
    parse_authority(scheme, rest)
}

/// Splits `scheme:rest` when the input starts with an RFC 3986 scheme
/// (`ALPHA *( ALPHA / DIGIT / "+" / "-" / "." )`) followed by a colon.
/// Returns the rest after the colon.
fn split_scheme(s: &[u8]) -> Option<(&[u8], &[u8])> {
    let colon = s.iter().position(|&b| b == b':')?;
    let (scheme, rest) = s.split_at_checked(colon)?;
    let first = scheme.first()?;
    if !first.is_ascii_alphabetic()
        || !scheme
            .iter()
            .all(|&b| b.is_ascii_alphanumeric() || matches!(b, b'+' | b'-' | b'.'))
    {
        return None;
    }
    Some((scheme, rest.get(1..)?))
}

/// Parses `[userinfo@]host[:port][/path][?query][#fragment]`.
fn parse_authority(scheme: Scheme, rest: &[u8]) -> Result<Url<'_>, UrlError> {
    let auth_end = rest
        .iter()
        .position(|&b| matches!(b, b'/' | b'?' | b'#'))
        .unwrap_or(rest.len());
    let (authority, tail) = rest
        .split_at_checked(auth_end)
        .ok_or(UrlError::MissingHost)?;
    let target = strip_fragment(tail);
    // The last '@' ends the userinfo because the password may itself
    // contain an (unescaped) '@'.
    let (userinfo, hostport) = match authority.iter().rposition(|&b| b == b'@') {
        Some(at) => (
            authority.get(..at),
            authority.get(at.saturating_add(1)..).unwrap_or(&[]),
        ),
        None => (None, authority),
    };

    let (host, port, is_ipv6) = if let Some(inner) = hostport.strip_prefix(b"[") {
        let close = inner
            .iter()
            .position(|&b| b == b']')
            .ok_or(UrlError::MissingHost)?;
        let (host, after) = inner.split_at_checked(close).ok_or(UrlError::MissingHost)?;
        let after = after.get(1..).unwrap_or(&[]);
        let port = if after.is_empty() {
            None
        } else {
            Some(after.strip_prefix(b":").ok_or(UrlError::BadPort)?)
        };
        (host, port, true)
    } else {
        let (host, port) = split_at_byte(hostport, b':');
        (host, port, false)
    };
    if host.is_empty() {
        return Err(UrlError::MissingHost);
    }
    let port = match port {
        None | Some(b"") => scheme.default_port(),
        Some(p) => parse_port(p).ok_or(UrlError::BadPort)?,
    };
    Ok(Url {
        scheme,
        host,
        is_ipv6,
        port,
        target,
        userinfo,
    })
}

fn parse_port(p: &[u8]) -> Option<u16> {
    let mut v: u16 = 0;
    for &b in p {
        if !b.is_ascii_digit() {
            return None;
        }
        v = v
            .checked_mul(10)?
            .checked_add(u16::from(b.wrapping_sub(b'0')))?;
    }
    (v != 0).then_some(v)
}

fn strip_fragment(s: &[u8]) -> &[u8] {
    before_byte(s, b'#')
}

/// Splits a reference into path and optional query (without the '?').
fn split_query(s: &[u8]) -> (&[u8], Option<&[u8]>) {
    split_at_byte(s, b'?')
}

impl<'a> Url<'a> {
    /// True when the port is not the scheme default.
    pub fn has_explicit_port(&self) -> bool {
        self.port != self.scheme.default_port()
    }

    /// `(user, password)` from the userinfo, still percent-encoded, when it
    /// names any: as CPython `requests`, a userinfo without ':' or with both
    /// parts empty gives no credentials.
    pub fn credentials(&self) -> Option<(&'a [u8], &'a [u8])> {
        let info = self.userinfo?;
        let colon = info.iter().position(|&b| b == b':')?;
        let user = info.get(..colon)?;
        let password = info.get(colon.saturating_add(1)..)?;
        (!user.is_empty() || !password.is_empty()).then_some((user, password))
    }

    /// The path part of the target (may be empty).
    pub fn path(&self) -> &'a [u8] {
        split_query(self.target).0
    }

    /// The query without its '?', if the target has one.
    pub fn query(&self) -> Option<&'a [u8]> {
        split_query(self.target).1
    }

    /// Host header value: host (IPv6 in brackets) plus ":port" when the port
    /// is not the scheme default.
    pub fn write_host(&self, w: &mut Writer) {
        if self.is_ipv6 {
            w.put_byte(b'[');
            w.put(self.host);
            w.put_byte(b']');
        } else {
            w.put(self.host);
        }
        if self.has_explicit_port() {
            w.put_byte(b':');
            w.put_decimal(usize::from(self.port));
        }
    }

    fn write_origin(&self, w: &mut Writer) {
        w.put(match self.scheme {
            Scheme::Http => b"http://",
            Scheme::Https => b"https://",
        });
        self.write_host(w);
    }

    /// Writes `scheme://host[:port]target`, a normalised absolute URL: the
    /// scheme lower-cased, userinfo and fragment dropped, an empty path
    /// written as "/" (so `http://h?x` becomes `http://h/?x`).
    pub fn write_absolute(&self, w: &mut Writer) {
        self.write_origin(w);
        if !self.target.starts_with(b"/") {
            w.put_byte(b'/');
        }
        w.put(self.target);
    }
}

/// Resolves a redirect `Location` against `base` per RFC 3986 §5.2 (merge
/// paths, remove dot segments) and writes the absolute URL to `w`.
///
/// Accepted forms: absolute (`HTTP://h/x`), scheme-relative (`//h/x`),
/// absolute-path (`/x`), relative (`x`, `../x`, `?q`, empty). Relative forms
/// keep the base host and port. The fragment is dropped. As in RFC 3986's
/// non-strict mode, `http:x` with the base's own scheme is taken as the
/// relative reference `x`.
///
/// Dot segments are removed by editing the output in place, so when `w`
/// overflows, `w.needed()` may exceed the final length: it is still a buffer
/// size with which a second call succeeds and writes the exact URL.
pub fn resolve(base: &Url, location: &[u8], w: &mut Writer) -> Result<(), UrlError> {
    if has_control(location) {
        return Err(UrlError::ControlCharacter);
    }
    let mut loc = strip_fragment(location);
    if let Some((scheme, rest)) = split_scheme(loc) {
        let scheme = Scheme::from_bytes(scheme).ok_or(UrlError::UnsupportedProtocol)?;
        if let Some(rest) = rest.strip_prefix(b"//") {
            return write_network(parse_authority(scheme, rest)?, w);
        }
        if scheme != base.scheme {
            return Err(UrlError::MissingHost);
        }
        loc = rest;
    }
    if let Some(rest) = loc.strip_prefix(b"//") {
        return write_network(parse_authority(base.scheme, rest)?, w);
    }

    let (path, query) = split_query(loc);
    base.write_origin(w);
    if path.is_empty() {
        let base_path = base.path();
        if base_path.is_empty() {
            w.put_byte(b'/');
        } else {
            w.put(base_path);
        }
        write_query(query.or(base.query()), w);
    } else if path.starts_with(b"/") {
        write_normalised(
            MergedPath {
                dir: b"",
                rel: path,
            },
            w,
        );
        write_query(query, w);
    } else {
        // Merge: everything of the base path up to and including its last
        // '/'; a base with authority and empty path counts as "/".
        let base_path = base.path();
        let dir: &[u8] = match base_path.iter().rposition(|&b| b == b'/') {
            Some(i) => base_path.get(..=i).unwrap_or(b"/"),
            None => b"/",
        };
        write_normalised(MergedPath { dir, rel: path }, w);
        write_query(query, w);
    }
    Ok(())
}

/// Writes a URL that came with its own authority, dot segments removed.
fn write_network(u: Url, w: &mut Writer) -> Result<(), UrlError> {
    u.write_origin(w);
    let path = u.path();
    if path.is_empty() {
        w.put_byte(b'/');
    } else {
        write_normalised(
            MergedPath {
                dir: b"",
                rel: path,
            },
            w,
        );
    }
    write_query(u.query(), w);
    Ok(())
}

fn write_query(q: Option<&[u8]>, w: &mut Writer) {
    if let Some(q) = q {
        w.put_byte(b'?');
        w.put(q);
    }
}

/// A path as the concatenation `dir + rel` without copying it anywhere.
/// `dir` is empty (then `rel` starts with '/') or starts and ends with '/'.
#[derive(Clone, Copy)]
struct MergedPath<'p> {
    dir: &'p [u8],
    rel: &'p [u8],
}

impl<'p> MergedPath<'p> {
    /// Segments after the leading '/', e.g. "/a/b/" → ["a", "b", ""].
    fn segments(self) -> impl Iterator<Item = &'p [u8]> + Clone {
        // Inner part of dir without its leading and trailing '/'; its segments
        // are followed directly by those of `rel`.
        let inner: &[u8] = match self.dir.len().checked_sub(1) {
            Some(end) if end >= 1 => self.dir.get(1..end).unwrap_or(&[]),
            _ => &[],
        };
        let has_dir = self.dir.len() > 1;
        let dir_segs = has_dir
            .then_some(inner)
            .into_iter()
            .flat_map(|d| fields(d, b'/'));
        let skip = usize::from(self.dir.is_empty());
        dir_segs.chain(fields(self.rel, b'/').skip(skip))
    }
}

/// RFC 3986 §5.2.4 remove_dot_segments, done in the output itself: each
/// kept segment is appended as "/seg" and ".." cuts the output back to the
/// previous '/'. O(n) and no stack, so the engine stays allocation-free even
/// for a hostile 8 KB Location.
///
/// Once the writer has lost bytes to overflow the previous '/' is unknown;
/// ".." then cuts nothing, so `needed()` overestimates and the caller's
/// second pass, with a buffer of that size, produces the exact result.
fn write_normalised(p: MergedPath, w: &mut Writer) {
    let start = w.position();
    let mut ends_in_dot = false;
    for seg in p.segments() {
        ends_in_dot = seg == b"." || seg == b"..";
        if seg == b".." {
            let cut = w
                .tail_from(start)
                .and_then(|out| out.iter().rposition(|&b| b == b'/'));
            if let Some(i) = cut {
                w.truncate(start.saturating_add(i));
            }
        } else if !ends_in_dot {
            w.put_byte(b'/');
            w.put(seg);
        }
    }
    // A final dot segment leaves the path ending in '/'; an empty path is "/".
    if ends_in_dot || w.position() == start {
        w.put_byte(b'/');
    }
}

#[cfg(test)]
#[path = "url_tests.rs"]
mod tests;
