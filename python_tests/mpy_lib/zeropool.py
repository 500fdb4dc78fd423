# A Python-level pool whose non-blocking read returns 0 when nothing has
# arrived (as the ESP32SPI library's does) but whose sockets have no status
# check to tell that apart from the peer's close: FaultPool's sockets with
# that one change.

import errno

import faultpool


class ZeroSocket(faultpool.FaultSocket):
    def recv_into(self, buf, nbytes=0):
        try:
            return faultpool.FaultSocket.recv_into(self, buf, nbytes)
        except OSError as e:
            if self._timeout == 0 and e.args and e.args[0] == errno.EAGAIN:
                return 0
            raise


class ZeroPool(faultpool.FaultPool):
    def socket(self, family=faultpool.AF_INET, type=faultpool.SOCK_STREAM, proto=0):
        sock = ZeroSocket(self, family)
        self.opened += 1
        self.live.append(sock)
        return sock
