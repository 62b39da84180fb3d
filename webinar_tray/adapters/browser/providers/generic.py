"""The generic steps (cookie banner, login wall, name/e-mail form, join button, confirm): see
`webinar_tray.adapters.browser.steps`."""

from __future__ import annotations

from typing import Any, Callable

from webinar_tray.adapters.browser.steps import run_join_steps


def start_url(url: str) -> str:
    return url


async def join(
    page: Any,
    *,
    url: str,
    timeout: float,
    name: str = "",
    email: str = "",
    abort: Callable[[], str | None] | None = None,
) -> Any:
    return await run_join_steps(page, timeout=timeout, name=name, email=email, abort=abort)
