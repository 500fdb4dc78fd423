"""Canned answers of the web APIs the published scripts call, shaped like
the real services' documents (values made up), chosen by host and path."""

import json

from servers.httpmsg import http_response


def _json(doc, status=200, extra=()):
    return http_response(status, [("Content-Type", "application/json; charset=utf-8")]
                         + list(extra), json.dumps(doc).encode())


def _text(text, ctype="text/plain; charset=utf-8", status=200):
    return http_response(status, [("Content-Type", ctype)], text.encode())


ROUTES = []


def route(host, prefix, method=None):
    def register(fn):
        ROUTES.append((host, prefix, method, fn))
        return fn
    return register


def answer(req, scheme):
    req.scheme = scheme
    try:
        return _route(req)
    except ValueError as exc:  # a body the service could not parse
        return _json({"error": "request body invalid: %s" % exc}, 400)


def _route(req):
    host = (req.header("host") or "").split(":")[0].lower()
    for rhost, prefix, method, fn in ROUTES:
        if (rhost == host or rhost == "*") and req.path.startswith(prefix) and \
                (method is None or method == req.method):
            return fn(req)
    return _json({"error": "no canned answer for %s %s%s" % (req.method, host, req.path)}, 404)


# ---- the answers; the clock matches the scripts' virtual clock (time.py) ----

import time as _time
from urllib.parse import parse_qs, unquote, urlsplit

EPOCH = 1786000000  # 2026-08-06 02:13:20 UTC


def _query(req):
    return {k: v[-1] for k, v in parse_qs(urlsplit(req.target).query).items()}


def _iso(t=EPOCH, offset="-04:00"):
    return _time.strftime("%Y-%m-%dT%H:%M:%S", _time.gmtime(t)) + ".123456" + offset


# Adafruit IO (HTTP API v2)
_FEED_VALUES = {}


def _aio_feed(key):
    return {"id": 2500000 + len(key), "key": key, "name": key.replace("-", " ").title(),
            "group": {"key": "default"}, "last_value": _FEED_VALUES.get(key, "0"),
            "status": "online", "visibility": "private", "unit_type": None,
            "created_at": "2024-01-02T03:04:05Z", "updated_at": "2026-08-05T12:00:00Z"}


def _aio_datum(key, value):
    return {"id": "0F8Q3T2ZZ6YVZ7XG4N4Q9W8Y1A", "value": value, "feed_id": 2500000 + len(key),
            "feed_key": key, "created_at": "2026-08-06T02:13:20Z", "location": None,
            "lat": None, "lon": None, "ele": None, "created_epoch": EPOCH,
            "expiration": "2026-09-05T02:13:20Z"}


@route("io.adafruit.com", "/api/v2/time/")
def aio_time_service(req):
    what = req.path.rsplit("/", 1)[-1]
    if what == "ISO-8601":
        return _text(_time.strftime("%Y-%m-%dT%H:%M:%S.000Z", _time.gmtime(EPOCH)))
    if what == "seconds":
        return _text(str(EPOCH))
    return _text(str(EPOCH * 1000))


