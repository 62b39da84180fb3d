"""Properties of the planner (core.plan.plan) over random events: never raises; what it plans to
open is a safe http(s) link; ids are unique and stable; the plan is sorted. The incremental
planner (core.planner) and the due check fed from it decide as a full rebuild does, through
random edits of events, settings and choices while now moves."""

from __future__ import annotations

import json
from dataclasses import replace
from datetime import timedelta

from hypothesis import event, given
from hypothesis import strategies as st

from tests.fakes import T0
from tests.property.strategies import hostile_text, link_text
from webinar_tray.core.events import CalendarEvent, override_key
from webinar_tray.core.links import is_safe
from webinar_tray.core.plan import plan, plan_event
from webinar_tray.core.planner import Planner
from webinar_tray.core.schedule import Missed, Remind, Start, due, next_deadline, reach, wanted
from webinar_tray.core.settings import JoinSettings, MatchSettings, NotificationSettings, Settings
from webinar_tray.output import rows_json


@st.composite
def events(draw):
    start = T0 + timedelta(minutes=draw(st.integers(min_value=-60 * 50, max_value=60 * 50)))
    length = timedelta(minutes=draw(st.integers(min_value=1, max_value=60 * 30)))
    return CalendarEvent(
        calendar_id=draw(st.sampled_from(["primary", "work@example.com", "ics:0123abcd"])),
        event_id=draw(st.text(min_size=1, max_size=6)),
        title=draw(st.one_of(hostile_text, st.just("Quarterly webinar"))),
        start=start,
        end=start + length,
        all_day=draw(st.booleans()),
        location=draw(st.one_of(st.just(""), st.just("BrightTALK"), link_text)),
        description=draw(st.one_of(link_text, st.sampled_from([
            "https://www.brighttalk.com/webcast/288/1", "https://us02web.zoom.us/j/1?pwd=x",
            "https://www.youtube.com/redirect?q=https%3A%2F%2Fevil.example%2F", "javascript:alert(1)"]))),
        organizer=draw(st.sampled_from(["", "events@isc2.org", "x@evil.example"])),
        conference_links=tuple(draw(st.lists(link_text, max_size=2))),
        hangout_link=draw(st.one_of(st.just(""), link_text)),
        status=draw(st.sampled_from(["confirmed", "tentative", "cancelled"])),
        response=draw(st.sampled_from(["", "accepted", "declined", "needsAction"])),
    )


settings_ = st.builds(
    Settings,
    match=st.builds(MatchSettings, hosts=st.lists(st.sampled_from(["evil.example", "x.example"]), max_size=2)
                    .map(tuple), organizers=st.just(("@isc2.org",))),
    join=st.builds(JoinSettings, late_join=st.booleans(),
                   allowed_hosts=st.lists(st.sampled_from(["evil.example", "127.0.0.1"]), max_size=2).map(tuple)),
)


@given(st.lists(events(), max_size=12), settings_, st.data())
def test_the_planner_never_raises_and_only_opens_safe_links(evs, settings, data):
    overrides = {override_key(e.calendar_id, e.event_id): data.draw(st.booleans()) for e in evs[:3]}
    planned = plan(evs, settings, overrides, T0)
    assert plan(evs, settings, overrides, T0) == planned, "pure: the same plan again"
    assert len({p.id for p in planned}) == len(planned)
    assert [p.start for p in planned] == sorted(p.start for p in planned)
    for p in planned:
        assert p.end > T0
        assert p.join_url is None or is_safe(p.join_url)
        if p.auto_join:
            assert p.join_url is not None and p.reason is None and p.join_at is not None
        else:
            assert p.reason and p.join_at is None


# ---- the incremental planner (core/planner) against a full rebuild -----------------------------

SOURCES = ["google:a", "ics:b", "ics:c"]
LINKS = ["https://www.brighttalk.com/webcast/288/1", "https://us02web.zoom.us/j/1?pwd=x",
         "https://meet.google.com/abc-defg-hij", "https://evil.example/w", "javascript:alert(1)",
         "https://www.youtube.com/redirect?q=https%3A%2F%2Fevil.example%2F", ""]


