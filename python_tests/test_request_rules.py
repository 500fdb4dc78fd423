"""The request-side rules of SPEC §2 and §7, on every path: credentials on
redirects, bodies that change size, caller framing headers, control bytes in
URLs and methods, multipart parameter escaping, and Basic auth from auth= and
from URL userinfo. Each runs through the firmware's sockets and a
Python-level pool, against real servers on 127.0.0.1."""

import base64

import pytest

from helpers import run_session
from servers import http_response
from servers.sniffing import SchemeSniffingServer

pytestmark = pytest.mark.native_only

TIMED = """
import time
def timed(fn):
    t0 = time.ticks_ms()
    res = attempt(fn)
    return res, time.ticks_diff(time.ticks_ms(), t0)
"""

CREDENTIAL_HEADERS = ("Authorization", "Cookie", "Proxy-Authorization")


@pytest.fixture
def sniffing_server(tls_material):
    made = []

    def make(response):
        srv = SchemeSniffingServer(response, tls_material.server_context())
        made.append(srv)
        return srv

    yield make
    for srv in made:
        srv.stop()


def redirector(location_for, status=302):
    """/start answers `status` with the Location location_for(server) gives;
    anything else answers 200 describing the request."""
    def app(req, srv):
        if req.path == "/start":
            return http_response(status, {"Location": location_for(srv)})
        return http_response(200, {}, ("%s %s" % (req.method, req.target)).encode())
    return app


def with_userinfo(url, userinfo):
    scheme, rest = url.split("://", 1)
    return "%s://%s@%s" % (scheme, userinfo, rest)


# How the caller gives credentials: (URL userinfo, extra call arguments).
GIVEN = {
    "headers": (None, "headers={'Authorization': 'Bearer t', 'Cookie': 'c=1', "
                      "'proxy-authorization': 'Basic cHg6cHc=', 'X-Other': 'kept'}"),
    "auth": (None, "auth=('u', 'p')"),
    "userinfo": ("u:p", ""),
}


def follow_with_credentials(mpy, pool_kind, start_url, given, ca=None):
    userinfo, extra = GIVEN[given]
    url = with_userinfo(start_url, userinfo) if userinfo else start_url
    call = "s.get(%r, timeout=5%s)" % (url, ", " + extra if extra else "")
    out = run_session(mpy, TIMED + """
res, ms = timed(lambda: %s.text)
emit([res, ms])
""" % call, start_url, kind=pool_kind, ca=ca).one
    res, ms = out
    assert res[0] == "ok", out
    assert ms < 3000, out
    return res[1]


def assert_credentials(first, hop, given, kept):
    assert first.header("Authorization"), first
    if given == "headers":
        assert first.header("Cookie") == "c=1"
        assert hop.header("X-Other") == "kept"
    for name in CREDENTIAL_HEADERS:
        if kept:
            assert hop.header(name) == first.header(name), (name, hop)
        else:
            assert hop.header(name) is None, (name, hop.raw)


@pytest.mark.parametrize("given", sorted(GIVEN))
def test_https_to_http_on_the_same_port_drops_credentials(mpy, impl, pool_kind, given,
                                                           sniffing_server, tls_material):
    srv = sniffing_server(redirector(lambda s: s.url_as("http", "/down")))
    text = follow_with_credentials(mpy, pool_kind, srv.url_as("https", "/start"), given,
                                   ca=tls_material.ca_der)
    assert text == "GET /down"
    assert srv.schemes == ["https", "http"]
    first, hop = srv.requests
    assert_credentials(first, hop, given, kept=False)


@pytest.mark.parametrize("given", sorted(GIVEN))
def test_other_port_drops_credentials(mpy, impl, pool_kind, given, recording_server):
    target = recording_server(redirector(lambda s: "/unused"))
    start = recording_server(redirector(lambda s: target.url("/down")))
    assert follow_with_credentials(mpy, pool_kind, start.url("/start"), given) == "GET /down"
    assert_credentials(start.requests[0], target.requests[0], given, kept=False)


@pytest.mark.parametrize("given", sorted(GIVEN))
def test_other_host_drops_credentials(mpy, impl, pool_kind, given, recording_server):
    srv = recording_server(redirector(lambda s: s.url("/down", host="localhost")))
    assert follow_with_credentials(mpy, pool_kind, srv.url("/start"), given) == "GET /down"
    first, hop = srv.requests
    assert hop.header("Host") == "localhost:%d" % srv.port
    assert_credentials(first, hop, given, kept=False)


