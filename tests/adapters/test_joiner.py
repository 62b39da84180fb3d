"""PlaywrightJoiner against the demo site (the loopback replica of a BrightTALK page), in real
headless Chromium."""

from __future__ import annotations

import logging
import threading
import time
from dataclasses import replace
from datetime import datetime, timedelta, timezone
from pathlib import Path

import pytest

from webinar_tray.adapters.browser.evidence import evidence_name
from webinar_tray.adapters.browser.joiner import PlaywrightJoiner, scrub
from webinar_tray.adapters.browser.providers.generic import FORM_ERROR
from webinar_tray.config.paths import resolve_paths
from webinar_tray.core.plan import PlannedJoin
from webinar_tray.core.settings import BrowserSettings, JoinSettings, Settings
from webinar_tray.env import Env


def utcnow() -> datetime:
    return datetime.now(timezone.utc)


class Recorder:
    """on_update for any number of jobs; waits by job id."""

    def __init__(self):
        self.cond = threading.Condition()
        self.calls: list[tuple[str, str, object, str]] = []  # (kind, id, report, thread name)

    def __call__(self, kind, report):
        with self.cond:
            self.calls.append((kind, report.id, report, threading.current_thread().name))
            self.cond.notify_all()

    def kinds(self, job_id):
        return [k for k, i, _, _ in self.calls if i == job_id]

    def wait(self, job_id, kind="done", timeout=20.0, count=1):
        deadline = time.monotonic() + timeout
        with self.cond:
            while True:
                got = [r for k, i, r, _ in self.calls if i == job_id and k == kind]
                if len(got) >= count:
                    return got[count - 1]
                left = deadline - time.monotonic()
                if left <= 0:
                    raise AssertionError(f"no {kind!r} #{count} for {job_id}: {self.calls}")
                self.cond.wait(left)


def make_job(url, job_id="cal/ev/20300101T000000Z", join_in=0.0, stay=30.0):
    now = utcnow()
    join_at = now + timedelta(seconds=join_in)
    return PlannedJoin(
        id=job_id,
        calendar_id="cal",
        event_id=job_id.split("/")[1],
        title="A webinar",
        start=join_at,
        end=join_at + timedelta(seconds=stay),
        join_url=url,
        provider="BrightTALK",
        auto_join=True,
        reason=None,
        join_at=join_at,
        leave_at=join_at + timedelta(seconds=stay),
        is_webinar=True,
    )


def settings_for(chromium, **join) -> Settings:
    join = {"headless": True, "step_timeout_seconds": 10, **join}
    return Settings(
        join=JoinSettings(**join), browser=BrowserSettings(executable_path=chromium)
    )


@pytest.fixture
def make_joiner(tmp_path, chromium):
    made = []

    def make(check_seconds=1.0, join_attempts=3, **join):
        j = PlaywrightJoiner(
            settings_for(chromium, **join),
            resolve_paths(tmp_path / "home"),
            check_seconds=check_seconds,
            join_attempts=join_attempts,
        )
        made.append(j)
        return j

    yield make
    for j in made:
        j.close(timeout=15)


pytestmark = pytest.mark.chromium


