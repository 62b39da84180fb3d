import csv
import io
from datetime import datetime, timedelta, timezone

from tests.fakes import T0, event
from webinar_tray.core.plan import plan
from webinar_tray.core.settings import Settings
from webinar_tray.output import (HISTORY_COLUMNS, history_csv, history_row, history_text, plan_row, plan_rows,
                                 plan_text)
from webinar_tray.runtime.store import Attendance


def test_plan_rows_and_text():
    evs = [event(start=T0 + timedelta(hours=1)),
           event("Weekly sync", start=T0 + timedelta(days=1, hours=1), url="https://meet.google.com/a-b-c")]
    planned = plan(evs, Settings(), {}, T0)
    rows = [plan_row(p, {planned[0].id: "attending"}) for p in planned]
    assert [r["state"] for r in rows] == ["attending", "skipped"]
    assert datetime.fromisoformat(rows[0]["start"]).utcoffset() is not None
    text = plan_text(planned, {}, T0)
    assert "ISC2 Think Tank webinar [BrightTALK] — joins at" in text
    assert "not auto-joined: not a webinar" in text
    assert plan_text([], {}, T0).startswith("No upcoming")


def test_plan_rows_are_plan_row_of_each_times_formatted_once():
    """plan_rows keeps each formatted time (keyed by the time: equal instants at other offsets
    print the same local time): the rows are plan_row's, None times included."""
    berlin = timezone(timedelta(hours=1))
    evs = [event(start=T0 + timedelta(hours=1)), event("Other webinar", start=T0 + timedelta(hours=1)),
           event("Webinar in Berlin", start=(T0 + timedelta(hours=1)).astimezone(berlin)),
           event("Weekly sync", start=T0 + timedelta(days=1, hours=1), url="https://meet.google.com/a-b-c")]
    planned = plan(evs, Settings(), {}, T0)
    states = {planned[-1].id: "attending"}
    assert any(p.join_at is None for p in planned) and any(p.join_at for p in planned)
    assert plan_rows(planned, states) == [plan_row(p, states) for p in planned]
    assert plan_rows([], {}) == []


def test_history_csv_has_the_contract_columns_and_joins_lists():
    a = Attendance(id="c/e/1", title="T, with comma", provider="BrightTALK", join_url="https://x.example/w",
                   start=T0, end=T0 + timedelta(hours=1), state="partial", joined_at=T0,
                   left_at=T0 + timedelta(hours=1),
                   gaps=[{"from": T0.isoformat(), "to": (T0 + timedelta(minutes=6)).isoformat(), "why": "page crashed"}],
                   evidence=["/e/1.png", "/e/2.png"])
    row = history_row(a)
    assert row["minutes"] == 54.0 and row["outcome"] == "partial"
    parsed = list(csv.DictReader(io.StringIO(history_csv([row]))))
    assert list(parsed[0]) == HISTORY_COLUMNS
    assert parsed[0]["title"] == "T, with comma" and parsed[0]["evidence"] == "/e/1.png;/e/2.png"
    assert "page crashed" in parsed[0]["gaps"]


HOSTILE = "Webinar\x1b]52;c;ZXZpbA==\x07\x1b[2K\r\nFORGED line \u202egnp.exe\u2066"


def _attendance(**kw) -> Attendance:
    base = dict(id="c/e/1", title="T", provider="Zoom", join_url="https://us02web.zoom.us/j/8123?pwd=SECRETPWD",
                start=T0, end=T0 + timedelta(hours=1), state="attended", joined_at=T0,
                left_at=T0 + timedelta(hours=1))
    base.update(kw)
    return Attendance(**base)


def _no_controls(text: str) -> None:
    assert not any(ch in text for ch in "\x1b\x07\r\u202e\u2066"), repr(text)


