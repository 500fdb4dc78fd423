#!/usr/bin/env python3
"""A build-time copy of MicroPython's tools/mpy_ld.py for the natmod build.

MicroPython 1.25's linker rejects R_ARM_GOT_PREL, the GOT relocation that
position-independent Rust emits on ARM: the distance from the place to the
symbol's GOT entry (the x64 GOTPCREL of ARM; REL, so the addend is already
in the word). The copy treats it as a GOT relocation and resolves it that
way. The tree's own file is left alone; the copy imports the tree's helpers.

usage: natmod_mpy_ld.py TOOLS_DIR SOURCE OUT
"""
import sys

EDITS = [
    # (anchor, replacement)
    ("import sys, os, struct, re\n", "import sys, os, struct, re\nsys.path[:0] = [{tools!r}, {tools!r} + '/../py']\n"),
    ("R_ARM_GOT_BREL = 26  # aka R_ARM_GOT32\n", "R_ARM_GOT_BREL = 26  # aka R_ARM_GOT32\nR_ARM_GOT_PREL = 96\n"),
    (
        """    elif env.arch.name == "EM_X86_64" and r_info_type in (
        R_X86_64_GOTPCREL,""",
        """    elif env.arch.name == "EM_ARM" and r_info_type == R_ARM_GOT_PREL:
        got_entry = env.got_entries[s.name]
        addr = env.got_section.addr + got_entry.offset
        reloc = addr - r_offset

    elif env.arch.name == "EM_X86_64" and r_info_type in (
        R_X86_64_GOTPCREL,""",
    ),
]


def main():
    tools, src, out = sys.argv[1:4]
    with open(src) as f:
        text = f.read()
    for anchor, new in EDITS:
        if anchor not in text:
            sys.exit("natmod_mpy_ld.py: %s lacks the expected code: %r" % (src, anchor[:40]))
        text = text.replace(anchor, new.format(tools=tools), 1)
    n = text.count("(R_ARM_GOT_BREL,),")
    if n != 4:
        sys.exit("natmod_mpy_ld.py: %s: %d ARM arch entries, expected 4" % (src, n))
    text = text.replace("(R_ARM_GOT_BREL,),", "(R_ARM_GOT_BREL, R_ARM_GOT_PREL),")
    with open(out, "w") as f:
        f.write(text)


if __name__ == "__main__":
    main()
