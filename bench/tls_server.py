"""HTTPS server for the bench: same routes file and request handling as
server.c, behind CPython's ssl. Prints "PORT <n>" and serves until killed.

    python3 tls_server.py ROUTES CERT_PEM KEY_PEM

TLS costs both ends about the same per record, so a Python server keeps up
with a MicroPython client here; run.py still records this process's CPU
time next to the client's so a server-bound result would show.
"""

import socket
import ssl
import sys
import threading

HEAD_MAX = 16384


def load_routes(name):
    routes = {}
    with open(name) as f:
        for line in f:
            parts = line.split()
            if len(parts) == 3:
                with open(parts[2], "rb") as body:
                    routes[(parts[0].encode(), parts[1].encode())] = body.read()
    return routes


NOT_FOUND = b"HTTP/1.1 404 Not Found\r\nContent-Length: 0\r\n\r\n"


def content_length(head):
    for line in head.split(b"\r\n")[1:]:
        name, _, value = line.partition(b":")
        if name.strip().lower() == b"content-length":
            return int(value)
    return 0


def serve(conn, routes):
    # Same policy as server.c's quickack mode: without it every small TLS
    # record a client sends behind Nagle waits out the 40 ms delayed ACK.
    conn.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)

    def recv(n):
        data = conn.recv(n)
        conn.setsockopt(socket.IPPROTO_TCP, socket.TCP_QUICKACK, 1)
        return data

    buf = b""
    try:
        while True:
            end = buf.find(b"\r\n\r\n")
            while end < 0:
                if len(buf) > HEAD_MAX:
                    return
                data = recv(65536)
                if not data:
                    return
                buf += data
                end = buf.find(b"\r\n\r\n")
            head, buf = buf[:end], buf[end + 4 :]
            body = content_length(head)
            take = min(body, len(buf))
            buf = buf[take:]
            body -= take
            while body:
                data = recv(min(body, 65536))
                if not data:
                    return
                body -= len(data)
            method, path = head.split(b" ", 2)[:2]
            conn.sendall(routes.get((method, path), NOT_FOUND))
    except (OSError, ssl.SSLError):
        pass
    finally:
        conn.close()


def main():
    routes = load_routes(sys.argv[1])
    ctx = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
    ctx.load_cert_chain(sys.argv[2], sys.argv[3])
    ls = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
    ls.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    ls.bind(("127.0.0.1", 0))
    ls.listen(16)
    print("PORT", ls.getsockname()[1], flush=True)
    while True:
        raw, _ = ls.accept()
        try:
            conn = ctx.wrap_socket(raw, server_side=True)
        except (OSError, ssl.SSLError):
            raw.close()
            continue
        threading.Thread(target=serve, args=(conn, routes), daemon=True).start()


if __name__ == "__main__":
    main()
