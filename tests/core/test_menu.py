"""The tray menu as data, table-driven with a fixed `now` and hand-built plans."""

from __future__ import annotations

import random
from datetime import date, datetime, timedelta, timezone
from zoneinfo import ZoneInfo

import pytest

from tests.fakes import T0, event
from webinar_tray.core.events import plan_id
from webinar_tray.core.menu import (
    ICON_STATES, Attending, Failure, MenuItem, MenuState, TrayStatus, menu_state,
)
from webinar_tray.core.menu_text import TITLE_MAX, clean_text, countdown_text, day_label, utf16_len
from webinar_tray.core.plan import PlannedJoin, plan
from webinar_tray.core.settings import Settings
import webinar_tray.core.commands as K

NOW = T0  # 2026-11-25 09:00 UTC, a Wednesday
UTC = timezone.utc
TOOLTIP_MAX = 127  # Windows' limit (UTF-16 units), not the module's constant: a test of it


def pj(title="ISC2 Think Tank webinar", at=60, minutes=60, *, eid=None, cal="cal@example.com",
       url="https://www.brighttalk.com/webcast/5385/612345", auto=True, reason=None,
       provider="BrightTALK", webinar=True, now=NOW) -> PlannedJoin:
    """A planned join starting `at` minutes after `now`."""
    start = now + timedelta(minutes=at)
    end = start + timedelta(minutes=minutes)
    eid = eid or "ev-" + "".join(c for c in title.lower() if c.isalnum())[:20] + f"-{at}"
    if url is None:
        reason, auto = reason or "no-link", False
    return PlannedJoin(
        id=plan_id(cal, eid, start), calendar_id=cal, event_id=eid, title=title, start=start,
        end=end, join_url=url, provider=provider, auto_join=auto, reason=None if auto else reason,
        join_at=start - timedelta(seconds=60) if auto else None, leave_at=end + timedelta(minutes=5),
        is_webinar=webinar,
    )


def state(plan_, status=None, now=NOW, tz=UTC, **kw) -> MenuState:
    return menu_state(plan_, status or TrayStatus(), now, tz, **kw)


def texts(items) -> list[str]:
    return [i.text for i in items if not i.separator]


def top(ms: MenuState, prefix: str) -> MenuItem:
    hits = [i for i in ms.items if i.text.startswith(prefix)]
    assert len(hits) == 1, (prefix, texts(ms.items))
    return hits[0]


def session_rows(ms: MenuState) -> list[MenuItem]:
    """The per-session items (the ones with the Join/Leave submenu), wherever they are."""
    return [i for i in ms.walk() if i.submenu and any(
        isinstance(s.command, (K.JoinNow, K.Leave)) for s in i.submenu)]


def session_ids(ms: MenuState) -> list[str]:
    out = []
    for row in session_rows(ms):
        ids = {s.command.id for s in row.submenu if isinstance(s.command, (K.JoinNow, K.Leave))}
        assert len(ids) == 1
        out.extend(ids)
    return out


# --- text helpers --------------------------------------------------------------------------------

@pytest.mark.parametrize("delta, text", [
    (timedelta(hours=2, minutes=5), "in 2 h 05 min"),
    (timedelta(hours=2, minutes=4, seconds=1), "in 2 h 05 min"),  # minutes round up
    (timedelta(minutes=4), "in 4 min"),
    (timedelta(seconds=20), "in 1 min"),
    (timedelta(0), "now"),
    (timedelta(minutes=-3), "now"),
    (timedelta(hours=1), "in 1 h"),
    (timedelta(minutes=59, seconds=30), "in 1 h"),
    (timedelta(days=1, hours=3), "in 1 day 3 h"),
    (timedelta(days=1, hours=3, minutes=20), "in 1 day 3 h"),
    (timedelta(days=2), "in 2 days"),
    (timedelta(days=3, hours=1), "in 3 days 1 h"),
])
def test_countdown_text(delta, text):
    assert countdown_text(delta) == text


