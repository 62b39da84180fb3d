"""ON24 replica (`event.on24.com`): the registration page of `/wcc/r/<eventid>/<key>` and
`/eventRegistration/EventLobbyServlet?...&eventid=...&key=...`, and the console
`/eventRegistration/console/apollox/mainEvent?eventid=...&key=...`.

Like the real attendee flow: a OneTrust banner comes late; the registration form (first name,
last name, e-mail, company) renders late and checks its required fields itself ("This field is
required"); a returning attendee gets an e-mail-only login form instead; after registering the
"Enter Event" button comes late and opens the console in this page or (ON24's classic launch) a
new window; the console's media player loads late and plays; the end is the "This webcast has
ended" screen or the media ending.

Visits: registration, console, and the /__rec/ kinds on24-register, on24-login, on24-enter,
on24-playing, consent.
"""

from __future__ import annotations

import json
import re
from dataclasses import dataclass

from tests.replicas.pages import SILENT_MEDIA, page

HOSTS = ("event.on24.com",)

_WCC = re.compile(r"^/wcc/r/(\d+)/([A-Za-z0-9]+)/?$")
_LOBBY = "/eventRegistration/EventLobbyServlet"
_CONSOLE = "/eventRegistration/console/apollox/mainEvent"


@dataclass
class Event:
    mode: str = "register"  # register | login (e-mail only) | registered (no form)
    company_required: bool = False
    banner_ms: int = 500
    form_ms: int = 700  # the form renders this late
    label: str = "Enter Event"  # the button after registering (Enter / Join / Launch ...)
    button_ms: int = 600  # ... this long after registering
    nobutton: bool = False
    popup: bool = False  # the console opens in a new window
    media_ms: int = 600  # the console's media player loads this late
    end: str | None = None  # None | "text" (the end screen) | "media" (the media ends)
    ends_after_ms: int = 2500  # after the media starts
    ended_already: bool = False  # the registration page says the webcast has ended


REGISTRATION = r"""
<header><h1>Quarterly threat briefing</h1><p>Live webcast &middot; 45 minutes</p></header>
<main id="root"><p>Loading&hellip;</p></main>
<script>
const root = document.getElementById('root');
const consoleUrl = '/eventRegistration/console/apollox/mainEvent?eventid=' + EVENT + '&key=' + KEY;
function field(id, label, type, required) {
  return '<p><label for="' + id + '">' + label + (required ? '*' : '') + '</label> ' +
    '<input id="' + id + '" name="' + id + '" type="' + type + '"' +
    (required ? ' aria-required="true"' : '') + '> <span class="error" id="' + id + '-err"></span></p>';
}
function complaints(form) {
  let bad = 0;
  for (const el of form.querySelectorAll('[aria-required=true]')) {
    const err = document.getElementById(el.id + '-err');
    err.textContent = el.value.trim() ? '' : 'This field is required';
    if (!el.value.trim()) bad++;
  }
  return bad;
}
function enter() {
  root.innerHTML = '<h2>Thank you for registering</h2><p>The event is live now.</p>';
  if (cfg.nobutton) return;
  setTimeout(() => {
    const b = document.createElement('button');
    b.textContent = cfg.label; b.style = 'font-size:20px';
    b.onclick = () => {
      fetch('/__rec/on24-enter?eventid=' + EVENT, {keepalive: true}).finally(() => {
        if (cfg.popup) window.open(consoleUrl, 'on24console', 'width=1200,height=800');
        else location.href = consoleUrl;
      });
    };
    root.appendChild(b);
  }, cfg.button_ms);
}
function render() {
  if (cfg.ended_already) { root.innerHTML = '<h2>This webcast has ended</h2>'; return; }
  if (cfg.mode === 'registered') return enter();
  if (cfg.mode === 'login') {
    root.innerHTML = '<h2>Already registered?</h2><form id="f" novalidate>' +
      field('email', 'Email', 'email', true) + '<button type="submit">Log In</button></form>';
  } else {
    root.innerHTML = '<h2>Register</h2><form id="f" novalidate>' +
      field('firstname', 'First Name', 'text', true) + field('lastname', 'Last Name', 'text', true) +
      field('email', 'Email', 'email', true) +
      field('company', 'Company', 'text', cfg.company_required) +
      '<button type="submit">Register</button></form>';
  }
  const form = document.getElementById('f');
  form.onsubmit = (e) => {
    e.preventDefault();
    if (complaints(form)) return;
    const p = new URLSearchParams(new FormData(form)); p.set('eventid', EVENT);
    const kind = cfg.mode === 'login' ? 'on24-login' : 'on24-register';
    fetch('/__rec/' + kind + '?' + p.toString()).then(enter);
  };
}
setTimeout(render, cfg.form_ms);
</script>"""

CONSOLE = r"""
<div id="console">
  <header><b>ON24</b> &middot; Quarterly threat briefing</header>
  <div id="media-player" style="width:640px;height:360px;background:#000;color:#ccc">
    Loading media&hellip;</div>
  <aside class="widget"><h3>Q&amp;A</h3><textarea aria-label="Ask a question"></textarea></aside>
  <aside class="widget"><h3>Resources</h3><a href="#">Slides (PDF)</a></aside>
</div>
<script>
setTimeout(() => {
  const media = cfg.end === 'media';
  const v = mediaElement(media ? cfg.ends_after_ms / 1000 : 5, !media, true);
  v.addEventListener('playing', () => fetch('/__rec/on24-playing?eventid=' + EVENT), {once: true});
  document.getElementById('media-player').replaceChildren(v);
  if (cfg.end === 'text') setTimeout(() => {
    document.getElementById('console').innerHTML =
      '<h2>This webcast has ended</h2><p>Thank you for attending.</p>';
  }, cfg.ends_after_ms);
}, cfg.media_ms);
</script>"""


def _js(text: str, event: str, key: str) -> str:
    return text.replace("EVENT", json.dumps(event)).replace("KEY", json.dumps(key))


def route(x) -> bool:
    events = x.replicas.on24
    m = _WCC.match(x.path)
    if m or (x.path == _LOBBY and x.query.get("eventid", "").isdigit()):
        event, key = (m.group(1), m.group(2)) if m else (x.query["eventid"], x.query.get("key", ""))
        cfg = vars(events.setdefault(event, Event()))
        x.visit("registration")
        body = _js(REGISTRATION, event, key)
        return x.html(page("ON24 registration", body, cfg, cfg["banner_ms"]))
    if x.path == _CONSOLE and x.query.get("eventid", "") in events:
        event = x.query["eventid"]
        cfg = vars(events[event])
        x.visit("console")
        body = _js(CONSOLE, event, x.query.get("key", ""))
        return x.html(page("ON24 console", body, cfg, head=SILENT_MEDIA))
    return False
