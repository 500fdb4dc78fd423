"""Request options beyond the basics: params, auth, timeouts, streamed
bodies, multipart, and input validation that must stop before any byte is
sent."""

import base64
import json

import pytest

from helpers import run_session, stuck_listener
from servers import http_response


def ok_server(recording_server, **kw):
    return recording_server(http_response(200, {}, b"ok"), **kw)


@pytest.mark.native_only
@pytest.mark.parametrize("params,expected", [
    ("{'a': '1', 'b': 'two words'}", "/p?a=1&b=two+words"),
    ("[('k', 'v1'), ('k', 'v2'), ('e', '\\u00e9&=')]", "/p?k=v1&k=v2&e=%C3%A9%26%3D"),
    ("{'n': 5}", "/p?n=5"),
])
def test_params_encoded_into_query(mpy, impl, recording_server, params, expected):
    srv = ok_server(recording_server)
    run_session(mpy, "s.get(U + '/p', params=%s).close()\nemit(1)" % params, srv.url(""))
    assert srv.requests[0].target == expected


@pytest.mark.native_only
def test_params_appended_to_existing_query(mpy, impl, recording_server):
    srv = ok_server(recording_server)
    run_session(mpy, "s.get(U + '/p?a=1', params={'b': '2'}).close()\nemit(1)", srv.url(""))
    assert srv.requests[0].target == "/p?a=1&b=2"


@pytest.mark.native_only
def test_params_against_httpbin(mpy, impl, httpbin):
    out = run_session(mpy, """
r = s.get(U + "/get", params={"x": "a b", "y": "\\u00fc"})
emit(r.text)
""", httpbin.url).one
    assert json.loads(out)["args"] == {"x": "a b", "y": "\u00fc"}


@pytest.mark.native_only
def test_basic_auth_header(mpy, impl, recording_server):
    srv = ok_server(recording_server)
    run_session(mpy, "s.get(U + '/a', auth=('user', 'p\\u00e4ss:word')).close()\nemit(1)",
                srv.url(""))
    token = base64.b64encode("user:p\u00e4ss:word".encode()).decode()
    assert srv.requests[0].header("Authorization") == "Basic " + token


@pytest.mark.native_only
def test_basic_auth_httpbin(mpy, impl, httpbin):
    out = run_session(mpy, """
emit([s.get(U + "/basic-auth/alice/secret", auth=("alice", "secret")).status_code,
      s.get(U + "/basic-auth/alice/secret", auth=("alice", "wrong")).status_code])
""", httpbin.url).one
    assert out == [200, 401]


@pytest.mark.native_only
def test_read_timeout_from_tuple(mpy, impl, scripted_server):
    srv = scripted_server([[("read",), ("sleep", 4), ("send", http_response(200, {}, b"late"))]])
    out = run_session(mpy, """
import time
t0 = time.ticks_ms()
res = attempt(lambda: s.get(U, timeout=(3, 0.5)).content)
emit([res, time.ticks_diff(time.ticks_ms(), t0)])
""", srv.url("/")).one
    assert out[0][0] == "err"
    assert out[1] < 2500


@pytest.mark.native_only
def test_connect_timeout_from_tuple(mpy, impl):
    lst, fillers = stuck_listener()
    try:
        url = "http://127.0.0.1:%d/" % lst.getsockname()[1]
        out = run_session(mpy, """
import time
t0 = time.ticks_ms()
res = attempt(lambda: s.get(U, timeout=(0.5, 30)))
emit([res, time.ticks_diff(time.ticks_ms(), t0)])
""", url).one
    finally:
        for c in fillers:
            c.close()
        lst.close()
    assert out[0][0] == "err"
    assert out[1] < 4000


@pytest.mark.native_only
def test_generator_body_is_chunked(mpy, impl, recording_server):
    srv = ok_server(recording_server)
    run_session(mpy, """
def gen():
    for i in range(5):
        yield b"part%d-" % i
    yield bytearray(b"end")
s.post(U + "/g", data=gen()).close()
emit(1)
""", srv.url(""))
    req = srv.requests[0]
    assert req.header("Transfer-Encoding") == "chunked"
    assert req.header("Content-Length") is None
    assert req.body == b"part0-part1-part2-part3-part4-end"


