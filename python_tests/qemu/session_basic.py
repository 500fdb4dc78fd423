# Session and Response against canned responses: the paths every request
# takes through the Rust engine and the C layer.
import gc
import adafruit_requests

BIG = bytes(range(256)) * 80  # 20 KiB: several passes through the I/O buffer


def checksum(data):
    s = 0
    for i, b in enumerate(data):
        s = (s * 31 + b + i) & 0xFFFFFF
    return s


def handler(req):
    t = req.target
    if t == "/hello":
        return response(body=b"hello, arm", headers=("Content-Type: text/plain", "X-Thing: A b C"))
    if t == "/json":
        return response(body=b'{"a": [1, 2, {"b": null}], "t": true, "s": "\\u00e9t\\u00e9", "n": -1234567890123}',
                        headers=("content-type: application/json",))
    if t == "/chunked":
        return chunked([b"one ", b"two ", b"x" * 300, b" three"], headers=("X-Kind: chunked",))
    if t == "/chunked-ext":
        return b"HTTP/1.1 200 OK\r\ntransfer-encoding: chunked\r\n\r\n5;name=v\r\nab\r\nc\r\na\r\n0123456789\r\n0\r\nTrailer: x\r\n\r\n"
    if t == "/big":
        return response(body=BIG)
    if t == "/big-chunked":
        return chunked([memoryview(BIG)[i : i + 1000] for i in range(0, len(BIG), 1000)])
    if t.startswith("/echo"):
        body = b"%s %s ct=%s cl=%s auth=%s x=%s | " % (
            req.method.encode(), t.encode(), req.headers.get("content-type", "-").encode(),
            req.headers.get("content-length", "-").encode(), req.headers.get("authorization", "-").encode(),
            req.headers.get("x-custom", "-").encode())
        return response(body=body + req.body)
    if t == "/close":
        return response(body=b"bye", headers=("Connection: close",)), "close"
    if t == "/http10":
        return response(body=b"old", version="HTTP/1.0"), "close"
    if t == "/to-close":
        return b"HTTP/1.1 200 OK\r\nConnection: close\r\n\r\nno length", "close"
    if t == "/redirect/rel":
        return response("301 Moved Permanently", b"", ("Location: ../hello",))
    if t == "/redirect/abs":
        return response("302 Found", b"", ("Location: http://other.example:8080/hello",))
    if t == "/redirect/303":
        return response("303 See Other", b"", ("Location: /echo/after-303",))
    if t == "/redirect/307":
        return response("307 Temporary Redirect", b"", ("Location: /echo/after-307",))
    if t == "/head":
        return b"HTTP/1.1 200 OK\r\nContent-Length: 1000\r\n\r\n"
    if t == "/204":
        return b"HTTP/1.1 204 No Content\r\nTransfer-Encoding: chunked\r\n\r\n"
    if t == "/continue":
        return b"HTTP/1.1 100 Continue\r\n\r\nHTTP/1.1 200 OK\r\nContent-Length: 2\r\n\r\nok"
    if t == "/lines":
        return response(body=b"first\nsecond\r\n\nlast")
    if t == "/utf8":
        return response(body="grüße, 世界!".encode())
    if t == "/404":
        return response("404 Not Found", b"nope")
    return response("500 Internal Server Error", b"unknown " + t.encode())


