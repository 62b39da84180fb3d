"""Microsoft Teams replica (`teams.microsoft.com`, `teams.live.com`): meeting links
`/l/meetup-join/<thread>/0?context=...`, Teams free links `/meet/<id>?p=...`, and live events /
town halls (the same meetup-join links, `kind="event"`).

Like the real attendee flow: the link redirects to the launcher (`/dl/launcher/launcher.html?url=
/_#/l/meetup-join/...&type=meetup-join&...`), which asks "How do you want to join your Teams
meeting?" after a while, offering the app and "Continue on this browser" ("Watch on the web
instead" for a live event); the web app (`/v2/?meetingjoin=true#/l/meetup-join/...`) loads slowly,
then - the browser denying camera and microphone - covers the pre-join screen with a "Continue
without audio or video" dialog; the pre-join screen has "Type your name", camera and microphone
switches and "Join now" (enabled once a name is typed); then the lobby ("Someone in the meeting
should let you in soon") or the meeting (a "Leave" button); the end is "The meeting has ended". A
live event asks "Sign in" or "Join anonymously", then plays, and ends with "The live event has
ended".

The fragment never reaches a server, so the launcher adds `replica=<meeting key>` to the web
app's query (a replica artefact). Visits: meetup-join, meet, launcher, web-app, and the /__rec/
kinds app-launch, no-av, teams-join (name, camera, mic), teams-watch.
"""

from __future__ import annotations

import json
import re
from dataclasses import dataclass
from urllib.parse import quote, unquote, urlencode

from tests.replicas.pages import SILENT_MEDIA, page

HOSTS = ("teams.microsoft.com", "teams.live.com")

_MEETUP = re.compile(r"^/l/meetup-join/([^/]+)/(\d+)/?$")
_MEET = re.compile(r"^/meet/(\d+)/?$")
_KEY_IN_HASH = re.compile(r"^/_#/(?:l/meetup-join/([^/?]+)|meet/(\d+))")


@dataclass
class Meeting:
    kind: str = "meeting"  # meeting | event (a live event / town hall)
    launcher_ms: int = 700  # the launcher's choices render this late
    nobrowser: bool = False  # the launcher offers only the app
    prejoin_ms: int = 1000  # the web app loads this long
    av_dialog: bool = True  # "Continue without audio or video" covers the pre-join screen
    av_on: bool = False  # the camera and microphone switches start on
    lobby: bool = True  # joining lands in the lobby
    ends_after_ms: int | None = None  # the end screen this long after joining


LAUNCHER = r"""
<main id="root" style="text-align:center"><p>Microsoft Teams</p></main>
<script>
setTimeout(() => {
  const event = cfg.kind === 'event';
  const root = document.getElementById('root');
  root.innerHTML = '<h1>' + (event ? 'How do you want to watch?' :
      'How do you want to join your Teams meeting?') + '</h1>' +
    '<button id="app">Join on the Teams app</button><br>' +
    (cfg.nobrowser ? '' : event ? '<a id="web" href="WEB">Watch on the web instead</a>' :
                                  '<button id="web">Continue on this browser</button>');
  document.getElementById('app').onclick = () => fetch('/__rec/app-launch');
  const web = document.getElementById('web');
  if (web && !event) web.onclick = () => { location.href = WEB_JS; };
}, cfg.launcher_ms);
</script>"""

