"""Waking the PC (adapters/desktop/wake): the builders' exact content (task XML, its file bytes,
schtasks/powercfg/pmset/rtcwake command lines), powercfg output parsed from captured text, and
the wakers driven through a recording fake of our own Runner port. The real schtasks runs only
on Windows."""

from __future__ import annotations

import logging
import sys
import threading
import xml.etree.ElementTree as ET
from datetime import datetime, timedelta, timezone
from pathlib import Path

import pytest

from tests.timezones import local_zone
from webinar_tray.adapters.desktop.wake import AdminOnlyWaker, BackgroundWaker, platform_waker
from webinar_tray.adapters.desktop.wake import posix, powercfg, windows
from webinar_tray.adapters.desktop.wake.diagnose import windows_report
from webinar_tray.adapters.desktop.wake.runner import RunResult, SubprocessRunner, decode_output
from webinar_tray.env import Env

PARIS = timezone(timedelta(hours=1))
AT = datetime(2026, 12, 7, 1, 57, 0, tzinfo=PARIS)
WIN = Env(platform="win32", environ={"USERNAME": "ana", "USERDOMAIN": "DESKTOP-1", "SystemRoot": "C:\\Windows"})
SCHTASKS = "C:\\Windows\\System32\\schtasks.exe"
NS = {"t": windows.NAMESPACE}

EXPECTED_XML = """\
<?xml version="1.0" encoding="UTF-16"?>
<Task version="1.2" xmlns="http://schemas.microsoft.com/windows/2004/02/mit/task">
  <RegistrationInfo>
    <Author>webinar-tray</Author>
    <Description>Wakes this PC at 2026-12-07T01:57:00+01:00 for “Zero &amp; trust &lt;live&gt;”. Set, moved and removed by webinar-tray ([wake] in its config.toml); it does nothing but wake the PC.</Description>
  </RegistrationInfo>
  <Triggers>
    <TimeTrigger>
      <StartBoundary>2026-12-07T01:57:00+01:00</StartBoundary>
      <EndBoundary>2026-12-07T02:12:00+01:00</EndBoundary>
    </TimeTrigger>
  </Triggers>
  <Principals>
    <Principal id="Author">
      <UserId>DESKTOP-1\\ana</UserId>
      <LogonType>InteractiveToken</LogonType>
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
    <DeleteExpiredTaskAfter>PT1H</DeleteExpiredTaskAfter>
  </Settings>
  <Actions Context="Author">
    <Exec>
      <Command>%SystemRoot%\\System32\\cmd.exe</Command>
      <Arguments>/d /c exit 0</Arguments>
    </Exec>
  </Actions>
</Task>
"""


# ---- a recording fake of our Runner port -----------------------------------------------------
class Recorder:
    """Answers each argv by the first matching rule (a substring of the joined argv -> result);
    records every call and, for /Create, the XML file's bytes as schtasks would read them."""

    def __init__(self, rules=()):
        self.rules = list(rules)
        self.calls: list[list[str]] = []
        self.files: list[bytes] = []
        self.lock = threading.Lock()

    def run(self, argv, timeout=30.0):
        with self.lock:
            self.calls.append(list(argv))
            if "/XML" in argv and "/Create" in argv:
                self.files.append(Path(argv[argv.index("/XML") + 1]).read_bytes())
            line = " ".join(argv)
            for needle, result in self.rules:
                if needle in line:
                    return result
            return RunResult(0, "SUCCESS", "")


# ---- the task XML ----------------------------------------------------------------------------
def test_task_xml_is_exactly_the_wake_task():
    xml = windows.task_xml(AT, user_id="DESKTOP-1\\ana", title="Zero & trust <live>")
    assert xml == EXPECTED_XML


