#!/usr/bin/env bash
# Runs the frozen bundle the way a user would: --version, then `run --demo` (headless, short
# demo timings, the discovered Chromium) until the demo webinar is attended. Prints start time.
set -euo pipefail
cd "$(dirname "$0")/.."
bin=dist/webinar-tray/webinar-tray
[[ -x $bin ]] || { echo "no $bin: run packaging/build.sh first" >&2; exit 1; }
work=$(mktemp -d); pid=""; fake=""
trap 'kill $pid $fake 2>/dev/null || true; rm -rf "$work"' EXIT
export WEBINAR_TRAY_HOME=$work/home; mkdir -p "$WEBINAR_TRAY_HOME"
unset DISPLAY

t0=$(python3 -c 'import time; print(time.time())')
"$bin" --version
python3 -c "import sys, time; print(f'frozen --version: {time.time() - float(sys.argv[1]):.2f} s')" "$t0"

cat >"$WEBINAR_TRAY_HOME/config.toml" <<'TOML'
[join]
headless = true
lead_seconds = 2
grace_seconds = 2
[demo]
start_after_seconds = 3
duration_seconds = 10
TOML
"$bin" run --demo >"$work/run.log" 2>&1 &
pid=$!
ok=""
for _ in $(seq 1 90); do
  sleep 1
  out=$("$bin" history --demo --json 2>/dev/null || true)
  if python3 -c 'import json,sys; r=json.loads(sys.argv[1] or "[]"); sys.exit(0 if r and r[0]["outcome"]=="attended" else 1)' "$out"; then
    ok=1; break
  fi
done
kill -TERM "$pid"; wait "$pid"; code=$?
if [[ -z $ok || $code != 0 ]]; then
  echo "frozen run --demo did not attend the demo webinar (exit $code):" >&2
  cat "$work/run.log" >&2
  exit 1
fi
grep -E "browser started|joined|attended" "$work/run.log" | sed 's/^/  /'
echo "frozen run --demo: attended"

# The frozen Google client (static discovery document, google-auth refresh) against the fake.
ghome=$work/google; mkdir -p "$ghome"
uv run python packaging/serve-fake-google.py "$ghome" >"$work/fake.log" 2>&1 &
fake=$!
for _ in $(seq 1 50); do grep -q READY "$work/fake.log" && break; sleep 0.2; done
out=$(WEBINAR_TRAY_HOME=$ghome "$bin" list --json 2>"$work/list.err"); code=$?
kill "$fake" 2>/dev/null || true
if ! python3 -c 'import json,sys; r=json.loads(sys.argv[1]); assert len(r) == 51, len(r); assert [x["title"] for x in r if x["auto_join"]] == ["ISC2 Think Tank"]' "$out" || [[ $code != 0 ]]; then
  echo "frozen list --json against the fake Google failed (exit $code):" >&2
  cat "$work/list.err" "$work/fake.log" >&2
  exit 1
fi
echo "frozen list --json against the fake Google: 51 events from 2 calendars"