@pytest.mark.native_only
def test_generator_body_framing_accepted_by_nginx(mpy, impl, nginx):
    """nginx parses the chunked body (then refuses POST on a static file);
    the follow-up request on the same connection proves the framing ended
    where nginx expected."""
    marker = "/small.json?chunked=%s" % impl
    out = run_session(mpy, """
def gen():
    for i in range(50):
        yield b"x" * 100
r = s.post(P["target"], data=gen())
first = [r.status_code, len(r.content)]
r = s.get(P["target"])
emit([first[0], r.status_code, r.content])
""", nginx.url(""), target=nginx.url(marker)).one
    assert out == [405, 200, nginx.files["small.json"]]
    conns = nginx.connections_for(marker + " ", expect=2)
    assert len(conns) == 2 and len(set(conns)) == 1


def test_multipart_against_httpbin(mpy, impl, httpbin, tmp_path):
    out = run_session(mpy, """
f = open(P["file"], "wb")
f.write(b"file body line\\n" * 20)
f.close()
r = s.post(U + "/post", files={"upload": ("hello.txt", open(P["file"], "rb"), "text/plain"),
                               "field": (None, "value")})
emit([r.status_code, r.text])
""", httpbin.url, file=str(tmp_path / "up.txt")).one
    assert out[0] == 200
    echo = json.loads(out[1])
    assert echo["files"] == {"upload": "file body line\n" * 20}
    assert echo["form"] == {"field": "value"}
    assert echo["headers"]["Content-Type"].startswith("multipart/form-data; boundary=")



@pytest.mark.native_only
def test_multipart_with_form_fields(mpy, impl, httpbin):
    """data= with files= puts the data fields first, as plain parts, the way
    CPython requests does; a list value repeats its field and None is left
    out. (The reference sends the data bytes under the multipart length.)"""
    out = run_session(mpy, """
fields = {"name": "Zoë", "tag": ["a", "b"], "skip": None, "n": 5}
r = s.post(U + "/post", data=fields, files={"upload": ("u.bin", b"\\x00\\x01payload")})
first = [r.status_code, r.text]
pairs = s.post(U + "/post", data=[("k", "1"), ("k", "2")], files={"f": (None, "v")})
emit(first + [pairs.text])
""", httpbin.url).one
    assert out[0] == 200
    echo = json.loads(out[1])
    assert echo["form"] == {"name": "Zoë", "tag": ["a", "b"], "n": "5"}
    assert echo["files"] == {"upload": "\x00\x01payload"}
    assert json.loads(out[2])["form"] == {"k": ["1", "2"], "f": "v"}


@pytest.mark.native_only
def test_multipart_form_fields_framing(mpy, impl, recording_server):
    srv = ok_server(recording_server)
    run_session(mpy, """
s.post(U + "/up", data={"a": "1"}, files={"f": ("x.txt", b"X", "text/plain")}).close()
emit(1)
""", srv.url(""))
    req = srv.requests[0]
    boundary = req.header("Content-Type").split("boundary=", 1)[1]
    expected = (b"--%s\r\nContent-Disposition: form-data; name=\"a\"\r\n\r\n1\r\n"
                b"--%s\r\nContent-Disposition: form-data; name=\"f\"; filename=\"x.txt\"\r\n"
                b"Content-Type: text/plain\r\n\r\nX\r\n--%s--\r\n") % ((boundary.encode(),) * 3)
    assert req.body == expected
    assert int(req.header("Content-Length")) == len(expected)

BEFORE_SEND = {
    "json_and_data": "s.post(U + '/', json={'a': 1}, data='x')",
    "json_and_files": "s.post(U + '/', json={'a': 1}, files={'f': (None, 'v')})",
    "headers_list": "s.get(U + '/', headers=[('a', 'b')])",
    "headers_str": "s.get(U + '/', headers='X-A: b')",
    "header_int_value": "s.get(U + '/', headers={'X-N': 5})",
    "header_float_value": "s.get(U + '/', headers={'X-N': 1.5})",
}
EXPECTED_TYPE = {"headers_list": "TypeError", "headers_str": "TypeError",
                 "header_int_value": "TypeError", "header_float_value": "TypeError"}


@pytest.mark.parametrize("case", sorted(BEFORE_SEND))
def test_rejected_before_sending(mpy, impl, recording_server, case):
    srv = ok_server(recording_server)
    out = run_session(mpy, "emit(attempt(lambda: %s))" % BEFORE_SEND[case], srv.url("")).one
    assert out[0] == "err"
    if case in EXPECTED_TYPE:
        assert out[1] == EXPECTED_TYPE[case]
    assert srv.requests == []


