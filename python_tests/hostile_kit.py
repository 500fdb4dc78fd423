"""Host side of the reliability suites: a loopback server with open-ended
actions (flooding, trickling, holding a connection silent) and a runner for
"hostile request, then a good one on the same Session" scripts whose results
include open descriptor counts of the firmware process.

Every server action is bounded in time, so a client that never gives up
still lets the test end.
"""

import socket
import threading
import time

import pytest

from servers.scripted import ScriptedServer
from servers.httpmsg import http_response

# Longest any single open-ended action runs.
ACTION_LIMIT = 20.0


class HostileServer(ScriptedServer):
    """Connection ``i`` runs ``scripts[i]`` (the last one for later
    connections when ``repeat_last``). Actions:

      ("read",)                  read one request (kept in ``requests``)
      ("read_head",)             read up to the end of a request head only
      ("send", data)
      ("sleep", secs)
      ("stall", secs)            read nothing, receive buffer locked (servers/scripted.py)
      ("close",)                 FIN
      ("reset",)                 RST
      ("flood", data, secs)      send ``data`` again and again until the
                                 peer goes away or ``secs`` pass
      ("trickle", data, every)   one byte every ``every`` seconds
      ("hold", secs)             say nothing, end when the peer closes
    """

    io_timeout = ACTION_LIMIT

    def __init__(self, scripts, repeat_last=True, tls_context=None, host="127.0.0.1"):
        # Set once a connection has finished reading its request, so a test
        # can act while the client waits for the answer.
        self.request_seen = threading.Event()
        self.flood_bytes = 0
        super().__init__(scripts, repeat_last=repeat_last, tls_context=tls_context, host=host)

    def act(self, conn, index, action, state):
        kind = action[0]
        if kind == "read":
            ok = super().act(conn, index, action, state)
            if ok:
                self.request_seen.set()
            return ok
        if kind == "read_head":
            # Only up to the blank line: a request body stays unread.
            data = state["pending"]
            while b"\r\n\r\n" not in data:
                more = conn.recv(65536)
                if not more:
                    return False
                data += more
            self.request_seen.set()
            return True
        if kind == "flood":
            return self._flood(conn, action[1], action[2])
        if kind == "trickle":
            return self._trickle(conn, action[1], action[2])
        if kind == "hold":
            self._hold(conn, action[1])
            return False
        return super().act(conn, index, action, state)

    def after_script(self, conn, index):
        self._hold(conn, ACTION_LIMIT)

    def _flood(self, conn, data, secs):
        end = time.monotonic() + min(secs, ACTION_LIMIT)
        while time.monotonic() < end and not self._stop.is_set():
            try:
                conn.sendall(data)
            except OSError:
                return False
            with self._lock:
                self.flood_bytes += len(data)
        return True

    def _trickle(self, conn, data, every):
        end = time.monotonic() + ACTION_LIMIT
        for i in range(len(data)):
            if time.monotonic() > end or self._stop.is_set():
                return False
            try:
                conn.sendall(data[i:i + 1])
            except OSError:
                return False
            time.sleep(every)
        return True

    def _hold(self, conn, secs):
        end = time.monotonic() + min(secs, ACTION_LIMIT)
        while time.monotonic() < end and not self._stop.is_set():
            conn.settimeout(max(0.05, min(0.5, end - time.monotonic())))
            try:
                if not conn.recv(65536):
                    return
            except socket.timeout:
                continue
            except OSError:
                return


@pytest.fixture
def hostile_server():
    """Factory: hostile_server(scripts, repeat_last=True, tls_context=None)."""
    made = []

    def make(scripts, repeat_last=True, tls_context=None, host="127.0.0.1"):
        srv = HostileServer(scripts, repeat_last=repeat_last, tls_context=tls_context, host=host)
        made.append(srv)
        return srv

    yield make
    for srv in made:
        srv.stop()


def ok_response(body=b"good"):
    return http_response(200, {"Content-Type": "text/plain"}, body)


# The hostile call runs between descriptor counts; the good request after it
# goes to another server on the same Session. ``fds`` counts the firmware's
# own descriptors, so sockets the module forgot to close show up whichever
# pool made them.
HOSTILE = """
import relykit
s, pool = relykit.session(requests, P["kind"], P.get("ca"), **P.get("limits", {}))
T = P["timeout"]
U = P["url"]
%(setup)s
base = relykit.fds()
warm = s.get(P["good"], timeout=5).content
before = relykit.fds()
res = relykit.timed(lambda: %(call)s)
after = relykit.fds()
live = pool.open_count() if P["kind"] == "python" else None
good = relykit.timed(lambda: s.get(P["good"], timeout=5).content)
s.close()
end = relykit.fds()
emit({"warm": warm, "res": res, "base": base, "before": before, "after": after,
      "live": live, "good": good, "end": end})
"""

DEFAULT_CALL = "s.get(U, timeout=T).content"


def run_hostile(mpy, kind, url, good_url, call=DEFAULT_CALL, ca=None, limits=None,
                timeout=2, heapsize="4m", run_timeout=60, extra=None, setup=""):
    """``setup`` runs before the first descriptor count, so what it opens
    (files, say) is not taken for a leak."""
    params = {"kind": kind, "url": url, "good": good_url, "timeout": timeout,
              "limits": limits or {}}
    if ca is not None:
        params["ca"] = ca
    params.update(extra or {})
    return mpy.run(HOSTILE % {"call": call, "setup": setup}, params=params, heapsize=heapsize, timeout=run_timeout).one


def check_contained(out, allow_memory=False, idle=0):
    """The session survived, the good request worked and nothing leaked.

    ``idle``: sockets to the hostile server the session may keep for reuse
    because its last answer was well-formed (a redirect, say). Fewer
    sockets than before is fine: a failed connect lets the session close
    its idle ones and try again, as the reference does."""
    out_text = repr(out)
    assert out["warm"] == b"good", out_text
    assert out["good"][:2] == ["ok", b"good"], out_text
    assert out["after"] <= out["before"] + idle, out_text
    # close() must release everything, whatever happened before.
    assert out["end"] == out["base"], out_text
    if out["live"] is not None:
        assert out["live"] <= 1 + idle, out_text
    res = out["res"]
    assert res[0] == "err", out_text
    if allow_memory and res[1] == "MemoryError":
        return res
    # A message that says what went wrong, not a bare exception.
    assert res[2], out_text
    return res
