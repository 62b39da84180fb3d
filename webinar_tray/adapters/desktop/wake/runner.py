"""The OS calls of waking (schtasks, powercfg) behind one small port, so that tests replace it
with a recording fake of ours (never of subprocess) and the builders' exact argv is asserted."""

from __future__ import annotations

import subprocess
from dataclasses import dataclass
from typing import Protocol, Sequence

from webinar_tray.adapters.desktop.sysenv import popen_flags, system_env
from webinar_tray.env import Env

TIMEOUT = 30.0


@dataclass(frozen=True)
class RunResult:
    returncode: int | None  # None: the program could not be started or did not finish
    stdout: str = ""
    stderr: str = ""

    @property
    def ok(self) -> bool:
        return self.returncode == 0

    def why(self) -> str:
        """The first line the program printed about its failure (or how it failed to run)."""
        for text in (self.stderr, self.stdout):
            line = next((ln.strip() for ln in text.splitlines() if ln.strip()), "")
            if line:
                return line[:200]
        return f"exit status {self.returncode}"


class Runner(Protocol):
    def run(self, argv: Sequence[str], timeout: float = TIMEOUT) -> RunResult:
        """Run `argv` (no shell) and wait; never raises."""
        ...


def decode_output(data: bytes) -> str:
    """schtasks and powercfg print in the console's code page, and `schtasks /Query /XML` may
    print UTF-16: either is read, never raising."""
    if data.startswith((b"\xff\xfe", b"\xfe\xff")):
        return data.decode("utf-16", "replace")
    if len(data) >= 4 and data[1:2] == b"\x00" and data[3:4] == b"\x00":
        return data.decode("utf-16-le", "replace")
    try:
        return data.decode("utf-8")
    except UnicodeDecodeError:
        return data.decode("latin-1")


class SubprocessRunner:
    """The real calls, with the user's environment and no console window (Windows)."""

    def __init__(self, env: Env):
        self._env = env

    def run(self, argv: Sequence[str], timeout: float = TIMEOUT) -> RunResult:
        try:
            done = subprocess.run(list(argv), capture_output=True, timeout=timeout, stdin=subprocess.DEVNULL,
                                  env=system_env(self._env), **popen_flags(self._env))
        except subprocess.TimeoutExpired:
            return RunResult(None, "", f"{argv[0]} did not finish within {timeout:g} s")
        except OSError as e:
            return RunResult(None, "", f"cannot run {argv[0]}: {e.strerror or e}")
        return RunResult(done.returncode, decode_output(done.stdout), decode_output(done.stderr))
