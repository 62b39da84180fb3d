"""The log as written: a real logging setup writing to a file (and stderr), read back.

Links logged on purpose (SafeUrl) keep scheme://host/path; every other URL in a message or a
traceback is cut to scheme://host/…; calendar text cannot put escape sequences, bidi overrides or
line breaks into a log line."""

from __future__ import annotations

import logging

import pytest

from webinar_tray import logsetup
from webinar_tray.core.redact import SafeUrl

SECRET_ICS = "https://calendar.example.com/calendar/ical/me%40example.com/private-5ecr3t0123/basic.ics"


@pytest.fixture
def logfile(tmp_path):
    """The log file, set up by the test body itself (then stderr is the test's captured one)."""
    root = logging.getLogger()
    before = list(root.handlers), root.level
    path = tmp_path / "logs" / "webinar-tray.log"
    yield path
    for h in list(root.handlers):
        root.removeHandler(h)
        h.close()
    for h in before[0]:
        root.addHandler(h)
    root.setLevel(before[1])


def _lines(path) -> list[str]:
    for h in logging.getLogger().handlers:
        h.flush()
    return path.read_text(encoding="utf-8").splitlines()


def test_a_safeurl_keeps_its_path_in_the_file_and_on_stderr(logfile, capsys):
    logsetup.setup(logfile, stderr=True)
    log = logging.getLogger("webinar_tray.test")
    log.info("navigating %s to %s", "id-1", SafeUrl("https://us02web.zoom.us/j/81234567890?pwd=SECRETPWD"))
    log.info("console %s", SafeUrl("https://event.on24.com/wcc/r/4567890/ABCDEFKEY?x=1"))
    text = "\n".join(_lines(logfile))
    err = capsys.readouterr().err
    for out in (text, err):  # both handlers share the filter: the second one must not cut it again
        assert "navigating id-1 to https://us02web.zoom.us/j/81234567890" in out
        assert "console https://event.on24.com/wcc/r/4567890/…" in out
        assert "SECRETPWD" not in out and "ABCDEFKEY" not in out


def test_any_other_url_is_cut_to_its_host(logfile):
    logsetup.setup(logfile, stderr=True)
    log = logging.getLogger("webinar_tray.test")
    log.warning("refresh failed for %s: timed out", SECRET_ICS)
    log.warning(f"interpolated before logging: {SECRET_ICS}?token=T0KEN")
    log.info("a user:password link https://bob:hunter2@files.example.org:8443/x.ics")
    text = "\n".join(_lines(logfile))
    assert "refresh failed for https://calendar.example.com/…: timed out" in text
    assert "interpolated before logging: https://calendar.example.com/…" in text
    assert "https://files.example.org:8443/…" in text
    for secret in ("private-5ecr3t0123", "me%40example.com", "T0KEN", "bob", "hunter2"):
        assert secret not in text


def test_a_traceback_has_its_urls_cut_and_no_escape_sequences(logfile):
    logsetup.setup(logfile, stderr=True)
    log = logging.getLogger("webinar_tray.test")
    try:
        raise ValueError(f"cannot read {SECRET_ICS}\x1b[2K\x1b]52;c;ZXZpbA==\x07")
    except ValueError:
        log.exception("refresh crashed")
    log.info("after", stack_info=True)
    lines = _lines(logfile)
    text = "\n".join(lines)
    assert "Traceback (most recent call last):" in text
    assert "ValueError: cannot read https://calendar.example.com/…" in text
    assert "private-5ecr3t0123" not in text and "\x1b" not in text and "\x07" not in text
    assert any(line.startswith("  File ") for line in lines), "the traceback keeps its shape"
    assert "Stack (most recent call last):" in text


def test_calendar_text_cannot_forge_lines_or_reverse_them(logfile, capsys):
    logsetup.setup(logfile, stderr=True)
    log = logging.getLogger("webinar_tray.test")
    title = "Webinar\x1b]52;c;ZXZpbA==\x07\r\n2026-01-01 00:00:00 ERROR forged: pay now \u202egnp.exe\u2066"
    log.info("joining %s at 10:00", title)
    lines = _lines(logfile)
    err = capsys.readouterr().err
    assert len(lines) == 1 and len(err.splitlines()) == 1
    for out in (lines[0], err):
        assert "joining Webinar]52;c;ZXZpbA== 2026-01-01 00:00:00 ERROR forged: pay now gnp.exe at 10:00" in out
        assert not any(ch in out for ch in "\x1b\x07\r\u202e\u2066")


def test_arguments_that_do_not_fit_are_not_echoed_raw(logfile):
    logsetup.setup(logfile, stderr=False)
    logging.getLogger("webinar_tray.test").info("%s and %s", f"{SECRET_ICS}")
    text = "\n".join(_lines(logfile))
    assert "[log arguments did not fit the message]" in text
    assert "private-5ecr3t0123" not in text


def test_a_title_holding_the_filters_marker_character_is_only_text(logfile):
    logsetup.setup(logfile, stderr=True)
    log = logging.getLogger("webinar_tray.test")
    log.info("%s then %s", "\ue000abcd0\ue001", SafeUrl("https://zoom.us/j/1?pwd=P"))
    text = "\n".join(_lines(logfile))
    assert "https://zoom.us/j/1" in text and text.count("https://zoom.us/j/1") == 1


def test_the_schedule_loop_does_not_write_a_line_per_job(logfile):
    """The `schedule` library logs every job it runs at DEBUG: with the 5-second config watch that
    was a line every 5 seconds in the log file, all day."""
    import schedule

    logsetup.setup(logfile, stderr=False)
    s = schedule.Scheduler()
    ran = []
    s.every(1).seconds.do(ran.append, 1)
    s.run_all()
    logging.getLogger("webinar_tray.test").debug("our own debug line")
    text = "\n".join(_lines(logfile))
    assert ran == [1] and "our own debug line" in text
    assert "Running job" not in text, text
