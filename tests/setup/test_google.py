"""The setup page's Google part in real Chromium (Playwright) against the fake Google on 127.0.0.1:
upload the Desktop OAuth client JSON (a bad one is refused with its exact error), sign in through
the fake's consent (the loopback flow of `login`, run by `webinar-tray setup` itself, whose
`webbrowser` hands Google's page to a BROWSER script that plays the user), pick calendars from
the account's calendar list, and see them written to config.toml. The client secret and the
tokens never appear in the page or the log. With WEBINAR_TRAY_SCREENSHOTS set to a folder, the
section's screenshot for the README is saved there."""

from __future__ import annotations

import json
import os
import stat
import sys
from pathlib import Path

import pytest

from tests.e2e.helpers import env_for
from tests.fakegoogle import SCOPE, fake_google  # noqa: F401 - fixture
from tests.host.conftest import configured, notifier  # noqa: F401 - fixtures
from tests.setup.conftest import serving_setup
from webinar_tray.adapters.calendar.google.calendars import NEW_SIGN_IN
from webinar_tray.config.files import load_settings

pytestmark = pytest.mark.skipif(os.name != "posix", reason="the BROWSER script is a POSIX shell script")

SHOTS = os.environ.get("WEBINAR_TRAY_SCREENSHOTS")
TEAM = "team0123@group.calendar.google.com"
HOLIDAYS = "en.usa#holiday@group.v.calendar.google.com"


def browser_script(tmp_path: Path) -> Path:
    """The user's browser: loads Google's consent page (the fake grants at once) and follows it
    back to the app's loopback address, in the background (webbrowser waits for BROWSER to exit)."""
    p = tmp_path / "browser.sh"
    py = f'"{sys.executable}" -c "import sys, urllib.request; urllib.request.urlopen(sys.argv[1], timeout=20).read()"'
    p.write_text(f'#!/bin/sh\n( sleep 0.2; {py} "$1" ) >/dev/null 2>&1 &\nexit 0\n')
    p.chmod(0o755)
    return p


@pytest.fixture
def setup_command(home, tmp_path, fake_google):
    """`webinar-tray setup --no-browser` serving the page until interrupted; yields its address."""
    (home / "config.toml").write_text(f'# mine\n[google]\napi_endpoint = "{fake_google.api_endpoint}"\n')
    env = env_for(home)
    env.pop("OAUTHLIB_INSECURE_TRANSPORT", None)  # the app allows http for loopback only, itself
    env["BROWSER"] = str(browser_script(tmp_path))
    with serving_setup(env) as (_, url):
        yield url


def upload(page, name: str, data: bytes) -> str:
    page.set_input_files("#client-json", files=[{"name": name, "mimeType": "application/json", "buffer": data}])
    with page.expect_navigation():
        page.click("#google-client-form button")
    return page.locator("#calendars-result").inner_text()


def logged(home: Path) -> str:
    return "".join(p.read_text() for p in (home / "logs").glob("*.log*"))


def test_bad_client_files_are_refused_with_their_exact_error(home, fake_google, setup_command, browser_page):
    page = browser_page
    page.goto(setup_command)
    assert "no OAuth client uploaded yet" in page.locator("#google-client").inner_text()
    assert page.locator("#google-signin-form").count() == 0  # nothing to sign in with yet

    text = upload(page, "client_secret_123.json", b'{"installed": ')
    assert text == ("not saved: client_secret_123.json: is not valid JSON (line 1, column 15); "
                    "download the client's JSON again")
    web = json.dumps({"web": fake_google.client_config()["installed"]}).encode()
    text = upload(page, "client_secret_web.json", web)
    assert text.startswith('not saved: client_secret_web.json is the JSON of a "web" OAuth client')
    no_secret = {"installed": {k: v for k, v in fake_google.client_config()["installed"].items()
                               if k != "client_secret"}}
    text = upload(page, "client_secret_123.json", json.dumps(no_secret).encode())
    assert text == ('not saved: client_secret_123.json: missing the key "installed.client_secret"; '
                    "download the client's JSON again")
    assert not (home / "client_secret.json").exists()
    assert fake_google.client_secret not in page.content() + logged(home)


