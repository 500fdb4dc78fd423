"""Canned answers of the services the requests library's own examples call
(examples/ of Adafruit_CircuitPython_Requests), shaped like the real
services' documents, values made up. Registered after apis.py's routes.

Answers depend only on the request, never on earlier requests, so that the
run on each firmware sees the same service."""

import base64
import hashlib
import json
from email.parser import BytesParser
from email.policy import HTTP
from urllib.parse import parse_qs

from servers.httpmsg import http_response

from .apis import EPOCH, _json, _query, queue_times, route

_DATE = "Thu, 06 Aug 2026 02:13:20 GMT"

# Set for one run by a case's variant (library_scripts.VARIANTS), then reset.
# "bad_gateway_1xx": httpbin's front end answers 502 where the app answers a
# bare 1xx (a load balancer that does not pass on an interim response with
# no final one); unset, the 1xx head goes out as the app gives it.
OPTIONS = {}


# ---- httpbin.org (its app's answers, as https://httpbin.org gives them) ----

def _httpbin_headers(req):
    # httpbin shows the request's headers with title-cased names, plus the
    # trace header its load balancer adds.
    shown = {"-".join(p.capitalize() for p in k.split("-")): v for k, v in req.headers}
    shown["X-Amzn-Trace-Id"] = "Root=1-66b18860-0123456789abcdef01234567"
    return shown


def _httpbin_url(req, scheme):
    return "%s://%s%s" % (scheme, req.header("host") or "httpbin.org", req.target)


def _httpbin_doc(req, scheme, **extra):
    doc = {"args": {k: v for k, v in _query(req).items()}, "headers": _httpbin_headers(req),
           "origin": "203.0.113.7", "url": _httpbin_url(req, scheme)}
    doc.update(extra)
    return doc


def _httpbin_body(req):
    """data, files, form and json, as httpbin fills them."""
    ctype = req.header("content-type") or ""
    body = req.body or b""
    data, files, form, parsed = "", {}, {}, None
    if ctype.startswith("multipart/form-data"):
        msg = BytesParser(policy=HTTP).parsebytes(
            b"Content-Type: " + ctype.encode("latin-1") + b"\r\n\r\n" + body)
        if not msg.is_multipart():
            raise ValueError("multipart body without its parts")
        for part in msg.iter_parts():
            name = part.get_param("name", header="content-disposition")
            payload = part.get_payload(decode=True)
            if part.get_filename() is None:
                form[name] = payload.decode("utf-8")
                continue
            try:
                files[name] = payload.decode("utf-8")
            except UnicodeDecodeError:
                files[name] = "data:%s;base64,%s" % (
                    part.get_content_type(), base64.b64encode(payload).decode("ascii"))
    elif ctype.startswith("application/x-www-form-urlencoded"):
        form = {k: v[-1] for k, v in parse_qs(body.decode("utf-8"), keep_blank_values=True).items()}
    else:
        data = body.decode("utf-8")
        try:
            parsed = json.loads(data) if data else None
        except ValueError:
            parsed = None
    return {"data": data, "files": files, "form": form, "json": parsed}


def httpbin(scheme):
    def answer(req):
        path = req.path
        if path == "/get":
            return _json(_httpbin_doc(req, scheme))
        if path in ("/post", "/put", "/patch", "/delete"):
            return _json(_httpbin_doc(req, scheme, **_httpbin_body(req)))
        if path.startswith("/redirect/"):
            n = int(path.rsplit("/", 1)[-1])
            where = "/get" if n <= 1 else "/relative-redirect/%d" % (n - 1)
            return _httpbin_status(302, [("Location", where)])
        if path.startswith("/status/"):
            return _status(int(path.rsplit("/", 1)[-1]))
        return _httpbin_status(404, body=b"<!DOCTYPE html><title>404 Not Found</title>")
    return answer


_REASONS = {
    100: "CONTINUE", 101: "SWITCHING PROTOCOLS", 102: "PROCESSING", 103: "EARLY HINTS",
    200: "OK", 201: "CREATED", 202: "ACCEPTED", 203: "NON-AUTHORITATIVE INFORMATION",
    204: "NO CONTENT", 205: "RESET CONTENT", 206: "PARTIAL CONTENT", 207: "MULTI-STATUS",
    208: "ALREADY REPORTED", 226: "IM USED", 300: "MULTIPLE CHOICES",
    301: "MOVED PERMANENTLY", 302: "FOUND", 303: "SEE OTHER", 304: "NOT MODIFIED",
    305: "USE PROXY", 306: "SWITCH PROXY", 307: "TEMPORARY REDIRECT",
    308: "PERMANENT REDIRECT", 418: "I'M A TEAPOT",
}

