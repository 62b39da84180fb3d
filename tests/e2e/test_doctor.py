"""`webinar-tray doctor [--json]` run as a subprocess against real homes: nothing configured,
ICS only (a file and a secret http address), Google against the fake Google, a revoked token,
a bad config, a browser that starts and one that does not exist. Plus the runner's promise:
a check that crashes or hangs becomes ok=false, never a traceback."""

from __future__ import annotations

import json
import os
import threading
import time
from datetime import datetime, timedelta, timezone
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import pytest

from tests.e2e.helpers import ics, wt
from tests.e2e.test_google_list import WEBINARS, setup_home
from tests.fakegoogle import fake_google, gevent  # noqa: F401  (fixture)
from webinar_tray.runtime.instance import ChannelServer, InstanceLock

pytestmark = pytest.mark.slow

NAMES = ["config", "sources", "google_client", "google_signin", "calendar_access", "ics", "browser",
         "notifications", "autostart", "instance", "wake"]
GOOGLE = ("google_client", "google_signin", "calendar_access")
QUIET = "[notifications]\nenabled = false\n"  # the desktop's notifications are not under test here
NO_BROWSER = '[browser]\nexecutable_path = "/nonexistent/chrome"\n'


@pytest.fixture(autouse=True)
def private_autostart(tmp_path, monkeypatch):
    """The autostart check reads $XDG_CONFIG_HOME/autostart: a private, empty one."""
    monkeypatch.setenv("XDG_CONFIG_HOME", str(tmp_path / "xdg"))


def doctor(home, *args) -> tuple[dict, str]:
    """Runs `doctor --json`, checks the contract's shape and exit code; {name: check}, stderr."""
    r = wt(home, "doctor", "--json", *args, timeout=240)
    assert "Traceback" not in r.stderr, r.stderr
    d = json.loads(r.stdout)
    assert set(d) == {"ok", "checks"} and isinstance(d["ok"], bool)
    assert [c["name"] for c in d["checks"]] == NAMES
    for c in d["checks"]:
        assert set(c) == {"name", "ok", "detail", "fix"}, c
        assert c["ok"] in (True, False, None) and isinstance(c["detail"], str) and c["detail"], c
        assert c["fix"] is None or (isinstance(c["fix"], str) and c["fix"]), c
        if c["ok"] is False:
            assert c["fix"], f"a failing check says how to fix it: {c}"
    assert d["ok"] == all(c["ok"] is not False for c in d["checks"])
    assert r.returncode == (0 if d["ok"] else 1), (r.returncode, r.stdout)
    return {c["name"]: c for c in d["checks"]}, r.stdout + r.stderr


def test_nothing_configured(home):
    before = sorted(p.name for p in home.iterdir())
    checks, _ = doctor(home)
    assert checks["config"]["ok"] is True and "config.toml" in checks["config"]["detail"]
    s = checks["sources"]
    assert s["ok"] is False and "no calendar configured" in s["detail"]
    assert "webinar-tray login --client-secrets" in s["fix"] and "[ics] urls" in s["fix"]
    assert all(checks[n]["ok"] is None for n in GOOGLE + ("ics",))
    assert checks["autostart"]["ok"] is None and checks["autostart"]["detail"].startswith("off")
    assert checks["instance"] == {"name": "instance", "ok": True, "detail": "not running", "fix": None}
    assert sorted(p.name for p in home.iterdir()) == before, "doctor creates nothing in the home folder"

    r = wt(home, "doctor", timeout=240)  # the text form
    assert r.returncode == 1
    lines = r.stdout.splitlines()
    assert [line.split()[1] for line in lines if line[:1] in "✓✗–"] == NAMES
    i = next(i for i, line in enumerate(lines) if line.startswith("✗ sources"))
    assert "fix: " in lines[i + 1]
    assert any(line.startswith("– google_client") for line in lines)

    checks, _ = doctor(home, "--demo")
    assert checks["sources"]["ok"] is None and "demo" in checks["sources"]["detail"]
    assert all(checks[n]["ok"] is None for n in GOOGLE + ("ics",))


