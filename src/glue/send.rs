//! Putting a request body on the wire after its head, batched in the
//! session buffer, and never more (or fewer) bytes than the head announced.

use super::args::file_length;
use super::conn::send;
use super::ffi::rq_kind_t;
use super::multipart::{emit_multipart, Sink};
use super::py::*;
use super::request::{Body, Source};
use crate::engine::request::write_chunk_start;
use crate::engine::writer::Writer;

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

/// Smallest piece worth reading from a file before sending what is buffered.
const MIN_FILE_READ: usize = 512;

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

    pub fn put(&mut self, data: &[u8]) -> PyResult<()> {
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
}

// The caller's source changed under us. These are ValueErrors raised with
// `Sender::failed` unset: the socket did not fail, so the request is never
// sent again, and the connection (with part of a body on it) is closed.
fn longer_than_announced() -> Exc {
    value_error!("body source gave more bytes than its Content-Length announced")
}

fn shorter_than_announced() -> Exc {
    value_error!("body source gave fewer bytes than its Content-Length announced")
}

fn file_changed() -> Exc {
    value_error!("file size changed during the upload")
}

/// A body with a Content-Length: refuses any byte beyond it, so a source
/// that grew can never spill into what the server reads as the next request.
struct Bounded<'s, 'b> {
    out: &'s mut Sender<'b>,
    left: usize,
}

impl Sink for Bounded<'_, '_> {
    fn put(&mut self, data: &[u8]) -> PyResult<()> {
        self.left = self
            .left
            .checked_sub(data.len())
            .ok_or_else(longer_than_announced)?;
        self.out.put(data)
    }

    /// Reads the file in pieces that ask only for what it has left, then
    /// checks it really ended there. The last piece stays in the buffer until
    /// the whole body is checked, so a file that changed never reaches the
    /// server as a complete request.
    fn put_file(&mut self, file: Obj) -> PyResult<()> {
        // Measured again: it may have changed since the body was counted.
        let size = file_length(file)?;
        if size > self.left {
            return Err(file_changed());
        }
        let out = &mut *self.out;
        let mut done = 0usize;
        while done < size {
            if out.room() < MIN_FILE_READ {
                out.flush()?;
            }
            let want = out.room().min(size.saturating_sub(done));
            let start = out.len;
            let Some(dst) = out.buf.get_mut(start..start.saturating_add(want)) else {
                return Err(runtime_error!("no room in the session buffer"));
            };
            let n = file_readinto(file, dst)?;
            if n == 0 {
                return Err(file_changed());
            }
            out.len = start.saturating_add(n);
            done = done.saturating_add(n);
        }
        let mut probe = [0u8; 1];
        if file_readinto(file, &mut probe)? != 0 {
            return Err(file_changed());
        }
        self.left = self.left.saturating_sub(size);
        Ok(())
    }
}

/// `data=` as an iterable: each non-empty piece as one chunk.
fn send_chunked(out: &mut Sender, it: Obj) -> PyResult<()> {
    while let Some(piece) = iter_next(it)? {
        let data = match kind_of(piece) {
            rq_kind_t::RQ_KIND_STR | rq_kind_t::RQ_KIND_BYTES => bytes_of(&piece).unwrap_or(&[]),
            _ => return Err(type_error!("data iterables must yield str or bytes")),
        };
        if data.is_empty() {
            // An empty chunk would end the body early.
            continue;
        }
        let mut frame = [0u8; 24];
        let mut fw = Writer::new(&mut frame);
        write_chunk_start(&mut fw, data.len());
        out.put(fw.written())?;
        out.put(data)?;
        out.put(b"\r\n")?;
    }
    out.put(b"0\r\n\r\n")
}

/// Sends the body after a head already in the sender's buffer.
pub fn send_body(out: &mut Sender, body: &Body) -> PyResult<()> {
    match body.source {
        Source::Empty => {}
        Source::Chunked(it) => send_chunked(out, it)?,
        Source::Bytes(_) | Source::File(_) | Source::Multipart(..) => {
            let mut bounded = Bounded {
                out: &mut *out,
                left: body.length,
            };
            match body.source {
                Source::Bytes(o) => bounded.put(bytes_of(&o).unwrap_or(&[]))?,
                Source::File(f) => bounded.put_file(f)?,
                Source::Multipart(fields, files) => {
                    emit_multipart(fields, files, &body.boundary, &mut bounded)?
                }
                Source::Empty | Source::Chunked(_) => {}
            }
            if bounded.left != 0 {
                return Err(shorter_than_announced());
            }
        }
    }
    out.flush()
}
