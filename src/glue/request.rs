//! Turning Session.request arguments into a request: the body source and
//! its framing, credentials, and the request head. `send.rs` puts the body
//! on the wire, `multipart.rs` frames `files=`.

use super::args::{file_length, for_each_field, text_of};
use super::cookies::write_cookie_line;
use super::ffi::{rq_jar_t, rq_kind_t};
use super::multipart::{emit_multipart, Counter};
use super::py::*;
use crate::engine::encode::{
    eq_ignore_case, form_urlencode, has_control, hex_lower, write_basic_auth,
};
use crate::engine::framing::{BodyFraming, CallerFraming};
use crate::engine::head_out::{self, ContentType, HeadParts};
use crate::engine::redirect::Dropped;
use crate::engine::request::{end_head, Overrides, RequestError};
use crate::engine::url::Url;
use crate::engine::writer::Writer;

#[derive(Clone, Copy)]
pub enum Source {
    Empty,
    /// A str or bytes-like object sent as is.
    Bytes(Obj),
    /// A binary file, sent from its start.
    File(Obj),
    /// An iterator of str/bytes pieces, sent with chunked transfer-encoding.
    Chunked(Obj),
    /// The `data=` form fields (dict, list of pairs, or None) and the
    /// `files=` dict, framed as multipart/form-data.
    Multipart(Obj, Obj),
}

#[derive(Clone, Copy)]
pub struct Body {
    pub source: Source,
    pub content_type: Option<ContentType>,
    pub length: usize,
    pub boundary: [u8; 32],
}

impl Body {
    pub const EMPTY: Body = Body {
        source: Source::Empty,
        content_type: None,
        length: 0,
        boundary: [0; 32],
    };

    /// Whether the same bytes can be sent again on a new connection.
    pub fn replayable(&self) -> bool {
        !matches!(self.source, Source::Chunked(_))
    }

    /// How the module frames this body on the wire.
    pub fn framing(&self) -> BodyFraming {
        match self.source {
            Source::Empty => BodyFraming::Empty,
            Source::Chunked(_) => BodyFraming::Chunked,
            Source::Bytes(_) | Source::File(_) | Source::Multipart(..) => {
                BodyFraming::Length(self.length)
            }
        }
    }
}

/// Python truthiness for the argument kinds the reference tests with `if data`.
fn truthy(o: Obj) -> bool {
    match kind_of(o) {
        rq_kind_t::RQ_KIND_NONE => false,
        rq_kind_t::RQ_KIND_STR | rq_kind_t::RQ_KIND_BYTES => {
            bytes_of(&o).is_some_and(|b| !b.is_empty())
        }
        rq_kind_t::RQ_KIND_DICT => DictItems::new(o).next().is_some(),
        rq_kind_t::RQ_KIND_TUPLE => seq_len(o) > 0,
        _ => true,
    }
}

/// `k=v&k=v` for a dict or a list of pairs.
pub fn write_form(w: &mut Writer, pairs: Obj) -> PyResult<()> {
    let mut first = true;
    for_each_field(pairs, &mut |k, v| {
        let (mut kk, mut vk) = (none(), none());
        let kb = text_of(k, &mut kk)?;
        let vb = text_of(v, &mut vk)?;
        if !first {
            w.put_byte(b'&');
        }
        first = false;
        form_urlencode(w, kb);
        w.put_byte(b'=');
        form_urlencode(w, vb);
        Ok(())
    })
}

