"""SPEC §6 and §11, one owner at a time: a Session used from two threads at
once, or re-entered by a Python-level pool, serializes or raises
RuntimeError and never crashes the VM; every ordering of a request's own
timeout, a wait_for deadline and task.cancel() on an AsyncSession ends in an
exception or a result, never in a crash or a task queued twice (both asyncio
implementations); a timed-out streamed reader closes its socket at once; a
trickled TLS handshake is bounded by the connect timeout as a whole."""


import pytest
from test_async import AIO_IMPORT, aio, aio_params  # noqa: F401

from hostile_kit import hostile_server, ok_response  # noqa: F401
from servers import http_response

pytestmark = pytest.mark.native_only

SLACK_MS = 1000
SEGV = -11


def check_not_crashed(res):
    # A crash is a signal (rc < 0); a Python exception ends the script with
    # rc 1 and its traceback.
    assert res.rc == 0 and not res.timed_out, res.describe()
    return res.one


# --- threads (issue 22 case 1) ---

THREADS = """
import _thread, time
s = requests.Session(socket)
state = {"b": [], "done": False}
def other():
    time.sleep(0.05)
    for i in range(60):
        try:
            state["b"].append(s.get(P["fast"], timeout=5).content)
        except (RuntimeError, OSError) as e:
            state["b"].append(type(e).__name__)
        time.sleep(0.003)
        junk = [bytearray(40) for k in range(20)]
    state["done"] = True
_thread.start_new_thread(other, ())
a = []
while not state["done"] and len(a) < 200:
    try:
        r = s.get(P["slow"], stream=True, timeout=5)
        got = 0
        for c in r.iter_content(64):
            got += len(c)
            junk = [bytearray(40) for k in range(20)]
        a.append(got)
    except (RuntimeError, OSError) as e:
        a.append(type(e).__name__)
        time.sleep(0.003)
while not state["done"]:
    time.sleep(0.01)
emit([a, state["b"]])
"""


@pytest.mark.parametrize("run_no", range(12))
def test_two_threads_on_one_session_never_crash(mpy, impl, hostile_server, run_no):
    """Thread A streams a slowly arriving chunked body while thread B makes
    requests on the same Session whose heads keep growing (so reading them
    grows the connection buffer A's read may be writing into); a small heap
    so that freed blocks are soon reused. Each run is a fresh process."""
    chunk = b"26\r\n" + b"c" * 38 + b"\r\n"
    head = b"HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n"
    drip = [("read",), ("send", head)] + [("send", chunk), ("sleep", 0.01)] * 30 + \
        [("send", b"0\r\n\r\n")]
    slow = hostile_server([drip * 20])
    fast_script = []
    for i in range(1, 25):
        pad = {"X-H%d" % j: "v" * (i * 10) for j in range(30)}
        fast_script += [("read",), ("send", http_response(200, pad, b"fine"))]
    fast = hostile_server([fast_script * 3])
    res = mpy.run("import socket\n" + THREADS, params={"slow": slow.url("/s"),
                                                      "fast": fast.url("/f")},
                  heapsize="256k", timeout=60, check=False)
    a, b = check_not_crashed(res)
    assert len(b) == 60, b
    # Whole bodies, or a clear error: a response superseded by the other
    # thread says so.
    assert all(x in (30 * 38, "RuntimeError", "OSError") for x in a), a
    assert all(x in (b"fine", "RuntimeError", "OSError") for x in b), b
    # Most requests of each thread went through.
    assert b.count(b"fine") > 30, b


def test_a_pool_that_calls_back_into_the_session_is_refused(mpy, impl, hostile_server):
    """A Python-level pool whose socket's recv_into makes a request on the
    same Session while a body is read: the inner call is a RuntimeError and
    the outer read goes on to the whole body."""
    head = b"HTTP/1.1 200 OK\r\nContent-Length: 100\r\n\r\n"
    srv = hostile_server([[("read",), ("send", head), ("sleep", 0.2), ("send", b"b" * 100)],
                          [("read",), ("send", http_response(200, {}, b"fine"))]])
    res = mpy.run("""
import relykit
s, pool = relykit.session(requests, "python")
inner = []
r = s.get(P["url"], stream=True, timeout=5)
sock = r.socket
real = sock.recv_into
def hook(buf, n=0):
    if not inner:
        try:
            inner.append(s.get(P["url"], timeout=5).content)
        except RuntimeError as e:
            inner.append(["RuntimeError", str(e)])
    return real(buf, n) if n else real(buf)
sock.recv_into = hook
try:
    outer = r.content
except Exception as e:
    outer = [type(e).__name__, str(e)]
emit([outer, inner])
""", params={"url": srv.url("/")}, timeout=60, check=False)
    outer, inner = check_not_crashed(res)
    assert outer == b"b" * 100, (outer, inner)
    assert inner and inner[0][0] == "RuntimeError" and "Session" in inner[0][1], inner


