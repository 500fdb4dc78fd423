"""SPEC §3, §4 and §6 connection rules, on every failure path and in both
pool kinds (the firmware's sockets and a Python-level pool): when a request
may go out again, what each timeout bounds, idle connections checked before
reuse, bounded drains, readers that never end short, trailers that cannot
rewrite the head, the reason's bytes, and the Session finaliser. Each time
bound is stated next to its assertion."""

import pytest

from hostile_kit import hostile_server  # noqa: F401
from servers import http_response

pytestmark = pytest.mark.native_only

OK = http_response(200, {}, b"fine")
SESSION = """
import relykit
s, pool = relykit.session(requests, P["kind"])
U = P["url"]
"""
# Scheduling slack on a loaded two-core machine, on top of each bound.
SLACK_MS = 1000


def run(mpy, kind, script, url, heapsize="4m", **params):
    params.update({"kind": kind, "url": url})
    return mpy.run(SESSION + script, params=params, heapsize=heapsize, timeout=60).one


# --- resend eligibility (issue 10 item 2) ---

def test_post_unanswered_on_reused_connection_is_not_resent(mpy, impl, pool_kind,
                                                             hostile_server):
    srv = hostile_server([[("read",), ("send", OK), ("read",), ("hold", 15)]])
    out = run(mpy, pool_kind, """
s.get(U).content
emit(relykit.timed(lambda: s.post(U, data=b"pay once", timeout=1).content))
""", srv.url("/"))
    assert out[:2] == ["err", "OSError"] and out[3] == 110, out
    # within the timeout + 1 s, not twice the timeout
    assert out[-1] < 1000 + SLACK_MS, out
    assert [r.method for r in srv.requests] == ["GET", "POST"]
    assert srv.connections == 1


def test_generator_body_on_a_reset_reused_connection_is_not_resent(mpy, impl, pool_kind,
                                                                   hostile_server):
    srv = hostile_server([[("read",), ("send", OK), ("read",), ("reset",)],
                          [("read",), ("send", OK)]], repeat_last=False)
    out = run(mpy, pool_kind, """
s.get(U).content
def gen():
    yield b"once"
emit(relykit.timed(lambda: s.post(U, data=gen(), timeout=5).content))
""", srv.url("/"))
    assert out[:2] == ["err", "OutOfRetries"], out
    assert [r.method for r in srv.requests] == ["GET", "POST"]
    assert srv.connections == 1


def test_bytes_body_on_a_reset_reused_connection_is_resent_once(mpy, impl, pool_kind,
                                                                hostile_server):
    srv = hostile_server([[("read",), ("send", OK), ("read",), ("reset",)],
                          [("read",), ("send", OK)]], repeat_last=False)
    out = run(mpy, pool_kind, """
s.get(U).content
emit(relykit.timed(lambda: s.post(U, data=b"race", timeout=5).content))
""", srv.url("/"))
    assert out[:2] == ["ok", b"fine"], out
    assert [r.method for r in srv.requests] == ["GET", "POST", "POST"]


def test_answer_begun_then_closed_is_not_resent(mpy, impl, pool_kind, hostile_server):
    srv = hostile_server([[("read",), ("send", OK), ("read",),
                           ("send", b"HTTP/1.1 200 OK\r\nContent-Le"), ("close",)],
                          [("read",), ("send", OK)]], repeat_last=False)
    out = run(mpy, pool_kind, """
s.get(U).content
emit(relykit.timed(lambda: s.post(U, data=b"x", timeout=5).content))
""", srv.url("/"))
    assert out[:2] == ["err", "OSError"] and "middle of the response head" in out[2], out
    assert srv.connections == 1 and len(srv.requests) == 2


def test_fresh_connection_closed_unanswered_is_not_resent(mpy, impl, pool_kind, hostile_server):
    srv = hostile_server([[("read",), ("close",)]])
    out = run(mpy, pool_kind, """
emit(relykit.timed(lambda: s.put(U, data=b"x", timeout=5).content))
""", srv.url("/"))
    assert out[:2] == ["err", "OutOfRetries"], out
    assert srv.connections == 1 and len(srv.requests) == 1


