"""Runs the board scripts on the RPI_PICO UF2 under the rp2040js emulator.

run.py --pico calls main() here. Each script gets a freshly booted board
(scripts/pico_emu/board.mjs, a Node process whose stdin/stdout are the
firmware's USB CDC console) and goes through MicroPython's raw REPL: Ctrl-A,
the source, Ctrl-D, then "OK", the output, 0x04, the error output, 0x04.
The output, with CRLF turned into LF, must equal the script's .exp file.

Scripts may call measured(name, value): a no-op in fakepool.py, here it
prints a line "@measured name value" that is taken out of the output before
the comparison and collected into WORK/measured.json, so one .exp serves
every board while the Pico reports its own figures.
"""

import difflib
import json
import os
import select
import signal
import subprocess
import time

HERE = os.path.dirname(os.path.abspath(__file__))
ROOT = os.path.dirname(os.path.dirname(HERE))
BOARD_JS = os.path.join(ROOT, "scripts", "pico_emu", "board.mjs")
BOOTROM_FILE = "bootrom-b1.bin"

MEASURE_HOOK = b'\ndef measured(name, value):\n    print("@measured", name, value)\n\n'
MEASURE_PREFIX = b"@measured "

RAW_BANNER = b"raw REPL; CTRL-B to exit\r\n>"
# How long the board may take from power-on to the raw REPL prompt (it boots
# in under a second of wall time).
BOOT_LIMIT = 60


class BoardError(Exception):
    pass


class Board:
    """One emulated Pico, talked to over its console."""

    def __init__(self, emu_dir, uf2, log_path, flash_image=None):
        """flash_image: "OFFSET:FILE" put into flash after the UF2."""
        self.log = open(log_path, "wb")
        self.proc = subprocess.Popen(
            ["node", BOARD_JS, emu_dir, os.path.join(emu_dir, BOOTROM_FILE), uf2] + ([flash_image] if flash_image else []),
            stdin=subprocess.PIPE,
            stdout=subprocess.PIPE,
            stderr=self.log,
            start_new_session=True,
        )
        self.buf = b""
        # What the board printed before the raw REPL answered.
        self.boot_output = b""

    def write(self, data):
        try:
            self.proc.stdin.write(data)
            self.proc.stdin.flush()
        except BrokenPipeError:
            raise BoardError("board exited (status %s)" % self.proc.poll())

    def read_until(self, marker, deadline):
        """Bytes up to and including marker; BoardError at the deadline or
        when the board process ends."""
        fd = self.proc.stdout.fileno()
        while True:
            at = self.buf.find(marker)
            if at >= 0:
                end = at + len(marker)
                out, self.buf = self.buf[:end], self.buf[end:]
                return out
            left = deadline - time.monotonic()
            if left <= 0:
                raise BoardError("no %r within the time limit; last output: %r" % (marker, self.buf[-300:]))
            ready, _, _ = select.select([fd], [], [], min(left, 1.0))
            if ready:
                chunk = os.read(fd, 65536)
                if not chunk:
                    self.proc.wait()
                    raise BoardError(
                        "board exited (status %s); last output: %r" % (self.proc.returncode, self.buf[-300:])
                    )
                self.buf += chunk

    def enter_raw_repl(self, deadline):
        # Ctrl-C stops whatever runs at boot; Ctrl-A until the raw prompt
        # answers, since bytes sent before the USB host side is configured
        # reach the firmware only once it is.
        self.write(b"\r\x03\x03")
        while True:
            self.write(b"\x01")
            try:
                self.boot_output += self.read_until(RAW_BANNER, min(deadline, time.monotonic() + 5))
                return
            except BoardError:
                if time.monotonic() >= deadline or self.proc.poll() is not None:
                    raise

    def exec_raw(self, source, deadline):
        """(stdout, stderr) of source run in the raw REPL."""
        self.write(source + b"\x04")
        got = self.read_until(b"OK", deadline)
        # A repeated Ctrl-A from enter_raw_repl may have left another banner;
        # after an earlier exchange, the raw REPL's prompt comes first.
        if got[:-2].replace(RAW_BANNER, b"").replace(b">", b""):
            raise BoardError("raw REPL did not accept the script: %r" % got[-200:])
        out = self.read_until(b"\x04", deadline)[:-1]
        err = self.read_until(b"\x04", deadline)[:-1]
        return out, err

    def close(self):
        """Stops the board; returns the lines it wrote to stderr."""
        if self.proc.poll() is None:
            try:
                self.proc.stdin.close()
                self.proc.wait(timeout=5)
            except (BrokenPipeError, subprocess.TimeoutExpired):
                pass
        if self.proc.poll() is None:
            os.killpg(self.proc.pid, signal.SIGKILL)
            self.proc.wait()
        self.log.close()
        with open(self.log.name, "rb") as f:
            return f.read().decode(errors="replace").splitlines()


def board_time(lines):
    """The board-time figure from board.mjs's last line, or "?"."""
    for line in reversed(lines):
        if line.endswith(" s wall") and "board time" in line:
            return line.split(" s board time")[0].split()[-1]
    return "?"


def split_measured(output):
    """(output without the measured lines, [(name, value), ...])."""
    kept, figures = [], []
    for line in output.splitlines(keepends=True):
        if line.startswith(MEASURE_PREFIX):
            name, _, value = line[len(MEASURE_PREFIX) :].strip().decode().partition(" ")
            figures.append((name, int(value) if value.lstrip("-").isdigit() else value))
        else:
            kept.append(line)
    return b"".join(kept), figures


def normalise(output):
    return output.replace(b"\r\n", b"\n")


