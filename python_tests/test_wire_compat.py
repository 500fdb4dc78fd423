"""Request bytes on the wire: the native module must send exactly what the
reference sends for the same call, apart from the documented fixes.

Each case runs the reference and then the native module against one
recording server (same port, so the bytes are comparable), through the same
Python-level socket pool. The reference sends ``Host`` without the port (the
native module fixes that), so the reference's bytes get that one fix applied
before the comparison.
"""

import re
import urllib.parse

import pytest

from servers import http_response

# (id, setup statements, call expression). Names in scope: s (Session),
# U (base URL), T (temp dir), F (path of a 1000-byte binary file).
CASES = [
    ("get", "", "s.get(U + '/')"),
    ("get_query", "", "s.get(U + '/a/b?x=1&y=two')"),
    ("get_no_path", "", "s.get(U)"),
    ("get_space_in_path", "", "s.get(U + '/a b/c d')"),
    ("get_deep_path", "", "s.get(U + '/one/two/three.json')"),
    ("post_no_data", "", "s.post(U + '/p')"),
    ("put_str", "", "s.put(U + '/p', data='hello')"),
    ("patch_bytes", "", "s.patch(U + '/p', data=b'\\x00\\x01bin\\xff')"),
    ("delete", "", "s.delete(U + '/d')"),
    ("head", "", "s.head(U + '/h')"),
    ("options", "", "s.options(U + '/o')"),
    ("custom_method", "", "s.request('PROPFIND', U + '/x')"),
    ("request_get", "", "s.request('GET', U + '/r')"),
    ("header_simple", "", "s.get(U + '/', headers={'X-Test': '1'})"),
    ("header_order", "", "s.get(U + '/', headers={'B-h': '2', 'a-H': '1', 'C': '3'})"),
    ("header_bytes_value", "", "s.get(U + '/', headers={'X-Bin': b'\\x01abc\\xfe'})"),
    ("header_none_value", "", "s.get(U + '/', headers={'X-None': None, 'X-Keep': 'k'})"),
    ("header_empty_value", "", "s.get(U + '/', headers={'X-Empty': ''})"),
    ("headers_empty_dict", "", "s.get(U + '/', headers={})"),
    ("headers_none", "", "s.get(U + '/', headers=None)"),
    ("host_override", "", "s.get(U + '/', headers={'hOsT': 'example.com'})"),
    ("ua_override", "", "s.get(U + '/', headers={'user-AGENT': 'custom/1.0'})"),
    ("ua_none", "", "s.get(U + '/', headers={'User-Agent': None})"),
    ("ctype_override_data", "",
     "s.post(U + '/', data={'a': '1'}, headers={'CONTENT-TYPE': 'text/plain'})"),
    ("ctype_override_json", "",
     "s.post(U + '/', json={'a': 1}, headers={'Content-type': 'application/vnd+json'})"),
    ("clen_override", "", "s.post(U + '/', data='abc', headers={'content-LENGTH': '3'})"),
    ("ctype_plain_str", "", "s.post(U + '/', data='x=1', headers={'Content-Type': 'a/b'})"),
    ("data_str_unicode", "", "s.post(U + '/', data='h\\u00e9llo \\u20ac')"),
    ("data_bytes", "", "s.post(U + '/', data=b'raw bytes')"),
    ("data_bytearray", "", "s.post(U + '/', data=bytearray(b'ba'))"),
    ("data_empty_str", "", "s.post(U + '/', data='')"),
    ("data_empty_bytes", "", "s.post(U + '/', data=b'')"),
    ("data_none", "", "s.post(U + '/', data=None)"),
    ("data_dict", "", "s.post(U + '/', data={'a': '1', 'b': 'two'})"),
    ("data_dict_int", "", "s.post(U + '/', data={'n': 5})"),
    ("data_dict_empty", "", "s.post(U + '/', data={})"),
    ("json_dict", "", "s.post(U + '/', json={'a': 1, 'b': [1, 2], 'c': None, 'd': True})"),
    ("json_list", "", "s.post(U + '/', json=[1, 'two', 3.5])"),
    ("json_str", "", "s.put(U + '/', json='hello')"),
    ("json_zero", "", "s.post(U + '/', json=0)"),
    ("json_empty_dict", "", "s.post(U + '/', json={})"),
    ("json_nested", "", "s.patch(U + '/', json={'x': {'y': [{'z': 'w'}]}})"),
    ("data_file", "", "s.post(U + '/', data=open(F, 'rb'))"),
    ("files_fileobj", "", "s.post(U + '/', files={'file': ('a.bin', open(F, 'rb'))})"),
    ("files_str", "", "s.post(U + '/', files={'field': (None, 'value')})"),
    ("files_ctype", "",
     "s.post(U + '/', files={'file': ('a.txt', open(F, 'rb'), 'text/plain')})"),
    ("files_extra_headers", "",
     "s.post(U + '/', files={'file': ('a.txt', open(F, 'rb'), 'text/plain', "
     "{'X-Extra': '1', 'X-Two': 'b'})})"),
    ("files_mixed", "",
     "s.post(U + '/', files={'meta': (None, 'm'), 'up': ('u.bin', open(F, 'rb'), "
     "'application/octet-stream')})"),
    ("files_with_header", "",
     "s.post(U + '/', files={'field': (None, 'v')}, headers={'X-A': 'b'})"),
    ("redirect_301", "", "s.get(U + '/redir/301')"),
    ("redirect_302", "", "s.get(U + '/redir/302')"),
    ("redirect_303", "", "s.get(U + '/redir/303')"),
    ("redirect_307", "", "s.get(U + '/redir/307')"),
    ("redirect_307_post", "", "s.post(U + '/redir/307', data='keep')"),
    ("redirect_308_put_json", "", "s.put(U + '/redir/308', json={'k': 'v'})"),
    ("redirect_with_headers", "", "s.get(U + '/redir/302', headers={'X-A': '1'})"),
    ("no_redirect", "", "s.get(U + '/redir/302', allow_redirects=False)"),
    ("sequential_keepalive", "s.get(U + '/first').close()", "s.post(U + '/second', data='2')"),
]


