"""Join-link detection: every link of an event, unwrapped, checked and ranked; the best safe one.

Ranking, best first (issue 12):
  1. conference data, 2. the hangoutLink,
  3. a catalogue join link, or a link whose host the user named (`[join] allowed_hosts`,
     `[match] hosts`: the `preferred_hosts` given),
  4. any other page of a catalogue site (a `fallback` row, or a service no browser can join),
  5. unknown links;
ties by position (location before description, then order in the text). Links to
unsubscribe/privacy/calendar/help pages and bare home pages (even on a join path: BrightTALK's
`/webcast/…/calendar/ics`) go after every other link of tiers 3-5. A link found in two places keeps the better one, and among links to the same meeting (same service
and path, or same host and path) the one carrying a passcode (`pwd=`) takes the place of the
first. Only http(s) links with a host and no userinfo are ever safe to open.

Pure and bounded: one linear regex scan over the text (tags are skipped, not parsed), at most
`MAX_LINKS` distinct links per text and `MAX_URL` characters per link. HTML character
references that spell a link (`&#x68;ttps://…`, `https&colon;//…`) are decoded first.
"""

from __future__ import annotations

import html
import re
from dataclasses import dataclass
from typing import TYPE_CHECKING
from urllib.parse import urlsplit

from webinar_tray.core.link_rank import looks_like_non_join, passcode_first, rank  # noqa: F401 (API)
from webinar_tray.core.services import CATALOGUE, Service, find_service
from webinar_tray.core.unwrap import is_wrapper, unwrap  # noqa: F401 (part of this module's API)
from webinar_tray.core.url_host import hostname

if TYPE_CHECKING:
    from webinar_tray.core.events import CalendarEvent

MAX_LINKS = 200  # distinct links taken from one text (a 1 MB description is read once, linearly)
MAX_URL = 16384  # characters of one link; a longer run is cut (and then fails to match anything)
MAX_TAG = 16384  # characters of one HTML tag scanned for its href

PLACES = ("conference", "hangout", "location", "description")


@dataclass(frozen=True)
class LinkCandidate:
    url: str  # the (unwrapped) link
    where: str  # "conference" | "hangout" | "location" | "description"
    safe: bool  # http/https with a host, no userinfo, no control characters
    service: Service | None


# --- extraction ------------------------------------------------------------------------------

# One pass, left to right: an HTML tag (whose href we read, and whose other attributes we skip so
# image/stylesheet addresses are not taken for links) or a bare URL. Every quantifier is bounded or
# stops at a delimiter the next match starts after, so the scan is linear in the text. The
# lookahead names every first character a match can have (case-insensitive, as the rest): the
# same matches, but the engine rejects any other position with one test instead of trying each
# alternative (half the time of the scan).
_TOKEN = re.compile(
    r"(?=[<hfz])(?:<(?P<tag>[A-Za-z][A-Za-z0-9-]{0,30})(?=[\s/>])(?P<attrs>[^<>]{0,%d})>"
    r"|(?P<url>(?:https?|ftp|file|zoommtg)://[^\s<>\"'`]{1,%d}))" % (MAX_TAG, MAX_URL),
    re.IGNORECASE,
)
_HREF = re.compile(
    r"""(?:^|\s)href\s*=\s*(?:"([^"]*)"|'([^']*)'|([^\s"'>]+))""", re.IGNORECASE
)
_LINK_TAGS = {"a", "area"}
_ENTITY = re.compile(r"&(?:#[0-9]{1,7};|#[xX][0-9a-fA-F]{1,6};|[A-Za-z][A-Za-z0-9]{1,31};"
                     r"|(?:amp|lt|gt|quot)(?![A-Za-z0-9=]))")
_TAB_NL = re.compile(r"[\t\n\r]")
_C0_AND_SPACE = "".join(chr(i) for i in range(0x21))
_CONTROL = re.compile(r"[\x00-\x1f\x7f-\x9f]")
_DELIMITER = re.compile(r"[<>\"\s]")
_TRAILING = ".,;:!?'\"*>"
_PAIRS = {")": "(", "]": "[", "}": "{"}


def _unescape(s: str) -> str:
    """HTML entities as a browser reads them in an attribute: `&name;`, `&#NN;`, `&#xHH;`, and
    `&amp` without `;` unless a letter, digit or `=` follows (so `&region=` stays as written)."""
    if "&" not in s:
        return s
    return _ENTITY.sub(lambda m: html.unescape(m.group(0)), s)


_HIDING = frozenset("<>\"'&`")
# References worth decoding: not the common ones for delimiters and spaces (most of an HTML
# invite's references), which would stay encoded anyway.
_REVEALABLE = re.compile(r"&(?!(?:amp|lt|gt|quot|apos|nbsp);)"
                         r"(?:#[0-9]{1,7};|#[xX][0-9a-fA-F]{1,6};|[A-Za-z][A-Za-z0-9]{1,31};)")


