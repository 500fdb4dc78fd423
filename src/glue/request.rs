//! Turning Session.request arguments into bytes on the wire: the body
//! source, the request head, and sending both with as few send() calls as
//! the session buffer allows.

use super::conn::send;
use super::ffi::{rq_kind_t, rq_method_t};
use super::py::*;
use crate::engine::encode::{base64, form_urlencode, has_control, hex_lower};
use crate::engine::request::{end_head, write_header, write_request_line, Overrides, RequestError};
use crate::engine::url::Url;
use crate::engine::writer::Writer;

#[derive(Clone, Copy, PartialEq, Eq)]
pub enum ContentType {
    Json,
    Form,
    Multipart,
}

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
}

/// Python truthiness for the argument kinds the reference tests with `if data`.
fn truthy(o: Obj) -> bool {
    match kind_of(o) {
        rq_kind_t::RQ_KIND_NONE => false,
        rq_kind_t::RQ_KIND_STR | rq_kind_t::RQ_KIND_BYTES => {
            bytes_of(o).is_some_and(|b| !b.is_empty())
        }
        rq_kind_t::RQ_KIND_DICT => DictItems::new(o).next().is_some(),
        rq_kind_t::RQ_KIND_TUPLE => seq_len(o) > 0,
        _ => true,
    }
}

/// The bytes of a str/bytes object, or of str(o) for anything else.
fn text_of<'a>(o: Obj, keep: &mut Obj) -> PyResult<&'a [u8]> {
    if let Some(b) = bytes_of(o) {
        if kind_of(o) == rq_kind_t::RQ_KIND_STR || kind_of(o) == rq_kind_t::RQ_KIND_BYTES {
            return Ok(b);
        }
    }
    *keep = str_of(o)?;
    Ok(bytes_of(*keep).unwrap_or(&[]))
}

/// Calls `each(key, value)` for every field of a dict or a list of
/// (key, value) pairs: a list or tuple value repeats its key and None values
/// are left out, as CPython requests does.
fn for_each_field(pairs: Obj, each: &mut dyn FnMut(Obj, Obj) -> PyResult<()>) -> PyResult<()> {
    let mut pair = |k: Obj, v: Obj| -> PyResult<()> {
        if kind_of(v) == rq_kind_t::RQ_KIND_TUPLE {
            for i in 0..seq_len(v) {
                let item = seq_get(v, i).unwrap_or_else(none);
                if !is_none(item) {
                    each(k, item)?;
                }
            }
            Ok(())
        } else if is_none(v) {
            Ok(())
        } else {
            each(k, v)
        }
    };
    match kind_of(pairs) {
        rq_kind_t::RQ_KIND_DICT => {
            for (k, v) in DictItems::new(pairs) {
                pair(k, v)?;
            }
        }
        rq_kind_t::RQ_KIND_TUPLE => {
            for i in 0..seq_len(pairs) {
                let item = seq_get(pairs, i).unwrap_or_else(none);
                if kind_of(item) != rq_kind_t::RQ_KIND_TUPLE || seq_len(item) != 2 {
                    return Err(type_error(NOT_PAIRS));
                }
                pair(
                    seq_get(item, 0).unwrap_or_else(none),
                    seq_get(item, 1).unwrap_or_else(none),
                )?;
            }
        }
        _ => return Err(type_error(NOT_PAIRS)),
    }
    Ok(())
}

const NOT_PAIRS: &str = "params and form data must be a dict or a list of (key, value) pairs";

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

const BINARY_ONLY: &str = "Files must be opened in binary mode";

/// The length of a binary file, leaving it at its start.
fn file_length(f: Obj) -> PyResult<usize> {
    let zero = new_int(0)?;
    call_method(f, rq_method_t::RQ_METH_SEEK, &[zero])?;
    let head = call_method(f, rq_method_t::RQ_METH_READ, &[new_int(4)?]).map_err(|e| {
        // A text file reading binary data fails with UnicodeError.
        if e.is_memory() {
            e
        } else {
            value_error(BINARY_ONLY)
        }
    })?;
    if kind_of(head) != rq_kind_t::RQ_KIND_BYTES {
        return Err(value_error(BINARY_ONLY));
    }
    call_method(f, rq_method_t::RQ_METH_SEEK, &[zero, new_int(2)?])?;
    let end = call_method(f, rq_method_t::RQ_METH_TELL, &[])?;
    call_method(f, rq_method_t::RQ_METH_SEEK, &[zero])?;
    int_value(end)
        .and_then(|n| usize::try_from(n).ok())
        .ok_or_else(|| value_error("file.tell() did not return a length"))
}

