"""Hostile servers: every broken, slow, endless or lying response must end
in a Python exception that says what was wrong, within the request's
timeout, with no descriptor left open, and the same Session must then serve
a good request. Each case runs over both pool kinds: the firmware's own
socket module (the module's stream path) and the Python-level fault pool
(its method path)."""

import pytest

from hostile_kit import check_contained, hostile_server, ok_response, run_hostile  # noqa: F401
from servers import http_response

pytestmark = pytest.mark.native_only

# Per-request timeout the cases use; anything slower than this plus the
# slack counts as a hang.
T = 2
SLACK_MS = 1500
OK = b"HTTP/1.1 200 OK\r\n"
CHUNKED = OK + b"Transfer-Encoding: chunked\r\n\r\n"


def answer(data, then=("close",)):
    return [("read",), ("send", data), then]


class Case:
    def __init__(self, script, expect, msg=None, errno=None, limits=None, call=None,
                 timeout=T, min_ms=None, allow_ok=False, xfail=None, heapsize="4m",
                 ok_body=None):
        self.script = script
        self.heapsize = heapsize
        # Acceptable exception type names.
        self.expect = (expect,) if isinstance(expect, str) else tuple(expect)
        self.msg = msg
        self.errno = errno
        self.limits = limits
        self.call = call
        self.timeout = timeout
        # Cases that must wait for the timeout must not end much before it.
        self.min_ms = min_ms
        # A correct answer is also acceptable (the server's own response).
        self.allow_ok = allow_ok
        # A known bug in the module: the case fails until it is fixed.
        self.xfail = xfail
        # The body a correct answer must have, when one is accepted.
        self.ok_body = ok_body


