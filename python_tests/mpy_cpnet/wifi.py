# Stand-in for CircuitPython's wifi module on its unix port, which has no
# networking: the module-level API's default session asks for wifi.radio.


class Radio:
    connected = True


radio = Radio()
