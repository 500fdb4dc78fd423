# CircuitPython's wifi on a board that joined the network from settings.toml.
import _corpus
from ipaddress import IPv4Address


class _Network:
    def __init__(self, ssid, rssi, channel):
        self.ssid = ssid
        self.rssi = rssi
        self.channel = channel
        self.bssid = b"\x02\x00\x00\x00\x00\x01"
        self.authmode = (3,)
        self.country = "US"


class Radio:
    def __init__(self):
        self.enabled = True
        self.hostname = "cpy-corpus"
        self.mac_address = b"\x02\xca\xfe\x00\x00\x01"
        self.tx_power = 20.0
        self._connect(_corpus.CONFIG.get("settings", {}).get("CIRCUITPY_WIFI_SSID"))

    def _connect(self, ssid):
        self.connected = True
        self.ipv4_address = IPv4Address("192.168.1.42")
        self.ipv4_gateway = IPv4Address("192.168.1.1")
        self.ipv4_subnet = IPv4Address("255.255.255.0")
        self.ipv4_dns = IPv4Address("192.168.1.1")
        self.ap_info = _Network(ssid or "corpusnet", -52, 6)

    def connect(self, ssid, password=None, **kw):
        _corpus.note("wifi.connect %r" % (ssid,))
        self._connect(ssid)

    def disconnect(self):
        self.connected = False

    def ping(self, ip, **kw):
        return 0.012

    def start_scanning_networks(self, **kw):
        return iter([_Network("corpusnet", -52, 6), _Network("neighbours", -80, 11)])

    def stop_scanning_networks(self):
        pass


radio = Radio()
