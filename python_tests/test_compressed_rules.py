"""SPEC §10's rules on compressed bodies, for Session and AsyncSession: a
response without a body has none whatever Content-Encoding says; a body
framed by the connection closing decodes for every reader; every gzip member
is decoded, and every check the format carries (CRC-32, ISIZE, the header
CRC, Adler-32, nothing but members after a member) is made, a mismatch
raising ValueError; Content-Encoding over several lines is one list, decoded
or refused, never half decoded."""

import gzip
import struct
import zlib

import pytest

from firmware_caps import decompressor
from helpers import canned
from servers import http_response
from test_async import aio, run as run_async  # noqa: F401

pytestmark = [
    pytest.mark.native_only,
    pytest.mark.skipif(decompressor() != "stream",
                       reason="needs deflate.DeflateIO (the streaming decompressor)"),
]

H = {"Accept-Encoding": "gzip, deflate"}

# Every reader of a blocking response, each on a fresh request; a reader's
# error is recorded as ["err", name].
READERS = """
import socket
import adafruit_requests as requests
s = requests.Session(socket)
H = P["H"]
def one(how):
    r = s.request(P.get("method", "GET"), P["url"], headers=H, stream=True)
    if how == "content":
        return r.content
    if how == "text":
        return r.text
    if how == "iter_content":
        return b"".join(r.iter_content(7))
    if how == "decode_unicode":
        return "".join(r.iter_content(5, decode_unicode=True))
    if how == "iter_lines":
        return list(r.iter_lines())
    if how == "readinto":
        out = b""
        buf = bytearray(3)
        while True:
            n = r.readinto(buf)
            if not n:
                return out
            out += bytes(buf[:n])
    if how == "json":
        return r.json()
    if how.startswith("json:"):
        return r.json(how[5:])
out = {}
for how in P["readers"]:
    try:
        out[how] = one(how)
    except Exception as e:
        out[how] = ["err", type(e).__name__]
emit(out)
"""

ASYNC_READERS = """
async def main():
    s = requests.AsyncSession(socket)
    H = P["H"]
    out = {}
    for how in P["readers"]:
        try:
            r = await s.request(P.get("method", "GET"), U, headers=H, stream=True)
            if how == "aread":
                v = await r.aread()
            elif how == "ajson":
                v = await r.ajson()
            elif how == "aiter_content":
                v = b""
                async for c in r.aiter_content(7):
                    v += c
            elif how == "aiter_lines":
                v = []
                async for x in r.aiter_lines():
                    v.append(x)
            elif how == "text":
                await r.aread()
                v = r.text
            out[how] = v
        except Exception as e:
            out[how] = ["err", type(e).__name__]
    s.close()
    return out
emit(asyncio.run(main()))
"""

BYTE_READERS = ["content", "iter_content", "readinto"]
ASYNC_BYTE_READERS = ["aread", "aiter_content"]


def blocking(mpy, srv, readers, method="GET", headers=H):
    return mpy.run(READERS, params={"url": srv.url("/z"), "H": headers, "readers": readers,
                                    "method": method}, import_requests=False).one


def in_async(mpy, aio, srv, readers, method="GET", headers=H):
    return run_async(mpy, aio, ASYNC_READERS, url=srv.url("/z"), H=headers, readers=readers,
                     method=method)


def chunked(data, size=5):
    return b"".join(b"%x\r\n%s\r\n" % (len(data[i:i + size]), data[i:i + size])
                    for i in range(0, len(data), size)) + b"0\r\n\r\n"


def framed(framing, data, headers=(("Content-Encoding", "gzip"),)):
    """A response carrying ``data`` with the given framing."""
    headers = list(headers)
    if framing == "length":
        return http_response(200, headers, data), False
    if framing == "chunked":
        return http_response(200, headers + [("Transfer-Encoding", "chunked")], chunked(data)), False
    # read-to-close: no length; the server closes after the body
    head = "HTTP/1.1 200 OK\r\nConnection: close\r\n" + "".join(
        "%s: %s\r\n" % kv for kv in headers) + "\r\n"
    return head.encode() + data, True


# ---- 5: no body, whatever Content-Encoding says ----

