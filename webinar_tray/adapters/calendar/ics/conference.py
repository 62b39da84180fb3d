"""An event's conference links: Google's and Microsoft's own properties, then RFC 7986
CONFERENCE (the ones offering VIDEO first); http(s) only."""

from __future__ import annotations

CONFERENCE_PROPERTIES = (
    "X-GOOGLE-CONFERENCE",
    "X-MICROSOFT-ONLINEMEETINGCONFLINK",
    "X-MICROSOFT-SKYPETEAMSMEETINGURL",
)
# RFC 7986 CONFERENCE: a link to join (FEATURE says what it offers).
CONFERENCE = "CONFERENCE"


def conference_links(comp) -> tuple[str, ...]:
    """Google's and Microsoft's conference properties, then RFC 7986 CONFERENCE links (those
    offering VIDEO first); http(s) only (a `tel:` or `xmpp:` conference is no link to open)."""
    links: list[str] = []
    for prop in CONFERENCE_PROPERTIES:
        for v in values(comp, prop):
            if v.lower().startswith(("https://", "http://")) and v not in links:
                links.append(v)
    conference = [(not _offers_video(v), i, str(v).strip()) for i, v in enumerate(as_list(comp.get(CONFERENCE)))]
    for _, _, v in sorted(conference):
        if v.lower().startswith(("https://", "http://")) and v not in links:
            links.append(v)
    return tuple(links)


def _offers_video(v) -> bool:
    features = getattr(v, "params", {}).get("FEATURE", "")
    features = features if isinstance(features, list) else str(features).split(",")
    return any(str(f).strip().upper() == "VIDEO" for f in features)


def as_list(v) -> list:
    """A property's values (icalendar gives one value or a list)."""
    if v is None:
        return []
    return list(v) if isinstance(v, list) else [v]


def values(comp, prop: str) -> list[str]:
    """A property's non-empty values as text."""
    return [s for s in (str(v).strip() for v in as_list(comp.get(prop))) if s]
