import logging
import sqlite3
from dataclasses import replace
from datetime import timedelta

import pytest

from tests.fakes import T0, event
from webinar_tray.runtime.store import SCHEMA_VERSION, Attendance, Store, StoreError


def att(id="c/e/20261125T100000Z", state="joining"):
    return Attendance(id=id, title="W", provider="BrightTALK", join_url="https://x.example/w",
                      start=T0, end=T0 + timedelta(hours=1), state=state)


def test_events_round_trip_and_a_fetch_replaces_its_source_only(tmp_path):
    s = Store(tmp_path / "db.sqlite3")
    a, b = event("A webinar"), event("B webinar", event_id="b")
    s.replace_events("src1", [a], T0)
    s.replace_events("src2", [b], T0)
    assert {e.title for e in s.events()} == {"A webinar", "B webinar"}
    assert s.events()[0] == a or s.events()[1] == a
    s.replace_events("src1", [], T0)
    assert [e.title for e in s.events()] == ["B webinar"]


def test_failed_source_keeps_its_events_and_remembers_since_when(tmp_path):
    s = Store(tmp_path / "db.sqlite3")
    s.replace_events("src", [event()], T0)
    s.source_failed("src", "timed out", T0 + timedelta(hours=1))
    s.source_failed("src", "timed out again", T0 + timedelta(hours=2))
    assert len(s.events()) == 1
    st = s.sources()[0]
    assert st.error == "timed out again" and st.failing_since == T0 + timedelta(hours=1)


def test_claim_is_once_per_id(tmp_path):
    s = Store(tmp_path / "db.sqlite3")
    assert s.claim(att(), T0) is True
    assert s.claim(att(), T0) is False
    assert s.states() == {"c/e/20261125T100000Z": "joining"}


def test_update_and_read_back(tmp_path):
    s = Store(tmp_path / "db.sqlite3")
    a = att()
    s.claim(a, T0)
    a.state, a.joined_at, a.gaps = "attended", T0, [{"from": T0.isoformat(), "to": T0.isoformat(), "why": "x"}]
    a.evidence = ["/tmp/e.png"]
    s.update(a, T0)
    b = s.get(a.id)
    assert (b.state, b.joined_at, b.gaps, b.evidence) == ("attended", T0, a.gaps, ["/tmp/e.png"])


def test_data_survives_reopening(tmp_path):
    s = Store(tmp_path / "db.sqlite3")
    s.claim(att(), T0)
    s.set_override("cal/ev", False, T0)
    s.close()
    s2 = Store(tmp_path / "db.sqlite3")
    assert s2.overrides() == {"cal/ev": False} and s2.get(att().id) is not None


def test_corrupt_database_is_moved_aside_not_overwritten(tmp_path, caplog):
    db = tmp_path / "db.sqlite3"
    garbage = b"this is not a database" * 100
    db.write_bytes(garbage)
    with caplog.at_level(logging.WARNING):
        s = Store(db)
    aside = list(tmp_path.glob("db.sqlite3.corrupt-*"))
    assert len(aside) == 1 and aside[0].read_bytes() == garbage
    assert "moved it to" in caplog.text and str(db) in caplog.text
    assert s.claim(att(), T0)  # the new one works


def test_database_from_a_newer_version_is_refused(tmp_path):
    db = tmp_path / "db.sqlite3"
    c = sqlite3.connect(db)
    c.execute(f"PRAGMA user_version = {SCHEMA_VERSION + 5}")
    c.close()
    with pytest.raises(StoreError, match="newer webinar-tray"):
        Store(db)
    assert db.exists() and not list(tmp_path.glob("*.corrupt-*"))


def test_meta_set_once(tmp_path):
    s = Store(tmp_path / "db.sqlite3")
    assert s.set_meta_once("first_run", "a") == "a"
    assert s.set_meta_once("first_run", "b") == "a"


def test_processes_opening_a_new_database_at_once_never_move_it_aside(tmp_path):
    import subprocess
    import sys
    code = ("import sys; from webinar_tray.runtime.store import Store; "
            "s = Store(sys.argv[1]); s.states(); s.close()")
    db = tmp_path / "db.sqlite3"
    procs = [subprocess.Popen([sys.executable, "-c", code, str(db)]) for _ in range(6)]
    assert [p.wait(60) for p in procs] == [0] * 6
    assert not list(tmp_path.glob("*.corrupt-*"))


@pytest.mark.parametrize("tables", [
    "",  # user_version=1 and no tables at all
    "CREATE TABLE events (source TEXT); CREATE TABLE meta (key TEXT PRIMARY KEY, value TEXT);",
])
def test_a_database_whose_schema_is_missing_tables_is_moved_aside_and_rebuilt(tmp_path, caplog, tables):
    db = tmp_path / "db.sqlite3"
    c = sqlite3.connect(db)
    c.executescript(tables + "PRAGMA user_version = 1;")
    c.close()
    before = db.read_bytes()
    with caplog.at_level(logging.WARNING):
        s = Store(db)
    aside = list(tmp_path.glob("db.sqlite3.corrupt-*"))
    assert len(aside) == 1 and aside[0].read_bytes() == before  # nothing overwritten
    assert "incomplete" in caplog.text and "attendance" in caplog.text and aside[0].name in caplog.text
    assert s.claim(att(), T0) and s.get(att().id).state == "joining"  # the fresh one works


