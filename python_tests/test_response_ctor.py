"""Response(sock, session=None, method="GET"): a response read from a socket
on which the caller already sent a request (SPEC §1)."""

import pytest

from servers import http_response


def peer_gone(server, wait=2.0):
    """Whether the server saw connection 0 closed by the client; its thread
    may need a moment to read the end of the stream."""
    import time

    end = time.monotonic() + wait
    while server.peer_closed != [0] and time.monotonic() < end:
        time.sleep(0.02)
    return server.peer_closed == [0]

pytestmark = pytest.mark.native_only

OPEN = """
import handsock
sock, pool = handsock.open_sock(P["kind"], P["host"], P["port"], P.get("https", False), P.get("ca"))
handsock.send_request(sock, P.get("method", "GET"), P.get("path", "/r"), P["host"])
"""

BODY = b'{"a": [1, 2, 3], "b": "x"}'


def _params(server, pool_kind, **kw):
    p = {"kind": pool_kind, "host": "127.0.0.1", "port": server.port}
    p.update(kw)
    return p


def test_plain_socket_without_session(mpy, impl, pool_kind, scripted_server):
    server = scripted_server([[("read",), ("send", http_response(200, {"X-Y": "z"}, BODY))]])
    out = mpy.run(OPEN + """
r = requests.Response(sock)
emit([r.status_code, bytes(r.reason), r.headers["x-y"], r.json(), r.url])
r.close()
emit([r.socket is None, pool.open_count() if pool else None])
""", params=_params(server, pool_kind))
    first, second = out.records
    assert first == [200, b"OK", "z", {"a": [1, 2, 3], "b": "x"}, None]
    assert second[0] is True
    if pool_kind == "python":
        assert second[1] == 0
    # Closing the response closed the socket: the server saw the peer go.
    assert peer_gone(server)
    server.stop()
    assert server.requests[0].raw.startswith(b"GET /r HTTP/1.1\r\n")


@pytest.mark.parametrize("reader", ["content", "text", "iter_content", "readinto", "with"])
def test_every_reader(mpy, impl, pool_kind, scripted_server, reader):
    server = scripted_server([[("read",), ("send", http_response(200, {}, BODY))]])
    out = mpy.run(OPEN + """
which = P["reader"]
r = requests.Response(sock)
if which == "content":
    got = r.content
elif which == "text":
    got = r.text.encode()
elif which == "iter_content":
    got = b"".join(r.iter_content(5))
elif which == "readinto":
    buf = bytearray(7)
    parts = []
    while True:
        n = r.readinto(buf)
        if not n:
            break
        parts.append(bytes(buf[:n]))
    got = b"".join(parts)
else:
    with r as rr:
        got = rr.content
    emit(["closed", r.socket is None])
emit(got)
""", params=_params(server, pool_kind, reader=reader))
    assert out.records[-1] == BODY
    if reader == "with":
        assert out.records[0] == ["closed", True]


def test_chunked_body(mpy, impl, pool_kind, scripted_server):
    chunked = (b"HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n"
               b"5\r\nhello\r\n6\r\n world\r\n0\r\n\r\n")
    server = scripted_server([[("read",), ("send", chunked)]])
    out = mpy.run(OPEN + """
r = requests.Response(sock)
emit(r.content)
""", params=_params(server, pool_kind))
    assert out.one == b"hello world"


def test_head_method_has_no_body(mpy, impl, pool_kind, scripted_server):
    # A HEAD answer announces a length but sends no body: reading must not wait for it.
    head = b"HTTP/1.1 200 OK\r\nContent-Length: 5000\r\n\r\n"
    server = scripted_server([[("read",), ("send", head), ("sleep", 3)]])
    out = mpy.run(OPEN + """
import time
t0 = time.ticks_ms()
r = requests.Response(sock, method="HEAD")
emit([r.status_code, r.headers["content-length"], r.content, time.ticks_diff(time.ticks_ms(), t0) < 1500])
r.close()
""", params=_params(server, pool_kind, method="HEAD"))
    assert out.one == [200, "5000", b"", True]


