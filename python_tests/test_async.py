"""SPEC §11: AsyncSession on both asyncio implementations (MicroPython's
built-in one and CircuitPython's library from PyPI, loaded from deps/),
against httpbin, nginx and scripted servers, over HTTP and HTTPS:
concurrency, keep-alive, streamed bodies, timeouts that hold while other
tasks run, and cancellation at each phase that closes the connection and
leaves the session usable. Time bounds are stated next to their asserts."""

import pathlib

import pytest

from firmware_caps import asyncio_skip_reason
from hostile_kit import hostile_server, ok_response  # noqa: F401

pytestmark = pytest.mark.native_only

CP_ASYNCIO = pathlib.Path(__file__).resolve().parent.parent / "deps" / "cp_asyncio"
# Scheduling slack on a loaded two-core machine, on top of each bound.
SLACK_MS = 1000

# The asyncio that P["aio"] names (CircuitPython's library is put first on
# the path), checked to be the one imported. Scripts params: aio_params().
AIO_IMPORT = """
import sys
if P["aio"] == "circuitpython":
    sys.path.insert(0, P["cp_path"])
import asyncio
import asyncio.core as _core
assert ("cp_asyncio" in getattr(_core, "__file__", "")) == (P["aio"] == "circuitpython")
"""

PRELUDE = AIO_IMPORT + """
import socket, time, gc
import adafruit_requests as requests
import faultpool, relykit
U = P.get("url")
def ctx():
    return faultpool.firmware_tls_context(P["ca"]) if P.get("ca") else None
def ms_since(t):
    return time.ticks_diff(time.ticks_ms(), t)
# [what aw gave, the ms it took, the 10 ms sleeps a task beside it
# finished meanwhile]: how much the event loop kept running during a request.
async def ticker(state):
    while not state["done"]:
        await asyncio.sleep_ms(10)
        state["ticks"] += 1
async def while_ticking(aw):
    state = {"done": False, "ticks": 0}
    t = asyncio.create_task(ticker(state))
    start = time.ticks_ms()
    value = await aw
    took = ms_since(start)
    state["done"] = True
    await t
    return [value, took, state["ticks"]]
async def caught(aw):
    try:
        return ["ok", await aw]
    except BaseException as e:
        return ["err", type(e).__name__, str(e), relykit.errno_of(e)]
"""


@pytest.fixture(params=["micropython", "circuitpython"])
def aio(request):
    if request.param == "circuitpython" and not (CP_ASYNCIO / "asyncio" / "core.py").exists():
        pytest.fail("CircuitPython's asyncio library is missing: run make deps", pytrace=False)
    reason = asyncio_skip_reason(request.param)
    if reason:
        pytest.skip(reason)
    return request.param


@pytest.fixture
def any_aio():
    """One asyncio for tests about the module's API rather than about the
    event loop: the firmware's own, else CircuitPython's library."""
    for name in ("micropython", "circuitpython"):
        if asyncio_skip_reason(name) is None:
            if name == "circuitpython" and not (CP_ASYNCIO / "asyncio" / "core.py").exists():
                pytest.fail("CircuitPython's asyncio library is missing: run make deps", pytrace=False)
            return name
    pytest.skip(asyncio_skip_reason("circuitpython"))


def aio_params(aio, **params):
    """The params AIO_IMPORT reads."""
    params.update({"aio": aio, "cp_path": str(CP_ASYNCIO)})
    return params


def run(mpy, aio, script, heapsize="4m", timeout=60, **params):
    return mpy.run(PRELUDE + script, params=aio_params(aio, **params), heapsize=heapsize, timeout=timeout,
                   import_requests=False).one


