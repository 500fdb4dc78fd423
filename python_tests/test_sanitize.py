"""The sanitizer builds see what they are meant to see (`make test-sanitize`).

These run on the sanitized firmwares only (MICROPYTHON=build/micropython-asan
or -ubsan) and skip with that reason elsewhere. The scripts import nothing of
adafruit_requests: they check the tooling and the one finding outside this
repository that python_tests/sanitize.py lets through.
"""

import os
import zlib

import pytest

import sanitize
from firmware_caps import firmware_path

pytestmark = pytest.mark.native_only

BUILT_WITH = sanitize.firmware_sanitizers(firmware_path())


def run_logged(mpy, tmp_path, script, params=None):
    """Run ``script`` with the sanitizers' reports going to tmp_path (not to
    this test's own log, which would fail it); returns (result, reports)."""
    prefix = str(tmp_path / "report")
    env = {
        "ASAN_OPTIONS": "detect_leaks=0:halt_on_error=0:log_path=" + prefix,
        "UBSAN_OPTIONS": "print_stacktrace=1:halt_on_error=0:log_path=" + prefix,
    }
    res = mpy.run(script, params=params, env=env, check=False, import_requests=False, timeout=60)
    reports = []
    for name in sorted(os.listdir(tmp_path)):
        if name.startswith("report."):
            with open(tmp_path / name, errors="replace") as f:
                reports += sanitize.split_reports(f.read())
    return res, reports


@pytest.mark.skipif("gc-poison" not in BUILT_WITH,
                    reason="firmware without AddressSanitizer and the poisoned GC heap "
                           "(make firmware-asan)")
def test_poisoned_gc_heap_reports_a_stale_pointer(mpy, tmp_path):
    # A buffer freed by the collector, then read through its old address: on a
    # heap that is one malloc, stock ASan sees nothing; free blocks poisoned
    # by py/gc.c (scripts/sanitize/gc-poison.patch) make it a report.
    res, reports = run_logged(mpy, tmp_path, """
import gc, uctypes
def make():
    return uctypes.addressof(bytearray(4096))
a = make()
for _ in range(3):
    [0] * 10
    gc.collect()
emit(uctypes.bytearray_at(a, 16)[5])
""")
    assert res.records == [0], res.describe()
    assert len(reports) == 1, reports
    assert "ERROR: AddressSanitizer: use-after-poison" in reports[0]
    assert sanitize.classify(reports[0]) is None


@pytest.mark.skipif("gc-poison" not in BUILT_WITH,
                    reason="firmware without AddressSanitizer and the poisoned GC heap "
                           "(make firmware-asan)")
def test_poisoned_gc_heap_is_quiet_while_threads_allocate_and_collect(mpy, tmp_path):
    # The poisoning's own race: a collection in one thread scans blocks that
    # another has just allocated; they must be unpoisoned before the GC lock
    # is released, or every threaded test reports a use-after-poison that is
    # no bug of the code under test.
    res, reports = run_logged(mpy, tmp_path, """
import _thread, gc
done = [0]
def churn():
    keep = []
    for i in range(20000):
        keep.append(bytearray(64 + i % 200))
        keep.append([i] * (i % 30))
        if len(keep) > 40:
            keep = keep[-8:]
    done[0] += 1
for _ in range(3):
    _thread.start_new_thread(churn, ())
while done[0] < 3:
    gc.collect()
emit("done")
""")
    assert res.records == ["done"], res.describe()
    assert reports == []


def corrupt_deflate():
    # A zlib stream with 40 bytes in its middle flipped: one of the corrupt
    # bodies test_compressed.py serves.
    import json
    body = json.dumps({"k": list(range(2000)), "s": "\u00e9" * 100}).encode()
    data = zlib.compress(body)
    return data[:40] + bytes(b ^ 0x5A for b in data[40:80]) + data[80:]


@pytest.mark.skipif(not BUILT_WITH & {"address", "undefined"},
                    reason="firmware without a sanitizer: an out-of-bounds read of "
                           "constant data goes unnoticed there")
def test_uzlib_underread_without_the_module(mpy, tmp_path):
    """The reproducer for KNOWN's uzlib finding: MicroPython's own
    deflate.DeflateIO on a corrupt stream, no adafruit_requests. When this
    fails because the report is gone, MicroPython fixed it: drop the entry."""
    res, reports = run_logged(mpy, tmp_path, """
import deflate, io
try:
    deflate.DeflateIO(io.BytesIO(P["data"]), deflate.ZLIB).read()
    emit("decoded")
except Exception as e:
    emit(err(e)[:2])
""", params={"data": corrupt_deflate()})
    # DeflateIO's own error (EOFError); the module turns it into a ValueError.
    assert res.rc == 0 and res.records == [["err", "EOFError"]], res.describe()
    assert reports, "no report: has MicroPython fixed lib/uzlib/tinflate.c?"
    for rep in reports:
        assert sanitize.classify(rep) is sanitize.UZLIB_LOOKUP_TABLE, rep
        assert "rq_" not in rep and "cmodule" not in rep, rep


def test_known_findings_match_only_themselves():
    # The suppression names one place: a report elsewhere stays ours.
    asan = """==1==ERROR: AddressSanitizer: global-buffer-overflow on address 0x1 at pc 0x2
READ of size 4 at 0x1 thread T0
    #0 0x3 in %s ../../%s:428
    #1 0x4 in uzlib_uncompress ../../lib/uzlib/tinflate.c:562

0x1 is located 12 bytes to the left of global variable '%s' defined in '../../x.c:64:28'
"""
    assert sanitize.classify(
        asan % ("tinf_inflate_block_data", "lib/uzlib/tinflate.c", "lookup_table")) \
        is sanitize.UZLIB_LOOKUP_TABLE
    assert sanitize.classify(
        asan % ("rq_decoded_read_raise", "cmodule/decode.c", "lookup_table")) is None
    assert sanitize.classify(
        asan % ("tinf_inflate_block_data", "lib/uzlib/tinflate.c", "rq_table")) is None
    ub = ("../../lib/uzlib/tinflate.c:428:37: runtime error: index %s out of bounds "
          "for type '%s'\n")
    assert sanitize.classify(ub % ("-3", "lookup_table_entry_t [30]")) \
        is sanitize.UZLIB_LOOKUP_TABLE
    assert sanitize.classify(ub % ("31", "other_t [30]")) is None
    assert sanitize.classify("../../cmodule/decode.c:1:1: runtime error: index -3 out of "
                             "bounds for type 'lookup_table_entry_t [30]'\n") is None
