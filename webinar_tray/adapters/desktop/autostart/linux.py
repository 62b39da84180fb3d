"""Linux (and the BSDs): an XDG autostart entry, $XDG_CONFIG_HOME/autostart/webinar-tray.desktop
(default ~/.config/autostart), read by GNOME, KDE, Xfce, Cinnamon, MATE, LXQt...

`disable` keeps the file and writes Hidden=true in it: the XDG Autostart spec's way to say "do
not start this", which also hides a system-wide entry of the same name in $XDG_CONFIG_DIRS.
`status` reports Hidden=true, X-GNOME-Autostart-enabled=false (the desktop's own "startup
applications" switch) and an entry whose Exec is not the command we would write."""

from __future__ import annotations

import os
import re
from dataclasses import replace
from pathlib import Path
from typing import Mapping, Sequence

from webinar_tray.adapters.desktop.autostart import ENTRY_NAME, AutostartError, AutostartStatus
from webinar_tray.env import Env

FILE_NAME = f"{ENTRY_NAME}.desktop"
GROUP = "[Desktop Entry]"
MANAGED_KEY = "X-Webinar-Tray-Managed"
COMMENT = "Joins your calendar's webinars on time and records every attendance"

# Desktop Entry Specification 1.5, "The Exec key": an argument holding one of these is quoted.
RESERVED = frozenset(" \t\n\"'\\><~|&;$*?#()`")


# ---- the Exec key --------------------------------------------------------------------------
def quote_arg(arg: str) -> str:
    """One argument as the spec wants it (before the string-level escapes): in double quotes
    when it is empty or holds a reserved character, with `"`, `` ` ``, `$` and `\\` escaped by
    a backslash; a literal `%` doubled (else it would be a field code)."""
    if arg == "" or any(c in RESERVED for c in arg):
        arg = '"' + re.sub(r'(["`$\\])', r"\\\1", arg) + '"'
    return arg.replace("%", "%%")


def escape_string(value: str) -> str:
    """The escapes of a `string` value (applied after the quoting): \\\\, \\n, \\t, \\r."""
    return (value.replace("\\", "\\\\").replace("\n", "\\n").replace("\t", "\\t")
            .replace("\r", "\\r"))


def exec_value(argv: Sequence[str]) -> str:
    """The Exec value for `argv`, e.g. `/usr/bin/python3 -m webinar_tray --home "/home/a b"`;
    a literal backslash in a quoted argument ends up as four, a dollar sign as `\\\\$`."""
    return escape_string(" ".join(quote_arg(a) for a in argv))


def desktop_entry(argv: Sequence[str], icon: str | None = None) -> str:
    lines = [
        GROUP,
        "Type=Application",
        "Name=webinar-tray",
        f"Comment={COMMENT}",
        f"Exec={exec_value(argv)}",
    ]
    if icon:
        lines.append(f"Icon={escape_string(icon)}")
    lines += ["Terminal=false", "X-GNOME-Autostart-enabled=true", f"{MANAGED_KEY}=true"]
    return "\n".join(lines) + "\n"


def read_entry(text: str) -> dict[str, str]:
    """The raw (still escaped) keys of the [Desktop Entry] group; localized keys skipped."""
    keys: dict[str, str] = {}
    group = None
    for raw in text.splitlines():
        line = raw.strip()
        if not line or line.startswith("#"):
            continue
        if line.startswith("[") and line.endswith("]"):
            group = line
            continue
        if group != GROUP or "=" not in line:
            continue
        key, value = line.split("=", 1)
        key = key.strip()
        if "[" in key:
            continue
        keys.setdefault(key, value.strip())
    return keys


def with_hidden(text: str) -> str:
    """`text` with Hidden=true in its [Desktop Entry] group (an existing Hidden line replaced)."""
    out: list[str] = []
    group = None
    done = False
    for raw in text.splitlines():
        line = raw.strip()
        if line.startswith("[") and line.endswith("]"):
            if group == GROUP and not done:
                out.append("Hidden=true")
                done = True
            group = line
        elif group == GROUP and line.split("=", 1)[0].strip() == "Hidden":
            if not done:
                out.append("Hidden=true")
                done = True
            continue
        out.append(raw)
    if not done:
        if group != GROUP and GROUP not in (s.strip() for s in out):
            out.insert(0, GROUP)
            out.insert(1, "Hidden=true")
        else:
            out.append("Hidden=true")
    return "\n".join(out) + "\n"


def _true(value: str | None) -> bool:
    return (value or "").strip().lower() == "true"


