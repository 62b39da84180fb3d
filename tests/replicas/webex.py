"""Webex replica (`acme.webex.com`): personal rooms `/meet/<name>`, links `/acme/j.php?MTID=...`,
webinar registration `/weblink/register/<id>`.

Like the real attendee flow: the link redirects to the join service's app-launching page
(`/wbxmjs/joinservice/sites/acme/meeting/download/<hash>?MTID=...`), which offers "Join from this
browser" only after a while; the web app (`/webappng/sites/acme/meeting/info/<hash>`) holds the
meeting client in an iframe (`#unified-webclient-iframe`) whose form (name, e-mail; "Next"
enabled once filled) renders late; then a preview with "Join meeting" / "Join webinar"; then the
lobby ("The host will let you in soon") or the meeting (a "Leave meeting" button); the end is
"The meeting has ended.". A TrustArc cookie banner comes late on every page.

Settings are keyed by the MTID, the personal room's name, or the registration id (which is also
the MTID its "Join webinar" link carries).

Visits: meet, j.php, landing, web-app, web-client, register, and the /__rec/ kinds app-launch,
webex-register, webex-join, consent.
"""

from __future__ import annotations

import hashlib
import json
import re
from dataclasses import dataclass
from urllib.parse import quote

from tests.replicas.pages import page

HOSTS = ("acme.webex.com",)

_MEET = re.compile(r"^/meet/([A-Za-z0-9._-]+)/?$")
_LANDING = re.compile(r"^/wbxmjs/joinservice/sites/acme/meeting/download/([0-9a-f]{32})$")
_APP = re.compile(r"^/webappng/sites/acme/meeting/info/([0-9a-f]{32})$")
_CLIENT = re.compile(r"^/webappng/sites/acme/meeting/webclient/([0-9a-f]{32})$")
_REGISTER = re.compile(r"^/weblink/register/([A-Za-z0-9]+)$")


@dataclass
class Meeting:
    kind: str = "meeting"  # meeting | webinar (the button says "Join webinar")
    banner_ms: int = 400
    link_ms: int = 1200  # the landing offers "Join from this browser" this late
    nolink: bool = False  # the landing offers only the app
    form_ms: int = 700  # the web client's form renders this late
    ask_email: bool = True
    password: bool = False  # the web client asks for the meeting password
    lobby: bool = False  # joining lands in the lobby
    ends_after_ms: int | None = None  # "The meeting has ended." this long after joining


TRUSTARC = r"""
<script>
setTimeout(() => {
  const b = document.createElement('div');
  b.id = 'truste-consent-track';
  b.style = 'position:fixed;left:0;right:0;bottom:0;height:200px;background:#eee;z-index:1000';
  b.innerHTML = '<p>Cisco uses cookies.</p><button id="truste-consent-button">Accept All</button>' +
    ' <button id="truste-consent-required">Required Only</button>';
  document.body.appendChild(b);
  document.getElementById('truste-consent-button').onclick = () => {
    fetch('/__rec/consent', {keepalive: true}).finally(() => b.remove());
  };
}, cfg.banner_ms);
</script>"""

LANDING = r"""
<h1>Launching your meeting&hellip;</h1>
<p>Click <b>Open Cisco Webex Meetings</b> if your browser asks.</p>
<button id="open">Open Webex</button> <a href="/downloads">Download the app</a>
<p id="more" hidden>Having trouble with the app? <a href="BROWSER">Join from this browser</a></p>
<script>
document.getElementById('open').onclick = () => fetch('/__rec/app-launch');
if (!cfg.nolink) setTimeout(() => { document.getElementById('more').hidden = false; }, cfg.link_ms);
</script>"""

APP = r"""
<header><b>Webex</b></header>
<iframe id="unified-webclient-iframe" src="CLIENT" title="Webex meeting" width="1000" height="640"
        style="border:0" allow="camera; microphone"></iframe>"""