@pytest.mark.parametrize("d, label", [
    (date(2026, 11, 25), "Today"),
    (date(2026, 11, 26), "Tomorrow"),
    (date(2026, 11, 24), "Yesterday"),
    (date(2026, 11, 27), "Fri 27 Nov"),
    (date(2026, 12, 3), "Thu 3 Dec"),
    (date(2027, 1, 4), "Mon 4 Jan 2027"),
])
def test_day_label(d, label):
    assert day_label(d, date(2026, 11, 25)) == label


@pytest.mark.parametrize("raw, clean", [
    ("Line one\nline two\r\n\tend", "Line one line two end"),
    ("  lots   of    space ", "lots of space"),
    ("bell\x07 and nul\x00 here", "bell and nul here"),
    ("evil \u202eexe.txt", "evil exe.txt"),  # bidi override removed
    ("zero\u200bwidth", "zerowidth"),
    ("Café — Überblick 日本語 🎥", "Café — Überblick 日本語 🎥"),
    ("", ""),
    (None, ""),
])
def test_clean_text(raw, clean):
    assert clean_text(raw) == clean


def test_long_titles_are_cut_with_an_ellipsis_and_keep_combining_marks():
    long = "A" * 100
    assert clean_text(long) == "A" * (TITLE_MAX - 1) + "…"
    # "e" + combining acute straddling the cut: the pair goes together
    t = "x" * (TITLE_MAX - 2) + "e\u0301" + "tail"
    out = clean_text(t)
    assert len(out) <= TITLE_MAX and out.endswith("…") and not out[:-1].endswith("e")
    # words: the space before the cut is not kept before the ellipsis
    assert not clean_text("word " * 30).endswith(" …")


# --- headers, icons and the default item -------------------------------------------------------

def test_empty_plan():
    ms = state([])
    assert ms.icon == "idle"
    assert ms.items[0] == MenuItem("No webinars in the next 48 h", enabled=False)
    assert ms.default.command == K.Refresh()
    assert ms.tooltip == "webinar-tray · No webinars in the next 48 h"
    assert not session_rows(ms)
    assert "More…" not in " ".join(texts(ms.items))
    assert state([], lookahead_hours=24).items[0].text == "No webinars in the next 24 h"


def test_one_soon():
    p = pj("Cloud security webinar", at=4)
    ms = state([p])
    assert ms.icon == "soon"
    head = ms.items[0]
    assert head.text == "Next: Cloud security webinar — in 4 min"
    assert head.command == K.JoinNow(p.id) and head.default and head.enabled
    assert ms.default is head
    assert ms.tooltip == "webinar-tray · Next: Cloud security webinar — in 4 min"
    assert session_ids(ms) == [p.id]
    row = session_rows(ms)[0]
    assert row.text == "09:04 Cloud security webinar (BrightTALK)"
    assert [s.text for s in row.submenu] == [
        "Today 09:04–10:04", "Join now", "Auto-join", "Open in default browser", "Copy link"]
    assert [s.command for s in row.submenu] == [
        None, K.JoinNow(p.id), K.SetAutoJoin(p.calendar_id, p.event_id, False), K.OpenUrl(p.id),
        K.CopyLink(p.id)]
    assert row.submenu[2].checked is True


@pytest.mark.parametrize("at, remind, icon", [
    (4, 5, "soon"), (5, 5, "soon"), (6, 5, "idle"), (125, 5, "idle"), (30, 30, "soon"),
    (-10, 5, "soon"),  # running and nobody in it
    (1, 0, "idle"), (-1, 0, "soon"),
])
def test_soon_is_within_remind_minutes(at, remind, icon):
    assert state([pj(at=at)], remind_minutes=remind).icon == icon


def test_far_next_header_opens_its_page_and_is_the_default():
    p = pj(at=125)
    ms = state([p])
    assert ms.items[0] == MenuItem("Next: ISC2 Think Tank webinar — in 2 h 05 min", K.OpenUrl(p.id),
                                   default=True)
    assert ms.default is ms.items[0]
    no_link = state([pj(at=125, url=None)])
    assert no_link.items[0].enabled is False and no_link.default.command == K.Refresh()


