# Streams a large download to a file through one preallocated buffer.
#
#   micropython examples/download_to_file.py http://127.0.0.1:8080/blob out.bin
import socket
import sys

import adafruit_requests

session = adafruit_requests.Session(socket)
buf = bytearray(4096)
written = 0
with session.get(sys.argv[1], stream=True) as response, open(sys.argv[2], "wb") as out:
    response.raise_for_status()
    while True:
        n = response.readinto(buf)
        if not n:
            break
        out.write(memoryview(buf)[:n])
        written += n
print("wrote", written, "bytes to", sys.argv[2])