@pytest.mark.parametrize("given", sorted(GIVEN))
def test_same_origin_keeps_credentials(mpy, impl, pool_kind, given, recording_server):
    srv = recording_server(redirector(lambda s: "/down"))
    assert follow_with_credentials(mpy, pool_kind, srv.url("/start"), given) == "GET /down"
    first, hop = srv.requests
    assert_credentials(first, hop, given, kept=True)


def test_credentials_stay_dropped_when_a_later_hop_comes_back(mpy, impl, pool_kind,
                                                              recording_server):
    home = recording_server(redirector(lambda s: "/unused"))
    away = recording_server(redirector(lambda s: home.url("/back")))
    start_app = redirector(lambda s: away.url("/start"))
    home.response = lambda req, srv: (start_app(req, srv) if req.path == "/start"
                                      else http_response(200, {}, b"back"))
    follow_with_credentials(mpy, pool_kind, home.url("/start"), "headers")
    assert [r.path for r in home.requests] == ["/start", "/back"]
    assert home.requests[1].header("Authorization") is None
    assert home.requests[1].header("Cookie") is None


# A redirect that makes the request a bodiless GET takes the caller's body
# headers along; if not, the server waits for a body that never comes.
BODYLESS = [
    ("303", "post", "data=b'hello', headers={'Content-Length': '5', 'Content-Type': 'a/b'}"),
    ("301", "post", "data=b'hello', headers={'content-length': '5'}"),
    ("302", "post", "data=b'hello', headers={'CONTENT-LENGTH': '5'}"),
    ("303", "put", "data=gen(), headers={'Transfer-Encoding': 'chunked'}"),
    ("303", "post", "data=gen(), headers={'transfer-encoding': 'chunked', 'Content-Length': None}"),
]


@pytest.mark.parametrize("status,method,args", BODYLESS,
                         ids=["%s-%s-%d" % (c[0], c[1], i) for i, c in enumerate(BODYLESS)])
def test_bodiless_get_drops_caller_body_headers(mpy, impl, pool_kind, recording_server,
                                                 status, method, args):
    srv = recording_server(redirector(lambda s: "/end", status=int(status)))
    out = run_session(mpy, TIMED + """
def gen():
    yield b"hel"
    yield b"lo"
res, ms = timed(lambda: s.%s(U + "/start", timeout=2, %s).text)
emit([res, ms])
""" % (method, args), srv.url(""), kind=pool_kind).one
    res, ms = out
    # Within the 2 s timeout with room to spare: nobody waited for a body.
    assert res == ["ok", "GET /end"], out
    assert ms < 1500, out
    first, hop = srv.requests
    assert first.body == b"hello"
    assert hop.method == "GET" and hop.body == b""
    for name in ("Content-Length", "Transfer-Encoding", "Content-Type"):
        assert hop.header(name) is None, (name, hop.raw)


def test_307_keeps_the_caller_content_length_and_body(mpy, impl, pool_kind, recording_server):
    srv = recording_server(redirector(lambda s: "/end", status=307))
    out = run_session(mpy, """
emit(s.post(U + "/start", timeout=2, data=b"hello", headers={"Content-Length": "5"}).text)
""", srv.url(""), kind=pool_kind).one
    assert out == "POST /end"
    assert [(r.header("Content-Length"), r.body) for r in srv.requests] == [("5", b"hello")] * 2


# A file whose seek/tell announce 10 bytes but whose read() gives otherwise.
LIAR = """
class Liar:
    def __init__(self, announced, data, overread=False):
        self.announced, self.data, self.overread, self.pos = announced, data, overread, 0
    def seek(self, offset, whence=0):
        self.pos = self.announced if whence == 2 else offset
        return self.pos
    def tell(self):
        return self.pos
    def read(self, n=-1):
        end = len(self.data) if (n < 0 or self.overread) else self.pos + n
        chunk = self.data[self.pos:end]
        self.pos += len(chunk)
        return chunk
"""

LIARS = {
    "reads_more_than_asked": "Liar(10, b'z' * 25, overread=True)",
    "grew": "Liar(10, b'z' * 25)",
    "shrank": "Liar(10, b'z' * 4)",
    "grew_big": "Liar(3000, b'z' * 5000)",
    "shrank_big": "Liar(5000, b'z' * 3000)",
}


