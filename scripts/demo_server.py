#!/usr/bin/env python3
"""A local HTTP server for the examples (loopback only).

`make run` (scripts/run_demo.py) and python_tests/test_examples.py start it
in a thread; run alone it serves until Ctrl-C:

    python3 scripts/demo_server.py [port]      # default 8080

Routes:
  GET  /json              a small JSON document (DOC)
  GET  /blob?kib=N        N KiB (default 64) of bytes 0..255 repeated, chunked
  POST /echo              the request as JSON: body, content_type, user_agent,
                          query, authorization
  POST /upload            a multipart/form-data upload, summed up per part:
                          name, filename, size, sha256
  GET  /big.json?kb=N     a forecast-like JSON document of about N kB (default
                          5000, i.e. 5 MB), made on first use and kept; sent
                          gzip-compressed when the request accepts gzip
  GET  /slow?ms=N&id=K    {"id": K, "slept_ms": N} after N ms (default 300);
                          each request has its own thread, so they overlap

big_facts(kb) gives what the big document holds, so a test can check what an
example printed against it without parsing the document itself.
"""

import gzip
import hashlib
import http.server
import json
import sys
import threading
import time
import urllib.parse

DOC = {"station": "greenhouse", "readings": [21.5, 21.7, 22.0], "unit": "C", "ok": True}
BLOB_PATTERN = bytes(range(256))

# Each hourly entry is about 500 bytes, most of it a summary no selection asks for.
_WORDS = ("light rain clearing later with a fresh breeze from the north west and "
          "bright spells towards evening, visibility good, pressure rising slowly, "
          "chance of frost in sheltered valleys overnight").split()
_HOUR0 = 1767225600  # 2026-01-01T00:00Z
CITY = "Reykjavik"
CURRENT = {"temp": 4.5, "wind": 7.2, "humidity": 81}


def hourly_temp(i):
    return round(-5 + ((i * 37) % 250) / 10, 1)


def _summary(i):
    words = []
    n = 0
    k = i
    while n < 420:
        w = _WORDS[k % len(_WORDS)]
        words.append(w)
        n += len(w) + 1
        k = k * 7 + 3
    return " ".join(words)


def _hour(i):
    return {"dt": _HOUR0 + 3600 * i, "temp": hourly_temp(i), "rain_mm": (i % 9) / 10,
            "summary": _summary(i)}


