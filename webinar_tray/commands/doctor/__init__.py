"""doctor [--json]: every check with what to do about a failing one (CONTRACT: `doctor --json`).

The checks live beside what they check (commands/doctor/checks.py lists them all). Here each one runs in its own thread with a time limit; a
check that crashes or does not finish becomes ok=false with the reason (never a traceback).
Exit 0 when no check failed (true or null), else 1."""

from __future__ import annotations

import json
import logging
import sys
import threading
from dataclasses import asdict, dataclass

from webinar_tray import logsetup
from webinar_tray.commands.exits import EXIT_FAILED, EXIT_OK
from webinar_tray.config.paths import Paths
from webinar_tray.env import Env

log = logging.getLogger(__name__)

# A failing check's fix keeps its command and adds where the setup page does the same.
SETUP_SECTIONS = {
    "sources": "Calendars",
    "ics": "Calendars",
    "google_client": "Calendars",  # upload the client JSON
    "google_signin": "Calendars",  # Sign in with Google
    "calendar_access": "Calendars",  # pick the calendars
    "notifications": "Options",
    "autostart": "Options",
}
CRASH_FIX = "this is a bug in webinar-tray: please report it with this output"
TIMEOUT_FIX = "check the network connection and run `webinar-tray doctor` again"


@dataclass
class Check:
    name: str
    ok: bool | None
    detail: str
    fix: str | None = None


def _redact(text: str, secrets: list[str]) -> str:
    for s in sorted({s for s in secrets if s and len(s) > 3}, key=len, reverse=True):
        text = text.replace(s, "…")
    return logsetup.scrub(text)


def run_one(name: str, fn, state, timeout: float) -> Check:
    box: dict = {}

    def target():
        try:
            box["result"] = fn(state)
        except BaseException as e:  # noqa: BLE001 - every failure becomes the check's answer
            box["error"] = e

    t = threading.Thread(target=target, name=f"doctor-{name}", daemon=True)
    t.start()
    t.join(timeout)
    if t.is_alive():
        check = Check(name, False, f"did not finish within {timeout:g} s", TIMEOUT_FIX)
    elif "error" in box:
        e = box["error"]
        log.debug("doctor check %s crashed", name, exc_info=e)
        check = Check(name, False, f"the check failed: {type(e).__name__}: {e}", CRASH_FIX)
    else:
        ok, detail, fix = box["result"]
        check = Check(name, ok, detail, fix)
    check.detail = _redact(check.detail, state.secrets)
    check.fix = _redact(with_setup_page(name, check.fix), state.secrets) if check.fix else None
    state.results[name] = check.ok
    return check


def with_setup_page(name: str, fix: str) -> str:
    """`fix`, plus the setup page's section that does the same, for the checks it can fix."""
    section = SETUP_SECTIONS.get(name)
    if section is None or fix in (CRASH_FIX, TIMEOUT_FIX):
        return fix
    return f"{fix}; or open the setup page (`webinar-tray setup`, or Set up… in the tray), section {section}"


def run_checks(paths: Paths, checks=None, *, env: Env) -> list[Check]:
    from webinar_tray.commands.doctor import checks as doctor_checks
    from webinar_tray.core.diagnosis import State

    state = State(paths, env)
    return [run_one(name, fn, state, timeout) for name, fn, timeout in (checks or doctor_checks.all_checks())]


def report(checks: list[Check]) -> dict:
    return {"ok": all(c.ok is not False for c in checks), "checks": [asdict(c) for c in checks]}


def _marks(stream) -> tuple[str, str, str]:
    enc = getattr(stream, "encoding", None) or "ascii"
    try:
        "✓✗–".encode(enc)
        return "✓", "✗", "–"
    except (UnicodeEncodeError, LookupError):
        return "ok", "XX", "--"


def text(checks: list[Check], stream=None) -> str:
    good, bad, na = _marks(stream if stream is not None else sys.stdout)
    width = max(len(c.name) for c in checks)
    lines = []
    for c in checks:
        mark = good if c.ok is True else bad if c.ok is False else na
        lines.append(f"{mark} {c.name:<{width}}  {c.detail}")
        if c.ok is False and c.fix:
            lines.append(f"  {' ' * len(mark)}{' ' * width} fix: {c.fix}")
    failed = sum(c.ok is False for c in checks)
    lines.append("All checks passed." if not failed else
                 f"{failed} check{'s' if failed > 1 else ''} failed.")
    return "\n".join(lines)


def _tolerant_stdout() -> None:
    """A console or pipe in a legacy code page (cp1252...) shows "?" rather than crashing on →."""
    try:
        sys.stdout.reconfigure(errors="replace")
    except (AttributeError, ValueError):
        pass


def doctor(paths: Paths, as_json: bool = False, env: Env | None = None) -> int:
    """The command's entry (from cli.py): without an `env`, the real one."""
    logsetup.setup(None, stderr=True, level=logging.ERROR)
    _tolerant_stdout()
    checks = run_checks(paths, env=env or Env.real())
    result = report(checks)
    if as_json:
        print(json.dumps(result, indent=2, ensure_ascii=False))
    else:
        print(text(checks))
    sys.stdout.flush()
    return EXIT_OK if result["ok"] else EXIT_FAILED
