"""Server that records each request's raw bytes and answers with a canned
(or computed) response, honouring keep-alive."""

from .base import ThreadedServer
from .httpmsg import http_response, read_request, wants_close


class RecordingServer(ThreadedServer):
    def __init__(self, response=None, tls_context=None, host="127.0.0.1"):
        """``response``: bytes, or callable(request, server) -> bytes."""
        self.response = response if response is not None else http_response(200, body=b"ok")
        self.requests = []
        # Which connection each recorded request arrived on.
        self.request_conn = []
        super().__init__(tls_context=tls_context, host=host)

    def handle(self, conn, index):
        pending = b""
        while True:
            try:
                req, pending = read_request(conn, pending)
            except (EOFError, OSError):
                return
            if req is None:
                return
            with self._lock:
                self.requests.append(req)
                self.request_conn.append(index)
            resp = self.response(req, self) if callable(self.response) else self.response
            conn.sendall(resp)
            if wants_close(req, resp):
                return

    @property
    def raw(self):
        return [r.raw for r in self.requests]
