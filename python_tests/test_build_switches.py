"""The firmware with every build-time switch off (`make firmware-minimal`,
cmodule/rq_config.h): plain requests still work, and each part left out
says so with a clear exception rather than misbehaving."""

import gzip
import os
import pathlib

import pytest

from firmware_caps import on_circuitpython
from hostile_kit import hostile_server, ok_response  # noqa: F401
from mpyrun import MpyRunner
from servers import http_response

pytestmark = pytest.mark.native_only

MINIMAL = pathlib.Path(__file__).resolve().parent.parent / "build" / "micropython-minimal"


@pytest.fixture
def minimal(mpy_paths):
    if on_circuitpython():
        # The minimal build is a MicroPython unix firmware whatever firmware
        # the rest of the run tests; `make test` runs these.
        pytest.skip("the switches are checked on MicroPython's minimal build (make test)")
    path = os.environ.get("MICROPYTHON_MINIMAL", str(MINIMAL))
    if not os.path.exists(path):
        pytest.fail("no minimal firmware at %s: run `make firmware-minimal`" % path,
                    pytrace=False)
    return MpyRunner(path, mpy_paths)


SCRIPT = """
import socket
import adafruit_requests as requests
s = requests.Session(socket)
"""


def run(minimal, script, **params):
    return minimal.run(SCRIPT + script, params=params, import_requests=False).one


def test_what_is_left_in_and_what_is_left_out(minimal):
    out = run(minimal, """
names = sorted(n for n in dir(requests) if not n.startswith("_"))
emit([names, [hasattr(requests.Response, a) for a in
              ("iter_lines", "iter_json", "aread", "aiter_content", "json", "iter_content")]])
""")
    assert out[0] == ["OutOfRetries", "Response", "Session"]
    assert out[1] == [False, False, False, False, True, True]


def test_plain_requests_still_work(minimal, hostile_server):
    body = b'{"a": [1, 2], "b": "x"}'
    srv = hostile_server([[("read",), ("send", ok_response(body))] * 3])
    out = run(minimal, """
r = s.get(P["url"])
first = [r.status_code, r.json()]
r = s.post(P["url"], data=b"payload")
pieces = [c for c in r.iter_content(8)]
r = s.get(P["url"], stream=True)
emit([first, pieces, r.content])
""", url=srv.url("/j"))
    assert out[0] == [200, {"a": [1, 2], "b": "x"}]
    assert b"".join(out[1]) == body
    assert out[2] == body
    assert srv.connections == 1


def test_parts_left_out_raise_clearly(minimal, hostile_server):
    srv = hostile_server([[("read",), ("send", ok_response(b'{"a": 1}'))] * 4])
    out = run(minimal, """
res = []
res.append(attempt(lambda: s.post(P["url"], files={"f": ("a.txt", b"x")})))
r = s.get(P["url"])
res.append(attempt(lambda: r.json("a")))
r = s.get(P["url"], stream=True)
res.append(attempt(lambda: r.iter_content(4, decode_unicode=True)))
r.close()
emit(res)
""", url=srv.url("/j"))
    assert out[0][:2] == ["err", "NotImplementedError"] and "RQ_ENABLE_MULTIPART" in out[0][2]
    assert out[1][:2] == ["err", "NotImplementedError"] and "RQ_ENABLE_JSON_SELECT" in out[1][2]
    assert out[2][:2] == ["err", "NotImplementedError"] and "RQ_ENABLE_ITER_LINES" in out[2][2]
    # The multipart refusal came before anything was sent.
    assert [r.method for r in srv.requests] == ["GET", "GET"]


def test_compressed_bodies_are_handed_out_as_they_came(minimal, hostile_server):
    packed = gzip.compress(b"hello " * 50)
    srv = hostile_server([[("read",), ("send", http_response(
        200, {"Content-Encoding": "gzip"}, packed))]])
    out = run(minimal, """
r = s.get(P["url"], headers={"Accept-Encoding": "gzip"})
emit(r.content)
""", url=srv.url("/z"))
    assert out == packed
