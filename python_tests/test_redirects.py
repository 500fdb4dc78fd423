"""Redirect following: hop limit, method/body rewriting per status,
Location resolution and credential handling."""

import re

import pytest

from helpers import run_session
from servers import http_response


def redirect_app(req, srv):
    """/r/<code>/<location-kind> redirects; /loop/<n> redirects forever;
    /chain/<n> counts down to /end; anything else answers 200 with a
    description of the request."""
    if req.path.endswith("/end"):
        return http_response(200, {}, ("%s %s" % (req.method, req.target)).encode())
    m = re.match(r"/r/(\d+)/(abs|rootrel|rel|dotdot|upper)(/.*)?$", req.path)
    if m:
        code, kind = int(m.group(1)), m.group(2)
        loc = {"abs": srv.url("/end"), "rootrel": "/end", "rel": "end",
               "dotdot": "../end", "upper": srv.url("/end")}[kind]
        name = "LOCATION" if kind == "upper" else "Location"
        return http_response(code, [(name, loc)], b"redirect body")
    m = re.match(r"/loop/(\d+)$", req.path)
    if m:
        return http_response(302, {"Location": "/loop/%d" % (int(m.group(1)) + 1)})
    m = re.match(r"/chain/(\d+)$", req.path)
    if m:
        n = int(m.group(1))
        nxt = srv.url("/chain/%d" % (n - 1)) if n > 1 else srv.url("/end")
        return http_response(302, {"Location": nxt})
    return http_response(200, {}, ("%s %s" % (req.method, req.target)).encode())


def follow(mpy, srv, call):
    return run_session(mpy, """
r = %s
emit([r.status_code, r.text])
""" % call, srv.url("")).one


def test_chain_of_absolute_redirects(mpy, impl, recording_server):
    srv = recording_server(redirect_app)
    out = follow(mpy, srv, "s.get(U + '/chain/5')")
    assert out == [200, "GET /end"]
    assert [r.path for r in srv.requests] == ["/chain/5", "/chain/4", "/chain/3", "/chain/2",
                                             "/chain/1", "/end"]


def test_location_header_case_insensitive(mpy, impl, recording_server):
    srv = recording_server(redirect_app)
    assert follow(mpy, srv, "s.get(U + '/r/302/upper')") == [200, "GET /end"]


@pytest.mark.parametrize("code", [301, 302, 303, 307, 308])
def test_get_follows_every_redirect_code(mpy, impl, recording_server, code):
    srv = recording_server(redirect_app)
    assert follow(mpy, srv, "s.get(U + '/r/%d/abs')" % code) == [200, "GET /end"]


@pytest.mark.parametrize("code", [307, 308])
def test_307_308_keep_method_and_body(mpy, impl, recording_server, code):
    srv = recording_server(redirect_app)
    out = follow(mpy, srv, "s.post(U + '/r/%d/abs', data='the body')" % code)
    assert out == [200, "POST /end"]
    assert [r.body for r in srv.requests] == [b"the body", b"the body"]


@pytest.mark.native_only
@pytest.mark.parametrize("code,method", [(301, "POST"), (302, "POST"), (303, "POST"),
                                         (303, "PUT"), (303, "DELETE")])
def test_redirect_rewrites_to_get_without_body(mpy, impl, recording_server, code, method):
    srv = recording_server(redirect_app)
    out = follow(mpy, srv, "s.request('%s', U + '/r/%d/abs', data='gone')" % (method, code))
    assert out == [200, "GET /end"]
    second = srv.requests[1]
    assert second.body == b""
    assert second.header("Content-Length") in (None, "0")
    assert second.header("Content-Type") is None


@pytest.mark.native_only
def test_303_drops_json_body(mpy, impl, recording_server):
    srv = recording_server(redirect_app)
    assert follow(mpy, srv, "s.post(U + '/r/303/abs', json={'a': 1})") == [200, "GET /end"]
    assert srv.requests[1].body == b""


