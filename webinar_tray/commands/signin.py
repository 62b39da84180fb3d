"""login and logout: Google Calendar sign-in (the account as compose.google_link builds it)."""

from __future__ import annotations

import logging
import sys

from webinar_tray.commands.exits import EXIT_OK
from webinar_tray.commands.service import setup_logging
from webinar_tray.compose import Context, google_link
from webinar_tray.config.paths import Paths
from webinar_tray.ports import AccountError

log = logging.getLogger(__name__)


def login(paths: Paths, client_secrets: str | None, *, open_browser: bool = True, port: int = 0) -> int:
    paths = paths.real()  # the Google token belongs to the real data folder, also with --demo
    ctx = Context.load(paths)  # ConfigError -> exit 2
    setup_logging(paths, service=False)
    try:
        google_link(ctx).sign_in(open_browser=open_browser, port=port, out=sys.stderr,
                                 client_secrets=client_secrets)
    except AccountError as e:
        log.error("sign-in failed: %s", e)
        print(f"webinar-tray: {e}", file=sys.stderr)
        return e.exit_code
    print("Signed in; webinar-tray will read your Google Calendar (read-only).")
    return EXIT_OK


def logout(paths: Paths) -> int:
    paths = paths.real()
    ctx = Context.load(paths)
    setup_logging(paths, service=False)
    print(google_link(ctx).sign_out())
    return EXIT_OK
