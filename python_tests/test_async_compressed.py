"""SPEC §10 with §11: compressed bodies on an AsyncSession. The compressed
body is read without blocking the event loop and decoded while it streams
by the firmware's decompressor (a one-shot zlib decodes it whole from
memory), for every reader (the awaited body, aread,
ajson with and without paths, aiter_content, aiter_lines, and the blocking
accessors afterwards). nginx compresses the document itself (gzip on);
deflate and broken streams come from scripted servers."""

import gzip
import hashlib
import json
import zlib

import pytest

from firmware_caps import decompressor, has_decompressor
from hostile_kit import hostile_server, ok_response  # noqa: F401
from json_docs import forecast
from servers import http_response
from test_async import CANCEL, SLACK_MS, aio, run  # noqa: F401
from test_json_select import same

pytestmark = [
    pytest.mark.native_only,
    pytest.mark.skipif(not has_decompressor(),
                       reason="firmware without deflate.DeflateIO or zlib.decompress"),
]

H = '{"Accept-Encoding": "gzip, deflate"}'


@pytest.fixture(scope="module")
def gz_doc(nginx):
    data = forecast(200_000, 5)
    (nginx.root / "www" / "agz200k.json").write_bytes(data)
    return data


@pytest.mark.parametrize("tls", [False, True], ids=["http", "https"])
def test_every_async_reader_decodes_gzip_from_nginx(mpy, aio, nginx, gz_doc, tls_material, tls):
    out = run(mpy, aio, """
import hashlib, binascii
def sha(b):
    return binascii.hexlify(hashlib.sha256(b).digest()).decode()
H = %s
async def main():
    s = requests.AsyncSession(socket, ctx())
    res = {}
    r = await s.get(U, headers=H)
    res["encoding"] = r.headers.get("content-encoding")
    res["content"] = sha(r.content)
    res["json"] = r.json()["current"]
    r = await s.get(U, headers=H, stream=True)
    res["aread"] = sha(await r.aread())
    r = await s.get(U, headers=H, stream=True)
    res["ajson"] = await r.ajson("hourly", 100, "dt")
    r = await s.get(U, headers=H, stream=True)
    h = hashlib.sha256()
    sizes = set()
    async for c in r.aiter_content(1000):
        h.update(c)
        sizes.add(len(c))
    res["aiter_content"] = binascii.hexlify(h.digest()).decode()
    res["sizes"] = sorted(sizes)[-1]
    r = await s.get(U, headers=H, stream=True)
    n = 0
    async for line in r.aiter_lines():
        n += len(line) + 1
    res["lines"] = n
    r = await s.get(U, headers=H, stream=True)
    await r.aclose()
    r = await s.get(U)
    res["plain"] = [r.headers.get("content-encoding"), len(r.content)]
    s.close()
    return res
emit(asyncio.run(main()))
""" % H, heapsize="8m", url=nginx.url("/agz200k.json", tls),
        ca=tls_material.ca_der if tls else None)
    doc = json.loads(gz_doc)
    digest = hashlib.sha256(gz_doc).hexdigest()
    assert out["encoding"] == "gzip"
    for name in ("content", "aread", "aiter_content"):
        assert out[name] == digest, name
    assert same(out["json"], doc["current"])
    assert out["ajson"] == doc["hourly"][100]["dt"]
    assert out["sizes"] == 1000
    assert out["lines"] == len(gz_doc) + 1
    assert out["plain"] == [None, len(gz_doc)]


@pytest.mark.skipif(decompressor() != "stream",
                    reason="a one-shot zlib.decompress decodes the whole body in one call, "
                           "which the event loop waits for (README, Compressed bodies)")
def test_compressed_download_keeps_other_tasks_running(mpy, aio, nginx):
    # 2 MB of random hex: it stays about half its size compressed, so the
    # compressed body takes many receives.
    import os
    data = os.urandom(1024 * 1024).hex().encode()
    (nginx.root / "www" / "ahex.txt").write_bytes(data)
    out = run(mpy, aio, """
async def fetch(s):
    r = await s.get(U, headers={"Accept-Encoding": "gzip"})
    return [r.headers.get("content-encoding"), len(r.content)]
async def main():
    s = requests.AsyncSession(socket)
    (enc, n), took, ticks = await while_ticking(fetch(s))
    return [enc, n, took, ticks]
emit(asyncio.run(main()))
""", heapsize="16m", url=nginx.url("/ahex.txt"))
    enc, n, took, ticks = out
    assert enc == "gzip" and n == len(data)
    # The awaited request reads the compressed body through the event loop:
    # a ticker every 10 ms keeps most of its ticks meanwhile.
    assert ticks >= 0.5 * took / 10 - 2, out


