"""Generate a Beijing-sized district-year on PostgreSQL for the assessment benchmark (issue #4).

    DATABASE_URL=postgres://postgres@127.0.0.1:5432/shaobao_bench \\
        .venv/bin/python bench/assessment/generate.py --demands 2000000 --whistles 100000 \\
        --year 2026 --seed 1 --reset

The org tree, departments, duty list and users go in with the ORM; demands, whistles and their
child rows with COPY in id order with explicit ids, then the sequences are set. Deterministic for
a given --seed. See bench/assessment/README.md."""

from __future__ import annotations

import argparse
import datetime as dt
import os
import sys
import time
from pathlib import Path

HERE = Path(__file__).resolve().parent
ROOT = HERE.parents[1]
sys.path.insert(0, str(HERE))
sys.path.insert(1, str(ROOT))

T0 = time.perf_counter()


def log(msg: str):
    print(f"[{time.perf_counter() - T0:7.1f}s] {msg}", file=sys.stderr, flush=True)


def _conninfo(db: dict, name: str | None = None) -> str:
    parts = {
        "dbname": name or db["NAME"],
        "user": db.get("USER") or "",
        "password": db.get("PASSWORD") or "",
        "host": db.get("HOST") or "",
        "port": str(db.get("PORT") or ""),
    }
    return " ".join(f"{k}='{v}'" for k, v in parts.items() if v)


def reset_database(db: dict, *, drop: bool):
    import psycopg

    name = db["NAME"]
    if drop and ("bench" not in name or name.startswith("test_") or name == "shaobao"):
        sys.exit(f"refusing to drop database {name!r}: --reset only drops a *bench* database")
    with psycopg.connect(_conninfo(db, "postgres"), autocommit=True) as conn:
        exists = conn.execute("SELECT 1 FROM pg_database WHERE datname = %s", (name,)).fetchone()
        if exists and drop:
            conn.execute(f'DROP DATABASE "{name}" WITH (FORCE)')
            log(f"dropped database {name}")
            exists = None
        if not exists:
            conn.execute(f'CREATE DATABASE "{name}"')
            log(f"created database {name}")


