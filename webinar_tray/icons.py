"""The tray and app icons in assets/icons/ (drawn by packaging/make_icons.py), found both in a
source checkout and in a PyInstaller bundle (the spec adds the folder as data at assets/icons)."""

from __future__ import annotations

import sys
from functools import lru_cache
from pathlib import Path
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from PIL import Image

STATES = ("idle", "soon", "attending", "attention")  # = core.menu.ICON_STATES
APP = "webinar-tray"  # the app icon's name: webinar-tray.png / .ico / .icns
EXTS = ("png", "ico", "icns")
PNG_SIZES = (16, 24, 32, 48)  # besides the 256 px <state>.png


def icons_dir() -> Path:
    """The assets/icons folder: in the bundle when frozen, else the checkout's (or, for a wheel
    that ships it, the package's own copy)."""
    here = Path(__file__).resolve().parent
    candidates = []
    if getattr(sys, "frozen", False):
        base = getattr(sys, "_MEIPASS", None)
        candidates.append(Path(base) if base else Path(sys.executable).resolve().parent)
        candidates.append(Path(sys.executable).resolve().parent)
    candidates += [here.parent, here]
    for base in candidates:
        d = base / "assets" / "icons"
        if (d / f"{APP}.png").is_file():
            return d
    return candidates[0] / "assets" / "icons"


def icon_path(state: str, ext: str = "png", size: int | None = None) -> Path:
    """`state` is one of STATES or APP; `size` picks a small PNG (16, 24, 32, 48)."""
    if state not in STATES and state != APP:
        raise ValueError(f"unknown icon {state!r} (one of {', '.join(STATES + (APP,))})")
    ext = ext.lstrip(".").lower()
    if ext not in EXTS:
        raise ValueError(f"unknown icon format {ext!r} (one of {', '.join(EXTS)})")
    if ext == "icns" and state != APP:
        raise ValueError("only the app icon has an .icns")
    if size is not None:
        if ext != "png" or size not in PNG_SIZES or state == APP:
            raise ValueError(f"no {size} px {ext} of {state!r}")
        return icons_dir() / f"{state}-{size}.png"
    return icons_dir() / f"{state}.{ext}"


@lru_cache(maxsize=None)
def load_icon(state: str, size: int | None = None) -> "Image.Image":
    """The icon as an RGBA image (256 px unless `size`), read once. Callers must not modify it
    (pystray only reads it; copy() before drawing on it).

    Pillow is imported here, not with the module (`run` and the notifier need only the paths),
    and the PNG reader is used directly: `Image.open` first imports five format plugins
    (BMP, GIF, JPEG, PPM, PNG), ~60 ms of the tray's start (bench/start_time.py)."""
    from PIL.PngImagePlugin import PngImageFile

    with PngImageFile(str(icon_path(state, "png", size))) as im:
        im.load()
        return im.convert("RGBA") if im.mode != "RGBA" else im.copy()
