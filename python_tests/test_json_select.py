"""r.json(*path), r.json({name: path}) and r.iter_json(*path) (SPEC.md §9):
selections from big documents served by nginx (HTTP and HTTPS), httpbin,
and scripted servers for chunked and read-to-close bodies cut at awkward
places; errors; and a whole run in a 32 KiB heap."""

import json
import math

import pytest

from helpers import canned, run_session
from json_docs import forecast, walk
from servers import http_response

pytestmark = pytest.mark.native_only

SETUP = """
import testkit
s, pool = testkit.make_session(requests, P["kind"], P["ca"])
U = P["url"]
"""

# A selection returns a list for a wildcard path, else the value.
PATHS = {
    "temp": ("current", "temp"),
    "desc": ("current", "weather", 0, "description"),
    "hour7": ("hourly", 7),
    "maxes": ("daily", None, "temp", "max"),
    "alert": ("alerts", 0, "sender"),
    "last_note": ("hourly", 1283, "note"),
}


def same(a, b):
    """Equal, floats within rounding: MicroPython's float parser can be one
    unit in the last place off."""
    if isinstance(a, float) or isinstance(b, float):
        return isinstance(a, (int, float)) and isinstance(b, (int, float)) \
            and math.isclose(a, b, rel_tol=1e-12)
    if isinstance(a, list) and isinstance(b, list):
        return len(a) == len(b) and all(same(x, y) for x, y in zip(a, b))
    if isinstance(a, dict) and isinstance(b, dict):
        return a.keys() == b.keys() and all(same(a[k], b[k]) for k in a)
    return a == b


def expected(doc, path):
    found = walk(doc, list(path))
    return found if None in path else found[-1]


@pytest.fixture(scope="module")
def docs(nginx):
    """Big documents written next to nginx's other files (it serves the
    directory as it is)."""
    www = nginx.root / "www"
    made = {}
    for name, size, seed in (("f500k.json", 500_000, 7), ("f500k_utf8.json", 500_000, 8),
                             ("f5m.json", 5_000_000, 9)):
        data = forecast(size, seed)
        (www / name).write_bytes(data)
        made[name] = json.loads(data)
    return made


def run(mpy, script, url, ca, pool_kind, **params):
    params.update(url=url, ca=ca, kind=pool_kind)
    return mpy.run(SETUP + script, params=params)


@pytest.mark.parametrize("tls", [False, True], ids=["http", "https"])
@pytest.mark.parametrize("stream", [False, True], ids=["plain", "stream"])
def test_paths_from_500k_on_nginx(mpy, impl, pool_kind, nginx, docs, tls_material, tls, stream):
    doc = docs["f500k.json"]
    out = run(mpy, """
res = []
for name, path in P["paths"]:
    r = s.get(P["doc"], stream=P["stream"])
    res.append([name, r.json(*path)])
    res.append(attempt(lambda: r.content))
emit(res)
r = s.get(P["doc"], stream=P["stream"])
emit(r.json(dict((n, tuple(p)) for n, p in P["paths"])))
r = s.get(P["small"])
emit(r.json())
""", nginx.url("", tls), tls_material.ca_der if tls else None, pool_kind,
        doc=nginx.url("/f500k.json", tls), small=nginx.url("/small.json", tls),
        stream=stream, paths=list(PATHS.items()))
    each, together, after = out.records
    for i, (name, path) in enumerate(PATHS.items()):
        assert each[2 * i][0] == name and same(each[2 * i][1], expected(doc, path)), name
        # The body went through the selector: nothing is kept.
        assert each[2 * i + 1][:2] == ["err", "RuntimeError"]
    assert same(together, {name: expected(doc, path) for name, path in PATHS.items()})
    # The connection came back clean for the next request.
    assert after == json.loads(nginx.files["small.json"])


@pytest.mark.parametrize("tls", [False, True], ids=["http", "https"])
def test_iter_json_yields_each_item_of_500k(mpy, impl, pool_kind, nginx, docs, tls_material, tls):
    doc = docs["f500k_utf8.json"]
    out = run(mpy, """
r = s.get(P["doc"])
n = 0
temps = []
descs = []
for hour in r.iter_json("hourly", None):
    n += 1
    temps.append(hour["temp"])
    descs.append(hour["weather"][0]["description"])
emit([n, temps, descs[:50]])
r = s.get(P["doc"])
emit(list(r.iter_json("daily", 2, "summary")))
""", nginx.url("", tls), tls_material.ca_der if tls else None, pool_kind,
        doc=nginx.url("/f500k_utf8.json", tls))
    hours = doc["hourly"]
    assert same(out.records[0], [len(hours), [h["temp"] for h in hours],
                                 [h["weather"][0]["description"] for h in hours[:50]]])
    assert out.records[1] == [doc["daily"][2]["summary"]]


