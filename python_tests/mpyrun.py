"""Running a MicroPython script on the firmware and reading its results.

Scripts report with ``emit(value)``: one JSON line per call, prefixed with a
marker so stray prints cannot be mistaken for results. bytes travel as
{"__bytes__": hex} because JSON has no bytes type.
"""

import contextlib
import json
import os
import subprocess
import tempfile
import textwrap

MARK = "@@"

PRELUDE = '''\
import sys
for _p in {paths!r}:
    sys.path.insert(0, _p)
import json as _json
import binascii as _binascii
P = {params!r}
IMPL = {impl!r}

def _enc(v):
    if isinstance(v, (bytes, bytearray, memoryview)):
        return {{"__bytes__": _binascii.hexlify(bytes(v)).decode()}}
    if isinstance(v, (list, tuple)):
        return [_enc(x) for x in v]
    if isinstance(v, dict):
        return {{str(k): _enc(x) for k, x in v.items()}}
    return v

def emit(value):
    print("{mark}" + _json.dumps(_enc(value)))

def err(e):
    return ["err", type(e).__name__, str(e)]

def attempt(fn, *a, **kw):
    try:
        return ["ok", fn(*a, **kw)]
    except Exception as e:
        return err(e)

def load_requests():
    if IMPL == "native":
        import adafruit_requests as mod
    elif IMPL == "reference":
        import ref_requests as mod
    else:
        raise ValueError("no implementation selected")
    return mod
'''


def _dec(obj):
    if isinstance(obj, dict) and set(obj) == {"__bytes__"}:
        return bytes.fromhex(obj["__bytes__"])
    if isinstance(obj, dict):
        return {k: _dec(v) for k, v in obj.items()}
    if isinstance(obj, list):
        return [_dec(v) for v in obj]
    return obj


def parse_records(stdout):
    out = []
    for line in stdout.splitlines():
        if line.startswith(MARK):
            out.append(_dec(json.loads(line[len(MARK):])))
    return out


class MpyError(AssertionError):
    pass


class MpyResult:
    def __init__(self, rc, stdout, stderr, timed_out=False):
        self.rc = rc
        self.stdout = stdout
        self.stderr = stderr
        self.timed_out = timed_out
        self.records = parse_records(stdout)

    @classmethod
    def of(cls, rc, out, err, timed_out=False):
        """From the process's raw stdout and stderr."""
        return cls(rc, out.decode("utf-8", "replace"), err.decode("utf-8", "replace"), timed_out)

    @property
    def one(self):
        assert len(self.records) == 1, self.describe()
        return self.records[0]

    def describe(self):
        return "rc=%s timed_out=%s\n--- stdout ---\n%s\n--- stderr ---\n%s" % (
            self.rc, self.timed_out, self.stdout[-4000:], self.stderr[-4000:])


class MpyRunner:
    def __init__(self, firmware, paths, impl=None):
        self.firmware = firmware
        self.paths = [str(p) for p in paths]
        self.impl = impl

    def source(self, script, params=None, impl=None, import_requests=True):
        impl = impl if impl is not None else self.impl
        text = PRELUDE.format(paths=list(reversed(self.paths)), params=params or {},
                              impl=impl, mark=MARK)
        if import_requests and impl is not None:
            text += "requests = load_requests()\n"
        return text + textwrap.dedent(script)

    @contextlib.contextmanager
    def spawned(self, script, params=None, impl=None, heapsize="4m", env=None, args=(),
                import_requests=True):
        """The firmware running ``script`` in a process group of its own. If
        the body raises, the group is killed; the script file is removed
        either way."""
        text = self.source(script, params, impl, import_requests)
        with tempfile.NamedTemporaryFile("w", suffix=".py", delete=False) as f:
            f.write(text)
            path = f.name
        cmd = [str(self.firmware), "-X", "heapsize=%s" % heapsize, path] + list(args)
        run_env = dict(os.environ)
        run_env.pop("MICROPYPATH", None)
        run_env.update(env or {})
        try:
            proc = subprocess.Popen(cmd, stdout=subprocess.PIPE, stderr=subprocess.PIPE,
                                    env=run_env, start_new_session=True)
            try:
                yield proc
            except BaseException:
                os.killpg(proc.pid, 9)
                proc.communicate()
                raise
        finally:
            os.unlink(path)

    def run(self, script, params=None, impl=None, heapsize="4m", timeout=30,
            env=None, args=(), check=True, import_requests=True):
        """Run ``script``; with check=True a non-zero exit or a timeout fails
        the test with the script's output."""
        with self.spawned(script, params, impl, heapsize, env, args, import_requests) as proc:
            try:
                out, errout = proc.communicate(timeout=timeout)
                result = MpyResult.of(proc.returncode, out, errout)
            except subprocess.TimeoutExpired:
                os.killpg(proc.pid, 9)
                out, errout = proc.communicate()
                result = MpyResult.of(None, out, errout, timed_out=True)
        if check and (result.timed_out or result.rc != 0):
            raise MpyError("MicroPython script failed (impl=%s)\n" % (impl or self.impl)
                           + result.describe()
                           + "\n--- script ---\n" + script)
        return result
