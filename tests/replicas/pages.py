"""The replica pages, as Python strings. `{cfg}` is a JSON object of the page's settings."""

from __future__ import annotations

import html
import json

# OneTrust's banner: late, fixed at the bottom, covering whatever is behind it.
ONETRUST = r"""
<script>
setTimeout(() => {
  const b = document.createElement('div');
  b.id = 'onetrust-banner-sdk';
  b.style = 'position:fixed;left:0;right:0;bottom:0;height:260px;background:#f4f4f4;' +
            'border-top:2px solid #999;z-index:1000;padding:20px';
  b.innerHTML = '<p>We use cookies to improve your experience.</p>' +
    '<button id="onetrust-pc-btn-handler">Cookie Settings</button> ' +
    '<button id="onetrust-accept-btn-handler">Accept All Cookies</button>';
  document.body.appendChild(b);
  document.getElementById('onetrust-accept-btn-handler').onclick = () => {
    fetch('/__rec/consent', {keepalive: true}).finally(() => b.remove());
  };
}, BANNER_MS);
</script>
"""


# A silent WAV as a blob: URL, for <video>/<audio> elements that really play (their time advances)
# and really end (`ended`) in headless Chromium, with no media file. loop=true: never ends.
SILENT_MEDIA = r"""
<script>
function silentMedia(seconds) {
  const rate = 8000, n = Math.max(1, Math.round(rate * seconds));
  const buf = new ArrayBuffer(44 + n), d = new DataView(buf);
  const put = (o, s) => { for (let i = 0; i < s.length; i++) d.setUint8(o + i, s.charCodeAt(i)); };
  put(0, 'RIFF'); d.setUint32(4, 36 + n, true); put(8, 'WAVE'); put(12, 'fmt ');
  d.setUint32(16, 16, true); d.setUint16(20, 1, true); d.setUint16(22, 1, true);
  d.setUint32(24, rate, true); d.setUint32(28, rate, true); d.setUint16(32, 1, true);
  d.setUint16(34, 8, true); put(36, 'data'); d.setUint32(40, n, true);
  new Uint8Array(buf, 44).fill(128);
  return URL.createObjectURL(new Blob([buf], {type: 'audio/wav'}));
}
function mediaElement(seconds, loop, autoplay) {
  const v = document.createElement('video');
  v.width = 640; v.height = 360; v.muted = true; v.loop = loop;
  v.style = 'background:#123;display:block';
  v.src = silentMedia(seconds);
  if (autoplay) v.play().catch(() => {});
  return v;
}
</script>
"""


def page(title: str, body: str, cfg: dict, banner_ms: int | None = None,
         head: str = "") -> str:
    """A replica page: `cfg` as the script constant `cfg`, the OneTrust banner after `banner_ms`
    (None: no banner), `head` (e.g. SILENT_MEDIA) before the body."""
    banner = ONETRUST.replace("BANNER_MS", str(banner_ms)) if banner_ms is not None else ""
    return (
        "<!doctype html><html lang=en><head><meta charset=utf-8>"
        f"<title>{html.escape(title)}</title>"
        "<style>body{font-family:sans-serif;margin:0;padding:0 24px}</style>"
        f"<script>const cfg = {json.dumps(cfg)};</script>{head}</head><body>"
        f"{body}{banner}</body></html>"
    )


def _page(title: str, body: str, cfg: dict, banner_ms: int | None = None) -> str:
    return page(title, body, cfg, banner_ms)


def brighttalk_webcast(channel: str, webcast: str, cfg: dict) -> str:
    body = f"""
<header><h1>{html.escape(cfg.get('title', 'A BrightTALK webcast'))}</h1>
<p>Channel {html.escape(channel)} &middot; webcast {html.escape(webcast)}</p></header>
<section style="height:900px">About this webcast: summary, presenters, attachments.</section>
<div id="player-slot" style="min-height:460px"></div>
<script>
setTimeout(() => {{
  const f = document.createElement('iframe');
  f.id = 'bt-player-wrapper-iframe';
  f.width = 800; f.height = 450; f.style = 'border:0';
  f.src = '/service/player/en-US/theme/default/channel/{channel}/webcast/{webcast}';
  document.getElementById('player-slot').appendChild(f);
}}, cfg.iframe_ms);
</script>"""
    return _page("BrightTALK webcast", body, cfg, cfg["banner_ms"])


