"""Socket management: keep-alive keys, closing rules, retries and recovery,
driven through the fault-injecting pool."""

import pytest

from helpers import run_session
from servers import http_response


def counting(req, srv):
    return http_response(200, {}, ("%s#%d" % (req.path, len(srv.requests))).encode())


def test_idle_socket_per_session_id(mpy, impl, recording_server):
    srv = recording_server(counting)
    out = run_session(mpy, """
s1 = requests.Session(pool, None, "one")
s2 = requests.Session(pool, None, "two")
texts = []
for sess, path in ((s1, "/1"), (s2, "/2"), (s1, "/3"), (s2, "/4")):
    texts.append(sess.get(U + path).text)
emit([texts, pool.opened])
""", srv.url("")).one
    assert out == [["/1#1", "/2#2", "/3#3", "/4#4"], 2]
    assert srv.connections == 2
    assert srv.request_conn[0] == srv.request_conn[2]
    assert srv.request_conn[1] == srv.request_conn[3]
    assert srv.request_conn[0] != srv.request_conn[1]


def test_idle_socket_per_host_port(mpy, impl, recording_server):
    a = recording_server(counting)
    b = recording_server(counting)
    out = run_session(mpy, """
for u in (P["a"], P["b"], P["a"], P["b"], P["a"]):
    s.get(u).content
emit(pool.opened)
""", "", a=a.url("/x"), b=b.url("/y")).one
    assert out == 2
    assert (a.connections, b.connections) == (1, 1)
    assert (len(a.requests), len(b.requests)) == (3, 2)


def closing(req, srv):
    return http_response(200, {"Connection": "close"}, b"bye")


def test_connection_close_then_new_connection(mpy, impl, recording_server):
    srv = recording_server(closing)
    out = run_session(mpy, """
emit([s.get(U + "/1").text, s.get(U + "/2").text, s.get(U + "/3").text])
""", srv.url("")).one
    assert out == ["bye"] * 3
    assert srv.connections == 3
    assert [r.path for r in srv.requests] == ["/1", "/2", "/3"]


@pytest.mark.reference_bug("the reference keeps a socket the server said it would close")
def test_connection_close_releases_socket(mpy, impl, recording_server):
    srv = recording_server(closing)
    out = run_session(mpy, """
r = s.get(U + "/1")
r.content
emit([pool.open_count(), pool.counts.get("socket")])
s.get(U + "/2").content
emit([pool.open_count(), pool.counts.get("socket")])
""", srv.url("")).records
    assert out == [[0, 1], [0, 2]]


@pytest.mark.reference_bug("the reference keeps HTTP/1.0 sockets for reuse")
def test_http10_without_keepalive_closes(mpy, impl, scripted_server):
    srv = scripted_server([[("read",), ("send", b"HTTP/1.0 200 OK\r\nContent-Length: 2\r\n\r\nok")]],
                          repeat_last=True)
    out = run_session(mpy, """
r = s.get(U)
emit([r.status_code, r.content, pool.open_count()])
""", srv.url("/")).one
    assert out == [200, b"ok", 0]


@pytest.mark.parametrize("ending", ["close", "reset"])
def test_dead_reused_socket_replaced(mpy, impl, scripted_server, ending):
    ok = http_response(200, {}, b"fine")
    srv = scripted_server([
        [("read",), ("send", ok), ("sleep", 0.1), (ending,)],
        [("read",), ("send", ok)],
    ])
    out = run_session(mpy, """
import time
a = s.get(U + "/1").text
time.sleep(0.5)
b = attempt(lambda: s.get(U + "/2").text)
emit([a, b, pool.open_count()])
""", srv.url("")).one
    assert out == ["fine", ["ok", "fine"], 1]
    assert srv.connections == 2
    assert [r.path for r in srv.requests] == ["/1", "/2"]