# ---- where ---------------------------------------------------------------------------------
def config_home(environ: Mapping[str, str]) -> Path:
    """$XDG_CONFIG_HOME when set to an absolute path (the spec ignores a relative one), else
    ~/.config."""
    value = environ.get("XDG_CONFIG_HOME") or ""
    if value and os.path.isabs(value):
        return Path(value)
    home = environ.get("HOME") or os.path.expanduser("~")
    return Path(home) / ".config"


def system_dirs(environ: Mapping[str, str]) -> list[Path]:
    value = environ.get("XDG_CONFIG_DIRS") or "/etc/xdg"
    return [Path(d) / "autostart" for d in value.split(":") if d and os.path.isabs(d)]


def _default_icon() -> str | None:
    """The app icon, when the icons module (and the file) exist."""
    try:
        from webinar_tray import icons

        path = Path(icons.icon_path(icons.APP, "png"))
    except Exception:
        return None
    return str(path.resolve()) if path.is_file() else None


class LinuxAutostart:
    def __init__(self, command: Sequence[str], env: Env, icon: str | None | bool = True):
        self.command = list(command)
        self.environ = dict(env.environ)  # XDG_CONFIG_HOME, XDG_CONFIG_DIRS, HOME
        self.path = config_home(self.environ) / "autostart" / FILE_NAME
        self._icon = icon  # True: find it; None/False: none; a str: that file

    def icon(self) -> str | None:
        if self._icon is True:
            return _default_icon()
        return self._icon or None

    def expected_exec(self) -> str:
        return exec_value(self.command)

    def _write(self, text: str) -> None:
        try:
            self.path.parent.mkdir(parents=True, exist_ok=True)
            tmp = self.path.with_name(f".{FILE_NAME}.tmp")
            tmp.write_text(text, encoding="utf-8")
            os.chmod(tmp, 0o644)
            os.replace(tmp, self.path)
        except OSError as e:
            raise AutostartError(f"cannot write {self.path}: {e.strerror or e}") from None

    def enable(self) -> AutostartStatus:
        self._write(desktop_entry(self.command, self.icon()))
        return self.status()

    def disable(self) -> AutostartStatus:
        text = None
        try:
            text = self.path.read_text(encoding="utf-8", errors="replace")
        except FileNotFoundError:
            pass
        except OSError as e:
            raise AutostartError(f"cannot read {self.path}: {e.strerror or e}") from None
        if text is None:
            system = self._system_entry()
            if system is None:
                return self.status()  # nothing starts us: nothing to do
            # A system-wide entry of the same name is hidden by a user entry with Hidden=true.
            text = desktop_entry(self.command)
        self._write(with_hidden(text))
        return self.status()

    def _system_entry(self) -> Path | None:
        for d in system_dirs(self.environ):
            p = d / FILE_NAME
            if p.is_file():
                return p
        return None

    def status(self) -> AutostartStatus:
        path = self.path
        try:
            text = path.read_text(encoding="utf-8")
        except FileNotFoundError:
            system = self._system_entry()
            if system is None:
                return AutostartStatus(False, f"off (no {path})")
            return replace(self._judge(system, _read_quietly(system)), detail=f"system-wide entry {system}")
        except (OSError, UnicodeDecodeError) as e:
            why = getattr(e, "strerror", None) or e
            return AutostartStatus(False, f"{path} cannot be read ({why})",
                                   "the autostart entry is unreadable; `webinar-tray autostart "
                                   "enable` writes it again", broken=True)
        return self._judge(path, text)

    def _judge(self, path: Path, text: str | None) -> AutostartStatus:
        keys = read_entry(text or "")
        if _true(keys.get("Hidden")):
            return AutostartStatus(False, f"off (Hidden=true in {path})")
        exec_line = keys.get("Exec")
        if keys.get("Type") != "Application" or not exec_line:
            return AutostartStatus(False, f"{path} is not a valid application entry",
                                   "`webinar-tray autostart enable` writes it again", broken=True)
        on = not (keys.get("X-GNOME-Autostart-enabled", "").strip().lower() == "false")
        if exec_line != self.expected_exec():
            who = ("was written for another installation or home folder"
                   if _true(keys.get(MANAGED_KEY)) else "was not written by webinar-tray")
            return AutostartStatus(
                on, f"{path} starts: {exec_line}",
                f"the entry {who}; `webinar-tray autostart enable` makes it start this one "
                f"({self.expected_exec()})", broken=True)
        if not on:
            return AutostartStatus(False, f"{path} (X-GNOME-Autostart-enabled=false)",
                                   "turned off in the desktop's startup applications settings; "
                                   "`webinar-tray autostart enable` turns it on again")
        return AutostartStatus(True, f"{path} starts: {exec_line}")


def _read_quietly(path: Path) -> str | None:
    try:
        return path.read_text(encoding="utf-8", errors="replace")
    except OSError:
        return None
