"""webinar-tray: joins your calendar's webinars on time and records every attendance."""

__version__ = "0.1.0"
APP_NAME = "webinar-tray"