# --- timeouts (issue 10 items 5, 6, 9) ---

@pytest.mark.slow
def test_upload_to_a_peer_that_stops_reading_ends_at_the_timeout(mpy, impl, pool_kind,
                                                                 hostile_server):
    # Accepts and never reads a byte (nor lets the kernel take more).
    srv = hostile_server([[("stall", 6)]])
    out = run(mpy, pool_kind, """
body = b"u" * 10000000
emit(relykit.timed(lambda: s.post(U, data=body, timeout=2).content))
""", srv.url("/up"), heapsize="64m")
    assert out[:2] == ["err", "OSError"] and out[3] == 110, out
    # within the timeout + about 1 s
    assert out[-1] < 2000 + SLACK_MS, out
    assert srv.connections == 1


def test_iter_content_waits_for_each_next_bytes(mpy, impl, pool_kind, hostile_server):
    head = b"HTTP/1.1 200 OK\r\nContent-Length: 60\r\n\r\n"
    script = [("read",), ("send", head)] + [("send", b"0123456789"), ("sleep", 0.4)] * 6
    srv = hostile_server([script])
    out = run(mpy, pool_kind, """
def go():
    r = s.get(U, stream=True, timeout=1)
    got = b""
    for c in r.iter_content(64):
        got += c
    return got
emit(relykit.timed(go))
""", srv.url("/drip"))
    # 2.4 s of dripping at timeout=1: every byte arrives
    assert out[:2] == ["ok", b"0123456789" * 6], out


def test_head_must_arrive_within_one_timeout(mpy, impl, pool_kind, hostile_server):
    srv = hostile_server([[("read",), ("trickle", b"HTTP/1.1 200 OK\r\nContent-Length: 0\r\n\r\n",
                                       1.5)]])
    out = run(mpy, pool_kind, """
emit(relykit.timed(lambda: s.get(U, timeout=2).content))
""", srv.url("/"))
    assert out[:2] == ["err", "OSError"] and out[3] == 110, out
    # one timeout after the request went out (each receive alone would wait 1.5 s)
    assert 1700 <= out[-1] < 2000 + 700, out


@pytest.mark.parametrize("value", ["-1", "-0.5", "float('nan')", "(1, -1)", "(float('nan'), 1)"])
def test_negative_or_nan_timeout_is_a_value_error(mpy, impl, pool_kind, hostile_server, value):
    srv = hostile_server([[("read",), ("send", OK)]])
    out = run(mpy, pool_kind, """
emit(relykit.timed(lambda: s.get(U, timeout=%s).content))
""" % value, srv.url("/"))
    assert out[:2] == ["err", "ValueError"], out
    shown = value.split(",")[-1 if "-1)" in value else 0].strip("() ")
    assert ("nan" in out[2]) if "nan" in value else (shown in out[2]), out
    assert srv.requests == []


@pytest.mark.parametrize("value", ["float('inf')", "1e20", "(1e20, float('inf'))", "None"])
def test_huge_timeout_is_capped(mpy, impl, pool_kind, hostile_server, value):
    srv = hostile_server([[("read",), ("send", OK)]])
    out = run(mpy, pool_kind, """
emit(relykit.timed(lambda: s.get(U, timeout=%s).content))
""" % value, srv.url("/"))
    assert out[:2] == ["ok", b"fine"], out


# --- idle connections (issue 10 item 7) ---