def test_get_post_redirect_over_http_and_https(mpy, aio, httpbin_both):
    base, ca = httpbin_both
    out = run(mpy, aio, """
async def main():
    async with requests.AsyncSession(socket, ctx()) as s:
        r = await s.get(U + "/get?x=1", headers={"X-Test": "a"})
        got = [r.status_code, r.json()["args"], r.json()["headers"]["X-Test"]]
        r = await s.post(U + "/post", json={"k": [1, 2]})
        got.append(r.json()["json"])
        r = await s.post(U + "/post", data={"f": "v"})
        got.append(r.json()["form"])
        r = await s.get(U + "/redirect/2")
        got += [r.status_code, r.url.endswith("/get"), r.history]
        r = await s.head(U + "/get")
        got += [r.status_code, r.content]
        return got
emit(asyncio.run(main()))
""", url=base, ca=ca)
    assert out == [200, {"x": "1"}, "a", {"k": [1, 2]}, {"f": "v"}, 200, True, [302, 302],
                   200, b""]


def test_concurrent_requests_overlap_each_on_its_own_connection(mpy, aio, hostile_server):
    # Each connection answers after 0.5 s.
    srv = hostile_server([[("read",), ("sleep", 0.5), ("send", ok_response(b"slow"))]])
    out = run(mpy, aio, """
async def main():
    s = requests.AsyncSession(socket, max_connections=8)
    t = time.ticks_ms()
    rs = await asyncio.gather(*(s.get(U) for _ in range(8)))
    return [[r.content for r in rs], ms_since(t)]
emit(asyncio.run(main()))
""", url=srv.url("/slow"))
    bodies, elapsed = out
    assert bodies == [b"slow"] * 8
    # sequential would take 8 x 0.5 s; overlapping takes about one
    assert elapsed < 500 + SLACK_MS, out
    assert srv.connections == 8


def test_max_connections_bounds_the_requests_in_flight(mpy, aio, hostile_server):
    srv = hostile_server([[("read",), ("sleep", 0.3), ("send", ok_response(b"a"))] * 4])
    out = run(mpy, aio, """
async def main():
    s = requests.AsyncSession(socket, max_connections=2)
    t = time.ticks_ms()
    rs = await asyncio.gather(*(s.get(U) for _ in range(6)))
    return [[r.content for r in rs], ms_since(t)]
emit(asyncio.run(main()))
""", url=srv.url("/a"))
    bodies, elapsed = out
    assert bodies == [b"a"] * 6
    # two at a time: three rounds of 0.3 s at least
    assert elapsed >= 850, out
    assert srv.connections == 2


def test_sequential_awaits_reuse_one_connection(mpy, aio, hostile_server):
    srv = hostile_server([[("read",), ("send", ok_response(b"k"))] * 5])
    out = run(mpy, aio, """
async def main():
    s = requests.AsyncSession(socket)
    got = []
    for _ in range(5):
        got.append((await s.get(U)).content)
    return got
emit(asyncio.run(main()))
""", url=srv.url("/k"))
    assert out == [b"k"] * 5
    assert srv.connections == 1


def test_streamed_body_readers(mpy, aio, hostile_server):
    text = b"line one\r\nline two\nlast"
    doc = b'{"daily": {"max": [3, 7, 5]}, "other": "x"}'
    srv = hostile_server([[("read",), ("send", ok_response(text)),
                           ("read",), ("send", ok_response(text)),
                           ("read",), ("send", ok_response(doc)),
                           ("read",), ("send", ok_response(doc)),
                           ("read",), ("send", ok_response(text))]])
    out = run(mpy, aio, """
async def main():
    s = requests.AsyncSession(socket)
    got = []
    r = await s.get(U, stream=True)
    lines = []
    async for line in r.aiter_lines():
        lines.append(line)
    got.append(lines)
    r = await s.get(U, stream=True)
    pieces = []
    async for c in r.aiter_content(5):
        pieces.append(c)
    got.append(pieces)
    r = await s.get(U, stream=True)
    got.append(await r.ajson("daily", "max", 1))
    r = await s.get(U, stream=True)
    got.append(await r.ajson())
    r = await s.get(U, stream=True)
    got.append(await r.aread())
    got.append(r.text)
    await r.aclose()
    return got
emit(asyncio.run(main()))
""", url=srv.url("/t"))
    assert out[0] == [b"line one", b"line two", b"last"]
    assert out[1] == [b"line ", b"one\r\n", b"line ", b"two\nl", b"ast"]
    assert out[2] == 7
    assert out[3] == {"daily": {"max": [3, 7, 5]}, "other": "x"}
    assert out[4] == text and out[5] == text.decode()
    assert srv.connections == 1


