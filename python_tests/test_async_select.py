"""SPEC §9 with §11: `await r.ajson(*path)` and `ajson({name: path})` select
while the body streams, exactly as `r.json(*path)` does: a 1.9 MB document
in a 64 KiB heap, for Content-Length, chunked and gzip bodies (nginx
compresses on the fly; a scripted server sends a precompressed one with its
length), on both asyncio implementations; the event loop keeps running
meanwhile; a timeout or a cancellation mid-document closes the connection
(no descriptor left) and a later read says why."""

import gzip
import json
import random

import pytest

from firmware_caps import decompressor
from hostile_kit import hostile_server, ok_response  # noqa: F401
from servers import http_response
from test_async import CP_ASYNCIO, SLACK_MS, aio, run  # noqa: F401

pytestmark = pytest.mark.native_only


def _doc():
    rnd = random.Random(22)
    items = [{"id": i, "name": "item-%d" % i, "vals": [rnd.random() for _ in range(5)]}
             for i in range(12_000)]
    return {"items": items, "want": {"a": [1, 2, 3], "b": "h\u00e9llo"}, "tail": 7}


DOC = _doc()
DATA = json.dumps(DOC).encode()
GZ = gzip.compress(DATA)


def _chunked(data, size=4000):
    out = [b"%x\r\n%s\r\n" % (len(data[i:i + size]), data[i:i + size])
           for i in range(0, len(data), size)]
    return b"".join(out) + b"0\r\n\r\n"


@pytest.fixture(scope="module")
def big_on_nginx(nginx):
    (nginx.root / "www" / "aselect.json").write_bytes(DATA)
    return nginx.url("/aselect.json")


def _source(framing, nginx_url, hostile):
    """The URL serving DOC with that framing, and the request headers."""
    if framing == "length":
        return nginx_url, None
    if framing == "gzip-chunked":
        # nginx compresses on the fly: gzip, chunked.
        return nginx_url, {"Accept-Encoding": "gzip"}
    if framing == "chunked":
        body = _chunked(DATA)
        head = b"HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n"
        resp, headers = head + body, None
    else:  # gzip-length
        resp = http_response(200, [("Content-Encoding", "gzip")], GZ)
        headers = {"Accept-Encoding": "gzip"}
    srv = hostile([[("read",), ("send", resp)] * 8])
    return srv.url("/big"), headers


# Only what the selection needs: the test's usual helpers (faultpool,
# relykit) would take heap the 64 KiB run is measuring.
SELECT = """
import sys
if P["aio"] == "circuitpython":
    sys.path.insert(0, P["cp_path"])
import asyncio, socket
import adafruit_requests as requests
U = P["url"]
async def caught(aw):
    try:
        return ["ok", await aw]
    except Exception as e:
        return ["err", type(e).__name__]
async def main():
    s = requests.AsyncSession(socket)
    H = P.get("headers")
    r = await s.get(U, headers=H, stream=True)
    enc = r.headers.get("content-encoding")
    want = await r.ajson("want")
    r = await s.get(U, headers=H, stream=True)
    many = await r.ajson({"w": ("want", "b"), "ids": ("items", 11999, "id"), "t": "tail",
                          "none": ("nope",)})
    r = await s.get(U, headers=H, stream=True)
    two = await r.ajson("items", 5000, "name")
    r = await s.get(U, headers=H, stream=True)
    miss = (await caught(r.ajson("nope")))[:2]
    s.close()
    return [enc, want, many, two, miss]
emit(asyncio.run(main()))
"""


@pytest.mark.parametrize("framing", ["length", "chunked", "gzip-chunked", "gzip-length"])
def test_ajson_path_streams_a_big_document_in_64k(mpy, aio, big_on_nginx, hostile_server,
                                                   framing):
    if framing.startswith("gzip") and decompressor() != "stream":
        pytest.skip("the firmware decodes compressed bodies in one call only")
    url, headers = _source(framing, big_on_nginx, hostile_server)
    # CircuitPython's asyncio library is compiled from source at import and
    # keeps more of the heap than MicroPython's frozen one: beside it, the
    # decompressor's 32 KiB window needs a larger heap.
    heap = "96k" if aio == "circuitpython" and framing.startswith("gzip") else "64k"
    out = mpy.run(SELECT, params={"aio": aio, "cp_path": str(CP_ASYNCIO), "url": url,
                                  "headers": headers},
                  heapsize=heap, timeout=120, import_requests=False).one
    enc, want, many, two, miss = out
    assert enc == ("gzip" if framing.startswith("gzip") else None)
    assert want == DOC["want"]
    assert many == {"w": DOC["want"]["b"], "ids": 11999, "t": 7}
    assert two == DOC["items"][5000]["name"]
    assert miss == ["err", "KeyError"]


