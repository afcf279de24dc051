"""Routing engine: classify a citizen message into a subject category.

Pure Python (scikit-learn, numpy, scipy, joblib, jieba); no Django. The model is two TF-IDF
views of the message (character 1-3-grams, where the subject is repeated to weigh it more, and
jieba words/bigrams) feeding one linear SVM. The SVM's scores are turned into probabilities by a
small multinomial logistic regression fitted on out-of-fold scores, so that `confidence` means
what it says; the auto-dispatch threshold is chosen on those same out-of-fold probabilities,
aiming a little above the asked precision (THRESHOLD_MARGIN).

Prediction does not go through the vectorizers' `transform`: `RouterModel._scores` computes the
same TF-IDF rows and SVM scores directly from the fitted vocabularies, IDF weights and
coefficients, which is several times faster for one message per call (the web request path).
The vectorizers are still kept (and used by `explain`).
"""

from __future__ import annotations

import hashlib
import logging
import re
import time
import unicodedata
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path

import jieba
import joblib
import numpy as np
from joblib import Parallel, delayed
from scipy.sparse import csr_matrix, hstack
from sklearn.feature_extraction.text import TfidfVectorizer
from sklearn.linear_model import LogisticRegression
from sklearn.metrics import f1_score
from sklearn.model_selection import StratifiedKFold, cross_val_predict
from sklearn.svm import LinearSVC

__all__ = [
    "FORMAT_VERSION",
    "ModelFormatError",
    "Prediction",
    "RouterModel",
    "evaluate",
    "load",
    "save",
    "train",
]

# 2: jieba without HMM (a model trained with format 1 would see other words at predict time).
FORMAT_VERSION = 2

jieba.setLogLevel(logging.WARNING)

# Hyper-parameters, chosen by 5-fold CV on the training set (see bench/routing).
SUBJECT_REPEAT = 3
CHAR_NGRAMS = (1, 3)
WORD_NGRAMS = (1, 2)
MIN_DF = 2
SVM_C = 1.0
INNER_FOLDS = 5
# The out-of-fold precision of the training data runs slightly above what new messages get (5-fold
# CV: aiming at 0.98 gave 0.9796), so the threshold aims this much higher than asked.
THRESHOLD_MARGIN = 0.002

_SPACE = re.compile(r"\s+")


class ModelFormatError(ValueError):
    """The file is not a router model this code can read."""


@dataclass(frozen=True)
class Prediction:
    label: str
    confidence: float
    top: list[tuple[str, float]]
    auto: bool


def _clean(s: str | None) -> str:
    # NFKC folds full-width letters and digits, so "Ａ市" and "A市" are one token.
    return _SPACE.sub(" ", unicodedata.normalize("NFKC", s or "")).strip()


def _documents(texts: list[str], subjects: list[str] | None) -> list[str]:
    if subjects is None:
        subjects = [""] * len(texts)
    if len(subjects) != len(texts):
        raise ValueError("texts and subjects differ in length")
    docs = []
    for t, s in zip(texts, subjects, strict=True):
        s = _clean(s)
        docs.append((s + "。") * SUBJECT_REPEAT + _clean(t) if s else _clean(t))
    return docs


def _is_punct(ch: str) -> bool:
    return unicodedata.category(ch)[0] in "PS"


def _words(doc: str) -> list[str]:
    # Module-level (not a lambda) so the fitted vectorizer pickles. Dictionary words only, no
    # HMM guessing of unknown words: same CV macro-F1, about a third faster.
    return [w for w in jieba.lcut(doc, HMM=False) if w.strip()]


def _tfidf_row(
    grams: list[str], vocab: dict[str, int], idf: np.ndarray
) -> tuple[np.ndarray, np.ndarray]:
    """One document's sublinear-TF-IDF, l2-normalised, as (indices, values).

    The same numbers as the fitted TfidfVectorizer's `transform` (sublinear_tf, norm="l2"), without
    its per-call input checks and sparse-matrix assembly, which cost more than the arithmetic for a
    single message.
    """
    counts: dict[int, int] = {}
    get = vocab.get
    for g in grams:
        j = get(g)
        if j is not None:
            counts[j] = counts.get(j, 0) + 1
    if not counts:
        return np.empty(0, dtype=np.intp), np.empty(0)
    idx = np.fromiter(counts.keys(), dtype=np.intp, count=len(counts))
    val = (1.0 + np.log(np.fromiter(counts.values(), dtype=float, count=len(counts)))) * idf[idx]
    return idx, val / np.sqrt(val @ val)


