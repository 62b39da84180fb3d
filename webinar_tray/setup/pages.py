"""The setup page's HTML, CSS and script: plain HTML forms (each posts its section and comes back
with a message), and a little script for the rules' live preview and the test run's progress.
Everything shown is escaped; secret ICS addresses are shown by their safe names only."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from html import escape

from webinar_tray.setup.preview import PreviewRow

SECTIONS = {  # id -> heading; doctor and the tray name these
    "calendars": "1. Calendars",
    "rules": "2. Which events are webinars",
    "you": "3. You (for registration forms)",
    "options": "4. Options",
    "try": "5. Sign in to webinar sites, then try it",
}


@dataclass
class PageData:
    csrf: str
    flash: dict  # section -> (ok, message, detail lines)
    ics: list[tuple[int, str]]  # (index, safe name)
    keywords: str
    locations: str
    organizers: str
    preview: list[PreviewRow]
    hidden: int  # events neither linked nor matched
    preview_errors: list[str]
    name: str
    email: str
    headless: bool
    notifications: bool
    autostart: bool | None  # None: not available here
    test_run: dict
    config_file: str
    config_error: str | None = None
    google: str = ""  # the Google part, rendered by setup/google.py
    wake: bool = True  # [wake] enabled


def _e(text: object) -> str:
    return escape(str(text), quote=True)


def _flash(d: PageData, section: str) -> str:
    if section not in d.flash:
        return ""
    ok, message, details = d.flash[section]
    items = "".join(f"<li>{_e(x)}</li>" for x in details)
    return (f'<div class="flash {"ok" if ok else "error"}" role="status" id="{section}-result">'
            f'<p>{_e(message)}</p>{f"<ul>{items}</ul>" if items else ""}</div>')


def _form(d: PageData, action: str, body: str, button: str, extra: str = "") -> str:
    return (f'<form method="post" action="{action}"{extra}>'
            f'<input type="hidden" name="csrf" value="{_e(d.csrf)}">{body}'
            f'<button type="submit">{_e(button)}</button></form>')


def _calendars(d: PageData) -> str:
    rows = "".join(
        f"<li>{_e(name)} " + _form(d, "/ics/remove", f'<input type="hidden" name="index" value="{i}">',
                                   "Remove", ' class="inline"') + "</li>"
        for i, name in d.ics)
    listed = f'<ul class="ics-list">{rows}</ul>' if rows else "<p>No ICS address yet.</p>"
    add = _form(d, "/ics/add",
                '<label>Secret iCal address (Google Calendar: Settings → your calendar → '
                '"Secret address in iCal format"; Outlook: Publish calendar → ICS)'
                '<input type="password" name="url" id="ics-url" autocomplete="off" required '
                'placeholder="https://calendar.google.com/calendar/ical/…/basic.ics"></label>',
                "Check and add")
    return (f"<h3>ICS address</h3>{listed}{add}<h3>Google Calendar</h3>{_google(d)}")


def _google(d: PageData) -> str:
    return d.google


def _rules(d: PageData) -> str:
    body = (f'<label>Title keywords (one per line)<textarea name="keywords" id="keywords" rows="3">'
            f"{_e(d.keywords)}</textarea></label>"
            f'<label>Locations (e.g. BrightTALK)<textarea name="locations" id="locations" rows="2">'
            f"{_e(d.locations)}</textarea></label>"
            f'<label>Organizers (e-mail addresses or @domains)<textarea name="organizers" id="organizers" rows="2">'
            f"{_e(d.organizers)}</textarea></label>")
    return _form(d, "/rules", body, "Save rules", ' id="rules-form"') + preview_html(d.preview, d.hidden, d.preview_errors)


def preview_html(rows: list[PreviewRow], hidden: int, errors: list[str]) -> str:
    """The preview table (also what the script swaps in while rules are typed)."""
    errs = "".join(f'<p class="error">{_e(x)}</p>' for x in errors)
    if not rows:
        body = "<p>No upcoming events with a join link or a matching rule.</p>"
    else:
        trs = "".join(
            f'<tr class="{"joined" if r.joined else "skipped"}"><td>{_e(r.start.astimezone().strftime("%a %d %b %H:%M"))}</td>'
            f"<td>{_e(r.title)}</td><td>{_e(r.provider or '')}</td><td>{_e(r.why)}</td></tr>" for r in rows)
        body = (f'<table><thead><tr><th>When</th><th>Event</th><th>Site</th><th>Auto-join?</th></tr></thead>'
                f"<tbody>{trs}</tbody></table>")
    more = f"<p>{hidden} other event{'s' if hidden != 1 else ''}: no join link and no rule.</p>" if hidden else ""
    return f'<div id="preview"><h3>Preview</h3>{errs}{body}{more}</div>'


def _you(d: PageData) -> str:
    body = (f'<label>Name<input name="name" id="name" value="{_e(d.name)}" autocomplete="name"></label>'
            f'<label>E-mail<input type="email" name="email" id="email" value="{_e(d.email)}" '
            f'autocomplete="email"></label>')
    return _form(d, "/you", body, "Save")


def _options(d: PageData) -> str:
    def box(name: str, label: str, on: bool) -> str:
        return (f'<label class="check"><input type="checkbox" name="{name}" id="{name}"'
                f'{" checked" if on else ""}>{_e(label)}</label>')

    body = box("headless", "Headless: attend in a hidden browser", d.headless)
    body += box("notifications", "Notifications", d.notifications)
    if d.autostart is not None:
        body += box("autostart", "Start at login", d.autostart)
    body += box("wake", "Wake the PC for a webinar (Windows; elsewhere doctor gives the admin command)",
                d.wake)
    return _form(d, "/options", body, "Save options")


def _try(d: PageData) -> str:
    t = d.test_run
    status = (f'<p id="test-run-status" data-state="{_e(t["state"])}">'
              f'{_e(t["message"] or "Not run yet.")}</p>')
    return (_form(d, "/browser-profile", "", "Sign in to webinar sites…")
            + "<p>Then attend a one-minute demo webinar now, with your settings "
              "(recorded in the demo history, apart from real ones):</p>"
            + _form(d, "/test-run", "", "Test run") + status)


def page(d: PageData) -> str:
    parts = {"calendars": _calendars, "rules": _rules, "you": _you, "options": _options, "try": _try}
    warn = (f'<p class="flash error">config.toml has an error: {_e(d.config_error)}</p>'
            if d.config_error else "")
    sections = "".join(
        f'<section id="{sid}"><h2>{_e(title)}</h2>{_flash(d, sid)}{parts[sid](d)}</section>'
        for sid, title in SECTIONS.items())
    return (f'<!doctype html><html lang="en"><head><meta charset="utf-8"><title>webinar-tray setup</title>'
            f'<meta name="viewport" content="width=device-width, initial-scale=1">'
            f'<link rel="stylesheet" href="/style.css"><script src="/app.js" defer></script></head>'
            f'<body><header><h1>webinar-tray setup</h1><p>Every change is written to '
            f"<code>{_e(d.config_file)}</code> (comments kept) and used at once.</p>{warn}</header>"
            f"<main>{sections}</main></body></html>")


def when(t: datetime) -> str:
    return t.astimezone().strftime("%a %d %b %H:%M")


CSS = """
body{font-family:system-ui,sans-serif;max-width:60rem;margin:0 auto;padding:1rem 1.5rem;color:#1d232a}
h1{margin-bottom:.2rem}section{border-top:1px solid #ccd;padding:.6rem 0 1rem}
label{display:block;margin:.5rem 0}input:not([type=checkbox]),textarea{display:block;width:100%;
box-sizing:border-box;padding:.35rem;font:inherit}label.check{display:flex;gap:.5rem;align-items:center}
button{margin:.4rem 0;padding:.4rem .9rem;font:inherit;cursor:pointer}form.inline{display:inline}
.flash{padding:.4rem .8rem;border-radius:.3rem}.ok{background:#e5f6e8}.error{background:#fde8e8}
table{border-collapse:collapse;width:100%;font-size:.9rem}td,th{text-align:left;padding:.25rem .4rem;
border-bottom:1px solid #eee}tr.joined td:last-child{color:#176b2c}tr.skipped td:last-child{color:#777}
"""

JS = """
(function(){
  var form=document.getElementById('rules-form');
  if(form){var timer=null;form.addEventListener('input',function(){clearTimeout(timer);
    timer=setTimeout(function(){var q=new URLSearchParams();
      ['keywords','locations','organizers'].forEach(function(n){q.set(n,form.elements[n].value);});
      fetch('/preview?'+q.toString(),{credentials:'same-origin'}).then(function(r){return r.text();})
      .then(function(html){var p=document.getElementById('preview');if(p){p.outerHTML=html;}});},300);});}
  var status=document.getElementById('test-run-status');
  function poll(){if(!status||status.dataset.state!=='running')return;
    fetch('/test-run',{credentials:'same-origin'}).then(function(r){return r.json();}).then(function(s){
      status.dataset.state=s.state;status.textContent=s.message;setTimeout(poll,2000);});}
  setTimeout(poll,2000);
})();
"""
