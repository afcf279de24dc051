"""Scoring is pure: checked here against examples computed by hand (see the comments)."""

import pytest

from shaobao.assessments.scoring import digest, score


def conf(code, weight, *, prior=0, min_volume=0, tolerance=0.0):
    return {
        "code": code,
        "weight": weight,
        "prior": prior,
        "min_volume": min_volume,
        "tolerance": tolerance,
        "exclude": {},
    }


def test_hand_computed_example():
    confs = [conf("response", 60), conf("rework", 40, prior=10)]
    counts = {
        1: {"response": (8, 10), "rework": (1, 5)},
        2: {"response": (5, 10), "rework": (0, 5)},
        3: {"response": (9, 10), "rework": (4, 10)},
    }
    out = score(confs, counts)
    # response: pooled mean 22/30, no smoothing: 80, 50, 90.
    # rework (lower is better): pooled mean 5/20 = 0.25, k = 10:
    #   unit 1 (1 + 2.5) / 15 = 0.233333 -> 76.67; unit 2 2.5 / 15 -> 83.33;
    #   unit 3 (4 + 2.5) / 20 = 0.325 -> 67.5
    # totals: (60*80 + 40*76.67) / 100 = 78.67; (60*50 + 40*83.33) / 100 = 63.33; 81.0
    assert out["indicators"]["response"]["mean"] == pytest.approx(0.733333)
    assert out["indicators"]["rework"]["mean"] == 0.25
    u = out["units"]
    assert [u[i]["detail"]["response"]["score"] for i in (1, 2, 3)] == [80.0, 50.0, 90.0]
    assert [u[i]["detail"]["rework"]["smoothed"] for i in (1, 2, 3)] == [0.233333, 0.166667, 0.325]
    assert [u[i]["detail"]["rework"]["score"] for i in (1, 2, 3)] == [76.67, 83.33, 67.5]
    assert [u[i]["total"] for i in (1, 2, 3)] == [78.67, 63.33, 81.0]
    assert [u[i]["rank"] for i in (1, 2, 3)] == [2, 3, 1]
    # reasons: below the indicator's mean score (response 73.33, rework 75.83)
    assert u[1]["reasons"] == []
    assert [(r["code"], r["loss"]) for r in u[2]["reasons"]] == [("response", 30.0)]
    assert [(r["code"], r["loss"]) for r in u[3]["reasons"]] == [("rework", 13.0)]


def test_smoothing_keeps_one_complaint_from_sinking_a_small_unit():
    # Ten ordinary units (200 rated callbacks each, 90 % satisfied), one big unit with many
    # complaints (1,000 rated, 70 % satisfied) and one tiny unit whose only caller complained.
    counts = {i: {"satisfaction": (180, 200)} for i in range(10)}
    counts[100] = {"satisfaction": (700, 1000)}
    counts[200] = {"satisfaction": (0, 1)}
    raw = score([conf("satisfaction", 1)], counts)["units"]
    assert raw[200]["total"] < raw[100]["total"]  # without smoothing: the tiny unit is last
    smoothed = score([conf("satisfaction", 1, prior=20)], counts)["units"]
    # pooled mean = 2500 / 3001 = 0.833056; tiny unit (0 + 20 m) / 21 = 0.793387 > 0.7
    assert smoothed[200]["detail"]["satisfaction"]["smoothed"] == pytest.approx(0.793387)
    assert smoothed[200]["total"] > smoothed[100]["total"]
    assert smoothed[100]["rank"] == 12 and smoothed[200]["rank"] == 11


def test_minimum_volume_moves_the_weight_to_the_other_indicators():
    confs = [conf("response", 50, min_volume=5), conf("satisfaction", 50, min_volume=5)]
    counts = {1: {"response": (9, 10), "satisfaction": (1, 4)}, 2: {"response": (0, 2)}}
    u = score(confs, counts)["units"]
    assert u[1]["detail"]["satisfaction"]["scored"] is False
    assert u[1]["total"] == 90.0  # only response counts, at full weight
    assert u[2]["total"] is None and u[2]["rank"] is None  # nothing scored: not ranked
    assert u[1]["rank"] == 1


def test_ties_share_a_rank_and_tolerance_forgives_small_shortfalls():
    confs = [conf("satisfaction", 1, tolerance=0.05)]
    counts = {1: {"satisfaction": (96, 100)}, 2: {"satisfaction": (95, 100)}, 3: {}}
    counts[4] = {"satisfaction": (90, 100)}
    u = score(confs, counts)["units"]
    assert u[1]["total"] == u[2]["total"] == 100.0  # within 5 points of full: no loss
    assert u[4]["total"] == pytest.approx(100 * 0.9 / 0.95, abs=0.01)
    assert (u[1]["rank"], u[2]["rank"], u[4]["rank"]) == (1, 1, 3)
    assert u[3]["rank"] is None


def test_digest_is_stable_and_sensitive():
    confs = [conf("response", 1, prior=5)]
    counts = {1: {"response": (3, 4)}, 2: {"response": (1, 4)}}
    assert digest(score(confs, counts)) == digest(score(confs, dict(reversed(counts.items()))))
    counts[2] = {"response": (2, 4)}
    assert digest(score(confs, counts)) != digest(score(confs, {1: {"response": (3, 4)}}))