def test_large_download_over_nginx_keeps_other_tasks_running(mpy, aio, nginx):
    out = run(mpy, aio, """
async def download(s):
    r = await s.get(U, stream=True)
    n = 0
    async for c in r.aiter_content(4096):
        n += len(c)
    return n
async def main():
    s = requests.AsyncSession(socket)
    return await while_ticking(download(s))
emit(asyncio.run(main()))
""", url=nginx.url("/1m.bin"), heapsize="8m")
    n, took, ticks = out
    assert n == 1024 * 1024
    # A ticker every 10 ms keeps most of its ticks while the body streams.
    assert ticks >= 0.5 * took / 10 - 2, out


def test_timeout_holds_while_another_task_ticks(mpy, aio, hostile_server):
    srv = hostile_server([[("read",), ("hold", 10)]])
    out = run(mpy, aio, """
async def main():
    s = requests.AsyncSession(socket)
    base = relykit.fds()
    res, took, ticks = await while_ticking(caught(s.get(U, timeout=1)))
    return [res, took, ticks, relykit.fds() - base]
emit(asyncio.run(main()))
""", url=srv.url("/hold"))
    res, took, ticks, leaked = out
    assert res[1] == "OSError" and res[3] == 110, out
    # within the timeout + 1 s, and not before it
    assert 900 <= took < 1000 + SLACK_MS, out
    assert ticks >= 50, out
    assert leaked == 0, out


def test_body_timeout_is_per_wait(mpy, aio, hostile_server):
    head = b"HTTP/1.1 200 OK\r\nContent-Length: 30\r\n\r\n"
    srv = hostile_server([[("read",), ("send", head)] + [("send", b"0123456789"), ("sleep", 0.6)] * 3])
    out = run(mpy, aio, """
async def main():
    s = requests.AsyncSession(socket)
    r = await s.get(U, timeout=1)
    return r.content
emit(asyncio.run(main()))
""", url=srv.url("/drip"))
    # 1.8 s of dripping with timeout=1: each wait is under a second
    assert out == b"0123456789" * 3


CANCEL = """
async def main():
    s = requests.AsyncSession(socket, ctx())
    warm = (await s.get(P["good"])).content
    base = relykit.fds()
    async def victim():
        r = await s.get(U, stream=P["stream"], timeout=30, headers=P.get("headers"))
        if P["stream"]:
            await r.aread()
        return r
    t = asyncio.create_task(victim())
    await asyncio.sleep_ms(400)
    start = time.ticks_ms()
    t.cancel()
    res = await caught(t)
    took = ms_since(start)
    gc.collect()
    leaked = relykit.fds() - base
    again = (await s.get(P["good"])).content
    return [warm, res[:2], took, leaked, again]
emit(asyncio.run(main()))
"""


@pytest.mark.parametrize("phase", ["handshake", "head", "body", "streamed_body"])
def test_cancel_at_each_phase_closes_the_connection(mpy, aio, hostile_server, tls_material,
                                                    phase):
    head = b"HTTP/1.1 200 OK\r\nContent-Length: 100\r\n\r\n0123456789"
    scripts = {
        # TCP accepted, no TLS ever answered: the handshake waits.
        "handshake": [("hold", 10)],
        "head": [("read",), ("hold", 10)],
        "body": [("read",), ("send", head), ("hold", 10)],
        "streamed_body": [("read",), ("send", head), ("hold", 10)],
    }
    victim = hostile_server([scripts[phase]])
    good = hostile_server([[("read",), ("send", ok_response())] * 4])
    scheme_url = victim.url("/v")
    ca = None
    if phase == "handshake":
        scheme_url = scheme_url.replace("http://", "https://")
        ca = tls_material.ca_der
    out = run(mpy, aio, CANCEL, url=scheme_url, good=good.url("/g"), ca=ca,
              stream=phase == "streamed_body")
    warm, res, took, leaked, again = out
    assert warm == b"good"
    assert res == ["err", "CancelledError"], out
    # cancelled at once, not after the 30 s timeout
    assert took < SLACK_MS, out
    assert leaked == 0, out
    assert again == b"good", out


