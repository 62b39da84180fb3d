"""The webinar rules of [match]: an event is a webinar if ANY rule matches."""

from __future__ import annotations

from webinar_tray.core.events import CalendarEvent
from webinar_tray.core.settings import MatchSettings
from webinar_tray.core.url_host import hostname


def host_of(url: str | None) -> str:
    try:
        return (hostname(url or "") or "").lower()
    except ValueError:
        return ""


def host_in(host: str, hosts) -> bool:
    """`host` is one of `hosts` or a subdomain of one."""
    host = host.lower().rstrip(".")
    for h in hosts:
        h = h.lower().strip().rstrip(".")
        if h and (host == h or host.endswith("." + h)):
            return True
    return False


def webinar_rule(
    event: CalendarEvent, link_url: str | None, link_kind: str | None, match: MatchSettings,
    link_host: str | None = None,
) -> str | None:
    """The name of the first rule that makes `event` a webinar, or None. `link_host`: the
    link's host when the caller knows it already."""
    title = event.title.casefold()
    if any(k.strip() and k.casefold() in title for k in match.keywords):
        return "keyword"
    location = event.location.casefold()
    if any(loc.strip() and loc.casefold() in location for loc in match.locations):
        return "location"
    organizer = event.organizer.casefold()
    for o in match.organizers:
        o = o.strip().casefold()
        if o and organizer and (organizer == o or (o.startswith("@") and organizer.endswith(o))):
            return "organizer"
    if link_url and event.calendar_id in match.calendars:
        return "calendar"
    if link_url and match.hosts and host_in(host_of(link_url) if link_host is None else link_host,
                                            match.hosts):
        return "host"
    if link_kind == "webinar":
        return "catalogue"
    return None
