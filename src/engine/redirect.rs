//! What a redirect hop may carry over from the request before it: which
//! caller headers and credentials survive, and whether the request becomes a
//! bodiless GET. The rules are CPython `requests`' (SPEC §7).

use super::encode::eq_ignore_case;
use super::url::{Scheme, Url};

/// The decision for one hop.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Plan {
    /// `Authorization`, `Proxy-Authorization`, `Cookie`, `auth=` and URL
    /// userinfo may go to the new URL.
    pub keep_credentials: bool,
    /// The request becomes a GET without a body.
    pub to_get: bool,
}

/// Same scheme, host (ASCII case-insensitive) and port; a missing port is
/// the scheme's default, which the parser already filled in.
pub fn same_origin(a: &Url, b: &Url) -> bool {
    a.scheme == b.scheme && a.port == b.port && eq_ignore_case(a.host, b.host)
}

/// The one cross-origin move that keeps credentials: `http` on port 80 to
/// `https` on port 443 of the same host, which only makes them safer.
fn is_secure_upgrade(from: &Url, to: &Url) -> bool {
    from.scheme == Scheme::Http
        && to.scheme == Scheme::Https
        && from.port == Scheme::Http.default_port()
        && to.port == Scheme::Https.default_port()
        && eq_ignore_case(from.host, to.host)
}

/// Plans the hop from `from` to `to` after a redirect `status` answered a
/// request made with `method`: 303 turns anything but HEAD into GET, and
/// 301/302 turn POST into GET (as browsers do); 307/308 keep both.
pub fn plan(from: &Url, to: &Url, status: u16, method: &[u8]) -> Plan {
    let post = eq_ignore_case(method, b"POST");
    let to_get = match status {
        303 => !eq_ignore_case(method, b"HEAD"),
        301 | 302 => post,
        _ => false,
    };
    Plan {
        keep_credentials: same_origin(from, to) || is_secure_upgrade(from, to),
        to_get,
    }
}

/// Headers that carry credentials.
pub fn is_credential_header(name: &[u8]) -> bool {
    [&b"authorization"[..], b"proxy-authorization", b"cookie"]
        .iter()
        .any(|n| eq_ignore_case(name, n))
}

/// Headers that describe a body: they go when the body goes.
pub fn is_body_header(name: &[u8]) -> bool {
    [
        &b"content-length"[..],
        b"content-type",
        b"transfer-encoding",
    ]
    .iter()
    .any(|n| eq_ignore_case(name, n))
}

/// What earlier hops took away. Sticky: once credentials were dropped for
/// another origin they stay dropped, even if a later hop comes back.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct Dropped {
    pub credentials: bool,
    pub body: bool,
}

impl Dropped {
    pub const NOTHING: Dropped = Dropped {
        credentials: false,
        body: false,
    };

    /// This state after a hop planned as `p`.
    pub fn after(self, p: Plan) -> Dropped {
        Dropped {
            credentials: self.credentials || !p.keep_credentials,
            body: self.body || p.to_get,
        }
    }

    /// Whether a caller header of this name is still sent.
    pub fn keeps(&self, name: &[u8]) -> bool {
        !(self.credentials && is_credential_header(name) || self.body && is_body_header(name))
    }
}

#[cfg(test)]
#[path = "redirect_tests.rs"]
mod tests;
