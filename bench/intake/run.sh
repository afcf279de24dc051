#!/usr/bin/env bash
# Intake benchmark: Open311 POST /open311/v2/requests.json on PostgreSQL behind gunicorn, load from
# wrk (post.lua). Creates and drops its own database; traffic only to 127.0.0.1; stops by itself.
# usage: bash bench/intake/run.sh            (from the project root)
# env:   CONFIGS="sync:3:1 sync:4:1"  DURATION=30s  WARMUP=10s  CONNECTIONS=8  WRK_THREADS=2
#        INTAKE_WORKERS=1 (`shaobao intake_worker` processes running during the load)
#        SAMPLE_WAITS=0 (1: sample what the backends wait on during the load; a psql every 0.2 s
#        costs the server about 15 % of its throughput, so it is off for the figures)
#        INTAKE_NICE=10 (their CPU priority, as deploy/shaobao-intake@.service: 0 = same as the web)
#        DRAIN_TIMEOUT=1200 (seconds to wait for the intake backlog afterwards)
#        PROFILE=300 (requests and worker steps timed in-process afterwards; 0 skips)
#        BARE=1 (first the reference: a bare Django view doing one INSERT, bare/reference.sh)
#        CEILING=1 (then the database's own ceiling: pgbench replays one POST's statements, ceiling.sh)
set -euo pipefail
cd "$(dirname "$0")/../.."
ROOT=$PWD
HERE=$ROOT/bench/intake
VENV=$ROOT/.venv/bin
# Its own names: bench/assessment uses `shaobao_bench`, which this script must never drop.
DB=shaobao_bench_intake
TPL=shaobao_bench_intake_seed
PSQL=(psql -h 127.0.0.1 -U postgres -v ON_ERROR_STOP=1 -qAt)
CONFIGS=${CONFIGS:-"sync:3:1 sync:4:1"}
DURATION=${DURATION:-30s}
WARMUP=${WARMUP:-10s}
CONNECTIONS=${CONNECTIONS:-8}
WRK_THREADS=${WRK_THREADS:-2}
INTAKE_WORKERS=${INTAKE_WORKERS:-1}
INTAKE_NICE=${INTAKE_NICE:-10}
SAMPLE_WAITS=${SAMPLE_WAITS:-0}
DRAIN_TIMEOUT=${DRAIN_TIMEOUT:-1200}
WORK=$(mktemp -d /tmp/shaobao-intake.XXXXXX)
GPID=""
IPIDS=""

export DJANGO_SETTINGS_MODULE=config.settings PYTHONPATH=$ROOT
export SHAOBAO_SECRET_KEY="bench-$(head -c 24 /dev/urandom | od -An -tx1 | tr -d ' \n')"
export SHAOBAO_ALLOWED_HOSTS=127.0.0.1
export SHAOBAO_CONN_MAX_AGE=${SHAOBAO_CONN_MAX_AGE:-60}
export SHAOBAO_VAR_DIR=$WORK/var          # the retrained router goes here, not into ./var
export SHAOBAO_LOG_LEVEL=WARNING
export OMP_NUM_THREADS=1 OPENBLAS_NUM_THREADS=1 MKL_NUM_THREADS=1
url_for() { echo "postgres://postgres@127.0.0.1:5432/$1"; }

case "$DB$TPL" in *test_*) echo "refusing a test_ database" >&2; exit 2;; esac
drop_db() { "${PSQL[@]}" -d postgres -c "DROP DATABASE IF EXISTS $1 WITH (FORCE)"; }
stop_intake() {
  for p in $IPIDS; do kill "$p" 2>/dev/null || true; done
  for p in $IPIDS; do wait "$p" 2>/dev/null || true; done
  IPIDS=""
}
cleanup() {
  if [ -n "$GPID" ] && kill -0 "$GPID" 2>/dev/null; then kill "$GPID"; wait "$GPID" 2>/dev/null || true; fi
  stop_intake
  drop_db "$DB" || true
  drop_db "$TPL" || true
  rm -rf "$WORK"
}
trap cleanup EXIT
trap 'exit 130' INT TERM

command -v wrk >/dev/null || { echo "wrk missing: apt-get install -y wrk" >&2; exit 2; }
echo "== $(date -Is)  host $(hostname)  cores $(getconf _NPROCESSORS_ONLN)  load $(cut -d' ' -f1-3 /proc/loadavg)"
# the machine's speed now (bench/machine.py): figures taken at different times compare through it
"$VENV/python" "$ROOT/bench/machine.py"

