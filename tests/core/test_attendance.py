"""The attendance record (core/attendance): typed gaps and the transitions, table-driven."""

from __future__ import annotations

import json
from dataclasses import asdict, dataclass, field, replace
from datetime import datetime, timedelta, timezone

import pytest

from tests.fakes import T0
from webinar_tray.core import attendance as rec
from webinar_tray.core.attendance import (
    ACTIVE, APP_NOT_RUNNING, DONE, MISSED_ERROR, REJOINED, Attendance, Gap, gap_json,
)
from webinar_tray.core.plan import PlannedJoin, adhoc

END = T0 + timedelta(hours=1)
LEAVE_AT = END + timedelta(minutes=5)
PID = 4242


def m(minutes: float) -> datetime:
    return T0 + timedelta(minutes=minutes)


def record(state="attending", **kw) -> Attendance:
    base = dict(id="cal/ev/1", title="Think Tank", provider="BrightTALK", join_url="https://x.example/w",
                start=T0, end=END, state=state, owner_pid=1)
    base.update(kw)
    return Attendance(**base)


@dataclass
class Report:  # what ports.AttendReport carries
    id: str = "cal/ev/1"
    joined_at: datetime | None = None
    left_at: datetime | None = None
    gaps: list = field(default_factory=list)
    error: str = ""
    ended_by_page: bool = False
    evidence: list = field(default_factory=list)


# ---- states and gaps --------------------------------------------------------------------------------

def test_one_set_of_state_names():
    assert ACTIVE == ("joining", "attending")
    assert DONE == ("attended", "partial", "failed", "missed")
    from webinar_tray.core import menu
    assert menu.ACTIVE is ACTIVE and menu.DONE is DONE
    assert set(menu.STATE_MARK) == set(ACTIVE + DONE)


def test_ports_re_export_the_gap():
    from webinar_tray import ports
    assert ports.Gap is Gap


@pytest.mark.parametrize("start, end", [
    (m(10), m(16)),
    (m(10) + timedelta(microseconds=1234), m(16)),
    (datetime(2026, 11, 25, 10, 0, tzinfo=timezone(timedelta(hours=1))), m(90)),
])
def test_a_gap_is_stored_as_the_json_written_before_it_was_typed(start, end):
    g = Gap(start, end, "page crashed")
    old = {"from": start.isoformat(), "to": end.isoformat(), "why": "page crashed"}  # the dict of old
    assert g.to_json() == old and list(g.to_json()) == ["from", "to", "why"]
    assert json.dumps(gap_json(g)) == json.dumps(old)
    assert Gap.from_json(old) == g and Gap.from_json(json.loads(json.dumps(old))).to_json() == old


def test_a_gap_reads_as_its_json():
    g = Gap(m(10), m(16), "page crashed")
    old = {"from": m(10).isoformat(), "to": m(16).isoformat(), "why": "page crashed"}
    assert (g["from"], g["to"], g["why"]) == (old["from"], old["to"], old["why"])
    assert g == old and [g] == [old] and old == g
    assert g != {**old, "why": "browser closed"} and g != "page crashed"
    assert Gap.of(old) == g and Gap.of(g) is g and gap_json(old) == old
    assert hash(g) == hash(Gap(m(10), m(16), "page crashed"))
    with pytest.raises(KeyError):
        g["start"]


def test_a_record_takes_gaps_as_dicts_or_gaps():
    a = record(gaps=[{"from": m(10).isoformat(), "to": m(16).isoformat(), "why": "page crashed"},
                     Gap(m(20), m(21), "browser closed")])
    assert a.gaps == [Gap(m(10), m(16), "page crashed"), Gap(m(20), m(21), "browser closed")]
    assert all(isinstance(g, Gap) for g in a.gaps)


@pytest.mark.parametrize("kw, seen", [
    (dict(joined_at=m(1), heartbeat=m(10), left_at=m(20)), m(20)),
    (dict(joined_at=m(1), heartbeat=m(10)), m(10)),
    (dict(joined_at=m(1)), m(1)),
    ({}, None),
])
def test_last_seen(kw, seen):
    assert record(**kw).last_seen == seen


# ---- new records ---------------------------------------------------------------------------------

