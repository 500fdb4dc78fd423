"""The CircuitPython board tooling that runs without a board: where
python_tests/qemu/cp_drive.py finds the CIRCUITPY drive in a UF2 and the
FAT12 volume it hands the emulated board, and scripts/cp_board_size.py's
reading of a link's memory report. Host-only: synthetic images and logs."""

import pathlib
import struct
import sys

REPO = pathlib.Path(__file__).resolve().parent.parent
sys.path.insert(0, str(REPO / "python_tests" / "qemu"))
sys.path.insert(0, str(REPO / "scripts"))

import cp_board_size  # noqa: E402
import cp_drive  # noqa: E402

BASE = cp_drive.FLASH_BASE


def uf2(flash):
    """A UF2 of `flash` ({address: bytes}), 256 bytes a block."""
    image = bytearray(max(a + len(b) for a, b in flash.items()) - BASE)
    for addr, data in flash.items():
        image[addr - BASE : addr - BASE + len(data)] = data
    blocks = []
    count = (len(image) + 255) // 256
    for n in range(count):
        payload = bytes(image[n * 256 : n * 256 + 256]).ljust(256, b"\0")
        head = struct.pack("<8I", 0x0A324655, 0x9E5D5157, 0x2000, BASE + n * 256, 256, n, count, 0xE48BFF56)
        blocks.append(head + payload.ljust(476, b"\0") + struct.pack("<I", 0x0AB16F30))
    return b"".join(blocks)


def image_with_drive(tmp_path, entries, header_at=0x100 + 0xC0):
    """A UF2 whose binary info lists `entries` (each (type, tag, address))."""
    flash = {}
    table = BASE + 0x1000
    records = BASE + 0x2000
    ptrs = b""
    for i, (kind, tag, address) in enumerate(entries):
        rec = records + i * 32
        flash[rec] = struct.pack("<HHIIIIH", kind, tag, 0, address, 0x1000, 0, 0)
        ptrs += struct.pack("<I", rec)
    flash[table] = ptrs
    flash[BASE + header_at] = struct.pack(
        "<5I", cp_drive.BI_MARKER_START, table, table + len(ptrs), 0, cp_drive.BI_MARKER_END
    )
    path = tmp_path / "firmware.uf2"
    path.write_bytes(uf2(flash))
    return str(path)


def test_drive_offset_from_binary_info(tmp_path):
    other = (cp_drive.BI_TYPE_BLOCK_DEVICE, ord("X") | ord("Y") << 8, 0x50000)
    cp = (cp_drive.BI_TYPE_BLOCK_DEVICE, cp_drive.BI_TAG_CP, 0x110000)
    assert cp_drive.drive_offset(image_with_drive(tmp_path, [other, cp])) == 0x110000


def test_drive_offset_absent(tmp_path):
    other = (5, cp_drive.BI_TAG_CP, 0x110000)  # an ID-and-int entry with the same tag
    assert cp_drive.drive_offset(image_with_drive(tmp_path, [other])) is None


def test_fat12_image_is_a_labelled_fat12_volume():
    img = cp_drive.fat12_image(sectors=512)
    assert len(img) == 512 * 512
    (bps, spc, reserved, fats, root_entries, total, media, fat_sectors) = struct.unpack_from("<HBHBHHBH", img, 11)
    assert (bps, spc, reserved, fats, root_entries, total, media) == (512, 1, 1, 1, 512, 512, 0xF8)
    assert img[510:512] == b"\x55\xaa" and img[54:62] == b"FAT12   " and img[43:54] == b"CIRCUITPY  "
    clusters = total - reserved - fats * fat_sectors - root_entries * 32 // 512
    assert clusters < 4085  # what makes FatFs read it as FAT12
    assert fat_sectors * 512 * 2 // 3 >= clusters + 2
    fat = img[512 : 512 + fat_sectors * 512]
    assert fat[:3] == b"\xf8\xff\xff" and not any(fat[3:])
    root = img[512 * (1 + fat_sectors) :]
    assert root[:11] == b"CIRCUITPY  " and root[11] == 0x08 and root[32] == 0


MEMORY_REPORT = """\
Memory region         Used Size  Region Size  %%age Used
  FLASH_FIRMWARE:     %s B      1020 KB     %s
             RAM:       75412 B       256 KB     28.77%%
"""


def build(tmp_path, name, used, overflow=None, uf2_file=True):
    d = tmp_path / name
    d.mkdir()
    log = ""
    if overflow:
        log += "ld: region `FLASH_FIRMWARE' overflowed by %d bytes\n" % overflow
    log += MEMORY_REPORT % (used, "99.00%")
    (d / "link.log").write_text(log)
    if uf2_file:
        (d / "firmware.uf2").write_bytes(b"x")


def test_size_report_plain_module_and_overflow(tmp_path, capsys):
    build(tmp_path, "raspberry_pi_pico-plain", 997872)
    build(tmp_path, "raspberry_pi_pico-module", 1084560, overflow=40080, uf2_file=False)
    build(tmp_path, "raspberry_pi_pico_fw1088k-module", 1084560)
    rc = cp_board_size.main(["x", "--board", "raspberry_pi_pico", "--build", str(tmp_path)])
    out = capsys.readouterr().out
    assert rc == 1  # the stock image with the module does not link
    assert "DOES NOT LINK: overflows by 40080 bytes" in out
    assert "+86688" in out
    assert "raspberry_pi_pico_fw1088k module" in out


def test_size_report_passes_when_the_module_links(tmp_path):
    build(tmp_path, "raspberry_pi_pico-plain", 997872)
    build(tmp_path, "raspberry_pi_pico-module", 1030000)
    assert cp_board_size.main(["x", "--board", "raspberry_pi_pico", "--build", str(tmp_path)]) == 0
    r = cp_board_size.read_link(str(tmp_path / "raspberry_pi_pico-module" / "link.log"))
    assert r["linked"] and r["size"] == 1020 * 1024 and r["free"] == 1020 * 1024 - 1030000
