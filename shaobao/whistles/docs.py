"""Render the transition tables as Markdown (docs/workflow.md)."""

from shaobao.org import roles as R
from shaobao.whistles import workflow as W
from shaobao.whistles.models import Summons


def _roles(rs) -> str:
    return ", ".join(f"`{r}`" for r in sorted(rs))


def render_workflow() -> str:
    labels = {code: str(label) for code, label in Summons.STATES}
    out = [
        "# Workflow: whistle and summons state machines",
        "",
        "Generated from `shaobao/whistles/workflow.py` by `shaobao workflow_doc`; do not edit by hand",
        "(a test fails when this file and the table disagree).",
        "",
        "## Summons (召集) states",
        "",
        "| state | 中文 | ends the summons |",
        "|---|---|---|",
    ]
    for code, _label in Summons.STATES:
        out.append(f"| `{code}` | {labels[code]} | {'yes' if code in W.ENDED_STATES else 'no'} |")
    out += [
        "",
        "## Summons transitions",
        "",
        "| action | from | to | party | roles | deadline / guard |",
        "|---|---|---|---|---|---|",
    ]
    for t in W.SUMMONS_TRANSITIONS:
        src = ", ".join(f"`{s}`" for s in sorted(t.sources))
        out.append(
            f"| `{t.action}` | {src} | {f'`{t.target}`' if t.target else '(unchanged)'} | "
            f"{t.party} | {_roles(t.roles)} | {t.deadline} |"
        )
    out += [
        "",
        "```mermaid",
        "stateDiagram-v2",
        "    [*] --> ISSUED: blow",
    ]
    for t in W.SUMMONS_TRANSITIONS:
        if t.target:
            for s in sorted(t.sources):
                out.append(f"    {s} --> {t.target}: {t.action}")
    out += [
        "```",
        "",
        "## Deadline sweep",
        "",
        "`shaobao sweep` (also run by the worker's schedule) applies these rules; each row is marked",
        "once, with a conditional update, so running it twice or concurrently changes nothing more.",
        "",
        "| deadline | while the summons is | marks | then |",
        "|---|---|---|---|",
    ]
    for field, states, mark in W.OVERDUE_RULES:
        out.append(
            f"| `{field}` | {', '.join(f'`{s}`' for s in sorted(states))} | `{mark}` | "
            f"escalated to `{R.DISTRICT_SUPERVISOR}` (first time only) |"
        )
    out += [
        "",
        "## Whistle actions",
        "",
        "| action | party | roles |",
        "|---|---|---|",
    ]
    for action, (party, rs) in W.WHISTLE_ACTIONS.items():
        out.append(f"| `{action}` | {party} | {_roles(rs)} |")
    out += [
        "",
        "A whistle closes by itself when every summons has ended (`VERIFIED`, `RELEASED` or",
        "`CANCELLED`), at least one was verified, and, in ledger mode, every ledger item is cleared.",
        "A surprise whistle is sealed until its launch time (or an earlier `launch`): before that only",
        "the whistling township's commanders, its author and the heads (`department_dispatcher`) of",
        "the summoned departments see it, and every such read is written to the audit log.",
        "",
        "## Parties",
        "",
        "* **department** — the summoned department: its head (`department_dispatcher`) and officers.",
        "* **whistler** — the whistling township's command centre, or the department that blew the",
        "  whistle; it verifies and evaluates, and is never the department doing the work.",
        "* **legal** — the district legal affairs office, over the district of the whistle.",
        "* **district** — the district supervisor, over the district of the whistle.",
        "",
    ]
    return "\n".join(out)
