# adafruit_esp32spi's socket pool: the library's semantics
# (python_tests/mpy_lib/esp32spipool.py) on the radio stand-in.
from esp32spipool import SOCKET_CLOSED, SOCKET_ESTABLISHED, Socket, SocketPool  # noqa: F401
