#!/usr/bin/env bash
# Builds the app with PyInstaller (packaging/pyinstaller.spec) and prints build time and size.
#   bash packaging/build.sh              dist/webinar-tray/ (onedir: webinar-tray + webinar-tray-cli)
#   bash packaging/build.sh --onefile    dist/onefile/webinar-tray (one self-unpacking file)
#   bash packaging/build.sh --no-gi      Linux: without PyGObject (plain X11 icon, no menu)
# The same options work as WEBINAR_TRAY_ONEFILE=1 / WEBINAR_TRAY_GI=0. On Linux the environment
# gets the `linux-tray` extra (PyGObject, for the tray menu) unless PyGObject is left out; it
# builds against the system's GTK (README: apt-get install libgirepository1.0-dev libcairo2-dev
# gir1.2-ayatanaappindicator3-0.1 gir1.2-gtk-3.0 pkg-config).
set -euo pipefail
cd "$(dirname "$0")/.."

onefile=${WEBINAR_TRAY_ONEFILE:-0}
gi=${WEBINAR_TRAY_GI:-auto}
spec_args=()
for arg in "$@"; do
  case $arg in
    --onefile) onefile=1 ;;
    --onedir) onefile=0 ;;
    --gi) gi=1 ;;
    --no-gi) gi=0 ;;
    *) echo "build.sh: unknown option $arg (--onefile, --onedir, --gi, --no-gi)" >&2; exit 2 ;;
  esac
done
[[ $onefile == 1 ]] && spec_args+=(--onefile) || spec_args+=(--onedir)
case $gi in 1) spec_args+=(--gi) ;; 0) spec_args+=(--no-gi) ;; esac

sync=(uv sync --locked --group build)
if [[ $(uname -s) == Linux && $gi != 0 ]]; then
  sync+=(--extra linux-tray)
fi
"${sync[@]}" >/dev/null

if [[ $onefile == 1 ]]; then dist=dist/onefile; else dist=dist; fi
py() { uv run --no-sync python "$@"; }  # the project's Python: python3 is not a given on Windows
now() { py -c "import time; print(time.time())"; }
start=$(now)
uv run --no-sync pyinstaller packaging/pyinstaller.spec --noconfirm --log-level WARN \
  --distpath "$dist" --workpath build/pyinstaller -- "${spec_args[@]}"
end=$(now)
if [[ $onefile == 1 ]]; then target=$dist/webinar-tray*; else target=$dist/webinar-tray; fi
[[ -d $dist/webinar-tray.app ]] && target=$dist/webinar-tray.app
# shellcheck disable=SC2086
size=$(du -shc $target | tail -1 | cut -f1)
py -c "import sys; print(f'build: {float(sys.argv[2]) - float(sys.argv[1]):.1f} s, bundle: {sys.argv[3]} ({sys.argv[4]})')" \
  "$start" "$end" "$size" "$(echo $target)"