def _reveal_char(m: re.Match[str]) -> str:
    ch = html.unescape(m.group(0))
    if any(c in _HIDING or c.isspace() or ord(c) < 0x20 for c in ch):
        return m.group(0)  # a delimiter stays encoded: decoding it would change what is a tag
    return ch


def _reveal(text: str) -> str:
    """Character references that stand for ordinary characters decoded, as a reader sees them
    (`&#x68;ttps&#58;//` is `https://`); those for `< > " ' &` and backquote, spaces and controls kept, so
    the text's tags and delimiters stay where the sender put them."""
    if "&" not in text:
        return text
    return _REVEALABLE.sub(_reveal_char, text)


def _clean_href(s: str) -> str:
    # What a browser does to an attribute URL: entities decoded, tabs/newlines removed, leading and
    # trailing C0 controls and spaces stripped.
    s = _TAB_NL.sub("", _unescape(s))
    return s.strip(_C0_AND_SPACE)


def _clean_given(s: str) -> str:
    """A link given as a link (conference data, hangoutLink): only what a browser would drop."""
    return _TAB_NL.sub("", s).strip(_C0_AND_SPACE)


_BLOCK_START = re.compile(r"<(?:(style|script)(?=[\s>/])|!--)", re.IGNORECASE)
_BLOCK_END = {
    "style": re.compile(r"</style\s*>", re.IGNORECASE),
    "script": re.compile(r"</script\s*>", re.IGNORECASE),
    None: re.compile(r"-->"),
}


def _drop_blocks(text: str) -> str:
    """Text without <style>/<script> blocks and <!-- comments --> (CSS holds image addresses).
    Linear: every search resumes where the previous one ended; an unclosed block runs to the end."""
    if "<" not in text:
        return text
    parts: list[str] = []
    pos = 0
    while True:
        m = _BLOCK_START.search(text, pos)
        if not m:
            parts.append(text[pos:])
            break
        parts.append(text[pos:m.start()])
        parts.append(" ")
        kind = m.group(1).lower() if m.group(1) else None
        end = _BLOCK_END[kind].search(text, m.end())
        if not end:
            break
        pos = end.end()
    return "".join(parts)


def _clean_bare(s: str) -> str:
    if "&" in s:
        s = _unescape(s)
        # An entity may have hidden a delimiter (`&lt;https://x&gt;`, `&quot;`): cut there.
        cut = _DELIMITER.search(s)
        if cut:
            s = s[:cut.start()]
    if "](" in s:  # markdown [text](url) written with a URL as its text
        s = s[: s.index("](")]
    end = len(s)
    if not end or (s[-1] not in _TRAILING and s[-1] not in _PAIRS):
        return s
    counts = {c: s.count(c) for c in "()[]{}"}
    while end:
        last = s[end - 1]
        if last in _TRAILING:
            end -= 1
        elif last in _PAIRS and counts[last] > counts[_PAIRS[last]]:
            counts[last] -= 1
            end -= 1
        else:
            break
    return s[:end]


def extract_urls(text: str, limit: int = MAX_LINKS) -> list[str]:
    """Links in plain text or HTML, in order of appearance, each once: `href` values of `<a>`
    and `<area>` tags (any scheme: their safety is judged later) and bare http(s)/ftp/file URLs
    (trailing punctuation and unbalanced closing brackets stripped), and Zoom app `zoommtg://`
    links (turned into web links by `unwrap`). HTML entities are decoded."""
    if not text:
        return []
    seen: set[str] = set()
    out: list[str] = []
    for m in _TOKEN.finditer(_drop_blocks(_reveal(text))):
        tag, attrs, url = m.groups()  # one call, not one per named group
        if url is not None:
            url = _clean_bare(url)
            if "://" not in url:
                continue
        elif tag.lower() in _LINK_TAGS:
            h = _HREF.search(attrs)
            if not h:
                continue
            url = _clean_href(next(g for g in h.groups() if g is not None))
            if not url or url.startswith("#"):
                continue
        else:
            continue
        if url not in seen:
            seen.add(url)
            out.append(url)
            if len(out) >= limit:
                break
    return out


_SOFT, _PARA = "\x00", "\x01"  # markers: a line break / a paragraph break, merged when adjacent
_BREAK_RUN = re.compile(r"([\x00\x01][\s\x00\x01]*)")