def test_reset_after_reading_reused_request(mpy, impl, scripted_server):
    ok = http_response(200, {}, b"fine")
    srv = scripted_server([
        [("read",), ("send", ok), ("read",), ("reset",)],
        [("read",), ("send", ok)],
    ])
    out = run_session(mpy, """
emit([s.get(U + "/1").text, attempt(lambda: s.get(U + "/2").text)])
""", srv.url("")).one
    assert out == ["fine", ["ok", "fine"]]
    assert [r.path for r in srv.requests] == ["/1", "/2", "/2"]


def test_out_of_retries(mpy, impl, scripted_server):
    srv = scripted_server([[("read",), ("close",)]], repeat_last=True)
    out = run_session(mpy, """
try:
    s.get(U, timeout=5)
    res = "no error"
except Exception as e:
    # MicroPython has no exception chaining; the cause may ride along in args.
    res = [type(e).__name__, e.args[0]]
emit([res, isinstance(requests.OutOfRetries("x"), Exception), pool.open_count()])
""", srv.url("/")).one
    assert out[0] == ["OutOfRetries", "Repeated socket failures"]
    assert out[1:] == [True, 0]
    # SPEC §6: a request sent on a fresh connection is never sent again; the
    # reference tries a second connection.
    assert srv.connections == (1 if impl == "native" else 2)


@pytest.mark.reference_bug("the reference retries a read timeout on a fresh connection")
def test_read_timeout_not_retried(mpy, impl, scripted_server):
    srv = scripted_server([[("read",), ("sleep", 3)]], repeat_last=True)
    out = run_session(mpy, """
import time
t0 = time.ticks_ms()
res = attempt(lambda: s.get(U, timeout=0.5))
emit([res, time.ticks_diff(time.ticks_ms(), t0), pool.open_count()])
""", srv.url("/")).one
    assert out[0][0] == "err"
    assert out[1] < 1500
    assert out[2] == 0
    assert srv.connections == 1


def test_idle_sockets_closed_when_pool_exhausted(mpy, impl, recording_server):
    a = recording_server(counting)
    b = recording_server(counting)
    out = run_session(mpy, """
first = s.get(P["a"]).text
second = s.get(P["b"]).text
emit([first, second, pool.opened, pool.closed, pool.open_count()])
""", "", a=a.url("/a"), b=b.url("/b"), max_sockets=1).one
    assert out == ["/a#1", "/b#1", 2, 1, 1]


def test_pool_exhausted_without_idle_sockets_raises(mpy, impl, recording_server):
    srv = recording_server(counting)
    out = run_session(mpy, """
pool.max_sockets = 0
emit([attempt(lambda: s.get(U)), pool.open_count()])
""", srv.url("/")).one
    assert out[0][:2] == ["err", "RuntimeError"]
    assert out[1] == 0
    assert srv.requests == []


@pytest.mark.reference_bug("the reference sets the timeout only when it creates the socket")
def test_timeout_applied_on_every_request(mpy, impl, recording_server):
    srv = recording_server(counting)
    out = run_session(mpy, """
s.get(U, timeout=5).content
s.get(U, timeout=7).content
emit([pool.timeouts[-1], pool.opened])
""", srv.url("/")).one
    assert out == [7, 1]


def test_getaddrinfo_error_propagates(mpy, impl):
    out = run_session(mpy, """
pool.fail["getaddrinfo"] = {"*": -2}
try:
    s.get(U)
    emit("no error")
except OSError as e:
    emit([e.errno, pool.opened])
""", "http://no-such-host.invalid/").one
    assert out == [-2, 0]


def test_connect_error_propagates(mpy, impl, recording_server):
    srv = recording_server(counting)
    out = run_session(mpy, """
pool.fail["connect"] = {"*": 111}
try:
    s.get(U)
    emit("no error")
except OSError as e:
    emit([e.errno, pool.open_count()])
""", srv.url("/")).one
    assert out == [111, 0]
    assert srv.requests == []


