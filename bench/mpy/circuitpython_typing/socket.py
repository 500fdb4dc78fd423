# Annotation-only names the reference and its connection manager import.
CircuitPythonSocketType = InterfaceType = SocketpoolModuleType = object
SocketType = SSLContextType = object