def test_wait_for_times_out_and_the_session_goes_on(mpy, aio, hostile_server):
    srv = hostile_server([[("read",), ("hold", 10)]])
    good = hostile_server([[("read",), ("send", ok_response())] * 4])
    out = run(mpy, aio, """
async def main():
    s = requests.AsyncSession(socket)
    warm = (await s.get(P["good"])).content
    base = relykit.fds()
    start = time.ticks_ms()
    res = await caught(asyncio.wait_for(s.get(U), 0.5))
    took = ms_since(start)
    leaked = relykit.fds() - base
    again = (await s.get(P["good"])).content
    return [warm, res[:2], took, leaked, again]
emit(asyncio.run(main()))
""", url=srv.url("/hold"), good=good.url("/g"))
    warm, res, took, leaked, again = out
    assert warm == b"good" and again == b"good"
    assert res[0] == "err" and res[1] in ("TimeoutError", "CancelledError"), out
    # within the wait_for limit + 1 s
    assert took < 500 + SLACK_MS, out
    assert leaked == 0, out


def test_no_heap_growth_over_many_requests(mpy, aio, hostile_server):
    srv = hostile_server([[("read",), ("send", ok_response(b"x"))] * 400])
    out = run(mpy, aio, """
async def main():
    s = requests.AsyncSession(socket)
    for _ in range(100):
        (await s.get(U)).content
    gc.collect()
    first = gc.mem_alloc()
    for _ in range(300):
        (await s.get(U)).content
    gc.collect()
    return gc.mem_alloc() - first
emit(asyncio.run(main()))
""", url=srv.url("/x"))
    # 300 more requests: a per-request leak of even 8 bytes would show as 2400
    assert out < 1024, out
    assert srv.connections == 1


def test_a_python_level_pool_is_refused_clearly(mpy, aio, hostile_server):
    srv = hostile_server([[("read",), ("send", ok_response())]])
    out = run(mpy, aio, """
async def main():
    s = requests.AsyncSession(faultpool.FaultPool())
    return await caught(s.get(U))
emit(asyncio.run(main()))
""", url=srv.url("/x"))
    assert out[:2] == ["err", "NotImplementedError"] and "non-blocking" in out[2], out


def test_bodies_async_cannot_send_are_refused(mpy, aio, hostile_server):
    srv = hostile_server([[("read",), ("send", ok_response())]])
    out = run(mpy, aio, """
async def main():
    s = requests.AsyncSession(socket)
    def gen():
        yield b"x"
    async def go():
        return await s.post(U, data=gen())
    return await caught(go())
emit(asyncio.run(main()))
""", url=srv.url("/x"))
    assert out[:2] == ["err", "NotImplementedError"], out


def test_async_refused_connection_is_an_oserror(mpy, aio):
    import socket as pysock
    probe = pysock.socket()
    probe.bind(("127.0.0.1", 0))
    port = probe.getsockname()[1]
    probe.close()
    out = run(mpy, aio, """
async def main():
    s = requests.AsyncSession(socket)
    return await caught(s.get(U, timeout=5))
emit(asyncio.run(main()))
""", url="http://127.0.0.1:%d/" % port)
    assert out[0] == "err" and out[1] in ("OSError", "OutOfRetries"), out


INTERRUPTED = """
s = requests.AsyncSession(socket)
base = relykit.fds()
async def warm():
    return (await s.get(P["good"])).content
warmed = asyncio.run(warm())
async def stuck():
    r = await s.get(U, stream=P["phase"] == "body", timeout=30)
    await r.aread()
t0 = time.ticks_ms()
try:
    asyncio.run(stuck())
    res = ["no interrupt"]
except KeyboardInterrupt:
    res = ["KeyboardInterrupt"]
res.append(ms_since(t0))
# The loop was interrupted: nothing will resume the request. close() stops
# it (and closes the idle connection the warm-up left).
s.close()
closed = relykit.fds() - base
asyncio.new_event_loop()
again = asyncio.run(warm())
emit([warmed, res, closed, again])
"""


