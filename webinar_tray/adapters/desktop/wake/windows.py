"""Windows: a Task Scheduler task that wakes the PC for the next auto-join, no admin rights.

The task is registered from XML (`schtasks /Create /XML file /TN name /F`; /F replaces the one
set before, so moving the wake is one call). What the XML holds follows the Task Scheduler
schema (learn.microsoft.com/windows/win32/taskschd/task-scheduler-schema):

- `TimeTrigger` with `StartBoundary` (the wake) and `EndBoundary`, in the order of
  triggerBaseType's xs:sequence (Enabled, StartBoundary, EndBoundary...; Enabled left at its
  default, true), as local times with their UTC offset (the schema's xs:dateTime;
  with an offset the task fires at that instant whatever the time zone does meanwhile);
- `Principal`: `LogonType` InteractiveToken and `RunLevel` LeastPrivilege: the task runs as the
  user, only while the user is logged on (as the app is), and needs no password or admin rights;
- `Settings` (settingsType, xs:all): `WakeToRun` true (the point), `StartWhenAvailable` false (a
  wake that was missed is no use later), `DisallowStartIfOnBatteries` and
  `StopIfGoingOnBatteries` false (a laptop on battery must wake too), `DeleteExpiredTaskAfter`
  (Task Scheduler removes it after the EndBoundary: a left-over task cleans itself up);
- the action runs `cmd.exe /d /c exit 0`: waking is what the task is for, the action does
  nothing. Not the app's own program: its path changes with every update or move (a task
  pointing at a missing program logs errors), and a second app start would only hand over to
  the running one anyway. /d skips cmd's AutoRun commands, so truly nothing runs.

schtasks reads a task XML file as UTF-16 with a byte order mark (what it writes itself with
`/Query /XML`); `task_file_bytes` makes it so.

The task lives in the `\\webinar-tray\\` task folder, named per user (and per forced home
folder). Should Task Scheduler refuse a standard user a new folder, the root folder holds
`\\webinar-tray-wake-<user>` instead (`names()` gives both; removal tries both)."""

from __future__ import annotations

import hashlib
import logging
import re
import tempfile
from datetime import datetime, timedelta
from pathlib import Path
from xml.sax.saxutils import escape

from webinar_tray.adapters.desktop.wake.runner import Runner
from webinar_tray.core.text import clean_line
from webinar_tray.env import Env

log = logging.getLogger(__name__)

FOLDER = "webinar-tray"
ACTIVE_FOR = timedelta(minutes=15)  # the trigger's EndBoundary after its StartBoundary
DELETE_AFTER = "PT1H"  # after the EndBoundary, Task Scheduler deletes the expired task
NAMESPACE = "http://schemas.microsoft.com/windows/2004/02/mit/task"


# ---- pure builders ---------------------------------------------------------------------------
def _safe(text: str) -> str:
    """A task name part: letters, digits, '.', '_' and '-' (task names follow file-name rules)."""
    return re.sub(r"[^A-Za-z0-9._-]", "_", text)[:64] or "user"


def names(user: str, home: Path | None) -> tuple[str, str]:
    """(the task in the app's folder, the same task in the root folder). A forced home folder
    (--home) adds 8 hex of its path, so two homes of one user keep one task each."""
    tail = _safe(user) + (f"-{hashlib.sha256(str(home).encode()).hexdigest()[:8]}" if home else "")
    return f"\\{FOLDER}\\wake-{tail}", f"\\{FOLDER}-wake-{tail}"


def user_of(env: Env) -> tuple[str, str | None]:
    """(the user's name for the task's name, DOMAIN\\user for its Principal: None when unknown,
    and Task Scheduler takes the user who registers it)."""
    user, domain = env.get("USERNAME"), env.get("USERDOMAIN")
    return user or "user", (f"{domain}\\{user}" if domain and user else user or None)


def boundary(t: datetime) -> str:
    """An xs:dateTime as Task Scheduler writes it: local time, seconds, with the UTC offset."""
    return t.replace(microsecond=0).isoformat()


