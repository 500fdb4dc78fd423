# Session construction shared by the test scripts.
#
# kind "python": the CircuitPython-style FaultPool (what the reference needs
# on MicroPython, and what ESP32SPI-like pools look like to the module).
# kind "firmware": MicroPython's own socket module and tls.SSLContext, the
# path the native module must handle itself.

import faultpool


def make_session(requests, kind="python", cadata=None, verify=True, session_id=None, **pool_opts):
    if kind == "python":
        pool = faultpool.FaultPool(**pool_opts)
        ctx = faultpool.FaultSSLContext(cadata, verify) if (cadata or not verify) else None
    elif kind == "firmware":
        import socket

        pool = socket
        ctx = faultpool.firmware_tls_context(cadata, verify) if (cadata or not verify) else None
    else:
        raise ValueError(kind)
    if session_id is None:
        return requests.Session(pool, ctx), pool
    return requests.Session(pool, ctx, session_id), pool


def body_sha256(response, chunk_size=4096):
    import binascii
    import hashlib

    h = hashlib.sha256()
    total = 0
    for chunk in response.iter_content(chunk_size=chunk_size):
        h.update(chunk)
        total += len(chunk)
    return total, binascii.hexlify(h.digest()).decode()