BODY = json.dumps({"k": list(range(2000)), "s": "\u00e9" * 100}).encode()


def deflate_response(data):
    return http_response(200, [("Content-Encoding", "deflate")], data)


@pytest.mark.parametrize("kind", ["zlib", "gzip-as-deflate"])
def test_deflate_bodies_and_keep_alive(mpy, aio, hostile_server, kind):
    data = gzip.compress(BODY) if kind == "gzip-as-deflate" else zlib.compress(BODY)
    srv = hostile_server([[("read",), ("send", deflate_response(data)),
                           ("read",), ("send", deflate_response(data)),
                           ("read",), ("send", deflate_response(data))]])
    out = run(mpy, aio, """
async def main():
    s = requests.AsyncSession(socket)
    H = {"Accept-Encoding": "deflate"}
    r = await s.get(U, headers=H)
    got = [r.content]
    r = await s.get(U, headers=H, stream=True)
    got.append(await r.ajson("k", 1999))
    r = await s.get(U, stream=True)
    got.append(await r.aread())
    return got
emit(asyncio.run(main()))
""", url=srv.url("/d"))
    assert out[0] == BODY
    assert out[1] == 1999
    # Without Accept-Encoding the body is what came.
    assert out[2] == data
    assert srv.connections == 1


@pytest.mark.parametrize("how", ["corrupt", "cut"])
def test_broken_stream_is_a_value_error_and_the_session_goes_on(mpy, aio, hostile_server, how):
    data = zlib.compress(BODY)
    if how == "corrupt":
        data = data[:40] + bytes(b ^ 0x5A for b in data[40:80]) + data[80:]
    else:
        data = data[:len(data) // 2]
    bad = [("read",), ("send", deflate_response(data))]
    good = [("read",), ("send", deflate_response(zlib.compress(b"fine")))]
    if how == "corrupt":
        # ajson's selection meets the garbage the damage decodes to while
        # the body streams: it closes that connection (SPEC §6), as json(*path)
        # does, and the last request comes on a new one.
        srv = hostile_server([bad * 3, good])
    else:
        srv = hostile_server([bad * 3 + good])
    out = run(mpy, aio, """
async def main():
    s = requests.AsyncSession(socket)
    H = {"Accept-Encoding": "deflate"}
    # The awaited request reads and decodes the body: it raises there.
    got = [(await caught(s.get(U, headers=H)))[:2]]
    r = await s.get(U, headers=H, stream=True)
    got.append((await caught(r.aread()))[:2])
    r = await s.get(U, headers=H, stream=True)
    got.append((await caught(r.ajson("k", 3)))[:2])
    r = await s.get(U, headers=H)
    got.append(r.content)
    return got
emit(asyncio.run(main()))
""", url=srv.url("/bad"))
    assert out == [["err", "ValueError"]] * 3 + [b"fine"]
    # The decoder met the end of bodies HTTP framed whole (the compressed
    # data inside was broken): the connection serves the next request.
    assert srv.connections == (2 if how == "corrupt" else 1)


@pytest.mark.parametrize("stream", [False, True], ids=["awaited", "aread"])
def test_cancel_while_a_compressed_body_arrives(mpy, aio, hostile_server, stream):
    data = gzip.compress(BODY)
    head = b"HTTP/1.1 200 OK\r\nContent-Encoding: gzip\r\nContent-Length: %d\r\n\r\n" % len(data)
    victim = hostile_server([[("read",), ("send", head + data[:100]), ("hold", 10)]])
    good = hostile_server([[("read",), ("send", ok_response())] * 4])
    out = run(mpy, aio, CANCEL, url=victim.url("/gz"), good=good.url("/g"), stream=stream,
              headers={"Accept-Encoding": "gzip"})
    warm, res, took, leaked, again = out
    assert warm == b"good" and again == b"good"
    assert res == ["err", "CancelledError"], out
    # cancelled at once, not after the 30 s timeout
    assert took < SLACK_MS, out
    assert leaked == 0, out
