"""Draws the tray and app icons into assets/icons/ (the generated files are committed).

    uv run python packaging/make_icons.py [--out DIR]

The glyph: a rounded calendar sheet with a play triangle (a webinar on the calendar). The tray
states add a badge at the bottom right, cut out of the sheet so it reads at 16 px:
  idle       no badge
  soon       amber badge with clock hands
  attending  green "live" badge (a dot in a ring)
  attention  red badge with "!"

Everything is drawn with Pillow's shapes (no fonts) on a 2048 px master (coordinates on a
1024 grid) and reduced with LANCZOS. Sizes up to 24 px use a simplified drawing (no binder rings,
a larger badge, a bolder triangle), as an icon designer would hint small sizes. The output is a
pure function of the code and the Pillow version: running it again gives the same pixels.

Output per state: <state>.png (256 px), <state>-16/-24/-32/-48.png, <state>.ico (16, 24, 32, 48,
64, 128, 256). The app icon (the idle glyph): webinar-tray.png (256 px), webinar-tray.ico,
webinar-tray.icns (16…1024, for the macOS bundle).
"""

from __future__ import annotations

import argparse
import math
from functools import lru_cache
from pathlib import Path

from PIL import Image, ImageDraw

STATES = ("idle", "soon", "attending", "attention")
APP = "webinar-tray"
ICO_SIZES = (16, 24, 32, 48, 64, 128, 256)
PNG_SIZES = (16, 24, 32, 48)
ICNS_SIZES = (16, 32, 64, 128, 256, 512, 1024)
SMALL = 24  # sizes up to this use the simplified drawing
RING_FROM = 48  # the "live" badge has its ring from this size up

GRID = 1024  # coordinates below are on this grid
MASTER = 2048  # drawn at this size, then reduced
K = MASTER / GRID

SHEET = (47, 111, 237, 255)  # blue
HEADER = (28, 72, 170, 255)  # the calendar's top band
RING = (148, 163, 184, 255)  # slate: visible on light and dark panels
WHITE = (255, 255, 255, 255)
BADGE = {
    "soon": (245, 158, 11, 255),  # amber
    "attending": (22, 163, 74, 255),  # green
    "attention": (220, 38, 38, 255),  # red
}
CLEAR = (0, 0, 0, 0)


def _s(*xy: float) -> list[float]:
    return [v * K for v in xy]


def draw(state: str, small: bool = False, ring: bool = True) -> Image.Image:
    """The MASTER-size RGBA drawing of one state. `small`: the simplified drawing for tiny sizes;
    `ring`: the "live" badge's ring (too thin to read below 48 px, where only its dot is drawn)."""
    if state not in STATES:
        raise ValueError(f"unknown icon state {state!r}")
    im = Image.new("RGBA", (MASTER, MASTER), CLEAR)
    d = ImageDraw.Draw(im)
    badge = state != "idle"

    # the sheet, its top band, the binder rings
    # small: edges on whole pixels at 16 and 24 px (multiples of 64 and 128/3 units)
    top = 128 if small else 150
    box = (0, top, 1024, 1024) if small else (72, top, 952, 900)
    radius = 192 if small else 150
    d.rounded_rectangle(_s(*box), radius=radius * K, fill=SHEET)
    band = 320 if small else top + 170
    # the band: the sheet's top part in the darker colour (rounded top, square bottom)
    d.rounded_rectangle(_s(box[0], box[1], box[2], band + radius), radius=radius * K, fill=HEADER)
    d.rectangle(_s(box[0], band, box[2], band + radius), fill=SHEET)
    if not small:
        for cx in (300, 724):
            d.rounded_rectangle(_s(cx - 42, 70, cx + 42, 250), radius=42 * K, fill=RING)

    # the play triangle: centred in the sheet, moved left and up when there is a badge
    if badge:
        tri = [(190, 420), (190, 800), (500, 610)] if small else [(250, 420), (250, 740), (520, 580)]
    else:
        tri = [(360, 410), (360, 890), (760, 650)] if small else [(390, 450), (390, 790), (680, 620)]
    _rounded_triangle(d, tri, 40 if small else 36, WHITE)

    if badge:
        cx, cy = (736, 736) if small else (760, 760)
        r = 288 if small else 240
        cut = r + (56 if small else 52)
        d.ellipse(_s(cx - cut, cy - cut, cx + cut, cy + cut), fill=CLEAR)
        d.ellipse(_s(cx - r, cy - r, cx + r, cy + r), fill=BADGE[state])
        _badge_glyph(d, state, cx, cy, r, small, ring)
    return im