def test_httpbin_json_both_schemes(mpy, impl, pool_kind, httpbin_both):
    url, ca = httpbin_both
    out = run(mpy, """
r = s.get(U + "/json")
emit(r.json("slideshow", "slides", None, "title"))
r = s.get(U + "/json")
emit(r.json({"author": ("slideshow", "author"), "first": ("slideshow", "slides", 0, "type")}))
""", url, ca, pool_kind)
    assert out.records == [["Wake up to WonderWidgets!", "Overview"],
                           {"author": "Yours Truly", "first": "all"}]


DOC = {"a": {"b": [10, {"c": "\u00e9\u20ac\U0001f600 \"q\" \\"}, -2.5e-3, None, True]},
       "k\u00e9y": [[1, 2], [3]], "big": "z" * 5000, "n": 12345678901234567890}
# Astral characters go in as raw UTF-8 here; as escaped pairs they are
# test_json_pairs.py's.
DOC_BYTES = json.dumps(DOC, ensure_ascii=False).encode()
SMALL_PATHS = [["a", "b", 1, "c"], ["a", "b", None], ["k\u00e9y", None, 0], ["n"], ["big"],
               ["a", "b", 2], ["a"]]


def chunked(body, sizes):
    out, i, k = b"", 0, 0
    while i < len(body):
        piece = body[i:i + sizes[k % len(sizes)]]
        out += b"%x\r\n%s\r\n" % (len(piece), piece)
        n = len(piece)
        i, k = i + n, k + 1
    return out + b"0\r\n\r\n"


def trickled(raw, sizes):
    """A response sent in pieces of these sizes, so reads end everywhere."""
    actions, i, k = [("read",)], 0, 0
    while i < len(raw):
        n = sizes[k % len(sizes)]
        actions.append(("send", raw[i:i + n]))
        actions.append(("sleep", 0.0005))
        i, k = i + n, k + 1
    return actions


FRAMINGS = {
    "length": lambda: http_response(200, [("Content-Type", "application/json")], DOC_BYTES),
    "chunked": lambda: http_response(200, [("Transfer-Encoding", "chunked")],
                                     chunked(DOC_BYTES, [1, 2, 3, 5, 7, 11, 13, 997])),
    "close": lambda: http_response(200, [("Connection", "close")], DOC_BYTES, version="HTTP/1.0"),
}


@pytest.mark.parametrize("framing", sorted(FRAMINGS))
def test_framings_with_reads_ending_everywhere(mpy, impl, pool_kind, scripted_server, framing):
    raw = FRAMINGS[framing]()
    script = trickled(raw, [1, 3, 2, 7, 64, 5]) + [("close",)]
    srv = scripted_server([script], repeat_last=True)
    out = run(mpy, """
res = []
for path in P["paths"]:
    r = s.get(U)
    res.append(attempt(r.json, *path))
r = s.get(U)
res.append(list(r.iter_json("a", "b", None)))
r = s.get(U)
res.append(r.json({"x": ["a", "b", 0], "y": ["missing"], "z": ["a", "b", None]}))
emit(res)
""", srv.url("/doc"), None, pool_kind, paths=SMALL_PATHS)
    res = out.one
    for got, path in zip(res, SMALL_PATHS):
        assert got[0] == "ok" and same(got[1], expected(DOC, path)), path
    assert same(res[len(SMALL_PATHS)], DOC["a"]["b"])
    assert same(res[-1], {"x": 10, "z": DOC["a"]["b"]})


def test_cached_body_selects_from_memory(mpy, impl, pool_kind, scripted_server):
    srv = canned(scripted_server, FRAMINGS["chunked"]())
    out = run(mpy, """
r = s.get(U)
c = r.content
emit([r.json("a", "b", 1, "c"), list(r.iter_json("k\u00e9y", None)), r.json("n"), r.content == c,
      r.json()["a"]["b"][0]])
""", srv.url("/doc"), None, pool_kind)
    assert out.one == [DOC["a"]["b"][1]["c"], DOC["k\u00e9y"], DOC["n"], True, 10]
    # Everything came from memory: one request only.
    assert len(srv.requests) == 1


BAD = [
    (b'{"a": [1, 2,, 3]}', "Invalid JSON at byte 12"),
    (b'{"a": 1} x', "Invalid JSON at byte 9"),
    (b'{"a": "\\x"}', "Invalid JSON at byte 8"),
    (b'{"a": [1, 2', "JSON document ends early at byte 11"),
    (b'', "JSON document ends early at byte 0"),
    (b'{"z": ' + b"[" * 65 + b"]" * 65 + b"}", "JSON nested deeper than 64 levels at byte 69"),
]


@pytest.mark.parametrize("body,message", BAD, ids=[m for _, m in BAD])
def test_bad_json_is_a_value_error_with_the_offset(mpy, impl, pool_kind, scripted_server, body, message):
    srv = canned(scripted_server, http_response(200, [("Transfer-Encoding", "chunked")],
                                                chunked(body, [3])), close=True)
    out = run(mpy, """
r = s.get(U)
a = attempt(r.json, "a")
r = s.get(U)
b = attempt(lambda: list(r.iter_json("a")))
r = s.get(U)
c = r.content
d = attempt(r.json, "a")
emit([a, b, d])
""", srv.url("/bad"), None, pool_kind)
    for got in out.one:
        assert got == ["err", "ValueError", message]


