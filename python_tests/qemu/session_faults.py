# Broken servers and failing sockets: each must end in the documented
# exception with no socket left open, and the session must stay usable.
import gc
import adafruit_requests

OK = response(body=b"fine")

CANNED = {
    "/ok": OK,
    "/bad-status": b"HTTP/1.1 abc OK\r\nContent-Length: 0\r\n\r\n",
    "/bad-version": b"HTTQ/1.1 200 OK\r\nContent-Length: 0\r\n\r\n",
    "/bad-header": b"HTTP/1.1 200 OK\r\nNo colon here\r\nContent-Length: 0\r\n\r\n",
    "/bad-length": b"HTTP/1.1 200 OK\r\nContent-Length: 12x\r\n\r\n",
    "/bad-chunk": b"HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\nzz\r\nabc\r\n0\r\n\r\n",
    "/huge-head": b"HTTP/1.1 200 OK\r\nX-Big: " + b"a" * 9000 + b"\r\nContent-Length: 0\r\n\r\n",
    "/many-headers": b"HTTP/1.1 200 OK\r\n" + b"".join(b"X-H%d: v\r\n" % i for i in range(60)) + b"Content-Length: 0\r\n\r\n",
    "/truncated": (b"HTTP/1.1 200 OK\r\nContent-Length: 100\r\n\r\nonly forty bytes of the hundred promised", "close"),
    "/truncated-chunked": (b"HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n10\r\n0123456789", "close"),
    "/head-cut": (b"HTTP/1.1 200 OK\r\nContent-Le", "close"),
    "/empty": (b"", "close"),
    "/stall": b"HTTP/1.1 200 OK\r\nContent-Length: 10\r\n\r\nabc",
}


def handler(req):
    reply = CANNED.get(req.target)
    if reply is None:
        return response("404 Not Found", b"")
    return reply


def fresh(**kw):
    pool = FakePool(handler, **kw)
    return pool, adafruit_requests.Session(pool)


def body_of(s, path, **kw):
    def go():
        with s.get("http://srv.example" + path, **kw) as r:
            return r.status_code, r.content
    return go


pool, s = fresh()
for path in ("/bad-status", "/bad-version", "/bad-header", "/bad-length", "/bad-chunk", "/huge-head",
             "/many-headers", "/truncated", "/truncated-chunked", "/head-cut", "/empty"):
    attempt(path, body_of(s, path))
    print("  open sockets", pool.live())
attempt("stall (read timeout)", body_of(s, "/stall", timeout=0.1))
print("  open sockets", pool.live(), "timeouts", pool.timeouts[-1])
attempt("session still fine", body_of(s, "/ok"))


# A server that never stops sending its head, one byte per receive: the
# head must be complete within one read timeout after the request went out,
# and only the module's own clock (mp_hal_ticks_ms, the board's timer) can
# end it, long before the head limit (each receive parses the head again).
# A body that keeps coming is never cut off, so the drip is in the head.
class DripSocket(FakeSocket):
    def recv_into(self, buf, nbytes=0):
        if self.outbox:
            return FakeSocket.recv_into(self, buf, nbytes)
        buf[0] = 97
        return 1


class DripPool(FakePool):
    def socket(self, family=2, type=1, proto=0):
        self.opened += 1
        return DripSocket(self)


def drip_handler(req):
    return b"HTTP/1.1 200 OK\r\nX-Drip: "


dpool = DripPool(drip_handler)
ds = adafruit_requests.Session(dpool, max_header_bytes=32768)


def drip():
    with ds.get("http://srv.example/drip", timeout=0.02) as r:
        return r.status_code


attempt("endless drip in the head (head deadline)", drip)
print("  open sockets", dpool.live())

# Streaming a truncated body: whole chunks that arrived are handed out,
# then the cut raises.
with s.get("http://srv.example/truncated", stream=True) as r:
    got = bytearray()
    try:
        for c in r.iter_content(16):
            got += c
        print("truncated stream: no error", len(got))
    except OSError as e:
        print("truncated stream", exc_name(e), "after", len(got), "bytes")
buf = bytearray(64)
with s.get("http://srv.example/truncated-chunked", stream=True) as r:
    attempt("truncated readinto 1", lambda: r.readinto(buf))
    attempt("truncated readinto 2", lambda: r.readinto(buf))
print("  open sockets", pool.live())

# Request validation happens before anything is sent.
sent_before = pool.calls.get("send", 0)
attempt("CRLF in header", body_of(s, "/ok", headers={"X-A": "1\r\nX-B: 2"}))
attempt("LF in URL", body_of(s, "/ok\nx"))
attempt("NUL in header name", body_of(s, "/ok", headers={"X\x00": "1"}))
attempt("bad scheme", lambda: s.get("ftp://srv.example/"))
attempt("no host", lambda: s.get("http:///path"))
attempt("bad port", lambda: s.get("http://srv.example:99999/"))
print("  sends", pool.calls.get("send", 0) - sent_before)

# Socket failures at each step.
for op, exc in (
    ("getaddrinfo", OSError(-2)),
    ("socket", RuntimeError("Out of sockets")),
    ("connect", OSError(errno.ECONNRESET)),
    ("send", OSError(errno.ECONNABORTED)),
    ("recv", OSError(errno.ECONNRESET)),
    ("recv", None),
):
    pool, s = fresh()
    pool.fail[op] = {"*": exc}
    attempt("%s fails %s" % (op, "EOF" if exc is None else exc_name(exc)), body_of(s, "/ok"))
    print("  open sockets", pool.live(), "sockets made", pool.opened)

# A stale keep-alive socket: the first send after reuse fails, the request
# is retried once on a new socket.
pool, s = fresh()
attempt("first", body_of(s, "/ok"))
pool.fail["send"] = {2: OSError(errno.ECONNABORTED)}
attempt("retried on a new socket", body_of(s, "/ok"))
print("  opened", pool.opened, "open", pool.live())
# The peer closed the idle connection: EOF from then on, where the status
# line should be.
pool.peer_closes_last()
attempt("retried after EOF", body_of(s, "/ok"))
print("  opened", pool.opened, "open", pool.live())

# Exceptions raised inside pool callbacks with the collector running.
pool, s = fresh(recv_limit=3, gc_every=2)
pool.fail["recv"] = {9: MemoryError("injected")}
attempt("MemoryError in recv", body_of(s, "/ok"))
pool.fail["recv"] = {}
attempt("then fine", body_of(s, "/ok"))
gc.collect()
print("  open sockets", pool.live())

# Many responses on one session: nothing may grow per request.
pool, s = fresh()
gc.collect()
free = gc.mem_free()
for i in range(50):
    with s.get("http://srv.example/ok") as r:
        r.content
    # The pool's own records (each reuse sets a zero timeout to check the
    # idle socket, then the request's) are not the module's memory.
    pool.timeouts.clear()
    pool.requests.clear()
gc.collect()
print("50 requests: sockets", pool.opened, "heap drift below 1 KiB", free - gc.mem_free() < 1024)
