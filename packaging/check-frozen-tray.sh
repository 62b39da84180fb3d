#!/usr/bin/env bash
# The frozen tray app on a desktop, for check-frozen.sh. Run inside Xvfb and a private D-Bus
# session:  xvfb-run -a dbus-run-session -- bash packaging/check-frozen-tray.sh BIN WORKDIR
# Starts a tray host (trayer), a notification daemon (dunst) and dbus-monitor, then
# `BIN --demo` (the demo webinar auto-joins after 15 s, headless), and checks: the icon is up with
# pystray's gtk or appindicator backend (the menu needs PyGObject in the bundle), the reminder
# ("Webinar in N min") and "Joined webinar" notifications reach the bus from the app, and Quit
# from its menu (or SIGTERM when AT-SPI is not there to find the item) ends it with exit 0.
set -euo pipefail
bin=$(realpath "$1"); work=$2
[[ -n ${DISPLAY:-} && -n ${DBUS_SESSION_BUS_ADDRESS:-} ]] || { echo "run me under xvfb-run and dbus-run-session" >&2; exit 2; }
root=$(cd "$(dirname "$0")/.." && pwd)
mkdir -p "$work/home"
export WEBINAR_TRAY_HOME=$work/home
unset PYSTRAY_BACKEND WAYLAND_DISPLAY
helpers=(); app=""
cleanup() {
  [[ -n $app ]] && kill "$app" 2>/dev/null || true
  for p in "${helpers[@]}"; do kill "$p" 2>/dev/null || true; done
}
trap cleanup EXIT
fail() {
  echo "check-frozen (tray): $*" >&2
  echo "--- app output:" >&2; cat "$work/tray.log" >&2 || true
  echo "--- notifications seen:" >&2; grep -A6 "member=Notify" "$work/monitor.log" >&2 || true
  exit 1
}
now() { python3 -c 'import time; print(time.time())'; }
since() { python3 -c "import sys, time; print(f'{time.time() - float(sys.argv[1]):.2f}')" "$1"; }
wait_for() {  # seconds, command...: true once the command succeeds
  local deadline=$(( $(date +%s) + $1 )); shift
  until "$@"; do (( $(date +%s) < deadline )) || return 1; sleep 0.1; done
}
owned() {
  dbus-send --session --print-reply --dest=org.freedesktop.DBus /org/freedesktop/DBus \
    org.freedesktop.DBus.NameHasOwner "string:$1" 2>/dev/null | grep -q "boolean true"
}

dbus-monitor --session "interface='org.freedesktop.Notifications'" >"$work/monitor.log" 2>&1 & helpers+=($!)
trayer --edge top --align right --widthtype pixel --width 200 --height 32 >/dev/null 2>&1 & helpers+=($!)
dunst >/dev/null 2>&1 & helpers+=($!)
wait_for 15 owned org.freedesktop.Notifications || fail "dunst did not take org.freedesktop.Notifications"
wait_for 15 owned org.kde.StatusNotifierWatcher || true  # trayer is an XEmbed tray: gtk backend
wait_for 15 bash -c 'xwininfo -root -tree | grep -qi trayer' || fail "trayer did not start"

cat >"$WEBINAR_TRAY_HOME/config.toml" <<'TOML'
[join]
headless = true
grace_seconds = 2
screenshot_minutes = 0
[demo]
start_after_seconds = 15
duration_seconds = 20
TOML

t0=$(now)
"$bin" --demo >"$work/tray.log" 2>&1 & app=$!
wait_for 60 grep -q "tray icon up" "$work/tray.log" || fail "no 'tray icon up' in the log within 60 s"
up=$(since "$t0")
backend=$(grep -o "tray icon up (pystray backend [a-z]*" "$work/tray.log" | awk '{print $NF}')
echo "frozen tray: icon up in $up s after launch (pystray backend $backend)"
[[ $backend == gtk || $backend == appindicator ]] || fail "pystray backend $backend: the bundle lacks PyGObject (no menu)"
wait_for 15 bash -c "xwininfo -root -tree | grep -qE '\"webinar-tray [^\"]*\":'" || fail "the tray icon's window is not on the screen"

titles() {  # summary of each Notify call from app "webinar-tray", one per line
  python3 - "$work/monitor.log" <<'PY'
import re, sys
text = open(sys.argv[1], errors="replace").read()
for call in text.split("member=Notify")[1:]:
    s = re.findall(r'^\s+string "(.*)"$', call, flags=re.M)
    if len(s) >= 4 and s[0] == "webinar-tray":  # app name, icon, summary, body
        print(s[2])
PY
}
wait_for 60 bash -c "$(declare -f titles); work='$work'; titles | grep -q '^Webinar in [0-9]* min'" \
  || fail "no 'Webinar in N min' reminder on the bus"
wait_for 90 bash -c "$(declare -f titles); work='$work'; titles | grep -qx 'Joined webinar'" \
  || fail "no 'Joined webinar' notification on the bus"
echo "frozen tray: notifications sent: $(titles | sort -u | paste -sd '|' | sed 's/|/, /g')"

# Quit through the menu like a user: right-click the icon, find "Quit" via AT-SPI, click it.
how="SIGTERM"
if (cd "$root" && uv run --no-sync python -c "import gi; gi.require_version('Atspi', '2.0'); from gi.repository import Atspi") >/dev/null 2>&1; then
  # the icon's window in trayer: titled with the tooltip ("webinar-tray (demo) · Next: ...")
  geo=$(xwininfo -root -tree | grep -E '"webinar-tray [^"]*":' | head -1 | grep -oE '[0-9]+x[0-9]+\+-?[0-9]+\+-?[0-9]+ +\+[0-9]+\+[0-9]+')
  read -r w h x y < <(sed -E 's/([0-9]+)x([0-9]+)\+-?[0-9]+\+-?[0-9]+ +\+([0-9]+)\+([0-9]+)/\1 \2 \3 \4/' <<<"$geo")
  for _ in 1 2 3; do
    xdotool mousemove $((x + w / 2)) $((y + h / 2)) click 3
    if (cd "$root" && uv run --no-sync python tests/e2e/atspi_menu.py webinar-tray Quit) >"$work/menu.log" 2>&1; then
      how="its menu (Quit)"; break
    fi
    xdotool key Escape; sleep 1
  done
fi
[[ $how == SIGTERM ]] && kill -TERM "$app"
wait_for 30 bash -c "! kill -0 $app 2>/dev/null" || fail "the tray did not quit within 30 s (asked through $how)"
set +e
wait "$app"; code=$?
set -e
app=""
[[ $code == 0 ]] || fail "the tray exited $code after Quit"
! grep -q Traceback "$work/tray.log" || fail "a traceback in the tray's output"
echo "frozen tray: quit through $how, exit 0"
