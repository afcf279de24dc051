"""The only writer of the audit log, and its verifier."""

from __future__ import annotations

import datetime as dt
import hashlib
import json
import threading
from contextlib import contextmanager
from dataclasses import dataclass

from django.core.serializers.json import DjangoJSONEncoder
from django.db import transaction

from shaobao.audit.models import AuditEntry, ChainHead
from shaobao.org.scoping import Actor

GENESIS = "0" * 64


def _tail(at, actor_id, actor_label, action, object_type, object_id, whistle_id, data) -> str:
    """The canonical JSON of an entry without its sequence number, from its first element on:
    `[seq, …]` is then "[" + seq + "," + this. Computed before the chain head is locked, so that
    only the hashing runs under the lock."""
    body = json.dumps(
        [
            at.isoformat(timespec="microseconds"),
            actor_id,
            actor_label,
            action,
            object_type,
            str(object_id),
            whistle_id,
            data,
        ],
        cls=DjangoJSONEncoder,
        ensure_ascii=False,
        sort_keys=True,
        separators=(",", ":"),
    )
    return body[1:]


def _link(prev_hash: str, seq: int, tail: str) -> str:
    return hashlib.sha256(f"{prev_hash}[{seq},{tail}".encode()).hexdigest()


def _digest(
    prev_hash: str,
    seq: int,
    at,
    actor_id,
    actor_label,
    action,
    object_type,
    object_id,
    whistle_id,
    data,
) -> str:
    """SHA-256 of the previous hash and the canonical JSON array of the entry (sequence number
    first): what `verify` recomputes for every stored entry."""
    tail = _tail(at, actor_id, actor_label, action, object_type, object_id, whistle_id, data)
    return _link(prev_hash, seq, tail)


def record(
    *,
    actor: Actor,
    action: str,
    obj=None,
    object_type: str = "",
    object_id="",
    whistle_id: int | None = None,
    data: dict | None = None,
    now,
) -> None:
    """Append one entry in the caller's transaction; the chain head row lock orders writers.
    Inside `deferred()`, the entry is kept and appended when that block ends (still in the same
    transaction), so the lock is held only for the last moments of the transaction."""
    if not transaction.get_connection().in_atomic_block:
        raise RuntimeError("audit.record must run inside the transaction of the change it records")
    if obj is not None:
        object_type = object_type or obj._meta.model_name
        object_id = object_id or obj.pk
    data = json.loads(json.dumps(data or {}, cls=DjangoJSONEncoder, ensure_ascii=False))
    args = (actor, action, object_type, object_id, whistle_id, data, now)
    if _pending.stack:
        _pending.stack[-1].append(args)
        return
    _append(args)


class _Pending(threading.local):
    def __init__(self):
        self.stack: list[list[tuple]] = []


_pending = _Pending()


@contextmanager
def deferred(*, commit_without_waiting: bool = False):
    """Collect the audit entries of a block and chain them when it ends. The chain head is the
    one row every audited transaction waits for; taking it last keeps that wait to the few
    milliseconds before commit instead of the whole request (see docs/performance.md, intake).

    `commit_without_waiting` (PostgreSQL; for the outermost block): the transaction's COMMIT
    will not wait for the WAL flush, so the chain head is released as soon as the commit record
    is written, not after the disk's flush. Set in the same round trip that takes the head. The
    caller must then wait for durability itself before it tells anyone the change is stored
    (open311.services does); if the block records nothing, the commit stays synchronous."""
    _pending.stack.append([])
    try:
        yield
    except BaseException:
        _pending.stack.pop()
        raise
    entries = _pending.stack.pop()
    if _pending.stack:  # nested: the outer block appends them, in order
        _pending.stack[-1].extend(entries)
        return
    if entries and not transaction.get_connection().in_atomic_block:
        raise RuntimeError("audit.deferred must end inside the transaction it belongs to")
    if entries:
        _append(*entries, commit_without_waiting=commit_without_waiting)


def _lock_head(cursor, connection, head_t: str, commit_without_waiting: bool = False):
    """(seq, hash) of the chain head, locked. On PostgreSQL the same round trip first checks
    the transaction's pending foreign keys: PostgreSQL checks them at COMMIT by default, i.e.
    after the head is taken, and a check that has to wait for a row another transaction holds
    (which may itself be waiting for the head) would deadlock; checked before the head (the
    statements run in order), they wait without holding it. It also turns off the wait for the
    WAL flush at COMMIT when asked (see `deferred`)."""
    select = f"SELECT seq, hash FROM {head_t} WHERE id = 1"
    if connection.vendor == "postgresql":
        sets = "SET CONSTRAINTS ALL IMMEDIATE; "
        if commit_without_waiting:
            sets += "SET LOCAL synchronous_commit TO OFF; "
        cursor.execute(sets + select + " FOR UPDATE")
        while cursor.nextset():  # to the SELECT's rows, past the SETs
            pass
    else:
        cursor.execute(select + _for_update(connection))
    return cursor.fetchone()


