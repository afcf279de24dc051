"""Routing engine: classify a citizen message into a subject category.

Pure Python (scikit-learn, numpy, scipy, joblib, jieba); no Django. One pass of sublinear TF-IDF
over the message (character 1-2-grams, where the subject is repeated to weigh it more, and jieba
words and word bigrams) gives two views of it:

- the *small view*: characters, character bigrams and single words, each block l2-normalised;
- the *full view*: all of it, each block l2-normalised.

Four cheap models score the message: a linear SVM on the small view, a linear SVM on the full
view's CHI2_K most class-dependent features, Complement Naive Bayes on the small view, and the
k nearest training messages by cosine similarity on the small view. Two combiners, fitted on
their out-of-fold scores (inner cross-validation), turn those scores into probabilities, and
their two probability vectors are averaged:

- a multinomial logistic regression on all the scores (every class's logit may use every
  model's score for every class);
- an *own-score* logistic model, where a class's logit uses only the four models' scores for
  that class (a weight per model and class, and a bias per class: 35 parameters for 7 classes
  instead of 203), which keeps the base models' rankings and has less to overfit.

The average is what `confidence` and the ranking in `top` are; the auto-dispatch threshold is
chosen on out-of-fold probabilities of that same average, aiming a little above the asked
precision (THRESHOLD_MARGIN). See bench/routing/RESULTS.md for why.

Prediction does not go through sklearn's `transform`/`decision_function`: `RouterModel._scores`
computes each message's TF-IDF entries from the stored vocabularies and IDF weights and multiplies
them by the stored coefficients directly, which is several times faster for one message per call
(the web request path).
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
from scipy.optimize import minimize
from scipy.sparse import csr_matrix, diags, hstack
from sklearn.feature_extraction.text import TfidfVectorizer
from sklearn.feature_selection import chi2
from sklearn.linear_model import LogisticRegression
from sklearn.metrics import f1_score
from sklearn.model_selection import StratifiedKFold, cross_val_predict
from sklearn.naive_bayes import ComplementNB
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
# 3: four-model stack (two SVMs, Complement NB, nearest neighbours) instead of one SVM; the model
#    keeps vocabularies and coefficients, no fitted vectorizers.
# 4: Complement NB enters the combiners as probabilities (was log-probabilities), and a second,
#    own-score combiner (`own_coef`, `own_intercept`) is averaged with the logistic regression.
FORMAT_VERSION = 4

jieba.setLogLevel(logging.WARNING)

# Hyper-parameters, chosen by cross-validation on the training set (see bench/routing).
SUBJECT_REPEAT = 3
CHAR_NGRAMS = (1, 2)
WORD_NGRAMS = (1, 2)
SMALL_CHAR_MAX = 2  # the small view: character n-grams up to this length ...
SMALL_WORD_MAX = 1  # ... and word n-grams up to this length
MIN_DF = 2
SVM_C = 1.0
# Looser than liblinear's default 1e-4: same CV scores, about 45 % faster to fit.
SVM_TOL = 1e-2
CHI2_K = 40_000  # features of the full view kept for its SVM
NB_ALPHA = 0.1
KNN_K = 5
STACK_C = 0.3
OWN_C = 1.0  # inverse L2 strength of the own-score combiner (as sklearn's C)
INNER_FOLDS = 3
# The out-of-fold precision of the training data runs above what new messages get: the final
# models, fitted on all rows, give new messages higher confidences than the inner-fold models
# give their held-out rows. 5-fold CV, two different splits, aiming at 0.98 + 0.002 gave
# 0.9806 and 0.9776 (format 3: 0.9830 and 0.9796), so the threshold aims this much higher.
THRESHOLD_MARGIN = 0.004

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
    # Module-level (not a lambda) so that it pickles for the worker processes. Dictionary words
    # only, no HMM guessing of unknown words: same CV macro-F1, about a third faster.
    return [w for w in jieba.lcut(doc, HMM=False) if w.strip()]


def _raw_row(
    grams: list[str], vocab: dict[str, int], idf: np.ndarray
) -> tuple[np.ndarray, np.ndarray]:
    """One document's sublinear TF-IDF entries, not normalised, as (indices, values).

    The same numbers as a fitted TfidfVectorizer(sublinear_tf=True, norm=None) `transform`,
    without its per-call input checks and sparse-matrix assembly, which cost more than the
    arithmetic for a single message.
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
    return idx, val


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


def _unit(v: np.ndarray) -> np.ndarray:
    n = np.sqrt(v @ v)
    return v / n if n > 0 else v