def test_task_xml_follows_the_schema_where_order_matters():
    root = ET.fromstring(windows.task_xml(AT, user_id=None).encode("utf-8").replace(b"UTF-16", b"UTF-8"))
    trigger = root.find("t:Triggers/t:TimeTrigger", NS)
    # triggerBaseType (+ timeTriggerType's RandomDelay) is an xs:sequence: children in this order
    sequence = ["Enabled", "StartBoundary", "EndBoundary", "Repetition", "ExecutionTimeLimit", "RandomDelay"]
    tags = [child.tag.split("}")[1] for child in trigger]
    assert tags == ["StartBoundary", "EndBoundary"] and tags == sorted(tags, key=sequence.index)
    assert root.find("t:Settings/t:WakeToRun", NS).text == "true"
    assert root.find("t:Settings/t:StartWhenAvailable", NS).text == "false"
    assert root.find("t:Settings/t:DisallowStartIfOnBatteries", NS).text == "false"
    assert root.find("t:Principals/t:Principal/t:UserId", NS) is None  # unknown user: the registering one
    assert root.find("t:Principals/t:Principal/t:LogonType", NS).text == "InteractiveToken"
    assert root.find("t:Principals/t:Principal/t:RunLevel", NS).text == "LeastPrivilege"
    start = datetime.fromisoformat(trigger.find("t:StartBoundary", NS).text)
    end = datetime.fromisoformat(trigger.find("t:EndBoundary", NS).text)
    assert start == AT and end - start == windows.ACTIVE_FOR  # DeleteExpiredTaskAfter needs an end


def test_task_file_is_utf16_with_bom_and_crlf():
    data = windows.task_file_bytes("<a>é</a>\n<b/>\n")
    assert data == b"\xff\xfe" + "<a>é</a>\r\n<b/>\r\n".encode("utf-16-le")
    assert decode_output(data) == "<a>é</a>\r\n<b/>\r\n"  # what schtasks /Query /XML prints reads back


def test_names_and_commands():
    assert windows.names("ana", None) == ("\\webinar-tray\\wake-ana", "\\webinar-tray-wake-ana")
    folder, root = windows.names("Ana Pérez/x", Path("/home/ana/wt"))
    assert folder.startswith("\\webinar-tray\\wake-Ana_P_rez_x-") and len(folder.rsplit("-", 1)[1]) == 8
    assert root == "\\webinar-tray-wake-" + folder.rsplit("wake-", 1)[1]
    assert windows.names("ana", Path("/a")) != windows.names("ana", Path("/b"))
    assert windows.user_of(WIN) == ("ana", "DESKTOP-1\\ana")
    assert windows.user_of(Env(platform="win32")) == ("user", None)
    assert windows.schtasks(WIN) == SCHTASKS
    assert windows.create_command(SCHTASKS, "C:\\t\\w.xml", "\\webinar-tray\\wake-ana") == [
        SCHTASKS, "/Create", "/XML", "C:\\t\\w.xml", "/TN", "\\webinar-tray\\wake-ana", "/F"]
    assert windows.delete_command(SCHTASKS, "\\webinar-tray\\wake-ana") == [
        SCHTASKS, "/Delete", "/TN", "\\webinar-tray\\wake-ana", "/F"]
    assert windows.query_command(SCHTASKS, "\\x") == [SCHTASKS, "/Query", "/TN", "\\x", "/XML"]
    assert windows.start_boundary(EXPECTED_XML) == AT
    assert windows.start_boundary("<Task/>") is None