def _char_grams(doc: str, lo: int, hi: int) -> list[str]:
    # As sklearn's "char" analyzer on an already whitespace-normalised document.
    doc = doc.lower()
    n = len(doc)
    return [doc[i : i + k] for k in range(lo, hi + 1) for i in range(n - k + 1)]


def _word_grams(tokens: list[str], lo: int, hi: int) -> list[str]:
    # As sklearn's word n-grams: tokens joined by a space.
    return [
        " ".join(tokens[i : i + k]) for k in range(lo, hi + 1) for i in range(len(tokens) - k + 1)
    ]


@dataclass
class RouterModel:
    char_vec: TfidfVectorizer
    word_vec: TfidfVectorizer
    svm: LinearSVC
    calibrator: LogisticRegression
    threshold: float
    labels: list[str]
    version: str
    trained_at: str
    metrics: dict = field(default_factory=dict)
    format_version: int = FORMAT_VERSION
    _names: np.ndarray | None = field(default=None, repr=False, compare=False)
    _fast: tuple | None = field(default=None, repr=False, compare=False)

    def _features(self, docs: list[str]) -> csr_matrix:
        return hstack([self.char_vec.transform(docs), self.word_vec.transform(docs)]).tocsr()

    def _fast_parts(self) -> tuple:
        # Built on first use, not saved: everything is derived from the fitted estimators.
        if self._fast is None:
            n_char = len(self.char_vec.vocabulary_)
            self._fast = (
                self.char_vec.vocabulary_,
                self.char_vec.idf_.astype(float),
                self.char_vec.ngram_range,
                self.word_vec.vocabulary_,
                self.word_vec.idf_.astype(float),
                self.word_vec.ngram_range,
                n_char,
                np.ascontiguousarray(self.svm.coef_.T, dtype=float),
                self.svm.intercept_.astype(float),
            )
        return self._fast

    def _scores(self, docs: list[str]) -> np.ndarray:
        """SVM decision values, equal to `svm.decision_function(_features(docs))`."""
        cvoc, cidf, (clo, chi), wvoc, widf, (wlo, whi), n_char, coef_t, b = self._fast_parts()
        out = np.empty((len(docs), coef_t.shape[1]))
        for r, doc in enumerate(docs):
            ci, cv = _tfidf_row(_char_grams(doc, clo, chi), cvoc, cidf)
            wi, wv = _tfidf_row(_word_grams(_words(doc), wlo, whi), wvoc, widf)
            out[r] = cv @ coef_t[ci] + wv @ coef_t[wi + n_char] + b
        return out

    def predict_proba(self, texts: list[str], subjects: list[str] | None = None) -> np.ndarray:
        """Class probabilities, columns in the order of `labels`."""
        scores = self._scores(_documents(texts, subjects))
        # The calibrator's predict_proba (multinomial softmax), without its per-call checks.
        z = scores @ self.calibrator.coef_.T + self.calibrator.intercept_
        if z.shape[1] == 1:  # two classes: a binary logistic regression
            z = np.hstack([np.zeros_like(z), z])
        z -= z.max(axis=1, keepdims=True)
        np.exp(z, out=z)
        return z / z.sum(axis=1, keepdims=True)

    def predict(self, texts: list[str], subjects: list[str] | None = None) -> list[Prediction]:
        if not texts:
            return []
        proba = self.predict_proba(texts, subjects)
        out = []
        for row in proba:
            order = np.argsort(-row)
            top = [(self.labels[i], float(row[i])) for i in order]
            conf = top[0][1]
            out.append(Prediction(top[0][0], conf, top, conf >= self.threshold))
        return out

    def explain(self, text: str, subject: str | None = None, k: int = 8) -> list[tuple[str, float]]:
        """The k n-grams/words that push hardest towards the predicted class, with their weight."""
        x = self._features(_documents([text], [subject or ""]))
        scores = self.svm.decision_function(x)[0]
        cls = int(np.argmax(scores))
        contrib = x.data * self.svm.coef_[cls, x.indices]
        if self._names is None:
            self._names = np.concatenate(
                [self.char_vec.get_feature_names_out(), self.word_vec.get_feature_names_out()]
            )
        best: dict[str, float] = {}
        for j in np.argsort(-contrib):
            if contrib[j] <= 0 or len(best) >= k:
                break
            name = str(self._names[x.indices[j]]).strip()
            # Punctuation n-grams (e.g. the subject separator) mean nothing to a reader; the two
            # vectorizers can both hold e.g. "垃圾", so keep the stronger one once.
            if name and name not in best and not any(_is_punct(ch) for ch in name):
                best[name] = float(contrib[j])
        return list(best.items())


