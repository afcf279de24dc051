"""The router inside the system: retraining from the district's own history, and suggestions
that combine the duty list's rules with the learned classifier.

A suggestion names the matter, its owners under the duty list in force, a calibrated confidence
and the reasons: the duty keywords found in the text and the words that weighed most for the
classifier. It is dispatched automatically only above the model's threshold."""

from __future__ import annotations

import datetime as dt
import logging
from dataclasses import dataclass, field
from functools import lru_cache
from pathlib import Path

from django.conf import settings
from django.db import transaction
from django.utils.translation import gettext as _

from shaobao.audit.services import record
from shaobao.core.errors import InvalidInput
from shaobao.duties.models import Duty, Matter, RouterVersion
from shaobao.duties.router import engine
from shaobao.duties.selectors import duty_list_in_force
from shaobao.org.scoping import Actor

log = logging.getLogger(__name__)


@dataclass
class Suggestion:
    matter: Matter
    confidence: float
    lead: str = ""
    assists: list[str] = field(default_factory=list)
    reasons: list[str] = field(default_factory=list)


@dataclass
class Routing:
    suggestions: list[Suggestion]
    version: str = ""
    threshold: float = 1.0
    auto: bool = False


def training_rows() -> tuple[list[str], list[str], list[str]]:
    """Decided cases: problems whose matter a person set (triaged, whistled, solved), and
    dispatched demands with their final matter."""
    from shaobao.problems.models import Problem

    qs = Problem.objects.filter(matter__isnull=False).exclude(status=Problem.MERGED)
    texts, subjects, labels = [], [], []
    for title, text, code in qs.values_list("title", "description", "matter__code").iterator(
        chunk_size=5000
    ):
        texts.append(text)
        subjects.append(title)
        labels.append(code)
    from shaobao.demands.models import Demand

    # Demands as finally dispatched: after objections were ruled, the matter they carry is the
    # decided one, so rulings and dispatchers' corrections become training data.
    demands = Demand.objects.filter(matter__isnull=False, dispatches__isnull=False).distinct()
    rows = demands.values_list("subject", "text", "matter__code").iterator(chunk_size=5000)
    for subject, text, code in rows:
        texts.append(text)
        subjects.append(subject)
        labels.append(code)
    return texts, subjects, labels


def retrain(*, now: dt.datetime, actor: Actor, activate: bool = True) -> RouterVersion:
    texts, subjects, labels = training_rows()
    if len(texts) < settings.SHAOBAO["ROUTER_MIN_ROWS"] or len(set(labels)) < 2:
        raise InvalidInput(
            _("历史案例不足，无法训练分派模型（至少%(n)s条、两类事项）")
            % {"n": settings.SHAOBAO["ROUTER_MIN_ROWS"]},
            code="too_little_history",
        )
    # A class needs a few examples for cross-validated calibration; rarer matters are left to
    # the duty-list rules until they have history.
    counts: dict[str, int] = {}
    for label in labels:
        counts[label] = counts.get(label, 0) + 1
    keep = [i for i, label in enumerate(labels) if counts[label] >= 5]
    model = engine.train(
        [texts[i] for i in keep], [labels[i] for i in keep], [subjects[i] for i in keep]
    )
    directory = Path(settings.VAR_DIR) / "router"
    directory.mkdir(parents=True, exist_ok=True)
    path = directory / f"{model.version}.joblib"
    engine.save(model, path)
    with transaction.atomic():
        if activate:
            RouterVersion.objects.filter(active=True).update(active=False)
        same = RouterVersion.objects.filter(version=model.version).first()
        if same is not None:  # the same cases gave the same model: nothing new to keep
            same.active = same.active or activate
            same.save(update_fields=["active"])
            _load.cache_clear()
            return same
        rv = RouterVersion.objects.create(
            version=model.version,
            path=str(path),
            threshold=float(model.threshold),
            labels=list(model.labels),
            metrics=_jsonable(model.metrics),
            rows=len(keep),
            trained_at=now,
            active=activate,
        )
        record(
            actor=actor,
            action="router.retrain",
            obj=rv,
            data={"version": rv.version, "rows": rv.rows, "threshold": rv.threshold},
            now=now,
        )
    _load.cache_clear()
    return rv


def _jsonable(metrics: dict) -> dict:
    out = {}
    for k, v in (metrics or {}).items():
        if isinstance(v, dict):
            out[k] = _jsonable(v)
        elif isinstance(v, int | float | str | bool) or v is None:
            out[k] = v
        else:
            try:
                out[k] = float(v)
            except (TypeError, ValueError):
                out[k] = str(v)
    return out


