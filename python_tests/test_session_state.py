"""Session state (SPEC §12): the cookie jar against httpbin and scripted
servers (RFC 6265 client rules end to end; the engine's unit tests cover
each rule in detail), Session.headers, Session.auth, cookies= and
r.cookies, on Session and AsyncSession. The reference keeps no state, so
these run on the native module only."""

import base64
import email.utils
import json
import re
import time

import pytest

from servers import http_response
from test_async import AIO_IMPORT, aio_params, any_aio  # noqa: F401

pytestmark = pytest.mark.native_only

SETUP = """
import testkit
s, pool = testkit.make_session(requests, P.get("kind", "python"), P.get("ca"))
U = P["url"]
"""


def run(mpy, script, **params):
    return mpy.run(SETUP + script, params=params)


# ---- httpbin: /cookies/set, /cookies/delete, /cookies ----

def test_httpbin_set_send_delete(mpy, impl, httpbin_both):
    url, ca = httpbin_both
    out = run(mpy, """
r = s.get(U + "/cookies/set?a=1&b=two")
first = r.json()["cookies"]
jar = [len(s.cookies), sorted(list(s.cookies)), s.cookies["a"], s.cookies.get("b"),
       s.cookies.get("zz", "dflt"), "a" in s.cookies, sorted(s.cookies.items())]
r = s.get(U + "/cookies")
again = r.json()["cookies"]
r = s.get(U + "/cookies/delete?a")
after = r.json()["cookies"]
emit([first, jar, again, after, s.cookies.get("a"), len(s.cookies), r.history])
""", url=url, ca=ca).one
    first, jar, again, after, gone, n, history = out
    # Set on the 302 hop, sent on the hop it redirects to.
    assert first == {"a": "1", "b": "two"}
    assert jar == [2, ["a", "b"], "1", "two", "dflt", True, [["a", "1"], ["b", "two"]]]
    assert again == {"a": "1", "b": "two"}
    assert after == {"b": "two"}
    assert gone is None and n == 1
    assert history == [302]


def test_jar_api(mpy, impl, httpbin):
    out = run(mpy, """
c = s.cookies
c.set("k", "v", domain="127.0.0.1", path="/cookies")
c.set("k", "w", domain="other.example", path="/")
res = [len(c), attempt(lambda: c["k"])[0], c.get("k", domain="127.0.0.1"),
       c.get("k", path="/"), attempt(lambda: c["missing"])]
r = s.get(U + "/cookies")
res.append(r.json()["cookies"])
c.set("k", None, domain="other.example")
res.append(c["k"])
c["plain"] = "1"          # no domain: every host, as requests' set()
del c["k"]
res.append(sorted(c.keys()))
res.append(attempt(lambda: c.set("bad", "a;b")))
res.append(attempt(lambda: c.set(1, "a")))
c.clear()
res.append([len(c), list(c), bool(c)])
emit(res)
""", url=httpbin.url).one
    assert out[0] == 2
    assert out[1] == "err"          # two cookies named k: a conflict
    assert out[2] == "v" and out[3] == "w"
    assert out[4][:2] == ["err", "KeyError"]
    assert out[5] == {"k": "v"}     # only the one whose domain and path match
    assert out[6] == "v"
    assert out[7] == ["plain"]
    assert out[8][:2] == ["err", "ValueError"]
    assert out[9][:2] == ["err", "TypeError"]
    assert out[10] == [0, [], False]


def test_response_cookies(mpy, impl, recording_server):
    srv = recording_server(http_response(200, [
        ("Set-Cookie", "a=1; Path=/"),
        ("Set-Cookie", "b=2; Expires=Wed, 09 Jun 2100 10:18:14 GMT"),
        ("Set-Cookie", "evil=1; Domain=example.com"),
        ("Set-Cookie", "old=1; Max-Age=0"),
        ("Set-Cookie", "novalue"),
    ], b"ok"))
    out = run(mpy, """
r = s.get(U + "/x")
emit([r.cookies, sorted(s.cookies.keys()), r.headers.get_all("set-cookie")[1]])
""", url=srv.url("")).one
    assert out[0] == {"a": "1", "b": "2"}
    assert out[1] == ["a", "b"]
    assert out[2].startswith("b=2; Expires=Wed, 09 Jun 2100")


# ---- a login, then pages behind it: no cookie code in the script ----

