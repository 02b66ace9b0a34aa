"""MCC vs F1 when they disagree, and F1's dependence on which class is "positive" (seed 002 metrics).

F1 = 2·TP / (2·TP + FP + FN) never looks at the true negatives, so it is a statement about one class:
swap the labels and a model's F1 changes, sometimes from 0.95 to 0. The Matthews correlation
coefficient uses all four cells and is symmetric in the classes: swapping them (TP ↔ TN, FP ↔ FN)
leaves it unchanged. A classifier that predicts the majority class for everything has a high F1 when
the majority is labelled positive, and MCC 0 (0/0, reported as 0).

Model A predicts the majority ("positive sentiment") for every review; model B is given by its counts.
"""

from __future__ import annotations

from caselab.maths.metrics import Confusion
from caselab.scenarios.solvers import Answer, Solution
from caselab.scenarios.spec import Given

GIVENS = {
    "n_reviews": Given("labelled reviews", kind="integer", lo=2),
    "n_positive": Given("reviews with positive sentiment (the majority)", kind="integer", lo=1),
    "model_b": Given("model B's counts, with positive sentiment as the positive class", kind="table", fields={
        "tp": Given("positive reviews predicted positive", kind="integer", lo=0),
        "tn": Given("negative reviews predicted negative", kind="integer", lo=0),
    }),
}

ANSWERS = {"f1_a", "f1_b", "mcc_a", "mcc_b", "f1_neg_a", "f1_neg_b", "mcc_neg_b", "prefer_by_f1", "prefer_by_mcc",
           "symmetric_metric"}


def confusions(givens: dict) -> dict[str, Confusion]:
    n, pos = givens["n_reviews"], givens["n_positive"]
    neg = n - pos
    if neg < 0 or givens["model_b"]["tp"] > pos or givens["model_b"]["tn"] > neg:
        raise ValueError("model B's counts do not fit the review counts: need tp ≤ n_positive and "
                         "tn ≤ n_reviews − n_positive.")
    tp_b, tn_b = givens["model_b"]["tp"], givens["model_b"]["tn"]
    a = Confusion(tp=pos, fp=neg, fn=0, tn=0)  # everything predicted positive
    b = Confusion(tp=tp_b, fp=neg - tn_b, fn=pos - tp_b, tn=tn_b)
    return {"a": a, "b": b, "a_neg": swap(a), "b_neg": swap(b)}


def swap(c: Confusion) -> Confusion:
    """The same predictions scored with the other class as 'positive'."""
    return Confusion(tp=c.tn, fp=c.fn, fn=c.fp, tn=c.tp)


def solve(givens: dict) -> Solution:
    cm = confusions(givens)
    a_, b_ = cm["a"], cm["b"]
    ans: dict[str, Answer] = {}

    def cells(c):
        return f"TP {c.tp:g}, FP {c.fp:g}, FN {c.fn:g}, TN {c.tn:g}"

    for key, c in (("a", a_), ("b", b_)):
        ans[f"f1_{key}"] = Answer(
            c.f1, formula="F1 = 2·TP / (2·TP + FP + FN), positive sentiment as the positive class",
            work=f"{cells(c)}: 2·{c.tp:g} / (2·{c.tp:g} + {c.fp:g} + {c.fn:g}) = {c.f1:.4f}",
            code=f"f1_{key} = cm_{key}.f1",
            mistakes={"F1 with negative sentiment as the positive class": swap(c).f1, "the accuracy": c.accuracy})
        ans[f"mcc_{key}"] = Answer(
            c.mcc, formula="MCC = (TP·TN − FP·FN) / √((TP+FP)(TP+FN)(TN+FP)(TN+FN)); 0/0 reported as 0",
            work=f"({c.tp:g}·{c.tn:g} − {c.fp:g}·{c.fn:g}) / √({c.flagged:g}·{c.positives:g}·{c.negatives:g}·"
                 f"{c.tn + c.fn:g}) = {c.mcc:.4f}",
            code=f"mcc_{key} = cm_{key}.mcc",
            mistakes={"the F1": c.f1, "the accuracy": c.accuracy})
    for key, c in (("a", cm["a_neg"]), ("b", cm["b_neg"])):
        ans[f"f1_neg_{key}"] = Answer(
            c.f1, formula="swap the classes (TP ↔ TN, FP ↔ FN), then F1 = 2·TP / (2·TP + FP + FN)",
            work=f"{cells(c)}: F1 = {c.f1:.4f}",
            code=f"cm_{key}_neg = caselab.metrics.Confusion(tp=cm_{key}.tn, fp=cm_{key}.fn, fn=cm_{key}.fp, "
                 f"tn=cm_{key}.tp)\nf1_neg_{key} = cm_{key}_neg.f1",
            mistakes={"F1 with positive sentiment as the positive class (not swapped)":
                      (a_ if key == "a" else b_).f1})
    ans["mcc_neg_b"] = Answer(
        cm["b_neg"].mcc, formula="MCC with the classes swapped: the same formula, the same value",
        work=f"{cells(cm['b_neg'])}: MCC = {cm['b_neg'].mcc:.4f} (unswapped {b_.mcc:.4f})",
        code="mcc_neg_b = cm_b_neg.mcc",
        # a slip is named only where it lands clearly off the key (for some counts the swapped F1 happens to
        # equal the MCC, and −MCC equals MCC when MCC ≈ 0): there no feedback could tell the two apart
        mistakes={m: v for m, v in {"the swapped F1": cm["b_neg"].f1, "minus the unswapped MCC": -b_.mcc}.items()
                  if abs(v - cm["b_neg"].mcc) > 0.005})

    def prefer(x, y):
        return "A" if x > y else "B"

    f1_pick = prefer(a_.f1, b_.f1)
    mcc_pick = prefer(a_.mcc, b_.mcc)
    ans["prefer_by_f1"] = Answer(
        f1_pick, formula="the model with the higher F1 (positive sentiment as positive)",
        work=f"F1: A {a_.f1:.4f} vs B {b_.f1:.4f} → {f1_pick}",
        code='prefer_by_f1 = "A" if f1_a > f1_b else "B"', depends_on=("f1_a", "f1_b"),
        recompute=lambda v: prefer(v["f1_a"], v["f1_b"]))
    ans["prefer_by_mcc"] = Answer(
        mcc_pick, formula="the model with the higher MCC",
        work=f"MCC: A {a_.mcc:.4f} vs B {b_.mcc:.4f} → {mcc_pick}",
        code='prefer_by_mcc = "A" if mcc_a > mcc_b else "B"', depends_on=("mcc_a", "mcc_b"),
        recompute=lambda v: prefer(v["mcc_a"], v["mcc_b"]))
    ans["symmetric_metric"] = Answer(
        "MCC", formula="MCC is symmetric in the two classes; F1, precision and recall are about one class",
        work=f"B: F1 {b_.f1:.4f} → {cm['b_neg'].f1:.4f} when the classes swap; MCC {b_.mcc:.4f} → {cm['b_neg'].mcc:.4f}",
        code='symmetric_metric = "MCC"',
        mistakes={"F1 ignores the true negatives, so swapping the classes changes it": "F1"})

    setup = ("cm_a = caselab.metrics.Confusion(tp=n_positive, fp=n_reviews - n_positive, fn=0, tn=0)  # all positive\n"
             "cm_b = caselab.metrics.Confusion(tp=model_b['tp'], fp=n_reviews - n_positive - model_b['tn'],\n"
             "                                 fn=n_positive - model_b['tp'], tn=model_b['tn'])\n"
             "print(cm_a, cm_b, sep='\\n\\n')")
    return Solution(ans, setup_code=setup)
