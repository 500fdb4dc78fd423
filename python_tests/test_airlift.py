"""The module-level API on AirLift boards: set_socket(sock, iface) with an
ESP32SPI-shaped interface whose coprocessor does TLS. An https:// request
connects with sock.connect((host, port), iface.TLS_MODE) and sends plain
bytes; here a plain local server stands in for the coprocessor's far end."""

import json

import pytest

from servers import http_response

pytestmark = pytest.mark.native_only


def echo_app(req, srv):
    return http_response(200, {"Content-Type": "application/json"},
                         json.dumps({"method": req.method, "path": req.target,
                                     "body": req.body.decode("latin-1")}))


def test_https_through_the_coprocessor(mpy, impl, recording_server):
    srv = recording_server(echo_app)
    port = srv.url("").rsplit(":", 1)[1]
    out = mpy.run("""
import airliftpool
pool = airliftpool.AirLiftSocketModule()
iface = airliftpool.Interface()
requests.set_socket(pool, iface)
r = requests.get("https://localhost:%s/secure" % P["port"])
emit([r.status_code, r.json(), pool.connects, pool.interfaces == [iface]])
r = requests.post("https://localhost:%s/p" % P["port"], json={"a": 1})
emit([r.json(), pool.connects[1:]])
""", params={"port": port}, timeout=20).records
    p = int(port)
    assert out[0][:2] == [200, {"method": "GET", "path": "/secure", "body": ""}]
    # By name, with the interface's TLS_MODE: the coprocessor resolves the
    # name and does the handshake.
    assert out[0][2] == [["localhost", p, 2]]
    assert out[0][3] is True
    assert out[1][0] == {"method": "POST", "path": "/p", "body": '{"a": 1}'}
    # The kept-alive connection served the second request.
    assert out[1][1] == []
    # The bytes the server got were plain HTTP.
    assert srv.requests[0].raw.startswith(b"GET /secure HTTP/1.1\r\n")


def test_plain_http_keeps_the_plain_connect(mpy, impl, recording_server):
    srv = recording_server(echo_app)
    out = mpy.run("""
import airliftpool
pool = airliftpool.AirLiftSocketModule()
requests.set_socket(pool, airliftpool.Interface())
r = requests.get(P["url"] + "/plain")
emit([r.status_code, pool.connects])
""", params={"url": srv.url("")}, timeout=20).one
    assert out[0] == 200
    assert [c[2] for c in out[1]] == [None]


def test_interface_without_tls_mode_needs_a_context(mpy, impl, recording_server):
    """No TLS_MODE: the firmware's TLS context, as before; https to a plain
    server then fails in the handshake (or for want of a context), and
    nothing is sent in the clear."""
    srv = recording_server(echo_app)
    port = srv.url("").rsplit(":", 1)[1]
    out = mpy.run("""
import airliftpool
pool = airliftpool.AirLiftSocketModule()
requests.set_socket(pool, "not-an-airlift")
emit([attempt(lambda: requests.get("https://localhost:%s/x" % P["port"]))[0],
      [c[2] for c in pool.connects]])
""", params={"port": port}, timeout=20).one
    assert out[0] == "err"
    assert out[1] in ([], [None])
    assert all(not r.raw.startswith(b"GET /x") for r in srv.requests)
