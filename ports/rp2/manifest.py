# The board's own frozen modules, unchanged: its manifest.py (for RPI_PICO_W:
# the port's drivers and asyncio, plus ssl, mip, requests, ntptime, webrepl,
# aioble from micropython-lib), or the port's boards/manifest.py for a board
# without one. The Makefile names it as BOARD_MANIFEST, so the firmware with
# and without adafruit_requests freeze the same thing and the image users
# flash keeps everything the board's release image has. Needs micropython-lib
# (MPY_LIB_DIR) at MicroPython's pin: `scripts/deps.sh micropython-lib`.
include("$(BOARD_MANIFEST)")
