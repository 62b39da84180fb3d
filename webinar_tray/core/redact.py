"""What may be shown of a link: scheme://host/path, never the query (Zoom pwd, ON24 keys), and
never a path segment that is itself a key (ON24's `/wcc/r/<event id>/<key>` links)."""

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
    if p.port:
        host = f"{host}:{p.port}"
    return f"{p.scheme}://{host}{path}"