CASES = {
    # --- status line ---
    "garbage_status_line": Case(answer(b"garbage\r\n\r\n"), "ValueError", "status line"),
    "binary_status_line": Case(answer(bytes(range(1, 256)) * 8), "ValueError"),
    "non_numeric_status": Case(answer(b"HTTP/1.1 abc OK\r\n\r\n"), "ValueError", "status line"),
    "huge_status_code": Case(answer(b"HTTP/1.1 99999999999999999999 OK\r\n\r\n"), "ValueError"),
    "no_status_line_at_all": Case(answer(b"just some text, no HTTP here"), "ValueError"),
    # --- header block ---
    "header_without_colon": Case(
        answer(OK + b"X-No-Colon\r\nContent-Length: 0\r\n\r\n", ("hold", 10)),
        "ValueError", "colon"),
    "header_name_with_space": Case(
        answer(OK + b"Bad Name: v\r\nContent-Length: 0\r\n\r\n", ("hold", 10)), "ValueError"),
    "header_block_over_limit": Case(
        answer(OK + b"X-Big: " + b"b" * 20000 + b"\r\nContent-Length: 0\r\n\r\n", ("hold", 10)),
        "ValueError", "max_header_bytes"),
    "head_over_small_custom_limit": Case(
        answer(OK + b"X-Pad: " + b"p" * 300 + b"\r\nContent-Length: 0\r\n\r\n", ("hold", 10)),
        "ValueError", "max_header_bytes", limits={"max_header_bytes": 256}),
    "endless_headers": Case(
        [("read",), ("send", OK), ("flood", b"X-Flood: 0123456789abcdef\r\n", 10)], "ValueError"),
    "endless_header_line": Case(
        [("read",), ("send", OK + b"X-Endless: "), ("flood", b"a" * 1024, 10)],
        "ValueError", "max_header_bytes"),
    "ten_thousand_tiny_headers": Case(
        answer(OK + b"a:b\r\n" * 10000 + b"Content-Length: 0\r\n\r\n", ("hold", 10)),
        "ValueError"),
    "ten_thousand_tiny_headers_count_limit": Case(
        answer(OK + b"a:b\r\n" * 10000 + b"Content-Length: 0\r\n\r\n", ("hold", 10)),
        "ValueError", "max_headers", limits={"max_header_bytes": 65536}),
    "endless_informational_responses": Case(
        [("read",), ("flood", b"HTTP/1.1 100 Continue\r\n\r\n", 10)], ("ValueError", "OSError")),
    # --- Content-Length ---
    "content_length_letters": Case(
        answer(OK + b"Content-Length: abc\r\n\r\nbody"), "ValueError", "Content-Length"),
    "content_length_negative": Case(
        answer(OK + b"Content-Length: -5\r\n\r\nbody"), "ValueError", "Content-Length"),
    "content_length_overflow": Case(
        answer(OK + b"Content-Length: 99999999999999999999999\r\n\r\nbody"),
        "ValueError", "Content-Length"),
    "content_length_u64_max": Case(
        answer(OK + b"Content-Length: 18446744073709551615\r\n\r\nbody"),
        ("MemoryError", "OSError", "ValueError")),
    "content_length_terabyte": Case(
        answer(OK + b"Content-Length: 1000000000000\r\n\r\nbody"),
        ("MemoryError", "OSError", "ValueError")),
    "two_different_content_lengths": Case(
        answer(OK + b"Content-Length: 5\r\nContent-Length: 7\r\n\r\nabcdefg"),
        "ValueError", "Content-Length"),
    "content_length_list": Case(
        answer(OK + b"Content-Length: 5, 7\r\n\r\nabcdefg"), "ValueError", "Content-Length"),
    # --- chunked framing ---
    "chunk_size_overflow": Case(
        answer(CHUNKED + b"ffffffffffffffffffff\r\nabc\r\n0\r\n\r\n"), "ValueError"),
    "chunk_size_not_hex": Case(answer(CHUNKED + b"zz\r\nabc\r\n0\r\n\r\n"), "ValueError"),
    "chunk_data_longer_than_size": Case(
        answer(CHUNKED + b"3\r\nabcdef\r\n0\r\n\r\n", ("hold", 10)), "ValueError"),
    "endless_chunk_size_line": Case(
        [("read",), ("send", CHUNKED), ("flood", b"f" * 512, 10)], "ValueError"),
    "missing_final_chunk": Case(
        answer(CHUNKED + b"5\r\nhello\r\n"), "OSError", "before the end"),
    "endless_trailers": Case(
        [("read",), ("send", CHUNKED + b"5\r\nhello\r\n0\r\n"), ("flood", b"X-Trailer: v\r\n", 10)],
        "ValueError", "trailers"),
    "ten_thousand_trailers": Case(
        answer(CHUNKED + b"5\r\nhello\r\n0\r\n" + b"".join(b"X-T%d: v\r\n" % i for i in range(10000))
               + b"\r\n", ("hold", 10)),
        "ValueError", "trailers"),
    # --- truncation and resets ---
    "body_shorter_than_declared": Case(
        answer(OK + b"Content-Length: 100\r\n\r\n0123456789"), "OSError",
        "Connection closed before the end of the response body"),
    "close_before_any_byte": Case([("read",), ("close",)], "OutOfRetries"),
    "close_mid_head": Case(
        answer(OK + b"Content-Le"), "OSError", "middle of the response head"),
    "close_mid_body": Case(
        answer(OK + b"Content-Length: 1000\r\n\r\n" + b"x" * 500), "OSError",
        "Connection closed before the end of the response body"),
    "reset_before_any_byte": Case([("read",), ("reset",)], "OutOfRetries"),
    "reset_mid_head": Case(
        [("read",), ("send", OK + b"Content-Le"), ("sleep", 0.2), ("reset",)], "OSError",
        errno=104),
    "reset_mid_body": Case(
        [("read",), ("send", OK + b"Content-Length: 1000\r\n\r\n" + b"x" * 500), ("sleep", 0.2),
         ("reset",)], "OSError", errno=104),
    "reset_mid_chunked_body": Case(
        [("read",), ("send", CHUNKED + b"a\r\n0123456789\r\n"), ("sleep", 0.2), ("reset",)],
        "OSError", errno=104),
    "huge_reason_phrase": Case(
        answer(b"HTTP/1.1 200 " + b"R" * 20000 + b"\r\nContent-Length: 0\r\n\r\n", ("hold", 10)),
        "ValueError", "max_header_bytes"),
    # The server answers before the upload is read and closes with the rest
    # unread, which resets the connection under the client's send.
    "early_answer_during_upload": Case(
        [("read_head",), ("send", http_response(413, {"Connection": "close"}, b"too big")),
         ("close",)],
        ("OSError", "OutOfRetries"), call="s.post(U, data=b'x' * 2000000, timeout=T).content",
        # Room for the pool double's copy of what it sent next to the body:
        # CircuitPython's bytearray grows it by reallocation.
        allow_ok=True, heapsize="8m"),
    # --- slow servers: each must end at the timeout ---
    "never_answers": Case([("read",), ("hold", 15)], "OSError", errno=110, min_ms=T * 1000 - 300),
    "stall_mid_head": Case(
        [("read",), ("send", OK + b"Content-Length: 5\r\n"), ("hold", 15)], "OSError", errno=110,
        min_ms=T * 1000 - 300),
    "stall_mid_body": Case(
        [("read",), ("send", OK + b"Content-Length: 100\r\n\r\n0123456789"), ("hold", 15)],
        "OSError", errno=110, min_ms=T * 1000 - 300),
    "one_byte_per_second_head": Case(
        [("read",), ("trickle", OK + b"Content-Length: 4\r\nX-Slow: " + b"s" * 40 + b"\r\n\r\nbody", 1.0)],
        "OSError", errno=110),
    # A body that keeps coming is never cut off (SPEC §6: the timeout bounds
    # each wait for the next bytes, not the whole body): 6 bytes 0.4 s apart
    # take longer than T and must arrive complete.
    "slow_body_that_keeps_coming": Case(
        [("read",), ("send", OK + b"Content-Length: 6\r\n\r\n"), ("trickle", b"b" * 6, 0.4)],
        (), allow_ok=True, ok_body=b"b" * 6),
}