def main(argv=None) -> int:
    p = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawTextHelpFormatter)
    p.add_argument("--demands", type=int, default=2_000_000)
    p.add_argument("--whistles", type=int, default=100_000)
    p.add_argument("--year", type=int, default=2026)
    p.add_argument("--seed", type=int, default=1)
    p.add_argument("--reset", action="store_true", help="drop and create the database first")
    p.add_argument(
        "--vacuum", action="store_true", help="VACUUM (ANALYZE) at the end instead of ANALYZE"
    )
    args = p.parse_args(argv)

    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings")
    if not os.environ.get("DATABASE_URL", "").startswith("postgres"):
        sys.exit("set DATABASE_URL=postgres://…/shaobao_bench (PostgreSQL only)")
    import django
    from django.conf import settings

    settings_db = None
    django.setup()
    settings_db = settings.DATABASES["default"]
    if settings_db["ENGINE"] != "django.db.backends.postgresql":
        sys.exit("PostgreSQL only")
    reset_database(settings_db, drop=args.reset)

    from django.core.management import call_command

    t = time.perf_counter()
    call_command("migrate", verbosity=0)
    log(f"migrate {time.perf_counter() - t:.1f}s")

    from shaobao.org.models import Jurisdiction

    if Jurisdiction.objects.exists():
        sys.exit("the database is not empty: run with --reset to recreate it")

    import psycopg
    from django.db import connection
    from gen_copy import LOCAL, Clock, Loader
    from gen_demands import COLUMNS as DEMAND_COLUMNS
    from gen_demands import DemandGen
    from gen_whistles import COLUMNS as WHISTLE_COLUMNS
    from gen_whistles import WhistleGen
    from gen_world import PASSWORD, build_world

    from shaobao.core.workdays import WorkCalendar, deadline, parse_periods

    timings: dict[str, float] = {}
    t = time.perf_counter()
    world = build_world(seed=args.seed, year=args.year, log=log)
    connection.close()
    timings["world (ORM)"] = time.perf_counter() - t
    log(f"world {timings['world (ORM)']:.1f}s")

    clock = Clock(args.year)
    cfg = settings.SHAOBAO
    cal = WorkCalendar(periods=parse_periods(cfg["WORK_PERIODS"]))
    tiers = cfg["TIME_LIMIT_TIERS"]
    by_day: dict = {}

    def finish_by(start: int, tier: str) -> int:
        unit, amount = tiers.get(tier, tiers[cfg["DEFAULT_TIER"]])
        if unit == "natural_hours":
            return start + int(amount * 3600)
        if unit == "natural_days":
            return start + int(amount) * 86400
        when = dt.datetime.fromtimestamp(start, LOCAL)
        if unit == "working_days":
            key = (when.date(), amount)
            if key not in by_day:
                by_day[key] = int(deadline(when, unit, amount, cal).timestamp())
            return by_day[key]
        return int(deadline(when, unit, amount, cal).timestamp())

    hours = cfg.get("OBJECTION_RULE_WORKING_HOURS", 8)

    def rule_by(start: int) -> int:
        when = dt.datetime.fromtimestamp(start, LOCAL)
        return int(deadline(when, "working_hours", hours, cal).timestamp())

    with psycopg.connect(_conninfo(settings_db), autocommit=True) as conn:
        loader = Loader(conn, log)

        log(f"demands: generating and loading {args.demands:,}")
        t = time.perf_counter()
        dg = DemandGen(world, clock, n=args.demands, seed=args.seed, rule_by=rule_by)
        loader.load("demands_demand", DEMAND_COLUMNS["demands_demand"], dg.rows())
        for table, lines in dg.others.items():
            loader.load(table, DEMAND_COLUMNS[table], lines.finish())
            lines.chunks.clear()
        timings["demands + children"] = time.perf_counter() - t

        log(f"whistles: generating and loading {args.whistles:,}")
        t = time.perf_counter()
        wg = WhistleGen(
            world, clock, n=args.whistles, seed=args.seed, finish_by=finish_by, rule_by=rule_by
        )
        loader.load("whistles_whistle", WHISTLE_COLUMNS["whistles_whistle"], wg.rows())
        for table, lines in wg.others.items():
            loader.load(table, WHISTLE_COLUMNS[table], lines.finish())
            lines.chunks.clear()
        timings["whistles + children"] = time.perf_counter() - t

        t = time.perf_counter()
        bad = check_foreign_keys(conn, list(loader.counts))
        timings["foreign-key check"] = time.perf_counter() - t
        log(f"foreign keys checked {timings['foreign-key check']:.1f}s")
        if bad:
            for line in bad:
                log(f"  BROKEN: {line}")
            return 1

        t = time.perf_counter()
        conn.execute("VACUUM (ANALYZE)" if args.vacuum else "ANALYZE")
        timings["vacuum analyze" if args.vacuum else "analyze"] = time.perf_counter() - t
        log(f"{'VACUUM (ANALYZE)' if args.vacuum else 'ANALYZE'} {time.perf_counter() - t:.1f}s")

        summary(conn, loader, dg, wg, timings, settings_db["NAME"])
    log(f"done; every bench user's password is {PASSWORD!r} (e.g. bench_admin, bench_assessor)")
    return 0


def check_foreign_keys(conn, tables: list[str]) -> list[str]:
    """COPY ran with foreign-key triggers off: check every foreign key of the loaded tables."""
    rows = conn.execute(
        """SELECT c.conrelid::regclass::text, a.attname, c.confrelid::regclass::text, af.attname
             FROM pg_constraint c
             JOIN pg_attribute a ON a.attrelid = c.conrelid AND a.attnum = c.conkey[1]
             JOIN pg_attribute af ON af.attrelid = c.confrelid AND af.attnum = c.confkey[1]
            WHERE c.contype = 'f' AND c.conrelid::regclass::text = ANY(%s)
            ORDER BY 1, 2""",
        (tables,),
    ).fetchall()
    bad = []
    for table, col, ref, refcol in rows:
        n = conn.execute(
            f'SELECT count(*) FROM {table} t WHERE t."{col}" IS NOT NULL AND NOT EXISTS '
            f'(SELECT 1 FROM {ref} r WHERE r."{refcol}" = t."{col}")'
        ).fetchone()[0]
        if n:
            bad.append(f"{table}.{col} → {ref}: {n} rows")
    return bad