/// Where multipart and chunked bodies go: a byte counter or the socket.
pub trait Sink {
    fn put(&mut self, data: &[u8]) -> PyResult<()>;
    fn put_file(&mut self, file: Obj) -> PyResult<()>;
}

struct Counter {
    n: usize,
}

impl Sink for Counter {
    fn put(&mut self, data: &[u8]) -> PyResult<()> {
        self.n = self.n.saturating_add(data.len());
        Ok(())
    }
    fn put_file(&mut self, file: Obj) -> PyResult<()> {
        self.n = self.n.saturating_add(file_length(file)?);
        Ok(())
    }
}

fn checked_field(b: &[u8]) -> PyResult<&[u8]> {
    if has_control(b) {
        Err(value_error("CR, LF or NUL in a multipart field"))
    } else {
        Ok(b)
    }
}

/// The opening of one multipart part, up to the end of its
/// Content-Disposition line.
fn part_start(out: &mut dyn Sink, boundary: &[u8], name: &[u8]) -> PyResult<()> {
    out.put(b"--")?;
    out.put(boundary)?;
    out.put(b"\r\nContent-Disposition: form-data; name=\"")?;
    out.put(checked_field(name)?)?;
    out.put(b"\"")
}

/// multipart/form-data framing: first the `data=` fields as plain parts (as
/// CPython requests puts them), then the `files=` dict as the reference
/// frames it: values are (filename, content[, content_type[, headers]]).
fn emit_multipart(fields: Obj, files: Obj, boundary: &[u8], out: &mut dyn Sink) -> PyResult<()> {
    if !is_none(fields) {
        for_each_field(fields, &mut |k, v| {
            let (mut kk, mut vk) = (none(), none());
            part_start(out, boundary, text_of(k, &mut kk)?)?;
            out.put(b"\r\n\r\n")?;
            out.put(text_of(v, &mut vk)?)?;
            out.put(b"\r\n")
        })?;
    }
    for (field, spec) in DictItems::new(files) {
        let (mut k1, mut k2, mut k3) = (none(), none(), none());
        let tuple = kind_of(spec) == rq_kind_t::RQ_KIND_TUPLE;
        let (filename, content) = if tuple {
            if seq_len(spec) < 2 {
                return Err(value_error(
                    "files values must be (filename, content[, content_type[, headers]])",
                ));
            }
            (
                seq_get(spec, 0).unwrap_or_else(none),
                seq_get(spec, 1).unwrap_or_else(none),
            )
        } else {
            // A bare value: the field name doubles as the file name.
            (field, spec)
        };
        part_start(out, boundary, text_of(field, &mut k1)?)?;
        if !is_none(filename) {
            out.put(b"; filename=\"")?;
            out.put(checked_field(text_of(filename, &mut k2)?)?)?;
            out.put(b"\"")?;
        }
        out.put(b"\r\n")?;
        if tuple && seq_len(spec) >= 3 {
            out.put(b"Content-Type: ")?;
            out.put(checked_field(text_of(
                seq_get(spec, 2).unwrap_or_else(none),
                &mut k3,
            )?)?)?;
            out.put(b"\r\n")?;
        }
        if tuple && seq_len(spec) >= 4 {
            let extra = seq_get(spec, 3).unwrap_or_else(none);
            if kind_of(extra) != rq_kind_t::RQ_KIND_DICT {
                return Err(type_error("multipart part headers must be a dict"));
            }
            for (hk, hv) in DictItems::new(extra) {
                let (mut a, mut b) = (none(), none());
                out.put(checked_field(text_of(hk, &mut a)?)?)?;
                out.put(b": ")?;
                out.put(checked_field(text_of(hv, &mut b)?)?)?;
                out.put(b"\r\n")?;
            }
        }
        out.put(b"\r\n")?;
        match kind_of(content) {
            rq_kind_t::RQ_KIND_FILE => out.put_file(content)?,
            _ => {
                let mut keep = none();
                out.put(text_of(content, &mut keep)?)?;
            }
        }
        out.put(b"\r\n")?;
    }
    out.put(b"--")?;
    out.put(boundary)?;
    out.put(b"--\r\n")
}

