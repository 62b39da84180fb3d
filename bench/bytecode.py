"""Benches measure the app as users run it: with its modules compiled.

A frozen build carries bytecode; an installed app writes `__pycache__` on its first run. A
machine that sets PYTHONDONTWRITEBYTECODE=1 (this build machine does) never keeps any, so every
process compiled the app and the Google libraries from source: a third of a Google helper's
CPU and of a cold `list`. `ensure()` compiles what is missing once (compileall skips what is
up to date) and says so."""

from __future__ import annotations

import compileall
import io
import sys
import sysconfig
from contextlib import redirect_stdout
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]


def ensure() -> None:
    where = [ROOT / "webinar_tray", Path(sysconfig.get_paths()["purelib"])]
    with redirect_stdout(io.StringIO()):
        ok = all(compileall.compile_dir(str(d), quiet=2, workers=2) for d in where if d.is_dir())
    if not ok:
        print("bench: some modules did not compile (they run from source)", file=sys.stderr)


if __name__ == "__main__":  # python -m bench.bytecode: compile now, as every bench does first
    ensure()