def test_a_planned_join_becomes_a_record_in_the_state_claimed():
    p = adhoc("https://www.brighttalk.com/webcast/1/2", "Ad hoc", T0, 30, provider="BrightTALK")
    a = rec.planned(p, rec.JOINING, PID)
    assert a == Attendance(id=p.id, title="Ad hoc", provider="BrightTALK", join_url=p.join_url, start=T0,
                           end=m(30), state="joining", owner_pid=PID)


def test_a_missed_record_says_why():
    p = PlannedJoin(id="cal/ev/1", calendar_id="cal", event_id="ev", title="Think Tank", start=T0, end=END,
                    join_url="https://x.example/w", provider=None, auto_join=True, reason=None,
                    join_at=T0, leave_at=LEAVE_AT)
    a = rec.missed(p, PID)
    assert (a.state, a.error, a.joined_at, a.gaps, a.owner_pid) == ("missed", MISSED_ERROR, None, [], PID)



def test_a_planned_event_s_organizer_is_kept_in_its_record():
    from tests.fakes import event
    from webinar_tray.core.plan import plan
    from webinar_tray.core.settings import Settings

    [p] = plan([event(organizer="events@isc2.org")], Settings(), {}, T0)
    assert p.organizer == "events@isc2.org"
    assert rec.planned(p, rec.JOINING, PID).organizer == "events@isc2.org"
    assert rec.missed(p, PID).organizer == "events@isc2.org"

# ---- rejoin and resume -----------------------------------------------------------------------------

@pytest.mark.parametrize("case, before, now, gaps", [
    ("left, joined again", dict(state="partial", joined_at=m(1), left_at=m(10)), m(13),
     [Gap(m(10), m(13), REJOINED)]),
    ("failed, never joined", dict(state="failed", error="join button", left_at=m(2)), m(13), []),
    ("left just now", dict(state="partial", joined_at=m(1), left_at=m(13)), m(13), []),
    ("interrupted", dict(state="partial", joined_at=m(1), left_at=m(10), interrupted=True), m(13),
     [Gap(m(10), m(13), REJOINED)]),
])
def test_rejoin(case, before, now, gaps):
    a = record(**before)
    b = rec.rejoin(a, now, PID)
    assert b.gaps == gaps, case
    assert (b.state, b.error, b.left_at, b.interrupted, b.owner_pid) == ("joining", None, None, False, PID)
    assert b.joined_at == a.joined_at and a == record(**before), "the given record is left alone"


@pytest.mark.parametrize("case, before, now, gaps", [
    ("quit mid-webinar", dict(state="partial", joined_at=m(1), left_at=m(10), interrupted=True), m(13),
     [Gap(m(10), m(13), APP_NOT_RUNNING)]),
    ("crashed: from the heartbeat", dict(joined_at=m(1), heartbeat=m(10)), m(13),
     [Gap(m(10), m(13), APP_NOT_RUNNING)]),
    ("crashed before a heartbeat", dict(joined_at=m(1)), m(13), [Gap(m(1), m(13), APP_NOT_RUNNING)]),
    ("crashed while joining", dict(state="joining"), m(13), []),
    ("the clock went back", dict(joined_at=m(1), heartbeat=m(20)), m(13), []),
])
def test_resume(case, before, now, gaps):
    a = record(**before)
    b = rec.resume(a, now, PID)
    assert b.gaps == gaps, case
    assert (b.state, b.left_at, b.interrupted, b.owner_pid) == ("joining", None, False, PID)
    assert a == record(**before)


def test_gaps_add_up():
    a = record(joined_at=m(1), left_at=m(10), gaps=[Gap(m(3), m(4), "page crashed")])
    b = rec.rejoin(rec.resume(a, m(12), PID), m(12), PID)
    assert [g.why for g in b.gaps] == ["page crashed", APP_NOT_RUNNING]  # resume cleared left_at


# ---- settling what the last run left -----------------------------------------------------------------

@pytest.mark.parametrize("case, before, state, left_at", [
    ("crashed near the end", dict(joined_at=T0, heartbeat=END - timedelta(minutes=2)), "attended",
     END - timedelta(minutes=2)),
    ("crashed early", dict(joined_at=T0, heartbeat=m(10)), "partial", m(10)),
    ("quit, interrupted", dict(state="partial", joined_at=T0, left_at=m(30), interrupted=True), "partial", m(30)),
    ("joined late, never beat", dict(joined_at=m(20)), "partial", m(20)),
    ("never joined, an error", dict(state="joining", error="join button"), "failed", None),
    ("never joined, no error", dict(state="joining"), "missed", None),
    ("the page said it ended", dict(joined_at=T0, left_at=m(50), ended_by_page=True, interrupted=True),
     "attended", m(50)),
])
def test_settle(case, before, state, left_at):
    a = record(**before)
    b = rec.settle(a)
    assert (b.state, b.left_at, b.interrupted) == (state, left_at, False), case
    assert a == record(**before)


