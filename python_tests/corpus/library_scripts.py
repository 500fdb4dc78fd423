"""The requests library's own examples (examples/ in its repository) that
the corpus runs, and what is known about the differences between the runs.

A case is (path in the repository, variant). The variant names the run's
extra configuration ("config", read by the stand-ins on the board) and the
stand-in services' options ("service", apis_library.OPTIONS):
- "wiznet5k<7.4": the WIZnet5k library before 7.4, whose non-blocking read
  returns 0 (as ESP32SPI's does) where 7.4 raises EAGAIN; both are on boards
  in use.
- "1xx-as-502": httpbin's /status/1xx answered 502 by its front end, so that
  the status-codes example gets past the 1xx codes on the module too (which
  skips a 1xx head and then finds the connection closed: see
  KNOWN_DIFFERENCES) and every other code is compared."""

VARIANTS = {
    None: {},
    "wiznet5k<7.4": {"config": {"wiznet5k_legacy": True}},
    "1xx-as-502": {"service": {"bad_gateway_1xx": True}},
}

WIFI = [
    "examples/wifi/requests_wifi_advanced.py",
    "examples/wifi/requests_wifi_simpletest.py",
    "examples/wifi/expanded/requests_wifi_adafruit_discord_active_online.py",
    "examples/wifi/expanded/requests_wifi_api_discord.py",
    "examples/wifi/expanded/requests_wifi_api_fitbit.py",
    "examples/wifi/expanded/requests_wifi_api_github.py",
    "examples/wifi/expanded/requests_wifi_api_mastodon.py",
    "examples/wifi/expanded/requests_wifi_api_openskynetwork_private.py",
    "examples/wifi/expanded/requests_wifi_api_openskynetwork_private_area.py",
    "examples/wifi/expanded/requests_wifi_api_openskynetwork_public.py",
    "examples/wifi/expanded/requests_wifi_api_premiereleague.py",
    "examples/wifi/expanded/requests_wifi_api_queuetimes.py",
    "examples/wifi/expanded/requests_wifi_api_rocketlaunch_live.py",
    "examples/wifi/expanded/requests_wifi_api_steam.py",
    "examples/wifi/expanded/requests_wifi_api_twitch.py",
    "examples/wifi/expanded/requests_wifi_api_youtube.py",
    "examples/wifi/expanded/requests_wifi_file_upload.py",
    "examples/wifi/expanded/requests_wifi_multiple_cookies.py",
    "examples/wifi/expanded/requests_wifi_rachio_irrigation.py",
    "examples/wifi/expanded/requests_wifi_status_codes.py",
]

# On the AirLift (ESP32SPI) and WIZnet5k stand-ins; these also check that
# the module reuses connections on those pools as the reference does.
COPROCESSOR = [
    "examples/esp32spi/requests_esp32spi_advanced.py",
    "examples/esp32spi/requests_esp32spi_simpletest.py",
    "examples/wiznet5k/requests_wiznet5k_advanced.py",
    "examples/wiznet5k/requests_wiznet5k_simpletest.py",
]

CASES = [(path, None) for path in WIFI + COPROCESSOR] + [
    (path, "wiznet5k<7.4") for path in COPROCESSOR if "/wiznet5k/" in path] + [
    ("examples/wifi/expanded/requests_wifi_status_codes.py", "1xx-as-502")]

# Examples in the repository that are not run, and why.
NOT_RUN = {
    "examples/wifi/expanded/requests_wifi_api_twitter.py":
        "the file is empty in the repository (Twitter's free API is gone)",
    "examples/fona/requests_fona_simpletest.py":
        "a FONA cellular modem (adafruit_fona: AT commands over a UART) has no "
        "stand-in; its pool is the third Python-level pool family and would need a "
        "modem emulator",
    "examples/fona/requests_fona_advanced.py":
        "as requests_fona_simpletest.py",
    "examples/cpython/requests_cpython_simpletest.py":
        "runs on CPython with its socket and ssl modules; the module is a "
        "MicroPython/CircuitPython C module and cannot be imported there",
    "examples/cpython/requests_cpython_advanced.py":
        "as requests_cpython_simpletest.py",
}

# (path, variant) -> (the reference bug SPEC fixes, with its SPEC line; the
# name of the check in test_library_examples.py that the runs differ by
# that alone).
KNOWN_DIFFERENCES = {
    # Reads the body after its `with` block closed the response; both raise
    # RuntimeError, the reference's message blames a newer response. SPEC
    # section 5: "every failure is a Python exception with a message that says
    # what was wrong."
    ("examples/wifi/expanded/requests_wifi_api_premiereleague.py", None): (
        "the reference's message for a response closed by its with block",
        "closed_by_caller"),
    # httpbin's /status/100: a bare 1xx head, then the connection ends. SPEC
    # section 3: "fix: ... 1xx responses are skipped".
    ("examples/wifi/expanded/requests_wifi_status_codes.py", None): (
        "the module skips a 1xx head; there is no final response",
        "one_xx_skipped"),
    # SPEC section 4: "fix: redirects (301, 302, 303, 307, 308 with
    # `Location`, case-insensitive)" (305 is not followed); and "fix:
    # closing a response with unread body drains a small remainder (bounded)
    # so the socket can be reused"; section 6: "stale bytes are never read as
    # the next response".
    ("examples/wifi/expanded/requests_wifi_status_codes.py", "1xx-as-502"): (
        "305 not followed; the reference resends after a closed unread body",
        "status_codes"),
}


def case_id(case):
    path, variant = case
    name = path[len("examples/"):]
    return name if variant is None else "%s[%s]" % (name, variant)
