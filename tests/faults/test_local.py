"""Local trouble: config.toml corrupted while running and at start, a corrupt database at start,
the configured browser missing, a page that never shows its join button."""

from __future__ import annotations

import os
from datetime import timedelta

from tests.e2e.helpers import ics, wt
from tests.faults.harness import assert_history_sound, ics_config, soon, wait_for


def one_webinar(feed, site, slug: str, start, seconds: int = 6, **flags) -> None:
    feed.body = ics({"uid": f"{slug}@faults", "start": start, "end": start + timedelta(seconds=seconds),
                     "title": f"{slug} webinar", "description": f"Join: {site.url_for(slug, **flags)}"})


def rewrite(path, text: str) -> None:
    """Writes and moves the mtime visibly on (the watcher compares mtime and size)."""
    path.write_text(text)
    st = path.stat()
    os.utime(path, ns=(st.st_atime_ns, st.st_mtime_ns + 2_000_000_000))


def test_config_corrupted_while_running_is_ignored_old_settings_kept_and_the_webinar_joined(
        make_rig, feed, site, clock, home, caplog):
    start = soon(25, clock)
    one_webinar(feed, site, "watched", start)
    rig = make_rig(ics_config(feed.url))
    wait_for(lambda: rig.engine.last_refresh, 30, what="the first refresh")
    config = home / "config.toml"
    good = config.read_text()
    rewrite(config, good.replace("[join]", "[join\n", 1))  # a half-saved edit: not TOML
    wait_for(lambda: caplog.text.count("config change ignored") == 1, 15, what="the first bad edit noticed")
    rewrite(config, good.replace("lead_seconds = 2", 'lead_seconds = "soon"'))
    wait_for(lambda: caplog.text.count("config change ignored") == 2, 15, what="the second bad edit noticed")
    assert str(config) in caplog.text and "join.lead_seconds" in caplog.text
    assert rig.engine.settings.join.lead_seconds == 2, "the old settings stay"
    assert "settings reloaded" not in caplog.text
    [rec] = rig.wait_final(60)
    assert rec.state == "attended", rec
    assert len(site.visits_of("watched", "page")) == 1
    rig.stop()
    assert_history_sound(rig.paths.database)


def test_config_with_a_wrong_value_at_start_exits_2_naming_the_file_and_the_key(home):
    (home / "config.toml").write_text('[join]\nlead_seconds = "soon"\n')
    r = wt(home, "run", timeout=60)
    assert r.returncode == 2, r.stderr
    assert str(home / "config.toml") in r.stderr and "join.lead_seconds" in r.stderr, r.stderr
    assert "Traceback" not in r.stderr


def test_corrupt_database_at_start_is_moved_aside_and_the_next_webinar_is_joined(
        make_rig, feed, site, clock, home, caplog):
    junk = b"this is not a database\x00" * 512
    (home / "webinar-tray.sqlite3").write_bytes(junk)
    start = soon(20, clock)
    one_webinar(feed, site, "fresh-db", start)
    rig = make_rig(ics_config(feed.url))
    [aside] = list(home.glob("webinar-tray.sqlite3.corrupt-*"))
    assert aside.read_bytes() == junk, "nothing is lost: the old file is kept as it was"
    assert "was unreadable" in caplog.text and aside.name in caplog.text
    [rec] = rig.wait_final(60)
    assert rec.state == "attended", rec
    assert len(site.visits_of("fresh-db", "page")) == 1
    rig.stop()
    assert_history_sound(rig.paths.database)


def test_browser_missing_the_attempt_fails_with_a_clear_reason_and_a_failed_notification(
        make_rig, feed, site, clock, home, notifier):
    missing = home / "no-such-browser" / "chromium"
    start = soon(20, clock)
    one_webinar(feed, site, "no-browser", start)
    rig = make_rig(ics_config(feed.url), executable=str(missing))
    [rec] = rig.wait_final(60)
    assert rec.state == "failed" and rec.joined_at is None, rec
    assert rec.error.startswith("browser: ") and "browser.executable_path" in rec.error, rec.error
    [(_, title, message)] = notifier.of("failed")
    assert title == "Could not join webinar" and "no-browser webinar" in message and "executable_path" in message
    assert site.visits_of("no-browser") == [], "nothing was opened"
    rig.stop()
    assert_history_sound(rig.paths.database)


def test_page_that_never_shows_its_button_fails_naming_the_step(make_rig, feed, site, clock, notifier):
    start = soon(20, clock)
    one_webinar(feed, site, "silent", start, seconds=60, nobutton=True)
    rig = make_rig(ics_config(feed.url), join="step_timeout_seconds = 3\n")
    [rec] = rig.wait_final(60)
    assert rec.state == "failed" and rec.joined_at is None, rec
    assert rec.error == "join button: no Enter/Join/Watch button appeared within 3 s", rec.error
    assert len(site.visits_of("silent", "page")) == 3, "three attempts, each within step_timeout"
    assert site.visits_of("silent", "enter") == []
    [(_, _, message)] = notifier.of("failed")
    assert "join button" in message
    rig.stop()
    assert_history_sound(rig.paths.database)
