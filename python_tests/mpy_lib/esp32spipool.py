# An ESP32SPI-shaped socket pool (AirLift boards: PyPortal, Matrix Portal
# M4, Metro M4 AirLift), following the semantics of the current
# adafruit_esp32spi library's SocketPool/Socket over a coprocessor that
# keeps each connection's received bytes (loopchip.LoopChip):
#
# - settimeout(None) blocks for ever, 0 is non-blocking, else seconds; a
#   negative value is a ValueError.
# - recv_into(buf, nbytes=0) returns what has arrived once something has;
#   with timeout 0 and nothing there it returns 0 (not EAGAIN); with a
#   positive timeout it raises OSError(ETIMEDOUT) after that long without
#   a byte. The coprocessor reports no end of stream: a closed connection
#   just has nothing available, so a blocking read of one times out.
# - send(data) hands everything to the coprocessor; a write it cannot
#   complete closes the socket and raises ConnectionError.
# - connect(address, conntype=None): conntype is the interface's
#   TCP_MODE, or TLS_MODE (the coprocessor does TLS; here the plain bytes
#   go to a plain local server), with at most one TLS socket open at a time.
# - _connected(): whether the coprocessor's TCP state is established (data
#   still waiting counts as connected); a socket found closed is closed.
# - recv(n) returns n bytes whatever arrived, as the library does.

import errno
import time

import loopchip

try:
    ConnectionError
except NameError:
    class ConnectionError(OSError):
        pass

SOCKET_CLOSED = 0
SOCKET_ESTABLISHED = 4
NO_SOCKET_AVAIL = 255
MAX_PACKET = 4000


class Interface:
    """The ESP_SPIcontrol calls the socket layer makes."""
    TCP_MODE = 0
    UDP_MODE = 1
    TLS_MODE = 2

    def __init__(self, max_sockets=10):
        self.chip = loopchip.LoopChip(max_sockets)
        self._tls_socket = None

    @property
    def connects(self):
        return self.chip.connects

    def get_host_by_name(self, host):
        return loopchip.host_address(host)

    def get_socket(self):
        num = self.chip.allocate()
        if num is None:
            raise OSError(23)
        return num

    def socket_connect(self, num, dest, port, conn_mode=TCP_MODE):
        if conn_mode == self.TLS_MODE and self._tls_socket is not None:
            raise OSError(23, "Only one open SSL connection allowed")
        if not self.chip.open(num, dest, port, conn_mode):
            raise ConnectionError("Could not connect to remote server")
        if conn_mode == self.TLS_MODE:
            self._tls_socket = num
        return True

    def socket_status(self, num):
        s = self.chip.slot(num)
        if s is not None and (not self.chip.peer_gone(num) or s.rx):
            return SOCKET_ESTABLISHED
        if s is not None:
            # The coprocessor drops a connection it finds closed.
            self.chip.drop(num)
        return SOCKET_CLOSED

    def socket_available(self, num):
        return self.chip.available(num)

    def socket_read(self, num, size):
        return self.chip.read(num, size)

    def socket_write(self, num, data, conn_mode=TCP_MODE):
        sent = self.chip.write(num, data)
        if sent != len(data):
            self.socket_close(num)
            raise ConnectionError("Failed to send %d bytes (sent %d)" % (len(data), sent))
        return sent

    def socket_close(self, num):
        self.chip.release(num)
        if num == self._tls_socket:
            self._tls_socket = None


class SocketPool:
    SOCK_STREAM = 1
    SOCK_DGRAM = 2
    AF_INET = 2

    def __init__(self, iface):
        self._interface = iface

    def getaddrinfo(self, host, port, family=0, socktype=0, proto=0, flags=0):
        if not isinstance(port, int):
            raise ValueError("Port must be an integer")
        ipaddr = self._interface.get_host_by_name(host)
        return [(self.AF_INET, socktype, proto, "", (ipaddr, port))]

    def socket(self, family=AF_INET, type=SOCK_STREAM, proto=0, fileno=None):
        return Socket(self, family, type, proto, fileno)

    def open_count(self):
        return self._interface.chip.open_count()


class Socket:
    def __init__(self, pool, family=SocketPool.AF_INET, type=SocketPool.SOCK_STREAM,
                 proto=0, fileno=None):
        if family != SocketPool.AF_INET:
            raise ValueError("Only AF_INET family supported")
        self._interface = pool._interface
        self._type = type
        self._socknum = self._interface.get_socket()
        self.settimeout(None)

    def connect(self, address, conntype=None):
        host, port = address
        if conntype is None:
            conntype = self._interface.TCP_MODE
        if not self._interface.socket_connect(self._socknum, host, port, conntype):
            raise ConnectionError("Failed to connect to host", host)

    def send(self, data):
        return self._interface.socket_write(self._socknum, data)

    def recv(self, bufsize):
        buf = bytearray(bufsize)
        self.recv_into(buf, bufsize)
        return bytes(buf)

    def recv_into(self, buffer, nbytes=0):
        if not 0 <= nbytes <= len(buffer):
            raise ValueError("nbytes must be 0 to len(buffer)")
        want = nbytes or len(buffer)
        got = 0
        last = time.ticks_ms()
        while want > 0:
            avail = self._available()
            if avail > 0:
                data = self._interface.socket_read(self._socknum, min(want, avail))
                buffer[got:got + len(data)] = data
                got += len(data)
                want -= len(data)
                last = time.ticks_ms()
                continue
            if got > 0 or self._timeout == 0:
                break
            if self._timeout > 0 and time.ticks_diff(time.ticks_ms(), last) > self._timeout:
                raise OSError(errno.ETIMEDOUT)
            time.sleep_ms(1)
        return got

    def settimeout(self, value):
        if value is None:
            self._timeout = -1
        else:
            if value < 0:
                raise ValueError("Timeout cannot be a negative number")
            self._timeout = int(value * 1000)

    def _available(self):
        if self._socknum != NO_SOCKET_AVAIL:
            return min(self._interface.socket_available(self._socknum), MAX_PACKET)
        return 0

    def _connected(self):
        if self._socknum == NO_SOCKET_AVAIL:
            return False
        if self._available():
            return True
        up = self._interface.socket_status(self._socknum) == SOCKET_ESTABLISHED
        if not up:
            self.close()
            self._socknum = NO_SOCKET_AVAIL
        return up

    def close(self):
        self._interface.socket_close(self._socknum)
