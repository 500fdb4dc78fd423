"""AsyncSession: what asyncio buys on one board, measured on the unix firmware.

    deps/venv/bin/python bench/async.py [--quick]

- 20 concurrent GETs to a server that answers each after 100 ms
  (AsyncSession with max_connections=20, and the same 20 one after another
  with the blocking Session);
- share of its ticks a task ticking every 10 ms keeps during a 16 MiB
  download (nginx; 1 MiB is over in a few milliseconds on this machine) and during an HTTPS request with a fresh TLS handshake;
- sequential keep-alive GETs of a small file (nginx): requests per second
  and GC bytes allocated per request, AsyncSession against Session.

Both asyncio implementations are measured: MicroPython's built-in one and
CircuitPython's library from PyPI (deps/cp_asyncio, installed by
`make deps`). Prints a markdown table; times are the best of a few runs.
"""

import json
import os
import pathlib
import socket
import subprocess
import sys
import tempfile
import threading
import time

BENCH = pathlib.Path(__file__).resolve().parent
ROOT = BENCH.parent
sys.path.insert(0, str(ROOT / "python_tests"))

from servers.nginx import Nginx  # noqa: E402
from servers.tlscerts import TLSMaterial  # noqa: E402

FIRMWARE = ROOT / "build" / "micropython"
CP_ASYNCIO = ROOT / "deps" / "cp_asyncio"

CLIENT = r"""
import sys
AIO, TEST, URL = sys.argv[1], sys.argv[2], sys.argv[3]
N = int(sys.argv[4])
CA = sys.argv[5] if len(sys.argv) > 5 else ""
if AIO == "circuitpython":
    sys.path.insert(0, %(cp)r)
import asyncio, socket, time, gc, json
import adafruit_requests as requests

def ms_since(t):
    return time.ticks_diff(time.ticks_ms(), t)

def context():
    if not CA:
        return None
    import tls
    c = tls.SSLContext(tls.PROTOCOL_TLS_CLIENT)
    with open(CA, "rb") as f:
        c.load_verify_locations(f.read())
    return c

async def ticker(state):
    while not state["done"]:
        await asyncio.sleep_ms(10)
        state["ticks"] += 1

async def with_ticker(coro):
    state = {"done": False, "ticks": 0}
    t = asyncio.create_task(ticker(state))
    await asyncio.sleep_ms(0)
    start = time.ticks_ms()
    await coro
    took = ms_since(start)
    state["done"] = True
    await t
    return {"ms": took, "kept": min(1.0, state["ticks"] / max(1, took / 10))}

async def main():
    if TEST == "concurrent":
        s = requests.AsyncSession(socket, max_connections=N)
        start = time.ticks_ms()
        rs = await asyncio.gather(*(s.get(URL) for _ in range(N)))
        assert all(r.status_code == 200 for r in rs)
        return {"ms": ms_since(start)}
    if TEST == "sequential_blocking":
        s = requests.Session(socket)
        start = time.ticks_ms()
        for _ in range(N):
            s.get(URL).content
        return {"ms": ms_since(start)}
    if TEST == "download":
        s = requests.AsyncSession(socket)
        async def go():
            r = await s.get(URL, stream=True)
            n = 0
            async for c in r.aiter_content(4096):
                n += len(c)
            assert n == 16 << 20
        return await with_ticker(go())
    if TEST == "handshake":
        s = requests.AsyncSession(socket, context())
        async def go():
            r = await s.get(URL)
            assert r.status_code == 200
        return await with_ticker(go())
    if TEST in ("rps_async", "rps_blocking"):
        if TEST == "rps_async":
            s = requests.AsyncSession(socket)
            async def get():
                return (await s.get(URL)).content
        else:
            s = requests.Session(socket)
            async def get():
                return s.get(URL).content
        for _ in range(20):
            await get()
        start = time.ticks_ms()
        for _ in range(N):
            await get()
        took = ms_since(start)
        gc.collect()
        gc.disable()
        a = gc.mem_alloc()
        for _ in range(50):
            await get()
        b = gc.mem_alloc()
        gc.enable()
        return {"rps": N * 1000 / max(1, took), "gc": (b - a) / 50}

print("RESULT " + json.dumps(asyncio.run(main())))
"""


