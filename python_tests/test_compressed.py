"""Compressed bodies (SPEC.md §10): with Accept-Encoding sent, a gzip or
deflate body is decoded for every body accessor: while it streams, through
the firmware's deflate.DeflateIO, or (CircuitPython) read whole and decoded
by its zlib.decompress. nginx compresses the big
documents itself (gzip on); deflate and broken streams come from scripted
servers."""

import hashlib
import json
import zlib

import pytest

from firmware_caps import decompressor, has_decompressor
from helpers import canned
from json_docs import forecast
from servers import http_response
from test_json_select import same

pytestmark = pytest.mark.native_only

needs_decompressor = pytest.mark.skipif(
    not has_decompressor(),
    reason="firmware without deflate.DeflateIO or zlib.decompress: bodies stay encoded")
needs_streaming_decompressor = pytest.mark.skipif(
    decompressor() != "stream",
    reason="firmware whose zlib decodes whole bodies only: a 500 KB document and its "
           "compressed form do not fit a 96 KiB heap together")

SETUP = """
import testkit
s, pool = testkit.make_session(requests, P["kind"], P["ca"])
U = P["url"]
H = {"Accept-Encoding": "gzip, deflate"}
"""


def run(mpy, script, url, ca, pool_kind, heapsize="4m", **params):
    params.update(url=url, ca=ca, kind=pool_kind)
    return mpy.run(SETUP + script, params=params, heapsize=heapsize)


@pytest.fixture(scope="module")
def gz_doc(nginx):
    data = forecast(500_000, 11)
    (nginx.root / "www" / "gz500k.json").write_bytes(data)
    return data


ACCESSORS = """
import hashlib, binascii
def sha(b):
    return binascii.hexlify(hashlib.sha256(b).digest()).decode()
res = {}
r = s.get(P["doc"], headers=H)
res["encoding"] = r.headers.get("content-encoding")
res["content"] = sha(r.content)
r = s.get(P["doc"], headers=H)
res["text"] = sha(r.text.encode())
r = s.get(P["doc"], headers=H, stream=True)
h = hashlib.sha256()
for c in r.iter_content(1000):
    h.update(c)
res["iter_content"] = binascii.hexlify(h.digest()).decode()
r = s.get(P["doc"], headers=H, stream=True)
h = hashlib.sha256()
buf = bytearray(777)
while True:
    n = r.readinto(buf)
    if not n:
        break
    h.update(buf[:n])
res["readinto"] = binascii.hexlify(h.digest()).decode()
r = s.get(P["doc"], headers=H)
res["lines"] = sum(len(x) + 1 for x in r.iter_lines())
r = s.get(P["doc"], headers=H)
res["json"] = r.json()["current"]
r = s.get(P["doc"], headers=H)
res["select"] = r.json({"t": ("current", "temp"), "d": ("hourly", 100, "dt")})
r = s.get(P["doc"], headers=H)
res["iter_json"] = sum(1 for _ in r.iter_json("hourly", None))
r = s.get(P["small"])
res["plain_after"] = r.json()
emit(res)
"""


@needs_decompressor
@pytest.mark.parametrize("tls", [False, True], ids=["http", "https"])
def test_every_accessor_decodes_gzip_from_nginx(mpy, impl, pool_kind, nginx, gz_doc, tls_material, tls):
    out = run(mpy, ACCESSORS, nginx.url("", tls), tls_material.ca_der if tls else None, pool_kind,
              heapsize="8m", doc=nginx.url("/gz500k.json", tls), small=nginx.url("/small.json", tls)).one
    doc = json.loads(gz_doc)
    digest = hashlib.sha256(gz_doc).hexdigest()
    assert out["encoding"] == "gzip"
    for name in ("content", "text", "iter_content", "readinto"):
        assert out[name] == digest, name
    assert out["lines"] == len(gz_doc) + 1
    assert same(out["json"], doc["current"])
    assert same(out["select"], {"t": doc["current"]["temp"], "d": doc["hourly"][100]["dt"]})
    assert out["iter_json"] == len(doc["hourly"])
    assert out["plain_after"] == json.loads(nginx.files["small.json"])


def test_no_accept_encoding_no_decoding(mpy, impl, pool_kind, scripted_server):
    """Without Accept-Encoding nothing changes: content is the bytes sent
    (as the reference), even when they claim to be gzip."""
    raw = zlib.compress(b'{"a": 1}')
    srv = canned(scripted_server, http_response(200, [("Content-Encoding", "deflate")], raw))
    out = run(mpy, """
r = s.get(U)
emit(r.content)
""", srv.url("/z"), None, pool_kind).one
    assert out == raw


@needs_streaming_decompressor
def test_selection_from_gzip_in_a_96k_heap(mpy, nginx, gz_doc):
    doc = json.loads(gz_doc)
    out = mpy.run("""
import socket, adafruit_requests
s = adafruit_requests.Session(socket)
r = s.get(P["doc"], headers={"Accept-Encoding": "gzip"})
v = r.json({"t": ("current", "temp"), "d": ("hourly", 1000, "dt")})
r = s.get(P["doc"], headers={"Accept-Encoding": "gzip"})
n = 0
for hour in r.iter_json("hourly", None):
    n += 1
emit([v, n])
""", params={"doc": nginx.url("/gz500k.json")}, heapsize="96k", import_requests=False).one
    assert same(out, [{"t": doc["current"]["temp"], "d": doc["hourly"][1000]["dt"]}, len(doc["hourly"])])


BODY = json.dumps({"k": list(range(2000)), "s": "\u00e9" * 100}).encode()


@needs_decompressor
@pytest.mark.parametrize("kind", ["deflate", "deflate-chunked", "gzip-as-deflate"])
def test_deflate_bodies(mpy, impl, pool_kind, scripted_server, kind):
    import gzip

    data = gzip.compress(BODY) if kind == "gzip-as-deflate" else zlib.compress(BODY)
    if kind == "deflate-chunked":
        framed = b"".join(b"%x\r\n%s\r\n" % (len(data[i:i + 100]), data[i:i + 100])
                          for i in range(0, len(data), 100)) + b"0\r\n\r\n"
        raw = http_response(200, [("Content-Encoding", "Deflate"), ("Transfer-Encoding", "chunked")],
                            framed)
    else:
        raw = http_response(200, [("Content-Encoding", "deflate")], data)
    srv = canned(scripted_server, raw, close=True)
    out = run(mpy, """
r = s.get(U, headers=H)
c = r.content
r = s.get(U, headers=H)
emit([c, r.json("k", 1999), len(r.headers)])
""", srv.url("/d"), None, pool_kind).one
    assert out[0] == BODY
    assert out[1] == 1999


@needs_decompressor
@pytest.mark.parametrize("how", ["corrupt", "cut"])
def test_broken_stream_is_a_value_error(mpy, impl, pool_kind, scripted_server, how):
    data = zlib.compress(BODY)
    if how == "corrupt":
        data = data[:40] + bytes(b ^ 0x5A for b in data[40:80]) + data[80:]
    else:
        data = data[:len(data) // 2]
    srv = canned(scripted_server, http_response(200, [("Content-Encoding", "deflate")], data),
                 close=True)
    out = run(mpy, """
res = []
for f in (lambda r: r.content, lambda r: r.json("k", 3), lambda r: list(r.iter_content(64))):
    r = s.get(U, headers=H)
    res.append(attempt(f, r)[:2])
r = s.get(U)
res.append(len(r.content))
emit(res)
""", srv.url("/bad"), None, pool_kind).one
    assert out[:3] == [["err", "ValueError"]] * 3
    assert out[3] == len(data)