def test_a_meeting_that_is_not_a_webinar_is_listed_but_not_next():
    m = pj("Weekly sync", at=3, url="https://meet.google.com/abc-defg-hij", auto=False,
           reason="no-rule", provider="Google Meet", webinar=False)
    w = pj(at=300)
    ms = state([m, w])
    assert ms.items[0].text == "Next: ISC2 Think Tank webinar — in 5 h"
    assert ms.icon == "idle"
    assert session_ids(ms) == [m.id, w.id]
    row = session_rows(ms)[0]
    auto = next(s for s in row.submenu if s.text.startswith("Auto-join"))
    assert (auto.text, auto.checked, auto.command) == (
        "Auto-join (off: not a webinar)", False, K.SetAutoJoin(m.calendar_id, m.event_id, True))


def test_a_turned_off_webinar_is_still_next_and_can_be_turned_on():
    p = pj(at=3, auto=False, reason="turned-off")
    ms = state([p])
    assert ms.icon == "soon" and ms.items[0].text.startswith("Next: ISC2")
    assert ms.find(K.SetAutoJoin(p.calendar_id, p.event_id, True)).text == "Auto-join (off: turned off)"


def test_a_started_session_says_since_when():
    ms = state([pj(at=-12)])
    assert ms.items[0].text == "Next: ISC2 Think Tank webinar — started 12 min ago"


def test_attending_two():
    a, b, c = pj("First webinar", at=-20), pj("Second webinar", at=-5), pj("Later webinar", at=90)
    status = TrayStatus(attending=(Attending(a.id, a.title, NOW - timedelta(minutes=12)),
                                   Attending(b.id, b.title, NOW - timedelta(minutes=65))))
    ms = state([a, b, c], status)
    assert ms.icon == "attending"
    assert [(i.text, i.command) for i in ms.items[:2]] == [
        ("Watching: First webinar (12 min) — Leave", K.Leave(a.id)),
        ("Watching: Second webinar (1 h 05 min) — Leave", K.Leave(b.id)),
    ]
    # the left click shows the page of the first; leaving is never the default
    assert ms.default.command == K.ShowPage(a.id) and ms.default.visible is False
    assert ms.items[3].text == "Next: Later webinar — in 1 h 30 min"
    assert not ms.items[3].default
    rows = {r.text: r for r in session_rows(ms)}
    assert "08:40 First webinar (BrightTALK) — watching" in rows
    sub = rows["08:40 First webinar (BrightTALK) — watching"].submenu
    assert K.Leave(a.id) in [s.command for s in sub] and K.JoinNow(a.id) not in [s.command for s in sub]
    assert ms.tooltip.startswith("webinar-tray · Watching: First webinar (12 min) +1 more · Next: Later")


def test_an_adhoc_attendance_not_in_the_plan():
    status = TrayStatus(attending=(Attending("adhoc/20261125T085000Z", "zoom.us/j/123", None),))
    ms = state([], status)
    assert ms.items[0] == MenuItem("Watching: zoom.us/j/123 — Leave", K.Leave("adhoc/20261125T085000Z"))
    assert ms.icon == "attending"
    assert "No webinars" not in " ".join(texts(ms.items))


def test_joining():
    p = pj(at=1)
    ms = state([p], TrayStatus(joining=frozenset({p.id})))
    assert ms.icon == "attending"
    assert ms.items[0] == MenuItem("Joining: ISC2 Think Tank webinar — Leave", K.Leave(p.id))
    assert ms.default.command == K.ShowPage(p.id)
    assert session_rows(ms)[0].text.endswith(" — joining")
    assert ms.tooltip == "webinar-tray · Joining: ISC2 Think Tank webinar"


def test_signin_needed():
    ms = state([pj(at=125)], TrayStatus(signin_needed=True, google=True))
    assert ms.icon == "attention"
    assert ms.find(K.SignIn()) is not None
    assert [i.text for i in ms.walk() if i.command == K.SignIn()] == [
        "Google sign-in needed — Sign in…", "Sign in…"]
    assert ms.tooltip.startswith("webinar-tray · Google sign-in needed · Next: ")


