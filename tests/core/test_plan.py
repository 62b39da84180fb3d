"""The planner, table-driven with a fixed `now` and hand-built events."""

from dataclasses import replace
from datetime import timedelta

import pytest

from tests.fakes import T0, event
from webinar_tray.core.events import plan_id
from webinar_tray.core.plan import plan, plan_event
from webinar_tray.core.settings import MatchSettings, Settings

S = Settings()
NOW = T0
IN_1H = T0 + timedelta(hours=1)


def one(ev, settings=S, overrides=None, now=NOW):
    out = plan([ev], settings, overrides or {}, now)
    assert len(out) == 1, out
    return out[0]


def test_lead_grace_and_the_contract_id():
    p = one(event(start=IN_1H, minutes=60))
    assert p.auto_join and p.reason is None
    assert p.join_at == IN_1H - timedelta(seconds=60)
    assert p.leave_at == IN_1H + timedelta(minutes=60, seconds=300)
    assert p.id == f"cal@example.com/{p.event_id}/20261125T100000Z" == plan_id(p.calendar_id, p.event_id, p.start)
    assert p.provider == "BrightTALK"


@pytest.mark.parametrize("kw, reason", [
    (dict(status="cancelled"), "cancelled"),
    (dict(response="declined"), "declined"),
    (dict(all_day=True), "all-day"),
    (dict(url=None, location="BrightTALK"), "no-link"),
    (dict(url=None, description="Join: javascript:alert(1) or file:///etc/passwd", location="BrightTALK"), "unsafe-link"),
    (dict(title="Weekly sync", url="https://meet.google.com/abc-defg-hij"), "no-rule"),
    (dict(title="Vendor webinar", url="https://events.unknown-vendor.example/live/1"), "unknown-host"),
])
def test_reasons_for_not_joining(kw, reason):
    p = one(event(start=IN_1H, **kw))
    assert (p.auto_join, p.reason, p.join_at) == (False, reason, None)


@pytest.mark.parametrize("url, provider", [
    # a catalogue site, but not one of its join paths: named, never auto-joined
    ("https://www.youtube.com/redirect?q=https%3A%2F%2Fevil.example%2F", None),  # unwrapped: evil
    ("https://www.on24.com/blog/x", "ON24"),
    ("https://www.brighttalk.com/channel/288/", "BrightTALK"),
    ("https://us02web.zoom.us/u/kdXyZ12", "Zoom"),
    ("https://whereby.com/information/pricing", "Whereby"),
    # a redirector that cannot be unwrapped offline
    ("https://lnkd.in/eAbCdEf", None),
    ("https://nam12.safelinks.protection.outlook.com/?data=x", None),
])
def test_only_join_paths_auto_join(url, provider):
    p = one(event(title="Vendor webinar", start=IN_1H, url=url))
    assert (p.auto_join, p.reason, p.provider) == (False, "unknown-host", provider)


@pytest.mark.parametrize("url", [
    "https://www.youtube.com/redirect?q=https%3A%2F%2Fevent.on24.com%2Fwcc%2Fr%2F1%2FAB",
    "https://www.linkedin.com/redir/redirect?url=https%3A%2F%2Fus02web.zoom.us%2Fw%2F8123",
    "https://l.facebook.com/l.php?u=https%3A%2F%2Fwww.airmeet.com%2Fe%2F0f1e&h=x",
    "https://slack-redir.net/link?url=https%3A%2F%2Fapp.livestorm.co%2Fp%2F0f1e%2Flive",
])
def test_a_wrapped_join_link_is_unwrapped_and_auto_joins(url):
    p = one(event(title="Vendor webinar", start=IN_1H, url=url))
    assert p.auto_join and "redirect" not in p.join_url and "l.php" not in p.join_url


def test_allowed_hosts_let_a_site_page_auto_join_but_never_a_wrapper():
    s = replace(S, join=replace(S.join, allowed_hosts=("on24.com", "lnkd.in")))
    assert one(event(title="Vendor webinar", start=IN_1H, url="https://www.on24.com/blog/x"), s).auto_join
    p = one(event(title="Vendor webinar", start=IN_1H, url="https://lnkd.in/eAbCdEf"), s)
    assert (p.auto_join, p.reason) == (False, "unknown-host")
    key = f"cal@example.com/{p.event_id}"
    p = one(event(title="Vendor webinar", start=IN_1H, url="https://lnkd.in/eAbCdEf"), s, {key: True})
    assert (p.auto_join, p.reason) == (False, "unknown-host")


def test_facetime_is_named_but_never_auto_joined():
    """FaceTime has no browser client: not by rule, allowed host or the user's override."""
    url = "https://facetime.apple.com/join#v=1&p=AbCd&k=EfGh"
    s = replace(S, join=replace(S.join, allowed_hosts=("facetime.apple.com",)))
    p = one(event(title="Vendor webinar", start=IN_1H, url=url), s)
    assert (p.auto_join, p.reason, p.provider, p.join_url) == (False, "unknown-host", "FaceTime", url)
    key = f"cal@example.com/{p.event_id}"
    assert one(event(title="Vendor webinar", start=IN_1H, url=url), s, {key: True}).auto_join is False
    zoom = one(event(title="Vendor webinar", start=IN_1H, url="https://us02web.zoom.us/w/81234567890"))
    assert zoom.auto_join  # every other row still joins


