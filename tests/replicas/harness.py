"""Fixtures and helpers shared by the provider tests (tests/adapters/test_providers*.py): the
replicas, a PlaywrightJoiner pointed at them, and jobs made from calendar-style links the way the
planner makes them. Test modules import the fixtures by name."""

from __future__ import annotations

from datetime import datetime, timedelta, timezone

import pytest

from tests.replicas.server import Replicas
from webinar_tray.adapters.browser.joiner import PlaywrightJoiner
from webinar_tray.config.paths import resolve_paths
from webinar_tray.core.plan import PlannedJoin
from webinar_tray.core.services import find_service
from webinar_tray.core.settings import BrowserSettings, JoinSettings, Settings

STEP_TIMEOUT = 5  # [join] step_timeout_seconds in these tests


def utcnow() -> datetime:
    return datetime.now(timezone.utc)


def calendar_job(url: str, job_id: str, stay: float = 30.0) -> PlannedJoin:
    """A job as the planner makes it: the link's service gives the steps name."""
    service = find_service(url)
    assert service is not None
    now = utcnow()
    return PlannedJoin(
        id=job_id, calendar_id="cal", event_id=job_id.split("/")[1], title="A webinar",
        start=now, end=now + timedelta(seconds=stay), join_url=url, provider=service.name,
        auto_join=True, reason=None, join_at=now, leave_at=now + timedelta(seconds=stay),
        is_webinar=True, steps=service.steps,
    )


@pytest.fixture
def replicas():
    r = Replicas().start()
    yield r
    r.stop()


@pytest.fixture
def make_joiner(tmp_path, chromium, replicas):
    made = []

    def make(join_attempts=1, **join):
        join = {"headless": True, "step_timeout_seconds": STEP_TIMEOUT, "screenshot_minutes": 0,
                **join}
        settings = Settings(
            join=JoinSettings(**join),
            browser=BrowserSettings(executable_path=chromium, args=replicas.browser_args()),
        )
        j = PlaywrightJoiner(settings, resolve_paths(tmp_path / "home"), check_seconds=0.5,
                             join_attempts=join_attempts)
        made.append(j)
        return j

    yield make
    for j in made:
        j.close(timeout=15)
