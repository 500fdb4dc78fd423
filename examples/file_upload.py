# Uploads a file as multipart/form-data; the file is streamed from flash in
# buffer-sized pieces, never read whole into RAM.
#
#   micropython examples/file_upload.py http://127.0.0.1:8080/echo path/to/file
import socket
import sys

import adafruit_requests

session = adafruit_requests.Session(socket)
with open(sys.argv[2], "rb") as f:
    files = {"upload": (sys.argv[2].split("/")[-1], f, "application/octet-stream"),
             "note": (None, "sent from a board")}
    with session.post(sys.argv[1], files=files) as response:
        print(response.status_code, response.text)
