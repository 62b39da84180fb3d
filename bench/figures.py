"""The figures a bench reports to `python -m bench` (bench/__main__.py): each bench prints its
own lines for people and, given `--figures FILE`, writes them as JSON for the table.

A figure is one measured value beside its reference measured in the same run (the floor a
bare loop, a default launch or an idle interpreter reaches on this machine now), so a noisy,
shared machine moves both together. Never asserted anywhere: the table says "meets" or "over"
against the issue's target, nothing fails.
"""

from __future__ import annotations

import argparse
import json
from dataclasses import asdict, dataclass
from pathlib import Path


@dataclass(frozen=True)
class Figure:
    id: str  # "P1" ... "P5", or a name
    what: str  # "list --json, 10 x 2,500 events"
    value: float
    unit: str  # "s", "ms", "CPU-s/h", "MB", "cores", "x"
    reference: float | None = None  # the same-run floor
    reference_what: str = ""
    target: str = ""  # "<= 2x reference", "<= 1.0 s" (shown, and judged by `meets`)
    limit: float | None = None  # the target as a number, in `unit` (or as a ratio when `ratio`)
    ratio: bool = False  # the limit applies to value / reference

    def meets(self) -> bool | None:
        if self.limit is None or self.value != self.value:
            return None
        if self.ratio:
            if not self.reference:
                return None
            return self.value / self.reference <= self.limit
        return self.value <= self.limit


def add_argument(ap: argparse.ArgumentParser) -> None:
    """Every bench's main calls this first: the `--figures` option, and the app's bytecode
    compiled as users have it (bytecode.py)."""
    from bench import bytecode

    bytecode.ensure()
    ap.add_argument("--figures", metavar="FILE", help="also write the figures as JSON (for python -m bench)")


def emit(path: str | None, figures: list[Figure]) -> None:
    if path:
        Path(path).write_text(json.dumps([asdict(f) for f in figures], indent=1))


def load(path: Path) -> list[Figure]:
    return [Figure(**d) for d in json.loads(path.read_text())]
