"""bench/intake/ceiling.sql replays, with pgbench, what one Open311 POST sends to PostgreSQL.
Its figures mean something only while it sends the same statements: this test files a real
request and compares the two, statement by statement (kind, tables, inserted columns)."""

import pathlib
import re
from urllib.parse import urlencode

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from shaobao.open311.services import DEMO_KEY, ensure_demo_client

CEILING = pathlib.Path(__file__).resolve().parent.parent / "bench" / "intake" / "ceiling.sql"


def shape(statement: str) -> tuple:
    """What a statement does, without its values: its first word (two for SET), the tables it
    names in order, and the columns of each INSERT."""
    s = " ".join(statement.replace('"', "").split())
    words = s.split(" ")
    kind = " ".join(words[:2]) if words[0].upper() == "SET" else words[0].upper()
    tables = tuple(re.findall(r"\b(?:INTO|FROM|UPDATE) (\w+)", s))
    columns = tuple(
        tuple(c.strip() for c in cols.split(","))
        for cols in re.findall(r"\bINSERT INTO \w+ \(([^)]*)\)", s)
    )
    return kind, tables, columns


def shapes(statements) -> list[tuple]:
    out = []
    for statement in statements:
        out += [shape(part) for part in re.split(r"\\?;\s*", statement) if part.strip()]
    return out


def replayed() -> list[tuple]:
    lines = [
        re.sub(r"\s*\\gset.*$", "", line)
        for line in CEILING.read_text(encoding="utf-8").splitlines()
        if line.strip() and not line.startswith("--")
    ]
    return shapes(lines)


@pytest.mark.skipif(
    connection.vendor != "postgresql", reason="the replay is of PostgreSQL's statements"
)
@pytest.mark.django_db(transaction=True)
def test_ceiling_replays_the_statements_of_one_open311_post(client, t0):
    from shaobao.org.cast import build_world

    world = build_world(now=t0)
    ensure_demo_client(now=t0, district_code=world.district.code)

    def post(n):
        body = {
            "api_key": DEMO_KEY,
            "service_code": "CX-HJ-01",
            "lat": "40.18",
            "long": "117.29",
            "description": f"第{n}处村口垃圾堆积三天无人清运",
            "first_name": "晨兰",
            "last_name": "谭",
            "phone": "13797652440",
        }
        r = client.post(
            "/open311/v2/requests.json",
            urlencode(body),
            content_type="application/x-www-form-urlencoded",
        )
        assert r.status_code == 201, r.content

    post(1)  # the key and the service are then in the process's cache, as in a running server
    with CaptureQueriesContext(connection) as captured:
        post(2)
    sent = shapes(q["sql"] for q in captured.captured_queries)
    assert sent == replayed()
    # and the comparison is of something: the demand's INSERT with every column of the row
    kind, tables, columns = sent[1]
    assert (kind, tables, len(columns)) == ("INSERT", ("demands_demand",), 1)
    assert len(columns[0]) > 30 and "intake_pending" in columns[0]
