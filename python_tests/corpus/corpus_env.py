"""Everything a corpus run needs, found or made once: the snapshot of the
Learning System Guides (LEARN_GUIDES_GIT) or of the requests library's own
repository for its examples (REQUESTS_GIT), both firmwares, the reference
package, the real client libraries some scripts use (adafruit_io and what
it imports, installed from PyPI into build/corpus-lib), the certificates
and the stand-in API servers."""

import os
import pathlib
import shutil
import subprocess
import sys
import tempfile

from . import apis_library, runner
from .server import ApiServers, Certificates
from .settings import settings_for

REPO = runner.TESTS.parent
GIT_VAR = "LEARN_GUIDES_GIT"
FETCH_HINT = ("the Learning System Guides snapshot is not available: fetch "
              "github:adafruit/Adafruit_Learning_System_Guides (a bare clone is enough) "
              "and set %s to its git directory" % GIT_VAR)

REQUESTS_GIT_VAR = "REQUESTS_GIT"
REQUESTS_FETCH_HINT = ("the requests library's snapshot is not available: fetch "
                       "github:adafruit/Adafruit_CircuitPython_Requests (a bare clone is "
                       "enough) and set %s to its git directory" % REQUESTS_GIT_VAR)

# Pinned: a new release of a library is a new corpus, not a silent change.
CORPUS_LIBS = [
    "adafruit-circuitpython-adafruitio==6.2.0",
    "adafruit-circuitpython-minimqtt==8.1.0",
    "adafruit-circuitpython-ticks==1.1.7",
    "adafruit-circuitpython-datetime==1.4.6",
]
# What the library's own examples import besides the stand-ins (kept apart
# from CORPUS_LIBS: a Learning Guide that carries its own copy, or none, of
# adafruit_json_stream keeps running as it did).
LIBRARY_EXAMPLE_LIBS = [
    "adafruit-circuitpython-json-stream==0.9.5",
]


def snapshot_git(var=GIT_VAR):
    """The snapshot's git directory, or None."""
    value = os.environ.get(var)
    if not value:
        return None
    path = pathlib.Path(value)
    probe = subprocess.run(["git", "--git-dir", str(path), "rev-parse", "HEAD"],
                           capture_output=True, text=True)
    return path if probe.returncode == 0 else None


def corpus_lib(libs=None, name="corpus-lib"):
    libs = CORPUS_LIBS if libs is None else libs
    target = REPO / "build" / name
    stamp = target / ".installed"
    if stamp.exists() and stamp.read_text() == "\n".join(libs):
        return target
    shutil.rmtree(target, ignore_errors=True)
    cmd = [sys.executable, "-m", "pip", "install", "-q", "--no-deps", "--target",
           str(target)] + libs
    subprocess.run(cmd, check=True, capture_output=True, timeout=600)
    stamp.write_text("\n".join(libs))
    return target


def reference_source():
    installed = REPO / "deps" / "reference"
    if (installed / "adafruit_requests.py").exists():
        return installed
    raise RuntimeError("reference package missing: make deps")


class CorpusEnv:
    def __init__(self, git_dir, native_fw, plain_fw, tmp, library_examples=False):
        self.git_dir = git_dir
        self.native_fw = native_fw
        self.plain_fw = plain_fw
        self.tmp = tmp
        ref = reference_source()
        libs = (corpus_lib(LIBRARY_EXAMPLE_LIBS, "corpus-lib-examples") if library_examples
                else corpus_lib())
        common = [libs, runner.TESTS / "mpy_stubs", runner.TESTS / "mpy_lib"]
        # The native firmware sees the connection manager (scripts import it)
        # but not the reference's adafruit_requests.py.
        cm = tmp / "cm"
        cm.mkdir()
        shutil.copy(ref / "adafruit_connection_manager.py", cm)
        refdir = tmp / "ref"
        refdir.mkdir()
        shutil.copy(ref / "adafruit_connection_manager.py", refdir)
        shutil.copy(ref / "adafruit_requests.py", refdir)
        self.paths = {"native": [cm] + common, "reference": [refdir] + common}
        # The library's examples catch ConnectionError, which CircuitPython
        # has built in. (Left off for the Learning Guides: their cases were
        # checked without it.)
        self.base_config = {"connection_error_builtin": True} if library_examples else {}
        self.certs = Certificates()
        self.servers = ApiServers(self.certs)

    @classmethod
    def create(cls, git_dir=None, library_examples=False):
        """library_examples: git_dir is the requests library's repository
        (REQUESTS_GIT), whose examples/ are run, not the Learning Guides."""
        var, hint = ((REQUESTS_GIT_VAR, REQUESTS_FETCH_HINT) if library_examples
                     else (GIT_VAR, FETCH_HINT))
        git_dir = git_dir or snapshot_git(var)
        if git_dir is None:
            raise RuntimeError(hint)
        native = os.environ.get("MICROPYTHON") or str(REPO / "build" / "micropython")
        plain = os.environ.get("MICROPYTHON_PLAIN") or str(REPO / "build" / "micropython-plain")
        for fw, target in ((native, "firmware"), (plain, "firmware-plain")):
            if not os.path.exists(fw):
                raise RuntimeError("%s missing: make %s" % (fw, target))
        return cls(git_dir, native, plain, pathlib.Path(tempfile.mkdtemp(prefix="corpus-env-")),
                   library_examples)

    def run(self, impl, script, budget=2000, variant=None):
        """variant: {"config": extra run configuration for the stand-ins on
        the board, "service": options of the stand-in services}."""
        variant = variant or {}
        fw = self.native_fw if impl == "native" else self.plain_fw
        apis_library.OPTIONS.clear()
        apis_library.OPTIONS.update(variant.get("service", {}))
        try:
            return runner.run_script(fw, self.paths[impl], self.git_dir, script,
                                     settings_for(script), self.servers, self.certs,
                                     budget=budget,
                                     extra_config=dict(self.base_config,
                                                       **variant.get("config", {})))
        finally:
            apis_library.OPTIONS.clear()

    def run_both(self, script, budget=2000, variant=None):
        return (self.run("native", script, budget, variant),
                self.run("reference", script, budget, variant))

    def stop(self):
        self.servers.stop()
        shutil.rmtree(self.tmp, ignore_errors=True)
