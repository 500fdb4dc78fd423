# Makes os.urandom deterministic for code imported afterwards, so multipart
# boundaries of two implementations can be compared byte for byte. MicroPython's
# built-in `os` rejects attribute assignment, so a stand-in goes into
# sys.modules, where `import os` looks first.

import os as _os
import sys


class _FixedOs:
    def __init__(self, pattern):
        self._pattern = pattern
        self.urandom_calls = 0

    def urandom(self, n):
        self.urandom_calls += 1
        out = bytearray(n)
        for i in range(n):
            out[i] = self._pattern[i % len(self._pattern)]
        return bytes(out)

    def __getattr__(self, name):
        return getattr(_os, name)


def install(pattern=b"\x0f\xa1\x5c\x37"):
    fake = _FixedOs(pattern)
    sys.modules["os"] = fake
    return fake
