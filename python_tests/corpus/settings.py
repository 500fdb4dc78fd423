"""settings.toml of the board each script runs on: made-up credentials and
places. Ints are ints, as CircuitPython's os.getenv returns them."""

COMMON = {
    "CIRCUITPY_WIFI_SSID": "corpusnet",
    "CIRCUITPY_WIFI_PASSWORD": "hunter22",
    "WIFI_SSID": "corpusnet",
    "WIFI_PASSWORD": "hunter22",
    "wifi_ssid": "corpusnet",
    "wifi_password": "hunter22",
    "ADAFRUIT_AIO_USERNAME": "corpususer",
    "ADAFRUIT_AIO_KEY": "aio_CorpusKey0123456789",
    "ADAFRUIT_IO_USERNAME": "corpususer",
    "ADAFRUIT_IO_KEY": "aio_CorpusKey0123456789",
    "AIO_USERNAME": "corpususer",
    "AIO_KEY": "aio_CorpusKey0123456789",
    "aio_username": "corpususer",
    "aio_key": "aio_CorpusKey0123456789",
    "aio_location": "New York",
    "OPENWEATHER_KEY": "owm0123456789abcdef",
    "openweather_token": "owm0123456789abcdef",
    "LOCATION": "New York, US",
    "TIMEZONE": "America/New_York",
    "timezone": "America/New_York",
    "UTC_OFFSET": -4,
    "OPENAI_API_KEY": "sk-corpus0123456789",
    "bearer_token": "AAAAcorpusbearer",
    "mastodon_host": "mastodon.social",
    "mastodon_token": "corpus-mastodon-token",
    "NYT_API_KEY": "nytcorpuskey",
    "AERO_API_KEY": "aerocorpuskey",
    "lifx_token": "lifxcorpustoken",
    "ELGATO_LIGHT": "elgato-key-light.local",
}

PER_SCRIPT = {}


def settings_for(script):
    values = dict(COMMON)
    values.update(PER_SCRIPT.get(script, {}))
    return values
