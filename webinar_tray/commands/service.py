"""run, list, history and join: the engine and what it records. Printing formats: output.py."""

from __future__ import annotations

import json
import logging
import signal
import sys
import threading
from datetime import datetime, timezone

from webinar_tray import logsetup, output
from webinar_tray.compose import Context, build_engine, build_host, build_sources, service_notifier
from webinar_tray.commands.exits import EXIT_FAILED, EXIT_OK, EXIT_SIGNIN, EXIT_USAGE
from webinar_tray.config.paths import Paths
from webinar_tray.core.text import clean_line

log = logging.getLogger(__name__)


def setup_logging(paths: Paths, service: bool) -> None:
    paths.ensure()
    logsetup.setup(paths.log_file, stderr=service)


# ---- run ----------------------------------------------------------------------------------
def run(paths: Paths) -> int:
    from webinar_tray.host import AlreadyRunning  # the engine's host: not for list or history

    ctx = Context.load(paths)  # ConfigError -> exit 2 before anything starts
    setup_logging(paths, service=True)
    for w in ctx.warnings:
        log.warning("%s", w)
    host = build_host(ctx, notifier=service_notifier(ctx))
    try:
        host.start()
    except AlreadyRunning as e:
        print(f"webinar-tray: {e}", file=sys.stderr)
        return EXIT_FAILED
    stop = threading.Event()

    def on_signal(signum, frame):
        log.info("signal %s: stopping", signal.Signals(signum).name)
        stop.set()

    signal.signal(signal.SIGINT, on_signal)
    signal.signal(signal.SIGTERM, on_signal)
    try:
        # A POSIX signal interrupts this wait at once; the timeout only bounds how late a
        # dead engine thread is noticed (and Ctrl+C on Windows), without waking every second.
        while not stop.wait(5.0):
            if not host.alive:
                log.error("the engine thread stopped unexpectedly")
                break
    finally:
        host.stop()
    return EXIT_OK


# ---- list ----------------------------------------------------------------------------------
def list_events(paths: Paths, as_json: bool, offline: bool) -> int:
    from webinar_tray.runtime.memory import build_then_exit, one_heap

    one_heap()  # before the sources' threads start: what one page freed serves the next
    with build_then_exit():
        return _list_events(paths, as_json, offline)


def _list_events(paths: Paths, as_json: bool, offline: bool) -> int:
    ctx = Context.load(paths)
    logsetup.setup(None, stderr=True, level=logging.WARNING)
    store = ctx.open_store()
    now = datetime.now(timezone.utc)
    signin, failed = False, None
    if not offline and not paths.demo:
        from webinar_tray.runtime import sync

        sources = build_sources(ctx.settings, paths)
        # each failing source is said once, in the summary line at the end (not also logged)
        logging.getLogger(sync.__name__).setLevel(logging.ERROR)
        fetched: dict[str, list] = {}
        result = sync.refresh(sources, store, now, ctx.settings.refresh, fetched=fetched)
        failed = sync.summary(result, len(sources))
        signin = result.signin_needed
        # planned from what was just fetched, plus the cache of the sources that failed
        events = sync.cached_form(fetched, store, sources, now, ctx.settings.refresh)
    else:
        from webinar_tray.compose import cached_events

        events = cached_events(ctx.settings, paths, store, now)
    from webinar_tray.core.plan import plan

    planned = plan(events, ctx.settings, store.overrides(), now)
    states = store.states_of(p.id for p in planned)
    if as_json:
        output.print_rows_json(output.plan_rows(planned, states))
    else:
        print(output.plan_text(planned, states, now))
    store.close()
    if signin:
        print("webinar-tray: Google Calendar needs you to sign in again: run `webinar-tray login`",
              file=sys.stderr)
    if failed:
        print(f"webinar-tray: {clean_line(failed)}", file=sys.stderr)  # the cached events are shown
    return EXIT_SIGNIN if signin else EXIT_OK