_TAG = re.compile(
    r"<(?:/?([A-Za-z][A-Za-z0-9-]{0,30})(?=[\s/>])|[!?])[^<>]{0,%d}>" % MAX_TAG, re.IGNORECASE
)
_PARA_TAGS = {"p", "h1", "h2", "h3", "h4", "h5", "h6", "blockquote", "table", "ul", "ol"}
_SOFT_TAGS = {"div", "li", "tr", "hr", "section", "article", "header", "footer"}


def _tag_text(m: re.Match[str]) -> str:
    name = (m.group(1) or "").lower()
    if name == "br":
        return "\n"
    if name in _PARA_TAGS:
        return _PARA
    if name in _SOFT_TAGS:
        return _SOFT
    return ""


def strip_html(text: str) -> str:
    """Readable text of an HTML description: tags removed, <br> as a line break, block elements
    (<p>, <div>, <li>, ...) as line or paragraph breaks, script/style/comments dropped, entities
    decoded, runs of blank lines collapsed. Plain text passes through with its line breaks.

    A linear regex scan rather than html.parser: HTMLParser takes minutes on a few hundred KB of
    unclosed tags, and a description is whatever the invite's sender wrote."""
    if not text:
        return ""
    s = _drop_blocks(text.replace(_SOFT, "").replace(_PARA, ""))
    s = html.unescape(_TAG.sub(_tag_text, s))
    s = s.replace("\r\n", "\n").replace("\xa0", " ")
    pieces = _BREAK_RUN.split(s)  # text, break, text, break, ..., text
    for i in range(1, len(pieces), 2):
        pieces[i - 1] = pieces[i - 1].rstrip(" \t\r\n")
        pieces[i] = "\n\n" if _PARA in pieces[i] else "\n"
    s = "".join(pieces)
    s = "\n".join(line.rstrip() for line in s.split("\n"))
    return re.sub(r"\n{3,}", "\n\n", s).strip()


# --- safety and ranking ----------------------------------------------------------------------

_HOST_OK = re.compile(r"^[\w.-]+$")
_HOST6_OK = re.compile(r"^[0-9a-f:.]+$", re.IGNORECASE)


def is_safe(url: str | None) -> bool:
    """May this link be opened? Only http(s) with a plain host: no userinfo, no control
    characters or whitespace in the address's host, no backslashes, a valid port."""
    if not url or not isinstance(url, str) or len(url) > MAX_URL:
        return False
    if _CONTROL.search(url):
        return False
    if url != url.strip():
        return False
    try:
        p = urlsplit(url)
        host = hostname(url)
        p.port  # noqa: B018  (raises ValueError for a bad port)
    except ValueError:
        return False
    if p.scheme not in ("http", "https") or not url.lower().startswith(p.scheme + "://"):
        return False
    netloc = p.netloc
    if not host or "@" in netloc or "\\" in netloc or "%" in netloc:
        return False
    if "[" in netloc:
        return bool(_HOST6_OK.match(host))
    return bool(_HOST_OK.match(host)) and ".." not in host and not host.startswith(("-", "."))


def candidates(
    event: "CalendarEvent", catalogue: tuple[Service, ...] = CATALOGUE, extra_hosts=(),
    preferred_hosts: tuple[str, ...] = (),
) -> list[LinkCandidate]:
    """Every link of `event`, unwrapped, best first (see the module's docstring).
    `preferred_hosts`: hosts the user named (`[join] allowed_hosts`, `[match] hosts`)."""
    found: list[tuple[str, str]] = []
    for raw in event.conference_links or ():
        if raw:
            found.append(("conference", _clean_given(raw)))
    if event.hangout_link:
        found.append(("hangout", _clean_given(event.hangout_link)))
    found += [("location", u) for u in extract_urls(event.location or "")]
    found += [("description", u) for u in extract_urls(event.description or "")]

    preferred = tuple(h.lower().strip().rstrip(".") for h in preferred_hosts if h and h.strip())
    ranked: list[tuple[tuple, LinkCandidate]] = []
    seen: set[str] = set()
    for index, (where, raw) in enumerate(found):
        if not raw:
            continue
        url = unwrap(raw)
        if url in seen:  # places come in rank order: the first sighting is the best place
            continue
        seen.add(url)
        c = LinkCandidate(url, where, is_safe(url), find_service(url, catalogue, extra_hosts))
        ranked.append((rank(c, index, preferred), c))
    ranked.sort(key=lambda t: t[0])
    return passcode_first([c for _, c in ranked])


def best_link(
    event: "CalendarEvent", catalogue: tuple[Service, ...] = CATALOGUE, extra_hosts=(),
    preferred_hosts: tuple[str, ...] = (),
) -> LinkCandidate | None:
    """The best safe candidate, or None."""
    for c in candidates(event, catalogue, extra_hosts, preferred_hosts):
        if c.safe:
            return c
    return None
