//! multipart/form-data framing for `files=`: the same emitter runs twice,
//! once into a byte counter for Content-Length and once into the socket.

use super::args::file_length;
#[cfg(feature = "multipart")]
use super::args::{for_each_field, text_of};
#[cfg(feature = "multipart")]
use super::ffi::rq_kind_t;
use super::py::*;
#[cfg(feature = "multipart")]
use crate::engine::encode::{for_each_param_piece, has_byte, has_control};

/// Where a multipart body goes: a byte counter or the socket.
pub trait Sink {
    fn put(&mut self, data: &[u8]) -> PyResult<()>;
    fn put_file(&mut self, file: Obj) -> PyResult<()>;
}

/// Counts what the emitter would send.
pub struct Counter {
    pub n: usize,
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

/// A part's Content-Type or extra header: a header line of its own, so CR,
/// LF or NUL in it are refused rather than escaped.
#[cfg(feature = "multipart")]
fn checked_field(b: &[u8]) -> PyResult<&[u8]> {
    if has_control(b) {
        Err(value_error!("CR, LF or NUL in a multipart field"))
    } else {
        Ok(b)
    }
}

/// A field name or filename inside its quotes, with `"`, CR and LF
/// percent-escaped so it cannot end the string or the header line.
#[cfg(feature = "multipart")]
fn put_param(out: &mut dyn Sink, value: &[u8]) -> PyResult<()> {
    if has_byte(value, 0) {
        return Err(value_error!("NUL in a multipart field name or filename"));
    }
    for_each_param_piece(value, |piece| out.put(piece))
}

/// The opening of one multipart part, up to the end of its
/// Content-Disposition line.
#[cfg(feature = "multipart")]
fn part_start(out: &mut dyn Sink, boundary: &[u8], name: &[u8]) -> PyResult<()> {
    out.put(b"--")?;
    out.put(boundary)?;
    out.put(b"\r\nContent-Disposition: form-data; name=\"")?;
    put_param(out, name)?;
    out.put(b"\"")
}

/// multipart/form-data framing: first the `data=` fields as plain parts (as
/// CPython requests puts them), then the `files=` dict as the reference
/// frames it: values are (filename, content[, content_type[, headers]]).
#[cfg(feature = "multipart")]
pub fn emit_multipart(
    fields: Obj,
    files: Obj,
    boundary: &[u8],
    out: &mut dyn Sink,
) -> PyResult<()> {
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
                return Err(value_error!(
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
            put_param(out, text_of(filename, &mut k2)?)?;
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
                return Err(type_error!("multipart part headers must be a dict"));
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

/// files= on a firmware built without it (RQ_ENABLE_MULTIPART=0): refused
/// before anything is sent.
#[cfg(not(feature = "multipart"))]
pub fn emit_multipart(
    _fields: Obj,
    _files: Obj,
    _boundary: &[u8],
    _out: &mut dyn Sink,
) -> PyResult<()> {
    Err(not_implemented!(
        "files= is not built into this firmware (RQ_ENABLE_MULTIPART=0)",
    ))
}
