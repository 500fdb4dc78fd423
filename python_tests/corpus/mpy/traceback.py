# CircuitPython's traceback, over MicroPython's sys.print_exception.
import sys


def _exc(args):
    for a in args:
        if isinstance(a, BaseException):
            return a
    return None


def print_exception(*args, **kw):
    e = _exc(args) or kw.get("value")
    if e is not None:
        sys.print_exception(e)


def format_exception(*args, **kw):
    e = _exc(args) or kw.get("value")
    return ["%s: %s\n" % (type(e).__name__, e)]