def test_a_complete_database_is_not_judged_incomplete(tmp_path, caplog):
    db = tmp_path / "db.sqlite3"
    Store(db).close()
    with caplog.at_level(logging.WARNING):
        Store(db).close()
    assert not list(tmp_path.glob("*.corrupt-*")) and "incomplete" not in caplog.text


def test_a_series_description_is_stored_once_and_forgotten_with_its_events(tmp_path):
    text = "Agenda, speakers and dial-in numbers. " * 300  # 11 KB
    series = [event("Weekly webinar", start=T0 + timedelta(days=i), event_id=f"w_{i}", description=text)
              for i in range(200)]
    s = Store(tmp_path / "db.sqlite3")
    s.replace_events("src", series, T0)
    raw = sqlite3.connect(tmp_path / "db.sqlite3")
    assert raw.execute("SELECT COUNT(*) FROM texts").fetchone()[0] == 1
    assert raw.execute("SELECT MAX(LENGTH(data)) FROM events").fetchone()[0] < 2000
    back = s.events()
    assert back == series and len({id(e.description) for e in back}) == 1
    s.replace_events("src", [event("Other", event_id="o")], T0)
    assert raw.execute("SELECT COUNT(*) FROM texts").fetchone()[0] == 0
    s.close()


def test_cached_events_read_together_share_their_repeated_texts_times_and_extras(tmp_path, caplog):
    """A heavy cache read at start keeps one copy of what its events repeat (as a Google
    listing's events do), and an unreadable row among them is still skipped, the rest read."""
    extra = {"event_type": "default", "recurring_event_id": "series-1"}
    evs = [event("Weekly webinar", start=T0 + timedelta(hours=i % 2), event_id=f"w_{i}",
                 organizer="host@example.com", calendar_name="Team", source="google", extra=dict(extra))
           for i in range(6)]
    s = Store(tmp_path / "db.sqlite3")
    s.replace_events("src", evs, T0)
    raw = sqlite3.connect(tmp_path / "db.sqlite3")
    raw.execute("UPDATE events SET data = '{\"start\": \"not a time\"}' WHERE event_id = 'w_5'")
    raw.commit()
    with caplog.at_level(logging.WARNING):
        back = sorted(s.events(), key=lambda e: e.event_id)
    assert [e.event_id for e in back] == [f"w_{i}" for i in range(5)]
    assert "w_5" in caplog.text and "skipped" in caplog.text
    assert back == evs[:5] and all(b.extra == extra for b in back)
    a, b = back[0], back[2]  # same start
    for name in ("title", "organizer", "calendar_name", "source", "status", "description", "start", "end"):
        assert getattr(a, name) is getattr(b, name), name
    assert a.extra is back[1].extra
    s.close()


def test_a_schema_1_cache_is_migrated_and_still_read(tmp_path):
    from webinar_tray.runtime.store import _SCHEMA

    db = tmp_path / "db.sqlite3"
    old = event("Cached in schema 1", description="Join: https://www.brighttalk.com/webcast/1/2")
    c = sqlite3.connect(db)
    c.executescript(_SCHEMA[0] + "PRAGMA user_version = 1;")
    import json

    c.execute("INSERT INTO events VALUES (?, ?, ?, ?, ?)",
              ("src", old.calendar_id, old.event_id, old.start.isoformat(), json.dumps(old.to_dict())))
    c.commit()
    c.close()
    s = Store(db)
    assert s.events() == [old]
    assert sqlite3.connect(db).execute("PRAGMA user_version").fetchone()[0] == SCHEMA_VERSION == 3
    s.close()


def _rowids(s: Store) -> dict[str, int]:
    return {r["event_id"]: r["rowid"] for r in s._x("SELECT rowid, event_id FROM events")}


def test_a_fetch_given_the_cache_before_writes_only_the_rows_that_changed(tmp_path):
    s = Store(tmp_path / "db.sqlite3")
    long = "Join: https://www.brighttalk.com/webcast/1/2 " + "x" * 300
    a, b, c = (event(t, event_id=t[0], description=long) for t in ("A webinar", "B webinar", "C webinar"))
    s.replace_events("src", [a, b, c], T0)
    before = _rowids(s)
    b2 = event("B webinar moved", event_id="B", description=long)
    d = event("D webinar", event_id="D")
    s.replace_events("src", [a, b2, d], T0 + timedelta(hours=1), before=[a, b, c])
    after = _rowids(s)
    assert after["A"] == before["A"], "an unchanged row is left alone"
    assert after["B"] != before["B"] and "C" not in after and "D" in after
    assert sorted(e.title for e in s.events()) == ["A webinar", "B webinar moved", "D webinar"]
    assert s.events_by_source(["src"])["src"][0].description == long
    assert s.sources()[0].fetched_at == T0 + timedelta(hours=1)
    s.replace_events("src", [d], T0, before=[d])  # the caller's copy is wrong: rewritten whole
    assert [e.title for e in s.events()] == ["D webinar"]
    assert s._x("SELECT COUNT(*) FROM texts").fetchone()[0] == 0, "the long description is forgotten"


