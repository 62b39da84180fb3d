"""TrayApp without a GUI: the tray worker thread over a FakeHost, a stub standing in for the
pystray icon (tests/ui/conftest.py). No timed assertions: the tests hold the worker inside a
command while they act, and wait (generously) for events."""

from __future__ import annotations

from dataclasses import replace

import logging
import threading

from tests.e2e.helpers import wait_for
from tests.ui.conftest import FakeHost, by_title, new_app
from webinar_tray.core import commands as c


def hold_worker(app):
    """Makes the worker run a Refresh the host answers only when released. Returns
    (entered, release) events."""
    entered, release = threading.Event(), threading.Event()

    def held(cmd):
        entered.set()
        assert release.wait(60)
        return True

    app.host.answers[c.Refresh] = held
    app.dispatch(c.Refresh())
    assert entered.wait(30), "the worker took the command"
    return entered, release


def wait_logged(caplog, text):
    wait_for(lambda: any(text in r.getMessage() for r in caplog.records), 30, every=0.02, what=text)


def test_the_menu_shown_is_the_hosts_view_drawn_by_the_worker(tray):
    icon = tray.icon
    assert tray.host.started == 1
    wait_for(lambda: any(i.text.startswith("Next: Cloud security webinar") for i in icon.shown[-1][0].items),
             30, every=0.05, what="the view's sessions in the menu")
    assert {thread for _, thread in icon.shown} == {"tray"}, "drawn by the tray worker only"


def test_a_dispatched_command_is_sent_from_the_tray_worker_not_the_callers_thread(tray):
    app, host = tray.app, tray.host
    _, release = hold_worker(app)
    app.dispatch(c.Leave("cal/x/1"))
    assert [cmd for cmd in host.commands()] == [c.Refresh()], "dispatch() only queues"
    release.set()
    wait_for(lambda: len(host.sent) == 2, 30, every=0.02, what="the Leave")
    assert host.sent[1] == (c.Leave("cal/x/1"), "tray") and threading.current_thread().name != "tray"


def test_changes_arriving_together_are_drawn_once_with_the_new_view(tray, caplog):
    caplog.set_level(logging.WARNING, logger="webinar_tray.ui.actions")
    app, host, icon = tray.app, tray.host, tray.icon
    p = by_title(host.view(), "Cloud security webinar")
    _, release = hold_worker(app)
    n = len(icon.shown)

    # the host's on_change (wired to app.changed) and two more, while the worker is busy
    turned_off = tuple(replace(q, auto_join=False, reason="turned-off", join_at=None) if q.id == p.id else q
                       for q in host.view().plan)
    host.set_view(plan=turned_off)
    app.changed()
    app.changed()
    app.changed()
    release.set()

    class Probe(c.DesktopCommand):
        pass

    app.dispatch(Probe())  # unknown: logged, and it draws nothing
    wait_logged(caplog, "unknown menu command")

    shown = icon.shown[n:]
    assert len(shown) == 1, [s for s, _ in shown]
    state, thread = shown[0]
    assert thread == "tray"
    [row] = [i for i in state.walk() if i.submenu and "Cloud security webinar" in i.text]
    [auto] = [i for i in row.submenu if i.text.startswith("Auto-join")]
    assert auto.checked is False and auto.text == "Auto-join (off: turned off)"


def test_a_failing_command_is_told_and_the_worker_goes_on(tray, tmp_path, monkeypatch):
    app, notifier, host = tray.app, tray.notifier, tray.host
    empty = tmp_path / "empty-bin"
    empty.mkdir()
    monkeypatch.setenv("PATH", str(empty))  # no xdg-open: DesktopError
    host.answers[c.SetAutoJoin] = RuntimeError("something unexpected")
    done = threading.Event()
    host.answers[c.Leave] = lambda cmd: done.set()
    for command in (c.OpenLogs(), c.SetAutoJoin("cal", "ev", True), c.Leave("x")):
        app.dispatch(command)
    assert done.wait(30), "the worker ran the command after the failing ones"
    messages = [(k, m) for k, _, m in notifier.sent if k == "info"]
    assert [k for k, _ in messages] == ["info", "info"]
    assert messages[0][1].startswith("xdg-open not found")
    assert messages[1][1] == "SetAutoJoin failed: something unexpected"
    assert tray.thread.is_alive()


def test_a_second_launch_is_told_where_the_app_is_and_refreshes(tray):
    app, host, notifier = tray.app, tray.host, tray.notifier
    host.answers[c.Refresh] = True
    app.shown()
    wait_for(lambda: c.Refresh() in host.commands(), 30, every=0.02, what="the refresh")
    assert ("info", "webinar-tray is already running", "Its icon is in the system tray.") in notifier.sent


def test_quit_stops_the_icon_once_and_the_host_after_it(tray):
    app, host = tray.app, tray.host
    app.quit()
    app.quit()
    tray.thread.join(60)
    assert not tray.thread.is_alive()
    assert tray.icon.stops == 1
    assert host.stopped == 1, "host.stop() ran after the icon stopped"


def test_quit_from_the_menu_stops_the_icon_once(tray):
    app = tray.app
    app.dispatch(c.Quit())
    tray.thread.join(60)
    assert not tray.thread.is_alive()
    app.quit()  # e.g. SIGTERM arriving late
    assert tray.icon.stops == 1


def test_after_quit_from_the_menu_nothing_is_drawn_and_the_host_stops_after_the_worker(tray, caplog):
    caplog.set_level(logging.INFO)
    app = tray.app
    for _ in range(5):
        tray.app.dispatch(c.Quit())  # the worker would redraw after each command it ran
    tray.thread.join(60)
    assert not tray.thread.is_alive() and tray.icon.stops == 1
    assert tray.icon.shown_after_stop == 0, "no menu handed to a stopped icon"
    assert not app._worker.is_alive(), "the worker is done before run() returns"
    assert "could not update the tray menu" not in caplog.text
    assert caplog.text.count("Quit chosen in the tray menu") == 1


def test_a_host_that_cannot_start_leaves_no_icon(home, notifier):
    from webinar_tray.config.paths import resolve_paths
    from webinar_tray.host import AlreadyRunning

    class Busy(FakeHost):
        def start(self):
            raise AlreadyRunning(self.paths, 4242)

    host = Busy(resolve_paths())
    app = new_app(host, notifier)
    try:
        app.run()
    except AlreadyRunning as e:
        assert e.pid == 4242
    else:  # pragma: no cover
        raise AssertionError("run() let AlreadyRunning through")
    assert app.icon is None and host.stopped == 0  # start() cleans up after itself
