"""Router engine and CLI, on a small synthetic fixture (no database, no shared data)."""

import csv
import json
from pathlib import Path

import joblib
import numpy as np
import pytest

from shaobao.duties.router import ModelFormatError, engine, evaluate, load, save, train
from shaobao.duties.router.cli import main

FIXTURE = Path(__file__).parent / "fixtures" / "router_small.csv"

# Messages that are not in the fixture, each clearly of one category.
UNSEEN = [
    (
        "化工厂排放刺鼻废气",
        "我家附近的化工厂天天排放废气，空气污染严重，请环保局查处。",
        "环境保护",
    ),
    ("", "开发商交房后一直不办房产证，小区物业还乱收费，业主很无奈。", "城乡建设"),
    ("公交车停运", "我们村唯一的公交线路停运了，出行很不方便，请恢复公交车。", "交通运输"),
    ("学校强制补课", "孩子所在的中学周末强制补课收费，请教育局管一管。", "教育文体"),
]


def _rows() -> list[dict[str, str]]:
    with FIXTURE.open(encoding="utf-8", newline="") as fh:
        return list(csv.DictReader(fh))


def _write(path: Path, rows: list[dict[str, str]], fields: list[str], bom: bool = False) -> Path:
    with path.open("w", encoding="utf-8-sig" if bom else "utf-8", newline="") as fh:
        w = csv.DictWriter(fh, fields, extrasaction="ignore")
        w.writeheader()
        w.writerows(rows)
    return path


@pytest.fixture(scope="module")
def model() -> engine.RouterModel:
    # Trained once for the module: training dominates the run time of these tests.
    rows = _rows()
    return train(
        [r["text"] for r in rows], [r["category"] for r in rows], [r["subject"] for r in rows]
    )


@pytest.fixture(scope="module")
def model_file(model, tmp_path_factory) -> Path:
    path = tmp_path_factory.mktemp("router") / "router.joblib"
    save(model, path)
    return path


def test_train_rejects_bad_input():
    with pytest.raises(ValueError, match="length"):
        train(["a", "b"], ["x"])
    with pytest.raises(ValueError, match="two"):
        train(["a", "b"], ["x", "x"])


def test_fixture_is_what_the_tests_assume():
    rows = _rows()
    assert 90 <= len(rows) <= 120
    assert len({r["category"] for r in rows}) == 4
    assert any(not r["subject"] for r in rows) and any(not r["id"] for r in rows)


def test_two_categories():
    # A district may have history for only two matters: the binary SVMs give one score column.
    rows = [r for r in _rows() if r["category"] in ("环境保护", "交通运输")]
    m = train([r["text"] for r in rows], [r["category"] for r in rows])
    assert m.labels == ["交通运输", "环境保护"]
    preds = m.predict([UNSEEN[0][1], UNSEEN[2][1]])
    assert [p.label for p in preds] == ["环境保护", "交通运输"]
    assert all(sum(q for _, q in p.top) == pytest.approx(1.0) for p in preds)
    assert m.explain(UNSEEN[0][1], k=3)


def test_model_attributes(model):
    assert model.labels == sorted({r["category"] for r in _rows()})
    assert 0.0 < model.threshold <= 1.0
    assert model.version and model.version[:8].isdigit()
    assert model.trained_at.startswith("20")
    assert model.metrics["n_train"] == len(_rows())
    assert 0.0 <= model.metrics["cv_macro_f1"] <= 1.0


def test_predicts_unseen_messages(model):
    subjects, texts, expected = zip(*UNSEEN, strict=True)
    preds = model.predict(list(texts), list(subjects))
    assert [p.label for p in preds] == list(expected)


def test_prediction_shape_and_auto_rule(model):
    rows = _rows()
    preds = model.predict([r["text"] for r in rows], [r["subject"] for r in rows])
    assert len(preds) == len(rows)
    for p in preds:
        assert 0.0 <= p.confidence <= 1.0
        assert len(p.top) >= 3
        probs = [q for _, q in p.top]
        assert probs == sorted(probs, reverse=True)
        assert p.top[0] == (p.label, p.confidence)
        assert sum(probs) == pytest.approx(1.0, abs=1e-6)
        assert p.auto == (p.confidence >= model.threshold)


def test_predict_without_subjects_and_empty(model):
    preds = model.predict([UNSEEN[0][1], ""])
    assert preds[0].label == "环境保护"
    assert 0.0 <= preds[1].confidence <= 1.0
    assert model.predict([]) == []


def test_explain_points_at_words_of_the_message(model):
    subject, text, _ = UNSEEN[0]
    reasons = model.explain(text, subject, k=5)
    assert 0 < len(reasons) <= 5
    weights = [w for _, w in reasons]
    assert weights == sorted(weights, reverse=True) and weights[-1] > 0
    doc = subject + text
    assert all(t.replace(" ", "") in doc for t, _ in reasons)


