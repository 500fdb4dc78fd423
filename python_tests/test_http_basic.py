"""Everyday requests against httpbin (HTTP and HTTPS), nginx and the
recording server."""

import json

import pytest

from servers import http_response

SETUP = """
import testkit
s, pool = testkit.make_session(requests, P["kind"], P["ca"])
U = P["url"]
"""


def run(mpy, script, url, ca, pool_kind, **params):
    params.update(url=url, ca=ca, kind=pool_kind)
    return mpy.run(SETUP + script, params=params)


@pytest.mark.parametrize("method", ["GET", "POST", "PUT", "PATCH", "DELETE"])
def test_methods_reach_server(mpy, impl, pool_kind, httpbin_both, method):
    url, ca = httpbin_both
    out = run(mpy, """
r = s.request(P["method"], U + "/anything/x?q=1", data="payload-" + P["method"])
emit([r.status_code, bytes(r.reason), r.text])
r.close()
""", url, ca, pool_kind, method=method).one
    status, reason, text = out
    assert status == 200 and reason == b"OK"
    echo = json.loads(text)
    assert echo["method"] == method
    assert echo["args"] == {"q": "1"}
    assert echo["data"] == "payload-" + method
    assert echo["headers"]["User-Agent"] == "Adafruit CircuitPython"


def test_head_has_no_body(mpy, impl, pool_kind, httpbin_both):
    url, ca = httpbin_both
    out = run(mpy, """
r = s.head(U + "/get")
emit([r.status_code, r.headers.get("content-length"), r.content])
""", url, ca, pool_kind).one
    assert out[0] == 200
    assert int(out[1]) > 0
    assert out[2] == b""


def test_options(mpy, impl, pool_kind, httpbin_both):
    url, ca = httpbin_both
    status, allow = run(mpy, """
r = s.options(U + "/get")
emit([r.status_code, r.headers.get("allow")])
r.close()
""", url, ca, pool_kind).one
    assert status == 200
    assert "GET" in allow


def test_text_content_headers_status(mpy, impl, pool_kind, httpbin_both):
    url, ca = httpbin_both
    out = run(mpy, """
r = s.get(U + "/status/418")
emit([r.status_code, bytes(r.reason), r.content])
r = s.get(U + "/response-headers?X-Custom=hello&Content-Type=text/plain")
emit([r.status_code, r.headers["x-custom"], r.headers["content-type"], r.text])
""", url, ca, pool_kind).records
    assert out[0][0] == 418
    assert out[0][1] == b"I'M A TEAPOT"
    assert b"teapot" in out[0][2]
    assert out[1][:3] == [200, "hello", "text/plain"]
    assert json.loads(out[1][3])["X-Custom"] == "hello"


@pytest.mark.reference_bug("json.load on MicroPython needs a native stream", firmware="micropython")
def test_json_method(mpy, impl, pool_kind, httpbin_both):
    url, ca = httpbin_both
    out = run(mpy, """
r = s.post(U + "/post", json={"k": [1, 2, "three"]})
emit(r.json())
""", url, ca, pool_kind).one
    assert out["json"] == {"k": [1, 2, "three"]}
    assert out["headers"]["Content-Type"] == "application/json"


def test_iter_content_chunks(mpy, impl, pool_kind, httpbin_both):
    url, ca = httpbin_both
    chunks = run(mpy, """
r = s.get(U + "/range/1000?chunk_size=100")
emit([bytes(c) for c in r.iter_content(chunk_size=64)])
""", url, ca, pool_kind).one
    body = b"".join(chunks)
    assert body == bytes(ord("a") + i % 26 for i in range(1000))
    assert all(0 < len(c) <= 64 for c in chunks)


def test_with_statement_closes(mpy, impl, pool_kind, httpbin_both):
    url, ca = httpbin_both
    out = run(mpy, """
with s.get(U + "/get") as r:
    inside = r.socket is not None
    code = r.status_code
emit([inside, code, r.socket is None])
""", url, ca, pool_kind).one
    assert out == [True, 200, True]


def keepalive_responder(req, srv):
    return http_response(200, {"Content-Type": "text/plain"}, b"n%d" % len(srv.requests))


@pytest.mark.parametrize("tls", [False, True], ids=["http", "https"])
def test_keepalive_reuses_one_connection(mpy, impl, pool_kind, recording_server,
                                         tls_material, tls):
    server = recording_server(keepalive_responder,
                              tls_context=tls_material.server_context() if tls else None)
    bodies = run(mpy, """
out = []
for i in range(4):
    r = s.get(U + "/k%d" % i)
    out.append(r.text)
emit(out)
""", server.url(""), tls_material.ca_der if tls else None, pool_kind).one
    assert bodies == ["n1", "n2", "n3", "n4"]
    assert [r.path for r in server.requests] == ["/k0", "/k1", "/k2", "/k3"]
    assert server.connections == 1


@pytest.mark.parametrize("tls", [False, True], ids=["http", "https"])
def test_nginx_small_and_1mib(mpy, impl, pool_kind, nginx, tls_material, tls):
    out = run(mpy, """
r = s.get(P["small"])
emit([r.status_code, r.headers.get("content-type"), r.content])
r = s.get(P["big"])
emit(list(testkit.body_sha256(r)))
""", nginx.url("", tls), tls_material.ca_der if tls else None, pool_kind,
        small=nginx.url("/small.json", tls), big=nginx.url("/1m.bin", tls)).records
    assert out[0] == [200, "application/json", nginx.files["small.json"]]
    assert out[1] == [1 << 20, nginx.sha256["1m.bin"]]


@pytest.mark.slow
@pytest.mark.parametrize("tls", [False, True], ids=["http", "https"])
def test_nginx_16mib_stream(mpy, impl, pool_kind, nginx, tls_material, tls):
    out = run(mpy, """
r = s.get(P["big"], stream=True)
emit(list(testkit.body_sha256(r, 8192)))
""", nginx.url("", tls), tls_material.ca_der if tls else None, pool_kind,
        big=nginx.url("/16m.bin", tls))
    assert out.one == [16 << 20, nginx.sha256["16m.bin"]]


def test_nginx_keepalive_many(mpy, impl, pool_kind, nginx, tls_material):
    marker = "/small.json?run=%s-%s" % (impl, pool_kind)
    out = run(mpy, """
codes = []
for i in range(20):
    r = s.get(P["small"])
    codes.append(len(r.content))
emit(codes)
""", nginx.url(""), None, pool_kind, small=nginx.url(marker)).one
    assert out == [len(nginx.files["small.json"])] * 20
    conns = nginx.connections_for(marker + " ", expect=20)
    assert len(conns) == 20
    assert len(set(conns)) == 1
