"""For check-frozen.sh: serves the tests' fake Google on 127.0.0.1 and prepares a home folder
signed in to it (client file, 0600 token, config with two calendars). Prints READY, then
serves until killed.   uv run python packaging/serve-fake-google.py HOME"""

from __future__ import annotations

import sys
import time
from datetime import datetime, timedelta, timezone
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from tests.fakegoogle import FakeGoogle, gevent  # noqa: E402
from webinar_tray.adapters.calendar.google.tokens import FileTokenStore  # noqa: E402

home = Path(sys.argv[1])
fake = FakeGoogle()
fake.start()
now = datetime.now(timezone.utc).replace(microsecond=0)
fake.page_size = 20
fake.calendars["primary"] = [gevent(f"m{i}", f"Stand-up {i}", now + timedelta(hours=1, minutes=30 * i),
                                    hangout_link="https://meet.google.com/abc-defg-hij") for i in range(50)]
fake.calendars["webinars@group.calendar.google.com"] = [
    gevent("w1", "ISC2 Think Tank", now + timedelta(hours=2), location="BrightTALK",
           description="https://www.brighttalk.com/webcast/5385/612345")]
fake.write_client_secrets(home / "client_secret.json")
(home / "config.toml").write_text(
    '[google]\ncalendars = ["primary", "webinars@group.calendar.google.com"]\n'
    f'api_endpoint = "{fake.api_endpoint}"\ntoken_store = "file"\n')
FileTokenStore(home / "google-token.json").save({
    "token": None, "refresh_token": fake.issue_refresh_token(), "token_uri": fake.token_uri,
    "client_id": fake.client_id, "client_secret": fake.client_secret,
    "scopes": ["https://www.googleapis.com/auth/calendar.events.readonly"], "expiry": None})
print("READY", flush=True)
while True:
    time.sleep(3600)
