"""Fixtures for running adafruit_requests inside the MicroPython firmware
against loopback servers, for the native module and the reference package."""

import inspect
import os
import pathlib
import re
import shutil
import subprocess
import sys

import pytest

HERE = pathlib.Path(__file__).resolve().parent
sys.path.insert(0, str(HERE))

import sanitize  # noqa: E402
from firmware_caps import firmware_caps, firmware_path, natmod_lacks, natmod_path  # noqa: E402
from mpyrun import MpyRunner  # noqa: E402
from servers import RecordingServer, ScriptedServer  # noqa: E402
from servers.nginx import Nginx, find_nginx  # noqa: E402
from servers.tlscerts import TLSMaterial  # noqa: E402

REPO = HERE.parent
IMPLS = ("native", "reference")

# Before anything starts the firmware (the capability probe runs at collection).
sanitize.configure()
_findings = sanitize.Findings()
_known_seen = {}


@pytest.hookimpl(tryfirst=True)
def pytest_runtest_setup(item):
    if sanitize.enabled():
        sanitize.point_logs_at(item.nodeid)


@pytest.hookimpl(hookwrapper=True)
def pytest_runtest_makereport(item, call):
    """A sanitizer report logged while the test ran fails it, whatever its
    outcome (an expected failure included: a memory error is never the
    failure a test expects)."""
    outcome = yield
    if not sanitize.enabled() or call.when == "setup":
        return
    rep = outcome.get_result()
    ours, known = _findings.collect(item.nodeid)
    for path, k, text in known:
        _known_seen.setdefault(k.name, set()).add(item.nodeid)
        rep.sections.append(("sanitizer: known finding %s (%s)" % (k.name, k.reason), text))
    if ours:
        text = "%d sanitizer report(s) during %s (%s):\n\n%s" % (
            len(ours), call.when, ", ".join(sorted({p for p, _ in ours})),
            "\n".join(t for _, t in ours)[:20000])
        if hasattr(rep, "wasxfail"):
            del rep.wasxfail
        elif rep.failed:
            # Keep the test's own failure; the reports come with it.
            rep.sections.append(("sanitizer reports", text))
            return
        rep.outcome = "failed"
        rep.longrepr = text


def pytest_sessionfinish(session, exitstatus):
    if not sanitize.enabled():
        return
    ours, _ = _findings.collect(sanitize.SESSION)
    if ours:
        session.config._sanitize_session = ours
        session.exitstatus = 1


def pytest_terminal_summary(terminalreporter, exitstatus, config):
    if not sanitize.enabled():
        return
    tr = terminalreporter
    for name, ids in sorted(_known_seen.items()):
        tr.write_line("sanitizer: known finding %s let through in %d test(s): %s"
                      % (name, len(ids), ", ".join(sorted(ids))))
    for path, text in getattr(config, "_sanitize_session", []):
        tr.write_line("sanitizer report outside any test (%s):\n%s" % (path, text))


def pytest_addoption(parser):
    parser.addoption("--impl", choices=("native", "reference", "both"), default="both",
                     help="run the impl-parametrized tests against this implementation only "
                          "(make test-sanitize: native, the code the sanitizers are for)")
    parser.addoption("--shard", default=None, metavar="K/N",
                     help="run every N-th collected test starting at the K-th (1-based): "
                          "N concurrent runs together run every test once")


def pytest_collection_modifyitems(config, items):
    _natmod_skips(items)
    _keep_shard(config, items)


def _keep_shard(config, items):
    shard = config.getoption("shard")
    if not shard:
        return
    try:
        k, n = (int(x) for x in shard.split("/"))
    except ValueError:
        raise pytest.UsageError("--shard takes K/N, e.g. 1/2, not %r" % shard)
    if not 1 <= k <= n:
        raise pytest.UsageError("--shard K/N needs 1 <= K <= N, not %r" % shard)
    keep = [it for i, it in enumerate(items) if i % n == k - 1]
    dropped = [it for i, it in enumerate(items) if i % n != k - 1]
    if dropped:
        config.hook.pytest_deselected(items=dropped)
    items[:] = keep