def login_app(req, srv):
    cookie = req.header("Cookie") or ""
    if req.path == "/login" and req.method == "POST":
        if req.body != b"user=ada&password=lovelace":
            return http_response(403, {}, b"no")
        return http_response(303, [("Location", "/home"),
                                   ("Set-Cookie", "sid=s3cr3t; Path=/; HttpOnly"),
                                   ("Set-Cookie", "theme=dark; Path=/prefs")], b"")
    if "sid=s3cr3t" not in cookie.split("; "):
        return http_response(401, {}, b"login first")
    if req.path == "/logout":
        return http_response(200, [("Set-Cookie", "sid=; Expires=Thu, 01 Jan 1970 00:00:00 GMT; Path=/")], b"bye")
    return http_response(200, {}, ("%s %s" % (req.path, cookie)).encode())


def test_login_then_fetch(mpy, impl, recording_server):
    srv = recording_server(login_app)
    out = run(mpy, """
r = s.post(U + "/login", data={"user": "ada", "password": "lovelace"})
res = [r.status_code, r.text]
for path in ("/api/data", "/prefs/colour", "/logout", "/api/data"):
    r = s.get(U + path)
    res.append([r.status_code, r.text])
emit(res)
""", url=srv.url("")).one
    assert out == [200, "/home sid=s3cr3t",
                   [200, "/api/data sid=s3cr3t"],
                   # Longer path first (RFC 6265 §5.4 step 2).
                   [200, "/prefs/colour theme=dark; sid=s3cr3t"],
                   [200, "bye"],
                   [401, "login first"]]


def test_legacy_functions_keep_no_cookies(mpy, impl, recording_server):
    srv = recording_server(login_app)
    out = mpy.run("""
import testkit
pool = testkit.faultpool.FaultPool()
requests.set_socket(pool)
r = requests.post(P["url"] + "/login", data={"user": "ada", "password": "lovelace"})
a = r.status_code
r = requests.get(P["url"] + "/api/data", cookies={"sid": "s3cr3t"})
emit([a, r.status_code, r.text])
""", params={"url": srv.url("")}).one
    assert out == [401, 200, "/api/data sid=s3cr3t"]


# ---- what goes to another origin ----

def hop_app(target):
    def app(req, srv):
        if req.path == "/start":
            return http_response(302, [("Location", target()),
                                       ("Set-Cookie", "host=1; Path=/")], b"")
        return http_response(200, {}, (req.header("Cookie") or "-").encode())
    return app


def test_cookie_never_goes_to_another_host(mpy, impl, recording_server):
    # The same server under two names: 127.0.0.1 and localhost.
    holder = {}
    srv = recording_server(hop_app(lambda: holder["other"]))
    holder["other"] = srv.url("/landing", host="localhost")
    out = run(mpy, """
r = s.get(U + "/start", headers={"Cookie": "mine=1"}, cookies={"given": "1"})
a = r.text
r = s.get(U + "/again")
emit([a, r.text, list(s.cookies)])
""", url=srv.url("")).one
    # Neither the jar's cookie (host-only for 127.0.0.1), nor the caller's
    # Cookie header, nor cookies= reach localhost.
    assert out == ["-", "host=1", ["host"]]
    assert srv.requests[0].header("Cookie") == "mine=1"


def test_other_port_gets_jar_cookies_by_rfc_but_no_credentials(mpy, impl, recording_server):
    # RFC 6265 §8.5: cookies do not isolate by port (nor do requests or
    # browsers). The caller's own Cookie header and cookies= are
    # credentials and are dropped on the cross-origin hop (SPEC §7).
    b = recording_server(hop_app(lambda: "unused"))
    a = recording_server(hop_app(lambda: b.url("/landing")))
    out = run(mpy, """
r = s.get(U + "/start", cookies={"given": "1"})
emit(r.text)
""", url=a.url("")).one
    assert out == "host=1"
    assert a.requests[0].header("Cookie") == "given=1"


def test_secure_cookie_only_over_https(mpy, impl, recording_server, tls_material):
    app_resp = lambda req, srv: http_response(
        200, [("Set-Cookie", "sec=1; Secure; Path=/"), ("Set-Cookie", "plain=1; Path=/")],
        (req.header("Cookie") or "-").encode())
    tls = recording_server(app_resp, tls_context=tls_material.server_context("good"))
    plain = recording_server(app_resp)
    out = run(mpy, """
res = [s.get(P["tls"] + "/a").text, s.get(P["tls"] + "/b").text, s.get(P["plain"] + "/c").text]
emit([res, sorted(s.cookies.keys())])
""", url="", tls=tls.url(""), plain=plain.url(""), ca=tls_material.ca_der).one
    res, names = out
    assert res[0] == "-"
    assert res[1] == "sec=1; plain=1"
    # Over http: the Secure cookie stays home, and the http answer's Secure
    # Set-Cookie is refused (plain=1 replaced itself).
    assert res[2] == "plain=1"
    assert sorted(names) == ["plain", "sec"]


