# Fallback for RPI_PICO when micropython-lib is absent: the rp2 port's own
# frozen modules without the drivers its manifest takes from micropython-lib
# (onewire, ds18x20, dht, neopixel). The Makefile picks it (and says so)
# only for boards without Wi-Fi; `make test-pico` runs on it as well.
freeze("$(PORT_DIR)/modules")
include("$(MPY_DIR)/extmod/asyncio")
