# Annotation-only names the reference and connection manager import.
SocketpoolModuleType = object
SocketType = object
SSLContextType = object
CircuitPythonSocketType = object
InterfaceType = object
