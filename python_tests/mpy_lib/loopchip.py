# The network side of an AirLift coprocessor (ESP32 running NINA) or a
# WIZnet5k chip, over real loopback sockets: numbered socket slots, each a
# TCP connection whose received bytes wait in the slot until read, as in
# the chip's own buffer. The ESP32SPI and WIZnet5k stand-ins drive it
# through the calls their libraries make on the real hardware.

import errno
import socket as _socket
import time


def host_address(host):
    """The 4 bytes of `host`'s IPv4 address, as both chips' DNS calls give it."""
    ip = _socket.getaddrinfo(host, 1, 0, _socket.SOCK_STREAM)[0][-1]
    # MicroPython gives a raw sockaddr: bytes 4..8 are the IPv4 address.
    return bytes(ip[4:8]) if isinstance(ip, (bytes, bytearray)) else bytes(
        int(p) for p in ip[0].split("."))


class Slot:
    def __init__(self, raw):
        self.raw = raw
        self.rx = bytearray()
        self.fin = False      # the peer closed its side
        self.reset = False    # the connection was reset


class LoopChip:
    def __init__(self, max_sockets):
        self.slots = [None] * max_sockets
        self.reserved = [False] * max_sockets
        # (destination as given, port, mode) of every connect.
        self.connects = []

    def allocate(self):
        for i, taken in enumerate(self.reserved):
            if not taken:
                self.reserved[i] = True
                return i
        return None

    def open(self, num, dest, port, mode):
        self.connects.append((dest, port, mode))
        if isinstance(dest, (bytes, bytearray)):
            dest = "%d.%d.%d.%d" % tuple(dest)
        ai = _socket.getaddrinfo(dest, port, 0, _socket.SOCK_STREAM)[0]
        raw = _socket.socket(ai[0], _socket.SOCK_STREAM)
        raw.settimeout(3)
        try:
            raw.connect(ai[-1])
        except OSError:
            raw.close()
            return False
        raw.setblocking(False)
        self.slots[num] = Slot(raw)
        return True

    def _pump(self, slot):
        while not slot.fin:
            try:
                data = slot.raw.recv(4096)
            except OSError as e:
                if e.args and e.args[0] == errno.EAGAIN:
                    return
                slot.fin = slot.reset = True
                return
            if not data:
                slot.fin = True
                return
            slot.rx.extend(data)

    def slot(self, num):
        if 0 <= num < len(self.slots):
            return self.slots[num]
        return None

    def available(self, num):
        s = self.slot(num)
        if s is None:
            return 0
        self._pump(s)
        return len(s.rx)

    def read(self, num, size):
        s = self.slot(num)
        if s is None:
            return b""
        data = bytes(s.rx[:size])
        s.rx = s.rx[size:]
        return data

    def peer_gone(self, num):
        s = self.slot(num)
        if s is None:
            return True
        self._pump(s)
        return s.fin

    def write(self, num, data):
        """Bytes sent (0 when the connection cannot take them)."""
        s = self.slot(num)
        if s is None or s.reset:
            return 0
        view = memoryview(data)
        sent = 0
        deadline = time.ticks_add(time.ticks_ms(), 3000)
        while sent < len(view):
            try:
                n = s.raw.send(view[sent:])
            except OSError as e:
                if e.args and e.args[0] == errno.EAGAIN:
                    if time.ticks_diff(deadline, time.ticks_ms()) < 0:
                        return sent
                    time.sleep_ms(1)
                    continue
                s.fin = s.reset = True
                return sent
            sent += n or 0
        return sent

    def drop(self, num):
        """Ends the connection; the slot stays reserved."""
        s = self.slot(num)
        if s is not None:
            try:
                s.raw.close()
            except OSError:
                pass
            self.slots[num] = None

    def release(self, num):
        self.drop(num)
        if 0 <= num < len(self.reserved):
            self.reserved[num] = False

    def open_count(self):
        return sum(1 for s in self.slots if s is not None)
