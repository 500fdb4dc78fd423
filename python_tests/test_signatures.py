"""Signature parity, generated from the reference's own source.

Published scripts call the library both ways: ``requests.get(url=URL)``,
``session.request(method="POST", url=URL, json=doc)``. The reference's methods
are plain Python functions, so every parameter goes by position or by keyword.
These tests read the signatures of the reference (4.1.17, and 2.0.5 for the
module-level API) with ``ast`` and call the module every way each signature
allows; a new reference release is checked without editing this file. Each
form must send the bytes the reference sends for it (or, where the reference
has no such callable, the bytes of the all-positional form), and an unknown
keyword must raise ``TypeError`` naming it.
"""

import pytest

import ref_signatures
from servers import http_response
from test_async import AIO_IMPORT, aio_params, any_aio  # noqa: F401

CURRENT = ref_signatures.reference_path("reference")
LEGACY = ref_signatures.reference_path("reference-legacy")

pytestmark = pytest.mark.skipif(
    CURRENT is None or LEGACY is None,
    reason="the reference packages are not in deps/ (run `make deps`)")


def signatures(path):
    return ref_signatures.read(path) if path is not None else {}


SIGS = signatures(CURRENT)
LEGACY_SIGS = signatures(LEGACY)
VERBS = ("get", "post", "put", "patch", "delete", "head", "options")

# What each parameter is given: values that change the request, so a
# parameter the module dropped shows in the bytes. `pool`, `U` and `socket_id`
# exist in the script.
VALUES = """
V = {
    "method": "PUT", "url": U + "/sig?q=1", "data": "a=1&b=2", "json": None,
    "headers": {"X-Sig": "v"}, "stream": True, "timeout": 7,
    "allow_redirects": False, "files": None,
    "socket_pool": pool, "ssl_context": None, "session_id": "sid",
    "sock": pool, "iface": None, "chunk_size": 3, "decode_unicode": False,
}
"""

PRELUDE = """
import faultpool
pool = faultpool.FaultPool()
U = P["url"]
""" + VALUES


def responder(req, srv):
    if req.path.startswith("/redir"):
        return http_response(302, {"Location": srv.url("/target")})
    if req.method == "HEAD":
        return b"HTTP/1.1 200 OK\r\nContent-Length: 7\r\n\r\n"
    return http_response(200, {"Content-Type": "application/json"}, b'{"n": 1}')


def request_script(calls):
    """A script making each call (source text) on a Session `s`, reading and
    closing each response; one record per call."""
    lines = [PRELUDE, "s = requests.Session(pool)"]
    for call in calls:
        lines.append("r = %s\nemit([r.status_code, r.content])\nr.close()" % call)
    return "\n".join(lines)


def run_calls(mpy, impl, server, calls, prelude_extra=""):
    script = request_script(calls).replace(
        "s = requests.Session(pool)", "s = requests.Session(pool)\n" + prelude_extra)
    res = mpy.run(script, impl=impl, params={"url": server.url("").rstrip("/")})
    raw = list(server.raw)
    server.requests.clear()
    return res.records, raw


def with_host_port(raw, port):
    return raw.replace(b"\r\nHost: 127.0.0.1\r\n", b"\r\nHost: 127.0.0.1:%d\r\n" % port, 1)


def request_forms(sig, owner, verb=None):
    """Source texts calling `owner.<name>(...)` every way `sig` allows."""
    forwarded = SIGS["Session.request"].params[2:]
    name = verb or "request"
    return [(fid, "%s.%s(%s)" % (owner, name, args))
            for fid, args in ref_signatures.call_forms(sig, forwarded)]


def test_signatures_were_read():
    """The checks below are generated from these: they must not be empty."""
    assert SIGS["Session.request"].params[:2] == ["method", "url"]
    assert "timeout" in SIGS["Session.request"].params
    assert SIGS["Session.get"].var_kw
    assert LEGACY_SIGS["get"].var_kw and "set_socket" in LEGACY_SIGS


