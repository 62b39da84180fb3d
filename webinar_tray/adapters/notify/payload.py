"""The texts of a desktop notification and the command lines that carry them, as pure functions.

`clean()` makes a (title, message) safe to show: links lose their query, fragment and
user:password@ (`redact`: Zoom pwd, ON24 keys), control and bidi-override characters go
(`strip_controls`), and both are cut with "…" to the platform's limits (`limits_for`, `cut`;
Windows counts UTF-16 code units: 63/255, the sizes of NOTIFYICONDATAW's szInfoTitle/szInfo).
Also here: the argv of `osascript` (AppleScript string escaping, never a shell), of `gdbus call` to
the Flatpak notification portal (GVariant text built by escaping, `gvariant_string`), of plyer's
`notify-send` command, a leading dash kept from reading as an option, and the icon file each
platform's plyer backend can use. No I/O besides `icon_for` looking at the icon files.
"""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any

from webinar_tray.core.redact import safe_url
from webinar_tray.core.text import clean_line
from webinar_tray.core.text import cut as text_cut

APP_NAME = "webinar-tray"

# (title, message) limits. Windows counts UTF-16 code units and has no room for more
# (NOTIFYICONDATAW.szInfoTitle[64], szInfo[256], each with its NUL). Elsewhere there is no hard limit;
# these keep a notification to what a popup shows.
LIMITS: dict[str, tuple[int, int]] = {"win": (63, 255)}
DEFAULT_LIMITS = (100, 400)

_URL = re.compile(r"\b[a-zA-Z][a-zA-Z0-9+.-]*://[^\s<>\"']+")
# host/path?query without a scheme ("zoom.us/j/1?pwd=…"): the query goes
_BARE_QUERY = re.compile(r"(?<![\w@/.-])((?:[\w-]+\.)+[a-zA-Z]{2,}(?::\d+)?/[^\s?#<>\"']*)[?#][^\s<>\"']*")
ELLIPSIS = "…"


def redact(text: str) -> str:
    """Links shown as scheme://host/path: never a query, a fragment or user:password@."""
    text = _URL.sub(lambda m: safe_url(m.group(0)), text)
    return _BARE_QUERY.sub(r"\1", text)


def strip_controls(text: str) -> str:
    """Control characters out (core.text.clean_line): line breaks and tabs become spaces, the rest
    (C0, C1, DEL, bidi overrides and other format characters) is dropped; runs of spaces collapse."""
    return clean_line(text)


def cut(text: str, limit: int, *, utf16: bool = False) -> str:
    """`text` in at most `limit` characters (UTF-16 code units when `utf16`), ending in "…" when
    it had to be cut. Never splits a character (or a surrogate pair)."""
    return text_cut(text, limit, utf16=utf16)


def limits_for(platform: str) -> tuple[int, int]:
    return LIMITS.get(platform, DEFAULT_LIMITS)


def clean(title: Any, message: Any, platform: str) -> tuple[str, str]:
    """(title, message) as they may be shown on `platform` (plyer's names: linux, win, macosx…)."""
    t_max, m_max = limits_for(platform)
    utf16 = platform == "win"
    title = strip_controls(redact("" if title is None else str(title))) or APP_NAME
    message = strip_controls(redact("" if message is None else str(message)))
    return cut(title, t_max, utf16=utf16), cut(message, m_max, utf16=utf16)


# ---- the Flatpak portal (org.freedesktop.portal.Notification) through `gdbus call` ------------

PORTAL_DEST = "org.freedesktop.portal.Desktop"
PORTAL_PATH = "/org/freedesktop/portal/desktop"
PORTAL_METHOD = "org.freedesktop.portal.Notification.AddNotification"
_GVARIANT_ESCAPES = {"\\": "\\\\", "'": "\\'", "\n": "\\n", "\t": "\\t", "\r": "\\r",
                     "\b": "\\b", "\f": "\\f", "\v": "\\v"}


def gvariant_string(text: str) -> str:
    """A GVariant text-format string literal of `text`, as g_variant_parse (and so `gdbus call`)
    reads it back exactly: single-quoted; backslash, quote and line breaks escaped; every other
    non-printable character as \\uXXXX / \\UXXXXXXXX; a lone surrogate (not UTF-8) as U+FFFD.
    plyer's portal backend pastes the text between quotes, so an apostrophe broke it."""
    out = ["'"]
    for ch in text:
        if ch in _GVARIANT_ESCAPES:
            out.append(_GVARIANT_ESCAPES[ch])
        elif "\ud800" <= ch <= "\udfff":
            out.append("\\ufffd")
        elif not ch.isprintable():
            out.append(f"\\u{ord(ch):04x}" if ord(ch) <= 0xFFFF else f"\\U{ord(ch):08x}")
        else:
            out.append(ch)
    out.append("'")
    return "".join(out)


def portal_notification(title: str, body: str) -> str:
    """The portal's notification (a{sv}) in GVariant text: {'title': <'…'>, 'body': <'…'>}."""
    return f"{{'title': <{gvariant_string(title)}>, 'body': <{gvariant_string(body)}>}}"


def portal_argv(notification_id: str, title: str, body: str) -> list[str]:
    """`gdbus call` adding a notification through the desktop portal (Flatpak): argv, no shell;
    the body is plain text for the portal (no markup)."""
    return ["gdbus", "call", "--session", "--dest", PORTAL_DEST, "--object-path", PORTAL_PATH,
            "--method", PORTAL_METHOD, gvariant_string(notification_id), portal_notification(title, body)]


def applescript_string(text: str) -> str:
    """An AppleScript string literal of `text` (backslash and double quote escaped)."""
    return '"' + text.replace("\\", "\\\\").replace('"', '\\"') + '"'


def osascript_argv(title: str, message: str) -> list[str]:
    """The osascript command line: argv for subprocess (no shell), the texts as escaped literals."""
    script = f"display notification {applescript_string(message)} with title {applescript_string(title)}"
    return ["osascript", "-e", script]


def icon_for(platform: str, icon_path: str | None) -> str:
    """The icon file plyer can use: a .ico on Windows, a .png elsewhere — `icon_path` itself, or
    the file next to it with the other suffix; "" when there is none (plyer's Windows backend
    raises for a missing icon file)."""
    if not icon_path:
        return ""
    want = ".ico" if platform == "win" else ".png"
    p = Path(icon_path)
    for candidate in (p, p.with_suffix(want)):
        if candidate.suffix.lower() == want and candidate.is_file():
            return str(candidate)
    return ""


def notify_send_argv(title: str, message: str, app_name: str) -> list[str]:
    """The command plyer 2.1's NotifySendNotification runs (it reads no icon: `icon` is not
    among the keywords plyer's facade passes on)."""
    return ["notify-send", title, message, "-i", "", "-h", "string::", "-u", "normal", "-c", "",
            "-a", app_name, "-t", "0"]


def no_leading_dash(text: str) -> str:
    """`text` with a leading "-" made U+2010 HYPHEN: notify-send would read it as an option."""
    return "\u2010" + text[1:] if text.startswith("-") else text  # U+2010 HYPHEN looks the same
