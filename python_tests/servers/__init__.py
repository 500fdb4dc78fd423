"""Loopback-only test servers used by the MicroPython test suite."""

from .httpmsg import Request, http_response, read_request
from .recording import RecordingServer
from .scripted import ScriptedServer

__all__ = ["Request", "http_response", "read_request", "RecordingServer", "ScriptedServer"]
