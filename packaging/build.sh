#!/usr/bin/env bash
# Builds dist/webinar-tray/ (onedir) from packaging/pyinstaller.spec and prints time and size.
set -euo pipefail
cd "$(dirname "$0")/.."
uv sync --locked --group build >/dev/null
start=$(python3 -c "import time; print(time.time())")
uv run --group build pyinstaller packaging/pyinstaller.spec --noconfirm --log-level WARN \
  --distpath dist --workpath build/pyinstaller
end=$(python3 -c "import time; print(time.time())")
python3 -c "import sys; print(f'build: {float(sys.argv[2]) - float(sys.argv[1]):.1f} s, bundle: {sys.argv[3]}')" \
  "$start" "$end" "$(du -sh dist/webinar-tray | cut -f1)"