@pytest.mark.parametrize("google, account, signin_needed, item", [
    (True, None, False, ("Sign in…", K.SignIn())),
    (True, "ann@example.com", False, ("Sign out (ann@example.com)", K.SignOut())),
    (False, None, False, None),  # ICS only: nothing to sign in to
    (False, None, True, ("Sign in…", K.SignIn())),
])
def test_google_account_item(google, account, signin_needed, item):
    ms = state([], TrayStatus(google=google, account=account, signin_needed=signin_needed))
    found = [(i.text, i.command) for i in ms.items
             if i.command in (K.SignIn(), K.SignOut()) and not i.text.startswith("Google")]
    assert found == ([item] if item else [])


def test_a_failure_needs_attention():
    p = pj(at=-30)
    f = Failure("ISC2 Think Tank webinar", "registration form: no e-mail set", id=p.id)
    ms = state([p], TrayStatus(failures=(f,), states={p.id: "failed"}))
    assert ms.icon == "attention"
    assert ms.find(K.OpenHistory()).text == \
        "Failed: ISC2 Think Tank webinar — registration form: no e-mail set"
    row = session_rows(ms)[0]
    assert row.text.endswith(" — failed")
    assert [s.text for s in row.submenu if s.command == K.JoinNow(p.id)] == ["Join again"]
    assert "Failed: registration form: no e-mail set" in [s.text for s in row.submenu]
    assert "Failed: ISC2 Think Tank webinar" in ms.tooltip


@pytest.mark.parametrize("st, mark", [
    ("attended", " — attended"), ("partial", " — partly attended"), ("missed", " — missed"),
    ("failed", " — failed"), ("planned", ""), ("skipped", ""),
])
def test_state_marks(st, mark):
    p = pj(at=-30)
    row = session_rows(state([p], TrayStatus(states={p.id: st})))[0]
    assert row.text == "08:30 ISC2 Think Tank webinar (BrightTALK)" + mark


# --- refresh, toggles, the fixed part ----------------------------------------------------------

@pytest.mark.parametrize("status, line", [
    (TrayStatus(), "Not refreshed yet"),
    (TrayStatus(last_refresh=datetime(2026, 11, 25, 8, 5, tzinfo=UTC)), "Last refreshed 13:35"),
    (TrayStatus(refresh_error="timed out"), "Refresh failed: timed out"),
    (TrayStatus(refresh_error="HTTP 404 for https://calendar.google.com/calendar/ical/x/private-SECRET/basic.ics?k=1"),
     "Refresh failed: HTTP 404 for https://calendar.google.com/…"),
    (TrayStatus(refresh_error="GET https://h.example/feed.ics?token=hunter2 failed\nTraceback"),
     "Refresh failed: GET https://h.example/… failed Traceback"),
    (TrayStatus(refresh_error="connection refused: https://h.example"), "Refresh failed: connection refused: https://h.example"),
    (TrayStatus(refresh_error="E" * 200), "Refresh failed: " + "E" * 69 + "…"),
])
def test_refresh_line(status, line):
    ms = state([], status, tz=ZoneInfo("Asia/Kolkata"))
    i = [x.text for x in ms.items].index("Refresh now")
    assert ms.items[i].command == K.Refresh()
    assert ms.items[i + 1] == MenuItem(line, enabled=False)
    assert "hunter2" not in repr(ms) and "SECRET" not in repr(ms) and "k=1" not in repr(ms)


