"""The fault suite's rig: the REAL engine, wired as the app wires it, with an injected clock.

    clock = ShiftClock()                      # real UTC now + an offset the test moves
    rig = make_rig(config=ics_config(feed))   # the `make_rig` fixture (conftest.py)
    rig.start()                               # store on a real sqlite file, Engine + EngineLoop
    ...                                       # on its thread, real sources, PlaywrightJoiner
    rig.stop()                                # the real EngineHost.stop(): pages closed, history

What is real: `Store` (sqlite file in the test's home), `Engine`, `EngineLoop` (its own thread),
the sources `app.build_sources` makes from config.toml (IcsSource on a loopback feed, the Google
source against tests/fakegoogle.py), `PlaywrightJoiner` on Debian's Chromium (headless), the
`ConfigWatcher` and `EngineHost.apply`/`stop`. What is ours: the clock (ShiftClock, passed as the
engine's Clock port and pointed at by the browser session's wall-clock reads, so the engine and
the browser agree on "now" when a test moves time) and the notifier (`RecordingNotifier`, the log
notifier that also remembers what it said).
"""

from __future__ import annotations

import sqlite3
import threading
import time
from datetime import datetime, timedelta, timezone
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

from tests.e2e.helpers import wait_for, z  # noqa: F401  (the suite imports them from here)
from webinar_tray.adapters.notify.log import LogNotifier

# Small, so a webinar of a few seconds is joined, stayed in and left within the test.
BASE_CONFIG = """\
[join]
lead_seconds = 2
grace_seconds = 2
headless = true
step_timeout_seconds = 10
screenshot_minutes = 0
keep_awake = false
allowed_hosts = ["127.0.0.1"]
{join}[notifications]
remind_minutes = 1
[browser]
executable_path = "{chromium}"
"""

FINAL_STATES = {"attended", "partial", "failed", "missed", "skipped"}


class ShiftClock:
    """The engine's Clock: the machine's UTC time plus an offset the test moves. `jump(+h)` is a
    suspend across a deadline (or the clock set forward), `jump(-h)` the clock set back."""

    def __init__(self, offset: timedelta = timedelta(0)):
        self._lock = threading.Lock()
        self.offset = offset

    def now(self) -> datetime:
        with self._lock:
            return datetime.now(timezone.utc) + self.offset

    def jump(self, delta: timedelta) -> None:
        with self._lock:
            self.offset += delta

    def set(self, at: datetime) -> None:
        """From now on the clock reads `at` (and runs on from there)."""
        with self._lock:
            self.offset = at - datetime.now(timezone.utc)

    def to_clock(self, real: datetime) -> datetime:
        """A real instant (e.g. a visit the demo site recorded) on this clock's time line."""
        return real + self.offset


class RecordingNotifier(LogNotifier):
    """The log notifier (what `run` uses) that also remembers each notification."""

    def __init__(self, enabled: bool = True):
        super().__init__(enabled)
        self._lock = threading.Lock()
        self.sent: list[tuple[str, str, str]] = []

    def notify(self, kind: str, title: str, message: str) -> None:
        with self._lock:
            self.sent.append((kind, title, message))
        super().notify(kind, title, message)

    def of(self, kind: str) -> list[tuple[str, str, str]]:
        with self._lock:
            return [n for n in self.sent if n[0] == kind]


class IcsFeed:
    """A loopback HTTP server serving one ICS body at a secret-looking address; `stop()` closes
    the port (the network is down for it from then on). Every GET is counted."""

    SECRET_PATH = "/calendar/ical/private-3f9a7c1d/basic.ics"

    def __init__(self, body: str = ""):
        self.body = body
        self.gets: list[datetime] = []
        feed = self

        class Handler(BaseHTTPRequestHandler):
            def log_message(self, *a):  # quiet
                pass

            def do_GET(self):  # noqa: N802
                feed.gets.append(datetime.now(timezone.utc))
                data = feed.body.encode()
                self.send_response(200 if self.path == feed.SECRET_PATH else 404)
                self.send_header("Content-Type", "text/calendar; charset=utf-8")
                self.send_header("Content-Length", str(len(data)))
                self.end_headers()
                self.wfile.write(data)

        self._server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self._server.daemon_threads = True
        self.port = self._server.server_address[1]
        self.url = f"http://127.0.0.1:{self.port}{self.SECRET_PATH}"
        self._thread = threading.Thread(target=self._server.serve_forever, name="ics-feed", daemon=True)
        self._thread.start()
        self._up = True

    def stop(self) -> None:
        if self._up:
            self._up = False
            self._server.shutdown()
            self._server.server_close()
            self._thread.join(5)


