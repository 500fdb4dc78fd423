#!/usr/bin/env python3
"""Benchmark: native adafruit_requests vs the reference package vs a bare socket.

    python3 bench/run.py [--quick] [--only NAME[,NAME...]] [--no-readme]

All three clients run on the same firmware binary (build/micropython) against
local servers on 127.0.0.1 that send precomputed responses; see
bench/README.md for what each metric means. Prints a markdown table, writes
bench/results.json and, on a full run, refreshes the table in
bench/README.md and draws the headline rows as bench/chart.svg (chart.py).

Environment overrides: BENCH_FIRMWARE, BENCH_FIRMWARE_PLAIN, BENCH_REFERENCE
(directory holding adafruit_requests.py and adafruit_connection_manager.py),
MICROPY_DIR (MicroPython tree, for mpy-cross), BENCH_ARM_LIB (Rust staticlib
for thumbv7m-none-eabi), BENCH_ARM_FIRMWARE / BENCH_ARM_FIRMWARE_PLAIN (an
ARM firmware with and without the module). BENCH_NATMOD: a dynamic native
module (.mpy) put on the import path as adafruit_requests; with
BENCH_FIRMWARE=build/micropython-plain the "native" column is that .mpy.
"""

import argparse
import datetime
import glob
import hashlib
import json
import os
import platform
import random
import re
import resource
import shutil
import statistics
import subprocess
import sys
import time

import chart  # bench/chart.py: the headline rows as bench/chart.svg; its number format

BENCH = os.path.dirname(os.path.abspath(__file__))
ROOT = os.path.dirname(BENCH)
CACHE = os.path.join(BENCH, ".cache")
WORK = os.path.join(CACHE, "work")
DATA = os.path.join(CACHE, "data")

FIRMWARE = os.environ.get("BENCH_FIRMWARE", os.path.join(ROOT, "build", "micropython"))
FIRMWARE_PLAIN = os.environ.get(
    "BENCH_FIRMWARE_PLAIN", os.path.join(ROOT, "build", "micropython-plain")
)
REFERENCE = os.environ.get("BENCH_REFERENCE", os.path.join(ROOT, "deps", "reference"))
MICROPY_DIR = os.environ.get("MICROPY_DIR", os.path.join(ROOT, "deps", "micropython"))

# A private copy of the firmware: a rebuild in the middle of a run must not
# change the binary under test.
RUN_FIRMWARE = os.path.join(CACHE, "micropython")

CLIENTS = ("native", "reference", "limit")
HOST = "127.0.0.1"
MiB = 1024 * 1024

# Two cores: the servers get one, the client under test the other, so
# neither steals the other's time slices and runs are repeatable.
SERVER_CPU = 0
CLIENT_CPU = 1


class BenchError(Exception):
    pass


def log(*a):
    print(*a, file=sys.stderr, flush=True)


def pin(cpu):
    def f():
        try:
            os.sched_setaffinity(0, {cpu})
        except OSError:
            pass

    return f if (os.cpu_count() or 1) > 1 else None


# ---------------------------------------------------------------- set-up --


def newer(target, *sources):
    if not os.path.exists(target):
        return False
    t = os.path.getmtime(target)
    return all(os.path.getmtime(s) <= t for s in sources)


def build_server():
    """Returns (path, speaks_tls). With OpenSSL's headers the same server
    does HTTPS; without them tls_server.py (CPython) stands in."""
    src = os.path.join(BENCH, "server.c")
    exe = os.path.join(CACHE, "server")
    flag = exe + ".tls"
    if not newer(exe, src):
        cc = os.environ.get("CC", "cc")
        r = subprocess.run([cc, "-O2", "-pthread", "-DWITH_TLS", "-o", exe, src,
                            "-lssl", "-lcrypto"], capture_output=True, text=True)
        if r.returncode == 0:
            open(flag, "w").close()
        else:
            if os.path.exists(flag):
                os.remove(flag)
            subprocess.run([cc, "-O2", "-pthread", "-o", exe, src], check=True)
    return exe, os.path.exists(flag)


def find_mpy_cross():
    for prebuilt in (os.path.join(ROOT, "build", "mpy-cross", "mpy-cross"),
                     os.path.join(MICROPY_DIR, "mpy-cross", "build", "mpy-cross")):
        if os.access(prebuilt, os.X_OK):
            return prebuilt
    own = os.path.join(CACHE, "mpy-cross-build", "mpy-cross")
    if os.access(own, os.X_OK):
        return own
    if not os.path.isfile(os.path.join(MICROPY_DIR, "mpy-cross", "Makefile")):
        return None
    log("building mpy-cross")
    r = subprocess.run(
        ["make", "-C", os.path.join(MICROPY_DIR, "mpy-cross"), "-j2",
         "BUILD=" + os.path.join(CACHE, "mpy-cross-build")],
        stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, text=True,
    )
    if r.returncode != 0:
        log("mpy-cross build failed:", r.stderr[-500:])
        return None
    return own


