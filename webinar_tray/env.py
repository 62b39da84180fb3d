"""The outside world as one value: the platform, the environment, `which`, whether this is a
frozen build, the clock and the signals that ask us to quit. `Env.real()` reads them once, in the
composition root; everything below is handed an Env (tests hand it one of their own: another
platform, an empty environment, a fake clock), as httpie's `Environment` is."""

from __future__ import annotations

import os
import shutil
import signal
import sys
from dataclasses import dataclass, field, replace
from datetime import datetime, timezone
from typing import Callable, Mapping

from webinar_tray.ports import Clock


class SystemClock:
    """The wall clock, aware UTC."""

    def now(self) -> datetime:
        return datetime.now(timezone.utc)


# What asks the app to quit, where the platform has it (Windows has no SIGHUP).
QUIT_SIGNALS = ("SIGINT", "SIGTERM", "SIGHUP")


@dataclass(frozen=True)
class Env:
    platform: str = "linux"  # sys.platform: "win32", "darwin", "linux"...
    environ: Mapping[str, str] = field(default_factory=dict)
    which: Callable[[str], str | None] = lambda name: None
    frozen: bool = False
    clock: Clock = field(default_factory=SystemClock)
    signals: tuple[str, ...] = ("SIGINT", "SIGTERM")  # of QUIT_SIGNALS, those this platform has

    @classmethod
    def real(cls) -> "Env":
        return cls(
            platform=sys.platform,
            environ=os.environ,
            which=shutil.which,
            frozen=bool(getattr(sys, "frozen", False)),
            clock=SystemClock(),
            signals=tuple(name for name in QUIT_SIGNALS if hasattr(signal, name)),
        )

    @property
    def windows(self) -> bool:
        return self.platform == "win32"

    @property
    def macos(self) -> bool:
        return self.platform == "darwin"

    @property
    def linux(self) -> bool:
        return self.platform.startswith("linux")

    def get(self, name: str, default: str | None = None) -> str | None:
        return self.environ.get(name, default)

    def quit_signals(self) -> list[signal.Signals]:
        """The signals to handle as Quit, as this process's `signal` module knows them."""
        return [getattr(signal, name) for name in self.signals if hasattr(signal, name)]

    def with_(self, **changes) -> "Env":
        return replace(self, **changes)
