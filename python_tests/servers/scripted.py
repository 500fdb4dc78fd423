"""Server whose behaviour per connection is a list of actions, for odd and
hostile responses.

Actions (tuples):
  ("read",)          read one complete request (recorded in ``requests``)
  ("send", bytes)    send bytes as is
  ("sleep", secs)
  ("stall", secs)    stop reading for secs: the receive buffer is first
                     locked at a fixed size, since Linux otherwise grows an
                     unread buffer under a sender (up to tcp_rmem's maximum,
                     32 MiB on some machines) and the upload trickles on
  ("close",)         orderly close (FIN)
  ("reset",)         abortive close (RST via SO_LINGER 0)
  ("drain",)         read until the peer closes or the I/O timeout passes
Connection ``i`` runs ``scripts[i]``; connections beyond the list run the last
script when ``repeat_last`` is true, else they are closed at once.
"""

import socket
import time

from .base import ThreadedServer
from .httpmsg import read_request, set_linger_reset


def respond(data):
    """Shorthand: read a request then send ``data``."""
    return [("read",), ("send", data)]


class ScriptedServer(ThreadedServer):
    def __init__(self, scripts, repeat_last=False, tls_context=None, host="127.0.0.1"):
        self.scripts = [list(s) for s in scripts]
        self.repeat_last = repeat_last
        self.requests = []
        self.peer_closed = []
        super().__init__(tls_context=tls_context, host=host)

    def _script_for(self, index):
        if index < len(self.scripts):
            return self.scripts[index]
        if self.repeat_last and self.scripts:
            return self.scripts[-1]
        return [("close",)]

    def handle(self, conn, index):
        state = {"pending": b""}
        for action in self._script_for(index):
            if not self.act(conn, index, action, state):
                return
        self.after_script(conn, index)

    def act(self, conn, index, action, state):
        """Runs one action; False ends the connection. Subclasses add kinds."""
        kind = action[0]
        if kind == "read":
            req, state["pending"] = read_request(conn, state["pending"])
            if req is None:
                return False
            with self._lock:
                self.requests.append(req)
        elif kind == "send":
            conn.sendall(action[1])
        elif kind == "sleep":
            time.sleep(action[1])
        elif kind == "stall":
            conn.setsockopt(socket.SOL_SOCKET, socket.SO_RCVBUF, 65536)
            time.sleep(action[1])
        elif kind == "close":
            return False
        elif kind == "reset":
            raw = conn
            if hasattr(conn, "unwrap"):
                # RST must come from the TCP socket below the TLS layer.
                raw = socket.socket(fileno=conn.detach())
            set_linger_reset(raw)
            raw.close()
            return False
        elif kind == "drain":
            self._drain(conn, index)
        else:
            raise ValueError("unknown action %r" % (kind,))
        return True

    def after_script(self, conn, index):
        # Falling off the end keeps the connection until the peer goes or
        # the I/O timeout passes, so a client that hangs is observable.
        self._drain(conn, index)

    def _drain(self, conn, index):
        try:
            while conn.recv(65536):
                pass
            with self._lock:
                self.peer_closed.append(index)
        except OSError:
            pass