def test_states_of_only_the_ids_asked(tmp_path):
    s = Store(tmp_path / "db.sqlite3")
    s.claim(att("x"), T0)
    s.claim(att("y", state="missed"), T0)
    assert s.states_of(["y", "z"]) == {"y": "missed"}
    assert s.states_of([]) == {}
    # many ids (`list` at a heavy calendar): fewer records than ids, then more records than ids
    many = [f"id{i}" for i in range(1200)]
    assert s.states_of(iter(many + ["y"])) == {"y": "missed"}
    for i in range(0, 1300, 2):
        s.claim(att(f"id{i}", state="attended"), T0)
    assert s.states_of(many[:600] + ["y", "x"]) == {"y": "missed", "x": att("x").state,
                                                     **{f"id{i}": "attended" for i in range(0, 600, 2)}}
    assert s.states_of(many + ["y"]) == {"y": "missed", **{f"id{i}": "attended" for i in range(0, 1200, 2)}}


# The schema a database written before the organizer was kept (schema 2) has: its attendance table
# as it was created then, written out here so that the test does not follow later changes.
SCHEMA_2_ATTENDANCE = """
    CREATE TABLE events (
        source TEXT NOT NULL, calendar_id TEXT NOT NULL, event_id TEXT NOT NULL,
        start TEXT NOT NULL, data TEXT NOT NULL, text_ref TEXT,
        PRIMARY KEY (source, calendar_id, event_id, start));
    CREATE TABLE sources (source TEXT PRIMARY KEY, fetched_at TEXT, error TEXT, failing_since TEXT);
    CREATE TABLE overrides (key TEXT PRIMARY KEY, auto_join INTEGER NOT NULL, updated_at TEXT);
    CREATE TABLE attendance (
        id TEXT PRIMARY KEY, title TEXT NOT NULL, provider TEXT, join_url TEXT,
        start TEXT NOT NULL, "end" TEXT NOT NULL, state TEXT NOT NULL,
        joined_at TEXT, left_at TEXT, gaps TEXT NOT NULL DEFAULT '[]', error TEXT,
        evidence TEXT NOT NULL DEFAULT '[]', owner_pid INTEGER, heartbeat TEXT,
        interrupted INTEGER NOT NULL DEFAULT 0, ended_by_page INTEGER NOT NULL DEFAULT 0,
        created_at TEXT NOT NULL, updated_at TEXT NOT NULL);
    CREATE TABLE meta (key TEXT PRIMARY KEY, value TEXT);
    CREATE INDEX attendance_start ON attendance(start);
    CREATE TABLE texts (hash TEXT PRIMARY KEY, text TEXT NOT NULL);
    PRAGMA user_version = 2;
"""


def test_a_schema_2_history_is_migrated_in_place_its_rows_kept_and_their_organizer_empty(tmp_path):
    db = tmp_path / "db.sqlite3"
    c = sqlite3.connect(db)
    c.executescript(SCHEMA_2_ATTENDANCE)
    gaps = '[{"from": "2026-11-25T10:10:00+00:00", "to": "2026-11-25T10:12:00+00:00", "why": "page crashed"}]'
    c.execute("INSERT INTO attendance (id, title, provider, join_url, start, \"end\", state, joined_at, "
              "left_at, gaps, evidence, created_at, updated_at) VALUES (?,?,?,?,?,?,?,?,?,?,?,?,?)",
              ("c/e/1", "Old webinar", "BrightTALK", "https://x.example/w", T0.isoformat(),
               (T0 + timedelta(hours=1)).isoformat(), "attended", T0.isoformat(),
               (T0 + timedelta(hours=1)).isoformat(), gaps, '["/shots/1.png"]', T0.isoformat(),
               T0.isoformat()))
    c.commit()
    c.close()
    s = Store(db)
    [a] = s.attendances()
    assert (a.id, a.title, a.state, a.organizer) == ("c/e/1", "Old webinar", "attended", "")
    assert a.gaps[0]["why"] == "page crashed" and a.evidence == ["/shots/1.png"]
    assert a.joined_at == T0 and a.left_at == T0 + timedelta(hours=1)
    s.update(replace(a, organizer="events@example.com"), T0)  # the new column is written
    assert s.get("c/e/1").organizer == "events@example.com"
    s.close()
    raw = sqlite3.connect(db)
    assert raw.execute("PRAGMA user_version").fetchone()[0] == SCHEMA_VERSION == 3
    assert [r[0] for r in raw.execute("SELECT COUNT(*) FROM attendance")] == [1]


def test_the_organizer_is_kept_from_claim_to_read(tmp_path):
    s = Store(tmp_path / "db.sqlite3")
    s.claim(replace(att("x"), organizer="host@vendor.example"), T0)
    s.claim(att("y"), T0)
    assert s.get("x").organizer == "host@vendor.example" and s.get("y").organizer == ""
    s.close()