def test_save_load_round_trip(model, model_file):
    loaded = load(model_file)
    assert loaded.version == model.version and loaded.threshold == model.threshold
    texts = [t for _, t, _ in UNSEEN]
    assert [(p.label, p.confidence) for p in loaded.predict(texts)] == [
        (p.label, p.confidence) for p in model.predict(texts)
    ]


def test_load_rejects_other_formats(model, model_file, tmp_path):
    payload = joblib.load(model_file)
    payload["format_version"] = engine.FORMAT_VERSION + 1
    joblib.dump(payload, tmp_path / "future.joblib")
    with pytest.raises(ModelFormatError, match="format"):
        load(tmp_path / "future.joblib")
    (tmp_path / "junk.joblib").write_text("not a model", encoding="utf-8")
    with pytest.raises(ModelFormatError):
        load(tmp_path / "junk.joblib")


def test_evaluate_metrics(model):
    subjects, texts, labels = zip(*UNSEEN, strict=True)
    res = evaluate(model, list(texts), list(labels), list(subjects))
    assert res["n"] == 4
    assert res["accuracy"] == 1.0 and res["macro_f1"] == 1.0 and res["top3_accuracy"] == 1.0
    assert set(res["per_class_f1"]) == set(labels)
    wrong = evaluate(model, list(texts), ["交通运输"] * 4, list(subjects))
    assert wrong["accuracy"] == 0.25
    assert 0.0 <= wrong["auto_share"] <= 1.0


def test_choose_threshold():
    conf = np.array([0.99, 0.95, 0.9, 0.8, 0.7, 0.6])
    correct = np.array([1, 1, 1, 0, 1, 0], dtype=bool)
    assert engine.choose_threshold(conf, correct, 0.98) == 0.9
    assert engine.choose_threshold(conf, correct, 0.75) == 0.7
    assert engine.choose_threshold(conf, ~correct, 0.98) == 1.0
    # Tied confidences go together: cutting inside the tie would not be a real threshold.
    tied = np.array([0.9, 0.9, 0.5])
    assert engine.choose_threshold(tied, np.array([1, 0, 1], dtype=bool), 0.98) == 1.0


def _read_out(path: Path) -> list[dict[str, str]]:
    with path.open(encoding="utf-8", newline="") as fh:
        return list(csv.DictReader(fh))


def test_cli_train_predict_evaluate(tmp_path, capsys):
    mpath = tmp_path / "m.joblib"
    rc = main(
        [
            "train",
            "--input",
            str(FIXTURE),
            "--text-col",
            "text",
            "--label-col",
            "category",
            "--subject-col",
            "subject",
            "--model",
            str(mpath),
        ]
    )
    assert rc == 0 and mpath.is_file()
    model = load(mpath)

    new = [{"id": f"x{i}", "subject": s, "text": t} for i, (s, t, _) in enumerate(UNSEEN)]
    inp = _write(tmp_path / "new.csv", new, ["id", "subject", "text"], bom=True)
    out = tmp_path / "out.csv"
    assert main(["predict", "--model", str(mpath), "--input", str(inp), "--output", str(out)]) == 0
    with out.open(encoding="utf-8") as fh:
        assert fh.readline().strip() == "id,predicted,confidence,top3,auto"
    got = _read_out(out)
    assert [r["id"] for r in got] == ["x0", "x1", "x2", "x3"]
    assert [r["predicted"] for r in got] == [c for _, _, c in UNSEEN]
    for r in got:
        top3 = r["top3"].split("|")
        assert len(top3) == 3 and top3[0] == r["predicted"] and set(top3) <= set(model.labels)
        assert r["auto"] == str(int(float(r["confidence"]) >= model.threshold))

    capsys.readouterr()
    assert main(["evaluate", "--model", str(mpath), "--input", str(FIXTURE), "--json"]) == 0
    res = json.loads(capsys.readouterr().out)
    assert res["n"] == len(_rows()) and res["accuracy"] > 0.9
    assert main(["evaluate", "--model", str(mpath), "--input", str(FIXTURE)]) == 0
    text = capsys.readouterr().out
    assert "macro-F1" in text and "top-3" in text and "教育文体" in text


def test_cli_predict_row_numbers_and_empty_subject(model_file, tmp_path):
    rows = [{"subject": "", "text": t} for _, t, _ in UNSEEN]
    inp = _write(tmp_path / "noid.csv", rows, ["subject", "text"])
    out = tmp_path / "out.csv"
    assert (
        main(["predict", "--model", str(model_file), "--input", str(inp), "--output", str(out)])
        == 0
    )
    got = _read_out(out)
    assert [r["id"] for r in got] == ["1", "2", "3", "4"]
    assert [r["predicted"] for r in got] == [c for _, _, c in UNSEEN]


