"""The Google helper process: the only part of a running app that imports the Google client
libraries (google-auth, google-api-python-client, httplib2).

Why a process of its own: those libraries weigh 37 MB of memory (google-auth imports
cryptography, httplib2 imports pyparsing) in a process that otherwise needs 30, and a running
app uses them for a few seconds an hour. `run` and the tray start this helper when a refresh
asks Google for a page and let it go a few seconds after the last answer
(helper_client.py); one-shot commands (`list`, `doctor`, `login`) keep the libraries in their
own process. The mirror, the series expansion, the mapping and the plan stay in the app: the
helper answers one question, "this page of events.list for this calendar", exactly as
GoogleCalendarSource asks it in process (`_page_once`, with the same error mapping).

The protocol, JSON lines (never a token on the command line or in the environment):
- stdin, first line: {"token": <stored sign-in>, "endpoint": <API address>, "timeout": <s>};
  then requests {"id": n, "calendar": <id>, "params": {...}, "page_size": n}, answered on
  threads of their own (a slow calendar holds back no other).
- stdout: {"id": n, "page": {...}} | {"id": n, "transient": why, "retry_after": s|null} |
  {"id": n, "error": "signin"|"full_sync"|"source", "message": ...}; and {"token": <sign-in>}
  before the answer whose request refreshed the access token (the app saves it).
- stderr: log lines, "LEVEL logger: message" (the app logs them as its own).
End of stdin ends the helper, whatever is still running."""

from __future__ import annotations

import json
import logging
import os
import sys
import threading

from webinar_tray.json_codec import dumps

log = logging.getLogger(__name__)


class _StderrLines(logging.Handler):
    """Log records as one clean line each on stderr, for the app to log again."""

    def __init__(self, stream) -> None:
        super().__init__(logging.INFO)
        self.stream = stream

    def emit(self, record: logging.LogRecord) -> None:
        from webinar_tray.logsetup import clean_message

        try:
            self.stream.write(f"{record.levelname} {record.name}: {clean_message(record)}\n")
            self.stream.flush()
        except Exception:
            pass


def answer(source, request: dict) -> dict:
    """One page for `request` through `source` (GoogleCalendarSource), as an answer line."""
    from webinar_tray.adapters.calendar.google.api import _Transient
    from webinar_tray.adapters.calendar.google.sync import FullSyncRequired
    from webinar_tray.ports import SignInNeeded, SourceError

    rid = request.get("id")
    try:
        return {"id": rid, "page": source._page_once(request.get("params") or {})}
    except _Transient as t:
        return {"id": rid, "transient": t.why, "retry_after": t.retry_after}
    except FullSyncRequired as e:
        return {"id": rid, "error": "full_sync", "message": str(e)}
    except SignInNeeded as e:
        return {"id": rid, "error": "signin", "message": str(e)}
    except SourceError as e:
        return {"id": rid, "error": "source", "message": str(e)}
    except Exception as e:  # a bug must answer, not leave the app waiting
        log.exception("the Google helper failed on a request")
        return {"id": rid, "error": "source", "message": f"unexpected {type(e).__name__}"}


class Helper:
    """The helper's state: one Credentials object shared by every calendar (as in process)."""

    def __init__(self, hello: dict, out) -> None:
        from webinar_tray.adapters.calendar.google.tokens import credentials_from

        self.creds = credentials_from(hello.get("token") or {})
        self.endpoint = str(hello.get("endpoint") or "")
        self.timeout = float(hello.get("timeout") or 30.0)
        self._out = out
        self._lock = threading.Lock()
        self._sources: dict[tuple[str, int], object] = {}
        self._saved = self.creds.token

    def source(self, calendar: str, page_size: int):
        from webinar_tray.adapters.calendar.google.api import GoogleCalendarSource

        with self._lock:
            key = (calendar, page_size)
            if key not in self._sources:
                self._sources[key] = GoogleCalendarSource(
                    calendar, lambda: self.creds, self.endpoint, page_size=page_size,
                    timeout=self.timeout, incremental=False)
            return self._sources[key]

    def handle(self, request: dict) -> None:
        calendar = str(request.get("calendar") or "")
        out = answer(self.source(calendar, int(request.get("page_size") or 2500)), request)
        self.send(out)

    def send(self, out: dict) -> None:
        from webinar_tray.adapters.calendar.google.tokens import info_from

        lines = []
        with self._lock:
            if self.creds.token and self.creds.token != self._saved:
                lines.append(json.dumps({"token": info_from(self.creds)}))
                self._saved = self.creds.token
            lines.append(dumps(out))  # a page: json_codec writes it faster
            self._out.write(("\n".join(lines) + "\n").encode("utf-8"))
            self._out.flush()


def main() -> int:
    """`webinar-tray _google-helper` (started by helper_client.py, not by users)."""
    stdin = sys.stdin.buffer if sys.stdin is not None else os.fdopen(0, "rb")
    stdout = sys.stdout.buffer if getattr(sys.stdout, "buffer", None) else os.fdopen(1, "wb")
    root = logging.getLogger()
    root.setLevel(logging.INFO)
    if sys.stderr is not None:
        root.addHandler(_StderrLines(sys.stderr))
    for noisy in ("googleapiclient", "google_auth_httplib2", "google.auth"):
        logging.getLogger(noisy).setLevel(logging.WARNING)
    try:
        hello = json.loads(stdin.readline() or b"null")
        if not isinstance(hello, dict):
            return 2
        helper = Helper(hello, stdout)
        import googleapiclient.discovery  # noqa: F401  once here, not by each request's thread

        for line in stdin:
            try:
                request = json.loads(line)
            except ValueError:
                log.warning("the Google helper got a line it cannot read; ignored")
                continue
            if isinstance(request, dict):
                threading.Thread(target=helper.handle, args=(request,), daemon=True).start()
    except (OSError, ValueError) as e:
        log.warning("the Google helper stops: %s", type(e).__name__)
    try:
        stdout.flush()
    except OSError:
        pass
    os._exit(0)  # requests still running were given up by the app