def _row_normalise(x: csr_matrix) -> csr_matrix:
    norms = np.sqrt(np.asarray(x.multiply(x).sum(axis=1)).ravel())
    norms[norms == 0] = 1.0
    return csr_matrix(diags(1.0 / norms) @ x)


def _logsumexp_rows(z: np.ndarray) -> np.ndarray:
    m = z.max(axis=1, keepdims=True)
    return m + np.log(np.exp(z - m).sum(axis=1, keepdims=True))


def _as_2d(scores: np.ndarray) -> np.ndarray:
    # A binary LinearSVC gives one column of decision values.
    return scores.reshape(len(scores), -1)


def _fit_members(f: csr_matrix, v: csr_matrix, y: np.ndarray, n_classes: int, seed: int) -> dict:
    """The four base models on (full view f, small view v, class indices y), as plain arrays."""
    a = LinearSVC(C=SVM_C, tol=SVM_TOL, class_weight="balanced", random_state=seed).fit(v, y)
    scores = np.nan_to_num(chi2(f, y)[0], nan=-1.0)
    k = min(CHI2_K, f.shape[1])
    # Stable, so ties are broken the same way on every run.
    cols = np.sort(np.argsort(-scores, kind="stable")[:k]).astype(np.int32)
    b = LinearSVC(C=SVM_C, tol=SVM_TOL, class_weight="balanced", random_state=seed).fit(
        f[:, cols], y
    )
    nb = ComplementNB(alpha=NB_ALPHA).fit(v, y)
    knn_x = _row_normalise(v).astype(np.float32)
    return {
        # float32 halves the file; the scores move by about 1e-7.
        "a_coef": a.coef_.astype(np.float32),
        "a_intercept": a.intercept_,
        "b_cols": cols,
        "b_coef": b.coef_.astype(np.float32),
        "b_intercept": b.intercept_,
        "nb_log_prob": nb.feature_log_prob_.astype(np.float32),
        # Nearest neighbours: the training messages' unit rows, one column per message.
        "knn_xt": csr_matrix(knn_x.T),
        "knn_y": y.astype(np.int32),
        "n_classes": n_classes,
    }


def _knn_votes(sims: np.ndarray, knn_y: np.ndarray, n_classes: int) -> np.ndarray:
    """Per class, the summed similarity of the message's KNN_K most similar training messages."""
    k = min(KNN_K, sims.shape[1])
    top = np.argpartition(-sims, k - 1, axis=1)[:, :k]
    w = np.take_along_axis(sims, top, axis=1)
    out = np.zeros((sims.shape[0], n_classes))
    for c in range(n_classes):
        out[:, c] = (w * (knn_y[top] == c)).sum(axis=1)
    return out


def _member_scores(m: dict, f: csr_matrix, v: csr_matrix) -> np.ndarray:
    """The combiners' input for the rows of (f, v): SVM, SVM, NB probabilities, kNN votes."""
    a = _as_2d(v @ m["a_coef"].T + m["a_intercept"])
    b = _as_2d(f[:, m["b_cols"]] @ m["b_coef"].T + m["b_intercept"])
    jll = np.asarray(v @ m["nb_log_prob"].T)
    # Probabilities, not log-probabilities: these run down to -20 and beyond on a clear message,
    # where the few classes that matter differ by fractions, and would dominate the combiners.
    nb = np.exp(jll - _logsumexp_rows(jll))
    sims = np.asarray((_row_normalise(v) @ m["knn_xt"]).todense())
    knn = _knn_votes(sims, m["knn_y"], m["n_classes"])
    return np.hstack([a, b, nb, knn])


def _own_view(scores: np.ndarray, n_classes: int) -> np.ndarray:
    """The own-score combiner's input, (messages, 4 models, classes): each model's score per class.

    A binary SVM's one column (positive towards the second class) becomes (0, score).
    """
    s = 1 if n_classes == 2 else n_classes
    a, b = scores[:, :s], scores[:, s : 2 * s]
    if s == 1:
        a, b = np.hstack([np.zeros_like(a), a]), np.hstack([np.zeros_like(b), b])
    nb, knn = scores[:, 2 * s : 2 * s + n_classes], scores[:, 2 * s + n_classes :]
    return np.stack([a, b, nb, knn], axis=1)


def _softmax_rows(z: np.ndarray) -> np.ndarray:
    z = z - z.max(axis=1, keepdims=True)
    np.exp(z, out=z)
    return z / z.sum(axis=1, keepdims=True)


