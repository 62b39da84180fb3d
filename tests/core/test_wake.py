"""core/wake.next_wake, table-driven with a fixed `now`, and the [wake] settings."""

from __future__ import annotations

from datetime import timedelta

import pytest

from tests.fakes import T0, event
from webinar_tray.core.plan import plan
from webinar_tray.core.settings import ConfigError, Settings, WakeSettings, parse_settings
from webinar_tray.core.wake import WakeFor, next_wake

H = timedelta(hours=1)
M = timedelta(minutes=1)
ON = WakeSettings()


def plans(*events, settings=Settings(), overrides=None, now=T0):
    return plan(events, settings, overrides or {}, now)


def test_the_next_auto_join_is_woken_for_minutes_before_its_join_at():
    p = plans(event(start=T0 + 5 * H))
    w = next_wake(p, T0, ON)
    assert w == WakeFor(p[0].join_at - 3 * M, p[0])
    assert w.at == T0 + 5 * H - timedelta(seconds=60) - 3 * M  # lead_seconds 60, then 3 minutes
    assert next_wake(p, T0, WakeSettings(minutes_before=10)).at == p[0].join_at - 10 * M


@pytest.mark.parametrize("now_offset, expected_title", [
    (timedelta(0), "First webinar"),                      # both ahead: the first
    (2 * H - 61 * timedelta(seconds=1) - 3 * M, "First webinar"),   # a second before its wake
    (2 * H - 60 * timedelta(seconds=1) - 3 * M, "Second webinar"),  # the first's wake is now: the next
    (2 * H - 2 * M, "Second webinar"),                    # within the first's 3 minutes: awake anyway
    (2 * H + 30 * M, "Second webinar"),                   # the first is running
    (6 * H, None),                                        # both over
])
def test_a_wake_already_due_or_past_is_skipped(now_offset, expected_title):
    events = [event("First webinar", start=T0 + 2 * H), event("Second webinar", start=T0 + 4 * H)]
    now = T0 + now_offset
    w = next_wake(plans(*events, now=now), now, ON)
    assert (w.plan.title if w else None) == expected_title


def test_only_auto_joins_count_and_off_means_none():
    meeting = event("Weekly sync", start=T0 + H, url="https://meet.google.com/abc-defg-hij")
    webinar = event("Cloud webinar", start=T0 + 3 * H)
    p = plans(meeting, webinar)
    assert [x.auto_join for x in p] == [False, True]
    assert next_wake(p, T0, ON).plan.title == "Cloud webinar"
    assert next_wake(p, T0, WakeSettings(enabled=False)) is None
    off = plans(meeting, webinar, overrides={f"{webinar.calendar_id}/{webinar.event_id}": False})
    assert next_wake(off, T0, ON) is None
    assert next_wake([], T0, ON) is None


def test_next_wake_stops_reading_at_the_first_fit():
    p = plans(event("A webinar", start=T0 + H), event("B webinar", start=T0 + 2 * H))
    read = []

    def lazily():
        for x in p:
            read.append(x.title)
            yield x

    assert next_wake(lazily(), T0, ON).plan.title == "A webinar" and read == ["A webinar"]


def test_wake_settings_parse_and_check():
    s, warnings = parse_settings({"wake": {"enabled": False, "minutes_before": 10}})
    assert s.wake == WakeSettings(enabled=False, minutes_before=10) and warnings == []
    assert Settings().wake == WakeSettings(enabled=True, minutes_before=3)
    with pytest.raises(ConfigError, match=r"c.toml: key 'wake.minutes_before' must be a whole number from 1 to 60"):
        parse_settings({"wake": {"minutes_before": 0}}, "c.toml")
    with pytest.raises(ConfigError, match=r"key 'wake.enabled' must be true or false, got 'yes'"):
        parse_settings({"wake": {"enabled": "yes"}})
