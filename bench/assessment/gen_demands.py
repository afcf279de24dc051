"""A district-year of citizens' demands (接诉即办) with their dispatches, callbacks, dispatch
objections and appeals, generated in creation order and streamed into COPY.

Each demand's whole life is drawn when it is created (dispatch, contact, response, callback) and
cut at the end of the year, so the last weeks are naturally still open. Handlers (departments,
townships, the district) each get their own on-time, solved and satisfaction propensities, drawn
independently, so the three rankings differ."""

from __future__ import annotations

import bisect
import random
import uuid
from collections import deque
from dataclasses import dataclass

from gen_copy import DAY, HOUR, NULL, Clock, Lines
from gen_text import (
    APPEAL_REASONS,
    CALLBACK_NOTES,
    CLOSINGS,
    DETAILS,
    EXCLUSION_REASONS,
    GIVEN,
    OBJECTION_REASONS,
    OPENINGS,
    RESPONSES,
    ROUTES,
    RULINGS_DISMISS,
    RULINGS_REASSIGN,
    SPOTS,
    SUBJECT_FORMS,
    SURNAMES,
)
from gen_world import DISTRICT_NAME, SEASONAL, World

# Natural-time limits of DEMAND_TIERS (config/settings.py), in hours.
TIER_HOURS = {
    "EMERGENCY_2H": 2,
    "UTILITY_24H": 24,
    "WORKING_4H": 24,
    "ORDINARY_7D": 7 * 24,
    "COMPLEX_15D": 15 * 24,
    "WORKING_20D": 15 * 24,
}
WEEKDAY = [1.15, 1.08, 1.05, 1.04, 1.0, 0.78, 0.72]
HOURS = [
    0.15,
    0.08,
    0.05,
    0.04,
    0.05,
    0.12,
    0.35,
    0.8,
    1.4,
    1.9,
    2.0,
    1.8,
    1.3,
    1.4,
    1.7,
    1.7,
    1.6,
    1.4,
    1.1,
    1.0,
    0.9,
    0.75,
    0.5,
    0.3,
]
MONTH = [0, 0.95, 0.85, 0.95, 1.0, 1.05, 1.12, 1.18, 1.15, 1.0, 0.98, 1.0, 1.02]
KINDS = ["COMPLAINT", "HELP", "CONSULTATION", "REPORT_OF_VIOLATION", "SUGGESTION"]
KIND_W = [0.45, 0.2, 0.12, 0.15, 0.08]
SOURCES = ["HOTLINE", "WEB", "OPEN311"]
SOURCE_W = [0.76, 0.19, 0.05]
ROUTER_VERSION = "bench-router-v1"
WINDOW = 30 * DAY  # DUPLICATE_WINDOW_DAYS


@dataclass
class Handler:
    on_time: float  # share contacted by the deadline
    never: float  # share never contacted
    speed: float  # multiplies the handling time
    solved: float  # callbacks where the caller says solved
    sat: float  # shifts satisfaction (positive: more satisfied)


COLUMNS = {
    "demands_demand": [
        "id",
        "token",
        "source",
        "kind",
        "caller_name",
        "caller_phone",
        "caller_email",
        "subject",
        "text",
        "address",
        "lat",
        "lng",
        "district_id",
        "township_id",
        "place_id",
        "matter_id",
        "router_version",
        "router_matter_id",
        "router_confidence",
        "status",
        "route",
        "reply",
        "duplicate_of_id",
        "handler_department_id",
        "handler_township_id",
        "handler_is_district",
        "copied_to_district",
        "dispatched_at",
        "deadline_at",
        "contacted_at",
        "responded_at",
        "response",
        "closed_at",
        "excluded",
        "exclusion_reason",
        "created_by_id",
        "created_at",
        "updated_at",
    ],
    "demands_dispatch": [
        "id",
        "demand_id",
        "department_id",
        "township_id",
        "to_district",
        "matter_id",
        "duty_list_version",
        "router_version",
        "auto",
        "by_id",
        "at",
        "deadline_at",
    ],
    "demands_callback": [
        "id",
        "demand_id",
        "version",
        "reached",
        "solved",
        "satisfaction",
        "note",
        "by_id",
        "at",
    ],
    "demands_demandobjection": [
        "id",
        "demand_id",
        "dispatch_id",
        "reason",
        "claimed_owner_id",
        "claimed_duty",
        "state",
        "raised_by_id",
        "raised_at",
        "rule_by_at",
        "ruled_by_id",
        "ruled_at",
        "ruling",
        "reassigned_to_id",
        "duty_list_amended",
    ],
    "demands_appeal": [
        "id",
        "demand_id",
        "callback_id",
        "reason",
        "state",
        "raised_at",
        "ruled_by_id",
        "ruled_at",
        "ruling",
    ],
}


