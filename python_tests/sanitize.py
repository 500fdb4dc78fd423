"""Sanitizer reports per test (`make test-sanitize`).

With SANITIZE_LOG_DIR set, every firmware process a test starts writes its
AddressSanitizer / UndefinedBehaviorSanitizer reports to
``$SANITIZE_LOG_DIR/<test id>.<pid>`` (the sanitizers' log_path), and a
report fails the test that caused it. Processes started outside a test (the
firmware's capability probe at collection) log to ``_session``, checked at
the end of the run.

Both builds continue after a report (-fsanitize-recover=address,
halt_on_error=0), so that a known finding outside this repository, listed in
KNOWN with its reason and a reproducer, is told apart from ours instead of
killing the script; every other report fails the test.
"""

import glob
import os
import re

LOG_DIR = os.environ.get("SANITIZE_LOG_DIR") or None
SESSION = "_session"

# Set before the options a user gave, so theirs win.
_ASAN_BASE = "detect_leaks=0:halt_on_error=0"
_UBSAN_BASE = "print_stacktrace=1:halt_on_error=0"
_USER_ASAN = os.environ.get("ASAN_OPTIONS", "")
_USER_UBSAN = os.environ.get("UBSAN_OPTIONS", "")


class Known:
    """A finding outside this repository: the report it makes, and why it is
    let through."""

    def __init__(self, name, reason, reproducer, patterns):
        self.name = name
        self.reason = reason
        self.reproducer = reproducer
        self.patterns = [re.compile(p, re.S) for p in patterns]

    def matches(self, report):
        return any(p.search(report) for p in self.patterns)


# MicroPython 1.25's lib/uzlib/tinflate.c, tinf_inflate_block_data: a distance
# symbol that fails to decode comes back as UZLIB_DATA_ERROR (-3), and only
# `dist >= 30` is checked before lookup_table[dist] is read: 4 bytes of the
# constant data 12 bytes before the table. The garbage it reads is bounded
# (4 + 15 bit fields) and the offset made from it is checked against the
# window before use, so the decode ends in an error, not a stray write. A
# corrupt compressed body from the server reaches it through
# deflate.DeflateIO; so does any script without this module. Upstream has
# the same check. The first frame must be in tinf_inflate_block_data and the
# object 'lookup_table', so a report anywhere else still fails.
UZLIB_LOOKUP_TABLE = Known(
    name="uzlib-lookup-table-underread",
    reason="MicroPython's inflater (lib/uzlib/tinflate.c) reads lookup_table[-3] "
           "on a corrupt deflate stream; outside this repository",
    reproducer="python_tests/test_sanitize.py::test_uzlib_underread_without_the_module",
    patterns=[
        # ASan: the first frame and the object it hit.
        r"ERROR: AddressSanitizer: global-buffer-overflow.*?\n"
        r"READ of size \d+ .*?\n\s+#0 0x[0-9a-f]+ in tinf_inflate_block_data "
        r"\S*lib/uzlib/tinflate\.c:\d+.*?of global variable 'lookup_table'",
        # UBSan: the index check on the same table.
        r"^\S*lib/uzlib/tinflate\.c:\d+:\d+: runtime error: index -\d+ out of bounds "
        r"for type 'lookup_table_entry_t \[30\]'",
    ])

KNOWN = [UZLIB_LOOKUP_TABLE]


def enabled():
    return LOG_DIR is not None


def _safe(nodeid):
    return re.sub(r"[^A-Za-z0-9_.-]", "_", nodeid).replace("..", "_")[:200]


def log_prefix(name):
    return os.path.join(LOG_DIR, _safe(name))


def _join(*parts):
    return ":".join(p for p in parts if p)


def point_logs_at(name):
    """Reports of firmware processes started from now on go to ``name``."""
    path = log_prefix(name)
    os.environ["ASAN_OPTIONS"] = _join(_ASAN_BASE, "log_path=" + path, _USER_ASAN)
    os.environ["UBSAN_OPTIONS"] = _join(_UBSAN_BASE, "log_path=" + path, _USER_UBSAN)


def configure():
    if not enabled():
        return
    os.makedirs(LOG_DIR, exist_ok=True)
    point_logs_at(SESSION)


def split_reports(text):
    """One string per report in a sanitizer log: an ASan report runs from its
    ==PID==ERROR line to the next; each UBSan 'runtime error' line starts one
    (its stack follows)."""
    starts = [m.start() for m in re.finditer(
        r"^(==\d+==ERROR: |\S+:\d+:\d+: runtime error: )", text, re.M)]
    if not starts:
        return [text] if text.strip() else []
    return [text[a:b] for a, b in zip(starts, starts[1:] + [len(text)])]


def classify(report):
    for k in KNOWN:
        if k.matches(report):
            return k
    return None


class Findings:
    """The reports logged under one test name that were not looked at yet."""

    def __init__(self):
        self._seen = set()

    def collect(self, name):
        ours, known = [], []
        for path in sorted(glob.glob(glob.escape(log_prefix(name)) + ".*")):
            if path in self._seen:
                continue
            self._seen.add(path)
            with open(path, errors="replace") as f:
                text = f.read()
            for rep in split_reports(text):
                k = classify(rep)
                if k is None:
                    ours.append((path, rep))
                else:
                    known.append((path, k, rep))
        return ours, known


def firmware_sanitizers(path):
    """Which sanitizers the firmware at ``path`` was built with, from the
    runtime entry points its binary references."""
    try:
        with open(path, "rb") as f:
            data = f.read()
    except OSError:
        return set()
    found = set()
    if b"__asan_init" in data:
        found.add("address")
    if b"__ubsan_handle_" in data:
        found.add("undefined")
    if b"__asan_poison_memory_region" in data:
        found.add("gc-poison")
    return found
