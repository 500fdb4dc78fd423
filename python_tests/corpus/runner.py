"""Running one published script of the Learning System Guides on a firmware,
and what came of it: its printed lines and the requests it sent."""

import json
import os
import pathlib
import re
import subprocess
import tempfile

from . import stubs

HERE = pathlib.Path(__file__).resolve().parent
TESTS = HERE.parent
MPY = HERE / "mpy"
MARK = "@@"

# Object addresses differ from run to run.
_ADDR = re.compile(r"0x[0-9a-f]{4,}")


class Outcome:
    def __init__(self, lines, requests, timed_out, stderr):
        self.lines = lines
        self.requests = requests
        self.timed_out = timed_out
        self.stderr = stderr

    @property
    def end(self):
        for line in reversed(self.lines):
            if line.startswith(MARK + "end "):
                return line[len(MARK) + 4:]
        return "no end (timed out)" if self.timed_out else "no end (crashed)"

    def describe(self):
        out = "\n".join(self.lines[-60:])
        return "end: %s\n--- output (last 60 lines) ---\n%s\n--- stderr ---\n%s" % (
            self.end, out, self.stderr[-2000:])


def request_view(scheme, conn, req):
    """What a request is compared on: everything the script decided."""
    return {
        "scheme": scheme,
        "conn": conn,
        "method": req.method,
        "target": req.target,
        "headers": list(req.headers),
        "body": req.body.decode("utf-8", "replace"),
    }


def extract_guide(git_dir, script, dest):
    """The script's folder from the snapshot (its local modules and files)."""
    folder = str(pathlib.PurePosixPath(script).parent)
    archive = subprocess.run(["git", "--git-dir", str(git_dir), "archive", "HEAD", folder],
                             capture_output=True, check=True, timeout=120).stdout
    dest.mkdir(parents=True, exist_ok=True)
    subprocess.run(["tar", "-x", "-C", str(dest)], input=archive, check=True, timeout=120)
    return dest / folder


def run_script(firmware, lib_paths, git_dir, script, settings, servers, certs,
               budget=2000, timeout=60, heapsize="4m", extra_config=None):
    servers.reset()
    with tempfile.TemporaryDirectory(prefix="corpus-") as tmp:
        tmp = pathlib.Path(tmp)
        folder = extract_guide(git_dir, script, tmp / "guide")
        source = (tmp / "guide" / script).read_text(encoding="utf-8")
        stub_dir = tmp / "stubs"
        stubs.write_stubs(source, folder, stub_dir, lib_paths + [MPY])
        ca = tmp / "ca.der"
        ca.write_bytes(certs.ca_der)
        config = {"script": str(tmp / "guide" / script), "settings": settings,
                  "ports": servers.ports, "ca_der": str(ca), "budget": budget}
        config.update(extra_config or {})
        cfg = tmp / "config.json"
        cfg.write_text(json.dumps(config))
        path = [str(folder), str(MPY), str(stub_dir)] + [str(p) for p in lib_paths] + [".frozen"]
        env = dict(os.environ, MICROPYPATH=":".join(path), CORPUS_CONFIG=str(cfg), TZ="UTC")
        cmd = [str(firmware), "-X", "heapsize=%s" % heapsize, str(MPY / "corpus_main.py")]
        timed_out = False
        try:
            proc = subprocess.run(cmd, capture_output=True, timeout=timeout, env=env,
                                  cwd=str(folder))
            out, err = proc.stdout, proc.stderr
        except subprocess.TimeoutExpired as exc:
            out, err, timed_out = exc.stdout or b"", exc.stderr or b"", True
        keep = os.environ.get("CORPUS_KEEP")
        if keep:
            # For working on the corpus: the run's files, to rerun it by hand.
            import shutil
            shutil.copytree(str(tmp), keep, dirs_exist_ok=True)
            (pathlib.Path(keep) / "run.sh").write_text(
                "MICROPYPATH=%s CORPUS_CONFIG=%s TZ=UTC %s\n" % (":".join(path), cfg, " ".join(cmd)))
    text = out.decode("utf-8", "replace")
    text = text.replace(str(tmp), "<tmp>")
    # Traceback frames name files (the reference's own among them) that
    # differ by construction; the exception line itself is compared.
    lines = [_ADDR.sub("0x?", line) for line in text.splitlines()
             if not line.startswith('  File "') and line != "Traceback (most recent call last):"]
    # Connections numbered from 0 in the order the run opened them.
    order = {}
    for s, c, _ in servers.log:
        order.setdefault((s, c), len(order))
    reqs = [request_view(s, order[(s, c)], r) for s, c, r in servers.log]
    outcome = Outcome(lines, reqs, timed_out, err.decode("utf-8", "replace"))
    outcome.server_errors = [e for server in servers.all for e in server.errors]
    for server in servers.all:
        del server.errors[:]
    return outcome
