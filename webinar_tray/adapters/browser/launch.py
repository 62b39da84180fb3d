"""Starting the browser: one persistent profile (so sign-ins made with `webinar-tray browser`
serve every join), quiet, with camera and microphone denied.

`launch()` is the one way the app starts its browser: the joiner calls it on the app's profile,
`doctor` on a throwaway one, so what doctor checks is what a join does. The platform and the
environment come from the caller's `Env`."""

from __future__ import annotations

import logging
import os
import re
import time
import weakref
from pathlib import Path
from typing import Any, Sequence

from webinar_tray.adapters.browser.discover import BrowserChoice
from webinar_tray.adapters.desktop.sysenv import system_env_or_none
from webinar_tray.config.private import private_dir
from webinar_tray.env import Env

log = logging.getLogger(__name__)

VIEWPORT = {"width": 1280, "height": 800}
# Headless, once attending (stay.py): nobody sees the page, so its player is made as small as a
# player gets (the smallest rendition: 180p) and its video is not painted. Joining keeps VIEWPORT.
WATCH_VIEWPORT = {"width": 320, "height": 180}
_HEADLESS_CONTEXTS: "weakref.WeakSet[Any]" = weakref.WeakSet()  # contexts launch() started headless

BASE_ARGS = (
    "--mute-audio",
    "--autoplay-policy=no-user-gesture-required",
    "--deny-permission-prompts",  # camera, microphone, notifications...: denied, never asked
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
    "--no-default-browser-check",
)

# Chromium keeps only the LAST --disable-features (and --enable-features) switch, and Playwright
# puts its own list before ours: a switch of ours would silently drop Playwright's list (which
# keeps HTTP on HTTP, stops paint holding, storage partitioning...). So ours carries theirs.
# Copied from Playwright 1.65's chromiumSwitches.ts; tests/adapters/test_browser_discover.py
# checks it still covers the installed Playwright's list.
PLAYWRIGHT_DISABLED_FEATURES = (
    "AvoidUnnecessaryBeforeUnloadCheckSync",
    "DestroyProfileOnBrowserClose",
    "HttpsUpgrades",
    "HttpsFirstBalancedModeAutoEnable",
    "LensOverlay",
    "MediaRouter",
    "PaintHolding",
    "ThirdPartyStoragePartitioning",
    "AvoidCorsURLLoaderRestartOnRedirect",
    "TcpPortRandomizationWin",
    "OptimizationHints",
    "NetworkTimeServiceQuerying",
    "AimEnabled",
    "PreconnectToSearch",
    "msForceBrowserSignIn",
    "msEdgeUpdateLaunchServicesPreferredVersion",
)
PLAYWRIGHT_ENABLED_FEATURES = ("CDPScreenshotNewSurface", "SkipListAccountsWithoutGaiaCookies")
OUR_DISABLED_FEATURES = (
    "CalculateNativeWinOcclusion",  # headed Chromium on Windows throttles windows it thinks covered
)
_DISABLE = "--disable-features="
_ENABLE = "--enable-features="


class LaunchError(Exception):
    """The browser did not start. The message is short and says what to do when we know."""


def is_root(platform: str) -> bool:
    """Running as root on Linux, where Chromium refuses to start with its sandbox on."""
    geteuid = getattr(os, "geteuid", None)  # POSIX only
    return platform.startswith("linux") and geteuid is not None and geteuid() == 0