def test_no_match_and_bad_paths(mpy, impl, pool_kind, scripted_server):
    srv = canned(scripted_server, FRAMINGS["length"](), close=True)
    out = run(mpy, """
res = []
for args in (("a", "nope"), ("a", "b", 9), ("k\u00e9y", "x")):
    r = s.get(U)
    try:
        r.json(*args)
        res.append("no error")
    except KeyError as e:
        res.append(["KeyError", list(e.args[0])])
r = s.get(U)
res.append(r.json("nope", None))
for args in (("a", -1), ("a", 1.5), ({"x": ("a", b"b")},)):
    r = s.get(U)
    res.append(attempt(r.json, *args)[:2])
r = s.get(U)
res.append(r.json({"x": ("nope",), "y": "n"}))
emit(res)
""", srv.url("/doc"), None, pool_kind)
    assert out.one == [
        ["KeyError", ["a", "nope"]], ["KeyError", ["a", "b", 9]], ["KeyError", ["k\u00e9y", "x"]],
        [], ["err", "ValueError"], ["err", "TypeError"], ["err", "TypeError"], {"y": DOC["n"]},
    ]


def test_stalled_body_times_out_within_timeout_plus_1s(mpy, impl, pool_kind, scripted_server):
    raw = http_response(200, [("Content-Type", "application/json")], DOC_BYTES)
    srv = scripted_server([[("read",), ("send", raw[:len(raw) // 2]), ("sleep", 5), ("close",)]])
    out = run(mpy, """
import time
r = s.get(U, timeout=1)
t0 = time.ticks_ms()
res = attempt(r.json, "n")
emit([res[0], res[1], time.ticks_diff(time.ticks_ms(), t0)])
""", srv.url("/slow"), None, pool_kind)
    kind, name, ms = out.one
    assert kind == "err" and name in ("OSError", "TimeoutError"), out.one
    assert ms < 1000 + 1000


def test_content_after_selection_raises_and_json_again_too(mpy, impl, pool_kind, nginx, docs):
    out = run(mpy, """
r = s.get(P["doc"])
v = r.json("lat")
emit([v, attempt(lambda: r.text)[:2], attempt(r.json)[:2], attempt(r.json, "lat")[:2]])
""", nginx.url(""), None, pool_kind, doc=nginx.url("/f500k.json"))
    assert out.one == [docs["f500k.json"]["lat"], ["err", "RuntimeError"], ["err", "RuntimeError"],
                       ["err", "RuntimeError"]]


# ---- a small heap ----

LOWMEM = """
import gc, socket, adafruit_requests
s = adafruit_requests.Session(socket)
r = s.get(P["doc"])
if P["how"] == "select":
    v = r.json({"t": ("current", "temp"), "m": ("daily", 20, "temp", "max"), "h": ("hourly", 900, "dt")})
elif P["how"] == "iter":
    v = 0
    for hour in r.iter_json("hourly", None):
        v += 1
else:
    v = r.json()
gc.collect()
emit(v)
"""


@pytest.mark.parametrize("name", ["f500k.json", "f5m.json"])
def test_select_and_iterate_in_a_32k_heap(mpy, nginx, docs, name):
    doc = docs[name]
    sel = mpy.run(LOWMEM, params={"doc": nginx.url("/" + name), "how": "select"},
                  heapsize="32k", import_requests=False).one
    assert same(sel, {"t": doc["current"]["temp"], "m": doc["daily"][20]["temp"]["max"],
                      "h": doc["hourly"][900]["dt"]})
    n = mpy.run(LOWMEM, params={"doc": nginx.url("/" + name), "how": "iter"},
                heapsize="32k", import_requests=False).one
    assert n == len(doc["hourly"])


def test_whole_document_does_not_fit_in_32k(mpy, nginx, docs):
    """The same run with json(): what selection avoids."""
    res = mpy.run(LOWMEM, params={"doc": nginx.url("/f500k.json"), "how": "whole"},
                  heapsize="32k", import_requests=False, check=False)
    # CircuitPython prints the traceback on stdout.
    assert "MemoryError" in res.stderr + res.stdout, res.describe()


def test_selection_beats_full_parse_time(mpy, nginx, docs):
    """SPEC §9: a few values from 500 KB in at most half the time of json()."""
    out = mpy.run("""
import socket, time, adafruit_requests
s = adafruit_requests.Session(socket)
best = {}
for rnd in range(3):
    for how in ("whole", "select"):
        r = s.get(P["doc"])
        t0 = time.ticks_us()
        if how == "whole":
            r.json()
        else:
            r.json({"t": ("current", "temp"), "d": ("hourly", 500, "dt"), "x": ("daily", 3, "summary")})
        dt = time.ticks_diff(time.ticks_us(), t0)
        best[how] = min(best.get(how, dt), dt)
emit(best)
""", params={"doc": nginx.url("/f500k.json")}, import_requests=False).one
    assert out["select"] * 2 <= out["whole"], out
