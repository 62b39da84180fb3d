"""YouTube replica (`www.youtube.com`, `youtu.be`, `consent.youtube.com`): watch pages
`/watch?v=<id>` and `/live/<id>`, short links `youtu.be/<id>`.

Like the real viewer flow: `youtu.be/<id>` redirects (301) to the watch page; without a `SOCS`
cookie the watch page redirects to Google's consent page (`consent.youtube.com/m?continue=...`,
"Before you continue to YouTube", "Accept all" and "Reject all" buttons in forms POSTing to
`/save`, which sets `SOCS` for `.youtube.com` and redirects back) - or, `consent="dialog"`, shows
the same choice as a late dialog over the watch page, with the long aria-labels of the real one;
the player (`#movie_player`, `video.html5-main-video`) loads late and, `autoplay=False`, waits
paused behind the large play button; an upcoming stream shows "Live in 10 minutes"; the end is
the video ending or "This live stream has ended." in the player. The recommendations beside the
player carry titles saying "Webinar has ended" and "Stream ended", which must not count.

Visits: short-link, signin-redirect (`signin=True`: through accounts.google.com, see elsewhere.py),
consent-redirect, consent, consent-save (choice), watch, and the /__rec/ kinds
consent-dialog (choice), yt-play (the large play button), yt-playing.
"""

from __future__ import annotations

import json
import re
from dataclasses import dataclass
from urllib.parse import quote

from tests.replicas.pages import SILENT_MEDIA, page

HOSTS = ("www.youtube.com", "youtu.be", "consent.youtube.com")

_LIVE = re.compile(r"^/live/([A-Za-z0-9_-]{6,})/?$")
_SHORT = re.compile(r"^/([A-Za-z0-9_-]{6,})/?$")


@dataclass
class Video:
    consent: str = "redirect"  # redirect (consent.youtube.com) | dialog (on the page) | none
    only_accept: bool = False  # the consent offers no "Reject all"
    player_ms: int = 800  # the player loads this late
    noplayer: bool = False
    autoplay: bool = False  # False: paused behind the large play button
    upcoming: bool = False  # the stream has not started: "Live in 10 minutes"
    end: str | None = None  # None | "media" (the video ends) | "text" (the end slate)
    ends_after_ms: int = 2500  # after it starts playing
    signin: bool = False  # the watch page first sends the browser through Google's sign-in


CONSENT = r"""
<h1>Before you continue to YouTube</h1>
<p>We use cookies and data to deliver and maintain Google services ...</p>
<form action="https://consent.youtube.com/save" method="POST">
  <input type="hidden" name="continue" value="CONTINUE"><input type="hidden" name="choice" value="accept">
  <button aria-label="Accept all">Accept all</button></form>
<form action="https://consent.youtube.com/save" method="POST" id="reject">
  <input type="hidden" name="continue" value="CONTINUE"><input type="hidden" name="choice" value="reject">
  <button aria-label="Reject all">Reject all</button></form>
<a href="#">More options</a>
<script>if (cfg.only_accept) document.getElementById('reject').remove();</script>"""

