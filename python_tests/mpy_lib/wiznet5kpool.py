# A WIZnet5k-shaped socket pool (Ethernet FeatherWing, W5500 boards),
# following the semantics of the adafruit_wiznet5k library's
# SocketPool/Socket over a chip that keeps each connection's received
# bytes (loopchip.LoopChip). `legacy=True` gives the library before 7.4.0
# (January 2026), which many boards still carry; the difference is one:
#
# - recv_into with timeout 0 and nothing there: 7.4+ raises
#   OSError(EAGAIN), as the firmware's sockets do; before 7.4 it returns 0.
#
# Common to both:
# - settimeout(None) blocks, 0 is non-blocking, else seconds (ValueError
#   when negative); the default is the pool's default timeout (None).
# - recv_into returns what has arrived once something has; with nothing
#   and the chip's state CLOSE_WAIT or CLOSED it returns 0 (end of
#   stream); with a positive timeout it raises OSError(ETIMEDOUT).
# - send(data) writes up to the chip's 2 KiB buffer and returns the count;
#   on a connection the peer closed it raises RuntimeError.
# - connect(address) takes no mode; there is no TLS on the chip.
# - _connected (a property): the chip's state is established, or
#   CLOSE_WAIT with bytes still to read; a socket found closed is closed.
# - every call on a closed socket, close() included, raises RuntimeError.

import errno
import time

import loopchip

try:
    ConnectionError
except NameError:
    class ConnectionError(OSError):
        pass

SNSR_SOCK_CLOSED = 0x00
SNSR_SOCK_LISTEN = 0x14
SNSR_SOCK_ESTABLISHED = 0x17
SNSR_SOCK_FIN_WAIT = 0x18
SNSR_SOCK_TIME_WAIT = 0x1B
SNSR_SOCK_CLOSE_WAIT = 0x1C
SOCKET_INVALID = 255
SOCK_SIZE = 2048


class Interface:
    """The WIZNET5K calls the socket layer makes."""

    def __init__(self, max_sockets=8):
        self.chip = loopchip.LoopChip(max_sockets)
        self.max_sockets = max_sockets

    @property
    def connects(self):
        return self.chip.connects

    def get_host_by_name(self, host):
        return loopchip.host_address(host)

    def get_socket(self, reserve_socket=False):
        num = self.chip.allocate()
        return SOCKET_INVALID if num is None else num

    def release_socket(self, num):
        self.chip.release(num)

    def socket_connect(self, num, dest, port, conn_mode=0x21):
        if not self.chip.open(num, dest, port, conn_mode):
            raise ConnectionError("Failed to establish connection.")
        return 1

    def socket_status(self, num):
        s = self.chip.slot(num)
        if s is None or s.reset:
            return SNSR_SOCK_CLOSED
        return SNSR_SOCK_CLOSE_WAIT if self.chip.peer_gone(num) else SNSR_SOCK_ESTABLISHED

    def socket_available(self, num, sock_type=0x21):
        return self.chip.available(num)

    def socket_read(self, num, length):
        data = self.chip.read(num, length)
        return len(data), data

    def socket_write(self, num, buffer, timeout=0.0):
        part = memoryview(buffer)[:SOCK_SIZE]
        if self.socket_status(num) != SNSR_SOCK_ESTABLISHED:
            raise RuntimeError("No data was sent, socket was closed.")
        sent = self.chip.write(num, part)
        if sent != len(part):
            raise RuntimeError("No data was sent, socket was closed.")
        return sent

    def socket_disconnect(self, num):
        self.chip.drop(num)

    def socket_close(self, num):
        self.chip.drop(num)


class SocketPool:
    SOCK_STREAM = 1
    SOCK_DGRAM = 2
    AF_INET = 3

    def __init__(self, iface, legacy=False):
        self._interface = iface
        self._default_socket_timeout = None
        self.legacy = legacy

    def gethostbyname(self, hostname):
        parts = hostname.split(".")
        if len(parts) == 4 and all(p.isdigit() for p in parts):
            return hostname
        return "%d.%d.%d.%d" % tuple(self._interface.get_host_by_name(hostname))

    def getaddrinfo(self, host, port, family=0, type=0, proto=0, flags=0):
        if not isinstance(port, int):
            raise ValueError("Port must be an integer")
        return [(self.AF_INET, type, proto, "", (self.gethostbyname(host), port))]

    def socket(self, family=AF_INET, type=SOCK_STREAM, proto=0, fileno=None):
        return Socket(self, family, type, proto, fileno)

    def open_count(self):
        return self._interface.chip.open_count()