def ics_config(*addresses: str) -> str:
    quoted = ", ".join(f'"{a}"' for a in addresses)
    return f"[ics]\nurls = [{quoted}]\n"


class Rig:
    """One engine for one home folder, built from config.toml as `EngineHost.start()` builds it,
    except that the clock is the test's. Use through the `make_rig` fixture."""

    def __init__(self, home: Path, clock: ShiftClock, notifier: RecordingNotifier):
        self.home, self.clock, self.notifier = home, clock, notifier
        self.host = None
        self.paths = None

    # ---- life -----------------------------------------------------------------------------
    def start(self) -> "Rig":
        from webinar_tray.compose import Context, build_host
        from webinar_tray.config.paths import resolve_paths
        from webinar_tray.env import Env

        self.paths = resolve_paths(self.home)
        ctx = Context.load(self.paths, env=Env.real().with_(clock=self.clock))
        host = build_host(ctx, notifier=self.notifier, headless=True)
        host.watch_seconds = 1  # config edits are seen within a second
        self.host = host
        host.start()
        return self

    def stop(self) -> None:
        if self.host is not None:
            host, self.host = self.host, None
            host.stop()

    @property
    def engine(self):
        return self.host.engine

    @property
    def loop(self):
        return self.host.loop

    def refresh(self, timeout: float = 120):
        """A refresh as the hourly job runs it (started on the engine thread, fetched in the
        background, applied on the engine thread); returns its result once applied."""
        end = time.monotonic() + timeout
        e = self.engine
        while True:  # read the last result and start, in one step on the engine thread
            before, started = self.loop.call(lambda: (e.last_refresh, e.start_refresh())).result(timeout)
            if started:
                break
            wait_for(lambda: not e.refreshing, end - time.monotonic(), what="the running refresh")
        wait_for(lambda: not e.refreshing and e.last_refresh is not before, end - time.monotonic(),
                 what="the refresh")
        return self.engine.last_refresh

    def due_check(self, timeout: float = 60) -> None:
        self.loop.call(self.engine.due_check).result(timeout)

    # ---- what it recorded ------------------------------------------------------------------
    def records(self) -> list:
        """Every attendance record (the rows `history` shows), read through a Store of its own."""
        from webinar_tray.runtime.store import Store

        s = Store(self.paths.database)
        try:
            return s.attendances()
        finally:
            s.close()

    def record(self, pred=lambda a: True):
        return next((a for a in self.records() if pred(a)), None)

    def wait_final(self, timeout: float, n: int = 1) -> list:
        """Waits until `n` records have a final outcome; returns every record."""
        return wait_for(lambda: (rs := self.records()) and sum(a.state in FINAL_STATES for a in rs) >= n and rs,
                        timeout, what=f"{n} final attendance record(s)")


def assert_history_sound(database: Path) -> None:
    """No lost or corrupted history: the file passes sqlite's integrity check, ids are unique and
    no record is left half-way (joining/attending) once the engine stopped."""
    db = sqlite3.connect(database)
    try:
        assert db.execute("PRAGMA integrity_check").fetchone()[0] == "ok"
        rows = db.execute("SELECT id, state FROM attendance").fetchall()
    finally:
        db.close()
    ids = [r[0] for r in rows]
    assert len(ids) == len(set(ids)), f"duplicate records: {ids}"
    half = [r for r in rows if r[1] not in FINAL_STATES]
    assert not half, f"records left unfinished: {half}"




def at_second(t: datetime) -> datetime:
    return t.replace(microsecond=0)


def soon(seconds: float, clock: ShiftClock) -> datetime:
    """A start `seconds` ahead on the clock's time line, on a whole second (ICS has no fractions)."""
    return at_second(clock.now() + timedelta(seconds=seconds)) + timedelta(seconds=1)

