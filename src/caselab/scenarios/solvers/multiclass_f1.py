"""Macro, micro and weighted F1 of a multi-class model, and which one to report when a class is rare.

Beyond the seeds; seed 002's metrics section, extended to more than two classes. From a confusion
matrix C (rows = true class, columns = predicted class), each class k is a one-vs-rest binary problem:
TP_k = C[k, k], FP_k = column sum − TP_k, FN_k = row sum − TP_k, and F1_k = 2TP_k / (2TP_k + FP_k + FN_k).

* **macro F1** = the unweighted mean of F1_k: every class counts the same, so a rare class matters.
* **weighted F1** = the mean of F1_k weighted by class support (row sums): dominated by big classes.
* **micro F1** pools the counts: ΣTP / (ΣTP + ½ΣFP + ½ΣFN). In single-label multi-class data every
  error is one FP (for the predicted class) and one FN (for the true class), so ΣFP = ΣFN and micro
  F1 = micro precision = micro recall = accuracy.
"""

from __future__ import annotations

import math

import numpy as np

from caselab.maths.metrics import Confusion
from caselab.scenarios.solvers import Answer, Solution, keep_distinct_mistakes
from caselab.scenarios.spec import Given, Tolerance

_MATRIX = Given("confusion matrix: rows = true class, columns = predicted class, in the order of `classes`",
                kind="list", min_items=2, each=Given("a row", kind="list", min_items=2,
                                                     each=Given("a count", kind="integer", lo=0)))

GIVENS = {
    "classes": Given("class names, in matrix order", kind="list", min_items=2, each=Given("a class name", kind="text")),
    "rare_class": Given("the rare class the product acts on", kind="text"),
    "confusion_a": _MATRIX,
    "confusion_b": _MATRIX,
}

ANSWERS = {"f1_rare_a", "macro_f1_a", "micro_f1_a", "weighted_f1_a", "macro_f1_b", "micro_f1_b", "micro_prefers",
           "ship", "report_which", "rare_recall_ci_halfwidth"}

MODELS = ["model A", "model B"]


def per_class(cm: np.ndarray) -> list[Confusion]:
    """One-vs-rest confusion of every class."""
    total = cm.sum()
    out = []
    for k in range(cm.shape[0]):
        tp = cm[k, k]
        fp = cm[:, k].sum() - tp
        fn = cm[k, :].sum() - tp
        out.append(Confusion(tp=int(tp), fp=int(fp), fn=int(fn), tn=int(total - tp - fp - fn)))
    return out


def averages(cm: np.ndarray) -> dict[str, float]:
    cls = per_class(cm)
    f1 = np.array([c.f1 for c in cls])
    support = cm.sum(axis=1)
    tp, fp, fn = (sum(getattr(c, a) for c in cls) for a in ("tp", "fp", "fn"))
    return {"macro": float(f1.mean()), "weighted": float(np.sum(f1 * support) / support.sum()),
            "micro": float(2 * tp / (2 * tp + fp + fn)), "accuracy": float(np.trace(cm) / cm.sum())}


def _matrix(rows, k: int, name: str) -> np.ndarray:
    cm = np.asarray(rows, dtype=np.int64)
    if cm.shape != (k, k):
        raise ValueError(f"{name} must be {k}×{k} (one row and column per class); got shape {cm.shape}.")
    if cm.sum() == 0:
        raise ValueError(f"{name} is empty.")
    return cm

# the specs' tolerances, for keep_distinct_mistakes (tests/test_solvers.py checks they match)
TOLERANCE = {"f1_rare_a": Tolerance(abs=0.001), "macro_f1_a": Tolerance(abs=0.0002),
             "micro_f1_a": Tolerance(abs=0.0003), "weighted_f1_a": Tolerance(abs=0.0003),
             "macro_f1_b": Tolerance(abs=0.001), "micro_f1_b": Tolerance(abs=0.001),
             "rare_recall_ci_halfwidth": Tolerance(abs=0.002)}


