# What users flash today instead of this module: the pure-Python reference
# adafruit_requests and adafruit_connection_manager frozen as bytecode into
# the same image (BASE_MANIFEST: manifest.py or manifest-nolib.py). Built
# without the C module by `make rp2-reference`, to compare flash and heap.
include("$(BASE_MANIFEST)")
module("adafruit_requests.py", base_path="$(REFERENCE_DIR)")
module("adafruit_connection_manager.py", base_path="$(REFERENCE_DIR)")
# On MicroPython both import typing, types and circuitpython_typing names for
# their annotations; MicroPython 1.25 has none of them, so a user adds stubs
# too. These are the test suite's (a few hundred bytes).
module("typing.py", base_path="$(STUBS_DIR)")
module("types.py", base_path="$(STUBS_DIR)")
package("circuitpython_typing", base_path="$(STUBS_DIR)")
