# Placeholder demo: shows the firmware's native module answers.
import sys

import adafruit_requests

print("adafruit_requests", adafruit_requests.__version__)
if len(sys.argv) > 1:
    print("server:", sys.argv[1])
