"""The CPE report page (the tray's "Open history" and `history --cpe --html`): real store rows ->
a page that real Chromium shows with its evidence thumbnails and prints one page per month."""

from __future__ import annotations

import re
from datetime import datetime, timedelta, timezone
from types import SimpleNamespace

from PIL import Image

from webinar_tray.core.attendance import Gap
from webinar_tray.core.settings import HistorySettings
from webinar_tray.cpe_page import write_cpe_page
from webinar_tray.runtime.store import Attendance, Store

T = datetime(2026, 11, 20, 14, 0, tzinfo=timezone.utc)


def _shot(path, colour):
    path.parent.mkdir(parents=True, exist_ok=True)
    Image.new("RGB", (640, 360), colour).save(path)
    return str(path)


def _store(tmp_path) -> Store:
    store = Store(tmp_path / "db.sqlite3")
    shots = [_shot(tmp_path / "evidence" / "nov 1.png", "navy"), _shot(tmp_path / "evidence" / "nov 2.png", "teal")]
    rows = [
        Attendance(id="c/e/nov", title="<script>alert(1)</script> Cloud & AI", provider="BrightTALK",
                   join_url="https://www.brighttalk.com/webcast/1/2?secret=XYZ", start=T, end=T + timedelta(hours=1),
                   state="attended", joined_at=T, left_at=T + timedelta(hours=1), evidence=shots,
                   organizer="events@isc2.org"),
        Attendance(id="c/e/dec", title="Zero trust \u202egnp.exe", provider="Zoom", join_url=None,
                   start=T + timedelta(days=14), end=T + timedelta(days=14, hours=1), state="partial",
                   joined_at=T + timedelta(days=14), left_at=T + timedelta(days=14, hours=1),
                   gaps=[Gap(T + timedelta(days=14, minutes=10), T + timedelta(days=14, minutes=25), "page crashed")],
                   evidence=[str(tmp_path / "evidence" / "pruned.png")]),
        Attendance(id="c/e/failed", title="Failed one", provider=None, join_url=None, start=T,
                   end=T + timedelta(hours=1), state="failed", error="button: no Join button"),
    ]
    for a in rows:
        store.claim(a, T)
    return store


def test_the_page_lists_credits_and_totals_escapes_calendar_text_and_links_the_full_history(tmp_path):
    store = _store(tmp_path)
    page = write_cpe_page(store, HistorySettings(), SimpleNamespace(data_dir=tmp_path), T + timedelta(days=30))
    store.close()
    assert page == tmp_path / "cpe.html"
    text = page.read_text()
    assert "<script>alert" not in text and "&lt;script&gt;alert(1)&lt;/script&gt; Cloud &amp; AI" in text
    assert "\u202e" not in text and "Zero trust gnp.exe" in text
    assert "secret" not in text and "XYZ" not in text
    assert "events@isc2.org" in text and "15 min of gaps (page crashed)" in text
    assert "screenshot 1 deleted" in text  # the pruned file
    assert "Failed one" in text and "button: no Join button" in text  # not counted, still shown
    assert "href='history.html'" in text and "href='cpe.csv'" in text
    assert (tmp_path / "history.html").exists() and (tmp_path / "history.csv").exists()
    csv_lines = (tmp_path / "cpe.csv").read_text().splitlines()
    assert csv_lines[0] == "id,title,provider,organizer,start,minutes,credits,outcome,reason,evidence"
    assert len(csv_lines) == 3  # the failed record earns nothing and is not a CPE row
    assert "1.75 credits" in text  # 1 (60 min) + 0.75 (45 min)


def test_chromium_shows_the_thumbnails_and_prints_one_page_per_month(tmp_path, chromium):
    from playwright.sync_api import sync_playwright

    store = _store(tmp_path)
    page_file = write_cpe_page(store, HistorySettings(), SimpleNamespace(data_dir=tmp_path), T + timedelta(days=30))
    store.close()
    with sync_playwright() as p:
        browser = p.chromium.launch(executable_path=chromium, headless=True)
        try:
            page = browser.new_page()
            page.goto(page_file.as_uri())
            page.wait_for_load_state("load")
            widths = page.eval_on_selector_all("img.shot", "imgs => imgs.map(i => i.naturalWidth)")
            assert widths == [640, 640], "both screenshots of the November webinar load as thumbnails"
            heights = page.eval_on_selector_all("img.shot", "imgs => imgs.map(i => i.getBoundingClientRect().height)")
            assert all(h < 100 for h in heights), "thumbnails, not full-size screenshots"
            assert page.locator("section.month h2").all_inner_texts() == ["November 2026", "December 2026"]
            assert page.locator("a[href='history.html']").is_visible()
            pdf = page.pdf(format="A4")
        finally:
            browser.close()
    pages = len(re.findall(rb"/Type\s*/Page\b(?!s)", pdf))
    assert pages == 3, "a page for November, one for December, one for the years' totals"
    assert b"history.html" not in pdf, "the screen-only links are not printed"
