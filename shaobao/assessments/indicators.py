"""The catalogue of assessment indicators and the validation of a scheme's settings.

Each indicator is a rate counted over the facts a run froze (models.DemandFact / SummonsFact):
a denominator (the items it is about) and a numerator (the items that went well, or badly for a
"lower is better" indicator; for the evaluation score, the sum of the 0–1 scores). The formulas are
code, reviewed and tested; what the assessment office configures per scheme version is only
whether an indicator is used, its weight, minimum volume, smoothing strength, tolerance and
exclusions (docs/user-guide/assessment.md lists the defaults).

The denominator's `Q` is also what the drill-down lists, so a score's items always add up to it.
"""

from __future__ import annotations

from dataclasses import dataclass

from django.conf import settings
from django.db.models import Case, Count, FloatField, Q, Sum, Value, When
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from shaobao.core.errors import InvalidInput

DEMAND, SUMMONS = "demand", "summons"
DEPARTMENT, TOWNSHIP = "DEPARTMENT", "TOWNSHIP"


@dataclass(frozen=True)
class Indicator:
    code: str
    label: str
    subjects: tuple[str, ...]
    facts: str  # DEMAND or SUMMONS
    higher_is_better: bool
    formula: str
    den: Q
    hit: Q | None = None  # numerator = count of these among the denominator's items ...
    value_field: str | None = None  # ... or the sum of this field over them
    satisfaction: bool = False  # numerator = satisfied + basic × basic_weight


_COUNTED = Q(counted=True)
_REACHED = _COUNTED & Q(reached=True)

CATALOGUE: dict[str, Indicator] = {
    i.code: i
    for i in [
        Indicator(
            "evaluation",
            gettext_lazy("街乡评价得分"),
            (DEPARTMENT,),
            SUMMONS,
            True,
            gettext_lazy(
                "已评价召集的评价得分（及时性、配合度、实效性三项1–5分折算为0–100分）的平均值"
            ),
            den=Q(evaluation_score__isnull=False),
            value_field="evaluation_score",
        ),
        Indicator(
            "checkin_on_time",
            gettext_lazy("按时报到率"),
            (DEPARTMENT,),
            SUMMONS,
            True,
            gettext_lazy("报到时限内报到的召集数 ÷ 报到时限已到或已报到的召集数"),
            den=Q(report_due=True),
            hit=Q(checked_in_on_time=True),
        ),
        Indicator(
            "finish_on_time",
            gettext_lazy("按时办结率"),
            (DEPARTMENT,),
            SUMMONS,
            True,
            gettext_lazy("办结时限内申请办结的召集数 ÷ 办结时限已到或已申请办结的召集数"),
            den=Q(finish_due=True),
            hit=Q(finished_on_time=True),
        ),
        Indicator(
            "rework",
            gettext_lazy("返工率"),
            (DEPARTMENT,),
            SUMMONS,
            False,
            gettext_lazy("被退回返工过的召集数 ÷ 申请过办结的召集数（越低越好）"),
            den=Q(claimed=True),
            hit=Q(reworked=True),
        ),
        Indicator(
            "objection_lost",
            gettext_lazy("异议驳回率"),
            (DEPARTMENT,),
            SUMMONS,
            False,
            gettext_lazy("提出异议被法制办驳回的召集数 ÷ 召集数（越低越好）"),
            den=~Q(state="CANCELLED"),
            hit=Q(objection_lost=True),
        ),
        Indicator(
            "refusal",
            gettext_lazy("未报到率"),
            (DEPARTMENT,),
            SUMMONS,
            False,
            gettext_lazy("报到时限已过仍未报到的召集数 ÷ 报到时限已到或已报到的召集数（越低越好）"),
            den=Q(report_due=True),
            hit=Q(refused=True),
        ),
        Indicator(
            "response",
            gettext_lazy("响应率"),
            (DEPARTMENT, TOWNSHIP),
            DEMAND,
            True,
            gettext_lazy(
                "时限内联系诉求人的诉求数 ÷ 时限已到或已联系的派单诉求数"
                "（不含重复诉求和热线认定不纳入考核的）"
            ),
            den=_COUNTED & Q(response_due=True),
            hit=Q(on_time=True),
        ),
        Indicator(
            "resolution",
            gettext_lazy("解决率"),
            (DEPARTMENT, TOWNSHIP),
            DEMAND,
            True,
            gettext_lazy("回访表示已解决的诉求数 ÷ 回访联系上诉求人的派单诉求数"),
            den=_REACHED,
            hit=Q(solved=True),
        ),
        Indicator(
            "satisfaction",
            gettext_lazy("满意率"),
            (DEPARTMENT, TOWNSHIP),
            DEMAND,
            True,
            gettext_lazy("（满意数 + 基本满意数 × 折算系数）÷ 回访作出评价的派单诉求数"),
            den=_REACHED & ~Q(satisfaction=""),
            satisfaction=True,
        ),
        Indicator(
            "closed_on_time",
            gettext_lazy("按期办结率"),
            (TOWNSHIP,),
            DEMAND,
            True,
            gettext_lazy("办理时限内反馈办理结果的诉求数 ÷ 时限已到或已反馈的派单诉求数"),
            den=_COUNTED & Q(closing_due=True),
            hit=Q(closed_on_time=True),
        ),
        Indicator(
            "whistle_outcome",
            gettext_lazy("吹哨办结率"),
            (TOWNSHIP,),
            SUMMONS,
            True,
            gettext_lazy("本街乡吹哨召集中经核查办结的召集数 ÷ 办结时限已到或已申请办结的召集数"),
            den=Q(finish_due=True),
            hit=Q(verified=True),
        ),
        Indicator(
            "evaluation_done",
            gettext_lazy("评价完成率"),
            (TOWNSHIP,),
            SUMMONS,
            True,
            gettext_lazy("本街乡已评价的召集数 ÷ 经核查办结的召集数（双考核：街乡须评价部门）"),
            den=Q(verified=True),
            hit=Q(evaluation_score__isnull=False),
        ),
    ]
}