_TEAPOT = """
    -=[ teapot ]=-

       _...._
     .'  _ _ `.
    | ."` ^ `". _,
    \\_;`"---"`|//
      |       ;/
      \\_     _/
        `\"\"\"`
"""


def _httpbin_status(status, headers=(), body=b"", close=False):
    head = [("Date", _DATE), ("Content-Type", "text/html; charset=utf-8"),
            ("Content-Length", str(len(body)))]
    head += list(headers)
    if close:
        head.append(("Connection", "close"))
    head += [("Server", "gunicorn/19.9.0"), ("Access-Control-Allow-Origin", "*"),
             ("Access-Control-Allow-Credentials", "true")]
    return http_response(status, head, body, reason=_REASONS.get(status, "UNKNOWN"))


def _status(code):
    """httpbin's /status/<code>: the redirects point at /redirect/1; 1xx is
    a bare interim head with no final response after it, and the server
    ends the connection (gunicorn's sync worker says Connection: close)."""
    if 100 <= code < 200:
        if OPTIONS.get("bad_gateway_1xx"):
            return http_response(502, [("Date", _DATE), ("Content-Type", "text/html"),
                                       ("Server", "awselb/2.0")],
                                 b"<html><body><h1>502 Bad Gateway</h1></body></html>\r\n",
                                 reason="Bad Gateway")
        return _httpbin_status(code, close=True)
    if code in (301, 302, 303, 305, 307):
        return _httpbin_status(code, [("Location", "/redirect/1")])
    if code in (204, 304):
        return _httpbin_status(code)
    if code == 401:
        return _httpbin_status(code, [("WWW-Authenticate", 'Basic realm="Fake Realm"')])
    if code == 402:
        return _httpbin_status(code, [("X-More-Info", "http://vimeo.com/22053820")],
                               b"Fuck you, pay me!")
    if code == 406:
        doc = {"message": "Client did not request a supported media type.",
               "accept": ["image/webp", "image/svg+xml", "image/jpeg", "image/png",
                          "image/*"]}
        return http_response(code, [("Date", _DATE), ("Content-Type", "application/json")],
                             json.dumps(doc).encode(), reason="NOT ACCEPTABLE")
    if code == 407:
        return _httpbin_status(code, [("Proxy-Authenticate", 'Basic realm="Fake Realm"')])
    if code == 418:
        return _httpbin_status(code, [("X-More-Info", "http://tools.ietf.org/html/rfc2324")],
                               _TEAPOT.encode())
    return _httpbin_status(code)


@route("httpbin.org", "/")
def httpbin_any(req):
    return httpbin(req.scheme)(req)


# ---- www.adafruit.com's front page: several Set-Cookie fields ----

@route("www.adafruit.com", "/")
def adafruit_front(req):
    if req.path != "/":
        return _json({"error": "no canned answer for %s" % req.path}, 404)
    cookies = [
        "cart_id=0a1b2c3d4e5f; expires=Fri, 06-Aug-2027 02:13:20 GMT; Max-Age=31536000; "
        "path=/; domain=.adafruit.com; secure; HttpOnly",
        "zenid=corpus0123456789abcdef; path=/; domain=.adafruit.com; secure; HttpOnly; "
        "SameSite=Lax",
        "last_visit=1786000000; expires=Sat, 05-Sep-2026 02:13:20 GMT; Max-Age=2592000; "
        "path=/; secure",
        "ab_test=b; path=/; secure",
    ]
    headers = [("Date", _DATE), ("Content-Type", "text/html; charset=UTF-8")]
    headers += [("Set-Cookie", c) for c in cookies]
    body = b"<!DOCTYPE html><html><head><title>Adafruit Industries</title></head>" \
           b"<body><h1>Adafruit</h1></body></html>"
    return http_response(200, headers, body)


# ---- the expanded examples' services ----

@route("img.shields.io", "/discord/")
def shields_discord(req):
    return _json({"name": "chat", "value": "4321 online"})


@route("discord.com", "/api/v10/guilds/")
def discord_preview(req):
    gid = req.path.split("/")[4]
    return _json({"id": gid, "name": "Adafruit", "icon": "a_0123456789abcdef",
                  "splash": None, "discovery_splash": None, "features": ["COMMUNITY"],
                  "approximate_member_count": 41234, "approximate_presence_count": 4321,
                  "emojis": [], "stickers": [],
                  "description": "Adafruit Industries' community: learn, make and share."})


def _token(seed, n=40):
    return hashlib.sha256(seed.encode()).hexdigest()[:n]