_ENTRY_COLUMNS = (
    "seq",
    "at",
    "actor_id",
    "actor_label",
    "action",
    "object_type",
    "object_id",
    "whistle_id",
    "data",
    "prev_hash",
    "hash",
)


_MAX_ROWS_PER_STATEMENT = 500


def _append(*entries: tuple, commit_without_waiting: bool = False) -> None:
    """Chain entries (the argument tuples `record` collects), in order: lock the head once,
    hash each onto the one before, store them and move the head. Plain SQL, not the ORM, and
    everything but the hashing prepared before the lock: every audited write waits for this
    lock (also behind a low-priority intake worker holding it), so it is kept to two round trips
    on PostgreSQL (the entries and the head move in one statement) for a whole batch."""
    connection = transaction.get_connection()
    head_t, entry_t = (connection.ops.quote_name(m._meta.db_table) for m in (ChainHead, AuditEntry))
    fields = [AuditEntry._meta.get_field(n) for n in _ENTRY_COLUMNS]
    cols = ", ".join(connection.ops.quote_name(f.column) for f in fields)
    row_sql = "(" + ", ".join(["%s"] * len(fields)) + ")"
    prepared = []
    for actor, action, object_type, object_id, whistle_id, data, now in entries:
        # UTC with microseconds is what both databases give back, so the hash can be recomputed;
        # the label is hashed as it is stored.
        at, label = now.astimezone(dt.UTC), actor.label[:150]
        tail = _tail(at, actor.user_id, label, action, object_type, object_id, whistle_id, data)
        # the columns between seq and the hashes, adapted for the database
        middle = [
            f.get_db_prep_save(v, connection)
            for f, v in zip(
                fields[1:-2],
                (at, actor.user_id, label, action, object_type, str(object_id), whistle_id, data),
                strict=True,
            )
        ]
        prepared.append((tail, middle))
    per_statement = _MAX_ROWS_PER_STATEMENT
    if connection.features.max_query_params:  # e.g. 999 in older SQLite
        per_statement = min(per_statement, connection.features.max_query_params // len(fields))
    with connection.cursor() as c:
        row = _lock_head(c, connection, head_t, commit_without_waiting)
        if row is None:  # the first entry ever: create the head, then lock it
            ChainHead.objects.get_or_create(id=1)
            row = _lock_head(c, connection, head_t)
        seq, prev_hash = row
        for start in range(0, len(prepared), per_statement):
            params: list = []
            chunk = prepared[start : start + per_statement]
            for tail, middle in chunk:
                seq += 1
                digest = _link(prev_hash, seq, tail)
                params += [seq, *middle, prev_hash, digest]
                prev_hash = digest
            insert = f"INSERT INTO {entry_t} ({cols}) VALUES " + ", ".join([row_sql] * len(chunk))
            move = f"UPDATE {head_t} SET seq = %s, hash = %s WHERE id = 1"
            if connection.vendor == "postgresql":
                c.execute(f"WITH entry AS ({insert}) {move}", [*params, seq, prev_hash])
            else:
                c.execute(insert, params)
                c.execute(move, [seq, prev_hash])


def _for_update(connection) -> str:
    return " FOR UPDATE" if connection.features.has_select_for_update else ""


@dataclass
class VerifyResult:
    ok: bool
    checked: int
    broken_seq: int | None = None
    reason: str = ""


def verify(batch: int = 5000) -> VerifyResult:
    """Walk the chain in order; report the first entry whose link or content does not hold."""
    prev_hash, expected_seq, checked, last_seq = GENESIS, 1, 0, 0
    qs = AuditEntry.objects.order_by("seq")
    while True:
        page = list(qs.filter(seq__gt=last_seq)[:batch])
        if not page:
            break
        for e in page:
            if e.seq != expected_seq:
                return VerifyResult(
                    False,
                    checked,
                    expected_seq,
                    f"entry #{expected_seq} is missing (found #{e.seq})",
                )
            if e.prev_hash != prev_hash:
                return VerifyResult(
                    False, checked, e.seq, f"entry #{e.seq} does not link to the entry before it"
                )
            digest = _digest(
                prev_hash,
                e.seq,
                e.at,
                e.actor_id,
                e.actor_label,
                e.action,
                e.object_type,
                e.object_id,
                e.whistle_id,
                e.data,
            )
            if digest != e.hash:
                return VerifyResult(
                    False, checked, e.seq, f"entry #{e.seq} was altered after it was written"
                )
            prev_hash, expected_seq, checked = e.hash, e.seq + 1, checked + 1
            last_seq = e.seq
    head = ChainHead.objects.filter(id=1).first()
    head_seq, head_hash = (head.seq, head.hash) if head else (0, GENESIS)
    if head_seq != checked or head_hash != prev_hash:
        return VerifyResult(
            False,
            checked,
            checked + 1 if head_seq > checked else head_seq,
            f"the log ends at #{checked} but its head says #{head_seq}",
        )
    return VerifyResult(True, checked)
