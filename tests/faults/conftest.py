"""Fixtures of the fault suite: a shifting clock, a rig factory (the real engine on that clock),
a loopback ICS feed, the demo site (tests/conftest.py) and the fake Google (tests/fakegoogle.py)."""

from __future__ import annotations

import logging

import pytest

from tests.faults.harness import BASE_CONFIG, IcsFeed, RecordingNotifier, Rig, ShiftClock
from tests.fakegoogle import fake_google  # noqa: F401  (fixture)


@pytest.fixture
def clock(monkeypatch) -> ShiftClock:
    """The clock of the engine AND of the browser session: the rig hands it to both in its Env
    (the session waits for join_at and stamps joined_at/left_at with the Env's clock), so both
    sides see the same "now" when the test moves time. The engine loop's bound on one sleep
    (MAX_SLEEP, 30 s) is cut to 2 s so a jump is noticed within the test's patience, as a
    resumed PC is noticed within MAX_SLEEP."""
    from webinar_tray.runtime import loop

    c = ShiftClock()
    monkeypatch.setattr(loop, "MAX_SLEEP", 2.0)
    return c


@pytest.fixture
def notifier() -> RecordingNotifier:
    return RecordingNotifier()


@pytest.fixture
def make_rig(home, chromium, clock, notifier, caplog):
    """make_rig(config_text) writes config.toml (the small [join] settings of the suite first, so
    a test's own sections add to them) and returns a started Rig; every rig is stopped after the
    test, even a failing one."""
    caplog.set_level(logging.INFO)
    rigs: list[Rig] = []

    def make(config: str = "", *, join: str = "", executable: str | None = None, start: bool = True) -> Rig:
        """`join`: extra lines for [join] (e.g. "late_join = false\n"); `executable`: another
        [browser] executable_path than the Chromium found."""
        base = BASE_CONFIG.format(chromium=executable or chromium, join=join)
        mine = {line.split("=")[0].strip() for line in join.splitlines() if "=" in line}
        base = "".join(line for line in base.splitlines(keepends=True)  # a test's [join] key wins
                       if line.split("=")[0].strip() not in mine or line in join.splitlines(keepends=True))
        (home / "config.toml").write_text(base + config)
        rig = Rig(home, clock, notifier)
        rigs.append(rig)
        return rig.start() if start else rig

    yield make
    for rig in rigs:
        rig.stop()


@pytest.fixture
def feed():
    f = IcsFeed()
    yield f
    f.stop()


def pytest_collection_modifyitems(config, items):
    """Every fault scenario drives the real browser (or needs it configured): mark them all."""
    here = __file__.rsplit("/", 1)[0]
    for item in items:
        if str(item.fspath).startswith(here):
            item.add_marker(pytest.mark.chromium)
