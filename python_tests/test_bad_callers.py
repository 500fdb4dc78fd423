"""Bad callers: control characters that would split the request, wrong
argument types, contradictory arguments, text-mode files and re-entrant use
of a Session. Each must raise a clear exception before anything reaches the
server, leave no descriptor open, and leave the Session usable."""

import pytest

from hostile_kit import check_contained, ok_response, run_hostile

pytestmark = pytest.mark.native_only

# name -> (call, expected exception type)
INJECTION = {
    "method_cr": ("s.request('GET\\r', U)", "ValueError"),
    "method_lf": ("s.request('GET\\nX-Injected: 1', U)", "ValueError"),
    "method_crlf": ("s.request('GET / HTTP/1.1\\r\\nX-Injected: 1\\r\\n\\r\\nGET', U)", "ValueError"),
    "method_nul": ("s.request('GE\\x00T', U)", "ValueError"),
    "method_space": ("s.request('GET /evil', U)", "ValueError"),
    "method_empty": ("s.request('', U)", "ValueError"),
    "url_path_crlf": ("s.get(U + '/a\\r\\nX-Injected: 1')", "ValueError"),
    "url_path_lf": ("s.get(U + '/a\\nb')", "ValueError"),
    "url_path_cr": ("s.get(U + '/a\\rb')", "ValueError"),
    "url_path_nul": ("s.get(U + '/a\\x00b')", "ValueError"),
    "url_query_crlf": ("s.get(U + '/?q=1\\r\\nX-Injected: 1')", "ValueError"),
    "url_host_crlf": ("s.get(U.replace('127.0.0.1', '127.0.0.1\\r\\nX-Injected: 1'))", "ValueError"),
    "header_name_crlf": ("s.get(U, headers={'X-A\\r\\nX-Injected': 'v'})", "ValueError"),
    "header_name_lf": ("s.get(U, headers={'X-A\\n': 'v'})", "ValueError"),
    "header_name_nul": ("s.get(U, headers={'X-\\x00A': 'v'})", "ValueError"),
    "header_name_bytes_crlf": ("s.get(U, headers={b'X-A\\r\\nX-I': 'v'})", "ValueError"),
    "header_value_crlf": ("s.get(U, headers={'X-A': 'v\\r\\nX-Injected: 1'})", "ValueError"),
    "header_value_lf": ("s.get(U, headers={'X-A': 'v\\nX-Injected: 1'})", "ValueError"),
    "header_value_cr": ("s.get(U, headers={'X-A': 'v\\rX'})", "ValueError"),
    "header_value_nul": ("s.get(U, headers={'X-A': 'v\\x00'})", "ValueError"),
    "header_value_bytes_crlf": ("s.get(U, headers={'X-A': b'v\\r\\nX-I: 1'})", "ValueError"),
    "header_value_crlf_after_good_ones": (
        "s.get(U, headers={'X-1': 'a', 'X-2': 'b', 'X-3': 'c\\r\\n\\r\\nGET /smuggled HTTP/1.1'})",
        "ValueError"),
    # Field names and filenames with CR/LF are escaped instead
    # (test_request_rules.py); a NUL in them is still refused.
    "multipart_field_nul": ("s.post(U, files={'f\\x00': (None, 'v')})", "ValueError"),
    "multipart_filename_nul": ("s.post(U, files={'f': ('a\\x00.txt', 'v')})", "ValueError"),
    "multipart_content_type_crlf": ("s.post(U, files={'f': ('a.txt', 'v', 'text/plain\\r\\nX-I: 1')})",
                                    "ValueError"),
}