def _fit_own(x: np.ndarray, y: np.ndarray, c: float = OWN_C) -> tuple[np.ndarray, np.ndarray]:
    """The own-score combiner on x = `_own_view(...)`: (weights (models, classes), biases).

    Class k's logit is sum over models m of w[m, k] * x[:, m, k], plus b[k]. Fitted by L-BFGS on
    the multinomial log-loss plus ||w||^2 / (2c) (biases not penalised), as sklearn's
    LogisticRegression does for its C.
    """
    _, n_models, n_classes = x.shape
    onehot = np.eye(n_classes)[y]
    nw = n_models * n_classes

    def loss(p: np.ndarray) -> tuple[float, np.ndarray]:
        w, b = p[:nw].reshape(n_models, n_classes), p[nw:]
        z = np.einsum("imk,mk->ik", x, w) + b
        lse = _logsumexp_rows(z)[:, 0]
        g = np.exp(z - lse[:, None]) - onehot
        value = (lse - (z * onehot).sum(axis=1)).sum() + (p[:nw] @ p[:nw]) / (2 * c)
        gw = np.einsum("imk,ik->mk", x, g).ravel() + p[:nw] / c
        return float(value), np.r_[gw, g.sum(axis=0)]

    res = minimize(
        loss, np.zeros(nw + n_classes), jac=True, method="L-BFGS-B", options={"maxiter": 1000}
    )
    return res.x[:nw].reshape(n_models, n_classes), res.x[nw:]


def _own_proba(x: np.ndarray, w: np.ndarray, b: np.ndarray) -> np.ndarray:
    return _softmax_rows(np.einsum("imk,mk->ik", x, w) + b)


def _fold_scores(
    f: csr_matrix, v: csr_matrix, y: np.ndarray, n_classes: int, tr, te, seed: int
) -> tuple[np.ndarray, np.ndarray]:
    m = _fit_members(f[tr], v[tr], y[tr], n_classes, seed)
    return te, _member_scores(m, f[te], v[te])


