"""The shape of the code, printed: lines per layer, the longest modules and functions, and which
modules outside `adapters/` (and the composition root) import an adapter.

    uv run python -m bench.layout [--repo PATH] [--top N]

`--repo` reads another checkout (an older commit in a worktree) for a before/after comparison.
Figures are printed, never asserted (docs/ARCHITECTURE.md states the rules they measure)."""

from __future__ import annotations

import argparse
import ast
from collections import Counter
from pathlib import Path

# The composition root may import every adapter; so may the adapters themselves.
ROOTS = ("compose.py", "processes.py")
MODULE_MAX = 400
FUNCTION_MAX = 60


def layer_of(rel: Path) -> str:
    parts = rel.parts
    if len(parts) == 1:
        return parts[0].removesuffix(".py")
    if parts[0] == "adapters" and len(parts) > 2:
        return f"adapters/{parts[1]}"
    return parts[0] if len(parts) > 1 else "(top)"


def code_lines(text: str) -> int:
    return sum(1 for line in text.splitlines() if line.strip())


def functions(tree: ast.AST):
    for node in ast.walk(tree):
        if isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef)):
            yield node.name, node.lineno, (node.end_lineno or node.lineno) - node.lineno + 1


def adapter_imports(tree: ast.AST) -> set[str]:
    found = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.ImportFrom) and node.module:
            names = [node.module] + [f"{node.module}.{a.name}" for a in node.names]
        elif isinstance(node, ast.Import):
            names = [a.name for a in node.names]
        else:
            continue
        for name in names:
            if name.startswith("webinar_tray.adapters") and name != "webinar_tray.adapters":
                found.add(node.module if isinstance(node, ast.ImportFrom) else name)
    return found


def main(argv=None) -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--repo", type=Path, default=Path(__file__).resolve().parents[1])
    ap.add_argument("--top", type=int, default=8)
    args = ap.parse_args(argv)
    pkg = args.repo / "webinar_tray"
    per_layer: Counter[str] = Counter()
    modules, funcs, outside = [], [], []
    for path in sorted(pkg.rglob("*.py")):
        rel = path.relative_to(pkg)
        text = path.read_text(encoding="utf-8")
        n = code_lines(text)
        total = len(text.splitlines())
        per_layer[layer_of(rel)] += n
        modules.append((total, str(rel)))
        tree = ast.parse(text)
        for name, line, length in functions(tree):
            funcs.append((length, f"{rel}:{line} {name}"))
        if rel.parts[0] not in ("adapters",) and str(rel) not in ROOTS:
            for mod in sorted(adapter_imports(tree)):
                outside.append(f"{rel} -> {mod}")
    all_lines = sum(per_layer.values())
    print(f"code lines (non-blank) per layer, of {all_lines}:")
    for layer, n in sorted(per_layer.items(), key=lambda kv: -kv[1]):
        print(f"  {layer:28} {n:6}  {100 * n / all_lines:4.1f}%")
    adapters = sum(n for layer, n in per_layer.items() if layer.startswith("adapters"))
    print(f"  {'adapters (all)':28} {adapters:6}  {100 * adapters / all_lines:4.1f}%")
    modules.sort(reverse=True)
    funcs.sort(reverse=True)
    print(f"longest modules (lines; limit {MODULE_MAX}):")
    for total, rel in modules[:args.top]:
        print(f"  {total:5}  {rel}")
    print(f"longest functions (lines; limit {FUNCTION_MAX}):")
    for length, where in funcs[:args.top]:
        print(f"  {length:5}  {where}")
    over_m = sum(1 for t, _ in modules if t > MODULE_MAX)
    over_f = sum(1 for n, _ in funcs if n > FUNCTION_MAX)
    print(f"modules over {MODULE_MAX} lines: {over_m}; functions over {FUNCTION_MAX} lines: {over_f}")
    print(f"adapter imports outside adapters/ and {', '.join(ROOTS)}: {len(outside)}")
    for line in outside:
        print(f"  {line}")


if __name__ == "__main__":
    main()