@pytest.mark.parametrize("headless, notifications, autostart", [
    (False, True, False), (True, False, True), (False, False, None),
])
def test_toggles(headless, notifications, autostart):
    ms = state([], TrayStatus(headless=headless, notifications=notifications, autostart=autostart))
    h = top(ms, "Headless")
    assert (h.checked, h.command) == (headless, K.SetSetting("join.headless", not headless))
    n = top(ms, "Notifications")
    assert (n.checked, n.command) == (notifications, K.SetSetting("notifications.enabled", not notifications))
    starts = [i for i in ms.items if i.text == "Start at login"]
    if autostart is None:
        assert not starts and not [c for c in ms.commands() if isinstance(c, K.SetAutostart)]
    else:
        assert (starts[0].checked, starts[0].command) == (autostart, K.SetAutostart(not autostart))


def test_the_fixed_items_and_their_order():
    ms = state([], TrayStatus(google=True, autostart=True))
    tail = [(i.text, i.command) for i in ms.items if not i.separator][-8:]
    assert tail == [
        ("Start at login", K.SetAutostart(False)),
        ("Sign in…", K.SignIn()),
        ("Set up…", K.OpenSetup()),
        ("Sign in to webinar sites…", K.BrowserProfile()),
        ("Open history", K.OpenHistory()),
        ("Open logs", K.OpenLogs()),
        ("Settings", K.OpenSettings()),
        ("Quit", K.Quit()),
    ]
    assert ms.items[-2].separator and not ms.items[0].separator
    # no two separators in a row, none at the ends
    seps = [i.separator for i in ms.items]
    assert not any(a and b for a, b in zip(seps, seps[1:])) and not seps[-1]


def test_demo():
    ms = state([], TrayStatus(demo=True))
    assert ms.items[0] == MenuItem("Demo calendar (records kept apart)", enabled=False)
    assert ms.tooltip.startswith("webinar-tray (demo) · ")


# --- links ---------------------------------------------------------------------------------------

@pytest.mark.parametrize("url", ["javascript:alert(1)", "file:///etc/passwd", "ftp://h.example/x",
                                 "https://user:pw@h.example/x"])
def test_non_http_link_is_never_opened(url):
    p = pj(at=60, url=url, auto=False, reason="unknown-host")
    ms = state([p])
    assert not [c for c in ms.commands() if isinstance(c, (K.JoinNow, K.OpenUrl, K.CopyLink, K.SetAutoJoin))]
    row = next(i for i in ms.walk() if i.text.startswith("10:00 "))
    assert [(s.text, s.enabled) for s in row.submenu[1:]] == [
        ("Join now (no safe link)", False), ("Auto-join (no safe link)", False),
        ("Open in default browser (no safe link)", False)]


@pytest.mark.parametrize("reason, text", [
    ("no-link", "Auto-join (no join link)"),
    ("unsafe-link", "Auto-join (no safe (http/https) link)"),
])
def test_no_safe_link(reason, text):
    p = pj(at=3, url=None, reason=reason)
    ms = state([p])
    sub = session_rows(ms)[0].submenu if session_rows(ms) else None
    assert sub is None  # no Join/Leave command: the row has nothing to join
    row = next(i for i in ms.walk() if i.text.startswith("09:03 "))
    assert [(s.text, s.enabled, s.command, s.checked) for s in row.submenu[1:3]] == [
        ("Join now (no safe link)", False, None, None), (text, False, None, False)]
    assert not [c for c in ms.commands() if isinstance(c, (K.JoinNow, K.OpenUrl, K.CopyLink, K.SetAutoJoin))]
    assert ms.default.command == K.Refresh()  # nothing to join on a left click


@pytest.mark.parametrize("reason", ["cancelled", "all-day", "ended"])
def test_auto_join_cannot_be_turned_on_for_fixed_reasons(reason):
    p = pj(at=30, auto=False, reason=reason)
    auto = next(i for i in state([p]).walk() if i.text.startswith("Auto-join"))
    assert not auto.enabled and auto.command is None and auto.checked is False


# --- many sessions -------------------------------------------------------------------------------

