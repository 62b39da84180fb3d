#!/usr/bin/env bash
# Runs the frozen bundle (packaging/build.sh) the way a user would, and prints the figures for
# docs/PACKAGING.md:
#   1. both executables exist; bundle size; `--version` of each and its wall time;
#   2. `doctor --json`: valid JSON with the contract's check names (exit 0 or 1, never a crash);
#   3. `run --demo` (headless, short demo timings, the discovered Chromium) until the demo webinar
#      is attended; the browser started by the frozen app has the user's environment, not the
#      bundle's LD_LIBRARY_PATH/GTK variables;
#   4. the tray (`webinar-tray --demo`) on a desktop: Xvfb, a private D-Bus session, trayer,
#      dunst (packaging/check-frozen-tray.sh): icon up with the GTK/AppIndicator backend, the
#      reminder and "Joined webinar" notifications on the bus, Quit from its menu;
#   5. `list --json` against the project's fake Google, and `run` refreshing it through the
#      Google helper process (`webinar-tray-cli _google-helper`).
# Needs (Debian): chromium xvfb xauth trayer dunst dbus dbus-x11 libnotify-bin x11-utils xdotool.
set -euo pipefail
cd "$(dirname "$0")/.."
dir=dist/webinar-tray
bin=$dir/webinar-tray
cli=$dir/webinar-tray-cli
for b in "$bin" "$cli"; do
  [[ -x $b ]] || { echo "no $b: run packaging/build.sh first" >&2; exit 1; }
done
work=$(mktemp -d); pid=""; fake=""
trap 'kill $pid $fake 2>/dev/null || true; rm -rf "$work"' EXIT
export WEBINAR_TRAY_HOME=$work/home; mkdir -p "$WEBINAR_TRAY_HOME"
unset DISPLAY WAYLAND_DISPLAY PYSTRAY_BACKEND

now() { python3 -c 'import time; print(time.time())'; }
since() { python3 -c "import sys, time; print(f'{time.time() - float(sys.argv[1]):.2f}')" "$1"; }
fail() { echo "check-frozen: $*" >&2; exit 1; }

echo "bundle: $(du -sh "$dir" | cut -f1) ($dir: $(cd "$dir" && ls -d webinar-tray*| tr '\n' ' '))"
for b in "$bin" "$cli"; do
  t0=$(now); out=$("$b" --version); t1=$(since "$t0")
  t0=$(now); "$b" --version >/dev/null; t2=$(since "$t0")
  [[ $out == "webinar-tray "* ]] || fail "$b --version printed: $out"
  echo "frozen $(basename "$b") --version: $out, $t1 s (first), $t2 s (again)"
done

# json_codec.py falls back to the json module without orjson: a bundle that lost it still works,
# only slower, so its absence is looked for here
compgen -G "$dir/_internal/orjson/orjson*" >/dev/null || fail "orjson is not in the bundle ($dir/_internal/orjson)"
echo "bundle: orjson's extension is in"

# ---- doctor --json -------------------------------------------------------------------------
set +e
"$cli" doctor --json >"$work/doctor.json" 2>"$work/doctor.err"; code=$?
set -e
[[ $code == 0 || $code == 1 ]] || { cat "$work/doctor.err" >&2; fail "doctor --json exited $code"; }
! grep -q Traceback "$work/doctor.err" || { cat "$work/doctor.err" >&2; fail "doctor --json crashed"; }
python3 - "$work/doctor.json" <<'PY' || fail "doctor --json: not the contract's shape"
import json, sys
r = json.load(open(sys.argv[1]))
names = [c["name"] for c in r["checks"]]
want = ["config", "sources", "google_client", "google_signin", "calendar_access", "ics", "browser",
        "notifications", "autostart", "instance", "wake"]
assert isinstance(r["ok"], bool) and sorted(names) == sorted(want), names
assert all(set(c) >= {"name", "ok", "detail", "fix"} and c["ok"] in (True, False, None) for c in r["checks"])
bad = [f'{c["name"]}: {c["detail"]}' for c in r["checks"] if c["ok"] is False]
print(f"frozen doctor --json: {len(names)} checks, ok={r['ok']}" + "".join(f"\n  failed (expected here): {b}" for b in bad))
PY

