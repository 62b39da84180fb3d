"""Provider join steps: one small module per site family, chosen by the catalogue's `steps` name
(`core.services.Service.steps`, carried by `PlannedJoin.steps`). An unknown name runs the generic
steps. docs/PROVIDERS.md describes each provider and how to add one.

Each module has
- `start_url(url) -> str`: the address to open for a calendar link (Zoom opens its web client
  instead of the app-launching landing page); most return the link unchanged;
- `COMPANION_HOSTS`: the hosts besides the link's service a join may take the page to (the
  provider's sign-in and player hosts); the session ends a join whose page goes anywhere else;
- `async join(req: JoinRequest) -> Page`: the steps on the loaded page `req.page`. They wait on
  page state in a `steps.Poll` loop (polling with timeouts, never fixed sleeps) and raise
  `StepError(step, why)` naming the step that failed.
"""

from __future__ import annotations

from types import ModuleType
from typing import Any, Callable

from webinar_tray.adapters.browser.providers import (
    brighttalk,
    generic,
    on24,
    teams,
    webex,
    youtube,
    zoom,
)
from webinar_tray.adapters.browser.steps import JoinRequest

MODULES: dict[str, ModuleType] = {
    "generic": generic,
    "brighttalk": brighttalk,
    "zoom": zoom,
    "on24": on24,
    "webex": webex,
    "teams": teams,
    "youtube": youtube,
}


def module_for(steps: str | None) -> ModuleType:
    return MODULES.get((steps or "generic").strip().lower(), generic)


def companion_hosts(steps: str | None) -> tuple[str, ...]:
    """The sign-in and player hosts the provider's pages may go to (see the module docstring)."""
    return tuple(module_for(steps).COMPANION_HOSTS)


def start_url(steps: str | None, url: str) -> str:
    """The address to open for `url` (the link itself unless the provider knows a better one)."""
    return module_for(steps).start_url(url)


async def join(
    steps: str | None,
    page: Any,
    *,
    url: str,
    timeout: float,
    name: str = "",
    email: str = "",
    abort: Callable[[], str | None] | None = None,
    guard: Callable[[], None] | None = None,
) -> Any:
    """Run the join steps named `steps` on `page` (already showing `start_url(steps, url)`).
    Returns the page that holds the webinar. Raises StepError (LeftAllowedSites when `guard`
    says a page left the allowed sites: it is called before every fill and click)."""
    req = JoinRequest(page, url=url, timeout=timeout, name=name, email=email, abort=abort,
                      guard=guard)
    return await module_for(steps).join(req)