def wire_responder(req, srv):
    match = re.match(r"/redir/(\d+)$", req.path)
    if match:
        return http_response(int(match.group(1)), {"Location": srv.url("/target")})
    if req.method == "HEAD":
        return b"HTTP/1.1 200 OK\r\nContent-Length: 2\r\n\r\n"
    return http_response(200, {"Content-Type": "text/plain"}, b"ok")


SCRIPT = """
import fixedos
fixedos.install()
import faultpool
requests = load_requests()
f = open(P["file"], "wb")
f.write(bytes(range(256)) * 3 + b"tail" * 58)
f.close()
F = P["file"]
U = P["url"]
s = requests.Session(faultpool.FaultPool())
{setup}
r = {call}
r.content
r.close()
emit(r.status_code)
"""


def run_case(mpy, impl, server, setup, call, tmp_path):
    return mpy.run(SCRIPT.format(setup=setup, call=call), impl=impl, import_requests=False,
                   params={"url": server.url("").rstrip("/"), "file": str(tmp_path / "f.bin")})


def with_host_port(raw, port):
    """The reference's bytes with the Host fix applied."""
    return raw.replace(b"\r\nHost: 127.0.0.1\r\n", b"\r\nHost: 127.0.0.1:%d\r\n" % port, 1)


@pytest.mark.parametrize("case_id,setup,call", CASES, ids=[c[0] for c in CASES])
def test_same_bytes_as_reference(mpy, recording_server, tmp_path, case_id, setup, call):
    server = recording_server(wire_responder)
    run_case(mpy, "reference", server, setup, call, tmp_path)
    reference = [with_host_port(r, server.port) for r in server.raw]
    assert reference, "reference sent nothing"
    assert reference[0].split(b" ")[0].isalpha()
    server.requests.clear()
    run_case(mpy, "native", server, setup, call, tmp_path)
    assert server.raw == reference


def test_cases_cover_enough_calls():
    assert len(CASES) >= 40
    assert len({c[0] for c in CASES}) == len(CASES)


# Deliberate fixes: what the native module sends where the reference is wrong.
# (id, setup, call, expected request bytes with {port} and {boundary}).
def _form(pairs):
    return urllib.parse.urlencode(pairs).encode()


BOUNDARY = "0fa15c37" * 4
FILE_UTF8 = ('--{b}\r\nContent-Disposition: form-data; name="f"; filename="\u00e9.txt"\r\n\r\n'
             '\u00fc\u00fc\r\n--{b}--\r\n').format(b=BOUNDARY).encode()
FILE_BYTES = ('--{b}\r\nContent-Disposition: form-data; name="f"; filename="a.bin"\r\n\r\n'
              .format(b=BOUNDARY).encode() + b"\x00\x01\xff\r\n"
              + "--{b}--\r\n".format(b=BOUNDARY).encode())
