"""core/cpe: credits rounded down at the step, gaps subtracted, month and year sums of the
per-webinar credits, inclusive local date bounds (across local midnight in a non-UTC zone)."""

from __future__ import annotations

from datetime import date, datetime, timedelta, timezone
from zoneinfo import ZoneInfo

import pytest

from webinar_tray.core.attendance import Attendance, Gap
from webinar_tray.core.cpe import credits_for, partial_reason, report
from webinar_tray.core.settings import HistorySettings

UTC = timezone.utc
T0 = datetime(2026, 11, 20, 14, 0, tzinfo=UTC)
DEFAULT = HistorySettings()


def rec(id="c/e/1", start=T0, minutes=60, state="attended", gaps=(), late=0, early=0, **kw) -> Attendance:
    end = start + timedelta(minutes=minutes)
    return Attendance(id=id, title=kw.pop("title", "Think Tank"), provider="BrightTALK", join_url=None,
                      start=start, end=end, state=state, joined_at=start + timedelta(minutes=late),
                      left_at=end - timedelta(minutes=early), gaps=list(gaps), **kw)


@pytest.mark.parametrize("minutes, per_credit, step, credits", [
    (60, 60, 0.25, 1.0),
    (59.9, 60, 0.25, 0.75),   # down, never up
    (44.9, 60, 0.25, 0.5),
    (45, 60, 0.25, 0.75),     # exactly on a step stays
    (14.9, 60, 0.25, 0.0),
    (0, 60, 0.25, 0.0),
    (18, 60, 0.1, 0.3),       # 0.3 / 0.1 is 2.999… in binary floats: exact fractions give 3 steps
    (70, 60, 0.1, 1.1),
    (100, 50, 0.5, 2.0),      # 50-minute credit hours
    (75, 50, 0.5, 1.5),
    (52.5, 52.5, 0.25, 1.0),  # decimal settings
    (89.9, 60, 1, 1.0),
    (120, 60, 0.3, 1.8),
])
def test_credits_are_minutes_per_credit_rounded_down_to_the_step(minutes, per_credit, step, credits):
    assert credits_for(minutes, per_credit, step) == credits


def test_gaps_are_subtracted_before_credits():
    gaps = [Gap(T0 + timedelta(minutes=10), T0 + timedelta(minutes=13), "page crashed"),
            Gap(T0 + timedelta(minutes=30), T0 + timedelta(minutes=46), "browser closed")]
    r = report([rec(gaps=gaps, state="partial")], DEFAULT, tz=UTC)
    [w] = r.webinars
    assert w.minutes == 41.0 and w.credits == 0.5  # 60 - 3 - 16 = 41 -> 0.683 -> 0.5
    assert w.reason == "19 min of gaps (page crashed, browser closed)"


def test_only_attended_and_partial_count_and_the_record_s_fields_are_kept():
    shots = ["/e/1.png", "/e/2.png"]
    records = [rec("a", evidence=shots, organizer="events@isc2.org"),
               rec("p", state="partial", late=20),
               rec("f", state="failed", error="no Join button"), rec("m", state="missed")]
    r = report(records, DEFAULT, tz=UTC)
    assert [w.id for w in r.webinars] == ["a", "p"]
    a, p = r.webinars
    assert (a.organizer, a.evidence, a.outcome, a.reason, a.credits) == (
        "events@isc2.org", tuple(shots), "attended", None, 1.0)
    assert (p.minutes, p.credits, p.reason) == (40.0, 0.5, "joined 20 min late")


def test_a_partial_reason_names_lateness_gaps_leaving_early_and_the_error():
    gap = Gap(T0 + timedelta(minutes=20), T0 + timedelta(minutes=27), "page crashed")
    a = rec(state="partial", late=3, early=10, gaps=[gap], error="browser closed")
    assert partial_reason(a) == ("joined 3 min late; 7 min of gaps (page crashed); "
                                 "left 10 min before the end; browser closed")
    assert partial_reason(rec()) is None