@pytest.mark.parametrize("how", ["data", "files"])
@pytest.mark.parametrize("liar", sorted(LIARS))
def test_body_that_changes_size_raises_and_is_never_resent(mpy, impl, pool_kind,
                                                            recording_server, liar, how):
    srv = recording_server()
    body = LIARS[liar]
    arg = "data=%s" % body if how == "data" else "files={'f': ('f.bin', %s)}" % body
    out = run_session(mpy, TIMED + LIAR + """
warm = s.get(U + "/warm", timeout=2).text
res, ms = timed(lambda: s.post(U + "/up", timeout=2, %s).status_code)
after = attempt(lambda: s.post(U + "/next", data=b"fine", timeout=2).text)
emit([warm, res, ms, after])
""" % arg, srv.url(""), kind=pool_kind).one
    warm, res, ms, after = out
    assert warm == "ok"
    assert res[:2] == ["err", "ValueError"], out
    assert ms < 1000, out
    assert after == ["ok", "ok"], out
    # Nothing past the announced length reached the server: no request line
    # made of body bytes, and no second attempt at /up.
    lines = [r.request_line for r in srv.requests]
    assert lines == ["GET /warm HTTP/1.1", "POST /next HTTP/1.1"], lines
    assert srv.requests[1].body == b"fine"
    # warm (kept alive, then used for /up and closed), /next on a new one.
    assert srv.connections == 2


def test_file_read_in_pieces_asks_only_for_what_remains(mpy, impl, pool_kind, recording_server):
    srv = recording_server()
    out = run_session(mpy, """
class Tracking:
    def __init__(self, data):
        self.data, self.pos, self.calls = data, 0, []
    def seek(self, offset, whence=0):
        self.calls.append("seek")
        self.pos = len(self.data) if whence == 2 else offset
        return self.pos
    def tell(self):
        return self.pos
    def read(self, n=-1):
        self.calls.append(n)
        chunk = self.data[self.pos:self.pos + n]
        self.pos += len(chunk)
        return chunk
f = Tracking(bytes(range(256)) * 20 + b"end")
r = s.post(U + "/up", data=f, timeout=2)
emit([r.text, f.calls])
""", srv.url(""), kind=pool_kind).one
    text, calls = out
    assert text == "ok"
    assert srv.requests[0].body == bytes(range(256)) * 20 + b"end"
    # The reads after the last rewind: pieces that never ask beyond the
    # announced end, then one 1-byte read that finds the end.
    last_seek = len(calls) - 1 - calls[::-1].index("seek")
    pieces = calls[last_seek + 1:]
    assert len(pieces) >= 3, calls
    assert pieces[-1] == 1, calls
    assert sum(pieces[:-1]) == 5123, calls


# Caller framing headers that disagree with the body: refused before
# anything is sent (SPEC §2, issue 16 item 1).
DISAGREE = {
    "content_length_short": "s.post(U + '/p', data=b'hello', headers={'Content-Length': '3'})",
    "content_length_long": "s.post(U + '/p', data=b'hello', headers={'content-length': '9'})",
    "content_length_none_with_body": "s.post(U + '/p', data=b'hello', headers={'CONTENT-LENGTH': None})",
    "content_length_on_get": "s.get(U + '/p', headers={'Content-Length': '5'})",
    "content_length_on_json": "s.post(U + '/p', json={'a': 1}, headers={'Content-Length': '2'})",
    "content_length_on_generator": "s.post(U + '/p', data=gen(), headers={'Content-Length': '5'})",
    "te_none_on_generator": "s.post(U + '/p', data=gen(), headers={'Transfer-Encoding': None})",
    "te_on_bytes": "s.post(U + '/p', data=b'hello', headers={'transfer-encoding': 'chunked'})",
    "te_gzip_on_generator": "s.post(U + '/p', data=gen(), headers={'Transfer-Encoding': 'gzip'})",
    "both": "s.post(U + '/p', data=b'hello', headers={'Content-Length': '5', "
            "'Transfer-Encoding': 'chunked'})",
    "both_on_generator": "s.post(U + '/p', data=gen(), headers={'Content-Length': '5', "
                         "'Transfer-Encoding': 'chunked'})",
    "repeated_spellings": "s.post(U + '/p', data=b'hello', headers={'Content-Length': '5', "
                          "'content-length': '5'})",
    "multipart_wrong_length": "s.post(U + '/p', files={'f': (None, 'v')}, "
                              "headers={'Content-Length': '1'})",
}