/// Decides what body a request sends, checking every argument before
/// anything goes on the wire.
pub fn prepare_body(data: Obj, json: Obj, files: Obj) -> PyResult<Body> {
    let mut body = Body::EMPTY;
    if !is_none(json) {
        if !is_none(data) || !is_none(files) {
            return Err(value_error(
                "json cannot be sent together with data or files",
            ));
        }
        let text = json_dumps(json)?;
        body.length = bytes_of(text).map_or(0, <[u8]>::len);
        body.source = Source::Bytes(text);
        body.content_type = Some(ContentType::Json);
        return Ok(body);
    }
    if truthy(files) {
        if kind_of(files) != rq_kind_t::RQ_KIND_DICT {
            return Err(type_error("files must be a dict"));
        }
        let fields = if truthy(data) { data } else { none() };
        if !is_none(fields)
            && !matches!(
                kind_of(fields),
                rq_kind_t::RQ_KIND_DICT | rq_kind_t::RQ_KIND_TUPLE
            )
        {
            return Err(value_error(
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
            body.length = bytes_of(encoded).map_or(0, <[u8]>::len);
            body.source = Source::Bytes(encoded);
            body.content_type = Some(ContentType::Form);
        }
        rq_kind_t::RQ_KIND_STR | rq_kind_t::RQ_KIND_BYTES => {
            body.length = bytes_of(data).map_or(0, <[u8]>::len);
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
            return Err(type_error(
                "data must be str, bytes, a dict, a binary file or an iterable of bytes",
            ))
        }
    }
    Ok(body)
}

/// `Basic base64(user:password)` for `auth=(user, password)`.
pub fn basic_auth(auth: Obj) -> PyResult<Obj> {
    if kind_of(auth) != rq_kind_t::RQ_KIND_TUPLE || seq_len(auth) != 2 {
        return Err(type_error("auth must be a (user, password) tuple"));
    }
    let (mut a, mut b) = (none(), none());
    let user = text_of(seq_get(auth, 0).unwrap_or_else(none), &mut a)?;
    let pass = text_of(seq_get(auth, 1).unwrap_or_else(none), &mut b)?;
    let mut joined = [0u8; 192];
    let mut jw = Writer::new(&mut joined);
    jw.put(user);
    jw.put_byte(b':');
    jw.put(pass);
    if jw.overflowed() {
        return Err(value_error("auth user and password too long"));
    }
    let pair = jw.written();
    build(Built::Bytes, &mut |w| {
        w.put(b"Basic ");
        base64(w, pair);
        Ok(())
    })
}

fn request_error(e: RequestError) -> Exc {
    match e {
        RequestError::ControlCharacter => {
            value_error("CR, LF or NUL in the request method, URL or a header")
        }
        RequestError::EmptyMethod => value_error("invalid HTTP method"),
        RequestError::BadHeaderName => value_error("invalid header name"),
    }
}

pub struct HeadSpec<'a> {
    pub method: &'a [u8],
    pub url: &'a Url<'a>,
    pub headers: Obj,
    pub body: &'a Body,
    pub authorization: Obj,
    /// Leave out Authorization (a redirect to another host).
    pub drop_auth: bool,
}

/// Checks the user's headers (a dict of str/bytes names and str/bytes/None
/// values) and notes which automatic headers they replace.
pub fn check_headers(headers: Obj) -> PyResult<Overrides> {
    let mut o = Overrides::default();
    if is_none(headers) {
        return Ok(o);
    }
    if kind_of(headers) != rq_kind_t::RQ_KIND_DICT {
        return Err(type_error("Headers must be in dict format"));
    }
    for (k, v) in DictItems::new(headers) {
        let name = match kind_of(k) {
            rq_kind_t::RQ_KIND_STR | rq_kind_t::RQ_KIND_BYTES => bytes_of(k).unwrap_or(&[]),
            _ => return Err(type_error("Header names must be str or bytes")),
        };
        // A None value still replaces the automatic header (it is then not
        // sent at all), as in the reference.
        o.note(name);
        match kind_of(v) {
            rq_kind_t::RQ_KIND_NONE => continue,
            rq_kind_t::RQ_KIND_STR | rq_kind_t::RQ_KIND_BYTES => {
                if has_control(bytes_of(v).unwrap_or(&[])) || has_control(name) {
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

/// Writes the whole request head in the reference's order: request line,
/// Host, User-Agent, Content-Type, Content-Length (or Transfer-Encoding),
/// Authorization from auth=, then the user's headers as given.
pub fn write_head(w: &mut Writer, spec: &HeadSpec, o: &Overrides) -> PyResult<()> {
    write_request_line(w, spec.method, spec.url).map_err(request_error)?;
    if !o.host {
        w.put(b"Host: ");
        spec.url.write_host(w);
        w.put(b"\r\n");
    }
    if !o.user_agent {
        w.put(b"User-Agent: Adafruit CircuitPython\r\n");
    }
    let body = spec.body;
    if let (Some(ct), false) = (body.content_type, o.content_type) {
        w.put(b"Content-Type: ");
        match ct {
            ContentType::Json => w.put(b"application/json"),
            ContentType::Form => w.put(b"application/x-www-form-urlencoded"),
            ContentType::Multipart => {
                w.put(b"multipart/form-data; boundary=");
                w.put(&body.boundary);
            }
        }
        w.put(b"\r\n");
    }
    match body.source {
        Source::Empty => {}
        Source::Chunked(_) => {
            if !o.transfer_encoding {
                w.put(b"Transfer-Encoding: chunked\r\n");
            }
        }
        _ => {
            if !o.content_length {
                w.put(b"Content-Length: ");
                w.put_decimal(body.length);
                w.put(b"\r\n");
            }
        }
    }
    if !is_none(spec.authorization) && !o.authorization && !spec.drop_auth {
        write_header(
            w,
            b"Authorization",
            bytes_of(spec.authorization).unwrap_or(&[]),
        )
        .map_err(request_error)?;
    }
    if !is_none(spec.headers) {
        for (k, v) in DictItems::new(spec.headers) {
            let Some(value) = bytes_of(v).filter(|_| !is_none(v)) else {
                continue;
            };
            let name = bytes_of(k).unwrap_or(&[]);
            if spec.drop_auth && crate::engine::encode::eq_ignore_case(name, b"authorization") {
                continue;
            }
            write_header(w, name, value).map_err(request_error)?;
        }
    }
    end_head(w);
    Ok(())
}

/// Collects small writes in the session buffer and sends them in one go.
pub struct Sender<'b> {
    pub sock: Obj,
    pub buf: &'b mut [u8],
    pub len: usize,
    /// A send on the socket failed (rather than the body's source).
    pub failed: bool,
    /// The request's read timeout, bounding a Python-level socket's EAGAINs.
    pub timeout_ms: i32,
}

impl Sender<'_> {
    pub fn flush(&mut self) -> PyResult<()> {
        let len = core::mem::take(&mut self.len);
        let r = send(
            self.sock,
            self.buf.get(..len).unwrap_or(&[]),
            self.timeout_ms,
        );
        self.failed |= r.is_err();
        r
    }

    fn send_direct(&mut self, data: &[u8]) -> PyResult<()> {
        let r = send(self.sock, data, self.timeout_ms);
        self.failed |= r.is_err();
        r
    }

    fn room(&self) -> usize {
        self.buf.len().saturating_sub(self.len)
    }
}

impl Sink for Sender<'_> {
    fn put(&mut self, data: &[u8]) -> PyResult<()> {
        if data.len() > self.room() {
            self.flush()?;
            if data.len() >= self.buf.len() / 2 {
                // Large pieces go straight from the caller's object.
                return self.send_direct(data);
            }
        }
        let end = self.len.saturating_add(data.len());
        if let Some(dst) = self.buf.get_mut(self.len..end) {
            dst.copy_from_slice(data);
            self.len = end;
        }
        Ok(())
    }

    fn put_file(&mut self, file: Obj) -> PyResult<()> {
        call_method(file, rq_method_t::RQ_METH_SEEK, &[new_int(0)?])?;
        loop {
            if self.room() < 512 {
                self.flush()?;
            }
            let start = self.len;
            let Some(dst) = self.buf.get_mut(start..) else {
                return Ok(());
            };
            let n = file_readinto(file, dst)?;
            if n == 0 {
                return Ok(());
            }
            self.len = start.saturating_add(n);
        }
    }
}

/// Sends the body after a head already in the sender's buffer.
pub fn send_body(out: &mut Sender, body: &Body) -> PyResult<()> {
    match body.source {
        Source::Empty => {}
        Source::Bytes(o) => out.put(bytes_of(o).unwrap_or(&[]))?,
        Source::File(f) => out.put_file(f)?,
        Source::Multipart(fields, files) => emit_multipart(fields, files, &body.boundary, out)?,
        Source::Chunked(it) => {
            while let Some(piece) = iter_next(it)? {
                let data = match kind_of(piece) {
                    rq_kind_t::RQ_KIND_STR | rq_kind_t::RQ_KIND_BYTES => {
                        bytes_of(piece).unwrap_or(&[])
                    }
                    _ => return Err(type_error("data iterables must yield str or bytes")),
                };
                if data.is_empty() {
                    // An empty chunk would end the body early.
                    continue;
                }
                let mut frame = [0u8; 24];
                let mut fw = Writer::new(&mut frame);
                crate::engine::request::write_chunk_start(&mut fw, data.len());
                out.put(fw.written())?;
                out.put(data)?;
                out.put(b"\r\n")?;
            }
            out.put(b"0\r\n\r\n")?;
        }
    }
    out.flush()
}
