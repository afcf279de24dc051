"""`shaobao router`: train, apply and evaluate the message router from CSV files."""

from __future__ import annotations

import argparse
import csv
import json
import sys
from pathlib import Path

from . import engine


class CliError(Exception):
    """A user error: reported on stderr with exit code 2."""


def _read_csv(path: str, needed: list[str], optional: list[str]) -> dict[str, list[str]]:
    p = Path(path)
    if not p.is_file():
        raise CliError(f"input file not found: {path}")
    try:
        # utf-8-sig also reads plain UTF-8, and strips the BOM Excel writes.
        with p.open(encoding="utf-8-sig", newline="") as fh:
            reader = csv.DictReader(fh)
            header = reader.fieldnames or []
            missing = [c for c in needed if c not in header]
            if missing:
                raise CliError(
                    f"{path}: missing column(s) {', '.join(missing)}; found: {', '.join(header)}"
                )
            cols = [c for c in [*needed, *optional] if c in header]
            data: dict[str, list[str]] = {c: [] for c in cols}
            for row in reader:
                for c in cols:
                    data[c].append(row.get(c) or "")
    except UnicodeDecodeError as exc:
        raise CliError(f"{path}: not UTF-8 text ({exc})") from exc
    except csv.Error as exc:
        raise CliError(f"{path}: malformed CSV ({exc})") from exc
    if not data[needed[0]]:
        raise CliError(f"{path}: no data rows")
    return data


def _subject_cols(col: str | None) -> tuple[list[str], list[str], str]:
    """(required, optional, name): an explicit --subject-col must exist, `subject` may."""
    return ([col], [], col) if col else ([], ["subject"], "subject")


def _load_model(path: str) -> engine.RouterModel:
    if not Path(path).is_file():
        raise CliError(f"model file not found: {path}")
    try:
        return engine.load(path)
    except engine.ModelFormatError as exc:
        raise CliError(str(exc)) from exc


def _train(args: argparse.Namespace) -> int:
    req, _, scol = _subject_cols(args.subject_col)
    # Training uses a subject only when asked, so that train and predict inputs agree.
    data = _read_csv(args.input, [args.text_col, args.label_col, *req], [])
    labels = data[args.label_col]
    if any(not lab.strip() for lab in labels):
        raise CliError(f"{args.input}: some rows have an empty {args.label_col}")
    if len(set(labels)) < 2:
        raise CliError(f"{args.input}: need at least two distinct values in {args.label_col}")
    try:
        model = engine.train(
            data[args.text_col],
            labels,
            data.get(scol),
            target_precision=args.target_precision,
        )
    except ValueError as exc:
        raise CliError(str(exc)) from exc
    engine.save(model, args.model)
    m = model.metrics
    print(
        f"trained {model.version} on {m['n_train']} messages, {len(model.labels)} categories; "
        f"cross-validated macro-F1 {m['cv_macro_f1']:.3f}; auto-dispatch threshold "
        f"{model.threshold:.3f} ({m['cv_auto_share']:.1%} automatic in CV); saved to {args.model}"
    )
    return 0


def _predict(args: argparse.Namespace) -> int:
    model = _load_model(args.model)
    req, opt, scol = _subject_cols(args.subject_col)
    data = _read_csv(args.input, [args.text_col, *req], ["id", *opt])
    texts = data[args.text_col]
    ids = data.get("id") or [str(i) for i in range(1, len(texts) + 1)]
    preds = model.predict(texts, data.get(scol))
    with open(args.output, "w", encoding="utf-8", newline="") as fh:
        w = csv.writer(fh)
        w.writerow(["id", "predicted", "confidence", "top3", "auto"])
        for i, p in zip(ids, preds, strict=True):
            top3 = "|".join(lab for lab, _ in p.top[:3])
            w.writerow([i, p.label, f"{p.confidence:.4f}", top3, int(p.auto)])
    n_auto = sum(p.auto for p in preds)
    print(f"{len(preds)} messages routed, {n_auto} automatically; written to {args.output}")
    return 0


def _evaluate(args: argparse.Namespace) -> int:
    model = _load_model(args.model)
    req, opt, scol = _subject_cols(args.subject_col)
    data = _read_csv(args.input, [args.text_col, args.label_col, *req], opt)
    res = engine.evaluate(model, data[args.text_col], data[args.label_col], data.get(scol))
    if args.json:
        print(json.dumps(res, ensure_ascii=False, indent=2))
        return 0
    prec = res["auto_precision"]
    lines = [
        f"model {model.version}, {res['n']} messages",
        f"accuracy        {res['accuracy']:.4f}",
        f"macro-F1        {res['macro_f1']:.4f}",
        f"top-3 accuracy  {res['top3_accuracy']:.4f}",
        f"auto-dispatch   {res['auto_share']:.1%} of messages at threshold "
        f"{res['threshold']:.3f}, precision {'n/a' if prec is None else f'{prec:.4f}'}",
        "per-class F1:",
        *(f"  {c}  {f:.4f}" for c, f in res["per_class_f1"].items()),
    ]
    print("\n".join(lines))
    return 0


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="shaobao router", description="Route citizen messages to categories."
    )
    sub = parser.add_subparsers(dest="command", required=True)

    t = sub.add_parser("train", help="train a model from a labelled CSV")
    t.add_argument("--input", required=True, help="UTF-8 CSV with a header row")
    t.add_argument("--text-col", default="text")
    t.add_argument("--label-col", default="category")
    t.add_argument("--subject-col", default=None)
    t.add_argument("--model", required=True, help="where to write the model file")
    t.add_argument(
        "--target-precision",
        type=float,
        default=0.98,
        help="precision the auto-dispatch threshold aims for (default 0.98)",
    )
    t.set_defaults(func=_train)

    p = sub.add_parser("predict", help="route the messages of a CSV")
    p.add_argument("--model", required=True)
    p.add_argument("--input", required=True)
    p.add_argument("--output", required=True, help="CSV: id,predicted,confidence,top3,auto")
    p.add_argument("--text-col", default="text")
    p.add_argument(
        "--subject-col",
        default=None,
        help="subject column (default: `subject` when the input has one)",
    )
    p.set_defaults(func=_predict)

    e = sub.add_parser("evaluate", help="score a model on a labelled CSV")
    e.add_argument("--model", required=True)
    e.add_argument("--input", required=True)
    e.add_argument("--text-col", default="text")
    e.add_argument("--label-col", default="category")
    e.add_argument(
        "--subject-col",
        default=None,
        help="subject column (default: `subject` when the input has one)",
    )
    e.add_argument("--json", action="store_true", help="machine-readable output")
    e.set_defaults(func=_evaluate)
    return parser


def main(argv: list[str] | None = None) -> int:
    args = build_parser().parse_args(argv)
    try:
        return args.func(args)
    except CliError as exc:
        print(f"shaobao router: error: {exc}", file=sys.stderr)
        return 2
    except OSError as exc:  # e.g. an unwritable --output or --model path
        print(f"shaobao router: error: {exc}", file=sys.stderr)
        return 2


if __name__ == "__main__":
    sys.exit(main())
