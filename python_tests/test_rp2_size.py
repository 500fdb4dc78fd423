"""scripts/rp2_size.py, the flash check `make rp2` ends with: where a board's
filesystem starts, the module's budget, images that grow into the
filesystem, and the GNU_STACK header the module's object once brought.
Host-only: synthetic board files, no firmware needed."""

import pathlib
import sys

REPO = pathlib.Path(__file__).resolve().parent.parent
sys.path.insert(0, str(REPO / "scripts"))

import rp2_size  # noqa: E402

READELF_PLAIN = """
Program Headers:
  Type           Offset   VirtAddr   PhysAddr   FileSiz MemSiz  Flg Align
  LOAD           0x001000 0x10000000 0x10000000 0x00100 0x00100 R E 0x1000
"""
READELF_RWE = READELF_PLAIN + "  GNU_STACK      0x000000 0x00000000 0x00000000 0x00000 0x00000 RWE 0x10\n"


def board(tmp_path, pico_board, flash, storage):
    sdk_boards = tmp_path / "sdk" / "src" / "boards" / "include" / "boards"
    sdk_boards.mkdir(parents=True)
    (sdk_boards / (pico_board + ".h")).write_text(
        "#ifndef PICO_FLASH_SIZE_BYTES\n#define PICO_FLASH_SIZE_BYTES %s\n#endif\n" % flash)
    bdir = tmp_path / "BOARD"
    bdir.mkdir()
    (bdir / "mpconfigboard.cmake").write_text('set(PICO_BOARD "%s")\n' % pico_board)
    (bdir / "mpconfigboard.h").write_text("#define MICROPY_HW_FLASH_STORAGE_BYTES          %s\n" % storage)
    return str(bdir), str(tmp_path / "sdk")


def test_filesystem_start_plain_number(tmp_path):
    bdir, sdk = board(tmp_path, "pico_w", "(2 * 1024 * 1024)", "(848 * 1024)")
    assert rp2_size.filesystem_start(bdir, sdk) == 2 * 1024 * 1024 - 848 * 1024


def test_filesystem_start_in_terms_of_flash_size(tmp_path):
    # RPI_PICO2_W writes its filesystem size as PICO_FLASH_SIZE_BYTES - 1.5 MiB.
    bdir, sdk = board(tmp_path, "pico2_w", "(4 * 1024 * 1024)", "(PICO_FLASH_SIZE_BYTES - 1536 * 1024)")
    assert rp2_size.filesystem_start(bdir, sdk) == 1536 * 1024


def test_within_budget_passes():
    lines, failures = rp2_size.check("B", {"plain": 1000, "module": 1500}, 4000, budgets={"B": 600})
    assert failures == []
    assert any("module costs 500 bytes" in line for line in lines)


def test_over_budget_fails():
    _, failures = rp2_size.check("B", {"plain": 1000, "module": 1700}, 4000, budgets={"B": 600})
    assert len(failures) == 1 and "over its budget of 600" in failures[0]


def test_image_into_filesystem_fails_even_within_budget():
    _, failures = rp2_size.check("B", {"plain": 3900, "module": 4100}, 4000, budgets={"B": 600})
    assert len(failures) == 1 and "inside the filesystem" in failures[0]


def test_missing_image_fails():
    _, failures = rp2_size.check("B", {"plain": 1000}, 4000, budgets={"B": 600})
    assert failures and "need both" in failures[0]


def test_stack_header_parsed():
    assert rp2_size.stack_headers(READELF_PLAIN) == []
    assert rp2_size.stack_headers(READELF_RWE) == ["RWE"]


def test_stack_header_only_with_module_fails():
    stacks = {"plain": rp2_size.stack_headers(READELF_PLAIN), "module": rp2_size.stack_headers(READELF_RWE)}
    _, failures = rp2_size.check("B", {"plain": 1000, "module": 1500}, 4000, budgets={"B": 600}, stacks=stacks)
    assert len(failures) == 1 and "GNU_STACK" in failures[0]


def test_board_header_in_board_dir(tmp_path):
    bdir, sdk = board(tmp_path, "custom", "(8 * 1024 * 1024)", "(7 * 1024 * 1024)")
    header = pathlib.Path(sdk) / "src" / "boards" / "include" / "boards" / "custom.h"
    header.rename(pathlib.Path(bdir) / "custom.h")
    assert rp2_size.filesystem_start(bdir, sdk) == 1024 * 1024


def test_unknown_filesystem_only_sizes():
    lines, failures = rp2_size.check("B", {"plain": 1000, "module": 1500}, None, budgets={"B": 600})
    assert failures == []
    assert not any("filesystem" in line for line in lines)
