"""The committed icons: every state in every format, .ico sizes, transparency, distinct states,
and packaging/make_icons.py reproducing them pixel for pixel."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest
from PIL import Image

from webinar_tray import icons
from webinar_tray.core.menu import ICON_STATES
from webinar_tray.icons import APP, PNG_SIZES, STATES, icon_path, icons_dir, load_icon

ROOT = Path(__file__).resolve().parent.parent
ICO_SIZES = {(s, s) for s in (16, 24, 32, 48, 64, 128, 256)}


def test_the_states_are_the_menus():
    assert STATES == ICON_STATES


def test_the_folder_is_the_checkouts():
    assert icons_dir() == ROOT / "assets" / "icons"


@pytest.mark.parametrize("state", STATES + (APP,))
def test_every_state_in_every_format(state):
    for ext in ("png", "ico"):
        assert icon_path(state, ext).is_file(), icon_path(state, ext)
    if state == APP:
        assert icon_path(APP, "icns").is_file()
    else:
        for size in PNG_SIZES:
            p = icon_path(state, "png", size)
            with Image.open(p) as im:
                assert im.size == (size, size) and im.mode == "RGBA", p


@pytest.mark.parametrize("state", STATES + (APP,))
def test_ico_holds_every_size(state):
    with Image.open(icon_path(state, "ico")) as im:
        assert set(im.info["sizes"]) == ICO_SIZES
        for size in sorted(ICO_SIZES):
            im.size = size
            im.load()
            assert im.size == size and im.mode == "RGBA"
            # each frame was reduced from the drawing, not an empty or opaque square
            alpha = im.getchannel("A")
            assert alpha.getextrema() == (0, 255), (state, size)


def test_icns_holds_the_mac_sizes():
    with Image.open(icon_path(APP, "icns")) as im:
        assert im.format == "ICNS" and im.size == (1024, 1024) and im.mode == "RGBA"
        have = {(w * scale) for w, _, scale in im.info["sizes"]}
        assert {32, 64, 256, 512, 1024} <= have


@pytest.mark.parametrize("state, size", [(s, n) for s in STATES for n in (None,) + PNG_SIZES] + [(APP, None)])
def test_pngs_are_rgba_with_transparent_corners(state, size):
    with Image.open(icon_path(state, "png", size)) as im:
        assert im.mode == "RGBA"
        w, h = im.size
        assert (w, h) == ((size, size) if size else (256, 256))
        a = im.getchannel("A")
        # the top corners are clear (the sheet has rounded corners and rings below the top edge)
        assert a.getpixel((0, 0)) == 0 and a.getpixel((w - 1, 0)) == 0
        # and the glyph is there: a good part of the icon is opaque
        opaque = sum(a.histogram()[250:])
        assert opaque > 0.4 * w * h


def _pixels(im: Image.Image) -> list[tuple[int, int, int, int]]:
    data = im.convert("RGBA").tobytes()
    return [tuple(data[i:i + 4]) for i in range(0, len(data), 4)]


def _diff(a: Image.Image, b: Image.Image) -> int:
    """Pixels whose colour or alpha differ visibly."""
    return sum(1 for p, q in zip(_pixels(a), _pixels(b)) if max(abs(x - y) for x, y in zip(p, q)) > 24)


@pytest.mark.parametrize("size", (None, 32, 16))
def test_the_four_states_differ(size):
    imgs = {s: Image.open(icon_path(s, "png", size)).convert("RGBA") for s in STATES}
    px = imgs["idle"].size[0] ** 2
    for i, a in enumerate(STATES):
        for b in STATES[i + 1:]:
            # differ in a visible share of the pixels, even at 16 px
            assert _diff(imgs[a], imgs[b]) > 0.12 * px, (a, b, size)


@pytest.mark.parametrize("state, colour", [
    ("soon", (245, 158, 11)), ("attending", (22, 163, 74)), ("attention", (220, 38, 38)),
])
def test_the_16px_badge_keeps_its_colour(state, colour):
    """Readable at 16 px: the badge's colour survives the reduction in several whole pixels."""
    im = Image.open(icon_path(state, "png", 16)).convert("RGBA")
    near = [p for p in _pixels(im) if p[3] == 255 and sum(abs(p[i] - colour[i]) for i in range(3)) < 40]
    assert len(near) >= 12, (state, len(near))


def test_load_icon_is_cached_rgba():
    a = load_icon("soon")
    assert a is load_icon("soon")
    assert a.mode == "RGBA" and a.size == (256, 256)
    assert load_icon("idle", 16).size == (16, 16)


@pytest.mark.parametrize("args", [("busy", "png"), ("idle", "gif"), ("idle", "icns"), ("idle", "ico", 16),
                                  ("idle", "png", 20)])
def test_icon_path_refuses_what_does_not_exist(args):
    with pytest.raises(ValueError):
        icon_path(*args)


def test_a_pyinstaller_bundle(tmp_path, monkeypatch):
    bundle = tmp_path / "_internal"
    (bundle / "assets" / "icons").mkdir(parents=True)
    (bundle / "assets" / "icons" / f"{APP}.png").write_bytes(b"")
    monkeypatch.setattr(sys, "frozen", True, raising=False)
    monkeypatch.setattr(sys, "_MEIPASS", str(bundle), raising=False)
    assert icons.icon_path("soon", "ico") == bundle / "assets" / "icons" / "soon.ico"


def test_make_icons_reproduces_the_committed_files(tmp_path):
    out = tmp_path / "icons"
    r = subprocess.run([sys.executable, str(ROOT / "packaging" / "make_icons.py"), "--out", str(out)],
                       capture_output=True, text=True, timeout=120)
    assert r.returncode == 0, r.stderr
    made = sorted(p.name for p in out.iterdir())
    committed = sorted(p.name for p in icons_dir().iterdir() if p.is_file())
    assert made == committed
    hint = "regenerate with: uv run python packaging/make_icons.py (Pillow changed its drawing?)"
    for name in made:
        new, old = Image.open(out / name), Image.open(icons_dir() / name)
        frames = sorted(new.info["sizes"]) if name.endswith(".ico") else [None]
        for size in frames:
            if size:
                new.size = old.size = size
            a, b = new.convert("RGBA"), old.convert("RGBA")
            assert a.size == b.size and a.tobytes() == b.tobytes(), f"{name} {size}: {hint}"
