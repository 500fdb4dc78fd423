"""Stands in for the json module inside the reference when it runs on
MicroPython.

The reference's Response.json() calls json.load(_RawResponse). CircuitPython's
json.load accepts any object with readinto and pulls the body through it in
64-byte chunks; MicroPython's json.load only takes native streams and reads
one byte per call. This module keeps the reference's read pattern (64-byte
readinto calls through its own Python code) and parses with the firmware's
json.loads. Unlike CircuitPython it holds the whole body before parsing,
which bench/README.md notes next to the numbers.
"""

import json

dumps = json.dumps
loads = json.loads

_CHUNK = 64


def load(raw):
    size = int(raw._response.headers["content-length"])
    body = bytearray(size)
    view = memoryview(body)
    pos = 0
    while pos < size:
        n = raw.readinto(view[pos : pos + _CHUNK])
        if not n:
            raise ValueError("body ended early")
        pos += n
    view = None
    return json.loads(body)
