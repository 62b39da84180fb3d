"""Pure helpers for packaging/pyinstaller.spec (kept out of the spec so tests can check them
without running PyInstaller). Imported by path: this folder is not a package (and must not be
one: `packaging` is also the name of a PyPI library PyInstaller itself imports)."""

from __future__ import annotations

import argparse
import re
from dataclasses import dataclass
from typing import Mapping, Sequence

APP = "webinar-tray"  # the windowed tray app (no console window on Windows)
CLI = "webinar-tray-cli"  # its console companion: same bundle, prints (list --json, doctor, history --csv)
BUNDLE_ID = "io.github.webinar-tray"

# The tests' and app's data: only Calendar v3 of Google's ~600 discovery documents (~110 MB).
DISCOVERY_DIR = "googleapiclient/discovery_cache/documents/"
DISCOVERY_KEEP = "calendar.v3.json"


@dataclass(frozen=True)
class Options:
    onefile: bool = False
    gi: str = "auto"  # auto | yes | no: bundle PyGObject (the Linux tray menu)


def _flag(value: str | None, name: str) -> str:
    v = (value or "auto").strip().lower()
    if v in ("1", "yes", "true", "on"):
        return "yes"
    if v in ("0", "no", "false", "off"):
        return "no"
    if v == "auto":
        return "auto"
    raise SystemExit(f"{name}={value!r}: expected 1, 0 or auto")


def options(argv: Sequence[str], environ: Mapping[str, str]) -> Options:
    """The build options: spec arguments (`pyinstaller packaging/pyinstaller.spec -- --onefile
    --no-gi`) win over the environment (WEBINAR_TRAY_ONEFILE=1, WEBINAR_TRAY_GI=0|1|auto)."""
    p = argparse.ArgumentParser(prog="pyinstaller packaging/pyinstaller.spec --", add_help=False)
    p.add_argument("--onefile", dest="onefile", action="store_true", default=None)
    p.add_argument("--onedir", dest="onefile", action="store_false")
    p.add_argument("--gi", dest="gi", action="store_const", const="yes", default=None)
    p.add_argument("--no-gi", dest="gi", action="store_const", const="no")
    args, _rest = p.parse_known_args(list(argv))
    onefile = args.onefile
    if onefile is None:
        onefile = _flag(environ.get("WEBINAR_TRAY_ONEFILE", "0"), "WEBINAR_TRAY_ONEFILE") == "yes"
    gi = args.gi or _flag(environ.get("WEBINAR_TRAY_GI"), "WEBINAR_TRAY_GI")
    return Options(onefile=onefile, gi=gi)


def os_name(platform: str) -> str:
    if platform.startswith(("win", "cygwin")):
        return "windows"
    if platform == "darwin":
        return "macos"
    return "linux"


def executables(platform: str, onefile: bool) -> list[tuple[str, bool]]:
    """(name, console) of each executable. Both share one bundle in a onedir build. A onefile
    build outside Windows has only the app: there the console flag changes nothing, and two
    150 MB files would defeat the point of one file. macOS always builds the .app (onedir)."""
    exes = [(APP, False), (CLI, True)]
    if onefile and os_name(platform) != "windows":
        return exes[:1]
    return exes


def hidden_imports(platform: str, gi: bool) -> list[str]:
    """Modules plyer and pystray import by name at run time."""
    names = [
        # plyer: `plyer.notification` imports plyer.platforms.<os>.notification by name
        "plyer.platforms.win.notification",
        "plyer.platforms.win.libs.balloontip",
        "plyer.platforms.macosx.notification",
        "plyer.platforms.linux.notification",
        "pystray._dummy",  # PYSTRAY_BACKEND=dummy
    ]
    system = os_name(platform)
    if system == "windows":
        names += ["pystray._win32", "tzdata"]
    elif system == "macos":
        names += ["pystray._darwin"]
    else:
        names += ["pystray._xorg"]
        if gi:
            names += ["pystray._gtk", "pystray._appindicator", "pystray._util.gtk", "pystray._util.notify_dbus",
                      "gi.repository.Gtk", "gi.repository.Gdk", "gi.repository.GdkPixbuf",
                      "gi.repository.GLib", "gi.repository.GObject", "gi.repository.Gio",
                      "gi.repository.AyatanaAppIndicator3"]
    return names