# ---- powercfg ----------------------------------------------------------------------------------
STANDBYIDLE = """\
Power Scheme GUID: 381b4222-f694-41f0-9685-ff5bb260df2e  (Balanced)
  Subgroup GUID: 238c9fa8-0aad-41ed-83f4-97be242c8f20  (Sleep)
    GUID Alias: SUB_SLEEP
    Power Setting GUID: 29f6c1db-86da-48c5-9fdb-f2b67b1f44da  (Sleep after)
      GUID Alias: STANDBYIDLE
      Minimum Possible Setting: 0x00000000
      Maximum Possible Setting: 0xffffffff
      Possible Settings increment: 0x00000001
      Possible Settings units: Seconds
    Current AC Power Setting Index: 0x00000708
    Current DC Power Setting Index: 0x00000384

"""
RTCWAKE = """\
Power Scheme GUID: 381b4222-f694-41f0-9685-ff5bb260df2e  (Balanced)
  Subgroup GUID: 238c9fa8-0aad-41ed-83f4-97be242c8f20  (Sleep)
    GUID Alias: SUB_SLEEP
    Power Setting GUID: bd3b718a-0680-4d9d-8ab2-e1d2b4ac806d  (Allow wake timers)
      GUID Alias: RTCWAKE
      Possible Setting Index: 000
      Possible Setting Friendly Name: Disable
      Possible Setting Index: 001
      Possible Setting Friendly Name: Enable
      Possible Setting Index: 002
      Possible Setting Friendly Name: Important Wake Timers Only
    Current AC Power Setting Index: 0x00000002
    Current DC Power Setting Index: 0x00000000
"""
RTCWAKE_FR = """\
GUID du mode de gestion de l'alimentation : 381b4222-f694-41f0-9685-ff5bb260df2e  (Utilisation normale)
  GUID du sous-groupe : 238c9fa8-0aad-41ed-83f4-97be242c8f20  (Veille)
    Alias GUID : SUB_SLEEP
    GUID du paramètre d'alimentation : bd3b718a-0680-4d9d-8ab2-e1d2b4ac806d  (Autoriser les minuteurs de réveil)
      Alias GUID : RTCWAKE
      Index de paramètres possibles : 000
      Nom convivial du paramètre possible : Désactiver
      Index de paramètres possibles : 001
      Nom convivial du paramètre possible : Activer
    Index du paramètre d'alimentation secteur actuel : 0x00000001
    Index du paramètre d'alimentation sur batterie actuel : 0x00000000
"""


def test_powercfg_output_parsed():
    assert powercfg.parse_setting(STANDBYIDLE) == powercfg.Setting(ac=1800, dc=900)
    assert powercfg.parse_setting(RTCWAKE) == powercfg.Setting(ac=2, dc=0)
    assert powercfg.parse_setting(RTCWAKE.replace("\n", "\r\n")) == powercfg.Setting(ac=2, dc=0)
    assert powercfg.parse_setting(RTCWAKE_FR) == powercfg.Setting(ac=1, dc=0)  # labels translated
    assert powercfg.parse_setting("The power scheme, subgroup or setting specified does not exist.") is None
    assert powercfg.query_command("RTCWAKE") == ["powercfg", "/query", "SCHEME_CURRENT", "SUB_SLEEP", "RTCWAKE"]
    assert powercfg.minutes(1800) == "30 min" and powercfg.minutes(7200) == "2 h" and powercfg.minutes(90) == "1.5 min"


def power(standby=STANDBYIDLE, rtc=RTCWAKE, task: RunResult | None = None) -> Recorder:
    missing = RunResult(1, "", "ERROR: The system cannot find the file specified.")
    return Recorder([("STANDBYIDLE", RunResult(0, standby)), ("RTCWAKE", RunResult(0, rtc)),
                     ("/Query", task or missing)])


class _Plan:
    def __init__(self, join_at, title="Cloud webinar"):
        self.join_at, self.title = join_at, title


class _Wake:
    def __init__(self, at, join_at):
        self.at, self.plan = at, _Plan(join_at)


def test_windows_report_fails_only_when_the_pc_sleeps_and_wake_timers_are_off():
    now = AT - timedelta(hours=5)
    w = _Wake(AT, AT + timedelta(minutes=3))
    ok, detail, fix = windows_report(power(), WIN, None, w, now, "next auto-join soon")
    assert ok is False and "sleeps after 30 min idle" in detail and "asleep before the next webinar" in detail
    assert "important wake timers only" in detail and "no wake task yet" in detail
    assert fix.startswith("allow wake timers: powercfg /setacvalueindex SCHEME_CURRENT SUB_SLEEP RTCWAKE 1 && "
                          "powercfg /setactive SCHEME_CURRENT")

    task_xml = windows.task_xml(AT, user_id=None)
    ok, detail, fix = windows_report(power(rtc=RTCWAKE_FR, task=RunResult(0, task_xml)), WIN, None, w, now, "n")
    assert ok is True and fix is None and "wake timers on AC power: enabled" in detail
    assert "wake task \\webinar-tray\\wake-ana at " in detail and "moves it" not in detail

    never = STANDBYIDLE.replace("0x00000708", "0x00000000")
    ok, detail, _ = windows_report(power(standby=never), WIN, None, w, now, "n")
    assert ok is True and "never sleeps on AC power" in detail

    soon = _Wake(now + timedelta(minutes=5), now + timedelta(minutes=8))
    _, detail, _ = windows_report(power(rtc=RTCWAKE_FR), WIN, None, soon, now, "n")
    assert "the next webinar comes before that" in detail

    broken = Recorder([("powercfg", RunResult(1, "", "Access denied."))])
    ok, detail, _ = windows_report(broken, WIN, None, w, now, "n")
    assert ok is None and "powercfg STANDBYIDLE: Access denied." in detail