def _open_only(method):
    def wrapper(self, *args, **kwargs):
        if self._socket_closed:
            raise RuntimeError("The socket has been closed.")
        return method(self, *args, **kwargs)
    return wrapper


class Socket:
    def __init__(self, pool, family=SocketPool.AF_INET, type=SocketPool.SOCK_STREAM,
                 proto=0, fileno=None):
        if family != SocketPool.AF_INET:
            raise RuntimeError("Only AF_INET family supported by W5K modules.")
        self._pool = pool
        self._interface = pool._interface
        self._socket_closed = False
        self._timeout = pool._default_socket_timeout
        self._socknum = self._interface.get_socket(reserve_socket=True)
        if self._socknum == SOCKET_INVALID:
            raise RuntimeError("Failed to allocate socket.")

    @property
    def _status(self):
        return self._interface.socket_status(self._socknum)

    @property
    def _connected(self):
        if self._socknum >= self._interface.max_sockets:
            return False
        status = self._status
        if status == SNSR_SOCK_CLOSE_WAIT and self._available() == 0:
            up = False
        else:
            up = status not in (SNSR_SOCK_CLOSED, SNSR_SOCK_LISTEN, SNSR_SOCK_TIME_WAIT,
                                SNSR_SOCK_FIN_WAIT)
        if not up and status != SNSR_SOCK_LISTEN:
            self.close()
        return up

    @_open_only
    def connect(self, address):
        ip = self._pool.gethostbyname(address[0])
        dest = bytes(int(p) for p in ip.split("."))
        if not self._interface.socket_connect(self._socknum, dest, address[1], 0x21):
            raise RuntimeError("Failed to connect to host ", address[0])

    @_open_only
    def send(self, data):
        timeout = 0 if self._timeout is None else self._timeout
        return self._interface.socket_write(self._socknum, data, timeout)

    @_open_only
    def recv(self, bufsize, flags=0):
        buf = bytearray(bufsize)
        n = self.recv_into(buf, bufsize)
        return bytes(buf[:n])

    @_open_only
    def recv_into(self, buffer, nbytes=0, flags=0):
        if not 0 <= nbytes <= len(buffer):
            raise ValueError("nbytes must be 0 to len(buffer)")
        want = nbytes or len(buffer)
        got = 0
        last = time.ticks_ms()
        while want > 0:
            # The state is read before the count, so bytes that arrive just
            # before a close are not mistaken for nothing.
            status = self._status
            avail = self._available()
            if avail > 0:
                _, data = self._interface.socket_read(self._socknum, min(want, avail))
                buffer[got:got + len(data)] = data
                got += len(data)
                want -= len(data)
                last = time.ticks_ms()
                continue
            if got > 0:
                break
            if status in (SNSR_SOCK_CLOSED, SNSR_SOCK_CLOSE_WAIT):
                break
            if self._timeout is None:
                time.sleep_ms(1)
                continue
            if self._timeout == 0:
                if self._pool.legacy:
                    break
                raise OSError(errno.EAGAIN)
            if time.ticks_diff(time.ticks_ms(), last) / 1000 > self._timeout:
                raise OSError(errno.ETIMEDOUT)
            time.sleep_ms(1)
        return got

    def _available(self):
        return self._interface.socket_available(self._socknum)

    @_open_only
    def close(self):
        self._interface.socket_disconnect(self._socknum)
        self._interface.release_socket(self._socknum)
        self._socket_closed = True

    @_open_only
    def settimeout(self, value):
        if value is None or value >= 0:
            self._timeout = value
        else:
            raise ValueError("Timeout must be None, 0.0 or a positive numeric value.")

    @_open_only
    def gettimeout(self):
        return self._timeout
