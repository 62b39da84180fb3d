"""What may be shown of a link: scheme://host/path, never the query (Zoom pwd, ON24 keys)."""

from __future__ import annotations

from urllib.parse import urlsplit


def safe_url(url: str | None) -> str:
    if not url:
        return ""
    try:
        p = urlsplit(url)
    except ValueError:
        return "<unparseable link>"
    host = p.hostname or ""
    if p.port:
        host = f"{host}:{p.port}"
    if not p.scheme:
        return "<link>"
    return f"{p.scheme}://{host}{p.path}"
