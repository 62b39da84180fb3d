"""The tray's "Open history": the attendance records as a local web page (for CPE claims), with
the same records as CSV next to it. Written to the data folder and opened with the desktop's
browser; everything from the calendar is cleaned (core.text.clean_line: control and bidi-override
characters out, so a title cannot read backwards) and HTML-escaped; links are scheme://host/path."""

from __future__ import annotations

import html
from datetime import datetime
from pathlib import Path

from webinar_tray import output
from webinar_tray.config.private import write_private
from webinar_tray.core.redact import safe_url
from webinar_tray.core.text import clean_line
from webinar_tray.runtime.store import FINAL_STATES, Store

STYLE = """
body{font:14px/1.4 system-ui,-apple-system,Segoe UI,Roboto,sans-serif;margin:2em;color:#222}
table{border-collapse:collapse;width:100%}th,td{border-bottom:1px solid #ddd;padding:.4em .6em;
text-align:left;vertical-align:top}th{background:#f4f4f4}td.n{text-align:right}
.attended{color:#17692c}.partial{color:#9a5b00}.failed,.missed{color:#a4161a}small{color:#666}
"""


def _local(iso: str | None) -> str:
    return datetime.fromisoformat(iso).astimezone().strftime("%a %d %b %Y %H:%M") if iso else ""


def history_html(rows: list[dict], now: datetime, csv_name: str = "history.csv") -> str:
    e = html.escape
    total = sum(r["minutes"] or 0 for r in rows if r["outcome"] in ("attended", "partial"))
    out = [
        "<!doctype html><html><head><meta charset='utf-8'><title>webinar-tray history</title>",
        f"<style>{STYLE}</style></head><body>",
        "<h1>Webinar attendance</h1>",
        f"<p>{len(rows)} records, {total / 60:.1f} hours attended. "
        f"<a href='{e(csv_name)}'>Download as CSV</a> · written {e(now.astimezone().strftime('%d %b %Y %H:%M'))}</p>",
        "<table><tr><th>Start</th><th>Webinar</th><th>Minutes</th><th>Outcome</th>"
        "<th>Gaps / error</th><th>Evidence</th></tr>",
    ]
    for r in rows:
        where = " · ".join(x for x in (clean_line(r["provider"]), safe_url(r["join_url"])) if x)
        gaps = "<br>".join(f"{e(_local(g['from']))}–{e(_local(g['to'])[-5:])} {e(clean_line(g['why']))}"
                           for g in r["gaps"])
        notes = "<br>".join(x for x in (gaps, e(clean_line(r["error"]))) if x)
        shots = " ".join(f"<a href='{e(Path(p).as_uri())}'>{i}</a>" for i, p in enumerate(r["evidence"], 1))
        out.append(
            f"<tr><td>{e(_local(r['start']))}</td><td>{e(clean_line(r['title']))}<br><small>{e(where)}</small></td>"
            f"<td class='n'>{r['minutes'] or 0:g}</td><td class='{e(r['outcome'])}'>{e(r['outcome'])}</td>"
            f"<td>{notes}</td><td>{shots}</td></tr>"
        )
    out.append("</table></body></html>")
    return "\n".join(out)


def write_history_page(store: Store, paths, now: datetime) -> Path:
    rows = [output.history_row(a) for a in store.attendances(FINAL_STATES)]
    page = Path(paths.data_dir) / "history.html"
    write_private(page.with_suffix(".csv"), output.history_csv(rows).encode("utf-8"))
    write_private(page, history_html(rows, now).encode("utf-8"))
    return page
