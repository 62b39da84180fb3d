"""The fake Google's partial response (`fields=`), against the syntax Google documents
(developers.google.com/workspace/calendar/api/guides/performance, "Partial response"), and the
app's own selections: what the app reads must be what it asks for."""

from __future__ import annotations

import pytest

from tests import fakegoogle_fields as fields
from tests.fakegoogle import fake_google, gevent  # noqa: F401 (fixture)

ITEM = {"id": "e1", "summary": "S", "etag": "x", "start": {"dateTime": "2026-12-01T10:00:00Z", "timeZone": "UTC"},
        "organizer": {"email": "o@x", "self": True},
        "attendees": [{"email": "a@x", "self": True, "responseStatus": "accepted", "comment": "c"},
                      {"email": "b@x", "optional": True}],
        "conferenceData": {"entryPoints": [{"entryPointType": "video", "uri": "https://meet/x", "label": "l"}],
                           "conferenceId": "c"}}


@pytest.mark.parametrize("sel, expect", [
    ("id", {"id": "e1"}),
    ("id,summary", {"id": "e1", "summary": "S"}),
    ("start", {"start": ITEM["start"]}),  # a whole object
    ("start/dateTime", {"start": {"dateTime": "2026-12-01T10:00:00Z"}}),  # a/b
    ("organizer(email)", {"organizer": {"email": "o@x"}}),  # a(b)
    ("attendees(email,self)", {"attendees": [{"email": "a@x", "self": True}, {"email": "b@x"}]}),  # each element
    ("conferenceData(entryPoints(uri))", {"conferenceData": {"entryPoints": [{"uri": "https://meet/x"}]}}),
    ("conferenceData/entryPoints/uri", {"conferenceData": {"entryPoints": [{"uri": "https://meet/x"}]}}),
    ("organizer/*", {"organizer": ITEM["organizer"]}),  # every field at its level
    ("nothing,id", {"id": "e1"}),  # a field the resource lacks is left out
    ("start/dateTime,start", {"start": ITEM["start"]}),  # the whole wins over a part
    ("attendees(email),attendees(self)", {"attendees": [{"email": "a@x", "self": True}, {"email": "b@x"}]}),
    (" id , summary ", {"id": "e1", "summary": "S"}),
])
def test_google_documented_selections(sel, expect):
    assert fields.select(ITEM, fields.parse(sel)) == expect


@pytest.mark.parametrize("bad", ["", "id,", "a(b", "a()", "a/", "(a)", "a)b", "a,,b"])
def test_selections_that_cannot_be_read_are_refused(bad):
    with pytest.raises(ValueError):
        fields.parse(bad)


def test_a_page_keeps_only_what_the_app_asks_for(fake_google):
    """Over HTTP, through the fake: the app's full-sync selection leaves out what it never
    reads, and keeps every field of EVENT_FIELDS an item has."""
    import json
    import urllib.error
    import urllib.parse
    import urllib.request

    from webinar_tray.adapters.calendar.google.api import EVENT_FIELDS, LIST_FIELDS

    fake_google.calendars["primary"] = [gevent("e1", "Webinar", "2026-12-01T10:00:00+00:00", self_response="accepted",
                                               video="https://meet.google.com/abc-defg-hij", location="Online")]
    q = urllib.parse.urlencode({"singleEvents": "false", "fields": LIST_FIELDS})
    req = urllib.request.Request(f"{fake_google.api_endpoint}calendars/primary/events?{q}",
                                 headers={"Authorization": f"Bearer {fake_google.issue_access_token()}"})
    page = json.loads(urllib.request.urlopen(req).read())
    assert set(page) == {"summary", "timeZone", "items", "nextSyncToken"}
    [item] = page["items"]
    assert set(item) <= set(fields.parse(EVENT_FIELDS)) and {"kind", "etag", "htmlLink", "created", "creator", "iCalUID"}.isdisjoint(item)
    assert item["organizer"] == {"email": "organizer@example.com"}
    assert item["conferenceData"] == {"entryPoints": [{"entryPointType": "video", "uri": "https://meet.google.com/abc-defg-hij"},
                                                      {"entryPointType": "phone", "uri": "tel:+1-555-0100"}]}
    bad = urllib.request.Request(f"{fake_google.api_endpoint}calendars/primary/events?fields=items(id",
                                 headers={"Authorization": f"Bearer {fake_google.issue_access_token()}"})
    with pytest.raises(urllib.error.HTTPError) as e:
        urllib.request.urlopen(bad)
    assert e.value.code == 400
