"""Bulk loading with COPY: time formatting, text-format lines, and a loader that drops a table's
secondary indexes before the COPY and rebuilds them after it (sorting once is much faster than
maintaining twenty indexes row by row). Foreign-key triggers are off for the loading session
(session_replication_role = replica); generate.py checks every foreign key afterwards."""

from __future__ import annotations

import datetime as dt
import time

NULL = "\\N"
LOCAL = dt.timezone(dt.timedelta(hours=8))
HOUR = 3600
DAY = 86400


class Clock:
    """Times are int seconds since the epoch; `ts` formats one as a COPY timestamptz (UTC)."""

    def __init__(self, year: int):
        self.year = year
        self.start = int(dt.datetime(year, 1, 1, tzinfo=LOCAL).timestamp())
        self.end = int(dt.datetime(year + 1, 1, 1, tzinfo=LOCAL).timestamp())
        self.d0 = self.start // DAY - 90
        d1 = self.end // DAY + 400
        epoch = dt.date(1970, 1, 1)
        self._days = [(epoch + dt.timedelta(days=d)).isoformat() + " " for d in range(self.d0, d1)]
        self._hms = [
            f"{h:02d}:{m:02d}:{s:02d}+00" for h in range(24) for m in range(60) for s in range(60)
        ]

    def ts(self, t) -> str:
        if t is None:
            return NULL
        t = int(t)
        return self._days[t // DAY - self.d0] + self._hms[t % DAY]

    def local(self, t: int) -> dt.datetime:
        return dt.datetime.fromtimestamp(t, LOCAL)


def b(v) -> str:
    return "t" if v else "f"


def n(v) -> str:
    return NULL if v is None else str(v)


class Lines:
    """Collects COPY lines in joined chunks (a list of a few hundred strings, not millions)."""

    def __init__(self, chunk: int = 20000):
        self.chunks: list[str] = []
        self._buf: list[str] = []
        self._chunk = chunk
        self.rows = 0

    def add(self, line: str):
        self._buf.append(line)
        self.rows += 1
        if len(self._buf) >= self._chunk:
            self.chunks.append("\n".join(self._buf) + "\n")
            self._buf = []

    def finish(self) -> list[str]:
        if self._buf:
            self.chunks.append("\n".join(self._buf) + "\n")
            self._buf = []
        return self.chunks


class Loader:
    def __init__(self, conn, log):
        self.conn = conn
        self.log = log
        self.counts: dict[str, int] = {}
        self.timings: dict[str, float] = {}
        conn.execute("SET session_replication_role = replica")
        conn.execute("SET synchronous_commit = off")
        conn.execute("SET maintenance_work_mem = '1GB'")
        conn.execute("SET max_parallel_maintenance_workers = 1")

    def _secondary_indexes(self, table: str) -> list[tuple[str, str]]:
        return self.conn.execute(
            """SELECT i.relname, pg_get_indexdef(x.indexrelid)
                 FROM pg_index x JOIN pg_class i ON i.oid = x.indexrelid
                WHERE x.indrelid = %s::regclass
                  AND NOT EXISTS (SELECT 1 FROM pg_constraint c WHERE c.conindid = x.indexrelid)
                ORDER BY i.relname""",
            (table,),
        ).fetchall()

    def load(self, table: str, columns: list[str], chunks, *, label: str | None = None) -> int:
        """COPY the chunks (an iterable of strings of complete lines) into `table`; `chunks` may
        be a generator that produces the rows while the COPY runs."""
        t0 = time.perf_counter()
        indexes = self._secondary_indexes(table)
        with self.conn.transaction():
            for name, _def in indexes:
                self.conn.execute(f'DROP INDEX "{name}"')
            with self.conn.cursor() as cur:
                with cur.copy(f"COPY {table} ({', '.join(columns)}) FROM STDIN") as cp:
                    for chunk in chunks:
                        cp.write(chunk)
            t1 = time.perf_counter()
            for _name, ddl in indexes:
                self.conn.execute(ddl)
            rows = self.conn.execute(f"SELECT count(*) FROM {table}").fetchone()[0]
            self.conn.execute(
                f"SELECT setval(pg_get_serial_sequence('{table}', 'id'), "
                f"coalesce((SELECT max(id) FROM {table}), 0) + 1, false)"
            )
        t2 = time.perf_counter()
        self.counts[table] = rows
        self.timings[table] = t2 - t0
        self.log(
            f"  {label or table}: {rows:,} rows, copy {t1 - t0:.1f}s, "
            f"{len(indexes)} indexes {t2 - t1:.1f}s"
        )
        return rows