@lru_cache(maxsize=2)
def _load(path: str, version: str):
    """The model file, or None when this code cannot read it (a model trained before an upgrade
    that changed the format): remembered, so a bad file is not re-read per request (a missing
    file raises and is looked for again next time).
    Keyed by version too: a retrained model under a new version is loaded afresh by every
    process, whatever it had cached."""
    try:
        return engine.load(path)
    except engine.ModelFormatError as exc:
        log.error(
            "router model %s cannot be used (%s): routing falls back to the duty list's "
            "keywords, nothing is dispatched automatically; run `shaobao router_retrain`",
            version,
            exc,
        )
        return None


def active_model():
    """(the active RouterVersion, its loaded model), or (None, None) when there is none or its
    file is missing or unreadable: callers then route by the duty list's keywords alone."""
    rv = _active_version()
    if rv is None or not Path(rv.path).exists():
        return None, None
    try:
        model = _load(rv.path, rv.version)
    except FileNotFoundError:  # removed meanwhile: not remembered, the next call looks again
        return None, None
    if model is None:
        return None, None
    return rv, model


def _active_version() -> RouterVersion | None:
    return RouterVersion.objects.filter(active=True).order_by("-trained_at").first()


def unusable_active_model() -> str | None:
    """Why the active router model cannot be used, or None (the `shaobao.W003` check)."""
    rv = _active_version()
    if rv is None:
        return None
    try:
        engine.load(rv.path)
    except engine.ModelFormatError as exc:
        return str(exc)
    except FileNotFoundError:
        return f"the active router model {rv.version} is missing its file {rv.path}"
    return None


def _rule_hits(text: str, duties: list[Duty]) -> dict[int, list[str]]:
    hits: dict[int, list[str]] = {}
    for d in duties:
        words = [w for w in d.keywords.replace("，", " ").replace(",", " ").split() if len(w) >= 2]
        found = [w for w in words if w in text]
        if found:
            hits.setdefault(d.matter_id, []).extend(found)
    return hits


def duties_in_force(district_code: str | None, now: dt.datetime):
    """The duty list in force and its duties (matter, lead, assists loaded): what routing reads."""
    duty_list = duty_list_in_force(at=now, district_code=district_code)
    if duty_list is None:
        return None, []
    duties = duty_list.duties.select_related("matter", "lead_department").prefetch_related(
        "assist_departments"
    )
    return duty_list, list(duties)


def suggest(
    *, text: str, subject: str = "", district_code: str | None, now: dt.datetime, k: int = 3
) -> Routing:
    text = (text or "")[:4000]
    subject = (subject or "")[:200]
    duty_list, duties = duties_in_force(district_code, now)
    by_matter = {d.matter_id: d for d in duties}
    hits = _rule_hits(subject + text, duties)
    rv, model = active_model()
    scored: dict[str, float] = {}
    reasons: dict[str, list[str]] = {}
    threshold = 1.0
    if model is not None:
        pred = model.predict([text], [subject])[0]
        threshold = settings.SHAOBAO.get("ROUTER_AUTO_THRESHOLD") or rv.threshold
        for label, p in pred.top[:k]:
            scored[label] = float(p)
        try:
            words = [w for w, _weight in model.explain(text, subject, k=5)]
        except Exception:  # explanation is a courtesy; a suggestion never fails because of it
            words = []
        if words:
            reasons.setdefault(pred.label, []).append(_("模型依据：") + "、".join(words))
    matters = {m.code: m for m in Matter.objects.filter(code__in=scored.keys())}
    for matter_id, found in hits.items():
        code = by_matter[matter_id].matter.code
        matters.setdefault(code, by_matter[matter_id].matter)
        scored.setdefault(code, 0.0)
        reasons.setdefault(code, []).append(_("权责清单关键词：") + "、".join(sorted(set(found))))
    out = []
    for code, conf in sorted(scored.items(), key=lambda x: -x[1]):
        m = matters.get(code)
        if m is None:
            continue
        d = by_matter.get(m.pk)
        out.append(
            Suggestion(
                matter=m,
                confidence=round(conf, 4),
                lead=d.lead_department.name if d else "",
                assists=[a.name for a in d.assist_departments.all()] if d else [],
                reasons=reasons.get(code, []),
            )
        )
    out = out[: max(k, len(hits))]
    # on the unrounded confidence, as the threshold was chosen (and as `Prediction.auto`)
    auto = bool(out) and model is not None and scored[out[0].matter.code] >= threshold
    return Routing(
        suggestions=out, version=rv.version if rv else "", threshold=threshold, auto=auto
    )
