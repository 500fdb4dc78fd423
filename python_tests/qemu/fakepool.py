# An in-memory socket pool with a canned HTTP server behind it.
#
# The qemu firmware has no network, and the tests must show that the Rust
# core and the C layer behave on a 32-bit target exactly as on the host, so
# everything below is plain Python that runs in any MicroPython: run.py puts
# this file in front of every test script before sending it to the board.
#
# A test gives FakePool a handler: handler(req) -> bytes (or a list of
# pieces), or (that, "close") to close the connection once it is read. req has .method,
# .target, .headers (lower-case names), .body, .host, .tls. The pool counts
# sockets and connections and can fail any call:
#   pool.fail[op] = {n: exc}   op in getaddrinfo/socket/connect/send/recv,
#                              n counts that op's calls from 1, "*" is any;
#                              exc None on recv means EOF.
#   recv_limit=n               recv_into hands out at most n bytes a call
#   bulk_limit=n               ... but up to n from a piece of the reply over
#                              BULK bytes (a large body), when n is given
#   short_send=n               send takes at most n bytes a call
#   gc_every=n                 gc.collect() inside every n-th recv_into

import errno
import gc


# Reply pieces over this many bytes count as bulk for bulk_limit.
BULK = 512


class Req:
    def __init__(self, method, target, headers, body, host, tls):
        self.method = method
        self.target = target
        self.headers = headers
        self.body = body
        self.host = host
        self.tls = tls


def _parse_chunked(data):
    # -> (body, bytes consumed) or None when incomplete
    body = bytearray()
    pos = 0
    while True:
        eol = data.find(b"\r\n", pos)
        if eol < 0:
            return None
        size = int(bytes(data[pos:eol]).split(b";")[0], 16)
        pos = eol + 2
        if size == 0:
            end = data.find(b"\r\n\r\n", pos - 2)
            if end < 0:
                return None
            return bytes(body), end + 4
        if len(data) < pos + size + 2:
            return None
        body.extend(data[pos : pos + size])
        pos += size + 2


class FakeSocket:
    def __init__(self, pool):
        self.pool = pool
        self.inbox = bytearray()  # client -> server
        # server -> client: memoryviews over the handler's bytes, so a large
        # body is never copied or joined (the board's heap is 140 KiB).
        self.outbox = []
        self.head_bulk = None  # whether outbox[0] came as a bulk piece
        self.eof = False
        self.closed = False
        self.host = None
        self.tls = False
        self.timeout = "unset"

    def settimeout(self, t):
        self.timeout = t
        self.pool.timeouts.append(t)

    def connect(self, addr):
        self.pool._fault("connect")
        self.host = "%s:%d" % (addr[0], addr[1])
        self.pool.connects.append(self.host)

    def send(self, data):
        if self.closed:
            raise OSError(errno.EBADF)
        self.pool._fault("send")
        n = len(data)
        if self.pool.short_send:
            n = min(n, self.pool.short_send)
        self.inbox.extend(memoryview(data)[:n])
        self._serve()
        return n

    def _serve(self):
        while not self.eof:
            end = self.inbox.find(b"\r\n\r\n")
            if end < 0:
                return
            lines = bytes(self.inbox[:end]).decode().split("\r\n")
            method, target, _ = lines[0].split(" ")
            headers = {}
            for line in lines[1:]:
                k, v = line.split(":", 1)
                headers[k.strip().lower()] = v.strip()
            rest = self.inbox[end + 4 :]
            if headers.get("transfer-encoding") == "chunked":
                got = _parse_chunked(rest)
                if got is None:
                    return
                body, used = got
            else:
                used = int(headers.get("content-length", "0"))
                if len(rest) < used:
                    return
                body = bytes(rest[:used])
            self.inbox = bytearray(rest[used:])
            req = Req(method, target, headers, body, self.host, self.tls)
            self.pool.requests.append(req)
            reply = self.pool.handler(req)
            if isinstance(reply, tuple):
                reply = reply[0]
                self.eof = True
            if not isinstance(reply, list):
                reply = [reply]
            self.outbox.extend(memoryview(p) for p in reply if p)

    def recv_into(self, buf, nbytes=0):
        if self.closed:
            raise OSError(errno.EBADF)
        pool = self.pool
        pool.recv_calls += 1
        if pool.gc_every and pool.recv_calls % pool.gc_every == 0:
            gc.collect()
        if pool._fault("recv") == "eof":
            return 0
        n = len(buf) if not nbytes or nbytes > len(buf) else nbytes
        if not self.outbox:
            if self.eof:
                return 0
            # What CircuitPython's sockets raise when the timeout expires.
            raise OSError(errno.EAGAIN)
        head = self.outbox[0]
        if self.head_bulk is None:
            # Judged on the whole piece: its tail is read at the same pace.
            self.head_bulk = len(head) > BULK
        if pool.bulk_limit and self.head_bulk:
            n = min(n, pool.bulk_limit)
        elif pool.recv_limit:
            n = min(n, pool.recv_limit)
        n = min(n, len(head))
        buf[:n] = head[:n]
        if n < len(head):
            self.outbox[0] = head[n:]
        else:
            self.outbox.pop(0)
            self.head_bulk = None
        return n

    def close(self):
        if not self.closed:
            self.closed = True
            self.pool.closed += 1


