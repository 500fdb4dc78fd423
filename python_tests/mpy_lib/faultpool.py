# A CircuitPython-style socket pool for MicroPython with fault injection.
#
# Python-level pools (ESP32SPI, WIZNET5K, test doubles) expose only methods:
# getaddrinfo, socket() -> object with connect/send/recv_into/settimeout/close.
# This one sits on the real `socket` and `tls` modules so both the reference
# and the native module can be driven through that surface, and lets a test
# make any call fail at a chosen point.
#
# Faults: pool.fail[op] = {call_number: spec} where op is one of
# "getaddrinfo", "socket", "connect", "send", "recv", "wrap"; call numbers
# count from 1 across the pool; key "*" matches every call.
# spec: an int errno -> OSError(errno); "runtime" -> RuntimeError;
# "memory" -> MemoryError; "value" -> ValueError; "eof" (recv only) -> behave as if the peer closed;
# an exception instance -> raised as is.

import errno
import io
import socket as _socket
import time

try:
    import tls as _tls
except ImportError:
    _tls = None

AF_INET = _socket.AF_INET
SOCK_STREAM = _socket.SOCK_STREAM
SOL_SOCKET = getattr(_socket, "SOL_SOCKET", 1)


def _exc(spec):
    if isinstance(spec, BaseException):
        return spec
    if isinstance(spec, int):
        return OSError(spec)
    if spec == "runtime":
        return RuntimeError("Out of sockets")
    if spec == "memory":
        return MemoryError("no memory")
    if spec == "value":
        return ValueError("injected")
    return None


class FaultPool:
    AF_INET = _socket.AF_INET
    AF_INET6 = getattr(_socket, "AF_INET6", 10)
    SOCK_STREAM = _socket.SOCK_STREAM

    def __init__(self, max_sockets=None, short_send=None, recv_limit=None):
        self.fail = {}
        self.max_sockets = max_sockets
        self.short_send = short_send
        self.recv_limit = recv_limit
        self.counts = {}
        self.log = []
        self.opened = 0
        self.closed = 0
        self.live = []
        self.timeouts = []
        # True: connect() (TCP and TLS handshake) ends when its timeout has
        # passed in all, as the ESP32SPI and WIZnet5k libraries' connect
        # does; False: the timeout bounds each wait, as MicroPython's and
        # CircuitPython's own sockets do.
        self.connect_deadline = False

    def _tick(self, op):
        n = self.counts.get(op, 0) + 1
        self.counts[op] = n
        table = self.fail.get(op)
        if table:
            if n in table:
                return table[n]
            if "*" in table:
                return table["*"]
        return None

    def open_count(self):
        return len(self.live)

    def getaddrinfo(self, host, port, family=0, type=0, proto=0, flags=0):
        self.log.append(("getaddrinfo", host, port))
        spec = self._tick("getaddrinfo")
        if spec is not None:
            raise _exc(spec)
        fam = self.AF_INET6 if ":" in host else self.AF_INET
        return [(fam, self.SOCK_STREAM, 6, "", (host, port))]

    def socket(self, family=AF_INET, type=SOCK_STREAM, proto=0):
        self.log.append(("socket", family))
        spec = self._tick("socket")
        if spec is not None:
            raise _exc(spec)
        if self.max_sockets is not None and len(self.live) >= self.max_sockets:
            raise RuntimeError("Out of sockets")
        sock = FaultSocket(self, family)
        self.opened += 1
        self.live.append(sock)
        return sock

    def _closed(self, sock):
        if sock in self.live:
            self.live.remove(sock)
            self.closed += 1


