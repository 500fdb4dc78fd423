# Posts form fields (percent-encoded as CPython requests does) with query
# parameters (params=) and HTTP Basic auth (auth=); the demo server's /echo
# answers with what it received.
#
#   micropython examples/form_post.py http://127.0.0.1:8080
import os
import socket
import sys

import adafruit_requests

BASE = (sys.argv[1] if len(sys.argv) > 1 else os.getenv("DEMO_URL") or "http://127.0.0.1:8080").rstrip("/")

session = adafruit_requests.Session(socket)
with session.post(BASE + "/echo", params={"source": "board"}, auth=("device", "secret"),
                  data={"sensor": "temp & humidity", "value": 21.5}) as response:
    print(response.status_code, response.reason)
    echo = response.json()
print("body:", echo["body"])
print("content type:", echo["content_type"])
print("query:", echo["query"])
print("authorization:", echo["authorization"])
session.close()