class _Ics(BaseHTTPRequestHandler):
    body = b""
    gone = False

    def do_GET(self):
        ok = self.path.startswith("/private-s3cr3t/basic.ics") and not self.gone
        data = self.body if ok else b"gone"
        self.send_response(200 if ok else 404)
        self.send_header("Content-Type", "text/calendar" if ok else "text/plain")
        self.send_header("Content-Length", str(len(data)))
        self.end_headers()
        self.wfile.write(data)

    def log_message(self, *a):
        pass


def test_ics_only_home(home, chromium):
    now = datetime.now(timezone.utc)
    cal = ics({"uid": "w1", "title": "Webinar: zero trust", "start": now + timedelta(hours=2),
               "end": now + timedelta(hours=3), "location": "BrightTALK"})
    (home / "cal.ics").write_text(cal)
    _Ics.body, _Ics.gone = cal.encode(), False
    server = ThreadingHTTPServer(("127.0.0.1", 0), _Ics)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    secret = f"http://127.0.0.1:{server.server_address[1]}/private-s3cr3t/basic.ics?token=abc123"
    (home / "config.toml").write_text(
        f'[ics]\nurls = ["cal.ics", "{secret}"]\n{QUIET}[browser]\nexecutable_path = "{chromium}"\n')
    lock = InstanceLock(home / "engine.lock")  # an engine of this home runs (this test process)
    assert lock.acquire()
    channel = ChannelServer(home / "engine.port", lambda req: {"ok": True})
    channel.start()
    try:
        checks, out = doctor(home)
    finally:
        channel.stop()
        lock.release()
    assert checks["sources"]["ok"] is True and "2 ICS addresses" in checks["sources"]["detail"]
    assert all(checks[n]["ok"] is None for n in GOOGLE), checks
    assert checks["ics"]["ok"] is True
    assert f"ICS file {home / 'cal.ics'}" in checks["ics"]["detail"]
    assert "1 event in the next 48 h" in checks["ics"]["detail"]
    assert checks["browser"]["ok"] is True and chromium in checks["browser"]["detail"]
    assert checks["notifications"]["ok"] is None
    assert checks["instance"]["detail"] == f"running (pid {os.getpid()})"
    assert "s3cr3t" not in out and "abc123" not in out

    # The secret address stops working (404) and the browser goes missing.
    _Ics.gone = True
    (home / "config.toml").write_text(f'[ics]\nurls = ["cal.ics", "{secret}"]\n{QUIET}{NO_BROWSER}')
    try:
        checks, out = doctor(home)
    finally:
        server.shutdown()
        server.server_close()
    i = checks["ics"]
    assert i["ok"] is False and "[ics] urls" in i["fix"]
    assert f"ICS http://127.0.0.1:{server.server_address[1]}/…: HTTP 404" in i["detail"], i
    assert "s3cr3t" not in out and "abc123" not in out
    b = checks["browser"]
    assert b["ok"] is False and "/nonexistent/chrome" in b["detail"]
    assert "webinar-tray browser --install" in b["fix"] and "executable_path" in b["fix"]


def test_google_home(home, fake_google, chromium):
    fake = fake_google
    fake.calendars["primary"] = [gevent("w", "Webinar", datetime.now(timezone.utc) + timedelta(hours=1))]
    fake.calendars[WEBINARS] = []
    setup_home(home, fake, QUIET + f'[browser]\nexecutable_path = "{chromium}"\n')
    checks, out = doctor(home)
    assert all(checks[n]["ok"] is True for n in GOOGLE + ("sources", "browser", "config")), checks
    assert checks["ics"]["ok"] is None
    assert "primary" in checks["calendar_access"]["detail"] and WEBINARS in checks["calendar_access"]["detail"]
    assert "refresh_token" in fake.grants
    lists = [q for m, p, q in fake.requests if p.endswith("/events")]
    assert lists and all(q.get("maxResults") == "1" for q in lists)
    for secret in fake.secrets_issued():
        assert secret not in out

    # A calendar that is not there, then a revoked sign-in.
    setup_home(home, fake, QUIET + NO_BROWSER)
    text = (home / "config.toml").read_text().replace(WEBINARS, "nope@group.calendar.google.com")
    (home / "config.toml").write_text(text)
    checks, _ = doctor(home)
    c = checks["calendar_access"]
    assert c["ok"] is False and "nope@group.calendar.google.com" in c["detail"] and "[google] calendars" in c["fix"]

    fake.revoke_all()
    checks, out = doctor(home)
    s = checks["google_signin"]
    assert s["ok"] is False and s["fix"].startswith("webinar-tray login; or open the setup page")
    assert s["fix"].endswith("section Calendars") and "invalid_grant" in s["detail"]
    assert checks["google_client"]["ok"] is True and checks["calendar_access"]["ok"] is None
    for secret in fake.secrets_issued():
        assert secret not in out


