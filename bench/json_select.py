"""Big JSON on a small heap: picking 3 values from, and iterating 1,000
items of, 500 KB and 5 MB forecast-like documents served by nginx, for the
native json(*path)/iter_json, our own json() of the whole document, the
reference's json() and adafruit_json_stream (PyPI) over the reference.

    deps/venv/bin/python bench/json_select.py [--quick]
    deps/venv/bin/python bench/json_select.py --whole [--callgrind]

--whole compares only this module's json() of the whole document (checked
by the strict tokenizer as it parses) with the firmware's own json.loads of
the same response's content, best of 9, and prints their ratio. With
--callgrind it counts instructions instead of timing: the whole script
under callgrind with two requests minus with one, the collector off (the
timed runs collect before each request, outside the time), so the machine's
load does not enter the ratio.

Times are the best of several runs; "smallest heap" is the smallest
`-X heapsize` (bisected to 1 KiB) at which the whole script -- import,
Session, request, selection -- succeeds. The reference and
adafruit_json_stream run on build/micropython-plain (the firmware without
the module) when it exists. Prints a markdown table.
"""

import json
import os
import pathlib
import re
import shutil
import subprocess
import sys
import tempfile

BENCH = pathlib.Path(__file__).resolve().parent
ROOT = BENCH.parent
sys.path.insert(0, str(ROOT / "python_tests"))

from json_docs import forecast  # noqa: E402
from servers.nginx import Nginx  # noqa: E402
from servers.tlscerts import TLSMaterial  # noqa: E402

CACHE = BENCH / ".cache" / "json_select"
FIRMWARE = ROOT / "build" / "micropython"
PLAIN = ROOT / "build" / "micropython-plain"


def prepare():
    """Import path for the firmware: the bench's MicroPython files, the
    reference as ref_requests, adafruit_json_stream from PyPI."""
    work = CACHE / "work"
    if work.exists():
        shutil.rmtree(work)
    shutil.copytree(BENCH / "mpy", work)
    ref = ROOT / "deps" / "reference"
    shutil.copy(ref / "adafruit_requests.py", work / "ref_requests.py")
    shutil.copy(ref / "adafruit_connection_manager.py", work / "adafruit_connection_manager.py")
    pkg = CACHE / "pypi"
    if not (pkg / "adafruit_json_stream.py").exists():
        pkg.mkdir(parents=True, exist_ok=True)
        subprocess.run([sys.executable, "-m", "pip", "install", "-q", "--no-deps", "--target",
                        str(pkg), "adafruit-circuitpython-json-stream==0.9.5"], check=True)
    shutil.copy(pkg / "adafruit_json_stream.py", work / "adafruit_json_stream.py")
    cross = ROOT / "build" / "mpy-cross" / "mpy-cross"
    if cross.exists():
        # As Adafruit's bundle ships them: compiled, so the heap numbers do
        # not include compiling source.
        for name in ("ref_requests", "adafruit_connection_manager", "adafruit_json_stream",
                     "bench_pool", "ref_json"):
            src = work / (name + ".py")
            subprocess.run([str(cross), "-o", str(work / (name + ".mpy")), str(src)], check=True)
            src.unlink()
    return work


def run(work, client, how, url, reps, heap, callgrind=False):
    firmware = FIRMWARE if client in ("native", "loads") or not PLAIN.exists() else PLAIN
    cmd = [str(firmware), "-X", "heapsize=%d" % heap, str(work / "json_select_client.py"),
           client, how, url, str(reps)]
    if callgrind:
        cmd = ["valgrind", "--tool=callgrind", "--callgrind-out-file=/dev/null"] + cmd + ["nogc"]
    r = subprocess.run(cmd, capture_output=True, text=True, timeout=1800,
                       env=dict(os.environ, MICROPYPATH=str(work)), cwd=str(work))
    for line in r.stdout.splitlines():
        if line.startswith("RESULT "):
            res = json.loads(line[7:])
            if callgrind:
                m = re.search(r"Collected\s*:\s*(\d+)", r.stderr)
                return {"instr": int(m.group(1))} if m else {"error": "no callgrind summary"}
            return res
    lines = (r.stderr + r.stdout).strip().splitlines()
    return {"error": (lines or ["exit %d" % r.returncode])[-1][:120]}


def smallest_heap(work, client, how, url, hi):
    lo_fail, hi_ok = 2 * 1024, None
    if "error" in run(work, client, how, url, 1, hi):
        return -1
    hi_ok = hi
    while hi_ok - lo_fail > 1024:
        mid = (lo_fail + hi_ok) // 2 // 1024 * 1024
        if "error" in run(work, client, how, url, 1, mid):
            lo_fail = mid
        else:
            hi_ok = mid
    return hi_ok


