#!/usr/bin/env python3
"""Draws the benchmark's headline rows as an SVG bar chart (plain SVG text).

    python3 bench/chart.py [results.json] [chart.svg]

Defaults: bench/results.json -> bench/chart.svg. bench/run.py calls it after
a full run. A quick run (--quick, --only) measures too little for the chart,
so the chart is left alone unless --quick-ok is given.

Each row has its own scale: three bars (native, the reference, the bare
socket loop) as fractions of the row's largest value, labelled with the
measured numbers; the row's title says which direction is better and how
native compares with the reference.
"""

import json
import os
import sys
from xml.sax.saxutils import escape

BENCH = os.path.dirname(os.path.abspath(__file__))

# (metric key in results.json, title in the chart)
HEADLINE = [
    ("rps_plain", "small GET, keep-alive (requests/s)"),
    ("https_rps", "HTTPS small GET, keep-alive (requests/s)"),
    ("instructions", "instructions per small GET"),
    ("gc_bytes", "GC bytes allocated per small GET"),
    ("download_blob16m_content", "16 MiB download, content (MiB/s)"),
    ("post_1048576", "POST 1 MiB (MiB/s)"),
    ("json_json500k_ms", "json() of 500 KB (ms)"),
    ("heap_import_get", "smallest heap: import + Session + one GET (KiB)"),
]
CLIENTS = [("native", "native module", "#1f77b4"),
           ("reference", "reference 4.1.17", "#ff7f0e"),
           ("limit", "bare socket loop", "#9a9a9a")]

WIDTH = 820
LEFT = 150          # bar start
BAR_MAX = 520       # widest bar
BAR_H = 14
ROW_GAP = 18


def fmt(v):
    if v >= 1000:
        return "{:,.0f}".format(v)
    if v >= 100:
        return "%.0f" % v
    if v >= 10:
        return "%.1f" % v
    return "%.2f" % v


def comparison(row):
    v = row["values"]
    native, ref = v.get("native"), v.get("reference")
    if not native or not ref:
        return ""
    if row["better"] == "higher":
        r = native / ref
        return "native %s× the reference" % (fmt(r) if r < 100 else "{:,.0f}".format(r))
    r = ref / native
    return "native 1/%s of the reference" % ("%.0f" % r if r >= 10 else "%.1f" % r)


def rows_of(results):
    by_key = {m["key"]: m for m in results["metrics"]}
    return [(title, by_key[key]) for key, title in HEADLINE if key in by_key]


def caption(machine):
    parts = ["MicroPython 1.25 unix port", machine.get("cpu", "?")]
    if machine.get("cores"):
        parts.append("%s cores" % machine["cores"])
    parts.append(machine.get("date", "?"))
    parts.append("commit %s" % machine.get("commit", "?"))
    if machine.get("quick"):
        parts.append("quick run")
    return ", ".join(parts)


def svg(results):
    rows = rows_of(results)
    if not rows:
        raise ValueError("none of the headline metrics are in these results")
    row_h = 20 + BAR_H * len(CLIENTS) + ROW_GAP
    top = 74
    height = top + row_h * len(rows) + 10
    out = ['<svg xmlns="http://www.w3.org/2000/svg" width="%d" height="%d" '
           'viewBox="0 0 %d %d" font-family="Helvetica, Arial, sans-serif" font-size="12">'
           % (WIDTH, height, WIDTH, height),
           '<rect width="100%" height="100%" fill="white"/>',
           '<text x="10" y="22" font-size="16" font-weight="bold">adafruit_requests: native '
           'module vs the pure-Python reference vs a bare socket loop</text>',
           '<text x="10" y="40" fill="#555">%s</text>' % escape(caption(results["machine"]))]
    x = 10
    for _, name, colour in CLIENTS:
        out.append('<rect x="%d" y="50" width="12" height="12" fill="%s"/>' % (x, colour))
        out.append('<text x="%d" y="60">%s</text>' % (x + 16, escape(name)))
        x += 24 + 7 * len(name)
    y = top
    for title, row in rows:
        arrow = "higher is better" if row["better"] == "higher" else "lower is better"
        note = comparison(row)
        out.append('<text x="10" y="%d" font-weight="bold">%s</text>' % (y + 12, escape(title)))
        out.append('<text x="%d" y="%d" fill="#555" text-anchor="end">%s</text>'
                   % (WIDTH - 10, y + 12, escape(arrow + ("; " + note if note else ""))))
        values = row["values"]
        top_value = max([values[c] for c, _, _ in CLIENTS if values.get(c)] or [1])
        by = y + 20
        for client, name, colour in CLIENTS:
            out.append('<text x="%d" y="%d" fill="#333" text-anchor="end">%s</text>'
                       % (LEFT - 6, by + 11, escape(name)))
            v = values.get(client)
            if v is None:
                out.append('<text x="%d" y="%d" fill="#999">not measured</text>' % (LEFT, by + 11))
            else:
                w = max(1.0, BAR_MAX * v / top_value) if v else 0.0
                out.append('<rect x="%d" y="%d" width="%.1f" height="%d" fill="%s"/>'
                           % (LEFT, by + 1, w, BAR_H - 2, colour))
                out.append('<text x="%.1f" y="%d">%s</text>' % (LEFT + w + 5, by + 11, fmt(v)))
            by += BAR_H
        y += row_h
    out.append("</svg>")
    return "\n".join(out) + "\n"


def write(results, path):
    text = svg(results)
    tmp = path + ".tmp"
    with open(tmp, "w") as f:
        f.write(text)
    os.replace(tmp, path)
    return path


def main(argv):
    quick_ok = "--quick-ok" in argv
    args = [a for a in argv if a != "--quick-ok"]
    src = args[0] if args else os.path.join(BENCH, "results.json")
    dest = args[1] if len(args) > 1 else os.path.join(BENCH, "chart.svg")
    with open(src) as f:
        results = json.load(f)
    if results["machine"].get("quick") and not quick_ok:
        sys.exit("%s holds a quick run; the chart wants a full one (--quick-ok draws it anyway)"
                 % src)
    print("chart:", write(results, dest), "(%d rows)" % len(rows_of(results)))


if __name__ == "__main__":
    main(sys.argv[1:])