def solve(givens: dict) -> Solution:
    classes = list(givens["classes"])
    if givens["rare_class"] not in classes:
        raise ValueError(f"rare_class {givens['rare_class']!r} is not one of {classes}.")
    r = classes.index(givens["rare_class"])
    cm_a = _matrix(givens["confusion_a"], len(classes), "confusion_a")
    cm_b = _matrix(givens["confusion_b"], len(classes), "confusion_b")
    ca, cb = per_class(cm_a), per_class(cm_b)
    av_a, av_b = averages(cm_a), averages(cm_b)
    rare = ca[r]
    a: dict[str, Answer] = {}

    a["f1_rare_a"] = Answer(
        rare.f1, formula="one-vs-rest: TP = diagonal, FP = column − TP, FN = row − TP; F1 = 2TP / (2TP + FP + FN)",
        work=f"TP {rare.tp:.0f}, FP {rare.fp:.0f}, FN {rare.fn:.0f}: 2·{rare.tp:.0f} / (2·{rare.tp:.0f} + "
             f"{rare.fp:.0f} + {rare.fn:.0f}) = {rare.f1:.4f}",
        code=f"f1_rare_a = f1_score(y_true_a, y_pred_a, labels=[{r}], average=None)[0]",
        mistakes={"the arithmetic mean of precision and recall": (rare.precision + rare.recall) / 2,
                  "the class's recall": rare.recall, "the class's precision": rare.precision})
    per_a = ", ".join(f"{name} {c.f1:.4f}" for name, c in zip(classes, ca, strict=True))
    a["macro_f1_a"] = Answer(
        av_a["macro"], formula="macro F1 = mean of the per-class F1 (each class counts the same)",
        work=f"per-class F1: {per_a} → mean {av_a['macro']:.4f}",
        code="macro_f1_a = f1_score(y_true_a, y_pred_a, average='macro')",
        mistakes={"micro F1 (= accuracy)": av_a["micro"], "weighted F1": av_a["weighted"],
                  "F1 of macro precision and macro recall (sklearn's macro averages the F1s)":
                  _f1_of_means(ca)})
    a["micro_f1_a"] = Answer(
        av_a["micro"], formula="micro F1 = 2ΣTP / (2ΣTP + ΣFP + ΣFN) = accuracy (single-label data: ΣFP = ΣFN)",
        work=f"ΣTP = {np.trace(cm_a):,} of {cm_a.sum():,} → {av_a['micro']:.4f}",
        code="micro_f1_a = f1_score(y_true_a, y_pred_a, average='micro')",
        mistakes={"macro F1": av_a["macro"], "weighted F1": av_a["weighted"]})
    a["weighted_f1_a"] = Answer(
        av_a["weighted"], formula="weighted F1 = Σ support_k · F1_k / Σ support_k",
        work=" + ".join(f"{s:,}·{c.f1:.4f}" for s, c in zip(cm_a.sum(axis=1), ca, strict=True))
        + f" over {cm_a.sum():,} = {av_a['weighted']:.4f}",
        code="weighted_f1_a = f1_score(y_true_a, y_pred_a, average='weighted')",
        mistakes={"macro F1 (unweighted)": av_a["macro"], "micro F1": av_a["micro"]})
    per_b = ", ".join(f"{name} {c.f1:.4f}" for name, c in zip(classes, cb, strict=True))
    a["macro_f1_b"] = Answer(
        av_b["macro"], formula="mean of model B's per-class F1", work=f"per-class F1: {per_b} → {av_b['macro']:.4f}",
        code="macro_f1_b = f1_score(y_true_b, y_pred_b, average='macro')",
        mistakes={"micro F1 (= accuracy)": av_b["micro"]})
    a["micro_f1_b"] = Answer(
        av_b["micro"], formula="micro F1 = accuracy", work=f"{np.trace(cm_b):,} / {cm_b.sum():,} = {av_b['micro']:.4f}",
        code="micro_f1_b = f1_score(y_true_b, y_pred_b, average='micro')",
        mistakes={"macro F1": av_b["macro"]})
    micro_pick = MODELS[0] if av_a["micro"] >= av_b["micro"] else MODELS[1]
    a["micro_prefers"] = Answer(
        micro_pick, formula="the model with the higher micro F1",
        work=f"micro F1: A {av_a['micro']:.4f}, B {av_b['micro']:.4f} → {micro_pick}",
        code="micro_prefers = 'model A' if micro_f1_a >= micro_f1_b else 'model B'",
        depends_on=("micro_f1_a", "micro_f1_b"),
        recompute=lambda v: MODELS[0] if v["micro_f1_a"] >= v["micro_f1_b"] else MODELS[1])
    ship = MODELS[0] if av_a["macro"] >= av_b["macro"] else MODELS[1]
    other = MODELS[1] if ship == MODELS[0] else MODELS[0]
    a["ship"] = Answer(
        ship, formula="the product acts on the rare class: compare models by macro F1 (with the rare class's own F1)",
        work=f"macro F1: A {av_a['macro']:.4f}, B {av_b['macro']:.4f}; {givens['rare_class']} F1: "
             f"A {ca[r].f1:.4f}, B {cb[r].f1:.4f} → {ship}",
        code="ship = 'model A' if macro_f1_a >= macro_f1_b else 'model B'",
        depends_on=("macro_f1_a", "macro_f1_b"),
        recompute=lambda v: MODELS[0] if v["macro_f1_a"] >= v["macro_f1_b"] else MODELS[1],
        mistakes={f"{other}: chosen by micro F1 / accuracy, which the big classes dominate": other}
        if micro_pick != ship else {})
    a["report_which"] = Answer(
        "macro F1, with per-class F1", formula="report the average that gives the rare class its weight, and the "
                                               "per-class numbers behind it",
        work=f"micro = accuracy = {av_a['micro']:.4f} hides a {givens['rare_class']} F1 of {rare.f1:.4f}",
        code='report_which = "macro F1, with per-class F1"',
        mistakes={"micro F1 is accuracy: dominated by the frequent classes": "micro F1",
                  "weighted F1 weights by support: the rare class barely counts": "weighted F1"})
    n_rare = float(cm_a[r].sum())
    rec = rare.recall
    half = 1.959963984540054 * math.sqrt(rec * (1 - rec) / n_rare)
    a["rare_recall_ci_halfwidth"] = Answer(
        half, formula="normal-approximation 95% CI half-width of a recall: 1.96·√(R(1 − R)/n_class)",
        work=f"R = {rec:.4f} on {n_rare:.0f} {givens['rare_class']} items: 1.96·√({rec:.4f}·{1 - rec:.4f}/{n_rare:.0f}) "
             f"= {half:.4f}",
        code=f"n_rare = sum(confusion_a[{r}])\n"
             f"recall_rare = confusion_a[{r}][{r}] / n_rare\n"
             "rare_recall_ci_halfwidth = 1.959963984540054 * (recall_rare * (1 - recall_rare) / n_rare) ** 0.5",
        mistakes={"n = all items instead of the rare class's items":
                  1.959963984540054 * math.sqrt(rec * (1 - rec) / cm_a.sum()),
                  "the standard error, without the 1.96": math.sqrt(rec * (1 - rec) / n_rare)})

    data_code = (
        "import numpy as np\n"
        "from sklearn.metrics import f1_score\n\n"
        "def expand(cm):\n"
        "    # label arrays that reproduce a confusion matrix (rows = true class, columns = predicted), classes 0, 1, …\n"
        "    cm = np.asarray(cm)\n"
        "    true, pred = np.indices(cm.shape)\n"
        "    return np.repeat(true.ravel(), cm.ravel()), np.repeat(pred.ravel(), cm.ravel())\n\n"
        "y_true_a, y_pred_a = expand(confusion_a)\n"
        "y_true_b, y_pred_b = expand(confusion_b)\n"
        "print(dict(enumerate(classes)), f'{len(y_true_a):,} reviews')")
    return Solution(keep_distinct_mistakes(a, TOLERANCE), data_code=data_code)


def _f1_of_means(cls: list[Confusion]) -> float:
    p = float(np.mean([c.precision for c in cls]))
    r = float(np.mean([c.recall for c in cls]))
    return 2 * p * r / (p + r) if p + r else 0.0
