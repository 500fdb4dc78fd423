"""Certificate verification over the firmware's Mbed TLS: the module must
pass the host name for SNI/verification and surface handshake failures."""

import pytest

from servers import http_response

SCRIPT = """
import testkit
s, pool = testkit.make_session(requests, P["kind"], P["ca"], P.get("verify", True))
res = attempt(lambda: s.get(P["url"], timeout=5).content)
opened = pool.open_count() if P["kind"] == "python" else None
emit([res, opened])
"""


def run_tls(mpy, recording_server, tls_material, which, pool_kind, ca="good", verify=True,
            host="127.0.0.1"):
    server = recording_server(http_response(200, {}, b"secret"),
                              tls_context=tls_material.server_context(which))
    cadata = {"good": tls_material.ca_der, "none": None,
              "other": tls_material.untrusted_ca.cert_pem.bytes()}[ca]
    if ca == "other":
        import ssl
        cadata = ssl.PEM_cert_to_DER_cert(cadata.decode())
    out = mpy.run(SCRIPT, params={"url": server.url("/s", host=host), "ca": cadata,
                                  "kind": pool_kind, "verify": verify}).one
    return out, server


def test_trusted_ca_succeeds(mpy, impl, pool_kind, recording_server, tls_material):
    (res, _), server = run_tls(mpy, recording_server, tls_material, "good", pool_kind)
    assert res == ["ok", b"secret"]
    assert len(server.requests) == 1


def test_hostname_localhost_succeeds(mpy, impl, pool_kind, recording_server, tls_material):
    (res, _), _server = run_tls(mpy, recording_server, tls_material, "good", pool_kind,
                                host="localhost")
    assert res == ["ok", b"secret"]


@pytest.mark.parametrize("which", ["by_untrusted", "wrong_host", "expired"])
def test_bad_certificate_raises(mpy, impl, pool_kind, recording_server, tls_material, which):
    (res, _), server = run_tls(mpy, recording_server, tls_material, which, pool_kind)
    assert res[0] == "err"
    assert res[1] in ("ValueError", "OSError", "OutOfRetries"), res
    assert server.requests == []


@pytest.mark.parametrize("which", ["by_untrusted", "wrong_host", "expired"])
@pytest.mark.reference_bug("ValueError from wrap/connect skips the connection manager's close")
def test_bad_certificate_leaks_nothing(mpy, impl, recording_server, tls_material, which):
    (res, opened), _ = run_tls(mpy, recording_server, tls_material, which, "python")
    assert res[0] == "err"
    assert opened == 0


def test_other_ca_only_fails(mpy, impl, pool_kind, recording_server, tls_material):
    (res, _), server = run_tls(mpy, recording_server, tls_material, "good", pool_kind, ca="other")
    assert res[0] == "err"
    assert server.requests == []


def test_verification_disabled_accepts_untrusted(mpy, impl, pool_kind, recording_server,
                                                 tls_material):
    (res, _), _ = run_tls(mpy, recording_server, tls_material, "by_untrusted", pool_kind,
                          ca="none", verify=False)
    assert res == ["ok", b"secret"]


def test_server_hostname_passed_to_context(mpy, impl, recording_server, tls_material):
    server = recording_server(http_response(200, {}, b"x"),
                              tls_context=tls_material.server_context("good"))
    out = mpy.run("""
import faultpool
ctx = faultpool.FaultSSLContext(P["ca"])
s = requests.Session(faultpool.FaultPool(), ctx)
s.get(P["url"]).content
emit(ctx.wrapped)
""", params={"url": server.url("/", host="localhost"), "ca": tls_material.ca_der})
    assert out.one == ["localhost"]
