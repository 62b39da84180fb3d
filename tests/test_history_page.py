"""The tray's history page: real store rows -> an escaped HTML page and the CSV next to it."""

from datetime import datetime, timedelta, timezone
from types import SimpleNamespace

from webinar_tray.runtime.store import Attendance, Store
from webinar_tray.history_page import write_history_page


def test_history_page_escapes_titles_cuts_queries_and_links_evidence(tmp_path):
    store = Store(tmp_path / "db.sqlite3")
    t = datetime(2026, 11, 20, 14, 0, tzinfo=timezone.utc)
    shot = tmp_path / "evidence" / "a b.png"
    a = Attendance(id="c/e/1", title="<script>alert(1)</script> Cloud & AI", provider="BrightTALK",
                   join_url="https://www.brighttalk.com/webcast/1/2?secret=XYZ", start=t,
                   end=t + timedelta(hours=1), state="attended", joined_at=t,
                   left_at=t + timedelta(hours=1), evidence=[str(shot)],
                   gaps=[{"from": (t + timedelta(minutes=5)).isoformat(),
                          "to": (t + timedelta(minutes=7)).isoformat(), "why": "browser closed"}])
    store.claim(a, t)
    store.update(a, t)
    failed = Attendance(id="c/e/2", title="Failed one", provider=None, join_url=None, start=t,
                        end=t + timedelta(hours=1), state="failed", error="button: no Join button")
    store.claim(failed, t)
    page = write_history_page(store, SimpleNamespace(data_dir=tmp_path), t + timedelta(days=1))
    text = page.read_text()
    assert "<script>alert" not in text and "&lt;script&gt;alert(1)&lt;/script&gt; Cloud &amp; AI" in text
    assert "secret" not in text and "XYZ" not in text and "www.brighttalk.com/webcast/1/2" in text
    assert shot.as_uri() in text and "browser closed" in text and "button: no Join button" in text
    assert "58" in text  # 60 minutes less the 2-minute gap
    csv_text = (tmp_path / "history.csv").read_text()
    assert csv_text.splitlines()[0].startswith("id,title,provider") and len(csv_text.splitlines()) == 3
    store.close()


def test_history_page_strips_bidi_overrides_and_controls_from_titles_and_errors(tmp_path):
    store = Store(tmp_path / "db.sqlite3")
    t = datetime(2026, 11, 20, 14, 0, tzinfo=timezone.utc)
    a = Attendance(id="c/e/1", title="Invoice \u202egnp.exe\u202c \u2067x\u2069\x1b[2K", provider="Zoom",
                   join_url="https://us02web.zoom.us/j/8123?pwd=SECRETPWD", start=t, end=t + timedelta(hours=1),
                   state="failed", error="step \u202eesrever\x07\nline")
    store.claim(a, t)
    page = write_history_page(store, SimpleNamespace(data_dir=tmp_path), t + timedelta(days=1))
    text = page.read_text()
    assert "Invoice gnp.exe x[2K" in text and "step esrever line" in text
    assert not any(ch in text for ch in "\u202e\u202c\u2067\u2069\x1b\x07")
    assert "SECRETPWD" not in text and "SECRETPWD" not in (tmp_path / "history.csv").read_text()
    store.close()
