import pytest
from django.test import Client

from shaobao.org.scoping import SYSTEM
from shaobao.org.services import api_token_create


@pytest.fixture
def api_client(world, t0):
    """api_client("commander") → a Client sending that user's bearer token."""

    def make(username):
        _token, raw = api_token_create(
            actor=SYSTEM, user=world.users[username], name="test", now=t0
        )
        return Client(HTTP_AUTHORIZATION=f"Bearer {raw}")

    return make
