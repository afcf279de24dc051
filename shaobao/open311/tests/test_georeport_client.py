"""A real third-party client: the `georeport` package from PyPI reads services and requests from
a running server, in both formats."""

import pytest
from georeport import GeoReport

from shaobao.open311.services import DEMO_KEY, ensure_demo_client


@pytest.mark.django_db(transaction=True)
def test_georeport_client_reads_both_formats(live_server, client, t0):
    from shaobao.core.timeutil import now
    from shaobao.org.cast import build_world

    build_world(now=t0)
    ensure_demo_client(now=now())
    r = client.post(
        "/open311/v2/requests.json",
        {
            "api_key": DEMO_KEY,
            "service_code": "SW-HD-01",
            "lat": "40.2",
            "long": "117.2",
            "description": "泃河岸边有人倾倒建筑垃圾",
        },
    )
    number = r.json()[0]["service_request_id"]
    base = live_server.url + "/open311/v2"
    for fmt in ("json", "xml"):
        g = GeoReport(base, jurisdiction="110117", output_format=fmt)
        services = g.get_service_list()
        codes = sorted(s["service_code"] for s in services)
        assert codes == ["CX-HJ-01", "CX-WJ-01", "SC-SP-01", "SW-HD-01", "ZY-KC-01"]
        assert {s["service_name"] for s in services} >= {"河道乱堆乱放", "私搭乱建"}
        definition = g.get_service_definition("SW-HD-01")
        assert definition["service_code"] == "SW-HD-01"
        one = g.get_service_request(number)
        assert one["service_request_id"] == number and one["status"] == "open"
        assert one["description"] == "泃河岸边有人倾倒建筑垃圾"
        many = g.get_service_requests(service_code="SW-HD-01", status="open")
        many = many if isinstance(many, list) else [many]  # xmltodict: one element is a dict
        assert [x["service_request_id"] for x in many] == [number]