def summary(conn, loader, dg, wg, timings, dbname):
    q = conn.execute
    out = ["", "== row counts"]
    for table in [
        "org_jurisdiction",
        "org_department",
        "org_user",
        "org_membership",
        "duties_matter",
        "duties_duty",
    ]:
        out.append(f"  {table:28s} {q(f'SELECT count(*) FROM {table}').fetchone()[0]:>12,}")
    for table, rows in loader.counts.items():
        out.append(f"  {table:28s} {rows:>12,}   {loader.timings[table]:6.1f}s")
    out.append("== timings")
    for k, v in timings.items():
        out.append(f"  {k:28s} {v:8.1f}s")
    out.append(f"  {'total':28s} {time.perf_counter() - T0:8.1f}s")
    size = q("SELECT pg_size_pretty(pg_database_size(%s))", (dbname,)).fetchone()[0]
    out.append(f"== database {dbname}: {size}")
    n = q("SELECT count(*) FROM demands_demand").fetchone()[0] or 1
    out.append("== demands by status")
    for status, c in q(
        "SELECT status, count(*) FROM demands_demand GROUP BY 1 ORDER BY 2 DESC"
    ).fetchall():
        out.append(f"  {status:16s} {c:>10,} {100 * c / n:5.1f}%")
    r = q(
        """SELECT count(*) FILTER (WHERE dispatched_at IS NOT NULL),
                  count(*) FILTER (WHERE handler_department_id IS NOT NULL),
                  count(*) FILTER (WHERE handler_township_id IS NOT NULL),
                  count(*) FILTER (WHERE handler_is_district),
                  count(*) FILTER (WHERE excluded),
                  count(*) FILTER (WHERE dispatched_at IS NOT NULL AND contacted_at <= deadline_at),
                  count(*) FILTER (WHERE dispatched_at IS NOT NULL
                                     AND deadline_at < %s::timestamptz - interval '14 days'),
                  count(*) FILTER (WHERE dispatched_at IS NOT NULL AND contacted_at <= deadline_at
                                     AND deadline_at < %s::timestamptz - interval '14 days')
             FROM demands_demand""",
        (dg.c.local(dg.c.end), dg.c.local(dg.c.end)),
    ).fetchone()
    disp = r[0] or 1
    out.append(
        f"== dispatched {r[0]:,} ({100 * r[0] / n:.1f}%): department {100 * r[1] / disp:.1f}%, "
        f"township {100 * r[2] / disp:.1f}%, district {100 * r[3] / disp:.1f}%; "
        f"excluded {100 * r[4] / n:.1f}% of all"
    )
    out.append(
        f"   contacted by the deadline: {100 * r[5] / disp:.1f}% of dispatched, "
        f"{100 * r[7] / max(1, r[6]):.1f}% of those due before the last two weeks"
    )
    r = q(
        """WITH last AS (SELECT DISTINCT ON (demand_id) demand_id, reached, solved, satisfaction
                           FROM demands_callback ORDER BY demand_id, version DESC)
           SELECT count(*), count(*) FILTER (WHERE reached),
                  count(*) FILTER (WHERE reached AND solved),
                  count(*) FILTER (WHERE satisfaction = 'SATISFIED'),
                  count(*) FILTER (WHERE satisfaction = 'BASIC'),
                  count(*) FILTER (WHERE satisfaction = 'UNSATISFIED') FROM last"""
    ).fetchone()
    reached = r[1] or 1
    out.append(
        f"   with a callback {100 * r[0] / disp:.1f}% of dispatched; reached {r[1]:,}: solved "
        f"{100 * r[2] / reached:.1f}%, satisfied/basic/unsatisfied {100 * r[3] / reached:.1f}/"
        f"{100 * r[4] / reached:.1f}/{100 * r[5] / reached:.1f}%"
    )
    red = q(
        "SELECT count(*) FROM (SELECT demand_id FROM demands_dispatch GROUP BY 1 "
        "HAVING count(*) > 1) x"
    ).fetchone()[0]
    out.append(f"   re-dispatched {red:,} ({100 * red / disp:.2f}% of dispatched)")
    out.append("== summonses by state")
    ns = q("SELECT count(*) FROM whistles_summons").fetchone()[0] or 1
    for state, c in q(
        "SELECT state, count(*) FROM whistles_summons GROUP BY 1 ORDER BY 2 DESC"
    ).fetchall():
        out.append(f"  {state:16s} {c:>10,} {100 * c / ns:5.1f}%")
    out.append(f"== whistles: {wg.stats}")
    print("\n".join(out), file=sys.stderr, flush=True)


if __name__ == "__main__":
    sys.exit(main())
