#!/usr/bin/env python3
"""Runs the emulated-board tests through MicroPython's tests/run-tests.py.

    run.py --qemu build/qemu/firmware.elf [tests...]   # MPS2 AN385 under qemu-system-arm
    run.py --qemu build/qemu-microbit/firmware.elf --board MICROBIT
    run.py --qemu build/qemu-rv32/firmware.elf --board VIRT_RV32  # qemu-system-riscv32
    run.py --unix build/micropython [tests...]         # same scripts, host firmware
    run.py --unix build/micropython --write-exp        # regenerate the .exp files
    run.py --pico build/rp2/RPI_PICO/firmware.uf2      # RP2040 under rp2040js (pico_runner.py)
    run.py --pico build/rp2/RPI_PICO_W/firmware.uf2    # the Pico W image: boots without its radio
    run.py --qemu build/qemu-natmod-plain/firmware.elf --natmod build/natmod/armv7m/adafruit_requests.mpy
    run.py --pico build/rp2/RPI_PICO-plain/firmware.uf2 --natmod build/natmod/armv6m/adafruit_requests.mpy
                                                       # stock firmware importing the .mpy (natmod_loader.py)
    run.py --pico build/cp-board/raspberry_pi_pico-module/firmware.uf2 --circuitpython

Each test is fakepool.py followed by the test script (the board has no file
system to import a helper from), written to --work; its output must equal
the script's .exp file. Running the same .exp against the unix firmware shows
that the 32-bit ARM and RISC-V builds and the 64-bit host build agree.

execpty needs pyserial in the interpreter that runs run-tests.py; when this
one lacks it, /usr/bin/python3 (Debian's python3-serial) is used.
"""

import argparse
import glob
import os
import shutil
import subprocess
import sys

import natmod_loader

# QEMU's options per board of ports/qemu (MicroPython's qemu port settings).
MACHINES = {
    "MPS2_AN385": "-machine mps2-an385",
    "MICROBIT": "-machine microbit -global nrf51-soc.flash-size=1048576 -global nrf51-soc.sram-size=262144",
    "VIRT_RV32": "-machine virt -bios none",
}
# The QEMU binary per board, unless --qemu-system names one.
SYSTEMS = {"VIRT_RV32": "qemu-system-riscv32"}

HERE = os.path.dirname(os.path.abspath(__file__))
ROOT = os.path.dirname(os.path.dirname(HERE))
PRELUDE = os.path.join(HERE, "fakepool.py")


# The files here that are not board scripts.
NOT_TESTS = ("fakepool.py", "run.py", "pico_runner.py", "natmod_loader.py", "cp_drive.py")


def tests_in_dir():
    return sorted(p for p in glob.glob(os.path.join(HERE, "*.py")) if os.path.basename(p) not in NOT_TESTS)


def combine(test, work, hook=b"", natmod=b""):
    """[natmod loader (natmod_loader.py),] fakepool.py, then hook
    (definitions a runner adds), then the test."""
    name = os.path.basename(test)
    out = os.path.join(work, name)
    text = natmod
    with open(PRELUDE, "rb") as f:
        text += f.read()
    text += hook
    with open(test, "rb") as f:
        text += f.read()
    with open(out, "wb") as f:
        f.write(text)
    if os.path.exists(test + ".exp"):
        shutil.copyfile(test + ".exp", out + ".exp")
    return out


def interpreter_with_serial():
    for py in (sys.executable, "/usr/bin/python3"):
        if py and subprocess.call([py, "-c", "import serial"], stderr=subprocess.DEVNULL) == 0:
            return py
    sys.exit("run.py: pyserial is needed for qemu (Debian: apt-get install python3-serial)")