class FakePool:
    AF_INET = 2
    SOCK_STREAM = 1

    def __init__(self, handler, recv_limit=0, short_send=0, gc_every=0, bulk_limit=0):
        self.handler = handler
        self.recv_limit = recv_limit
        self.bulk_limit = bulk_limit
        self.short_send = short_send
        self.gc_every = gc_every
        self.fail = {}
        self.calls = {}
        self.opened = 0
        self.closed = 0
        self.recv_calls = 0
        self.connects = []
        self.requests = []
        self.timeouts = []

    def _fault(self, op):
        n = self.calls.get(op, 0) + 1
        self.calls[op] = n
        table = self.fail.get(op)
        if table is None:
            return None
        exc = table.get(n, table.get("*", 0))
        if exc is None:
            return "eof"
        if exc:
            raise exc
        return None

    def getaddrinfo(self, host, port, family=0, type=0, proto=0, flags=0):
        self._fault("getaddrinfo")
        return [(self.AF_INET, self.SOCK_STREAM, 6, "", (host, port))]

    def socket(self, family=2, type=1, proto=0):
        self._fault("socket")
        self.opened += 1
        self.last = FakeSocket(self)
        return self.last

    def peer_closes_last(self):
        # The server side of the newest socket goes away: every read from
        # then on sees the end of the stream, as on a real socket.
        self.last.outbox = []
        self.last.eof = True

    def live(self):
        return self.opened - self.closed


class FakeTLS:
    # Wrap-then-connect, as CircuitPython's ssl does.
    def wrap_socket(self, sock, server_hostname=None):
        sock.tls = True
        return sock


def response(status="200 OK", body=b"", headers=(), version="HTTP/1.1"):
    head = "%s %s\r\n" % (version, status)
    for h in headers:
        head += h + "\r\n"
    if body is not None:
        head += "Content-Length: %d\r\n" % len(body)
    return [head.encode() + b"\r\n", body or b""]


def chunked(pieces, headers=()):
    # A list of pieces: the server side sends them without joining.
    head = "HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n"
    for h in headers:
        head += h + "\r\n"
    out = [head.encode() + b"\r\n"]
    for p in pieces:
        out += [("%X\r\n" % len(p)).encode(), p, b"\r\n"]
    out.append(b"0\r\n\r\n")
    return out


def exc_name(e):
    if isinstance(e, OSError) and e.args and isinstance(e.args[0], int):
        code = e.args[0]
        for name in ("EAGAIN", "ETIMEDOUT", "ECONNRESET", "ECONNABORTED", "EIO", "EBADF", "ENOTCONN"):
            if code == getattr(errno, name, None):
                return "OSError(%s)" % name
        return "OSError(%d)" % code
    return type(e).__name__


def measured(name, value):
    # A figure for the record, not for comparison: the Pico runner replaces
    # this with one that reports it; elsewhere it stays out of the output.
    pass


def attempt(label, fn):
    try:
        print(label, fn())
    except Exception as e:
        print(label, "raised", exc_name(e))


# --- test body follows ---
