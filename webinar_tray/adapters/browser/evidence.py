"""Evidence of attendance: screenshots of the webinar's page, written by us (0600 in a 0700
folder, whatever the umask), never by the browser. A disk that fills up costs the screenshot, not
the attendance: one warning per attendance, then the record goes on without the file."""

from __future__ import annotations

import asyncio
import logging
import re
from datetime import datetime, timezone
from pathlib import Path
from typing import Any

from webinar_tray.adapters.browser.launch import first_line, scrub
from webinar_tray.adapters.browser.stay import shown
from webinar_tray.config.private import write_private
from webinar_tray.core.events import utc_stamp

log = logging.getLogger("webinar_tray.adapters.browser.session")

_UNSAFE_FILE_CHARS = re.compile(r"[^A-Za-z0-9._-]+")


def evidence_name(job_id: str, at: datetime, suffix: str = "") -> str:
    base = _UNSAFE_FILE_CHARS.sub("_", job_id).strip("._")[:100] or "webinar"
    return f"{base}-{utc_stamp(at)}{suffix}.png"


class Evidence:
    """The screenshots of one attendance."""

    def __init__(self, folder: Path, job_id: str, now=lambda: datetime.now(timezone.utc)):
        self.folder, self.job_id, self.now = folder, job_id, now
        self._failed = False  # warned once already

    async def take(self, page: Any, suffix: str = "") -> str | None:
        """A screenshot of `page` written to the evidence folder; its path, or None."""
        if page is None or page.is_closed():
            return None
        try:
            async with shown(page):  # headless and watching cheaply: as a visible browser shows it
                data = await page.screenshot(timeout=15000)
        except Exception as exc:
            log.warning("screenshot of %s failed: %s", self.job_id, scrub(first_line(exc)))
            return None
        path = self.folder / evidence_name(self.job_id, self.now(), suffix)
        try:
            await asyncio.to_thread(write_private, path, data)
        except OSError as exc:  # a full disk: attendance goes on, the record without this file
            level = logging.DEBUG if self._failed else logging.WARNING
            self._failed = True
            log.log(level, "evidence for %s could not be written to %s (%s); attending goes on "
                    "without it", self.job_id, path.parent, exc.strerror or type(exc).__name__)
            return None
        log.debug("evidence: %s", path)
        return str(path)