INJECTION = {
    "header_value_crlf": "s.get(U + '/', headers={'X-A': 'v\\r\\nX-Injected: 1'})",
    "header_value_lf": "s.get(U + '/', headers={'X-A': 'v\\nX-Injected: 1'})",
    "header_value_cr": "s.get(U + '/', headers={'X-A': 'v\\rX'})",
    "header_value_nul": "s.get(U + '/', headers={'X-A': 'v\\x00'})",
    "header_bytes_value_crlf": "s.get(U + '/', headers={'X-A': b'v\\r\\nX-I: 1'})",
    "header_name_crlf": "s.get(U + '/', headers={'X-A\\r\\nX-Injected': 'v'})",
    "header_name_colon_space": "s.get(U + '/', headers={'X-A\\n': 'v'})",
    "url_path_crlf": "s.get(U + '/a\\r\\nX-Injected: 1')",
    "url_path_lf": "s.get(U + '/a\\nb')",
    "url_nul": "s.get(U + '/a\\x00b')",
    "method_crlf": "s.request('GET\\r\\nX-Injected: 1', U + '/')",
    "method_lf": "s.request('GE\\nT', U + '/')",
}


@pytest.mark.native_only
@pytest.mark.parametrize("case", sorted(INJECTION))
def test_crlf_injection_rejected(mpy, impl, recording_server, case):
    srv = ok_server(recording_server)
    out = run_session(mpy, """
emit([attempt(lambda: %s), pool.open_count()])
""" % INJECTION[case], srv.url("")).one
    assert out[0][:2] == ["err", "ValueError"], out
    assert out[1] == 0
    assert srv.requests == []
    assert srv.connections == 0


@pytest.mark.reference_bug("the reference sends injected CR/LF as is")
def test_crlf_injection_never_reaches_server(mpy, impl, recording_server):
    srv = ok_server(recording_server)
    run_session(mpy, """
emit(attempt(lambda: s.get(U + '/', headers={'X-A': 'v\\r\\nX-Injected: 1'}).close()))
""", srv.url(""))
    assert all(r.header("X-Injected") is None for r in srv.requests)


@pytest.mark.parametrize("url", ["ftp://127.0.0.1/x", "ws://127.0.0.1:1/", "file:///etc/x"])
def test_unsupported_protocol(mpy, impl, url):
    out = run_session(mpy, "emit(attempt(lambda: s.get(U)))", url).one
    assert out[:2] == ["err", "ValueError"]
    assert out[2].startswith("Unsupported protocol: ")
    assert url.split("/")[0] in out[2]


def test_missing_scheme_is_value_error(mpy, impl):
    out = run_session(mpy, "emit(attempt(lambda: s.get(U)))", "127.0.0.1/x").one
    assert out[:2] == ["err", "ValueError"]


@pytest.mark.parametrize("how", ["data", "files"])
def test_text_mode_file_rejected(mpy, impl, recording_server, tmp_path, how):
    srv = ok_server(recording_server)
    call = ("s.post(U + '/', data=open(P['file'], 'r'))" if how == "data" else
            "s.post(U + '/', files={'f': ('a.txt', open(P['file'], 'r'))})")
    out = run_session(mpy, """
f = open(P["file"], "w")
f.write("text content")
f.close()
emit(attempt(lambda: %s))
""" % call, srv.url(""), file=str(tmp_path / "t.txt")).one
    assert out == ["err", "ValueError", "Files must be opened in binary mode"]
    assert srv.requests == []


@pytest.mark.native_only
def test_ipv6_literal(mpy, impl, recording_server, pool_kind):
    try:
        srv = ok_server(recording_server, host="::1")
    except OSError:
        pytest.skip("no IPv6 loopback on this machine")
    out = run_session(mpy, "r = s.get(U + '/six')\nemit([r.status_code, r.text])",
                      "http://[::1]:%d" % srv.port, kind=pool_kind).one
    assert out == [200, "ok"]
    assert srv.requests[0].target == "/six"
    assert srv.requests[0].header("Host") == "[::1]:%d" % srv.port


@pytest.mark.native_only
def test_session_context_manager_closes_sockets(mpy, impl, recording_server):
    srv = ok_server(recording_server)
    out = run_session(mpy, """
import testkit
with testkit.make_session(requests, "python")[0] as s2:
    pass
s3, pool3 = testkit.make_session(requests, "python")
with s3:
    s3.get(U + "/").content
    inside = pool3.open_count()
emit([inside, pool3.open_count()])
""", srv.url("")).one
    assert out == [1, 0]
