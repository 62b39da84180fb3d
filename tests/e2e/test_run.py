"""End to end: `webinar-tray run` as a subprocess with a temp home, real headless Chromium, and a
loopback webinar page (the demo site) that records every visit."""

from __future__ import annotations

import signal
from datetime import datetime, timedelta, timezone


from tests.e2e.helpers import history, ics, start_run, wait_for, wt


def config(chromium: str, extra: str = "") -> str:
    return (
        "[join]\nlead_seconds = 2\ngrace_seconds = 3\nheadless = true\nstep_timeout_seconds = 20\n"
        'screenshot_minutes = 1\nallowed_hosts = ["127.0.0.1"]\n'
        f'[browser]\nexecutable_path = "{chromium}"\n' + extra
    )


def test_run_joins_an_ics_webinar_once_on_time_and_records_it(home, site, chromium, tmp_path):
    start = datetime.now(timezone.utc).replace(microsecond=0) + timedelta(seconds=20)
    end = start + timedelta(seconds=8)
    url = site.url_for("e2e-webinar", title="E2E webinar")
    (home / "cal.ics").write_text(ics(
        {"uid": "e2e-1", "start": start, "end": end, "title": "E2E webinar", "description": f"Join: {url}"},
        {"uid": "e2e-2", "start": start, "end": end, "title": "Weekly sync",
         "description": site.url_for("meeting")},
    ))
    (home / "config.toml").write_text('[ics]\nurls = ["cal.ics"]\n' + config(chromium))
    log = tmp_path / "run.log"
    proc = start_run(home, log=log)
    try:
        wait_for(lambda: "webinar-tray running" in log.read_text(), 30, what="start-up")
        # one engine per home: a second `run` exits 1 naming the running one
        second = wt(home, "run", timeout=30)
        assert second.returncode == 1 and "another instance" in second.stderr and str(proc.pid) in second.stderr
        rows = wait_for(lambda: [r for r in history(home) if r["outcome"] in ("attended", "partial", "failed")],
                        60, what="the attendance record")
    finally:
        proc.send_signal(signal.SIGTERM)
        code = proc.wait(30)
    out = log.read_text()
    assert code == 0, out
    [rec] = rows
    assert rec["title"] == "E2E webinar" and rec["outcome"] == "attended", (rec, out)
    join_at = start - timedelta(seconds=2)
    pages = site.visits_of("e2e-webinar", "page")
    assert len(pages) == 1, "opened exactly once"
    delay = (pages[0].at - join_at).total_seconds()
    assert -0.5 <= delay <= 10.0, f"navigation {delay:.2f} s after join_at (bench/join_delay.py measures it)"
    assert len(site.visits_of("e2e-webinar", "enter")) == 1, "the Enter button in the iframe was clicked"
    assert site.visits_of("meeting") == [], "the meeting is not a webinar and is not joined"
    left = datetime.fromisoformat(rec["left_at"])
    assert left >= end + timedelta(seconds=3) - timedelta(seconds=1), "stayed until end + grace"
    assert rec["minutes"] > 0 and rec["evidence"] and all(p.endswith(".png") for p in rec["evidence"])
    assert "?" not in out.split("Join:")[0] or "title=" not in out, "no link query strings in the log"
    assert "title=E2E" not in out


def test_join_url_is_handed_to_the_running_engine(home, site, chromium, tmp_path):
    (home / "config.toml").write_text(config(chromium))
    log = tmp_path / "run.log"
    proc = start_run(home, log=log)
    try:
        wait_for(lambda: "webinar-tray running" in log.read_text(), 30, what="start-up")
        ends = datetime.now(timezone.utc) + timedelta(seconds=20)  # --minutes is 1 at least: the page ends it
        r = wt(home, "join", site.url_for("handed", ends, title="Handed"), "--minutes", "1", timeout=30)
        assert r.returncode == 0 and "handed to the running instance" in r.stdout, r.stderr
        rows = wait_for(lambda: history(home), 60, what="the ad-hoc record")
    finally:
        proc.send_signal(signal.SIGTERM)
        assert proc.wait(30) == 0
    assert rows[0]["id"].startswith("adhoc/") and rows[0]["joined_at"]
    assert len(site.visits_of("handed", "enter")) == 1


def test_run_demo_attends_the_demo_webinar(home, chromium, tmp_path):
    (home / "config.toml").write_text(
        config(chromium, "[demo]\nstart_after_seconds = 3\nduration_seconds = 10\n"))
    log = tmp_path / "run.log"
    proc = start_run(home, "--demo", log=log)
    try:
        rows = wait_for(lambda: [r for r in history(home, "--demo") if r["outcome"] in ("attended", "partial", "failed")],
                        90, what="the demo attendance")
        listed = wt(home, "list", "--json", "--offline", "--demo", check=True).stdout
    finally:
        proc.send_signal(signal.SIGTERM)
        code = proc.wait(30)
    assert code == 0
    [rec] = rows
    assert rec["outcome"] == "attended", (rec, log.read_text())
    assert history(home) == [], "demo records never mix with real ones"
    assert "auto-join off" in listed and "turned-off" in listed and "no-rule" in listed