GEN = """
def gen():
    yield b"hel"
    yield b"lo"
"""


@pytest.mark.parametrize("case", sorted(DISAGREE))
def test_disagreeing_framing_header_raises_before_sending(mpy, impl, pool_kind,
                                                           recording_server, case):
    srv = recording_server()
    out = run_session(mpy, GEN + """
res = attempt(lambda: %s)
emit([res, s.get(U + "/after", timeout=2).text])
""" % DISAGREE[case], srv.url(""), kind=pool_kind).one
    res, after = out
    assert res[:2] == ["err", "ValueError"], out
    assert after == "ok"
    assert [r.path for r in srv.requests] == ["/after"]
    assert srv.connections == 1


AGREE = {
    "same_length": ("s.post(U + '/p', data=b'hello', headers={'content-length': '5'})",
                    "content-length: 5", None),
    "chunked_generator": ("s.post(U + '/p', data=gen(), headers={'Transfer-Encoding': 'chunked'})",
                          None, "Transfer-Encoding: chunked"),
    "no_length_on_get": ("s.get(U + '/p', headers={'Content-Length': None})", None, None),
    "zero_on_get": ("s.get(U + '/p', headers={'Content-Length': '0'})", "Content-Length: 0", None),
    "te_none_on_bytes": ("s.post(U + '/p', data=b'hello', headers={'Transfer-Encoding': None})",
                         "Content-Length: 5", None),
}


@pytest.mark.parametrize("case", sorted(AGREE))
def test_agreeing_framing_header_is_sent_once(mpy, impl, pool_kind, recording_server, case):
    call, length_line, te_line = AGREE[case]
    srv = recording_server()
    out = run_session(mpy, GEN + "emit(%s.text)" % call, srv.url(""), kind=pool_kind).one
    assert out == "ok"
    (req,) = srv.requests
    head = req.raw.split(b"\r\n\r\n", 1)[0].decode("latin-1").split("\r\n")
    lengths = [h for h in head if h.lower().startswith("content-length:")]
    codings = [h for h in head if h.lower().startswith("transfer-encoding:")]
    assert lengths == ([length_line] if length_line else []), head
    assert codings == ([te_line] if te_line else []), head
    assert req.body == (b"hello" if req.method == "POST" else b"")


def test_control_bytes_in_url_are_percent_encoded(mpy, impl, pool_kind, recording_server):
    srv = recording_server()
    out = run_session(mpy, r"""
emit(s.get(U + "/a\tb\x01c\x7fd e?q=\t1\x1f", timeout=2).text)
""", srv.url(""), kind=pool_kind).one
    assert out == "ok"
    assert srv.requests[0].request_line == "GET /a%09b%01c%7Fd%20e?q=%091%1F HTTP/1.1"


def test_control_bytes_in_location_are_percent_encoded(mpy, impl, pool_kind, recording_server):
    srv = recording_server(redirector(lambda s: "/x\ty z?\tq"))
    out = run_session(mpy, "emit(s.get(U + '/start', timeout=2).text)", srv.url(""),
                      kind=pool_kind).one
    assert out == "GET /x%09y%20z?%09q"
    assert srv.requests[1].request_line == "GET /x%09y%20z?%09q HTTP/1.1"


@pytest.mark.parametrize("method", ["GET\\t/evil", "GET\\x01", "GET\\x7f", "G(E)T", "GET/1",
                                    "G\\u00c9T", "GET\\x0b"])
def test_method_must_be_a_token(mpy, impl, pool_kind, recording_server, method):
    srv = recording_server()
    out = run_session(mpy, """
res = attempt(lambda: s.request("%s", U + "/p", timeout=2))
emit([res, s.get(U + "/after", timeout=2).text])
""" % method, srv.url(""), kind=pool_kind).one
    res, after = out
    assert res[:2] == ["err", "ValueError"], out
    assert after == "ok"
    assert [r.path for r in srv.requests] == ["/after"]


