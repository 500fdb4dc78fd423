"""adafruit_requests.pyi stays complete: the public names it declares for the
module, its classes and a live Response equal what dir() shows on the
firmware, in both directions (a name the firmware lacks is a stub that lies;
a name the stub lacks is one editors cannot see)."""

import ast
import json
import os
import pathlib
import subprocess
import sys

import pytest

from firmware_caps import natmod_path

REPO = pathlib.Path(__file__).resolve().parent.parent
STUB = REPO / "adafruit_requests.pyi"
sys.path.insert(0, str(REPO / "scripts"))

import demo_server  # noqa: E402

pytestmark = pytest.mark.native_only

# Dunders that are part of the API a user writes against.
API_DUNDERS = {"__version__", "__enter__", "__exit__", "__aenter__", "__aexit__"}
CLASSES = ("Session", "AsyncSession", "Response", "OutOfRetries")


def public(names):
    return {n for n in names if not n.startswith("_") or n in API_DUNDERS}


def _names_in(body):
    names = set()
    for node in body:
        if isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef, ast.ClassDef)):
            names.add(node.name)
        elif isinstance(node, ast.AnnAssign) and isinstance(node.target, ast.Name):
            names.add(node.target.id)
        elif isinstance(node, ast.Assign):
            names.update(t.id for t in node.targets if isinstance(t, ast.Name))
    return names


def stub_names():
    tree = ast.parse(STUB.read_text())
    out = {"module": public(_names_in(tree.body))}
    classes = {n.name: n for n in tree.body if isinstance(n, ast.ClassDef)}
    for name in CLASSES:
        out[name] = public(_names_in(classes[name].body))
    out["headers"] = public(_names_in(classes["_ResponseHeaders"].body))
    return out


SCRIPT = """
import json, socket
import adafruit_requests as m
out = {"module": dir(m)}
for name in %r:
    out[name] = dir(getattr(m, name))
out["OutOfRetries"] = [n for n in out["OutOfRetries"] if n not in dir(Exception)]
s = m.Session(socket)
# Session state (cookies, headers, auth) lives on instances.
out["Session"] = out["Session"] + dir(s)
if hasattr(m, "AsyncSession"):
    a = m.AsyncSession(socket)
    out["AsyncSession"] = out["AsyncSession"] + dir(a)
    a.close()
r = s.get(%r)
out["Response"] = out["Response"] + dir(r)
out["headers"] = [n for n in dir(r.headers) if n not in dir({})]
r.close()
s.close()
print(json.dumps(out))
"""


def firmware_names(firmware, url):
    env = dict(os.environ)
    if natmod_path():
        env["MICROPYPATH"] = os.path.dirname(os.path.abspath(natmod_path()))
    proc = subprocess.run([firmware, "-c", SCRIPT % (CLASSES, url)], capture_output=True,
                          text=True, timeout=60, env=env)
    assert proc.returncode == 0, proc.stdout + proc.stderr
    got = json.loads(proc.stdout.strip().splitlines()[-1])
    return {k: public(v) for k, v in got.items()}


@pytest.fixture(scope="module")
def both(firmware):
    with demo_server.DemoServer(prepare=()) as srv:
        return stub_names(), firmware_names(firmware, srv.url + "/json")


@pytest.mark.parametrize("scope", ("module",) + CLASSES + ("headers",))
def test_stub_matches_firmware(both, scope):
    stub, fw = both
    assert sorted(stub[scope] - fw[scope]) == [], "in the stub, not on the firmware"
    assert sorted(fw[scope] - stub[scope]) == [], "on the firmware, not in the stub"
