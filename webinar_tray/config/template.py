"""The config.toml a user gets from the tray's "Settings" when there is none yet: every key,
commented out at its default with a line on what it does (CONTRACT.md is the reference). Keys
left commented keep following the app's defaults."""

from __future__ import annotations

from pathlib import Path

from webinar_tray.config.private import write_private

TEMPLATE = """\
# webinar-tray settings. Every key is optional: remove the leading "# " to change one.
# Saved changes apply within seconds; a mistake is logged and the previous settings stay.

# [google]
# client_secrets = "client_secret.json"   # your Desktop OAuth client (relative to this folder)
# calendars = ["primary"]
# api_endpoint = "https://www.googleapis.com/calendar/v3/"
# token_store = "auto"                     # auto | keyring | file

# [ics]
# urls = []                                # secret iCal addresses (https) or file paths

# [refresh]
# every_minutes = 60
# lookahead_hours = 48
# timeout_seconds = 60                     # per calendar: connect + whole answer + reading it
# max_instances_per_series = 500           # a repeating event is cut here (logged once)
# max_events_per_source = 20000
# max_response_mb = 20

# [match]                                  # an event is a webinar if ANY rule matches
# keywords = ["webinar"]                   # in the title, any case
# locations = ["BrightTALK"]               # contained in the location
# organizers = []                          # e-mail addresses or @domains
# calendars = []                           # calendar ids whose every linked event counts
# hosts = []                               # link hosts that make an event a webinar

# [join]
# lead_seconds = 60                        # open the page this long before the start
# grace_seconds = 300                      # stay this long after the calendar end
# late_join = true                         # join a webinar that is already running
# headless = false                         # hidden browser
# allowed_hosts = []                       # sites beyond the built-in list that auto-join may open
# max_concurrent = 3                       # webinars attended at once
# step_timeout_seconds = 60                # each join step waits at most this long
# screenshot_minutes = 15                  # evidence: after joining and every N minutes (0 = off)
# keep_evidence_days = 90
# keep_awake = true                        # keep the PC from sleeping while attending
# name = ""                                # for registration and guest-join forms
# email = ""

# [browser]
# executable_path = ""                     # any Chromium-family browser; "" = find one
# channel = ""                             # "chrome" | "msedge" | "chromium"
# args = []                                # extra Chromium switches

# [notifications]
# enabled = true
# remind_minutes = 5

# [history]                                # the CPE report (`history --cpe`, the tray's Open history)
# minutes_per_credit = 60                  # credits = attended minutes / this (decimals allowed)
# credit_step = 0.25                       # ... rounded down to a multiple of this

# [demo]
# start_after_seconds = 60
# duration_seconds = 120

# [wake]                                   # wake the PC from sleep for the next auto-join
# enabled = true                           # Windows: a Task Scheduler task (no admin rights);
#                                          # macOS/Linux: `webinar-tray doctor` prints the command
# minutes_before = 3
"""


def ensure_config(path: Path) -> Path:
    """`path`, created from TEMPLATE (private to the user) when it does not exist yet."""
    path = Path(path)
    if not path.exists():
        write_private(path, TEMPLATE.encode("utf-8"))
    return path
