"""Issue 14's whole path as a new user goes it, on loopback: the tray app launched for real (Xvfb,
D-Bus, trayer, dunst, pystray's GTK backend), its **Set up…** menu item clicked, the setup page it
opens (through `webbrowser`, so BROWSER) driven in real Chromium with Playwright: an ICS address
added (a loopback feed holding a webinar about two minutes ahead on the BrightTALK replica), the
rules' preview showing it selected, name and e-mail, the test run attended; then the first real
webinar of that calendar attended by the tray, and `history --cpe --json` listing it with credits.

Prints the figures README's "First webinar in 10 minutes" quotes: the scripted path's wall time
and the clicks and fields a user goes through (every Playwright fill and click, plus the tray
menu clicks)."""

from __future__ import annotations

import json
import subprocess
import sys
import time
from datetime import datetime, timedelta, timezone
from pathlib import Path

from tests.e2e.helpers import wait_for, wait_in_log
from tests.e2e.test_tray_gui import Desktop, desktop  # noqa: F401 - fixture
from tests.feeds import StaticFeed, calendar, vevent
from tests.replicas.harness import replicas  # noqa: F401 - fixture
from tests.replicas.server import Replicas, Webcast

CHANNEL, WEBCAST = "5385", "612345"
WEBINAR = "Cloud security webinar"
LEAD = 5  # [join] lead_seconds: the test's only change to when a join happens
AHEAD = timedelta(seconds=135)  # the start after the calendar is added: the test run ends before its join is due
LASTS = timedelta(seconds=60)


class Counted:
    """The Playwright page with its user actions counted: fills are fields, clicks are clicks (the
    ICS path has no upload: Google's client file would be one)."""

    def __init__(self, page):
        self.page, self.clicks, self.fields = page, 0, 0

    def fill(self, selector: str, value: str) -> None:
        self.fields += 1
        self.page.fill(selector, value)

    def submit(self, selector: str) -> None:
        """Click a form's button and wait for the page it comes back to."""
        self.clicks += 1
        with self.page.expect_navigation():
            self.page.click(selector)


def feed_body(now: datetime) -> bytes:
    start = now.replace(microsecond=0) + AHEAD
    webinar = vevent("first-webinar", start, end=start + LASTS, title=WEBINAR,
                     description=f"Join: https://www.brighttalk.com/webcast/{CHANNEL}/{WEBCAST}")
    webinar = webinar.replace("END:VEVENT", "ORGANIZER;CN=ISC2 Events:mailto:events@isc2.org\r\nEND:VEVENT")
    sync = vevent("team-sync", start + timedelta(hours=1), title="Team sync",
                  description="Join: https://meet.google.com/abc-defg-hij")
    return calendar(webinar, sync)


def cli(env: dict, *args: str) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, "-m", "webinar_tray", *args], env=env, capture_output=True,
                          text=True, timeout=60)


def history(env: dict, *args: str) -> list[dict]:
    r = cli(env, "history", "--json", *args)
    return json.loads(r.stdout) if r.returncode == 0 and r.stdout.strip() else []


def setup_page_path(page: Counted, feed_url: str, tmp_path) -> str:
    """Calendars → rules' preview → you → test run, as a user clicks through them. The test
    run's result text."""
    page.fill("#ics-url", feed_url)
    page.submit("#calendars button:has-text('Check and add')")
    added = page.page.locator("#calendars-result").inner_text()
    assert "added ICS http://127.0.0.1" in added and WEBINAR in added, added

    row = page.page.locator("#preview tr", has_text=WEBINAR)
    assert row.inner_text().rstrip().endswith("joined: its title has a keyword"), row.inner_text()
    assert "BrightTALK" in row.inner_text()
    sync = page.page.locator("#preview tr", has_text="Team sync").inner_text()
    assert "not joined: not a webinar" in sync, sync

    page.fill("#name", "Ada Lovelace")
    page.fill("#email", "ada@example.org")
    page.submit("#you button")
    page.page.locator("#you-result.ok").wait_for()

    page.submit("#try button:has-text('Test run')")
    status = page.page.locator("#test-run-status")
    page.page.locator("#test-run-status[data-state=done], #test-run-status[data-state=failed]").wait_for(
        timeout=150_000)
    page.page.screenshot(path=str(tmp_path / "setup-page-after-test-run.png"), full_page=True)
    text = status.inner_text()
    assert status.get_attribute("data-state") == "done" and text.startswith("attended"), text
    return text


