# Reads a JSON API and prints a few fields; json() parses straight from the
# socket, so large documents do not need their text in RAM.
#
#   micropython examples/json_api.py http://127.0.0.1:8080/json
import socket
import sys

import adafruit_requests

session = adafruit_requests.Session(socket)
with session.get(sys.argv[1], timeout=(5, 10)) as response:
    response.raise_for_status()
    doc = response.json()
for key in sorted(doc):
    print(key, "=", doc[key])
