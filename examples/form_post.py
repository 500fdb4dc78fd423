# Posts form fields (percent-encoded like CPython requests) with query
# parameters and HTTP Basic auth.
#
#   micropython examples/form_post.py http://127.0.0.1:8080/echo
import socket
import sys

import adafruit_requests

session = adafruit_requests.Session(socket)
with session.post(sys.argv[1], params={"source": "board"}, auth=("device", "secret"),
                  data={"sensor": "temp & humidity", "value": 21.5}) as response:
    print(response.status_code, response.reason)
    print(response.text)