@dataclass
class RouterModel:
    char_vocab: dict[str, int]
    char_idf: np.ndarray
    word_vocab: dict[str, int]
    word_idf: np.ndarray
    small_cols: np.ndarray  # full-view column -> small-view column, or -1
    members: dict
    calibrator: LogisticRegression
    own_coef: np.ndarray  # the own-score combiner: weights (models, classes) ...
    own_intercept: np.ndarray  # ... and biases (classes)
    threshold: float
    labels: list[str]
    version: str
    trained_at: str
    metrics: dict = field(default_factory=dict)
    format_version: int = FORMAT_VERSION
    _names: list[str] | None = field(default=None, repr=False, compare=False)
    _fast: tuple | None = field(default=None, repr=False, compare=False)

    def _fast_parts(self) -> tuple:
        # Built on first use, not saved: everything is derived from the stored arrays.
        if self._fast is None:
            m = self.members
            n_full = len(self.small_cols)
            b_pos = np.full(n_full, -1, dtype=np.intp)
            b_pos[m["b_cols"]] = np.arange(len(m["b_cols"]))
            self._fast = (
                self.small_cols.astype(np.intp),
                b_pos,
                np.ascontiguousarray(m["a_coef"].T, dtype=float),
                m["a_intercept"].astype(float),
                np.ascontiguousarray(m["b_coef"].T, dtype=float),
                m["b_intercept"].astype(float),
                np.ascontiguousarray(m["nb_log_prob"].T, dtype=float),
                csr_matrix(m["knn_xt"], dtype=float),
            )
        return self._fast

    def _rows(self, doc: str) -> tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray]:
        """(full-view indices, values, small-view indices, values) of one document."""
        small = self._fast_parts()[0]
        ci, cv = _raw_row(_char_grams(doc, *CHAR_NGRAMS), self.char_vocab, self.char_idf)
        wi, wv = _raw_row(_word_grams(_words(doc), *WORD_NGRAMS), self.word_vocab, self.word_idf)
        wi = wi + len(self.char_idf)
        fi = np.concatenate([ci, wi])
        fv = np.concatenate([_unit(cv), _unit(wv)])
        cs, ws = small[ci], small[wi]
        vi = np.concatenate([cs[cs >= 0], ws[ws >= 0]])
        vv = np.concatenate([_unit(cv[cs >= 0]), _unit(wv[ws >= 0])])
        return fi, fv, vi, vv

    def _scores(self, docs: list[str]) -> np.ndarray:
        """The combiner's input, equal to `_member_scores` on the documents' matrices."""
        _, b_pos, a_t, a_b, b_t, b_b, nb_t, knn_xt = self._fast_parts()
        m = self.members
        rows = []
        for doc in docs:
            fi, fv, vi, vv = self._rows(doc)
            a = vv @ a_t[vi] + a_b
            bi = b_pos[fi]
            keep = bi >= 0
            b = fv[keep] @ b_t[bi[keep]] + b_b
            jll = vv @ nb_t[vi]
            nb = np.exp(jll - _logsumexp_rows(jll[None, :])[0])
            sims = _unit(vv) @ knn_xt[vi] if len(vi) else np.zeros(knn_xt.shape[1])
            knn = _knn_votes(np.asarray(sims).reshape(1, -1), m["knn_y"], m["n_classes"])[0]
            rows.append(np.concatenate([a, b, nb, knn]))
        return np.asarray(rows).reshape(len(docs), -1)

    def predict_proba(self, texts: list[str], subjects: list[str] | None = None) -> np.ndarray:
        """Class probabilities, columns in the order of `labels`."""
        scores = self._scores(_documents(texts, subjects))
        # The calibrator's predict_proba (multinomial softmax), without its per-call checks.
        z = scores @ self.calibrator.coef_.T + self.calibrator.intercept_
        if z.shape[1] == 1:  # two classes: a binary logistic regression
            z = np.hstack([np.zeros_like(z), z])
        own = _own_proba(_own_view(scores, len(self.labels)), self.own_coef, self.own_intercept)
        return (_softmax_rows(z) + own) / 2

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
        """The k n-grams/words that push hardest towards the predicted class, with their weight.

        Read off the small-view SVM, the most legible of the four models.
        """
        doc = _documents([text], [subject or ""])[0]
        cls = int(np.argmax(self.predict_proba([text], [subject or ""])[0]))
        small, _, a_t, *_ = self._fast_parts()
        fi, _, vi, vv = self._rows(doc)
        full_of = fi[small[fi] >= 0]  # full-view index of each small-view entry, same order
        if a_t.shape[1] == 1:  # binary SVM: one column, positive towards the second class
            weights = a_t[vi, 0] * (1.0 if cls == 1 else -1.0)
        else:
            weights = a_t[vi, cls]
        contrib = vv * weights
        if self._names is None:
            names = [""] * len(small)
            for vocab, offset in ((self.char_vocab, 0), (self.word_vocab, len(self.char_idf))):
                for term, j in vocab.items():
                    names[j + offset] = term
            self._names = names
        best: dict[str, float] = {}
        for j in np.argsort(-contrib, kind="stable"):
            if contrib[j] <= 0 or len(best) >= k:
                break
            name = self._names[full_of[j]].strip()
            # Punctuation n-grams (e.g. the subject separator) mean nothing to a reader; the two
            # vocabularies can both hold e.g. "垃圾", so keep the stronger one once.
            if name and name not in best and not any(_is_punct(ch) for ch in name):
                best[name] = float(contrib[j])
        return list(best.items())


def _fit_vectorizer(vec: TfidfVectorizer, docs: list) -> tuple[dict, np.ndarray, csr_matrix]:
    x = vec.fit_transform(docs)
    # Only what prediction needs: not the vectorizer (its stop_words_ alone is megabytes).
    return {str(t): int(j) for t, j in vec.vocabulary_.items()}, vec.idf_.astype(float), x


def _tokenise(docs: list[str]) -> list[list[str]]:
    return [_words(d) for d in docs]


def _word_analyzer(tokens: list[str]) -> list[str]:
    return _word_grams(tokens, *WORD_NGRAMS)


def _fit_features(docs: list[str]) -> tuple[dict, np.ndarray, dict, np.ndarray, csr_matrix]:
    common = {"sublinear_tf": True, "min_df": MIN_DF, "norm": None}
    char_vec = TfidfVectorizer(analyzer="char", ngram_range=CHAR_NGRAMS, **common)
    word_vec = TfidfVectorizer(analyzer=_word_analyzer, **common)
    # jieba is the slowest part and the character counting the next: on large sets, run the
    # counting and two halves of the segmentation in two processes; on small ones the process
    # start-up would cost more than it saves.
    if len(docs) >= 2000:
        half = len(docs) // 2
        (cvoc, cidf, xc), tok1, tok2 = Parallel(n_jobs=2)(
            [
                delayed(_fit_vectorizer)(char_vec, docs),
                delayed(_tokenise)(docs[:half]),
                delayed(_tokenise)(docs[half:]),
            ]
        )
        tokens = tok1 + tok2
    else:
        cvoc, cidf, xc = _fit_vectorizer(char_vec, docs)
        tokens = _tokenise(docs)
    wvoc, widf, xw = _fit_vectorizer(word_vec, tokens)
    return cvoc, cidf, wvoc, widf, hstack([xc, xw]).tocsr()


