# Frozen into the unix firmware. Everything here comes from the MicroPython
# tree or this directory, never from micropython-lib.
include("$(MPY_DIR)/extmod/asyncio")
# Relative paths resolve against this manifest's directory.
module("ssl.py", base_path="modules")
