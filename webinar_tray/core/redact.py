"""What may be shown of a link: scheme://host/path, never the query (Zoom pwd, ON24 keys), and
never a path segment that is itself a key (ON24's `/wcc/r/<event id>/<key>` links).

`safe_url(url)` is that text; `SafeUrl(url)` is a value whose str is it, for the links we log on
purpose (`log.info("opening %s", SafeUrl(url))`): the log filter keeps a SafeUrl's rendering and cuts
every other URL in a message or traceback to scheme://host/… (`cut_urls`), since a path can be a
secret too (a private iCal address)."""

from __future__ import annotations

import re
from urllib.parse import urlsplit

# Paths whose tail is a secret: (host suffix, path pattern keeping only group 1).
_SECRET_PATHS = (
    ("on24.com", re.compile(r"^(/wcc/r/\d+)/[^/]+.*$")),
)


def safe_url(url: str | None) -> str:
    if not url:
        return ""
    try:
        p = urlsplit(url)
    except ValueError:
        return "<unparseable link>"
    host = p.hostname or ""
    if not p.scheme:
        return "<link>"
    path = p.path
    for suffix, pattern in _SECRET_PATHS:
        if host == suffix or host.endswith("." + suffix):
            m = pattern.match(path)
            if m:
                path = m.group(1) + "/…"
    try:
        port = p.port
    except ValueError:  # "https://data:text/html,": not a port; never raise for a message's sake
        port = None
    if port:
        host = f"{host}:{port}"
    return f"{p.scheme}://{host}{path}"


class SafeUrl:
    """A link as it may be logged: str() is `safe_url(url)`; the full link never renders."""

    __slots__ = ("_url",)

    def __init__(self, url: str | None):
        self._url = url

    def __str__(self) -> str:
        return safe_url(self._url)

    def __repr__(self) -> str:
        return safe_url(self._url)

    def __format__(self, spec: str) -> str:
        return format(str(self), spec)

    def __eq__(self, other: object) -> bool:
        return isinstance(other, SafeUrl) and str(self) == str(other)

    def __hash__(self) -> int:
        return hash(str(self))


# scheme://… up to a space, a quote or an angle bracket (U+E000: the log filter's own markers)
_ANY_URL = re.compile(r"\b[a-zA-Z][a-zA-Z0-9+.-]*://[^\s\"'<>\ue000]+")


def host_only(url: str) -> str:
    """scheme://host/… — scheme, host and port only, "/…" when anything followed them."""
    scheme, _, rest = url.partition("://")
    try:
        p = urlsplit(url)
        host = p.hostname or ""
        port = p.port
    except ValueError:
        return f"{scheme}://…"
    if ":" in host:
        host = f"[{host}]"
    if port:
        host = f"{host}:{port}"
    netloc_end = len(rest.split("/", 1)[0].split("?", 1)[0].split("#", 1)[0])
    tail = rest[netloc_end:]
    if tail in ("", "/") and "@" not in rest[:netloc_end]:
        return f"{scheme}://{host}{tail}"
    return f"{scheme}://{host}/…"


def cut_urls(text: str) -> str:
    """Every URL in `text` cut to scheme://host/… (query, path and user:password@ gone)."""
    def one(m: re.Match[str]) -> str:
        url = m.group(0)
        stripped = url.rstrip(".,;:!?)]}")  # sentence punctuation after a link is not the link
        return host_only(stripped) + url[len(stripped):]

    return _ANY_URL.sub(one, text)