WATCH = r"""
<div id="masthead"><input id="search" name="search_query" placeholder="Search"></div>
<div id="columns" style="display:flex;gap:24px">
  <div id="primary">
    <div id="player"><div id="movie_player" class="html5-video-player"
         style="position:relative;width:854px;height:480px;background:#000"></div></div>
    <h1>Live: quarterly all-hands</h1><p>12,345 watching now</p>
  </div>
  <div id="related"><h3>Up next</h3><p>Webinar has ended: the highlights</p>
    <p>Stream ended early? Five fixes</p><button>Play all</button></div>
</div>
<script>
const mp = document.getElementById('movie_player');
function player() {
  if (cfg.noplayer) return;
  if (cfg.upcoming) {
    mp.innerHTML = '<div class="ytp-offline-slate" style="color:#fff;padding:40px">' +
      '<p>Live in 10 minutes</p><p>Scheduled for 10:00</p></div>';
    return;
  }
  const media = cfg.end === 'media';
  const v = mediaElement(media ? cfg.ends_after_ms / 1000 : 5, !media, cfg.autoplay);
  v.className = 'html5-main-video'; v.width = 854; v.height = 480;
  const big = document.createElement('button');
  big.className = 'ytp-large-play-button ytp-button'; big.setAttribute('aria-label', 'Play');
  big.style = 'position:absolute;left:390px;top:200px;width:68px;height:48px';
  big.onclick = () => { fetch('/__rec/yt-play?v=' + VIDEO); v.play(); };
  const show = () => { big.style.display = v.paused ? '' : 'none'; };
  v.addEventListener('play', show); v.addEventListener('pause', show);
  v.addEventListener('playing', () => {
    fetch('/__rec/yt-playing?v=' + VIDEO);
    if (cfg.end === 'text') setTimeout(() => {
      mp.innerHTML = '<div class="ytp-offline-slate" style="color:#fff;padding:40px">' +
        '<p>This live stream has ended.</p></div>';
    }, cfg.ends_after_ms);
  }, {once: true});
  mp.replaceChildren(v, big); show();
}
function dialog() {
  const d = document.createElement('div');
  d.setAttribute('role', 'dialog');
  d.style = 'position:fixed;inset:0;background:rgba(0,0,0,.6);z-index:10;padding-top:120px';
  d.innerHTML = '<div style="background:#fff;width:480px;margin:auto;padding:20px">' +
    '<h2>Before you continue to YouTube</h2>' +
    '<button aria-label="Accept the use of cookies and other data for the purposes described">Accept all</button> ' +
    (cfg.only_accept ? '' : '<button aria-label="Reject the use of cookies and other data for the purposes described">Reject all</button>') +
    '</div>';
  for (const b of d.querySelectorAll('button')) b.onclick = () => {
    const choice = b.textContent.startsWith('Reject') ? 'reject' : 'accept';
    fetch('/__rec/consent-dialog?choice=' + choice);
    document.cookie = 'SOCS=CAI; path=/; secure';
    d.remove();
  };
  document.body.appendChild(d);
}
if (cfg.consent === 'dialog' && !document.cookie.includes('SOCS=')) setTimeout(dialog, 500);
setTimeout(player, cfg.player_ms);
</script>"""


def route(x) -> bool:
    videos = x.replicas.youtube
    if x.host == "youtu.be":
        m = _SHORT.match(x.path)
        if not m:
            return False
        x.visit("short-link")
        return x.redirect(f"https://www.youtube.com/watch?v={m.group(1)}&feature=youtu.be", 301)
    if x.host == "consent.youtube.com":
        if x.method == "POST" and x.path == "/save":
            x.visit("consent-save")
            target = x.form.get("continue", "")
            if not target.startswith("https://www.youtube.com/"):
                return False
            cookie = "SOCS=CAI; Domain=.youtube.com; Path=/; Secure; SameSite=Lax"
            return x.redirect(target, 303, cookie=cookie)
        if x.path == "/m" and x.query.get("continue", "").startswith("https://www.youtube.com/"):
            x.visit("consent")
            body = CONSENT.replace("CONTINUE", x.query["continue"].replace('"', "%22"))
            return x.html(page("Before you continue to YouTube", body, {"only_accept": any(
                v.only_accept for v in videos.values())}))
        return False
    m = _LIVE.match(x.path)
    video = m.group(1) if m else x.query.get("v", "") if x.path == "/watch" else ""
    if not video:
        return False
    cfg = vars(videos.setdefault(video, Video()))
    if cfg["signin"] and x.query.get("signed") != "1":
        x.visit("signin-redirect")
        back = f"https://www.youtube.com{x.path}?{x.raw_query}&signed=1"
        return x.redirect(f"https://accounts.google.com/ServiceLogin?continue={quote(back, safe='')}")
    if cfg["consent"] == "redirect" and "SOCS" not in x.cookies:
        x.visit("consent-redirect")
        here = f"https://www.youtube.com{x.path}" + (f"?{x.raw_query}" if x.raw_query else "")
        return x.redirect(f"https://consent.youtube.com/m?continue={quote(here, safe='')}"
                          "&gl=DE&m=0&pc=yt&cm=2&hl=en&src=1")
    x.visit("watch")
    body = WATCH.replace("VIDEO", json.dumps(video))
    return x.html(page("YouTube", body, cfg, head=SILENT_MEDIA))