# --- asyncio orderings (issue 22 case 2) ---

PRELUDE = AIO_IMPORT + """
import socket, time, gc
import adafruit_requests as requests
import relykit
U = P.get("url")
def ms_since(t):
    return time.ticks_diff(time.ticks_ms(), t)
async def caught(aw):
    try:
        return ["ok", await aw]
    except BaseException as e:
        return ["err", type(e).__name__]
"""


def run_aio(mpy, aio, script, timeout=120, **params):
    res = mpy.run(PRELUDE + script, params=aio_params(aio, **params), heapsize="4m", timeout=timeout,
                  import_requests=False, check=False)
    return check_not_crashed(res)


# How each round ends the request: T is the request's own timeout and the
# deadline that meets it.
ORDERINGS = """
T = 0.02
async def one(s, how):
    if how == "wait_for_head":
        return await caught(asyncio.wait_for(s.get(U, timeout=T), T))
    if how == "wait_for_aread":
        # The head comes at once, but a loaded machine may still take T.
        got = await caught(s.get(U, stream=True, timeout=T))
        if got[0] != "ok":
            return got
        return await caught(asyncio.wait_for(got[1].aread(), T))
    if how == "cancel_after_sleep":
        t = asyncio.create_task(s.get(U, timeout=T))
        await asyncio.sleep(T)
        t.cancel()
        return await caught(t)
async def main():
    s = requests.AsyncSession(socket, max_connections=8)
    kinds = {}
    for i in range(P["rounds"]):
        res = await one(s, P["how"])
        kinds[res[1]] = kinds.get(res[1], 0) + 1
    good = (await s.get(P["good"])).content
    s.close()
    return [kinds, good]
emit(asyncio.run(main()))
"""


@pytest.mark.parametrize("how", ["wait_for_head", "wait_for_aread", "cancel_after_sleep"])
def test_deadlines_falling_due_together_never_crash(mpy, aio, hostile_server, how):
    if how == "wait_for_aread":
        head = b"HTTP/1.1 200 OK\r\nContent-Length: 100\r\n\r\n0123"
        srv = hostile_server([[("read",), ("send", head), ("hold", 5)]])
    else:
        srv = hostile_server([[("read",), ("hold", 5)]])
    good = hostile_server([[("read",), ("send", ok_response())]])
    kinds, good_body = run_aio(mpy, aio, ORDERINGS, url=srv.url("/h"), good=good.url("/g"),
                               how=how, rounds=300)
    assert good_body == b"good"
    assert sum(kinds.values()) == 300, kinds
    assert set(kinds) <= {"OSError", "TimeoutError", "CancelledError"}, kinds


# --- a timed-out streamed reader closes its socket at once (issue 22 case 3) ---

READERS = """
async def read(r, how):
    if how == "aread":
        return await r.aread()
    if how == "ajson":
        return await r.ajson()
    got = []
    it = r.aiter_lines() if how == "aiter_lines" else r.aiter_content(8)
    async for x in it:
        got.append(x)
    return got
async def main():
    s = requests.AsyncSession(socket, max_connections=8)
    base = relykit.fds()
    out = []
    for i in range(4):
        r = await s.get(U, stream=True, timeout=0.3)
        res = await caught(read(r, P["how"]))
        out.append([res[0], res[1], relykit.fds() - base])
    # a read after the failure says why
    again = await caught(r.aread())
    s.close()
    return [out, again]
emit(asyncio.run(main()))
"""


@pytest.mark.parametrize("how", ["aread", "ajson", "aiter_lines", "aiter_content"])
def test_a_timed_out_streamed_reader_closes_its_socket(mpy, aio, hostile_server, how):
    head = b"HTTP/1.1 200 OK\r\nContent-Length: 100\r\n\r\n[1, 2,\n3"
    srv = hostile_server([[("read",), ("send", head), ("hold", 10)]])
    out, again = run_aio(mpy, aio, READERS, url=srv.url("/t"), how=how)
    # Each timed out, and no descriptor is left open after it.
    assert out == [["err", "OSError", 0]] * 4, out
    assert again == ["err", "RuntimeError"], again


# --- a Response read after its AsyncSession closed (issue 22 case 11) ---

def test_response_after_async_session_close_says_so(mpy, aio, hostile_server):
    head = b"HTTP/1.1 200 OK\r\nContent-Length: 100\r\n\r\n0123"
    srv = hostile_server([[("read",), ("send", head), ("hold", 10)]])
    out = run_aio(mpy, aio, """
async def main():
    s = requests.AsyncSession(socket)
    r = await s.get(U, stream=True, timeout=5)
    s.close()
    res = []
    for how in ("content", "aread"):
        try:
            if how == "content":
                r.content
            else:
                await r.aread()
            res.append("no error")
        except RuntimeError as e:
            res.append(str(e))
    return res
emit(asyncio.run(main()))
""", url=srv.url("/c"))
    assert all("Session was closed" in m for m in out), out