@pytest.mark.reference_bug("a RuntimeError from connect skips the reference's socket close")
def test_connect_runtime_error_leaks_nothing(mpy, impl, recording_server):
    srv = recording_server(counting)
    out = run_session(mpy, """
pool.fail["connect"] = {"*": "runtime"}
emit([attempt(lambda: s.get(U)), pool.open_count()])
""", srv.url("/")).one
    assert out[0][0] == "err"
    assert out[1] == 0


def test_refused_connection(mpy, impl):
    import socket
    with socket.socket() as tmp:
        tmp.bind(("127.0.0.1", 0))
        port = tmp.getsockname()[1]
    out = run_session(mpy, """
try:
    s.get(U)
    emit("no error")
except OSError as e:
    emit([e.errno, pool.open_count()])
""", "http://127.0.0.1:%d/" % port).one
    assert out == [111, 0]


def test_send_always_failing(mpy, impl, recording_server):
    srv = recording_server(counting)
    out = run_session(mpy, """
pool.fail["send"] = {"*": 104}
emit([attempt(lambda: s.post(U, data="x")), pool.open_count()])
""", srv.url("/")).one
    assert out[0][:2] == ["err", "OutOfRetries"]
    assert out[1] == 0
    assert srv.requests == []


def test_short_sends_complete_request(mpy, impl, recording_server):
    srv = recording_server(counting)
    out = run_session(mpy, """
r = s.post(U + "/short", data=b"0123456789" * 10, headers={"X-Long": "v" * 50})
emit([r.text, pool.counts["send"]])
""", srv.url(""), short_send=7).one
    assert out[0] == "/short#1"
    # 7 bytes per send at most
    assert out[1] >= (len(srv.requests[0].raw) + 6) // 7
    assert srv.requests[0].body == b"0123456789" * 10
    assert srv.requests[0].header("X-Long") == "v" * 50


def test_eagain_on_send_is_retried(mpy, impl, recording_server):
    srv = recording_server(counting)
    out = run_session(mpy, """
pool.fail["send"] = {1: 11, 2: 11}
emit(s.get(U + "/again").text)
""", srv.url("")).one
    assert out == "/again#1"
    assert srv.connections == 1


@pytest.mark.reference_bug("the reference returns unread body bytes to the pool and trips on them")
def test_unread_small_body_drained_for_reuse(mpy, impl, recording_server):
    def app(req, srv):
        body = b"x" * 100 if req.path == "/a" else b"second"
        return http_response(200, {}, body)
    srv = recording_server(app)
    out = run_session(mpy, """
r = s.get(U + "/a", stream=True)
r.close()
emit([s.get(U + "/b").text, pool.opened])
""", srv.url("")).one
    assert out == ["second", 1]
    assert srv.connections == 1


@pytest.mark.native_only
def test_unread_large_body_closes_socket(mpy, impl, recording_server):
    def app(req, srv):
        body = b"y" * (1 << 20) if req.path == "/big" else b"after"
        return http_response(200, {}, body)
    srv = recording_server(app)
    out = run_session(mpy, """
import time
r = s.get(U + "/big", stream=True)
t0 = time.ticks_ms()
r.close()
dt = time.ticks_diff(time.ticks_ms(), t0)
emit([pool.open_count(), s.get(U + "/b").text, pool.opened, dt])
""", srv.url("")).one
    assert out[:3] == [0, "after", 2]
    assert out[3] < 1000


def test_no_socket_leak_over_mixed_responses(mpy, impl, recording_server):
    def app(req, srv):
        n = len(srv.requests)
        if n % 3 == 0:
            return http_response(500, {"Connection": "close"}, b"err")
        if n % 3 == 1:
            return http_response(404, {}, b"missing")
        return http_response(200, {}, b"fine")
    srv = recording_server(app)
    out = run_session(mpy, """
codes = []
for i in range(12):
    r = s.get(U + "/%d" % i)
    codes.append(r.status_code)
    r.content
emit([codes, pool.open_count()])
""", srv.url("")).one
    assert out[0] == [404, 200, 500] * 4
    assert out[1] <= 1