WRONG_TYPES = {
    "method_none": ("s.request(None, U)", "TypeError"),
    "method_int": ("s.request(5, U)", "TypeError"),
    "url_none": ("s.get(None)", "TypeError"),
    "url_int": ("s.get(5)", "TypeError"),
    "url_list": ("s.get([U])", "TypeError"),
    "headers_list": ("s.get(U, headers=[('X-A', 'b')])", "TypeError"),
    "headers_str": ("s.get(U, headers='X-A: b')", "TypeError"),
    "header_name_int": ("s.get(U, headers={5: 'v'})", "TypeError"),
    "header_value_int": ("s.get(U, headers={'X-N': 5})", "TypeError"),
    "header_value_float": ("s.get(U, headers={'X-N': 1.5})", "TypeError"),
    "header_value_list": ("s.get(U, headers={'X-N': ['a']})", "TypeError"),
    "data_int": ("s.post(U, data=5)", "TypeError"),
    "data_float": ("s.post(U, data=1.5)", "TypeError"),
    "data_object": ("s.post(U, data=object())", "TypeError"),
    # MicroPython's json.dumps writes "<object>" for what it cannot encode
    # rather than raising; a reference cycle is what makes it fail.
    "json_reference_cycle": ("s.post(U, json=CYCLE)", "RuntimeError"),
    "params_int": ("s.get(U, params=5)", "TypeError"),
    "params_str": ("s.get(U, params='a=b')", "TypeError"),
    "params_list_of_scalars": ("s.get(U, params=[1, 2])", "TypeError"),
    "auth_str": ("s.get(U, auth='user:pass')", "TypeError"),
    "auth_one_item": ("s.get(U, auth=('user',))", "TypeError"),
    "auth_three_items": ("s.get(U, auth=('u', 'p', 'x'))", "TypeError"),
    "timeout_str": ("s.get(U, timeout='5')", "TypeError"),
    "timeout_one_tuple": ("s.get(U, timeout=(5,))", "ValueError"),
    "timeout_three_tuple": ("s.get(U, timeout=(1, 2, 3))", "ValueError"),
    "files_list": ("s.post(U, files=[('f', (None, 'v'))])", "TypeError"),
    "files_short_tuple": ("s.post(U, files={'f': ('name',)})", "ValueError"),
    "files_part_headers_not_dict": ("s.post(U, files={'f': ('n', 'v', 'text/plain', 'X: y')})",
                                    "TypeError"),
    "pool_is_not_a_pool": ("requests.Session(5).get(U)", ("AttributeError", "TypeError")),
    "ssl_context_is_not_a_context": (
        "requests.Session(pool, 5).get(U.replace('http://', 'https://'))",
        ("AttributeError", "TypeError")),
    "https_without_ssl_context": (
        "requests.Session(pool).get(U.replace('http://', 'https://'))", "ValueError"),
}

CONTRADICTIONS = {
    "json_with_data": ("s.post(U, json={'a': 1}, data='x')", "ValueError"),
    "json_with_data_dict": ("s.post(U, json={'a': 1}, data={'b': 2})", "ValueError"),
    "json_with_files": ("s.post(U, json={'a': 1}, files={'f': (None, 'v')})", "ValueError"),
    "str_data_with_files": ("s.post(U, data='x', files={'f': (None, 'v')})", "ValueError"),
    "file_data_with_files": ("s.post(U, data=BIN_FILE, files={'f': (None, 'v')})", "ValueError"),
    "text_mode_file_as_data": ("s.post(U, data=TEXT_FILE)", "ValueError"),
    "text_mode_file_in_files": ("s.post(U, files={'f': ('a.txt', TEXT_FILE)})", "ValueError"),
}

SETUP = """
TEXT_FILE = open(P["file"], "r")
BIN_FILE = open(P["file"], "rb")
CYCLE = [1]
CYCLE.append(CYCLE)
"""

ALL = {}
ALL.update(INJECTION)
ALL.update(WRONG_TYPES)
ALL.update(CONTRADICTIONS)


@pytest.fixture
def upload_file(tmp_path):
    path = tmp_path / "upload.txt"
    path.write_bytes(b"file contents\n" * 10)
    return str(path)


@pytest.mark.parametrize("name", sorted(ALL))
def test_bad_call(mpy, impl, pool_kind, recording_server, upload_file, name):
    call, expect = ALL[name]
    expect = (expect,) if isinstance(expect, str) else expect
    srv = recording_server(ok_response())
    good = recording_server(ok_response())
    out = run_hostile(mpy, pool_kind, srv.url("/target"), good.url("/good"), call=call,
                      extra={"file": upload_file}, setup=SETUP)
    res = check_contained(out)
    text = repr(out)
    assert res[1] in expect, text
    assert srv.requests == [], text
    if name not in ("ssl_context_is_not_a_context",):
        # Checked before connecting at all.
        assert srv.connections == 0, text
    if name == "text_mode_file_as_data" or name == "text_mode_file_in_files":
        assert res[2] == "Files must be opened in binary mode", text


