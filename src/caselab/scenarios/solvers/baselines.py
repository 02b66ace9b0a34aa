"""The accuracy paradox: what trivial classifiers score on an imbalanced test set (seed 002, seed 000 Q4).

Before judging a model, know what *no model* scores. On a test set of ``n`` examples with prevalence
π (P = n·π positives, N = n − P negatives):

* **predict all negative** — accuracy 1 − π, recall 0, F1 0, balanced accuracy 0.5, and MCC 0/0,
  reported as 0 (scikit-learn's convention and caselab's zero-division policy);
* **a constant score** (every example tied) — one operating point, "flag everything", with
  precision π and recall 1, so average precision = π: the no-skill baseline of PR-AUC;
* **a coin that flags a share q at random** — precision π, recall q, F1 = 2πq/(π + q);
* **the majority class called "positive"** — predicting it for everything scores
  F1 = 2N/(2N + P), near 1: F1 depends on which class is labelled positive.
"""

from __future__ import annotations

import math

import numpy as np

from caselab.maths.curves import average_precision
from caselab.maths.metrics import Confusion
from caselab.scenarios.solvers import Answer, Solution, keep_distinct_mistakes
from caselab.scenarios.spec import Given, Tolerance

GIVENS = {
    "n": Given("transactions in the test set", kind="integer", lo=2),
    "prevalence": Given("share of fraudulent transactions (the positive class)", kind="rate", lo_open=True,
                        hi=0.5),
    "coin_flag_rate": Given("share of transactions a random 'coin' model flags", kind="rate", lo_open=True),
    "reported_accuracy": Given("the accuracy the team reported for its model", kind="rate"),
}

ANSWERS = {"accuracy_all_negative", "recall_all_negative", "f1_all_negative", "balanced_accuracy_all_negative",
           "mcc_all_negative", "ap_constant_score", "f1_coin_flip", "f1_majority_positive", "beats_trivial",
           "which_condition"}

# the spec's tolerance of every number question (a mistake inside it is never offered)
TOLERANCE = {qid: Tolerance(abs=0.001) for qid in (
    "accuracy_all_negative", "recall_all_negative", "f1_all_negative", "balanced_accuracy_all_negative",
    "mcc_all_negative", "ap_constant_score", "f1_coin_flip", "f1_majority_positive")}

CONDITIONS = ["a bad metric", "a loss that assumes balanced priors", "asymmetric business costs"]


def labels(n_pos: int, n_neg: int) -> np.ndarray:
    """Labels with n_pos positives and n_neg negatives (order is irrelevant for these baselines)."""
    return np.r_[np.ones(n_pos, dtype=np.int8), np.zeros(n_neg, dtype=np.int8)]


