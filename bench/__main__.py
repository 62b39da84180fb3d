"""Every performance figure in one table:  uv run python -m bench [--quick] [--only NAME ...]

Runs each bench below as its own process (so one's imports and threads do not weigh on the
next), collects the figures it writes (bench/figures.py) and prints one table, each figure
beside its reference measured in the same run, and whether it meets the target of issue 13.
`--quick` (about 5 minutes) shortens the idle windows and skips the frozen build; the full run
takes about 15. `--markdown` prints the table as docs/PERFORMANCE.md keeps it. Nothing here is
ever asserted: machines are shared and noisy.
"""

from __future__ import annotations

import argparse
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from bench.figures import Figure, load  # noqa: E402

# name -> (arguments for a full run, arguments for --quick). A bench that is missing (not yet
# written on this checkout) is reported as such.
BENCHES: dict[str, tuple[list[str], list[str]]] = {
    "join_delay": (["--joins", "50", "--idle-seconds", "90"], ["--joins", "9", "--idle-seconds", "20"]),
    "tray_idle": (["--seconds", "90"], ["--seconds", "20"]),
    "start_time": (["--rounds", "5"], ["--rounds", "3", "--no-frozen"]),
    "refresh_scale": ([], ["--rounds", "3"]),
    "idle_scale": (["--minutes", "1.5"], ["--minutes", "0.5"]),
    "google_sync": ([], ["--rounds", "1"]),
    "watch_cost": (["--seconds", "30"], ["--seconds", "10", "--no-headed"]),
    "bigfeed": ([], []),
    "link_detection": ([], []),
}


def run_bench(name: str, args: list[str], timeout: float) -> tuple[list[Figure], str]:
    if not (ROOT / "bench" / f"{name}.py").exists():
        return [], "not on this checkout"
    with tempfile.TemporaryDirectory() as tmp:
        out = Path(tmp, "figures.json")
        t0 = time.monotonic()
        try:
            r = subprocess.run([sys.executable, "-m", f"bench.{name}", *args, "--figures", str(out)],
                               cwd=ROOT, capture_output=True, text=True, timeout=timeout)
        except subprocess.TimeoutExpired:
            return [], f"timed out after {timeout:.0f} s"
        took = time.monotonic() - t0
        sys.stderr.write(f"[bench] {name}: {took:.0f} s\n{r.stdout}")
        if r.returncode != 0:
            return [], f"failed ({r.returncode}): {r.stderr.strip().splitlines()[-1:] or ''}"
        if not out.exists():
            return [], "wrote no figures"
        return load(out), ""


def _num(v: float | None, unit: str) -> str:
    if v is None:
        return ""
    if v != v:
        return "failed"
    return f"{v:.3g} {unit}".strip()


def table(rows: list[Figure], problems: dict[str, str], markdown: bool) -> str:
    head = ("id", "figure", "value", "reference (same run)", "target", "")
    lines = []
    for f in rows:
        meets = f.meets()
        verdict = "" if meets is None else ("meets" if meets else "over")
        ref = f"{_num(f.reference, f.unit)} {f.reference_what}".strip() if f.reference is not None else ""
        if f.ratio and f.reference:
            ref += f" ({f.value / f.reference:.2f}x)"
        lines.append((f.id, f.what, _num(f.value, f.unit), ref, f.target, verdict))
    for name, why in problems.items():
        lines.append(("", f"bench/{name}.py", why, "", "", ""))
    if markdown:
        out = ["| " + " | ".join(head) + " |", "|" + "---|" * len(head)]
        out += ["| " + " | ".join(c.replace("|", "\\|") for c in row) + " |" for row in lines]
        return "\n".join(out)
    widths = [max(len(r[i]) for r in [head, *lines]) for i in range(len(head))]
    return "\n".join("  ".join(c.ljust(w) for c, w in zip(row, widths)).rstrip() for row in [head, *lines])


def main() -> None:
    ap = argparse.ArgumentParser(prog="python -m bench", description=__doc__.split("\n\n")[0])
    ap.add_argument("--quick", action="store_true", help="about 5 minutes: short idle windows, no frozen build")
    ap.add_argument("--only", nargs="*", metavar="NAME", help=f"some of: {', '.join(BENCHES)}")
    ap.add_argument("--markdown", action="store_true", help="the table as docs/PERFORMANCE.md keeps it")
    a = ap.parse_args()
    chosen = [n for n in BENCHES if not a.only or n in a.only]
    rows: list[Figure] = []
    problems: dict[str, str] = {}
    t0 = time.monotonic()
    for name in chosen:
        full, quick = BENCHES[name]
        figures, why = run_bench(name, quick if a.quick else full, timeout=600 if a.quick else 1200)
        rows += figures
        if why:
            problems[name] = why
    print(table(rows, problems, a.markdown))
    print(f"\n{len(rows)} figures in {time.monotonic() - t0:.0f} s"
          f"{' (--quick)' if a.quick else ''}; machine load average now {_load()}")


def _load() -> str:
    try:
        return Path("/proc/loadavg").read_text().split()[0]
    except OSError:
        return "unknown"


if __name__ == "__main__":
    main()
