# The legacy module-level API, multipart uploads and the exception types.
import sys
import adafruit_requests


class FixedOS:
    # Multipart boundaries come from os.urandom, which the qemu board lacks;
    # a fixed source makes the body printable on every firmware.
    @staticmethod
    def urandom(n):
        return bytes(range(n))


sys.modules["os"] = FixedOS


def handler(req):
    if req.target == "/cookies":
        return response(body=b"", headers=("Set-Cookie: a=1", "set-cookie: b=2", "X-Dup: one", "X-Dup: two"))
    if req.target == "/fail":
        return response("503 Service Unavailable", b"busy")
    body = b"%s %s ct=%s\n" % (req.method.encode(), req.target.encode(), req.headers.get("content-type", "-").encode())
    reply = response(body=body + req.body)
    return reply[:1] if req.method == "HEAD" else reply


print("version", adafruit_requests.__version__)
pool = FakePool(handler)
adafruit_requests.set_socket(pool)
r = adafruit_requests.get("http://api.example/x?y=1#frag")
print("module get", r.text, "timeout", pool.timeouts[-1])
print("module post", adafruit_requests.post("http://api.example/p", json=[1, None, "a\"b"]).text)
for verb in ("put", "patch", "delete", "head", "options"):
    print("module", verb, getattr(adafruit_requests, verb)("http://api.example/v").status_code)
print("sockets", pool.opened)

with adafruit_requests.Session(pool, session_id="abc") as s:
    r = s.post(
        "http://api.example/upload",
        files={"file": ("a.txt", b"file\r\nbytes", "text/plain"), "raw": b"\x00\xff"},
    )
    print("multipart", r.content)
    r = s.get("http://api.example/cookies")
    print("get_all", r.headers.get_all("Set-Cookie"), r.headers["x-dup"], r.headers.get_all("x-dup"))
    r = s.get("http://api.example/fail")
    try:
        r.raise_for_status()
    except OSError as e:
        print("raise_for_status", e)
print("open sockets (the module-level session keeps one)", pool.live())

pool = FakePool(handler)
pool.fail["connect"] = {"*": OSError(errno.ECONNRESET)}
pool.fail["send"] = {"*": OSError(errno.ECONNABORTED)}
s = adafruit_requests.Session(pool)
pool.fail["connect"] = {}
try:
    s.get("http://api.example/x")
except adafruit_requests.OutOfRetries as e:
    print("OutOfRetries", str(e), exc_name(e.args[1]), exc_name(e.__cause__), isinstance(e, Exception))
print("types", adafruit_requests.Session, adafruit_requests.Response, issubclass(adafruit_requests.OutOfRetries, Exception))

# The cookie jar's clock: Max-Age and Expires become expiry times through
# 64-bit arithmetic on every board (milliseconds of the board's ticks,
# seconds since 1970), and what is already expired is neither kept nor sent.
def jar_handler(req):
    if req.target == "/set":
        return response(body=b"", headers=(
            "Date: Mon, 07 Dec 2026 12:00:00 GMT",
            "Set-Cookie: keep=1; Max-Age=3600",
            "Set-Cookie: gone=1; Max-Age=0",
            "Set-Cookie: old=1; Expires=Wed, 21 Oct 2015 07:28:00 GMT",
            "Set-Cookie: far=1; Expires=Fri, 01 Jan 2100 00:00:00 GMT",
            "Set-Cookie: huge=1; Max-Age=99999999999999",
        ))
    return response(body=req.headers.get("cookie", "-").encode())


jpool = FakePool(jar_handler)
with adafruit_requests.Session(jpool) as s:
    s.get("http://jar.example/set").close()
    print("cookies sent", s.get("http://jar.example/echo").text)
