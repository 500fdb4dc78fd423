"""Module surface: names promised by adafruit_requests.pyi, the legacy
module-level API and set_socket."""

import ast
import json
import pathlib
import re

import pytest

from firmware_caps import default_networking, default_networking_reason, natmod_path
from servers import http_response

# The module-level functions without set_socket build a session from the
# firmware's own networking.
needs_default_networking = pytest.mark.skipif(not default_networking(),
                                              reason=default_networking_reason())

STUB = pathlib.Path(__file__).resolve().parent.parent / "adafruit_requests.pyi"


def stub_surface():
    """{"module": names, "Session": names, "Response": names} of public names."""
    tree = ast.parse(STUB.read_text())
    out = {"module": set()}

    def public(name):
        return not name.startswith("_") or name == "__version__"

    for node in tree.body:
        if isinstance(node, (ast.FunctionDef, ast.ClassDef)) and public(node.name):
            out["module"].add(node.name)
        elif isinstance(node, ast.AnnAssign) and public(node.target.id):
            out["module"].add(node.target.id)
        if isinstance(node, ast.ClassDef) and node.name in ("Session", "Response"):
            names = set()
            for item in node.body:
                if isinstance(item, ast.FunctionDef) and not item.name.startswith("_"):
                    names.add(item.name)
                elif isinstance(item, ast.AnnAssign):
                    names.add(item.target.id)
            out[node.name] = names
    return out


def test_stub_covers_spec_surface():
    surface = stub_surface()
    assert {"Session", "AsyncSession", "Response", "OutOfRetries", "__version__", "request",
            "get", "post", "put", "patch", "delete", "head", "options",
            "set_socket"} == surface["module"]
    assert {"request", "get", "post", "put", "patch", "delete", "head", "options",
            "close", "cookies", "headers", "auth"} == surface["Session"]
    assert {"status_code", "reason", "headers", "encoding", "socket", "content", "text",
            "json", "iter_content", "close", "ok", "raise_for_status", "url", "history", "cookies",
            "iter_lines", "readinto", "iter_json", "aread", "ajson", "aiter_content",
            "aiter_lines", "aclose"} == surface["Response"]


@pytest.mark.native_only
def test_module_names_match_stub(mpy, impl, recording_server):
    srv = recording_server(http_response(200, {}, b"ok"))
    surface = stub_surface()
    out = mpy.run("""
import faultpool
names = [n for n in dir(requests) if not n.startswith("_") or n == "__version__"]
s = requests.Session(faultpool.FaultPool())
r = s.get(P["url"])
emit([names,
      [n for n in P["session"] if not hasattr(s, n)],
      [n for n in P["response"] if not hasattr(r, n)]])
""", params={"url": srv.url("/"), "session": sorted(surface["Session"]),
             "response": sorted(surface["Response"])}).one
    expected = set(surface["module"])
    if natmod_path():
        expected.discard("AsyncSession")  # firmware_caps.NATMOD_LACKS["async"]
    assert set(out[0]) == expected
    assert out[1] == []
    assert out[2] == []


def test_version_string(mpy, impl):
    out = mpy.run("emit(requests.__version__)").one
    assert re.match(r"^\d+\.\d+\.\d+", out)


def test_out_of_retries_is_exception(mpy, impl):
    out = mpy.run("emit([issubclass(requests.OutOfRetries, Exception), "
                  "str(requests.OutOfRetries('m'))])").one
    assert out == [True, "m"]


def test_session_has_verbs(mpy, impl):
    out = mpy.run("""
emit([n for n in ("request", "get", "post", "put", "patch", "delete", "head", "options")
      if not hasattr(requests.Session, n)])
""").one
    assert out == []


def echo_app(req, srv):
    return http_response(200, {"Content-Type": "application/json"},
                         json.dumps({"method": req.method, "path": req.target,
                                     "body": req.body.decode("latin-1")}))


@needs_default_networking
@pytest.mark.native_only
def test_module_level_get_without_setup(mpy, impl, recording_server):
    srv = recording_server(echo_app)
    out = mpy.run("""
r = requests.get(P["url"] + "/plain")
emit([r.status_code, r.json()])
r = requests.post(P["url"] + "/p", json={"a": 1})
emit(r.json())
""", params={"url": srv.url("")}).records
    assert out[0] == [200, {"method": "GET", "path": "/plain", "body": ""}]
    assert out[1] == {"method": "POST", "path": "/p", "body": '{"a": 1}'}


@needs_default_networking
@pytest.mark.native_only
@pytest.mark.parametrize("verb", ["get", "post", "put", "patch", "delete", "head", "options"])
def test_module_level_verbs(mpy, impl, recording_server, verb):
    srv = recording_server(echo_app)
    out = mpy.run("""
r = getattr(requests, P["verb"])(P["url"] + "/v")
emit(r.status_code)
r = requests.request(P["verb"].upper(), P["url"] + "/w")
emit(r.status_code)
""", params={"url": srv.url(""), "verb": verb}).records
    assert out == [200, 200]
    assert [r.method for r in srv.requests] == [verb.upper()] * 2


@pytest.mark.native_only
def test_set_socket_with_interface(mpy, impl, recording_server):
    srv = recording_server(echo_app)
    out = mpy.run("""
import faultpool

class LegacyPool(faultpool.FaultPool):
    def __init__(self):
        super().__init__()
        self.ifaces = []

    def set_interface(self, iface):
        self.ifaces.append(iface)

pool = LegacyPool()
requests.set_socket(pool, "the-iface")
r = requests.get(P["url"] + "/via-pool")
emit([pool.ifaces, r.status_code, pool.counts.get("socket", 0) >= 1])
other = LegacyPool()
requests.set_socket(other)
requests.get(P["url"] + "/via-other").content
emit([other.ifaces, other.counts.get("socket", 0) >= 1])
""", params={"url": srv.url("")}).records
    assert out[0] == [["the-iface"], 200, True]
    assert out[1] == [[], True]
    assert [r.path for r in srv.requests] == ["/via-pool", "/via-other"]


@needs_default_networking
@pytest.mark.native_only
def test_module_level_https_default_context(mpy, impl, recording_server, tls_material, tmp_path):
    """The default session's TLS context trusts what SSL_CERT_FILE names
    (DER: the firmware's Mbed TLS has no PEM parser)."""
    srv = recording_server(echo_app, tls_context=tls_material.server_context())
    ca = tmp_path / "ca.der"
    ca.write_bytes(tls_material.ca_der)
    out = mpy.run("""
r = requests.get(P["url"] + "/tls")
emit([r.status_code, r.json()["path"]])
""", params={"url": srv.url("")}, env={"SSL_CERT_FILE": str(ca)}).one
    assert out == [200, "/tls"]


@needs_default_networking
@pytest.mark.native_only
def test_module_level_https_untrusted_fails(mpy, impl, recording_server, tls_material):
    srv = recording_server(echo_app, tls_context=tls_material.server_context())
    out = mpy.run("emit(attempt(lambda: requests.get(P['url'])))",
                  params={"url": srv.url("/")}, env={"SSL_CERT_FILE": ""}).one
    assert out[0] == "err"
    assert srv.requests == []