def test_heartbeat():
    a = record(joined_at=T0)
    assert rec.heartbeat(a, m(5)).heartbeat == m(5) and a.heartbeat is None


# ---- reports from the joiner ---------------------------------------------------------------------------

def apply(a, kind, report, now=m(10), closing=False):
    return rec.apply_report(a, kind, report, now, closing=closing, leave_at=LEAVE_AT)


def test_joined_sets_attending_and_the_first_joined_at_only():
    a = apply(record("joining"), "joined", Report(joined_at=m(1)), now=m(1))
    assert (a.state, a.joined_at, a.heartbeat) == ("attending", m(1), m(1))
    again = apply(a, "joined", Report(joined_at=m(7)), now=m(7))  # rejoined after a crash of the page
    assert again.joined_at == m(1)


def test_progress_adds_gaps_and_evidence_once():
    a = record(joined_at=m(1), evidence=["/e/1.png"])
    crash = Gap(m(3), m(4), "page crashed")
    r = Report(gaps=[crash], evidence=["/e/1.png", "/e/2.png"])
    b = apply(a, "progress", r)
    c = apply(b, "progress", replace(r, gaps=[crash, Gap(m(8), m(9), "browser closed")]))
    assert c.gaps == [crash, Gap(m(8), m(9), "browser closed")]
    assert c.evidence == ["/e/1.png", "/e/2.png"] and c.state == "attending" and c.heartbeat == m(10)
    assert a.gaps == [] and a.evidence == ["/e/1.png"]


def test_a_reported_gap_equal_to_a_stored_one_is_not_added_again():
    stored = Gap.from_json({"from": m(3).isoformat(), "to": m(4).isoformat(), "why": "page crashed"})
    b = apply(record(joined_at=m(1), gaps=[stored]), "progress", Report(gaps=[Gap(m(3), m(4), "page crashed")]))
    assert b.gaps == [stored]


@pytest.mark.parametrize("case, before, report, now, closing, expected", [
    ("stayed to the end", dict(joined_at=T0), Report(left_at=LEAVE_AT), LEAVE_AT, False,
     dict(state="attended", left_at=LEAVE_AT, interrupted=False, error=None)),
    ("left early", dict(joined_at=T0), Report(left_at=m(30)), m(30), False,
     dict(state="partial", left_at=m(30), interrupted=False)),
    ("no left_at: now", dict(joined_at=T0), Report(), m(30), False, dict(state="partial", left_at=m(30))),
    ("the page said it ended", dict(joined_at=T0), Report(left_at=m(50), ended_by_page=True), m(50), False,
     dict(state="attended", ended_by_page=True, interrupted=False)),
    ("never joined", dict(state="joining"), Report(error="join button: none"), m(2), False,
     dict(state="failed", error="join button: none", joined_at=None, interrupted=False)),
    ("the app closing mid-webinar", dict(joined_at=T0), Report(left_at=m(30)), m(30), True,
     dict(state="partial", interrupted=True)),
    ("closing, but the page had ended", dict(joined_at=T0), Report(left_at=m(50), ended_by_page=True), m(50),
     True, dict(state="attended", interrupted=False)),
    ("closing after leave_at", dict(joined_at=T0), Report(left_at=LEAVE_AT), LEAVE_AT, True,
     dict(state="attended", interrupted=False)),
    ("closing before it joined", dict(state="joining"), Report(error="stopped"), m(2), True,
     dict(state="failed", interrupted=False)),
    ("joined in the done report", dict(state="joining"), Report(joined_at=m(1), left_at=m(62)), m(62), False,
     dict(state="attended", joined_at=m(1))),
    ("a long gap", dict(joined_at=T0), Report(left_at=END, gaps=[Gap(m(10), m(20), "page crashed")]), END,
     False, dict(state="partial")),
])
def test_done(case, before, report, now, closing, expected):
    b = apply(record(**before), "done", report, now=now, closing=closing)
    got = {k: v for k, v in asdict(b).items() if k in expected}
    assert got == expected, case
    assert b.heartbeat == now