@pytest.mark.parametrize("phase", ["head", "body"])
def test_ctrl_c_while_a_request_waits(mpy, aio, hostile_server, phase):
    import os
    import signal
    import time

    from mpyrun import MpyResult

    if phase == "head":
        script = [("read",), ("hold", 20)]
    else:
        script = [("read",), ("send", b"HTTP/1.1 200 OK\r\nContent-Length: 100\r\n\r\nabc"),
                  ("hold", 20)]
    srv = hostile_server([script])
    good = hostile_server([[("read",), ("send", ok_response())] * 4])
    params = {"aio": aio, "cp_path": str(CP_ASYNCIO), "url": srv.url("/stuck"),
              "good": good.url("/g"), "phase": phase}
    with mpy.spawned(PRELUDE + INTERRUPTED, params=params, import_requests=False) as proc:
        assert srv.request_seen.wait(15), "the firmware never sent its request"
        time.sleep(0.5)
        os.kill(proc.pid, signal.SIGINT)
        out, err = proc.communicate(timeout=20)
    result = MpyResult.of(proc.returncode, out, err)
    assert result.rc == 0, result.describe()
    warmed, res, closed, again = result.one
    assert warmed == b"good" and again == b"good"
    # Interrupted at once, not after the 30 s timeout.
    assert res[0] == "KeyboardInterrupt" and res[1] < 5000, res
    assert closed == 0, result.one


def test_timeouts_hold_in_a_new_event_loop(mpy, aio, hostile_server):
    # The first loop ends with the session's timer still asleep in it.
    srv = hostile_server([[("read",), ("send", ok_response())], [("read",), ("hold", 10)]],
                         repeat_last=False)
    out = run(mpy, aio, """
s = requests.AsyncSession(socket)
async def first():
    return (await s.get(U, timeout=30)).content
warm = asyncio.run(first())
s.close()
asyncio.new_event_loop()
async def second():
    return await caught(s.get(U, timeout=1))
t = time.ticks_ms()
res = asyncio.run(second())
emit([warm, res[:2], res[3], ms_since(t)])
""", url=srv.url("/t"))
    warm, kind, errno, took = out
    assert warm == b"good" and kind == ["err", "OSError"] and errno == 110, out
    # within the timeout + 1 s
    assert took < 1000 + SLACK_MS, out


CONNECT = """
async def main():
    s = requests.AsyncSession(socket)
    warm = (await s.get(P["good"])).content
    base = relykit.fds()
    if P["how"] == "timeout":
        aw = s.get(U, timeout=0.5)
    else:
        aw = asyncio.wait_for(s.get(U, timeout=30), 0.5)
    res, took, ticks = await while_ticking(caught(aw))
    leaked = relykit.fds() - base
    again = (await s.get(P["good"])).content
    return [warm, res[:2], took, ticks, leaked, again]
emit(asyncio.run(main()))
"""


@pytest.mark.parametrize("how", ["timeout", "wait_for"])
def test_a_connect_that_hangs_is_bounded_and_cancellable(mpy, aio, hostile_server, how):
    """The TCP connect itself waits through the event loop: to a listener
    whose accept queue is full, the SYN goes unanswered; the request's
    timeout or a wait_for ends it, the socket is closed, and other tasks run
    meanwhile."""
    from helpers import stuck_listener

    lst, fillers = stuck_listener()
    good = hostile_server([[("read",), ("send", ok_response())] * 4])
    try:
        out = run(mpy, aio, CONNECT, url="http://127.0.0.1:%d/" % lst.getsockname()[1],
                  good=good.url("/g"), how=how)
    finally:
        for c in fillers:
            c.close()
        lst.close()
    warm, res, took, ticks, leaked, again = out
    assert warm == b"good" and again == b"good"
    if how == "timeout":
        assert res[0] == "err" and res[1] == "OSError", out
    else:
        assert res[0] == "err" and res[1] in ("TimeoutError", "CancelledError"), out
    # ended by the 0.5 s bound (+ slack), not by the kernel's SYN retries
    assert 400 <= took < 500 + SLACK_MS, out
    # the ticker ran while the connect waited
    assert ticks >= 0.5 * took / 10 - 2, out
    assert leaked == 0, out
