"""Every bench module still imports against the code it measures (a moved name breaks a bench
silently otherwise: two did). Importing runs no measurement: each bench's work is behind
`if __name__ == "__main__"`. The figures themselves are never asserted."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest

BENCH = Path(__file__).resolve().parents[1] / "bench"
MODULES = sorted(p.stem for p in BENCH.glob("*.py") if p.stem not in ("__init__", "figures"))


def test_there_are_benches():
    assert {"__main__", "refresh_scale", "start_time", "link_detection"} <= set(MODULES)


def test_every_bench_in_the_table_takes_figures():
    from bench.__main__ import BENCHES

    for name in BENCHES:
        path = BENCH / f"{name}.py"
        if path.exists():  # a bench named before it lands is reported missing by the table
            assert "figures.add_argument(" in path.read_text(), f"bench/{name}.py takes no --figures"


@pytest.mark.parametrize("name", MODULES)
def test_bench_imports_and_guards_its_work(name):
    text = (BENCH / f"{name}.py").read_text()
    assert 'if __name__ == "__main__":' in text, f"bench/{name}.py runs at import"
    r = subprocess.run([sys.executable, "-c", f"import bench.{name}"], cwd=BENCH.parent,
                       capture_output=True, text=True, timeout=120)
    assert r.returncode == 0, r.stderr[-2000:]