class DelayServer:
    """Answers every request after `delay` seconds, keep-alive, one thread
    per connection."""

    def __init__(self, delay):
        self.delay = delay
        self.sock = socket.socket()
        self.sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        self.sock.bind(("127.0.0.1", 0))
        self.sock.listen(64)
        self.port = self.sock.getsockname()[1]
        threading.Thread(target=self._accept, daemon=True).start()

    def _accept(self):
        while True:
            try:
                conn, _ = self.sock.accept()
            except OSError:
                return
            threading.Thread(target=self._serve, args=(conn,), daemon=True).start()

    def _serve(self, conn):
        body = b"slow answer"
        resp = b"HTTP/1.1 200 OK\r\nContent-Length: %d\r\n\r\n%s" % (len(body), body)
        pending = b""
        with conn:
            while True:
                while b"\r\n\r\n" not in pending:
                    data = conn.recv(65536)
                    if not data:
                        return
                    pending += data
                pending = pending.split(b"\r\n\r\n", 1)[1]
                time.sleep(self.delay)
                conn.sendall(resp)

    def url(self, path="/"):
        return "http://127.0.0.1:%d%s" % (self.port, path)


def run(work, aio, test, url, n, ca=""):
    cmd = [str(FIRMWARE), "-X", "heapsize=16m", str(work), aio, test, url, str(n)]
    if ca:
        cmd.append(ca)
    r = subprocess.run(cmd, capture_output=True, text=True, timeout=300)
    for line in r.stdout.splitlines():
        if line.startswith("RESULT "):
            return json.loads(line[7:])
    raise RuntimeError("%s %s failed: %s" % (aio, test, (r.stderr or r.stdout)[-400:]))


def best(work, rounds, key, better, *args):
    results = [run(work, *args) for _ in range(rounds)]
    return (min if better == "min" else max)(results, key=lambda r: r[key])


def main():
    quick = "--quick" in sys.argv
    rounds = 1 if quick else 3
    n_rps = 300 if quick else 1000
    if not FIRMWARE.exists():
        sys.exit("build the firmware first (make firmware)")
    tmp = pathlib.Path(tempfile.mkdtemp(prefix="rq-async-bench-"))
    work = tmp / "async_client.py"
    work.write_text(CLIENT % {"cp": str(CP_ASYNCIO)})
    tls = TLSMaterial()
    ca = tmp / "ca.der"
    ca.write_bytes(tls.ca_der)
    (tmp / "nginx").mkdir()
    nginx = Nginx(tmp / "nginx", tls)
    delay = DelayServer(0.1)
    rows = []
    impls = ["micropython"] + (["circuitpython"] if (CP_ASYNCIO / "asyncio").exists() else [])
    try:
        seq = best(work, rounds, "ms", "min", "micropython", "sequential_blocking",
                   delay.url("/"), 20)
        rps_blocking = best(work, rounds, "rps", "max", "micropython", "rps_blocking",
                            nginx.url("/small.json"), n_rps)
        for aio in impls:
            conc = best(work, rounds, "ms", "min", aio, "concurrent", delay.url("/"), 20)
            down = best(work, rounds, "kept", "max", aio, "download", nginx.url("/16m.bin"), 1)
            hand = best(work, rounds, "kept", "max", aio, "handshake",
                        nginx.url("/small.json", tls=True), 1, str(ca))
            rps = best(work, rounds, "rps", "max", aio, "rps_async", nginx.url("/small.json"),
                       n_rps)
            rows += [
                (aio, "20 GETs answered after 100 ms each: total ms (target < 300; "
                      "blocking Session one after another: %d)" % seq["ms"], "%d" % conc["ms"]),
                (aio, "ticks kept by a 10 ms task during a 16 MiB download (%d ms), target >= 90%%"
                 % down["ms"], "%.0f%%" % (100 * down["kept"])),
                (aio, "ticks kept during an HTTPS request with its handshake (%d ms), "
                      "target >= 90%%" % hand["ms"], "%.0f%%" % (100 * hand["kept"])),
                (aio, "keep-alive GETs per second: AsyncSession / Session (%.0f / %.0f), "
                      "target >= 0.5" % (rps["rps"], rps_blocking["rps"]),
                 "%.2f" % (rps["rps"] / rps_blocking["rps"])),
                (aio, "GC bytes per keep-alive GET: AsyncSession / Session (%.0f / %.0f), "
                      "target <= 2" % (rps["gc"], rps_blocking["gc"]),
                 "%.2f" % (rps["gc"] / max(1, rps_blocking["gc"]))),
            ]
    finally:
        nginx.stop()
    print("| asyncio | measure | result |")
    print("|---|---|---:|")
    for aio, what, value in rows:
        print("| %s | %s | %s |" % (aio, what, value))


if __name__ == "__main__":
    main()
