import sys

from webinar_tray.processes import child_main

if (status := child_main(sys.argv[1:])) is not None:  # one of the app's own child processes
    sys.exit(status)

from webinar_tray.compose import prepare_process  # noqa: E402

# pythonw.exe (the autostart entry of a source install on Windows) has no console streams.
prepare_process()

from webinar_tray.cli import main  # noqa: E402

if __name__ == "__main__":
    sys.exit(main())