@route("api.fitbit.com", "/oauth2/token", "POST")
def fitbit_token(req):
    form = parse_qs(req.body.decode("utf-8"))
    old = form.get("refresh_token", [""])[-1]
    return _json({"access_token": "eyJhbGciOiJIUzI1NiJ9." + _token("a" + old, 48),
                  "expires_in": 28800, "refresh_token": _token("r" + old, 40),
                  "scope": "heartrate profile activity settings", "token_type": "Bearer",
                  "user_id": "9ABCDE"})


@route("api.fitbit.com", "/1/user/")
def fitbit_user(req):
    if req.path.endswith("/devices.json"):
        return _json([{"battery": "High", "batteryLevel": 88, "deviceVersion": "Charge 6",
                       "id": "2800000001", "lastSyncTime": "2026-08-05T21:58:00.000",
                       "type": "TRACKER"},
                      {"battery": "Medium", "batteryLevel": 57, "deviceVersion": "Sense 2",
                       "id": "2800000002", "lastSyncTime": "2026-08-05T22:01:00.000",
                       "type": "TRACKER"}])
    dataset = [{"time": "21:%02d:00" % m, "value": 58 + (m * 7) % 23} for m in range(40)]
    return _json({"activities-heart": [{"dateTime": "2026-08-05", "value": {
        "customHeartRateZones": [], "restingHeartRate": 61,
        "heartRateZones": [{"name": "Out of Range", "min": 30, "max": 98, "minutes": 1320,
                            "caloriesOut": 1712.5}]}}],
        "activities-heart-intraday": {"dataset": dataset, "datasetInterval": 1,
                                      "datasetType": "minute"}})


@route("api.github.com", "/users/")
def github_user(req):
    login = req.path.split("/")[2]
    return _json({"login": login, "id": 1234567, "type": "User", "name": "Corpus Blinka",
                  "company": "@adafruit", "blog": "", "location": "New York, NY",
                  "bio": "Makes things blink.", "public_repos": 42, "public_gists": 3,
                  "followers": 321, "following": 12, "created_at": "2014-03-15T18:02:41Z",
                  "updated_at": "2026-07-30T12:00:00Z"})


@route("mastodon.social", "/api/v1/accounts/")
def mastodon_statuses(req):
    account = {"id": req.path.split("/")[4], "username": "blinka", "acct": "blinka",
               "display_name": "Blinka", "created_at": "2022-11-05T00:00:00.000Z",
               "note": "<p>CircuitPython's mascot.</p>", "followers_count": 2345,
               "following_count": 67, "statuses_count": 890, "last_status_at": "2026-08-05"}
    return _json([{"id": "112345678901234567", "created_at": "2026-08-05T20:00:00.000Z",
                   "content": "<p>New guide!</p>", "account": account}])


def _flight(icao, sign, lon, lat, alt, ground=False):
    return [icao, sign, "United States", EPOCH - 9, EPOCH - 4, lon, lat, alt, ground,
            231.47, 87.12, -3.25, None, alt + 160.02, "2451", False, 0]


@route("opensky-network.org", "/api/states/all")
def opensky(req):
    q = _query(req)
    if "icao24" in q:
        states = [_flight(q["icao24"], "DAL1234 ", -80.9131, 28.4312, 10363.2)]
    else:
        states = [_flight("a1b2c3", "SWA2211 ", -81.1234, 28.0012, 3352.8),
                  _flight("a4d5e6", "N512CP  ", -80.6021, 27.9001, 0.0, ground=True),
                  _flight("a7f801", "JBU918  ", -81.3002, 28.7004, 11277.6)]
    return _json({"time": EPOCH - 3, "states": states})


@route("fantasy.premierleague.com", "/api/bootstrap-static/")
def premier_league(req):
    events = [{"id": i, "name": "Gameweek %d" % i, "deadline_time": "2026-08-%02dT17:30:00Z"
               % (15 + i), "finished": False, "average_entry_score": 0} for i in range(1, 39)]
    teams = [{"id": i, "name": "Team %d" % i, "short_name": "T%02d" % i, "strength": 3}
             for i in range(1, 21)]
    elements = [{"id": i, "web_name": "Player %d" % i, "team": 1 + i % 20,
                 "now_cost": 45 + i % 90, "total_points": 0, "form": "0.0",
                 "selected_by_percent": "%.1f" % ((i * 37) % 500 / 10)} for i in range(1, 301)]
    return _json({"chips": [], "events": events, "game_settings": {"league_join_private_max":
                                                                    30},
                  "phases": [{"id": 1, "name": "Overall", "start_event": 1,
                              "stop_event": 38}],
                  "teams": teams, "total_players": 11234567,
                  "element_stats": [{"label": "Minutes played", "name": "minutes"}],
                  "element_types": [{"id": 1, "singular_name": "Goalkeeper"}],
                  "elements": elements})


