"""Pages that try to take a join elsewhere: a Livestorm room (`app.livestorm.co/p/<room>/live`,
generic join steps) that sends the browser to a foreign host, a foreign host with a registration
form (`evil.example`), a company sign-in host (`sso.acme.example`), Google's sign-in
(`accounts.google.com`, a companion host of YouTube) and a site outside the catalogue
(`webinars.acme.example`, for joins started by hand).

A room's `mode`:
- "room": a "Join" button (then "You're in"; with `wander_ms`, on the first visit only, the page
  then goes to evil.example's form);
- "302": the room answers with an HTTP redirect to evil.example's form;
- "js": the room loads, then a script sets `location` to evil.example's form;
- "popup": the "Join" button opens evil.example's form in a new window;
- "sso": the room redirects to sso.acme.example, which sends the browser back signed in;
- "login": a sign-in form (e-mail and password) and no join button: a login wall.

evil.example's form records every keystroke (`evil-typed`) and its submission (`evil-submit`).
Visits: room, room-join, evil-page, evil-typed, evil-submit, sso, google-signin, acme-page.
"""

from __future__ import annotations

import json
import re
from dataclasses import dataclass
from urllib.parse import quote

from tests.replicas.pages import page

LIVESTORM = "app.livestorm.co"
EVIL = "evil.example"
SSO = "sso.acme.example"
GOOGLE_SIGNIN = "accounts.google.com"
ACME = "webinars.acme.example"
HOSTS = (LIVESTORM, EVIL, SSO, GOOGLE_SIGNIN, ACME)

EVIL_FORM = f"https://{EVIL}/register?from=livestorm"
_ROOM = re.compile(r"^/p/([A-Za-z0-9-]+)/live/?$")


@dataclass
class Room:
    mode: str = "room"  # room | 302 | js | popup | sso | login
    redirect_ms: int = 400  # "js": the script moves the page this late
    wander_ms: int | None = None  # "room", first visit: this long after joining, go to evil.example


ROOM = r"""
<h1>Product tour</h1>
<main id="slot"><p>Loading&hellip;</p></main>
<script>
const slot = document.getElementById('slot');
if (cfg.mode === 'js') setTimeout(() => { location.href = EVIL_JS; }, cfg.redirect_ms);
if (cfg.mode === 'login') {
  slot.innerHTML = '<form><h3>Sign in</h3>' +
    '<label for="u">Email</label><input id="u" name="username" type="email">' +
    '<label for="p">Password</label><input id="p" name="password" type="password">' +
    '<button type="submit">Sign in</button></form>';
} else {
  setTimeout(() => {
    slot.innerHTML = '<button id="join">Join</button>';
    document.getElementById('join').onclick = () => {
      if (cfg.mode === 'popup') { window.open(EVIL_JS, '_blank'); return; }
      fetch('/__rec/room-join').finally(() => {  // recorded before the button goes
        slot.innerHTML = '<p class="live">You\'re in. Live now.</p>';
        if (cfg.wander_ms !== null) setTimeout(() => { location.href = EVIL_JS; }, cfg.wander_ms);
      });
    };
  }, 300);
}
</script>
"""

EVIL_PAGE = r"""
<h1>Confirm your seat</h1>
<form method="POST" action="/submit">
<label for="fn">First name</label><input id="fn" name="first_name" required>
<label for="ln">Last name</label><input id="ln" name="last_name" required>
<label for="em">Email</label><input id="em" name="email" type="email" required>
<button type="submit">Join</button>
</form>
<script>
for (const el of document.querySelectorAll('input')) {
  el.addEventListener('input', () => fetch('/__rec/evil-typed', {keepalive: true}));
}
</script>
"""

HOP = r"""
<p>Signing you in&hellip;</p>
<script>setTimeout(() => location.replace(CONTINUE_JS), 300);</script>
"""


def _hop(x, title: str, kind: str, allowed_prefix: str) -> bool:
    target = x.query.get("continue", "")
    if not target.startswith(allowed_prefix):
        return False
    x.visit(kind)
    return x.html(page(title, HOP.replace("CONTINUE_JS", json.dumps(target)), {}))


def _room(x, room: str, cfg: Room) -> bool:
    if cfg.mode == "302":
        x.visit("room")
        return x.redirect(EVIL_FORM)
    if cfg.mode == "sso" and x.query.get("sso") != "1":
        x.visit("room")
        back = f"https://{LIVESTORM}{x.path}?sso=1"
        return x.redirect(f"https://{SSO}/login?continue={quote(back, safe='')}")
    again = bool(x.replicas.visits("room", x.host))
    x.visit("room")
    body = ROOM.replace("EVIL_JS", json.dumps(EVIL_FORM))
    return x.html(page("Livestorm", body, {**vars(cfg), **({"wander_ms": None} if again else {})}))


def route(x) -> bool:
    if x.host == EVIL:
        if x.method == "POST" and x.path == "/submit":
            x.visit("evil-submit")
            return x.html(page("Thanks", "<p>Thanks!</p>", {}))
        if x.path == "/register":
            x.visit("evil-page")
            return x.html(page("Confirm your seat", EVIL_PAGE, {}))
        return False
    if x.host == SSO and x.path == "/login":
        return _hop(x, "Acme sign-in", "sso", f"https://{LIVESTORM}/")
    if x.host == GOOGLE_SIGNIN and x.path == "/ServiceLogin":
        return _hop(x, "Sign in - Google Accounts", "google-signin", "https://www.youtube.com/")
    if x.host == ACME and x.path.startswith("/live/"):
        x.visit("acme-page")
        return x.html(page("Acme webinars", ROOM.replace("EVIL_JS", json.dumps(EVIL_FORM)),
                           vars(Room())))
    m = _ROOM.match(x.path)
    if x.host == LIVESTORM and m and m.group(1) in x.replicas.rooms:
        return _room(x, m.group(1), x.replicas.rooms[m.group(1)])
    return False
