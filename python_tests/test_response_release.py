"""SPEC §6: nothing a closed or finished response held -- its socket, its
buffers, its compressed body's decoder (a 32 KiB DeflateIO window) -- stays
reachable once it is closed or read to the end, for both Session kinds,
while the caller still holds the Response. Measured with gc.mem_alloc()
after gc.collect()."""

import gzip
import json

import pytest

from firmware_caps import decompressor
from hostile_kit import hostile_server  # noqa: F401
from servers import http_response
from test_async import CP_ASYNCIO, aio  # noqa: F401

pytestmark = [
    pytest.mark.native_only,
    pytest.mark.skipif(decompressor() != "stream",
                       reason="firmware without a streaming decompressor (deflate.DeflateIO)"),
]

DATA = json.dumps({"k": list(range(20_000)), "want": "yes"}).encode()
GZ = gzip.compress(DATA)
H = {"Accept-Encoding": "gzip"}


@pytest.fixture
def gz_server(hostile_server):
    resp = http_response(200, [("Content-Encoding", "gzip")], GZ)
    return hostile_server([[("read",), ("send", resp)] * 20])


# Each step: the heap in use with `r` referenced, after the decoder started
# (one chunk read), then after close() or after reading to the end.
BLOCKING = """
import gc, socket, adafruit_requests
s = adafruit_requests.Session(socket)
H = P["headers"]
def used():
    gc.collect()
    return gc.mem_alloc()
out = {}
r = s.get(P["url"], headers=H, stream=True)
next(r.iter_content(100))
a = used()
r.close()
out["closed"] = a - used()
r = s.get(P["url"], headers=H, stream=True)
for c in r.iter_content(4096):
    pass
out["finished"] = used()
r = s.get(P["url"], headers=H, stream=True)
out["value"] = r.json("want")
out["selected"] = used()
emit(out)
"""


def test_blocking_session_lets_the_decoder_go(mpy, gz_server):
    out = mpy.run(BLOCKING, params={"url": gz_server.url("/gz"), "headers": H},
                  heapsize="1m", import_requests=False).one
    # Closing while the decoder holds its window gives the window back.
    assert out["closed"] >= 30_000, out
    assert out["value"] == "yes"
    # Read to the end (iter_content, json(path)), with `r` in a variable:
    # no window left behind.
    assert out["finished"] < 20_000, out
    assert out["selected"] < 20_000, out


ASYNC = """
import sys
if P["aio"] == "circuitpython":
    sys.path.insert(0, P["cp_path"])
import asyncio, gc, socket
import adafruit_requests as requests
H = P["headers"]
def used():
    gc.collect()
    return gc.mem_alloc()
async def main():
    s = requests.AsyncSession(socket)
    out = {}
    r = await s.get(P["url"], headers=H, stream=True)
    async for c in r.aiter_content(100):
        break
    a = used()
    await r.aclose()
    out["closed"] = a - used()
    base = used()
    r = await s.get(P["url"], headers=H, stream=True)
    out["value"] = await r.ajson("want")
    out["selected"] = used() - base
    r2 = await s.get(P["url"], headers=H)
    out["whole"] = used() - base - len(r2.content)
    s.close()
    return out
emit(asyncio.run(main()))
"""


def test_async_session_lets_the_decoder_go(mpy, aio, gz_server):
    out = mpy.run(ASYNC, params={"url": gz_server.url("/gz"), "headers": H, "aio": aio,
                                 "cp_path": str(CP_ASYNCIO)},
                  heapsize="1m", import_requests=False).one
    assert out["closed"] >= 30_000, out
    assert out["value"] == "yes"
    # Finished responses still referenced (`r`, `r2`): no window each.
    assert out["selected"] < 10_000, out
    assert out["whole"] < 10_000, out
