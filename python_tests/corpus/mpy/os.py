# CircuitPython's os: getenv answers from the run's settings.toml values
# (ints stay ints, as CircuitPython parses them).
from uos import *  # noqa: F401,F403

import _corpus

_settings = _corpus.CONFIG.get("settings", {})


def getenv(key, default=None):
    return _settings.get(key, default)
