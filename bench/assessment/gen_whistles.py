"""A district-year of whistles (吹哨) with their summonses, check-ins, outcomes, verifications,
objections, supervisions, ledger items and the townships' evaluations.

Each summons' timeline (acknowledge → check in → claim → [reject → claim]… → verify) is drawn at
blow time from its department's propensities and cut at the end of the year (or at the whistle's
cancellation); states, overdue marks (as the sweep would set them) and child rows follow from the
events before the cut."""

from __future__ import annotations

import bisect
import random
from dataclasses import dataclass

from gen_copy import DAY, HOUR, NULL, Clock, Lines
from gen_text import (
    BAD_COMMENTS,
    CANCEL_REASONS,
    CORRECTION_REASONS,
    GOOD_COMMENTS,
    LEDGER_TASKS,
    MEETING_POINTS,
    OBJECTION_REASONS,
    OUTCOME_NOTES,
    REJECT_REASONS,
    RULINGS_DISMISS,
    RULINGS_REASSIGN,
    SPOTS,
    SUPERVISE_COMMENTS,
    WHISTLE_DESC,
    WHISTLE_FORMS,
)
from gen_world import DISTRICT_NAME, World

MIN = 60
WEEKDAY = [1.1, 1.05, 1.05, 1.0, 0.95, 0.3, 0.2]
HOURS = (
    [0.02] * 7 + [0.3, 1.2, 1.8, 1.7, 1.0, 0.5, 0.9, 1.6, 1.6, 1.3, 0.7, 0.3, 0.2, 0.1] + [0.05] * 3
)
WHISTLE_L1 = {"城乡建设", "生态环境", "公共安全", "市场监管", "住房物业", "城市运行", "交通出行"}
AREAS = [
    ("CITIZEN_DEMAND", 0.4),
    ("KEY_TASK", 0.25),
    ("JOINT_ENFORCEMENT", 0.3),
    ("EMERGENCY", 0.05),
]
KINDS = [("ENFORCEMENT", 0.45), ("MANAGEMENT", 0.45), ("DEVELOPMENT", 0.1)]
MODES = [("ROUTINE", 0.8), ("SURPRISE", 0.1), ("LEDGER", 0.1)]
URGENCIES = [("NORMAL", 0.8), ("URGENT", 0.17), ("CRITICAL", 0.03)]

COLUMNS = {
    "whistles_whistle": [
        "id",
        "township_id",
        "blown_by_department_id",
        "title",
        "description",
        "address",
        "lat",
        "lng",
        "area",
        "kind",
        "mode",
        "urgency",
        "matter_id",
        "duty_list_id",
        "status",
        "report_by_at",
        "finish_by_at",
        "launch_at",
        "meeting_point",
        "launched_at",
        "created_by_id",
        "created_at",
        "closed_at",
        "cancel_reason",
    ],
    "whistles_summons": [
        "id",
        "whistle_id",
        "department_id",
        "role",
        "state",
        "report_by_at",
        "finish_by_at",
        "acknowledged_at",
        "officer_names",
        "checked_in_at",
        "claimed_at",
        "verified_at",
        "ended_at",
        "rework_count",
        "report_overdue_at",
        "finish_overdue_at",
        "escalated_at",
        "replaces_id",
        "created_at",
    ],
    "whistles_summons_officers": ["id", "summons_id", "user_id"],
    "whistles_checkin": [
        "id",
        "summons_id",
        "officer_id",
        "at",
        "lat",
        "lng",
        "accuracy_m",
        "note",
    ],
    "whistles_outcome": [
        "id",
        "summons_id",
        "inspections",
        "cases_filed",
        "fines_yuan",
        "items_removed",
        "note",
        "recorded_by_id",
        "recorded_at",
    ],
    "whistles_verification": ["id", "summons_id", "decision", "reason", "by_id", "at"],
    "whistles_objection": [
        "id",
        "summons_id",
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
    ],
    "whistles_supervision": ["id", "summons_id", "comment", "by_id", "at"],
    "whistles_ledgeritem": [
        "id",
        "whistle_id",
        "seq",
        "title",
        "department_id",
        "cleared_at",
        "cleared_by_id",
        "evidence_note",
    ],
    "assessments_evaluation": [
        "id",
        "summons_id",
        "version",
        "timeliness",
        "cooperation",
        "effectiveness",
        "comment",
        "correction_reason",
        "by_id",
        "at",
    ],
}


@dataclass
class Dept:
    report_ok: float
    finish_ok: float
    rework: float
    score: float  # the township's view of it, around 4 of 5