/// Decides what body a request sends, checking every argument before
/// anything goes on the wire.
pub fn prepare_body(data: Obj, json: Obj, files: Obj) -> PyResult<Body> {
    let mut body = Body::EMPTY;
    if !is_none(json) {
        if !is_none(data) || !is_none(files) {
            return Err(value_error!(
                "json cannot be sent together with data or files",
            ));
        }
        let text = json_dumps(json)?;
        body.length = bytes_of(&text).map_or(0, <[u8]>::len);
        body.source = Source::Bytes(text);
        body.content_type = Some(ContentType::Json);
        return Ok(body);
    }
    if truthy(files) {
        if kind_of(files) != rq_kind_t::RQ_KIND_DICT {
            return Err(type_error!("files must be a dict"));
        }
        let fields = if truthy(data) { data } else { none() };
        if !is_none(fields)
            && !matches!(
                kind_of(fields),
                rq_kind_t::RQ_KIND_DICT | rq_kind_t::RQ_KIND_TUPLE
            )
        {
            return Err(value_error!(
                "data sent with files must be a dict or a list of (key, value) pairs",
            ));
        }
        let mut rnd = [0u8; 16];
        urandom(&mut rnd)?;
        let mut w = Writer::new(&mut body.boundary);
        hex_lower(&mut w, &rnd);
        let mut counter = Counter { n: 0 };
        let boundary = body.boundary;
        emit_multipart(fields, files, &boundary, &mut counter)?;
        body.length = counter.n;
        body.source = Source::Multipart(fields, files);
        body.content_type = Some(ContentType::Multipart);
        return Ok(body);
    }
    if !truthy(data) {
        return Ok(body);
    }
    match kind_of(data) {
        rq_kind_t::RQ_KIND_DICT => {
            let encoded = build(Built::Bytes, &mut |w| write_form(w, data))?;
            body.length = bytes_of(&encoded).map_or(0, <[u8]>::len);
            body.source = Source::Bytes(encoded);
            body.content_type = Some(ContentType::Form);
        }
        rq_kind_t::RQ_KIND_STR | rq_kind_t::RQ_KIND_BYTES => {
            body.length = bytes_of(&data).map_or(0, <[u8]>::len);
            body.source = Source::Bytes(data);
        }
        rq_kind_t::RQ_KIND_FILE => {
            body.length = file_length(data)?;
            body.source = Source::File(data);
        }
        rq_kind_t::RQ_KIND_ITERABLE | rq_kind_t::RQ_KIND_TUPLE => {
            body.source = Source::Chunked(get_iter(data)?);
        }
        _ => {
            return Err(type_error!(
                "data must be str, bytes, a dict, a binary file or an iterable of bytes",
            ))
        }
    }
    Ok(body)
}

/// `Basic base64(user:password)` for `auth=(user, password)`; as long as
/// the credentials are (the head grows to fit).
pub fn basic_auth(auth: Obj) -> PyResult<Obj> {
    if kind_of(auth) != rq_kind_t::RQ_KIND_TUPLE || seq_len(auth) != 2 {
        return Err(type_error!("auth must be a (user, password) tuple"));
    }
    let (mut a, mut b) = (none(), none());
    let user = text_of(seq_get(auth, 0).unwrap_or_else(none), &mut a)?;
    let pass = text_of(seq_get(auth, 1).unwrap_or_else(none), &mut b)?;
    build(Built::Bytes, &mut |w| {
        write_basic_auth(w, user, pass, false);
        Ok(())
    })
}

/// Basic auth from the URL's userinfo (`http://user:pw@host/`),
/// percent-decoded as CPython `requests` does; None when it names none.
/// An unparsable URL gives None here and its error where it is parsed.
pub fn url_basic_auth(url: &Url) -> PyResult<Obj> {
    let Some((user, pass)) = url.credentials() else {
        return Ok(none());
    };
    build(Built::Bytes, &mut |w| {
        write_basic_auth(w, user, pass, true);
        Ok(())
    })
}

pub struct HeadSpec<'a> {
    pub method: &'a [u8],
    pub url: &'a Url<'a>,
    pub headers: Obj,
    pub body: &'a Body,
    pub authorization: Obj,
    /// Caller headers and credentials earlier redirect hops took away.
    pub dropped: Dropped,
    /// The session's cookie jar (NULL when it has none) and the request's
    /// `cookies=` (None when not given).
    pub jar: *mut rq_jar_t,
    pub cookies: Obj,
}