def solve(givens: dict) -> Solution:
    n, prevalence, q = givens["n"], givens["prevalence"], givens["coin_flag_rate"]
    n_pos = round(n * prevalence)  # as in the data cell
    n_neg = n - n_pos
    a: dict[str, Answer] = {}

    # predict all negative: nothing flagged (the notebook counts it on y_true with threshold +inf)
    nothing = Confusion(tp=0, fp=0, fn=n_pos, tn=n_neg)
    a["accuracy_all_negative"] = Answer(
        nothing.accuracy, formula="accuracy = (TP + TN) / n = N / n = 1 − π when nothing is flagged",
        work=f"(0 + {n_neg:,}) / {n:,} = {nothing.accuracy:.4f}",
        code="accuracy_all_negative = cm_nothing.accuracy",
        mistakes={"the prevalence (the share of fraud) instead of the share predicted right": n_pos / n})
    a["recall_all_negative"] = Answer(
        nothing.recall, formula="recall = TP / (TP + FN); nothing flagged ⇒ TP = 0",
        work=f"0 / {n_pos:,} = 0", code="recall_all_negative = cm_nothing.recall",
        mistakes={"the accuracy (share of all transactions right), not the share of fraud caught": nothing.accuracy,
                  "the specificity (share of legitimate transactions passed)": nothing.specificity})
    a["f1_all_negative"] = Answer(
        nothing.f1, formula="F1 = 2·TP / (2·TP + FP + FN); TP = 0 ⇒ F1 = 0",
        work=f"2·0 / (0 + 0 + {n_pos:,}) = 0", code="f1_all_negative = cm_nothing.f1",
        mistakes={"the accuracy": nothing.accuracy,
                  "F1 of the negative class (legitimate called 'positive')":
                      2 * n_neg / (2 * n_neg + n_pos)})
    a["balanced_accuracy_all_negative"] = Answer(
        nothing.balanced_accuracy, formula="balanced accuracy = (recall + specificity) / 2",
        work=f"(0 + {nothing.specificity:g}) / 2 = {nothing.balanced_accuracy:g}",
        code="balanced_accuracy_all_negative = cm_nothing.balanced_accuracy",
        mistakes={"the plain accuracy": nothing.accuracy, "the recall alone, without the specificity": nothing.recall})
    a["mcc_all_negative"] = Answer(
        nothing.mcc,
        formula="MCC = (TP·TN − FP·FN) / √((TP+FP)(TP+FN)(TN+FP)(TN+FN)); TP + FP = 0 makes it 0/0, reported as 0",
        work=f"(0·{n_neg:,} − 0·{n_pos:,}) / √(0·…) = 0/0 → 0 by convention",
        code="mcc_all_negative = cm_nothing.mcc",
        mistakes={"the accuracy": nothing.accuracy, "−1 (MCC of a perfectly wrong classifier)": -1.0})

    # any constant score ties every example; the AP depends only on the class ratio, so the library
    # computes it on the smallest label set with that ratio (the same P/n to the last bit)
    g = math.gcd(n_pos, n_neg) or 1
    y_small = labels(n_pos // g, n_neg // g)
    ap = average_precision(y_small, np.full(y_small.size, 0.37))
    a["ap_constant_score"] = Answer(
        ap, formula="one tie ⇒ one operating point (flag all): precision π at recall 1 ⇒ AP = π",
        work=f"AP = (1 − 0) · {n_pos:,}/{n:,} = {ap:.4f}",
        code="ap_constant_score = caselab.curves.average_precision(y_true, np.full(n, 0.37))",
        mistakes={"0.5, the ROC-AUC of an uninformative score (PR-AUC's baseline is the prevalence)": 0.5,
                  "1.0, the precision at the 'flag nothing' end of the curve": 1.0})

    coin = Confusion(tp=q * n_pos, fp=q * n_neg, fn=(1 - q) * n_pos, tn=(1 - q) * n_neg)
    a["f1_coin_flip"] = Answer(
        coin.f1, formula="a random q-share flag: precision = π, recall = q ⇒ F1 = 2πq / (π + q)",
        work=f"2·{coin.precision:.4g}·{q:g} / ({coin.precision:.4g} + {q:g}) = {coin.f1:.4f}",
        code="cm_coin = caselab.metrics.Confusion(tp=coin_flag_rate * n_pos, fp=coin_flag_rate * n_neg,\n"
             "                                    fn=(1 - coin_flag_rate) * n_pos, tn=(1 - coin_flag_rate) * n_neg)\n"
             "f1_coin_flip = cm_coin.f1",
        mistakes={"the coin's recall q (F1 is not recall)": q,
                  "the coin's precision, π": coin.precision,
                  "the arithmetic mean (π + q)/2 instead of the harmonic mean": (coin.precision + q) / 2,
                  "0.5, as if the classes were balanced": 0.5})

    majority = Confusion(tp=n_neg, fp=n_pos, fn=0, tn=0)  # legitimate called "positive", predicted for all
    a["f1_majority_positive"] = Answer(
        majority.f1, formula="majority class as 'positive', predicted for all: TP = N, FP = P, FN = 0 ⇒ F1 = 2N/(2N + P)",
        work=f"2·{n_neg:,} / (2·{n_neg:,} + {n_pos:,}) = {majority.f1:.4f}",
        code="cm_major = caselab.metrics.confusion_at_threshold(1 - y_true, np.ones(n), 1.0)\n"
             "f1_majority_positive = cm_major.f1",
        mistakes={"F1 with fraud as the positive class (0): the question labels the majority positive": 0.0,
                  "the accuracy": nothing.accuracy})

    reported = givens["reported_accuracy"]
    beats = "yes" if reported > nothing.accuracy else "no"
    a["beats_trivial"] = Answer(
        beats, formula="a model must beat the majority baseline 1 − π before its accuracy means anything",
        work=f"reported {reported:.4f} vs predict-all-negative {nothing.accuracy:.4f} → {beats}",
        code='beats_trivial = "yes" if reported_accuracy > accuracy_all_negative else "no"',
        depends_on=("accuracy_all_negative",),
        recompute=lambda v: "yes" if reported > v["accuracy_all_negative"] else "no",
        mistakes={"an accuracy near 100% read as good without comparing it to the trivial baseline": "yes"}
        if beats == "no" else {})
    a["which_condition"] = Answer(
        "a bad metric", formula="accuracy is dominated by the majority class: condition 1, a bad metric",
        work=("the all-negative model already scores the reported accuracy" if beats == "no" else
              f"the all-negative model alone scores {nothing.accuracy:.2%}, "
              f"{100 * (reported - nothing.accuracy):.2f} points below the reported accuracy")
             + "; nothing about the loss or costs is needed to see the problem",
        code='which_condition = "a bad metric"',
        mistakes={"resampling or re-weighting would not change what accuracy rewards": CONDITIONS[1]})

    setup = ("cm_nothing = caselab.metrics.confusion_at_threshold(y_true, np.zeros(n), np.inf)  # flags nothing\n"
             "print(cm_nothing)")
    data_code = ("import numpy as np\n"
                 "n_pos = round(n * prevalence)\n"
                 "n_neg = n - n_pos\n"
                 "y_true = np.r_[np.ones(n_pos, dtype=int), np.zeros(n_neg, dtype=int)]  # 1 = fraud\n"
                 "print(f'{n:,} transactions, {n_pos:,} fraudulent ({n_pos / n:.2%})')")
    margin = reported - nothing.accuracy
    slide = (f'the reported accuracy is no better than the {nothing.accuracy:.2%} that "never fraud" gets, '
             "so the slide shows nothing yet" if beats == "no" else
             f'the reported accuracy beats the {nothing.accuracy:.2%} that "never fraud" gets by '
             f"{100 * margin:.2f} points, but says nothing about how much fraud the model catches")
    facts = {"n_positives": n_pos, "slide_verdict": slide}
    return Solution(keep_distinct_mistakes(a, TOLERANCE), data_code=data_code, setup_code=setup, facts=facts)
