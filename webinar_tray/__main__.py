import sys

from webinar_tray.compose import prepare_process

# pythonw.exe (the autostart entry of a source install on Windows) has no console streams.
prepare_process()

from webinar_tray.cli import main  # noqa: E402

if __name__ == "__main__":
    sys.exit(main())