def test_joins_on_time_accepts_banner_clicks_enter_and_leaves(site, make_joiner, caplog):
    caplog.set_level(logging.DEBUG)
    j = make_joiner()
    rec = Recorder()
    url = site.url_for("on-time", token="s3cret-token")
    job = make_job(url, join_in=3.0, stay=6.0)  # attend 3 s early, like the engine (warm browser)
    j.attend(job, rec)
    assert j.active() == [job.id]
    joined = rec.wait(job.id, "joined")
    report = rec.wait(job.id, "done")

    pages = site.visits_of("on-time", "page")
    assert len(pages) == 1
    late = (pages[0].at - job.join_at).total_seconds()
    # Never early; late only by what a loaded machine takes to start Chromium (punctuality is
    # a figure of bench/join_delay.py, not an assertion on a shared, noisy machine).
    assert -0.05 <= late <= 5.0, f"navigation {late:.2f} s after join_at"
    assert len(site.visits_of("on-time", "enter")) == 1
    assert len(site.visits_of("on-time", "consent")) == 1  # the banner was accepted
    assert site.visits_of("on-time", "consent")[0].at < site.visits_of("on-time", "enter")[0].at

    assert joined.joined_at is not None and joined.left_at is None
    assert report.joined_at == joined.joined_at
    assert report.left_at >= job.leave_at
    assert (report.left_at - job.leave_at).total_seconds() < 2.5
    assert report.error == "" and not report.ended_by_page and report.gaps == []
    assert report.evidence and all(Path(p).is_file() for p in report.evidence)
    assert Path(report.evidence[0]).parent == j.paths.evidence_dir
    assert rec.kinds(job.id) == ["joined", "done"]
    assert {t for _, _, _, t in rec.calls} == {"webinar-tray-browser"}
    assert j.active() == []

    assert "s3cret" not in caplog.text  # the link's query never reaches a log
    assert "navigating cal/ev/20300101T000000Z to http://127.0.0.1:" in caplog.text
    assert "/webinar/on-time (planned" in caplog.text
    time.sleep(0.5)
    assert j._context is None and j._pw is None  # the browser is closed when no page is left


def test_page_showing_the_end_leaves_early(site, make_joiner):
    j = make_joiner(check_seconds=0.5)
    rec = Recorder()
    job = make_job(site.url_for("ends-soon", ends_at=utcnow() + timedelta(seconds=5)), stay=60)
    j.attend(job, rec)
    rec.wait(job.id, "joined")
    report = rec.wait(job.id, "done", timeout=15)
    assert report.ended_by_page
    assert report.joined_at is not None and report.error == ""
    assert (report.left_at - report.joined_at).total_seconds() < 10


def test_no_button_fails_naming_the_step_after_retries(site, make_joiner):
    j = make_joiner(step_timeout_seconds=3, join_attempts=2, screenshot_minutes=0)
    rec = Recorder()
    job = make_job(site.url_for("silent", nobutton=True))
    j.attend(job, rec)
    report = rec.wait(job.id, "done", timeout=25)
    assert report.joined_at is None
    assert report.error == "join button: no Enter/Join/Watch button appeared within 3 s"
    assert len(site.visits_of("silent", "page")) == 2  # tried twice
    assert report.evidence == []  # screenshot_minutes = 0
    assert rec.kinds(job.id) == ["done"]


def test_login_wall(site, make_joiner):
    j = make_joiner()
    rec = Recorder()
    job = make_job(site.url_for("members-only", login=True))
    j.attend(job, rec)
    report = rec.wait(job.id, "done")
    assert report.error == "login: login needed on 127.0.0.1"
    assert report.joined_at is None
    assert len(site.visits_of("members-only", "page")) == 1  # no point retrying
    assert any(p.endswith("-failed.png") for p in report.evidence)


def test_registration_form_uses_name_and_email_from_settings(site, make_joiner):
    j = make_joiner()  # no name/e-mail yet
    rec = Recorder()
    without = make_job(site.url_for("reg-a", form=True), job_id="cal/a/1")
    j.attend(without, rec)
    # The settings in force at attend() apply to that job; a change applies to the next one.
    j.update_settings(replace(j.settings, join=replace(
        j.settings.join, name="Ada Lovelace", email="ada@example.com")))
    with_form = make_job(site.url_for("reg-b", form=True, delay=0.5), job_id="cal/b/1")
    j.attend(with_form, rec)

    failed = rec.wait(without.id, "done")
    assert failed.error == f"form: {FORM_ERROR}"
    assert site.visits_of("reg-a", "register") == []

    rec.wait(with_form.id, "joined")
    assert len(site.visits_of("reg-b", "register")) == 1
    assert len(site.visits_of("reg-b", "enter")) == 1
    j.leave(with_form.id)
    assert rec.wait(with_form.id, "done").error == ""