@pytest.mark.native_only
@pytest.mark.parametrize("kind,start,expected", [
    ("rootrel", "/r/302/rootrel", "/end"),
    ("rel", "/r/302/rel/x/y", "/r/302/rel/x/end"),
    ("dotdot", "/r/302/dotdot/x/y", "/r/302/dotdot/end"),
])
def test_relative_location_keeps_port(mpy, impl, recording_server, kind, start, expected):
    srv = recording_server(redirect_app)
    out = follow(mpy, srv, "s.get(U + '%s')" % start)
    assert out == [200, "GET " + expected]
    assert srv.requests[-1].header("Host") == "127.0.0.1:%d" % srv.port


@pytest.mark.native_only
def test_hop_limit(mpy, impl, recording_server):
    srv = recording_server(redirect_app)
    out = run_session(mpy, "emit(attempt(lambda: s.get(U + '/loop/0', timeout=5)))",
                      srv.url("")).one
    assert out[0] == "err"
    # The first request plus at most 30 followed hops.
    assert 30 <= len(srv.requests) <= 31


@pytest.mark.native_only
def test_thirty_hops_allowed(mpy, impl, recording_server):
    srv = recording_server(redirect_app)
    assert follow(mpy, srv, "s.get(U + '/chain/30')") == [200, "GET /end"]


def test_allow_redirects_false(mpy, impl, recording_server):
    srv = recording_server(redirect_app)
    out = run_session(mpy, """
r = s.get(U + '/r/302/abs', allow_redirects=False)
emit([r.status_code, r.headers["location"], r.content])
""", srv.url("")).one
    assert out == [302, srv.url("/end"), b"redirect body"]
    assert len(srv.requests) == 1


def test_same_host_keeps_authorization(mpy, impl, recording_server):
    srv = recording_server(redirect_app)
    follow(mpy, srv, "s.get(U + '/r/302/abs', headers={'Authorization': 'Bearer t'})")
    assert [r.header("Authorization") for r in srv.requests] == ["Bearer t", "Bearer t"]


@pytest.mark.native_only
def test_host_change_drops_authorization(mpy, impl, recording_server):
    target = recording_server(redirect_app)
    start = recording_server(http_response(
        302, {"Location": "http://localhost:%d/end" % target.port}))
    out = follow(mpy, start, "s.get(U + '/', headers={'Authorization': 'Bearer t', "
                             "'X-Other': 'kept'})")
    assert out == [200, "GET /end"]
    assert start.requests[0].header("Authorization") == "Bearer t"
    assert target.requests[0].header("Authorization") is None
    assert target.requests[0].header("X-Other") == "kept"


@pytest.mark.native_only
def test_auth_tuple_dropped_on_host_change(mpy, impl, recording_server):
    target = recording_server(redirect_app)
    start = recording_server(http_response(
        302, {"Location": "http://localhost:%d/end" % target.port}))
    follow(mpy, start, "s.get(U + '/', auth=('u', 'p'))")
    assert start.requests[0].header("Authorization", "").startswith("Basic ")
    assert target.requests[0].header("Authorization") is None


def test_3xx_without_location_is_returned(mpy, impl, recording_server):
    srv = recording_server(http_response(301, {}, b"no location"))
    out = run_session(mpy, "r = s.get(U + '/x')\nemit([r.status_code, r.content])",
                      srv.url("")).one
    assert out == [301, b"no location"]
    assert len(srv.requests) == 1


@pytest.mark.reference_bug("the reference follows any 3xx carrying a Location")
def test_304_not_followed(mpy, impl, recording_server):
    srv = recording_server(b"HTTP/1.1 304 Not Modified\r\nLocation: /end\r\n\r\n")
    out = run_session(mpy, "r = s.get(U + '/x')\nemit(r.status_code)", srv.url("")).one
    assert out == 304
    assert len(srv.requests) == 1
