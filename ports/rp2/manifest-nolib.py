# The rp2 port's own frozen modules without the drivers it takes from
# micropython-lib (onewire, ds18x20, dht, neopixel), which a tree without that
# submodule (Debian's) cannot provide. Used for both firmwares `make rp2`
# compares, so the difference between them is the module alone.
freeze("$(PORT_DIR)/modules")
include("$(MPY_DIR)/extmod/asyncio")
