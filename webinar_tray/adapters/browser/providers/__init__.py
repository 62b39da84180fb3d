"""Provider join steps: one small module per site family, chosen by the catalogue's `steps` name
(`core.services.Service.steps`, carried by `PlannedJoin.steps`). An unknown name runs the generic
steps.

Each module has
- `start_url(url) -> str`: the address to open for a calendar link (Zoom opens its web client
  instead of the app-launching landing page); most return the link unchanged;
- `async join(page, *, url, timeout, name, email, abort) -> Page`: the steps on the loaded page.
  They wait on page state (polling with timeouts, never fixed sleeps) and raise
  `StepError(step, why)` naming the step that failed.
"""

from __future__ import annotations

from types import ModuleType
from typing import Any, Callable

from webinar_tray.adapters.browser.providers import brighttalk, generic, zoom

MODULES: dict[str, ModuleType] = {
    "generic": generic,
    "brighttalk": brighttalk,
    "zoom": zoom,
}


def module_for(steps: str | None) -> ModuleType:
    return MODULES.get((steps or "generic").strip().lower(), generic)


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
) -> Any:
    """Run the join steps named `steps` on `page` (already showing `start_url(steps, url)`).
    Returns the page that holds the webinar. Raises StepError."""
    return await module_for(steps).join(
        page, url=url, timeout=timeout, name=name, email=email, abort=abort
    )
