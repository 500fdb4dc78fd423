"""The CIRCUITPY drive for a CircuitPython image booted in rp2040js.

The emulated flash cannot be written by the firmware (rp2040js ignores the
flash chip's program and erase commands), so CircuitPython's first boot,
which formats a blank drive and reads it back, ends in safe mode ("CIRCUITPY
drive could not be found or created"). Handing the board a drive formatted
beforehand lets it boot as it does on a real Pico: the drive mounts, read
only in effect (what the firmware writes is lost).

Where the drive starts is read from the image itself: CircuitPython declares
its drive as a pico-sdk binary-info block device (tag 'CP'), so a board built
with a larger firmware area needs no extra setting.
"""

import struct

FLASH_BASE = 0x10000000
UF2_MAGIC = (0x0A324655, 0x9E5D5157)
UF2_NOT_MAIN_FLASH = 0x1
BI_MARKER_START = 0x7188EBF2
BI_MARKER_END = 0xE71AA390
BI_TYPE_BLOCK_DEVICE = 7
BI_TAG_CP = ord("C") | ord("P") << 8

SECTOR = 512


def flash_of(uf2_path):
    """{flash address: bytes} of the UF2's 256-byte payloads."""
    with open(uf2_path, "rb") as f:
        data = f.read()
    blocks = {}
    for off in range(0, len(data) - 511, 512):
        m0, m1, flags, addr, size = struct.unpack_from("<5I", data, off)
        if (m0, m1) != UF2_MAGIC or flags & UF2_NOT_MAIN_FLASH:
            continue
        blocks[addr] = data[off + 32 : off + 32 + size]
    return blocks


def _reader(blocks):
    def read(addr, n):
        out = b""
        while len(out) < n:
            base = (addr + len(out)) & ~0xFF
            chunk = blocks.get(base)
            if chunk is None:
                raise ValueError("address 0x%x is not in the image" % (addr + len(out)))
            at = addr + len(out) - base
            out += chunk[at : at + n - len(out)]
        return out

    return read


def drive_offset(uf2_path):
    """Offset from the start of flash of the CIRCUITPY drive the image
    declares, or None when it declares none."""
    read = _reader(flash_of(uf2_path))
    # The header sits in the first 256 bytes after boot2 (pico-sdk crt0.S).
    head = read(FLASH_BASE + 0x100, 0x100)
    for at in range(0, len(head) - 19, 4):
        start_marker, start, end, _mapping, end_marker = struct.unpack_from("<5I", head, at)
        if start_marker == BI_MARKER_START and end_marker == BI_MARKER_END:
            break
    else:
        return None
    for entry in range(start, end, 4):
        (ptr,) = struct.unpack("<I", read(entry, 4))
        if not FLASH_BASE <= ptr < FLASH_BASE + 0x1000000:
            continue
        kind, tag = struct.unpack("<HH", read(ptr, 4))
        if kind == BI_TYPE_BLOCK_DEVICE and tag == BI_TAG_CP:
            _name, address = struct.unpack("<II", read(ptr + 4, 8))
            return address - FLASH_BASE if address >= FLASH_BASE else address
    return None


def fat12_image(sectors=512, label=b"CIRCUITPY"):
    """An empty FAT12 volume of `sectors` 512-byte sectors, labelled as
    CircuitPython labels its drive: one reserved sector, one FAT, 512 root
    entries, one sector per cluster."""
    root_entries = 512
    root_sectors = root_entries * 32 // SECTOR
    clusters = sectors - 1 - root_sectors  # an upper bound; the FAT is tiny
    fat_sectors = (clusters * 3 // 2 + 3 + SECTOR - 1) // SECTOR
    name = label.ljust(11)[:11]
    boot = bytearray(SECTOR)
    boot[0:3] = b"\xeb\x3c\x90"
    boot[3:11] = b"MSDOS5.0"
    struct.pack_into(
        "<HBHBHHBHHHII", boot, 11,
        SECTOR,  # bytes per sector
        1,  # sectors per cluster
        1,  # reserved sectors
        1,  # FATs
        root_entries,
        sectors,  # total sectors (16-bit field)
        0xF8,  # media: fixed disk
        fat_sectors,
        63, 255,  # geometry, unused
        0,  # hidden sectors
        0,  # total sectors (32-bit field)
    )
    struct.pack_into("<BBBI", boot, 36, 0x80, 0, 0x29, 0x43505952)
    boot[43:54] = name
    boot[54:62] = b"FAT12   "
    boot[510:512] = b"\x55\xaa"
    fat = bytearray(fat_sectors * SECTOR)
    fat[0:3] = b"\xf8\xff\xff"
    root = bytearray(root_sectors * SECTOR)
    root[0:11] = name
    root[11] = 0x08  # volume label
    image = bytes(boot) + bytes(fat) + bytes(root)
    return image + b"\xff" * (sectors * SECTOR - len(image))