def test_domain_rules_end_to_end(mpy, impl, recording_server):
    def app(req, srv):
        if req.path.endswith("/set"):
            return http_response(200, [
                ("Set-Cookie", "tld=1; Domain=com; Path=/"),
                ("Set-Cookie", "other=1; Domain=example.com; Path=/"),
                ("Set-Cookie", "self=1; Domain=localhost; Path=/"),
                ("Set-Cookie", "deep=1; Path=/dir/"),
                ("Set-Cookie", "dflt=1"),
            ], b"")
        return http_response(200, {}, (req.header("Cookie") or "-").encode())
    srv = recording_server(app)
    out = run(mpy, """
s.get(P["url"] + "/dir/sub/set")
res = [s.get(P["url"] + p).text for p in ("/", "/dir", "/dir/sub/x", "/dirt")]
emit([res, sorted(s.cookies.keys())])
""", url=srv.url("", host="localhost")).one
    # Default path of /dir/sub/set is /dir/sub (longer, so first); Path=/dir/
    # matches below it and not /dirt.
    res, names = out
    assert res == ["self=1", "self=1", "dflt=1; deep=1; self=1", "self=1"]
    assert names == ["deep", "dflt", "self"]


def test_expiry_by_max_age_and_expires_with_date(mpy, impl, recording_server):
    def app(req, srv):
        if req.path == "/set":
            now = time.time()
            return http_response(200, [
                ("Date", email.utils.formatdate(now, usegmt=True)),
                ("Set-Cookie", "short=1; Max-Age=1; Expires=Wed, 09 Jun 2100 10:18:14 GMT"),
                ("Set-Cookie", "dated=1; Expires=%s" % email.utils.formatdate(now + 2, usegmt=True)),
                ("Set-Cookie", "long=1; Max-Age=3600"),
            ], b"")
        return http_response(200, {}, (req.header("Cookie") or "-").encode())
    srv = recording_server(app)
    out = run(mpy, """
import time
s.get(U + "/set")
res = [s.get(U + "/").text]
time.sleep(1.3)
res.append(s.get(U + "/").text)
time.sleep(2.2)
res.append(s.get(U + "/").text)
emit(res)
""", url=srv.url("")).one
    assert out[0] == "short=1; dated=1; long=1"
    assert out[1] == "dated=1; long=1"
    assert out[2] == "long=1"


def test_replacement_and_limits(mpy, impl, recording_server):
    def app(req, srv):
        m = re.match(r"/set/(\w+)/(\w+)$", req.path)
        if m:
            return http_response(200, [("Set-Cookie", "%s=%s; Path=/" % m.groups())], b"")
        return http_response(200, {}, (req.header("Cookie") or "-").encode())
    srv = recording_server(app)
    out = run(mpy, """
s.get(U + "/set/a/1"); s.get(U + "/set/b/1"); s.get(U + "/set/a/2")
res = [s.get(U + "/").text]
for i in range(20):
    s.get(U + "/set/c%d/v" % i)
res.append([len(s.cookies), s.cookies.get("a"), s.cookies.get("c19")])
emit(res)
""", url=srv.url("")).one
    # Replaced in place (keeps its age, so it still comes first).
    assert out[0] == "a=2; b=1"
    # 16 at most: the oldest went first.
    assert out[1] == [16, None, "v"]


# ---- cookies=, and the caller's own Cookie header ----

def echo_cookie(req, srv):
    if req.path == "/set":
        return http_response(200, [("Set-Cookie", "j=jar; Path=/"), ("Set-Cookie", "k=jar; Path=/")], b"")
    return http_response(200, {}, (req.header("Cookie") or "-").encode())


def test_cookies_keyword_and_own_header(mpy, impl, recording_server):
    srv = recording_server(echo_cookie)
    out = run(mpy, """
s.get(U + "/set")
res = [s.get(U + "/", cookies={"k": "given", "x": "1"}).text,
       s.get(U + "/").text,
       s.get(U + "/", headers={"Cookie": "mine=1"}).text,
       s.get(U + "/", headers={"cookie": None}).text,
       attempt(lambda: s.get(U + "/", cookies={"a": "b\\r\\nX: y"})),
       attempt(lambda: s.get(U + "/", cookies=[("a", "b")]))]
emit(res)
""", url=srv.url("")).one
    assert out[0] in ("k=given; x=1; j=jar", "x=1; k=given; j=jar")
    assert out[1] == "j=jar; k=jar"                  # cookies= is not kept
    assert out[2] == "mine=1"                        # as requests: the caller's header only
    assert out[3] == "j=jar; k=jar"
    assert out[4][:2] == ["err", "ValueError"]
    assert out[5][:2] == ["err", "TypeError"]


