# Runs one published script unmodified, as CircuitPython runs code.py, and
# says how it ended: finished, stopped by the virtual clock or a reset, or
# raised.
import sys

import _corpus

if _corpus.CONFIG.get("connection_error_builtin"):
    # CircuitPython has ConnectionError (an OSError) built in; MicroPython's
    # unix port does not, so a script's `except ConnectionError:` clause
    # would turn whatever it is checking into a NameError.
    import builtins

    class ConnectionError(OSError):  # noqa: A001 - CircuitPython's builtin
        pass

    builtins.ConnectionError = ConnectionError

_path = _corpus.CONFIG["script"]
with open(_path) as _f:
    _src = _f.read()
try:
    exec(_src, {"__name__": "__main__", "__file__": _path})
    _corpus.note("end finished")
except _corpus.StopScript as e:
    _corpus.note("end stopped: %s" % e)
except Exception as e:  # noqa: BLE001 - the script's own failure is the result
    _corpus.note("end raised %s: %s" % (type(e).__name__, e))
    sys.print_exception(e, sys.stdout)
_corpus.run_at_end()
