"""Lists do a fixed number of queries however many rows they show (house rule 9)."""

import pytest
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext

from shaobao.problems.services import problem_create
from shaobao.whistles import services as S

pytestmark = pytest.mark.django_db


def make(world, actors, t0, cal, n):
    for i in range(n):
        p = problem_create(
            actor=actors.staff,
            township_id=world.town.pk,
            title=f"问题{i}",
            description="d",
            address="a",
            now=t0,
        )
        S.whistle_blow(
            actor=actors.commander,
            township_id=world.town.pk,
            title=f"吹哨{i}",
            description="d",
            address="a",
            area="KEY_TASK",
            kind="MANAGEMENT",
            mode="ROUTINE",
            problem_ids=[p.pk],
            summoned=[
                S.SummonsSpec(world.depts["CGZF"].pk, "LEAD"),
                S.SummonsSpec(world.depts["SW"].pk, "ASSIST"),
            ],
            now=t0,
            cal=cal,
        )


def queries(client, url) -> int:
    with CaptureQueriesContext(connection) as ctx:
        assert client.get(url).status_code == 200
    return len(ctx.captured_queries)


@pytest.mark.parametrize(
    "username, url",
    [
        ("commander", "/whistles/?status=all"),
        ("commander", "/problems/"),
        ("cg_head", "/inbox/?all=1"),
        ("supervisor", "/escalated/"),
        ("inspector", "/audit/"),
        ("commander", "/api/v1/whistles?status="),
        ("cg_head", "/api/v1/summonses"),
        ("commander", "/api/v1/problems"),
    ],
)
def test_list_queries_do_not_grow_with_rows(world, actors, t0, cal, username, url):
    c = Client()
    c.force_login(world.users[username])
    make(world, actors, t0, cal, 2)
    few = queries(c, url)
    make(world, actors, t0, cal, 12)
    many = queries(c, url)
    assert many == few, f"{url}: {few} queries with 2 rows, {many} with 14"


@pytest.mark.parametrize("username", ["operator", "cg_head", "assessor"])
@pytest.mark.parametrize("url", ["/demands/", "/demands/?format=xlsx", "/demands/?mine=1"])
def test_demand_list_and_its_file_do_not_grow_with_rows(world, hotline_demand, username, url):
    def make_demands(n):
        for i in range(n):
            hotline_demand(
                text=f"第{i}号楼前道路破损，{i}处坑洼", caller_phone=f"1390000{i:04d}", dept="CGZF"
            )

    c = Client()
    c.force_login(world.users[username])
    make_demands(2)
    few = queries(c, url)
    make_demands(12)
    many = queries(c, url)
    assert many == few, f"{url}: {few} queries with 2 rows, {many} with 14"
