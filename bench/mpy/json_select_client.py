"""MicroPython side of bench/json_select.py.

    micropython json_select_client.py CLIENT HOW URL REPS [nogc]

CLIENT: native (built-in adafruit_requests), reference (ref_requests over
bench_pool, its json() through ref_json), json_stream (adafruit_json_stream
fed by the reference's iter_content), loads (the native Session's content
handed to the firmware's own json.loads: what json() is measured against). HOW: whole (json() of the document),
pick3 (three values), iter1000 (the first 1,000 hourly items). Prints
"RESULT {json}" with the best time and a check value. nogc: the collector
stays off (no gc.collect() between runs), so that an instruction count of
the whole script holds only the requests' own work.
"""

import gc
import json
import socket
import sys
import time

CLIENT, HOW, URL, REPS = sys.argv[1], sys.argv[2], sys.argv[3], int(sys.argv[4])
NOGC = sys.argv[5:] == ["nogc"]


def session():
    if CLIENT in ("native", "loads"):
        import adafruit_requests

        return adafruit_requests.Session(socket)
    import bench_pool
    import ref_requests

    if CLIENT == "reference":
        import ref_json

        ref_requests.json_module = ref_json
    return ref_requests.Session(bench_pool.Pool())


def native(r):
    if HOW == "whole":
        d = r.json()
        return [d["current"]["temp"], d["hourly"][500]["dt"], d["daily"][3]["summary"]]
    if HOW == "pick3":
        d = r.json({"t": ("current", "temp"), "h": ("hourly", 500, "dt"), "s": ("daily", 3, "summary")})
        return [d["t"], d["h"], d["s"]]
    n = 0
    for hour in r.iter_json("hourly", None):
        n += 1
        if n == 1000:
            break
    return n


def loads(r):
    d = json.loads(r.content)
    return [d["current"]["temp"], d["hourly"][500]["dt"], d["daily"][3]["summary"]]


def reference(r):
    d = r.json()
    if HOW == "iter1000":
        return min(1000, len(d["hourly"]))
    return [d["current"]["temp"], d["hourly"][500]["dt"], d["daily"][3]["summary"]]


def json_stream(r):
    import adafruit_json_stream

    d = adafruit_json_stream.load(r.iter_content(chunk_size=512))
    hourly = None
    if HOW == "iter1000":
        n = 0
        for hour in d["hourly"]:
            n += 1
            hour.finish()
            if n == 1000:
                break
        return n
    t = d["current"]["temp"]
    for i, hour in enumerate(d["hourly"]):
        if i == 500:
            hourly = hour["dt"]
            break
    for i, day in enumerate(d["daily"]):
        if i == 3:
            return [t, hourly, day["summary"]]


def main():
    s = session()
    fn = {"native": native, "reference": reference, "json_stream": json_stream,
          "loads": loads}[CLIENT]
    best = None
    check = None
    if NOGC:
        gc.disable()
    for _ in range(REPS):
        if not NOGC:
            gc.collect()
        t0 = time.ticks_us()
        r = s.get(URL)
        check = fn(r)
        r.close()
        t = time.ticks_diff(time.ticks_us(), t0)
        best = t if best is None else min(best, t)
        r = None
    print("RESULT " + json.dumps({"us": best, "check": check}))


main()
