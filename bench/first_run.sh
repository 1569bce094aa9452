#!/usr/bin/env bash
# How long a newcomer waits: a fresh clone of this repository to the demo's first chat reply.
# Phases: clone, `make install`, `make run` until /health answers, then `trainlytics chat --as
# Ana` until it prints the reply to /today. Prints seconds per phase and the total.
# Usage: bash bench/first_run.sh [PORT]   (uses a temporary directory, removed afterwards)
set -euo pipefail
repo="$(cd "$(dirname "$0")/.." && pwd)"
port="${1:-8931}"
work="$(mktemp -d)"
trap 'pkill -f "$work/clone/.venv/bin/trainlytics run" 2>/dev/null || true; rm -rf "$work"' EXIT

now() { date +%s.%N; }
since() { python3 -c "import sys; print(f'{float(sys.argv[2]) - float(sys.argv[1]):.1f}')" "$1" "$(now)"; }

t0=$(now)
git clone -q "$repo" "$work/clone"
cd "$work/clone"
echo "clone        $(since "$t0") s"
t1=$(now)
make install >/dev/null
echo "make install $(since "$t1") s"
if curl -sf "http://127.0.0.1:$port/health" >/dev/null; then
  echo "port $port already answers /health: pass a free port (bash bench/first_run.sh PORT)"
  exit 1
fi
t2=$(now)
TRAINLYTICS_PORT="$port" make run </dev/null >"$work/run.log" 2>&1 &
until curl -sf "http://127.0.0.1:$port/health" >/dev/null; do
  sleep 0.1
  kill -0 $! 2>/dev/null || { cat "$work/run.log"; exit 1; }
done
echo "make run     $(since "$t2") s (until /health answers)"
t3=$(now)
reply="$(echo /today | TRAINLYTICS_PORT="$port" .venv/bin/trainlytics chat --as Ana 2>/dev/null)"
grep -q "Today" <<<"$reply" || { echo "no reply to /today: $reply"; exit 1; }
echo "first reply  $(since "$t3") s (trainlytics chat --as Ana, /today)"
echo "total        $(since "$t0") s from clone to a chatting demo"
