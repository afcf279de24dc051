"""How fast this machine runs Python right now: a fixed, single-threaded workload of the kinds a
request spends its time on (bytecode, dicts and strings, JSON, regular expressions, hashing),
timed five times; prints the median in milliseconds (lower is faster).

The virtual machines these benchmarks run on change speed from hour to hour and day to day (the
same build's CPU per intake request measured 1.2 ms one day and 5.5 ms another). Benchmarks print
this figure before and after their runs, so that results taken at different times can be put
side by side: divide a CPU-per-request figure by it to compare builds measured apart.

usage: python bench/machine.py          → "machine: 470 ms (fixed Python workload, median of 5)"
"""

from __future__ import annotations

import hashlib
import json
import re
import statistics
import time

WORDS = re.compile(r"[\u4e00-\u9fff]+|[a-z]+")
TEXT = "村口垃圾堆积三天无人清运，气味很大 garbage piled up near the village gate " * 4


def workload() -> int:
    total = 0
    for i in range(600_000):  # bytecode
        total += i % 7
    rows = [{"id": i, "name": f"item-{i}", "tags": [i, i * 2]} for i in range(80_000)]
    index = {r["name"]: r for r in rows}  # dicts and strings
    total += sum(len(k) for k in index)
    for _ in range(1600):
        total += len(json.dumps(rows[:50], ensure_ascii=False, sort_keys=True))
        total += len(WORDS.findall(TEXT))
        total += hashlib.sha256(TEXT.encode()).digest()[0]
    return total


def measure(repeat: int = 5) -> float:
    times = []
    for _ in range(repeat):
        t = time.process_time()
        workload()
        times.append((time.process_time() - t) * 1000)
    return statistics.median(times)


if __name__ == "__main__":
    print(f"machine: {measure():.0f} ms (fixed Python workload, median of 5)")