/// Whether the caller's headers send a `Cookie` of their own on this hop
/// (a None value sends none).
fn caller_sends_cookie(headers: Obj, dropped: Dropped) -> bool {
    !is_none(headers)
        && dropped.keeps(b"cookie")
        && DictItems::new(headers)
            .any(|(k, v)| !is_none(v) && bytes_of(&k).is_some_and(|k| eq_ignore_case(k, b"cookie")))
}

/// Checks the user's headers (a dict of str/bytes names and str/bytes/None
/// values) and notes which automatic headers they replace.
pub fn check_headers(headers: Obj) -> PyResult<Overrides> {
    let mut o = Overrides::default();
    if is_none(headers) {
        return Ok(o);
    }
    if kind_of(headers) != rq_kind_t::RQ_KIND_DICT {
        return Err(type_error!("Headers must be in dict format"));
    }
    for (k, v) in DictItems::new(headers) {
        let name = match kind_of(k) {
            rq_kind_t::RQ_KIND_STR | rq_kind_t::RQ_KIND_BYTES => bytes_of(&k).unwrap_or(&[]),
            _ => return Err(type_error!("Header names must be str or bytes")),
        };
        // A None value still replaces the automatic header (it is then not
        // sent at all), as in the reference.
        o.note(name);
        match kind_of(v) {
            rq_kind_t::RQ_KIND_NONE => continue,
            rq_kind_t::RQ_KIND_STR | rq_kind_t::RQ_KIND_BYTES => {
                if has_control(bytes_of(&v).unwrap_or(&[])) || has_control(name) {
                    return Err(request_error(RequestError::ControlCharacter));
                }
            }
            _ => {
                return Err(type_error_with(
                    "Header values must be str, bytes or None; not for ",
                    name,
                ))
            }
        }
    }
    Ok(o)
}

/// The caller's Content-Length / Transfer-Encoding (any spelling, None
/// included) must announce exactly the framing the body gets; checked after
/// `check_headers` has validated the dict, before anything is sent.
pub fn check_framing(headers: Obj, body: &Body) -> PyResult<()> {
    if is_none(headers) {
        return Ok(());
    }
    let mut caller = CallerFraming::default();
    for (k, v) in DictItems::new(headers) {
        let value = if is_none(v) {
            None
        } else {
            // SAFETY: the caller's headers dict holds `v` until the request ends.
            unsafe { held_bytes(v) }
        };
        caller
            .note(bytes_of(&k).unwrap_or(&[]), value)
            .map_err(framing_error)?;
    }
    caller.check(body.framing()).map_err(framing_error)
}

/// Writes the whole request head (engine::head_out decides its order and
/// contents); this side turns the caller's headers dict into the visit.
pub fn write_head(w: &mut Writer, spec: &HeadSpec, o: &Overrides) -> PyResult<()> {
    let auth = spec.authorization;
    let parts = HeadParts {
        method: spec.method,
        url: spec.url,
        overrides: *o,
        content_type: spec.body.content_type,
        boundary: &spec.body.boundary,
        framing: spec.body.framing(),
        authorization: if is_none(auth) { None } else { bytes_of(&auth) },
        dropped: spec.dropped,
    };
    let headers = spec.headers;
    head_out::write_head_lines(w, &parts, &mut |each| {
        if is_none(headers) {
            return Ok(());
        }
        for (k, v) in DictItems::new(headers) {
            if is_none(v) {
                continue;
            }
            let (Some(name), Some(value)) = (bytes_of(&k), bytes_of(&v)) else {
                continue;
            };
            each(name, value)?;
        }
        Ok(())
    })
    .map_err(request_error)?;
    // As `requests`: a Cookie header of the caller's own is all that is
    // sent; else cookies= and the jar's. cookies= counts as the caller's
    // credentials (§7), the jar's cookies follow their matching rules.
    let has_cookies = !spec.jar.is_null() || !is_none(spec.cookies);
    if has_cookies && !caller_sends_cookie(headers, spec.dropped) {
        write_cookie_line(
            w,
            spec.url,
            spec.jar,
            spec.cookies,
            !spec.dropped.credentials,
        );
    }
    end_head(w);
    Ok(())
}
