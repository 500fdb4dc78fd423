"""scripts/module_size.py and scripts/module_profile.py on synthetic GNU ld
map files: the module's bytes per object and per function, and the merged
string pool, which newer linkers show as the size of whichever input section
comes first in the pool (CircuitPython's Pico W map charged the whole
firmware's 46 KB of strings to one of our objects). Host-only."""

import pathlib
import sys

REPO = pathlib.Path(__file__).resolve().parent.parent
sys.path.insert(0, str(REPO / "scripts"))

import module_profile  # noqa: E402
import module_size  # noqa: E402

RUST = "/b/rust/adafruit_requests_native.o"
HEAD = """Archive member included to satisfy reference by file (symbol)

Discarded input sections

 .text.unused   0x00000000       0x40 /b/cmodule/session_type.o

Memory Configuration

Linker script and memory map

"""

# binutils 2.40 (Debian 12's arm-none-eabi): each merged section keeps its
# own bytes, less what was shared.
OLD_STYLE = HEAD + """.text           0x10000000     0x1000
 .text.session_make_new
                0x10000000       0x80 /b/cmodule/session_type.o
 .text.mp_obj_new_list
                0x10000080      0x100 /b/py/objlist.o
 .text._ZN24adafruit_requests_native4glue4head10HeadReader4poll17h69a57ff1ecdfed95E
                0x10000180      0x200 %(rust)s
 .text.rq_session_close
                0x10000380       0x20 %(rust)s
 .rodata.session_make_new.str1.1
                0x100003a0       0x30 /b/cmodule/session_type.o
 .rodata.str1.1
                0x100003d0       0x10 %(rust)s
                                 0x14 (size before relaxing)
 .rodata.mp_obj_new_list.str1.1
                0x100003e0       0x20 /b/py/objlist.o
""" % {"rust": RUST}

# binutils 2.44 (GCC 14, CircuitPython's build): the pool of every object's
# strings shows as the first merged section, the others at 0.
NEW_STYLE = HEAD + """.text           0x10000000     0x1000
 .text.session_make_new
                0x10000000       0x80 /b/cmodule/session_type.o
 .text.mp_obj_new_list
                0x10000080      0x100 /b/py/objlist.o
 .text._ZN24adafruit_requests_native4glue4head10HeadReader4poll17h69a57ff1ecdfed95E
                0x10000180      0x200 %(rust)s
 .text.rq_session_close
                0x10000380       0x20 %(rust)s
 .rodata.session_make_new.str1.1
                0x100003a0     0xb400 /b/cmodule/session_type.o
                                 0x30 (size before relaxing)
 .rodata.str1.1
                0x1000b7a0        0x0 %(rust)s
                                 0x14 (size before relaxing)
 .rodata.mp_obj_new_list.str1.1
                0x1000b7a0        0x0 /b/py/objlist.o
                                 0x20 (size before relaxing)
""" % {"rust": RUST}


def write(tmp_path, text):
    p = tmp_path / "firmware.map"
    p.write_text(text)
    return str(p)


def test_old_style_map(tmp_path):
    m = module_size.measure(write(tmp_path, OLD_STYLE))
    assert m["rust"] == 0x200 + 0x20 + 0x10
    assert m["c_files"] == {"session_type.c": 0x80 + 0x30}
    assert m["merged"] == {"rust": 0x10, "c": 0x30}


def test_pool_charged_to_one_object_is_not_counted(tmp_path):
    m = module_size.measure(write(tmp_path, NEW_STYLE))
    # Each object's own strings before merging, not the 46 KB pool.
    assert m["c_files"] == {"session_type.c": 0x80 + 0x30}
    assert m["rust"] == 0x200 + 0x20 + 0x14
    assert m["merged"] == {"rust": 0x14, "c": 0x30}


def test_discarded_sections_are_not_counted(tmp_path):
    m = module_size.measure(write(tmp_path, OLD_STYLE))
    assert "unused" not in repr(m) and m["c"] == 0x80 + 0x30


def test_profile_per_function_and_file(tmp_path):
    rows = module_profile.rows(write(tmp_path, NEW_STYLE), str(REPO))
    by_name = {r.function: r for r in rows}
    poll = by_name["glue::head::HeadReader::poll"]
    assert poll.file == "src/glue/head.rs" and poll.size == 0x200
    assert by_name["session_make_new"].file == "cmodule/session_type.c"
    # A merged section is listed as the strings of its function.
    assert by_name["session_make_new (strings)"].size == 0x30
    # #[no_mangle] entry points are found in the Rust sources.
    assert by_name["rq_session_close"].file.startswith("src/")


def test_budget_fails_over_and_passes_under():
    total = {"rust": 1000, "c": 500, "rest": 100}
    ok, line = module_profile.check_budget("B", total, 1700)
    assert ok and "1600" in line
    ok, line = module_profile.check_budget("B", total, 1500)
    assert not ok and "over" in line and "100" in line
