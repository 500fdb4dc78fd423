"""The board case side by side: three values from a 500 KB reply with the
whole firmware in a 32 KiB heap. The native module selects them while the
body streams; the reference has to build the whole document (and needs more
than 32 KiB before its first request)."""

import json

import pytest

from json_docs import forecast


@pytest.fixture(scope="module")
def doc500(nginx):
    data = forecast(500_000, 5)
    (nginx.root / "www" / "ref500k.json").write_bytes(data)
    return json.loads(data)


@pytest.mark.reference_bug("builds the whole 500 KB document: MemoryError in 32 KiB")
def test_three_values_from_500k_in_32k(mpy, impl, nginx, doc500):
    out = mpy.run("""
if IMPL == "native":
    import socket
    s = requests.Session(socket)
else:
    import faultpool
    s = requests.Session(faultpool.FaultPool())
r = s.get(P["doc"])
if IMPL == "native":
    v = r.json({"t": ("current", "temp"), "h": ("hourly", 700, "dt"), "d": ("daily", 5, "summary")})
    v = [v["t"], v["h"], v["d"]]
else:
    d = r.json()
    v = [d["current"]["temp"], d["hourly"][700]["dt"], d["daily"][5]["summary"]]
emit(v)
""", params={"doc": nginx.url("/ref500k.json")}, heapsize="32k")
    assert out.one == [doc500["current"]["temp"], doc500["hourly"][700]["dt"],
                       doc500["daily"][5]["summary"]]
