import pytest
from django.core.management import call_command
from django.core.management.base import CommandError
from django.db import connection, transaction

from shaobao.audit.models import AuditEntry
from shaobao.audit.services import record, verify
from shaobao.org.scoping import SYSTEM


def _write(n, t0):
    with transaction.atomic():
        for i in range(n):
            record(
                actor=SYSTEM,
                action="test.write",
                object_type="thing",
                object_id=i,
                data={"i": i, "text": "中文"},
                now=t0,
            )


def _sql(statement, params=()):
    with connection.cursor() as c:
        c.execute(statement, params)


@pytest.mark.django_db(transaction=True)
def test_record_needs_a_transaction(t0):
    with pytest.raises(RuntimeError):
        record(actor=SYSTEM, action="x", object_type="t", object_id=1, now=t0)


@pytest.mark.django_db
def test_intact_chain_verifies(t0):
    _write(5, t0)
    result = verify(batch=2)
    assert result.ok and result.checked == 5


@pytest.mark.django_db
@pytest.mark.parametrize(
    "tamper, broken",
    [
        ("UPDATE audit_auditentry SET data = '{\"i\": 99}' WHERE seq = 3", 3),
        ("UPDATE audit_auditentry SET actor_label = 'someone' WHERE seq = 2", 2),
        ("DELETE FROM audit_auditentry WHERE seq = 4", 4),
        ("DELETE FROM audit_auditentry WHERE seq = 5", 5),
        (
            "UPDATE audit_auditentry SET seq = CASE seq WHEN 2 THEN 3 ELSE 2 END WHERE seq IN (2, 3)",
            2,
        ),
    ],
)
def test_any_single_sql_change_is_named(t0, tamper, broken):
    _write(5, t0)
    if "CASE" in tamper:  # swap two rows' order without tripping the unique index midway
        _sql("UPDATE audit_auditentry SET seq = -seq WHERE seq IN (2, 3)")
        _sql(
            "UPDATE audit_auditentry SET seq = CASE seq WHEN -2 THEN 3 ELSE 2 END WHERE seq IN (-2, -3)"
        )
    else:
        _sql(tamper)
    result = verify()
    assert not result.ok
    assert result.broken_seq == broken
    with pytest.raises(CommandError, match=f"#{broken}"):
        call_command("audit_verify")


@pytest.mark.django_db
def test_command_reports_ok(t0, capsys):
    _write(3, t0)
    call_command("audit_verify")
    assert "3 entries verified" in capsys.readouterr().out
    assert AuditEntry.objects.count() == 3


@pytest.mark.django_db
def test_deferred_entries_are_chained_at_the_end_in_order(t0):
    from shaobao.audit.services import deferred

    with transaction.atomic():
        with deferred():
            record(actor=SYSTEM, action="a", object_type="t", object_id=1, now=t0)
            with deferred():
                record(actor=SYSTEM, action="b", object_type="t", object_id=2, now=t0)
            assert AuditEntry.objects.count() == 0  # nothing written, no lock taken yet
            record(actor=SYSTEM, action="c", object_type="t", object_id=3, now=t0)
    assert list(AuditEntry.objects.values_list("action", flat=True)) == ["a", "b", "c"]
    assert verify().ok


@pytest.mark.django_db
def test_deferred_entries_vanish_with_a_failed_block(t0):
    from shaobao.audit.services import deferred

    with pytest.raises(ValueError), transaction.atomic(), deferred():
        record(actor=SYSTEM, action="a", object_type="t", object_id=1, now=t0)
        raise ValueError
    with transaction.atomic():
        record(actor=SYSTEM, action="b", object_type="t", object_id=2, now=t0)
    assert list(AuditEntry.objects.values_list("action", flat=True)) == ["b"]