def _impl_params(metafunc):
    if metafunc.definition.get_closest_marker("native_only"):
        return ["native"]
    only = metafunc.config.getoption("impl")
    bug = metafunc.definition.get_closest_marker("reference_bug")
    # reference_bug(reason, firmware="micropython"): the bug shows only there.
    if bug is not None and bug.kwargs.get("firmware") not in (None, firmware_caps()["name"]):
        bug = None
    params = []
    for name in IMPLS:
        if only != "both" and name != only:
            continue
        if name == "reference" and bug is not None:
            # strict: the test must really fail on the reference, which
            # shows it can fail at all.
            reason = bug.args[0] if bug.args else "known reference bug"
            params.append(pytest.param(name, marks=pytest.mark.xfail(reason=reason, strict=True)))
        else:
            params.append(name)
    return params


def pytest_generate_tests(metafunc):
    if "impl" not in metafunc.fixturenames:
        return
    impls = _impl_params(metafunc)
    if "pool_kind" not in metafunc.fixturenames:
        metafunc.parametrize("impl", impls)
        return
    # The reference cannot drive MicroPython's socket module directly (it
    # wants recv_into and (host, port) addresses), so it only gets the
    # Python-level pool; the native module gets both.
    combos = []
    for p in impls:
        name = p if isinstance(p, str) else p.values[0]
        kinds = ("python", "firmware") if name == "native" else ("python",)
        for kind in kinds:
            marks = () if isinstance(p, str) else p.marks
            combos.append(pytest.param(name, kind, marks=marks, id="%s-%s" % (name, kind)))
    metafunc.parametrize("impl,pool_kind", combos)


@pytest.fixture(scope="session")
def firmware():
    path = firmware_path()
    if not os.path.exists(path):
        pytest.fail("MicroPython firmware not found at %s: run `make firmware` "
                    "or set MICROPYTHON=/path/to/micropython" % path, pytrace=False)
    return path


def _reference_source(tmp_path_factory):
    installed = REPO / "deps" / "reference"
    if (installed / "adafruit_requests.py").exists():
        return installed
    target = tmp_path_factory.mktemp("reference-install")
    cmd = [sys.executable, "-m", "pip", "install", "-q", "--no-deps", "--target", str(target),
           "adafruit-circuitpython-requests==4.1.17",
           "adafruit-circuitpython-connectionmanager==3.1.5"]
    proc = subprocess.run(cmd, capture_output=True, text=True, timeout=300)
    if proc.returncode != 0:
        pytest.fail("reference package not available (make deps): " + proc.stderr[-2000:],
                    pytrace=False)
    return target


@pytest.fixture(scope="session")
def ref_dir(tmp_path_factory):
    """The reference importable as ``ref_requests``: a built-in module named
    adafruit_requests would shadow a .py file of that name."""
    src = _reference_source(tmp_path_factory)
    dest = tmp_path_factory.mktemp("refmods")
    shutil.copy(src / "adafruit_requests.py", dest / "ref_requests.py")
    shutil.copy(src / "adafruit_connection_manager.py", dest / "adafruit_connection_manager.py")
    shutil.copytree(HERE / "mpy_stubs", dest, dirs_exist_ok=True)
    return dest


@pytest.fixture(scope="session")
def natmod_dir(tmp_path_factory):
    """A folder with only the natmod (RQ_NATMOD) in it, first on sys.path."""
    path = natmod_path()
    if path is None:
        return None
    if not os.path.exists(path):
        pytest.fail("RQ_NATMOD=%s does not exist: run `make natmod`" % path, pytrace=False)
    dest = tmp_path_factory.mktemp("natmod")
    shutil.copy(path, dest / "adafruit_requests.mpy")
    return dest


@pytest.fixture(scope="session")
def mpy_paths(ref_dir, natmod_dir):
    # The first one is searched first.
    paths = [HERE / "mpy_lib", ref_dir]
    return [natmod_dir] + paths if natmod_dir is not None else paths


