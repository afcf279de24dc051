"""`shaobao places_import FILE.geojson`: outlines (and missing jurisdictions) from a GeoJSON
FeatureCollection whose features carry a 6/9/12/15-digit `code` and a `name`. The whole file is
checked first; any error is reported by feature index with its reason and nothing changes."""

import json
from pathlib import Path

from django.core.management.base import BaseCommand, CommandError
from django.utils import timezone

from shaobao.core.errors import DomainError
from shaobao.org.scoping import SYSTEM
from shaobao.places.services import DEFAULT_TOLERANCE_M, BoundaryImportError, boundaries_import


class Command(BaseCommand):
    help = "导入区划边界（GeoJSON FeatureCollection）；任何一处错误则不做任何修改"

    def add_arguments(self, parser):
        parser.add_argument("file", help="GeoJSON FeatureCollection (WGS84, [经度, 纬度])")
        parser.add_argument("--source", default="", help="来源说明，记入边界和审计日志")
        parser.add_argument(
            "--tolerance-m",
            type=float,
            default=DEFAULT_TOLERANCE_M,
            help="下级边界超出上级边界的容差（米），默认 %(default)s",
        )
        parser.add_argument("--dry-run", action="store_true", help="只校验，不写入")

    def handle(self, *args, **opts):
        path = Path(opts["file"])
        try:
            collection = json.loads(path.read_text(encoding="utf-8"))
        except OSError as e:
            raise CommandError(f"无法读取 {path}：{e}") from None
        except (UnicodeDecodeError, json.JSONDecodeError) as e:
            raise CommandError(f"{path} 不是有效的 JSON：{e}") from None
        try:
            result = boundaries_import(
                actor=SYSTEM,
                collection=collection,
                source=opts["source"] or path.name,
                tolerance_m=opts["tolerance_m"],
                dry_run=opts["dry_run"],
                now=timezone.now(),
            )
        except BoundaryImportError as e:
            for problem in e.problems:
                self.stderr.write(str(problem))
            raise CommandError(str(e.message)) from None
        except DomainError as e:
            raise CommandError(str(e.message)) from None
        if opts["dry_run"]:
            self.stdout.write(f"校验通过：{len(collection['features'])} 个要素（未写入）")
            return
        self.stdout.write(
            f"已导入：新建区划 {len(result.jurisdictions_created)} 个，"
            f"边界新增或更新 {len(result.boundaries_changed)} 个，"
            f"未变化 {len(result.boundaries_unchanged)} 个"
        )
