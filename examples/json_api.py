# Reads a JSON API and prints its fields; json() parses straight from the
# socket, so a large document never needs its text in RAM. raise_for_status()
# turns a 4xx/5xx answer into an OSError naming it; timeout=(connect, read).
#
#   micropython examples/json_api.py http://127.0.0.1:8080
import os
import socket
import sys

import adafruit_requests

BASE = (sys.argv[1] if len(sys.argv) > 1 else os.getenv("DEMO_URL") or "http://127.0.0.1:8080").rstrip("/")

session = adafruit_requests.Session(socket)
with session.get(BASE + "/json", timeout=(5, 10)) as response:
    response.raise_for_status()
    doc = response.json()
for key in sorted(doc):
    print(key, "=", doc[key])
try:
    session.get(BASE + "/missing").raise_for_status()
except OSError as e:
    print("raise_for_status:", e)
session.close()