def _fit_one(vec: TfidfVectorizer, docs: list[str]) -> tuple[TfidfVectorizer, csr_matrix]:
    return vec, vec.fit_transform(docs)


def _fit_features(docs: list[str]) -> tuple[TfidfVectorizer, TfidfVectorizer, csr_matrix]:
    char_vec = TfidfVectorizer(
        analyzer="char",
        ngram_range=CHAR_NGRAMS,
        sublinear_tf=True,
        min_df=MIN_DF,
        dtype=np.float32,
    )
    word_vec = TfidfVectorizer(
        tokenizer=_words,
        token_pattern=None,
        lowercase=False,
        ngram_range=WORD_NGRAMS,
        sublinear_tf=True,
        min_df=MIN_DF,
        dtype=np.float32,
    )
    # Both vectorizers are pure-Python loops of similar cost: on large sets, fit them in two
    # processes; on small ones the process start-up would cost more than it saves.
    jobs = 2 if len(docs) >= 2000 else 1
    (char_vec, xc), (word_vec, xw) = Parallel(n_jobs=jobs)(
        delayed(_fit_one)(v, docs) for v in (char_vec, word_vec)
    )
    return char_vec, word_vec, hstack([xc, xw]).tocsr()


def choose_threshold(conf: np.ndarray, correct: np.ndarray, target: float) -> float:
    """Lowest confidence cut-off whose dispatched set still reaches `target` precision.

    Scans the messages from most to least confident and keeps the largest prefix whose precision
    is >= target; ties in confidence are kept together. Returns 1.0 (nothing automatic, bar a
    perfect 1.0) when even the most confident message is wrong.
    """
    order = np.argsort(-conf, kind="stable")
    c, ok = conf[order], correct[order].astype(float)
    prec = np.cumsum(ok) / np.arange(1, len(ok) + 1)
    # Only cut where the next message has a strictly lower confidence.
    cut = np.r_[c[1:] < c[:-1], True]
    good = np.flatnonzero((prec >= target) & cut)
    return float(c[good[-1]]) if len(good) else 1.0