def brighttalk_player(webcast: str, cfg: dict) -> str:
    body = r"""
<div id="player" style="width:760px;height:420px;background:#111;color:#eee;position:relative">
  <p id="status">Loading the player&hellip;</p>
</div>
<script>
const player = document.getElementById('player');
const status = document.getElementById('status');
function show(htmlText) { player.innerHTML = htmlText; }
function live() {
  show('<canvas id="stream" width="640" height="360"></canvas><p>LIVE</p>');
  const c = document.getElementById('stream').getContext('2d');
  c.fillStyle = '#246'; c.fillRect(0, 0, 640, 360);
  if (cfg.ends_after_ms !== null) setTimeout(() => show(
    '<h2>This webcast has ended</h2><p>Thank you for attending.</p>'), cfg.ends_after_ms);
}
function login() {
  show('<h2>Log in to BrightTALK</h2><form aria-label="Sign in" onsubmit="return false">' +
       '<input type="email" placeholder="Email"> <input type="password" placeholder="Password">' +
       ' <button>Log in</button></form>');
}
if (!cfg.nobutton) setTimeout(() => {
  status.textContent = 'Starting soon';
  const b = document.createElement('button');
  b.className = 'bt-enter';
  b.style = 'position:absolute;left:300px;top:180px;font-size:24px;padding:12px 40px';
  b.textContent = cfg.label;
  b.onclick = () => {
    b.disabled = true;
    fetch('/__rec/enter?webcast=' + encodeURIComponent(WEBCAST), {keepalive: true})
      .finally(() => cfg.login ? login() : live());
  };
  player.appendChild(b);
}, cfg.button_ms);
</script>""".replace("WEBCAST", json.dumps(webcast))
    return _page("BrightTALK player", body, cfg)


def isc2_vault(commid: str, channel: str, cfg: dict) -> str:
    src = (
        f"https://www.brighttalk.com/service/player/en-US/theme/default/channel/{channel}"
        f"/webcast/{commid}?embed=true"
    )
    body = f"""
<header><h1>ISC2 Knowledge Vault</h1><nav><a href="/">Home</a> <a href="/sign-in">Sign In</a></nav></header>
<article><h2>{html.escape(cfg.get('title', 'Security webinar'))}</h2>
<div style="height:{cfg['gap_px']}px">Webinar description and CPE credits.</div>
<iframe title="BrightTALK player" loading="lazy" width="800" height="450" style="border:0"
        src="{src}"></iframe></article>"""
    return _page("ISC2 Knowledge Vault", body, cfg, cfg["banner_ms"])


def zoom_landing(browser_href: str, cfg: dict) -> str:
    body = f"""
<h1>Launch Meeting - Zoom</h1>
<p>Click <b>Open Zoom Meetings</b> on the dialog shown by your browser.</p>
<button id="launch" style="font-size:20px">Launch Meeting</button>
<p id="more" style="display:none">Don't have Zoom Client installed?
  <a id="browser" href="{html.escape(browser_href)}">Join from Your Browser</a></p>
<script>
document.getElementById('launch').onclick = () => {{
  fetch('/__rec/launch', {{keepalive: true}});
  document.getElementById('more').style.display = 'block';
}};
if (!cfg.link_after_launch) document.getElementById('more').style.display = 'block';
</script>"""
    return _page("Launch Meeting - Zoom", body, cfg)


def zoom_web_client(meeting: str, cfg: dict) -> str:
    body = r"""
<div id="root"><p>Loading the web client&hellip;</p></div>
<script>
const q = new URLSearchParams(location.search);
const pwd = q.get('pwd');
setTimeout(() => {
  document.getElementById('root').innerHTML =
    '<h1>Join Meeting</h1><form id="join-form" onsubmit="return false">' +
    '<label for="input-for-name">Your Name</label> ' +
    '<input id="input-for-name" type="text" required placeholder="Your Name"><br>' +
    (cfg.ask_email ? '<label for="input-for-email">Your Email</label> ' +
      '<input id="input-for-email" type="email" required placeholder="Your Email"><br>' : '') +
    (pwd ? '' : '<input id="input-for-pwd" type="password" placeholder="Meeting Passcode"><br>') +
    '<button type="button" class="preview-join-button" disabled>Join</button></form>' +
    '<p id="error" style="color:red"></p>';
  const name = document.getElementById('input-for-name');
  const button = document.querySelector('.preview-join-button');
  name.addEventListener('input', () => { button.disabled = name.value.trim() === ''; });
  button.onclick = async () => {
    const email = document.getElementById('input-for-email');
    const p = new URLSearchParams({meeting: MEETING, name: name.value, pwd: pwd || '',
                                   email: email ? email.value : ''});
    const r = await fetch('/__rec/zoom-join?' + p.toString());
    const answer = await r.json();
    if (!answer.ok) { document.getElementById('error').textContent = 'Passcode wrong'; return; }
    document.getElementById('root').innerHTML =
      '<div id="wc-container-left" style="width:800px;height:450px;background:#222;color:#fff">' +
      '<p>Meeting in progress</p></div><div id="wc-footer">Mute &middot; Leave</div>';
  };
}, cfg.form_ms);
</script>""".replace("MEETING", json.dumps(meeting))
    return _page("Zoom", body, cfg)
