"""Keep-alive on the boards' Python-level pools (SPEC §4, §6): the AirLift
(ESP32SPI) library's sockets return 0 from a non-blocking recv_into when
nothing has arrived, as the WIZnet5k library's did before 7.4; both say
what the chip's TCP state is through `_connected`. A Session reuses its
connection on them, and still never reads stale bytes as the next
response nor sends on a connection the peer closed while it was idle.
The stand-ins (mpy_lib/esp32spipool.py, wiznet5kpool.py) follow those
libraries' socket semantics over real loopback connections; zeropool is a
pool that returns 0 the same way but has no status check."""

import json

import pytest

from hostile_kit import hostile_server  # noqa: F401
from servers import http_response

BOARD_POOLS = ["esp32spi", "wiznet5k", "wiznet5k-legacy", "zero"]

SESSION = """
import boardpools, relykit
pool, iface = boardpools.make(P["kind"])
s = requests.Session(pool)
U = P["url"]
"""


def run(mpy, kind, script, url, **params):
    params.update({"kind": kind, "url": url})
    return mpy.run(SESSION + script, params=params, timeout=60).one


def counter_app(req, srv):
    return http_response(200, {"Content-Type": "application/json"},
                         json.dumps({"n": len(srv.requests), "path": req.target,
                                     "body": req.body.decode("latin-1")}))


@pytest.mark.parametrize("kind", BOARD_POOLS)
def test_four_requests_over_one_connection(mpy, impl, kind, recording_server):
    srv = recording_server(counter_app)
    out = run(mpy, kind, """
got = []
for i in range(3):
    with s.get(U + "/g%d" % i, timeout=5) as r:
        got.append(r.content)
got.append(s.post(U + "/p", data=b"four", timeout=5).content)
emit([got, pool.open_count()])
""", srv.url(""))
    assert [json.loads(b) for b in out[0]] == [{"n": 1, "path": "/g0", "body": ""}, {"n": 2, "path": "/g1", "body": ""},
                      {"n": 3, "path": "/g2", "body": ""}, {"n": 4, "path": "/p", "body": "four"}]
    assert srv.connections == 1
    assert out[1] == 1


@pytest.mark.native_only
def test_airlift_tls_mode_keeps_its_connection(mpy, impl, recording_server):
    """set_socket(pool, iface) with TLS_MODE: the coprocessor's one TLS
    socket carries every request."""
    srv = recording_server(counter_app)
    port = int(srv.url("").rsplit(":", 1)[1])
    out = mpy.run("""
import esp32spipool
iface = esp32spipool.Interface()
pool = esp32spipool.SocketPool(iface)
requests.set_socket(pool, iface)
got = [requests.get("https://localhost:%d/s%d" % (P["port"], i)).json()["n"] for i in range(4)]
emit([got, iface.connects])
""", params={"port": port}, timeout=60).one
    assert out[0] == [1, 2, 3, 4]
    assert out[1] == [["localhost", port, 2]]
    assert srv.connections == 1


def _peer_closed_idle(mpy, kind, body, hostile_server):
    ok = http_response(200, {}, b"fine")
    srv = hostile_server([[("read",), ("send", ok), ("close",)],
                          [("read",), ("send", http_response(200, {}, b"again"))]],
                         repeat_last=False)
    out = run(mpy, kind, """
import time
a = s.get(U, timeout=3).content
time.sleep(0.3)
def gen():
    yield b"pay"
    yield b"load"
data = gen() if P["body"] == "generator" else b"payload"
emit([a, relykit.timed(lambda: s.post(U, data=data, timeout=3).content),
      pool.open_count()])
""", srv.url("/"), body=body)
    assert out[0] == b"fine"
    assert out[1][:2] == ["ok", b"again"], out
    # no timeout waited out
    assert out[1][-1] < 2000, out
    assert [r.method for r in srv.requests] == ["GET", "POST"]
    assert srv.requests[1].body == b"payload"
    assert srv.connections == 2
    assert out[2] == 1


@pytest.mark.parametrize("kind", ["esp32spi", "wiznet5k", "wiznet5k-legacy"])
def test_idle_connection_the_peer_closed_is_recovered_from(mpy, impl, kind, hostile_server):
    _peer_closed_idle(mpy, kind, "bytes", hostile_server)