def test_upload_sign_in_and_pick_calendars(home, fake_google, setup_command, browser_page):
    fake_google.calendars.update({"primary": [], TEAM: [], HOLIDAYS: []})
    fake_google.calendar_names.update({"primary": "me@example.com", TEAM: "Team webinars",
                                       HOLIDAYS: "Holidays in United States"})
    page = browser_page
    page.goto(setup_command)
    client_file = home / "client_secret.json"
    good = json.dumps(fake_google.client_config()).encode()
    text = upload(page, "client_secret_123.json", good)
    assert text == f"saved the Desktop app client to {client_file}; now sign in with Google"
    assert client_file.read_bytes() == good and stat.S_IMODE(client_file.stat().st_mode) == 0o600
    assert fake_google.client_secret not in page.content()

    with page.expect_navigation():
        page.click("#google-signin-form button")
    status = page.locator("#google-signin-status")
    # the page polls while the flow waits for the browser, and reloads when it has ended
    page.locator("#google-signin-status[data-state=done], #google-signin-status[data-state=failed]").wait_for(
        timeout=60_000)
    assert status.get_attribute("data-state") == "done", status.inner_text()
    assert fake_google.errors == []
    q = fake_google.auth_requests[-1]
    assert q["code_challenge_method"] == "S256" and q["access_type"] == "offline"
    assert set(q["scope"].split()) == {SCOPE, "https://www.googleapis.com/auth/calendar.calendarlist.readonly"}
    token = home / "google-token.json"
    assert stat.S_IMODE(token.stat().st_mode) == 0o600

    form = page.locator("#google-calendars-form")
    labels = form.locator("label.check")
    assert labels.count() == 3
    assert "me@example.com (primary)" in labels.nth(0).inner_text()  # the primary first, then by name
    assert "Holidays in United States" in labels.nth(1).inner_text()
    assert form.locator("input[value=primary]").is_checked()  # the default [google] calendars
    if SHOTS:
        Path(SHOTS).mkdir(parents=True, exist_ok=True)
        page.locator("#calendars").screenshot(path=str(Path(SHOTS) / "setup-google.png"))
    form.locator(f"input[value='{TEAM}']").check()
    page.fill("#google-other", "shared@example.org")
    with page.expect_navigation():
        page.click("#google-calendars-form button")
    assert page.locator("#calendars-result").inner_text().startswith("saved: webinar-tray reads 3 Google calendars")
    settings = load_settings(home / "config.toml")[0]
    assert settings.google.calendars == ("primary", TEAM, "shared@example.org")
    assert "# mine" in (home / "config.toml").read_text()
    assert page.locator(f"#google-calendars-form input[value='{TEAM}']").is_checked()
    assert page.locator("#google-other").input_value() == "shared@example.org"

    html, log = page.content(), logged(home)
    assert "signed in to Google Calendar" in log and "saved the Google OAuth client" in log
    secrets = fake_google.secrets_issued()
    assert any(s.startswith("1//") for s in secrets) and any(s.startswith("4/") for s in secrets)
    for s in secrets:
        assert s not in html and s not in log


def test_a_sign_in_made_before_the_list_scope_says_so_and_ids_can_still_be_typed(
        served, fake_google, browser_page):
    server, backend, paths = served
    backend.set("google.api_endpoint", fake_google.api_endpoint)
    fake_google.calendars.update({"primary": [], TEAM: []})
    fake_google.write_client_secrets(paths.config_dir / "client_secret.json")
    page = browser_page
    for scopes in ([SCOPE], []):  # as stored by an older login; or not stored: Google answers 403
        refresh = fake_google.issue_refresh_token(SCOPE)
        (paths.data_dir / "google-token.json").write_text(json.dumps({
            "token": fake_google.issue_access_token(refresh), "refresh_token": refresh,
            "token_uri": fake_google.token_uri, "client_id": fake_google.client_id,
            "client_secret": fake_google.client_secret, "scopes": scopes, "expiry": None}))
        backend.google.forget_list()
        page.goto(server.new_link())
        assert page.locator("#google-list-note").inner_text() == NEW_SIGN_IN
        assert page.locator("#google-signin-form button").inner_text() == "Sign in again"
    assert any(p == "/calendar/v3/users/me/calendarList" for _, p, _ in fake_google.requests)
    page.fill("#google-other", f"primary\n{TEAM}")
    with page.expect_navigation():
        page.click("#google-calendars-form button")
    assert load_settings(paths.config_file)[0].google.calendars == ("primary", TEAM)
    assert fake_google.client_secret not in page.content()