def prepare_work(mpy_cross):
    """Import path for the firmware: bench/mpy plus the reference, renamed.

    A built-in module shadows a .py of the same name, so the reference is
    imported as ref_requests. It is compiled to .mpy as Adafruit's bundle
    ships it, so the heap numbers do not include compiling its source.
    """
    if os.path.isdir(WORK):
        shutil.rmtree(WORK)
    shutil.copytree(os.path.join(BENCH, "mpy"), WORK)
    if os.environ.get("BENCH_NATMOD"):
        shutil.copy(os.environ["BENCH_NATMOD"], os.path.join(WORK, "adafruit_requests.mpy"))
    sizes = {}
    for src, dst in (("adafruit_requests.py", "ref_requests"),
                     ("adafruit_connection_manager.py", "adafruit_connection_manager")):
        path = os.path.join(REFERENCE, src)
        if not os.path.isfile(path):
            raise BenchError("reference not found: %s (run make deps)" % path)
        compiled = False
        if mpy_cross:
            out = os.path.join(WORK, dst + ".mpy")
            r = subprocess.run([mpy_cross, "-o", out, path], capture_output=True, text=True)
            if r.returncode == 0:
                sizes[src] = os.path.getsize(out)
                compiled = True
            else:
                log("mpy-cross failed for", src, r.stderr.strip())
        if not compiled:
            shutil.copy(path, os.path.join(WORK, dst + ".py"))
    return sizes


# ------------------------------------------------------------ responses --


def response(body, content_type, extra=()):
    head = [
        "HTTP/1.1 200 OK",
        "Server: bench",
        "Date: Wed, 01 May 2024 12:00:00 GMT",
        "Content-Type: " + content_type,
        "Content-Length: %d" % len(body),
        "Connection: keep-alive",
        "Cache-Control: no-cache",
    ]
    head.extend(extra)
    return ("\r\n".join(head) + "\r\n\r\n").encode() + body


def chunked_response(body, chunk):
    head = (
        "HTTP/1.1 200 OK\r\nServer: bench\r\nDate: Wed, 01 May 2024 12:00:00 GMT\r\n"
        "Content-Type: application/octet-stream\r\nTransfer-Encoding: chunked\r\n"
        "Connection: keep-alive\r\n\r\n"
    ).encode()
    parts = [head]
    for i in range(0, len(body), chunk):
        piece = body[i : i + chunk]
        parts.append(b"%x\r\n" % len(piece) + piece + b"\r\n")
    parts.append(b"0\r\n\r\n")
    return b"".join(parts)


WORDS = (
    "sensor relay garden window kitchen porch battery solar tide river "
    "forecast pressure humidity station north south maple cedar ember frost "
    "lumen quartz orbit delta vector pixel signal harbor meadow summit"
).split()
PLACES = ("Zürich", "São Paulo", "Kraków", "東京", "Reykjavík", "Montréal", "Ålesund", "İzmir")
LANGS = ("Python", "C", "Rust", "JavaScript", None, "Go", "C++")


def json_document(target, seed):
    """A feed like a REST API page: nested objects, strings with some
    non-ASCII text, ints, floats, bools, nulls, short arrays."""
    rnd = random.Random(seed)
    items = []

    def sentence(n):
        return " ".join(rnd.choice(WORDS) for _ in range(n)).capitalize() + "."

    def item(i):
        login = rnd.choice(WORDS) + str(rnd.randrange(1000))
        name = "-".join(rnd.sample(WORDS, 2))
        return {
            "id": 100000 + i * 37,
            "node_id": "R_kgDO%08X" % rnd.getrandbits(32),
            "name": name,
            "full_name": login + "/" + name,
            "private": rnd.random() < 0.1,
            "owner": {
                "login": login,
                "id": rnd.randrange(10**7),
                "type": rnd.choice(("User", "Organization")),
                "site_admin": False,
                "avatar_url": "https://avatars.example.com/u/%d?v=4" % rnd.randrange(10**7),
            },
            "description": sentence(rnd.randrange(4, 14)) if rnd.random() < 0.8 else None,
            "fork": rnd.random() < 0.2,
            "created_at": "20%02d-%02d-%02dT%02d:%02d:%02dZ" % (
                rnd.randrange(10, 24), rnd.randrange(1, 13), rnd.randrange(1, 29),
                rnd.randrange(24), rnd.randrange(60), rnd.randrange(60)),
            "stargazers_count": rnd.randrange(5000),
            "watchers": rnd.randrange(300),
            "score": round(rnd.uniform(0, 100), 3),
            "language": rnd.choice(LANGS),
            "topics": rnd.sample(WORDS, rnd.randrange(0, 5)),
            "license": {"key": "mit", "name": "MIT License", "spdx_id": "MIT"}
            if rnd.random() < 0.6 else None,
            "location": {
                "city": rnd.choice(PLACES),
                "lat": round(rnd.uniform(-90, 90), 5),
                "lon": round(rnd.uniform(-180, 180), 5),
            },
            "readings": [round(rnd.uniform(-20, 40), 2) for _ in range(rnd.randrange(2, 8))],
        }

    def dump():
        doc = {"status": "ok", "generated": "2024-05-01T12:00:00Z",
               "page": {"number": 1, "size": len(items)}, "items": items}
        return json.dumps(doc, ensure_ascii=False, separators=(",", ":")).encode()

    while True:
        items.append(item(len(items)))
        if len(items) % 16 == 0 and len(dump()) >= target:
            break
    return dump(), len(items)