# Exclusions a scheme may set per indicator: which fact column each one filters on.
EXCLUSIONS = {
    DEMAND: {"kinds": "kind", "sources": "source"},
    SUMMONS: {"whistle_kinds": "whistle_kind", "whistle_modes": "whistle_mode"},
}

DEFAULT_WEIGHTS = {
    DEPARTMENT: {
        "evaluation": 30,
        "checkin_on_time": 15,
        "finish_on_time": 15,
        "rework": 10,
        "objection_lost": 5,
        "refusal": 5,
        "response": 5,
        "resolution": 5,
        "satisfaction": 10,
    },
    TOWNSHIP: {
        "response": 20,
        "resolution": 25,
        "satisfaction": 25,
        "closed_on_time": 10,
        "whistle_outcome": 10,
        "evaluation_done": 10,
    },
}
DEFAULT_MIN_VOLUME = {DEMAND: 10, SUMMONS: 3}
DEFAULT_PRIOR = {DEMAND: 20, SUMMONS: 10}


def default_indicators(subject: str) -> list[dict]:
    basic = settings.SHAOBAO["RATES"]["basic_weight"]
    out = []
    for code, weight in DEFAULT_WEIGHTS[subject].items():
        ind = CATALOGUE[code]
        item = {
            "code": code,
            "weight": weight,
            "min_volume": DEFAULT_MIN_VOLUME[ind.facts],
            "prior": DEFAULT_PRIOR[ind.facts],
            "tolerance": 0.0,
            "exclude": {},
        }
        if ind.satisfaction:
            item["basic_weight"] = basic
        out.append(item)
    return out


def _number(raw, field, *, lo, hi, integer=False):
    try:
        v = float(raw)
    except (TypeError, ValueError):
        raise InvalidInput(_("须为数字"), fields={field: "invalid"}) from None
    if v != v or not lo <= v <= hi:
        raise InvalidInput(
            _("%(field)s 须在 %(lo)s 至 %(hi)s 之间") % {"field": field, "lo": lo, "hi": hi},
            fields={field: "out_of_range"},
        )
    if integer:
        if v != int(v):
            raise InvalidInput(_("须为整数"), fields={field: "invalid"})
        return int(v)
    return round(v, 4)


def exclusion_choices(key: str):
    """The (value, label) choices of one exclusion (a key of EXCLUSIONS)."""
    from shaobao.demands.models import KINDS, SOURCES
    from shaobao.whistles.models import KINDS as WKINDS
    from shaobao.whistles.models import MODES

    return {"kinds": KINDS, "sources": SOURCES, "whistle_kinds": WKINDS, "whistle_modes": MODES}[
        key
    ]