@route("io.adafruit.com", "/api/v2/")
def adafruit_io(req):
    parts = unquote(req.path).split("/")[3:]  # after /api/v2/
    rest = parts[1:]
    if rest[:3] == ["integrations", "time", "struct.json"] or rest[:3] == ["integrations", "time",
                                                                          "struct"]:
        t = _time.gmtime(EPOCH)
        return _json({"year": t.tm_year, "mon": t.tm_mon, "mday": t.tm_mday,
                      "hour": t.tm_hour, "min": t.tm_min, "sec": t.tm_sec,
                      "wday": (t.tm_wday + 1) % 7, "yday": t.tm_yday, "isdst": 0})
    if rest[:3] == ["integrations", "time", "strftime"]:
        fmt = _query(req).get("fmt", "%Y-%m-%d %H:%M:%S.000 %j %u -0400 EDT")
        return _text(_time.strftime(fmt.replace("%L", "000"), _time.gmtime(EPOCH)))
    if rest[:1] == ["feeds"] and len(rest) >= 2:
        key = rest[1]
        if len(rest) == 2:
            return _json(_aio_feed(key))
        if rest[2] == "data" and req.method == "POST":
            body = json.loads(req.body or b"{}")
            _FEED_VALUES[key] = str(body.get("value"))
            return _json(_aio_datum(key, str(body.get("value"))))
        if rest[2:4] == ["data", "last"]:
            return _json(_aio_datum(key, _FEED_VALUES.get(key, "1")))
        if rest[2] == "data":
            return _json([_aio_datum(key, _FEED_VALUES.get(key, "1"))])
    if rest[:1] == ["feeds"] and req.method == "POST":
        body = json.loads(req.body or b"{}")
        return _json(_aio_feed(body.get("feed", {}).get("key", "new-feed")))
    if rest[:1] == ["groups"]:
        key = rest[1] if len(rest) > 1 else "default"
        return _json({"key": key, "name": key, "feeds": [_aio_feed("temperature")]})
    return _json({"error": "not found - API documentation can be found at "
                           "https://io.adafruit.com/api/docs"}, 404)


@route("api.github.com", "/repos/")
def github_repo(req):
    full = "/".join(req.path.split("/")[2:4])
    return _json({"id": 71968494, "name": full.split("/")[-1], "full_name": full,
                  "html_url": "https://github.com/" + full, "stargazers_count": 4321,
                  "watchers_count": 4321, "forks_count": 1234, "open_issues_count": 567,
                  "subscribers_count": 210, "default_branch": "main",
                  "pushed_at": "2026-08-05T21:00:00Z"})


@route("wifitest.adafruit.com", "/testwifi/index.html")
def wifitest(req):
    return _text("This is a test of Adafruit WiFi!\nIf you can read this, its working :)\n",
                 "text/html")


@route("wifitest.adafruit.com", "/testwifi/sample.json")
def wifitest_json(req):
    return _json({"fruit": "Apple", "size": "Large", "color": "Red"})


@route("www.adafruit.com", "/api/quotes.php")
def quotes(req):
    return _json([{"text": "Every person must decide at some point, whether they will "
                           "walk in the light of creative altruism or in the darkness of "
                           "destructive selfishness", "author": "Martin Luther King Jr."}])


@route("api.openweathermap.org", "/data/2.5/weather")
def openweather(req):
    q = _query(req)
    return _json({
        "coord": {"lon": -74.006, "lat": 40.7143},
        "weather": [{"id": 803, "main": "Clouds", "description": "broken clouds",
                     "icon": "04d"}],
        "base": "stations",
        "main": {"temp": 298.48 if q.get("units") not in ("metric", "imperial") else 25.3,
                 "feels_like": 298.74, "temp_min": 297.56, "temp_max": 300.05,
                 "pressure": 1015, "humidity": 64},
        "visibility": 10000, "wind": {"speed": 0.62, "deg": 349}, "clouds": {"all": 75},
        "dt": EPOCH, "sys": {"country": "US", "sunrise": EPOCH - 20000,
                             "sunset": EPOCH + 30000},
        "timezone": -14400, "id": 5128581, "name": q.get("q", "New York").split(",")[0],
        "cod": 200})


@route("time.now", "/developer/api/timezone/")
def time_now(req):
    tz = unquote(req.path.split("/timezone/", 1)[1])
    return _json({"abbreviation": "EDT", "client_ip": "203.0.113.7", "datetime": _iso(),
                  "day_of_week": 3, "day_of_year": 218, "dst": True, "dst_offset": 3600,
                  "raw_offset": -18000, "timezone": tz, "unixtime": EPOCH,
                  "utc_datetime": _time.strftime("%Y-%m-%dT%H:%M:%S.123456+00:00",
                                                 _time.gmtime(EPOCH)),
                  "utc_offset": "-04:00", "week_number": 32})