def _cum(weights):
    out, s = [], 0.0
    for w in weights:
        s += w
        out.append(s)
    return out


class DemandGen:
    def __init__(self, world: World, clock: Clock, *, n: int, seed: int, rule_by):
        self.w = world
        self.c = clock
        self.n = n
        self.rng = random.Random(seed * 1_000_003 + 11)
        self.rule_by = rule_by  # (start seconds) -> seconds: 8 working hours later
        self.others = {
            "demands_dispatch": Lines(),
            "demands_callback": Lines(),
            "demands_demandobjection": Lines(),
            "demands_appeal": Lines(),
        }
        self.stats = {
            "dispatched": 0,
            "to_department": 0,
            "to_township": 0,
            "to_district": 0,
            "duplicates": 0,
            "closed_by_route": 0,
            "received": 0,
            "excluded": 0,
            "on_time": 0,
            "late": 0,
            "redispatched": 0,
            "with_callback": 0,
            "reached": 0,
            "solved": 0,
            "satisfied": 0,
            "basic": 0,
            "unsatisfied": 0,
            "hot": 0,
        }

    # -- setup ---------------------------------------------------------------------------------

    def _handlers(self):
        rng = random.Random(self.rng.random())
        hs = {}

        def make(scale=1.0):
            return Handler(
                on_time=min(0.995, max(0.78, rng.gauss(0.935, 0.03 * scale))),
                never=max(0.0, rng.gauss(0.004, 0.003)),
                speed=rng.uniform(0.6, 1.3),
                solved=min(0.95, max(0.5, rng.gauss(0.75, 0.06 * scale))),
                sat=rng.gauss(0.0, 0.05 * scale),
            )

        for d in sorted(self.w.dept_names):
            hs[("D", d)] = make()
        for t in self.w.townships:
            hs[("T", t.id)] = make(0.8)
        hs[("X", 0)] = make(0.5)
        return hs

    def _times(self):
        """Creation times with weekday, hour and month patterns, plus hot-spot bursts."""
        rng, c = self.rng, self.c
        days = (c.end - c.start) // DAY
        day_w = []
        for d in range(days):
            local = c.local(c.start + d * DAY + 12 * HOUR)
            wd = WEEKDAY[local.weekday()]
            day_w.append(wd * MONTH[local.month] * rng.uniform(0.9, 1.1))
        hour_cum = _cum(HOURS)
        # Hot spots: a few (grid, matter) pairs with bursts of calls in some weeks.
        hot_matters = [
            m for m in self.w.matters if m.prefix in ("CX-SR", "HJ-ZS", "CX-HW", "WY-FW")
        ]
        hot_matters += [m for m in self.w.matters if m.prefix in ("HJ-DQ", "JT-TC", "CX-WJ")]
        hot_total = int(self.n * 0.006)
        pairs = []
        for _ in range(12):
            t = rng.choice(self.w.townships)
            pairs.append((t, rng.choice(t.grids), rng.choice(hot_matters)))
        self.hot_pairs = pairs
        bursts = []
        for k in range(len(pairs)):
            for _ in range(rng.randint(2, 4)):
                bursts.append((k, rng.randrange(0, days - 7)))
        per_burst = max(5, hot_total // len(bursts))
        times = []
        for k, d0 in bursts:
            for _ in range(per_burst):
                d = d0 + min(6, int(rng.expovariate(1 / 2.0)))
                h = bisect.bisect(hour_cum, rng.random() * hour_cum[-1])
                times.append((c.start + d * DAY + h * HOUR + rng.randrange(HOUR), k))
        n_base = self.n - len(times)
        day_of = rng.choices(range(days), weights=day_w, k=n_base)
        hour_of = rng.choices(range(24), cum_weights=hour_cum, k=n_base)
        rr = rng.randrange
        # local midnight = start + d*DAY; local hour h starts at start + d*DAY + h*HOUR
        times += [
            (c.start + d * DAY + h * HOUR + rr(HOUR), -1)
            for d, h in zip(day_of, hour_of, strict=True)
        ]
        times.sort()
        return times

    # -- generation ----------------------------------------------------------------------------

    def rows(self):
        """Yields chunks of demand lines; fills self.others with the child tables' lines."""
        w, c, rng = self.w, self.c, self.rng
        ts = c.ts
        END = c.end
        rand, uni, choice, expo = rng.random, rng.uniform, rng.choice, rng.expovariate
        handlers = self._handlers()
        times = self._times()
        towns = w.townships
        town_cum = _cum([t.weight for t in towns])
        grid_cum = {t.id: _cum([rng.lognormvariate(0, 0.7) for _ in t.grids]) for t in towns}
        matters = w.matters
        zipf = list(range(len(matters)))
        rng.shuffle(zipf)
        base_w = [1.0 / (1 + zipf[i]) ** 0.75 for i in range(len(matters))]
        month_cum = {}
        for month in range(1, 13):
            ws = []
            for m, bw in zip(matters, base_w, strict=True):
                f = SEASONAL.get(m.prefix, {}).get(month)
                if f is None:
                    f = 0.1 if m.prefix == "YX-GR" else 1.0
                ws.append(bw * f)
            month_cum[month] = _cum(ws)
        kind_cum, source_cum = _cum(KIND_W), _cum(SOURCE_W)
        route_cum = _cum([r[1] for r in ROUTES])
        dept_ids = sorted(w.dept_names)
        ops = w.operators
        district, dlv = w.district_id, w.duty_list_version
        hot_pairs = self.hot_pairs
        recent: dict[int, deque] = {t.id: deque() for t in towns}
        hot_recent = [deque() for _ in hot_pairs]
        phones = ["1" + str(rng.randrange(3000000000, 9999999999)) for _ in range(40000)]

        disp_lines = self.others["demands_dispatch"]
        cb_lines = self.others["demands_callback"]
        obj_lines = self.others["demands_demandobjection"]
        app_lines = self.others["demands_appeal"]
        disp_id = cb_id = obj_id = app_id = 0
        st = self.stats
        buf = []
        for i, (t0, hot) in enumerate(times):
            did = i + 1
            local = c.local(t0)
            month = local.month
            if hot >= 0:
                town, grid, matter = hot_pairs[hot]
                st["hot"] += 1
            else:
                town = towns[bisect.bisect(town_cum, rand() * town_cum[-1])]
                gc = grid_cum[town.id]
                grid = town.grids[bisect.bisect(gc, rand() * gc[-1])]
                mc = month_cum[month]
                matter = matters[bisect.bisect(mc, rand() * mc[-1])]
            comm = town.grid_community[grid.id]
            source = SOURCES[bisect.bisect(source_cum, rand())]
            kind = KINDS[bisect.bisect(kind_cum, rand() * kind_cum[-1])]
            created_by = choice(ops) if source == "HOTLINE" else None
            phone = (
                choice(phones)
                if rand() < 0.25
                else "1" + str(rng.randrange(3000000000, 9999999999))
            )
            name = choice(SURNAMES) + ("先生" if rand() < 0.5 else "女士")
            if rand() < 0.3:
                name = choice(SURNAMES) + choice(GIVEN) + choice(GIVEN)
            spot = choice(SPOTS)
            place_txt = comm.name + spot
            address = f"{DISTRICT_NAME}{town.name}{place_txt}"
            subject = choice(SUBJECT_FORMS).format(p=place_txt, m=matter.name)
            text = (
                f"{choice(OPENINGS)}{address}{matter.name}问题，{choice(DETAILS)}，"
                f"{choice(DETAILS)}。{choice(CLOSINGS)}"
            )
            lat = f"{grid.lat + uni(-0.002, 0.002):.6f}"
            lng = f"{grid.lng + uni(-0.002, 0.002):.6f}"
            if rand() < 0.86:
                router_matter, conf = matter.id, uni(0.55, 0.99)
            else:
                router_matter, conf = choice(matters).id, uni(0.15, 0.6)
            email = f"u{did}@example.cn" if source == "WEB" and rand() < 0.3 else ""
            token = str(uuid.UUID(int=rng.getrandbits(128), version=4))

            status = route = reply = response = excl_reason = ""
            dup_of = h_dept = h_town = None
            h_district = copied = excluded = False
            matter_id = matter.id
            dispatched = deadline = contacted = responded = closed = None
            updated = t0

            # Duplicate of an open earlier demand (same grid/matter for hot spots)?
            original = None
            if rand() < (0.30 if hot >= 0 else 0.04):
                pool = hot_recent[hot] if hot >= 0 else recent[town.id]
                while pool and pool[0][1] < t0 - WINDOW:
                    pool.popleft()
                if pool:
                    k = len(pool) - 1 - min(len(pool) - 1, int(expo(1 / 8)))
                    for j in range(k, max(-1, k - 30), -1):
                        cand = pool[j]
                        if cand[2] > t0 and cand[1] < t0:  # earlier, and still open now
                            original = cand
                            break
            if original is not None:
                st["duplicates"] += 1
                status, route, dup_of = "DUPLICATE", "REPEAT", original[0]
                matter_id, grid = original[3], original[4]
                if rand() < 0.5:
                    phone = original[5]
                reply = (
                    f"您反映的问题已于{c.local(original[1]).strftime('%Y-%m-%d')}受理"
                    f"（编号 SQ{original[0]:09d}），目前正在办理中。"
                )
                closed = t0
            elif (kind == "CONSULTATION" and rand() < 0.55) or rand() < 0.04:
                st["closed_by_route"] += 1
                r = ROUTES[bisect.bisect(route_cum, rand() * route_cum[-1])]
                status, route, reply = "CLOSED_BY_ROUTE", r[0], r[2]
                matter_id = None
                closed = updated = t0 + int(uni(60, 1200))
                if closed > END:
                    status, route, reply, closed, updated = "RECEIVED", "", "", None, t0
                    st["closed_by_route"] -= 1
                    st["received"] += 1
            else:
                auto = source != "WEB" and rand() < 0.3
                if auto:
                    t_disp = t0 + int(uni(2, 90))
                else:
                    t_disp = t0 + int(min(2 * DAY, rng.lognormvariate(7.3, 0.9)))
                if t_disp > END:
                    status = "RECEIVED"
                    matter_id = None
                    st["received"] += 1
                else:
                    st["dispatched"] += 1
                    u = rand()
                    if u < 0.05:
                        key, h_district = ("X", 0), True
                        st["to_district"] += 1
                    elif u < 0.05 + 0.95 * matter.p_township:
                        key, h_town, copied = ("T", town.id), town.id, True
                        st["to_township"] += 1
                    else:
                        h_dept = matter.lead
                        if matter.assists and rand() < 0.1:
                            h_dept = choice(matter.assists)
                        key = ("D", h_dept)
                        st["to_department"] += 1
                    hf = handlers[key]
                    window = TIER_HOURS[matter.tier] * HOUR
                    by = created_by if created_by else choice(ops)
                    # A wrong first dispatch, objected to by its handler and ruled by the legal
                    # office (REASSIGNED: a second Dispatch row); or an objection dismissed.
                    first = t_disp
                    if h_dept is not None and not auto and rand() < 0.045:
                        wrong = choice(dept_ids)
                        while wrong == h_dept:
                            wrong = choice(dept_ids)
                        disp_id += 1
                        first_disp = disp_id
                        disp_lines.add(
                            f"{disp_id}\t{did}\t{wrong}\t{NULL}\tf\t{matter_id}\t{dlv}\t"
                            f"{ROUTER_VERSION}\tf\t{by}\t{ts(t_disp)}\t{ts(t_disp + window)}"
                        )
                        raised = t_disp + int(uni(0.5 * HOUR, min(window, 30 * HOUR)))
                        if raised > END:
                            raised = None
                        if raised is not None:
                            rule_by = self.rule_by(raised)
                            ruled = raised + int((rule_by - raised) * uni(0.2, 1.25))
                            obj_id += 1
                            head = w.dept_head[wrong]
                            if ruled > END:
                                obj_lines.add(
                                    f"{obj_id}\t{did}\t{first_disp}\t{choice(OBJECTION_REASONS)}"
                                    f"\t{h_dept}\t{matter.l2}/{matter.name}\tPENDING\t{head}\t"
                                    f"{ts(raised)}\t{ts(rule_by)}\t{NULL}\t{NULL}\t\t{NULL}\tf"
                                )
                                h_dept, key = wrong, ("D", wrong)
                                hf = handlers[key]
                            else:
                                legal = choice(w.legal)
                                obj_lines.add(
                                    f"{obj_id}\t{did}\t{first_disp}\t{choice(OBJECTION_REASONS)}"
                                    f"\t{h_dept}\t{matter.l2}/{matter.name}\tREASSIGNED\t{head}\t"
                                    f"{ts(raised)}\t{ts(rule_by)}\t{legal}\t{ts(ruled)}\t"
                                    f"{RULINGS_REASSIGN}\t{h_dept}\tf"
                                )
                                t_disp = ruled
                                by = legal
                                st["redispatched"] += 1
                        else:
                            h_dept, key = wrong, ("D", wrong)
                            hf = handlers[key]
                        if t_disp == first:  # not reassigned: the wrong department keeps it
                            pass
                        else:
                            disp_id += 1
                            disp_lines.add(
                                f"{disp_id}\t{did}\t{h_dept}\t{NULL}\tf\t{matter_id}\t{dlv}\t"
                                f"{ROUTER_VERSION}\tf\t{by}\t{ts(t_disp)}\t{ts(t_disp + window)}"
                            )
                    else:
                        disp_id += 1
                        disp_lines.add(
                            f"{disp_id}\t{did}\t{n_(h_dept)}\t{n_(h_town)}\t"
                            f"{'t' if h_district else 'f'}\t{matter_id}\t{dlv}\t{ROUTER_VERSION}\t"
                            f"{'t' if auto else 'f'}\t{n_(None if auto and not created_by else by)}"
                            f"\t{ts(t_disp)}\t{ts(t_disp + window)}"
                        )
                        if h_dept is not None and rand() < 0.01:
                            raised = t_disp + int(uni(0.5 * HOUR, min(window, 30 * HOUR)))
                            if raised < END:
                                rule_by = self.rule_by(raised)
                                ruled = raised + int((rule_by - raised) * uni(0.2, 1.1))
                                obj_id += 1
                                other = choice(dept_ids)
                                done = ruled <= END
                                obj_lines.add(
                                    f"{obj_id}\t{did}\t{disp_id}\t{choice(OBJECTION_REASONS)}\t"
                                    f"{other if other != h_dept else NULL}\t\t"
                                    f"{'DISMISSED' if done else 'PENDING'}\t{w.dept_head[h_dept]}"
                                    f"\t{ts(raised)}\t{ts(rule_by)}\t"
                                    f"{choice(w.legal) if done else NULL}\t"
                                    f"{ts(ruled) if done else NULL}\t"
                                    f"{RULINGS_DISMISS if done else ''}\t{NULL}\tf"
                                )
                    dispatched, deadline = t_disp, t_disp + window
                    status, updated = "DISPATCHED", t_disp
                    # Contact, response, callback.
                    u = rand()
                    if u < hf.never:
                        contacted = None
                    elif u < hf.never + hf.on_time:
                        contacted = t_disp + int(min(window, 48 * HOUR) * uni(0.02, 0.97))
                        st["on_time"] += 1
                    else:
                        contacted = deadline + 60 + int(expo(1 / (0.3 * window + 3 * HOUR)))
                        st["late"] += 1
                    if contacted is not None and contacted > END:
                        contacted = None
                    if contacted is not None:
                        updated = contacted
                        responded = contacted + int(
                            max(1800, (deadline - t_disp) * uni(0.05, 0.85) * hf.speed)
                        )
                        if responded > END:
                            responded = None
                    if responded is not None:
                        status, updated = "RESPONDED", responded
                        response = choice(RESPONSES)
                        if rand() < 0.82:
                            # The hotline calls back after the response, and not before the
                            # time limit has run out (as the demo does).
                            cb_at = max(
                                responded + int(uni(3 * HOUR, 60 * HOUR)),
                                deadline + int(uni(1 * HOUR, 30 * HOUR)),
                            )
                            versions = []
                            if cb_at <= END:
                                if rand() < 0.045:
                                    versions.append((cb_at, False, None, ""))
                                    cb_at += int(uni(20 * HOUR, 50 * HOUR))
                                    if rand() < 0.3:
                                        cb_at = END + 1  # never reached
                                if cb_at <= END:
                                    solved = rand() < hf.solved
                                    s = rand() - hf.sat
                                    if solved:
                                        sat = (
                                            "SATISFIED"
                                            if s < 0.95
                                            else ("BASIC" if s < 0.99 else "UNSATISFIED")
                                        )
                                    else:
                                        sat = (
                                            "SATISFIED"
                                            if s < 0.35
                                            else ("BASIC" if s < 0.63 else "UNSATISFIED")
                                        )
                                    versions.append((cb_at, True, solved, sat))
                            if versions:
                                st["with_callback"] += 1
                            first_cb_id = cb_id + 1
                            for v, (at, reached, solved, sat) in enumerate(versions, start=1):
                                cb_id += 1
                                cb_lines.add(
                                    f"{cb_id}\t{did}\t{v}\t{'t' if reached else 'f'}\t"
                                    f"{NULL if solved is None else ('t' if solved else 'f')}\t"
                                    f"{sat}\t{choice(CALLBACK_NOTES) if reached else '未接通'}\t"
                                    f"{choice(ops)}\t{ts(at)}"
                                )
                                updated = at
                                if reached:
                                    status, closed = "CLOSED", at
                            # An appeal against a reached first callback: upheld → version 2.
                            if len(versions) == 1 and versions[0][1] and rand() < 0.015:
                                at, _r, solved, sat = versions[0]
                                raised = at + int(uni(2 * HOUR, 72 * HOUR))
                                if raised <= END:
                                    ruled = raised + int(uni(4 * HOUR, 96 * HOUR))
                                    upheld = rand() < 0.6
                                    app_id += 1
                                    if ruled > END:
                                        state, ruled_by, ruling = "PENDING", None, ""
                                    elif upheld:
                                        state, ruled_by = "UPHELD", choice(ops)
                                        ruling = "经复核录音，申诉成立，更正回访记录。"
                                    else:
                                        state, ruled_by = "REJECTED", choice(ops)
                                        ruling = "经复核录音，维持原回访结果。"
                                    app_lines.add(
                                        f"{app_id}\t{did}\t{first_cb_id}\t{choice(APPEAL_REASONS)}"
                                        f"\t{state}\t{ts(raised)}\t{n_(ruled_by)}\t"
                                        f"{ts(ruled) if ruled_by else NULL}\t{ruling}"
                                    )
                                    updated = raised
                                    if state == "UPHELD":
                                        sat2 = "SATISFIED" if sat == "BASIC" else "BASIC"
                                        cb_id += 1
                                        cb_lines.add(
                                            f"{cb_id}\t{did}\t2\tt\t{'t' if solved else 'f'}\t"
                                            f"{sat2}\t申诉成立，更正\t{ruled_by}\t{ts(ruled)}"
                                        )
                                        versions.append((ruled, True, solved, sat2))
                                        status, closed, updated = "CLOSED", ruled, ruled
                            if versions and versions[-1][1]:
                                last = versions[-1]
                                st["reached"] += 1
                                st["solved"] += last[2]
                                st[
                                    {
                                        "SATISFIED": "satisfied",
                                        "BASIC": "basic",
                                        "UNSATISFIED": "unsatisfied",
                                    }[last[3]]
                                ] += 1
                    if rand() < 0.021:
                        excluded, excl_reason = True, choice(EXCLUSION_REASONS)
                        st["excluded"] += 1
                    entry = (did, t0, closed if closed else END + 365 * DAY, matter_id, grid)
                    entry = (*entry, phone)
                    recent[town.id].append(entry)
                    if len(recent[town.id]) > 6000:
                        recent[town.id].popleft()
                    if hot >= 0:
                        hot_recent[hot].append(entry)
            if status == "RECEIVED":
                entry = (did, t0, END + 365 * DAY, matter.id, grid, phone)
                recent[town.id].append(entry)

            buf.append(
                "\t".join(
                    (
                        str(did),
                        token,
                        source,
                        kind,
                        name,
                        phone,
                        email,
                        subject,
                        text,
                        address,
                        lat,
                        lng,
                        str(district),
                        str(town.id),
                        str(grid.id),
                        n_(matter_id),
                        ROUTER_VERSION,
                        str(router_matter),
                        f"{conf:.3f}",
                        status,
                        route,
                        reply,
                        n_(dup_of),
                        n_(h_dept),
                        n_(h_town),
                        "t" if h_district else "f",
                        "t" if copied else "f",
                        ts(dispatched),
                        ts(deadline),
                        ts(contacted),
                        ts(responded),
                        response,
                        ts(closed),
                        "t" if excluded else "f",
                        excl_reason,
                        n_(created_by),
                        ts(t0),
                        ts(max(updated, t0)),
                    )
                )
            )
            if len(buf) >= 10000:
                yield "\n".join(buf) + "\n"
                buf = []
        if buf:
            yield "\n".join(buf) + "\n"


def n_(v) -> str:
    return NULL if v is None else str(v)
