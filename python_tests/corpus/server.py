"""The stand-in for the web APIs the published scripts call: one plain and
one TLS server on 127.0.0.1 (the scripts' socket pool sends every host name
there), answering from apis.answer() and recording every request.

The TLS side picks its certificate by SNI: each host name the scripts ask
for gets a certificate from the run's test CA, so the client still verifies
the name it asked for."""

import ssl
import threading

import trustme

from servers.recording import RecordingServer

from . import apis, apis_library  # noqa: F401 - apis_library registers its routes


class Certificates:
    def __init__(self):
        self.ca = trustme.CA()
        self._by_host = {}
        self._lock = threading.Lock()

    @property
    def ca_der(self):
        return ssl.PEM_cert_to_DER_cert(self.ca.cert_pem.bytes().decode("ascii"))

    def context_for(self, host):
        with self._lock:
            ctx = self._by_host.get(host)
            if ctx is None:
                ctx = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
                self.ca.issue_cert(host).configure_cert(ctx)
                self._by_host[host] = ctx
            return ctx

    def server_context(self):
        ctx = self.context_for("localhost")

        def pick(sock, server_name, _ctx):
            if server_name:
                sock.context = self.context_for(server_name)

        ctx.sni_callback = pick
        return ctx


class ApiServers:
    """The servers; ``log`` holds every request of a run, in order.

    ``offload`` is the far end of a connection whose TLS a network
    coprocessor does itself (an AirLift's TLS_MODE): the board sends and
    receives plain bytes, so it is a plain server that answers as the https
    service does; its requests are logged under "tls-offload"."""

    def __init__(self, certs):
        self.log = []
        self._lock = threading.Lock()
        self.http = RecordingServer(response=self._answer("http"))
        self.https = RecordingServer(response=self._answer("https"),
                                     tls_context=certs.server_context())
        self.offload = RecordingServer(response=self._answer("https", "tls-offload"))

    def _answer(self, scheme, label=None):
        def respond(req, server):
            with self._lock:
                self.log.append((label or scheme, server.request_conn[-1], req))
            return apis.answer(req, scheme)
        return respond

    def reset(self):
        with self._lock:
            self.log = []

    @property
    def ports(self):
        return {"http": self.http.port, "https": self.https.port,
                "offload": self.offload.port}

    @property
    def all(self):
        return (self.http, self.https, self.offload)

    def stop(self):
        for server in self.all:
            server.stop()
