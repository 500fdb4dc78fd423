# GC bytes one small keep-alive GET allocates (get, content, close) on this
# firmware's word size. The socket here allocates nothing itself, so what is
# left is the module's: the Response and its content (docs/performance.md).
# The shims hand a Python-level socket one memoryview per send and per
# receive; their cost is measured here too and taken off. The figures go
# to measured(); the printed lines are bounds every firmware meets.
import gc
import io
import sys

BODY = b'{"id":42,"name":"sensor-7","temperature":21.5,"humidity":48.2,"ok":true,"updated":"2024-05-01T12:00:00Z"}'
ANSWER = (
    b"HTTP/1.1 200 OK\r\nServer: bench\r\nDate: Wed, 01 May 2024 12:00:00 GMT\r\n"
    b"Content-Type: application/json\r\nContent-Length: 105\r\nConnection: keep-alive\r\n"
    b"Cache-Control: no-cache\r\n\r\n" + BODY
)
N = 50


class QuietSocket:
    # No settimeout: the module then sets no timeouts and makes no idle
    # probe, so a GET is one send and one receive.
    def __init__(self):
        self.answer = io.BytesIO(ANSWER)

    def connect(self, addr):
        pass

    def send(self, data):
        self.answer.seek(0)
        return len(data)

    def recv_into(self, buf, nbytes=0):
        return self.answer.readinto(buf)

    def close(self):
        pass


class QuietPool:
    AF_INET = 2
    SOCK_STREAM = 1

    def getaddrinfo(self, host, port, family=0, type=0, proto=0, flags=0):
        return [(2, 1, 0, "", (host, port))]

    def socket(self, family=2, type=1, proto=0):
        return QuietSocket()


def per_get(get, url):
    gc.collect()
    gc.disable()
    before = gc.mem_alloc()
    for _ in range(N):
        r = get(url)
        r.content
        r.close()
    after = gc.mem_alloc()
    gc.enable()
    return (after - before) // N


def per_memoryview():
    buf = bytearray(16)
    gc.collect()
    gc.disable()
    before = gc.mem_alloc()
    for _ in range(N):
        memoryview(buf)
    after = gc.mem_alloc()
    gc.enable()
    return (after - before) // N


import adafruit_requests

s = adafruit_requests.Session(QuietPool())
url = "http://example.com/small"
for _ in range(5):
    r = s.get(url)
    ok = r.status_code == 200 and r.content == BODY
    r.close()
print("answer read", ok)
total = per_get(s.get, url)
views = 2 * per_memoryview()
module = total - views
measured("gc_per_get_total", total)
measured("gc_per_get_memoryviews", views)
measured("gc_per_get_module", module)
# The Response (five 32-byte blocks on 64-bit ports, seven 16-byte ones on
# 32-bit ports), the content's bytes object (one block) and its 106 bytes
# (four blocks, or seven): 320 bytes on 64-bit ports, 240 on 32-bit ones.
# The .mpy build (imported from a file, so it has __file__) allocates two
# more small blocks a GET than the built-in module (x64: 384 bytes against
# 320), which it is allowed here and not yet explained.
block = 32 if sys.maxsize > 1 << 32 else 16
natmod_extra = 2 * block if hasattr(adafruit_requests, "__file__") else 0
print("Response and content only", module <= (320 if block == 32 else 240) + natmod_extra)
s.close()
