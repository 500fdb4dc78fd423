# MicroPython-side helpers for the reliability suites: descriptor counts,
# Sessions with explicit header limits over either pool kind, and timing a
# call that is expected to fail.

import os
import time

import faultpool


def fds():
    # The listing's own descriptor is open while it runs, the same on every
    # call, so counts compare fine.
    return len(os.listdir("/proc/self/fd"))


# The TLS context the last session() call made, for tests that inspect it.
context = None


def session(requests, kind="python", cadata=None, **limits):
    global context
    if kind == "python":
        pool = faultpool.FaultPool()
        ctx = faultpool.FaultSSLContext(cadata) if cadata else None
    elif kind == "firmware":
        import socket

        pool = socket
        ctx = faultpool.firmware_tls_context(cadata) if cadata else None
    else:
        raise ValueError(kind)
    context = ctx
    return requests.Session(pool, ctx, **limits), pool


def errno_of(e):
    if isinstance(e, OSError) and e.args and isinstance(e.args[0], int):
        return e.args[0]
    return None


def cause_of(e):
    # The module passes an exception's cause as its last argument, since
    # MicroPython has no __cause__.
    if e.args and isinstance(e.args[-1], BaseException):
        c = e.args[-1]
        return [type(c).__name__, str(c), errno_of(c)]
    return None


def timed(fn):
    """["ok", value, ms] or ["err", type, message, errno, cause, ms]."""
    t0 = time.ticks_ms()
    try:
        v = fn()
        if not isinstance(v, (bytes, bytearray, str, int, float, list, dict, type(None))):
            # e.g. a Response: only its type travels back to the test.
            v = "<%s>" % type(v).__name__
        out = ["ok", v]
    except Exception as e:
        out = ["err", type(e).__name__, str(e), errno_of(e), cause_of(e)]
    out.append(time.ticks_diff(time.ticks_ms(), t0))
    return out
