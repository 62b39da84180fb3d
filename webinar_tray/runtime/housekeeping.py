"""Evidence older than `[join] keep_evidence_days` is deleted (0 keeps it for ever)."""

from __future__ import annotations

import logging
import time
from pathlib import Path

log = logging.getLogger(__name__)

EVIDENCE_SUFFIXES = (".png", ".jpg", ".jpeg")


def prune_evidence(folder: Path, keep_days: int, now: float | None = None) -> int:
    if keep_days <= 0 or not folder.is_dir():
        return 0
    cutoff = (now if now is not None else time.time()) - keep_days * 86400
    removed = 0
    for f in folder.iterdir():
        try:
            if f.is_file() and f.suffix.lower() in EVIDENCE_SUFFIXES and f.stat().st_mtime < cutoff:
                f.unlink()
                removed += 1
        except OSError as e:
            log.warning("could not delete old evidence %s: %s", f.name, e)
    if removed:
        log.info("deleted %d screenshots older than %d days", removed, keep_days)
    return removed
