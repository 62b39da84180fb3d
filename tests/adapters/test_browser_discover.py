"""Browser discovery (every OS's table, with fake exists/which/env) and the launch helpers."""

from __future__ import annotations

import fnmatch
import re
from pathlib import Path

import pytest

from webinar_tray.adapters.browser import launch
from webinar_tray.adapters.browser.discover import BrowserNotFound, find_browser
from webinar_tray.adapters.browser.launch import (
    BASE_ARGS,
    PLAYWRIGHT_ENABLED_FEATURES,
    browser_args,
    choose_headless,
)
from webinar_tray.core.settings import BrowserSettings
from webinar_tray.env import Env


def fs(*files):
    """Fake filesystem: exists() and glob() over a fixed set of file paths."""
    files = set(files)

    def exists(p):
        return p in files

    def glob(pattern):
        return sorted(f for f in files if fnmatch.fnmatchcase(f, pattern))

    return dict(exists=exists, glob=glob)


def no_which(_cmd):
    return None


WIN_ENV = {
    "PROGRAMFILES": r"C:\Program Files",
    "PROGRAMFILES(X86)": r"C:\Program Files (x86)",
    "LOCALAPPDATA": r"C:\Users\Ada Lovelace\AppData\Local",
}


def find(platform="linux", env=None, files=(), which=no_which, browsers_dir=None, **settings):
    return find_browser(
        BrowserSettings(**settings),
        browsers_dir=browsers_dir,
        env=Env(platform=platform, environ=env or {}, which=which),
        **fs(*files),
    )


# -- configured ---------------------------------------------------------------------------------


def test_configured_executable_path_wins_over_everything():
    c = find(
        executable_path="/opt/my chrome/chrome",
        channel="msedge",
        files=["/opt/my chrome/chrome", "/usr/bin/chromium"],
    )
    assert c.executable_path == "/opt/my chrome/chrome"
    assert c.channel is None
    assert "configured" in c.description


def test_configured_executable_path_missing_names_the_key_and_path():
    with pytest.raises(BrowserNotFound) as e:
        find(executable_path="/nope/chrome", files=["/usr/bin/chromium"])
    assert "browser.executable_path" in str(e.value)
    assert "/nope/chrome" in str(e.value)


def test_channel_is_handed_to_playwright():
    c = find(channel="chrome", files=["/usr/bin/chromium"])
    assert c.executable_path is None
    assert c.channel == "chrome"


# -- Windows ------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "path",
    [
        r"C:\Program Files\Google\Chrome\Application\chrome.exe",
        r"C:\Program Files (x86)\Microsoft\Edge\Application\msedge.exe",
        r"C:\Users\Ada Lovelace\AppData\Local\Google\Chrome\Application\chrome.exe",
        r"C:\Users\Ada Lovelace\AppData\Local\Chromium\Application\chrome.exe",
    ],
)
def test_windows_installed_browsers(path):
    c = find("win32", WIN_ENV, [path])
    assert c.executable_path == path


def test_windows_prefers_program_files_chrome_over_edge():
    chrome = r"C:\Program Files\Google\Chrome\Application\chrome.exe"
    edge = r"C:\Program Files (x86)\Microsoft\Edge\Application\msedge.exe"
    assert find("win32", WIN_ENV, [edge, chrome]).executable_path == chrome
    assert "Chrome" in find("win32", WIN_ENV, [edge, chrome]).description


def test_windows_missing_env_vars_are_skipped():
    edge = r"C:\Program Files (x86)\Microsoft\Edge\Application\msedge.exe"
    env = {"PROGRAMFILES(X86)": r"C:\Program Files (x86)"}
    assert find("win32", env, [edge]).executable_path == edge


