# An ESP32SPI-shaped socket module and interface, as AirLift boards
# (PyPortal, Matrix Portal M4, Metro M4 AirLift) hand to set_socket(sock,
# iface). The coprocessor does TLS: a socket connected with
# iface.TLS_MODE carries plain bytes from the board. Here that plain
# stream goes to a local plain server, and every connect's arguments are
# recorded so a test can see which mode was asked for.

import faultpool


class Interface:
    TCP_MODE = 0
    UDP_MODE = 1
    TLS_MODE = 2


class AirLiftSocket(faultpool.FaultSocket):
    def connect(self, address, conntype=None):
        self._pool.connects.append((address[0], address[1], conntype))
        if conntype not in (None, Interface.TCP_MODE, Interface.TLS_MODE):
            raise ValueError("unsupported conntype")
        super().connect(address)


class AirLiftSocketModule(faultpool.FaultPool):
    def __init__(self):
        super().__init__()
        self.connects = []
        self.interfaces = []

    def set_interface(self, iface):
        self.interfaces.append(iface)

    def socket(self, family=faultpool.AF_INET, type=faultpool.SOCK_STREAM, proto=0):
        sock = AirLiftSocket(self, family)
        self.opened += 1
        self.live.append(sock)
        return sock
