"""Reads over one duty-list version: gaps, overlaps, idle departments, and the diff of two
versions. Pure over querysets; nothing here writes."""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass, field

from shaobao.duties.models import Duty, DutyList, Matter
from shaobao.org.models import Department


@dataclass
class Analysis:
    gaps: list[Matter]  # active matters with no lead department
    overlaps: list[tuple[Matter, list[Duty]]]  # matters with two or more leads
    idle_departments: list[Department]  # neither lead nor assist on anything


def analyse(duty_list: DutyList) -> Analysis:
    duties = list(
        duty_list.duties.select_related("matter", "lead_department").prefetch_related(
            "assist_departments"
        )
    )
    by_matter: dict[int, list[Duty]] = defaultdict(list)
    used: set[int] = set()
    for d in duties:
        by_matter[d.matter_id].append(d)
        used.add(d.lead_department_id)
        used.update(a.pk for a in d.assist_departments.all())
    gaps = list(
        Matter.objects.filter(active=True).exclude(pk__in=by_matter.keys()).order_by("code")
    )
    overlaps = [
        (ds[0].matter, ds)
        for ds in by_matter.values()
        if len({x.lead_department_id for x in ds}) > 1
    ]
    overlaps.sort(key=lambda x: x[0].code)
    idle = list(
        Department.objects.filter(district=duty_list.district, active=True)
        .exclude(pk__in=used)
        .order_by("code")
    )
    return Analysis(gaps=gaps, overlaps=overlaps, idle_departments=idle)


def _signature(d: Duty) -> tuple:
    return (
        d.lead_department.code,
        tuple(sorted(a.code for a in d.assist_departments.all())),
        d.law,
        d.article,
        d.basis_text,
        d.effective_tier,
        d.closing_condition,
        d.keywords,
        d.community_role,
    )


@dataclass
class Diff:
    added: list[Duty] = field(default_factory=list)
    removed: list[Duty] = field(default_factory=list)
    changed: list[tuple[Duty, Duty, list[str]]] = field(default_factory=list)


FIELDS = [
    "lead",
    "assists",
    "law",
    "article",
    "basis_text",
    "tier",
    "closing_condition",
    "keywords",
    "community_role",
]


def diff(old: DutyList, new: DutyList) -> Diff:
    """Duties compared matter by matter (and lead by lead, where a matter has several)."""

    def index(dl):
        rows = dl.duties.select_related("matter", "lead_department").prefetch_related(
            "assist_departments"
        )
        out = {}
        for d in rows:
            out[(d.matter.code, d.lead_department.code)] = d
        return out

    a, b = index(old), index(new)
    result = Diff()
    for key in sorted(b.keys() - a.keys()):
        result.added.append(b[key])
    for key in sorted(a.keys() - b.keys()):
        result.removed.append(a[key])
    for key in sorted(a.keys() & b.keys()):
        sa, sb = _signature(a[key]), _signature(b[key])
        if sa != sb:
            result.changed.append(
                (a[key], b[key], [f for f, x, y in zip(FIELDS, sa, sb, strict=True) if x != y])
            )
    # A matter whose lead changed shows as one removed and one added row, which is what a legal
    # officer reads it as: one department lost the duty, another gained it.
    return result
