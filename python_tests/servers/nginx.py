"""Debian's nginx as a foreground process on free loopback ports, serving
generated static files over HTTP and HTTPS with keep-alive."""

import hashlib
import os
import random
import shutil
import socket
import subprocess
import time

CONFIG = """\
daemon off;
master_process off;
worker_processes 1;
{user}
pid {root}/nginx.pid;
error_log {root}/error.log warn;
events {{ worker_connections 64; }}
http {{
    log_format conn '$connection $request';
    access_log {root}/access.log conn;
    client_body_temp_path {root}/tmp_body;
    proxy_temp_path {root}/tmp_proxy;
    fastcgi_temp_path {root}/tmp_fcgi;
    uwsgi_temp_path {root}/tmp_uwsgi;
    scgi_temp_path {root}/tmp_scgi;
    types {{ application/json json; text/plain txt; application/octet-stream bin; }}
    default_type application/octet-stream;
    keepalive_timeout 30s;
    keepalive_requests 10000;
    sendfile on;
    # Only for requests that send Accept-Encoding: gzip (compressed bodies).
    gzip on;
    gzip_types application/json text/plain;
    gzip_min_length 0;
    server {{
        listen 127.0.0.1:{http_port};
        listen 127.0.0.1:{https_port} ssl;
        ssl_certificate {cert};
        ssl_certificate_key {key};
        root {root}/www;
        location = /redirect {{ return 302 /small.json; }}
    }}
}}
"""

SIZES = {"1m.bin": 1 << 20, "16m.bin": 16 << 20}


def find_nginx():
    for candidate in (shutil.which("nginx"), "/usr/sbin/nginx"):
        if candidate and os.path.exists(candidate):
            return candidate
    return None


def _free_port():
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def _wait_port(port, proc, deadline):
    while time.monotonic() < deadline:
        if proc.poll() is not None:
            return False
        try:
            socket.create_connection(("127.0.0.1", port), timeout=0.5).close()
            return True
        except OSError:
            time.sleep(0.05)
    return False


class Nginx:
    def __init__(self, root, tls_material):
        self.root = root
        self.files = {}
        www = root / "www"
        www.mkdir()
        small = b'{"name": "adafruit", "values": [1, 2, 3], "nested": {"ok": true}}'
        (www / "small.json").write_bytes(small)
        self.files["small.json"] = small
        rng = random.Random(1234)
        for name, size in SIZES.items():
            data = rng.randbytes(size)
            (www / name).write_bytes(data)
            self.files[name] = data
        self.sha256 = {k: hashlib.sha256(v).hexdigest() for k, v in self.files.items()}
        cert, key = tls_material.write_files(root)
        self.http_port = _free_port()
        self.https_port = _free_port()
        user = "user root;" if os.geteuid() == 0 else ""
        conf = root / "nginx.conf"
        conf.write_text(CONFIG.format(root=root, user=user, cert=cert, key=key,
                                      http_port=self.http_port, https_port=self.https_port))
        self.proc = subprocess.Popen(
            [find_nginx(), "-c", str(conf), "-p", str(root), "-e", str(root / "error.log")],
            stdout=subprocess.DEVNULL, stderr=subprocess.PIPE,
        )
        deadline = time.monotonic() + 10
        if not (_wait_port(self.http_port, self.proc, deadline)
                and _wait_port(self.https_port, self.proc, deadline)):
            self.stop()
            log = (root / "error.log").read_text() if (root / "error.log").exists() else ""
            raise RuntimeError("nginx did not start: %s" % log)

    def connections_for(self, request_line_part, expect=0, wait=3.0):
        """Connection serial numbers of logged requests containing the text.
        nginx logs a request after it sent the answer, so a client can be done
        before its last line is written: wait (bounded) until ``expect``
        lines are there."""
        deadline = time.monotonic() + wait
        while True:
            lines = (self.root / "access.log").read_text().splitlines()
            found = [ln.split(" ", 1)[0] for ln in lines if request_line_part in ln]
            if len(found) >= expect or time.monotonic() >= deadline:
                return found
            time.sleep(0.02)

    def url(self, path="/", tls=False):
        if tls:
            return "https://127.0.0.1:%d%s" % (self.https_port, path)
        return "http://127.0.0.1:%d%s" % (self.http_port, path)

    def stop(self):
        if self.proc.poll() is None:
            self.proc.terminate()
            try:
                self.proc.wait(timeout=5)
            except subprocess.TimeoutExpired:
                self.proc.kill()
                self.proc.wait(timeout=5)
