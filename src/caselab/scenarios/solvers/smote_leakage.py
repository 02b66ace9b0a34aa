"""SMOTE before the split vs SMOTE inside each fold (imbalanced-learn's Pipeline), cross-validated.

Four protocols on one seeded ``make_classification`` dataset, all scored by average precision over the
same stratified folds:

* **leaky** — ``SMOTE().fit_resample(X, y)`` on everything, then ``cross_val_score`` on the result: the
  validation folds are half synthetic positives (their prevalence is ~50%, not the real rate) and
  the synthetics were built from rows that are now on both sides of the split;
* **leak only** — the same global synthetics added to each fold's training rows, but validation on the
  real held-out rows only: isolates the second effect (information from held-out rows in training);
* **in fold** — ``imblearn.pipeline.Pipeline([SMOTE, clf])``: SMOTE refits on each training fold, the
  validation fold stays untouched;
* **no SMOTE** — the classifier alone.

The seed article's comment has the direction backwards: the leak-free pipeline scores *lower* than the
leaky one. How much of the gap the second effect explains depends on the model: a smooth linear model
barely notices it; a nearest-neighbour model, which memorises the synthetics, does.
"""

from __future__ import annotations

import numpy as np
from imblearn.over_sampling import SMOTE
from sklearn.datasets import make_classification
from sklearn.linear_model import LogisticRegression
from sklearn.model_selection import StratifiedKFold
from sklearn.neighbors import KNeighborsClassifier

from caselab.maths.curves import average_precision
from caselab.scenarios.solvers import Answer, Solution, keep_distinct_mistakes, single_threaded
from caselab.scenarios.spec import DEFAULT_TOLERANCE, Given, Tolerance

GIVENS = {
    "n_samples": Given("rows of the synthetic dataset", kind="integer", lo=500, hi=50_000),
    "n_features": Given("features (make_classification)", kind="integer", lo=2, hi=50),
    "n_informative": Given("informative features", kind="integer", lo=1, hi=50),
    "n_redundant": Given("redundant (linear combinations) features", kind="integer", lo=0, hi=50),
    "minority_share": Given("share of the positive class requested from make_classification", kind="rate",
                            lo_open=True, hi=0.3),
    "flip_y": Given("share of labels flipped at random (label noise)", kind="rate", hi=0.2),
    "class_sep": Given("class separation (make_classification)", lo=0, lo_open=True, hi=5),
    "seed": Given("random_state of the data, the folds and SMOTE", kind="integer", lo=0),
    "n_folds": Given("stratified cross-validation folds", kind="integer", lo=2, hi=10),
    "smote_k": Given("SMOTE's k_neighbors", kind="integer", lo=1, hi=20),
    "knn_k": Given("n_neighbors of the k-nearest-neighbour classifier", kind="integer", lo=1, hi=50),
}

ANSWERS = {"val_positive_share_leaky", "ap_leaky", "ap_in_fold", "ap_no_smote", "ap_leak_only", "inflation",
           "ap_in_fold_knn", "ap_leak_only_knn", "comment_direction", "keep_smote", "pipeline_class"}

TOLERANCE = {"val_positive_share_leaky": DEFAULT_TOLERANCE["rate"],
             **{q: Tolerance(abs=0.01) for q in ("ap_leaky", "ap_in_fold", "ap_no_smote", "ap_leak_only", "inflation",
                                                 "ap_in_fold_knn", "ap_leak_only_knn")}}

DIRECTION = ["the leak-free pipeline scores higher", "the leak-free pipeline scores lower"]
KEEP = ["yes: keep SMOTE in the pipeline", "no: drop SMOTE, use class weights or a tuned threshold"]
PIPELINES = ["sklearn.pipeline.Pipeline", "imblearn.pipeline.Pipeline"]

DATA_CODE = """\
import numpy as np
from sklearn.datasets import make_classification
from sklearn.linear_model import LogisticRegression
from sklearn.model_selection import StratifiedKFold, cross_val_score
from sklearn.neighbors import KNeighborsClassifier
from sklearn.metrics import average_precision_score
from imblearn.over_sampling import SMOTE
from imblearn.pipeline import Pipeline

X, y = make_classification(n_samples=n_samples, n_features=n_features, n_informative=n_informative,
                           n_redundant=n_redundant, weights=[1 - minority_share], flip_y=flip_y,
                           class_sep=class_sep, random_state=seed)
cv = StratifiedKFold(n_splits=n_folds, shuffle=True, random_state=seed)
print(f"{len(y):,} rows, {y.sum():,} positive ({y.mean():.2%})")"""

