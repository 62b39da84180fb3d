import csv
import io
from datetime import datetime, timedelta

from tests.fakes import T0, event
from webinar_tray.core.plan import plan
from webinar_tray.core.settings import Settings
from webinar_tray.output import HISTORY_COLUMNS, history_csv, history_row, plan_row, plan_text
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
