"""The setup page end to end in real Chromium (Playwright): every form, a bad ICS address, the
rules' live preview, a test run attended by the app's own browser. With WEBINAR_TRAY_SCREENSHOTS
set to a folder (e.g. docs/images), the page's screenshots for the README are saved there."""

from __future__ import annotations

import os
import stat
from pathlib import Path

import pytest

from tests.feeds import StaticFeed, calendar
from webinar_tray.config.files import load_settings

SHOTS = os.environ.get("WEBINAR_TRAY_SCREENSHOTS")


def shot(page, name: str, selector: str | None = None) -> None:
    if not SHOTS:
        return
    Path(SHOTS).mkdir(parents=True, exist_ok=True)
    target = page.locator(selector) if selector else page
    target.screenshot(path=str(Path(SHOTS) / f"setup-{name}.png"))


def submit(page, selector: str) -> None:
    """Click a form's button and wait for the page it comes back to."""
    with page.expect_navigation():
        page.click(selector)


def settings_of(paths):
    return load_settings(paths.config_file)[0]


def test_adding_an_ics_address_shows_its_next_events_and_writes_it(served, feed, browser_page):
    server, _, paths = served
    page = browser_page
    page.goto(server.new_link())
    assert page.url.endswith("/")  # the token is gone from the address bar
    page.fill("#ics-url", feed.url())
    submit(page, "#calendars button:has-text('Check and add')")
    result = page.locator("#calendars-result")
    result.wait_for()
    assert "added ICS http://127.0.0.1" in result.inner_text()
    assert "3 events" in result.inner_text() and "Cloud security webinar" in result.inner_text()
    assert feed.url() not in page.content()  # the secret address is never shown back
    assert settings_of(paths).ics.urls == (feed.url(),)
    assert "# my settings" in paths.config_file.read_text()
    shot(page, "calendars", "#calendars")
    page.reload()  # the cookie keeps the page
    assert "ICS http://127.0.0.1" in page.locator(".ics-list").inner_text()
    submit(page, ".ics-list button:has-text('Remove')")
    page.locator("#calendars-result").wait_for()
    assert settings_of(paths).ics.urls == ()


def test_a_bad_ics_address_shows_the_exact_error_and_adds_nothing(served, browser_page):
    server, _, paths = served
    broken = StaticFeed(b"<html>not a calendar</html>")
    try:
        page = browser_page
        page.goto(server.new_link())
        for address, words in ((broken.url(), "not a valid iCalendar file"),
                               ("ftp://example.org/cal.ics", "starts with https://")):
            page.fill("#ics-url", address)
            submit(page, "#calendars button:has-text('Check and add')")
            text = page.locator("#calendars-result").inner_text()
            assert words in text and "error" in page.locator("#calendars-result").get_attribute("class")
        assert settings_of(paths).ics.urls == ()
    finally:
        broken.close()


def test_the_rules_preview_follows_typing_and_saving_writes_them(served, feed, browser_page):
    server, backend, paths = served
    backend.set("ics.urls", [feed.url()])
    page = browser_page
    page.goto(server.new_link())
    preview = page.locator("#preview")
    assert "Cloud security webinar" in preview.inner_text()
    vendor = preview.locator("tr", has_text="Vendor briefing")
    assert "not joined: not a webinar" in vendor.inner_text()
    page.fill("#keywords", "webinar\nbriefing")  # live: no save yet
    page.locator("#preview tr", has_text="Vendor briefing").filter(has_text="joined: its title has a keyword").wait_for()
    assert settings_of(paths).match.keywords == ("webinar",)
    shot(page, "rules", "#rules")
    page.fill("#organizers", "Events@Example.org")
    submit(page, "#rules button:has-text('Save rules')")
    page.locator("#rules-result").wait_for()
    m = settings_of(paths).match
    assert (m.keywords, m.organizers) == (("webinar", "briefing"), ("events@example.org",))


def test_name_email_and_options_are_written_and_a_bad_email_is_refused(served, browser_page, tmp_path):
    server, backend, paths = served
    page = browser_page
    page.goto(server.new_link())
    page.fill("#name", "Ada Lovelace")
    page.fill("#email", "not an address")
    page.evaluate("document.getElementById('email').type='text'")  # past the browser's own check
    submit(page, "#you button")
    assert "not an e-mail address" in page.locator("#you-result").inner_text()
    assert settings_of(paths).join.name == ""
    page.fill("#name", "Ada Lovelace")
    page.fill("#email", "ada@example.org")
    submit(page, "#you button")
    page.locator("#you-result.ok").wait_for()
    j = settings_of(paths).join
    assert (j.name, j.email) == ("Ada Lovelace", "ada@example.org")

    page.uncheck("#headless")
    page.uncheck("#notifications")
    assert page.is_checked("#wake")  # on by default
    page.uncheck("#wake")
    page.check("#autostart")
    submit(page, "#options button")
    page.locator("#options-result").wait_for()
    s = settings_of(paths)
    assert (s.join.headless, s.notifications.enabled, s.wake.enabled) == (False, False, False)
    assert "waking the PC off" in page.locator("#options-result").inner_text()
    entry = tmp_path / "xdg" / "autostart" / "webinar-tray.desktop"
    assert entry.exists() and str(paths.home) in entry.read_text()
    assert page.is_checked("#autostart")
    shot(page, "options", "#options")
    page.uncheck("#autostart")
    submit(page, "#options button")
    page.locator("#options-result").wait_for()
    assert "Hidden=true" in entry.read_text() and not backend.autostart.status().enabled
    assert "# keep it hidden" in paths.config_file.read_text()


def test_sign_in_to_webinar_sites_opens_the_apps_browser_on_its_profile(served, browser_page, tmp_path):
    server, backend, paths = served
    seen = tmp_path / "argv.txt"
    fake = tmp_path / "chrome"
    fake.write_text(f"#!/bin/sh\necho \"$@\" > {seen}\n")
    fake.chmod(fake.stat().st_mode | stat.S_IEXEC)
    backend.set("browser.executable_path", str(fake))
    page = browser_page
    page.goto(server.new_link())
    submit(page, "#try button:has-text('Sign in to webinar sites')")
    assert "sign in to the webinar sites" in page.locator("#try-result").inner_text()
    from tests.feeds import wait

    wait(seen.exists, 10)
    assert f"--user-data-dir={paths.profile_dir}" in seen.read_text()


def test_the_test_run_attends_a_demo_webinar_and_shows_the_result(served, browser_page):
    server, backend, paths = served
    backend.test_run.seconds = 6  # "one minute" for a user; a few seconds here
    page = browser_page
    page.goto(server.new_link())
    page.click("#try button:has-text('Test run')")
    status = page.locator("#test-run-status")
    assert status.get_attribute("data-state") == "running"
    page.locator("#test-run-status[data-state=done], #test-run-status[data-state=failed]").wait_for(timeout=180_000)
    text = status.inner_text()
    assert status.get_attribute("data-state") == "done", text
    assert text.startswith("attended") and str(paths.as_demo().data_dir) in text
    assert paths.as_demo().database.exists() and not paths.database.exists()  # kept apart
    shot(page, "try", "#try")
