"""A live video webinar's page, for the watching bench (bench/watch_cost.py) and its test.

The player picks among 180p/360p/720p WebM renditions by its own width in device pixels (the
element's clientWidth * devicePixelRatio, as hls.js's capLevelToPlayerSize and video.js do: the
smallest rendition at least that wide, else the largest), checks again when the page is resized
(keeping its place in the stream), loops the clip (the stand-in for a live stream) and, while
playing, sends a heartbeat every second carrying the video's currentTime, the time played so far
and the rendition. The server counts them.

    clips = make_clips(folder)          # ffmpeg, once per folder (cached)
    site = VideoSite(clips).start()     # http://127.0.0.1:PORT/live (?button=1: a Join button)
    ... site.heartbeats ...
    site.stop()
"""

from __future__ import annotations

import shutil
import subprocess
import threading
import time
from dataclasses import dataclass
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from urllib.parse import parse_qs, urlsplit

RENDITIONS = {180: (320, 180, "150k"), 360: (640, 360, "500k"), 720: (1280, 720, "1500k")}


def ffmpeg_path() -> str | None:
    return shutil.which("ffmpeg")


def make_clips(folder: Path, seconds: int = 10, fps: int = 30) -> dict[int, Path]:
    """The three renditions of a test-pattern clip, made by ffmpeg in `folder` unless there."""
    folder = Path(folder)
    folder.mkdir(parents=True, exist_ok=True)
    clips = {}
    for height, (w, h, rate) in RENDITIONS.items():
        path = folder / f"live-{height}p-{seconds}s-{fps}.webm"
        if not path.exists():
            tmp = path.with_suffix(".part.webm")
            subprocess.run(
                [ffmpeg_path() or "ffmpeg", "-v", "error", "-y", "-f", "lavfi", "-i",
                 f"testsrc2=size={w}x{h}:rate={fps}:duration={seconds}", "-c:v", "libvpx",
                 "-b:v", rate, "-deadline", "realtime", "-cpu-used", "8", "-g", str(fps * 2),
                 "-an", str(tmp)],
                check=True, stdin=subprocess.DEVNULL,
            )
            tmp.replace(path)
        clips[height] = path
    return clips


@dataclass(frozen=True)
class Beat:
    at: float  # time.monotonic() on the server
    current: float  # the video's currentTime
    played: float  # seconds played since the page loaded (loops included)
    rendition: int  # 180 / 360 / 720
    width: int  # the player's width in device pixels when it chose


_PAGE = """<!doctype html>
<html><head><meta charset="utf-8"><title>Live webinar</title>
<style>html,body{margin:0;height:100%;background:#000;color:#fff;font:16px sans-serif}
#v{width:100%;height:100%;display:block}
#join{position:absolute;left:40px;top:40px;font-size:20px;padding:10px 24px}</style></head>
<body><video id="v" muted playsinline loop __AUTOPLAY__></video>__BUTTON__
<script>
const v = document.getElementById('v'), sizes = [[180, 320], [360, 640], [720, 1280]];
let rendition = 0, width = 0, played = 0, last = 0;
function pick() {
  width = Math.round(v.clientWidth * (window.devicePixelRatio || 1));
  for (const [h, w] of sizes) if (w >= width) return h;
  return 720;
}
function choose() {
  const r = pick();
  if (r === rendition) return;
  const at = v.currentTime, wasPlaying = rendition === 0 || !v.paused;
  rendition = r;
  v.src = '/clip/' + r + '.webm';
  if (at) v.addEventListener('loadedmetadata', () => { v.currentTime = at; }, {once: true});
  if (wasPlaying && v.autoplay) v.play().catch(() => {});
}
window.addEventListener('resize', choose);
choose();
const join = document.getElementById('join');
if (join) join.onclick = () => { join.remove(); v.autoplay = true; v.play(); };
setInterval(() => {
  if (v.paused || v.ended) { last = v.currentTime; return; }
  let d = v.currentTime - last;
  if (d < 0) d += v.duration || 0;
  played += d; last = v.currentTime;
  fetch('/hb?t=' + v.currentTime.toFixed(3) + '&p=' + played.toFixed(3) + '&r=' + rendition +
        '&w=' + width, {cache: 'no-store'}).catch(() => {});
}, 1000);
</script></body></html>
"""