def test_doctors_google_fixes_keep_login_and_name_the_section():
    from webinar_tray.commands.doctor import with_setup_page

    for name in ("google_client", "google_signin", "calendar_access"):
        fix = with_setup_page(name, "run `webinar-tray login`")
        assert fix.startswith("run `webinar-tray login`; or open the setup page") and fix.endswith("section Calendars")


class _PlayUser:
    """The user's default browser for `webbrowser`, in this process: loads Google's consent page
    (the fake grants at once) and follows it back to the loopback address, in the background."""

    def open(self, url, new=0, autoraise=True):
        import threading
        import urllib.request

        threading.Thread(target=lambda: urllib.request.urlopen(url, timeout=20).read(), daemon=True).start()
        return True

    open_new = open_new_tab = open


def test_the_tray_serves_the_google_part_and_its_sign_in_rebuilds_the_sources(
        configured, fake_google, notifier, monkeypatch):
    """Served by the running host (Set up… in the tray): the sign-in is the host's own SignIn (the
    sources are rebuilt, the calendar is read), the picked calendars are applied at once; and the
    "sign-in needed" notification before it points to Set up…"""
    import re
    import time
    import webbrowser
    from urllib.parse import urlencode, urlsplit

    from tests.host.conftest import new_host
    from tests.setup.conftest import request
    from webinar_tray.core import commands as c

    monkeypatch.delenv("OAUTHLIB_INSECURE_TRANSPORT", raising=False)
    if webbrowser._tryorder is None:  # filled once per process (BROWSER is read then): add to a copy
        webbrowser.register_standard_browsers()
    monkeypatch.setattr(webbrowser, "_tryorder", list(webbrowser._tryorder))
    monkeypatch.setattr(webbrowser, "_browsers", dict(webbrowser._browsers))
    webbrowser.register("wt-test-user", None, _PlayUser(), preferred=True)
    fake_google.calendars.update({"primary": [], TEAM: []})
    with (configured / "config.toml").open("a") as f:
        f.write(f'\n[google]\napi_endpoint = "{fake_google.api_endpoint}"\n')
    fake_google.write_client_secrets(configured / "client_secret.json")
    host = new_host(notifier)
    host.start()
    try:
        deadline = time.monotonic() + 30
        while "signin" not in notifier.kinds() and time.monotonic() < deadline:
            time.sleep(0.05)
        [(_, title, message)] = [n for n in notifier.sent if n[0] == "signin"]
        assert message.endswith("Open Set up… in the tray menu to fix it.") and "http" not in message

        url = host.send(c.OpenSetup("calendars"))
        at, parts = type("At", (), {"port": urlsplit(url).port})(), urlsplit(url)
        cookie = request(at, "GET", f"/?{parts.query}").getheader("Set-Cookie").split(";")[0]
        csrf = re.search(r'name="csrf" value="([^"]+)"', request(at, "GET", "/", cookie=cookie).data.decode()).group(1)
        assert request(at, "POST", "/google/sign-in", cookie=cookie, body=urlencode({"csrf": csrf})).status == 303
        deadline = time.monotonic() + 60
        while json.loads(request(at, "GET", "/google/state", cookie=cookie).data)["state"] == "running":
            assert time.monotonic() < deadline, "the sign-in did not end"
            time.sleep(0.1)
        state = json.loads(request(at, "GET", "/google/state", cookie=cookie).data)
        assert state["state"] == "done", state
        deadline = time.monotonic() + 30  # the host rebuilt the sources and refreshed them
        while not any(p.endswith("/calendars/primary/events") for _, p, _ in fake_google.requests):
            assert time.monotonic() < deadline, fake_google.requests
            time.sleep(0.05)

        page = request(at, "GET", "/", cookie=cookie).data.decode()
        assert TEAM in page and 'value="primary" checked' in page
        body = urlencode({"csrf": csrf, "cal-0": "primary", "cal-1": TEAM})
        assert request(at, "POST", "/google/calendars", cookie=cookie, body=body).status == 303
        assert host.view().settings.google.calendars == ("primary", TEAM)  # applied by the host at once
        log = logged(configured)
        for s in fake_google.secrets_issued():
            assert s not in page and s not in log
    finally:
        host.stop()
