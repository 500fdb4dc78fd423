"""Client side of the bench, run by the MicroPython firmware under test.

    micropython mpbench.py CLIENT TEST key=value ...

CLIENT: native (the built-in adafruit_requests), reference (the PyPI
package, imported as ref_requests through bench_pool), limit (a bare socket
that writes one fixed request and readintos the known-length response; with
parse=1 it splits the head as a minimal client would, see parsing_get_loop).
Prints one line "RESULT {json}"; any failure is an exception and a
non-zero exit status, which run.py reports as n/a.

Every timed loop is written out per client with nothing in it but the
calls being measured, so the three columns pay the same loop overhead.
"""

import gc
import json
import socket
import sys
import time

ticks_us = time.ticks_us
ticks_diff = time.ticks_diff

CLIENT = sys.argv[1]
TEST = sys.argv[2]
P = {}
for _arg in sys.argv[3:]:
    _k, _v = _arg.split("=", 1)
    try:
        _v = int(_v)
    except ValueError:
        pass
    P[_k] = _v


def tls_context():
    import tls

    ctx = tls.SSLContext(tls.PROTOCOL_TLS_CLIENT)
    with open(P["ca"], "rb") as f:
        ctx.load_verify_locations(f.read())
    return ctx


def session():
    ctx = tls_context() if "ca" in P else None
    if CLIENT == "native":
        import adafruit_requests

        return adafruit_requests, adafruit_requests.Session(socket, ctx)
    import bench_pool
    import ref_requests

    if TEST == "json":
        import ref_json

        ref_requests.json_module = ref_json
    wrapped = bench_pool.SSLContext(ctx) if ctx else None
    return ref_requests, ref_requests.Session(bench_pool.Pool(), wrapped)


def raw_socket():
    host, port = P["host"], P["port"]
    s = socket.socket()
    s.connect(socket.getaddrinfo(host, port, 0, socket.SOCK_STREAM)[0][-1])
    if "ca" in P:
        s = tls_context().wrap_socket(s, server_hostname=host)
    return s


def request_bytes(method, path, body=b""):
    host, port = P["host"], P["port"]
    default = 443 if "ca" in P else 80
    hostport = host if port == default else "%s:%d" % (host, port)
    head = "%s %s HTTP/1.1\r\nHost: %s\r\nUser-Agent: Adafruit CircuitPython\r\n" % (
        method,
        path,
        hostport,
    )
    if body:
        head += "Content-Length: %d\r\n" % len(body)
    return head.encode() + b"\r\n" + body


def url():
    scheme = "https" if "ca" in P else "http"
    return "%s://%s:%d%s" % (scheme, P["host"], P["port"], P["path"])


def emit(**kw):
    print("RESULT " + json.dumps(kw))


# ---- small keep-alive GET ------------------------------------------------


def parsing_get_loop():
    """The limit client with parse=1: what a minimal client written in
    MicroPython does for each GET. It does not know the response's length:
    it receives what came, splits the head into lines, reads the status
    and Content-Length, and takes the body as bytes (receiving the rest if
    the first read ended inside it)."""
    s = raw_socket()
    req = request_bytes("GET", P["path"])
    w = s.write
    recv = s.recv

    def get():
        w(req)
        data = recv(1024)
        end = data.find(b"\r\n\r\n")
        while end < 0:
            data += recv(1024)
            end = data.find(b"\r\n\r\n")
        lines = data[:end].split(b"\r\n")
        status = int(lines[0][9:12])
        length = 0
        for line in lines[1:]:
            if line[:15].lower() == b"content-length:":
                length = int(line[15:])
        body = data[end + 4 :]
        while len(body) < length:
            body += recv(length - len(body))
        return status, body

    status, body = get()
    if status != 200 or len(body) != P["body_len"]:
        raise ValueError("unexpected response")

    def run(n):
        for _ in range(n):
            get()

    return run


def small_get_loop():
    """Returns run(n) doing n keep-alive GETs, after checking one response."""
    if CLIENT == "limit" and P.get("parse"):
        return parsing_get_loop()
    if CLIENT == "limit":
        s = raw_socket()
        req = request_bytes("GET", P["path"])
        buf = bytearray(P["resp_len"])
        w = s.write
        ri = s.readinto
        w(req)
        if ri(buf) != len(buf) or buf[:12] != b"HTTP/1.1 200":
            raise ValueError("unexpected response")
        if P.get("probe"):
            # The same three system calls as a keep-alive client that checks
            # an idle connection before it reuses it: a poll without waiting,
            # then the write and the read.
            import select

            poller = select.poll()
            poller.register(s, select.POLLIN)
            probe = poller.poll

            def run(n):
                for _ in range(n):
                    if probe(0):
                        raise ValueError("the server closed the connection")
                    w(req)
                    ri(buf)

            return run

        def run(n):
            for _ in range(n):
                w(req)
                ri(buf)

        return run

    _, sess = session()
    if P.get("cookie"):
        # One cookie of a usual size that goes with every request.
        sess.cookies.set("sid", "0123456789abcdef0123456789abcdef", domain=P["host"], path="/")
    u = url()
    get = sess.get
    r = get(u)
    if r.status_code != 200 or len(r.content) != P["body_len"]:
        raise ValueError("unexpected response")
    r.close()

    def run(n):
        for _ in range(n):
            r = get(u)
            r.content
            r.close()

    return run


