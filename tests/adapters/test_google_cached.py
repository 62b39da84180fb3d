"""A Google calendar's saved mirror as its cache (GoogleSync.cached, GoogleCalendarSource.cached
and keeps_events): what `list --offline`, doctor, the setup page and the app at start read
instead of the store's rows, contacting nothing, beside a running app that may be appending to
the very file. Against the fake Google on 127.0.0.1 through the real google-api-python-client."""

from __future__ import annotations

import logging
from datetime import datetime, timedelta, timezone

from tests.adapters.test_google_calendar import event_requests, make_creds, make_source
from tests.adapters.test_google_sync import WINDOWS, calendar_data, shape
from tests.fakegoogle import fake_google, gevent  # noqa: F401
from webinar_tray.adapters.calendar.google.sync import mirror_path
from webinar_tray.runtime import sync
from webinar_tray.runtime.store import Store


def test_a_reader_lists_the_last_fetch_from_the_file_and_asks_google_nothing(fake_google, tmp_path):
    fake_google.calendars["primary"] = calendar_data()
    creds = make_creds(fake_google)
    path = mirror_path(tmp_path, "primary")
    app, _ = make_source(fake_google, creds=creds, mirror_file=path)
    got = app.fetch(*WINDOWS[3])
    assert app.keeps_events
    n = len(fake_google.requests)
    reader, _ = make_source(fake_google, creds=creds, mirror_file=path)  # another process
    assert shape(reader.cached(*WINDOWS[3])) == shape(got) and got
    assert reader.calendar_name == "me@example.com"
    # a window the app never asked for is expanded from the same mirror
    ref, _ = make_source(fake_google, creds=creds, incremental=False)
    later = reader.cached(*WINDOWS[6])
    assert len(fake_google.requests) == n, "nothing was asked of Google"
    assert shape(later) == shape(ref.fetch(*WINDOWS[6]))


def test_a_clean_read_is_the_next_syncs_start(fake_google, tmp_path):
    fake_google.calendars["primary"] = calendar_data()
    creds = make_creds(fake_google)
    path = mirror_path(tmp_path, "primary")
    make_source(fake_google, creds=creds, mirror_file=path)[0].fetch(*WINDOWS[0])
    app, _ = make_source(fake_google, creds=creds, mirror_file=path)  # the app, started again
    assert app.cached(*WINDOWS[0])
    n = len(event_requests(fake_google))
    app.fetch(*WINDOWS[0])
    assert [bool(q.get("syncToken")) for q in event_requests(fake_google)[n:]] == [True]


def test_another_accounts_mirror_is_never_listed(fake_google, tmp_path):
    fake_google.calendars["primary"] = calendar_data()
    path = mirror_path(tmp_path, "primary")
    make_source(fake_google, mirror_file=path)[0].fetch(*WINDOWS[0])
    other, _ = make_source(fake_google, mirror_file=path)  # another refresh token
    assert other.cached(*WINDOWS[0]) == []


def test_a_torn_tail_is_left_out_and_the_file_left_where_it_is(fake_google, tmp_path, caplog):
    """An append in progress (or cut short by a crash) as a reader finds it: the complete lines
    are listed, nothing is renamed; the owner's next sync deals with the file as before."""
    fake_google.calendars["primary"] = calendar_data()
    creds = make_creds(fake_google)
    path = mirror_path(tmp_path, "primary")
    got = make_source(fake_google, creds=creds, mirror_file=path)[0].fetch(*WINDOWS[0])
    with path.open("ab") as f:
        f.write(b'j {"id": "torn", "summ')
    reader, _ = make_source(fake_google, creds=creds, mirror_file=path)
    assert shape(reader.cached(*WINDOWS[0])) == shape(got)
    assert not list(tmp_path.glob("*.corrupt-*")) and path.read_bytes().endswith(b'"summ')
    n = len(event_requests(fake_google))
    with caplog.at_level(logging.WARNING):
        assert shape(reader.fetch(*WINDOWS[0])) == shape(got)
    assert "syncToken" not in event_requests(fake_google)[n], "the torn file was not taken as a start"
    assert len(list(tmp_path.glob("*.corrupt-*"))) == 1 and "set aside" in caplog.text


def test_another_processs_later_sync_is_read_from_the_file(fake_google, tmp_path):
    fake_google.calendars["primary"] = calendar_data()
    creds = make_creds(fake_google)
    path = mirror_path(tmp_path, "primary")
    app, _ = make_source(fake_google, creds=creds, mirror_file=path)
    app.fetch(*WINDOWS[0])
    reader, _ = make_source(fake_google, creds=creds, mirror_file=path)
    assert reader.cached(*WINDOWS[3])  # read clean and kept; the singles' texts left on disk
    fake_google.calendars["primary"].append(gevent("new", "New", WINDOWS[0][0] + timedelta(hours=1)))
    app._sync._file.whole = True  # the app's next save rewrites the file
    expect = app.fetch(*WINDOWS[0])
    got = reader.cached(*WINDOWS[0])
    assert shape(got) == shape(expect) and "new" in {e.event_id for e in got}


