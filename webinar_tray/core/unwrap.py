"""Redirectors: the link behind a wrapper, or word that a link is a wrapper we cannot see through.

Mail and chat systems rewrite links so a click goes through them first: Outlook Safe Links,
Google's `/url?q=`, Proofpoint URL Defense (v1, v2, v3), YouTube's `/redirect?q=`, LinkedIn's
`/redir/redirect?url=`, Facebook's and Messenger's `l.php?u=`, Instagram's `l.instagram.com/?u=`
and Slack's `slack-redir.net/link?url=`. `unwrap()` takes off up to three layers, offline, from the
link itself. Some wrappers hide the target on their server (LinkedIn's `lnkd.in` short links,
LinkedIn's warning pages): `is_wrapper()` still says what they are, and a link that is a wrapper
after unwrapping is never auto-joined (its destination is unknown).
"""

from __future__ import annotations

import base64
import binascii
import re
from urllib.parse import parse_qs, quote, unquote, urlsplit

from webinar_tray.core.url_host import hostname

LAYERS = 3  # wrappers taken off one link at most

_GOOGLE = re.compile(r"^(?:www\.)?google\.(?:com|[a-z]{2}|com?\.[a-z]{2})$")
_YOUTUBE = {"youtube.com", "www.youtube.com", "m.youtube.com"}
_LINKEDIN = {"linkedin.com", "www.linkedin.com"}
_FACEBOOK = {"l.facebook.com", "lm.facebook.com", "www.facebook.com", "m.facebook.com",
             "facebook.com", "l.messenger.com"}
_PROOFPOINT = {"urldefense.com", "urldefense.proofpoint.com"}
_SAFELINKS = (".safelinks.protection.outlook.com", ".safelinks.protection.office365.us")
_OPAQUE = {"lnkd.in", "www.lnkd.in"}  # short links: the target is only on LinkedIn's server

_PP_RUN = {c: i + 2 for i, c in enumerate(
    "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_")}


def _proofpoint_v3(url: str) -> str | None:
    m = re.search(r"/v3/__(.+?)__;([^!]*)!", url)
    if not m:
        return None
    inner, enc = m.group(1), m.group(2)
    if "*" not in inner:
        return inner
    try:
        chars = base64.urlsafe_b64decode(enc + "=" * (-len(enc) % 4)).decode("utf-8")
    except (binascii.Error, ValueError):
        return None
    pos = 0
    out: list[str] = []
    i = 0
    while i < len(inner):
        c = inner[i]
        if c != "*":
            out.append(c)
            i += 1
            continue
        if inner.startswith("**", i) and i + 2 < len(inner) and inner[i + 2] in _PP_RUN:
            n = _PP_RUN[inner[i + 2]]
            i += 3
        else:
            n = 1
            i += 1
        if pos + n > len(chars):
            return None
        out.append(chars[pos:pos + n])
        pos += n
    return "".join(out)


def _host_path_query(url: str) -> tuple[str, str, str] | None:
    try:
        p = urlsplit(url)
        host = (hostname(url) or "").rstrip(".")
    except (ValueError, AttributeError):
        return None
    if p.scheme not in ("http", "https") or not host:
        return None
    return host, p.path or "/", p.query


def _param(query: str, *names: str) -> str | None:
    q = parse_qs(query)
    for n in names:
        if q.get(n) and q[n][0].strip():
            return q[n][0].strip()
    return None


def _kind(host: str, path: str) -> str | None:
    """Which redirector a host and path belong to, or None."""
    if host.endswith(_SAFELINKS):
        return "safelinks"
    if _GOOGLE.match(host) and path == "/url":
        return "google"
    if host in _PROOFPOINT:
        return "proofpoint"
    if host in _YOUTUBE and path.rstrip("/") == "/redirect":
        return "youtube"
    if host in _LINKEDIN and path.startswith("/redir/"):
        return "linkedin"
    if host in _FACEBOOK and path.rstrip("/") in ("/l.php", "/l"):
        return "facebook"
    if host == "l.instagram.com":
        return "instagram"
    if host == "slack-redir.net":
        return "slack"
    if host in _OPAQUE:
        return "opaque"
    return None


def _unwrap_once(url: str) -> str | None:
    hpq = _host_path_query(url)
    if hpq is None:
        return None
    host, path, query = hpq
    kind = _kind(host, path)
    if kind in ("safelinks", "linkedin", "slack"):
        if kind == "linkedin" and path.rstrip("/") != "/redir/redirect":
            return None  # a warning page: the target is LinkedIn's to show, not ours to open
        return _param(query, "url")
    if kind == "google":
        return _param(query, "q", "url")
    if kind == "youtube":
        return _param(query, "q")
    if kind in ("facebook", "instagram"):
        return _param(query, "u")
    if kind == "proofpoint":
        if path.startswith("/v3/__"):
            return _proofpoint_v3(url)
        if path.startswith("/v2/url"):
            u = _param(query, "u")
            return unquote(u.replace("-", "%").replace("_", "/")) if u else None
        if path.startswith("/v1/url"):
            return _param(query, "u")
    return None


_ZOOMMTG = re.compile(r"^zoommtg://((?:[a-z0-9-]+\.)*zoom(?:-x)?\.(?:us|com|com\.cn|de))/join\?(.*)$",
                      re.IGNORECASE)


def zoom_web_link(url: str) -> str | None:
    """The web join link of a Zoom app link (`zoommtg://zoom.us/join?confno=123&pwd=abc` ->
    `https://zoom.us/j/123?pwd=abc`: the passcode kept), or None when `url` is not one."""
    m = _ZOOMMTG.match(url)
    if not m:
        return None
    q = parse_qs(m.group(2))
    confno = (q.get("confno") or [""])[0].strip()
    if not confno.isdigit():
        return None
    pwd = (q.get("pwd") or [""])[0].strip()
    return f"https://{m.group(1).lower()}/j/{confno}" + (f"?pwd={quote(pwd, safe='')}" if pwd else "")


def unwrap(url: str) -> str:
    """The link behind up to three layers of the redirectors above (the link itself if none);
    a Zoom app link (`zoommtg://`) becomes its web join link."""
    url = zoom_web_link(url) or url
    for _ in range(LAYERS):
        inner = _unwrap_once(url)
        if not inner or inner == url:
            break
        url = inner
    return url


def is_wrapper(url: str | None) -> bool:
    """Is `url` (still) a redirector's link? True for a wrapper `unwrap` could not take off
    (an `lnkd.in` short link, a Safe Links address without its `url`, a fourth layer...)."""
    hpq = _host_path_query(url) if isinstance(url, str) else None
    return hpq is not None and _kind(hpq[0], hpq[1]) is not None
