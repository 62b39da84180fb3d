"""PyInstaller entry point (the frozen executable's __main__)."""

import sys

from webinar_tray.cli import main

if __name__ == "__main__":
    sys.exit(main())
