"""The setup page's test run: a one-minute demo webinar attended now, with the app's own browser
and settings (name, headless, the browser profile), recorded in `<home>/demo/` like every demo
attendance (CONTRACT: `--demo` keeps its records apart). It runs as a standalone demo engine,
as `webinar-tray --demo join` would: it takes the demo folder's instance lock for its duration."""

from __future__ import annotations

import logging
import threading
from dataclasses import dataclass, replace
from datetime import timedelta

from webinar_tray.config.paths import Paths
from webinar_tray.core.settings import Settings

log = logging.getLogger(__name__)

TITLE = "Test run: a one-minute demo webinar"
WAIT_LIMIT = 600.0  # seconds: a test run that has not ended by then is left


@dataclass(frozen=True)
class TestRunState:
    state: str = "idle"  # idle | running | done | failed
    message: str = ""
    outcome: str | None = None  # the attendance's outcome (attended, partial, failed...)
    minutes: float | None = None

    def as_dict(self) -> dict:
        return {"state": self.state, "message": self.message, "outcome": self.outcome,
                "minutes": self.minutes}


class TestRun:
    """One test run at a time; `state` is read by the page (it polls while running)."""

    def __init__(self, paths: Paths, env, *, seconds: int = 60, busy=lambda: None):
        self.paths, self.env, self.seconds = paths.real(), env, seconds
        self._busy = busy  # () -> why the browser cannot be used now, or None
        self._lock = threading.Lock()
        self.state = TestRunState()

    def start(self, settings: Settings) -> TestRunState:
        with self._lock:
            if self.state.state == "running":
                return self.state
            why = self._busy()
            if why:
                self.state = TestRunState("failed", why)
                return self.state
            self.state = TestRunState("running", f"joining the demo webinar (it lasts {self.seconds} s)…")
        threading.Thread(target=self._run, args=(settings,), name="setup-test-run", daemon=True).start()
        return self.state

    def _run(self, settings: Settings) -> None:
        try:
            result = self._attend(settings)
        except Exception as e:  # noqa: BLE001 - shown on the page, logged
            log.exception("setup page: the test run failed")
            result = TestRunState("failed", f"the test run failed: {type(e).__name__}: {e}")
        with self._lock:
            self.state = result

    def _attend(self, settings: Settings) -> TestRunState:
        from webinar_tray.compose import Context, build_engine
        from webinar_tray.config.files import effective_settings
        from webinar_tray.core.outcome import minutes_attended
        from webinar_tray.demo.site import DemoSite
        from webinar_tray.runtime.instance import InstanceLock

        demo = self.paths.as_demo()
        lock = InstanceLock(demo.lock_file)
        if not lock.acquire():
            return TestRunState("failed", "the demo is running (webinar-tray --demo): quit it first, "
                                          "or watch its demo webinar instead")
        site = DemoSite()
        store = engine = None
        try:
            site.start()
            ctx = Context(demo, effective_settings(_short(settings), True), [], self.env)
            store = ctx.open_store()
            engine, _ = build_engine(ctx, store, with_sources=False)
            done = threading.Event()
            engine.on_change = lambda: (not engine.active_ids()) and done.set()
            now = ctx.env.clock.now()
            url = site.url_for("test-run", ends_at=now + timedelta(seconds=self.seconds), title=TITLE)
            p = engine.join_url(url, (self.seconds + 120) / 60, TITLE)
            done.wait(WAIT_LIMIT)
            engine.close()
            engine = None
            a = store.get(p.id)
        finally:
            if engine is not None:
                engine.close()
            if store is not None:
                store.close()
            site.stop()
            lock.release()
        if a is None or a.joined_at is None:
            why = (a.error if a is not None else None) or "it never joined"
            return TestRunState("failed", f"not joined: {why}", a.state if a else None)
        minutes = round(minutes_attended(a.joined_at, a.left_at, a.gaps), 1)
        return TestRunState("done", f"{a.state}: {minutes:g} min attended; recorded in {demo.data_dir}",
                            a.state, minutes)


def _short(settings: Settings) -> Settings:
    """The demo page ends on its own; screenshots and the end-of-page wait as configured."""
    return replace(settings, join=replace(settings.join, grace_seconds=min(settings.join.grace_seconds, 30)))
