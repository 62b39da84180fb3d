"""The engine host's two doors over the real wiring (compose.build_host: the real engine thread,
store, config watcher, tomlkit writer and an idle Playwright joiner): commands sent with
`host.send`, the engine read back through `host.view()`."""

from __future__ import annotations

import stat
import threading
import time
from datetime import datetime, timedelta, timezone

import pytest

from tests.e2e.helpers import wait_for
from tests.host.conftest import CONFIG, WEBINAR_URL, by_title, calendar_events, write_calendar
from webinar_tray.core import commands as c
from webinar_tray.core.events import override_key
from webinar_tray.core.settings import ConfigError
from webinar_tray.host import HostError
from webinar_tray.runtime.store import Attendance, Store


def count_applies(host):
    """Wraps host.apply: the threads it ran on, one entry per call."""
    calls = []
    original = host.apply

    def apply(settings):
        calls.append(threading.current_thread().name)
        original(settings)

    host.apply = apply
    host.watcher.apply = apply
    return calls


# --- settings: one path ----------------------------------------------------------------------------

def test_a_setting_is_written_keeping_comments_and_applied_once_on_the_engine_thread(host):
    config = host.paths.config_file
    applies = count_applies(host)
    assert host.view().headless is False

    host.send(c.SetSetting("join.headless", True))

    text = config.read_text()
    assert "# my webinar-tray settings (this comment must survive the tray's toggles)" in text
    assert 'urls = ["cal.ics"]   # the team calendar' in text
    assert "headless = true     # I want to see the page" in text
    assert stat.S_IMODE(config.stat().st_mode) == 0o600
    assert applies == ["engine"], "applied at once, on the engine thread"
    view = host.view()
    assert view.headless is True and view.settings.join.headless is True
    assert host.engine.joiner.settings.join.headless is True and host.ctx.settings.join.headless is True

    host.send(c.SetSetting("notifications.enabled", False))
    assert "[notifications]\nenabled = false" in config.read_text()
    assert host.view().notifications is False and host.engine.notifier.enabled is False
    # the watcher looks at the file (every watch_seconds) and finds nothing new to apply
    host.loop.call(host.watcher.check).result(10)
    assert applies == ["engine", "engine"], "the watcher did not apply the tray's own writes again"

    config.write_text(config.read_text().replace("headless = true", "headless = false"))
    host.loop.call(host.watcher.check).result(10)  # an edit by the user is applied
    assert applies == ["engine", "engine", "engine"] and host.view().headless is False


@pytest.mark.parametrize("command, says", [
    (c.SetSetting("join.headless", "yes"), "true or false"),
    (c.SetSetting("join.no_such_key", True), "unknown key 'join.no_such_key'"),
])
def test_a_bad_setting_is_refused_and_the_file_is_untouched(host, command, says):
    config = host.paths.config_file
    before = config.read_bytes()
    with pytest.raises(ConfigError) as e:
        host.send(command)
    assert says in str(e.value) and str(config) in str(e.value)
    assert config.read_bytes() == before
    assert host.view().headless is False


def test_a_setting_on_a_broken_config_file_leaves_it_as_it_was(host):
    config = host.paths.config_file
    config.write_text(CONFIG + "[join\n")
    before = config.read_bytes()
    with pytest.raises(ConfigError, match="is not valid TOML"):
        host.send(c.SetSetting("join.headless", True))
    assert config.read_bytes() == before
    assert host.engine.settings.join.headless is False


# --- sessions ------------------------------------------------------------------------------------

def test_auto_join_off_turns_the_plan_off_and_is_kept_in_the_store(host):
    p = by_title(host.engine, "Cloud security webinar")
    assert p.auto_join and p.reason is None
    host.send(c.SetAutoJoin(p.calendar_id, p.event_id, False))
    [q] = [q for q in host.view().plan if q.id == p.id]
    assert not q.auto_join and q.reason == "turned-off" and q.join_at is None
    other = Store(host.paths.database)  # another connection: it is on disk
    try:
        assert other.overrides() == {override_key(p.calendar_id, p.event_id): False}
    finally:
        other.close()
    host.send(c.SetAutoJoin(p.calendar_id, p.event_id, True))
    assert by_title(host.engine, "Cloud security webinar").auto_join