# ---- macOS / Linux commands ------------------------------------------------------------------
def test_admin_commands_exact():
    with local_zone("Europe/Paris"):
        assert posix.pmset_command(AT) == 'sudo pmset schedule wake "12/07/26 01:57:00"'
        assert posix.systemd_command(AT) == ("sudo systemd-run --on-calendar='2026-12-07 01:57:00' "
                                             "--timer-property=WakeSystem=true /bin/true")
    assert posix.rtcwake_command(AT) == f"sudo rtcwake -m no -t {int(AT.timestamp())}"
    assert int(AT.timestamp()) == 1796605020  # 2026-12-07T00:57:00Z
    assert posix.admin_command("darwin", AT).startswith("sudo pmset schedule wake ")
    assert posix.admin_command("linux", AT).startswith("sudo rtcwake -m no -t ")


# ---- the wakers through the Runner port ------------------------------------------------------
def test_task_scheduler_waker_sets_moves_and_removes(tmp_path):
    rec = Recorder()
    w = windows.TaskSchedulerWaker(rec, WIN, None, workdir=tmp_path)
    w.apply(None)  # first: an earlier run's task is removed, under either name
    assert rec.calls == [windows.delete_command(SCHTASKS, n) for n in windows.names("ana", None)]
    w.apply(None)  # known clean: no call
    assert len(rec.calls) == 2
    assert w.set(AT, "Cloud webinar")
    create = rec.calls[-1]
    assert create[:3] == [SCHTASKS, "/Create", "/XML"] and create[4:] == ["/TN", "\\webinar-tray\\wake-ana", "/F"]
    assert rec.files[-1] == windows.task_file_bytes(
        windows.task_xml(AT.astimezone(), user_id="DESKTOP-1\\ana", title="Cloud webinar"))
    assert list(tmp_path.iterdir()) == []  # the XML file is gone after schtasks read it
    w.apply(AT + timedelta(hours=1), "Later webinar")  # moved: one /Create /F, no delete
    assert [c[1] for c in rec.calls[2:]] == ["/Create", "/Create"]
    w.apply(None)
    assert rec.calls[-1] == windows.delete_command(SCHTASKS, "\\webinar-tray\\wake-ana")


def test_task_scheduler_waker_falls_back_to_the_root_folder(tmp_path, caplog):
    denied = RunResult(1, "", "ERROR: Access is denied.")
    rec = Recorder([("\\webinar-tray\\wake-ana", denied)])
    w = windows.TaskSchedulerWaker(rec, WIN, None, workdir=tmp_path)
    assert w.set(AT)
    assert [c[5] for c in rec.calls] == ["\\webinar-tray\\wake-ana", "\\webinar-tray-wake-ana"]
    assert w.where == "\\webinar-tray-wake-ana"
    w.set(AT + timedelta(minutes=5))
    assert rec.calls[-1][5] == "\\webinar-tray-wake-ana"  # where it worked comes first

    rec = Recorder([("/Create", denied)])
    w = windows.TaskSchedulerWaker(rec, WIN, None, workdir=tmp_path)
    with caplog.at_level(logging.DEBUG, logger="webinar_tray.adapters.desktop.wake.windows"):
        assert not w.set(AT)
        assert not w.set(AT)
    levels = [r.levelno for r in caplog.records if "cannot set the wake task" in r.getMessage()]
    assert levels == [logging.WARNING, logging.DEBUG]
    assert "Access is denied" in caplog.records[0].getMessage()


