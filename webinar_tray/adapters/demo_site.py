"""The built-in demo webinar site: a BrightTALK-like player page served on 127.0.0.1.

Used by `--demo` (so a new user sees the app join something without a real webinar) and by the
tests as the loopback replica of a webinar page. Everything is inline (no data files), so a
PyInstaller build needs nothing extra.

`/webinar/<slug>` is the page a calendar event links to: a title, a OneTrust-like cookie banner that
appears after ~0.8 s, and an iframe `#bt-player-wrapper-iframe` holding `/player/<slug>`, whose
document shows a big "Enter" button after ~1.2 s. Entering shows a "LIVE" player; once `ends`
(epoch seconds) has passed it shows "This webinar has ended".

Query flags (for tests): `login=1` sign-in form instead of the player, `nobutton=1` no Enter button
ever, `form=1` registration form (first name, last name, e-mail) before the Enter button,
`delay=<s>` the Enter button appears after that many seconds, `title=<text>`, `ends=<epoch s>`.
"""

from __future__ import annotations

import html
import json
import logging
import re
import threading
from dataclasses import asdict, dataclass
from datetime import datetime, timezone
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from urllib.parse import parse_qs, urlencode, urlsplit

log = logging.getLogger(__name__)

_SLUG = re.compile(r"^[A-Za-z0-9_-]{1,80}$")
_EVENT_KINDS = {"enter", "consent", "register"}


@dataclass(frozen=True)
class Visit:
    path: str  # without the query
    slug: str
    at: datetime  # aware UTC, when the request arrived
    kind: str  # page | frame | enter | consent | register


def _title_for(slug: str) -> str:
    words = slug.replace("_", " ").replace("-", " ").split()
    return " ".join(w.capitalize() for w in words) or "Demo webinar"


class DemoSite:
    """A tiny threaded HTTP server bound to 127.0.0.1 only (port chosen by the OS)."""

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._visits: list[Visit] = []
        self._server: ThreadingHTTPServer | None = None
        self._thread: threading.Thread | None = None
        self.base_url = ""

    # -- lifecycle ---------------------------------------------------------------------------

    def start(self) -> str:
        if self._server is not None:
            return self.base_url
        site = self

        class Handler(_Handler):
            demo = site

        server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        server.daemon_threads = True
        self._server = server
        self.base_url = f"http://127.0.0.1:{server.server_address[1]}"
        self._thread = threading.Thread(
            target=server.serve_forever, name="webinar-tray-demo-site", daemon=True
        )
        self._thread.start()
        log.info("demo webinar site at %s", self.base_url)
        return self.base_url

    def stop(self) -> None:
        server, self._server = self._server, None
        if server is None:
            return
        server.shutdown()
        server.server_close()
        if self._thread is not None:
            self._thread.join(timeout=5)
        self._thread = None

    def __enter__(self) -> "DemoSite":
        self.start()
        return self

    def __exit__(self, *exc) -> None:
        self.stop()

    # -- addresses and records ---------------------------------------------------------------

    def url_for(self, slug: str, ends_at: datetime | None = None, **flags) -> str:
        """The page address for `slug`. `ends_at` (aware) makes the player show the end then.
        Flags: login, nobutton, form (true/false), delay (seconds), title (text)."""
        if not self.base_url:
            raise RuntimeError("DemoSite.start() first")
        if not _SLUG.match(slug):
            raise ValueError(f"slug must be letters, digits, '-' or '_': {slug!r}")
        query: dict[str, str] = {}
        if ends_at is not None:
            query["ends"] = f"{ends_at.timestamp():.3f}"
        for key, value in flags.items():
            if value is None or value is False:
                continue
            query[key] = "1" if value is True else str(value)
        url = f"{self.base_url}/webinar/{slug}"
        return f"{url}?{urlencode(query)}" if query else url

    @property
    def visits(self) -> list[Visit]:
        """A snapshot of the visits so far, oldest first."""
        with self._lock:
            return list(self._visits)

    def visits_of(self, slug: str, kind: str | None = None) -> list[Visit]:
        return [v for v in self.visits if v.slug == slug and (kind is None or v.kind == kind)]

    def _record(self, path: str, slug: str, kind: str) -> None:
        with self._lock:
            self._visits.append(Visit(path, slug, datetime.now(timezone.utc), kind))


