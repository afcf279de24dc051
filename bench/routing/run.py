"""Benchmark of the message router: 5-fold stratified CV on the training data.

Run from the project root:  python bench/routing/run.py [../shared/data/routing/train.csv]

Each outer fold calls `train()` on the other four folds, which also picks the auto-dispatch
threshold from its own inner cross-validation, so the held-out fold never influences it.
"""

import os

# Latency is measured on one core; BLAS must not spread over the others.
for _var in ("OMP_NUM_THREADS", "OPENBLAS_NUM_THREADS", "MKL_NUM_THREADS"):
    os.environ.setdefault(_var, "1")

import argparse  # noqa: E402
import csv  # noqa: E402
import platform  # noqa: E402
import statistics  # noqa: E402
import sys  # noqa: E402
import tempfile  # noqa: E402
import time  # noqa: E402
from pathlib import Path  # noqa: E402

import numpy as np  # noqa: E402
from sklearn.metrics import f1_score  # noqa: E402
from sklearn.model_selection import StratifiedKFold  # noqa: E402

ROOT = Path(__file__).resolve().parents[2]
sys.path.insert(0, str(ROOT))

from shaobao.duties.router import engine  # noqa: E402

TARGETS = {
    "macro_f1": 0.92,
    "top3": 0.995,
    "auto_share": 0.70,
    "auto_precision": 0.98,
    "latency_ms": 5.0,
    "train_s": 60.0,
    "size_mb": 50.0,
}


def read(path: Path) -> tuple[list[str], list[str], list[str]]:
    with path.open(encoding="utf-8-sig", newline="") as fh:
        rows = list(csv.DictReader(fh))
    return [r["text"] for r in rows], [r["subject"] for r in rows], [r["category"] for r in rows]


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("data", nargs="?", default=str(ROOT.parent / "shared/data/routing/train.csv"))
    ap.add_argument("--folds", type=int, default=5)
    ap.add_argument("--latency-sample", type=int, default=500)
    args = ap.parse_args()
    texts, subjects, labels = read(Path(args.data))
    y = np.asarray(labels)
    n = len(y)

    proba_classes = None
    pred = np.empty(n, dtype=object)
    top3_hit = np.zeros(n, dtype=bool)
    auto = np.zeros(n, dtype=bool)
    fold_rows = []
    skf = StratifiedKFold(args.folds, shuffle=True, random_state=0)
    for k, (tr, te) in enumerate(skf.split(texts, y), 1):
        t0 = time.perf_counter()
        model = engine.train(
            [texts[i] for i in tr], [labels[i] for i in tr], [subjects[i] for i in tr], seed=0
        )
        fit_s = time.perf_counter() - t0
        preds = model.predict([texts[i] for i in te], [subjects[i] for i in te])
        for i, p in zip(te, preds, strict=True):
            pred[i] = p.label
            top3_hit[i] = labels[i] in [lab for lab, _ in p.top[:3]]
            auto[i] = p.auto
        proba_classes = model.labels
        f = pred[te] == y[te]
        fold_rows.append(
            (
                k,
                fit_s,
                f1_score(y[te], pred[te], average="macro"),
                model.threshold,
                auto[te].mean(),
                f[auto[te]].mean() if auto[te].any() else float("nan"),
            )
        )
        print(
            f"fold {k}: train {fit_s:.1f}s macro-F1 {fold_rows[-1][2]:.4f} threshold "
            f"{model.threshold:.3f} auto {fold_rows[-1][4]:.3f} @ {fold_rows[-1][5]:.4f}",
            file=sys.stderr,
            flush=True,
        )
    assert proba_classes is not None
    macro_f1 = f1_score(y, pred.astype(str), average="macro")
    per_class = dict(
        zip(
            sorted(set(labels)),
            f1_score(y, pred.astype(str), labels=sorted(set(labels)), average=None),
            strict=True,
        )
    )
    acc = float(np.mean(pred == y))
    auto_share = float(auto.mean())
    auto_prec = float(np.mean(pred[auto] == y[auto]))

    t0 = time.perf_counter()
    full = engine.train(texts, labels, subjects, seed=0)
    train_s = time.perf_counter() - t0
    with tempfile.TemporaryDirectory() as tmp:
        mpath = Path(tmp) / "router.joblib"
        engine.save(full, mpath)
        size_mb = mpath.stat().st_size / 1e6
        full = engine.load(mpath)

    # One message per call, as the web request path does; first call warms jieba up.
    rng = np.random.default_rng(0)
    sample = rng.choice(n, size=min(args.latency_sample, n), replace=False)
    full.predict([texts[0]], [subjects[0]])
    lat = []
    for i in sample:
        t0 = time.perf_counter()
        full.predict([texts[i]], [subjects[i]])
        lat.append((time.perf_counter() - t0) * 1000)
    lat_med = statistics.median(lat)
    lat_p95 = float(np.percentile(lat, 95))

    def ok(value: float, key: str, higher: bool = True) -> str:
        return "yes" if (value >= TARGETS[key] if higher else value <= TARGETS[key]) else "**no**"

    print(
        f"Router benchmark — {n} messages, {args.folds}-fold stratified CV (seed 0), "
        f"{platform.machine()} {os.cpu_count()} cores, Python {platform.python_version()}\n"
    )
    print("| measure | value | target | met |")
    print("| --- | --- | --- | --- |")
    print(f"| macro-F1 | {macro_f1:.4f} | >= {TARGETS['macro_f1']} | {ok(macro_f1, 'macro_f1')} |")
    print(f"| accuracy | {acc:.4f} | | |")
    print(
        f"| top-3 accuracy | {top3_hit.mean():.4f} | >= {TARGETS['top3']} | "
        f"{ok(top3_hit.mean(), 'top3')} |"
    )
    print(
        f"| auto-dispatched share | {auto_share:.4f} | >= {TARGETS['auto_share']} | "
        f"{ok(auto_share, 'auto_share')} |"
    )
    print(
        f"| precision of auto-dispatched | {auto_prec:.4f} | >= {TARGETS['auto_precision']} | "
        f"{ok(auto_prec, 'auto_precision')} |"
    )
    print(
        f"| predict latency, median (p95), 1 msg/call, 1 thread | {lat_med:.2f} ms "
        f"({lat_p95:.2f} ms) | <= {TARGETS['latency_ms']} ms | "
        f"{ok(lat_med, 'latency_ms', higher=False)} |"
    )
    print(
        f"| train time, all {n} rows | {train_s:.1f} s | <= {TARGETS['train_s']:.0f} s | "
        f"{ok(train_s, 'train_s', higher=False)} |"
    )
    print(
        f"| model file size | {size_mb:.1f} MB | <= {TARGETS['size_mb']:.0f} MB | "
        f"{ok(size_mb, 'size_mb', higher=False)} |"
    )
    print("\n| fold | train s | macro-F1 | threshold | auto share | auto precision |")
    print("| --- | --- | --- | --- | --- | --- |")
    for k, fs, f1, th, sh, pr in fold_rows:
        print(f"| {k} | {fs:.1f} | {f1:.4f} | {th:.3f} | {sh:.3f} | {pr:.4f} |")
    print("\n| category | F1 |")
    print("| --- | --- |")
    for c, f in per_class.items():
        print(f"| {c} | {f:.4f} |")
    return 0


if __name__ == "__main__":
    sys.exit(main())
