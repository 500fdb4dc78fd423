#!/usr/bin/env python3
"""Runs examples/demo.py on the firmware against a throwaway local server.

The server (loopback only, a free port) answers the routes the demo uses:
GET /json, POST /echo (echoes the request body and headers as JSON) and
GET /blob (64 KiB, chunked).

Usage: scripts/run_demo.py [firmware] [demo.py]
"""

import http.server
import json
import os
import pathlib
import subprocess
import sys
import threading

ROOT = pathlib.Path(__file__).resolve().parent.parent
DOC = json.dumps({"station": "greenhouse", "readings": [21.5, 21.7, 22.0],
                  "unit": "C", "ok": True}).encode()
BLOB = bytes(range(256)) * 256


class Handler(http.server.BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"

    def _send(self, status, ctype, body, chunked=False):
        self.send_response(status)
        self.send_header("Content-Type", ctype)
        if chunked:
            self.send_header("Transfer-Encoding", "chunked")
            self.end_headers()
            for i in range(0, len(body), 5000):
                piece = body[i:i + 5000]
                self.wfile.write(b"%x\r\n%s\r\n" % (len(piece), piece))
            self.wfile.write(b"0\r\n\r\n")
        else:
            self.send_header("Content-Length", str(len(body)))
            self.end_headers()
            self.wfile.write(body)

    def do_GET(self):
        if self.path == "/json":
            self._send(200, "application/json", DOC)
        elif self.path == "/blob":
            self._send(200, "application/octet-stream", BLOB, chunked=True)
        else:
            self._send(404, "text/plain", b"not found")

    def do_POST(self):
        length = int(self.headers.get("Content-Length", "0"))
        body = self.rfile.read(length).decode("utf-8", "replace")
        echo = {"body": body, "content_type": self.headers.get("Content-Type"),
                "user_agent": self.headers.get("User-Agent")}
        self._send(200, "application/json", json.dumps(echo).encode())

    def log_message(self, fmt, *args):
        # The demo's own output is what the run shows.
        pass


def main():
    firmware = sys.argv[1] if len(sys.argv) > 1 else os.environ.get(
        "MICROPYTHON", str(ROOT / "build" / "micropython"))
    demo = sys.argv[2] if len(sys.argv) > 2 else str(ROOT / "examples" / "demo.py")
    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    url = "http://127.0.0.1:%d/" % server.server_address[1]
    try:
        return subprocess.run([firmware, demo, url], timeout=120).returncode
    finally:
        server.shutdown()
        server.server_close()


if __name__ == "__main__":
    sys.exit(main())