def week_of_webinars(n=50, now=NOW):
    rng = random.Random(5)
    out = []
    for k in range(n):
        at = 30 + k * (7 * 24 * 60 // n) + rng.randrange(0, 50)
        title = f"Webinar {k:02d} " + rng.choice(["", "on zero trust ", "x" * 120, "Ünïcödé 🎥 "]) + "end"
        out.append(pj(title, at=at, eid=f"ev{k:02d}", now=now))
    return sorted(out, key=lambda p: p.start)


def test_fifty_webinars_across_a_week():
    plan_ = week_of_webinars()
    ms = state(plan_, tz=ZoneInfo("Europe/Berlin"))
    more = top(ms, "More…")
    assert more.text == "More… (38)"
    direct = [i for i in ms.items if i in session_rows(ms)]
    assert len(direct) == 12
    # every id reachable exactly once, in plan order
    assert session_ids(ms) == [p.id for p in plan_]
    # day headers inside "More…" too, and in order
    labels = [i.text for i in more.submenu if not i.enabled and not i.submenu]
    assert labels and labels[0] in ("Today", "Tomorrow") or labels[0][:3] in ("Mon", "Tue", "Wed", "Thu", "Fri", "Sat", "Sun")
    assert len(labels) == len(set(labels))
    for row in session_rows(ms):
        title = row.text[6:].rsplit(" (BrightTALK)", 1)[0]
        assert len(title) <= TITLE_MAX
        assert row.text.endswith(" (BrightTALK)")
    assert any(r.text.endswith("… (BrightTALK)") for r in session_rows(ms))
    assert utf16_len(ms.tooltip) <= TOOLTIP_MAX
    # the whole menu stays a readable size
    assert len(ms.items) < 40


def test_direct_max_is_adjustable_and_none_is_lost():
    plan_ = week_of_webinars(20)
    ms = state(plan_, direct_max=5)
    assert top(ms, "More…").text == "More… (15)"
    assert sorted(session_ids(ms)) == sorted(p.id for p in plan_)
    ms = state(plan_, direct_max=20)
    assert not [i for i in ms.items if i.text.startswith("More…")]


def test_hundreds_of_sessions_are_counted_not_listed():
    plan_ = [pj(f"W {k}", at=10 + k, eid=f"e{k}") for k in range(150)]
    ms = state(plan_)
    more = top(ms, "More…")
    assert len(session_ids(ms)) == 112
    assert more.submenu[-1] == MenuItem("38 more not shown (see `webinar-tray list`)", enabled=False)


# --- tooltip ---------------------------------------------------------------------------------------

def _random_title(rng: random.Random) -> str:
    pieces = ["Webinar", "🎥", "日本語の説明会", "e\u0301", "\n", "\t", "\u202e", "A" * 200, " ",
              "Zero Trust", "—", "&", "\U0001F468\u200d\U0001F469\u200d\U0001F467", "\ud800"]
    return "".join(rng.choice(pieces) for _ in range(rng.randrange(0, 40)))


def test_tooltip_fits_windows_always():
    rng = random.Random(7)
    for k in range(400):
        title = _random_title(rng)
        p = pj(title, at=rng.randrange(-30, 3000))
        status = TrayStatus(
            attending=(Attending("adhoc/x", _random_title(rng), NOW),) if k % 3 == 0 else (),
            signin_needed=k % 5 == 0, demo=k % 2 == 0,
            failures=(Failure(_random_title(rng), "x"),) if k % 7 == 0 else (),
        )
        ms = state([p], status, tz=ZoneInfo("America/New_York"))
        assert utf16_len(ms.tooltip) <= TOOLTIP_MAX, ms.tooltip
        assert "\n" not in ms.tooltip and "\u202e" not in ms.tooltip
        assert ms.tooltip.startswith("webinar-tray")
        if not status.attending:
            # titles give way first: the countdown survives
            assert ms.tooltip.endswith(("min", " h", "now", "ago", "day", "days")), ms.tooltip
        for row in session_rows(ms):
            assert "\n" not in row.text and "\t" not in row.text


def test_tooltip_cut_cleanly():
    ms = state([pj("W" * 300, at=10)], TrayStatus(attending=(Attending("adhoc/a", "A" * 300, NOW),),
                                                 failures=(Failure("F" * 300),), demo=True))
    assert utf16_len(ms.tooltip) <= TOOLTIP_MAX
    assert ms.tooltip.count("…") >= 2
    assert "  " not in ms.tooltip


# --- time zones ------------------------------------------------------------------------------------

def _rows_by_day(ms: MenuState) -> dict[str, list[str]]:
    out, day = {}, None
    for i in ms.items:
        if not i.enabled and not i.submenu and i.text in ("Today", "Tomorrow", "Yesterday") \
                or (not i.enabled and i.text[:3] in ("Mon", "Tue", "Wed", "Thu", "Fri", "Sat", "Sun")):
            day = i.text
            out[day] = []
        elif i.submenu and day:
            out[day].append(i.text)
    return out


def test_days_across_midnight_in_kolkata():
    # 09:00 UTC = 14:30 IST; 18:00 UTC = 23:30 IST (today); 19:00 UTC = 00:30 IST (tomorrow)
    a = pj("Late one", at=9 * 60)
    b = pj("After midnight", at=10 * 60)
    ms = state([a, b], tz=ZoneInfo("Asia/Kolkata"))
    assert _rows_by_day(ms) == {
        "Today": ["23:30 Late one (BrightTALK)"],
        "Tomorrow": ["00:30 After midnight (BrightTALK)"],
    }
    # the same plan in UTC is all today
    assert _rows_by_day(state([a, b], tz=UTC)) == {
        "Today": ["18:00 Late one (BrightTALK)", "19:00 After midnight (BrightTALK)"]}


def test_days_across_the_dst_change_in_new_york():
    ny = ZoneInfo("America/New_York")
    now = datetime(2026, 10, 31, 12, 0, tzinfo=UTC)  # Sat 08:00 EDT; DST ends Sun 1 Nov 02:00
    plan_ = [
        pj("Sat late", at=(15 * 60 + 30), now=now),             # 03:30 UTC = Sat 23:30 EDT
        pj("Sun early", at=(16 * 60 + 30), now=now),            # 04:30 UTC = Sun 00:30 EDT
        pj("Sun late", at=(40 * 60 + 30), now=now),             # Mon 04:30 UTC = Sun 23:30 EST
        pj("Mon early", at=(41 * 60 + 30), now=now),            # Mon 05:30 UTC = Mon 00:30 EST
    ]
    ms = state(plan_, now=now, tz=ny)
    assert _rows_by_day(ms) == {
        "Today": ["23:30 Sat late (BrightTALK)"],
        "Tomorrow": ["00:30 Sun early (BrightTALK)", "23:30 Sun late (BrightTALK)"],
        "Mon 2 Nov": ["00:30 Mon early (BrightTALK)"],
    }
    # tz=None: the system's own rules per instant (the renderer's choice); equal under TZ=UTC
    assert state(plan_, now=now, tz=None).items is not None


def test_a_running_session_that_began_yesterday():
    now = datetime(2026, 11, 25, 18, 45, tzinfo=UTC)  # 00:15 IST on the 26th
    p = pj("Overnight", at=-60, minutes=120, now=now)  # 23:15 IST on the 25th
    ms = state([p], now=now, tz=ZoneInfo("Asia/Kolkata"))
    assert _rows_by_day(ms) == {"Yesterday": ["23:15 Overnight (BrightTALK)"]}
    assert session_rows(ms)[0].submenu[0].text == "Yesterday 23:15–01:15"


# --- the default item ------------------------------------------------------------------------------

@pytest.mark.parametrize("case, expected", [
    ("empty", K.Refresh()),
    ("far", K.OpenUrl("far")),
    ("soon", K.JoinNow("soon")),
    ("running", K.JoinNow("running")),
    ("soon-no-link", K.Refresh()),
    ("attending+soon", K.ShowPage("attending")),
    ("soon-but-attended", K.Refresh()),
])
def test_the_default_item(case, expected):
    plans = {
        "far": pj(at=600), "soon": pj(at=3), "running": pj(at=-10),
        "soon-no-link": pj(at=3, url=None), "attending": pj("Other", at=-30),
    }
    status = TrayStatus()
    if case == "empty":
        plan_ = []
    elif case == "attending+soon":
        plan_ = [plans["attending"], plans["soon"]]
        status = TrayStatus(attending=(Attending(plans["attending"].id, "Other", NOW),))
    elif case == "soon-but-attended":
        plan_ = [plans["soon"]]
        status = TrayStatus(states={plans["soon"].id: "attended"})
    else:
        plan_ = [plans[case]]
    ms = state(plan_, status)
    defaults = [i for i in ms.walk() if i.default]
    assert len(defaults) == 1 and defaults[0] in ms.items  # one, at the top level
    cmd = defaults[0].command
    if hasattr(expected, "id"):  # the case's name stands for its plan id
        expected = type(expected)(plans[expected.id].id)
    assert cmd == expected


# --- the real planner feeds it ---------------------------------------------------------------------

def test_from_the_planner():
    evs = [
        event("Zero trust webinar", start=NOW + timedelta(minutes=3)),
        event("Team sync", start=NOW + timedelta(hours=3), url="https://meet.google.com/abc-defg-hij"),
        event("Offsite", start=NOW + timedelta(hours=30), url=None, location="BrightTALK"),
    ]
    p = plan(evs, Settings(), {}, NOW)
    ms = state(p, tz=ZoneInfo("Europe/London"))
    assert ms.icon == "soon" and ms.default.command == K.JoinNow(p[0].id)
    assert [r.text for r in ms.walk() if r.submenu and r.text[:2].isdigit()] == [
        "09:03 Zero trust webinar (BrightTALK)", "12:00 Team sync (Google Meet)", "15:00 Offsite"]
    assert ms == state(p, tz=ZoneInfo("Europe/London"))  # a value: the same inputs, the same menu
    assert ms.icon in ICON_STATES


# ---- the setup page (issue 14) ----------------------------------------------------------------
def test_no_calendar_puts_set_up_first_with_the_attention_icon():
    ms = state([], TrayStatus(calendars=False))
    first = ms.items[0]
    assert (first.text, first.command, first.default) == ("Set up… (no calendar yet)", K.OpenSetup("calendars"), True)
    assert ms.icon == "attention"
    assert ms.default is first
    assert sum(1 for i in ms.walk() if isinstance(i.command, K.OpenSetup)) == 1  # not again at the end


def test_with_a_calendar_set_up_sits_with_the_folders_and_the_icon_is_calm():
    ms = state([], TrayStatus(calendars=True))
    assert ms.icon == "idle"
    assert not isinstance(ms.items[0].command, K.OpenSetup)
    assert top(ms, "Set up…").command == K.OpenSetup()


def test_the_demo_never_asks_for_a_calendar():
    ms = state([], TrayStatus(calendars=False, demo=True))
    assert ms.icon == "idle" and top(ms, "Set up…").command == K.OpenSetup()


def test_sign_in_needed_and_refresh_failed_point_to_the_setup_page():
    ms = state([], TrayStatus(signin_needed=True, refresh_error="ICS https://x.test/…: HTTP 404"))
    targets = [i.command for i in ms.walk() if isinstance(i.command, K.OpenSetup)]
    assert targets.count(K.OpenSetup("calendars")) == 2


def test_soon_starts_at_the_reminder_in_real_time_across_spring_forward():
    """A 03:00 New York session on spring-forward day turns the icon to "soon" 5 minutes before
    in real time (06:55 UTC), not at 02:55 wall time (a time that day does not have)."""
    from webinar_tray.core.menu import icon_state

    start = datetime(2027, 3, 14, 3, 0, tzinfo=ZoneInfo("America/New_York"))
    [p] = plan([event(start=start)], Settings(), {}, start - timedelta(hours=3))
    at = datetime(2027, 3, 14, 6, 55, tzinfo=timezone.utc)
    assert icon_state([p], TrayStatus(), at, 5) == "soon"
    assert icon_state([p], TrayStatus(), at - timedelta(seconds=1), 5) == "idle"