def test_rps():
    run = small_get_loop()
    run(P.get("warm", 20))
    limit_us = P["ms"] * 1000
    count = 0
    t0 = ticks_us()
    while True:
        run(8)
        count += 8
        dt = ticks_diff(ticks_us(), t0)
        if dt >= limit_us:
            break
    emit(count=count, us=dt)


def test_count():
    run = small_get_loop()
    run(P["n"])
    emit(count=P["n"])


def test_gc():
    run = small_get_loop()
    run(P.get("warm", 20))
    gc.collect()
    gc.disable()
    a = gc.mem_alloc()
    run(P["n"])
    b = gc.mem_alloc()
    gc.enable()
    emit(bytes_per_request=(b - a) / P["n"])


# ---- downloads -----------------------------------------------------------


def limit_exchanges(req, reps, check_status=False, fresh=False):
    """The limit client: `reps` timed exchanges of one fixed request on a
    bare socket, each answer read whole into a preallocated buffer, or with
    `fresh` into a new bytes object per answer (`s.read(n)`: what a client
    returning the body as an object cannot avoid, the allocator's search
    and clearing of that much heap)."""
    s = raw_socket()
    buf = bytearray(P["resp_len"])
    w = s.write
    ri = s.readinto
    rd = s.read
    size = len(buf)
    times = []
    for _ in range(reps):
        gc.collect()
        t0 = ticks_us()
        w(req)
        if fresh:
            got = rd(size)
            n = len(got)
            head = got[:12]
            got = None
        else:
            n = ri(buf)
            head = buf[:12]
        times.append(ticks_diff(ticks_us(), t0))
        if n != size or (check_status and head != b"HTTP/1.1 200"):
            raise ValueError("unexpected response")
    return times


def test_download():
    reps = P["reps"]
    mode = P["mode"]
    size = P["body_len"]
    times = []
    if CLIENT == "limit":
        emit(times_us=limit_exchanges(request_bytes("GET", P["path"]), reps,
                                      fresh=bool(P.get("fresh"))))
        return

    mod, sess = session()
    u = url()
    get = sess.get
    chunk = bytearray(P.get("chunk", 4096))
    for _ in range(reps):
        gc.collect()
        if mode == "content":
            t0 = ticks_us()
            r = get(u)
            n = len(r.content)
            r.close()
            t = ticks_diff(ticks_us(), t0)
        elif mode == "iter":
            t0 = ticks_us()
            r = get(u)
            n = 0
            for c in r.iter_content(4096):
                n += len(c)
            r.close()
            t = ticks_diff(ticks_us(), t0)
        elif mode == "readinto":
            t0 = ticks_us()
            r = get(u)
            # The reference has no public readinto; _RawResponse.readinto is
            # the buffer-filling reader its own json() uses.
            ri = r.readinto if CLIENT == "native" else mod._RawResponse(r).readinto
            n = 0
            while True:
                k = ri(chunk)
                if not k:
                    break
                n += k
            r.close()
            t = ticks_diff(ticks_us(), t0)
        else:
            raise ValueError(mode)
        r = None
        if n != size:
            raise ValueError("got %d bytes, want %d" % (n, size))
        times.append(t)
    emit(times_us=times)


# ---- json ----------------------------------------------------------------


def test_json():
    reps = P["reps"]
    items = P["items"]
    times = []
    if CLIENT == "limit":
        with open(P["file"], "rb") as f:
            data = f.read(P["body_len"])
        for _ in range(reps):
            gc.collect()
            t0 = ticks_us()
            d = json.loads(data)
            t = ticks_diff(ticks_us(), t0)
            if len(d["items"]) != items:
                raise ValueError("bad document")
            d = None
            times.append(t)
        emit(times_us=times)
        return

    _, sess = session()
    u = url()
    get = sess.get
    for _ in range(reps):
        gc.collect()
        t0 = ticks_us()
        r = get(u)
        d = r.json()
        r.close()
        t = ticks_diff(ticks_us(), t0)
        if len(d["items"]) != items:
            raise ValueError("bad document")
        d = r = None
        times.append(t)
    emit(times_us=times)


# ---- POST ----------------------------------------------------------------


def test_post():
    reps = P["reps"]
    payload = b"x" * P["size"]
    times = []
    if CLIENT == "limit":
        req = request_bytes("POST", P["path"], payload)
        payload = None
        emit(times_us=limit_exchanges(req, reps, check_status=True))
        return

    _, sess = session()
    u = url()
    post = sess.post
    for _ in range(reps):
        gc.collect()
        t0 = ticks_us()
        r = post(u, data=payload)
        status = r.status_code
        r.content
        r.close()
        times.append(ticks_diff(ticks_us(), t0))
        if status != 200:
            raise ValueError("status %d" % status)
    emit(times_us=times)


{
    "rps": test_rps,
    "count": test_count,
    "gc": test_gc,
    "download": test_download,
    "json": test_json,
    "post": test_post,
}[TEST]()
