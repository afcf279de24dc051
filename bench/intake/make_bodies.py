"""Writes the Open311 POST bodies the wrk script sends, as a Lua file (one table of strings).

Run inside the project (DJANGO_SETTINGS_MODULE set, database prepared): the service codes are the
demo's active matters that have a text template; the descriptions are built from the demo's own
Chinese templates (shaobao.demo.seed.TEXTS) with varied places, numbers, openings and callers, so
duplicate detection compares real, mostly different texts. About 1 body in 8 repeats an earlier
body exactly (same caller, same text, nearby point), on purpose, so repeats are linked.

usage: python make_bodies.py OUT.lua [N]"""

from __future__ import annotations

import random
import sys
from urllib.parse import urlencode

import django

django.setup()

from shaobao.demo.seed import GIVEN, ROADS, SPOTS, SURNAMES, TEXTS  # noqa: E402
from shaobao.duties.models import Matter  # noqa: E402
from shaobao.org.models import Jurisdiction  # noqa: E402

OPENINGS = [
    "您好，我要反映一个问题：",
    "我是附近居民，",
    "你好，",
    "多次反映没人管，",
    "",
    "麻烦问一下，",
]
CLOSINGS = [
    "希望尽快处理。",
    "请相关部门管一管。",
    "谢谢！",
    "已经好几天了。",
    "",
    "晚上尤其严重。",
]


def lua_str(s: str) -> str:
    return '"' + s.replace("\\", "\\\\").replace('"', '\\"') + '"'


def main(out: str, n: int = 4000) -> None:
    rng = random.Random(20261129)
    codes = sorted(
        c for c in Matter.objects.filter(active=True).values_list("code", flat=True) if c in TEXTS
    )
    towns = list(
        Jurisdiction.objects.filter(
            level=Jurisdiction.TOWNSHIP, code__startswith="110117"
        ).values_list("name", flat=True)
    ) or ["平谷镇"]
    if not codes:
        sys.exit("no active matter with a demo text: is the database seeded?")
    bodies, plain = [], []
    for i in range(n):
        if plain and rng.random() < 0.125:
            bodies.append(rng.choice(plain))  # an exact repeat: same caller, same text
            continue
        code = rng.choice(codes)
        titles, texts = TEXTS[code]
        place = rng.choice(towns) + rng.choice(ROADS) + rng.choice(SPOTS)
        fill = {"p": place, "a": place, "n": rng.randint(2, 60)}
        desc = rng.choice(OPENINGS) + rng.choice(texts).format(**fill) + rng.choice(CLOSINGS)
        fields = {
            "api_key": "demo-open311-key",
            "service_code": code,
            "lat": f"{rng.uniform(40.10, 40.25):.6f}",
            "long": f"{rng.uniform(117.00, 117.35):.6f}",
            "description": desc,
            "first_name": rng.choice(GIVEN) + rng.choice(GIVEN),
            "last_name": rng.choice(SURNAMES),
            "phone": f"13{rng.randint(0, 9)}{rng.randint(10_000_000, 99_999_999)}",
            "device_id": f"bench-{i % 97}",
        }
        if rng.random() < 0.3:
            fields["address_string"] = place
        body = urlencode(fields)
        bodies.append(body)
        plain.append(body)
    with open(out, "w", encoding="utf-8") as f:
        f.write("return {\n")
        for b in bodies:
            f.write(lua_str(b) + ",\n")
        f.write("}\n")
    print(f"{len(bodies)} bodies, {len(set(bodies))} distinct, {len(codes)} service codes")


if __name__ == "__main__":
    main(sys.argv[1], int(sys.argv[2]) if len(sys.argv) > 2 else 4000)