# Generators as request bodies run caller code in the middle of a request.
REENTRANT = """
import relykit
s, pool = relykit.session(requests, P["kind"])
base = relykit.fds()
inner = []

def body():
    yield b"first part"
    try:
        r = s.get(P["good"], timeout=5)
        inner.append(["ok", r.content])
    except Exception as e:
        inner.append(["err", type(e).__name__, str(e)])
        if P["propagate"]:
            raise
    yield b"second part"

outer = relykit.timed(lambda: s.post(P["url"], data=body(), timeout=5).content)
after = relykit.fds()
good = relykit.timed(lambda: s.get(P["good"], timeout=5).content)
s.close()
emit({"inner": inner, "outer": outer, "base": base, "after": after, "good": good,
      "end": relykit.fds()})
"""


@pytest.mark.parametrize("propagate", [False, True], ids=["caught", "propagated"])
def test_reentrant_request_from_generator_body(mpy, impl, pool_kind, recording_server, propagate):
    srv = recording_server(ok_response())
    good = recording_server(ok_response())
    out = mpy.run(REENTRANT, params={"kind": pool_kind, "url": srv.url("/outer"),
                                     "good": good.url("/inner"), "propagate": propagate}).one
    text = repr(out)
    assert out["inner"][0][:2] == ["err", "RuntimeError"], text
    assert "busy" in out["inner"][0][2], text
    if propagate:
        assert out["outer"][:2] == ["err", "RuntimeError"], text
        # The body was cut short: no complete request reached the server.
        assert srv.requests == [], text
    else:
        assert out["outer"][:2] == ["ok", b"good"], text
        assert [r.body for r in srv.requests] == [b"first partsecond part"], text
    assert out["good"][:2] == ["ok", b"good"], text
    # Only the final good request reached the good server: the re-entrant
    # one was refused before sending anything.
    assert [r.path for r in good.requests] == ["/inner"], text
    assert out["after"] <= out["base"] + 1, text
    assert out["end"] == out["base"], text


OTHER_GENERATORS = {
    # A second Session is independent: using it inside the body is fine.
    "other_session_inside": """
def body():
    yield b"a"
    s2, _ = relykit.session(requests, P["kind"])
    side.append(s2.get(P["good"], timeout=5).content)
    s2.close()
    yield b"b"
""",
    "closes_session_inside": """
def body():
    yield b"a"
    s.close()
    side.append("closed")
    yield b"b"
""",
    "yields_int": """
def body():
    yield b"a"
    yield 5
""",
    "yields_none": """
def body():
    yield b"a"
    yield None
""",
    "raises_midway": """
def body():
    yield b"a"
    raise ValueError("caller's generator failed")
""",
    "raises_before_first_item": """
def body():
    raise ValueError("caller's generator failed")
    yield b"a"
""",
}

GENERATOR = """
import relykit
s, pool = relykit.session(requests, P["kind"])
base = relykit.fds()
side = []
%s
outer = relykit.timed(lambda: s.post(P["url"], data=body(), timeout=5).content)
after = relykit.fds()
good = relykit.timed(lambda: s.get(P["good"], timeout=5).content)
s.close()
emit({"side": side, "outer": outer, "base": base, "after": after, "good": good,
      "end": relykit.fds()})
"""


@pytest.mark.parametrize("name", sorted(OTHER_GENERATORS))
def test_generator_body_misbehaves(mpy, impl, pool_kind, recording_server, name):
    srv = recording_server(ok_response())
    good = recording_server(ok_response())
    out = mpy.run(GENERATOR % OTHER_GENERATORS[name],
                  params={"kind": pool_kind, "url": srv.url("/outer"),
                          "good": good.url("/good")}).one
    text = repr(out)
    if name == "other_session_inside":
        assert out["outer"][:2] == ["ok", b"good"], text
        assert [r.body for r in srv.requests] == [b"ab"], text
    elif name == "closes_session_inside":
        # A call back into the Session that is sending the body is refused
        # (one owner at a time); the request ends there and sends no more.
        assert out["outer"][:2] == ["err", "RuntimeError"], text
        assert "busy" in out["outer"][2], text
        assert out["side"] == [], text
        assert [r.body for r in srv.requests if r.body == b"ab"] == [], text
    else:
        expect = "ValueError" if "raises" in name else "TypeError"
        assert out["outer"][:2] == ["err", expect], text
        assert out["outer"][2], text
        assert srv.requests == [], text
    assert out["good"][:2] == ["ok", b"good"], text
    assert out["after"] <= out["base"] + 1, text
    assert out["end"] == out["base"], text
