"""Generated JSON documents shaped like weather API replies: objects inside
arrays inside objects, with escapes, non-ASCII text, floats, nulls and long
strings that a selection has to skip."""

import json
import random


def forecast(target_bytes, seed=7):
    """A forecast-like document of about ``target_bytes`` (at least)."""
    rng = random.Random(seed)
    doc = {
        "lat": 40.7128, "lon": -74.006, "timezone": "America/New_York",
        "current": {"dt": 1764680000, "temp": 21.5, "feels_like": 20.75, "humidity": 58,
                    "weather": [{"id": 800, "main": "Clear", "description": "clear sky \u2600"}]},
        "alerts": [{"sender": "NWS \"New York\"", "event": "Wind\\Advisory",
                    "description": "x" * 3000, "tags": []}],
        "hourly": [],
        "daily": [],
    }
    size = len(json.dumps(doc))
    i = 0
    while size < target_bytes:
        hour = {
            "dt": 1764680000 + 3600 * i,
            "temp": round(rng.uniform(-20, 40), 2),
            "pop": rng.choice([0, 0.25, 1, None]),
            "weather": [{"id": rng.randrange(200, 900), "main": rng.choice(["Rain", "Snow", "Clouds"]),
                         "description": rng.choice(["pluie l\u00e9g\u00e8re", "\u96ea", "\u00fcberwiegend bew\u00f6lkt",
                                                    "line\nbreak\ttab \"quoted\""])}],
            "wind": {"speed": round(rng.uniform(0, 30), 1), "deg": rng.randrange(360), "gust": 1.5e1},
            "note": "n" * rng.randrange(0, 400),
        }
        doc["hourly"].append(hour)
        if i % 24 == 0:
            doc["daily"].append({"dt": hour["dt"], "temp": {"min": round(hour["temp"] - 5, 2), "max": round(hour["temp"] + 5, 2)},
                                 "summary": "day %d" % (i // 24)})
        size += len(json.dumps(hour)) + 2
        i += 1
    return json.dumps(doc, ensure_ascii=bool(seed % 2)).encode()


def walk(doc, path):
    """The values ``path`` selects, in document order (None: every child)."""
    if not path:
        return [doc]
    head, rest = path[0], path[1:]
    if head is None:
        children = doc.values() if isinstance(doc, dict) else doc if isinstance(doc, list) else []
        return [v for c in children for v in walk(c, rest)]
    if isinstance(head, str) and isinstance(doc, dict) and head in doc:
        return walk(doc[head], rest)
    if isinstance(head, int) and isinstance(doc, list) and head < len(doc):
        return walk(doc[head], rest)
    return []