# -- macOS --------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "path",
    [
        "/Applications/Google Chrome.app/Contents/MacOS/Google Chrome",
        "/Applications/Microsoft Edge.app/Contents/MacOS/Microsoft Edge",
        "/Applications/Chromium.app/Contents/MacOS/Chromium",
        "/Users/ada/Applications/Google Chrome.app/Contents/MacOS/Google Chrome",
    ],
)
def test_macos_installed_browsers(path):
    c = find("darwin", {"HOME": "/Users/ada"}, [path])
    assert c.executable_path == path


def test_macos_ignores_linux_commands():
    with pytest.raises(BrowserNotFound):
        find("darwin", {"HOME": "/Users/ada"}, ["/usr/bin/chromium"], which=lambda c: "/x/" + c)


# -- Linux --------------------------------------------------------------------------------------


def test_linux_uses_path_lookup_in_order():
    found = {"chromium": "/usr/local/bin/chromium", "google-chrome-stable": "/opt/g/chrome"}
    c = find(
        "linux",
        files=list(found.values()),
        which=lambda cmd: found.get(cmd),
    )
    assert c.executable_path == "/opt/g/chrome"  # google-chrome-stable comes before chromium


def test_linux_edge_by_command():
    c = find("linux", files=["/usr/bin/microsoft-edge"],
             which=lambda cmd: "/usr/bin/microsoft-edge" if cmd == "microsoft-edge" else None)
    assert c.executable_path == "/usr/bin/microsoft-edge"


@pytest.mark.parametrize("path", ["/usr/bin/chromium", "/snap/bin/chromium"])
def test_linux_fixed_places_when_not_on_path(path):
    assert find("linux", files=[path]).executable_path == path


# -- Playwright's own Chromium ------------------------------------------------------------------


@pytest.mark.parametrize(
    "platform,rel",
    [
        ("linux", "chrome-linux64/chrome"),
        ("linux", "chrome-linux/chrome"),
        ("win32", "chrome-win64/chrome.exe"),
        ("win32", "chrome-win/chrome.exe"),
        ("darwin", "chrome-mac/Chromium.app/Contents/MacOS/Chromium"),
        (
            "darwin",
            "chrome-mac-arm64/Google Chrome for Testing.app/Contents/MacOS/"
            "Google Chrome for Testing",
        ),
    ],
)
def test_playwright_build_under_browsers_dir(platform, rel):
    root = "/home/ada/webinar tray/ms-playwright"
    path = f"{root}/chromium-1200/{rel}"
    c = find(platform, {"HOME": "/home/ada"}, [path], browsers_dir=root)
    assert c.executable_path == path
    assert "Playwright" in c.description


def test_playwright_build_newest_revision_wins():
    root = "/data/ms-playwright"
    old = f"{root}/chromium-999/chrome-linux/chrome"
    new = f"{root}/chromium-1255/chrome-linux64/chrome"
    shell = f"{root}/chromium_headless_shell-1300/chrome-linux64/chrome"
    assert find("linux", files=[old, new, shell], browsers_dir=root).executable_path == new


def test_installed_browser_wins_over_playwright_build():
    root = "/data/ms-playwright"
    own = f"{root}/chromium-1255/chrome-linux64/chrome"
    c = find("linux", files=[own, "/usr/bin/chromium"], browsers_dir=root)
    assert c.executable_path == "/usr/bin/chromium"


def test_real_glob_finds_a_playwright_build(tmp_path):
    exe = tmp_path / "ms playwright" / "chromium-1255" / "chrome-linux64" / "chrome"
    exe.parent.mkdir(parents=True)
    exe.write_text("")
    c = find_browser(BrowserSettings(), tmp_path / "ms playwright",
                     Env(platform="linux", environ={}, which=no_which),
                     exists=lambda p: p == str(exe))
    assert c.executable_path == str(exe)


# -- nothing ------------------------------------------------------------------------------------


