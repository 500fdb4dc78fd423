"""Small host-side helpers shared by the test modules."""

SESSION = """
import testkit
s, pool = testkit.make_session(requests, P.get("kind", "python"), P.get("ca"))
U = P["url"]
"""


def canned(scripted_server, raw, close=False, **kw):
    """A server answering every connection's first request with ``raw``."""
    script = [("read",), ("send", raw)]
    if close:
        script.append(("close",))
    return scripted_server([script], repeat_last=True, **kw)


def run_session(mpy, script, url, **params):
    params["url"] = url
    return mpy.run(SESSION + script, params=params)
