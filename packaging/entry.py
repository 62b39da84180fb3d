"""PyInstaller entry point (the frozen executable's __main__), for both executables: the
windowed `webinar-tray` and the console `webinar-tray-cli`."""

import sys

from webinar_tray.adapters.desktop.sysenv import ensure_streams, remember_hooked

# What PyInstaller's runtime hooks changed in the environment, so that system programs (the
# browser, notify-send, xdg-open) get the user's own values back (packaging/rthook_environ.py).
remember_hooked(getattr(sys, "_webinar_tray_environ", None))
# The windowed build has no console: sys.stdout/sys.stderr are None there.
ensure_streams()

from webinar_tray.processes import child_main  # noqa: E402

if (status := child_main(sys.argv[1:])) is not None:  # one of the app's own child processes
    sys.exit(status)

from webinar_tray.cli import main  # noqa: E402

if __name__ == "__main__":
    sys.exit(main())
