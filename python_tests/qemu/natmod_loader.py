"""What a board script needs in front of it to import a dynamic native
module (.mpy) on stock firmware that has no file system to copy it to
(run.py --natmod, and the Pico runner).

- The .mpy travels as base64 pieces (binascii is in every firmware built at
  MicroPython's "extra features" level); a file system in RAM serves them as
  /natmod/adafruit_requests.mpy and /natmod goes first on sys.path. The
  pieces stay alive while the script runs (an import after a soft reset or a
  second import reads them again).
- MicroPython's qemu port has no `time` module, which the natmod reaches its
  clock through (every board port has one). There a stand-in reads the same
  free-running counter the built-in module's qemu builds read from C
  (ports/qemu/*/mphal_ticks.c) and counts modulo 2**30, as time.ticks_ms
  does on 32-bit ports.
"""

import base64

PIECE = 3072  # bytes of .mpy per base64 literal

# The board's counter in milliseconds, per board of ports/qemu.
BOARD_TICKS = {
    # The FPGA I/O block's 100 Hz counter.
    "MPS2_AN385": "machine.mem32[0x40028014] * 10",
    # CLINT mtime at 10 MHz.
    "VIRT_RV32": "((machine.mem32[0x0200BFFC] << 32) | machine.mem32[0x0200BFF8]) // 10000",
}

TIME_STAND_IN = """
try:
    import time
except ImportError:
    import machine
    class _BoardTime:
        def ticks_ms(self):
            return (%s) & 0x3FFFFFFF
        def ticks_add(self, t, d):
            return (t + d) & 0x3FFFFFFF
    sys.modules["time"] = _BoardTime()
"""

FS = b"""
import sys, vfs, io
class _NatmodFile(io.IOBase):
    def __init__(self):
        self.piece = 0
        self.off = 0
    def ioctl(self, req, arg):
        return 0
    def readinto(self, buf):
        n = 0
        while n < len(buf) and self.piece < len(_NATMOD):
            p = _NATMOD[self.piece]
            k = min(len(buf) - n, len(p) - self.off)
            buf[n:n + k] = p[self.off:self.off + k]
            n += k
            self.off += k
            if self.off == len(p):
                self.piece += 1
                self.off = 0
        return n
class _NatmodFS:
    def mount(self, readonly, mkfs):
        pass
    def chdir(self, path):
        pass
    def stat(self, path):
        if path == "/adafruit_requests.mpy":
            return (0x8000, 0, 0, 0, 0, 0, sum(len(p) for p in _NATMOD), 0, 0, 0)
        raise OSError(2)
    def open(self, path, mode):
        return _NatmodFile()
vfs.mount(_NatmodFS(), "/natmod")
sys.path.insert(0, "/natmod")
"""


def pieces(mpy):
    """Source lines that build the list _NATMOD, one piece each (the Pico
    runner sends them one by one, so none is large)."""
    lines = [b"from binascii import a2b_base64\n_NATMOD = []\n"]
    for at in range(0, len(mpy), PIECE):
        lines.append(b'_NATMOD.append(a2b_base64("%s"))\n' % base64.b64encode(mpy[at:at + PIECE]))
    return lines


def setup(board):
    """The file system and, on a qemu board, the time stand-in (after
    pieces())."""
    text = FS
    if board in BOARD_TICKS:
        text += (TIME_STAND_IN % BOARD_TICKS[board]).encode()
    return text


def prelude(mpy_path, board):
    """All of it as one block of source, for run-tests.py."""
    with open(mpy_path, "rb") as f:
        mpy = f.read()
    return b"".join(pieces(mpy)) + setup(board)
