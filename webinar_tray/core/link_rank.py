"""Ranking an event's links (see core/links.py's docstring for the order): the tier of each
candidate, the non-join pages that go last, and the passcode variant of a meeting that takes the
place of the first link to it. Pure; used by `links.candidates`."""

from __future__ import annotations

import re
from typing import TYPE_CHECKING
from urllib.parse import parse_qs, urlsplit

from webinar_tray.core.services import host_matches
from webinar_tray.core.url_host import hostname

if TYPE_CHECKING:
    from webinar_tray.core.links import LinkCandidate


# The lookahead names the first character of every alternative (case-insensitive, as the
# rest; `^` is followed by one of the last group's): the same matches, a third less time.
_JUNK_PATH = re.compile(
    r"(?=[uopcgsa./hftlm])(?:unsubscri|opt-?out|privacy|cookie|gdpr|preference|subscription"
    r"|add-?to-?cal|addtocal|calendar|\.ics$|\.vcs$|/ics(?:/|$)|/meetingoptions"
    r"|(?:^|/)(?:support|help|faq|feedback|contact|terms|legal|login|signin|sign-in|password"
    r"|mybrighttalk)(?:[/._-]|$))",
    re.IGNORECASE,
)
_JUNK_HOST = re.compile(
    r"^(?:help|support|privacy|legal|status|docs|community|blog|careers|unsubscribe)\.",
    re.IGNORECASE,
)


def looks_like_non_join(url: str, home_may_join: bool = False) -> bool:
    """Unsubscribe, privacy, terms, add-to-calendar, help pages and bare home pages (unless
    `home_may_join`: an account site whose root is its room, `acme.zm.page/`; a
    single-page app's route `/#/g/…` is not a bare home page)."""
    try:
        p = urlsplit(url)
        host = hostname(url) or ""
    except ValueError:
        return False
    if _JUNK_HOST.match(host):
        return True
    if p.path in ("", "/") and not p.query and not p.fragment.startswith(("/", "!")):
        return not home_may_join
    return _JUNK_PATH.search(p.path) is not None


def _tier(c: LinkCandidate, preferred_hosts: tuple[str, ...]) -> int:
    """0 conference, 1 hangoutLink, 2 a join link (catalogue join path or a host the user
    named), 3 another page of a catalogue site, 4 an unknown link."""
    if c.where == "conference":
        return 0
    if c.where == "hangout":
        return 1
    s = c.service
    if s is not None and not s.fallback and s.browser:
        return 2
    if preferred_hosts:
        host = _host(c.url)
        if host and any(host_matches(host, h) for h in preferred_hosts):
            return 2
    return 3 if s is not None else 4


def rank(c: LinkCandidate, index: int, preferred_hosts: tuple[str, ...]) -> tuple:
    tier = _tier(c, preferred_hosts)
    # An account site's root is that account's room (`acme.zm.page/`); any other bare home page
    # is a home page, even where a row matches it (Vowel's room is in the fragment).
    s = c.service
    account_root = s is not None and not s.fallback and any(h.startswith("*.") for h in s.hosts)
    return (min(tier, 2), looks_like_non_join(c.url, home_may_join=account_root), tier, index)


def _host(url: str) -> str:
    try:
        return (hostname(url) or "").rstrip(".")
    except ValueError:
        return ""


def _meeting(c: LinkCandidate) -> tuple[str, str] | None:
    """Which meeting a safe link opens: (service, path) for a catalogue join link (Zoom's
    `us02web.zoom.us/j/1` and `zoom.us/j/1` are one), else (host without www., path)."""
    if not c.safe:
        return None
    path = urlsplit(c.url).path.rstrip("/").lower()
    if c.service is not None and not c.service.fallback:
        return "service:" + c.service.name, path
    host = _host(c.url)
    return (host[4:] if host.startswith("www.") else host), path


def _has_passcode(url: str) -> bool:
    try:
        query = urlsplit(url).query
        if "pwd" not in query and "%" not in query:  # no `pwd` field, even percent-encoded:
            return False  # parse_qs (half the ranking's time) could not find one
        return any(v.strip() for v in parse_qs(query).get("pwd", ()))
    except ValueError:
        return False


def passcode_first(ranked: list[LinkCandidate]) -> list[LinkCandidate]:
    """`ranked` with each meeting's links next to its best-ranked one, the one carrying a
    passcode first: the invitation's `zoom.us/j/1?pwd=…` opens without asking for it."""
    first: dict[tuple[str, str], int] = {}
    keyed = []
    for i, c in enumerate(ranked):
        m = _meeting(c)
        group = i if m is None else first.setdefault(m, i)
        keyed.append(((group, not _has_passcode(c.url), i), c))
    if len(first) == len(ranked):
        return ranked
    keyed.sort(key=lambda t: t[0])
    return [c for _, c in keyed]