def compare(expected, got):
    """None when they match, else a short unified diff."""
    if expected == got:
        return None
    diff = difflib.unified_diff(
        expected.decode(errors="replace").splitlines(),
        got.decode(errors="replace").splitlines(),
        "expected",
        "got",
        lineterm="",
    )
    lines = list(diff)
    return "\n".join(lines[:60] + (["... (%d more diff lines)" % (len(lines) - 60)] if len(lines) > 60 else []))


def broken(expected):
    """The .exp with its first byte changed, for the comparison's own check."""
    first = b"$" if expected[:1] == b"#" else b"#"
    return first + expected[1:]


CP_SAFE_MODE_PROBE = b"import supervisor\nprint(supervisor.runtime.safe_mode_reason)\n"


def cp_boot_problem(board, deadline):
    """Why a CircuitPython board at its raw REPL did not boot normally (its
    safe-mode reason), or None. Safe mode keeps a REPL and may say nothing
    on the console (the message goes out before USB is up), so the board is
    asked."""
    out, err = board.exec_raw(CP_SAFE_MODE_PROBE, deadline)
    board.read_until(b">", deadline)
    reason = normalise(out).decode(errors="replace").strip()
    if err.strip() or not reason:
        return "no safe-mode reason: %r" % (err or out)
    return None if reason.endswith(".NONE") else "safe mode: " + reason


def prepare_cp_drive(uf2, work):
    """"OFFSET:FILE" of an empty CIRCUITPY drive for the image (cp_drive.py),
    or None when the image declares no drive."""
    import cp_drive

    offset = cp_drive.drive_offset(uf2)
    if offset is None:
        return None
    path = os.path.join(work, "circuitpy-drive.img")
    with open(path, "wb") as f:
        f.write(cp_drive.fat12_image())
    return "0x%x:%s" % (offset, path)


def run_one(test, combined, emu_dir, uf2, work, limit, preload=(), flash_image=None, circuitpython=False):
    """-> (passed, message, figures). preload: pieces of source run first,
    one raw REPL exchange each, that may print only measured figures (the
    natmod's bytes and its import: natmod_loader.py)."""
    name = os.path.basename(test)
    with open(combined, "rb") as f:
        source = f.read()
    try:
        with open(test + ".exp", "rb") as f:
            expected = f.read()
    except OSError:
        return False, "no .exp file", []
    board = Board(emu_dir, uf2, os.path.join(work, name + ".board.log"), flash_image)
    started = time.monotonic()
    try:
        board.enter_raw_repl(started + BOOT_LIMIT)
        # A CircuitPython board in safe mode still has a REPL, but it is not
        # the board users get: that counts as a failure, with its reason.
        problem = cp_boot_problem(board, time.monotonic() + 60) if circuitpython else None
        if problem:
            raise BoardError("booted in " + problem)
        preloaded = []
        for piece in preload:
            said, figures = split_measured(normalise(b"".join(board.exec_raw(piece, time.monotonic() + limit))))
            if said:
                raise BoardError("preloading printed %r" % said[-300:])
            preloaded += figures
        out, err = board.exec_raw(source, time.monotonic() + limit)
    except BoardError as e:
        tail = board.close()[-5:]
        return False, "%s (after %.0f s)%s" % (e, time.monotonic() - started, "".join("\n  " + t for t in tail)), []
    wall = time.monotonic() - started
    timing = "%s s board time, %.1f s wall" % (board_time(board.close()), wall)
    got, figures = split_measured(normalise(out + err))
    figures = preloaded + figures
    with open(os.path.join(work, name + ".out"), "wb") as f:
        f.write(got)
    diff = compare(expected, got)
    # The comparison must also be able to fail: the same output against a
    # copy of the .exp with one byte changed.
    if diff is None and compare(broken(expected), got) is None:
        return False, "comparison accepted a broken .exp", figures
    if diff is not None:
        return False, "output differs from %s.exp (%s)\n%s" % (name, timing, diff), figures
    return True, timing, figures


def main(tests, combined, uf2, emu_dir, work, limit, preload=(), circuitpython=False):
    uf2 = os.path.abspath(uf2)
    emu_dir = os.path.abspath(emu_dir)
    for need in (uf2, os.path.join(emu_dir, BOOTROM_FILE), os.path.join(emu_dir, "node_modules", "rp2040js")):
        if not os.path.exists(need):
            print("run.py: %s is missing (make test-pico prepares it)" % need)
            return 1
    flash_image = None
    if circuitpython:
        flash_image = prepare_cp_drive(uf2, work)
        if flash_image is None:
            print("run.py: %s declares no CIRCUITPY drive (binary info tag 'CP')" % uf2)
            return 1
        print("CircuitPython image; empty CIRCUITPY drive at flash offset %s" % flash_image.split(":")[0], flush=True)
    passed = failed = 0
    measured = {}
    began = time.monotonic()
    for test, comb in zip(tests, combined):
        name = os.path.basename(test)
        ok, message, figures = run_one(test, comb, emu_dir, uf2, work, limit, preload, flash_image, circuitpython)
        for key, value in figures:
            measured[key] = value
        if ok:
            passed += 1
            print("pass  %s (%s)" % (name, message), flush=True)
        else:
            failed += 1
            print("FAIL  %s: %s" % (name, message), flush=True)
    if measured:
        with open(os.path.join(work, "measured.json"), "w") as f:
            json.dump(measured, f, indent=1, sort_keys=True)
        for key in sorted(measured):
            print("  %s = %s" % (key, measured[key]))
    print("total %.0f s wall" % (time.monotonic() - began))
    print("%d passed, %d failed" % (passed, failed))
    return 1 if failed or not passed else 0
