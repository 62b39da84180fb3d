"""The generic steps (cookie banner, login wall, name/e-mail form, join button, confirm): see
`webinar_tray.adapters.browser.steps`."""

from __future__ import annotations

from typing import Any

from webinar_tray.adapters.browser.steps import JoinRequest, run_join_steps


def start_url(url: str) -> str:
    return url


async def join(req: JoinRequest) -> Any:
    return await run_join_steps(
        req.page, timeout=req.timeout, name=req.name, email=req.email, abort=req.abort
    )
