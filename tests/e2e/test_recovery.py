"""End to end: every browser process killed in the middle of two overlapping webinars. The
running engine relaunches the browser, rejoins both, and the history records each gap."""

from __future__ import annotations

import os
import signal
from datetime import datetime, timedelta, timezone
from pathlib import Path

from tests.e2e.helpers import history, ics, start_run, wait_for
from tests.e2e.test_run import config


def descendants(pid: int) -> list[int]:
    """Every process below `pid` (Linux /proc)."""
    children: dict[int, list[int]] = {}
    for entry in Path("/proc").iterdir():
        if not entry.name.isdigit():
            continue
        try:
            stat = (entry / "stat").read_text()
        except OSError:
            continue
        ppid = int(stat.rsplit(")", 1)[1].split()[1])
        children.setdefault(ppid, []).append(int(entry.name))
    out, todo = [], [pid]
    while todo:
        for c in children.get(todo.pop(), []):
            out.append(c)
            todo.append(c)
    return out


def browser_processes(pid: int) -> list[int]:
    """The Chromium processes the engine `pid` started (not Playwright's Node driver)."""
    found = []
    for p in descendants(pid):
        try:
            exe = os.readlink(f"/proc/{p}/exe")
            cmd = Path(f"/proc/{p}/cmdline").read_bytes().split(b"\0")[0].decode(errors="replace")
        except OSError:
            continue
        if "chrom" in Path(exe).name.lower() or "chrom" in Path(cmd).name.lower():
            found.append(p)
    return found


def attending(home: Path) -> int:
    """How many records the running engine has as attending (a second sqlite connection)."""
    from webinar_tray.runtime.store import Store

    store = Store(home / "webinar-tray.sqlite3")
    try:
        return sum(1 for state in store.states().values() if state == "attending")
    finally:
        store.close()


def test_killing_every_browser_process_rejoins_every_open_webinar_and_records_the_gap(
        home, site, chromium, tmp_path):
    start = datetime.now(timezone.utc).replace(microsecond=0) + timedelta(seconds=8)
    end = start + timedelta(seconds=50)
    urls = {n: site.url_for(f"overlap-{n}", title=f"Overlap {n}") for n in ("a", "b")}
    (home / "cal.ics").write_text(ics(*(
        {"uid": f"ov-{n}", "start": start, "end": end, "title": f"Overlap {n} webinar",
         "description": f"Join: {u}"} for n, u in urls.items())))
    (home / "config.toml").write_text('[ics]\nurls = ["cal.ics"]\n' + config(chromium))
    log = tmp_path / "run.log"
    proc = start_run(home, log=log)
    try:
        for n in urls:
            wait_for(lambda n=n: site.visits_of(f"overlap-{n}", "enter"), 60, what=f"webinar {n} entered")
        # "enter" is clicked before the player plays: only a joined page is a gap when killed
        # (before that, the kill is a failed attempt and the join is retried)
        wait_for(lambda: attending(home) == 2, 60, what="both webinars joined (attending)")
        killed = browser_processes(proc.pid)
        assert killed, "the engine's browser processes were found"
        for p in killed:
            try:
                os.kill(p, signal.SIGKILL)
            except ProcessLookupError:
                pass
        for n in urls:
            wait_for(lambda n=n: len(site.visits_of(f"overlap-{n}", "enter")) == 2, 90,
                     what=f"webinar {n} rejoined")
        assert not set(killed) & set(browser_processes(proc.pid)), "a new browser was launched"
        rows = wait_for(lambda: [r for r in history(home) if r["left_at"]] if len(
            [r for r in history(home) if r["left_at"]]) == 2 else None, 120, what="both records")
    finally:
        proc.send_signal(signal.SIGTERM)
        code = proc.wait(30)
    out = log.read_text()
    assert code == 0, out
    assert sorted(r["title"] for r in rows) == ["Overlap a webinar", "Overlap b webinar"]
    for rec in rows:
        assert [g["why"] for g in rec["gaps"]] == ["browser closed"], (rec, out)
        gap = rec["gaps"][0]
        assert datetime.fromisoformat(gap["from"]) < datetime.fromisoformat(gap["to"])
        assert datetime.fromisoformat(rec["left_at"]) >= end, "stayed to the end after the rejoin"
        assert rec["outcome"] == "attended", "a short gap keeps the outcome (CONTRACT: under 5 min)"
        total = (datetime.fromisoformat(rec["left_at"]) - datetime.fromisoformat(rec["joined_at"]))
        gap_s = (datetime.fromisoformat(gap["to"]) - datetime.fromisoformat(gap["from"])).total_seconds()
        assert abs(rec["minutes"] - round((total.total_seconds() - gap_s) / 60, 1)) <= 0.1 + 1e-9, \
            "minutes count the time actually joined"
    for n in urls:
        assert len(site.visits_of(f"overlap-{n}", "page")) == 2, "opened once, then once more after the kill"
