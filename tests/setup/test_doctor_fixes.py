"""doctor's failing checks keep their command and add the setup page's section that does the
same (issue 14); checks the page cannot fix, and passing ones, say nothing of it."""

from __future__ import annotations

from webinar_tray.commands.doctor import CRASH_FIX, run_one
from webinar_tray.commands.doctor.checks import sources
from webinar_tray.config.paths import resolve_paths
from webinar_tray.core.diagnosis import State
from webinar_tray.core.settings import Settings
from webinar_tray.env import Env


def test_a_failing_sources_check_keeps_its_command_and_names_the_section(home):
    state = State(resolve_paths(str(home)), Env.real(), settings=Settings())
    check = run_one("sources", sources, state, 10.0)
    assert check.ok is False
    assert "webinar-tray login --client-secrets" in check.fix and "[ics] urls" in check.fix
    assert check.fix.endswith("or open the setup page (`webinar-tray setup`, or Set up… in the tray), "
                              "section Calendars")


def test_checks_the_page_cannot_fix_and_crashes_are_left_alone(home):
    state = State(resolve_paths(str(home)), Env.real(), settings=Settings())
    browser = run_one("browser", lambda s: (False, "no browser", "webinar-tray browser --install"), state, 5)
    assert browser.fix == "webinar-tray browser --install"
    crashed = run_one("ics", lambda s: 1 / 0, state, 5)
    assert crashed.fix == CRASH_FIX
    fine = run_one("autostart", lambda s: (True, "on", None), state, 5)
    assert fine.fix is None
    off = run_one("autostart", lambda s: (False, "broken entry", "webinar-tray autostart enable"), state, 5)
    assert off.fix.startswith("webinar-tray autostart enable; or open the setup page") and "section Options" in off.fix
