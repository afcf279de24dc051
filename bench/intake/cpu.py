"""CPU time (ms) used so far by the processes of the intake benchmark, by kind: gunicorn
(master and workers), the intake workers, and PostgreSQL (all its processes: backends, WAL
writer, checkpointer, and the backends that have exited, which the postmaster has reaped).
run.sh reads it before and after the load; the difference divided by the number of answered
requests is the CPU one request costs, which does not depend on how busy the machine was (the
requests per second do). Linux only (/proc).

usage: python cpu.py            → "gunicorn=… intake=… postgres=…" (milliseconds)
       python cpu.py --per-request BEFORE AFTER N
                                → the difference of two such readings per answered request"""

import os


def totals() -> dict[str, int]:
    tick = os.sysconf("SC_CLK_TCK")
    out = {"gunicorn": 0, "intake": 0, "postgres": 0}
    for pid in filter(str.isdigit, os.listdir("/proc")):
        try:
            with open(f"/proc/{pid}/cmdline", "rb") as f:
                cmd = f.read().replace(b"\0", b" ").decode(errors="replace")
            with open(f"/proc/{pid}/stat") as f:
                fields = f.read().rsplit(")", 1)[1].split()
        except OSError:  # gone meanwhile
            continue
        ticks = int(fields[11]) + int(fields[12])  # utime + stime
        postgres = cmd.startswith("postgres") or cmd.split(" ", 1)[0].endswith("/postgres")
        if postgres:
            # + cutime + cstime: the postmaster's reaped children, i.e. the backends of closed
            # connections (pgbench's, or a web worker's reconnect), whose time is otherwise lost
            ticks += int(fields[13]) + int(fields[14])
        if "gunicorn" in cmd:
            kind = "gunicorn"
        elif "intake_worker" in cmd:
            kind = "intake"
        elif postgres:
            kind = "postgres"
        else:
            continue
        out[kind] += ticks * 1000 // tick
    return out


def per_request(before: str, after: str, n: int) -> str:
    a, b = (dict(kv.split("=") for kv in s.split()) for s in (before, after))
    used = {k: (int(b[k]) - int(a[k])) / max(1, n) for k in a}
    return (
        "CPU per answered request during the load: "
        + ", ".join(f"{k} {v:.2f} ms" for k, v in used.items())
        + f"; web (gunicorn + PostgreSQL) {used['gunicorn'] + used['postgres']:.2f} ms"
    )


if __name__ == "__main__":
    import sys

    if sys.argv[1:2] == ["--per-request"]:
        print(per_request(sys.argv[2], sys.argv[3], int(sys.argv[4])))
    else:
        print(" ".join(f"{k}={v}" for k, v in totals().items()))