def versus_loads(ng, docs, sizes, measure, show, digits):
    """A row per document: json() beside json.loads(r.content), each as
    measure(client, url) gives it (a number, or why it failed)."""
    print("| document | native json() | firmware json.loads(r.content) | ratio |")
    print("|---|---:|---:|---:|")
    for label, name in docs.items():
        url = ng.url("/" + name)
        n, l = (measure(client, url) for client in ("native", "loads"))
        ratio = "%.*f" % (digits, n / l) if isinstance(n, int) and isinstance(l, int) else "—"
        print("| %s (%d B) | %s | %s | %s |" % (label, sizes[label], show(n), show(l), ratio))


def whole_vs_loads(work, ng, docs, sizes):
    def best_us(client, url):
        res = run(work, client, "whole", url, 9, 64 << 20)
        return res.get("us", res.get("error"))
    versus_loads(ng, docs, sizes, best_us, lambda v: cell(v, None), 2)


def instructions_vs_loads(work, ng, docs, sizes):
    def per_request(client, url):
        # Two documents' garbage stays on the heap: 64-bit objects of a
        # 5 MB document take about 17 MB.
        one, two = (run(work, client, "whole", url, n, 160 << 20, callgrind=True)
                    for n in (1, 2))
        if "instr" in one and "instr" in two:
            return two["instr"] - one["instr"]
        return one.get("error") or two.get("error")
    versus_loads(ng, docs, sizes, per_request,
                 lambda v: "{:,}".format(v) if isinstance(v, int) else "fails (%s)" % v, 3)


def main():
    quick = "--quick" in sys.argv
    reps = 2 if quick else 5
    work = prepare()
    root = pathlib.Path(tempfile.mkdtemp(prefix="json-bench-"))
    ng = Nginx(root, TLSMaterial())
    docs = {"500 KB": "f500k.json", "5 MB": "f5m.json"}
    sizes = {}
    try:
        for label, name in docs.items():
            data = forecast(500_000 if label == "500 KB" else 5_000_000, 7)
            (root / "www" / name).write_bytes(data)
            sizes[label] = len(data)
        if "--whole" in sys.argv:
            if "--callgrind" in sys.argv:
                instructions_vs_loads(work, ng, docs, sizes)
            else:
                whole_vs_loads(work, ng, docs, sizes)
            return
        rows = []
        for label, name in docs.items():
            url = ng.url("/" + name)
            for how, what in (("pick3", "pick 3 values"), ("iter1000", "iterate 1,000 items")):
                row = {"what": "%s of %s (%d B)" % (what, label, sizes[label])}
                for client, mode in (("native", how), ("native_whole", "whole"),
                                     ("reference", how), ("json_stream", how)):
                    c = "native" if client == "native_whole" else client
                    if client == "native_whole" and how == "iter1000":
                        continue
                    # The pure-Python clients take seconds per 5 MB run.
                    slow = c != "native" and label == "5 MB"
                    res = run(work, c, mode, url, 1 if slow else reps, 64 << 20)
                    row[client] = res.get("us", res.get("error"))
                    if not (quick or slow) or c == "native":
                        row[client + "_heap"] = smallest_heap(work, c, mode, url, 16 << 20)
                rows.append(row)
                print(json.dumps(row), file=sys.stderr)
    finally:
        ng.stop()
        shutil.rmtree(root, ignore_errors=True)
    print_table(rows)


def cell(v, heap):
    if v is None:
        return "—"
    if isinstance(v, str):
        return "fails (%s)" % v
    h = "; heap %s KiB" % (heap // 1024) if heap and heap > 0 else "; heap > 16 MiB" if heap else ""
    return "%.1f ms%s" % (v / 1000, h)


def print_table(rows):
    print("| task | native json(*path)/iter_json | native json() | reference json() | adafruit_json_stream | native vs json() | native vs json_stream |")
    print("|---|---:|---:|---:|---:|---:|---:|")
    for r in rows:
        nat = r.get("native")
        def ratio(other):
            o = r.get(other)
            if isinstance(nat, (int, float)) and isinstance(o, (int, float)):
                return "%.1f× faster" % (o / nat)
            return "—"
        print("| %s | %s | %s | %s | %s | %s | %s |" % (
            r["what"], cell(nat, r.get("native_heap")),
            cell(r.get("native_whole"), r.get("native_whole_heap")),
            cell(r.get("reference"), r.get("reference_heap")),
            cell(r.get("json_stream"), r.get("json_stream_heap")),
            ratio("native_whole"), ratio("json_stream")))


if __name__ == "__main__":
    main()
