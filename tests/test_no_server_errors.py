"""No request to a page can make the server answer 500: every URL with hostile ids and query
strings, GET and POST, for a user of every kind."""

import pytest
from django.test import Client
from django.urls import URLPattern, URLResolver, get_resolver

pytestmark = pytest.mark.django_db
HOSTILE_IDS = ["99999999999999999999999", "0", "4611686018427387905"]
QUERIES = [
    "",
    "?page=abc&status=%00&q=" + "x" * 300,
    "?whistle=CS99999999999999999999&verify=1",
    "?problem=99999999999999999999&matter=99999999999999999999&all=1&overdue=1&format=xlsx",
    # digits that str.isdigit() takes and int() does not ("²"), or reads as another number
    "?problem=%C2%B2&matter=%C2%B2&whistle=%C2%B2&page=%C2%B2&township=%EF%BC%91",
    # dates at the ends of the calendar
    "?from=0001-01-01&to=9999-12-31&month=9999-12&date=9999-12-31",
    "?from=9999-12-31&to=0001-01-01&month=0001-01&format=xlsx",
]


def patterns(resolver=None, prefix=""):
    resolver = resolver or get_resolver()
    for p in resolver.url_patterns:
        route = prefix + str(p.pattern)
        if isinstance(p, URLResolver):
            if route.startswith("api/"):
                continue  # the API has its own fuzzing (test_openapi_fuzz.py)
            yield from patterns(p, route)
        elif isinstance(p, URLPattern):
            yield route


def concrete(route: str, ident: str) -> str:
    import re

    route = re.sub(r"<int:\w+>", ident, route)
    route = re.sub(r"<slug:\w+>", "record_outcome", route)
    route = re.sub(r"<path:\w+>", "x", route)
    return "/" + route.lstrip("^").rstrip("$")


@pytest.mark.parametrize("username", ["commander", "cg_head", "inspector", "grid"])
def test_hostile_requests_never_500(world, username):
    c = Client(raise_request_exception=False)
    c.force_login(world.users[username])
    urls = {concrete(r, i) for r in patterns() for i in HOSTILE_IDS}
    assert len(urls) > 20
    for url in sorted(urls):
        for q in QUERIES:
            assert c.get(url + q).status_code < 500, url + q
        r = c.post(
            url,
            {
                "township": "999999999999999999999",
                "title": "x" * 5000,
                "lead": "abc",
                "reason": "",
                "decision": "??",
                "photos": "not a file",
                "lat": "nan",
            },
        )
        assert r.status_code < 500, url
