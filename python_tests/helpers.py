"""Small host-side helpers shared by the test modules."""

import socket
import time

POOL_OPTIONS = ("max_sockets", "short_send", "recv_limit")

SESSION = """
import testkit
s, pool = testkit.make_session(requests, P.get("kind", "python"), P.get("ca"),
                               **P.get("pool_opts", {}))
U = P["url"]
"""


def canned(scripted_server, raw, close=False, **kw):
    """A server answering every connection's first request with ``raw``."""
    script = [("read",), ("send", raw)]
    if close:
        script.append(("close",))
    return scripted_server([script], repeat_last=True, **kw)


def run_session(mpy, script, url, **params):
    """Run ``script`` with ``s`` (a Session), ``pool`` and ``U`` set up.
    Keyword arguments named in POOL_OPTIONS configure the FaultPool."""
    params["url"] = url
    params["pool_opts"] = {k: params.pop(k) for k in POOL_OPTIONS if k in params}
    return mpy.run(SESSION + script, params=params)


def stuck_listener():
    """A loopback listener whose accept queue is full, so a further connect
    hangs in SYN retries."""
    lst = socket.socket()
    lst.bind(("127.0.0.1", 0))
    lst.listen(0)
    fillers = []
    for _ in range(4):
        c = socket.socket()
        c.setblocking(False)
        try:
            c.connect(lst.getsockname())
        except BlockingIOError:
            pass
        fillers.append(c)
    time.sleep(0.2)
    return lst, fillers