BODILESS = {
    "HEAD": ("HEAD", b"HTTP/1.1 200 OK\r\nContent-Encoding: gzip\r\nContent-Length: 1234\r\n\r\n"),
    "204": ("GET", b"HTTP/1.1 204 No Content\r\nContent-Encoding: gzip\r\n\r\n"),
    "304": ("GET", b"HTTP/1.1 304 Not Modified\r\nContent-Encoding: gzip\r\nContent-Length: 99\r\n\r\n"),
    "length-0": ("GET", b"HTTP/1.1 200 OK\r\nContent-Encoding: gzip\r\nContent-Length: 0\r\n\r\n"),
    "empty-chunked": ("GET", b"HTTP/1.1 200 OK\r\nContent-Encoding: gzip\r\n"
                             b"Transfer-Encoding: chunked\r\n\r\n0\r\n\r\n"),
    "empty-to-close": ("GET", b"HTTP/1.1 200 OK\r\nContent-Encoding: deflate\r\nConnection: close\r\n\r\n"),
}


@pytest.mark.parametrize("case", list(BODILESS))
def test_a_response_without_a_body_has_none(mpy, scripted_server, case):
    method, raw = BODILESS[case]
    srv = canned(scripted_server, raw, close=True)
    out = blocking(mpy, srv, ["content", "text", "iter_content", "iter_lines", "readinto"], method)
    assert out == {"content": b"", "text": "", "iter_content": b"", "iter_lines": [],
                   "readinto": b""}


@pytest.mark.parametrize("case", list(BODILESS))
def test_a_response_without_a_body_has_none_async(mpy, aio, scripted_server, case):
    method, raw = BODILESS[case]
    srv = canned(scripted_server, raw, close=True)
    out = in_async(mpy, aio, srv, ["aread", "text", "aiter_content", "aiter_lines"], method)
    assert out == {"aread": b"", "text": "", "aiter_content": b"", "aiter_lines": []}


# ---- 6: read-to-close compressed bodies, every reader ----

TEXT = "line one\nline two é\r\nlast line, no newline"


@pytest.mark.parametrize("version", ["HTTP/1.1 close", "HTTP/1.0"])
def test_read_to_close_compressed_body_in_every_reader(mpy, scripted_server, version):
    data = gzip.compress(TEXT.encode())
    if version == "HTTP/1.0":
        raw = b"HTTP/1.0 200 OK\r\nContent-Encoding: gzip\r\n\r\n" + data
    else:
        raw, _ = framed("close", data)
    srv = canned(scripted_server, raw, close=True)
    out = blocking(mpy, srv, ["content", "text", "iter_content", "decode_unicode", "iter_lines",
                              "readinto"])
    assert out == {"content": TEXT.encode(), "text": TEXT, "iter_content": TEXT.encode(),
                   "decode_unicode": TEXT, "readinto": TEXT.encode(),
                   "iter_lines": [b"line one", "line two é".encode(), b"last line, no newline"]}


def test_read_to_close_compressed_body_in_every_async_reader(mpy, aio, scripted_server):
    raw, _ = framed("close", gzip.compress(TEXT.encode()))
    srv = canned(scripted_server, raw, close=True)
    out = in_async(mpy, aio, srv, ["aread", "text", "aiter_content", "aiter_lines"])
    assert out == {"aread": TEXT.encode(), "text": TEXT, "aiter_content": TEXT.encode(),
                   "aiter_lines": [b"line one", "line two é".encode(), b"last line, no newline"]}


# ---- 7: every member, every check ----

def member(data, flags=0, name=b"", hcrc_ok=True, isize=None, crc=None):
    """A gzip member written out field by field (so each check can be broken)."""
    head = b"\x1f\x8b\x08" + bytes([flags]) + b"\0\0\0\0\0\x03"
    if flags & 0x08:
        head += name + b"\0"
    if flags & 0x02:
        c = zlib.crc32(head) & 0xFFFF
        head += struct.pack("<H", c if hcrc_ok else c ^ 1)
    body = zlib.compressobj(6, zlib.DEFLATED, -15)
    deflated = body.compress(data) + body.flush()
    trailer = struct.pack("<II", zlib.crc32(data) if crc is None else crc,
                          len(data) if isize is None else isize)
    return head + deflated + trailer


DOC = b'{"a": [1, 2, 3], "b": "' + b"x" * 3000 + b'", "c": {"d": true}}'
MULTI = gzip.compress(DOC[:40]) + member(DOC[40:2000], flags=0x0A, name=b"part2") + gzip.compress(DOC[2000:])


