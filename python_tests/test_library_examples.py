"""The requests library's own examples (examples/ of
github:adafruit/Adafruit_CircuitPython_Requests), run unmodified on the
firmware with the module and on the firmware without it with the reference
package, against stand-ins of the services they call (python_tests/corpus),
as test_published_scripts.py runs the Learning Guides: what each prints and
every request it sends (method, target, headers, body, which connection)
must be the same, unless corpus/library_scripts.py explains the difference.

The examples on the AirLift (ESP32SPI) and WIZnet5k stand-ins also check
keep-alive on those pools: the module opens as many connections as the
reference, fewer than it sends requests.

The examples are read from a snapshot named by REQUESTS_GIT (its git
directory); without it every case skips. `make test-corpus REQUESTS_GIT=...`
runs this file."""

import re

import pytest

from corpus import corpus_env
from corpus.library_scripts import CASES, KNOWN_DIFFERENCES, NOT_RUN, VARIANTS, case_id


@pytest.fixture(scope="module")
def corpus():
    git_dir = corpus_env.snapshot_git(corpus_env.REQUESTS_GIT_VAR)
    if git_dir is None:
        pytest.skip(corpus_env.REQUESTS_FETCH_HINT)
    env = corpus_env.CorpusEnv.create(git_dir, library_examples=True)
    yield env
    env.stop()


_BOUNDARY = re.compile(r"multipart/form-data; boundary=([0-9A-Za-z'()+_,./:=?-]+)")


def _without_boundaries(outcome):
    """The multipart boundary is random on both (the reference's is
    os.urandom's): each one a run used becomes <boundary> wherever it shows."""
    found = set()
    for req in outcome.requests:
        for key, value in req["headers"]:
            m = _BOUNDARY.search(value)
            if key.lower() == "content-type" and m:
                found.add(m.group(1))

    def clean(text):
        for b in found:
            text = text.replace(b, "<boundary>")
        return text

    lines = [clean(line) for line in outcome.lines]
    reqs = [dict(r, headers=[(k, clean(v)) for k, v in r["headers"]], body=clean(r["body"]))
            for r in outcome.requests]
    return lines, reqs, found


def _first_difference(a, b):
    for i, (x, y) in enumerate(zip(a, b)):
        if x != y:
            return "item %d:\n  native:    %r\n  reference: %r" % (i, x, y)
    return "lengths %d (native) and %d (reference)" % (len(a), len(b))


def _without_conn(reqs):
    return [{k: v for k, v in r.items() if k != "conn"} for r in reqs]


def _dedup(reqs):
    out = []
    for req in reqs:
        if not out or out[-1] != req:
            out.append(req)
    return out


def _closed_by_caller(native, ref):
    """The example reads the body (adafruit_json_stream over iter_content)
    after its `with` block closed the response. Both raise RuntimeError,
    which the example catches and prints; the reference's message says a
    newer response closed it (its one message for every closed response),
    the module's says the response was closed before its body was read."""
    n_lines, n_reqs = native
    r_lines, r_reqs = ref
    assert n_reqs == r_reqs
    diff = [(a, b) for a, b in zip(n_lines, r_lines) if a != b]
    assert len(n_lines) == len(r_lines) and diff == [
        (" Response was closed before its body was read to the end",
         " Newer Response closed this one. Use Responses immediately.")], diff


def _one_xx_skipped(native, ref):
    """httpbin's /status/100 is a bare 1xx head, and then the server ends
    the connection. The reference returns the 1xx head as the response and
    goes on; the module skips it as an interim response and finds the
    connection closed before a final head, so the example stops there."""
    n_lines, n_reqs = native
    r_lines, r_reqs = ref
    assert len(n_reqs) == 1 and n_reqs[0] == r_reqs[0]
    assert n_reqs[0]["target"] == "/status/100"
    end = n_lines.index("@@end raised OSError: Connection closed in the middle of the "
                        "response head")
    assert n_lines[:end] == r_lines[:end]
    assert r_lines[end] == " | \u2705 Status Test Expected: 100 Actual: 100 - Continue"
    assert "@@end finished" in r_lines