class VideoSite:
    """The page, the clips and the heartbeat counter, on 127.0.0.1."""

    def __init__(self, clips: dict[int, Path]):
        self.clips = clips
        self.heartbeats: list[Beat] = []
        self.requested: list[int] = []  # renditions fetched, in order
        self._lock = threading.Lock()
        self._server: ThreadingHTTPServer | None = None
        self.port = 0

    def url(self, button: bool = False, framed: bool = False) -> str:
        """The player's page; `framed`: a page of another site (localhost) showing it in an
        iframe (a separate renderer process, as most embedded players are)."""
        if framed:
            return f"http://localhost:{self.port}/embed" + ("?button=1" if button else "")
        return f"http://127.0.0.1:{self.port}/live" + ("?button=1" if button else "")

    def start(self) -> "VideoSite":
        site = self

        class Handler(_Handler):
            video = site

        self._server = _Server(("127.0.0.1", 0), Handler)
        self._server.daemon_threads = True
        self.port = self._server.server_address[1]
        threading.Thread(target=self._server.serve_forever, name="video-site", daemon=True).start()
        return self

    def stop(self) -> None:
        server, self._server = self._server, None
        if server is not None:
            server.shutdown()
            server.server_close()

    def beats(self) -> list[Beat]:
        with self._lock:
            return list(self.heartbeats)

    def _beat(self, b: Beat) -> None:
        with self._lock:
            self.heartbeats.append(b)


def rates(beats: list[Beat], since: float, until: float) -> tuple[float, float]:
    """(heartbeats per second, video seconds played per second) between two server times."""
    window = [b for b in beats if since <= b.at <= until]
    if len(window) < 2:
        return 0.0, 0.0
    span = until - since
    advance = (window[-1].played - window[0].played) / (window[-1].at - window[0].at)
    return len(window) / span, advance


class _Server(ThreadingHTTPServer):
    def handle_error(self, request, client_address) -> None:
        """A browser dropping a video download half way (seeking, a new rendition) is normal."""


class _Handler(BaseHTTPRequestHandler):
    video: VideoSite
    protocol_version = "HTTP/1.1"

    def log_message(self, *args) -> None:  # quiet
        pass

    def do_GET(self) -> None:
        parts = urlsplit(self.path)
        q = {k: v[0] for k, v in parse_qs(parts.query).items()}
        if parts.path == "/live":
            button = '<button id="join">Join webinar</button>' if q.get("button") else ""
            page = _PAGE.replace("__BUTTON__", button).replace("__AUTOPLAY__", "" if button else "autoplay")
            self._send(200, "text/html; charset=utf-8", page.encode())
        elif parts.path == "/embed":  # the player in a frame of another site (localhost)
            src = f"http://127.0.0.1:{self.video.port}/live" + ("?button=1" if q.get("button") else "")
            page = (f'<!doctype html><title>Live webinar</title><body style="margin:0">'
                    f'<iframe src="{src}" allow="autoplay" style="border:0;width:100vw;height:100vh">'
                    f'</iframe></body>')
            self._send(200, "text/html; charset=utf-8", page.encode())
        elif parts.path == "/hb":
            try:
                beat = Beat(time.monotonic(), float(q["t"]), float(q["p"]), int(q["r"]), int(q["w"]))
            except (KeyError, ValueError):
                self._send(400, "text/plain", b"bad heartbeat")
                return
            self.video._beat(beat)
            self._send(204, "text/plain", b"")
        elif parts.path.startswith("/clip/") and parts.path.endswith(".webm"):
            self._clip(parts.path[len("/clip/"):-len(".webm")])
        else:
            self._send(404, "text/plain", b"not found")

    def _clip(self, name: str) -> None:
        try:
            path = self.video.clips[int(name)]
        except (KeyError, ValueError):
            self._send(404, "text/plain", b"no such rendition")
            return
        data = path.read_bytes()
        start, end = 0, len(data) - 1
        rng = self.headers.get("Range", "")
        if rng.startswith("bytes="):
            a, _, b = rng[6:].split(",")[0].partition("-")
            start = int(a) if a else max(0, len(data) - int(b or 0))
            end = min(int(b), end) if a and b else end
        if not self.headers.get("Range") or start == 0:
            with self.video._lock:
                self.video.requested.append(int(name))
        body = data[start:end + 1]
        self.send_response(206 if rng else 200)
        self.send_header("Content-Type", "video/webm")
        self.send_header("Accept-Ranges", "bytes")
        if rng:
            self.send_header("Content-Range", f"bytes {start}-{end}/{len(data)}")
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)

    def _send(self, code: int, ctype: str, body: bytes) -> None:
        self.send_response(code)
        self.send_header("Content-Type", ctype)
        self.send_header("Content-Length", str(len(body)))
        self.send_header("Cache-Control", "no-store")
        self.end_headers()
        if body:
            self.wfile.write(body)