# ---- prepare the data once, in a template database ------------------------------------------
t0=$(date +%s)
drop_db "$TPL"; drop_db "$DB"
"${PSQL[@]}" -d postgres -c "CREATE DATABASE $TPL"
export DATABASE_URL=$(url_for $TPL)
timeout 300 "$VENV/shaobao" migrate --verbosity 0
timeout 900 "$VENV/shaobao" seed_demo --scale 0.2 >"$WORK/seed.log"
timeout 600 "$VENV/shaobao" router_retrain >"$WORK/retrain.log"
timeout 60 "$VENV/python" -c "
import django; django.setup()
from shaobao.open311.services import ensure_demo_client
c = ensure_demo_client(district_code='110117'); print('client', c.pk, c.district.code)"
timeout 60 "$VENV/python" "$HERE/make_bodies.py" "$WORK/bodies.lua" 4000
echo "prepared in $(( $(date +%s) - t0 )) s: $(tail -n1 "$WORK/retrain.log")"
"${PSQL[@]}" -d "$TPL" -c "SELECT 'demands before: ' || count(*) FROM demands_demand"

PORT=$("$VENV/python" -c "import socket; s=socket.socket(); s.bind(('127.0.0.1',0)); print(s.getsockname()[1])")
BASE=http://127.0.0.1:$PORT
export BODIES=$WORK/bodies.lua

# the issue's reference on this machine now: a bare Django view doing one INSERT (BARE=0 skips)
if [ "${BARE:-1}" = 1 ]; then
  echo; echo "== reference  load $(cut -d' ' -f1-3 /proc/loadavg)"
  timeout 300 bash "$HERE/bare/reference.sh"
fi
# the database's own ceiling for this work: pgbench replays one POST's statements (CEILING=0 skips)
if [ "${CEILING:-1}" = 1 ]; then
  echo; echo "== database ceiling  load $(cut -d' ' -f1-3 /proc/loadavg)"
  SEED_DB=$TPL timeout 600 bash "$HERE/ceiling.sh"
fi