SETUP_CODE = """\
lr = LogisticRegression(max_iter=1000)
knn = KNeighborsClassifier(n_neighbors=knn_k)

# SMOTE on everything, before any split (the leak); imblearn appends the synthetic rows after the originals
X_res, y_res = SMOTE(k_neighbors=smote_k, random_state=seed).fit_resample(X, y)
synthetic = np.arange(len(y), len(y_res))

def leak_only(model):
    \"\"\"Train on each fold's real rows + all global synthetics; validate on the real held-out rows only.\"\"\"
    scores = []
    for train, val in cv.split(X, y):
        rows = np.concatenate([train, synthetic])
        fitted = model.fit(X_res[rows], y_res[rows])
        scores.append(average_precision_score(y[val], fitted.predict_proba(X[val])[:, 1]))
    return float(np.mean(scores))

def in_fold(model):
    pipe = Pipeline([("smote", SMOTE(k_neighbors=smote_k, random_state=seed)), ("clf", model)])
    return cross_val_score(pipe, X, y, cv=cv, scoring="average_precision").mean()"""


def _data(g: dict):
    if g["n_informative"] + g["n_redundant"] > g["n_features"]:
        raise ValueError("n_informative + n_redundant must not exceed n_features.")
    X, y = make_classification(n_samples=g["n_samples"], n_features=g["n_features"], n_informative=g["n_informative"],
                               n_redundant=g["n_redundant"], weights=[1 - g["minority_share"]], flip_y=g["flip_y"],
                               class_sep=g["class_sep"], random_state=g["seed"])
    cv = StratifiedKFold(n_splits=g["n_folds"], shuffle=True, random_state=g["seed"])
    return X, y, cv


def protocols(givens: dict) -> dict:
    """The cross-validated AP of every protocol (shared with the tests).

    Computed fold by fold — what ``cross_val_score`` and imbalanced-learn's ``Pipeline`` do, without their
    per-call machinery (a third of the time on a small dataset): each fold's SMOTE is fitted once on the
    training rows and feeds both models (a Pipeline clones the same seeded SMOTE, so it resamples the
    same rows). Single-threaded BLAS: on small matrices extra threads only spin (4× the CPU time on a
    shared machine) and the numbers do not depend on the thread count.
    """
    g = givens
    with single_threaded():
        X, y, cv = _data(g)
        if y.sum() < g["n_folds"] * 3:
            raise ValueError("too few positives for this many folds: raise n_samples or minority_share.")
        folds = list(cv.split(X, y))
        if min(int(y[train].sum()) for train, _ in folds) <= g["smote_k"]:
            raise ValueError("a training fold has no more positives than smote_k: SMOTE cannot find the neighbours.")
        X_res, y_res = _smote(g).fit_resample(X, y)
        assert np.array_equal(X_res[: len(y)], X), "imblearn no longer keeps the originals first"
        synthetic = np.arange(len(y), len(y_res))

        def lr():
            return LogisticRegression(max_iter=1000)

        def knn():
            return KNeighborsClassifier(n_neighbors=g["knn_k"])

        def ap(model, X_train, y_train, X_val, y_val) -> float:
            return average_precision(y_val, model.fit(X_train, y_train).predict_proba(X_val)[:, 1])

        leaky_folds = list(cv.split(X_res, y_res))
        scores: dict[str, list[float]] = {k: [] for k in ("none", "in_fold", "in_fold_knn", "leak_only",
                                                          "leak_only_knn")}
        for train, val in folds:
            scores["none"].append(ap(lr(), X[train], y[train], X[val], y[val]))
            X_fold, y_fold = _smote(g).fit_resample(X[train], y[train])  # in fold: the training rows only
            scores["in_fold"].append(ap(lr(), X_fold, y_fold, X[val], y[val]))
            scores["in_fold_knn"].append(ap(knn(), X_fold, y_fold, X[val], y[val]))
            rows = np.concatenate([train, synthetic])  # leak only: + every global synthetic, real validation rows
            scores["leak_only"].append(ap(lr(), X_res[rows], y_res[rows], X[val], y[val]))
            scores["leak_only_knn"].append(ap(knn(), X_res[rows], y_res[rows], X[val], y[val]))
        leaky = [ap(lr(), X_res[train], y_res[train], X_res[val], y_res[val]) for train, val in leaky_folds]
    val_share = float(np.mean([y_res[val].mean() for _, val in leaky_folds]))
    return dict(y=y, y_res=y_res, val_share=val_share, leaky=float(np.mean(leaky)),
                **{k: float(np.mean(v)) for k, v in scores.items()})


def _smote(g: dict) -> SMOTE:
    return SMOTE(k_neighbors=g["smote_k"], random_state=g["seed"])


