"""Link detection on big and hostile descriptions (anyone who can send an invite controls one).
Prints the time per input; never asserted in tests.   uv run python -m bench.link_detection"""

from __future__ import annotations

import sys
import time
from datetime import datetime, timezone
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from webinar_tray.core.events import CalendarEvent  # noqa: E402
from bench import figures  # noqa: E402
from tests.core.test_link_ranking import AGENDA, _every_join_link  # noqa: E402
from webinar_tray.core.links import best_link, strip_html  # noqa: E402

MB = 1_000_000
T = datetime(2026, 1, 1, tzinfo=timezone.utc)
CASES = {
    "1 MB plain text, link at the end": "lorem ipsum " * (MB // 12) + " https://zoom.us/w/1",
    "1 MB HTML invite, link at the end": "<p>Agenda <b>item</b> &amp; more</p>\n" * (MB // 36)
    + '<a href="https://teams.microsoft.com/l/meetup-join/19%3a">Join</a>',
    "1 MB unclosed <a href=": '<a href="' * (MB // 9),
    "1 MB comment starts": "<!--" * (MB // 4),
    "50,000 links": " ".join(f"https://a.example/{i}" for i in range(50_000)),
    "1 MB one long URL": "https://a.example/" + "x" * MB + " https://zoom.us/w/1",
    "1 MB of character references": "&#x68;&amp;&colon;" * (MB // 18) + " https://zoom.us/w/1",
}


def hostile() -> None:
    for name, text in CASES.items():
        ev = CalendarEvent(calendar_id="c", event_id="e", title="t", start=T, end=T, description=text)
        t0 = time.perf_counter()
        link = best_link(ev)
        t1 = time.perf_counter()
        strip_html(text)
        t2 = time.perf_counter()
        print(f"{name:<36} best_link {t1 - t0:6.3f} s   strip_html {t2 - t1:6.3f} s   -> {link.url[:40] if link else None}")


def per_invitation() -> list:
    """Per event, as invitations are written: an Outlook-like HTML invite with an agenda link
    before the join link, one for every join link in the catalogue's tables and MeetingBar's
    list. Uncached: what one new series costs the planner."""
    FILLER = "<p style='margin:0'><span style='font-family:Segoe UI'>Agenda item &amp; notes</span></p>\n" * 60
    links = _every_join_link()
    events = [CalendarEvent(calendar_id="c", event_id=str(i), title="t", start=T, end=T,
                            description=f'<html><body>{FILLER}<a href="{AGENDA}">Agenda</a>{FILLER}'
                                        f'<a href="{u.replace("&", "&amp;")}">Join</a>{FILLER}</body></html>')
              for i, u in enumerate(links)]
    t0 = time.perf_counter()
    picked = [best_link(e) for e in events]
    t1 = time.perf_counter()
    right = sum(1 for p, u in zip(picked, links) if p is not None and p.url == u)
    size = sum(len(e.description) for e in events) // len(events)
    print(f"{len(events)} invitations of {size:,} characters: {(t1 - t0) / len(events) * 1e6:7.0f} us per event; "
          f"join link picked over an earlier agenda link in {right} of {len(links)}")
    return [figures.Figure("links", f"link detection per new invitation ({size // 1000} KB HTML)",
                           (t1 - t0) / len(events) * 1e3, "ms"),
            figures.Figure("links", "join link picked over an earlier agenda link", right, "of "
                           + str(len(links)), target=f"all {len(links)}")]


if __name__ == "__main__":
    import argparse

    ap = argparse.ArgumentParser()
    figures.add_argument(ap)
    a = ap.parse_args()
    hostile()
    figures.emit(a.figures, per_invitation())