class _Handler(BaseHTTPRequestHandler):
    demo: DemoSite  # set on the subclass made by DemoSite.start()
    server_version = "webinar-tray-demo"
    protocol_version = "HTTP/1.1"

    def log_message(self, format: str, *args) -> None:  # noqa: A002 - the base class's name
        # The request line holds the query; log the path only.
        log.debug("demo site: %s %s", self.command, urlsplit(self.path).path)

    def do_GET(self) -> None:  # noqa: N802 - http.server's naming
        parts = urlsplit(self.path)
        query = {k: v[-1] for k, v in parse_qs(parts.query).items()}
        path = parts.path
        m = re.match(r"^/(webinar|player)/([^/]+)$", path)
        if m and _SLUG.match(m.group(2)):
            kind, slug = m.group(1), m.group(2)
            self.demo._record(path, slug, "page" if kind == "webinar" else "frame")
            page = _webinar_page if kind == "webinar" else _player_page
            self._send(200, "text/html; charset=utf-8", page(slug, query, parts.query))
        elif path == "/api/event":
            slug, kind = query.get("slug", ""), query.get("kind", "")
            if not _SLUG.match(slug) or kind not in _EVENT_KINDS:
                self._send(400, "application/json", '{"ok": false}')
                return
            self.demo._record(path, slug, kind)
            self._send(200, "application/json", '{"ok": true}')
        elif path == "/api/visits":
            rows = [dict(asdict(v), at=v.at.isoformat()) for v in self.demo.visits]
            self._send(200, "application/json", json.dumps(rows))
        elif path == "/":
            self._send(200, "text/html; charset=utf-8", _index_page())
        elif path == "/favicon.ico":
            self._send(204, "image/x-icon", "")
        else:
            self._send(404, "text/plain; charset=utf-8", "not found")

    def _send(self, status: int, ctype: str, body: str) -> None:
        data = body.encode("utf-8")
        self.send_response(status)
        self.send_header("Content-Type", ctype)
        self.send_header("Content-Length", str(len(data)))
        self.send_header("Cache-Control", "no-store")
        self.end_headers()
        if self.command != "HEAD":
            self.wfile.write(data)

    do_HEAD = do_GET


# -- pages ---------------------------------------------------------------------------------------

_BASE_CSS = """
* { box-sizing: border-box; }
body { margin: 0; font: 15px/1.5 system-ui, -apple-system, "Segoe UI", Roboto, sans-serif;
       color: #1d2433; background: #f3f5f9; }
button { font: inherit; cursor: pointer; }
"""


def _index_page() -> str:
    return f"""<!doctype html><html lang="en"><head><meta charset="utf-8">
<title>webinar-tray demo site</title><style>{_BASE_CSS}
main {{ max-width: 640px; margin: 64px auto; background: #fff; padding: 32px; border-radius: 12px;
        box-shadow: 0 2px 12px rgba(20,30,60,.08); }}</style></head>
<body><main><h1>webinar-tray demo site</h1>
<p>This local site stands in for a webinar platform so you can watch webinar-tray join a
webinar without a real one. Try <a href="/webinar/demo-webinar">the demo webinar</a>.</p>
</main></body></html>"""


def _webinar_page(slug: str, query: dict[str, str], raw_query: str) -> str:
    title = query.get("title") or _title_for(slug)
    t = html.escape(title)
    src = html.escape(f"/player/{slug}" + (f"?{raw_query}" if raw_query else ""), quote=True)
    slug_js = json.dumps(slug)
    return f"""<!doctype html><html lang="en"><head><meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>{t} | Demo Channel</title>
<style>{_BASE_CSS}
header {{ background: #0b1f3a; color: #fff; padding: 14px 28px; display: flex; align-items: center;
          gap: 12px; }}
header .logo {{ font-weight: 700; letter-spacing: .02em; }}
header .logo span {{ color: #38c0ff; }}
header .tag {{ margin-left: auto; font-size: 13px; opacity: .75; }}
main {{ max-width: 1040px; margin: 24px auto; padding: 0 20px; }}
h1 {{ font-size: 24px; margin: 0 0 4px; }}
.meta {{ color: #5b6475; margin: 0 0 16px; font-size: 14px; }}
.player {{ background: #000; border-radius: 10px; overflow: hidden; aspect-ratio: 16 / 9;
           box-shadow: 0 6px 24px rgba(10,20,50,.18); }}
.player iframe {{ width: 100%; height: 100%; border: 0; display: block; }}
.about {{ background: #fff; border-radius: 10px; margin-top: 18px; padding: 18px 22px;
          box-shadow: 0 1px 6px rgba(20,30,60,.06); color: #3a4252; }}
#onetrust-banner-sdk {{ position: fixed; left: 0; right: 0; bottom: 0; background: #fff;
    box-shadow: 0 -4px 24px rgba(0,0,0,.15); padding: 18px 28px; display: none; gap: 24px;
    align-items: center; z-index: 1000; }}
#onetrust-banner-sdk p {{ margin: 0; flex: 1; color: #3a4252; font-size: 14px; }}
#onetrust-banner-sdk button {{ border: 0; border-radius: 6px; padding: 10px 18px; }}
#onetrust-accept-btn-handler {{ background: #0b5cff; color: #fff; font-weight: 600; }}
#onetrust-reject-all-handler {{ background: #e7eaf0; color: #1d2433; }}
</style></head>
<body>
<header><div class="logo">Bright<span>Demo</span></div>
<div class="tag">a local stand-in for a webinar platform</div></header>
<main>
  <h1>{t}</h1>
  <p class="meta">Demo Channel &middot; live webinar</p>
  <div class="player"><iframe id="bt-player-wrapper-iframe" title="Webinar player"
      src="{src}" allow="autoplay; fullscreen"></iframe></div>
  <div class="about">This page is served by webinar-tray on your own computer. It behaves like a
  webinar platform's player page: a cookie banner, a player in an iframe, and an Enter button.</div>
</main>
<div id="onetrust-banner-sdk" role="dialog" aria-label="Cookie banner">
  <p>We use cookies to make this demo feel real. They are not stored anywhere but your browser
  profile.</p>
  <button id="onetrust-reject-all-handler">Reject All</button>
  <button id="onetrust-accept-btn-handler">Accept All Cookies</button>
</div>
<script>
(function () {{
  var slug = {slug_js};
  var key = "demo-consent";
  var banner = document.getElementById("onetrust-banner-sdk");
  function hide() {{ banner.style.display = "none"; }}
  var stored = null;
  try {{ stored = localStorage.getItem(key); }} catch (e) {{}}
  if (!stored) {{
    setTimeout(function () {{ banner.style.display = "flex"; }}, 800);
  }}
  document.getElementById("onetrust-accept-btn-handler").addEventListener("click", function () {{
    try {{ localStorage.setItem(key, "all"); }} catch (e) {{}}
    hide();
    fetch("/api/event?slug=" + encodeURIComponent(slug) + "&kind=consent");
  }});
  document.getElementById("onetrust-reject-all-handler").addEventListener("click", function () {{
    try {{ localStorage.setItem(key, "none"); }} catch (e) {{}}
    hide();
  }});
}})();
</script>
</body></html>"""