def test_two_at_once_a_third_waits_for_a_place_then_close_reports_each_once(site, make_joiner):
    j = make_joiner(max_concurrent=2)
    rec = Recorder()
    a = make_job(site.url_for("first"), job_id="cal/first/1", join_in=1.0, stay=60)
    b = make_job(site.url_for("second"), job_id="cal/second/1", join_in=1.0, stay=60)
    c = make_job(site.url_for("third"), job_id="cal/third/1", join_in=3.0, stay=60)
    j.attend(a, rec)
    j.attend(b, rec)
    j.attend(c, rec)  # one more than max_concurrent: waits for a place, is not refused

    ja, jb = rec.wait(a.id, "joined"), rec.wait(b.id, "joined")
    assert sorted(j.active()) == [a.id, b.id, c.id]
    assert len(site.visits_of("first", "enter")) == 1
    assert len(site.visits_of("second", "enter")) == 1
    assert site.visits_of("third", "page") == [], "the third waits while two are open"
    assert j._context is not None and len([p for p in j._context.pages if not p.is_closed()]) >= 2

    j.leave(a.id)
    da = rec.wait(a.id, "done", timeout=10)
    assert da.left_at > ja.joined_at and da.error == ""
    assert jb.joined_at < da.left_at  # they overlapped
    jc = rec.wait(c.id, "joined", timeout=30)  # a's place went to c
    assert jc.joined_at > da.left_at and len(site.visits_of("third", "enter")) == 1
    assert sorted(j.active()) == [b.id, c.id]

    j.close(timeout=10)
    db, dc = rec.wait(b.id, "done", timeout=1), rec.wait(c.id, "done", timeout=1)
    assert db.joined_at is not None and db.left_at is not None and dc.left_at is not None
    for job in (a, b, c):
        assert rec.kinds(job.id).count("done") == 1
    assert j.active() == []
    assert j._thread is None


def test_a_queued_webinar_that_ends_before_a_place_frees_fails_saying_why(site, make_joiner):
    j = make_joiner(max_concurrent=1)
    rec = Recorder()
    a = make_job(site.url_for("long"), job_id="cal/long/1", join_in=0.5, stay=60)
    b = make_job(site.url_for("short"), job_id="cal/short/1", join_in=2.0, stay=4)
    j.attend(a, rec)
    j.attend(b, rec)
    rec.wait(a.id, "joined")
    db = rec.wait(b.id, "done", timeout=20)
    assert db.joined_at is None and "too many webinars at once (max_concurrent = 1)" in db.error
    assert site.visits_of("short", "page") == []
    j.close(timeout=10)


def test_non_web_link_refused_without_a_browser(make_joiner):
    j = make_joiner()
    rec = Recorder()
    for n, url in enumerate(["javascript:alert(1)", "file:///etc/passwd", " http://x.test/", None]):
        job = make_job(url, job_id=f"cal/bad{n}/1")
        j.attend(job, rec)
        report = rec.wait(job.id, "done", timeout=5)
        assert "refused to open" in report.error and "only http and https" in report.error
        assert report.joined_at is None
    assert "a javascript: link" in rec.wait("cal/bad0/1").error
    assert j._pw is None and j._context is None  # Playwright never started
    assert j.active() == []