@pytest.mark.parametrize("json_body", [False, True], ids=["data", "json"])
@pytest.mark.parametrize("name", ("request",) + VERBS)
def test_session_call_forms(mpy, recording_server, name, json_body):
    """Session.request and each verb, every form of the reference's
    signature: the native module sends what the reference sends."""
    sig = SIGS["Session." + name]
    forms = request_forms(sig, "s", None if name == "request" else name)
    server = recording_server(responder)
    extra = "V['data'] = None\nV['json'] = {'k': [1, 'two']}" if json_body else ""
    results = {}
    for impl in ("reference", "native"):
        records, raw = run_calls(mpy, impl, server, [c for _, c in forms], extra)
        results[impl] = (records, raw)
    ref_records, ref_raw = results["reference"]
    nat_records, nat_raw = results["native"]
    assert len(ref_raw) == len(forms)
    assert nat_records == ref_records
    assert nat_raw == [with_host_port(r, server.port) for r in ref_raw]
    # Every form is the same request.
    assert len(set(nat_raw)) == 1, [f for f, _ in forms]


@pytest.mark.native_only
@pytest.mark.parametrize("name", ("request",) + VERBS)
def test_async_session_call_forms(mpy, impl, any_aio, recording_server, name):
    """AsyncSession takes Session's parameters the same ways."""
    sig = SIGS["Session." + name]
    forms = request_forms(sig, "a", None if name == "request" else name)
    server = recording_server(responder)
    script = PRELUDE + AIO_IMPORT + """
async def main():
    import socket
    async with requests.AsyncSession(socket) as a:
        for call in CALLS:
            r = await eval(call, {"a": a, "V": V})
            emit([r.status_code, r.content])
            r.close()
CALLS = %r
asyncio.run(main())
""" % [c for _, c in forms]
    records = mpy.run(script, params=aio_params(any_aio, url=server.url("").rstrip("/"))).records
    async_raw = list(server.raw)
    server.requests.clear()
    assert len(records) == len(async_raw) == len(forms)
    assert len(set(async_raw)) == 1
    blocking, raw = run_calls(mpy, "native", server, [forms[0][1].replace("a.", "s.", 1)])
    assert raw == async_raw[:1] and records == blocking * len(forms)


@pytest.mark.parametrize("sig_name", ["Session.__init__"])
def test_session_constructor_forms(mpy, recording_server, sig_name):
    sig = SIGS[sig_name]
    server = recording_server(responder)
    forms = ref_signatures.call_forms(sig)
    out = {}
    for impl in ("reference", "native"):
        script = PRELUDE + "\n".join(
            "t = requests.Session(%s)\nr = t.get(U + '/c')\nemit(r.content)\nr.close()" % args
            for _, args in forms)
        out[impl] = mpy.run(script, impl=impl, params={"url": server.url("").rstrip("/")}).records
    assert out["native"] == out["reference"] == [b'{"n": 1}'] * len(forms)


def _response_script(forms):
    """Sends a request by hand on a pool socket, then reads it with
    Response(<form>); V['sock'] is that socket, V['session'] a Session. The
    body is not read: the reference's Response made this way raises when its
    body ends (its connection manager does not know the socket)."""
    lines = [PRELUDE, "s = requests.Session(pool)", "import socket as _so"]
    for _, args in forms:
        lines.append("""
sk = pool.socket(pool.AF_INET, pool.SOCK_STREAM)
sk.connect(pool.getaddrinfo("127.0.0.1", P["port"])[0][-1])
sk.send(b"GET /resp HTTP/1.1\\r\\nHost: 127.0.0.1\\r\\nConnection: close\\r\\n\\r\\n")
V["sock"] = sk
V["session"] = s
V["method"] = "GET"
r = requests.Response(%s)
emit([r.status_code, r.headers.get("content-type")])
""" % args)
    return "\n".join(lines)