@st.composite
def close_events(draw):
    """Events that collide: few ids and calendars, starts on a coarse grid around T0, lengths up
    to two days (long ones too), so duplicates, series and running events are common."""
    start = T0 + timedelta(minutes=15 * draw(st.integers(min_value=-4 * 4, max_value=8 * 4)))
    length = draw(st.sampled_from([timedelta(minutes=m) for m in (1, 30, 45, 60, 60, 3 * 60, 7 * 60, 2 * 24 * 60)]))
    return CalendarEvent(
        calendar_id=draw(st.sampled_from(["primary", "ics:0123abcd"])),
        event_id=draw(st.sampled_from(["e1", "e2", "e3", "e4", "e5", "e6"])),
        title=draw(st.sampled_from(["Quarterly webinar", "Sync", "Webinar: AI", "Think Tank"])),
        start=start, end=start + length,
        all_day=draw(st.sampled_from([False, False, False, True])),
        description=draw(st.sampled_from(LINKS)),
        organizer=draw(st.sampled_from(["", "events@isc2.org"])),
        status=draw(st.sampled_from(["confirmed", "confirmed", "cancelled"])),
        response=draw(st.sampled_from(["", "accepted", "declined"])),
    )


close_settings = st.builds(
    Settings,
    match=st.builds(MatchSettings, hosts=st.sampled_from([(), ("evil.example",)]),
                    organizers=st.just(("@isc2.org",))),
    join=st.builds(JoinSettings, late_join=st.sampled_from([False, False, True]), lead_seconds=st.sampled_from([0, 60, 600]),
                   allowed_hosts=st.sampled_from([(), ("evil.example",)])),
    notifications=st.builds(NotificationSettings, enabled=st.booleans(),
                            remind_minutes=st.sampled_from([1, 5, 30])),
)

edits = st.one_of(
    st.tuples(st.just("source"), st.sampled_from(SOURCES), st.lists(close_events(), max_size=8)),
    st.tuples(st.just("add"), st.sampled_from(SOURCES), close_events()),
    st.tuples(st.just("remove"), st.sampled_from(SOURCES), st.integers(0, 7)),
    st.tuples(st.just("change"), st.sampled_from(SOURCES), st.integers(0, 7), close_events()),
    st.tuples(st.just("drop"), st.sets(st.sampled_from(SOURCES))),
    st.tuples(st.just("settings"), close_settings),
    st.tuples(st.just("override"), st.sampled_from(["primary/e1", "primary/e2", "ics:0123abcd/e3"]),
              st.sampled_from([True, False, None])),
    st.tuples(st.just("now"), st.sampled_from([-10, 1, 3, 7, 14, 30, 60, 180, 600])),
)


class _Model:
    """What the engine used to do: every source's list, planned whole on each question."""

    def __init__(self, settings):
        self.sources: dict[str, list] = {}
        self.ranks: list[str] = []
        self.settings, self.overrides = settings, {}

    def events(self):
        out = []
        for s in self.ranks:
            by_key = {}
            for e in self.sources.get(s, []):
                by_key[(e.calendar_id, e.event_id, e.start)] = e
            out += by_key.values()
        return out


def _apply(edit, model: _Model, planner: Planner, now):
    kind, *args = edit
    if kind in ("source", "add", "remove", "change"):
        src, evs = args[0], list(model.sources.get(args[0], []))
        if kind == "source":
            evs = args[1]
        elif kind == "add":
            evs.append(args[1])
        elif evs and kind == "remove":
            del evs[args[1] % len(evs)]
        elif evs and kind == "change":
            evs[args[1] % len(evs)] = args[2]
        model.sources[src] = evs
        if src not in model.ranks:
            model.ranks.append(src)
        planner.set_source(src, evs)
    elif kind == "drop":
        model.sources = {s: v for s, v in model.sources.items() if s in args[0]}
        planner.drop_sources_except(args[0])
    elif kind == "settings":
        model.settings = args[0]
        planner.set_settings(args[0])
    elif kind == "override":
        if args[1] is None:
            model.overrides.pop(args[0], None)
        else:
            model.overrides[args[0]] = args[1]
        planner.set_override(args[0], args[1])
    elif kind == "now":
        now += timedelta(minutes=args[0])
    return now


first = st.lists(st.tuples(st.just("source"), st.sampled_from(SOURCES),
                          st.lists(close_events(), min_size=2, max_size=12)), min_size=1, max_size=3)