def test_crash_and_browser_loss_are_gaps_then_rejoined(site, make_joiner):
    j = make_joiner()
    rec = Recorder()
    job = make_job(site.url_for("fragile"), stay=60)
    j.attend(job, rec)
    rec.wait(job.id, "joined")

    j._debug_close_page(job.id, crash=True)
    after_crash = rec.wait(job.id, "progress", timeout=15)
    assert [g.why for g in after_crash.gaps] == ["page crashed"]
    gap = after_crash.gaps[0]
    assert (gap.end - gap.start).total_seconds() >= 1.5  # the 2 s backoff came first
    assert len(site.visits_of("fragile", "enter")) == 2

    # The whole browser goes away: relaunched, rejoined, second gap.
    ctx = j._context
    import asyncio

    asyncio.run_coroutine_threadsafe(ctx.close(), j._loop).result(10)
    after_loss = rec.wait(job.id, "progress", timeout=20, count=2)
    assert [g.why for g in after_loss.gaps] == ["page crashed", "browser closed"]
    assert j._context is not None and j._context is not ctx
    assert len(site.visits_of("fragile", "enter")) == 3

    j.leave(job.id)
    report = rec.wait(job.id, "done", timeout=10)
    assert len(report.gaps) == 2 and report.joined_at is not None and not report.ended_by_page


# -- pure helpers -------------------------------------------------------------------------------


def test_headless_follows_settings_the_cli_and_a_missing_display(tmp_path):
    """The mode in force (what the menu shows) is the launch's own decision: the CLI's
    --headless/--headed, else `[join] headless`, and headless anyway without a display."""
    from webinar_tray.adapters.desktop.keepawake import KeepAwake

    paths = resolve_paths(tmp_path / "home")
    display = Env(platform="linux", environ={"DISPLAY": ":0"})

    def joiner(setting: bool, cli: bool | None = None, env: Env = display) -> PlaywrightJoiner:
        return PlaywrightJoiner(Settings(join=JoinSettings(headless=setting)), paths, cli,
                                keep_awake=KeepAwake(), env=env)

    assert joiner(False).headless is False
    assert joiner(True).headless is True
    j = joiner(False)
    j.update_settings(Settings(join=JoinSettings(headless=True)))  # config.toml changed
    assert j.headless is True
    j.update_settings(Settings(join=JoinSettings(headless=False)))
    assert j.headless is False
    assert joiner(False, cli=True).headless is True  # --headless wins over the setting
    assert joiner(True, cli=False).headless is False  # and so does --headed
    no_display = Env(platform="linux", environ={})
    assert joiner(False, env=no_display).headless is True
    assert joiner(False, cli=False, env=no_display).headless is True  # nothing to show it on
    assert joiner(False, env=Env(platform="linux", environ={"WAYLAND_DISPLAY": "w-0"})).headless is False
    assert joiner(False, env=Env(platform="win32")).headless is False  # always a desktop
    assert joiner(False, env=Env(platform="darwin")).headless is False


def test_headless_while_running_is_how_the_browser_was_started(site, chromium, tmp_path):
    """A change of `[join] headless` applies to the next launch: while the browser runs, the
    mode in force is the one it was started with."""
    import shutil

    from webinar_tray.adapters.desktop.keepawake import KeepAwake

    env = Env(platform="linux", environ={"DISPLAY": ":0"}, which=shutil.which)  # never shown
    j = PlaywrightJoiner(settings_for(chromium), resolve_paths(tmp_path / "home"),
                         check_seconds=1.0, keep_awake=KeepAwake(), env=env)
    try:
        rec = Recorder()
        job = make_job(site.url_for("on-time"), join_in=0.0, stay=3.0)
        j.attend(job, rec)
        rec.wait(job.id, "joined")
        j.update_settings(settings_for(chromium, headless=False))
        assert j.headless is True  # started headless, still running
        rec.wait(job.id, "done")
        deadline = time.monotonic() + 10
        while j.headless and time.monotonic() < deadline:  # the browser closes: no page left
            time.sleep(0.05)
        assert j.headless is False  # the next launch would show a window on DISPLAY
    finally:
        j.close(timeout=15)


def test_scrub_cuts_queries_from_error_texts():
    text = "Page.goto: net::ERR_FAILED at https://zoom.us/j/1?pwd=SECRET#x (see http://a.b/c?d)"
    assert scrub(text) == "Page.goto: net::ERR_FAILED at https://zoom.us/j/1 (see http://a.b/c"


