"""The command line (CONTRACT.md, "Command line"). Exit codes: 0 ok, 1 failed, 2 usage or
configuration error, 3 sign-in needed."""

from __future__ import annotations

import argparse
import sys

from webinar_tray import __version__
from webinar_tray.config.paths import resolve_paths
from webinar_tray.core.settings import ConfigError
from webinar_tray.runtime.store import StoreError


def _globals(parser: argparse.ArgumentParser, suppress: bool) -> None:
    d = argparse.SUPPRESS if suppress else None
    parser.add_argument("--home", metavar="DIR", default=d,
                        help="keep everything (config, database, logs, browser profile) under DIR")
    parser.add_argument("--demo", action="store_true", default=argparse.SUPPRESS if suppress else False,
                        help="use the built-in demo calendar (records kept in <home>/demo/)")


def _port(text: str) -> int:
    try:
        n = int(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"not a port number: {text!r}") from None
    if not 0 <= n <= 65535:
        raise argparse.ArgumentTypeError(f"a port is 0-65535, not {n}")
    return n


def _minutes(text: str) -> float:
    from webinar_tray.core.plan import adhoc_minutes

    try:
        return adhoc_minutes(text)
    except ValueError as e:
        raise argparse.ArgumentTypeError(str(e)) from None


def _date(text: str):
    """A local date, YYYY-MM-DD (`history --from/--to`)."""
    import re
    from datetime import date

    try:
        if not re.fullmatch(r"\d{4}-\d{2}-\d{2}", text):
            raise ValueError
        return date.fromisoformat(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"not a date (YYYY-MM-DD): {text[:20]!r}") from None


def _history_args(parser: argparse.ArgumentParser, args: argparse.Namespace) -> None:
    """--cpe's own options only with --cpe, and --full-links only without (exit 2 otherwise)."""
    if not args.cpe:
        extra = [o for o, v in (("--from", args.first), ("--to", args.last), ("--html", args.html)) if v]
        if extra:
            _usage(parser, f"{', '.join(extra)} only with --cpe")
    elif args.full_links:
        _usage(parser, "--full-links does not go with --cpe (the report shows no links)")
    elif args.first and args.last and args.first > args.last:
        _usage(parser, f"--from {args.first} is after --to {args.last}")


def _usage(parser: argparse.ArgumentParser, message: str) -> None:
    parser.exit(2, f"{parser.prog} history: error: {message}\n")


def _login_args(sp: argparse.ArgumentParser) -> None:
    sp.add_argument("--client-secrets", metavar="FILE",
                    help="the OAuth client JSON (Desktop app) downloaded from Google Cloud; copied into "
                         "the config folder as [google] client_secrets")
    sp.add_argument("--no-browser", action="store_true",
                    help="print the sign-in address and take the final address pasted back "
                         "(for a computer without a browser)")
    sp.add_argument("--port", type=_port, default=0,
                    help="fixed loopback port for the sign-in redirect (e.g. for an SSH tunnel)")


def _history_parser(sp: argparse.ArgumentParser) -> None:
    g = sp.add_mutually_exclusive_group()
    g.add_argument("--json", action="store_true")
    g.add_argument("--csv", action="store_true")
    g.add_argument("--html", action="store_true",
                   help="with --cpe: the report as an HTML page (thumbnails, one printed page a month)")
    sp.add_argument("--full-links", action="store_true",
                    help="show join links whole (with their query: passcodes, keys); by default "
                         "scheme://host/path only")
    sp.add_argument("--cpe", action="store_true",
                    help="the CPE report: credits per attended webinar ([history] minutes_per_credit, "
                         "rounded down to credit_step), totals per month and year")
    sp.add_argument("--from", dest="first", type=_date, metavar="YYYY-MM-DD",
                    help="with --cpe: webinars from this local date on (inclusive)")
    sp.add_argument("--to", dest="last", type=_date, metavar="YYYY-MM-DD",
                    help="with --cpe: webinars up to this local date (inclusive)")