def excludes(platform: str, gi: bool) -> list[str]:
    out = ["tkinter", "_tkinter", "pytest", "IPython", "dbus"]  # plyer uses notify-send, not dbus-python
    if os_name(platform) != "linux" or not gi:
        out += ["gi", "cairo", "pystray._gtk", "pystray._appindicator", "pystray._util.gtk"]
    if os_name(platform) != "windows":
        out += ["pystray._win32", "pystray._util.win32"]
    if os_name(platform) != "macos":
        out += ["pystray._darwin"]
    return out


def keep_data(dest: str) -> bool:
    """Whether a data file collected by the hooks goes into the bundle."""
    dest = dest.replace("\\", "/")
    if DISCOVERY_DIR in dest:
        return dest.endswith("/" + DISCOVERY_KEEP)
    return True


# gdk-pixbuf's SVG loader pulls in librsvg, libxml2 and ICU (~45 MB); our icons are PNG. The
# loader stays: should the desktop's theme ask for an SVG, it finds those in the system's folders
# (the bundle's folder only comes first in LD_LIBRARY_PATH).
SYSTEM_ONLY_LIBS = ("librsvg-2.so", "libxml2.so", "libicudata.so", "libicuuc.so", "libicui18n.so")


def keep_binary(dest: str, platform: str) -> bool:
    """Whether a shared library collected by the hooks goes into the bundle."""
    name = dest.replace("\\", "/").rsplit("/", 1)[-1]
    if os_name(platform) == "linux":
        return not name.startswith(SYSTEM_ONLY_LIBS)
    return True


# GTK's hooks collect every icon theme, theme and translation on the build machine; the tray
# menu needs none of them (pystray draws our own icon; the desktop's theme is read from the
# system folders, which stay in XDG_DATA_DIRS).
GI_HOOKSCONFIG = {"gi": {"icons": [], "themes": [], "languages": [], "module-versions": {"Gtk": "3.0"}}}


def version_tuple(version: str) -> tuple[int, int, int, int]:
    """"0.1.0" -> (0, 1, 0, 0); pre-release or local parts ("1.2.0rc1", "1.2+g3") are dropped."""
    parts = [int(m) for m in re.findall(r"\d+", re.split(r"[^\d.]", version, maxsplit=1)[0])][:4]
    return tuple(parts + [0] * (4 - len(parts)))  # type: ignore[return-value]


def version_file_text(version: str, name: str = APP, description: str = "") -> str:
    """A Windows version resource in the text form PyInstaller's EXE(version=FILE) reads
    (the output of its pyi-grab_version)."""
    t = version_tuple(version)
    desc = description or "Joins your calendar's webinars on time and records every attendance"
    strings = [
        ("CompanyName", "webinar-tray"),
        ("FileDescription", desc),
        ("FileVersion", version),
        ("InternalName", name),
        ("LegalCopyright", "MIT License"),
        ("OriginalFilename", f"{name}.exe"),
        ("ProductName", "webinar-tray"),
        ("ProductVersion", version),
    ]
    items = ",\n          ".join(f"StringStruct({k!r}, {v!r})" for k, v in strings)
    return f"""# UTF-8
VSVersionInfo(
  ffi=FixedFileInfo(
    filevers={t!r},
    prodvers={t!r},
    mask=0x3f,
    flags=0x0,
    OS=0x40004,
    fileType=0x1,
    subtype=0x0,
    date=(0, 0)
  ),
  kids=[
    StringFileInfo([
      StringTable(
        '040904B0',
        [{items}])
    ]),
    VarFileInfo([VarStruct('Translation', [1033, 1200])])
  ]
)
"""


def info_plist(version: str) -> dict:
    """macOS Info.plist additions: a menu-bar app (no Dock icon, no app menu)."""
    return {
        "CFBundleName": APP,
        "CFBundleDisplayName": APP,
        "CFBundleShortVersionString": version,
        "CFBundleVersion": version,
        "LSUIElement": True,
        # BUNDLE sets LSBackgroundOnly when the last EXE of the COLLECT is a console one (the
        # -cli): a background-only app may show no UI at all, not even a menu-bar item.
        "LSBackgroundOnly": False,
        "NSHighResolutionCapable": True,
        "LSMinimumSystemVersion": "11.0",
    }