route("queue-times.com", "/parks/")(queue_times)


@route("fdo.rocketlaunch.live", "/json/launches/next/")
def rocketlaunch(req):
    return _json({"errors": [], "valid_auth": False, "count": 1, "limit": 1, "total": 212,
                  "last_page": 212,
                  "result": [{"id": 5123, "cospar_id": "", "sort_date": str(EPOCH + 90000),
                              "name": "Starlink Group 10-31",
                              "provider": {"id": 1, "name": "SpaceX", "slug": "spacex"},
                              "vehicle": {"id": 1, "name": "Falcon 9", "company_id": 1,
                                          "slug": "falcon-9"},
                              "pad": {"id": 2, "name": "SLC-40", "location": {
                                  "id": 61, "name": "Cape Canaveral SFS", "state": "FL",
                                  "statename": "Florida", "country": "United States",
                                  "slug": "cape-canaveral-sfs"}},
                              "missions": [{"id": 7001, "name": "Starlink Group 10-31",
                                            "description": None}],
                              "mission_description": None,
                              "launch_description": "A SpaceX Falcon 9 rocket will launch "
                                                    "the Starlink Group 10-31 mission.",
                              "win_open": None, "t0": "2026-08-07T03:10Z",
                              "win_close": None, "date_str": "Aug 07",
                              "tags": [{"id": 13, "text": "Starlink"}]}]})


@route("api.steampowered.com", "/IPlayerService/GetOwnedGames/")
def steam(req):
    games = [{"appid": 620, "playtime_forever": 1875}, {"appid": 105600, "playtime_forever":
                                                         14410},
             {"appid": 413150, "playtime_forever": 30021}, {"appid": 1145360,
                                                            "playtime_forever": 611}]
    return _json({"response": {"game_count": len(games), "games": games}})


@route("id.twitch.tv", "/oauth2/token", "POST")
def twitch_token(req):
    form = parse_qs(req.body.decode("utf-8"))
    return _json({"access_token": _token("t" + form.get("client_id", [""])[-1], 30),
                  "expires_in": 5011271, "token_type": "bearer"})


@route("api.twitch.tv", "/helix/channels/followers")
def twitch_followers(req):
    if not (req.header("authorization") or "").startswith("Bearer "):
        return _json({"error": "Unauthorized", "status": 401,
                      "message": "OAuth token is missing"}, 401)
    return _json({"total": 8432, "data": [], "pagination": {}})


@route("youtube.googleapis.com", "/youtube/v3/channels")
def youtube(req):
    return _json({"kind": "youtube#channelListResponse", "etag": "corpusEtag0123",
                  "pageInfo": {"totalResults": 1, "resultsPerPage": 5},
                  "items": [{"kind": "youtube#channel", "etag": "corpusEtag4567",
                             "id": "UCpOlOeQjj7EsVnDh3zuCgsA",
                             "statistics": {"viewCount": "66161112", "subscriberCount": "486000",
                                            "hiddenSubscriberCount": False,
                                            "videoCount": "5678"}}]})


@route("api.rach.io", "/1/public/person/")
def rachio(req):
    rest = req.path[len("/1/public/person/"):].strip("/")
    limits = [("Date", _DATE), ("X-RateLimit-Limit", "1700"), ("X-RateLimit-Remaining", "1687"),
              ("X-RateLimit-Reset", "2026-08-07T00:00:00Z")]
    if rest == "info":
        return _json({"id": "c8d10892-fb6a-4c3c-9b87-0123456789ab"}, extra=limits)
    zones = [{"id": "z%d" % i, "zoneNumber": i + 1, "name": n, "enabled": True}
             for i, n in enumerate(["Front Lawn", "Back Lawn", "Garden Beds", "Side Yard"])]
    device = {"id": "d1", "status": "ONLINE", "zones": zones, "timeZone": "America/New_York",
              "latitude": 40.712776, "longitude": -74.005974, "name": "Rachio-ABC123",
              "serialNumber": "5P1234567890", "rainSensorTripped": False,
              "model": "GENERATION3_8ZONE", "macAddress": "2C3AE8001122",
              "utcOffset": -14400000, "on": True}
    return _json({"id": rest, "username": "corpusgardener", "fullName": "Corpus Gardener",
                  "email": "gardener@example.com", "deleted": False,
                  "createDate": 1523456789012, "devices": [device]}, extra=limits)