def test_pushed_response_on_idle_connection_is_not_read_as_the_next(mpy, impl, pool_kind,
                                                                    hostile_server):
    pushed = http_response(200, {}, b"pushed")
    srv = hostile_server([[("read",), ("send", OK), ("sleep", 0.1), ("send", pushed),
                           ("hold", 15)],
                          [("read",), ("send", http_response(200, {}, b"second"))]],
                         repeat_last=False)
    out = run(mpy, pool_kind, """
import time
a = s.get(U + "/1").content
time.sleep(0.4)
emit([a, relykit.timed(lambda: s.get(U + "/2").content)])
""", srv.url(""))
    assert out[0] == b"fine" and out[1][:2] == ["ok", b"second"], out
    assert srv.connections == 2


def test_late_head_body_is_not_read_as_the_next_response(mpy, impl, pool_kind, hostile_server):
    head_answer = b"HTTP/1.1 200 OK\r\nContent-Length: 5\r\n\r\n"
    srv = hostile_server([[("read",), ("send", head_answer), ("sleep", 0.1), ("send", b"late!"),
                           ("hold", 15)],
                          [("read",), ("send", http_response(200, {}, b"get"))]],
                         repeat_last=False)
    out = run(mpy, pool_kind, """
import time
st = s.head(U).status_code
time.sleep(0.4)
emit([st, relykit.timed(lambda: s.get(U).content)])
""", srv.url("/"))
    assert out[0] == 200 and out[1][:2] == ["ok", b"get"], out


# --- drains (issue 16 item 2) ---

STALLED = b"HTTP/1.1 200 OK\r\nContent-Length: 100\r\n\r\n" + b"s" * 10


def test_superseding_a_stalled_response_costs_no_timeout(mpy, impl, pool_kind, hostile_server):
    slow = hostile_server([[("read",), ("send", STALLED), ("hold", 15)]])
    fast = hostile_server([[("read",), ("send", OK)]])
    out = run(mpy, pool_kind, """
r = s.get(U, stream=True, timeout=8)
emit(relykit.timed(lambda: s.get(P["fast"], timeout=1).content))
""", slow.url("/"), fast=fast.url("/"))
    assert out[:2] == ["ok", b"fine"], out
    # the drain waits at most 0.1 s
    assert out[-1] < 100 + SLACK_MS // 2, out


def test_closing_a_stalled_response_costs_no_timeout(mpy, impl, pool_kind, hostile_server):
    slow = hostile_server([[("read",), ("send", STALLED), ("hold", 15)]])
    out = run(mpy, pool_kind, """
r = s.get(U, stream=True, timeout=8)
emit(relykit.timed(r.close))
""", slow.url("/"))
    assert out[0] == "ok" and out[-1] < 100 + SLACK_MS // 2, out


def test_stalled_redirect_hops_cost_no_timeout(mpy, impl, pool_kind, hostile_server):
    hop = (b"HTTP/1.1 302 Found\r\nLocation: /next\r\nContent-Length: 50\r\n\r\n" + b"h" * 5)
    srv = hostile_server([[("read",), ("send", hop), ("hold", 15)]] * 5
                         + [[("read",), ("send", OK)]], repeat_last=False)
    out = run(mpy, pool_kind, """
emit(relykit.timed(lambda: s.get(U, timeout=1).content))
""", srv.url("/start"))
    assert out[:2] == ["ok", b"fine"], out
    # five drains of at most 0.1 s each, not five timeouts
    assert out[-1] < 500 + SLACK_MS, out


# --- readers never end short (issue 16 item 3, issue 10 item 11) ---

def test_stream_superseded_from_another_thread_raises(mpy, impl, pool_kind, hostile_server):
    chunk = b"20\r\n" + b"c" * 32 + b"\r\n"
    head = b"HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n"
    drip = [("read",), ("send", head)] + [("send", chunk), ("sleep", 0.05)] * 60 + \
        [("send", b"0\r\n\r\n")]
    slow = hostile_server([drip])
    fast = hostile_server([[("read",), ("send", OK)]])
    out = run(mpy, pool_kind, """
import _thread, time
r = s.get(U, stream=True, timeout=5)
state = {"b": None}
def other():
    time.sleep(0.5)
    state["b"] = s.get(P["fast"], timeout=5).content
_thread.start_new_thread(other, ())
got = 0
try:
    for c in r.iter_content(32):
        got += len(c)
    res = ["ended", got]
except Exception as e:
    res = [type(e).__name__, str(e)]
while state["b"] is None:
    time.sleep(0.05)
emit([res, state["b"]])
""", slow.url("/"), fast=fast.url("/"))
    assert out[0][0] == "RuntimeError" and "Newer Response" in out[0][1], out
    assert out[1] == b"fine"