def _status_codes(native, ref):
    """Every status code once the 1xx ones answer 502. Two differences:
    305 Use Proxy (with a Location) is followed by the reference and not by
    the module; and the reference, after a response closed with its body
    unread, reads that body's first byte as the next status line and sends
    the request again on a new connection, where the module drains the
    remainder and sends each request once on one connection."""
    n_lines, n_reqs = native
    r_lines, r_reqs = ref
    diff = [(a, b) for a, b in zip(n_lines, r_lines) if a != b]
    assert len(n_lines) == len(r_lines) and diff == [
        (" | \u274c Status Test Expected: 305 Actual: 305 - Use Proxy",
         " | \U0001f197 Status Test Expected: 305 Actual: 200 - OK")], diff
    ref_once = _dedup(_without_conn(r_reqs))
    at = [r["target"] for r in ref_once].index("/status/305")
    assert [r["target"] for r in ref_once[at + 1:at + 3]] == ["/redirect/1", "/get"]
    del ref_once[at + 1:at + 3]
    assert _without_conn(n_reqs) == ref_once
    assert len(r_reqs) > len(ref_once) + 2
    assert {r["conn"] for r in n_reqs} == {0}


CHECKS = {"closed_by_caller": _closed_by_caller, "one_xx_skipped": _one_xx_skipped,
          "status_codes": _status_codes}


# A client may close a connection while the answer is still being sent (a
# response closed with much of its body unread): the server's send then
# fails, which is not the service's trouble.
_PEER_GONE = ("BrokenPipeError(", "ConnectionResetError(", "SSLEOFError(")


def _server_trouble(outcome):
    return [e for e in outcome.server_errors if not str(e[1]).startswith(_PEER_GONE)]


def _connections(reqs):
    return len({(r["scheme"], r["conn"]) for r in reqs})


@pytest.mark.parametrize("case", CASES, ids=[case_id(c) for c in CASES])
def test_library_example(corpus, case):
    path, variant = case
    native, ref = corpus.run_both(path, variant=VARIANTS[variant])
    assert not ref.timed_out, "reference run timed out\n" + ref.describe()
    assert not native.timed_out, "native run timed out\n" + native.describe()
    assert ref.requests, "the reference sent no request\n" + ref.describe()
    assert not _server_trouble(ref) and not _server_trouble(native), (
        ref.server_errors, native.server_errors)
    n_lines, n_reqs, n_bounds = _without_boundaries(native)
    r_lines, r_reqs, r_bounds = _without_boundaries(ref)
    # Each multipart request had its own boundary, and the service parsed it.
    assert len(n_bounds) == len(r_bounds)
    known = KNOWN_DIFFERENCES.get(case)
    if known is not None:
        reason, check = known
        assert (n_lines, n_reqs) != (r_lines, r_reqs), (
            "listed as differing (%s) but identical: remove it" % reason)
        CHECKS[check]((n_lines, n_reqs), (r_lines, r_reqs))
        return
    assert n_lines == r_lines, "printed output differs: %s\n--- native: %s" % (
        _first_difference(n_lines, r_lines), native.describe())
    assert n_reqs == r_reqs, "requests differ: %s" % _first_difference(n_reqs, r_reqs)
    if "/esp32spi/" in path or "/wiznet5k/" in path:
        # Keep-alive on the coprocessor pools: as many connections as the
        # reference (the radio's own count is in the compared lines), and
        # fewer than requests, one per host.
        assert any(line.startswith(("@@esp32spi:", "@@wiznet5k:")) for line in n_lines)
        hosts = {(r["scheme"], dict(r["headers"]).get("Host")) for r in n_reqs}
        assert _connections(n_reqs) == _connections(r_reqs) == len(hosts)


def test_every_example_is_run_or_explained(corpus):
    """A new example in the repository is either run or said why not."""
    import subprocess
    listing = subprocess.run(["git", "--git-dir", str(corpus.git_dir), "ls-tree", "-r",
                              "--name-only", "HEAD", "examples"],
                             capture_output=True, text=True, check=True).stdout.split()
    examples = {p for p in listing if p.endswith(".py")}
    covered = {path for path, _ in CASES} | set(NOT_RUN)
    assert examples - covered == set(), "examples neither run nor explained"
    assert covered - examples == set(), "listed examples missing from the snapshot"
