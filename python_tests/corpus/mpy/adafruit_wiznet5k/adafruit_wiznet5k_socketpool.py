# adafruit_wiznet5k's socket pool: the library's semantics
# (python_tests/mpy_lib/wiznet5kpool.py) on the chip stand-in. The run's
# "wiznet5k_legacy" gives the library before 7.4, whose non-blocking read
# returns 0 where 7.4 raises EAGAIN.
import wiznet5kpool

import _corpus


class SocketPool(wiznet5kpool.SocketPool):
    def __init__(self, iface):
        super().__init__(iface, legacy=_corpus.CONFIG.get("wiznet5k_legacy", False))
