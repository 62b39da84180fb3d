"""Which sites the browser may show for one webinar, and whether a page has left them.

A webinar's page may be on: the hosts of the link's catalogue service, the companion hosts its
provider declares (sign-in and player hosts: `COMPANION_HOSTS` of each module in
adapters/browser/providers), `[join] allowed_hosts`, and the link's own host (with a leading
`www.` dropped, so `example.com` and `www.example.com` are one site). Every join the browser
makes was approved for its link - by the planner (a catalogue join link or an allowed host), by
the user turning auto-join on for the event, by "Join now" or `join URL` - so its own host is
always one of them. Each counts with its subdomains.
"""

from __future__ import annotations

from typing import Iterable
from urllib.parse import urlsplit

from webinar_tray.core.services import find_service, host_matches, split_host_path

# Pages that are no site of their own: the blank page a tab starts on, an iframe's srcdoc, and
# Chromium's error page (a failed navigation, which the open step reports itself).
_NO_SITE = ("about:blank", "about:srcdoc", "chrome-error:")


def _norm(host: str) -> str:
    return host.lower().strip().rstrip(".")


def page_hosts(url: str, companions: Iterable[str] = (), allowed: Iterable[str] = ()) -> tuple[str, ...]:
    """The hosts the page opened for `url` may show (see the module's docstring)."""
    hosts: list[str] = []
    service = find_service(url)
    if service is not None:
        hosts += service.site_hosts
    hp = split_host_path(url)
    if hp is not None:
        own = hp[0]
        hosts.append(own[4:] if own.startswith("www.") and own.count(".") > 1 else own)
    hosts += list(companions) + list(allowed)
    out: list[str] = []
    for h in hosts:
        h = _norm(h) if isinstance(h, str) else ""
        if h and h not in out:
            out.append(h)
    return tuple(out)


def left_to(page_url: str | None, hosts: Iterable[str]) -> str | None:
    """None while `page_url` is on one of `hosts` (or is a blank/error page); else what it left
    to: the host of an http(s) or blob: page, or the scheme of any other (`data:`, `file:` ...)."""
    url = (page_url or "").strip()
    if not url or url.lower().startswith(_NO_SITE):
        return None
    if url.lower().startswith("blob:"):
        url = url[5:]  # blob:https://host/uuid belongs to the page that made it
    try:
        parts = urlsplit(url)
        host = _norm(parts.hostname or "")
    except ValueError:
        return "an unreadable address"
    scheme = parts.scheme.lower()
    if scheme not in ("http", "https"):
        return f"{scheme or 'unknown'}:"
    if not host:
        return "an unreadable address"
    if any(host_matches(host, h) for h in hosts):
        return None
    return host
