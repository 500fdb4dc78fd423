"""A blocking reader that ends in an error closes its connection at once.

Every body reader (content, text, json(), json(*path), iter_json,
iter_content, iter_lines, readinto) over a body that stalls past the read
timeout, is reset, or has broken chunk framing: the call raises, the socket
is closed before the caller does anything else (descriptors counted in
/proc/self/fd), a later read raises RuntimeError saying a read of the body
failed, and the same Session then works. The async readers have the same
rule in test_ownership.py."""

import pytest

from servers import http_response

pytestmark = pytest.mark.native_only

READERS = {
    "content": "r.content",
    "text": "r.text",
    "json": "r.json()",
    "json_path": "r.json('a', 0)",
    "iter_json": "list(r.iter_json('a', None))",
    "iter_content": "list(r.iter_content(8))",
    "iter_lines": "list(r.iter_lines())",
    "readinto": "[r.readinto(buf) for _ in range(100)]",
}

PART = b'{"a": [1, 2, 3, 4, 5, 6, 7, 8,\n 9, 10, '
HEAD_LEN = b"HTTP/1.1 200 OK\r\nContent-Type: application/json\r\nContent-Length: 4000\r\n\r\n"
HEAD_CHUNKED = (b"HTTP/1.1 200 OK\r\nContent-Type: application/json\r\n"
                b"Transfer-Encoding: chunked\r\n\r\n")
FAULTS = {
    "stall": [("read",), ("send", HEAD_LEN + PART), ("sleep", 3)],
    "reset": [("read",), ("send", HEAD_LEN + PART), ("sleep", 0.2), ("reset",)],
    "bad_chunk": [("read",), ("send", HEAD_CHUNKED + b"%x\r\n" % len(PART) + PART
                              + b"\r\nzz\r\n"), ("sleep", 3)],
}

SCRIPT = """
import relykit, time
requests = load_requests()
s, pool = relykit.session(requests, P["kind"])
buf = bytearray(16)
warm = s.get(P["good"])
warm.content
warm.close()
base = relykit.fds()
r = s.get(P["url"], timeout=0.5, stream=True)
t0 = time.ticks_ms()
try:
    {reader}
    outcome = ["no error"]
except Exception as e:
    outcome = [type(e).__name__, str(e)]
open_after = relykit.fds() - base
try:
    r.content
    later = "no error"
except RuntimeError as e:
    later = str(e)
except Exception as e:
    later = type(e).__name__ + ": " + str(e)
good = s.get(P["good"])
emit({{"outcome": outcome, "open_after": open_after, "later": later,
      "good": good.content, "ms": time.ticks_diff(time.ticks_ms(), t0)}})
"""


@pytest.mark.parametrize("fault", sorted(FAULTS))
@pytest.mark.parametrize("reader", sorted(READERS))
def test_reader_error_closes_the_connection_at_once(mpy, impl, scripted_server,
                                                   recording_server, reader, fault):
    srv = scripted_server([FAULTS[fault]])
    good = recording_server(http_response(200, body=b"fine"))
    out = mpy.run(SCRIPT.format(reader=READERS[reader]),
                  params={"kind": "python", "url": srv.url("/b"), "good": good.url("/g")}).one
    text = repr(out)
    assert out["outcome"][0] not in ("no error", "RuntimeError"), text
    assert out["open_after"] <= 0, text
    assert "read of its body failed" in out["later"], text
    assert out["good"] == b"fine", text
