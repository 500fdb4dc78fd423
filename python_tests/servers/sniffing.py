"""A recording server that speaks plain HTTP and HTTPS on one port, so a
test can redirect between the two schemes without changing host or port."""

import socket

from .recording import RecordingServer


class SchemeSniffingServer(RecordingServer):
    """Each connection whose first byte starts a TLS handshake record (0x16)
    is wrapped with ``tls_context``; others are served as plain HTTP.
    ``schemes[i]`` is the scheme of the i-th recorded request."""

    def __init__(self, response, tls_context, host="127.0.0.1"):
        self.sniff_context = tls_context
        self.conn_scheme = {}
        super().__init__(response=response, host=host)

    @property
    def schemes(self):
        return [self.conn_scheme.get(i) for i in self.request_conn]

    def _run(self, conn, index):
        raw = conn
        try:
            conn.settimeout(self.io_timeout)
            first = conn.recv(1, socket.MSG_PEEK)
            if first == b"\x16":
                conn = self.sniff_context.wrap_socket(conn, server_side=True)
                self.conn_scheme[index] = "https"
            else:
                self.conn_scheme[index] = "http"
            self.handle(conn, index)
        except Exception as exc:  # recorded so a test can see server-side trouble
            self.errors.append((index, repr(exc)))
        finally:
            with self._lock:
                self._open.discard(raw)
                self._open.discard(conn)
            try:
                conn.close()
            except OSError:
                pass

    def url_as(self, scheme, path="/", host=None):
        return "%s://%s:%d%s" % (scheme, host or self.host, self.port, path)