SMALL_BODY = (
    b'{"id":42,"name":"sensor-7","temperature":21.5,"humidity":48.2,'
    b'"ok":true,"updated":"2024-05-01T12:00:00Z"}'
)


def make_routes():
    os.makedirs(DATA, exist_ok=True)
    rnd = random.Random(7)
    blob16 = rnd.randbytes(16 * MiB)
    json50, n50 = json_document(50 * 1024, 50)
    json500, n500 = json_document(500 * 1024, 500)
    table = {
        ("GET", "/small"): (response(SMALL_BODY, "application/json"), SMALL_BODY),
        ("GET", "/blob1m"): (response(blob16[:MiB], "application/octet-stream"), blob16[:MiB]),
        ("GET", "/blob16m"): (response(blob16, "application/octet-stream"), blob16),
        ("GET", "/chunked1m"): (chunked_response(blob16[:MiB], 8192), blob16[:MiB]),
        ("GET", "/json50k"): (response(json50, "application/json"), json50),
        ("GET", "/json500k"): (response(json500, "application/json"), json500),
        ("POST", "/post"): (response(b'{"ok":true}', "application/json"), b'{"ok":true}'),
    }
    routes = {}
    lines = []
    for (method, path), (resp, body) in table.items():
        name = os.path.join(DATA, path.strip("/") + ".http")
        if not (os.path.exists(name) and os.path.getsize(name) == len(resp)
                and open(name, "rb").read() == resp):
            with open(name, "wb") as f:
                f.write(resp)
        bodyfile = os.path.join(DATA, path.strip("/") + ".body")
        if path.startswith("/json"):
            with open(bodyfile, "wb") as f:
                f.write(body)
        lines.append("%s %s %s\n" % (method, path, name))
        routes[path] = {"resp_len": len(resp), "body_len": len(body), "file": bodyfile}
    routes["/json50k"]["items"] = n50
    routes["/json500k"]["items"] = n500
    with open(os.path.join(DATA, "routes.txt"), "w") as f:
        f.writelines(lines)
    return routes


def make_certs():
    """CA + localhost/127.0.0.1 certificate; None when trustme is missing."""
    try:
        import trustme
    except ImportError:
        return None
    d = os.path.join(CACHE, "tls")
    os.makedirs(d, exist_ok=True)
    ca = trustme.CA()
    cert = ca.issue_cert("localhost", "127.0.0.1")
    cert.private_key_and_cert_chain_pem.write_to_path(os.path.join(d, "server.pem"))
    from cryptography import x509
    from cryptography.hazmat.primitives.serialization import Encoding

    der = x509.load_pem_x509_certificate(ca.cert_pem.bytes()).public_bytes(Encoding.DER)
    with open(os.path.join(d, "ca.der"), "wb") as f:
        f.write(der)
    return {"pem": os.path.join(d, "server.pem"), "ca": os.path.join(d, "ca.der")}


# --------------------------------------------------------------- servers --


class Server:
    def __init__(self, name, cmd):
        self.name = name
        self.proc = subprocess.Popen(
            cmd, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True,
            preexec_fn=pin(SERVER_CPU),
        )
        line = self.proc.stdout.readline()
        m = re.match(r"PORT (\d+)", line)
        if not m:
            self.proc.kill()
            raise BenchError("%s server did not start: %s %s" % (name, line, self.proc.stderr.read()))
        self.port = int(m.group(1))

    def cpu(self):
        """utime+stime of the server process (all threads), in seconds."""
        with open("/proc/%d/stat" % self.proc.pid) as f:
            fields = f.read().rsplit(")", 1)[1].split()
        return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")

    def stop(self):
        self.proc.kill()
        self.proc.wait()


# --------------------------------------------------------------- clients --


def child_cpu():
    r = resource.getrusage(resource.RUSAGE_CHILDREN)
    return r.ru_utime + r.ru_stime


def run_mp(client, test, params, heap=None, timeout=180, script="mpbench.py", valgrind=False):
    cmd = [RUN_FIRMWARE]
    if heap:
        cmd += ["-X", "heapsize=%d" % heap]
    cmd += [os.path.join(WORK, script)]
    if client:
        cmd += [client, test] + ["%s=%s" % kv for kv in params.items()]
    if valgrind:
        cmd = ["valgrind", "--tool=callgrind", "--callgrind-out-file=/dev/null"] + cmd
    env = dict(os.environ, MICROPYPATH=WORK)
    try:
        r = subprocess.run(cmd, cwd=WORK, env=env, capture_output=True, text=True,
                           timeout=timeout, preexec_fn=pin(CLIENT_CPU))
    except subprocess.TimeoutExpired:
        raise BenchError("timed out after %ds" % timeout)
    return r


def result_of(r):
    for line in r.stdout.splitlines():
        if line.startswith("RESULT "):
            return json.loads(line[7:])
    # valgrind's own "==pid==" lines would hide the Python exception.
    lines = [l for l in (r.stderr + r.stdout).strip().splitlines()
             if l.strip() and not l.startswith("==")]
    raise BenchError((lines or ["exit status %d" % r.returncode])[-1][:200])


