"""The Calendar API service object (google-api-python-client's discovery client) for a sign-in:
one per thread (api.py), with our own timeout and a faster JSON model, and one token refresh for
all the calendars asking at once (`OneRefresh`)."""

from __future__ import annotations

import functools
import threading

_refreshing = threading.Lock()


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


def build_service(creds, api_endpoint: str, timeout: float):
    import google_auth_httplib2
    import httplib2
    from googleapiclient.discovery import build

    # build(credentials=…) would make an httplib2.Http with a 60 s timeout; we pass our own so
    # the timeout is ours. AuthorizedHttp refreshes the token before the first request and
    # again on a 401 (twice at most).
    http = google_auth_httplib2.AuthorizedHttp(OneRefresh(creds), http=httplib2.Http(timeout=timeout))
    return build(
        "calendar",
        "v3",
        http=http,
        client_options={"api_endpoint": api_endpoint},
        static_discovery=True,
        cache_discovery=False,
        model=json_model(),
    )


@functools.cache  # one for every calendar: it keeps no state
def json_model():
    """The library's JsonModel (calendar v3 has no data wrapper), decoding a page with
    json_codec: a heavy calendar's 21 MB of pages in less time, read as bytes (no decoded
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
