# A socket opened and written by hand, as a user does before handing it to
# Response(sock): kind "firmware" is MicroPython's own socket (and tls),
# kind "python" a socket from the CircuitPython-style FaultPool.

import faultpool


def open_sock(kind, host, port, https=False, cadata=None):
    """Returns (socket, pool); pool is None for the firmware's socket."""
    if kind == "firmware":
        import socket

        ai = socket.getaddrinfo(host, port, 0, socket.SOCK_STREAM)[0]
        sock = socket.socket(ai[0], socket.SOCK_STREAM)
        sock.settimeout(5)
        sock.connect(ai[-1])
        if https:
            ctx = faultpool.firmware_tls_context(cadata)
            sock = ctx.wrap_socket(sock, server_hostname=host)
        return sock, None
    pool = faultpool.FaultPool()
    ai = pool.getaddrinfo(host, port)[0]
    sock = pool.socket(ai[0], ai[1])
    sock.settimeout(5)
    if https:
        sock = faultpool.FaultSSLContext(cadata).wrap_socket(sock, server_hostname=host)
    sock.connect((host, port))
    return sock, pool


def send_request(sock, method, path, host):
    data = ("%s %s HTTP/1.1\r\nHost: %s\r\n\r\n" % (method, path, host)).encode()
    while data:
        n = sock.send(data)
        data = data[n:] if n else data