@pytest.mark.parametrize("framing", ["length", "chunked", "close"])
def test_every_gzip_member_is_decoded(mpy, scripted_server, framing):
    raw, close = framed(framing, MULTI)
    srv = canned(scripted_server, raw, close=True)
    out = blocking(mpy, srv, BYTE_READERS + ["json", "json:c", "iter_lines"])
    for how in BYTE_READERS:
        assert out[how] == DOC, how
    assert out["json"]["c"] == {"d": True} and out["json"]["a"] == [1, 2, 3]
    assert out["json:c"] == {"d": True}
    assert out["iter_lines"] == [DOC]


@pytest.mark.parametrize("framing", ["length", "close"])
def test_every_gzip_member_is_decoded_async(mpy, aio, scripted_server, framing):
    raw, close = framed(framing, gzip.compress(b"first-") + gzip.compress(b"second"))
    srv = canned(scripted_server, raw, close=True)
    out = in_async(mpy, aio, srv, ASYNC_BYTE_READERS)
    assert out == {"aread": b"first-second", "aiter_content": b"first-second"}


BROKEN = {
    "isize": member(b"first-", isize=7) + gzip.compress(b"second"),
    "isize-last": gzip.compress(b"first-") + member(b"second", isize=5),
    "crc32-second": gzip.compress(b"first-") + member(b"second", crc=1),
    "header-crc": member(b"first-", flags=0x02, hcrc_ok=False),
    "trailing-garbage": gzip.compress(b"first-") + b"\0\0garbage",
    "second-cut": gzip.compress(b"first-") + gzip.compress(b"second")[:15],
    "second-header-cut": gzip.compress(b"first-") + b"\x1f\x8b\x08",
    "reserved-flag": member(b"first-", flags=0x20),
}


@pytest.mark.parametrize("framing", ["length", "chunked", "close"])
@pytest.mark.parametrize("case", list(BROKEN))
def test_every_check_the_format_carries_is_made(mpy, scripted_server, case, framing):
    raw, close = framed(framing, BROKEN[case])
    srv = canned(scripted_server, raw, close=True)
    out = blocking(mpy, srv, BYTE_READERS + ["text", "iter_lines", "decode_unicode"])
    assert all(v == ["err", "ValueError"] for v in out.values()), out


@pytest.mark.parametrize("case", ["isize", "header-crc", "trailing-garbage", "second-cut"])
def test_every_check_the_format_carries_is_made_async(mpy, aio, scripted_server, case):
    raw, close = framed("length", BROKEN[case])
    srv = canned(scripted_server, raw, close=True)
    out = in_async(mpy, aio, srv, ASYNC_BYTE_READERS + ["aiter_lines"])
    assert all(v == ["err", "ValueError"] for v in out.values()), out


@pytest.mark.parametrize("case", ["adler32", "trailing"])
def test_zlib_stream_checks(mpy, scripted_server, case):
    z = zlib.compress(b"hello deflate")
    data = z[:-1] + bytes([z[-1] ^ 1]) if case == "adler32" else z + b"x"
    raw, close = framed("length", data, headers=[("Content-Encoding", "deflate")])
    srv = canned(scripted_server, raw, close=True)
    out = blocking(mpy, srv, BYTE_READERS)
    assert all(v == ["err", "ValueError"] for v in out.values()), out


# ---- 9: Content-Encoding over several lines is one list ----

def two_lines(first, second, data):
    return http_response(200, [("Content-Encoding", first), ("Content-Encoding", second)], data)


def test_content_encoding_on_two_lines_is_refused_not_half_decoded(mpy, scripted_server):
    data = zlib.compress(gzip.compress(b"payload"))   # gzip, then deflate
    srv = canned(scripted_server, two_lines("gzip", "deflate", data), close=True)
    out = blocking(mpy, srv, BYTE_READERS + ["text", "iter_lines", "json"])
    assert all(v == ["err", "ValueError"] for v in out.values()), out


def test_content_encoding_on_two_lines_is_refused_async(mpy, aio, scripted_server):
    data = zlib.compress(gzip.compress(b"payload"))
    srv = canned(scripted_server, two_lines("gzip", "deflate", data), close=True)
    out = in_async(mpy, aio, srv, ASYNC_BYTE_READERS + ["aiter_lines"])
    assert all(v == ["err", "ValueError"] for v in out.values()), out


def test_content_encoding_list_with_identity_decodes(mpy, scripted_server):
    srv = canned(scripted_server, two_lines("identity", "GZIP", gzip.compress(b"payload")), close=True)
    out = blocking(mpy, srv, BYTE_READERS)
    assert out == {k: b"payload" for k in BYTE_READERS}