def _cum(weights):
    out, s = [], 0.0
    for w in weights:
        s += w
        out.append(s)
    return out


def _pick(rng, table):
    r, s = rng.random(), 0.0
    for v, p in table:
        s += p
        if r < s:
            return v
    return table[-1][0]


def _clamp(v):
    return 1 if v < 1 else (5 if v > 5 else v)


class WhistleGen:
    def __init__(self, world: World, clock: Clock, *, n: int, seed: int, finish_by, rule_by):
        self.w = world
        self.c = clock
        self.n = n
        self.rng = random.Random(seed * 1_000_033 + 29)
        self.finish_by = finish_by  # (start seconds, tier) -> seconds
        self.rule_by = rule_by
        self.others = {t: Lines() for t in COLUMNS if t != "whistles_whistle"}
        self.ids = {t: 0 for t in COLUMNS}
        self.stats = {"cancelled": 0, "closed": 0, "active": 0, "summonses": 0, "reassigned": 0}

    def _add(self, table, fmt_fields) -> int:
        self.ids[table] += 1
        i = self.ids[table]
        self.others[table].add(f"{i}\t" + "\t".join(fmt_fields))
        return i

    def _times(self):
        rng, c = self.rng, self.c
        days = (c.end - c.start) // DAY
        day_w = [
            WEEKDAY[c.local(c.start + d * DAY + 12 * HOUR).weekday()] * rng.uniform(0.8, 1.2)
            for d in range(days)
        ]
        day_of = rng.choices(range(days), weights=day_w, k=self.n)
        hour_of = rng.choices(range(24), weights=HOURS, k=self.n)
        return sorted(
            c.start + d * DAY + h * HOUR + rng.randrange(HOUR)
            for d, h in zip(day_of, hour_of, strict=True)
        )

    def _timeline(self, q: Dept, created, start, report_by, finish_by, surprise):
        """Event times of one summons if nothing cut it short."""
        rng = self.rng
        uni = rng.uniform
        if surprise:
            ack = created + int(uni(10 * MIN, max(11 * MIN, min(12 * HOUR, start - created))))
        else:
            ack = created + int((report_by - start) * uni(0.03, 0.25))
        if rng.random() < q.report_ok:
            ci = ack + int((report_by - ack) * uni(0.2, 0.95))
        else:
            ci = report_by + 60 + int(rng.expovariate(1 / (40 * MIN)))
        ci = max(ci, ack + MIN)
        window = max(finish_by - ci, 2 * HOUR)
        if rng.random() < q.finish_ok and finish_by > ci + HOUR:
            claim = ci + int((finish_by - ci) * uni(0.15, 0.9))
        else:
            claim = max(finish_by, ci) + 60 + int(rng.expovariate(1 / (0.3 * window + 2 * HOUR)))
        claims, rejects = [claim], []
        r = rng.random()
        n_rework = 2 if r < q.rework * 0.15 else (1 if r < q.rework else 0)
        for _ in range(n_rework):
            rej = claims[-1] + int(uni(1 * HOUR, 24 * HOUR))
            rejects.append(rej)
            claims.append(rej + int(uni(3 * HOUR, 72 * HOUR)))
        verify = claims[-1] + int(uni(0.5 * HOUR, 30 * HOUR))
        return ack, ci, claims, rejects, verify

    def rows(self):
        w, c, rng = self.w, self.c, self.rng
        ts, END = c.ts, c.end
        rand, uni, choice = rng.random, rng.uniform, rng.choice
        depts = sorted(w.dept_names)
        dq = {
            d: Dept(
                report_ok=min(0.995, max(0.8, rng.gauss(0.95, 0.03))),
                finish_ok=min(0.99, max(0.75, rng.gauss(0.92, 0.04))),
                rework=min(0.3, max(0.02, rng.gauss(0.09, 0.04))),
                score=rng.gauss(4.0, 0.35),
            )
            for d in depts
        }
        towns = w.townships
        town_cum = _cum([t.weight for t in towns])
        matters = [m for m in w.matters if m.l1 in WHISTLE_L1]
        matter_cum = _cum([rng.lognormvariate(0, 0.8) for _ in matters])
        st = self.stats
        add = self._add
        summons_id = 0
        buf = []
        for wid, created in enumerate(self._times(), start=1):
            town = towns[bisect.bisect(town_cum, rand() * town_cum[-1])]
            grid = choice(town.grids)
            comm = town.grid_community[grid.id]
            matter = matters[bisect.bisect(matter_cum, rand() * matter_cum[-1])]
            area, kind = _pick(rng, AREAS), _pick(rng, KINDS)
            mode, urgency = _pick(rng, MODES), _pick(rng, URGENCIES)
            blown_by = None
            if rand() < 0.02:
                blown_by = choice(depts)
                while blown_by == matter.lead:
                    blown_by = choice(depts)
            # Lead plus assists: about two summonses a whistle.
            n_assist = _pick(rng, [(0, 0.27), (1, 0.53), (2, 0.2)])
            pool = [d for d in matter.assists if d != blown_by]
            rng.shuffle(pool)
            summoned = [matter.lead] + pool[:n_assist]
            while len(summoned) < 1 + n_assist:
                d = choice(depts)
                if d not in summoned and d != blown_by:
                    summoned.append(d)
            whistler = w.dept_head[blown_by] if blown_by else choice([town.commander, *town.staff])
            launch = launched = None
            meeting = ""
            start = created
            if mode == "SURPRISE":
                launch = created + int(uni(4 * HOUR, 72 * HOUR))
                start, meeting = launch, choice(MEETING_POINTS)
                launched = launch if launch <= END else None
            report_by = start + (30 if kind == "ENFORCEMENT" or area == "EMERGENCY" else 240) * MIN
            finish_by = max(self.finish_by(start, matter.tier), report_by)
            cancel = None
            if rand() < 0.02:
                cancel = created + int(uni(1 * HOUR, 48 * HOUR))
            # Timelines; a cancellation is impossible once any summons is verified.
            plans = []
            for k, d in enumerate(summoned):
                plans.append(
                    (
                        d,
                        "LEAD" if k == 0 else "ASSIST",
                        self._timeline(dq[d], created, start, report_by, finish_by, launch),
                    )
                )
            if cancel is not None and (cancel > END or any(p[2][4] <= cancel for p in plans)):
                cancel = None
            cut = min(END, cancel) if cancel else END
            # Objections: a summons' department says it is not its duty (not in ledger mode).
            summons_rows = []  # (dept, role, timeline, created_at, report_by, finish_by, replaces)
            for d, role, tl in plans:
                summons_rows.append([d, role, tl, created, report_by, finish_by, None, None])
            k = 0
            while k < len(summons_rows):
                row = summons_rows[k]
                k += 1
                d, role, tl, s_created, s_report, s_finish = row[:6]
                if mode == "LEDGER" or rand() >= 0.015:
                    continue
                raised = tl[0] + int(uni(5 * MIN, 4 * HOUR))
                if raised >= min(tl[2][0], cut):
                    continue
                rule_by = self.rule_by(raised)
                ruled = raised + int((rule_by - raised) * uni(0.2, 1.2))
                reassign = rand() < 0.3
                new_d = None
                if reassign:
                    present = {r[0] for r in summons_rows}
                    new_d = choice(depts)
                    while new_d in present or new_d == blown_by:
                        new_d = choice(depts)
                # objection state is decided by the cut (pending if not yet ruled)
                row[7] = ("obj", raised, rule_by, ruled, new_d)
                if reassign and ruled < min(tl[2][0], cut):
                    s2 = max(ruled, launch or ruled)
                    rb2 = s2 + (s_report - s_created)
                    fb2 = max(s_finish, rb2)
                    tl2 = self._timeline(dq[new_d], ruled, s2, rb2, fb2, None)
                    summons_rows.append([new_d, role, tl2, ruled, rb2, fb2, k - 1, None])
            # Materialise the summonses.
            ids = []
            states = []
            ended_times = []
            ledger_depts = summoned[:1]
            first_claims = {}
            for row in summons_rows:
                d, role, tl, s_created, s_report, s_finish, replaces, obj = row
                ack, ci, claims, rejects, verify = tl
                summons_id += 1
                sid = summons_id
                ids.append(sid)
                my_cut = cut
                released_at = None
                if obj is not None:
                    _o, raised, rule_by, ruled, new_d = obj
                    if new_d is not None and ruled < min(claims[0], cut):
                        released_at = ruled
                        my_cut = ruled
                # state at the cut
                verified_at = verify if verify <= my_cut else None
                n_rej = sum(1 for r in rejects if r <= my_cut)
                done_claims = [x for x in claims if x <= my_cut]
                claimed_at = done_claims[-1] if done_claims else None
                if verified_at:
                    state = "VERIFIED"
                elif claimed_at and (n_rej < len(done_claims)):
                    state = "CLAIMED"
                elif n_rej:
                    state = "REWORK"
                elif ci <= my_cut:
                    state = "CHECKED_IN"
                elif ack <= my_cut:
                    state = "ACKNOWLEDGED"
                else:
                    state = "ISSUED"
                ended = verified_at
                if released_at is not None:
                    state, ended = "RELEASED", released_at
                elif cancel is not None and state != "VERIFIED":
                    state, ended = "CANCELLED", cancel
                # overdue marks as the sweep sets them (whistle still active at the time)
                r_over = f_over = None
                if ci > s_report and s_report + 60 <= my_cut:
                    r_over = s_report + int(uni(5, 300))
                    if r_over > my_cut:
                        r_over = None
                unclaimed_at_fb = s_finish < claims[0] or any(
                    rejects[j] <= s_finish < claims[j + 1] for j in range(len(rejects))
                )
                if unclaimed_at_fb and s_finish + 60 <= my_cut:
                    f_over = s_finish + int(uni(5, 300))
                    if f_over > my_cut:
                        f_over = None
                marks = [x for x in (r_over, f_over) if x is not None]
                escalated = min(marks) if marks else None
                officers = []
                names = ""
                if ack <= my_cut:
                    offs = w.dept_officers[d]
                    officers = rng.sample(offs, 2 if rand() < 0.4 else 1)
                    names = "、".join(w.officer_names[o] for o in officers)
                buf_s = (
                    f"{sid}\t{wid}\t{d}\t{role}\t{state}\t{ts(s_report)}\t{ts(s_finish)}\t"
                    f"{ts(ack if ack <= my_cut else None)}\t{names}\t"
                    f"{ts(ci if ci <= my_cut else None)}\t{ts(claimed_at)}\t{ts(verified_at)}\t"
                    f"{ts(ended)}\t{n_rej}\t{ts(r_over)}\t{ts(f_over)}\t{ts(escalated)}\t"
                    f"{NULL if replaces is None else ids[replaces]}\t{ts(s_created)}"
                )
                self.others["whistles_summons"].add(buf_s)
                st["summonses"] += 1
                states.append(state)
                if ended is not None:
                    ended_times.append(ended)
                for o in officers:
                    add("whistles_summons_officers", (str(sid), str(o)))
                if ci <= my_cut:
                    add(
                        "whistles_checkin",
                        (
                            str(sid),
                            str(officers[0]),
                            ts(ci),
                            f"{grid.lat + uni(-0.001, 0.001):.6f}",
                            f"{grid.lng + uni(-0.001, 0.001):.6f}",
                            f"{uni(5, 40):.1f}",
                            "",
                        ),
                    )
                if claimed_at:
                    first_claims[d] = claims[0]
                    rec = max(ci, claims[0] - int(uni(5 * MIN, 60 * MIN)))
                    add(
                        "whistles_outcome",
                        (
                            str(sid),
                            str(rng.randint(1, 6)),
                            str(rng.randint(0, 2) if kind == "ENFORCEMENT" else 0),
                            f"{rng.choice([0, 0, 0, 500, 1000, 2000, 5000])}.00",
                            str(rng.randint(0, 12)),
                            choice(OUTCOME_NOTES),
                            str(officers[0]),
                            ts(rec),
                        ),
                    )
                for j in range(n_rej):
                    add(
                        "whistles_verification",
                        (str(sid), "REJECT", choice(REJECT_REASONS), str(whistler), ts(rejects[j])),
                    )
                if verified_at:
                    add(
                        "whistles_verification", (str(sid), "ACCEPT", "", str(whistler), ts(verify))
                    )
                    if rand() < 0.97:
                        q = dq[d]
                        e_at = verify + int(uni(0.5 * HOUR, 72 * HOUR))
                        if e_at <= END:
                            tml = _clamp(
                                round(
                                    rng.gauss(q.score + 0.4, 0.6)
                                    - (r_over is not None) * 1.3
                                    - (f_over is not None) * 1.0
                                )
                            )
                            coop = _clamp(round(rng.gauss(q.score, 0.7)))
                            eff = _clamp(round(rng.gauss(q.score + 0.2, 0.6) - 0.8 * n_rej))
                            avg = (tml + coop + eff) / 3
                            comment = choice(GOOD_COMMENTS) if avg >= 3.5 else choice(BAD_COMMENTS)
                            add(
                                "assessments_evaluation",
                                (
                                    str(sid),
                                    "1",
                                    str(tml),
                                    str(coop),
                                    str(eff),
                                    comment,
                                    "",
                                    str(whistler),
                                    ts(e_at),
                                ),
                            )
                            if rand() < 0.03:
                                e2 = e_at + int(uni(1 * DAY, 10 * DAY))
                                if e2 <= END:
                                    add(
                                        "assessments_evaluation",
                                        (
                                            str(sid),
                                            "2",
                                            str(_clamp(tml + rng.choice([-1, 1]))),
                                            str(coop),
                                            str(_clamp(eff + rng.choice([-1, 0, 1]))),
                                            comment,
                                            choice(CORRECTION_REASONS),
                                            str(whistler),
                                            ts(e2),
                                        ),
                                    )
                if escalated is not None and rand() < 0.4:
                    s_at = escalated + int(uni(10 * MIN, 6 * HOUR))
                    open_until = min(x for x in (claims[0], my_cut, ended or my_cut))
                    if s_at < open_until:
                        add(
                            "whistles_supervision",
                            (str(sid), choice(SUPERVISE_COMMENTS), str(w.supervisor), ts(s_at)),
                        )
                if obj is not None:
                    _o, raised, rule_by, ruled, new_d = obj
                    head = w.dept_head[d]
                    if cancel is not None and cancel < ruled:
                        fields = ("VOID", NULL, ts(cancel), "吹哨已撤销，异议不再裁定", NULL)
                    elif ruled > cut:
                        fields = ("PENDING", NULL, NULL, "", NULL)
                    elif new_d is not None and released_at is not None:
                        fields = (
                            "REASSIGNED",
                            str(choice(w.legal)),
                            ts(ruled),
                            RULINGS_REASSIGN,
                            str(new_d),
                        )
                        st["reassigned"] += 1
                    else:
                        fields = (
                            "DISMISSED",
                            str(choice(w.legal)),
                            ts(ruled),
                            RULINGS_DISMISS,
                            NULL,
                        )
                    add(
                        "whistles_objection",
                        (
                            str(sid),
                            choice(OBJECTION_REASONS),
                            str(new_d) if new_d else NULL,
                            f"{matter.l2}/{matter.name}",
                            fields[0],
                            str(head),
                            ts(raised),
                            ts(rule_by),
                            fields[1],
                            fields[2],
                            fields[3],
                            fields[4],
                        ),
                    )
            # Ledger items (ledger mode): the lead clears them before it claims.
            ledger_open = 0
            if mode == "LEDGER":
                lead = ledger_depts[0]
                officers = w.dept_officers[lead]
                for seq, title in enumerate(rng.sample(LEDGER_TASKS, rng.randint(2, 4)), start=1):
                    fc = first_claims.get(lead)
                    if fc is not None:
                        cl = fc - int(uni(10 * MIN, 120 * MIN))
                        cleared = (ts(cl), str(choice(officers)), "已完成，附现场照片")
                    else:
                        cleared = (NULL, NULL, "")
                        ledger_open += 1
                    add(
                        "whistles_ledgeritem",
                        (str(wid), str(seq), title, str(lead), *cleared),
                    )
            # Whistle status.
            if cancel is not None:
                status, closed_at, reason = "CANCELLED", cancel, choice(CANCEL_REASONS)
                st["cancelled"] += 1
            elif (
                all(s in ("VERIFIED", "RELEASED", "CANCELLED") for s in states)
                and "VERIFIED" in states
                and ledger_open == 0
            ):
                status, closed_at, reason = "CLOSED", max(ended_times), ""
                st["closed"] += 1
            else:
                status, closed_at, reason = "ACTIVE", None, ""
                st["active"] += 1
            spot = choice(SPOTS)
            place = f"{comm.name}{spot}"
            buf.append(
                f"{wid}\t{town.id}\t{NULL if blown_by is None else blown_by}\t"
                f"{choice(WHISTLE_FORMS).format(p=place, m=matter.name)}\t"
                f"{choice(WHISTLE_DESC)}\t{DISTRICT_NAME}{town.name}{place}\t"
                f"{grid.lat + uni(-0.002, 0.002):.6f}\t{grid.lng + uni(-0.002, 0.002):.6f}\t"
                f"{area}\t{kind}\t{mode}\t{urgency}\t{matter.id}\t{w.duty_list_id}\t{status}\t"
                f"{ts(report_by)}\t{ts(finish_by)}\t{ts(launch)}\t{meeting}\t{ts(launched)}\t"
                f"{whistler}\t{ts(created)}\t{ts(closed_at)}\t{reason}"
            )
            if len(buf) >= 5000:
                yield "\n".join(buf) + "\n"
                buf = []
        if buf:
            yield "\n".join(buf) + "\n"