def test_allowed_hosts_let_an_unknown_host_auto_join():
    s = replace(S, join=replace(S.join, allowed_hosts=("unknown-vendor.example",)))
    p = one(event(title="Vendor webinar", start=IN_1H, url="https://events.unknown-vendor.example/live/1"), s)
    assert p.auto_join


def test_catalogue_webinar_kind_makes_an_event_a_webinar():
    p = one(event(title="Quarterly update", start=IN_1H, url="https://event.on24.com/wcc/r/4012345/ABCDEF"))
    assert p.auto_join and p.is_webinar and p.provider


def test_overrides_turn_off_and_on():
    ev = event(title="Weekly sync", start=IN_1H, url="https://meet.google.com/abc-defg-hij")
    key = f"{ev.calendar_id}/{ev.event_id}"
    assert one(ev, overrides={key: True}).auto_join
    web = event(start=IN_1H)
    assert one(web, overrides={f"{web.calendar_id}/{web.event_id}": False}).reason == "turned-off"


def test_override_on_does_not_open_an_unsafe_or_cancelled_event():
    ev = event(start=IN_1H, status="cancelled")
    assert one(ev, overrides={f"{ev.calendar_id}/{ev.event_id}": True}).reason == "cancelled"


@pytest.mark.parametrize("late_join, minutes_in, auto", [
    (True, 20, True), (False, 20, False), (False, 1, True),
])
def test_late_join(late_join, minutes_in, auto):
    s = replace(S, join=replace(S.join, late_join=late_join))
    p = one(event(start=NOW - timedelta(minutes=minutes_in)), s)
    assert p.auto_join is auto
    if not auto:
        assert p.reason == "ended"


def test_window_running_now_to_lookahead_soonest_first():
    evs = [
        event("Later webinar", start=T0 + timedelta(hours=47)),
        event("Ended webinar", start=T0 - timedelta(hours=2)),
        event("Too far webinar", start=T0 + timedelta(hours=49)),
        event("Running webinar", start=T0 - timedelta(minutes=10)),
        event("Soon webinar", start=T0 + timedelta(minutes=10)),
        event("No link, no rule", url=None, start=IN_1H),
    ]
    assert [p.title for p in plan(evs, S, {}, NOW)] == ["Running webinar", "Soon webinar", "Later webinar"]


def test_planning_twice_gives_the_same_plan():
    evs = [event(f"W{i} webinar", start=T0 + timedelta(hours=i), event_id=f"e{i}") for i in range(5)]
    assert plan(evs, S, {}, NOW) == plan(list(reversed(evs)), S, {}, NOW)


def test_a_moved_event_gets_a_new_id_but_keeps_its_override_key():
    a = event(start=IN_1H)
    b = event(start=IN_1H + timedelta(hours=1))
    pa, pb = one(a), one(b)
    assert pa.id != pb.id and (pa.calendar_id, pa.event_id) == (pb.calendar_id, pb.event_id)


@pytest.mark.parametrize("match, kw, rule", [
    (MatchSettings(), dict(title="ISC2 WEBINAR: AI"), True),
    (MatchSettings(), dict(title="Talk", location="On BrightTALK"), True),
    (MatchSettings(keywords=(), locations=(), organizers=("@isc2.org",)), dict(title="Talk", organizer="events@isc2.org"), True),
    (MatchSettings(keywords=(), locations=(), organizers=("boss@corp.example",)), dict(title="Talk", organizer="events@isc2.org"), False),
    (MatchSettings(keywords=(), locations=(), calendars=("webinars@group.calendar.google.com",)),
     dict(title="Talk", calendar_id="webinars@group.calendar.google.com"), True),
    (MatchSettings(keywords=(), locations=(), hosts=("meet.google.com",)), dict(title="Talk"), True),
    (MatchSettings(keywords=(), locations=()), dict(title="Talk"), False),
])
def test_match_rules(match, kw, rule):
    s = replace(S, match=match)
    ev = event(start=IN_1H, url="https://meet.google.com/abc-defg-hij", **kw)
    p = plan_event(ev, s, None, NOW)
    assert p.is_webinar is rule


def test_event_with_a_1mb_description_plans_quickly():
    desc = ("<p>lorem ipsum dolor sit amet</p> " * 40000)[:1_000_000] + " https://www.brighttalk.com/webcast/1/2"
    p = one(event(start=IN_1H, description=desc, url=None))
    assert p.join_url == "https://www.brighttalk.com/webcast/1/2" and p.provider == "BrightTALK"


