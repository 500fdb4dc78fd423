# adafruit_wiznet5k's WIZNET5K on a board whose Ethernet got its address by
# DHCP: the socket calls of the library (python_tests/mpy_lib/wiznet5kpool.py,
# its semantics over loopback) with every connection sent to the run's plain
# stand-in server. The chip has no TLS.
import wiznet5kpool

import _corpus

_PORTS = _corpus.CONFIG.get("ports", {})
_ADDRESS = bytes((203, 0, 113, 10))


class WIZNET5K(wiznet5kpool.Interface):
    def __init__(self, spi_bus, cs, reset=None, is_dhcp=True,
                 mac=b"\xde\xad\xbe\xef\xfe\xed", hostname=None, debug=False):
        super().__init__(max_sockets=8)
        self.dials = []
        _corpus.at_end(self._report)

    def _report(self):
        _corpus.note("wiznet5k: %d connections %r, %d open at the end" % (
            len(self.dials), self.dials, self.chip.open_count()))

    link_status = 1

    @property
    def ip_address(self):
        return bytes((192, 168, 1, 43))

    @property
    def ifconfig(self):
        return (self.ip_address, bytes((255, 255, 255, 0)), bytes((192, 168, 1, 1)),
                bytes((192, 168, 1, 1)))

    @property
    def mac_address(self):
        return b"\xde\xad\xbe\xef\xfe\xed"

    def pretty_ip(self, ip):
        return "%d.%d.%d.%d" % tuple(ip)

    def unpretty_ip(self, ip):
        return bytes(int(x) for x in ip.split("."))

    def get_host_by_name(self, hostname):
        return _ADDRESS

    def socket_connect(self, num, dest, port, conn_mode=0x21):
        self.dials.append((dest, port, conn_mode))
        return super().socket_connect(num, b"\x7f\x00\x00\x01", _PORTS["http"], conn_mode)