# ---- run --demo ----------------------------------------------------------------------------
cat >"$WEBINAR_TRAY_HOME/config.toml" <<'TOML'
[join]
headless = true
lead_seconds = 2
grace_seconds = 2
[demo]
start_after_seconds = 3
duration_seconds = 10
TOML
"$cli" run --demo >"$work/run.log" 2>&1 &
pid=$!
ok=""; env_checked=""
for _ in $(seq 1 90); do
  sleep 1
  if [[ -z $env_checked ]]; then
    # the browser the frozen app started: the user's environment, not the bundle's
    for f in /proc/[0-9]*/cmdline; do
      { tr '\0' ' ' <"$f"; } 2>/dev/null | grep -q -- "--user-data-dir=$WEBINAR_TRAY_HOME" || continue
      p=${f#/proc/}; p=${p%/cmdline}
      e=$({ tr '\0' '\n' <"/proc/$p/environ"; } 2>/dev/null) || continue
      if grep -E '^(LD_LIBRARY_PATH|GTK_PATH|GI_TYPELIB_PATH|GIO_MODULE_DIR|XDG_DATA_DIRS)=.*_internal|^_PYI_' <<<"$e"; then
        fail "the browser (pid $p) inherited the bundle's environment (above)"
      fi
      env_checked=$p
    done
  fi
  out=$("$cli" history --demo --json 2>/dev/null || true)
  if python3 -c 'import json,sys; r=json.loads(sys.argv[1] or "[]"); sys.exit(0 if r and r[0]["outcome"]=="attended" else 1)' "$out"; then
    ok=1; break
  fi
done
kill -TERM "$pid"; set +e; wait "$pid"; code=$?; set -e; pid=""
if [[ -z $ok || $code != 0 ]]; then
  cat "$work/run.log" >&2
  fail "frozen run --demo did not attend the demo webinar (exit $code)"
fi
[[ -n $env_checked ]] || fail "no browser process of the frozen run --demo was seen"
grep -E "browser started|joined|attended" "$work/run.log" | sed 's/^/  /'
echo "frozen run --demo: attended; its browser (pid $env_checked) had the user's environment"

# ---- the tray on a desktop -----------------------------------------------------------------
missing=()
for tool in xvfb-run Xvfb dbus-run-session dbus-monitor trayer dunst notify-send xwininfo xdotool; do
  command -v "$tool" >/dev/null || missing+=("$tool")
done
((${#missing[@]} == 0)) || fail "missing for the tray check: ${missing[*]} (apt-get install xvfb xauth dbus dbus-x11 trayer dunst libnotify-bin x11-utils xdotool)"
# (dbus-daemon's own complaints, e.g. about its fd limit, go to a file, shown when this fails)
xvfb-run -a -s "-screen 0 1280x800x24 -nolisten tcp" \
  dbus-run-session -- bash packaging/check-frozen-tray.sh "$bin" "$work/tray" 2>"$work/desktop.err" \
  || { cat "$work/desktop.err" >&2; fail "the frozen tray check failed"; }

# ---- list --json against the fake Google ---------------------------------------------------
ghome=$work/google; mkdir -p "$ghome"
uv run --no-sync python packaging/serve-fake-google.py "$ghome" >"$work/fake.log" 2>&1 &
fake=$!
for _ in $(seq 1 50); do grep -q READY "$work/fake.log" && break; sleep 0.2; done
set +e
out=$(WEBINAR_TRAY_HOME=$ghome "$cli" list --json 2>"$work/list.err"); code=$?
set -e
if ! python3 -c 'import json,sys; r=json.loads(sys.argv[1]); assert len(r) == 51, len(r); assert [x["title"] for x in r if x["auto_join"]] == ["ISC2 Think Tank"]' "$out" || [[ $code != 0 ]]; then
  cat "$work/list.err" "$work/fake.log" >&2
  fail "frozen list --json against the fake Google failed (exit $code)"
fi
echo "frozen list --json against the fake Google: 51 events from 2 calendars"

# ---- run (the windowed executable) refreshes through the Google helper ---------------------
# (webinar-tray-cli _google-helper beside it, adapters/calendar/google/helper.py)
rm -f "$ghome"/google-sync/*
WEBINAR_TRAY_HOME=$ghome "$bin" run >"$work/run.log" 2>&1 &
pid=$!
for _ in $(seq 1 150); do grep -q "refresh: Google Calendar webinars@" "$work/run.log" && break; sleep 0.2; done
kill -TERM "$pid" 2>/dev/null || true; wait "$pid" 2>/dev/null || true; pid=""
kill "$fake" 2>/dev/null || true
if ! grep -q "started the Google helper" "$work/run.log" || ! grep -q "refresh: Google Calendar webinars@" "$work/run.log" \
    || grep -q "helper stopped" "$work/run.log"; then
  cat "$work/run.log" >&2
  fail "frozen run did not refresh Google through its helper"
fi
echo "frozen run: Google refreshed through the helper ($(grep -c 'started the Google helper' "$work/run.log") started)"