def test_the_planner_builds_the_same_frozen_plan_as_the_dataclass():
    """plan._Unfrozen (the planner's quick constructor) must give what PlannedJoin(...) gives,
    field for field, and a plan that stays frozen; a field added to PlannedJoin and not to it
    fails here."""
    import dataclasses
    import inspect

    from webinar_tray.core.plan import PlannedJoin, _Unfrozen

    names = [f.name for f in dataclasses.fields(PlannedJoin)]
    assert list(inspect.signature(_Unfrozen).parameters) == names
    values = [f"v{i}" for i in range(len(names))]
    made, want = _Unfrozen(*values), PlannedJoin(*values)
    assert type(made) is PlannedJoin and made == want and hash(made) == hash(want)
    assert [getattr(made, n) for n in names] == values and repr(made) == repr(want)
    with pytest.raises(dataclasses.FrozenInstanceError):
        made.title = "changed"  # type: ignore[misc]
    assert dataclasses.replace(made, title="x").title == "x"


def test_instances_of_one_series_keep_their_own_choice_and_answer():
    """The planner judges a series once per batch (plan._Ctx.judged): an instance turned on or
    off, or declined, must still get its own reason."""
    evs = [event("Weekly sync", start=IN_1H + timedelta(days=i), url="https://meet.google.com/abc-defg-hij",
                 event_id=f"s{i}", response="declined" if i == 3 else "") for i in range(5)]
    overrides = {f"cal@example.com/s{i}": on for i, on in ((1, True), (2, False), (4, True))}
    s = replace(S, refresh=replace(S.refresh, lookahead_hours=24 * 7))
    got = [(p.event_id, p.auto_join, p.reason) for p in plan(evs, s, overrides, NOW)]
    assert got == [("s0", False, "no-rule"), ("s1", True, None), ("s2", False, "turned-off"),
                   ("s3", False, "declined"), ("s4", True, None)]


def test_equal_starts_in_other_offsets_plan_the_same_instants():
    """The planner shares its figures between events of one start or end object and between
    equal ones (plan._Ctx): an equal instant written in another offset gets the same times, as
    UTC instants (what the engine compares with its clock), and its start as written."""
    from datetime import timezone

    plus1 = timezone(timedelta(hours=1))
    a = event("A webinar", start=IN_1H, event_id="a")
    b = event("B webinar", start=IN_1H.astimezone(plus1), event_id="b")
    c = event("C webinar", start=IN_1H, event_id="c")  # a's start and end again, other objects
    c = replace(c, start=a.start + timedelta(0), end=a.end + timedelta(0))
    got = plan([a, b, c, a], S, {}, NOW)
    assert [p.event_id for p in got] == ["a", "b", "c"]
    assert got == [plan_event(e, S, None, NOW) for e in (a, b, c)]
    assert [(p.join_at.isoformat(), p.leave_at.isoformat()) for p in got] == [
        ("2026-11-25T09:59:00+00:00", "2026-11-25T11:05:00+00:00")] * 3
    assert got[1].start.isoformat() == "2026-11-25T11:00:00+01:00"


def test_the_two_sessions_of_a_fall_back_hour_keep_their_own_utc_ids():
    """01:30 on the night New York falls back is two instants (EDT, then EST: `fold`), equal as
    wall times in one zone and so equal to Python's `==`; each plan id names its own UTC start."""
    from datetime import datetime, timezone
    from zoneinfo import ZoneInfo

    ny = ZoneInfo("America/New_York")
    first = datetime(2026, 11, 1, 1, 30, tzinfo=ny)  # EDT, 05:30 UTC
    second = first.replace(fold=1)  # EST, 06:30 UTC
    assert first == second  # what a memo keyed by the datetime would confuse
    evs = [event(start=first, event_id="a"), event(start=second, event_id="b")]
    out = plan(evs, S, {}, first - timedelta(hours=2))
    ids = {p.event_id: p.id for p in out}
    assert ids == {"a": plan_id("cal@example.com", "a", first), "b": plan_id("cal@example.com", "b", second)}
    assert ids["a"].endswith("/20261101T053000Z") and ids["b"].endswith("/20261101T063000Z")
    by_id = {p.event_id: p for p in out}
    assert by_id["b"].join_at == datetime(2026, 11, 1, 6, 29, tzinfo=timezone.utc)
    assert by_id["a"].join_at.timestamp() + 3600 == by_id["b"].join_at.timestamp()


def test_a_session_just_after_spring_forward_joins_at_its_lead_in_real_time():
    """03:00 on the morning New York springs forward (07:00 UTC): 60 s before is 06:59 UTC. As
    wall time, 02:59 does not exist that day and reads as 07:59 UTC, an hour late."""
    from datetime import datetime, timezone
    from zoneinfo import ZoneInfo

    start = datetime(2027, 3, 14, 3, 0, tzinfo=ZoneInfo("America/New_York"))
    p = one(event(start=start, minutes=60), now=start - timedelta(hours=3))
    assert p.join_at == datetime(2027, 3, 14, 6, 59, tzinfo=timezone.utc)
    assert p.leave_at == datetime(2027, 3, 14, 8, 5, tzinfo=timezone.utc)  # end + 300 s grace
    assert p.join_at.astimezone(ZoneInfo("America/New_York")).hour == 1  # 01:59 EST