def browser_args(
    extra_args: Sequence[str], platform: str, as_root: bool | None = None
) -> list[str]:
    """The switches we always add, then the user's `[browser] args`. Feature lists (ours,
    Playwright's and the user's) are merged into one --disable-features / --enable-features."""
    args = list(BASE_ARGS)
    if as_root is None:
        as_root = is_root(platform)
    if as_root:
        args.append("--no-sandbox")  # Chromium refuses to start as root with its sandbox on
    disabled = list(PLAYWRIGHT_DISABLED_FEATURES + OUR_DISABLED_FEATURES)
    enabled: list[str] = []
    rest: list[str] = []
    for arg in extra_args:
        if not arg:
            continue
        if arg.startswith(_DISABLE):
            disabled.extend(arg[len(_DISABLE):].split(","))
        elif arg.startswith(_ENABLE):
            enabled.extend(arg[len(_ENABLE):].split(","))
        else:
            rest.append(arg)
    args.append(_DISABLE + ",".join(_unique(disabled)))
    if enabled:
        args.append(_ENABLE + ",".join(_unique(list(PLAYWRIGHT_ENABLED_FEATURES) + enabled)))
    args.extend(rest)
    return args


def _unique(names: list[str]) -> list[str]:
    seen: dict[str, None] = {}
    for n in names:
        n = n.strip()
        if n:
            seen.setdefault(n, None)
    return list(seen)


def choose_headless(setting: bool, env: Env) -> tuple[bool, str | None]:
    """(headless, reason): headless anyway on Linux/BSD without a display, with a reason to log."""
    if setting:
        return True, None
    if env.platform.startswith(("win", "cygwin", "darwin")):
        return False, None
    if not env.get("DISPLAY") and not env.get("WAYLAND_DISPLAY"):
        return True, "no display: running headless"
    return False, None


def playwright_version() -> str:
    try:
        from playwright._repo_version import version

        return str(version)
    except Exception:  # pragma: no cover - depends on the Playwright build
        try:
            from importlib.metadata import version as dist_version

            return dist_version("playwright")
        except Exception:
            return "unknown"


_URL_QUERY = re.compile(r"(\b[a-zA-Z][a-zA-Z0-9+.-]*://[^\s?#'\"<>]*)[?#][^\s'\"<>]*")


def scrub(text: str) -> str:
    """Cut the query and fragment off every address in `text` (Playwright puts the whole
    address, secrets and all, in its error messages)."""
    return _URL_QUERY.sub(r"\1", text)


def first_line(exc: BaseException) -> str:
    """Playwright errors carry a long call log (with the command line) and whole addresses:
    keep the first line, without queries."""
    text = str(exc).strip()
    return scrub(text.splitlines()[0]) if text else type(exc).__name__


async def launch(
    pw: Any,
    choice: BrowserChoice,
    profile_dir: Path,
    headless: bool,
    extra_args: Sequence[str] = (),
    *,
    env: Env,
    timeout_seconds: float = 60.0,
) -> Any:
    """Launch a persistent Chromium context on `profile_dir`. Returns the BrowserContext."""
    profile_dir = Path(profile_dir)
    private_dir(profile_dir)  # 0700 before Chromium sees it, whatever the umask
    kwargs: dict[str, Any] = dict(
        headless=headless,
        args=browser_args(extra_args, env.platform),
        viewport=VIEWPORT,
        permissions=[],
        accept_downloads=False,
        # SIGINT/SIGTERM are the app's to handle: it leaves every page and then stops the browser.
        handle_sigint=False,
        handle_sigterm=False,
        handle_sighup=False,
        timeout=timeout_seconds * 1000,
    )
    if choice.executable_path:
        kwargs["executable_path"] = choice.executable_path
    elif choice.channel:
        kwargs["channel"] = choice.channel
    browser_env = system_env_or_none(env)
    if browser_env is not None:  # frozen: the browser must not load the bundle's libraries (or GTK)
        kwargs["env"] = browser_env
    known = _VERSIONS.get(_version_key(choice))
    if headless and known:
        kwargs["user_agent"] = headless_user_agent(known, is_edge(choice), platform=env.platform)
    started = time.monotonic()
    context = await _launch(pw, profile_dir, choice, kwargs)
    elapsed = time.monotonic() - started
    version = await browser_version(context)
    if headless and "user_agent" not in kwargs and _VERSION.match(version):
        # First headless start of this browser: its version is known only now. Headless
        # Chromium says "HeadlessChrome" in its user agent, which sites refuse or treat as a bot;
        # start once more presenting the same browser's ordinary user agent (every later launch
        # in this process does that at once).
        _VERSIONS[_version_key(choice)] = version
        await context.close()
        kwargs["user_agent"] = headless_user_agent(version, is_edge(choice), platform=env.platform)
        context = await _launch(pw, profile_dir, choice, kwargs)
        elapsed = time.monotonic() - started
    if headless:
        _HEADLESS_CONTEXTS.add(context)
    log.info(
        "browser started in %.2f s: %s, version %s, Playwright %s, %s",
        elapsed,
        choice.description,
        version,
        playwright_version(),
        "headless" if headless else "headed",
    )
    return context


