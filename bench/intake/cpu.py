"""CPU time (ms) used so far by the processes of the intake benchmark, by kind: gunicorn
(master and workers), the intake workers, and PostgreSQL (all its processes: backends, WAL
writer, checkpointer). run.sh reads it before and after the load; the difference divided by the
number of answered requests is the CPU one request costs, which does not depend on how busy the
machine was (the requests per second do). Linux only (/proc).

usage: python cpu.py            → "gunicorn=… intake=… postgres=…" (milliseconds)"""

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
        if "gunicorn" in cmd:
            kind = "gunicorn"
        elif "intake_worker" in cmd:
            kind = "intake"
        elif cmd.startswith("postgres"):
            kind = "postgres"
        else:
            continue
        out[kind] += ticks * 1000 // tick
    return out


if __name__ == "__main__":
    print(" ".join(f"{k}={v}" for k, v in totals().items()))
