# Stand-in for CircuitPython's socketpool: SocketPool(radio) over the test
# firmware's socket module, recording the radio it was made for.
import faultpool

made = []


class SocketPool(faultpool.FaultPool):
    def __init__(self, radio):
        super().__init__()
        self.radio = radio
        made.append(self)
