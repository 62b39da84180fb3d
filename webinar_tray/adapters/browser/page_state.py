"""Reading a webinar page's state in one round trip per frame: what the join steps of every
provider decide on (visible join/consent elements are found by steps.py; this module only looks).

`look(page)` evaluates a probe in every loaded frame: the end-of-webinar text, "live" markers,
password/sign-in forms, name/e-mail inputs (tagged for filling), media elements and players.

The end text (`ENDED_TEXT`, one copy: the probe gets its source) is looked for in the whole page,
except on sites whose pages show other people's titles next to the stream (YouTube's
recommendations): there only inside the player (`END_TEXT_SCOPES`)."""

from __future__ import annotations

import asyncio
import re
from dataclasses import dataclass, field
from typing import Any
from urllib.parse import urlsplit

# What a page says when the webinar is over (BrightTALK, ON24, Webex, Teams, YouTube, Zoom...).
ENDED_TEXT = re.compile(
    r"(webinar|webcast|event|broadcast|stream|meeting|presentation) has (now )?ended|"
    r"\bstream ended\b|(host|organi[sz]er) (has )?ended (the|this) (meeting|webinar|event)|"
    r"meeting has been ended by (the )?host|thanks?( you)? for (attending|watching)|"
    r"this (webinar|event|meeting) is over",
    re.IGNORECASE,
)
# Sites whose end text counts only inside these elements: (host suffix, CSS selector).
END_TEXT_SCOPES: tuple[tuple[str, str], ...] = (
    ("youtube.com", "#movie_player, #player, .ytp-offline-slate"),
)

# One look at a frame: what the steps need to decide, in one round trip. It also tags the
# name/e-mail inputs with data-wt-field so Playwright can fill them with real key events.
_PROBE_JS = r"""
(arg) => {
  const vis = (el) => {
    if (!el || !el.isConnected) return false;
    const r = el.getBoundingClientRect();
    if (r.width < 1 || r.height < 1) return false;
    if (el.checkVisibility) return el.checkVisibility({checkOpacity: true, checkVisibilityCSS: true});
    const s = getComputedStyle(el);
    return s.display !== 'none' && s.visibility !== 'hidden' && s.opacity !== '0';
  };
  const body = document.body;
  const text = (body && body.innerText) || '';
  const scoped = arg.scope
    ? Array.from(document.querySelectorAll(arg.scope)).filter(vis).map((el) => el.innerText || '').join('\n')
    : text;
  const ended = new RegExp(arg.ended, 'i').test(scoped);
  const markers = (text.match(/\b(live|on air|now playing)\b|you(?:'|\u2019| a)re (in|watching)/gi) || []).length;
  const password = Array.from(document.querySelectorAll('input[type=password]')).some(vis);
  const signinRe = /^\s*(sign|log)\s*-?\s*in\b/i;
  let signin = false;
  for (const f of document.querySelectorAll('form')) {
    if (!vis(f)) continue;
    const heads = Array.from(f.querySelectorAll('h1,h2,h3,h4,h5,h6,legend,[role=heading]'));
    const prev = f.previousElementSibling;
    if (prev && /^H[1-6]$/.test(prev.tagName)) heads.push(prev);
    const label = f.getAttribute('aria-label') || '';
    if (signinRe.test(label) || heads.some((h) => signinRe.test(h.innerText || ''))) signin = true;
  }
  const fields = [];
  for (const el of document.querySelectorAll('input')) {
    const type = (el.getAttribute('type') || 'text').toLowerCase();
    if (!['text', 'email', ''].includes(type)) continue;
    if (el.disabled || el.readOnly || !vis(el)) continue;
    const labels = el.labels ? Array.from(el.labels).map((l) => l.innerText) : [];
    const words = [el.name, el.id, el.placeholder, el.getAttribute('aria-label'),
                   el.getAttribute('autocomplete'), ...labels].filter(Boolean).join(' | ')
                   .toLowerCase().replace(/[_-]+/g, ' ');
    let kind = null;
    if (type === 'email' || /e ?mail/.test(words)) kind = 'email';
    else if (/user|company|organi[sz]ation|business|employer|nick|job/.test(words)) kind = null;
    else if (/first ?name|given ?name|fname|forename/.test(words)) kind = 'first';
    else if (/last ?name|family ?name|surname|lname/.test(words)) kind = 'last';
    else if (/\bname\b/.test(words)) kind = 'full';
    if (!kind) continue;
    el.setAttribute('data-wt-field', kind);
    fields.push({kind, empty: el.value === '',
                 required: el.required || el.getAttribute('aria-required') === 'true',
                 inForm: !!el.form});
  }
  const big = (el) => { const r = el.getBoundingClientRect(); return r.width >= 200 && r.height >= 100; };
  const videos = Array.from(document.querySelectorAll('video, audio')).map((v) => ({
    paused: v.paused, ended: v.ended, t: v.currentTime, shown: vis(v) && big(v)}));
  const players = Array.from(document.querySelectorAll('video, canvas'))
    .filter((el) => vis(el) && big(el)).length;
  return {ended, markers, password, signin, fields, videos, players};
}
"""


@dataclass
class Look:
    frame: Any
    ended: bool = False
    markers: int = 0
    password: bool = False
    signin: bool = False
    fields: list[dict] = field(default_factory=list)
    videos: list[dict] = field(default_factory=list)
    players: int = 0


def end_scope(url: str) -> str | None:
    """The CSS selector the end text is confined to on `url`'s site, or None (the whole page)."""
    try:
        host = (urlsplit(url).hostname or "").lower()
    except ValueError:
        return None
    for suffix, selector in END_TEXT_SCOPES:
        if host == suffix or host.endswith("." + suffix):
            return selector
    return None


def frames(page) -> list:
    """The page's frames that have a document. A lazy iframe not loaded yet (its url is "")
    has none, and evaluating or locating in it waits until it loads - maybe forever."""
    return [f for f in list(page.frames) if f.url != ""]


async def look(page) -> list[Look]:
    out = []
    for frame in frames(page):
        try:
            arg = {"ended": ENDED_TEXT.pattern, "scope": end_scope(frame.url)}
            r = await frame.evaluate(_PROBE_JS, arg)
        except Exception:  # a frame navigating away, detached, or the page crashed
            continue
        if isinstance(r, dict):
            out.append(Look(frame=frame, **r))
    return out


def video_times(looks: list[Look]) -> dict[tuple[int, int], float]:
    return {
        (id(lk.frame), i): v["t"]
        for lk in looks
        for i, v in enumerate(lk.videos)
        if v.get("shown") and not v.get("paused") and not v.get("ended")
    }


def playing(before: dict, now: dict) -> bool:
    return any(key in before and t > before[key] for key, t in now.items())


def media_ended(looks: list[Look]) -> bool:
    """Every media element that counts has ended, and there is one. Counted: the ones shown as
    a player, and any that has played; a hidden one that never started (a notification sound, a
    hover preview) is not."""
    media = [
        v for lk in looks for v in lk.videos
        if v.get("shown") or v.get("ended") or (v.get("t") or 0) > 0
    ]
    return bool(media) and all(v.get("ended") for v in media)


def host_of_page(page) -> str:
    try:
        return urlsplit(page.url).hostname or "the page"
    except Exception:
        return "the page"


def loop_now() -> float:
    return asyncio.get_running_loop().time()