def test_text_output_of_calendar_text_is_one_clean_line_per_row():
    planned = plan([event(HOSTILE, start=T0 + timedelta(hours=1))], Settings(), {}, T0)
    text = plan_text(planned, {}, T0)
    _no_controls(text)
    assert len(text.splitlines()) == 2  # the day and the one row: no forged line
    assert "Webinar]52;c;ZXZpbA==[2K FORGED line gnp.exe [BrightTALK]" in text
    hist = history_text([history_row(_attendance(title=HOSTILE, state="failed", error="step\x1b[2K\nFAKE"))])
    _no_controls(hist)
    assert len(hist.splitlines()) == 1 and hist.endswith("— step[2K FAKE")


def test_history_shows_safe_links_unless_full_links_are_asked_for():
    a = _attendance(join_url="https://event.on24.com/wcc/r/4567890/ABCDEFKEY?partnerref=x")
    assert history_row(a)["join_url"] == "https://event.on24.com/wcc/r/4567890/…"
    assert history_row(a, full_links=True)["join_url"] == a.join_url
    assert history_row(_attendance(join_url=None))["join_url"] is None
    out = history_csv([history_row(_attendance())])
    assert "SECRETPWD" not in out and "https://us02web.zoom.us/j/8123" in out


def test_csv_cells_that_start_like_a_formula_are_neutralised():
    cells = ["=HYPERLINK(\"https://evil.example\",\"click\")", "+1+1", "-2+3", "@SUM(A1)", "\tx", "\rx"]
    rows = [history_row(_attendance(id=f"c/e/{i}", title=t, error=t, state="failed")) for i, t in enumerate(cells)]
    parsed = list(csv.DictReader(io.StringIO(history_csv(rows), newline="")))
    expected = ["'" + t.replace("\r", "\n") for t in cells]  # a CR is a line break in a quoted cell
    assert [r["title"] for r in parsed] == expected and [r["error"] for r in parsed] == expected
    forged = history_csv([history_row(_attendance(title="a\rc/e/9,forged,row"))])
    assert [r["id"] for r in csv.DictReader(io.StringIO(forged, newline=""))] == ["c/e/1"]
    plain = list(csv.DictReader(io.StringIO(history_csv([history_row(_attendance(title="A -1 = b"))]))))
    assert plain[0]["title"] == "A -1 = b" and plain[0]["minutes"] == "60.0"


PRINT_BOTH = """
import json, sys
from webinar_tray.output import print_rows_json
for rows in json.load(open(sys.argv[1])):
    print("before")  # buffered text first: it must stay first
    print_rows_json(rows)
    sys.stdout.write("\\0")
    print("before")
    print(json.dumps(rows, indent=2, ensure_ascii=False))
    sys.stdout.write("\\1")
"""


def test_list_json_writes_the_bytes_print_would_on_any_stdout(tmp_path):
    """`list --json` writes orjson's bytes straight to a UTF-8 stdout: the stream must get the
    very bytes print(json.dumps(rows)) gives it, and on any other stdout the text path runs."""
    import json
    import os
    import subprocess
    import sys

    cases = [[], [{"title": "Café 東京 🎥", "x": None, "auto_join": True}],
             [{"title": "\u202eevil\x1b[2J\r\nforged", "reason": "\u2028"}, {"id": ""}],
             [{"title": "lone \ud800 surrogate"}]]  # orjson refuses it: the library's text
    path = tmp_path / "rows.json"
    path.write_text(json.dumps(cases))  # \ud800 travels escaped
    for io_encoding in ("utf-8:backslashreplace", "UTF8:backslashreplace", "latin-1:backslashreplace"):
        env = dict(os.environ, PYTHONIOENCODING=io_encoding)
        r = subprocess.run([sys.executable, "-c", PRINT_BOTH, str(path)], env=env, capture_output=True, timeout=60)
        assert r.returncode == 0, r.stderr
        pairs = r.stdout.split(b"\1")[:-1]
        assert len(pairs) == len(cases)
        for pair in pairs:
            got, want = pair.split(b"\0")
            assert got == want, io_encoding
