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

# The requests library's own examples (examples/ of its repository) read
# these; kept apart so that the Learning Guides' runs see what they saw.
LIBRARY_EXAMPLES = {
    "DISCORD_AUTHORIZATION": "corpus-discord-authorization",
    "FITBIT_CLIENTID": "23CORP",
    "FITBIT_ACCESS_TOKEN": "eyJhbGciOiJIUzI1NiJ9.corpus",
    "FITBIT_FIRST_REFRESH_TOKEN": "corpusfirstrefreshtoken0123456789abcdef",
    "FITBIT_USERID": "9ABCDE",
    "GITHUB_USERNAME": "corpusblinka",
    "GITHUB_TOKEN": "ghp_corpus0123456789",
    "OSN_USERNAME": "corpuspilot",
    "OSN_PASSWORD": "corpus-osn-password",
    "STEAM_ID": "76561190000000000",
    "STEAM_API_KEY": "CORPUSSTEAMKEY0123456789",
    "TWITCH_CLIENT_ID": "corpustwitchclientid",
    "TWITCH_CLIENT_SECRET": "corpustwitchsecret",
    "TWITCH_USER_ID": "123456789",
    "YOUTUBE_USERNAME": "adafruit",
    "YOUTUBE_TOKEN": "AIzaCorpusToken0123456789",
    "RACHIO_APIKEY": "corpus-rachio-api-key",
    "RACHIO_PERSONID": "c8d10892-fb6a-4c3c-9b87-0123456789ab",
}


def settings_for(script):
    values = dict(COMMON)
    if script.startswith("examples/"):
        values.update(LIBRARY_EXAMPLES)
    values.update(PER_SCRIPT.get(script, {}))
    return values
