"""Google Calendar: sign-in, the Calendar API, the sync mirror and the helper process.

Every import of the Google client libraries in the app is under this package, so the modules
they load at import time and a user's own OAuth client never uses are deferred here, before
any of them is imported (lazy_modules.py says why and what it saves)."""

from webinar_tray.lazy_modules import defer

defer("google.auth.jwt", "httplib2.auth", "google.oauth2.service_account")
