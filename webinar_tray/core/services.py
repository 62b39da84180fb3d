"""The service catalogue: which sites host webinars, meetings and streams, and which join steps fit.

Each row names a service, the hosts it lives on (a row matches the host itself or any subdomain)
and optionally a regex for the URL path. Rows are checked in order, so the more specific row of a
site (Zoom webinars, Webex events, Teams town halls) comes before its general row.

A `fallback` row recognises a site whose join paths are known but whose other pages are not join
links (a BrightTALK channel page, Zoom's "find your local number", a YouTube channel page, Teams'
"meeting options"): the service is still known (auto-join may open it), but link ranking treats
it like an unknown link.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from functools import lru_cache
from urllib.parse import urlsplit

KINDS = ("webinar", "meeting", "stream")
STEPS = ("brighttalk", "zoom", "on24", "webex", "teams", "youtube", "generic")


@dataclass(frozen=True)
class Service:
    name: str  # shown to users, e.g. "BrightTALK", "Zoom Webinar"
    kind: str  # "webinar" | "meeting" | "stream"
    hosts: tuple[str, ...]  # host names; a row matches the host itself or any subdomain of it
    path: str = ""  # optional regex matched (re.search, case-insensitive) against the path
    steps: str = "generic"  # join steps: brighttalk|zoom|on24|webex|teams|youtube|generic
    fallback: bool = False  # any other page of a known site: known, but not ranked as a join link

    def matches(self, host: str, path: str) -> bool:
        """`host` is lower case without port or trailing dot; `path` is the URL's path."""
        if not any(host_matches(host, h) for h in self.hosts):
            return False
        return not self.path or _compiled(self.path).search(path or "/") is not None


@lru_cache(maxsize=None)
def _compiled(pattern: str) -> re.Pattern[str]:
    return re.compile(pattern, re.IGNORECASE)


def host_matches(host: str, pattern: str) -> bool:
    """`host` is `pattern` or a subdomain of it (both compared lower case, trailing dot ignored)."""
    host = host.lower().rstrip(".")
    pattern = pattern.lower().strip().rstrip(".")
    return bool(pattern) and (host == pattern or host.endswith("." + pattern))


_ZOOM = ("zoom.us", "zoom.com", "zoomgov.com")
_TEAMS = ("teams.microsoft.com", "teams.microsoft.us", "teams.cloud.microsoft")