def _good(recording_server):
    return recording_server(ok_response())


def _case_params():
    for name in sorted(CASES):
        reason = CASES[name].xfail
        marks = (pytest.mark.xfail(strict=True, reason=reason),) if reason else ()
        yield pytest.param(name, marks=marks, id=name)


@pytest.mark.parametrize("name", _case_params())
def test_hostile(mpy, impl, pool_kind, hostile_server, recording_server, name):
    case = CASES[name]
    srv = hostile_server([case.script])
    good = _good(recording_server)
    kw = {}
    if case.call:
        kw["call"] = case.call
    out = run_hostile(mpy, pool_kind, srv.url("/hostile"), good.url("/good"),
                      limits=case.limits, timeout=case.timeout, heapsize=case.heapsize, **kw)
    if case.allow_ok and out["res"][0] == "ok":
        res = out["res"]
        text = repr(out)
        assert out["good"][:2] == ["ok", b"good"], text
        # A complete answer may leave its connection idle for reuse.
        assert out["after"] <= out["before"] + 1 and out["end"] == out["base"], text
        assert res[-1] < case.timeout * 1000 + SLACK_MS, text
        if case.ok_body is not None:
            assert res[1] == case.ok_body, text
        return
    res = check_contained(out)
    kind, message, errno, _cause, ms = res[1:]
    out = repr(out)
    assert kind in case.expect, out
    if case.msg:
        assert case.msg in message, out
    if case.errno is not None:
        assert errno == case.errno, out
    assert ms < case.timeout * 1000 + SLACK_MS, out
    if case.min_ms is not None:
        assert ms >= case.min_ms, out


def redirect_to(location, code=302):
    def app(req, srv):
        return http_response(code, {"Location": location(req) if callable(location) else location},
                             b"moved")
    return app