def test_refresh_reads_the_calendar_again_and_the_view_follows(host, configured):
    before = host.view().last_refresh
    events = calendar_events(datetime.now(timezone.utc))
    start = events[0]["start"] + timedelta(hours=5)
    events.append({"uid": "new-1", "start": start, "end": start + timedelta(hours=1),
                   "title": "Added later webinar",
                   "description": "https://www.brighttalk.com/webcast/5385/700009"})
    write_calendar(configured, events)
    assert "Added later webinar" not in [p.title for p in host.view().plan]

    assert host.send(c.Refresh()) in (True, False)

    wait_for(lambda: any(p.title == "Added later webinar" and p.auto_join for p in host.view().plan),
             30, every=0.05, what="the new session in the view")
    assert host.view().last_refresh is not None and host.view().last_refresh != before or before is None


def test_join_now_of_an_unknown_id_says_so(host):
    assert host.send(c.JoinNow("cal/gone/20261125T090000Z")).startswith("no upcoming session")


def test_show_page_of_a_headless_webinar_without_a_screenshot_is_refused(host):
    with pytest.raises(HostError, match="hidden .headless. browser; no screenshot yet"):
        host.send(c.ShowPage("cal/none/1"))
    now = datetime.now(timezone.utc)
    shot = host.paths.evidence_dir / "x.png"
    host.store.claim(Attendance(id="adhoc/shot", title="Shot", provider=None, join_url=WEBINAR_URL,
                                start=now, end=now + timedelta(hours=1), state="attending",
                                evidence=[str(shot)]), now)
    assert host.send(c.ShowPage("adhoc/shot")) == shot


def test_open_history_writes_the_page_and_the_view_drops_the_failures_shown(host):
    now = datetime.now(timezone.utc)
    host.store.claim(Attendance(id="cal/failed/1", title="Failed <b>webinar</b>", provider="BrightTALK",
                                join_url=WEBINAR_URL, start=now - timedelta(hours=1),
                                end=now - timedelta(minutes=5), state="failed",
                                error="step 'enter' timed out"), now)
    host.engine.on_change()
    [failed] = host.view().failures
    assert failed.id == "cal/failed/1" and failed.reason == "step 'enter' timed out"

    page = host.send(c.OpenHistory())

    assert page == host.paths.data_dir / "cpe.html"  # the CPE report, listing what earned nothing too
    text = page.read_text()
    assert "Failed &lt;b&gt;webinar&lt;/b&gt;" in text and "s3cr3t" not in text
    assert "href='history.html'" in text
    raw = (host.paths.data_dir / "history.html").read_text()  # the full history beside it
    assert "Failed &lt;b&gt;webinar&lt;/b&gt;" in raw and "s3cr3t" not in raw
    assert host.view().failures == ()


def test_sign_in_without_a_google_client_file_says_how_to_make_one(host):
    assert host.view().account_configured is False and host.view().account is None
    with pytest.raises(HostError, match="client_secret.json does not exist; create one in the Google Cloud"):
        host.send(c.SignIn())


# --- the view --------------------------------------------------------------------------------------

def test_the_view_is_a_frozen_snapshot_of_the_running_engine(host):
    view = host.view()
    assert view.running and not view.demo and view.active == ()
    assert [p.title for p in view.plan] == [p.title for p in host.engine.current_plan]
    with pytest.raises(AttributeError):
        view.headless = True  # frozen
    with pytest.raises(TypeError):
        view.states["x"] = "attended"  # read-only mapping


def test_after_stop_the_view_says_so_and_commands_are_refused(configured, notifier):
    from tests.host.conftest import new_host

    h = new_host(notifier)
    h.start()
    h.stop()
    assert h.view().running is False
    with pytest.raises(HostError, match="stopping"):
        h.send(c.Refresh())


def test_the_view_shows_the_headless_mode_in_force_not_only_the_setting(host, monkeypatch):
    assert host.view().settings.join.headless is False and host.view().headless is False
    monkeypatch.delenv("DISPLAY")  # no display: the browser runs headless whatever the setting
    host.engine.on_change()
    view = host.view()
    assert view.settings.join.headless is False and view.headless is True


def test_the_view_is_built_while_the_engine_reports_changes_holding_its_lock(host):
    """The engine calls on_change holding its lock, and building a view takes that lock: a
    change must never wait for a view being built (it would deadlock the tray and the engine)."""
    stop = threading.Event()
    errors = []

    def changes():
        while not stop.is_set():
            with host.engine._lock:  # as due_check and the joiner's reports do
                host.engine.on_change()

    def views():
        try:
            while not stop.is_set():
                host.view()
        except Exception as e:  # pragma: no cover - shown below
            errors.append(e)

    threads = [threading.Thread(target=changes), threading.Thread(target=views)]
    for t in threads:
        t.start()
    time.sleep(1.0)  # both sides at it for a second
    stop.set()
    for t in threads:
        t.join(10)
    assert not any(t.is_alive() for t in threads), "deadlocked"
    assert errors == []