def is_headless(context: Any) -> bool:
    """The context was started headless by `launch()` (nobody sees its pages)."""
    try:
        return context in _HEADLESS_CONTEXTS
    except TypeError:
        return False


_VERSION = re.compile(r"^(\d+)\.\d+\.\d+\.\d+$")
_VERSIONS: dict[str, str] = {}  # executable or channel -> browser version, learnt at launch

_UA_PLATFORM = {
    "win": "Windows NT 10.0; Win64; x64",  # what Chrome sends on every Windows 10/11
    "darwin": "Macintosh; Intel Mac OS X 10_15_7",  # frozen by Chrome on every macOS
    "linux": "X11; Linux x86_64",
}


def _version_key(choice: BrowserChoice) -> str:
    return choice.executable_path or f"channel:{choice.channel or ''}"


def is_edge(choice: BrowserChoice) -> bool:
    name = Path(choice.executable_path or "").name.lower()
    return choice.channel == "msedge" or name.startswith("msedge") or "edge" in choice.description.lower()


def headless_user_agent(version: str, edge: bool = False, *, platform: str) -> str:
    """The user agent the same browser sends when it is visible (Chrome's reduced form:
    major version, then .0.0.0)."""
    m = _VERSION.match(version)
    major = m.group(1) if m else version.split(".")[0]
    os_part = next((v for k, v in _UA_PLATFORM.items() if platform.startswith(k)), _UA_PLATFORM["linux"])
    ua = (f"Mozilla/5.0 ({os_part}) AppleWebKit/537.36 (KHTML, like Gecko) "
          f"Chrome/{major}.0.0.0 Safari/537.36")
    return ua + (f" Edg/{major}.0.0.0" if edge else "")


async def _launch(pw: Any, profile_dir: Path, choice: BrowserChoice, kwargs: dict[str, Any]) -> Any:
    try:
        return await pw.chromium.launch_persistent_context(str(profile_dir), **kwargs)
    except Exception as exc:
        text = str(exc)
        if "ProcessSingleton" in text or "profile is already in use" in text:
            raise LaunchError(
                f"the browser profile {profile_dir} is in use by another browser window "
                "(close the one opened by `webinar-tray browser`)"
            ) from exc
        if "Missing X server" in text or "$DISPLAY" in text:
            raise LaunchError(
                "no display for a visible browser; set `[join] headless = true`"
            ) from exc
        raise LaunchError(f"could not start {choice.description}: {first_line(exc)}") from exc


async def browser_version(context: Any) -> str:
    browser = getattr(context, "browser", None)
    if browser is not None:
        try:
            return str(browser.version)
        except Exception:  # pragma: no cover - defensive
            pass
    try:  # persistent contexts in some Playwright versions have no Browser object
        page = context.pages[0] if context.pages else None
        if page is not None:
            ua = await page.evaluate("navigator.userAgent")
            for token in str(ua).split():
                if token.startswith(("Chrome/", "HeadlessChrome/", "Edg/")):
                    return token.split("/", 1)[1]
            return str(ua)
    except Exception:
        pass
    return "unknown"