def build_parser() -> argparse.ArgumentParser:
    p = argparse.ArgumentParser(
        prog="webinar-tray",
        description="Joins your calendar's webinars on time and records every attendance.",
    )
    p.add_argument("--version", action="version", version=f"webinar-tray {__version__}")
    _globals(p, suppress=False)
    sub = p.add_subparsers(dest="command", metavar="COMMAND")

    def add(name, help):
        sp = sub.add_parser(name, help=help, description=help)
        _globals(sp, suppress=True)
        return sp

    add("run", "run the engine without a tray (service mode); Ctrl+C or SIGTERM ends it cleanly")
    sp = add("list", "refresh and print upcoming events with their links and the plan")
    sp.add_argument("--json", action="store_true", help="print JSON (CONTRACT.md)")
    sp.add_argument("--offline", action="store_true", help="use the cached events; contact nothing")
    sp = add("join", "attend one URL now (handed to the running instance when there is one)")
    sp.add_argument("url", help="the link, or - to read it (one line) from standard input, which keeps "
                                "a passcode in it out of the process list")
    sp.add_argument("--minutes", type=_minutes, default=60.0, help="stay this long at most, 1-1440 (default 60)")
    g = sp.add_mutually_exclusive_group()
    g.add_argument("--headless", dest="headless", action="store_true", default=None)
    g.add_argument("--headed", dest="headless", action="store_false")
    _login_args(add("login", "sign in to Google Calendar (read-only) in the browser"))
    add("logout", "forget the Google sign-in (revoked when online)")
    _history_parser(add("history", "print the attendance records, or with --cpe the CPE report"))
    sp = add("browser", "open the app's browser profile to sign in to webinar sites once "
                        "(a plain browser, so sites' own sign-in works)")
    sp.add_argument("--install", action="store_true",
                    help="install Playwright's Chromium under the home folder instead")
    sp = add("setup", "open the local setup page (calendars, rules, your name, a test run) in the "
                      "default browser; served by the running instance, else until Ctrl+C")
    sp.add_argument("--no-browser", action="store_true", help="only print the page's address")
    sp = add("doctor", "check the setup (config, calendars, sign-in, browser...) and say how to fix it")
    sp.add_argument("--json", action="store_true", help="print JSON (CONTRACT.md)")
    sp = add("autostart", "start webinar-tray at login for this user (with --home when one is in use)")
    sp.add_argument("action", choices=["enable", "disable", "status"])
    return p


def main(argv: list[str] | None = None) -> int:
    argv = sys.argv[1:] if argv is None else argv
    from webinar_tray.processes import child_main

    if (status := child_main(argv)) is not None:  # one of the app's own child processes
        return status
    parser = build_parser()
    args = parser.parse_args(argv)
    if args.command == "history":
        _history_args(parser, args)
    paths = resolve_paths(args.home, demo=args.demo)
    from webinar_tray.commands.exits import EXIT_FAILED, EXIT_USAGE

    try:
        return _dispatch(args, paths)
    except ConfigError as e:
        print(f"webinar-tray: configuration error: {e}", file=sys.stderr)
        return EXIT_USAGE
    except StoreError as e:
        print(f"webinar-tray: {e}", file=sys.stderr)
        return EXIT_FAILED
    except KeyboardInterrupt:
        return EXIT_FAILED


def _dispatch(args: argparse.Namespace, paths) -> int:
    """Run the chosen command, importing only its module."""
    command = args.command
    if command is None:
        from webinar_tray.commands.tray import tray

        return tray(paths)
    if command in ("run", "list", "join", "history"):
        from webinar_tray.commands import service

        if command == "run":
            return service.run(paths)
        if command == "list":
            return service.list_events(paths, as_json=args.json, offline=args.offline)
        if command == "join":
            return service.join(paths, args.url, args.minutes, args.headless)
        fmt = "json" if args.json else "csv" if args.csv else "html" if args.html else "text"
        if args.cpe:
            return service.cpe(paths, fmt, first=args.first, last=args.last)
        return service.history(paths, fmt, full_links=args.full_links)
    if command in ("login", "logout"):
        from webinar_tray.commands import signin

        if command == "login":
            return signin.login(paths, args.client_secrets, open_browser=not args.no_browser, port=args.port)
        return signin.logout(paths)
    if command == "browser":
        from webinar_tray.commands.browser import browser

        return browser(paths, install=args.install)
    if command == "setup":
        from webinar_tray.commands.setup import setup

        return setup(paths, open_browser=not args.no_browser)
    if command == "doctor":
        from webinar_tray.commands.doctor import doctor

        return doctor(paths, as_json=args.json)
    if command == "autostart":
        from webinar_tray.commands.autostart import autostart

        return autostart(paths, args.action)
    from webinar_tray.commands.exits import EXIT_USAGE

    return EXIT_USAGE