def clean_indicators(subject: str, items) -> list[dict]:
    """Validate a scheme's indicator settings; returns the normalised list or raises
    InvalidInput naming the indicator and field."""
    if not isinstance(items, list) or not items:
        raise InvalidInput(_("方案至少须有一项指标"), fields={"indicators": "empty"})
    out, seen = [], set()
    for item in items:
        if not isinstance(item, dict):
            raise InvalidInput(_("指标格式不正确"), fields={"indicators": "invalid"})
        code = item.get("code")
        ind = CATALOGUE.get(code) if isinstance(code, str) else None
        if ind is None or subject not in ind.subjects:
            raise InvalidInput(
                _("此类方案不能使用指标 %(code)s") % {"code": str(code)[:40]},
                fields={"indicators": "unknown_code"},
            )
        if code in seen:
            raise InvalidInput(_("指标重复：%(code)s") % {"code": code}, fields={code: "duplicate"})
        seen.add(code)
        clean = {
            "code": code,
            "weight": _number(item.get("weight"), f"{code}.weight", lo=0, hi=1000),
            "min_volume": _number(
                item.get("min_volume", 0), f"{code}.min_volume", lo=0, hi=100000, integer=True
            ),
            "prior": _number(item.get("prior", 0), f"{code}.prior", lo=0, hi=100000),
            "tolerance": _number(item.get("tolerance", 0), f"{code}.tolerance", lo=0, hi=0.5),
            "exclude": {},
        }
        if ind.satisfaction:
            clean["basic_weight"] = _number(
                item.get("basic_weight", settings.SHAOBAO["RATES"]["basic_weight"]),
                f"{code}.basic_weight",
                lo=0,
                hi=1,
            )
        exclude = item.get("exclude") or {}
        if not isinstance(exclude, dict):
            raise InvalidInput(_("排除项格式不正确"), fields={f"{code}.exclude": "invalid"})
        for key, values in exclude.items():
            if key not in EXCLUSIONS[ind.facts]:
                raise InvalidInput(
                    _("此指标不能按 %(key)s 排除") % {"key": str(key)[:40]},
                    fields={f"{code}.exclude": "unknown"},
                )
            allowed = {value for value, _label in exclusion_choices(key)}
            if not isinstance(values, list) or not set(values) <= allowed:
                raise InvalidInput(
                    _("排除项的取值不正确"), fields={f"{code}.exclude.{key}": "invalid"}
                )
            if values:
                clean["exclude"][key] = sorted(set(values))
        out.append(clean)
    if sum(i["weight"] for i in out) <= 0:
        raise InvalidInput(_("指标权重之和须大于0"), fields={"indicators": "no_weight"})
    return out


def denominator_q(conf: dict) -> Q:
    """The items an indicator of a scheme counts, exclusions applied (also the drill-down)."""
    ind = CATALOGUE[conf["code"]]
    q = ind.den
    for key, values in (conf.get("exclude") or {}).items():
        q &= ~Q(**{f"{EXCLUSIONS[ind.facts][key]}__in": values})
    return q


def numerator_q(conf: dict) -> Q | None:
    ind = CATALOGUE[conf["code"]]
    return denominator_q(conf) & ind.hit if ind.hit is not None else None


def aggregates(conf: dict) -> dict:
    """ORM aggregate expressions `{code}__num` and `{code}__den` for one indicator."""
    ind = CATALOGUE[conf["code"]]
    den_q = denominator_q(conf)
    code = conf["code"]
    if ind.satisfaction:
        num = Sum(
            Case(
                When(den_q & Q(satisfaction="SATISFIED"), then=Value(1.0)),
                When(den_q & Q(satisfaction="BASIC"), then=Value(float(conf["basic_weight"]))),
                default=Value(0.0),
                output_field=FloatField(),
            )
        )
    elif ind.value_field:
        num = Sum(ind.value_field, filter=den_q, output_field=FloatField())
    else:
        num = Count("pk", filter=numerator_q(conf))
    return {f"{code}__num": num, f"{code}__den": Count("pk", filter=den_q)}
