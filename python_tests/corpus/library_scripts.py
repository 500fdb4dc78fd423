"""The requests library's own examples (examples/ in its repository) that
the corpus runs, and what is known about the differences between the runs.

A case is (path in the repository, variant). The variant names the run's
extra configuration: "wiznet5k<7.4" gives the WIZnet5k library before 7.4,
whose non-blocking read returns 0 (as ESP32SPI's does) where 7.4 raises
EAGAIN; both are on boards in use."""

VARIANTS = {
    None: {},
    "wiznet5k<7.4": {"wiznet5k_legacy": True},
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
    (path, "wiznet5k<7.4") for path in COPROCESSOR if "/wiznet5k/" in path]

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
KNOWN_DIFFERENCES = {}


def case_id(case):
    path, variant = case
    name = path[len("examples/"):]
    return name if variant is None else "%s[%s]" % (name, variant)
