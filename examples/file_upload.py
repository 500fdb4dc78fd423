# Uploads a file as multipart/form-data with a plain form field beside it.
# The file is streamed from flash in buffer-sized pieces, never read whole
# into RAM; the demo server's /upload answers with each part's size and
# SHA-256, which the script compares with the file's own.
#
#   micropython examples/file_upload.py http://127.0.0.1:8080 [path/to/file]
# (without a path it uploads itself)
import hashlib
import os
import socket
import sys

import adafruit_requests
import binascii

BASE = (sys.argv[1] if len(sys.argv) > 1 else os.getenv("DEMO_URL") or "http://127.0.0.1:8080").rstrip("/")
PATH = sys.argv[2] if len(sys.argv) > 2 else __file__

digest = hashlib.sha256()
size = 0
with open(PATH, "rb") as f:
    while True:
        piece = f.read(512)
        if not piece:
            break
        digest.update(piece)
        size += len(piece)
local = binascii.hexlify(digest.digest()).decode()

session = adafruit_requests.Session(socket)
with open(PATH, "rb") as f:
    files = {"upload": (PATH.split("/")[-1], f, "application/octet-stream"),
             "note": (None, "sent from a board")}
    with session.post(BASE + "/upload", files=files) as response:
        print("POST /upload ->", response.status_code)
        parts = response.json()["parts"]
for part in parts:
    print("part %s: filename %s, %d bytes, sha256 %s..." % (part["name"], part["filename"], part["size"], part["sha256"][:16]))
upload = parts[0]
print("uploaded %d bytes, sha256 %s" % (size, "matches" if upload["sha256"] == local and upload["size"] == size else "DIFFERS"))
session.close()