def prepare(home, desktop: Desktop, replicas: Replicas, tmp_path) -> tuple[dict, Path]:
    """What the test (not the user) sets up: config.toml with the replicas' host mapping, a short
    lead and a credit a minute; the user's default browser (BROWSER), which is given the address.
    (the app's environment, the file the addresses given to the browser go to)"""
    args = json.dumps(list(replicas.browser_args()))
    (home / "config.toml").write_text(
        "# written by the test, not by the user\n"
        f"[join]\nlead_seconds = {LEAD}\n[history]\nminutes_per_credit = 1\n[browser]\nargs = {args}\n")
    opened = tmp_path / "opened-urls.txt"
    browser_cmd = tmp_path / "browser.sh"
    browser_cmd.write_text(f'#!/bin/sh\necho "$1" >> "{opened}"\n')
    browser_cmd.chmod(0o755)
    return dict(desktop.env, WEBINAR_TRAY_HOME=str(home), PYTHONUNBUFFERED="1", BROWSER=str(browser_cmd)), opened


def stop(proc: subprocess.Popen) -> int:
    proc.terminate()
    try:
        return proc.wait(30)
    except subprocess.TimeoutExpired:
        proc.kill()
        return proc.wait(10)


def assert_in_cpe_report(cpe: subprocess.CompletedProcess, rec: dict) -> dict:
    """The webinar's row of `history --cpe --json`: provider, organizer, credits, evidence."""
    assert cpe.returncode == 0, cpe.stderr
    report = json.loads(cpe.stdout)
    [w] = [w for w in report["webinars"] if w["title"] == WEBINAR]
    assert (w["provider"], w["organizer"], w["outcome"]) == ("BrightTALK", "events@isc2.org", rec["outcome"]), w
    assert w["minutes"] >= 1 and w["credits"] >= 1, f"{w['minutes']} min gave {w['credits']} credits (1 a minute)"
    assert w["evidence"], "the screenshot taken after joining is the evidence"
    assert report["months"][0]["credits"] == w["credits"], report["months"]
    return w


def test_from_launch_to_the_first_attended_webinar_in_the_cpe_report(desktop, home, chromium, replicas, tmp_path):
    from playwright.sync_api import sync_playwright

    env, opened = prepare(home, desktop, replicas, tmp_path)
    log, feed = tmp_path / "tray.log", None
    t0 = time.monotonic()
    proc = subprocess.Popen([sys.executable, "-X", "faulthandler", "-m", "webinar_tray"], env=env,
                            stdout=open(log, "w"), stderr=subprocess.STDOUT)
    try:
        wait_in_log(proc, log, "tray icon up", 60, "the tray icon")
        desktop.click_menu("Set up")
        tray_clicks = 2  # the icon, then Set up… (no calendar yet)
        url = wait_for(lambda: opened.exists() and opened.read_text().strip(), 30,
                       what="the setup page's address given to the browser").splitlines()[-1]
        assert url.startswith("http://127.0.0.1:") and url.endswith("#calendars"), url

        feed = StaticFeed(feed_body(datetime.now(timezone.utc)))  # "a webinar in two minutes"
        end = datetime.now(timezone.utc).replace(microsecond=0) + AHEAD + LASTS
        # the replica's end screen at about the calendar end (the player counts from entering)
        replicas.webcasts[WEBCAST] = Webcast(ends_after_ms=int((LASTS.total_seconds() + LEAD - 2) * 1000))
        with sync_playwright() as pw:
            browser = pw.chromium.launch(executable_path=chromium, headless=True)
            page = Counted(browser.new_page(viewport={"width": 1100, "height": 900}))
            page.page.goto(url)
            test_run = setup_page_path(page, feed.url(), tmp_path)
            browser.close()
        page_done = time.monotonic()

        rows = wait_for(lambda: [r for r in history(env) if r["title"] == WEBINAR and r["left_at"]],
                        (end - datetime.now(timezone.utc)).total_seconds() + 120, 2,
                        what="the first real webinar's attendance")
        cpe = cli(env, "history", "--cpe", "--json")
        wall = time.monotonic() - t0
    finally:
        code = stop(proc)
        if feed is not None:
            feed.close()
    out = log.read_text()
    assert code == 0 and "Traceback" not in out, out[-4000:]
    [rec] = rows
    assert rec["outcome"] in ("attended", "partial") and rec["joined_at"], (rec, out[-4000:])
    assert len(replicas.visits("enter", "www.brighttalk.com")) == 1, "joined once, by the player's Enter"
    w = assert_in_cpe_report(cpe, rec)
    assert history(env, "--demo")[0]["outcome"] == "attended", "the test run is in the demo history"

    clicks, fields = tray_clicks + page.clicks, page.fields
    print(f"\nFIRST WEBINAR PATH: scripted {wall:.0f} s from launch to the CPE report "
          f"(setup page done after {page_done - t0:.0f} s; the webinar is {AHEAD.seconds} s ahead, "
          f"{LASTS.seconds} s long; test run: {test_run!r}); a user: {clicks} clicks "
          f"({tray_clicks} in the tray menu), {fields} fields; "
          f"CPE: {w['minutes']} min, {w['credits']} credits, {w['outcome']}")
