# CPython-style `ssl` over MicroPython's built-in `tls`, enough for
# adafruit_connection_manager (`ssl.create_default_context()`) and for tests
# that trust a private CA. Upstream keeps its version in micropython-lib,
# which source trees without that submodule lack.
import tls
from tls import (
    CERT_NONE,
    CERT_OPTIONAL,
    CERT_REQUIRED,
    MBEDTLS_VERSION,
    PROTOCOL_TLS_CLIENT,
    PROTOCOL_TLS_SERVER,
)


def _read(path):
    with open(path, "rb") as f:
        return f.read()


class SSLContext:
    def __init__(self, protocol=PROTOCOL_TLS_CLIENT):
        self._ctx = tls.SSLContext(protocol)

    @property
    def verify_mode(self):
        return self._ctx.verify_mode

    @verify_mode.setter
    def verify_mode(self, mode):
        self._ctx.verify_mode = mode

    def load_cert_chain(self, certfile, keyfile=None):
        # tls takes the data, not file names; the key may share the cert's file.
        cert = _read(certfile)
        self._ctx.load_cert_chain(cert, _read(keyfile) if keyfile else cert)

    def load_verify_locations(self, cafile=None, capath=None, cadata=None):
        if capath is not None:
            raise NotImplementedError("capath")
        if cafile is not None:
            self._ctx.load_verify_locations(_read(cafile))
        if cadata is not None:
            self._ctx.load_verify_locations(cadata)

    def set_ciphers(self, ciphers):
        self._ctx.set_ciphers(ciphers)

    def get_ciphers(self):
        return self._ctx.get_ciphers()

    def wrap_socket(
        self, sock, server_side=False, do_handshake_on_connect=True, server_hostname=None
    ):
        return self._ctx.wrap_socket(
            sock,
            server_side=server_side,
            do_handshake_on_connect=do_handshake_on_connect,
            server_hostname=server_hostname,
        )


def create_default_context(purpose=None, cafile=None, capath=None, cadata=None):
    ctx = SSLContext(PROTOCOL_TLS_CLIENT)
    if cafile or capath or cadata:
        ctx.load_verify_locations(cafile, capath, cadata)
    else:
        # No system trust store is loaded implicitly (parsing one costs a lot of
        # heap); SSL_CERT_FILE opts in, as with OpenSSL.
        try:
            import os

            path = os.getenv("SSL_CERT_FILE")
        except (ImportError, AttributeError):
            path = None
        if path:
            ctx.load_verify_locations(cafile=path)
    return ctx


def wrap_socket(
    sock,
    server_side=False,
    keyfile=None,
    certfile=None,
    cert_reqs=CERT_NONE,
    cadata=None,
    server_hostname=None,
    do_handshake=True,
):
    ctx = SSLContext(PROTOCOL_TLS_SERVER if server_side else PROTOCOL_TLS_CLIENT)
    if certfile:
        ctx.load_cert_chain(certfile, keyfile)
    if cadata:
        ctx.load_verify_locations(cadata=cadata)
    ctx.verify_mode = cert_reqs
    return ctx.wrap_socket(
        sock,
        server_side=server_side,
        do_handshake_on_connect=do_handshake,
        server_hostname=server_hostname,
    )
