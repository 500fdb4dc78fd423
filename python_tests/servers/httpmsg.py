"""Reading one HTTP/1.x request off a socket, byte-exact.

The servers must know where a request ends (to answer it and to keep the
connection for the next one) while keeping the raw bytes untouched, because the
wire-compatibility tests compare those bytes between implementations.
"""

import socket

MAX_HEAD = 256 * 1024


class Request:
    def __init__(self, raw, head_len):
        self.raw = bytes(raw)
        head = self.raw[:head_len].decode("latin-1")
        lines = head.split("\r\n")
        self.request_line = lines[0]
        parts = self.request_line.split(" ")
        self.method = parts[0]
        self.target = parts[1] if len(parts) > 1 else ""
        self.path = self.target.split("?", 1)[0]
        self.headers = []
        for line in lines[1:]:
            if not line:
                continue
            name, _, value = line.partition(":")
            self.headers.append((name, value.strip()))
        self.body_raw = self.raw[head_len:]
        self.body = self.body_raw

    def header(self, name, default=None):
        lname = name.lower()
        for key, value in self.headers:
            if key.lower() == lname:
                return value
        return default

    def __repr__(self):
        return "Request(%r)" % (self.raw[:200],)


class _Reader:
    def __init__(self, sock, pending=b""):
        self.sock = sock
        self.buf = bytearray(pending)

    def fill(self):
        data = self.sock.recv(65536)
        if not data:
            raise EOFError("peer closed")
        self.buf += data

    def take_until(self, marker, limit):
        while True:
            i = self.buf.find(marker)
            if i >= 0:
                out = bytes(self.buf[: i + len(marker)])
                del self.buf[: i + len(marker)]
                return out
            if len(self.buf) > limit:
                raise ValueError("line too long")
            self.fill()

    def take(self, n):
        while len(self.buf) < n:
            self.fill()
        out = bytes(self.buf[:n])
        del self.buf[:n]
        return out


def _decode_chunked(raw):
    out = bytearray()
    pos = 0
    while True:
        end = raw.index(b"\r\n", pos)
        size = int(raw[pos:end].split(b";")[0], 16)
        pos = end + 2
        if size == 0:
            return bytes(out)
        out += raw[pos : pos + size]
        pos += size + 2


def read_request(sock, pending=b""):
    """Return (Request, leftover_bytes) or (None, b"") when the peer closed
    before sending anything."""
    reader = _Reader(sock, pending)
    try:
        head = reader.take_until(b"\r\n\r\n", MAX_HEAD)
    except EOFError:
        if reader.buf:
            # A partial request followed by close is still worth recording.
            req = Request(bytes(reader.buf), len(reader.buf))
            return req, b""
        return None, b""
    raw = bytearray(head)
    req_head = Request(head, len(head))
    te = (req_head.header("transfer-encoding") or "").lower()
    if "chunked" in te:
        while True:
            line = reader.take_until(b"\r\n", 1024)
            raw += line
            size = int(line.split(b";")[0].strip(), 16)
            if size == 0:
                # Trailer section ends at an empty line.
                while True:
                    trailer = reader.take_until(b"\r\n", MAX_HEAD)
                    raw += trailer
                    if trailer == b"\r\n":
                        break
                break
            raw += reader.take(size + 2)
        req = Request(raw, len(head))
        req.body = _decode_chunked(req.body_raw)
    else:
        length = int(req_head.header("content-length") or 0)
        raw += reader.take(length)
        req = Request(raw, len(head))
    return req, bytes(reader.buf)


def http_response(status=200, headers=(), body=b"", reason=None, version="HTTP/1.1"):
    """Build a response; Content-Length is added unless a framing header is given."""
    reasons = {200: "OK", 201: "Created", 204: "No Content", 301: "Moved Permanently",
               302: "Found", 303: "See Other", 304: "Not Modified",
               307: "Temporary Redirect", 308: "Permanent Redirect",
               400: "Bad Request", 404: "Not Found", 500: "Internal Server Error"}
    if isinstance(body, str):
        body = body.encode("utf-8")
    if reason is None:
        reason = reasons.get(status, "Status")
    headers = list(headers.items() if isinstance(headers, dict) else headers)
    names = {k.lower() for k, _ in headers}
    if "content-length" not in names and "transfer-encoding" not in names:
        headers.append(("Content-Length", str(len(body))))
    head = "%s %d %s\r\n" % (version, status, reason)
    head += "".join("%s: %s\r\n" % (k, v) for k, v in headers)
    return head.encode("latin-1") + b"\r\n" + body


def wants_close(request, response_bytes):
    head = response_bytes.split(b"\r\n\r\n", 1)[0].lower()
    if b"\r\nconnection: close" in head or head.startswith(b"http/1.0"):
        return True
    return (request.header("connection") or "").lower() == "close"


def set_linger_reset(sock):
    """Make close() send RST instead of FIN."""
    import struct
    sock.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER, struct.pack("ii", 1, 0))
