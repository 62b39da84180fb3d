"""The setup page's guards, over raw HTTP (http.client): the one-time token, the cookie it buys,
the Host check (DNS rebinding), the CSRF token on every POST; and nothing secret in the log."""

from __future__ import annotations

import re
from urllib.parse import urlencode

from tests.setup.conftest import request, sign_in


def test_the_token_buys_an_httponly_strict_cookie_and_a_reload_keeps_working(served):
    server, _, _ = served
    r = request(server, "GET", "/" + server.new_link().split("/", 3)[3])
    cookie_header = r.getheader("Set-Cookie")
    assert r.status == 303 and r.getheader("Location") == "/"
    assert "HttpOnly" in cookie_header and "SameSite=Strict" in cookie_header
    cookie = cookie_header.split(";")[0]
    for _ in range(2):  # a reload
        page = request(server, "GET", "/", cookie=cookie)
        assert page.status == 200 and b"webinar-tray setup" in page.data
    assert "frame-ancestors 'none'" in page.getheader("Content-Security-Policy")


def test_a_used_or_unknown_token_is_refused_without_a_cookie(served):
    server, _, _ = served
    link = "/" + server.new_link().split("/", 3)[3]
    assert request(server, "GET", link).status == 303
    again = request(server, "GET", link)  # used once already: stale
    assert again.status == 403 and b"no longer valid" in again.data
    assert request(server, "GET", "/?t=made-up").status == 403
    assert request(server, "GET", "/").status == 403  # no cookie at all
    assert request(server, "GET", "/", cookie=f"{server.cookie_name}=forged").status == 403


def test_a_token_of_an_earlier_run_is_stale(home, tmp_path, monkeypatch):
    from webinar_tray.compose import Context
    from webinar_tray.config.paths import resolve_paths
    from webinar_tray.setup.app import serve
    from webinar_tray.setup.backend import standalone

    backend = standalone(Context.load(resolve_paths(str(home))))
    first = serve(backend)
    old = first.new_link().split("?", 1)[1]
    first.stop()
    second = serve(backend)
    try:
        r = request(second, "GET", f"/?{old}")
        assert r.status == 403 and b"webinar-tray setup" in r.data  # says what to do
    finally:
        second.stop()


def test_a_wrong_host_header_is_refused_even_with_a_good_cookie(served):
    server, _, _ = served
    cookie = sign_in(server)
    for host in ("evil.example:%d" % server.port, "127.0.0.1", "localhost:1", "127.0.0.1.nip.io:%d" % server.port):
        r = request(server, "GET", "/", host=host, cookie=cookie)
        assert r.status == 403 and b"Host" in r.data, host
    assert request(server, "GET", "/", host=f"localhost:{server.port}", cookie=cookie).status == 200
    link = server.new_link().split("/", 3)[3]  # the token is not spent by a rebinding page
    assert request(server, "GET", "/" + link, host="evil.example").status == 403
    assert request(server, "GET", "/" + link).status == 303


def test_a_post_without_the_csrf_token_changes_nothing(served):
    server, _, paths = served
    cookie = sign_in(server)
    before = paths.config_file.read_text()
    for body in ({"name": "Mallory"}, {"name": "Mallory", "csrf": "wrong"}):
        r = request(server, "POST", "/you", cookie=cookie, body=urlencode(body))
        assert r.status == 403 and b"CSRF" in r.data
    assert paths.config_file.read_text() == before
    page = request(server, "GET", "/", cookie=cookie).data.decode()
    csrf = re.search(r'name="csrf" value="([^"]+)"', page).group(1)
    r = request(server, "POST", "/you", cookie=cookie, body=urlencode({"name": "Ada", "email": "ada@example.org", "csrf": csrf}))
    assert r.status == 303 and r.getheader("Location") == "/#you"
    text = paths.config_file.read_text()
    assert 'name = "Ada"' in text and "# my settings" in text and "# keep it hidden" in text


def test_the_terminal_gets_the_address_and_the_log_file_not_its_token(served, tmp_path, capsys):
    import logging

    from webinar_tray import logsetup
    from webinar_tray.commands.setup import _show

    server, _, _ = served
    root = logging.getLogger()
    saved = (root.handlers[:], root.level)
    log_file = tmp_path / "logs" / "w.log"
    logsetup.setup(log_file, stderr=False)
    try:
        link = server.new_link()
        _show(link, False, "served by this test")
    finally:
        for h in root.handlers:
            h.flush()
        root.handlers[:], root.level = saved
    token = link.split("t=", 1)[1]
    assert link in capsys.readouterr().out
    text = log_file.read_text()
    assert f"127.0.0.1:{server.port}" in text and token not in text