def test_response_constructor_and_reader_forms(mpy, recording_server):
    """Response(sock, session, method) every way, then iter_content's
    parameters every way."""
    server = recording_server(responder)
    forms = ref_signatures.call_forms(SIGS["Response.__init__"])
    params = {"url": server.url("").rstrip("/"), "port": server.port}
    out = {}
    for impl in ("reference", "native"):
        out[impl] = mpy.run(_response_script(forms), impl=impl, params=params).records
    assert out["native"] == out["reference"]
    assert out["native"][0] == [200, "application/json"]

    it_forms = ref_signatures.call_forms(SIGS["Response.iter_content"])
    script = PRELUDE + "s = requests.Session(pool)\n" + "\n".join(
        "r = s.get(U + '/i', stream=True)\nemit([bytes(c) for c in r.iter_content(%s)])\nr.close()"
        % args for _, args in it_forms)
    got = {impl: mpy.run(script, impl=impl, params=params).records
           for impl in ("reference", "native")}
    assert got["native"] == got["reference"] == [[b'{"n', b'": ', b'1}']] * len(it_forms)


@pytest.mark.native_only
@pytest.mark.parametrize("name", ("request",) + VERBS)
def test_module_level_call_forms(mpy, impl, recording_server, name):
    """The module-level API of 2.0.5: set_socket and every function, every
    form; each sends what Session sends for the same values."""
    sig = LEGACY_SIGS.get(name) or LEGACY_SIGS["get"]
    forwarded = LEGACY_SIGS["request"].params[2:]
    verb = None if name == "request" else name
    calls = ["requests.%s(%s)" % (verb or "request", args)
             for _, args in ref_signatures.call_forms(sig, forwarded)]
    server = recording_server(responder)
    setups = ["requests.set_socket(%s)" % args
              for _, args in ref_signatures.call_forms(LEGACY_SIGS["set_socket"])]
    script = PRELUDE + "\n".join(
        setup + "\n" + "\n".join("r = %s\nemit([r.status_code, r.content])\nr.close()" % c
                                 for c in calls)
        for setup in setups)
    records = mpy.run(script, params={"url": server.url("").rstrip("/")}).records
    assert len(records) == len(calls) * len(setups)
    module_raw = list(server.raw)
    server.requests.clear()
    assert len(module_raw) == len(records) and len(set(module_raw)) == 1, calls
    # The same values through Session (2.0.5 has no allow_redirects or files).
    session_call = "s.%s(%s)" % (verb or "request",
                                 ref_signatures.call_forms(sig, forwarded)[0][1])
    single, raw = run_calls(mpy, "native", server, [session_call])
    assert raw == module_raw[:1]
    assert single == records[:1]


def _unknown_keyword_calls():
    calls = [("Session.request", "s.request('GET', U, bogus=1)"),
             ("Session.__init__", "requests.Session(pool, bogus=1)"),
             ("Response.iter_content", "s.get(U).iter_content(bogus=1)")]
    calls += [("Session." + v, "s.%s(U, bogus=1)" % v) for v in VERBS]
    return calls


@pytest.mark.parametrize("qualname,call", _unknown_keyword_calls(),
                         ids=[c[0] for c in _unknown_keyword_calls()])
def test_unknown_keyword_is_named(mpy, impl, recording_server, qualname, call):
    server = recording_server(responder)
    script = PRELUDE + "s = requests.Session(pool)\n" + """
try:
    %s
    emit("no error")
except TypeError as e:
    emit(["TypeError", "bogus" in str(e)])
""" % call
    assert mpy.run(script, params={"url": server.url("").rstrip("/")}).records == [["TypeError", True]]


@pytest.mark.native_only
def test_legacy_unknown_keyword_is_named(mpy, impl, recording_server):
    server = recording_server(responder)
    script = PRELUDE + """
requests.set_socket(pool)
for fn in (requests.get, requests.post, requests.request):
    try:
        if fn is requests.request:
            fn("GET", U, bogus=1)
        else:
            fn(U, bogus=1)
        emit("no error")
    except TypeError as e:
        emit("bogus" in str(e))
"""
    assert mpy.run(script, params={"url": server.url("").rstrip("/")}).records == [True] * 3


def test_every_reference_callable_is_checked():
    """A callable a new reference release adds fails here until a check
    covers it."""
    checked = {"Session.request", "Session.__init__", "Response.__init__",
               "Response.iter_content", "Response.json", "Response.close"}
    checked |= {"Session." + v for v in VERBS}
    checked |= {"set_socket", "request"} | set(VERBS)
    assert set(SIGS) | set(LEGACY_SIGS) <= checked, sorted((set(SIGS) | set(LEGACY_SIGS)) - checked)