# (server app, expected type, message part, idle sockets the session may keep)
REDIRECTS = {
    "redirect_loop_to_itself": (redirect_to(lambda req: req.path), "RuntimeError",
                                "Too many redirects", 1),
    "redirect_ping_pong": (redirect_to(lambda req: "/b" if req.path == "/a" else "/a"),
                           "RuntimeError", "Too many redirects", 1),
    "redirect_loop_307_with_body": (redirect_to(lambda req: req.path, 307), "RuntimeError",
                                    "Too many redirects", 1),
    "redirect_to_ftp": (redirect_to("ftp://127.0.0.1/pub/file"), "ValueError",
                        "Unsupported protocol: ftp:", 1),
    "redirect_to_file": (redirect_to("file:///etc/passwd"), "ValueError",
                         "Unsupported protocol: file:", 1),
    "redirect_to_javascript": (redirect_to("javascript:alert(1)"), "ValueError",
                               "Unsupported protocol", 1),
    "redirect_to_empty_host": (redirect_to("http://"), "ValueError", "host", 1),
    "redirect_to_bad_port": (redirect_to("http://127.0.0.1:99999/x"), "ValueError", "port", 1),
    "redirect_location_with_nul": (redirect_to("/a\x00b"), "ValueError", None, 1),
}


@pytest.mark.parametrize("name", sorted(REDIRECTS))
def test_hostile_redirect(mpy, impl, pool_kind, recording_server, name):
    app, expect, msg, idle = REDIRECTS[name]
    srv = recording_server(app)
    good = recording_server(ok_response())
    call = "s.post(U, data=b'payload', timeout=T).content" if "307" in name else None
    out = run_hostile(mpy, pool_kind, srv.url("/a"), good.url("/good"),
                      **({"call": call} if call else {}))
    res = check_contained(out, idle=idle)
    out = repr(out)
    assert res[1] == expect, out
    if msg:
        assert msg in res[2], out
    assert res[-1] < T * 1000 + SLACK_MS, out
    if "Too many" in (msg or ""):
        # The first request and thirty hops, then it stops.
        assert len(srv.requests) == 31, out
        if "307" in name:
            assert all(r.body == b"payload" for r in srv.requests), out


def test_redirect_to_closed_port(mpy, impl, pool_kind, recording_server):
    probe = recording_server(ok_response())
    closed = probe.url("/gone")
    probe.stop()
    srv = recording_server(redirect_to(closed))
    good = recording_server(ok_response())
    out = run_hostile(mpy, pool_kind, srv.url("/a"), good.url("/good"))
    res = check_contained(out, idle=1)
    assert res[1] in ("OSError", "OutOfRetries"), repr(out)


# TLS failures: the server's certificate (a TLSMaterial attribute) or, for
# None, a plain TCP script behind an https:// URL.
TLS_CASES = {
    "tls_untrusted_ca": ("by_untrusted", None),
    "tls_wrong_hostname": ("wrong_host", None),
    "tls_expired_certificate": ("expired", None),
    "tls_plain_http_server": (None, [("read_any",)]),
    "tls_reset_during_handshake": (None, [("sleep", 0.1), ("reset",)]),
    "tls_close_during_handshake": (None, [("sleep", 0.1), ("close",)]),
    "tls_garbage_handshake": (None, [("send", b"\x16\x03\x03\x00\x30" + b"\xee" * 48), ("hold", 15)]),
    "tls_silent_handshake": (None, [("hold", 15)]),
}


@pytest.mark.parametrize("name", sorted(TLS_CASES))
def test_hostile_tls(mpy, impl, pool_kind, hostile_server, recording_server, tls_material, name):
    cert, script = TLS_CASES[name]
    if cert is not None:
        srv = hostile_server([[("read",), ("send", ok_response(b"secret"))]],
                             tls_context=tls_material.server_context(cert))
        url = srv.url("/s")
    else:
        if script == [("read_any",)]:
            # A plain HTTP server reads the ClientHello as a request head
            # and answers it with an HTTP error.
            script = [("sleep", 0.1), ("send", http_response(400, {"Connection": "close"},
                                                             b"not TLS")), ("close",)]
        srv = hostile_server([script])
        url = srv.url("/s").replace("http://", "https://")
    good = recording_server(ok_response(), tls_context=tls_material.server_context("good"))
    out = run_hostile(mpy, pool_kind, url, good.url("/good"), ca=tls_material.ca_der)
    res = check_contained(out)
    text = repr(out)
    assert res[1] in ("OSError", "ValueError", "OutOfRetries"), text
    assert res[-1] < T * 1000 + SLACK_MS, text
    assert srv.requests == [], text
    if name == "tls_silent_handshake":
        assert res[3] == 110, text
