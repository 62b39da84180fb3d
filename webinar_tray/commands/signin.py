"""login and logout: Google Calendar sign-in."""

from __future__ import annotations

import logging
import sys

from webinar_tray.compose import Context
from webinar_tray.commands.exits import EXIT_FAILED, EXIT_OK
from webinar_tray.commands.service import setup_logging
from webinar_tray.config.paths import Paths

log = logging.getLogger(__name__)


def _token_store(ctx: Context):
    from webinar_tray.adapters.calendar.google.account import token_store

    return token_store(ctx.settings, ctx.paths)


def _copy_client_file(src: str, dest) -> None:
    """Copies the downloaded client JSON to the configured place, readable by the user only."""
    from pathlib import Path

    from webinar_tray.config.private import write_private

    src_path, dest = Path(src).expanduser().resolve(), Path(dest)
    if dest.exists() and dest.resolve() == src_path:
        return
    write_private(dest, src_path.read_bytes())
    log.info("copied the Google OAuth client file to %s", dest)


def login(paths: Paths, client_secrets: str | None, *, open_browser: bool = True, port: int = 0) -> int:
    from webinar_tray.adapters.calendar.google.auth import AuthError, load_client
    from webinar_tray.adapters.calendar.google.auth import login as google_login
    from webinar_tray.config.files import resolve_file

    paths = paths.real()
    ctx = Context.load(paths)  # ConfigError -> exit 2
    setup_logging(paths, service=False)
    client_file = resolve_file(ctx.settings.google.client_secrets, paths.config_dir)
    try:
        if client_secrets:
            load_client(client_secrets)  # a bad download is refused before it replaces anything
            try:
                _copy_client_file(client_secrets, client_file)
            except OSError as e:
                print(f"webinar-tray: cannot copy {client_secrets} to {client_file}: {e.strerror or e}",
                      file=sys.stderr)
                return EXIT_FAILED
        google_login(client_file, _token_store(ctx), open_browser=open_browser, port=port)
    except AuthError as e:
        log.error("sign-in failed: %s", e)
        print(f"webinar-tray: {e}", file=sys.stderr)
        return e.exit_code
    print("Signed in; webinar-tray will read your Google Calendar (read-only).")
    return EXIT_OK


def logout(paths: Paths) -> int:
    from webinar_tray.adapters.calendar.google.auth import logout as google_logout
    from webinar_tray.config.files import resolve_file

    paths = paths.real()
    ctx = Context.load(paths)
    setup_logging(paths, service=False)
    client_file = resolve_file(ctx.settings.google.client_secrets, paths.config_dir)
    from webinar_tray.adapters.calendar.google.account import logout_stores

    print(google_logout(logout_stores(ctx.settings, ctx.paths), client_file))
    return EXIT_OK


