"""Every script in examples/ runs on the firmware against scripts/demo_server.py
and prints what it promises. An example without an expectation here fails
test_every_example_has_a_check, so a new example cannot go unchecked."""

import base64
import hashlib
import json
import os
import pathlib
import re
import subprocess
import sys
import urllib.parse

import pytest

from firmware_caps import firmware_caps, natmod_lacks, natmod_path

REPO = pathlib.Path(__file__).resolve().parent.parent
EXAMPLES = REPO / "examples"
CP_LIBS = REPO / "deps" / "cp_asyncio"  # CircuitPython's asyncio and adafruit_ticks
sys.path.insert(0, str(REPO / "scripts"))

import demo_server  # noqa: E402

pytestmark = pytest.mark.native_only
COST = r"\((\d+) ms, (\d+) B heap in use\)"


@pytest.fixture(scope="module")
def server():
    with demo_server.DemoServer() as srv:
        yield srv


def run(firmware, name, server, args=(), heap=None, cwd=None, path=()):
    cmd = [firmware] + (["-X", "heapsize=" + heap] if heap else [])
    cmd += [str(EXAMPLES / name), server.url] + [str(a) for a in args]
    env = dict(os.environ, DEMO_URL=server.url)
    extra = [str(p) for p in path]
    if firmware_caps()["name"] == "circuitpython":
        extra.append(str(CP_LIBS))
    if natmod_path():
        # The folder `make natmod` writes adafruit_requests.mpy to.
        extra.insert(0, os.path.dirname(os.path.abspath(natmod_path())))
    if extra:
        env["MICROPYPATH"] = ":".join(extra + [".frozen"])
    proc = subprocess.run(cmd, capture_output=True, text=True, timeout=120, env=env,
                          cwd=cwd or REPO)
    assert proc.returncode == 0, "%s failed:\n%s%s" % (name, proc.stdout, proc.stderr)
    return proc.stdout.splitlines()


def line_matching(lines, pattern):
    for line in lines:
        m = re.search(pattern, line)
        if m:
            return m
    raise AssertionError("no line matches %r in:\n%s" % (pattern, "\n".join(lines)))


def check_demo(firmware, server, tmp_path):
    out = run(firmware, "demo.py", server)
    m = line_matching(out, r"^GET /json -> 200 application/json station: greenhouse "
                           r"readings: \[21\.5, 21\.7, 22\.0\] " + COST)
    assert line_matching(out, r"^POST form -> 200 name=board\+1&temp=21\.5 " + COST)
    body = line_matching(out, r"^POST json -> 200 (\{.*\}) " + COST).group(1)
    assert json.loads(body) == {"led": True, "level": 3}
    assert line_matching(out, r"^GET /blob streamed 65536 bytes .* " + COST)
    assert int(m.group(2)) < 64 * 1024
    assert out[-1].endswith(" done") and out[-1].startswith("adafruit_requests 4.1.17")


def check_json_api(firmware, server, tmp_path):
    out = run(firmware, "json_api.py", server)
    assert out[:4] == ["ok = True", "readings = [21.5, 21.7, 22.0]", "station = greenhouse",
                       "unit = C"]
    assert re.match(r"raise_for_status: 404 .*Not Found.*/missing", out[4]), out


def check_form_post(firmware, server, tmp_path):
    out = run(firmware, "form_post.py", server)
    assert out[0] == "200 bytearray(b'OK')"
    body = line_matching(out, r"^body: (.*)$").group(1)
    assert urllib.parse.parse_qs(body) == {"sensor": ["temp & humidity"], "value": ["21.5"]}
    assert "content type: application/x-www-form-urlencoded" in out
    assert "query: source=board" in out
    expect = "Basic " + base64.b64encode(b"device:secret").decode()
    assert "authorization: " + expect in out


def check_file_upload(firmware, server, tmp_path):
    data = bytes((i * 131 + 7) % 251 for i in range(50_000))
    path = tmp_path / "sample.bin"
    path.write_bytes(data)
    out = run(firmware, "file_upload.py", server, args=(path,))
    assert out[0] == "POST /upload -> 200"
    digest = hashlib.sha256(data).hexdigest()
    assert "part upload: filename sample.bin, 50000 bytes, sha256 %s..." % digest[:16] in out
    note = hashlib.sha256(b"sent from a board").hexdigest()
    assert "part note: filename None, 17 bytes, sha256 %s..." % note[:16] in out
    assert out[-1] == "uploaded 50000 bytes, sha256 matches"


def check_download_to_file(firmware, server, tmp_path):
    out = run(firmware, "download_to_file.py", server, args=("out.bin",), cwd=tmp_path)
    m = line_matching(out, r"^wrote 262144 bytes to out\.bin " + COST)
    assert (tmp_path / "out.bin").read_bytes() == bytes(range(256)) * 1024
    # streamed through one 4 KiB buffer: far less heap than the body
    assert int(m.group(2)) < 64 * 1024


