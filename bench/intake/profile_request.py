"""Where one Open311 POST spends its time, in one process, one request at a time (no contention).

Wraps (in this process only, by monkeypatching names; the application code is unchanged) the
steps of shaobao.open311.services.request_create and reports the mean and median per step, and
how long each request holds the audit chain-head row lock (first audit.record → commit), which
serialises every writer. Runs against DATABASE_URL; used by run.sh with the same bodies.

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

from django.db import connection, transaction  # noqa: E402
from django.http import QueryDict  # noqa: E402

import shaobao.audit.services as audit_services  # noqa: E402
import shaobao.demands.services as DS  # noqa: E402
import shaobao.open311.services as OS  # noqa: E402
import shaobao.places.selectors as PS  # noqa: E402
from shaobao.core import timeutil  # noqa: E402

spent: dict[str, list[float]] = defaultdict(list)
lock = {"t": None}
queries = []


def timed(name, fn, on_first=None):
    def wrap(*a, **kw):
        t = time.perf_counter()
        try:
            return fn(*a, **kw)
        finally:
            spent[name].append(time.perf_counter() - t)
            if on_first and lock["t"] is None:
                lock["t"] = t

    return wrap


DS.suggest = timed("routing.suggest", DS.suggest)
DS.find_original = timed("find_original", DS.find_original)
DS.owners_for = timed("owners_for", DS.owners_for)
DS.enqueue = timed("notify.enqueue", DS.enqueue)
PS.locate = timed("places.locate", PS.locate)
import shaobao.duties.routing as RT  # noqa: E402
from shaobao.duties.router.engine import RouterModel  # noqa: E402

RT.duty_list_in_force = timed("  suggest: duty list", RT.duty_list_in_force)
RT._rule_hits = timed("  suggest: rule hits", RT._rule_hits)
RouterModel.predict = timed("  suggest: model.predict", RouterModel.predict)
RouterModel.explain = timed("  suggest: model.explain", RouterModel.explain)
rec = timed("audit.record", audit_services.record, on_first=True)
DS.record = rec
OS.record = rec


def bodies(path):
    text = open(path, encoding="utf-8").read()
    return [
        m.replace('\\"', '"').replace("\\\\", "\\") for m in re.findall(r'^"(.*)",$', text, re.M)
    ]


def main(path, n=300):
    items = bodies(path)[:n]
    holds, totals, nq = [], [], []
    for b in items:
        q = QueryDict(mutable=True)
        for k, v in parse_qsl(b):
            q.appendlist(k, v)
        lock["t"] = None
        connection.queries_log.clear()
        before = 0
        t0 = time.perf_counter()
        with transaction.atomic():  # the view's request_create opens its own; this marks commit
            OS.request_create(params=q, now=timeutil.now(), cal=timeutil.work_calendar())
        t1 = time.perf_counter()
        totals.append(t1 - t0)
        nq.append(len(connection.queries) - before)
        if lock["t"] is not None:
            holds.append(t1 - lock["t"])
    ms = lambda xs: (1000 * statistics.mean(xs), 1000 * statistics.median(xs))  # noqa: E731
    print(f"{len(items)} requests, one at a time, in-process (no HTTP, no gunicorn)")
    print(f"{'step':<24}{'calls/req':>10}{'mean ms':>10}{'median ms':>11}")
    for name, xs in sorted(spent.items(), key=lambda kv: -sum(kv[1])):
        print(f"{name:<24}{len(xs) / len(items):>10.2f}{ms(xs)[0]:>10.2f}{ms(xs)[1]:>11.2f}")
    print(f"{'request_create total':<24}{1:>10}{ms(totals)[0]:>10.2f}{ms(totals)[1]:>11.2f}")
    print(
        f"{'chain-head lock held':<24}{1:>10}{ms(holds)[0]:>10.2f}{ms(holds)[1]:>11.2f}"
        "   (first audit.record → commit; serial across all workers)"
    )
    if nq and any(nq):
        print(f"SQL queries per request: mean {statistics.mean(nq):.1f}")


if __name__ == "__main__":
    from django.conf import settings

    settings.DEBUG = False
    connection.force_debug_cursor = True  # count queries (small overhead, same for every step)
    main(sys.argv[1], int(sys.argv[2]) if len(sys.argv) > 2 else 300)