def _views(raw: csr_matrix, n_char: int, small_cols: np.ndarray) -> tuple[csr_matrix, csr_matrix]:
    """(full view, small view) of raw TF-IDF rows: each block l2-normalised."""
    xc, xw = raw[:, :n_char], raw[:, n_char:]
    f = hstack([_row_normalise(xc), _row_normalise(xw)]).tocsr()
    keep = np.flatnonzero(small_cols >= 0)
    kc, kw = keep[keep < n_char], keep[keep >= n_char] - n_char
    v = hstack([_row_normalise(xc[:, kc]), _row_normalise(xw[:, kw])]).tocsr()
    return f, v


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
    classes, y, counts = np.unique(
        np.asarray(labels, dtype=object).astype(str), return_inverse=True, return_counts=True
    )
    if len(classes) < 2:
        raise ValueError("need at least two categories to train")
    t0 = time.perf_counter()
    docs = _documents(list(texts), None if subjects is None else list(subjects))
    cvoc, cidf, wvoc, widf, raw = _fit_features(docs)
    n_char = len(cidf)
    small = np.zeros(raw.shape[1], dtype=bool)
    for term, j in cvoc.items():
        small[j] = len(term) <= SMALL_CHAR_MAX
    for term, j in wvoc.items():
        small[j + n_char] = term.count(" ") < SMALL_WORD_MAX
    small_cols = np.full(raw.shape[1], -1, dtype=np.int32)
    small_cols[small] = np.arange(int(small.sum()), dtype=np.int32)
    f, v = _views(raw, n_char, small_cols)
    n_classes = len(classes)

    # Out-of-fold scores of the four models train the combiner; the IDF weights and vocabularies
    # have seen all rows, which leaks no label information. The final models are fitted in the
    # same batch of jobs, so that both workers stay busy.
    folds = max(2, min(INNER_FOLDS, int(counts.min())))
    cv = StratifiedKFold(folds, shuffle=True, random_state=seed)
    splits = list(cv.split(np.zeros(len(y)), y))
    # Two workers halve the wall time on the 2-core target machine; not worth the process
    # start-up on small sets.
    jobs = 2 if len(y) >= 2000 else 1
    work = [delayed(_fold_scores)(f, v, y, n_classes, tr, te, seed) for tr, te in splits]
    work.append(delayed(_fit_members)(f, v, y, n_classes, seed))
    *oof_parts, members = Parallel(n_jobs=jobs)(work)
    oof_scores = np.zeros((len(y), oof_parts[0][1].shape[1]))
    for te, s in oof_parts:
        oof_scores[te] = s

    calibrator = LogisticRegression(C=STACK_C, max_iter=2000)
    # The threshold must be picked on probabilities the combiners have not been fitted on.
    oof_proba = cross_val_predict(calibrator, oof_scores, y, cv=cv, method="predict_proba")
    calibrator.fit(oof_scores, y)
    own_x = _own_view(oof_scores, n_classes)
    oof_own = np.zeros_like(oof_proba)
    for tr, te in splits:
        oof_own[te] = _own_proba(own_x[te], *_fit_own(own_x[tr], y[tr]))
    own_coef, own_intercept = _fit_own(own_x, y)
    oof_proba = (oof_proba + oof_own) / 2

    pred = oof_proba.argmax(axis=1)
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
        "n_features": int(raw.shape[1]),
    }
    trained_at = datetime.now(UTC).replace(microsecond=0).isoformat()
    digest = hashlib.sha256()
    for key in ("a_coef", "a_intercept", "b_coef", "b_intercept", "nb_log_prob"):
        digest.update(np.ascontiguousarray(members[key]).tobytes())
    digest.update(calibrator.coef_.tobytes())
    digest.update(own_coef.tobytes())
    version = trained_at.replace("-", "").replace(":", "")[:15] + "-" + digest.hexdigest()[:10]
    return RouterModel(
        char_vocab=cvoc,
        char_idf=cidf,
        word_vocab=wvoc,
        word_idf=widf,
        small_cols=small_cols,
        members=members,
        calibrator=calibrator,
        own_coef=own_coef,
        own_intercept=own_intercept,
        threshold=threshold,
        labels=[str(c) for c in classes],
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
            "retrain it: `shaobao router_retrain` for the active model, "
            "`shaobao router train` for a model file"
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
