"""Canned answers of the web APIs the published scripts call, shaped like
the real services' documents (values made up), chosen by host and path."""

import json

from servers.httpmsg import http_response


def _json(doc, status=200, extra=()):
    return http_response(status, [("Content-Type", "application/json; charset=utf-8")]
                         + list(extra), json.dumps(doc).encode())


def _text(text, ctype="text/plain; charset=utf-8", status=200):
    return http_response(status, [("Content-Type", ctype)], text.encode())


ROUTES = []


def route(host, prefix, method=None):
    def register(fn):
        ROUTES.append((host, prefix, method, fn))
        return fn
    return register


def answer(req, scheme):
    host = (req.header("host") or "").split(":")[0].lower()
    for rhost, prefix, method, fn in ROUTES:
        if (rhost == host or rhost == "*") and req.path.startswith(prefix) and \
                (method is None or method == req.method):
            return fn(req)
    return _json({"error": "no canned answer for %s %s%s" % (req.method, host, req.path)}, 404)