WEB_APP = r"""
<main id="root"><p>Loading Microsoft Teams&hellip;</p></main>
<script>
const root = document.getElementById('root');
function end(text) { root.innerHTML = '<h2>' + text + '</h2>'; }
function prejoin() {
  root.innerHTML = '<h2>Choose your video and audio options</h2>' +
    '<div style="width:480px;height:270px;background:#333"></div>' +
    '<input data-tid="prejoin-display-name-input" placeholder="Type your name"><br>' +
    '<button role="switch" data-tid="toggle-video" aria-label="Camera" aria-checked="' +
      cfg.av_on + '">Camera</button> ' +
    '<button role="switch" data-tid="toggle-mute" aria-label="Microphone" aria-checked="' +
      cfg.av_on + '">Mic</button> ' +
    '<button data-tid="prejoin-join-button" disabled>Join now</button>';
  for (const s of root.querySelectorAll('[role=switch]')) s.onclick = () =>
    s.setAttribute('aria-checked', String(s.getAttribute('aria-checked') !== 'true'));
  const name = root.querySelector('input'), join = root.querySelector('[data-tid=prejoin-join-button]');
  name.oninput = () => { join.disabled = !name.value.trim(); };
  join.onclick = () => {
    const on = (tid) => root.querySelector('[data-tid=' + tid + ']').getAttribute('aria-checked') === 'true' ? 'on' : 'off';
    const p = new URLSearchParams({meeting: MEETING, name: name.value,
                                   camera: on('toggle-video'), mic: on('toggle-mute')});
    fetch('/__rec/teams-join?' + p.toString()).then(() => {
      if (cfg.lobby) root.innerHTML = '<p>Hi ' + name.value.replace(/[<&]/g, '') +
        ', someone in the meeting should let you in soon.</p>';
      else root.innerHTML = '<div style="width:800px;height:450px;background:#222"></div>' +
        '<button id="hangup-button" aria-label="Leave">Leave</button>';
      if (cfg.ends_after_ms !== null) setTimeout(() => end('The meeting has ended'), cfg.ends_after_ms);
    });
  };
  if (cfg.av_dialog) {
    const d = document.createElement('div');
    d.setAttribute('role', 'dialog'); d.setAttribute('aria-modal', 'true');
    d.style = 'position:fixed;inset:0;background:rgba(0,0,0,.6);z-index:10;padding-top:200px';
    d.innerHTML = '<div style="background:#fff;width:420px;margin:auto;padding:20px">' +
      "<h3>Are you sure you don't want audio or video?</h3>" +
      '<button>Continue without audio or video</button></div>';
    d.querySelector('button').onclick = () => { fetch('/__rec/no-av'); d.remove(); };
    document.body.appendChild(d);
  }
}
function liveEvent() {
  root.innerHTML = '<h2>Sign in or join anonymously</h2><button>Sign in</button> ' +
    '<button id="anon">Join anonymously</button>';
  document.getElementById('anon').onclick = () => {
    fetch('/__rec/teams-watch?meeting=' + encodeURIComponent(MEETING));
    root.innerHTML = '<p>LIVE</p>';
    root.appendChild(mediaElement(5, true, true));
    if (cfg.ends_after_ms !== null) setTimeout(() => end('The live event has ended'), cfg.ends_after_ms);
  };
}
setTimeout(cfg.kind === 'event' ? liveEvent : prejoin, cfg.prejoin_ms);
</script>"""


def _launch(x, key: str, hash_path: str, kind: str) -> bool:
    x.replicas.teams.setdefault(key, Meeting())
    x.visit(kind)
    query = urlencode({"url": hash_path, "type": kind, "deeplinkId": "d33p", "directDl": "true",
                       "msLaunch": "true", "enableMobilePage": "true", "suppressPrompt": "true"})
    return x.redirect(f"/dl/launcher/launcher.html?{query}")


def route(x) -> bool:
    meetings = x.replicas.teams
    m = _MEETUP.match(x.path)
    if m and x.host == "teams.microsoft.com":
        hash_path = f"/_#/l/meetup-join/{m.group(1)}/{m.group(2)}?{x.raw_query}"
        return _launch(x, unquote(m.group(1)), hash_path, "meetup-join")
    m = _MEET.match(x.path)
    if m and x.host == "teams.live.com":
        return _launch(x, m.group(1), f"/_#/meet/{m.group(1)}?{x.raw_query}", "meet")
    if x.path == "/dl/launcher/launcher.html":
        k = _KEY_IN_HASH.match(x.query.get("url", ""))
        key = unquote(k.group(1) or k.group(2)) if k else ""
        if key not in meetings:
            return False
        x.visit("launcher")
        web = (f"/v2/?meetingjoin=true&replica={quote(key)}#"
               f"{x.query['url'][len('/_#'):]}&anon=true")
        body = LAUNCHER.replace("WEB_JS", json.dumps(web)).replace("WEB", web)
        return x.html(page("Join conversation", body, vars(meetings[key])))
    if x.path == "/v2/" and x.query.get("replica") in meetings:
        key = x.query["replica"]
        x.visit("web-app")
        body = WEB_APP.replace("MEETING", json.dumps(key))
        return x.html(page("Microsoft Teams", body, vars(meetings[key]), head=SILENT_MEDIA))
    return False