def test_stop_iteration_from_the_pool_is_an_error(mpy, impl, hostile_server):
    body = b"x" * 50
    srv = hostile_server([[("read",), ("send", b"HTTP/1.1 200 OK\r\nContent-Length: 50\r\n\r\n"),
                           ("sleep", 0.2), ("send", body)]])
    out = run(mpy, "python", """
r = s.get(U, stream=True, timeout=5)
pool.fail["recv"] = {pool.counts["recv"] + 1: StopIteration()}
got = 0
try:
    for c in r.iter_content(7):
        got += len(c)
    res = ["ended", got]
except Exception as e:
    res = [type(e).__name__, got]
emit(res)
""", srv.url("/"))
    assert out[0] == "RuntimeError", out


def test_response_after_session_close_says_so(mpy, impl, pool_kind, hostile_server):
    srv = hostile_server([[("read",), ("send", http_response(200, {}, b"b" * 100))]])
    out = run(mpy, pool_kind, """
r = s.get(U, stream=True)
s.close()
emit(relykit.timed(lambda: r.content))
""", srv.url("/"))
    assert out[:2] == ["err", "RuntimeError"] and "Session was closed" in out[2], out


# --- trailers and reason (issue 16 items 4, 6) ---

def test_trailers_never_rewrite_the_head(mpy, impl, pool_kind, hostile_server):
    raw = (b"HTTP/1.1 200 OK\r\nContent-Type: text/plain\r\nTransfer-Encoding: chunked\r\n\r\n"
           b"5\r\nplain\r\n0\r\nContent-Encoding: gzip\r\nContent-Length: 999\r\n"
           b"Content-Type: application/json\r\nX-Checksum: abc\r\n\r\n")
    srv = hostile_server([[("read",), ("send", raw)]])
    out = run(mpy, pool_kind, """
r = s.get(U)
t = r.text
h = r.headers
emit([t, h.get("content-encoding"), h.get("content-length"), h.get("content-type"),
      h.get("x-checksum")])
""", srv.url("/"))
    assert out == ["plain", None, None, "text/plain", "abc"]


def test_reason_keeps_its_bytes(mpy, impl, pool_kind, hostile_server):
    raw = b"HTTP/1.1 200 \xe9t\xe9\r\nContent-Length: 0\r\n\r\n"
    srv = hostile_server([[("read",), ("send", raw)]])
    out = run(mpy, pool_kind, """
r = s.get(U)
emit(bytes(r.reason))
""", srv.url("/"))
    assert out == b"\xe9t\xe9"


# --- finaliser (issue 10 item 10) ---

@pytest.mark.natmod_lacks("finaliser")
def test_dropped_sessions_close_their_sockets(mpy, impl, hostile_server):
    srv = hostile_server([[("read",), ("send", OK), ("hold", 15)]])
    out = run(mpy, "firmware", """
import gc, socket
base = relykit.fds()
def drop(n):
    # In a function, so no stale reference to the last Session stays in
    # this frame for the conservative stack scan to find.
    for i in range(n):
        t = requests.Session(socket)
        t.get(U).content
    return relykit.fds()
one = drop(1) - base
drop(999)
for _ in range(3):
    gc.collect()
emit([one, relykit.fds() - base])
""", srv.url("/"))
    # a live Session keeps its idle socket; none is left once the collector
    # freed the 1,000 dropped ones
    assert out == [1, 0]
