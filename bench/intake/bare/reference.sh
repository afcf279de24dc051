#!/usr/bin/env bash
# The reference point of issue #6 on this machine now: a bare Django view (form parse, one
# INSERT) behind gunicorn (3 sync workers) on PostgreSQL with persistent connections, driven by
# the same wrk script and bodies as the benchmark. The issue measured about 1,200 requests/s on
# "this kind of machine"; what this prints shows how fast the machine is today.
# usage: BODIES=… bash bench/intake/bare/reference.sh   (run.sh calls it; needs wrk)
set -euo pipefail
HERE=$(cd "$(dirname "$0")" && pwd)
ROOT=$(cd "$HERE/../../.." && pwd)
VENV=$ROOT/.venv/bin
DB=shaobao_bench_bare
PSQL=(psql -h 127.0.0.1 -U postgres -v ON_ERROR_STOP=1 -qAt)
WORK=$(mktemp -d /tmp/shaobao-bare.XXXXXX)
PORT=$("$VENV/python" -c "import socket; s=socket.socket(); s.bind(('127.0.0.1',0)); print(s.getsockname()[1])")
GPID=""
cleanup() {
  if [ -n "$GPID" ]; then kill "$GPID" 2>/dev/null || true; wait "$GPID" 2>/dev/null || true; fi
  "${PSQL[@]}" -d postgres -c "DROP DATABASE IF EXISTS $DB WITH (FORCE)" 2>/dev/null || true
  rm -rf "$WORK"
}
trap cleanup EXIT
: "${BODIES:?BODIES (the Lua bodies file of make_bodies.py) is needed}"
export PYTHONPATH=$HERE/.. DJANGO_SETTINGS_MODULE=bare.settings BODIES
"${PSQL[@]}" -d postgres -c "DROP DATABASE IF EXISTS $DB WITH (FORCE)" -c "CREATE DATABASE $DB" 2>/dev/null
timeout 120 "$VENV/django-admin" migrate --verbosity 0
"$VENV/gunicorn" bare.wsgi:application --bind "127.0.0.1:$PORT" --workers 3 --log-level warning &
GPID=$!
for _ in $(seq 60); do
  curl -s -o /dev/null "http://127.0.0.1:$PORT/" && break; sleep 0.5
done
mkdir -p "$WORK/warm" "$WORK/run"
IDS_DIR=$WORK/warm timeout 60 wrk -t2 -c8 -d5s -s "$ROOT/bench/intake/post.lua" "http://127.0.0.1:$PORT" >/dev/null
c0=$("$VENV/python" "$ROOT/bench/intake/cpu.py")
IDS_DIR=$WORK/run timeout 120 wrk -t2 -c8 -d20s --latency -s "$ROOT/bench/intake/post.lua" \
    "http://127.0.0.1:$PORT" >"$WORK/wrk.txt"
c1=$("$VENV/python" "$ROOT/bench/intake/cpu.py")
n=$(grep -o "requests=[0-9]*" "$WORK/wrk.txt" | head -n1 | cut -d= -f2)
echo "bare Django view (one INSERT), 20 s: $(grep RESULT "$WORK/wrk.txt" | sed 's/^RESULT //')"
"$VENV/python" "$ROOT/bench/intake/cpu.py" --per-request "$c0" "$c1" "$n"
