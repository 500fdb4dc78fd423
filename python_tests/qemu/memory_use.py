# The module's RAM on the board: what import, a Session and one request
# keep on the heap, the most that is live while a 20 KiB body comes in
# through content, iter_content and readinto, and what the Session keeps
# afterwards. The figures go to measured() (the Pico runner reports them);
# the printed lines are bounds that every firmware meets, 64-bit unix
# included, so the .exp is shared.
import gc

BODY = bytes(range(256)) * 80  # 20 KiB, allocated before any baseline
SMALL = b"x" * 100


def handler(req):
    if req.target == "/big":
        return response(body=BODY)
    return response(body=SMALL, headers=("Content-Type: text/plain", "Server: fake"))


class PeakSocket(FakeSocket):
    # Live heap at each receive: a collection first, so garbage left by the
    # previous read does not count. While the body comes in, receives are
    # where the module is deepest in its work.
    def recv_into(self, buf, nbytes=0):
        gc.collect()
        used = gc.mem_alloc()
        if used > self.pool.peak:
            self.pool.peak = used
        return FakeSocket.recv_into(self, buf, nbytes)


class PeakPool(FakePool):
    def __init__(self, handler):
        FakePool.__init__(self, handler)
        self.peak = 0
        # Every key the pool will count, so its dict does not grow later.
        self.calls = {"getaddrinfo": 0, "socket": 0, "connect": 0, "send": 0, "recv": 0}

    def socket(self, family=2, type=1, proto=0):
        self._fault("socket")
        self.opened += 1
        return PeakSocket(self)


def scrub(n):
    # The collector also scans the free part of the C stack between here and
    # its own frame, where earlier calls left pointers (to a chunk or a
    # Response long dropped) that would keep blocks alive in a baseline and
    # make the next peak look smaller. Frames of None written over that
    # stretch clear them.
    a = b = c = d = e = f = g = h = None
    if n:
        scrub(n - 1)


def live():
    # The pool's logs of requests, connects and timeouts belong to the test.
    pool.requests.clear()
    pool.connects.clear()
    pool.timeouts.clear()
    scrub(12)
    gc.collect()
    return gc.mem_alloc()


def scrub(n):
    # The collector also scans the free part of the C stack between here and
    # its own frame, where earlier calls left pointers (to a chunk or a
    # Response long dropped) that would keep blocks alive in a baseline and
    # make the next peak look smaller. Frames of None written over that
    # stretch clear them.
    a = b = c = d = e = f = g = h = None
    if n:
        scrub(n - 1)


def live():
    # The pool's logs of requests, connects and timeouts belong to the test.
    pool.requests.clear()
    pool.connects.clear()
    pool.timeouts.clear()
    scrub(12)
    gc.collect()
    return gc.mem_alloc()


# The work happens inside functions: the module level's value stack keeps
# stale pointers to what its expressions produced (the collector scans it
# whole), a returned function's frame does not.
def open_session():
    global s
    s = adafruit_requests.Session(pool)


def small_get():
    with s.get("http://dev.example/small") as r:
        return len(r.content)


def close_session():
    global s
    s.close()
    s = None


def by_content():
    with s.get("http://dev.example/big") as r:
        body = r.content
        return "content %d %s" % (len(body), body == BODY), len(body)


def by_iter_content():
    n = 0
    with s.get("http://dev.example/big", stream=True) as r:
        for chunk in r.iter_content(1024):
            n += len(chunk)
    return "iter_content(1024) %d" % n, 0


def by_readinto():
    n = 0
    with s.get("http://dev.example/big", stream=True) as r:
        while True:
            got = r.readinto(BUF)
            if not got:
                break
            n += got
    return "readinto(512) %d" % n, 0


def peak_of(name, fn, limit):
    # The most live bytes above the state before fn while it runs, less the
    # body it holds on purpose (content), against limit; then what stays
    # once fn has returned. The Session keeps its last Response (as the
    # reference does) until the next request: a small GET first, so that the
    # previous body is not part of the baseline.
    small_get()
    start = live()
    pool.peak = start
    what, held = fn()
    peak = pool.peak - start
    measured(name, peak)
    measured(name + "_kept", live() - start)
    print(what, "peak under %d KiB beyond the body" % (limit // 1024), peak - held < limit)


def test_socket_cost():
    # What one idle test socket costs, so it can be told apart from the
    # module's own state (the Session keeps the request's socket for reuse).
    base = live()
    spare = PeakSocket(pool)
    spare.connect(("dev.example", 80))
    return live() - base


# Every global exists before the baseline, so the module's dict does not
# grow between the samples.
BUF = bytearray(512)
pool = PeakPool(handler)
s = adafruit_requests = None
base = after_import = after_session = after_request = after_close = loaded = 0

measured("test_socket", test_socket_cost())
measured("heap_total", gc.mem_free() + gc.mem_alloc())
base = live()
import adafruit_requests

after_import = live() - base
# A dynamic native module (.mpy, loaded from a file: it has __file__) keeps
# its code and tables on the heap for as long as it is imported; that is
# measured as "import", and the bounds below are what the module's objects
# add to it, as for the built-in module (whose import keeps a few bytes).
loaded = after_import if hasattr(adafruit_requests, "__file__") else 0
open_session()
after_session = live() - base
small_get()
after_request = live() - base
measured("import", after_import)
measured("session", after_session)
measured("session_after_get", after_request)
print("idle sockets", pool.live())
print("import + Session + GET under 4 KiB with the test socket", after_request - loaded < 4096)

peak_of("peak_content_20k", by_content, 2048)
peak_of("peak_iter_content_20k", by_iter_content, 4096)
peak_of("peak_readinto_20k", by_readinto, 2048)

close_session()
# live()'s own frame sits where Session.close()'s calls just ran, and the
# collector scans all of it, slots not yet written included: on CircuitPython
# one of them held a stale pointer to a 64-byte block (gone at the next
# sample). A scrub at this depth first writes over that stretch.
scrub(12)
after_close = live() - base
measured("session_closed", after_close)
print("closed: sockets", pool.live(), "heap back within 64 bytes of before import", after_close - loaded < 64)