@pytest.mark.parametrize("platform", ["linux", "win32", "darwin"])
def test_nothing_found_says_how_to_get_one(platform):
    with pytest.raises(BrowserNotFound) as e:
        find(platform, WIN_ENV | {"HOME": "/home/ada"}, [], browsers_dir="/empty")
    msg = str(e.value)
    assert "apt-get install chromium" in msg
    assert "browser --install" in msg
    assert "executable_path" in msg


# -- launch helpers -----------------------------------------------------------------------------


def on(platform: str, **environ: str) -> Env:
    return Env(platform=platform, environ=environ)


def test_headless_forced_without_a_display_on_linux():
    assert choose_headless(False, on("linux")) == (True, "no display: running headless")
    assert choose_headless(False, on("linux", DISPLAY=":0")) == (False, None)
    assert choose_headless(False, on("linux", WAYLAND_DISPLAY="wayland-0")) == (False, None)
    assert choose_headless(True, on("linux", DISPLAY=":0")) == (True, None)
    assert choose_headless(False, on("win32")) == (False, None)
    assert choose_headless(False, on("darwin")) == (False, None)


def test_browser_args():
    args = browser_args(["--lang=de", ""], platform="linux", as_root=False)
    assert args[: len(BASE_ARGS)] == list(BASE_ARGS)
    assert "--no-sandbox" not in args
    assert args[-1] == "--lang=de"
    for must in ("--mute-audio", "--deny-permission-prompts", "--no-first-run",
                 "--autoplay-policy=no-user-gesture-required"):
        assert must in args
    root_args = browser_args(["--x"], platform="linux", as_root=True)
    assert root_args.index("--no-sandbox") < root_args.index("--x")  # the user's come last


def test_feature_switches_are_merged_into_one():
    # Chromium keeps only the last --disable-features: ours must carry Playwright's and the user's.
    args = browser_args(
        ["--disable-features=Translate,MediaRouter", "--enable-features=Foo", "--y"],
        platform="linux", as_root=False,
    )
    disables = [a for a in args if a.startswith("--disable-features=")]
    enables = [a for a in args if a.startswith("--enable-features=")]
    assert len(disables) == 1 and len(enables) == 1
    names = disables[0].split("=", 1)[1].split(",")
    must = {"CalculateNativeWinOcclusion", "Translate", "HttpsUpgrades", "PaintHolding"}
    assert must <= set(names)
    assert names.count("MediaRouter") == 1
    assert enables[0] == (
        "--enable-features=" + ",".join(PLAYWRIGHT_ENABLED_FEATURES) + ",Foo"
    )
    assert args[-1] == "--y"


def test_our_feature_list_covers_the_installed_playwright():
    """Playwright's own lists live in its bundled driver; if an upgrade adds a name, copy it into
    launch.PLAYWRIGHT_DISABLED_FEATURES / PLAYWRIGHT_ENABLED_FEATURES."""
    import playwright

    lib = Path(playwright.__file__).parent / "driver" / "package" / "lib"
    bundle = next((p for p in lib.glob("**/*.js") if "disabledFeatures = [" in p.read_text(
        errors="replace")), None)
    if bundle is None:
        pytest.skip("Playwright's chromium switches not found in its driver (layout changed)")
    text = bundle.read_text(errors="replace")
    block = text[text.index("disabledFeatures = ["):]
    block = block[: block.index("]")]
    block = re.sub(r"//[^\n]*", "", block)
    theirs = set(re.findall(r'"([A-Za-z0-9]+)"', block))
    assert theirs and theirs <= set(launch.PLAYWRIGHT_DISABLED_FEATURES), theirs - set(
        launch.PLAYWRIGHT_DISABLED_FEATURES)
    eblock = text[text.index("enabledFeatures = () => ["):]
    eblock = re.sub(r"//[^\n]*", "", eblock[: eblock.index("]")])
    etheirs = set(re.findall(r'"([A-Za-z0-9]+)"', eblock))
    assert etheirs <= set(PLAYWRIGHT_ENABLED_FEATURES), etheirs