for cfg in $CONFIGS; do
  IFS=: read -r klass workers threads <<<"$cfg"
  name="${klass}-${workers}w-${threads}t"
  echo; echo "== $name, $INTAKE_WORKERS intake worker(s) at nice $INTAKE_NICE  load $(cut -d' ' -f1-3 /proc/loadavg)"
  drop_db "$DB"
  "${PSQL[@]}" -d postgres -c "CREATE DATABASE $DB TEMPLATE $TPL"
  export DATABASE_URL=$(url_for $DB)
  "${PSQL[@]}" -d "$DB" -c "ANALYZE"
  "$VENV/gunicorn" -c "$ROOT/deploy/gunicorn.conf.py" config.wsgi:application --bind "127.0.0.1:$PORT" \
      --worker-class "$klass" --workers "$workers" --threads "$threads" \
      --timeout 60 --graceful-timeout 5 --log-level warning \
      --error-logfile "$WORK/gunicorn-$name.log" &
  GPID=$!
  # the intake worker(s) settle demands while the load runs, as in production
  for i in $(seq "$INTAKE_WORKERS"); do
    nice -n "$INTAKE_NICE" "$VENV/shaobao" intake_worker --stats >"$WORK/intake-$name-$i.log" 2>&1 &
    IPIDS="$IPIDS $!"
  done
  for _ in $(seq 60); do curl -fs -o /dev/null "$BASE/open311/v2/discovery.json" && break; sleep 0.5; done
  # warm-up: every worker loads the router model and its caches; these demands stay in the base
  mkdir -p "$WORK/warm"; IDS_DIR=$WORK/warm timeout 120 wrk -t"$WRK_THREADS" -c"$CONNECTIONS" -d"$WARMUP" \
      -s "$HERE/post.lua" "$BASE" | grep RESULT | sed 's/^RESULT/warm-up:/'
  "${PSQL[@]}" -d "$DB" -c "SELECT 'demands at start: ' || count(*) FROM demands_demand"
  out=$WORK/$name; mkdir -p "$out"
  l0=$(cut -d' ' -f1 /proc/loadavg)
  # what the server's backends wait on, sampled every 0.2 s during the run
  ( [ "$SAMPLE_WAITS" = 1 ] || exit 0
    end=$(( $(date +%s) + ${DURATION%s} )); while [ "$(date +%s)" -lt "$end" ]; do
      "${PSQL[@]}" -d postgres -c "SELECT coalesce(wait_event_type || ':' || wait_event, state)
        FROM pg_stat_activity WHERE datname = '$DB' AND pid <> pg_backend_pid()
        AND query NOT ILIKE '%pg_stat_activity%'" 2>/dev/null; sleep 0.2; done >"$out/waits.txt" ) &
  SAMPLER=$!
  cpu0=$("$VENV/python" "$HERE/cpu.py")
  IDS_DIR=$out timeout 300 wrk -t"$WRK_THREADS" -c"$CONNECTIONS" -d"$DURATION" --timeout 10s \
      --latency -s "$HERE/post.lua" "$BASE" >"$out/wrk.txt"
  l1=$(cut -d' ' -f1 /proc/loadavg)
  cpu1=$("$VENV/python" "$HERE/cpu.py")
  pend_end=$("${PSQL[@]}" -d "$DB" -c "SELECT count(*) FROM demands_demand WHERE intake_pending")
  wait "$SAMPLER" 2>/dev/null || true
  # one connection, no queueing: the service time of one request through HTTP
  mkdir -p "$out/c1"; IDS_DIR=$out/c1 timeout 60 wrk -t1 -c1 -d10s -s "$HERE/post.lua" "$BASE" \
      | grep RESULT | sed 's/^RESULT/one connection:/'
  kill "$GPID"; wait "$GPID" 2>/dev/null || true; GPID=""
  # ---- wait for the intake worker(s) to settle the backlog; the drain rate is measured here,
  # with gunicorn stopped, i.e. the worker alone on the machine
  pend0=$("${PSQL[@]}" -d "$DB" -c "SELECT count(*) FROM demands_demand WHERE intake_pending")
  drainers=$INTAKE_WORKERS
  if [ "$INTAKE_WORKERS" -eq 0 ]; then  # none ran during the load: one settles the backlog now
    "$VENV/shaobao" intake_worker --stats >"$WORK/intake-$name-after.log" 2>&1 &
    IPIDS="$IPIDS $!"; drainers=1
  fi
  td0=$(date +%s.%N); pend=$pend0
  while [ "$pend" -gt 0 ]; do
    sleep 1
    pend=$("${PSQL[@]}" -d "$DB" -c "SELECT count(*) FROM demands_demand WHERE intake_pending AND intake_attempts = 0")
    [ "$(echo "$(date +%s.%N) - $td0 > $DRAIN_TIMEOUT" | bc)" = 1 ] && { echo "drain timed out: $pend pending" >&2; break; }
  done
  td=$(echo "$(date +%s.%N) - $td0" | bc)
  stop_intake
  echo "intake backlog: $pend_end pending when the load ended, $pend0 after the one-connection run;"
  echo "  drained by $drainers worker(s) in ${td%.*} s ($(echo "scale=1; $pend0 / ($td + 0.001)" | bc) demands/s alone)"
  grep -h "settled" "$WORK"/intake-"$name"-*.log | tail -n 4 | sed 's/^/  worker: /' || true
  grep -E "Latency|Req/Sec|requests in|Socket|Non-2xx" "$out/wrk.txt" || true
  grep RESULT "$out/wrk.txt"
  echo "load average 1-min: $l0 before, $l1 after"
  n_req=$(grep -o "requests=[0-9]*" "$out/wrk.txt" | head -n1 | cut -d= -f2)
  echo "$("$VENV/python" "$HERE/cpu.py" --per-request "$cpu0" "$cpu1" "$n_req") with the worker's queries"
  if [ -s "$out/bad-1.txt" ] || [ -s "$out/bad-2.txt" ]; then
    echo "non-2xx samples:"; cat "$out"/bad-*.txt | sort | uniq -c | sort -rn | head -5
  fi
  grep -ci "error\|traceback" "$WORK/gunicorn-$name.log" | sed 's/^/gunicorn log error lines: /' || true
  if [ -s "$out/waits.txt" ]; then
    echo "backend states sampled during the run (share of samples; 8 connections):"
    sort "$out/waits.txt" | uniq -c | sort -rn | head -6 \
        | awk -v n="$(wc -l <"$out/waits.txt")" '{printf "  %5.1f %%  %s\n", 100*$1/n, $2}'
  fi
  cat "$out"/c1/ids-*.txt >>"$out/ids-c1.txt" 2>/dev/null || true
  # ---- check every 2xx id in the database ---------------------------------------------------
  cat "$out"/ids-*.txt | sed 's/^SQ0*//' >"$out/ids.txt"
  "${PSQL[@]}" -d "$DB" -c "CREATE TABLE bench_ids (raw text)" -c "\\copy bench_ids FROM '$out/ids.txt'"
  "${PSQL[@]}" -d "$DB" -f "$HERE/verify.sql"
  timeout 300 "$VENV/shaobao" audit verify 2>&1 | tail -n1 | sed 's/^/audit chain: /'
done
# ---- where one request spends its time (in-process, one at a time, fresh copy of the data) -----
if [ "${PROFILE:-300}" -gt 0 ]; then
  echo; echo "== per-step timing  load $(cut -d' ' -f1-3 /proc/loadavg)"
  drop_db "$DB"
  "${PSQL[@]}" -d postgres -c "CREATE DATABASE $DB TEMPLATE $TPL"
  export DATABASE_URL=$(url_for $DB)
  timeout 600 "$VENV/python" "$HERE/profile_request.py" "$BODIES" "${PROFILE:-300}"
fi
echo; echo "== done $(date -Is)  load $(cut -d' ' -f1-3 /proc/loadavg)"
"$VENV/python" "$ROOT/bench/machine.py"
