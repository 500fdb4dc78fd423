# CircuitPython's socketpool on loopback: every host name resolves to the
# stand-in API server (port 443 to its TLS side, any other to its plain one).
# A TLS socket connects by name, as CircuitPython's do, and still verifies
# the name it was wrapped for.
import faultpool

import _corpus

_PORTS = _corpus.CONFIG.get("ports", {})


def _local(port):
    return ("127.0.0.1", _PORTS["https"] if port == 443 else _PORTS["http"])


class _Socket(faultpool.FaultSocket):
    def connect(self, address, mode=None):
        super().connect(_local(address[1]), mode)


class SocketPool(faultpool.FaultPool):
    def __init__(self, radio=None):
        super().__init__()
        self.radio = radio

    def getaddrinfo(self, host, port, family=0, type=0, proto=0, flags=0):
        self.log.append(("getaddrinfo", host, port))
        return [(self.AF_INET, self.SOCK_STREAM, 6, "", _local(port))]

    def socket(self, family=faultpool.AF_INET, type=faultpool.SOCK_STREAM, proto=0):
        sock = _Socket(self, family)
        self.opened += 1
        self.live.append(sock)
        return sock
