"""How plans and history are printed: the contract's JSON shapes, CSV and a human table.

Calendar text is written by strangers: in the text forms every title, provider and error goes
through core.text.clean_line (no escape sequences, bidi overrides or forged lines reach a
terminal); JSON stays data (json.dumps escapes controls); CSV cells that a spreadsheet would read
as a formula get a leading "'" (`csv_cell`). History shows `join_url` as scheme://host/path
(`safe_url`) unless the caller asks for full links. The CPE report (`history --cpe`) has the same
three forms plus text; its HTML page is cpe_page.py's."""

from __future__ import annotations

import codecs
import csv
import io
import json
import os
import sys
from datetime import datetime

from webinar_tray.core.cpe import CpeReport, CpeTotal, CpeWebinar
from webinar_tray.core.outcome import minutes_attended
from webinar_tray.core.plan import PlannedJoin
from webinar_tray.core.redact import safe_url
from webinar_tray.core.text import clean_line
from webinar_tray.runtime.store import Attendance

HISTORY_COLUMNS = ["id", "title", "provider", "join_url", "start", "end", "joined_at", "left_at",
                   "minutes", "gaps", "outcome", "error", "evidence"]


def iso(t: datetime | None) -> str | None:
    """ISO 8601 with the local UTC offset."""
    return t.astimezone().isoformat(timespec="seconds") if t else None


def plan_state(p: PlannedJoin, states: dict[str, str]) -> str:
    if p.id in states:
        return states[p.id]
    return "planned" if p.auto_join else "skipped"


def plan_row(p: PlannedJoin, states: dict[str, str], iso=iso) -> dict:
    return {
        "id": p.id, "calendar_id": p.calendar_id, "event_id": p.event_id, "title": p.title,
        "start": iso(p.start), "end": iso(p.end), "join_url": p.join_url, "provider": p.provider,
        "auto_join": p.auto_join, "reason": p.reason, "join_at": iso(p.join_at),
        "state": plan_state(p, states),
    }


def plan_rows(planned: list[PlannedJoin], states: dict[str, str]) -> list[dict]:
    """plan_row of each; a time is formatted once per run (sessions share their starts), and
    finding it again is a dict look-up in C, not a Python call (25,000 rows: 75,000 calls)."""
    once = _Isos().__getitem__
    return [plan_row(p, states, once) for p in planned]


class _Isos(dict):
    """iso(t) of each time asked for, formatted when first asked."""

    def __missing__(self, t: datetime | None) -> str | None:
        s = self[t] = iso(t)
        return s


def rows_json(rows: list[dict]) -> str:
    """json.dumps(rows, indent=2, ensure_ascii=False) character for character (the contract's
    plan rows; 25,000 of them in 0.02 s instead of 0.1)."""
    from webinar_tray.json_codec import dumps_indented

    return dumps_indented(rows)


def print_rows_json(rows: list[dict]) -> None:
    """`print(rows_json(rows))`. To the interpreter's own stdout when it writes UTF-8 (newlines
    are translated on Windows only), as the bytes orjson made: 25,000 rows are 11.5 MB of
    JSON that would be decoded to text and encoded back (two copies, 3,500 page faults)."""
    from webinar_tray.json_codec import dumps_indented_utf8

    out = sys.stdout
    data = dumps_indented_utf8(rows)
    if data is None or not _plain_utf8(out):
        print(data.decode("utf-8") if data is not None else rows_json(rows))
        return
    out.flush()  # what was printed before comes first
    out.buffer.write(data)
    out.buffer.write(b"\n")
    out.buffer.flush()


def _plain_utf8(out) -> bool:
    """Whether `out` is the stdout Python made, writing its text as UTF-8 as it is."""
    try:
        return out is sys.__stdout__ and os.name != "nt" and codecs.lookup(out.encoding).name == "utf-8"
    except (AttributeError, LookupError, TypeError):
        return False