def _player_page(slug: str, query: dict[str, str], raw_query: str) -> str:
    title = query.get("title") or _title_for(slug)
    try:
        delay = max(0.0, float(query.get("delay", "1.2")))
    except ValueError:
        delay = 1.2
    try:
        ends = float(query["ends"]) if "ends" in query else None
    except ValueError:
        ends = None
    config = json.dumps(
        {
            "slug": slug,
            "title": title,
            "delayMs": int(delay * 1000),
            "ends": ends,
            "login": query.get("login") == "1",
            "nobutton": query.get("nobutton") == "1",
            "form": query.get("form") == "1",
        }
    )
    return f"""<!doctype html><html lang="en"><head><meta charset="utf-8">
<title>Player</title>
<style>{_BASE_CSS}
html, body {{ height: 100%; }}
body {{ background: radial-gradient(ellipse at 30% 20%, #1b3a66 0%, #0a1428 70%); color: #fff;
        display: flex; align-items: center; justify-content: center; overflow: hidden; }}
.panel {{ text-align: center; max-width: 520px; padding: 24px; }}
.panel h2 {{ margin: 0 0 8px; font-size: 22px; font-weight: 600; }}
.muted {{ color: #b7c3d9; font-size: 14px; }}
.enter {{ margin-top: 18px; padding: 16px 54px; font-size: 22px; font-weight: 700; border: 0;
          border-radius: 999px; background: #38c0ff; color: #04203a;
          box-shadow: 0 8px 24px rgba(56,192,255,.35); }}
.enter:hover {{ background: #5fd0ff; }}
form {{ background: rgba(255,255,255,.96); color: #1d2433; border-radius: 12px; padding: 22px;
        text-align: left; width: 360px; }}
form h3 {{ margin: 0 0 12px; }}
form label {{ display: block; font-size: 13px; color: #5b6475; margin-top: 10px; }}
form input {{ width: 100%; padding: 9px 10px; border: 1px solid #c9d1de; border-radius: 6px;
              font: inherit; }}
form button {{ margin-top: 16px; width: 100%; padding: 10px; border: 0; border-radius: 6px;
               background: #0b5cff; color: #fff; font-weight: 600; }}
#live {{ position: absolute; inset: 0; display: none; }}
#live canvas {{ width: 100%; height: 100%; display: block; }}
#live .badge {{ position: absolute; top: 14px; left: 14px; background: #e5243b; color: #fff;
                font-weight: 700; font-size: 13px; padding: 3px 10px; border-radius: 4px;
                letter-spacing: .08em; }}
#live .viewers {{ position: absolute; top: 14px; right: 16px; font-size: 13px; color: #dbe5f5; }}
#live .caption {{ position: absolute; left: 0; right: 0; bottom: 0; padding: 14px 18px;
                  background: linear-gradient(transparent, rgba(0,0,0,.65)); font-size: 16px; }}
#ended {{ display: none; }}
</style></head>
<body>
<div class="panel" id="waiting"><h2 id="wtitle"></h2>
  <div class="muted" id="wnote">Connecting to the live stream&hellip;</div>
  <div id="slot"></div></div>
<div class="panel" id="ended"><h2>This webinar has ended</h2>
  <div class="muted">Thanks for attending. A recording will be available soon.</div></div>
<div id="live"><canvas id="cv" width="640" height="360"></canvas>
  <div class="badge">LIVE</div><div class="viewers" id="viewers"></div>
  <div class="caption" id="caption"></div></div>
<script>
(function () {{
  var cfg = {config};
  var $ = function (id) {{ return document.getElementById(id); }};
  $("wtitle").textContent = cfg.title;
  var state = "waiting";
  function post(kind) {{
    return fetch("/api/event?slug=" + encodeURIComponent(cfg.slug) + "&kind=" + kind);
  }}
  function hasEnded() {{ return cfg.ends !== null && Date.now() / 1000 >= cfg.ends; }}
  function showEnded() {{
    state = "ended";
    $("waiting").style.display = "none";
    $("live").style.display = "none";
    $("ended").style.display = "block";
  }}
  function showEnter() {{
    if (state !== "waiting") return;
    $("wnote").textContent = "The webinar is live.";
    var b = document.createElement("button");
    b.className = "enter"; b.type = "button"; b.textContent = "Enter";
    b.addEventListener("click", function () {{ post("enter"); goLive(); }});
    $("slot").appendChild(b);
  }}
  function showForm() {{
    $("wnote").textContent = "Register to watch this webinar.";
    var f = document.createElement("form");
    f.innerHTML = '<h3>Register</h3>' +
      '<label for="fn">First name</label><input id="fn" name="first_name" required>' +
      '<label for="ln">Last name</label><input id="ln" name="last_name" required>' +
      '<label for="em">Email</label><input id="em" name="email" type="email" required>' +
      '<button type="submit">Continue</button>';
    f.addEventListener("submit", function (ev) {{
      ev.preventDefault();
      var first = $("fn").value;
      post("register");
      f.remove();
      $("wnote").textContent = "Thanks, " + first + "! Starting soon\u2026";
      setTimeout(showEnter, cfg.delayMs);
    }});
    $("slot").appendChild(f);
  }}
  function showLogin() {{
    $("wnote").textContent = "This webinar is for members only.";
    var f = document.createElement("form");
    f.innerHTML = '<h3>Sign in</h3>' +
      '<label for="user">Email</label><input id="user" name="username" type="email">' +
      '<label for="pw">Password</label><input id="pw" name="password" type="password">' +
      '<button type="submit">Sign in</button>';
    f.addEventListener("submit", function (ev) {{ ev.preventDefault(); }});
    $("slot").appendChild(f);
  }}
  var viewers = 180 + Math.floor(Math.random() * 120);
  function goLive() {{
    state = "live";
    $("waiting").style.display = "none";
    $("live").style.display = "block";
    $("caption").textContent = "You're watching: " + cfg.title;
    $("viewers").textContent = viewers + " watching";
    draw();
  }}
  var t0 = performance.now();
  function draw() {{
    if (state !== "live") return;
    var c = $("cv"), g = c.getContext("2d"), t = (performance.now() - t0) / 1000;
    var grd = g.createLinearGradient(0, 0, c.width, c.height);
    grd.addColorStop(0, "#0d2a52"); grd.addColorStop(1, "#1f5f8b");
    g.fillStyle = grd; g.fillRect(0, 0, c.width, c.height);
    for (var i = 0; i < 32; i++) {{
      var h = 40 + 110 * Math.abs(Math.sin(t * 1.7 + i * 0.45) * Math.cos(t * 0.6 + i * 0.2));
      g.fillStyle = "rgba(56,192,255," + (0.35 + 0.6 * h / 150) + ")";
      g.fillRect(40 + i * 18, 250 - h, 12, h);
    }}
    g.fillStyle = "#fff"; g.font = "bold 26px system-ui, sans-serif";
    g.fillText(cfg.title, 40, 60);
    requestAnimationFrame(draw);
  }}
  setInterval(function () {{
    if (state !== "ended" && hasEnded()) showEnded();
    if (state === "live") {{
      viewers += Math.floor(Math.random() * 7) - 2;
      $("viewers").textContent = viewers + " watching";
    }}
  }}, 1000);
  if (hasEnded()) {{ showEnded(); return; }}
  if (cfg.login) {{ showLogin(); return; }}
  if (cfg.nobutton) {{ $("wnote").textContent = "Waiting for the presenter\u2026"; return; }}
  if (cfg.form) {{ showForm(); return; }}
  setTimeout(showEnter, cfg.delayMs);
}})();
</script>
</body></html>"""
