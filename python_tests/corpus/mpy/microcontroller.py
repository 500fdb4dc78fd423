import _corpus


def reset():
    _corpus.note("microcontroller.reset")
    raise _corpus.StopScript("microcontroller.reset()")


class _Cpu:
    temperature = 31.5
    frequency = 240000000
    voltage = 3.3
    uid = b"\x01\x02\x03\x04"


cpu = _Cpu()
cpus = [cpu]
nvm = bytearray(256)
__getattr__ = _corpus.stub_module("microcontroller")
