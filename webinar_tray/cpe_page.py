"""The CPE report as a web page: `history --cpe --html`, and the tray's "Open history".

One section per month, a printed page each (print CSS), then the years' totals on a last page.
Each webinar has its local date and time, minutes, credits, outcome (and why it is partial) and
thumbnails of its evidence screenshots. The tray's page also lists the records that earned no
credit (failed, missed) and links the full history (history_page.py) and both CSVs. Everything
from the calendar is cleaned (core.text.clean_line) and HTML-escaped; evidence is linked only as
a local file of ours."""

from __future__ import annotations

import html
from datetime import date, datetime
from pathlib import Path

from webinar_tray import output
from webinar_tray.config.private import write_private
from webinar_tray.core.attendance import FAILED, MISSED, Attendance
from webinar_tray.core.cpe import CpeReport, CpeWebinar, report
from webinar_tray.core.settings import HistorySettings
from webinar_tray.core.text import clean_line

STYLE = """
body{font:14px/1.4 system-ui,-apple-system,Segoe UI,Roboto,sans-serif;margin:2em;color:#222}
table{border-collapse:collapse;width:100%}th,td{border-bottom:1px solid #ddd;padding:.4em .6em;
text-align:left;vertical-align:top}th{background:#f4f4f4}td.n,th.n{text-align:right}
tfoot td{font-weight:600;border-bottom:none}small{color:#666}.why{color:#9a5b00}
.attended{color:#17692c}.partial{color:#9a5b00}.failed,.missed{color:#a4161a}
img.shot{height:72px;width:auto;margin:0 .3em .3em 0;border:1px solid #ccc}.gone{color:#999}
@page{margin:1.5cm}
@media print{body{margin:0}.screen{display:none}section.month{break-after:page}
tr{break-inside:avoid}a{color:inherit;text-decoration:none}}
"""


def _e(text: object) -> str:
    return html.escape(clean_line(text))


def _shots(evidence: tuple[str, ...]) -> str:
    out = []
    for i, p in enumerate(evidence, 1):
        path = Path(p)
        if not path.is_absolute() or not path.exists():
            out.append(f"<span class='gone'>screenshot {i} deleted</span>")
            continue
        uri = html.escape(path.as_uri())
        out.append(f"<a href='{uri}'><img class='shot' src='{uri}' alt='screenshot {i}'></a>")
    return " ".join(out)


def _row(w: CpeWebinar) -> str:
    who = " · ".join(clean_line(x) for x in (w.provider, w.organizer) if x)
    why = f"<br><small class='why'>{_e(w.reason)}</small>" if w.reason else ""
    return (f"<tr><td>{w.start.astimezone():%a %d %b %Y %H:%M}</td>"
            f"<td>{_e(w.title)}<br><small>{html.escape(who)}</small></td>"
            f"<td class='n'>{w.minutes:.1f}</td><td class='n'>{w.credits:g}</td>"
            f"<td class='{_e(w.outcome)}'>{_e(w.outcome)}{why}</td><td>{_shots(w.evidence)}</td></tr>")


def _months(r: CpeReport) -> list[str]:
    by_month: dict[str, list[CpeWebinar]] = {}
    for w in r.webinars:
        by_month.setdefault(f"{w.start.astimezone():%Y-%m}", []).append(w)
    out = []
    for m in r.months:
        title = datetime.strptime(m.period, "%Y-%m").strftime("%B %Y")
        out += [f"<section class='month' id='m{m.period}'><h2>{title}</h2>",
                "<table><thead><tr><th>Date</th><th>Webinar</th><th class='n'>Minutes</th>"
                "<th class='n'>Credits</th><th>Outcome</th><th>Evidence</th></tr></thead><tbody>"]
        out += [_row(w) for w in by_month.get(m.period, [])]
        out.append(f"</tbody><tfoot><tr><td colspan='2'>{title}: {output.plural(m.webinars, 'webinar')}</td>"
                   f"<td class='n'>{m.minutes:.1f}</td><td class='n'>{m.credits:g}</td>"
                   "<td colspan='2'></td></tr></tfoot></table></section>")
    return out


NOT_COUNTED_SHOWN = 20


def _not_counted(records: list[Attendance]) -> list[str]:
    """The newest failed and missed records (the tray's "Failed: …" item opens this page)."""
    if not records:
        return []
    items = "".join(f"<li>{a.start.astimezone():%d %b %Y %H:%M} {_e(a.title)} — "
                    f"<span class='{_e(a.state)}'>{_e(a.state)}</span>: {_e(a.error)}</li>"
                    for a in records[:NOT_COUNTED_SHOWN])
    if len(records) > NOT_COUNTED_SHOWN:
        items += f"<li>… and {len(records) - NOT_COUNTED_SHOWN} more in the full history</li>"
    return [f"<section class='screen'><h2>Not counted</h2><ul>{items}</ul></section>"]


def cpe_html(r: CpeReport, now: datetime, *, first: date | None = None, last: date | None = None,
             links: dict[str, str] | None = None, not_counted: list[Attendance] | None = None) -> str:
    """The page. `links`: {file name: what it is}, shown on screen only (the tray's full history
    and CSVs beside the page)."""
    period = " – ".join(x for x in (str(first or ""), str(last or "")) if x) or "all records"
    more = " · ".join(f"<a href='{html.escape(href)}'>{html.escape(text)}</a>"
                      for href, text in (links or {}).items())
    out = [
        "<!doctype html><html><head><meta charset='utf-8'><title>webinar-tray CPE report</title>",
        f"<style>{STYLE}</style></head><body>",
        "<h1>CPE report</h1>",
        f"<p>{html.escape(period)}: {output.plural(len(r.webinars), 'webinar')}, "
        f"<b>{output.plural(r.credits, 'credit')}</b> "
        f"({r.minutes_per_credit:g} minutes a credit, rounded down to {r.credit_step:g}; "
        f"gaps not counted). Written {now.astimezone():%d %b %Y %H:%M}.</p>",
    ]
    if more:
        out.append(f"<p class='screen'>{more}</p>")
    if not r.webinars:
        out.append("<p>No attended webinars in this period.</p>")
    out += _months(r)
    if r.years:
        out.append("<section class='years'><h2>Years</h2><table><thead><tr><th>Year</th>"
                   "<th class='n'>Webinars</th><th class='n'>Minutes</th><th class='n'>Credits</th>"
                   "</tr></thead><tbody>")
        out += [f"<tr><td>{y.period}</td><td class='n'>{y.webinars}</td><td class='n'>{y.minutes:.1f}</td>"
                f"<td class='n'>{y.credits:g}</td></tr>" for y in r.years]
        out.append("</tbody></table></section>")
    out += _not_counted(not_counted or [])
    out.append("</body></html>")
    return "\n".join(out)


def write_cpe_page(store, settings: HistorySettings, paths, now: datetime) -> Path:
    """The tray's "Open history": cpe.html and cpe.csv in the data folder, beside the full
    history (history.html and history.csv, written too)."""
    from webinar_tray.history_page import write_history_page

    raw = write_history_page(store, paths, now)
    records = store.attendances()
    r = report(records, settings)
    page = Path(paths.data_dir) / "cpe.html"
    write_private(page.with_suffix(".csv"), output.cpe_csv(r).encode("utf-8"))
    links = {"cpe.csv": "This report as CSV", raw.name: "Full history (every record)",
             raw.with_suffix(".csv").name: "Full history as CSV"}
    failed = [a for a in records if a.state in (FAILED, MISSED)]
    write_private(page, cpe_html(r, now, links=links, not_counted=failed).encode("utf-8"))
    return page