def _hours_for(kb):
    # 500 bytes an hour, measured on the generator's own output
    return max(24, kb * 1000 // 500)


def _daily(hours):
    days = []
    first = max(0, hours // 24 - 7)
    for d in range(first, first + 7):
        temps = [hourly_temp(i) for i in range(d * 24, min(hours, d * 24 + 24))] or [0.0]
        days.append({"day": d, "min": min(temps), "max": max(temps)})
    return days


def big_facts(kb):
    """What /big.json?kb=N holds: the values the examples select."""
    hours = _hours_for(kb)
    temps = [hourly_temp(i) for i in range(hours)]
    warmest = max(temps)
    first_warmest = temps.index(warmest)
    return {"city": CITY, "current_temp": CURRENT["temp"], "hours": hours,
            "highs": [d["max"] for d in _daily(hours)],
            "warmest": warmest, "warmest_dt": _HOUR0 + 3600 * first_warmest}


def big_document(kb):
    hours = _hours_for(kb)
    parts = ['{"city": %s, "current": %s, "hourly": [' % (json.dumps(CITY), json.dumps(CURRENT))]
    parts.append(", ".join(json.dumps(_hour(i)) for i in range(hours)))
    parts.append('], "daily": %s}' % json.dumps(_daily(hours)))
    return "".join(parts).encode()


_cache = {}
_cache_lock = threading.Lock()


def _cached(key, make):
    with _cache_lock:
        if key not in _cache:
            _cache[key] = make()
        return _cache[key]


def parse_multipart(body, content_type):
    """[(name, filename, data)] of a multipart/form-data body."""
    boundary = None
    for piece in content_type.split(";"):
        piece = piece.strip()
        if piece.startswith("boundary="):
            boundary = piece[len("boundary="):].strip('"')
    if not boundary:
        raise ValueError("no boundary")
    parts = []
    delim = b"--" + boundary.encode()
    for chunk in body.split(delim)[1:]:
        if chunk.startswith(b"--"):
            break
        head, _, data = chunk.partition(b"\r\n\r\n")
        if data.endswith(b"\r\n"):
            data = data[:-2]
        name = filename = None
        for line in head.decode("utf-8", "replace").split("\r\n"):
            if line.lower().startswith("content-disposition:"):
                for item in line.split(";")[1:]:
                    key, _, value = item.strip().partition("=")
                    if key == "name":
                        name = value.strip('"')
                    elif key == "filename":
                        filename = value.strip('"')
        parts.append((name, filename, data))
    return parts


class Handler(http.server.BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"
    # The head and the body leave in two writes; with Nagle on, the second
    # waits for the client's delayed ACK (40 ms on Linux) and the examples
    # would time the server instead of the client.
    disable_nagle_algorithm = True

    def _send(self, status, ctype, body, chunked=False, extra=()):
        self.send_response(status)
        self.send_header("Content-Type", ctype)
        for name, value in extra:
            self.send_header(name, value)
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

    def _send_json(self, obj):
        self._send(200, "application/json", json.dumps(obj).encode())

    def _query(self):
        return urllib.parse.parse_qs(urllib.parse.urlsplit(self.path).query)

    def _int_arg(self, name, default):
        try:
            return int(self._query().get(name, [default])[0])
        except ValueError:
            return default

    def _body(self):
        return self.rfile.read(int(self.headers.get("Content-Length", "0")))

    def do_GET(self):
        route = urllib.parse.urlsplit(self.path).path
        if route == "/json":
            self._send_json(DOC)
        elif route == "/blob":
            kib = self._int_arg("kib", 64)
            self._send(200, "application/octet-stream", BLOB_PATTERN * (4 * kib), chunked=True)
        elif route == "/big.json":
            kb = min(self._int_arg("kb", 5000), 20000)
            doc = _cached(("doc", kb), lambda: big_document(kb))
            if "gzip" in self.headers.get("Accept-Encoding", ""):
                packed = _cached(("gzip", kb), lambda: gzip.compress(doc, 6))
                self._send(200, "application/json", packed,
                           extra=(("Content-Encoding", "gzip"),
                                  ("X-Decoded-Length", str(len(doc)))))
            else:
                self._send(200, "application/json", doc)
        elif route == "/slow":
            ms = self._int_arg("ms", 300)
            time.sleep(ms / 1000)
            self._send_json({"id": self._int_arg("id", 0), "slept_ms": ms})
        else:
            self._send(404, "text/plain", b"not found")

    def do_POST(self):
        route = urllib.parse.urlsplit(self.path).path
        body = self._body()
        if route == "/upload":
            try:
                parts = parse_multipart(body, self.headers.get("Content-Type", ""))
            except ValueError as e:
                self._send(400, "text/plain", str(e).encode())
                return
            self._send_json({"content_length": len(body), "parts": [
                {"name": n, "filename": f, "size": len(d),
                 "sha256": hashlib.sha256(d).hexdigest()} for n, f, d in parts]})
        elif route == "/echo":
            query = urllib.parse.urlsplit(self.path).query
            self._send_json({"body": body.decode("utf-8", "replace"),
                             "content_type": self.headers.get("Content-Type"),
                             "user_agent": self.headers.get("User-Agent"),
                             "query": query,
                             "authorization": self.headers.get("Authorization")})
        else:
            self._send(404, "text/plain", b"not found")

    def log_message(self, fmt, *args):
        # The examples' own output is what a run shows.
        pass


class _Server(http.server.ThreadingHTTPServer):
    daemon_threads = True

    def handle_error(self, request, client_address):
        # A client that stops reading on purpose (the whole-document json()
        # in a small heap) resets the connection; that is no server error.
        if not isinstance(sys.exc_info()[1], (ConnectionError, TimeoutError)):
            super().handle_error(request, client_address)


class DemoServer:
    """The server in a daemon thread: `with DemoServer() as srv: srv.url`.
    The big documents are made before it answers, so their first request
    times the client, not the generator."""

    def __init__(self, port=0, prepare=(5000, 300)):
        for kb in prepare:
            doc = _cached(("doc", kb), lambda: big_document(kb))
            _cached(("gzip", kb), lambda: gzip.compress(doc, 6))
        self.httpd = _Server(("127.0.0.1", port), Handler)
        self.url = "http://127.0.0.1:%d" % self.httpd.server_address[1]
        self.thread = threading.Thread(target=self.httpd.serve_forever, daemon=True)

    def start(self):
        self.thread.start()
        return self

    def stop(self):
        self.httpd.shutdown()
        self.httpd.server_close()

    def __enter__(self):
        return self.start()

    def __exit__(self, *exc):
        self.stop()


def main():
    port = int(sys.argv[1]) if len(sys.argv) > 1 else 8080
    srv = DemoServer(port, prepare=())
    print("serving the examples' routes on", srv.url, "(Ctrl-C ends)")
    try:
        srv.httpd.serve_forever()
    except KeyboardInterrupt:
        pass
    finally:
        srv.httpd.server_close()


if __name__ == "__main__":
    main()
