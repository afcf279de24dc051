"""The pure detection rule, against examples computed by hand (defaults: a 7-day window, 4
baseline weeks, at least 5 demands and 2× the smoothed baseline)."""

import datetime as dt

import pytest

from shaobao.hotspots.detect import Params, detect, span

TODAY = dt.date(2026, 11, 25)  # window 11-18 … 11-24, baseline 10-21 … 11-17
P = Params()
G1, G2 = "110117104201001", "110117104201002"  # community C1 = 110117104201
G3, G4 = "110117104202001", "110117104202002"  # community C2 = 110117104202
C1 = "110117104201"


def day(m, d):
    return dt.date(2026, m, d)


def by_key(found):
    return {(c.place, c.matter): c for c in found}


def test_span_is_the_full_days_before_today():
    s = span(TODAY, P)
    assert (s.baseline_start, s.window_start, s.window_end) == (
        day(10, 21),
        day(11, 18),
        day(11, 24),
    )
    assert s.days == 35


def test_hand_computed_grids_and_communities():
    counts = [
        # G1/m: 6 in the window, 4 in the baseline → baseline 4×7/28 = 1, ratio 6/(1+1) = 3 → hot
        (G1, "m", day(11, 20), 3),
        (G1, "m", day(11, 24), 3),
        (G1, "m", day(10, 25), 4),
        # G2/m: 3, not hot alone; its community is not reported because G1 already is
        (G2, "m", day(11, 19), 3),
        # G3/m 3 + G4/m 3 = 6, baseline 2×7/28 = 0.5, ratio 6/1.5 = 4 → the community C2 is hot
        (G3, "m", day(11, 18), 3),  # the window's first day counts
        (G3, "m", day(11, 17), 2),  # the day before it is baseline
        (G4, "m", day(11, 22), 3),
        # G1/n: 6, baseline 16 → 4, ratio 6/5 = 1.2 → not hot
        (G1, "n", day(11, 21), 6),
        (G1, "n", day(11, 1), 16),
        # G2/n: 4 < 5 → not hot; C1/n: 6 + 4 = 10, baseline 4, ratio 10/5 = 2.0 → hot (at the bar)
        (G2, "n", day(11, 23), 4),
        # ignored: today (still filling), before the baseline, a township-level place
        (G1, "x", TODAY, 50),
        (G1, "x", day(10, 20), 50),
        ("110117104", "m", day(11, 20), 50),
    ]
    found = detect(counts, today=TODAY, params=P)
    got = by_key(found)
    assert set(got) == {(G1, "m"), ("110117104202", "m"), (C1, "n")}
    g1 = got[(G1, "m")]
    assert (g1.count, g1.baseline, g1.ratio, g1.level) == (6, 1.0, 3.0, "GRID")
    assert g1.window_start == day(11, 18) and g1.window_end == day(11, 24)
    assert len(g1.daily) == 35 and g1.daily[-1] == 3 and g1.daily[4] == 4  # 10-25
    c2 = got[("110117104202", "m")]
    assert (c2.count, c2.baseline, c2.ratio, c2.level) == (6, 0.5, 4.0, "COMMUNITY")
    assert c2.places == (G3, G4)
    c1n = got[(C1, "n")]
    assert (c1n.count, c1n.baseline, c1n.ratio) == (10, 4.0, 2.0)
    # hottest first
    assert [c.ratio for c in found] == [4.0, 3.0, 2.0]


def test_new_place_counts_from_min_count():
    assert detect([(G1, "m", day(11, 24), 4)], today=TODAY, params=P) == []
    (c,) = detect([(G1, "m", day(11, 24), 5)], today=TODAY, params=P)
    assert (c.count, c.baseline, c.ratio) == (5, 0.0, 5.0)


def test_demands_placed_on_the_community_itself_join_its_grids():
    counts = [(C1, "m", day(11, 20), 2), (G1, "m", day(11, 20), 3)]
    (c,) = detect(counts, today=TODAY, params=P)
    assert (c.place, c.count, c.places) == (C1, 5, (C1, G1))


def test_other_parameters():
    p = Params.from_config({"window_days": 14, "baseline_weeks": 2, "min_count": 3})
    assert (p.window_days, p.baseline_weeks, p.min_count, p.min_ratio) == (14, 2, 3, 2.0)
    s = span(TODAY, p)
    assert (s.baseline_start, s.window_start) == (day(10, 28), day(11, 11))
    # 4 in 14 days; baseline 7 over 14 days → 7 per window, ratio 4/8 → not hot
    assert not detect([(G1, "m", day(11, 12), 4), (G1, "m", day(11, 1), 7)], today=TODAY, params=p)
    # 20 in 14 days against the same baseline: 20/8 = 2.5 → hot
    (c,) = detect([(G1, "m", day(11, 12), 20), (G1, "m", day(11, 1), 7)], today=TODAY, params=p)
    assert (c.count, c.baseline, c.ratio) == (20, 7.0, 2.5)
    with pytest.raises(ValueError):
        Params.from_config({"window_days": 0})
