"""The engine loop reads the plan's next deadline again only when something may have moved it:
a command, a wake-up, a job that did something. The config watch that found no change (every
5 s, the loop's most frequent wake-up) keeps what the loop knew: with 25,000 events and
notifications off that read was most of an idle app's CPU (issue 13)."""

from __future__ import annotations

import threading
import time
from datetime import datetime, timedelta, timezone
from types import SimpleNamespace

from tests.e2e.helpers import wait_for
from webinar_tray.runtime.loop import EngineLoop


class Engine:
    """What EngineLoop reads of the engine, counting the deadline reads."""

    def __init__(self) -> None:
        self.settings = SimpleNamespace(refresh=SimpleNamespace(every_minutes=60))
        self.clock = SimpleNamespace(now=lambda: datetime.now(timezone.utc))
        self.reads = 0
        self.deadline = datetime.now(timezone.utc) + timedelta(hours=1)
        self.post = None

    def next_deadline(self):
        self.reads += 1
        return self.deadline

    def due_check(self) -> None: ...

    def resume_interrupted(self) -> None: ...

    def start_refresh(self) -> bool:
        return True


def run_loop(job) -> tuple[EngineLoop, Engine, list]:
    engine, ran = Engine(), []

    def watched():
        ran.append(time.monotonic())
        return job()

    loop = EngineLoop(engine, extra_jobs=[(1, "config-watch", watched)])
    loop.start()
    return loop, engine, ran


def test_a_job_that_changed_nothing_does_not_read_the_deadline_again():
    loop, engine, ran = run_loop(lambda: False)
    try:
        wait_for(lambda: len(ran) >= 1, 10, what="the quiet job's first run")
        reads = engine.reads  # the start's (its first refresh is a job that did something)
        wait_for(lambda: len(ran) >= 4, 10, what="three more runs of the quiet job")
        assert engine.reads == reads, "the quiet job's wake-ups kept the deadline"
        loop.wake()
        wait_for(lambda: engine.reads == reads + 1, 5, what="a read after the wake-up")
        done = threading.Event()
        loop.call(done.set)
        assert done.wait(5)
        wait_for(lambda: engine.reads == reads + 2, 5, what="a read after the command")
    finally:
        loop.stop()


def test_a_job_that_did_something_makes_the_loop_read_it_again():
    loop, engine, ran = run_loop(lambda: None)
    try:
        wait_for(lambda: len(ran) >= 3, 10, what="three runs of the job")
        wait_for(lambda: engine.reads >= 3, 5, what="a read after each run")
    finally:
        loop.stop()


def test_a_job_that_failed_makes_the_loop_read_it_again():
    def boom():
        raise RuntimeError("broken")

    loop, engine, ran = run_loop(boom)
    try:
        wait_for(lambda: len(ran) >= 2 and engine.reads >= 2, 10, what="a read after the failure")
    finally:
        loop.stop()