def test_a_file_rewritten_while_it_is_listed_is_read_again(fake_google, tmp_path, monkeypatch):
    fake_google.calendars["primary"] = calendar_data()
    creds = make_creds(fake_google)
    path = mirror_path(tmp_path, "primary")
    app, _ = make_source(fake_google, creds=creds, mirror_file=path)
    app.fetch(*WINDOWS[0])
    fake_google.calendars["primary"].append(gevent("new", "New", WINDOWS[0][0] + timedelta(hours=1)))
    app._sync._file.whole = True
    reader, _ = make_source(fake_google, creds=creds, mirror_file=path)
    from webinar_tray.adapters.calendar.google.mirror_file import MirrorFile

    load, loads = MirrorFile.load, []

    def load_then_the_app_rewrites(self, *a, **kw):  # between the read and the listing
        ok = load(self, *a, **kw)
        loads.append(ok)
        if len(loads) == 1:
            app.fetch(*WINDOWS[0])
        return ok

    monkeypatch.setattr(MirrorFile, "load", load_then_the_app_rewrites)
    got = reader.cached(*WINDOWS[0])
    assert len(loads) == 2 and "new" in {e.event_id for e in got}
    assert shape(got) == shape(app.fetch(*WINDOWS[0]))


def test_keeps_events_only_while_its_file_holds_the_last_sync(fake_google, tmp_path):
    fake_google.calendars["primary"] = calendar_data()
    memory, _ = make_source(fake_google)  # no file: the store's rows are its cache
    memory.fetch(*WINDOWS[0])
    assert not memory.keeps_events and memory.cached(*WINDOWS[0]) is None
    (tmp_path / "blocked").write_text("a file where the folder should be")
    blocked, _ = make_source(fake_google, mirror_file=mirror_path(tmp_path / "blocked", "primary"))
    assert blocked.fetch(*WINDOWS[0])
    assert not blocked.keeps_events, "a mirror that could not be saved is not a cache"
    fresh, _ = make_source(fake_google, mirror_file=mirror_path(tmp_path, "primary"))
    assert not fresh.keeps_events  # nothing fetched yet
    fresh.fetch(*WINDOWS[0])
    assert fresh.keeps_events


def test_the_store_keeps_no_copy_of_a_kept_calendar_and_readers_get_it_back(fake_google, tmp_path):
    fake_google.calendars["primary"] = calendar_data()
    creds = make_creds(fake_google)
    path = mirror_path(tmp_path / "google-sync", "primary")
    store = Store(tmp_path / "cache.sqlite3")
    now = WINDOWS[3][0] + sync.LOOKBEHIND
    settings = sync.RefreshSettings(lookahead_hours=48)
    app, _ = make_source(fake_google, creds=creds, mirror_file=path)
    old = store.events()  # an earlier version kept rows of it: they go with the next good fetch
    store.replace_events(app.key, app.fetch(*WINDOWS[0]), now)
    assert store.events() != old
    result = sync.refresh([app], store, now, settings)
    assert result.all_ok and store.events() == [], "no second copy of the calendar"
    assert store.sources()[0].fetched_at == now
    reader, _ = make_source(fake_google, creds=creds, mirror_file=path)
    cached = sync.cached_by_source(store, [reader], now, settings)
    start, end = sync.window(now, settings)
    assert shape(cached[app.key]) == shape(app.fetch(start, end)) and cached[app.key]
    store.close()


def test_a_reader_that_fails_leaves_the_others(tmp_path, caplog):
    class Broken:
        name, key = "Broken", "google:broken"

        def cached(self, start, end):
            raise RuntimeError("a bug")

    class Kept:
        name, key = "Kept", "google:kept"

        def cached(self, start, end):
            return ["an event"]

    store = Store(tmp_path / "cache.sqlite3")
    now = datetime(2026, 12, 6, tzinfo=timezone.utc)
    with caplog.at_level(logging.WARNING):
        got = sync.cached_by_source(store, [Broken(), Kept()], now, sync.RefreshSettings())
    assert got == {"google:kept": ["an event"]} and "Broken" in caplog.text
    store.close()


def test_a_sign_in_that_cannot_be_read_still_lists_the_last_sign_ins_mirror(fake_google, tmp_path):
    """A locked keyring or a broken token file at start: the calendars say "sign-in needed" at
    every refresh, and the schedule saved under the last sign-in is still the cache (the store
    keeps no rows of it). With no mirror saved there is nothing to list."""
    from dataclasses import replace

    from webinar_tray.adapters.calendar.google.account import NotSignedIn, google_sources
    from webinar_tray.config.files import resolve_file
    from webinar_tray.config.paths import resolve_paths
    from webinar_tray.core.settings import Settings

    fake_google.calendars["primary"] = calendar_data()
    paths = resolve_paths(tmp_path / "home").ensure()
    (paths.config_dir / "client_secret.json").write_text("{}")
    settings = Settings()
    settings = replace(settings, google=replace(settings.google, token_store="file", calendars=["primary"]))
    assert google_sources(settings, paths, resolve_file)[0].cached(*WINDOWS[0]) is None  # none saved
    path = mirror_path(paths.data_dir / "google-sync", "primary")
    got = make_source(fake_google, mirror_file=path)[0].fetch(*WINDOWS[0])
    (paths.data_dir / "google-token.json").mkdir()  # the token cannot be read
    [src] = google_sources(settings, paths, resolve_file)
    assert isinstance(src, NotSignedIn) and got
    assert shape(src.cached(*WINDOWS[0])) == shape(got)
    n = len(fake_google.requests)
    store = Store(tmp_path / "cache.sqlite3")
    now = WINDOWS[0][0] + sync.LOOKBEHIND
    assert sync.cached_by_source(store, [src], now, sync.RefreshSettings())[src.key]
    assert len(fake_google.requests) == n
    store.close()
