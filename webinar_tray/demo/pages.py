"""The demo webinar site's pages (demo/site.py serves them): inline HTML, CSS and JS.

They stay Python strings, not data files, so a PyInstaller build needs nothing extra. What the
pages do and the query flags they read are described in site.py.
"""

from __future__ import annotations

import html
import json


def _title_for(slug: str) -> str:
    words = slug.replace("_", " ").replace("-", " ").split()
    return " ".join(w.capitalize() for w in words) or "Demo webinar"


_BASE_CSS = """
* { box-sizing: border-box; }
body { margin: 0; font: 15px/1.5 system-ui, -apple-system, "Segoe UI", Roboto, sans-serif;
       color: #1d2433; background: #f3f5f9; }
button { font: inherit; cursor: pointer; }
"""


def index_page() -> str:
    return f"""<!doctype html><html lang="en"><head><meta charset="utf-8">
<title>webinar-tray demo site</title><style>{_BASE_CSS}
main {{ max-width: 640px; margin: 64px auto; background: #fff; padding: 32px; border-radius: 12px;
        box-shadow: 0 2px 12px rgba(20,30,60,.08); }}</style></head>
<body><main><h1>webinar-tray demo site</h1>
<p>This local site stands in for a webinar platform so you can watch webinar-tray join a
webinar without a real one. Try <a href="/webinar/demo-webinar">the demo webinar</a>.</p>
</main></body></html>"""


def webinar_page(slug: str, query: dict[str, str], raw_query: str) -> str:
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


def player_page(slug: str, query: dict[str, str], raw_query: str) -> str:
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
    g.fillText(cfg.title, 40, 60, c.width - 80);  // squeezed to fit, never clipped
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
