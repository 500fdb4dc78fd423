"""SPEC §9: json() of the whole document accepts exactly what the selector's
strict tokenizer accepts (RFC 8259). A document cut at the top level or
malformed raises ValueError, never a partial value, for Content-Length,
chunked and read-to-close bodies, small (read whole) and big (parsed while
read), on Session and AsyncSession."""

import json

import pytest

from helpers import canned
from servers import http_response
from test_async import aio, run as run_async  # noqa: F401

pytestmark = pytest.mark.native_only

BIG = b"[" + b", ".join(b'{"n": %d}' % i for i in range(3000)) + b"]"   # > 16 KiB: streamed
CUT = {
    "list": b"[1, 2, 3",
    "dict": b'{"a": 1, "b": 2',
    "value": b'{"a": ',
    "key": b'{"a',
    "big": BIG[:-1],
    "big-mid": BIG[:len(BIG) // 2],
}
MALFORMED = {
    "trailing-comma": b"[1, 2,]",
    "bad-literal": b"[tru]",
    "two-values": b"[1] [2]",
    "big-bad": BIG[:-30] + b"x" + BIG[-29:],
}
GOOD = {
    "small": (b' {"a": [1, 2.5, "x\\u00e9"], "b": null} \r\n', {"a": [1, 2.5, "x\u00e9"], "b": None}),
    "big": (BIG + b"\n", json.loads(BIG)),
}


def framed(framing, data):
    if framing == "length":
        return http_response(200, [("Content-Type", "application/json")], data)
    if framing == "chunked":
        body = b"".join(b"%x\r\n%s\r\n" % (len(data[i:i + 700]), data[i:i + 700])
                        for i in range(0, len(data), 700)) + b"0\r\n\r\n"
        return http_response(200, [("Transfer-Encoding", "chunked")], body)
    return b"HTTP/1.1 200 OK\r\nConnection: close\r\n\r\n" + data


SCRIPT = """
import socket
import adafruit_requests as requests
s = requests.Session(socket)
out = []
for stream in (False, True):
    try:
        v = s.get(P["url"], stream=stream).json()
        out.append(["ok", v if P["show"] else None])
    except Exception as e:
        out.append(["err", type(e).__name__])
emit(out)
"""

ASYNC_SCRIPT = """
async def main():
    s = requests.AsyncSession(socket)
    out = []
    for stream in (False, True):
        try:
            r = await s.get(U, stream=stream)
            v = await r.ajson()
            out.append(["ok", v if P["show"] else None])
        except Exception as e:
            out.append(["err", type(e).__name__])
    return out
emit(asyncio.run(main()))
"""


@pytest.mark.parametrize("framing", ["length", "chunked", "close"])
@pytest.mark.parametrize("doc", list(CUT) + list(MALFORMED))
def test_cut_or_malformed_document_is_a_value_error(mpy, scripted_server, framing, doc):
    data = CUT.get(doc) or MALFORMED[doc]
    srv = canned(scripted_server, framed(framing, data), close=True)
    out = mpy.run(SCRIPT, params={"url": srv.url("/j"), "show": False}, import_requests=False).one
    assert out == [["err", "ValueError"]] * 2


@pytest.mark.parametrize("framing", ["length", "close"])
@pytest.mark.parametrize("doc", ["list", "value", "big"])
def test_cut_document_is_a_value_error_async(mpy, aio, scripted_server, framing, doc):
    srv = canned(scripted_server, framed(framing, CUT[doc]), close=True)
    out = run_async(mpy, aio, ASYNC_SCRIPT, url=srv.url("/j"), show=False)
    assert out == [["err", "ValueError"]] * 2


@pytest.mark.parametrize("framing", ["length", "chunked", "close"])
@pytest.mark.parametrize("doc", list(GOOD))
def test_whole_documents_still_parse(mpy, scripted_server, framing, doc):
    data, want = GOOD[doc]
    srv = canned(scripted_server, framed(framing, data), close=True)
    out = mpy.run(SCRIPT, params={"url": srv.url("/j"), "show": True}, import_requests=False).one
    assert out == [["ok", want]] * 2
