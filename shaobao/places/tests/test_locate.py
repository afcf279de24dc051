import pytest

from shaobao.org.models import Jurisdiction
from shaobao.org.scoping import SYSTEM
from shaobao.places.geometry import PREPARED
from shaobao.places.selectors import locate, place_chain
from shaobao.places.services import boundaries_import, boundary_set
from shaobao.places.tests.helpers import square, world_collection


@pytest.fixture
def outlines(world, t0):
    PREPARED.clear()
    boundaries_import(actor=SYSTEM, collection=world_collection(), now=t0)
    return world


@pytest.mark.parametrize(
    "lat, lng, code",
    [
        (40.20, 117.27, "110117104201001"),  # inside grid 1
        (40.20, 117.32, "110117104201002"),  # inside grid 2
        (40.165, 117.265, "110117104201"),  # in grid 1's hole (a pond): only the village
        (40.12, 117.22, "110117104"),  # in the town, outside the village
        (40.15, 117.10, "110117001"),  # 兴谷街道
        (40.25, 117.28, "110117104201001"),  # on grid 1's northern edge: edges count
        (40.17, 117.265, "110117104201001"),  # on the edge of the hole: still grid 1
        (40.20, 117.30, "110117104201001"),  # on the edge grids 1 and 2 share: lower code
        (40.05, 117.45, None),  # in the district but no township: not placed
        (39.0, 116.0, None),  # far away
    ],
)
def test_locate(outlines, lat, lng, code):
    j = locate(lat, lng)
    assert (j.code if j else None) == code


def test_locate_rejects_garbage(outlines):
    assert locate("x", 117.2) is None
    assert locate(float("nan"), 117.2) is None
    assert locate(None, None) is None


def test_locate_within_district_only(outlines):
    assert locate(40.20, 117.27, district_code="110117").code == "110117104201001"
    assert locate(40.20, 117.27, district_code="110105") is None


def test_locate_ignores_disabled_places(outlines):
    Jurisdiction.objects.filter(code="110117104201001").update(active=False)
    assert locate(40.20, 117.27).code == "110117104201"


def test_locate_sees_a_replaced_outline(outlines, t0, django_assert_max_num_queries):
    assert locate(40.12, 117.38).code == "110117104"
    with django_assert_max_num_queries(1):  # cached outlines: the bbox query only
        locate(40.12, 117.38)
    boundary_set(
        actor=SYSTEM, jurisdiction=outlines.town, geometry=square(117.2, 40.1, 117.35, 40.3), now=t0
    )
    assert locate(40.12, 117.38) is None


def test_place_chain(outlines):
    grid, community, township, district = place_chain(locate(40.20, 117.27))
    assert (grid.code, community.code, township.code, district.code) == (
        "110117104201001",
        "110117104201",
        "110117104",
        "110117",
    )
    assert place_chain(outlines.town) == (None, None, outlines.town, outlines.district)
    assert place_chain(None) == (None, None, None, None)
