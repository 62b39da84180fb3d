"""The Calendar API service object (google-api-python-client's discovery client) for a sign-in:
one per process, shared by every thread, each asking through its own connection (api.py),
with our own timeout and a faster JSON model, and one token refresh for all the calendars
asking at once (`OneRefresh`)."""

from __future__ import annotations

import contextlib
import functools
import threading

from webinar_tray.ports import Deadline

_refreshing = threading.Lock()

# Pages asked of Google at once by this process. The calendars of a refresh share one
# bottleneck (the line's bandwidth, Google's answer to one account): ten pages of 2,500 events
# asked at once all arrive at about the end, and the app, which reads a page in a tenth of a
# second, waits for all ten and then reads them one by one. Three at a time keep it reading one
# while the next arrive: a cold `list` of 10 x 2,500 events went from 1.9 to 1.4 s.
IN_FLIGHT = 3
_slots = threading.BoundedSemaphore(IN_FLIGHT)


@contextlib.contextmanager
def in_flight(deadline: Deadline | None):
    """One of the IN_FLIGHT requests this process may have at Google; waiting for it counts
    against `deadline` (SourceTimeout when none came free in time)."""
    while not _slots.acquire(timeout=max(0.0, deadline.remaining()) if deadline is not None else None):
        deadline.check()  # raises once it has passed
    try:
        yield
    finally:
        _slots.release()


class OneRefresh:
    """The sign-in as one thread's AuthorizedHttp uses it, whose `before_request` (which
    refreshes an expired access token) runs one thread at a time: the calendars asking at
    once share one sign-in, and each thread refreshed it itself (a cold `list` of 10 calendars
    asked Google's token endpoint 6 times; now once). Everything else is the sign-in's own."""

    def __init__(self, creds) -> None:
        self._creds = creds

    def before_request(self, request, method, url, headers) -> None:
        with _refreshing:
            self._creds.before_request(request, method, url, headers)

    def __getattr__(self, name: str):
        return getattr(self._creds, name)


def authorized_http(creds, timeout: float):
    """An httplib2 connection signed with `creds` (httplib2 is not thread-safe: one per
    thread). Our own Http, so the timeout is ours (the library's default is 60 s);
    AuthorizedHttp refreshes the token before the first request and again on a 401 (twice
    at most)."""
    import google_auth_httplib2
    import httplib2

    return google_auth_httplib2.AuthorizedHttp(OneRefresh(creds), http=httplib2.Http(timeout=timeout))


def build_service(creds, api_endpoint: str, timeout: float):
    from googleapiclient.discovery import build

    return build(
        "calendar",
        "v3",
        http=authorized_http(creds, timeout),
        client_options={"api_endpoint": api_endpoint},
        static_discovery=True,
        cache_discovery=False,
        model=json_model(),
    )


_shared_lock = threading.Lock()
_shared: dict[tuple, tuple] = {}  # (id(creds), endpoint, timeout) -> (creds, service, events())


def shared_events(creds, api_endpoint: str, timeout: float):
    """(service, its `events()`) for a sign-in, one per process: every calendar and thread
    asks through them, each request carrying its thread's own connection
    (`execute(http=…)`, as the library's thread-safety page says). A service per thread
    built the discovery document's methods and their docstrings again each time: 10
    calendars, 10 builds, 45 ms and 5 MB. A new sign-in (another credentials object) gets
    its own."""
    key = (id(creds), api_endpoint, timeout)
    with _shared_lock:
        got = _shared.get(key)
        if got is None or got[0] is not creds:
            if len(_shared) >= 4:  # sign-ins replaced by `login`: let them go
                _shared.clear()
            service = build_service(creds, api_endpoint, timeout)
            got = _shared[key] = (creds, service, service.events())
    return got[1], got[2]


@functools.cache  # one for every calendar: it keeps no state
def json_model():
    """The library's JsonModel (calendar v3 has no data wrapper), decoding a page with
    json_codec: a heavy calendar's 14 MB of pages in less time, read as bytes (no decoded
    copy). What is not JSON goes to the library's own handling."""
    from googleapiclient.model import JsonModel

    from webinar_tray.json_codec import loads

    class FastJsonModel(JsonModel):
        def deserialize(self, content):
            try:
                return loads(content)
            except (ValueError, UnicodeDecodeError):
                return JsonModel.deserialize(self, content)

    return FastJsonModel(data_wrapper=False)
