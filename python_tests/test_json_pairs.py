"""Characters beyond the Basic Multilingual Plane written as escaped
surrogate pairs ("\\ud83d\\ude00", what json.dumps and most APIs send for
an emoji): json() and every selection give the character, as CPython's
json does. The firmware's json module alone decodes each half on its own
into a str holding invalid UTF-8 (the reference package's json() shows
it). Documents come trickled in odd-sized sends, so reads and chunks end
inside escapes everywhere."""

import json

import pytest

from helpers import run_session
from servers import http_response
from test_json_select import chunked, same, trickled

SETUP = """
import testkit
s, pool = testkit.make_session(requests, P["kind"], P["ca"])
U = P["url"]
"""

# Escaped pairs in keys and values, next to what must stay as it is: an
# escaped backslash before "ud83d", other escapes, raw UTF-8.
ITEM = {"name": "a\U0001f600b\U0001f389", "note": "\\ud83d\\ude00 \"q\" \u00e9\u20ac",
        "k\U0001f680": [1, "\U00010000\U0010ffff"]}
SMALL = {"items": [ITEM] * 3, "end": True}
BIG = {"items": [dict(ITEM, i=i) for i in range(400)], "end": True}


def doc_bytes(doc):
    return json.dumps(doc).encode()  # ensure_ascii: every astral char as a pair


def served(scripted_server, doc, framing):
    body = doc_bytes(doc)
    if framing == "chunked":
        raw = http_response(200, [("Transfer-Encoding", "chunked")],
                            chunked(body, [1, 5, 11, 3, 997, 7]))
    else:
        raw = http_response(200, [("Content-Type", "application/json")], body)
    return scripted_server([trickled(raw, [1, 3, 2, 7, 64, 5, 13, 4093]) + [("close",)]],
                           repeat_last=True)


def run(mpy, script, url, pool_kind, **params):
    params.update(url=url, ca=None, kind=pool_kind)
    return mpy.run(SETUP + script, params=params)


@pytest.mark.reference_bug("the firmware's json decodes each half of a pair on its own")
@pytest.mark.parametrize("size", ["small", "big"])
def test_whole_document_json(mpy, impl, pool_kind, scripted_server, size):
    doc = SMALL if size == "small" else BIG
    srv = served(scripted_server, doc, "length")
    out = run(mpy, """
r = s.get(U)
emit(r.json())
""", srv.url("/doc"), pool_kind).one
    # The small document is kept and parsed from memory; the big one is
    # parsed while it streams.
    assert out == doc


@pytest.mark.native_only
@pytest.mark.parametrize("framing", ["length", "chunked"])
def test_every_json_accessor(mpy, impl, pool_kind, scripted_server, framing):
    srv = served(scripted_server, BIG, framing)
    out = run(mpy, """
res = []
r = s.get(U)
res.append(r.json()["items"][399])
r = s.get(U)
res.append(r.json("items", 17, "name"))
r = s.get(U)
res.append(r.json({"k": ("items", 5), "n": ("items", None, "note")}))
r = s.get(U)
res.append([x["k\\U0001f680"][1] for x in r.iter_json("items", None)][-1])
r = s.get(U)
t = r.text
res.append(r.json()["items"][0]["name"])
res.append(len(t))
emit(res)
""", srv.url("/doc"), pool_kind).one
    items = BIG["items"]
    assert out[0] == items[399]
    assert out[1] == items[17]["name"]
    assert same(out[2], {"k": items[5], "n": [x["note"] for x in items]})
    assert out[3] == items[-1]["k\U0001f680"][1]
    assert out[4] == items[0]["name"]
    # text is the body as sent: the escapes are still there.
    assert out[5] == len(doc_bytes(BIG))


@pytest.mark.native_only
def test_a_broken_pair_still_raises_where_json_does(mpy, impl, pool_kind, scripted_server):
    # A high half cut off at the end of the document: the parser's error.
    srv = scripted_server([[("read",), ("send", http_response(200, [], b'["\\ud83d'))]],
                          repeat_last=True)
    out = run(mpy, """
r = s.get(U)
emit(attempt(r.json)[:2])
""", srv.url("/bad"), pool_kind).one
    assert out == ["err", "ValueError"]


@pytest.mark.native_only
def test_selection_in_the_session_helper(mpy, impl, scripted_server):
    # run_session's Python-level pool: the same text through a stream the
    # module does not own.
    srv = served(scripted_server, SMALL, "length")
    out = run_session(mpy, """
emit(s.get(U).json("items", 0, "name"))
""", srv.url("/doc")).one
    assert out == SMALL["items"][0]["name"]