CLIENT = r"""
<main id="root"><p>Loading&hellip;</p></main>
<script>
const root = document.getElementById('root');
const webinar = cfg.kind === 'webinar';
function info() {
  root.innerHTML = '<h2>Enter your information</h2><form id="f" onsubmit="return false">' +
    '<input id="name" aria-label="Your full name" placeholder="Your full name"><br>' +
    (cfg.ask_email ? '<input id="email" type="email" aria-label="Email address" ' +
                     'placeholder="Email address"><br>' : '') +
    (cfg.password ? '<input id="pwd" type="password" placeholder="Meeting password"><br>' : '') +
    '<button id="next" type="button" disabled>Next</button></form>';
  const name = document.getElementById('name'), email = document.getElementById('email');
  const next = document.getElementById('next');
  root.oninput = () => {
    next.disabled = !(name.value.trim() && (!email || email.value.trim()));
  };
  next.onclick = () => preview(name.value, email ? email.value : '');
}
function preview(name, email) {
  root.innerHTML = '<h2>' + (webinar ? 'Join the webinar' : 'Ready to join?') + '</h2>' +
    '<div style="width:480px;height:270px;background:#333"></div>' +
    '<button aria-label="Unmute">Mic</button> <button aria-label="Start video">Video</button> ' +
    '<button id="join">' + (webinar ? 'Join webinar' : 'Join meeting') + '</button>';
  document.getElementById('join').onclick = () => {
    const p = new URLSearchParams({meeting: MEETING, name, email});
    fetch('/__rec/webex-join?' + p.toString()).then(joined);
  };
}
function joined() {
  if (cfg.lobby) {
    root.innerHTML = "<h2>You're in the lobby</h2><p>The host will let you in soon.</p>";
  } else {
    root.innerHTML = '<div style="width:800px;height:450px;background:#222;color:#fff">' +
      'Meeting in progress</div><button>Leave meeting</button>';
  }
  if (cfg.ends_after_ms !== null) setTimeout(() => {
    root.innerHTML = '<h2>The meeting has ended.</h2>';
  }, cfg.ends_after_ms);
}
setTimeout(info, cfg.form_ms);
</script>"""

REGISTER = r"""
<h1>Product launch webinar</h1>
<main id="root"><form id="f" novalidate>
  <label for="first">First name</label> <input id="first" required><br>
  <label for="last">Last name</label> <input id="last" required><br>
  <label for="email">Email address</label> <input id="email" type="email" required><br>
  <button type="submit">Register</button></form></main>
<script>
document.getElementById('f').onsubmit = (e) => {
  e.preventDefault();
  const v = (id) => document.getElementById(id).value;
  const p = new URLSearchParams({id: MEETING, first: v('first'), last: v('last'), email: v('email')});
  fetch('/__rec/webex-register?' + p.toString()).then(() => {
    document.getElementById('root').innerHTML = "<h2>You're registered!</h2>" +
      '<p>The webinar has started.</p><a href="/acme/j.php?MTID=' + MEETING + '">Join webinar</a>';
  });
};
</script>"""


def _hash(meeting: str) -> str:
    return hashlib.md5(meeting.encode()).hexdigest()


def _html(x, title: str, body: str, meeting: str) -> bool:
    cfg = vars(x.replicas.webex.setdefault(meeting, Meeting()))
    body = body.replace("MEETING", json.dumps(meeting))
    return x.html(page(title, body + TRUSTARC, cfg))


def route(x) -> bool:
    meetings = x.replicas.webex
    m = _MEET.match(x.path)
    mtid = x.query.get("MTID", "")
    if m or (x.path == "/acme/j.php" and mtid):
        meeting = m.group(1) if m else mtid
        x.visit("meet" if m else "j.php")
        target = f"/wbxmjs/joinservice/sites/acme/meeting/download/{_hash(meeting)}"
        return x.redirect(f"{target}?siteurl=acme&MTID={quote(meeting)}")
    for pattern, kind in ((_LANDING, "landing"), (_APP, "web-app"), (_CLIENT, "web-client")):
        m = pattern.match(x.path)
        if m and mtid and _hash(mtid) == m.group(1):
            x.visit(kind)
            q = f"{m.group(1)}?MTID={quote(mtid)}"
            if kind == "landing":
                body = LANDING.replace("BROWSER", f"/webappng/sites/acme/meeting/info/{q}")
            elif kind == "web-app":
                body = APP.replace("CLIENT", f"/webappng/sites/acme/meeting/webclient/{q}")
            else:
                body = CLIENT
            return _html(x, "Webex", body, mtid)
    m = _REGISTER.match(x.path)
    if m:
        meetings.setdefault(m.group(1), Meeting(kind="webinar"))
        x.visit("register")
        return _html(x, "Register - Webex", REGISTER, m.group(1))
    return False
