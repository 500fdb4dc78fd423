# Fetches JSON, posts a form and JSON, and streams a download with the
# native adafruit_requests, using the firmware's own sockets.
#
#   micropython examples/demo.py http://127.0.0.1:8080/
import socket
import sys

import adafruit_requests

base = sys.argv[1].rstrip("/") if len(sys.argv) > 1 else "http://127.0.0.1:8080"
session = adafruit_requests.Session(socket)

with session.get(base + "/json") as r:
    print("GET /json ->", r.status_code, r.headers["content-type"])
    data = r.json()
    print("  station:", data["station"], "readings:", data["readings"])

with session.post(base + "/echo", data={"name": "board 1", "temp": 21.5}) as r:
    print("POST form ->", r.status_code, r.json()["body"])

with session.post(base + "/echo", json={"led": True, "level": 3}) as r:
    print("POST json ->", r.status_code, r.json()["body"])

total = 0
buf = bytearray(1024)
with session.get(base + "/blob") as r:
    while True:
        n = r.readinto(buf)
        if n == 0:
            break
        total += n
print("GET /blob streamed", total, "bytes with one reused buffer")
print("adafruit_requests", adafruit_requests.__version__, "done")
