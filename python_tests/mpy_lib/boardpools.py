# The pools of the boards' network libraries, by name, for the tests of
# how each one's sockets say "nothing yet" (see esp32spipool, wiznet5kpool,
# zeropool). Returns (pool, interface or None).

import esp32spipool
import wiznet5kpool
import zeropool


def make(kind):
    if kind == "esp32spi":
        iface = esp32spipool.Interface()
        return esp32spipool.SocketPool(iface), iface
    if kind in ("wiznet5k", "wiznet5k-legacy"):
        iface = wiznet5kpool.Interface()
        return wiznet5kpool.SocketPool(iface, legacy=kind.endswith("legacy")), iface
    if kind == "zero":
        return zeropool.ZeroPool(), None
    raise ValueError(kind)
