"""What of a link may be shown (logs, notifications, menus): no query, no secret path tail."""

import pytest

from webinar_tray.core.redact import SafeUrl, cut_urls, safe_url


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
    ("https://data:text/html,", "https://data/html,"), ("https://h.example:99999/x?y", "https://h.example/x"),
])
def test_safe_url(url, shown):
    assert safe_url(url) == shown


def test_safeurl_renders_as_safe_url_only():
    u = SafeUrl("https://us02web.zoom.us/j/81234567890?pwd=SECRET")
    for shown in (str(u), repr(u), f"{u}", "%s" % u, "%r" % (u,)):
        assert shown == "https://us02web.zoom.us/j/81234567890"
    assert str(SafeUrl(None)) == ""


@pytest.mark.parametrize("text, cut", [
    ("see https://cal.example.com/private-abc/basic.ics?x=1 now", "see https://cal.example.com/… now"),
    ("at https://bob:pw@h.example:8443, then", "at https://h.example:8443/…, then"),
    ("http://[::1]:8080/x?y", "http://[::1]:8080/…"),
    ("https://h.example/ and webcal://h.example", "https://h.example/ and webcal://h.example"),
    ("file:///home/u/private.ics.", "file:///…."),
    ("https://h.example:99999/x", "https://…"),
    ("no links: a@b.example, x://", "no links: a@b.example, x://"),
])
def test_cut_urls_to_scheme_and_host(text, cut):
    assert cut_urls(text) == cut
    assert cut_urls(cut) == cut  # idempotent