# ---- history -------------------------------------------------------------------------------
def history(paths: Paths, fmt: str, full_links: bool = False) -> int:
    ctx = Context.load(paths)
    rows = []
    if paths.database.exists():  # reading never creates the database
        store = ctx.open_store()
        from webinar_tray.runtime.store import FINAL_STATES

        rows = [output.history_row(a, full_links) for a in store.attendances(FINAL_STATES)]
        store.close()
    if fmt == "json":
        print(json.dumps(rows, indent=2, ensure_ascii=False))
    elif fmt == "csv":
        sys.stdout.write(output.history_csv(rows))
    else:
        print(output.history_text(rows))
    return EXIT_OK


def cpe(paths: Paths, fmt: str, first=None, last=None) -> int:
    """`history --cpe`: the CPE report of the attended and partial records, local dates
    first..last inclusive, as text, JSON, CSV or an HTML page."""
    from webinar_tray.core.cpe import COUNTED, report

    ctx = Context.load(paths)
    records = []
    if paths.database.exists():  # reading never creates the database
        store = ctx.open_store()
        records = store.attendances(COUNTED)
        store.close()
    r = report(records, ctx.settings.history, first=first, last=last)
    if fmt == "json":
        print(output.cpe_json(r))
    elif fmt == "csv":
        sys.stdout.write(output.cpe_csv(r))
    elif fmt == "html":
        from webinar_tray.cpe_page import cpe_html

        sys.stdout.write(cpe_html(r, datetime.now(timezone.utc), first=first, last=last))
    else:
        print(output.cpe_text(r))
    return EXIT_OK


# ---- join ----------------------------------------------------------------------------------
QUERY_HINT = ("webinar-tray: hint: this link has a query string (often a passcode), which other users of "
              "this computer can see in the process list while the join runs; next time use "
              "`webinar-tray join -` and give the link on standard input")


def join(paths: Paths, url: str, minutes: float, headless: bool | None) -> int:
    from urllib.parse import urlsplit

    from webinar_tray.core.links import is_safe

    ctx = Context.load(paths)
    from_stdin = url == "-"
    if from_stdin:
        url = _url_from_stdin()
        if not url:
            print("webinar-tray: no link on standard input (`join -` reads one line: the link)", file=sys.stderr)
            return EXIT_USAGE
    if not is_safe(url):
        print("webinar-tray: only http(s) links can be joined", file=sys.stderr)
        return EXIT_USAGE
    if not from_stdin and urlsplit(url).query:
        print(QUERY_HINT, file=sys.stderr)
    setup_logging(paths, service=True)
    from webinar_tray.runtime.instance import InstanceLock, NoAnswer, hand_over

    lock = InstanceLock(paths.lock_file)
    try:  # never to a listener on a stale port file: the lock says whether an engine runs
        reply = hand_over(lock, paths.channel_file, {"cmd": "join", "url": url, "minutes": minutes})
    except NoAnswer as e:
        print(f"webinar-tray: {e}", file=sys.stderr)
        return EXIT_FAILED
    if reply is not None:
        if reply.get("ok"):
            print(f"handed to the running instance: joining {clean_line(str(reply.get('title')))} "
                  f"({clean_line(str(reply.get('id')))})")
            return EXIT_OK
        print(f"webinar-tray: the running instance refused: {clean_line(str(reply.get('error')))}",
              file=sys.stderr)
        return EXIT_FAILED
    # No engine runs, and this process now holds the lock: it attends itself.
    store = ctx.open_store()
    engine, _ = build_engine(ctx, store, headless=headless, with_sources=False)
    done = threading.Event()
    engine.on_change = lambda: (not engine.active_ids()) and done.set()
    for sig in (signal.SIGINT, signal.SIGTERM):
        signal.signal(sig, lambda *_: done.set())
    try:
        p = engine.join_url(url, minutes)
        while not done.wait(2.0):  # a timeout so that Ctrl+C is seen on Windows too
            pass
    finally:
        engine.close()
    a = store.get(p.id)
    store.close()
    lock.release()
    print(output.history_text([output.history_row(a)]))
    return EXIT_OK if a.joined_at else EXIT_FAILED


def _url_from_stdin() -> str:
    """One line from standard input: the link (nothing else is read)."""
    from webinar_tray.core.links import MAX_URL

    if sys.stdin is None:
        return ""
    try:
        return sys.stdin.readline(MAX_URL + 2).strip()
    except (OSError, UnicodeDecodeError, ValueError):
        return ""


