import json
import pathlib
from urllib.parse import urlencode

import pytest

from shaobao.core.timeutil import now, work_calendar
from shaobao.open311.services import DEMO_KEY, ensure_demo_client

SCHEMAS = pathlib.Path(__file__).parent / "schemas"
BASE = "/open311/v2/"


def process_intake() -> int:
    """What the intake worker does after a POST: place, route, de-duplicate, dispatch."""
    from shaobao.demands.intake import drain

    return drain(now_fn=now, cal=work_calendar())


def load_schema(name: str) -> dict:
    """The schema with its relative $ref inlined (the files refer to each other by name)."""
    schema = json.loads((SCHEMAS / name).read_text(encoding="utf-8"))
    items = schema.get("items", {})
    if "$ref" in items:
        schema["items"] = load_schema(items["$ref"])
    return schema


@pytest.fixture
def demo_client(world):
    return ensure_demo_client(now=now(), district_code=world.district.code)


@pytest.fixture
def post_form(client):
    """POST form-urlencoded, as FixMyStreet does."""

    def post(path, data, **kw):
        return client.post(
            BASE + path,
            urlencode(data, doseq=True),
            content_type="application/x-www-form-urlencoded",
            **kw,
        )

    return post


@pytest.fixture
def file_request(post_form, demo_client, world):
    """POST one request with the demo key; answers the service_request_id."""

    def make(fmt="json", process=True, **extra):
        data = {
            "api_key": DEMO_KEY,
            "service_code": "CX-HJ-01",
            "lat": "40.18",
            "long": "117.29",
            "description": "村口垃圾堆积三天无人清运，气味很大",
            "first_name": "三",
            "last_name": "张",
            "phone": "13912345678",
            "email": "zhangsan@example.com",
        }
        data.update(extra)
        data = {k: v for k, v in data.items() if v is not None}
        r = post_form(f"requests.{fmt}", data)
        assert r.status_code == 201, r.content.decode()
        if process:
            process_intake()
        if fmt == "json":
            return r.json()[0]["service_request_id"]
        import xml.etree.ElementTree as ET

        return ET.fromstring(r.content).find("request/service_request_id").text

    return make
