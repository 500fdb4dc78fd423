"""What a board script needs in front of it to import a dynamic native
module (.mpy) on stock firmware that has no file system to copy it to
(run.py --natmod, and the Pico runner).

- The .mpy travels as base64 pieces (binascii is in every firmware built at
  MicroPython's "extra features" level) into one bytearray; a file system in
  RAM serves it as /natmod/adafruit_requests.mpy and /natmod goes first on
  sys.path. Under QEMU (1 MiB heap) it stays for the script; on the Pico the
  module is imported first and the bytes let go (IMPORT_NOW).
- MicroPython's qemu port has no `time` module, which the natmod reaches its
  clock through (every board port has one). There a stand-in reads the same
  free-running counter the built-in module's qemu builds read from C
  (ports/qemu/*/mphal_ticks.c) and counts modulo 2**30, as time.ticks_ms
  does on 32-bit ports.
"""

import base64

PIECE = 3072  # bytes of .mpy per base64 literal
HOLE_EXTRA = 4096  # beyond the .mpy's size: the import's small allocations

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
import sys, vfs, io, gc
_HOLE = None
gc.collect()
class _NatmodFile(io.IOBase):
    def __init__(self):
        self.off = 0
    def ioctl(self, req, arg):
        return 0
    def readinto(self, buf):
        n = min(len(buf), len(_NATMOD) - self.off)
        buf[:n] = _NATMOD[self.off:self.off + n]
        self.off += n
        return n
class _NatmodFS:
    def mount(self, readonly, mkfs):
        pass
    def umount(self):
        pass
    def chdir(self, path):
        pass
    def stat(self, path):
        if path == "/adafruit_requests.mpy":
            return (0x8000, 0, 0, 0, 0, 0, len(_NATMOD), 0, 0, 0)
        raise OSError(2)
    def open(self, path, mode):
        return _NatmodFile()
vfs.mount(_NatmodFS(), "/natmod")
sys.path.insert(0, "/natmod")
"""

# On a board whose heap is small next to the .mpy (the Pico: 240 KiB, the
# .mpy and its code about 95 KiB each), the module is imported before the
# script and the bytes are let go; what the import kept and the free heap
# after it are reported as measured figures (pico_runner.py). Two steps:
# the module level's value stack keeps stale pointers to what its
# expressions produced (the bytes, here) until the next one runs.
IMPORT_NOW = [
    b"""
from time import ticks_us, ticks_diff
gc.collect()
_before = gc.mem_alloc()
_t = ticks_us()
import adafruit_requests
_t = ticks_diff(ticks_us(), _t)
gc.collect()
print("@measured natmod_import_heap", gc.mem_alloc() - _before)
print("@measured natmod_import_us", _t)
""",
    b"""
_NATMOD = None
vfs.umount("/natmod")
sys.path.remove("/natmod")
del _NatmodFS, _NatmodFile, _before, _t, a2b_base64, _HOLE, ticks_us, ticks_diff
gc.collect()
print("@measured natmod_free_after_import", gc.mem_free())
""",
]


def pieces(mpy):
    """Source lines that fill the bytearray _NATMOD with the .mpy, a piece a
    line (the Pico runner sends them one by one, so none is large). The
    module's code needs one free block of nearly the .mpy's size; garbage
    left between the pieces' allocations can split the free heap, so a
    block that size (_HOLE) is taken first and given back just before the
    import (setup())."""
    lines = [b"from binascii import a2b_base64\n_HOLE = bytearray(%d)\n_NATMOD = bytearray(%d)\n" % (len(mpy) + HOLE_EXTRA, len(mpy))]
    for at in range(0, len(mpy), PIECE):
        part = mpy[at:at + PIECE]
        lines.append(b'_NATMOD[%d:%d] = a2b_base64("%s")\n' % (at, at + len(part), base64.b64encode(part)))
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