@route("api.open-meteo.com", "/v1/forecast")
def open_meteo(req):
    q = _query(req)
    day = EPOCH - EPOCH % 86400
    hours = ["2026-08-06T%02d:00" % h for h in range(24)]
    doc = {"latitude": float(q.get("latitude", 40.7)), "longitude": float(q.get("longitude", -74)),
           "generationtime_ms": 0.05, "utc_offset_seconds": -14400,
           "timezone": "America/New_York", "timezone_abbreviation": "EDT", "elevation": 12.0}
    if "current_weather" in q:
        doc["current_weather"] = {"time": "2026-08-05T22:00", "interval": 900,
                                  "temperature": 77.4, "windspeed": 5.1, "winddirection": 200,
                                  "is_day": 0, "weathercode": 3}
    if "current" in q:
        doc["current"] = {"time": "2026-08-05T22:00", "temperature_2m": 25.2,
                          "relative_humidity_2m": 61, "weather_code": 3, "is_day": 0}
    if "hourly" in q:
        doc["hourly"] = {"time": hours}
        for var in q["hourly"].split(","):
            doc["hourly"][var] = [0.0] * 14 + [0.4, 1.2, 0.0] + [0.0] * 7
    if "daily" in q:
        unix = q.get("timeformat") == "unixtime"
        doc["daily"] = {"time": [day + 86400 * i for i in range(7)] if unix else
                        ["2026-08-%02d" % (6 + i) for i in range(7)]}
        for var in q["daily"].split(","):
            if var == "sunrise":
                vals = [day + 36000 + 86400 * i for i in range(7)] if unix else \
                    ["2026-08-%02dT06:05" % (6 + i) for i in range(7)]
            elif var == "sunset":
                vals = [day + 86000 + 86400 * i for i in range(7)] if unix else \
                    ["2026-08-%02dT20:01" % (6 + i) for i in range(7)]
            elif "code" in var:
                vals = [3, 61, 0, 1, 2, 80, 95]
            else:
                vals = [28.1, 26.4, 24.9, 27.3, 29.0, 30.2, 25.5]
            doc["daily"][var] = vals
    return _json(doc)


@route("api.twitter.com", "/2/tweets/search/recent")
def twitter(req):
    return _json({"data": [{"edit_history_tweet_ids": ["1821234567890123456"],
                            "id": "1821234567890123456", "created_at": "2026-08-06T01:59:00.000Z",
                            "text": "NEW IN STOCK: Raspberry Pi 5 - 8GB at Adafruit"}],
                  "meta": {"newest_id": "1821234567890123456", "result_count": 1}})


def _toot(i):
    return {"id": str(112345678901234567 + i), "created_at": "2026-08-06T01:00:00.000Z",
            "content": "<p>Blinking an LED with <a href=\"x\">#CircuitPython</a> %d</p>" % i,
            "account": {"id": "109", "username": "blinka", "acct": "blinka@mastodon.social",
                        "display_name": "Blinka"}, "url": "https://mastodon.social/@blinka/1"}


@route("*", "/api/v1/timelines/tag/")
def mastodon_tag(req):
    return _json([] if "since_id" in _query(req) else [_toot(0)])


@route("*", "/api/v1/statuses", "POST")
def mastodon_post(req):
    toot = _toot(1)
    toot["content"] = "<p>%s</p>" % _query(req).get("status", "posted")
    return _json(toot)


@route("certificationapi.oshwa.org", "/api/projects")
def oshwa(req):
    if req.path.rstrip("/") == "/api/projects":
        items = [{"oshwaUid": "US%06d" % (2000 + i), "projectName": "Board %d" % i}
                 for i in range(5)]
        return _json({"limit": 300, "offset": int(_query(req).get("offset", 0)),
                      "total": 5, "items": items})
    uid = req.path.rsplit("/", 1)[-1]
    return _json([{"oshwaUid": uid, "responsibleParty": "Adafruit Industries",
                   "country": "United States of America", "projectName": "Feather " + uid,
                   "projectDescription": "An open hardware\u2019s board\nwith\ttabs.",
                   "certificationDate": "2024-05-01T00:00-04:00"}])