REASON_TEXT = {
    "no-link": "no join link",
    "no-rule": "not a webinar (no [match] rule matched)",
    "unknown-host": "its link's host is not in the catalogue or [join] allowed_hosts",
    "unsafe-link": "its only links are not http(s)",
    "declined": "you declined it",
    "cancelled": "cancelled",
    "all-day": "an all-day event",
    "turned-off": "auto-join turned off for it",
    "ended": "already running and [join] late_join is off",
}


def _day(t: datetime, now: datetime) -> str:
    d, today = t.astimezone().date(), now.astimezone().date()
    delta = (d - today).days
    return "Today" if delta == 0 else "Tomorrow" if delta == 1 else t.astimezone().strftime("%a %d %b")


def plan_text(planned: list[PlannedJoin], states: dict[str, str], now: datetime) -> str:
    if not planned:
        return "No upcoming webinars or meetings with a link."
    lines, day = [], None
    for p in planned:
        d = _day(p.start, now)
        if d != day:
            lines.append(("" if day is None else "\n") + d)
            day = d
        when = f"{p.start.astimezone():%H:%M}–{p.end.astimezone():%H:%M}"
        prov = f" [{clean_line(p.provider)}]" if p.provider else ""
        if p.auto_join:
            what = f"joins at {p.join_at.astimezone():%H:%M:%S} ({plan_state(p, states)})"
        else:
            state = plan_state(p, states)
            what = f"not auto-joined: {REASON_TEXT.get(p.reason, p.reason)}" + ("" if state == "skipped" else f" ({state})")
        lines.append(f"  {when}  {clean_line(p.title)}{prov} — {what}")
    return "\n".join(lines)


def history_row(a: Attendance, full_links: bool = False) -> dict:
    """The contract's history record. `join_url` as scheme://host/path (query and ON24 path keys
    cut) unless `full_links`."""
    join_url = a.join_url if full_links or not a.join_url else safe_url(a.join_url)
    return {
        "id": a.id, "title": a.title, "provider": a.provider, "join_url": join_url,
        "start": iso(a.start), "end": iso(a.end), "joined_at": iso(a.joined_at),
        "left_at": iso(a.left_at), "minutes": minutes_attended(a.joined_at, a.left_at, a.gaps),
        "gaps": [{"from": iso(datetime.fromisoformat(g["from"])), "to": iso(datetime.fromisoformat(g["to"])),
                  "why": g["why"]} for g in a.gaps],
        "outcome": a.state, "error": a.error, "evidence": list(a.evidence),
    }


# a cell starting with one of these is a formula (or becomes one) in Excel, LibreOffice and
# Google Sheets: OWASP's CSV injection rule
_FORMULA_START = ("=", "+", "-", "@", "\t", "\r")


def csv_cell(value):
    """`value` as a CSV cell a spreadsheet shows as text: a leading "'" when it starts like a
    formula ("=HYPERLINK(…)", "+1", "-2", "@SUM", tab, CR). A CR inside a cell becomes a line
    break: the csv module quotes a cell holding "\n" but not a lone "\r", which readers take for
    the end of the row (a title could forge rows)."""
    if not isinstance(value, str):
        return value
    if value.startswith(_FORMULA_START):
        value = "'" + value
    return value.replace("\r\n", "\n").replace("\r", "\n")


def history_csv(rows: list[dict]) -> str:
    buf = io.StringIO()
    w = csv.DictWriter(buf, fieldnames=HISTORY_COLUMNS, lineterminator="\n")
    w.writeheader()
    for r in rows:
        r = dict(r)
        r["gaps"] = ";".join(f"{g['from']}/{g['to']} {g['why']}" for g in r["gaps"])
        r["evidence"] = ";".join(r["evidence"])
        w.writerow({k: csv_cell(v) for k, v in r.items()})
    return buf.getvalue()