# Test files that exercise what the natmod leaves out (or is not about it).
_NATMOD_FILES = {
    "test_async.py": "async",
    "test_async_compressed.py": "async",
    "test_build_switches.py": None,
    # adafruit_requests.pyi describes the built-in module, AsyncSession too.
    "test_stub.py": "async",
}
_NOT_NATMOD = "checks the built-in module's build switches (build/micropython-minimal)"
# What only the asyncio API calls: a test whose code or scripts use it needs
# AsyncSession.
_ASYNC_API = re.compile(r"AsyncSession|\.aread\(|\.ajson\(|\.aiter_content\(|\.aiter_lines\(|\.aclose\(")


def _test_text(item):
    """The test function's source and the str scripts (module constants, or
    dicts of them) it names."""
    fn = getattr(item, "function", None)
    if fn is None:
        return ""
    try:
        text = inspect.getsource(fn)
    except (OSError, TypeError):
        return ""
    for name in fn.__code__.co_names:
        v = fn.__globals__.get(name)
        if isinstance(v, str):
            text += v
        elif isinstance(v, dict):
            text += "".join(x for x in v.values() if isinstance(x, str))
    return text


def _natmod_skips(items):
    """What the dynamic native module lacks skips, with the reason."""
    if natmod_path() is None:
        return
    for item in items:
        reason = None
        if item.path.name in _NATMOD_FILES:
            feature = _NATMOD_FILES[item.path.name]
            reason = natmod_lacks(feature) if feature else _NOT_NATMOD
        marker = item.get_closest_marker("natmod_lacks")
        if marker is not None:
            reason = natmod_lacks(marker.args[0])
        if reason is None and ("aio" in getattr(item, "fixturenames", ())
                               or _ASYNC_API.search(_test_text(item))):
            reason = natmod_lacks("async")
        if reason is None and "_thread" in _test_text(item):
            reason = natmod_lacks("threads")
        if reason is not None:
            item.add_marker(pytest.mark.skip(reason=reason))


@pytest.fixture
def mpy(request, firmware, mpy_paths):
    """Runs MicroPython scripts; bound to the test's ``impl`` when it has one."""
    impl = request.getfixturevalue("impl") if "impl" in request.fixturenames else None
    return MpyRunner(firmware, mpy_paths, impl=impl)


@pytest.fixture(scope="session")
def tls_material():
    return TLSMaterial()


@pytest.fixture(scope="session")
def ca_der(tls_material):
    return tls_material.ca_der


@pytest.fixture
def recording_server():
    """Factory: recording_server(response=..., tls=None|"good"|..., host=...)."""
    made = []

    def make(response=None, tls_context=None, host="127.0.0.1"):
        srv = RecordingServer(response=response, tls_context=tls_context, host=host)
        made.append(srv)
        return srv

    yield make
    for srv in made:
        srv.stop()


@pytest.fixture
def scripted_server():
    """Factory: scripted_server(scripts, repeat_last=False, tls_context=None)."""
    made = []

    def make(scripts, repeat_last=False, tls_context=None, host="127.0.0.1"):
        srv = ScriptedServer(scripts, repeat_last=repeat_last, tls_context=tls_context,
                             host=host)
        made.append(srv)
        return srv

    yield make
    for srv in made:
        srv.stop()


@pytest.fixture(scope="session")
def nginx(tmp_path_factory, tls_material):
    if find_nginx() is None:
        subprocess.run(["apt-get", "install", "-y", "nginx"], capture_output=True, timeout=600)
    if find_nginx() is None:
        pytest.fail("nginx is not installed (make deps)", pytrace=False)
    server = Nginx(tmp_path_factory.mktemp("nginx"), tls_material)
    yield server
    server.stop()


@pytest.fixture(scope="session")
def httpbin_ca_der():
    import pytest_httpbin.certs

    from servers.tlscerts import pem_file_to_der

    return pem_file_to_der(pytest_httpbin.certs.where())


@pytest.fixture(params=["http", "https"])
def httpbin_both(request, httpbin, httpbin_secure, httpbin_ca_der):
    """(base URL, CA DER or None) for plain and TLS httpbin."""
    if request.param == "http":
        return httpbin.url, None
    return httpbin_secure.url, httpbin_ca_der