class SlowTarget:
    """A synchronous target whose first apply waits for the test: later wishes pile up."""

    def __init__(self):
        self.applied: list = []
        self.entered, self.gate = threading.Event(), threading.Event()

    def apply(self, at, title=""):
        if not self.entered.is_set():
            self.entered.set()
            self.gate.wait(10)
        self.applied.append((at, title))


def test_background_waker_runs_the_latest_wish_off_the_caller_thread():
    target = SlowTarget()
    w = BackgroundWaker(target)
    w.wake_at(AT, "a")
    assert target.entered.wait(10)  # the worker is in schtasks: the caller goes on
    for n in range(5):
        w.wake_at(AT + timedelta(minutes=n), f"b{n}")  # returns at once although the target blocks
    assert not w.idle(0.05)
    target.gate.set()
    assert w.idle(10)
    # the wishes made meanwhile replaced one another: only the latest is carried out
    assert target.applied == [(AT, "a"), (AT + timedelta(minutes=4), "b4")]
    w.close(10)
    assert target.applied[-1] == (None, "")  # Quit removes the wake
    w.wake_at(AT)  # after close: nothing
    assert w.idle(1) and target.applied[-1] == (None, "")


def test_background_waker_survives_a_failing_target(caplog):
    class Boom:
        def __init__(self):
            self.n = 0

        def apply(self, at, title=""):
            self.n += 1
            raise RuntimeError("schtasks exploded")

    boom = Boom()
    w = BackgroundWaker(boom)
    w.wake_at(AT)
    assert w.idle(10)
    w.wake_at(None)
    assert w.idle(10) and boom.n == 2
    assert any("waking: the OS call failed" in r.getMessage() for r in caplog.records)


def test_admin_only_waker_changes_nothing_and_says_so_once(caplog):
    w = AdminOnlyWaker("linux")
    with caplog.at_level(logging.DEBUG, logger="webinar_tray.adapters.desktop.wake"):
        w.wake_at(AT, "Cloud webinar")
        w.wake_at(AT + timedelta(hours=1), "Next")
        w.wake_at(None)
        w.close()
    msgs = [(r.levelno, r.getMessage()) for r in caplog.records]
    assert len(msgs) == 2 and msgs[0][0] == logging.INFO and msgs[1][0] == logging.DEBUG
    assert f"sudo rtcwake -m no -t {int(AT.timestamp())}" in msgs[0][1] and "needs admin rights" in msgs[0][1]


def test_platform_waker_by_platform(tmp_path):
    assert isinstance(platform_waker(None, Env(platform="linux")), AdminOnlyWaker)
    assert isinstance(platform_waker(None, Env(platform="darwin")), AdminOnlyWaker)
    w = platform_waker(tmp_path, WIN, tmp_path)
    assert isinstance(w, BackgroundWaker) and isinstance(w.target, windows.TaskSchedulerWaker)
    assert w.target.names == windows.names("ana", tmp_path)


def test_subprocess_runner_reports_without_raising(tmp_path):
    r = SubprocessRunner(Env.real()).run([sys.executable, "-c", "import sys; print('hi'); sys.exit(3)"])
    assert r.returncode == 3 and r.stdout.strip() == "hi" and not r.ok and r.why() == "hi"
    r = SubprocessRunner(Env.real()).run([str(tmp_path / "no-such-program")])
    assert r.returncode is None and "cannot run" in r.why()


# ---- the real Task Scheduler -------------------------------------------------------------------
def test_real_schtasks_sets_queries_and_removes_a_wake_task(tmp_path):
    if sys.platform != "win32":
        pytest.skip("Windows-only: schtasks")
    env = Env.real()
    w = windows.TaskSchedulerWaker(SubprocessRunner(env), env, tmp_path, workdir=tmp_path)
    at = (datetime.now(timezone.utc) + timedelta(days=2)).replace(microsecond=0)
    try:
        assert w.set(at, "webinar-tray test"), "schtasks /Create failed (see the log)"
        r = SubprocessRunner(env).run(windows.query_command(w.exe, w.where))
        assert r.ok and windows.start_boundary(r.stdout) == at
        assert "<WakeToRun>true</WakeToRun>" in r.stdout
    finally:
        w.remove()
    assert not SubprocessRunner(env).run(windows.query_command(w.exe, w.names[0])).ok


