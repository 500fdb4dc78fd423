"""Socket pool that lets the reference adafruit_requests run on the
MicroPython unix port, where it is written for CircuitPython's socketpool.

Two gaps are bridged:
- CircuitPython sockets have recv_into with "return what is there" semantics;
  MicroPython's readinto blocks until the buffer is full (a keep-alive
  response would stall the reference's 32-byte header reads). The socket is
  therefore non-blocking and a read that finds nothing waits in poll.
- CircuitPython wraps a socket for TLS first and connects afterwards;
  MicroPython's tls handshakes inside wrap_socket, so wrapping is deferred
  until connect.

Everything is kept allocation-free on the read path (readinto with a length,
ipoll) so that the reference's GC numbers are its own.
"""

import errno
import select
import socket as _socket

_POLLIN = select.POLLIN
_POLLOUT = select.POLLOUT


class Socket:
    def __init__(self, family, type_, proto):
        self._sock = _socket.socket(family, type_, proto)
        self._tls = None
        self._poll = None
        self._mask = 0
        self._ms = -1

    def settimeout(self, timeout):
        self._ms = -1 if timeout is None else int(timeout * 1000)

    def setblocking(self, flag):
        self._ms = -1 if flag else 0

    def connect(self, address):
        host, port = address
        sockaddr = _socket.getaddrinfo(host, port, 0, _socket.SOCK_STREAM)[0][-1]
        self._sock.connect(sockaddr)
        if self._tls is not None:
            context, hostname = self._tls
            self._sock = context.wrap_socket(self._sock, server_hostname=hostname)
        self._sock.setblocking(False)
        self._poll = select.poll()
        self._poll.register(self._sock, _POLLIN)
        self._mask = _POLLIN

    def _wait(self, mask):
        if mask != self._mask:
            self._poll.modify(self._sock, mask)
            self._mask = mask
        for _ in self._poll.ipoll(self._ms):
            return
        raise OSError(errno.ETIMEDOUT)

    def send(self, data):
        while True:
            n = self._sock.write(data)
            if n is not None:
                return n
            self._wait(_POLLOUT)

    def recv_into(self, buf, nbytes=0):
        if not nbytes:
            nbytes = len(buf)
        while True:
            n = self._sock.readinto(buf, nbytes)
            if n is not None:
                return n
            self._wait(_POLLIN)

    def recv(self, bufsize):
        while True:
            self._wait(_POLLIN)
            try:
                data = self._sock.recv(bufsize)
            except OSError as exc:
                if exc.errno != errno.EAGAIN:
                    raise
                continue
            if data is not None:
                return data

    def close(self):
        self._sock.close()


class SSLContext:
    """Wraps a firmware tls.SSLContext with CircuitPython's wrap-then-connect order."""

    def __init__(self, context):
        self._context = context

    def wrap_socket(self, sock, server_hostname=None):
        sock._tls = (self._context, server_hostname)
        return sock


class Pool:
    AF_INET = _socket.AF_INET
    SOCK_STREAM = _socket.SOCK_STREAM

    def getaddrinfo(self, host, port, family=0, type_=0, proto=0, flags=0):
        out = []
        for fam, typ, pro, canon, raw in _socket.getaddrinfo(host, port, family, type_):
            _, packed, port_ = _socket.sockaddr(raw)
            out.append((fam, typ, pro, canon or "", (_socket.inet_ntop(fam, packed), port_)))
        return out

    def socket(self, family=_socket.AF_INET, type_=_socket.SOCK_STREAM, proto=0):
        return Socket(family, type_, proto)
