"""Certificates for the TLS tests, made with trustme.

The MicroPython side needs the CA as DER bytes (its Mbed TLS build has no
PEM parser), the Python servers need ssl.SSLContext objects.
"""

import datetime
import ssl

import trustme


class TLSMaterial:
    def __init__(self):
        self.ca = trustme.CA()
        self.untrusted_ca = trustme.CA()
        self.good = self.ca.issue_cert("127.0.0.1", "localhost", "::1")
        self.wrong_host = self.ca.issue_cert("wrong.example")
        now = datetime.datetime.now(datetime.timezone.utc)
        self.expired = self.ca.issue_cert(
            "127.0.0.1", "localhost",
            not_before=now - datetime.timedelta(days=30),
            not_after=now - datetime.timedelta(days=1),
        )
        self.by_untrusted = self.untrusted_ca.issue_cert("127.0.0.1", "localhost")

    @property
    def ca_pem(self):
        return self.ca.cert_pem.bytes()

    @property
    def ca_der(self):
        return ssl.PEM_cert_to_DER_cert(self.ca_pem.decode("ascii"))

    def server_context(self, which="good"):
        ctx = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
        getattr(self, which).configure_cert(ctx)
        return ctx

    def write_files(self, directory, which="good"):
        """cert chain + key files, e.g. for nginx."""
        leaf = getattr(self, which)
        cert = directory / ("%s.crt" % which)
        key = directory / ("%s.key" % which)
        cert.write_bytes(b"".join(p.bytes() for p in leaf.cert_chain_pems))
        key.write_bytes(leaf.private_key_pem.bytes())
        return cert, key


def pem_file_to_der(path):
    """First certificate of a PEM file, as DER."""
    text = open(path).read()
    start = text.index("-----BEGIN CERTIFICATE-----")
    end = text.index("-----END CERTIFICATE-----", start) + len("-----END CERTIFICATE-----")
    return ssl.PEM_cert_to_DER_cert(text[start:end])