def test_multipart_names_escape_quote_cr_lf(mpy, impl, pool_kind, recording_server):
    srv = recording_server()
    out = run_session(mpy, r"""
r = s.post(U + "/m", timeout=2, data={'q"x': "1"},
           files={'a"b\r\nX-I: 1': ('f"\r\n.txt', b"v", "text/plain")})
emit(r.text)
""", srv.url(""), kind=pool_kind).one
    assert out == "ok"
    (req,) = srv.requests
    body = req.body
    assert int(req.header("Content-Length")) == len(body)
    assert b'Content-Disposition: form-data; name="q%22x"\r\n\r\n1\r\n' in body
    assert (b'Content-Disposition: form-data; name="a%22b%0D%0AX-I: 1"; '
            b'filename="f%22%0D%0A.txt"\r\nContent-Type: text/plain\r\n\r\nv\r\n') in body
    # No header line of the part was split off.
    assert b"\r\nX-I: 1" not in body


def basic(user, password):
    return "Basic " + base64.b64encode(("%s:%s" % (user, password)).encode()).decode()


EMAIL = "someone.with.a.long.name@example.com"
TOKEN = ("abcdefghijklmnopqrstuvwxyz0123456789" * 6)[:192]


def test_long_auth_against_httpbin(mpy, impl, pool_kind, httpbin):
    out = run_session(mpy, """
user, token = %r, %r
ok = s.get(U + "/basic-auth/%%s/%%s" %% (user, token), auth=(user, token), timeout=5)
ok_json = ok.json()["authenticated"]
bad = s.get(U + "/basic-auth/%%s/%%s" %% (user, token), auth=(user, token[:-1] + "!"), timeout=5)
emit([ok.status_code, ok_json, bad.status_code])
""" % (EMAIL, TOKEN), httpbin.url, kind=pool_kind).one
    assert out == [200, True, 401]


def test_long_auth_header_is_exact(mpy, impl, pool_kind, recording_server):
    srv = recording_server()
    out = run_session(mpy, "emit(s.get(U + '/a', auth=(%r, %r), timeout=2).text)"
                      % (EMAIL, TOKEN * 20), srv.url(""), kind=pool_kind).one
    assert out == "ok"
    assert srv.requests[0].header("Authorization") == basic(EMAIL, TOKEN * 20)


def test_url_userinfo_against_httpbin(mpy, impl, pool_kind, httpbin):
    out = run_session(mpy, """
ok = s.get(P["good"] + "/basic-auth/user/pass", timeout=5)
ok_json = ok.json()["authenticated"]
bad = s.get(P["bad"] + "/basic-auth/user/pass", timeout=5)
emit([ok.status_code, ok_json, bad.status_code])
""", httpbin.url, kind=pool_kind, good=with_userinfo(httpbin.url, "user:pass"),
                      bad=with_userinfo(httpbin.url, "user:wrong")).one
    assert out == [200, True, 401]


USERINFO = {
    # userinfo, extra call arguments, expected Authorization
    "percent_decoded": ("us%40er:p%3Aw", "", basic("us@er", "p:w")),
    "utf8_decoded": ("%C3%A9:x", "", "Basic " + base64.b64encode("é:x".encode()).decode()),
    "empty_password": ("user:", "", basic("user", "")),
    "auth_wins": ("a:b", ", auth=('c', 'd')", basic("c", "d")),
    "no_colon_no_auth": ("user", "", None),
    "empty_no_auth": (":", "", None),
    "caller_header_wins": ("a:b", ", headers={'authorization': 'Bearer x'}", "Bearer x"),
}


@pytest.mark.parametrize("case", sorted(USERINFO))
def test_url_userinfo_becomes_basic_auth(mpy, impl, pool_kind, recording_server, case):
    userinfo, extra, expected = USERINFO[case]
    srv = recording_server()
    url = with_userinfo(srv.url("/x?y=1"), userinfo)
    out = run_session(mpy, "emit(s.get(%r, timeout=2%s).text)" % (url, extra), srv.url(""),
                      kind=pool_kind).one
    assert out == "ok"
    (req,) = srv.requests
    assert req.header("Authorization") == expected
    # Never in the request line or Host.
    assert req.request_line == "GET /x?y=1 HTTP/1.1"
    assert req.header("Host") == "127.0.0.1:%d" % srv.port
    assert b"@" not in req.raw
