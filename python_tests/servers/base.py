"""Threaded loopback TCP server skeleton shared by the test servers."""

import socket
import threading


class ThreadedServer:
    """Accepts on 127.0.0.1 (or ::1) port 0 and hands each connection to
    ``handle(conn, index)`` on its own daemon thread."""

    io_timeout = 10.0

    def __init__(self, tls_context=None, host="127.0.0.1"):
        family = socket.AF_INET6 if ":" in host else socket.AF_INET
        self.host = host
        self.tls_context = tls_context
        self._listener = socket.socket(family, socket.SOCK_STREAM)
        self._listener.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        self._listener.bind((host, 0))
        self._listener.listen(64)
        self._listener.settimeout(0.2)
        self.port = self._listener.getsockname()[1]
        self.connections = 0
        self.errors = []
        self._lock = threading.Lock()
        self._stop = threading.Event()
        self._threads = []
        self._open = set()
        self._accept_thread = threading.Thread(target=self._accept_loop, daemon=True)
        self._accept_thread.start()

    @property
    def scheme(self):
        return "https" if self.tls_context else "http"

    def url(self, path="/", host=None):
        host = host or self.host
        if ":" in host:
            host = "[%s]" % host
        return "%s://%s:%d%s" % (self.scheme, host, self.port, path)

    def _accept_loop(self):
        while not self._stop.is_set():
            try:
                conn, _ = self._listener.accept()
            except socket.timeout:
                continue
            except OSError:
                break
            with self._lock:
                index = self.connections
                self.connections += 1
                self._open.add(conn)
            t = threading.Thread(target=self._run, args=(conn, index), daemon=True)
            t.start()
            self._threads.append(t)

    def _run(self, conn, index):
        try:
            conn.settimeout(self.io_timeout)
            if self.tls_context is not None:
                try:
                    tls = self.tls_context.wrap_socket(conn, server_side=True)
                except (OSError, ValueError) as exc:
                    self.errors.append(("handshake", repr(exc)))
                    return
                with self._lock:
                    self._open.discard(conn)
                    self._open.add(tls)
                conn = tls
            self.handle(conn, index)
        except Exception as exc:  # recorded so a test can see server-side trouble
            self.errors.append((index, repr(exc)))
        finally:
            with self._lock:
                self._open.discard(conn)
            try:
                conn.close()
            except OSError:
                pass

    def handle(self, conn, index):
        raise NotImplementedError

    def stop(self):
        self._stop.set()
        try:
            self._listener.close()
        except OSError:
            pass
        with self._lock:
            for conn in list(self._open):
                try:
                    conn.shutdown(socket.SHUT_RDWR)
                except OSError:
                    pass
        for t in [self._accept_thread] + self._threads:
            t.join(timeout=5)

    def __enter__(self):
        return self

    def __exit__(self, *exc):
        self.stop()