def solve(givens: dict) -> Solution:
    r = protocols(givens)
    prevalence = float(r["y"].mean())
    a: dict[str, Answer] = {}
    a["val_positive_share_leaky"] = Answer(
        r["val_share"], formula="share of positives in the validation folds after SMOTE on everything",
        work=f"{r['val_share']:.4f} (the real rate is {prevalence:.4f}): half of every validation fold is "
             "synthetic positives",
        code="val_positive_share_leaky = np.mean([y_res[val].mean() for _, val in cv.split(X_res, y_res)])",
        mistakes={"the real positive rate (the validation folds are assumed untouched)": prevalence})
    a["ap_leaky"] = Answer(
        r["leaky"], formula="cross_val_score(LR, X_res, y_res, scoring='average_precision').mean()",
        work=f"{r['leaky']:.4f}",
        code="ap_leaky = cross_val_score(lr, X_res, y_res, cv=cv, scoring='average_precision').mean()",
        mistakes={"the in-fold pipeline's score": r["in_fold"]})
    a["ap_in_fold"] = Answer(
        r["in_fold"], formula="cross_val_score(imblearn Pipeline([SMOTE, LR]), X, y).mean()",
        work=f"{r['in_fold']:.4f}", code="ap_in_fold = in_fold(lr)",
        mistakes={"SMOTE before the split": r["leaky"]})
    a["ap_no_smote"] = Answer(
        r["none"], formula="cross_val_score(LR, X, y).mean()", work=f"{r['none']:.4f}",
        code="ap_no_smote = cross_val_score(lr, X, y, cv=cv, scoring='average_precision').mean()")
    a["ap_leak_only"] = Answer(
        r["leak_only"], formula="train: fold's real rows + all global synthetics; validate: real held-out rows",
        work=f"{r['leak_only']:.4f} vs in-fold {r['in_fold']:.4f}: for LR the synthetics built from held-out rows "
             f"add {r['leak_only'] - r['in_fold']:+.4f}; the validation folds' fake prevalence did the rest",
        code="ap_leak_only = leak_only(lr)",
        mistakes={"the fully leaky protocol (synthetics in validation too)": r["leaky"]})
    infl = r["leaky"] - r["in_fold"]
    a["inflation"] = Answer(
        infl, formula="AP(leaky) − AP(in fold)", work=f"{r['leaky']:.4f} − {r['in_fold']:.4f} = {infl:.4f} "
                                                      f"({infl * 100:.0f} points)",
        code="inflation = ap_leaky - ap_in_fold", depends_on=("ap_leaky", "ap_in_fold"),
        recompute=lambda v: v["ap_leaky"] - v["ap_in_fold"],
        mistakes={"the wrong sign (in fold − leaky)": -infl})
    a["ap_in_fold_knn"] = Answer(
        r["in_fold_knn"], formula=f"imblearn Pipeline([SMOTE, kNN(k={givens['knn_k']})]), cross-validated AP",
        work=f"{r['in_fold_knn']:.4f}", code="ap_in_fold_knn = in_fold(knn)")
    a["ap_leak_only_knn"] = Answer(
        r["leak_only_knn"], formula="the leak-only protocol with the kNN classifier",
        work=f"{r['leak_only_knn']:.4f} vs in fold {r['in_fold_knn']:.4f}: {r['leak_only_knn'] - r['in_fold_knn']:+.4f}"
             " — a memorising model cashes in on synthetics built from the held-out positives",
        code="ap_leak_only_knn = leak_only(knn)",
        mistakes={"the in-fold score": r["in_fold_knn"]})

    lower = r["in_fold"] < r["leaky"]
    a["comment_direction"] = Answer(
        DIRECTION[1] if lower else DIRECTION[0],
        formula="a leak makes the validation score optimistic: removing it lowers the score",
        work=f"in fold {r['in_fold']:.4f} vs leaky {r['leaky']:.4f}",
        code=f"comment_direction = {(DIRECTION[1] if lower else DIRECTION[0])!r}",
        mistakes={"the claim gets the direction backwards: a leak makes the *leaky* number higher, so the fixed pipeline "
                  "comes out lower": DIRECTION[0]} if lower else {})
    keep = r["in_fold"] > r["none"] + 0.01
    a["keep_smote"] = Answer(
        KEEP[0] if keep else KEEP[1], formula="compare the honest numbers: in-fold SMOTE vs no SMOTE "
                                              "(keep SMOTE only if it wins by more than 0.01 AP)",
        work=f"in fold {r['in_fold']:.4f} vs no SMOTE {r['none']:.4f}",
        code=f"keep_smote = {(KEEP[0] if keep else KEEP[1])!r}",
        mistakes={"judged on the leaky number": KEEP[0]} if not keep else {})
    a["pipeline_class"] = Answer(
        PIPELINES[1], formula="a sampler must run in fit only, on the training fold; scikit-learn's Pipeline "
                              "has no notion of a step that changes the rows",
        work="imblearn's Pipeline calls fit_resample during fit and skips the sampler at predict/score time",
        code=f"pipeline_class = {PIPELINES[1]!r}",
        mistakes={"sklearn's Pipeline rejects SMOTE (it has no transform), and fit_resample before "
                  "cross_val_score is the leak": PIPELINES[0]})
    facts = {"leak_gain_lr": r["leak_only"] - r["in_fold"], "leak_gain_knn": r["leak_only_knn"] - r["in_fold_knn"],
             "prevalence_effect": r["leaky"] - r["leak_only"]}
    return Solution(keep_distinct_mistakes(a, TOLERANCE), data_code=DATA_CODE, setup_code=SETUP_CODE, facts=facts)