# ---- Session.headers and Session.auth ----

def test_session_headers(mpy, impl, recording_server):
    srv = recording_server()
    run(mpy, """
s.headers["X-Token"] = "t1"
s.headers["user-agent"] = "board/1"
s.headers["X-Gone"] = "g"
res = [s.headers["x-token"], "X-TOKEN" in s.headers]
s.get(U + "/1")
s.get(U + "/2", headers={"x-token": "t2", "X-Gone": None, "X-Extra": "e"})
s.headers = {"Only": "this"}
s.get(U + "/3")
s.headers = None
s.get(U + "/4")
emit(res)
""", url=srv.url(""))
    r1, r2, r3, r4 = srv.requests
    assert r1.header("X-Token") == "t1" and r1.header("User-Agent") == "board/1"
    assert r1.header("X-Gone") == "g"
    assert r2.header("X-Token") == "t2" and r2.header("X-Gone") is None
    assert r2.header("X-Extra") == "e" and r2.header("User-Agent") == "board/1"
    assert [k for k, _ in r2.headers].count("x-token") + [k for k, _ in r2.headers].count("X-Token") == 1
    assert r3.header("Only") == "this" and r3.header("X-Token") is None
    assert r3.header("User-Agent") == "Adafruit CircuitPython"
    assert r4.header("Only") is None


def test_session_auth_and_cross_origin_drop(mpy, impl, httpbin, recording_server):
    other = recording_server()
    srv = recording_server(lambda req, s: http_response(302, [("Location", other.url("/x"))], b"")
                           if req.path == "/away" else http_response(200, {}, b"home"))
    out = run(mpy, """
s.auth = ("user", "pw")
a = s.get(P["bin"] + "/basic-auth/user/pw").status_code
b = s.get(P["bin"] + "/basic-auth/user/pw", auth=("user", "wrong")).status_code
s.get(U + "/home")
s.get(U + "/away")
got = s.auth
s.auth = None
c = s.get(P["bin"] + "/basic-auth/user/pw").status_code
emit([a, b, c, list(got)])
""", url=srv.url(""), bin=httpbin.url).one
    assert out == [200, 401, 401, ["user", "pw"]]
    token = "Basic " + base64.b64encode(b"user:pw").decode()
    assert srv.requests[0].header("Authorization") == token
    assert srv.requests[1].header("Authorization") == token
    assert other.requests[0].header("Authorization") is None


# ---- AsyncSession ----

def test_async_session_state(mpy, impl, any_aio, httpbin_both, recording_server):
    url, ca = httpbin_both
    out = mpy.run(AIO_IMPORT + """
import socket, faultpool
ctx = faultpool.firmware_tls_context(P["ca"]) if P["ca"] else None
async def main():
    async with requests.AsyncSession(socket, ctx) as s:
        s.headers["X-Board"] = "yes"
        r = await s.get(P["url"] + "/cookies/set?a=1")
        first = r.json()
        r = await s.get(P["url"] + "/headers", cookies={"c": "3"})
        h = r.json()["headers"]
        return [first["cookies"], s.cookies["a"], h.get("X-Board"), h.get("Cookie")]
emit(asyncio.run(main()))
""", params=aio_params(any_aio, url=url, ca=ca)).one
    assert out == [{"a": "1"}, "1", "yes", "c=3; a=1"]


def test_same_request_again_sees_session_changes(mpy, impl, recording_server):
    # A request with nothing of its own reuses the last one's head; whatever
    # the Session adds since (headers set or changed in place, auth, a
    # stored cookie) and what the URL says must still reach the wire.
    srv = recording_server()
    run(mpy, """
u = U + "/same"
def get(url=None):
    s.get(url or u).close()
get()
get()
s.headers["X-One"] = "1"
get()
s.headers["X-One"] = "2"
get()
del s.headers["X-One"]
get()
s.auth = ("user", "pw")
get()
s.auth = None
s.cookies.set("c", "v")
get()
s.cookies.clear()
get()
get("".join([U, "/same"]))      # equal text, another object
get(U + "/other")
s.post(u).close()
get()
emit(0)
""", url=srv.url(""))
    seen = [(r.method, r.path, r.header("X-One"), r.header("Authorization"), r.header("Cookie"))
            for r in srv.requests]
    plain = ("GET", "/same", None, None, None)
    assert seen == [
        plain, plain,
        ("GET", "/same", "1", None, None),
        ("GET", "/same", "2", None, None),
        plain,
        ("GET", "/same", None, "Basic dXNlcjpwdw==", None),
        ("GET", "/same", None, None, "c=v"),
        plain, plain,
        ("GET", "/other", None, None, None),
        ("POST", "/same", None, None, None),
        plain,
    ]
