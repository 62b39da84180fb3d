import sys

from webinar_tray.adapters.desktop.sysenv import ensure_streams

# pythonw.exe (the autostart entry of a source install on Windows) has no console streams.
ensure_streams()

from webinar_tray.cli import main  # noqa: E402

if __name__ == "__main__":
    sys.exit(main())
