# adafruit_esp32spi's ESP_SPIcontrol on an AirLift board that joins the
# network from settings.toml: the socket calls of the library
# (python_tests/mpy_lib/esp32spipool.py, its semantics over loopback) with
# every connection sent to the run's stand-in servers. A TCP_MODE
# connection goes to the plain server; in TLS_MODE the coprocessor does the
# TLS, so the board's side is plain bytes, sent to the server that answers
# as the https service does. As on the coprocessor, TLS_MODE needs the host
# name, not an address (it verifies the certificate against it).
import esp32spipool

import _corpus

WL_IDLE_STATUS = 0
WL_CONNECTED = 3
WL_DISCONNECTED = 6

_PORTS = _corpus.CONFIG.get("ports", {})
# What the coprocessor's DNS answers for every name (a documentation address).
_ADDRESS = bytes((203, 0, 113, 10))


class Network:
    def __init__(self, ssid, rssi=-52, channel=6):
        self.ssid = ssid
        self.bssid = b"\x02\x00\x00\x00\x00\x01"
        self.rssi = rssi
        self.channel = channel
        self.country = "US"
        self.authmode = "WPA2_PSK"


class ESP_SPIcontrol(esp32spipool.Interface):
    def __init__(self, spi, cs_dio, ready_dio, reset_dio, gpio0_dio=None, *, debug=False,
                 debug_show_secrets=False):
        super().__init__(max_sockets=10)
        self._ssid = None
        # (destination as the caller gave it, port, mode) of every connect.
        self.dials = []
        _corpus.at_end(self._report)

    def _report(self):
        _corpus.note("esp32spi: %d connections %r, %d open at the end" % (
            len(self.dials), self.dials, self.chip.open_count()))

    @property
    def status(self):
        return WL_CONNECTED if self._ssid is not None else WL_IDLE_STATUS

    @property
    def connected(self):
        return self.status == WL_CONNECTED

    is_connected = connected

    @property
    def firmware_version(self):
        return bytearray(b"1.7.7\x00")

    @property
    def MAC_address(self):
        return bytearray(b"\x01\x00\x00\xfe\xca\x02")

    mac_address = MAC_address

    def connect_AP(self, ssid, password, timeout_s=10):
        if isinstance(ssid, str):
            ssid = bytes(ssid, "utf-8")
        _corpus.note("esp32spi.connect_AP %r" % (ssid,))
        self._ssid = ssid
        return WL_CONNECTED

    def connect(self, ssid, password=None, timeout=10):
        self.connect_AP(ssid, password, timeout_s=timeout)

    def disconnect(self):
        self._ssid = None

    @property
    def ap_info(self):
        return Network(self._ssid) if self.is_connected else None

    @property
    def ip_address(self):
        return bytearray((192, 168, 1, 42))

    ipv4_address = "192.168.1.42"

    def pretty_ip(self, ip):
        return "%d.%d.%d.%d" % tuple(ip)

    def unpretty_ip(self, ip):
        return bytes(int(x) for x in ip.split("."))

    def get_host_by_name(self, hostname):
        return _ADDRESS

    def ping(self, dest, ttl=250):
        return 12

    def socket_connect(self, socket_num, dest, port, conn_mode=esp32spipool.Interface.TCP_MODE):
        self.dials.append((dest, port, conn_mode))
        if conn_mode == self.TLS_MODE:
            if not isinstance(dest, str):
                raise ConnectionError("TLS_MODE needs the host name, got %r" % (dest,))
            local = _PORTS["offload"]
        else:
            local = _PORTS["http"]
        return super().socket_connect(socket_num, "127.0.0.1", local, conn_mode)