class FaultSocket:
    def __init__(self, pool, family):
        self._pool = pool
        self._family = family
        self._raw = None
        self._stream = None
        self._timeout = None
        self._tls = None
        self._hostname = None
        self.closed = False
        self.sent = bytearray()

    def settimeout(self, value):
        self._timeout = value
        self._pool.timeouts.append(value)
        if self._raw is not None:
            self._raw.settimeout(value)

    def connect(self, address, mode=None):
        host, port = address[0], address[1]
        self._pool.log.append(("connect", host, port))
        spec = self._pool._tick("connect")
        if spec is not None:
            raise _exc(spec)
        ai = _socket.getaddrinfo(host, port, 0, _socket.SOCK_STREAM)[0]
        raw = _socket.socket(ai[0], _socket.SOCK_STREAM)
        self._raw = raw
        if self._timeout is not None:
            raw.settimeout(self._timeout)
        bounded = None
        if self._pool.connect_deadline and self._timeout is not None:
            bounded = _Deadline(raw, time.ticks_add(time.ticks_ms(), int(self._timeout * 1000)))
        raw.connect(ai[-1])
        if self._tls is not None:
            spec = self._pool._tick("wrap")
            if spec is not None:
                raise _exc(spec)
            # On a failed handshake the caller still owns this socket and will
            # close() it; the raw socket stays reachable through self._raw.
            self._stream = self._tls.wrap_socket(bounded or raw, server_hostname=self._hostname)
            if bounded is not None:
                # Connected: later reads wait as the socket's timeout says.
                bounded.deadline = None
                raw.settimeout(self._timeout)
        else:
            self._stream = raw

    def send(self, data):
        if self._stream is None:
            raise OSError(errno.ENOTCONN)
        spec = self._pool._tick("send")
        if spec is not None:
            raise _exc(spec)
        if self._pool.short_send:
            data = memoryview(data)[: self._pool.short_send]
        n = self._stream.write(data)
        if n is None:
            n = len(data)
        self.sent.extend(memoryview(data)[:n])
        return n

    def recv_into(self, buf, nbytes=0):
        if self._stream is None:
            raise OSError(errno.ENOTCONN)
        spec = self._pool._tick("recv")
        if spec == "eof":
            return 0
        if spec is not None:
            raise _exc(spec)
        if not nbytes or nbytes > len(buf):
            nbytes = len(buf)
        if self._pool.recv_limit:
            nbytes = min(nbytes, self._pool.recv_limit)
        # readinto/recv_into on MicroPython's sockets wait until the buffer
        # is full; recv returns what one read gives, as CircuitPython does.
        # recv allocates, so a cap keeps the pool's own garbage small.
        data = self._stream.recv(min(nbytes, 4096))
        if data is None:
            raise OSError(errno.EAGAIN)
        n = len(data)
        buf[:n] = data
        return n

    def recv(self, bufsize):
        buf = bytearray(bufsize)
        n = self.recv_into(buf, bufsize)
        return bytes(buf[:n])

    def close(self):
        if self.closed:
            return
        self.closed = True
        self._pool.log.append(("close",))
        if self._stream is not None:
            try:
                self._stream.close()
            except OSError:
                pass
        if self._raw is not None and self._raw is not self._stream:
            try:
                self._raw.close()
            except OSError:
                pass
        self._pool._closed(self)


class _Deadline(io.IOBase):
    """The raw socket under the TLS layer while a deadline-bound connect
    handshakes: each read waits only for what is left of the deadline,
    and none starts after it. Errors are returned as negative errnos, the
    stream protocol's way, so nothing is raised through Mbed TLS."""

    def __init__(self, raw, deadline):
        self.raw = raw
        self.deadline = deadline

    def readinto(self, buf):
        if self.deadline is not None:
            left = time.ticks_diff(self.deadline, time.ticks_ms())
            if left <= 0:
                return -errno.ETIMEDOUT
            self.raw.settimeout(left / 1000)
        try:
            data = self.raw.recv(len(buf))
        except OSError as e:
            return -(e.errno or errno.EIO)
        buf[: len(data)] = data
        return len(data)

    def write(self, buf):
        try:
            return self.raw.write(buf)
        except OSError as e:
            return -(e.errno or errno.EIO)

    def ioctl(self, request, arg):
        if request == 4:  # MP_STREAM_CLOSE
            self.raw.close()
        return 0


class FaultSSLContext:
    """Defers the handshake to connect(), as CircuitPython's wrap-then-connect
    order expects; MicroPython's own tls handshakes inside wrap_socket."""

    def __init__(self, cadata=None, verify=True):
        self._ctx = _tls.SSLContext(_tls.PROTOCOL_TLS_CLIENT)
        if cadata is not None:
            self._ctx.load_verify_locations(cadata)
        if not verify:
            self._ctx.verify_mode = _tls.CERT_NONE
        self.wrapped = []

    def wrap_socket(self, sock, server_hostname=None):
        self.wrapped.append(server_hostname)
        sock._tls = self._ctx
        sock._hostname = server_hostname
        return sock


def firmware_tls_context(cadata=None, verify=True):
    """A real MicroPython tls.SSLContext, for the native module's own path."""
    ctx = _tls.SSLContext(_tls.PROTOCOL_TLS_CLIENT)
    if cadata is not None:
        ctx.load_verify_locations(cadata)
    if not verify:
        ctx.verify_mode = _tls.CERT_NONE
    return ctx
