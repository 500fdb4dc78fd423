"""Behaviour the contract leaves open, as README's "Choices" section
states it: json() keeps small bodies and streams large ones, iteration over
an already-read body, OutOfRetries' cause, get_all only where names repeat,
and trailers joining the headers."""

import json

import pytest

from helpers import canned, run_session
from servers import http_response

pytestmark = pytest.mark.native_only

JSON = [("Content-Type", "application/json")]


def test_json_of_small_body_keeps_text(mpy, impl, scripted_server):
    body = json.dumps({"k": list(range(20))}).encode()
    srv = canned(scripted_server, http_response(200, JSON, body))
    out = run_session(mpy, "r = s.get(U)\nj = r.json()\nemit([j['k'][-1], r.text == %r])"
                      % body.decode(), srv.url("/")).one
    assert out == [19, True]


def test_json_of_large_body_streams_and_says_so(mpy, impl, scripted_server):
    doc = [{"i": i, "pad": "p" * 40} for i in range(600)]
    body = json.dumps(doc).encode()
    assert len(body) > 16 * 1024
    srv = canned(scripted_server, http_response(200, JSON, body))
    out = run_session(mpy, """
r = s.get(U)
j = r.json()
try:
    r.text
    err = None
except RuntimeError as e:
    err = str(e)
emit([len(j), j[-1]["i"], err is not None and "json()" in err, r.socket is None])
""", srv.url("/")).one
    assert out == [600, 599, True, True]


def test_iteration_after_content_uses_the_cached_body(mpy, impl, scripted_server):
    body = "line one\r\nzwei \u00fc\nthree".encode()
    srv = canned(scripted_server, http_response(200, [], body))
    out = run_session(mpy, """
r = s.get(U)
c = r.content
emit([b"".join(r.iter_content(3)) == c,
      [bytes(x) for x in r.iter_lines()],
      "".join(r.iter_content(1, decode_unicode=True))])
""", srv.url("/")).one
    assert out == [True, [b"line one", "zwei \u00fc".encode(), b"three"], body.decode()]


def test_out_of_retries_carries_its_cause(mpy, impl, scripted_server):
    srv = scripted_server([[("read",), ("close",)]], repeat_last=True)
    out = run_session(mpy, """
try:
    s.get(U, timeout=5)
    emit("no error")
except requests.OutOfRetries as e:
    emit([str(e), type(e.__cause__).__name__])
""", srv.url("/")).one
    assert out == ["Repeated socket failures", "RuntimeError"]


def test_get_all_with_and_without_repeats(mpy, impl, scripted_server):
    raw = (b"HTTP/1.1 200 OK\r\nX-One: a\r\nVia: p\r\nvia: q\r\nContent-Length: 0\r\n\r\n")
    srv = canned(scripted_server, raw)
    out = run_session(mpy, """
r = s.get(U)
emit([r.headers["via"], r.headers.get_all("VIA"), r.headers.get_all("x-one"),
      r.headers.get_all("nope"), sorted(dict(r.headers))])
""", srv.url("/")).one
    assert out == ["q", ["p", "q"], ["a"], [], ["content-length", "via", "x-one"]]


def test_trailers_join_headers_after_the_body(mpy, impl, scripted_server):
    raw = (b"HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n"
           b"3\r\nabc\r\n0\r\nX-Checksum: 42\r\nX-More: yes\r\n\r\n")
    srv = canned(scripted_server, raw)
    out = run_session(mpy, """
r = s.get(U)
before = "x-checksum" in r.headers
emit([before, r.content, r.headers.get("X-Checksum"), r.headers["x-more"]])
""", srv.url("/")).one
    assert out == [False, b"abc", "42", "yes"]


def test_unread_small_body_is_drained_for_reuse(mpy, impl, recording_server):
    srv = recording_server(http_response(200, [], b"x" * 1000))
    out = run_session(mpy, """
r1 = s.get(U + "/a")
r2 = s.get(U + "/b")
emit([r1.socket is None, len(r2.content)])
""", srv.url("")).one
    assert out == [True, 1000]
    assert srv.connections == 1


def test_send_eagain_ends_at_the_timeout(mpy, impl, recording_server):
    """A Python-level socket that keeps answering EAGAIN to send: the
    reference retries for ever; here the request's timeout ends it."""
    srv = recording_server(http_response(200, [], b"ok"))
    out = run_session(mpy, """
import time
pool.fail["send"] = {"*": 11}
t0 = time.ticks_ms()
try:
    s.get(U, timeout=0.5)
    res = "no error"
except OSError as e:
    res = e.errno
emit([res, time.ticks_diff(time.ticks_ms(), t0) < 2000, pool.open_count()])
""", srv.url("/")).one
    assert out == [110, True, 0]