def test_bad_config_names_the_key(home):
    (home / "config.toml").write_text('[join]\nlead_seconds = "soon"\n')
    checks, _ = doctor(home)
    c = checks["config"]
    assert c["ok"] is False and "lead_seconds" in c["detail"] and str(home / "config.toml") in c["detail"]
    assert str(home / "config.toml") in c["fix"]
    for n in ("sources", "browser", "ics", "notifications") + GOOGLE:
        assert checks[n]["ok"] is None and "config" in checks[n]["detail"]
    assert checks["instance"]["ok"] is True and checks["autostart"]["ok"] is None


def test_a_crashing_or_hanging_check_becomes_a_failure(tmp_path):
    from webinar_tray.commands.doctor import report, run_checks, text
    from webinar_tray.config.paths import resolve_paths
    from webinar_tray.env import Env

    def crash(s):
        raise RuntimeError("boom http://x.example/ics?token=SECRET")

    def hang(s):
        time.sleep(30)

    checks = run_checks(resolve_paths(tmp_path), [("config", crash, 5), ("sources", hang, 0.3)],
                        env=Env())
    assert [(c.name, c.ok) for c in checks] == [("config", False), ("sources", False)]
    assert "RuntimeError: boom" in checks[0].detail and "SECRET" not in checks[0].detail
    assert "did not finish within 0.3 s" in checks[1].detail
    assert report(checks)["ok"] is False
    assert "2 checks failed." in text(checks)


def test_wake_check_prints_the_admin_command_for_the_next_webinar(home):
    """Linux: waking needs admin rights, so the check does not apply (doctor passes on it) and
    its detail is the exact command for the next auto-join of the cached plan."""
    start = datetime.now(timezone.utc).replace(microsecond=0) + timedelta(hours=5)
    (home / "cal.ics").write_text(ics({"uid": "w1", "title": "Night webinar", "start": start,
                                       "end": start + timedelta(hours=1), "location": "BrightTALK",
                                       "description": "https://www.brighttalk.com/webcast/1/2"}))
    (home / "config.toml").write_text(f'[ics]\nurls = ["cal.ics"]\n{QUIET}{NO_BROWSER}')
    checks, _ = doctor(home)
    w = checks["wake"]
    assert w["ok"] is None and "no auto-join ahead in the cached plan" in w["detail"]  # nothing cached yet
    assert wt(home, "list", "--json").returncode == 0  # fills the cache
    checks, _ = doctor(home)
    w = checks["wake"]
    wake_at = start - timedelta(seconds=60) - timedelta(minutes=3)
    assert w["ok"] is None and w["fix"] is None, w
    assert "needs admin rights on Linux" in w["detail"] and "Night webinar" in w["detail"]
    assert w["detail"].endswith(f"to wake for it, run: sudo rtcwake -m no -t {int(wake_at.timestamp())}"), w

    (home / "config.toml").write_text(f'[ics]\nurls = ["cal.ics"]\n{QUIET}{NO_BROWSER}[wake]\nenabled = false\n')
    checks, _ = doctor(home)
    assert checks["wake"] == {"name": "wake", "ok": None, "detail": "off ([wake] enabled = false)", "fix": None}
