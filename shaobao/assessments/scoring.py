"""Scoring: pure functions from counted facts to scores, totals, ranks and reasons.

For every indicator of the scheme and every unit there is a numerator and a denominator (see
indicators.py). Then, per indicator:

- **pooled mean** m = Σ numerators ÷ Σ denominators over all units of the run;
- **minimum volume**: a unit with fewer items than `min_volume` is not scored on it (样本不足); its
  weight goes to the unit's other indicators;
- **smoothing** (Bayesian shrinkage toward the mean, strength k = `prior`):
  s = (numerator + k·m) ÷ (denominator + k), so a handful of items cannot move a unit far from the
  mean while a unit with many items is judged on its own record;
- **score** = 100 × min(1, g ÷ (1 − tolerance)), where g = s for "higher is better" and 1 − s for
  "lower is better" indicators: shortfalls within the tolerance cost nothing;
- **total** = Σ weight × score ÷ Σ weight over the indicators the unit was scored on;
- **rank**: by total, highest first; equal totals share a rank (1, 2, 2, 4); units with no scored
  indicator are not ranked;
- **reasons**: the indicators where the unit scored below the indicator's mean score, largest
  weighted loss first (at most three).

Everything is rounded at fixed places so that the same inputs always give the same digest.
"""

from __future__ import annotations

import hashlib
import json

from shaobao.assessments.indicators import CATALOGUE

RATE_PLACES = 6
SCORE_PLACES = 2
MAX_REASONS = 3


def _r(x, places):
    return None if x is None else round(x, places)


def score(confs: list[dict], counts: dict, *, catalogue=CATALOGUE) -> dict:
    """`counts` maps unit → {code: (numerator, denominator)}. Returns
    {"indicators": {code: {"mean", "mean_score", "items"}}, "units": {unit: {...}}}."""
    indicators = {}
    for conf in confs:
        code = conf["code"]
        n = sum(float(v.get(code, (0, 0))[0] or 0) for v in counts.values())
        d = sum(int(v.get(code, (0, 0))[1] or 0) for v in counts.values())
        indicators[code] = {"mean": _r(n / d, RATE_PLACES) if d else None, "items": d}

    units = {}
    for unit in sorted(counts):
        values = counts[unit]
        detail, weight_sum, weighted = {}, 0.0, 0.0
        for conf in confs:
            code = conf["code"]
            ind = catalogue[code]
            num, den = values.get(code, (0, 0))
            num, den = float(num or 0), int(den or 0)
            m = indicators[code]["mean"]
            k = float(conf.get("prior", 0))
            raw = _r(num / den, RATE_PLACES) if den else None
            smoothed = None
            if m is not None and den + k > 0:
                smoothed = _r((num + k * m) / (den + k), RATE_PLACES)
            scored = den > 0 and den >= int(conf.get("min_volume", 0)) and smoothed is not None
            points = None
            if scored:
                good = smoothed if ind.higher_is_better else 1 - smoothed
                points = _r(100 * min(1.0, good / (1 - float(conf.get("tolerance", 0)))), 2)
                weight_sum += float(conf["weight"])
                weighted += float(conf["weight"]) * points
            detail[code] = {
                "num": _r(num, 4),
                "den": den,
                "raw": raw,
                "smoothed": smoothed,
                "score": points,
                "scored": scored,
            }
        total = _r(weighted / weight_sum, SCORE_PLACES) if weight_sum else None
        units[unit] = {"total": total, "detail": detail, "weight": weight_sum}

    for conf in confs:
        code = conf["code"]
        pts = [u["detail"][code]["score"] for u in units.values() if u["detail"][code]["scored"]]
        indicators[code]["mean_score"] = _r(sum(pts) / len(pts), SCORE_PLACES) if pts else None

    ranked = sorted(
        (u for u in units if units[u]["total"] is not None), key=lambda u: -units[u]["total"]
    )
    previous, rank = None, 0
    for i, unit in enumerate(ranked, start=1):
        if units[unit]["total"] != previous:
            rank, previous = i, units[unit]["total"]
        units[unit]["rank"] = rank
    for u in units.values():
        u.setdefault("rank", None)
        u["reasons"] = _reasons(confs, u, indicators)
    return {"indicators": indicators, "units": units}


def _reasons(confs, u, indicators) -> list[dict]:
    if not u["weight"]:
        return []
    out = []
    for conf in confs:
        code = conf["code"]
        d = u["detail"][code]
        mean_score = indicators[code]["mean_score"]
        if not d["scored"] or mean_score is None or d["score"] >= mean_score:
            continue
        loss = float(conf["weight"]) / u["weight"] * (100 - d["score"])
        out.append(
            {
                "code": code,
                "raw": d["raw"],
                "mean": indicators[code]["mean"],
                "num": d["num"],
                "den": d["den"],
                "loss": _r(loss, SCORE_PLACES),
            }
        )
    out.sort(key=lambda r: (-r["loss"], r["code"]))
    return out[:MAX_REASONS]


def digest(result: dict) -> str:
    """A stable fingerprint of a scoring result (what 're-running gives the same' compares)."""
    blob = json.dumps(result, sort_keys=True, ensure_ascii=False, separators=(",", ":"))
    return hashlib.sha256(blob.encode()).hexdigest()
