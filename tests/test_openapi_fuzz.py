"""schemathesis over our own OpenAPI (bounded for CI): no request makes the server answer 500,
and every response matches the schema."""

import pytest
import schemathesis
from hypothesis import HealthCheck, settings
from schemathesis import checks

from config.wsgi import application

schema = schemathesis.openapi.from_wsgi("/api/v1/openapi.json", application)
MAX_EXAMPLES = 12


@pytest.fixture(autouse=True)
def _keep_test_connection():
    """The WSGI app would close the database connection between requests, which on PostgreSQL
    ends the test's transaction; Django's own test client suppresses this the same way."""
    from django.core.signals import request_finished, request_started
    from django.db import close_old_connections

    request_started.disconnect(close_old_connections)
    request_finished.disconnect(close_old_connections)
    yield
    request_started.connect(close_old_connections)
    request_finished.connect(close_old_connections)


@pytest.fixture
def token(world, t0):
    from shaobao.org.scoping import SYSTEM
    from shaobao.org.services import api_token_create

    # The commander holds most whistle powers; fuzzing as them reaches the deepest code paths.
    return api_token_create(actor=SYSTEM, user=world.users["commander"], name="fuzz", now=t0)[1]


@pytest.mark.django_db
@schema.parametrize()
@settings(
    max_examples=MAX_EXAMPLES,
    deadline=None,
    suppress_health_check=[
        HealthCheck.function_scoped_fixture,
        HealthCheck.too_slow,
        HealthCheck.filter_too_much,
    ],
)
def test_api_never_errors_and_matches_schema(case, token):
    # Domain validation legitimately refuses some schema-valid bodies (an id that does not
    # exist), so "positive data acceptance" is not a property of this API; the rest is.
    case.call_and_validate(
        headers={"Authorization": f"Bearer {token}"},
        excluded_checks=[checks.positive_data_acceptance],
    )