def main():
    ap = argparse.ArgumentParser()
    which = ap.add_mutually_exclusive_group(required=True)
    which.add_argument("--qemu", metavar="ELF", help="firmware for the --board under QEMU")
    which.add_argument("--unix", metavar="BINARY", help="unix MicroPython binary")
    which.add_argument("--pico", metavar="UF2", help="RP2040 firmware (RPI_PICO or RPI_PICO_W) under the rp2040js emulator")
    ap.add_argument("--micropython-dir", default=os.environ.get("MICROPY_DIR", os.path.join(ROOT, "deps/micropython")))
    ap.add_argument("--work", default=os.path.join(ROOT, "build/qemu-tests"))
    ap.add_argument("--qemu-system", help="default: qemu-system-riscv32 for VIRT_RV32, else qemu-system-arm")
    ap.add_argument("--board", default="MPS2_AN385", choices=sorted(MACHINES), help="with --qemu: the board it was built for")
    ap.add_argument("--write-exp", action="store_true", help="with --unix: write each test's output as its .exp")
    ap.add_argument("--emu", default=os.path.join(ROOT, "build/pico-emu"),
                    help="with --pico: rp2040js and the bootrom (scripts/pico_emu/setup.py)")
    ap.add_argument("--time-limit", type=float, default=300, metavar="SECONDS",
                    help="with --pico: wall time each script may take")
    ap.add_argument("--circuitpython", action="store_true",
                    help="with --pico: a CircuitPython image (its boot, its CIRCUITPY drive: pico_runner.py)")
    ap.add_argument("--natmod", metavar="MPY", help="load this adafruit_requests.mpy (stock firmware)")
    ap.add_argument("tests", nargs="*")
    args = ap.parse_args()

    tests = [os.path.abspath(t) for t in args.tests] or tests_in_dir()
    # run-tests.py runs from its own directory.
    args.work = os.path.abspath(args.work)
    shutil.rmtree(args.work, ignore_errors=True)
    os.makedirs(args.work)
    if args.pico:
        import pico_runner

        # The natmod's bytes go first, one piece per raw REPL exchange, and
        # it is imported before the script.
        preload = ()
        if args.natmod:
            with open(args.natmod, "rb") as f:
                preload = natmod_loader.pieces(f.read())
            preload.append(natmod_loader.setup("RPI_PICO") + natmod_loader.IMPORT_NOW[0])
            preload.append(natmod_loader.IMPORT_NOW[1])
        combined = [combine(t, args.work, pico_runner.MEASURE_HOOK) for t in tests]
        return pico_runner.main(tests, combined, args.pico, args.emu, args.work, args.time_limit, preload,
                                circuitpython=args.circuitpython)
    loader = natmod_loader.prelude(args.natmod, args.board) if args.natmod else b""
    combined = [combine(t, args.work, natmod=loader) for t in tests]

    if args.write_exp:
        if not args.unix:
            sys.exit("run.py: --write-exp takes the output of --unix")
        for src, comb in zip(tests, combined):
            out = subprocess.run([os.path.abspath(args.unix), comb], stdout=subprocess.PIPE, timeout=120).stdout
            with open(src + ".exp", "wb") as f:
                f.write(out)
            print("wrote", os.path.relpath(src + ".exp"))
        return 0

    run_tests = os.path.join(os.path.abspath(args.micropython_dir), "tests", "run-tests.py")
    cmd_env = dict(os.environ)
    if args.qemu:
        py = interpreter_with_serial()
        instance = "execpty:%s %s -nographic -monitor null -semihosting -serial pty -kernel %s" % (
            args.qemu_system or SYSTEMS.get(args.board, "qemu-system-arm"),
            MACHINES[args.board],
            os.path.abspath(args.qemu),
        )
    else:
        py = sys.executable
        instance = "unix"
        cmd_env["MICROPY_MICROPYTHON"] = os.path.abspath(args.unix)
    cmd = [py, run_tests, "-t", instance, "-r", os.path.join(args.work, "results")] + combined
    # run-tests.py finds its helpers relative to its own directory. Its
    # per-test timeouts do not cover a board that stops answering during
    # start-up, hence the overall limit (the suite takes seconds).
    try:
        return subprocess.call(cmd, cwd=os.path.dirname(run_tests), env=cmd_env, timeout=600)
    except subprocess.TimeoutExpired:
        print("run.py: run-tests.py did not finish within 600 s", file=sys.stderr)
        return 1


if __name__ == "__main__":
    sys.exit(main())