def train(
    texts: list[str],
    labels: list[str],
    subjects: list[str] | None = None,
    *,
    target_precision: float = 0.98,
    seed: int = 0,
) -> RouterModel:
    if len(texts) != len(labels):
        raise ValueError("texts and labels differ in length")
    classes, counts = np.unique(np.asarray(labels, dtype=object).astype(str), return_counts=True)
    if len(classes) < 2:
        raise ValueError("need at least two categories to train")
    t0 = time.perf_counter()
    docs = _documents(list(texts), None if subjects is None else list(subjects))
    y = np.asarray(labels, dtype=str)
    char_vec, word_vec, x = _fit_features(docs)
    svm = LinearSVC(C=SVM_C, random_state=seed)

    # Out-of-fold SVM scores calibrate the probabilities; the IDF weights have seen all rows,
    # which leaks no label information.
    folds = max(2, min(INNER_FOLDS, int(counts.min())))
    cv = StratifiedKFold(folds, shuffle=True, random_state=seed)
    # Two workers halve the wall time on the 2-core target machine; not worth the process
    # start-up on small sets.
    jobs = 2 if len(y) >= 2000 else 1
    oof_scores = cross_val_predict(svm, x, y, cv=cv, method="decision_function", n_jobs=jobs)
    calibrator = LogisticRegression(C=1.0, max_iter=1000)
    # The threshold must be picked on probabilities the calibrator has not been fitted on.
    oof_proba = cross_val_predict(calibrator, oof_scores, y, cv=cv, method="predict_proba")
    calibrator.fit(oof_scores, y)
    svm.fit(x, y)

    pred = classes[oof_proba.argmax(axis=1)]
    conf = oof_proba.max(axis=1)
    threshold = choose_threshold(conf, pred == y, min(1.0, target_precision + THRESHOLD_MARGIN))
    auto = conf >= threshold
    metrics = {
        "n_train": len(y),
        "cv_folds": folds,
        "cv_accuracy": float(np.mean(pred == y)),
        "cv_macro_f1": float(f1_score(y, pred, average="macro")),
        "cv_auto_share": float(auto.mean()),
        "cv_auto_precision": float(np.mean(pred[auto] == y[auto])) if auto.any() else None,
        "target_precision": target_precision,
        "train_seconds": round(time.perf_counter() - t0, 2),
        "n_features": int(x.shape[1]),
    }
    trained_at = datetime.now(UTC).replace(microsecond=0).isoformat()
    digest = hashlib.sha256()
    digest.update(svm.coef_.tobytes())
    digest.update(svm.intercept_.tobytes())
    version = trained_at.replace("-", "").replace(":", "")[:15] + "-" + digest.hexdigest()[:10]
    return RouterModel(
        char_vec=char_vec,
        word_vec=word_vec,
        svm=svm,
        calibrator=calibrator,
        threshold=threshold,
        labels=[str(c) for c in svm.classes_],
        version=version,
        trained_at=trained_at,
        metrics=metrics,
    )


def save(model: RouterModel, path: str | Path) -> None:
    model._names = model._fast = None  # caches, rebuilt on demand
    payload = {"format": "shaobao-router", "format_version": FORMAT_VERSION, "model": model}
    joblib.dump(payload, path, compress=3)


def load(path: str | Path) -> RouterModel:
    try:
        payload = joblib.load(path)
    except FileNotFoundError:
        raise
    except Exception as exc:  # joblib raises many kinds for a file that is not its own
        raise ModelFormatError(f"{path}: not a router model file ({exc})") from exc
    if not isinstance(payload, dict) or payload.get("format") != "shaobao-router":
        raise ModelFormatError(f"{path}: not a router model file")
    found = payload.get("format_version")
    if found != FORMAT_VERSION:
        raise ModelFormatError(
            f"{path}: router model format {found}, this code reads format {FORMAT_VERSION}; "
            "retrain the model with `shaobao router train`"
        )
    return payload["model"]


def evaluate(
    model: RouterModel, texts: list[str], labels: list[str], subjects: list[str] | None = None
) -> dict:
    proba = model.predict_proba(list(texts), None if subjects is None else list(subjects))
    names = np.asarray(model.labels)
    y = np.asarray(labels, dtype=str)
    pred = names[proba.argmax(axis=1)]
    conf = proba.max(axis=1)
    top3 = names[np.argsort(-proba, axis=1)[:, :3]]
    auto = conf >= model.threshold
    present = sorted(set(y) | set(pred))
    per_class = f1_score(y, pred, labels=present, average=None, zero_division=0)
    return {
        "n": len(y),
        "accuracy": float(np.mean(pred == y)),
        "macro_f1": float(f1_score(y, pred, average="macro", zero_division=0)),
        "per_class_f1": {c: float(f) for c, f in zip(present, per_class, strict=True)},
        "top3_accuracy": float(np.mean((top3 == y[:, None]).any(axis=1))),
        "threshold": model.threshold,
        "auto_share": float(auto.mean()),
        "auto_precision": float(np.mean(pred[auto] == y[auto])) if auto.any() else None,
    }
