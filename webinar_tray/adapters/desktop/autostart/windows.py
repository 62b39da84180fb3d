"""Windows: the value "webinar-tray" under HKCU\\Software\\Microsoft\\Windows\\CurrentVersion\\Run.

Task Manager's "Startup apps" switch does not touch that value: it writes a 12-byte binary value
of the same name under ...\\Explorer\\StartupApproved\\Run, whose first byte is even (0x02, 0x06)
when the entry may run and odd (0x03, 0x07) when the user turned it off (the other 8 bytes are
when). `status` reads both; `enable` is the user asking, so it also turns that switch back on.

The pure functions (`run_value`, `parse_startup_approved`) are tested on every OS; the registry
is reached through `WinRegistry` (winreg, imported only when used: on Windows)."""

from __future__ import annotations

from typing import Protocol, Sequence

from webinar_tray.adapters.desktop.autostart import ENTRY_NAME, AutostartError, AutostartStatus

RUN_KEY = r"Software\Microsoft\Windows\CurrentVersion\Run"
APPROVED_KEY = r"Software\Microsoft\Windows\CurrentVersion\Explorer\StartupApproved\Run"
APPROVED_ON = b"\x02" + b"\x00" * 11  # what Task Manager writes when an entry is switched on
TASK_MANAGER_OFF = ("disabled in Task Manager → Startup apps; switch it on there, or run "
                    "`webinar-tray autostart enable`")


# ---- the command line ----------------------------------------------------------------------
def quote_arg(arg: str) -> str:
    """One argument by the rules CommandLineToArgvW and the C runtime parse with: quoted only
    when it is empty or holds whitespace or a quote; inside quotes a `"` becomes `\\"` and the
    backslashes before a `"` (or before the closing quote) are doubled. Other backslashes stay."""
    if arg and not any(c in arg for c in ' \t\n\v"'):
        return arg
    out = ['"']
    backslashes = 0
    for c in arg:
        if c == "\\":
            backslashes += 1
            continue
        if c == '"':
            out.append("\\" * (2 * backslashes + 1) + '"')
        else:
            out.append("\\" * backslashes + c)
        backslashes = 0
    out.append("\\" * (2 * backslashes) + '"')
    return "".join(out)


def run_value(argv: Sequence[str]) -> str:
    """The Run value: the program always in quotes (a path is parsed up to the closing quote,
    with no escapes; a Windows file name cannot hold a `"`), each argument per `quote_arg`:
    `"C:\\Path With Spaces\\webinar-tray.exe" --home "D:\\x y"`."""
    program, *args = argv
    if '"' in program:
        raise AutostartError(f"a program path cannot contain a quote: {program}")
    return " ".join([f'"{program}"', *(quote_arg(a) for a in args)])


def parse_startup_approved(data: object) -> bool | None:
    """Task Manager's switch from the StartupApproved value: True (on: first byte 0x02, 0x06,
    any even byte), False (off: 0x03, 0x07, any odd byte), None (no value, or not binary:
    Windows then runs the entry)."""
    if not isinstance(data, (bytes, bytearray)) or not data:
        return None
    return not (data[0] & 1)


# ---- the registry --------------------------------------------------------------------------
class Registry(Protocol):
    """HKEY_CURRENT_USER, value by value."""

    def read(self, key: str, name: str) -> object | None: ...

    def write_string(self, key: str, name: str, value: str) -> None: ...

    def write_binary(self, key: str, name: str, data: bytes) -> None: ...

    def delete(self, key: str, name: str) -> bool: ...


class WinRegistry:
    """The real HKCU through winreg (Windows only)."""

    @staticmethod
    def _winreg():
        import winreg  # Windows-only module

        return winreg

    def read(self, key: str, name: str) -> object | None:
        winreg = self._winreg()
        try:
            with winreg.OpenKey(winreg.HKEY_CURRENT_USER, key) as k:
                value, _kind = winreg.QueryValueEx(k, name)
                return value
        except FileNotFoundError:
            return None

    def write_string(self, key: str, name: str, value: str) -> None:
        winreg = self._winreg()
        with winreg.CreateKeyEx(winreg.HKEY_CURRENT_USER, key, 0, winreg.KEY_SET_VALUE) as k:
            winreg.SetValueEx(k, name, 0, winreg.REG_SZ, value)

    def write_binary(self, key: str, name: str, data: bytes) -> None:
        winreg = self._winreg()
        with winreg.CreateKeyEx(winreg.HKEY_CURRENT_USER, key, 0, winreg.KEY_SET_VALUE) as k:
            winreg.SetValueEx(k, name, 0, winreg.REG_BINARY, data)

    def delete(self, key: str, name: str) -> bool:
        winreg = self._winreg()
        try:
            with winreg.OpenKey(winreg.HKEY_CURRENT_USER, key, 0, winreg.KEY_SET_VALUE) as k:
                winreg.DeleteValue(k, name)
            return True
        except FileNotFoundError:
            return False


class WindowsAutostart:
    def __init__(self, command: Sequence[str], registry: Registry | None = None,
                 name: str = ENTRY_NAME):
        self.command = list(command)
        self.registry = registry if registry is not None else WinRegistry()
        self.name = name
        self.where = f"HKCU\\{RUN_KEY}\\{name}"

    def expected(self) -> str:
        return run_value(self.command)

    def enable(self) -> AutostartStatus:
        try:
            self.registry.write_string(RUN_KEY, self.name, self.expected())
            if parse_startup_approved(self.registry.read(APPROVED_KEY, self.name)) is False:
                self.registry.write_binary(APPROVED_KEY, self.name, APPROVED_ON)
        except OSError as e:
            raise AutostartError(f"cannot write {self.where}: {e.strerror or e}") from None
        return self.status()

    def disable(self) -> AutostartStatus:
        try:
            self.registry.delete(RUN_KEY, self.name)
            self.registry.delete(APPROVED_KEY, self.name)
        except OSError as e:
            raise AutostartError(f"cannot remove {self.where}: {e.strerror or e}") from None
        return self.status()

    def status(self) -> AutostartStatus:
        try:
            value = self.registry.read(RUN_KEY, self.name)
            approved = parse_startup_approved(self.registry.read(APPROVED_KEY, self.name))
        except OSError as e:
            return AutostartStatus(False, f"{self.where} cannot be read ({e.strerror or e})",
                                   "the registry could not be read", broken=True)
        if value is None:
            return AutostartStatus(False, f"off (no {self.where})")
        if not isinstance(value, str):
            return AutostartStatus(False, f"{self.where} is not a text value",
                                   "`webinar-tray autostart enable` writes it again", broken=True)
        on = approved is not False
        if value != self.expected():
            return AutostartStatus(on, f"{self.where} starts: {value}",
                                   "the entry starts another program or home folder; "
                                   "`webinar-tray autostart enable` makes it start this one "
                                   f"({self.expected()})", broken=True)
        if not on:
            return AutostartStatus(False, f"{self.where} starts: {value}", TASK_MANAGER_OFF)
        return AutostartStatus(True, f"{self.where} starts: {value}")
