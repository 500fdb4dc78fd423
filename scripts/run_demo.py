#!/usr/bin/env python3
"""Runs examples/demo.py on the firmware against a throwaway local HTTP server.

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
PAYLOAD = json.dumps({"hello": "world", "numbers": [1, 2, 3]}).encode()


class Handler(http.server.BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"

    def do_GET(self):
        self.send_response(200)
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(PAYLOAD)))
        self.end_headers()
        self.wfile.write(PAYLOAD)

    def log_message(self, fmt, *args):
        sys.stderr.write("server: " + fmt % args + "\n")


def main():
    firmware = sys.argv[1] if len(sys.argv) > 1 else os.environ.get(
        "MICROPYTHON", str(ROOT / "build" / "micropython"))
    demo = sys.argv[2] if len(sys.argv) > 2 else str(ROOT / "examples" / "demo.py")
    # Port 0: the kernel picks a free one, so parallel runs do not collide.
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