def check_big_json(firmware, server, tmp_path):
    facts = demo_server.big_facts(5000)
    size = len(demo_server.big_document(5000))
    assert size > 4_000_000
    out = run(firmware, "big_json.py", server, heap="32k")
    heap = r"\((\d+) ms, (\d+) B in use of a (\d+) B heap\)"
    m = line_matching(out, r"^picked from (\d+) bytes: city (\w+), now ([\d.]+) C, "
                           r"highs (\[.*\]) " + heap)
    assert int(m.group(1)) == size
    assert m.group(2) == facts["city"] and float(m.group(3)) == facts["current_temp"]
    assert json.loads(m.group(4)) == facts["highs"]
    assert int(m.group(7)) <= 32 * 1024
    m = line_matching(out, r"^iterated (\d+) hourly entries: warmest ([\d.]+) C at (\d+) " + heap)
    assert int(m.group(1)) == facts["hours"]
    assert float(m.group(2)) == facts["warmest"] and int(m.group(3)) == facts["warmest_dt"]
    assert line_matching(out, r"^whole-document json\(\): MemoryError")


def check_gzip_body(firmware, server, tmp_path):
    import gzip

    doc = demo_server.big_document(300)
    facts = demo_server.big_facts(300)
    wire = len(gzip.compress(doc, 6))
    out = run(firmware, "gzip_body.py", server)
    m = line_matching(out, r"^gzip body: (\d+) bytes on the wire \(Content-Encoding: gzip\), "
                           r"(\d+) decoded " + COST)
    assert int(m.group(1)) == wire and int(m.group(2)) == len(doc)
    m = line_matching(out, r"^gzip json selection: now ([\d.]+) C, highs (\[.*\]) " + COST)
    assert float(m.group(1)) == facts["current_temp"]
    assert json.loads(m.group(2)) == facts["highs"]
    # the decoder's 32 KiB window goes with the Session's last response
    closed = line_matching(out, r"^after session.close\(\): (\d+) B heap in use$")
    assert int(closed.group(1)) < 32 * 1024


def check_async_session(firmware, server, tmp_path):
    caps = firmware_caps()
    if not caps.get("select"):
        pytest.skip("%s firmware without select, which asyncio polls" % caps["name"])
    out = run(firmware, "async_session.py", server)
    m = line_matching(out, r"^8 requests of 300 ms each, 4 at a time: (\d+) ms in all "
                           r"\(one after another: 2400 ms\), ids (\[.*\])")
    assert json.loads(m.group(2)) == list(range(8))
    elapsed = int(m.group(1))
    # two rounds of four overlap to about 600 ms; serial would be 2,400
    assert 580 <= elapsed < 1500, elapsed
    ticks = int(line_matching(out, r"ticked (\d+) times").group(1))
    assert ticks >= elapsed // 10 // 2, (ticks, elapsed)


def check_circuitpython_settings(firmware, server, tmp_path):
    here = REPO / "python_tests"
    out = run(firmware, "circuitpython_settings.py", server,
              path=(here / "mpy_cpnet", here / "mpy_lib"))
    assert out[0] == "GET /json through SocketPool -> 200 greenhouse [21.5, 21.7, 22.0]"
    m = line_matching(out, r"^POST /echo -> 200 (\{.*\})$")
    assert json.loads(m.group(1)) == {"board": "feather", "temp": 22.0}


CHECKS = {
    "demo.py": check_demo,
    "json_api.py": check_json_api,
    "form_post.py": check_form_post,
    "file_upload.py": check_file_upload,
    "download_to_file.py": check_download_to_file,
    "big_json.py": check_big_json,
    "gzip_body.py": check_gzip_body,
    "async_session.py": check_async_session,
    "circuitpython_settings.py": check_circuitpython_settings,
}


def example_names():
    return sorted(p.name for p in EXAMPLES.iterdir() if p.is_file())


def test_every_example_has_a_check():
    missing = [n for n in example_names() if n not in CHECKS]
    assert not missing, "examples without an expectation in test_examples.CHECKS: %s" % missing
    gone = sorted(set(CHECKS) - set(example_names()))
    assert not gone, "expectations for examples that no longer exist: %s" % gone


@pytest.mark.parametrize("name", example_names())
def test_example(name, firmware, server, tmp_path):
    if name not in CHECKS:
        pytest.fail("no expectation for examples/%s in test_examples.CHECKS" % name)
    if natmod_path() and "AsyncSession" in (EXAMPLES / name).read_text():
        pytest.skip(natmod_lacks("async"))
    CHECKS[name](firmware, server, tmp_path)
