#!/usr/bin/env bash
# The database's own ceiling for intake: pgbench replays what one Open311 POST sends to PostgreSQL
# (ceiling.sql) at the benchmark's concurrency, with no Python in the way, then the same without
# one part at a time, so that what each part costs the server shows. Runs against a copy of a
# seeded database (run.sh passes its template) and drops the copy.
# usage: SEED_DB=shaobao_bench_intake_seed bash bench/intake/ceiling.sh
# env:   CEILING_SECONDS=15  CONNECTIONS=8  WRK_THREADS=2 (pgbench -j)
set -euo pipefail
HERE=$(cd "$(dirname "$0")" && pwd)
ROOT=$(cd "$HERE/../.." && pwd)
VENV=$ROOT/.venv/bin
DB=shaobao_bench_ceiling
PSQL=(psql -h 127.0.0.1 -U postgres -v ON_ERROR_STOP=1 -qAt)
: "${SEED_DB:?SEED_DB (a database seeded as run.sh seeds it) is needed}"
SECONDS_EACH=${CEILING_SECONDS:-15}
WORK=$(mktemp -d /tmp/shaobao-ceiling.XXXXXX)
cleanup() {
  "${PSQL[@]}" -d postgres -c "DROP DATABASE IF EXISTS $DB WITH (FORCE)" 2>/dev/null || true
  rm -rf "$WORK"
}
trap cleanup EXIT
command -v pgbench >/dev/null || { echo "pgbench missing (Debian: postgresql-client)" >&2; exit 2; }
"${PSQL[@]}" -d postgres -c "DROP DATABASE IF EXISTS $DB WITH (FORCE)" -c "CREATE DATABASE $DB TEMPLATE $SEED_DB"
vars=$("${PSQL[@]}" -d "$DB" -F ' ' -c "
  SELECT '-D district=' || c.district_id || ' -D client=' || c.id || ' -D matter=' ||
         (SELECT min(id) FROM duties_matter WHERE active)
  FROM open311_clientapp c WHERE c.active ORDER BY c.id LIMIT 1")
[ -n "$vars" ] || { echo "no active Open311 client in $SEED_DB" >&2; exit 2; }
full=$HERE/ceiling.sql
grep -v "FOR KEY SHARE" "$full" >"$WORK/no-wait.sql"
grep -v "FOR KEY SHARE\|audit_" "$full" >"$WORK/no-audit.sql"
grep -v "FOR KEY SHARE\|audit_\|demandevent\|open311request" "$full" >"$WORK/demand-only.sql"
run() {  # label, script
  local c0 c1 out
  c0=$("$VENV/python" "$HERE/cpu.py")
  # shellcheck disable=SC2086
  out=$(timeout $((SECONDS_EACH + 60)) pgbench -h 127.0.0.1 -U postgres -n $vars \
        -c "${CONNECTIONS:-8}" -j "${WRK_THREADS:-2}" -T "$SECONDS_EACH" -f "$2" "$DB" 2>&1)
  c1=$("$VENV/python" "$HERE/cpu.py")
  echo "$out" | grep -q "number of failed transactions: 0 " || { echo "$out" >&2; exit 1; }
  "$VENV/python" - "$1" "$c0" "$c1" "$out" <<'PY'
import re, sys
label, c0, c1, out = sys.argv[1:]
a, b = (dict(kv.split("=") for kv in s.split()) for s in (c0, c1))
tps = float(re.search(r"^tps = ([0-9.]+)", out, re.M).group(1))
n = int(re.search(r"number of transactions actually processed: (\d+)", out).group(1))
lat = float(re.search(r"latency average = ([0-9.]+) ms", out).group(1))
pg = (int(b["postgres"]) - int(a["postgres"])) / max(1, n)
print(f"  {label:<48} {tps:7.0f} per s   latency avg {lat:5.1f} ms   PostgreSQL CPU {pg:.2f} ms each")
PY
}
echo "pgbench, ${CONNECTIONS:-8} connections, ${SECONDS_EACH} s each ($vars):"
run "one Open311 POST's statements (ceiling.sql)" "$full"
run "  without the wait for the flush" "$WORK/no-wait.sql"
run "  and without the audit entry (sync. commit)" "$WORK/no-audit.sql"
run "  the demand row alone (sync. commit)" "$WORK/demand-only.sql"