@pytest.mark.reference_bug("the reference sends a generator body on the dead connection, "
                           "and its second attempt has nothing left to send")
@pytest.mark.parametrize("kind", ["esp32spi", "wiznet5k", "wiznet5k-legacy"])
def test_idle_connection_the_peer_closed_is_not_sent_on(mpy, impl, kind, hostile_server):
    """The status check finds it closed before anything is sent, so even a
    body that cannot be sent twice goes out once, on a new connection."""
    _peer_closed_idle(mpy, kind, "generator", hostile_server)


@pytest.mark.native_only
def test_without_a_status_check_a_dead_idle_connection_is_caught_by_the_resend_rule(
        mpy, impl, hostile_server):
    """0 that nothing explains: a replayable request risks the connection
    and goes out again once on a new one when the peer turns out gone."""
    ok = http_response(200, {}, b"fine")
    srv = hostile_server([[("read",), ("send", ok), ("close",)],
                          [("read",), ("send", http_response(200, {}, b"again"))]],
                         repeat_last=False)
    out = run(mpy, "zero", """
import time
a = s.get(U, timeout=3).content
time.sleep(0.3)
emit([a, relykit.timed(lambda: s.post(U, data=b"payload", timeout=3).content),
      pool.opened])
""", srv.url("/"))
    assert out[1][:2] == ["ok", b"again"], out
    assert out[1][-1] < 2000, out
    # sent on the dead connection (the server never read it), then once more
    assert out[2] == 2
    assert srv.connections == 2


@pytest.mark.native_only
def test_without_a_status_check_a_generator_body_gets_a_new_connection(
        mpy, impl, hostile_server):
    """Nothing could recover a body that cannot go twice from a dead
    connection, so it is not risked on one that cannot be checked."""
    ok = http_response(200, {}, b"fine")
    srv = hostile_server([[("read",), ("send", ok), ("close",)],
                          [("read",), ("send", http_response(200, {}, b"again"))]],
                         repeat_last=False)
    out = run(mpy, "zero", """
import time
a = s.get(U, timeout=3).content
time.sleep(0.3)
def gen():
    yield b"once"
emit([a, relykit.timed(lambda: s.post(U, data=gen(), timeout=3).content),
      pool.opened])
""", srv.url("/"))
    assert out[1][:2] == ["ok", b"again"], out
    assert out[2] == 2
    assert srv.connections == 2
    assert srv.requests[-1].body == b"once"


@pytest.mark.native_only
def test_without_a_status_check_a_generator_body_on_a_live_connection_is_still_served(
        mpy, impl, recording_server):
    srv = recording_server(counter_app)
    out = run(mpy, "zero", """
def gen():
    yield b"gen"
a = s.get(U + "/a", timeout=3).json()["n"]
b = s.post(U + "/b", data=gen(), timeout=3).json()
c = s.get(U + "/c", timeout=3).json()["n"]
emit([a, b, c])
""", srv.url(""))
    assert out == [1, {"n": 2, "path": "/b", "body": "gen"}, 3]
    # the generator's request went on a connection of its own; the GET
    # after it reused that one
    assert srv.connections == 2


@pytest.mark.parametrize("kind", BOARD_POOLS)
@pytest.mark.reference_bug("the reference reads bytes pushed on an idle connection as the "
                           "next response")
def test_pushed_bytes_on_an_idle_connection_are_not_the_next_response(mpy, impl, kind,
                                                                      hostile_server):
    ok = http_response(200, {}, b"fine")
    pushed = http_response(200, {}, b"pushed")
    srv = hostile_server([[("read",), ("send", ok), ("sleep", 0.1), ("send", pushed),
                           ("hold", 15)],
                          [("read",), ("send", http_response(200, {}, b"second"))]],
                         repeat_last=False)
    out = run(mpy, kind, """
import time
a = s.get(U + "/1", timeout=3).content
time.sleep(0.4)
emit([a, relykit.timed(lambda: s.get(U + "/2", timeout=3).content)])
""", srv.url(""))
    assert out[0] == b"fine" and out[1][:2] == ["ok", b"second"], out
    assert srv.connections == 2
