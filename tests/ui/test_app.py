"""TrayApp without a GUI: the real engine (EngineHost) and the tray worker thread, with a stub
standing in for the pystray icon (tests/ui/conftest.py). No timed assertions: the tests hold
the worker inside a command of their own while they act, and wait (generously) for events."""

from __future__ import annotations

import logging
import threading

from tests.e2e.helpers import wait_for
from tests.ui.conftest import by_title, new_host


def hold_worker(app):
    """Makes the worker run a ("hold",) command that waits until released. Returns
    (entered, release) events."""
    entered, release = threading.Event(), threading.Event()

    def do_hold():
        entered.set()
        assert release.wait(60)

    app.actions.do_hold = do_hold
    app.dispatch(("hold",))
    assert entered.wait(30), "the worker took the command"
    return entered, release


def wait_logged(caplog, text):
    wait_for(lambda: any(text in r.getMessage() for r in caplog.records), 30, every=0.02, what=text)


def test_the_menu_shown_follows_the_engines_first_refresh(tray):
    icon = tray.icon
    wait_for(lambda: any(i.text.startswith("Next: Cloud security webinar") for i in icon.shown[-1][0].items),
             30, every=0.05, what="the calendar's sessions in the menu")
    assert {thread for _, thread in icon.shown} == {"tray"}, "drawn by the tray worker only"


def test_a_dispatched_command_runs_on_the_tray_worker_not_the_callers_thread(tray):
    app, engine = tray.app, tray.host.engine
    ran_on = []
    refreshed = threading.Event()
    original = app.actions.do_refresh

    def spy():
        ran_on.append(threading.current_thread().name)
        original()
        refreshed.set()

    app.actions.do_refresh = spy
    before = engine.last_refresh
    _, release = hold_worker(app)
    app.dispatch(("refresh",))
    assert ran_on == [], "dispatch() only queues"
    release.set()

    assert refreshed.wait(30)
    assert ran_on == ["tray"] and threading.current_thread().name != "tray"
    wait_for(lambda: engine.last_refresh is not before, 30, every=0.05, what="the refresh on the engine thread")


def test_changes_arriving_together_are_drawn_once_with_the_new_state(tray, caplog):
    caplog.set_level(logging.WARNING, logger="webinar_tray.ui.actions")
    app, host, icon = tray.app, tray.host, tray.icon
    p = by_title(host.engine, "Cloud security webinar")
    _, release = hold_worker(app)
    n = len(icon.shown)

    # the engine's own on_change (wired to app.changed) and two more, while the worker is busy
    host.loop.call(host.engine.set_auto_join, p.calendar_id, p.event_id, False).result(30)
    app.changed()
    app.changed()
    release.set()
    app.dispatch(("probe-after-the-changes",))  # unknown: logged, and it draws nothing
    wait_logged(caplog, "unknown menu command 'probe-after-the-changes'")

    shown = icon.shown[n:]
    assert len(shown) == 1, [s for s, _ in shown]
    state, thread = shown[0]
    assert thread == "tray"
    [row] = [i for i in state.walk() if i.submenu and "Cloud security webinar" in i.text]
    [auto] = [i for i in row.submenu if i.text.startswith("Auto-join")]
    assert auto.checked is False and auto.text == "Auto-join (off: turned off)"


def test_a_failing_command_is_told_and_the_worker_goes_on(tray, tmp_path, monkeypatch):
    app, notifier = tray.app, tray.notifier
    empty = tmp_path / "empty-bin"
    empty.mkdir()
    monkeypatch.setenv("PATH", str(empty))  # no xdg-open: DesktopError

    def boom():
        raise RuntimeError("something unexpected")

    app.actions.do_boom = boom
    done = threading.Event()
    app.actions.do_done = done.set
    for command in (("open_logs",), ("boom",), ("done",)):
        app.dispatch(command)
    assert done.wait(30), "the worker ran the command after the failing ones"
    messages = [(k, m) for k, _, m in notifier.sent if k == "info"]
    assert [k for k, _ in messages] == ["info", "info"]
    assert messages[0][1].startswith("xdg-open not found")
    assert messages[1][1] == "boom failed: something unexpected"
    assert tray.thread.is_alive()


def test_quit_stops_the_icon_once_and_the_engine_after_it(tray):
    app, host = tray.app, tray.host
    app.quit()
    app.quit()
    tray.thread.join(60)
    assert not tray.thread.is_alive()
    assert tray.icon.stops == 1
    assert host.engine is None and host.loop is None, "host.stop() ran after the icon stopped"
    # the home folder is free again: another engine can start there
    again = new_host(tray.notifier)
    again.start()
    try:
        assert again.engine is not None
    finally:
        again.stop()


def test_quit_from_the_menu_stops_the_icon_once(tray):
    app = tray.app
    app.dispatch(("quit",))
    tray.thread.join(60)
    assert not tray.thread.is_alive()
    app.quit()  # e.g. SIGTERM arriving late
    assert tray.icon.stops == 1


def test_after_quit_from_the_menu_nothing_is_drawn_and_the_engine_stops_after_the_worker(tray, caplog):
    caplog.set_level(logging.INFO)
    app, host = tray.app, tray.host
    for _ in range(5):
        tray.app.dispatch(("quit",))  # the worker would redraw after each command it ran
    tray.thread.join(60)
    assert not tray.thread.is_alive() and tray.icon.stops == 1
    assert tray.icon.shown_after_stop == 0, "no menu handed to a stopped icon"
    assert not app._worker.is_alive(), "the worker is done before run() returns"
    assert "could not update the tray menu" not in caplog.text
    assert caplog.text.count("Quit chosen in the tray menu") == 1