def test_https_socket(mpy, impl, pool_kind, scripted_server, tls_material):
    server = scripted_server([[("read",), ("send", http_response(200, {}, b"secret"))]],
                             tls_context=tls_material.server_context("good"))
    out = mpy.run(OPEN + """
r = requests.Response(sock)
emit(r.content)
r.close()
""", params=_params(server, pool_kind, https=True, ca=tls_material.ca_der))
    assert out.one == b"secret"


MALFORMED = [
    b"HTTP/1.1 200 OK\r\nNo colon here\r\n\r\nbody",
    b"SMTP ready\r\n\r\n",
    b"HTTP/1.1 abc Bad\r\n\r\n",
]


@pytest.mark.parametrize("answer", MALFORMED)
def test_malformed_head_raises_and_closes(mpy, impl, pool_kind, scripted_server, answer):
    server = scripted_server([[("read",), ("send", answer)]])
    out = mpy.run(OPEN + """
res = attempt(lambda: requests.Response(sock))
emit([res[0], res[1], pool.open_count() if pool else None])
""", params=_params(server, pool_kind))
    res = out.one
    assert res[:2] == ["err", "ValueError"], res
    if pool_kind == "python":
        assert res[2] == 0
    assert peer_gone(server)
    server.stop()


def test_peer_closes_before_head(mpy, impl, pool_kind, scripted_server):
    server = scripted_server([[("read",), ("close",)]])
    out = mpy.run(OPEN + """
res = attempt(lambda: requests.Response(sock))
emit([res[:2], pool.open_count() if pool else None])
""", params=_params(server, pool_kind))
    assert out.one[0] == ["err", "OSError"]
    if pool_kind == "python":
        assert out.one[1] == 0


def test_with_session_is_superseded_by_next_request(mpy, impl, pool_kind, scripted_server):
    server = scripted_server([
        [("read",), ("send", http_response(200, {}, b"0123456789")), ("sleep", 1)],
        [("read",), ("send", http_response(200, {}, b"next"))],
    ])
    out = mpy.run(OPEN + """
import testkit
s, _ = testkit.make_session(requests, P["kind"])
r = requests.Response(sock, s)
emit(r.status_code)
emit(s.get("http://127.0.0.1:%d/n" % P["port"]).content)
emit(attempt(lambda: r.content))
""", params=_params(server, pool_kind))
    assert out.records[0] == 200
    assert out.records[1] == b"next"
    assert out.records[2][0:2] == ["err", "RuntimeError"]


def test_with_session_reads_and_session_goes_on(mpy, impl, pool_kind, scripted_server):
    server = scripted_server([
        [("read",), ("send", http_response(200, {}, b"first"))],
        [("read",), ("send", http_response(200, {}, b"second"))],
    ])
    out = mpy.run(OPEN + """
import testkit
s, _ = testkit.make_session(requests, P["kind"])
with requests.Response(sock, s) as r:
    emit(r.text)
emit(s.get("http://127.0.0.1:%d/n" % P["port"]).text)
""", params=_params(server, pool_kind))
    assert out.records == ["first", "second"]


@pytest.mark.parametrize("bad", ["session", "method"])
def test_bad_arguments(mpy, impl, scripted_server, bad):
    server = scripted_server([[("read",), ("send", http_response(200, {}, b"x"))]])
    out = mpy.run(OPEN + """
if P["bad"] == "session":
    res = attempt(lambda: requests.Response(sock, 42))
else:
    res = attempt(lambda: requests.Response(sock, None, 7))
emit(res)
sock.close()
""", params=_params(server, "firmware", bad=bad))
    assert out.one[:2] == ["err", "TypeError"]
    assert bad in out.one[2]