def test_sigterm_mid_webinar_writes_history_and_a_restart_resumes_the_same_record(home, site, chromium, tmp_path):
    start = datetime.now(timezone.utc).replace(microsecond=0) + timedelta(seconds=8)
    end = start + timedelta(seconds=30)
    (home / "cal.ics").write_text(ics({"uid": "long", "start": start, "end": end, "title": "Long webinar",
                                       "description": site.url_for("long")}))
    (home / "config.toml").write_text('[ics]\nurls = ["cal.ics"]\n' + config(chromium))
    log1 = tmp_path / "run1.log"
    proc = start_run(home, log=log1)
    try:
        wait_for(lambda: site.visits_of("long", "enter"), 40, what="the first join")
    finally:
        proc.send_signal(signal.SIGTERM)
        t0 = datetime.now(timezone.utc)
        code = proc.wait(30)
    assert code == 0, log1.read_text()
    assert (datetime.now(timezone.utc) - t0).total_seconds() < 15, "stops within seconds"
    [rec] = history(home)
    # (a 30 s webinar left 20 s early is still within the 5-minute tolerance of "attended")
    assert rec["joined_at"] and datetime.fromisoformat(rec["left_at"]) < end, \
        "pages closed and history written on SIGTERM"

    log2 = tmp_path / "run2.log"
    proc = start_run(home, log=log2)
    try:
        wait_for(lambda: len(site.visits_of("long", "enter")) == 2, 40, what="the resume")
        wait_for(lambda: (h := history(home)) and h[0]["left_at"]
                 and datetime.fromisoformat(h[0]["left_at"]) >= end, 60, what="the end")
    finally:
        proc.send_signal(signal.SIGTERM)
        assert proc.wait(30) == 0
    [rec] = history(home)
    assert [g["why"] for g in rec["gaps"]] == ["app not running"], rec
    assert len(site.visits_of("long", "page")) == 2, "joined by each run once, never twice by one"
    assert rec["outcome"] in ("attended", "partial")


def test_join_without_a_running_engine_attends_and_prints_the_record(home, site, chromium):
    (home / "config.toml").write_text(config(chromium))
    ends = datetime.now(timezone.utc) + timedelta(seconds=20)  # --minutes is 1 at least: the page ends it
    r = wt(home, "join", site.url_for("alone", ends, title="Alone"), "--minutes", "1", "--headless", timeout=90)
    assert r.returncode == 0, r.stderr
    assert "attended" in r.stdout or "partial" in r.stdout
    [rec] = history(home)
    assert rec["id"].startswith("adhoc/") and len(site.visits_of("alone", "enter")) == 1


def test_run_demo_headed_on_a_display(home, chromium, tmp_path, xvfb_display):
    """The default for a desktop user: a visible browser (here on a private Xvfb display)."""
    import subprocess
    import sys

    from tests.e2e.helpers import env_for

    (home / "config.toml").write_text(
        config(chromium, "[demo]\nstart_after_seconds = 2\nduration_seconds = 6\n").replace("headless = true", "headless = false"))
    env = dict(env_for(home), DISPLAY=xvfb_display)
    log = tmp_path / "run.log"
    with open(log, "w") as f:
        proc = subprocess.Popen([sys.executable, "-m", "webinar_tray", "run", "--demo"], env=env,
                                stdout=f, stderr=subprocess.STDOUT)
    try:
        rows = wait_for(lambda: [r for r in history(home, "--demo") if r["outcome"] in ("attended", "partial", "failed")],
                        90, what="the demo attendance")
    finally:
        proc.send_signal(signal.SIGTERM)
        code = proc.wait(30)
    out = log.read_text()
    assert code == 0 and rows[0]["outcome"] == "attended", out
    assert "headed" in out and "no display" not in out


def test_the_tray_without_a_display_runs_the_engine_and_says_so(home, chromium, tmp_path):
    """`webinar-tray` (no subcommand) on a box without a display: no icon can be shown, so the
    engine runs as `run` does, and stderr says why."""
    import subprocess
    import sys

    from tests.e2e.helpers import env_for

    (home / "config.toml").write_text(config(chromium))
    log = tmp_path / "tray.log"
    env = env_for(home)
    env.pop("WAYLAND_DISPLAY", None)
    with open(log, "w") as f:
        proc = subprocess.Popen([sys.executable, "-m", "webinar_tray", "--demo"], env=env,
                                stdout=f, stderr=subprocess.STDOUT)
    try:
        wait_for(lambda: "webinar-tray running" in log.read_text(), 30, what="the engine")
        second = wt(home, "--demo", timeout=30)  # a second launch hands over and exits 0
    finally:
        proc.send_signal(signal.SIGTERM)
        code = proc.wait(30)
    out = log.read_text()
    assert code == 0, out
    assert "no display" in out and "webinar-tray run" in out
    assert second.returncode == 0 and "already running" in second.stderr, second.stderr
