"""`webinar-tray` with no subcommand: the tray app (ui/app.py). A second launch hands over to
the running instance and exits 0; with no display to show an icon on, the engine runs as
`webinar-tray run` does."""

from __future__ import annotations

import logging
import sys

from webinar_tray import logsetup
from webinar_tray.compose import Context
from webinar_tray.commands.exits import EXIT_OK
from webinar_tray.config.paths import Paths
from webinar_tray.runtime.instance import InstanceLock, NoAnswer, hand_over

log = logging.getLogger(__name__)

ALREADY_RUNNING = ("webinar-tray is already running; its icon is in the system tray "
                   "(the running instance refreshes now)")


def tray(paths: Paths) -> int:
    ctx = Context.load(paths)  # ConfigError -> exit 2 before anything starts
    paths.ensure()
    logsetup.setup(paths.log_file, stderr=True)
    for w in ctx.warnings:
        log.warning("%s", w)
    if _hand_over(paths):
        return EXIT_OK

    from webinar_tray.compose import tray_backend

    choice = tray_backend(ctx.env)
    if not choice.shown:
        print(f"webinar-tray: {choice.note}", file=sys.stderr)
        from webinar_tray.commands.service import run

        return run(paths)

    from webinar_tray.compose import build_tray
    from webinar_tray.host import AlreadyRunning

    app = build_tray(ctx)
    try:
        app.run()
    except AlreadyRunning:  # started at the same moment as another launch
        if _hand_over(paths):
            return EXIT_OK
        raise
    return EXIT_OK


def _hand_over(paths: Paths) -> bool:
    """True when a running engine took over. Never trusts the port file alone: when the instance
    lock is free no engine runs (a port file left by a crash is removed) and this launch starts."""
    lock = InstanceLock(paths.lock_file)
    try:
        reply = hand_over(lock, paths.channel_file, {"cmd": "show"}, timeout=5.0)
    except NoAnswer:
        return False  # starting below then reports the instance that holds the lock
    if reply is None:
        lock.release()  # the engine host takes it again as it starts
        return False
    if reply.get("ok"):
        log.info("%s", ALREADY_RUNNING)
        return True
    return False

