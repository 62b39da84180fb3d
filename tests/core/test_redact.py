"""What of a link may be shown (logs, notifications, menus): no query, no secret path tail."""

import pytest

from webinar_tray.core.redact import safe_url


@pytest.mark.parametrize("url, shown", [
    ("https://us02web.zoom.us/j/81234567890?pwd=SECRET", "https://us02web.zoom.us/j/81234567890"),
    ("https://event.on24.com/wcc/r/4567890/ABCDEF0123456789?partnerref=x",
     "https://event.on24.com/wcc/r/4567890/…"),
    ("https://event.on24.com/wcc/r/4567890/ABCDEF/extra", "https://event.on24.com/wcc/r/4567890/…"),
    ("https://event.on24.com/eventRegistration/EventLobbyServlet?target=reg.jsp&key=K",
     "https://event.on24.com/eventRegistration/EventLobbyServlet"),
    ("https://notevent-on24.com/wcc/r/1/KEY", "https://notevent-on24.com/wcc/r/1/KEY"),
    ("http://127.0.0.1:8080/webinar/x?title=T#frag", "http://127.0.0.1:8080/webinar/x"),
    ("", ""), (None, ""), ("no-scheme", "<link>"),
])
def test_safe_url(url, shown):
    assert safe_url(url) == shown