CATALOGUE: tuple[Service, ...] = (
    # --- webinar platforms -----------------------------------------------------------------
    Service(
        "BrightTALK",
        "webinar",
        ("brighttalk.com",),
        path=r"^/(?:webcast|webinar|summit|series|events?)/",
        steps="brighttalk",
    ),
    Service(
        "ISC2 (BrightTALK)",
        "webinar",
        ("isc2.org",),
        path=r"^/(?:[a-z]{2}(?:-[a-z]{2})?/)?(?:professional-development|webinars?|knowledge-vault)(?:/|$)",
        steps="brighttalk",
    ),
    Service("ON24", "webinar", ("on24.com",), steps="on24"),
    Service("Zoom Events", "webinar", ("events.zoom.us", "events.zoom.com"), steps="zoom"),
    Service("Zoom Webinar", "webinar", _ZOOM, path=r"^/(?:w|webinar)/", steps="zoom"),
    Service("Zoom", "meeting", _ZOOM, path=r"^/(?:j|my|wc|meeting)/", steps="zoom"),
    Service("GoTo Webinar", "webinar", ("gotowebinar.com",)),
    Service("GoTo Meeting", "meeting", ("gotomeeting.com", "meet.goto.com")),
    Service("GoTo Meeting", "meeting", ("app.goto.com",), path=r"^/meeting/"),
    Service(
        "Webex Events",
        "webinar",
        ("webex.com",),
        path=r"^/webappng/sites/[^/]+/webinar|^/weblink/register|/onstage/|/webinar/|/eventcenter/",
        steps="webex",
    ),
    Service("Webex", "meeting", ("webex.com",), steps="webex"),
    Service(
        "Teams Town Hall",
        "webinar",
        _TEAMS,
        path=r"^/(?:convene/(?:townhall|webinars)|l/(?:broadcast|event)/)",
        steps="teams",
    ),
    Service(
        "Microsoft Teams",
        "meeting",
        _TEAMS,
        path=r"^/(?:l/meetup-join/|meet/|dl/launcher/)",
        steps="teams",
    ),
    Service("Microsoft Teams", "meeting", ("teams.live.com",), steps="teams"),
    Service("Livestorm", "webinar", ("livestorm.co",)),
    Service("Airmeet", "webinar", ("airmeet.com",)),
    Service("BigMarker", "webinar", ("bigmarker.com",)),
    Service("WebinarJam", "webinar", ("webinarjam.com",)),
    Service("EverWebinar", "webinar", ("everwebinar.com",)),
    Service("Crowdcast", "webinar", ("crowdcast.io",)),
    Service("Demio", "webinar", ("demio.com",)),
    Service("ClickMeeting", "webinar", ("clickmeeting.com",)),
    Service("Goldcast", "webinar", ("goldcast.io",)),
    Service("WebinarNinja", "webinar", ("webinarninja.com",)),
    Service("Hopin", "webinar", ("hopin.com", "hopin.to")),
    Service("RingCentral Events", "webinar", ("events.ringcentral.com",)),
    Service("Notified Webcast", "webinar", ("webcasts.com", "onlinexperiences.com")),
    Service(
        "Zoho Webinar",
        "webinar",
        ("webinar.zoho.com", "webinar.zoho.eu", "webinar.zoho.in", "webinar.zoho.com.au"),
    ),
    Service("BlueJeans Events", "webinar", ("primetime.bluejeans.com",)),
    # --- meetings ----------------------------------------------------------------------------
    Service("Google Meet", "meeting", ("meet.google.com",)),
    Service(
        "Zoho Meeting",
        "meeting",
        ("meeting.zoho.com", "meeting.zoho.eu", "meeting.zoho.in", "meeting.zoho.com.au"),
    ),
    Service("RingCentral Video", "meeting", ("v.ringcentral.com", "meetings.ringcentral.com")),
    Service("BlueJeans", "meeting", ("bluejeans.com",)),
    Service("Jitsi Meet", "meeting", ("meet.jit.si", "8x8.vc")),
    Service("Whereby", "meeting", ("whereby.com",)),
    Service("Amazon Chime", "meeting", ("chime.aws",)),
    Service("Skype", "meeting", ("join.skype.com",)),
    Service("Adobe Connect", "meeting", ("adobeconnect.com",)),
    # --- streams -----------------------------------------------------------------------------
    Service(
        "YouTube Live",
        "stream",
        ("youtube.com",),
        path=r"^/(?:watch|live/|embed/)|/live/?$|/streams/?$",
        steps="youtube",
    ),
    Service("YouTube Live", "stream", ("youtu.be",), steps="youtube"),
    Service("LinkedIn Live", "stream", ("linkedin.com",), path=r"^/(?:events|video/(?:live|event))/"),
    Service("Vimeo", "stream", ("vimeo.com", "livestream.com")),
    Service("StreamYard", "stream", ("streamyard.com",)),
    # --- the rest of a known site: still the service, but not ranked as a join link -----------
    Service("BrightTALK", "webinar", ("brighttalk.com",), steps="brighttalk", fallback=True),
    Service("Zoom", "meeting", _ZOOM, steps="zoom", fallback=True),
    Service("Microsoft Teams", "meeting", _TEAMS, steps="teams", fallback=True),
    Service("YouTube", "stream", ("youtube.com",), steps="youtube", fallback=True),
)


def split_host_path(url: str) -> tuple[str, str] | None:
    """(host, path) of an http(s) URL: host lower case, no port, no trailing dot; else None."""
    try:
        p = urlsplit(url.strip())
        host = p.hostname or ""
    except (ValueError, AttributeError):
        return None
    if p.scheme not in ("http", "https"):
        return None
    host = host.rstrip(".")
    if not host:
        return None
    return host, p.path or "/"


def find_service(
    url: str, catalogue: tuple[Service, ...] = CATALOGUE, extra_hosts=()
) -> Service | None:
    """The first catalogue row that matches an http(s) `url`, or None.

    `extra_hosts` (e.g. `[join] allowed_hosts`) are tried after the catalogue: a match gives a
    generic row named after the host (kind "meeting": an allowed host says nothing about webinars).
    The planner checks allowed_hosts itself, so it normally passes none.
    """
    hp = split_host_path(url) if isinstance(url, str) else None
    if hp is None:
        return None
    host, path = hp
    for service in catalogue:
        if service.matches(host, path):
            return service
    for h in extra_hosts:
        if host_matches(host, h):
            h = h.lower().strip().rstrip(".")
            return Service(h, "meeting", (h,))
    return None
