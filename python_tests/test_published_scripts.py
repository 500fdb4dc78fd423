"""Adafruit's published example scripts (Learning System Guides), run
unmodified on the firmware with the module and on the firmware without it
with the reference package, against stand-ins of the web services they call
(python_tests/corpus). What each prints, the display text it sets and every
request it sends (method, target, headers, body, which connection) must be
the same, unless corpus/scripts.py explains the difference.

The scripts are read from a snapshot of github:adafruit/Adafruit_Learning_System_Guides
named by LEARN_GUIDES_GIT (its git directory); without it every case skips.
`make test-corpus LEARN_GUIDES_GIT=...` runs this file."""

import pytest

from corpus import corpus_env
from corpus.scripts import KNOWN_DIFFERENCES, SCRIPTS


@pytest.fixture(scope="module")
def corpus():
    git_dir = corpus_env.snapshot_git()
    if git_dir is None:
        pytest.skip(corpus_env.FETCH_HINT)
    env = corpus_env.CorpusEnv.create(git_dir)
    yield env
    env.stop()


def _first_difference(a, b):
    for i, (x, y) in enumerate(zip(a, b)):
        if x != y:
            return "item %d:\n  native:    %r\n  reference: %r" % (i, x, y)
    return "lengths %d (native) and %d (reference)" % (len(a), len(b))


def _host_port(native, ref):
    """Identical once the port is taken off the module's Host header."""
    assert native.lines == ref.lines
    stripped = []
    for req in native.requests:
        req = dict(req)
        req["headers"] = [(k, v.rsplit(":", 1)[0]) if k.lower() == "host" else (k, v)
                          for k, v in req["headers"]]
        stripped.append(req)
    assert stripped == ref.requests


def _reference_resends(native, ref):
    """Same output; the reference's requests are the module's, each sent a
    second time on a new connection; the module opens fewer connections."""
    assert native.lines == ref.lines

    def without_conn(reqs):
        return [{k: v for k, v in r.items() if k != "conn"} for r in reqs]

    deduped = []
    for req in without_conn(ref.requests):
        if not deduped or deduped[-1] != req:
            deduped.append(req)
    assert without_conn(native.requests) == deduped
    assert len(ref.requests) > len(native.requests)
    assert {r["conn"] for r in native.requests} == {0}


CHECKS = {"host_port": _host_port, "reference_resends": _reference_resends}


@pytest.mark.parametrize("script", SCRIPTS)
def test_published_script(corpus, script):
    native, ref = corpus.run_both(script)
    assert not ref.timed_out, "reference run timed out\n" + ref.describe()
    assert not native.timed_out, "native run timed out\n" + native.describe()
    # The corpus is of scripts that reach the network: a run that sent
    # nothing tests nothing.
    assert ref.requests, "the reference sent no request\n" + ref.describe()
    assert not ref.server_errors and not native.server_errors, (
        ref.server_errors, native.server_errors)
    known = KNOWN_DIFFERENCES.get(script)
    if known is not None:
        reason, check = known
        same = native.lines == ref.lines and native.requests == ref.requests
        assert not same, "listed as differing (%s) but identical: remove it" % reason
        CHECKS[check](native, ref)
        return
    assert native.lines == ref.lines, "printed output differs: %s\n--- native: %s" % (
        _first_difference(native.lines, ref.lines), native.describe())
    assert native.requests == ref.requests, "requests differ: %s" % _first_difference(
        native.requests, ref.requests)