# ---- doctor's check on a real store ------------------------------------------------------------
def cached_home(tmp_path, start, settings_text=""):
    """A home whose store caches one auto-join webinar at `start`; (State, Store path)."""
    from tests.fakes import event
    from webinar_tray.config.paths import resolve_paths
    from webinar_tray.core.diagnosis import State
    from webinar_tray.core.settings import parse_settings
    from webinar_tray.runtime.store import Store

    paths = resolve_paths(tmp_path)
    store = Store(paths.database)
    store.replace_events("fake calendar", [event("Night webinar", start=start)], start - timedelta(hours=6))
    store.close()
    import tomllib

    state = State(paths, Env())
    state.settings = parse_settings(tomllib.loads(settings_text))[0]
    return state


def test_doctor_wake_check_on_windows_reads_the_plan_power_and_task(tmp_path):
    from tests.fakes import FakeClock
    from webinar_tray.commands.doctor.wake import wake

    start = datetime(2026, 12, 7, 2, 0, tzinfo=timezone.utc)
    s = cached_home(tmp_path, start)
    s.env = WIN.with_(clock=FakeClock(start - timedelta(hours=6)))
    wake_at = start - timedelta(minutes=4)
    task = RunResult(0, windows.task_xml(wake_at.astimezone(), user_id=None))
    rec = Recorder([("STANDBYIDLE", RunResult(0, STANDBYIDLE)), ("RTCWAKE", RunResult(0, RTCWAKE)),
                    ("/Query", task)])
    with local_zone("UTC"):
        ok, detail, fix = wake(s, runner=rec)
    assert ok is False and "powercfg /setacvalueindex SCHEME_CURRENT SUB_SLEEP RTCWAKE 1" in fix
    assert "Night webinar" in detail and "asleep before the next webinar" in detail
    assert f"wake task {windows.names('ana', s.paths.home)[0]} at Mon 07 Dec " in detail and "moves it" not in detail
    assert [c[:2] for c in rec.calls] == [["powercfg", "/query"], ["powercfg", "/query"],
                                         [SCHTASKS, "/Query"]]

    s.env = s.env.with_(platform="darwin")
    with local_zone("UTC"):
        ok, detail, fix = wake(s)
    assert ok is None and fix is None and detail.endswith('run: sudo pmset schedule wake "12/07/26 01:56:00"')


def test_doctor_wake_check_creates_nothing_and_respects_off_and_demo(tmp_path):
    from webinar_tray.commands.doctor.wake import wake
    from webinar_tray.config.paths import resolve_paths
    from webinar_tray.core.diagnosis import State
    from webinar_tray.core.settings import Settings, WakeSettings

    s = State(resolve_paths(tmp_path / "empty"), Env(platform="linux"), settings=Settings())
    ok, detail, _ = wake(s)
    assert ok is None and "no auto-join ahead" in detail and not (tmp_path / "empty").exists()
    s.settings = Settings(wake=WakeSettings(enabled=False))
    assert wake(s) == (None, "off ([wake] enabled = false)", None)
    s.paths = resolve_paths(tmp_path, demo=True)
    assert wake(s) == (None, "not used with --demo", None)
    s.settings = None
    assert wake(s)[0] is None and "config" in wake(s)[1]


def test_a_hostile_title_cannot_break_the_task_xml():
    title = "Webinar\x1b]52;c;ZXZpbA==\x07 </Description><Exec>\x00\u202eevil\ud800" + "x" * 300
    xml = windows.task_xml(AT, user_id="D\\a&b", title=title)
    root = ET.fromstring(xml.encode("utf-8").replace(b"UTF-16", b"UTF-8"))  # well-formed XML 1.0
    desc = root.find("t:RegistrationInfo/t:Description", NS).text
    assert "\x1b" not in desc and "\x00" not in desc and "\u202e" not in desc and "\ud800" not in desc
    assert "</Description><Exec>" in desc and len(desc) < 300  # text, escaped and cut
    assert root.find("t:Principals/t:Principal/t:UserId", NS).text == "D\\a&b"
    assert len(root.findall(".//t:Exec", NS)) == 1
    windows.task_file_bytes(xml).decode("utf-16")  # encodable: no lone surrogate left
