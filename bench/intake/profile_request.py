"""Where intake spends its time, in one process, one request at a time (no contention): the
request path (`open311.services.request_create`: validate, store, audit, wait for the WAL flush)
and then the intake worker's settling of the same demands (`demands.intake.drain`: place, route,
de-duplicate, dispatch, notify, audit), with wall time, CPU time and SQL statements per demand and
the statements that cost most. Runs against DATABASE_URL; used by run.sh with the same bodies.

usage: python profile_request.py BODIES.lua [N]"""

from __future__ import annotations

import re
import statistics
import sys
import time
from collections import defaultdict
from urllib.parse import parse_qsl

import django

django.setup()

from django.db import connection  # noqa: E402
from django.http import QueryDict  # noqa: E402

import shaobao.audit.services as AS  # noqa: E402
import shaobao.open311.services as OS  # noqa: E402
from shaobao.core import timeutil  # noqa: E402
from shaobao.demands import intake  # noqa: E402

statements: dict[str, list[float]] = defaultdict(list)


def watch(execute, sql, params, many, context):
    t = time.perf_counter()
    try:
        return execute(sql, params, many, context)
    finally:
        statements[" ".join(sql.split()[:3])[:70]].append((time.perf_counter() - t) * 1000)


def bodies(path):
    text = open(path, encoding="utf-8").read()
    return [
        m.replace('\\"', '"').replace("\\\\", "\\") for m in re.findall(r'^"(.*)",$', text, re.M)
    ]


def top_statements(n_items: int, k: int = 6):
    for name, v in sorted(statements.items(), key=lambda kv: -sum(kv[1]))[:k]:
        print(f"    {sum(v) / n_items:5.2f} ms  ×{len(v) / n_items:4.1f}  {name}")
    statements.clear()


def main(path, n=300):
    items = bodies(path)[:n]
    appends = []
    real_append = AS._append

    def timed_append(*a, **kw):
        t = time.process_time()
        try:
            return real_append(*a, **kw)
        finally:
            appends.append((time.process_time() - t) * 1000)

    AS._append = timed_append
    wall, cpu, nq = [], [], []
    with connection.execute_wrapper(watch):
        for b in items:
            q = QueryDict(mutable=True)
            for k, v in parse_qsl(b):
                q.appendlist(k, v)
            before = sum(map(len, statements.values()))
            t, c = time.perf_counter(), time.process_time()
            OS.request_create(params=q, now=timeutil.now())
            wall.append((time.perf_counter() - t) * 1000)
            cpu.append((time.process_time() - c) * 1000)
            nq.append(sum(map(len, statements.values())) - before)
    print(
        f"request path ({len(items)} requests): wall median {statistics.median(wall):.2f} ms, "
        f"CPU median {statistics.median(cpu):.2f} ms (of which audit append "
        f"{statistics.median(appends):.2f}), {statistics.median(nq):.0f} statements "
        "(+ BEGIN/COMMIT)"
    )
    top_statements(len(items))
    appends.clear()
    pending = intake.pending_count()
    t, c = time.perf_counter(), time.process_time()
    with connection.execute_wrapper(watch):
        done = intake.drain(now_fn=timeutil.now, cal=timeutil.work_calendar())
    w, cp = time.perf_counter() - t, time.process_time() - c
    n_st = sum(map(len, statements.values()))
    print(
        f"intake worker ({done} of {pending} pending settled, batches of {intake.BATCH}): "
        f"{done / w:.0f} demands/s, wall {w / done * 1000:.2f} ms and CPU {cp / done * 1000:.2f} ms "
        f"per demand, {n_st / done:.1f} statements per demand"
    )
    top_statements(done)


if __name__ == "__main__":
    main(sys.argv[1], int(sys.argv[2]) if len(sys.argv) > 2 else 300)
