"""setup: the local setup page. A running instance (tray or `run`) serves it and answers with a
fresh address; else this process serves it until Ctrl+C. Either way the address is opened in the
default browser through `webbrowser` (so BROWSER is honoured) and printed; the log file gets it
without its one-time token."""

from __future__ import annotations

import logging
import signal
import sys
import threading

from webinar_tray import logsetup
from webinar_tray.commands.exits import EXIT_OK
from webinar_tray.compose import Context
from webinar_tray.config.paths import Paths
from webinar_tray.core.links import is_safe
from webinar_tray.runtime.instance import InstanceLock, NoAnswer, hand_over

log = logging.getLogger(__name__)


def setup(paths: Paths, open_browser: bool = True) -> int:
    ctx = Context.load(paths)  # ConfigError -> exit 2
    paths.ensure()
    logsetup.setup(paths.log_file, stderr=False)
    url = _from_running(paths)
    if url is not None:
        _show(url, open_browser, "served by the running webinar-tray")
        return EXIT_OK
    return _serve(ctx, open_browser)


def _from_running(paths: Paths) -> str | None:
    """The address from the engine of this home folder (real or demo), or None when none runs."""
    for owner in (paths.real(), paths.as_demo()):
        lock = InstanceLock(owner.lock_file)
        try:
            reply = hand_over(lock, owner.channel_file, {"cmd": "setup"}, timeout=10.0, wait=2.0)
        except NoAnswer:
            continue
        if reply is None:
            lock.release()
            continue
        url = reply.get("url")
        if reply.get("ok") and isinstance(url, str) and is_safe(url):
            return url
        log.warning("the running instance did not serve the setup page: %s", reply.get("error"))
    return None


def _show(url: str, open_browser: bool, who: str) -> None:
    print(f"Setup page ({who}):\n  {url}\n"
          "Open it in a browser on this computer; the address works once (a cookie keeps you in).",
          flush=True)
    log.info("setup page opened (%s): %s", who, url)  # the log's scrubber cuts the token
    if open_browser:
        import webbrowser

        try:
            if not webbrowser.open(url, new=2):
                print("webinar-tray: no browser could be started: open the address above", file=sys.stderr)
        except Exception as e:  # noqa: BLE001 - the printed address still works
            print(f"webinar-tray: the browser could not be started ({type(e).__name__}): open the "
                  "address above", file=sys.stderr)


def _serve(ctx: Context, open_browser: bool) -> int:
    from webinar_tray.setup.app import serve
    from webinar_tray.setup.backend import standalone
    backend = standalone(ctx)
    server = serve(backend)
    stop = threading.Event()
    for sig in (signal.SIGINT, signal.SIGTERM):
        signal.signal(sig, lambda *_: stop.set())
    try:
        _show(server.new_link(), open_browser, "served by this command until Ctrl+C")
        while not stop.wait(1.0):  # a timeout so that Ctrl+C is seen on Windows too
            pass
    finally:
        server.stop()
    print("Setup page closed.")
    return EXIT_OK