def test_cli_predict_keeps_blank_ids(model_file, tmp_path):
    rows = [{"id": "", "text": UNSEEN[0][1]}, {"id": "7", "text": UNSEEN[1][1]}]
    inp = _write(tmp_path / "ids.csv", rows, ["id", "text"])
    out = tmp_path / "out.csv"
    assert (
        main(["predict", "--model", str(model_file), "--input", str(inp), "--output", str(out)])
        == 0
    )
    assert [r["id"] for r in _read_out(out)] == ["", "7"]


@pytest.mark.parametrize(
    "argv_tail, message",
    [
        (["--text-col", "body"], "body"),
        (["--subject-col", "title"], "title"),
    ],
)
def test_cli_missing_column(model_file, tmp_path, capsys, argv_tail, message):
    out = tmp_path / "out.csv"
    rc = main(
        [
            "predict",
            "--model",
            str(model_file),
            "--input",
            str(FIXTURE),
            "--output",
            str(out),
            *argv_tail,
        ]
    )
    err = capsys.readouterr().err
    assert rc == 2 and message in err and "Traceback" not in err
    assert not out.exists()


def test_cli_train_errors(tmp_path, capsys):
    mpath = tmp_path / "m.joblib"
    assert (
        main(["train", "--input", str(FIXTURE), "--label-col", "dept", "--model", str(mpath)]) == 2
    )
    assert "dept" in capsys.readouterr().err
    assert main(["train", "--input", str(tmp_path / "nope.csv"), "--model", str(mpath)]) == 2
    assert "not found" in capsys.readouterr().err
    empty = _write(tmp_path / "empty.csv", [], ["text", "category"])
    assert main(["train", "--input", str(empty), "--model", str(mpath)]) == 2
    assert "no data rows" in capsys.readouterr().err
    assert not mpath.exists()


def test_cli_model_errors(tmp_path, capsys):
    out = tmp_path / "out.csv"
    assert (
        main(
            [
                "predict",
                "--model",
                str(tmp_path / "none.joblib"),
                "--input",
                str(FIXTURE),
                "--output",
                str(out),
            ]
        )
        == 2
    )
    assert "model file not found" in capsys.readouterr().err
    bad = tmp_path / "bad.joblib"
    bad.write_bytes(b"garbage")
    assert main(["evaluate", "--model", str(bad), "--input", str(FIXTURE)]) == 2
    err = capsys.readouterr().err
    assert "not a router model" in err and "Traceback" not in err


def test_cli_usage(capsys):
    with pytest.raises(SystemExit) as exc:
        main(["--help"])
    assert exc.value.code == 0
    assert "shaobao router" in capsys.readouterr().out
    with pytest.raises(SystemExit) as exc:
        main(["predict", "--model", "m"])
    assert exc.value.code == 2


def test_own_score_combiner_learns_which_model_to_trust():
    """The own-score combiner (format 4) weighs each base model's score for a class: on data
    where only the second model's scores carry the label, it learns a clearly positive weight
    for that model and next to none for the noise model, and its probabilities sum to 1."""
    rng = np.random.default_rng(0)
    n, n_classes = 600, 3
    y = rng.integers(0, n_classes, n)
    informative = np.eye(n_classes)[y] * 2.0 + rng.normal(0, 0.5, (n, n_classes))
    noise = rng.normal(0, 1.0, (n, n_classes))
    x = np.stack([noise, informative, noise * 0, noise * 0], axis=1)  # (rows, models, classes)
    w, b = engine._fit_own(x, y)
    assert w.shape == (4, n_classes) and b.shape == (n_classes,)
    assert (w[1] > 1.0).all() and (abs(w[0]) < 0.3).all()
    p = engine._own_proba(x, w, b)
    assert np.allclose(p.sum(axis=1), 1.0) and (p.argmax(axis=1) == y).mean() > 0.9


def test_own_view_of_a_binary_model_puts_its_one_score_on_the_second_class():
    scores = np.array([[1.5, -0.5, 0.2, 0.8, 0.6, 0.4]])  # SVM, SVM (one column each), NB, kNN
    view = engine._own_view(scores, 2)
    assert view.shape == (1, 4, 2)
    assert view[0, 0].tolist() == [0.0, 1.5] and view[0, 1].tolist() == [0.0, -0.5]
    assert view[0, 2].tolist() == [0.2, 0.8] and view[0, 3].tolist() == [0.6, 0.4]


def test_predicted_probabilities_average_both_combiners(model):
    texts = [t for _, t, _ in UNSEEN]
    proba = model.predict_proba(texts)
    assert np.allclose(proba.sum(axis=1), 1.0)
    preds = model.predict(texts)
    for p, row in zip(preds, proba, strict=True):
        assert p.label == model.labels[int(row.argmax())]
        assert p.confidence == pytest.approx(float(row.max()), abs=1e-4)