@route("queue-times.com", "/en-US/parks/")
def queue_times(req):
    rides = [{"id": 100 + i, "name": n, "is_open": True, "wait_time": w,
              "last_updated": "2026-08-06T02:10:00.000Z"}
             for i, (n, w) in enumerate([("Test Track Presented by Chevrolet", 75),
                                         ("Frozen Ever After", 60), ("Soarin' Around the World", 35),
                                         ("Spaceship Earth", 10), ("Mission: SPACE", 20)])]
    return _json({"lands": [{"id": 1, "name": "Future World", "rides": rides[:3]},
                            {"id": 2, "name": "World Showcase", "rides": rides[3:]}],
                  "rides": []})


@route("aa.usno.navy.mil", "/api/rstt/oneday")
def usno(req):
    return _json({"apiversion": "4.0.1", "geometry": {"coordinates": [-74.0, 40.7],
                                                      "type": "Point"},
                  "properties": {"data": {"closestphase": {"day": 9, "month": 8, "phase":
                                                           "Full Moon", "time": "03:55",
                                                           "year": 2026},
                                          "curphase": "Waxing Gibbous", "day": 6,
                                          "fracillum": "87%", "month": 8, "year": 2026,
                                          "tz": -4.0}}, "type": "Feature"})


@route("site.api.espn.com", "/apis/site/v2/sports/")
def espn(req):
    def team(abbr, name, score, home):
        return {"id": abbr, "homeAway": "home" if home else "away", "score": score,
                "team": {"abbreviation": abbr, "displayName": name, "shortDisplayName": name,
                         "logo": "https://a.espncdn.com/%s.png" % abbr.lower(),
                         "color": "112233", "alternateColor": "ffffff"}}
    event = {"id": "401", "date": "2026-08-06T00:00Z", "name": "Away at Home",
             "shortName": "AWY @ HOM",
             "competitions": [{"venue": {"fullName": "Stadium",
                                         "address": {"city": "Boston", "state": "MA"}},
                               "competitors": [team("HOM", "Home", "2", True),
                                               team("AWY", "Away", "1", False)]}],
             "status": {"displayClock": "0:00", "period": 9,
                        "type": {"state": "post", "completed": True, "description": "Final",
                                 "detail": "Final", "shortDetail": "Final"}}}
    return _json({"leagues": [{"abbreviation": "X"}], "events": [event]})


@route("*", "/elgato/lights")
def elgato(req):
    state = {"numberOfLights": 1, "lights": [{"on": 1, "brightness": 40, "temperature": 213}]}
    if req.method == "PUT":
        state = json.loads(req.body)
    return _json(state)


@route("api.openai.com", "/v1/chat/completions", "POST")
def openai(req):
    return _json({"id": "chatcmpl-corpus", "object": "chat.completion", "created": EPOCH,
                  "model": "gpt-4o-mini",
                  "choices": [{"index": 0, "finish_reason": "stop",
                               "message": {"role": "assistant",
                                           "content": "You can talk to houseplants."}}],
                  "usage": {"prompt_tokens": 20, "completion_tokens": 7, "total_tokens": 27}})


@route("api.nytimes.com", "/svc/topstories/v2/")
def nyt(req):
    return _json({"status": "OK", "section": "home", "num_results": 2,
                  "results": [{"title": "A Headline About Things"},
                              {"title": "Another Headline, With a Comma"}]})


@route("api.coindesk.com", "/v1/bpi/currentprice/")
def coindesk(req):
    return _json({"time": {"updated": "Aug 6, 2026 02:13:00 UTC"},
                  "bpi": {"USD": {"code": "USD", "rate": "64,012.3456",
                                  "rate_float": 64012.3456}}})