def _rounded_triangle(d: ImageDraw.ImageDraw, pts: list[tuple[float, float]], rad: float, fill) -> None:
    """A triangle with rounded corners: the inner triangle grown by circles at its corners."""
    # shrink towards the centroid by rad, then draw it plus circles and thick edges
    gx = sum(x for x, _ in pts) / 3
    gy = sum(y for _, y in pts) / 3
    inner = []
    for x, y in pts:
        dx, dy = x - gx, y - gy
        dist = math.hypot(dx, dy)
        f = (dist - rad * 2) / dist
        inner.append((gx + dx * f, gy + dy * f))
    d.polygon([tuple(_s(x, y)) for x, y in inner], fill=fill)
    for i in range(3):
        (x1, y1), (x2, y2) = inner[i], inner[(i + 1) % 3]
        d.line(_s(x1, y1, x2, y2), fill=fill, width=int(2 * rad * K))
        d.ellipse(_s(x1 - rad, y1 - rad, x1 + rad, y1 + rad), fill=fill)


def _badge_glyph(d: ImageDraw.ImageDraw, state: str, cx: float, cy: float, r: float, small: bool,
                 ring: bool) -> None:
    if state == "attention":
        w = r * (0.30 if small else 0.26)  # the bar's width
        d.rounded_rectangle(_s(cx - w / 2, cy - r * 0.62, cx + w / 2, cy + r * 0.18), radius=w / 2 * K, fill=WHITE)
        dot = w * 0.62
        d.ellipse(_s(cx - dot, cy + r * 0.52 - dot, cx + dot, cy + r * 0.52 + dot), fill=WHITE)
    elif state == "soon":
        w = r * (0.24 if small else 0.18)
        # hands: to 12 o'clock and to 3 o'clock
        d.line(_s(cx, cy, cx, cy - r * 0.62), fill=WHITE, width=int(w * K))
        d.line(_s(cx, cy, cx + r * 0.48, cy), fill=WHITE, width=int(w * K))
        for x, y in ((cx, cy), (cx, cy - r * 0.62), (cx + r * 0.48, cy)):
            d.ellipse(_s(x - w / 2, y - w / 2, x + w / 2, y + w / 2), fill=WHITE)
    elif state == "attending":
        if small or not ring:
            dot = r * 0.42
            d.ellipse(_s(cx - dot, cy - dot, cx + dot, cy + dot), fill=WHITE)
        else:
            ring, width, dot = r * 0.66, r * 0.14, r * 0.30
            d.ellipse(_s(cx - ring, cy - ring, cx + ring, cy + ring), outline=WHITE, width=int(width * K))
            d.ellipse(_s(cx - dot, cy - dot, cx + dot, cy + dot), fill=WHITE)


@lru_cache(maxsize=None)
def _master(state: str, small: bool, ring: bool) -> Image.Image:
    return draw(state, small, ring)


@lru_cache(maxsize=None)
def render(state: str, size: int) -> Image.Image:
    """One state at `size` px, reduced from its master with LANCZOS (cached: do not modify)."""
    master = _master(state, size <= SMALL, size >= RING_FROM)
    im = master.resize((size, size), Image.Resampling.LANCZOS)
    # LANCZOS rings: the clear background gets faint (alpha 1-7) specks; make them clear again
    alpha = im.getchannel("A").point(lambda v: 0 if v < 8 else v)
    im.putalpha(alpha)
    return Image.composite(im, Image.new("RGBA", im.size, CLEAR), alpha)


def write_all(out: Path) -> list[Path]:
    out.mkdir(parents=True, exist_ok=True)
    written: list[Path] = []
    at = render

    def save(im: Image.Image, name: str, **kw) -> None:
        path = out / name
        im.save(path, **kw)
        written.append(path)

    for state in STATES:
        save(at(state, 256), f"{state}.png", optimize=True)
        for size in PNG_SIZES:
            save(at(state, size), f"{state}-{size}.png", optimize=True)
        frames = [at(state, s) for s in ICO_SIZES]
        save(frames[-1], f"{state}.ico", sizes=[(s, s) for s in ICO_SIZES], append_images=frames[:-1])

    save(at("idle", 256), f"{APP}.png", optimize=True)
    frames = [at("idle", s) for s in ICO_SIZES]
    save(frames[-1], f"{APP}.ico", sizes=[(s, s) for s in ICO_SIZES], append_images=frames[:-1])
    icns = [at("idle", s) for s in ICNS_SIZES]
    save(icns[-1], f"{APP}.icns", append_images=icns[:-1])
    return written


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--out", type=Path, default=Path(__file__).resolve().parent.parent / "assets" / "icons")
    ap.add_argument("--preview", type=Path, help="also write a contact sheet of every size here")
    args = ap.parse_args(argv)
    for p in write_all(args.out):
        print(p)
    if args.preview:
        sizes = (16, 24, 32, 48, 64, 256)
        zoom = 4  # small sizes shown enlarged (nearest) next to their real size
        cell = 256 + 16
        sheet = Image.new("RGBA", (cell * len(sizes) * 2, cell * len(STATES)), (236, 239, 244, 255))
        for row, state in enumerate(STATES):
            for col, size in enumerate(sizes):
                im = render(state, size)
                sheet.alpha_composite(im, (col * 2 * cell + 8, row * cell + 8))
                big = im.resize((min(256, size * zoom),) * 2, Image.Resampling.NEAREST)
                sheet.alpha_composite(big, ((col * 2 + 1) * cell + 8, row * cell + 8))
        sheet.save(args.preview)
        print(args.preview)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