class Bench:
    def __init__(self, args):
        self.quick = args.quick
        self.only = set(args.only.split(",")) if args.only else None
        self.rows = []      # (key, label, unit, better, {client: value}, notes)
        self.errors = {}    # key -> {client: message}
        self.extra = {}

    # -- bookkeeping --

    def wanted(self, group):
        return self.only is None or group in self.only

    def add(self, key, label, unit, better, values, errors=None, **extra):
        self.rows.append({"key": key, "label": label, "unit": unit, "better": better,
                          "values": values, "errors": errors or {}, **extra})
        shown = ", ".join("%s=%s" % (c, fmt(values.get(c))) for c in CLIENTS)
        log("  %-44s %s" % (label, shown))

    def per_client(self, fn, clients=CLIENTS, rounds=1):
        """Runs fn(client) for each client, `rounds` times interleaved.
        Returns ({client: [results]}, {client: error})."""
        out = {c: [] for c in clients}
        errs = {}
        for i in range(rounds):
            # Rotate who goes first, so no client always runs on a cold cache.
            for c in clients[i % len(clients):] + clients[:i % len(clients)]:
                if c in errs:
                    continue
                try:
                    out[c].append(fn(c))
                except BenchError as e:
                    errs[c] = str(e)
        return out, errs

    # -- metrics --

    def small_params(self, srv):
        r = self.routes["/small"]
        return {"host": HOST, "port": srv.port, "path": "/small",
                "resp_len": r["resp_len"], "body_len": r["body_len"]}

    def rps(self, key, label, srv, extra_params=None):
        ms = 700 if self.quick else 2000
        rounds = 1 if self.quick else 5
        p = dict(self.small_params(srv), ms=ms, **(extra_params or {}))
        load = []

        def one(c):
            s0, c0 = srv.cpu(), child_cpu()
            res = result_of(run_mp(c, "rps", p))
            s1, c1 = srv.cpu(), child_cpu()
            load.append({"client": c, "wall_s": res["us"] / 1e6,
                         "server_cpu_s": round(s1 - s0, 3), "client_cpu_s": round(c1 - c0, 3)})
            return res["count"] / (res["us"] / 1e6)

        out, errs = self.per_client(one, rounds=rounds)
        vals = {c: statistics.median(v) for c, v in out.items() if v}
        self.add(key, label, "req/s", "higher", vals, errs, runs=out, load=load)

    def callgrind(self):
        if not shutil.which("valgrind"):
            self.add("instructions", "instructions per small GET", "instr", "lower", {},
                     {c: "valgrind not installed" for c in CLIENTS})
            return
        p = self.small_params(self.srv_quick)
        lo, hi = 20, 220

        def count(c, n, **extra):
            r = run_mp(c, "count", dict(p, n=n, **extra), valgrind=True, timeout=600)
            result_of(r)
            m = re.search(r"Collected\s*:\s*(\d+)", r.stderr)
            if not m:
                raise BenchError("no callgrind summary")
            return int(m.group(1))

        out, errs = self.per_client(lambda c: (count(c, hi) - count(c, lo)) / (hi - lo))
        vals = {c: v[0] for c, v in out.items() if v}
        self.add("instructions", "instructions per small GET", "instr", "lower", vals, errs)
        # The limit above only writes and reads a response of known length;
        # a minimal client also finds the end of the head, splits its lines
        # and reads the status and Content-Length. Same native/reference.
        out, errs = self.per_client(
            lambda c: (count(c, hi, parse=1) - count(c, lo, parse=1)) / (hi - lo),
            clients=("limit",))
        parsed = {c: vals[c] for c in ("native", "reference") if c in vals}
        parsed.update({c: v[0] for c, v in out.items() if v})
        self.add("instructions_parse", "instructions per small GET (limit: bare loop that parses the head)",
                 "instr", "lower", parsed, errs)
        # The bare loop making the same three system calls as the module's
        # keep-alive GET (the idle probe, the write, the read).
        out, errs = self.per_client(
            lambda c: (count(c, hi, probe=1) - count(c, lo, probe=1)) / (hi - lo),
            clients=("limit",))
        probed = {c: vals[c] for c in ("native", "reference") if c in vals}
        probed.update({c: v[0] for c, v in out.items() if v})
        self.add("instructions_probe",
                 "instructions per small GET (limit: bare loop with the idle probe, 3 syscalls)",
                 "instr", "lower", probed, errs)
        # The same GET carrying one session cookie from the jar (SPEC §12;
        # only the native client has a jar).
        out, errs = self.per_client(
            lambda c: (count(c, hi, cookie=1) - count(c, lo, cookie=1)) / (hi - lo),
            clients=("native",))
        errs.update({c: "no cookie jar" for c in CLIENTS if c != "native"})
        self.add("instructions_cookie", "instructions per small GET with a session cookie",
                 "instr", "lower", {c: v[0] for c, v in out.items() if v}, errs)

    def gc_alloc(self):
        n = 100 if self.quick else 300
        p = dict(self.small_params(self.srv_quick), n=n)
        out, errs = self.per_client(
            lambda c: result_of(run_mp(c, "gc", p, heap=64 * MiB))["bytes_per_request"])
        self.add("gc_bytes", "GC bytes allocated per small GET", "B", "lower",
                 {c: v[0] for c, v in out.items() if v}, errs)

    def best_times(self, test, params, heap, rounds, clients=CLIENTS):
        out, errs = self.per_client(
            lambda c: result_of(run_mp(c, test, params, heap=heap, timeout=300))["times_us"],
            clients=clients, rounds=rounds)
        return {c: min(t for run in v for t in run) for c, v in out.items() if v}, errs

    def downloads(self):
        rounds = 1 if self.quick else 3
        for path, size_label, heap, reps in (("/blob1m", "1 MiB", 32 * MiB, 5),
                                             ("/blob16m", "16 MiB", 160 * MiB, 3)):
            r = self.routes[path]
            base = {"host": HOST, "port": self.srv_quick.port, "path": path,
                    "resp_len": r["resp_len"], "body_len": r["body_len"]}
            # Best of the same number of repetitions for every client: the
            # first one also pays for touching fresh heap pages.
            if self.quick and path == "/blob16m":
                reps = 2
            lim, lim_err = self.best_times("download", dict(base, mode="content", reps=reps),
                                           heap, rounds, clients=("limit",))
            for mode, mlabel in (("content", "content"), ("iter", "iter_content(4096)"),
                                 ("readinto", "readinto(4096 B buffer)")):
                t, errs = self.best_times("download", dict(base, mode=mode, reps=reps), heap,
                                          rounds, clients=("native", "reference"))
                t.update(lim)
                errs.update(lim_err)
                self.add("download_%s_%s" % (path.strip("/"), mode),
                         "download %s, %s" % (size_label, mlabel), "MiB/s", "higher",
                         {c: r["body_len"] / MiB / (us / 1e6) for c, us in t.items()}, errs)
                if mode != "content":
                    continue
                # content hands out a new object: against a bare loop that
                # does the same (s.read(n) per answer), the ratio is the
                # module's own cost rather than the heap's clearing.
                fresh, ferr = self.best_times("download", dict(base, mode="content", reps=reps,
                                                               fresh=1), heap, rounds,
                                              clients=("limit",))
                ferr.update({c: e for c, e in errs.items() if c != "limit"})
                vals = {c: us for c, us in t.items() if c != "limit"}
                vals.update(fresh)
                self.add("download_%s_content_fresh" % path.strip("/"),
                         "download %s, content (limit: s.read into a new bytes)" % size_label,
                         "MiB/s", "higher",
                         {c: r["body_len"] / MiB / (us / 1e6) for c, us in vals.items()}, ferr)

    def chunked(self):
        r = self.routes["/chunked1m"]
        p = {"host": HOST, "port": self.srv_quick.port, "path": "/chunked1m",
             "resp_len": r["resp_len"], "body_len": r["body_len"], "mode": "content",
             "reps": 5}
        t, errs = self.best_times("download", p, 32 * MiB, 1 if self.quick else 3)
        self.add("download_chunked1m", "chunked 1 MiB (8 KiB chunks), content", "MiB/s",
                 "higher", {c: r["body_len"] / MiB / (us / 1e6) for c, us in t.items()}, errs)

    def posts(self):
        rounds = 1 if self.quick else 3
        r = self.routes["/post"]
        for size, label, reps in ((64 * 1024, "64 KiB", 10), (MiB, "1 MiB", 3)):
            p = {"host": HOST, "port": self.srv_quick.port, "path": "/post",
                 "resp_len": r["resp_len"], "body_len": r["body_len"], "size": size,
                 "reps": reps}
            t, errs = self.best_times("post", p, 32 * MiB, rounds)
            self.add("post_%d" % size, "POST %s" % label, "MiB/s", "higher",
                     {c: size / MiB / (us / 1e6) for c, us in t.items()}, errs)

    def json_time(self):
        rounds = 1 if self.quick else 3
        for path, label in (("/json50k", "50 KB"), ("/json500k", "500 KB")):
            r = self.routes[path]
            p = {"host": HOST, "port": self.srv_quick.port, "path": path,
                 "resp_len": r["resp_len"], "body_len": r["body_len"], "items": r["items"],
                 "file": r["file"], "reps": 3}
            t, errs = self.best_times("json", p, 64 * MiB, rounds)
            self.add("json_%s_ms" % path.strip("/"),
                     "json() of %s (%d B; limit: json.loads in memory)" % (label, r["body_len"]),
                     "ms", "lower", {c: us / 1000 for c, us in t.items()}, errs)

    def https(self):
        if not self.certs:
            self.add("https_rps", "HTTPS small GET keep-alive", "req/s", "higher", {},
                     {c: "trustme not installed" for c in CLIENTS})
            return
        self.rps("https_rps", "HTTPS small GET keep-alive", self.srv_tls,
                 {"host": "localhost", "ca": self.certs["ca"]})

    # -- smallest heap --

    def heap_script(self, name, body):
        path = os.path.join(WORK, name + ".py")
        with open(path, "w") as f:
            f.write(body)
        return name + ".py"

    def min_heap(self, script, expect, start):
        """Smallest -X heapsize (bytes) at which script prints "OK <expect>".
        Bisection assumes success is monotonic in heap size; a run that
        times out (GC thrashing) counts as a failure."""
        timeout = 60

        def ok(heap):
            try:
                r = run_mp(None, None, None, heap=heap, script=script, timeout=timeout)
            except BenchError:
                return False
            return r.returncode == 0 and r.stdout.strip().endswith("OK %s" % expect)

        # A client that is broken rather than short of memory fails at any
        # size: say why once instead of doubling up to the cap.
        r = run_mp(None, None, None, heap=256 * MiB, script=script, timeout=timeout)
        if not (r.returncode == 0 and r.stdout.strip().endswith("OK %s" % expect)):
            lines = [l for l in (r.stderr + r.stdout).strip().splitlines() if l.strip()]
            raise BenchError((lines or ["exit status %d" % r.returncode])[-1][:200])
        hi = start
        while not ok(hi):
            hi *= 2
            if hi > 1024 * MiB:
                raise BenchError("fails even at 1 GiB heap")
        # The unix port cannot even print at 1 KiB: a safe failing bound.
        floor = 1024
        lo = hi // 2
        while lo > floor and ok(lo):
            hi, lo = lo, max(lo // 2, floor)
        # Probes take a fraction of a second, so quick runs bisect as finely.
        while hi - lo > max(256, hi // 500):
            mid = (lo + hi) // 2
            if ok(mid):
                hi = mid
            else:
                lo = mid
        return hi

    def heap_scripts(self, test, srv_port, path):
        url = "http://%s:%d%s" % (HOST, srv_port, path)
        r = self.routes[path]
        native_prelude = ("import socket\nimport adafruit_requests\n"
                          "s = adafruit_requests.Session(socket)\n")
        ref_prelude = ("import bench_pool\nimport ref_requests\n"
                       "s = ref_requests.Session(bench_pool.Pool())\n")
        if test == "json":
            ref_prelude = ("import bench_pool\nimport ref_requests\nimport ref_json\n"
                           "ref_requests.json_module = ref_json\n"
                           "s = ref_requests.Session(bench_pool.Pool())\n")
        limit_prelude = (
            "import socket\ns = socket.socket()\n"
            "s.connect(socket.getaddrinfo(%r, %d, 0, socket.SOCK_STREAM)[0][-1])\n"
            "s.write(b'GET %s HTTP/1.1\\r\\nHost: %s:%d\\r\\n"
            "User-Agent: Adafruit CircuitPython\\r\\n\\r\\n')\n"
            % (HOST, srv_port, path, HOST, srv_port))
        if test == "content":
            use = "r = s.get(%r)\nn = len(r.content)\nprint('OK', n)\n" % url
            lim = "b = bytearray(%d)\nn = s.readinto(b)\nprint('OK', n - %d)\n" % (
                r["resp_len"], r["resp_len"] - r["body_len"])
            expect = r["body_len"]
        elif test == "json":
            use = "r = s.get(%r)\nd = r.json()\nprint('OK', len(d['items']))\n" % url
            lim = ("import json\nf = open(%r, 'rb')\nd = json.loads(f.read(%d))\n"
                   "print('OK', len(d['items']))\n" % (r["file"], r["body_len"]))
            limit_prelude = ""
            expect = r["items"]
        else:
            raise ValueError(test)
        return {
            "native": native_prelude + use,
            "reference": ref_prelude + use,
            "limit": limit_prelude + lim,
        }, expect

    def heaps(self):
        port = self.srv_quick.port
        cases = [
            ("heap_content1m", "smallest heap: content of 1 MiB", "content", "/blob1m"),
            ("heap_json50k", "smallest heap: json() of 50 KB (limit: json.loads)", "json", "/json50k"),
            ("heap_json500k", "smallest heap: json() of 500 KB (limit: json.loads)", "json", "/json500k"),
            ("heap_import_get", "smallest heap: import + Session + small GET", "content", "/small"),
        ]
        for key, label, test, path in cases:
            scripts, expect = self.heap_scripts(test, port, path)
            start = 256 * 1024 if path == "/small" else 4 * MiB

            def one(c):
                return self.min_heap(self.heap_script("%s_%s" % (key, c), scripts[c]), expect, start)

            out, errs = self.per_client(one)
            self.add(key, label, "KiB", "lower", {c: v[0] / 1024 for c, v in out.items() if v}, errs)

    # -- flash --

    def flash(self, mpy_sizes):
        vals, errs = {}, {}
        try:
            text = size_text(RUN_FIRMWARE)
            if os.path.exists(FIRMWARE_PLAIN):
                vals["native"] = text - size_text(FIRMWARE_PLAIN)
            else:
                errs["native"] = "no %s to compare with" % os.path.relpath(FIRMWARE_PLAIN, ROOT)
        except (OSError, BenchError) as e:
            errs["native"] = str(e)
        if len(mpy_sizes) == 2:
            vals["reference"] = sum(mpy_sizes.values())
        else:
            errs["reference"] = "mpy-cross unavailable"
        errs["limit"] = "-"
        self.add("flash_x86_64", "flash: firmware text added, x86-64 (ref: .mpy files)", "B",
                 "lower", vals, errs, mpy_sizes=mpy_sizes)

        vals, errs = {}, {"limit": "-"}
        # `make qemu qemu-plain` leaves Cortex-M3 firmwares with and without
        # the module; `make cross` the Rust code as a firmware link keeps it.
        arm_fw = os.environ.get("BENCH_ARM_FIRMWARE")
        arm_plain = os.environ.get("BENCH_ARM_FIRMWARE_PLAIN")
        cross_elf = os.path.join(ROOT, "build", "cross", "thumbv7m-none-eabi.elf")
        arm_lib = os.environ.get("BENCH_ARM_LIB") or next(iter(sorted(glob.glob(
            os.path.join(ROOT, "target", "**", "thumbv7m-none-eabi", "release", "lib*.a"),
            recursive=True))), None)
        how = None
        try:
            if arm_fw and arm_plain:
                vals["native"] = size_text(arm_fw, arm=True) - size_text(arm_plain, arm=True)
                how = "firmware text difference"
            elif os.path.exists(cross_elf):
                vals["native"] = size_text(cross_elf, arm=True)
                how = "text + rodata of the Rust code linked from the rq_* entry points (make cross)"
            elif arm_lib:
                vals["native"] = size_text(arm_lib, arm=True)
                how = ("text of %s without compiler_builtins (before link-time section GC)"
                       % os.path.relpath(arm_lib, ROOT))
            else:
                errs["native"] = "no thumbv7m-none-eabi build"
        except (OSError, BenchError) as e:
            errs["native"] = str(e)
        if len(mpy_sizes) == 2:
            vals["reference"] = sum(mpy_sizes.values())
        self.add("flash_thumbv7m", "flash: Rust code, thumbv7m-none-eabi (ref: .mpy files)", "B",
                 "lower", vals, errs, how=how)

        vals, errs = {}, {"limit": "-"}
        m3 = os.path.join(ROOT, "build", "qemu", "firmware.elf")
        m3_plain = os.path.join(ROOT, "build", "qemu-plain", "firmware.elf")
        try:
            if os.path.exists(m3) and os.path.exists(m3_plain):
                vals["native"] = size_text(m3, arm=True) - size_text(m3_plain, arm=True)
            else:
                errs["native"] = "no qemu firmwares (make qemu qemu-plain)"
        except (OSError, BenchError) as e:
            errs["native"] = str(e)
        if len(mpy_sizes) == 2:
            vals["reference"] = sum(mpy_sizes.values())
        self.add("flash_cortex_m3", "flash: module added to a Cortex-M3 firmware, C + Rust (ref: .mpy files)",
                 "B", "lower", vals, errs)


def size_text(path, arm=False):
    """text of an ELF file, or summed over an archive's members except
    compiler_builtins (the firmware's libgcc already provides those)."""
    tools = ["arm-none-eabi-size", "llvm-size", "size"] if arm else ["size"]
    for tool in tools:
        exe = shutil.which(tool)
        if not exe:
            continue
        r = subprocess.run([exe, path], capture_output=True, text=True)
        if r.returncode != 0:
            continue
        total = 0
        for line in r.stdout.strip().splitlines()[1:]:
            cols = line.split()
            if cols and cols[0].isdigit() and "compiler_builtins" not in line:
                total += int(cols[0])
        if total:
            return total
    raise BenchError("no size tool reads %s" % os.path.basename(path))


# ---------------------------------------------------------------- output --


def fmt(v):
    if v is None:
        return "n/a"
    if isinstance(v, str):
        return v
    return chart.fmt(v)


def ratio(a, b):
    if a is None or b is None or not b:
        return "n/a"
    return "%.2f" % (a / b)


def table(rows):
    out = ["| metric | native | reference | limit | native/reference | native/limit |",
           "|---|---:|---:|---:|---:|---:|"]
    for row in rows:
        v = row["values"]
        arrow = "↑" if row["better"] == "higher" else "↓"
        cells = []
        for c in CLIENTS:
            if c in v:
                cells.append(fmt(v[c]))
            elif row["errors"].get(c) == "-":
                cells.append("—")
            else:
                cells.append("n/a")
        out.append("| %s (%s %s) | %s | %s | %s | %s | %s |" % (
            row["label"], row["unit"], arrow, *cells,
            ratio(v.get("native"), v.get("reference")), ratio(v.get("native"), v.get("limit"))))
    return "\n".join(out)


def machine():
    cpu = platform.processor()
    try:
        with open("/proc/cpuinfo") as f:
            for line in f:
                if line.startswith("model name"):
                    cpu = line.split(":", 1)[1].strip()
                    break
    except OSError:
        pass
    try:
        commit = subprocess.run(["git", "-C", ROOT, "rev-parse", "--short", "HEAD"],
                                capture_output=True, text=True).stdout.strip()
    except OSError:
        commit = ""
    return {"cpu": cpu, "cores": os.cpu_count(), "kernel": platform.release(),
            "python": platform.python_version(), "commit": commit}


def update_readme(md):
    path = os.path.join(BENCH, "README.md")
    if not os.path.exists(path):
        return
    text = open(path).read()
    start, end = "<!-- results:start -->", "<!-- results:end -->"
    if start not in text or end not in text:
        return
    head, rest = text.split(start, 1)
    tail = rest.split(end, 1)[1]
    with open(path, "w") as f:
        f.write(head + start + "\n" + md + "\n" + end + tail)


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--quick", action="store_true", help="about two minutes, fewer repetitions")
    ap.add_argument("--only", help="comma-separated groups: rps,https,callgrind,gc,download,"
                                   "chunked,post,json,heap,flash")
    ap.add_argument("--no-readme", action="store_true", help="leave bench/README.md alone")
    args = ap.parse_args()

    if not os.access(FIRMWARE, os.X_OK):
        sys.exit("firmware not found: %s (run make firmware)" % FIRMWARE)
    os.makedirs(CACHE, exist_ok=True)
    t_start = time.time()
    shutil.copy2(FIRMWARE, RUN_FIRMWARE)
    load_before = os.getloadavg()
    if load_before[0] > 1.0:
        log("warning: load average %.1f; other work on this machine will add noise" % load_before[0])

    b = Bench(args)
    server_exe, server_tls = build_server()
    mpy_cross = find_mpy_cross()
    mpy_sizes = prepare_work(mpy_cross)
    log("generating responses")
    b.routes = make_routes()
    b.certs = make_certs()
    routes_file = os.path.join(DATA, "routes.txt")

    servers = []
    try:
        b.srv_plain = Server("plain", [server_exe, routes_file, "plain"])
        servers.append(b.srv_plain)
        b.srv_quick = Server("quickack", [server_exe, routes_file, "quickack"])
        servers.append(b.srv_quick)
        if b.certs:
            if server_tls:
                cmd = [server_exe, routes_file, "quickack", b.certs["pem"]]
            else:
                cmd = [sys.executable, os.path.join(BENCH, "tls_server.py"),
                       routes_file, b.certs["pem"], b.certs["pem"]]
            b.srv_tls = Server("tls", cmd)
            servers.append(b.srv_tls)

        probe = run_mp(None, None, None, script="probe_native.py", timeout=30)
        native_ok = probe.stdout.strip() == "OK"
        log("native module:", "present" if native_ok else
            "not usable (%s)" % (probe.stdout + probe.stderr).strip().splitlines()[-1:])

        steps = [
            ("rps", lambda: b.rps("rps_plain", "small GET keep-alive, ordinary server", b.srv_plain)),
            ("rps", lambda: b.rps("rps_quickack", "small GET keep-alive, quick-ACK server",
                                  b.srv_quick)),
            ("https", b.https),
            ("callgrind", b.callgrind),
            ("gc", b.gc_alloc),
            ("download", b.downloads),
            ("chunked", b.chunked),
            ("post", b.posts),
            ("json", b.json_time),
            ("heap", b.heaps),
            ("flash", lambda: b.flash(mpy_sizes)),
        ]
        for group, fn in steps:
            if b.wanted(group):
                log("[%s]" % group)
                try:
                    fn()
                except BenchError as e:
                    log("  %s failed: %s" % (group, e))
    finally:
        for s in servers:
            s.stop()

    info = machine()
    info["date"] = datetime.datetime.now(datetime.timezone.utc).strftime("%Y-%m-%d %H:%M UTC")
    info["quick"] = args.quick
    info["firmware"] = os.path.relpath(FIRMWARE, ROOT)
    with open(RUN_FIRMWARE, "rb") as f:
        info["firmware_sha256"] = hashlib.sha256(f.read()).hexdigest()
    info["seconds"] = round(time.time() - t_start)
    info["loadavg_before"] = [round(x, 2) for x in load_before]
    info["loadavg_after"] = [round(x, 2) for x in os.getloadavg()]
    md = table(b.rows)
    header = "%s, %d cores, Linux %s; %s; commit %s; load average %.1f at start%s" % (
        info["cpu"], info["cores"], info["kernel"], info["date"], info["commit"],
        load_before[0], " (quick run)" if args.quick else "")
    print(header + "\n\n" + md)
    notes = []
    for row in b.rows:
        for c, e in row["errors"].items():
            if e != "-":
                notes.append("%s / %s: %s" % (row["label"], c, e))
    if notes:
        print("\nn/a reasons:\n" + "\n".join("- " + n for n in notes))

    out = {"machine": info, "metrics": b.rows}
    tmp = os.path.join(BENCH, "results.json.tmp")
    with open(tmp, "w") as f:
        json.dump(out, f, indent=1, ensure_ascii=False)
    os.replace(tmp, os.path.join(BENCH, "results.json"))
    if not args.quick and not args.no_readme and b.only is None:
        update_readme(header + "\n\n" + md)
    if not args.quick and b.only is None:
        log("chart:", chart.write(out, os.path.join(BENCH, "chart.svg")))


if __name__ == "__main__":
    main()
