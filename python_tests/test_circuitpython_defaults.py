"""The module-level API's default session on CircuitPython:
socketpool.SocketPool(wifi.radio) and ssl.create_default_context(). The
unix port has none of the three, so stand-ins (python_tests/mpy_cpnet) are
put on the path; what is tested is the module's CircuitPython branch that
finds and uses them."""

import pathlib

import pytest

from firmware_caps import on_circuitpython
from servers import http_response

pytestmark = [
    pytest.mark.native_only,
    pytest.mark.skipif(not on_circuitpython(),
                       reason="the CircuitPython branch of the default networking; "
                              "MicroPython's is tested in test_module_api.py"),
]

CPNET = str(pathlib.Path(__file__).resolve().parent / "mpy_cpnet")


def app(req, srv):
    return http_response(200, {"Content-Type": "text/plain"}, req.target.encode())


def test_default_session_uses_wifi_radio(mpy, impl, recording_server):
    srv = recording_server(app)
    out = mpy.run("""
import sys
sys.path.insert(0, P["cpnet"])
import socketpool, wifi
r = requests.get(P["url"] + "/default")
emit([r.status_code, r.text, len(socketpool.made), socketpool.made[0].radio is wifi.radio,
      socketpool.made[0].counts.get("socket", 0)])
""", params={"url": srv.url(""), "cpnet": CPNET}).one
    assert out == [200, "/default", 1, True, 1]


def test_default_session_https_uses_ssl_default_context(mpy, impl, recording_server,
                                                        tls_material):
    srv = recording_server(app, tls_context=tls_material.server_context())
    out = mpy.run("""
import sys
sys.path.insert(0, P["cpnet"])
import ssl
ssl.CA_DER = P["ca"]
r = requests.get(P["url"] + "/tls")
emit([r.status_code, r.text, len(ssl.made), ssl.made[0].wrapped])
""", params={"url": srv.url(""), "cpnet": CPNET, "ca": tls_material.ca_der}).one
    assert out == [200, "/tls", 1, ["127.0.0.1"]]
