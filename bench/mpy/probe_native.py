# run.py's check whether the firmware's adafruit_requests is usable yet.
import adafruit_requests

print("OK" if hasattr(adafruit_requests, "Session") else "no Session")