def test_months_and_years_add_up_the_webinars_credits_not_their_minutes():
    # three 40-minute webinars: 0.5 credits each (0.666… rounded down); their 120 minutes would be 2.0
    nov = [rec(f"n{i}", start=T0 + timedelta(days=i), minutes=40) for i in range(3)]
    dec = [rec("d1", start=datetime(2026, 12, 2, 9, tzinfo=UTC), minutes=90)]
    jan = [rec("j1", start=datetime(2027, 1, 5, 9, tzinfo=UTC), minutes=30)]
    r = report(jan + dec + nov, DEFAULT, tz=UTC)
    months = [(m.period, m.webinars, m.minutes, m.credits) for m in r.months]
    assert months == [("2026-11", 3, 120.0, 1.5), ("2026-12", 1, 90.0, 1.5), ("2027-01", 1, 30.0, 0.5)]
    years = [(y.period, y.webinars, y.minutes, y.credits) for y in r.years]
    assert years == [("2026", 4, 210.0, 3.0), ("2027", 1, 30.0, 0.5)]
    assert r.credits == 3.5
    assert [w.id for w in r.webinars] == ["n0", "n1", "n2", "d1", "j1"], "oldest first"


def test_sums_of_decimal_steps_are_exact():
    s = HistorySettings(minutes_per_credit=60.0, credit_step=0.1)
    r = report([rec(f"x{i}", start=T0 + timedelta(hours=2 * i), minutes=6) for i in range(3)], s, tz=UTC)
    assert [w.credits for w in r.webinars] == [0.1, 0.1, 0.1]
    assert r.months[0].credits == 0.3 and r.years[0].credits == 0.3  # not 0.30000000000000004


def test_date_bounds_are_inclusive_local_dates_across_local_midnight():
    ny = ZoneInfo("America/New_York")
    # 2026-12-01 03:30 UTC is still 30 November (22:30) in New York
    late_evening = rec("nov30", start=datetime(2026, 12, 1, 3, 30, tzinfo=UTC))
    # 2026-12-01 05:30 UTC is 1 December 00:30 in New York
    after_midnight = rec("dec1", start=datetime(2026, 12, 1, 5, 30, tzinfo=UTC))
    dec31 = rec("dec31", start=datetime(2027, 1, 1, 4, 59, tzinfo=UTC))  # 23:59 on 31 Dec in New York
    records = [late_evening, after_midnight, dec31]
    ids = lambda **kw: [w.id for w in report(records, DEFAULT, tz=ny, **kw).webinars]  # noqa: E731
    assert ids(first=date(2026, 12, 1)) == ["dec1", "dec31"]
    assert ids(last=date(2026, 11, 30)) == ["nov30"]
    assert ids(first=date(2026, 11, 30), last=date(2026, 11, 30)) == ["nov30"]
    assert ids(first=date(2026, 12, 31), last=date(2026, 12, 31)) == ["dec31"]
    r = report(records, DEFAULT, tz=ny)
    assert [m.period for m in r.months] == ["2026-11", "2026-12"] and [y.period for y in r.years] == ["2026"]
    # in UTC the same records fall on other dates, months and years
    r_utc = report(records, DEFAULT, tz=UTC)
    assert [m.period for m in r_utc.months] == ["2026-12", "2027-01"]
    assert [w.id for w in report(records, DEFAULT, tz=UTC, last=date(2026, 11, 30)).webinars] == []


def test_decimal_settings_apply():
    s = HistorySettings(minutes_per_credit=50.0, credit_step=0.5)
    r = report([rec(minutes=75), rec("b", start=T0 + timedelta(days=1), minutes=99.9)], s, tz=UTC)
    assert [w.credits for w in r.webinars] == [1.5, 1.5] and r.years[0].credits == 3.0
    assert (r.minutes_per_credit, r.credit_step) == (50.0, 0.5)


def test_nothing_attended_is_an_empty_report():
    r = report([rec(state="failed")], DEFAULT)
    assert (r.webinars, r.months, r.years, r.credits) == ((), (), (), 0.0)