@pytest.mark.django_db
@pytest.mark.parametrize("max_params", [None, 99])
def test_a_large_deferred_batch_is_chained_in_chunks(t0, monkeypatch, max_params):
    """More entries than one INSERT carries (500, or fewer where the database caps the
    parameters of a statement, as older SQLite at 999): still one unbroken chain, in order, and
    the head at the last one; a record after it links on."""
    from shaobao.audit.models import ChainHead
    from shaobao.audit.services import _MAX_ROWS_PER_STATEMENT, deferred

    monkeypatch.setattr(connection.features, "max_query_params", max_params)
    n = 2 * _MAX_ROWS_PER_STATEMENT + 7 if max_params is None else 2 * (max_params // 11) + 3
    with transaction.atomic(), deferred():
        for i in range(n):
            record(actor=SYSTEM, action="bulk", object_type="t", object_id=i, data={"i": i}, now=t0)
    _write(1, t0)
    seqs = list(AuditEntry.objects.values_list("seq", "object_id"))
    assert seqs[:n] == [(i + 1, str(i)) for i in range(n)] and len(seqs) == n + 1
    head = ChainHead.objects.get(id=1)
    assert head.seq == n + 1 and head.hash == AuditEntry.objects.get(seq=n + 1).hash
    result = verify(batch=300)
    assert result.ok and result.checked == n + 1


def test_the_hash_is_the_one_earlier_versions_wrote(t0):
    """Chains written before the append was rewritten must still verify: the digest is SHA-256
    of the previous hash and the canonical JSON array of the entry, sequence number first."""
    import datetime as dt
    import hashlib
    import json

    from shaobao.audit.services import _digest

    at = t0.astimezone(dt.UTC)
    data = {"z": [1, "二"], "a": {"说明": "中文", "n": None}}
    fields = [42, at.isoformat(timespec="microseconds"), 7, "王建国", "whistle.blow", "whistle"]
    legacy = json.dumps(
        [*fields, "15", None, data], ensure_ascii=False, sort_keys=True, separators=(",", ":")
    )
    expected = hashlib.sha256(("f" * 64 + legacy).encode()).hexdigest()
    assert _digest("f" * 64, 42, at, 7, "王建国", "whistle.blow", "whistle", 15, None, data) == (
        expected
    )


@pytest.mark.django_db
def test_a_long_actor_label_is_hashed_as_stored(t0):
    from shaobao.org.scoping import Actor

    long_label = "区城市管理综合行政执法局" * 20  # 240 characters, stored as 150
    with transaction.atomic():
        record(actor=Actor(user_id=None, label=long_label), action="x", object_type="t", now=t0)
    assert len(AuditEntry.objects.get().actor_label) == 150
    assert verify().ok


@pytest.mark.django_db(transaction=True)  # the block below is a real transaction
@pytest.mark.parametrize("flag", [False, True])
def test_commit_without_waiting_is_set_only_when_asked_and_only_when_chaining(t0, flag):
    """The flag turns off the wait for the WAL flush for this transaction alone (PostgreSQL),
    in the round trip that takes the chain head; a block that records nothing leaves it on."""
    from shaobao.audit.services import deferred

    def setting():
        with connection.cursor() as c:
            c.execute("SHOW synchronous_commit")
            return c.fetchone()[0]

    if connection.vendor != "postgresql":
        with transaction.atomic(), deferred(commit_without_waiting=flag):
            record(actor=SYSTEM, action="a", object_type="t", object_id=1, now=t0)
        assert verify().ok  # nothing else to see: SQLite has no such setting
        return
    before = setting()
    with transaction.atomic():
        with deferred(commit_without_waiting=flag):
            pass
        assert setting() == before
        with deferred(commit_without_waiting=flag):
            record(actor=SYSTEM, action="a", object_type="t", object_id=1, now=t0)
        assert setting() == ("off" if flag else before)
    assert setting() == before  # SET LOCAL: gone with the transaction
    assert list(AuditEntry.objects.values_list("action", flat=True)) == ["a"]
    assert verify().ok
