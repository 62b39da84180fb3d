"""The demo webinar site over plain HTTP (the browser side is exercised by test_joiner.py)."""

from __future__ import annotations

import json
import urllib.error
import urllib.request
from datetime import datetime, timezone
from urllib.parse import parse_qs, urlsplit

import pytest

from webinar_tray.demo.site import DemoSite


def get(url: str) -> tuple[int, str]:
    try:
        with urllib.request.urlopen(url, timeout=5) as r:
            return r.status, r.read().decode()
    except urllib.error.HTTPError as e:
        return e.code, e.read().decode()


def test_binds_loopback_only(site):
    assert site.base_url.startswith("http://127.0.0.1:")
    assert site._server.server_address[0] == "127.0.0.1"
    assert site.start() == site.base_url  # idempotent


def test_url_for_flags_and_end():
    s = DemoSite()
    with pytest.raises(RuntimeError):
        s.url_for("x")
    with s:
        end = datetime(2030, 1, 1, tzinfo=timezone.utc)
        url = s.url_for("my-webinar", ends_at=end, login=True, nobutton=False, delay=2.5)
        parts = urlsplit(url)
        assert parts.path == "/webinar/my-webinar"
        q = parse_qs(parts.query)
        assert q == {"ends": [f"{end.timestamp():.3f}"], "login": ["1"], "delay": ["2.5"]}
        assert s.url_for("plain") == f"{s.base_url}/webinar/plain"
        with pytest.raises(ValueError):
            s.url_for("../etc")


def test_page_frame_and_events_are_recorded(site):
    url = site.url_for("quarterly-update", form=True, title="Q3 <update>")
    status, body = get(url)
    assert status == 200
    assert 'id="bt-player-wrapper-iframe"' in body
    assert "onetrust-accept-btn-handler" in body
    assert "Q3 &lt;update&gt;" in body and "Q3 <update>" not in body
    assert "/player/quarterly-update?" in body and "form=1" in body  # flags reach the player

    status, player = get(f"{site.base_url}/player/quarterly-update?form=1")
    assert status == 200 and '"form": true' in player

    assert get(f"{site.base_url}/api/event?slug=quarterly-update&kind=enter")[0] == 200
    assert get(f"{site.base_url}/api/event?slug=quarterly-update&kind=evil")[0] == 400
    kinds = [(v.slug, v.kind, v.path) for v in site.visits]
    assert kinds == [
        ("quarterly-update", "page", "/webinar/quarterly-update"),
        ("quarterly-update", "frame", "/player/quarterly-update"),
        ("quarterly-update", "enter", "/api/event"),
    ]
    assert all(v.at.tzinfo is not None for v in site.visits)
    assert [v.kind for v in site.visits_of("quarterly-update", "enter")] == ["enter"]

    status, body = get(f"{site.base_url}/api/visits")
    rows = json.loads(body)
    assert [r["kind"] for r in rows] == ["page", "frame", "enter"]
    assert datetime.fromisoformat(rows[0]["at"]).tzinfo is not None


def test_unknown_paths(site):
    assert get(f"{site.base_url}/webinar/bad%20slug")[0] == 404
    assert get(f"{site.base_url}/nothing")[0] == 404
    assert get(f"{site.base_url}/")[0] == 200
    assert site.visits == []


def test_stop_closes_the_port():
    s = DemoSite()
    base = s.start()
    s.stop()
    with pytest.raises(OSError):
        urllib.request.urlopen(base + "/", timeout=2)
    s.stop()  # twice is fine