def history_text(rows: list[dict]) -> str:
    if not rows:
        return "No attendance recorded yet."
    out = []
    for r in rows:
        start = datetime.fromisoformat(r["start"])
        extra = f" — {clean_line(r['error'])}" if r["error"] else ""
        out.append(f"{start:%Y-%m-%d %H:%M}  {r['outcome']:<9} {r['minutes']:>6.1f} min  "
                   f"{clean_line(r['title'])}{extra}")
    return "\n".join(out)


# ---- the CPE report (`history --cpe`) ----------------------------------------------------------
CPE_COLUMNS = ["id", "title", "provider", "organizer", "start", "minutes", "credits", "outcome",
               "reason", "evidence"]


def cpe_row(w: CpeWebinar) -> dict:
    return {"id": w.id, "title": w.title, "provider": w.provider, "organizer": w.organizer,
            "start": iso(w.start), "minutes": w.minutes, "credits": w.credits, "outcome": w.outcome,
            "reason": w.reason, "evidence": list(w.evidence)}


def _total(t: CpeTotal, key: str) -> dict:
    return {key: t.period, "webinars": t.webinars, "minutes": t.minutes, "credits": t.credits}


def cpe_json(r: CpeReport) -> str:
    """CONTRACT.md's `history --cpe --json` (plus `reason`)."""
    return json.dumps({"webinars": [cpe_row(w) for w in r.webinars],
                       "months": [_total(t, "month") for t in r.months],
                       "years": [_total(t, "year") for t in r.years]}, indent=2, ensure_ascii=False)


def cpe_csv(r: CpeReport) -> str:
    """One row per webinar, CPE_COLUMNS in order, `evidence` joined with ";"; formulas neutralised."""
    buf = io.StringIO()
    w = csv.DictWriter(buf, fieldnames=CPE_COLUMNS, lineterminator="\n")
    w.writeheader()
    for row in map(cpe_row, r.webinars):
        row["evidence"] = ";".join(row["evidence"])
        w.writerow({k: csv_cell(v) for k, v in row.items()})
    return buf.getvalue()


def plural(n: int | float, word: str) -> str:
    """ "1 webinar", "2 webinars", "0.75 credits", "1 credit" """
    return f"{n:g} {word}" + ("" if n == 1 else "s")


def _sums(t: CpeTotal) -> str:
    return f"{plural(t.webinars, 'webinar')}, {plural(t.minutes, 'minute')}, {plural(t.credits, 'credit')}"


def cpe_text(r: CpeReport) -> str:
    """A table per month (local date and time, minutes, credits, outcome, webinar) with the
    month's total under it, and the years' totals at the end."""
    if not r.webinars:
        return "No attended webinars in this period."
    out = [f"CPE report: {plural(len(r.webinars), 'webinar')}, {plural(r.credits, 'credit')} "
           f"({r.minutes_per_credit:g} minutes a credit, rounded down to {r.credit_step:g})"]
    by_month: dict[str, list[CpeWebinar]] = {}
    for w in r.webinars:
        by_month.setdefault(f"{w.start.astimezone():%Y-%m}", []).append(w)
    for m in r.months:
        out += ["", f"{m.period}", "  Date        Time   Minutes  Credits  Outcome   Webinar"]
        for w in by_month.get(m.period, []):
            who = " · ".join(clean_line(x) for x in (w.provider, w.organizer) if x)
            out.append(f"  {w.start.astimezone():%Y-%m-%d  %H:%M}  {w.minutes:>7.1f}  {w.credits:>7g}  "
                       f"{w.outcome:<9} {clean_line(w.title)}" + (f" ({who})" if who else ""))
            if w.reason:
                out.append(f"{'':44}{clean_line(w.reason)}")
        out.append(f"  {m.period} total: {_sums(m)}")
    out.append("")
    out += [f"{y.period} total: {_sums(y)}" for y in r.years]
    return "\n".join(out)
