# CircuitPython's time on a virtual clock: sleep() advances it instead of
# waiting, and ends the script (StopScript) once the run's budget of virtual
# seconds is spent, which is how a published `while True:` loop ends here.
from utime import *  # noqa: F401,F403
import utime
from collections import namedtuple

import _corpus

_EPOCH = _corpus.CONFIG.get("epoch", 1786000000)
_BUDGET = _corpus.CONFIG.get("budget", 2000)
_MAX_SLEEPS = _corpus.CONFIG.get("max_sleeps", 400)
_now = 0.0
_sleeps = 0


def _advance(seconds):
    global _now
    _now += seconds
    if _now > _BUDGET:
        raise _corpus.StopScript("virtual time budget spent")


def sleep(seconds):
    global _sleeps
    _sleeps += 1
    if _sleeps > _MAX_SLEEPS:
        raise _corpus.StopScript("sleep count budget spent")
    # At least 0.1 s, so that animation loops reach their next fetch.
    _advance(max(float(seconds), 0.1))


def monotonic():
    # Busy-wait loops move the clock too.
    _advance(0.01)
    return 1000.0 + _now


def monotonic_ns():
    return int(monotonic() * 1000000000)


def ticks_ms():
    return int(monotonic() * 1000) & 0x3FFFFFFF


def time():
    return int(_EPOCH + _now)


_Struct = namedtuple("struct_time", ("tm_year", "tm_mon", "tm_mday", "tm_hour", "tm_min",
                                     "tm_sec", "tm_wday", "tm_yday", "tm_isdst"))


def struct_time(t):
    t = tuple(t)
    return _Struct(*(t + (-1,) * (9 - len(t))))


def localtime(secs=None):
    return struct_time(utime.gmtime(time() if secs is None else int(secs)))


gmtime = localtime


def mktime(t):
    return utime.mktime(tuple(t)[:8])
