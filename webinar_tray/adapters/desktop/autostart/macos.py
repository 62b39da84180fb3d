"""macOS: a LaunchAgent, ~/Library/LaunchAgents/io.github.webinar-tray.plist, loaded into the
user's GUI session with `launchctl bootstrap gui/<uid> <plist>`.

RunAtLoad starts it at login; no KeepAlive (quitting from the tray means quit); ProcessType
Interactive (not throttled like a background daemon); LimitLoadToSessionType Aqua (only in a
graphical login, where the tray can show). `disable` removes the file and `launchctl bootout`s
the job, unless the job's process is running (the app started at login): booting it out would
quit the app, and a job without KeepAlive is not started again before the next login anyway."""

from __future__ import annotations

import logging
import os
import plistlib
import re
import subprocess
from dataclasses import replace
from pathlib import Path
from typing import Callable, Sequence

from webinar_tray.adapters.desktop.autostart import BUNDLE_ID, AutostartError, AutostartStatus

log = logging.getLogger(__name__)

LAUNCHCTL = "/bin/launchctl"
# launchctl's exit statuses that mean "already loaded" / "not loaded": EIO (5) and EEXIST (17)
# from bootstrap of a loaded job on older releases, EALREADY (37) on newer; ESRCH (3) and
# 113 ("Could not find specified service") from bootout of a job that is not loaded.
ALREADY_LOADED = (5, 17, 37)
NOT_LOADED = (3, 113)


def launch_agent_plist(label: str, argv: Sequence[str]) -> bytes:
    """The LaunchAgent's XML plist (keys sorted, as plistlib writes them)."""
    return plistlib.dumps({
        "Label": label,
        "ProgramArguments": list(argv),
        "RunAtLoad": True,
        "ProcessType": "Interactive",
        "LimitLoadToSessionType": "Aqua",
    }, fmt=plistlib.FMT_XML, sort_keys=True)


def parse_print_disabled(text: str, label: str) -> bool:
    """True when `launchctl print-disabled gui/<uid>` lists `label` as disabled
    (`"label" => disabled` on macOS 13+, `"label" => true` before)."""
    m = re.search(r'"' + re.escape(label) + r'"\s*=>\s*(\w+)', text)
    return bool(m) and m.group(1) in ("disabled", "true")


def parse_print_pid(text: str) -> int | None:
    """The running process of a job, from `launchctl print gui/<uid>/<label>`."""
    m = re.search(r"^\s*pid = (\d+)\s*$", text, re.M)
    return int(m.group(1)) if m else None


Runner = Callable[[list[str]], "subprocess.CompletedProcess[str]"]


def _run(args: list[str]) -> "subprocess.CompletedProcess[str]":
    return subprocess.run(args, capture_output=True, text=True, timeout=20)


class MacAutostart:
    def __init__(self, command: Sequence[str], home: Path | None = None, uid: int | None = None,
                 run: Runner = _run, label: str = BUNDLE_ID):
        self.command = list(command)
        self.label = label
        self.path = (home or Path.home()) / "Library" / "LaunchAgents" / f"{label}.plist"
        self.uid = os.getuid() if uid is None else uid
        self._run = run

    @property
    def domain(self) -> str:
        return f"gui/{self.uid}"

    @property
    def service(self) -> str:
        return f"{self.domain}/{self.label}"

    def _launchctl(self, *args: str) -> tuple[int, str]:
        try:
            r = self._run([LAUNCHCTL, *args])
        except (OSError, subprocess.SubprocessError) as e:
            return -1, f"{type(e).__name__}: {e}"
        return r.returncode, ((r.stdout or "") + (r.stderr or "")).strip()

    def enable(self) -> AutostartStatus:
        try:
            self.path.parent.mkdir(parents=True, exist_ok=True)
            tmp = self.path.with_name(f".{self.path.name}.tmp")
            tmp.write_bytes(launch_agent_plist(self.label, self.command))
            os.chmod(tmp, 0o644)
            os.replace(tmp, self.path)
        except OSError as e:
            raise AutostartError(f"cannot write {self.path}: {e.strerror or e}") from None
        self._launchctl("enable", self.service)  # the user asked: undo a `launchctl disable`
        rc, out = self._launchctl("bootstrap", self.domain, str(self.path))
        status = self.status()
        if rc != 0 and rc not in ALREADY_LOADED and "already" not in out.lower():
            log.warning("launchctl bootstrap %s failed (%s): %s", self.path, rc, out)
            status = replace(status, detail=f"{status.detail} (loaded at the next login; "
                                            f"launchctl bootstrap said: {out or rc})")
        return status

    def disable(self) -> AutostartStatus:
        try:
            self.path.unlink()
        except FileNotFoundError:
            pass
        except OSError as e:
            raise AutostartError(f"cannot remove {self.path}: {e.strerror or e}") from None
        rc, out = self._launchctl("print", self.service)
        pid = parse_print_pid(out) if rc == 0 else None
        if rc == 0 and pid is None:
            rc, out = self._launchctl("bootout", self.service)
            if rc != 0 and rc not in NOT_LOADED and "no such process" not in out.lower():
                log.warning("launchctl bootout %s failed (%s): %s", self.service, rc, out)
        return self.status()

    def status(self) -> AutostartStatus:
        try:
            data = plistlib.loads(self.path.read_bytes())
        except FileNotFoundError:
            return AutostartStatus(False, f"off (no {self.path})")
        except Exception as e:  # OSError, plistlib.InvalidFileException, ExpatError...
            return AutostartStatus(False, f"{self.path} cannot be read ({type(e).__name__})",
                                   "`webinar-tray autostart enable` writes it again", broken=True)
        args = data.get("ProgramArguments") if isinstance(data, dict) else None
        if args != self.command:
            shown = " ".join(map(str, args)) if isinstance(args, list) else repr(args)
            return AutostartStatus(True, f"{self.path} starts: {shown}",
                                   "the entry starts another program or home folder; "
                                   "`webinar-tray autostart enable` makes it start this one",
                                   broken=True)
        detail = f"{self.path} starts: {' '.join(self.command)}"
        rc, out = self._launchctl("print-disabled", self.domain)
        if rc == 0 and parse_print_disabled(out, self.label):
            return AutostartStatus(False, detail, f"disabled in launchd (`launchctl print-disabled "
                                                  f"{self.domain}`); `webinar-tray autostart "
                                                  "enable` turns it on again")
        return AutostartStatus(True, detail)