@given(close_settings, first, st.lists(edits, min_size=1, max_size=25), st.data())
def test_the_incremental_planner_plans_as_a_full_rebuild(settings, start, steps, data):
    model, planner = _Model(settings), Planner(settings, known_since=T0 - timedelta(hours=3))
    now, states, reminded = T0, {}, set()
    for edit in start + steps:
        now = _apply(edit, model, planner, now)
        evs = model.events()
        assert planner.events() == evs
        full = plan(evs, model.settings, model.overrides, now)
        assert planner.plan(now) == full, edit
        some = planner.plan(now, wanted=True)  # a part of the plan, every wanted item in it
        ids = {p.id for p in some}
        assert some == [p for p in full if p.id in ids] and all(p.id in ids for p in full if wanted(p))
        assert list(planner.upcoming(now, wanted=False)) == full
        # the due check: the near part and the ended auto-joins give the same decisions
        active = {p.id for p in full if data.draw(st.integers(0, 9)) == 0}
        kw = dict(reminded=reminded, active=active)
        slow = due(full, states, now, model.settings, events=evs, overrides=model.overrides,
                   known_since=planner.known_since, **kw)
        near = planner.plan(now, until=now + reach(model.settings) + timedelta(seconds=1), wanted=True)
        fast = due(near, states, now, model.settings, ended=planner.ended(now), **kw)
        assert fast == slow, edit
        assert next_deadline(planner.upcoming(now), states, now, model.settings, ordered=True, **kw) \
            == next_deadline(full, states, now, model.settings, **kw), edit
        event(f"missed {sum(isinstance(d, Missed) for d in fast) > 0}, planned {len(full) > 2}")
        for d in fast:  # carried out: a record, or a reminder said
            if isinstance(d, (Missed, Start)):
                states[d.plan.id] = "missed" if isinstance(d, Missed) else "joining"
                planner.settle(d.plan.id)
            elif isinstance(d, Remind):
                reminded.add(d.plan.id)
        for p in planner.ended(now):
            if p.id in states:
                planner.settle(p.id)


# What the planner reads of an event, a few values each.
SERIES_FIELDS = dict(
    calendar_id=["primary", "ics:0123abcd"], title=["Quarterly webinar", "Sync", "SYNC"],
    all_day=[False, True], location=["", "BrightTALK", "https://evil.example/w"], description=LINKS,
    organizer=["", "events@isc2.org"], conference_links=[(), ("https://meet.google.com/abc-defg-hij",)],
    hangout_link=["", "https://us02web.zoom.us/j/1"], status=["confirmed", "cancelled"],
    response=["", "declined"],
)


@st.composite
def series(draw):
    """Instances of a few series, each differing from its series in at most one field (and in
    its id and times): what the planner's per-batch memo (plan._Ctx.judged) tells apart."""
    bases = draw(st.lists(st.fixed_dictionaries({k: st.sampled_from(v) for k, v in SERIES_FIELDS.items()}),
                          min_size=1, max_size=2))
    out = []
    for _ in range(draw(st.integers(0, 16))):
        fields = dict(draw(st.sampled_from(bases)))
        changed = draw(st.sampled_from([None, *SERIES_FIELDS]))
        if changed:
            fields[changed] = draw(st.sampled_from(SERIES_FIELDS[changed]))
        start = T0 + timedelta(minutes=30 * draw(st.integers(min_value=-4, max_value=8)))
        out.append(CalendarEvent(event_id=draw(st.sampled_from(["e1", "e2", "e3", "e4"])), start=start,
                                 end=start + timedelta(minutes=draw(st.sampled_from([1, 60, 300]))), **fields))
    return out


@given(series(), close_settings,
       st.dictionaries(st.sampled_from([f"{c}/e{i}" for c in ("primary", "ics:0123abcd") for i in range(1, 5)]),
                       st.booleans()),
       st.sampled_from([-60, 0, 1, 3, 90]), st.sampled_from([(), ("primary",)]))
def test_the_plan_of_a_batch_is_each_event_planned_alone(evs, settings, overrides, minutes, calendars):
    """plan() judges the events that share their texts, rule inputs and choice once per batch:
    the plan must be what planning every event on its own (a fresh memo each) gives."""
    settings = replace(settings, match=replace(settings.match, calendars=calendars))
    now = T0 + timedelta(minutes=minutes)
    horizon = now + timedelta(hours=settings.refresh.lookahead_hours)
    alone: dict[str, object] = {}
    for e in evs:
        if e.end > now and e.start < horizon:
            p = plan_event(e, settings, overrides.get(override_key(e.calendar_id, e.event_id)), now)
            if p is not None:
                alone.setdefault(p.id, p)
    want = sorted(alone.values(), key=lambda p: (p.start, p.title, p.id))
    assert plan(evs, settings, overrides, now) == want


@given(st.lists(st.dictionaries(st.sampled_from(["id", "title", "auto_join", "reason", "x"]),
                                st.one_of(hostile_text, st.none(), st.booleans()), max_size=5), max_size=4))
def test_plan_rows_are_written_as_json_dumps_writes_them(rows):
    assert rows_json(rows) == json.dumps(rows, indent=2, ensure_ascii=False)

