"""The composition root builds working front ends: the tray app gets the real desktop opener,
the browser profile opener and the host; each is exercised once through the built object."""

from __future__ import annotations

from tests.e2e.helpers import wait_for
from tests.fakes import FakeNotifier
from webinar_tray.compose import Context, build_tray
from webinar_tray.config.paths import resolve_paths
from webinar_tray.core import commands as c


def test_the_trays_browser_profile_item_starts_the_configured_browser_on_the_apps_profile(home, tmp_path):
    record = tmp_path / "argv.txt"
    browser = tmp_path / "fake-chromium"
    browser.write_text(f"#!/bin/sh\nprintf '%s\\n' \"$@\" > '{record}'\n")
    browser.chmod(0o755)
    (home / "config.toml").write_text(f'[browser]\nexecutable_path = "{browser}"\n')
    ctx = Context.load(resolve_paths())
    app = build_tray(ctx, icon_factory=lambda dispatch, initial: None, autostart=None,
                     notifier=FakeNotifier())

    app.actions.run(c.BrowserProfile())  # the host is not started: nothing is being attended

    argv = wait_for(lambda: record.exists() and record.read_text().splitlines(), 30, every=0.05,
                    what="the browser's arguments")
    assert f"--user-data-dir={ctx.paths.profile_dir}" in argv
    assert not any(a.startswith("--enable-automation") for a in argv)
    assert app.notifier.sent == [], app.notifier.sent


def test_the_engine_host_gets_this_platforms_waker_and_demo_mode_none(home):
    from webinar_tray.adapters.desktop.wake import AdminOnlyWaker, BackgroundWaker
    from webinar_tray.adapters.desktop.wake.windows import TaskSchedulerWaker
    from webinar_tray.compose import platform_waker
    from webinar_tray.env import Env

    ctx = Context.load(resolve_paths())
    assert isinstance(platform_waker(ctx), AdminOnlyWaker)  # Linux, macOS: admin rights needed
    win = Context(ctx.paths, ctx.settings, [], env=Env(platform="win32", environ={"USERNAME": "ana"}))
    w = platform_waker(win)
    assert isinstance(w, BackgroundWaker) and isinstance(w.target, TaskSchedulerWaker)
    assert w.target.workdir == ctx.paths.data_dir and w.target.names[0].startswith("\\webinar-tray\\wake-ana-")
    assert platform_waker(Context.load(resolve_paths(demo=True))) is None