def test_evidence_name_is_safe():
    at = datetime(2030, 1, 2, 3, 4, 5, tzinfo=timezone.utc)
    name = evidence_name("ada@example.com/abc_123/20300102T030405Z", at)
    assert name == "ada_example.com_abc_123_20300102T030405Z-20300102T030405Z.png"
    odd = evidence_name("../../x", at)
    assert "/" not in odd and not odd.startswith(".")


def test_missing_browser_reported_without_starting_playwright(site, make_joiner, tmp_path):
    j = make_joiner()
    j.update_settings(replace(j.settings, browser=BrowserSettings(executable_path="/nope/chrome")))
    rec = Recorder()
    job = make_job(site.url_for("nobrowser"))
    j.attend(job, rec)
    report = rec.wait(job.id, "done", timeout=5)
    assert report.error.startswith("browser: ") and "browser.executable_path" in report.error
    assert j._pw is None and site.visits == []


def test_leave_before_join_time(site, make_joiner):
    j = make_joiner()
    rec = Recorder()
    job = make_job(site.url_for("later"), join_in=60)
    j.attend(job, rec)
    j.leave(job.id)
    report = rec.wait(job.id, "done", timeout=15)
    assert report.error == "left before joining (left by request)"
    assert report.joined_at is None and site.visits == []


# -- the steps on hand-made pages ---------------------------------------------------------------

PLAYING_VIDEO = """<!doctype html><body><h1>Live now</h1>
<video id=v width=640 height=360 muted autoplay></video><canvas id=c width=64 height=36></canvas>
<script>
const c = document.getElementById('c'), g = c.getContext('2d');
let n = 0;
setInterval(() => { g.fillStyle = n++ % 2 ? '#f00' : '#00f'; g.fillRect(0, 0, 64, 36); }, 50);
const v = document.getElementById('v'); v.srcObject = c.captureStream(20); v.play();
</script></body>"""

POPUP_LINK = """<!doctype html><body>
<a href="/webinar/popped" target="_blank">Join webinar</a></body>"""

THANKS = """<!doctype html><body><div id=x>Live</div>
<script>setTimeout(() => { x.textContent = 'Thank you for attending!'; }, 300);</script></body>"""


def test_steps_on_hand_made_pages(chromium, site, tmp_path):
    import asyncio

    from playwright.async_api import async_playwright

    from webinar_tray.adapters.browser.discover import BrowserChoice
    from webinar_tray.adapters.browser.launch import launch
    from webinar_tray.adapters.browser.providers.generic import run_join_steps
    from webinar_tray.adapters.browser.steps import page_ended

    async def main():
        async with async_playwright() as pw:
            ctx = await launch(pw, BrowserChoice(chromium, None, "test"), tmp_path / "p", True, [],
                               env=Env.real())
            try:
                page = await ctx.new_page()
                # A video already playing: joined without a click.
                await page.set_content(PLAYING_VIDEO)
                assert await run_join_steps(page, timeout=5) is page
                assert not await page_ended(page)

                # A join link opening a new tab: the steps follow it.
                await page.goto(site.base_url + "/")
                await page.set_content(POPUP_LINK)
                joined = await run_join_steps(page, timeout=5)
                assert joined is not page and "/webinar/popped" in joined.url

                # The end shown as text.
                await page.set_content(THANKS)
                assert not await page_ended(page)
                await page.get_by_text("Thank you for attending").wait_for(timeout=5000)
                assert await page_ended(page)
            finally:
                await ctx.close()

    asyncio.run(main())


def test_importing_the_joiner_does_not_load_playwright():
    import subprocess
    import sys

    code = (
        "import sys, webinar_tray.adapters.browser.joiner, webinar_tray.demo.site;"
        "print(any(m.startswith('playwright') for m in sys.modules))"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert out.stdout.strip() == "False"
