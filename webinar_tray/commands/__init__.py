"""What each subcommand does, one module per group."""

from webinar_tray.commands.autostart import autostart
from webinar_tray.commands.browser import browser
from webinar_tray.commands.doctor import doctor
from webinar_tray.commands.exits import EXIT_FAILED, EXIT_OK, EXIT_SIGNIN, EXIT_USAGE
from webinar_tray.commands.service import history, join, list_events, run
from webinar_tray.commands.signin import login, logout

__all__ = ["EXIT_FAILED", "EXIT_OK", "EXIT_SIGNIN", "EXIT_USAGE", "autostart", "browser", "doctor",
           "history", "join", "list_events", "login", "logout", "run"]