HEAD = "Host: 127.0.0.1:{port}\r\nUser-Agent: Adafruit CircuitPython\r\n"

FIXES = [
    ("host_has_port", "s.get(U + '/')",
     ("GET / HTTP/1.1\r\n" + HEAD + "\r\n").encode()),
    ("fragment_not_sent", "s.get(U + '/p?q=1#frag')",
     ("GET /p?q=1 HTTP/1.1\r\n" + HEAD + "\r\n").encode()),
    ("form_percent_encoded", "s.post(U + '/', data={'a b': 'c&d=\\u00e9', 'x': 'y+z'})",
     ("POST / HTTP/1.1\r\n" + HEAD
      + "Content-Type: application/x-www-form-urlencoded\r\nContent-Length: %d\r\n\r\n"
      % len(_form([("a b", "c&d=\u00e9"), ("x", "y+z")]))).encode()
     + _form([("a b", "c&d=\u00e9"), ("x", "y+z")])),
    ("files_content_length_bytes", "s.post(U + '/', files={'f': ('\\u00e9.txt', '\\u00fc\\u00fc')})",
     ("POST / HTTP/1.1\r\n" + HEAD
      + "Content-Type: multipart/form-data; boundary=%s\r\nContent-Length: %d\r\n\r\n"
      % (BOUNDARY, len(FILE_UTF8))).encode() + FILE_UTF8),
    ("files_bytes_value", "s.post(U + '/', files={'f': ('a.bin', b'\\x00\\x01\\xff')})",
     ("POST / HTTP/1.1\r\n" + HEAD
      + "Content-Type: multipart/form-data; boundary=%s\r\nContent-Length: %d\r\n\r\n"
      % (BOUNDARY, len(FILE_BYTES))).encode() + FILE_BYTES),
    ("scheme_case_insensitive", "s.get(U.replace('http://', 'HTTP://') + '/')",
     ("GET / HTTP/1.1\r\n" + HEAD + "\r\n").encode()),
]


@pytest.mark.native_only
@pytest.mark.parametrize("case_id,call,expected", FIXES, ids=[c[0] for c in FIXES])
def test_fixed_bytes(mpy, impl, recording_server, tmp_path, case_id, call, expected):
    server = recording_server(wire_responder)
    run_case(mpy, impl, server, "", call, tmp_path)
    assert server.raw == [expected.replace(b"{port}", b"%d" % server.port)]


@pytest.mark.parametrize("case_id,call,expected", FIXES, ids=[c[0] for c in FIXES])
def test_reference_differs_on_fixes(mpy, recording_server, tmp_path, case_id, call, expected):
    """Each fix must be a real difference: the reference fails to produce it."""
    server = recording_server(wire_responder)
    result = mpy.run(SCRIPT.format(setup="", call=call), impl="reference",
                     import_requests=False, check=False,
                     params={"url": server.url("").rstrip("/"),
                             "file": str(tmp_path / "f.bin")})
    assert server.raw != [expected.replace(b"{port}", b"%d" % server.port)], result.describe()


FIRMWARE_POOL_CASES = ["get_query", "header_bytes_value", "data_dict", "json_dict", "data_file",
                       "files_mixed", "redirect_307_post", "sequential_keepalive"]

FIRMWARE_SCRIPT = SCRIPT.replace(
    "s = requests.Session(faultpool.FaultPool())",
    "import socket\ns = requests.Session(socket) if IMPL == 'native' else "
    "requests.Session(faultpool.FaultPool())")


@pytest.mark.parametrize("case_id", FIRMWARE_POOL_CASES)
def test_same_bytes_through_firmware_sockets(mpy, recording_server, tmp_path, case_id):
    """The native module driving MicroPython's own sockets (stream protocol)
    sends what the reference sends through a Python-level pool."""
    _, setup, call = next(c for c in CASES if c[0] == case_id)
    server = recording_server(wire_responder)
    params = {"url": server.url("").rstrip("/"), "file": str(tmp_path / "f.bin")}
    script = FIRMWARE_SCRIPT.format(setup=setup, call=call)
    mpy.run(script, impl="reference", import_requests=False, params=params)
    reference = [with_host_port(r, server.port) for r in server.raw]
    assert reference
    server.requests.clear()
    mpy.run(script, impl="native", import_requests=False, params=params)
    assert server.raw == reference
