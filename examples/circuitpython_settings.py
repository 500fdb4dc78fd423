# A CircuitPython code.py: the radio, the socket pool and the TLS context
# from the board's modules, the settings from settings.toml through
# os.getenv. On a board, put in settings.toml:
#   CIRCUITPY_WIFI_SSID = "your network"
#   CIRCUITPY_WIFI_PASSWORD = "its password"
#   DEMO_URL = "http://192.168.1.20:8080"      (a machine running scripts/demo_server.py)
# CircuitPython joins the network from the first two itself.
#
# Off a board, python_tests/mpy_cpnet/ holds stand-ins for socketpool, ssl
# and wifi (they need python_tests/mpy_lib too):
#   DEMO_URL=http://127.0.0.1:8080 MICROPYPATH=python_tests/mpy_cpnet:python_tests/mpy_lib \
#     micropython examples/circuitpython_settings.py
import os

import adafruit_requests
import socketpool
import ssl
import wifi

ssid = os.getenv("CIRCUITPY_WIFI_SSID")
if ssid and not wifi.radio.connected:
    wifi.radio.connect(ssid, os.getenv("CIRCUITPY_WIFI_PASSWORD"))

pool = socketpool.SocketPool(wifi.radio)
session = adafruit_requests.Session(pool, ssl.create_default_context())
base = (os.getenv("DEMO_URL") or "http://192.168.1.20:8080").rstrip("/")

with session.get(base + "/json") as r:
    r.raise_for_status()
    doc = r.json()
print("GET /json through", type(pool).__name__, "->", r.status_code, doc["station"], doc["readings"])

with session.post(base + "/echo", json={"board": "feather", "temp": doc["readings"][-1]}) as r:
    print("POST /echo ->", r.status_code, r.json()["body"])
session.close()