def run(recv_limit=0, short_send=0, gc_every=0, bulk_limit=0):
    gc.collect()
    pool = FakePool(handler, recv_limit=recv_limit, short_send=short_send, gc_every=gc_every, bulk_limit=bulk_limit)
    s = adafruit_requests.Session(pool, FakeTLS())

    with s.get("http://dev.example/hello") as r:
        print("get", r.status_code, r.reason, r.text, r.content)
        h = r.headers
        print("headers", h["content-type"], h["Content-Type"], h.get("CONTENT-LENGTH"), "X-THING" in h,
              h.get("missing", "dflt"), sorted(h.keys()))
    r = s.get("http://dev.example/json")
    j = r.json()
    print("json", j["a"], j["t"], j["s"], j["n"], r.text == r.content.decode())
    r = s.get("http://dev.example/chunked")
    print("chunked", len(r.content), r.content[:8], r.content[-6:], r.headers["x-kind"])
    print("chunked-ext", s.get("http://dev.example/chunked-ext").content)
    # The board's heap is 140 KiB: whole 20 KiB bodies need a collected heap.
    r = None
    gc.collect()
    r = s.get("http://dev.example/big")
    print("big", len(r.content), checksum(r.content) == checksum(BIG))
    r = None
    gc.collect()
    r = s.get("http://dev.example/big-chunked", stream=True)
    parts = [c for c in r.iter_content(chunk_size=777)]
    print("big-chunked iter_content", len(parts), sum(len(p) for p in parts), b"".join(parts) == BIG)
    parts = None
    r = s.get("http://dev.example/chunked")
    print("iter_content(5)", [c for c in r.iter_content(5)][:3])
    r = s.get("http://dev.example/utf8")
    pieces = [c for c in r.iter_content(chunk_size=3, decode_unicode=True)]
    # As UTF-8: a str's repr differs between firmwares (CircuitPython prints
    # non-ASCII characters as they are, MicroPython escapes them).
    print("decode_unicode", all(isinstance(c, str) for c in pieces), [c.encode() for c in pieces])
    print("iter_lines", list(s.get("http://dev.example/lines").iter_lines()))

    # readinto at an odd offset: the Rust side writes into a buffer it does
    # not own, at an address with no alignment.
    gc.collect()
    buf = bytearray(13)
    mv = memoryview(buf)[1:]
    got = bytearray()
    with s.get("http://dev.example/big", stream=True) as r:
        while True:
            n = r.readinto(mv)
            if not n:
                break
            got += mv[:n]
    print("readinto", len(got), got == BIG)
    got = None
    gc.collect()

    print("opened so far", pool.opened, "connects", pool.connects)

    # Requests with bodies.
    print("post data", s.post("http://dev.example/echo", data=b"raw\x00bytes").content)
    print("post form", s.post("http://dev.example/echo", data={"a b": "c&d", "n": 1}).content)
    print("post json", s.post("http://dev.example/echo", json={"k": [1, "two"]}).content)
    print("put iter", s.put("http://dev.example/echo", data=(p for p in [b"ab", b"", b"cd"])).content)
    print("params auth headers", s.get("http://dev.example/echo", params={"q": "x y", "p": "ü"},
                                       auth=("user", "pässword"), headers={"X-Custom": "v1"}).content)

    # Redirects.
    r = s.get("http://dev.example/redirect/rel")
    print("redirect rel", r.status_code, r.text, r.url, r.history)
    r = s.get("http://dev.example/redirect/abs")
    print("redirect abs", r.status_code, r.text, r.url, pool.connects[-1])
    r = s.post("http://dev.example/redirect/303", data=b"dropped")
    print("redirect 303", r.content)
    r = s.post("http://dev.example/redirect/307", data=b"kept")
    print("redirect 307", r.content)
    r = s.get("http://dev.example/redirect/rel", allow_redirects=False)
    print("no redirect", r.status_code, r.headers["location"])
    r.close()

    # Keep-alive: everything so far went over one socket per host.
    print("keep-alive", pool.opened, pool.live(), len(pool.requests))
    s.get("http://dev.example/close").content
    print("after close", pool.opened, pool.live())
    print("http/1.0", s.get("http://dev.example/http10").text, pool.live())
    print("read to close", s.get("http://dev.example/to-close").content)
    print("new socket", pool.opened, pool.live())
    for i in range(3):
        s.get("http://dev.example/hello").content
    print("reuse", pool.opened, pool.live())
    # A port makes another connection.
    s.get("http://dev.example:8081/hello").content
    print("other port", pool.opened, pool.connects[-1])
    s.get("https://dev.example/hello").content
    print("https", pool.opened, pool.connects[-1], pool.requests[-1].tls)

    r = s.head("http://dev.example/head")
    print("head", r.status_code, r.headers["content-length"], r.content)
    print("204", s.get("http://dev.example/204").content)
    print("1xx", s.get("http://dev.example/continue").content)
    r = s.get("http://dev.example/404")
    print("404", r.status_code, r.ok, r.reason)
    attempt("raise_for_status", r.raise_for_status)

    # A streamed response closed early, then reuse of its connection.
    before = pool.opened
    r = s.get("http://dev.example/hello", stream=True)
    r.close()
    s.get("http://dev.example/hello").content
    print("closed unread", pool.opened - before)

    print("hosts", [q.host for q in pool.requests][-3:], [q.headers["host"] for q in pool.requests][-3:])
    s.close()
    print("session closed", pool.live())


print("--- whole reads")
run()
# Heads, chunk-size lines and small bodies arrive a byte at a time, so every
# split point of the framing is met; the 20 KiB bodies come 61 bytes a read
# (a prime, so reads end at every offset of the 13-byte readinto buffer and
# the 777-byte iter_content chunks) — a byte at a time they would only repeat
# the same path 20,000 times, with a collection every 7 reads costing minutes
# on a slow board.
print("--- 1-byte reads, 3-byte sends, gc in recv")
run(recv_limit=1, short_send=3, gc_every=7, bulk_limit=61)
