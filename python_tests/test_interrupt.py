"""Ctrl-C while the firmware is blocked in a read: the KeyboardInterrupt
must reach the script at once (not be retried, swallowed or wrapped), the
process must stay alive, no descriptor may stay open and the same Session
must then make a good request."""

import os
import signal
import time

import pytest

from hostile_kit import hostile_server, ok_response  # noqa: F401
from helpers import stuck_listener
from mpyrun import MpyResult

pytestmark = pytest.mark.native_only

# How the interrupted call ended, then a good request and the descriptor
# counts; both scripts end with it.
OUTCOME = """    res = ["no interrupt"]
except KeyboardInterrupt:
    res = ["KeyboardInterrupt"]
except Exception as e:
    res = ["other", type(e).__name__, str(e), relykit.cause_of(e)]
res.append(time.ticks_diff(time.ticks_ms(), t0))
after = relykit.fds()
good = relykit.timed(lambda: s.get(P["good"], timeout=5).content)
s.close()
emit({"res": res, "base": base, "before": before, "after": after, "good": good,
      "end": relykit.fds()})
"""

SCRIPT = """
import relykit, time
s, pool = relykit.session(requests, P["kind"], P.get("ca"))
base = relykit.fds()
warm = s.get(P["good"], timeout=5).content
before = relykit.fds()
t0 = time.ticks_ms()
try:
    action = P.get("action", "content")
    r = s.get(P["url"], timeout=30, stream=action != "content")
    if action == "content":
        r.content
    elif action == "iter":
        for chunk in r.iter_content(8):
            pass
""" + OUTCOME


def run_interrupted(mpy, params, srv, signals=1):
    """Runs SCRIPT, sends SIGINT once the server holds the request, and
    returns the script's record."""
    with mpy.spawned(SCRIPT, params=params) as proc:
        assert srv.request_seen.wait(15), "the firmware never sent its request"
        # The request has arrived; give the firmware time to block in
        # its read of the answer that never comes.
        time.sleep(0.5)
        for _ in range(signals):
            os.kill(proc.pid, signal.SIGINT)
            time.sleep(0.05)
        out, err = proc.communicate(timeout=20)
    result = MpyResult.of(proc.returncode, out, err)
    assert result.rc == 0, result.describe()
    return result.one


def check(out):
    text = repr(out)
    assert out["res"][0] == "KeyboardInterrupt", text
    # Interrupted promptly, not after the 30 s timeout or a retry.
    assert out["res"][1] < 5000, text
    assert out["good"][:2] == ["ok", b"good"], text
    assert out["after"] == out["before"], text
    assert out["end"] == out["base"], text


@pytest.mark.parametrize("phase", ["head", "body"])
def test_sigint_during_blocked_read(mpy, impl, pool_kind, hostile_server, recording_server, phase):
    if phase == "head":
        script = [("read",), ("hold", 20)]
    else:
        script = [("read",), ("send", b"HTTP/1.1 200 OK\r\nContent-Length: 100\r\n\r\nabc"),
                  ("hold", 20)]
    srv = hostile_server([script])
    good = recording_server(ok_response())
    out = run_interrupted(mpy, {"kind": pool_kind, "url": srv.url("/stuck"),
                                "good": good.url("/good")}, srv)
    check(out)
    # Not retried: the server saw the one request it never answered.
    assert len(srv.requests) == 1


def test_sigint_during_blocked_tls_read(mpy, impl, pool_kind, hostile_server, recording_server,
                                        tls_material):
    srv = hostile_server([[("read",), ("hold", 20)]],
                         tls_context=tls_material.server_context("good"))
    good = recording_server(ok_response(), tls_context=tls_material.server_context("good"))
    out = run_interrupted(mpy, {"kind": pool_kind, "url": srv.url("/stuck"),
                                "good": good.url("/good"), "ca": tls_material.ca_der}, srv)
    check(out)
    assert len(srv.requests) == 1


CONNECT_SCRIPT = """
import relykit, time
s, pool = relykit.session(requests, P["kind"])
base = relykit.fds()
warm = s.get(P["good"], timeout=5).content
before = relykit.fds()
print("@@" + "{}")
t0 = time.ticks_ms()
try:
    s.get(P["url"], timeout=(30, 30))
""" + OUTCOME


def test_sigint_during_blocked_connect(mpy, impl, pool_kind, recording_server):
    """With an idle keep-alive socket held, a failed connect makes the
    session close it and try again; an interrupt must not count as such a
    failure."""
    lst, fillers = stuck_listener()
    good = recording_server(ok_response())
    try:
        with mpy.spawned(CONNECT_SCRIPT, params={
                "kind": pool_kind, "good": good.url("/good"),
                "url": "http://127.0.0.1:%d/" % lst.getsockname()[1]}) as proc:
            # The marker line comes just before the connect starts.
            line = proc.stdout.readline()
            assert line.startswith(b"@@"), line
            time.sleep(0.7)
            os.kill(proc.pid, signal.SIGINT)
            out, err = proc.communicate(timeout=40)
    finally:
        for c in fillers:
            c.close()
        lst.close()
    result = MpyResult.of(proc.returncode, out, err)
    assert result.rc == 0, result.describe()
    check(result.one)


@pytest.mark.parametrize("action", ["iter"])
def test_sigint_while_body_stalls(mpy, impl, pool_kind, hostile_server, recording_server, action):
    """iter_content blocked on the next chunk: the interrupt must come out of
    it. (close() no longer blocks: its drain waits at most 0.1 s, which
    test_connection_rules.py bounds.)"""
    script = [("read",), ("send", b"HTTP/1.1 200 OK\r\nContent-Length: 100\r\n\r\n0123456789abc"),
              ("hold", 20)]
    srv = hostile_server([script])
    good = recording_server(ok_response())
    out = run_interrupted(mpy, {"kind": pool_kind, "url": srv.url("/stuck"),
                                "good": good.url("/good"), "action": action}, srv)
    check(out)