def task_xml(at: datetime, *, user_id: str | None, title: str = "") -> str:
    """The task that wakes the PC at `at` (aware, in the time zone its text should show: the
    local one). `title` only goes into the description: one clean line (XML 1.0 allows no
    control characters; schtasks would refuse the file), escaped."""
    title = clean_line(title, 120)
    what = f" for “{title}”" if title else ""
    principal_user = f"      <UserId>{escape(user_id)}</UserId>\n" if user_id else ""
    return f"""\
<?xml version="1.0" encoding="UTF-16"?>
<Task version="1.2" xmlns="{NAMESPACE}">
  <RegistrationInfo>
    <Author>webinar-tray</Author>
    <Description>{escape(f"Wakes this PC at {boundary(at)}{what}. Set, moved and removed by webinar-tray ([wake] in its config.toml); it does nothing but wake the PC.")}</Description>
  </RegistrationInfo>
  <Triggers>
    <TimeTrigger>
      <StartBoundary>{boundary(at)}</StartBoundary>
      <EndBoundary>{boundary(at + ACTIVE_FOR)}</EndBoundary>
    </TimeTrigger>
  </Triggers>
  <Principals>
    <Principal id="Author">
{principal_user}      <LogonType>InteractiveToken</LogonType>
      <RunLevel>LeastPrivilege</RunLevel>
    </Principal>
  </Principals>
  <Settings>
    <MultipleInstancesPolicy>IgnoreNew</MultipleInstancesPolicy>
    <DisallowStartIfOnBatteries>false</DisallowStartIfOnBatteries>
    <StopIfGoingOnBatteries>false</StopIfGoingOnBatteries>
    <StartWhenAvailable>false</StartWhenAvailable>
    <RunOnlyIfNetworkAvailable>false</RunOnlyIfNetworkAvailable>
    <WakeToRun>true</WakeToRun>
    <Enabled>true</Enabled>
    <Hidden>false</Hidden>
    <ExecutionTimeLimit>PT1M</ExecutionTimeLimit>
    <DeleteExpiredTaskAfter>{DELETE_AFTER}</DeleteExpiredTaskAfter>
  </Settings>
  <Actions Context="Author">
    <Exec>
      <Command>%SystemRoot%\\System32\\cmd.exe</Command>
      <Arguments>/d /c exit 0</Arguments>
    </Exec>
  </Actions>
</Task>
"""


def task_file_bytes(xml: str) -> bytes:
    """UTF-16 little-endian with its byte order mark, CRLF lines: what schtasks /XML reads."""
    return b"\xff\xfe" + xml.replace("\r\n", "\n").replace("\n", "\r\n").encode("utf-16-le")


def schtasks(env: Env) -> str:
    root = env.get("SystemRoot") or env.get("SYSTEMROOT") or "C:\\Windows"
    return f"{root}\\System32\\schtasks.exe"


def create_command(exe: str, xml_file: str, name: str) -> list[str]:
    return [exe, "/Create", "/XML", xml_file, "/TN", name, "/F"]


def delete_command(exe: str, name: str) -> list[str]:
    return [exe, "/Delete", "/TN", name, "/F"]


def query_command(exe: str, name: str) -> list[str]:
    return [exe, "/Query", "/TN", name, "/XML"]


def start_boundary(xml: str) -> datetime | None:
    """The wake time of a task's XML (`schtasks /Query /XML`), or None."""
    m = re.search(r"<StartBoundary>\s*([^<\s]+)\s*</StartBoundary>", xml)
    if not m:
        return None
    try:
        return datetime.fromisoformat(m.group(1))
    except ValueError:
        return None


# ---- the waker ------------------------------------------------------------------------------
class TaskSchedulerWaker:
    """Sets, moves and removes the task (synchronously: wake/__init__.BackgroundWaker runs it
    off the engine thread). Failures are logged (the first as a warning) and never raised."""

    def __init__(self, runner: Runner, env: Env, home: Path | None, workdir: Path | None = None):
        self.runner, self.env = runner, env
        user, self.user_id = user_of(env)
        self.names = names(user, home)
        self.exe = schtasks(env)
        self.workdir = workdir  # where the XML file is written for schtasks (None: the temp folder)
        self.where: str | None = None  # the task's name once one was set
        self.clean = False  # no task of ours is left (an earlier run's may be, until removed)
        self._warned = False

    def apply(self, at: datetime | None, title: str = "") -> None:
        if at is None:
            self.remove()
        else:
            self.set(at, title)

    def set(self, at: datetime, title: str = "") -> bool:
        xml = task_xml(at.astimezone(), user_id=self.user_id, title=title)
        with tempfile.TemporaryDirectory(dir=self.workdir, prefix="wake-") as tmp:
            path = Path(tmp) / "wake-task.xml"
            path.write_bytes(task_file_bytes(xml))
            tried = [self.where] if self.where else []
            tried += [n for n in self.names if n not in tried]
            for name in tried:
                r = self.runner.run(create_command(self.exe, str(path), name))
                if r.ok:
                    self.where, self.clean = name, False
                    log.info("the PC will wake at %s%s (Task Scheduler: %s)",
                             at.astimezone().strftime("%a %d %b %H:%M"), f" for {title}" if title else "", name)
                    return True
                why = r.why()
        self._warn("cannot set the wake task (%s): %s; the PC may sleep through the next webinar",
                   " or ".join(tried), why)
        return False

    def remove(self) -> None:
        """No wake: the task set last is deleted (before the first set of a run: both names,
        in case an earlier run left one). schtasks failing because none exists is fine."""
        if self.clean:
            return
        for name in [self.where] if self.where else self.names:
            r = self.runner.run(delete_command(self.exe, name))
            if r.ok:
                log.info("wake task %s removed", name)
        self.where, self.clean = None, True

    def _warn(self, message: str, *args) -> None:
        level = logging.DEBUG if self._warned else logging.WARNING
        self._warned = True
        log.log(level, message, *args)