@pytest.mark.parametrize("framing", ["length", "gzip-length"])
def test_ajson_keeps_other_tasks_running(mpy, aio, big_on_nginx, hostile_server, framing):
    if framing.startswith("gzip") and decompressor() != "stream":
        pytest.skip("the firmware decodes compressed bodies in one call only")
    url, headers = _source(framing, big_on_nginx, hostile_server)
    out = run(mpy, aio, """
async def main():
    s = requests.AsyncSession(socket)
    r = await s.get(U, headers=P.get("headers"), stream=True)
    return await while_ticking(r.ajson("tail"))
emit(asyncio.run(main()))
""", url=url, headers=headers)
    value, took, ticks = out
    assert value == 7
    # The selection pauses for other tasks as every reader does (every 3 ms
    # of running): a task ticking every 10 ms keeps most of its ticks.
    assert ticks >= 0.5 * took / 10 - 2, out


def test_blocking_twin_in_the_same_heap(mpy, big_on_nginx):
    """The same selection with r.json(*path) in the same heap: what ajson
    must match (gzip too where the firmware's decompressor streams)."""
    gz = decompressor() == "stream"
    out = mpy.run("""
import socket, adafruit_requests
s = adafruit_requests.Session(socket)
r = s.get(P["url"])
got = [r.json("want")]
if P["gz"]:
    r = s.get(P["url"], headers={"Accept-Encoding": "gzip"})
    got.append(r.json("want"))
emit(got)
""", params={"url": big_on_nginx, "gz": gz}, heapsize="64k", import_requests=False).one
    assert out == [DOC["want"]] * (2 if gz else 1)


def test_ajson_takes_paths_longer_than_eight(mpy, aio, hostile_server):
    deep = {"a": {"b": {"c": {"d": {"e": {"f": {"g": {"h": {"i": {"j": 42}}}}}}}}}}
    srv = hostile_server([[("read",), ("send", http_response(200, [], json.dumps(deep)))] * 2])
    out = run(mpy, aio, """
async def main():
    s = requests.AsyncSession(socket)
    r = await s.get(U, stream=True)
    return await r.ajson("a", "b", "c", "d", "e", "f", "g", "h", "i", "j")
emit(asyncio.run(main()))
""", url=srv.url("/deep"))
    assert out == 42


STALL = """
async def main():
    s = requests.AsyncSession(socket)
    warm = (await s.get(P["good"])).content
    base = relykit.fds()
    r = await s.get(U, stream=True, timeout=1, headers=P.get("headers"))
    t = time.ticks_ms()
    if P["how"] == "timeout":
        res = await caught(r.ajson("want"))
    else:
        task = asyncio.create_task(r.ajson("want"))
        await asyncio.sleep_ms(300)
        task.cancel()
        res = await caught(task)
    took = ms_since(t)
    gc.collect()
    leaked = relykit.fds() - base
    later = (await caught(r.ajson("want")))[:3]
    again = (await s.get(P["good"])).content
    return [warm, res[:2] + [res[3] if len(res) > 3 else None], took, leaked, later, again]
emit(asyncio.run(main()))
"""


@pytest.mark.parametrize("how", ["timeout", "cancel"])
@pytest.mark.parametrize("gz", [False, True], ids=["plain", "gzip"])
def test_ajson_stalled_mid_document_closes_its_connection(mpy, aio, hostile_server, how, gz):
    if gz and decompressor() != "stream":
        pytest.skip("the firmware decodes compressed bodies in one call only")
    if gz:
        resp = http_response(200, [("Content-Encoding", "gzip")], GZ)
        headers = {"Accept-Encoding": "gzip"}
    else:
        resp = http_response(200, [], DATA)
        headers = None
    # A third of the body, then silence.
    victim = hostile_server([[("read",), ("send", resp[:len(resp) // 3]), ("hold", 10)]])
    good = hostile_server([[("read",), ("send", ok_response())] * 4])
    out = run(mpy, aio, STALL, heapsize="256k", url=victim.url("/stall"), good=good.url("/g"),
              how=how, headers=headers)
    warm, res, took, leaked, later, again = out
    assert warm == b"good" and again == b"good"
    if how == "timeout":
        assert res == ["err", "OSError", 110], out
        assert 1000 - 50 <= took < 1000 + SLACK_MS, out
    else:
        assert res[:2] == ["err", "CancelledError"], out
        assert took < 300 + SLACK_MS, out
    assert leaked == 0, out
    assert later[:2] == ["err", "RuntimeError"], out
    assert "closed" in later[2], out
